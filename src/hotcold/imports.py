"""Import closure of the package's modules, for rerun triggers that cannot drift (README.md).

A job's code version is the hash of every ``hotcold`` module it can import,
found with :mod:`ast` (also the imports inside functions), so that editing
any of them reruns exactly the jobs that run it.  Standard library only: the
workflow calls it while it builds the DAG.
"""

from __future__ import annotations

import ast
import functools
import hashlib
import re
from pathlib import Path

__all__ = ["PACKAGE", "module_path", "direct_imports", "closure", "code_version"]

#: Directory of the ``hotcold`` package.
PACKAGE = Path(__file__).resolve().parent


def module_path(name: str, package: Path = PACKAGE) -> Path | None:
    """File of a module given as ``"spectral"``, ``"plots/style"`` or ``"plots.style"``.

    A package (``"plots"``) is its ``__init__.py``; None: not a module of the package.
    """
    rel = Path(*name.replace(".", "/").split("/"))
    for path in (package / rel.with_suffix(".py"), package / rel / "__init__.py"):
        if path.is_file():
            return path
    return None


def _name(path: Path, package: Path) -> str:
    """``"plots/style"`` of a module file (``"plots/__init__"`` of a package)."""
    return path.relative_to(package).with_suffix("").as_posix()


def _targets(node: ast.AST, here: list[str]) -> list[str]:
    """Dotted module paths (inside the package) one import statement may load."""
    if isinstance(node, ast.Import):
        names = [a.name for a in node.names]
        return [n.removeprefix("hotcold.") for n in names if n.startswith("hotcold.")] + (
            ["__init__"] if "hotcold" in names else []
        )
    if not isinstance(node, ast.ImportFrom):
        return []
    if node.level:  # level 1: the importing module's package, 2: its parent, ...
        if node.level - 1 > len(here):
            return []
        base = here[: len(here) - node.level + 1]
    elif node.module == "hotcold" or (node.module or "").startswith("hotcold."):
        base, node = [], ast.ImportFrom(node.module.removeprefix("hotcold"), node.names, 1)
    else:
        return []
    stem = [*base, *filter(None, (node.module or "").lstrip(".").split("."))]
    # `from .x import y`: module x, and y if y is itself a module of package x
    return [".".join(stem) or "__init__"] + [".".join([*stem, a.name]) for a in node.names]


#: An import statement at any indentation (inside functions too), a parenthesized
#: name list over several lines included.
_IMPORT = re.compile(
    r"^[ \t]*(from[ \t]+[\w.]+[ \t]+import[ \t]+(?:\([^)]*\)|[^\n]*)|import[ \t]+[^\n]*)", re.M
)


def _import_statements(source: str) -> list[ast.stmt]:
    """The import statements of a module's source, parsed by :mod:`ast`.

    Only the lines that start an import are parsed (the whole module is 10-30x
    slower, and the workflow does this at every start); a docstring line that
    reads like an import adds at most a module that exists, never misses one.
    """
    out = []
    for match in _IMPORT.finditer(source):
        # comments off every line (a parenthesized name list may hold one after its "(")
        lines = (line.split("#")[0].rstrip() for line in match.group(1).splitlines())
        text = "\n".join(lines).rstrip().rstrip(";")
        try:
            out += ast.parse(text).body
        except SyntaxError:
            continue  # prose that starts like an import
    return out


@functools.cache
def direct_imports(path: Path, package: Path = PACKAGE) -> tuple[str, ...]:
    """Modules of ``package`` that the file ``path`` imports anywhere (sorted names).

    Every parent package's ``__init__`` counts too (Python runs it first).
    """
    inside = package in path.parents
    rel = path.relative_to(package).with_suffix("").parts if inside else ()
    here = list(rel[:-1])  # the package a relative import starts from
    found: set[str] = set()
    for node in _import_statements(path.read_text(encoding="utf-8")):
        for target in _targets(node, here):
            file = module_path(target, package)
            if file is not None:
                found.add(_name(file, package))
    return tuple(sorted({p for name in found for p in _with_parents(name)}))


def _with_parents(name: str) -> set[str]:
    """A module and the ``__init__`` of every package above it (Python runs them first)."""
    parts = name.split("/")[:-1]
    return {name} | {"/".join([*parts[:i], "__init__"]) for i in range(len(parts) + 1)}


def closure(*sources: str | Path, package: Path = PACKAGE) -> list[str]:
    """Every package module the given modules or scripts import, transitively.

    Parameters
    ----------
    *sources : str or Path
        Module names (``"spectral"``, ``"plots/style"``) or paths of scripts
        (``workflow/scripts/spectral.py``) and modules.
    package : Path
        The package directory (tests point it at a copy).

    Returns
    -------
    list of str
        Sorted module names, the named modules and ``__init__`` included.
    """
    todo, seen = [], {"__init__"}
    for src in sources:
        path = Path(src) if str(src).endswith(".py") else module_path(str(src), package)
        if path is None:
            raise ValueError(f"{src}: not a module of {package}")
        if package in path.resolve().parents:
            seen |= _with_parents(_name(path.resolve(), package))
        todo.append(path.resolve())
    while todo:
        for name in direct_imports(todo.pop(), package):
            if name not in seen:
                seen.add(name)
                todo.append(package / f"{name}.py")
    return sorted(seen)


def code_version(*sources: str | Path, package: Path = PACKAGE) -> str:
    """SHA-256 (first 16 hex digits) of the names and sources of :func:`closure`.

    Passed to a rule as a ``params:`` value: a change of any module the job
    can import reruns it, and a change elsewhere does not.
    """
    h = hashlib.sha256()
    for name in closure(*sources, package=package):
        h.update(name.encode())
        h.update((package / f"{name}.py").read_bytes())
    return h.hexdigest()[:16]
