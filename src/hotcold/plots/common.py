"""Helpers shared by the hot-cold stage's figures (docs/physics.md §1.5): models, flags, error bars.

The figures of ``results/hotcold.nc`` (:mod:`~hotcold.plots.eta_map`,
:mod:`~hotcold.plots.threshold`, :mod:`~hotcold.plots.conductivity`,
:mod:`~hotcold.plots.fig1`) select models, flag points and draw error bars
the same way; this module is that one way.  The model's parameters
(``eps_F``, ``eta_c``) are read from the dataset's scalar variables.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import xarray as xr  # noqa: E402
from numpy.typing import ArrayLike  # noqa: E402

from .. import families as _families  # noqa: E402
from ..datasets import select_model  # noqa: E402
from . import style  # noqa: E402

__all__ = [
    "FLAG_KW",
    "families",
    "d_positive",
    "model_label",
    "finite",
    "critical_eta",
    "fermi_energy",
    "model_list",
    "model_sub",
    "flagged",
    "regime_note",
    "stderr_values",
    "errorbar",
    "ratio_text",
    "N_SIGMA",
    "CRITERION",
    "ratio_sigma",
    "fmt_sigma",
    "fmt_range",
    "verdict",
    "verdict_paragraph",
    "with_verdict",
]

#: Marker style of a flagged point (outside the formulas' regime): hollow and faint.
FLAG_KW = {"mfc": "none", "alpha": 0.45}


def families(ds: xr.Dataset) -> list[str]:
    """The dataset's correlated disorder families, in order (white noise: :func:`model_list`)."""
    return [str(f) for f in ds["family"].values if not _families.is_white(str(f))]


def d_positive(ds: xr.Dataset) -> list[float]:
    """The correlation radii d > 0 of the dataset (d = 0 is white noise)."""
    return [float(d) for d in ds["d"].values if d > 0]


def model_label(family: str, d: float, dim: int | None = None) -> str:
    """'white noise' or '<family>, d = <d>', prefixed by '<dim>D ' if ``dim`` is given."""
    base = "white noise" if d == 0 else f"{family}, d = {d:g}"
    return base if dim is None else f"{dim}D {base}"


def finite(a: ArrayLike) -> np.ndarray:
    """Boolean mask of the finite entries of ``a`` (as float)."""
    return np.isfinite(np.asarray(a, dtype=float))


def critical_eta(ds: xr.Dataset) -> float:
    """eta_c of the criterion eta_hc >= eta_c (the scalar variable ``eta_c``)."""
    return float(ds["eta_c"])


def fermi_energy(ds: xr.Dataset) -> float:
    """The Fermi energy eps_F the dataset was computed at (its scalar variable ``eps_F``)."""
    return float(ds["eps_F"])


def model_list(ds: xr.Dataset, dim: int) -> list[tuple[str, float]]:
    """(family, d) of every distinct model of one dimension: white noise once, then d > 0.

    Parameters
    ----------
    ds : xarray.Dataset
        ``results/hotcold.nc`` (coordinates ``family``, ``d``).
    dim : int
        The spatial dimension (every dimension has the same models).

    Returns
    -------
    list of (str, float)
        ('white', 0.0) if the dataset holds white noise, then every
        (family, d > 0) (:func:`hotcold.families.model_keys`).
    """
    return _families.model_keys([str(f) for f in ds["family"].values], d_positive(ds))


def model_sub(ds: xr.Dataset, dim: int, fam: str, d: float) -> xr.Dataset:
    """The rows of one model (dimension, family, d) on its own temperatures (``T_on_grid``:
    2D has a grid per model); d = 0 is white noise under any family."""
    sub = select_model(ds, fam, d).sel(dim=dim)
    if "T_on_grid" in sub and "T" in sub.dims:
        sub = sub.isel(T=np.flatnonzero(sub["T_on_grid"].values))
    return sub


def flagged(sub: xr.Dataset) -> np.ndarray:
    """Per T: outside the formulas' regime, or n_T not from the numerics proper."""
    n = sub["T"].size
    bad = np.zeros(n, dtype=bool)
    if "regime" in sub:
        bad |= np.asarray(sub["regime"].values) != 0
    if "n_T_source" in sub:
        bad |= style.flag_mask(sub["n_T_source"], "extrapolated")
    return bad


def regime_note(label: str, temps: np.ndarray, ok: np.ndarray, flag: np.ndarray) -> str:
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


def stderr_values(sub: xr.Dataset, name: str) -> np.ndarray | None:
    """``<name>_stderr`` as a float array, or None if the dataset has no such variable."""
    se = style.stderr_of(sub, name)
    return None if se is None else np.asarray(se.values, dtype=float)


