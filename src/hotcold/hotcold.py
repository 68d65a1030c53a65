"""Hot-cold delocalization: eta_hc, the effective mobility edge eps_th(T), n_h, ln sigma (SPEC 1.4).

Units hbar = k_B = 1, particle mass ``m``.  Equation numbers refer to the
paper (``../shared/paper``).  Everything is computed per model (spatial
dimension ``dim``, disorder ``family``, correlation radius ``d``; d = 0 is
white noise) from two separable factors,

    eta_hc(eps, T) = cold(T) * hot(eps),

1D (Eqs. 1, 6-12):  hot = rho_h^2 xi_h,   cold = |u| T l_M n_T,
2D (Eqs. 1, 22-25): hot = rho xi_h^2,     cold = alpha_2D T xi_c l_M n_T,

which is V_hc/Delta_3hc with N_eff = n_T xi_h^D, Delta_3hc = Delta_h/N_eff,
V_hc = alpha T l_M xi_c^(D-1)/xi_h^D and alpha = rho_h |u| (1D) or the
configured ``interaction.alpha2d`` (Eq. 25).  With the closed forms of n_T
(Eq. 6 / 22) and l_M (Eq. 7) this equals 4 pi^2/3 times Eq. (13) in 1D and
4 times Eq. (26) in 2D.  All logarithms of xi are carried in log space
because the 2D xi (Eq. 20) overflows double precision.

Public entry point: :func:`hotcold_dataset`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import xarray as xr
from scipy import optimize

from . import theory
from .config import expand_grid
from .datasets import flag_attrs, set_attrs

__all__ = [
    "DEFAULT_SETTINGS",
    "THRESHOLD_STATUS",
    "WINDOW_STATUS",
    "TC_STATUS",
    "REGIME_FLAGS",
    "energy_grid",
    "Model",
    "build_model",
    "cold_factor",
    "find_threshold",
    "find_window",
    "cap_energy",
    "critical_temperature",
    "hotcold_dataset",
]

#: Settings of the hotcold stage (config key ``hotcold``), with defaults.
DEFAULT_SETTINGS: dict[str, Any] = {
    "energy_max": 1.0e7,  # top of the energy grid [energy]
    "energy_num": 400,  # number of grid energies
    "energy_min_offset": 1.0e-3,  # first grid energy is eps_F (1 + offset)
    "symmetry": "orthogonal",  # 2D: Eq. (20) 'orthogonal' or Eq. (30) 'unitary'
    "strong_disorder_kfxi": 10.0,  # k_F xi_c below this is flagged strong disorder
    "tc_log_span": 80.0,  # T_c searched in Delta_c [e^-span, 1]
    "tc_scan_num": 400,  # scan points of that search before brentq
    "xtol": 1.0e-13,  # brentq absolute tolerance in ln(energy) / ln(T)
    "intermediates": True,  # store N_eff, Delta_3hc, V_hc over (.., T, energy)
}

THRESHOLD_STATUS = ("found", "none", "beyond_grid", "marginal", "below_grid", "invalid_T")
WINDOW_STATUS = ("closed", "open", "none", "invalid_T")
TC_STATUS = ("found", "none", "below_search")
#: Bits of the ``regime`` flag (CF flag_masks 1, 2, 4).
REGIME_FLAGS = ("high_T", "nonpositive_T", "strong_disorder")

_LOG2PI = np.log(2.0 * np.pi)


def _settings(settings: Mapping | None) -> dict[str, Any]:
    out = dict(DEFAULT_SETTINGS)
    if settings:
        unknown = set(settings) - set(DEFAULT_SETTINGS)
        if unknown:
            raise ValueError(
                f"unknown hotcold setting(s) {sorted(unknown)}; allowed: {sorted(DEFAULT_SETTINGS)}"
            )
        out.update(settings)
    if out["symmetry"] not in ("orthogonal", "unitary"):
        raise ValueError(
            f"hotcold.symmetry must be 'orthogonal' or 'unitary', got {out['symmetry']!r}"
        )
    return out


def energy_grid(fermi_energy: float, energy_max: float, num: int, min_offset: float) -> np.ndarray:
    """Hot-electron energy grid: eps_F + log-spaced offsets, eps_F exclusive [energy].

    ``eps - eps_F`` runs log-spaced from ``min_offset * eps_F`` to
    ``energy_max - eps_F``, so that both the 2D threshold (eps_F + O(1/tau))
    and the 1D thresholds (up to ~1e5 eps_F) are resolved.
    """
    if energy_max <= fermi_energy * (1.0 + min_offset):
        raise ValueError(f"hotcold.energy_max = {energy_max} must exceed the Fermi energy")
    return fermi_energy + np.geomspace(
        min_offset * fermi_energy, energy_max - fermi_energy, int(num)
    )


# ---------------------------------------------------------------------------
# Single-particle inputs of one model
# ---------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Model:
    """Single-particle inputs xi(eps), rho(eps) of one (dim, family, d).

    ``measured`` (1D only) holds log-log interpolation nodes
    (ln eps, ln xi, ln rho, is_measured) of a localization dataset; outside
    its energy range the Born xi and clean rho are used.  ``ln_xi_cap`` caps
    xi at xi_max (bounded-xi comparison).
    """

    dim: int
    family: str
    d: float
    m: float
    w: float  # w (1D) or w2 (2D)
    symmetry: str = "orthogonal"
    measured: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None = None
    ln_xi_cap: float = np.inf

    def capped(self, xi_max: float) -> Model:
        return dataclasses.replace(self, ln_xi_cap=float(np.log(xi_max)))

    def born(self) -> Model:
        return dataclasses.replace(self, measured=None)

    def inputs(self, energy: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(ln xi [ln length], ln rho [ln 1/(energy length^D)], source 0 measured / 1 born)."""
        e = np.asarray(energy, dtype=float)
        if self.dim == 1:
            ln_xi = theory.ln_xi_born(e, self.family, self.m, self.w, self.d)
            with np.errstate(divide="ignore"):
                ln_rho = np.log(theory.clean_dos(e, self.m))
        else:
            ln_xi = theory.ln_xi_2d(e, self.family, self.m, self.w, self.d, self.symmetry)
            ln_rho = np.full_like(ln_xi, np.log(self.m) - _LOG2PI)
        src = np.ones(np.shape(ln_xi), dtype=np.int8)
        if self.measured is not None:
            le_n, lx_n, lr_n, meas_n = self.measured
            le = np.log(np.clip(e, 1e-300, None))
            inside = (le >= le_n[0]) & (le <= le_n[-1])
            ln_xi = np.where(inside, np.interp(le, le_n, lx_n), ln_xi)
            ln_rho = np.where(inside, np.interp(le, le_n, lr_n), ln_rho)
            # measured where both bracketing nodes are measured
            frac = np.interp(le, le_n, meas_n.astype(float))
            src = np.where(inside & (frac > 1.0 - 1e-12), 0, 1).astype(np.int8)
        return np.minimum(ln_xi, self.ln_xi_cap), ln_rho, src

    def ln_hot(self, energy: Any) -> np.ndarray:
        """ln of the eps-dependent factor: rho_h^2 xi_h (1D) or rho xi_h^2 (2D)."""
        ln_xi, ln_rho, _ = self.inputs(energy)
        return (2 * ln_rho + ln_xi) if self.dim == 1 else (ln_rho + 2 * ln_xi)


