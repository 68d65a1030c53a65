"""Configuration: the pre-flight check ``python -m hotcold.config`` and re-exports.
(config/README.md).

``python -m hotcold.config [--configfile F ...] [--config K=V ...]`` runs
exactly the workflow's checks (:func:`hotcold.validation.validate_config`)
on the configuration Snakemake would read, and also what Snakemake reads
before the workflow starts.  One concept per module:

- :mod:`hotcold.schema`      the schema, the one source of defaults
- :mod:`hotcold.validation`  schema and cross-key rules, one line per problem
- :mod:`hotcold.sweep`       models, grids, energies, ED grid, stage targets
- :mod:`hotcold.resources`   mem_mb, runtime and threads of every rule
- :mod:`hotcold.imports`     import closure (rerun triggers)

The names below are re-exported for existing callers.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

import yaml

from .schema import fill_defaults, load_schema, schema_defaults
from .sweep import (
    ed_grid,
    expand_grid,
    format_d,
    localization_energies,
    matrix_elements_energies,
    matrix_elements_models,
    matrix_elements_settings,
    matrix_elements_targets,
    models,
)
from .validation import (
    ConfigError,
    check_config,
    check_yaml_files,
    exit_with,
    matrix_elements_problems,
    validate_config,
    yaml_problems,
)

__all__ = [
    "preflight",
    "main",
    "ConfigError",
    "check_config",
    "check_yaml_files",
    "exit_with",
    "matrix_elements_problems",
    "validate_config",
    "yaml_problems",
    "fill_defaults",
    "load_schema",
    "schema_defaults",
    "ed_grid",
    "expand_grid",
    "format_d",
    "localization_energies",
    "matrix_elements_energies",
    "matrix_elements_models",
    "matrix_elements_settings",
    "matrix_elements_targets",
    "models",
]


def _config_arg_problems(entries: Sequence[str]) -> list[str]:
    """``--config`` entries Snakemake itself would reject (before the workflow is read)."""
    out = []
    for entry in entries:
        key, sep, value = entry.partition("=")
        if not sep:
            out.append(f"{entry}: --config takes key=value. Fix: --config {entry}=VALUE")
        elif len(key) == 1:
            out.append(
                f"{key}: Snakemake's --config does not take one-letter keys (it stops with "
                f"'Config entry must start with a valid identifier'). Fix: put '{key}: {value}' "
                "in a file and pass --configfile FILE"
            )
        elif "." in key:
            top, *rest = key.split(".")
            nested = value
            for part in reversed(rest):
                nested = f"{{{part}: {nested}}}"
            out.append(
                f"{key}: --config does not take dotted keys (Snakemake stops with 'Config "
                f"entry must start with a valid identifier'). Fix: --config '{top}={nested}'"
            )
    return out


def preflight(
    configfiles: Sequence[str | Path], entries: Sequence[str], root: str | Path
) -> list[str]:
    """Every problem of a ``snakemake --configfile ... --config ...`` command line.

    Also catches what Snakemake reads before the workflow starts (a missing
    config file, YAML syntax errors, dotted ``--config`` keys), which the
    workflow's own check cannot report.  ``root`` holds ``config/config.yaml``
    (the schema is the package's, :mod:`hotcold.schema`).
    """
    from snakemake.cli import parse_config
    from snakemake.utils import update_config

    root = Path(root)
    default = root / "config" / "config.yaml"
    problems = [p for f in [default, *configfiles] for p in yaml_problems(f)]
    problems += _config_arg_problems(entries)
    if problems:
        return problems
    config: dict = {}
    for f in [default, *configfiles]:
        with open(f, encoding="utf-8") as fh:
            update_config(config, yaml.safe_load(fh))
    update_config(config, parse_config(list(entries)))
    try:
        validate_config(config)
    except ConfigError as err:
        return err.problems
    return []


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m hotcold.config [--configfile F ...] [--config K=V ...]``: check, run nothing."""
    import argparse

    parser = argparse.ArgumentParser(
        prog="python -m hotcold.config",
        description="Check a hotcold configuration as 'snakemake' would read it; run nothing.",
    )
    parser.add_argument("--configfile", nargs="+", action="extend", default=[], metavar="FILE")
    parser.add_argument("--config", nargs="+", action="extend", default=[], metavar="KEY=VALUE")
    here = Path.cwd() if (Path.cwd() / "config" / "config.yaml").is_file() else None
    parser.add_argument(
        "--root",
        default=here or Path(__file__).resolve().parents[2],
        help="repository root (holds config/config.yaml); default: . or this checkout",
    )
    args = parser.parse_args(argv)
    problems = preflight(args.configfile, args.config, args.root)
    if problems:
        try:
            exit_with(problems)
        except SystemExit as stop:
            return int(stop.code)
    print("configuration OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
