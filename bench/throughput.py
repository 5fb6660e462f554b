"""Embedding throughput: the pipeline's embedding path against a bare ``model.encode``.

Usage: python -m bench.throughput [--models minilm ...] [--corpus DIR] [--limit N]
                                  [--seconds 10] [--repeats 7] [--threads 2]
                                  [--device auto] [--check]

The floor (scale issue): the pipeline embeds at least 0.9 x as many sentences per second as
a bare ``model.encode`` of the same sentences with the same batch size, measured in the
same run.

Sentences: real ones. The unique sentence texts of a corpus as ``ingest`` segments them:
by default the synthetic corpus of 1,000 articles (``bench/synthetic.py``, kept in
``$TMPDIR/framelens-synth/n1000-s42``; generated when missing and ECB+ is in
``../shared/data/ecbplus``), else the seed corpus; shuffled with a seed, of which each
model gets as many as make one bare run last about ``--seconds`` (10; at least 500, at most
all), or ``--limit``. Unique, so both sides encode the same texts.

Pipeline path: what a shard job (rule ``embed_shard``) runs once its model is loaded:
:meth:`EmbeddingPlan.build`, :func:`embed_shard` with a cold cache (a new temporary folder
each time, so hashing, cache lookup, batches, cache writes and the truncation count are all
in), and :func:`save_shard`. Bare: the model library's own ``encode`` over the whole list
with the same ``batch_size`` (sentence-transformers: ``normalize_embeddings=True``, which
sorts by length itself; a library without a batch size gets one call per batch).

Both run in one process, on the same device with the same torch threads (``--threads``,
default 2, the rule's), after a warm-up, in ``--repeats`` rounds (default 7) of one run of
each, in alternating order. ``ratio`` is the median over rounds of bare wall time /
pipeline wall time (a round's two runs are seconds apart, so load from other processes on a
shared machine hits both alike); ``ratio_best`` compares the best runs and ``ratio_cpu``
the CPU seconds of this process. ``parts`` splits the best pipeline run into encoder calls,
the truncation count and the rest (plan, hashing, cache, copies).

Device: ``auto`` (the workflow's default) takes CUDA when torch sees a GPU; the report then
names it (``torch.cuda.get_device_name``) and gives sentences per second there (timings
end after ``torch.cuda.synchronize()``).

Fast backend (issue 18): the same run also measures ``--backend-of`` (default ``minilm``)
through ``--backend onnx`` with ``--quantization int8`` (the configured entry with those
two keys added) against torch's bare ``model.encode`` of that model, on the same sentences
in alternating rounds: sentences per second of both and their ratio (floor
:data:`BACKEND_FLOOR`), STS-B test Spearman of both (``--stsb``; floor: within
:data:`SPEARMAN_TOLERANCE` of torch) and the mean cosine of each sentence's two vectors.
``--backend torch`` skips it. The export is made (or found) in the model cache folder.

Writes ``results/bench/throughput.json`` (merged with earlier runs by model, device and
sample size; the backend comparison under ``backends``). ``--check`` exits 1 when a
model's ratio, or the backend's speed or STS-B, is under its floor.
"""

from __future__ import annotations

import argparse
import inspect
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from bench.synthetic import generate
from framelens.compare.cards import read_sts, stsb_spearman
from framelens.corpus import ingest_corpus
from framelens.embed import (
    EmbeddingCache,
    EmbeddingPlan,
    embed_shard,
    fingerprint,
    save_shard,
)
from framelens.models import ModelSpec, load_encoder, resolve_device
from framelens.steps.dag import is_shardable

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "results" / "bench" / "throughput.json"
FLOOR = 0.9
BACKEND_FLOOR = 1.9  # the fast backend's sentences/s over torch's bare model.encode
SPEARMAN_TOLERANCE = 0.005  # its STS-B test Spearman against torch's
STSB = ROOT.parent / "shared" / "data" / "stsb"
SYNTHETIC = Path(tempfile.gettempdir()) / "framelens-synth" / "n1000-s42"


