"""The disorder-family registry (issue 18 item 2): one object per family, checked independently."""

from __future__ import annotations

import copy
import inspect
import re

import numpy as np
import pytest
import yaml
from conftest import ROOT, default_config

from hotcold import families, theory
from hotcold.disorder import Model, PotentialStream, disorder_dataset, fir_kernel, model_seed
from hotcold.hotcold import hotcold_dataset
from hotcold.localization import choose_dx, localization_dataset, run_lyapunov

SMOOTH = [f for f in families.FAMILIES.values() if f is not families.WHITE]


def test_schema_enum_is_the_registry():
    schema = yaml.safe_load((ROOT / "workflow/schemas/config.schema.yaml").read_text())
    assert list(schema["definitions"]["family"]["enum"]) == list(families.FAMILIES)
    ref = {"$ref": "#/definitions/family"}
    assert schema["properties"]["disorder"]["properties"]["families"]["items"] == ref
    me_model = schema["properties"]["matrix_elements"]["properties"]["models"]["items"]
    assert me_model["properties"]["family"] == ref


def test_wildcard_constraint_is_generated_from_the_registry():
    text = (ROOT / "workflow/rules/common.smk").read_text()
    block = text.split("wildcard_constraints:", 1)[1]
    assert re.search(r'family="\|"\.join\(hc_families\.FAMILIES\)', block.split("\n\n")[0])


def test_d_zero_is_white_and_unknown_names_fail():
    for name in families.FAMILIES:
        assert families.get(name, 0.0) is families.WHITE
        assert families.get(name, 0.5).name == name
    with pytest.raises(ValueError, match="unknown disorder family"):
        families.get("pink")
    assert families.sweep_families(["white"], [0.0]) == ("white",)
    # white noise is one model with its own axis entry, first, when d = 0 is swept
    assert families.sweep_families(["gaussian", "white"], [0.5]) == ("white", "gaussian")
    assert families.sweep_families(["gaussian", "lorentzian"], [0.0, 0.5]) == (
        "white",
        "gaussian",
        "lorentzian",
    )
    assert families.sweep_families(["gaussian"], [0.5]) == ("gaussian",)
    # d = 0 only: white noise is the only model, a correlated family gets no empty entry
    assert families.sweep_families(["gaussian"], [0.0]) == ("white",)


@pytest.mark.parametrize("fam", SMOOTH, ids=lambda f: f.name)
def test_spectrum_is_the_fourier_transform_of_the_correlator(fam):
    """S_U(q) = int C(x) cos(q x) dx by direct quadrature."""
    w, d = 0.7, 0.4
    x = np.linspace(-400 * d, 400 * d, 2_000_001)
    c = fam.correlator(x, w, d)
    for q in (0.0, 0.5 / d, 1.0 / d, 2.0 / d):
        s = np.trapezoid(c * np.cos(q * x), x)
        assert s == pytest.approx(float(fam.power_spectrum(np.array(q), w, d)), rel=2e-3, abs=1e-6)


@pytest.mark.parametrize("fam", list(families.FAMILIES.values()), ids=lambda f: f.name)
def test_ln_spectrum_is_the_log_of_the_spectrum(fam):
    q = np.array([0.0, 0.3, 1.0, 3.0])
    s = fam.power_spectrum(q, 0.7, 0.4)
    assert np.allclose(fam.ln_power_spectrum(q, 0.7, 0.4), np.log(s), rtol=1e-13, atol=1e-13)


