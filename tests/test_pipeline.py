"""The whole workflow on the tiny config: every stage, figure and the report (issues 4-6)."""

from __future__ import annotations

import json
import zipfile

import numpy as np
import pytest
import xarray as xr
from conftest import models_only, planned_jobs, run_snakemake, tiny_config

pytestmark = pytest.mark.workflow

FIGURES = (
    "localization",
    "spectral_function",
    "mott_peak",
    "thermal_density",
    "eta_map",
    "threshold",
    "conductivity",
    "fig1",
)
HOTCOLD_FIGURES = ("eta_map", "threshold", "conductivity", "fig1")
SPECTRAL_FIGURES = ("spectral_function", "mott_peak", "thermal_density", "asymptotics")


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    work = tmp_path_factory.mktemp("pipeline")
    cfg = tiny_config()
    cfg["temperatures"] = [0.01, 0.02, 0.04]
    run_snakemake(work, "-c2", config=cfg, timeout=900)
    return work, cfg


def _attrs_complete(ds: xr.Dataset) -> None:
    for name, var in ds.data_vars.items():
        assert "units" in var.attrs and "long_name" in var.attrs, name
    for key in ("hotcold_version", "git_revision", "config", "seeds", "date_created"):
        assert key in ds.attrs, key
    assert ds.attrs["Conventions"].startswith("CF-")


def test_every_figure_and_dataset_is_made(tiny_run):
    work, _ = tiny_run
    for name in FIGURES:
        for ext in ("pdf", "png"):
            path = work / "results" / "figures" / f"{name}.{ext}"
            assert path.stat().st_size > 5000, path
        assert (work / "results" / "logs" / "figures" / f"{name}.log").exists()
    for name in ("localization", "spectral", "hotcold"):
        with xr.open_dataset(work / "results" / f"{name}.nc") as ds:
            _attrs_complete(ds)


def test_spectral_dataset_contract(tiny_run):
    from hotcold.config import expand_grid

    work, cfg = tiny_run
    with xr.open_dataset(work / "results" / "spectral.nc") as ds:
        assert {"family", "d", "omega", "x"} <= set(ds["S"].dims)
        assert {"family", "d", "T"} <= set(ds["n_T"].dims)
        for name in ("S_stderr", "S_eq5", "n_T_stderr", "n_T_eq6"):
            assert name in ds, name
        assert "Eq. (5)" in ds["S_eq5"].attrs["equation"]
        assert "Eq. (6)" in ds["n_T_eq6"].attrs["equation"]
        # n_T at every hot-cold temperature, numerical or flagged extrapolated (issue 9)
        assert list(ds["T"].values) == list(expand_grid(cfg["temperatures"]))
        models = models_only(ds)  # white noise once; the cells without a model are NaN
        assert np.isfinite(models["n_T"]).all() and (models["n_T_stderr"] > 0).all()
        assert ds["n_T"].where(~ds["is_model"]).isnull().all()
        assert ds["n_T_source"].attrs["flag_meanings"] == "numerical extrapolated"
        # the cold-bath inputs come from the localization stage of the same model
        with xr.open_dataset(work / "results" / "localization.nc") as loc:
            xi_c = float(loc["xi"].sel(family="lorentzian", d=0.5, energy=1.0))
        assert float(ds["xi_c"].sel(family="lorentzian", d=0.5)) == xi_c


def test_hotcold_dataset_contract(tiny_run):
    work, cfg = tiny_run
    with xr.open_dataset(work / "results" / "hotcold.nc") as ds:
        assert set(ds["eta_hc"].dims) == {"dim", "family", "d", "T", "energy"}
        for name in ("eps_th", "n_h", "ln_sigma", "eps_th_eq14", "eps_th_eq15", "eps_th_eq28"):
            assert set(ds[name].dims) == {"dim", "family", "d", "T"}, name
        # 1D on the key temperatures, each 2D model on temperatures_2d x its Delta_c
        on1 = ds["T_on_grid"].sel(dim=1, family="white", d=0.0).values.astype(bool)
        np.testing.assert_allclose(ds["T"].values[on1], cfg["temperatures"])
        w2 = ds.sel(dim=2, family="white", d=0.0)
        on2 = w2["T_on_grid"].values.astype(bool)
        np.testing.assert_allclose(
            ds["T"].values[on2] / float(w2["Delta_c"]), np.geomspace(0.005, 1.0, 10), rtol=1e-12
        )
        assert list(ds["dim"].values) == [1, 2]
        # no silent NaN: every missing threshold has a status that says why
        status = ds["eps_th_status"].values
        found = status == list(ds["eps_th_status"].attrs["flag_meanings"].split()).index("found")
        assert np.isfinite(ds["eps_th"].values[found]).all()
        # measured inputs were used where they exist (1D), and say so
        assert (ds["xi_source"].sel(dim=1).values == 0).any()
        assert (ds["n_T_source"].sel(dim=1).values == 1).any()
        assert json.loads(ds.attrs["config"])["eta_c"] == cfg["eta_c"]


def test_report_is_self_contained_and_links_datasets(tiny_run):
    work, cfg = tiny_run
    proc = run_snakemake(work, "--report", "report.zip", config=cfg, timeout=300)
    assert "ERROR/" not in proc.stdout + proc.stderr  # every caption is valid reStructuredText
    with zipfile.ZipFile(work / "report.zip") as zf:
        names = zf.namelist()
    for name in FIGURES:
        assert any(n.endswith(f"{name}.png") for n in names), name
    for name in ("localization.nc", "spectral.nc", "hotcold.nc"):
        assert any(n.endswith(name) for n in names), name


def test_added_temperature_reruns_only_hotcold_and_figures(tiny_run):
    """(b) one more temperature: the spectral jobs (n_T is evaluated at exactly the hot-cold
    temperatures, issue 9), hotcold and the figures made from them, nothing else."""
    work, cfg = tiny_run
    assert planned_jobs(work, config=cfg) == {}
    more = dict(cfg, temperatures=[*cfg["temperatures"], 0.03])
    plan = planned_jobs(work, config=more)
    plan.pop("all", None)  # the target pseudo-rule, no work
    expected = {"hotcold": 1, **{f"figure_{n}": 1 for n in HOTCOLD_FIGURES}}
    expected |= {"spectral": 3, "merge_spectral": 1}
    expected |= {f"figure_{n}": 1 for n in SPECTRAL_FIGURES}
    assert plan == expected, plan


def test_nonpositive_temperature_is_flagged_not_fatal(tmp_path):
    """T <= 0 in an explicit list: the hotcold job warns in its log and flags the point."""
    cfg = tiny_config()
    cfg["temperatures"] = [0.0, 0.02]
    cfg["dimensions"] = [2]  # closed forms only: no 1D stages needed
    cfg["temperatures_2d"] = None  # 2D on the key temperatures (else T = t Delta_c > 0)
    run_snakemake(tmp_path, "-c1", "results/hotcold.nc", config=cfg, timeout=300)
    log = (tmp_path / "results" / "logs" / "hotcold.log").read_text()
    assert "T" in log and ("<= 0" in log or "nonpositive" in log), log[-2000:]
    with xr.open_dataset(tmp_path / "results" / "hotcold.nc") as ds:
        meanings = ds["regime"].attrs["flag_meanings"].split()
        bit = int(ds["regime"].attrs["flag_masks"][meanings.index("nonpositive_T")])
        regime = models_only(ds)["regime"]  # -1 (no_model_value) in the cells without a model
        assert (regime.sel(T=0.0).values & bit).all()
        assert not (regime.sel(T=0.02).values & bit).any()
