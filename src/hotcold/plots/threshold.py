"""Figure: eps_th(T) against the asymptotes Eqs. (14), (15), (28) (docs/physics.md §1.5).

Reads ``results/hotcold.nc``; each asymptote is drawn in the variables where
it is a straight line.  Returns a :class:`matplotlib.figure.Figure` with a
data-driven caption attached (:func:`hotcold.plots.style.set_caption`).
Flagged points are drawn hollow and faint, never as results; standard errors
(``eps_th_stderr``) are drawn wherever the dataset carries them.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import xarray as xr  # noqa: E402

from . import common, style  # noqa: E402
from .common import (  # noqa: E402
    FLAG_KW,
    d_positive,
    errorbar,
    families,
    fermi_energy,
    finite,
    flagged,
    measured_top,
    model_label,
    model_list,
    model_sub,
    ratio_text,
    regime_note,
    stderr_values,
)

__all__ = ["plot_threshold"]


def _threshold_1d_model(ax: plt.Axes, sub: xr.Dataset, label: str, i: int, eq: int) -> dict:
    """Points of one 1D model in panel (a)/(b); its x, Born composition and caption notes."""
    chi = np.asarray(sub["chi"].values, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        x = np.log(chi) ** 2 if eq == 14 else chi
    e0 = float(sub["eps0"])
    y = np.asarray(sub["eps_th"].values, dtype=float) / e0
    se = stderr_values(sub, "eps_th")
    ok = finite(x) & finite(y) & (chi > 1)
    flag = flagged(sub)
    d = float(sub["d"])
    errorbar(
        ax,
        x,
        y,
        None if se is None else se / e0,
        ok,
        flag,
        *style.style_of(sub),
        f"numerics, d = {d:g}",
    )
    yc = np.asarray(sub["eps_th_comp_born"].values, dtype=float) / e0
    okc = finite(x) & finite(yc) & (chi > 1)
    rname = f"ratio_eq{eq}"
    r = np.asarray(sub[rname].values, dtype=float) if rname in sub else y / x
    notes = [
        regime_note(label, sub["T"].values, ok, flag),
        f"{label}: eps_th/Eq.({eq}) = {ratio_text(r[ok & ~flag])}",
    ]
    if "ratio_comp_born" in sub:
        rc = np.asarray(sub["ratio_comp_born"].values, dtype=float)
        notes.append(f"{label}: eps_th/Born composition = {ratio_text(rc[ok & ~flag])}")
    return {
        "x": x[ok],
        "comp": (x[okc], yc[okc]),
        "flag": bool((ok & flag).any()),
        "notes": notes,
    }


def _threshold_1d_lines(ax: plt.Axes, comp: list[tuple], xa: np.ndarray, eq: int) -> None:
    """The Born composition (one curve for every d) and the asymptote Eq. (14)/(15)."""
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


def _threshold_1d(ax: plt.Axes, ds: xr.Dataset, fam: str, eq: int) -> list[str]:
    """Panel (a)/(b): eps_th/eps0 against ln^2 chi (Eq. 14) or chi (Eq. 15)."""
    res = [
        _threshold_1d_model(ax, model_sub(ds, 1, fam, d), f"1D {fam}, d = {d:g}", i, eq)
        for i, d in enumerate(d_positive(ds))
    ]
    notes = [n for r in res for n in r["notes"]]
    xa = np.concatenate([r["x"] for r in res]) if res else np.array([])
    _threshold_1d_lines(ax, [r["comp"] for r in res], xa, eq)
    if any(r["flag"] for r in res):
        ax.plot([], [], "o", color="0.3", label="flagged (outside regime)", **FLAG_KW)
    if eq == 15 and xa.size:
        ax.set_xscale("log")
        ax.set_yscale("log")
    if not xa.size:
        ax.text(0.5, 0.5, f"no 1D {fam} threshold", ha="center", transform=ax.transAxes)
    ax.set_xlabel(style.axis_label(r"$\ln^2\chi$" if eq == 14 else r"$\chi$", "") + ", Eq. (16)")
    ax.set_ylabel(style.axis_label(r"$\epsilon_{th}/\epsilon_0$", "") + r", $\epsilon_0 = 1/8md^2$")
    ax.set_title(f"1D {fam}: Eq. ({eq})", fontsize=9)
    return notes


def _threshold_2d_model(ax: plt.Axes, sub: xr.Dataset, lnr: np.ndarray, fam: str, d: float):
    """One 2D model's points and its Eq. (28) line (same colour); its ratios to Eq. (28)."""
    e_f = float(sub["eps_F"])
    y = np.asarray(sub["eps_th"].values, dtype=float) - e_f
    ok = finite(y) & (lnr > 0)
    flag = flagged(sub)
    col, mk = style.model_style(fam, d)
    errorbar(ax, lnr, y, stderr_values(sub, "eps_th"), ok, flag, col, mk, model_label(fam, d))
    y28 = np.asarray(sub["eps_th_eq28"].values, dtype=float) - e_f
    o = finite(y28) & (lnr > 0)
    ax.plot(lnr[o], y28[o], "-", color=col, lw=0.9)
    r = np.asarray(sub["ratio_eq28"].values, dtype=float) if "ratio_eq28" in sub else y / y28
    return r[ok & ~flag]


