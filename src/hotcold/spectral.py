"""Spectral function S_omega(x) and thermal-pair density n_T from exact eigenstates (SPEC 1.3).

Model
-----
H = -(1/2m) d^2/dx^2 + U(x) on the sites x_n = n dx, n = 0..N-1, of a
hard-wall box of length L = N dx (3-point Laplacian): diagonal
1/(m dx^2) + U_n, off-diagonal -1/(2 m dx^2).  Eigenvectors are normalised
in the continuum sense, sum_n psi(x_n)^2 dx = 1 (psi in length^-1/2).
Units hbar = k_B = 1; energies [energy], lengths [length].

Pair correlation
----------------
For a pair of eigenstates, p_ij(y) = psi_i(y) psi_j(y) [1/length] and

    C_ij(x) = int_{y in R} dy p_ij(y) p_ij(y + x)           [1/length],

with the *origin* y restricted to the interior region R = [a, L - a] (a =
``margin``) and the partner y + x anywhere in the box.  Because the partner
runs over the whole box, the exact sum rule survives the margin:

    int dx C_ij(x) = (int_R p_ij)(int p_ij) = (int_R p_ij) delta_ij,

i.e. 0 for i != j (orthonormality); with a = 0 it is (int p_ij)^2 = delta_ij.

Estimators
----------
* S_omega(x) at eps = eps_F, Eq. (4) averaged over the origin y and the
  disorder (SPEC 1.3), folded to |omega| and |x|:

      S(|omega|, |x|) = sum_{ordered (i, j), i != j} C_ij(|x|)
                         / (2 L_y(x) de domega),

  over pairs with eps_i in [eps_F - de/2, eps_F + de/2) and |eps_j - eps_i|
  in the omega bin [omega_lo, omega_hi).  The factor 2 averages omega and
  -omega; an unordered pair {i, j} enters once per role in which it
  qualifies (0, 1 or 2 times).  C_ij(|x|) = (C_ij(x) + C_ij(-x))/2 and
  L_y(x) is the mean (over +-x) length of origins in R whose partner lies in
  the box (= L - 2a for |x| <= a), which makes the estimator unbiased for a
  translation-invariant S; values are averaged over the lags in each x bin.
* n_T(T), Eq. (3) on the eigenpairs (SPEC 1.3):

      n_T = (2/L_R) sum_{eps_j < eps_i} f(eps_i) (1 - f(eps_j)) J_ij,
      J_ij = -int_{|x| > x_cut} C_ij(x) dx = int_{y in R} p_ij(y) q_ij(y) dy,
      q_ij(y) = int_{|s| <= x_cut} p_ij(y + s) ds,

  (the second form of J_ij is the sum rule for i != j), L_R = L - 2a.
  Pairs are taken from the eigenpairs in [eps_F - W, eps_F + W] with
  eps_i - eps_j <= W, W = ``window_T`` * max(T).  Every neglected pair has
  f(eps_i)(1 - f(eps_j)) <= exp(-W/T); for a flat spectral weight the
  neglected fraction of n_T is ~ (12/pi^2)(W/T + 1) exp(-W/T): 4.9e-3 at
  T = max(T) for the default W = 8 max(T), 1.4e-4 at W/T = 12 (T <=
  max(T)/1.5), 3e-6 at W/T = 16; :func:`truncation_fraction` evaluates it
  exactly and the dataset stores it per T (``n_T_truncation``).

Errors are standard errors over realizations (std/sqrt(n)) for the averages
and delete-one jackknife over realizations for fitted quantities (peak
positions, slopes, exponents), which accounts for the correlations between
omega bins and between temperatures.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import time
import warnings
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numba
import numpy as np
from scipy import fft as sfft
from scipy.optimize import OptimizeWarning, curve_fit
from scipy.special import expit

from .datasets import Var, apply_table, flag_attrs
from .jobs import map_in_order
from .schema import schema_defaults
from .thermal import SOURCES, Pass, assemble_blocks, generated_potential, plan_passes, resolve

#: Settings of the spectral stage: the schema's defaults (config section ``spectral``).
DEFAULT_SETTINGS: dict[str, Any] = schema_defaults("spectral")

__all__ = [
    "DEFAULT_SETTINGS",
    "tridiagonal_hamiltonian",
    "eigenpairs",
    "interior_slice",
    "pair_correlation",
    "origin_length",
    "spectral_pairs",
    "spectral_sums",
    "thermal_pairs",
    "thermal_pair_integrals",
    "fermi",
    "thermal_density",
    "truncation_fraction",
    "window_for",
    "realization_estimate",
    "fit_power_law",
    "gaussian_peak",
    "fit_mott_slope",
    "symmetric_centroid",
    "binned_sum_rule",
    "jackknife",
    "SPECTRAL_VARIABLES",
    "Geometry",
    "spectral_geometry",
    "run_pass",
    "passes_part",
    "mean_stderr",
    "spectral_function_part",
    "mott_peak_part",
    "thermal_part",
    "parameters_part",
    "spectral_dataset",
]


# ---------------------------------------------------------------------------
# Eigenpairs
# ---------------------------------------------------------------------------


def tridiagonal_hamiltonian(
    potential: np.ndarray, dx: float, m: float
) -> tuple[np.ndarray, np.ndarray]:
    """Diagonal and off-diagonal of the hard-wall 3-point Hamiltonian [energy].

    diag = 1/(m dx^2) + U_n, offdiag = -1/(2 m dx^2) (SPEC 1.3).
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


def interior_slice(n_sites: int, dx: float, margin: float) -> slice:
    """Sites whose distance from both walls is >= ``margin`` [length] (origins R)."""
    a = int(math.ceil(margin / dx - 1e-9))
    if 2 * a >= n_sites:
        raise ValueError(f"margin {margin} leaves no interior in a box of {n_sites} x {dx}")
    return slice(a, n_sites - a)


def origin_length(n_sites: int, dx: float, origin: slice, lags: np.ndarray) -> np.ndarray:
    """L_y(s dx): mean over +-s of the length of origins in R with partner in the box.

    Equals L_R = L - 2a for |s| dx <= a and L - a - |s| dx beyond [length].
    """
    lo, hi = origin.start, origin.stop
    s = np.abs(np.asarray(lags))
    plus = np.clip(np.minimum(hi, n_sites - s) - lo, 0, None)
    minus = np.clip(hi - np.maximum(lo, s), 0, None)
    return 0.5 * (plus + minus) * dx


def pair_correlation(
    psi_a: np.ndarray,
    psi_b: np.ndarray,
    dx: float,
    origin: slice | None = None,
    max_lag: int | None = None,
) -> np.ndarray:
    """C_ij(x) = int_{y in R} dy p_ij(y) p_ij(y + x) by FFT, for a batch of pairs.

    Parameters
    ----------
    psi_a, psi_b : ndarray, shape (n_pairs, N) or (N,)
        psi_i and psi_j of each pair [length^-1/2].
    dx : float
        Lattice step [length].
    origin : slice, optional
        Sites allowed as origin y (default: the whole box).  The partner
        y + x runs over the whole box, so sum_x C dx = (int_R p)(int p).
    max_lag : int, optional
        Largest |s| returned (default N - 1, all lags).

    Returns
    -------
    ndarray, shape (n_pairs, 2 max_lag + 1)
        C at x = s dx, s = -max_lag..max_lag [1/length].
    """
    a = np.atleast_2d(psi_a)
    b = np.atleast_2d(psi_b)
    n = a.shape[1]
    k = n - 1 if max_lag is None else min(int(max_lag), n - 1)
    nfft = sfft.next_fast_len(n + k, real=True)
    p = np.zeros((a.shape[0], nfft))
    np.multiply(a, b, out=p[:, :n])
    fp = sfft.rfft(p, axis=1)
    if origin is not None:
        p[:, : origin.start] = 0.0
        p[:, origin.stop :] = 0.0
        fr = sfft.rfft(p, axis=1, overwrite_x=True)
    else:
        fr = fp.copy()
    np.conjugate(fr, out=fr)
    fr *= fp
    c = sfft.irfft(fr, nfft, axis=1, overwrite_x=True)  # c[s] = sum_y p_R(y) p(y + s)
    out = np.concatenate([c[:, nfft - k :], c[:, : k + 1]], axis=1) * dx
    return out if np.ndim(psi_a) == 2 else out[0]


# ---------------------------------------------------------------------------
# Estimators on one realization
# ---------------------------------------------------------------------------


