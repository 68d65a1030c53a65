"""Dataset I/O: CF attributes, variable tables, provenance, atomic netCDF4 writes.
(docs/physics.md §2).

Every data variable written by hotcold carries ``units`` and ``long_name``
(checked on write) and, where one applies, the paper's equation number in
``equation``.  Every file carries provenance: package version, git revision,
the configuration subset that produced it, seeds and creation time, and a
CF ``history`` line.

Reduced units (hbar = k_B = 1; energies and lengths in the units set by ``m``
and ``eps_F``): a dimensional quantity's ``units`` is its reduced unit, spelled
from the vocabulary :data:`REDUCED_UNITS` (``"energy"``, ``"length"``,
``"1/(energy length)"``, ...); only a dimensionless quantity has ``units = "1"``.
The global attribute ``unit_system`` states the convention.  These strings are
not UDUNITS units, the one finding the CF checker reports (docs/physics.md §2.2);
writing ``"1"`` instead would tell CF tools and xarray's plot labels that xi or T
is dimensionless, which is false.

Variable metadata is declared once per dataset, as a table
``{name: Var(dims, units, long_name, equation, ...)}`` next to the code that
computes the dataset, and applied by :func:`apply_table`.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import json
import os
import subprocess
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from . import __version__, code_hash  # code_hash: re-exported (README.md)
from . import families as _families

__all__ = [
    "CONVENTIONS",
    "set_attrs",
    "missing_attrs",
    "git_revision",
    "code_hash",
    "provenance_attrs",
    "finalize",
    "write_netcdf",
    "open_dataset",
    "flag_attrs",
    "Var",
    "PARAMETER_VARIABLES",
    "apply_table",
    "table_mismatches",
    "cf_units",
    "UNIT_SYSTEM",
    "REDUCED_UNITS",
    "NO_MODEL_FLAG",
    "IS_MODEL",
    "D_COORD",
    "missing_like",
    "mark_models",
    "select_model",
]

CONVENTIONS = "CF-1.11"
#: Global attribute stating the reduced-unit convention (config/README.md, "Units").
UNIT_SYSTEM = (
    "reduced units: hbar = k_B = 1, energies and lengths in the units set by the particle "
    "mass m and the Fermi energy (config keys m, fermi_energy); a dimensional quantity's "
    "units attribute is its reduced unit (e.g. 'energy', 'length', '1/(energy length)'; "
    "not UDUNITS units), a dimensionless one has units = '1'"
)
_PACKAGE_DIR = Path(__file__).resolve().parent


_DIMENSIONLESS = {"1", ""}
#: The vocabulary of reduced units: every dimensional variable's ``units`` is one of
#: these strings (one spelling per unit; ``D`` is the spatial dimension ``dim``).
REDUCED_UNITS = frozenset(
    {
        "length",
        "1/length",
        "1/length^D",
        "energy",
        "1/energy",
        "energy^2",
        "mass",
        "1/(energy length)",
        "1/(energy length^D)",
        "1/(energy^2 length^2)",
        "1/(energy length^2)",
        "energy^2 length",
        "energy^2 length^2",
    }
)


def cf_units(units: str) -> dict[str, str]:
    """The ``units`` attribute of a reduced unit: the unit itself, ``"1"`` if dimensionless.

    No separate ``reduced_units`` attribute: ``units`` is the one place a unit is
    written (a second copy could disagree with it).

    >>> cf_units("energy")
    {'units': 'energy'}
    >>> cf_units("1")
    {'units': '1'}
    """
    units = str(units).strip()
    if units in _DIMENSIONLESS:
        return {"units": "1"}
    if units not in REDUCED_UNITS:
        raise ValueError(f"unit {units!r} is not in datasets.REDUCED_UNITS (one spelling per unit)")
    return {"units": units}


def set_attrs(
    da: xr.DataArray, units: str, long_name: str, equation: str | None = None, **extra: Any
) -> xr.DataArray:
    """Attach CF attributes (and the paper's equation number) to a DataArray in place.

    ``units`` is the reduced dimension ("1", "energy", "length", "1/length^D", ...),
    checked by :func:`cf_units`; a ``reduced_units`` attribute of files written before
    the units were stated in ``units`` is dropped.
    """
    da.attrs.pop("reduced_units", None)
    da.attrs.update(cf_units(units), long_name=long_name)
    if equation:
        da.attrs["equation"] = equation
    da.attrs.update(extra)
    return da


@dataclasses.dataclass(frozen=True)
class Var:
    """Metadata of one dataset variable: the single place it is declared.

    Parameters
    ----------
    dims : tuple of str
        Dimension names, in order (checked by :func:`apply_table`).
    units : str
        Reduced dimension ("1", "energy", "length", ...; see :func:`cf_units`).
    long_name : str
        CF long name.
    equation : str, optional
        The paper's equation number(s) the variable implements or is compared with.
    attrs : mapping, optional
        Further attributes (``comment``, flag attributes, ...).
    """

    dims: tuple[str, ...]
    units: str
    long_name: str
    equation: str | None = None
    attrs: Mapping[str, Any] = dataclasses.field(default_factory=dict)


#: The model's parameters, stored as scalar variables by the datasets that need them
#: (the figures and later stages read them from the data, not from the config); the
#: same for every model of a sweep, so :func:`merge_models` keeps them scalar.
PARAMETER_VARIABLES: dict[str, Var] = {
    "eps_F": Var((), "energy", "Fermi energy eps_F", "Sec. II (cold electrons: |eps - eps_F| < T)"),
    "m": Var((), "mass", "particle mass m (eps = k^2/2m)", "Eqs. (2), (21)"),
    "w": Var(
        (),
        "energy^2 length",
        "1D disorder strength w (integral of the correlator)",
        "Eq. (2): xi = 2 eps/(m w)",
    ),
    "w2": Var(
        (),
        "energy^2 length^2",
        "2D disorder strength w2 (integral of the correlator)",
        "Eq. (21): 1/tau = m w2",
    ),
}


def table_mismatches(ds: xr.Dataset, table: Mapping[str, Var]) -> list[str]:
    """Variables of ``ds`` not in ``table``, or whose dims differ from the table's."""
    bad = []
    for name, var in ds.variables.items():
        spec = table.get(str(name))
        if spec is None:
            if name in ds.dims and var.dtype.kind in "OSU":
                continue  # string coordinate labels (family) are declared by their dimension
            bad.append(f"{name}: not in the variable table")
        elif tuple(var.dims) != tuple(spec.dims):
            bad.append(f"{name}: dims {tuple(var.dims)} != table {tuple(spec.dims)}")
    return bad


def apply_table(ds: xr.Dataset, table: Mapping[str, Var], strict: bool = True) -> xr.Dataset:
    """Set every variable's attributes from ``table``; return ``ds`` (modified in place).

    With ``strict`` a variable missing from the table, or with other dims, is a
    ValueError: a new variable is one computation plus one table row.
    """
    if strict:
        bad = table_mismatches(ds, table)
        if bad:
            raise ValueError("dataset does not match its variable table: " + "; ".join(bad))
    for name, spec in table.items():
        if name in ds.variables:
            set_attrs(ds[name], spec.units, spec.long_name, spec.equation, **dict(spec.attrs))
    return ds


def flag_attrs(meanings: Iterable[str], long_name: str) -> dict[str, Any]:
    """CF flag attributes for an int8 category variable (``flag_values``/``flag_meanings``)."""
    meanings = list(meanings)
    return {
        "units": "1",
        "long_name": long_name,
        "flag_values": np.arange(len(meanings), dtype=np.int8),
        "flag_meanings": " ".join(meanings),
    }


def missing_attrs(ds: xr.Dataset) -> list[str]:
    """Names of data variables and coordinates lacking ``units`` or ``long_name``."""
    bad = []
    for name, var in list(ds.data_vars.items()) + list(ds.coords.items()):
        if var.dtype.kind in "OSU":  # string coordinates (e.g. family) need no units
            if "long_name" not in var.attrs:
                bad.append(str(name))
            continue
        if "units" not in var.attrs or "long_name" not in var.attrs:
            bad.append(str(name))
    return bad


def git_revision(path: str | os.PathLike | None = None) -> str:
    """``git describe --always --dirty`` of the checkout containing ``path``, or 'unknown'."""
    where = Path(path) if path is not None else _PACKAGE_DIR
    try:
        out = subprocess.run(
            ["git", "describe", "--always", "--dirty", "--abbrev=12"],
            cwd=where,
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        )
        return out.stdout.strip() or "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def _jsonable(obj: Any) -> Any:
    if isinstance(obj, Mapping):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, np.generic):
        return obj.item()
    return obj


