"""n_T at the hot-cold temperatures: passes, jackknife blocks, flagged extrapolation (issue 9).

Checks against independent results: the plain jackknife variance of the
replicas equals the stored standard error (algebraic identity for a mean);
the extrapolation of g = a + b/L recovers a known g within its stated error;
each temperature is served by the narrowest window W >= window_T T; a grid
the numerics cannot cover is an error naming the keys; the Mott-peak
estimator returns slope 1 on Eq. (5) sampled on the estimator's own bins.
"""

from __future__ import annotations

import numpy as np
import pytest

from hotcold import spectral as sp
from hotcold import stats, theory
from hotcold import thermal as th

CFG = {"rel_error_max": 0.25, "extrapolation_L_min": 2.0, "window_T": 8.0}


def _synthetic(rng, n_blocks=40, noise=None):
    """Blocks of n_T = g(L) Eq6 with g = 0.7 - 0.6/L and relative noise growing with L."""
    xi, rho = 20.0, 0.2
    dc = 1.0 / (rho * xi)
    lns = np.linspace(1.0, 6.0, 11)
    t = dc * np.exp(-lns)
    eq6 = theory.thermal_density_eq6(t, xi, rho)
    g = 0.7 - 0.6 / lns
    rel = 0.03 * np.exp(0.6 * (lns - 1)) if noise is None else noise
    blocks = g * eq6 * (1 + rel * np.sqrt(n_blocks) * rng.standard_normal((n_blocks, lns.size)))
    return lns, t, eq6, g, blocks


def _resolve(blocks, eq6, lns, cfg=CFG):
    r = blocks.shape[0]
    mean, se = stats.mean_stderr(blocks)
    loo = (blocks.sum(axis=0) - blocks) / (r - 1)
    return th.resolve(mean, loo, se, eq6, lns, cfg), mean, se


def test_stored_stderr_is_the_jackknife_spread_of_the_replicas():
    lns, t, eq6, g, blocks = _synthetic(np.random.default_rng(1))
    res, mean, se = _resolve(blocks, eq6, lns)
    r = blocks.shape[0]
    loo = res["n_T_jackknife"]
    num = res["n_T_source"] == 0
    # resolved points: the standard error of the block means, s/sqrt(R)
    np.testing.assert_allclose(
        res["n_T_stderr"][num], blocks[:, num].std(axis=0, ddof=1) / np.sqrt(r), rtol=1e-12
    )
    # every point: (R-1)/R sum (x_k - mean)^2 = (R-1) times the population variance
    np.testing.assert_allclose(
        res["n_T_stderr"], np.sqrt(r - 1) * loo.std(axis=0, ddof=0), rtol=1e-10
    )
    np.testing.assert_array_equal(res["n_T"][num], mean[num])  # no closed form anywhere
    assert num.any() and (~num).any()
    assert np.all(res["n_T_stderr"] > 0)


def test_extrapolated_points_flagged_and_consistent_with_truth():
    """Extrapolated g within 3.5 of its (fit) stderr of the known g, over 20 seeds on average."""
    z = []
    for seed in range(20):
        lns, t, eq6, g, blocks = _synthetic(np.random.default_rng(100 + seed))
        res, mean, se = _resolve(blocks, eq6, lns)
        ext = res["n_T_source"] == 1
        assert np.all(se[ext] / mean[ext] > 0.25) or np.any(mean[ext] <= 0)
        assert not np.allclose(res["n_T"][ext], eq6[ext], rtol=0.05)  # no Eq. (6) splice
        z.append((res["n_T"][ext] / eq6[ext] - g[ext]) / (res["n_T_stderr"][ext] / eq6[ext]))
    z = np.concatenate(z)
    assert np.all(np.abs(z) < 4.0), z
    assert 0.3 < np.sqrt(np.mean(z**2)) < 2.0  # the fit error is neither tiny nor huge


