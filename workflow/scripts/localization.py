"""Rule `localization`: transfer-matrix xi(eps) for one model (docs/physics.md §1.2)."""

import numpy as np

from hotcold.datasets import finalize, write_netcdf
from hotcold.disorder import Model
from hotcold.jobs import job_log
from hotcold.localization import STATUS, measure_xi

p, run = snakemake.params, snakemake.params.run
with job_log(snakemake.log[0], snakemake.threads, rule=snakemake.rule) as log:
    model = Model(p.model["family"], p.model["w"], p.model["d"])
    energies = np.asarray(run["energies"])
    ds = measure_xi(model, energies, run["rel_error"], run["m"], run["seed"], run, log)
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
