"""No seams in n_T(T): box convergence and band-to-band agreement on every default model.

Issue 19 item 2, run on the default configuration (slow: the spectral stage twice, the
second time with every box doubled, ``spectral.box_scale: 2``).  The references are
independent of the estimate under test: the same n_T computed on the next wider pass
(other realizations, another box), and the same passes in boxes twice as long (whose
first half is the same disorder: the potential streams do not depend on the length
requested, so the comparison is a paired one).
"""

from __future__ import annotations

import copy

import numpy as np
import pytest
import xarray as xr
from conftest import default_config, run_snakemake

from hotcold import thermal as th

pytestmark = [pytest.mark.slow, pytest.mark.workflow]


@pytest.fixture(scope="module")
def spectral_pair(tmp_path_factory):
    """results/spectral.nc of the default configuration, and with every box doubled."""
    work = tmp_path_factory.mktemp("boxes")
    run_snakemake(work, "-c2", "results/spectral.nc", config=default_config(), timeout=3000)
    with xr.open_dataset(work / "results" / "spectral.nc") as ds:
        single = ds.load()
    cfg = copy.deepcopy(default_config())
    cfg["spectral"]["box_scale"] = 2.0
    run_snakemake(work, "-c2", "results/spectral.nc", config=cfg, timeout=3000)
    with xr.open_dataset(work / "results" / "spectral.nc") as ds:
        double = ds.load()
    return single, double


def _models(ds):
    for fam in ds["family"].values:
        for d in ds["d"].values:
            sel = ds.sel(family=fam, d=d)
            if bool(sel["is_model"]):
                yield f"{fam} d={d:g}", sel


def test_adjacent_bands_agree_within_errors_on_every_default_model(spectral_pair):
    """At the overlap temperature, the next wider pass gives the same n_T within 3 s.e.
    (the jackknife error of the relative difference; ~15 boundaries in the default run)."""
    single, _ = spectral_pair
    bad, rows = [], 0
    for name, m in _models(single):
        for p, d, se in zip(
            m["pass"].values,
            m["pass_overlap_difference"].values,
            m["pass_overlap_difference_stderr"].values,
            strict=True,
        ):
            if np.isfinite(d):
                rows += 1
                print(f"{name} {p} -> next: {d:+.3f} +- {se:.3f} ({d / se:+.1f} sigma)")
                if not abs(d) <= 3 * se:
                    bad.append((name, str(p), d, se))
    assert rows >= 10, "the default run should have a boundary in (almost) every model"
    assert not bad, bad


def test_no_jump_between_neighbouring_temperatures(spectral_pair):
    """No step of ln(n_T/Eq. 6) between neighbouring temperatures is off the local trend by
    more than 2 combined errors (n_T_stderr, with the band systematic): the seam of issue 19
    (exponential d = 0.5, 0.175 -> 0.289) scored 2.6 there."""
    single, _ = spectral_pair
    bad = {}
    for name, m in _models(single):
        lr = np.log(float(m["Delta_c"]) / m["T"].values)
        z = th.jump_scores(lr, m["n_T"].values, m["n_T_stderr"].values)
        print(name, np.round(z, 2))
        if np.max(np.abs(z)) > 2:
            bad[name] = np.round(z, 2)
    assert not bad, bad


def _statistical_replicas(m) -> np.ndarray:
    """Leave-one-block-out n_T without the folded band systematic (its deviations were scaled
    by n_T_stderr / n_T_measured_stderr, thermal.fold_systematic)."""
    n = m["n_T"].values
    with np.errstate(invalid="ignore", divide="ignore"):
        f = np.where(m["n_T_measured_stderr"] > 0, m["n_T_stderr"] / m["n_T_measured_stderr"], 1)
    return n + (m["n_T_jackknife"].values - n) / f


def test_doubling_every_box_changes_n_T_within_the_error_of_the_change(spectral_pair):
    """Every box doubled (margins kept: they are the pair reach): the change of n_T is within
    3 of its own standard errors at every numerical T of every model.

    The error of the change is the jackknife over the shared blocks: block k of both runs
    holds the same realizations, the doubled one extended by new disorder, so the change is
    a paired difference (its error is 0.4-1.2 of n_T's).  A finite-box bias shows as a change
    of one sign: the 15 xi_c main box with a 3 xi_c margin of the landed code gave -7.5 +-
    1.6 % at T = 1.27 Delta_c (exponential d = 0.5, 15 -> 62 xi_c, nested boxes).
    """
    from hotcold.stats import jackknife_stderr

    single, double = spectral_pair
    bad = {}
    for (name, a), (_, b) in zip(_models(single), _models(double), strict=True):
        assert np.allclose(b["pass_box_length_over_xi_c"].fillna(0) / 2,
                           a["pass_box_length_over_xi_c"].fillna(0), rtol=0.05)  # fmt: skip
        num = a["n_T_source"].values == 0
        change = b["n_T"].values - a["n_T"].values
        se = jackknife_stderr(_statistical_replicas(b) - _statistical_replicas(a))
        z = change / se
        print(f"{name}: change/s.e.(change) {np.round(z, 2)}; change/n_T_stderr "
              f"{np.round(change / a['n_T_stderr'].values, 2)}")  # fmt: skip
        if np.any(np.abs(z[num]) > 3):
            bad[name] = np.round(z, 2)
    assert not bad, bad


def test_preflight_error_bound_never_exceeds_the_measured_error(spectral_pair):
    """The pre-flight bound (issue 19 item 7: "temperatures no pass can resolve") is below
    the measured relative error of n_T at every served default point, so it can only stop
    runs the spectral stage would not finish (measured: bound/error 0.04 .. 0.39)."""
    from hotcold.sweep import ed_grid
    from hotcold.validation import validate_config

    single, _ = spectral_pair
    config = validate_config(default_config())
    ratios = []
    for name, m in _models(single):
        fam, d = str(m["family"].values), float(m["d"])
        g = ed_grid(config, fam, d)
        xi, dc, dx = float(m["xi_c"]), float(m["Delta_c"]), float(m["dx"])
        t = m["T"].values
        passes = th.plan_passes(
            t, config["spectral"], (g["realizations"], g["sites"]), dx, xi, dc, True
        )
        bound = th.optimistic_rel_error(passes, t, xi, dc, dx)
        rel = (m["n_T_measured_stderr"] / m["n_T_measured"]).values
        ratios.append(bound / rel)
        print(name, np.round(bound / rel, 2))
    assert np.all(np.concatenate(ratios) < 1)


def test_every_default_model_has_a_mott_slope_from_four_points(spectral_pair):
    """Issue 19 item 3: the default omega grid gives every model at least 4 resolved Mott
    points at omega <= fit_omega_max, so its slope carries a finite jackknife error
    (measured: 5 to 7 points; the landed grid gave 0 to 3, lorentzian d = 0.5 none)."""
    single, _ = spectral_pair
    short = {}
    for name, m in _models(single):
        n, se = int(m["mott_fit_points"]), float(m["mott_slope_ratio_stderr"])
        print(f"{name}: {n} points, slope/(2 xi_c) {float(m['mott_slope_ratio']):.3f} +- {se:.3f}")
        if n < 4 or not np.isfinite(se):
            short[name] = (n, se)
    assert not short, short
