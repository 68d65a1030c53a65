"""Broken time reversal (Eq. 30): xi_2D with a flux per plaquette vs without (issue 20 item 5).

One model, white noise, m = 1, w2 = 3 (tau = 1/(m w2) = 1/3, Eq. 21), on the lattice
a = 0.125 (k a <= 0.25 up to the label eps = 2).  The 2D stage
(:func:`hotcold.localization2d.localization2d_dataset`: density labels, periodic
strips, xi_2D directly or from the scaling collapse) runs twice on the same disorder
(the stage's seeds do not depend on the flux: common random numbers), once with
flux = 0 (orthogonal class, Eq. 20) and once with ``--flux`` flux quanta per plaquette
(unitary class, Eq. 30).  Printed: the table of xi_orth, xi_unitary, their ratio,
pi eps tau and (pi eps tau)^2; weighted fits (hotcold.stats.weighted_line_errors)
of ln xi_u against (pi eps tau)^2 and of ln xi_o against pi eps tau, whose slopes
Eqs. (30) and (20) put at 1 ("with logarithmic accuracy": the slopes are the claim,
the intercepts are not); and d ln xi_u/d eps against Eq. (30)'s
d/d eps (pi eps tau)^2 = 2 (pi tau)^2 eps at the mean label.

Flux: the magnetic length l_B = a/sqrt(2 pi phi) should lie between the mean free
path l = v tau (so the field is classically weak, omega_c tau = tau/(m l_B^2) < 1,
and Landau quantization is smeared) and xi_orth (so time reversal is broken on the
scale where localization sets in: a loop of area xi_orth^2 must enclose a flux quantum,
xi_orth^2 >~ 2 pi l_B^2).  The window is narrow at k_F l ~ 1, where xi_orth is only a
few l.  The default phi = 0.003 gives l_B = 0.91, omega_c tau = 0.40, against
l = 0.52-0.67 at the labels and the measured zero-flux xi_2D = 2.2-5.6
(a first pass with phi = 0.0016, l_B = 1.25 = 0.5 xi_orth, raised xi_M by only 10-25 %:
time reversal was broken only partly at the scale of xi).

k_F l = 2 eps tau: 0.8, 1.0, 1.2, 1.33 at the labels eps = 1.2, 1.5, 1.8, 2.0 (the
lowest label is below 1: weak-disorder formulas are marginal there).  Larger k_F l
is out of reach: Eq. (30) puts xi_u = l exp((pi k_F l/2)^2), 85 l at k_F l = 1.35
but 10^4 l at k_F l = 2, and the cost of a strip grows like W^3 xi_M.

Run:  PYTHONPATH=src OMP_NUM_THREADS=1 NUMBA_NUM_THREADS=1 \
      python benchmarks/compare_eq30.py [--quick] [--flux PHI] [--seed S]
(full: 4 labels, widths 4-32 (M = 32-256), xi_M to 3 %; --quick: 3 labels, widths 8, 16,
xi_M to 6 %, shorter labels).  Measured numbers: docs/physics.md §1.2 "2D numerics".
"""

from __future__ import annotations

import argparse
import math
import time

import numpy as np

from hotcold.lattice2d import LatticeModel2D
from hotcold.localization2d import SOURCES_2D, localization2d_dataset
from hotcold.stats import weighted_line_errors

M_MASS, W2, A = 1.0, 3.0, 0.125

FULL = {"eps": [1.2, 1.5, 1.8, 2.0], "widths": [4.0, 8.0, 12.0, 16.0, 24.0, 32.0],
        "rel_error": 0.03, "label_slices": 40_000, "label_block": 1000}  # fmt: skip
QUICK = {"eps": [1.5, 1.8, 2.0], "widths": [8.0, 16.0], "rel_error": 0.06,
         "label_slices": 10_000, "label_block": 500}  # fmt: skip


