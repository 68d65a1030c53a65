"""Exact-eigenstate S_omega(x) and n_T (issue 4, docs/physics.md §1.3).

The estimators of :mod:`hotcold.spectral` are checked against independent
brute-force evaluations (dense ``numpy.linalg.eigh`` of the whole spectrum,
explicit double loops over all eigenpairs, lag-by-lag sums instead of FFTs),
against the exact sum rule on every realization, and, in the slow tests,
against the physics that is guaranteed (n_T ~ T^2 at T << Delta_c, the Mott
peak moving outward as omega decreases).  Seeds are fixed.
"""

from __future__ import annotations

import numpy as np
import pytest

from hotcold import eigen as eig
from hotcold import pairs as pr
from hotcold import spectral as sp
from hotcold import theory
from hotcold.disorder import Model, realizations

M = 1.0
DX = 0.1


def _dense(potential, dx=DX, m=M):
    d, o = eig.tridiagonal_hamiltonian(potential, dx, m)
    h = np.diag(d) + np.diag(o, 1) + np.diag(o, -1)
    e, v = np.linalg.eigh(h)
    return e, v.T / np.sqrt(dx)


def _lag_products(psi, lo, hi, s):
    """I_s[i, j] = sum_{y in [lo, hi), 0 <= y + s < N} p_ij(y) p_ij(y + s) (no FFT)."""
    n = psi.shape[1]
    y = np.arange(lo, hi)
    y = y[(y + s >= 0) & (y + s < n)]
    a = psi[:, y] * psi[:, y + s]
    return a @ a.T


def _brute_s(e, psi, eps, de, om_edges, x_edges, lo, hi, dx=DX):
    """Double loop over ALL ordered eigenpairs, explicit C_ij(s) sums."""
    n = psi.shape[1]
    lags = np.arange(n)
    xb = np.searchsorted(x_edges, lags * dx + 1e-9 * dx, side="right") - 1
    s_max = int(np.max(np.nonzero((xb >= 0) & (xb < x_edges.size - 1))[0]))
    n_x, n_om = x_edges.size - 1, om_edges.size - 1
    out = np.zeros((n_om, n_x))
    cnt = np.zeros(n_x)
    ly = np.zeros(s_max + 1)
    for s in range(s_max + 1):
        y = np.arange(lo, hi)
        ly[s] = 0.5 * (np.sum(y + s < n) + np.sum(y - s >= 0)) * dx
        cnt[xb[s]] += 1
    mats = {s: _lag_products(psi, lo, hi, s) * dx for s in range(-s_max, s_max + 1)}
    for i in range(e.size):
        if not (eps - de / 2 <= e[i] < eps + de / 2):
            continue
        for j in range(e.size):
            om = abs(e[j] - e[i])
            if j == i or not (om_edges[0] <= om < om_edges[-1]):
                continue
            b = np.searchsorted(om_edges, om, side="right") - 1
            for s in range(s_max + 1):
                c = 0.5 * (mats[s][i, j] + mats[-s][i, j])
                out[b, xb[s]] += c / ly[s]
    return out / cnt[None, :] / (2 * de * np.diff(om_edges)[:, None])


def _brute_nt(e, psi, eps_f, temps, x_cut, lo, hi, dx=DX):
    """(2/L_R) sum over ALL pairs e_j < e_i of f(1-f) (-sum_{|s| > K} C_ij(s) dx)."""
    n = psi.shape[1]
    k = int(round(x_cut / dx))
    far = np.zeros((e.size, e.size))
    for s in range(-(n - 1), n):
        if abs(s) > k:
            far += _lag_products(psi, lo, hi, s) * dx * dx
    jmat = -far
    l_r = (hi - lo) * dx
    out = []
    for t in temps:
        f = pr.fermi(e, eps_f, t)
        wgt = f[:, None] * (1 - f[None, :]) * (e[:, None] > e[None, :])
        out.append(2 / l_r * np.sum(wgt * jmat))
    # rigorous bound on what a window of half-width W loses: each dropped pair
    # has f(e_i)(1 - f(e_j)) <= exp(-W/T)
    abs_sum = 2 / l_r * np.sum(np.abs(jmat) * (e[:, None] > e[None, :]))
    return np.array(out), abs_sum


def _small_system(seed=3, w=1.0, n=200):
    return realizations(Model("white", w, 0.0), DX, n, 1, seed)[0]


