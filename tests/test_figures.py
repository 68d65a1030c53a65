"""Every figure, rendered from a small run of the workflow, passes what a machine can check.

Issue 13: legends hide no data; every axis that shows tick labels names its
quantity; no axis range is mostly empty; series in a legend are
distinguishable; flagged points have their own legend entry; error bars are
drawn where the dataset carries ``*_stderr``; every figure has a data-driven
caption that reaches the report.

The checks are implemented here independently of ``hotcold.plots.style``
(which places the legends): data artists are sampled in display
coordinates directly from matplotlib.
"""

from __future__ import annotations

import json
import re

import matplotlib

matplotlib.use("Agg")
import matplotlib.collections as mcoll  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import xarray as xr  # noqa: E402
from conftest import ROOT, run_snakemake, tiny_config  # noqa: E402

from hotcold.plots import (  # noqa: E402
    conductivity,
    eta_map,
    fig1,
    style,  # noqa: E402
    threshold,
)
from hotcold.plots import localization as loc_plots  # noqa: E402
from hotcold.plots import spectral as sp_plots  # noqa: E402

pytestmark = pytest.mark.workflow

#: Least fraction of an axis (in its own linear/log scale) that the data must span.
MIN_SPAN = 0.75

FIGURES = {
    "localization": (loc_plots.plot_localization, ("localization",)),
    "spectral_function": (sp_plots.plot_spectral, ("spectral",)),
    "mott_peak": (sp_plots.plot_mott_peak, ("spectral",)),
    "thermal_density": (sp_plots.plot_thermal_density, ("spectral",)),
    "eta_map": (eta_map.plot_eta_map, ("hotcold",)),
    "threshold": (threshold.plot_threshold, ("hotcold",)),
    "conductivity": (conductivity.plot_conductivity, ("hotcold",)),
    "fig1": (fig1.plot_fig1, ("hotcold", "localization")),
}


@pytest.fixture(scope="module")
def small_run(tmp_path_factory):
    """The tiny workflow once (all three merged datasets and the figure jobs)."""
    work = tmp_path_factory.mktemp("figures")
    cfg = tiny_config()
    cfg["temperatures"] = [0.01, 0.02, 0.04]  # in and out of the regime (flags exercised)
    run_snakemake(work, "-c2", config=cfg, timeout=2400)
    data = {
        n: xr.open_dataset(work / "results" / f"{n}.nc")
        for n in ("localization", "spectral", "hotcold")
    }
    yield work, data
    for ds in data.values():
        ds.close()


@pytest.fixture(scope="module")
def figures(small_run):
    _, data = small_run
    figs = {}
    for name, (fn, inputs) in FIGURES.items():
        fig = fn(*[data[i] for i in inputs])
        fig.canvas.draw()
        figs[name] = fig
    yield figs
    for fig in figs.values():
        plt.close(fig)


# ---------------------------------------------------------------------------
# independent geometry helpers
# ---------------------------------------------------------------------------


