"""The configuration schema: the one list of keys, types and defaults (config/README.md).

``src/hotcold/schemas/config.schema.yaml`` (package data; the workflow reads it
through the symlink ``workflow/schemas/config.schema.yaml``) holds every
default.  Modules that need a default read it here instead of keeping a table
of their own.  Standard library and PyYAML only (no jsonschema): physics
modules import this.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

__all__ = ["SCHEMA_PATH", "load_schema", "schema_defaults", "fill_defaults"]

#: The schema file inside the package.
SCHEMA_PATH = Path(__file__).resolve().parent / "schemas" / "config.schema.yaml"


#: libyaml's loader where PyYAML has it (the workflow reads the schema at every start).
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@functools.cache
def _read(path: str) -> dict:
    with open(path, encoding="utf-8") as fh:
        return yaml.load(fh, Loader=_LOADER)  # a safe loader


def load_schema(path: str | Path | None = None) -> dict:
    """The JSON schema (as a dict) of ``path``, default the package's schema.

    Parameters
    ----------
    path : str or Path, optional
        A schema file; default :data:`SCHEMA_PATH`.

    Returns
    -------
    dict
        A fresh copy (callers may change it).
    """
    return copy.deepcopy(_read(str(Path(path or SCHEMA_PATH).resolve())))


def _resolve(node: Mapping, schema: Mapping) -> Mapping:
    """``node`` with a local ``$ref`` (``#/definitions/...``) followed."""
    while isinstance(node, Mapping) and "$ref" in node:
        target: Any = schema
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
    return node


def _object_branch(node: Mapping, value: Any, schema: Mapping) -> Mapping | None:
    """The sub-schema that describes ``value``'s keys or items (None: no such one)."""
    node = _resolve(node, schema)
    if "properties" in node and isinstance(value, dict):
        return node
    if "items" in node and isinstance(value, list):
        return node
    for branch in node.get("oneOf", []) + node.get("anyOf", []):
        found = _object_branch(branch, value, schema)
        if found is not None:
            return found
    return None


def _fill(node: Mapping, value: Any, schema: Mapping) -> None:
    node = _object_branch(node, value, schema)
    if node is None:
        return
    if isinstance(value, list):
        for item in value:
            _fill(node["items"], item, schema)
        return
    for key, sub in node["properties"].items():
        sub = _resolve(sub, schema)
        if key not in value and "default" in sub:
            value[key] = copy.deepcopy(sub["default"])
        if key in value:
            _fill(sub, value[key], schema)


def fill_defaults(config: dict, schema: Mapping | None = None) -> dict:
    """Insert the schema's ``default`` values for missing keys, in place.

    Follows ``default:`` through nested objects (also inside lists, ``$ref``
    and ``oneOf`` branches), like ``snakemake.utils.validate(config, schema,
    set_default=True)``; a default that is itself an object is filled too.

    Parameters
    ----------
    config : dict
        The merged configuration (already valid against the schema).
    schema : mapping, optional
        Default: the package's schema.

    Returns
    -------
    dict
        ``config`` itself.
    """
    schema = _read(str(SCHEMA_PATH)) if schema is None else schema
    _fill(schema, config, schema)
    return config


def schema_defaults(section: str) -> dict[str, Any]:
    """Defaults of one top-level section (``spectral``, ``hotcold``, ...).

    Parameters
    ----------
    section : str
        A top-level key of the configuration whose value is a mapping.

    Returns
    -------
    dict
        Every key of the section that has a default, filled recursively (a
        fresh copy).
    """
    return copy.deepcopy(_section_defaults(section))


@functools.cache
def _section_defaults(section: str) -> dict[str, Any]:
    schema = _read(str(SCHEMA_PATH))
    out: dict[str, Any] = {}
    _fill(schema["properties"][section], out, schema)
    return out
