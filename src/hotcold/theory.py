"""Closed-form results of the paper and of exact/asymptotic single-particle theory.

Units: hbar = k_B = 1; energies and lengths in the units of the configuration
(the particle mass ``m`` is explicit).  Equation numbers refer to
I. V. Gornyi, A. D. Mirlin, M. Mueller, D. G. Polyakov, "Absence of many-body
localization in a continuum" (``../shared/paper``).  Everything here is a pure
function of its arguments and broadcasts over numpy arrays.

Sections
--------
1. Disorder models: correlators C(x) and power spectra S_U(q) (SPEC 1.1).
2. One-dimensional single-particle localization: Eq. (2), the Born
   (weak-disorder) Lyapunov exponent, the exact white-noise result
   (Frisch-Lloyd / Halperin) and the clean density of states.
3. Cold-electron bath: Eqs. (5), (6), (7).
4. Hot-cold delocalization (Eqs. 8-30): appended below.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from scipy import integrate

__all__ = [
    "FAMILIES",
    "correlator",
    "power_spectrum",
    "wavevector",
    "clean_idos",
    "clean_dos",
    "xi_white_eq2",
    "lyapunov_born",
    "xi_born",
    "white_noise_exact",
    "mean_level_spacing",
    "mott_length_eq7",
    "spectral_function_eq5",
    "thermal_density_eq6",
]

#: Disorder families of SPEC 1.1.  ``white`` is the d = 0 limit of every family.
FAMILIES = ("white", "lorentzian", "exponential", "gaussian")


def _check_family(family: str) -> None:
    if family not in FAMILIES:
        raise ValueError(f"unknown disorder family {family!r}; expected one of {FAMILIES}")


# ---------------------------------------------------------------------------
# 1. Disorder models (SPEC 1.1)
# ---------------------------------------------------------------------------


def correlator(x: ArrayLike, family: str, w: float, d: float) -> np.ndarray:
    """Disorder correlator C(x) = <U(x) U(0)> of a 1D family (SPEC 1.1 table).

    Normalised so that ``integral C dx = w``.  For ``d == 0`` (or family
    ``white``) the correlator is ``w delta(x)``, which has no pointwise value:
    a ValueError is raised.

    Parameters
    ----------
    x : array_like
        Separation [length].
    family : {'lorentzian', 'exponential', 'gaussian'}
    w : float
        Disorder strength, integral of C [energy^2 length].
    d : float
        Correlation radius [length], > 0.
    """
    _check_family(family)
    if family == "white" or d == 0:
        raise ValueError("white noise has C(x) = w delta(x): no pointwise correlator")
    x = np.asarray(x, dtype=float)
    if family == "lorentzian":
        return w * d / (np.pi * (x**2 + d**2))
    if family == "exponential":
        return w / (2 * d) * np.exp(-np.abs(x) / d)
    return w * np.exp(-(x**2) / (4 * d**2)) / (2 * d * np.sqrt(np.pi))


def power_spectrum(q: ArrayLike, family: str, w: float, d: float) -> np.ndarray:
    """Power spectrum S_U(q) = integral dx C(x) exp(-i q x) (SPEC 1.1 table).

    ``S_U(0) = w`` for every family; ``d == 0`` gives white noise, S_U = w.

    Parameters
    ----------
    q : array_like
        Wavevector [1/length].
    family : str
        One of :data:`FAMILIES`.
    w : float
        Disorder strength [energy^2 length].
    d : float
        Correlation radius [length], >= 0.

    Returns
    -------
    ndarray
        S_U(q) [energy^2 length].
    """
    _check_family(family)
    q = np.asarray(q, dtype=float)
    if family == "white" or d == 0:
        return np.full_like(q, float(w))
    if family == "lorentzian":
        return w * np.exp(-np.abs(q) * d)
    if family == "exponential":
        return w / (1.0 + (q * d) ** 2)
    return w * np.exp(-((q * d) ** 2))


# ---------------------------------------------------------------------------
# 2. One-dimensional localization (SPEC 1.2)
# ---------------------------------------------------------------------------


def wavevector(energy: ArrayLike, m: float) -> np.ndarray:
    """Clean wavevector k = sqrt(2 m eps) [1/length]; NaN-free: 0 for eps <= 0."""
    e = np.asarray(energy, dtype=float)
    return np.sqrt(2.0 * m * np.clip(e, 0.0, None))


def clean_idos(energy: ArrayLike, m: float) -> np.ndarray:
    """Integrated density of states per length of the clean 1D system, k/pi.

    Spinless: N(eps) = sqrt(2 m eps)/pi for eps > 0 and 0 below [1/length].
    """
    return wavevector(energy, m) / np.pi


def clean_dos(energy: ArrayLike, m: float) -> np.ndarray:
    """Clean 1D density of states per length and energy, rho = 1/(pi v) = m/(pi k).

    Paper, text below Eq. (2) (spinless).  Infinite at eps <= 0 is avoided:
    the band bottom returns ``inf`` only at exactly 0, negative energies 0.
    """
    e = np.asarray(energy, dtype=float)
    k = wavevector(e, m)
    with np.errstate(divide="ignore"):
        out = np.where(e > 0, m / (np.pi * np.where(k > 0, k, 1.0)), 0.0)
    return np.where(e == 0, np.inf, out)


def xi_white_eq2(energy: ArrayLike, m: float, w: float) -> np.ndarray:
    """Eq. (2): xi(eps) = 2 eps / (m w), white-noise localization length [length].

    xi is the backscattering mean free path, xi = 1/(2 gamma).
    """
    return 2.0 * np.asarray(energy, dtype=float) / (m * w)


def lyapunov_born(energy: ArrayLike, family: str, m: float, w: float, d: float) -> np.ndarray:
    """Weak-disorder (Born) Lyapunov exponent gamma = m^2 S_U(2k) / (2 k^2) [1/length].

    SPEC 1.2; for white noise it reproduces Eq. (2) through xi = 1/(2 gamma).
    Defined for eps > 0; returns +inf at eps <= 0 (no propagating states).
    """
    e = np.asarray(energy, dtype=float)
    k = wavevector(e, m)
    ks = np.where(k > 0, k, 1.0)
    g = m**2 * power_spectrum(2 * ks, family, w, d) / (2 * ks**2)
    return np.where(k > 0, g, np.inf)


def xi_born(energy: ArrayLike, family: str, m: float, w: float, d: float) -> np.ndarray:
    """Born localization length xi = 1 / (2 gamma_Born) [length] (SPEC 1.2, Eq. 2)."""
    return 1.0 / (2.0 * lyapunov_born(energy, family, m, w, d))


def _fl_integrals(e: float) -> tuple[float, float, float]:
    """Scaled Frisch-Lloyd integrals J_a(e) = int_0^inf s^a exp(-2 e s - s^3/6) ds.

    Returns (J_{-1/2}, J_{1/2}, log_scale) with both J divided by exp(log_scale)
    (the maximum of the exponent) so that they never overflow.
    """
    # substitution s = u^2 removes the s^{-1/2} singularity
    if e < 0:
        s0 = 2.0 * np.sqrt(-e)
        gmax = -2.0 * e * s0 - s0**3 / 6.0
    else:
        s0, gmax = 0.0, 0.0
    u0 = np.sqrt(s0)
    # upper cut where the exponent has fallen 60 below its maximum
    u_hi = max(u0 * 1.5 + 1.0, (6.0 * (60.0 + max(gmax, 0.0))) ** (1 / 6) + u0)

    def f(u: float, p: int) -> float:
        s = u * u
        return 2.0 * u**p * np.exp(-2.0 * e * s - s**3 / 6.0 - gmax)

    pts = [u0] if u0 > 0 else None
    j_m = integrate.quad(f, 0.0, u_hi, args=(0,), points=pts, limit=400, epsabs=0, epsrel=1e-12)[0]
    j_p = integrate.quad(f, 0.0, u_hi, args=(2,), points=pts, limit=400, epsabs=0, epsrel=1e-12)[0]
    return j_m, j_p, gmax


def white_noise_exact(energy: ArrayLike, m: float, w: float) -> tuple[np.ndarray, np.ndarray]:
    """Exact Lyapunov exponent and IDOS of the 1D white-noise Gaussian potential.

    For -(1/2m) psi'' + U psi = eps psi with <U(x)U(x')> = w delta(x - x'),
    the stationary Fokker-Planck solution for the Riccati variable
    z = psi'/psi (Frisch & Lloyd 1960; Halperin, Phys. Rev. 139, A104 (1965))
    gives, with E = 2 m eps, sigma = 4 m^2 w, e = E sigma^(-2/3) and
    J_a(e) = int_0^inf s^a exp(-2 e s - s^3/6) ds:

        gamma = sigma^(1/3) J_{1/2}(e) / (2 J_{-1/2}(e)),
        N     = sigma^(1/3) / (sqrt(2 pi) J_{-1/2}(e)).

    Valid at every energy, above and deep below the band bottom; it tends to
    the Born result gamma = m^2 w / (2 k^2) (Eq. 2) and to N = k/pi at high
    energy.  This is an independent exact check of the transfer-matrix engine.

    Returns
    -------
    gamma : ndarray
        Lyapunov exponent [1/length].
    idos : ndarray
        Integrated density of states per length [1/length].
    """
    e_arr = np.atleast_1d(np.asarray(energy, dtype=float))
    sigma = 4.0 * m**2 * w
    s13 = sigma ** (1.0 / 3.0)
    gam = np.empty_like(e_arr)
    idos = np.empty_like(e_arr)
    for i, eps in enumerate(e_arr.flat):
        e = 2.0 * m * eps / sigma ** (2.0 / 3.0)
        j_m, j_p, gmax = _fl_integrals(e)
        gam.flat[i] = s13 * j_p / (2.0 * j_m)
        idos.flat[i] = s13 / (np.sqrt(2 * np.pi) * j_m) * np.exp(-gmax)
    shape = np.shape(energy)
    return gam.reshape(shape), idos.reshape(shape)


# ---------------------------------------------------------------------------
# 3. The cold-electron bath (Eqs. 5-7)
# ---------------------------------------------------------------------------


def mean_level_spacing(rho: ArrayLike, xi: ArrayLike, dim: int = 1) -> np.ndarray:
    """Mean level spacing in the localization volume, Delta = 1/(rho xi^D) (Sec. II)."""
    return 1.0 / (np.asarray(rho, dtype=float) * np.asarray(xi, dtype=float) ** dim)


def mott_length_eq7(xi_c: ArrayLike, delta_c: ArrayLike, omega: ArrayLike) -> np.ndarray:
    """Mott length l_M = 2 xi_c ln(Delta_c/|omega|), Eq. (7) (below Eq. 5 for omega) [length]."""
    return 2.0 * np.asarray(xi_c) * np.log(np.asarray(delta_c) / np.abs(np.asarray(omega)))


def spectral_function_eq5(x: ArrayLike, omega: ArrayLike, xi_c: float, rho_c: float) -> np.ndarray:
    """Eq. (5): Gor'kov-Dorokhov-Prigara asymptote of S_omega(x) near its Mott peak.

    S_omega(x) ~ -(1/2) rho_c^2 (xi_c/(pi l_M))^(1/2) exp(-(|x| - l_M)^2/(4 xi_c l_M)),
    l_M = 2 xi_c ln(Delta_c/|omega|), Delta_c = 1/(rho_c xi_c); valid for
    |omega| << Delta_c and |x| >> xi_c.  Units: [1/(energy^2 length^2)].
    """
    delta_c = 1.0 / (rho_c * xi_c)
    l_m = mott_length_eq7(xi_c, delta_c, omega)
    x = np.asarray(x, dtype=float)
    return (
        -0.5
        * rho_c**2
        * np.sqrt(xi_c / (np.pi * l_m))
        * np.exp(-((np.abs(x) - l_m) ** 2) / (4.0 * xi_c * l_m))
    )


def thermal_density_eq6(temperature: ArrayLike, xi_c: float, rho_c: float) -> np.ndarray:
    """Eq. (6): n_T = (2 pi^2/3) (1/xi_c) (T/Delta_c)^2, Delta_c = 1/(rho_c xi_c) [1/length]."""
    delta_c = 1.0 / (rho_c * xi_c)
    t = np.asarray(temperature, dtype=float)
    return (2.0 * np.pi**2 / 3.0) / xi_c * (t / delta_c) ** 2
