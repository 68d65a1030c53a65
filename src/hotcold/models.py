"""Inputs of the hot-cold stage for one model: xi(eps), rho(eps), n_T(T) (docs/physics.md §1.4).

A :class:`ModelInputs` is one (dim, family, d) with everything the hot-cold
composition needs about it: the single-particle inputs xi(eps), rho(eps)
(measured log-log interpolation nodes of the localization stage inside its
energy range, Born xi and clean rho outside; 2D: Eq. 20/30, or above the
measured labels Eq. 20's form with the fitted slope, ``ModelInputs.xi_line``)
and the cold
thermal-pair density n_T(T) (numerical, from the spectral stage, or the
closed form Eq. 6 / 22), plus an optional cap xi <= xi_max (bounded-xi
comparison, Fig. 2).  Units hbar = k_B = 1, mass ``m``.

:func:`cold_factor` evaluates the T-dependent factor of eta_hc (Eqs. 6, 7,
12, 22, 25) in log space (the 2D xi_c overflows double precision).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any, NamedTuple

import numpy as np
import xarray as xr

from . import families, theory
from .stats import measured_else

__all__ = [
    "ModelInputs",
    "ColdInputs",
    "inputs_without_measurements",
    "localization_nodes",
    "pick_models",
    "measured_nodes",
    "nt_nodes",
    "cold_factor",
]

_LOG2PI = np.log(2.0 * np.pi)

Nodes = tuple[np.ndarray, ...]
#: (ln T, ln n_T, is_extrapolated) nodes of a numerical n_T
NtNodes = tuple[np.ndarray, np.ndarray, np.ndarray]
#: (ln eps nodes (n,), ln[V_hc numerical / Eq. 11] (T, n)) of the measured matrix elements
VNodes = tuple[np.ndarray, np.ndarray]
#: Config key of the disorder strength per spatial dimension (w in 1D, w2 in 2D).
STRENGTH_KEY = {1: "w", 2: "w2"}


class ColdInputs(NamedTuple):
    """The cold electrons' inputs at eps_F of one replica, found once per replica (and cap)."""

    ln_xi_c: float  # ln xi(eps_F) [ln length]
    ln_rho_c: float  # ln rho(eps_F) [ln 1/(energy length^D)]
    source: int  # 0 measured, 1 born, 2 extrapolated (the xi_c_source flag)