def _threshold_2d(panels: dict[str, plt.Axes], ds: xr.Dataset) -> list[str]:
    """Panel (c): eps_th - eps_F against ln(Delta_c/T) with Eq. (28).

    One axes (``panels[""]``), or beyond :data:`~hotcold.plots.style.MAX_SHARED_MODELS`
    models one per family (:func:`hotcold.plots.style.family_panels`).
    """
    notes: list[str] = []
    e_f = fermi_energy(ds)
    k, left_out = 0, []
    for fam, d in model_list(ds, 2):
        sub = model_sub(ds, 2, fam, d)
        lnr = np.log(float(sub["Delta_c"]) / sub["T"].values)
        y = np.asarray(sub["eps_th"].values, dtype=float) - e_f
        if not (finite(y) & (lnr > 0) & ~flagged(sub)).any():
            left_out.append(model_label(fam, d))
            continue
        for ax in style.panels_of(panels, fam, d):
            r = _threshold_2d_model(ax, sub, lnr, fam, d)
        notes.append(f"2D {model_label(fam, d)}: (eps_th - eps_F)/Eq.(28) = {ratio_text(r)}")
        k += 1
    for name, ax in panels.items():
        if k:
            ax.plot([], [], "-", color="0.3", lw=0.9, label="Eq. (28) (line, same colour)")
        else:
            ax.text(0.5, 0.5, "no 2D point with T << Delta_c", ha="center", transform=ax.transAxes)
        ax.set_xlabel(style.axis_label(r"$\ln(\Delta_c/T)$", ""))
        ax.set_ylabel(style.axis_label(r"$\epsilon_{th} - \epsilon_F$", "energy"))
        ax.set_title(
            f"2D {name} (lighter: larger d): Eq. (28)" if name else "2D: Eq. (28)", fontsize=9
        )
    if left_out:
        notes.append(
            "2D models left out (every point flagged high_T or strong disorder): "
            + "; ".join(left_out)
        )
    return notes


def _threshold_axes(ds: xr.Dataset, n_1d: int) -> tuple[plt.Figure, np.ndarray, dict]:
    """One row: the n_1d 1D panels, then the 2D panel (one per family beyond 8 models)."""
    has_2d = 2 in [int(v) for v in ds["dim"].values]
    groups = style.family_panels(model_list(ds, 2)) if has_2d else {}
    n = max(n_1d + len(groups), 1)
    fig, axes = plt.subplots(1, n, figsize=(4.3 * n, 3.9), squeeze=False, constrained_layout=True)
    panels = dict(zip(groups, axes[0, n_1d:], strict=False))
    for ax in list(panels.values())[1:]:  # small multiples: shared axes and limits
        ax.sharex(axes[0, n_1d])
        ax.sharey(axes[0, n_1d])
    return fig, axes, panels


