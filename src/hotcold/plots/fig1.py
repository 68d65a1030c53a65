"""Figure: the paper's Fig. 1 from data, hot and cold electrons at one temperature.
(docs/physics.md §1.5).

Reads ``results/hotcold.nc`` and ``results/localization.nc``.  Returns a
:class:`matplotlib.figure.Figure` with a data-driven caption attached
(:func:`hotcold.plots.style.set_caption`).
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import xarray as xr  # noqa: E402

from . import common, style  # noqa: E402
from .common import (  # noqa: E402
    d_positive,
    families,
    fermi_energy,
    finite,
    flagged,
    model_label,
    model_sub,
    stderr_values,
)

__all__ = ["plot_fig1"]


def _fig1_choice(ds: xr.Dataset) -> tuple[str, float, int]:
    fam = "lorentzian" if "lorentzian" in families(ds) else families(ds)[0]
    dmax = max(d_positive(ds) or [0.0])
    sub = model_sub(ds, 1, fam, dmax)
    th = np.asarray(sub["eps_th"].values, dtype=float)
    good = np.nonzero(finite(th) & ~flagged(sub))[0]
    anyf = np.nonzero(finite(th))[0]
    idx = good if good.size else anyf
    i_t = int(idx[len(idx) // 2]) if idx.size else int(sub["T"].size // 2)
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


def _fig1_measured(ax: plt.Axes, loc: xr.Dataset, fam: str, d: float) -> tuple:
    """Transfer-matrix xi points with standard errors; (their energies, their xi or None)."""
    if not (fam in families(loc) and d in [float(v) for v in loc["d"].values]):
        return np.array([]), None
    lrow = loc.sel(family=fam, d=d)
    meas = np.asarray(lrow["xi_source"].values) == 0
    meas_e = lrow["energy"].values[meas]
    xi_m = lrow["xi"].values[meas]
    ax.errorbar(
        meas_e,
        xi_m,
        yerr=lrow["xi_stderr"].values[meas],
        fmt="o",
        color=style.color(0),
        ms=4,
        capsize=2,
        label="transfer matrices (s.e.)",
    )
    return meas_e, xi_m


def _fig1_xi_panel(ax: plt.Axes, ds: xr.Dataset, loc: xr.Dataset, sub: xr.Dataset, eth: float):
    """Fig. 1 (b): measured xi and the xi the hot-cold stage uses; (measured eps, bottom, top)."""
    fam, d, e_f = str(sub["family"].values), float(sub["d"]), fermi_energy(ds)
    e = ds["energy"].values
    meas_e, xi_m = _fig1_measured(ax, loc, fam, d)
    top = max(1.6 * eth if np.isfinite(eth) else 30 * e_f, 2 * meas_e.max() if meas_e.size else 0)
    bottom = 0.5 * min(meas_e.min() if meas_e.size else e_f, e_f)
    lx = np.asarray(sub["ln_xi_h"].values, dtype=float)
    src = np.asarray(sub["xi_source"].values)
    inr = (e <= top) & finite(lx)
    for sel, ls, lab in (
        (src == 0, "-", r"$\xi$ used: measured (interpolated)"),
        (src != 0, "--", r"$\xi$ used: Born"),
    ):
        m = inr & sel
        if m.any():
            ax.plot(e[m], np.exp(lx[m]), ls, color=style.color(0), lw=1.2, label=lab)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ylo, yhi = _fig1_ylim(xi_m, e, lx, inr, eth)
    ax.set_ylim(ylo, yhi)
    ax.set_ylabel(style.axis_label(r"$\xi(\epsilon)$", "length"))
    ax.set_title(f"(b) {model_label(fam, d, 1)}: localization length", fontsize=9)
    return meas_e, bottom, top


def _fig1_occupation_panel(ax: plt.Axes, e_f: float, temp: float, bottom: float, top: float):
    """Fig. 1 (c): log10 f(eps); f(eps_th) = exp(ln sigma) underflows any log axis."""
    eg = np.geomspace(max(bottom, 1e-6), top, 1500)
    lf = -np.logaddexp(0.0, (eg - e_f) / temp) / np.log(10.0)
    ax.plot(eg, lf, "k-", lw=1.2, label=r"$\log_{10} f(\epsilon)$")
    ax.set_xlabel(style.axis_label(r"energy $\epsilon$", "energy"))
    ax.set_ylabel(style.axis_label(r"$\log_{10} f(\epsilon)$", ""))
    ax.set_title("(c) occupation of the hot states", fontsize=9)


def plot_fig1(ds: xr.Dataset, loc: xr.Dataset) -> plt.Figure:
    """Data-driven version of the paper's Fig. 1 at one temperature (1D, one model).

    (a) The cold window: f(eps) around eps_F on a linear scale, shaded
    abs(eps - eps_F) < T.  (b) xi(eps): transfer-matrix points with standard
    errors and the xi used by the hot-cold stage (solid: measured,
    dashed: Born), y-axis limited to the measured range; the hot window
    eps > eps_th(T) shaded (band: eps_th_stderr).  (c) log10 f(eps) over
    the same energies: the hot electrons' occupation f(eps_th) = exp(ln sigma)
    (it underflows any log axis).

    Parameters
    ----------
    ds : xarray.Dataset
        ``results/hotcold.nc`` (its scalar ``eps_F``).
    loc : xarray.Dataset
        ``results/localization.nc`` (``xi``, ``xi_stderr``, ``xi_source``).

    Returns
    -------
    Figure
        With its data-driven caption (:func:`hotcold.plots.style.get_caption`).
    """
    fam, d, i_t = _fig1_choice(ds)
    e_f = fermi_energy(ds)
    sub = model_sub(ds, 1, fam, d)
    temp = float(sub["T"].values[i_t])
    eth = float(sub["eps_th"].values[i_t])
    se_all = stderr_values(sub, "eps_th")
    eth_se = None if se_all is None else float(se_all[i_t])
    fig = plt.figure(figsize=(9.0, 5.4), constrained_layout=True)
    gs = fig.add_gridspec(2, 2, width_ratios=[1, 2.2])
    ax_a = fig.add_subplot(gs[:, 0])
    ax_b = fig.add_subplot(gs[0, 1])
    ax_c = fig.add_subplot(gs[1, 1], sharex=ax_b)
    _fig1_cold_panel(ax_a, temp, float(sub["Delta_c"]))
    meas_e, bottom, top = _fig1_xi_panel(ax_b, ds, loc, sub, eth)
    _fig1_occupation_panel(ax_c, e_f, temp, bottom, top)
    for ax in (ax_b, ax_c):
        _fig1_windows(ax, e_f, temp, eth, eth_se, bottom, top)
    ax_b.set_xlim(bottom, top)
    ax_b.tick_params(labelbottom=False)  # shares the energy axis of (c), labelled there
    style.tidy(fig)
    for ax in (ax_a, ax_b, ax_c):
        style.place_legend(ax, fontsize=7)
    style.settle_legends(fig)
    cap = _fig1_caption(ds, sub, i_t, meas_e, temp, eth, eth_se)
    return style.set_caption(fig, common.with_verdict(_fig1_verdict(ds, loc, sub, i_t), cap))


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
    e_f = fermi_energy(ds)
    lx = np.asarray(sub["ln_xi_h"].values, dtype=float)
    e = ds["energy"].values
    parts = [
        f"- Model: {model_label(str(sub['family'].values), float(sub['d']), 1)}, "
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


def _fig1_anchor(loc: xr.Dataset, fam: str, d: float) -> tuple[float, ...]:
    """At the model's highest measured energy: (eps, xi, s.e., xi_Born, largest measured xi)."""
    nan = (np.nan,) * 5
    if not (fam in families(loc) and d in [float(v) for v in loc["d"].values]):
        return nan
    row = loc.sel(family=fam, d=d)
    meas = np.nonzero(np.asarray(row["xi_source"].values) == 0)[0]
    if not meas.size:
        return nan
    i = meas[-1]
    keys = ("energy", "xi", "xi_stderr", "xi_born")
    vals = (float(row[k].values[i]) if k in row.variables else np.nan for k in keys)
    return (*vals, float(np.nanmax(row["xi"].values[meas])))


