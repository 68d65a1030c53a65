"""Bad input never ends in a traceback (issue 13): a table of bad configurations.

Every case must be rejected before any job runs, with a message whose line
starts with the config key and says how to fix it.  Most cases go through the
Python validator (fast); a representative subset goes through the real
``snakemake`` command line, and the cases Snakemake itself parses before the
workflow is read (missing ``--configfile``, YAML syntax, dotted ``--config``
keys) through the pre-flight check ``python -m hotcold.config``.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, default_config, run_snakemake

from hotcold.config import ConfigError, load_schema, preflight, validate_config
from hotcold.schema import schema_defaults

SCHEMA = load_schema(ROOT / "workflow" / "schemas" / "config.schema.yaml")
NAN, INF = float("nan"), float("inf")


def _set(path: str, value):
    """A mutation setting the dotted ``path`` of the config to ``value``."""

    def mutate(cfg: dict) -> None:
        *parents, last = path.split(".")
        node = cfg
        for p in parents:
            node = node.setdefault(p, {})
        node[last] = value

    return mutate


def _drop(path: str):
    def mutate(cfg: dict) -> None:
        *parents, last = path.split(".")
        node = cfg
        for p in parents:
            node = node[p]
        del node[last]

    return mutate


# (id, mutation of the default config, key the message must start with)
TABLE = [
    # wrong types
    ("w not a number", _set("disorder.w", "abc"), "disorder.w"),
    ("m boolean", _set("m", True), "m"),
    ("seed float", _set("seed", 1.5), "seed"),
    ("section scalar", _set("disorder", -0.1), "disorder"),
    ("section null", _set("spectral", None), "spectral"),
    ("grid a string", _set("temperatures", "hot"), "temperatures"),
    ("grid list of text", _set("localization.energies", [1.0, "x"]), "localization.energies[1]"),
    ("bool setting text", _set("hotcold.intermediates", "maybe"), "hotcold.intermediates"),
    # out of range / enums
    ("w zero", _set("disorder.w", 0), "disorder.w"),
    ("d negative", _set("disorder.d", [0.0, -0.5]), "disorder.d[1]"),
    ("rel_error above 0.5", _set("localization.rel_error", 0.9), "localization.rel_error"),
    ("seed negative", _set("seed", -1), "seed"),
    ("realizations 1", _set("spectral.realizations", 1), "spectral.realizations"),
    ("dimension 3", _set("dimensions", [3]), "dimensions[0]"),
    ("dimension repeated", _set("dimensions", [1, 1]), "dimensions"),
    ("unknown family", _set("disorder.families", ["pink"]), "disorder.families[0]"),
    ("xi_max negative", _set("xi_max", [1e5, -1.0]), "xi_max[1]"),
    ("x_max negative", _set("spectral.x_max", -1.0), "spectral.x_max"),
    # NaN and inf (YAML .nan/.inf, or the strings --config passes)
    ("m inf", _set("m", INF), "m"),
    ("rel_error nan", _set("localization.rel_error", NAN), "localization.rel_error"),
    ("nan as text", _set("localization.rel_error", "nan"), "localization.rel_error"),
    ("inf in a grid", _set("localization.energies", [1.0, INF]), "localization.energies[1]"),
    ("-inf T", _set("temperatures", {"min": -INF, "max": 1, "num": 3}), "temperatures.min"),
    # empty lists
    ("no dimensions", _set("dimensions", []), "dimensions"),
    ("no families", _set("disorder.families", []), "disorder.families"),
    ("no energies", _set("localization.energies", []), "localization.energies"),
    ("no temperatures", _set("temperatures", []), "temperatures"),
    ("2D T/Delta_c zero", _set("temperatures_2d", [0.0, 0.1]), "temperatures_2d[0]"),
    (
        "2D T/Delta_c max < min",
        _set("temperatures_2d", {"min": 1.0, "max": 0.1, "num": 3}),
        "temperatures_2d.max",
    ),
    # unknown / missing nested keys
    ("typo in nested key", _set("disorder.famlies", ["white"]), "disorder.famlies"),
    ("unknown top key", _set("bogus", 1), "bogus"),
    ("unknown grid key", _set("temperatures.step", 2), "temperatures.step"),
    ("missing disorder.w", _drop("disorder.w"), "disorder.w"),
    ("grid without max", _drop("localization.energies.max"), "localization.energies.max"),
    # --config 'disorder={w: -0.1}' passes the string "-0.1" (merged into disorder)
    ("nested --config text", _set("disorder.w", "-0.1"), "disorder.w"),
    # grids: num, spacing, log > 0, min < max
    ("grid num 0", _set("localization.energies.num", 0), "localization.energies.num"),
    ("grid num float", _set("temperatures.num", 2.5), "temperatures.num"),
    (
        "grid spacing",
        _set("localization.energies.spacing", "cubic"),
        "localization.energies.spacing",
    ),
    ("log grid from 0", _set("temperatures", {"min": 0, "max": 1, "num": 3}), "temperatures.min"),
    (
        "log energies < 0",
        _set("localization.energies", {"min": -1, "max": 2, "num": 3, "spacing": "log"}),
        "localization.energies.min",
    ),
    (
        "T min > max",
        _set("temperatures", {"min": 0.1, "max": 0.01, "num": 3}),
        "temperatures.max",
    ),
    (
        "energies min > max",
        _set("localization.energies", {"min": 32, "max": 0.25, "num": 5, "spacing": "lin"}),
        "localization.energies.max",
    ),
    (
        "grid min = max, num 4",
        _set("temperatures", {"min": 0.05, "max": 0.05, "num": 4}),
        "temperatures.max",
    ),
    (
        "grid num 1 drops max",
        _set("localization.energies", {"min": 1, "max": 2, "num": 1}),
        "localization.energies.num",
    ),
    (
        "T min 0 (lin) with 1D",
        _set("temperatures", {"min": 0, "max": 0.1, "num": 3, "spacing": "lin"}),
        "temperatures.min",
    ),
    (
        "T <= 0 listed with 1D",
        _set("temperatures", [0.01, -0.02]),
        "temperatures[1]",
    ),
    (
        "matrix-element energies min > max",
        _set(
            "matrix_elements.models",
            [{"family": "white", "d": 0.0, "energies": {"min": 16, "max": 1.6, "num": 4}}],
        ),
        "matrix_elements.models[0].energies.max",
    ),
    (
        "matrix-element T = 0",
        _set("matrix_elements.temperatures", [0.0, 0.01]),
        "matrix_elements.temperatures[0]",
    ),
    # other min/max pairs and caps
    (
        "omega_min > omega_max",
        _set("spectral", {"omega_min": 2, "omega_max": 1}),
        "spectral.omega_max",
    ),
    (
        "omega_min = omega_max",
        _set("spectral", {"omega_min": 1, "omega_max": 1}),
        "spectral.omega_max",
    ),
    ("omega fit has no bins", _set("spectral.fit_omega_max", 0.02), "spectral.fit_omega_max"),
    ("x_max inside x_cut", _set("spectral.x_max", 1.0), "spectral.x_max"),
    ("energy_max below eps_F", _set("hotcold.energy_max", 0.5), "hotcold.energy_max"),
    ("max_cells < 32 chunks", _set("localization.max_cells", 4e5), "localization.max_cells"),
    ("xi_c overflows (huge d)", _set("disorder.d", [0.0, 1e300]), "spectral.box_length"),
    ("ED box too large (weak w)", _set("disorder.w", 1e-4), "spectral.box_length"),
    ("d unused with white only", _set("disorder.families", ["white"]), "disorder.d"),
    # regime problems, caught before any job (issue 19 item 7)
    ("strong disorder (k_F xi_c < 10)", _set("disorder.w", 3.0), "disorder.w"),
    ("ED lattice coarser than the Fermi wavelength", _set("spectral.dx", 1.0), "spectral.dx"),
    # the 2D localization stage (issue 20), enabled
    (
        "2D lattice too coarse for k a",
        _set("localization2d", {"enabled": True, "a": 0.5}),
        "localization2d.a",
    ),
    (
        "2D lattice too coarse for d",
        _set(
            "localization2d",
            {"enabled": True, "a": 0.125, "models": [{"family": "gaussian", "d": 0.2}]},
        ),
        "localization2d.a",
    ),
    (
        "2D strips too narrow for any point",
        _set("localization2d", {"enabled": True, "widths": [2.0]}),
        "localization2d.widths",
    ),
    (
        "2D strip of fewer than 2 sites",
        _set("localization2d", {"enabled": True, "widths": [0.1, 4.0]}),
        "localization2d.widths",
    ),
    (
        "2D label below the band",
        _set("localization2d", {"enabled": True, "energies": [0.0, 1.0]}),
        "localization2d.energies[0]",
    ),
    (
        "2D flux with no effect",
        _set("localization2d", {"enabled": True, "flux": 1.0}),
        "localization2d.flux",
    ),
    (
        "n_T unresolvable at the configured cost",
        _set("temperatures", {"min": 2e-5, "max": 2e-4, "num": 4}),
        "temperatures",
    ),
]


def _check_message(problems: list[str], key: str) -> None:
    assert any(line.startswith(f"{key}:") for line in problems), problems
    for line in problems:
        assert ". Fix: " in line, f"no fix in: {line}"
        assert "Traceback" not in line and "WorkflowError" not in line


def test_table_has_the_issue_cases():
    assert len(TABLE) >= 25
    assert len({t[0] for t in TABLE}) == len(TABLE)


@pytest.mark.parametrize("what,mutate,key", TABLE, ids=[t[0] for t in TABLE])
def test_bad_config_names_key_and_fix(what, mutate, key):
    cfg = default_config()
    mutate(cfg)
    with pytest.raises(ConfigError) as exc:
        validate_config(cfg, SCHEMA)
    _check_message(exc.value.problems, key)


def test_nested_command_line_strings_are_values():
    """``--config 'hotcold={intermediates: false}'`` passes "false": it means false."""
    cfg = default_config()
    cfg["hotcold"] = {"intermediates": "false"}
    cfg["spectral"] = {"x_max": "null", "omega_num": "8"}
    out = validate_config(cfg, SCHEMA)
    assert out["hotcold"]["intermediates"] is False
    assert out["spectral"]["x_max"] is None and out["spectral"]["omega_num"] == 8


def test_boundary_values_are_accepted():
    """The rules are not stricter than the physics: edge cases that are valid pass."""
    cfg = default_config()
    cfg["temperatures"] = {"min": 0.05, "max": 0.05, "num": 1}  # one temperature
    cfg["localization"]["energies"] = [-0.5, 1.0]  # below the band bottom is computed
    cfg["localization"]["max_cells"] = 32 * schema_defaults("localization")["chunk"]
    cfg["spectral"] = {"x_max": 2.5}  # one bin beyond x_cut = 2 (x_step 0.25)
    validate_config(cfg, SCHEMA)
    weak = default_config()
    weak["disorder"]["w"] = 1e-4  # an ED box of ~1e8 sites ...
    weak["dimensions"] = [2]  # ... is not built when only the 2D closed forms run
    validate_config(weak, SCHEMA)


# -- the real command line ------------------------------------------------------------


def _output(proc: subprocess.CompletedProcess) -> str:
    return proc.stdout + proc.stderr


def _assert_rejected_before_any_job(proc, work: Path, key: str) -> str:
    out = _output(proc)
    assert proc.returncode != 0, out[-2000:]
    assert not (work / "results").exists()
    lines = [ln for ln in out.splitlines() if key in ln]
    assert lines, out[-2000:]
    return out


CLI = [
    ("nested --config key", {}, ["--config", "disorder={w: -0.1}"], "disorder.w"),
    (
        "T min > max",
        {},
        ["--config", "temperatures={min: 0.1, max: 0.01, num: 3}"],
        "temperatures.max",
    ),
    (
        "omega_min > omega_max",
        {"spectral": {"omega_min": 2, "omega_max": 1}},
        [],
        "spectral.omega_max",
    ),
    ("nan in a file", {"localization": {"rel_error": NAN}}, [], "localization.rel_error"),
    ("wrong type", {}, ["--config", "seed=abc"], "seed"),
    ("empty list", {}, ["--config", "dimensions=[]"], "dimensions"),
    ("typo", {"disorder": {"famlies": ["white"]}}, [], "disorder.famlies"),
    ("strong disorder", {}, ["--config", "disorder={w: 3.0}"], "disorder.w"),
    (
        "n_T unresolvable",
        {},
        ["--config", "temperatures={min: 2e-5, max: 2e-4, num: 4}"],
        "temperatures",
    ),
]


@pytest.mark.workflow
@pytest.mark.parametrize("what,overrides,args,key", CLI, ids=[c[0] for c in CLI])
def test_cli_rejects_before_any_job(tmp_path, what, overrides, args, key):
    """``snakemake`` stops before any job: the key first, the fix, no traceback, exit 1."""
    cfile = tmp_path / "my.yaml"
    cfile.write_text(_yaml(overrides))
    proc = run_snakemake(tmp_path, "-c1", "--configfile", str(cfile), *args, check=False)
    out = _assert_rejected_before_any_job(proc, tmp_path, key)
    assert "Traceback" not in out and "WorkflowError" not in out
    first = next(ln for ln in out.splitlines() if key in ln)
    assert first.startswith(f"{key}:") and ". Fix: " in first, first


def _yaml(obj) -> str:
    import yaml

    return yaml.safe_dump(obj) if obj else "{}\n"


@pytest.mark.workflow
def test_cli_yaml_error_in_default_config_names_file_and_line(tmp_path):
    """A YAML syntax error in config/config.yaml (the embedded default): file:line, no traceback."""
    repo = tmp_path / "repo"
    repo.mkdir()
    for part in ("Snakefile", "workflow", "config", "profiles"):
        src = ROOT / part
        (shutil.copytree if src.is_dir() else shutil.copy)(src, repo / part)
    cfg = repo / "config" / "config.yaml"
    lines = cfg.read_text().splitlines()
    lines[4] = "seed: [1, 2"  # line 5: an unclosed flow sequence
    cfg.write_text("\n".join(lines) + "\n")
    work = tmp_path / "work"
    work.mkdir()
    proc = subprocess.run(
        [sys.executable, "-m", "snakemake", "-s", str(repo / "Snakefile"), "-d", str(work), "-c1"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    out = _assert_rejected_before_any_job(proc, work, "config.yaml")
    assert "Traceback" not in out and "WorkflowError" not in out
    first = next(ln for ln in out.splitlines() if "config.yaml:" in ln)
    assert first.startswith(f"{cfg}:5:") or first.startswith(f"{cfg}:6:"), first
    assert ". Fix: " in first


# What Snakemake reads before the workflow: it fails before any job and names the
# file or key, but with its own message.  The pre-flight check reports them cleanly.
PRE_WORKFLOW = [
    ("missing configfile", ["--configfile", "doesnotexist.yaml"], "doesnotexist.yaml"),
    ("dotted --config key", ["--config", "disorder.w=-0.1"], "disorder.w"),
    ("one-letter --config key", ["--config", "m=2"], "m"),
    ("YAML syntax error", ["--configfile", "broken.yaml"], "broken.yaml"),
]


def _broken_yaml(work: Path) -> None:
    (work / "broken.yaml").write_text("disorder:\n  w: 0.1\n   d: [0, 1\n")


def _snakemake_in(work: Path, *args: str) -> subprocess.CompletedProcess:
    """The root Snakefile run from ``work`` (relative paths as a user types them)."""
    return subprocess.run(
        [sys.executable, "-m", "snakemake", "-s", str(ROOT / "Snakefile"), "-c1", *args],
        cwd=work,
        capture_output=True,
        text=True,
        timeout=300,
    )


# Snakemake's own last line for each (what the README quotes)
SNAKEMAKE_SAYS = {
    "missing configfile": "No such file or directory: 'doesnotexist.yaml'",
    "dotted --config key": "Config entry must start with a valid identifier",
    "YAML syntax error": "Config file is not valid JSON or YAML",
    "one-letter --config key": "Config entry must start with a valid identifier",
}


@pytest.mark.workflow
@pytest.mark.parametrize("what,args,key", PRE_WORKFLOW, ids=[c[0] for c in PRE_WORKFLOW])
def test_cli_pre_workflow_errors_stop_before_any_job(tmp_path, what, args, key):
    """They stop before any job, with the message the README documents."""
    _broken_yaml(tmp_path)
    proc = _snakemake_in(tmp_path, *args)
    assert proc.returncode != 0
    assert not (tmp_path / "results").exists()
    assert SNAKEMAKE_SAYS[what] in _output(proc)


@pytest.mark.workflow
@pytest.mark.xfail(
    strict=True,
    reason="Snakemake parses --configfile/--config before the Snakefile is read (its "
    "ConfigSettings): a missing file or a dotted key ends in Snakemake's traceback, a YAML "
    "error names no file.  Documented (README, config/README.md); python -m hotcold.config "
    "reports them.  Strict: tells us when Snakemake fixes it.",
)
@pytest.mark.parametrize("what,args,key", PRE_WORKFLOW, ids=[c[0] for c in PRE_WORKFLOW])
def test_cli_pre_workflow_errors_have_clean_messages(tmp_path, what, args, key):
    _broken_yaml(tmp_path)
    proc = _snakemake_in(tmp_path, *args)
    out = _output(proc)
    assert proc.returncode != 0
    assert "Traceback" not in out and key in out


@pytest.mark.parametrize("what,args,key", PRE_WORKFLOW, ids=[c[0] for c in PRE_WORKFLOW])
def test_preflight_reports_what_snakemake_reads_first(tmp_path, what, args, key):
    """``python -m hotcold.config`` (same arguments): the file or key first, line, fix."""
    _broken_yaml(tmp_path)
    proc = subprocess.run(
        [sys.executable, "-m", "hotcold.config", "--root", str(ROOT), *args],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    first = proc.stderr.splitlines()[0]
    assert first.startswith(f"{key}:") and ". Fix: " in first, first
    if what == "YAML syntax error":
        assert first.startswith("broken.yaml:3:"), first  # the line with the bad indent
    if what == "dotted --config key":
        assert "--config 'disorder={w: -0.1}'" in first
    if what == "one-letter --config key":
        assert "--configfile" in first


def test_preflight_accepts_the_default_and_checks_like_the_workflow(tmp_path):
    assert preflight([], [], ROOT) == []
    cfile = tmp_path / "my.yaml"
    cfile.write_text("spectral: {omega_min: 2, omega_max: 1}\n")
    problems = preflight([cfile], ["temperatures={min: 0.1, max: 0.01, num: 3}"], ROOT)
    _check_message(problems, "spectral.omega_max")
    _check_message(problems, "temperatures.max")


def test_preflight_runs_the_matrix_element_checks_of_the_workflow(tmp_path):
    """The workflow's own check (validate_config) also rejects the matrix-element
    stage's settings; the pre-flight runs the same function, so it does too."""
    assert preflight([], ["interaction={range: 0}"], ROOT)[0].startswith("interaction.range:")
    cfile = tmp_path / "me.yaml"
    cfile.write_text(
        "matrix_elements:\n  enabled: true\n"
        "  models: [{family: gaussian, d: 0.3, energies: [2.0]}]\n"
    )
    _check_message(preflight([cfile], [], ROOT), "matrix_elements.models[0]")
    cfile.write_text("matrix_elements: {enabled: true, box_length: 10.0}\n")
    _check_message(preflight([cfile], [], ROOT), "matrix_elements.models[0].energies")
