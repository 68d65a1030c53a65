"""Figure rules: call one plotting function of hotcold.plots; save PDF + PNG and the caption."""

import importlib
from pathlib import Path

from hotcold.datasets import open_dataset
from hotcold.jobs import job_log
from hotcold.plots.style import save_figure

p = snakemake.params
with job_log(snakemake.log[0], rule=snakemake.rule) as log:
    module = importlib.import_module(f"hotcold.plots.{p.module}")
    data = [open_dataset(path) for path in snakemake.input.data]
    fig = getattr(module, p.function)(*data, **p.get("kwargs", {}))
    images = [str(o) for o in snakemake.output if not str(o).endswith(".rst")]
    template = Path(snakemake.input.caption).read_text()
    for out in save_figure(fig, images, template, snakemake.output.caption):
        log(f"wrote {out}")
