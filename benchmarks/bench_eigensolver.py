"""Benchmark of the spectral stage's window eigensolver (issue 10), ratios in one run.

For a tridiagonal Hamiltonian of N sites and a window holding k states,
LAPACK ``stebz + stein`` as :func:`scipy.linalg.eigh_tridiagonal` calls it
(one stein call) reorthogonalises every cluster of eigenvalues closer than
1e-3 |T| -- for the spectral stage's windows, all of them -- so it costs
O(N k^2).  :func:`hotcold.spectral.eigenpairs` calls stein on runs of about
``STEIN_CHUNK`` states cut at wide gaps, after its own bisection
(:func:`hotcold.spectral.window_eigenvalues`).  This script times, on real
realizations (gaussian d = 0.5, the default run's costliest model, and white
noise): one stein call, bisection + chunked stein, and MRRR (``stemr``) for
reference; and prints the largest deviations of the chunked result from the
one-call result (eigenvalues) and from orthonormality (|<psi_i|psi_j> dx -
delta_ij|).

Run:  python benchmarks/bench_eigensolver.py
"""

from __future__ import annotations

import time

import numpy as np
from scipy.linalg import eigh_tridiagonal

from hotcold import spectral as sp
from hotcold.disorder import Model, realizations

CASES = [  # family, d, dx, N, half-width of the window around eps_F = 1
    ("white", 0.0, 0.1, 6720, 0.2),
    ("white", 0.0, 0.1, 20000, 0.04),
    ("gaussian", 0.5, 0.1, 20689, 0.2),
    ("gaussian", 0.5, 0.1, 20689, 0.4),
    ("gaussian", 0.5, 0.1, 20689, 0.8),
    ("gaussian", 0.5, 0.1, 42457, 0.02),
]


def main() -> None:
    print(f"chunk = {sp.STEIN_CHUNK} states per stein call")
    print(f"{'model':>12} {'N':>6} {'k':>5} {'one call s':>10} {'chunked s':>9} {'stemr s':>8} "
          f"{'speed-up':>8} {'dE':>8} {'orth':>8}")  # fmt: skip
    for fam, d, dx, n, hw in CASES:
        u = realizations(Model(fam, 0.1, d), dx, n, 1, 20171101)[0]
        diag, off = sp.tridiagonal_hamiltonian(u, dx, 1.0)
        window = (1.0 - hw, 1.0 + hw)
        t = {}
        t0 = time.perf_counter()
        e1 = eigh_tridiagonal(diag, off, select="v", select_range=window)[0]
        t["one"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        e2, p2 = sp.eigenpairs(u, dx, 1.0, *window)
        t["chunked"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        eigh_tridiagonal(diag, off, select="v", select_range=window, lapack_driver="stemr")
        t["stemr"] = time.perf_counter() - t0
        orth = np.abs(p2 @ p2.T * dx - np.eye(e2.size)).max()
        print(f"{fam + f' {d:g}':>12} {n:>6} {e1.size:>5} {t['one']:>10.2f} {t['chunked']:>9.2f} "
              f"{t['stemr']:>8.2f} {t['one'] / t['chunked']:>8.2f} {np.abs(e1 - e2).max():>8.1e} "
              f"{orth:>8.1e}")  # fmt: skip


if __name__ == "__main__":
    main()