@pytest.mark.parametrize("fam", [f for f in SMOOTH if f.sampler == "fir"], ids=lambda f: f.name)
def test_fir_profile_squared_transform_is_the_spectrum(fam):
    """|FT h|^2 = S_U: the FIR sampler has the family's spectrum.

    The Lorentzian kernel is cut at 200 d: int h loses 1/(200 pi), S_U(0) 1/(100 pi) = 3.2e-3.
    """
    w, d, dx = 0.7, 0.4, 0.01
    h = fir_kernel(Model(fam.name, w, d), dx) / np.sqrt(dx)
    x = (np.arange(h.size) - h.size // 2) * dx
    for q in (0.0, 1.0 / d, 2.5 / d):
        ft = np.sum(h * np.cos(q * x)) * dx
        assert ft**2 == pytest.approx(float(fam.power_spectrum(np.array(q), w, d)), rel=5e-3)


def test_ar1_coefficients_reproduce_the_exponential_correlator():
    """Stationary AR(1): var = sigma^2 = C(0), lag-one correlation a = C(dx)/C(0)."""
    fam = families.get("exponential")
    w, d, dx = 0.7, 0.4, 0.05
    a, sigma = fam.ar1_coefficients(w, d, dx)
    c = fam.correlator(np.array([0.0, dx]), w, d)
    assert sigma**2 == pytest.approx(c[0], rel=1e-14)
    assert a == pytest.approx(c[1] / c[0], rel=1e-14)


@pytest.mark.parametrize("name", ["exponential", "gaussian"])
def test_closed_form_2d_rates_match_the_quadrature(name):
    e = np.geomspace(1e-3, 1e3, 9)
    auto = theory.transport_rate_2d(e, name, 1.0, 0.05, 0.5)
    quad = theory.transport_rate_2d(e, name, 1.0, 0.05, 0.5, method="quadrature")
    assert np.allclose(auto, quad, rtol=1e-10)


def test_asymptote_is_carried_by_the_family():
    assert {f.name: f.asymptote for f in families.FAMILIES.values() if f.asymptote} == {
        "lorentzian": "eq14",
        "exponential": "eq15",
    }
    eps0, chi = np.array(2.0), np.array(np.e**3)
    assert families.get("lorentzian").asymptote_threshold(eps0, chi) == pytest.approx(18.0)
    assert families.get("exponential").asymptote_threshold(eps0, chi) == pytest.approx(2 * np.e**3)


# ---------------------------------------------------------------------------
# A toy family added in one place runs through the per-model stages
# ---------------------------------------------------------------------------


class Toy(families.Family):
    """S_U(q) = w / (1 + q^2 d^2)^2, C(x) = (w/(4d)) (1 + |x|/d) exp(-|x|/d); FIR sampler."""

    name = "toy"
    sampler = "fir"

    def correlator(self, x, w, d):
        a = np.abs(x) / d
        return w / (4 * d) * (1 + a) * np.exp(-a)

    def power_spectrum(self, q, w, d):
        return w / (1.0 + (q * d) ** 2) ** 2

    def ln_power_spectrum(self, q, w, d):
        return np.log(w) - 2.0 * np.log1p((q * d) ** 2)

    def fir_half_width(self, d, tol):
        return 60.0 * d

    def fir_profile(self, x, w, d):
        # sqrt(S_U) = sqrt(w)/(1 + q^2 d^2): the exponential C with w -> sqrt(w)
        return np.sqrt(w) / (2 * d) * np.exp(-np.abs(x) / d)


@pytest.fixture
def toy():
    fam = families.register(Toy())
    yield fam
    del families.FAMILIES[fam.name]


def test_toy_family_runs_through_the_per_model_stages(toy):
    w, d, m = 0.1, 0.5, 1.0
    model = Model("toy", w, d)
    assert model.kind is toy
    # disorder stage: the sampled correlator is the toy's
    ds = disorder_dataset(model, 3, 0.05, 64, 2, 0.05, 8, 400_000)
    err = np.abs(ds["correlator"] - ds["correlator_target"]) / ds["correlator_stderr"]
    assert float(err.max()) < 5.0
    assert np.allclose(ds["correlator_target"], toy.correlator(ds["lag"].values, w, d))
    # localization stage: transfer matrices against the toy's Born xi
    energies = np.array([2.0, 8.0])
    dx, att = choose_dx(model, energies, m, 0.1, 2e6, 0.1, 0.6, 8, 0.2)
    loc = localization_dataset(
        run_lyapunov(model, energies, m, 1, dx, 0.1, 2e6, attempt=att), model, m
    )
    xb = theory.xi_born(energies, "toy", m, w, d)
    assert np.allclose(loc["xi"].values, xb, rtol=0.5)
    # hot-cold stage: the toy family in the sweep, Born inputs
    cfg = copy.deepcopy(default_config())
    cfg["disorder"].update(families=["toy"], d=[0.0, d])
    cfg["temperatures"] = {"min": 1e-4, "max": 1e-2, "num": 3, "spacing": "log"}
    hc = hotcold_dataset(cfg, settings={"energy_num": 80, "tc_scan_num": 32}, log=lambda s: None)
    assert list(hc["family"].values) == ["white", "toy"]  # white noise (d = 0): its own entry
    assert hc["is_model"].values.tolist() == [[True, False], [False, True]]
    assert np.isfinite(hc["eps_th"].sel(dim=1, family="toy", d=d)).any()


def test_stream_of_the_toy_family_is_reproducible(toy):
    model = Model("toy", 1.0, 0.3)
    seed = model_seed(5, model, "localization")
    a = PotentialStream(model, 0.03, seed).take(150_000)
    s = PotentialStream(model, 0.03, seed)
    assert np.array_equal(a, np.concatenate([s.take(n) for n in (1, 77_777, 72_222)]))


def toy_source() -> str:
    """The :class:`Toy` family as the lines a maintainer would append to families.py."""
    body = inspect.getsource(Toy).replace("(families.Family)", "(Family)")
    return f"\n\n{body}\n\nregister(Toy())\n"


@pytest.mark.slow
@pytest.mark.workflow
def test_toy_family_added_in_families_py_runs_the_tiny_workflow(tmp_path):
    """Adding a family = a class + register() in families.py and the schema enum entry.

    A copy of the project gets exactly these two edits; the tiny workflow then runs
    every stage (datasets and figures) for the toy family beside white noise.
    """
    import os
    import shutil
    import subprocess
    import sys

    from conftest import tiny_config

    proj = tmp_path / "proj"
    ignore = shutil.ignore_patterns("__pycache__", "results", ".snakemake", "*.egg-info")
    proj.mkdir()
    shutil.copy2(ROOT / "Snakefile", proj / "Snakefile")
    for name in ("config", "workflow", "src", "profiles"):
        shutil.copytree(ROOT / name, proj / name, ignore=ignore, symlinks=True)
    fam_py = proj / "src/hotcold/families.py"
    fam_py.write_text(fam_py.read_text() + toy_source())
    schema = proj / "src/hotcold/schemas/config.schema.yaml"  # workflow/schemas links to it
    text = schema.read_text()
    old = "enum: [white, lorentzian, exponential, gaussian]}"
    assert text.count(old) == 1
    schema.write_text(text.replace(old, "enum: [white, lorentzian, exponential, gaussian, toy]}"))

    cfg = tiny_config()
    cfg["disorder"].update(families=["toy"], d=[0.0, 0.5])
    work = tmp_path / "run"
    work.mkdir()
    (work / "config.yaml").write_text(yaml.safe_dump(cfg))
    env = dict(os.environ, PYTHONPATH=str(proj / "src"), PYTHONHASHSEED="0")
    cmd = [sys.executable, "-m", "snakemake", "-s", str(proj / "Snakefile"), "-d", str(work)]
    cmd += ["--configfile", str(work / "config.yaml"), "-c2"]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=1800, env=env)
    assert proc.returncode == 0, proc.stderr[-5000:]
    import xarray as xr

    with xr.open_dataset(work / "results/hotcold.nc") as hc:
        assert list(hc["family"].values) == ["white", "toy"]  # white noise (d = 0): its own entry
        assert np.isfinite(hc["eps_th"].sel(dim=1, family="toy", d=0.5)).any()
    with xr.open_dataset(work / "results/localization.nc") as loc:
        assert (loc["xi_source"].sel(family="toy", d=0.5) == 0).any()  # measured
