"""Captions that judge (issue 19 item 4): the verdict says, from the data and with numbers,
whether the numerics agree with the paper's formula within errors, by how much they differ,
and which plotted values are extrapolations or bounds.

Synthetic datasets with a known answer: agreement within errors, a known difference, an
extrapolated point; the helper's sigma arithmetic against a hand computation.
"""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from hotcold.plots import common, style
from hotcold.plots import spectral as sp_plots


def test_sigma_arithmetic_by_hand():
    # r = 0.9/1.2 = 0.75; s_r = sqrt(0.03^2 + 0.75^2 0.04^2)/1.2 = sqrt(9e-4 + 9e-4)/1.2
    r, s, z = common.ratio_sigma(0.9, 0.03, 1.2, 0.04)
    assert r[0] == pytest.approx(0.75)
    assert s[0] == pytest.approx(np.sqrt(1.8e-3) / 1.2)
    assert z[0] == pytest.approx(-0.25 / (np.sqrt(1.8e-3) / 1.2))  # -7.07 sigma


def test_one_point_agrees_within_two_sigma():
    text = common.verdict(0.95, 0.035, 1.0, None, "Eq. (6)")
    assert text == "agrees with Eq. (6) within errors (ratio 0.95 +- 0.035, 1.4 sigma)"


def test_one_point_just_beyond_two_sigma_differs():
    text = common.verdict(0.93, 0.03, 1.0, None, "Eq. (6)")  # 2.33 sigma
    assert text == "differs from Eq. (6): ratio 0.93 +- 0.03, 2.3 sigma below"


def test_a_set_is_summarized_as_ranges():
    text = common.verdict([0.24, 0.5, 0.58], [0.02, 0.05, 0.03], 1.0, None, "Eq. (6)")
    # sigma: 0.76/0.02 = 38, 0.5/0.05 = 10, 0.42/0.03 = 14
    assert text == "differs from Eq. (6) at all 3 points: ratio 0.24 to 0.58, 10 to 38 sigma below"
    mixed = common.verdict([1.01, 1.5], [0.02, 0.1], 1.0, None, "X")
    assert "within errors at 1 of 2 points (ratio 1.01)" in mixed
    assert "the other one differs: ratio 1.5, 5.0 sigma above" in mixed


def test_no_standard_error_is_not_called_agreement():
    text = common.verdict([0.57, 0.6], None, 1.0, None, "Eq. (28)")
    assert "agrees" not in text and "differs" not in text
    assert "not tested" in text and "0.57 to 0.6" in text


def _spectral(g: np.ndarray, se: np.ndarray, source: np.ndarray) -> xr.Dataset:
    """A one-model spectral dataset with n_T = g * Eq. (6) at ln(Delta_c/T) = 1.5 .. 3."""
    lnr = np.linspace(1.5, 3.0, g.size)
    t = np.exp(-lnr)  # Delta_c = 1
    eq6 = 2 * np.pi**2 / 3 * t**2  # xi_c = 1
    flags = {"flag_values": [0, 1], "flag_meanings": "numerical extrapolated"}
    return xr.Dataset(
        {
            "n_T": ("T", g * eq6),
            "n_T_stderr": ("T", se * eq6),
            "n_T_eq6": ("T", eq6),
            "n_T_source": ("T", source.astype(np.int8), flags),
            "Delta_c": ((), 1.0),
            "xi_c": ((), 1.0),
            "rho_c": ((), 1.0),
            "eq6_ratio": ((), float(g.mean())),
            "eq6_ratio_stderr": ((), 0.02),
            "T_exponent": ((), 2.0),
            "T_exponent_stderr": ((), 0.1),
        },
        coords={"T": t},
        attrs={"family": "lorentzian", "d": 0.25},
    )


def _verdict_of(fig) -> str:
    text = style.get_caption(fig).split("\n\n")[0]
    assert text.startswith("**Verdict**") and common.CRITERION in text
    return text


def test_thermal_density_verdict_agreement():
    g = np.array([0.98, 1.02, 1.0, 0.97])
    ds = _spectral(g, np.full(4, 0.03), np.zeros(4))
    text = _verdict_of(sp_plots.plot_thermal_density(ds))
    assert "agrees with Eq. (6) within errors at all 4 points (ratio 0.97 to 1.02" in text
    assert "No plotted n_T is an extrapolation" in text


def test_thermal_density_verdict_known_difference_and_extrapolation():
    g = np.array([0.3, 0.4, 0.5, 0.6])  # 0.05 errors: 14, 12, 10 sigma below; 4th extrapolated
    ds = _spectral(g, np.full(4, 0.05), np.array([0, 0, 0, 1]))
    text = _verdict_of(sp_plots.plot_thermal_density(ds))
    assert "differs from Eq. (6) at all 3 points: ratio 0.3 to 0.5, 10 to 14 sigma below" in text
    assert "1 plotted n_T are extrapolated" in text and "ln(Delta_c/T) = 3.00" in text
    assert "exponent 2 within errors" in text  # p = 2.0 +- 0.1


def test_verdict_paragraph_states_the_criterion_once():
    text = common.verdict_paragraph(["a", "b."])
    assert text.count("abs(ratio - 1) <= 2 combined standard errors") == 1
    assert text.endswith(" a. b.")


def test_a_threshold_beyond_the_measured_xi_is_named_an_extrapolation():
    rows = [("1D lorentzian, d = 0.5:", np.array([5.0, 30.0, 40.0]), 8.0)]
    text = common.born_note(rows)
    assert text.startswith("2 of 3 in-regime 1D eps_th lie above the largest measured energy")
    assert "Born xi" in text and "extrapolation" in text and "up to eps = 8" in text
    inside = common.born_note([("m:", np.array([5.0]), 8.0)])
    assert "no Born extrapolation" in inside
