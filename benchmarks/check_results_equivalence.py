"""Bit-identity of every dataset of two workflow runs (issue 18: a restructuring
must not change a number).

Compares each netCDF file under ``--ref`` (a reference run's ``results/``) with
the same relative path under ``--new``: every variable and coordinate bit for
bit (dims, dtype, bytes; NaN payloads included; strings by value).  Attributes
are not compared (provenance and wording may change on purpose); variables that
exist only in the new file are listed as added, not as mismatches.  A renamed
variable is compared under its new name with ``--rename old=new``.

Prints one line per file (and per differing variable) and exits 1 on any
mismatch or missing file.

Run:  python benchmarks/check_results_equivalence.py --ref /work/baseline/results --new results
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import xarray as xr
from check_hotcold_equivalence import same_bits


def compare_file(ref: Path, new: Path, rename: dict[str, str]) -> tuple[int, list[str]]:
    """Number of mismatching variables of one file pair, and the report lines."""
    a = xr.open_dataset(ref, decode_times=False)
    b = xr.open_dataset(new, decode_times=False)
    lines, bad = [], 0
    for name in sorted(a.variables):
        target = rename.get(name, name)
        if target not in b.variables:
            bad += 1
            lines.append(f"  FAIL {name}: missing in the new file")
            continue
        ok, msg = same_bits(a.variables[name], b.variables[target])
        if not ok:
            bad += 1
            lines.append(f"  FAIL {name}: {msg}")
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
        bad, lines = compare_file(ref_dir / rel, new_dir / rel, rename)
        total_bad += bad
        print(f"{'OK  ' if not bad else 'FAIL'} {rel}")
        for line in lines:
            print(line)
    print(f"{len(files)} files compared; {total_bad} mismatches")
    return 1 if total_bad else 0


if __name__ == "__main__":
    sys.exit(main())
