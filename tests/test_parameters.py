"""The model's parameters (eps_F, m, w, w2) travel with the data as scalar variables.

Issue 18 (item 3): ``hotcold.nc`` and ``localization.nc`` store them, with units
and long names, so that the figures read them from the file, not from the
provenance JSON or the config.  A merge over models keeps them scalar.
"""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr
from conftest import default_config

from hotcold.datasets import PARAMETER_VARIABLES, merge_models
from hotcold.hotcold import hotcold_dataset


def _one(w: float, value: float) -> xr.Dataset:
    ds = xr.Dataset({"xi": (("energy",), np.array([value, 2 * value]))}, coords={"energy": [1, 2]})
    ds["m"] = ((), 1.5, {"long_name": "particle mass m"})
    ds["w"] = ((), w)
    return ds


def test_merge_keeps_parameters_scalar():
    per_model = {("white", 0.0): _one(0.1, 1.0), ("lorentzian", 0.5): _one(0.1, 3.0)}
    merged = merge_models(per_model, ["lorentzian"], [0.0, 0.5])
    assert merged["m"].dims == () and float(merged["m"]) == 1.5
    assert merged["m"].attrs == {"long_name": "particle mass m"}  # its own, kept
    assert merged["w"].dims == () and float(merged["w"]) == 0.1
    assert merged["xi"].dims == ("family", "d", "energy")
    assert merged["xi"].sel(family="lorentzian", d=0.5).values.tolist() == [3.0, 6.0]


def test_merge_refuses_models_that_disagree_on_a_parameter():
    per_model = {("white", 0.0): _one(0.1, 1.0), ("lorentzian", 0.5): _one(0.2, 3.0)}
    with pytest.raises(ValueError, match="parameter w"):
        merge_models(per_model, ["lorentzian"], [0.0, 0.5])


def test_hotcold_dataset_stores_the_configured_parameters():
    cfg = default_config()
    cfg.update(fermi_energy=1.25, m=0.5, temperatures=[0.02], dimensions=[1, 2])
    cfg["disorder"].update(w=0.07, w2=1.1)
    cfg["hotcold"] = {"energy_num": 32, "tc_scan_num": 16}
    ds = hotcold_dataset(cfg, settings=cfg["hotcold"], log=lambda s: None)
    expected = {"eps_F": 1.25, "m": 0.5, "w": 0.07, "w2": 1.1}
    for name, value in expected.items():
        assert ds[name].dims == ()
        assert float(ds[name]) == value
        assert ds[name].attrs["long_name"]
    assert ds["eps_F"].attrs["units"] == "energy"  # the reduced unit, never "1"
    assert ds["m"].attrs["units"] == "mass"
    assert ds["w"].attrs["units"] == "energy^2 length"
    assert ds["w2"].attrs["units"] == "energy^2 length^2"


def test_every_parameter_has_a_dimension():
    for name, spec in PARAMETER_VARIABLES.items():
        assert spec.dims == (), name
        assert spec.units not in ("", "1"), name  # each is a dimensional quantity
