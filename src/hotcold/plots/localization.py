"""Figure: xi(eps) from transfer matrices against Eq. (2) and the Born asymptote."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import xarray as xr  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402

from ..datasets import select_model  # noqa: E402
from ..families import is_white  # noqa: E402
from ..theory import xi_white_eq2  # noqa: E402
from . import common, style  # noqa: E402

__all__ = ["plot_localization"]


def _mass_and_w(ds: xr.Dataset) -> tuple[float, float | None]:
    """The dataset's scalars m and w (None without w: no Eq. (2) line)."""
    w = float(ds["w"]) if "w" in ds.variables else 0.0
    return float(ds["m"]), w or None


def _model_panel(ax, axr, sub: xr.Dataset, e: np.ndarray, i: int) -> str:
    """Points (filled: converged, open: cost cap), Born line and ratio of one (family, d)."""
    col, mk = style.style_of(sub)
    meas = np.asarray(sub["xi_source"].values) == 0
    cap = style.flag_mask(sub["status"], "cost_cap") if "status" in sub else np.zeros_like(meas)
    xi, se, xb = (np.asarray(sub[k].values, dtype=float) for k in ("xi", "xi_stderr", "xi_born"))
    for mask, mfc in ((meas & ~cap, col), (meas & cap, "none")):
        if mask.any():
            marker = {"fmt": mk, "ms": 3.8, "color": col, "mfc": mfc, "capsize": 2, "lw": 1}
            ax.errorbar(
                e[mask],
                xi[mask],
                yerr=se[mask],
                **marker,
            )
            axr.errorbar(
                e[mask],
                xi[mask] / xb[mask],
                yerr=se[mask] / xb[mask],
                **marker,
            )
    pos = e > 0
    ax.plot(e[pos], xb[pos], "-", color=col, lw=1.1)
    if not meas.any():
        return "no measured point"
    r, rs = xi[meas] / xb[meas], se[meas] / xb[meas]
    top = np.nonzero(meas)[0][-1]
    worst = int(np.argmax(np.abs(r - 1)))
    return (
        f"xi/xi_Born = {style.fmt_pm(r[-1], rs[-1])} at the highest measured energy "
        f"{e[top]:.3g}; largest departure {style.fmt_pm(r[worst], rs[worst])} at eps = "
        f"{e[meas][worst]:.3g}; {int((meas & cap).sum())} points at the cost cap"
    )


def _family_column(ax, axr, ds: xr.Dataset, j: int, fam: str, m: float, w) -> list[str]:
    """Column j (one family): every d (white noise only in the first column), Eq. (2), axes."""
    dvals = [float(d) for d in ds["d"].values]
    e = ds["energy"].values
    notes = []
    for i, d in enumerate(dvals):
        if d == 0 and j > 0:
            continue  # white noise: the same model in every column, drawn once
        note = _model_panel(ax, axr, select_model(ds, fam, d), e, i)
        notes.append(f"{'white noise' if d == 0 else f'{fam}, d = {d:g}'}: {note}")
    if w:
        ep = e[e > 0]
        ax.plot(ep, xi_white_eq2(ep, m, w), ":", color="k", lw=1.3)
    ax.set_xscale("log")
    ax.set_yscale("log")
    drawn = [select_model(ds, fam, d) for d in dvals if d > 0 or j == 0]
    src = np.array([np.asarray(sub["xi_source"].values) == 0 for sub in drawn])
    shown = np.where(src, np.array([sub["xi"].values for sub in drawn]), np.nan)
    style.robust_ylim(ax, shown.ravel(), log=True, pad=0.1)
    meas_e = e[src.any(axis=0)]
    if meas_e.size:
        ax.set_xlim(meas_e.min() / 1.25, meas_e.max() * 1.25)
    ax.set_title(
        f"{fam}" + (" (white noise: left panel)" if j > 0 and 0.0 in dvals else ""), fontsize=9
    )
    ax.set_ylabel(style.axis_label(r"$\xi$", "length"))
    axr.axhline(1.0, color="k", lw=0.8)
    axr.set_xscale("log")
    axr.set_xlabel(style.axis_label(r"energy $\epsilon$", "energy"))
    axr.set_ylabel(style.axis_label(r"$\xi/\xi_{Born}$", ""))
    return notes


