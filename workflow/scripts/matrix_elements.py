"""Rules `matrix_elements` (one model) and `merge_matrix_elements` (docs/physics.md §1.6)."""

import numpy as np

from hotcold import matrix_elements as me
from hotcold.datasets import finalize, open_dataset, write_netcdf
from hotcold.disorder import Model
from hotcold.jobs import job_log
from hotcold.localization import cold_parameters

p = snakemake.params
with job_log(snakemake.log[0], rule=snakemake.rule) as log:
    if snakemake.rule == "merge_matrix_elements":
        per_model = {
            (f, float(d)): open_dataset(path)
            for (f, d), path in zip(p.models, snakemake.input, strict=True)
        }
        log(f"merging {len(per_model)} models: {list(per_model)}")
        ds = me.merge_matrix_elements(per_model)
        config, seeds = p.config, {"seed": p.config["seed"]}
    else:
        model = Model(p.model["family"], p.model["w"], p.model["d"])
        loc = open_dataset(snakemake.input.localization)
        energies = np.asarray(p.energies, dtype=float)
        cold = cold_parameters(loc, p.physics["fermi_energy"])
        hot = me.hot_xi_rho(loc, energies)
        box = p.settings["box_length"] / hot["xi_h"]
        log(f"{model.label}: xi_c = {cold['xi_c']:.4g}, L/xi_h = {np.round(box, 2).tolist()}")
        if box.min() < 5:
            log(f"WARNING: box < 5 xi_h (measured) at eps = {energies[box < 5].tolist()}")
        meas = me.measure_model(
            model, energies, cold, hot, p.physics, p.settings, workers=snakemake.threads, log=log
        )
        ds = me.matrix_elements_dataset(meas, energies, cold, hot, p.physics, p.settings)
        ds.attrs["xi_c_source"] = cold["xi_c_source"]
        config = {
            "model": p.model,
            "physics": p.physics,
            "energies": p.energies,
            "matrix_elements": p.settings,
        }
        seeds = {
            "seed": p.physics["seed"],
            "streams": "SeedSequence(seed, spawn_key=(101, crc32(family), d bits, r))",
        }
    finalize(
        ds,
        f"hotcold interaction matrix elements (Eq. 10) {snakemake.output[0]}",
        config=config,
        seeds=seeds,
        inputs=list(snakemake.input),
    )
    write_netcdf(ds, snakemake.output[0])
