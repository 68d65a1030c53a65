"""The ``localization_2d`` figure (issue 20 item 8) on a synthetic merged dataset with a known
answer: every model drawn (cells that hold no model skipped), unconverged labels drawn as
lower bounds (up-triangles, never on a line), and a caption that judges d ln xi/d eps
against pi tau with numbers and names the model without a finite xi_2D.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import xarray as xr  # noqa: E402

from hotcold.plots import style  # noqa: E402
from hotcold.plots.localization2d import plot_localization_2d  # noqa: E402

FAMS = ("white", "gaussian", "lorentzian")
DS_ = (0.0, 0.5)
EPS = np.array([1.0, 1.5, 2.0, 2.5])
W = np.array([2.0, 4.0, 8.0, 16.0])
COEF = np.array([1.0, -0.2])  # 1/Lambda = x + 1 - 0.2 ln x: positive over the test's x
PI_TAU = 2.0
LN_EQ20 = np.log(1.5) + PI_TAU * EPS  # ln(v tau) + pi eps tau
#: (family, d) -> xi_source per eps, slope and its error, chi2, dof
MODELS = {
    ("white", 0.0): ([0, 0, 0, 2], 2.1, 0.1, 3.0, 4),  # slope/pi tau = 1.05 +- 0.05: agrees
    ("gaussian", 0.5): ([1, 1, 1, 1], 1.0, 0.1, 5.0, 4),  # 0.5 +- 0.05: 10 sigma below
    ("lorentzian", 0.5): ([2, 2, 2, 2], np.nan, np.nan, 70.0, 4),  # rejected: no finite xi
}
JUNK_SHIFT = 5.0  # the shift of the cells that hold no model
LOWER = 7.0  # the white-noise lower bound at eps = 2.5 [length]


def _model_vars(src: list[int], slope: float, slope_se: float, chi2: float, dof: int) -> dict:
    """One model's variables: xi_M from the collapse form, xi = 0.8 x Eq. (20) where finite."""
    src = np.asarray(src)
    xi_true = 0.8 * np.exp(LN_EQ20) / 40.0  # small enough for the strips: 0.6 .. 4.4
    x = W[None, :] / xi_true[:, None]
    xi_m = W[None, :] / (x + COEF[0] + COEF[1] * np.log(x))
    fin = src < 2
    xi = np.where(fin, xi_true, np.nan)
    return {
        "energy": EPS - 0.1 * EPS,
        "shift": -0.1 * EPS,
        "shift_stderr": np.full(EPS.size, 0.01),
        "xi_M": xi_m,
        "xi_M_stderr": 0.02 * xi_m,
        "xi": xi,
        "xi_stderr": 0.05 * xi,
        "xi_lower_bound": np.where(fin, np.nan, LOWER),
        "xi_source": src.astype(float),
        "collapse_chi2": chi2,
        "collapse_dof": float(dof),
        "collapse_coef": COEF,
        "eq20_slope": slope,  # what the verdict reads
        "eq20_slope_stderr": slope_se,
        "dlnxi_deps": slope + 0.36,  # + d ln(v tau)/d eps: not Eq. (20)'s exponent
        "dlnxi_deps_stderr": slope_se,
        "pi_tau": PI_TAU,
        "ln_xi_eq20": LN_EQ20 - np.log(40.0),
    }


def _dataset(models: dict = MODELS) -> xr.Dataset:
    """A merged (family, d) dataset; the cells that hold no model carry junk that must not show."""
    junk = _model_vars([0, 0, 0, 0], 9.0, 0.1, 1.0, 4)  # the layout of every cell
    cells = {(f, d): _model_vars(*models.get((f, d), ([0, 0, 0, 0], 9, 0.1, 1, 4)))
             for f in FAMS for d in DS_}  # fmt: skip
    dims = {"xi_M": ("eps", "width"), "xi_M_stderr": ("eps", "width"), "collapse_coef": ("coef",)}
    data = {}
    for name, val in junk.items():
        stack = np.array([[cells[f, d][name] for d in DS_] for f in FAMS], dtype=float)
        data[name] = (("family", "d", *dims.get(name, ("eps",) if np.ndim(val) else ())), stack)
    data["is_model"] = (("family", "d"), np.array([[(f, d) in models for d in DS_] for f in FAMS]))
    ds = xr.Dataset(data, coords={"family": list(FAMS), "d": list(DS_), "eps": EPS, "width": W})
    ds["shift"] = ds["shift"].where(ds["is_model"], JUNK_SHIFT)  # must never be drawn
    ds["xi_source"].attrs.update(flag_values=[0, 1, 2],
                                 flag_meanings="strip_direct scaling unconverged")  # fmt: skip
    return ds


@pytest.fixture(scope="module")
def figure():
    fig = plot_localization_2d(_dataset())
    yield fig
    plt.close(fig)


def _points(ln) -> np.ndarray:
    return np.column_stack([ln.get_xdata(), ln.get_ydata()]).astype(float)


