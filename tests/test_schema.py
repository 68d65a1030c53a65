"""One source of defaults (issue 18 item 1): the schema, its filling, config.yaml and the README."""

from __future__ import annotations

import copy
import re
import tomllib

import pytest
import yaml
from conftest import ROOT, tiny_config

from hotcold import schema
from hotcold.validation import _coerce_numbers


def _leaves(node: dict, path: tuple = ()) -> dict[tuple, dict]:
    """Schema node of every key that is not itself a section with properties."""
    node = schema._resolve(node, SCHEMA)
    out = {}
    for key, sub in node.get("properties", {}).items():
        sub = schema._resolve(sub, SCHEMA)
        if "properties" in sub:
            out |= _leaves(sub, (*path, key))
        else:
            out[(*path, key)] = sub
    return out


SCHEMA = schema.load_schema()
LEAVES = _leaves(SCHEMA)


def _user_config() -> dict:
    """config/config.yaml as written (no defaults filled in)."""
    return yaml.safe_load((ROOT / "config" / "config.yaml").read_text())


def _get(cfg: dict, path: tuple):
    for p in path:
        cfg = cfg[p]
    return cfg


def test_workflow_schema_is_the_package_schema():
    link = ROOT / "workflow" / "schemas" / "config.schema.yaml"
    assert link.is_symlink()
    assert link.resolve() == schema.SCHEMA_PATH
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    globs = data["package-data"]["hotcold"]
    package = ROOT / "src" / "hotcold"
    assert any(schema.SCHEMA_PATH in package.glob(g) for g in globs)


@pytest.mark.parametrize("extra", [None, "matrix_elements.yaml", "asymptotic.yaml", "tiny"])
def test_fill_defaults_is_snakemakes_validate_set_default(extra):
    from snakemake.utils import update_config, validate

    cfg = tiny_config() if extra == "tiny" else _user_config()
    if extra not in (None, "tiny"):
        update_config(cfg, yaml.safe_load((ROOT / "config" / extra).read_text()))
    ours, theirs = copy.deepcopy(cfg), copy.deepcopy(cfg)
    schema.fill_defaults(ours)
    validate(theirs, str(schema.SCHEMA_PATH), set_default=True)
    assert ours == theirs


def test_filled_default_config_has_every_key():
    cfg = schema.fill_defaults(_user_config())
    for path in LEAVES:
        _get(cfg, path)  # KeyError: a key without a value in the default run


def test_a_filled_default_is_a_copy():
    a = schema.schema_defaults("spectral")
    a["bands"][0]["T_max"] = -1.0
    assert schema.schema_defaults("spectral")["bands"][0]["T_max"] > 0


def test_config_yaml_repeats_no_default_with_another_value():
    """A key of config/config.yaml that has a schema default is given at that default."""
    user = _user_config()
    for path, node in LEAVES.items():
        try:
            value = _get(user, path)
        except KeyError:
            continue
        if "default" in node:
            assert value == node["default"], ".".join(path)


def _readme_defaults() -> dict[tuple, str]:
    """(section, key...) -> default cell of the config/README.md tables."""
    out, section = {}, None
    for line in (ROOT / "config" / "README.md").read_text().splitlines():
        if m := re.match(r"^## (?:`(\w+)`|Global)", line):
            section = m.group(1)
        elif m := re.match(r"^\| `([\w.]+)` \| ([^|]*) \|", line):
            path = (*([section] if section else []), *m.group(1).split("."))
            assert path not in out, f"{path} twice in config/README.md"
            out[path] = m.group(2).strip()
    return out


def test_readme_table_has_every_key_with_the_schema_default():
    readme = _readme_defaults()
    user = _user_config()
    assert set(readme) == set(LEAVES), set(readme) ^ set(LEAVES)
    for path, node in LEAVES.items():
        want = node["default"] if "default" in node else _get(user, path)
        got = _coerce_numbers(yaml.safe_load(readme[path]))
        assert got == want, f"{'.'.join(path)}: README {readme[path]!r}, schema {want!r}"


def test_physics_modules_keep_no_table_of_their_own():
    """The stages' settings are the schema's (a changed schema default reaches them)."""
    from hotcold import hotcold, matrix_elements, spectral

    for module, section in (
        (spectral, "spectral"),
        (hotcold, "hotcold"),
        (matrix_elements, "matrix_elements"),
    ):
        assert set(module.DEFAULT_SETTINGS) == set(SCHEMA["properties"][section]["properties"])
        assert module.DEFAULT_SETTINGS == schema.schema_defaults(section)
