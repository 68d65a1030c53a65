"""Hot-cold delocalization: eta_hc, the effective mobility edge eps_th(T), n_h, ln sigma.
(docs/physics.md §1.4).

Units hbar = k_B = 1, particle mass ``m``.  Equation numbers refer to the
paper (docs/physics.md).  Everything is computed per model (spatial
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

Composition by xarray: one model's inputs (:mod:`hotcold.models`) over a
``replica`` dimension give Datasets over (replica, T, energy) by
broadcasting named DataArrays; the scalar root finders
(:mod:`hotcold.threshold`) run through ``xr.apply_ufunc``; the models are
combined with ``xr.combine_nested`` into (dim, family, d, ...); the variable
metadata is the table :data:`HOTCOLD_VARIABLES`.

Public entry point: :func:`hotcold_dataset`.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import xarray as xr

from . import families, theory
from .datasets import (
    D_COORD,
    IS_MODEL,
    PARAMETER_VARIABLES,
    Var,
    apply_table,
    mark_models,
    missing_like,
    reindex_missing,
)
from .jobs import map_in_order
from .models import ModelInputs, cold_factor
from .replicas import jackknife_stderr, stage_inputs
from .schema import schema_defaults
from .sweep import expand_grid
from .threshold import (
    TC_STATUS,
    THRESHOLD_STATUS,
    WINDOW_STATUS,
    cap_energy,
    critical_temperature,
    find_threshold,
    find_window,
)

__all__ = [
    "DEFAULT_SETTINGS",
    "THRESHOLD_STATUS",
    "WINDOW_STATUS",
    "TC_STATUS",
    "REGIME_FLAGS",
    "HOTCOLD_VARIABLES",
    "Sweep",
    "energy_grid",
    "model_dataset",
    "hotcold_dataset",
]

#: Settings of the hotcold stage (config key ``hotcold``): the schema's defaults.
DEFAULT_SETTINGS: dict[str, Any] = schema_defaults("hotcold")

SETTING_CHOICES = {
    "symmetry": ("orthogonal", "unitary"),
    "v_hc": ("closed_form", "numerical"),
    "criterion": ("eta_c", "bethe"),
}

#: Bits of the ``regime`` flag (CF flag_masks 1, 2, 4).
REGIME_FLAGS = ("high_T", "nonpositive_T", "strong_disorder")
#: Bits of the ``T_c_regime`` flag (CF flag_masks 1, 2, 4).
TC_REGIME_FLAGS = ("high_T", "undefined", "strong_disorder")
NT_SOURCE = ("closed_form", "numerical", "extrapolated")
V_SOURCE = ("closed_form", "numerical", "beyond_measured")

REPLICA_TE = ("replica", "T", "energy")
D3 = ("dim", "family", "d")
D3E, D4 = (*D3, "energy"), (*D3, "T")
D5 = (*D4, "energy")
B4, B5 = ("xi_max", *D3), ("xi_max", *D4)
_LU = "1/length^D"


def _flag(dims: tuple, meanings: tuple, long_name: str, equation: str, **attrs: Any) -> Var:
    values = np.arange(len(meanings), dtype=np.int8)
    return Var(
        dims,
        "1",
        long_name,
        equation,
        {"flag_values": values, "flag_meanings": " ".join(meanings), **attrs},
    )


#: Variable metadata of results/hotcold.nc (docs/physics.md §2), declared once.
HOTCOLD_VARIABLES: dict[str, Var] = {
    "dim": Var(("dim",), "1", "spatial dimension D of the paper"),
    "d": D_COORD,
    "T": Var(
        ("T",),
        "energy",
        "temperature T (k_B = 1)",
        "",
        {
            "comment": "union of the models' grids: 1D the key temperatures, 2D temperatures_2d x "
            "Delta_c of each model; T_on_grid marks a model's own"
        },
    ),
    "T_on_grid": Var(
        D4,
        "1",
        "this T is on the model's temperature grid (else its values are missing)",
        "docs/physics.md §1.4 (2D temperature grid)",
    ),
    "energy": Var(
        ("energy",), "energy", "hot-electron energy eps (grid: eps_F + log-spaced offsets)"
    ),
    "xi_max": Var(("xi_max",), "length", "cap on the localization length (bounded-xi comparison)"),
    "eta_hc": Var(
        D5,
        "1",
        "hot-cold delocalization parameter V_hc/Delta_3hc (composition)",
        "Eq. (1) with Eqs. (6)-(12) (1D), (22)-(25) (2D)",
        {
            "comment": "inf where exp overflows (far above threshold); "
            "<= 0 where T >= Delta_c (regime high_T); NaN only for T <= 0 (nonpositive_T)"
        },
    ),
    "log10_eta_hc": Var(
        D5, "1", "log10 of eta_hc", "Eq. (1)", {"comment": "NaN where eta_hc <= 0 (T >= Delta_c)"}
    ),
    "eta_hc_closed_form": Var(
        D5,
        "1",
        "closed form alpha (Delta_c/Delta_h)(T/Delta_c)^3 ln^D(Delta_c/T)",
        "Eq. (13) (1D), Eq. (26) (2D)",
        {
            "composition_factor": "eta_hc = (4 pi^2/3) x Eq. (13) in 1D and 4 x Eq. (26) in 2D "
            "when n_T is the closed form Eq. (6)/(22)"
        },
    ),
    "eta_hc_born": Var(
        D5,
        "1",
        "eta_hc with Born xi and clean rho for both hot and cold electrons and closed-form n_T",
        "Eq. (1), (6)-(12); docs/physics.md §1.2 (Born)",
        {"comment": "identical to eta_hc in 2D (no measured 2D inputs)"},
    ),
    "N_eff": Var(
        D5, "1", "effective number of thermal pairs n_T xi_h^D", "Eq. (8) (1D), Eq. (23) (2D)"
    ),
    "Delta_3hc": Var(
        D5,
        "energy",
        "three-particle level spacing Delta_h/N_eff",
        "Eq. (9) (1D), Eq. (23) (2D)",
    ),
    "V_hc": Var(
        D5,
        "energy",
        "hot-cold matrix element alpha T l_M xi_c^(D-1)/xi_h^D",
        "Eq. (11) (1D), Eq. (24) (2D)",
    ),
    "xi_h": Var(
        D3E,
        "length",
        "localization length xi(eps) used (measured, else Born; 2D: Eq. 20/30)",
        "Eq. (2) convention; Eq. (20)/(30)",
        {"comment": "inf where it overflows (2D); see ln_xi_h"},
    ),
    "ln_xi_h": Var(D3E, "1", "natural log of xi_h / (unit length)", "Eq. (20)/(30) in 2D"),
    "rho_h": Var(
        D3E,
        "1/(energy length^D)",
        "density of states rho(eps) used (measured, else clean)",
        "Sec. II; Eq. (21) text (2D: m/2pi)",
        {"comment": "2D above the strip labels (xi_source extrapolated): the highest label's"},
    ),
    "alpha": Var(D3E, "1", "coupling constant alpha", "Eq. (12) (1D: rho_h |u|), Eq. (25) (2D)"),
    "xi_source": _flag(
        D3E,
        ("measured", "born", "extrapolated"),
        "origin of xi_h and rho_h (measured; born = Born xi and clean rho, 2D: the closed "
        "forms Eq. 20/30 and m/2pi; extrapolated = 2D above the measured labels)",
        "docs/physics.md §1.2 (measured | Born, Eq. 2 convention; 2D numerics)",
        comment="1D: measured (localization dataset) or born.  2D without the localization2d "
        "dataset: born everywhere.  2D with it: measured (strip xi_2D, rho = dn/dE) between "
        "the lowest and highest measured density labels; extrapolated above them (orthogonal "
        "class): ln xi = ln(v tau) + ln A + b eps, Eq. (20)'s form with the slope b fitted "
        "over the labels and ln A through the highest one, rho held at the highest label's; "
        "born below them (and above them in the unitary class)",
    ),
    "xi_c": Var(D3, "length", "cold localization length xi(eps_F)", "Eq. (2) convention; Eq. (20)"),
    "rho_c": Var(D3, "1/(energy length^D)", "density of states at eps_F", "Sec. II"),
    "Delta_c": Var(D3, "energy", "cold level spacing 1/(rho_c xi_c^D)", "Sec. II"),
    "kF_xi_c": Var(D3, "1", "k_F xi_c (weak disorder needs >> 1)", "docs/physics.md §1.4 regime"),
    "xi_c_source": _flag(
        D3,
        ("measured", "born", "extrapolated"),
        "origin of xi_c and rho_c (2D: born = Eq. 20/30, m/2pi; extrapolated = Eq. 20's form "
        "with the fitted slope above the measured labels, rho of the highest label)",
        "physics.md §1.2 (measured | Born | 2D numerics)",
    ),
    "tau_c": Var(
        D3,
        "1/energy",
        "2D transport time at eps_F",
        "Eq. (21)",
        {"comment": "NaN in 1D (not defined)"},
    ),
    "eps0": Var(
        D3, "energy", "eps0 = 1/(8 m d^2)", "Eq. (14)", {"comment": "NaN for d = 0 and in 2D"}
    ),
    "l_M": Var(D4, "length", "Mott length 2 xi_c ln(Delta_c/T)", "Eq. (7)"),
    "n_T": Var(
        D4,
        _LU,
        "density of thermal pairs in the cold system",
        "Eq. (6) (1D), Eq. (22) (2D), or numerical",
    ),
    "n_T_source": _flag(
        D4,
        NT_SOURCE,
        "origin of n_T",
        "Eq. (6)/(22) or Eq. (3) evaluated numerically (docs/physics.md §1.3)",
        comment="1D with a spectral input: the numerical n_T at every T (numerical, or "
        "extrapolated by the spectral stage's fit of n_T/Eq. (6)); closed_form: 2D (Eq. 22) "
        "or no spectral input (Eq. 6); never mixed within one model",
    ),
    "regime": Var(
        D4,
        "1",
        "validity flags of the low-T weak-disorder formulas",
        "Sec. III: T << Delta_c, k_F xi_c >> 1",
        {
            "flag_masks": np.array([1, 2, 4], dtype=np.int8),
            "flag_meanings": " ".join(REGIME_FLAGS),
            "comment": "high_T: ln(Delta_c/T) < 1; nonpositive_T: T <= 0; strong_disorder: "
            "k_F xi_c < the attribute strong_disorder_kfxi (setting hotcold.strong_disorder_kfxi)",
        },
    ),
    "eps_th": Var(
        D4,
        "energy",
        "effective mobility edge: lowest eps above which eta_hc >= eta_c",
        "Sec. II; Eqs. (14)-(16), (28)",
        {"comment": "NaN exactly where eps_th_status is none, marginal, beyond_grid or invalid_T"},
    ),
    "eps_th_status": _flag(
        D4,
        THRESHOLD_STATUS,
        "how eps_th was determined",
        "Sec. II, Eqs. (14)-(16), (28)",
        comment="outside_measured_V: hotcold.v_hc numerical and eps_th outside the energies of "
        "the measured V_hc (Eq. 11 used there; the value is kept)",
    ),
    "eps_th_bethe": Var(
        D4,
        "energy",
        "threshold with the Bethe-lattice criterion eta_hc ln N_eff >= eta_c",
        "Sec. III (eta_hc ~ 1/ln N_eff), Eq. (8)",
        {"comment": "stored beside eps_th when hotcold.criterion is eta_c; NaN where no threshold"},
    ),
    "eps_th_bethe_status": _flag(
        D4, THRESHOLD_STATUS, "how eps_th_bethe was determined", "Sec. III"
    ),
    "eps_th_eta_c": Var(
        D4,
        "energy",
        "threshold with the criterion eta_hc >= eta_c",
        "Sec. II; Eqs. (14)-(16), (28)",
        {"comment": "stored beside eps_th when hotcold.criterion is bethe"},
    ),
    "eps_th_eta_c_status": _flag(
        D4, THRESHOLD_STATUS, "how eps_th_eta_c was determined", "Sec. II"
    ),
    "v_hc_source": _flag(
        D5,
        V_SOURCE,
        "origin of V_hc in eta_hc",
        "Eq. (11) or Eq. (10) evaluated on exact eigenstates (docs/physics.md §1.6)",
        comment="numerical: V_hc = Eq. (11) x measured V_hc/Eq. (11), log-log interpolated in "
        "energy; beyond_measured: outside the measured energies (or temperatures), Eq. (11); "
        "present when hotcold.v_hc is numerical",
    ),
    "eta_hc_v_eq11": Var(
        D5,
        "1",
        "eta_hc with the closed-form V_hc of Eq. (11)",
        "Eq. (1), (11)",
        {"comment": "stored beside eta_hc when hotcold.v_hc is numerical"},
    ),
    "n_h": Var(
        D4,
        _LU,
        "density of delocalized hot excitations",
        "Eq. (17) (2D: rho T exp(-(eps_th-eps_F)/T))",
        {"comment": "0 where no threshold"},
    ),
    "ln_sigma": Var(
        D4,
        "1",
        "ln conductivity -(eps_th - eps_F)/T",
        "Eq. (18) (1D), Eq. (29) (2D)",
        {"comment": "-inf where no threshold (none, marginal); NaN for beyond_grid, invalid_T"},
    ),
    "eta_hc_limit": Var(
        D4,
        "1",
        "large-eps limit of eta_hc (Born xi_h, clean rho_h)",
        "Eqs. (11)-(13); docs/physics.md §1.4 marginal case",
        {"comment": "finite only for 1D white noise, inf otherwise"},
    ),
    "chi": Var(
        D4,
        "1",
        "chi(T) = (w/(|u| Delta_c))(Delta_c/T)^3/ln(Delta_c/T)",
        "Eq. (16)",
        {"comment": "NaN in 2D"},
    ),
    "eps_th_eq14": Var(
        D4,
        "energy",
        "eps0 ln^2 chi (Lorentzian asymptote)",
        "Eq. (14)",
        {"comment": "lorentzian rows, 1D, d > 0 only"},
    ),
    "eps_th_eq15": Var(
        D4,
        "energy",
        "eps0 chi (exponential asymptote)",
        "Eq. (15)",
        {"comment": "exponential rows, 1D, d > 0 only"},
    ),
    "eps_th_comp_born": Var(
        D4,
        "energy",
        "threshold of the composition with Born xi_h and clean rho_h, closed form",
        "Eqs. (13)-(16)",
        {
            "comment": "lorentzian eps0 ln^2(3 eta_c chi/4), exponential eps0 (3 eta_c chi/4 - 1), "
            "gaussian eps0 ln(3 eta_c chi/4); 1D d > 0; NaN where 3 eta_c chi/4 <= 1"
        },
    ),
    "eps_th_eq28": Var(
        D4,
        "energy",
        "eps_F + (1/(2 pi tau_c)) ln[(1/alpha)(Delta_c/T)^3] "
        "(sqrt of the log for symmetry 'unitary')",
        "Eq. (28) (Eq. 30 variant)",
        {"comment": "2D only; tau at eps_F"},
    ),
    "ln_sigma_eq29": Var(D4, "1", "-(eps_th_eq28 - eps_F)/T", "Eq. (29)", {"comment": "2D only"}),
    "ratio_eq14": Var(D4, "1", "eps_th / eps_th_eq14", "Eq. (14)"),
    "ratio_eq15": Var(D4, "1", "eps_th / eps_th_eq15", "Eq. (15)"),
    "ratio_comp_born": Var(D4, "1", "eps_th / eps_th_comp_born", "Eqs. (13)-(16)"),
    "ratio_eq28": Var(D4, "1", "(eps_th - eps_F) / (eps_th_eq28 - eps_F)", "Eq. (28)"),
    "eps_cap": Var(
        B4,
        "energy",
        "energy where xi(eps) reaches xi_max",
        "Fig. 2",
        {"comment": "NaN if xi_c >= xi_max or beyond the grid"},
    ),
    "eps_lo": Var(
        B5, "energy", "lower edge of the delocalized window (bounded xi)", "Fig. 2 (solid)"
    ),
    "eps_hi": Var(
        B5,
        "energy",
        "upper edge of the delocalized window (bounded xi)",
        "Fig. 2 (solid)",
        {"comment": "inf for open windows"},
    ),
    "window_status": _flag(
        B5, WINDOW_STATUS, "delocalized window with bounded xi", "Fig. 2 (solid line)"
    ),
    "ln_sigma_bounded": Var(
        B5,
        "1",
        "-(eps_lo - eps_F)/T with bounded xi",
        "Eq. (18), Fig. 2",
        {"comment": "-inf below T_c (no window)"},
    ),
    "T_c": Var(
        B4,
        "energy",
        "critical temperature with xi capped at xi_max",
        "Fig. 2 (solid)",
        {
            "comment": "NaN where no T_c was found (T_c_status none, or below_search: then "
            "T_c_upper_bound holds the bound)"
        },
    ),
    "T_c_upper_bound": Var(
        B4,
        "energy",
        "upper bound on T_c where the window is open at every searched temperature",
        "Fig. 2 (solid)",
        {
            "comment": "the lowest searched temperature, where T_c_status is below_search; NaN "
            "elsewhere (a bound, not an estimate: no standard error)"
        },
    ),
    "T_c_status": _flag(B4, TC_STATUS, "how T_c was determined", "Fig. 2 (solid line)"),
    "T_c_regime": Var(
        B4,
        "1",
        "validity of the low-T weak-disorder formulas at T_c",
        "Sec. III: T_c << Delta_c, k_F xi_c >> 1",
        {
            "flag_masks": np.array([1, 2, 4], dtype=np.int8),
            "flag_meanings": " ".join(TC_REGIME_FLAGS),
            "comment": "0: T_c in the paper's regime; high_T: ln(Delta_c/T_c) < 1 (T_c not << "
            "Delta_c); undefined: no T_c value (T_c_status none or below_search); "
            "strong_disorder: k_F xi_c < the regime attribute strong_disorder_kfxi",
        },
    ),
    "eta_c": Var((), "1", "critical value of eta_hc", "Sec. II"),
    **PARAMETER_VARIABLES,
    "is_model": IS_MODEL,
    "composition_factor": Var(
        ("dim",),
        "1",
        "eta_hc (composition) / closed form",
        "Eq. (13): 4 pi^2/3 (1D); Eq. (26): 4 (2D)",
    ),
}

#: Estimates with a standard error: name -> (status variable, statuses where it is an
#: estimate) or None (always).  The error is propagated by jackknife replicas.
STDERR: dict[str, tuple[str, tuple[str, ...]] | None] = {
    "eta_hc": None,
    "n_T": None,
    "xi_c": None,
    "rho_c": None,
    "Delta_c": None,
    "eps_th": ("eps_th_status", ("found",)),
    "n_h": ("eps_th_status", ("found",)),
    "ln_sigma": ("eps_th_status", ("found",)),
    "eps_th_bethe": ("eps_th_bethe_status", ("found",)),
    "eps_th_eta_c": ("eps_th_eta_c_status", ("found",)),
    "eps_lo": ("window_status", ("closed", "open")),
    "eps_hi": ("window_status", ("closed",)),
    "T_c": ("T_c_status", ("found",)),
}
_STDERR_COMMENT = (
    "jackknife over replicas of the measured inputs (localization: leave-one-batch-out xi, "
    "dos; spectral: leave-one-realization-out n_T), the whole composition rerun per replica, "
    "variances of the independent groups summed (2D: the strip stage's +-1 sigma pairs); 0 "
    "where no input is measured (closed forms, Born xi: no statistical error); NaN where "
    "the value is not an estimate in the full sample and in every replica (status{status}), "
    "or overflows"
)


def _stderr_rows(table: Mapping[str, Var]) -> dict[str, Var]:
    rows = {}
    for name, how in STDERR.items():
        v = table[name]
        status = "" if how is None else f": {how[0]} not {' or '.join(how[1])}"
        attrs = {"comment": _STDERR_COMMENT.format(status=status)}
        rows[f"{name}_stderr"] = Var(
            v.dims, v.units, f"standard error of {name}", v.equation, attrs
        )
    return rows


HOTCOLD_VARIABLES |= _stderr_rows(HOTCOLD_VARIABLES)

#: Per-model variables over (energy) or (T, energy) that only exist with intermediates.
_INTERMEDIATES = ("N_eff", "Delta_3hc", "V_hc")


def _settings(settings: Mapping | None) -> dict[str, Any]:
    out = dict(DEFAULT_SETTINGS)
    if settings:
        unknown = set(settings) - set(DEFAULT_SETTINGS)
        if unknown:
            raise ValueError(
                f"unknown hotcold setting(s) {sorted(unknown)}; allowed: {sorted(DEFAULT_SETTINGS)}"
            )
        out.update(settings)
    for key, allowed in SETTING_CHOICES.items():
        if out[key] not in allowed:
            raise ValueError(
                f"hotcold.{key} must be one of {', '.join(map(repr, allowed))}, got {out[key]!r}"
            )
    return out


def energy_grid(eps_F: float, energy_max: float, num: int, min_offset: float) -> np.ndarray:
    """Hot-electron energy grid: eps_F + log-spaced offsets, eps_F exclusive [energy].

    ``eps - eps_F`` runs log-spaced from ``min_offset * eps_F`` to
    ``energy_max - eps_F``, so that both the 2D threshold (eps_F + O(1/tau))
    and the 1D thresholds (up to ~1e5 eps_F) are resolved.
    """
    if energy_max <= eps_F * (1.0 + min_offset):
        raise ValueError(f"hotcold.energy_max = {energy_max} must exceed the Fermi energy")
    return eps_F + np.geomspace(min_offset * eps_F, energy_max - eps_F, int(num))


@dataclasses.dataclass(frozen=True)
class Sweep:
    """Grids and constants shared by every model of the hot-cold sweep (from the config)."""

    dims: tuple[int, ...]
    families: tuple[str, ...]
    d: tuple[float, ...]
    temps: np.ndarray  # T [energy] (1D; 2D too without t_2d)
    energy: np.ndarray  # hot energies [energy]
    xi_max: np.ndarray  # [length]
    eta_c: float
    m: float
    eps_F: float  # Fermi energy [energy]
    u: float  # |u| (1D)
    alpha2d: float  # alpha_2D (Eq. 25)
    w1: float  # 1D disorder strength
    w2: float  # 2D disorder strength
    settings: Mapping[str, Any]
    #: 2D temperatures in units of each model's Delta_c (config temperatures_2d), or None
    t_2d: np.ndarray | None = None

    def model_temperatures(self, dim: int, ln_delta_c: float) -> np.ndarray:
        """The temperatures [energy] of one model: ``temps`` in 1D; in 2D ``t_2d``
        times the model's Delta_c (its full-sample value), else ``temps``."""
        if dim == 1 or self.t_2d is None:
            return self.temps
        return self.t_2d * np.exp(ln_delta_c)

    def coupling(self, dim: int) -> float:
        return self.u if dim == 1 else self.alpha2d

    @property
    def xtol(self) -> float:
        return float(self.settings["xtol"])

    @property
    def v_hc(self) -> str:
        return str(self.settings["v_hc"])


