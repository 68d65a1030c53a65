"""Benchmark of the two LAPACK window eigensolvers of the spectral stage (issue 10).

For a tridiagonal Hamiltonian of N sites and a window holding k states,
``stebz + stein`` (bisection + inverse iteration) reorthogonalises every
cluster of eigenvalues closer than 1e-3 |T| -- for the spectral stage's
windows, all of them -- so it costs O(N k^2); ``stemr`` (MRRR) has no k^2
term but, as called by scipy for a value range, an O(N^2) part.  This
script times both, in one run, on real realizations (gaussian d = 0.5, the
default run's costliest model, and white noise), and prints the ratio next
to k / sqrt(N), the quantity of :func:`hotcold.spectral.eigen_driver`'s rule
(stemr when k > MRRR_STATES_PER_ROOT_SITE sqrt(N)).  It also prints the
largest deviation between the two (eigenvalues, |<psi_i|psi_j>| - delta_ij).

Run:  python benchmarks/bench_eigensolver.py
"""

from __future__ import annotations

import math
import time

import numpy as np

from hotcold import spectral as sp
from hotcold.disorder import Model, realizations

CASES = [  # family, d, dx, N, half-width of the window around eps_F = 1
    ("white", 0.0, 0.1, 6720, 0.2),
    ("white", 0.0, 0.1, 20000, 0.04),
    ("gaussian", 0.5, 0.125, 20689, 0.1),
    ("gaussian", 0.5, 0.125, 20689, 0.2),
    ("gaussian", 0.5, 0.125, 20689, 0.4),
    ("gaussian", 0.5, 0.125, 20689, 0.8),
    ("gaussian", 0.5, 0.125, 42457, 0.02),
]


def main() -> None:
    print(f"rule: stemr when k > {sp.MRRR_STATES_PER_ROOT_SITE:g} sqrt(N)")
    print(f"{'model':>12} {'N':>6} {'k':>5} {'k/sqrtN':>8} {'stebz s':>8} {'stemr s':>8} "
          f"{'ratio':>6} {'rule':>6} {'dE':>8} {'orth':>8}")  # fmt: skip
    for fam, d, dx, n, hw in CASES:
        u = realizations(Model(fam, 0.1, d), dx, n, 1, 20171101)[0]
        t = {}
        res = {}
        for drv in ("stebz", "stemr"):
            t0 = time.perf_counter()
            res[drv] = sp.eigenpairs(u, dx, 1.0, 1.0 - hw, 1.0 + hw, driver=drv)
            t[drv] = time.perf_counter() - t0
        (e1, _), (e2, p2) = res["stebz"], res["stemr"]
        diag, off = sp.tridiagonal_hamiltonian(u, dx, 1.0)
        rule = sp.eigen_driver(diag, off, 1.0 - hw, 1.0 + hw)
        orth = np.abs(p2 @ p2.T * dx - np.eye(e2.size)).max()
        print(f"{fam + f' {d:g}':>12} {n:>6} {e1.size:>5} {e1.size / math.sqrt(n):>8.2f} "
              f"{t['stebz']:>8.2f} {t['stemr']:>8.2f} {t['stebz'] / t['stemr']:>6.2f} {rule:>6} "
              f"{np.abs(e1 - e2).max():>8.1e} {orth:>8.1e}")  # fmt: skip


if __name__ == "__main__":
    main()
