"""Figures: S_omega(x) vs Eq. (5), the Mott peak vs Eq. (7), n_T(T) vs Eq. (6).

Every function accepts either a per-model dataset of
:func:`hotcold.spectral.spectral_dataset` (scalar or absent ``family``/``d``)
or the merged ``results/spectral.nc`` with leading dims (family, d); the
white-noise model, stored once at (family='white', d=0), is drawn once.
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
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

from . import common, style  # noqa: E402

__all__ = [
    "plot_spectral",
    "plot_mott_peak",
    "plot_thermal_density",
    "plot_asymptotics",
    "iter_models",
]

EQ6 = 2.0 * np.pi**2 / 3.0


def _label(family: str, d: float) -> str:
    return "white (d=0)" if d == 0 or family == "white" else f"{family} d={d:g}"


def iter_models(ds: xr.Dataset) -> Iterator[tuple[str, xr.Dataset]]:
    """(label, per-model dataset) for a per-model or a (family, d)-merged dataset.

    Models without data (all-NaN ``n_T``) and cells that hold no model
    (``is_model`` False) are skipped; white noise (d = 0) is yielded once,
    also from a dataset of the old layout where it fills the d = 0 slot of
    every family.
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
            if "is_model" in sub and not bool(sub["is_model"].all()):
                continue  # a (family, d) cell that holds no model
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


def _omega_picks(om: np.ndarray, n_omega: int) -> np.ndarray:
    low = np.nonzero(om <= 0.35)[0]
    if low.size == 0:
        low = np.arange(om.size)
    pick = np.unique(np.linspace(0, low.size - 1, min(n_omega, low.size)).round().astype(int))
    return low[pick]


def _symlog_threshold(models: list, picks: np.ndarray) -> tuple[float, float, float]:
    """(linthresh, ymin, ymax) of -S/rho_c^2: linear where the Mott peak lives."""
    outer, lo, hi = 0.0, 0.0, 0.0
    for _, sub in models:
        rho, xi = _scalar(sub, "rho_c"), _scalar(sub, "xi_c")
        s = -np.asarray(sub["S"].values, dtype=float)[picks] / rho**2
        s5 = -np.asarray(sub["S_eq5"].values, dtype=float)[picks] / rho**2
        x = np.asarray(sub["x_abs"].values, dtype=float) / xi
        far = x > _scalar(sub, "x_cut") / xi
        for arr in (s, s5):
            if np.isfinite(arr).any():
                lo, hi = min(lo, np.nanmin(arr)), max(hi, np.nanmax(arr))
                a = np.abs(arr[:, far])
                if np.isfinite(a).any():
                    outer = max(outer, float(np.nanmax(a)))
    return 1.15 * outer if outer > 0 else 1.0, lo, hi


def _symlog_ticks(ax: plt.Axes, lin: float, y0: float, y1: float) -> None:
    """Readable ticks on a symlog axis: a linear ladder inside +-lin, decades outside."""
    from matplotlib import ticker

    step = ticker.MaxNLocator(nbins=4, steps=[1, 2, 5]).tick_values(-lin, lin)
    step = float(step[1] - step[0])
    lin_t = np.arange(np.ceil(-lin / step), np.floor(min(lin, y1) / step) + 1) * step
    log_t = [-v for v in (0.5, 1.0, 2.0, 5.0, 10.0) if -v >= y0 and v > 1.5 * lin][-1:]
    ax.yaxis.set_major_locator(ticker.FixedLocator(sorted([*log_t, *lin_t])))
    ax.yaxis.set_major_formatter(ticker.FuncFormatter(lambda v, _: f"{v:.2g}"))
    ax.yaxis.set_minor_locator(ticker.NullLocator())


def _spectral_panel(ax: plt.Axes, lab: str, sub: xr.Dataset, picks: np.ndarray) -> float:
    """One model: -S/rho_c^2 (band: s.e.) and Eq. (5) at each picked omega; largest |x|/xi_c."""
    rho, xi = _scalar(sub, "rho_c"), _scalar(sub, "xi_c")
    x = np.asarray(sub["x_abs"].values, dtype=float) / xi
    xmax = 0.0
    for n, b in enumerate(picks):
        col = style.color(n)
        s = -np.asarray(sub["S"].values[b], dtype=float) / rho**2
        se = np.asarray(sub["S_stderr"].values[b], dtype=float) / rho**2
        ok = np.isfinite(s) & np.isfinite(x)
        ax.plot(x[ok], s[ok], "-", color=col, lw=1.4)
        ax.fill_between(x[ok], (s - se)[ok], (s + se)[ok], color=col, alpha=0.22, lw=0)
        s5 = -np.asarray(sub["S_eq5"].values[b], dtype=float) / rho**2
        ok5 = np.isfinite(s5) & np.isfinite(x)
        ax.plot(x[ok5], s5[ok5], "--", color=col, lw=1.1)
        if ok.any():
            xmax = max(xmax, float(np.nanmax(x[ok])))
    ax.axvspan(0, _scalar(sub, "x_cut") / xi, color="0.9", zorder=0)
    ax.axhline(0, color="k", lw=0.6)
    ax.set_title(lab, fontsize=9)
    return xmax