def spectral_pairs(
    energies: np.ndarray, eps: float, de: float, omega_edges: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Unordered pairs {i, j} entering S(|omega|) at eps, with their multiplicity.

    A role (i as reference) qualifies when eps_i in [eps - de/2, eps + de/2)
    and |eps_j - eps_i| in [omega_edges[0], omega_edges[-1]).  Each unordered
    pair appears once, with ``mult`` = number of qualifying roles (1 or 2);
    both roles of a pair have the same |omega|.

    Returns
    -------
    i, j : ndarray of int
        Indices into ``energies`` (i < j).
    omega_bin : ndarray of int
        Index of the |omega| bin.
    mult : ndarray of int
        1 or 2.
    """
    e = np.asarray(energies)
    lo, hi = eps - 0.5 * de, eps + 0.5 * de
    ref = (e >= lo) & (e < hi)
    ii, jj = np.triu_indices(e.size, k=1)
    om = np.abs(e[jj] - e[ii])
    mult = ref[ii].astype(int) + ref[jj].astype(int)
    ok = (mult > 0) & (om >= omega_edges[0]) & (om < omega_edges[-1])
    ii, jj, om, mult = ii[ok], jj[ok], om[ok], mult[ok]
    b = np.searchsorted(omega_edges, om, side="right") - 1
    return ii, jj, b, mult


def spectral_sums(
    energies: np.ndarray,
    psi: np.ndarray,
    dx: float,
    eps: float,
    de: float,
    omega_edges: np.ndarray,
    x_edges: np.ndarray,
    origin: slice,
    batch: int = 32,  # pairs per FFT batch: (32, N + k_max) arrays stay in cache (256: 2.2x slower)
) -> tuple[np.ndarray, np.ndarray, float]:
    """S(|omega|, |x|) of one realization (estimator of Eq. 4, module docstring).

    Parameters
    ----------
    energies, psi
        Eigenpairs (:func:`eigenpairs`); must include every state with energy
        in [eps - de/2 - omega_edges[-1], eps + de/2 + omega_edges[-1]).
    dx : float
        Lattice step [length].
    eps, de : float
        Reference energy and width of its bin [energy].
    omega_edges : ndarray
        |omega| bin edges [energy] (bins [lo, hi)).
    x_edges : ndarray
        |x| bin edges [length] (lags s with s dx in [lo, hi)).
    origin : slice
        Origin region R.

    Returns
    -------
    S : ndarray, shape (n_omega, n_x)
        [1/(energy^2 length^2)].
    x_mean : ndarray, shape (n_x,)
        Mean |x| of the lags in each bin [length].
    sum_rule : float
        max over pairs of |int dx C_ij(x)| (exactly 0 for i != j) [1].
    """
    n_sites = psi.shape[1]
    n_om, n_x = omega_edges.size - 1, x_edges.size - 1
    lags = np.arange(n_sites)
    # lag s belongs to bin b when x_edges[b] <= s dx < x_edges[b + 1] (edges rounded to 1e-9 dx)
    xbin = np.searchsorted(x_edges, lags * dx + 1e-9 * dx, side="right") - 1
    xbin[(xbin < 0) | (xbin >= n_x)] = -1
    k_max = int(np.max(np.nonzero(xbin >= 0)[0])) if np.any(xbin >= 0) else 0
    use = xbin[: k_max + 1] >= 0
    ly = origin_length(n_sites, dx, origin, lags[: k_max + 1])
    counts = np.bincount(xbin[: k_max + 1][use], minlength=n_x)
    x_mean = np.bincount(
        xbin[: k_max + 1][use], weights=(lags * dx)[: k_max + 1][use], minlength=n_x
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        x_mean = x_mean / counts
    ii, jj, ob, mult = spectral_pairs(energies, eps, de, omega_edges)
    nfft = sfft.next_fast_len(n_sites + k_max, real=True)  # no wrap-around for |s| <= k_max
    spectra, resid = _binned_cross_spectra(psi, ii, jj, ob, mult, n_om, origin, nfft, batch)
    c = sfft.irfft(spectra, nfft, axis=1) * dx  # sum over pairs of C_ij(s dx), lags mod nfft
    neg = (nfft - np.arange(k_max + 1)) % nfft
    cs = 0.5 * (c[:, : k_max + 1] + c[:, neg])  # symmetrized in +-x
    with np.errstate(invalid="ignore", divide="ignore"):
        cs = np.where(ly > 0, cs / ly, 0.0)
    out = np.zeros((n_om, n_x))
    for b in range(n_om):
        out[b] = np.bincount(xbin[: k_max + 1][use], weights=cs[b, use], minlength=n_x)
    dom = np.diff(omega_edges)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = out / counts[None, :] / (2.0 * de * dom[:, None])
    return out, x_mean, resid * dx * dx


@numba.njit(cache=True)
def _pair_products(psi, ii, jj, out):  # pragma: no cover - numba
    # out[r, :N] = psi_ii[r] psi_jj[r], without the two gathered copies of numpy indexing
    for r in range(ii.size):
        a, b = psi[ii[r]], psi[jj[r]]
        for y in range(a.size):
            out[r, y] = a[y] * b[y]


@numba.njit(cache=True)
def _accumulate_cross(fr, fp, ob, mult, spectra):  # pragma: no cover - numba
    # spectra[ob[r]] += mult[r] conj(fr[r]) fp[r], pair by pair in order; returns the
    # largest |zero-frequency term| (the pairs' sum rule)
    resid = 0.0
    for r in range(fr.shape[0]):
        m = float(mult[r])
        row = spectra[ob[r]]
        for q in range(fr.shape[1]):
            row[q] += m * (fr[r, q].conjugate() * fp[r, q])
        resid = max(resid, abs((fr[r, 0].conjugate() * fp[r, 0]).real))
    return resid


def _binned_cross_spectra(psi, ii, jj, ob, mult, n_om, origin, nfft, batch):
    """sum over the pairs of each |omega| bin of mult conj(F[p_R]) F[p], and max |int C|.

    p = psi_i psi_j zero-padded to nfft >= N + k_max (no wrap-around for lags
    |s| <= k_max), p_R = p on the origins R.  The inverse transform is linear,
    so it is taken once per bin (:func:`spectral_sums`) instead of once per
    pair.  The zero-frequency term is (sum_R p)(sum p), the pair's sum rule
    int dx C_ij(x) / dx^2 (exactly 0 for i != j by orthogonality).  Products
    and accumulation are numba loops (no temporaries; 2x less time than numpy
    around the FFTs, which are the rest).
    """
    n = psi.shape[1]
    spectra = np.zeros((n_om, nfft // 2 + 1), dtype=complex)
    p = np.zeros((batch, nfft))
    resid = 0.0
    ii, jj = np.asarray(ii, dtype=np.int64), np.asarray(jj, dtype=np.int64)
    ob, mult = np.asarray(ob, dtype=np.int64), np.asarray(mult, dtype=np.int64)
    for start in range(0, ii.size, batch):
        sl = slice(start, start + batch)
        nb = ii[sl].size
        _pair_products(psi, ii[sl], jj[sl], p)
        fp = sfft.rfft(p[:nb], axis=1)
        p[:nb, : origin.start] = 0.0
        p[:nb, origin.stop : n] = 0.0
        fr = sfft.rfft(p[:nb], axis=1)
        resid = max(resid, _accumulate_cross(fr, fp, ob[sl], mult[sl], spectra))
    return spectra, resid


def thermal_pairs(energies: np.ndarray, e_lo: float, e_hi: float, w: float):
    """Pairs (i, j), eps_j < eps_i, both in [e_lo, e_hi], eps_i - eps_j <= w, for n_T."""
    e = np.asarray(energies)
    inside = np.nonzero((e >= e_lo) & (e <= e_hi))[0]
    jj, ii = np.triu_indices(inside.size, k=1)  # jj < ii (ascending energies)
    ii, jj = inside[ii], inside[jj]
    ok = (e[ii] - e[jj] <= w) & (e[ii] > e[jj])
    return ii[ok], jj[ok]


_TILE = 32  # pair tile: 32 states i x 32 partners j (w, acc: 16 KiB, in L1)


@numba.njit(cache=True, nogil=True, fastmath={"contract"})
def _box_integral_tiles(pb, jlo, jhi, lo, hi, k, dx):  # pragma: no cover - numba
    # pb: states in blocks of _TILE, each block transposed and contiguous, (block, site
    # + k + 1, state in block), zero rows beyond the walls and zero columns beyond the
    # last state, so that no bound is tested in the loops and a tile streams two
    # contiguous arrays (1.7x faster than the columns of one (site, state) array).  For
    # each tile of states i0..i0+T and partners j0..j0+T, w is the running window sum
    # sum_{|s| <= k} p_ij(y + s) and acc the sum of p_ij(y) w over the origins y: the
    # same operations in the same order as one pair at a time, with the partners
    # innermost (SIMD) and each row reused by T states; multiply-adds fused (FMA
    # contraction, 1.1x; J within 2e-16 of the unfused sums).
    # Serial on purpose: realizations are spread over processes (jobs.map_in_order).
    tl = _TILE
    ns = jlo.size
    off = np.zeros(ns + 1, np.int64)
    for i in range(ns):
        off[i + 1] = off[i] + max(jhi[i] - jlo[i], 0)
    out = np.zeros(off[ns])
    w = np.empty((tl, tl))
    acc = np.empty((tl, tl))
    s0 = k + 1
    for bi in range(pb.shape[0]):
        i0 = bi * tl
        ja, jb = ns, 0
        for i in range(i0, min(i0 + tl, ns)):
            if jhi[i] > jlo[i]:
                ja, jb = min(ja, jlo[i]), max(jb, jhi[i])
        pi = pb[bi]
        for bj in range(ja // tl, (jb + tl - 1) // tl):
            j0 = bj * tl
            pj = pb[bj]
            w[:] = 0.0
            acc[:] = 0.0
            for y in range(lo - k + s0, lo + k + 1 + s0):
                for t in range(tl):
                    a = pi[y, t]
                    for j in range(tl):
                        w[t, j] += a * pj[y, j]
            for y in range(lo + s0, hi + s0):
                yn, yo = y + k + 1, y - k
                for t in range(tl):
                    a, an, ao = pi[y, t], pi[yn, t], pi[yo, t]
                    for j in range(tl):
                        acc[t, j] += a * pj[y, j] * w[t, j]
                        w[t, j] += an * pj[yn, j]
                        w[t, j] -= ao * pj[yo, j]
            for i in range(i0, min(i0 + tl, ns)):
                for j in range(max(jlo[i], j0), min(jhi[i], j0 + tl)):
                    out[off[i] + j - jlo[i]] = acc[i - i0, j - j0] * dx * dx
    return out, off


def thermal_pair_integrals(
    psi: np.ndarray, ii: np.ndarray, jj: np.ndarray, dx: float, origin: slice, x_cut: float
) -> np.ndarray:
    """J_ij = int_{y in R} p_ij(y) int_{|s| <= x_cut} p_ij(y + s) ds dy [1].

    For i != j this equals -int_{|x| > x_cut} C_ij(x) dx by the sum rule
    (Eq. 3 integrand).  O(N) per pair with a running window sum; the pairs are
    done in tiles of states x partners (each i's partners j are a contiguous
    range for :func:`thermal_pairs`), about 4x faster than one pair at a
    time and equal to it to rounding (``benchmarks/bench_pair_integrals.py``).
    Memory: one blocked transposed copy of ``psi`` with 2 x_cut/dx zero rows.
    """
    k = int(round(x_cut / dx))
    ii = np.asarray(ii, dtype=np.int64)
    jj = np.asarray(jj, dtype=np.int64)
    if ii.size == 0:
        return np.empty(0)
    ns, n = psi.shape
    pb = np.zeros(((ns + _TILE - 1) // _TILE, n + 2 * k + 2, _TILE))
    for b in range(pb.shape[0]):
        block = psi[b * _TILE : (b + 1) * _TILE]
        pb[b, k + 1 : k + 1 + n, : block.shape[0]] = block.T
    jlo = np.full(ns, ns, dtype=np.int64)
    jhi = np.zeros(ns, dtype=np.int64)
    np.minimum.at(jlo, ii, jj)
    np.maximum.at(jhi, ii, jj + 1)
    jlo = np.minimum(jlo, jhi)
    flat, off = _box_integral_tiles(pb, jlo, jhi, origin.start, origin.stop, k, dx)
    return flat[off[ii] + jj - jlo[ii]]


def fermi(energy: np.ndarray, mu: float, temperature: float | np.ndarray) -> np.ndarray:
    """Fermi function f = 1/(exp((eps - mu)/T) + 1), overflow-free."""
    return expit(-(np.asarray(energy) - mu) / temperature)


def thermal_density(
    energies: np.ndarray,
    ii: np.ndarray,
    jj: np.ndarray,
    j_pair: np.ndarray,
    eps_f: float,
    temperatures: np.ndarray,
    length: float,
) -> np.ndarray:
    """n_T = (2/L_R) sum_{eps_j < eps_i} f(eps_i)(1 - f(eps_j)) J_ij, Eq. (3) [1/length]."""
    t = np.asarray(temperatures, dtype=float)[:, None]
    e = np.asarray(energies)
    w = fermi(e[ii][None, :], eps_f, t) * fermi(-e[jj][None, :], -eps_f, t)
    return 2.0 / length * (w @ j_pair)


def truncation_fraction(temperatures: np.ndarray, w: float) -> np.ndarray:
    """Fraction of the Eq. (3) weight lost by the window, for a flat spectral weight.

    With S independent of eps and omega, n_T is proportional to
    int de int_{Omega > 0} dOmega f(e)(1 - f(e - Omega)) = pi^2 T^2/6; the
    window keeps |e - mu| <= W, |e - Omega - mu| <= W and Omega <= W.  With
    f(e)(1 - f(e - Omega)) = n_B(Omega)(f(e - Omega) - f(e)) the e integral
    is closed-form; the Omega integral is done by quadrature.  Returns
    1 - kept/total per T (about (12/pi^2)(W/T + 1) exp(-W/T) for W >> T).
    """
    from scipy.integrate import quad

    out = []
    for t in np.atleast_1d(np.asarray(temperatures, dtype=float)):
        u = w / t  # everything in units of T

        def g(e):  # primitive of f: int f de = -ln(1 + exp(-e))
            return -np.logaddexp(0.0, -e)

        def kept(om, u=u):
            if om <= 0:
                return 0.0
            nb = 1.0 / np.expm1(om)
            return nb * (g(u - om) - g(-u) - g(u) + g(-u + om))

        val = quad(kept, 0.0, u, limit=400, epsabs=0.0, epsrel=1e-12, points=[1.0, 10.0])[0]
        out.append(max(0.0, 1.0 - val / (np.pi**2 / 6.0)))
    return np.asarray(out)


def window_for(
    eps_f: float, de: float, omega_max: float, t_max: float, window_t: float
) -> tuple[float, float, float]:
    """Eigenpair window (e_lo, e_hi) and n_T half-width W [energy].

    The window covers the S estimator ([eps_F - de/2 - omega_max,
    eps_F + de/2 + omega_max)) and the n_T window eps_F -+ W, W = window_t
    t_max, with a relative pad of 1e-9 so that no needed state sits on the
    window edge of the eigensolver.
    """
    w = window_t * t_max
    half = max(0.5 * de + omega_max, w)
    pad = 1e-9 * max(1.0, abs(eps_f)) + 1e-6 * half
    return eps_f - half - pad, eps_f + half + pad, w


def realization_estimate(
    potential: np.ndarray,
    dx: float,
    m: float,
    eps_f: float,
    de: float,
    omega_edges: np.ndarray,
    x_edges: np.ndarray,
    margin: float,
    x_cut: float,
    temperatures: np.ndarray,
    window_t: float,
    *,
    with_s: bool = True,
    w_nt: float | None = None,
) -> dict[str, Any]:
    """All estimates of one realization: S, n_T, sum-rule residual, state count.

    The eigenpair window is eps_F -+ max(de/2 + omega_max, W) with S
    (``with_s``), eps_F -+ W without; W = ``w_nt`` [energy], default
    ``window_t`` max(T).  Without S, ``S``/``x_mean`` are None and
    ``sum_rule`` is NaN.
    """
    t = np.asarray(temperatures, dtype=float)
    w_req = window_t * float(t.max()) if w_nt is None else float(w_nt)
    e_lo, e_hi, w = window_for(eps_f, de if with_s else 0.0,
                               omega_edges[-1] if with_s else 0.0, w_req, 1.0)  # fmt: skip
    e, psi = eigenpairs(potential, dx, m, e_lo, e_hi)
    n = psi.shape[1]
    origin = interior_slice(n, dx, margin)
    s = x_mean = None
    resid = float("nan")
    if with_s:
        s, x_mean, resid = spectral_sums(e, psi, dx, eps_f, de, omega_edges, x_edges, origin)
    ii, jj = thermal_pairs(e, eps_f - w, eps_f + w, w)
    jp = thermal_pair_integrals(psi, ii, jj, dx, origin, x_cut)
    l_r = (origin.stop - origin.start) * dx
    n_t = thermal_density(e, ii, jj, jp, eps_f, t, l_r)
    return {
        "S": s,
        "x_mean": x_mean,
        "sum_rule": resid,
        "n_T": n_t,
        "n_states": e.size,
        "n_pairs": ii.size,
    }


# ---------------------------------------------------------------------------
# Fits
# ---------------------------------------------------------------------------


def jackknife(samples: np.ndarray, estimator: Callable[[np.ndarray], Any]):
    """Delete-one jackknife over axis 0: (estimate on all, stderr, leave-one-out values)."""
    samples = np.asarray(samples)
    n = samples.shape[0]
    full = np.asarray(estimator(samples), dtype=float)
    loo = np.array([estimator(np.delete(samples, k, axis=0)) for k in range(n)], dtype=float)
    with np.errstate(invalid="ignore"):
        se = np.sqrt((n - 1) / n * np.nansum((loo - np.nanmean(loo, axis=0)) ** 2, axis=0))
    se = np.where(np.all(np.isfinite(loo), axis=0), se, np.nan) if loo.ndim > 1 else se
    return full, se, loo


def _wls_line(xv: np.ndarray, yv: np.ndarray, sig: np.ndarray) -> tuple[float, float]:
    ok = np.isfinite(xv) & np.isfinite(yv) & np.isfinite(sig) & (sig > 0)
    if ok.sum() < 2:
        return np.nan, np.nan
    wt = 1.0 / sig[ok] ** 2
    a = np.vstack([xv[ok], np.ones(ok.sum())]).T
    coef = np.linalg.lstsq(a * np.sqrt(wt)[:, None], yv[ok] * np.sqrt(wt), rcond=None)[0]
    return float(coef[0]), float(coef[1])


def fit_power_law(
    temperatures: np.ndarray, n_t_samples: np.ndarray, t_fit_max: float
) -> dict[str, float]:
    """Fit n_T = A T^p for T <= t_fit_max (weighted in ln n_T), jackknife errors.

    Parameters
    ----------
    temperatures : ndarray (n_T,) [energy]
    n_t_samples : ndarray (n_real, n_T)
        Per-realization n_T [1/length].
    t_fit_max : float [energy]

    Returns
    -------
    dict with ``exponent``, ``exponent_stderr``, ``prefactor`` (A),
    ``prefactor_stderr``, ``coef2`` (c in n_T = c T^2, p fixed to 2) and
    ``coef2_stderr``, ``n_points``.
    """
    t = np.asarray(temperatures, dtype=float)
    sel = t <= t_fit_max
    lt = np.log(t[sel])

    def est(smp):
        mean = smp[:, sel].mean(axis=0)
        se = smp[:, sel].std(axis=0, ddof=1) / np.sqrt(smp.shape[0])
        with np.errstate(invalid="ignore", divide="ignore"):
            p, ln_a = _wls_line(lt, np.log(mean), se / mean)
            wt = (t[sel] ** 2 / se) ** 2
            c2 = np.sum(wt * mean / t[sel] ** 2) / np.sum(wt)
        return [p, math.exp(ln_a) if np.isfinite(ln_a) else np.nan, c2]

    if sel.sum() < 2 or n_t_samples.shape[0] < 3:
        nan = float("nan")
        return dict(
            exponent=nan,
            exponent_stderr=nan,
            prefactor=nan,
            prefactor_stderr=nan,
            coef2=nan,
            coef2_stderr=nan,
            n_points=int(sel.sum()),
        )
    full, se, _ = jackknife(np.asarray(n_t_samples), est)
    return dict(
        exponent=float(full[0]),
        exponent_stderr=float(se[0]),
        prefactor=float(full[1]),
        prefactor_stderr=float(se[1]),
        coef2=float(full[2]),
        coef2_stderr=float(se[2]),
        n_points=int(sel.sum()),
    )


def _gauss(x, a, mu, sig):
    return a * np.exp(-0.5 * ((x - mu) / sig) ** 2)


def gaussian_peak(
    x: np.ndarray, minus_s: np.ndarray, sigma: np.ndarray, x_lo: float, x_hi: float, guess: float
) -> float:
    """Centre of a weighted Gaussian fit to -S(x) on [x_lo, x_hi] [length], NaN if none.

    Returns NaN when the fit fails or the centre leaves [x_lo, x_hi].
    """
    ok = (x >= x_lo) & (x <= x_hi) & np.isfinite(minus_s) & np.isfinite(sigma) & (sigma > 0)
    if ok.sum() < 4:
        return np.nan
    xs, ys, ss = x[ok], minus_s[ok], sigma[ok]
    mu0 = guess if x_lo < guess < x_hi else xs[np.argmax(ys)]
    a0 = max(float(np.max(ys)), 1e-300)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", OptimizeWarning)
            popt, _ = curve_fit(
                _gauss,
                xs,
                ys,
                p0=[a0, mu0, max(0.3 * (x_hi - x_lo), 1e-3)],
                sigma=ss,
                maxfev=4000,
            )
    except (RuntimeError, ValueError):
        return np.nan
    mu = float(popt[1])
    if not (x_lo <= mu <= x_hi) or popt[0] <= 0:
        return np.nan
    return mu


def fit_mott_slope(
    log_ratio: np.ndarray, l_peak: np.ndarray, l_stderr: np.ndarray
) -> tuple[float, float]:
    """Weighted linear fit l_peak = slope ln(Delta_c/omega) + intercept (Eq. 7 form)."""
    return _wls_line(np.asarray(log_ratio), np.asarray(l_peak), np.asarray(l_stderr))


# ---------------------------------------------------------------------------
# The per-model dataset (xi_c, rho_c at eps_F: hotcold.localization.cold_parameters)
# ---------------------------------------------------------------------------

_S_UNITS = "1/(energy^2 length^2)"
_OM_X = ("omega", "x")

#: Variable table of the per-model (and merged) spectral dataset: the one
#: place where dims, units, long_name and equation are declared (applied by
#: :func:`hotcold.datasets.apply_table`).
SPECTRAL_VARIABLES: dict[str, Var] = {
    "omega": Var(("omega",), "1", "|omega| / Delta_c (geometric centre of the omega bin)"),
    "x": Var(("x",), "1", "|x| / xi_c (centre of the x bin)"),
    "T": Var(("T",), "energy", "temperature"),
    "omega_abs": Var(("omega",), "energy", "frequency |omega| (geometric bin centre)"),
    "x_abs": Var(("x",), "length", "distance |x| (mean lattice lag in the bin)"),
    "S": Var(
        _OM_X, _S_UNITS, "spectral function S_omega(x) at eps_F, exact eigenstates", "Eq. (4)"
    ),
    "S_stderr": Var(_OM_X, _S_UNITS, "standard error of S over realizations", "Eq. (4)"),
    "S_eq5": Var(_OM_X, _S_UNITS, "Gorkov-Dorokhov-Prigara asymptote of S_omega(x)", "Eq. (5)"),
    "l_peak": Var(
        ("omega",),
        "length",
        "position of the negative Mott peak of S: centroid of -S on the window [x_cut, "
        "2 l_peak - x_cut] symmetric about it (NaN: no such window inside the box)",
        "Eq. (5), (7)",
    ),
    "l_peak_stderr": Var(("omega",), "length", "jackknife standard error of l_peak"),
    "l_peak_eq5": Var(
        ("omega",),
        "length",
        "the l_peak estimator applied to Eq. (5) on the same x bins and range",
        "Eq. (5)",
    ),
    "l_peak_centroid": Var(
        ("omega",),
        "length",
        "centroid of -S on x_cut <= |x| <= x_max (biased outward where the cut clips the peak)",
        "Eq. (5)",
    ),
    "l_peak_centroid_stderr": Var(("omega",), "length", "jackknife standard error"),
    "l_peak_centroid_eq5": Var(
        ("omega",), "length", "the centroid applied to Eq. (5) on the same x bins", "Eq. (5)"
    ),
    "sum_rule_binned": Var(
        ("omega",),
        "1",
        "|sum_x S dx| / sum_x |S| dx over the |x| bins (exact: 0; box truncation shows here)",
        "sum rule below Eq. (5)",
    ),
    "l_M_eq7": Var(("omega",), "length", "Mott length 2 xi_c ln(Delta_c/omega)", "Eq. (7)"),
    "n_T": Var(
        ("T",),
        "1/length",
        "thermal-pair density from exact eigenpairs (extrapolated g = n_T/Eq. 6 where flagged)",
        "Eq. (3)",
    ),
    "n_T_stderr": Var(
        ("T",), "1/length", "jackknife standard error of n_T (incl. the fit where extrapolated)"
    ),
    "n_T_source": Var(("T",), "1", "origin of n_T: numerical (Eq. 3) or extrapolated g fit"),
    "n_T_jackknife": Var(
        ("replica_spec", "T"),
        "1/length",
        "n_T leaving out jackknife block k (one input realization and its share of every "
        "generated pass); extrapolated points refitted per replica",
        "Eq. (3)",
        {"jackknife": "leave-one-out over independent blocks of realizations"},
    ),
    "n_T_measured": Var(
        ("T",),
        "1/length",
        "n_T measured on the eigenpairs at every T (also where unresolved)",
        "Eq. (3)",
    ),
    "n_T_measured_stderr": Var(("T",), "1/length", "standard error of n_T_measured over blocks"),
    "n_T_window": Var(("T",), "energy", "half-width W of the eigenpair window serving T"),
    "g_coef": Var(("g_coef",), "1", "coefficient of g(L) = a + b/L, L = ln(Delta_c/T)"),
    "g_fit": Var(
        ("g_coef",),
        "1",
        "fit g = n_T/Eq.(6) = a + b/L on resolved points (NaN: not needed)",
        "Eq. (6)",
    ),
    "g_fit_stderr": Var(("g_coef",), "1", "jackknife standard error of g_fit"),
    "n_T_rel_error_max": Var((), "1", "largest relative stderr of a resolved (numerical) n_T"),
    "pass": Var(("pass",), "1", "pass of realizations (main: disorder stage's; others generated)"),
    "pass_box_length_over_xi_c": Var(("pass",), "1", "box length of the pass / xi_c"),
    "pass_realizations": Var(("pass",), "1", "number of realizations of the pass"),
    "pass_window": Var(("pass",), "energy", "n_T eigenpair window half-width W of the pass"),
    "pass_n_states_mean": Var(("pass",), "1", "mean eigenpairs per realization of the pass"),
    "pass_n_pairs_mean": Var(("pass",), "1", "mean n_T pairs per realization of the pass"),
    "n_T_eq6": Var(("T",), "1/length", "(2 pi^2/3)(1/xi_c)(T/Delta_c)^2", "Eq. (6)"),
    "n_T_truncation": Var(
        ("T",),
        "1",
        "fraction of the Eq. (3) weight outside the eigenpair window (flat spectral weight)",
        "Eq. (3)",
    ),
    "sum_rule_residual": Var(
        (),
        "1",
        "max over realizations and S pairs (i != j) of |int dx C_ij(x)|",
        "sum rule below Eq. (5)",
    ),
    "mott_slope": Var(
        (),
        "length",
        "slope of l_peak vs ln(Delta_c/omega) (NaN: fewer than 2 fit points, mott_fit_points)",
        "Eq. (7): 2 xi_c",
    ),
    "mott_fit_points": Var(
        (),
        "1",
        "omega bins <= mott_fit_omega_max with a resolved l_peak, used in the Mott slope fit "
        "(slope needs 2, its jackknife error 3)",
    ),
    "mott_slope_stderr": Var((), "length", "jackknife standard error of mott_slope"),
    "mott_intercept": Var((), "length", "intercept of l_peak vs ln(Delta_c/omega)", "Eq. (7): 0"),
    "mott_intercept_stderr": Var((), "length", "jackknife standard error of mott_intercept"),
    "mott_slope_ratio": Var(
        (), "1", "mott_slope / (2 xi_c) (NaN where mott_slope is)", "Eq. (7): 1"
    ),
    "mott_slope_eq5_estimator_ratio": Var(
        (),
        "1",
        "slope of l_peak_eq5 vs ln(Delta_c/omega) / (2 xi_c) (estimator applied to Eq. 5)",
        "Eq. (5), (7)",
    ),
    "mott_slope_ratio_stderr": Var(
        (), "1", "standard error of mott_slope_ratio (incl. xi_c error)"
    ),
    "T_exponent": Var((), "1", "exponent p of n_T = A T^p at T <= fit_T_max Delta_c", "Eq. (6): 2"),
    "T_exponent_stderr": Var((), "1", "jackknife standard error of T_exponent"),
    "eq6_ratio": Var(
        (),
        "1",
        "n_T xi_c/(T/Delta_c)^2 / (2 pi^2/3), fitted with p = 2 at T <= fit_T_max Delta_c",
        "Eq. (6)",
    ),
    "eq6_ratio_stderr": Var(
        (), "1", "standard error of eq6_ratio (jackknife, incl. xi_c and rho_c errors)"
    ),
    "xi_c": Var(
        (), "length", "localization length at eps_F (localization stage)", "Eq. (2) convention"
    ),
    "xi_c_stderr": Var((), "length", "standard error of xi_c"),
    "rho_c": Var((), "1/(energy length)", "density of states per length at eps_F"),
    "rho_c_stderr": Var((), "1/(energy length)", "standard error of rho_c"),
    "delta_c": Var((), "energy", "Delta_c = 1/(rho_c xi_c)", "Sec. II"),
    "box_length_over_xi_c": Var((), "1", "box length L / xi_c (want >> 2 margin + l_M)"),
    "x_cut": Var((), "length", "inner cut |x| > x_cut of the Mott peak and of n_T", "Eq. (3)"),
    "margin": Var((), "length", "distance of the origins y from each wall"),
    "mott_fit_omega_max": Var(
        (), "1", "largest omega/Delta_c in the l_peak vs ln(Delta_c/omega) fit"
    ),
    "n_T_fit_T_max": Var((), "1", "largest T/Delta_c in the n_T fits"),
    "n_states_mean": Var((), "1", "mean number of eigenpairs per realization"),
}


@dataclasses.dataclass(frozen=True)
class Geometry:
    """Grids, windows and passes of one model's spectral computation (reduced units).

    Built by :func:`spectral_geometry` from the settings; lengths [length],
    energies [energy].  The S_omega(x) grids belong to the pass that computes
    S (``mott`` if configured, else ``main``); ``passes`` are the
    :class:`hotcold.thermal.Pass` es, ``n_blocks`` the jackknife blocks.
    """

    cfg: dict[str, Any]
    dx: float
    m: float
    eps_f: float
    xi_c: float
    rho_c: float
    delta_c: float
    n_blocks: int
    n_sites: int
    box: float
    margin: float
    x_cut: float
    origin: slice
    x_max: float
    x_edges: np.ndarray
    om_rel_edges: np.ndarray
    omega_edges: np.ndarray
    omega: np.ndarray
    de: float
    t_grid: np.ndarray
    window_t: float
    passes: tuple[Pass, ...]

    @property
    def s_pass(self) -> Pass:
        """The pass on which S_omega(x) is computed."""
        return next(p for p in self.passes if p.with_s)

    def margin_for(self, n_sites: int, log: Callable[[str], Any] | None = None) -> float:
        """Origin margin [length] of a box of ``n_sites``: margin xi_c, at most L/4."""
        box, margin = n_sites * self.dx, float(self.cfg["margin"]) * self.xi_c
        if 2 * margin > 0.5 * box:
            if log is not None:
                log(
                    f"WARNING: box L = {box:g} is only {box / self.xi_c:.3g} xi_c: margin reduced "
                    f"from {margin:.4g} to L/4 = {box / 4:.4g}; results are dominated by the box"
                )
            margin = box / 4
        return margin

    def estimate_args(self, p: Pass) -> tuple[tuple, dict[str, Any]]:
        """(positional, keyword) arguments of :func:`realization_estimate` for pass ``p``."""
        t = self.t_grid[list(p.t_index)] if p.t_index else self.t_grid[:1]
        args = (self.dx, self.m, self.eps_f, self.de, self.omega_edges, self.x_edges,
                self.margin_for(p.n_sites), self.x_cut, t, self.window_t)  # fmt: skip
        return args, {"with_s": p.with_s, "w_nt": p.w_nt}


def _temperature_grid(spec, delta_c: float) -> np.ndarray:
    from .sweep import expand_grid

    if spec is None:
        return np.geomspace(0.02, 0.5, 13) * delta_c
    return np.asarray(expand_grid(spec), dtype=float)


def _settings(settings: Mapping[str, Any] | None) -> dict[str, Any]:
    cfg = dict(DEFAULT_SETTINGS)
    cfg.update({k: v for k, v in (settings or {}).items() if v is not None or k == "x_max"})
    return cfg


def spectral_geometry(
    shape: tuple[int, int],
    dx: float,
    m: float,
    eps_f: float,
    xi_c: float,
    rho_c: float,
    temperatures: Any,
    cfg: Mapping[str, Any],
    log: Callable[[str], Any] = print,
    generate: bool = False,
) -> Geometry:
    """Grids of one model: passes, origins, |x| and |omega| bins, T grid.

    ``shape`` = (n_realizations, n_sites) of the input (main-pass)
    realizations; ``cfg`` as from :data:`DEFAULT_SETTINGS`; ``generate``:
    whether the ``mott`` and ``bands`` passes can be generated (model, seed).
    """
    delta_c = 1.0 / (rho_c * xi_c)
    t_grid = _temperature_grid(temperatures, delta_c)
    passes = plan_passes(t_grid, cfg, shape, dx, xi_c, delta_c, generate)
    n_sites = next(p for p in passes if p.with_s).n_sites
    box = n_sites * dx
    margin = float(cfg["margin"]) * xi_c
    if 2 * margin > 0.5 * box:
        log(
            f"WARNING: box L = {box:g} is only {box / xi_c:.3g} xi_c: margin reduced from "
            f"{margin:.4g} to L/4 = {box / 4:.4g}; results are dominated by the box size"
        )
        margin = box / 4
    origin = interior_slice(n_sites, dx, margin)
    l_r = (origin.stop - origin.start) * dx
    x_max = l_r if cfg["x_max"] is None else min(float(cfg["x_max"]) * xi_c, (n_sites - 1) * dx)
    x_step = float(cfg["x_step"]) * xi_c
    x_edges = np.arange(0.0, x_max + 0.5 * x_step, x_step)
    x_edges = x_edges[x_edges <= x_max + 1e-9]
    om_rel_edges = np.geomspace(
        float(cfg["omega_min"]), float(cfg["omega_max"]), int(cfg["omega_num"]) + 1
    )
    omega_edges = om_rel_edges * delta_c
    return Geometry(
        cfg=dict(cfg),
        dx=dx,
        m=m,
        eps_f=eps_f,
        xi_c=xi_c,
        rho_c=rho_c,
        delta_c=delta_c,
        n_blocks=int(shape[0]),
        n_sites=n_sites,
        box=box,
        margin=margin,
        x_cut=float(cfg["x_cut"]) * xi_c,
        origin=origin,
        x_max=x_max,
        x_edges=x_edges,
        om_rel_edges=om_rel_edges,
        omega_edges=omega_edges,
        omega=np.sqrt(omega_edges[:-1] * omega_edges[1:]),
        de=float(cfg["energy_bin"]) * delta_c,
        t_grid=t_grid,
        window_t=float(cfg["window_T"]),
        passes=tuple(passes),
    )


def _input_estimate(potential, args, kw):
    return realization_estimate(potential, *args, **kw)


def _generated_estimate(r, model, n_sites, seed, pass_id, args, kw):
    pot = generated_potential(model, args[0], n_sites, seed, pass_id, r)
    return realization_estimate(pot, *args, **kw)


def run_pass(
    p: Pass,
    geo: Geometry,
    potential: np.ndarray | None = None,
    model: Any = None,
    seed: int | None = None,
    workers: int = 1,
    log: Callable[[str], Any] = print,
) -> dict[str, Any]:
    """Per-realization estimates of pass ``p``, stacked in realization order.

    Input passes run on the rows of ``potential``; generated passes make
    their realizations from (``model``, ``seed``) (:func:`generated_potential`).
    Returns ``S`` (n_real, n_omega, n_x) or None, ``n_T`` (n_real, n_T of the
    pass), ``sum_rule``, ``n_states``, ``n_pairs`` (n_real,), ``x_mean`` and
    ``elapsed`` [s].
    """
    args, kw = geo.estimate_args(p)
    rep = itertools.repeat
    if p.source == "input":
        its = [list(potential), rep(args, p.n_real), rep(kw, p.n_real)]
        fn = _input_estimate
    else:
        its = [list(range(p.n_real))] + [rep(v, p.n_real) for v in (model, p.n_sites, seed)]
        its += [rep(p.pass_id, p.n_real), rep(args, p.n_real), rep(kw, p.n_real)]
        fn = _generated_estimate
    its = [list(i) for i in its]
    rows: list[dict[str, Any]] = []
    t0 = time.perf_counter()
    for r, est in enumerate(map_in_order(fn, its, workers)):
        rows.append(est)
        if (r + 1) % max(1, p.n_real // 8) == 0 or r + 1 == p.n_real:
            log(
                f"{p.name}: realization {r + 1}/{p.n_real} ({p.n_sites} sites): "
                f"{est['n_states']} states, {est['n_pairs']} n_T pairs, "
                + (f"sum-rule residual {est['sum_rule']:.2e}, " if p.with_s else "")
                + f"{time.perf_counter() - t0:.1f} s elapsed"
            )
    out = {
        k: np.array([row[k] for row in rows]) for k in ("n_T", "sum_rule", "n_states", "n_pairs")
    }
    out["S"] = np.array([row["S"] for row in rows]) if p.with_s else None
    out["x_mean"] = rows[-1]["x_mean"]
    out["elapsed"] = time.perf_counter() - t0
    return out


def mean_stderr(samples: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean over axis 0 and its standard error std/sqrt(n) (NaN for one sample)."""
    a = np.asarray(samples)
    se = (
        a.std(axis=0, ddof=1) / np.sqrt(a.shape[0])
        if a.shape[0] > 1
        else np.full(a.shape[1:], np.nan)
    )
    return a.mean(axis=0), se


def _coords(geo: Geometry, x_mean: np.ndarray) -> dict[str, Any]:
    # index coordinates are dimensionless (omega/Delta_c, |x|/xi_c bin centres)
    # so that per-model datasets share them and concatenate over (family, d)
    x_step_rel = float(geo.cfg["x_step"])
    return {
        "omega": ("omega", np.sqrt(geo.om_rel_edges[:-1] * geo.om_rel_edges[1:])),
        "x": ("x", (np.arange(geo.x_edges.size - 1) + 0.5) * x_step_rel),
        "T": ("T", geo.t_grid),
    }


def _dataset(variables: Mapping[str, tuple], coords: Mapping[str, Any] | None = None):
    """xr.Dataset of float64 variables {name: (dims, values)} (int8 kept as int8)."""
    import xarray as xr

    data = {
        k: (dims, v if np.asarray(v).dtype == np.int8 else np.asarray(v, dtype=float))
        for k, (dims, v) in variables.items()
    }
    return xr.Dataset(data, coords=coords)


def spectral_function_part(geo: Geometry, acc: Mapping[str, Any]):
    """S, S_stderr and the Eq. (5) asymptote over (omega, x), with x_abs, omega_abs."""
    from .theory import spectral_function_eq5

    s_mean, s_se = mean_stderr(acc["S"])
    x_mean = acc["x_mean"]
    s5 = spectral_function_eq5(x_mean[None, :], geo.omega[:, None], geo.xi_c, geo.rho_c)
    return _dataset(
        {
            "omega_abs": ("omega", geo.omega),
            "x_abs": ("x", x_mean),
            "S": (_OM_X, s_mean),
            "S_stderr": (_OM_X, s_se),
            "S_eq5": (_OM_X, s5),
        },
        _coords(geo, x_mean),
    )


def symmetric_centroid(x_edges: np.ndarray, minus_s: np.ndarray, x_lo: float, x_hi: float) -> float:
    """Peak position mu with mu = centroid of -S on the symmetric window [x_lo, 2 mu - x_lo].

    A plain centroid on [x_lo, x_max] is pulled outward when x_lo clips the
    inner flank of the peak; on a window symmetric about the peak the
    centroid of any symmetric peak is its centre, so the root of
    f(mu) = centroid(mu) - mu is unbiased (partial bins at the upper edge
    enter with their covered fraction, at the centre of the covered part).
    The root is the first downward sign change of f on a grid of mu from
    x_lo + 2 bins (windows of >= 4 bins) to (x_lo + x_hi)/2, refined by
    brentq; NaN if there is none [length].
    """
    from scipy.optimize import brentq

    a, b = x_edges[:-1], x_edges[1:]
    y = np.where(np.isfinite(minus_s), minus_s, 0.0)

    def f(mu):
        lo, hi = np.maximum(a, x_lo), np.minimum(b, 2.0 * mu - x_lo)
        w = np.clip((hi - lo) / (b - a), 0.0, 1.0) * y
        tot = np.sum(w)
        return float(np.sum(w * 0.5 * (lo + hi)) / tot) - mu if tot > 0 else np.nan

    step = float(np.min(b - a))
    grid = np.arange(x_lo + 2 * step, 0.5 * (x_lo + x_hi) + 1e-9 * step, 0.25 * step)
    if grid.size < 2:
        return np.nan
    vals = np.array([f(mu) for mu in grid])
    down = np.nonzero((vals[:-1] > 0) & (vals[1:] <= 0))[0]
    if down.size == 0:
        return np.nan
    k = int(down[0])
    if vals[k + 1] == 0:
        return float(grid[k + 1])
    return float(brentq(f, grid[k], grid[k + 1], xtol=1e-12 * step))


def _mott_peaks(geo: Geometry, acc: Mapping[str, Any]) -> dict[str, Any]:
    """l_peak (symmetric-window centroid) and the plain centroid per omega, jackknife errors.

    The plain centroid of -S on [x_cut, x_max] is biased outward where the
    cut at x_cut removes the inner flank of the peak (small l_M, large
    omega), which flattens its slope (0.8 of 2 xi_c on Eq. 5 itself);
    :func:`symmetric_centroid` is not, so it is the estimator ``l_peak``.
    Both are also applied to Eq. (5) on the same bins (``l_peak_eq5``,
    ``l_peak_centroid_eq5``).
    """
    from .theory import mott_length_eq7, spectral_function_eq5

    s_all, x_mean = acc["S"], acc["x_mean"]
    lm_eq7 = mott_length_eq7(geo.xi_c, geo.delta_c, geo.omega)
    sel_x = (x_mean >= geo.x_cut) & np.isfinite(x_mean)

    def centroids(smp):
        mu = -smp.mean(axis=0)[:, sel_x]
        return np.sum(mu * x_mean[sel_x], axis=1) / np.sum(mu, axis=1)

    def sym(mean_s):
        return [
            symmetric_centroid(geo.x_edges, -mean_s[b], geo.x_cut, geo.x_edges[-1])
            for b in range(geo.omega.size)
        ]

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        if s_all.shape[0] >= 3:
            l_cen, l_cen_se, _ = jackknife(s_all, centroids)
            l_sym, l_sym_se, l_loo = jackknife(s_all, lambda smp: sym(smp.mean(axis=0)))
        else:
            l_cen, l_loo = centroids(s_all), None
            l_sym = np.asarray(sym(s_all.mean(axis=0)))
            l_cen_se = l_sym_se = np.full(geo.omega.size, np.nan)
    # Eq. (5) averaged over the lags of each bin, as the estimator sees S
    lag_x = np.arange(int(round(geo.x_edges[-1] / geo.dx)) + 1) * geo.dx
    xb = np.searchsorted(geo.x_edges, lag_x + 1e-9 * geo.dx, side="right") - 1
    ok = (xb >= 0) & (xb < x_mean.size)
    s5_lag = spectral_function_eq5(lag_x[None, ok], geo.omega[:, None], geo.xi_c, geo.rho_c)
    cnt = np.bincount(xb[ok], minlength=x_mean.size)
    s5 = np.array([np.bincount(xb[ok], weights=row, minlength=x_mean.size) for row in s5_lag])
    with np.errstate(invalid="ignore", divide="ignore"):
        s5 = s5 / cnt
    return {
        "l_peak": l_sym,
        "l_peak_stderr": l_sym_se,
        "l_loo": l_loo,
        "l_peak_centroid": l_cen,
        "l_peak_centroid_stderr": l_cen_se,
        "l_M_eq7": lm_eq7,
        "l_peak_eq5": np.asarray(sym(s5), dtype=float),
        "l_peak_centroid_eq5": centroids(s5[None]),
        "sum_rule_binned": binned_sum_rule(s_all.mean(axis=0), geo.x_edges),
    }


def binned_sum_rule(s: np.ndarray, x_edges: np.ndarray) -> np.ndarray:
    """|sum_x S dx| / sum_x |S| dx per omega over the |x| bins (exact sum rule: 0) [1]."""
    dxb = np.diff(x_edges)[None, :]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.abs(np.nansum(s * dxb, axis=1)) / np.nansum(np.abs(s) * dxb, axis=1)


def _loo_slope_stderr(lnr, l_loo, weights_se, slope) -> tuple[float, float]:
    """Jackknife errors of (slope, intercept): the same fit redone on each leave-one-out."""
    if l_loo is None or not np.isfinite(slope):
        return np.nan, np.nan
    loo = np.array([fit_mott_slope(lnr, row, weights_se) for row in l_loo])
    good = np.all(np.isfinite(loo), axis=1)
    nn = int(good.sum())
    if nn < 3:
        return np.nan, np.nan
    dev = loo[good] - loo[good].mean(axis=0)
    se_fit = np.sqrt((nn - 1) / nn * np.sum(dev**2, axis=0))
    return float(se_fit[0]), float(se_fit[1])


def mott_peak_part(geo: Geometry, acc: Mapping[str, Any], xi_c_stderr: float):
    """Mott peak per omega and the slope of l_peak vs ln(Delta_c/omega) (Eqs. 5, 7)."""
    pk = _mott_peaks(geo, acc)
    l_peak, l_peak_se, l_loo = pk["l_peak"], pk["l_peak_stderr"], pk["l_loo"]
    lnr = np.log(geo.delta_c / geo.omega)
    ok = (geo.omega <= float(geo.cfg["fit_omega_max"]) * geo.delta_c) & np.isfinite(l_peak)
    ok &= np.isfinite(l_peak_se) & (l_peak_se > 0)
    slope, intercept = fit_mott_slope(lnr[ok], l_peak[ok], l_peak_se[ok])
    # the same centroid applied to Eq. (5) on the same grid and range: what the
    # estimator would give if Eq. (5) were exact (truncation at x_cut, x_max)
    slope5 = fit_mott_slope(lnr[ok], pk["l_peak_eq5"][ok], l_peak_se[ok])[0]
    loo_ok = None if l_loo is None else [row[ok] for row in l_loo]
    slope_se, intercept_se = _loo_slope_stderr(lnr[ok], loo_ok, l_peak_se[ok], slope)
    xi_c = geo.xi_c
    ratio_se = abs(slope / (2 * xi_c)) * math.hypot(
        slope_se / slope if slope else np.nan,
        xi_c_stderr / xi_c if np.isfinite(xi_c_stderr) else 0.0,
    )
    ds = _dataset(
        {
            **{k: ("omega", pk[k]) for k in pk if k != "l_loo"},
            "mott_slope": ((), slope),
            "mott_slope_stderr": ((), slope_se),
            "mott_intercept": ((), intercept),
            "mott_intercept_stderr": ((), intercept_se),
            "mott_slope_ratio": ((), slope / (2 * xi_c)),
            "mott_slope_eq5_estimator_ratio": ((), slope5 / (2 * xi_c)),
            "mott_slope_ratio_stderr": ((), ratio_se),
            "mott_fit_omega_max": ((), float(geo.cfg["fit_omega_max"])),
            "mott_fit_points": ((), np.int64(ok.sum())),
        }
    )
    return ds


def thermal_part(
    geo: Geometry, runs: Mapping[str, Mapping[str, Any]], xi_c_stderr: float, rho_c_stderr: float
):
    """n_T at the hot-cold temperatures (Eq. 3), flagged, with jackknife replicas.

    See :mod:`hotcold.thermal`: each T from the pass that serves it, block
    means over the R jackknife blocks, extrapolation of g = n_T/Eq. (6)
    where unresolved; also Eq. (6), the window truncation and the T^p / T^2
    fits on the resolved points.
    """
    from .theory import thermal_density_eq6

    t_grid, r = geo.t_grid, geo.n_blocks
    blocks = assemble_blocks([(p, runs[p.name]["n_T"]) for p in geo.passes], t_grid.size, r)
    n_meas, se_meas = mean_stderr(blocks)
    loo = (blocks.sum(axis=0) - blocks) / (r - 1)
    eq6 = thermal_density_eq6(t_grid, geo.xi_c, geo.rho_c)
    res = resolve(n_meas, loo, se_meas, eq6, np.log(geo.delta_c / t_grid), geo.cfg)
    w_of_t = np.empty(t_grid.size)
    for p in geo.passes:
        w_of_t[list(p.t_index)] = p.w_nt
    trunc = np.array([truncation_fraction(t, w)[0] for t, w in zip(t_grid, w_of_t, strict=True)])
    num = res["n_T_source"] == 0
    pw = fit_power_law(t_grid[num], blocks[:, num], float(geo.cfg["fit_T_max"]) * geo.delta_c)
    xi_c, rho_c = geo.xi_c, geo.rho_c
    c_eq6 = (2 * np.pi**2 / 3) * rho_c**2 * xi_c  # n_T(eq6) = c_eq6 T^2
    rel_in = math.hypot(
        xi_c_stderr / xi_c if np.isfinite(xi_c_stderr) else 0.0,
        2 * rho_c_stderr / rho_c if np.isfinite(rho_c_stderr) else 0.0,
    )
    ratio = pw["coef2"] / c_eq6
    ratio_se = ratio * math.hypot(pw["coef2_stderr"] / pw["coef2"], rel_in)
    ds = _dataset(
        {
            "n_T": ("T", res["n_T"]),
            "n_T_stderr": ("T", res["n_T_stderr"]),
            "n_T_source": ("T", res["n_T_source"]),
            "n_T_jackknife": (("replica_spec", "T"), res["n_T_jackknife"]),
            "n_T_measured": ("T", n_meas),
            "n_T_measured_stderr": ("T", se_meas),
            "n_T_eq6": ("T", eq6),
            "n_T_truncation": ("T", trunc),
            "n_T_window": ("T", w_of_t),
            "g_fit": ("g_coef", res["g_fit"]),
            "g_fit_stderr": ("g_coef", res["g_fit_stderr"]),
            "T_exponent": ((), pw["exponent"]),
            "T_exponent_stderr": ((), pw["exponent_stderr"]),
            "eq6_ratio": ((), ratio),
            "eq6_ratio_stderr": ((), ratio_se),
            "n_T_fit_T_max": ((), float(geo.cfg["fit_T_max"])),
            "n_T_rel_error_max": ((), float(geo.cfg["rel_error_max"])),
        },
        {"T": ("T", t_grid), "g_coef": ("g_coef", ["a", "b"])},
    )
    ds.attrs.update(n_T_fit_points=pw["n_points"])
    return ds


def passes_part(geo: Geometry, runs: Mapping[str, Mapping[str, Any]]):
    """What each pass was: box, realizations, window, states, pairs (wall time: the job log;
    a timing would break the bit-identity of the data)."""
    ps = geo.passes
    rows = {
        "pass_box_length_over_xi_c": [p.n_sites * geo.dx / geo.xi_c for p in ps],
        "pass_realizations": [p.n_real for p in ps],
        "pass_window": [p.w_nt for p in ps],
        "pass_n_states_mean": [float(runs[p.name]["n_states"].mean()) for p in ps],
        "pass_n_pairs_mean": [float(runs[p.name]["n_pairs"].mean()) for p in ps],
    }
    return _dataset(
        {k: ("pass", v) for k, v in rows.items()}, {"pass": ("pass", [p.name for p in ps])}
    )


def parameters_part(geo: Geometry, acc: Mapping[str, Any], xi_c_stderr: float, rho_c_stderr: float):
    """Scalars: the cold parameters used, the S box and the cuts, the sum-rule residual."""
    return _dataset(
        {
            "sum_rule_residual": ((), float(np.max(acc["sum_rule"]))),
            "xi_c": ((), geo.xi_c),
            "xi_c_stderr": ((), xi_c_stderr),
            "rho_c": ((), geo.rho_c),
            "rho_c_stderr": ((), rho_c_stderr),
            "delta_c": ((), geo.delta_c),
            "box_length_over_xi_c": ((), geo.box / geo.xi_c),
            "x_cut": ((), geo.x_cut),
            "margin": ((), geo.margin),
            "n_states_mean": ((), float(acc["n_states"].mean())),
        }
    )


def _global_attrs(geo: Geometry, elapsed: float) -> dict[str, Any]:
    cfg = geo.cfg
    return dict(
        m=geo.m,
        fermi_energy=geo.eps_f,
        dx=geo.dx,
        box_length=geo.box,
        n_realizations=geo.s_pass.n_real,
        n_jackknife_blocks=geo.n_blocks,
        margin=geo.margin,
        x_cut=geo.x_cut,
        energy_bin=geo.de,
        fit_T_max=float(cfg["fit_T_max"]) * geo.delta_c,
        fit_omega_max=float(cfg["fit_omega_max"]) * geo.delta_c,
        seconds=elapsed,
        settings=repr({k: cfg[k] for k in sorted(cfg)}),
    )


def _describe(geo: Geometry) -> str:
    """One log line: cold parameters, the S box and the passes."""
    from .theory import mott_length_eq7

    lm = float(mott_length_eq7(geo.xi_c, geo.delta_c, geo.omega_edges[0]))
    passes = "; ".join(
        f"{p.name} {p.n_real} x {p.n_sites * geo.dx / geo.xi_c:.3g} xi_c, W = {p.w_nt:.3g}, "
        f"{len(p.t_index)} T"
        for p in geo.passes
    )
    return (
        f"spectral: xi_c = {geo.xi_c:.4g}, rho_c = {geo.rho_c:.4g}, Delta_c = {geo.delta_c:.4g}; "
        f"S box {geo.box:g} ({geo.box / geo.xi_c:.3g} xi_c), margin {geo.margin:.3g}, x_cut "
        f"{geo.x_cut:.3g}, l_M(omega_min) = {lm:.4g} vs x_max {geo.x_max:.4g}; passes: {passes}"
    )


def spectral_dataset(
    potential: np.ndarray,
    dx: float,
    m: float,
    eps_F: float,  # noqa: N803 - the paper's symbol
    xi_c: float,
    rho_c: float,
    temperatures: Sequence[float] | np.ndarray | Mapping | None = None,
    settings: Mapping[str, Any] | None = None,
    log: Callable[[str], Any] = print,
    *,
    xi_c_stderr: float = float("nan"),
    rho_c_stderr: float = float("nan"),
    workers: int = 1,
    model: Any = None,
    seed: int | None = None,
):
    """Per-model dataset of SPEC 1.3: S_omega(x), n_T(T), Mott peak, fits.

    Streams over realizations: memory is one realization's eigenpairs plus
    per-realization S (n_omega x n_x) and n_T, kept for the jackknife.

    Parameters
    ----------
    potential : ndarray, shape (n_real, N)
        Disorder realizations U(x_n) [energy] on x_n = n dx (the ``main``
        pass; n_real is also the number R of jackknife blocks).
    dx : float
        Lattice step [length].
    m : float
        Particle mass.
    eps_F : float
        Fermi energy [energy].
    xi_c, rho_c : float
        Localization length [length] and DOS [1/(energy length)] at eps_F
        (localization stage); Delta_c = 1/(rho_c xi_c).
    temperatures : array_like or {min, max, num, spacing}, optional
        T grid [energy] (the workflow passes the hot-cold ``temperatures``);
        default geomspace(0.02, 0.5, 13) Delta_c.
    settings : mapping, optional
        Keys of :data:`DEFAULT_SETTINGS` (missing keys take the defaults).
    log : callable
        Progress messages.
    xi_c_stderr, rho_c_stderr : float
        Standard errors of xi_c, rho_c (stored, propagated into Eq. 6, 7).
    workers : int
        Processes over which the realizations are spread (the result does not
        depend on it).
    model, seed : Model, int, optional
        Disorder model and config seed: needed for the generated passes
        (settings ``mott``, ``bands``; :mod:`hotcold.thermal`).  Without them
        everything runs on ``potential``.

    Returns
    -------
    xarray.Dataset
        dims ``omega``, ``x``, ``T``, ``replica_spec``, ``pass``, ``g_coef``;
        variables and attributes from :data:`SPECTRAL_VARIABLES`.
    """
    import xarray as xr

    pot = np.atleast_2d(np.asarray(potential, dtype=float))
    cfg = _settings(settings)
    if temperatures is not None and np.any(np.asarray(_temperature_grid(temperatures, 1.0)) <= 0):
        raise ValueError(
            "temperatures: the spectral stage needs T > 0 (n_T of Eq. 3 at T <= 0 is not a "
            "thermal average). Fix: remove the temperatures <= 0, or run dimensions: [2] only"
        )
    gen = model is not None and seed is not None
    geo = spectral_geometry(pot.shape, dx, m, eps_F, xi_c, rho_c, temperatures, cfg, log, gen)
    log(_describe(geo))
    runs = {p.name: run_pass(p, geo, pot, model, seed, workers, log) for p in geo.passes}
    acc = runs[geo.s_pass.name]
    parts = [
        spectral_function_part(geo, acc),
        mott_peak_part(geo, acc, xi_c_stderr),
        thermal_part(geo, runs, xi_c_stderr, rho_c_stderr),
        parameters_part(geo, acc, xi_c_stderr, rho_c_stderr),
        passes_part(geo, runs),
    ]
    ds = xr.merge(parts, combine_attrs="no_conflicts")
    return _annotate(ds, geo, sum(r["elapsed"] for r in runs.values()))


def _annotate(ds, geo: Geometry, elapsed: float):
    """Variable table, bin edges, flag meanings and global attributes of the dataset."""
    apply_table(ds, SPECTRAL_VARIABLES)
    ds["omega"].attrs["bin_edges"] = geo.om_rel_edges
    ds["x"].attrs["bin_edges"] = geo.x_edges / geo.xi_c
    ds["n_T_source"].attrs.update(flag_attrs(SOURCES, SPECTRAL_VARIABLES["n_T_source"].long_name))
    for name in ("pass", "g_coef"):  # string labels: long_name only (no units on text)
        ds[name].attrs.pop("units", None)
    ds.attrs.update(_global_attrs(geo, elapsed))
    return ds
