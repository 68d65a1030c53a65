"""Windowed eigensolver of the hard-wall tridiagonal Hamiltonian (docs/physics.md §1.3, §1.6).

H = -(1/2m) d^2/dx^2 + U(x) on the sites x_n = n dx, n = 0..N-1, of a
hard-wall box of length L = N dx (3-point Laplacian): diagonal
1/(m dx^2) + U_n, off-diagonal -1/(2 m dx^2).  :func:`eigenpairs` returns
the eigenpairs with energies in a window: Sturm-count bisection of the
eigenvalues (:func:`window_eigenvalues`), then each eigenvector from the
twisted factorization of T - lambda, reorthogonalised against its
neighbours.  Eigenvectors are normalised in the continuum sense,
sum_n psi(x_n)^2 dx = 1 (psi in length^-1/2).  Used by the spectral
(:mod:`hotcold.spectral`) and the matrix-element
(:mod:`hotcold.matrix_elements`) stages.
"""

from __future__ import annotations

import math

import numba
import numpy as np

__all__ = [
    "tridiagonal_hamiltonian",
    "rescale_interval",
    "window_eigenvalues",
    "eigenpairs",
    "REORTH_NEIGHBOURS",
]


def tridiagonal_hamiltonian(
    potential: np.ndarray, dx: float, m: float
) -> tuple[np.ndarray, np.ndarray]:
    """Diagonal and off-diagonal of the hard-wall 3-point Hamiltonian [energy].

    diag = 1/(m dx^2) + U_n, offdiag = -1/(2 m dx^2) (docs/physics.md §1.3).
    """
    u = np.asarray(potential, dtype=float)
    diag = 1.0 / (m * dx * dx) + u
    off = np.full(u.size - 1, -0.5 / (m * dx * dx))
    return diag, off


_BISECT_LANES = 16  # eigenvalues bisected together (SIMD across them)


@numba.njit(cache=True)
def _sturm_count(diag, off2, sigma, pivmin):  # pragma: no cover - numba
    # number of eigenvalues < sigma (LDL^T inertia, LAPACK's pivmin guard)
    q = 1.0
    count = 0
    for i in range(diag.size):
        v = diag[i] - sigma - (off2[i - 1] / q if i > 0 else 0.0)
        if abs(v) < pivmin:
            v = -pivmin
        q = v
        count += v < 0.0
    return count


@numba.njit(cache=True)
def _minors_count(diag, off2, sigma, kr):  # pragma: no cover - numba
    # number of eigenvalues < sigma from the sign changes of the leading principal minors
    # (the count of _bisect, so that the window's k0, k agree with its bisection)
    count = 0
    r0, r1 = 0.0, 1.0
    for i0 in range(0, diag.size, kr):
        for i in range(i0, min(i0 + kr, diag.size)):
            rn = (diag[i] - sigma) * r1 - (off2[i - 1] if i > 0 else 0.0) * r0
            count += (rn > 0.0) != (r1 > 0.0)
            r0, r1 = r1, rn
        s = 1.0 / max(abs(r0), abs(r1))
        r0 *= s
        r1 *= s
    return count


@numba.njit(cache=True)
def _bisect(diag, off2, e_lo, e_hi, k0, k, n_iter, kr):  # pragma: no cover - numba
    # eigenvalues k0 .. k0 + k - 1 (ascending, 0-based) by bisection in [e_lo, e_hi],
    # n_iter halvings, _BISECT_LANES of them at a time with the sites outermost.  The
    # Sturm count comes from the three-term recurrence of the leading principal minors,
    # P_i = (d_i - sigma) P_{i-1} - e_{i-1}^2 P_{i-2}: a sign change P_{i-1} -> P_i is a
    # negative LDL^T pivot q_i = P_i / P_{i-1} (zero counted as negative, as LAPACK's
    # pivmin guard does).  No division in the loop (3.2x faster than the pivots, which
    # are division-bound); (P_{i-1}, P_i) is rescaled every kr sites, kr set by
    # :func:`window_eigenvalues` so that it can neither overflow nor underflow.  Each
    # step is exact for d_i and e_{i-1}^2 perturbed by a few ulp, as the pivot form.
    nl = _BISECT_LANES
    n = diag.size
    out = np.empty(k)
    lo, hi, mid = np.empty(nl), np.empty(nl), np.empty(nl)
    r0, r1 = np.empty(nl), np.empty(nl)
    cnt, target = np.empty(nl, np.int64), np.empty(nl, np.int64)
    for g in range(0, k, nl):
        for j in range(nl):
            lo[j], hi[j] = e_lo, e_hi
            target[j] = k0 + min(g + j, k - 1) + 1
        for _ in range(n_iter):
            for j in range(nl):
                mid[j] = 0.5 * (lo[j] + hi[j])
                cnt[j] = 0
                r0[j] = 0.0
                r1[j] = 1.0
            for i0 in range(0, n, kr):
                for i in range(i0, min(i0 + kr, n)):
                    di = diag[i]
                    e2 = off2[i - 1] if i > 0 else 0.0
                    for j in range(nl):
                        rn = (di - mid[j]) * r1[j] - e2 * r0[j]
                        cnt[j] += (rn > 0.0) != (r1[j] > 0.0)
                        r0[j] = r1[j]
                        r1[j] = rn
                for j in range(nl):
                    s = 1.0 / max(abs(r0[j]), abs(r1[j]))
                    r0[j] *= s
                    r1[j] *= s
            for j in range(nl):
                if cnt[j] >= target[j]:
                    hi[j] = mid[j]
                else:
                    lo[j] = mid[j]
        for j in range(min(nl, k - g)):
            out[g + j] = 0.5 * (lo[j] + hi[j])
    return out


