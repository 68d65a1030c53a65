"""Configuration: validation with messages that name the key, and sweep expansion (SPEC 3).

Used by the Snakefile before any job runs, and by the tests directly.
"""

from __future__ import annotations

import difflib
import math
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, NoReturn, TextIO

import jsonschema
import numpy as np
import yaml

from . import families

__all__ = [
    "ConfigError",
    "load_schema",
    "validate_config",
    "expand_grid",
    "format_d",
    "models",
    "localization_energies",
    "SPECTRAL_DEFAULTS",
    "spectral_resources",
    "MATRIX_ELEMENTS_DEFAULTS",
    "matrix_elements_settings",
    "matrix_elements_problems",
    "matrix_elements_models",
    "matrix_elements_energies",
    "matrix_elements_runtime",
    "matrix_elements_targets",
]


class ConfigError(ValueError):
    """An invalid configuration.

    ``problems`` holds one line per problem, each ``key: what is wrong. Fix: ...``;
    ``str()`` joins them (the key first, so a message never starts with a file
    name and line of the workflow).
    """

    def __init__(self, problems: Sequence[str]):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


HELP = (
    "hotcold: invalid configuration ({n} problem{s}); no job was run.  Every key: "
    "config/README.md.  On the command line a nested key is set as "
    "--config 'disorder={{w: 0.1}}' (not disorder.w=0.1)."
)

_TYPE_NAMES = {
    "number": "a number",
    "integer": "an integer",
    "string": "a string",
    "boolean": "true or false",
    "array": "a list [...]",
    "object": "a mapping {key: value}",
    "null": "null",
}


def load_schema(path: str | Path) -> dict:
    with open(path) as fh:
        return yaml.safe_load(fh)


def _where(path: Sequence[Any]) -> str:
    """Dotted key of a path, list indices in brackets: ``localization.energies[1]``."""
    out = ""
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out or "(top level)"


