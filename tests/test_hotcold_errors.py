"""Error bars of the hot-cold stage (issue 9 item 4; docs/physics.md §2.1): jackknife replicas of
the
measured inputs propagated through the whole composition, and no Eq. (6) splice."""

from __future__ import annotations

import copy

import numpy as np
import pytest
import xarray as xr
from conftest import default_config, models_only

from hotcold import theory
from hotcold.config import expand_grid
from hotcold.hotcold import STDERR, THRESHOLD_STATUS, WINDOW_STATUS, hotcold_dataset

QUIET = {"log": lambda msg: None}
FAMS = ("lorentzian", "exponential", "gaussian")
FOUND = THRESHOLD_STATUS.index("found")


def cfg_1d(tmin: float, tmax: float, num: int, xi_max: list[float] | None = None) -> dict:
    cfg = copy.deepcopy(default_config())
    cfg["dimensions"] = [1]
    cfg["temperatures"] = {"min": tmin, "max": tmax, "num": num, "spacing": "log"}
    cfg["xi_max"] = xi_max or []
    cfg["hotcold"] = {"energy_num": 200, "energy_max": 1e6, "tc_scan_num": 100}
    return cfg


def synthetic_inputs(
    cfg: dict,
    sig_xi: float = 1e-3,
    sig_nt: float = 1e-3,
    g: float = 0.3,
    n_loc: int = 16,
    n_spec: int = 12,
    xi_scale: float = 1.0,
    nt_scale: float = 1.0,
    extrapolated_from: float | None = None,
    seed: int = 7,
) -> tuple[xr.Dataset, xr.Dataset, np.ndarray, np.ndarray]:
    """Localization and spectral datasets in the docs/physics.md §2.1 layout, with known errors.

    xi = Born xi x xi_scale (measured on 0.25 .. 1e5, eps_F included), rho = clean;
    localization replica k multiplies xi at every energy by exp(a_k), a_k ~ sig_xi N(0, 1)
    per model.  n_T = g x nt_scale x Eq. (6) (Born xi_c, whatever xi_scale: the spectral stage
    is an independent measurement) at the configured temperatures; spectral replica
    r multiplies n_T(T) by exp(b_rT), b ~ sig_nt N(0, 1) independent per T.  Returns the two
    datasets and the replica offsets a (family, d, replica_loc), b (family, d, replica_spec, T).
    """
    rng = np.random.default_rng(seed)
    m, w, ef = cfg["m"], cfg["disorder"]["w"], cfg["fermi_energy"]
    e = np.unique(np.append(np.geomspace(0.25, 1e5, 70), ef))
    t = np.asarray(expand_grid(cfg["temperatures"]), dtype=float)
    dvals = sorted(cfg["disorder"]["d"])
    shape = (len(FAMS), len(dvals))
    xi = np.empty((*shape, len(e)))
    nt = np.empty((*shape, len(t)))
    for i, f in enumerate(FAMS):
        for j, d in enumerate(dvals):
            fam = "white" if d == 0 else f
            xi[i, j] = theory.xi_born(e, fam, m, w, d) * xi_scale
            xi_c = float(theory.xi_born(ef, fam, m, w, d))  # n_T: independent of xi_scale
            nt[i, j] = g * nt_scale * theory.thermal_density_eq6(t, xi_c, theory.clean_dos(ef, m))
    dos = np.broadcast_to(theory.clean_dos(e, m), xi.shape).copy()
    a = sig_xi * rng.standard_normal((*shape, n_loc))
    b = sig_nt * rng.standard_normal((*shape, n_spec, len(t)))
    jk = ("family", "d", "replica_loc", "energy")
    loc = xr.Dataset(
        {
            "xi": (("family", "d", "energy"), xi),
            "dos": (("family", "d", "energy"), dos),
            "xi_source": (("family", "d", "energy"), np.zeros(xi.shape, np.int8)),
            "xi_jackknife": (jk, xi[:, :, None, :] * np.exp(a)[..., None]),
            "dos_jackknife": (jk, np.repeat(dos[:, :, None, :], n_loc, axis=2)),
        },
        coords={"family": list(FAMS), "d": dvals, "energy": e},
    )
    src = np.zeros(nt.shape, np.int8)
    if extrapolated_from is not None:
        src[..., t >= extrapolated_from] = 1
    spec = xr.Dataset(
        {
            "n_T": (("family", "d", "T"), nt),
            "n_T_jackknife": (("family", "d", "replica_spec", "T"), nt[:, :, None, :] * np.exp(b)),
            "n_T_source": (("family", "d", "T"), src),
        },
        coords={"family": list(FAMS), "d": dvals, "T": t},
    )
    spec["n_T_source"].attrs.update(
        flag_values=np.array([0, 1], np.int8), flag_meanings="numerical extrapolated"
    )
    return loc, spec, a, b


