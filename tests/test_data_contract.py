"""The variable tables against the data contract (docs/physics.md §2; issue 12 item 3).

Each merged dataset's variables are declared once, in a table next to the code
that computes them (``LOCALIZATION_VARIABLES``, ``SPECTRAL_VARIABLES``,
``HOTCOLD_VARIABLES``).  These tests hold the tables to docs/physics.md §2: the contract's
variables exist with the contract's dimensions, every row has units and a
long name, every closed-form comparison names its equation, and every measured
estimate has its standard error.
"""

from __future__ import annotations

import numpy as np
import pytest

from hotcold.hotcold import HOTCOLD_VARIABLES
from hotcold.localization import LOCALIZATION_VARIABLES
from hotcold.spectral import SPECTRAL_VARIABLES

MODEL = ("family", "d")  # merged datasets stack per-model tables over (family, d)

# docs/physics.md §2 table: file -> (variables, dims in the merged file)
CONTRACT = {
    "localization": (
        LOCALIZATION_VARIABLES,
        MODEL,
        {
            name: ("energy",)
            for name in ("xi", "xi_stderr", "lyapunov", "idos", "dos", "xi_born", "xi_source")
        },
    ),
    "spectral": (
        SPECTRAL_VARIABLES,
        MODEL,
        {"S": ("omega", "x"), "S_eq5": ("omega", "x"), "n_T": ("T",), "n_T_eq6": ("T",)},
    ),
    "hotcold": (
        HOTCOLD_VARIABLES,
        (),
        {
            "eta_hc": ("dim", "family", "d", "T", "energy"),
            **{
                name: ("dim", "family", "d", "T")
                for name in (
                    "eps_th",
                    "n_h",
                    "ln_sigma",
                    "eps_th_eq14",
                    "eps_th_eq15",
                    "eps_th_eq28",
                    "ln_sigma_eq29",
                )
            },
        },
    ),
}


@pytest.mark.parametrize("name", CONTRACT)
def test_contract_variables_declared_with_their_dims(name):
    table, prefix, required = CONTRACT[name]
    for var, dims in required.items():
        assert var in table, f"{name}: {var} missing from the variable table"
        merged_dims = prefix + tuple(table[var].dims)
        assert merged_dims == prefix + dims, f"{name}.{var}: dims {merged_dims}, contract {dims}"


@pytest.mark.parametrize("name", CONTRACT)
def test_every_row_has_units_long_name(name):
    table = CONTRACT[name][0]
    for var, spec in table.items():
        assert spec.units, f"{name}.{var}: no units"
        assert spec.long_name.strip(), f"{name}.{var}: no long_name"


@pytest.mark.parametrize("name", CONTRACT)
def test_closed_forms_cite_their_equation(name):
    """A variable named after a paper equation (``*_eqN``) carries that equation number."""
    table = CONTRACT[name][0]
    for var, spec in table.items():
        if "_eq" in var:
            number = var.split("_eq")[1].split("_")[0]
            assert spec.equation and f"({number})" in spec.equation, (
                f"{name}.{var}: equation attribute {spec.equation!r} does not cite Eq. ({number})"
            )


@pytest.mark.parametrize(
    "name,estimates",
    [
        ("localization", ("xi", "lyapunov", "idos", "dos")),
        ("spectral", ("S", "l_peak", "n_T", "mott_slope", "xi_c", "rho_c")),
        ("hotcold", ("eta_hc", "eps_th", "n_h", "ln_sigma", "T_c", "eps_lo", "eps_hi", "n_T")),
    ],
)
def test_estimates_carry_stderr(name, estimates):
    """docs/physics.md §2 / issue 9: every estimate carries its uncertainty, with the same dims."""
    table = CONTRACT[name][0]
    for var in estimates:
        err = table.get(f"{var}_stderr")
        assert err is not None, f"{name}.{var}_stderr missing"
        assert err.dims == table[var].dims, f"{name}.{var}_stderr dims {err.dims}"
        assert err.units == table[var].units, f"{name}.{var}_stderr units {err.units}"


def test_units_come_from_one_vocabulary():
    """One spelling per unit (issue 18): every table's units are "1" or in REDUCED_UNITS."""
    from hotcold import datasets, matrix_elements

    tables = {name: spec[0] for name, spec in CONTRACT.items()}
    tables["matrix_elements"] = matrix_elements.VARS
    tables["parameters"] = datasets.PARAMETER_VARIABLES
    for name, table in tables.items():
        for var, spec in table.items():
            assert spec.units == "1" or spec.units in datasets.REDUCED_UNITS, (
                f"{name}.{var}: unit {spec.units!r} is not in the vocabulary"
            )