def rescale_interval(diag: np.ndarray, off2: np.ndarray, e_lo: float, e_hi: float) -> int:
    """Sites between rescalings of the minors recurrence of :func:`_bisect` (1..256).

    One step maps (P_{i-2}, P_{i-1}) by M = [[d_i - sigma, -e^2], [1, 0]]:
    the norm grows at most by g+ = |d - sigma| + e^2 + 1 and shrinks at most
    by g- = max(1, (1 + |d - sigma|)/e^2) per site, for every sigma in
    [e_lo, e_hi].  From norm 1, kr steps stay inside [2^-900, 2^900].
    """
    a = max(float(np.max(np.abs(diag - e_lo))), float(np.max(np.abs(diag - e_hi))))
    b_max = float(off2.max(initial=0.0))
    b_min = float(off2.min(initial=1.0))
    grow = math.log2(a + b_max + 1.0)
    shrink = math.log2(max(1.0, (1.0 + a) / b_min)) if b_min > 0 else math.inf
    return int(max(1, min(256, 900 // max(grow, shrink, 1.0))))


#: Earlier states each eigenvector is reorthogonalised against (:func:`eigenpairs`).
REORTH_NEIGHBOURS = 8


@numba.njit(cache=True)
def _twisted_vectors(diag, off, lam, pivmin):  # pragma: no cover - numba
    # eigenvectors of T for the eigenvalues lam by twisted factorization (the core of
    # LAPACK dlar1v, without a relatively robust representation): T - lam = L+ D+ L+^T
    # (top down) = U- D- U-^T (bottom up); twist r = argmin_k |gamma_k|, gamma_k =
    # D+_k + D-_k - (d_k - lam); z_r = 1 and z follows from the two bidiagonal factors.
    # O(N) per eigenvalue, no start vector, no iteration; _BISECT_LANES eigenvalues at a
    # time with the sites outermost (SIMD across them).  Pivots below pivmin -> -pivmin
    # (as in the Sturm count).  Rows of the result normalised to sum z^2 = 1.
    nl = _BISECT_LANES
    n, k = diag.size, lam.size
    out = np.zeros((k, n))
    dp = np.empty((n, nl))
    dm = np.empty((n, nl))
    lm = np.empty(nl)
    gmin = np.empty(nl)
    r = np.zeros(nl, np.int64)
    for g0 in range(0, k, nl):
        for j in range(nl):
            lm[j] = lam[min(g0 + j, k - 1)]
            v = diag[0] - lm[j]
            dp[0, j] = v if abs(v) >= pivmin else -pivmin
            v = diag[n - 1] - lm[j]
            dm[n - 1, j] = v if abs(v) >= pivmin else -pivmin
        for i in range(1, n):
            b2 = off[i - 1] * off[i - 1]
            for j in range(nl):
                v = diag[i] - lm[j] - b2 / dp[i - 1, j]
                dp[i, j] = v if abs(v) >= pivmin else -pivmin
        for i in range(n - 2, -1, -1):
            b2 = off[i] * off[i]
            for j in range(nl):
                v = diag[i] - lm[j] - b2 / dm[i + 1, j]
                dm[i, j] = v if abs(v) >= pivmin else -pivmin
        for j in range(nl):
            gmin[j] = np.inf
        for i in range(n):
            for j in range(nl):
                gam = abs(dp[i, j] + dm[i, j] - (diag[i] - lm[j]))
                if gam < gmin[j]:
                    gmin[j] = gam
                    r[j] = i
        for j in range(min(nl, k - g0)):
            z = out[g0 + j]
            z[r[j]] = 1.0
            for i in range(r[j] - 1, -1, -1):
                z[i] = -(off[i] / dp[i, j]) * z[i + 1]
            for i in range(r[j], n - 1):
                z[i + 1] = -(off[i] / dm[i + 1, j]) * z[i]
            nrm = 0.0
            for i in range(n):
                nrm += z[i] * z[i]
            z *= 1.0 / math.sqrt(nrm)
    return out


@numba.njit(cache=True)
def _reorthogonalise(z, width):  # pragma: no cover - numba
    # modified Gram-Schmidt of each row against the ``width`` rows before it, renormalised
    k, n = z.shape
    for a in range(k):
        for b in range(max(0, a - width), a):
            c = 0.0
            for i in range(n):
                c += z[a, i] * z[b, i]
            for i in range(n):
                z[a, i] -= c * z[b, i]
        nrm = 0.0
        for i in range(n):
            nrm += z[a, i] * z[a, i]
        z[a] *= 1.0 / math.sqrt(nrm)


def window_eigenvalues(diag: np.ndarray, off: np.ndarray, e_lo: float, e_hi: float) -> np.ndarray:
    """Ascending eigenvalues in [e_lo, e_hi) of a symmetric tridiagonal matrix [energy].

    Sturm counts fix how many there are; each is then bisected to an interval
    of 2 ulp (as LAPACK stebz with abstol 0, about 10x faster: SIMD across
    eigenvalues and no division, the counts coming from the sign changes of
    the leading principal minors, rescaled every :func:`rescale_interval`
    sites).  The results agree with the pivot (LDL^T) counts to about
    eps ||T|| (1.8e-14 against the dense solver on the gaussian d = 0.5 main
    window, 1.3e-14 for the pivots).  Ties with the window edges have
    probability zero here.
    """
    off2 = np.asarray(off, dtype=float) ** 2
    kr = rescale_interval(diag, off2, e_lo, e_hi)
    k0 = _minors_count(diag, off2, float(e_lo), kr)
    k = _minors_count(diag, off2, float(e_hi), kr) - k0
    if k <= 0:
        return np.empty(0)
    scale = np.finfo(float).eps * max(abs(e_lo), abs(e_hi), np.finfo(float).tiny)
    n_iter = int(math.ceil(math.log2(max((e_hi - e_lo) / scale, 2.0)))) + 1
    return _bisect(diag, off2, float(e_lo), float(e_hi), k0, k, n_iter, kr)


def eigenpairs(
    potential: np.ndarray,
    dx: float,
    m: float,
    e_lo: float,
    e_hi: float,
    reorth: int = REORTH_NEIGHBOURS,
) -> tuple[np.ndarray, np.ndarray]:
    """Exact eigenpairs with energies in [e_lo, e_hi) (bisection + twisted factorization).

    :func:`window_eigenvalues` gives the eigenvalues of the window to 2 ulp;
    each eigenvector then follows in O(N) from the twisted factorization of
    T - lambda (as in LAPACK's MRRR, dlar1v).  Its overlap with a neighbour at
    distance g in energy is about eps |T| / g (1e-10 at the default
    windows' closest levels), so each vector is reorthogonalised against the
    ``reorth`` vectors below it (O(N k reorth)), which leaves overlaps of at
    most about 1e-12 (tests, ``benchmarks/bench_eigensolver.py``).  LAPACK
    stein instead reorthogonalises every cluster closer than 1e-3 |T| (here
    the whole window), O(N k^2): one LAPACK call costs 3-10x more on the
    default windows (the benchmark).

    Parameters
    ----------
    potential : ndarray, shape (N,)
        U(x_n) on the sites x_n = n dx [energy].
    dx : float
        Lattice step [length].
    m : float
        Particle mass.
    e_lo, e_hi : float
        Energy window [energy].
    reorth : int
        Neighbours each vector is reorthogonalised against.

    Returns
    -------
    energies : ndarray, shape (n_states,)
        Ascending eigenvalues [energy].
    psi : ndarray, shape (n_states, N)
        Eigenvectors with sum_n psi_n^2 dx = 1 [length^-1/2] (C order).
    """
    diag, off = tridiagonal_hamiltonian(potential, dx, m)
    w = window_eigenvalues(diag, off, e_lo, e_hi) if e_hi > e_lo else np.empty(0)
    if w.size == 0:
        return w, np.empty((0, diag.size))
    pivmin = np.finfo(float).tiny * max(1.0, float(np.max(off * off, initial=0.0)))
    psi = _twisted_vectors(diag, off, w, pivmin)
    if reorth > 0:
        _reorthogonalise(psi, int(reorth))
    psi *= 1.0 / math.sqrt(dx)
    return w, psi