def _show(value: Any) -> str:
    """A value as the user wrote it (YAML flow style), shortened."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        text = repr(value)
    else:
        text = yaml.safe_dump(value, default_flow_style=True, width=10**6).strip()
        text = text.removesuffix("\n...").removesuffix("...").strip()
    return text if len(text) <= 60 else text[:57] + "..."


def _nonfinite(obj: Any, path: tuple = ()) -> list[str]:
    out = []
    if isinstance(obj, Mapping):
        for k, v in obj.items():
            out += _nonfinite(v, (*path, k))
    elif isinstance(obj, list | tuple):
        for i, v in enumerate(obj):
            out += _nonfinite(v, (*path, i))
    elif isinstance(obj, float) and not math.isfinite(obj):
        out.append(
            f"{_where(path)}: {obj} is not a finite number. Fix: give a finite number "
            "(NaN and inf are never valid settings)"
        )
    return out


_WORDS = {
    "true": True,
    "false": False,
    "True": True,
    "False": False,
    "TRUE": True,
    "FALSE": False,
    "null": None,
    "Null": None,
    "NULL": None,
    "~": None,
}


def _coerce_scalar(obj: str) -> Any:
    if obj in _WORDS:
        return _WORDS[obj]
    for cast in (int, float):
        try:
            return cast(obj)
        except ValueError:
            pass
    return obj


def _coerce_numbers(obj: Any) -> Any:
    """Turn numeric, boolean and null strings into values, in place for containers.

    ``snakemake --config 'localization={rel_error: 0.05}'`` passes nested
    values as strings ("0.05", "false", "null"), and YAML 1.1 reads ``1e8``
    (no dot, no sign) as a string: all are accepted as the values they spell.
    """
    if isinstance(obj, dict):
        for k, v in obj.items():
            obj[k] = _coerce_numbers(v)
        return obj
    if isinstance(obj, list):
        obj[:] = [_coerce_numbers(v) for v in obj]
        return obj
    if isinstance(obj, str):
        return _coerce_scalar(obj)
    return obj


def _fill_defaults(schema: Mapping, cfg: dict) -> None:
    """Insert schema ``default`` values for missing keys (recursively)."""
    for key, sub in schema.get("properties", {}).items():
        if key not in cfg and "default" in sub:
            cfg[key] = sub["default"]
        if isinstance(cfg.get(key), dict) and sub.get("type") == "object":
            _fill_defaults(sub, cfg[key])


def _subschema(schema: Mapping, path: Sequence[Any]) -> Mapping:
    """The schema node of a config path (``{}`` where the schema has none)."""
    node: Any = schema
    for p in path:
        if not isinstance(node, Mapping):
            return {}
        node = node.get("items", {}) if isinstance(p, int) else node.get("properties", {}).get(p)
    return node if isinstance(node, Mapping) else {}


def _default_hint(schema: Mapping, path: Sequence[Any]) -> str:
    node = _subschema(schema, path)
    return f" (default {_show(node['default'])})" if "default" in node else ""


def _branch_errors(err: Any) -> list | None:
    """Sub-errors of the one ``oneOf`` branch whose type fits the value (None: no such one)."""
    by_branch: dict[int, list] = {}
    for sub in err.context:
        by_branch.setdefault(sub.relative_schema_path[0], []).append(sub)
    fitting = [
        subs
        for subs in by_branch.values()
        if not any(s.validator == "type" and not s.relative_path for s in subs)
    ]
    return fitting[0] if len(fitting) == 1 else None


def _schema_problem(err: Any, schema: Mapping) -> list[str]:
    """``key: what. Fix: how`` lines of one jsonschema error."""
    path, v, val = list(err.absolute_path), err.validator, err.validator_value
    where, got = _where(path), _show(err.instance)
    hint = _default_hint(schema, path)
    if isinstance(err.instance, float) and not math.isfinite(err.instance):
        return []  # reported by _nonfinite
    if v in ("oneOf", "anyOf"):
        subs = _branch_errors(err)
        if subs:
            return [line for sub in subs for line in _schema_problem(sub, schema)]
        expected = err.schema.get("description") or _subschema(schema, path).get("description")
        return [f"{where}: {got} is not valid. Fix: give {expected or 'a valid value'}{hint}"]
    bounds = {
        "minimum": ">=",
        "exclusiveMinimum": ">",
        "maximum": "<=",
        "exclusiveMaximum": "<",
    }
    if v == "type":
        types = [val] if isinstance(val, str) else val
        want = " or ".join(_TYPE_NAMES.get(t, t) for t in types)
        limits = [f"{op} {_show(err.schema[k])}" for k, op in bounds.items() if k in err.schema]
        fix = f"{want} {' and '.join(limits)}" if limits else want
        return [f"{where}: {got} is not {want}. Fix: give {fix}{hint}"]
    if v in bounds:
        op = bounds[v]
        bound = f"{op} {_show(val)}"
        return [
            f"{where}: {got} is out of range (must be {bound}). Fix: give a value {bound}{hint}"
        ]
    if v == "enum":
        return [f"{where}: {got} is not allowed. Fix: use one of {_show(val)}"]
    if v == "additionalProperties":
        allowed = sorted(err.schema.get("properties", {}))
        out = []
        for extra in sorted(set(err.instance) - set(allowed), key=str):
            close = difflib.get_close_matches(str(extra), allowed, n=1)
            maybe = f"did you mean '{close[0]}'? " if close else ""
            out.append(
                f"{_where([*path, extra])}: unknown key. Fix: {maybe}remove or rename it; "
                f"keys allowed {'in ' + where if path else 'at the top level'}: {allowed}"
            )
        return out
    if v == "required":
        missing = [k for k in val if k not in err.instance]
        return [f"{_where([*path, k])}: missing. Fix: add it (config/README.md)" for k in missing]
    if v == "minItems":
        what = "[] is an empty list" if not err.instance else f"{got} is too short"
        return [f"{where}: {what}. Fix: give at least {val} value(s){hint}"]
    if v == "uniqueItems":
        return [f"{where}: {got} repeats a value. Fix: list each value once"]
    return [f"{where}: {err.message}. Fix: see config/README.md{hint}"]


def _grid_problems(key: str, spec: Any, positive: bool) -> list[str]:
    """Cross-field rules of an energy grid (explicit list or {min, max, num, spacing})."""
    if spec is None:
        return []
    if not isinstance(spec, Mapping):
        bad = [(i, x) for i, x in enumerate(spec) if positive and x <= 0]
        return [f"{key}[{i}]: {_show(x)} must be > 0. Fix: remove it" for i, x in bad]
    lo, hi, num = spec["min"], spec["max"], spec["num"]
    spacing = spec.get("spacing", "log")
    out = []
    if spacing == "log" and lo <= 0:
        out.append(
            f"{key}.min: {_show(lo)} must be > 0 for log spacing. "
            f"Fix: set {key}.min > 0, or {key}.spacing: lin"
        )
    elif positive and lo <= 0:
        out.append(f"{key}.min: {_show(lo)} must be > 0. Fix: set {key}.min > 0")
    if hi < lo:
        out.append(
            f"{key}.max: {_show(hi)} is below {key}.min = {_show(lo)}. "
            f"Fix: swap them ({key}: {{min: {_show(hi)}, max: {_show(lo)}, num: {num}}})"
        )
    elif num > 1 and hi == lo:
        out.append(
            f"{key}.max: equals {key}.min = {_show(lo)} with num = {num} (one value repeated). "
            f"Fix: set {key}.max > {key}.min, or {key}.num: 1"
        )
    elif num == 1 and hi != lo:
        out.append(
            f"{key}.num: 1 gives min = {_show(lo)} only (max = {_show(hi)} unused). "
            f"Fix: set {key}.num >= 2, or give the list [{_show(lo)}]"
        )
    return out


def _spectral_problems(sp: Mapping) -> list[str]:
    """Cross-field rules of the ``spectral`` section (energies in Delta_c, lengths in xi_c)."""
    out: list[str] = []
    if not {"omega_min", "omega_max", "omega_num", "fit_omega_max"} <= set(sp):
        return out  # keys of another spectral estimator (schema changed)
    lo, hi, num = sp["omega_min"], sp["omega_max"], sp["omega_num"]
    if hi <= lo:
        out.append(
            f"spectral.omega_max: {_show(hi)} is not above spectral.omega_min = {_show(lo)}. "
            "Fix: set omega_min < omega_max (e.g. 0.02 and 1, the defaults)"
        )
    else:
        edges = np.geomspace(lo, hi, num + 1)
        centres = np.sqrt(edges[:-1] * edges[1:])
        if np.count_nonzero(centres <= sp["fit_omega_max"]) < 2:
            out.append(
                f"spectral.fit_omega_max: {_show(sp['fit_omega_max'])} leaves fewer than 2 "
                f"omega bins (spectral.omega_min = {_show(lo)}, omega_num = {num}) for the "
                "Mott-peak fit. Fix: raise fit_omega_max, lower omega_min or raise omega_num"
            )
    x_max = sp.get("x_max")
    if x_max is not None and x_max <= sp.get("x_cut", 0) + sp.get("x_step", 0):
        out.append(
            f"spectral.x_max: {_show(x_max)} leaves no |x| bin beyond spectral.x_cut = "
            f"{_show(sp['x_cut'])} (bin width x_step = {_show(sp['x_step'])}). "
            "Fix: set x_max > x_cut + x_step, or x_max: null (the whole box)"
        )
    return out


MAX_ED_SITES = 10_000_000  # one realization's eigenpairs alone would need ~20 GB beyond this


def _ed_size_problems(config: Mapping) -> list[str]:
    """Exact-diagonalization boxes that cannot be built (xi_c overflows, or too many sites)."""
    out = []
    sp = config["spectral"]
    for family, d in models(config):
        with np.errstate(all="ignore"):
            try:
                g = ed_grid(config, family, float(d))
                sites, xi_c = g["sites"], g["xi_c_born"]
            except (OverflowError, ValueError, ZeroDivisionError):
                sites, xi_c = math.inf, math.inf
        if sites <= MAX_ED_SITES:
            continue
        gb = 8 * sites * (10 * sp["box_length"] + 50) / 1e9
        out.append(
            f"spectral.box_length: the exact-diagonalization box of the {family} d = {d} "
            f"model ({_show(sp['box_length'])} Born xi_c, xi_c = {xi_c:.3g}, step "
            f"spectral.dx = {_show(sp['dx'])}) has {float(sites):.3g} sites (~{gb:.3g} GB of "
            f"eigenpairs; at most {MAX_ED_SITES:.0e}). Fix: a stronger disorder.w or smaller "
            "disorder.d (shorter xi_c), a smaller spectral.box_length, a larger spectral.dx, "
            "or dimensions: [2] (no 1D numerics)"
        )
    return out


def _cross_field_problems(config: Mapping) -> list[str]:
    """Rules between keys (min < max pairs, grids, caps); the schema checks single keys."""
    # 1D: the spectral stage evaluates the numerical n_T at every temperature (SPEC 1.3),
    # so T must be > 0; 2D only: T <= 0 is computed, flagged nonpositive_T and warned about
    one_d = 1 in config.get("dimensions", [1, 2])
    out = _grid_problems("temperatures", config["temperatures"], positive=one_d)
    loc = config["localization"]
    out += _grid_problems("localization.energies", loc["energies"], positive=False)
    if loc["max_cells"] < 32 * loc["chunk"]:
        out.append(
            f"localization.max_cells: {_show(loc['max_cells'])} is fewer than 32 chunks of "
            f"localization.chunk = {_show(loc['chunk'])} (the jackknife error needs 32 "
            f"batches of >= 1 chunk). Fix: set max_cells >= {32 * loc['chunk']} or lower chunk"
        )
    out += _spectral_problems(config["spectral"])
    me = config.get("matrix_elements") or {}
    for i, model in enumerate(me.get("models") or []):
        key = f"matrix_elements.models[{i}].energies"
        out += _grid_problems(key, model.get("energies"), positive=True)
    out += _grid_problems("matrix_elements.temperatures", me.get("temperatures"), positive=True)
    hc, e_f = config["hotcold"], config["fermi_energy"]
    e_min = e_f * (1 + hc["energy_min_offset"])
    if hc["energy_max"] <= e_min:
        out.append(
            f"hotcold.energy_max: {_show(hc['energy_max'])} is not above the first grid energy "
            f"fermi_energy (1 + hotcold.energy_min_offset) = {e_min:g}. "
            "Fix: raise energy_max (default 1e7) or lower energy_min_offset"
        )
    if 1 in config["dimensions"]:
        out += _ed_size_problems(config)
    dis = config["disorder"]
    if set(dis["families"]) == {"white"} and any(d > 0 for d in dis["d"]):
        out.append(
            f"disorder.d: {_show([d for d in dis['d'] if d > 0])} unused with disorder.families "
            "= [white] (white noise has d = 0). Fix: add a correlated family "
            "(lorentzian, exponential, gaussian) or set d: [0]"
        )
    return out


def validate_config(config: dict, schema: Mapping) -> dict:
    """Validate ``config`` against the JSON schema, then the rules between keys.

    Numeric/boolean strings are converted first (``--config`` passes nested
    values as strings).  Returns the config with defaults filled in.

    Raises
    ------
    ConfigError
        One ``key: problem. Fix: ...`` line per problem.
    """
    _coerce_numbers(config)
    errors = _nonfinite(config)
    validator = jsonschema.Draft7Validator(schema)
    for err in sorted(validator.iter_errors(config), key=lambda e: [str(p) for p in e.path]):
        errors += _schema_problem(err, schema)
    if not errors:
        _fill_defaults(schema, config)
        errors = _cross_field_problems(config)
    if errors:
        raise ConfigError(list(dict.fromkeys(errors)))
    return config


def yaml_problems(path: str | Path) -> list[str]:
    """Problems reading one config file: missing, YAML syntax (with line), not a mapping."""
    path = Path(path)
    if not path.is_file():
        return [
            f"{path}: no such config file (looked in {Path.cwd()}). Fix: check the "
            "--configfile path (relative to the directory snakemake runs in)"
        ]
    try:
        with open(path, encoding="utf-8") as fh:
            data = yaml.safe_load(fh)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f":{mark.line + 1}:{mark.column + 1}" if mark is not None else ""
        what = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        context, cmark = getattr(exc, "context", None), getattr(exc, "context_mark", None)
        if context and cmark is not None:
            context += f" started at line {cmark.line + 1}"
        what = f"{what} ({context})" if context else what
        return [
            f"{path}{at}: YAML syntax error: {what}. Fix: correct that line (indent with "
            "spaces, not tabs; 'key: value' with a space after the colon; close every [ and {)"
        ]
    except UnicodeDecodeError as exc:
        return [f"{path}: not a UTF-8 text file ({exc.reason}). Fix: save it as UTF-8 YAML"]
    if not isinstance(data, dict):
        return [
            f"{path}: holds {_show(data)}, not a mapping of keys. Fix: write 'key: value' "
            "lines at the top level (e.g. 'seed: 1'), see config/README.md"
        ]
    return []


def exit_with(problems: Sequence[str], stream: TextIO | None = None) -> NoReturn:
    """Print the problems (one per line, the key first) and a help line; exit with status 1.

    Used by the workflow before any job runs: raising :class:`SystemExit`
    from a Snakefile ends Snakemake with this message only (a WorkflowError
    would print the Snakefile's file name and line first).
    """
    stream = sys.stderr if stream is None else stream
    n = len(problems)
    stream.write("\n".join(problems) + "\n" + HELP.format(n=n, s="" if n == 1 else "s") + "\n")
    stream.flush()
    raise SystemExit(1)


def check_yaml_files(paths: Sequence[str | Path]) -> None:
    """Exit with a message naming file and line if a config file is missing or not YAML."""
    problems = [p for path in paths for p in yaml_problems(path)]
    if problems:
        exit_with(problems)


def check_config(config: dict, schema_path: str | Path) -> dict:
    """:func:`validate_config`, exiting with the problems (status 1) instead of raising."""
    try:
        return validate_config(config, load_schema(schema_path))
    except ConfigError as err:
        exit_with(err.problems)


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
    dis = config["disorder"]
    return [(f, format_d(d)) for f, d in families.model_keys(dis["families"], dis["d"])]


def localization_energies(config: Mapping) -> np.ndarray:
    """Energy grid of the localization stage, always containing the Fermi energy."""
    grid = expand_grid(config["localization"]["energies"])
    return np.unique(np.append(grid, float(config["fermi_energy"])))


#: Settings of the spectral stage and their defaults (config section ``spectral``, SPEC
#: 1.3; :func:`hotcold.spectral.spectral_dataset`).  Lengths in units of xi_c, energies
#: in units of Delta_c = 1/(rho_c xi_c) unless noted.
SPECTRAL_DEFAULTS: dict[str, Any] = {
    # grid of the realizations (read by the disorder stage, not used here)
    "dx": 0.1,  # [length] lattice step of the ED realizations
    "box_length": 400.0,  # [length] box length L
    "realizations": 64,  # number of disorder realizations
    # estimator
    "margin": 3.0,  # [xi_c] origins y kept >= margin from each wall
    "x_cut": 2.0,  # [xi_c] |x| > x_cut defines the Mott peak / n_T integral
    "x_step": 0.25,  # [xi_c] width of the |x| bins of S
    "x_max": None,  # [xi_c] largest |x| of S; None: L - 2 margin (= L_R)
    "energy_bin": 0.5,  # [Delta_c] width de of the eps_i bin centred at eps_F
    "omega_min": 0.02,  # [Delta_c] lowest |omega| bin edge (log-spaced bins)
    "omega_max": 1.0,  # [Delta_c] highest |omega| bin edge
    "omega_num": 12,  # number of |omega| bins
    "window_T": 8.0,  # [T] n_T window half-width W >= window_T T (hotcold.thermal)
    "rel_error_max": 0.25,  # n_T resolved where stderr/n_T <= this, else extrapolated
    "extrapolation_L_min": 2.0,  # g = a + b/L fitted on resolved L = ln(Delta_c/T) >= this
    "mott": None,  # {box_length [xi_c], blocks}: generated S pass (None: S on the input)
    "bands": None,  # [{T_max [Delta_c], box_length [xi_c], blocks}]: low-T n_T passes
    "fit_T_max": 0.3,  # [Delta_c] n_T ~ A T^p fitted for T <= fit_T_max
    "fit_omega_max": 0.3,  # [Delta_c] l_peak vs ln(Delta_c/omega) fitted below
}


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


def spectral_resources(config: Mapping[str, Any], family: str, d: float) -> dict[str, int]:
    """Cluster resources of one model's spectral job: ``mem_mb`` and ``runtime`` [min].

    Known before any job: xi_c and rho_c from the Born and clean-DOS values at
    eps_F (measured xi_c runs up to ~1.3 x Born; allowed for), the passes from
    :func:`hotcold.thermal.plan_passes`, and per pass the states in its window
    from the clean IDOS.  Memory per worker (2): eigenvectors, their padded
    transposed copy for the pair integrals, the twisted factorizations of 16
    eigenvalues, a 32-pair FFT batch, 300 MB base.
    Time per realization from the measured costs (benchmarks/bench_eigensolver.py,
    bench_pair_integrals.py): 0.02 s + 2e-7 s per site (potential, Sturm counts), 1e-7 s
    per site-state (bisection, eigenvectors), 2e-9 s per pair-site (n_T), 4e-8 s per S
    pair-site (FFT); x3 for a loaded node.  The default gaussian d = 0.5 job: 11 min
    estimated, 1 min measured on a quiet node.
    """
    from .thermal import plan_passes

    g = ed_grid(config, family, d)
    cfg = {**SPECTRAL_DEFAULTS, **dict(config["spectral"])}
    m, eps_f = float(config["m"]), float(config["fermi_energy"])
    xi_c = 1.3 * g["xi_c_born"]
    rho_c = m / (math.pi * math.sqrt(2.0 * m * eps_f))
    delta_c = 1.0 / (rho_c * xi_c)
    t = expand_grid(config["temperatures"])
    passes = plan_passes(t, cfg, (g["realizations"], g["sites"]), g["dx"], xi_c, delta_c, True)

    def idos(e: float) -> float:
        return math.sqrt(2.0 * m * max(e, 0.0)) / math.pi

    k_cut = int(round(float(cfg["x_cut"]) * xi_c / g["dx"]))
    mem, seconds = 0.0, 0.0
    for p in passes:
        half = p.w_nt
        if p.with_s:
            half = max(half, (0.5 * float(cfg["energy_bin"]) + float(cfg["omega_max"])) * delta_c)
        n = p.n_sites
        k = idos(eps_f + half) * n * g["dx"] - idos(eps_f - half) * n * g["dx"] + 20
        pairs = 0.5 * k * k
        s_pairs = k * k * float(cfg["energy_bin"]) * delta_c / (2 * half) if p.with_s else 0.0
        per_worker = 8 * n * k + 8 * (n + 2 * k_cut) * (k + 64) + (32 * 8 * 4 + 2 * 16 * 8) * n
        mem = max(mem, 300e6 + per_worker)
        per_real = 0.02 + 2e-7 * n + 1e-7 * n * k + (2e-9 * pairs + 4e-8 * s_pairs) * n
        seconds += p.n_real * per_real
    return {
        "mem_mb": int(400 + (g["bytes"] + 2 * mem) / 1e6),
        "runtime": int(5 + 3 * seconds / 2 / 60),
    }


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
    and ``workflow/schemas/config.schema.yaml``.
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
        validate_config(config, load_schema(root / "workflow" / "schemas" / "config.schema.yaml"))
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


#: Settings of the matrix-element stage (config section ``matrix_elements``, SPEC 1.6).
MATRIX_ELEMENTS_DEFAULTS: dict[str, Any] = {
    "enabled": False,  # off in the default run; config/matrix_elements.yaml
    "models": [
        {"family": "white", "d": 0.0, "energies": {"min": 1.6, "max": 16.0, "num": 4}},
        {"family": "exponential", "d": 0.25, "energies": [1.6, 2.5, 4.0]},
    ],
    "box_length": 1700.0,  # [length] box L (>= 5 xi_h at every model's largest eps)
    "dx": 0.1,  # [length] lattice step (the spectral stage's; k_h dx = 0.57 at eps = 16)
    "realizations": 6,
    "temperatures": [0.01, 0.02, 0.04],  # [energy]
    "cold_window": 1.5,  # [T] cold states within eps_F +- cold_window T
    "cold_ratio": 2.0,  # cold transfer omega in [T/sqrt(r), T sqrt(r)]
    "hot_window": 0.05,  # [eps] Delta_E: hot i within eps +- Delta_E/2
    "transfer_window": 0.5,  # [omega] hot transfer within omega (1 +- r/2)
    "overlap_tol": 1.0e-3,  # skip cold pairs with int |psi_k psi_l| below this
    "support_tol": 1.0e-5,  # support: blocks above this fraction of the pair's bound
    "hot_tol": 1.0e-6,  # skip hot states with weight int_I psi^2 below this on the support
    "block": 2.0,  # [length] block of the amplitude bounds
    "x_cut": 2.0,  # [xi_c] Mott weight J_kl = -int_(|x| > x_cut) C_kl
    "ranges": [0.0125, 0.025, 0.05, 0.1, 0.2, 0.4, 0.8],  # [length] a of the range scan
    "scan_T": 0.02,  # [energy] temperature of the range scan
}


def matrix_elements_settings(config: Mapping[str, Any]) -> dict[str, Any]:
    """The ``matrix_elements`` section with defaults, grids expanded to lists [energy]."""
    s = {**MATRIX_ELEMENTS_DEFAULTS, **dict(config.get("matrix_elements") or {})}
    s["temperatures"] = expand_grid(s["temperatures"]).tolist()
    s["models"] = [
        {
            "family": str(mo["family"]),
            "d": float(mo["d"]),
            "energies": expand_grid(mo["energies"]).tolist(),
        }
        for mo in s["models"]
    ]
    s["ranges"] = [float(a) for a in s["ranges"]]
    return s


def matrix_elements_problems(config: Mapping[str, Any]) -> list[str]:
    """Problems of the matrix-element stage's configuration, ``key: what. Fix: how``.

    Checked before any job (empty list: valid).

    ``interaction.range`` > 0 is always checked; with the stage enabled also
    that every model is one of the swept 1D models, that its hot energies lie
    above eps_F and inside the localization grid, and that ``box_length`` >=
    5 xi_h (Born, known before any job) at every model's largest energy.
    """
    from .theory import xi_born

    errors = []
    a = float(config["interaction"]["range"])
    if not a > 0:
        errors.append(
            f"interaction.range: {a} is not > 0 (the exchange part of Eq. (10) cancels the "
            "Hartree part exactly for a -> 0). Fix: give the interaction range a > 0, e.g. 0.05"
        )
    s = matrix_elements_settings(config)
    if not (s["enabled"] and 1 in config["dimensions"]):
        return errors
    swept = set(models(config))
    grid = localization_energies(config)
    box, w, m = float(s["box_length"]), float(config["disorder"]["w"]), float(config["m"])
    for n, mo in enumerate(s["models"]):
        key = f"matrix_elements.models[{n}]"
        fam = "white" if mo["d"] == 0 else mo["family"]
        if (fam, format_d(mo["d"])) not in swept:
            errors.append(
                f"{key}: model {mo['family']} d={mo['d']:g} is not a swept 1D model. Fix: "
                f"choose one of {sorted(swept)} or add it to disorder.families / disorder.d"
            )
            continue
        e = np.asarray(mo["energies"])
        if e.min() <= float(config["fermi_energy"]) or e.max() > grid.max() * (1 + 1e-9):
            errors.append(
                f"{key}.energies: {e.min():g}..{e.max():g} is outside (fermi_energy, max of "
                f"localization.energies]. Fix: give energies in ({config['fermi_energy']}, "
                f"{grid.max():g}]"
            )
        xi = float(xi_born(e.max(), fam, m, w, mo["d"]))
        if box < 5 * xi * (1 - 1e-9):
            errors.append(
                f"{key}.energies: xi_h({e.max():g}) = {xi:.4g} (Born) does not fit the box, "
                f"matrix_elements.box_length = {box:g} < 5 xi_h = {5 * xi:.4g}. Fix: lower the "
                f"largest energy of {key} or set matrix_elements.box_length >= {5 * xi:.4g}"
            )
    if min(s["temperatures"]) <= 0:
        errors.append("matrix_elements.temperatures: not all > 0. Fix: give temperatures > 0")
    return errors


def matrix_elements_models(settings: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(family, d wildcard) of every model of the stage (white noise for d = 0)."""
    return [
        ("white" if mo["d"] == 0 else mo["family"], format_d(mo["d"])) for mo in settings["models"]
    ]


def matrix_elements_energies(
    settings: Mapping[str, Any], family: str, d: str | float
) -> list[float]:
    """Hot energies of one model (``matrix_elements.models[*].energies``) [energy]."""
    return settings["models"][matrix_elements_models(settings).index((family, format_d(float(d))))][
        "energies"
    ]


def matrix_elements_runtime(settings: Mapping[str, Any], family: str, d: str | float) -> int:
    """Job runtime [min]: <= 5 s per realization and hot energy on a loaded core, 2 workers."""
    n = len(matrix_elements_energies(settings, family, d))
    return 5 + int(int(settings["realizations"]) * n * 5 / 60)


def matrix_elements_targets(settings: Mapping[str, Any], config: Mapping[str, Any]) -> list[str]:
    """Targets of the stage in the default job (none when disabled or without dim 1)."""
    if not (settings["enabled"] and 1 in config["dimensions"]):
        return []
    return ["results/matrix_elements.nc"] + [
        f"results/figures/matrix_elements.{ext}" for ext in ("pdf", "png")
    ]
