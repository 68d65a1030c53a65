"""Packaging: environment.yml mirrors pyproject.toml; README commands and CI agree."""

from __future__ import annotations

import re
import tomllib

import yaml
from conftest import ROOT


def _split(req: str) -> tuple[str, str]:
    m = re.match(r"^\s*([A-Za-z0-9_.\-]+)\s*(.*)$", req)
    return m.group(1).lower().replace("_", "-"), m.group(2).replace(" ", "")


def test_environment_yml_mirrors_pyproject():
    py = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = dict(_split(r) for r in py["dependencies"])
    for extra in ("test", "slurm"):
        wanted.update(_split(r) for r in py["optional-dependencies"][extra])
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    have = dict(_split(d) for d in env["dependencies"] if isinstance(d, str))
    have.pop("pip", None)
    assert have.pop("python") == ">=" + py["requires-python"].lstrip(">=")
    assert have == wanted


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    cmd = re.search(r"<!-- test-command -->\s*```(?:bash|sh)?\n(.*?)```", readme, re.S).group(1)
    for line in [ln.strip() for ln in cmd.strip().splitlines() if ln.strip()]:
        assert line in ci, f"README test command line not in .ci/run: {line}"


def test_rule_environment_has_the_runtime_dependencies():
    """workflow/envs/hotcold.yaml (snakemake --sdm conda) lists every runtime dependency."""
    py = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = dict(_split(r) for r in py["dependencies"])
    wanted.pop("snakemake")  # runs the workflow, not needed inside the rule environment
    env = yaml.safe_load((ROOT / "workflow" / "envs" / "hotcold.yaml").read_text())
    have = dict(_split(d) for d in env["dependencies"] if isinstance(d, str))
    for name in ("pip", "python"):
        have.pop(name, None)
    assert have == wanted
