"""Numba kernels of the 1D transfer-matrix engine (SPEC 1.2; issue 10 item 1).

The engine of :mod:`hotcold.localization` propagates the solution of
-(1/2m) psi'' + U psi = eps psi through a chain of kicks V_n = U_n dx at the
grid points x_n = n dx with exact free motion in between.  At the grid points
this is *exactly* the three-term recursion of a chain of delta potentials
(Kronig-Penney), for each energy (lane) l:

    psi_{n+1} = (A_l + B_l U_n) psi_n - C_l psi_{n-1},

* eps > 0, k = sqrt(2 m eps):  A = 2 cos(k dx), B = 2 m dx sin(k dx)/k, C = 1;
* eps = 0:                     A = 2,           B = 2 m dx^2,          C = 1;
* eps < 0, kappa = sqrt(2 m |eps|), t = exp(-2 kappa dx): the solution is
  stored scaled by exp(-n kappa dx), A = 1 + t, B = m dx (1 - t)/kappa, C = t,
  and kappa dx per cell is added to ln|psi| exactly, so nothing overflows
  however deep below the band bottom.

It is the same solution as the (p, psi'/k) kick-rotation form, at one
multiply-add per cell on the dependency chain instead of four.

Layout: lanes (energies) innermost, in tiles of :data:`TILE` lanes held in
small local arrays, so the loop over lanes is a SIMD loop and the only
sequential dependency is one fused multiply-add per cell.  Node counting is
branch free (``nodes += y * psi < 0``).  The state is renormalised every K
cells, with K from a worst-case growth bound (:func:`renorm_interval`).
Tiles are independent (``prange``) and each lane's arithmetic does not depend
on the thread that runs it, so results are bit-identical for any number of
threads.
"""

from __future__ import annotations

import math

import numba
import numpy as np

__all__ = ["TILE", "recursion_coefficients", "renorm_interval", "advance", "fd3_advance"]

#: Lanes per tile (8 AVX2 vectors of doubles: enough independent chains to hide latency).
TILE = 32
#: Renormalisation keeps the pair norm within exp(+-_LOG_BOUND) between renormalisations.
_LOG_BOUND = math.log(1e150)
_K_MAX = 64
#: Fewer active lanes than this run as scalar chains.
_MIN_SIMD = 6


