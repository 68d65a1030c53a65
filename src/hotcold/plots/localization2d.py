"""Figure ``localization_2d``: xi_2D(eps) from strips, its scaling collapse, Eq. (20), the shift.

Three panels from ``results/localization2d.nc`` (:mod:`hotcold.localization2d`):

1. the one-parameter scaling collapse, Lambda = xi_M/W against W/xi_2D (log-log), with the
   fitted form 1/Lambda = x + sum_j c_j (ln x)^j of each model over its data's x range;
2. ln xi_2D against the density label eps: filled markers ``strip_direct``, hollow
   ``scaling``, up-triangles with an upward arrow the lower bounds of ``unconverged``
   labels (never joined by a line), Eq. (20) as a line per model;
3. the density shift E - eps against eps.

The caption judges, per model, the measured exponent slope d ln(xi/(v tau))/d eps against
pi tau (Eq. 20's exponent) and states the prefactor xi/(v tau e^(pi eps tau)) =
exp(ln xi - ln xi_Eq20), the counts of each ``xi_source`` and the range of the shift.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import xarray as xr  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402

from ..localization2d import COLLAPSE_P_MIN  # noqa: E402
from . import common, style  # noqa: E402

__all__ = ["plot_localization_2d", "ARROW"]

#: Length of a lower bound's upward arrow in ln xi.
ARROW = 0.35


def _models(ds: xr.Dataset) -> list[tuple[str, float]]:
    """(family, d) of every model cell with data: ``is_model`` where present, white noise once."""
    out: list[tuple[str, float]] = []
    for f in (str(v) for v in ds["family"].values):
        for d in (float(v) for v in ds["d"].values):
            if "is_model" in ds and not bool(ds["is_model"].sel(family=f, d=d)):
                continue  # a (family, d) cell that holds no model
            if d == 0 and any(dd == 0 for _, dd in out):
                continue
            if np.isfinite(ds["energy"].sel(family=f, d=d).values).any():
                out.append((f, d))
    return out


def _arr(sub: xr.Dataset, name: str) -> np.ndarray:
    """A variable of one model as a float array (NaN-filled if the dataset lacks it)."""
    if name not in sub:
        return np.full(sub["eps"].size, np.nan)
    return np.asarray(sub[name].values, dtype=float)


def _scalar(sub: xr.Dataset, name: str) -> float:
    return float(np.asarray(sub[name].values).reshape(-1)[0]) if name in sub else np.nan


def _sources(sub: xr.Dataset) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per eps: xi finite from strip_direct, from scaling, and unconverged (a lower bound)."""
    src = _arr(sub, "xi_source")
    fin = np.isfinite(_arr(sub, "xi"))
    lb = np.isfinite(_arr(sub, "xi_lower_bound"))
    return fin & (src == 0), fin & (src == 1), (src == 2) & lb


def _collapse_state(sub: xr.Dataset) -> tuple[str, bool]:
    """'chi2/dof = 3.1/4' (or 'no collapse') and whether the collapse was accepted."""
    from scipy.stats import chi2 as chi2_dist

    chi2, dof = _scalar(sub, "collapse_chi2"), _scalar(sub, "collapse_dof")
    if not (np.isfinite(chi2) and np.isfinite(dof) and dof > 0):
        return "no collapse", False
    p = float(chi2_dist.sf(chi2, dof))
    return f"chi2/dof = {chi2:.3g}/{dof:g} (p = {p:.2g})", p > COLLAPSE_P_MIN


