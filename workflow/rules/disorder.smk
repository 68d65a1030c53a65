# docs/physics.md §1.1: per-model disorder realizations (for exact diagonalization) and the
# measured correlator against the target.


rule disorder:
    output:
        "results/disorder/{family}/d{d}.nc",
    log:
        "results/logs/disorder/{family}/d{d}.log",
    params:
        model=model_params,
        seed=config["seed"],
        ed=ed_grid,
        correlator=config["disorder"]["correlator"],
        code=code("disorder"),
    threads: threads_of("disorder")
    resources:
        **resources_of("disorder"),
    conda:
        HOTCOLD_ENV
    script:
        "../scripts/disorder.py"