def sweep_from_config(config: Mapping, settings: Mapping | None = None) -> Sweep:
    """The :class:`Sweep` of a workflow configuration (validated: eta_c > 0, dims 1 or 2)."""
    st = _settings(settings)
    eta_c = float(config.get("eta_c", 1.0))
    if not eta_c > 0:
        raise ValueError(f"eta_c must be > 0, got eta_c = {eta_c}")
    dims = tuple(int(x) for x in config.get("dimensions", [1, 2]))
    for dm in dims:
        if dm not in (1, 2):
            raise ValueError(f"dimensions: {dm} is not 1 or 2")
    d_values = tuple(sorted({float(x) for x in config["disorder"]["d"]}))
    fams = families.sweep_families(config["disorder"]["families"], d_values)
    eps_F = float(config["fermi_energy"])
    inter = config.get("interaction", {})
    t2 = config.get("temperatures_2d")
    t_2d = None if t2 is None else np.asarray(expand_grid(t2), dtype=float)
    if t_2d is not None and not (t_2d > 0).all():
        raise ValueError(f"temperatures_2d: every T/Delta_c must be > 0, got {t2}")
    return Sweep(
        dims=dims,
        families=fams,
        d=d_values,
        temps=np.asarray(expand_grid(config["temperatures"]), dtype=float),
        energy=energy_grid(
            eps_F, float(st["energy_max"]), int(st["energy_num"]), float(st["energy_min_offset"])
        ),
        xi_max=np.asarray(sorted(float(x) for x in config.get("xi_max", []) or []), dtype=float),
        eta_c=eta_c,
        m=float(config["m"]),
        eps_F=eps_F,
        u=abs(float(inter.get("u", 0.0))),
        alpha2d=abs(float(inter.get("alpha2d", 0.0))),
        w1=float(config["disorder"].get("w", np.nan)),
        w2=float(config["disorder"].get("w2", np.nan)),
        settings=st,
        t_2d=t_2d,
    )


