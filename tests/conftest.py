"""Shared fixtures: the repository root, a tiny configuration and a Snakemake runner."""

from __future__ import annotations

import copy
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
SNAKEMAKE = [sys.executable, "-m", "snakemake"]


def default_config() -> dict:
    """config/config.yaml with the schema's defaults filled in (what the workflow runs)."""
    from hotcold.schema import fill_defaults

    with open(ROOT / "config" / "config.yaml") as fh:
        return fill_defaults(yaml.safe_load(fh))


def tiny_config() -> dict:
    """A configuration that runs the whole workflow in well under a minute."""
    cfg = default_config()
    cfg["disorder"]["families"] = ["lorentzian", "exponential"]
    cfg["disorder"]["d"] = [0.0, 0.5]
    cfg["disorder"]["correlator"] = {"lags": 16, "cells": 200000}
    cfg["localization"].update(energies=[0.5, 2.0, 8.0], rel_error=0.1, max_cells=2.0e6, chunk=8192)
    cfg["temperatures"] = {"min": 0.02, "max": 0.08, "num": 3, "spacing": "log"}
    # 4 realizations: n_T counts as resolved up to 100 % relative error (no extrapolation)
    cfg["spectral"] = {
        "box_length": 12.0,
        "realizations": 4,
        "omega_num": 6,
        "rel_error_max": 1.0,
        "mott": {"box_length": 14.0, "realizations": 4},
        "bands": [{"T_max": 0.08, "box_length": 14.0, "blocks": 2}],
    }
    cfg["hotcold"] = {"energy_num": 120, "tc_scan_num": 64}
    return cfg


def run_snakemake(
    workdir: Path,
    *args: str,
    config: dict | None = None,
    timeout: float = 600,
    check: bool = True,
    env: dict | None = None,
) -> subprocess.CompletedProcess:
    """Run the repository's Snakefile in ``workdir`` with an optional config file."""
    cmd = [*SNAKEMAKE, "-s", str(ROOT / "Snakefile"), "-d", str(workdir)]
    if config is not None:
        cfile = workdir / "test-config.yaml"
        cfile.write_text(yaml.safe_dump(config))
        cmd += ["--configfile", str(cfile)]
    cmd += list(args)
    full_env = dict(os.environ, PYTHONHASHSEED="0", **(env or {}))
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=full_env)
    if check and proc.returncode != 0:
        raise AssertionError(
            f"snakemake failed ({proc.returncode}):\n{proc.stdout[-3000:]}\n{proc.stderr[-5000:]}"
        )
    return proc


def planned_jobs(workdir: Path, *targets: str, **kw) -> dict[str, int]:
    """Rule -> number of jobs a dry run would execute (parsed from 'Job stats')."""
    out = run_snakemake(workdir, "-n", *targets, **kw).stdout
    jobs: dict[str, int] = {}
    if "Nothing to be done" in out:
        return jobs
    table = out.split("Job stats:", 1)[1].splitlines()[3:]
    for line in table:
        parts = line.split()
        if len(parts) != 2 or parts[0] == "total":
            break
        jobs[parts[0]] = int(parts[1])
    return jobs


def models_only(ds):
    """The (family, d) cells of a merged dataset that hold a model (``is_model``),
    stacked over a dimension ``model`` (white noise once; no missing cells)."""
    import numpy as np

    st = ds.stack(model=("family", "d"))
    return st.isel(model=np.flatnonzero(st["is_model"].values))


def assert_bit_identical(path_a: Path, path_b: Path) -> None:
    """Every variable of two netCDF files has bit-identical values (NaN included)."""
    import numpy as np
    import xarray as xr

    with xr.open_dataset(path_a) as a, xr.open_dataset(path_b) as b:
        assert set(a.variables) == set(b.variables)
        for k in a.variables:
            va, vb = a[k].values, b[k].values
            if va.dtype.kind == "f":
                va, vb = va.view(f"u{va.itemsize}"), vb.view(f"u{vb.itemsize}")
            assert np.array_equal(va, vb), k


@pytest.fixture
def tiny(tmp_path) -> tuple[Path, dict]:
    return tmp_path, copy.deepcopy(tiny_config())


#: Units a dimensional variable may state (datasets.REDUCED_UNITS is checked against this list
#: independently: tests/test_data_contract.py).
DIMENSIONAL = ("length", "energy", "mass")