def _segments(xy: np.ndarray, step: float = 2.0) -> np.ndarray:
    xy = xy[np.all(np.isfinite(xy), axis=1)]
    out = [xy]
    for a, b in zip(xy[:-1], xy[1:], strict=True):
        n = int(np.hypot(*(b - a)) // step)
        if n > 0:
            t = np.linspace(0, 1, min(n, 3000) + 2)[1:-1, None]
            out.append(a + t * (b - a))
    return np.concatenate(out) if len(xy) else xy


def _display_points(ax, data_only: bool = False) -> tuple[np.ndarray, None]:
    """Display points sampling every data artist (``data_only``: not axvline/axhline)."""
    disp = []
    for ln in ax.get_lines():
        if not ln.get_visible() or len(ln.get_xdata()) == 0:
            continue
        if data_only and ln.get_transform() != ax.transData:
            continue  # axvline/axhline: see _reference_lines
        xy = np.column_stack([np.asarray(ln.get_xdata(), float), np.asarray(ln.get_ydata(), float)])
        d = ln.get_transform().transform(xy)
        disp.append(_segments(d) if ln.get_linestyle() not in ("None", "") else d)
    for c in ax.collections:
        if not c.get_visible():
            continue
        if isinstance(c, mcoll.QuadMesh):
            xy = c.get_coordinates().reshape(-1, 2)
            disp.append(c.get_transform().transform(xy))
            continue
        offs = np.asarray(c.get_offsets(), float)
        if len(offs) and not isinstance(c, mcoll.LineCollection):
            disp.append(c.get_offset_transform().transform(offs))
        for p in c.get_paths():
            if len(p.vertices):
                disp.append(_segments(c.get_transform().transform(np.asarray(p.vertices, float))))
    disp = [d for d in disp if len(d)]
    return (np.concatenate(disp) if disp else np.zeros((0, 2))), None


def _reference_lines(ax) -> tuple[list[float], list[float]]:
    """x of vertical and y of horizontal reference lines (axvline/axhline), display coords."""
    xs, ys = [], []
    for ln in ax.get_lines():
        if ln.get_transform() == ax.transData or not ln.get_visible():
            continue
        xd, yd = np.asarray(ln.get_xdata(), float), np.asarray(ln.get_ydata(), float)
        disp = ln.get_transform().transform(np.column_stack([xd, yd]))
        if np.allclose(yd, [0, 1]) and np.ptp(xd) == 0:
            xs.append(float(disp[0, 0]))
        elif np.allclose(xd, [0, 1]) and np.ptp(yd) == 0:
            ys.append(float(disp[0, 1]))
    return xs, ys


def _visible_axes(fig):
    return [ax for ax in fig.axes if ax.get_visible() and ax.get_label() != "<colorbar>"]


def _has_data(ax) -> bool:
    return len(_display_points(ax)[0]) > 0


# ---------------------------------------------------------------------------
# the checks
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(FIGURES))
def test_no_legend_hides_data(figures, name):
    fig = figures[name]
    fig.canvas.draw()
    legends = [(ax, ax.get_legend()) for ax in fig.axes if ax.get_legend() is not None]
    legends += [(None, leg) for leg in fig.legends]
    for ax, leg in legends:
        bb = leg.get_window_extent()
        for other in _visible_axes(fig) if ax is None else [ax]:
            pts, _ = _display_points(other)
            inside = (
                (pts[:, 0] > bb.x0)
                & (pts[:, 0] < bb.x1)
                & (pts[:, 1] > bb.y0)
                & (pts[:, 1] < bb.y1)
            )
            # clip to the axes: points outside the axes are not drawn
            a = other.get_window_extent()
            drawn = (
                (pts[:, 0] >= a.x0)
                & (pts[:, 0] <= a.x1)
                & (pts[:, 1] >= a.y0)
                & (pts[:, 1] <= a.y1)
            )
            assert not np.any(inside & drawn), (
                name,
                other.get_title(),
                int((inside & drawn).sum()),
            )


@pytest.mark.parametrize("name", list(FIGURES))
def test_every_shown_axis_is_labelled(figures, name):
    """An axis that shows tick labels names its quantity (and the figure has a colorbar label)."""
    fig = figures[name]
    for ax in fig.axes:
        if not ax.get_visible():
            continue
        for axis, label in ((ax.xaxis, ax.get_xlabel()), (ax.yaxis, ax.get_ylabel())):
            shown = [t for t in axis.get_ticklabels() if t.get_visible() and t.get_text()]
            if shown and _has_data(ax) or ax.get_label() == "<colorbar>" and shown:
                assert label.strip(), (name, ax.get_title(), axis.axis_name)


@pytest.mark.parametrize("name", list(FIGURES))
def test_no_empty_axis_range(figures, name):
    """The data span at least MIN_SPAN of each axis (in the axis' own scale)."""
    fig = figures[name]
    for ax in _visible_axes(fig):
        pts, _ = _display_points(ax, data_only=True)
        if len(pts) == 0:
            continue
        vx, hy = _reference_lines(ax)  # a vertical line is data in x only, and vice versa
        extra = [(x, pts[0, 1]) for x in vx] + [(pts[0, 0], y) for y in hy]
        if extra:
            pts = np.vstack([pts, np.asarray(extra)])
        frac = ax.transAxes.inverted().transform(pts)
        inside = np.all((frac >= -1e-6) & (frac <= 1 + 1e-6), axis=1)
        frac = frac[inside]
        assert len(frac), (name, ax.get_title(), "no data inside the axes")
        for k, axis in enumerate("xy"):
            span = frac[:, k].max() - frac[:, k].min()
            assert span >= MIN_SPAN, (name, ax.get_title(), axis, round(float(span), 3))