def recursion_coefficients(
    energies: np.ndarray, m: float, dx: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Coefficients (A, B, C) of the exact kick recursion and the log shift per cell.

    Parameters
    ----------
    energies : ndarray
        Energies [energy], any sign.
    m, dx : float
        Particle mass and grid step [length].

    Returns
    -------
    A, B, C : ndarray
        psi_{n+1} = (A + B U_n) psi_n - C psi_{n-1} (module docstring); B in [1/energy].
    shift : ndarray
        ln-growth per cell added analytically [1] (kappa dx below the band bottom, else 0).
    """
    e = np.asarray(energies, dtype=float)
    s = np.sqrt(2.0 * m * np.abs(e))
    sdx = s * dx
    pos, neg = e > 0, e < 0
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.exp(-2.0 * sdx)
        a = np.where(pos, 2.0 * np.cos(sdx), np.where(neg, 1.0 + t, 2.0))
        b = np.where(
            pos,
            2.0 * m * dx * np.sin(sdx) / s,
            np.where(neg, m * dx * (1.0 - t) / s, 2.0 * m * dx * dx),
        )
    c = np.where(neg, t, 1.0)
    shift = np.where(neg, sdx, 0.0)
    return a, b, c, shift


def renorm_interval(a: np.ndarray, b: np.ndarray, c: np.ndarray, u_max: float) -> int:
    """Cells K between renormalisations, safe for every lane.

    One cell maps the pair (psi_{n-1}, psi_n) with max-norm 1 to one of
    max-norm <= G = |A| + |B| u_max + C, so K cells grow it by at most G^K;
    K = floor(ln(1e150)/ln G), capped at 64, keeps it below 1e150.  Above the
    band bottom (C = 1, det = 1) the same K bounds the decrease by G^-K.
    Deep below it (C = t -> 0) the scaled solution neither grows nor decays
    (A -> 1, B -> 0): it shrinks only by the factor |A + B U_n| of a single
    kick, which would have to be < 1e-300 to underflow.
    """
    g = float(np.max(np.abs(a) + np.abs(b) * u_max + np.abs(c), initial=1.0))
    if g <= 1.0:
        return _K_MAX
    return int(max(1, min(_K_MAX, _LOG_BOUND // math.log(g))))


@numba.njit(cache=True, fastmath=True)
def _lane_chain(u, a, b, c, p, q, logs, nodes, k_renorm, lane):  # pragma: no cover
    """One lane alone (scalar state in registers; the latency-bound tail of a run)."""
    n_rec = logs.shape[0]
    rec = u.size // n_rec
    for r in range(n_rec):
        la = 0.0
        nd = 0
        start = r * rec
        end = start + rec
        while start < end:
            stop = min(start + k_renorm, end)
            for i in range(start, stop):
                y = (a + b * u[i]) * q - c * p
                nd += y * q < 0.0
                p = q
                q = y
            s = max(abs(p), abs(q))
            la += math.log(s)
            s = 1.0 / s
            p *= s
            q *= s
            start = stop
        logs[r, lane] = la
        nodes[r, lane] = nd
    return p, q


@numba.njit(cache=True, fastmath=True)
def _tile(u, a, b, c, x0, x1, logs, nodes, k_renorm, lo, hi):  # pragma: no cover
    """Lanes lo..hi-1 together, padded to a multiple of 16 (the SIMD body, no scalar tail)."""
    w = hi - lo
    wp = ((w + 15) // 16) * 16
    aa, bb, cc = np.empty(wp), np.empty(wp), np.empty(wp)
    p, q = np.empty(wp), np.empty(wp)
    for j in range(wp):
        src = lo + j if j < w else lo  # dummy lanes repeat the first one
        aa[j], bb[j], cc[j], p[j], q[j] = a[src], b[src], c[src], x0[src], x1[src]
    la = np.zeros(wp)
    nd = np.zeros(wp, dtype=np.int64)
    n_rec = logs.shape[0]
    rec = u.size // n_rec
    for r in range(n_rec):
        la[:] = 0.0
        nd[:] = 0
        start = r * rec
        end = start + rec
        while start < end:
            stop = min(start + k_renorm, end)
            for i in range(start, stop):
                ui = u[i]
                for j in range(wp):
                    y = (aa[j] + bb[j] * ui) * q[j] - cc[j] * p[j]
                    nd[j] += y * q[j] < 0.0
                    p[j] = q[j]
                    q[j] = y
            for j in range(wp):
                s = max(abs(p[j]), abs(q[j]))
                la[j] += math.log(s)
                s = 1.0 / s
                p[j] *= s
                q[j] *= s
            start = stop
        for j in range(w):
            logs[r, lo + j] = la[j]
            nodes[r, lo + j] = nd[j]
    for j in range(w):
        x0[lo + j] = p[j]
        x1[lo + j] = q[j]


@numba.njit(cache=True, parallel=True, fastmath=True)
def advance(u, a, b, c, x0, x1, logs, nodes, k_renorm):  # pragma: no cover
    """Advance every lane through the cells ``u`` (potential values [energy]).

    ``x0``, ``x1`` (psi_{n-1}, psi_n per lane) are updated in place.  The
    cells are cut in ``logs.shape[0]`` records of equal length; at the end of
    each record the pair is renormalised to max(|x0|, |x1|) = 1 and
    ``logs[r, l]`` receives ln of its growth over record r (without the
    analytic shift), ``nodes[r, l]`` the number of sign changes of psi in it
    (nodes: exact for k dx < pi).  Lanes go in tiles of up to :data:`TILE`;
    fewer than :data:`_MIN_SIMD` lanes run as scalar chains (faster than a
    mostly empty SIMD tile).  Each lane's arithmetic is the same either way.
    """
    n_l = a.size
    if n_l < _MIN_SIMD:
        for lane in numba.prange(n_l):
            x0[lane], x1[lane] = _lane_chain(
                u, a[lane], b[lane], c[lane], x0[lane], x1[lane], logs, nodes, k_renorm, lane
            )
        return
    n_t = (n_l + TILE - 1) // TILE
    for t in numba.prange(n_t):
        _tile(u, a, b, c, x0, x1, logs, nodes, k_renorm, t * TILE, min(t * TILE + TILE, n_l))


@numba.njit(cache=True)
def fd3_advance(u, energies, m, dx, x0, x1, logs, nodes):  # pragma: no cover
    """Reference: plain 3-point finite differences, energies innermost (benchmark baseline).

    psi_{n+1} = (2 + 2 m dx^2 (U_n - eps)) psi_n - psi_{n-1}; same outputs as
    :func:`advance`, renormalised every 64 cells.  Its lattice dispersion
    differs from the continuum by O((k dx)^2), which the kick recursion avoids.
    """
    n_e = energies.size
    h = 2.0 * m * dx * dx
    base = 2.0 - h * energies
    for e in range(n_e):
        logs[e] = 0.0
        nodes[e] = 0
    for i in range(u.size):
        hu = h * u[i]
        for e in range(n_e):
            y = (base[e] + hu) * x1[e] - x0[e]
            nodes[e] += y * x1[e] < 0.0
            x0[e] = x1[e]
            x1[e] = y
        if (i & 63) == 63 or i == u.size - 1:
            for e in range(n_e):
                r = max(abs(x0[e]), abs(x1[e]))
                logs[e] += math.log(r)
                x0[e] /= r
                x1[e] /= r