# --------------------------------------------------------------------------- inputs


def default_corpus() -> Path:
    """The 1,000-article synthetic corpus (made when missing and ECB+ is there), else seeds."""
    if (SYNTHETIC / "metadata.csv").is_file():
        return SYNTHETIC
    ecbplus = ROOT.parent / "shared" / "data" / "ecbplus"
    if ecbplus.is_dir():
        generate(1000, SYNTHETIC, seed=42, ecbplus=str(ecbplus))
        return SYNTHETIC
    return ROOT / "corpus" / "seeds"


def sample_sentences(corpus: Path, limit: int | None = None, seed: int = 42) -> list[str]:
    """The unique sentence texts of ``corpus`` (ingested), shuffled with ``seed``; the first
    ``limit`` of them when given."""
    texts = list(dict.fromkeys(ingest_corpus(corpus).sentences["text"]))
    random.Random(seed).shuffle(texts)
    return texts[:limit] if limit else texts


def sample_size(
    encoder: Any, pool: list[str], device: str, *, seconds: float, smallest: int = 500
) -> int:
    """How many sentences make one bare run last about ``seconds`` (at least ``smallest``
    or four batches, at most the pool), from a timed pilot run (which also warms up)."""
    batch = encoder.spec.batch_size
    pilot = pool[: max(4 * batch, 256)]
    (wall, _), _ = bare_run(encoder, pilot, device)
    rate = len(pilot) / wall if wall > 0 else float("inf")
    return int(min(len(pool), max(smallest, 4 * batch, rate * seconds)))


# --------------------------------------------------------------------------- devices


def device_info(device: str) -> dict[str, Any]:
    """The device a run used, by name: the GPU's (``torch.cuda.get_device_name``) or the CPU's."""
    info: dict[str, Any] = {"device": device}
    try:
        import torch
    except ImportError:  # pragma: no cover - torch comes with sentence-transformers
        torch = None
    if torch is not None:
        info.update(torch=torch.__version__, threads=torch.get_num_threads())
    if device.startswith("cuda") and torch is not None:
        index = int(device.split(":")[1]) if ":" in device else 0
        info.update(name=torch.cuda.get_device_name(index), cuda=torch.version.cuda, gpu=True)
    else:
        info.update(name=cpu_name(), gpu=False)
    return info


def cpu_name() -> str:
    """The CPU model (from /proc/cpuinfo where there is one) and its logical cores."""
    name = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        for line in cpuinfo.read_text(errors="replace").splitlines():
            if line.startswith("model name"):
                name = line.split(":", 1)[1].strip()
                break
    return f"{name} ({os.cpu_count()} logical cores)"


def synchronise(device: str) -> None:
    """Wait for the GPU to finish (timings must not end while kernels still run)."""
    if device.startswith("cuda"):
        import torch

        torch.cuda.synchronize()


# --------------------------------------------------------------------------- the two paths


def bare_encode(encoder: Any, texts: list[str]) -> np.ndarray:
    """The model library's own ``encode`` over all ``texts``, with the encoder's batch size
    and the settings its ``encode`` uses (normalised vectors, no progress bar)."""
    if not hasattr(type(encoder), "model"):  # onnxruntime: its own encode is the bare one
        return np.asarray(encoder.encode(texts))
    model = encoder.model
    batch_size = encoder.spec.batch_size
    params = inspect.signature(model.encode).parameters
    if "batch_size" not in params:
        return np.concatenate(
            [
                np.asarray(model.encode(texts[i : i + batch_size]))
                for i in range(0, len(texts), batch_size)
            ]
        )
    options: dict[str, Any] = {"batch_size": batch_size}
    for name, value in (
        ("normalize_embeddings", True),
        ("convert_to_numpy", True),
        ("show_progress_bar", False),
        ("use_multiprocessing", False),
        ("max_length", None),
    ):
        if name in params:
            options[name] = value
    return np.asarray(model.encode(texts, **options))