def _legend(dvals: list[float]) -> tuple[list, list[str]]:
    """Handles and labels of the figure legend: one series per d, then the line styles."""
    handles, labels = [], []
    for d in dvals:  # lightness by d (shown in grey); hue and marker by family (the columns)
        col, mk = style.model_style("white", d)
        handles.append(Line2D([], [], color=col, marker="o" if d == 0 else "s", lw=1.1))
        labels.append("white noise (d = 0)" if d == 0 else f"d = {d:g} (lighter: larger d)")
    handles += [
        Line2D([], [], color="0.3", lw=1.1),
        Line2D([], [], color="0.3", marker="o", mfc="none", ls="none"),
        Line2D([], [], color="k", ls=":", lw=1.3),
    ]
    labels += [
        "points: transfer matrices (s.e.); line: Born asymptote, same colour",
        "open: cost cap hit",
        "Eq. (2): 2 eps/(m w), white noise",
    ]
    return handles, labels


def _white_note(ds: xr.Dataset, fam: str, m: float, w: float) -> str:
    """Caption line: the white-noise xi against Eq. (2) at the ends of the measured range."""
    e = ds["energy"].values
    white = select_model(ds, fam, 0.0)
    meas = np.asarray(white["xi_source"].values) == 0
    r = white["xi"].values[meas] / xi_white_eq2(e[meas], m, w)
    return (
        f"white noise: xi/Eq.(2) = {r[-1]:.3f} at eps = {e[meas][-1]:.3g} "
        f"(Eq. 2 is the weak-disorder limit; {r[0]:.3f} at eps = "
        f"{e[meas][0]:.3g})"
    )


def plot_localization(ds: xr.Dataset) -> plt.Figure:
    """xi(eps) per family (columns) and d (colour + marker), log-log, with error bars.

    Top row: measured xi (points with standard errors; open symbols where the
    cost cap was hit), the Born asymptote (solid line of the same colour),
    Eq. (2) for white noise (black dotted).  Bottom row: xi/xi_Born, showing
    where the numerics depart from the Born asymptote (strong disorder, low
    energy).  One legend below the panels names every series and line style.

    Parameters
    ----------
    ds : xarray.Dataset
        ``results/localization.nc`` (its scalars ``m`` and ``w`` for Eq. 2).

    Returns
    -------
    Figure
        With its data-driven caption (:func:`hotcold.plots.style.get_caption`).
    """
    fams = [str(f) for f in ds["family"].values]
    fams = [f for f in fams if not is_white(f)] or fams  # white noise: drawn in the first column
    dvals = [float(d) for d in ds["d"].values]
    m, w = _mass_and_w(ds)
    fig, axes = plt.subplots(
        2,
        len(fams),
        figsize=(4.0 * len(fams), 6.4),
        squeeze=False,
        sharex="col",
        gridspec_kw={"height_ratios": [2, 1]},
        constrained_layout=True,
    )
    notes = []
    for j, fam in enumerate(fams):
        notes += _family_column(axes[0, j], axes[1, j], ds, j, fam, m, w)
    style.figure_legend(fig, *_legend(dvals), ncol=3)
    style.tidy(fig)
    if w and 0.0 in dvals:
        notes.append(_white_note(ds, fams[0], m, w))
    lines = "\n".join(f"- {s}" for s in notes)
    return style.set_caption(fig, common.with_verdict(_localization_verdict(ds), lines))


