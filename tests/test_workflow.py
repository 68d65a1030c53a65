"""End-to-end workflow tests in temporary directories.
(issue 3; docs/physics.md §2, config/README.md, README.md)."""

from __future__ import annotations

import copy
import json
import re

import numpy as np
import pytest
import xarray as xr
from conftest import ROOT, assert_bit_identical, default_config, run_snakemake, tiny_config

from hotcold.config import ConfigError, load_schema, validate_config

SCHEMA = load_schema(ROOT / "workflow" / "schemas" / "config.schema.yaml")

BAD = [
    ("unknown key", lambda c: c.update(bogus=1), "bogus"),
    ("negative w", lambda c: c["disorder"].update(w=-1.0), "disorder.w"),
    ("negative d", lambda c: c["disorder"].update(d=[0.0, -0.5]), "disorder.d"),
    ("rel_error zero", lambda c: c["localization"].update(rel_error=0), "localization.rel_error"),
    (
        "rel_error negative",
        lambda c: c["localization"].update(rel_error=-0.1),
        "localization.rel_error",
    ),
    ("empty energies", lambda c: c["localization"].update(energies=[]), "localization.energies"),
    ("bad family", lambda c: c["disorder"].update(families=["pink"]), "disorder.families"),
    (
        "infinite energy",
        lambda c: c["localization"].update(energies=[1.0, float("inf")]),
        "localization.energies",
    ),
    (
        "nan energy",
        lambda c: c["localization"].update(energies=[float("nan")]),
        "localization.energies",
    ),
    (
        "log T grid from 0",
        lambda c: c.update(temperatures={"min": 0, "max": 1, "num": 3}),
        "temperatures.min",
    ),
    ("unknown spectral key", lambda c: c.update(spectral={"box": 1}), "spectral"),
    ("bad 2D symmetry", lambda c: c.update(hotcold={"symmetry": "chiral"}), "hotcold.symmetry"),
    ("eta_c zero", lambda c: c.update(eta_c=0), "eta_c"),
]


@pytest.mark.parametrize("what,mutate,key", BAD, ids=[b[0] for b in BAD])
def test_invalid_config_rejected_in_python(what, mutate, key):
    cfg = default_config()
    mutate(cfg)
    with pytest.raises(ConfigError) as exc:
        validate_config(cfg, SCHEMA)
    assert key in str(exc.value)


@pytest.mark.workflow
@pytest.mark.parametrize("what,mutate,key", BAD[:9:2], ids=[b[0] for b in BAD[:9:2]])
def test_invalid_config_rejected_before_any_job(tmp_path, what, mutate, key):
    """The CLI rejects the config before any job runs, naming the key, no traceback."""
    cfg = default_config()
    mutate(cfg)
    proc = run_snakemake(tmp_path, "-c1", config=cfg, check=False)
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert key in out
    assert "Traceback" not in out and "WorkflowError" not in out
    assert not (tmp_path / "results").exists()


def test_default_config_is_valid_and_numeric_strings_accepted():
    cfg = default_config()
    validate_config(cfg, SCHEMA)
    cfg2 = copy.deepcopy(default_config())
    cfg2["localization"]["max_cells"] = "1e8"  # YAML 1.1 reads this as a string
    assert validate_config(cfg2, SCHEMA)["localization"]["max_cells"] == 1e8


