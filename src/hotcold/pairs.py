"""Pair estimators on exact eigenstates: S_omega(x), the pair integrals J_ij and n_T.
(docs/physics.md §1.3).

The estimators are described in :mod:`hotcold.spectral` (module docstring);
here the per-realization sums: :func:`spectral_sums` (S_omega(x)),
:func:`thermal_pairs` and :func:`thermal_pair_integrals` (J_ij),
:func:`thermal_density` (Eq. 3) and :func:`realization_estimate`, which runs
them all on the eigenpairs of one disorder realization.
"""

from __future__ import annotations

import math
from typing import Any

import numba
import numpy as np
from scipy import fft as sfft
from scipy.special import expit

from .eigen import eigenpairs

__all__ = [
    "interior_slice",
    "origin_length",
    "pair_correlation",
    "spectral_pairs",
    "spectral_sums",
    "thermal_pairs",
    "thermal_pair_integrals",
    "fermi",
    "thermal_density",
    "truncation_fraction",
    "window_for",
    "realization_estimate",
]


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
