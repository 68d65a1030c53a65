"""Figure: log10(eta_hc/eta_c) over (eps - eps_F, T) with the threshold eps_th(T).
(docs/physics.md §1.5).

Eq. (1) and Sec. II of the paper; reads ``results/hotcold.nc``.  Returns a
:class:`matplotlib.figure.Figure` with a data-driven caption attached
(:func:`hotcold.plots.style.set_caption`).  Flagged points (``regime`` != 0,
n_T extrapolated) are drawn hollow and faint, never as results.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import xarray as xr  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

from . import common, style  # noqa: E402

__all__ = ["plot_eta_map"]


def _edges(c: np.ndarray, log: bool = True) -> np.ndarray:
    """Cell edges of a (log-)spaced coordinate for pcolormesh."""
    c = np.asarray(c, dtype=float)
    if c.size == 1:
        return np.array([c[0] / 1.5, c[0] * 1.5]) if log else np.array([c[0] - 0.5, c[0] + 0.5])
    v = np.log(c) if log else c
    mid = 0.5 * (v[1:] + v[:-1])
    e = np.concatenate([[2 * v[0] - mid[0]], mid, [2 * v[-1] - mid[-1]]])
    return np.exp(e) if log else e


def _grid_crossing(x: np.ndarray, z: np.ndarray, level: float) -> float:
    """Lowest x above which z (on a grid) stays >= level, by log-linear interpolation."""
    ok = np.isfinite(z)
    if not ok.any() or not (z[ok][-1] >= level):
        return np.nan
    below = np.nonzero(ok & (z < level))[0]
    if below.size == 0:
        return np.nan
    i = below[-1]
    if i + 1 >= z.size or not np.isfinite(z[i + 1]):
        return np.nan
    t = (level - z[i]) / (z[i + 1] - z[i])
    return float(np.exp(np.log(x[i]) + t * (np.log(x[i + 1]) - np.log(x[i]))))


_ETA_RANGE = 8.0  # decades of eta_hc/eta_c either side of the colour scale


def _log10_eta(sub: xr.Dataset) -> np.ndarray:
    """log10 eta_hc over (T, energy); NaN where eta_hc <= 0."""
    if "log10_eta_hc" in sub:
        return np.asarray(sub["log10_eta_hc"].transpose("T", "energy").values, dtype=float)
    eta = np.asarray(sub["eta_hc"].transpose("T", "energy").values, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(eta > 0, np.log10(eta), np.nan)


def _threshold_points(ax, sub, x, t, zc, keep, dc: float, e_f: float) -> tuple:
    """eps_th(T) - eps_F as white (result) or flagged markers; (th, ok, flag, deviations).

    The deviations are |grid crossing of eta = eta_c / root-found eps_th - 1| per T.
    """
    th = np.asarray(sub["eps_th"].values, dtype=float)[keep] - e_f
    ok, flag = common.finite(th) & (t < dc), common.flagged(sub)[keep]
    ax.plot(th[ok & ~flag], t[ok & ~flag], "o", ms=5, mfc="w", mec="k", mew=1.2, zorder=5)
    ax.plot(th[ok & flag], t[ok & flag], "o", ms=5, mec="k", zorder=5, **common.FLAG_KW)
    dev = []
    for i in np.nonzero(ok)[0]:
        g = _grid_crossing(x, zc[i], 0.0)
        if np.isfinite(g):
            dev.append(abs(g / th[i] - 1.0))
    return th, ok, flag, dev


def _eta_mesh(ax: plt.Axes, x: np.ndarray, t: np.ndarray, zc: np.ndarray, cmap) -> tuple:
    """Log-log axes, hatched rows without eta_hc, the colour mesh; (mesh, T edges, blank rows)."""
    ax.set_xscale("log")
    ax.set_yscale("log")
    te = _edges(t)
    # rows without any eta_hc (T >= Delta_c): hatched grey
    blank = ~np.isfinite(zc).any(axis=1)
    for i in np.nonzero(blank)[0]:
        ax.axhspan(
            te[i], te[i + 1], facecolor="0.88", edgecolor="0.55", hatch="///", lw=0, zorder=0
        )
    mesh = ax.pcolormesh(
        _edges(x),
        te,
        np.ma.masked_invalid(zc),
        cmap=cmap,
        vmin=-_ETA_RANGE,
        vmax=_ETA_RANGE,
        zorder=1,
        rasterized=True,
    )
    return mesh, te, blank


def _eta_contour(ax: plt.Axes, x: np.ndarray, t: np.ndarray, zc: np.ndarray) -> int:
    """The contour eta_hc = eta_c of the gridded map; number of its segments."""
    if not (zc.shape[0] >= 2 and np.isfinite(zc).sum() > 4):
        return 0
    cs = ax.contour(
        x,
        t,
        np.ma.masked_invalid(zc),
        levels=[0.0],
        colors="k",
        linewidths=1.1,
        zorder=4,
    )
    return sum(len(p) for p in cs.allsegs)


def _eta_panel(ax: plt.Axes, ds: xr.Dataset, dim: int, fam: str, d: float, cmap) -> dict:
    """One (dim, model) panel of the map; returns numbers for the caption."""
    sub = common.model_sub(ds, dim, fam, d)
    eta_c, e_f = common.critical_eta(ds), common.fermi_energy(ds)
    x = ds["energy"].values - e_f
    t = sub["T"].values
    z = _log10_eta(sub)
    keep = t > 0  # T <= 0 (flagged nonpositive_T) has no place on a log axis
    t, z = t[keep], z[keep]
    zc = z - np.log10(eta_c)
    dc = float(sub["Delta_c"])
    # T >= Delta_c: outside the formulas (their logarithms change sign; in 2D the
    # ln^2 stays positive, so blank explicitly rather than trusting the sign)
    n_hidden = int((np.isfinite(zc).any(axis=1) & (t >= dc)).sum())
    zc[t >= dc, :] = np.nan
    mesh, te, blank = _eta_mesh(ax, x, t, zc, cmap)
    if np.isfinite(dc) and dc / np.e < te[-1]:
        ax.axhline(dc / np.e, color="0.25", ls="--", lw=0.9, zorder=3)
    n_contour = _eta_contour(ax, x, t, zc)
    th, ok, flag, dev = _threshold_points(ax, sub, x, t, zc, keep, dc, e_f)
    hi = np.nanmax(th[ok]) if ok.any() else np.nan
    if np.isfinite(hi):
        ax.set_xlim(x.min(), min(x.max(), hi * 1e3))
    else:
        ax.set_xlim(x.min(), x.max())
    ax.set_ylim(te[0], te[-1])
    ax.set_title(common.model_label(fam, d, dim), fontsize=9)
    return {
        "mesh": mesh,
        "label": common.model_label(fam, d, dim),
        "blank": int(blank.sum()),
        "hidden": n_hidden,
        "n_T": t.size,
        "found": int((ok & ~flag).sum()),
        "flagged": int((ok & flag).sum()),
        "dev": max(dev) if dev else np.nan,
        "contour": n_contour > 0,
        "over": int((zc > _ETA_RANGE).sum()),
        "inf": int(np.isinf(np.asarray(sub["eta_hc"].values, float)).sum()),
    }


def plot_eta_map(ds: xr.Dataset) -> plt.Figure:
    """log10(eta_hc/eta_c) over (eps - eps_F, T) with the threshold eps_th(T) (Eq. 1; Sec. II).

    Rows: spatial dimension; columns: white noise and each family at its
    smallest d > 0.  The colour is log10(eta_hc/eta_c) from ``log10_eta_hc``
    (computed in log space, so eta_hc = +inf overflows of the linear variable
    are shown at their true values, beyond the colour scale in its 'over'
    colour); white is eta_hc = eta_c.  Hatched grey: T >= Delta_c, where the
    formulas give no eta_hc.  Dashed: T = Delta_c/e, above which points are
    flagged high_T.  Black line: the contour eta_hc = eta_c of the gridded
    map; circles: the root-found eps_th(T) (hollow faint: flagged).
    """
    dims = [int(v) for v in ds["dim"].values]
    models = {dim: common.model_list(ds, dim) for dim in dims}
    dmin = min(common.d_positive(ds) or [0.0])
    cols = {dim: [(f, d) for f, d in models[dim] if d in (0.0, dmin)] for dim in dims}
    ncol = max(len(c) for c in cols.values())
    fig, axes = plt.subplots(
        len(dims),
        ncol,
        figsize=(3.3 * ncol, 2.9 * len(dims) + 0.9),
        squeeze=False,
        constrained_layout=True,
    )
    cmap = plt.get_cmap("RdBu_r").with_extremes(over="#3f0010", under="#001a3f", bad=(0, 0, 0, 0))
    info, mesh = [], None
    for r, dim in enumerate(dims):
        for c in range(ncol):
            ax = axes[r, c]
            if c >= len(cols[dim]):
                ax.set_visible(False)
                continue
            res = _eta_panel(ax, ds, dim, *cols[dim][c], cmap)
            mesh = res["mesh"]
            info.append(res)
            ax.set_xlabel(style.axis_label(r"$\epsilon - \epsilon_F$", "energy"))
            ax.set_ylabel(style.axis_label("T", "energy"))
    eta_c = common.critical_eta(ds)
    if mesh is not None:
        fig.colorbar(
            mesh,
            ax=axes,
            extend="both",
            shrink=0.85,
            label=rf"$\log_{{10}}(\eta_{{hc}}/\eta_c)$, $\eta_c = {eta_c:g}$ (Eq. 1)",
        )
    handles = [
        Line2D([], [], color="k", lw=1.1),
        Line2D([], [], ls="none", marker="o", mfc="w", mec="k", mew=1.2),
        Line2D([], [], ls="none", marker="o", mec="k", **common.FLAG_KW),
        Line2D([], [], color="0.25", ls="--", lw=0.9),
        Patch(facecolor="0.88", edgecolor="0.55", hatch="///"),
    ]
    labels = [
        r"contour $\eta_{hc} = \eta_c$ (grid)",
        r"$\epsilon_{th}(T)$, root finder",
        r"$\epsilon_{th}$ flagged (outside regime)",
        r"$T = \Delta_c/e$ (above: flagged high_T)",
        r"$T \geq \Delta_c$: no $\eta_{hc}$",
    ]
    style.figure_legend(fig, handles, labels, ncol=3)
    style.tidy(fig)
    panels = [(dim, f, d) for dim in dims for f, d in cols[dim]]
    return style.set_caption(
        fig, common.with_verdict(_eta_verdict(ds, panels, info), _eta_caption(info))
    )


def _eta_caption(info: list[dict]) -> str:
    lines = []
    for r in info:
        dev = "n/a" if not np.isfinite(r["dev"]) else f"{100 * r['dev']:.2g} %"
        hid = (
            f"; {r['hidden']} of them carry a finite eta_hc in the dataset, blanked here"
            if r["hidden"]
            else ""
        )
        lines.append(
            f"- {r['label']}: {r['found']} of {r['n_T']} temperatures have a threshold in the "
            f"regime, {r['flagged']} more are flagged; {r['blank']} rows have T >= Delta_c "
            f"(hatched{hid}); root-found eps_th vs the grid contour: max deviation {dev}; "
            f"{r['over']} cells above the colour scale ({r['inf']} eta_hc values overflow to inf "
            f"in the linear variable and are drawn from log10_eta_hc)."
        )
    return "\n".join(lines)


def _marginal_note(ds: xr.Dataset, sub: xr.Dataset, label: str) -> str:
    """Why a panel is one colour: 1D white noise is marginal (eps_th_status), in words."""
    lim = np.asarray(sub["eta_hc_limit"].values, dtype=float) if "eta_hc_limit" in sub else []
    lim = np.asarray(lim)[np.isfinite(lim)]
    val = f" (eta_hc_limit = {common.fmt_range(lim, '.2g')} here" if lim.size else " ("
    eta_c = common.critical_eta(ds)
    side = "below" if lim.size and lim.max() < eta_c else "against"
    return (
        f"{label} is marginal (eps_th_status = marginal at every T): with the Born xi_h = "
        "2 eps/(m w) of Eq. (2), proportional to eps, and the clean rho_h proportional to "
        "eps^(-1/2), eta_hc = abs(u) rho_h^2 xi_h T l_M n_T (Eqs. 1, 8, 9, 11, 12) does not "
        "depend on eps (where xi is measured it approaches that constant from above), so "
        f"the panel has one colour at each T{val}, {side} eta_c = {eta_c:g}) and "
        "no threshold exists (docs/physics.md section 1.4)"
    )


def _eta_verdict(ds: xr.Dataset, panels: list[tuple], info: list[dict]) -> list[str]:
    """Verdict of ``eta_map``: root vs grid, the marginal case, bounds and extrapolations."""
    dev = [r["dev"] for r in info if np.isfinite(r["dev"])]
    out = [
        "This map tests the composition's own consistency, not a formula (eps_th against "
        "the paper's asymptotes: see threshold): the root-found eps_th agrees with the grid "
        f"contour eta_hc = eta_c within {100 * max(dev):.2g} % at most" if dev else
        "No threshold to compare with the grid contour"
    ]  # fmt: skip
    counts: dict[str, list[str]] = {"marginal": [], "below_grid": [], "n_T": []}
    rows = []
    for (dim, fam, d), r in zip(panels, info, strict=True):
        sub = common.model_sub(ds, dim, fam, d)
        st = sub["eps_th_status"]
        if style.flag_mask(st, "marginal").all():
            out.append(_marginal_note(ds, sub, r["label"]))
        nb = int(style.flag_mask(st, "below_grid").sum())
        if nb:
            counts["below_grid"].append(f"{r['label']} {nb}")
        n_ext = int(style.flag_mask(sub["n_T_source"], "extrapolated").sum())
        if n_ext:
            counts["n_T"].append(f"{r['label']} {n_ext}")
        if dim == 1:
            eth = np.asarray(sub["eps_th"].values, dtype=float)
            good = common.finite(eth) & ~common.flagged(sub)
            rows.append((r["label"] + ":", eth[good], common.measured_top(sub, ds["energy"])))
    if counts["below_grid"]:
        out.append(
            "Where eps_th_status = below_grid (eta_hc >= eta_c already at the lowest grid energy, "
            f"{float(ds['energy'].values[0]):.4g}"
            "): there eps_th is only an upper bound, eps_th <= that energy, and flagged: "
            + "; ".join(counts["below_grid"])
            + " temperatures"
        )
    out.append(common.born_note(rows) or "No 1D threshold in the regime")
    out.append(
        "n_T is extrapolated (flagged) at: " + "; ".join(counts["n_T"]) + " temperatures"
        if counts["n_T"] else
        "No n_T behind the map is extrapolated (1D: numerical, 2D: the closed form Eq. 22)"
    )  # fmt: skip
    return out