# ---------------------------------------------------------------------------
# One model over (replica, T, energy)
# ---------------------------------------------------------------------------


def _stack(rows: list[np.ndarray], dims: tuple[str, ...]) -> xr.DataArray:
    """Per-replica arrays -> DataArray over ("replica", *dims).

    The composition runs on index-free dimensions (no alignment cost); the
    coordinates are attached once, in :func:`_finish`.
    """
    return xr.DataArray(np.stack(rows), dims=("replica", *dims))


def hot_inputs(models: list[ModelInputs], sw: Sweep) -> xr.Dataset:
    """xi_h, rho_h, their source and ln hot(eps) per replica over (replica, energy)."""
    rows = [mdl.inputs(sw.energy) for mdl in models]
    lx = _stack([r[0] for r in rows], ("energy",))
    lr = _stack([r[1] for r in rows], ("energy",))
    dim = models[0].dim
    with np.errstate(over="ignore", divide="ignore"):
        return xr.Dataset(
            {
                "ln_xi_h": lx,
                "ln_rho_h": lr,
                "xi_h": np.exp(lx),
                "rho_h": np.exp(lr),
                "xi_source": _stack([r[2] for r in rows], ("energy",)),
                "ln_hot": (2 * lr + lx) if dim == 1 else (lr + 2 * lx),
                "ln_alpha": (lr + np.log(sw.u))
                if dim == 1
                else xr.full_like(lr, np.log(sw.alpha2d)),
            }
        )


