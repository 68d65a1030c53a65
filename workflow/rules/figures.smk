# SPEC 1.5: figures (vector PDF + PNG), each in the report with a caption.


rule figure_localization:
    input:
        "results/localization.nc",
    output:
        report("results/figures/localization.pdf", caption="../report/localization.rst",
               category="1. Localization length", labels={"figure": "xi(eps)", "format": "pdf"}),
        report("results/figures/localization.png", caption="../report/localization.rst",
               category="1. Localization length", labels={"figure": "xi(eps)", "format": "png"}),
    log:
        "results/logs/figures/localization.log",
    params:
        module="localization",
        function="plot_localization",
        code=code("plots/localization", "theory"),
    localrule: True
    conda:
        HOTCOLD_ENV
    script:
        "../scripts/plot.py"
