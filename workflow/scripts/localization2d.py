"""Rule `localization2d`: density labels, strip xi_M and xi_2D of one 2D model (physics.md §1.2)."""

from hotcold.datasets import finalize, write_netcdf
from hotcold.jobs import job_log
from hotcold.lattice2d import sites_across
from hotcold.localization2d import SOURCES_2D, lattice_for, localization2d_dataset

p, s = snakemake.params, snakemake.params.settings
with job_log(snakemake.log[0], rule=snakemake.rule) as log:
    mo = p.model
    model = lattice_for(mo["family"], mo["w2"], mo["d"], mo["m"], max(s["energies"]), s)
    sites = [sites_across(w, model.a) for w in s["widths"]]
    log(f"{mo['family']} d={mo['d']:g}: lattice a = {model.a:g} (t = {model.t:g}), strips of "
        f"{sites} sites, labels eps = {s['energies']}")  # fmt: skip
    ds = localization2d_dataset(model, s["energies"], s["widths"], s, p.seed, log)
    for e, x, se, src in zip(ds.eps.values, ds.xi.values, ds.xi_stderr.values,
                             ds.xi_source.values, strict=True):  # fmt: skip
        log(f"  eps={e:g}: xi_2D = {x:.4g} +- {se:.3g} ({SOURCES_2D[src]})")
    b, b_se, pi_tau = (float(ds[k]) for k in ("eq20_slope", "eq20_slope_stderr", "pi_tau"))
    chi2, dof = float(ds.collapse_chi2), int(ds.collapse_dof)
    log(
        f"  collapse chi2 = {chi2:.3g} for {dof} dof; "
        f"d ln(xi/(v tau))/d eps = {b:.3g} +- {b_se:.2g} vs pi tau = {pi_tau:.3g} (Eq. 20)"
    )
    finalize(
        ds,
        f"hotcold 2D localization (strips), {mo['family']} d={mo['d']:g}",
        config={"model": mo, "localization2d": s},
        seeds={
            "seed": p.seed,
            "streams": "SeedSequence(seed, spawn_key=(101, crc32(family), "
            "d bits, purpose, eps bits[, M]))",
        },  # fmt: skip
    )
    write_netcdf(ds, snakemake.output[0])
