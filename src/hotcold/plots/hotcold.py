"""Figures of the hot-cold stage (SPEC 1.5): eta_hc maps, eps_th(T), ln sigma(1/T), Fig. 1.

Every function takes the merged ``results/hotcold.nc`` (and, for Fig. 1, the
merged ``results/localization.nc``) and returns a :class:`matplotlib.figure.Figure`.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import xarray as xr  # noqa: E402

__all__ = ["plot_eta_map", "plot_threshold", "plot_conductivity", "plot_fig1"]

_COLORS = plt.rcParams["axes.prop_cycle"].by_key()["color"]


def _families(ds: xr.Dataset) -> list[str]:
    return [str(f) for f in ds["family"].values]


def _d_positive(ds: xr.Dataset) -> list[float]:
    return [float(d) for d in ds["d"].values if d > 0]


def _model_label(family: str, d: float) -> str:
    return "white noise" if d == 0 else f"{family}, d = {d:g}"


def _finite(a: np.ndarray) -> np.ndarray:
    return np.isfinite(np.asarray(a, dtype=float))


def _eta_c(ds: xr.Dataset) -> float:
    return float(ds["eta_c"]) if "eta_c" in ds else float(ds.attrs.get("eta_c", 1.0))


def _fermi(ds: xr.Dataset) -> float:
    return float(ds.attrs.get("fermi_energy", ds["energy"].values.min()))


def _legend(ax: plt.Axes, **kw) -> None:
    """A legend only where something is labelled."""
    if ax.get_legend_handles_labels()[0]:
        ax.legend(**kw)


def _loglog(ax: plt.Axes) -> None:
    """Log-log axes where there is positive data to show; otherwise say so (no crash)."""

    def positive(ln) -> bool:
        x, y = np.asarray(ln.get_xdata(), float), np.asarray(ln.get_ydata(), float)
        return bool(np.any(np.isfinite(x) & (x > 0) & np.isfinite(y) & (y > 0)))

    # data lines only (axvline & co. live in blended axes coordinates)
    if any(positive(ln) for ln in ax.get_lines() if ln.get_transform() == ax.transData):
        ax.set_xscale("log")
        ax.set_yscale("log")
    else:
        ax.text(
            0.5,
            0.5,
            "no point inside the regime of the formulas",
            ha="center",
            transform=ax.transAxes,
        )


def plot_eta_map(ds: xr.Dataset) -> plt.Figure:
    """log10 eta_hc over (energy, T) with the threshold eps_th(T) (Eq. 1; Sec. II).

    Rows: spatial dimension; columns: disorder family at its smallest d > 0
    (in 2D the first column is white noise: correlated 2D disorder scatters so
    weakly that Delta_c falls below every T).  Blank: T >= Delta_c (outside
    the formulas).  The contour eta_hc = eta_c and the root-found eps_th(T)
    (black line with dots) must agree.
    """
    dims = [int(v) for v in ds["dim"].values]
    fams = _families(ds)
    dmin = min(_d_positive(ds) or [0.0])
    eta_c = _eta_c(ds)
    fig, axes = plt.subplots(
        len(dims),
        len(fams),
        figsize=(3.6 * len(fams), 3.0 * len(dims)),
        squeeze=False,
        constrained_layout=True,
    )
    e = ds["energy"].values
    t = ds["T"].values
    mesh = None
    for r, dim in enumerate(dims):
        for c, fam in enumerate(fams):
            ax = axes[r, c]
            dsel = 0.0 if (dim == 2 and c == 0 and 0.0 in ds["d"].values) else dmin
            sub = ds.sel(dim=dim, family=fam, d=dsel)
            eta = np.asarray(sub["eta_hc"].transpose("T", "energy").values, dtype=float)
            with np.errstate(divide="ignore", invalid="ignore"):
                z = np.where(eta > 0, np.log10(eta), np.nan)
            mesh = ax.pcolormesh(e, t, z, shading="auto", cmap="RdBu_r", vmin=-6, vmax=6)
            if z.shape[0] >= 2 and np.any(_finite(z)):
                ax.contour(e, t, z, levels=[np.log10(eta_c)], colors="k", linewidths=0.8)
            th = sub["eps_th"].values
            ok = _finite(th)
            ax.plot(th[ok], t[ok], "k.-", lw=1.5, ms=4, label=r"$\epsilon_{th}(T)$")
            ax.set_xscale("log")
            ax.set_yscale("log")
            ax.set_title(f"D = {dim}: {_model_label(fam, dsel)}", fontsize=9)
            if r == len(dims) - 1:
                ax.set_xlabel(r"energy $\epsilon$")
            if c == 0:
                ax.set_ylabel("T")
    if mesh is not None:
        fig.colorbar(mesh, ax=axes, label=r"$\log_{10}\eta_{hc}$ (Eq. 1)", shrink=0.8)
    fig.suptitle(rf"$\eta_{{hc}}(\epsilon, T)$; black: $\eta_{{hc}} = \eta_c = {eta_c:g}$")
    return fig


def _in_regime(sub: xr.Dataset) -> np.ndarray:
    """Points inside the low-T, weak-disorder regime of the formulas (regime flag 0)."""
    if "regime" not in sub:
        return np.ones(sub["T"].size, dtype=bool)
    return np.asarray(sub["regime"].values) == 0


def plot_threshold(ds: xr.Dataset) -> plt.Figure:
    """eps_th(T) against the asymptotes in the variables where they are straight lines.

    (a) Lorentzian 1D: eps_th/eps0 vs ln^2 chi (Eq. 14: slope 1); (b)
    exponential 1D: eps_th/eps0 vs chi (Eq. 15: proportional, log-log); (c)
    2D: eps_th - eps_F vs ln(Delta_c/T) with Eq. (28).  Only points inside
    the regime of the formulas (T << Delta_c, weak disorder) are drawn.
    """
    fig, axes = plt.subplots(1, 3, figsize=(12, 3.8), constrained_layout=True)
    dims = [int(v) for v in ds["dim"].values]
    fams = _families(ds)
    eps_f = _fermi(ds)
    for ax, fam, eq in ((axes[0], "lorentzian", 14), (axes[1], "exponential", 15)):
        if fam not in fams or 1 not in dims:
            ax.text(0.5, 0.5, f"no 1D {fam} in the sweep", ha="center", transform=ax.transAxes)
            continue
        xs = []
        for i, d in enumerate(_d_positive(ds)):
            sub = ds.sel(dim=1, family=fam, d=d)
            chi = sub["chi"].values
            with np.errstate(invalid="ignore", divide="ignore"):
                x = np.log(chi) ** 2 if eq == 14 else chi
            y = sub["eps_th"].values / float(sub["eps0"])
            ok = _finite(x) & _finite(y) & (chi > 1) & _in_regime(sub)
            col = _COLORS[i % len(_COLORS)]
            ax.plot(x[ok], y[ok], "o", color=col, ms=4, label=f"numerics, d = {d:g}")
            yc = sub["eps_th_comp_born"].values / float(sub["eps0"])
            okc = ok & _finite(yc)
            ax.plot(x[okc], yc[okc], "--", color=col, lw=0.8, label="Born composition")
            xs.append(x[ok])
        xs = np.concatenate(xs) if xs else np.array([])
        if xs.size:
            xx = np.geomspace(xs.min(), xs.max(), 50)
            ax.plot(xx, xx, "k-", lw=1, label=f"Eq. ({eq}): slope 1")
            if eq == 15:
                ax.plot(xx, 0.75 * xx, "k:", lw=1, label="3/4 x Eq. (15)")
        if eq == 15:
            _loglog(ax)
            ax.set_xlabel(r"$\chi(T)$ (Eq. 16)")
        else:
            ax.set_xlabel(r"$\ln^2\chi(T)$ (Eq. 16)")
        ax.set_ylabel(r"$\epsilon_{th}/\epsilon_0$, $\epsilon_0 = 1/8md^2$")
        ax.set_title(f"1D {fam}", fontsize=9)
        _legend(ax, fontsize=7)
    ax = axes[2]
    if 2 in dims:
        k = 0
        for fam in fams:
            for d in sorted(float(v) for v in ds["d"].values):
                if d == 0 and fam != fams[0]:
                    continue
                sub = ds.sel(dim=2, family=fam, d=d)
                lnr = np.log(sub["Delta_c"].values / ds["T"].values)
                y = sub["eps_th"].values - eps_f
                ok = _finite(y) & (lnr > 0) & _in_regime(sub)
                if not ok.any():
                    continue
                col = _COLORS[k % len(_COLORS)]
                k += 1
                ax.plot(lnr[ok], y[ok], "o", color=col, ms=4, label=_model_label(fam, d))
                y28 = sub["eps_th_eq28"].values - eps_f
                ax.plot(lnr[ok], y28[ok], "-", color=col, lw=0.8)
        if k == 0:
            ax.text(0.5, 0.5, "no 2D point with T << Delta_c", ha="center", transform=ax.transAxes)
        ax.set_xlabel(r"$\ln(\Delta_c/T)$")
        ax.set_ylabel(r"$\epsilon_{th} - \epsilon_F$")
        ax.set_title("2D; lines: Eq. (28)", fontsize=9)
        _legend(ax, fontsize=6)
    else:
        ax.set_visible(False)
    return fig


def plot_conductivity(ds: xr.Dataset) -> plt.Figure:
    """-ln sigma vs 1/T (Eqs. 18, 29; the paper's Fig. 2, log-log) and T_c(xi_max).

    Left: the continuum (unbounded xi, solid) for every model with d > 0 and
    2D white noise, inside the regime of the formulas; Arrhenius is a line of
    slope 1 (dotted), super-Arrhenius is steeper and steepening.  Dashed: the
    bounded-xi model (one per xi_max) for the 1D Lorentzian with the largest
    d, where sigma vanishes (-ln sigma = inf) below T_c (vertical lines).
    Right: T_c(xi_max) for every model, decreasing as xi_max grows.
    """
    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(11, 4.2), constrained_layout=True)
    t = ds["T"].values
    dims = [int(v) for v in ds["dim"].values]
    k = 0
    for dim in dims:
        for fam in _families(ds):
            for d in sorted(float(v) for v in ds["d"].values):
                if d == 0 and (dim == 1 or fam != _families(ds)[0]):
                    continue
                sub = ds.sel(dim=dim, family=fam, d=d)
                y = -sub["ln_sigma"].values
                ok = _finite(y) & (y > 0) & _in_regime(sub)
                if ok.sum() < 2:
                    continue
                ax.plot(
                    1 / t[ok],
                    y[ok],
                    "-o",
                    ms=3,
                    color=_COLORS[k % len(_COLORS)],
                    label=f"D={dim} {_model_label(fam, d)}",
                )
                k += 1
    lines = ax.get_lines()
    if lines:
        x0 = np.array([1 / t.max(), 1 / t.min()])
        y0 = min(float(np.nanmin(ln.get_ydata())) for ln in lines)
        ax.plot(x0, y0 * x0 / x0[0], "k:", lw=1, label="Arrhenius (slope 1)")
    if "ln_sigma_bounded" in ds and 1 in dims and _d_positive(ds):
        fam = "lorentzian" if "lorentzian" in _families(ds) else _families(ds)[0]
        dmax = max(_d_positive(ds))
        sub = ds.sel(dim=1, family=fam, d=dmax)
        reg = _in_regime(sub)
        shades = plt.get_cmap("Greys")(np.linspace(0.45, 1.0, ds["xi_max"].size))
        markers = "xv^s+"
        for i, xm in enumerate(ds["xi_max"].values):
            y = -sub["ln_sigma_bounded"].sel(xi_max=xm).values
            ok = _finite(y) & (y > 0) & reg
            col = shades[i]
            ax.plot(
                1 / t[ok],
                y[ok],
                ls="--",
                marker=markers[i % 5],
                ms=5,
                color=col,
                lw=0.8,
                label=rf"bounded, $\xi_{{max}}$ = {xm:g} ({fam}, d = {dmax:g})",
            )
            tc = float(sub["T_c"].sel(xi_max=xm))
            if np.isfinite(tc) and tc > 0:
                ax.axvline(1 / tc, color=col, lw=1.0, ls=":")
        k = 0
        for dim in dims:
            for fam2 in _families(ds):
                for d in _d_positive(ds):
                    tc = ds["T_c"].sel(dim=dim, family=fam2, d=d).values
                    ok = _finite(tc) & (tc > 0)
                    if ok.sum() >= 2:
                        ax2.plot(
                            ds["xi_max"].values[ok],
                            tc[ok],
                            "o-",
                            ms=3,
                            color=_COLORS[k % len(_COLORS)],
                            label=f"D={dim} {_model_label(fam2, d)}",
                        )
                        k += 1
        _loglog(ax2)
        ax2.set_xlabel(r"$\xi_{max}$")
        ax2.set_ylabel(r"$T_c(\xi_{max})$")
        ax2.set_title(
            r"bounded $\xi$: true transition, $T_c \to 0$ as $\xi_{max}\to\infty$", fontsize=9
        )
        _legend(ax2, fontsize=6)
    else:
        ax2.set_visible(False)
    _loglog(ax)
    ax.set_xlabel("1/T")
    ax.set_ylabel(r"$-\ln\sigma = (\epsilon_{th}-\epsilon_F)/T$")
    ax.set_title("continuum: super-Arrhenius, no transition (Eqs. 18, 29)", fontsize=9)
    _legend(ax, fontsize=6)
    return fig


def plot_fig1(ds: xr.Dataset, loc: xr.Dataset) -> plt.Figure:
    """Data-driven version of the paper's Fig. 1 at one temperature.

    xi(eps) (measured points with errors from the localization stage, the
    curve used by the hot-cold stage), the Fermi function f(eps), the cold
    window |eps - eps_F| < T and the hot window eps > eps_th(T).
    """
    fam = "lorentzian" if "lorentzian" in _families(ds) else _families(ds)[0]
    dmax = max(_d_positive(ds) or [0.0])
    eps_f = _fermi(ds)
    t_all = ds["T"].values
    sub = ds.sel(dim=1, family=fam, d=dmax)
    th = sub["eps_th"].values
    idx = [i for i in range(t_all.size) if np.isfinite(th[i])]
    i_t = idx[len(idx) // 2] if idx else t_all.size // 2
    temp, eth = float(t_all[i_t]), float(th[i_t])
    fig, ax = plt.subplots(figsize=(6.5, 4.2), constrained_layout=True)
    e = ds["energy"].values
    with np.errstate(over="ignore"):
        xi_h = np.exp(sub["ln_xi_h"].values)
    e_top = 30 * eth if np.isfinite(eth) else 100 * eps_f
    okx = _finite(xi_h) & (xi_h < 1e250) & (e <= e_top)
    e, xi_h = e[okx], xi_h[okx]
    ax.plot(e, xi_h, "C0-", lw=1.2, label=r"$\xi(\epsilon)$ used (measured, else Born)")
    if fam in [str(f) for f in loc["family"].values] and dmax in loc["d"].values:
        lrow = loc.sel(family=fam, d=dmax)
        meas = lrow["xi_source"].values == 0
        ax.errorbar(
            lrow["energy"].values[meas],
            lrow["xi"].values[meas],
            yerr=lrow["xi_stderr"].values[meas],
            fmt="C0o",
            ms=3,
            label="transfer matrices",
        )
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(r"energy $\epsilon$")
    ax.set_ylabel(r"$\xi(\epsilon)$", color="C0")
    ax.axvspan(
        max(eps_f - temp, e.min() * 0.5),
        eps_f + temp,
        color="C2",
        alpha=0.3,
        label=rf"cold window $|\epsilon-\epsilon_F| < T$, T = {temp:.3g}",
    )
    if np.isfinite(eth):
        ax.axvspan(
            eth,
            e.max(),
            color="C3",
            alpha=0.15,
            label=rf"hot: $\epsilon > \epsilon_{{th}}(T)$ = {eth:.3g}",
        )
    ax2 = ax.twinx()
    ee = np.geomspace(max(e.min() * 0.5, 1e-3), e_top, 2000)
    with np.errstate(over="ignore"):
        f = 1.0 / (np.exp((ee - eps_f) / temp) + 1.0)
    ax2.plot(ee, f, "k-", lw=1, label=r"$f(\epsilon)$")
    ax2.set_ylabel(r"Fermi function $f(\epsilon)$")
    ax2.set_ylim(0, 1.05)
    ax.set_title(f"Fig. 1 from data: {_model_label(fam, dmax)}", fontsize=10)
    h1, l1 = ax.get_legend_handles_labels()
    h2, l2 = ax2.get_legend_handles_labels()
    ax.legend(h1 + h2, l1 + l2, fontsize=7, loc="upper center")
    return fig
