"""Single-particle localization length in 1D by transfer matrices (docs/physics.md §1.2).

Engine
------
The potential is represented by kicks V_n = U(x_n) dx at the grid points
x_n = n dx (for white noise V_n ~ N(0, w dx), whose spectrum is exactly
S_U(q) = w at every q).  Between kicks the particle propagates *freely and
exactly*, so at the grid points psi obeys the exact three-term recursion of
a chain of delta potentials, psi_{n+1} = (A + B U_n) psi_n - C psi_{n-1}
(:mod:`hotcold.transfer`: coefficients, the scaled form below the band bottom
that never overflows, and the SIMD kernel with the energies innermost).  The
only discretisation error is in the sampling of U (aliasing of S_U, and
lattice effects for k dx -> pi/2), which :func:`choose_dx` keeps below a
fraction of the statistical target; a plain 3-point finite-difference
recursion (:func:`hotcold.transfer.fd3_advance`, the benchmark's baseline)
has in addition a dispersion error ~ (k dx)^2/4.

Estimates
---------
gamma = lim (1/L) ln |psi(L)|, xi = 1/(2 gamma) (the paper's convention,
Eq. 2), the integrated DOS N(eps) = (number of nodes)/L and its derivative
rho = dN/deps from a pair of shadow energies eps -+ delta.  All energies share
one disorder stream, cut in chunks (the first kernel call is burn-in); per-chunk
increments of ln|psi| and node counts are accumulated per energy.  Errors come
from B independent batches (consecutive blocks of chunks, B = 32): every
estimate has B leave-one-batch-out replicas, and its standard error is their
jackknife spread, var = (B-1)/B sum_k (x_k - mean x)^2 (:mod:`hotcold.stats`).  Each
energy runs until the relative standard error of gamma reaches the target
(``converged``) or its cost cap is hit (``cost_cap``); energies whose Born
estimate predicts a cost far above the cap are not attempted (``born_only``).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .datasets import PARAMETER_VARIABLES, Var
from .disorder import Model, PotentialStream, model_seed
from .stats import block_edges, jackknife_stderr, measured_else
from .theory import clean_dos, clean_idos, lyapunov_born, wavevector
from .transfer import advance, recursion_coefficients, renorm_interval

__all__ = [
    "STATUS",
    "LyapunovResult",
    "LOCALIZATION_VARIABLES",
    "discretization_bias",
    "choose_dx",
    "batch_bounds",
    "jackknife_replicas",
    "jackknife_stderr",
    "batch_stderr",
    "run_lyapunov",
    "localization_dataset",
    "cold_parameters",
    "measure_xi",
]

#: Per-energy outcome codes (stored as CF flags).
STATUS = ("converged", "cost_cap", "born_only")
#: Origin of xi (CF flags).
XI_SOURCE = ("measured", "born")
JACKKNIFE = "leave-one-out over independent batches"
#: Cells per kernel call (several chunks: the stopping checks run once per call).
_BLOCK = 1 << 17


#: Edges of ``n_batches`` consecutive, disjoint batches covering ``n`` chunks:
#: batch k holds chunks [edges[k], edges[k+1]); sizes differ by at most one.
batch_bounds = block_edges


def jackknife_replicas(cum: np.ndarray, n: int, n_batches: int) -> tuple[np.ndarray, np.ndarray]:
    """Full mean and leave-one-batch-out means from cumulative sums.

    Parameters
    ----------
    cum : ndarray (n_chunks + 1, ...)
        cum[j] = sum of the first j per-chunk values (cum[0] = 0).
    n : int
        Chunks used (cum[n] is the total).
    n_batches : int
        B, the number of batches (:func:`batch_bounds`).

    Returns
    -------
    mean : ndarray (...)
        Mean per chunk over all n chunks.
    replicas : ndarray (B, ...)
        Mean per chunk over all chunks except those of batch k.
    """
    edges = batch_bounds(n, n_batches)
    return _from_edges(cum[edges], edges)


def _from_edges(rows: np.ndarray, edges: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`jackknife_replicas` from the cumulative sums at the batch edges only."""
    total = rows[-1] - rows[0]
    sums = np.diff(rows, axis=0)
    sizes = np.diff(edges).reshape((-1,) + (1,) * (rows.ndim - 1))
    n = edges[-1] - edges[0]
    return total / n, (total - sums) / (n - sizes)


