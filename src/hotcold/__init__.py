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
