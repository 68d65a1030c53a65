"""A new localization engine for another dimension is one adapter in replicas.ENGINES plus
its dataset (issue 18: the change scenario, measured)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import xarray as xr
from conftest import default_config

from hotcold import replicas, theory
from hotcold.hotcold import hotcold_dataset
from hotcold.models import measured_nodes


def _toy_strips(cfg: dict) -> xr.Dataset:
    """A synthetic 2D 'strip engine' result: xi = 3 x the Born Eq. (20) value, rho = m/2pi."""
    m, w2 = float(cfg["m"]), float(cfg["disorder"]["w2"])
    e = np.unique(np.append(np.geomspace(0.3, 30.0, 25), cfg["fermi_energy"]))  # eps_F a node
    xi = 3.0 * np.exp(theory.ln_xi_2d(e, "white", m, w2, 0.0))
    return xr.Dataset(
        {"xi": ("energy", xi), "dos": ("energy", np.full(e.size, m / (2 * np.pi)))},
        coords={"energy": e},
    )


def _strip_adapter(base, family, datasets, temps, v_hc):
    """The new engine's adapter: measured xi, rho from its dataset (white noise only here)."""
    strips = datasets.get("strips")
    if strips is None or base.d != 0:
        return replicas.closed_form_inputs(base, family, datasets, temps, v_hc)
    e = strips["energy"].values
    nodes = measured_nodes(
        e, strips["xi"].values, strips["dos"].values, np.zeros(e.size, int), base.m
    )
    return replicas.StageInputs(
        [dataclasses.replace(base, measured=nodes)], np.array(["full"]), "measured"
    )


@pytest.fixture
def strip_engine(monkeypatch):
    monkeypatch.setitem(replicas.ENGINES, 2, _strip_adapter)


def test_a_2d_engine_enters_through_its_adapter_alone(strip_engine):
    cfg = default_config()
    cfg["dimensions"] = [2]
    cfg["disorder"]["d"] = [0.0]
    settings = {"energy_num": 48, "tc_scan_num": 8}
    quiet = {"log": lambda msg: None}
    closed = hotcold_dataset(cfg, settings=settings, **quiet)
    measured = hotcold_dataset(cfg, settings=settings, strips=_toy_strips(cfg), **quiet)
    sel = {"dim": 2, "family": "white", "d": 0.0}
    ratio = float(measured["xi_c"].sel(sel) / closed["xi_c"].sel(sel))
    assert ratio == pytest.approx(3.0, rel=1e-6)  # the engine's xi, not Eq. (20)
    assert int(measured["xi_c_source"].sel(sel)) == 0  # flagged measured
    assert int(closed["xi_c_source"].sel(sel)) != 0
