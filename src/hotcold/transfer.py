"""Numba kernels of the 1D transfer-matrix engine (docs/physics.md §1.2; issue 10 item 1).

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
#: Up to this many lanes run in groups of 4 in :func:`_chain4` (state in registers).
_MAX_CHAINS = 8


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


@numba.njit(cache=True, fastmath=True, inline="always")
def _rescale(p, q):  # pragma: no cover
    # One renormalisation of a lane: (ln s, p/s, q/s) with s = max(|p|, |q|), the
    # division as one reciprocal and two multiplies (the same operations in every kernel).
    s = max(abs(p), abs(q))
    r = 1.0 / s
    return math.log(s), p * r, q * r


@numba.njit(cache=True, fastmath=True)
def _chain4(u, a, b, c, x0, x1, logs, nodes, k_renorm):  # pragma: no cover
    # Exactly 4 lanes, written out one by one with their state in scalar locals, so
    # that numba keeps it in registers and the 4 dependency chains overlap: 2.9 ns per
    # cell for 4 lanes, against 6.2 ns for a 16-lane tile (its state goes through
    # memory every cell) or one 1.3 ns chain after the other.  The same arithmetic per
    # lane as _tile (bit-identical, tested).
    a0, a1, a2, a3 = a[0], a[1], a[2], a[3]
    b0, b1, b2, b3 = b[0], b[1], b[2], b[3]
    if c is None:  # every lane above the band bottom: C = 1 folded into the code
        c0, c1, c2, c3 = 1.0, 1.0, 1.0, 1.0
    else:
        c0, c1, c2, c3 = c[0], c[1], c[2], c[3]
    p0, p1, p2, p3 = x0[0], x0[1], x0[2], x0[3]
    q0, q1, q2, q3 = x1[0], x1[1], x1[2], x1[3]
    n_rec = logs.shape[0]
    rec = u.size // n_rec
    for r in range(n_rec):
        l0, l1, l2, l3 = 0.0, 0.0, 0.0, 0.0
        n0, n1, n2, n3 = 0, 0, 0, 0
        start = r * rec
        end = start + rec
        while start < end:
            stop = min(start + k_renorm, end)
            for i in range(start, stop):
                ui = u[i]
                y0 = (a0 + b0 * ui) * q0 - c0 * p0
                y1 = (a1 + b1 * ui) * q1 - c1 * p1
                y2 = (a2 + b2 * ui) * q2 - c2 * p2
                y3 = (a3 + b3 * ui) * q3 - c3 * p3
                n0 += y0 * q0 < 0.0
                n1 += y1 * q1 < 0.0
                n2 += y2 * q2 < 0.0
                n3 += y3 * q3 < 0.0
                p0, p1, p2, p3 = q0, q1, q2, q3
                q0, q1, q2, q3 = y0, y1, y2, y3
            d, p0, q0 = _rescale(p0, q0)
            l0 += d
            d, p1, q1 = _rescale(p1, q1)
            l1 += d
            d, p2, q2 = _rescale(p2, q2)
            l2 += d
            d, p3, q3 = _rescale(p3, q3)
            l3 += d
            start = stop
        logs[r, 0], logs[r, 1], logs[r, 2], logs[r, 3] = l0, l1, l2, l3
        nodes[r, 0], nodes[r, 1], nodes[r, 2], nodes[r, 3] = n0, n1, n2, n3
    x0[0], x0[1], x0[2], x0[3] = p0, p1, p2, p3
    x1[0], x1[1], x1[2], x1[3] = q0, q1, q2, q3


@numba.njit(cache=True)
def _chains(u, a, b, c, x0, x1, logs, nodes, k_renorm, lo, hi):  # pragma: no cover
    """Lanes lo..hi-1 (at most 4) in :func:`_chain4`, padded with copies of lane lo."""
    w = hi - lo
    width = 4
    aa, bb, cc = np.empty(width), np.empty(width), np.empty(width)
    p, q = np.empty(width), np.empty(width)
    for j in range(width):
        src = lo + j if j < w else lo
        aa[j], bb[j], p[j], q[j] = a[src], b[src], x0[src], x1[src]
        cc[j] = 1.0 if c is None else c[src]
    lg = np.empty((logs.shape[0], width))
    nd = np.empty((logs.shape[0], width), dtype=np.int64)
    if c is None:
        _chain4(u, aa, bb, None, p, q, lg, nd, k_renorm)
    else:
        _chain4(u, aa, bb, cc, p, q, lg, nd, k_renorm)
    for j in range(w):
        logs[:, lo + j] = lg[:, j]
        nodes[:, lo + j] = nd[:, j]
        x0[lo + j] = p[j]
        x1[lo + j] = q[j]


@numba.njit(cache=True, fastmath=True)
def _tile(u, a, b, c, x0, x1, logs, nodes, k_renorm, lo, hi):  # pragma: no cover
    """Lanes lo..hi-1 together, padded to a multiple of 16 (the SIMD body, no scalar tail)."""
    w = hi - lo
    wp = ((w + 15) // 16) * 16
    aa, bb, cc = np.empty(wp), np.empty(wp), np.empty(wp)
    p, q = np.empty(wp), np.empty(wp)
    for j in range(wp):
        src = lo + j if j < w else lo  # dummy lanes repeat the first one
        aa[j], bb[j], p[j], q[j] = a[src], b[src], x0[src], x1[src]
        cc[j] = 1.0 if c is None else c[src]
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
                    if c is None:  # C = 1 (compiled apart: no multiply by C)
                        y = (aa[j] + bb[j] * ui) * q[j] - p[j]
                    else:
                        y = (aa[j] + bb[j] * ui) * q[j] - cc[j] * p[j]
                    nd[j] += y * q[j] < 0.0
                    p[j] = q[j]
                    q[j] = y
            for j in range(wp):
                d, p[j], q[j] = _rescale(p[j], q[j])
                la[j] += d
            start = stop
        for j in range(w):
            logs[r, lo + j] = la[j]
            nodes[r, lo + j] = nd[j]
    for j in range(w):
        x0[lo + j] = p[j]
        x1[lo + j] = q[j]


@numba.njit(cache=True, parallel=True)
def _advance_chains(u, a, b, c, x0, x1, logs, nodes, k_renorm, n_g):  # pragma: no cover
    n_l = a.size
    size = (n_l + n_g - 1) // n_g
    for g in numba.prange(n_g):
        _chains(u, a, b, c, x0, x1, logs, nodes, k_renorm, g * size, min(n_l, g * size + size))


@numba.njit(cache=True, parallel=True)
def _advance_tiles(u, a, b, c, x0, x1, logs, nodes, k_renorm):  # pragma: no cover
    n_l = a.size
    n_t = (n_l + TILE - 1) // TILE
    for t in numba.prange(n_t):
        _tile(u, a, b, c, x0, x1, logs, nodes, k_renorm, t * TILE, min(t * TILE + TILE, n_l))


def advance(
    u: np.ndarray,
    a: np.ndarray,
    b: np.ndarray,
    c: np.ndarray,
    x0: np.ndarray,
    x1: np.ndarray,
    logs: np.ndarray,
    nodes: np.ndarray,
    k_renorm: int,
) -> None:
    """Advance every lane through the cells ``u`` (potential values [energy]).

    ``x0``, ``x1`` (psi_{n-1}, psi_n per lane) are updated in place.  The
    cells are cut in ``logs.shape[0]`` records of equal length; at the end of
    each record the pair is renormalised to max(|x0|, |x1|) = 1 and
    ``logs[r, l]`` receives ln of its growth over record r (without the
    analytic shift), ``nodes[r, l]`` the number of sign changes of psi in it
    (nodes: exact for k dx < pi).  Lanes go in tiles of up to :data:`TILE`;
    up to 8 lanes (the tail of a run, where the long-xi energies run alone)
    go in groups of at most 4 through the register kernel ``_chain4``
    instead, 2.1x faster than a mostly empty SIMD tile; with several numba
    threads, at least two groups.  Each lane's arithmetic is the same either
    way: bit-identical results (tested).
    """
    n_l = a.size
    # every lane above the band bottom (C = 1): kernels compiled without the multiply by
    # C on the dependency chain (c=None), 1.2x faster, same bits (x * 1.0 == x)
    cu = None if bool(np.all(c == 1.0)) else c
    if n_l <= _MAX_CHAINS:
        n_g = (n_l + 3) // 4
        if numba.get_num_threads() > 1 and n_l > 1:
            n_g = max(n_g, 2)
        _advance_chains(u, a, b, cu, x0, x1, logs, nodes, k_renorm, n_g)
    else:
        _advance_tiles(u, a, b, cu, x0, x1, logs, nodes, k_renorm)


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
