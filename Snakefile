# hotcold: numerics for "Absence of many-body localization in a continuum".
# Run from the repository root:  snakemake   (profiles/default is found by Snakemake itself)
# (see README.md).  Stages: disorder -> localization -> spectral -> hotcold -> figures.

import os

from snakemake.utils import min_version

min_version("9.0")


# the embedded default; --configfile / --config values are merged over it.  A YAML error
# in it is reported with file and line (Snakemake's own message names neither).
from hotcold.config import check_yaml_files

check_yaml_files([os.path.join(workflow.basedir, "config", "config.yaml")])


configfile: os.path.join(workflow.basedir, "config", "config.yaml")


report: os.path.join(workflow.basedir, "workflow", "report", "workflow.rst")


include: "workflow/rules/common.smk"
include: "workflow/rules/disorder.smk"
include: "workflow/rules/localization.smk"
include: "workflow/rules/localization2d.smk"
include: "workflow/rules/spectral.smk"
include: "workflow/rules/hotcold.smk"
include: "workflow/rules/figures.smk"
include: "workflow/rules/matrix_elements.smk"


rule all:
    input:
        all_targets(),
    default_target: True
