"""Localization length of a 2D strip by transfer matrices (MacKinnon-Kramer).

Model
-----
Units hbar = 1, mass m.  The continuum -(1/2m) nabla^2 + U is discretized on
a square lattice of step a with hopping t = 1/(2 m a^2).  A strip is infinite
in x (slices x = 0, 1, 2, ...) and has M sites across, periodic in y.  Energies
are measured from the clean band bottom (on-site term 4t + V(x, y)), so the
clean continuum limit is E = k^2/2m.  At energy E,

    -t (psi_{x+1} + psi_{x-1}) + (H_perp(x) + V_x) psi_x = E psi_x,

    (H_perp(x) psi)(y) = 4t psi(y) - t e^{i theta_x} psi(y-1) - t e^{-i theta_x} psi(y+1),

with y +- 1 taken mod M.  The written-out stencil covers the degenerate
widths: for M = 2 the two bonds join the same pair of sites, H_perp =
4t - 2t cos(theta_x) sigma_x; for M = 1 both neighbours are the site itself
(S = identity), H_perp = 4t - 2t cos(theta_x), i.e. 2t without flux (a 1D
chain with the on-site 2t of its x-bonds).

Magnetic flux (broken time reversal, Eq. (30) of the paper): phi flux quanta
per plaquette in the Landau gauge A = (0, phi x): the hop y-1 -> y at slice x
carries the Peierls phase e^{i theta_x}, theta_x = 2 pi phi x, so the phase
around every plaquette (counter-clockwise) is 2 pi phi for any M (no
commensurability condition; the periodic y direction then also encloses an
Aharonov-Bohm flux M phi x, which is what this gauge means on a cylinder).
theta_x is computed as 2 pi frac(phi x), so an integer phi gives phases of
exactly 1 (gauge equivalent to phi = 0).  Slices are counted from the ``x0``
argument, so a run continued in pieces uses the same gauge.

Transfer matrix: (psi_{x+1}, psi_x) = T_x (psi_x, psi_{x-1}),
T_x = [[(H_perp(x) + V_x - E)/t, -1], [1, 0]] (2M x 2M; real without flux).
It is symplectic, T^T J T = J (complex: T^H J T = J), J = [[0, 1], [-1, 0]],
so the 2M exponents come in pairs +-gamma_j.

Algorithm
---------
A 2M x M frame (start: [1; 0], a Lagrangian frame) is propagated, and every
n_qr slices factored F = Q R; Q is the next frame and ln|R_ii| accumulate.
gamma_j = (sum ln|R_jj|)/n_slices per slice (gamma_j/a per length), and the
strip localization length in the project's intensity convention is
xi_M = a/(2 gamma_min) [length], gamma_min = gamma_M per slice.

* Propagation: the 2M x M frame is stored column-major (the layout LAPACK
  takes without a copy) and every column is advanced through all n_qr slices
  of an interval before the next column (columns are independent between
  re-orthonormalizations), so the working set is three M-vectors in L1 and
  the stencil is 4 M^2 real flops per slice (complex: 4 complex multiply-adds
  per site, 14 M^2 real flops).  numba, no parallel reductions: results do
  not depend on the thread count.
* Re-orthonormalization: single-pass CholeskyQR (G = F^H F by ?syrk/?herk,
  R = chol(G) by ?potrf, Q = F R^{-1} by ?trsm: BLAS-3, 13/3 M^3 flops real).
  Chosen by measurement (1 BLAS thread, this machine, M = 128; see
  benchmarks/bench_strip.py): geqrf+orgqr (20/3 M^3 flops) ran at 15 GFLOP/s,
  934 us; CholeskyQR2 (26/3 M^3) at 23 GFLOP/s, 800 us; one CholeskyQR pass
  about 310 us.  One pass leaves Q orthogonal only to ~ u kappa(F)^2 (u = 1.1e-16),
  but that does not bias anything: F = Q R holds to rounding whatever Q's
  orthogonality, so the products telescope, P Q_0 = Q_N R_N ... R_1, and a
  slightly non-orthogonal Q_N changes the accumulated ln R_ii by
  O(||Q_N^H Q_N - 1||) once, not per interval.  The n_qr rule keeps kappa(F)
  <= ~1e5 (orthogonality ~1e-6).  Safeguards, all data dependent and so
  deterministic: a second pass (CholeskyQR2) when max|R_ii|/min|R_ii| exceeds
  1e6 (a lower bound of kappa), and Householder QR (?geqrf + ?orgqr) when the
  Cholesky factorization breaks down.  :func:`lyapunov_spectrum` ends with one
  extra pass so the frame it returns is orthonormal to rounding.
  ``qr="householder"`` selects Householder QR throughout.
* n_qr rule: kappa(F) ~ exp((gamma_1 - gamma_M) n_qr) <= exp(gamma_1 n_qr), so
  n_qr = max(1, floor(LOG_KAPPA / gamma_1)) with LOG_KAPPA = ln(1e5) = 11.5
  (CholeskyQR) or ln(1e8) = 18.4 (Householder, whose error grows only like
  u kappa).  gamma_1 is bounded from the clean spectrum (the most evanescent
  channel, cosh gamma = max|eps_perp - E|/(2t)) plus the on-site disorder
  amplitude (:func:`gamma_max_bound`); :func:`strip_lyapunov` refines it by
  the gamma_1 measured in a pilot run.

Statistics
----------
:func:`strip_lyapunov` discards a warm-up (the pilot, and at least
``warmup_xi`` xi_M), then accumulates sum ln|R_MM| per block of
``block_slices`` slices (default 20 xi_M/a, a multiple of n_qr).  The
per-block gamma_min are grouped in up to 32 consecutive groups and the standard
error of xi_M = a/(2 mean gamma_min) is the blocked jackknife of
:mod:`hotcold.stats`.  The run stops when the relative standard error reaches
``rel_error`` (with at least 16 blocks) or when ``max_slices`` slices have been
used (``cap_hit``).  BLAS runs on one thread (threadpoolctl), so results are
bit-identical for identical inputs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Protocol

import numba
import numpy as np
from scipy.linalg import blas as _blas
from scipy.linalg import lapack as _lapack

from .stats import blocked_jackknife

__all__ = [
    "LOG_KAPPA",
    "PotentialSource",
    "Spectrum",
    "StripResult",
    "clean_exponents",
    "gamma_max_bound",
    "choose_n_qr",
    "transfer_matrix",
    "lyapunov_spectrum",
    "strip_lyapunov",
    "stencil_flops",
    "qr_flops",
]

#: Largest ln(condition number) of the frame between re-orthonormalizations, per method.
LOG_KAPPA = {"cholesky": math.log(1e5), "householder": math.log(1e8)}
#: A second CholeskyQR pass when max|R_ii|/min|R_ii| exceeds this (kappa >= that ratio).
_RATIO_SECOND_PASS = math.log(1e6)
#: Jackknife groups of consecutive blocks (as the 1D engine's 32 batches).
_N_GROUPS = 32
_MIN_BLOCKS = 16


class PotentialSource(Protocol):
    """Anything with ``take(n) -> ndarray (n, M)``: the next n slices of V(x, y) [energy]."""

    def take(self, n: int) -> np.ndarray: ...


# ---------------------------------------------------------------------------
# Clean strip and bounds
# ---------------------------------------------------------------------------


def clean_exponents(M: int, t: float, E: float) -> np.ndarray:
    """Exact per-slice exponents of the clean strip (V = 0, no flux), descending.

    Transverse mode k_y = 2 pi j/M has eps_perp = 4t - 2t cos k_y and obeys
    psi_{x+1} + psi_{x-1} = lambda psi_x, lambda = (eps_perp - E)/t: growth
    rate arccosh(|lambda|/2) if |lambda| > 2 (evanescent), 0 otherwise.

    Parameters
    ----------
    M : int
        Sites across the strip.
    t, E : float
        Hopping and energy [energy].

    Returns
    -------
    ndarray (M,)
        gamma_j per slice [1] (divide by a for per length).
    """
    k = 2.0 * np.pi * np.arange(M) / M
    lam = np.abs(4.0 * t - 2.0 * t * np.cos(k) - E) / t
    g = np.where(lam > 2.0, np.arccosh(np.maximum(lam, 2.0) / 2.0), 0.0)
    return np.sort(g)[::-1]


def gamma_max_bound(t: float, E: float, v_scale: float = 0.0) -> float:
    """Estimate of the largest exponent gamma_1 per slice [1].

    cosh gamma_1 = (max |eps_perp - E| + v_scale)/(2t), eps_perp in [0, 8t]:
    the most evanescent clean channel with its on-site term raised by
    ``v_scale`` [energy] (e.g. a few disorder standard deviations).
    """
    lam = (max(abs(8.0 * t - E), abs(E)) + abs(v_scale)) / t
    return float(math.acosh(max(lam / 2.0, 1.0)))


def choose_n_qr(gamma_1: float, qr: str = "cholesky") -> int:
    """Slices between re-orthonormalizations: floor(LOG_KAPPA[qr]/gamma_1), at least 1."""
    if gamma_1 <= 0:
        return 64
    return int(max(1, min(64, LOG_KAPPA[qr] // gamma_1)))


def transfer_matrix(V_x: np.ndarray, t: float, E: float, theta: float = 0.0) -> np.ndarray:
    """Explicit T_x (2M x 2M) for one slice, for checks (the engine never forms it).

    Parameters
    ----------
    V_x : ndarray (M,)
        On-site potential of the slice [energy].
    t, E : float
        Hopping and energy [energy].
    theta : float
        Peierls phase 2 pi phi x of the slice's y-hops [rad].
    """
    M = V_x.size
    h = np.zeros((M, M), dtype=complex)
    p = np.exp(1j * theta)
    for y in range(M):
        h[y, y] += 4.0 * t + V_x[y]
        h[y, (y - 1) % M] -= t * p
        h[y, (y + 1) % M] -= t * np.conj(p)
    if theta == 0.0:
        h = h.real
    out = np.zeros((2 * M, 2 * M), dtype=h.dtype)
    out[:M, :M] = (h - E * np.eye(M)) / t
    out[:M, M:] = -np.eye(M)
    out[M:, :M] = np.eye(M)
    return out


# ---------------------------------------------------------------------------
# Kernels
# ---------------------------------------------------------------------------


@numba.njit(cache=True, inline="always")
def _step_real(d, a, b, c, M):  # pragma: no cover
    # c = (4t + V - E)/t a - a(y-1) - a(y+1) - b, y +- 1 mod M (M = 1, 2 included)
    c[0] = d[0] * a[0] - a[M - 1] - a[1 % M] - b[0]
    for y in range(1, M - 1):
        c[y] = d[y] * a[y] - a[y - 1] - a[y + 1] - b[y]
    if M > 1:
        c[M - 1] = d[M - 1] * a[M - 1] - a[M - 2] - a[0] - b[M - 1]


@numba.njit(cache=True, inline="always")
def _step_complex(d, p, a, b, c, M):  # pragma: no cover
    # As _step_real with the Peierls phase p = e^{i theta_x} on the hop y-1 -> y.
    q = np.conj(p)
    c[0] = d[0] * a[0] - p * a[M - 1] - q * a[1 % M] - b[0]
    for y in range(1, M - 1):
        c[y] = d[y] * a[y] - p * a[y - 1] - q * a[y + 1] - b[y]
    if M > 1:
        c[M - 1] = d[M - 1] * a[M - 1] - p * a[M - 2] - q * a[0] - b[M - 1]


@numba.njit(cache=True)
def _advance(frame, diag, phase):  # pragma: no cover
    # frame (2M, M) column-major: rows :M = psi_x, rows M: = psi_{x-1}; diag (n, M) =
    # (4t + V - E)/t; phase (n,) = e^{i theta_x} or None (real path).  Each column runs
    # through all n slices before the next one (three M-vectors in L1), the slice loop
    # unrolled by 3 so that the buffers are never swapped (measured 1.5-2x faster).
    two_m, ncol = frame.shape
    M = two_m // 2
    n = diag.shape[0]
    buf = np.empty((3, M), frame.dtype)
    a, b, c = buf[0], buf[1], buf[2]
    for j in range(ncol):
        for y in range(M):
            a[y] = frame[y, j]
            b[y] = frame[M + y, j]
        s = 0
        while s < n:
            r = min(3, n - s)
            if phase is None:
                _step_real(diag[s], a, b, c, M)
                if r > 1:
                    _step_real(diag[s + 1], c, a, b, M)
                if r > 2:
                    _step_real(diag[s + 2], b, c, a, M)
            else:
                _step_complex(diag[s], phase[s], a, b, c, M)
                if r > 1:
                    _step_complex(diag[s + 1], phase[s + 1], c, a, b, M)
                if r > 2:
                    _step_complex(diag[s + 2], phase[s + 2], b, c, a, M)
            s += r
        # after r = 1: (c, a); r = 2: (b, c); r = 3: (a, b) are (psi_x, psi_{x-1})
        if r == 1:
            for y in range(M):
                frame[y, j] = c[y]
                frame[M + y, j] = a[y]
        elif r == 2:
            for y in range(M):
                frame[y, j] = b[y]
                frame[M + y, j] = c[y]
        else:
            for y in range(M):
                frame[y, j] = a[y]
                frame[M + y, j] = b[y]


def _phases(flux: float, x0: int, n: int) -> np.ndarray:
    """e^{i 2 pi frac(phi x)} for x = x0 .. x0 + n - 1 (exactly 1 for integer phi x)."""
    x = np.arange(x0, x0 + n, dtype=float)
    frac = np.mod(flux * x, 1.0)
    return np.exp(2j * np.pi * frac)


class _Orthonormalizer:
    """Re-orthonormalization of a column-major frame by CholeskyQR or Householder QR."""

    def __init__(self, dtype: np.dtype, qr: str) -> None:
        if qr not in LOG_KAPPA:
            raise ValueError(f"qr must be one of {sorted(LOG_KAPPA)}, got {qr!r}")
        self.qr = qr
        self.complex = np.issubdtype(dtype, np.complexfloating)
        arr = np.empty((1, 1), dtype=dtype)
        self.gram = _blas.get_blas_funcs("herk" if self.complex else "syrk", (arr,))
        self.trsm = _blas.get_blas_funcs("trsm", (arr,))
        self.potrf = _lapack.get_lapack_funcs("potrf", (arr,))
        self.geqrf = _lapack.get_lapack_funcs("geqrf", (arr,))
        self.orgqr = _lapack.get_lapack_funcs("ungqr" if self.complex else "orgqr", (arr,))
        self.n_fallback = 0
        self.n_second = 0

    def householder(self, f: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        qr, tau, _, info = self.geqrf(f, overwrite_a=True)
        if info != 0:
            raise RuntimeError(f"geqrf failed (info={info})")
        logs = np.log(np.abs(np.diagonal(qr)))
        q, _, info = self.orgqr(qr, tau, overwrite_a=True)
        if info != 0:
            raise RuntimeError(f"orgqr failed (info={info})")
        return q, logs

    def cholesky_pass(self, f: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
        """One CholeskyQR pass (Q, ln R_ii), or None if the Cholesky factorization broke down."""
        g = self.gram(1.0, f, trans=2 if self.complex else 1)
        r, info = self.potrf(g, lower=0, clean=0, overwrite_a=True)
        if info != 0:
            return None
        q = self.trsm(1.0, r, f, side=1, lower=0, overwrite_b=True)
        return q, np.log(np.abs(np.diagonal(r).real))

    def __call__(self, f: np.ndarray, force_second: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """(Q, ln|R_ii|) of F = Q R; F (2M, M) column-major is overwritten."""
        if self.qr == "householder":
            return self.householder(f)
        keep = f.copy(order="F")
        out = self.cholesky_pass(f)
        if out is None:
            self.n_fallback += 1
            return self.householder(keep)
        q, logs = out
        if force_second or logs.max() - logs.min() > _RATIO_SECOND_PASS:
            self.n_second += 1
            out2 = self.cholesky_pass(q)
            if out2 is None:
                self.n_fallback += 1
                return self.householder(keep)
            q, logs2 = out2
            logs = logs + logs2
        return q, logs


class _Propagator:
    """Frame, slice counter and QR state of one strip run (the engine's only state)."""

    def __init__(self, M: int, t: float, E: float, flux: float, n_qr: int, qr: str, frame, x0):
        if M < 1:
            raise ValueError(f"M must be >= 1, got {M}")
        if not (t > 0):
            raise ValueError(f"hopping t must be > 0, got {t}")
        if n_qr < 1:
            raise ValueError(f"n_qr must be >= 1, got {n_qr}")
        self.M, self.t, self.E, self.flux, self.n_qr = M, float(t), float(E), float(flux), n_qr
        cplx = flux != 0.0 or (frame is not None and np.iscomplexobj(frame))
        dtype = np.complex128 if cplx else np.float64
        if frame is None:
            frame = np.zeros((2 * M, M), dtype=dtype, order="F")
            frame[:M, :M] = np.eye(M)
        frame = np.asarray(frame)
        if frame.shape != (2 * M, M):
            raise ValueError(f"frame must be (2M, M) = {(2 * M, M)}, got {frame.shape}")
        self.frame = np.array(frame, dtype=dtype, order="F")
        self.x = int(x0)
        self.ortho = _Orthonormalizer(np.dtype(dtype), qr)

    def run(self, V: np.ndarray) -> np.ndarray:
        """Propagate through V (n, M) [energy]; ln|R_ii| per interval (ceil(n/n_qr), M)."""
        V = np.asarray(V, dtype=np.float64)
        if V.ndim != 2 or V.shape[1] != self.M:
            raise ValueError(f"V must be (n, M={self.M}), got {V.shape}")
        n = V.shape[0]
        diag = (V + (4.0 * self.t - self.E)) / self.t
        phase = _phases(self.flux, self.x, n) if self.frame.dtype == np.complex128 else None
        n_int = -(-n // self.n_qr)
        logs = np.empty((n_int, self.M))
        f = self.frame
        for k in range(n_int):
            sl = slice(k * self.n_qr, min(n, (k + 1) * self.n_qr))
            _advance(f, diag[sl], None if phase is None else phase[sl])
            f, logs[k] = self.ortho(f)
        self.frame = f
        self.x += n
        return logs

    def finalize(self) -> np.ndarray:
        """One more pass so the frame is orthonormal to rounding; its ln R_ii (M,)."""
        if self.ortho.qr == "householder":
            return np.zeros(self.M)
        self.frame, logs = self.ortho(self.frame, force_second=False)
        return logs


def _blas_one_thread():
    """A context that runs BLAS on one thread (threadpoolctl; bit-identical results)."""
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1, user_api="blas")


# ---------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Spectrum:
    """Lyapunov spectrum of a fixed stretch of strip.

    Attributes
    ----------
    gamma : ndarray (M,)
        (sum ln|R_jj|)/n_slices per slice [1] (divide by a for per length).
    log_r : ndarray (n_intervals, M)
        ln|R_jj| of every re-orthonormalization (the last row includes the
        final clean-up pass).
    frame : ndarray (2M, M)
        Orthonormal frame after the last slice (pass it back to continue).
    n_slices : int
    n_qr : int
    """

    gamma: np.ndarray
    log_r: np.ndarray
    frame: np.ndarray
    n_slices: int
    n_qr: int


def lyapunov_spectrum(
    V: np.ndarray,
    t: float,
    E: float,
    flux: float = 0.0,
    n_qr: int | None = None,
    frame: np.ndarray | None = None,
    *,
    x0: int = 0,
    qr: str = "cholesky",
) -> Spectrum:
    """Lyapunov exponents of the strip over the slices of a fixed potential array.

    Parameters
    ----------
    V : ndarray (n, M)
        On-site potential V(x, y) [energy], slices x = x0 .. x0 + n - 1.
    t : float
        Hopping 1/(2 m a^2) [energy].
    E : float
        Energy above the clean band bottom [energy].
    flux : float
        Flux per plaquette in flux quanta (Landau gauge of the module docstring).
    n_qr : int, optional
        Slices between re-orthonormalizations (default :func:`choose_n_qr` of
        :func:`gamma_max_bound` with v_scale = 4 std(V)).
    frame : ndarray (2M, M), optional
        Initial frame (default [1; 0]); a complex frame runs the complex path
        even with flux = 0.
    x0 : int
        Index of the first slice (the gauge's x).
    qr : {"cholesky", "householder"}

    Returns
    -------
    Spectrum
    """
    V = np.asarray(V, dtype=np.float64)
    M = V.shape[1]
    if n_qr is None:
        n_qr = choose_n_qr(gamma_max_bound(t, E, 4.0 * float(V.std()) if V.size else 0.0), qr)
    with _blas_one_thread():
        prop = _Propagator(M, t, E, flux, int(n_qr), qr, frame, x0)
        logs = prop.run(V)
        if logs.shape[0]:
            logs[-1] += prop.finalize()
    n = V.shape[0]
    gamma = logs.sum(axis=0) / n if n else np.zeros(M)
    return Spectrum(gamma=gamma, log_r=logs, frame=prop.frame, n_slices=n, n_qr=int(n_qr))


@dataclass(frozen=True)
class StripResult:
    """Error-controlled strip localization length.

    Attributes
    ----------
    xi_M : float
        a/(2 gamma_min) [length] (intensity convention).
    xi_M_stderr : float
        Blocked-jackknife standard error of xi_M [length].
    gamma : ndarray (M,)
        Mean of all M exponents over the measured slices [1/length], descending.
    n_slices : int
        Slices measured (after the warm-up).
    cap_hit : bool
        The run stopped at ``max_slices`` before reaching ``rel_error``.
    n_qr : int
        Slices between re-orthonormalizations.
    warmup_slices, block_slices, n_blocks : int
    a : float
        Lattice step [length].
    """

    xi_M: float
    xi_M_stderr: float
    gamma: np.ndarray
    n_slices: int
    cap_hit: bool
    n_qr: int
    warmup_slices: int
    block_slices: int
    n_blocks: int
    a: float

    @property
    def rel_stderr(self) -> float:
        """xi_M_stderr / xi_M."""
        return self.xi_M_stderr / self.xi_M


def _xi_jackknife(block_gmin: np.ndarray, a: float) -> tuple[float, float]:
    """xi = a/(2 mean gamma_min) and its blocked-jackknife stderr [length]."""
    n_groups = min(_N_GROUPS, block_gmin.size)

    def xi(s: np.ndarray) -> float:
        g = float(np.mean(s))
        return a / (2.0 * g) if g > 0 else math.inf

    full, se, _ = blocked_jackknife(block_gmin, n_groups, xi)
    return float(full), float(se)


def _pilot(source, M, t, E, flux, n_qr, qr, pilot_slices, warmup_xi, block_slices):
    """Pilot and warm-up of :func:`strip_lyapunov`: the propagator past the warm-up and the
    block length (n_qr from the clean bound, then from the measured gamma_1)."""
    v0 = np.asarray(source.take(pilot_slices), dtype=np.float64)
    nq0 = choose_n_qr(gamma_max_bound(t, E, 4.0 * float(v0.std())), qr)
    prop = _Propagator(M, t, E, flux, nq0 if n_qr is None else int(n_qr), qr, None, 0)
    logs = prop.run(v0)
    half = logs[logs.shape[0] // 2 :]  # second half: past the initial transient
    span = max(1, min(pilot_slices, half.shape[0] * prop.n_qr))
    g_pilot = half.sum(axis=0) / span
    if n_qr is None:
        prop.n_qr = choose_n_qr(float(g_pilot.max()), qr)
    g_min = float(g_pilot.min())
    xi_slices = 1.0 / (2.0 * g_min) if g_min > 0 else float(pilot_slices)
    nq = prop.n_qr
    if block_slices is None:
        block_slices = max(64 * nq, int(math.ceil(20.0 * xi_slices)))
    block_slices = int(-(-int(block_slices) // nq) * nq)
    extra = int(math.ceil(warmup_xi * xi_slices)) - pilot_slices  # rest of the warm-up
    if extra > 0:
        prop.run(source.take(-(-extra // nq) * nq))
    return prop, block_slices


def _measure(prop, source, M, a, rel_error, max_slices, block_slices):
    """Blocks of :func:`strip_lyapunov` until the target error or the cap: the per-block
    sums of the exponents, the block count, xi_M, its stderr and whether the cap was hit."""
    max_blocks = max(_MIN_BLOCKS, int(max_slices // block_slices))
    block_sums = np.zeros((max_blocks, M))
    n_b = 0
    xi = se = math.nan
    while True:
        block_sums[n_b] = prop.run(source.take(block_slices)).sum(axis=0)
        n_b += 1
        if n_b >= _MIN_BLOCKS:
            xi, se = _xi_jackknife(block_sums[:n_b, M - 1] / block_slices, a)
            if np.isfinite(xi) and se <= rel_error * xi:
                return block_sums, n_b, xi, se, False
            if n_b >= max_blocks:
                return block_sums, n_b, xi, se, True


def strip_lyapunov(
    source: PotentialSource,
    M: int,
    t: float,
    E: float,
    *,
    a: float,
    flux: float = 0.0,
    rel_error: float = 0.02,
    max_slices: int = 4_000_000,
    block_slices: int | None = None,
    n_qr: int | None = None,
    qr: str = "cholesky",
    pilot_slices: int = 2048,
    warmup_xi: float = 5.0,
) -> StripResult:
    """xi_M of a strip of width M a to a target relative standard error.

    Parameters
    ----------
    source : PotentialSource
        ``take(n)`` gives the next n slices of V(x, y), shape (n, M) [energy].
    M : int
        Sites across (periodic).
    t : float
        Hopping 1/(2 m a^2) [energy].
    E : float
        Energy above the clean band bottom [energy] (no disorder shift applied).
    a : float
        Lattice step [length].
    flux : float
        Flux per plaquette [flux quanta].
    rel_error : float
        Target relative standard error of xi_M.
    max_slices : int
        Cost cap: slices measured after the warm-up.
    block_slices : int, optional
        Slices per block (default 20 xi_M/a from the pilot, at least 64 n_qr,
        rounded up to a multiple of n_qr).
    n_qr : int, optional
        Slices between re-orthonormalizations (default: :func:`choose_n_qr`
        of the gamma_1 measured in the pilot).
    qr : {"cholesky", "householder"}
    pilot_slices : int
        Slices of the pilot run (part of the warm-up, never measured).
    warmup_xi : float
        The warm-up spans at least this many xi_M (pilot estimate).

    Returns
    -------
    StripResult
    """
    if not (rel_error > 0):
        raise ValueError(f"rel_error must be > 0, got {rel_error}")
    if not (a > 0):
        raise ValueError(f"lattice step a must be > 0, got {a}")
    with _blas_one_thread():
        prop, block_slices = _pilot(source, M, t, E, flux, n_qr, qr, pilot_slices, warmup_xi,
                                    block_slices)  # fmt: skip
        warmup = prop.x
        block_sums, n_b, xi, se, cap_hit = _measure(
            prop, source, M, a, rel_error, max_slices, block_slices
        )
    n_slices = n_b * block_slices
    gamma = block_sums[:n_b].sum(axis=0) / n_slices / a
    return StripResult(
        xi_M=xi,
        xi_M_stderr=se,
        gamma=gamma,
        n_slices=n_slices,
        cap_hit=cap_hit,
        n_qr=prop.n_qr,
        warmup_slices=warmup,
        block_slices=block_slices,
        n_blocks=n_b,
        a=float(a),
    )


def stencil_flops(M: int, complex_: bool = False) -> float:
    """Real flops per slice of the stencil update of the 2M x M frame.

    Real: 1 multiply + 3 subtractions per site and column, 4 M^2.  Complex:
    real x complex (2) + 2 complex multiply-adds (8) + 4 additions, 14 M^2.
    """
    return (14.0 if complex_ else 4.0) * M * M


def qr_flops(M: int, qr: str = "cholesky", complex_: bool = False) -> float:
    """Real flops of one re-orthonormalization of the 2M x M frame.

    CholeskyQR: syrk 2 M^3 (n^2 k for n = M, k = 2M) + potrf M^3/3 + trsm 2 M^3
    (m n^2 for m = 2M, n = M) = 13/3 M^3.  Householder: geqrf 2 n^2 (m - n/3)
    = 10/3 M^3 and orgqr the same, 20/3 M^3.  Complex: x 4.
    """
    base = 13.0 / 3.0 if qr == "cholesky" else 20.0 / 3.0
    return base * M**3 * (4.0 if complex_ else 1.0)
