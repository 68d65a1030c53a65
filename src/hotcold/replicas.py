"""Jackknife replicas of the hot-cold inputs and the error propagation (issue 9 item 4).

docs/physics.md §2.1: the localization stage stores leave-one-batch-out replicas
``xi_jackknife``, ``dos_jackknife`` over (replica_loc, energy), the spectral
stage leave-one-realization-out replicas ``n_T_jackknife`` over
(replica_spec, T) at the hot-cold temperatures, with ``n_T_source``
(numerical | extrapolated).  The hot-cold stage runs its whole composition
over ``replica`` = [full sample] + localization replicas + spectral replicas
(one :class:`~hotcold.models.ModelInputs` each) and reduces with the plain
jackknife variance per group, summed over the two independent groups:

    var = sum_g (B_g - 1)/B_g sum_{k in g} (x_k - mean_g x)^2,

which keeps every correlation (between energies, temperatures, xi and rho)
that the composition induces.  The numerical n_T is used at every
temperature: no closed form is spliced on.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import xarray as xr

from . import theory
from .models import (
    ModelInputs,
    inputs_without_measurements,
    localization_nodes,
    measured_nodes,
    nt_nodes,
    pick_models,
)
from .stats import jackknife_variance, weighted_line_errors

__all__ = [
    "StageInputs",
    "ENGINES",
    "stage_inputs",
    "REPLICA_GROUPS",
    "PAIR_GROUPS",
    "strip_inputs",
    "strip_slope",
    "eq20_slope",
    "LOCALIZATION_REPLICAS",
    "SPECTRAL_REPLICAS",
    "spectral_n_t",
    "model_replicas",
    "jackknife_stderr",
]

REPLICA_GROUPS = ("full", "localization", "spectral", "matrix_elements", "localization2d")
#: Groups whose replicas are +-1 sigma pairs (consecutive), not jackknife replicas: each
#: pair adds ((x+ - x-)/2)^2 to the variance.
PAIR_GROUPS = ("matrix_elements", "localization2d")
LOCALIZATION_REPLICAS = ("xi_jackknife", "dos_jackknife")
SPECTRAL_REPLICAS = ("n_T_jackknife",)
MATRIX_ELEMENTS = ("V_hc_numerical", "V_hc_numerical_stderr", "V_hc_eq11")


def _require(ds: xr.Dataset, names: tuple[str, ...], stage: str, dim: str) -> None:
    missing = [n for n in names if n not in ds]
    if missing:
        raise ValueError(
            f"{stage} dataset lacks {', '.join(missing)} (leave-one-out jackknife replicas over "
            f"{dim}, docs/physics.md §2.1): the hot-cold stage propagates the statistical "
            "errors of its "
            f"inputs from them and never assumes zero errors; rerun the {stage} stage with the "
            "current code (delete results/" + stage + ".nc)"
        )


def _extrapolated(sub: xr.Dataset, shape: tuple[int, ...]) -> np.ndarray:
    """Boolean 'extrapolated' of a spectral n_T_source flag (by its flag_meanings)."""
    if "n_T_source" not in sub:
        return np.zeros(shape, bool)
    src = sub["n_T_source"]
    meanings = str(src.attrs.get("flag_meanings", "numerical extrapolated")).split()
    values = src.attrs.get("flag_values", np.arange(len(meanings)))
    code = np.asarray(values)[meanings.index("extrapolated")] if "extrapolated" in meanings else -1
    return np.asarray(src.values) == code


def spectral_n_t(sub: xr.Dataset, temps: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """n_T, its replicas and 'extrapolated' at the hot-cold temperatures (one model).

    The spectral stage evaluates n_T at exactly these temperatures; a
    dataset on another grid is interpolated log-log inside its range.  A
    temperature beyond its range is a ValueError (no closed form filled in).
    Returns (n_T (T,), replicas (R, T), extrapolated (T,)); NaN at T <= 0.
    """
    _require(sub, SPECTRAL_REPLICAS, "spectral", "replica_spec")
    ts = np.asarray(sub["T"].values, dtype=float)
    rep_dim = [d for d in sub["n_T_jackknife"].dims if d != "T"][0]
    n = np.asarray(sub["n_T"].transpose("T").values, dtype=float)
    reps = np.asarray(sub["n_T_jackknife"].transpose(rep_dim, "T").values, dtype=float)
    reps = reps[np.isfinite(reps).any(axis=1)]  # padding of a merge over models with fewer R
    ext = _extrapolated(sub, ts.shape)
    pos = temps > 0
    hot = temps[pos]
    outside = (hot < ts.min() * (1 - 1e-9)) | (hot > ts.max() * (1 + 1e-9))
    if outside.any():
        raise ValueError(
            f"temperatures: T = {hot[outside].tolist()} lie outside the spectral n_T range "
            f"[{ts.min():.4g}, {ts.max():.4g}]; the hot-cold stage uses the numerical n_T at "
            "every temperature: let the spectral stage cover the configured temperatures "
            "(the config key temperatures) or drop these temperatures"
        )
    order = np.argsort(ts)
    lt, lts = np.log(hot), np.log(ts[order])
    match = np.isclose(hot[:, None], ts[None, :], rtol=1e-9, atol=0)
    exact, idx = match.any(axis=1), match.argmax(axis=1)

    def at(y: np.ndarray) -> np.ndarray:
        out = np.full(temps.shape, np.nan)
        with np.errstate(divide="ignore", invalid="ignore"):
            between = np.exp(np.interp(lt, lts, np.log(y[order])))
        out[pos] = np.where(exact, y[idx], between)  # grid points exactly, no round-off
        return out

    ext_t = np.zeros(temps.shape, bool)
    ext_t[pos] = np.where(exact, ext[idx], np.interp(lt, lts, ext[order].astype(float)) > 0)
    return at(n), np.stack([at(r) for r in reps]), ext_t


def _first_with(ds: xr.Dataset, family: str, d: float, var: str) -> xr.Dataset | None:
    for sub in pick_models(ds, family, d):
        if var in sub and np.isfinite(np.asarray(sub[var].values, dtype=float)).sum() >= 2:
            return sub
    return None


def _localization_replicas(model: ModelInputs, loc: xr.Dataset, family: str) -> list[ModelInputs]:
    sub = _first_with(loc, family, model.d, "xi")
    if sub is None or model.measured is None:
        return []  # the model is not in the dataset: Born xi, no statistical error
    _require(sub, LOCALIZATION_REPLICAS, "localization", "replica_loc")
    e = np.asarray(sub["energy"].values, dtype=float)
    rep_dim = [d for d in sub["xi_jackknife"].dims if d != "energy"][0]
    xi = sub["xi_jackknife"].transpose(rep_dim, "energy").values
    dos = sub["dos_jackknife"].transpose(rep_dim, "energy").values
    keep = np.isfinite(xi).any(axis=1)  # padding of a merge over models with fewer batches
    xi, dos = xi[keep], dos[keep]
    src = np.asarray(sub["xi_source"].values) if "xi_source" in sub else np.zeros(e.shape, int)
    out = []
    for x, r in zip(xi, dos, strict=True):
        nodes = measured_nodes(e, x, r, src, model.m)
        out.append(dataclasses.replace(model, measured=nodes))
    return out


def v_ratio_nodes(sub: xr.Dataset, temps: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(ln eps, ln[V_hc numerical / Eq. 11] (T, n), its standard error (T, n)) at ``temps``.

    One model of results/matrix_elements.nc (docs/physics.md §2.1); energies where the
    model has no value (the NaN padding of the merge over models) are dropped.
    Temperatures not in the dataset are interpolated log-log inside its T
    range; beyond it the row is NaN (then V_hc keeps Eq. 11 there, flagged
    beyond_measured).
    """
    _require(sub, MATRIX_ELEMENTS, "matrix_elements", "its stderr")
    e = np.asarray(sub["energy"].values, dtype=float)
    ts = np.asarray(sub["T"].values, dtype=float)
    vn, se, ve = (np.asarray(sub[k].transpose("T", "energy").values) for k in MATRIX_ELEMENTS)
    with np.errstate(divide="ignore", invalid="ignore"):
        lr, sig = np.log(vn / ve), se / vn
    # a merge over models pads each model's energy grid with NaN: keep its own energies
    measured = np.isfinite(lr).any(axis=0)
    e, lr, sig = e[measured], lr[:, measured], sig[:, measured]
    oe, ot = np.argsort(e), np.argsort(ts)
    lr, sig, lts = lr[ot][:, oe], sig[ot][:, oe], np.log(ts[ot])
    out_r = np.full((len(temps), len(e)), np.nan)
    out_s = np.full_like(out_r, np.nan)
    for k, t in enumerate(temps):
        if not t > 0 or np.log(t) < lts[0] - 1e-9 or np.log(t) > lts[-1] + 1e-9:
            continue
        j = np.flatnonzero(np.isclose(ts[ot], t, rtol=1e-9, atol=0))
        for dst, src in ((out_r, lr), (out_s, sig)):
            dst[k] = src[j[0]] if len(j) else [np.interp(np.log(t), lts, c) for c in src.T]
    return np.log(e[oe]), out_r, out_s