class TimedEncoder:
    """An encoder whose ``encode`` and ``count_truncated`` calls are timed (``spent``)."""

    def __init__(self, encoder: Any, device: str) -> None:
        self.inner, self.device_name = encoder, device
        self.spent: dict[str, float] = defaultdict(float)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def encode(self, texts: list[str], **options: Any) -> Any:
        started = time.perf_counter()
        vectors = self.inner.encode(texts, **options)
        self.spent["encode_s"] += time.perf_counter() - started
        return vectors

    def count_truncated(self, texts: list[str]) -> int:
        started = time.perf_counter()
        count = self.inner.count_truncated(texts)
        self.spent["count_truncated_s"] += time.perf_counter() - started
        return count


def pipeline_run(
    encoder: Any, texts: list[str], device: str
) -> tuple[tuple[float, float], np.ndarray, dict[str, float]]:
    """One cold-cache run of the shard job's embedding path: (wall, CPU) seconds, vectors
    (in the order of ``texts``) and where the wall time went."""
    timed = TimedEncoder(encoder, device)
    with tempfile.TemporaryDirectory(prefix="framelens-throughput-") as tmp:
        cache = EmbeddingCache(tmp, fingerprint(encoder.identity()))
        wall, cpu = time.perf_counter(), time.process_time()
        plan = EmbeddingPlan.build(texts, encoder.spec.batch_size, 1)
        vectors, _ = embed_shard(plan, 0, timed, cache)
        save_shard(Path(tmp) / "shard.npz", vectors, plan.digest(0))
        synchronise(device)
        seconds = (time.perf_counter() - wall, time.process_time() - cpu)
    parts = dict(timed.spent)
    parts["other_s"] = seconds[0] - sum(parts.values())
    return seconds, vectors[plan.sentence_rows(texts)], parts


def bare_run(encoder: Any, texts: list[str], device: str) -> tuple[tuple[float, float], np.ndarray]:
    """One bare ``model.encode`` of ``texts``: (wall, CPU) seconds and vectors."""
    wall, cpu = time.perf_counter(), time.process_time()
    vectors = bare_encode(encoder, texts)
    synchronise(device)
    return (time.perf_counter() - wall, time.process_time() - cpu), vectors


def measure(encoder: Any, texts: list[str], *, repeats: int, device: str) -> dict[str, Any]:
    """Both paths in ``repeats`` rounds after a warm-up, each round both, in alternating
    order; their throughput, ratios, the split of the best pipeline run, and how far their
    vectors differ.

    ``ratio`` is the median over rounds of bare wall time / pipeline wall time: a round's
    two runs are seconds apart, so a load that comes and goes on a shared machine affects
    both. ``ratio_best`` compares the best runs, ``ratio_cpu`` CPU seconds (all threads of
    this process; other processes do not count, so it is steady on a busy machine).
    """
    bare_encode(encoder, texts[: 2 * encoder.spec.batch_size])  # warm-up: lazy init, caches
    pipe: list[tuple[float, float]] = []
    bare: list[tuple[float, float]] = []
    best_parts: dict[str, float] = {}
    vectors: dict[str, np.ndarray] = {}
    for repeat in range(repeats):
        order = ("pipeline", "bare") if repeat % 2 == 0 else ("bare", "pipeline")
        for side in order:
            if side == "pipeline":
                seconds, vectors["pipeline"], parts = pipeline_run(encoder, texts, device)
                if not pipe or seconds[0] < min(w for w, _ in pipe):
                    best_parts = parts
                pipe.append(seconds)
            else:
                seconds, vectors["bare"] = bare_run(encoder, texts, device)
                bare.append(seconds)
    n = len(texts)
    diff = np.abs(
        np.asarray(vectors["pipeline"], dtype=np.float32)
        - np.asarray(vectors["bare"], dtype=np.float32)
    )
    pipe_wall, bare_wall = [w for w, _ in pipe], [w for w, _ in bare]
    ratio = statistics.median(b[0] / p[0] for b, p in zip(bare, pipe, strict=True))
    return {
        "n_sentences": n,
        "batch_size": encoder.spec.batch_size,
        "rounds": repeats,
        "pipeline_s": [round(w, 4) for w in pipe_wall],
        "bare_s": [round(w, 4) for w in bare_wall],
        "pipeline_cpu_s": [round(c, 4) for _, c in pipe],
        "bare_cpu_s": [round(c, 4) for _, c in bare],
        "pipeline_sentences_per_s": n / statistics.median(pipe_wall),
        "bare_sentences_per_s": n / statistics.median(bare_wall),
        "ratio": ratio,
        "ratio_best": min(bare_wall) / min(pipe_wall),
        "ratio_cpu": statistics.median(
            b[1] / p[1] for b, p in zip(bare, pipe, strict=True) if p[1] > 0
        )
        if any(p[1] > 0 for p in pipe)
        else None,
        "floor": FLOOR,
        "meets_floor": ratio >= FLOOR,
        "parts": {k: round(v, 4) for k, v in sorted(best_parts.items())},
        "max_abs_difference": float(diff.max()) if diff.size else 0.0,
    }