def _pick_models(ds: xr.Dataset, family: str, d: float) -> list[xr.Dataset]:
    """Candidate (family, d) selections of a merged dataset, best first.

    d == 0 is white noise under any family name: the model's own family,
    then 'white', then any other family's d = 0 row.
    """
    subs = [ds]
    if "family" in ds.dims:
        fams = [str(f) for f in ds["family"].values]
        cands = [family] if d != 0 else [family, "white", *fams]
        subs = [ds.sel(family=f) for f in dict.fromkeys(cands) if f in fams]
    out = []
    for sub in subs:
        if "d" in sub.dims:
            dv = np.asarray(sub["d"].values, dtype=float)
            j = np.flatnonzero(np.isclose(dv, d, rtol=1e-9, atol=1e-12))
            if not len(j):
                continue
            sub = sub.isel(d=int(j[0]))
        out.append(sub)
    return out


def _measured_nodes(loc: xr.Dataset, m: float) -> tuple[np.ndarray, ...] | None:
    """Log-log interpolation nodes of xi and rho from one model of a localization dataset."""
    e = np.asarray(loc["energy"].values, dtype=float)
    xi = np.asarray(loc["xi"].values, dtype=float)
    src = np.asarray(loc["xi_source"].values) if "xi_source" in loc else np.zeros(e.shape, int)
    dos = np.asarray(loc["dos"].values, dtype=float) if "dos" in loc else np.full(e.shape, np.nan)
    clean = theory.clean_dos(e, m)
    ok = (e > 0) & np.isfinite(xi) & (xi > 0)
    if ok.sum() < 2:
        return None
    dos_ok = np.isfinite(dos) & (dos > 0)
    rho = np.where(dos_ok, dos, clean)
    order = np.argsort(e[ok])
    return (
        np.log(e[ok][order]),
        np.log(xi[ok][order]),
        np.log(rho[ok][order]),
        (src[ok][order] == 0),
    )


def build_model(
    dim: int,
    family: str,
    d: float,
    config: Mapping,
    localization: xr.Dataset | None = None,
    symmetry: str = "orthogonal",
) -> Model:
    """The :class:`Model` of one (dim, family, d); 1D uses ``localization`` where it has it."""
    m = float(config["m"])
    fam = "white" if d == 0 else family
    if dim == 1:
        meas = None
        if localization is not None:
            for sub in _pick_models(localization, family, d):
                meas = _measured_nodes(sub, m)
                if meas is not None:
                    break
        return Model(1, fam, float(d), m, float(config["disorder"]["w"]), symmetry, meas)
    if dim == 2:
        return Model(2, fam, float(d), m, float(config["disorder"]["w2"]), symmetry)
    raise ValueError(f"dimensions: {dim} is not 1 or 2")


# ---------------------------------------------------------------------------
# Cold factor (Eqs. 6, 7, 22) and the numerical n_T
# ---------------------------------------------------------------------------


def _nt_numerical(
    spectral: xr.Dataset | None, family: str, d: float
) -> tuple[np.ndarray, ...] | None:
    if spectral is None or "n_T" not in spectral:
        return None
    for sub in _pick_models(spectral, family, d):
        if "T" not in sub["n_T"].dims:
            continue
        t = np.asarray(sub["T"].values, dtype=float)
        n = np.asarray(sub["n_T"].values, dtype=float).reshape(t.shape)
        ok = np.isfinite(n) & (n > 0) & (t > 0)
        if ok.sum() >= 2:
            break
    else:
        return None
    o = np.argsort(t[ok])
    return np.log(t[ok][o]), np.log(n[ok][o])


