"""Matrix elements of Eq. (10) (docs/physics.md §1.6, issue 11): integrals, symmetries, a -> 0
cancellation, box independence, bad input."""

from __future__ import annotations

import copy
import math

import numpy as np
import pytest
from conftest import default_config, run_snakemake

from hotcold import matrix_elements as me
from hotcold.disorder import Model, PotentialStream
from hotcold.eigen import eigenpairs

DX, M, U = 0.1, 1.0, 0.7


def small_system(n_sites=400, w=1.0, seed=3):
    """Strong white-noise disorder (xi_c ~ 2) on a 40-length box: cold and hot states."""
    model = Model("white", w, 0.0)
    pot = PotentialStream(model, DX, me.realization_seed(seed, model, 0)).take(n_sites)
    c_e, c_psi = eigenpairs(pot, DX, M, 0.4, 1.6)
    h_e, h_psi = eigenpairs(pot, DX, M, 2.0, 4.0)
    return pot, c_e, c_psi, h_e, h_psi


def brute_force(psi_i, psi_j, psi_k, psi_l, a, dx, u):
    """Eq. (10) as a dense double sum over the whole box with the Gaussian written out."""
    x = np.arange(psi_i.size) * dx
    diff = x[:, None] - x[None, :]
    lags = np.arange(-psi_i.size + 1, psi_i.size) * dx
    norm = np.exp(-(lags**2) / (2 * a * a)).sum() * dx  # unit lattice integral
    v = u * np.exp(-(diff**2) / (2 * a * a)) / norm
    hartree = np.einsum("a,a,ab,b,b->", psi_i, psi_j, v, psi_k, psi_l) * dx * dx
    exchange = np.einsum("a,a,ab,b,b->", psi_i, psi_l, v, psi_k, psi_j) * dx * dx
    return hartree, exchange


def test_kernel_normalised_and_range():
    for a in (0.05, 0.2, 0.8):
        k = me.interaction_kernel(a, DX)
        assert k.sum() * DX == pytest.approx(1.0, abs=1e-14)
        if a >= 2 * DX:  # sampled Gaussian: RMS range a (Poisson summation, error ~e^-20)
            assert me.kernel_range(k, DX) == pytest.approx(a, rel=1e-6)
    with pytest.raises(ValueError):
        me.interaction_kernel(0.0, DX)


@pytest.mark.parametrize("a", [0.05, 0.3])
def test_hartree_exchange_match_brute_force_double_integral(a):
    _, c_e, c_psi, h_e, h_psi = small_system()
    quads = [(0, 1, 0, 1), (2, 0, 1, 3), (3, 3, 2, 0), (1, 4, 3, 2)]
    ker = me.interaction_kernel(a, DX)
    amp = me.block_amplitudes(c_psi, 10, DX)
    for i, j, k, l_ in quads:
        ref_h, ref_x = brute_force(h_psi[i], h_psi[j], c_psi[k], c_psi[l_], a, DX, U)
        # the production path: the cold pair's local support only
        sup = me.pair_support(amp[k] * amp[l_], 1e-12, 10, ker.size, c_psi.shape[1])
        vh, vx, v0 = me.pair_elements(
            h_psi[:, sup],
            np.array([i]),
            np.array([j]),
            c_psi[k, sup],
            c_psi[l_, sup],
            [ker],
            DX,
            U,
        )
        scale = U * np.max(np.abs(h_psi)) ** 2 * np.sum(np.abs(c_psi[k] * c_psi[l_])) * DX
        assert abs(vh[0, 0] - ref_h) < 1e-9 * scale
        assert abs(vx[0, 0] - ref_x) < 1e-9 * scale
        assert abs(ref_h) > 1e-4 * scale  # the elements tested are not trivially zero