# --------------------------------------------------------------------------- fast backend


def backend_entry(
    models: dict[str, Any], key: str, backend: str, quantization: str
) -> tuple[str, dict[str, Any]]:
    """The configured entry ``key`` with ``backend`` and ``quantization`` set, and its key."""
    if key not in models:
        raise SystemExit(f"--backend-of {key}: not a configured model ({sorted(models)})")
    entry = {**models[key], "backend": backend, "quantization": quantization}
    ModelSpec.from_config(key, entry)  # a ConfigError names the key when it cannot be
    return f"{key}-{backend}-{quantization}", entry


def compare_backends(
    reference: Any,
    fast: Any,
    texts: list[str],
    *,
    repeats: int,
    stsb: Any = None,
) -> dict[str, Any]:
    """Torch's bare ``model.encode`` (``reference``) against the fast encoder's ``encode``
    on the same ``texts``: ``repeats`` rounds after a warm-up, alternating which goes first.

    ``ratio`` is the median over rounds of torch's wall time over the fast one's;
    ``mean_cosine`` compares each text's two vectors; with ``stsb`` (pairs from
    :func:`read_sts`) each encoder's STS-B Spearman, and ``spearman_difference`` fast
    minus torch.
    """
    bare_encode(reference, texts[: 2 * reference.spec.batch_size])  # warm-up
    fast.encode(texts[: 2 * reference.spec.batch_size])
    torch_s: list[float] = []
    fast_s: list[float] = []
    vectors: dict[str, np.ndarray] = {}
    for repeat in range(repeats):
        order = ("torch", "fast") if repeat % 2 == 0 else ("fast", "torch")
        for side in order:
            started = time.perf_counter()
            if side == "torch":
                vectors["torch"] = np.asarray(bare_encode(reference, texts), dtype=np.float32)
                torch_s.append(time.perf_counter() - started)
            else:
                vectors["fast"] = np.asarray(fast.encode(texts), dtype=np.float32)
                fast_s.append(time.perf_counter() - started)
    cosine = (vectors["torch"] * vectors["fast"]).sum(axis=1)
    ratio = statistics.median(t / f for t, f in zip(torch_s, fast_s, strict=True))
    n = len(texts)
    result: dict[str, Any] = {
        "n_sentences": n,
        "rounds": repeats,
        "torch_s": [round(w, 4) for w in torch_s],
        "fast_s": [round(w, 4) for w in fast_s],
        "torch_sentences_per_s": n / statistics.median(torch_s),
        "fast_sentences_per_s": n / statistics.median(fast_s),
        "ratio": ratio,
        "ratio_best": min(torch_s) / min(fast_s),
        "floor": BACKEND_FLOOR,
        "meets_floor": ratio >= BACKEND_FLOOR,
        "mean_cosine": float(cosine.mean()),
        "min_cosine": float(cosine.min()),
    }
    if stsb is not None:
        torch_rho, fast_rho = stsb_spearman(reference, stsb), stsb_spearman(fast, stsb)
        result.update(
            stsb_pairs=len(stsb),
            stsb_torch=torch_rho,
            stsb_fast=fast_rho,
            spearman_difference=fast_rho - torch_rho,
            spearman_tolerance=SPEARMAN_TOLERANCE,
            meets_spearman=abs(fast_rho - torch_rho) <= SPEARMAN_TOLERANCE,
        )
    return result


