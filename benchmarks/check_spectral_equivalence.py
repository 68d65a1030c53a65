"""Bit-identity of the restructured spectral stage against a reference run (issue 12 item 5).

Recomputes per-model spectral datasets with the code in this checkout from the
*inputs* of a reference run of the default workflow (``disorder`` and
``localization`` per-model files) and compares every variable (data variables
and coordinates) bit for bit with the reference *outputs*.  Attributes are not
compared (provenance and the CF encoding of the units differ by design).
The spectral settings are those recorded in each reference file
(``config`` attribute), so the comparison holds for exactly the configuration
the reference was made with.

This checks the restructuring of issue 12 (commit "spectral_dataset as small
pure functions ..."); later commits that change the estimators on purpose
(issue 9) make this script report the variables that changed.

Result at commit 6925478 (the restructuring) against /work/ref/results (commit 068eb28):
7/7 default models (white; lorentzian, exponential, gaussian d = 0.25, 0.5) bit-identical,
41 variables each.

Run:  python benchmarks/check_spectral_equivalence.py [--ref /work/ref/results]
      [--models white/d0 lorentzian/d0.5 ...] [--workers 2]
Exit status 0 when every compared model is bit-identical.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

from hotcold.datasets import open_dataset
from hotcold.localization import cold_parameters
from hotcold.spectral import spectral_dataset


def _bits(a: np.ndarray) -> np.ndarray:
    a = np.asarray(a)
    return a.view(f"u{a.itemsize}") if a.dtype.kind == "f" else a


def compare(ref_ds, new_ds) -> list[str]:
    """Names of variables whose values differ bit-wise (or that exist in one only)."""
    bad = sorted(set(ref_ds.variables) ^ set(new_ds.variables))
    for k in sorted(set(ref_ds.variables) & set(new_ds.variables)):
        a, b = ref_ds[k].values, new_ds[k].values
        if a.shape != b.shape or a.dtype != b.dtype or not np.array_equal(_bits(a), _bits(b)):
            bad.append(str(k))
    return bad


def recompute(ref: Path, model: str, workers: int):
    """The spectral dataset of ``model`` ('family/dX') recomputed from the reference inputs."""
    out = open_dataset(ref / "spectral" / f"{model}.nc")
    cfg = json.loads(out.attrs["config"])
    dis = open_dataset(ref / "disorder" / f"{model}.nc")
    loc = open_dataset(ref / "localization" / f"{model}.nc")
    cold = cold_parameters(loc, cfg["fermi_energy"])
    cold.pop("xi_c_source")
    new = spectral_dataset(
        dis["potential"].values,
        float(dis.attrs["dx"]),
        cfg["m"],
        cfg["fermi_energy"],
        settings=cfg["spectral"],
        log=lambda s: None,
        workers=workers,
        **cold,
    )
    return out, new


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--ref", type=Path, default=Path("/work/ref/results"))
    ap.add_argument("--models", nargs="*", help="family/dX (default: every reference model)")
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    models = args.models or sorted(
        str(p.relative_to(args.ref / "spectral").with_suffix(""))
        for p in (args.ref / "spectral").glob("*/d*.nc")
    )
    failed = 0
    for model in models:
        t0 = time.perf_counter()
        ref_ds, new_ds = recompute(args.ref, model, args.workers)
        bad = compare(ref_ds, new_ds)
        n = len(ref_ds.variables)
        status = "bit-identical" if not bad else f"DIFFERENT: {', '.join(bad)}"
        print(f"{model:18s} {n} variables: {status} ({time.perf_counter() - t0:.0f} s)")
        failed += bool(bad)
    print(f"{len(models) - failed}/{len(models)} models bit-identical to {args.ref}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
