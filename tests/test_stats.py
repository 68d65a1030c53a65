"""hotcold.stats against closed-form cases (issue 18 item 4).

* The delete-one jackknife stderr of a mean is s/sqrt(n) (s: sample std,
  ddof 1), exactly, for any data.
* The blocked jackknife of a mean over B equal blocks is the standard error
  of the B block means; over iid blocks its square estimates var/n.
* A straight-line fit with known Gaussian errors: coefficients equal to
  numpy.polyfit(w=1/sigma), covariance to the analytic (A^T W A)^-1, whose
  diagonal the delete-one jackknife of the fit reproduces on average.
* NaN handling: a NaN replica gives NaN (or is skipped with ``skipna``),
  points with non-finite data or errors leave the fits.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from hotcold import stats


def test_jackknife_of_the_mean_is_the_standard_error():
    x = np.random.default_rng(0).standard_normal((37, 4)) * [1.0, 2.0, 1e-8, 1e6]
    full, se, loo = stats.jackknife(x, lambda s: s.mean(axis=0))
    np.testing.assert_allclose(full, x.mean(axis=0), rtol=1e-14)
    np.testing.assert_allclose(se, x.std(axis=0, ddof=1) / np.sqrt(37), rtol=1e-12)
    np.testing.assert_allclose(loo[5], np.delete(x, 5, axis=0).mean(axis=0), rtol=1e-14)


def test_mean_stderr_closed_form_and_single_sample():
    x = np.array([[1.0, 2.0], [3.0, 6.0], [5.0, 10.0]])
    mean, se = stats.mean_stderr(x)
    np.testing.assert_array_equal(mean, [3.0, 6.0])
    np.testing.assert_allclose(se, [2.0 / math.sqrt(3), 4.0 / math.sqrt(3)], rtol=1e-15)
    mean1, se1 = stats.mean_stderr(x[:1])
    np.testing.assert_array_equal(mean1, x[0])
    assert np.all(np.isnan(se1))


def test_jackknife_variance_two_replicas_by_hand():
    # n = 2: (1/2) ((a - m)^2 + (b - m)^2) = (a - b)^2 / 4
    assert stats.jackknife_variance(np.array([1.0, 4.0])) == pytest.approx(9.0 / 4.0)
    reps = np.array([[1.0, 4.0], [2.0, 2.0], [3.0, 0.0]])  # axis 0: 3 replicas
    np.testing.assert_allclose(stats.jackknife_variance(reps), [2.0 / 3 * 2.0, 2.0 / 3 * 8.0])
    np.testing.assert_allclose(stats.jackknife_stderr(reps.T, axis=1), np.sqrt([4.0 / 3, 16.0 / 3]))


def test_nan_replicas():
    reps = np.array([[1.0, 1.0], [2.0, np.nan], [3.0, 5.0]])
    assert np.isnan(stats.jackknife_stderr(reps)[1])
    # skipna: mean over the finite ones, n stays 3: 2/3 ((1-3)^2 + (5-3)^2)
    np.testing.assert_allclose(stats.jackknife_variance(reps, skipna=True), [2 / 3 * 2, 2 / 3 * 8])
    # an array estimator with a NaN leave-one-out value has a NaN stderr there
    x = np.array([[1.0, 0.0], [2.0, 1.0], [3.0, 2.0], [4.0, 3.0]])
    _, se, _ = stats.jackknife(
        x, lambda s: [s[:, 0].mean(), np.nan if 0.0 in s[:, 1] else s[:, 1].mean()]
    )
    assert np.isfinite(se[0]) and np.isnan(se[1])


def test_blocked_jackknife_equals_the_block_means_error():
    x = np.random.default_rng(1).standard_normal((60, 3))
    full, se, reps = stats.blocked_jackknife(x, 6)
    blocks = x.reshape(6, 10, 3).mean(axis=1)
    np.testing.assert_allclose(full, x.mean(axis=0), rtol=1e-14)
    np.testing.assert_allclose(se, blocks.std(axis=0, ddof=1) / np.sqrt(6), rtol=1e-12)
    np.testing.assert_allclose(reps[2], np.delete(blocks, 2, axis=0).mean(axis=0), rtol=1e-14)


def test_blocked_jackknife_of_iid_blocks_estimates_the_variance_of_the_mean():
    """Over 400 data sets of 8 iid blocks of 25 N(0, 1): E[se^2] = 1/200 (exact, unbiased)."""
    rng = np.random.default_rng(2)
    se2 = [stats.blocked_jackknife(rng.standard_normal(200), 8)[1] ** 2 for _ in range(400)]
    # se^2 is (1/200) chi^2_7/7: mean 1/200, relative sd sqrt(2/7)/sqrt(400) = 2.7%
    assert np.mean(se2) * 200 == pytest.approx(1.0, abs=0.11)


def test_block_edges_unequal_sizes_and_too_few():
    np.testing.assert_array_equal(stats.block_edges(10, 4), [0, 2, 5, 7, 10])
    with pytest.raises(ValueError, match="cannot form"):
        stats.block_edges(3, 4)


def test_weighted_line_equals_polyfit_and_analytic_covariance():
    rng = np.random.default_rng(3)
    x = np.linspace(0.0, 4.0, 9)
    sigma = 0.05 + 0.1 * x
    y = 1.5 * x - 0.7 + sigma * rng.standard_normal(x.size)
    slope, icpt = stats.weighted_line(x, y, sigma)
    ref, cov = np.polyfit(x, y, 1, w=1.0 / sigma, cov="unscaled")
    np.testing.assert_allclose([slope, icpt], ref, rtol=1e-12)
    a = np.vstack([x, np.ones_like(x)]).T
    np.testing.assert_allclose(np.linalg.inv(a.T @ (a / sigma[:, None] ** 2)), cov, rtol=1e-10)


def test_jackknife_of_the_line_fit_matches_the_known_covariance():
    """Fit redone on leave-one-realization-out means: on average the analytic variance."""
    rng = np.random.default_rng(4)
    x = np.linspace(0.0, 3.0, 6)
    sigma = np.full(x.size, 0.2)
    n = 40  # realizations: noise sd sigma sqrt(n) each, so the mean has sd sigma
    a = np.vstack([x, np.ones_like(x)]).T
    var = np.diag(np.linalg.inv(a.T @ a)) * 0.2**2
    ratios = []
    for _ in range(150):
        samples = 2.0 * x + 1.0 + 0.2 * np.sqrt(n) * rng.standard_normal((n, x.size))
        loo = (samples.sum(axis=0) - samples) / (n - 1)
        se = stats.loo_refit_stderr(lambda row: stats.weighted_line(x, row, sigma), loo)
        ratios.append(se**2 / var)
    np.testing.assert_allclose(np.mean(ratios, axis=0), 1.0, atol=0.15)


def test_fits_drop_non_finite_points():
    x = np.array([0.0, 1.0, 2.0, 3.0, np.nan])
    y = np.array([1.0, 3.0, np.inf, 7.0, 9.0])
    sigma = np.array([1.0, 1.0, 1.0, 0.0, 1.0])  # sigma = 0: no weight, dropped
    assert stats.weighted_line(x, y, sigma) == pytest.approx((2.0, 1.0))
    assert all(np.isnan(stats.weighted_line(x[:2], y[:2], sigma[3:5])))
    loo = [np.array([1.0, 3.0]), np.array([np.nan, 3.0])]
    assert np.all(np.isnan(stats.loo_refit_stderr(lambda r: (r[0], r[1]), loo)))


def test_power_law_exponent_and_its_replicas():
    x = np.geomspace(1.0, 100.0, 7)
    p, se = stats.power_law_exponent(x, 3.0 * x**-1.5)
    assert p == pytest.approx(-1.5, rel=1e-12) and np.isnan(se)
    reps = np.array([2.0 * x**q for q in (-1.4, -1.5, -1.6)])
    p, se = stats.power_law_exponent(x, 2.0 * x**-1.5, reps)
    assert se == pytest.approx(math.sqrt(2 / 3 * 0.02), rel=1e-10)
    assert all(np.isnan(stats.power_law_exponent(x[:1], x[:1])))


def test_fit_power_law_recovers_a_quadratic_law():
    t = np.geomspace(0.01, 0.1, 8)
    rng = np.random.default_rng(5)
    samples = 4.0 * t**2 * (1.0 + 0.05 * rng.standard_normal((30, t.size)))
    out = stats.fit_power_law(t, samples, 0.05)
    assert out["n_points"] == int(np.sum(t <= 0.05))
    assert abs(out["exponent"] - 2.0) < 4 * out["exponent_stderr"] + 1e-3
    assert abs(out["coef2"] - 4.0) < 4 * out["coef2_stderr"]
    assert np.isnan(stats.fit_power_law(t, samples[:2], 0.05)["exponent"])


def test_relative_error_terms():
    assert stats.relative_error(0.1, 2.0) == pytest.approx(0.05)
    assert stats.relative_error(0.1, 2.0, 2) == pytest.approx(0.1)
    assert stats.relative_error(float("nan"), 2.0) == 0.0


def test_gaussian_peak_centre():
    x = np.linspace(0.0, 10.0, 41)
    y = 2.0 * np.exp(-0.5 * ((x - 4.3) / 1.2) ** 2)
    assert stats.gaussian_peak(x, y, np.full(x.size, 0.01), 1.0, 8.0, 4.0) == pytest.approx(4.3)
    assert np.isnan(stats.gaussian_peak(x, y, np.full(x.size, 0.01), 1.0, 1.5, 1.2))


def test_measured_else_takes_the_fallback_where_the_measurement_is_unusable():
    measured = np.array([2.0, np.nan, -1.0, 0.0, 3.0, 4.0])
    fallback = np.full(6, 9.0)
    vals, used = stats.measured_else(measured, fallback)
    np.testing.assert_array_equal(vals, [2.0, 9.0, 9.0, 9.0, 3.0, 4.0])
    np.testing.assert_array_equal(used, [True, False, False, False, True, True])
    se = np.array([0.1, 0.1, 0.1, 0.1, np.inf, 0.1])  # no error estimate: not usable either
    vals, used = stats.measured_else(measured, fallback, se)
    np.testing.assert_array_equal(vals, [2.0, 9.0, 9.0, 9.0, 9.0, 4.0])
    assert float(stats.measured_else(np.nan, 5.0)[0]) == 5.0


def test_localization_batches_are_the_blocked_jackknife():
    """The streamed (cumulative-sum) batches of the localization stage: same replicas and stderr."""
    from hotcold.localization import batch_stderr, jackknife_replicas

    x = np.random.default_rng(6).exponential(1.0, 77)  # 77 = 5 x 15 + 2: unequal blocks
    cum = np.concatenate([[0.0], np.cumsum(x)])
    mean, rep = jackknife_replicas(cum, x.size, 5)
    full, se, reps = stats.blocked_jackknife(x, 5)
    np.testing.assert_allclose(rep, reps, rtol=1e-13)
    assert mean == pytest.approx(full, rel=1e-14)
    assert batch_stderr(x, 5)[1] == pytest.approx(float(se), rel=1e-12)


def test_weighted_line_errors_match_the_closed_form():
    """Slope error of a weighted line against the textbook formula
    sigma_b^2 = S / (S Sxx - Sx^2), S = sum 1/s^2 (exact data: chi2 = 0, no rescaling),
    and the chi2 rescaling when the scatter exceeds the stated errors."""
    from hotcold.stats import weighted_line_errors

    x = np.array([0.0, 1.0, 2.0, 4.0])
    s = np.array([0.1, 0.2, 0.1, 0.3])
    y = 2.0 * x + 1.0
    b, se, chi2, dof = weighted_line_errors(x, y, s)
    w = 1 / s**2
    expected = np.sqrt(w.sum() / (w.sum() * (w * x**2).sum() - (w * x).sum() ** 2))
    assert b == pytest.approx(2.0) and se == pytest.approx(expected) and dof == 2
    assert chi2 == pytest.approx(0.0, abs=1e-20)
    noisy = y + np.array([1.0, -1.0, 1.0, -1.0])  # far beyond the errors
    _, se2, chi2b, _ = weighted_line_errors(x, noisy, s)
    assert chi2b > 2 and se2 == pytest.approx(expected * np.sqrt(chi2b / 2))