def jk_sd(x: np.ndarray, axis: int) -> np.ndarray:
    """Plain jackknife standard error of replicas along ``axis`` (independent formula)."""
    n = x.shape[axis]
    dev = x - x.mean(axis=axis, keepdims=True)
    return np.sqrt((n - 1) / n * (dev**2).sum(axis=axis))


@pytest.fixture(scope="module")
def bounded_run():
    cfg = cfg_1d(1e-3, 0.05, 8, xi_max=[1e5, 1e6])
    loc, spec, _, _ = synthetic_inputs(cfg, sig_xi=0.02, sig_nt=0.05, n_loc=8, n_spec=6)
    return hotcold_dataset(cfg, loc, spec, settings=cfg["hotcold"], **QUIET)


def test_every_estimate_has_a_nonzero_error_bar(bounded_run):
    """An error bar missing (NaN where the value is an estimate) or zero fails."""
    ds = bounded_run.sel(dim=1)
    for name in STDERR:
        if name != "eps_th_eta_c":  # only with hotcold.criterion: bethe
            assert f"{name}_stderr" in ds, name
    status = ds.eps_th_status.values
    # a replica's threshold may leave the grid (top 1e6) when the full one is near its top:
    # then the error is unknown (NaN), never 0
    found = (status == FOUND) & (ds.eps_th.values < 1e6 / 3)
    assert found.sum() >= 20
    for name in ("eps_th", "n_h", "ln_sigma"):
        err = ds[f"{name}_stderr"].values
        ok = found & (ds[name].values > 1e-200) if name == "n_h" else found  # n_h underflows
        assert ok.sum() >= 5, name
        assert np.all(np.isfinite(err[ok]) & (err[ok] > 0)), name
        assert np.all(np.isnan(err[status != FOUND])), name  # not an estimate: said so, not 0
    eta, err = ds.eta_hc.values, ds.eta_hc_stderr.values
    fin = np.isfinite(eta) & (eta > 0)
    assert np.all(err[fin & np.isfinite(err)] > 0) and np.isfinite(err[fin]).mean() > 0.9
    assert np.all(models_only(ds).n_T_stderr.values > 0)
    tc_ok = ds.T_c_status.values == 0
    assert tc_ok.sum() >= 3
    assert np.all(ds.T_c_stderr.values[tc_ok] > 0)
    closed = ds.window_status.values == WINDOW_STATUS.index("closed")
    assert closed.sum() >= 10
    for name in ("eps_lo", "eps_hi"):
        err = ds[f"{name}_stderr"].values[closed]
        assert np.all(np.isfinite(err) & (err > 0)), name
    # T_c regime flag: T_c << Delta_c is bit 1 clear; no T_c is bit 2
    reg = ds.T_c_regime.values
    assert np.all((reg[tc_ok] & 2) == 0) and np.all(reg[~np.isfinite(ds.T_c.values)] & 2)
    L = np.log(ds.Delta_c.values[None] / ds.T_c.values)
    assert np.array_equal((reg[tc_ok] & 1) > 0, L[tc_ok] < 1)


def test_2d_closed_forms_error_is_zero_and_says_why():
    """Without the strip stage 2D is the closed forms: no statistical error, and the
    attribute says so (with the strips the errors are tests/test_localization2d.py's)."""
    cfg = copy.deepcopy(default_config())
    cfg.update(dimensions=[2], temperatures=[0.005, 0.01], xi_max=[])
    cfg["hotcold"] = {"energy_num": 64}
    ds = hotcold_dataset(cfg, settings=cfg["hotcold"], **QUIET)
    found = ds.eps_th_status.values == FOUND
    assert found.any() and np.all(ds.eps_th_stderr.values[found] == 0)
    assert np.all(ds.Delta_c_stderr.sel(dim=2).values[ds.is_model.values] == 0)
    assert "0 where no input is measured (closed forms" in ds.eps_th_stderr.attrs["comment"]


def test_inputs_without_replicas_are_an_error():
    cfg = cfg_1d(0.01, 0.05, 3)
    loc, spec, _, _ = synthetic_inputs(cfg)
    with pytest.raises(ValueError, match="xi_jackknife, dos_jackknife"):
        hotcold_dataset(cfg, loc.drop_vars(["xi_jackknife", "dos_jackknife"]), spec, **QUIET)
    with pytest.raises(ValueError, match="n_T_jackknife"):
        hotcold_dataset(cfg, loc, spec.drop_vars("n_T_jackknife"), **QUIET)