def _top_points(ds: xr.Dataset) -> list[tuple[str, float, float, float, float, int]]:
    """Per drawn model: (label, xi, s.e., xi_Born at the highest measured energy, that energy,
    points at the cost cap)."""
    fams = [f for f in (str(v) for v in ds["family"].values) if not is_white(f)]
    fams = fams or [str(ds["family"].values[0])]
    e, out = np.asarray(ds["energy"].values, dtype=float), []
    for j, fam in enumerate(fams):
        for d in (float(v) for v in ds["d"].values):
            if d == 0 and j > 0:
                continue
            sub = select_model(ds, fam, d)
            meas = np.asarray(sub["xi_source"].values) == 0
            if not meas.any():
                continue
            cap = style.flag_mask(sub["status"], "cost_cap") if "status" in sub else meas & False
            i = np.nonzero(meas)[0][-1]
            xi, se, xb = (float(sub[k].values[i]) for k in ("xi", "xi_stderr", "xi_born"))
            label = "white noise" if d == 0 else f"{fam}, d = {d:g}"
            out.append((label, xi, se, xb, float(e[i]), int((meas & cap).sum())))
    return out


def _localization_verdict(ds: xr.Dataset) -> list[str]:
    """Verdict of ``localization``: xi against the Born asymptote where it should hold."""
    top = _top_points(ds)
    if not top:
        return ["No measured xi: nothing is compared"]
    xi, se, xb = (np.array([t[k] for t in top]) for k in (1, 2, 3))
    _, _, z = common.ratio_sigma(xi, se, xb)
    out = [
        "At each model's highest measured energy (where the Born asymptote should hold), xi "
        + common.verdict(xi, se, xb, None, "the Born asymptote", "models")
    ]
    off = [
        f"{t[0]} ({style.fmt_pm(t[1] / t[3], t[2] / t[3])} at eps = {t[4]:.3g})"
        for t, zz in zip(top, z, strict=True)
        if abs(zz) > common.N_SIGMA
    ]
    if off:
        out.append("Not yet at the Born asymptote there: " + "; ".join(off))
    out.append(_lower_energies(ds))
    m, w = _mass_and_w(ds)
    white = [t for t in top if t[0] == "white noise"]
    if w and white:
        t = white[0]
        eq2 = float(xi_white_eq2(np.array([t[4]]), m, w)[0])
        out.append(
            f"White noise at eps = {t[4]:.3g} " + common.verdict(t[1], t[2], eq2, None, "Eq. (2)")
        )
    n_cap = sum(t[5] for t in top)
    out.append(
        f"{n_cap} measured points hit the cost cap (open symbols: measured, with their own "
        "errors, but short of the target precision); no point is an extrapolation: the Born "
        "lines are the asymptote, not data"
    )
    return out


def _lower_energies(ds: xr.Dataset) -> str:
    """Sentence: measured points below the top energy that depart from Born beyond errors."""
    xi, se, xb = (np.asarray(ds[k].values, dtype=float) for k in ("xi", "xi_stderr", "xi_born"))
    meas = ds["xi_source"] == 0
    if "is_model" in ds:
        meas = meas & ds["is_model"]
    meas = np.asarray(meas.transpose(*ds["xi"].dims).values, dtype=bool)
    r, _, z = common.ratio_sigma(xi[meas], se[meas], xb[meas])
    off = np.abs(z) > common.N_SIGMA
    if not off.any():
        return f"All {meas.sum()} measured points agree with Born within errors"
    e = np.asarray(ds["energy"].broadcast_like(ds["xi"]).transpose(*ds["xi"].dims).values)[meas]
    return (
        f"Over all {meas.sum()} measured points, {int(off.sum())} depart from Born beyond errors "
        f"(xi/xi_Born {common.fmt_range(r[off])} at eps = {common.fmt_range(e[off])}; "
        f"{int((off & (e <= 1.0)).sum())} of them at eps <= 1): the strong-disorder side "
        "(bottom row), where Born and Eq. (2), weak-disorder limits, need not hold"
    )
