"""Rule `hotcold`: eta_hc, eps_th(T), n_h, ln sigma over the sweep (docs/physics.md §1.4)."""

from hotcold.datasets import finalize, open_dataset, write_netcdf
from hotcold.hotcold import hotcold_dataset
from hotcold.jobs import job_log

p = snakemake.params
with job_log(snakemake.log[0], rule=snakemake.rule) as log:
    inputs = {k: open_dataset(v) for k, v in snakemake.input.items()}
    log(f"inputs: {dict(snakemake.input.items()) or 'none (closed forms only)'}")
    ds = hotcold_dataset(
        p.config, settings=p.config.get("hotcold"), log=log, workers=snakemake.threads, **inputs
    )
    finalize(
        ds,
        "hotcold delocalization parameter, mobility edge and conductivity",
        config=p.config,
        # no random numbers here; the seeds behind the measured inputs
        seeds={k: v.attrs.get("seeds", "") for k, v in inputs.items()},
        inputs=list(snakemake.input),
    )
    write_netcdf(ds, snakemake.output[0])