@pytest.mark.parametrize("reorth", [0, 8])  # twisted factorization alone, and reorthogonalised
def test_eigenpairs_normalised_and_equal_to_dense(reorth):
    pot = _small_system()
    e_d, psi_d = _dense(pot)
    e, psi = eig.eigenpairs(pot, DX, M, 0.3, 2.5, reorth=reorth)
    sel = (e_d > 0.3) & (e_d <= 2.5)
    assert e.size == sel.sum() > 5
    np.testing.assert_allclose(e, e_d[sel], rtol=0, atol=1e-10)
    gram = psi @ psi.T * DX
    np.testing.assert_allclose(gram, np.eye(e.size), atol=1e-10)
    # same states as the dense solver up to sign
    overlap = np.abs(np.sum(psi * psi_d[sel], axis=1) * DX)
    np.testing.assert_allclose(overlap, 1.0, atol=1e-8)
    assert psi.shape == (e.size, pot.size)


def test_eigenpairs_near_degenerate_mirror_pairs():
    """A mirror-symmetric box: every state has a partner localized in the other half.

    Their splitting (tunnelling through the middle) is far below the eigenvalue
    accuracy, where the twisted factorization alone returns two almost parallel
    vectors; the reorthogonalisation must still give an orthonormal basis of
    each pair's subspace with small residuals, spanning what the dense solver spans.
    """
    half = realizations(Model("white", 4.0, 0.0), DX, 300, 1, 11)[0]
    pot = np.concatenate([half, half[::-1]])
    e_d, psi_d = _dense(pot)
    lo, hi = 0.2, 3.0
    e, psi = eig.eigenpairs(pot, DX, M, lo, hi)
    sel = (e_d >= lo) & (e_d < hi)
    assert e.size == sel.sum() > 10
    gaps = np.diff(e)
    assert gaps.min() < 1e-12  # near-degenerate pairs are present
    np.testing.assert_allclose(psi @ psi.T * DX, np.eye(e.size), atol=1e-10)
    d, o = eig.tridiagonal_hamiltonian(pot, DX, M)
    h_psi = d * psi
    h_psi[:, :-1] += o * psi[:, 1:]
    h_psi[:, 1:] += o * psi[:, :-1]
    resid = np.linalg.norm(h_psi - e[:, None] * psi, axis=1) * np.sqrt(DX)
    assert resid.max() < 1e-9
    # same subspace as the dense eigenvectors: the projector onto the window agrees
    p_ours = psi.T @ psi * DX
    p_dense = psi_d[sel].T @ psi_d[sel] * DX
    assert np.abs(p_ours - p_dense).max() < 1e-8


@pytest.mark.parametrize(("lo", "hi"), [(0.3, 2.5), (-50.0, 0.4), (1.0, 1.0 + 1e-9), (3.0, 1e4)])
def test_window_eigenvalues_equal_dense(lo, hi):
    """Bisection: the dense spectrum's eigenvalues in the window, none missing (empty too)."""
    pot = _small_system()
    e_d, _ = _dense(pot)
    d, o = eig.tridiagonal_hamiltonian(pot, DX, M)
    got = eig.window_eigenvalues(d, o, lo, hi)
    want = e_d[(e_d >= lo) & (e_d < hi)]
    assert got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-12 * max(1.0, np.abs(e_d).max()))


@pytest.mark.parametrize(("scale_d", "scale_e"), [(1.0, 1.0), (1e3, 1e-3), (1e-3, 1e3)])
def test_minors_count_equals_pivots_and_dense(scale_d, scale_e):
    """The division-free count (sign changes of the leading minors, rescaled every kr
    sites) equals the LDL^T pivot count and the dense spectrum's count, also where the
    minors would over- or underflow in double precision without the rescaling."""
    rng = np.random.default_rng(5)
    n = 3000
    diag = scale_d * rng.uniform(-1.0, 1.0, n)
    off = scale_e * rng.uniform(0.2, 1.0, n - 1)
    off2 = off**2
    e_all = np.linalg.eigvalsh(np.diag(diag) + np.diag(off, 1) + np.diag(off, -1))
    sig = np.quantile(e_all, [0.01, 0.3, 0.5, 0.77, 0.99]) + 1e-9 * np.ptp(e_all)
    kr = eig.rescale_interval(diag, off2, sig.min(), sig.max())
    assert 1 <= kr <= 256
    piv = np.finfo(float).tiny * max(1.0, float(off2.max()))
    for s in sig:
        want = int(np.sum(e_all < s))
        assert eig._minors_count(diag, off2, s, kr) == want
        assert eig._sturm_count(diag, off2, s, piv) == want
    # the unscaled minors leave double precision on every case: the rescaling is exercised
    p0, p1 = 1.0, diag[0] - sig[2]
    with np.errstate(all="ignore"):
        for i in range(1, n):
            p0, p1 = p1, np.float64(diag[i] - sig[2]) * p1 - off2[i - 1] * p0
    assert not (np.isfinite(p1) and abs(p1) > 1e-300)