@pytest.mark.parametrize("spelling", ["1/(energy*length)", "1/(length energy)", "Energy"])
def test_a_second_spelling_of_a_unit_is_refused(spelling):
    from hotcold.datasets import cf_units

    with pytest.raises(ValueError, match="REDUCED_UNITS"):
        cf_units(spelling)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The three datasets as the package's own builders make them, written to netCDF by
    ``datasets.write_netcdf`` and read back (what a user opens)."""
    import copy

    import numpy as np
    import xarray as xr
    from conftest import default_config
    from test_spectral import _model_ds

    from hotcold.datasets import write_netcdf
    from hotcold.disorder import Model
    from hotcold.hotcold import hotcold_dataset
    from hotcold.localization import choose_dx, localization_dataset, run_lyapunov

    model, energies = Model("lorentzian", 0.1, 0.5), np.array([0.5, 2.0])
    dx, att = choose_dx(model, energies, 1.0, 0.2, 2e6, 0.1, 0.6, 8, 0.2)
    res = run_lyapunov(model, energies, 1.0, 3, dx, 0.2, 2e6, attempt=att)
    cfg = copy.deepcopy(default_config())
    cfg["hotcold"] = {"energy_num": 32, "tc_scan_num": 32}
    made = {
        "localization": localization_dataset(res, model, 1.0),
        "spectral": _model_ds(0.4, 60.0, 3, [0.01, 0.05], {"omega_num": 3, "energy_bin": 0.2}),
        "hotcold": hotcold_dataset(cfg, settings=cfg["hotcold"], log=lambda s: None),
    }
    out = tmp_path_factory.mktemp("units")
    for name, ds in made.items():
        write_netcdf(ds, out / f"{name}.nc")
    return {name: xr.load_dataset(out / f"{name}.nc") for name in made}


@pytest.mark.parametrize("name", CONTRACT)
def test_dimensional_variables_state_their_reduced_unit(built, name):
    """Issue 19 item 5: no dimensional quantity says units "1".  The list of dimensional
    variables is written by hand (conftest.DIMENSIONAL_VARIABLES), not read from the tables."""
    from conftest import DIMENSIONAL_VARIABLES, assert_self_describing, unit_errors

    from hotcold.datasets import REDUCED_UNITS

    expected = DIMENSIONAL_VARIABLES[name]
    assert set(expected.values()) <= REDUCED_UNITS
    ds = built[name]
    assert unit_errors(ds, expected) == []
    assert_self_describing(ds)
    for var in ds.variables.values():  # no second copy of the unit that could disagree
        assert "reduced_units" not in var.attrs


def test_xarray_plot_labels_show_the_reduced_unit(built):
    """xarray's own labels (``label_from_attrs``, used by ``DataArray.plot``) end in the unit."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from xarray.plot.utils import label_from_attrs

    loc, spec, hc = built["localization"], built["spectral"], built["hotcold"]
    assert label_from_attrs(loc["xi"]).endswith("[length]")
    assert label_from_attrs(hc["T"]).endswith("[energy]")
    assert label_from_attrs(spec["T"]).endswith("[energy]")
    assert label_from_attrs(hc["eps_th"]).endswith("[energy]")
    fig, ax = plt.subplots()
    try:
        loc["xi"].plot(ax=ax)
        assert ax.get_ylabel().endswith("[length]"), ax.get_ylabel()
        assert ax.get_xlabel().endswith("[energy]"), ax.get_xlabel()
        ax.clear()
        spec["n_T"].plot(ax=ax)
        assert ax.get_xlabel().endswith("[energy]"), ax.get_xlabel()
        assert ax.get_ylabel().endswith("[1/length]"), ax.get_ylabel()
    finally:
        plt.close(fig)


def test_large_variables_are_written_deflated_and_lossless(tmp_path):
    """write_netcdf deflates large variables (the 2D temperature union leaves hotcold.nc mostly
    missing cells): smaller on disk, the same bits back."""
    import xarray as xr

    from hotcold.datasets import write_netcdf

    rng = np.random.default_rng(0)
    a = np.full((300, 400), np.nan)
    a[:30] = rng.standard_normal((30, 400))
    ds = xr.Dataset({"v": (("x", "y"), a, {"units": "1", "long_name": "test"})})
    path = write_netcdf(ds, tmp_path / "v.nc")
    assert path.stat().st_size < a.nbytes / 4
    with xr.open_dataset(path) as back:
        np.testing.assert_array_equal(back["v"].values, a)
