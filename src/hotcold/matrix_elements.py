"""Interaction matrix elements V_ijkl of Eq. (10) between hot and cold exact eigenstates.
(docs/physics.md §1.6).

Model
-----
The single-particle Hamiltonian is the spectral stage's (docs/physics.md §1.3): the
hard-wall 3-point lattice H = -(1/2m) d^2/dx^2 + U(x) on sites x_n = n dx,
eigenstates from :func:`hotcold.eigen.eigenpairs`, the spectral stage's windowed
eigensolver (sum_n psi_n^2 dx = 1).
The realizations are this stage's own (box ``box_length`` >= 5 xi_h at the
largest hot energy, step ``dx``), drawn from the same disorder streams code
(:class:`hotcold.disorder.PotentialStream`) with their own seed stream.

Interaction
-----------
V(x) = u f_a(x), u = int V dx (``interaction.u``), with the normalised
Gaussian profile of RMS range a (``interaction.range``)

    f_a(x) = exp(-x^2 / (2 a^2)) / (sqrt(2 pi) a),

sampled on the lattice (|x| <= 6 a) and renormalised so that its lattice
integral sum_n f_n dx is exactly 1; for a << dx it becomes the lattice delta
delta_n0/dx, where Hartree and exchange cancel exactly (spinless).  The
lattice kernel's own RMS range (``range_effective``) is stored; it equals a
to < 1e-3 for a >= dx.

Matrix elements, Eq. (10)
-------------------------
    V^H_ijkl  = u int dx1 dx2 psi_i psi_j(x1) f_a(x1 - x2) psi_k psi_l(x2),
    V^ex_ijkl = u int dx1 dx2 psi_i psi_l(x1) f_a(x1 - x2) psi_k psi_j(x2),
    V_ijkl    = V^H - V^ex,

i, j hot (near eps), k, l cold (near eps_F).  Both integrals are restricted
to the cold pair's support I (the blocks where the Cauchy-Schwarz bound of
|psi_k psi_l| exceeds ``support_tol`` of its total, padded by the kernel):
the cost per pair is O(n_I), never the box.  Also stored: the contact term
V^0 = u int psi_i psi_j psi_k psi_l (the a -> 0 limit of both parts) and the
exchange excess V^ex - V^0, the part of the exchange the paper's small-a form
u a^2/eps describes.

Pair selection (Eq. 1)
----------------------
* cold pair (k, l): both |eps - eps_F| <= ``cold_window`` T and the transfer
  omega = eps_l - eps_k in [T/sqrt(r_c), T sqrt(r_c)], r_c = ``cold_ratio``;
  pairs whose overlap bound int |psi_k psi_l| < ``overlap_tol`` are skipped,
  and so are hot states whose weight on the pair's support is < ``hot_tol``
  (|V|^2 scales with the product of the two weights), so the cost per cold
  pair does not grow with the box once L >> xi_h.
* the lattice step is ``dx``, refined to d/4 for correlated disorder (as the
  spectral stage's realizations).
* hot pair (i, j): |eps_i - eps| <= Delta_E/2, Delta_E = ``hot_window`` eps,
  and the matching transfer eps_i - eps_j within omega (1 +- r_t/2),
  r_t = ``transfer_window`` (window width delta = r_t omega).

Normalisation ("RMS over pairs" that does not depend on the box)
----------------------------------------------------------------
Only pairs that overlap in space contribute, so a plain mean over all pairs
of a box falls like 1/L^2.  The mean square is taken per pair *in one hot
localization volume, per Mott pair*:

    V_rms^2 = sum_r sum_(kl) sum_(ij) |V_ijkl|^2 / delta_kl
              / [ N_Mott * (rho_h xi_h)^2 Delta_E ],
    N_Mott  = sum_r sum_(kl) 2 J_kl,

where (rho_h xi_h Delta_E)(rho_h xi_h delta) is the number of hot pairs in
one localization volume xi_h (rho_h, xi_h: the model's localization dataset
at eps) and J_kl = -int_(|x|>x_cut) C_kl(x) dx is the Mott weight of the cold
pair (docs/physics.md §1.3; a fully hybridised Mott pair has J = 1/2), the same weight
n_T counts.  The numerator is local (box-independent once L >> xi_h,
tested), so V_rms is too.  Errors: delete-one jackknife over realizations
(ratio estimator), also for every fitted exponent.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import xarray as xr
from scipy.ndimage import convolve1d

from . import families
from .datasets import D_COORD, Var, apply_table, mark_models, missing_like
from .disorder import Model, PotentialStream
from .eigen import eigenpairs
from .jobs import map_in_order
from .schema import schema_defaults
from .stats import jackknife_stderr, jackknife_variance, measured_else, power_law_exponent
from .sweep import matrix_elements_settings as stage_settings
from .theory import mean_level_spacing, mott_length_eq7
from .validation import matrix_elements_problems as validate_settings

#: Settings of the matrix-element stage: the schema's defaults (config ``matrix_elements``).
DEFAULT_SETTINGS: dict[str, Any] = schema_defaults("matrix_elements")

__all__ = [
    "DEFAULT_SETTINGS",
    "QUANTITIES",
    "interaction_kernel",
    "kernel_range",
    "kernel_cosine",
    "block_amplitudes",
    "pair_support",
    "mott_weight",
    "pair_elements",
    "cold_pairs",
    "hot_pairs",
    "realization_seed",
    "realization_sums",
    "jackknife_rms",
    "fit_exponent",
    "hot_xi_rho",
    "measure_model",
    "stage_settings",
    "validate_settings",
    "matrix_elements_dataset",
    "xi_exponent",
    "merge_matrix_elements",
]


#: Quantities accumulated per pair: name -> function of (VH, Vex, V0).
QUANTITIES = ("V_H", "V_ex", "V_hc", "V_ex_excess", "V_contact")
_SEED_STREAM = 101  # spawn-key purpose of this stage (disorder.STREAMS uses 1-3)


# ---------------------------------------------------------------------------
# Interaction profile
# ---------------------------------------------------------------------------


def interaction_kernel(a: float, dx: float) -> np.ndarray:
    """Lattice Gaussian profile f_n [1/length], odd length, sum_n f_n dx = 1 exactly.

    f_a(x) = exp(-x^2/(2 a^2))/(sqrt(2 pi) a) sampled at x = n dx, |x| <= 6a,
    renormalised to unit lattice integral (a -> 0: delta_n0 / dx).
    """
    if not a > 0:
        raise ValueError(f"interaction range must be > 0, got {a}")
    half = int(math.floor(6.0 * a / dx))
    n = np.arange(-half, half + 1)
    f = np.exp(-0.5 * (n * dx / a) ** 2)
    return f / (f.sum() * dx)


def kernel_range(kernel: np.ndarray, dx: float) -> float:
    """RMS range sqrt(sum_n f_n (n dx)^2 dx) of a lattice kernel [length]."""
    half = kernel.size // 2
    x = np.arange(-half, half + 1) * dx
    return float(math.sqrt(np.sum(kernel * x * x) * dx))


def kernel_cosine(kernel: np.ndarray, dx: float, k: np.ndarray) -> np.ndarray:
    """int f_a(x) cos(k x) dx on the lattice: the paper's exchange coupling / alpha (Sec. III)."""
    half = kernel.size // 2
    x = np.arange(-half, half + 1) * dx
    return np.cos(np.multiply.outer(np.asarray(k, dtype=float), x)) @ kernel * dx