def test_symmetries_i_j_and_k_l():
    _, _, c_psi, _, h_psi = small_system()
    ker = me.interaction_kernel(0.2, DX)
    ii, jj = np.array([0, 1, 2, 3]), np.array([4, 2, 1, 0])
    k, l_ = 1, 3

    def els(a_, b_, kk, ll):
        return me.pair_elements(h_psi, a_, b_, c_psi[kk], c_psi[ll], [ker], DX, U)

    h1, x1, c1 = els(ii, jj, k, l_)
    h2, x2, c2 = els(jj, ii, k, l_)  # i <-> j
    h3, x3, _ = els(ii, jj, l_, k)  # k <-> l
    h4, x4, _ = els(jj, ii, l_, k)  # both: the reversed process
    tol = 1e-13 * np.abs(h1).max()
    np.testing.assert_allclose(h2, h1, rtol=0, atol=tol)  # Hartree: symmetric in i, j
    np.testing.assert_allclose(h3, h1, rtol=0, atol=tol)  # ... and in k, l
    np.testing.assert_allclose(x2, x3, rtol=0, atol=tol)  # V^ex_jikl = V^ex_ijlk
    np.testing.assert_allclose(x4, x1, rtol=0, atol=tol)  # V^ex_jilk = V^ex_ijkl
    np.testing.assert_allclose(c2, c1, rtol=0, atol=tol)
    assert np.abs(x1 - x2).max() > 1e-3 * np.abs(x1).max()  # exchange alone is not symmetric


def test_hartree_exchange_cancel_for_a_to_zero():
    _, _, c_psi, _, h_psi = small_system()
    ii, jj = np.array([0, 1, 2, 3, 1]), np.array([1, 2, 3, 0, 4])
    kers = [me.interaction_kernel(a, DX) for a in (0.01, 0.02, 0.03)]
    vh, vx, v0 = me.pair_elements(h_psi, ii, jj, c_psi[0], c_psi[2], kers, DX, U)
    # a << dx: the lattice profile is delta_n0/dx and the cancellation is exact (spinless)
    np.testing.assert_allclose(vh[0] - vx[0], 0.0, atol=1e-15 * np.abs(vh[0]).max())
    np.testing.assert_allclose(vh[0], v0, rtol=1e-12)
    # small a: V^H - V^ex = O(a_eff^2) (second moment of the profile), a_eff from the kernel
    a_eff = np.array([me.kernel_range(k, DX) for k in kers[1:]])
    diff = vh[1:] - vx[1:]
    ratio = diff[1] / diff[0]
    np.testing.assert_allclose(ratio, (a_eff[1] / a_eff[0]) ** 2, rtol=0.02)
    assert np.abs(diff[1]).max() > 1e-6 * np.abs(vh[1]).max()


def _box_rms(box, n_real, seed=11, model=None):
    settings = {
        **me.DEFAULT_SETTINGS,
        "box_length": box,
        "dx": DX,
        "realizations": n_real,
        "temperatures": [0.4],
        "scan_T": 0.4,
        "ranges": [0.1, 0.3],
        "hot_window": 0.3,
        "block": 1.0,
    }
    energies = np.array([3.0])
    cold = {"xi_c": 2.0, "rho_c": 0.225}
    hot = {"xi_h": np.array([6.0]), "rho_h": np.array([1 / (math.pi * math.sqrt(6.0))])}
    params = {"m": M, "fermi_energy": 1.0, "u": U, "range": 0.1, "seed": seed}
    model = Model("white", 1.0, 0.0) if model is None else model
    meas = me.measure_model(model, energies, cold, hot, params, settings, log=lambda *_: None)
    return me.matrix_elements_dataset(meas, energies, cold, hot, params, settings)


@pytest.mark.slow
def test_rms_independent_of_box_length_once_large():
    """L = 5 xi_h and L = 10 xi_h (xi_h ~ 6) give the same RMS within the errors.

    A plain mean over all pairs of the box would differ by a factor ~2-4 here.
    """
    small, large = _box_rms(30.0, 240), _box_rms(60.0, 120)
    for name in ("V_H_rms", "V_ex_rms", "V_hc_numerical"):
        a, b = float(small[name].squeeze()), float(large[name].squeeze())
        se = math.hypot(
            float(small[name + "_stderr"].squeeze()), float(large[name + "_stderr"].squeeze())
        )
        assert se < 0.12 * a, (name, a, se)  # precise enough to see a factor sqrt(2)
        assert abs(a - b) < 3 * se, (name, a, b, se)