def test_sum_rule_on_every_realization():
    """sum_x C_ij(x) dx = (int_R p)(int p): delta_ij (full box) / 0 for i != j (margin)."""
    pots = realizations(Model("white", 0.1, 0.0), DX, 1500, 6, 11)
    worst = 0.0
    for pot in pots:
        e, psi = eig.eigenpairs(pot, DX, M, 0.8, 1.2)
        ii, jj = np.triu_indices(e.size)  # includes i == j
        for origin in (None, pr.interior_slice(pot.size, DX, 30.0)):
            c = pr.pair_correlation(psi[ii], psi[jj], DX, origin)
            total = c.sum(axis=1) * DX
            if origin is None:
                expect = (ii == jj).astype(float)
            else:
                expect = np.where(ii == jj, np.sum(psi[ii, origin] ** 2, axis=1) * DX, 0.0)
            worst = max(worst, float(np.max(np.abs(total - expect))))
    assert worst < 1e-10, worst


def test_pair_correlation_against_lag_sums():
    pot = _small_system()
    e, psi = eig.eigenpairs(pot, DX, M, 0.5, 1.5)
    origin = pr.interior_slice(pot.size, DX, 2.0)
    c = pr.pair_correlation(psi[0], psi[1], DX, origin, max_lag=50)
    ref = [
        _lag_products(psi[[0, 1]], origin.start, origin.stop, s)[0, 1] * DX for s in range(-50, 51)
    ]
    np.testing.assert_allclose(c, ref, atol=1e-12)


@pytest.mark.parametrize("eps_f", [0.7, 1.0, 1.37, 2.05])
def test_estimator_equals_brute_force_double_sum(eps_f):
    """Windowed estimator == double loop over ALL dense eigenpairs (no pair lost/doubled)."""
    pot = _small_system()
    e_d, psi_d = _dense(pot)
    de, om_edges = 0.6, np.geomspace(0.05, 1.5, 6)
    x_edges = np.arange(0.0, 12.01, 1.0)
    margin, x_cut = 2.0, 1.5
    temps = np.array([0.02, 0.05, 0.1])
    origin = pr.interior_slice(pot.size, DX, margin)
    # window_T large enough that every eigenpair of the box is included for n_T
    est = pr.realization_estimate(
        pot, DX, M, eps_f, de, om_edges, x_edges, margin, x_cut, temps, window_t=3000.0
    )
    ref = _brute_s(e_d, psi_d, eps_f, de, om_edges, x_edges, origin.start, origin.stop)
    assert np.abs(ref).max() > 0
    np.testing.assert_allclose(est["S"], ref, rtol=1e-9, atol=1e-12 * np.abs(ref).max())
    nt_ref, abs_sum = _brute_nt(e_d, psi_d, eps_f, temps, x_cut, origin.start, origin.stop)
    np.testing.assert_allclose(est["n_T"], nt_ref, rtol=1e-8, atol=1e-14)
    # the default window (8 max T) loses at most exp(-W/T) per dropped pair
    est8 = pr.realization_estimate(
        pot, DX, M, eps_f, de, om_edges, x_edges, margin, x_cut, temps, window_t=8.0
    )
    np.testing.assert_allclose(est8["S"], est["S"], rtol=1e-9, atol=1e-12 * np.abs(ref).max())
    bound = np.exp(-8.0 * temps.max() / temps) * abs_sum
    assert np.all(np.abs(est8["n_T"] - nt_ref) <= bound + 1e-16)