def settings_of(run: dict) -> dict:
    """The stage's settings (schema defaults except the run's error and label length)."""
    return {"rel_error": run["rel_error"], "max_slices": 2_000_000, "label_width": 8.0,
            "label_slices": run["label_slices"], "label_block": run["label_block"],
            "collapse_degree": 1, "collapse_min_channels": 5}  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="about 2 minutes instead of ~17")
    ap.add_argument("--flux", type=float, default=0.003, help="flux quanta per plaquette")
    ap.add_argument("--seed", type=int, default=2030)
    ap.add_argument("--save", metavar="PREFIX", help="write PREFIX_{orthogonal,unitary}.nc")
    ap.add_argument("--load", metavar="PREFIX", help="analyse saved runs instead of measuring")
    ap.add_argument("--extend", type=float, nargs="+", metavar="W",
                    help="with --load: xi_M of wider strips at the highest label")  # fmt: skip
    args = ap.parse_args()
    run = QUICK if args.quick else FULL
    eps = np.asarray(run["eps"])
    tau = 1.0 / (M_MASS * W2)
    k = np.sqrt(2.0 * M_MASS * eps)
    ell = k / M_MASS * tau
    l_b = A / math.sqrt(2.0 * math.pi * args.flux)
    print(f"white noise, m = {M_MASS:g}, w2 = {W2:g}: tau = {tau:.4f}, a = {A:g}, "
          f"k a <= {k.max() * A:.3f}; labels {run['eps']}, widths {run['widths']}, "
          f"rel_error {run['rel_error']}, seed {args.seed}")  # fmt: skip
    print(f"k_F l = {', '.join(f'{x:.2f}' for x in k * ell)}; l = v tau = "
          f"{', '.join(f'{x:.3f}' for x in ell)}")  # fmt: skip
    print(f"flux {args.flux:g} per plaquette: l_B = a/sqrt(2 pi phi) = {l_b:.3f}, "
          f"omega_c tau = tau/(m l_B^2) = {tau / (M_MASS * l_b**2):.3f}, "
          f"l_B/l = {', '.join(f'{l_b / x:.2f}' for x in ell)}")  # fmt: skip
    if args.load:
        import xarray as xr

        out = {n: xr.load_dataset(f"{args.load}_{n}.nc") for n in ("orthogonal", "unitary")}
        analyse(out["orthogonal"], out["unitary"], out["orthogonal"].eps.values, tau, ell)
        if args.extend:
            extend(out, args.extend, args.flux, args.seed, run["rel_error"])
        return
    t_all = time.perf_counter()
    out, walls = {}, {}
    for name, phi in (("orthogonal", 0.0), ("unitary", args.flux)):
        model = LatticeModel2D("white", W2, 0.0, M_MASS, A, phi)
        print(f"--- {name}: flux = {phi:g}", flush=True)
        t0 = time.perf_counter()
        out[name] = localization2d_dataset(
            model, eps, run["widths"], settings_of(run), args.seed,
            log=lambda s: print(s, flush=True),
        )  # fmt: skip
        walls[name] = time.perf_counter() - t0
        print(f"    {name}: {walls[name]:.0f} s", flush=True)
    if args.save:
        for name, ds in out.items():
            ds.to_netcdf(f"{args.save}_{name}.nc")
    analyse(out["orthogonal"], out["unitary"], eps, tau, ell)
    print(f"\nwall time: orthogonal {walls['orthogonal']:.0f} s, unitary {walls['unitary']:.0f} s, "
          f"total {time.perf_counter() - t_all:.0f} s (one core)")  # fmt: skip


def extend(out: dict, widths: list[float], flux: float, seed: int, rel_error: float) -> None:
    """xi_M of wider strips at the highest label, each class at its own labelled energy and
    on the stage's disorder stream for that (label, M): the trend of xi_u/xi_o with W."""
    from hotcold.lattice2d import StripPotential, lattice_seed
    from hotcold.strip import strip_lyapunov

    e = float(out["orthogonal"].eps.values[-1])
    key = int(np.float64(e).view(np.uint64) & 0xFFFFFFFF)
    print(f"\nwider strips at eps = {e:g} (xi_M to {rel_error:.0%}):")
    for w in widths:
        res = {}
        for name, phi in (("orthogonal", 0.0), ("unitary", flux)):
            model = LatticeModel2D("white", W2, 0.0, M_MASS, A, phi)
            M = int(round(w / A))
            energy = float(out[name].energy.values[-1])
            src = StripPotential(model, M, lattice_seed(seed, model, "strip2d", 2, key, M))
            t0 = time.perf_counter()
            r = strip_lyapunov(src, M, model.t, energy, a=A, flux=phi, rel_error=rel_error)
            res[name] = r
            print(f"  W = {w:g} (M = {M}) {name}: xi_M = {r.xi_M:.3f} +- {r.xi_M_stderr:.3f} "
                  f"({r.n_slices} slices, {time.perf_counter() - t0:.0f} s)",
                  flush=True)  # fmt: skip
        o, u = res["orthogonal"], res["unitary"]
        q = u.xi_M / o.xi_M
        print(f"  W = {w:g}: xi_u/xi_o = {q:.3f} +- "
              f"{q * math.hypot(o.xi_M_stderr / o.xi_M, u.xi_M_stderr / u.xi_M):.3f}")  # fmt: skip