def test_grid_beyond_the_numerics_names_the_keys():
    lns, t, eq6, g, blocks = _synthetic(np.random.default_rng(3), noise=np.full(11, 0.5))
    with pytest.raises(ValueError, match=r"temperatures.*spectral\.rel_error_max.*spectral\.bands"):
        _resolve(blocks, eq6, lns)


def test_each_temperature_served_by_the_narrowest_covering_window():
    xi, dc, dx = 20.0, 0.25, 0.1
    t = dc * np.geomspace(0.004, 0.6, 15)
    cfg = {
        "window_T": 8.0,
        "energy_bin": 0.5,
        "omega_max": 1.0,
        "mott": {"box_length": 30.0, "realizations": 6},
        "bands": [
            {"T_max": 0.1, "box_length": 40.0, "blocks": 1},
            {"T_max": 0.02, "box_length": 60.0, "blocks": 3},
        ],
    }
    passes = th.plan_passes(t, cfg, (8, 4000), dx, xi, dc, generate=True)
    names = [p.name for p in passes]
    assert names == ["main", "band1", "band2", "mott"]
    served = sorted(i for p in passes for i in p.t_index)
    assert served == list(range(t.size))  # every T exactly once
    windows = sorted(p.w_nt for p in passes if p.t_index)
    for p in passes:
        assert p.n_real % 8 == 0 or p.name == "mott"
        for i in p.t_index:
            assert p.w_nt >= 8.0 * t[i] * (1 - 1e-12)
            assert not any(8.0 * t[i] <= w < p.w_nt for w in windows)  # no narrower one covers
    mott = passes[-1]
    assert mott.with_s and mott.t_index == () and mott.n_real == 6
    # without model/seed everything (S and every T) runs on the input realizations
    (only,) = th.plan_passes(t, cfg, (8, 4000), dx, xi, dc, generate=False)
    assert only.with_s and len(only.t_index) == t.size


def _eq5_on_bins(x_edges, omega, xi, rho, dx):
    """Eq. (5) averaged over the lattice lags of each |x| bin (independent of the package)."""
    lags = np.arange(int(round(x_edges[-1] / dx)) + 1) * dx
    out = np.zeros((omega.size, x_edges.size - 1))
    for b in range(x_edges.size - 1):
        sel = (lags >= x_edges[b] - 1e-9 * dx) & (lags < x_edges[b + 1] - 1e-9 * dx)
        lm = 2 * xi * np.log(1 / (omega[:, None] * rho * xi))
        s = (
            -0.5
            * rho**2
            * np.sqrt(xi / (np.pi * lm))
            * np.exp(-((lags[sel][None, :] - lm) ** 2) / (4 * xi * lm))
        )
        out[:, b] = s.mean(axis=1)
    return out


def test_mott_estimator_has_slope_one_on_eq5():
    """On Eq. (5) sampled on the same bins the l_peak estimator gives slope 2 xi_c (to 1 %);
    the plain centroid it replaces does not (the bias of issue 9 item 3)."""
    xi, rho, dx = 19.0, 0.218, 0.1
    dc = 1 / (rho * xi)
    x_edges = np.arange(0.0, 25.0 * xi + 1e-9, 0.25 * xi)
    omega = dc * np.geomspace(0.05, 0.2, 7)  # l_M from 6 to 3.2 xi_c > x_cut + 2 bins
    s5 = _eq5_on_bins(x_edges, omega, xi, rho, dx)
    lnr = np.log(dc / omega)
    sym = [sp.symmetric_centroid(x_edges, -row, 2 * xi, x_edges[-1]) for row in s5]
    slope = np.polyfit(lnr, sym, 1)[0] / (2 * xi)
    assert abs(slope - 1) < 0.01, slope
    np.testing.assert_allclose(sym, 2 * xi * lnr, rtol=0.01)
    mid = 0.5 * (x_edges[:-1] + x_edges[1:])
    sel = mid >= 2 * xi
    cen = np.sum(-s5[:, sel] * mid[sel], axis=1) / np.sum(-s5[:, sel], axis=1)
    assert np.polyfit(lnr, cen, 1)[0] / (2 * xi) < 0.9


