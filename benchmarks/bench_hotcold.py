"""Benchmark of the hotcold stage (issue 5).

Prints the wall time of :func:`hotcold.hotcold.hotcold_dataset` on

1. the default configuration (config/config.yaml) with its default settings
   (12 temperatures x 400 energies), and
2. a grid ``--factor`` (default 10) times denser in both T and energy
   (120 x 4000), once with and once without the per-point intermediates
   (N_eff, Delta_3hc, V_hc).

The measured 1D inputs are ``--results``/localization.nc (and spectral.nc
for n_T) when they exist (default: the repository's results/), the Born xi
and clean rho otherwise.

Run:  python benchmarks/bench_hotcold.py [--factor 10] [--repeat 3] [--results DIR]
"""

from __future__ import annotations

import argparse
import copy
import time
from pathlib import Path

import yaml

from hotcold.config import expand_grid
from hotcold.datasets import open_dataset
from hotcold.hotcold import DEFAULT_SETTINGS, hotcold_dataset

ROOT = Path(__file__).resolve().parents[1]


def timed(repeat: int, *args, **kw) -> tuple[float, object]:
    best, ds = float("inf"), None
    for _ in range(repeat):
        t = time.perf_counter()
        ds = hotcold_dataset(*args, **kw)
        best = min(best, time.perf_counter() - t)
    return best, ds


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--factor", type=int, default=10, help="densification of T and energy")
    ap.add_argument("--repeat", type=int, default=3, help="best of this many runs")
    ap.add_argument("--results", default=str(ROOT / "results"), help="directory of the inputs")
    args = ap.parse_args()

    with open(ROOT / "config" / "config.yaml") as fh:
        cfg = yaml.safe_load(fh)
    inputs = {}
    for name in ("localization", "spectral"):
        path = Path(args.results) / f"{name}.nc"
        if path.exists():
            inputs[name] = open_dataset(path)
    print(f"inputs: {sorted(inputs) or 'none (Born xi, clean rho, Eq. 6)'}")
    quiet = {"log": lambda msg: None}

    n_t = len(expand_grid(cfg["temperatures"]))
    t0, ds = timed(args.repeat, cfg, settings=None, **inputs, **quiet)
    print(
        f"default: {n_t} T x {DEFAULT_SETTINGS['energy_num']} energies, "
        f"{ds.sizes['dim']} dims x {ds.sizes['family']} families x {ds.sizes['d']} d, "
        f"xi_max {ds.sizes.get('xi_max', 0)}: {t0:.3f} s, dataset {ds.nbytes / 1e6:.1f} MB"
    )

    dense = copy.deepcopy(cfg)
    tspec = dict(cfg["temperatures"]) if isinstance(cfg["temperatures"], dict) else None
    if tspec is None:
        grid = expand_grid(cfg["temperatures"])
        tspec = {"min": float(grid.min()), "max": float(grid.max()), "spacing": "log"}
    tspec["num"] = n_t * args.factor
    dense["temperatures"] = tspec
    n_e = DEFAULT_SETTINGS["energy_num"] * args.factor
    for inter in (True, False):
        settings = {"energy_num": n_e, "intermediates": inter}
        t1, ds = timed(max(1, args.repeat - 2), dense, settings=settings, **inputs, **quiet)
        print(
            f"dense x{args.factor}: {tspec['num']} T x {n_e} energies, intermediates={inter}: "
            f"{t1:.3f} s ({t1 / t0:.1f}x default), dataset {ds.nbytes / 1e6:.0f} MB"
        )


if __name__ == "__main__":
    main()
