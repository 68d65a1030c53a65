"""Old engine vs new engine: xi on the default grid, differences in combined error bars.

Compares two merged localization datasets (default: the reference run of the
pre-change code, /work/ref/results/localization.nc, and results/localization.nc)
at every (family, d, energy) where both measured xi (xi_source = measured):
z = (xi_new - xi_old) / sqrt(se_new^2 + se_old^2).  Both runs use the same
disorder stream (seeded per model), so where the new run is longer its data
contain the old run's: z is then conservative (the difference is correlated).

Run:  python benchmarks/compare_localization.py [NEW.nc] [--reference OLD.nc]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import xarray as xr


def compare(new: xr.Dataset, old: xr.Dataset) -> xr.Dataset:
    """z-scores and flags over (family, d, energy) of the points measured in both."""
    new, old = xr.align(new, old, join="inner")
    both = (new.xi_source == 0) & (old.xi_source == 0)
    z = (new.xi - old.xi) / np.hypot(new.xi_stderr, old.xi_stderr)
    return xr.Dataset({"z": z.where(both), "both": both})


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("new", nargs="?", type=Path, default=Path("results/localization.nc"))
    ap.add_argument("--reference", type=Path, default=Path("/work/ref/results/localization.nc"))
    args = ap.parse_args()
    with xr.open_dataset(args.new) as new, xr.open_dataset(args.reference) as old:
        res = compare(new.load(), old.load())
    z = res.z.values
    n = int(np.isfinite(z).sum())
    print(f"{n} points measured in both runs; per model: max |dxi|/sigma (points)")
    for fam in res.family.values:
        for d in res.d.values:
            zz = res.z.sel(family=fam, d=d).values
            ok = np.isfinite(zz)
            if ok.any() and not (d == 0 and fam != res.family.values[0]):
                label = "white" if d == 0 else f"{fam} d={d:g}"
                print(f"  {label:16s} {np.abs(zz[ok]).max():5.2f} ({ok.sum()})")
    zf = z[np.isfinite(z)]
    print(
        f"max |dxi|/sigma = {np.abs(zf).max():.2f}; rms z = {np.sqrt(np.mean(zf**2)):.2f}; "
        f"fraction |z| > 2: {np.mean(np.abs(zf) > 2):.3f} (Gaussian: 0.046)"
    )


if __name__ == "__main__":
    main()