def estimates(ds) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """The three xi of a run per label: the stage's xi (direct where converged, else the
    collapse), the collapse's xi_scaling at every label, the widest strip's xi_M (bound)."""
    return {
        "stage xi": (ds.xi.values, ds.xi_stderr.values),
        "collapse xi_scaling": (ds.xi_scaling.values, ds.xi_scaling_stderr.values),
        "widest xi_M (bound)": (ds.xi_M.values[:, -1], ds.xi_M_stderr.values[:, -1]),
    }


def analyse(o, u, eps: np.ndarray, tau: float, ell: np.ndarray) -> None:
    """Tables and fits of the module docstring, for each of the three estimates."""
    x1 = np.pi * eps * tau
    x2 = x1**2
    print("\nxi_M per width (orthogonal | unitary | ratio u/o; DMPK quasi-1D: ratio -> 2):")
    for i, e in enumerate(eps):
        cells = []
        for j, w in enumerate(o.width.values):
            a_, b_ = o.xi_M.values[i, j], u.xi_M.values[i, j]
            sa, sb = o.xi_M_stderr.values[i, j], u.xi_M_stderr.values[i, j]
            r_se = b_ / a_ * math.hypot(sa / a_, sb / b_)
            cells.append(f"W={w:g}: {a_:.3f}|{b_:.3f}|{b_ / a_:.2f}+-{r_se:.2f}")
        print(f"  eps={e:g}  " + "  ".join(cells))
    srco = [SOURCES_2D[int(s)] for s in o.xi_source.values]
    srcu = [SOURCES_2D[int(s)] for s in u.xi_source.values]
    print(f"stage xi_source: orthogonal {srco}, unitary {srcu}")
    for ds, name in ((o, "orthogonal"), (u, "unitary")):
        print(f"collapse {name}: chi2/dof = {float(ds.collapse_chi2):.2f}/{int(ds.collapse_dof)}, "
              f"c = {np.round(ds.collapse_coef.values, 3).tolist()}")  # fmt: skip
    eo, eu = estimates(o), estimates(u)
    for key in eo:
        xo, so = eo[key]
        xu, su = eu[key]
        print(f"\n== {key} ==")
        print(f"{'eps':>5} {'xi_orth':>17} {'xi_unitary':>17} {'xi_u/xi_o':>14} "
              f"{'pi eps tau':>10} {'(pi eps tau)^2':>14}")  # fmt: skip
        for i, e in enumerate(eps):
            r = xu[i] / xo[i]
            r_se = r * math.hypot(so[i] / xo[i], su[i] / xu[i])
            print(f"{e:5.2f} {xo[i]:8.3f} +- {so[i]:6.3f} {xu[i]:8.3f} +- {su[i]:6.3f} "
                  f"{r:6.2f} +- {r_se:4.2f} {x1[i]:10.3f} {x2[i]:14.3f}")  # fmt: skip
        with np.errstate(invalid="ignore", divide="ignore"):
            fits = {
                "ln xi_u vs (pi eps tau)^2 [Eq. 30]": (x2, np.log(xu), su / xu),
                "ln(xi_u/l) vs (pi eps tau)^2": (x2, np.log(xu / ell), su / xu),
                "ln xi_o vs pi eps tau [Eq. 20]": (x1, np.log(xo), so / xo),
                "ln(xi_o/l) vs pi eps tau": (x1, np.log(xo / ell), so / xo),
                "ln xi_u vs eps": (eps, np.log(xu), su / xu),
                "ln xi_o vs eps": (eps, np.log(xo), so / xo),
            }
        res = {}
        for label, (x, y, s) in fits.items():
            slope, se, chi2, dof = weighted_line_errors(x, y, s)
            res[label] = (slope, se)
            if "vs eps" in label:
                continue
            z = (slope - 1.0) / se if np.isfinite(se) and se > 0 else math.nan
            print(f"  {label:36s} slope = {slope:6.3f} +- {se:.3f} ((slope-1)/se = {z:+.1f}; "
                  f"chi2 {chi2:.2f}/{dof})")  # fmt: skip
        e_bar = float(eps.mean())
        d30 = 2.0 * (np.pi * tau) ** 2 * e_bar
        du, du_se = res["ln xi_u vs eps"]
        do, do_se = res["ln xi_o vs eps"]
        print(
            f"  d ln xi_u/d eps = {du:.3f} +- {du_se:.3f}; Eq. (30) 2 (pi tau)^2 eps at the mean "
            f"label {e_bar:.3f}: {d30:.3f}; ratio {du / d30:.3f} +- {du_se / d30:.3f}"
        )
        print(f"  d ln xi_o/d eps = {do:.3f} +- {do_se:.3f}; Eq. (20) pi tau = {np.pi * tau:.3f}; "
              f"ratio {do / (np.pi * tau):.3f} +- {do_se / (np.pi * tau):.3f}")  # fmt: skip


if __name__ == "__main__":
    main()
