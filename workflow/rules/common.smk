# Shared helpers: configuration validation (before any job runs), sweep
# expansion, per-job parameter subsets and code versions.
import json
from pathlib import Path

from snakemake.exceptions import WorkflowError

from hotcold import config as hc_config
from hotcold.datasets import code_hash

try:
    hc_config.validate_config(
        config,
        hc_config.load_schema(Path(workflow.basedir) / "workflow/schemas/config.schema.yaml"),
    )
except hc_config.ConfigError as err:
    raise WorkflowError(str(err)) from None

HOTCOLD_ENV = "../envs/hotcold.yaml"  # software environment of every rule
MODELS = hc_config.models(config)
FAMILIES = [f for f in config["disorder"]["families"] if f != "white"] or ["white"]
D_VALUES = sorted({float(d) for d in config["disorder"]["d"]} | ({0.0} if ("white", "0") in MODELS else set()))


wildcard_constraints:
    family="white|lorentzian|exponential|gaussian",
    d=r"[0-9][0-9.e+-]*",


def model_files(pattern):
    """Expand a per-model path pattern over every (family, d) model."""
    return [pattern.format(family=f, d=d) for f, d in MODELS]


def model_params(wildcards):
    """The disorder model of a per-model job."""
    return {"family": wildcards.family, "w": config["disorder"]["w"], "d": float(wildcards.d)}


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


def all_targets():
    return [
        "results/localization.nc",
        "results/figures/localization.pdf",
        "results/figures/localization.png",
    ]


def ed_grid():
    """Grid of the exact-diagonalization realizations (spectral stage, SPEC 1.3)."""
    sp = config["spectral"]
    dx = float(sp.get("dx", 0.1))
    sites = int(round(float(sp.get("box_length", 400.0)) / dx))
    n = int(sp.get("realizations", 64))
    return {"dx": dx, "sites": sites, "realizations": n, "bytes": 8 * sites * n}