@pytest.mark.parametrize("name", list(FIGURES))
def test_legend_series_are_distinguishable(figures, name):
    fig = figures[name]
    legends = [ax.get_legend() for ax in fig.axes if ax.get_legend() is not None] + fig.legends
    for leg in legends:
        seen = {}
        for h, t in zip(leg.legend_handles, leg.get_texts(), strict=True):
            key = _style_key(h)
            assert key not in seen, (name, t.get_text(), seen.get(key))
            seen[key] = t.get_text()


def _first(v):
    a = np.asarray(v, dtype=object).ravel()
    return a[0] if a.size else None


def _style_key(h) -> tuple:
    """What tells two legend entries apart: colour, marker, line style, fill, width, hatch."""

    def get(name):
        f = getattr(h, name, None)
        return f() if callable(f) else None

    col = get("get_color")
    if col is None:
        col = get("get_facecolor")
    col = np.asarray(col, dtype=float).reshape(-1, 4)[0] if np.ndim(col) > 1 else col
    cols = matplotlib.colors.to_hex(col, keep_alpha=True) if col is not None else ""
    mfc = get("get_markerfacecolor")
    lw = _first(get("get_linewidth"))
    return (
        cols,
        str(get("get_marker")),
        str(_first(get("get_linestyle"))),
        str(mfc),
        float(lw) if lw is not None else 0.0,
        str(get("get_hatch")),
        float(get("get_alpha") or 1.0),
    )


@pytest.mark.parametrize("name", list(FIGURES))
def test_caption_states_numbers(figures, name):
    cap = style.get_caption(figures[name])
    assert re.search(r"\d", cap), (name, cap)
    assert "|" not in cap  # reST substitution syntax would break the report


def _filled_points(ax) -> np.ndarray:
    """Data coordinates of every filled, opaque marker drawn in an axes."""
    pts = []
    for ln in ax.get_lines():
        if ln.get_marker() in ("None", "", None) or ln.get_transform() != ax.transData:
            continue
        if str(ln.get_markerfacecolor()) == "none" or (ln.get_alpha() or 1.0) < 1.0:
            continue
        pts.append(np.column_stack([ln.get_xdata(), ln.get_ydata()]).astype(float))
    return np.concatenate(pts) if pts else np.zeros((0, 2))


def _panel_model(ds, title: str):
    m = re.match(r"(\d)D (white noise|(\w+), d = ([\d.]+))$", title)
    if not m:
        return None
    dim = int(m.group(1))
    fam, d = (
        (str(ds["family"].values[0]), 0.0)
        if m.group(3) is None
        else (m.group(3), float(m.group(4)))
    )
    return ds.sel(dim=dim, family=fam, d=d)


def _assert_not_filled(fig, ds, coords) -> int:
    """No flagged point of a panel's model is drawn as a filled (result) marker."""
    n = 0
    for ax in fig.axes:
        sub = _panel_model(ds, ax.get_title())
        if sub is None:
            continue
        flag = (sub["regime"].values != 0) & (ds["T"].values > 0)
        xy = coords(sub)
        bad = xy[flag & np.all(np.isfinite(xy), axis=1)]
        filled = _filled_points(ax)
        for p in bad:
            hit = np.all(np.isclose(filled, p, rtol=1e-9, atol=0), axis=1)
            assert not hit.any(), (ax.get_title(), p)
            n += 1
    return n


