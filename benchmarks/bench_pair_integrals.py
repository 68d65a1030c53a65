"""Benchmark of the n_T pair integrals J_ij (issue 10: engines at the machine's limit).

The most expensive step of the default spectral stage is the main pass of
gaussian d = 0.5 (T_max = 0.1 = 3 Delta_c: a window eps_F -+ 0.8, about 850
states and 270,000 pairs per realization, 2 x 10^4 sites).  This script builds
one such realization (the model's real eigenstates), times in one run

* ``one pair at a time``: the kernel before the tiling (commit df7d8d0), a
  running window sum per pair, pairs outer;
* ``tiled``: :func:`hotcold.pairs.thermal_pair_integrals` (tiles of 32
  states x 32 partners, partners innermost, each block of 32 states stored
  transposed and contiguous, so that a tile streams two contiguous arrays;
  before, commit 1229ae1, the tiles read 32-column strips of one (site,
  state) array: 1.7x slower on this realization);

checks that the two agree (to rounding: the tiles fuse multiply-adds, FMA
contraction, 1.1x faster), and prints pair-sites per second.

Run:  python benchmarks/bench_pair_integrals.py [--sites 20689] [--half-width 0.8]
"""

from __future__ import annotations

import argparse
import time

import numba
import numpy as np

from hotcold import eigen as eig
from hotcold import pairs as pr
from hotcold.disorder import Model, realizations


def _one_pair_at_a_time(psi, ii, jj, lo, hi, k, dx):  # pragma: no cover - numba
    n = psi.shape[1]
    out = np.empty(ii.size)
    for t in range(ii.size):
        a = psi[ii[t]]
        b = psi[jj[t]]
        w = 0.0
        for y in range(max(lo - k, 0), min(lo + k + 1, n)):
            w += a[y] * b[y]
        acc = 0.0
        for y in range(lo, hi):
            acc += a[y] * b[y] * w
            yn = y + k + 1
            if yn < n:
                w += a[yn] * b[yn]
            yo = y - k
            if yo >= 0:
                w -= a[yo] * b[yo]
        out[t] = acc * dx * dx
    return out


one_pair_at_a_time = numba.njit(cache=True, nogil=True)(_one_pair_at_a_time)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sites", type=int, default=20689)
    ap.add_argument("--dx", type=float, default=0.125)
    ap.add_argument("--half-width", type=float, default=0.8, help="n_T window W [energy]")
    ap.add_argument("--margin", type=float, default=375.0, help="[length]")
    ap.add_argument("--x-cut", type=float, default=250.0, help="[length]")
    a = ap.parse_args()
    eps_f = 1.0
    u = realizations(Model("gaussian", 0.1, 0.5), a.dx, a.sites, 1, 20171101)[0]
    e, psi = eig.eigenpairs(u, a.dx, 1.0, eps_f - a.half_width, eps_f + a.half_width)
    ii, jj = pr.thermal_pairs(e, eps_f - a.half_width, eps_f + a.half_width, a.half_width)
    origin = pr.interior_slice(psi.shape[1], a.dx, a.margin)
    k = int(round(a.x_cut / a.dx))
    work = ii.size * (origin.stop - origin.start + 2 * k + 1)
    print(f"{e.size} states, {ii.size} pairs, {psi.shape[1]} sites, k = {k}: "
          f"{work:.3e} pair-sites")  # fmt: skip
    # compile both on a small problem first
    pr.thermal_pair_integrals(psi[:40], ii[:5] % 40, jj[:5] % 40, a.dx, origin, a.x_cut)
    one_pair_at_a_time(psi, ii[:2], jj[:2], origin.start, origin.stop, k, a.dx)
    t0 = time.perf_counter()
    ref = one_pair_at_a_time(psi, ii, jj, origin.start, origin.stop, k, a.dx)
    t_ref = time.perf_counter() - t0
    t0 = time.perf_counter()
    new = pr.thermal_pair_integrals(psi, ii, jj, a.dx, origin, a.x_cut)
    t_new = time.perf_counter() - t0
    print(f"one pair at a time: {t_ref:7.2f} s  {work / t_ref:.3e} pair-sites/s")
    print(f"tiled             : {t_new:7.2f} s  {work / t_new:.3e} pair-sites/s")
    rel = np.max(np.abs(new - ref)) / np.max(np.abs(ref))
    print(
        f"speed-up {t_ref / t_new:.2f}x; max |J tiled - J one pair| / max |J| = {rel:.1e} "
        "(the tiles fuse multiply-adds)"
    )


if __name__ == "__main__":
    main()
