"""Bit-identity of every dataset of two workflow runs (issue 18: a restructuring
must not change a number).

Compares each netCDF file under ``--ref`` (a reference run's ``results/``) with
the same relative path under ``--new``: every variable and coordinate bit for
bit (dims, dtype, bytes; NaN payloads included; strings by value).  Attributes
are not compared (provenance and wording may change on purpose); variables that
exist only in the new file are listed as added, not as mismatches.  A renamed
variable is compared under its new name with ``--rename old=new``.

``--white-once`` compares a reference of the layout in which white noise fills
the d = 0 slot of every family with a new run that stores it once, at
(family='white', d=0): every old (f, d) cell of a variable over (family, d) is
compared bit for bit with the new cell (('white', 0) for d = 0, else (f, d));
the new cells that hold no model (correlated families at d = 0, white at
d > 0) must be missing (NaN; integer flags: their ``no_model_value``, -1;
booleans: False), ``is_model`` must mark exactly the model cells, and the
new ``family`` axis must be the old one with 'white' first.

Prints one line per file (and per differing variable) and exits 1 on any
mismatch or missing file.

Run:  python benchmarks/check_results_equivalence.py --ref /work/baseline/results --new results
      (add --white-once against a reference of the old white-noise layout)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import xarray as xr
from check_hotcold_equivalence import same_bits

WHITE = "white"


def _is_model(family: str, d: float) -> bool:
    """The new layout: white noise at d = 0 only, a correlated family at d > 0 only."""
    return (family == WHITE) == (float(d) == 0)


def _new_cell(family: str, d: float) -> tuple[str, float]:
    """Where the old (family, d) cell lives in the new layout."""
    return (WHITE, 0.0) if float(d) == 0 else (family, float(d))


def compare_cells(a: xr.DataArray, b: xr.DataArray) -> tuple[bool, str]:
    """Every old (family, d) cell of ``a`` against its new cell of ``b``, bit for bit."""
    bad = []
    for f in a["family"].values:
        for d in a["d"].values:
            nf, nd = _new_cell(str(f), float(d))
            ok, msg = same_bits(a.sel(family=f, d=d).variable, b.sel(family=nf, d=nd).variable)
            if not ok:
                bad.append(f"({f}, d={float(d):g}) -> ({nf}, d={nd:g}): {msg}")
    return (not bad), "; ".join(bad) or "every old cell bit-identical in its new cell"


def missing_cells(b: xr.DataArray) -> list[str]:
    """The new cells that hold no model but are not missing."""
    fill = b.attrs.get("no_model_value", -1)
    bad = []
    for f in b["family"].values:
        for d in b["d"].values:
            if _is_model(str(f), float(d)):
                continue
            x = np.asarray(b.sel(family=f, d=d).values)
            if x.dtype.kind in "fc":
                ok = bool(np.isnan(x).all())
            elif x.dtype.kind == "b":
                ok = not x.any()
            elif x.dtype.kind in "iu":
                ok = bool((x == fill).all())
            else:
                ok = bool((x.astype(str) == "").all())
            if not ok:
                bad.append(f"({f}, d={float(d):g}) not missing")
    return bad


def white_once_layout(a: xr.Dataset, b: xr.Dataset) -> list[str]:
    """The new family axis (white first) and is_model; report lines of what is wrong."""
    old = [str(f) for f in a["family"].values]
    new = [str(f) for f in b["family"].values]
    has_zero = bool((a["d"].values == 0).any())
    want = ([WHITE] if has_zero else []) + [f for f in old if f != WHITE]
    lines = [] if new == want else [f"  FAIL family: {new} != {want}"]
    if "is_model" not in b:
        return [*lines, "  FAIL is_model: missing in the new file"]
    expect = [[_is_model(f, d) for d in b["d"].values] for f in new]
    if b["is_model"].transpose("family", "d").values.tolist() != expect:
        lines.append("  FAIL is_model: does not mark exactly the model cells")
    return lines


def compare_file(
    ref: Path, new: Path, rename: dict[str, str], white_once: bool = False
) -> tuple[int, list[str]]:
    """Number of mismatching variables of one file pair, and the report lines."""
    a = xr.open_dataset(ref, decode_times=False)
    b = xr.open_dataset(new, decode_times=False)
    cells = white_once and "family" in a.dims and "d" in a.dims
    lines = white_once_layout(a, b) if cells else []
    bad = len(lines)
    if bad:  # not the white-once layout: its cells cannot be compared
        a.close()
        b.close()
        return bad, lines
    for name in sorted(a.variables):
        target = rename.get(name, name)
        if target not in b.variables:
            bad += 1
            lines.append(f"  FAIL {name}: missing in the new file")
            continue
        if cells and name == "family":
            continue  # checked by white_once_layout
        if cells and {"family", "d"} <= set(a.variables[name].dims):
            ok, msg = compare_cells(a[name], b[target])
        else:
            ok, msg = same_bits(a.variables[name], b.variables[target])
        if not ok:
            bad += 1
            lines.append(f"  FAIL {name}: {msg}")
    if cells:
        for name in sorted(b.data_vars):
            if {"family", "d"} <= set(b[name].dims) and name != "is_model":
                if miss := missing_cells(b[name]):
                    bad += 1
                    lines.append(f"  FAIL {name}: {'; '.join(miss)}")
    renamed = set(rename.values())
    added = sorted(set(b.variables) - set(a.variables) - renamed)
    if added:
        lines.append(f"  added (new only): {', '.join(added)}")
    a.close()
    b.close()
    return bad, lines


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ref", required=True, help="reference results directory")
    ap.add_argument("--new", default="results", help="new results directory")
    ap.add_argument("--rename", action="append", default=[], metavar="OLD=NEW")
    ap.add_argument(
        "--white-once",
        action="store_true",
        help="the reference stores white noise at d = 0 of every family, the new run once",
    )
    args = ap.parse_args()
    rename = dict(r.split("=", 1) for r in args.rename)
    ref_dir, new_dir = Path(args.ref), Path(args.new)
    files = sorted(p.relative_to(ref_dir) for p in ref_dir.rglob("*.nc"))
    total_bad = 0
    for rel in files:
        if not (new_dir / rel).exists():
            total_bad += 1
            print(f"FAIL {rel}: missing in {new_dir}")
            continue
        bad, lines = compare_file(ref_dir / rel, new_dir / rel, rename, args.white_once)
        total_bad += bad
        print(f"{'OK  ' if not bad else 'FAIL'} {rel}")
        for line in lines:
            print(line)
    print(f"{len(files)} files compared; {total_bad} mismatches")
    return 1 if total_bad else 0


if __name__ == "__main__":
    sys.exit(main())