# ---------------------------------------------------------------------------
# Locality: block amplitude bounds and pair supports
# ---------------------------------------------------------------------------


def block_amplitudes(psi: np.ndarray, block: int, dx: float) -> np.ndarray:
    """A_s(B) = sqrt(int_B psi_s^2) on blocks of ``block`` sites, shape (n_states, n_blocks).

    By Cauchy-Schwarz, int_B |psi_k psi_l| <= A_k(B) A_l(B).
    """
    n_st, n = psi.shape
    nb = -(-n // block)
    sq = np.zeros((n_st, nb * block))
    sq[:, :n] = psi * psi
    return np.sqrt(sq.reshape(n_st, nb, block).sum(axis=2) * dx)


def pair_support(bound: np.ndarray, tol: float, block: int, pad: int, n_sites: int) -> slice:
    """Sites of the blocks where ``bound`` >= tol * sum(bound), padded by ``pad`` sites."""
    keep = np.flatnonzero(bound >= tol * bound.sum())
    lo = max(0, keep[0] * block - pad)
    hi = min(n_sites, (keep[-1] + 1) * block + pad)
    return slice(int(lo), int(hi))


def mott_weight(p: np.ndarray, dx: float, x_cut: float) -> float:
    """J = int p(y) int_(|s| <= x_cut) p(y + s) ds dy, = -int_(|x|>x_cut) C(x) dx for int p = 0.

    ``p`` = psi_k psi_l on a support containing the pair (docs/physics.md §1.3) [1/length].
    """
    c = int(round(x_cut / dx))
    cs = np.concatenate(([0.0], np.cumsum(p)))
    n = p.size
    idx = np.arange(n)
    q = (cs[np.minimum(idx + c + 1, n)] - cs[np.maximum(idx - c, 0)]) * dx
    return float(np.dot(p, q) * dx)


# ---------------------------------------------------------------------------
# Eq. (10)
# ---------------------------------------------------------------------------


def pair_elements(
    hot: np.ndarray,
    ii: np.ndarray,
    jj: np.ndarray,
    psi_k: np.ndarray,
    psi_l: np.ndarray,
    kernels: Sequence[np.ndarray],
    dx: float,
    u: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Hartree, exchange and contact parts of Eq. (10) for hot pairs (ii, jj) and one cold pair.

    Parameters
    ----------
    hot : ndarray, shape (n_hot, n_I)
        Hot states on the cold pair's support I [length^-1/2].
    ii, jj : int arrays, shape (n_p,)
        Rows of ``hot`` forming the pairs (i, j).
    psi_k, psi_l : ndarray, shape (n_I,)
        The cold pair on I.
    kernels : sequence of ndarray
        Lattice profiles f_a (:func:`interaction_kernel`), one per range a.
    dx : float
        Lattice step [length].
    u : float
        int V dx [energy length].

    Returns
    -------
    VH, Vex : ndarray, shape (n_kernels, n_p)
        V^H_ijkl and V^ex_ijkl of Eq. (10) [energy].
    V0 : ndarray, shape (n_p,)
        Contact term u int psi_i psi_j psi_k psi_l dx (a -> 0 of both) [energy].
    """
    p_kl = psi_k * psi_l
    ui, pi = np.unique(ii, return_inverse=True)
    uj, pj = np.unique(jj, return_inverse=True)
    hi, hj = hot[ui], hot[uj]  # dense products between the distinct rows (BLAS)
    V0 = u * dx * ((hi * p_kl) @ hj.T)[pi, pj]
    left = hi * psi_l  # psi_i psi_l (x1)
    VH = np.empty((len(kernels), ii.size))
    Vex = np.empty_like(VH)
    for n, ker in enumerate(kernels):
        g = convolve1d(p_kl, ker, mode="constant")  # (f_a * psi_k psi_l)(x1) / dx
        VH[n] = u * dx * dx * ((hi * g) @ hj.T)[pi, pj]
        right = convolve1d(hj * psi_k, ker, axis=1, mode="constant")
        Vex[n] = u * dx * dx * (left @ right.T)[pi, pj]
    return VH, Vex, V0


def cold_pairs(
    energies: np.ndarray, eps_f: float, temperature: float, window: float, ratio: float
) -> tuple[np.ndarray, np.ndarray]:
    """Cold pairs (k, l), eps_k < eps_l, both within eps_F +- window T, transfer ~ T (Eq. 1)."""
    e = np.asarray(energies)
    near = np.flatnonzero(np.abs(e - eps_f) <= window * temperature)
    k, l_ = np.meshgrid(near, near, indexing="ij")
    om = e[l_] - e[k]
    s = math.sqrt(ratio)
    sel = (om >= temperature / s) & (om <= temperature * s)
    return k[sel], l_[sel]


def hot_pairs(
    energies: np.ndarray, eps: float, half_width: float, omega: float, rel: float
) -> tuple[np.ndarray, np.ndarray]:
    """Hot pairs (i, j): |eps_i - eps| <= half_width, eps_i - eps_j in omega (1 -+ rel/2).

    ``energies`` ascending.
    """
    e = np.asarray(energies)
    ii = np.flatnonzero(np.abs(e - eps) <= half_width)
    lo = np.searchsorted(e, e[ii] - omega * (1 + 0.5 * rel), side="left")
    hi = np.searchsorted(e, e[ii] - omega * (1 - 0.5 * rel), side="right")
    cnt = hi - lo
    i_out = np.repeat(ii, cnt)
    j_out = np.repeat(lo - np.cumsum(cnt) + cnt, cnt) + np.arange(cnt.sum())
    return i_out, j_out


# ---------------------------------------------------------------------------
# One realization
# ---------------------------------------------------------------------------


def realization_seed(seed: int, model: Model, r: int) -> np.random.SeedSequence:
    """Seed of realization r of this stage (own purpose key; disjoint from the other stages)."""
    fam = zlib.crc32(model.family.encode())
    dbits = int(np.float64(model.d).view(np.uint64))
    key = (_SEED_STREAM, fam, dbits & 0xFFFFFFFF, dbits >> 32, int(r))
    return np.random.SeedSequence(int(seed), spawn_key=key)


def _squares(VH: np.ndarray, Vex: np.ndarray, V0: np.ndarray, w: float) -> np.ndarray:
    """sum over pairs of |V_q|^2 * w for the QUANTITIES, shape (n_kernels, 5)."""
    tot = VH - Vex
    exc = Vex - V0[None, :]
    v0 = np.broadcast_to(V0, VH.shape)
    return np.stack([(q * q).sum(axis=1) for q in (VH, Vex, tot, exc, v0)], axis=1) * w


def _pair_sums(cold, hot_states, k, l_, grid, kernels, s) -> tuple[np.ndarray, float, np.ndarray]:
    """Sums of one cold pair over every hot energy: (n_E, n_kernels, 5), J_kl, hot-pair counts."""
    dx, u = grid["dx"], grid["u"]
    c_e, c_psi, c_amp = cold
    nb = grid["block_sites"]
    sup = pair_support(c_amp[k] * c_amp[l_], s["support_tol"], nb, grid["pad"], c_psi.shape[1])
    pk, pl = c_psi[k, sup], c_psi[l_, sup]
    j_kl = mott_weight(pk * pl, dx, s["x_cut"] * grid["xi_c"])
    omega = c_e[l_] - c_e[k]
    b0, b1 = sup.start // nb, -(-sup.stop // nb)
    out = np.zeros((len(hot_states), len(kernels), len(QUANTITIES)))
    counts = np.zeros(len(hot_states))
    for n, (eps, h_e, h_psi, h_amp) in enumerate(hot_states):
        rows = np.flatnonzero((h_amp[:, b0:b1] ** 2).sum(axis=1) > s["hot_tol"])
        ii, jj = hot_pairs(h_e[rows], eps, 0.5 * s["hot_window"] * eps, omega, s["transfer_window"])
        if ii.size == 0:
            continue
        VH, Vex, V0 = pair_elements(h_psi[rows, sup], ii, jj, pk, pl, kernels, dx, u)
        out[n] = _squares(VH, Vex, V0, 1.0 / (s["transfer_window"] * omega))
        counts[n] = ii.size
    return out, j_kl, counts


def realization_sums(
    potential: np.ndarray,
    grid: Mapping[str, Any],
    energies: np.ndarray,
    temperatures: np.ndarray,
    kernels: Sequence[Sequence[np.ndarray]],
    settings: Mapping[str, Any],
) -> dict[str, np.ndarray]:
    """Pair sums of one realization (module docstring: Normalisation).

    Parameters
    ----------
    potential : ndarray (N,)
        U(x_n) [energy].
    grid : mapping
        ``dx`` [length], ``m``, ``u`` [energy length], ``eps_f`` [energy],
        ``xi_c`` [length], ``block_sites``, ``pad`` (sites).
    energies, temperatures : ndarray
        Hot energies eps and temperatures T [energy].
    kernels : sequence (per T) of sequences of lattice profiles
        The profiles evaluated at each temperature.
    settings : mapping
        The stage settings (:data:`DEFAULT_SETTINGS`).

    Returns
    -------
    dict with ``sq`` list (per T) of (n_E, n_kernels, 5) sums of |V_q|^2/delta
    [energy], ``mott`` (n_T,) = sum 2 J_kl, ``n_cold`` (n_T,) cold pairs kept,
    ``n_hot`` (n_T, n_E) hot pairs, ``n_states`` (n_E,) hot states i in Delta_E.
    """
    s = settings
    dx, m, eps_f = grid["dx"], grid["m"], grid["eps_f"]
    t_max = float(np.max(temperatures))
    om_max = t_max * math.sqrt(s["cold_ratio"]) * (1 + 0.5 * s["transfer_window"])
    wc = s["cold_window"] * t_max * (1 + 1e-6)
    c_e, c_psi = eigenpairs(potential, dx, m, eps_f - wc, eps_f + wc)
    cold = (c_e, c_psi, block_amplitudes(c_psi, grid["block_sites"], dx))
    hot_states, n_states = [], []
    for eps in energies:
        half = 0.5 * s["hot_window"] * eps
        lo, hi = eps - half - om_max * 1.001, eps + half * 1.001
        h_e, h_psi = eigenpairs(potential, dx, m, lo, hi)
        hot_states.append((eps, h_e, h_psi, block_amplitudes(h_psi, grid["block_sites"], dx)))
        n_states.append(np.count_nonzero(np.abs(h_e - eps) <= half))
    overlap = cold[2] @ cold[2].T  # >= int |psi_k psi_l|
    out = {"sq": [], "mott": [], "n_cold": [], "n_hot": []}
    for t, kers in zip(temperatures, kernels, strict=True):
        ks, ls = cold_pairs(c_e, eps_f, t, s["cold_window"], s["cold_ratio"])
        keep = overlap[ks, ls] >= s["overlap_tol"]
        acc = np.zeros((len(energies), len(kers), len(QUANTITIES)))
        mott, n_hot = 0.0, np.zeros(len(energies))
        for k, l_ in zip(ks[keep], ls[keep], strict=True):
            sq, j_kl, cnt = _pair_sums(cold, hot_states, k, l_, grid, kers, s)
            acc += sq
            mott += 2.0 * j_kl
            n_hot += cnt
        out["sq"].append(acc)
        out["mott"].append(mott)
        out["n_cold"].append(int(keep.sum()))
        out["n_hot"].append(n_hot)
    return {
        "sq": out["sq"],
        "mott": np.asarray(out["mott"]),
        "n_cold": np.asarray(out["n_cold"]),
        "n_hot": np.asarray(out["n_hot"]),
        "n_states": np.asarray(n_states),
    }


# ---------------------------------------------------------------------------
# Estimates and fits
# ---------------------------------------------------------------------------


def jackknife_rms(num: np.ndarray, den: np.ndarray, scale: np.ndarray | float = 1.0):
    """RMS sqrt(scale sum_r num_r / sum_r den_r), its delete-one replicas and stderr.

    ``num`` has the realization axis first; ``den`` broadcasts against it.
    Returns (full, replicas (R, ...), stderr); var = (R-1)/R sum (x_r - mean)^2.
    """
    num = np.asarray(num, dtype=float)
    den = np.broadcast_to(np.asarray(den, dtype=float), num.shape)
    with np.errstate(invalid="ignore", divide="ignore"):
        full = np.sqrt(scale * num.sum(0) / den.sum(0))
        reps = np.sqrt(scale * (num.sum(0) - num) / (den.sum(0) - den))
    return full, reps, jackknife_stderr(reps)


#: Exponent p of y ~ x^p with its jackknife stderr (:func:`hotcold.stats.power_law_exponent`).
fit_exponent = power_law_exponent


def _one_realization(args: tuple) -> dict[str, np.ndarray]:
    model, seed, r, n_sites, grid, energies, temps, kernels, settings = args
    pot = PotentialStream(model, grid["dx"], realization_seed(seed, model, r)).take(n_sites)
    return realization_sums(pot, grid, energies, temps, kernels, settings)


def hot_xi_rho(loc: xr.Dataset, energies: np.ndarray) -> dict[str, np.ndarray]:
    """xi_h [length] and rho_h [1/(energy length)] at the hot energies (log-log interpolation).

    From a per-model localization dataset (measured xi where measured, Born
    otherwise; the clean DOS where the measured one is not finite).
    """
    e = loc["energy"].values
    if energies.min() < e.min() * (1 - 1e-9) or energies.max() > e.max() * (1 + 1e-9):
        raise ValueError(
            f"hot energies {energies.min()}..{energies.max()} outside the localization grid "
            f"{e.min()}..{e.max()} (localization.energies)"
        )
    rho = measured_else(loc["dos"].values, loc["dos_clean"].values)[0]
    le = np.log(energies)
    return {
        "xi_h": np.exp(np.interp(le, np.log(e), np.log(loc["xi"].values))),
        "rho_h": np.exp(np.interp(le, np.log(e), np.log(rho))),
    }


def measure_model(
    model: Model,
    energies: np.ndarray,
    cold: Mapping[str, float],
    hot: Mapping[str, np.ndarray],
    params: Mapping[str, Any],
    settings: Mapping[str, Any],
    workers: int = 1,
    log=print,
) -> dict[str, Any]:
    """Run the realizations of one model; return stacked pair sums (R first) and the grid.

    ``params``: ``m``, ``fermi_energy``, ``u``, ``range`` (a), ``seed``.
    """
    s = settings
    dx = float(s["dx"]) if model.d == 0 else min(float(s["dx"]), model.d / 4)  # as ed_grid
    n_sites = int(round(float(s["box_length"]) / dx))
    temps_main = np.asarray(s["temperatures"], dtype=float)
    temps = np.unique(np.append(temps_main, float(s["scan_T"])))
    scan_i = int(np.searchsorted(temps, float(s["scan_T"])))
    ker = interaction_kernel(float(params["range"]), dx)
    scan = [interaction_kernel(float(a), dx) for a in s["ranges"]]
    kernels = [[ker] + (scan if n == scan_i else []) for n in range(temps.size)]
    pad = max(k.size for k in [ker, *scan])
    grid = {
        "dx": dx,
        "m": float(params["m"]),
        "u": float(params["u"]),
        "eps_f": float(params["fermi_energy"]),
        "xi_c": float(cold["xi_c"]),
        "block_sites": max(1, int(round(float(s["block"]) / dx))),
        "pad": pad,
    }
    args = [
        (model, int(params["seed"]), r, n_sites, grid, energies, temps, kernels, s)
        for r in range(int(s["realizations"]))
    ]
    out = []
    for r, res in enumerate(map_in_order(_one_realization, [args], workers)):
        out.append(res)
        log(
            f"realization {r + 1}/{len(args)}: cold pairs {res['n_cold'].tolist()}, "
            f"Mott pairs {np.round(res['mott'], 2).tolist()}"
        )
    main = np.searchsorted(temps, temps_main)
    return {
        "temperatures": temps_main,
        "sq": np.stack([np.stack([o["sq"][t][:, 0, :] for t in main]) for o in out]),
        "scan": np.stack([o["sq"][scan_i][:, 1:, :] for o in out]),
        "mott": np.stack([o["mott"][main] for o in out]),
        "scan_mott": np.array([o["mott"][scan_i] for o in out]),
        "n_cold": np.stack([o["n_cold"][main] for o in out]),
        "n_hot": np.stack([o["n_hot"][main] for o in out]),
        "n_states": np.stack([o["n_states"] for o in out]),
        "kernel": ker,
        "scan_kernels": scan,
        "n_sites": n_sites,
        "dx": dx,
    }


_TE = ("T", "energy")
_EA = ("energy", "interaction_range")
_RMS_NOTE = (
    "RMS per pair in one hot localization volume, per Mott pair: sum |V|^2/delta over "
    "matching pairs / [N_Mott (rho_h xi_h)^2 Delta_E] (module hotcold.matrix_elements)"
)
_NAMES = {
    "V_H": ("V_H_rms", "Hartree part of Eq. (10), RMS over pairs", "10"),
    "V_ex": ("V_ex_rms", "exchange part of Eq. (10), RMS over pairs", "10"),
    "V_hc": (
        "V_hc_numerical",
        "full V_ijkl = Hartree - exchange of Eq. (10), RMS over pairs",
        "10",
    ),
    "V_ex_excess": (
        "V_ex_excess_rms",
        "exchange minus its a -> 0 contact value, RMS over pairs (small-a form "
        "u a^2/eps, Sec. III)",
        "10",
    ),
    "V_contact": (
        "V_contact_rms",
        "contact term u int psi_i psi_j psi_k psi_l (a -> 0 of "
        "Hartree and of exchange), RMS over pairs",
        "10, 11",
    ),
}


#: Fitted exponents: name -> (dims, long_name, equation).
_FITS: dict[str, tuple[tuple[str, ...], str, str]] = {
    "V_H_eps_exponent": (
        ("T",),
        "d ln V_H_rms / d ln eps at fixed T (paper: -3/2 for white noise)",
        "11",
    ),
    "V_hc_eq11_eps_exponent": (("T",), "d ln V_hc_eq11 / d ln eps, same points", "11"),
    "V_H_T_exponent": (("energy",), "d ln V_H_rms / d ln T at fixed eps", "11"),
    "V_hc_eq11_T_exponent": (("energy",), "d ln V_hc_eq11 / d ln T, same points", "11"),
    "V_ex_excess_eps_exponent": (
        ("T",),
        "d ln V_ex_excess_rms / d ln eps (paper: -1 for white noise, u a^2/eps)",
        "10",
    ),
    "V_hc_eps_exponent": (("T",), "d ln V_hc_numerical / d ln eps", "10"),
    "V_ex_excess_range_exponent": (
        ("energy",),
        "d ln V_ex_excess_scan / d ln a_eff for k_h a_eff <= 0.5 (paper: 2)",
        "10",
    ),
    "V_hc_range_exponent": (
        ("energy",),
        "d ln V_hc_scan / d ln a_eff for k_h a_eff <= 0.5",
        "10",
    ),
}


def _base_rows() -> dict[str, Var]:
    """Rows of the grids, the inputs, the pair counts and the range scan."""
    return {
        "T": Var(("T",), "energy", "temperature (cold-pair transfer ~ T)"),
        "energy": Var(("energy",), "energy", "hot energy eps"),
        "interaction_range": Var(
            ("interaction_range",), "length", "RMS range a of the Gaussian profile f_a (range scan)"
        ),
        "replica_me": Var(("replica_me",), "1", "delete-one-realization jackknife replica"),
        "V_hc_eq11": Var(_TE, "energy", "alpha T l_M / xi_h with the measured inputs", "11, 12, 7"),
        "V_H_over_eq11": Var(_TE, "1", "V_H_rms / V_hc_eq11", "11"),
        "V_H_over_eq11_stderr": Var(_TE, "1", "standard error of V_H_over_eq11", "11"),
        "alpha": Var(("energy",), "1", "coupling constant alpha = rho_h |u|", "12"),
        "mott_length": Var(("T",), "length", "Mott length l_M = 2 xi_c ln(Delta_c/T)", "7"),
        "xi_h": Var(("energy",), "length", "hot localization length (localization stage)", "2"),
        "rho_h": Var(("energy",), "1/(energy length)", "hot density of states"),
        "box_over_xi_h": Var(("energy",), "1", "box length / xi_h (>= 5 required)"),
        "T_over_delta_h": Var(
            _TE,
            "1",
            "T / Delta_h, Delta_h = 1/(rho_h xi_h): Eq. (11) needs "
            "Delta_h << T (beating beats the envelopes)",
            "11",
        ),
        "mott_pairs": Var(("T",), "1", "Mott pairs per realization, sum 2 J_kl", "3"),
        "cold_pairs": Var(("T",), "1", "cold pairs kept per realization (overlap >= tol)"),
        "hot_pairs": Var(_TE, "1", "matching hot pairs per realization"),
        "hot_states": Var(("energy",), "1", "hot states i in Delta_E per realization"),
        "range_effective": Var(
            ("interaction_range",), "length", "RMS range of the lattice profile (a for a >= dx)"
        ),
        "exchange_coupling_sec3": Var(
            _EA,
            "1",
            "int f_a(x) cos(k_h x) dx: the paper's exchange "
            "coupling over alpha above eps ~ 1/(m a^2)",
            "12",
        ),
        "V_ex_over_V_H_scan": Var(_EA, "1", "V_ex_scan / V_H_scan (range scan)", "10"),
        "V_hc_over_V_H_scan": Var(
            _EA, "1", "V_hc_scan / V_H_scan: Hartree-exchange cancellation (-> 0 as a -> 0)", "10"
        ),
    }


def _table() -> dict[str, Var]:
    t = _base_rows()
    for q, (name, long, eq) in _NAMES.items():
        t[name] = Var(_TE, "energy", long, eq, {"comment": _RMS_NOTE})
        t[name + "_stderr"] = Var(_TE, "energy", "standard error of " + name, eq)
        scan = q + "_scan"
        t[scan] = Var(_EA, "energy", long + ", range scan at T = scan_T", eq)
        t[scan + "_stderr"] = Var(_EA, "energy", "standard error of " + scan, eq)
    for name in ("V_H_rms", "V_hc_numerical"):
        t[name + "_jackknife"] = Var(
            ("replica_me", *_TE), "energy", "delete-one-realization replicas of " + name, "10"
        )
    for name, (dims, long, eq) in _FITS.items():
        t[name] = Var(dims, "1", long, eq)
        if "eq11" not in name:
            t[name + "_stderr"] = Var(dims, "1", "jackknife standard error of " + name, eq)
    return t


#: Variable table of the per-model dataset (merged: plus (family, d) and the xi fit).
VARS = _table()


def _fits(ds: xr.Dataset, reps: Mapping[str, np.ndarray]) -> None:
    """Fitted exponents with jackknife errors (in place)."""
    e, t = ds["energy"].values, ds["T"].values
    for q, name in (
        ("V_H", "V_H_rms"),
        ("V_ex_excess", "V_ex_excess_rms"),
        ("V_hc", "V_hc_numerical"),
    ):
        key = {"V_H": "V_H", "V_ex_excess": "V_ex_excess", "V_hc": "V_hc"}[q]
        out = [fit_exponent(e, ds[name].values[n], reps[key][:, n]) for n in range(t.size)]
        ds[f"{q}_eps_exponent"] = ("T", [o[0] for o in out])
        ds[f"{q}_eps_exponent_stderr"] = ("T", [o[1] for o in out])
    ds["V_hc_eq11_eps_exponent"] = ("T", [fit_exponent(e, v)[0] for v in ds["V_hc_eq11"].values])
    out = [fit_exponent(t, ds["V_H_rms"].values[:, n], reps["V_H"][:, :, n]) for n in range(e.size)]
    ds["V_H_T_exponent"] = ("energy", [o[0] for o in out])
    ds["V_H_T_exponent_stderr"] = ("energy", [o[1] for o in out])
    ds["V_hc_eq11_T_exponent"] = (
        "energy",
        [fit_exponent(t, ds["V_hc_eq11"].values[:, n])[0] for n in range(e.size)],
    )
    a_eff = ds["range_effective"].values
    k_h = np.sqrt(2.0 * ds.attrs["m"] * e)
    for q in ("V_ex_excess", "V_hc"):
        res = []
        for n in range(e.size):
            sel = (k_h[n] * a_eff <= 0.5) & (a_eff > 0)
            y = np.where(sel, ds[f"{q}_scan"].values[n], np.nan)
            res.append(fit_exponent(a_eff, y, reps[q + "_scan"][:, n]))
        ds[f"{q}_range_exponent"] = ("energy", [r_[0] for r_ in res])
        ds[f"{q}_range_exponent_stderr"] = ("energy", [r_[1] for r_ in res])


def _rms_part(ds: xr.Dataset, meas: Mapping[str, Any], scale: np.ndarray) -> dict:
    """RMS of every quantity over pairs and realizations, with jackknife errors (in place).

    Returns the leave-one-out replicas by quantity (``<q>`` and ``<q>_scan``).
    """
    reps = {}
    for n, q in enumerate(QUANTITIES):
        name = _NAMES[q][0]
        full, rep, se = jackknife_rms(meas["sq"][..., n], meas["mott"][:, :, None], scale)
        ds[name], ds[name + "_stderr"] = (_TE, full), (_TE, se)
        reps[q] = rep
        full, rep, se = jackknife_rms(
            meas["scan"][..., n], meas["scan_mott"][:, None, None], scale[:, None]
        )
        ds[q + "_scan"], ds[q + "_scan_stderr"] = (_EA, full), (_EA, se)
        reps[q + "_scan"] = rep
    ds["V_H_rms_jackknife"] = (("replica_me", *_TE), reps["V_H"])
    ds["V_hc_numerical_jackknife"] = (("replica_me", *_TE), reps["V_hc"])
    return reps


def _eq11_part(ds, meas, energies, cold, hot, params, dx) -> float:
    """Eq. (11)/(12) beside the numbers, pair counts and the range scan (in place); Delta_c."""
    temps = ds["T"].values
    xi_h, rho_h = np.asarray(hot["xi_h"]), np.asarray(hot["rho_h"])
    delta_c = float(mean_level_spacing(cold["rho_c"], cold["xi_c"]))
    l_m = mott_length_eq7(cold["xi_c"], delta_c, temps)
    alpha = rho_h * abs(float(params["u"]))
    ds["alpha"], ds["mott_length"] = ("energy", alpha), ("T", l_m)
    ds["xi_h"], ds["rho_h"] = ("energy", xi_h), ("energy", rho_h)
    ds["V_hc_eq11"] = (_TE, alpha[None, :] * temps[:, None] * l_m[:, None] / xi_h[None, :])
    ds["V_H_over_eq11"] = ds["V_H_rms"] / ds["V_hc_eq11"]
    ds["V_H_over_eq11_stderr"] = ds["V_H_rms_stderr"] / ds["V_hc_eq11"]
    ds["box_over_xi_h"] = ("energy", meas["n_sites"] * dx / xi_h)
    ds["T_over_delta_h"] = (_TE, temps[:, None] * (rho_h * xi_h)[None, :])
    ds["mott_pairs"] = ("T", meas["mott"].mean(0))
    ds["cold_pairs"] = ("T", meas["n_cold"].mean(0))
    ds["hot_pairs"] = (_TE, meas["n_hot"].mean(0))
    ds["hot_states"] = ("energy", meas["n_states"].mean(0))
    ds["range_effective"] = (
        "interaction_range",
        [kernel_range(k, dx) for k in meas["scan_kernels"]],
    )
    k_h = np.sqrt(2.0 * float(params["m"]) * energies)
    ds["exchange_coupling_sec3"] = (
        _EA,
        np.stack([kernel_cosine(k, dx, k_h) for k in meas["scan_kernels"]], axis=1),
    )
    ds["V_ex_over_V_H_scan"] = ds["V_ex_scan"] / ds["V_H_scan"]
    ds["V_hc_over_V_H_scan"] = ds["V_hc_scan"] / ds["V_H_scan"]
    return delta_c


def _model_attrs(meas, cold, params, s, dx: float, delta_c: float) -> dict[str, Any]:
    """Global attributes of one model's dataset: parameters, pair selection, profile."""
    return dict(
        m=float(params["m"]),
        u=float(params["u"]),
        interaction_range=float(params["range"]),
        interaction_range_effective=kernel_range(meas["kernel"], dx),
        dx=dx,
        box_length=meas["n_sites"] * dx,
        realizations=int(meas["sq"].shape[0]),
        xi_c=float(cold["xi_c"]),
        rho_c=float(cold["rho_c"]),
        Delta_c=delta_c,
        scan_T=float(s["scan_T"]),
        hot_window=float(s["hot_window"]),
        transfer_window=float(s["transfer_window"]),
        cold_window=float(s["cold_window"]),
        cold_ratio=float(s["cold_ratio"]),
        pair_selection=(
            "cold pair: |eps_k,l - eps_F| <= cold_window T, omega = eps_l - eps_k in "
            "[T/sqrt(cold_ratio), T sqrt(cold_ratio)]; hot pair: |eps_i - eps| <= "
            "hot_window eps / 2, eps_i - eps_j in omega (1 +- transfer_window/2)"
        ),
        interaction_profile="V(x) = u exp(-x^2/(2 a^2))/(sqrt(2 pi) a), lattice-normalised",
        jackknife="leave-one-out over realizations",
        paper_exponents="V_H vs eps: -3/2 (white noise, Eq. 11); V_ex excess vs eps: -1, "
        "vs a: 2 (Sec. III); V_H vs xi_h at fixed rho_h, T, l_M: -1 (Eq. 11)",
    )


def matrix_elements_dataset(
    meas: Mapping[str, Any],
    energies: np.ndarray,
    cold: Mapping[str, float],
    hot: Mapping[str, np.ndarray],
    params: Mapping[str, Any],
    settings: Mapping[str, Any],
) -> xr.Dataset:
    """Dataset of one model from :func:`measure_model` (variables: :data:`VARS`).

    ``cold``: ``xi_c`` [length], ``rho_c`` [1/(energy length)] at eps_F;
    ``hot``: ``xi_h``, ``rho_h`` at ``energies`` (:func:`hot_xi_rho`).
    """
    dx = float(meas["dx"])
    xi_h, rho_h = np.asarray(hot["xi_h"]), np.asarray(hot["rho_h"])
    # per-energy normalisation of the pair sums
    scale = 1.0 / ((rho_h * xi_h) ** 2 * float(settings["hot_window"]) * energies)
    ds = xr.Dataset(
        coords={
            "T": np.asarray(meas["temperatures"]),
            "energy": energies,
            "interaction_range": np.asarray(settings["ranges"], dtype=float),
            "replica_me": np.arange(meas["sq"].shape[0]),
        }
    )
    reps = _rms_part(ds, meas, scale)
    delta_c = _eq11_part(ds, meas, energies, cold, hot, params, dx)
    ds.attrs.update(_model_attrs(meas, cold, params, settings, dx, delta_c))
    _fits(ds, reps)
    return apply_table(ds, VARS)


# ---------------------------------------------------------------------------
# Configuration (checked before any job runs) and merge
# ---------------------------------------------------------------------------


def xi_exponent(per_model: Sequence[xr.Dataset]) -> tuple[np.ndarray, np.ndarray]:
    """Pooled exponent of V_H_rms / (alpha T l_M) vs xi_h over models and energies, per T.

    Eq. (11) predicts -1.  Errors: jackknife within each model (the models use
    independent realizations), variances summed over models.
    """
    temps = per_model[0]["T"].values
    x = np.concatenate([d["xi_h"].values for d in per_model])
    base = [
        d["alpha"].values[None, :] * d["T"].values[:, None] * d["mott_length"].values[:, None]
        for d in per_model
    ]
    full = [d["V_H_rms"].values / b for d, b in zip(per_model, base, strict=True)]
    reps = [d["V_H_rms_jackknife"].values / b for d, b in zip(per_model, base, strict=True)]
    p, se = np.full(temps.size, np.nan), np.full(temps.size, np.nan)
    for t in range(temps.size):
        p[t] = fit_exponent(x, np.concatenate([f[t] for f in full]))[0]
        var = 0.0
        for g, rg in enumerate(reps):
            vals = []
            for rep in rg:
                ys = [rep[t] if h == g else full[h][t] for h in range(len(full))]
                vals.append(fit_exponent(x, np.concatenate(ys))[0])
            var += jackknife_variance(np.asarray(vals))
        se[t] = math.sqrt(var)
    return p, se


_MODEL_ATTRS = {
    "xi_c": ("length", "cold localization length at eps_F"),
    "rho_c": ("1/(energy length)", "cold density of states at eps_F"),
    "Delta_c": ("energy", "Delta_c = 1/(rho_c xi_c)"),
    "box_length": ("length", "box length of the exact eigenstates"),
    "dx": ("length", "lattice step of the exact eigenstates"),
}


def merge_matrix_elements(per_model: Mapping[tuple[str, float], xr.Dataset]) -> xr.Dataset:
    """Stack per-model datasets over (family, d); white noise once, at ('white', 0).

    Energies are the union of the models' (NaN where a model was not measured);
    the cells that are not a model are missing (:func:`hotcold.datasets.mark_models`
    adds ``is_model``); adds the pooled ``V_H_xi_exponent`` (:func:`xi_exponent`).
    """
    keys = {(str(f), float(d)) for f, d in per_model}
    fams = families.sweep_families(sorted({f for f, _ in keys}), [d for _, d in keys])
    dvals = sorted({d for _, d in keys})
    parts = []
    for (fam, d), ds in per_model.items():
        one = ds.copy()
        for name in _MODEL_ATTRS:
            one[name] = ((), float(ds.attrs[name]))
            one.attrs.pop(name)
        parts.append(one.expand_dims(family=[fam], d=[float(d)]))
    template = missing_like(parts[0].squeeze(("family", "d"), drop=True))
    parts += [
        template.expand_dims(family=[f], d=[d]) for f in fams for d in dvals if (f, d) not in keys
    ]
    merged = xr.merge(parts, join="outer", compat="no_conflicts", combine_attrs="drop_conflicts")
    p, se = xi_exponent(list(per_model.values()))
    merged["V_H_xi_exponent"] = ("T", p)
    merged["V_H_xi_exponent_stderr"] = ("T", se)
    table = {
        k: Var(("family", "d", *v.dims), v.units, v.long_name, v.equation, v.attrs)
        for k, v in VARS.items()
        if k not in ("T", "energy", "interaction_range", "replica_me")
    }
    table.update({k: VARS[k] for k in ("T", "energy", "interaction_range", "replica_me")})
    for name, (units, long) in _MODEL_ATTRS.items():
        table[name] = Var(("family", "d"), units, long)
    table["d"] = D_COORD
    table["V_H_xi_exponent"] = Var(
        ("T",),
        "1",
        "pooled d ln[V_H_rms/(alpha T l_M)] / d ln xi_h over models and energies (paper: -1)",
        "11",
    )
    table["V_H_xi_exponent_stderr"] = Var(
        ("T",), "1", "jackknife standard error of V_H_xi_exponent", "11"
    )
    merged = merged.reindex(family=list(fams)).transpose("family", "d", ...)
    apply_table(merged, table)
    return mark_models(merged)


# ---------------------------------------------------------------------------
# Workflow helpers (workflow/rules/matrix_elements.smk)
# ---------------------------------------------------------------------------
