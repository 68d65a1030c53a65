# docs/physics.md §1.2 "2D numerics" / issue 20: density-labelled energies and strip
# localization lengths xi_M, xi_2D (direct or scaling collapse) per 2D model, merged over
# (family, d), and the figure `localization_2d`.  Off in the default run (cost);
# `--configfile config/localization2d.yaml` runs it.

LOC2D = hc_sweep.localization2d_settings(config)
LOC2D_MODELS = hc_sweep.localization2d_models(LOC2D)
LOC2D_TARGETS = hc_sweep.localization2d_targets(LOC2D, config)  # added by all_targets()


rule localization2d:
    output:
        "results/localization2d/{family}/d{d}.nc",
    log:
        "results/logs/localization2d/{family}/d{d}.log",
    params:
        model=lambda wildcards: {"family": wildcards.family, "d": float(wildcards.d),
                                 "w2": config["disorder"]["w2"], "m": config["m"]},
        seed=config["seed"],
        settings={k: v for k, v in LOC2D.items() if k not in ("models", "enabled")},
        code=code("localization2d"),
    resources:
        **resources_of("localization2d"),
    conda:
        HOTCOLD_ENV
    script:
        "../scripts/localization2d.py"


rule merge_localization2d:
    input:
        [f"results/localization2d/{f}/d{d}.nc" for f, d in LOC2D_MODELS],
    output:
        report(
            "results/localization2d.nc",
            caption="../report/dataset_localization2d.rst",
            category="9. Datasets",
            labels={"dataset": "localization2d.nc"},
        ),
    log:
        "results/logs/merge_localization2d.log",
    params:
        models=LOC2D_MODELS,
        families=list(dict.fromkeys(f for f, _ in LOC2D_MODELS)),
        d=sorted({float(d) for _, d in LOC2D_MODELS}),
        config={"m": config["m"], "seed": config["seed"], "disorder": config["disorder"],
                "localization2d": LOC2D},
        code=code("merge"),
    localrule: True
    resources:
        **resources_of("merge_localization2d"),
    conda:
        HOTCOLD_ENV
    script:
        "../scripts/merge.py"