def test_no_splice_where_n_t_source_changes():
    """Issue 9 item 1: n_T = 0.3 x Eq. (6) at every T, half of them 'extrapolated'.  eta_hc is
    0.3 x the closed-form-n_T eta_hc at every T (a splice would give 1 there), and eps_th(T)
    has no step larger than its stated error where the source changes."""
    cfg = cfg_1d(0.005, 0.04, 12)  # ln(Delta_c/T) >= 1.4 (Delta_c = 0.157)
    t = np.asarray(expand_grid(cfg["temperatures"]))
    t_switch = t[6]
    _, spec, _, _ = synthetic_inputs(cfg, sig_nt=0.01, extrapolated_from=t_switch)
    ds = hotcold_dataset(cfg, spectral=spec, settings=cfg["hotcold"], **QUIET).sel(dim=1)
    src = models_only(ds).n_T_source.transpose("model", "T").values
    assert np.all(src[..., t < t_switch] == 1) and np.all(src[..., t >= t_switch] == 2)
    r = (ds.eta_hc / ds.eta_hc_born).values
    fin = np.isfinite(r) & np.isfinite(ds.eta_hc_born.values)  # inf: overflow at the grid top
    assert fin.mean() > 0.5 and np.allclose(r[fin], 0.3, rtol=1e-12)
    for fam in FAMS:
        s = ds.sel(family=fam, d=0.25)
        assert np.all(s.eps_th_status.values == FOUND), fam
        x, y = np.log(t), np.log(s.eps_th.values)
        rel_err = (s.eps_th_stderr / s.eps_th).values
        # on the log T grid each step of ln eps_th equals the mean of its neighbours to
        # O(h^3); the step across the source change (index 5 -> 6) is no exception
        steps = np.diff(y)
        kink = np.abs(steps[1:-1] - 0.5 * (steps[:-2] + steps[2:]))
        assert np.allclose(np.diff(x), np.diff(x)[0])
        assert np.all(kink < rel_err[1:-2]), (fam, kink / rel_err[1:-2])
        assert kink[4] < rel_err[5], fam  # across the source change (a splice: ~25x)


def test_propagated_error_matches_finite_differences():
    """eps_th_stderr from the replicas vs direct linear propagation of the inputs' stated
    errors: eps_th(T) depends on one xi scale s (all energies, eps_F included) and on
    n_T(T) only, so sigma^2 = (d eps/d ln s)^2 sd_jk(a)^2 + (d eps/d ln n_T)^2 sd_jk(b_T)^2,
    the derivatives by central differences (h = 1e-4) on error-free inputs."""
    cfg = cfg_1d(0.015, 0.06, 4)
    st = cfg["hotcold"]
    loc, spec, a, b = synthetic_inputs(cfg, sig_xi=2e-3, sig_nt=3e-3)
    ds = hotcold_dataset(cfg, loc, spec, settings=st, **QUIET).sel(dim=1)
    h = 1e-4

    def eps(**kw) -> np.ndarray:
        lo, sp, _, _ = synthetic_inputs(cfg, sig_xi=0.0, sig_nt=0.0, **kw)
        return hotcold_dataset(cfg, lo, sp, settings=st, **QUIET).sel(dim=1).eps_th.values

    d_xi = (eps(xi_scale=np.exp(h)) - eps(xi_scale=np.exp(-h))) / (2 * h)
    d_nt = (eps(nt_scale=np.exp(h)) - eps(nt_scale=np.exp(-h))) / (2 * h)
    # the inputs' rows in the output's layout: white noise (d = 0) is read from the first
    # family's d = 0 row of these old-layout inputs (models.pick_models), the others as they are
    rows = [0 if f == "white" else FAMS.index(str(f)) for f in ds.family.values]
    a, b = a[rows], b[rows]
    sd_a = jk_sd(a, axis=-1)[..., None]  # (family, d, 1)
    sd_b = jk_sd(b, axis=-2)  # (family, d, T)
    direct = np.sqrt((d_xi * sd_a) ** 2 + (d_nt * sd_b) ** 2)
    found = ds.eps_th_status.values == FOUND
    assert found.sum() >= 20
    got = ds.eps_th_stderr.values
    ratio = got[found] / direct[found]
    print(f"eps_th_stderr / direct propagation: {ratio.min():.5f} .. {ratio.max():.5f}")
    # linearisation error O(sigma) ~ 3e-3; the interpolated xi is log-log linear in ln s
    assert np.allclose(ratio, 1.0, rtol=2e-2)


def test_models_over_two_processes_bit_identical(bounded_run):
    """hotcold_dataset with the models spread over 2 processes: the same bits as serial."""
    cfg = cfg_1d(1e-3, 0.05, 8, xi_max=[1e5, 1e6])
    loc, spec, _, _ = synthetic_inputs(cfg, sig_xi=0.02, sig_nt=0.05, n_loc=8, n_spec=6)
    two = hotcold_dataset(cfg, loc, spec, settings=cfg["hotcold"], workers=2, **QUIET)
    assert list(two.data_vars) == list(bounded_run.data_vars)
    for name in bounded_run.variables:
        a, b = bounded_run[name].values, two[name].values
        if a.dtype.kind in "fc":
            assert np.array_equal(a.view(f"u{a.itemsize}"), b.view(f"u{b.itemsize}")), name
        else:
            assert np.array_equal(a, b), name
    assert two.attrs["numerical_n_T"] == bounded_run.attrs["numerical_n_T"]
