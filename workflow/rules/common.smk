# Shared helpers: configuration validation (before any job runs), sweep
# expansion, per-job parameter subsets, resources and code versions.
import functools
from pathlib import Path

from hotcold import config as hc_config
from hotcold import families as hc_families
from hotcold import resources as hc_resources
from hotcold import sweep as hc_sweep
from hotcold.imports import code_version

# an invalid config ends the run here, before any job, with one "key: problem. Fix: ..."
# line per problem and exit status 1 (SystemExit: no "WorkflowError in file ... line");
# the same check as `python -m hotcold.config`, defaults filled in from the schema
hc_config.check_config(config, Path(workflow.basedir) / "workflow/schemas/config.schema.yaml")

HOTCOLD_ENV = "../envs/hotcold.yaml"  # software environment of every rule
MODELS = hc_sweep.models(config)
FAMILIES = [f for f in config["disorder"]["families"] if f != "white"] or ["white"]
D_VALUES = sorted({float(d) for d in config["disorder"]["d"]} | ({0.0} if ("white", "0") in MODELS else set()))


wildcard_constraints:
    family="|".join(hc_families.FAMILIES),
    d=r"[0-9][0-9.e+-]*",


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
        "energies": hc_sweep.localization_energies(config).tolist(),
        **{k: v for k, v in config["localization"].items() if k != "energies"},
    }


SCRIPTS = Path(workflow.basedir) / "workflow" / "scripts"


@functools.cache  # once per DAG build (the figure rules share their closure)
def code(script, *modules):
    """Code version of a job: the hash of every hotcold module that the job script
    `script` (workflow/scripts/<script>.py) and the modules it loads by name import,
    found with `ast` (hotcold.imports), so that it reruns exactly when they change."""
    return code_version(SCRIPTS / f"{script}.py", *modules)


@functools.cache  # once per job (a rule asks once per resource)
def _resources(rule, family=None, d=None):
    return hc_resources.rule_resources(rule, config, family, d, workflow.cores or 1)


def resources_of(name):
    """mem_mb and runtime [min] of the jobs of rule `name` (hotcold.resources.rule_resources)."""
    if name not in hc_resources.PER_MODEL:  # the same for every job: computed once
        return {key: _resources(name)[key] for key in ("mem_mb", "runtime")}

    def one(key):
        return lambda wildcards: _resources(name, wildcards.get("family"), wildcards.get("d"))[key]
    return {"mem_mb": one("mem_mb"), "runtime": one("runtime")}


def threads_of(rule):
    """Threads of the jobs of `rule` (hotcold.resources.threads)."""
    return hc_resources.threads(rule, config, workflow.cores or 1)


def spectral_settings():
    """Settings of the spectral stage (the whole `spectral` section, docs/physics.md §1.3)."""
    return dict(config["spectral"])


def hotcold_config():
    """The configuration subset the hotcold stage depends on (docs/physics.md §1.4)."""
    keys = ("m", "fermi_energy", "temperatures", "temperatures_2d", "dimensions", "eta_c",
            "xi_max", "interaction", "hotcold")
    out = {k: config[k] for k in keys}
    out["disorder"] = {k: v for k, v in config["disorder"].items() if k != "correlator"}
    return out


ONE_D = 1 in config["dimensions"]


def hotcold_inputs(wildcards):
    """Measured inputs of the hotcold stage: 1D localization and spectral (when dim 1 is
    swept), the matrix elements only with hotcold.v_hc: numerical (docs/physics.md §2.1),
    the 2D strips with localization2d.enabled (docs/physics.md §1.2)."""
    out = {"localization2d": "results/localization2d.nc"} if LOC2D_TARGETS else {}
    if not ONE_D:
        return out
    out |= {"localization": "results/localization.nc", "spectral": "results/spectral.nc"}
    if (config.get("hotcold") or {}).get("v_hc", "closed_form") == "numerical":
        out["matrix_elements"] = "results/matrix_elements.nc"
    return out


def all_targets():
    names = [n for n in FIGURES if n not in OPTIONAL_FIGURES
             and (ONE_D or n in ("eta_map", "threshold", "conductivity"))]
    data = ["results/localization.nc", "results/spectral.nc"] if ONE_D else []
    return data + ["results/hotcold.nc"] + [
        f"results/figures/{n}.{ext}" for n in names for ext in ("pdf", "png")
    ] + ME_TARGETS + LOC2D_TARGETS  # workflow/rules/matrix_elements.smk, localization2d.smk


def ed_grid(wildcards):
    """Grid of one model's exact-diagonalization realizations (spectral stage, docs/physics.md §1.3)."""
    return _ed_grid(wildcards.family, wildcards.d)


@functools.cache  # per model: the disorder params and its resources
def _ed_grid(family, d):
    return hc_sweep.ed_grid(config, family, float(d))