def cold_inputs(models: list[ModelInputs], sw: Sweep) -> xr.Dataset:
    """xi_c, rho_c, Delta_c and the cold factor (Eqs. 6/22, 7) per replica over (replica, T)."""
    dim, eps_F = models[0].dim, sw.eps_F
    coupling = sw.coupling(dim)
    cin = [mdl.cold_inputs(eps_F) for mdl in models]
    cfs = [
        cold_factor(sw.temps, dim, lx, lr, coupling, mdl.nt)
        for mdl, (lx, lr, _) in zip(models, cin, strict=True)
    ]
    out = {k: _stack([cf[k] for cf in cfs], ("T",)) for k in cfs[0] if k != "ln_Delta_c"}
    out["t"] = xr.DataArray(sw.temps, dims="T")
    lxc = xr.DataArray([c[0] for c in cin], dims="replica")
    lrc = xr.DataArray([c[1] for c in cin], dims="replica")
    out["ln_xi_c"], out["ln_rho_c"] = lxc, lrc
    out["ln_Delta_c"] = xr.DataArray([cf["ln_Delta_c"] for cf in cfs], dims="replica")
    out["xi_c_source"] = xr.DataArray(np.array([c[2] for c in cin], dtype=np.int8), dims="replica")
    with np.errstate(over="ignore"):
        out["xi_c"], out["rho_c"] = np.exp(lxc), np.exp(lrc)
        out["Delta_c"] = np.exp(-lrc - dim * lxc)
    out["kF_xi_c"] = np.sqrt(2 * sw.m * eps_F) * np.exp(lxc)
    return xr.Dataset(out)


