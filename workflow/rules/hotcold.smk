# docs/physics.md §1.4: eta_hc, eps_th(T), n_h and ln sigma over (dim, family, d, T, energy),
# from the measured xi, rho (localization) and n_T (spectral) where they exist.


rule hotcold:
    input:
        unpack(hotcold_inputs),
    output:
        report(
            "results/hotcold.nc",
            caption="../report/dataset_hotcold.rst",
            category="9. Datasets",
            labels={"dataset": "hotcold.nc"},
        ),
    log:
        "results/logs/hotcold.log",
    params:
        config=hotcold_config(),
        code=code("hotcold"),
    localrule: True
    threads: threads_of("hotcold")  # models spread over processes; the same result
    resources:
        **resources_of("hotcold"),
    priority: 10  # on the critical path (its 4 figures wait): before the spectral-only figures
    conda:
        HOTCOLD_ENV
    script:
        "../scripts/hotcold.py"