def batch_stderr(per_chunk: np.ndarray, n_batches: int = 32) -> tuple[float, float, int]:
    """Mean per chunk and its jackknife standard error over min(n_batches, n) batches.

    Returns (mean, stderr, number of batches).  For equal batches this is the
    batch-means error s/sqrt(B) exactly.
    """
    n = per_chunk.size
    nb = min(n_batches, n)
    if nb < 2:
        return float(per_chunk.mean()), math.inf, nb
    cum = np.concatenate([[0.0], np.cumsum(per_chunk)])
    mean, rep = jackknife_replicas(cum, n, nb)
    return float(mean), float(jackknife_stderr(rep)), nb


def discretization_bias(model: Model, energies: np.ndarray, m: float, dx: float) -> np.ndarray:
    """Relative Born-level bias |S_kick(2k)/S_U(2k) - 1| of the kick representation.

    Point-sampled kicks have the aliased spectrum sum_j S_U(2k + 2 pi j/dx).
    White noise has none (exactly w); the exponential family has the closed
    form of the sampled AR(1) process; smooth families are summed over
    |j| <= 3 (the rest is far below double precision).
    """
    k = wavevector(energies, m)
    q = 2.0 * k
    s_true = model.spectrum(q)
    s_disc = model.kind.sampled_spectrum(q, model.w, model.d, dx)
    if s_disc is None:
        return np.zeros_like(q)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.abs(s_disc / s_true - 1.0)
    return np.where(np.isfinite(out), out, np.inf)


def _cells_needed(model: Model, energies: np.ndarray, m: float, dx: float, rel: float):
    """Predicted cells to reach relative error ``rel`` in gamma (Born estimate).

    var ln|psi(L)| ~ 2 gamma L (single-parameter scaling), so the relative
    error after length L is sqrt(2/(gamma L)) and L = 2/(gamma rel^2).
    """
    g = lyapunov_born(energies, model.family, m, model.w, model.d)
    with np.errstate(divide="ignore"):
        length = np.where(np.isfinite(g) & (g > 0), 2.0 / (g * rel**2), 0.0)
    return length / dx


def choose_dx(
    model: Model,
    energies: np.ndarray,
    m: float,
    rel_error: float,
    max_cells: float,
    dx_max: float,
    kdx_max: float,
    points_per_d: float,
    bias_fraction: float,
) -> tuple[float, np.ndarray]:
    """Grid step for a model and the mask of energies worth measuring.

    dx is the largest of dx_max / 2^j such that (i) dx <= d/points_per_d,
    (ii) k dx <= kdx_max at the highest measured energy (lattice effects),
    (iii) the Born-level aliasing bias is below bias_fraction * rel_error at
    every measured energy.  An energy is measured unless its Born cost
    estimate exceeds 4 x max_cells (then ``born_only``).
    """
    energies = np.asarray(energies, dtype=float)
    dx = dx_max
    if model.d > 0:
        while dx > model.d / points_per_d:
            dx /= 2
    for _ in range(60):
        attempt = _cells_needed(model, energies, m, dx, rel_error) <= 4.0 * max_cells
        kmax = wavevector(energies[attempt], m).max(initial=0.0)
        bias = discretization_bias(model, energies[attempt], m, dx).max(initial=0.0)
        if kmax * dx <= kdx_max and bias <= bias_fraction * rel_error:
            return dx, attempt
        dx /= 2
    raise RuntimeError("could not find a grid step meeting the accuracy targets")


def dos_step(energies: np.ndarray, m: float, w: float, rel_step: float) -> np.ndarray:
    """Half-width delta of the shadow pair eps -+ delta used for rho = dN/deps.

    delta = rel_step * max(|eps|, E_w) with the white-noise energy scale
    E_w = (m w^2)^(1/3) (so that eps = 0 gets a finite step).
    """
    e_w = (m * w * w) ** (1.0 / 3.0)
    return rel_step * np.maximum(np.abs(energies), e_w)