@dataclasses.dataclass(frozen=True)
class ModelInputs:
    """Single-particle inputs xi(eps), rho(eps) and the cold n_T(T) of one (dim, family, d).

    One replica of the hot-cold stage's inputs, whatever engine produced them
    (:func:`hotcold.replicas.stage_inputs`); the disorder model itself is
    :class:`hotcold.disorder.Model`.

    ``measured`` (1D only) holds log-log interpolation nodes
    (ln eps, ln xi, ln rho, is_measured) of a localization dataset; outside
    its energy range the Born xi and clean rho are used.  ``nt`` holds
    (ln T, ln n_T) nodes of the numerical n_T (1D), None for the closed form.
    ``ln_xi_cap`` caps xi at xi_max (bounded-xi comparison).  ``v_ratio``
    holds the measured V_hc / Eq. (11) of the matrix-elements stage
    (``hotcold.v_hc: numerical``), None for Eq. (11).

    ``xi_line`` (2D only) = (ln A, b): above the highest measured node xi is
    Eq. (20)'s form with a fitted prefactor and slope,
    ln xi = ln(v tau) + ln A + b eps (v = sqrt(2 eps/m), tau of
    :func:`hotcold.theory.transport_rate_2d`), and rho stays the highest
    node's (source 2, extrapolated: continuous there, where the clean m/2pi
    would step ln rho by the measured band-shift deficit and create a spurious
    threshold at that label); None: the closed forms there (source 1).
    Below the lowest node it is never used (Eq. 20's weak-disorder form
    does not hold toward eps tau ~ 1, so the closed forms stay, flagged born).
    """

    dim: int
    family: str
    d: float
    m: float
    w: float  # w (1D) or w2 (2D)
    symmetry: str = "orthogonal"
    measured: Nodes | None = None
    ln_xi_cap: float = np.inf
    nt: NtNodes | None = None
    v_ratio: VNodes | None = None
    xi_line: tuple[float, float] | None = None

    def capped(self, xi_max: float) -> ModelInputs:
        return dataclasses.replace(self, ln_xi_cap=float(np.log(xi_max)))

    def born(self) -> ModelInputs:
        """Born xi, clean rho, closed-form n_T and V_hc (no measured input)."""
        return dataclasses.replace(self, measured=None, nt=None, v_ratio=None, xi_line=None)

    def _born(self, e: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(ln xi, ln rho) of the weak-disorder theory: Born xi and clean rho (2D: Eq. 20/30)."""
        if self.dim == 1:
            ln_xi = theory.ln_xi_born(e, self.family, self.m, self.w, self.d)
            with np.errstate(divide="ignore"):
                ln_rho = np.log(theory.clean_dos(e, self.m))
        else:
            ln_xi = theory.ln_xi_2d(e, self.family, self.m, self.w, self.d, self.symmetry)
            ln_rho = np.full_like(ln_xi, np.log(self.m) - _LOG2PI)
        return ln_xi, ln_rho

    def ln_xi_line(self, e: np.ndarray) -> np.ndarray:
        """ln xi of the fitted Eq. (20) form ln(v tau) + ln A + b eps (needs ``xi_line``)."""
        ln_a, b = self.xi_line
        return theory.ln_mean_free_path_2d(e, self.family, self.m, self.w, self.d) + ln_a + b * e

    def _above(self, le: np.ndarray) -> np.ndarray:
        """Where ``xi_line`` replaces the closed forms: above the highest node."""
        if self.xi_line is None:
            return np.zeros(np.shape(le), bool)
        return le > self.measured[0][-1]

    def _ln_xi_rho(self, e: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """(ln xi uncapped, ln rho, ln eps or None): measured inside the nodes, else Born
        (above them the fitted ``xi_line`` where given)."""
        if self.measured is None:
            return (*self._born(e), None)
        le_n, lx_n, lr_n, _ = self.measured
        le = np.log(np.clip(e, 1e-300, None))
        inside = (le >= le_n[0]) & (le <= le_n[-1])
        ln_xi, ln_rho = np.interp(le, le_n, lx_n), np.interp(le, le_n, lr_n)
        if not inside.all():  # the theory only where it is used (root finders: scalars inside)
            bx, br = self._born(e)
            ln_xi, ln_rho = np.where(inside, ln_xi, bx), np.where(inside, ln_rho, br)
            above = self._above(le)
            if above.any():
                at = np.where(above, e, np.exp(le_n[-1]))  # evaluated only where used
                ln_xi = np.where(above, self.ln_xi_line(at), ln_xi)
                ln_rho = np.where(above, lr_n[-1], ln_rho)
        return ln_xi, ln_rho, le

    def inputs(self, energy: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(ln xi [ln length], ln rho [ln 1/(energy length^D)], source 0 measured / 1 born /
        2 extrapolated (``xi_line``))."""
        e = np.asarray(energy, dtype=float)
        ln_xi, ln_rho, le = self._ln_xi_rho(e)
        src = np.ones(np.shape(ln_xi), dtype=np.int8)
        if le is not None:
            le_n, _, _, meas_n = self.measured
            inside = (le >= le_n[0]) & (le <= le_n[-1])
            # measured where both bracketing nodes are measured
            frac = np.interp(le, le_n, meas_n.astype(float))
            src = np.where(inside & (frac > 1.0 - 1e-12), 0, 1).astype(np.int8)
            if self.xi_line is not None:
                src = np.where(self._above(le), 2, src).astype(np.int8)
        return np.minimum(ln_xi, self.ln_xi_cap), ln_rho, src

    def ln_hot(self, energy: Any) -> np.ndarray:
        """ln of the eps-dependent factor: rho_h^2 xi_h (1D) or rho xi_h^2 (2D)."""
        ln_xi, ln_rho, _ = self._ln_xi_rho(np.asarray(energy, dtype=float))
        ln_xi = np.minimum(ln_xi, self.ln_xi_cap)
        return (2 * ln_rho + ln_xi) if self.dim == 1 else (ln_rho + 2 * ln_xi)

    def ln_v_factor(self, k: int, energy: Any) -> tuple[np.ndarray, np.ndarray]:
        """ln(V_hc numerical / Eq. 11) at the k-th temperature, and its source per energy.

        Log-log interpolated inside the measured energy range (source 1
        numerical); 0 (Eq. 11 kept, source 2 beyond_measured) outside it or
        where the matrix elements lack that temperature.  Without measured
        matrix elements: 0 and source 0 (closed_form).
        """
        e = np.asarray(energy, dtype=float)
        if self.v_ratio is None:
            return np.zeros(e.shape), np.zeros(e.shape, np.int8)
        le_n, lr = self.v_ratio
        row = lr[k]
        le = np.log(np.clip(e, 1e-300, None))
        inside = (le >= le_n[0]) & (le <= le_n[-1]) & bool(np.isfinite(row).all())
        val = np.interp(le, le_n, np.where(np.isfinite(row), row, 0.0))
        return np.where(inside, val, 0.0), np.where(inside, 1, 2).astype(np.int8)

    def cold_inputs(self, eps_F: float) -> ColdInputs:
        """(ln xi_c, ln rho_c, source) at the Fermi energy, by the route of :meth:`inputs`."""
        lx, lr, src = self.inputs(eps_F)
        return ColdInputs(float(np.asarray(lx)), float(np.asarray(lr)), int(np.asarray(src)))


def pick_models(ds: xr.Dataset, family: str, d: float) -> list[xr.Dataset]:
    """Candidate (family, d) selections of a merged dataset, best first.

    d == 0 is white noise under any family name: the model's own family,
    then 'white', then any other family's d = 0 row (the layout before white
    noise had its own family entry).  Cells that a dataset marks as holding
    no model (``is_model`` False, :func:`hotcold.datasets.mark_models`) are
    skipped.
    """
    subs = [ds]
    if "family" in ds.dims:
        fams = [str(f) for f in ds["family"].values]
        cands = [family] if d != 0 else [family, families.WHITE.name, *fams]
        subs = [ds.sel(family=f) for f in dict.fromkeys(cands) if f in fams]
    out = []
    for sub in subs:
        if "d" in sub.dims:
            dv = np.asarray(sub["d"].values, dtype=float)
            j = np.flatnonzero(np.isclose(dv, d, rtol=1e-9, atol=1e-12))
            if not len(j):
                continue
            sub = sub.isel(d=int(j[0]))
        if "is_model" in sub and not bool(sub["is_model"].all()):
            continue
        out.append(sub)
    return out


def measured_nodes(
    energy: np.ndarray, xi: np.ndarray, dos: np.ndarray, src: np.ndarray, m: float
) -> Nodes | None:
    """Log-log interpolation nodes (ln eps, ln xi, ln rho, measured) of one model's xi and rho.

    Energies with a non-finite or non-positive xi are dropped; a missing
    or non-positive dos is replaced by the clean dos.  None if fewer than
    two nodes remain.
    """
    e = np.asarray(energy, dtype=float)
    xi = np.asarray(xi, dtype=float)
    dos = np.asarray(dos, dtype=float)
    clean = theory.clean_dos(e, m)
    ok = (e > 0) & np.isfinite(xi) & (xi > 0)
    if ok.sum() < 2:
        return None
    rho = measured_else(dos, clean)[0]
    order = np.argsort(e[ok])
    return (
        np.log(e[ok][order]),
        np.log(xi[ok][order]),
        np.log(rho[ok][order]),
        (np.asarray(src)[ok][order] == 0),
    )


def _loc_arrays(loc: xr.Dataset) -> tuple[np.ndarray, ...]:
    e = np.asarray(loc["energy"].values, dtype=float)
    xi = np.asarray(loc["xi"].values, dtype=float)
    src = np.asarray(loc["xi_source"].values) if "xi_source" in loc else np.zeros(e.shape, int)
    dos = np.asarray(loc["dos"].values, dtype=float) if "dos" in loc else np.full(e.shape, np.nan)
    return e, xi, dos, src


def nt_nodes(t: np.ndarray, n: np.ndarray, extrapolated: np.ndarray | None = None) -> NtNodes:
    """(ln T, ln n_T, extrapolated) nodes of a numerical n_T at the positive temperatures.

    Raises ValueError if n_T is not finite and positive at every T > 0 (the
    hot-cold stage never falls back on a closed form).
    """
    t = np.asarray(t, dtype=float)
    n = np.asarray(n, dtype=float).reshape(t.shape)
    ext = np.zeros(t.shape, bool) if extrapolated is None else np.asarray(extrapolated, bool)
    pos = t > 0
    bad = pos & ~(np.isfinite(n) & (n > 0))
    if bad.any():
        raise ValueError(
            f"spectral n_T is not finite and positive at T = {t[bad].tolist()}: the hot-cold "
            "stage needs the numerical n_T at every configured temperature (key temperatures; "
            "rerun the spectral stage or change spectral settings so that it covers them)"
        )
    o = np.argsort(t[pos])
    return np.log(t[pos][o]), np.log(n[pos][o]), ext[pos][o]


def localization_nodes(
    localization: xr.Dataset | None, family: str, d: float, m: float
) -> Nodes | None:
    """Measured (ln eps, ln xi, ln rho, measured) nodes of one model of a localization dataset.

    The first candidate of :func:`pick_models` with at least two usable
    energies; None without a dataset or if it lacks the model.
    """
    if localization is None:
        return None
    for sub in pick_models(localization, family, d):
        meas = measured_nodes(*_loc_arrays(sub), m)
        if meas is not None:
            return meas
    return None


def inputs_without_measurements(
    dim: int, family: str, d: float, config: Mapping, symmetry: str = "orthogonal"
) -> ModelInputs:
    """The :class:`ModelInputs` of one (dim, family, d) from the weak-disorder theory alone.

    Born xi and clean rho (2D: Eq. 20/30 and m/2pi), closed-form n_T and V_hc;
    the engines' adapters (:data:`hotcold.replicas.ENGINES`) attach what they measured.
    """
    if dim not in STRENGTH_KEY:
        raise ValueError(f"dimensions: {dim} is not 1 or 2")
    w = float(config["disorder"][STRENGTH_KEY[dim]])
    return ModelInputs(dim, families.get(family, d).name, float(d), float(config["m"]), w, symmetry)


def cold_factor(
    temperature: Any,
    dim: int,
    ln_xi_c: float,
    ln_rho_c: float,
    coupling: float,
    nt_nodes: NtNodes | None = None,
) -> dict[str, np.ndarray]:
    """Cold-bath quantities per T and the T-dependent factor of eta_hc.

    Parameters
    ----------
    temperature : array_like
        T [energy]; T <= 0 gives NaN (to be flagged by the caller).
    dim : {1, 2}
    ln_xi_c, ln_rho_c : float
        ln xi(eps_F), ln rho(eps_F).
    coupling : float
        |u| (1D, Eq. 12 without rho_h) or alpha_2D (Eq. 25).
    nt_nodes : (ln T, ln n_T, is_extrapolated) or None
        Numerical n_T (the 1D spectral stage), interpolated log-log between its
        nodes; NaN outside them (no closed form is spliced on).  None: the
        closed form Eq. (6) (1D) / Eq. (22) (2D) at every T.

    Returns
    -------
    dict with ``L`` = ln(Delta_c/T), ``l_M`` (Eq. 7), ``n_T``, ``n_T_source``
    (0 closed form, 1 numerical, 2 extrapolated by the spectral stage),
    ``ln_cold_abs`` and ``cold_sign`` of cold = |u| T l_M n_T (1D) or
    alpha T xi_c l_M n_T (2D) (eta_hc = cold * hot), ``ln_cold`` (= ln cold
    where cold > 0, -inf where not (T >~ Delta_c), NaN for T <= 0) and
    ``ln_Delta_c``.
    """
    t = np.atleast_1d(np.asarray(temperature, dtype=float))
    good = t > 0
    lt = np.log(np.where(good, t, np.nan))
    ln_dc = -ln_rho_c - dim * ln_xi_c
    L = ln_dc - lt
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        ln_lm = theory.ln_mott_length_eq7(ln_xi_c, L)
        if dim == 1:
            ln_nt = np.log(theory.EQ6_PREFACTOR) - ln_xi_c + 2.0 * (lt - ln_dc)
            sign_nt = np.where(good, 1.0, np.nan)
        else:
            ln_nt = ln_lm - 3.0 * ln_xi_c + 2.0 * (lt - ln_dc)
            sign_nt = np.sign(L)
        src = np.zeros(t.shape, dtype=np.int8)
        if nt_nodes is not None:
            lt_n, ln_n, ext_n = nt_nodes
            x = np.where(good, lt, 0.0)
            inside = good & (x >= lt_n[0] - 1e-12) & (x <= lt_n[-1] + 1e-12)
            ln_nt = np.where(inside, np.interp(x, lt_n, ln_n), np.nan)
            ext = np.interp(x, lt_n, ext_n.astype(float)) > 0
            src = np.where(ext & inside, 2, 1).astype(np.int8)
        ln_cold_abs = np.log(coupling) + lt + ln_lm + ln_nt + (ln_xi_c if dim == 2 else 0.0)
        sign = np.sign(L) * sign_nt
        ln_cold = np.where(sign > 0, ln_cold_abs, -np.inf)
        ln_cold = np.where(good, ln_cold, np.nan)
        l_m = np.sign(L) * np.exp(ln_lm)
        n_t = sign_nt * np.exp(ln_nt)
    return {
        "L": L,
        "l_M": l_m,
        "n_T": n_t,
        "n_T_source": src,
        "ln_cold": ln_cold,
        "ln_cold_abs": ln_cold_abs,
        "cold_sign": sign,
        "ln_Delta_c": ln_dc,
    }