# --- boxes from the pair reach, band-to-band overlaps, the systematic (issue 19 item 2) ---


def test_pair_reach_is_the_mott_peak_plus_widths():
    """reach = l_M + k sqrt(4 xi l_M), l_M = 2 xi ln(Delta/T) (Eq. 7), floored at x_cut."""
    xi, dc = 30.0, 0.1
    t = 0.03 * dc
    lm = 2 * xi * np.log(1 / 0.03)  # written out, not via theory.mott_length_eq7
    assert th.pair_reach(t, xi, dc, 2 * xi, 1.0) == pytest.approx(lm + np.sqrt(4 * xi * lm))
    assert th.pair_reach(t, xi, dc, 2 * xi, 0.0) == pytest.approx(lm)
    # above Delta_c/e, l_M < 2 xi: the inner cut x_cut is the shortest pair distance counted
    assert th.pair_reach(0.9 * dc, xi, dc, 2 * xi, 1.0) == pytest.approx(2 * xi + np.sqrt(8) * xi)
    assert th.pair_reach(2 * dc, xi, dc, 2 * xi, 1.0) == pytest.approx(2 * xi + np.sqrt(8) * xi)


def test_band_boxes_and_margins_come_from_the_lowest_temperature_served():
    xi, dc, dx = 20.0, 0.25, 0.1
    t = dc * np.geomspace(0.01, 2.0, 16)
    cfg = {
        "mott": {"box_length": 30.0, "realizations": 6},
        "bands": [{"T_max": 0.05, "blocks": 2}, {"T_max": 0.3}],
        "box_widths": 1.0,
        "box_interior": 2.0,
    }
    passes = {p.name: p for p in th.plan_passes(t, cfg, (8, 4000), dx, xi, dc, True)}
    for name in ("band1", "band2"):
        p = passes[name]
        t_low = t[list(p.t_eval)].min()  # served and overlap temperatures
        lm = max(2 * xi * np.log(dc / t_low), 2 * xi)
        reach = lm + np.sqrt(4 * xi * lm)
        assert p.n_sites * dx == pytest.approx(4 * reach, abs=dx)  # (2 + interior) reach
        assert p.margin == pytest.approx(reach, abs=dx)
    # the main pass keeps the disorder stage's box; its margin is capped at L/(2 + interior)
    assert passes["main"].n_sites == 4000 and passes["main"].margin <= 400.0 / 4 + 1e-9
    assert passes["mott"].margin == pytest.approx(3.0 * xi)  # S: spectral.margin xi_c
    # every n_T pass also computes the highest temperature of the next narrower one
    assert passes["band1"].overlap == ()
    assert passes["band2"].overlap == (max(passes["band1"].t_index),)
    assert passes["main"].overlap == (max(passes["band2"].t_index),)
    assert passes["band2"].t_eval == passes["band2"].t_index + passes["band2"].overlap
    # box_scale doubles the generated boxes (the convergence check), not the margins
    double = {p.name: p for p in th.plan_passes(t, {**cfg, "box_scale": 2.0}, (8, 4000), dx,
                                                xi, dc, True)}  # fmt: skip
    assert double["band2"].n_sites == pytest.approx(2 * passes["band2"].n_sites, abs=1)
    assert double["band2"].margin == pytest.approx(passes["band2"].margin, abs=dx)
    assert double["mott"].n_sites == pytest.approx(2 * passes["mott"].n_sites, abs=1)


def _two_passes(t_a, t_b, overlap=None):
    a = th.Pass("band1", "generated", 1, 100, 20, 2, 1.0, False, t_a)
    b = th.Pass("main", "input", 0, 100, 10, 1, 2.0, False, t_b, overlap=overlap or t_a)
    return a, b


