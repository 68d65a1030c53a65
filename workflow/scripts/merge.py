"""Merge rules: stack per-model datasets over (family, d) (docs/physics.md §2)."""

from hotcold.datasets import finalize, merge_models, write_netcdf
from hotcold.jobs import job_log

p = snakemake.params
with job_log(snakemake.log[0], rule=snakemake.rule) as log:
    # paths, not datasets: merge_models opens them one family row at a time
    per_model = {
        (f, float(d)): path for (f, d), path in zip(p.models, snakemake.input, strict=True)
    }
    log(f"merging {len(per_model)} models over families {p.families} and d {p.d}")
    ds = merge_models(per_model, p.families, p.d)
    finalize(
        ds,
        f"hotcold merged dataset {snakemake.output[0]}",
        config=p.config,
        seeds={"seed": p.config.get("seed")},
        inputs=list(snakemake.input),
    )
    write_netcdf(ds, snakemake.output[0])