def plot_threshold(ds: xr.Dataset) -> plt.Figure:
    """eps_th(T) against the asymptotes in the variables where they are straight lines.

    (a) Lorentzian 1D: eps_th/eps0 vs ln^2 chi (Eq. 14: slope 1); (b)
    exponential 1D: eps_th/eps0 vs chi (Eq. 15, log-log; the Born
    composition is 3/4 of it); (c) 2D: eps_th - eps_F vs ln(Delta_c/T) with
    Eq. (28) (line of the same colour).  Error bars: ``eps_th_stderr`` where
    the dataset has it; hollow faint points: flagged (outside the regime).
    """
    dims = [int(v) for v in ds["dim"].values]
    fams = families(ds)
    pairs = (("lorentzian", 14), ("exponential", 15))
    panels = [(f, q) for f, q in pairs if f in fams and 1 in dims]
    fig, axes, panels_2d = _threshold_axes(ds, len(panels))
    n = len(panels) + len(panels_2d)
    notes: list[str] = []
    for ax, (fam, eq) in zip(axes[0], panels, strict=False):
        notes += _threshold_1d(ax, ds, fam, eq)
    if 2 in dims:
        notes += _threshold_2d(panels_2d, ds)
    if n == 0:
        axes[0, 0].text(
            0.5, 0.5, "no model with an asymptote", ha="center", transform=axes[0, 0].transAxes
        )
    style.tidy(fig)
    for ax in axes[0]:
        style.place_legend(ax, outside="below")
    style.settle_legends(fig)
    notes.append(style.multiples_note(panels_2d).replace("More than", "2D: more than"))
    lines = "\n".join(f"- {s}" for s in notes if s)
    return style.set_caption(fig, common.with_verdict(_threshold_verdict(ds, panels), lines))


def _in_regime_1d(ds: xr.Dataset, fam: str, d: float, eq: int) -> tuple[np.ndarray, ...]:
    """eps_th, its s.e. and Eq. (eq) at the in-regime temperatures of one 1D model."""
    sub = model_sub(ds, 1, fam, d)
    eth = np.asarray(sub["eps_th"].values, dtype=float)
    chi = np.asarray(sub["chi"].values, dtype=float)
    good = finite(eth) & (chi > 1) & ~flagged(sub)
    se = stderr_values(sub, "eps_th")
    se = np.full(eth.shape, np.nan) if se is None else se
    ref = np.asarray(sub[f"eps_th_eq{eq}"].values, dtype=float)
    return eth[good], se[good], ref[good], measured_top(sub, ds["energy"].values)


def _family_verdict(ds: xr.Dataset, fam: str, eq: int) -> tuple[str, list]:
    """One 1D family against Eq. (14)/(15): the verdict and its Born-extrapolation rows."""
    rows, vals = [], []
    for d in d_positive(ds):
        eth, se, ref, top = _in_regime_1d(ds, fam, d, eq)
        rows.append((f"{fam}, d = {d:g}:", eth, top))
        vals.append((eth, se, ref))
    eth, se, ref = (np.concatenate([v[k] for v in vals]) for k in range(3))
    text = f"1D {fam} (in-regime points of every d): eps_th " + common.verdict(
        eth, se, ref, None, f"Eq. ({eq})"
    )
    if eth.size >= 2:
        r = eth / ref
        text += (
            f". Eq. ({eq}) drops O(1) constants, so only a constant ratio would confirm it: "
            f"the ratio varies by a factor {r.max() / r.min():.2g} over these points"
        )
    return text, rows


def _threshold_verdict(ds: xr.Dataset, panels: list[tuple[str, int]]) -> list[str]:
    """Verdict of ``threshold``: eps_th against Eqs. (14), (15), (28); extrapolations named."""
    out, rows = [], []
    for fam, eq in panels:
        text, r = _family_verdict(ds, fam, eq)
        out.append(text)
        rows += r
    born = common.born_note([(f"1D {a}", b, c) for a, b, c in rows])
    if born:
        out.append(born)
    dims = [int(v) for v in ds["dim"].values]
    rows2 = []
    for fam, d in model_list(ds, 2) if 2 in dims else []:
        sub = model_sub(ds, 2, fam, d)
        y = np.asarray(sub["eps_th"].values, dtype=float) - fermi_energy(ds)
        y28 = np.asarray(sub["eps_th_eq28"].values, dtype=float) - fermi_energy(ds)
        good = finite(y) & finite(y28) & ~flagged(sub)
        if good.any():
            se = stderr_values(sub, "eps_th")
            v = common.verdict(y[good], None if se is None else se[good], y28[good], None,
                               "Eq. (28)")  # fmt: skip
            out.append(f"2D {model_label(fam, d)}: eps_th - eps_F {v}")
            top = common.measured_top(sub, ds["energy"].values)
            rows2.append((f"2D {model_label(fam, d)}:", y[good] + fermi_energy(ds), top))
    beyond = common.born_note(rows2, dim=2)
    if beyond:
        out.append(beyond)
    out.append(
        "Hollow points are flagged (T not << Delta_c, strong disorder or extrapolated n_T) and "
        "are not judged"
    )
    return out
