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

Second table (issue 18): the matrix-element stage now calls ``eigenpairs``
too.  Its former solver (LAPACK stebz eigenvalues, then two inverse
iterations from a constant vector without reorthogonalisation) is written
out here as :func:`_old_window_states`; the table compares both on the
stage's windows (box 1700, dx 0.1 and 0.0625, white noise w = 0.1 and exponential
d = 0.25: the cold window eps_F -+ 0.05 and hot windows at eps = 1.6 .. 16).

Run:  python benchmarks/bench_eigensolver.py
"""

from __future__ import annotations

import math
import time

import numpy as np
from scipy.linalg import eigh_tridiagonal, eigvalsh_tridiagonal
from scipy.linalg.lapack import dgtsv

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


ME_CASES = [  # family, d, dx, window (e_lo, e_hi) of the matrix-element stage's defaults
    ("white", 0.0, 0.1, (0.95, 1.05)),
    ("white", 0.0, 0.1, (1.57, 1.63)),
    ("white", 0.0, 0.1, (3.9, 4.1)),
    ("white", 0.0, 0.1, (15.6, 16.3)),
    ("exponential", 0.25, 0.0625, (0.95, 1.05)),
    ("exponential", 0.25, 0.0625, (3.9, 4.1)),
]


def _old_window_states(potential, dx, m, e_lo, e_hi, sweeps=2):
    """The matrix-element stage's eigensolver before issue 18 (stebz + inverse iteration)."""
    diag, off = eig.tridiagonal_hamiltonian(potential, dx, m)
    w = eigvalsh_tridiagonal(diag, off, select="v", select_range=(e_lo, e_hi),
                             check_finite=False, lapack_driver="stebz")  # fmt: skip
    psi = np.empty((w.size, diag.size))
    for n, lam in enumerate(w):
        x = np.ones(diag.size)
        for _ in range(sweeps):
            x = dgtsv(off, diag - lam, off, x)[3]
            x = x / np.linalg.norm(x)
        psi[n] = x / math.sqrt(dx)
    return w, psi


def matrix_element_windows() -> None:
    """Old matrix-element solver vs eigenpairs on the stage's windows (box 1700)."""
    u0 = realizations(Model("white", 0.1, 0.0), 0.1, 500, 1, 1)[0]
    eig.eigenpairs(u0, 0.1, 1.0, 0.9, 1.1)  # load the compiled kernels before timing
    print(f"{'model':>14} {'window':>13} {'k':>5} {'old s':>7} {'ours s':>7} {'dE':>8} "
          f"{'1-|ov|':>8} {'orth old':>8} {'orth ours':>9}")  # fmt: skip
    for fam, d, dx, window in ME_CASES:
        u = realizations(Model(fam, 0.1, d), dx, int(1700 / dx), 1, 20171101)[0]
        t0 = time.perf_counter()
        e1, p1 = _old_window_states(u, dx, 1.0, *window)
        t_old = time.perf_counter() - t0
        t0 = time.perf_counter()
        e2, p2 = eig.eigenpairs(u, dx, 1.0, *window)
        t_new = time.perf_counter() - t0
        ov = np.abs(np.sum(p1 * p2, axis=1) * dx)
        orth = [np.abs(p @ p.T * dx - np.eye(p.shape[0])).max() for p in (p1, p2)]
        print(f"{fam + f' {d:g}':>14} {window[0]:>6.2f}-{window[1]:<6.2f} {e1.size:>5} "
              f"{t_old:>7.3f} {t_new:>7.3f} {np.abs(e1 - e2).max():>8.1e} "
              f"{np.max(1 - ov):>8.1e} {orth[0]:>8.1e} {orth[1]:>9.1e}")  # fmt: skip


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
    matrix_element_windows()