def compose(
    hot: xr.Dataset,
    cold: xr.Dataset,
    dim: int,
    intermediates: bool,
    ln_v: xr.DataArray | None = None,
) -> xr.Dataset:
    """eta_hc = cold(T) hot(eps) over (replica, T, energy), its closed form and the factors.

    Eqs. (1), (8), (9), (11), (13) in 1D; (22)-(26) in 2D.  Everything in
    log space; signs carried separately (cold <= 0 where T >= Delta_c).
    ``ln_v`` = ln(V_hc measured / Eq. 11) (``hotcold.v_hc: numerical``)
    multiplies V_hc and eta_hc; eta_hc with Eq. (11) is then kept beside.
    """
    sign, L = cold["cold_sign"], cold["L"]
    lt = np.log(cold["t"].where(cold["t"] > 0))
    ln_dh = -hot["ln_rho_h"] - dim * hot["ln_xi_h"]
    ln_dc = cold["ln_Delta_c"]
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        lce = cold["ln_cold_abs"] + hot["ln_hot"]
        out = {}
        if ln_v is not None:
            out["eta_hc_v_eq11"] = sign * np.exp(lce)
            lce = lce + ln_v
        out |= {
            "eta_hc": sign * np.exp(lce),
            "log10_eta_hc": (lce / np.log(10)).where(sign > 0),
            # closed form Eq. (13)/(26): alpha (Dc/Dh) (T/Dc)^3 L^D
            "eta_hc_closed_form": np.sign(L) ** dim
            * np.exp(
                hot["ln_alpha"] + ln_dc - ln_dh + (3 * (lt - ln_dc) + dim * np.log(np.abs(L)))
            ),
        }
        if intermediates:
            ln_nt = np.log(np.abs(cold["n_T"]))
            s_nt = np.sign(cold["n_T"])
            out["N_eff"] = s_nt * np.exp(ln_nt + dim * hot["ln_xi_h"])
            out["Delta_3hc"] = s_nt * np.exp(ln_dh - ln_nt - dim * hot["ln_xi_h"])
            out["V_hc"] = np.sign(L) * np.exp(
                hot["ln_alpha"]
                + lt
                + np.log(np.abs(cold["l_M"]))
                + (dim - 1) * cold["ln_xi_c"]
                - dim * hot["ln_xi_h"]
                + (0.0 if ln_v is None else ln_v)
            )
    return xr.Dataset(out)


def v_factor(models: list[ModelInputs], sw: Sweep) -> tuple[xr.DataArray, xr.DataArray] | None:
    """ln(V_hc measured / Eq. 11) over (replica, T, energy) and its source flag (replica 0)."""
    if models[0].v_ratio is None:
        return None
    nt = len(sw.temps)
    rows = [[m.ln_v_factor(k, sw.energy) for k in range(nt)] for m in models]
    ln_v = xr.DataArray(np.array([[r[0] for r in row] for row in rows]), dims=REPLICA_TE)
    src = xr.DataArray(np.array([r[1] for r in rows[0]], dtype=np.int8), dims=("T", "energy"))
    return ln_v, src


def _models_da(models: list[ModelInputs]) -> xr.DataArray:
    arr = np.empty(len(models), dtype=object)
    arr[:] = models
    return xr.DataArray(arr, dims="replica")


def _criterion(mdl: ModelInputs, k: int, ln_nt: float, bethe: bool) -> Callable | None:
    """The additive term of ln eta_hc in the threshold criterion at the k-th T (or None).

    Measured V_hc: ln(V_hc numerical / Eq. 11).  Bethe lattice (Sec. III):
    ln ln N_eff with N_eff = n_T xi_h^D (Eq. 8), -inf where N_eff <= e^0 = 1.
    """
    if mdl.v_ratio is None and not bethe:
        return None

    def extra(e: Any) -> np.ndarray:
        out = mdl.ln_v_factor(k, e)[0]
        if bethe:
            ln_n = ln_nt + mdl.dim * mdl.inputs(e)[0]
            with np.errstate(divide="ignore", invalid="ignore"):
                out = out + np.where(ln_n > 0, np.log(np.where(ln_n > 0, ln_n, 1.0)), -np.inf)
        return out

    return extra


def threshold_over(
    models: list[ModelInputs], hot: xr.Dataset, cold: xr.Dataset, sw: Sweep, bethe: bool
) -> tuple[xr.DataArray, xr.DataArray]:
    """eps_th and its status over (replica, T): the root finder through apply_ufunc.

    Criterion eta_hc >= eta_c (Sec. II), or eta_hc ln N_eff >= eta_c (``bethe``).
    With measured V_hc a threshold outside the measured energy range gets the
    status outside_measured_V (the value, from Eq. 11 there, is kept).
    """
    energy, eta_c, xtol = sw.energy, sw.eta_c, sw.xtol

    def one(mdl: ModelInputs, ln_hot: np.ndarray, ln_cold: float, ln_nt: float, k: int) -> tuple:
        extra = _criterion(mdl, int(k), float(ln_nt), bethe)
        e_th, status = find_threshold(mdl, energy, ln_hot, float(ln_cold), eta_c, xtol, extra)
        if mdl.v_ratio is not None and status == 0 and mdl.ln_v_factor(int(k), e_th)[1] == 2:
            status = THRESHOLD_STATUS.index("outside_measured_V")
        return e_th, status

    with np.errstate(divide="ignore", invalid="ignore"):
        ln_nt = np.log(np.abs(cold["n_T"]))
    e_th, status = xr.apply_ufunc(
        one,
        _models_da(models),
        hot["ln_hot"],
        cold["ln_cold"],
        ln_nt,
        xr.DataArray(np.arange(len(sw.temps)), dims="T"),
        input_core_dims=[[], ["energy"], [], [], []],
        output_core_dims=[[], []],
        vectorize=True,
        output_dtypes=[float, np.int8],
    )
    return e_th, status.astype(np.int8)


