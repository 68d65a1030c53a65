"""hotcold.replicas: the replicas of the measured inputs and their reduction, on known samples."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from hotcold import models, replicas


def test_jackknife_of_leave_one_out_means_is_the_standard_error_of_the_mean():
    """Delete-one replicas of a mean: jackknife s.e. = sample std / sqrt(n), exactly."""
    rng = np.random.default_rng(4)
    y = rng.normal(3.0, 2.0, size=(12, 5))
    n = y.shape[0]
    loo = (y.sum(axis=0) - y) / (n - 1)
    x = xr.DataArray(np.vstack([y.mean(axis=0), loo]), dims=("replica", "energy"))
    groups = np.array(["full"] + ["localization"] * n)
    se = replicas.jackknife_stderr(x, groups)
    assert np.allclose(se, y.std(axis=0, ddof=1) / np.sqrt(n), rtol=1e-12)


def test_independent_groups_add_in_quadrature_and_a_pm_pair_gives_half_its_spread():
    rng = np.random.default_rng(5)
    a, b = rng.normal(size=8), rng.normal(size=6)
    loo_a = (a.sum() - a) / 7
    loo_b = (b.sum() - b) / 5
    x = xr.DataArray(np.concatenate([[0.0], loo_a, loo_b, [1.3, 0.7]]), dims="replica")
    groups = np.array(["full"] + ["localization"] * 8 + ["spectral"] * 6 + ["matrix_elements"] * 2)
    var = a.var(ddof=1) / 8 + b.var(ddof=1) / 6 + 0.3**2
    assert float(replicas.jackknife_stderr(x, groups)) == pytest.approx(np.sqrt(var), rel=1e-12)


def spectral_sub(ts, n, reps, ext=None) -> xr.Dataset:
    ds = xr.Dataset(
        {
            "n_T": ("T", n),
            "n_T_jackknife": (("replica_spec", "T"), reps),
        },
        coords={"T": ts},
    )
    if ext is not None:
        ds["n_T_source"] = ("T", np.asarray(ext, np.int8))
        ds["n_T_source"].attrs.update(
            flag_values=np.array([0, 1], np.int8), flag_meanings="numerical extrapolated"
        )
    return ds


def test_spectral_n_t_keeps_grid_values_and_interpolates_a_power_law_exactly():
    ts = np.array([1e-3, 1e-2, 1e-1])
    n = 7.0 * ts**2
    reps = np.vstack([n * 1.01, n * 0.99, np.full(3, np.nan)])  # NaN row: merge padding
    temps = np.array([0.0, 1e-2, 3e-2])
    got, got_reps, ext = replicas.spectral_n_t(spectral_sub(ts, n, reps, [0, 0, 1]), temps)
    assert np.isnan(got[0])
    assert got[1] == n[1]  # on the grid: the stored value, bit for bit
    assert got[2] == pytest.approx(7.0 * 3e-2**2, rel=1e-12)
    assert got_reps.shape == (2, 3)
    assert ext.tolist() == [False, False, True]


def test_spectral_n_t_refuses_temperatures_outside_its_range():
    ts = np.array([1e-3, 1e-2])
    sub = spectral_sub(ts, ts**2, np.vstack([ts**2]))
    with pytest.raises(ValueError, match="outside the spectral n_T range"):
        replicas.spectral_n_t(sub, np.array([1e-1]))


CFG = {"m": 1.0, "disorder": {"w": 0.1, "w2": 1.5}}
NONE: dict = {}


@pytest.mark.parametrize("dim,source", [(1, "born"), (2, "closed_form")])
def test_stage_inputs_without_measured_inputs_is_the_full_sample_only(dim, source):
    stage = replicas.stage_inputs(dim, "exponential", 0.5, CFG, NONE, np.array([0.1]))
    base = models.inputs_without_measurements(dim, "exponential", 0.5, CFG)
    assert stage.replicas == [base] and stage.groups.tolist() == ["full"]
    assert (stage.source, stage.missing) == (source, False)
    assert base.w == CFG["disorder"]["w" if dim == 1 else "w2"]


def test_stage_inputs_refuses_a_dimension_without_engine():
    with pytest.raises(ValueError, match="dimensions: 3"):
        replicas.stage_inputs(3, "white", 0.0, CFG, NONE, np.array([0.1]))


def test_stage_inputs_of_a_localization_dataset_are_one_replica_per_batch():
    e = np.array([1.0, 2.0, 4.0])
    xi = 10 * e**1.5
    loc = xr.Dataset(
        {
            "xi": ("energy", xi),
            "dos": ("energy", 0.3 / np.sqrt(e)),
            "xi_source": ("energy", np.zeros(3, np.int8)),
            "xi_jackknife": (("replica_loc", "energy"), np.vstack([xi * 1.1, xi * 0.9])),
            "dos_jackknife": (("replica_loc", "energy"), np.vstack([0.3 / np.sqrt(e)] * 2)),
        },
        coords={"energy": e},
    )
    stage = replicas.stage_inputs(1, "gaussian", 0.5, CFG, {"localization": loc}, np.array([0.1]))
    assert stage.groups.tolist() == ["full", "localization", "localization"]
    assert (stage.source, stage.missing) == ("measured", False)
    ln_xi = [r.inputs(np.array([2.0]))[0][0] for r in stage.replicas]
    assert np.allclose(np.exp(ln_xi), [xi[1], 1.1 * xi[1], 0.9 * xi[1]], rtol=1e-12)


def test_a_localization_dataset_without_the_model_is_reported_missing():
    loc = xr.Dataset(
        {"xi": (("family", "d", "energy"), np.ones((1, 1, 2)))},
        coords={"family": ["lorentzian"], "d": [0.25], "energy": [1.0, 2.0]},
    )
    stage = replicas.stage_inputs(1, "lorentzian", 0.5, CFG, {"localization": loc}, np.array([0.1]))
    assert (stage.source, stage.missing, len(stage.replicas)) == ("born", True, 1)
