"""Figure rules: call one plotting function of hotcold.plots and save PDF + PNG."""

import importlib

from hotcold.datasets import open_dataset
from hotcold.jobs import job_log

p = snakemake.params
with job_log(snakemake.log[0]) as log:
    module = importlib.import_module(f"hotcold.plots.{p.module}")
    data = [open_dataset(path) for path in snakemake.input]
    fig = getattr(module, p.function)(*data, **p.get("kwargs", {}))
    for out in snakemake.output:
        fig.savefig(out, dpi=150)
        log(f"wrote {out}")
