"""Empirical check of the propagated errors (issue 9 item 4, docs/physics.md §1.4 'Uncertainty'):
independent seeds of a small workflow give an eps_th spread consistent with eps_th_stderr."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import run_snakemake, tiny_config
from scipy import stats

from hotcold.datasets import open_dataset
from hotcold.hotcold import THRESHOLD_STATUS

SEEDS = [20171101 + 7919 * k for k in range(8)]


@pytest.mark.slow
def test_eps_th_seed_spread_matches_propagated_error(tmp_path):
    """8 seeds; per 1D model with a threshold, at the middle temperature (T's of one model are
    correlated, models are independent): X = sum_p (N - 1) s_p^2 / mean(sigma_p^2) is
    chi-square with K (N - 1) degrees of freedom; it must lie in the central 99 % band.
    One model (lorentzian, d = 0.5) to keep the cost at 8 small workflow runs."""
    runs = []
    for seed in SEEDS:
        cfg = tiny_config()
        cfg["seed"] = seed
        cfg["dimensions"] = [1]
        cfg["disorder"].update(families=["lorentzian"], d=[0.5])  # one model: ~5 min a seed
        work = tmp_path / f"seed{seed}"
        work.mkdir()
        run_snakemake(work, "--cores", "2", "results/hotcold.nc", config=cfg, timeout=1800)
        ds = open_dataset(work / "results" / "hotcold.nc").sel(dim=1)
        runs.append(ds.isel(T=ds.sizes["T"] // 2))
    eps = np.stack([r.eps_th.values for r in runs])  # (seed, family, d)
    err = np.stack([r.eps_th_stderr.values for r in runs])
    status = np.stack([r.eps_th_status.values for r in runs])
    found = np.all(status == THRESHOLD_STATUS.index("found"), axis=0)
    found &= np.all(np.isfinite(err) & (err > 0), axis=0)
    # d = 0 is the same white-noise model under every family: count it once
    d0 = np.isclose(runs[0].d.values, 0.0)
    found[1:, d0] = False
    k = int(found.sum())
    assert k >= 1, f"no model with a threshold in every seed: {k}"
    n = len(SEEDS)
    s2 = eps.var(axis=0, ddof=1)[found]
    sig2 = (err**2).mean(axis=0)[found]
    x = float(((n - 1) * s2 / sig2).sum())
    dof = k * (n - 1)
    lo, hi = stats.chi2.ppf([0.005, 0.995], dof)
    ratio = np.sqrt(s2 / sig2)
    print(
        f"eps_th seed spread / propagated stderr per model: {np.round(ratio, 3)}; "
        f"chi2 = {x:.1f} for {dof} dof, 99 % band [{lo:.1f}, {hi:.1f}]"
    )
    assert lo < x < hi