def provenance_attrs(
    config: Mapping[str, Any] | None = None,
    seeds: Mapping[str, Any] | None = None,
    inputs: Iterable[str] | None = None,
    workdir: str | os.PathLike | None = None,
) -> dict[str, str]:
    """Global provenance attributes (docs/physics.md §2; issue 6 item 4).

    Parameters
    ----------
    config : mapping
        The configuration subset that produced the file (stored as JSON).
    seeds : mapping
        Seeds and seed-sequence keys used (stored as JSON).
    inputs : iterable of str
        Paths of the input files this dataset was made from.
    workdir : path
        Directory whose git revision is recorded (default: the package's).
    """
    attrs = {
        "hotcold_version": __version__,
        "git_revision": git_revision(workdir),
        "config": json.dumps(_jsonable(dict(config or {})), sort_keys=True),
        "seeds": json.dumps(_jsonable(dict(seeds or {})), sort_keys=True),
        "date_created": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
    }
    if inputs is not None:
        attrs["source_files"] = json.dumps([str(p) for p in inputs])
    return attrs


def finalize(
    ds: xr.Dataset,
    title: str,
    config: Mapping[str, Any] | None = None,
    seeds: Mapping[str, Any] | None = None,
    inputs: Iterable[str] | None = None,
    **global_attrs: Any,
) -> xr.Dataset:
    """Add ``Conventions``, title, references and provenance; return ``ds``."""
    ds.attrs.update(
        Conventions=CONVENTIONS,
        title=title,
        institution="hotcold workflow",
        source=f"hotcold {__version__}",
        references=(
            "I. V. Gornyi, A. D. Mirlin, M. Mueller, D. G. Polyakov, "
            "'Absence of many-body localization in a continuum'"
        ),
    )
    prov = provenance_attrs(config, seeds, inputs)
    ds.attrs.update(prov)
    ds.attrs["unit_system"] = UNIT_SYSTEM
    ds.attrs["history"] = (
        f"{prov['date_created']}: created by hotcold {__version__} ({title}; "
        f"git {prov['git_revision']})"
    )
    ds.attrs.update({k: v for k, v in global_attrs.items() if v is not None})
    return ds


