"""Thresholds of eta_hc(eps, T): eps_th, the bounded-xi window and T_c.
(docs/physics.md §1.4, Fig. 2).

Scalar root finders on one model and one temperature: bracketing on the
energy grid, refinement by brentq (bisection where eta_hc <= 0 at an end)
on ln eta_hc(ln eps) evaluated from the model itself (log-log interpolant
where measured, analytic where Born).  eta_hc = cold(T) hot(eps) is
separable; ``ln_hot`` is ln hot on the grid, ``ln_cold`` ln cold at one T.
The xarray wrappers (``*_over``) map them over (replica, T) with
``xr.apply_ufunc(vectorize=True)``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import numpy as np
from scipy import optimize

from .models import ColdInputs, ModelInputs, cold_factor

__all__ = [
    "THRESHOLD_STATUS",
    "WINDOW_STATUS",
    "TC_STATUS",
    "find_threshold",
    "find_window",
    "cap_energy",
    "critical_temperature",
]

THRESHOLD_STATUS = (
    "found",
    "none",
    "beyond_grid",
    "marginal",
    "below_grid",
    "invalid_T",
    "outside_measured_V",
)
WINDOW_STATUS = ("closed", "open", "none", "invalid_T")
TC_STATUS = ("found", "none", "below_search")


def _ln_eta(ln_hot: np.ndarray, ln_cold: float) -> np.ndarray:
    """ln eta_hc = ln hot + ln cold; -inf where the cold factor is not positive (T >~ Delta_c)."""
    if ln_cold == -np.inf:
        return np.full(np.shape(ln_hot), -np.inf)
    return ln_hot + ln_cold


def _refine(f: Callable[[float], float], a: float, b: float, xtol: float) -> float:
    fa, fb = f(a), f(b)
    if fa == 0:
        return a
    if fb == 0:
        return b
    if np.sign(fa) == np.sign(fb) or not (np.isfinite(fa) and np.isfinite(fb)):
        # non-finite end (eta <= 0): bisect on the sign only
        for _ in range(200):
            c = 0.5 * (a + b)
            fc = f(c)
            if (fc >= 0) == (fb >= 0):
                b, fb = c, fc
            else:
                a, fa = c, fc
            if b - a < xtol:
                break
        return 0.5 * (a + b)
    return optimize.brentq(f, a, b, xtol=xtol, rtol=4 * np.finfo(float).eps, maxiter=200)


def find_threshold(
    model: ModelInputs,
    energy: np.ndarray,
    ln_hot: np.ndarray,
    ln_cold: float,
    eta_c: float,
    xtol: float = 1e-13,
    extra: Callable[[Any], np.ndarray] | None = None,
) -> tuple[float, int]:
    """Effective mobility edge: the lowest eps above which eta_hc stays >= eta_c.

    ``extra(eps)``, if given, is added to ln eta_hc in the criterion (the
    measured V_hc / Eq. 11 factor; ln ln N_eff for the Bethe-lattice
    criterion eta_hc ln N_eff >= eta_c); then 1D white noise is not treated
    as marginal.

    Bracketed on ``energy`` (the last grid point with eta_hc < eta_c and the
    next one), refined by brentq on ln eta_hc(ln eps) - ln eta_c evaluated
    from the model itself (log-log interpolant where measured, analytic where
    Born).

    Returns
    -------
    eps_th : float
        [energy]; NaN unless the status is 'found' or 'below_grid'.
    status : int
        Index into :data:`THRESHOLD_STATUS`: found, none (eta_hc never
        reaches eta_c and does not grow at the top of the grid), beyond_grid
        (still growing below eta_c at the top of the grid), marginal (1D
        white noise: eta_hc tends to a constant below eta_c), below_grid
        (eta_hc >= eta_c already at the lowest grid energy; eps_th is that
        energy, an upper bound).
    """
    if np.isnan(ln_cold):
        return np.nan, THRESHOLD_STATUS.index("invalid_T")
    if ln_cold == -np.inf:  # T >~ Delta_c: eta_hc <= 0, formulas void (flagged high_T)
        return np.nan, THRESHOLD_STATUS.index("none")
    ln_c = np.log(eta_c)
    ln_eta = _ln_eta(ln_hot if extra is None else ln_hot + extra(energy), ln_cold)
    above = ln_eta >= ln_c
    if not above[-1]:
        if model.dim == 1 and model.d == 0 and extra is None:
            return np.nan, THRESHOLD_STATUS.index("marginal")
        growing = len(ln_eta) > 1 and np.isfinite(ln_eta[-1]) and ln_eta[-1] > ln_eta[-2]
        return np.nan, THRESHOLD_STATUS.index("beyond_grid" if growing else "none")
    below = np.flatnonzero(~above)
    if not len(below):
        return float(energy[0]), THRESHOLD_STATUS.index("below_grid")
    i = int(below[-1])

    def g(x: float) -> float:
        if extra is None:
            return float(model.ln_hot(np.exp(x)) + ln_cold - ln_c)
        e = np.exp(x)
        return float(model.ln_hot(e) + extra(e) + ln_cold - ln_c)

    x = _refine(g, float(np.log(energy[i])), float(np.log(energy[i + 1])), xtol)
    return float(np.exp(x)), THRESHOLD_STATUS.index("found")


def cap_energy(model: ModelInputs, energy: np.ndarray, xtol: float = 1e-13) -> float:
    """Energy where the uncapped xi(eps) first reaches exp(ln_xi_cap); NaN if not on the grid."""
    if not np.isfinite(model.ln_xi_cap):
        return np.nan
    free = dataclasses.replace(model, ln_xi_cap=np.inf)
    lx = free.inputs(energy)[0] - model.ln_xi_cap
    hit = np.flatnonzero(lx >= 0)
    if not len(hit) or hit[0] == 0:
        return np.nan
    i = int(hit[0])

    def g(x: float) -> float:
        return float(free.inputs(np.exp(x))[0] - model.ln_xi_cap)

    return float(np.exp(_refine(g, np.log(energy[i - 1]), np.log(energy[i]), xtol)))


def find_window(
    model: ModelInputs,
    energy: np.ndarray,
    ln_hot: np.ndarray,
    ln_cold: float,
    eta_c: float,
    xtol: float = 1e-13,
) -> tuple[float, float, int]:
    """Delocalized window [eps_lo, eps_hi] where eta_hc >= eta_c (bounded xi, paper Fig. 2).

    ``energy`` should contain the cap energy (where eta_hc peaks in 1D).
    Returns (eps_lo, eps_hi, status index into :data:`WINDOW_STATUS`):
    closed; open (eta_hc >= eta_c up to the top of the grid, eps_hi = inf;
    the 2D case, where eta_hc is flat once xi_h = xi_max); none (NaN, NaN).
    """
    if np.isnan(ln_cold):
        return np.nan, np.nan, WINDOW_STATUS.index("invalid_T")
    ln_c = np.log(eta_c)
    ln_eta = _ln_eta(ln_hot, ln_cold)
    above = np.flatnonzero(ln_eta >= ln_c)
    if not len(above):
        return np.nan, np.nan, WINDOW_STATUS.index("none")

    def g(x: float) -> float:
        return float(model.ln_hot(np.exp(x)) + ln_cold - ln_c)

    i, j = int(above[0]), int(above[-1])
    lo = (
        float(energy[0])
        if i == 0
        else float(np.exp(_refine(g, np.log(energy[i - 1]), np.log(energy[i]), xtol)))
    )
    if j == len(energy) - 1:
        return lo, np.inf, WINDOW_STATUS.index("open")
    hi = float(np.exp(_refine(g, np.log(energy[j]), np.log(energy[j + 1]), xtol)))
    return lo, hi, WINDOW_STATUS.index("closed")


def critical_temperature(
    model: ModelInputs,
    cold: ColdInputs,
    ln_hot_max: float,
    eta_c: float,
    coupling: float,
    log_span: float = 80.0,
    scan_num: int = 400,
    xtol: float = 1e-13,
) -> tuple[float, int]:
    """T_c: the lowest T at which max_eps eta_hc(eps, T) reaches eta_c (bounded xi).

    eta_hc = cold(T) hot(eps) is separable, so max_eps eta_hc =
    cold(T) exp(ln_hot_max).  The search scans ln T over
    [ln Delta_c - log_span, ln Delta_c] (with a numerical n_T: only the part
    inside its temperature nodes, i.e. the configured temperatures) and
    refines the first upward crossing by brentq in ln T.  Returns (T_c
    [energy], status index into :data:`TC_STATUS`: found | none (not reached
    in the search range) | below_search (already reached at its lowest T,
    which is returned as an upper bound)).  ``cold`` holds xi_c, rho_c of
    ``model`` at eps_F (:meth:`~hotcold.models.ModelInputs.cold_inputs`).
    """
    ln_xi_c, ln_rho_c, _ = cold
    ln_dc = float(-ln_rho_c - model.dim * ln_xi_c)
    nt_nodes = model.nt
    ln_c = np.log(eta_c)

    def h(lt: Any) -> np.ndarray:
        cf = cold_factor(np.exp(lt), model.dim, float(ln_xi_c), float(ln_rho_c), coupling, nt_nodes)
        return cf["ln_cold"] + ln_hot_max - ln_c

    lo, hi = ln_dc - log_span, ln_dc
    if nt_nodes is not None:  # numerical n_T: only where it is known
        lo, hi = max(lo, float(nt_nodes[0][0])), min(hi, float(nt_nodes[0][-1]))
        if not lo < hi:
            return np.nan, TC_STATUS.index("none")
    lts = np.linspace(lo, hi, scan_num)
    vals = h(lts)
    above = np.flatnonzero(vals >= 0)
    if not len(above):
        return np.nan, TC_STATUS.index("none")
    i = int(above[0])
    if i == 0:
        return float(np.exp(lts[0])), TC_STATUS.index("below_search")
    lt = _refine(lambda x: float(h(np.array([x]))[0]), lts[i - 1], lts[i], xtol)
    return float(np.exp(lt)), TC_STATUS.index("found")
