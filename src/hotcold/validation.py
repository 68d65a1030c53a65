"""Validation of a configuration: the schema, then the rules between keys (config/README.md).

Every problem is one line, ``key: what is wrong. Fix: how``; the workflow
prints them all and exits with status 1 before any job runs
(:func:`exit_with`).  jsonschema is imported only when a configuration is
validated.
"""

from __future__ import annotations

import difflib
import math
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, NoReturn, TextIO

import numpy as np
import yaml

from .schema import fill_defaults, load_schema
from .sweep import (
    ed_grid,
    expand_grid,
    format_d,
    localization_energies,
    matrix_elements_settings,
    models,
)

__all__ = [
    "ConfigError",
    "validate_config",
    "matrix_elements_problems",
    "yaml_problems",
    "exit_with",
    "check_yaml_files",
    "check_config",
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
        box_xi = sites * float(sp["dx"]) / xi_c if math.isfinite(sites) else math.inf
        gb = 8 * sites * (10 * box_xi + 50) / 1e9
        out.append(
            f"spectral.box_length: the exact-diagonalization box of the {family} d = {d} "
            f"model ({box_xi:.3g} Born xi_c, xi_c = {xi_c:.3g}, step "
            f"spectral.dx = {_show(sp['dx'])}) has {float(sites):.3g} sites (~{gb:.3g} GB of "
            f"eigenpairs; at most {MAX_ED_SITES:.0e}). Fix: a stronger disorder.w or smaller "
            "disorder.d (shorter xi_c), a smaller spectral.box_length (fixed box) or "
            "spectral.box_interior, a larger spectral.dx, or dimensions: [2] (no 1D numerics)"
        )
    return out


#: Largest k_F dx of the exact-diagonalization lattice (as localization.kdx_max bounds the
#: transfer-matrix step): a coarser lattice does not resolve the Fermi wavelength.
ED_KDX_MAX = 0.6


def _regime_problems(config: Mapping) -> list[str]:
    """1D models outside the paper's regime before any job runs: strong disorder (Born
    k_F xi_c at eps_F below hotcold.strong_disorder_kfxi), or an ED lattice too coarse
    for the Fermi wavelength (k_F dx > ED_KDX_MAX)."""
    from .theory import wavevector, xi_born

    out = []
    m, e_f, w = float(config["m"]), float(config["fermi_energy"]), float(config["disorder"]["w"])
    k_f = float(wavevector(e_f, m))
    bound = float(config["hotcold"]["strong_disorder_kfxi"])
    for family, d in models(config):
        with np.errstate(all="ignore"):
            kxi = k_f * float(xi_born(e_f, family, m, w, float(d)))
            try:
                kdx = k_f * float(ed_grid(config, family, float(d))["dx"])
            except (OverflowError, ValueError, ZeroDivisionError):
                kdx = 0.0  # the box cannot be built: _ed_size_problems says so
        if kxi < bound:
            out.append(
                f"disorder.w: the {family} d = {d} model has k_F xi_c = {kxi:.3g} at eps_F "
                f"(Born), below hotcold.strong_disorder_kfxi = {_show(bound)}: strong disorder, "
                "outside the paper's weak-disorder regime (k_F xi_c >> 1). Fix: a weaker "
                "disorder.w (xi_c ~ 1/w), a higher fermi_energy, or a lower "
                "hotcold.strong_disorder_kfxi to compute it anyway (flagged strong_disorder)"
            )
        if kdx > ED_KDX_MAX:
            out.append(
                f"spectral.dx: {_show(config['spectral']['dx'])} gives k_F dx = {kdx:.3g} > "
                f"{ED_KDX_MAX} for the {family} d = {d} model: the exact-diagonalization "
                f"lattice does not resolve the Fermi wavelength. Fix: spectral.dx <= "
                f"{ED_KDX_MAX / k_f:.3g}"
            )
    return out


def _resolution_problems(config: Mapping) -> list[str]:
    """1D models whose n_T the spectral stage could not resolve at the configured cost.

    Before any job: xi_c from Born (and 1.3 x Born, the measured excess allowed
    for), the passes of :func:`hotcold.thermal.plan_passes`, and per T the
    optimistic error bound :func:`hotcold.thermal.optimistic_rel_error`.  A model is a
    problem only where the spectral stage would certainly stop: some T are
    unresolved (bound > ``spectral.rel_error_max``) and fewer than two resolved
    ones lie at ln(Delta_c/T) >= ``spectral.extrapolation_L_min`` to fit g.
    """
    from .schema import schema_defaults
    from .theory import clean_dos, xi_born
    from .thermal import optimistic_rel_error, plan_passes

    sp = {**schema_defaults("spectral"), **dict(config["spectral"])}
    m, e_f, w = float(config["m"]), float(config["fermi_energy"]), float(config["disorder"]["w"])
    t = np.asarray(expand_grid(config["temperatures"]), dtype=float)
    rel_max, l_min = float(sp["rel_error_max"]), float(sp["extrapolation_L_min"])
    out = []
    for family, d in models(config):
        g = ed_grid(config, family, float(d))
        xi0 = float(xi_born(e_f, family, m, w, float(d)))
        bounds, fit_ok = [], np.zeros(t.size, bool)
        for xi_c in (xi0, 1.3 * xi0):
            delta_c = 1.0 / (float(clean_dos(e_f, m)) * xi_c)
            shape = (g["realizations"], g["sites"])
            passes = plan_passes(t, sp, shape, g["dx"], xi_c, delta_c, True)
            b = optimistic_rel_error(passes, t, xi_c, delta_c, g["dx"])
            bounds.append(b)
            fit_ok |= (b <= rel_max) & (np.log(delta_c / t) >= l_min)
        bound = np.minimum(*bounds)
        bad = bound > rel_max
        if not bad.any() or fit_ok.sum() >= 2:
            continue
        shown = ", ".join(
            f"{ti:.3g} ({100 * bi:.0f} %)" for ti, bi in zip(t[bad], bound[bad], strict=True)
        )
        out.append(
            f"temperatures: the {family} d = {d} model cannot resolve n_T at {int(bad.sum())} of "
            f"{t.size} temperatures at the configured cost: T = {shown}, the relative error "
            f"n_T would have at best (thermal-pair count of the box and realizations), above "
            f"spectral.rel_error_max = {_show(rel_max)}; and only {int(fit_ok.sum())} "
            f"resolvable T lie at ln(Delta_c/T) >= spectral.extrapolation_L_min = "
            f"{_show(l_min)} to extrapolate from (2 needed). Fix: more realizations "
            "(spectral.realizations, or spectral.bands[*].blocks of the band serving these T), "
            "a larger spectral.box_interior, or higher temperatures"
        )
    return out


def _cross_field_problems(config: Mapping) -> list[str]:
    """Rules between keys (min < max pairs, grids, caps); the schema checks single keys."""
    # 1D: the spectral stage evaluates the numerical n_T at every temperature (§1.3),
    # so T must be > 0; 2D only: T <= 0 is computed, flagged nonpositive_T and warned about
    one_d = 1 in config.get("dimensions", [1, 2])
    out = _grid_problems("temperatures", config["temperatures"], positive=one_d)
    out += _grid_problems("temperatures_2d", config.get("temperatures_2d"), positive=True)
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
        out += _regime_problems(config)
        if not out:  # the estimate needs valid grids and a model in the regime
            out += _resolution_problems(config)
    dis = config["disorder"]
    if set(dis["families"]) == {"white"} and any(d > 0 for d in dis["d"]):
        out.append(
            f"disorder.d: {_show([d for d in dis['d'] if d > 0])} unused with disorder.families "
            "= [white] (white noise has d = 0). Fix: add a correlated family "
            "(lorentzian, exponential, gaussian) or set d: [0]"
        )
    return out


def validate_config(config: dict, schema: Mapping | None = None) -> dict:
    """Validate ``config`` against the JSON schema, then the rules between keys.

    The one check of a configuration: the workflow (``common.smk``) and the
    pre-flight ``python -m hotcold.config`` both call it.  Numeric/boolean
    strings are converted first (``--config`` passes nested values as
    strings); then the schema, then (with the schema's defaults filled in)
    the rules between keys, then the matrix-element stage's rules.

    Parameters
    ----------
    config : dict
        The merged configuration; changed in place.
    schema : mapping, optional
        Default: the package's schema (:mod:`hotcold.schema`).

    Returns
    -------
    dict
        ``config`` with every default filled in.

    Raises
    ------
    ConfigError
        One ``key: problem. Fix: ...`` line per problem.
    """
    import jsonschema

    schema = load_schema() if schema is None else schema
    _coerce_numbers(config)
    errors = _nonfinite(config)
    validator = jsonschema.Draft7Validator(schema)
    for err in sorted(validator.iter_errors(config), key=lambda e: [str(p) for p in e.path]):
        errors += _schema_problem(err, schema)
    if not errors:
        fill_defaults(config, schema)
        errors = (
            _cross_field_problems(config)
            or matrix_elements_problems(config)
            or localization2d_problems(config)
        )
    if errors:
        raise ConfigError(list(dict.fromkeys(errors)))
    return config


def _lattice2d_problems(s: Mapping[str, Any], m: float) -> list[str]:
    """The lattice of the 2D stage: resolves k at the highest label and every d; strips of
    at least 2 sites."""
    from .lattice2d import A_OVER_D_LIMIT, lattice_step, sites_across

    out, e_max = [], max(s["energies"])
    k = math.sqrt(2.0 * m * e_max)
    for mo in s["models"]:
        d = float(mo["d"])
        a = lattice_step(e_max, m, d, s["a"], s["ka_max"])
        if s["a"] and k * a > s["ka_max"] * (1 + 1e-12):
            out.append(
                f"localization2d.a: {_show(a)} gives k a = {k * a:.3g} at the highest label "
                f"eps = {e_max:g}, above localization2d.ka_max = {_show(s['ka_max'])}: the lattice "
                f"is too coarse for the continuum. Fix: a <= {s['ka_max'] / k:.3g}, or a: null"
            )
        if s["a"] and d > 0 and a > A_OVER_D_LIMIT * d * (1 + 1e-12):
            out.append(
                f"localization2d.a: {_show(a)} does not resolve d = {d:g} of the {mo['family']} "
                f"model (a <= d/2 needed). Fix: a <= {A_OVER_D_LIMIT * d:g}, or a: null"
            )
        for w in list(s["widths"]) + [s["label_width"]]:
            if sites_across(w, a) < 2:
                key = "label_width" if w == s["label_width"] else "widths"
                out.append(
                    f"localization2d.{key}: W = {w:g} is fewer than 2 sites of a = {a:g}. "
                    f"Fix: W >= {2 * a:g}"
                )
    return out


def localization2d_problems(config: Mapping[str, Any]) -> list[str]:
    """Problems of the 2D localization stage's configuration (enabled only), one line each.

    Labels above the band bottom, a lattice fine enough for k a and d/a, strips
    of at least 2 sites, strips wide enough that some point can be measured
    (a direct point, or at least two widths for the collapse), a flux that
    does something, and at least 8 jackknife blocks for the label.
    """
    from .sweep import localization2d_settings
    from .theory import ln_xi_2d

    if not (config.get("localization2d") or {}).get("enabled"):
        return []
    out = _grid_problems("localization2d.energies", config["localization2d"].get("energies",
                         [1.0]), positive=True)  # fmt: skip
    if out:
        return out
    s = localization2d_settings(config)
    m, w2 = float(config["m"]), float(config["disorder"]["w2"])
    out += _lattice2d_problems(s, m)
    if len(s["widths"]) < 2:
        for mo in s["models"]:
            xi = math.exp(float(ln_xi_2d(min(s["energies"]), mo["family"], m, w2, mo["d"])))
            if max(s["widths"]) < 3 * xi:
                out.append(
                    f"localization2d.widths: one strip of W = {max(s['widths']):g} cannot give "
                    f"xi_2D of the {mo['family']} d = {mo['d']:g} model: no direct point (Eq. 20 "
                    f"xi = {xi:.3g} at eps = {min(s['energies']):g} needs W >= 3 xi) and no "
                    "scaling collapse (2 widths at least). Fix: several widths, e.g. [4, 8, 16]"
                )
    flux = float(s["flux"])
    if flux != 0 and flux == round(flux):
        out.append(
            f"localization2d.flux: {_show(flux)} flux quanta per plaquette are gauge-equivalent "
            "to no flux (every Peierls phase is 1). Fix: a fractional flux (e.g. 0.05) for "
            "broken time reversal (Eq. 30), or 0"
        )
    if s["label_slices"] < 8 * s["label_block"]:
        out.append(
            f"localization2d.label_slices: {s['label_slices']} gives fewer than 8 jackknife "
            f"blocks of label_block = {s['label_block']}. Fix: label_slices >= "
            f"{8 * s['label_block']}"
        )
    return out


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


def check_config(config: dict, schema_path: str | Path | None = None) -> dict:
    """:func:`validate_config`, exiting with the problems (status 1) instead of raising."""
    try:
        return validate_config(config, load_schema(schema_path))
    except ConfigError as err:
        exit_with(err.problems)
