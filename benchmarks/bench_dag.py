"""Dry-run (DAG) time of the workflow for sweeps of 10, 100 and 1000 models (issue 10 item 4).

A sweep of N models is 3 families x k values of d > 0 plus white noise
(N = 3 k + 1: 10, 100, 1000), written as a config file to a temporary
directory; ``snakemake -n`` then builds the DAG of the whole workflow (about
3 jobs per model) in an empty working directory.  Printed per N: the number of
jobs, the wall time, the time per job and the growth (the exponent b of
t ~ N^b between successive N, and the marginal cost per added job).

Options:

``--profile``   also run each dry run under cProfile and split the time into
                the workflow's own code (functions in workflow/rules/*.smk and
                src/hotcold, once at start-up or per job) and Snakemake's.
``--slurm``     also count the cluster jobs a SLURM submission would make with
                profiles/slurm (job groups): a dry run with the profile.
``--compare-to DIR``  a checkout of another commit (``git clone /work/main DIR;
                git -C DIR checkout OLD``): its Snakefile and src/ are timed in
                the same run, alternating with this checkout (before/after
                ratios under the same machine load).

Run:  python benchmarks/bench_dag.py [--models 10 100 1000] [--repeat 1] [--profile]
"""

from __future__ import annotations

import argparse
import math
import os
import pstats
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parents[1]
FAMILIES = ["lorentzian", "exponential", "gaussian"]


def sweep_config(n_models: int) -> dict:
    """White noise plus 3 families x k values of d in [0.05, 0.5]: 3 k + 1 = n_models."""
    k, rest = divmod(n_models - 1, len(FAMILIES))
    if rest or k < 1:
        raise SystemExit(f"--models: {n_models} is not 3 k + 1 (e.g. 10, 100, 1000)")
    d = [0.0] + [float(x) for x in np.round(np.linspace(0.05, 0.5, k), 6)]
    return {"disorder": {"w": 0.1, "families": FAMILIES, "d": d}}


def snakemake_cmd(tree: Path, workdir: Path, cfile: Path, *extra: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "snakemake",
        "-s",
        str(tree / "Snakefile"),
        "-d",
        str(workdir),
        "--configfile",
        str(cfile),
        "-n",
        *extra,
    ]


def run(tree: Path, cmd: list[str]) -> tuple[float, str]:
    """Wall time and output of one command, with ``tree``'s own package first on the path."""
    env = dict(os.environ, PYTHONPATH=str(tree / "src"), PYTHONHASHSEED="0")
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    dt = time.perf_counter() - t0
    out = proc.stdout + proc.stderr
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{out[-3000:]}")
    return dt, out


def job_count(out: str) -> int:
    m = re.search(r"^total\s+(\d+)", out, re.M)
    return int(m.group(1)) if m else 0


def ours(tree: Path, fn: str) -> bool:
    return fn.endswith(".smk") or str(tree / "workflow") in fn or str(tree / "src") in fn


def attribute(tree: Path, prof: Path) -> dict[str, float]:
    """Seconds spent inside the workflow's own functions, entered from Snakemake/Python.

    Sums the cumulative time of every call edge from a function outside the
    workflow into one inside it (callees included, so numpy/scipy work done
    for the workflow counts as the workflow's); module bodies (imports and
    the parse of the .smk files) are start-up, every other function per-job.
    """
    stats = pstats.Stats(str(prof)).stats
    total = max(v[3] for v in stats.values())
    out = {"total": total, "startup": 0.0, "per_job": 0.0}
    for func, (_, _, _, _, callers) in stats.items():
        if not ours(tree, func[0]):
            continue
        for caller, edge in callers.items():
            if not ours(tree, caller[0]):
                out["startup" if func[2] == "<module>" else "per_job"] += edge[3]
    return out


def measure(tree: Path, n: int, tmp: Path, repeat: int, profile: bool, slurm: bool) -> dict:
    cfile = tmp / f"sweep{n}.yaml"
    cfile.write_text(yaml.safe_dump(sweep_config(n)))
    work = tmp / f"work-{tree.name}-{n}"
    work.mkdir(exist_ok=True)
    times, jobs = [], 0
    for _ in range(repeat):
        dt, out = run(tree, snakemake_cmd(tree, work, cfile, "-c1"))
        times.append(dt)
        jobs = job_count(out)
    res = {"n": n, "jobs": jobs, "t": statistics.median(times)}
    if profile:
        prof = tmp / f"{tree.name}-{n}.prof"
        cmd = snakemake_cmd(tree, work, cfile, "-c1")
        cmd[1:3] = ["-m", "cProfile", "-o", str(prof), "-m", "snakemake"]
        run(tree, cmd)
        res["profile"] = attribute(tree, prof)
    if slurm:
        prof = str(tree / "profiles" / "slurm")
        _, out = run(tree, snakemake_cmd(tree, work, cfile, "--workflow-profile", prof))
        # a group job is printed as one "Group job" block (its jobs indented);
        # an ungrouped job as a "rule NAME:" line at the start of a line
        top = re.findall(r"^rule (\w+):", out, re.M)
        local = local_rules(tree)
        res["cluster_jobs"] = out.count("Group job ") + sum(not local.fullmatch(r) for r in top)
    return res