def errorbar(
    ax: plt.Axes,
    x: np.ndarray,
    y: np.ndarray,
    yerr: np.ndarray | None,
    ok: np.ndarray,
    flag: np.ndarray,
    col: str,
    mk: str,
    label: str,
) -> None:
    """In-regime points with error bars (filled), flagged points hollow and faint.

    Parameters
    ----------
    ax : Axes
        Where to draw.
    x, y : ndarray
        The points.
    yerr : ndarray or None
        Their standard errors (NaN drawn as none).
    ok, flag : ndarray of bool
        Points to draw at all; those outside the regime (hollow, no error bar).
    col, mk, label : str
        Colour, marker and legend label of the in-regime points.
    """
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
        ax.plot(x[ok & flag], y[ok & flag], mk, color=col, ms=4.5, zorder=2, **FLAG_KW)


def ratio_text(values: np.ndarray) -> str:
    """'median .. (range .. to .., n points)' of the finite values, or 'n/a'."""
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    if v.size == 0:
        return "n/a"
    return f"median {np.median(v):.3g} (range {v.min():.3g} to {v.max():.3g}, {v.size} points)"


# ---------------------------------------------------------------------------
# verdicts: does a measured value agree with the paper's formula within errors?
# ---------------------------------------------------------------------------

#: Agreement within errors: abs(ratio - 1) <= N_SIGMA combined standard errors.
N_SIGMA = 2.0

#: The criterion, stated once at the start of every caption's verdict.
CRITERION = (
    "criterion: a comparison agrees within errors when abs(ratio - 1) <= 2 combined "
    "standard errors (sigma), the errors of the measurement and, where it has one, of the "
    "reference added in quadrature"
)


