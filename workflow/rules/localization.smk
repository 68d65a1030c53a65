# SPEC 1.2: transfer-matrix localization length per model, merged over (family, d).


rule localization:
    output:
        "results/localization/{family}/d{d}.nc",
    log:
        "results/logs/localization/{family}/d{d}.log",
    params:
        model=model_params,
        run=localization_params(),
        code=code("localization", "transfer", "disorder", "theory", "families", "datasets", "stats"),
    threads: localization_threads()
    # Between-workflow cache (snakemake --cache, SNAKEMAKE_OUTPUT_CACHE): the
    # key hashes params (model, settings, code version), so a project with the
    # same model and settings reuses the expensive result.
    cache: "omit-software"
    resources:
        mem_mb=lambda wildcards: 300 + int(8 * 2 * 8 * len(localization_params()["energies"]) * config["localization"]["max_cells"] / config["localization"]["chunk"] / 1e6),
        runtime=lambda wildcards: 10 + int(1e-9 * config["localization"]["max_cells"] * len(localization_params()["energies"]) / 60 * 4),
    conda:
        HOTCOLD_ENV
    script:
        "../scripts/localization.py"


rule merge_localization:
    input:
        model_files("results/localization/{family}/d{d}.nc"),
    output:
        report(
            "results/localization.nc",
            caption="../report/dataset_localization.rst",
            category="9. Datasets",
            labels={"dataset": "localization.nc"},
        ),
    log:
        "results/logs/merge_localization.log",
    params:
        models=MODELS,
        families=FAMILIES,
        d=D_VALUES,
        config={"m": config["m"], "seed": config["seed"], "disorder": config["disorder"],
                "localization": config["localization"]},
        code=code("datasets", "families"),
    localrule: True
    conda:
        HOTCOLD_ENV
    script:
        "../scripts/merge.py"
