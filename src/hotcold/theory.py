"""Closed-form results of the paper and of exact/asymptotic single-particle theory.

Units: hbar = k_B = 1; energies and lengths in the units of the configuration
(the particle mass ``m`` is explicit).  Equation numbers refer to
I. V. Gornyi, A. D. Mirlin, M. Mueller, D. G. Polyakov, "Absence of many-body
localization in a continuum" (docs/physics.md).  Everything here is a pure
function of its arguments and broadcasts over numpy arrays.

Sections
--------
1. Disorder models: correlators C(x) and power spectra S_U(q) (docs/physics.md §1.1).
2. One-dimensional single-particle localization: Eq. (2), the Born
   (weak-disorder) Lyapunov exponent, the exact white-noise result
   (Frisch-Lloyd / Halperin) and the clean density of states.
3. Cold-electron bath: Eqs. (5), (6), (7).
4. Hot-cold delocalization (Eqs. 8-30): appended below.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from . import families

__all__ = [
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


# ---------------------------------------------------------------------------
# 1. Disorder models (docs/physics.md §1.1)
# ---------------------------------------------------------------------------


def correlator(x: ArrayLike, family: str, w: float, d: float) -> np.ndarray:
    """Disorder correlator C(x) = <U(x) U(0)> of a 1D family (docs/physics.md §1.1 table).

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
    fam = families.get(family, d)
    return fam.correlator(np.asarray(x, dtype=float), w, d)


def power_spectrum(q: ArrayLike, family: str, w: float, d: float) -> np.ndarray:
    """Power spectrum S_U(q) = integral dx C(x) exp(-i q x) (docs/physics.md §1.1 table).

    ``S_U(0) = w`` for every family; ``d == 0`` gives white noise, S_U = w.

    Parameters
    ----------
    q : array_like
        Wavevector [1/length].
    family : str
        A name in :data:`hotcold.families.FAMILIES`.
    w : float
        Disorder strength [energy^2 length].
    d : float
        Correlation radius [length], >= 0.

    Returns
    -------
    ndarray
        S_U(q) [energy^2 length].
    """
    fam = families.get(family, d)
    return fam.power_spectrum(np.asarray(q, dtype=float), w, d)


