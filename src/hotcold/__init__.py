"""hotcold: numerics for many-body delocalization in a continuum (hot-cold mixture).

Physics modules, one per concept:

- :mod:`hotcold.theory`       closed forms of the paper, with equation numbers
- :mod:`hotcold.disorder`     Gaussian random potentials (docs/physics.md §1.1)
- :mod:`hotcold.localization` transfer-matrix Lyapunov exponent and IDOS (docs/physics.md §1.2)
- :mod:`hotcold.spectral`     S_omega(x) and n_T from exact eigenstates (docs/physics.md §1.3)
- :mod:`hotcold.hotcold`      eta_hc, eps_th(T), conductivity (docs/physics.md §1.4)
- :mod:`hotcold.datasets`     netCDF I/O, CF attributes, provenance (docs/physics.md §2)
- :mod:`hotcold.plots`        figures (docs/physics.md §1.5)

Configuration and workflow support (config/README.md, README.md), one concept each:

- :mod:`hotcold.schema`       the schema: every key and default (package data)
- :mod:`hotcold.validation`   schema and cross-key checks, one line per problem
- :mod:`hotcold.sweep`        models, grids, energies, ED grid, stage targets
- :mod:`hotcold.resources`    mem_mb, runtime and threads of every rule
- :mod:`hotcold.imports`      import closure of a job (its rerun trigger)
- :mod:`hotcold.config`       ``python -m hotcold.config`` pre-flight; re-exports
"""

__version__ = "0.1.0"


def code_hash(*modules: str) -> str:
    """SHA-256 (first 16 hex digits) of the named ``hotcold`` modules and all they import.

    The code version of :func:`hotcold.imports.code_version` (the import
    closure, ``__init__`` always included), which the workflow passes to
    every job as a ``params:`` value so that a change of the code a job runs
    reruns it (README.md).  Standard library only.
    """
    from .imports import code_version

    return code_version(*modules)