def thresholds(
    models: list[ModelInputs], hot: xr.Dataset, cold: xr.Dataset, sw: Sweep
) -> xr.Dataset:
    """eps_th(T) of the configured criterion with n_h and ln sigma; the other criterion beside.

    Eqs. (17), (18) (1D), (29) and rho T exp(-(eps_th - eps_F)/T) (2D).
    """
    bethe = sw.settings["criterion"] == "bethe"
    e_th, status = threshold_over(models, hot, cold, sw, bethe)
    other = "eps_th_eta_c" if bethe else "eps_th_bethe"
    e_other, s_other = threshold_over(models, hot, cold, sw, not bethe)
    t, eps_F = cold["t"], sw.eps_F
    ok = ("found", "below_grid", "outside_measured_V")
    defined = status.isin([THRESHOLD_STATUS.index(k) for k in ok])
    nothing = status.isin([THRESHOLD_STATUS.index(k) for k in ("none", "marginal")])
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        e_ok = e_th.where(defined)
        if models[0].dim == 1:
            n_h = xr.apply_ufunc(theory.hot_density_eq17, e_ok, eps_F, t, sw.m)
        else:
            n_h = sw.m / (2 * np.pi) * t * np.exp(-(e_ok - eps_F) / t)
        ln_sig = xr.apply_ufunc(theory.ln_sigma_eq18, e_ok, eps_F, t)
    return xr.Dataset(
        {
            "eps_th": e_th,
            "eps_th_status": status,
            "n_h": n_h.where(defined).where(~nothing, 0.0),
            "ln_sigma": ln_sig.where(defined).where(~nothing, -np.inf),
            other: e_other,
            f"{other}_status": s_other,
        }
    )


def model_constants(model: ModelInputs, sw: Sweep) -> dict[str, float]:
    """tau_c (2D, Eq. 21) and eps0 (1D, d > 0, Eq. 14) of one model; NaN where undefined."""
    tau_c = eps0 = np.nan
    if model.dim == 2:
        rate = theory.transport_rate_2d(sw.eps_F, model.family, sw.m, model.w, model.d)
        tau_c = 1.0 / float(rate)
    elif model.d > 0:
        eps0 = float(theory.eps0_1d(sw.m, model.d))
    return {"tau_c": tau_c, "eps0": eps0}


def asymptotes(model: ModelInputs, cold: xr.Dataset, eps_th: xr.DataArray, sw: Sweep) -> xr.Dataset:
    """Analytic thresholds Eqs. (14)-(16), (28), (29), the marginal limit and the ratios."""
    t = cold["t"].where(cold["t"] > 0)
    dc = np.exp(cold["ln_Delta_c"])
    const = model_constants(model, sw)
    nan = xr.full_like(cold["L"], np.nan)
    out = {k: nan for k in ("chi", "eps_th_eq14", "eps_th_eq15", "eps_th_comp_born")}
    out |= {"eps_th_eq28": nan, "ln_sigma_eq29": nan}
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if model.dim == 1:
            chi = xr.apply_ufunc(theory.chi_eq16, t, sw.w1, sw.u, dc)
            out["chi"] = chi
            e0 = const["eps0"]
            if model.d > 0:
                out["eps_th_comp_born"] = xr.apply_ufunc(
                    theory.eps_th_composition_born, model.family, e0, chi, sw.eta_c
                )
                fam = families.get(model.family)
                if fam.asymptote is not None:
                    out[f"eps_th_{fam.asymptote}"] = xr.apply_ufunc(
                        fam.asymptote_threshold, e0, chi
                    )
        else:
            a28 = xr.apply_ufunc(
                theory.eps_th_eq28,
                t,
                sw.eps_F,
                const["tau_c"],
                sw.alpha2d,
                dc,
                sw.settings["symmetry"],
            )
            out["eps_th_eq28"] = a28
            out["ln_sigma_eq29"] = xr.apply_ufunc(theory.ln_sigma_eq18, a28, sw.eps_F, t)
        if model.dim == 1 and model.d == 0:
            limit = cold["cold_sign"] * np.exp(cold["ln_cold_abs"]) / (np.pi**2 * model.w)
        else:
            limit = xr.full_like(cold["L"], np.inf).where(cold["t"] > 0)
        out["eta_hc_limit"] = limit
        for k in ("eq14", "eq15", "comp_born"):
            out[f"ratio_{k}"] = eps_th / out[f"eps_th_{k}"]
        out["ratio_eq28"] = (eps_th - sw.eps_F) / (out["eps_th_eq28"] - sw.eps_F)
    return xr.Dataset(out)


def bounded_one(model: ModelInputs, xi_max: float, sw: Sweep) -> dict[str, np.ndarray]:
    """Bounded-xi comparison (Fig. 2) for one replica and one cap: window(T), T_c, eps_cap.

    Returns numpy values (arrays over T, scalars); :func:`bounded` stacks them.
    """
    mc = model.capped(xi_max)
    energy, xtol, eps_F, eta_c = sw.energy, sw.xtol, sw.eps_F, sw.eta_c
    ecap = cap_energy(mc, energy, xtol)
    grid = np.unique(np.append(energy, ecap)) if np.isfinite(ecap) else energy
    lh = mc.ln_hot(grid)
    cin = mc.cold_inputs(eps_F)
    coupling = sw.coupling(model.dim)
    cold = cold_factor(sw.temps, model.dim, cin.ln_xi_c, cin.ln_rho_c, coupling, mc.nt)
    win = [find_window(mc, grid, lh, float(lc), eta_c, xtol) for lc in cold["ln_cold"]]
    lo, hi = (np.array([w[k] for w in win], dtype=float) for k in (0, 1))
    status = np.array([w[2] for w in win], dtype=np.int8)
    found = np.isin(status, [WINDOW_STATUS.index(k) for k in ("closed", "open")])
    with np.errstate(invalid="ignore"):
        ls_b = np.where(found, theory.ln_sigma_eq18(lo, eps_F, sw.temps), np.nan)
    ls_b = np.where(status == WINDOW_STATUS.index("none"), -np.inf, ls_b)
    st = sw.settings
    tc, tc_status = critical_temperature(
        mc,
        cin,
        float(np.max(lh)),
        eta_c,
        coupling,
        float(st["tc_log_span"]),
        int(st["tc_scan_num"]),
        xtol,
    )
    return {
        "eps_cap": np.float64(ecap),
        "eps_lo": lo,
        "eps_hi": hi,
        "window_status": status,
        "ln_sigma_bounded": ls_b,
        "T_c": np.float64(tc),
        "T_c_status": np.int8(tc_status),
    }


def bounded(models: list[ModelInputs], sw: Sweep) -> xr.Dataset:
    """:func:`bounded_one` over (replica, xi_max), as a Dataset over (replica, xi_max[, T])."""
    rows = [[bounded_one(mdl, float(x), sw) for x in sw.xi_max] for mdl in models]
    out = {}
    for k, v in rows[0][0].items():
        arr = np.array([[c[k] for c in r] for r in rows], dtype=v.dtype)
        out[k] = (("replica", "xi_max", *(("T",) if arr.ndim == 3 else ())), arr)
    return xr.Dataset(out)


def regime_flags(L: xr.DataArray, t: xr.DataArray, kf_xi_c: Any, strong_kfxi: float) -> Any:
    """Bits of :data:`REGIME_FLAGS`: 1 ln(Delta_c/T) < 1, 2 T <= 0, 4 k_F xi_c < strong_kfxi."""
    bad_t = t <= 0
    reg = xr.where(bad_t, 2, 0) | xr.where(~bad_t & ~(L >= 1), 1, 0)
    reg = reg | xr.where(kf_xi_c < strong_kfxi, 4, 0)
    return reg.astype(np.int8)


