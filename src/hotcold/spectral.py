"""Spectral function S_omega(x) and thermal-pair density n_T from exact eigenstates.
(docs/physics.md §1.3).

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
  disorder (docs/physics.md §1.3), folded to |omega| and |x|:

      S(|omega|, |x|) = sum_{ordered (i, j), i != j} C_ij(|x|)
                         / (2 L_y(x) de domega),

  over pairs with eps_i in [eps_F - de/2, eps_F + de/2) and |eps_j - eps_i|
  in the omega bin [omega_lo, omega_hi).  The factor 2 averages omega and
  -omega; an unordered pair {i, j} enters once per role in which it
  qualifies (0, 1 or 2 times).  C_ij(|x|) = (C_ij(x) + C_ij(-x))/2 and
  L_y(x) is the mean (over +-x) length of origins in R whose partner lies in
  the box (= L - 2a for |x| <= a), which makes the estimator unbiased for a
  translation-invariant S; values are averaged over the lags in each x bin.
* n_T(T), Eq. (3) on the eigenpairs (docs/physics.md §1.3):

      n_T = (2/L_R) sum_{eps_j < eps_i} f(eps_i) (1 - f(eps_j)) J_ij,
      J_ij = -int_{|x| > x_cut} C_ij(x) dx = int_{y in R} p_ij(y) q_ij(y) dy,
      q_ij(y) = int_{|s| <= x_cut} p_ij(y + s) ds,

  (the second form of J_ij is the sum rule for i != j), L_R = L - 2a.
  Pairs are taken from the eigenpairs in [eps_F - W, eps_F + W] with
  eps_i - eps_j <= W, W = ``window_T`` * max(T).  Every neglected pair has
  f(eps_i)(1 - f(eps_j)) <= exp(-W/T); for a flat spectral weight the
  neglected fraction of n_T is ~ (12/pi^2)(W/T + 1) exp(-W/T): 4.9e-3 at
  T = max(T) for the default W = 8 max(T), 1.4e-4 at W/T = 12 (T <=
  max(T)/1.5), 3e-6 at W/T = 16; :func:`hotcold.pairs.truncation_fraction` evaluates it
  exactly and the dataset stores it per T (``n_T_truncation``).

Errors are standard errors over realizations (std/sqrt(n)) for the averages
and delete-one jackknife over realizations for fitted quantities (peak
positions, slopes, exponents), which accounts for the correlations between
omega bins and between temperatures.

Modules
-------
This module keeps the variable table (:data:`SPECTRAL_VARIABLES`), the
geometry and the dataset assembly; the eigensolver is
:mod:`hotcold.eigen`, the per-realization estimators above are
:mod:`hotcold.pairs`, the jackknife and the fits :mod:`hotcold.stats`.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import time
import warnings
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from .datasets import Var, apply_table, flag_attrs
from .jobs import map_in_order
from .pairs import interior_slice, realization_estimate, truncation_fraction
from .schema import schema_defaults
from .stats import (
    fit_power_law,
    jackknife,
    loo_refit_stderr,
    mean_stderr,
    relative_error,
    weighted_line,
)
from .thermal import (
    SOURCES,
    Pass,
    assemble_blocks,
    band_overlaps,
    band_systematic,
    fold_systematic,
    generated_potential,
    plan_passes,
    resolve,
)

#: Settings of the spectral stage: the schema's defaults (config section ``spectral``).
DEFAULT_SETTINGS: dict[str, Any] = schema_defaults("spectral")

__all__ = [
    "DEFAULT_SETTINGS",
    "fit_mott_slope",
    "symmetric_centroid",
    "binned_sum_rule",
    "SPECTRAL_VARIABLES",
    "Geometry",
    "spectral_geometry",
    "run_pass",
    "passes_part",
    "spectral_function_part",
    "mott_peak_part",
    "thermal_part",
    "parameters_part",
    "spectral_dataset",
]


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
        ("T",),
        "1/length",
        "error of n_T: jackknife statistical error and n_T_systematic in quadrature (incl. the "
        "fit where extrapolated)",
    ),
    "n_T_systematic": Var(
        ("T",),
        "1/length",
        "systematic error of n_T: the part sqrt(max(delta^2 - s^2, 0)) of the band-to-band "
        "difference delta +- s (pass_overlap_difference) at the boundaries of the pass serving T "
        "that its error does not explain, times n_T_measured; folded into n_T_stderr",
    ),
    "n_T_next_pass": Var(
        ("T",),
        "1/length",
        "n_T at T computed again on the next wider pass (band-to-band check; NaN: T served by "
        "the widest pass)",
        "Eq. (3)",
    ),
    "n_T_next_pass_stderr": Var(("T",), "1/length", "standard error of n_T_next_pass over blocks"),
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
    "pass_margin_over_xi_c": Var(
        ("pass",),
        "1",
        "origin margin a of the pass / xi_c (n_T passes: the pair reach l + box_widths "
        "sqrt(4 xi_c l), l = max(l_M, x_cut), at the lowest T computed; S pass: spectral.margin)",
        "Eq. (5), (7)",
    ),
    "pass_overlap_difference": Var(
        ("pass",),
        "1",
        "(n_T of the next wider pass - n_T of this pass)/n_T of this pass at the highest "
        "temperature this pass serves (NaN: the widest pass, or S only)",
    ),
    "pass_overlap_difference_stderr": Var(
        ("pass",), "1", "jackknife standard error of pass_overlap_difference"
    ),
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
    "Delta_c": Var((), "energy", "Delta_c = 1/(rho_c xi_c)", "Sec. II"),
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

    def estimate_args(self, p: Pass) -> tuple[tuple, dict[str, Any]]:
        """(positional, keyword) arguments of :func:`realization_estimate` for pass ``p``."""
        t = self.t_grid[list(p.t_eval)] if p.t_eval else self.t_grid[:1]
        args = (self.dx, self.m, self.eps_f, self.de, self.omega_edges, self.x_edges,
                p.margin, self.x_cut, t, self.window_t)  # fmt: skip
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


def fit_mott_slope(
    log_ratio: np.ndarray, l_peak: np.ndarray, l_stderr: np.ndarray
) -> tuple[float, float]:
    """Weighted linear fit l_peak = slope ln(Delta_c/omega) + intercept (Eq. 7 form)."""
    return weighted_line(log_ratio, l_peak, l_stderr)


def _loo_slope_stderr(lnr, l_loo, weights_se, slope) -> tuple[float, float]:
    """Jackknife errors of (slope, intercept): the same fit redone on each leave-one-out."""
    if l_loo is None or not np.isfinite(slope):
        return np.nan, np.nan
    se_fit = loo_refit_stderr(lambda row: fit_mott_slope(lnr, row, weights_se), l_loo)
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
        slope_se / slope if slope else np.nan, relative_error(xi_c_stderr, xi_c)
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
    geo: Geometry,
    runs: Mapping[str, Mapping[str, Any]],
    over: Mapping[str, Any],
    xi_c_stderr: float,
    rho_c_stderr: float,
):
    """n_T at the hot-cold temperatures (Eq. 3), flagged, with jackknife replicas.

    See :mod:`hotcold.thermal`: each T from the pass that serves it, block
    means over the R jackknife blocks, extrapolation of g = n_T/Eq. (6)
    where unresolved; also Eq. (6), the window truncation and the T^p / T^2
    fits on the resolved points.
    """
    from .theory import thermal_density_eq6, thermal_density_eq6_coefficient

    t_grid, r = geo.t_grid, geo.n_blocks
    per_pass = [(p, runs[p.name]["n_T"]) for p in geo.passes]
    blocks = assemble_blocks(per_pass, t_grid.size, r)
    n_meas, se_meas = mean_stderr(blocks)
    loo = (blocks.sum(axis=0) - blocks) / (r - 1)
    sys_abs = band_systematic(geo.passes, over["difference"], t_grid.size) * np.abs(n_meas)
    se_tot, loo = fold_systematic(n_meas, loo, se_meas, sys_abs)
    eq6 = thermal_density_eq6(t_grid, geo.xi_c, geo.rho_c)
    res = resolve(n_meas, loo, se_tot, eq6, np.log(geo.delta_c / t_grid), geo.cfg)
    w_of_t = np.empty(t_grid.size)
    for p in geo.passes:
        w_of_t[list(p.t_index)] = p.w_nt
    trunc = np.array([truncation_fraction(t, w)[0] for t, w in zip(t_grid, w_of_t, strict=True)])
    num = res["n_T_source"] == 0
    pw = fit_power_law(t_grid[num], blocks[:, num], float(geo.cfg["fit_T_max"]) * geo.delta_c)
    xi_c, rho_c = geo.xi_c, geo.rho_c
    c_eq6 = thermal_density_eq6_coefficient(xi_c, rho_c)  # Eq. (6) as n_T = c_eq6 T^2
    rel_in = math.hypot(relative_error(xi_c_stderr, xi_c), relative_error(rho_c_stderr, rho_c, 2))
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
            "n_T_systematic": ("T", sys_abs),
            "n_T_next_pass": ("T", over["next"]),
            "n_T_next_pass_stderr": ("T", over["next_stderr"]),
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


def passes_part(geo: Geometry, runs: Mapping[str, Mapping[str, Any]], over: Mapping[str, Any]):
    """What each pass was: box, realizations, window, states, pairs (wall time: the job log;
    a timing would break the bit-identity of the data)."""
    ps = geo.passes
    diff = over["difference"]
    nan3 = (np.nan, np.nan, 0)
    rows = {
        "pass_box_length_over_xi_c": [p.n_sites * geo.dx / geo.xi_c for p in ps],
        "pass_realizations": [p.n_real for p in ps],
        "pass_margin_over_xi_c": [p.margin / geo.xi_c for p in ps],
        "pass_overlap_difference": [diff.get(p.name, nan3)[0] for p in ps],
        "pass_overlap_difference_stderr": [diff.get(p.name, nan3)[1] for p in ps],
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
            "Delta_c": ((), geo.delta_c),
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
    """Per-model dataset of docs/physics.md §1.3: S_omega(x), n_T(T), Mott peak, fits.

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
    over = band_overlaps([(p, runs[p.name]["n_T"]) for p in geo.passes], geo.t_grid.size,
                         geo.n_blocks)  # fmt: skip
    parts = [
        spectral_function_part(geo, acc),
        mott_peak_part(geo, acc, xi_c_stderr),
        thermal_part(geo, runs, over, xi_c_stderr, rho_c_stderr),
        parameters_part(geo, acc, xi_c_stderr, rho_c_stderr),
        passes_part(geo, runs, over),
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