def test_spectral_pairs_edges_once_per_role():
    """Half-open bins, each unordered pair once, multiplicity = number of roles."""
    e = np.array([0.5, 0.9, 1.0, 1.05, 1.1, 1.2, 1.3, 1.5])
    eps, de = 1.0, 0.2
    edges = np.array([0.05, 0.1, 0.2, 0.3, 0.4])
    ii, jj, b, mult = pr.spectral_pairs(e, eps, de, edges)
    assert np.all(ii < jj)
    assert len(set(zip(ii.tolist(), jj.tolist(), strict=True))) == ii.size
    counts = np.zeros(edges.size - 1)
    np.add.at(counts, b, mult)
    brute = np.zeros(edges.size - 1)
    for i in range(e.size):
        if not (eps - de / 2 <= e[i] < eps + de / 2):
            continue
        for j in range(e.size):
            om = abs(e[j] - e[i])
            if j != i and edges[0] <= om < edges[-1]:
                brute[np.searchsorted(edges, om, side="right") - 1] += 1
    np.testing.assert_array_equal(counts, brute)
    lo, hi, _ = pr.window_for(eps, de, edges[-1], 0.01, 8.0)
    assert lo < eps - de / 2 - edges[-1] and hi > eps + de / 2 + edges[-1]


def test_margin_excludes_pairs_near_walls():
    """States living within the margin of a wall contribute nothing through their origins."""
    n = 400
    x = np.arange(n) * DX
    a = np.exp(-((x - 0.8) ** 2)) * np.sin(3 * x)
    b = np.exp(-((x - 1.0) ** 2))
    a /= np.sqrt(np.sum(a * a) * DX)
    b /= np.sqrt(np.sum(b * b) * DX)
    origin = pr.interior_slice(n, DX, 8.0)
    c_in = pr.pair_correlation(a, b, DX, origin)
    c_full = pr.pair_correlation(a, b, DX)
    assert np.abs(c_full).max() > 1e-3
    assert np.abs(c_in).max() < 1e-12
    # the origin length: L - 2a up to |x| = a, then L - a - |x|
    ly = pr.origin_length(n, DX, origin, np.array([0, 80, 100, 300]))
    np.testing.assert_allclose(ly, [24.0, 24.0, 22.0, 2.0])


def _model_ds(w, box, n_real, temps_dc, settings, seed=11):
    xi = float(theory.xi_born(1.0, "white", M, w, 0.0))
    rho = float(theory.clean_dos(1.0, M))
    dc = 1.0 / (rho * xi)
    pot = realizations(Model("white", w, 0.0), DX, int(round(box / DX)), n_real, seed)
    # few realizations: every n_T counts as resolved unless the test sets rel_error_max
    settings = {"rel_error_max": 1e9, **settings}
    return sp.spectral_dataset(
        pot, DX, M, 1.0, xi, rho, np.asarray(temps_dc) * dc, settings, log=lambda s: None
    )


def test_dataset_contract():
    ds = _model_ds(0.4, 60.0, 4, [0.01, 0.05], {"omega_num": 4, "energy_bin": 0.2})
    for name in ("S", "S_stderr", "S_eq5"):
        assert ds[name].dims == ("omega", "x")
    for name in ("n_T", "n_T_stderr", "n_T_eq6", "n_T_truncation"):
        assert ds[name].dims == ("T",)
    for name, var in list(ds.data_vars.items()) + list(ds.coords.items()):
        assert "long_name" in var.attrs, name
        assert "units" in var.attrs or var.dtype.kind in "OSU", name  # text labels: no units
    assert float(ds["sum_rule_residual"]) < 1e-10
    assert np.all(ds["n_T"] > 0)
    # a NaN Mott slope is explained by its fit-point count, never silent
    assert bool(np.isnan(ds["mott_slope"])) == (int(ds["mott_fit_points"]) < 2)


def test_result_independent_of_worker_processes():
    """Realizations (input and generated passes) over 2 processes: bit-identical to serial."""
    w, box = 0.4, 60.0
    xi = float(theory.xi_born(1.0, "white", M, w, 0.0))
    rho = float(theory.clean_dos(1.0, M))
    model = Model("white", w, 0.0)
    pot = realizations(model, DX, int(round(box / DX)), 4, 5)
    st = {
        "omega_num": 4,
        "energy_bin": 0.2,
        "rel_error_max": 1e9,
        "mott": {"box_length": 12.0, "blocks": 1},
        "bands": [{"T_max": 0.02, "box_length": 12.0, "blocks": 2}],
    }
    dc = 1.0 / (rho * xi)
    args = (pot, DX, M, 1.0, xi, rho, np.array([0.01, 0.05, 0.3]) * dc, st)
    kw = {"log": lambda s: None, "model": model, "seed": 5}
    serial = sp.spectral_dataset(*args, workers=1, **kw)
    pooled = sp.spectral_dataset(*args, workers=2, **kw)
    assert list(serial["pass"].values) == ["main", "band1", "mott"]
    for name in serial.data_vars:
        a, b = serial[name].values, pooled[name].values
        assert np.array_equal(a.view(f"u{a.itemsize}"), b.view(f"u{b.itemsize}")), name