def test_flagged_points_are_never_drawn_as_results(small_run, figures):
    _, data = small_run
    ds = data["hotcold"]
    e_f = float(json.loads(ds.attrs["config"])["fermi_energy"])
    t = ds["T"].values
    n = _assert_not_filled(
        figures["eta_map"], ds, lambda sub: np.column_stack([sub["eps_th"].values - e_f, t])
    )
    n += _assert_not_filled(
        figures["conductivity"], ds, lambda sub: np.column_stack([1 / t, -sub["ln_sigma"].values])
    )
    assert n > 0  # the small run has flagged points in the panels: the check is live
    texts = [
        t.get_text()
        for ax in figures["threshold"].axes
        if ax.get_legend()
        for t in ax.get_legend().get_texts()
    ]
    assert any("flagged" in x for x in texts)


def test_error_bars_where_the_dataset_has_them(small_run, figures):
    _, data = small_run
    ds = data["hotcold"]
    have = [k for k in ("eps_th_stderr", "ln_sigma_stderr", "T_c_stderr") if k in ds]
    if not have:
        pytest.skip("hotcold.nc carries no eps_th/ln_sigma/T_c stderr yet")
    if "eps_th_stderr" in ds:
        bars = [c for ax in figures["threshold"].axes for c in ax.containers if c.has_yerr]
        assert bars, "threshold: eps_th_stderr present but no error bars drawn"
    if "ln_sigma_stderr" in ds and float(ds["ln_sigma_stderr"].max()) > 0:
        bands = [
            c
            for ax in figures["conductivity"].axes
            for c in ax.collections
            if isinstance(c, mcoll.PolyCollection)
        ]
        assert bands, "conductivity: ln_sigma_stderr present but no band drawn"
    if "T_c_stderr" in ds:
        bars = [c for ax in figures["conductivity"].axes for c in ax.containers if c.has_yerr]
        assert bars, "conductivity: T_c_stderr present but no error bars on T_c"


def test_workflow_writes_the_data_driven_caption(small_run):
    """The figure job writes results/figures/<name>.rst: the template plus this run's numbers."""
    work, _ = small_run
    for name in FIGURES:
        text = (work / "results" / "figures" / f"{name}.rst").read_text()
        template = (ROOT / "workflow" / "report" / f"{name}.rst").read_text().strip()
        assert text.startswith(template), name
        assert "Reduced units" in text, name
        assert "Measured in this run" in text and re.search(
            r"\d", text.split("Measured in this run")[1]
        ), name


def test_place_legend_goes_outside_when_every_corner_is_taken():
    fig, ax = plt.subplots(figsize=(4, 3))
    x = np.linspace(0, 1, 200)
    for y0 in np.linspace(0, 1, 12):  # data everywhere
        ax.plot(x, np.full_like(x, y0), label=None)
    ax.plot(x, x, label="diagonal")
    leg = style.place_legend(ax)
    fig.canvas.draw()
    assert leg.get_window_extent().x0 >= ax.get_window_extent().x1 - 1
    plt.close(fig)


def test_place_legend_stays_inside_when_a_corner_is_free():
    fig, ax = plt.subplots(figsize=(4, 3))
    x = np.linspace(0, 1, 50)
    ax.plot(x, x**4, "o-", label="x^4")  # upper left is empty
    leg = style.place_legend(ax)
    fig.canvas.draw()
    a, b = ax.get_window_extent(), leg.get_window_extent()
    assert a.x0 <= b.x0 and b.x1 <= a.x1 and a.y0 <= b.y0 and b.y1 <= a.y1
    pts = ax.transData.transform(np.column_stack([x, x**4]))
    assert not np.any(
        (pts[:, 0] > b.x0) & (pts[:, 0] < b.x1) & (pts[:, 1] > b.y0) & (pts[:, 1] < b.y1)
    )
    plt.close(fig)


def test_flag_mask_reads_values_and_bits():
    da = xr.DataArray(
        np.array([0, 1, 4, 5], dtype=np.int8),
        attrs={"flag_masks": [1, 2, 4], "flag_meanings": "a b c"},
    )
    assert style.flag_mask(da, "a").tolist() == [False, True, False, True]
    assert style.flag_mask(da, "c").tolist() == [False, False, True, True]
    assert not style.flag_mask(da, "zzz").any()
    dv = xr.DataArray(
        np.array([0, 1, 2]), attrs={"flag_values": [0, 1, 2], "flag_meanings": "x y z"}
    )
    assert style.flag_mask(dv, "y").tolist() == [False, True, False]


