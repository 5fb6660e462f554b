"""``python -m bench.scale --profile STAGE``: one stage of an earlier scale run again under
cProfile, from the script Snakemake generated for its job."""

from __future__ import annotations

import io
import os
import pstats
import subprocess
import sys
import time

from bench.scale import OUT
from bench.scale.corpus import run_folder
from bench.scale.measure import rule_scripts
from bench.scale.run import snakemake_command


def profile_stage(stage: str, n: int, models: list[str], top: int) -> None:
    """Profile one stage of an earlier run: the job's own script (as Snakemake generated it,
    kept by ``--skip-script-cleanup``) run again under cProfile in the run folder."""
    work = run_folder(n, models)
    rule = stage.split("/")[0]
    script_name = rule_scripts().get(rule)
    if script_name is None:
        raise SystemExit(f"no rule {rule!r} with a script in workflow/rules/*.smk")
    env = {
        **os.environ,
        "HF_HUB_OFFLINE": os.environ.get("HF_HUB_OFFLINE", "1"),
        "FRAMELENS_CACHE_DIR": str(work / "cache"),
    }
    scripts = sorted(
        (work / ".snakemake" / "scripts").glob(f"tmp*.{script_name}"),
        key=lambda p: p.stat().st_mtime,
    )
    if not scripts:  # a run without kept scripts: run that one job again, keeping it
        config = work / "config.yaml"
        if not config.is_file():
            raise SystemExit(f"{config} missing: run N={n} {models} first")
        print(f"re-running {rule} once to keep its generated script ...", flush=True)
        subprocess.run(
            [
                *snakemake_command(work, config, 2),
                "--forcerun",
                rule,
                "--until",
                rule,
                "--rerun-triggers",
                "mtime",
                "--skip-script-cleanup",
                "--quiet",
            ],
            cwd=work,
            env=env,
            check=True,
        )
        scripts = sorted(
            (work / ".snakemake" / "scripts").glob(f"tmp*.{script_name}"),
            key=lambda p: p.stat().st_mtime,
        )
    dump = OUT / f"profile-{rule}-{'+'.join(models)}-n{n}.prof"
    dump.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "cProfile", "-o", str(dump), str(scripts[-1])],
        cwd=work,
        env=env,
        check=True,
    )
    print(
        f"{stage} ({'+'.join(models)}, N={n}): {time.perf_counter() - started:.1f} s under cProfile"
    )
    out = io.StringIO()
    stats = pstats.Stats(str(dump), stream=out)
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)
    print(out.getvalue())
    print(f"written: {dump}")
