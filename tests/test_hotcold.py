"""Tests of the hot-cold stage (issue 5; docs/physics.md §1.4): eta_hc, eps_th(T), n_h, ln sigma,
1D and 2D."""

from __future__ import annotations

import copy

import numpy as np
import pytest
import xarray as xr
from conftest import default_config, models_only

from hotcold import theory
from hotcold.datasets import NO_MODEL_FLAG, missing_attrs, select_model, write_netcdf
from hotcold.hotcold import (
    THRESHOLD_STATUS,
    WINDOW_STATUS,
    hotcold_dataset,
)

QUIET = {"log": lambda msg: None}
FAMS = ("lorentzian", "exponential", "gaussian")


def st(name: str) -> int:
    return THRESHOLD_STATUS.index(name)


def cfg_1d(tmin=1e-9, tmax=1e-2, num=36, **kw) -> dict:
    cfg = copy.deepcopy(default_config())
    cfg["dimensions"] = [1]
    cfg["temperatures"] = {"min": tmin, "max": tmax, "num": num, "spacing": "log"}
    cfg["xi_max"] = [1e5, 1e6, 1e7, 1e8]
    cfg.update(kw)
    return cfg


def cfg_2d(w2=2.0) -> dict:
    """2D white noise with Delta_c ~ 0.5, so that T << Delta_c is reachable."""
    cfg = copy.deepcopy(default_config())
    cfg["dimensions"] = [2]
    cfg["disorder"].update(w2=w2, families=["lorentzian", "exponential"], d=[0.0, 0.25])
    cfg["xi_max"] = [1e2, 1e3]
    return cfg


WIDE = {"energy_max": 1e10, "energy_num": 800}


@pytest.fixture(scope="module")
def ds1():
    return hotcold_dataset(cfg_1d(), settings=WIDE, **QUIET)


@pytest.fixture(scope="module")
def ds2():
    cfg = cfg_2d()
    ds = hotcold_dataset(cfg, settings={"energy_max": 1e4, "energy_num": 600}, **QUIET)
    return ds, cfg


def born_localization(
    config: dict,
    factor: float = 1.0,
    born_nodes: tuple[int, ...] = (),
    white_name: bool = False,
    nodes: int = 22,
) -> xr.Dataset:
    """Synthetic merged localization dataset over (family, d, energy) from theory.xi_born.

    ``factor`` multiplies the 'measured' xi (perturbed measurement);
    ``born_nodes`` are node indices flagged xi_source = born.  The d = 0 row
    is white noise under every family, or (``white_name``) a family 'white'.
    """
    m, w = config["m"], config["disorder"]["w"]
    e = np.unique(np.append(np.geomspace(0.25, 32.0, nodes), config["fermi_energy"]))
    fams = list(FAMS) + (["white"] if white_name else [])
    dvals = sorted(config["disorder"]["d"])
    xi = np.empty((len(fams), len(dvals), len(e)))
    for i, f in enumerate(fams):
        for j, d in enumerate(dvals):
            xi[i, j] = theory.xi_born(e, "white" if d == 0 else f, m, w, d) * factor
    src = np.zeros(xi.shape, dtype=np.int8)
    src[..., list(born_nodes)] = 1
    dos = np.broadcast_to(theory.clean_dos(e, m), xi.shape).copy()
    if white_name:
        xi[:-1, 0] = np.nan  # d = 0 only under 'white'
    # jackknife replicas (docs/physics.md §2.1) equal to the value: an error-free synthetic input
    jk = ("family", "d", "replica_loc", "energy")
    return xr.Dataset(
        {
            "xi": (("family", "d", "energy"), xi),
            "xi_source": (("family", "d", "energy"), src),
            "dos": (("family", "d", "energy"), dos),
            "xi_jackknife": (jk, np.repeat(xi[:, :, None], 4, axis=2)),
            "dos_jackknife": (jk, np.repeat(dos[:, :, None], 4, axis=2)),
        },
        coords={"family": fams, "d": dvals, "energy": e},
    )