def test_threshold_caption_says_which_points_are_in_the_regime(small_run, figures):
    """Issue 9: the report names, per 1D model, the temperatures in the paper's regime,
    counted from the dataset's flags (regime, n_T_source), not hand-written."""
    _, data = small_run
    ds = data["hotcold"]
    cap = style.get_caption(figures["threshold"])
    for fam in ("lorentzian", "exponential"):
        if fam not in ds["family"].values:
            continue
        for d in [float(v) for v in ds["d"].values if v > 0]:
            sub = ds.sel(dim=1, family=fam, d=d)
            chi = sub["chi"].values
            ok = np.isfinite(sub["eps_th"].values) & (chi > 1)
            flag = sub["regime"].values != 0
            if "n_T_source" in sub:
                flag |= style.flag_mask(sub["n_T_source"], "extrapolated")
            good = ok & ~flag
            label = f"1D {fam}, d = {d:g}:"
            if good.any():
                assert f"{label} in the paper's regime at {int(good.sum())} of" in cap, cap
            else:
                assert f"{label} no temperature in the paper's regime" in cap, cap


def test_datasets_carry_the_parameters_of_the_run(small_run):
    """Issue 18: hotcold.nc stores eps_F, m, w, w2 and localization.nc m, w as scalars,
    equal to the configuration the run was given."""
    _, data = small_run
    cfg = tiny_config()
    expected = {
        "hotcold": {
            "eps_F": cfg["fermi_energy"],
            "m": cfg["m"],
            "w": cfg["disorder"]["w"],
            "w2": cfg["disorder"]["w2"],
        },
        "localization": {"m": cfg["m"], "w": cfg["disorder"]["w"]},
    }
    for file, values in expected.items():
        for name, value in values.items():
            da = data[file][name]
            assert da.dims == (), (file, name)
            assert float(da) == value, (file, name)
            assert da.attrs.get("long_name") and da.attrs.get("units"), (file, name)


@pytest.mark.parametrize("name", FIGURES)
def test_figures_need_no_provenance(small_run, figures, name):
    """The figures read the model's parameters from the data: without the global
    attributes (config JSON, provenance) every figure has the same caption and panels."""
    _, data = small_run
    fn, inputs = FIGURES[name]
    bare = []
    for i in inputs:
        ds = data[i].copy()
        ds.attrs = {}
        bare.append(ds)
    fig = fn(*bare)
    try:
        assert style.get_caption(fig) == style.get_caption(figures[name])
        titles = [ax.get_title() for ax in fig.axes]
        assert titles == [ax.get_title() for ax in figures[name].axes]
    finally:
        plt.close(fig)


def _series_colours(fig) -> dict[str, tuple]:
    """Legend label -> (colour, marker) of every labelled series of a figure's axes."""
    from matplotlib.colors import to_hex

    out = {}
    for ax in fig.axes:
        for handle, label in zip(*ax.get_legend_handles_labels(), strict=True):
            line = handle[0] if isinstance(handle, tuple) or hasattr(handle, "lines") else handle
            if hasattr(line, "get_color"):
                out[label] = (to_hex(line.get_color()), line.get_marker())
    return out


def test_a_model_keeps_its_colour_when_the_sweep_changes(small_run):
    """Issue 19 item 6: colour and marker follow the model, not its position in a list."""
    from hotcold.plots.spectral import plot_asymptotics

    _, data = small_run
    spec = data["spectral"]
    full = _series_colours(plot_asymptotics(spec))
    fewer = _series_colours(plot_asymptotics(spec.sel(family=spec["family"].values[1:])))
    common = set(full) & set(fewer)
    assert any("0.5" in label for label in common), (full, fewer)
    assert {k: full[k] for k in common} == {k: fewer[k] for k in common}
    plt.close("all")