#: Variables with at least this many elements are written deflated (:func:`write_netcdf`).
_DEFLATE_MIN_SIZE = 65536


def write_netcdf(ds: xr.Dataset, path: str | os.PathLike) -> Path:
    """Write ``ds`` to netCDF4 atomically (temporary file, then rename).

    Refuses (ValueError) a dataset whose variables lack units or long_name,
    so that no file without them can leave the workflow.
    """
    bad = missing_attrs(ds)
    if bad:
        raise ValueError(f"variables without units/long_name: {', '.join(bad)}")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(suffix=".nc.tmp", dir=path.parent)
    os.close(fd)
    try:
        # CF 2.5.1: coordinate variables carry no _FillValue
        encoding = {str(c): {"_FillValue": None} for c in ds.coords if ds[c].dtype.kind in "fiu"}
        # lossless deflate of the large variables (hotcold.nc: 51 -> 3.4 MB, +0.06 s; the
        # union of the 2D temperature grids leaves most cells missing)
        encoding |= {
            str(k): {"zlib": True, "complevel": 1, "shuffle": True}
            for k, v in ds.data_vars.items()
            if v.size >= _DEFLATE_MIN_SIZE and v.dtype.kind in "fiub"
        }
        ds.to_netcdf(tmp, engine="netcdf4", format="NETCDF4", encoding=encoding)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    return path