def test_every_model_is_drawn_and_no_empty_cell(figure):
    labels = [t.get_text() for t in figure.legends[0].get_texts()]
    models = [t for t in labels if ": collapse" in t]
    assert len(models) == 3, labels  # the three is_model cells, not the junk ones
    for name in ("white noise", "gaussian, d = 0.5", "lorentzian, d = 0.5"):
        assert any(t.startswith(name) for t in models), (name, labels)
    mid = figure.axes[1]
    colours = {matplotlib.colors.to_hex(ln.get_color()) for ln in mid.get_lines()}
    for key in MODELS:
        assert style.model_style(*key)[0] in colours, key
    shifts = np.concatenate([_points(ln)[:, 1] for ln in figure.axes[2].get_lines()])
    assert np.isclose(shifts, -0.1 * EPS[:, None]).any(axis=0).sum() >= 1
    assert not np.isclose(shifts, JUNK_SHIFT).any()  # no cell without a model is drawn


def test_unconverged_point_is_an_up_triangle_never_on_a_line(figure):
    lb = np.array([2.5, np.log(LOWER)])
    on = [ln for ax in figure.axes for ln in ax.get_lines() if (np.abs(_points(ln) - lb) < 1e-9)
          .all(axis=1).any()]  # fmt: skip
    assert on, "the lower bound is not drawn"
    assert any(ln.get_marker() == "^" and ln.get_linestyle() == "None" for ln in on)
    for ln in on:  # never a vertex of a joined or fitted line
        assert ln.get_linestyle() in ("None", "none", ""), (ln.get_marker(), ln.get_linestyle())


def test_collapse_panel_holds_only_finite_xi_and_curves_over_their_range(figure):
    ax = figure.axes[0]
    pts = [ln for ln in ax.get_lines() if ln.get_linestyle() in ("None", "none", "")]
    pts = [ln for ln in pts if ln.get_marker() not in ("None", "", None, "_")]
    n = sum(len(ln.get_xdata()) for ln in pts)
    assert n == (3 + 4) * W.size  # white: 3 strip_direct, gaussian: 4 scaling; no bound
    curves = [ln for ln in ax.get_lines() if ln.get_linestyle() in ("-", "--")]
    assert len(curves) == 2
    x_all = np.concatenate([ln.get_xdata() for ln in pts])
    for ln in curves:
        x = np.asarray(ln.get_xdata())
        assert x.min() >= x_all.min() * (1 - 1e-12) and x.max() <= x_all.max() * (1 + 1e-12)


def test_caption_says_lower_bound_and_the_slope_verdicts(figure):
    cap = style.get_caption(figure)
    assert "lower bound" in cap
    assert "5 unconverged" in cap and "3 strip_direct" in cap and "4 from the scaling" in cap
    # white: 2.1/2 = 1.05, s.e. 0.1/2 = 0.05, (1.05 - 1)/0.05 = 1.0 sigma
    assert "d ln(xi/(v tau))/d eps = 2.1 +- 0.1 [1/energy] against pi tau = 2" in cap
    assert "d ln xi/d eps itself = 2.46 +- 0.1" in cap  # not the one compared
    assert "agrees with pi tau within errors (ratio 1.05 +- 0.05, 1.0 sigma)" in cap
    # gaussian: 1.0/2 = 0.5 +- 0.05, (0.5 - 1)/0.05 = -10 sigma
    assert "differs from pi tau: ratio 0.5 +- 0.05, 10 sigma below" in cap
    # xi = 0.8 x Eq. (20) at every finite label of both models
    assert "prefactor xi/(v tau e^(pi eps tau)) = 0.8 at eps = 1 to 2" in cap
    assert "E - eps = -0.25 to -0.1 [energy]" in cap


def test_caption_names_the_model_without_finite_xi(figure):
    cap = style.get_caption(figure)
    assert "2D lorentzian, d = 0.5 has no finite xi_2D" in cap
    assert "collapse rejected, chi2/dof = 70/4" in cap
    assert "2D white noise has no finite" not in cap


def test_no_lower_bound_without_unconverged_labels():
    models = {k: v for k, v in MODELS.items() if k != ("lorentzian", 0.5)}
    models[("white", 0.0)] = ([0, 0, 0, 0], *MODELS[("white", 0.0)][1:])
    fig = plot_localization_2d(_dataset(models))
    cap = style.get_caption(fig)
    plt.close(fig)
    assert "lower bound" not in cap and "0 unconverged" in cap
    assert "no finite xi_2D" not in cap


def test_without_any_xi_the_left_panel_shows_the_strips():
    """No model with a finite xi_2D: the left panel draws Lambda = xi_M/W against W (every
    (eps, width) of the model) instead of an empty collapse."""
    models = {("lorentzian", 0.5): MODELS[("lorentzian", 0.5)]}
    fig = plot_localization_2d(_dataset(models))
    try:
        ax = fig.axes[0]
        pts = np.concatenate([np.asarray(c[0].get_xdata()) for c in ax.containers])
        assert pts.size == EPS.size * W.size and set(pts) == set(W)
        assert "strip width" in ax.get_xlabel()
    finally:
        plt.close(fig)
