"""Figures of the hot-cold stage (SPEC 1.5): eta_hc maps, eps_th(T), ln sigma(1/T), Fig. 1.

Every function takes the merged ``results/hotcold.nc`` (and, for Fig. 1, the
merged ``results/localization.nc``) and returns a :class:`matplotlib.figure.Figure`
with a data-driven caption attached (:func:`hotcold.plots.style.set_caption`).
Flagged points (``regime`` != 0: T not << Delta_c, strong disorder; n_T
extrapolated) are drawn hollow and faint, never as results; standard errors
(``*_stderr``) are drawn wherever the dataset carries them.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import xarray as xr  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

from . import style  # noqa: E402

__all__ = ["plot_eta_map", "plot_threshold", "plot_conductivity", "plot_fig1", "model_list"]

_FLAG_KW = {"mfc": "none", "alpha": 0.45}


def _families(ds: xr.Dataset) -> list[str]:
    return [str(f) for f in ds["family"].values]


def _d_positive(ds: xr.Dataset) -> list[float]:
    return [float(d) for d in ds["d"].values if d > 0]


def _model_label(family: str, d: float, dim: int | None = None) -> str:
    base = "white noise" if d == 0 else f"{family}, d = {d:g}"
    return base if dim is None else f"{dim}D {base}"


def _finite(a) -> np.ndarray:
    return np.isfinite(np.asarray(a, dtype=float))


def _eta_c(ds: xr.Dataset) -> float:
    return float(ds["eta_c"]) if "eta_c" in ds else float(ds.attrs.get("eta_c", 1.0))


def _fermi(ds: xr.Dataset) -> float:
    if "fermi_energy" in ds.attrs:
        return float(ds.attrs["fermi_energy"])
    cfg = ds.attrs.get("config")
    if cfg:
        import json

        return float(json.loads(cfg).get("fermi_energy", 1.0))
    return float(np.floor(ds["energy"].values.min()))


def model_list(ds: xr.Dataset, dim: int) -> list[tuple[str, float]]:
    """(family, d) of every distinct model of one dimension: white noise once, then d > 0."""
    fams = _families(ds)
    out: list[tuple[str, float]] = []
    if 0.0 in [float(v) for v in ds["d"].values]:
        out.append((fams[0], 0.0))
    out += [(f, d) for f in fams for d in _d_positive(ds)]
    return out


def _sub(ds: xr.Dataset, dim: int, fam: str, d: float) -> xr.Dataset:
    return ds.sel(dim=dim, family=fam, d=d)


def _flagged(sub: xr.Dataset) -> np.ndarray:
    """Per T: outside the formulas' regime, or n_T not from the numerics proper."""
    n = sub["T"].size
    bad = np.zeros(n, dtype=bool)
    if "regime" in sub:
        bad |= np.asarray(sub["regime"].values) != 0
    if "n_T_source" in sub:
        bad |= style.flag_mask(sub["n_T_source"], "extrapolated")
    return bad


def _regime_note(label: str, temps: np.ndarray, ok: np.ndarray, flag: np.ndarray) -> str:
    """Which temperatures of a model give results in the paper's regime (report prose)."""
    good = np.asarray(ok) & ~np.asarray(flag)
    t = np.asarray(temps, dtype=float)
    if not good.any():
        return (
            f"{label}: no temperature in the paper's regime (every point flagged or without "
            "threshold); its points are not results"
        )
    return (
        f"{label}: in the paper's regime at {int(good.sum())} of {t.size} temperatures, "
        f"T = {t[good].min():.3g}..{t[good].max():.3g} (the others are flagged)"
    )


def _err(sub: xr.Dataset, name: str) -> np.ndarray | None:
    se = style.stderr_of(sub, name)
    return None if se is None else np.asarray(se.values, dtype=float)


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


# ---------------------------------------------------------------------------
# eta_hc map
# ---------------------------------------------------------------------------

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
    ok, flag = _finite(th) & (t < dc), _flagged(sub)[keep]
    ax.plot(th[ok & ~flag], t[ok & ~flag], "o", ms=5, mfc="w", mec="k", mew=1.2, zorder=5)
    ax.plot(th[ok & flag], t[ok & flag], "o", ms=5, mec="k", zorder=5, **_FLAG_KW)
    dev = []
    for i in np.nonzero(ok)[0]:
        g = _grid_crossing(x, zc[i], 0.0)
        if np.isfinite(g):
            dev.append(abs(g / th[i] - 1.0))
    return th, ok, flag, dev


