"""Import closure (hotcold.imports): what the rerun triggers of the rules hash."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import ROOT

from hotcold import imports

MODULES = sorted(
    p.relative_to(imports.PACKAGE).with_suffix("").as_posix()
    for p in imports.PACKAGE.rglob("*.py")
    if p.name != "__init__.py"
)

# Python itself says which hotcold modules importing each module loads (fresh
# sys.modules per module); function-level imports load later, so these are a
# lower bound of the closure.
_LOADED = """
import importlib, json, sys
out = {}
for name in sys.argv[1:]:
    for m in [m for m in sys.modules if m == "hotcold" or m.startswith("hotcold.")]:
        del sys.modules[m]
    importlib.import_module("hotcold." + name.replace("/", "."))
    out[name] = sorted(m for m in sys.modules if m == "hotcold" or m.startswith("hotcold."))
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def loaded() -> dict[str, list[str]]:
    proc = subprocess.run(
        [sys.executable, "-c", _LOADED, *MODULES],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    return json.loads(proc.stdout.splitlines()[-1])


def _as_names(modules: list[str]) -> set[str]:
    """``hotcold.plots.style`` -> ``plots/style``; packages -> ``.../__init__``."""
    out = set()
    for m in modules:
        rel = m.removeprefix("hotcold").lstrip(".").replace(".", "/")
        path = imports.module_path(rel or "__init__")
        out.add(path.relative_to(imports.PACKAGE).with_suffix("").as_posix())
    return out


@pytest.mark.parametrize("name", MODULES)
def test_closure_holds_every_module_python_loads(name, loaded):
    assert _as_names(loaded[name]) <= set(imports.closure(name))


def test_closure_follows_function_level_and_parent_relative_imports():
    # spectral.py imports hotcold.sweep inside a function; plots/localization.py
    # imports ..theory; resources.py imports thermal inside a function
    assert "sweep" in imports.closure("spectral")
    assert {"theory", "plots/__init__", "plots/style"} <= set(imports.closure("plots/localization"))
    assert "thermal" in imports.closure("resources")


def test_no_job_script_imports_the_workflow_side_modules():
    """Editing resources, the CLI or the validation reruns no job."""
    scripts = sorted((ROOT / "workflow" / "scripts").glob("*.py"))
    assert scripts
    side = {"resources", "config", "imports"}
    for script in scripts:
        assert not side & set(imports.closure(script)), script.name


def test_code_version_changes_with_an_imported_module_only(tmp_path):
    import shutil

    pkg = tmp_path / "hotcold"
    shutil.copytree(imports.PACKAGE, pkg, ignore=shutil.ignore_patterns("__pycache__"))
    before = {m: imports.code_version(m, package=pkg) for m in ("spectral", "localization")}
    with open(pkg / "thermal.py", "a") as fh:
        fh.write("\n# an edit\n")
    imports.direct_imports.cache_clear()
    after = {m: imports.code_version(m, package=pkg) for m in ("spectral", "localization")}
    assert after["spectral"] != before["spectral"]
    assert after["localization"] == before["localization"]
