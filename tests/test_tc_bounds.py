"""T_c found below the search range is a bound, not a value (issue 19 item 1)."""

from __future__ import annotations

import re

import matplotlib.pyplot as plt
import numpy as np
import pytest
import xarray as xr
from conftest import default_config

from hotcold.hotcold import hotcold_dataset, reduce_replicas, tc_regime
from hotcold.threshold import TC_STATUS

FOUND, BELOW = TC_STATUS.index("found"), TC_STATUS.index("below_search")


def _replicated(tc: np.ndarray, status: np.ndarray) -> xr.Dataset:
    """T_c and its status over (replica, xi_max): replica 0 the full sample."""
    return xr.Dataset(
        {
            "T_c": (("replica", "xi_max"), tc),
            "T_c_status": (("replica", "xi_max"), status.astype(np.int8)),
        }
    )


def test_a_bound_is_stored_apart_and_has_no_error():
    tc = np.array([[0.02, 0.005], [0.021, 0.005], [0.019, 0.005]])
    status = np.array([[FOUND, BELOW]] * 3)
    groups = np.array(["full", "localization", "localization"])
    out = reduce_replicas(_replicated(tc, status), groups)
    assert out["T_c"].values[0] == 0.02 and np.isnan(out["T_c"].values[1])
    assert np.isnan(out["T_c_upper_bound"].values[0]) and out["T_c_upper_bound"].values[1] == 0.005
    se = out["T_c_stderr"].values
    assert se[0] > 0 and np.isnan(se[1])  # a bound carries no standard error


def test_the_regime_flag_of_a_bound_says_no_value():
    ds = {
        "T_c": xr.DataArray([0.005, 0.005], dims="xi_max"),
        "T_c_status": xr.DataArray(np.array([BELOW, FOUND], np.int8), dims="xi_max"),
        "Delta_c": xr.DataArray(1.0),
        "kF_xi_c": xr.DataArray(100.0),
    }
    reg = tc_regime(ds, strong_kfxi=3.0).values
    assert reg[0] & 2 and not reg[1] & 2  # "undefined" only for the bound


@pytest.fixture(scope="module")
def bounded_hotcold():
    """The default sweep's hotcold dataset (7 models, 1D and 2D) with one T_c made a bound."""
    cfg = default_config()
    ds = hotcold_dataset(cfg, settings={"energy_num": 48, "tc_scan_num": 24}, log=lambda m: None)
    cell = {"dim": 1, "family": "gaussian", "d": 0.5, "xi_max": ds["xi_max"].values[-1]}
    bound = 0.00123456
    ds["T_c_upper_bound"].loc[cell] = bound
    ds["T_c"].loc[cell] = np.nan
    ds["T_c_status"].loc[cell] = BELOW
    return ds, bound


@pytest.fixture(scope="module")
def conductivity_with_a_bound(bounded_hotcold):
    from hotcold.plots.conductivity import plot_conductivity
    from hotcold.plots.style import get_caption

    ds, bound = bounded_hotcold
    fig = plot_conductivity(ds)
    return get_caption(fig), bound, fig


def test_conductivity_caption_writes_a_bound_as_a_bound(conductivity_with_a_bound):
    caption, bound, _ = conductivity_with_a_bound
    assert f"<= {bound:.3g} (upper bound)" in caption
    assert not re.search(rf"(?<!<)= {bound:.2g}", caption)  # never "T_c = <bound>"


def test_a_bound_is_drawn_as_a_down_triangle_and_not_fitted(conductivity_with_a_bound):
    caption, bound, fig = conductivity_with_a_bound
    triangles = [
        line
        for ax in fig.axes
        for line in ax.get_lines()
        if line.get_marker() == "v" and len(line.get_ydata())
    ]
    assert triangles, "no down-triangle drawn for the upper bound"
    assert "upper bound on T_c" in caption


# ---------------------------------------------------------------------------
# issue 19 item 6: the T_c panels split by family beyond 8 models; bounds stay bounds
# ---------------------------------------------------------------------------


def _copied(ds: xr.Dataset, dim: str, new: dict) -> xr.Dataset:
    """``ds`` with extra labels along ``dim`` ('family' or 'd'), each a copy of another's data."""
    parts = [ds] + [ds.sel({dim: [src]}).assign_coords({dim: [dn]}) for dn, src in new.items()]
    return xr.concat(parts, dim=dim, data_vars="minimal", coords="minimal", compat="override")


def _colours(ax) -> set[str]:
    """Colours of an axes' data lines (marker edge where a marker is drawn); no axhline."""
    from matplotlib.colors import to_hex

    out = set()
    for ln in ax.get_lines():
        if ln.get_transform() != ax.transData or len(ln.get_xdata()) == 0:
            continue
        marked = ln.get_marker() not in (None, "None", "", " ")
        out.add(to_hex(ln.get_markeredgecolor() if marked else ln.get_color()))
    return out


def _has_tc(ds: xr.Dataset, dim: int, fam: str, d: float) -> bool:
    """Whether a model has a T_c value or bound at some xi_max (so the T_c panel draws it)."""
    from hotcold.plots.common import model_sub

    sub = model_sub(ds, dim, fam, d)
    return bool(np.isfinite(sub["T_c"]).any() or np.isfinite(sub["T_c_upper_bound"]).any())


def _tc_axes(fig) -> list:
    return [ax for ax in fig.axes if ax.get_visible() and "T_c" in ax.get_title()]


