"""Shared figure conventions: colour-blind-safe series, unit labels, flags, legends, captions.

Every figure of :mod:`hotcold.plots` uses these so that the rules of docs/physics.md §1.5
hold in one place:

* series colours from the Okabe-Ito palette (distinguishable with the common
  colour-vision deficiencies), each paired with its own marker;
* axis labels ``quantity [unit]`` in the reduced units of the datasets'
  ``units`` attributes (hbar = k_B = 1, stated in every caption; :func:`axis_label`);
* flagged points (outside the formulas' regime, extrapolated inputs) drawn
  hollow and faint, never in the style of a result;
* legends placed where they hide no data (checked against the display
  coordinates of every data artist), else outside the axes;
* a data-driven caption attached to the figure (:func:`set_caption`), which
  ``workflow/scripts/plot.py`` appends to the report caption.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.collections as mcoll  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import xarray as xr  # noqa: E402

__all__ = [
    "COLORS",
    "MARKERS",
    "LINESTYLES",
    "UNITS_NOTE",
    "color",
    "marker",
    "model_style",
    "style_of",
    "MAX_SHARED_MODELS",
    "model_key",
    "family_panels",
    "model_panels",
    "grid_shape",
    "family_grid",
    "panels_of",
    "label_panels",
    "multiples_note",
    "FAMILY_STYLE",
    "axis_label",
    "stderr_of",
    "flag_mask",
    "set_caption",
    "get_caption",
    "data_points",
    "legend_overlap",
    "place_legend",
    "settle_legends",
    "figure_legend",
    "fmt_pm",
    "robust_ylim",
    "tidy",
]

#: Okabe & Ito (2008) colour-blind-safe palette (yellow last: weak on white).
COLORS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442")
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
LINESTYLES = ("-", "--", "-.", ":")
#: The unit statement every caption carries.
UNITS_NOTE = (
    "Reduced units: hbar = k_B = 1; axis units name the dimension (energy, length) "
    "in the units set by m and eps_F."
)


def color(i: int) -> str:
    """The i-th series colour (cycles after 8): for series that are not models."""
    return COLORS[i % len(COLORS)]


#: Hue of each disorder family (a sequential colormap whose lightness encodes d) and its
#: marker.  A family outside this table (a new registry entry) gets a spare one chosen
#: from its name, so its style never depends on which other models a figure shows.
FAMILY_STYLE = {
    "white": ("Greys", "o"),
    "lorentzian": ("Blues", "s"),
    "exponential": ("Oranges", "^"),
    "gaussian": ("Greens", "D"),
}
_SPARE_STYLE = (("Purples", "v"), ("Reds", "P"), ("PuRd", "X"), ("YlOrBr", "*"))
#: d [length] over which the lightness runs, log-spaced: d <= D_LIGHTNESS[0] darkest,
#: d >= D_LIGHTNESS[1] lightest.
D_LIGHTNESS = (0.1, 1.0)


def model_style(family: str, d: float) -> tuple[str, str]:
    """Colour and marker of one model (family, d): hue and marker by family, lightness by d.

    Fixed functions of the model alone: adding a d or a family to a sweep recolours
    nothing.  White noise (d = 0) is the darkest grey.
    """
    import zlib

    cmap, mk = (
        FAMILY_STYLE.get(family) or _SPARE_STYLE[zlib.crc32(family.encode()) % len(_SPARE_STYLE)]
    )
    lo, hi = D_LIGHTNESS
    t = 0.0 if d <= lo else min(1.0, float(np.log(d / lo) / np.log(hi / lo)))
    rgba = matplotlib.colormaps[cmap](0.95 - 0.6 * t)
    return matplotlib.colors.to_hex(rgba), mk


def style_of(sub: xr.Dataset) -> tuple[str, str]:
    """:func:`model_style` of a per-model dataset (its scalar ``family`` and ``d``)."""
    fam = str(sub["family"].values) if "family" in sub.variables else sub.attrs.get("family", "")
    d = float(sub["d"].values) if "d" in sub.variables else float(sub.attrs.get("d", 0.0))
    return model_style(fam, d)


#: Most models that one shared axes shows; beyond, the per-model figures switch to small
#: multiples: one panel per family, d told apart by lightness (issue 19 item 6).
MAX_SHARED_MODELS = 8


def model_key(sub: xr.Dataset) -> tuple[str, float]:
    """(family, d) of a per-model dataset; white noise (d = 0, any family) is ('white', 0.0)."""
    fam = str(sub["family"].values) if "family" in sub.variables else sub.attrs.get("family", "")
    d = float(sub["d"].values) if "d" in sub.variables else float(sub.attrs.get("d", 0.0))
    return ("white", 0.0) if d == 0 or fam == "white" else (fam, d)


def family_panels(models: Sequence[tuple[str, float]]) -> dict[str, list[tuple[str, float]]]:
    """The panels of a per-model figure and the models each one shows.

    Parameters
    ----------
    models : sequence of (str, float)
        (family, d) of every model the figure draws (white noise: d = 0).

    Returns
    -------
    dict
        ``{"": models}`` (one shared axes) for at most :data:`MAX_SHARED_MODELS`
        models; beyond, one entry per correlated family in order of appearance,
        each holding white noise (its d -> 0 end, drawn in every panel) and
        that family's d.
    """
    models = list(models)
    fams = list(dict.fromkeys(f for f, d in models if not (d == 0 or f == "white")))
    if len(models) <= MAX_SHARED_MODELS or not fams:
        return {"": models}
    white = [(f, d) for f, d in models if d == 0 or f == "white"]
    return {fam: white + [(f, d) for f, d in models if f == fam and d != 0] for fam in fams}


def model_panels(
    models: Sequence[tuple[str, float]],
    figsize: tuple[float, float],
    panel: tuple[float, float] = (3.6, 3.0),
) -> tuple[plt.Figure, dict[str, plt.Axes]]:
    """A figure for a per-model plot: one axes, or one panel per family beyond 8 models.

    Parameters
    ----------
    models : sequence of (str, float)
        (family, d) of every model (:func:`family_panels`).
    figsize : (float, float)
        Size of the single-axes figure (the layout of at most 8 models).
    panel : (float, float)
        Size of one small-multiple panel (inches).

    Returns
    -------
    (Figure, dict)
        The figure and panel name -> axes (``""`` for the single axes).  The
        panels share both axes (same limits); unused grid cells are hidden.
    """
    groups = family_panels(models)
    if list(groups) == [""]:
        fig, ax = plt.subplots(figsize=figsize, constrained_layout=True)
        return fig, {"": ax}
    nrow, ncol = grid_shape(len(groups))
    fig = plt.figure(
        figsize=(panel[0] * ncol + 0.6, panel[1] * nrow + 0.8), constrained_layout=True
    )
    return fig, family_grid(fig, groups)


def grid_shape(n: int) -> tuple[int, int]:
    """(rows, columns) of n small-multiple panels: at most 4 per row, rows filled evenly."""
    nrow = int(np.ceil(n / 4))
    return nrow, int(np.ceil(n / nrow))


def family_grid(
    parent, groups: dict[str, list], title: str = "{family} (lighter: larger d)"
) -> dict[str, plt.Axes]:
    """One panel per family of :func:`family_panels` in a figure or sub-figure.

    Parameters
    ----------
    parent : Figure or SubFigure
        Where the grid goes (a sub-figure when the figure holds other panels too).
    groups : dict
        :func:`family_panels` beyond :data:`MAX_SHARED_MODELS` models.
    title : str
        Panel title, ``{family}`` replaced by the family's name.

    Returns
    -------
    dict
        Family -> axes (:func:`grid_shape`), titled with the family; the panels
        share both axes (same limits) and unused grid cells are hidden.
    """
    n = len(groups)
    nrow, ncol = grid_shape(n)
    axes = parent.subplots(nrow, ncol, squeeze=False, sharex=True, sharey=True)
    for k in range(n, nrow * ncol):  # an empty cell: the panel above shows the x ticks
        axes[k // ncol, k % ncol].set_visible(False)
        axes[k // ncol - 1, k % ncol].tick_params(labelbottom=True)
    for fam, ax in zip(groups, axes.ravel(), strict=False):
        ax.set_title(title.format(family=fam), fontsize=9)
    return dict(zip(groups, axes.ravel(), strict=False))


def panels_of(panels: dict[str, plt.Axes], family: str, d: float) -> list[plt.Axes]:
    """The axes a model (family, d) is drawn on: white noise on every family's panel."""
    if "" in panels:
        return [panels[""]]
    if d == 0 or family == "white":
        return list(panels.values())
    return [panels[family]] if family in panels else []


