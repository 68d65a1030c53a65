# SPEC 1.6 / issue 11: interaction matrix elements V_ijkl of Eq. (10) (Hartree,
# exchange) between hot and cold exact eigenstates, per 1D model, merged over
# (family, d, T, energy), and the figure `matrix_elements`.  Off in the default
# run (cost); `--configfile config/matrix_elements.yaml` runs it.

ME = hc_config.matrix_elements_settings(config)
ME_MODELS = hc_config.matrix_elements_models(ME)
ME_TARGETS = hc_config.matrix_elements_targets(ME, config)  # added to the default job by all_targets()


rule matrix_elements:
    input:
        localization="results/localization/{family}/d{d}.nc",
    output:
        "results/matrix_elements/{family}/d{d}.nc",
    log:
        "results/logs/matrix_elements/{family}/d{d}.log",
    params:
        model=model_params,
        energies=lambda wildcards: hc_config.matrix_elements_energies(ME, wildcards.family, wildcards.d),
        physics={"m": config["m"], "fermi_energy": config["fermi_energy"], "seed": config["seed"],
                 "u": config["interaction"]["u"], "range": config["interaction"]["range"]},
        settings={k: v for k, v in ME.items() if k not in ("models", "enabled")},
        code=code("matrix_elements", "spectral", "eigen", "pairs", "stats", "disorder", "localization",
                  "config", "theory", "families", "datasets"),
    threads: 2  # realizations spread over processes; the result does not depend on it
    resources:
        mem_mb=lambda wildcards: 600 + int(ME["box_length"] / ME["dx"]) * 8 * 400 // 1_000_000,
        runtime=lambda wildcards: hc_config.matrix_elements_runtime(ME, wildcards.family, wildcards.d),
    conda:
        HOTCOLD_ENV
    script:
        "../scripts/matrix_elements.py"


rule merge_matrix_elements:
    input:
        [f"results/matrix_elements/{f}/d{d}.nc" for f, d in ME_MODELS],
    output:
        report(
            "results/matrix_elements.nc",
            caption="../report/dataset_matrix_elements.rst",
            category="9. Datasets",
            labels={"dataset": "matrix_elements.nc"},
        ),
    log:
        "results/logs/merge_matrix_elements.log",
    params:
        models=ME_MODELS,
        config={"m": config["m"], "seed": config["seed"], "fermi_energy": config["fermi_energy"],
                "interaction": config["interaction"], "matrix_elements": ME},
        code=code("matrix_elements", "datasets", "families"),
    localrule: True
    conda:
        HOTCOLD_ENV
    script:
        "../scripts/matrix_elements.py"


rule figure_matrix_elements:
    input:
        data=["results/matrix_elements.nc"],
        caption=os.path.join(workflow.basedir, "workflow", "report", "matrix_elements.rst"),
    output:
        **figure_outputs("matrix_elements", "6. Interaction matrix elements (Eqs. 10-12)"),
    log:
        "results/logs/figures/matrix_elements.log",
    params:
        module="matrix_elements",
        function="plot_matrix_elements",
        code=code("plots/matrix_elements", "plots/__init__", "plots/style"),
    localrule: True
    conda:
        HOTCOLD_ENV
    script:
        "../scripts/plot.py"
