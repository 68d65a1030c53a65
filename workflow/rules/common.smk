# Shared helpers: configuration validation (before any job runs), sweep
# expansion, per-job parameter subsets and code versions.
import functools
import json
from pathlib import Path

from hotcold import code_hash
from hotcold import config as hc_config
from hotcold import families as hc_families

# an invalid config ends the run here, before any job, with one "key: problem. Fix: ..."
# line per problem and exit status 1 (SystemExit: no "WorkflowError in file ... line")
hc_config.check_config(config, Path(workflow.basedir) / "workflow/schemas/config.schema.yaml")
# interaction.range > 0 and the matrix-element stage's boxes (issue 11), also before any job
if me_problems := hc_config.matrix_elements_problems(config):
    hc_config.exit_with(me_problems)

HOTCOLD_ENV = "../envs/hotcold.yaml"  # software environment of every rule
MODELS = hc_config.models(config)
FAMILIES = [f for f in config["disorder"]["families"] if f != "white"] or ["white"]
D_VALUES = sorted({float(d) for d in config["disorder"]["d"]} | ({0.0} if ("white", "0") in MODELS else set()))


wildcard_constraints:
    family="|".join(hc_families.FAMILIES),
    d=r"[0-9][0-9.e+-]*",


def localization_threads():
    """Threads of one localization job: 2 (numba threads over energies) when there are
    fewer models than cores, else 1.  One thread keeps both cores busy with two jobs at a
    time; two threads on one job use about 1.65 of them (the last energies run alone).
    The result does not depend on it (every energy is computed by one thread)."""
    return 2 if len(MODELS) < (workflow.cores or 1) else 1


def model_files(pattern):
    """Expand a per-model path pattern over every (family, d) model."""
    return [pattern.format(family=f, d=d) for f, d in MODELS]


def model_params(wildcards):
    """The disorder model of a per-model job."""
    return {"family": wildcards.family, "w": config["disorder"]["w"], "d": float(wildcards.d)}


@functools.cache  # once per run, not once per job (resources call it per job; bench_dag.py)
def localization_params():
    """Settings of the localization stage (every value a job's result depends on)."""
    return {
        "m": config["m"],
        "seed": config["seed"],
        "energies": hc_config.localization_energies(config).tolist(),
        **{k: v for k, v in config["localization"].items() if k != "energies"},
    }


def code(*modules):
    """Code version of the hotcold modules a job uses (reruns it when they change)."""
    return code_hash(*modules)


def spectral_settings():
    """Settings of the spectral stage (the whole `spectral` section, SPEC 1.3)."""
    return dict(config["spectral"])


def hotcold_config():
    """The configuration subset the hotcold stage depends on (SPEC 1.4)."""
    keys = ("m", "fermi_energy", "temperatures", "dimensions", "eta_c", "xi_max", "interaction",
            "hotcold")
    out = {k: config[k] for k in keys}
    out["disorder"] = {k: v for k, v in config["disorder"].items() if k != "correlator"}
    return out


ONE_D = 1 in config["dimensions"]


def hotcold_inputs(wildcards):
    """Measured 1D inputs of the hotcold stage (none when only dim = 2 is swept); the
    matrix elements only with hotcold.v_hc: numerical (CONTRACTS.md)."""
    if not ONE_D:
        return {}
    out = {"localization": "results/localization.nc", "spectral": "results/spectral.nc"}
    if (config.get("hotcold") or {}).get("v_hc", "closed_form") == "numerical":
        out["matrix_elements"] = "results/matrix_elements.nc"
    return out


def all_targets():
    names = [n for n in FIGURES if ONE_D or n in ("eta_map", "threshold", "conductivity")]
    data = ["results/localization.nc", "results/spectral.nc"] if ONE_D else []
    return data + ["results/hotcold.nc"] + [
        f"results/figures/{n}.{ext}" for n in names for ext in ("pdf", "png")
    ] + ME_TARGETS  # workflow/rules/matrix_elements.smk


def ed_grid(wildcards):
    """Grid of one model's exact-diagonalization realizations (spectral stage, SPEC 1.3)."""
    return _ed_grid(wildcards.family, wildcards.d)


@functools.cache  # 4 callers per model (disorder params and mem, spectral mem and runtime)
def _ed_grid(family, d):
    return hc_config.ed_grid(config, family, float(d))


def spectral_mem_mb(wildcards):
    """Realizations + per worker process: one realization's eigenpairs (~10 L/xi_c states)
    and a batch of FFT pair products."""
    g = ed_grid(wildcards)
    states = 10 * config["spectral"]["box_length"] + 50
    per_worker = 300_000_000 + 8 * g["sites"] * states + 256 * 4 * g["sites"] * 16
    return 400 + (g["bytes"] + 2 * per_worker) // 1_000_000


def spectral_runtime(wildcards):
    """Minutes: <= 2 s per realization per 10^4 sites (benchmarks/bench_spectral.py), 2 workers."""
    g = ed_grid(wildcards)
    return 5 + int(g["realizations"] * g["sites"] * 1e-4 * 2.0 / 60 / 2)