def _born_eta(model: ModelInputs, sw: Sweep) -> xr.DataArray:
    """eta_hc with Born xi, clean rho and closed-form n_T (hot and cold), over (T, energy)."""
    born = [model.born()]
    hot, cold = hot_inputs(born, sw), cold_inputs(born, sw)
    with np.errstate(over="ignore", invalid="ignore"):
        eta = cold["cold_sign"] * np.exp(cold["ln_cold_abs"] + hot["ln_hot"])
    return eta.isel(replica=0, drop=True)


def model_dataset(models: list[ModelInputs], sw: Sweep) -> xr.Dataset:
    """Every hot-cold variable of one (dim, family, d), over (replica, xi_max, T, energy).

    ``models[0]`` is the full-sample model, the others its resampled replicas
    (same dim, family, d).  Variables that do not depend on the measured
    inputs (the Born variant, tau_c, eps0) carry no replica dimension.
    """
    model, dim = models[0], models[0].dim
    hot, cold = hot_inputs(models, sw), cold_inputs(models, sw)
    vf = v_factor(models, sw)
    comp = compose(hot, cold, dim, bool(sw.settings["intermediates"]), vf and vf[0])
    thr = thresholds(models, hot, cold, sw)
    out = {**comp, **thr, **asymptotes(model, cold, thr["eps_th"], sw)}
    if sw.settings["v_hc"] == "numerical":
        out["v_hc_source"] = vf[1] if vf else xr.zeros_like(comp["eta_hc"], np.int8)
    out |= {k: hot[k] for k in ("xi_h", "ln_xi_h", "rho_h", "xi_source")}
    out["alpha"] = hot["rho_h"] * sw.u if dim == 1 else xr.full_like(hot["rho_h"], sw.alpha2d)
    for k in ("xi_c", "rho_c", "Delta_c", "kF_xi_c", "xi_c_source", "l_M", "n_T", "n_T_source"):
        out[k] = cold[k]
    strong = float(sw.settings["strong_disorder_kfxi"])
    out["regime"] = regime_flags(cold["L"], cold["t"], cold["kF_xi_c"], strong)
    out |= {k: xr.DataArray(v) for k, v in model_constants(model, sw).items()}
    out["eta_hc_born"] = _born_eta(model, sw)
    if len(sw.xi_max):
        out |= bounded(models, sw)
        out["T_c_regime"] = tc_regime(out, strong)
    return xr.Dataset(out)


def tc_regime(ds: Mapping[str, xr.DataArray], strong_kfxi: float) -> xr.DataArray:
    """Bits of :data:`TC_REGIME_FLAGS` for T_c: 1 ln(Delta_c/T_c) < 1, 2 no T_c, 4 strong."""
    tc = ds["T_c"].where(ds["T_c_status"] == TC_STATUS.index("found"))  # bounds: no value
    with np.errstate(divide="ignore", invalid="ignore"):
        L = np.log(ds["Delta_c"] / tc)
    reg = xr.where(np.isfinite(tc), xr.where(~(L >= 1), 1, 0), 2)
    return (reg | xr.where(ds["kF_xi_c"] < strong_kfxi, 4, 0)).astype(np.int8)


_STATUS_NAMES = {
    "eps_th_status": THRESHOLD_STATUS,
    "window_status": WINDOW_STATUS,
    "T_c_status": TC_STATUS,
    "eps_th_bethe_status": THRESHOLD_STATUS,
    "eps_th_eta_c_status": THRESHOLD_STATUS,
}


def reduce_replicas(ds: xr.Dataset, groups: np.ndarray) -> xr.Dataset:
    """Full-sample values (replica 0) and the jackknife ``*_stderr`` of :data:`STDERR`.

    A standard error is NaN where the quantity is not an estimate (its status)
    in the full sample or in any replica.
    """
    out = ds.isel(replica=0, drop=True)
    for name, how in STDERR.items():
        if name not in ds:
            continue
        err = jackknife_stderr(ds[name], groups)
        if how is not None:
            status, ok = how
            codes = [_STATUS_NAMES[status].index(k) for k in ok]
            err = err.where(ds[status].isin(codes).all("replica"))
        out[f"{name}_stderr"] = err
    if "T_c" in out:  # a T_c below the search range is a bound, not a value
        below = out["T_c_status"] == TC_STATUS.index("below_search")
        out["T_c_upper_bound"] = out["T_c"].where(below)
        out["T_c"] = out["T_c"].where(~below)
    return out


def _warnings(ds: xr.Dataset, sw: Sweep, missing: list[str]) -> list[str]:
    """Regime and input warnings of the combined dataset (also in attrs['warnings'])."""
    out = []
    bad_t = sw.temps <= 0
    if bad_t.any():
        out.append(
            f"{int(bad_t.sum())} temperature(s) <= 0: flagged nonpositive_T, results NaN there"
        )
    strong_kfxi = sw.settings["strong_disorder_kfxi"]
    for dim in sw.dims:
        on = ds["T_on_grid"].sel(dim=dim) & ds["is_model"]
        high = int((((ds["regime"].sel(dim=dim) & 1) > 0) & on).sum())
        if high:
            out.append(
                f"dim={dim}: {high} (model, T) points with "
                "ln(Delta_c/T) < 1 (T >= Delta_c/e): outside T << Delta_c, flagged high_T"
            )
        strong = int(((ds["kF_xi_c"].sel(dim=dim) < strong_kfxi) & ds["is_model"]).sum())
        if strong:
            out.append(
                f"dim={dim}: {strong} model(s) with k_F xi_c < {strong_kfxi:g}: strong disorder"
            )
    if missing:
        out.append(
            f"the localization dataset (1D) or localization2d dataset (2D) lacks "
            f"{', '.join(missing)}: Born xi and clean rho (2D: Eq. 20/30, m/2pi) used there"
        )
    return out


def _finish(ds: xr.Dataset, sw: Sweep) -> xr.Dataset:
    """Dimension order, global scalars and the metadata table."""
    ds = ds.transpose(*[d for d in (*("xi_max",), *D5) if d in ds.dims])
    for name, var in HOTCOLD_VARIABLES.items():
        if name in ds and ds[name].dims != var.dims and set(ds[name].dims) == set(var.dims):
            ds[name] = ds[name].transpose(*var.dims)
    coords = {
        "dim": np.asarray(sw.dims, dtype=np.int32),
        "family": np.asarray(sw.families, dtype=object),
        "d": np.asarray(sw.d),
        "energy": sw.energy,
    }
    if "xi_max" in ds.dims:
        coords["xi_max"] = sw.xi_max
    ds = ds.assign_coords(coords)
    ds["eta_c"] = ((), sw.eta_c)
    # the model's parameters travel with the data (the figures read them from here)
    for name, value in (("eps_F", sw.eps_F), ("m", sw.m), ("w", sw.w1), ("w2", sw.w2)):
        ds[name] = ((), value)
    ds["composition_factor"] = (
        ("dim",),
        np.array([theory.COMPOSITION_FACTOR[x] for x in sw.dims]),
    )
    apply_table(ds, HOTCOLD_VARIABLES)
    mark_models(ds)
    ds["regime"].attrs["strong_disorder_kfxi"] = float(sw.settings["strong_disorder_kfxi"])
    return ds


