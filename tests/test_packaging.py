"""Packaging: environment.yml mirrors pyproject.toml; README commands and CI agree."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from importlib.metadata import requires
from pathlib import Path

import pytest
import yaml
from conftest import ROOT, run_snakemake, tiny_config


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
    wanted.pop("pygments")  # used by `snakemake --report` (the host process), not by jobs
    env = yaml.safe_load((ROOT / "workflow" / "envs" / "hotcold.yaml").read_text())
    have = dict(_split(d) for d in env["dependencies"] if isinstance(d, str))
    for name in ("pip", "python"):
        have.pop(name, None)
    assert have == wanted


def test_quickstart_install_has_what_the_report_needs():
    """`pip install -e .` (no extras) brings every package of snakemake's "reports" extra
    (without pygments: "WorkflowError: Python package pygments must be installed")."""
    py = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    main = {_split(r)[0] for r in py["dependencies"]}
    reports = {
        _split(r.split(";")[0])[0] for r in requires("snakemake") if 'extra == "reports"' in r
    }
    assert "pygments" in reports  # what snakemake 9 asks for
    assert reports <= main, reports - main


def test_report_html_is_git_ignored():
    proc = subprocess.run(
        ["git", "check-ignore", "-q", "report.html"], cwd=ROOT, capture_output=True
    )
    assert proc.returncode == 0, "report.html is not git-ignored"


@pytest.mark.workflow
def test_readme_report_command_builds_html(tmp_path):
    """`snakemake --report report.html` (README) on a small run (2D closed forms only)."""
    cfg = tiny_config()
    cfg["dimensions"] = [2]
    run_snakemake(tmp_path, "-c1", config=cfg, timeout=600)
    proc = run_snakemake(tmp_path, "--report", "report.html", config=cfg, timeout=300)
    html = (tmp_path / "report.html").read_text(errors="replace")
    assert "pygments" not in proc.stdout + proc.stderr
    assert "eta_map" in html and "<html" in html.lower()


def test_readme_architecture_names_every_module():
    """Issue 18: the README's module map names every module of the package (it named 8 of 14)."""
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Architecture", 1)[1].split("\n## ", 1)[0]
    package = ROOT / "src" / "hotcold"
    modules = [p.stem for p in package.glob("*.py") if p.stem != "__init__"]
    modules += ["plots/" + p.stem for p in (package / "plots").glob("*.py") if p.stem != "__init__"]
    missing = [m for m in sorted(modules) if f"`{m}`" not in section]
    assert not missing, f"README's Architecture section does not name {missing}"


def test_docs_cite_no_document_outside_the_repository():
    """Docstrings, rules and captions cite docs/physics.md, not SPEC.md or CONTRACTS.md (which
    are not in the repository)."""
    pattern = re.compile(r"CONTRACTS\.md|\bSPEC\b|\.\./shared")
    hits = []
    for sub in ("src", "workflow", "config", "docs", "tests", "benchmarks"):
        for path in (ROOT / sub).rglob("*"):
            if path.is_file() and path.suffix in {".py", ".smk", ".rst", ".md", ".yaml", ".yml"}:
                if path.resolve() == Path(__file__).resolve():
                    continue  # this test names the pattern
                for n, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
                    if pattern.search(line):
                        hits.append(f"{path.relative_to(ROOT)}:{n}")
    for name in ("README.md", "Snakefile"):
        for n, line in enumerate((ROOT / name).read_text().splitlines(), 1):
            if pattern.search(line):
                hits.append(f"{name}:{n}")
    assert not hits, f"{len(hits)} citations of documents outside the repository: {hits[:10]}"


def test_readme_python_api_example_runs(tmp_path):
    """The README's Python API example runs as written (from the repository root)."""
    readme = (ROOT / "README.md").read_text()
    block = readme.split("<!-- api-example -->", 1)[1].split("```python\n", 1)[1].split("```")[0]
    proc = subprocess.run(
        [sys.executable, "-c", block], cwd=ROOT, capture_output=True, text=True, timeout=600
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    xi_line = proc.stdout.split("]", 1)[0]
    assert xi_line.startswith("[") and "nan" not in xi_line  # xi measured at every energy


def test_no_function_in_src_is_over_60_code_lines():
    """Issue 18: small functions; counted without docstring, comments and blank lines."""
    import ast

    long = []
    for path in sorted((ROOT / "src" / "hotcold").rglob("*.py")):
        lines = path.read_text().splitlines()
        for node in ast.walk(ast.parse("\n".join(lines))):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            doc = set()
            if ast.get_docstring(node, clean=False) is not None:
                first = node.body[0]
                doc = set(range(first.lineno, first.end_lineno + 1))
            code = [
                i
                for i in range(node.lineno, node.end_lineno + 1)
                if i not in doc
                and lines[i - 1].strip()
                and not lines[i - 1].strip().startswith("#")
            ]
            if len(code) > 60:
                long.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name} ({len(code)})")
    assert not long, long