def _collapse_curve(coef: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Lambda of the fitted form at x: 1/(x + sum_j c_j (ln x)^j); NaN where not positive."""
    lx = np.log(x)
    inv = x + sum(c * lx**j for j, c in enumerate(coef))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(inv > 0, 1.0 / inv, np.nan)


def _collapse_panel(ax, sub: xr.Dataset, col: str, mk: str) -> bool:
    """Lambda = xi_M/W against W/xi_2D at every eps with a finite xi; the fitted form.

    Returns whether any point was drawn.
    """
    direct, scal, _ = _sources(sub)
    w = np.asarray(sub["width"].values, dtype=float)
    xi = _arr(sub, "xi")
    lam = np.asarray(sub["xi_M"].transpose("eps", "width").values, dtype=float) / w
    lam_se = np.asarray(sub["xi_M_stderr"].transpose("eps", "width").values, dtype=float) / w
    xs = []
    for mask, mfc in ((direct, col), (scal, "none")):
        k = np.nonzero(mask)[0]
        if not k.size:
            continue
        x = (w[None, :] / xi[k, None]).ravel()
        ok = np.isfinite(lam[k].ravel()) & (lam[k].ravel() > 0)
        se = np.nan_to_num(lam_se[k].ravel()[ok])
        ax.errorbar(x[ok], lam[k].ravel()[ok], yerr=se, fmt=mk, color=col, mfc=mfc,
                    ms=4, capsize=2, lw=1, ls="none", zorder=3)  # fmt: skip
        xs.append(x[ok])
    coef = _arr(sub, "collapse_coef") if "coef" in sub.dims else np.array([])
    if xs and coef.size and np.isfinite(coef).all():
        xx = np.concatenate(xs)
        grid = np.geomspace(xx.min(), xx.max(), 200)
        ls = "-" if _collapse_state(sub)[1] else "--"
        ax.plot(grid, _collapse_curve(coef, grid), ls=ls, color=col, lw=1.1, zorder=2)
    return bool(xs)


def _raw_strips(ax, sub: xr.Dataset, col: str, mk: str) -> None:
    """Lambda = xi_M/W against W, one dotted line per eps (no xi_2D to scale W by)."""
    w = np.asarray(sub["width"].values, dtype=float)
    lam = np.asarray(sub["xi_M"].transpose("eps", "width").values, dtype=float) / w
    lam_se = np.asarray(sub["xi_M_stderr"].transpose("eps", "width").values, dtype=float) / w
    for row, se in zip(lam, lam_se, strict=True):
        ok = np.isfinite(row) & (row > 0)
        ax.errorbar(w[ok], row[ok], yerr=np.nan_to_num(se[ok]), fmt=mk, color=col, mfc="none",
                    ms=4, capsize=2, lw=0.8, ls=":", zorder=3)  # fmt: skip


def _xi_panel(ax, sub: xr.Dataset, col: str, mk: str) -> None:
    """ln xi against eps: filled strip_direct, hollow scaling, lower bounds as up-triangles."""
    e = np.asarray(sub["eps"].values, dtype=float)
    direct, scal, unconv = _sources(sub)
    xi, se = _arr(sub, "xi"), _arr(sub, "xi_stderr")
    for mask, mfc in ((direct, col), (scal, "none")):
        if mask.any():
            ax.errorbar(e[mask], np.log(xi[mask]), yerr=np.nan_to_num(se[mask] / xi[mask]),
                        fmt=mk, color=col, mfc=mfc, ms=4.5, capsize=2, lw=1, ls="none",
                        zorder=3)  # fmt: skip
    if unconv.any():  # a lower bound: an up-triangle with an upward arrow, never joined
        lb = np.log(_arr(sub, "xi_lower_bound")[unconv])
        ax.errorbar(e[unconv], lb, yerr=np.full(lb.size, ARROW), lolims=True, fmt="^",
                    color=col, mfc="none", ms=5, capsize=2, lw=0.9, ls="none",
                    zorder=3)  # fmt: skip
    eq20 = _arr(sub, "ln_xi_eq20")
    ok = np.isfinite(eq20)
    ax.plot(e[ok], eq20[ok], "-", color=col, lw=1.1, zorder=2)


def _shift_panel(ax, sub: xr.Dataset, col: str, mk: str) -> None:
    """E - eps against eps with its standard errors."""
    e = np.asarray(sub["eps"].values, dtype=float)
    sh, se = _arr(sub, "shift"), _arr(sub, "shift_stderr")
    ok = np.isfinite(sh)
    ax.errorbar(e[ok], sh[ok], yerr=np.nan_to_num(se[ok]), fmt=mk, color=col, ms=4.5,
                capsize=2, lw=1, ls="none", zorder=3)  # fmt: skip


def _legend(ds: xr.Dataset, models, dashed: bool) -> tuple[list, list[str]]:
    """One series per model (with its collapse's chi2/dof), then the marker and line styles."""
    handles, labels = [], []
    for f, d in models:
        col, mk = style.model_style(f, d)
        handles.append(Line2D([], [], color=col, marker=mk, lw=1.1))
        state, ok = _collapse_state(ds.sel(family=f, d=d))
        verdict = "" if state == "no collapse" else (", accepted" if ok else ", rejected")
        labels.append(f"{common.model_label(f, d)}: collapse {state}{verdict}")
    handles += [
        Line2D([], [], color="0.3", marker="o", ls="none"),
        Line2D([], [], color="0.3", marker="o", mfc="none", ls="none"),
        Line2D([], [], color="0.3", marker="^", mfc="none", ls="none", ms=7),
        Line2D([], [], color="0.3", lw=1.1),
    ]
    labels += [
        "filled: xi_2D from the widest strips (strip_direct)",
        "hollow: xi_2D from the scaling collapse",
        "up-triangle + arrow: lower bound (unconverged; no value)",
        "lines: fitted collapse (left), Eq. (20) (middle), model's colour",
    ]
    if dashed:
        handles.append(Line2D([], [], color="0.3", lw=1.1, ls="--"))
        labels.append(f"dashed: rejected collapse (p <= {COLLAPSE_P_MIN:g})")
    return handles, labels


def _axes_labels(axes) -> None:
    ax_c, ax_x, ax_s = axes
    ax_c.set_xscale("log")
    ax_c.set_yscale("log")
    ax_c.set_xlabel(style.axis_label(r"$W/\xi_{2D}$", ""))
    ax_c.set_ylabel(style.axis_label(r"$\Lambda = \xi_M/W$", ""))
    ax_c.set_title("scaling collapse", fontsize=9)
    ax_x.set_xlabel(style.axis_label(r"density label $\epsilon$", "energy"))
    ax_x.set_ylabel(style.axis_label(r"$\ln(\xi_{2D}/\mathrm{length\ unit})$", ""))
    ax_x.set_title(r"$\xi_{2D}(\epsilon)$ and Eq. (20)", fontsize=9)
    ax_s.axhline(0.0, color="k", lw=0.7)
    ax_s.set_xlabel(style.axis_label(r"density label $\epsilon$", "energy"))
    ax_s.set_ylabel(style.axis_label(r"shift $E - \epsilon$", "energy"))
    ax_s.set_title("density shift", fontsize=9)


def plot_localization_2d(ds: xr.Dataset) -> plt.Figure:
    """The 2D localization figure: scaling collapse, ln xi_2D(eps) with Eq. (20), shift.

    Left: Lambda = xi_M/W against W/xi_2D (log-log) at every (model, eps) with a
    finite xi_2D (``xi_source`` strip_direct or scaling), error bars from
    ``xi_M_stderr``, and each model's fitted form over its data's range (dashed
    where the collapse is rejected).  Middle: ln xi_2D against eps (filled:
    strip_direct; hollow: scaling; up-triangle with an upward arrow: the lower
    bound of an unconverged label, never joined) and Eq. (20) as a line per
    model.  Right: the shift E - eps with its errors.  Colour and marker per
    model (:func:`hotcold.plots.style.model_style`); one legend below.

    Parameters
    ----------
    ds : xarray.Dataset
        ``results/localization2d.nc`` over (family, d, eps, width[, coef]), with
        ``is_model`` over (family, d) where merged.

    Returns
    -------
    Figure
        With its data-driven caption (:func:`hotcold.plots.style.get_caption`).
    """
    models = _models(ds)
    fig, axes = plt.subplots(1, 3, figsize=(13.0, 4.4), constrained_layout=True)
    dashed, any_drawn = False, False
    for f, d in models:
        sub = ds.sel(family=f, d=d)
        col, mk = style.model_style(f, d)
        drew = _collapse_panel(axes[0], sub, col, mk)
        any_drawn |= drew
        dashed |= drew and not _collapse_state(sub)[1] and "coef" in sub.dims
        _xi_panel(axes[1], sub, col, mk)
        _shift_panel(axes[2], sub, col, mk)
    _axes_labels(axes)
    if not any_drawn:  # no xi_2D to scale by: the raw strips, Lambda against W
        for f, d in models:
            _raw_strips(axes[0], ds.sel(family=f, d=d), *style.model_style(f, d))
        axes[0].set_xlabel(style.axis_label("strip width $W$", "length"))
        axes[0].set_title("no xi_2D to collapse: the strips, Lambda against W", fontsize=9)
    style.figure_legend(fig, *_legend(ds, models, dashed), ncol=2)
    style.tidy(fig)
    return style.set_caption(fig, _caption(ds, models))


# ---------------------------------------------------------------------------
# caption
# ---------------------------------------------------------------------------


def _slope_sentence(sub: xr.Dataset, label: str) -> str:
    """Verdict of one model's exponent slope d ln(xi/(v tau))/d eps against pi tau (Eq. 20)."""
    s, se, pt = (_scalar(sub, k) for k in ("eq20_slope", "eq20_slope_stderr", "pi_tau"))
    if not np.isfinite(s):
        n = int(sum(m.sum() for m in _sources(sub)[:2]))
        return (
            f"{label}: no measured slope d ln xi/d eps ({n} finite xi_2D; a slope needs two), "
            f"so Eq. (20)'s slope pi tau = {pt:.3g} [1/energy] is not tested"
        )
    raw, raw_se = _scalar(sub, "dlnxi_deps"), _scalar(sub, "dlnxi_deps_stderr")
    return (
        f"{label}: d ln(xi/(v tau))/d eps = {style.fmt_pm(s, se)} [1/energy] against pi tau = "
        f"{pt:.3g} (Eq. 20's exponent; d ln xi/d eps itself = {style.fmt_pm(raw, raw_se)} holds "
        "d ln(v tau)/d eps too): it " + common.verdict(s, se, pt, None, "pi tau")
    )


def _prefactor_sentence(sub: xr.Dataset, label: str) -> str:
    """The prefactor xi/(v tau e^(pi eps tau)) = exp(ln xi - ln xi_Eq20) where xi is finite."""
    direct, scal, _ = _sources(sub)
    fin = direct | scal
    if not fin.any():
        return ""
    e = np.asarray(sub["eps"].values, dtype=float)[fin]
    pre = np.exp(np.log(_arr(sub, "xi")[fin]) - _arr(sub, "ln_xi_eq20")[fin])
    rel = (_arr(sub, "xi_stderr") / _arr(sub, "xi"))[fin]
    return (
        f"{label}: prefactor xi/(v tau e^(pi eps tau)) = {common.fmt_range(pre)} at eps = "
        f"{common.fmt_range(e)} ({fin.sum()} finite xi_2D, relative errors up to "
        f"{np.nanmax(rel):.2g}; 1 in Eq. 20 as written)"
    )


def _no_xi_sentence(sub: xr.Dataset, label: str) -> str:
    """Why a model has no finite xi_2D at any eps ('' if it has one)."""
    if any(m.any() for m in _sources(sub)[:2]):
        return ""
    state, ok = _collapse_state(sub)
    why = (
        "no collapse (too few labels or widths)"
        if state == "no collapse"
        else f"collapse rejected, {state}"
        if not ok
        else f"collapse accepted ({state}) but gave no finite xi"
    )
    return (
        f"{label} has no finite xi_2D at any eps: no label converged in the width and {why}; "
        "it has no point in the collapse panel and only lower bounds in the middle panel"
    )


def _count_sentence(ds: xr.Dataset, models) -> str:
    """How many labels are strip_direct, scaling, unconverged (lower bounds) over the models."""
    n = np.zeros(3, dtype=int)
    lbs, eq20 = [], []
    for f, d in models:
        sub = ds.sel(family=f, d=d)
        masks = _sources(sub)
        n += [int(m.sum()) for m in masks]
        lbs += list(_arr(sub, "xi_lower_bound")[masks[2]])
        eq20 += list(_arr(sub, "ln_xi_eq20")[masks[2]])
    text = (
        f"Of {n.sum()} labelled energies over {len(models)} models: {n[0]} strip_direct "
        f"(filled), {n[1]} from the scaling collapse (hollow), {n[2]} unconverged"
    )
    if n[2]:
        text += (
            f", drawn as the lower bound xi_2D > xi_M of the widest strip "
            f"({common.fmt_range(lbs)} [length]; up-triangles with arrows): lower bounds, "
            "not values, used in no slope, prefactor or line; " + _bound_note(lbs, eq20)
        )
    return text


def _bound_note(lbs: list[float], ln_eq20: list[float]) -> str:
    """Whether the lower bounds contradict Eq. (20) (a bound above its xi would)."""
    r = np.exp(np.log(np.asarray(lbs, dtype=float)) - np.asarray(ln_eq20, dtype=float))
    r = r[np.isfinite(r)]
    if not r.size:
        return "no Eq. (20) value to compare them with"
    above = int((r > 1).sum())
    ratio = f"bound/xi_Eq20 = {common.fmt_range(r)}"
    if not above:
        return f"all lie below Eq. (20) ({ratio}), so they do not test it"
    return f"{above} of {r.size} lie above Eq. (20) ({ratio}): there xi_2D exceeds Eq. (20)"


def _shift_line(sub: xr.Dataset, label: str) -> str:
    sh, se = _arr(sub, "shift"), _arr(sub, "shift_stderr")
    ok = np.isfinite(sh)
    if not ok.any():
        return f"{label}: no shift measured"
    e = np.asarray(sub["eps"].values, dtype=float)[ok]
    return (
        f"{label}: E - eps = {common.fmt_range(sh[ok])} [energy] at eps = "
        f"{common.fmt_range(e)} (standard errors up to {np.nanmax(se[ok]):.2g})"
    )


def _caption(ds: xr.Dataset, models) -> str:
    """Verdict (slopes, prefactors, counts, models without xi) and the per-model numbers."""
    if not models:
        return common.with_verdict(["No model in the dataset: nothing is drawn"], "")
    sentences, lines = [], []
    for f, d in models:
        sub, label = ds.sel(family=f, d=d), common.model_label(f, d, dim=2)
        sentences += [_slope_sentence(sub, label), _no_xi_sentence(sub, label)]
        sentences.append(_prefactor_sentence(sub, label))
        state, ok = _collapse_state(sub)
        acc = "" if state == "no collapse" else (": accepted" if ok else ": rejected")
        lines.append(f"{label}: scaling collapse {state}{acc}")
        lines.append(_shift_line(sub, label))
    sentences.append(_count_sentence(ds, models))
    sentences.append(
        "The prefactor is exp(ln xi - ln xi_Eq20), exactly xi/(v tau e^(pi eps tau)) with "
        "the dataset's v tau of Eq. (20): no mass is assumed"
    )
    return common.with_verdict(sentences, "\n".join(f"- {s}" for s in lines))
