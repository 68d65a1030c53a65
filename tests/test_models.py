"""hotcold.models: the single-particle and cold-bath inputs of one model, against closed forms."""

from __future__ import annotations

import numpy as np
import pytest

from hotcold import models, theory

M, W, W2 = 1.3, 0.2, 1.5


def white_1d(**kw) -> models.ModelInputs:
    return models.ModelInputs(1, "white", 0.0, M, W, **kw)


def test_white_noise_born_inputs_are_eq2_and_the_clean_dos():
    """xi = 2 eps/(m w) (Eq. 2), rho = 1/(pi v) = m/(pi sqrt(2 m eps)), source born."""
    e = np.array([0.1, 1.0, 7.5])
    ln_xi, ln_rho, src = white_1d().inputs(e)
    assert np.allclose(np.exp(ln_xi), 2 * e / (M * W), rtol=1e-13)
    assert np.allclose(np.exp(ln_rho), M / (np.pi * np.sqrt(2 * M * e)), rtol=1e-13)
    assert (src == 1).all()


def test_white_noise_hot_factor_is_energy_independent():
    """rho_h^2 xi_h = 1/(pi^2 w) at every energy in 1D white noise (the marginal case)."""
    e = np.geomspace(1e-2, 1e6, 9)
    assert np.allclose(white_1d().ln_hot(e), -np.log(np.pi**2 * W), rtol=1e-12)


def test_two_d_white_noise_inputs_are_eq20_and_m_over_2pi():
    """2D: rho = m/(2 pi); ln xi = ln(v tau) + pi eps tau with 1/tau = m w2 (Eqs. 20, 21)."""
    e = np.array([0.5, 2.0])
    model = models.ModelInputs(2, "white", 0.0, M, W2)
    ln_xi, ln_rho, _ = model.inputs(e)
    tau = 1.0 / (M * W2)
    v = np.sqrt(2 * e / M)
    assert np.allclose(ln_xi, np.log(v * tau) + np.pi * e * tau, rtol=1e-13)
    assert np.allclose(ln_rho, np.log(M / (2 * np.pi)), rtol=1e-13)
    assert np.allclose(model.ln_hot(e), ln_rho + 2 * ln_xi)


def power_law_nodes(p: float = 1.7, a: float = 3.0) -> models.Nodes:
    e = np.array([1.0, 2.0, 4.0, 8.0])
    return models.measured_nodes(e, a * e**p, 0.1 * e ** (-0.5), np.zeros(4, int), M)


def test_measured_nodes_interpolate_a_power_law_exactly_and_born_outside():
    nodes = power_law_nodes()
    model = white_1d(measured=nodes)
    e = np.array([1.5, 3.0, 6.0, 16.0])
    ln_xi, ln_rho, src = model.inputs(e)
    assert np.allclose(np.exp(ln_xi[:3]), 3.0 * e[:3] ** 1.7, rtol=1e-12)
    assert np.allclose(np.exp(ln_rho[:3]), 0.1 * e[:3] ** -0.5, rtol=1e-12)
    assert np.exp(ln_xi[3]) == pytest.approx(2 * 16.0 / (M * W), rel=1e-13)  # Born outside
    assert src.tolist() == [0, 0, 0, 1]


def test_measured_nodes_drop_bad_xi_and_replace_bad_dos():
    e = np.array([4.0, 1.0, 2.0, 3.0])
    xi = np.array([5.0, np.nan, 2.0, -1.0])
    dos = np.array([np.nan, 1.0, 0.0, 1.0])
    le, lx, lr, meas = models.measured_nodes(e, xi, dos, np.array([0, 0, 1, 0]), M)
    assert np.allclose(np.exp(le), [2.0, 4.0])  # sorted, NaN and negative xi dropped
    assert np.allclose(np.exp(lx), [2.0, 5.0])
    assert np.allclose(np.exp(lr), theory.clean_dos(np.array([2.0, 4.0]), M))
    assert meas.tolist() == [False, True]
    assert models.measured_nodes(e[:2], xi[:2], dos[:2], np.zeros(2, int), M) is None


def test_cap_bounds_xi_but_not_rho():
    model = white_1d().capped(5.0)
    ln_xi, ln_rho, _ = model.inputs(np.array([0.1, 100.0]))
    assert np.exp(ln_xi[0]) == pytest.approx(2 * 0.1 / (M * W))
    assert np.exp(ln_xi[1]) == pytest.approx(5.0)
    assert np.allclose(ln_rho, white_1d().inputs(np.array([0.1, 100.0]))[1])


@pytest.mark.parametrize("dim", [1, 2])
def test_cold_factor_closed_forms_are_eqs_6_7_and_22(dim):
    xi_c, rho_c, coupling = 40.0, 0.3, 0.7
    dc = 1.0 / (rho_c * xi_c**dim)
    t = dc * np.array([1e-3, 1e-2, 0.2])
    cf = models.cold_factor(t, dim, np.log(xi_c), np.log(rho_c), coupling)
    l_m = 2 * xi_c * np.log(dc / t)  # Eq. (7)
    if dim == 1:
        n_t = (2 * np.pi**2 / 3) / xi_c * (t / dc) ** 2  # Eq. (6)
        cold = coupling * t * l_m * n_t
    else:
        n_t = l_m / xi_c**3 * (t / dc) ** 2  # Eq. (22)
        cold = coupling * t * xi_c * l_m * n_t
    assert np.allclose(cf["l_M"], l_m, rtol=1e-12)
    assert np.allclose(cf["n_T"], n_t, rtol=1e-12)
    assert np.allclose(np.exp(cf["ln_cold"]), cold, rtol=1e-12)
    assert cf["ln_Delta_c"] == pytest.approx(np.log(dc))
    assert (cf["n_T_source"] == 0).all()


def test_cold_factor_flags_high_and_nonpositive_temperatures():
    cf = models.cold_factor(np.array([-1.0, 0.0, 100.0]), 1, np.log(10.0), np.log(0.5), 1.0)
    assert np.isnan(cf["ln_cold"][:2]).all()
    assert cf["ln_cold"][2] == -np.inf  # T > Delta_c = 0.2: cold <= 0


def test_numerical_n_t_interpolates_log_log_inside_its_nodes_only():
    t_n = np.array([1e-3, 1e-2, 1e-1])
    nodes = models.nt_nodes(t_n, 5.0 * t_n**2, np.array([False, False, True]))
    t = np.array([3e-3, 3e-2, 1.0])
    cf = models.cold_factor(t, 1, np.log(10.0), np.log(0.05), 1.0, nodes)
    assert np.allclose(cf["n_T"][:2], 5.0 * t[:2] ** 2, rtol=1e-12)
    assert np.isnan(cf["n_T"][2])
    assert cf["n_T_source"][:2].tolist() == [1, 2]  # 2: extrapolated node bracketing


def test_nt_nodes_reject_a_nonpositive_n_t():
    with pytest.raises(ValueError, match="not finite and positive"):
        models.nt_nodes(np.array([0.1, 0.2]), np.array([1.0, 0.0]))