@pytest.fixture(scope="module")
def spare_family():
    """A fourth correlated family (registered by name only: the figure draws, not computes)."""
    from hotcold import families

    fam = families.register(type("Spare", (families.Family,), {"name": "spare"})())
    yield fam
    del families.FAMILIES[fam.name]


@pytest.fixture(scope="module")
def twelve_models(bounded_hotcold, spare_family):
    """4 families x 3 d and white noise (13 models), the bound copied to gaussian d = 1."""
    from hotcold.plots.conductivity import plot_conductivity

    ds, bound = bounded_hotcold
    big = _copied(_copied(ds, "d", {1.0: 0.5}), "family", {"spare": "lorentzian"})
    fig = plot_conductivity(big)
    yield big, bound, fig
    plt.close(fig)


def test_twelve_models_split_the_tc_panels_by_family(twelve_models):
    """One T_c panel per (dimension, family), drawing exactly that family's models with a
    T_c (value or bound) and white noise (where it has one); a dimension's panels share
    their axes; the caption names the layout."""
    from hotcold.plots.style import get_caption, model_style

    big, _, fig = twelve_models
    fams, dvals = ["lorentzian", "exponential", "gaussian", "spare"], [0.25, 0.5, 1.0]
    axes, drawn = _tc_axes(fig), []
    assert sorted(ax.get_title() for ax in axes) == sorted(
        f"{dim}D T_c: {fam} (lighter: larger d)" for dim in (1, 2) for fam in fams
    )
    for ax in axes:
        dim, fam = int(ax.get_title()[0]), ax.get_title().split()[2]
        want = {model_style(fam, d)[0] for d in dvals if _has_tc(big, dim, fam, d)}
        if _has_tc(big, dim, "white", 0.0):
            want.add(model_style("white", 0.0)[0])
        assert _colours(ax) == want, (ax.get_title(), _colours(ax), want)
        drawn.append(bool(want))
    two_d = [w for ax, w in zip(axes, drawn, strict=True) if ax.get_title().startswith("2D")]
    assert len(two_d) == 4 and all(two_d), drawn  # (1D lorentzian has no T_c here)
    for dim in (1, 2):
        row = [ax for ax in axes if ax.get_title().startswith(f"{dim}D")]
        assert len({ax.get_xlim() for ax in row}) == len({ax.get_ylim() for ax in row}) == 1
        assert sum(bool(ax.get_ylabel()) for ax in row) == 1  # label_panels: left column
    assert "T_c panels: more than 8 models: one panel per family" in get_caption(fig)


def test_bounds_stay_unfitted_triangles_in_their_family_panel(
    twelve_models, conductivity_with_a_bound
):
    """The bound (gaussian d = 0.5 and its copy d = 1) is a hollow down-triangle in the 1D
    gaussian panel only, joined by no line; the caption says the same of it as at 7 models."""
    from hotcold.plots.style import get_caption, model_style

    big, bound, fig = twelve_models
    caption7, _, _ = conductivity_with_a_bound
    dc = float(big["Delta_c"].sel(dim=1, family="gaussian", d=0.5))
    for ax in _tc_axes(fig):
        tri = [ln for ln in ax.get_lines() if ln.get_marker() == "v" and len(ln.get_ydata())]
        if ax.get_title() != "1D T_c: gaussian (lighter: larger d)":
            assert not tri, ax.get_title()
            continue
        cols = {model_style("gaussian", d)[0] for d in (0.5, 1.0)}
        mine = [ln for ln in tri if ln.get_markeredgecolor() in cols]
        assert len(mine) == 2 and all(ln.get_markerfacecolor() == "none" for ln in mine)
        for ln in mine:
            x = float(np.asarray(ln.get_xdata())[np.isclose(ln.get_ydata(), bound / dc)][0])
            joined = [
                other
                for other in ax.get_lines()
                if other.get_linestyle() not in ("None", "")
                and other.get_transform() == ax.transData
                and np.isclose(np.asarray(other.get_xdata(), float), x).any()
            ]
            assert not joined, "a line runs through an upper bound"
    caption = get_caption(fig)
    for model in ("1D gaussian, d = 0.5",):
        lines7 = [ln for ln in caption7.splitlines() if ln.startswith(f"- {model}:")]
        assert lines7 and lines7 == [
            ln for ln in caption.splitlines() if ln.startswith(f"- {model}:")
        ]
    assert f"<= {bound:.3g} (upper bound)" in caption


def test_eight_models_keep_one_tc_axes_per_dimension(bounded_hotcold, spare_family):
    """At 8 models (4 families x 2 d, no white noise) one T_c axes per dimension and no
    multiples note; with white noise (9 models) the panels split."""
    from hotcold.plots.conductivity import plot_conductivity
    from hotcold.plots.style import get_caption

    ds, _ = bounded_hotcold
    four = _copied(ds, "family", {"spare": "lorentzian"})
    fams = [str(f) for f in four["family"].values if f != "white"]
    fig = plot_conductivity(four.sel(family=fams))
    try:
        assert [ax.get_title() for ax in _tc_axes(fig)] == [
            rf"{dim}D: $T_c(\xi_{{max}})$, bounded $\xi$" for dim in (1, 2)
        ]
        assert "one panel per family" not in get_caption(fig)
    finally:
        plt.close(fig)
    fig = plot_conductivity(four)
    try:
        assert len(_tc_axes(fig)) == 2 * len(fams)
    finally:
        plt.close(fig)
