"""Scale benchmark: the whole workflow on synthetic corpora of growing size.

Usage: python -m bench.scale --sizes 1000 10000 --models minilm [--seed 42] [--cores 2]
                             [--timeout 3600] [--warm-cache] [--parallel] [--fresh]
                             [--replicates 1000:20 10000:4]
       python -m bench.scale --profile align --sizes 10000 --models tfidf

For each size N, :mod:`bench.synthetic` builds N articles over N/10 events from ECB+
sentences with planted reuse (``bench/synthetic.py``; kept in
``$TMPDIR/framelens-synth/n<N>-s<seed>``, outside the project). The workflow then runs in
``results/bench/scale/n<N>-<models>/`` with a config written to a temporary folder: the
project's ``config/config.yaml`` with only the chosen models and ``corpus`` set to the
synthetic folder, ``FRAMELENS_CACHE_DIR`` in that run folder (emptied first, so
embedding is timed cold, unless ``--warm-cache``). Jobs run one at a time (a
``serial`` resource; ``--parallel`` lifts it) so each stage's time is its own.

Measured per stage: wall time, ``max_rss`` and CPU time from Snakemake's ``benchmark:``
files (``results/benchmarks/**.tsv``), wall time from the Snakemake log for rules without
one (figures, provenance), items per second (articles or sentences, as fits the stage),
the peak RSS of every job process sampled from /proc every 0.25 s (``peak_rss_mb``, the
largest process of the stage; Snakemake samples only every 30 s after a job's first 15 s
and misses peaks: see :class:`bench.scale.run.MemorySampler`), and the peak of each job
counted with its worker processes, their shared pages once (``job_mb``, a PSS sum read
every second). The plot and the memory exponents use the larger of the two.

Quality against the planted gold: event ARI and V-measure (``results/<model>/events.csv``
against ``gold_events.csv``), and
reuse precision/recall: the verbatim and rewrite pairs of
``results/<model>/alignments.parquet`` against the gold pairs, sentences matched by
document and position (checked by text) through ``results/corpus/*.parquet``.
Precision counts a found pair as right when the gold knows it (planted or incidental:
two articles of one event holding one ECB+ sentence); recall is over the planted pairs.
Each score comes with a 95% bootstrap interval over the gold events (200 seeded
resamples), so "no worse at 100k than at 1k" is read against the 1k score's own spread.

One synthetic corpus is one draw: at 1k (100 events) a single large event split in two
moves ARI by a few hundredths, which the bootstrap over that corpus's events does not
see. ``--replicates N:K`` therefore also builds K more corpora of size N (seeds
``seed+1`` ... ``seed+K``), runs each only as far as events and alignments (untimed, in
``results/bench/scale/replicates/``) and reports each score's mean over all K+1 corpora
with a 95% t interval of that mean. The largest timed size is then compared with each
replicated size: the difference from its mean, with an interval combining both spreads.
``--slices K`` looks at the same question on the same articles: at the largest size, K
runs of ``--slice-events`` gold events are clustered alone (as a corpus of their own) and
scored beside the whole run's clusters of those articles.

Writes ``results/bench/scale.json`` (merged with earlier runs, keyed by N and models;
``--fresh`` starts over) and ``results/bench/scale.png``: time and memory against N per
stage, log-log, with each stage's fitted growth exponent (slope of log y on log N).

``--profile STAGE`` runs one job of an earlier run again under cProfile: the script
Snakemake generated for it (kept with ``--skip-script-cleanup``), in the run folder, and
prints the top functions (results/bench/profile-<rule>-<models>-n<N>.prof).
``--rescore`` measures and scores existing run folders again without running anything
(but replicates not yet run).

The modules, one concern each:

- :mod:`bench.scale.corpus`: the synthetic corpora, run folders and run configs;
- :mod:`bench.scale.run`: running the workflow (Snakemake in a subprocess) and sampling
  job memory and the machine's load while it runs;
- :mod:`bench.scale.measure`: per-stage time, memory and throughput from a run's
  benchmark files, log and memory samples;
- :mod:`bench.scale.quality`: one run's event and reuse scores against the planted gold,
  with bootstrap intervals, and the same-articles slice check;
- :mod:`bench.scale.replicates`: the scores over replicate corpora and the largest size
  against them;
- :mod:`bench.scale.report`: growth exponents, the plot and the printed tables;
- :mod:`bench.scale.profiling`: ``--profile``, one stage under cProfile;
- :mod:`bench.scale.cli`: the command line (``python -m bench.scale`` runs it).

The numbers behind ``profiles/slurm/config.yaml`` (memory and time per rule at 100,000
articles) come from this benchmark; ``bench/slurm_local.sh`` checks the profile on a
SLURM cluster.
"""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "results" / "bench"
RUNS = OUT / "scale"
