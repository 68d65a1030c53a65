"""Single-particle localization length in 1D by transfer matrices (SPEC 1.2).

Engine
------
The potential is represented by kicks V_n = U(x_n) dx at the grid points
x_n = n dx (for white noise V_n ~ N(0, w dx), whose spectrum is exactly
S_U(q) = w at every q).  Between kicks the particle propagates *freely and
exactly*: with s = sqrt(2 m |eps|) and the state (psi, psi'/s),

* eps > 0: a rotation by k dx (cos, sin);
* eps < 0: a hyperbolic rotation by kappa dx, stored scaled by exp(-kappa dx)
  with kappa dx added to the logarithm exactly, so nothing overflows however
  deep below the band bottom;
* eps = 0: psi += psi' dx.

A kick changes psi' by 2 m V_n psi.  Because the kinetic term is exact, the
only discretisation error is in the sampling of U (aliasing of S_U, and
lattice effects for k dx -> pi/2), which :func:`choose_dx` keeps below a
fraction of the statistical target; a plain 3-point finite-difference
recursion (:func:`fd_lyapunov_chunk`, the benchmark's baseline) has in
addition a dispersion error ~ (k dx)^2/4.

Estimates
---------
gamma = lim (1/L) ln |psi(L)|, xi = 1/(2 gamma) (the paper's convention,
Eq. 2), the integrated DOS N(eps) = (number of nodes)/L and its derivative
rho = dN/deps.  All energies share one disorder stream.  The stream is cut in
chunks; per-chunk increments of ln|psi| and node counts are combined into
batch means, which give the standard errors.  Each energy runs until its
relative standard error of gamma reaches the target (``converged``) or its
cost cap is hit (``cost_cap``); energies whose Born estimate predicts a cost
far above the cap are not attempted (``born_only``).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import numba
import numpy as np

from .disorder import Model, PotentialStream, model_seed
from .theory import clean_dos, clean_idos, lyapunov_born, wavevector

__all__ = [
    "STATUS",
    "LyapunovResult",
    "free_propagators",
    "kick_lyapunov_chunk",
    "fd_lyapunov_chunk",
    "discretization_bias",
    "choose_dx",
    "run_lyapunov",
    "batch_stderr",
]

#: Per-energy outcome codes (stored as CF flags).
STATUS = ("converged", "cost_cap", "born_only")

_BIG, _SMALL = 1e150, 1e-150


def free_propagators(energies: np.ndarray, m: float, dx: float) -> tuple[np.ndarray, ...]:
    """Exact free propagation over one cell for each energy.

    Returns
    -------
    mat : ndarray (E, 4)
        (a, b, c, d) of the map (p, q) -> (a p + b q, c p + d q) on the state
        p = psi, q = psi'/s, scaled by exp(-kappa dx) below the band bottom.
    shift : ndarray (E,)
        log growth added per cell (kappa dx below the band bottom, else 0).
    inv_scale : ndarray (E,)
        1/s, so that a kick is q += 2 m V inv_scale p.
    """
    e = np.asarray(energies, dtype=float)
    n = e.size
    mat = np.empty((n, 4))
    shift = np.zeros(n)
    inv_scale = np.ones(n)
    for i, eps in enumerate(e):
        s = math.sqrt(2.0 * m * abs(eps))
        if eps > 0:
            c, sn = math.cos(s * dx), math.sin(s * dx)
            mat[i] = (c, sn, -sn, c)
            inv_scale[i] = 1.0 / s
        elif eps < 0:
            t = math.exp(-2.0 * s * dx)
            ch, sh = 0.5 * (1.0 + t), 0.5 * (1.0 - t)
            mat[i] = (ch, sh, sh, ch)
            shift[i] = s * dx
            inv_scale[i] = 1.0 / s
        else:
            mat[i] = (1.0, dx, 0.0, 1.0)
    return mat, shift, inv_scale


@numba.njit(cache=True, parallel=True)
def kick_lyapunov_chunk(u, kick, mat, shift, inv_scale, p, q, logsum, nodes):  # pragma: no cover
    """Advance all energies through one chunk of potential values ``u``.

    ``kick`` = 2 m dx; state arrays ``p``, ``q`` are updated in place and left
    normalised; ``logsum[e]`` receives the growth of ln|state| over the chunk
    and ``nodes[e]`` the number of sign changes of psi (nodes; exact for
    k dx < pi since free motion has at most one node per cell).
    """
    n_e = p.size
    n_u = u.size
    for e in numba.prange(n_e):
        a, b, c, d = mat[e, 0], mat[e, 1], mat[e, 2], mat[e, 3]
        g = kick * inv_scale[e]
        pe, qe = p[e], q[e]
        la = 0.0
        nd = 0
        for i in range(n_u):
            qe += g * u[i] * pe
            pn = a * pe + b * qe
            qe = c * pe + d * qe
            if pn * pe < 0.0:
                nd += 1
            pe = pn
            r = abs(pe) + abs(qe)
            if r > _BIG or r < _SMALL:
                la += math.log(r)
                pe /= r
                qe /= r
        r = math.sqrt(pe * pe + qe * qe)
        la += math.log(r) + n_u * shift[e]
        p[e] = pe / r
        q[e] = qe / r
        logsum[e] = la
        nodes[e] = nd


@numba.njit(cache=True, parallel=True)
def fd_lyapunov_chunk(u, energies, m, dx, p0, p1, logsum, nodes):  # pragma: no cover
    """Baseline: 3-point finite-difference recursion, vectorised over energies.

    psi_{n+1} = (2 + 2 m dx^2 (U_n - eps)) psi_n - psi_{n-1}.  Same outputs as
    :func:`kick_lyapunov_chunk` (state = the last two values).
    """
    n_e = energies.size
    n_u = u.size
    h = 2.0 * m * dx * dx
    for e in numba.prange(n_e):
        a0, a1 = p0[e], p1[e]
        eps = energies[e]
        la = 0.0
        nd = 0
        for i in range(n_u):
            a2 = (2.0 + h * (u[i] - eps)) * a1 - a0
            if a2 * a1 < 0.0:
                nd += 1
            a0, a1 = a1, a2
            r = abs(a0) + abs(a1)
            if r > _BIG or r < _SMALL:
                la += math.log(r)
                a0 /= r
                a1 /= r
        r = math.sqrt(a0 * a0 + a1 * a1)
        la += math.log(r)
        p0[e] = a0 / r
        p1[e] = a1 / r
        logsum[e] = la
        nodes[e] = nd


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
    if model.family == "white":
        return np.zeros_like(q)
    if model.family == "exponential":
        a = math.exp(-dx / model.d)
        var = model.w / (2 * model.d)
        s_disc = dx * var * (1 - a * a) / (1 - 2 * a * np.cos(q * dx) + a * a)
    else:
        s_disc = sum(model.spectrum(q + 2 * np.pi * j / dx) for j in range(-3, 4))
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


def batch_stderr(per_chunk: np.ndarray, n_batches: int = 32) -> tuple[float, float, int]:
    """Mean per chunk and its standard error by batch means.

    Returns (mean, stderr, number of batches used).  The chunks are grouped
    into up to ``n_batches`` consecutive batches of equal size; the leftover
    chunks enter the mean but not the error.
    """
    n = per_chunk.size
    nb = min(n_batches, n)
    if nb < 2:
        return float(per_chunk.mean()), math.inf, nb
    size = n // nb
    means = per_chunk[: nb * size].reshape(nb, size).mean(axis=1)
    return float(per_chunk.mean()), float(means.std(ddof=1) / math.sqrt(nb)), nb


@dataclass
class LyapunovResult:
    """Per-energy estimates of the transfer-matrix run (all arrays over energy)."""

    energy: np.ndarray
    lyapunov: np.ndarray
    lyapunov_stderr: np.ndarray
    idos: np.ndarray
    idos_stderr: np.ndarray
    dos: np.ndarray
    dos_stderr: np.ndarray
    length: np.ndarray
    status: np.ndarray
    dx: float
    chunk: int

    @property
    def xi(self) -> np.ndarray:
        """xi = 1/(2 gamma) [length] (Eq. 2 convention)."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return 1.0 / (2.0 * self.lyapunov)

    @property
    def xi_stderr(self) -> np.ndarray:
        """Standard error of xi by error propagation, xi * se(gamma)/gamma."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return self.xi * self.lyapunov_stderr / self.lyapunov


def dos_step(energies: np.ndarray, m: float, w: float, rel_step: float) -> np.ndarray:
    """Half-width delta of the shadow pair eps -+ delta used for rho = dN/deps.

    delta = rel_step * max(|eps|, E_w) with the white-noise energy scale
    E_w = (m w^2)^(1/3) (so that eps = 0 gets a finite step).
    """
    e_w = (m * w * w) ** (1.0 / 3.0)
    return rel_step * np.maximum(np.abs(energies), e_w)


def _dos_from_shadows(energy, delta, per_nodes_lo, per_nodes_hi, n_chunks, chunk_len, m, n_batches):
    """rho = rho_clean(eps) + [Delta N - Delta N_clean]/(2 delta) from the shadow pair.

    Both shadows see the same disorder, so their node-count difference is a
    level count in [eps - delta, eps + delta] (Sturm oscillation) with
    Poisson-like, batch-estimated error; the clean part is differentiated
    exactly, which removes the O(delta^2) bias of the clean sqrt(eps) term.
    """
    n_e = energy.size
    dos = np.full(n_e, np.nan)
    se = np.full(n_e, np.nan)
    lo, hi = energy - delta, energy + delta
    n0 = lambda x: np.where(x > 0, clean_idos(x, m), 0.0)  # noqa: E731
    for i in range(n_e):
        nc = int(n_chunks[i])
        if nc < 2:
            continue
        diff = (per_nodes_hi[:nc, i] - per_nodes_lo[:nc, i]) / chunk_len
        mean, err, _ = batch_stderr(diff, n_batches)
        if lo[i] > 0:
            dos[i] = clean_dos(energy[i], m) + (mean - (n0(hi[i]) - n0(lo[i]))) / (2 * delta[i])
        else:
            dos[i] = mean / (2 * delta[i])
        se[i] = err / (2 * delta[i])
    return dos, se


def run_lyapunov(
    model: Model,
    energies: np.ndarray,
    m: float,
    seed: int,
    dx: float,
    rel_error: float,
    max_cells: float,
    attempt: np.ndarray | None = None,
    chunk: int = 1 << 16,
    min_chunks: int = 8,
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
        Target relative standard error of gamma.
    max_cells : float
        Cost cap: cells per energy.
    attempt : bool ndarray, optional
        Energies to measure (others are reported ``born_only``).
    chunk : int
        Cells per chunk; per-chunk increments feed the batch-mean errors.
    min_chunks : int
        Minimum number of chunks after the discarded first one.
    n_batches : int
        Batches for the standard error.
    xi_per_batch : float
        A batch must span this many xi for its mean to count as independent.
    log : callable, optional
        Receives progress lines.
    dos_rel_step : float
        Relative half-width of the shadow energies eps -+ delta that give
        rho = dN/deps (:func:`dos_step`); they run until rho reaches the same
        relative error (much sooner than gamma: a level count converges fast).

    Returns
    -------
    LyapunovResult
    """
    energies = np.asarray(energies, dtype=float)
    if not (rel_error > 0):
        raise ValueError(f"rel_error must be > 0, got {rel_error}")
    n_e = energies.size
    if attempt is None:
        attempt = np.ones(n_e, dtype=bool)
    delta = dos_step(energies, m, model.w, dos_rel_step)
    # main energies, then the lower and the upper shadows
    e_all = np.concatenate([energies, energies - delta, energies + delta])
    n_all = e_all.size
    kmax = wavevector(e_all, m).max(initial=0.0)
    if kmax * dx >= np.pi / 2:
        raise ValueError(f"k dx = {kmax * dx:.3g} >= pi/2: grid step too coarse for the energies")
    mat, shift, inv_scale = free_propagators(e_all, m, dx)
    p = np.ones(n_all)
    q = np.zeros(n_all)
    max_chunks = max(int(math.ceil(max_cells / chunk)), min_chunks + 1)
    per_log = np.zeros((max_chunks, n_all))
    per_nodes = np.zeros((max_chunks, n_all))
    n_chunks = np.zeros(n_all, dtype=np.int64)
    active = np.concatenate([attempt, np.ones(2 * n_e, dtype=bool)])
    status = np.where(attempt, 0, 2).astype(np.int8)
    stream = PotentialStream(model, dx, model_seed(seed, model, "localization"))
    chunk_len = chunk * dx
    logsum = np.zeros(n_all)
    nodes = np.zeros(n_all, dtype=np.int64)
    t0 = last = time.monotonic()
    k = -1  # chunk index; chunk 0 is burn-in
    while active.any():
        k += 1
        u = stream.take(chunk)
        idx = np.flatnonzero(active)
        ps, qs = p[idx], q[idx]
        ls, ns = logsum[idx], nodes[idx]
        kick_lyapunov_chunk(u, 2.0 * m * dx, mat[idx], shift[idx], inv_scale[idx], ps, qs, ls, ns)
        p[idx], q[idx] = ps, qs
        if k == 0:
            continue  # burn-in: the direction of the state relaxes
        row = k - 1
        per_log[row, idx] = ls
        per_nodes[row, idx] = ns
        n_chunks[idx] += 1
        for e in idx[idx < n_e]:
            nc = n_chunks[e]
            if nc >= max_chunks:
                active[e] = False
                status[e] = 1
                continue
            if nc < min_chunks:
                continue
            g, se, nb = batch_stderr(per_log[:nc, e], n_batches)
            gamma = g / chunk_len
            if gamma <= 0:
                continue
            batch_len = (nc // nb) * chunk_len
            if se / g <= rel_error and batch_len * 2 * gamma >= xi_per_batch and nb >= 8:
                active[e] = False
        for e in idx[(idx >= n_e) & (idx < 2 * n_e)] - n_e:
            nc = n_chunks[n_e + e]
            done = nc >= max_chunks
            if not done and nc >= min_chunks:
                diff = per_nodes[:nc, 2 * n_e + e] - per_nodes[:nc, n_e + e]
                mean, se, nb = batch_stderr(diff, n_batches)
                done = mean > 0 and se / mean <= rel_error and nb >= 8
                # no level at all in the window (deep Lifshitz tail) once the
                # main energy has finished: rho is below 1/(2 delta L)
                done = done or (mean == 0 and not active[e])
            if done:
                active[n_e + e] = active[2 * n_e + e] = False
        now = time.monotonic()
        if log is not None and (now - last >= log_every or not active.any()):
            last = now
            cells = int(n_chunks.sum()) * chunk
            log(
                f"[{model.label}] {now - t0:7.1f} s: {k} chunks, {cells:.3e} energy-cells, "
                f"{int(active[:n_e].sum())}/{int(attempt.sum())} energies and "
                f"{int(active[n_e : 2 * n_e].sum())}/{n_e} DOS pairs still running"
            )
    lyap = np.full(n_e, np.nan)
    lyap_se = np.full(n_e, np.nan)
    idos = np.full(n_e, np.nan)
    idos_se = np.full(n_e, np.nan)
    for e in range(n_e):
        nc = n_chunks[e]
        if nc == 0:
            continue
        g, se, _ = batch_stderr(per_log[:nc, e], n_batches)
        lyap[e], lyap_se[e] = g / chunk_len, se / chunk_len
        nn, nse, _ = batch_stderr(per_nodes[:nc, e], n_batches)
        idos[e], idos_se[e] = nn / chunk_len, nse / chunk_len
    dos, dos_se = _dos_from_shadows(
        energies,
        delta,
        per_nodes[:, n_e : 2 * n_e],
        per_nodes[:, 2 * n_e :],
        n_chunks[n_e : 2 * n_e],
        chunk_len,
        m,
        n_batches,
    )
    return LyapunovResult(
        energy=energies,
        lyapunov=lyap,
        lyapunov_stderr=lyap_se,
        idos=idos,
        idos_stderr=idos_se,
        dos=dos,
        dos_stderr=dos_se,
        length=n_chunks[:n_e] * chunk_len,
        status=status,
        dx=dx,
        chunk=chunk,
    )


def localization_dataset(res: LyapunovResult, model: Model, m: float):
    """Per-model dataset over ``energy`` (SPEC 2): measured and Born xi, IDOS, DOS.

    ``xi`` is the measured value where the run converged or hit its cap with a
    finite relative error below 1/2, and the Born asymptote elsewhere;
    ``xi_source`` says which (CF flags), ``status`` says how the run ended.
    """
    import xarray as xr

    from .datasets import flag_attrs, set_attrs
    from .theory import xi_born as _xi_born

    e = res.energy
    xb = _xi_born(e, model.family, m, model.w, model.d)
    meas = res.xi
    rel = res.lyapunov_stderr / res.lyapunov
    usable = np.isfinite(meas) & (meas > 0) & np.isfinite(rel) & (rel < 0.5)
    src = np.where(usable, 0, 1).astype(np.int8)
    xi = np.where(usable, meas, xb)
    xi_se = np.where(usable, res.xi_stderr, np.nan)
    coords = {"energy": ("energy", e)}
    ds = xr.Dataset(coords=coords)
    set_attrs(ds["energy"], "energy", "single-particle energy eps")

    def put(name, values, units, long_name, equation=None, **kw):
        ds[name] = ("energy", np.asarray(values))
        set_attrs(ds[name], units, long_name, equation, **kw)

    put(
        "xi",
        xi,
        "length",
        "localization length xi = 1/(2 gamma) (measured, else Born)",
        "Eq. (2) convention",
    )
    put("xi_stderr", xi_se, "length", "standard error of xi (NaN where xi is the Born value)")
    put(
        "xi_measured",
        meas,
        "length",
        "transfer-matrix localization length 1/(2 gamma)",
        "Eq. (2) convention",
    )
    put("lyapunov", res.lyapunov, "1/length", "Lyapunov exponent gamma = lim ln|psi(L)|/L")
    put("lyapunov_stderr", res.lyapunov_stderr, "1/length", "standard error of gamma")
    put("idos", res.idos, "1/length", "integrated density of states per length (node counting)")
    put("idos_stderr", res.idos_stderr, "1/length", "standard error of idos")
    put("dos", res.dos, "1/(energy length)", "density of states per length rho = dN/deps")
    put("dos_stderr", res.dos_stderr, "1/(energy length)", "standard error of dos")
    put(
        "xi_born",
        xb,
        "length",
        "Born localization length 1/(2 gamma_B), gamma_B = m^2 S_U(2k)/(2k^2)",
        "Eq. (2) (white noise); SPEC 1.2 (Born)",
    )
    put("idos_clean", clean_idos(e, m), "1/length", "clean IDOS sqrt(2 m eps)/pi")
    put(
        "dos_clean",
        np.where(e > 0, clean_dos(e, m), 0.0),
        "1/(energy length)",
        "clean DOS m/(pi k)",
    )
    put("length", res.length, "length", "system length used per energy (after burn-in)")
    ds["xi_source"] = ("energy", src)
    ds["xi_source"].attrs.update(flag_attrs(["measured", "born"], "origin of xi"))
    ds["status"] = ("energy", res.status)
    ds["status"].attrs.update(flag_attrs(STATUS, "how the transfer-matrix run ended"))
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
    rho, rho_se = float(row["dos"]), float(row["dos_stderr"])
    if not (np.isfinite(rho) and rho > 0 and np.isfinite(rho_se)):
        rho, rho_se = float(row["dos_clean"]), 0.0
    return {
        "xi_c": xi,
        "xi_c_stderr": xi_se,
        "rho_c": rho,
        "rho_c_stderr": rho_se,
        "xi_c_source": "measured" if measured else "born",
    }
