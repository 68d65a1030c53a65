"""The tiny sweep through a real single-node SLURM cluster (issue 6 item 2).

`tests/slurm/cluster.sh` installs (Debian packages) and starts munged,
slurmctld and slurmd privately; this test submits the workflow with
`--workflow-profile slurm`, checks that the jobs really went
through SLURM (job ids in Snakemake's log and in .snakemake/slurm_logs), and
that the merged dataset is bit-identical to a local run.  The daemons are
stopped by their recorded PIDs.  Skips, with the script's reason, only where
SLURM cannot be installed or started here.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
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


def test_tiny_sweep_through_slurm_matches_local(tmp_path, slurm_env):
    cfg = tiny_config()
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
    assert len(ids) == 3, out[-3000:]  # the three localization jobs; the merge is local
    logs = list((cluster / ".snakemake" / "slurm_logs").rglob("*.log"))
    assert {p.stem for p in logs} >= ids
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