def assert_self_describing(ds) -> None:
    """Every variable (coordinates included, string labels excepted) states what it is and its
    unit: a non-empty ``long_name`` and ``units``, "1" or a reduced unit built from
    length/energy/mass; no variable is left undeclared."""
    bad = []
    for name, var in ds.variables.items():
        if var.dtype.kind in "OSU":
            continue
        if not str(var.attrs.get("long_name", "")).strip():
            bad.append(f"{name}: no long_name")
        units = str(var.attrs.get("units", "")).strip()
        if not units:
            bad.append(f"{name}: no units")
        elif units != "1" and not any(u in units for u in DIMENSIONAL):
            bad.append(f"{name}: units {units!r} names no dimension")
    assert not bad, bad


#: The dimensional variables of each dataset and their reduced unit, written by hand from the
#: physics (docs/physics.md, Conventions and §2.2), not from the variable tables under test:
#: every one must state this unit in ``units``, never "1" (issue 19 item 5).
DIMENSIONAL_VARIABLES: dict[str, dict[str, str]] = {
    "localization": {
        "energy": "energy",
        **dict.fromkeys(
            ("xi", "xi_stderr", "xi_jackknife", "xi_measured", "xi_born", "length"), "length"
        ),
        "dos_length": "length",
        **dict.fromkeys(("lyapunov", "lyapunov_stderr"), "1/length"),
        **dict.fromkeys(("idos", "idos_stderr", "idos_jackknife", "idos_clean"), "1/length"),
        **dict.fromkeys(("dos", "dos_stderr", "dos_jackknife", "dos_clean"), "1/(energy length)"),
        "m": "mass",
        "w": "energy^2 length",
    },
    "spectral": {
        **dict.fromkeys(("T", "Delta_c", "omega_abs", "n_T_window", "pass_window"), "energy"),
        **dict.fromkeys(("xi_c", "xi_c_stderr", "x_abs", "x_cut", "margin"), "length"),
        **dict.fromkeys(
            ("l_peak", "l_peak_stderr", "l_peak_eq5", "l_peak_centroid_eq5", "l_M_eq7"), "length"
        ),
        **dict.fromkeys(("l_peak_centroid", "l_peak_centroid_stderr"), "length"),
        **dict.fromkeys(
            ("mott_slope", "mott_slope_stderr", "mott_intercept", "mott_intercept_stderr"), "length"
        ),
        **dict.fromkeys(("n_T", "n_T_stderr", "n_T_jackknife", "n_T_eq6"), "1/length"),
        **dict.fromkeys(("n_T_measured", "n_T_measured_stderr", "n_T_systematic"), "1/length"),
        **dict.fromkeys(("n_T_next_pass", "n_T_next_pass_stderr"), "1/length"),
        **dict.fromkeys(("rho_c", "rho_c_stderr"), "1/(energy length)"),
        **dict.fromkeys(("S", "S_stderr", "S_eq5"), "1/(energy^2 length^2)"),
    },
    "hotcold": {
        **dict.fromkeys(("T", "energy", "eps_F", "Delta_c", "Delta_3hc", "V_hc"), "energy"),
        **dict.fromkeys(("eps_th", "eps_th_stderr", "eps_th_eq14", "eps_th_eq15"), "energy"),
        **dict.fromkeys(
            ("eps_th_eq28", "eps_th_bethe", "eps_th_bethe_stderr", "eps_th_comp_born"), "energy"
        ),
        **dict.fromkeys(
            ("eps0", "eps_cap", "eps_lo", "eps_hi", "eps_lo_stderr", "eps_hi_stderr"), "energy"
        ),
        **dict.fromkeys(("T_c", "T_c_stderr", "T_c_upper_bound"), "energy"),
        **dict.fromkeys(("xi_c", "xi_h", "l_M", "xi_max", "d"), "length"),
        **dict.fromkeys(("n_T", "n_T_stderr", "n_h", "n_h_stderr"), "1/length^D"),
        **dict.fromkeys(("rho_c", "rho_h"), "1/(energy length^D)"),
        "tau_c": "1/energy",
        "m": "mass",
        "w": "energy^2 length",
        "w2": "energy^2 length^2",
    },
}
#: Added by the merge of per-model datasets: the model's correlation radius and grid step.
MERGED_DIMENSIONAL = {
    "localization": {"d": "length", "dx": "length"},
    "spectral": {"d": "length", "dx": "length"},
    "hotcold": {},
}


def unit_errors(ds, expected: dict[str, str]) -> list[str]:
    """Variables of ``expected`` missing from ``ds`` or whose ``units`` is not the expected
    reduced unit (e.g. a dimensional quantity written with units "1")."""
    bad = []
    for name, unit in expected.items():
        if name not in ds.variables:
            bad.append(f"{name}: missing")
        elif ds[name].attrs.get("units") != unit:
            bad.append(f"{name}: units {ds[name].attrs.get('units')!r}, want {unit!r}")
    return bad