def plot_spectral(ds: xr.Dataset, n_omega: int = 4) -> plt.Figure:
    """-S_omega(x)/rho_c^2 vs abs(x)/xi_c for a few omega (one panel per model), with Eq. (5).

    Solid lines with standard-error bands: the exact-eigenstate estimate;
    dashed lines of the same colour: Eq. (5) at the same omega.  Shaded
    strip abs(x) < x_cut: the positive central peak (the sum-rule partner of
    the Mott peak).  Nothing is clipped: the y-axis is linear over the range
    of the Mott peak and logarithmic beyond it (symlog), where only the
    central peak reaches.  All panels share the x range.
    """
    models = list(iter_models(ds))
    ncol = min(len(models), 4)
    nrow = int(np.ceil(len(models) / ncol))
    fig, axes = plt.subplots(
        nrow,
        ncol,
        figsize=(3.6 * ncol, 2.9 * nrow + 0.9),
        squeeze=False,
        sharex=True,
        sharey=True,
        constrained_layout=True,
    )
    om = np.asarray(models[0][1]["omega"].values, dtype=float)
    picks = _omega_picks(om, n_omega)
    lin, ylo, yhi = _symlog_threshold(models, picks)
    xmax, notes = 0.0, []
    for k, (lab, sub) in enumerate(models):
        xmax = max(xmax, _spectral_panel(axes[k // ncol, k % ncol], lab, sub, picks))
        if "sum_rule_residual" in sub:
            notes.append(f"{lab}: {_scalar(sub, 'sum_rule_residual'):.1e}")
    for k in range(len(models), nrow * ncol):
        axes[k // ncol, k % ncol].set_visible(False)
    y0, y1 = (ylo * 1.1 if ylo < -lin else -lin), max(yhi * 1.1, lin)
    for ax in axes.ravel():
        ax.set_yscale("symlog", linthresh=lin, linscale=3.0)
        ax.set_xlim(0, xmax * 1.02)
        ax.set_ylim(y0, y1)
    _symlog_ticks(axes[0, 0], lin, y0, y1)
    for ax in axes[-1, :]:
        ax.set_xlabel(style.axis_label(r"$|x|/\xi_c$", ""))
    for ax in axes[:, 0]:
        ax.set_ylabel(r"$-S_\omega(x)/\rho_c^2$ (dimensionless)")
    handles = [Line2D([], [], color=style.color(n), lw=1.4) for n in range(len(picks))]
    labels = [rf"$\omega/\Delta_c$ = {om[b]:.3g}" for b in picks]
    handles += [Line2D([], [], color="0.3", ls="--"), Patch(color="0.9")]
    labels += ["Eq. (5), same colour", r"$|x| < x_{cut}$ (central peak)"]
    style.figure_legend(fig, handles, labels, ncol=6)
    cap = (
        f"- y-axis linear for abs(y) < {lin:.2g}, logarithmic beyond (only the central peak "
        f"reaches there; full range {ylo:.2g} to {yhi:.2g})."
    )
    if notes:
        cap += "\n- exact sum rule, max abs(int dx C_ij) per model: " + "; ".join(notes)
    return style.set_caption(fig, common.with_verdict(_spectral_verdict(models, picks), cap))


def _mott_points(sub: xr.Dataset) -> tuple[np.ndarray, ...]:
    """ln(Delta_c/omega), l_peak/xi_c, its s.e., inside-fit mask, well-determined mask."""
    xi = _scalar(sub, "xi_c")
    om = np.asarray(sub["omega"].values, dtype=float)
    lnr = np.log(1.0 / om)
    lp = np.asarray(sub["l_peak"].values, dtype=float) / xi
    se = np.asarray(sub["l_peak_stderr"].values, dtype=float) / xi
    inside = om <= _scalar(sub, "mott_fit_omega_max")
    x_cut = _scalar(sub, "x_cut") / xi if "x_cut" in sub else 0.0
    good = np.isfinite(lp) & np.isfinite(se) & (se < 0.5 * np.abs(lp)) & (lp > x_cut)
    return lnr, lp, se, inside, good


def _eq7_ratio_note(lnr: np.ndarray, lp: np.ndarray, good: np.ndarray) -> str:
    """Caption text: l_peak / Eq. (7) over the well-determined omega, or why none is drawn."""
    if not good.any():
        return "; not drawn: no well-determined l_peak (all s.e. > 50 % or inside x_cut)"
    ratio = lp[good] / (2.0 * lnr[good])
    if ratio.size == 1:
        return f"; l_peak/Eq.(7) = {ratio[0]:.2f} at its one well-determined omega"
    return (
        f"; l_peak/Eq.(7) = {ratio.min():.2f} to {ratio.max():.2f} over {ratio.size} "
        "well-determined omega"
    )


def _mott_model(ax, k: int, lab: str, sub: xr.Dataset) -> tuple:
    """One model's l_peak points and fit line.

    Returns (fitted points, n above the fit range, n ill-determined, caption line, max lnr).
    """
    col, mk = style.style_of(sub)
    lnr, lp, se, inside, good = _mott_points(sub)
    r, rs = _scalar(sub, "mott_slope_ratio"), _scalar(sub, "mott_slope_ratio_stderr")
    m = inside & good
    if m.any():
        ax.errorbar(
            lnr[m], lp[m], yerr=se[m], fmt=mk, ms=4.5, color=col, capsize=2, lw=1, label=lab
        )
    out = ~inside & good
    if out.any():  # above the fit range: hollow, no error bar, not setting the axis
        ax.plot(lnr[out], lp[out], mk, ms=4.5, color=col, mfc="none")
    bad = np.isfinite(lp) & ~good
    if bad.any():
        ax.plot(lnr[bad], lp[bad], "x", color="0.55", ms=5)
    slope, icpt = _scalar(sub, "mott_slope"), _scalar(sub, "mott_intercept")
    if np.isfinite(slope) and m.sum() >= 2:  # the fit line over the fitted range only
        xx = np.linspace(lnr[m].min(), lnr[m].max(), 50)
        ax.plot(xx, (slope * xx + icpt) / _scalar(sub, "xi_c"), ":", color=col, lw=1)
    e5 = ""
    if "mott_slope_eq5_estimator_ratio" in sub:
        est = _scalar(sub, "mott_slope_eq5_estimator_ratio")
        e5 = f", estimator on Eq. (5): {style.fmt_pm(est)}"
    line = f"{lab}: slope/(2 xi_c) = {style.fmt_pm(r, rs)}{e5}"
    n_fit = _scalar(sub, "mott_fit_points") if "mott_fit_points" in sub else np.nan
    if not np.isfinite(r) and np.isfinite(n_fit):
        line += f" (no slope: {int(n_fit)} fit point(s), 2 needed)"
    line += _eq7_ratio_note(lnr, lp, good)
    return (lp[m] if m.any() else None), int(out.sum()), int(bad.sum()), line, float(np.nanmax(lnr))


def _mott_references(ax: plt.Axes, ds: xr.Dataset, lmax: float, bad_n: int, n_out: int) -> None:
    """Eq. (7), the centroid of Eq. (5) and the legend entries of the point styles."""
    xx = np.linspace(0, lmax, 50)
    ax.plot(xx, 2 * xx, "k-", lw=1.3, label=r"Eq. (7): $l_M = 2\xi_c\ln(\Delta_c/\omega)$")
    lab0, sub0 = next(iter_models(ds))
    if "l_peak_eq5" in sub0:
        lp5 = np.asarray(sub0["l_peak_eq5"].values, dtype=float) / _scalar(sub0, "xi_c")
        ok = np.isfinite(lp5)
        ax.plot(
            np.log(1 / sub0["omega"].values)[ok],
            lp5[ok],
            "--",
            color="0.45",
            lw=1.1,
            label=f"centroid of Eq. (5), {lab0}",
        )
    if bad_n:
        ax.plot([], [], "x", color="0.55", label="ill-determined (s.e. > 50 %)")
    if n_out:
        ax.plot([], [], "o", color="0.4", mfc="none", label="above the fit range (no bar)")


def plot_mott_peak(ds: xr.Dataset) -> plt.Figure:
    """Mott-peak position l_peak/xi_c vs ln(Delta_c/omega), with Eq. (7) (2 ln(Delta_c/omega)).

    Filled symbols with jackknife error bars: omega inside the fit range;
    open: above it.  Grey crosses: ill-determined centroids (standard error
    above half the value, or inside x_cut), drawn without their error bars
    and excluded from the axis range.  Dotted: the weighted linear fit per
    model; grey dashed: the same centroid estimator applied to Eq. (5) on
    the same grid (its own bias).  The caption gives the measured slope
    ratios from the dataset.  Beyond :data:`~hotcold.plots.style.MAX_SHARED_MODELS`
    models: one panel per family (:func:`~hotcold.plots.style.model_panels`).
    """
    models = list(iter_models(ds))
    fig, panels = style.model_panels([style.model_key(s) for _, s in models], (8.2, 4.6))
    shown, lmax, lines = [], 0.0, []
    bad_n = n_out = 0
    for k, (lab, sub) in enumerate(models):
        for ax in style.panels_of(panels, *style.model_key(sub)):
            pts, n_o, n_b, line, lm = _mott_model(ax, k, lab, sub)
        if pts is not None:
            shown.append(pts)
        n_out, bad_n, lmax = n_out + n_o, bad_n + n_b, max(lmax, lm)
        lines.append(line)
    for p in panels.values():
        _mott_references(p, ds, lmax, bad_n, n_out)
    ax = next(iter(panels.values()))  # the panels share their axes
    ends = 2 * np.array([0.0, lmax])
    style.robust_ylim(ax, np.concatenate(shown + [ends]) if shown else [0, 2 * lmax])
    ax.set_ylim(bottom=0)
    style.label_panels(
        panels,
        style.axis_label(r"$\ln(\Delta_c/\omega)$", ""),
        style.axis_label(r"Mott-peak position $l_{peak}/\xi_c$", ""),
    )
    title = "Negative peak of S_omega(x) (centroid beyond x_cut) vs Eq. (7)"
    (ax.set_title(title, fontsize=9) if "" in panels else fig.suptitle(title, fontsize=10))
    ratios = [_scalar(sub, "mott_slope_ratio") for _, sub in models]
    ratios = [r for r in ratios if np.isfinite(r)]
    if ratios:
        lines.insert(
            0,
            f"Measured Mott slope / (2 xi_c) = {min(ratios):.2f} to {max(ratios):.2f} over "
            f"{len(ratios)} models (Eq. 7: 1); per model, with the same estimator applied "
            "to Eq. (5) on the same grid:",
        )
    top = ax.get_ylim()[1]
    n_off = sum(int(np.sum(np.asarray(v) > top)) for v in shown)
    for p in panels.values():
        style.place_legend(p, fontsize=8 if "" in panels else 7)
    style.settle_legends(fig)
    lines.append(
        f"{bad_n} ill-determined centroids drawn as crosses; {n_out} points above the fit "
        f"range hollow without bars; {n_off} fitted points above the axis"
    )
    lines = "\n".join(f"- {s}" for s in lines + [style.multiples_note(panels)] if s)
    return style.set_caption(fig, common.with_verdict(_mott_verdict(ds), lines))


def _nt_ratio(sub: xr.Dataset) -> tuple[np.ndarray, ...]:
    """ln(Delta_c/T), n_T/Eq.(6), its s.e. and the extrapolated/flagged mask."""
    dc = _scalar(sub, "Delta_c")
    t = np.asarray(sub["T"].values, dtype=float)
    eq6 = np.asarray(sub["n_T_eq6"].values, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        g = np.asarray(sub["n_T"].values, dtype=float) / eq6
        se = np.asarray(sub["n_T_stderr"].values, dtype=float) / eq6
        lnr = np.log(dc / t)
    flag = np.zeros(t.size, dtype=bool)
    if "n_T_source" in sub:
        flag = style.flag_mask(sub["n_T_source"], "extrapolated")
    return lnr, g, se, flag


def _nt_model(ax: plt.Axes, lab: str, sub: xr.Dataset) -> tuple[np.ndarray, ...]:
    """One model's n_T/Eq.(6) on one axes; (ln(Delta_c/T) drawn, g well-determined, mask)."""
    col, mk = style.style_of(sub)
    lnr, g, se, flag = _nt_ratio(sub)
    ok = np.isfinite(g) & np.isfinite(lnr)
    good = ok & np.isfinite(se) & (se < np.abs(g))
    for m, mfc, lb in ((good & ~flag, col, lab), (good & flag, "none", None)):
        if m.any():
            ax.errorbar(
                lnr[m],
                g[m],
                yerr=se[m],
                fmt=mk + "-",
                ms=4.5,
                lw=0.8,
                color=col,
                mfc=mfc,
                capsize=2,
                label=lb,
            )
    if (ok & ~good).any():
        ax.plot(lnr[ok & ~good], g[ok & ~good], "x", color="0.55", ms=5)
    return lnr[ok], g[good], good


def plot_thermal_density(ds: xr.Dataset) -> plt.Figure:
    """n_T / Eq. (6) against ln(Delta_c/T), the variable of the low-T expansion.

    Eq. (6) is 1 (black line); the paper's regime is ln(Delta_c/T) >> 1.
    Error bars: standard errors over realizations; open symbols: n_T
    extrapolated beyond the resolved range (``n_T_source``).  Points whose
    standard error exceeds their value are drawn as grey crosses without
    bars.  The x-axis covers exactly the computed temperatures.  Beyond
    :data:`~hotcold.plots.style.MAX_SHARED_MODELS` models: one panel per
    family (:func:`~hotcold.plots.style.model_panels`).
    """
    models = list(iter_models(ds))
    fig, panels = style.model_panels([style.model_key(s) for _, s in models], (7.6, 4.4))
    xs, ys, lines = [], [], []
    for lab, sub in models:
        for ax in style.panels_of(panels, *style.model_key(sub)):
            x, y, good = _nt_model(ax, lab, sub)
        xs.append(x)
        ys.append(y)
        lines.append(_nt_line(lab, sub, *_nt_ratio(sub)[:3], good))
    x = np.concatenate(xs) if xs else np.array([0.0, 1.0])
    ax = next(iter(panels.values()))  # the panels share their axes
    if x.size:
        span = max(x.max() - x.min(), 0.5)
        ax.set_xlim(x.min() - 0.04 * span, x.max() + 0.04 * span)
    for p in panels.values():
        p.axhline(
            1.0, color="k", lw=1.2, label=r"Eq. (6): $n_T = (2\pi^2/3)\,T^2/(\xi_c\Delta_c^2)$"
        )
    if any(y.size for y in ys):
        style.robust_ylim(ax, np.concatenate(ys + [np.array([0.0, 1.0])]))
    style.label_panels(
        panels, style.axis_label(r"$\ln(\Delta_c/T)$", ""), style.axis_label(r"$n_T$ / Eq. (6)", "")
    )
    title = "Thermal-pair density from exact eigenpairs vs Eq. (6)"
    (ax.set_title(title, fontsize=9) if "" in panels else fig.suptitle(title, fontsize=10))
    for p in panels.values():
        style.place_legend(p, fontsize=8 if "" in panels else 7)
    style.settle_legends(fig)
    lines = "\n".join(f"- {s}" for s in lines + [style.multiples_note(panels)] if s)
    return style.set_caption(fig, common.with_verdict(_thermal_verdict(ds), lines))


def _nt_line(lab: str, sub: xr.Dataset, lnr, g, se, good) -> str:
    """g = n_T/Eq.(6) +- s.e. at the resolved points nearest ln(Delta_c/T) = 1, 2, 3, ..."""
    idx = np.nonzero(good)[0]
    picks = []
    if idx.size:
        for target in range(1, int(np.floor(lnr[idx].max())) + 1):
            i = idx[np.argmin(np.abs(lnr[idx] - target))]
            if abs(lnr[i] - target) < 0.35 and i not in picks:
                picks.append(i)
    pts = ", ".join(f"{g[i]:.2f} +- {se[i]:.2f} at {lnr[i]:.2f}" for i in picks)
    extra = ""
    if "eq6_ratio" in sub:
        extra = (
            f"; fitted ratio (p = 2, T <= fit_T_max Delta_c) "
            f"{style.fmt_pm(_scalar(sub, 'eq6_ratio'), _scalar(sub, 'eq6_ratio_stderr'))}"
        )
    if "T_exponent" in sub:
        extra += (
            f"; exponent p = "
            f"{style.fmt_pm(_scalar(sub, 'T_exponent'), _scalar(sub, 'T_exponent_stderr'))}"
            " (Eq. 6: 2)"
        )
    return f"{lab}: n_T/Eq.(6) = {pts or 'none resolved'} (value +- s.e. at ln(Delta_c/T)){extra}"


def _asymptotic_g(sub: xr.Dataset) -> tuple[np.ndarray, ...]:
    """L = ln(Delta_c/T), g = n_T/Eq.(6), its s.e., extrapolated mask (one model)."""
    lnr = np.log(_scalar(sub, "Delta_c") / np.asarray(sub["T"].values, dtype=float))
    eq6 = np.asarray(sub["n_T_eq6"].values, dtype=float)
    g = np.asarray(sub["n_T"].values, dtype=float) / eq6
    se = np.asarray(sub["n_T_stderr"].values, dtype=float) / eq6
    ext = style.flag_mask(sub["n_T_source"], "extrapolated") if "n_T_source" in sub else None
    return lnr, g, se, (np.zeros(g.shape, bool) if ext is None else np.asarray(ext, bool))


def _asymptotic_g_model(ax: plt.Axes, lab: str, sub: xr.Dataset) -> str:
    """One model in a left panel: g = n_T/Eq.(6), hollow where extrapolated, the g fit.

    Returns the caption note of its deepest numerical point ('' if none).
    """
    col, mk = style.style_of(sub)
    lnr, g, se, ext = _asymptotic_g(sub)
    num = ~ext & np.isfinite(g)
    ax.errorbar(lnr[num], g[num], yerr=se[num], fmt=mk, ms=4.5, color=col, capsize=2, lw=1,
                label=lab)  # fmt: skip
    if ext.any():
        ax.errorbar(lnr[ext], g[ext], yerr=se[ext], fmt=mk, ms=4.5, color=col, mfc="none",
                    capsize=2, lw=0.8)  # fmt: skip
    if "g_fit" in sub and np.all(np.isfinite(sub["g_fit"].values)):
        a, b = (float(v) for v in sub["g_fit"].values)
        xx = np.linspace(max(lnr[num].max() * 0.6, 1.0), lnr.max() * 1.1, 40)
        ax.plot(xx, a + b / xx, ":", color=col, lw=1)
    if not num.any():
        return ""
    i = int(np.argmax(np.where(num, lnr, -np.inf)))
    return f"{lab}: g({lnr[i]:.2f}) = {style.fmt_pm(g[i], se[i])}"


def _asymptotic_l(sub: xr.Dataset) -> tuple[np.ndarray, ...]:
    """ln(Delta_c/omega), l_peak/Eq.(7), its s.e. and l_peak_eq5/Eq.(7) (NaN if absent)."""
    xi = _scalar(sub, "xi_c")
    lno = np.log(1.0 / np.asarray(sub["omega"].values, dtype=float))
    ratio = np.asarray(sub["l_peak"].values, dtype=float) / (2 * xi * lno)
    rse = np.asarray(sub["l_peak_stderr"].values, dtype=float) / (2 * xi * lno)
    r5 = np.full(lno.shape, np.nan)
    if "l_peak_eq5" in sub:
        r5 = np.asarray(sub["l_peak_eq5"].values, dtype=float) / (2 * xi * lno)
    return lno, ratio, rse, r5


def _asymptotic_l_model(ax: plt.Axes, sub: xr.Dataset, label: str | None = None) -> None:
    """One model in a right panel: l_peak/Eq.(7) where its s.e. is below 0.5."""
    col, mk = style.style_of(sub)
    lno, ratio, rse, _ = _asymptotic_l(sub)
    ok = np.isfinite(ratio) & np.isfinite(rse) & (rse < 0.5)
    ax.errorbar(lno[ok], ratio[ok], yerr=rse[ok], fmt=mk, ms=4.5, color=col, capsize=2, lw=1,
                label=label)  # fmt: skip


def _asymptotic_eq5(ax: plt.Axes, sub: xr.Dataset) -> None:
    """The centroid estimator applied to Eq. (5), relative to Eq. (7) (dashed grey)."""
    if "l_peak_eq5" in sub:
        lno, _, _, r5 = _asymptotic_l(sub)
        m5 = np.isfinite(r5)
        ax.plot(lno[m5], r5[m5], "--", color="0.45", lw=1.1, label="estimator on Eq. (5)")


def _asymptotic_axes(models: list) -> tuple[plt.Figure, dict, dict]:
    """The figure and its left (g) and right (l_peak) panels: one pair of axes, or beyond
    :data:`~hotcold.plots.style.MAX_SHARED_MODELS` models a row of family panels each."""
    groups = style.family_panels([style.model_key(s) for _, s in models])
    if list(groups) == [""]:
        fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10.0, 4.4), constrained_layout=True)
        return fig, {"": ax1}, {"": ax2}
    nrow, ncol = style.grid_shape(len(groups))
    fig = plt.figure(figsize=(3.6 * ncol + 0.6, 2 * 3.0 * nrow + 1.2), constrained_layout=True)
    top, bottom = fig.subfigures(2, 1)
    top.suptitle(r"Thermal-pair density: $g = n_T/$Eq. (6)", fontsize=10)
    bottom.suptitle(r"Mott-peak position: $l_{peak}/$Eq. (7)", fontsize=10)
    return fig, style.family_grid(top, groups), style.family_grid(bottom, groups)


def plot_asymptotics(ds: xr.Dataset) -> plt.Figure:
    """How (and whether) the numerics approach Eq. (6) and Eq. (7) (issue 9 item 2).

    Left: g = n_T/Eq.(6) against ln(Delta_c/T); filled symbols with
    jackknife error bars where n_T is numerical, hollow where it is the
    flagged extrapolation g = a + b/L (dotted line: that fit with its
    asymptote a).  Right: l_peak/(2 xi_c ln(Delta_c/omega)) = l_peak/Eq.(7)
    against ln(Delta_c/omega), with the same estimator on Eq. (5) (dashed:
    1 means no estimator bias).  The lines at 1 are Eqs. (6), (7); their
    regime is ln >> 1.  Nothing is forced: the caption gives the measured
    values at the deepest resolved point of each model.  Beyond
    :data:`~hotcold.plots.style.MAX_SHARED_MODELS` models each side becomes a
    row of family panels (white noise in each, shared axes per row).
    """
    models = list(iter_models(ds))
    fig, left, right = _asymptotic_axes(models)
    single = "" in left
    notes = []
    for k, (lab, sub) in enumerate(models):
        key = style.model_key(sub)
        for ax in style.panels_of(left, *key):
            note = _asymptotic_g_model(ax, lab, sub)
        if note:
            notes.append(note)
        for ax in style.panels_of(right, *key):
            _asymptotic_l_model(ax, sub, None if single else lab)
            if k == 0 and single:
                _asymptotic_eq5(ax, sub)
    if not single and models:  # the estimator's reference in every panel
        for ax in right.values():
            _asymptotic_eq5(ax, models[0][1])
    for ax in (*left.values(), *right.values()):
        ax.axhline(1.0, color="k", lw=1.2)
        ax.set_ylim(bottom=0)
    for ax in left.values():
        ax.plot([], [], "k-", label="Eq. (6)")
        ax.plot([], [], "o", color="0.4", mfc="none", label="extrapolated (flagged)")
    style.label_panels(
        left, style.axis_label(r"$\ln(\Delta_c/T)$", ""), style.axis_label(r"$n_T/$Eq. (6)", "")
    )
    style.label_panels(
        right,
        style.axis_label(r"$\ln(\Delta_c/\omega)$", ""),
        style.axis_label(r"$l_{peak}/(2\xi_c\ln(\Delta_c/\omega))$", ""),
    )
    if single:
        left[""].legend(fontsize=7, loc="upper left")
        right[""].legend(fontsize=7, loc="lower right")
    else:
        fig.canvas.draw()  # the final layout, once: legends inside axes do not change it
        for ax in (*left.values(), *right.values()):
            style.place_legend(ax, fontsize=7, draw=False)
        style.settle_legends(fig)
    lines = "- deepest numerical point per model: " + "; ".join(notes)
    if not single:
        lines += "\n- " + style.multiples_note(left)
    return style.set_caption(fig, common.with_verdict(_asymptotic_verdict(ds), lines))


# ---------------------------------------------------------------------------
# verdicts (issue 19 item 4): agreement with Eqs. (5)-(7) within errors, in words
# ---------------------------------------------------------------------------


def _eq6_rel_err(sub: xr.Dataset) -> float:
    """Relative s.e. of Eq. (6) from xi_c and rho_c (Eq. 6 = (2 pi^2/3) rho_c^2 xi_c T^2)."""
    out = 0.0
    for name, power in (("xi_c", 1.0), ("rho_c", 2.0)):
        if f"{name}_stderr" in sub:
            rel = _scalar(sub, f"{name}_stderr") / _scalar(sub, name)
            out = float(np.hypot(out, power * rel)) if np.isfinite(rel) else out
    return out


def _extrapolated_note(parts: list[tuple[str, np.ndarray]]) -> str:
    """Which plotted n_T are the flagged extrapolation (n_T_source), named per model."""
    named = [f"{lab} at ln(Delta_c/T) = {common.fmt_range(x, '.2f')}" for lab, x in parts if x.size]
    if not named:
        return "No plotted n_T is an extrapolation (n_T_source = numerical at every temperature)"
    n = sum(x.size for _, x in parts)
    return f"{n} plotted n_T are extrapolated (hollow; g fit, not measured): " + "; ".join(named)


def _thermal_verdict(ds: xr.Dataset) -> list[str]:
    """Verdict of ``thermal_density``: n_T/Eq.(6) per point, fitted amplitude, exponent."""
    g_all, se_all, ref_all, ln_all, ext, amp, expo, rising = [], [], [], [], [], [], [], []
    for lab, sub in iter_models(ds):
        lnr, g, se, flag = _nt_ratio(sub)
        good = np.isfinite(g) & np.isfinite(lnr) & np.isfinite(se) & (se < np.abs(g))
        num = good & ~flag & (lnr >= 1.0)  # T <= Delta_c/e: the formulas' regime
        g_all.append(g[num])
        se_all.append(se[num])
        ref_all.append(np.full(int(num.sum()), _eq6_rel_err(sub)))
        ln_all.append(lnr[num])
        ext.append((lab, lnr[np.isfinite(g) & flag]))
        if num.sum() >= 2:
            rising.append(g[num][np.argmax(lnr[num])] > g[num][np.argmin(lnr[num])])
        for key, out in (("eq6_ratio", amp), ("T_exponent", expo)):
            if key in sub:
                out.append((_scalar(sub, key), _scalar(sub, f"{key}_stderr")))
    g, ln = np.concatenate(g_all), np.concatenate(ln_all)
    out = [
        "The thermal-pair density n_T at T <= Delta_c/e (numerical points of every model, "
        f"ln(Delta_c/T) = {common.fmt_range(ln, '.2f')}; hotter points are outside the "
        "regime and not judged) "
        + common.verdict(g, np.concatenate(se_all), 1.0, np.concatenate(ref_all), "Eq. (6)")
    ]
    if amp:
        a = np.array(amp)
        out.append(
            "The amplitude fitted with p = 2 "
            + common.verdict(a[:, 0], a[:, 1], 1.0, None, "Eq. (6)", "models")
        )
    if expo:
        p = np.array(expo)
        out.append(
            "The fitted exponent p "
            + common.verdict(p[:, 0], p[:, 1], 2.0, None, "Eq. (6)'s exponent 2", "models")
            + f" (p = {common.fmt_range(p[:, 0])})"
        )
    if rising:
        out.append(
            f"The ratio g = n_T/Eq.(6) rises with ln(Delta_c/T) in {sum(rising)} of {len(rising)} "
            "models; "
            "Eq. (6) is an asymptote for ln(Delta_c/T) >> 1, which the deepest point "
            f"(ln = {ln.max():.2f}) does not reach, so the difference is not a test of the limit"
        )
    return [*out, _extrapolated_note(ext)]


def _mott_ratios(sub: xr.Dataset, fit_only: bool = True) -> tuple[np.ndarray, ...]:
    """l_peak/Eq.(7) of the well-determined omega (inside the fit range if ``fit_only``).

    Returns (l_peak, its s.e., Eq. (7), its s.e. from xi_c, l_peak_eq5) at those omega.
    """
    lnr, lp, se, inside, good = _mott_points(sub)
    m = good & inside if fit_only else good
    l7 = 2.0 * lnr[m]
    rel = _scalar(sub, "xi_c_stderr") / _scalar(sub, "xi_c") if "xi_c_stderr" in sub else 0.0
    lp5 = np.asarray(sub["l_peak_eq5"].values, dtype=float) / _scalar(sub, "xi_c")
    return lp[m], se[m], l7, l7 * rel, lp5[m]


def _mott_position_verdict(ds: xr.Dataset, fit_only: bool = True) -> list[str]:
    """l_peak vs Eq. (7) over every model's well-determined omega, and the estimator's bias."""
    parts = [_mott_ratios(sub, fit_only) for _, sub in iter_models(ds)]
    lp, se, l7, l7se, lp5 = (np.concatenate([p[k] for p in parts]) for k in range(5))
    if not lp.size:
        return ["No well-determined Mott-peak position: Eq. (7) is not tested"]
    out = [
        "The Mott-peak position l_peak (well-determined omega of every model) "
        + common.verdict(lp, se, l7, l7se, "Eq. (7)")
    ]
    b = lp5 / l7
    if np.isfinite(b).any():
        out.append(
            f"The same estimator applied to Eq. (5) returns {common.fmt_range(b[np.isfinite(b)])} "
            "of Eq. (7) at these omega, so the estimator's own bias does not explain a difference"
        )
    return out


def _mott_verdict(ds: xr.Dataset) -> list[str]:
    """Verdict of ``mott_peak``: positions and slopes against Eq. (7); models without either."""
    out = _mott_position_verdict(ds)
    slopes, missing = [], []
    for lab, sub in iter_models(ds):
        r, rs = _scalar(sub, "mott_slope_ratio"), _scalar(sub, "mott_slope_ratio_stderr")
        n = int(_scalar(sub, "mott_fit_points")) if "mott_fit_points" in sub else 0
        if np.isfinite(r):
            v = common.verdict(r, rs, 1.0, None, "Eq. (7)'s slope 2 xi_c")
            slopes.append(f"{lab} {v} from {n} points")
        else:
            missing.append(lab)
    if slopes:
        out.append("The fitted slope/(2 xi_c): " + "; ".join(slopes))
    if missing:
        out.append(
            f"No slope (fewer than 2 well-determined fit points) for {len(missing)} models: "
            + ", ".join(missing)
        )
    return [*out, "No plotted value is an extrapolation: the fit lines span only their points"]


def _depth_ratio(sub: xr.Dataset, b: int) -> tuple[float, float, float]:
    """Depth of the Mott peak beyond x_cut against Eq. (5): (min S, its s.e., min S_eq5)."""
    far = np.asarray(sub["x_abs"].values, dtype=float) > _scalar(sub, "x_cut")
    s = np.where(far, np.asarray(sub["S"].values[b], dtype=float), np.nan)
    s5 = np.where(far, np.asarray(sub["S_eq5"].values[b], dtype=float), np.nan)
    if not (np.isfinite(s).any() and np.isfinite(s5).any()):
        return np.nan, np.nan, np.nan
    i = int(np.nanargmin(s))
    return float(s[i]), float(sub["S_stderr"].values[b][i]), float(np.nanmin(s5))


def _spectral_verdict(models: list, picks: np.ndarray) -> list[str]:
    """Verdict of ``spectral_function``: peak depth vs Eq. (5) at the plotted omega, sum rule."""
    vals = np.array([_depth_ratio(sub, b) for _, sub in models for b in picks]).reshape(-1, 3)
    out = [
        "The depth of the Mott peak (deepest bin beyond x_cut, at the plotted omega of every "
        "model) "
        + common.verdict(vals[:, 0], vals[:, 1], vals[:, 2], None, "Eq. (5)")
        + "; its position is judged in mott_peak"
    ]
    res = [_scalar(sub, "sum_rule_residual") for _, sub in models if "sum_rule_residual" in sub]
    if res:
        exact = "holds to rounding" if max(res) < 1e-9 else "is violated"
        out.append(f"The exact sum rule {exact} (max residual {max(res):.1e} over all models)")
    return [*out, "No plotted value is an extrapolation"]


def _asymptotic_verdict(ds: xr.Dataset) -> list[str]:
    """Verdict of ``asymptotics``: the deepest numerical g, the fitted limit a, l_peak/Eq.(7)."""
    deep, fits = [], []
    for lab, sub in iter_models(ds):
        lnr, g, se, ext = _asymptotic_g(sub)
        num = ~ext & np.isfinite(g)
        if num.any():
            i = int(np.argmax(np.where(num, lnr, -np.inf)))
            deep.append((g[i], se[i], _eq6_rel_err(sub), lnr[i]))
        if "g_fit" in sub and np.all(np.isfinite(sub["g_fit"].values)):
            a, a_se = float(sub["g_fit"].values[0]), float(sub["g_fit_stderr"].values[0])
            fits.append(f"{lab}: a = {style.fmt_pm(a, a_se)}, " + common.verdict(a, a_se, 1.0))
    out = []
    if deep:
        d = np.array(deep)
        out.append(
            f"Left: g at each model's deepest numerical point (ln(Delta_c/T) = "
            f"{common.fmt_range(d[:, 3], '.2f')}) "
            + common.verdict(d[:, 0], d[:, 1], 1.0, d[:, 0] * 0 + d[:, 2], "Eq. (6)", "models")
        )
    out.append(
        "The limit a of the extrapolation g = a + b/L is an extrapolation, not a measurement: "
        + "; ".join(fits)
        if fits
        else "No extrapolation g = a + b/L was needed (g_fit NaN): every plotted g is numerical"
    )
    right = _mott_position_verdict(ds, fit_only=False)[0]
    return out + ["Right: " + right[0].lower() + right[1:]]