def test_merge_stores_white_noise_once():
    """White noise at (white, 0) only; the correlated family's d = 0 cell is missing."""
    per_model = {
        ("white", 0.0): _box_rms(20.0, 4),
        ("exponential", 0.5): _box_rms(20.0, 4, model=Model("exponential", 1.0, 0.5)),
    }
    merged = me.merge_matrix_elements(per_model)
    assert list(merged["family"].values) == ["white", "exponential"]
    assert merged["is_model"].values.tolist() == [[True, False], [False, True]]
    for (fam, d), one in per_model.items():
        np.testing.assert_array_equal(
            merged["V_H_rms"].sel(family=fam, d=d).values, one["V_H_rms"].values
        )
    for fam, d in (("white", 0.5), ("exponential", 0.0)):
        assert np.isnan(merged["V_H_rms"].sel(family=fam, d=d).values).all()
        assert np.isnan(float(merged["xi_c"].sel(family=fam, d=d)))


def test_jackknife_and_fit():
    rng = np.random.default_rng(5)
    num = rng.exponential(2.0, size=(400, 1))
    full, reps, se = me.jackknife_rms(num, np.ones((400, 1)))
    assert full[0] == pytest.approx(math.sqrt(num.mean()))
    # delta method: se(sqrt(mean)) = se(mean) / (2 sqrt(mean))
    delta = num.std(ddof=1) / math.sqrt(400) / (2 * math.sqrt(num.mean()))
    assert se[0] == pytest.approx(delta, rel=0.05)
    x = np.array([1.0, 2.0, 4.0, 8.0])
    p, _ = me.fit_exponent(x, 3 * x**-1.5)
    assert p == pytest.approx(-1.5, abs=1e-12)


def _me_config(**over):
    cfg = copy.deepcopy(default_config())
    cfg["matrix_elements"] = {**cfg.get("matrix_elements", {}), "enabled": True, **over}
    return cfg


def test_bad_range_and_box_are_rejected_with_the_key():
    cfg = _me_config()
    assert me.validate_settings(cfg) == []
    cfg["interaction"]["range"] = 0.0
    msgs = me.validate_settings(cfg)
    assert len(msgs) == 1 and msgs[0].startswith("interaction.range:") and "Fix:" in msgs[0]
    cfg = _me_config(box_length=1000.0)
    msgs = me.validate_settings(cfg)
    assert msgs and msgs[0].startswith("matrix_elements.models[0].energies:")
    assert "box_length" in msgs[0] and "Fix:" in msgs[0]
    cfg = _me_config(models=[{"family": "lorentzian", "d": 0.1, "energies": [2.0]}])
    assert me.validate_settings(cfg)[0].startswith("matrix_elements.models[0]:")


def test_bad_range_stops_snakemake_before_any_job(tmp_path):
    cfg = _me_config()
    cfg["interaction"]["range"] = -0.05
    proc = run_snakemake(tmp_path, "-n", config=cfg, check=False, timeout=300)
    assert proc.returncode == 1
    assert "interaction.range:" in proc.stderr
    assert not (tmp_path / "results").exists()


def test_bit_identical_whatever_the_number_of_workers():
    serial = _box_rms(30.0, 4)
    orig = me.map_in_order
    try:  # realizations in two processes
        me.map_in_order = lambda fn, its, workers: orig(fn, its, 2)
        parallel = _box_rms(30.0, 4)
    finally:
        me.map_in_order = orig
    for name in ("V_H_rms", "V_ex_rms", "V_hc_numerical", "V_ex_excess_rms"):
        np.testing.assert_array_equal(serial[name].values, parallel[name].values)