@pytest.mark.workflow
def test_end_to_end_tiny_localization(tmp_path):
    cfg = tiny_config()
    run_snakemake(
        tmp_path, "-c2", "results/localization.nc", "results/figures/localization.png", config=cfg
    )
    ds = xr.open_dataset(tmp_path / "results" / "localization.nc")
    for name in ("xi", "xi_stderr", "lyapunov", "idos", "dos", "xi_born", "xi_source"):
        assert set(ds[name].dims) == {"family", "d", "energy"}, name
    for name, var in ds.data_vars.items():
        assert "units" in var.attrs and "long_name" in var.attrs, name
    assert "Eq. (2)" in ds["xi_born"].attrs["equation"]
    assert ds["xi_source"].attrs["flag_meanings"] == "measured born"
    assert ds.attrs["Conventions"].startswith("CF-")
    for key in ("hotcold_version", "git_revision", "config", "seeds", "date_created"):
        assert key in ds.attrs, key
    assert json.loads(ds.attrs["config"])["localization"]["rel_error"] == 0.1
    assert list(ds["family"].values) == ["white", "lorentzian", "exponential"]
    assert list(ds["d"].values) == [0.0, 0.5]
    assert 1.0 in ds["energy"].values  # the Fermi energy is always on the grid
    # white noise is one model, stored once at (white, 0); the other cells are missing
    assert ds["is_model"].values.tolist() == [[True, False], [False, True], [False, True]]
    assert int(ds["is_model"].sel(d=0.0).sum()) == 1
    model = ds["is_model"].broadcast_like(ds["xi"]).values
    # no silent NaN: xi is finite in every model (measured or Born, flagged), NaN elsewhere
    assert np.isfinite(ds["xi"].values[model]).all()
    assert np.isnan(ds["xi"].values[~model]).all()
    assert (tmp_path / "results" / "logs" / "localization" / "white" / "d0.log").read_text()


DATASETS = ("results/localization.nc", "results/spectral.nc", "results/hotcold.nc")


@pytest.mark.workflow
def test_reproducible_across_core_counts_tiny(tmp_path):
    """-c1 and -c2 give bit-identical data variables (tiny config)."""
    cfg = tiny_config()
    a, b = tmp_path / "c1", tmp_path / "c2"
    a.mkdir()
    b.mkdir()
    run_snakemake(a, "-c1", *DATASETS, config=cfg)
    run_snakemake(b, "-c2", *DATASETS, config=cfg)
    for path in DATASETS:
        assert_bit_identical(a / path, b / path)


@pytest.mark.slow
@pytest.mark.workflow
def test_reproducible_across_core_counts_default(tmp_path):
    """The default workflow's merged datasets are bit-identical with -c1 and -c2."""
    a, b = tmp_path / "c1", tmp_path / "c2"
    a.mkdir()
    b.mkdir()
    run_snakemake(a, "-c1", *DATASETS, timeout=2400)
    run_snakemake(b, "-c2", *DATASETS, timeout=2400)
    for path in DATASETS:
        assert_bit_identical(a / path, b / path)


@pytest.mark.workflow
def test_plain_snakemake_uses_default_profile():
    """`snakemake -n` from the repository root plans the default job with the workflow
    profile profiles/default (README's run command; README.md).  --forceall: the plan is
    the whole default job also after the default run (results/ up to date, issue 19)."""
    import subprocess
    import sys

    proc = subprocess.run(
        [sys.executable, "-m", "snakemake", "-n", "--forceall"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-3000:]
    assert "workflow specific profile profiles/default" in out, out[:2000]
    stats = out.split("Job stats:", 1)[1]
    assert re.search(r"^all\s+1$", stats, re.M), stats[:800]


@pytest.mark.workflow
@pytest.mark.parametrize(
    ("families", "d", "threads"), [('["lorentzian"]', "[0.5]", 2), (None, None, 1)]
)
def test_localization_threads_follow_model_count(families, d, threads):
    """Localization jobs take 2 threads when there are fewer models than cores (one model
    here), 1 when there are more (the default 7 models on 2 cores: two jobs at a time)."""
    import subprocess
    import sys

    cmd = [sys.executable, "-m", "snakemake", "-n", "-F", "--cores", "2"]
    if families:
        cmd += ["--config", f'disorder={{"families": {families}, "d": {d}}}']
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-3000:]
    blocks = [b for b in re.split(r"\n(?=\S)", out) if b.startswith("rule localization:")]
    assert blocks, out[:2000]
    for b in blocks:
        m = re.search(r"^\s+threads: (\d+)$", b, re.M)
        assert (int(m.group(1)) if m else 1) == threads, b


def test_profiles_at_the_root():
    """Snakemake looks for profiles/<name> next to the Snakefile: both profiles live there."""
    for name in ("default", "slurm"):
        assert (ROOT / "profiles" / name / "config.yaml").is_file(), name
    assert not (ROOT / "workflow" / "profiles").exists()