# ---------------------------------------------------------------------------
# composition vs closed forms
# ---------------------------------------------------------------------------


def test_composition_over_eq13_is_4pi2_over_3(ds1):
    fin = np.isfinite(ds1.eta_hc.values) & np.isfinite(ds1.eta_hc_closed_form.values)
    # coverage of every family's row over d (d = 0: white noise), as before white noise had
    # its own family entry; inf: overflow of exp(2 k d) etc. at eps ~ 1e10
    both = np.isfinite(ds1.eta_hc) & np.isfinite(ds1.eta_hc_closed_form)
    rows = [select_model(both, f, d).values for f in FAMS for d in ds1.d.values]
    assert np.mean(rows) > 0.75
    r = (ds1.eta_hc / ds1.eta_hc_closed_form).values[fin]
    assert np.allclose(r, 4 * np.pi**2 / 3, rtol=1e-10)
    assert float(ds1.composition_factor.sel(dim=1)) == pytest.approx(4 * np.pi**2 / 3)
    # and the closed form itself against theory.eta_hc_closed_form (independent path)
    s = ds1.sel(dim=1, family="lorentzian", d=0.25)
    alpha = s.rho_h * abs(default_config()["interaction"]["u"])
    dh = 1 / (s.rho_h * s.xi_h)
    with np.errstate(divide="ignore"):  # xi_h = inf (overflow) at the top of the grid
        ref = theory.eta_hc_closed_form(
            alpha.values[None], float(s.Delta_c), dh.values[None], s.T.values[:, None], 1
        )
    fin = np.isfinite(ref) & np.isfinite(s.eta_hc_closed_form.values)
    assert fin.mean() > 0.5
    assert np.allclose(s.eta_hc_closed_form.values[fin], ref[fin], rtol=1e-10)


def test_composition_over_eq26_is_4(ds2):
    ds, _ = ds2
    good = ds.regime.sel(dim=2) & 1 == 0
    r = (ds.eta_hc / ds.eta_hc_closed_form).sel(dim=2).where(good)
    r = r.values[np.isfinite(r.values)]
    assert r.size > 1000
    assert np.allclose(r, 4.0, rtol=1e-10)


def test_eq27_white_noise_2d(ds2):
    ds, cfg = ds2
    s = ds.sel(dim=2, family="white", d=0.0)
    tau = 1 / (cfg["m"] * cfg["disorder"]["w2"])
    e, ef = s.energy.values, cfg["fermi_energy"]
    ln_ratio = 2 * (s.ln_xi_h.values - np.log(float(s.xi_c)))  # ln(Delta_c/Delta_h), rho const
    assert np.allclose(
        ln_ratio, np.log(e / ef) + 2 * np.pi * (e - ef) * tau, rtol=1e-10, atol=1e-10
    )


def test_transport_rate_2d_quadrature_matches_closed_forms():
    e = np.geomspace(1e-3, 1e8, 12)
    for fam in ("exponential", "gaussian"):
        a = theory.transport_rate_2d(e, fam, 1.0, 0.05, 0.5)
        b = theory.transport_rate_2d(e, fam, 1.0, 0.05, 0.5, method="quadrature")
        assert np.allclose(a, b, rtol=1e-8)
    assert np.allclose(theory.transport_rate_2d(e, "white", 2.0, 0.05, 0.0), 0.1)  # Eq. (21)
    lor = theory.transport_rate_2d(e, "lorentzian", 1.0, 0.05, 0.5)
    assert lor[0] == pytest.approx(0.05, rel=0.05) and np.all(np.diff(lor) < 0)