def cold_factor(
    temperature: Any,
    dim: int,
    ln_xi_c: float,
    ln_rho_c: float,
    coupling: float,
    nt_nodes: tuple[np.ndarray, np.ndarray] | None = None,
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
    nt_nodes : (ln T, ln n_T) or None
        Numerical n_T (1D spectral stage), interpolated log-log inside its
        T range; Eq. (6) outside (Eq. 22 always in 2D).

    Returns
    -------
    dict with ``L`` = ln(Delta_c/T), ``l_M`` (Eq. 7), ``n_T`` (Eq. 6/22 or
    numerical), ``n_T_source`` (0 closed form, 1 numerical), ``ln_cold_abs``
    and ``cold_sign`` of cold = |u| T l_M n_T (1D) or alpha T xi_c l_M n_T (2D)
    (eta_hc = cold * hot), ``ln_cold`` (= ln cold where cold > 0, -inf where
    not (T >~ Delta_c), NaN for T <= 0) and ``ln_Delta_c``.  Computed in
    logs: the 2D xi_c may overflow.
    """
    t = np.atleast_1d(np.asarray(temperature, dtype=float))
    good = t > 0
    lt = np.log(np.where(good, t, np.nan))
    ln_dc = -ln_rho_c - dim * ln_xi_c
    L = ln_dc - lt
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        ln_lm = np.log(2.0) + ln_xi_c + np.log(np.abs(L))
        if dim == 1:
            ln_nt = np.log(2.0 * np.pi**2 / 3.0) - ln_xi_c + 2.0 * (lt - ln_dc)
            sign_nt = np.where(good, 1.0, np.nan)
        else:
            ln_nt = ln_lm - 3.0 * ln_xi_c + 2.0 * (lt - ln_dc)
            sign_nt = np.sign(L)
        src = np.zeros(t.shape, dtype=np.int8)
        if nt_nodes is not None and dim == 1:
            lt_n, ln_n = nt_nodes
            inside = (
                good
                & (np.where(good, lt, -np.inf) >= lt_n[0])
                & (np.where(good, lt, np.inf) <= lt_n[-1])
            )
            ln_nt = np.where(inside, np.interp(np.where(good, lt, 0.0), lt_n, ln_n), ln_nt)
            src = np.where(inside, 1, 0).astype(np.int8)
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


# ---------------------------------------------------------------------------
# Threshold, window, T_c
# ---------------------------------------------------------------------------


def _ln_eta(ln_hot: np.ndarray, ln_cold: float) -> np.ndarray:
    """ln eta_hc = ln hot + ln cold; -inf where the cold factor is not positive (T >~ Delta_c)."""
    if ln_cold == -np.inf:
        return np.full(np.shape(ln_hot), -np.inf)
    return ln_hot + ln_cold


def _refine(f: Callable[[float], float], a: float, b: float, xtol: float) -> float:
    fa, fb = f(a), f(b)
    if fa == 0:
        return a
    if fb == 0:
        return b
    if np.sign(fa) == np.sign(fb) or not (np.isfinite(fa) and np.isfinite(fb)):
        # non-finite end (eta <= 0): bisect on the sign only
        for _ in range(200):
            c = 0.5 * (a + b)
            fc = f(c)
            if (fc >= 0) == (fb >= 0):
                b, fb = c, fc
            else:
                a, fa = c, fc
            if b - a < xtol:
                break
        return 0.5 * (a + b)
    return optimize.brentq(f, a, b, xtol=xtol, rtol=4 * np.finfo(float).eps, maxiter=200)


def find_threshold(
    model: Model,
    energy: np.ndarray,
    ln_hot: np.ndarray,
    ln_cold: float,
    eta_c: float,
    xtol: float = 1e-13,
) -> tuple[float, int]:
    """Effective mobility edge: the lowest eps above which eta_hc stays >= eta_c.

    Bracketed on ``energy`` (the last grid point with eta_hc < eta_c and the
    next one), refined by brentq on ln eta_hc(ln eps) - ln eta_c evaluated
    from the model itself (log-log interpolant where measured, analytic where
    Born).

    Returns
    -------
    eps_th : float
        [energy]; NaN unless the status is 'found' or 'below_grid'.
    status : int
        Index into :data:`THRESHOLD_STATUS`: found, none (eta_hc never
        reaches eta_c and does not grow at the top of the grid), beyond_grid
        (still growing below eta_c at the top of the grid), marginal (1D
        white noise: eta_hc tends to a constant below eta_c), below_grid
        (eta_hc >= eta_c already at the lowest grid energy; eps_th is that
        energy, an upper bound).
    """
    if np.isnan(ln_cold):
        return np.nan, THRESHOLD_STATUS.index("invalid_T")
    if ln_cold == -np.inf:  # T >~ Delta_c: eta_hc <= 0, formulas void (flagged high_T)
        return np.nan, THRESHOLD_STATUS.index("none")
    ln_c = np.log(eta_c)
    ln_eta = _ln_eta(ln_hot, ln_cold)
    above = ln_eta >= ln_c
    if not above[-1]:
        if model.dim == 1 and model.d == 0:
            return np.nan, THRESHOLD_STATUS.index("marginal")
        growing = len(ln_eta) > 1 and np.isfinite(ln_eta[-1]) and ln_eta[-1] > ln_eta[-2]
        return np.nan, THRESHOLD_STATUS.index("beyond_grid" if growing else "none")
    below = np.flatnonzero(~above)
    if not len(below):
        return float(energy[0]), THRESHOLD_STATUS.index("below_grid")
    i = int(below[-1])

    def g(x: float) -> float:
        return float(model.ln_hot(np.exp(x)) + ln_cold - ln_c)

    x = _refine(g, float(np.log(energy[i])), float(np.log(energy[i + 1])), xtol)
    return float(np.exp(x)), THRESHOLD_STATUS.index("found")


def cap_energy(model: Model, energy: np.ndarray, xtol: float = 1e-13) -> float:
    """Energy where the uncapped xi(eps) first reaches exp(ln_xi_cap); NaN if not on the grid."""
    if not np.isfinite(model.ln_xi_cap):
        return np.nan
    free = dataclasses.replace(model, ln_xi_cap=np.inf)
    lx = free.inputs(energy)[0] - model.ln_xi_cap
    hit = np.flatnonzero(lx >= 0)
    if not len(hit) or hit[0] == 0:
        return np.nan
    i = int(hit[0])

    def g(x: float) -> float:
        return float(free.inputs(np.exp(x))[0] - model.ln_xi_cap)

    return float(np.exp(_refine(g, np.log(energy[i - 1]), np.log(energy[i]), xtol)))


def find_window(
    model: Model,
    energy: np.ndarray,
    ln_hot: np.ndarray,
    ln_cold: float,
    eta_c: float,
    xtol: float = 1e-13,
) -> tuple[float, float, int]:
    """Delocalized window [eps_lo, eps_hi] where eta_hc >= eta_c (bounded xi, paper Fig. 2).

    ``energy`` should contain the cap energy (where eta_hc peaks in 1D).
    Returns (eps_lo, eps_hi, status index into :data:`WINDOW_STATUS`):
    closed; open (eta_hc >= eta_c up to the top of the grid, eps_hi = inf;
    the 2D case, where eta_hc is flat once xi_h = xi_max); none (NaN, NaN).
    """
    if np.isnan(ln_cold):
        return np.nan, np.nan, WINDOW_STATUS.index("invalid_T")
    ln_c = np.log(eta_c)
    ln_eta = _ln_eta(ln_hot, ln_cold)
    above = np.flatnonzero(ln_eta >= ln_c)
    if not len(above):
        return np.nan, np.nan, WINDOW_STATUS.index("none")

    def g(x: float) -> float:
        return float(model.ln_hot(np.exp(x)) + ln_cold - ln_c)

    i, j = int(above[0]), int(above[-1])
    lo = (
        float(energy[0])
        if i == 0
        else float(np.exp(_refine(g, np.log(energy[i - 1]), np.log(energy[i]), xtol)))
    )
    if j == len(energy) - 1:
        return lo, np.inf, WINDOW_STATUS.index("open")
    hi = float(np.exp(_refine(g, np.log(energy[j]), np.log(energy[j + 1]), xtol)))
    return lo, hi, WINDOW_STATUS.index("closed")


def critical_temperature(
    model: Model,
    ln_hot_max: float,
    eta_c: float,
    coupling: float,
    fermi_energy: float,
    nt_nodes: tuple[np.ndarray, np.ndarray] | None = None,
    log_span: float = 80.0,
    scan_num: int = 400,
    xtol: float = 1e-13,
) -> tuple[float, int]:
    """T_c: the lowest T at which max_eps eta_hc(eps, T) reaches eta_c (bounded xi).

    eta_hc = cold(T) hot(eps) is separable, so max_eps eta_hc =
    cold(T) exp(ln_hot_max).  The search scans ln T over
    [ln Delta_c - log_span, ln Delta_c] and refines the first upward crossing
    by brentq in ln T.  Returns (T_c [energy], status index into
    :data:`TC_STATUS`: found | none (never reached below Delta_c) |
    below_search (already reached at the lowest scanned T)).
    """
    ln_xi_c, ln_rho_c, _ = model.inputs(fermi_energy)
    ln_dc = float(-ln_rho_c - model.dim * ln_xi_c)
    ln_c = np.log(eta_c)

    def h(lt: Any) -> np.ndarray:
        cf = cold_factor(np.exp(lt), model.dim, float(ln_xi_c), float(ln_rho_c), coupling, nt_nodes)
        return cf["ln_cold"] + ln_hot_max - ln_c

    lts = np.linspace(ln_dc - log_span, ln_dc, scan_num)
    vals = h(lts)
    above = np.flatnonzero(vals >= 0)
    if not len(above):
        return np.nan, TC_STATUS.index("none")
    i = int(above[0])
    if i == 0:
        return float(np.exp(lts[0])), TC_STATUS.index("below_search")
    lt = _refine(lambda x: float(h(np.array([x]))[0]), lts[i - 1], lts[i], xtol)
    return float(np.exp(lt)), TC_STATUS.index("found")


# ---------------------------------------------------------------------------
# The dataset
# ---------------------------------------------------------------------------


def _families(config: Mapping) -> list[str]:
    fams = [str(f) for f in config["disorder"]["families"] if f != "white"]
    return fams or ["white"]


def hotcold_dataset(
    config: Mapping,
    localization: xr.Dataset | None = None,
    spectral: xr.Dataset | None = None,
    settings: Mapping | None = None,
    log: Callable[[str], Any] = print,
) -> xr.Dataset:
    """eta_hc over (dim, family, d, T, energy), eps_th, n_h, ln sigma, asymptotes, bounded xi.

    Parameters
    ----------
    config : mapping
        The workflow configuration (keys ``m``, ``fermi_energy``,
        ``temperatures``, ``dimensions``, ``eta_c``, ``xi_max``,
        ``disorder`` {w, w2, families, d}, ``interaction`` {u, alpha2d}).
    localization : xarray.Dataset, optional
        Merged ``results/localization.nc`` (xi, xi_source, dos over
        (family, d, energy), dim 1).  Measured xi and rho are used inside its
        energy range (log-log interpolation), Born xi and clean rho outside
        and for models it lacks.  d = 0 is read from family 'white' or from
        the d = 0 row of any family.
    spectral : xarray.Dataset, optional
        Numerical n_T over T (optionally over family, d); interpolated
        log-log inside its T range, Eq. (6) outside.
    settings : mapping, optional
        Keys of :data:`DEFAULT_SETTINGS`.
    log : callable
        Receives one string per warning (regime flags, missing models).

    Returns
    -------
    xarray.Dataset
        See the module docstring and the variables' attributes.  The
        warnings are also in ``attrs['warnings']``.

    Raises
    ------
    ValueError
        ``eta_c <= 0``, unknown settings, bad symmetry or dimension.
    """
    st = _settings(settings)
    eta_c = float(config.get("eta_c", 1.0))
    if not eta_c > 0:
        raise ValueError(f"eta_c must be > 0, got eta_c = {eta_c}")
    m = float(config["m"])
    e_f = float(config["fermi_energy"])
    dims = [int(x) for x in config.get("dimensions", [1, 2])]
    for dm in dims:
        if dm not in (1, 2):
            raise ValueError(f"dimensions: {dm} is not 1 or 2")
    fams = _families(config)
    dvals = sorted({float(x) for x in config["disorder"]["d"]})
    temps = np.asarray(expand_grid(config["temperatures"]), dtype=float)
    xi_maxes = np.asarray(sorted(float(x) for x in config.get("xi_max", []) or []), dtype=float)
    inter = config.get("interaction", {})
    u = abs(float(inter.get("u", 0.0)))
    alpha2d = abs(float(inter.get("alpha2d", 0.0)))
    w1 = float(config["disorder"].get("w", np.nan))
    energy = energy_grid(
        e_f, float(st["energy_max"]), int(st["energy_num"]), float(st["energy_min_offset"])
    )
    xtol = float(st["xtol"])
    warnings: list[str] = []

    def warn(msg: str) -> None:
        warnings.append(msg)
        log(f"hotcold warning: {msg}")

    nD, nF, nd, nT, nE, nX = (
        len(dims),
        len(fams),
        len(dvals),
        len(temps),
        len(energy),
        len(xi_maxes),
    )
    s4, s5 = (nD, nF, nd, nT), (nD, nF, nd, nT, nE)
    s3e = (nD, nF, nd, nE)
    A: dict[str, np.ndarray] = {}

    def arr(name: str, shape: tuple, fill: float = np.nan, dtype: Any = float) -> np.ndarray:
        A[name] = np.full(shape, fill, dtype=dtype)
        return A[name]

    eta = arr("eta_hc", s5)
    log10_eta = arr("log10_eta_hc", s5)
    eta13 = arr("eta_hc_closed_form", s5)
    eta_b = arr("eta_hc_born", s5)
    if st["intermediates"]:
        n_eff = arr("N_eff", s5)
        d3 = arr("Delta_3hc", s5)
        v_hc = arr("V_hc", s5)
    xi_h = arr("xi_h", s3e)
    ln_xi_h = arr("ln_xi_h", s3e)
    rho_h = arr("rho_h", s3e)
    alpha_h = arr("alpha", s3e)
    xi_src = arr("xi_source", s3e, 1, np.int8)
    s3 = (nD, nF, nd)
    xi_c = arr("xi_c", s3)
    rho_c = arr("rho_c", s3)
    dc = arr("Delta_c", s3)
    kfxi = arr("kF_xi_c", s3)
    xic_src = arr("xi_c_source", s3, 1, np.int8)
    tau_c = arr("tau_c", s3)
    eps0 = arr("eps0", s3)
    l_m = arr("l_M", s4)
    n_t = arr("n_T", s4)
    nt_src = arr("n_T_source", s4, 0, np.int8)
    regime = arr("regime", s4, 0, np.int8)
    eps_th = arr("eps_th", s4)
    status = arr("eps_th_status", s4, 0, np.int8)
    n_h = arr("n_h", s4)
    ln_sig = arr("ln_sigma", s4)
    limit = arr("eta_hc_limit", s4)
    chi = arr("chi", s4)
    a14, a15, acb, a28 = (
        arr(k, s4) for k in ("eps_th_eq14", "eps_th_eq15", "eps_th_comp_born", "eps_th_eq28")
    )
    ls29 = arr("ln_sigma_eq29", s4)
    sb = (nX, nD, nF, nd, nT)
    e_lo, e_hi = arr("eps_lo", sb), arr("eps_hi", sb)
    wst = arr("window_status", sb, 0, np.int8)
    ls_b = arr("ln_sigma_bounded", sb)
    e_cap = arr("eps_cap", (nX, nD, nF, nd))
    t_c = arr("T_c", (nX, nD, nF, nd))
    tcs = arr("T_c_status", (nX, nD, nF, nd), 0, np.int8)

    bad_t = temps <= 0
    if bad_t.any():
        warn(f"{int(bad_t.sum())} temperature(s) <= 0: flagged nonpositive_T, results NaN there")
    missing: list[str] = []
    nt_used: list[str] = []

    for a, dim in enumerate(dims):
        coupling = u if dim == 1 else alpha2d
        for b, fam in enumerate(fams):
            for c, d in enumerate(dvals):
                model = build_model(dim, fam, d, config, localization, st["symmetry"])
                if dim == 1 and localization is not None and model.measured is None:
                    missing.append(f"{fam}/d={d:g}")
                born = model.born()
                lx, lr, src = model.inputs(energy)
                ln_hot = (2 * lr + lx) if dim == 1 else (lr + 2 * lx)
                lxb, lrb, _ = born.inputs(energy)
                ln_hot_b = (2 * lrb + lxb) if dim == 1 else (lrb + 2 * lxb)
                with np.errstate(over="ignore"):
                    xi_h[a, b, c] = np.exp(lx)
                ln_xi_h[a, b, c], rho_h[a, b, c] = lx, np.exp(lr)
                xi_src[a, b, c] = src
                alpha_h[a, b, c] = np.exp(lr) * u if dim == 1 else alpha2d
                lxc, lrc, srcc = (float(np.asarray(v)) for v in model.inputs(e_f))
                lxcb, lrcb, _ = (float(np.asarray(v)) for v in born.inputs(e_f))
                with np.errstate(over="ignore"):
                    xi_c[a, b, c], rho_c[a, b, c] = np.exp(lxc), np.exp(lrc)
                    dc[a, b, c] = np.exp(-lrc - dim * lxc)
                xic_src[a, b, c] = int(srcc)
                kfxi[a, b, c] = np.sqrt(2 * m * e_f) * np.exp(lxc)
                if dim == 2:
                    tau_c[a, b, c] = 1.0 / float(
                        theory.transport_rate_2d(e_f, model.family, m, model.w, d)
                    )
                elif d > 0:
                    eps0[a, b, c] = float(theory.eps0_1d(m, d))
                nt_nodes = _nt_numerical(spectral, fam, d) if dim == 1 else None
                if nt_nodes is not None:
                    nt_used.append(f"{fam}/d={d:g}")
                cf = cold_factor(temps, dim, lxc, lrc, coupling, nt_nodes)
                cfb = cold_factor(temps, dim, lxcb, lrcb, coupling, None)
                l_m[a, b, c], n_t[a, b, c], nt_src[a, b, c] = cf["l_M"], cf["n_T"], cf["n_T_source"]
                L = cf["L"]
                reg = np.zeros(nT, dtype=np.int8)
                reg |= np.where(bad_t, 2, 0).astype(np.int8)
                reg |= np.where(~bad_t & ~(L >= 1), 1, 0).astype(np.int8)
                if kfxi[a, b, c] < st["strong_disorder_kfxi"]:
                    reg |= 4
                regime[a, b, c] = reg
                # eta over the grid (log space: 2D overflows)
                sign = cf["cold_sign"][:, None]
                with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
                    lce = cf["ln_cold_abs"][:, None] + ln_hot[None, :]
                    eta[a, b, c] = sign * np.exp(lce)
                    log10_eta[a, b, c] = np.where(sign > 0, lce / np.log(10), np.nan)
                    lceb = cfb["ln_cold_abs"][:, None] + ln_hot_b[None, :]
                    eta_b[a, b, c] = cfb["cold_sign"][:, None] * np.exp(lceb)
                    # closed form Eq. (13)/(26): alpha (Dc/Dh) (T/Dc)^3 L^D
                    ln_alpha = (lr + np.log(u)) if dim == 1 else np.full_like(lr, np.log(alpha2d))
                    ln_dh = -lr - dim * lx
                    ln_dc = cf["ln_Delta_c"]
                    lt = np.log(np.where(bad_t, np.nan, temps))
                    l13 = (
                        ln_alpha[None, :]
                        + ln_dc
                        - ln_dh[None, :]
                        + (3 * (lt - ln_dc) + dim * np.log(np.abs(L)))[:, None]
                    )
                    eta13[a, b, c] = (np.sign(L) ** dim)[:, None] * np.exp(l13)
                    if st["intermediates"]:
                        ln_nt = np.log(np.abs(cf["n_T"]))[:, None]
                        n_eff[a, b, c] = np.sign(cf["n_T"])[:, None] * np.exp(
                            ln_nt + dim * lx[None, :]
                        )
                        d3[a, b, c] = np.sign(cf["n_T"])[:, None] * np.exp(
                            ln_dh[None, :] - ln_nt - dim * lx[None, :]
                        )
                        v_hc[a, b, c] = np.sign(L)[:, None] * np.exp(
                            ln_alpha[None, :]
                            + lt[:, None]
                            + np.log(np.abs(cf["l_M"]))[:, None]
                            + (dim - 1) * lxc
                            - dim * lx[None, :]
                        )
                # large-eps limit (Born hot factor): finite only for 1D white noise
                if dim == 1 and d == 0:
                    limit[a, b, c] = (
                        cf["cold_sign"] * np.exp(cf["ln_cold_abs"]) / (np.pi**2 * model.w)
                    )
                else:
                    limit[a, b, c] = np.where(bad_t, np.nan, np.inf)
                # thresholds
                for k in range(nT):
                    if bad_t[k]:
                        status[a, b, c, k] = THRESHOLD_STATUS.index("invalid_T")
                        continue
                    e_th, s_ = find_threshold(
                        model, energy, ln_hot, float(cf["ln_cold"][k]), eta_c, xtol
                    )
                    eps_th[a, b, c, k], status[a, b, c, k] = e_th, s_
                    name = THRESHOLD_STATUS[s_]
                    if name in ("found", "below_grid"):
                        ln_sig[a, b, c, k] = theory.ln_sigma_eq18(e_th, e_f, temps[k])
                        if dim == 1:
                            n_h[a, b, c, k] = theory.hot_density_eq17(e_th, e_f, temps[k], m)
                        else:
                            n_h[a, b, c, k] = (
                                m / (2 * np.pi) * temps[k] * np.exp(-(e_th - e_f) / temps[k])
                            )
                    elif name in ("none", "marginal"):
                        ln_sig[a, b, c, k], n_h[a, b, c, k] = -np.inf, 0.0
                # asymptotes
                with np.errstate(divide="ignore", invalid="ignore"):
                    tt = np.where(bad_t, np.nan, temps)
                    dcv = float(np.exp(cf["ln_Delta_c"]))
                    if dim == 1:
                        ch = theory.chi_eq16(tt, w1, u, dcv)
                        chi[a, b, c] = ch
                        if d > 0:
                            e0 = eps0[a, b, c]
                            acb[a, b, c] = theory.eps_th_composition_born(fam, e0, ch, eta_c)
                            if fam == "lorentzian":
                                a14[a, b, c] = theory.eps_th_eq14(e0, ch)
                            if fam == "exponential":
                                a15[a, b, c] = theory.eps_th_eq15(e0, ch)
                    else:
                        a28[a, b, c] = theory.eps_th_eq28(
                            tt, e_f, tau_c[a, b, c], alpha2d, dcv, st["symmetry"]
                        )
                        ls29[a, b, c] = theory.ln_sigma_eq18(a28[a, b, c], e_f, tt)
                # bounded xi
                for x, xm in enumerate(xi_maxes):
                    mc = model.capped(xm)
                    ecap = cap_energy(mc, energy, xtol)
                    e_cap[x, a, b, c] = ecap
                    grid = np.unique(np.append(energy, ecap)) if np.isfinite(ecap) else energy
                    lh = mc.ln_hot(grid)
                    lxcc, lrcc, _ = (float(np.asarray(v)) for v in mc.inputs(e_f))
                    cfc = cold_factor(temps, dim, lxcc, lrcc, coupling, nt_nodes)
                    for k in range(nT):
                        if bad_t[k]:
                            wst[x, a, b, c, k] = WINDOW_STATUS.index("invalid_T")
                            continue
                        lo, hi, s_ = find_window(
                            mc, grid, lh, float(cfc["ln_cold"][k]), eta_c, xtol
                        )
                        e_lo[x, a, b, c, k], e_hi[x, a, b, c, k], wst[x, a, b, c, k] = lo, hi, s_
                        ls_b[x, a, b, c, k] = (
                            -np.inf
                            if WINDOW_STATUS[s_] == "none"
                            else theory.ln_sigma_eq18(lo, e_f, temps[k])
                        )
                    tcv, tcs_ = critical_temperature(
                        mc,
                        float(np.max(lh)),
                        eta_c,
                        coupling,
                        e_f,
                        nt_nodes,
                        float(st["tc_log_span"]),
                        int(st["tc_scan_num"]),
                        xtol,
                    )
                    t_c[x, a, b, c], tcs[x, a, b, c] = tcv, tcs_

    # ratios to the asymptotes
    with np.errstate(divide="ignore", invalid="ignore"):
        ratios = {
            f"ratio_{k[7:]}": eps_th / A[k]
            for k in ("eps_th_eq14", "eps_th_eq15", "eps_th_comp_born")
        }
        ratios["ratio_eq28"] = (eps_th - e_f) / (A["eps_th_eq28"] - e_f)
    A.update(ratios)

    # warnings
    for a, dim in enumerate(dims):
        r = regime[a]
        if (r & 1).any():
            warn(
                f"dim={dim}: {int((r & 1).astype(bool).sum())} (model, T) points with "
                "ln(Delta_c/T) < 1 (T >= Delta_c/e): outside T << Delta_c, flagged high_T"
            )
        strong = (kfxi[a] < st["strong_disorder_kfxi"]).sum()
        if strong:
            warn(
                f"dim={dim}: {int(strong)} model(s) with k_F xi_c < "
                f"{st['strong_disorder_kfxi']:g}: strong disorder"
            )
    if missing:
        warn(f"localization dataset lacks {', '.join(missing)}: Born xi and clean rho used there")

    # --- assemble
    coords = {
        "dim": ("dim", np.asarray(dims, dtype=np.int32)),
        "family": ("family", np.asarray(fams, dtype=object)),
        "d": ("d", np.asarray(dvals)),
        "T": ("T", temps),
        "energy": ("energy", energy),
    }
    if nX:
        coords["xi_max"] = ("xi_max", xi_maxes)
    ds = xr.Dataset(coords=coords)
    set_attrs(ds["dim"], "1", "spatial dimension D of the paper")
    ds["family"].attrs["long_name"] = "disorder family (d = 0 is white noise for every family)"
    set_attrs(ds["d"], "length", "disorder correlation radius d")
    set_attrs(ds["T"], "energy", "temperature T (k_B = 1)")
    set_attrs(ds["energy"], "energy", "hot-electron energy eps (grid: eps_F + log-spaced offsets)")
    if nX:
        set_attrs(ds["xi_max"], "length", "cap on the localization length (bounded-xi comparison)")
    D4, D5, D3, D3E = (
        ("dim", "family", "d", "T"),
        ("dim", "family", "d", "T", "energy"),
        (
            "dim",
            "family",
            "d",
        ),
        ("dim", "family", "d", "energy"),
    )
    B5, B4 = ("xi_max", *D4), ("xi_max", *D3)
    lu = "1/length^D"

    def put(
        name: str, dims_: tuple, units: str, long_name: str, equation: str | None = None, **kw: Any
    ) -> None:
        ds[name] = (dims_, A[name])
        set_attrs(ds[name], units, long_name, equation, **kw)

    put(
        "eta_hc",
        D5,
        "1",
        "hot-cold delocalization parameter V_hc/Delta_3hc (composition)",
        "Eq. (1) with Eqs. (6)-(12) (1D), (22)-(25) (2D)",
        comment="inf where exp overflows (far above threshold); "
        "<= 0 where T >= Delta_c (regime high_T); NaN only for T <= 0 (nonpositive_T)",
    )
    put(
        "log10_eta_hc",
        D5,
        "1",
        "log10 of eta_hc",
        "Eq. (1)",
        comment="NaN where eta_hc <= 0 (T >= Delta_c)",
    )
    put(
        "eta_hc_closed_form",
        D5,
        "1",
        "closed form alpha (Delta_c/Delta_h)(T/Delta_c)^3 ln^D(Delta_c/T)",
        "Eq. (13) (1D), Eq. (26) (2D)",
        composition_factor="eta_hc = (4 pi^2/3) x Eq. (13) in 1D and 4 x Eq. (26) in 2D "
        "when n_T is the closed form Eq. (6)/(22)",
    )
    put(
        "eta_hc_born",
        D5,
        "1",
        "eta_hc with Born xi and clean rho for both hot and cold electrons and closed-form n_T",
        "Eq. (1), (6)-(12); SPEC 1.2 (Born)",
        comment="identical to eta_hc in 2D (no measured 2D inputs)",
    )
    if st["intermediates"]:
        put(
            "N_eff",
            D5,
            "1",
            "effective number of thermal pairs n_T xi_h^D",
            "Eq. (8) (1D), Eq. (23) (2D)",
        )
        put(
            "Delta_3hc",
            D5,
            "energy",
            "three-particle level spacing Delta_h/N_eff",
            "Eq. (9) (1D), Eq. (23) (2D)",
        )
        put(
            "V_hc",
            D5,
            "energy",
            "hot-cold matrix element alpha T l_M xi_c^(D-1)/xi_h^D",
            "Eq. (11) (1D), Eq. (24) (2D)",
        )
    put(
        "xi_h",
        D3E,
        "length",
        "localization length xi(eps) used (measured, else Born; 2D: Eq. 20/30)",
        "Eq. (2) convention; Eq. (20)/(30)",
        comment="inf where it overflows (2D); see ln_xi_h",
    )
    put("ln_xi_h", D3E, "1", "natural log of xi_h / (unit length)", "Eq. (20)/(30) in 2D")
    put(
        "rho_h",
        D3E,
        "1/(energy length^D)",
        "density of states rho(eps) used (measured, else clean)",
        "Sec. II; Eq. (21) text (2D: m/2pi)",
    )
    put("alpha", D3E, "1", "coupling constant alpha", "Eq. (12) (1D: rho_h |u|), Eq. (25) (2D)")
    ds["xi_source"] = (D3E, A["xi_source"])
    ds["xi_source"].attrs.update(flag_attrs(["measured", "born"], "origin of xi_h and rho_h"))
    ds["xi_source"].attrs["comment"] = "2D: always the weak-disorder Eq. (20)/(30) ('born')"
    put("xi_c", D3, "length", "cold localization length xi(eps_F)", "Eq. (2) convention; Eq. (20)")
    put("rho_c", D3, "1/(energy length^D)", "density of states at eps_F", "Sec. II")
    put("Delta_c", D3, "energy", "cold level spacing 1/(rho_c xi_c^D)", "Sec. II")
    put("kF_xi_c", D3, "1", "k_F xi_c (weak disorder needs >> 1)", "SPEC 1.4 regime")
    ds["xi_c_source"] = (D3, A["xi_c_source"])
    ds["xi_c_source"].attrs.update(flag_attrs(["measured", "born"], "origin of xi_c and rho_c"))
    put(
        "tau_c",
        D3,
        "1/energy",
        "2D transport time at eps_F",
        "Eq. (21)",
        comment="NaN in 1D (not defined)",
    )
    put("eps0", D3, "energy", "eps0 = 1/(8 m d^2)", "Eq. (14)", comment="NaN for d = 0 and in 2D")
    put("l_M", D4, "length", "Mott length 2 xi_c ln(Delta_c/T)", "Eq. (7)")
    put(
        "n_T",
        D4,
        lu,
        "density of thermal pairs in the cold system",
        "Eq. (6) (1D), Eq. (22) (2D), or numerical",
    )
    ds["n_T_source"] = (D4, A["n_T_source"])
    ds["n_T_source"].attrs.update(flag_attrs(["closed_form", "numerical"], "origin of n_T"))
    ds["regime"] = (D4, A["regime"])
    ds["regime"].attrs.update(
        units="1",
        long_name="validity flags of the low-T weak-disorder formulas",
        flag_masks=np.array([1, 2, 4], dtype=np.int8),
        flag_meanings=" ".join(REGIME_FLAGS),
        comment="high_T: ln(Delta_c/T) < 1; nonpositive_T: T <= 0; strong_disorder: k_F xi_c < "
        f"{st['strong_disorder_kfxi']:g}",
    )
    put(
        "eps_th",
        D4,
        "energy",
        "effective mobility edge: lowest eps above which eta_hc >= eta_c",
        "Sec. II; Eqs. (14)-(16), (28)",
        comment="NaN exactly where eps_th_status is none, marginal, beyond_grid or invalid_T",
    )
    ds["eps_th_status"] = (D4, A["eps_th_status"])
    ds["eps_th_status"].attrs.update(flag_attrs(THRESHOLD_STATUS, "how eps_th was determined"))
    put(
        "n_h",
        D4,
        lu,
        "density of delocalized hot excitations",
        "Eq. (17) (2D: rho T exp(-(eps_th-eps_F)/T))",
        comment="0 where no threshold",
    )
    put(
        "ln_sigma",
        D4,
        "1",
        "ln conductivity -(eps_th - eps_F)/T",
        "Eq. (18) (1D), Eq. (29) (2D)",
        comment="-inf where no threshold (none, marginal); NaN for beyond_grid, invalid_T",
    )
    put(
        "eta_hc_limit",
        D4,
        "1",
        "large-eps limit of eta_hc (Born xi_h, clean rho_h)",
        "Eqs. (11)-(13); SPEC 1.4 marginal case",
        comment="finite only for 1D white noise, inf otherwise",
    )
    put(
        "chi",
        D4,
        "1",
        "chi(T) = (w/(|u| Delta_c))(Delta_c/T)^3/ln(Delta_c/T)",
        "Eq. (16)",
        comment="NaN in 2D",
    )
    put(
        "eps_th_eq14",
        D4,
        "energy",
        "eps0 ln^2 chi (Lorentzian asymptote)",
        "Eq. (14)",
        comment="lorentzian rows, 1D, d > 0 only",
    )
    put(
        "eps_th_eq15",
        D4,
        "energy",
        "eps0 chi (exponential asymptote)",
        "Eq. (15)",
        comment="exponential rows, 1D, d > 0 only",
    )
    put(
        "eps_th_comp_born",
        D4,
        "energy",
        "threshold of the composition with Born xi_h and clean rho_h, closed form",
        "Eqs. (13)-(16)",
        comment="lorentzian eps0 ln^2(3 eta_c chi/4), exponential eps0 (3 eta_c chi/4 - 1), "
        "gaussian eps0 ln(3 eta_c chi/4); 1D d > 0; NaN where 3 eta_c chi/4 <= 1",
    )
    put(
        "eps_th_eq28",
        D4,
        "energy",
        "eps_F + (1/(2 pi tau_c)) ln[(1/alpha)(Delta_c/T)^3] "
        "(sqrt of the log for symmetry 'unitary')",
        "Eq. (28) (Eq. 30 variant)",
        comment="2D only; tau at eps_F",
    )
    put("ln_sigma_eq29", D4, "1", "-(eps_th_eq28 - eps_F)/T", "Eq. (29)", comment="2D only")
    put("ratio_eq14", D4, "1", "eps_th / eps_th_eq14", "Eq. (14)")
    put("ratio_eq15", D4, "1", "eps_th / eps_th_eq15", "Eq. (15)")
    put("ratio_comp_born", D4, "1", "eps_th / eps_th_comp_born", "Eqs. (13)-(16)")
    put("ratio_eq28", D4, "1", "(eps_th - eps_F) / (eps_th_eq28 - eps_F)", "Eq. (28)")
    if nX:
        put(
            "eps_cap",
            B4,
            "energy",
            "energy where xi(eps) reaches xi_max",
            "Fig. 2",
            comment="NaN if xi_c >= xi_max or beyond the grid",
        )
        put(
            "eps_lo",
            B5,
            "energy",
            "lower edge of the delocalized window (bounded xi)",
            "Fig. 2 (solid)",
        )
        put(
            "eps_hi",
            B5,
            "energy",
            "upper edge of the delocalized window (bounded xi)",
            "Fig. 2 (solid)",
            comment="inf for open windows",
        )
        ds["window_status"] = (B5, A["window_status"])
        ds["window_status"].attrs.update(
            flag_attrs(WINDOW_STATUS, "delocalized window with bounded xi")
        )
        put(
            "ln_sigma_bounded",
            B5,
            "1",
            "-(eps_lo - eps_F)/T with bounded xi",
            "Eq. (18), Fig. 2",
            comment="-inf below T_c (no window)",
        )
        put("T_c", B4, "energy", "critical temperature with xi capped at xi_max", "Fig. 2 (solid)")
        ds["T_c_status"] = (B4, A["T_c_status"])
        ds["T_c_status"].attrs.update(flag_attrs(TC_STATUS, "how T_c was determined"))
    flag_equations = {
        "xi_source": "SPEC 1.2 (measured | Born, Eq. 2 convention)",
        "xi_c_source": "SPEC 1.2 (measured | Born)",
        "n_T_source": "Eq. (6) or Eq. (3) evaluated numerically (SPEC 1.3)",
        "regime": "Sec. III: T << Delta_c, k_F xi_c >> 1",
        "eps_th_status": "Sec. II, Eqs. (14)-(16), (28)",
        "window_status": "Fig. 2 (solid line)",
        "T_c_status": "Fig. 2 (solid line)",
    }
    for name, eq in flag_equations.items():
        if name in ds:
            ds[name].attrs["equation"] = eq
    ds["eta_c"] = ((), eta_c)
    set_attrs(ds["eta_c"], "1", "critical value of eta_hc", "Sec. II")
    ds["composition_factor"] = (("dim",), np.array([theory.COMPOSITION_FACTOR[x] for x in dims]))
    set_attrs(
        ds["composition_factor"],
        "1",
        "eta_hc (composition) / closed form",
        "Eq. (13): 4 pi^2/3 (1D); Eq. (26): 4 (2D)",
    )
    ds.attrs.update(
        warnings="\n".join(warnings),
        hotcold_settings=repr(st),
        disorder_2d="2D correlator: radially symmetric, 2D power spectrum = same function of |q| "
        "as in 1D with w -> w2 (w2 exp(-|q|d), w2/(1+q^2 d^2), w2 exp(-q^2 d^2))",
        measured_inputs="1D: "
        + ("none (Born xi, clean rho)" if localization is None else "localization dataset"),
        numerical_n_T=", ".join(nt_used) or "none (Eq. 6)",
        eta_c=eta_c,
    )
    return ds