def open_dataset(path: str | os.PathLike) -> xr.Dataset:
    """Open a hotcold netCDF file fully into memory (and close the file).

    Raises
    ------
    OSError
        The file is missing, unreadable or not a netCDF4 file (truncated or
        corrupt); the message names the file and the fix.
    """
    try:
        with xr.open_dataset(path, engine="netcdf4") as ds:
            return ds.load()
    except PermissionError:
        raise
    except (OSError, ValueError, RuntimeError) as exc:
        raise OSError(
            f"{path} cannot be read as a netCDF4 dataset ({type(exc).__name__}: {exc}). "
            f"Fix: delete {path} and rerun snakemake, which makes it again"
        ) from exc


def _pop_parameters(one: xr.Dataset, params: dict[str, xr.DataArray]) -> xr.Dataset:
    """``one`` without its parameter scalars, which go to ``params`` (checked to agree)."""
    names = [k for k in PARAMETER_VARIABLES if k in one.data_vars and one[k].ndim == 0]
    for name in names:
        seen = params.setdefault(name, one[name])
        if not seen.identical(one[name]):
            raise ValueError(f"models disagree on the parameter {name}: cannot merge")
    return one.drop_vars(names)


def merge_models(
    per_model: Mapping[tuple[str, float], xr.Dataset | str | os.PathLike],
    families: Iterable[str],
    ds_values: Iterable[float],
) -> xr.Dataset:
    """Stack per-model datasets into one over (family, d, ...) (docs/physics.md §2).

    ``per_model`` maps (family, d) to a dataset or to the path of its netCDF
    file.  White noise is one model, stored once at ('white', 0.0); the cells
    that are not a model (correlated families at d = 0, white at d > 0) are
    missing (:func:`missing_like`) and ``is_model`` marks the others
    (:func:`mark_models`).  Files are opened one family row at a time and
    released after the row is stacked, so the peak memory is about twice the
    merged data (rows + the result), not every per-model dataset at once
    (benchmarks/bench_merge.py).  Per-model global attributes that differ
    between models (e.g. the grid step ``dx``) become variables over
    (family, d); the model parameters (:data:`PARAMETER_VARIABLES`) stay
    scalar (a ValueError if models disagree).
    """
    ds_values = sorted({float(d) for d in ds_values})
    families = list(_families.sweep_families(families, ds_values))
    rows = []
    extra: dict[str, np.ndarray] = {"dx": np.full((len(families), len(ds_values)), np.nan)}
    params: dict[str, xr.DataArray] = {}
    for i, fam in enumerate(families):
        cols: list[xr.Dataset | None] = []
        for j, d in enumerate(ds_values):
            if not _families.is_model(fam, d):
                cols.append(None)
                continue
            one = per_model[(fam, d)]
            one = one if isinstance(one, xr.Dataset) else open_dataset(one)
            extra["dx"][i, j] = one.attrs.get("dx", np.nan)
            cols.append(_pop_parameters(one, params))
        rows.append(_stack_row(cols, ds_values))
        del cols
    merged = xr.concat(
        rows,
        dim=xr.DataArray(families, dims="family", name="family"),
        join="outer",
        combine_attrs="drop_conflicts",
    )
    del rows
    for name, vals in extra.items():
        merged[name] = (("family", "d"), vals)
        set_attrs(merged[name], "length", "grid step of the per-model computation")
    for name, da in params.items():
        merged[name] = da
    for key in ("family", "d", "dx", "w"):
        merged.attrs.pop(key, None)
    return mark_models(merged)


def _stack_row(cols: list[xr.Dataset | None], ds_values: list[float]) -> xr.Dataset:
    """One family row over d; a None column (not a model) is the row's first model made missing."""
    template = next(c for c in cols if c is not None)
    cols = [missing_like(template) if c is None else c for c in cols]
    cols = [c.expand_dims(d=[d]) for c, d in zip(cols, ds_values, strict=True)]
    return xr.concat(cols, dim="d", join="outer", combine_attrs="drop_conflicts")