# ---------------------------------------------------------------------------
# thresholds vs the asymptotes
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("fam", FAMS)
def test_born_threshold_equals_composition_exact_forms(ds1, fam):
    s = ds1.sel(dim=1, family=fam).sel(d=[0.25, 0.5])
    found = s.eps_th_status == st("found")
    assert int(found.sum()) >= (15 if fam == "exponential" else 60)  # else beyond the grid
    r = s.ratio_comp_born.where(found).values
    r = r[np.isfinite(r)]
    assert np.max(np.abs(r - 1)) < 1e-6


def test_lorentzian_slope_vs_ln2_chi_tends_to_one(ds1):
    s = ds1.sel(dim=1, family="lorentzian", d=0.25)
    t = ds1.T.values
    y, x = (s.eps_th / s.eps0).values, np.log(s.chi.values) ** 2
    slopes = []
    for sel in (t <= t.min() * 10, t >= t.max() / 10):
        p, cov = np.polyfit(x[sel], y[sel], 1, cov=True)
        slopes.append((p[0], np.sqrt(cov[0, 0])))
    (lo, lo_err), (hi, _) = slopes
    print(
        f"lorentzian eps_th/eps0 vs ln^2 chi: slope {lo:.5f} +- {lo_err:.1e} "
        f"(lowest decade), {hi:.4f} (highest)"
    )
    assert abs(lo - 1) < 0.01 and abs(lo - 1) < abs(hi - 1)
    # Eq. (14) ratio approaches 1 slowly (like 1/ln chi)
    r = s.ratio_eq14.values
    assert abs(r[0] - 1) < abs(r[-1] - 1)


def test_exponential_threshold_proportional_to_chi():
    ds = hotcold_dataset(cfg_1d(tmin=1e-3, tmax=1e-2, num=12), settings=WIDE, **QUIET)
    s = ds.sel(dim=1, family="exponential", d=0.25)
    assert np.all(s.eps_th_status.values == st("found"))
    p = np.polyfit(np.log(s.chi.values), np.log(s.eps_th.values), 1)
    assert p[0] == pytest.approx(1.0, abs=2e-3)
    # Eq. (15) holds up to the factor 3/4 of the composition (eta_c = 1)
    assert np.allclose(s.ratio_eq15.values, 0.75, rtol=1e-3)


def test_2d_threshold_slope_tends_to_eq28(ds2):
    _, cfg = ds2
    cfg = copy.deepcopy(cfg)
    cfg["disorder"].update(families=["lorentzian"], d=[0.0])
    cfg["xi_max"] = []
    dc = 2 * np.pi / np.exp(2 * float(theory.ln_xi_2d(1.0, "white", 1.0, 2.0, 0.0)))
    lns = np.linspace(10, 70, 31)  # ln(Delta_c/T)
    cfg["temperatures_2d"] = list(np.exp(-lns))  # in units of the model's Delta_c
    ds = hotcold_dataset(cfg, settings={"energy_max": 1e4, "energy_num": 2000}, **QUIET)
    s = ds.sel(dim=2, family="white", d=0.0)
    s = s.isel(T=np.flatnonzero(s.T_on_grid.values))
    assert float(s.Delta_c) == pytest.approx(dc, rel=1e-12)
    assert np.allclose(np.log(float(s.Delta_c) / s.T.values), lns[::-1], rtol=0, atol=1e-9)
    assert np.all(s.eps_th_status.values == st("found"))
    e = s.eps_th.values[::-1]  # ascending ln(Delta_c/T)
    local = np.diff(e) / np.diff(lns)
    target = 3 / (2 * np.pi * float(s.tau_c))
    dev = np.abs(local / target - 1)
    print(
        f"2D local slope / (3/(2 pi tau)): {local[0] / target:.4f} (L=10) "
        f"-> {local[-1] / target:.4f} (L=70)"
    )
    assert dev[-1] < 0.03 and np.all(np.diff(dev) < 0)


