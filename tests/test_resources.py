"""Cluster resources (issue 18 item 5): every rule's come from hotcold.resources."""

from __future__ import annotations

import math
import re

import pytest
import yaml
from conftest import ROOT, run_snakemake

from hotcold import resources, sweep
from hotcold.validation import validate_config


def _default() -> dict:
    return validate_config(yaml.safe_load((ROOT / "config" / "config.yaml").read_text()))


def _dry_run_jobs(workdir, *args) -> list[dict]:
    """Rule, wildcards, threads and resources of every job a dry run prints."""
    out = run_snakemake(workdir, "-n", "-c2", "--forceall", *args).stdout
    jobs = []
    for block in re.split(r"\n(?=(?:local)?rule \w+:)", out):
        head = re.match(r"(?:local)?rule (\w+):", block)
        if not head or head.group(1) == "all":
            continue
        wc = dict(re.findall(r"(\w+)=([^,\s]+)", _line(block, "wildcards")))
        res = dict(re.findall(r"(\w+)=([^,\s]+)", _line(block, "resources")))
        threads = _line(block, "threads")
        jobs.append(
            {
                "rule": head.group(1),
                "family": wc.get("family"),
                "d": wc.get("d"),
                "threads": int(threads) if threads else 1,
                "mem_mb": int(res["mem_mb"]),
                "runtime": int(res["runtime"]),
            }
        )
    return jobs


def _line(block: str, key: str) -> str:
    m = re.search(rf"^\s+{key}: (.*)$", block, re.M)
    return m.group(1) if m else ""


@pytest.mark.workflow
def test_every_job_gets_the_resources_of_hotcold_resources(tmp_path):
    """What the rules call: the dry run's mem_mb, runtime and threads of every job."""
    cfg = _default()
    jobs = _dry_run_jobs(tmp_path)
    rules = {j["rule"] for j in jobs}
    assert {"disorder", "localization", "spectral", "hotcold", "merge_spectral"} <= rules
    assert any(r.startswith("figure_") for r in rules)
    for job in jobs:
        want = resources.rule_resources(job["rule"], cfg, job["family"], job["d"], cores=2)
        got = {k: job[k] for k in ("mem_mb", "runtime", "threads")}
        assert got == want, job


@pytest.mark.workflow
def test_matrix_element_jobs_get_their_resources(tmp_path):
    args = ("--configfile", str(ROOT / "config" / "matrix_elements.yaml"))
    cfg = _default()
    cfg["matrix_elements"] |= yaml.safe_load(
        (ROOT / "config" / "matrix_elements.yaml").read_text()
    )["matrix_elements"]
    jobs = [j for j in _dry_run_jobs(tmp_path, *args) if j["rule"] == "matrix_elements"]
    assert len(jobs) == 2
    for job in jobs:
        want = resources.rule_resources("matrix_elements", cfg, job["family"], job["d"], cores=2)
        assert {k: job[k] for k in ("mem_mb", "runtime", "threads")} == want


def test_localization_threads_follow_models_and_cores():
    cfg = _default()
    n = len(sweep.models(cfg))
    assert resources.threads("localization", cfg, cores=n + 1) == 2
    assert resources.threads("localization", cfg, cores=n) == 1


def _states_in_window(family: str, d: float, n_sites: int, dx: float, cfg: dict, half: float):
    """Eigenstates of one real realization within eps_F +- half (Sturm count)."""
    from hotcold import eigen as sp
    from hotcold.disorder import Model, realizations

    u = realizations(Model(family, cfg["disorder"]["w"], d), dx, n_sites, 1, 1)[0]
    diag, off = sp.tridiagonal_hamiltonian(u, dx, cfg["m"])
    e_f, off2 = cfg["fermi_energy"], off**2
    return sp._sturm_count(diag, off2, e_f + half, 1e-300) - sp._sturm_count(
        diag, off2, e_f - half, 1e-300
    )


@pytest.mark.parametrize(("family", "d"), [("white", 0.0), ("gaussian", 0.5), ("lorentzian", 0.5)])
def test_spectral_memory_covers_the_eigenvectors_of_every_pass(family, d):
    """mem_mb of a default spectral job holds both workers' eigenvectors and their
    transposed pair-integral copy, for the main pass (the disorder stage's box, window
    window_T max T) and for the Mott pass (its own, longer box), counted on real
    realizations (the main-pass-only estimate of the past missed the Mott box)."""
    from hotcold.theory import xi_born

    cfg = _default()
    sp = cfg["spectral"]
    g = sweep.ed_grid(cfg, family, d)
    mem = resources.spectral(cfg, family, d)["mem_mb"] * 1e6
    w_main = sp["window_T"] * max(sweep.expand_grid(cfg["temperatures"]))
    k = _states_in_window(family, d, g["sites"], g["dx"], cfg, w_main)
    assert mem > 2 * 2 * 8 * g["sites"] * k + g["bytes"]
    # the Mott pass: box mott.box_length xi_c (measured xi_c ~ Born here), window
    # energy_bin/2 + omega_max in Delta_c = 1/(rho_c xi_c)
    xi_c = float(xi_born(cfg["fermi_energy"], family, cfg["m"], cfg["disorder"]["w"], d))
    rho_c = cfg["m"] / (math.pi * math.sqrt(2.0 * cfg["m"] * cfg["fermi_energy"]))  # clean
    n_mott = int(sp["mott"]["box_length"] * xi_c / g["dx"])
    half = (0.5 * sp["energy_bin"] + sp["omega_max"]) / (rho_c * xi_c)
    k_mott = _states_in_window(family, d, n_mott, g["dx"], cfg, half)
    assert mem > 2 * 2 * 8 * n_mott * k_mott