def _eta_panel(ax: plt.Axes, ds: xr.Dataset, dim: int, fam: str, d: float, cmap) -> dict:
    """One (dim, model) panel of the map; returns numbers for the caption."""
    sub = _sub(ds, dim, fam, d)
    eta_c, e_f = _eta_c(ds), _fermi(ds)
    x = ds["energy"].values - e_f
    t = ds["T"].values
    z = _log10_eta(sub)
    keep = t > 0  # T <= 0 (flagged nonpositive_T) has no place on a log axis
    t, z = t[keep], z[keep]
    zc = z - np.log10(eta_c)
    dc = float(sub["Delta_c"])
    # T >= Delta_c: outside the formulas (their logarithms change sign; in 2D the
    # ln^2 stays positive, so blank explicitly rather than trusting the sign)
    n_hidden = int((np.isfinite(zc).any(axis=1) & (t >= dc)).sum())
    zc[t >= dc, :] = np.nan
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
    if np.isfinite(dc) and dc / np.e < te[-1]:
        ax.axhline(dc / np.e, color="0.25", ls="--", lw=0.9, zorder=3)
    n_contour = 0
    if zc.shape[0] >= 2 and np.isfinite(zc).sum() > 4:
        cs = ax.contour(
            x,
            t,
            np.ma.masked_invalid(zc),
            levels=[0.0],
            colors="k",
            linewidths=1.1,
            zorder=4,
        )
        n_contour = sum(len(p) for p in cs.allsegs)
    th, ok, flag, dev = _threshold_points(ax, sub, x, t, zc, keep, dc, e_f)
    hi = np.nanmax(th[ok]) if ok.any() else np.nan
    if np.isfinite(hi):
        ax.set_xlim(x.min(), min(x.max(), hi * 1e3))
    else:
        ax.set_xlim(x.min(), x.max())
    ax.set_ylim(te[0], te[-1])
    ax.set_title(_model_label(fam, d, dim), fontsize=9)
    return {
        "mesh": mesh,
        "label": _model_label(fam, d, dim),
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
    models = {dim: model_list(ds, dim) for dim in dims}
    dmin = min(_d_positive(ds) or [0.0])
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
    eta_c = _eta_c(ds)
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
        Line2D([], [], ls="none", marker="o", mec="k", **_FLAG_KW),
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
    return style.set_caption(fig, _eta_caption(info))


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


# ---------------------------------------------------------------------------
# eps_th(T) against the asymptotes
# ---------------------------------------------------------------------------


def _errorbar(ax, x, y, yerr, ok, flag, col, mk, label):
    """In-regime points with error bars (filled), flagged points hollow and faint."""
    good = ok & ~flag
    e = None if yerr is None else np.where(np.isfinite(yerr), yerr, 0.0)
    if good.any():
        ax.errorbar(
            x[good],
            y[good],
            yerr=None if e is None else e[good],
            fmt=mk,
            color=col,
            ms=4.5,
            capsize=2,
            lw=1,
            label=label,
            zorder=3,
        )
    if (ok & flag).any():
        ax.plot(x[ok & flag], y[ok & flag], mk, color=col, ms=4.5, zorder=2, **_FLAG_KW)


def _ratio_text(values: np.ndarray) -> str:
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    if v.size == 0:
        return "n/a"
    return f"median {np.median(v):.3g} (range {v.min():.3g} to {v.max():.3g}, {v.size} points)"


def _threshold_1d(ax, ds: xr.Dataset, fam: str, eq: int) -> list[str]:
    """Panel (a)/(b): eps_th/eps0 against ln^2 chi (Eq. 14) or chi (Eq. 15)."""
    notes: list[str] = []
    xs, comp = [], []
    any_flag = False
    for i, d in enumerate(_d_positive(ds)):
        sub = _sub(ds, 1, fam, d)
        chi = np.asarray(sub["chi"].values, dtype=float)
        with np.errstate(invalid="ignore", divide="ignore"):
            x = np.log(chi) ** 2 if eq == 14 else chi
        e0 = float(sub["eps0"])
        y = np.asarray(sub["eps_th"].values, dtype=float) / e0
        se = _err(sub, "eps_th")
        ok = _finite(x) & _finite(y) & (chi > 1)
        flag = _flagged(sub)
        any_flag |= bool((ok & flag).any())
        _errorbar(
            ax,
            x,
            y,
            None if se is None else se / e0,
            ok,
            flag,
            style.color(i),
            style.marker(i),
            f"numerics, d = {d:g}",
        )
        yc = np.asarray(sub["eps_th_comp_born"].values, dtype=float) / e0
        okc = _finite(x) & _finite(yc) & (chi > 1)
        comp.append((x[okc], yc[okc]))
        xs.append(x[ok])
        rname = f"ratio_eq{eq}"
        r = np.asarray(sub[rname].values, dtype=float) if rname in sub else y / x
        notes.append(_regime_note(f"1D {fam}, d = {d:g}", sub["T"].values, ok, flag))
        notes.append(f"1D {fam}, d = {d:g}: eps_th/Eq.({eq}) = {_ratio_text(r[ok & ~flag])}")
        if "ratio_comp_born" in sub:
            rc = np.asarray(sub["ratio_comp_born"].values, dtype=float)
            notes.append(
                f"1D {fam}, d = {d:g}: eps_th/Born composition = {_ratio_text(rc[ok & ~flag])}"
            )
    xa = np.concatenate(xs) if xs else np.array([])
    # the Born composition depends on chi only: one curve for every d (checked)
    if comp:
        cx = np.concatenate([c[0] for c in comp])
        cy = np.concatenate([c[1] for c in comp])
        o = np.argsort(cx)
        ax.plot(
            cx[o],
            cy[o],
            "--",
            color="0.35",
            lw=1.2,
            label="Born composition, every d" + (r" ($\approx$ 3/4 Eq. 15)" if eq == 15 else ""),
        )
    if xa.size:
        xx = np.linspace(max(xa.min(), 1e-12) * 0.9, xa.max() * 1.1, 60)
        if eq == 15:
            xx = np.geomspace(max(xa.min(), 1e-12) / 1.2, xa.max() * 1.2, 60)
        ax.plot(xx, xx, "k-", lw=1, label=f"Eq. ({eq})")
    if any_flag:
        ax.plot([], [], "o", color="0.3", label="flagged (outside regime)", **_FLAG_KW)
    if eq == 15 and xa.size:
        ax.set_xscale("log")
        ax.set_yscale("log")
    if not xa.size:
        ax.text(0.5, 0.5, f"no 1D {fam} threshold", ha="center", transform=ax.transAxes)
    ax.set_xlabel(style.axis_label(r"$\ln^2\chi$" if eq == 14 else r"$\chi$", "") + ", Eq. (16)")
    ax.set_ylabel(style.axis_label(r"$\epsilon_{th}/\epsilon_0$", "") + r", $\epsilon_0 = 1/8md^2$")
    ax.set_title(f"1D {fam}: Eq. ({eq})", fontsize=9)
    return notes


def _threshold_2d(ax, ds: xr.Dataset) -> list[str]:
    """Panel (c): eps_th - eps_F against ln(Delta_c/T) with Eq. (28)."""
    notes: list[str] = []
    e_f = _fermi(ds)
    k, left_out = 0, []
    for fam, d in model_list(ds, 2):
        sub = _sub(ds, 2, fam, d)
        lnr = np.log(float(sub["Delta_c"]) / ds["T"].values)
        y = np.asarray(sub["eps_th"].values, dtype=float) - e_f
        ok = _finite(y) & (lnr > 0)
        flag = _flagged(sub)
        if not (ok & ~flag).any():
            left_out.append(_model_label(fam, d))
            continue
        col, mk = style.color(k), style.marker(k)
        se = _err(sub, "eps_th")
        _errorbar(ax, lnr, y, se, ok, flag, col, mk, _model_label(fam, d))
        y28 = np.asarray(sub["eps_th_eq28"].values, dtype=float) - e_f
        o = _finite(y28) & (lnr > 0)
        ax.plot(lnr[o], y28[o], "-", color=col, lw=0.9)
        r = np.asarray(sub["ratio_eq28"].values, dtype=float) if "ratio_eq28" in sub else y / y28
        notes.append(
            f"2D {_model_label(fam, d)}: (eps_th - eps_F)/Eq.(28) = {_ratio_text(r[ok & ~flag])}"
        )
        k += 1
    if k:
        ax.plot([], [], "-", color="0.3", lw=0.9, label="Eq. (28) (line, same colour)")
    else:
        ax.text(0.5, 0.5, "no 2D point with T << Delta_c", ha="center", transform=ax.transAxes)
    if left_out:
        notes.append(
            "2D models left out (every point flagged high_T or strong disorder): "
            + "; ".join(left_out)
        )
    ax.set_xlabel(style.axis_label(r"$\ln(\Delta_c/T)$", ""))
    ax.set_ylabel(style.axis_label(r"$\epsilon_{th} - \epsilon_F$", "energy"))
    ax.set_title("2D: Eq. (28)", fontsize=9)
    return notes


def plot_threshold(ds: xr.Dataset) -> plt.Figure:
    """eps_th(T) against the asymptotes in the variables where they are straight lines.

    (a) Lorentzian 1D: eps_th/eps0 vs ln^2 chi (Eq. 14: slope 1); (b)
    exponential 1D: eps_th/eps0 vs chi (Eq. 15, log-log; the Born
    composition is 3/4 of it); (c) 2D: eps_th - eps_F vs ln(Delta_c/T) with
    Eq. (28) (line of the same colour).  Error bars: ``eps_th_stderr`` where
    the dataset has it; hollow faint points: flagged (outside the regime).
    """
    dims = [int(v) for v in ds["dim"].values]
    fams = _families(ds)
    pairs = (("lorentzian", 14), ("exponential", 15))
    panels = [(f, q) for f, q in pairs if f in fams and 1 in dims]
    n = len(panels) + (2 in dims)
    fig, axes = plt.subplots(
        1, max(n, 1), figsize=(4.3 * max(n, 1), 3.9), squeeze=False, constrained_layout=True
    )
    notes: list[str] = []
    for ax, (fam, eq) in zip(axes[0], panels, strict=False):
        notes += _threshold_1d(ax, ds, fam, eq)
    if 2 in dims:
        notes += _threshold_2d(axes[0, len(panels)], ds)
    if n == 0:
        axes[0, 0].text(
            0.5, 0.5, "no model with an asymptote", ha="center", transform=axes[0, 0].transAxes
        )
    style.tidy(fig)
    for ax in axes[0]:
        style.place_legend(ax, outside="below")
    style.settle_legends(fig)
    return style.set_caption(fig, "\n".join(f"- {s}" for s in notes))


# ---------------------------------------------------------------------------
# Conductivity (the paper's Fig. 2) and T_c(xi_max)
# ---------------------------------------------------------------------------


def _band(ax, x, y, se, col, alpha=0.2):
    if se is None:
        return
    s = np.where(np.isfinite(se), se, 0.0)
    ok = _finite(y) & (y - s > 0)
    if ok.sum() >= 2:
        ax.fill_between(x[ok], (y - s)[ok], (y + s)[ok], color=col, alpha=alpha, lw=0)


def _bounded_lw(i: int) -> float:
    return 1.3 + 1.7 * i


def _sigma_panel(ax, ds: xr.Dataset, dim: int, fam: str, d: float) -> dict:
    """-ln sigma vs 1/T for one model: continuum, bounded xi per xi_max, T_c lines."""
    sub = _sub(ds, dim, fam, d)
    t = ds["T"].values
    x = 1.0 / t
    flag = _flagged(sub)
    y = -np.asarray(sub["ln_sigma"].values, dtype=float)
    ok = _finite(y) & (y > 0)
    _band(ax, x, y, _err(sub, "ln_sigma"), "0.2")
    ax.plot(x[ok & ~flag], y[ok & ~flag], "-o", color="k", ms=3.5, lw=0.9, zorder=20)
    ax.plot(x[ok & flag], y[ok & flag], "o", color="k", ms=3.5, zorder=20, **_FLAG_KW)
    out = {"label": _model_label(fam, d, dim), "tc": [], "coincide": []}
    good = ok & ~flag
    if good.sum() >= 2:
        sl = np.polyfit(np.log(x[good]), np.log(y[good]), 1)[0]
        out["slope"] = float(sl)
        x0 = x[good][0]
        xx = np.array([x[good].min(), x[good].max()])
        ax.plot(xx, y[good][0] * xx / x0, ":", color="k", lw=1)
    xlim = [x[ok].min(), x[ok].max()] if ok.any() else [x.min(), x.max()]
    if "ln_sigma_bounded" in ds and "xi_max" in ds.dims:
        tc_se_all = _err(sub, "T_c")
        for i, xm in enumerate(ds["xi_max"].values):
            # nested stripes: above T_c the bounded curves coincide with the continuum,
            # so the larger xi_max (longer curve) is drawn wider and underneath
            col, lw = style.color(i + 1), _bounded_lw(i)
            yb = -np.asarray(sub["ln_sigma_bounded"].sel(xi_max=xm).values, dtype=float)
            okb = _finite(yb) & (yb > 0)
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


def _tc_panel(ax, ds: xr.Dataset, dim: int) -> list[str]:
    """T_c/Delta_c against xi_max/xi_c (colour: family, marker: d), with errors."""
    notes = []
    fams = _families(ds)
    xm = ds["xi_max"].values
    dpos = _d_positive(ds)
    for fam, d in model_list(ds, dim):
        if d == 0:
            continue
        sub = _sub(ds, dim, fam, d)
        dc, xc = float(sub["Delta_c"]), float(sub["xi_c"])
        tc = np.asarray(sub["T_c"].values, dtype=float)
        ok = _finite(tc) & (tc > 0)
        if not ok.any():
            continue
        col, mk = style.color(fams.index(fam)), style.marker(dpos.index(d))
        se = _err(sub, "T_c")
        flag = tc >= dc / np.e
        if "T_c_regime" in sub:
            flag |= np.asarray(sub["T_c_regime"].values) != 0
        _errorbar(
            ax,
            xm / xc,
            tc / dc,
            None if se is None else se / dc,
            ok,
            flag,
            col,
            mk,
            _model_label(fam, d),
        )
        ax.plot((xm / xc)[ok], (tc / dc)[ok], "-", color=col, lw=0.7, alpha=0.6)
        if (ok & ~flag).sum() >= 2:
            p = np.polyfit(np.log(xm[ok & ~flag]), np.log(tc[ok & ~flag]), 1)[0]
            notes.append(f"{dim}D {_model_label(fam, d)}: T_c ~ xi_max^({p:.2f}) in the regime")
    ax.axhline(1 / np.e, color="0.3", ls="--", lw=0.9)
    if ax.get_lines():
        ax.set_xscale("log")
        ax.set_yscale("log")
    ax.set_xlabel(style.axis_label(r"$\xi_{max}/\xi_c$", ""))
    ax.set_ylabel(style.axis_label(r"$T_c/\Delta_c$", ""))
    ax.set_title(rf"{dim}D: $T_c(\xi_{{max}})$, bounded $\xi$", fontsize=8.5)
    return notes


def plot_conductivity(ds: xr.Dataset) -> plt.Figure:
    """-ln sigma vs 1/T (Eqs. 18, 29; the paper's Fig. 2), one panel per model, and T_c(xi_max).

    Each small panel: the continuum (unbounded xi; thick dark line, band:
    ``ln_sigma_stderr``), an Arrhenius line of slope 1 (dotted black) through
    its first point, and the bounded-xi model for each xi_max (dashed, one
    colour each), with 1/T_c(xi_max) as a dotted vertical line of the same
    colour (band: ``T_c_stderr``); below T_c the bounded sigma vanishes.
    Last panels: T_c/Delta_c against xi_max/xi_c per dimension.  Models
    without any in-regime point are left out (named in the caption).
    """
    dims = [int(v) for v in ds["dim"].values]
    models, left = [], []
    for dim in dims:
        for fam, d in model_list(ds, dim):
            sub = _sub(ds, dim, fam, d)
            y = -np.asarray(sub["ln_sigma"].values, dtype=float)
            good = _finite(y) & (y > 0) & ~_flagged(sub)
            (models if good.any() else left).append((dim, fam, d))
    has_b = "ln_sigma_bounded" in ds and "xi_max" in ds.dims and ds["xi_max"].size > 0
    tc_dims = [dm for dm in dims if has_b]
    n = len(models) + len(tc_dims)
    ncol = min(4 if n <= 8 else 5, max(n, 1))
    nrow = int(np.ceil(max(n, 1) / ncol))
    fig, axes = plt.subplots(
        nrow, ncol, figsize=(3.2 * ncol, 2.75 * nrow + 1.0), squeeze=False, constrained_layout=True
    )
    flat = list(axes.ravel())
    info = [_sigma_panel(flat[k], ds, *m) for k, m in enumerate(models)]
    for k in range(len(models)):
        ax = flat[k]
        ax.set_xlabel(style.axis_label("1/T", "1/energy"))
        ax.set_ylabel(r"$-\ln\sigma = (\epsilon_{th}-\epsilon_F)/T$")
    notes = []
    for j, dim in enumerate(tc_dims):
        ax = flat[len(models) + j]
        notes += _tc_panel(ax, ds, dim)
    for ax in flat[n:]:
        ax.set_visible(False)
    if not models and not tc_dims:
        flat[0].set_visible(True)
        flat[0].text(
            0.5,
            0.5,
            "no point inside the regime of the formulas",
            ha="center",
            transform=flat[0].transAxes,
        )
    handles = [
        Line2D([], [], color="0.15", marker="o", lw=2.2, ms=5),
        Line2D([], [], color="k", ls=":", lw=1),
        Line2D([], [], color="0.15", marker="o", ls="none", ms=5, **_FLAG_KW),
    ]
    labels = [r"continuum $\xi$ (band: s.e.)", "Arrhenius, slope 1", "flagged (outside regime)"]
    if has_b:
        for i, xm in enumerate(ds["xi_max"].values):
            handles.append(Line2D([], [], color=style.color(i + 1), lw=_bounded_lw(i)))
            labels.append(
                rf"bounded $\xi_{{max}} = 10^{{{np.log10(xm):.3g}}}$; dotted: $1/T_c$ ($\sigma = 0$"
                " beyond)"
            )
        fams, dpos = _families(ds), _d_positive(ds)
        for k, fam in enumerate(fams):
            handles.append(Patch(color=style.color(k)))
            labels.append(f"T_c panels: {fam}")
        for k, d in enumerate(dpos):
            handles.append(Line2D([], [], color="0.3", marker=style.marker(k), ls="none"))
            labels.append(f"T_c panels: d = {d:g}")
        handles.append(Line2D([], [], color="0.3", ls="--", lw=0.9))
        labels.append(r"$T_c = \Delta_c/e$ (regime limit)")
    style.figure_legend(fig, handles, labels, ncol=4)
    style.tidy(fig)
    return style.set_caption(fig, _sigma_caption(info, left, notes))


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
        lines.append(f"- {r['label']}: {s}{co}" + (f"; {tcs}{off}" if tcs else ""))
    lines += [f"- {s}" for s in notes]
    if left:
        lines.append(
            "- left out (no point in the regime of the formulas): "
            + "; ".join(_model_label(f, d, dm) for dm, f, d in left)
        )
    return "\n".join(lines)


# ---------------------------------------------------------------------------
# Fig. 1 from data
# ---------------------------------------------------------------------------


def _fig1_choice(ds: xr.Dataset) -> tuple[str, float, int]:
    fam = "lorentzian" if "lorentzian" in _families(ds) else _families(ds)[0]
    dmax = max(_d_positive(ds) or [0.0])
    sub = _sub(ds, 1, fam, dmax)
    th = np.asarray(sub["eps_th"].values, dtype=float)
    good = np.nonzero(_finite(th) & ~_flagged(sub))[0]
    anyf = np.nonzero(_finite(th))[0]
    idx = good if good.size else anyf
    i_t = int(idx[len(idx) // 2]) if idx.size else int(ds["T"].size // 2)
    return fam, dmax, i_t


def _fig1_cold_panel(ax: plt.Axes, temp: float, delta_c: float) -> None:
    """Fig. 1 (a): f(eps) around eps_F, the cold window |eps - eps_F| < T shaded."""
    de = np.linspace(-4 * temp, 4 * temp, 400)
    ax.plot(de, 1 / (np.exp(de / temp) + 1), "k-", lw=1.4, label=r"$f(\epsilon)$")
    ax.axvspan(
        -temp, temp, color=style.color(2), alpha=0.3, label=r"cold: $|\epsilon-\epsilon_F| < T$"
    )
    ax.set_xlabel(style.axis_label(r"$\epsilon - \epsilon_F$", "energy"))
    ax.set_ylabel(style.axis_label(r"$f(\epsilon)$", ""))
    ax.set_ylim(-0.03, 1.12)
    ax.set_title(f"(a) T = {temp:.3g}, T/Delta_c = {temp / delta_c:.2g}", fontsize=9)


def _fig1_windows(ax, e_f, temp, eth, eth_se, bottom, top) -> None:
    """Fig. 1 (b, c): the cold window and the hot window eps > eps_th (band: its s.e.)."""
    ax.axvspan(
        max(e_f - temp, bottom), e_f + temp, color=style.color(2), alpha=0.35, label="cold window"
    )
    if not np.isfinite(eth):
        return
    ax.axvspan(
        eth,
        top,
        color=style.color(1),
        alpha=0.15,
        label=rf"hot: $\epsilon > \epsilon_{{th}}$ = {eth:.3g}",
    )
    if eth_se is not None and np.isfinite(eth_se) and eth_se > 0:
        ax.axvspan(max(eth - eth_se, bottom), eth + eth_se, color=style.color(1), alpha=0.35, lw=0)


def plot_fig1(ds: xr.Dataset, loc: xr.Dataset) -> plt.Figure:
    """Data-driven version of the paper's Fig. 1 at one temperature (1D, one model).

    (a) The cold window: f(eps) around eps_F on a linear scale, shaded
    abs(eps - eps_F) < T.  (b) xi(eps): transfer-matrix points with standard
    errors and the xi used by the hot-cold stage (solid: measured,
    dashed: Born), y-axis limited to the measured range; the hot window
    eps > eps_th(T) shaded (band: eps_th_stderr).  (c) log10 f(eps) over
    the same energies: the hot electrons' occupation f(eps_th) = exp(ln sigma)
    (it underflows any log axis).
    """
    fam, d, i_t = _fig1_choice(ds)
    e_f = _fermi(ds)
    sub = _sub(ds, 1, fam, d)
    temp = float(ds["T"].values[i_t])
    eth = float(sub["eps_th"].values[i_t])
    se_all = _err(sub, "eps_th")
    eth_se = None if se_all is None else float(se_all[i_t])
    fig = plt.figure(figsize=(9.0, 5.4), constrained_layout=True)
    gs = fig.add_gridspec(2, 2, width_ratios=[1, 2.2])
    ax_a = fig.add_subplot(gs[:, 0])
    ax_b = fig.add_subplot(gs[0, 1])
    ax_c = fig.add_subplot(gs[1, 1], sharex=ax_b)
    _fig1_cold_panel(ax_a, temp, float(sub["Delta_c"]))
    # (b) xi(eps)
    e = ds["energy"].values
    meas_e = np.array([])
    have = fam in _families(loc) and d in [float(v) for v in loc["d"].values]
    if have:
        lrow = loc.sel(family=fam, d=d)
        meas = np.asarray(lrow["xi_source"].values) == 0
        meas_e = lrow["energy"].values[meas]
        xi_m = lrow["xi"].values[meas]
        ax_b.errorbar(
            meas_e,
            xi_m,
            yerr=lrow["xi_stderr"].values[meas],
            fmt="o",
            color=style.color(0),
            ms=4,
            capsize=2,
            label="transfer matrices (s.e.)",
        )
    top = max(1.6 * eth if np.isfinite(eth) else 30 * e_f, 2 * meas_e.max() if meas_e.size else 0)
    bottom = 0.5 * min(meas_e.min() if meas_e.size else e_f, e_f)
    lx = np.asarray(sub["ln_xi_h"].values, dtype=float)
    src = np.asarray(sub["xi_source"].values)
    inr = (e <= top) & _finite(lx)
    for sel, ls, lab in (
        (src == 0, "-", r"$\xi$ used: measured (interpolated)"),
        (src != 0, "--", r"$\xi$ used: Born"),
    ):
        m = inr & sel
        if m.any():
            ax_b.plot(e[m], np.exp(lx[m]), ls, color=style.color(0), lw=1.2, label=lab)
    ax_b.set_xscale("log")
    ax_b.set_yscale("log")
    ylo, yhi = _fig1_ylim(xi_m if have else None, e, lx, inr, eth)
    ax_b.set_ylim(ylo, yhi)
    ax_b.set_ylabel(style.axis_label(r"$\xi(\epsilon)$", "length"))
    ax_b.set_title(f"(b) {_model_label(fam, d, 1)}: localization length", fontsize=9)
    # (c) log10 f(eps): f(eps_th) = exp(ln sigma) underflows any log axis
    eg = np.geomspace(max(bottom, 1e-6), top, 1500)
    lf = -np.logaddexp(0.0, (eg - e_f) / temp) / np.log(10.0)
    ax_c.plot(eg, lf, "k-", lw=1.2, label=r"$\log_{10} f(\epsilon)$")
    ax_c.set_xlabel(style.axis_label(r"energy $\epsilon$", "energy"))
    ax_c.set_ylabel(style.axis_label(r"$\log_{10} f(\epsilon)$", ""))
    ax_c.set_title("(c) occupation of the hot states", fontsize=9)
    for ax in (ax_b, ax_c):
        _fig1_windows(ax, e_f, temp, eth, eth_se, bottom, top)
    ax_b.set_xlim(bottom, top)
    ax_b.tick_params(labelbottom=False)  # shares the energy axis of (c), labelled there
    style.tidy(fig)
    for ax in (ax_a, ax_b, ax_c):
        style.place_legend(ax, fontsize=7)
    style.settle_legends(fig)
    return style.set_caption(fig, _fig1_caption(ds, sub, i_t, meas_e, temp, eth, eth_se))


def _fig1_ylim(xi_m, e, lx, inr, eth: float) -> tuple[float, float]:
    """xi axis: the measured range, up to xi(eps_th) but at most 4 decades above it.

    (The Born xi at the top of the energy grid reaches 1e24 and would squeeze
    the measured points into the bottom of the axis.)
    """
    if xi_m is not None and len(xi_m):
        lo, hi = float(np.nanmin(xi_m)), float(np.nanmax(xi_m))
    else:
        v = np.exp(lx[inr])
        lo, hi = float(np.nanmin(v)), float(np.nanmax(v))
    top = hi * 30
    if np.isfinite(eth):
        top = max(top, min(3 * float(np.exp(np.interp(np.log(eth), np.log(e), lx))), hi * 1e4))
    return lo / 3, top


def _fig1_caption(ds, sub, i_t, meas_e, temp, eth, eth_se) -> str:
    e_f = _fermi(ds)
    lx = np.asarray(sub["ln_xi_h"].values, dtype=float)
    e = ds["energy"].values
    parts = [
        f"- Model: {_model_label(str(sub['family'].values), float(sub['d']), 1)}, "
        f"T = {temp:.3g} (T/Delta_c = {temp / float(sub['Delta_c']):.2g}), "
        f"xi_c = {float(sub['xi_c']):.4g}."
    ]
    if meas_e.size:
        parts.append(
            f"- Transfer-matrix xi measured for {meas_e.min():.3g} <= eps <= "
            f"{meas_e.max():.3g}; above, the hot-cold stage uses the Born xi."
        )
    if np.isfinite(eth):
        lxt = float(np.interp(np.log(eth), np.log(e), lx))
        off = "" if not meas_e.size or eth <= meas_e.max() else " (Born, above the measured range)"
        parts.append(
            f"- eps_th = {style.fmt_pm(eth, eth_se)}: xi(eps_th) = {np.exp(lxt):.3g}{off}; "
            f"occupation f(eps_th) = exp(-(eps_th - eps_F)/T) = "
            f"exp({-(eth - e_f) / temp:.3g})."
        )
    else:
        parts.append("- no threshold at this temperature")
    return "\n".join(parts)
