"""Figures: S_omega(x) vs Eq. (5), the Mott peak vs Eq. (7), n_T(T) vs Eq. (6).

Every function accepts either a per-model dataset of
:func:`hotcold.spectral.spectral_dataset` (scalar or absent ``family``/``d``)
or the merged ``results/spectral.nc`` with leading dims (family, d); the
white-noise model, which fills d = 0 of every family, is drawn once.
Quantities are shown in the natural units of the cold bath: |x| in xi_c,
omega and T in Delta_c = 1/(rho_c xi_c), S in rho_c^2, n_T in 1/xi_c.
"""

from __future__ import annotations

from collections.abc import Iterator

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import xarray as xr  # noqa: E402

__all__ = ["plot_spectral", "plot_mott_peak", "plot_thermal_density", "iter_models"]

EQ6 = 2.0 * np.pi**2 / 3.0


def _label(family: str, d: float) -> str:
    return "white (d=0)" if d == 0 or family == "white" else f"{family} d={d:g}"


def iter_models(ds: xr.Dataset) -> Iterator[tuple[str, xr.Dataset]]:
    """(label, per-model dataset) for a per-model or a (family, d)-merged dataset.

    Models without data (all-NaN ``n_T``) are skipped; white noise (d = 0)
    is yielded once even when it fills the d = 0 slot of every family.
    """
    has_f, has_d = "family" in ds.dims, "d" in ds.dims
    if not (has_f or has_d):
        fam = str(ds["family"].values) if "family" in ds.coords else ds.attrs.get("family", "")
        d = float(ds["d"].values) if "d" in ds.coords else float(ds.attrs.get("d", np.nan))
        yield (_label(fam, d) if fam else "model"), ds
        return
    fams = [str(f) for f in ds["family"].values] if has_f else [None]
    dvals = [float(v) for v in ds["d"].values] if has_d else [None]
    white_done = False
    for fam in fams:
        for d in dvals:
            sel = {}
            if fam is not None:
                sel["family"] = fam
            if d is not None:
                sel["d"] = d
            sub = ds.sel(sel)
            if "n_T" in sub and not np.isfinite(sub["n_T"].values).any():
                continue
            if d == 0:
                if white_done:
                    continue
                white_done = True
            f_lab = fam if fam is not None else str(ds.attrs.get("family", ""))
            d_lab = d if d is not None else float(ds.attrs.get("d", np.nan))
            yield _label(f_lab, d_lab), sub


def _scalar(sub: xr.Dataset, name: str) -> float:
    return float(np.asarray(sub[name].values).reshape(-1)[0])