@dataclass
class LyapunovResult:
    """Per-energy estimates of the transfer-matrix run (arrays over energy).

    ``*_jackknife`` arrays are (n_batches, energy): leave-one-batch-out
    estimates; every ``*_stderr`` is their jackknife spread.
    """

    energy: np.ndarray
    lyapunov: np.ndarray
    lyapunov_jackknife: np.ndarray
    idos: np.ndarray
    idos_jackknife: np.ndarray
    dos: np.ndarray
    dos_jackknife: np.ndarray
    length: np.ndarray
    dos_length: np.ndarray
    status: np.ndarray
    dx: float
    chunk: int

    @property
    def lyapunov_stderr(self) -> np.ndarray:
        """Jackknife standard error of gamma [1/length]."""
        return jackknife_stderr(self.lyapunov_jackknife)

    @property
    def idos_stderr(self) -> np.ndarray:
        return jackknife_stderr(self.idos_jackknife)

    @property
    def dos_stderr(self) -> np.ndarray:
        return jackknife_stderr(self.dos_jackknife)

    @property
    def xi(self) -> np.ndarray:
        """xi = 1/(2 gamma) [length] (Eq. 2 convention)."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return 1.0 / (2.0 * self.lyapunov)

    @property
    def xi_jackknife(self) -> np.ndarray:
        """Leave-one-batch-out xi = 1/(2 gamma_k) [length], (n_batches, energy)."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return 1.0 / (2.0 * self.lyapunov_jackknife)

    @property
    def xi_stderr(self) -> np.ndarray:
        """Jackknife standard error of xi [length] (docs/physics.md §2.1)."""
        return jackknife_stderr(self.xi_jackknife)


@dataclass
class _Lanes:
    """Energies of all lanes (main, lower shadows, upper shadows) and their state."""

    energy: np.ndarray
    a: np.ndarray
    b: np.ndarray
    c: np.ndarray
    shift: np.ndarray
    x0: np.ndarray
    x1: np.ndarray

    @classmethod
    def make(cls, energies: np.ndarray, delta: np.ndarray, m: float, dx: float) -> _Lanes:
        e_all = np.concatenate([energies, energies - delta, energies + delta])
        kmax = wavevector(e_all, m).max(initial=0.0)
        if kmax * dx >= np.pi / 2:
            raise ValueError(
                f"k dx = {kmax * dx:.3g} >= pi/2: grid step too coarse for the energies"
            )
        a, b, c, shift = recursion_coefficients(e_all, m, dx)
        return cls(e_all, a, b, c, shift, np.ones(e_all.size), np.ones(e_all.size))

    def advance(self, idx: np.ndarray, u: np.ndarray, n_rec: int):
        """Run lanes ``idx`` through ``u`` in ``n_rec`` records; (logs, nodes) (n_rec, idx)."""
        x0, x1 = self.x0[idx], self.x1[idx]
        a, b, c = self.a[idx], self.b[idx], self.c[idx]
        logs = np.empty((n_rec, idx.size))
        nodes = np.empty((n_rec, idx.size), dtype=np.int64)
        k = renorm_interval(a, b, c, max(float(u.max()), -float(u.min())))  # no |u| copy
        advance(u, a, b, c, x0, x1, logs, nodes, k)
        self.x0[idx], self.x1[idx] = x0, x1
        return logs, nodes


@dataclass
class _Tally:
    """Cumulative per-chunk sums per lane: cum[j] = sum over the first j chunks."""

    cum_log: np.ndarray
    cum_nodes: np.ndarray
    n_chunks: np.ndarray

    @classmethod
    def empty(cls, max_chunks: int, n_lanes: int) -> _Tally:
        return cls(
            np.zeros((max_chunks + 1, n_lanes)),
            np.zeros((max_chunks + 1, n_lanes), dtype=np.int64),
            np.zeros(n_lanes, dtype=np.int64),
        )

    def add(self, idx: np.ndarray, logs: np.ndarray, nodes: np.ndarray) -> int:
        """Append records of the (equally advanced) lanes ``idx``; return their chunk count."""
        n0 = int(self.n_chunks[idx[0]])
        if n0 + 1 + logs.shape[0] > self.cum_log.shape[0]:  # grow geometrically
            extra = max(self.cum_log.shape[0], logs.shape[0])
            self.cum_log = np.concatenate([self.cum_log, np.zeros((extra, self.cum_log.shape[1]))])
            self.cum_nodes = np.concatenate(
                [self.cum_nodes, np.zeros((extra, self.cum_nodes.shape[1]), dtype=np.int64)]
            )
        rows = slice(n0 + 1, n0 + 1 + logs.shape[0])
        self.cum_log[rows, idx] = self.cum_log[n0, idx] + np.cumsum(logs, axis=0)
        self.cum_nodes[rows, idx] = self.cum_nodes[n0, idx] + np.cumsum(nodes, axis=0)
        self.n_chunks[idx] += logs.shape[0]
        return n0 + logs.shape[0]


