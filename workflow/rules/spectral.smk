# SPEC 1.3: spectral function S_omega(x) and thermal-pair density n_T(T) from
# exact eigenstates, per 1D model, merged over (family, d).


rule spectral:
    input:
        disorder="results/disorder/{family}/d{d}.nc",
        localization="results/localization/{family}/d{d}.nc",
    output:
        "results/spectral/{family}/d{d}.nc",
    log:
        "results/logs/spectral/{family}/d{d}.log",
    params:
        model=model_params,
        m=config["m"],
        fermi_energy=config["fermi_energy"],
        settings=spectral_settings(),
        temperatures=config["temperatures"],  # n_T at exactly the hot-cold temperatures
        seed=config["seed"],  # generated passes (mott, bands): SeedSequence children
        # cold_parameters: localization; generated realizations: disorder
        code=code("spectral", "eigen", "pairs", "stats", "thermal", "disorder", "localization", "theory", "families",
                  "datasets"),
    threads: 2  # realizations spread over processes; the result does not depend on it
    resources:
        mem_mb=spectral_mem_mb,
        runtime=spectral_runtime,
    conda:
        HOTCOLD_ENV
    script:
        "../scripts/spectral.py"


rule merge_spectral:
    input:
        model_files("results/spectral/{family}/d{d}.nc"),
    output:
        report(
            "results/spectral.nc",
            caption="../report/dataset_spectral.rst",
            category="9. Datasets",
            labels={"dataset": "spectral.nc"},
        ),
    log:
        "results/logs/merge_spectral.log",
    params:
        models=MODELS,
        families=FAMILIES,
        d=D_VALUES,
        config={"m": config["m"], "seed": config["seed"], "fermi_energy": config["fermi_energy"],
                "disorder": config["disorder"], "spectral": config["spectral"]},
        code=code("datasets", "families"),
    localrule: True
    conda:
        HOTCOLD_ENV
    script:
        "../scripts/merge.py"