def test_white_noise_1d_is_marginal_with_the_analytic_limit(ds1):
    cfg = cfg_1d()
    m, ef, w, u = cfg["m"], cfg["fermi_energy"], cfg["disorder"]["w"], cfg["interaction"]["u"]
    kf = np.sqrt(2 * m * ef)
    dc = np.pi * kf * w / (2 * ef)  # 1/(rho_c xi_c), rho_c = m/(pi k_F), xi_c = 2 eps_F/(m w)
    t = ds1.T.values
    lim = 4 / 3 * u * t**3 * np.log(dc / t) / (w * dc**2)
    s = ds1.sel(dim=1, family="white", d=0.0)  # white noise: one model
    assert np.all(s.eps_th_status.values == st("marginal"))
    assert np.all(np.isnan(s.eps_th.values)) and np.all(s.ln_sigma.values == -np.inf)
    assert np.allclose(s.eta_hc_limit.values, lim, rtol=1e-10)
    # Born xi: eta_hc does not depend on eps
    assert np.allclose(s.eta_hc.values, lim[:, None], rtol=1e-9)
    # a strong interaction lifts the constant above eta_c: threshold at the bottom of the grid
    strong = cfg_1d(tmin=0.02, tmax=0.05, num=3)
    strong["interaction"]["u"] = 1e3
    s = hotcold_dataset(strong, **QUIET).sel(dim=1, family="white", d=0.0)
    assert np.all(s.eta_hc_limit.values > 1)
    assert np.all(s.eps_th_status.values == st("below_grid"))


def test_super_arrhenius(ds1):
    for fam in FAMS:
        for d in (0.25, 0.5):
            s = ds1.sel(dim=1, family=fam, d=d)
            s = s.isel(T=np.flatnonzero(s.eps_th_status.values == st("found")))
            assert s.sizes["T"] >= 8
            inv_t = 1 / s.T.values[::-1]  # ascending 1/T
            mls = -s.ln_sigma.values[::-1]
            slope = np.diff(mls) / np.diff(inv_t)
            assert np.all(np.diff(slope) > 0), (fam, d)
            assert np.allclose(s.ln_sigma.values, -(s.eps_th.values - 1.0) / s.T.values)
            nh = s.T.values / (np.pi * np.sqrt(2 * s.eps_th.values)) * np.exp(s.ln_sigma.values)
            assert np.allclose(s.n_h.values, nh, rtol=1e-12)


# ---------------------------------------------------------------------------
# bounded xi (Fig. 2)
# ---------------------------------------------------------------------------


def test_bounded_xi_true_transition(ds1):
    cfg = cfg_1d(tmin=1e-3, tmax=0.05, num=40)
    ds = hotcold_dataset(cfg, settings=WIDE, **QUIET)
    for fam in FAMS:
        s = ds.sel(dim=1, family=fam, d=0.25)
        tc = s.T_c.values
        ok = s.T_c_status.values == 0
        assert ok.sum() >= 3
        assert np.all(np.diff(tc[ok]) < 0), (fam, tc)
        for x in np.flatnonzero(ok):
            b = s.isel(xi_max=x)
            below, above = b.T.values < tc[x], b.T.values > tc[x]
            assert np.all(b.window_status.values[below] == WINDOW_STATUS.index("none"))
            assert np.all(b.ln_sigma_bounded.values[below] == -np.inf)
            assert np.all(b.window_status.values[above] == WINDOW_STATUS.index("closed"))
            assert np.all(np.isfinite(b.ln_sigma_bounded.values[above]))
            # the window brackets the cap energy where eta_hc peaks
            ecap = float(b.eps_cap)
            assert np.all(b.eps_lo.values[above] <= ecap) and np.all(b.eps_hi.values[above] >= ecap)
    # roughly xi_max^(-1/3) for lorentzian
    tc = ds.sel(dim=1, family="lorentzian", d=0.25).T_c.values
    ok = np.isfinite(tc)
    p = np.polyfit(np.log(ds.xi_max.values[ok]), np.log(tc[ok]), 1)
    assert -0.4 < p[0] < -0.28