#: Value of an integer (flag) variable in a (family, d) cell that holds no model.
NO_MODEL_FLAG = -1


def _missing_value(dtype: np.dtype) -> Any:
    """The missing value of a dtype: NaN (float), :data:`NO_MODEL_FLAG` (int), False
    (bool), '' (string)."""
    kind = np.dtype(dtype).kind
    if kind in "fc":
        return np.nan
    if kind in "iu":
        return NO_MODEL_FLAG
    return False if kind == "b" else ""


def missing_like(ds: xr.Dataset) -> xr.Dataset:
    """``ds`` with every data variable missing: NaN (float), :data:`NO_MODEL_FLAG` (int),
    False (bool), '' (string); coordinates and attributes kept."""
    out = ds.copy(deep=False)
    for name, var in ds.data_vars.items():
        fill = _missing_value(var.dtype)
        out[name] = var.copy(data=np.full(var.shape, fill, dtype=var.dtype))
    return out


def reindex_missing(ds: xr.Dataset, **indexers: Any) -> xr.Dataset:
    """``ds.reindex(**indexers)`` with the new cells missing as in :func:`missing_like`
    (each variable keeps its dtype: flags stay integers)."""
    fill = {name: _missing_value(var.dtype) for name, var in ds.data_vars.items()}
    return ds.reindex(indexers, fill_value=fill)


#: The ``d`` coordinate of a merged dataset (:func:`mark_models`).
D_COORD = Var(
    ("d",),
    "length",
    "disorder correlation radius d (d = 0: white noise, family 'white'; see is_model)",
)

#: The ``is_model`` variable of a merged dataset (:func:`mark_models`).
IS_MODEL = Var(
    ("family", "d"),
    "1",
    "this (family, d) cell holds a disorder model",
    "docs/physics.md §2 (white noise is one model, stored once)",
    {
        "comment": "white noise is stored once at (family='white', d=0); the other cells are "
        f"missing: NaN in float variables, {NO_MODEL_FLAG} in integer (flag) variables "
        "(attribute no_model_value; in a flag_masks variable it sets every bit: read flags "
        "where is_model)"
    },
)


def mark_models(ds: xr.Dataset) -> xr.Dataset:
    """Add ``is_model`` over (family, d) and state the missing-cell convention in the attrs.

    The (family, d) cells that are not a model (:func:`hotcold.families.is_model`)
    hold NaN in float variables and :data:`NO_MODEL_FLAG` in integer (flag)
    variables (attribute ``no_model_value``).  Returns ``ds`` (modified in place).
    """
    fams = [str(f) for f in ds["family"].values]
    dvals = [float(d) for d in ds["d"].values]
    ds["is_model"] = (
        ("family", "d"),
        np.array([[_families.is_model(f, d) for d in dvals] for f in fams], dtype=bool),
    )
    set_attrs(
        ds["is_model"], IS_MODEL.units, IS_MODEL.long_name, IS_MODEL.equation, **IS_MODEL.attrs
    )
    for var in ds.data_vars.values():
        if var.dtype.kind in "iu" and {"family", "d"} <= set(var.dims):
            var.attrs["no_model_value"] = np.int8(NO_MODEL_FLAG)
    ds["family"].attrs["long_name"] = (
        "disorder family ('white': white noise, at d = 0 only; see is_model)"
    )
    set_attrs(ds["d"], D_COORD.units, D_COORD.long_name)
    return ds


def select_model(ds: xr.Dataset | xr.DataArray, family: str, d: float) -> xr.Dataset | xr.DataArray:
    """The (family, d) model of a merged dataset; d = 0 is white noise whatever ``family``.

    Parameters
    ----------
    ds : xarray.Dataset or xarray.DataArray
        A merged dataset (or one of its variables) over (family, d, ...).
    family : str
        A family name (any name selects white noise at d = 0).
    d : float
        The correlation radius.

    Returns
    -------
    xarray.Dataset or xarray.DataArray
        ``ds.sel(family=..., d=d)``.
    """
    return ds.sel(family=_families.get(str(family), d).name, d=float(d))
