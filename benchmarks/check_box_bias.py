"""Finite-box bias of n_T (issue 19 item 2): nested boxes and origin margins, paired.

Measured for one model of a finished default run (its xi_c, rho_c from
``results/spectral.nc``), on generated realizations (their own streams):

* ``nested``: n_T on the first L_k xi_c of each realization, L_k = 15.4 .. 62:
  the relative difference to the longest box, paired over realizations (the
  shorter boxes are prefixes of the longer one);
* ``margin``: one box, the same eigenpairs, n_T with origin margins a_k xi_c:
  the relative difference to the first margin, paired.

    python benchmarks/check_box_bias.py nested exponential 0.5 15.4,23,31,46,62 32
    python benchmarks/check_box_bias.py margin exponential 0.5 31 3,5,7.5 48

The closing note of issue 19 quotes these two runs (about 7 and 2 minutes on
2 cores): -7.5 +- 1.6 % at T = 1.27 Delta_c for the 15.4 xi_c box with a
3 xi_c margin against 62 xi_c; +1.5 .. 3.4 % from a 3 to a 5 xi_c margin.
"""

from __future__ import annotations

import argparse
from concurrent.futures import ProcessPoolExecutor
from functools import partial

import numpy as np
import xarray as xr

from hotcold.disorder import Model
from hotcold.eigen import eigenpairs
from hotcold.pairs import thermal_density, thermal_pair_integrals, thermal_pairs
from hotcold.spectral import interior_slice
from hotcold.thermal import generated_potential

SEED = 20171101


def _fmt(values, errors, sign: str = "") -> str:
    return " ".join(f"{x:{sign}.3f}+-{e:.3f}" for x, e in zip(values, errors, strict=True))


def _n_t(pot, dx, n, margin, xi_c, t, w):
    """n_T(t) on the first n sites of ``pot`` with origin margin ``margin`` [length]."""
    e, psi = eigenpairs(pot[:n], dx, 1.0, 1.0 - w, 1.0 + w)
    ii, jj = thermal_pairs(e, 1.0 - w, 1.0 + w, w)
    org = interior_slice(n, dx, margin)
    jp = thermal_pair_integrals(psi, ii, jj, dx, org, 2 * xi_c)
    return thermal_density(e, ii, jj, jp, 1.0, t, (org.stop - org.start) * dx)


def _nested(r, model, dx, xi_c, t, boxes):
    pot = generated_potential(model, dx, int(round(max(boxes) * xi_c / dx)), SEED, 77, r)
    return [
        _n_t(
            pot, dx, n := int(round(b * xi_c / dx)), min(3 * xi_c, n * dx / 4), xi_c, t, 8 * t.max()
        )
        for b in boxes
    ]


def _margins(r, model, dx, xi_c, t, box, margins):
    n = int(round(box * xi_c / dx))
    pot = generated_potential(model, dx, n, SEED, 55, r)
    return [_n_t(pot, dx, n, a * xi_c, xi_c, t, 8 * t.max()) for a in margins]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("mode", choices=["nested", "margin"])
    ap.add_argument("family")
    ap.add_argument("d", type=float)
    ap.add_argument("sizes", help="nested: box lengths [xi_c]; margin: one box length [xi_c]")
    ap.add_argument("n_real", type=int)
    ap.add_argument("margins", nargs="?", default="3,5,7.5", help="margin mode [xi_c]")
    ap.add_argument("--results", default="results")
    a = ap.parse_args()
    ds = xr.open_dataset(f"{a.results}/spectral.nc").sel(family=a.family, d=a.d)
    xi_c, dx, t, eq6 = float(ds.xi_c), float(ds.dx), ds["T"].values, ds.n_T_eq6.values
    model = Model(a.family, 0.1, a.d)
    sizes = [float(x) for x in a.sizes.split(",")]
    if a.mode == "nested":
        job, labels = partial(_nested, model=model, dx=dx, xi_c=xi_c, t=t, boxes=sizes), sizes
        ref = -1
    else:
        margins = [float(x) for x in a.margins.split(",")]
        job = partial(_margins, model=model, dx=dx, xi_c=xi_c, t=t, box=sizes[0], margins=margins)
        labels, ref = margins, 0
    with ProcessPoolExecutor(2) as ex:
        res = np.array(list(ex.map(job, range(a.n_real))))  # (R, k, n_T)
    print(f"{a.family} d={a.d:g}, T/Delta_c:", np.round(t / float(ds.Delta_c), 3))
    for k, lab in enumerate(labels):
        g = res[:, k].mean(0) / eq6
        se = res[:, k].std(0, ddof=1) / np.sqrt(a.n_real) / eq6
        print(f"{a.mode} {lab}: n_T/Eq.(6)", _fmt(g, se))
        if k != ref % len(labels):
            dd = res[:, k] - res[:, ref]
            m = res[:, ref].mean(0)
            rel, rse = dd.mean(0) / m, dd.std(0, ddof=1) / np.sqrt(a.n_real) / m
            print("   paired rel. difference:", _fmt(rel, rse, "+"))


if __name__ == "__main__":
    main()
