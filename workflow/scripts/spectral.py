"""Rule `spectral`: S_omega(x), n_T(T) from exact eigenstates, one model (docs/physics.md §1.3)."""

from hotcold.datasets import finalize, open_dataset, write_netcdf
from hotcold.disorder import Model
from hotcold.jobs import job_log
from hotcold.localization import cold_parameters
from hotcold.spectral import spectral_dataset
from hotcold.sweep import expand_grid

p = snakemake.params
with job_log(snakemake.log[0], rule=snakemake.rule) as log:
    dis = open_dataset(snakemake.input.disorder)
    loc = open_dataset(snakemake.input.localization)
    cold = cold_parameters(loc, p.fermi_energy)
    log(
        f"{p.model['family']} d={p.model['d']}: xi_c = {cold['xi_c']:.4g}, "
        f"rho_c = {cold['rho_c']:.4g} at eps_F = {p.fermi_energy} "
        f"({dis.sizes['realization']} realizations x {dis.sizes['x']} sites)"
    )
    source = cold.pop("xi_c_source")
    ds = spectral_dataset(
        dis["potential"].values,
        float(dis.attrs["dx"]),
        p.m,
        p.fermi_energy,
        temperatures=expand_grid(p.temperatures),
        settings=p.settings,
        log=log,
        workers=snakemake.threads,
        model=Model(p.model["family"], p.model["w"], p.model["d"]),
        seed=p.seed,
        **cold,
    )
    ds.attrs["xi_c_source"] = source
    finalize(
        ds,
        f"hotcold spectral function and thermal-pair density, {p.model['family']} d={p.model['d']}",
        config={
            "model": p.model,
            "m": p.m,
            "fermi_energy": p.fermi_energy,
            "temperatures": p.temperatures,
            "spectral": p.settings,
        },
        seeds={"disorder": dis.attrs.get("seeds", ""), "seed": p.seed},
        inputs=[snakemake.input.disorder, snakemake.input.localization],
    )
    write_netcdf(ds, snakemake.output[0])