def label_panels(panels: dict[str, plt.Axes], xlabel: str, ylabel: str) -> None:
    """Axis labels where the tick labels show: bottom of each column, left of each row."""
    for ax in panels.values():
        spec = ax.get_subplotspec()
        below_empty = not spec.is_last_row() and ax.xaxis.get_tick_params().get("labelbottom")
        if "" in panels or spec.is_last_row() or below_empty:
            ax.set_xlabel(xlabel)
        if "" in panels or spec.is_first_col():
            ax.set_ylabel(ylabel)


def multiples_note(panels: dict[str, plt.Axes]) -> str:
    """Caption sentence for the small-multiples layout ('' for the single axes)."""
    if "" in panels:
        return ""
    return (
        f"More than {MAX_SHARED_MODELS} models: one panel per family ({', '.join(panels)}) "
        "with shared axes; within a panel d is told apart by lightness (darker: smaller d, "
        "named in the panel's legend), and white noise (d = 0) is drawn in every panel as "
        "the d -> 0 end of each family."
    )


def marker(i: int) -> str:
    """The i-th series marker (cycles after 8)."""
    return MARKERS[i % len(MARKERS)]


def axis_label(symbol: str, unit: str = "") -> str:
    """``symbol [unit]``, or ``symbol (dimensionless)`` for unit ''/'1'."""
    return f"{symbol} [{unit}]" if unit and unit != "1" else f"{symbol} (dimensionless)"


