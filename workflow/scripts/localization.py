"""Rule `localization`: transfer-matrix xi(eps) for one model (docs/physics.md §1.2)."""

import numpy as np

from hotcold.datasets import finalize, write_netcdf
from hotcold.disorder import Model
from hotcold.jobs import job_log
from hotcold.localization import STATUS, choose_dx, localization_dataset, run_lyapunov

p, run = snakemake.params, snakemake.params.run
with job_log(snakemake.log[0], snakemake.threads, rule=snakemake.rule) as log:
    model = Model(p.model["family"], p.model["w"], p.model["d"])
    energies = np.asarray(run["energies"])
    dx, attempt = choose_dx(
        model,
        energies,
        run["m"],
        run["rel_error"],
        run["max_cells"],
        run["dx_max"],
        run["kdx_max"],
        run["points_per_d"],
        run["bias_fraction"],
    )
    log(
        f"{model.label}: dx = {dx:g}, measuring {attempt.sum()}/{energies.size} energies "
        f"to rel. error {run['rel_error']} (cap {run['max_cells']:.3g} cells each)"
    )
    res = run_lyapunov(
        model,
        energies,
        run["m"],
        run["seed"],
        dx,
        run["rel_error"],
        run["max_cells"],
        attempt=attempt,
        chunk=run["chunk"],
        log=log,
    )
    ds = localization_dataset(res, model, run["m"])
    for e, x, se, src, st in zip(
        energies,
        ds.xi.values,
        ds.xi_stderr.values,
        ds.xi_source.values,
        ds.status.values,
        strict=True,
    ):
        log(
            f"  eps={e:9.4g}  xi={x:11.5g} +- {se:9.3g}  source={['measured', 'born'][src]}"
            f"  run={STATUS[st]}"
        )
    finalize(
        ds,
        f"hotcold localization length, {model.label}",
        config={"model": p.model, **run},
        seeds={"seed": run["seed"]},
    )
    write_netcdf(ds, snakemake.output[0])