# ---------------------------------------------------------------------------
# measured inputs, numerical n_T, flags
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("white_name", [False, True])
def test_measured_equal_to_born_reproduces_born(white_name):
    cfg = cfg_1d(tmin=1e-4, tmax=1e-2, num=6)
    loc = born_localization(cfg, white_name=white_name, nodes=80)
    ds = hotcold_dataset(cfg, localization=loc, settings=WIDE, **QUIET)
    ref = hotcold_dataset(cfg, settings=WIDE, **QUIET)
    e = ds.energy.values
    inside = e < 32
    src = models_only(ds).xi_source.sel(dim=1).transpose("model", "energy").values
    assert np.all(src[..., inside] == 0) and np.all(src[..., ~inside] == 1)
    assert np.all(models_only(ds).xi_c_source.values == 0)
    eta, eta_ref = (models_only(x).eta_hc.transpose(..., "energy").values for x in (ds, ref))
    assert np.allclose(eta[..., ~inside], eta_ref[..., ~inside], rtol=1e-12)
    # log-log interpolation of the (convex) Born xi between nodes: a few per cent at most
    assert np.allclose(eta[..., inside], eta_ref[..., inside], rtol=5e-2)
    assert np.allclose(ds.eps_th.values, ref.eps_th.values, rtol=1e-2, equal_nan=True)
    assert np.array_equal(ds.eps_th_status.values, ref.eps_th_status.values)


def test_perturbed_measured_xi_is_used_and_flagged():
    cfg = cfg_1d(tmin=1e-4, tmax=1e-2, num=6)
    loc = born_localization(cfg, factor=1.3, born_nodes=(20, 21))  # top nodes flagged born
    ds = hotcold_dataset(cfg, localization=loc, settings=WIDE, **QUIET)
    s = ds.sel(dim=1, family="exponential", d=0.25)
    e = ds.energy.values
    e20 = loc.energy.values[19]  # last node whose right neighbour is still measured
    meas = s.xi_source.values == 0
    assert np.all(meas[e < e20]) and not np.any(meas[e > e20])
    born = theory.xi_born(e, "exponential", 1.0, 0.1, 0.25)
    assert np.allclose(s.xi_h.values[e < e20] / born[e < e20], 1.3, rtol=2e-2)
    assert np.allclose(s.xi_h.values[e > 32] / born[e > 32], 1.0, rtol=1e-12)
    assert float(s.xi_c) == pytest.approx(
        1.3 * float(theory.xi_born(1.0, "exponential", 1.0, 0.1, 0.25))
    )
    # the all-Born variant is unchanged, eta_hc differs
    assert not np.allclose(s.eta_hc.values, s.eta_hc_born.values)
    ref = hotcold_dataset(cfg, settings=WIDE, **QUIET).sel(dim=1, family="exponential", d=0.25)
    assert np.allclose(s.eta_hc_born.values, ref.eta_hc.values, rtol=1e-12)


def _spectral(cfg: dict, tt: np.ndarray, factor: float = 2.0) -> xr.Dataset:
    """Synthetic spectral dataset: n_T = factor x Eq. (6) on the grid tt, error-free replicas."""
    fams, dvals = list(FAMS), sorted(cfg["disorder"]["d"])
    ref = hotcold_dataset(cfg, **QUIET)
    nt = np.empty((len(fams), len(dvals), len(tt)))
    for i, f in enumerate(fams):
        for j, d in enumerate(dvals):
            s = select_model(ref.sel(dim=1), f, d)  # d = 0: white noise in every row
            nt[i, j] = factor * theory.thermal_density_eq6(tt, float(s.xi_c), float(s.rho_c))
    return xr.Dataset(
        {
            "n_T": (("family", "d", "T"), nt),
            "n_T_jackknife": (
                ("family", "d", "replica_spec", "T"),
                np.repeat(nt[:, :, None], 3, 2),
            ),
        },
        coords={"family": fams, "d": dvals, "T": tt},
    )


