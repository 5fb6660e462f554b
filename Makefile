# framelens: `make run` builds every result and the report; `make test` runs the tests.
# Both create the environment they need in .venv/ (once; later calls reuse it).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
CORES  ?= 2
# torch is pinned in the same install as everything else: unpinned, pip would pick a
# multi-GB CUDA build. For a GPU machine, set TORCH to the build you want.
TORCH  ?= torch==2.13.0
SNAKEMAKE := HF_HUB_OFFLINE=1 $(BIN)/snakemake --cores $(CORES) $(SNAKEMAKE_ARGS)

.PHONY: all run report test test-fast lint dryrun clean bench-alignment bench-events bench-embed bench-slurm
all: run

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt "$(TORCH)" -e ".[dev]"
	touch $(STAMP)

## run: the whole workflow, then results/report.html (skipped when nothing changed)
run: $(STAMP)
	$(SNAKEMAKE)
	@if [ ! -f results/report.html ] || [ -n "$$(find results -newer results/report.html -type f \
	      ! -path 'results/logs/*' ! -path 'results/benchmarks/*' | head -n 1)" ]; then \
	    $(SNAKEMAKE) --report results/report.html; \
	else echo "results/report.html is up to date: nothing to do."; fi

## dryrun: what `make run` would do
dryrun: $(STAMP)
	$(SNAKEMAKE) --dry-run

## test: lint (ruff, formatting, mypy, snakefmt, snakemake --lint), unit tests and the
##   slow end-to-end runs
test: lint
	HF_HUB_OFFLINE=1 $(BIN)/python -m pytest

## test-fast: unit tests that load no model (under two minutes); a test that loads one
##   without the needs_model marker fails here
test-fast: $(STAMP)
	HF_HUB_OFFLINE=1 FRAMELENS_TESTS_WITHOUT_MODELS=1 $(BIN)/python -m pytest -m "not slow and not needs_model"

## bench-alignment: STS-B Spearman and planted-set precision/recall per configured model
bench-alignment: $(STAMP)
	HF_HUB_OFFLINE=1 $(BIN)/python -m bench.alignment

## bench-agreement: agreement with people, per model, beside the plain whole-article cosine:
##   LP50 and ECB+ graded pairs (document similarity, story weights calibrated), STS-B news,
##   then paraphrase and claim precision/recall in context (bench-paraphrase); ~20 minutes
.PHONY: bench-agreement
bench-agreement: $(STAMP)
	HF_HUB_OFFLINE=1 TQDM_DISABLE=1 $(BIN)/python -m bench.agreement --calibrate
	HF_HUB_OFFLINE=1 TQDM_DISABLE=1 $(BIN)/python -m bench.paraphrase

## bench-paraphrase: paraphrase and claim recall in context (STS-B pairs planted into ECB+ events), OLD vs NEW
.PHONY: bench-paraphrase
bench-paraphrase: $(STAMP)
	HF_HUB_OFFLINE=1 $(BIN)/python -m bench.paraphrase

## bench-topk: blocked top-k alignment search against one dense matrix product (time, memory, equality)
.PHONY: bench-topk
bench-topk: $(STAMP)
	$(BIN)/python -m bench.topk

## bench-explorer: the explorer at 1k and 10k synthetic articles (static model): size of its
##   files and time to its first view in headless Chromium (floor: 3 s at 10k); ~10 minutes
.PHONY: bench-explorer
bench-explorer: $(STAMP)
	HF_HUB_OFFLINE=1 $(BIN)/python -m bench.explorer --sizes 1000 10000 --model static

## bench-events: event clustering on ECB+ (ARI, V-measure, clusters) per configured model
bench-events: $(STAMP)
	HF_HUB_OFFLINE=1 $(BIN)/python -m bench.events

## bench-embed: embedding throughput, the pipeline's path against a bare model.encode (floor 0.9);
##   MiniLM onnx int8 against torch's bare encode (floor 1.9x; STS-B within 0.005)
bench-embed: $(STAMP)
	HF_HUB_OFFLINE=1 $(BIN)/python -m bench.throughput

## bench-scale: the workflow at 1k, 10k, 100k synthetic articles (static) and 1k, 10k (minilm);
##   per-stage time, memory, items/s, planted-gold quality, growth exponents (about 55 minutes)
.PHONY: bench-scale
bench-scale: $(STAMP)
	HF_HUB_OFFLINE=1 $(BIN)/python -m bench.scale --fresh --sizes 1000 10000 100000 --models static \
	  --replicates 1000:20 10000:4 --slices 10 --slice-events 100
	HF_HUB_OFFLINE=1 $(BIN)/python -m bench.scale --sizes 1000 10000 --models minilm

## bench-vectors: float16 against float32 vector storage (embedding.dtype): STS-B Spearman,
##   ECB+ event ARI and the seeds' tables, per dense model (about 6 minutes)
.PHONY: bench-vectors
bench-vectors: $(STAMP)
	HF_HUB_OFFLINE=1 $(BIN)/python -m bench.vectors

## bench-scale-shards: the workflow at 100k synthetic articles (static) with event_shards 8:
##   peak memory of every job (the per-job floor is 1.5 GiB); about 25 minutes
.PHONY: bench-scale-shards
bench-scale-shards: $(STAMP)
	HF_HUB_OFFLINE=1 $(BIN)/python -m bench.scale --sizes 100000 --models static --set event_shards=8

## bench-ingest: ingest throughput per corpus format (folder, CSV/JSONL/Parquet, compressed,
##   HTML pages, WARC) on the same synthetic articles: articles/s, MB/s, peak memory, ratio
##   to the folder format, outputs equal; 10k and 100k articles (HTML/WARC at 2k and 10k)
.PHONY: bench-ingest
bench-ingest: $(STAMP)
	$(BIN)/python -m bench.ingest --sizes 10000 100000 --web-sizes 2000 10000

## bench-slurm: the seed workflow through SLURM on this machine, tables = a local run (root;
## installs Debian's slurm-wlm and munge; README "Running on a cluster (SLURM)")
bench-slurm: $(STAMP)
	bash bench/slurm_local.sh $(SLURM_BENCH_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/snakefmt --check Snakefile workflow/rules
	$(BIN)/snakemake --lint

clean:
	rm -rf results .snakemake