def test_nine_models_have_nine_styles():
    """Beyond 8 models no two share colour and marker (the old cycle repeated after 8)."""
    from hotcold.plots.style import model_style

    models = [("white", 0.0)] + [
        (f, d) for f in ("lorentzian", "exponential", "gaussian") for d in (0.25, 0.375, 0.5)
    ]
    assert len({model_style(f, d) for f, d in models}) == len(models) == 10


def test_mott_figure_names_every_model_and_fits_only_its_range(small_run, figures):
    """Issue 19 item 3: every model is drawn or named with its reason; a fit line spans only
    the points it was fitted to (it used to be extrapolated over the whole axis)."""
    from hotcold.plots.spectral import iter_models

    fig = figures["mott_peak"]
    caption = style.get_caption(fig)
    ax = fig.axes[0]
    drawn = set(ax.get_legend_handles_labels()[1])
    for label, _ in iter_models(small_run[1]["spectral"]):
        named = [ln for ln in caption.splitlines() if ln.startswith(f"- {label}:")]
        assert label in drawn or (named and "not drawn:" in named[0]), label
    xs = np.concatenate([c[0].get_xdata() for c in ax.containers]) if ax.containers else []
    fits = [ln for ln in ax.get_lines() if ln.get_linestyle() == ":"]
    for line in fits:
        x = np.asarray(line.get_xdata())
        assert x.min() >= np.min(xs) - 1e-12 and x.max() <= np.max(xs) + 1e-12
    assert "l_peak/Eq.(7)" in caption  # the comparison with Eq. (7) in numbers


# ---------------------------------------------------------------------------
# issue 19 item 6: small multiples by family beyond 8 models
# ---------------------------------------------------------------------------


def _nt_model(fam: str, d: float, scale: float) -> xr.Dataset:
    """One synthetic model of a merged spectral dataset: n_T = scale * Eq. (6)."""
    t = np.exp(-np.linspace(1.0, 3.0, 5))  # Delta_c = xi_c = 1
    eq6 = 2 * np.pi**2 / 3 * t**2
    flags = {"flag_values": [0, 1], "flag_meanings": "numerical extrapolated"}
    ds = xr.Dataset(
        {
            "n_T": ("T", scale * eq6),
            "n_T_stderr": ("T", 0.05 * eq6),
            "n_T_eq6": ("T", eq6),
            "n_T_source": ("T", np.zeros(5, np.int8), flags),
            "Delta_c": ((), 1.0),
            "xi_c": ((), 1.0),
            "rho_c": ((), 1.0),
            "is_model": ((), True),
        },
        coords={"T": t},
    )
    return ds.expand_dims(family=[fam], d=[d])


def _sweep(fams, dvals) -> xr.Dataset:
    """A merged (family, d) spectral dataset of len(fams) x len(dvals) models."""
    rows = [
        xr.concat([_nt_model(f, d, 0.5 + 0.1 * j) for j, d in enumerate(dvals)], dim="d")
        for f in fams
    ]
    return xr.concat(rows, dim="family")


def _panel_series(fig) -> dict[str, set[str]]:
    """Title -> labels of the model series (errorbar containers) of each visible axes."""
    return {
        ax.get_title(): {c.get_label() for c in ax.containers}
        for ax in fig.axes
        if ax.get_visible()
    }


def test_twelve_models_get_one_panel_per_family():
    """4 families x 3 d: one panel per family, each holding exactly that family's 3 series,
    shared limits, and a caption sentence naming the layout."""
    fams, dvals = ["lorentzian", "exponential", "gaussian", "spare"], [0.25, 0.5, 1.0]
    fig = sp_plots.plot_thermal_density(_sweep(fams, dvals))
    try:
        series = _panel_series(fig)
        assert len(series) == 4, series
        for fam in fams:
            (title,) = [t for t in series if t.startswith(fam)]
            assert series[title] == {f"{fam} d={d:g}" for d in dvals}, (title, series[title])
        axes = [ax for ax in fig.axes if ax.get_visible()]
        assert len({ax.get_ylim() for ax in axes}) == len({ax.get_xlim() for ax in axes}) == 1
        assert "one panel per family" in style.get_caption(fig)
    finally:
        plt.close(fig)


