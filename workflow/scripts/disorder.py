"""Rule `disorder`: ED realizations and correlator check for one model (docs/physics.md §1.1)."""

from hotcold.datasets import finalize, write_netcdf
from hotcold.disorder import Model, disorder_dataset
from hotcold.jobs import job_log

p = snakemake.params
with job_log(snakemake.log[0], rule=snakemake.rule) as log:
    model = Model(p.model["family"], p.model["w"], p.model["d"])
    corr_dx = p.ed["dx"] if model.d == 0 else min(p.ed["dx"], model.d / 8)
    log(
        f"{model.label}: {p.ed['realizations']} realizations x {p.ed['sites']} sites, "
        f"correlator from {p.correlator['cells']:.3g} cells"
    )
    ds = disorder_dataset(
        model,
        p.seed,
        p.ed["dx"],
        p.ed["sites"],
        p.ed["realizations"],
        corr_dx,
        p.correlator["lags"],
        int(p.correlator["cells"]),
    )
    finalize(
        ds,
        f"hotcold disorder realizations, {model.label}",
        config={"model": p.model, "ed": p.ed, "correlator": p.correlator},
        seeds={
            "seed": p.seed,
            "streams": "SeedSequence(seed, spawn_key=(purpose, crc32(family), d bits, ...))",
        },
    )
    write_netcdf(ds, snakemake.output[0])
