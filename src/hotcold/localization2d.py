"""2D localization from strips: density-labelled energies and xi_M(eps) for several widths.

The measurement behind xi_2D(eps) (docs/physics.md §1.2, "2D numerics"):

1. **Label.**  Every 2D energy is a density label eps = 2 pi n(E)/m
   (:func:`hotcold.lattice2d.energy_at_label`): the lattice energy E whose
   integrated density of states per area n(E) equals the clean continuum's at
   eps, measured on a strip of ``label_width`` sites (wide enough that n(E)
   is the bulk value: the per-area IDOS of a narrow periodic strip carries
   the quantization of k_y).  The shift E - eps and rho = dn/dE per unit of
   true energy are stored with their errors.
2. **Strips.**  At that E, xi_M = 1/(2 gamma_min) of periodic strips of M
   sites (:func:`hotcold.strip.strip_lyapunov`), each to ``rel_error`` or
   its cost cap, on its own reproducible disorder stream.
3. **xi_2D directly** where it has converged in the width: the widest strip
   agrees with the widest one at most half as wide (else the next widest)
   within ``converge_sigma`` combined errors and the widest is
   at least ``width_over_xi`` xi_M wide (``xi_source = strip_direct``).
   Elsewhere the widest xi_M is only a lower bound (``unconverged``).
4. **One-parameter scaling** (:func:`scaling_collapse`): Lambda = xi_M/W is a
   function of W/xi_2D alone; with the form
   1/Lambda = x + c_0 + c_1 ln x + ... + c_p (ln x)^p, x = W/xi_2D, whose
   leading term makes xi_M -> xi_2D for W >> xi_2D (this fixes the absolute
   scale of xi_2D; the logarithms carry the weak-localization regime
   W << xi_2D), fitted to every (eps, W) at once by weighted least squares
   (``xi_source = scaling``), with the collapse's chi-square.

Units: hbar = 1; lengths, energies in the units set by m and eps_F.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import xarray as xr

from .datasets import Var, apply_table, flag_attrs
from .lattice2d import (
    LatticeModel2D,
    StripPotential,
    energy_at_label,
    lattice_seed,
    lattice_step,
    sites_across,
)
from .replicas import eq20_slope
from .stats import weighted_line_errors
from .strip import strip_lyapunov

__all__ = [
    "SOURCES_2D",
    "COLLAPSE_P_MIN",
    "VARS",
    "StripXi",
    "label_and_strips",
    "xi_2d_direct",
    "scaling_collapse",
    "open_channels",
    "lattice_for",
    "localization2d_dataset",
]

#: Smallest chi-square p-value of an accepted scaling collapse.
COLLAPSE_P_MIN = 1e-3
#: ``xi_source`` flag meanings of the 2D localization stage (int8 0, 1, 2).
SOURCES_2D = ("strip_direct", "scaling", "unconverged")


@dataclass(frozen=True)
class StripXi:
    """One density-labelled energy: its lattice energy and the strip lengths.

    Attributes
    ----------
    eps : float
        Density label [energy].
    energy, energy_stderr : float
        Lattice energy E above the clean band bottom with label ``eps`` [energy].
    rho, rho_stderr : float
        dn/dE at E [1/(energy length^2)].
    widths : ndarray (K,)
        Strip widths M [sites].
    xi_M, xi_M_stderr : ndarray (K,)
        Strip localization lengths [length] (intensity convention).
    cap_hit : ndarray (K,) of bool
        The strip stopped at its cost cap before the target error.
    a : float
        Lattice step [length].
    """

    eps: float
    energy: float
    energy_stderr: float
    rho: float
    rho_stderr: float
    widths: np.ndarray
    xi_M: np.ndarray
    xi_M_stderr: np.ndarray
    cap_hit: np.ndarray
    a: float

    @property
    def shift(self) -> float:
        """E - eps [energy] (error: ``energy_stderr``)."""
        return self.energy - self.eps


def label_and_strips(
    model: LatticeModel2D,
    eps: float,
    widths: list[int] | tuple[int, ...],
    *,
    seed: int,
    rel_error: float = 0.02,
    max_slices: int = 2_000_000,
    label_width: int = 64,
    label_slices: int = 40_000,
    label_block: int = 1000,
    log: Callable[[str], None] | None = None,
) -> StripXi:
    """Lattice energy of the label ``eps``, then xi_M there for every width.

    Parameters
    ----------
    model : LatticeModel2D
    eps : float
        Density label [energy] (> 0).
    widths : sequence of int
        Strip widths M [sites].
    seed : int
        Base seed; the label strip and each width get their own child stream
        (:func:`hotcold.lattice2d.lattice_seed`, keyed by eps's bits and M).
    rel_error, max_slices : float, int
        Target relative error of each xi_M and its cost cap [slices].
    label_width, label_slices, label_block : int
        Strip of the IDOS: width [sites], counted slices, slices per jackknife block.
    log : callable, optional
        Progress lines (after the label and after each strip).

    Returns
    -------
    StripXi
    """
    key = int(np.float64(eps).view(np.uint64) & 0xFFFFFFFF)
    lab = energy_at_label(
        model,
        label_width,
        eps,
        seed=lattice_seed(seed, model, "strip2d", 1, key),
        n_slices=label_slices,
        block_slices=label_block,
    )
    if log:
        log(f"    eps={eps:g}: label E = {lab.energy:.4f} +- {lab.energy_stderr:.4f} "
            f"({lab.n_passes} passes of {label_slices} slices, {label_width} sites)")  # fmt: skip
    xi, se, cap = [], [], []
    for M in widths:
        src = StripPotential(model, int(M), lattice_seed(seed, model, "strip2d", 2, key, int(M)))
        res = strip_lyapunov(
            src, int(M), model.t, lab.energy, a=model.a, flux=model.flux,
            rel_error=rel_error, max_slices=max_slices,
        )  # fmt: skip
        xi.append(res.xi_M)
        se.append(res.xi_M_stderr)
        cap.append(res.cap_hit)
        if log:
            log(f"    eps={eps:g}: M = {int(M)}: xi_M = {res.xi_M:.4g} +- {res.xi_M_stderr:.2g} "
                f"({res.n_slices} slices{', cost cap' if res.cap_hit else ''})")  # fmt: skip
    return StripXi(
        float(eps), lab.energy, lab.energy_stderr, lab.rho, lab.rho_stderr,
        np.asarray(widths, dtype=int), np.asarray(xi), np.asarray(se), np.asarray(cap), model.a,
    )  # fmt: skip


def xi_2d_direct(
    point: StripXi, *, converge_sigma: float = 2.0, width_over_xi: float = 3.0
) -> dict[str, Any]:
    """xi_2D where the strips have converged in width, else a lower bound (module docstring).

    Returns
    -------
    dict with ``xi``, ``xi_stderr`` [length] (NaN where unconverged),
    ``xi_lower_bound`` [length] (the widest xi_M where unconverged, else NaN)
    and ``xi_source`` (index into :data:`SOURCES_2D`).
    """
    order = np.argsort(point.widths)
    w = point.widths[order] * point.a
    xi, se = point.xi_M[order], point.xi_M_stderr[order]
    # compared with the widest strip at most half as wide (else the next widest): xi_M creeps
    # up slowly with W, and two close widths agree within errors long before it converges
    # (the flux strips W = 24, 32: benchmarks/compare_eq30.py)
    half = np.flatnonzero(w[:-1] <= 0.5 * w[-1] * (1 + 1e-12))
    j = int(half[-1]) if half.size else w.size - 2
    agree = w.size >= 2 and abs(xi[-1] - xi[j]) <= converge_sigma * math.hypot(se[-1], se[j])
    wide = w[-1] >= width_over_xi * xi[-1]
    if agree and wide:
        return {"xi": float(xi[-1]), "xi_stderr": float(se[-1]),
                "xi_lower_bound": math.nan, "xi_source": 0}  # fmt: skip
    return {"xi": math.nan, "xi_stderr": math.nan,
            "xi_lower_bound": float(xi[-1]), "xi_source": 2}  # fmt: skip


def _collapse_model(theta: np.ndarray, k_idx: np.ndarray, w: np.ndarray, n_e: int) -> np.ndarray:
    """Lambda of the collapse form at every point: theta = (ln xi_1..K, c_0..c_p)."""
    x = w * np.exp(-theta[:n_e][k_idx])
    lx = np.log(x)
    inv = x + sum(c * lx**j for j, c in enumerate(theta[n_e:]))
    return 1.0 / inv


def scaling_collapse(
    widths: list[np.ndarray],
    xi_m: list[np.ndarray],
    xi_m_stderr: list[np.ndarray],
    degree: int = 2,
) -> dict[str, Any]:
    """One-parameter scaling fit of strip lengths over several energies (module docstring).

    Parameters
    ----------
    widths : list of ndarray
        Strip widths W = M a [length], one array per energy.
    xi_m, xi_m_stderr : list of ndarray
        xi_M and its standard error [length] at those widths.
    degree : int
        Highest power p of ln x in the form.

    Returns
    -------
    dict with ``xi`` and ``xi_stderr`` [length] per energy (the error from the
    fit covariance, scaled by sqrt(chi2/dof) where that exceeds 1), ``coef``
    (c_0..c_p), ``chi2`` and ``dof`` (NaN / 0 where there are no more points
    than parameters), and ``success``.
    """
    from scipy.optimize import least_squares

    n_e = len(widths)
    k_idx = np.concatenate([np.full(len(w), k) for k, w in enumerate(widths)])
    w = np.concatenate(widths).astype(float)
    lam = np.concatenate(xi_m) / w
    lam_se = np.concatenate(xi_m_stderr) / w
    # start: xi_k from the widest strip's xi_M, the form's constant from 1/Lambda - x there
    ln_xi0 = np.array([np.log(np.max(x)) for x in xi_m])
    theta0 = np.concatenate([ln_xi0, np.zeros(degree + 1)])
    res = least_squares(lambda th: (_collapse_model(th, k_idx, w, n_e) - lam) / lam_se, theta0)
    chi2 = float(np.sum(res.fun**2))
    dof = int(lam.size - theta0.size)
    with np.errstate(all="ignore"):
        cov = np.linalg.pinv(res.jac.T @ res.jac)
    scale = math.sqrt(max(1.0, chi2 / dof)) if dof > 0 else math.nan
    se = np.sqrt(np.diag(cov)) * scale
    xi = np.exp(res.x[:n_e])
    return {
        "xi": xi,
        "xi_stderr": xi * se[:n_e],
        "coef": res.x[n_e:],
        "chi2": chi2 if dof > 0 else math.nan,
        "dof": max(dof, 0),
        "success": bool(res.success),
    }


_EW = ("eps", "width")
#: Variables of the 2D localization dataset (docs/physics.md §1.2 "2D numerics").
VARS = {
    "eps": Var(("eps",), "energy", "density label eps = 2 pi n(E)/m of the energy"),
    "width": Var(("width",), "length", "strip width W = M a (periodic)"),
    "energy": Var(("eps",), "energy", "lattice energy E above the clean band bottom at label eps"),
    "energy_stderr": Var(("eps",), "energy", "jackknife standard error of energy"),
    "shift": Var(("eps",), "energy", "band shift E - eps of the disordered lattice at label eps"),
    "shift_stderr": Var(("eps",), "energy", "standard error of shift (that of energy)"),
    "rho": Var(("eps",), "1/(energy length^2)",
               "density of states dn/dE per area and unit of true energy at label eps"),
    "rho_stderr": Var(("eps",), "1/(energy length^2)", "jackknife standard error of rho"),
    "xi_M": Var(_EW, "length", "strip localization length xi_M = 1/(2 gamma_min)"),
    "xi_M_stderr": Var(_EW, "length", "blocked-jackknife standard error of xi_M"),
    "xi_M_cap_hit": Var(_EW, "1", "1 where the strip stopped at its cost cap (target missed)"),
    "xi": Var(("eps",), "length",
              "2D localization length xi_2D (strip_direct or scaling; NaN where unconverged)"),
    "xi_stderr": Var(("eps",), "length", "standard error of xi"),
    "xi_lower_bound": Var(("eps",), "length",
                          "widest strip's xi_M where xi is unconverged (a lower bound), else NaN"),
    "xi_source": Var(("eps",), "1", "origin of xi: strip_direct, scaling or unconverged"),
    "xi_scaling": Var(("eps",), "length", "xi_2D of the one-parameter scaling collapse"),
    "xi_scaling_stderr": Var(("eps",), "length", "standard error of xi_scaling (fit covariance)"),
    "collapse_chi2": Var((), "1", "chi-square of the scaling collapse of Lambda = xi_M/W"),
    "collapse_dof": Var((), "1", "degrees of freedom of the scaling collapse"),
    "collapse_coef": Var(("coef",), "1", "c_j of the collapse 1/Lambda = x + sum_j c_j (ln x)^j"),
    "collapse_used": Var(_EW, "1", "1 where the strip enters the scaling collapse"),
    "dlnxi_deps": Var((), "1/energy", "slope d ln xi/d eps of xi (weighted fit)", "20"),
    "dlnxi_deps_stderr": Var((), "1/energy", "standard error of dlnxi_deps (fit covariance)"),
    "pi_tau": Var((), "1/energy", "pi tau at the labels (Eq. 20's slope, tau of Eq. 21)", "20, 21"),
    "eq20_slope": Var((), "1/energy", "slope b of ln(xi/(v tau)) = ln A + b eps (weighted fit)",
                      "20 (b = pi tau there)"),
    "eq20_slope_stderr": Var((), "1/energy", "standard error of eq20_slope (fit covariance)"),
    "ln_xi_eq20": Var(("eps",), "1", "ln(xi/length unit) of Eq. (20), tau of Eq. (21)", "20, 21"),
    "transport_time": Var(("eps",), "1/energy", "weak-disorder transport time tau", "21"),
    "a": Var((), "length", "lattice step a"),
    "flux": Var((), "1", "magnetic flux per plaquette [flux quanta]"),
}  # fmt: skip


def lattice_for(family: str, w2: float, d: float, m: float, eps_max: float,
                settings: Mapping[str, Any]) -> LatticeModel2D:  # fmt: skip
    """The lattice model of a 2D continuum model: a = settings['a'] or :func:`choose_a` at
    the largest energy's wavevector sqrt(2 m eps_max) with ``ka_max``."""
    a = lattice_step(eps_max, m, d, settings.get("a"), settings["ka_max"])
    return LatticeModel2D(family, w2, d, m, a, float(settings.get("flux", 0.0)))


def open_channels(eps: float, width: float, m: float) -> int:
    """Open channels of a clean periodic strip at the label eps: the transverse modes
    k_y = 2 pi j/W with |k_y| < k = sqrt(2 m eps), N = 2 floor(k W/(2 pi)) + 1."""
    return 2 * int(math.floor(math.sqrt(2.0 * m * eps) * width / (2.0 * math.pi))) + 1


def _collapse_flags(
    points: list[StripXi], direct: list[dict], degree: int, min_channels: int, m: float
) -> dict[str, Any]:
    """xi per energy: strip_direct where converged, else the collapse's where it fits.

    Strips with fewer than ``min_channels`` open channels at their label are left out
    of the collapse (quasi-1D: their xi_M follows the channel count, not W/xi_2D);
    ``collapse_used`` marks the (eps, width) points fitted.
    """
    from scipy.stats import chi2 as chi2_dist

    n = len(points)
    used = np.array([[open_channels(p.eps, w * p.a, m) >= min_channels for w in p.widths]
                     for p in points])  # fmt: skip
    out = {"xi_scaling": np.full(n, np.nan), "xi_scaling_stderr": np.full(n, np.nan),
           "collapse_chi2": math.nan, "collapse_dof": 0, "collapse_used": used,
           "collapse_coef": np.full(degree + 1, np.nan)}  # fmt: skip
    rows = [k for k in range(n) if used[k].sum() >= 2]
    if len(rows) < 2:
        return out
    fit = scaling_collapse(
        [points[k].widths[used[k]] * points[k].a for k in rows],
        [points[k].xi_M[used[k]] for k in rows],
        [points[k].xi_M_stderr[used[k]] for k in rows],
        degree,
    )
    out["xi_scaling"][rows], out["xi_scaling_stderr"][rows] = fit["xi"], fit["xi_stderr"]
    out.update(collapse_chi2=fit["chi2"], collapse_dof=fit["dof"], collapse_coef=fit["coef"])
    good = (
        fit["success"] and fit["dof"] > 0 and chi2_dist.sf(fit["chi2"], fit["dof"]) > COLLAPSE_P_MIN
    )
    for j, k in enumerate(rows):
        if direct[k]["xi_source"] != 0 and good:
            direct[k].update(xi=float(fit["xi"][j]), xi_stderr=float(fit["xi_stderr"][j]),
                             xi_source=1)  # fmt: skip
    return out


def _measure(model, eps, sites, settings, seed, log) -> list[StripXi]:
    """:func:`label_and_strips` at every label, logged."""
    lw = sites_across(float(settings["label_width"]), model.a)
    points = []
    for e in eps:
        p = label_and_strips(
            model, float(e), sites, seed=seed, rel_error=float(settings["rel_error"]),
            max_slices=int(settings["max_slices"]), label_width=lw,
            label_slices=int(settings["label_slices"]), label_block=int(settings["label_block"]),
            log=log,
        )  # fmt: skip
        points.append(p)
        shown = ", ".join(f"{x:.3f}+-{s:.3f}" for x, s in zip(p.xi_M, p.xi_M_stderr, strict=True))
        log(f"  eps={e:g}: E={p.energy:.4f} +- {p.energy_stderr:.4f} (shift {p.shift:+.4f}), "
            f"xi_M = {shown} at W = {', '.join(f'{m * model.a:g}' for m in sites)}")  # fmt: skip
    return points


def localization2d_dataset(
    model: LatticeModel2D,
    eps: Sequence[float],
    widths: Sequence[float],
    settings: Mapping[str, Any],
    seed: int,
    log: Callable[[str], None] = print,
) -> xr.Dataset:
    """The 2D localization stage for one model: labels, strips, xi_2D (module docstring).

    Parameters
    ----------
    model : LatticeModel2D
    eps : sequence of float
        Density labels [energy].
    widths : sequence of float
        Strip widths W [length] (M = round(W/a) sites).
    settings : mapping
        ``rel_error``, ``max_slices``, ``label_width`` [length], ``label_slices``,
        ``label_block``, ``collapse_degree``, ``collapse_min_channels``.
    seed : int
    log : callable

    Returns
    -------
    xarray.Dataset
        The variables of :data:`VARS`.
    """
    from .theory import ln_xi_2d, transport_rate_2d

    sites = [sites_across(w, model.a) for w in [*widths, settings["label_width"]]]
    if min(sites) < 2:
        raise ValueError(
            f"strip widths {list(widths)} and label_width {settings['label_width']} need at "
            f"least 2 sites of a = {model.a:g} each (W >= {2 * model.a:g})"
        )
    sites = sites[:-1]
    points = _measure(model, eps, sites, settings, seed, log)
    direct = [xi_2d_direct(p) for p in points]
    coll = _collapse_flags(points, direct, int(settings["collapse_degree"]),
                           int(settings["collapse_min_channels"]), model.m)  # fmt: skip
    e = np.asarray(eps, dtype=float)
    fields = ("energy", "energy_stderr", "rho", "rho_stderr", "xi_M", "xi_M_stderr", "cap_hit")
    col = {k: np.array([getattr(p, k) for p in points]) for k in fields}
    dr = {k: np.array([x[k] for x in direct]) for k in direct[0]}
    fam, m, w2, d = model.family, model.m, model.w2, model.d
    tau = 1.0 / transport_rate_2d(e, fam, m, w2, d)
    with np.errstate(invalid="ignore", divide="ignore"):
        slope, slope_se, _, _ = weighted_line_errors(
            e, np.log(dr["xi"]), dr["xi_stderr"] / dr["xi"]
        )
    b, b_se = eq20_slope(e, dr["xi"], dr["xi_stderr"], fam, m, w2, d)
    data = {
        "energy": ("eps", col["energy"]), "energy_stderr": ("eps", col["energy_stderr"]),
        "shift": ("eps", col["energy"] - e), "shift_stderr": ("eps", col["energy_stderr"]),
        "rho": ("eps", col["rho"]), "rho_stderr": ("eps", col["rho_stderr"]),
        "xi_M": (_EW, col["xi_M"]), "xi_M_stderr": (_EW, col["xi_M_stderr"]),
        "xi_M_cap_hit": (_EW, col["cap_hit"].astype(np.int8)),
        "xi": ("eps", dr["xi"]), "xi_stderr": ("eps", dr["xi_stderr"]),
        "xi_lower_bound": ("eps", dr["xi_lower_bound"]),
        "xi_source": ("eps", dr["xi_source"].astype(np.int8)),
        "xi_scaling": ("eps", coll["xi_scaling"]),
        "xi_scaling_stderr": ("eps", coll["xi_scaling_stderr"]),
        "collapse_chi2": ((), coll["collapse_chi2"]), "collapse_dof": ((), coll["collapse_dof"]),
        "collapse_coef": ("coef", coll["collapse_coef"]),
        "collapse_used": (_EW, coll["collapse_used"].astype(np.int8)),
        "dlnxi_deps": ((), slope), "dlnxi_deps_stderr": ((), slope_se),
        "pi_tau": ((), float(np.mean(np.pi * tau))),
        "eq20_slope": ((), b), "eq20_slope_stderr": ((), b_se),
        "ln_xi_eq20": ("eps", ln_xi_2d(e, fam, m, w2, d)),
        "transport_time": ("eps", tau),
        "a": ((), model.a), "flux": ((), model.flux),
    }  # fmt: skip
    ds = xr.Dataset(data, coords={"eps": e, "width": np.asarray(sites, float) * model.a})
    ds = apply_table(ds, VARS)
    ds["xi_source"].attrs.update(flag_attrs(SOURCES_2D, VARS["xi_source"].long_name))
    return ds