def test_band_overlap_measures_a_known_offset_and_its_error():
    """Pass 'main' is 10 % above 'band1' at band1's top temperature: difference 0.10 within
    3 s.e., s.e. equal to the error of a ratio of two independent block means (delta method)."""
    rng = np.random.default_rng(3)
    r, n_t = 10, 5
    a, b = _two_passes((0, 1), (2, 3, 4), overlap=(1,))
    true = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    na = true[:2] * (1 + 0.05 * rng.standard_normal((20, 2)))  # 2 realizations per block
    nb_served = true[2:] * (1 + 0.05 * rng.standard_normal((10, 3)))
    nb_over = 1.1 * true[1] * (1 + 0.05 * rng.standard_normal((10, 1)))
    out = th.band_overlaps([(a, na), (b, np.hstack([nb_served, nb_over]))], n_t, r)
    d, d_se, k = out["difference"]["band1"]
    assert k == 1 and "main" not in out["difference"]
    ba, bb = na[:, 1].reshape(10, 2).mean(axis=1), nb_over[:, 0]
    ratio = bb.mean() / ba.mean()
    cov = np.cov(bb, ba) / r  # the blocks are shared: the sample covariance enters
    rel_var = cov[0, 0] / bb.mean() ** 2 + cov[1, 1] / ba.mean() ** 2
    se_ratio = ratio * np.sqrt(rel_var - 2 * cov[0, 1] / (bb.mean() * ba.mean()))
    assert d == pytest.approx(ratio - 1)
    assert d_se == pytest.approx(se_ratio, rel=0.05)  # jackknife vs delta method
    assert abs(d - 0.10) < 3 * d_se
    assert out["next"][1] == pytest.approx(bb.mean())
    assert np.isnan(out["next"][[0, 2, 3, 4]]).all()


def test_band_systematic_goes_to_both_sides_of_a_boundary_and_folds_into_the_error():
    a, b = _two_passes((0, 1), (2, 3, 4), overlap=(1,))
    rel = th.band_systematic([a, b], {"band1": (-0.2, 0.12, 1)}, 5)
    assert np.allclose(rel, 0.16)  # sqrt(0.2^2 - 0.12^2): the part not explained by 0.12
    assert np.allclose(th.band_systematic([a, b], {"band1": (0.1, 0.12, 1)}, 5), 0.0)
    assert np.allclose(th.band_systematic([b], {}, 5)[[2, 3, 4]], 0.0)
    rng = np.random.default_rng(0)
    blocks = 1 + 0.1 * rng.standard_normal((12, 5))
    full, se = stats.mean_stderr(blocks)
    loo = (blocks.sum(axis=0) - blocks) / 11
    sys_abs = np.array([0.0, 0.01, 0.05, 0.1, 0.2])
    total, loo2 = th.fold_systematic(full, loo, se, sys_abs)
    assert np.allclose(total, np.sqrt(se**2 + sys_abs**2))
    # the replicas carry the total error (what the hot-cold stage propagates)
    assert np.allclose(stats.jackknife_stderr(loo2), total)
    assert np.allclose(loo2.mean(axis=0), full)


def test_jump_scores_flag_a_seam_and_pass_a_smooth_curve():
    lns = np.linspace(1.0, 3.0, 10)
    g = 0.1 * np.exp(0.5 * lns + 0.1 * lns**2)  # smooth, curved: every step follows the trend
    se = 0.02 * g
    assert np.max(np.abs(th.jump_scores(lns, g, se))) < 0.5
    seam = g.copy()
    seam[5:] *= 1.65  # the seam: a factor 1.65 between two passes
    z = th.jump_scores(lns, seam, se)
    assert z.size == 9 and np.argmax(z) == 4 and z[4] > 10
    # step 4 by hand: its slope against the mean of its neighbours' slopes
    y, h = np.log(seam), lns[1] - lns[0]
    s3, s4, s5 = (y[4] - y[3]) / h, (y[5] - y[4]) / h, (y[6] - y[5]) / h
    r4, r5 = se[4] / seam[4], se[5] / seam[5]  # se was not scaled with the seam
    assert z[4] == pytest.approx((s4 - (s3 + s5) / 2) * h / np.hypot(r4, r5))
    # order does not matter (T grids are stored ascending in T, i.e. descending in L)
    assert np.allclose(th.jump_scores(lns[::-1], seam[::-1], se[::-1]), z)