def test_eight_models_stay_on_one_axes():
    """At the threshold (8 models) the single shared axes and its caption are unchanged."""
    assert style.MAX_SHARED_MODELS == 8
    fig = sp_plots.plot_thermal_density(_sweep(["lorentzian", "exponential"], [0.1, 0.2, 0.4, 0.8]))
    try:
        assert len(fig.axes) == 1 and len(fig.axes[0].containers) == 8
        assert "one panel per family" not in style.get_caption(fig)
    finally:
        plt.close(fig)


def _more_d(ds: xr.Dataset, new: dict[float, float]) -> xr.Dataset:
    """The merged dataset with extra d values, each a copy of an existing d's data."""
    parts = [ds] + [ds.sel(d=[src]).assign_coords(d=[dn]) for dn, src in new.items()]
    out = xr.concat(parts, dim="d", data_vars="minimal", coords="minimal", compat="override")
    return out.sortby("d")


#: Figures that split beyond 8 models: function, dataset, and which of the tiny run's
#: visible axes are per-model axes that split (title -> bool) and how many there are.
SPLIT = {
    "thermal_density": (sp_plots.plot_thermal_density, "spectral", lambda t: True, 1),
    "mott_peak": (sp_plots.plot_mott_peak, "spectral", lambda t: True, 1),
    "threshold": (threshold.plot_threshold, "hotcold", lambda t: t.startswith("2D"), 1),
    "asymptotics": (sp_plots.plot_asymptotics, "spectral", lambda t: True, 2),
    "conductivity": (conductivity.plot_conductivity, "hotcold", lambda t: "T_c" in t, None),
}


@pytest.mark.parametrize("name", SPLIT)
def test_default_layout_is_kept_and_a_big_sweep_is_split(small_run, figures, name):
    """The tiny run (5 models) keeps its axes; with 3 more d (9 models) the per-model axes
    split into one panel per family, white noise in each, every model in its family's."""
    fn, key, splits, k = SPLIT[name]
    ds = small_run[1][key]
    before = figures[name] if name in figures else fn(ds)
    axes = [ax for ax in before.axes if ax.get_visible()]
    per_model = [ax for ax in axes if splits(ax.get_title())]
    k = k or ds.sizes["dim"]  # conductivity: one T_c panel per dimension
    assert len(per_model) == k and len(axes) == {"threshold": 3, "conductivity": len(axes)}.get(
        name, k
    ), [ax.get_title() for ax in axes]
    big = _more_d(ds, {0.25: 0.5, 0.375: 0.5, 1.0: 0.5})
    fams = [f for f in big["family"].values if f != "white"]
    fig = fn(big)
    try:
        after = [ax for ax in fig.axes if ax.get_visible()]
        if name != "conductivity":  # there the -ln sigma panels grow with the models
            assert len(after) == len(axes) - k + k * len(fams)
        panels = [ax for ax in after if any(str(f) in ax.get_title() for f in fams)]
        panels = [ax for ax in panels if splits(ax.get_title())]
        assert len(panels) == k * len(fams), [ax.get_title() for ax in after]
        for ax in panels:
            (fam,) = [str(f) for f in fams if str(f) in ax.get_title()]
            labels = ax.get_legend_handles_labels()[1]
            other = [str(f) for f in fams if str(f) != fam]
            assert not any(o in lab for lab in labels for o in other), (fam, labels)
            white = name not in ("threshold", "conductivity") or (
                name == "conductivity" and _white_has_tc(big, ax.get_title())
            )
            assert any("white" in lab for lab in labels) or not white, labels
        assert "one panel per family" in style.get_caption(fig)
    finally:
        plt.close(fig)
        if name not in figures:
            plt.close(before)


def _white_has_tc(ds: xr.Dataset, title: str) -> bool:
    """Whether white noise has a T_c value in the dimension a T_c panel's title names."""
    dim = int(title.split("D", 1)[0])
    tc = ds["T_c"].sel(dim=dim, family="white", d=0.0)
    return bool(np.isfinite(tc.values).any())


# asymptotics: 12 models of 4 families, white noise, the threshold at 8


