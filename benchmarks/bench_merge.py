"""Peak memory of the merge step for N synthetic per-model files (issue 10 item 4).

For N = 10, 100, 1000 models (white noise + 3 families x k values of d), the
per-model files are copies of real per-model outputs (``--source``, default
/work/ref/results: localization/<family>/d<d>.nc and spectral/...) with the
values scaled per model, written to a temporary directory.  Each merge
(workflow/scripts/merge.py's code path: merge_models, finalize, write_netcdf)
runs in a fresh process, once with every per-model dataset loaded first (the
merge before issue 10) and once with paths (merge_models opens one family row
at a time); printed: peak RSS (ru_maxrss), the size of the merged data in
memory, the baseline of a process that only imports the package, the merge
time, and whether both merged files are bit-identical.

Run:  python benchmarks/bench_merge.py [--models 10 100 1000] [--stage spectral]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
FAMILIES = ["lorentzian", "exponential", "gaussian"]

CHILD = r"""
import json, resource, sys, time
import numpy as np
from hotcold.datasets import merge_models, open_dataset, finalize, write_netcdf
spec = json.loads(sys.argv[1])
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t0 = time.perf_counter()
if spec["n"]:
    keys = [(f, float(d)) for f, d in spec["models"]]
    if spec["mode"] == "loaded":  # every per-model dataset in memory first (the old merge.py)
        per_model = {k: open_dataset(p) for k, p in zip(keys, spec["paths"])}
    else:  # paths: merge_models opens them one family row at a time
        per_model = dict(zip(keys, spec["paths"]))
    ds = merge_models(per_model, spec["families"], spec["d"])
    nbytes = ds.nbytes
    finalize(ds, "bench", config={}, inputs=spec["paths"])
    write_netcdf(ds, spec["out"])
else:
    nbytes = 0
dt = time.perf_counter() - t0
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
res = {"base_mb": base / 1024, "peak_mb": peak / 1024, "data_mb": nbytes / 1e6, "s": dt}
print(json.dumps(res))
"""


def write_models(n: int, stage: str, source: Path, tmp: Path) -> dict:
    """N per-model files: real outputs of the same family, values scaled by (1 + d)."""
    import xarray as xr

    from hotcold.config import format_d

    k = (n - 1) // 3
    ds_values = [0.0] + [float(x) for x in np.round(np.linspace(0.05, 0.5, k), 6)]
    models = [("white", "0")] + [(f, format_d(d)) for f in FAMILIES for d in ds_values[1:]]
    templates = {}
    for fam in ["white", *FAMILIES]:
        path = sorted((source / stage / fam).glob("d*.nc"))[0]
        with xr.open_dataset(path) as src:
            templates[fam] = src.load()
    paths = []
    for fam, d in models:
        ds = templates[fam].copy(deep=True)
        for name, var in ds.data_vars.items():
            if var.dtype.kind == "f":
                ds[name] = var * (1.0 + float(d))
        ds.attrs["d"] = float(d)
        path = tmp / stage / fam / f"d{d}.nc"
        path.parent.mkdir(parents=True, exist_ok=True)
        ds.to_netcdf(path)
        paths.append(str(path))
    return {"n": n, "models": models, "paths": paths, "families": FAMILIES, "d": ds_values}


def identical(a: Path, b: Path) -> bool:
    """Every variable bit-identical (NaN included), as tests/conftest.py checks."""
    import xarray as xr

    with xr.open_dataset(a) as x, xr.open_dataset(b) as y:
        if set(x.variables) != set(y.variables):
            return False
        for k in x.variables:
            u, v = x[k].values, y[k].values
            if u.dtype.kind == "f":
                u, v = u.view(f"u{u.itemsize}"), v.view(f"u{v.itemsize}")
            if u.shape != v.shape or not np.array_equal(u, v):
                return False
    return True


def run_child(spec: dict) -> dict:
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, json.dumps(spec)], capture_output=True, text=True
    )
    if proc.returncode:
        raise SystemExit(proc.stderr[-3000:])
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", type=int, nargs="+", default=[10, 100, 1000])
    ap.add_argument("--stage", default="spectral", choices=["localization", "spectral"])
    ap.add_argument("--source", type=Path, default=Path("/work/ref/results"))
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench_merge") as tmp:
        base = run_child({"n": 0})
        print(f"merge_{args.stage}: peak RSS of one merge process (ru_maxrss)")
        print(f"baseline (imports only): {base['peak_mb']:.0f} MB")
        print(
            f"{'models':>7} {'input':>7} {'merged data [MB]':>17} {'peak RSS [MB]':>14} "
            f"{'above baseline':>15} {'time [s]':>9}"
        )
        for n in args.models:
            spec = write_models(n, args.stage, args.source, Path(tmp) / str(n))
            outs = {}
            for mode in ("loaded", "paths"):
                outs[mode] = Path(tmp) / f"merged{n}-{mode}.nc"
                r = run_child({**spec, "mode": mode, "out": str(outs[mode])})
                print(
                    f"{n:>7} {mode:>7} {r['data_mb']:>17.1f} {r['peak_mb']:>14.0f} "
                    f"{r['peak_mb'] - base['peak_mb']:>15.0f} {r['s']:>9.1f}"
                )
            same = identical(outs["loaded"], outs["paths"])
            print(f"{'':>7} merged files bit-identical (loaded vs paths): {same}")


if __name__ == "__main__":
    main()