def _matrix_element_replicas(
    full: ModelInputs, me: xr.Dataset | None, family: str, temps: np.ndarray
) -> tuple[ModelInputs, list[ModelInputs]]:
    if me is None:
        raise ValueError(
            "hotcold.v_hc: numerical needs results/matrix_elements.nc (the matrix_elements "
            "stage); set hotcold.v_hc: closed_form to use Eq. (11)"
        )
    sub = _first_with(me, family, full.d, "V_hc_numerical")
    if sub is None:
        raise ValueError(
            f"matrix_elements dataset has no V_hc_numerical for {family}/d={full.d:g}: rerun "
            "the matrix_elements stage for every model, or set hotcold.v_hc: closed_form"
        )
    ln_e, lr, sig = v_ratio_nodes(sub, temps)
    full = dataclasses.replace(full, v_ratio=(ln_e, lr))
    # +-1 sigma of ln V (correlated over energy and T): a two-point group, see jackknife_stderr
    pm = [dataclasses.replace(full, v_ratio=(ln_e, lr + s * sig)) for s in (1.0, -1.0)]
    return full, pm


def model_replicas(
    model: ModelInputs,
    family: str,
    localization: xr.Dataset | None,
    spectral: xr.Dataset | None,
    temps: np.ndarray,
    matrix_elements: xr.Dataset | None = None,
    v_hc: str = "closed_form",
) -> tuple[list[ModelInputs], np.ndarray]:
    """[full model] + its replicas, and each one's group (:data:`REPLICA_GROUPS`).

    The replicas of the 1D engines (:func:`transfer_matrix_inputs`).
    ``family`` is the sweep's family label (d = 0 is looked up under any
    family).  With ``v_hc == "numerical"`` the measured V_hc of
    ``matrix_elements`` enters, with a +-1 sigma pair of replicas.
    """
    full, spec, pm = model, [], []
    if v_hc == "numerical":
        full, pm = _matrix_element_replicas(full, matrix_elements, family, temps)
    if spectral is not None:
        sub = _first_with(spectral, family, model.d, "n_T")
        if sub is None or "T" not in sub["n_T"].dims:
            raise ValueError(
                f"spectral dataset has no n_T(T) for {family}/d={model.d:g}: rerun the "
                "spectral stage for every model of disorder.families x disorder.d"
            )
        n, reps, ext = spectral_n_t(sub, temps)
        full = dataclasses.replace(full, nt=nt_nodes(temps, n, ext))
        spec = [dataclasses.replace(full, nt=nt_nodes(temps, r, ext)) for r in reps]
    if pm:
        pm = [dataclasses.replace(p, nt=full.nt) for p in pm]
    loc = [] if localization is None else _localization_replicas(full, localization, family)
    groups = ["full"] + ["localization"] * len(loc) + ["spectral"] * len(spec)
    groups += ["matrix_elements"] * len(pm)
    return [full, *loc, *spec, *pm], np.array(groups)


