"""T_c found below the search range is a bound, not a value (issue 19 item 1)."""

from __future__ import annotations

import re

import numpy as np
import pytest
import xarray as xr
from conftest import default_config

from hotcold.hotcold import hotcold_dataset, reduce_replicas, tc_regime
from hotcold.threshold import TC_STATUS

FOUND, BELOW = TC_STATUS.index("found"), TC_STATUS.index("below_search")


def _replicated(tc: np.ndarray, status: np.ndarray) -> xr.Dataset:
    """T_c and its status over (replica, xi_max): replica 0 the full sample."""
    return xr.Dataset(
        {
            "T_c": (("replica", "xi_max"), tc),
            "T_c_status": (("replica", "xi_max"), status.astype(np.int8)),
        }
    )


def test_a_bound_is_stored_apart_and_has_no_error():
    tc = np.array([[0.02, 0.005], [0.021, 0.005], [0.019, 0.005]])
    status = np.array([[FOUND, BELOW]] * 3)
    groups = np.array(["full", "localization", "localization"])
    out = reduce_replicas(_replicated(tc, status), groups)
    assert out["T_c"].values[0] == 0.02 and np.isnan(out["T_c"].values[1])
    assert np.isnan(out["T_c_upper_bound"].values[0]) and out["T_c_upper_bound"].values[1] == 0.005
    se = out["T_c_stderr"].values
    assert se[0] > 0 and np.isnan(se[1])  # a bound carries no standard error


def test_the_regime_flag_of_a_bound_says_no_value():
    ds = {
        "T_c": xr.DataArray([0.005, 0.005], dims="xi_max"),
        "T_c_status": xr.DataArray(np.array([BELOW, FOUND], np.int8), dims="xi_max"),
        "Delta_c": xr.DataArray(1.0),
        "kF_xi_c": xr.DataArray(100.0),
    }
    reg = tc_regime(ds, strong_kfxi=3.0).values
    assert reg[0] & 2 and not reg[1] & 2  # "undefined" only for the bound


@pytest.fixture(scope="module")
def conductivity_with_a_bound():
    from hotcold.plots.conductivity import plot_conductivity
    from hotcold.plots.style import get_caption

    cfg = default_config()
    ds = hotcold_dataset(cfg, settings={"energy_num": 48, "tc_scan_num": 24}, log=lambda m: None)
    cell = {"dim": 1, "family": "gaussian", "d": 0.5, "xi_max": ds["xi_max"].values[-1]}
    bound = 0.00123456
    ds["T_c_upper_bound"].loc[cell] = bound
    ds["T_c"].loc[cell] = np.nan
    ds["T_c_status"].loc[cell] = BELOW
    fig = plot_conductivity(ds)
    return get_caption(fig), bound, fig


def test_conductivity_caption_writes_a_bound_as_a_bound(conductivity_with_a_bound):
    caption, bound, _ = conductivity_with_a_bound
    assert f"<= {bound:.3g} (upper bound)" in caption
    assert not re.search(rf"(?<!<)= {bound:.2g}", caption)  # never "T_c = <bound>"


def test_a_bound_is_drawn_as_a_down_triangle_and_not_fitted(conductivity_with_a_bound):
    caption, bound, fig = conductivity_with_a_bound
    triangles = [
        line
        for ax in fig.axes
        for line in ax.get_lines()
        if line.get_marker() == "v" and len(line.get_ydata())
    ]
    assert triangles, "no down-triangle drawn for the upper bound"
    assert "upper bound on T_c" in caption