def test_numerical_n_t_at_every_temperature_no_splice():
    """Issue 9 item 1: the numerical n_T at every T (interpolated log-log between the spectral
    grid points), never Eq. (6); a temperature beyond the spectral range is an error."""
    cfg = cfg_1d(tmin=1e-3, tmax=1e-1, num=9)
    ref = hotcold_dataset(cfg, **QUIET)
    spec = _spectral(cfg, np.geomspace(0.0008, 0.12, 5))
    ds = hotcold_dataset(cfg, spectral=spec, **QUIET)
    assert np.all(models_only(ds).n_T_source.sel(dim=1).values == 1)  # numerical everywhere
    num, den = (models_only(x).eta_hc.sel(dim=1).values for x in (ds, ref))
    with np.errstate(invalid="ignore"):
        r = np.where(np.isfinite(den) & np.isfinite(num), num / den, np.nan)
    assert np.isfinite(r).mean() > 0.5  # NaN: overflow at the top of the grid
    assert np.allclose(r[np.isfinite(r)], 2.0, rtol=1e-10)
    narrow = _spectral(cfg, np.geomspace(0.005, 0.05, 5))
    with pytest.raises(ValueError, match="temperatures"):
        hotcold_dataset(cfg, spectral=narrow, **QUIET)


def test_bad_input_flagged_not_crashing():
    cfg = cfg_1d()
    cfg["temperatures"] = [-0.01, 0.0, 0.01, 0.5]
    msgs: list[str] = []
    ds = hotcold_dataset(cfg, settings=WIDE, log=msgs.append)
    assert any("<= 0" in m for m in msgs) and any("high_T" in m for m in msgs)
    s = models_only(ds.sel(dim=1)).transpose("model", "T", ...)
    bad = s.T.values <= 0
    assert np.all(s.eps_th_status.values[..., bad] == st("invalid_T"))
    assert np.all(s.regime.values[..., bad] & 2)
    assert np.all(s.regime.sel(T=0.5).values & 1)  # T > Delta_c
    assert np.all(s.eps_th_status.sel(T=0.5).values == st("none"))
    with pytest.raises(ValueError, match="eta_c"):
        hotcold_dataset(dict(cfg, eta_c=0.0), **QUIET)
    with pytest.raises(ValueError, match="eta_c"):
        hotcold_dataset(dict(cfg, eta_c=-1.0), **QUIET)
    with pytest.raises(ValueError, match="symmetry"):
        hotcold_dataset(cfg, settings={"symmetry": "symplectic"}, **QUIET)


def test_strong_disorder_flag():
    cfg = cfg_1d(tmin=1e-3, tmax=1e-2, num=3)
    cfg["disorder"]["w"] = 2.0  # k_F xi_c = sqrt(2) * 2/2 ~ 1.4
    ds = hotcold_dataset(cfg, **QUIET)
    assert np.all(ds.regime.sel(dim=1, family="white", d=0.0).values & 4)


def test_no_unexplained_nan(ds1, ds2):
    for ds in (ds1, ds2[0]):
        model = (ds.is_model & ds.T_on_grid).broadcast_like(ds.eps_th).values
        nan = np.isnan(ds.eps_th.values)
        ok_nan = np.isin(
            ds.eps_th_status.values,
            [st(k) for k in ("none", "marginal", "beyond_grid", "invalid_T")],
        )
        assert np.array_equal(nan[model], ok_nan[model])
        on = (ds.is_model & ds.T_on_grid).broadcast_like(ds.eta_hc).values
        assert not np.any(np.isnan(ds.eta_hc.values[on]))
        # the cells that hold no model, or a T off the model's grid, are missing, flags included
        assert nan[~model].all() and (ds.eps_th_status.values[~model] == NO_MODEL_FLAG).all()


