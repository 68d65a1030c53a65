"""Benchmark of the spectral stage, old path vs new path, measured in one run (issue 9).

Prints, on this machine, single process, with the same realizations timed back to back:

1. at T = 0.01 Delta_c, white noise w = 0.1 (xi_c = 20 Born), eps_F = 1:
   n_T pairs per second and realization box lengths (in xi_c) per second for
   * old path: one box of ``box_length`` (20 xi_c) with the eigenpair window
     set by S_omega(x) and by the largest temperature of the old n_T grid
     (8 x 0.11), S and n_T computed together (commit 068eb28's estimator);
   * new path: the pass that serves T = 0.01 Delta_c in config/config.yaml
     (a low-T band: window 8 T_max, no S, its box) (hotcold.thermal);
   and the relative standard error of n_T at T = 0.01 Delta_c that one
   second of each path buys (from the per-realization spread);
2. the estimated wall time of the default `spectral` stage, old and new
   configuration: every model of config/config.yaml, every pass, from a few
   timed realizations per pass, scaled by its realization count, summed,
   divided by the cores (each job spreads its realizations over them).

Run:  python benchmarks/bench_spectral.py [--realizations 3] [--cores 2]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import yaml

from hotcold import config as hc_config
from hotcold import pairs as pr
from hotcold import spectral as sp
from hotcold import theory
from hotcold.disorder import Model, realizations
from hotcold.thermal import generated_potential

M, EPS_F, W = 1.0, 1.0, 0.1
ROOT = Path(__file__).resolve().parents[1]
OLD_SPECTRAL = {  # config/config.yaml `spectral` at 068eb28 (+ the package defaults then)
    "box_length": 20.0,
    "realizations": 24,
    "omega_min": 0.02,
    "omega_num": 12,
    "x_max": None,
    "mott": None,
    "bands": None,
}
OLD_TEMPS = np.geomspace(0.001, 0.11, 16)  # spectral.temperatures at 068eb28
SEED = 20171101


def _config() -> dict:
    cfg = yaml.safe_load((ROOT / "config" / "config.yaml").read_text())
    return hc_config.validate_config(
        cfg, hc_config.load_schema(ROOT / "workflow" / "schemas" / "config.schema.yaml")
    )


def _geometry(model: Model, cfg: dict, settings: dict, temps: np.ndarray, generate: bool):
    grid = hc_config.ed_grid(cfg, model.family, model.d)
    xi = float(theory.xi_born(EPS_F, model.family, M, W, model.d))
    rho = float(theory.clean_dos(EPS_F, M))
    st = sp._settings(settings)
    shape = (int(grid["realizations"]), int(grid["sites"]))
    geo = sp.spectral_geometry(
        shape, grid["dx"], M, EPS_F, xi, rho, temps, st, log=lambda s: None, generate=generate
    )
    return geo, grid


def _time_pass(geo, p, model: Model, grid: dict, n: int) -> dict[str, float]:
    """Seconds, pairs and n_T samples per realization of pass ``p`` (``n`` timed)."""
    args, kw = geo.estimate_args(p)
    if p.source == "input":
        pots = realizations(model, grid["dx"], p.n_sites, n, SEED)
    else:
        pots = [
            generated_potential(model, grid["dx"], p.n_sites, SEED, p.pass_id, r) for r in range(n)
        ]
    pr.realization_estimate(
        pots[0][: min(2000, p.n_sites)], *args[:6], min(args[6], 20.0), *args[7:], **kw
    )  # fmt: skip  (warm-up: numba, FFT plans)
    sec, pairs, n_t = 0.0, 0.0, []
    for pot in pots:
        t0 = time.perf_counter()
        est = pr.realization_estimate(pot, *args, **kw)
        sec += time.perf_counter() - t0
        pairs += est["n_pairs"]
        n_t.append(est["n_T"])
    return {"sec": sec / n, "pairs": pairs / n, "n_T": np.array(n_t)}


def part1(cfg: dict, n: int) -> None:
    model = Model("white", W, 0.0)
    xi = float(theory.xi_born(EPS_F, "white", M, W, 0.0))
    dc = 1.0 / (float(theory.clean_dos(EPS_F, M)) * xi)
    t = np.array([0.01 * dc])
    old_cfg = dict(cfg, spectral={**cfg["spectral"], **OLD_SPECTRAL})
    print(f"1. T = 0.01 Delta_c = {t[0]:.4g}, white noise (xi_c = {xi:.1f}, Delta_c = {dc:.4f})")
    print(f"   {'path':34s} {'box/xi_c':>8s} {'s/real':>7s} {'pairs/s':>9s} {'xi_c/s':>7s} "
          f"{'rel.err in 1 s':>14s}")  # fmt: skip
    rows = {}
    for label, c, temps, gen in (
        ("old: S + n_T, window 8 x 0.11", old_cfg, OLD_TEMPS[OLD_TEMPS <= 0.5 * dc], False),
        ("new: the pass serving T", cfg, t, True),
    ):
        geo, grid = _geometry(model, c, c["spectral"], np.append(temps, t) if not gen else t, gen)
        p = next(q for q in geo.passes if q.t_index or not gen)
        r = _time_pass(geo, p, model, grid, n)
        box = p.n_sites * grid["dx"] / xi
        col = int(np.argmin(np.abs(geo.t_grid[list(p.t_index)] - t[0])))
        nt = r["n_T"][:, col]
        rel1 = nt.std(ddof=1) / nt.mean() * np.sqrt(r["sec"])  # rel. stderr after 1 s of work
        rows[label] = {**r, "box": box, "rel1": rel1}
        print(f"   {label + ' (' + p.name + ')':34s} {box:8.1f} {r['sec']:7.3f} "
              f"{r['pairs'] / r['sec']:9.3g} {box / r['sec']:7.1f} {rel1:14.3f}")  # fmt: skip
    (a, b) = rows.values()
    print(
        f"   new/old: pairs/s x{b['pairs'] / b['sec'] / (a['pairs'] / a['sec']):.2f}, "
        f"box lengths/s x{b['box'] / b['sec'] / (a['box'] / a['sec']):.2f}, relative error "
        f"reached in equal time x{b['rel1'] / a['rel1']:.2f}"
    )


def part2(cfg: dict, n: int, cores: int, only: list[str] | None = None) -> None:
    print(f"\n2. default stage estimate ({cores} cores), per model: seconds of each pass")
    temps = np.asarray(hc_config.expand_grid(cfg["temperatures"]), dtype=float)
    old_cfg = dict(cfg, spectral={**cfg["spectral"], **OLD_SPECTRAL})
    total = {"old": 0.0, "new": 0.0}
    for fam, d in hc_config.models(cfg):
        if only and f"{fam}/{float(d):g}" not in only:
            continue
        model = Model(fam, W, float(d))
        line = []
        for tag, c, gen in (("old", old_cfg, False), ("new", cfg, True)):
            xi = float(theory.xi_born(EPS_F, fam, M, W, float(d)))
            dc = 1.0 / (float(theory.clean_dos(EPS_F, M)) * xi)
            tt = OLD_TEMPS[OLD_TEMPS <= 0.5 * dc * (1 + 1e-12)] if tag == "old" else temps
            geo, grid = _geometry(model, c, c["spectral"], tt if tt.size else OLD_TEMPS[:1], gen)
            secs = []
            for p in geo.passes:
                r = _time_pass(geo, p, model, grid, max(1, min(n, p.n_real)))
                secs.append(f"{p.name} {r['sec'] * p.n_real:.1f}")
                total[tag] += r["sec"] * p.n_real
            line.append(f"{tag}: " + ", ".join(secs))
        print(f"  {model.label:18s} " + " | ".join(line))
    for tag in ("old", "new"):
        print(f"estimated stage wall time {tag}: {total[tag]:.0f} core-s / {cores} = "
              f"{total[tag] / cores:.0f} s")  # fmt: skip
    print(f"new/old stage time: {total['new'] / total['old']:.2f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--realizations", type=int, default=3, help="timed realizations per case")
    ap.add_argument("--cores", type=int, default=2)
    ap.add_argument("--part", type=int, choices=[1, 2], help="only this part")
    ap.add_argument(
        "--models", nargs="*", help="part 2 only for these, e.g. white/0 lorentzian/0.25"
    )
    args = ap.parse_args()
    cfg = _config()
    if args.part in (None, 1):
        part1(cfg, max(2, args.realizations))
    if args.part in (None, 2):
        part2(cfg, args.realizations, args.cores, args.models)


if __name__ == "__main__":
    main()