@dataclasses.dataclass(frozen=True)
class StageInputs:
    """The hot-cold stage's inputs for one (dim, family, d), whatever engine produced them.

    ``replicas[0]`` is the full sample, the others its resampled replicas,
    each in the group ``groups[i]`` (:data:`REPLICA_GROUPS`).  ``source`` says
    where xi and rho come from: 'measured' (an engine's dataset has the model),
    'born' (the engine's dataset lacks it: weak-disorder theory) or
    'closed_form' (no numerical engine for this dimension).  ``missing`` is
    True where a dataset was given but lacks the model.
    """

    replicas: list[ModelInputs]
    groups: np.ndarray
    source: str
    missing: bool = False


#: Merged stage datasets by stage name ('localization', 'spectral', 'matrix_elements', ...);
#: each engine's adapter reads its own (absent or None: not run).
Datasets = Mapping[str, xr.Dataset | None]


def transfer_matrix_inputs(
    base: ModelInputs, family: str, datasets: Datasets, temps: np.ndarray, v_hc: str
) -> StageInputs:
    """1D adapter: transfer-matrix xi, rho (localization), spectral n_T, measured V_hc.

    Reads ``datasets['localization']``, ``['spectral']`` and ``['matrix_elements']``.
    """
    localization = datasets.get("localization")
    spectral, matrix_elements = datasets.get("spectral"), datasets.get("matrix_elements")
    nodes = localization_nodes(localization, family, base.d, base.m)
    model = dataclasses.replace(base, measured=nodes)
    reps, groups = model_replicas(
        model, family, localization, spectral, temps, matrix_elements, v_hc
    )
    source = "born" if nodes is None else "measured"
    return StageInputs(reps, groups, source, localization is not None and nodes is None)


