"""hotcold.threshold: roots of eta_hc against thresholds known in closed form.

With Born xi and the clean rho of the exponential family, the 1D hot factor is
rho_h^2 xi_h = (1 + 8 m eps d^2)/(pi^2 w) (S_U(2k) = w/(1 + 4 k^2 d^2)), so
eta_hc = c (1 + 8 m eps d^2)/(pi^2 w) reaches eta_c at a known energy.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import optimize

from hotcold import models, threshold
from hotcold.threshold import TC_STATUS, THRESHOLD_STATUS, WINDOW_STATUS

M, W, D = 1.0, 0.1, 0.5
GRID = np.geomspace(1e-2, 1e6, 300)


def expo(**kw) -> models.ModelInputs:
    return models.ModelInputs(1, "exponential", D, M, W, **kw)


def exact_threshold(ln_cold: float, eta_c: float) -> float:
    return (eta_c * np.pi**2 * W / np.exp(ln_cold) - 1.0) / (8 * M * D**2)


@pytest.mark.parametrize("ln_cold", [-3.0, -6.0, -9.0])
def test_threshold_is_the_exact_root(ln_cold):
    model = expo()
    e_th, status = threshold.find_threshold(model, GRID, model.ln_hot(GRID), ln_cold, 1.0)
    assert THRESHOLD_STATUS[status] == "found"
    assert e_th == pytest.approx(exact_threshold(ln_cold, 1.0), rel=1e-10)


def test_threshold_statuses():
    model = expo()
    lh = model.ln_hot(GRID)
    assert THRESHOLD_STATUS[threshold.find_threshold(model, GRID, lh, np.nan, 1.0)[1]] == (
        "invalid_T"
    )
    assert THRESHOLD_STATUS[threshold.find_threshold(model, GRID, lh, -np.inf, 1.0)[1]] == "none"
    e, s = threshold.find_threshold(model, GRID, lh, 5.0, 1.0)  # above eta_c everywhere
    assert (THRESHOLD_STATUS[s], e) == ("below_grid", GRID[0])
    e, s = threshold.find_threshold(model, GRID[:50], lh[:50], -9.0, 1.0)  # root beyond the grid
    assert THRESHOLD_STATUS[s] == "beyond_grid" and np.isnan(e)
    white = models.ModelInputs(1, "white", 0.0, M, W)
    s = threshold.find_threshold(white, GRID, white.ln_hot(GRID), -3.0, 1.0)[1]
    assert THRESHOLD_STATUS[s] == "marginal"  # eta_hc = c/(pi^2 w) < 1 at every energy


def test_window_with_bounded_xi_has_both_exact_edges():
    """xi capped at xi_max: above the cap eta_hc = c m xi_max/(2 pi^2 eps) falls again."""
    xi_max, ln_cold = 1e8, -6.0
    model = expo().capped(xi_max)
    e_cap = threshold.cap_energy(model, GRID)
    # Born xi = k^2 (1 + 4 k^2 d^2)/(m^2 w) = xi_max, k^2 = 2 m eps: a quadratic in eps
    a, b = 8 * M * D**2 * 2 / (M * W), 2 / (M * W)
    assert e_cap == pytest.approx((-b + np.sqrt(b * b + 4 * a * xi_max)) / (2 * a), rel=1e-10)
    grid = np.unique(np.append(GRID, e_cap))
    lo, hi, status = threshold.find_window(model, grid, model.ln_hot(grid), ln_cold, 1.0)
    assert WINDOW_STATUS[status] == "closed"
    assert lo == pytest.approx(exact_threshold(ln_cold, 1.0), rel=1e-10)
    assert hi == pytest.approx(np.exp(ln_cold) * M * xi_max / (2 * np.pi**2), rel=1e-10)


def test_critical_temperature_solves_the_closed_form_cold_factor():
    """1D, closed-form n_T: cold(T) = (4 pi^2/3) u T^3 ln(Delta_c/T)/Delta_c^2 (Eqs. 6, 7, 12)."""
    model, u, eta_c, e_f = expo().capped(1e8), 0.3, 1.0, 1.0
    grid = np.geomspace(1.01, 1e6, 400)
    ln_hot_max = float(np.max(model.ln_hot(grid)))
    cold = model.cold_inputs(e_f)
    tc, status = threshold.critical_temperature(model, cold, ln_hot_max, eta_c, u)
    lx, lr, _ = cold
    dc = np.exp(-lr - lx)

    def f(lt):
        t = np.exp(lt)
        return np.log(4 * np.pi**2 / 3 * u * t**3 * np.log(dc / t) / dc**2) + ln_hot_max

    ref = np.exp(optimize.brentq(f, np.log(dc) - 60, np.log(dc) - 1.0, xtol=1e-14))
    assert TC_STATUS[status] == "found"
    assert tc == pytest.approx(ref, rel=1e-9)