def test_unitary_2d_threshold_lower(ds2):
    ds, cfg = ds2
    cfg = dict(cfg, temperatures_2d=None)  # the same T in both classes (Delta_c differs)
    ds = hotcold_dataset(cfg, settings={"energy_max": 1e4, "energy_num": 600}, **QUIET)
    uni = hotcold_dataset(
        cfg, settings={"energy_max": 1e4, "energy_num": 600, "symmetry": "unitary"}, **QUIET
    )
    a = ds.eps_th.sel(dim=2, family="white", d=0.0)
    b = uni.eps_th.sel(dim=2, family="white", d=0.0)
    both = np.isfinite(a) & np.isfinite(b)
    assert int(both.sum()) > 0 and np.all((b <= a).values[both.values])


def test_dataset_attrs_and_netcdf(ds1, tmp_path):
    ds = hotcold_dataset(default_config(), **QUIET)  # default config: both dims, Born inputs
    assert set(ds.dims) == {"dim", "family", "d", "T", "energy", "xi_max"}
    assert missing_attrs(ds) == []
    for name, var in ds.data_vars.items():
        for key in ("units", "long_name", "equation"):
            assert key in var.attrs, (name, key)
    assert float(ds.eta_c) == 1.0
    assert ds.composition_factor.values.tolist() == pytest.approx([4 * np.pi**2 / 3, 4.0])
    write_netcdf(ds, tmp_path / "hotcold.nc")
    back = xr.open_dataset(tmp_path / "hotcold.nc")
    assert back.eta_hc.shape == ds.eta_hc.shape
    back.close()


@pytest.mark.parametrize(
    "temps,dims",
    [([0.5, 1.0], [1, 2]), ([0.02, 0.04, 0.08], [1, 2]), ([0.01], [2]), ([0.0, 0.01], [1])],
    ids=["all-high-T", "tiny-T-grid", "2D-only-one-T", "T-zero"],
)
def test_figures_never_crash_on_sparse_results(temps, dims):
    """Figures render (draw to PNG) even where no point is inside the formulas' regime."""
    import io

    import matplotlib.pyplot as plt

    from hotcold.plots.conductivity import plot_conductivity
    from hotcold.plots.eta_map import plot_eta_map
    from hotcold.plots.fig1 import plot_fig1
    from hotcold.plots.threshold import plot_threshold

    cfg = default_config()
    cfg.update(temperatures=temps, dimensions=dims)
    cfg["hotcold"] = {"energy_num": 64, "tc_scan_num": 32}
    ds = hotcold_dataset(cfg, settings=cfg["hotcold"], log=lambda s: None)
    figs = [plot_eta_map(ds), plot_threshold(ds), plot_conductivity(ds)]
    if 1 in dims:
        loc = xr.Dataset(
            {"xi": (("family", "d", "energy"), np.full((1, 1, 2), 20.0))},
            coords={"family": ["lorentzian"], "d": [0.5], "energy": [1.0, 2.0]},
        )
        loc["xi_stderr"] = loc["xi"] * 0.05
        loc["xi_source"] = loc["xi"] * 0
        figs.append(plot_fig1(ds, loc))
    for fig in figs:
        fig.savefig(io.BytesIO(), format="png")
        plt.close(fig)


def test_variable_table_matches_data_contract():
    """docs/physics.md §2: eta_hc over (dim, family, d, T, energy); eps_th, n_h, ln_sigma,
    asymptotes over
    (dim, family, d, T); the written dataset matches its table exactly."""
    from conftest import assert_self_describing

    from hotcold.hotcold import HOTCOLD_VARIABLES

    five, four = ("dim", "family", "d", "T", "energy"), ("dim", "family", "d", "T")
    assert HOTCOLD_VARIABLES["eta_hc"].dims == five
    for name in ("eps_th", "n_h", "ln_sigma", "eps_th_eq14", "eps_th_eq15", "eps_th_eq28"):
        assert HOTCOLD_VARIABLES[name].dims == four, name
    cfg = default_config()
    cfg["hotcold"] = {"energy_num": 32, "tc_scan_num": 32}
    ds = hotcold_dataset(cfg, settings=cfg["hotcold"], **QUIET)
    assert ds["eta_hc"].dims == five  # the written file, against the contract (not the table)
    for name in ("eps_th", "n_h", "ln_sigma", "eps_th_eq14", "eps_th_eq15", "eps_th_eq28"):
        assert ds[name].dims == four, name
    assert_self_describing(ds)


