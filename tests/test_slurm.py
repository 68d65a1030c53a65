"""A 12-model sweep through a real single-node SLURM cluster (issues 6 and 10).

`tests/slurm/cluster.sh` installs (Debian packages) and starts munged,
slurmctld and slurmd privately; this test submits the workflow with
`--workflow-profile slurm`, checks that the per-model jobs went out as the
profile's job groups (`groups:` / `group-components:`: ceil(12 / k) cluster
jobs for 12 models, k models per job), that they really went through SLURM
(job ids in Snakemake's log and in .snakemake/slurm_logs/group_model_*), and
that the merged dataset is bit-identical to a local run.  The daemons are
stopped by their recorded PIDs.  Skips, with the script's reason, only where
SLURM cannot be installed or started here.
"""

from __future__ import annotations

import math
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
import yaml
from conftest import ROOT, assert_bit_identical, run_snakemake, tiny_config

pytestmark = [pytest.mark.slurm, pytest.mark.workflow]
SCRIPT = ROOT / "tests" / "slurm" / "cluster.sh"


@pytest.fixture(scope="module")
def slurm_env():
    inst = subprocess.run(["bash", str(SCRIPT), "install"], capture_output=True, text=True)
    if inst.returncode == 3:
        pytest.skip(f"SLURM cannot be installed here: {inst.stderr.strip()[-300:]}")
    assert inst.returncode == 0, inst.stderr
    state = Path(tempfile.mkdtemp(prefix="hcslurm", dir="/tmp"))  # short: socket path limit
    start = subprocess.run(
        ["bash", str(SCRIPT), "start", str(state)], capture_output=True, text=True, timeout=120
    )
    if start.returncode == 3:
        pytest.skip(f"SLURM cannot be started here: {start.stderr.strip()[-300:]}")
    try:
        assert start.returncode == 0, start.stderr
        dump = subprocess.run(
            ["bash", "-c", f". {state}/env.sh && env -0"], capture_output=True, check=True
        ).stdout.decode()
        full = dict(item.split("=", 1) for item in dump.split("\0") if "=" in item)
        yield {k: full[k] for k in ("SLURM_CONF", "PATH")}
    finally:
        subprocess.run(["bash", str(SCRIPT), "stop", str(state)], capture_output=True, timeout=120)
        shutil.rmtree(state, ignore_errors=True)


def sweep12_config() -> dict:
    """3 families x 4 values of d = 12 models; a short localization run per model."""
    cfg = tiny_config()
    cfg["disorder"]["families"] = ["lorentzian", "exponential", "gaussian"]
    cfg["disorder"]["d"] = [0.125, 0.25, 0.375, 0.5]
    cfg["localization"].update(energies=[0.5, 2.0], rel_error=0.2, max_cells=5.0e5)
    return cfg


def profile_group_size() -> int:
    prof = yaml.safe_load((ROOT / "profiles" / "slurm" / "config.yaml").read_text())
    rules = {"disorder", "localization", "spectral"}
    assert {prof["groups"][r] for r in rules} == {"model"}, prof["groups"]
    return int(prof["group-components"]["model"])


def test_sweep_goes_out_as_grouped_jobs_and_matches_local(tmp_path, slurm_env):
    cfg = sweep12_config()
    n_models = 12
    per_job = profile_group_size()
    expected_jobs = math.ceil(n_models / per_job)
    assert 1 < expected_jobs < n_models  # the test only means something if groups split
    local, cluster = tmp_path / "local", tmp_path / "slurm"
    local.mkdir()
    cluster.mkdir()
    target = "results/localization.nc"
    run_snakemake(local, "-c2", target, config=cfg)
    proc = run_snakemake(
        cluster,
        "--workflow-profile",
        "slurm",
        "--default-resources",
        "slurm_partition=debug",
        "mem_mb=500",
        "runtime=10",
        # one thread per job: a group job's 2 CPUs run two models side by side
        # (and the result must not depend on the thread count)
        "--set-threads",
        "localization=1",
        "--slurm-init-seconds-before-status-checks",
        "1",
        "--slurm-keep-successful-logs",
        target,
        config=cfg,
        env=slurm_env,
        timeout=600,
    )
    out = proc.stdout + proc.stderr
    ids = set(re.findall(r"submitted with SLURM jobid (\d+)", out))
    assert len(ids) == expected_jobs, out[-3000:]  # not one job per model; merge is local
    logs = list((cluster / ".snakemake" / "slurm_logs").glob("group_model*/*.log"))
    assert {p.stem for p in logs} >= ids, logs
    done = {p.parent.name for p in (cluster / "results" / "localization").glob("*/*.nc")}
    assert done == set(cfg["disorder"]["families"])
    assert len(list((cluster / "results" / "localization").glob("*/*.nc"))) == n_models
    assert_bit_identical(local / target, cluster / target)
    # a no-op rerun through the executor submits nothing
    again = run_snakemake(
        cluster,
        "--workflow-profile",
        "slurm",
        target,
        config=cfg,
        env=slurm_env,
        timeout=300,
    )
    assert "Nothing to be done" in again.stdout + again.stderr