def backend_run(
    args: argparse.Namespace, models: dict[str, Any], pool: list[str], device: str
) -> dict[str, Any]:
    """Measure ``args.backend_of`` through the fast backend against torch (printed too)."""
    key, entry = backend_entry(models, args.backend_of, args.backend, args.quantization)
    reference = load_encoder(
        ModelSpec.from_config(args.backend_of, models[args.backend_of]), device="cpu"
    )
    fast = load_encoder(ModelSpec.from_config(key, entry), device="cpu")
    identity = fast.identity()  # exports once (cached), not timed
    reference.identity()
    n = args.limit or sample_size(reference, pool, "cpu", seconds=args.seconds)
    stsb = read_sts(args.stsb) if args.stsb and Path(args.stsb).exists() else None
    result = compare_backends(reference, fast, pool[:n], repeats=args.repeats, stsb=stsb)
    run = {
        "model": key,
        "reference": args.backend_of,
        "backend": args.backend,
        "quantization": args.quantization,
        "onnx_sha256": identity.get("onnx_sha256"),
        "backend_versions": identity.get("backend_versions"),
        "device": device_info("cpu"),
        "load_1min": os.getloadavg()[0],
        "recorded": datetime.now().isoformat(timespec="seconds"),
        **result,
    }
    verdict = "ok" if result["meets_floor"] else f"UNDER THE FLOOR {BACKEND_FLOOR}"
    print(
        f"{key} against {args.backend_of} torch bare model.encode, {n} sentences: "
        f"{result['fast_sentences_per_s']:.1f} against {result['torch_sentences_per_s']:.1f} "
        f"sent/s (medians); ratio {result['ratio']:.3f} (best runs "
        f"{result['ratio_best']:.3f}): {verdict}; mean cosine to torch "
        f"{result['mean_cosine']:.4f} (min {result['min_cosine']:.4f})",
        flush=True,
    )
    if stsb is not None:
        ok = "ok" if result["meets_spearman"] else f"OFF BY MORE THAN {SPEARMAN_TOLERANCE}"
        print(
            f"  STS-B test Spearman: {args.backend} {result['stsb_fast']:.4f}, torch "
            f"{result['stsb_torch']:.4f} (difference {result['spearman_difference']:+.4f}): "
            f"{ok}",
            flush=True,
        )
    return run


# --------------------------------------------------------------------------- main


def configured_models(config: dict[str, Any], wanted: list[str] | None) -> dict[str, dict]:
    """The models to measure: ``wanted``, or every configured model that is not fitted on
    the corpus (TF-IDF has no bare ``model.encode`` to compare with)."""
    models = config["models"]
    if wanted:
        unknown = sorted(set(wanted) - set(models))
        if unknown:
            raise SystemExit(f"unknown model(s) {unknown}; configured: {sorted(models)}")
        chosen = {k: models[k] for k in wanted}
    else:
        chosen = {k: v for k, v in models.items() if is_shardable(v)}
    fitted = sorted(k for k, v in chosen.items() if not is_shardable(v))
    if fitted:
        raise SystemExit(f"{fitted}: fitted on the corpus, nothing to compare with")
    return chosen


def fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def merge_report(path: Path, runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Earlier runs kept, except those of the same model, device and sample size."""
    report = json.loads(path.read_text()) if path.is_file() else {"runs": []}
    fresh = {(r["model"], r["device"]["name"], r["n_sentences"]) for r in runs}
    report["runs"] = [
        r
        for r in report.get("runs", [])
        if (r["model"], r["device"]["name"], r["n_sentences"]) not in fresh
    ] + runs
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", default=str(ROOT / "config" / "config.yaml"))
    parser.add_argument("--models", nargs="+")
    parser.add_argument("--corpus", help="corpus folder (default: synthetic n=1000, or seeds)")
    parser.add_argument(
        "--limit", type=int, help="sentences per run (default: enough for --seconds, >= 500)"
    )
    parser.add_argument(
        "--seconds",
        type=float,
        default=10.0,
        help="about how long one bare run should take (sets the sample size)",
    )
    parser.add_argument("--repeats", type=int, default=7, help="rounds (each: both paths)")
    parser.add_argument("--threads", type=int, default=2, help="torch CPU threads")
    parser.add_argument("--device", default="auto")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--out", default=str(OUT))
    parser.add_argument("--check", action="store_true", help="exit 1 under the floor")
    parser.add_argument(
        "--backend-of", default="minilm", help="configured model to run through --backend"
    )
    parser.add_argument(
        "--backend", default="onnx", choices=["onnx", "torch"], help="torch: skip the comparison"
    )
    parser.add_argument("--quantization", default="int8", choices=["int8", "none"])
    parser.add_argument("--stsb", default=str(STSB), help="STS-B folder or file ('' to skip)")
    args = parser.parse_args(argv)

    import torch

    torch.set_num_threads(args.threads)
    device = resolve_device(args.device)
    info = device_info(device)
    config = yaml.safe_load(Path(args.config).read_text(encoding="utf-8"))
    models = configured_models(config, args.models)
    corpus = Path(args.corpus) if args.corpus else default_corpus()
    pool = sample_sentences(corpus, seed=args.seed)
    print(
        f"device {device}: {info['name']}; torch threads {torch.get_num_threads()}; "
        f"{len(pool)} unique sentences in {corpus}; {args.repeats} rounds of both paths",
        flush=True,
    )
    backends = []
    if args.backend != "torch" and args.backend_of in config["models"]:
        backends.append(backend_run(args, config["models"], pool, device))
    runs = []
    for key, entry in models.items():
        encoder = load_encoder(ModelSpec.from_config(key, entry), device=device)
        encoder.identity()  # loads the model: not timed
        run_device = getattr(encoder, "device", "cpu")
        n = args.limit or sample_size(encoder, pool, run_device, seconds=args.seconds)
        texts = pool[:n]
        result = measure(encoder, texts, repeats=args.repeats, device=run_device)
        runs.append(
            {
                "model": key,
                "kind": entry.get("kind"),
                "device": device_info(run_device),
                "corpus": str(corpus),
                "mean_characters": float(np.mean([len(t) for t in texts])),
                "load_1min": os.getloadavg()[0],
                "recorded": datetime.now().isoformat(timespec="seconds"),
                **result,
            }
        )
        verdict = "ok" if result["meets_floor"] else f"UNDER THE FLOOR {FLOOR}"
        print(
            f"{key} on {run_device} ({runs[-1]['device']['name']}), {n} sentences, batch "
            f"{result['batch_size']}: pipeline {result['pipeline_sentences_per_s']:.1f} "
            f"sent/s, bare model.encode {result['bare_sentences_per_s']:.1f} sent/s (medians);"
            f" ratio {result['ratio']:.3f} (best runs {result['ratio_best']:.3f}, CPU time "
            f"{fmt(result['ratio_cpu'])}): {verdict}\n"
            f"  pipeline runs {result['pipeline_s']} s, bare {result['bare_s']} s; best "
            f"pipeline run: {result['parts']}; max |difference| "
            f"{result['max_abs_difference']:.2e}",
            flush=True,
        )
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    report = merge_report(out, runs)
    if backends:
        report["backends"] = backends
    out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"written: {out}")
    floors = [r["meets_floor"] for r in runs + backends]
    floors += [r["meets_spearman"] for r in backends if "meets_spearman" in r]
    return 1 if args.check and not all(floors) else 0


if __name__ == "__main__":
    sys.exit(main())
