"""Cluster resources of every rule: ``mem_mb``, ``runtime`` [min] and ``threads`` (README.md).

Known before any job runs, from the configuration alone; the rules call
:func:`rule_resources` (``workflow/rules/common.smk``), and the tests test
these functions.  No job imports this module (editing it reruns nothing).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from .schema import schema_defaults
from .sweep import ed_grid, expand_grid, localization_energies, matrix_elements_energies

__all__ = [
    "disorder",
    "localization",
    "spectral",
    "matrix_elements",
    "localization2d",
    "local",
    "threads",
    "rule_resources",
]

#: Rules whose resources depend on the model (the others': the same for every job).
PER_MODEL = frozenset({"disorder", "spectral", "matrix_elements"})

#: Processes of a spectral / matrix-element job (realizations spread over them) and of
#: the hotcold job (models spread over them); the results do not depend on it.
SPECTRAL_WORKERS = 2
MATRIX_ELEMENTS_WORKERS = 2
HOTCOLD_WORKERS = 2


def disorder(config: Mapping[str, Any], family: str, d: str | float) -> dict[str, int]:
    """Resources of one model's disorder job: the realizations in memory, 10 min."""
    g = ed_grid(config, family, float(d))
    return {"mem_mb": 500 + g["bytes"] // 500_000, "runtime": 10, "threads": 1}


def localization(config: Mapping[str, Any], cores: int = 1) -> dict[str, int]:
    """Resources of one model's localization job (the same for every model).

    Memory: per energy the batch sums of 32 x max_cells / chunk chunks; time:
    1 ns per cell and energy, x4 for a loaded node.  Threads: 2 (numba threads
    over energies) when there are fewer models than ``cores``, else 1.  One
    thread keeps both cores busy with two jobs at a time; two threads on one
    job use about 1.65 of them.  The result does not depend on it (every
    energy is computed by one thread).
    """
    from .sweep import models

    loc = config["localization"]
    n_e = len(localization_energies(config))
    return {
        "mem_mb": 300 + int(8 * 2 * 8 * n_e * loc["max_cells"] / loc["chunk"] / 1e6),
        "runtime": 10 + int(1e-9 * loc["max_cells"] * n_e / 60 * 4),
        "threads": 2 if len(models(config)) < cores else 1,
    }


def spectral(config: Mapping[str, Any], family: str, d: str | float) -> dict[str, int]:
    """Resources of one model's spectral job, from all its passes: ``mem_mb``, ``runtime`` [min].

    Known before any job: xi_c and rho_c from the Born and clean-DOS values at
    eps_F (measured xi_c runs up to ~1.3 x Born; allowed for), the passes from
    :func:`hotcold.thermal.plan_passes`, and per pass the states in its window
    from the clean IDOS.  Memory per worker (2): eigenvectors, their padded
    transposed copy for the pair integrals, the twisted factorizations of 16
    eigenvalues, a 32-pair FFT batch, 300 MB base.
    Time per realization from the measured costs (benchmarks/bench_eigensolver.py,
    bench_pair_integrals.py): 0.02 s + 2e-7 s per site (potential, Sturm counts), 1e-7 s
    per site-state (bisection, eigenvectors), 2e-9 s per pair-site (n_T), 4e-8 s per S
    pair-site (FFT); x3 for a loaded node.  The default gaussian d = 0.5 job (boxes from
    the pair reach): runtime 20 min estimated, 51 s measured on 2 cores (a generous bound).
    """
    from .thermal import plan_passes

    g = ed_grid(config, family, float(d))
    cfg = {**schema_defaults("spectral"), **dict(config["spectral"])}
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
        "threads": SPECTRAL_WORKERS,
    }


def matrix_elements(settings: Mapping[str, Any], family: str, d: str | float) -> dict[str, int]:
    """Resources of one model's matrix-element job (``settings``: the stage's, expanded).

    Memory: 400 states of the box; time: <= 5 s per realization and hot
    energy on a loaded core, 2 workers.
    """
    n = len(matrix_elements_energies(settings, family, d))
    sites = int(settings["box_length"] / settings["dx"])
    return {
        "mem_mb": 600 + sites * 8 * 400 // 1_000_000,
        "runtime": 5 + int(int(settings["realizations"]) * n * 5 / 60),
        "threads": MATRIX_ELEMENTS_WORKERS,
    }


def localization2d(config: Mapping[str, Any]) -> dict[str, int]:
    """Resources of one model's 2D localization job (the same for every model).

    Memory: frames and pivots of the widest strip (a few M^2 numbers), 500 MB.
    Time: per label, ~15 passes of ``label_slices`` at the label width, and
    every strip at most ``max_slices`` slices; 2e-8 M^2 s per slice (M = 128:
    2.5e-4 s, against 1.4e-4 s measured by benchmarks/bench_strip.py), x2 for a
    loaded node.
    """

    from .lattice2d import lattice_step, sites_across
    from .sweep import localization2d_settings

    s = localization2d_settings(config)
    m, e_max = float(config["m"]), max(s["energies"])
    a = min(lattice_step(e_max, m, mo["d"], s["a"], s["ka_max"]) for mo in s["models"])
    sites = [sites_across(w, a) for w in s["widths"]]
    label = sites_across(s["label_width"], a)
    per_eps = 15 * s["label_slices"] * 2e-8 * label**2 + sum(
        s["max_slices"] * 2e-8 * mm**2 for mm in sites
    )
    return {
        "mem_mb": 500 + int(16 * 4 * max(sites + [label]) ** 2 / 1e6),
        "runtime": 10 + int(2 * len(s["energies"]) * per_eps / 60),
        "threads": 1,
    }


def local(rule: str) -> dict[str, int]:
    """Resources of the rules run on the submitting node (merges, hotcold, figures)."""
    return {"mem_mb": 2000, "runtime": 30, "threads": HOTCOLD_WORKERS if rule == "hotcold" else 1}


def threads(rule: str, config: Mapping[str, Any], cores: int = 1) -> int:
    """Threads of every job of ``rule`` (results never depend on it)."""
    if rule == "localization":
        return localization(config, cores)["threads"]
    workers = {"spectral": SPECTRAL_WORKERS, "matrix_elements": MATRIX_ELEMENTS_WORKERS}
    return workers.get(rule) or local(rule)["threads"]


def rule_resources(
    rule: str,
    config: Mapping[str, Any],
    family: str | None = None,
    d: str | float | None = None,
    cores: int = 1,
) -> dict[str, int]:
    """``mem_mb``, ``runtime`` [min] and ``threads`` of one job of ``rule``.

    Parameters
    ----------
    rule : str
        Rule name (``figure_*`` and ``merge_*`` rules share :func:`local`).
    config : mapping
        The validated configuration.
    family, d : str, optional
        Wildcards of a per-model rule.
    cores : int
        Cores of the run (``workflow.cores``; localization threads).

    Returns
    -------
    dict
        ``{"mem_mb": int, "runtime": int, "threads": int}``.
    """
    if rule == "disorder":
        return disorder(config, family, d)
    if rule == "localization":
        return localization(config, cores)
    if rule == "localization2d":
        return localization2d(config)
    if rule == "spectral":
        return spectral(config, family, d)
    if rule == "matrix_elements":
        from .sweep import matrix_elements_settings

        return matrix_elements(matrix_elements_settings(config), family, d)
    return local(rule)
