"""Transfer-matrix engine against exact and asymptotic results (issue 3, docs/physics.md §1.2).

Every comparison is with an independent result: Eq. (2), the exact
white-noise solution (Frisch-Lloyd/Halperin, theory.white_noise_exact), the
Born asymptote, the clean IDOS, or deep-tail asymptotics; tolerances are 3
reported standard errors (plus the stated relative bound where the issue asks
for one).  Seeds are fixed, so each test is deterministic.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from hotcold import theory
from hotcold.disorder import Model
from hotcold.localization import (
    batch_stderr,
    choose_dx,
    discretization_bias,
    run_lyapunov,
)
from hotcold.transfer import advance, fd3_advance, recursion_coefficients, renorm_interval

M = 1.0


def _run(model, energies, rel, max_cells=4e7, dx=None, seed=7, **kw):
    energies = np.asarray(energies, float)
    if dx is None:
        dx, att = choose_dx(model, energies, M, rel, max_cells, 0.1, 0.6, 8, 0.2)
    return run_lyapunov(model, energies, M, seed, dx, rel, max_cells, **kw)


def test_white_noise_eq2_and_free_idos_at_high_energy():
    """Eq. (2): xi = 2 eps/(m w) at high energy, within 3 s.e. and 3 %.

    At eps = 20, 40 with w = 1 the exact white-noise xi differs from Eq. (2)
    by < 0.02 % (theory.white_noise_exact), far below the 1 % target error.
    """
    w, energies = 1.0, np.array([20.0, 40.0])
    res = _run(Model("white", w, 0), energies, rel=0.01)
    assert (res.status == 0).all()
    eq2 = theory.xi_white_eq2(energies, M, w)
    dev = np.abs(res.xi - eq2)
    assert np.all(dev < 3 * res.xi_stderr), (res.xi, res.xi_stderr, eq2)
    assert np.all(dev / eq2 < 0.03)
    free = theory.clean_idos(energies, M)
    assert np.all(np.abs(res.idos - free) < 3 * res.idos_stderr + 1e-4 * free)
    assert np.all(np.abs(res.idos / free - 1) < 1e-3)


def test_white_noise_exact_solution_at_all_energies():
    """Strong disorder, band bottom and deep below it: the exact Frisch-Lloyd result."""
    w = 1.0
    energies = np.array([-3.0, -0.5, 0.0, 0.3, 1.0, 3.0])
    res = _run(Model("white", w, 0), energies, rel=0.005, max_cells=2e7)
    g_ex, n_ex = theory.white_noise_exact(energies, M, w)
    assert np.all(np.abs(res.lyapunov - g_ex) < 3 * res.lyapunov_stderr), (res.lyapunov, g_ex)
    # node counting: the IDOS, including the Lifshitz tail below the band bottom
    assert np.all(np.abs(res.idos - n_ex) < 3 * res.idos_stderr + 1e-12)
    # rho = dN/deps against the derivative of the exact IDOS
    h = 1e-4
    rho_ex = (
        theory.white_noise_exact(energies + h, M, w)[1]
        - theory.white_noise_exact(energies - h, M, w)[1]
    ) / (2 * h)
    inner = slice(1, -1)  # end points use one-sided differences (coarse grid)
    assert np.all(
        np.abs(res.dos[inner] - rho_ex[inner]) < 0.05 * rho_ex[inner] + 3 * res.dos_stderr[inner]
    )


def test_numerically_safe_deep_below_band_bottom():
    """No overflow or NaN at any energy; gamma -> kappa = sqrt(2 m |eps|) deep in the gap."""
    energies = np.array([-1e8, -1e4, -50.0])
    res = run_lyapunov(Model("white", 0.1, 0), energies, M, 1, 0.05, 1e-3, 2e5, chunk=4096)
    kappa = np.sqrt(2 * M * np.abs(energies))
    assert np.all(np.isfinite(res.lyapunov))
    assert np.allclose(res.lyapunov, kappa, rtol=1e-3)
    assert np.all(res.idos == 0)


@pytest.mark.slow
def test_correlated_born_at_weak_disorder():
    """Numerical xi matches the Born asymptote at weak disorder, high energy (6 models).

    Next Born order: the relative deviation xi/xi_B - 1 is first order in w at
    fixed energy (the next order of the Born series).  It is measured here at
    w = 1, then scaled by w to the weak-disorder point w = 0.02: the predicted
    deviation must be below the statistical error there (asserted per model).
    (At w = 1 the deviation is several per cent -- up to ~20 % for gaussian
    d = 0.5, where S_U(2k) is suppressed by exp(-4) and the next order, built
    from S_U at smaller q, matters relatively more -- so the weak point is
    w = 0.02.)  The agreement is then one joint test over the six independent
    models: chi^2 = sum z^2, z = (xi - xi_B)/s.e., below its 99.9 % quantile for
    6 degrees of freedom (22.5), so the family-wise false-alarm rate is 1e-3 and
    a bias of ~2 s.e. in every model, or ~4.7 s.e. in one, fails it.
    """
    eps, w = 2.0, 0.02
    z = {}
    for family in ("lorentzian", "exponential", "gaussian"):
        for d in (0.25, 0.5):
            strong = _run(Model(family, 1.0, d), [eps], rel=0.01)
            delta_strong = abs(strong.xi[0] / theory.xi_born(eps, family, M, 1.0, d) - 1)
            weak = _run(Model(family, w, d), [eps], rel=0.03, max_cells=3e8)
            xb = theory.xi_born(eps, family, M, w, d)
            rel_se = weak.xi_stderr[0] / weak.xi[0]
            predicted = (delta_strong + 3 * strong.lyapunov_stderr[0] / strong.lyapunov[0]) * w
            assert predicted < rel_se, (family, d, predicted, rel_se)
            z[(family, d)] = (weak.xi[0] - xb) / weak.xi_stderr[0]
    chi2 = sum(v * v for v in z.values())
    assert chi2 < stats.chi2.ppf(0.999, len(z)), z


@pytest.mark.slow
@pytest.mark.parametrize("family", ["lorentzian", "exponential", "gaussian"])
def test_departs_from_born_at_strong_disorder(family):
    """At low energy and strong disorder the numerics depart from Born by many s.e."""
    w, d, eps = 1.0, 0.5, 0.3
    res = _run(Model(family, w, d), [eps], rel=0.01)
    xb = theory.xi_born(eps, family, M, w, d)
    assert abs(res.xi[0] - xb) > 5 * res.xi_stderr[0], (res.xi[0], res.xi_stderr[0], xb)


@pytest.mark.slow
@pytest.mark.parametrize("family", ["lorentzian", "exponential", "gaussian"])
def test_d_to_zero_recovers_white_noise(family):
    """xi(d) -> xi(white) as d -> 0: significant at d = 0.2, within 3 s.e. at d = 0.002.

    At eps = 1 (k d = 0.28 for d = 0.2) the Born spectra differ from white by
    10-25 %; at d = 0.002 by < 0.6 %, below the 2 % target error.
    """
    w, eps = 0.3, 1.0
    white = _run(Model("white", w, 0), [eps], rel=0.02)
    far = _run(Model(family, w, 0.2), [eps], rel=0.02)
    near = _run(Model(family, w, 0.002), [eps], rel=0.02, max_cells=1e9)
    se = lambda a: np.hypot(a.xi_stderr[0], white.xi_stderr[0])  # noqa: E731
    assert abs(far.xi[0] - white.xi[0]) > 3 * se(far)
    assert abs(near.xi[0] - white.xi[0]) < 3 * se(near)


@pytest.mark.slow
@pytest.mark.parametrize("family,d", [("white", 0.0), ("exponential", 0.25), ("lorentzian", 0.25)])
def test_grid_step_convergence_at_default_settings(family, d):
    """Halving dx changes xi by less than the statistical error (default w, rel_error, dx rule).

    Same seed, so the two grids sample the same family of streams but are
    different realizations: the difference is compared with the combined s.e.
    """
    from conftest import default_config

    cfg = default_config()
    loc, w = cfg["localization"], cfg["disorder"]["w"]
    energies = np.array([0.5, 1.0, 4.0, 8.0])
    model = Model(family, w, d)
    dx, att = choose_dx(
        model,
        energies,
        M,
        loc["rel_error"],
        loc["max_cells"],
        loc["dx_max"],
        loc["kdx_max"],
        loc["points_per_d"],
        loc["bias_fraction"],
    )
    energies = energies[att]
    a = run_lyapunov(model, energies, M, 3, dx, loc["rel_error"], loc["max_cells"])
    b = run_lyapunov(model, energies, M, 3, dx / 2, loc["rel_error"], 2 * loc["max_cells"])
    ok = (a.status == 0) & (b.status == 0)
    assert ok.sum() >= 2
    diff = np.abs(a.xi - b.xi)[ok]
    comb = np.hypot(a.xi_stderr, b.xi_stderr)[ok]
    assert np.all(diff < 3 * comb), (diff, comb)


def test_discretization_bias_formula():
    """Aliasing bias of the sampled exponential spectrum ~ (2 k dx)^2/12 for d >> dx, 2kd >> 1."""
    model = Model("exponential", 1.0, 1.0)
    k = 2.0
    eps = k**2 / 2
    for dx in (0.01, 0.02):
        b = discretization_bias(model, np.array([eps]), M, dx)[0]
        assert b == pytest.approx((2 * k * dx) ** 2 / 12, rel=0.1)
    assert discretization_bias(Model("white", 1, 0), np.array([eps]), M, 0.3)[0] == 0.0


def test_engine_independent_of_threads_and_matches_fd_in_continuum_limit():
    """Bit-identical for 1 or 2 numba threads; the FD baseline tends to the same gamma."""
    import numba

    rng = np.random.default_rng(0)
    dx = 0.02
    u = rng.standard_normal(200_000) * np.sqrt(1.0 / dx)
    energies = np.linspace(0.5, 4.0, 40)  # two tiles of lanes
    a, b, c, _ = recursion_coefficients(energies, M, dx)
    k = renorm_interval(a, b, c, float(np.abs(u).max()))
    outs = []
    for nt in (1, 2):
        numba.set_num_threads(nt)
        p, q = np.ones(40), np.ones(40)
        ls, nd = np.zeros((4, 40)), np.zeros((4, 40), dtype=np.int64)
        advance(u, a, b, c, p, q, ls, nd, k)
        outs.append((ls.sum(axis=0), nd.sum(axis=0)))
    numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
    assert np.array_equal(outs[0][0], outs[1][0]) and np.array_equal(outs[0][1], outs[1][1])
    p0, p1 = np.zeros(40), np.ones(40)
    lf, nf = np.zeros(40), np.zeros(40, dtype=np.int64)
    fd3_advance(u, energies, M, dx, p0, p1, lf, nf)
    # same potential, same length: node counts agree to O(dispersion error)
    assert np.all(np.abs(nf - outs[0][1]) <= 0.01 * outs[0][1] + 5)


@pytest.mark.parametrize("n_lanes", [1, 2, 3, 4, 5, 7, 8, 9])
def test_few_lane_kernels_bit_identical_to_tiles(n_lanes):
    """Up to 8 lanes run in groups of 4 through the register kernel (the tail of a run);
    every lane gives the same bits as in a full 32-lane tile, for 1 or 2 threads."""
    import numba

    dx = 0.05
    u = np.random.default_rng(3).standard_normal(60_000) * np.sqrt(0.1 / dx)
    energies = np.geomspace(0.25, 32.0, 32)
    a, b, c, _ = recursion_coefficients(energies, M, dx)
    k = renorm_interval(a, b, c, float(np.abs(u).max()))

    def run(sel):
        p, q = np.ones(sel.size), np.ones(sel.size)
        ls, nd = np.zeros((4, sel.size)), np.zeros((4, sel.size), dtype=np.int64)
        advance(u, a[sel].copy(), b[sel].copy(), c[sel].copy(), p, q, ls, nd, k)
        return ls, nd, p, q

    try:
        numba.set_num_threads(1)
        ref = run(np.arange(32))
        sel = np.arange(32 - n_lanes, 32)  # the highest energies: the tail of a run
        for nt in (1, 2):
            numba.set_num_threads(min(nt, numba.config.NUMBA_NUM_THREADS))
            got = run(sel)
            for want, have in zip(ref, got, strict=True):
                assert np.array_equal(want[..., sel], have)
        # with a lane below the band bottom (C != 1) the general kernels run: same bits
        a, b, c = (
            np.append(x, y)
            for x, y in zip(
                (a, b, c), recursion_coefficients(np.array([-0.5]), M, dx)[:3], strict=True
            )
        )
        assert c[-1] != 1.0
        for nt in (1, 2):
            numba.set_num_threads(min(nt, numba.config.NUMBA_NUM_THREADS))
            got = run(np.append(sel, 32))
            for want, have in zip(ref, got, strict=True):
                assert np.array_equal(want[..., sel], have[..., :-1])
    finally:
        numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)


def test_batch_stderr_of_iid_samples():
    """Batch means reproduce sigma/sqrt(n) for independent samples."""
    rng = np.random.default_rng(1)
    x = rng.normal(3.0, 2.0, 64_000)
    mean, se, nb = batch_stderr(x, 32)
    assert nb == 32
    assert abs(mean - 3.0) < 3 * se
    assert se == pytest.approx(2.0 / np.sqrt(x.size), rel=0.3)  # 32 batches: ~13 % scatter


def _jk_var(rep):
    b = rep.shape[0]
    return (b - 1) / b * ((rep - rep.mean(axis=0)) ** 2).sum(axis=0)


def test_jackknife_replicas_give_the_stored_stderr():
    """docs/physics.md §2.1: var = (B-1)/B sum_k (x_k - mean x)^2 of the stored replicas is the
    stored *_stderr^2; Born points carry the Born value in every replica."""
    from hotcold.localization import localization_dataset

    model = Model("lorentzian", 0.1, 0.5)
    energies = np.array([0.5, 1.0, 2.0, 30.0])
    dx, att = choose_dx(model, energies, M, 0.05, 4e7, 0.1, 0.6, 8, 0.2)
    res = run_lyapunov(model, energies, M, 3, dx, 0.05, 4e7, attempt=att)
    ds = localization_dataset(res, model, M)
    assert ds.sizes["replica_loc"] == 32
    # the writer's variable table is the dataset (and holds the names of docs/physics.md §2, §2.1)
    from conftest import assert_self_describing

    from hotcold.localization import LOCALIZATION_VARIABLES as table

    assert_self_describing(ds)
    assert ds["xi"].dims == ("energy",) and ds["xi_jackknife"].dims == ("replica_loc", "energy")
    spec2 = ["xi", "xi_stderr", "lyapunov", "idos", "dos", "xi_born", "xi_source"]
    assert set(spec2 + ["xi_jackknife", "dos_jackknife", "idos_jackknife"]) <= set(table)
    meas = ds.xi_source.values == 0
    assert meas.sum() >= 3 and (~meas).sum() >= 1
    for name in ("xi", "dos", "idos"):
        rep = ds[f"{name}_jackknife"].values[:, meas]
        np.testing.assert_allclose(_jk_var(rep), ds[f"{name}_stderr"].values[meas] ** 2, rtol=1e-10)
        assert (
            ds[f"{name}_jackknife"].attrs["jackknife"] == "leave-one-out over independent batches"
        )
    born = ds.xi_jackknife.values[:, ~meas]
    assert np.array_equal(born, np.broadcast_to(ds.xi_born.values[~meas], born.shape))
    # xi_stderr of the jackknife agrees with error propagation from gamma to first order
    prop = ds.xi.values * ds.lyapunov_stderr.values / ds.lyapunov.values
    rel = ds.xi_stderr.values[meas] / prop[meas] - 1
    assert np.all(np.abs(rel) < 3 * (ds.lyapunov_stderr / ds.lyapunov).values[meas] + 1e-3)


def test_jackknife_batches_are_disjoint_and_independent():
    """Leave-one-out over *disjoint consecutive* batches: exact on a ramp, and the batch
    means recovered from the replicas of i.i.d. data are uncorrelated (overlapping
    batches, e.g. windows of two batch lengths, would give a lag-1 correlation ~ 1/2)."""
    from hotcold.localization import batch_bounds, jackknife_replicas

    n, b = 100, 32
    x = np.arange(n, dtype=float)
    cum = np.concatenate([[0.0], np.cumsum(x)])
    mean, rep = jackknife_replicas(cum, n, b)
    edges = batch_bounds(n, b)
    for k in range(b):
        keep = np.ones(n, bool)
        keep[edges[k] : edges[k + 1]] = False
        assert rep[k] == pytest.approx(x[keep].mean(), rel=1e-14)
    assert mean == pytest.approx(x.mean())
    rng = np.random.default_rng(4)
    n, trials = 32 * 40, 200
    data = rng.standard_normal((n, trials))
    cum = np.concatenate([np.zeros((1, trials)), np.cumsum(data, axis=0)])
    mean, rep = jackknife_replicas(cum, n, b)
    batch = b * mean - (b - 1) * rep  # equal batches: the batch means themselves
    z = (batch - batch.mean(axis=0)) / batch.std(axis=0)
    r1 = np.mean(z[1:] * z[:-1])
    assert abs(r1) < 4 / np.sqrt((b - 1) * trials)
    # and they scatter like means of n/b independent values
    assert np.var(batch) == pytest.approx(b / n, rel=4 * np.sqrt(2 / (b * trials)))


def test_engine_batches_are_independent():
    """The engine's batches (recovered from its gamma replicas) are uncorrelated in sequence."""
    from hotcold.localization import batch_bounds

    energies = np.array([0.5, 1.0, 2.0, 4.0, 8.0, 16.0])
    res = run_lyapunov(Model("white", 0.3, 0), energies, M, 11, 0.05, 0.02, 4e7)
    pairs = []
    for e in range(energies.size):
        nc = int(round(res.length[e] / (res.chunk * res.dx)))
        sizes = np.diff(batch_bounds(nc, 32))
        g, rep = res.lyapunov[e], res.lyapunov_jackknife[:, e]
        batch = (nc * g - (nc - sizes) * rep) / sizes
        z = (batch - batch.mean()) / batch.std()
        pairs.append(z[1:] * z[:-1])
    pairs = np.concatenate(pairs)
    assert abs(pairs.mean()) < 4 / np.sqrt(pairs.size), pairs.mean()
