"""Figure: -ln sigma against 1/T (the paper's Fig. 2, Eqs. 18, 29) and T_c(xi_max).
(docs/physics.md §1.5).

Reads ``results/hotcold.nc``.  Returns a :class:`matplotlib.figure.Figure`
with a data-driven caption attached (:func:`hotcold.plots.style.set_caption`).
Flagged points are drawn hollow and faint, never as results; standard errors
(``ln_sigma_stderr``, ``T_c_stderr``) are drawn as bands.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import xarray as xr  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402

from . import common, style  # noqa: E402
from .common import (  # noqa: E402
    FLAG_KW,
    d_positive,
    errorbar,
    families,
    finite,
    flagged,
    measured_top,
    model_label,
    model_list,
    model_sub,
    stderr_values,
)

__all__ = ["plot_conductivity"]


def _band(ax, x, y, se, col, alpha=0.2):
    if se is None:
        return
    s = np.where(np.isfinite(se), se, 0.0)
    ok = finite(y) & (y - s > 0)
    if ok.sum() >= 2:
        ax.fill_between(x[ok], (y - s)[ok], (y + s)[ok], color=col, alpha=alpha, lw=0)


def _bounded_lw(i: int) -> float:
    return 1.3 + 1.7 * i


def _sigma_panel(ax, ds: xr.Dataset, dim: int, fam: str, d: float) -> dict:
    """-ln sigma vs 1/T for one model: continuum, bounded xi per xi_max, T_c lines."""
    sub = model_sub(ds, dim, fam, d)
    t = sub["T"].values
    x = 1.0 / t
    flag = flagged(sub)
    y = -np.asarray(sub["ln_sigma"].values, dtype=float)
    ok = finite(y) & (y > 0)
    _band(ax, x, y, stderr_values(sub, "ln_sigma"), "0.2")
    ax.plot(x[ok & ~flag], y[ok & ~flag], "-o", color="k", ms=3.5, lw=0.9, zorder=20)
    ax.plot(x[ok & flag], y[ok & flag], "o", color="k", ms=3.5, zorder=20, **FLAG_KW)
    out = {"label": model_label(fam, d, dim), "tc": [], "coincide": []}
    good = ok & ~flag
    if good.sum() >= 2:
        sl = np.polyfit(np.log(x[good]), np.log(y[good]), 1)[0]
        out["slope"] = float(sl)
        x0 = x[good][0]
        xx = np.array([x[good].min(), x[good].max()])
        ax.plot(xx, y[good][0] * xx / x0, ":", color="k", lw=1)
    xlim = [x[ok].min(), x[ok].max()] if ok.any() else [x.min(), x.max()]
    if "ln_sigma_bounded" in ds and "xi_max" in ds.dims:
        tc_se_all = stderr_values(sub, "T_c")
        for i, xm in enumerate(ds["xi_max"].values):
            # nested stripes: above T_c the bounded curves coincide with the continuum,
            # so the larger xi_max (longer curve) is drawn wider and underneath
            col, lw = style.color(i + 1), _bounded_lw(i)
            yb = -np.asarray(sub["ln_sigma_bounded"].sel(xi_max=xm).values, dtype=float)
            okb = finite(yb) & (yb > 0)
            for m, al in ((okb & ~flag, 0.9), (okb & flag, 0.3)):
                ax.plot(
                    x[m],
                    yb[m],
                    "-",
                    color=col,
                    lw=lw,
                    alpha=al,
                    zorder=10 - i,
                    solid_capstyle="butt",
                )
            both = okb & ok & ~flag
            if both.any():
                out["coincide"].append(float(np.max(np.abs(yb[both] / y[both] - 1))))
            tc = float(sub["T_c"].sel(xi_max=xm))
            tse = None if tc_se_all is None else float(tc_se_all[i])
            bound = _upper_bound(sub, xm)
            if np.isfinite(bound):  # drawn and written as a bound, never as a value
                ax.axvline(1 / bound, color=col, ls=(0, (1, 3)), lw=1.0, alpha=0.6, zorder=1)
                out["tc_bounds"] = [*out.get("tc_bounds", []), (float(xm), bound)]
            if np.isfinite(tc) and tc > 0 and 1 / tc > 10 * xlim[1]:
                out["tc"].append((float(xm), tc, tse))
                out["tc_off"] = out.get("tc_off", 0) + 1
            elif np.isfinite(tc) and tc > 0:
                ax.axvline(1 / tc, color=col, ls=":", lw=1.4, zorder=1)
                if tse is not None and np.isfinite(tse) and 0 < tse < tc:
                    ax.axvspan(1 / (tc + tse), 1 / (tc - tse), color=col, alpha=0.15, lw=0)
                xlim = [min(xlim[0], 1 / tc), max(xlim[1], 1 / tc)]
                out["tc"].append((float(xm), tc, tse))
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlim(xlim[0] / 1.15, xlim[1] * 1.15)
    ax.set_title(out["label"], fontsize=8.5)
    return out


def _upper_bound(sub: xr.Dataset, xm: float) -> float:
    """T_c_upper_bound at one xi_max (NaN where T_c is a value or absent)."""
    if "T_c_upper_bound" not in sub:
        return np.nan
    return float(sub["T_c_upper_bound"].sel(xi_max=xm))


def _tc_bounds(ax, sub: xr.Dataset, x: np.ndarray, dc: float, col: str) -> int:
    """Upper bounds on T_c as hollow down-triangles (no error bar, never fitted)."""
    if "T_c_upper_bound" not in sub:
        return 0
    ub = np.asarray(sub["T_c_upper_bound"].values, dtype=float)
    m = finite(ub) & (ub > 0)
    if m.any():
        ax.plot(x[m], ub[m] / dc, "v", mfc="none", mec=col, ms=5, zorder=15)
    return int(m.sum())


def _tc_model(ax, sub: xr.Dataset, xm: np.ndarray, fam: str, d: float, dim: int) -> list[str]:
    """One model's T_c/Delta_c against xi_max/xi_c: values with errors, bounds as triangles.

    Returns its caption notes (upper bounds; the log-log slope through the found values).
    """
    notes = []
    dc, xc = float(sub["Delta_c"]), float(sub["xi_c"])
    tc = np.asarray(sub["T_c"].values, dtype=float)
    ok = finite(tc) & (tc > 0)
    col, mk = style.model_style(fam, d)
    n_bounds = _tc_bounds(ax, sub, xm / xc, dc, col)
    if n_bounds:
        notes.append(
            f"{dim}D {model_label(fam, d)}: {n_bounds} xi_max with only an upper bound "
            "on T_c (hollow down-triangles: the window is open at the lowest searched T)"
        )
    if not ok.any():
        return notes
    se = stderr_values(sub, "T_c")
    flag = tc >= dc / np.e
    if "T_c_regime" in sub:
        flag |= np.asarray(sub["T_c_regime"].values) != 0
    errorbar(
        ax,
        xm / xc,
        tc / dc,
        None if se is None else se / dc,
        ok,
        flag,
        col,
        mk,
        model_label(fam, d),
    )
    ax.plot((xm / xc)[ok], (tc / dc)[ok], "-", color=col, lw=0.7, alpha=0.6)
    if (ok & ~flag).sum() >= 2:
        p = np.polyfit(np.log(xm[ok & ~flag]), np.log(tc[ok & ~flag]), 1)[0]
        notes.append(f"{dim}D {model_label(fam, d)}: T_c ~ xi_max^({p:.2f}) in the regime")
    return notes


def _tc_panel(panels: dict, ds: xr.Dataset, dim: int) -> list[str]:
    """T_c/Delta_c against xi_max/xi_c (hue and marker: family, lightness: d), with errors.

    ``panels``: one axes (``{"": ax}``, white noise not drawn), or beyond
    :data:`~hotcold.plots.style.MAX_SHARED_MODELS` models one per family
    (:func:`hotcold.plots.style.family_panels`), white noise in each as its d -> 0 end.
    """
    notes = []
    xm = ds["xi_max"].values
    for fam, d in model_list(ds, dim):
        if d == 0 and "" in panels:
            continue
        sub = model_sub(ds, dim, fam, d)
        for ax in style.panels_of(panels, fam, d):
            model_notes = _tc_model(ax, sub, xm, fam, d, dim)
        notes += model_notes
    for ax in panels.values():
        ax.axhline(1 / np.e, color="0.3", ls="--", lw=0.9)
        if ax.get_lines():
            ax.set_xscale("log")
            ax.set_yscale("log")
    style.label_panels(
        panels,
        style.axis_label(r"$\xi_{max}/\xi_c$", ""),
        style.axis_label(r"$T_c/\Delta_c$", ""),
    )
    if "" in panels:
        panels[""].set_title(rf"{dim}D: $T_c(\xi_{{max}})$, bounded $\xi$", fontsize=8.5)
    return notes


def _split_models(ds: xr.Dataset, dims: list[int]) -> tuple[list[tuple], list[tuple]]:
    """(dim, family, d) of the models with an in-regime point, and of those without."""
    models, left = [], []
    for dim in dims:
        for fam, d in model_list(ds, dim):
            sub = model_sub(ds, dim, fam, d)
            y = -np.asarray(sub["ln_sigma"].values, dtype=float)
            good = finite(y) & (y > 0) & ~flagged(sub)
            (models if good.any() else left).append((dim, fam, d))
    return models, left


def _conductivity_legend(ds: xr.Dataset, has_b: bool) -> tuple[list, list[str]]:
    """Handles and labels of the figure legend (bounded xi and T_c panels if ``has_b``)."""
    handles = [
        Line2D([], [], color="0.15", marker="o", lw=2.2, ms=5),
        Line2D([], [], color="k", ls=":", lw=1),
        Line2D([], [], color="0.15", marker="o", ls="none", ms=5, **FLAG_KW),
    ]
    labels = [r"continuum $\xi$ (band: s.e.)", "Arrhenius, slope 1", "flagged (outside regime)"]
    if not has_b:
        return handles, labels
    for i, xm in enumerate(ds["xi_max"].values):
        handles.append(Line2D([], [], color=style.color(i + 1), lw=_bounded_lw(i)))
        labels.append(
            rf"bounded $\xi_{{max}} = 10^{{{np.log10(xm):.3g}}}$; dotted: $1/T_c$ ($\sigma = 0$"
            " beyond)"
        )
    for fam in families(ds):
        col, mk = style.model_style(fam, min(d_positive(ds), default=0.0))
        handles.append(Line2D([], [], color=col, marker=mk, ls="none"))
        labels.append(f"T_c panels: {fam} (lighter: larger d)")
    handles.append(Line2D([], [], color="0.3", ls="--", lw=0.9))
    labels.append(r"$T_c = \Delta_c/e$ (regime limit)")
    return handles, labels


def plot_conductivity(ds: xr.Dataset) -> plt.Figure:
    """-ln sigma vs 1/T (Eqs. 18, 29; the paper's Fig. 2), one panel per model, and T_c(xi_max).

    Each small panel: the continuum (unbounded xi; thick dark line, band:
    ``ln_sigma_stderr``), an Arrhenius line of slope 1 (dotted black) through
    its first point, and the bounded-xi model for each xi_max (dashed, one
    colour each), with 1/T_c(xi_max) as a dotted vertical line of the same
    colour (band: ``T_c_stderr``); below T_c the bounded sigma vanishes.
    Last panels: T_c/Delta_c against xi_max/xi_c per dimension (found values
    with error bars, upper bounds as hollow down-triangles, never fitted);
    beyond :data:`~hotcold.plots.style.MAX_SHARED_MODELS` models one T_c panel
    per family and dimension, shared axes, white noise in each.  Models
    without any in-regime point are left out (named in the caption).

    Parameters
    ----------
    ds : xarray.Dataset
        ``results/hotcold.nc``.

    Returns
    -------
    Figure
        With its data-driven caption (:func:`hotcold.plots.style.get_caption`).
    """
    dims = [int(v) for v in ds["dim"].values]
    models, left = _split_models(ds, dims)
    has_b = "ln_sigma_bounded" in ds and "xi_max" in ds.dims and ds["xi_max"].size > 0
    tc_dims = [dm for dm in dims if has_b]
    fig, flat, tc_panels = _conductivity_axes(ds, len(models), tc_dims)
    info = [_sigma_panel(flat[k], ds, *m) for k, m in enumerate(models)]
    for k in range(len(models)):
        ax = flat[k]
        ax.set_xlabel(style.axis_label("1/T", "1/energy"))
        ax.set_ylabel(r"$-\ln\sigma = (\epsilon_{th}-\epsilon_F)/T$")
    notes = []
    for dim, panels in zip(tc_dims, tc_panels, strict=True):
        notes += _tc_panel(panels, ds, dim)
    if not models and not tc_dims:
        flat[0].set_visible(True)
        flat[0].text(
            0.5,
            0.5,
            "no point inside the regime of the formulas",
            ha="center",
            transform=flat[0].transAxes,
        )
    style.figure_legend(fig, *_conductivity_legend(ds, has_b), ncol=4)
    style.tidy(fig)
    cap = _sigma_caption(info, left, notes)
    multiples = [p for p in tc_panels if "" not in p]
    if multiples:  # per-family T_c panels, each with its own legend naming d
        fig.canvas.draw()  # the final layout, once: legends inside axes do not change it
        for ax in (ax for p in multiples for ax in p.values()):
            style.place_legend(ax, fontsize=7, draw=False)
        style.settle_legends(fig)
        note = style.multiples_note(multiples[0])
        cap += "\n- " + note.replace("More than", "T_c panels: more than")
    return style.set_caption(fig, common.with_verdict(_sigma_verdict(ds, models), cap))


def _conductivity_axes(
    ds: xr.Dataset, n_models: int, tc_dims: list[int]
) -> tuple[plt.Figure, list, list[dict]]:
    """The figure, its axes (the n_models -ln sigma panels first) and the T_c panels per dim.

    At most :data:`~hotcold.plots.style.MAX_SHARED_MODELS` models: one grid, the T_c
    panel of each dimension after the model panels (``{"": ax}``).  Beyond: the model
    panels in a grid, then per dimension a row of family panels
    (:func:`hotcold.plots.style.family_grid`, shared axes) in a sub-figure of its own.
    """
    groups = style.family_panels(model_list(ds, tc_dims[0])) if tc_dims else {"": []}
    if list(groups) == [""]:
        n = n_models + len(tc_dims)
        ncol = min(4 if n <= 8 else 5, max(n, 1))
        nrow = int(np.ceil(max(n, 1) / ncol))
        fig, axes = plt.subplots(
            nrow,
            ncol,
            figsize=(3.2 * ncol, 2.75 * nrow + 1.0),
            squeeze=False,
            constrained_layout=True,
        )
        flat = list(axes.ravel())
        for ax in flat[n:]:
            ax.set_visible(False)
        return fig, flat, [{"": flat[n_models + j]} for j in range(len(tc_dims))]
    ncol = min(5, max(n_models, 1))
    nrow = int(np.ceil(n_models / ncol))
    t_rows, t_cols = style.grid_shape(len(groups))
    heights = ([2.75 * nrow] if n_models else []) + [2.75 * t_rows + 0.3] * len(tc_dims)
    fig = plt.figure(figsize=(3.2 * max(ncol, t_cols), sum(heights) + 1.0), constrained_layout=True)
    subs = list(fig.subfigures(len(heights), 1, squeeze=False, height_ratios=heights).ravel())
    flat = []
    if n_models:
        flat = list(subs.pop(0).subplots(nrow, ncol, squeeze=False).ravel())
        for ax in flat[n_models:]:
            ax.set_visible(False)
    tc_panels = []
    for dim, sub in zip(tc_dims, subs, strict=True):
        sub.suptitle(rf"{dim}D: $T_c(\xi_{{max}})$, bounded $\xi$", fontsize=9)
        tc_panels.append(
            style.family_grid(sub, groups, f"{dim}D T_c: {{family}} (lighter: larger d)")
        )
    return fig, flat, tc_panels


def _sigma_caption(info: list[dict], left: list[tuple], notes: list[str]) -> str:
    lines = []
    for r in info:
        sl = r.get("slope")
        s = (
            f"log-log slope of -ln sigma vs 1/T = {sl:.2f} (Arrhenius: 1)"
            if sl is not None
            else "fewer than 2 points in the regime"
        )
        tcs = ", ".join(
            f"T_c(1e{np.log10(xm):.0f}) = {style.fmt_pm(tc, se)}" for xm, tc, se in r["tc"]
        )
        co = (
            f"; bounded curves within {100 * max(r['coincide']):.2g} % of the continuum "
            "where both exist"
            if r["coincide"]
            else ""
        )
        off = (
            f" ({r['tc_off']} T_c more than 10x below the lowest T: no line drawn)"
            if r.get("tc_off")
            else ""
        )
        bounds = "; ".join(
            f"T_c(1e{np.log10(xm):.0f}) <= {b:.3g} (upper bound)"
            for xm, b in r.get("tc_bounds", [])
        )
        tcs = "; ".join(x for x in (tcs, bounds) if x)
        lines.append(f"- {r['label']}: {s}{co}" + (f"; {tcs}{off}" if tcs else ""))
    lines += [f"- {s}" for s in notes]
    if left:
        lines.append(
            "- left out (no point in the regime of the formulas): "
            + "; ".join(model_label(f, d, dm) for dm, f, d in left)
        )
    return "\n".join(lines)


def loglog_slope(x: np.ndarray, y: np.ndarray, se: np.ndarray | None) -> tuple[float, float]:
    """Least-squares slope of ln y against ln x and its s.e. from the s.e. of y.

    The slope is the unweighted fit of the caption (sum_i c_i ln y_i with
    c_i = (X_i - mean X)/S_xx); its variance is sum_i c_i^2 (se_i/y_i)^2.
    """
    lx, ly = np.log(x), np.log(y)
    c = (lx - lx.mean()) / np.sum((lx - lx.mean()) ** 2)
    slope = float(np.sum(c * ly))
    if se is None or not np.isfinite(se).all():
        return slope, np.nan
    return slope, float(np.sqrt(np.sum((c * se / y) ** 2)))


def _continuum(ds: xr.Dataset, dim: int, fam: str, d: float) -> tuple:
    """(slope, its s.e., in-regime eps_th, largest measured energy, ratio to Eq. 29, its s.e.)."""
    sub = model_sub(ds, dim, fam, d)
    t = np.asarray(sub["T"].values, dtype=float)
    y = -np.asarray(sub["ln_sigma"].values, dtype=float)
    good = finite(y) & (y > 0) & ~flagged(sub)
    se = stderr_values(sub, "ln_sigma")
    se = None if se is None else se[good]
    sl = loglog_slope(1 / t[good], y[good], se) if good.sum() >= 2 else (np.nan, np.nan)
    eth = np.asarray(sub["eps_th"].values, dtype=float)[good]
    y29 = -np.asarray(sub["ln_sigma_eq29"].values, dtype=float)[good]
    return sl, eth, measured_top(sub, ds["energy"].values), (y[good], se, y29)


def _sigma_verdict(ds: xr.Dataset, models: list[tuple]) -> list[str]:
    """Verdict of ``conductivity``: super-Arrhenius continuum, Eq. (29), T_c values and bounds."""
    slopes, rows, rows2, two_d = [], [], [], []
    for dim, fam, d in models:
        (sl, sl_se), eth, top, y = _continuum(ds, dim, fam, d)
        if np.isfinite(sl):
            slopes.append((sl, sl_se))
        (rows if dim == 1 else rows2).append((model_label(fam, d, dim) + ":", eth, top))
        if dim == 2 and np.isfinite(y[2]).any():
            two_d.append(f"{model_label(fam, d, dim)}: -ln sigma " + common.verdict(*y[:2], y[2],
                         None, "Eq. (29)"))  # fmt: skip
    out = []
    if slopes:
        a = np.array(slopes)
        out.append(
            "The continuum's log-log slope of -ln sigma against 1/T (in-regime points) "
            + common.verdict(a[:, 0], a[:, 1], 1.0, None, "Arrhenius (slope 1)", "models")
            + " (the ratio is the slope itself: super-Arrhenius where above 1, as in the "
            "paper's Fig. 2), and -ln sigma is finite at every in-regime T: no transition"
        )
    notes = [common.born_note(rows), common.born_note(rows2, dim=2)]
    return out + [n for n in notes if n] + two_d + _tc_verdict(ds)


def _tc_verdict(ds: xr.Dataset) -> list[str]:
    """T_c: values (and whether they fall with xi_max), bounds written as bounds."""
    if not ("T_c" in ds and "xi_max" in ds.dims):
        return []
    n_val, n_flag, falling, n_multi, bounds = 0, 0, 0, 0, []
    for dim in (int(v) for v in ds["dim"].values):
        for fam, d in model_list(ds, dim):
            sub = model_sub(ds, dim, fam, d)
            tc = np.asarray(sub["T_c"].values, dtype=float)
            ok = finite(tc) & (tc > 0)
            n_val += int(ok.sum())
            if "T_c_regime" in sub:
                n_flag += int((ok & (np.asarray(sub["T_c_regime"].values) != 0)).sum())
            if ok.sum() >= 2:
                n_multi += 1
                falling += int(np.all(np.diff(tc[ok]) < 0))
            ub = _upper_bound_all(sub)
            for xm, b in zip(ds["xi_max"].values, ub, strict=True):
                if np.isfinite(b):
                    label = model_label(fam, d, dim)
                    bounds.append(f"{label}: T_c(1e{np.log10(xm):.0f}) <= {b:.3g}")
    out = [
        f"T_c is a value at {n_val} (model, xi_max) cells ({n_flag} of them flagged outside "
        f"the regime); it falls as xi_max grows in {falling} of the {n_multi} models with two "
        "or more values (the continuum, xi_max to infinity, has no transition)"
    ]
    if bounds:
        out.append(
            f"{len(bounds)} T_c are only upper bounds (T_c_status = below_search: the window is "
            "still open at the lowest searched T; drawn as down-triangles, never fitted): "
            + "; ".join(bounds)
        )
    return out


def _upper_bound_all(sub: xr.Dataset) -> np.ndarray:
    """T_c_upper_bound over xi_max (NaN where T_c is a value or the dataset has no bounds)."""
    if "T_c_upper_bound" not in sub:
        return np.full(sub["T_c"].shape, np.nan)
    return np.asarray(sub["T_c_upper_bound"].values, dtype=float)
