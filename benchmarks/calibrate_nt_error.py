"""Calibration of the pre-flight n_T error bound (issue 19 item 7) on a finished run.

For every numerical (model, T) point of ``results/spectral.nc``, the pass that served T
(:func:`hotcold.thermal.plan_passes` with the run's measured xi_c and Delta_c) gives the
origin length V = realizations x (box - 2 margin).  Counting thermal pairs,
stderr/n_T = c / sqrt(V n_T); this prints c per point, its range, and the ratio of the
measured relative error to the pre-flight bound
:func:`hotcold.thermal.optimistic_rel_error` (which must be >= 1 everywhere: the bound may
never stop a run the spectral stage would finish).

    python benchmarks/calibrate_nt_error.py [results/spectral.nc] [config/config.yaml]

On the default run (84 points): c = 0.14 .. 0.30, median 0.22; bound/measured 0.04 .. 0.39.
"""

from __future__ import annotations

import math
import sys

import numpy as np
import xarray as xr
import yaml

from hotcold.sweep import ed_grid
from hotcold.thermal import optimistic_rel_error, plan_passes
from hotcold.validation import validate_config


def points(ds: xr.Dataset, config: dict):
    """(label, T/Delta_c, V/xi_c, c, measured rel, bound) of every numerical point."""
    cfg = config["spectral"]
    for fam in ds["family"].values:
        for d in ds["d"].values:
            s = ds.sel(family=fam, d=d)
            if not bool(s["is_model"]):
                continue
            g = ed_grid(config, str(fam), float(d))
            xi, dc, dx = float(s["xi_c"]), float(s["Delta_c"]), float(s["dx"])
            t = s["T"].values
            passes = plan_passes(t, cfg, (g["realizations"], g["sites"]), dx, xi, dc, True)
            bound = optimistic_rel_error(passes, t, xi, dc, dx)
            for p in passes:
                vol = p.n_real * (p.n_sites * dx - 2 * p.margin)
                for i in p.t_index:
                    n, se = float(s["n_T_measured"][i]), float(s["n_T_measured_stderr"][i])
                    rel = se / n
                    yield (f"{fam} d={d:g} {p.name}", t[i] / dc, vol / xi,
                           rel * math.sqrt(vol * n), rel, float(bound[i]))  # fmt: skip


def main(argv: list[str]) -> None:
    path = argv[0] if argv else "results/spectral.nc"
    config = validate_config(
        yaml.safe_load(open(argv[1] if len(argv) > 1 else "config/config.yaml"))
    )
    with xr.open_dataset(path) as ds:
        rows = list(points(ds.load(), config))
    print(f"{'model, pass':28s} {'T/Dc':>7s} {'V/xi_c':>7s} {'c':>5s} {'rel':>6s} {'bound':>6s}")
    for label, tr, v, c, rel, b in rows:
        print(f"{label:28s} {tr:7.3g} {v:7.0f} {c:5.2f} {rel:6.3f} {b:6.3f}")
    c = np.array([r[3] for r in rows])
    ratio = np.array([r[5] / r[4] for r in rows])
    print(f"\n{len(rows)} points: c = {c.min():.2f} .. {c.max():.2f}, median {np.median(c):.2f}")
    print(f"bound / measured relative error: {ratio.min():.2f} .. {ratio.max():.2f} (must be <= 1)")


if __name__ == "__main__":
    main(sys.argv[1:])