def closed_form_inputs(
    base: ModelInputs, family: str, datasets: Datasets, temps: np.ndarray, v_hc: str
) -> StageInputs:
    """2D adapter while there is no 2D engine: Eqs. (20)/(30), (22), m/2pi; no replicas."""
    return StageInputs([base], np.array(["full"]), "closed_form")


def _strip_nodes(sub: xr.Dataset, m: float, shift: tuple[float, float] = (0.0, 0.0)):
    """(ln eps, ln xi, ln rho, measured) nodes of one 2D model at its labels with a finite
    xi_2D (strip_direct or scaling); ``shift`` moves ln xi and ln rho by that many of their
    relative errors (the +-1 sigma replicas).  None for fewer than two such labels."""
    e = np.asarray(sub["eps"].values, dtype=float)
    xi = np.asarray(sub["xi"].values, dtype=float)
    rho = np.asarray(sub["rho"].values, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        xi = xi * np.exp(shift[0] * np.asarray(sub["xi_stderr"].values, dtype=float) / xi)
        rho = rho * np.exp(shift[1] * np.asarray(sub["rho_stderr"].values, dtype=float) / rho)
    rho = np.where(np.isfinite(rho) & (rho > 0), rho, m / (2.0 * np.pi))
    return measured_nodes(e, xi, rho, np.zeros(e.shape, int), m)


def strip_slope(sub: xr.Dataset, base: ModelInputs) -> tuple[float, float]:
    """Slope b of Eq. (20)'s form ln(xi/(v tau)) = ln A + b eps over one 2D model's labels, and
    its standard error.

    A weighted straight line (weights 1/sigma^2, sigma = xi_stderr/xi; the error from the fit
    covariance, scaled by sqrt(chi2/dof) where that exceeds 1) through the labels with a
    finite xi_2D, v = sqrt(2 eps/m) and tau of :func:`hotcold.theory.transport_rate_2d` for
    the model.  Not the stage's ``dlnxi_deps``, the slope of ln xi itself: that also holds
    d ln(v tau)/d eps (1/(2 eps) for white noise, 0.36 at eps = 1..2), which the form already
    carries.  (NaN, NaN) for fewer than two labels.
    """
    return eq20_slope(
        sub["eps"].values, sub["xi"].values, sub["xi_stderr"].values, base.family, base.m,
        base.w, base.d,
    )  # fmt: skip


def eq20_slope(
    eps: Any, xi: Any, xi_stderr: Any, family: str, m: float, w2: float, d: float
) -> tuple[float, float]:
    """Slope b [1/energy] of ln(xi/(v tau)) = ln A + b eps (Eq. 20's form, whose b is pi tau)
    over the labels with a finite xi > 0, and its standard error (weighted line, weights
    1/sigma^2 with sigma = xi_stderr/xi; the fit covariance scaled by sqrt(chi2/dof) where
    that exceeds 1).  v = sqrt(2 eps/m), tau of :func:`hotcold.theory.transport_rate_2d`.
    (NaN, NaN) for fewer than two labels."""
    e = np.asarray(eps, dtype=float)
    xi = np.asarray(xi, dtype=float)
    se = np.asarray(xi_stderr, dtype=float)
    ok = np.isfinite(xi) & (xi > 0) & (e > 0)
    if ok.sum() < 2:
        return math.nan, math.nan
    e, xi, se = e[ok], xi[ok], se[ok]
    ln_l = theory.ln_mean_free_path_2d(e, family, m, w2, d)
    b, b_se, _, _ = weighted_line_errors(e, np.log(xi) - ln_l, se / xi)
    return b, b_se


def _with_line(model: ModelInputs, b: float) -> ModelInputs:
    """``model`` with ``xi_line`` = (ln A, b), ln A fixed so that the line passes through its
    highest measured node (xi continuous there; the prefactor carries that label's error)."""
    le_n, lx_n = model.measured[0], model.measured[1]
    e_n = float(np.exp(le_n[-1]))
    top = dataclasses.replace(model, xi_line=(0.0, b))
    ln_a = float(lx_n[-1] - top.ln_xi_line(np.array([e_n]))[0])
    return dataclasses.replace(model, xi_line=(ln_a, b))


def strip_inputs(
    base: ModelInputs, family: str, datasets: Datasets, temps: np.ndarray, v_hc: str
) -> StageInputs:
    """2D adapter: xi_2D and rho = dn/dE of the strip stage (``datasets['localization2d']``).

    Energies are density labels (docs/physics.md §1.2): inside the measured
    labels xi and rho are interpolated log-log (``xi_source`` measured).  Above
    the highest label (orthogonal class) xi is Eq. (20)'s form with the fitted
    slope (:func:`strip_slope`), through the highest label, and rho that
    label's (``xi_source`` extrapolated); below the lowest label, and above it in
    the unitary class (Eq. 30's form is not linear in eps), Eq. (20)/(30) and
    m/2pi (the closed forms, flagged born); n_T stays Eq. (22).  Errors: +-1
    sigma pairs of ln xi and of ln rho (group ``localization2d``), each coherent
    over the labels (and carried above them with the highest label's xi and
    rho), and a pair b +- its standard error (the slope's error:
    nothing inside the labels, growing with eps - eps_top above them).
    Without the dataset (the stage not run): :func:`closed_form_inputs`.
    """
    loc2d = datasets.get("localization2d")
    if loc2d is None:
        return closed_form_inputs(base, family, datasets, temps, v_hc)
    for sub in pick_models(loc2d, family, base.d):
        nodes = _strip_nodes(sub, base.m)
        if nodes is None:
            continue
        pairs = [(1.0, 0.0), (-1.0, 0.0), (0.0, 1.0), (0.0, -1.0)]
        full = dataclasses.replace(base, measured=nodes)
        reps = [dataclasses.replace(base, measured=_strip_nodes(sub, base.m, sh)) for sh in pairs]
        b, b_se = strip_slope(sub, base)
        if base.symmetry == "orthogonal" and np.isfinite(b) and np.isfinite(b_se):
            full = _with_line(full, b)
            reps = [_with_line(r, b) for r in reps]
            reps += [_with_line(full, b + s * b_se) for s in (1.0, -1.0)]
        groups = np.array(["full"] + ["localization2d"] * len(reps))
        return StageInputs([full, *reps], groups, "measured")
    return StageInputs([base], np.array(["full"]), "closed_form", missing=True)


#: The adapter of each spatial dimension's engine: (inputs without measurements,
#: sweep family label, stage datasets by name, T, v_hc) -> StageInputs.
ENGINES = {1: transfer_matrix_inputs, 2: strip_inputs}


def stage_inputs(
    dim: int,
    family: str,
    d: float,
    config: Mapping,
    datasets: Datasets,
    temps: np.ndarray,
    v_hc: str = "closed_form",
    symmetry: str = "orthogonal",
) -> StageInputs:
    """The hot-cold stage's inputs of one (dim, family, d): the one entry to every engine.

    Parameters
    ----------
    dim : int
        Spatial dimension; its engine is ``ENGINES[dim]``.
    family : str
        The sweep's family label (d = 0 is white noise under any label).
    d : float
        Correlation radius [length].
    config : mapping
        The workflow configuration (``m``, ``disorder.w`` / ``disorder.w2``).
    datasets : mapping
        Merged stage datasets by stage name (:data:`Datasets`).
    temps : ndarray
        The hot-cold temperatures [energy].
    v_hc : {'closed_form', 'numerical'}
    symmetry : {'orthogonal', 'unitary'}

    Returns
    -------
    StageInputs
    """
    base = inputs_without_measurements(dim, family, d, config, symmetry)
    return ENGINES[dim](base, family, datasets, temps, v_hc)


def jackknife_stderr(x: xr.DataArray, groups: np.ndarray) -> xr.DataArray:
    """Jackknife standard error over ``replica``: groups' variances summed (independent).

    The groups of :data:`PAIR_GROUPS` hold +-1 sigma pairs: each adds ((x+ - x-)/2)^2.
    Computed on x / max|x| (no underflow of the squares for tiny values such as n_h).
    """
    var = xr.zeros_like(x.isel(replica=0, drop=True), dtype=float)
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        scale = np.abs(x).max("replica")
        scale = scale.where(scale > 0, 1.0)
        y = x / scale
        for g in REPLICA_GROUPS[1:]:
            idx = np.flatnonzero(groups == g)
            if len(idx) < 2:
                continue
            sel = y.isel(replica=idx)
            if g in PAIR_GROUPS:
                for k in range(0, len(idx) - 1, 2):
                    var = var + (0.5 * (sel.isel(replica=k) - sel.isel(replica=k + 1))) ** 2
                continue
            jk = jackknife_variance(sel.values, axis=sel.get_axis_num("replica"), skipna=True)
            var = var + sel.isel(replica=0, drop=True).copy(data=jk)
        return scale * np.sqrt(var)