@pytest.mark.slow
def test_box_length_independence_with_margin():
    """With the margin, n_T and the central S do not depend on the box length (3.5 s.e.)."""
    st = {"omega_num": 3, "omega_min": 0.05, "omega_max": 0.5, "energy_bin": 0.3}
    t = [0.01, 0.03, 0.1]
    a = _model_ds(0.4, 100.0, 48, t, st, seed=21)
    b = _model_ds(0.4, 200.0, 24, t, st, seed=22)
    z = (a["n_T"] - b["n_T"]) / np.hypot(a["n_T_stderr"], b["n_T_stderr"])
    assert np.all(np.abs(z) < 3.5), z.values
    near = a["x"].values[a["x_abs"].values < 30]  # dimensionless |x|/xi_c, shared grid
    sa, sb = a["S"].sel(x=near), b["S"].sel(x=near)
    se = np.hypot(a["S_stderr"].sel(x=near), b["S_stderr"].sel(x=near))
    assert float(np.abs((sa - sb) / se).max()) < 4.5


@pytest.mark.slow
def test_thermal_density_quadratic_at_low_temperature():
    """n_T ~ T^p with p within 3 s.e. of 2 (Eq. 6) at T/Delta_c in [0.002, 0.05].

    Strong-ish disorder (w = 0.4: xi_c = 5, k_F xi_c = 7) so that l_M(T)
    fits many times in the box.  The fitted exponent and the Eq. (6) ratio
    are printed (pytest -s).
    """
    temps = np.geomspace(0.002, 0.05, 8)
    st = {"omega_num": 3, "energy_bin": 0.1, "fit_T_max": 0.05}
    ds = _model_ds(0.4, 300.0, 32, temps, st)
    p, se = float(ds["T_exponent"]), float(ds["T_exponent_stderr"])
    print(
        f"T exponent {p:.3f} +- {se:.3f}; Eq. (6) ratio {float(ds['eq6_ratio']):.3f} "
        f"+- {float(ds['eq6_ratio_stderr']):.3f}"
    )
    assert se < 0.5
    assert abs(p - 2.0) < 3 * se


def test_mott_peak_moves_outward():
    """The negative peak of S_omega(x) moves to larger |x| as omega decreases (Eq. 5, 7).

    The slope of l_peak against ln(Delta_c/omega) is printed; only the
    monotonic outward motion is asserted (Eq. 7's 2 xi_c holds asymptotically).
    """
    # omega_max 0.15: above it the measured peak lies within x_cut + 2 bins (l_peak NaN)
    st = {"omega_min": 0.003, "omega_max": 0.15, "omega_num": 6, "energy_bin": 0.25}
    ds = _model_ds(0.4, 200.0, 24, [0.01], st)
    lp, se = ds["l_peak"].values, ds["l_peak_stderr"].values
    print(
        "l_peak",
        np.round(lp, 1),
        "+-",
        np.round(se, 1),
        f"slope/(2 xi_c) = {float(ds['mott_slope_ratio']):.3f} "
        f"+- {float(ds['mott_slope_ratio_stderr']):.3f}",
    )
    assert np.all(np.isfinite(lp)) and np.all(se > 0)
    assert lp[0] - lp[-1] > 3 * np.hypot(se[0], se[-1])
    assert float(ds["mott_slope"]) > 3 * float(ds["mott_slope_stderr"])


def test_cold_parameters_read_at_the_fermi_energy():
    """xi_c, rho_c for the spectral stage: the grid value at eps_F, flagged, else an error."""
    import xarray as xr

    from hotcold.localization import cold_parameters

    e = np.geomspace(0.25, 4.0, 5)  # contains 1.0 (as the workflow guarantees)
    loc = xr.Dataset(
        {
            "xi": ("energy", 20.0 * e),
            "xi_stderr": ("energy", 0.01 * 20.0 * e),
            "xi_source": ("energy", np.zeros(e.size, dtype=np.int8)),
            "dos": ("energy", theory.clean_dos(e, M) * 1.01),
            "dos_stderr": ("energy", np.full(e.size, 1e-3)),
            "dos_clean": ("energy", theory.clean_dos(e, M)),
        },
        coords={"energy": e},
    )
    c = cold_parameters(loc, 1.0)
    assert c["xi_c"] == pytest.approx(20.0, rel=1e-12)
    assert c["xi_c_stderr"] == pytest.approx(0.2, rel=1e-12)
    assert c["rho_c"] == pytest.approx(1.01 * float(theory.clean_dos(1.0, M)), rel=1e-12)
    assert c["xi_c_source"] == "measured"
    # a Born value carries no statistical error; a missing DOS falls back to the clean one
    loc["xi_source"][:] = 1
    loc["dos"][:] = np.nan
    c = cold_parameters(loc, 1.0)
    assert (c["xi_c_source"], c["xi_c_stderr"], c["rho_c_stderr"]) == ("born", 0.0, 0.0)
    assert c["rho_c"] == pytest.approx(float(theory.clean_dos(1.0, M)), rel=1e-12)
    with pytest.raises(ValueError, match="not on the localization grid"):
        cold_parameters(loc, 1.3)


