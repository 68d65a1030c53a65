"""hotcold: numerics for many-body delocalization in a continuum (hot-cold mixture).

Physics modules, one per concept:

- :mod:`hotcold.theory`       closed forms of the paper, with equation numbers
- :mod:`hotcold.disorder`     Gaussian random potentials (SPEC 1.1)
- :mod:`hotcold.localization` transfer-matrix Lyapunov exponent and IDOS (SPEC 1.2)
- :mod:`hotcold.spectral`     S_omega(x) and n_T from exact eigenstates (SPEC 1.3)
- :mod:`hotcold.hotcold`      eta_hc, eps_th(T), conductivity (SPEC 1.4)
- :mod:`hotcold.datasets`     netCDF I/O, CF attributes, provenance (SPEC 2)
- :mod:`hotcold.plots`        figures (SPEC 1.5)
"""

__version__ = "0.1.0"


def code_hash(*modules: str) -> str:
    """SHA-256 (first 16 hex digits) of the source of the named ``hotcold`` modules.

    Passed to Snakemake jobs as a ``params:`` value so that a change of the
    physics code reruns exactly the jobs that use it (SPEC 4).  ``__init__``
    (the version) is always included.  Standard library only: the workflow
    imports it when it builds the DAG, so a no-op rerun stays fast.
    """
    import hashlib
    from pathlib import Path

    package = Path(__file__).resolve().parent
    h = hashlib.sha256()
    for name in sorted(set(modules) | {"__init__"}):
        h.update(name.encode())
        h.update((package / f"{name}.py").read_bytes())
    return h.hexdigest()[:16]