def stderr_of(ds: xr.Dataset, name: str) -> xr.DataArray | None:
    """``ds[name + '_stderr']`` if the dataset carries it, else None."""
    key = f"{name}_stderr"
    return ds[key] if key in ds else None


def flag_mask(da: xr.DataArray, meaning: str) -> np.ndarray:
    """Where a CF flag variable takes the value (or has the bit) named ``meaning``.

    Works for ``flag_values`` (enumerations) and ``flag_masks`` (bit fields);
    a meaning the variable does not know gives all False.
    """
    vals = np.asarray(da.values)
    meanings = str(da.attrs.get("flag_meanings", "")).split()
    if meaning not in meanings:
        return np.zeros(vals.shape, dtype=bool)
    k = meanings.index(meaning)
    if "flag_masks" in da.attrs:
        bit = int(np.atleast_1d(da.attrs["flag_masks"])[k])
        return (vals.astype(np.int64) & bit) != 0
    if "flag_values" in da.attrs:
        return vals == int(np.atleast_1d(da.attrs["flag_values"])[k])
    return vals == k


def set_caption(fig: plt.Figure, text: str) -> plt.Figure:
    """Attach the data-driven caption (reST-safe plain text) to a figure."""
    fig.hotcold_caption = text  # type: ignore[attr-defined]
    return fig


def get_caption(fig: plt.Figure) -> str:
    """The caption attached by :func:`set_caption` ('' if none)."""
    return str(getattr(fig, "hotcold_caption", ""))


def fmt_pm(value: float, err: float | None = None, digits: int = 2) -> str:
    """``value +- err`` with a sensible number of digits; 'n/a' for NaN."""
    if value is None or not np.isfinite(value):
        return "n/a"
    if err is None or not np.isfinite(err) or err <= 0:
        return f"{value:.{digits + 1}g}"
    return f"{value:.{digits + 1}g} +- {err:.2g}"


def robust_ylim(
    ax: plt.Axes, values: Iterable[float], log: bool = False, pad: float = 0.08
) -> None:
    """Set y-limits from the data values themselves (not from error bars).

    Error bars that reach beyond the data range are clipped by the axes
    rather than stretching them (an error bar never swamps the plot).
    """
    v = np.asarray([x for x in np.ravel(np.asarray(list(values), dtype=float))], dtype=float)
    v = v[np.isfinite(v) & ((v > 0) if log else True)]
    if v.size == 0:
        return
    lo, hi = float(v.min()), float(v.max())
    if log:
        llo, lhi = np.log10(lo), np.log10(hi)
        span = max(lhi - llo, 0.3)
        ax.set_ylim(10 ** (llo - pad * span), 10 ** (lhi + pad * span))
    else:
        span = hi - lo if hi > lo else max(abs(hi), 1.0) * 0.2
        ax.set_ylim(lo - pad * span, hi + pad * span)


# ---------------------------------------------------------------------------
# Legends that hide no data
# ---------------------------------------------------------------------------


