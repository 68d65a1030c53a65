"""Configuration: validation with messages that name the key, and sweep expansion (SPEC 3).

Used by the Snakefile before any job runs, and by the tests directly.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import jsonschema
import numpy as np
import yaml

__all__ = [
    "ConfigError",
    "load_schema",
    "validate_config",
    "expand_grid",
    "format_d",
    "models",
    "localization_energies",
]


class ConfigError(ValueError):
    """An invalid configuration; ``str()`` lists every problem, one per line."""


def load_schema(path: str | Path) -> dict:
    with open(path) as fh:
        return yaml.safe_load(fh)


def _where(path: Sequence[Any]) -> str:
    return ".".join(str(p) for p in path) or "(top level)"


def _nonfinite(obj: Any, path: tuple = ()) -> list[str]:
    out = []
    if isinstance(obj, Mapping):
        for k, v in obj.items():
            out += _nonfinite(v, (*path, k))
    elif isinstance(obj, list | tuple):
        for i, v in enumerate(obj):
            out += _nonfinite(v, (*path, i))
    elif isinstance(obj, float) and not math.isfinite(obj):
        out.append(f"{_where(path)}: {obj} is not a finite number")
    return out


def _coerce_numbers(obj: Any) -> Any:
    """Turn numeric strings into numbers, in place for containers.

    ``snakemake --config 'localization={"rel_error": 0.05}'`` passes nested
    values as strings, and YAML 1.1 reads ``1e8`` (no dot, no sign) as a
    string: both are accepted as the numbers they spell.
    """
    if isinstance(obj, dict):
        for k, v in obj.items():
            obj[k] = _coerce_numbers(v)
        return obj
    if isinstance(obj, list):
        obj[:] = [_coerce_numbers(v) for v in obj]
        return obj
    if isinstance(obj, str):
        for cast in (int, float):
            try:
                return cast(obj)
            except ValueError:
                pass
    return obj


def _fill_defaults(schema: Mapping, cfg: dict) -> None:
    """Insert schema ``default`` values for missing keys (recursively)."""
    for key, sub in schema.get("properties", {}).items():
        if key not in cfg and "default" in sub:
            cfg[key] = sub["default"]
        if isinstance(cfg.get(key), dict) and sub.get("type") == "object":
            _fill_defaults(sub, cfg[key])


def validate_config(config: dict, schema: Mapping) -> dict:
    """Validate ``config`` against the JSON schema plus physics checks.

    Returns the config with defaults filled in.  Raises :class:`ConfigError`
    naming every offending key (``section.key: problem``).
    """
    _coerce_numbers(config)
    errors = _nonfinite(config)
    validator = jsonschema.Draft7Validator(schema)
    for err in sorted(validator.iter_errors(config), key=lambda e: list(e.absolute_path)):
        where = _where(err.absolute_path)
        if err.validator == "additionalProperties":
            allowed = sorted(err.schema.get("properties", {}))
            extra = sorted(set(err.instance) - set(allowed))
            errors.append(f"{where}: unknown key(s) {extra}; allowed: {allowed}")
        elif err.validator in ("oneOf", "anyOf"):
            expected = err.schema.get("description", err.message)
            errors.append(f"{where}: {err.instance!r} is not valid: {expected}")
        else:
            errors.append(f"{where}: {err.message}")
    if not errors:
        _fill_defaults(schema, config)
        spec = config["localization"]["energies"]
        if isinstance(spec, Mapping) and spec["spacing"] == "log" and spec["min"] <= 0:
            errors.append("localization.energies.min: must be > 0 for log spacing")
        if isinstance(spec, Mapping) and spec["max"] <= spec["min"]:
            errors.append("localization.energies.max: must be larger than min")
        tspec = config["temperatures"]
        log_t = isinstance(tspec, Mapping) and tspec.get("spacing", "log") == "log"
        if log_t and tspec["min"] <= 0:
            errors.append("temperatures.min: must be > 0 for log spacing")
        # explicit T <= 0 values are not rejected: the hotcold stage flags them
        # (regime flag nonpositive_T) and warns in its log (issue 5)
    if errors:
        raise ConfigError("invalid configuration:\n  " + "\n  ".join(errors))
    return config


def expand_grid(spec: Any) -> np.ndarray:
    """An explicit list, or ``{min, max, num, spacing: lin|log}``, as a sorted float array."""
    if isinstance(spec, Mapping):
        lo, hi, num = float(spec["min"]), float(spec["max"]), int(spec["num"])
        if spec.get("spacing", "log") == "log":
            return np.geomspace(lo, hi, num)
        return np.linspace(lo, hi, num)
    return np.unique(np.asarray(spec, dtype=float))


def format_d(d: float) -> str:
    """Canonical wildcard string of a correlation radius (``0.25``, ``0``)."""
    return format(float(d), ".12g")


def models(config: Mapping) -> list[tuple[str, str]]:
    """(family, d string) of every 1D model: white once if 0 is in d, then family x d>0."""
    ds = sorted({float(d) for d in config["disorder"]["d"]})
    out = []
    if 0.0 in ds or "white" in config["disorder"]["families"]:
        out.append(("white", format_d(0.0)))
    for fam in config["disorder"]["families"]:
        if fam == "white":
            continue
        out += [(fam, format_d(d)) for d in ds if d > 0]
    return out


def localization_energies(config: Mapping) -> np.ndarray:
    """Energy grid of the localization stage, always containing the Fermi energy."""
    grid = expand_grid(config["localization"]["energies"])
    return np.unique(np.append(grid, float(config["fermi_energy"])))


def ed_grid(config: Mapping, family: str, d: float) -> dict[str, float | int]:
    """Grid of the exact-diagonalization realizations of one model (SPEC 1.3).

    The box is ``spectral.box_length`` cold localization lengths long, with
    xi_c estimated by the Born asymptote at eps_F (known before the
    localization stage runs), so every model resolves its Mott peak with the
    same number of xi_c; the step is ``spectral.dx``, refined to d/4 where
    the disorder correlator needs it.

    Returns
    -------
    dict with ``dx`` [length], ``box_length`` [length], ``sites``,
    ``realizations``, ``xi_c_born`` [length] and ``bytes`` (of the realizations).
    """
    from .theory import xi_born

    sp = config["spectral"]
    d = float(d)
    dx = float(sp["dx"]) if d == 0 else min(float(sp["dx"]), d / 4)
    xi_c = float(
        xi_born(
            float(config["fermi_energy"]),
            family,
            float(config["m"]),
            float(config["disorder"]["w"]),
            d,
        )
    )
    box = float(sp["box_length"]) * xi_c
    sites = int(round(box / dx))
    n = int(sp["realizations"])
    return {
        "dx": dx,
        "box_length": sites * dx,
        "sites": sites,
        "realizations": n,
        "xi_c_born": xi_c,
        "bytes": 8 * sites * n,
    }
