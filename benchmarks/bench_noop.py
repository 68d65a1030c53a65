"""Time of a no-op rerun on the default config (issue 6): `snakemake -n` and a real no-op run.

Usage::

    python benchmarks/bench_noop.py [WORKDIR]

WORKDIR (default ``results-bench/``, created) is brought up to date first with
the default profile (the full default workflow, a few minutes the first time);
then each no-op command is timed ``--repeat`` times and the median printed.
Target: under 3 s each.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def snakemake(workdir: Path, *args: str) -> tuple[float, str]:
    cmd = [
        sys.executable,
        "-m",
        "snakemake",
        "-s",
        str(ROOT / "Snakefile"),
        "-d",
        str(workdir),
        *args,
    ]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, check=True)
    return time.perf_counter() - t0, proc.stdout + proc.stderr


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("workdir", nargs="?", default=str(ROOT / "results-bench"))
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    work = Path(args.workdir)
    work.mkdir(parents=True, exist_ok=True)
    t_full, _ = snakemake(work)
    print(f"bring {work} up to date: {t_full:.1f} s")
    for label, extra in (("snakemake -n (dry run)", ("-n",)), ("real no-op run", ())):
        times = []
        for _ in range(args.repeat):
            t, out = snakemake(work, *extra)
            if "Nothing to be done" not in out:
                raise SystemExit(f"{label}: the workflow was not up to date:\n{out[-2000:]}")
            times.append(t)
        print(
            f"{label:24s} median {statistics.median(times):.2f} s "
            f"(min {min(times):.2f}, max {max(times):.2f}, n = {len(times)}; target < 3 s)"
        )


if __name__ == "__main__":
    main()
