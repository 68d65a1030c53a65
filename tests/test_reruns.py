"""Cached incremental reruns (issue 6 item 3; README.md): exactly the dependent jobs rerun."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time

import pytest
import xarray as xr
from conftest import ROOT, assert_bit_identical, planned_jobs, run_snakemake, tiny_config

pytestmark = pytest.mark.workflow

LOC = "results/localization.nc"
FIG = "results/figures/localization.png"


def test_noop_and_added_d_reruns_only_new_jobs(tmp_path):
    cfg = tiny_config()
    run_snakemake(tmp_path, "-c2", LOC, FIG, config=cfg)
    # (a) an immediate rerun runs nothing
    assert planned_jobs(tmp_path, LOC, FIG, config=cfg) == {}
    old = {p: p.stat().st_mtime_ns for p in (tmp_path / "results/localization").rglob("*.nc")}
    # (c) one more d: the jobs of that d and the merges, not the others
    cfg["disorder"]["d"] = [0.0, 0.5, 0.25]
    plan = planned_jobs(tmp_path, LOC, FIG, config=cfg)
    assert plan == {"localization": 2, "merge_localization": 1, "figure_localization": 1}, plan
    run_snakemake(tmp_path, "-c2", LOC, FIG, config=cfg)
    for p, mtime in old.items():
        assert p.stat().st_mtime_ns == mtime, f"{p} was rewritten"
    with xr.open_dataset(tmp_path / LOC) as ds:
        assert list(ds["d"].values) == [0.0, 0.25, 0.5]


def test_changed_value_reruns_dependent_jobs_only(tmp_path):
    cfg = tiny_config()
    run_snakemake(tmp_path, "-c2", LOC, config=cfg)
    cfg["localization"]["rel_error"] = 0.2
    plan = planned_jobs(tmp_path, LOC, config=cfg)
    assert plan == {"localization": 3, "merge_localization": 1}, plan


def _project_copy(tmp_path):
    """A copy of the package (edited by the test), a work directory, the environment."""
    src = tmp_path / "src"
    shutil.copytree(ROOT / "src", src, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    work = tmp_path / "work"
    work.mkdir()
    return src, work, {"PYTHONPATH": str(src)}


def test_changed_physics_module_reruns_its_jobs_only(tmp_path):
    """(e) editing a package module reruns the jobs that use it, and no others."""
    src, work, env = _project_copy(tmp_path)
    cfg = tiny_config()
    run_snakemake(work, "-c2", LOC, FIG, config=cfg, env=env)
    assert planned_jobs(work, LOC, FIG, config=cfg, env=env) == {}
    with open(src / "hotcold" / "plots" / "localization.py", "a") as fh:
        fh.write("\n# a change to the figure code\n")
    assert planned_jobs(work, LOC, FIG, config=cfg, env=env) == {"figure_localization": 1}
    with open(src / "hotcold" / "localization.py", "a") as fh:
        fh.write("\n# a change to the engine\n")
    plan = planned_jobs(work, LOC, FIG, config=cfg, env=env)
    assert plan == {"localization": 3, "merge_localization": 1, "figure_localization": 1}, plan


def test_edited_module_reruns_the_jobs_that_import_it(tmp_path):
    """The code() triggers follow the import closure (hotcold.imports), not a hand list:
    an edit of thermal.py (imported by spectral.py only) reruns the spectral jobs and
    what reads them; an edit of a module no job imports (resources, the CLI) reruns
    nothing."""
    src, work, env = _project_copy(tmp_path)
    cfg = tiny_config()
    targets = (LOC, "results/spectral.nc")
    run_snakemake(work, "-c2", *targets, config=cfg, env=env)
    for module in ("resources.py", "config.py", "imports.py"):
        with open(src / "hotcold" / module, "a") as fh:
            fh.write("\n# a change no job can see\n")
        assert planned_jobs(work, *targets, config=cfg, env=env) == {}, module
    with open(src / "hotcold" / "thermal.py", "a") as fh:
        fh.write("\n# a change to the thermal passes\n")
    plan = planned_jobs(work, *targets, config=cfg, env=env)
    assert plan == {"spectral": 3, "merge_spectral": 1}, plan


def test_killed_run_resumes_bit_identical(tmp_path):
    """(d) SIGKILL of Snakemake and its job mid-run; --rerun-incomplete completes it identically."""
    cfg = tiny_config()
    cfg["disorder"]["families"] = ["lorentzian"]
    cfg["disorder"]["d"] = [0.0]
    cfg["localization"].update(energies=[4.0, 8.0, 16.0], rel_error=0.02, max_cells=1e8)
    ref, killed = tmp_path / "ref", tmp_path / "killed"
    ref.mkdir()
    killed.mkdir()
    run_snakemake(ref, "-c1", LOC, config=cfg)
    (killed / "test-config.yaml").write_text((ref / "test-config.yaml").read_text())
    cmd = [
        sys.executable,
        "-m",
        "snakemake",
        "-s",
        str(ROOT / "Snakefile"),
        "-d",
        str(killed),
        "--configfile",
        str(killed / "test-config.yaml"),
        "-c1",
        LOC,
    ]
    proc = subprocess.Popen(
        cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    log = killed / "results/logs/localization/white/d0.log"
    deadline = time.monotonic() + 120
    while not (log.exists() and "measuring" in log.read_text()):
        assert proc.poll() is None, "snakemake ended before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.05)
    time.sleep(0.3)
    assert proc.poll() is None, "the job finished before it could be killed"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert not (killed / LOC).exists()
    # what a user does after a crash (README): unlock, then rerun incomplete jobs
    run_snakemake(killed, "--unlock", config=cfg)
    run_snakemake(killed, "-c1", "--rerun-incomplete", LOC, config=cfg)
    assert_bit_identical(ref / LOC, killed / LOC)


def test_between_workflow_cache_shares_localization(tmp_path):
    """Snakemake's output cache: a second project reuses the localization results."""
    cfg = tiny_config()
    env = {"SNAKEMAKE_OUTPUT_CACHE": str(tmp_path / "cache")}
    (tmp_path / "cache").mkdir()
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    # the target goes before --cache, which takes a (here empty) list of rule names
    run_snakemake(a, "-c2", LOC, "--cache", config=cfg, env=env)
    out = run_snakemake(b, "-c2", LOC, "--cache", config=cfg, env=env)
    assert (out.stdout + out.stderr).count("from cache") == 3  # the three models
    assert_bit_identical(a / LOC, b / LOC)