def _fig1_verdict(ds: xr.Dataset, loc: xr.Dataset, sub: xr.Dataset, i_t: int) -> list[str]:
    """Verdict of ``fig1``: is xi(eps_th) measured or the Born extrapolation; the flags at T."""
    fam, d = str(sub["family"].values), float(sub["d"])
    e_top, xi_top, se_top, xb_top, xi_max = _fig1_anchor(loc, fam, d)
    eth = float(sub["eps_th"].values[i_t])
    e = np.asarray(ds["energy"].values, dtype=float)
    out = []
    if np.isfinite(e_top) and np.isfinite(xb_top):
        out.append(
            f"Where xi was last measured (eps = {e_top:.3g}), it "
            + common.verdict(xi_top, se_top, xb_top, None, "the Born xi")
        )
    if np.isfinite(eth) and np.isfinite(e_top) and eth > e_top:
        xi_th = float(np.exp(np.interp(np.log(eth), np.log(e), sub["ln_xi_h"].values)))
        out.append(
            f"xi(eps_th) = {xi_th:.3g} is a Born extrapolation, not a measurement: eps_th = "
            f"{eth:.3g} is {eth / e_top:.3g}x the highest measured energy and xi(eps_th) is "
            f"{xi_th / xi_max:.3g}x the largest measured xi ({xi_max:.2g})"
        )
    elif np.isfinite(eth):
        out.append(f"eps_th = {eth:.3g} lies within the measured xi: no extrapolation")
    st = sub["eps_th_status"]
    names = str(st.attrs.get("flag_meanings", "")).split()
    k = int(st.values[i_t])
    reg = int(sub["regime"].values[i_t]) if "regime" in sub else 0
    src = sub["n_T_source"]
    n_t = [
        m for m in str(src.attrs.get("flag_meanings", "")).split() if style.flag_mask(src, m)[i_t]
    ]
    out.append(
        f"At this T, eps_th_status = {names[k] if 0 <= k < len(names) else k}, "
        f"{'in the regime (regime = 0)' if reg == 0 else f'flagged (regime = {reg})'}, "
        f"n_T {n_t[0] if n_t else 'of unknown source'}; the figure draws the paper's picture "
        "and compares no formula beyond xi against Born"
    )
    return out