@dataclass(frozen=True)
class _Targets:
    """Stopping rule shared by all energies of a run."""

    rel_error: float
    max_chunks: int
    n_batches: int
    chunk_len: float
    xi_per_batch: float
    dx: float


def _main_done(
    tally: _Tally, idx: np.ndarray, nc: int, shift: np.ndarray, tg: _Targets
) -> np.ndarray:
    """Which of the main lanes ``idx`` (all at ``nc`` chunks) reached the target error.

    Converged: rel. jackknife error of gamma <= rel_error, and the shortest
    batch spans >= xi_per_batch localization lengths (independent batches).
    """
    if nc < tg.n_batches or idx.size == 0:
        return np.zeros(idx.size, dtype=bool)
    edges = batch_bounds(nc, tg.n_batches)
    g, rep = _from_edges(tally.cum_log[edges][:, idx], edges)
    se = jackknife_stderr(rep)
    g = g + shift  # analytic growth per chunk below the band bottom
    batch_len = (nc // tg.n_batches) * tg.chunk_len
    with np.errstate(divide="ignore", invalid="ignore"):
        ok = (g > 0) & (se <= tg.rel_error * g)
        return ok & (batch_len * 2 * g / tg.chunk_len >= tg.xi_per_batch)


def _dos_done(
    tally: _Tally, lo: np.ndarray, n_e: int, nc: int, main_active: np.ndarray, tg: _Targets
) -> np.ndarray:
    """Which shadow pairs (lower lanes ``lo``) measured rho to the target error.

    Also done: no level at all in the window (deep Lifshitz tail) once the
    main energy has finished (rho is then below 1/(2 delta L)).
    """
    if nc < tg.n_batches or lo.size == 0:
        return np.zeros(lo.size, dtype=bool)
    edges = batch_bounds(nc, tg.n_batches)
    rows = tally.cum_nodes[edges]
    mean, rep = _from_edges((rows[:, lo + n_e] - rows[:, lo]).astype(float), edges)
    se = jackknife_stderr(rep)
    return ((mean > 0) & (se <= tg.rel_error * mean)) | ((mean == 0) & ~main_active[lo - n_e])


def _update_active(active, status, tally, idx, nc, n_e, shift, tg: _Targets) -> None:
    """Stop the lanes that converged or hit the cost cap (vectorised over lanes)."""
    main = idx[idx < n_e]
    capped = nc >= tg.max_chunks
    conv = _main_done(tally, main, nc, shift[main] * (tg.chunk_len / tg.dx), tg)
    stop = conv | capped
    active[main[stop]] = False
    status[main[stop & ~conv]] = 1
    lo = idx[(idx >= n_e) & (idx < 2 * n_e)]
    done = _dos_done(tally, lo, n_e, nc, active, tg) | capped
    active[lo[done]] = False
    active[lo[done] + n_e] = False


def _lane_replicas(cum: np.ndarray, n_chunks: np.ndarray, n_batches: int):
    """Full means and replicas per lane (columns of ``cum``), each over its own chunks.

    Lanes with fewer than ``n_batches`` chunks (not run) get NaN.
    """
    n_l = cum.shape[1]
    mean = np.full(n_l, np.nan)
    rep = np.full((n_batches, n_l), np.nan)
    for nc in np.unique(n_chunks):
        if nc >= n_batches:
            sel = np.flatnonzero(n_chunks == nc)
            mean[sel], rep[:, sel] = jackknife_replicas(cum[:, sel], int(nc), n_batches)
    return mean, rep


def _dos_estimate(energy, delta, count, m):
    """rho = rho_clean(eps) + [Delta N - Delta N_clean]/(2 delta) from the shadow pair.

    ``count`` [1/length] is the node-count difference per length between the
    upper and the lower shadow: both see the same disorder, so it is a level
    count in [eps - delta, eps + delta] (Sturm oscillation); the clean part is
    differentiated exactly, which removes the O(delta^2) bias of the clean
    sqrt(eps) term.  Works elementwise on replicas (broadcast over axis 0).
    """
    lo, hi = energy - delta, energy + delta
    n0 = lambda x: np.where(x > 0, clean_idos(np.maximum(x, 0.0), m), 0.0)  # noqa: E731
    clean = clean_dos(np.maximum(energy, 1e-300), m) - (n0(hi) - n0(lo)) / (2 * delta)
    band = np.where(lo > 0, clean, 0.0)
    return band + count / (2 * delta)


def _estimates(lanes, tally, energies, delta, m, dx, tg: _Targets) -> dict:
    """Gamma, IDOS and DOS [1/length, 1/length, 1/(energy length)] with their replicas."""
    n_e, L, B, nc = energies.size, tg.chunk_len, tg.n_batches, tally.n_chunks
    g, g_rep = _lane_replicas(tally.cum_log[:, :n_e], nc[:n_e], B)
    shift = lanes.shift[:n_e] / dx
    nn, nn_rep = _lane_replicas(tally.cum_nodes[:, :n_e].astype(float), nc[:n_e], B)
    diff = (tally.cum_nodes[:, 2 * n_e :] - tally.cum_nodes[:, n_e : 2 * n_e]).astype(float)
    cnt, cnt_rep = _lane_replicas(diff, nc[n_e : 2 * n_e], B)
    return {
        "lyapunov": g / L + shift,
        "lyapunov_jackknife": g_rep / L + shift,
        "idos": nn / L,
        "idos_jackknife": nn_rep / L,
        "dos": _dos_estimate(energies, delta, cnt / L, m),
        "dos_jackknife": _dos_estimate(energies, delta, cnt_rep / L, m),
        "length": nc[:n_e] * L,
        "dos_length": nc[n_e : 2 * n_e] * L,
    }


def _progress(log, label, t0, k, tally, chunk, active, attempt, n_e) -> None:
    cells = int(tally.n_chunks.sum()) * chunk
    log(
        f"[{label}] {time.monotonic() - t0:7.1f} s: {k} chunks, {cells:.3e} energy-cells, "
        f"{int(active[:n_e].sum())}/{int(attempt.sum())} energies and "
        f"{int(active[n_e : 2 * n_e].sum())}/{n_e} DOS pairs still running"
    )


def _check_run(rel_error: float, max_cells: float, chunk: int, n_batches: int) -> None:
    """Clear errors, naming the config keys, for settings the engine cannot run."""
    if not (rel_error > 0):
        raise ValueError(f"localization.rel_error must be > 0, got {rel_error}")
    if max_cells < n_batches * chunk:
        raise ValueError(
            f"localization.max_cells = {max_cells:g} is fewer than {n_batches} chunks of "
            f"localization.chunk = {chunk} (the jackknife needs {n_batches} batches). "
            f"Fix: set max_cells >= {n_batches * chunk} or lower chunk"
        )


def run_lyapunov(
    model: Model,
    energies: np.ndarray,
    m: float,
    seed: int,
    dx: float,
    rel_error: float,
    max_cells: float,
    attempt: np.ndarray | None = None,
    chunk: int = 1 << 14,
    n_batches: int = 32,
    xi_per_batch: float = 5.0,
    log: Callable[[str], None] | None = None,
    log_every: float = 5.0,
    dos_rel_step: float = 0.05,
) -> LyapunovResult:
    """Error-controlled transfer-matrix run for all energies of one model.

    Parameters
    ----------
    model : Model
    energies : ndarray
        Energies [energy], any sign.
    m : float
        Particle mass.
    seed : int
        Global seed; the stream is ``model_seed(seed, model, 'localization')``.
    dx : float
        Grid step [length] (see :func:`choose_dx`); k dx < pi/2 is enforced.
    rel_error : float
        Target relative standard error of gamma (and of rho).
    max_cells : float
        Cost cap: cells per energy (at least ``n_batches`` chunks).
    attempt : bool ndarray, optional
        Energies to measure (others are reported ``born_only``).
    chunk : int
        Cells per chunk, the unit of the batches (the first call's 8 chunks are burn-in).
    n_batches : int
        B, the independent batches of the jackknife (each energy runs >= B chunks).
    xi_per_batch : float
        A batch must span this many xi for its mean to count as independent.
    log : callable, optional
        Receives progress lines (every ``log_every`` seconds).
    dos_rel_step : float
        Relative half-width delta/eps of the shadow pair that gives rho
        (:func:`dos_step`); it runs until rho reaches ``rel_error`` too.
    """
    energies = np.asarray(energies, dtype=float)
    _check_run(rel_error, max_cells, chunk, n_batches)
    n_e = energies.size
    attempt = np.ones(n_e, dtype=bool) if attempt is None else np.asarray(attempt, dtype=bool)
    delta = dos_step(energies, m, model.w, dos_rel_step)
    lanes = _Lanes.make(energies, delta, m, dx)
    max_chunks = int(math.ceil(max_cells / chunk))
    tg = _Targets(rel_error, max_chunks, n_batches, chunk * dx, xi_per_batch, dx)
    n_rec = max(1, _BLOCK // chunk)  # chunks per kernel call
    tally = _Tally.empty(min(tg.max_chunks, 1024) + n_rec, 3 * n_e)
    active = np.concatenate([attempt, np.ones(2 * n_e, dtype=bool)])
    status = np.where(attempt, 0, 2).astype(np.int8)
    stream = PotentialStream(model, dx, model_seed(seed, model, "localization"), fast=True)
    lanes.advance(np.flatnonzero(active), stream.take(n_rec * chunk), n_rec)  # burn-in
    t0 = last = time.monotonic()
    k = 0
    while active.any():
        idx = np.flatnonzero(active)
        logs, nodes = lanes.advance(idx, stream.take(n_rec * chunk), n_rec)
        k = tally.add(idx, logs, nodes)
        _update_active(active, status, tally, idx, k, n_e, lanes.shift, tg)
        if log is not None and (time.monotonic() - last >= log_every or not active.any()):
            last = time.monotonic()
            _progress(log, model.label, t0, k, tally, chunk, active, attempt, n_e)
    est = _estimates(lanes, tally, energies, delta, m, dx, tg)
    return LyapunovResult(energy=energies, status=status, dx=dx, chunk=chunk, **est)


_E, _JK = ("energy",), ("replica_loc", "energy")
_JK_ATTRS = {"jackknife": JACKKNIFE}
#: Variables of the per-model localization dataset (docs/physics.md §2), declared once.
LOCALIZATION_VARIABLES: dict[str, Var] = {
    "energy": Var(_E, "energy", "single-particle energy eps"),
    "replica_loc": Var(("replica_loc",), "1", "index of the batch left out (jackknife replica)"),
    "xi": Var(
        _E,
        "length",
        "localization length xi = 1/(2 gamma) (measured, else Born)",
        "Eq. (2) convention",
    ),
    "xi_stderr": Var(
        _E, "length", "jackknife standard error of xi (NaN where xi is the Born value)"
    ),
    "xi_jackknife": Var(
        _JK,
        "length",
        "leave-one-batch-out xi (the Born value where xi_source is born)",
        "Eq. (2) convention",
        _JK_ATTRS,
    ),
    "xi_measured": Var(
        _E, "length", "transfer-matrix localization length 1/(2 gamma)", "Eq. (2) convention"
    ),
    "lyapunov": Var(_E, "1/length", "Lyapunov exponent gamma = lim ln|psi(L)|/L"),
    "lyapunov_stderr": Var(_E, "1/length", "jackknife standard error of gamma"),
    "idos": Var(_E, "1/length", "integrated density of states per length (node counting)"),
    "idos_stderr": Var(_E, "1/length", "jackknife standard error of idos"),
    "idos_jackknife": Var(_JK, "1/length", "leave-one-batch-out idos", None, _JK_ATTRS),
    "dos": Var(_E, "1/(energy length)", "density of states per length rho = dN/deps"),
    "dos_stderr": Var(_E, "1/(energy length)", "jackknife standard error of dos"),
    "dos_jackknife": Var(_JK, "1/(energy length)", "leave-one-batch-out dos", None, _JK_ATTRS),
    "xi_born": Var(
        _E,
        "length",
        "Born localization length 1/(2 gamma_B), gamma_B = m^2 S_U(2k)/(2k^2)",
        "Eq. (2) (white noise); docs/physics.md §1.2 (Born)",
    ),
    "idos_clean": Var(_E, "1/length", "clean IDOS sqrt(2 m eps)/pi"),
    "dos_clean": Var(_E, "1/(energy length)", "clean DOS m/(pi k)"),
    "length": Var(_E, "length", "system length used per energy (after burn-in)"),
    "dos_length": Var(_E, "length", "system length used by the DOS shadow pair"),
    "xi_source": Var(
        _E,
        "1",
        "origin of xi",
        None,
        {"flag_values": np.arange(2, dtype=np.int8), "flag_meanings": " ".join(XI_SOURCE)},
    ),
    "status": Var(
        _E,
        "1",
        "how the transfer-matrix run ended",
        None,
        {"flag_values": np.arange(3, dtype=np.int8), "flag_meanings": " ".join(STATUS)},
    ),
    "m": PARAMETER_VARIABLES["m"],
    "w": PARAMETER_VARIABLES["w"],
}


def _measured(res: LyapunovResult) -> np.ndarray:
    """Energies whose measured xi is usable: finite, positive, all replicas too, rel. s.e. < 1/2."""
    xi, rep = res.xi, res.xi_jackknife
    with np.errstate(invalid="ignore"):
        ok = np.isfinite(xi) & (xi > 0) & np.all(np.isfinite(rep) & (rep > 0), axis=0)
        return ok & (res.xi_stderr < 0.5 * xi)


def localization_dataset(res: LyapunovResult, model: Model, m: float):
    """Per-model dataset over ``energy`` and ``replica_loc`` (docs/physics.md §2, §2.1).

    ``xi`` is the measured value where it is usable (:func:`_measured`: the
    run converged or hit its cap with a relative error below 1/2) and the Born
    asymptote elsewhere; ``xi_source`` says which, ``status`` how the run
    ended.  ``*_jackknife`` are the leave-one-batch-out replicas; where xi is
    the Born value its replicas are the Born value too (no statistical error).
    The model's ``m`` and ``w`` are scalar variables.
    """
    import xarray as xr

    from .datasets import apply_table
    from .theory import xi_born as _xi_born

    e = res.energy
    xb = _xi_born(e, model.family, m, model.w, model.d)
    use = _measured(res)
    data = {
        "xi": np.where(use, res.xi, xb),
        "xi_stderr": np.where(use, res.xi_stderr, np.nan),
        "xi_jackknife": np.where(use, res.xi_jackknife, xb),
        "xi_measured": res.xi,
        "lyapunov": res.lyapunov,
        "lyapunov_stderr": res.lyapunov_stderr,
        "idos": res.idos,
        "idos_stderr": res.idos_stderr,
        "idos_jackknife": res.idos_jackknife,
        "dos": res.dos,
        "dos_stderr": res.dos_stderr,
        "dos_jackknife": res.dos_jackknife,
        "xi_born": xb,
        "idos_clean": clean_idos(e, m),
        "dos_clean": np.where(e > 0, clean_dos(np.maximum(e, 1e-300), m), 0.0),
        "length": res.length,
        "dos_length": res.dos_length,
        "xi_source": np.where(use, 0, 1).astype(np.int8),
        "status": res.status,
        "m": m,
        "w": model.w,
    }
    table = LOCALIZATION_VARIABLES
    ds = xr.Dataset(
        {k: (table[k].dims, np.asarray(v)) for k, v in data.items()},
        coords={"energy": e, "replica_loc": np.arange(res.lyapunov_jackknife.shape[0])},
    )
    apply_table(ds, table)
    ds.attrs.update(family=model.family, d=model.d, w=model.w, m=m, dx=res.dx, chunk=res.chunk)
    return ds


def cold_parameters(ds, energy: float) -> dict[str, float]:
    """xi_c, rho_c and their standard errors at ``energy`` (the Fermi energy) [length, 1/(E L)].

    ``ds`` is a per-model localization dataset (:func:`localization_dataset`);
    ``energy`` must be on its grid (the workflow always adds eps_F to it).
    Where xi is the Born value its standard error is 0 (a model value), and
    where the DOS is not finite the clean DOS is used; ``xi_c_source`` says which.
    """
    row = ds.sel(energy=energy, method="nearest")
    e = float(row["energy"])
    if not np.isclose(e, energy, rtol=1e-9, atol=0.0):
        raise ValueError(f"energy {energy} is not on the localization grid (nearest {e})")
    measured = int(row["xi_source"]) == 0
    xi, xi_se = float(row["xi"]), float(row["xi_stderr"]) if measured else 0.0
    rho_se = float(row["dos_stderr"])
    rho, used = measured_else(float(row["dos"]), float(row["dos_clean"]), rho_se)
    rho, rho_se = float(rho), rho_se if used else 0.0
    return {
        "xi_c": xi,
        "xi_c_stderr": xi_se,
        "rho_c": rho,
        "rho_c_stderr": rho_se,
        "xi_c_source": "measured" if measured else "born",
    }


def measure_xi(
    model: Model,
    energies: np.ndarray | list[float],
    rel_error: float,
    m: float | None = None,
    seed: int | None = None,
    settings: dict | None = None,
    log: Callable[[str], None] | None = None,
):
    """xi(eps) of one disorder model with standard errors: the localization stage in one call.

    The workflow's ``localization`` rule calls exactly this, so a notebook gets
    the same numbers as the workflow for the same model, energies and seed.

    Parameters
    ----------
    model : Model
        Disorder model, e.g. ``Model("gaussian", w=0.1, d=0.5)`` (d = 0: white noise).
    energies : array_like
        Energies [energy] at which xi is measured (or, beyond the cost cap, Born).
    rel_error : float
        Target relative standard error of gamma = 1/(2 xi) per energy (0 < r <= 0.5).
    m : float, optional
        Particle mass [mass] (default: the schema's ``m``).
    seed : int, optional
        Global seed (default: the schema's ``seed``); the model's stream is a child of it.
    settings : dict, optional
        Keys of the config section ``localization`` (``max_cells``, ``dx_max``,
        ``kdx_max``, ``points_per_d``, ``bias_fraction``, ``chunk``); missing keys
        take the schema's defaults (config/README.md).
    log : callable, optional
        Receives progress lines.

    Returns
    -------
    xarray.Dataset
        ``xi``, ``xi_stderr``, ``xi_source`` (measured | born), ``dos``, ``idos``,
        their jackknife replicas and ``status`` over ``energy``
        (:data:`LOCALIZATION_VARIABLES`).
    """
    from .schema import load_schema, schema_defaults

    run = {**schema_defaults("localization"), **(settings or {}), "rel_error": rel_error}
    top = load_schema()["properties"]
    m = float(top["m"]["default"] if m is None else m)
    seed = int(top["seed"]["default"] if seed is None else seed)
    energies = np.asarray(energies, dtype=float)
    tuning = [run[k] for k in ("dx_max", "kdx_max", "points_per_d", "bias_fraction")]
    dx, attempt = choose_dx(model, energies, m, run["rel_error"], run["max_cells"], *tuning)
    if log:
        log(
            f"{model.label}: dx = {dx:g}, measuring {attempt.sum()}/{energies.size} energies "
            f"to rel. error {run['rel_error']} (cap {run['max_cells']:.3g} cells each)"
        )
    res = run_lyapunov(
        model, energies, m, seed, dx, run["rel_error"], run["max_cells"],
        attempt=attempt, chunk=run["chunk"], log=log,
    )  # fmt: skip
    return localization_dataset(res, model, m)