def _densify(xy: np.ndarray, step: float = 3.0) -> np.ndarray:
    """Points along a display-space polyline, at most ``step`` pixels apart (vectorized)."""
    xy = np.asarray(xy, dtype=float)
    good = np.all(np.isfinite(xy), axis=1)
    xy = xy[good]
    if len(xy) < 2:
        return xy
    seg = xy[1:] - xy[:-1]
    n = np.minimum(np.hypot(seg[:, 0], seg[:, 1]) // step, 2000).astype(int) + 1
    idx = np.repeat(np.arange(len(seg)), n)
    start = np.cumsum(n) - n
    frac = (np.arange(n.sum()) - np.repeat(start, n)) / np.repeat(n, n)
    return np.concatenate([xy[idx] + frac[:, None] * seg[idx], xy[-1:]])


def data_points(ax: plt.Axes) -> np.ndarray:
    """Display coordinates (N, 2) sampling every data artist of an axes.

    Lines (densified along segments, so a crossing line counts), marker
    offsets, error-bar segments, filled bands (vertices and interior samples)
    and colour meshes (cells with finite values).  Shaded spans
    (``axvspan``) and texts are background, not data.
    """
    pts: list[np.ndarray] = []
    for ln in ax.get_lines():
        if not ln.get_visible():
            continue
        xy = np.column_stack([ln.get_xdata(orig=False), ln.get_ydata(orig=False)]).astype(float)
        disp = ln.get_transform().transform(xy)
        pts.append(_densify(disp) if ln.get_linestyle() not in ("None", "none", "") else disp)
    for coll in ax.collections:
        if not coll.get_visible():
            continue
        if isinstance(coll, mcoll.QuadMesh):
            coords = coll.get_coordinates()
            arr = np.ma.getmaskarray(coll.get_array()).reshape(-1)
            centers = 0.25 * (
                coords[:-1, :-1] + coords[1:, :-1] + coords[:-1, 1:] + coords[1:, 1:]
            ).reshape(-1, 2)
            pts.append(coll.get_transform().transform(centers[~arr]))
            continue
        offs = coll.get_offsets()
        if len(offs) and not isinstance(coll, mcoll.LineCollection):
            pts.append(coll.get_offset_transform().transform(np.asarray(offs, float)))
        trans = coll.get_transform()
        for path in coll.get_paths():
            v = np.asarray(path.vertices, float)
            if len(v) == 0:
                continue
            pts.append(_densify(trans.transform(v)))
    pts = [p for p in pts if len(p)]
    return np.concatenate(pts) if pts else np.zeros((0, 2))


def legend_overlap(ax: plt.Axes, bbox, pts: np.ndarray | None = None) -> int:
    """Number of data sample points of ``ax`` inside a display-space bbox."""
    pts = data_points(ax) if pts is None else pts
    if len(pts) == 0:
        return 0
    inside = (
        (pts[:, 0] >= bbox.x0)
        & (pts[:, 0] <= bbox.x1)
        & (pts[:, 1] >= bbox.y0)
        & (pts[:, 1] <= bbox.y1)
    )
    return int(inside.sum())


_INSIDE = (
    "upper right",
    "upper left",
    "lower left",
    "lower right",
    "center right",
    "center left",
    "upper center",
    "lower center",
)


def _candidate_bbox(ax: plt.Axes, loc: str, w: float, h: float, pad: float):
    """Display bbox a legend of size (w, h) takes at an inside ``loc`` of ``ax``."""
    from matplotlib.transforms import Bbox

    a = ax.get_window_extent()
    vert, _, horiz = loc.partition(" ")
    if loc.startswith("center") and horiz == "":
        vert, horiz = "center", "center"
    x0 = {"left": a.x0 + pad, "right": a.x1 - pad - w, "center": 0.5 * (a.x0 + a.x1 - w)}[horiz]
    y0 = {"lower": a.y0 + pad, "upper": a.y1 - pad - h, "center": 0.5 * (a.y0 + a.y1 - h)}[vert]
    return Bbox.from_bounds(x0, y0, w, h)


def _outside(ax: plt.Axes, handles, labels, fontsize: float, where: str, **kw):
    if where == "right":
        return ax.legend(
            handles,
            labels,
            loc="upper left",
            bbox_to_anchor=(1.02, 1.0),
            fontsize=fontsize,
            borderaxespad=0.0,
            **kw,
        )
    ncol = kw.pop("ncol", 2)
    return ax.legend(
        handles,
        labels,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.2),
        fontsize=fontsize,
        ncol=ncol,
        **kw,
    )