# ---------------------------------------------------------------------------
# 2. One-dimensional localization (docs/physics.md §1.2)
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

    docs/physics.md §1.2; for white noise it reproduces Eq. (2) through xi = 1/(2 gamma).
    Defined for eps > 0; returns +inf at eps <= 0 (no propagating states).
    """
    e = np.asarray(energy, dtype=float)
    k = wavevector(e, m)
    ks = np.where(k > 0, k, 1.0)
    g = m**2 * power_spectrum(2 * ks, family, w, d) / (2 * ks**2)
    return np.where(k > 0, g, np.inf)


def xi_born(energy: ArrayLike, family: str, m: float, w: float, d: float) -> np.ndarray:
    """Born localization length xi = 1 / (2 gamma_Born) [length] (docs/physics.md §1.2, Eq. 2)."""
    return 1.0 / (2.0 * lyapunov_born(energy, family, m, w, d))


def _fl_integrals(e: float) -> tuple[float, float, float]:
    """Scaled Frisch-Lloyd integrals J_a(e) = int_0^inf s^a exp(-2 e s - s^3/6) ds.

    Returns (J_{-1/2}, J_{1/2}, log_scale) with both J divided by exp(log_scale)
    (the maximum of the exponent) so that they never overflow.
    """
    from scipy import integrate  # here, so that importing theory stays light (DAG build)

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


def mott_length_eq7(xi_c: ArrayLike, Delta_c: ArrayLike, omega: ArrayLike) -> np.ndarray:
    """Mott length l_M = 2 xi_c ln(Delta_c/|omega|), Eq. (7) (below Eq. 5 for omega) [length]."""
    return 2.0 * np.asarray(xi_c) * np.log(np.asarray(Delta_c) / np.abs(np.asarray(omega)))


def spectral_function_eq5(x: ArrayLike, omega: ArrayLike, xi_c: float, rho_c: float) -> np.ndarray:
    """Eq. (5): Gor'kov-Dorokhov-Prigara asymptote of S_omega(x) near its Mott peak.

    S_omega(x) ~ -(1/2) rho_c^2 (xi_c/(pi l_M))^(1/2) exp(-(|x| - l_M)^2/(4 xi_c l_M)),
    l_M = 2 xi_c ln(Delta_c/|omega|), Delta_c = 1/(rho_c xi_c); valid for
    |omega| << Delta_c and |x| >> xi_c.  Units: [1/(energy^2 length^2)].
    """
    Delta_c = 1.0 / (rho_c * xi_c)
    l_m = mott_length_eq7(xi_c, Delta_c, omega)
    x = np.asarray(x, dtype=float)
    return (
        -0.5
        * rho_c**2
        * np.sqrt(xi_c / (np.pi * l_m))
        * np.exp(-((np.abs(x) - l_m) ** 2) / (4.0 * xi_c * l_m))
    )


#: The prefactor 2 pi^2/3 of Eq. (6).
EQ6_PREFACTOR = 2.0 * np.pi**2 / 3.0


def thermal_density_eq6(temperature: ArrayLike, xi_c: float, rho_c: float) -> np.ndarray:
    """Eq. (6): n_T = (2 pi^2/3) (1/xi_c) (T/Delta_c)^2, Delta_c = 1/(rho_c xi_c) [1/length]."""
    Delta_c = 1.0 / (rho_c * xi_c)
    t = np.asarray(temperature, dtype=float)
    return EQ6_PREFACTOR / xi_c * (t / Delta_c) ** 2


def thermal_density_eq6_coefficient(xi_c: float, rho_c: float) -> float:
    """Eq. (6) written as n_T = c T^2: c = (2 pi^2/3) rho_c^2 xi_c [1/(energy^2 length)].

    Equal to ``thermal_density_eq6(T, xi_c, rho_c) / T**2`` up to rounding (1 ulp).
    """
    return EQ6_PREFACTOR * rho_c**2 * xi_c


def ln_mott_length_eq7(ln_xi_c: ArrayLike, ln_ratio: ArrayLike) -> np.ndarray:
    """ln l_M of Eq. (7) from ln xi_c and ln(Delta_c/T): ln 2 + ln xi_c + ln|ln(Delta_c/T)|."""
    return np.log(2.0) + ln_xi_c + np.log(np.abs(ln_ratio))


# ---------------------------------------------------------------------------
# 4. Hot-cold delocalization (Eqs. 8-30; docs/physics.md §1.4)
# ---------------------------------------------------------------------------

#: Composition (Eqs. 6-12 in 1D, 22-25 in 2D) over the closed forms Eq. (13) / (26).
COMPOSITION_FACTOR = {1: 4.0 * np.pi**2 / 3.0, 2: 4.0}

_TWO_D_NODES = None


def _two_d_nodes() -> tuple[np.ndarray, np.ndarray]:
    """Composite Gauss-Legendre nodes on phi in [0, pi/2], panels [b/2, b] with b = (pi/2) 2^-j.

    Geometric panels resolve the boundary layer phi ~ 1/(k d) of smooth
    disorder at any k d up to ~1e11 with 20 nodes per panel (cached).
    """
    global _TWO_D_NODES
    if _TWO_D_NODES is None:
        x, wq = np.polynomial.legendre.leggauss(20)
        edges = (np.pi / 2) * 2.0 ** -np.arange(0, 41, dtype=float)
        lo = np.append(edges[1:], 0.0)
        hi = edges
        half = 0.5 * (hi - lo)[:, None]
        mid = 0.5 * (hi + lo)[:, None]
        _TWO_D_NODES = ((mid + half * x).ravel(), (half * wq).ravel())
    return _TWO_D_NODES


def transport_rate_2d(
    energy: ArrayLike, family: str, m: float, w2: float, d: float, method: str = "auto"
) -> np.ndarray:
    """Weak-disorder 2D transport rate 1/tau = m < S_U(2k sin(theta/2)) (1 - cos theta) >_theta.

    docs/physics.md §1.2 / paper Sec. IV; Eq. (21) for white noise (1/tau = m w2).  The
    2D disorder of each family is the radially symmetric correlator whose
    2D power spectrum is the same function of |q| as the 1D one, with
    w -> w2 (w2 exp(-|q| d), w2/(1 + q^2 d^2), w2 exp(-q^2 d^2)); its
    integral over the plane is w2.  With s = sin(theta/2):
    1/tau = (4 m/pi) int_0^{pi/2} S_U(2 k sin phi) sin^2 phi dphi.

    Closed forms: exponential 1/tau = (2 m w2/a)(1 - 1/sqrt(1 + a)), a = 4 k^2 d^2;
    gaussian 1/tau = m w2 [I0e(b) - I1e(b)], b = 2 k^2 d^2.  Lorentzian (and
    ``method='quadrature'``): composite Gauss-Legendre quadrature.

    Parameters
    ----------
    energy : array_like
        Energy eps [energy], > 0.
    family : str
        A name in :data:`hotcold.families.FAMILIES`; d == 0 is white noise.
    m, w2, d : float
        Mass, 2D disorder strength [energy^2 length^2], correlation radius [length].
    method : {'auto', 'quadrature'}

    Returns
    -------
    ndarray
        1/tau [energy].
    """
    fam = families.get(family, d)
    e = np.asarray(energy, dtype=float)
    k = wavevector(e, m)
    if method == "auto" or fam is families.WHITE:  # white: Eq. (21) is exact
        closed = fam.transport_rate_2d(k, m, w2, d)
        if closed is not None:
            return closed
    phi, wq = _two_d_nodes()
    sin = np.sin(phi)
    q = 2.0 * k[..., None] * sin
    vals = power_spectrum(q, family, w2, d) * sin**2
    return (4.0 * m / np.pi) * np.sum(vals * wq, axis=-1)


def ln_mean_free_path_2d(
    energy: ArrayLike, family: str, m: float, w2: float, d: float
) -> np.ndarray:
    """ln l, l = v tau the 2D mean free path, the prefactor of Eqs. (20) and (30): v = k/m,
    tau from :func:`transport_rate_2d` (Eq. 21 for white noise).  [ln length]"""
    e = np.asarray(energy, dtype=float)
    return np.log(wavevector(e, m) / m) - np.log(transport_rate_2d(e, family, m, w2, d))


def ln_xi_2d(
    energy: ArrayLike,
    family: str,
    m: float,
    w2: float,
    d: float,
    symmetry: str = "orthogonal",
) -> np.ndarray:
    """Natural log of the 2D localization length, Eq. (20) or Eq. (30).

    ln(xi/l) = pi eps tau (orthogonal, Eq. 20) or (pi eps tau)^2 (unitary,
    broken time reversal, Eq. 30); l = v tau, v = k/m, tau from
    :func:`transport_rate_2d`.  Returned as a logarithm because xi overflows
    double precision for eps tau >~ 200.  [ln length]
    """
    if symmetry not in ("orthogonal", "unitary"):
        raise ValueError(f"symmetry must be 'orthogonal' or 'unitary', got {symmetry!r}")
    e = np.asarray(energy, dtype=float)
    x = np.pi * e / transport_rate_2d(e, family, m, w2, d)
    return ln_mean_free_path_2d(e, family, m, w2, d) + (x if symmetry == "orthogonal" else x**2)


def thermal_density_eq22(temperature: ArrayLike, xi_c: float, rho_c: float) -> np.ndarray:
    """Eq. (22): 2D n_T = (l_M / xi_c^3) (T/Delta_c)^2, Delta_c = 1/(rho_c xi_c^2) [1/length^2]."""
    Delta_c = 1.0 / (rho_c * xi_c**2)
    t = np.asarray(temperature, dtype=float)
    l_m = mott_length_eq7(xi_c, Delta_c, t)
    return l_m / xi_c**3 * (t / Delta_c) ** 2


def eta_hc_closed_form(
    alpha: ArrayLike, Delta_c: ArrayLike, Delta_h: ArrayLike, temperature: ArrayLike, dim: int
) -> np.ndarray:
    """Eq. (13) (dim 1) / Eq. (26) (dim 2): alpha (Delta_c/Delta_h) (T/Delta_c)^3 ln^D(Delta_c/T).

    Dimensionless.  The composition V_hc/Delta_3hc of Eqs. (6)-(12) equals
    4 pi^2/3 times Eq. (13); that of Eqs. (22)-(25) equals 4 times Eq. (26)
    (:data:`COMPOSITION_FACTOR`).
    """
    t = np.asarray(temperature, dtype=float)
    dc = np.asarray(Delta_c, dtype=float)
    return np.asarray(alpha) * dc / np.asarray(Delta_h) * (t / dc) ** 3 * np.log(dc / t) ** dim


def eps0_1d(m: float, d: ArrayLike) -> np.ndarray:
    """eps0 = 1/(8 m d^2): above it the 1D xi(eps) grows faster than linearly (Eq. 14) [energy]."""
    d = np.asarray(d, dtype=float)
    with np.errstate(divide="ignore"):
        return 1.0 / (8.0 * m * d**2)


def chi_eq16(temperature: ArrayLike, w: float, u: float, Delta_c: ArrayLike) -> np.ndarray:
    """Eq. (16): chi(T) = (w/(|u| Delta_c)) (Delta_c/T)^3 / ln(Delta_c/T) (dimensionless)."""
    t = np.asarray(temperature, dtype=float)
    dc = np.asarray(Delta_c, dtype=float)
    return w / (abs(u) * dc) * (dc / t) ** 3 / np.log(dc / t)


def eps_th_eq14(eps0: ArrayLike, chi: ArrayLike) -> np.ndarray:
    """Eq. (14), Lorentzian correlator: eps_th ~ eps0 ln^2 chi [energy]."""
    return np.asarray(eps0) * np.log(np.asarray(chi)) ** 2


def eps_th_eq15(eps0: ArrayLike, chi: ArrayLike) -> np.ndarray:
    """Eq. (15), exponential correlator: eps_th ~ eps0 chi [energy]."""
    return np.asarray(eps0) * np.asarray(chi)


def eps_th_composition_born(
    family: str, eps0: ArrayLike, chi: ArrayLike, eta_c: float
) -> np.ndarray:
    """Threshold of the 1D composition with Born xi_h and clean rho_h, in closed form [energy].

    With rho_h = m/(pi k) and xi_h = k^2/(m^2 S_U(2k)), rho_h^2 xi_h =
    1/(pi^2 S_U(2k)) and the composition (4 pi^2/3) x Eq. (13) becomes
    eta_hc = 4 w / (3 chi S_U(2k_h)), chi from Eq. (16) (with the Delta_c
    actually used).  eta_hc = eta_c then gives S_U(2k)/w = 4/(3 eta_c chi):

    - lorentzian: eps_th = eps0 ln^2(3 eta_c chi/4)   (cf. Eq. 14)
    - exponential: eps_th = eps0 (3 eta_c chi/4 - 1)  (cf. Eq. 15)
    - gaussian:    eps_th = eps0 ln(3 eta_c chi/4)

    NaN where 3 eta_c chi/4 <= 1 (no solution) and for white noise (no
    eps dependence: the marginal case).
    """
    fam = families.get(family)
    z = 0.75 * eta_c * np.asarray(chi, dtype=float)
    e0 = np.asarray(eps0, dtype=float)
    ok = z > 1.0
    zs = np.where(ok, z, 2.0)
    return np.where(ok, fam.threshold_composition_born(e0, zs), np.nan)


def eps_th_eq28(
    temperature: ArrayLike,
    eps_F: float,
    tau: ArrayLike,
    alpha: float,
    Delta_c: ArrayLike,
    symmetry: str = "orthogonal",
) -> np.ndarray:
    """Eq. (28): eps_th ~ eps_F + (1/(2 pi tau)) ln[(1/alpha)(Delta_c/T)^3] (2D) [energy].

    For broken time reversal (Eq. 30, ``symmetry='unitary'``) the logarithm
    is replaced by its square root, as stated below Eq. (30).
    """
    t = np.asarray(temperature, dtype=float)
    lg = np.log((np.asarray(Delta_c) / t) ** 3 / alpha)
    if symmetry == "unitary":
        lg = np.sqrt(np.clip(lg, 0.0, None))
    return eps_F + lg / (2.0 * np.pi * np.asarray(tau))


def hot_density_eq17(
    eps_th: ArrayLike, eps_F: float, temperature: ArrayLike, m: float
) -> np.ndarray:
    """Eq. (17): n_h = T / (pi sqrt(2 eps_th/m)) exp(-(eps_th - eps_F)/T) [1/length] (1D)."""
    e = np.asarray(eps_th, dtype=float)
    t = np.asarray(temperature, dtype=float)
    return t / (np.pi * np.sqrt(2.0 * e / m)) * np.exp(-(e - eps_F) / t)


def ln_sigma_eq18(eps_th: ArrayLike, eps_F: float, temperature: ArrayLike) -> np.ndarray:
    """Eq. (18) (and Eq. 29 in 2D): ln sigma = -(eps_th - eps_F)/T (dimensionless)."""
    return -(np.asarray(eps_th, dtype=float) - eps_F) / np.asarray(temperature, dtype=float)


def ln_xi_born(energy: ArrayLike, family: str, m: float, w: float, d: float) -> np.ndarray:
    """Natural log of the Born xi = k^2 / (m^2 S_U(2k)) [ln length], overflow-free.

    Same as ``log(xi_born(...))`` (docs/physics.md §1.2) but with ln S_U evaluated
    analytically, so that it stays finite where S_U(2k) underflows
    (Lorentzian/Gaussian at large k d).  -inf at eps <= 0.
    """
    fam = families.get(family, d)
    e = np.asarray(energy, dtype=float)
    k = wavevector(e, m)
    ln_s = fam.ln_power_spectrum(2.0 * k, w, d)
    with np.errstate(divide="ignore"):
        return np.where(k > 0, 2.0 * np.log(k) - 2.0 * np.log(m) - ln_s, -np.inf)