def ratio_sigma(
    measured: ArrayLike,
    stderr: ArrayLike | None,
    reference: ArrayLike,
    reference_stderr: ArrayLike | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Ratio to a reference, its standard error and its distance from 1 in sigma.

    Parameters
    ----------
    measured, stderr : array_like
        The numerical values and their standard errors (None or NaN: unknown).
    reference, reference_stderr : array_like
        The formula's values and, if it has one, their standard error.

    Returns
    -------
    ratio, ratio_stderr, sigma : ndarray
        r = m/R; s_r = sqrt(s_m^2 + r^2 s_R^2)/abs(R) (first order);
        (r - 1)/s_r, NaN where s_r is unknown or zero.
    """
    m = np.atleast_1d(np.asarray(measured, dtype=float))
    ref = np.broadcast_to(np.asarray(reference, dtype=float), m.shape)
    se = np.full(m.shape, np.nan) if stderr is None else np.asarray(stderr, dtype=float)
    rse = 0.0 if reference_stderr is None else np.asarray(reference_stderr, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        r = m / ref
        r_se = np.broadcast_to(np.hypot(se, r * rse) / np.abs(ref), m.shape)
        z = np.where(r_se > 0, (r - 1.0) / r_se, np.nan)
    return r, np.asarray(r_se, dtype=float), z


def fmt_sigma(z: float) -> str:
    """abs(z) as '0.7', '5.3' or '38' (sigma)."""
    a = abs(float(z))
    return f"{a:.0f}" if a >= 9.95 else f"{a:.1f}"


def fmt_range(values: ArrayLike, fmt: str = ".3g") -> str:
    """'a' for one distinct value, 'a to b' for several (min to max)."""
    v = np.asarray(values, dtype=float)
    lo, hi = format(v.min(), fmt), format(v.max(), fmt)
    return lo if lo == hi else f"{lo} to {hi}"


def _sigma_range(z: np.ndarray) -> str:
    """'5.3 to 12 sigma below' / 'above' / 'off (3 below, 1 above)' over sigma values."""
    a = np.abs(z)
    lo, hi = fmt_sigma(a.min()), fmt_sigma(a.max())
    below, above = int((z < 0).sum()), int((z > 0).sum())
    side = "below" if not above else "above" if not below else f"off ({below} below, {above} above)"
    return f"{lo if lo == hi else f'{lo} to {hi}'} sigma {side}"


def verdict(
    measured: ArrayLike,
    stderr: ArrayLike | None,
    reference: ArrayLike,
    reference_stderr: ArrayLike | None = None,
    against: str = "the formula",
    what: str = "points",
) -> str:
    """A verdict phrase with numbers: agreement with a reference within errors, or not.

    Parameters
    ----------
    measured, stderr, reference, reference_stderr : array_like
        As in :func:`ratio_sigma`; one point or a set (summarized as ranges).
    against : str
        The reference's name, e.g. 'Eq. (6)'.
    what : str
        What the set's members are called ('points', 'models').

    Returns
    -------
    str
        'agrees with Eq. (6) within errors (ratio 0.95 +- 0.07, 0.7 sigma)',
        'differs from Eq. (6) at all 5 points: ratio 0.24 to 0.58, 5.3 to 12 sigma
        below', a mixed count, or the bare ratio where no standard error is known.
        Criterion: :data:`CRITERION` (abs(ratio - 1) <= :data:`N_SIGMA` sigma).
    """
    r, r_se, z = ratio_sigma(measured, stderr, reference, reference_stderr)
    ok = np.isfinite(r)
    if not ok.any():
        return f"no comparison with {against} (no finite value)"
    r, r_se, z = r[ok], r_se[ok], z[ok]
    tested = np.isfinite(z)
    if not tested.any():
        return f"ratio to {against} {fmt_range(r)} (no standard error: agreement not tested)"
    untested = "" if tested.all() else f"; {int((~tested).sum())} more without a standard error"
    r, r_se, z = r[tested], r_se[tested], z[tested]
    agree = np.abs(z) <= N_SIGMA
    if r.size == 1:
        pm = f"ratio {r[0]:.3g} +- {r_se[0]:.2g}"
        if agree[0]:
            return f"agrees with {against} within errors ({pm}, {fmt_sigma(z[0])} sigma){untested}"
        return f"differs from {against}: {pm}, {_sigma_range(z)}{untested}"
    n = r.size
    at = "at" if what == "points" else "for"
    n_off = int((~agree).sum())
    others = "the other one differs" if n_off == 1 else f"the other {n_off} differ"
    every = f"{at} both {what}" if n == 2 else f"{at} all {n} {what}"
    if agree.all():
        return (
            f"agrees with {against} within errors {every} (ratio {fmt_range(r)}, "
            f"at most {fmt_sigma(np.abs(z).max())} sigma){untested}"
        )
    if not agree.any():
        return f"differs from {against} {every}: ratio {fmt_range(r)}, {_sigma_range(z)}{untested}"
    return (
        f"agrees with {against} within errors {at} {int(agree.sum())} of {n} {what} "
        f"(ratio {fmt_range(r[agree])}); {others}: ratio "
        f"{fmt_range(r[~agree])}, {_sigma_range(z[~agree])}{untested}"
    )


def verdict_paragraph(sentences: list[str]) -> str:
    """The caption's one-paragraph **Verdict**: the criterion once, then the sentences."""
    body = " ".join(s.strip().rstrip(".") + "." for s in sentences if s.strip())
    return f"**Verdict** ({CRITERION}). {body}"


def with_verdict(sentences: list[str], lines: str) -> str:
    """A figure's generated caption: the verdict paragraph, a blank line, the number list."""
    return verdict_paragraph(sentences) + "\n\n" + lines.strip("\n")


def measured_top(sub: xr.Dataset, energy: ArrayLike) -> float:
    """Largest energy with a measured xi_h (``xi_source`` = measured); NaN if none."""
    if "xi_source" not in sub:
        return np.nan
    meas = style.flag_mask(sub["xi_source"], "measured")
    e = np.asarray(energy, dtype=float)
    return float(e[meas].max()) if meas.any() else np.nan


#: What sets xi above the measured energies, per dimension (hotcold.models, docs §1.2).
_BEYOND = {
    1: ("the largest measured energy", "the Born xi (xi_source = born)"),
    2: ("the highest strip label", "the fitted Eq. (20) line (xi_source = extrapolated)"),
}


def born_note(rows: list[tuple[str, np.ndarray, float]], dim: int = 1) -> str:
    """Sentence: which in-regime eps_th lie above the measured xi (set by the Born xi in 1D,
    by the fitted Eq. 20 line in 2D).

    ``rows``: (model label, its in-regime eps_th, its largest measured energy).
    """
    where, what = _BEYOND[dim]
    parts, n_all, n_born = [], 0, 0
    for label, eth, top in rows:
        if not (eth.size and np.isfinite(top)):
            continue
        k = int((eth > top).sum())
        n_all, n_born = n_all + eth.size, n_born + k
        if k:
            parts.append(f"{label} {k} of {eth.size} (measured xi up to eps = {top:.3g})")
    if not n_all:
        return ""
    if not n_born:
        kind = "Born extrapolation" if dim == 1 else "extrapolation"
        return f"Every in-regime {dim}D eps_th lies within the measured xi (no {kind})"
    return (
        f"{n_born} of {n_all} in-regime {dim}D eps_th lie above {where}, where "
        f"the hot-cold stage uses {what}: they rest on that "
        "extrapolation of xi, not on a measured xi: " + "; ".join(parts)
    )
