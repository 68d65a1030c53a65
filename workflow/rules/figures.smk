# docs/physics.md §1.5: figures (vector PDF + PNG), each answering one question, each in
# the report with a caption (workflow/report/<name>.rst) that names the
# equation it tests and the dataset it was made from.

# name: (input datasets, plotting module, function, report category)
FIGURES = {
    "localization": (["results/localization.nc"], "localization", "plot_localization",
                     "1. Localization length"),
    "spectral_function": (["results/spectral.nc"], "spectral", "plot_spectral",
                          "2. Cold bath: spectral function and n_T"),
    "mott_peak": (["results/spectral.nc"], "spectral", "plot_mott_peak",
                  "2. Cold bath: spectral function and n_T"),
    "thermal_density": (["results/spectral.nc"], "spectral", "plot_thermal_density",
                        "2. Cold bath: spectral function and n_T"),
    "asymptotics": (["results/spectral.nc"], "spectral", "plot_asymptotics", "2. Cold bath: spectral function and n_T"),
    "eta_map": (["results/hotcold.nc"], "eta_map", "plot_eta_map",
                "3. Delocalization parameter and mobility edge"),
    "threshold": (["results/hotcold.nc"], "threshold", "plot_threshold",
                  "3. Delocalization parameter and mobility edge"),
    "conductivity": (["results/hotcold.nc"], "conductivity", "plot_conductivity",
                     "4. Conductivity (the paper's Fig. 2)"),
    "fig1": (["results/hotcold.nc", "results/localization.nc"], "fig1", "plot_fig1",
             "5. Hot and cold electrons (the paper's Fig. 1)"),
    # only with localization2d.enabled (LOC2D_TARGETS, workflow/rules/localization2d.smk)
    "localization_2d": (["results/localization2d.nc"], "localization2d", "plot_localization_2d",
                        "1. Localization length"),
}
OPTIONAL_FIGURES = ("localization_2d",)  # requested by their stage's targets, not by default


def figure_outputs(name, category):
    """PDF and PNG of one figure, both in the report with the caption the job writes.

    The caption (results/figures/<name>.rst) is workflow/report/<name>.rst followed by
    the numbers the plotting function computed from the dataset; it is an output of
    the same job, named by absolute path (the report reads it from the working
    directory, after the run).
    """
    as_report = report  # (a bare `report(` at a line start is parsed as the directive)
    caption = os.path.abspath(f"results/figures/{name}.rst")
    images = [
        as_report(f"results/figures/{name}.{ext}", caption=caption,
                  category=category, labels={"figure": name, "format": ext})
        for ext in ("pdf", "png")
    ]
    return {"pdf": images[0], "png": images[1], "caption": f"results/figures/{name}.rst"}


for _name, (_inputs, _module, _function, _category) in FIGURES.items():

    rule:
        name:
            f"figure_{_name}"
        input:
            data=_inputs,
            caption=os.path.join(workflow.basedir, "workflow", "report", f"{_name}.rst"),
        output:
            **figure_outputs(_name, _category),
        log:
            f"results/logs/figures/{_name}.log",
        params:
            module=_module,
            function=_function,
            code=code("plot", f"plots/{_module}"),  # plot.py imports the module by name
        localrule: True
        resources:
            **resources_of("figure"),
        conda:
            HOTCOLD_ENV
        script:
            "../scripts/plot.py"