def test_models_merge_and_plots():
    """Per-model datasets share their (dimensionless) omega/x grids; plots accept both forms."""
    import matplotlib.pyplot as plt

    from hotcold.datasets import merge_models
    from hotcold.plots.spectral import (
        plot_asymptotics,
        plot_mott_peak,
        plot_spectral,
        plot_thermal_density,
    )

    st = {"omega_num": 4, "energy_bin": 0.3, "omega_min": 0.05}
    a = _model_ds(0.4, 80.0, 4, [0.01, 0.05], st, seed=1)
    b = _model_ds(0.3, 80.0, 4, [0.01, 0.05], st, seed=2)
    merged = merge_models({("white", 0.0): a, ("exponential", 0.5): b}, ["exponential"], [0, 0.5])
    assert merged.sizes["omega"] == 4
    assert merged["S"].dims[:2] == ("family", "d")
    for f in (plot_spectral, plot_mott_peak, plot_thermal_density, plot_asymptotics):
        for data in (a, merged):
            fig = f(data)
            assert isinstance(fig, plt.Figure)
            plt.close(fig)


def test_variable_table_matches_dataset_and_contract():
    """SPECTRAL_VARIABLES declares every variable with its dims; docs/physics.md §2's are
    in it."""
    from conftest import assert_self_describing

    ds = _model_ds(0.4, 60.0, 3, [0.01, 0.05], {"omega_num": 3, "energy_bin": 0.2})
    assert set(ds.variables) == set(sp.SPECTRAL_VARIABLES)
    assert_self_describing(ds)
    contract = {"S": ("omega", "x"), "S_eq5": ("omega", "x"), "n_T": ("T",), "n_T_eq6": ("T",)}
    assert {name: ds[name].dims for name in contract} == contract  # docs/physics.md §2
    for name in ("S", "S_eq5", "n_T", "n_T_eq6"):  # docs/physics.md §2: results/spectral.nc
        assert sp.SPECTRAL_VARIABLES[name].units and sp.SPECTRAL_VARIABLES[name].long_name
    assert ds["l_peak"].attrs["units"] == "length"


@pytest.mark.parametrize(
    ("n", "ns", "margin_sites", "k"),
    [(300, 45, 60, 20), (300, 70, 5, 40), (257, 33, 100, 150)],  # margin > k, < k, cut > box/2
)
def test_thermal_pair_integrals_equal_direct_double_sum(n, ns, margin_sites, k):
    """Tiled running-window J_ij against sum_{y in R} sum_{|y'-y| <= k, y' in box} p p' dx^2.

    Pairs as thermal_pairs makes them (j < i, contiguous j per i) plus a scattered
    set; the direct double sum is an independent O(N k) evaluation.
    """
    rng = np.random.default_rng(n + ns + k)
    psi = rng.normal(size=(ns, n))
    dx = 0.3
    origin = slice(margin_sites, n - margin_sites)
    e = np.sort(rng.uniform(0.0, 1.0, ns))
    ii, jj = pr.thermal_pairs(e, 0.1, 0.9, 0.3)
    extra_i = rng.integers(1, ns, 40)
    extra_j = rng.integers(0, ns, 40) % extra_i
    ii, jj = np.r_[ii, extra_i], np.r_[jj, extra_j]
    got = pr.thermal_pair_integrals(psi, ii, jj, dx, origin, k * dx)
    p = psi[ii] * psi[jj]
    y = np.arange(n)
    near = np.abs(y[:, None] - y[None, :]) <= k
    want = np.einsum("py,yz,pz->p", p[:, origin], near[origin], p) * dx * dx
    assert got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=1e-11, atol=1e-11 * np.abs(want).max())
