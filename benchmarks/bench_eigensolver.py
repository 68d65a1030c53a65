"""Benchmark of the shared window eigensolver (hotcold.eigen; issue 10), ratios in one run.

For a tridiagonal Hamiltonian of N sites and a window holding k states,
LAPACK ``stebz + stein`` as :func:`scipy.linalg.eigh_tridiagonal` calls it
reorthogonalises every cluster of eigenvalues closer than 1e-3 |T| -- for
the spectral stage's windows, all of them -- so it costs O(N k^2).
:func:`hotcold.eigen.eigenpairs` bisects the window's eigenvalues itself
(SIMD across eigenvalues) and takes each eigenvector from the twisted
factorization of T - lambda in O(N), then reorthogonalises it against its
``REORTH_NEIGHBOURS`` neighbours below (O(N k x 8)).  This script times, on
real realizations (gaussian d = 0.5, the default run's costliest model, and
white noise): the one-call LAPACK path, ``eigenpairs`` (and its
eigenvector part alone), and MRRR (``stemr``) for reference; and prints the
largest deviations of ``eigenpairs`` from the LAPACK result: eigenvalues
(dE), orthonormality (max |<psi_i|psi_j> dx - delta_ij|) and the states
themselves (max 1 - |<psi_lapack|psi>| dx).

Run:  python benchmarks/bench_eigensolver.py
"""

from __future__ import annotations

import math
import time

import numpy as np
from scipy.linalg import eigh_tridiagonal

from hotcold import eigen as eig
from hotcold.disorder import Model, realizations

CASES = [  # family, d, dx, N, half-width of the window around eps_F = 1
    ("white", 0.0, 0.1, 6720, 0.2),
    ("white", 0.0, 0.1, 20000, 0.04),
    ("gaussian", 0.5, 0.1, 20689, 0.2),
    ("gaussian", 0.5, 0.1, 20689, 0.4),
    ("gaussian", 0.5, 0.1, 20689, 0.8),
    ("gaussian", 0.5, 0.1, 42457, 0.02),
]


def _vectors_only(diag, off, w):
    pivmin = np.finfo(float).tiny * max(1.0, float(np.max(off * off)))
    t0 = time.perf_counter()
    z = eig._twisted_vectors(diag, off, w, pivmin)
    eig._reorthogonalise(z, eig.REORTH_NEIGHBOURS)
    return time.perf_counter() - t0


def main() -> None:
    u0 = realizations(Model("white", 0.1, 0.0), 0.1, 500, 1, 1)[0]
    eig.eigenpairs(u0, 0.1, 1.0, 0.9, 1.1)  # load the compiled kernels before timing
    print(f"eigenpairs: bisection + twisted factorization, {eig.REORTH_NEIGHBOURS} neighbours "
          "reorthogonalised")  # fmt: skip
    print(f"{'model':>12} {'N':>6} {'k':>5} {'LAPACK s':>8} {'ours s':>7} {'vectors s':>9} "
          f"{'stemr s':>8} {'speed-up':>8} {'dE':>8} {'orth':>8} {'1-|ov|':>8}")  # fmt: skip
    for fam, d, dx, n, hw in CASES:
        u = realizations(Model(fam, 0.1, d), dx, n, 1, 20171101)[0]
        diag, off = eig.tridiagonal_hamiltonian(u, dx, 1.0)
        window = (1.0 - hw, 1.0 + hw)
        t = {}
        t0 = time.perf_counter()
        e1, v1 = eigh_tridiagonal(diag, off, select="v", select_range=window)
        t["lapack"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        e2, p2 = eig.eigenpairs(u, dx, 1.0, *window)
        t["ours"] = time.perf_counter() - t0
        t["vectors"] = _vectors_only(diag, off, e2)
        t0 = time.perf_counter()
        eigh_tridiagonal(diag, off, select="v", select_range=window, lapack_driver="stemr")
        t["stemr"] = time.perf_counter() - t0
        orth = np.abs(p2 @ p2.T * dx - np.eye(e2.size)).max()
        ov = np.abs(np.sum(v1.T * p2, axis=1) * math.sqrt(dx))
        print(f"{fam + f' {d:g}':>12} {n:>6} {e1.size:>5} {t['lapack']:>8.2f} {t['ours']:>7.2f} "
              f"{t['vectors']:>9.2f} {t['stemr']:>8.2f} {t['lapack'] / t['ours']:>8.2f} "
              f"{np.abs(e1 - e2).max():>8.1e} {orth:>8.1e} {np.max(1 - ov):>8.1e}")  # fmt: skip


if __name__ == "__main__":
    main()
