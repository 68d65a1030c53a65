"""White noise is one model, stored once (issue 18, item 2).

The merged datasets hold white noise at (family='white', d=0) only; the cells
that are not a model (correlated families at d = 0, white at d > 0) are
missing, and ``is_model`` says which cells hold a model.
"""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from hotcold import families
from hotcold.datasets import NO_MODEL_FLAG, merge_models, select_model

FAMS = ["lorentzian", "gaussian"]
DVALS = [0.0, 0.25, 0.5]


def _one(value: float) -> xr.Dataset:
    """A per-model dataset: a float variable and an int8 flag over energy."""
    return xr.Dataset(
        {
            "xi": (("energy",), np.array([value, 10 * value])),
            "xi_source": (("energy",), np.array([0, 1], dtype=np.int8)),
        },
        coords={"energy": [1.0, 2.0]},
    )


@pytest.fixture
def merged() -> tuple[xr.Dataset, dict]:
    # every model a distinct value: white 1, lorentzian 2, 3, gaussian 4, 5
    keys = [("white", 0.0), ("lorentzian", 0.25), ("lorentzian", 0.5)]
    keys += [("gaussian", 0.25), ("gaussian", 0.5)]
    per_model = {k: _one(float(i + 1)) for i, k in enumerate(keys)}
    return merge_models(per_model, FAMS, DVALS), per_model


def test_model_keys_list_white_once():
    keys = families.model_keys(FAMS, DVALS)
    assert [k for k in keys if k[1] == 0] == [("white", 0.0)]
    assert len(keys) == 1 + len(FAMS) * 2
    assert families.model_keys(FAMS, [0.5]) == [("lorentzian", 0.5), ("gaussian", 0.5)]
    assert families.model_keys(["white"], [0.0]) == [("white", 0.0)]


def test_merge_holds_white_noise_once(merged):
    ds, _ = merged
    assert list(ds["family"].values) == ["white", *FAMS]
    assert int(ds["is_model"].sel(d=0.0).sum()) == 1  # one model with d = 0
    assert bool(ds["is_model"].sel(family="white", d=0.0))
    # the white-noise values appear once in the whole dataset
    assert int((ds["xi"] == 1.0).sum()) == 1


def test_is_model_matches_the_model_list(merged):
    ds, per_model = merged
    cells = {
        (str(f), float(d))
        for f in ds["family"].values
        for d in ds["d"].values
        if bool(ds["is_model"].sel(family=f, d=d))
    }
    assert cells == set(per_model) == set(families.model_keys(FAMS, DVALS))
    assert ds["is_model"].dtype == bool and ds["is_model"].dims == ("family", "d")
    assert ds["is_model"].attrs["long_name"] == "this (family, d) cell holds a disorder model"


def test_cells_without_a_model_are_missing(merged):
    ds, _ = merged
    empty = ~ds["is_model"]
    assert ds["xi"].where(empty).count() == 0  # float: NaN
    assert bool(ds["xi"].isnull().all("energy").equals(empty))
    flags = ds["xi_source"].transpose("family", "d", "energy").values
    assert ds["xi_source"].dtype == np.int8  # the flag stays an integer
    assert (flags[~ds["is_model"].values] == NO_MODEL_FLAG).all()
    assert (flags[ds["is_model"].values] >= 0).all()
    assert ds["xi_source"].attrs["no_model_value"] == NO_MODEL_FLAG


def test_select_model_white_and_correlated(merged):
    ds, per_model = merged
    for fam in ("white", *FAMS):  # d = 0 is white noise under any family name
        np.testing.assert_array_equal(
            select_model(ds, fam, 0.0)["xi"].values, per_model[("white", 0.0)]["xi"].values
        )
    sub = select_model(ds, "gaussian", 0.5)
    assert str(sub["family"].values) == "gaussian" and float(sub["d"]) == 0.5
    np.testing.assert_array_equal(sub["xi"].values, [5.0, 50.0])


def test_family_average_counts_white_once(merged):
    ds, per_model = merged
    # the mean over every stored model equals the mean over the distinct models
    want = np.mean([one["xi"].values for one in per_model.values()], axis=0)
    got = ds["xi"].mean(("family", "d"), skipna=True).values
    np.testing.assert_allclose(got, want, rtol=1e-15)
    # white noise: weight 1 of 5 models ((1 + 2 + 3 + 4 + 5) / 5 = 3), not 3 of 7
    assert got[0] == pytest.approx(3.0)
