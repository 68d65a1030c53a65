"""Figures (docs/physics.md §1.5): one module per figure or stage; every function returns a
matplotlib Figure.

* :mod:`~hotcold.plots.localization`: xi(eps) against Eq. (2) and the Born asymptote;
* :mod:`~hotcold.plots.localization2d`: xi_2D(eps) from strips, its scaling collapse, Eq. (20),
  the density shift;
* :mod:`~hotcold.plots.spectral`: S_omega(x), the Mott peak, n_T(T), the asymptotics;
* :mod:`~hotcold.plots.matrix_elements`: V^H, V^ex (Eq. 10) against Eqs. (11)/(12), cancellation;
* :mod:`~hotcold.plots.eta_map`: log10(eta_hc/eta_c) over (eps - eps_F, T);
* :mod:`~hotcold.plots.threshold`: eps_th(T) against Eqs. (14), (15), (28);
* :mod:`~hotcold.plots.conductivity`: -ln sigma(1/T) (the paper's Fig. 2) and T_c(xi_max);
* :mod:`~hotcold.plots.fig1`: the paper's Fig. 1 from data;
* :mod:`~hotcold.plots.common`: model selection, flags and error bars of the hot-cold figures;
* :mod:`~hotcold.plots.style`: colours, unit labels, legends that hide no data, captions.

The model's parameters (eps_F, m, w) are read from the datasets' scalar variables.
"""