def plot_spectral(ds: xr.Dataset, n_omega: int = 4) -> plt.Figure:
    """-S_omega(x)/rho_c^2 vs |x|/xi_c for a few omega (one panel per model), with Eq. (5).

    Points with standard-error bands are the exact-eigenstate estimate;
    dashed lines of the same colour are Eq. (5) at the same omega; the
    shaded strip |x| < x_cut holds the positive central peak (the sum rule
    partner of the Mott peak).
    """
    models = list(iter_models(ds))
    ncol = min(len(models), 4)
    nrow = int(np.ceil(len(models) / ncol))
    fig, axes = plt.subplots(
        nrow, ncol, figsize=(4.2 * ncol, 3.4 * nrow), squeeze=False, sharey=True
    )
    cmap = plt.get_cmap("viridis")
    for k, (lab, sub) in enumerate(models):
        ax = axes[k // ncol, k % ncol]
        rho, xi = _scalar(sub, "rho_c"), _scalar(sub, "xi_c")
        om = sub["omega"].values
        low = np.nonzero(om <= 0.35)[0]
        if low.size == 0:
            low = np.arange(om.size)
        pick = np.unique(np.linspace(0, low.size - 1, min(n_omega, low.size)).round().astype(int))
        x = sub["x_abs"].values / xi
        for n, b in enumerate(low[pick]):
            col = cmap(n / max(len(pick) - 1, 1))
            s = -sub["S"].values[b] / rho**2
            se = sub["S_stderr"].values[b] / rho**2
            ok = np.isfinite(s)
            ax.plot(x[ok], s[ok], "-", color=col, lw=1.2, label=f"omega/Delta_c={om[b]:.3g}")
            ax.fill_between(x[ok], (s - se)[ok], (s + se)[ok], color=col, alpha=0.25, lw=0)
            ax.plot(x, -sub["S_eq5"].values[b] / rho**2, "--", color=col, lw=1.0)
        x_cut = _scalar(sub, "x_cut") / xi
        ax.axvspan(0, x_cut, color="0.9", zorder=0)
        ax.axhline(0, color="k", lw=0.6)
        ax.set_title(lab, fontsize=9)
        ax.set_xlabel("|x| / xi_c")
        if k % ncol == 0:
            ax.set_ylabel("-S_omega(x) / rho_c^2")
        ax.set_ylim(-0.15, 0.35)
        ax.legend(fontsize=6, loc="upper right")
    for k in range(len(models), nrow * ncol):
        axes[k // ncol, k % ncol].set_visible(False)
    fig.suptitle(
        "Spectral function at eps_F: exact eigenstates (solid, s.e. bands) vs Eq. (5) (dashed); "
        "grey: |x| < x_cut",
        fontsize=9,
    )
    fig.tight_layout()
    return fig


def plot_mott_peak(ds: xr.Dataset) -> plt.Figure:
    """Mott-peak position l_peak/xi_c vs ln(Delta_c/omega), with Eq. (7) (2 ln(Delta_c/omega)).

    Dotted lines: the weighted linear fit of each model (slope/(2 xi_c) in
    the legend); open symbols: omega above the fit range.
    """
    fig, ax = plt.subplots(figsize=(6.0, 4.4))
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    lmax = 0.0
    for k, (lab, sub) in enumerate(iter_models(ds)):
        col = colors[k % len(colors)]
        xi = _scalar(sub, "xi_c")
        lnr = np.log(1.0 / sub["omega"].values)
        lp = sub["l_peak"].values / xi
        se = sub["l_peak_stderr"].values / xi
        inside = sub["omega"].values <= _scalar(sub, "mott_fit_omega_max")
        r, rs = _scalar(sub, "mott_slope_ratio"), _scalar(sub, "mott_slope_ratio_stderr")
        for mask, mfc in ((inside, col), (~inside, "none")):
            if mask.any():
                ax.errorbar(
                    lnr[mask],
                    lp[mask],
                    yerr=se[mask],
                    fmt="o",
                    ms=4,
                    color=col,
                    mfc=mfc,
                    capsize=2,
                    label=f"{lab}: slope/(2 xi_c) = {r:.2f} +- {rs:.2f}" if mfc == col else None,
                )
        slope, icpt = _scalar(sub, "mott_slope"), _scalar(sub, "mott_intercept")
        if np.isfinite(slope):
            xx = np.linspace(0, lnr.max(), 50)
            ax.plot(xx, (slope * xx + icpt) / xi, ":", color=col, lw=1)
        lmax = max(lmax, lnr.max())
    xx = np.linspace(0, lmax, 50)
    ax.plot(xx, 2 * xx, "k-", lw=1.2, label="Eq. (7): l_M = 2 xi_c ln(Delta_c/omega)")
    # an ill-defined centroid (no net negative weight beyond x_cut at large omega)
    # has a huge jackknife error: keep the axis on the physical range
    ax.set_ylim(0, 2.6 * lmax)
    ax.set_xlabel("ln(Delta_c / omega)")
    ax.set_ylabel("Mott-peak position l_peak / xi_c")
    ax.set_title("Negative peak of S_omega(x) (centroid beyond x_cut) vs Eq. (7)", fontsize=9)
    ax.legend(fontsize=6)
    fig.tight_layout()
    return fig


def plot_thermal_density(ds: xr.Dataset) -> plt.Figure:
    """n_T xi_c/(T/Delta_c)^2 vs T/Delta_c (log x) with the Eq. (6) constant 2 pi^2/3.

    Error bars: standard errors over realizations; the legend gives the
    fitted exponent p of n_T ~ T^p at low T and the Eq. (6) ratio.
    """
    fig, ax = plt.subplots(figsize=(6.0, 4.4))
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    tmin, tmax = np.inf, 0.0
    for k, (lab, sub) in enumerate(iter_models(ds)):
        col = colors[k % len(colors)]
        xi, dc = _scalar(sub, "xi_c"), _scalar(sub, "delta_c")
        t = sub["T"].values / dc
        y = sub["n_T"].values * xi / t**2
        se = sub["n_T_stderr"].values * xi / t**2
        p, ps = _scalar(sub, "T_exponent"), _scalar(sub, "T_exponent_stderr")
        ax.errorbar(
            t,
            y,
            yerr=se,
            fmt="o-",
            ms=4,
            lw=0.8,
            color=col,
            capsize=2,
            label=f"{lab}: p = {p:.2f} +- {ps:.2f}",
        )
        tmin, tmax = min(tmin, t.min()), max(tmax, t.max())
    if np.isfinite(tmin):
        ax.hlines(EQ6, tmin, tmax, color="k", lw=1.2, label="Eq. (6): 2 pi^2/3")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("T / Delta_c")
    ax.set_ylabel("n_T xi_c / (T/Delta_c)^2")
    ax.set_title("Thermal-pair density from exact eigenpairs vs Eq. (6)", fontsize=9)
    ax.legend(fontsize=6)
    fig.tight_layout()
    return fig