def _asym_model(fam: str, d: float, scale: float) -> xr.Dataset:
    """One synthetic model for ``asymptotics``: n_T (:func:`_nt_model`) and l_peak."""
    om = np.array([0.02, 0.05, 0.1])
    lp = scale * 2 * np.log(1 / om)  # Delta_c = xi_c = 1: Eq. (7) = 2 ln(1/omega)
    ds = _nt_model(fam, d, scale).isel(family=0, d=0, drop=True)
    ds = ds.assign(
        l_peak=("omega", lp),
        l_peak_stderr=("omega", 0.05 * lp),
        l_peak_eq5=("omega", 0.9 * 2 * np.log(1 / om)),
        mott_fit_omega_max=((), 0.2),
    ).assign_coords(omega=om)
    return ds.expand_dims(family=[fam], d=[d])


def _asym_sweep(fams, dvals, white: bool = True) -> xr.Dataset:
    """A merged (family, d) dataset: white noise once (family 'white', d = 0) if ``white``."""
    cells = {(f, d): _asym_model(f, d, 0.4 + 0.05 * j) for f in fams for j, d in enumerate(dvals)}
    if white:
        cells[("white", 0.0)] = _asym_model("white", 0.0, 0.3)
    merged = xr.combine_by_coords(list(cells.values()), join="outer", combine_attrs="override")
    return merged.assign(is_model=merged["n_T"].notnull().any("T"))


def _colours(ax, refs=("#000000", "#737373")) -> set[str]:
    """Colours of the data lines of an axes (marker edge where a marker is drawn)."""
    from matplotlib.colors import to_hex

    out = set()
    for ln in ax.get_lines():
        if ln.get_transform() != ax.transData or len(ln.get_xdata()) == 0:
            continue  # axhline/axvline, legend-only entries
        marked = ln.get_marker() not in (None, "None", "", " ")
        out.add(to_hex(ln.get_markeredgecolor() if marked else ln.get_color()))
    return out - set(refs)


def test_asymptotics_twelve_models_one_panel_per_family_and_side():
    """4 families x 3 d and white noise: each side becomes a row of 4 family panels; each
    panel draws exactly its family's 3 models and white noise; rows share their axes."""
    fams, dvals = ["lorentzian", "exponential", "gaussian", "spare"], [0.25, 0.5, 1.0]
    fig = sp_plots.plot_asymptotics(_asym_sweep(fams, dvals))
    try:
        axes = [ax for ax in fig.axes if ax.get_visible()]
        assert len(axes) == 2 * len(fams)
        white = style.model_style("white", 0.0)[0]
        for row in (axes[: len(fams)], axes[len(fams) :]):
            assert sorted(ax.get_title().split()[0] for ax in row) == sorted(fams)
            for ax in row:
                fam = ax.get_title().split()[0]
                want = {style.model_style(fam, d)[0] for d in dvals} | {white}
                assert _colours(ax) == want, (fam, _colours(ax), want)
            assert len({ax.get_ylim() for ax in row}) == len({ax.get_xlim() for ax in row}) == 1
            assert row[0].get_ylabel() and not row[1].get_ylabel()  # label_panels
            assert all(ax.get_xlabel() for ax in row)
        caption = style.get_caption(fig)
        assert "one panel per family (" in caption
        assert "Verdict" in caption and caption.count("g(") == 13  # every model's note, once
    finally:
        plt.close(fig)


def test_asymptotics_eight_models_stay_on_two_axes():
    """8 models (no white noise): the two shared axes, caption without the multiples note;
    the same sweep with white noise (9 models) splits."""
    fams, dvals = ["lorentzian", "exponential", "gaussian", "spare"], [0.25, 0.5]
    fig = sp_plots.plot_asymptotics(_asym_sweep(fams, dvals, white=False))
    try:
        assert len(fig.axes) == 2 and len(fig.axes[0].containers) == 8
        assert "one panel per family" not in style.get_caption(fig)
    finally:
        plt.close(fig)
    fig = sp_plots.plot_asymptotics(_asym_sweep(fams, dvals))
    try:
        assert len([ax for ax in fig.axes if ax.get_visible()]) == 2 * len(fams)
    finally:
        plt.close(fig)