def local_rules(tree: Path) -> re.Pattern:
    """Names of the rules marked ``localrule: True`` (run on the submit host), and ``all``.

    Read from the rule files: ``rule NAME:`` blocks, and ``rule:`` blocks made
    in a loop with ``name: f"prefix_{...}"`` (the f-string fields match any name).
    """
    names = ["all"]
    for path in (tree / "workflow" / "rules").glob("*.smk"):
        for block in re.split(r"^(?=\s*(?:rule|checkpoint)\b)", path.read_text(), flags=re.M):
            if not re.search(r"^\s+localrule:\s*True", block, re.M):
                continue
            m = re.match(r"\s*(?:rule|checkpoint) (\w+):", block)
            if m:
                names.append(re.escape(m.group(1)))
            elif m := re.search(r"name:\s*f?[\"']([^\"']+)[\"']", block):
                names.append(re.sub(r"\\\{[^}]*\\\}", r"\\w+", re.escape(m.group(1))))
    return re.compile("|".join(names))


def report(label: str, rows: list[dict]) -> None:
    print(f"\n{label}")
    head = f"{'models':>7} {'jobs':>6} {'dry run [s]':>12} {'ms/job':>7} {'growth b':>9}"
    head += f" {'+ms/job':>8}"
    extra = any("profile" in r for r in rows)
    if extra:
        head += f" {'ours start-up [s]':>18} {'ours per-job [s]':>17} {'Snakemake [s]':>14}"
    if any("cluster_jobs" in r for r in rows):
        head += f" {'SLURM jobs':>11}"
    print(head)
    prev = None
    for r in rows:
        b = marg = ""
        if prev:
            b = f"{math.log(r['t'] / prev['t']) / math.log(r['n'] / prev['n']):.2f}"
            marg = f"{1e3 * (r['t'] - prev['t']) / max(1, r['jobs'] - prev['jobs']):.1f}"
        line = (
            f"{r['n']:>7} {r['jobs']:>6} {r['t']:>12.2f} {1e3 * r['t'] / max(r['jobs'], 1):>7.1f} "
            f"{b:>9} {marg:>8}"
        )
        if "profile" in r:
            p = r["profile"]
            rest = p["total"] - p["startup"] - p["per_job"]
            line += f" {p['startup']:>18.2f} {p['per_job']:>17.2f} {rest:>14.2f}"
        if "cluster_jobs" in r:
            line += f" {r['cluster_jobs']:>11}"
        print(line)
        prev = r
    if extra:
        print("(profile columns: seconds under cProfile, which inflates all of them alike)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", type=int, nargs="+", default=[10, 100, 1000])
    ap.add_argument("--repeat", type=int, default=1, help="median of this many dry runs")
    ap.add_argument("--profile", action="store_true", help="split the time (cProfile)")
    ap.add_argument("--slurm", action="store_true", help="count SLURM jobs with profiles/slurm")
    ap.add_argument("--compare-to", type=Path, help="another checkout, timed in the same run")
    args = ap.parse_args()
    trees = [ROOT] + ([args.compare_to.resolve()] if args.compare_to else [])
    with tempfile.TemporaryDirectory(prefix="bench_dag") as tmp:
        rows: dict[Path, list[dict]] = {t: [] for t in trees}
        for n in args.models:
            for tree in trees:  # alternate: same load for both checkouts
                rows[tree].append(
                    measure(tree, n, Path(tmp), args.repeat, args.profile, args.slurm)
                )
        for tree in trees:
            report(f"snakemake -n, whole workflow, {tree}", rows[tree])
        if args.compare_to:
            print("\nratio (this checkout / other) of the dry-run time:")
            for a, b in zip(rows[ROOT], rows[trees[1]], strict=True):
                print(f"  {a['n']:>5} models: {a['t'] / b['t']:.2f}")


if __name__ == "__main__":
    main()
