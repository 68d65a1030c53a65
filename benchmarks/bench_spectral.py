"""Benchmark of the exact-eigenstate spectral stage (issue 4, SPEC 1.3).

Prints, measured in one run on this machine (single process):

1. time per realization and its parts (windowed eigensolver, S_omega(x)
   pair correlations, n_T pair integrals) for box lengths 200, 400, 800 at
   dx = 0.1, white noise w = 0.1, eps_F = 1, the default settings and the
   default temperature grid, and the growth exponent t ~ L^a;
2. the estimated wall time of the default `spectral` stage: every model of
   config/config.yaml at its box (spectral.box_length Born xi_c, see
   hotcold.config.ed_grid) and realization count, from a few timed
   realizations per model, summed and divided by the number of cores (each
   job spreads its realizations over the cores).

Run:  python benchmarks/bench_spectral.py [--realizations 3] [--cores 2]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from hotcold import spectral as sp
from hotcold import theory
from hotcold.disorder import Model, realizations

M, EPS_F, W, DX = 1.0, 1.0, 0.1, 0.1
TEMPS = np.geomspace(0.005, 0.1, 12)  # config.yaml temperatures


def _dx(model: Model) -> float:
    """ED grid step: 0.1, or d/4 where the disorder stage requires it."""
    return min(DX, model.d / 4) if model.d > 0 else DX


def _setup(model: Model, box: float, cfg: dict):
    xi = float(theory.xi_born(EPS_F, model.family, M, W, model.d))
    rho = float(theory.clean_dos(EPS_F, M))
    dc = 1.0 / (rho * xi)
    dx = _dx(model)
    n = int(round(box / dx))
    margin = min(cfg["margin"] * xi, box / 4)
    x_cut = cfg["x_cut"] * xi
    origin = sp.interior_slice(n, dx, margin)
    l_r = (origin.stop - origin.start) * dx
    x_edges = np.arange(0.0, l_r + 1e-9, cfg["x_step"] * xi)
    om_edges = np.geomspace(cfg["omega_min"], cfg["omega_max"], cfg["omega_num"] + 1) * dc
    de = cfg["energy_bin"] * dc
    temps = TEMPS[TEMPS <= cfg["T_max_rel"] * dc * (1 + 1e-12)]
    if temps.size == 0:
        temps = TEMPS[:1]
    return dx, n, margin, x_cut, origin, x_edges, om_edges, de, temps


def time_parts(model: Model, box: float, n_real: int, seed: int = 1) -> dict[str, float]:
    """Mean seconds per realization: total and (eig, S, n_T) parts."""
    cfg = sp.DEFAULT_SETTINGS
    dx, n, margin, x_cut, origin, x_edges, om_edges, de, temps = _setup(model, box, cfg)
    pots = realizations(model, dx, n, n_real, seed)
    # warm-up (numba compilation, FFT plans)
    sp.realization_estimate(
        pots[0][:2000], dx, M, EPS_F, de, om_edges, x_edges[:5], min(margin, 20), x_cut, temps, 8.0
    )
    acc = {"eig": 0.0, "S": 0.0, "n_T": 0.0, "states": 0.0, "pairs": 0.0}
    for pot in pots:
        t0 = time.perf_counter()
        e_lo, e_hi, w = sp.window_for(EPS_F, de, om_edges[-1], temps.max(), cfg["window_T"])
        e, psi = sp.eigenpairs(pot, dx, M, e_lo, e_hi)
        t1 = time.perf_counter()
        sp.spectral_sums(e, psi, dx, EPS_F, de, om_edges, x_edges, origin)
        t2 = time.perf_counter()
        ii, jj = sp.thermal_pairs(e, EPS_F - w, EPS_F + w, w)
        jp = sp.thermal_pair_integrals(psi, ii, jj, dx, origin, x_cut)
        sp.thermal_density(e, ii, jj, jp, EPS_F, temps, (origin.stop - origin.start) * dx)
        t3 = time.perf_counter()
        acc["eig"] += t1 - t0
        acc["S"] += t2 - t1
        acc["n_T"] += t3 - t2
        acc["states"] += e.size
        acc["pairs"] += ii.size
    out = {k: v / n_real for k, v in acc.items()}
    out["total"] = out["eig"] + out["S"] + out["n_T"]
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--realizations", type=int, default=3, help="timed realizations per case")
    ap.add_argument("--cores", type=int, default=2)
    args = ap.parse_args()
    from pathlib import Path

    import yaml

    from hotcold import config as hc_config

    root = Path(__file__).resolve().parents[1]
    cfg = yaml.safe_load((root / "config" / "config.yaml").read_text())
    hc_config.validate_config(
        cfg, hc_config.load_schema(root / "workflow" / "schemas" / "config.schema.yaml")
    )

    print("1. white noise w = 0.1 (xi_c = 20, Delta_c = 0.222), default settings")
    head = ("L", "N", "states", "nT pairs", "eig", "S", "n_T", "total")
    print(" ".join(f"{h:>{w}}" for h, w in zip(head, (6, 6, 7, 9, 7, 7, 7, 7), strict=True)))
    boxes, totals = [200.0, 400.0, 800.0], []
    for box in boxes:
        r = time_parts(Model("white", W, 0.0), box, args.realizations)
        totals.append(r["total"])
        print(
            f"{box:6.0f} {int(box / DX):6d} {r['states']:7.0f} {r['pairs']:9.0f} "
            f"{r['eig']:7.3f} {r['S']:7.3f} {r['n_T']:7.3f} {r['total']:7.3f}  s/realization"
        )
    a = np.polyfit(np.log(boxes), np.log(totals), 1)[0]
    print(f"growth: time per realization ~ L^{a:.2f} (200 -> 800)")

    models = hc_config.models(cfg)
    n_stage = int(cfg["spectral"]["realizations"])
    print(
        f"\n2. default stage estimate: {len(models)} models x {n_stage} realizations, "
        f"L = {cfg['spectral']['box_length']:g} xi_c(Born), {args.cores} cores"
    )
    total = 0.0
    for fam, d in models:
        model = Model(fam, W, float(d))
        grid = hc_config.ed_grid(cfg, fam, float(d))
        r = time_parts(model, grid["box_length"], max(2, args.realizations - 1))
        per_model = r["total"] * n_stage
        total += per_model
        print(
            f"  {model.label:18s} dx = {grid['dx']:g}, xi_c = {grid['xi_c_born']:6.1f}, "
            f"L = {grid['box_length']:7.1f} ({grid['sites']} sites): "
            f"{r['total']:.3f} s/realization -> {per_model:6.1f} s"
        )
    print(
        f"estimated stage wall time: {total:.0f} core-s / {args.cores} cores = "
        f"{total / args.cores:.0f} s (plus ~{len(models)} x process "
        "start-up, imports and jackknife fits, ~2-4 s per job)"
    )


if __name__ == "__main__":
    main()