def _one_model(
    key: tuple[int, str, float],
    config: Mapping,
    inputs: Mapping[str, xr.Dataset | None],
    sw: Sweep,
) -> tuple[xr.Dataset, str | None, str | None]:
    """One (dim, family, d): its replicas, composition and reduction, with length-1 dims.

    Also returns the model's label if the localization dataset lacks it (1D,
    Born xi used) and if its n_T is numerical (else None each).
    """
    dim, fam, d = key
    symmetry = sw.settings["symmetry"]
    stage = stage_inputs(dim, fam, d, config, inputs, sw.temps, sw.v_hc, symmetry)
    if dim == 2 and sw.t_2d is not None:  # the model's own grid, from its Delta_c
        cin = stage.replicas[0].cold_inputs(sw.eps_F)
        sw = dataclasses.replace(
            sw, temps=sw.model_temperatures(dim, -cin.ln_rho_c - dim * cin.ln_xi_c)
        )
        stage = stage_inputs(dim, fam, d, config, inputs, sw.temps, sw.v_hc, symmetry)
    label = f"{fam}/d={d:g}" if dim == 1 else f"2D {fam}/d={d:g}"
    one = reduce_replicas(model_dataset(stage.replicas, sw), stage.groups)
    one = one.assign_coords(T=sw.temps)
    one["T_on_grid"] = xr.DataArray(np.ones(sw.temps.size, dtype=bool), dims="T")
    return (
        one.expand_dims(("dim", "family", "d")),
        label if stage.missing else None,
        label if stage.replicas[0].nt is not None else None,
    )


def _all_models(
    config: Mapping, inputs: Mapping[str, xr.Dataset | None], sw: Sweep, workers: int
) -> tuple[xr.Dataset, list[str], list[str]]:
    """:func:`_one_model` over (dim, family, d) on ``workers`` processes, combined.

    Also returns the labels of the models the localization dataset lacks and
    of those with a numerical n_T.  The models are independent: same bits for
    any ``workers``.
    """
    keys = [(dim, fam, d) for dim in sw.dims for fam, d in families.model_keys(sw.families, sw.d)]
    one = functools.partial(_one_model, config=config, inputs=inputs, sw=sw)
    out = list(map_in_order(one, [keys], workers))
    # every model on the union of the models' temperatures (off its grid: missing, T_on_grid 0)
    temps = np.unique(np.concatenate([o[0]["T"].values for o in out]))
    by_key = {key: reindex_missing(o[0], T=temps) for key, o in zip(keys, out, strict=True)}
    blank = missing_like(by_key[keys[0]])  # the cells that are not a model (datasets.mark_models)
    rows = [
        [[by_key.get((dim, fam, d), blank) for d in sw.d] for fam in sw.families] for dim in sw.dims
    ]
    ds = xr.combine_nested(rows, concat_dim=["dim", "family", "d"], combine_attrs="drop")
    missing = [m for _, m, _ in out if m is not None]
    nt_used = [n for _, _, n in out if n is not None]
    return ds, missing, nt_used


def hotcold_dataset(
    config: Mapping,
    localization: xr.Dataset | None = None,
    spectral: xr.Dataset | None = None,
    settings: Mapping | None = None,
    log: Callable[[str], Any] = print,
    matrix_elements: xr.Dataset | None = None,
    workers: int = 1,
    **engine_datasets: xr.Dataset | None,
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
        and for models it lacks.  d = 0 is read from family 'white' or, in
        a dataset of the old layout, from the d = 0 row of any family.
    spectral : xarray.Dataset, optional
        Merged ``results/spectral.nc``: n_T(T) at the configured
        temperatures (other T grids are interpolated log-log inside their
        range; a temperature outside is an error, never filled by Eq. 6),
        ``n_T_source`` (numerical | extrapolated) and ``n_T_jackknife``.
        Without it, 1D uses Eq. (6) at every T.
    matrix_elements : xarray.Dataset, optional
        Merged ``results/matrix_elements.nc`` (V_hc_numerical, its stderr and
        V_hc_eq11 over (family, d, T, energy)); required with the setting
        ``v_hc: numerical`` (1D), ignored otherwise.
    settings : mapping, optional
        Keys of :data:`DEFAULT_SETTINGS`.
    log : callable
        Receives one string per warning (regime flags, missing models).
    workers : int
        Processes the models are spread over (:func:`hotcold.jobs.map_in_order`);
        the result does not depend on it.
    **engine_datasets : xarray.Dataset, optional
        Merged datasets of further engines, by stage name; the adapters of
        :data:`hotcold.replicas.ENGINES` read them (a new engine adds its
        dataset here and its adapter there, nothing in this module).

    Returns
    -------
    xarray.Dataset
        Variables and attributes as in :data:`HOTCOLD_VARIABLES`.  The
        warnings are also in ``attrs['warnings']``.

    Raises
    ------
    ValueError
        ``eta_c <= 0``, unknown settings, bad symmetry or dimension; inputs
        without their jackknife replicas (``xi_jackknife``, ``dos_jackknife``,
        ``n_T_jackknife``) or an n_T that does not cover the temperatures.
    """
    sw = sweep_from_config(config, settings)
    inputs = {
        "localization": localization,
        "spectral": spectral,
        "matrix_elements": matrix_elements,
        **engine_datasets,
    }
    ds, missing, nt_used = _all_models(config, inputs, sw, workers)
    if not sw.settings["intermediates"]:
        ds = ds.drop_vars([k for k in _INTERMEDIATES if k in ds])
    ds = _finish(ds, sw)
    warnings = _warnings(ds, sw, missing)
    for msg in warnings:
        log(f"hotcold warning: {msg}")
    ds.attrs.update(
        warnings="\n".join(warnings),
        hotcold_settings=repr(dict(sw.settings)),
        disorder_2d="2D correlator: radially symmetric, 2D power spectrum = same function of |q| "
        "as in 1D with w -> w2 (w2 exp(-|q|d), w2/(1+q^2 d^2), w2 exp(-q^2 d^2))",
        measured_inputs="1D: "
        + ("none (Born xi, clean rho)" if localization is None else "localization dataset")
        + "; 2D: "
        + (
            "strip xi_2D and rho = dn/dE at density labels (localization2d dataset)"
            if engine_datasets.get("localization2d") is not None
            else "none (Eqs. 20/30, m/2pi)"
        ),
        numerical_n_T=", ".join(nt_used) or "none (Eq. 6)",
        errors="jackknife replicas of the measured inputs (see the *_stderr variables)",
        eta_c=sw.eta_c,
    )
    return ds
