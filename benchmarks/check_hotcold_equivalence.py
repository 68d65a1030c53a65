"""Bit-identity check of the hot-cold stage against a reference run (issue 12 item 5).

Recomputes ``results/hotcold.nc`` with the current code from the reference
run's own inputs (``localization.nc``, ``spectral.nc``) and configuration
(the reference hotcold.nc's ``attrs['config']``, JSON) and compares every
variable (data and coordinates) of the two datasets bit for bit: same dims,
same dtype, same bytes (NaN payloads included).  Attributes are not
compared (the units encoding changed on purpose to CF, provenance differs).

Prints one line per variable and exits 1 on any mismatch.

This checks a restructuring that must not change any number (the xarray
composition of issue 12).  Physics changes made later (issue 9: no Eq. (6)
splice, error bars from jackknife replicas) change the values on purpose and
need inputs with replica variables; run the check at the restructuring
commit for them.

Run:  python benchmarks/check_hotcold_equivalence.py [--ref /work/ref/results]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import xarray as xr

from hotcold.datasets import open_dataset
from hotcold.hotcold import hotcold_dataset


def same_bits(a: xr.Variable, b: xr.Variable) -> tuple[bool, str]:
    """Bit identity of two variables (dims, dtype, bytes; strings by value)."""
    if a.dims != b.dims:
        return False, f"dims {a.dims} != {b.dims}"
    x, y = np.asarray(a.values), np.asarray(b.values)
    if x.dtype.kind in "OUS" or y.dtype.kind in "OUS":
        ok = x.shape == y.shape and np.array_equal(x.astype(str), y.astype(str))
        return ok, "strings equal" if ok else "strings differ"
    if x.dtype != y.dtype:
        return False, f"dtype {x.dtype} != {y.dtype}"
    if x.shape != y.shape:
        return False, f"shape {x.shape} != {y.shape}"
    if x.tobytes() == y.tobytes():
        return True, f"{x.size} values bit-identical"
    if x.dtype.kind == "f":
        diff = ~((x == y) | (np.isnan(x) & np.isnan(y)))
        if not diff.any():
            return False, "equal values but different NaN bit patterns"
        with np.errstate(invalid="ignore", divide="ignore"):
            rel = np.nanmax(np.abs(x[diff] - y[diff]) / np.abs(y[diff]))
        return False, f"{int(diff.sum())} of {x.size} values differ (max rel {rel:.3g})"
    return False, f"{int((x != y).sum())} of {x.size} values differ"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ref", default="/work/ref/results", help="reference results directory")
    args = ap.parse_args()
    ref_dir = Path(args.ref)
    ref = open_dataset(ref_dir / "hotcold.nc")
    config = json.loads(ref.attrs["config"])
    inputs = {
        k: open_dataset(ref_dir / f"{k}.nc")
        for k in ("localization", "spectral")
        if (ref_dir / f"{k}.nc").exists()
    }
    print(f"reference: {ref_dir / 'hotcold.nc'} (git {ref.attrs.get('git_revision', '?')})")
    print(f"inputs: {sorted(inputs)}")
    t0 = time.perf_counter()
    try:
        new = hotcold_dataset(config, settings=config.get("hotcold"), log=lambda m: None, **inputs)
    except ValueError as exc:  # inputs of the pre-issue-9 reference lack jackknife replicas
        print(f"cannot recompute from these inputs with this code: {exc}")
        print("the restructuring was checked at commit f2bd62f (53/53 variables bit-identical)")
        return 2
    print(f"recomputed in {time.perf_counter() - t0:.2f} s")
    names = sorted(set(ref.variables) | set(new.variables))
    bad = 0
    for name in names:
        if name not in new.variables or name not in ref.variables:
            where = "new" if name not in new.variables else "reference"
            ok, msg = False, f"missing in the {where} dataset"
        else:
            ok, msg = same_bits(new.variables[name], ref.variables[name])
        bad += not ok
        print(f"{'OK  ' if ok else 'FAIL'} {name}: {msg}")
    print(f"{len(names) - bad} of {len(names)} variables bit-identical; {bad} mismatches")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
