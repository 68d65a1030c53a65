"""The sweep: models, energy and temperature grids, the ED grid and stage targets.
(config/README.md).

What the workflow expands into jobs, known before any job runs.  numpy and
PyYAML only (no jsonschema): physics modules and job scripts import it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from . import families
from .schema import schema_defaults

__all__ = [
    "expand_grid",
    "format_d",
    "models",
    "localization_energies",
    "ed_grid",
    "matrix_elements_settings",
    "matrix_elements_models",
    "matrix_elements_energies",
    "matrix_elements_targets",
    "localization2d_settings",
    "localization2d_models",
    "localization2d_targets",
]


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


def ed_grid(config: Mapping, family: str, d: float) -> dict[str, float | int]:
    """Grid of the exact-diagonalization realizations of one model (docs/physics.md §1.3).

    These are the main pass's realizations.  Its box is sized from the pair
    reach (:func:`hotcold.thermal.pair_reach`) at the lowest temperature the
    main pass serves (:func:`hotcold.thermal.main_t_low`), with xi_c and
    Delta_c estimated by the Born asymptote and the clean DOS at eps_F (known
    before the localization stage runs); ``spectral.box_length`` (Born xi_c)
    fixes it instead.  The step is ``spectral.dx``, refined to d/4 where the
    disorder correlator needs it.

    Returns
    -------
    dict with ``dx`` [length], ``box_length`` [length], ``sites``,
    ``realizations``, ``xi_c_born`` [length] and ``bytes`` (of the realizations).
    """
    from .theory import clean_dos, xi_born
    from .thermal import box_from_reach, main_t_low, pair_reach

    sp = {**schema_defaults("spectral"), **dict(config["spectral"])}
    d = float(d)
    dx = float(sp["dx"]) if d == 0 else min(float(sp["dx"]), d / 4)
    eps_f, m = float(config["fermi_energy"]), float(config["m"])
    xi_c = float(xi_born(eps_f, family, m, float(config["disorder"]["w"]), d))
    if sp["box_length"] is not None:
        box = float(sp["box_length"]) * float(sp["box_scale"]) * xi_c
    else:
        delta_c = 1.0 / (float(clean_dos(eps_f, m)) * xi_c)
        t_low = main_t_low(expand_grid(config["temperatures"]), sp, delta_c)
        reach = pair_reach(t_low, xi_c, delta_c, float(sp["x_cut"]) * xi_c, sp["box_widths"])
        box = box_from_reach(reach, sp)
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


def matrix_elements_settings(config: Mapping[str, Any]) -> dict[str, Any]:
    """The ``matrix_elements`` section with defaults, grids expanded to lists [energy]."""
    s = {**schema_defaults("matrix_elements"), **dict(config.get("matrix_elements") or {})}
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


def matrix_elements_targets(settings: Mapping[str, Any], config: Mapping[str, Any]) -> list[str]:
    """Targets of the stage in the default job (none when disabled or without dim 1)."""
    if not (settings["enabled"] and 1 in config["dimensions"]):
        return []
    return ["results/matrix_elements.nc"] + [
        f"results/figures/matrix_elements.{ext}" for ext in ("pdf", "png")
    ]


def localization2d_settings(config: Mapping[str, Any]) -> dict[str, Any]:
    """The ``localization2d`` section with defaults, the label grid expanded [energy]."""
    s = {**schema_defaults("localization2d"), **dict(config.get("localization2d") or {})}
    s["energies"] = expand_grid(s["energies"]).tolist()
    s["widths"] = [float(w) for w in s["widths"]]
    s["models"] = [{"family": str(mo["family"]), "d": float(mo["d"])} for mo in s["models"]]
    return s


def localization2d_models(settings: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(family, d wildcard) of every model of the 2D localization stage (white for d = 0)."""
    out = [
        ("white" if mo["d"] == 0 else mo["family"], format_d(mo["d"])) for mo in settings["models"]
    ]
    return list(dict.fromkeys(out))


def localization2d_targets(settings: Mapping[str, Any], config: Mapping[str, Any]) -> list[str]:
    """Targets of the 2D localization stage in the default job (none when disabled or without
    dimension 2)."""
    if not (settings["enabled"] and 2 in config["dimensions"]):
        return []
    return ["results/localization2d.nc"] + [
        f"results/figures/localization_2d.{ext}" for ext in ("pdf", "png")
    ]