def test_white_noise_is_one_model(ds1):
    """White noise is computed and stored once, at (white, 0); is_model marks the models."""
    assert list(ds1.family.values) == ["white", *FAMS]
    assert int(ds1.is_model.sel(d=0.0).sum()) == 1
    cells = [
        (str(f), float(d))
        for f in ds1.family.values
        for d in ds1.d.values
        if bool(ds1.is_model.sel(family=f, d=d))
    ]
    assert cells == [("white", 0.0)] + [(f, d) for f in FAMS for d in (0.25, 0.5)]
    assert np.isnan(ds1.eta_hc.sel(family="lorentzian", d=0.0)).all()
    assert np.isnan(ds1.eta_hc.sel(family="white", d=0.25)).all()


def test_2d_temperatures_follow_each_models_delta_c():
    """Item 7 of issue 20: 2D runs on temperatures_2d x Delta_c of each model (here Eq. 20's
    Delta_c = 2 pi/(m xi_c^2), computed independently), 1D on its own grid, unchanged."""
    cfg = default_config()
    sets = {"energy_max": 1e4, "energy_num": 300}
    ds = hotcold_dataset(cfg, settings=sets, **QUIET)
    t2 = np.geomspace(0.005, 1.0, 10)  # the schema's default temperatures_2d
    in_regime, total = 0, 0
    st = models_only(ds)
    for fam, d in zip(st.family.values, st.d.values, strict=True):
        fam, d = str(fam), float(d)
        s = select_model(ds, fam, d).sel(dim=2)
        s = s.isel(T=np.flatnonzero(s.T_on_grid.values))
        xi_c = np.exp(float(theory.ln_xi_2d(1.0, fam, 1.0, 1.5, d)))
        assert np.allclose(s.T.values, t2 * 2 * np.pi / xi_c**2, rtol=1e-12, atol=0)
        assert not np.isnan(s.eta_hc.values).any()  # inf: exp overflow far above threshold
        in_regime += int((s.regime.values == 0).sum())
        total += s.T.size
        one = select_model(ds, fam, d).sel(dim=1)
        assert np.array_equal(one.T.values[one.T_on_grid.values], ds1_temps(cfg))
    assert in_regime / total >= 2 / 3, (in_regime, total)
    # 1D is the same, bit for bit, with and without the 2D grid
    old = hotcold_dataset(dict(cfg, temperatures_2d=None), settings=sets, **QUIET)
    assert old.T.size == 12 and bool((old.T_on_grid | ~old.is_model).all())
    new1 = ds.sel(dim=1).sel(T=old.T.values)
    xr.testing.assert_identical(new1.eta_hc, old.eta_hc.sel(dim=1))
    xr.testing.assert_identical(new1.eps_th, old.eps_th.sel(dim=1))
    # off a model's grid: missing, flags NO_MODEL_FLAG
    off = ~ds.T_on_grid.sel(dim=1, family="white", d=0.0).values
    assert off.sum() == ds.T.size - 12
    assert np.isnan(ds.eps_th.sel(dim=1, family="white", d=0.0).values[off]).all()
    assert (ds.eps_th_status.sel(dim=1, family="white", d=0.0).values[off] == NO_MODEL_FLAG).all()


def ds1_temps(cfg: dict) -> np.ndarray:
    t = cfg["temperatures"]
    return np.geomspace(t["min"], t["max"], t["num"])


def test_2d_temperatures_must_be_positive():
    with pytest.raises(ValueError, match="temperatures_2d"):
        hotcold_dataset(dict(default_config(), temperatures_2d=[0.0, 0.1]), **QUIET)