def place_legend(
    ax: plt.Axes,
    handles: Sequence | None = None,
    labels: Sequence[str] | None = None,
    fontsize: float = 7.5,
    outside: str = "right",
    draw: bool = True,
    **kw,
):
    """A legend inside the axes where it covers no data point, else outside.

    Measures the legend once, then tries the eight inside positions against
    the display coordinates of every data artist (:func:`data_points`) and
    keeps the first free one; otherwise puts the legend outside, right of
    (``outside='right'``) or below the axes.  Call it after everything else
    is drawn (the layout must be final); :func:`settle_legends` re-checks a
    whole figure.  Returns the legend (None if nothing is labelled).
    """
    if handles is None:
        handles, labels = ax.get_legend_handles_labels()
    if not handles:
        return None
    fig = ax.figure
    leg = ax.legend(handles, labels, loc="upper right", fontsize=fontsize, framealpha=0.9, **kw)
    if draw:
        fig.canvas.draw()
    bb = leg.get_window_extent()
    pad = leg.borderaxespad * leg._fontsize * fig.dpi / 72.0
    pts = data_points(ax)
    for loc in _INSIDE:
        cand = _candidate_bbox(ax, loc, bb.width, bb.height, pad).expanded(1.03, 1.06)
        if legend_overlap(ax, cand, pts) == 0:
            leg = ax.legend(handles, labels, loc=loc, fontsize=fontsize, framealpha=0.9, **kw)
            leg._hotcold_place = (handles, labels, fontsize, outside, kw)
            return leg
    leg = _outside(ax, handles, labels, fontsize, outside, **kw)
    leg._hotcold_place = None
    return leg


def settle_legends(fig: plt.Figure, passes: int = 2) -> None:
    """Re-check every inside legend after the final layout; move those that now hide data."""
    for _ in range(passes):
        fig.canvas.draw()
        moved = False
        for ax in fig.axes:
            leg = ax.get_legend()
            spec = getattr(leg, "_hotcold_place", None) if leg is not None else None
            if spec is None:
                continue
            if legend_overlap(ax, leg.get_window_extent()) > 0:
                handles, labels, fontsize, outside, kw = spec
                place_legend(ax, handles, labels, fontsize, outside, draw=False, **kw)
                moved = True
        if not moved:
            return


def figure_legend(
    fig: plt.Figure, handles: Sequence, labels: Sequence[str], ncol: int = 3, fontsize: float = 8
):
    """One legend for the whole figure, outside (below) every axes."""
    return fig.legend(
        handles, labels, loc="outside lower center", ncol=ncol, fontsize=fontsize, frameon=False
    )


def tidy(fig: plt.Figure) -> plt.Figure:
    """Readable log axes: no crowded minor labels on axes spanning less than ~2 decades."""
    from matplotlib import ticker

    for ax in fig.axes:
        for axis, lim in ((ax.xaxis, ax.get_xlim()), (ax.yaxis, ax.get_ylim())):
            if axis.get_scale() != "log":
                continue
            lo, hi = sorted(lim)
            if lo <= 0 or np.log10(hi / lo) >= 2.0:
                continue
            axis.set_major_locator(ticker.LogLocator(subs=(1.0, 2.0, 5.0)))
            axis.set_major_formatter(ticker.FuncFormatter(lambda v, _: f"{v:g}"))
            axis.set_minor_formatter(ticker.NullFormatter())
    return fig


def caption_text(template: str, generated: str) -> str:
    """Report caption: the figure's fixed description, then the numbers of this run."""
    text = template.rstrip() + "\n\n" + UNITS_NOTE + "\n"
    if generated.strip():
        text += "\n**Measured in this run** (computed from the dataset by the plotting code):\n\n"
        text += generated.strip() + "\n"
    return text


def save_figure(
    fig: plt.Figure,
    paths: Sequence[str],
    caption_template: str | None = None,
    caption_path: str | None = None,
    dpi: int = 150,
) -> list[str]:
    """Write a figure (PDF/PNG by suffix, caption in their metadata) and its report caption.

    Parameters
    ----------
    fig : Figure
        With an optional data-driven caption (:func:`set_caption`).
    paths : sequence of str
        Image files (``.pdf``, ``.png``, ``.svg``).
    caption_template, caption_path : str, optional
        Text of ``workflow/report/<name>.rst`` and where to write the full
        caption (:func:`caption_text`).

    Returns
    -------
    list of str
        Every file written.
    """
    generated = get_caption(fig)
    written = []
    for path in paths:
        meta = {}
        if path.endswith(".png"):
            meta = {"Description": generated}
        elif path.endswith(".pdf"):
            meta = {"Subject": generated}
        fig.savefig(path, dpi=dpi, metadata=meta)
        written.append(str(path))
        # the layout (constrained: in inches, the same for every format) is computed on
        # the first draw and kept for the others: half of a figure's saving time
        fig.set_layout_engine("none")
    if caption_path is not None:
        with open(caption_path, "w") as fh:
            fh.write(caption_text(caption_template or "", generated))
        written.append(str(caption_path))
    plt.close(fig)
    return written
