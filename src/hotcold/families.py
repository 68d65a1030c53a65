"""Registry of disorder families (docs/physics.md §1.1), one object per family, scipy.stats style.

Each family is an instance of a :class:`Family` subclass carrying everything
the rest of the package needs to know about it:

* the correlator C(x) and the power spectrum S_U(q) (docs/physics.md §1.1 table), and
  ln S_U(q) evaluated analytically (no underflow at large q d);
* the 1D sampler: which stream generates it (``sampler``: i.i.d. cells,
  the exact AR(1) recursion or a FIR filter of white noise) and its
  coefficients (:meth:`Family.ar1_coefficients`, :meth:`Family.fir_profile`);
* the 2D transport rate in closed form where there is one
  (:meth:`Family.transport_rate_2d`; the quadrature of
  :func:`hotcold.theory.transport_rate_2d` otherwise);
* its 1D hot-cold asymptotes: the paper's Eq. (14) / (15) where the family
  has one (:attr:`Family.asymptote`) and the closed-form threshold of the
  composition with Born xi_h (:meth:`Family.threshold_composition_born`).

:data:`FAMILIES` maps names to objects; library code looks a family up with
:func:`get` and never branches on its name.  ``d == 0`` is white noise
whatever the family (:func:`get` returns :data:`WHITE`).  Adding a family is
one subclass + :func:`register` here, plus the enum of
``src/hotcold/schemas/config.schema.yaml`` (a test holds both equal).

Units: hbar = k_B = 1; w [energy^2 length] (w2 in 2D [energy^2 length^2]),
d [length], q [1/length].
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np
from numpy.typing import ArrayLike

__all__ = [
    "Family",
    "FAMILIES",
    "WHITE",
    "ASYMPTOTES",
    "register",
    "get",
    "names",
    "is_white",
    "sweep_families",
    "model_keys",
    "is_model",
]

#: The paper's family-specific asymptotes a family may carry (``Family.asymptote``).
ASYMPTOTES = ("eq14", "eq15")


class Family:
    """One disorder family: correlator, spectrum, sampler, 2D rate and asymptotes.

    Subclasses override :meth:`correlator`, :meth:`power_spectrum` and
    :meth:`ln_power_spectrum`, set :attr:`sampler` and implement the sampler
    coefficients it needs.  The defaults below mean "no closed form".

    Attributes
    ----------
    name : str
        Registry key, config value and wildcard value.
    sampler : {'iid', 'ar1', 'fir'}
        How :class:`hotcold.disorder.PotentialStream` generates the 1D stream.
    asymptote : str or None
        Suffix of the paper's asymptote variable (``'eq14'``: ``eps_th_eq14``).
    """

    name: str = ""
    sampler: str = "fir"
    asymptote: str | None = None

    def __repr__(self) -> str:
        return f"<disorder family {self.name!r}>"

    # -- docs/physics.md §1.1 table -------------------------------------------------------
    def correlator(self, x: np.ndarray, w: float, d: float) -> np.ndarray:
        """C(x) = <U(x) U(0)> [energy^2], normalised to integral C dx = w."""
        raise NotImplementedError

    def power_spectrum(self, q: np.ndarray, w: float, d: float) -> np.ndarray:
        """S_U(q) = integral dx C(x) exp(-i q x) [energy^2 length]; S_U(0) = w."""
        raise NotImplementedError

    def ln_power_spectrum(self, q: np.ndarray, w: float, d: float) -> np.ndarray:
        """ln S_U(q), analytic (finite where S_U underflows)."""
        raise NotImplementedError

    # -- 1D sampler ----------------------------------------------------------
    @property
    def block_free(self) -> bool:
        """True if the stream does not depend on the block sizes requested."""
        return self.sampler != "fir"

    def ar1_coefficients(self, w: float, d: float, dx: float) -> tuple[float, float]:
        """(a, sigma) of U_{n+1} = a U_n + sqrt(1 - a^2) sigma g_n (``sampler == 'ar1'``)."""
        raise NotImplementedError(f"family {self.name!r} has no AR(1) sampler")

    def fir_half_width(self, d: float, tol: float) -> float:
        """Half width [length] where the FIR kernel is cut (``sampler == 'fir'``)."""
        raise NotImplementedError(f"family {self.name!r} has no FIR sampler")

    def fir_profile(self, x: np.ndarray, w: float, d: float) -> np.ndarray:
        """Kernel h(x) with |FT h|^2 = S_U [energy / length^(1/2)] (``sampler == 'fir'``)."""
        raise NotImplementedError(f"family {self.name!r} has no FIR sampler")

    def sampled_spectrum(self, q: np.ndarray, w: float, d: float, dx: float) -> np.ndarray | None:
        """Spectrum of the kicks sampled at step dx, sum_j S_U(q + 2 pi j/dx), |j| <= 3.

        None where the sampled stream has exactly S_U (no discretization bias).
        Smooth families: the aliased sum (the rest is far below double precision).
        """
        return sum(self.power_spectrum(q + 2 * np.pi * j / dx, w, d) for j in range(-3, 4))

    # -- 2D weak-disorder transport rate -------------------------------------
    def transport_rate_2d(self, k: np.ndarray, m: float, w2: float, d: float) -> np.ndarray | None:
        """1/tau [energy] in closed form at wavevector k, or None (quadrature)."""
        return None

    # -- 1D hot-cold asymptotes ----------------------------------------------
    def asymptote_threshold(self, eps0: ArrayLike, chi: ArrayLike) -> np.ndarray:
        """The paper's asymptotic threshold (:attr:`asymptote`) from eps0 and chi [energy]."""
        raise NotImplementedError(f"family {self.name!r} has no asymptote of the paper")

    def threshold_composition_born(self, eps0: np.ndarray, z: np.ndarray) -> np.ndarray:
        """eps_th solving S_U(2k)/w = 1/z with eps0 = 1/(8 m d^2) [energy] (z > 1).

        :func:`hotcold.theory.eps_th_composition_born` with z = 3 eta_c chi/4.
        NaN if the threshold does not depend on eps (white noise).
        """
        return np.full(np.broadcast(eps0, z).shape, np.nan)


class White(Family):
    """White noise, C(x) = w delta(x): the d = 0 limit of every family (Eq. 2)."""

    name = "white"
    sampler = "iid"

    def correlator(self, x: np.ndarray, w: float, d: float) -> np.ndarray:
        raise ValueError("white noise has C(x) = w delta(x): no pointwise correlator")

    def power_spectrum(self, q: np.ndarray, w: float, d: float) -> np.ndarray:
        return np.full_like(q, float(w))

    def ln_power_spectrum(self, q: np.ndarray, w: float, d: float) -> np.ndarray:
        return np.full_like(q, np.log(w))

    def sampled_spectrum(self, q: np.ndarray, w: float, d: float, dx: float) -> None:
        return None  # i.i.d. cells of variance w/dx: exactly w

    def transport_rate_2d(self, k: np.ndarray, m: float, w2: float, d: float) -> np.ndarray:
        return np.full_like(k, m * w2)  # Eq. (21)


class Lorentzian(Family):
    """C(x) = w d / (pi (x^2 + d^2)), S_U(q) = w exp(-|q| d); asymptote Eq. (14)."""

    name = "lorentzian"
    sampler = "fir"
    asymptote = "eq14"

    def correlator(self, x: np.ndarray, w: float, d: float) -> np.ndarray:
        return w * d / (np.pi * (x**2 + d**2))

    def power_spectrum(self, q: np.ndarray, w: float, d: float) -> np.ndarray:
        return w * np.exp(-np.abs(q) * d)

    def ln_power_spectrum(self, q: np.ndarray, w: float, d: float) -> np.ndarray:
        return np.log(w) - q * d

    def fir_half_width(self, d: float, tol: float) -> float:
        return 200.0 * d  # the neglected variance is ~ 3e-8 of C(0)

    def fir_profile(self, x: np.ndarray, w: float, d: float) -> np.ndarray:
        return np.sqrt(w) * (d / 2) / (np.pi * (x**2 + d**2 / 4))

    def asymptote_threshold(self, eps0: ArrayLike, chi: ArrayLike) -> np.ndarray:
        from .theory import eps_th_eq14

        return eps_th_eq14(eps0, chi)

    def threshold_composition_born(self, eps0: np.ndarray, z: np.ndarray) -> np.ndarray:
        return eps0 * np.log(z) ** 2


class Exponential(Family):
    """C(x) = w exp(-|x|/d) / (2 d), S_U(q) = w / (1 + q^2 d^2); asymptote Eq. (15)."""

    name = "exponential"
    sampler = "ar1"
    asymptote = "eq15"

    def correlator(self, x: np.ndarray, w: float, d: float) -> np.ndarray:
        return w / (2 * d) * np.exp(-np.abs(x) / d)

    def power_spectrum(self, q: np.ndarray, w: float, d: float) -> np.ndarray:
        return w / (1.0 + (q * d) ** 2)

    def ln_power_spectrum(self, q: np.ndarray, w: float, d: float) -> np.ndarray:
        return np.log(w) - np.log1p((q * d) ** 2)

    def ar1_coefficients(self, w: float, d: float, dx: float) -> tuple[float, float]:
        """The exact Ornstein-Uhlenbeck step: a = exp(-dx/d), sigma^2 = C(0) = w/(2d)."""
        return np.exp(-dx / d), np.sqrt(w / (2 * d))

    def sampled_spectrum(self, q: np.ndarray, w: float, d: float, dx: float) -> np.ndarray:
        """Closed form of the sampled AR(1) process."""
        a = math.exp(-dx / d)
        var = w / (2 * d)
        return dx * var * (1 - a * a) / (1 - 2 * a * np.cos(q * dx) + a * a)

    def transport_rate_2d(self, k: np.ndarray, m: float, w2: float, d: float) -> np.ndarray:
        """1/tau = (2 m w2/a)(1 - 1/sqrt(1 + a)), a = 4 k^2 d^2 (series below a = 1e-6)."""
        a = 4.0 * (k * d) ** 2
        small = a < 1e-6
        a_s = np.where(small, 1.0, a)
        val = 2.0 * m * w2 / a_s * (1.0 - 1.0 / np.sqrt(1.0 + a_s))
        return np.where(small, m * w2 * (1.0 - 0.75 * a), val)

    def asymptote_threshold(self, eps0: ArrayLike, chi: ArrayLike) -> np.ndarray:
        from .theory import eps_th_eq15

        return eps_th_eq15(eps0, chi)

    def threshold_composition_born(self, eps0: np.ndarray, z: np.ndarray) -> np.ndarray:
        return eps0 * (z - 1.0)


class Gaussian(Family):
    """C(x) = w exp(-x^2/(4 d^2)) / (2 d sqrt(pi)), S_U(q) = w exp(-q^2 d^2)."""

    name = "gaussian"
    sampler = "fir"

    def correlator(self, x: np.ndarray, w: float, d: float) -> np.ndarray:
        return w * np.exp(-(x**2) / (4 * d**2)) / (2 * d * np.sqrt(np.pi))

    def power_spectrum(self, q: np.ndarray, w: float, d: float) -> np.ndarray:
        return w * np.exp(-((q * d) ** 2))

    def ln_power_spectrum(self, q: np.ndarray, w: float, d: float) -> np.ndarray:
        return np.log(w) - (q * d) ** 2

    def fir_half_width(self, d: float, tol: float) -> float:
        return d * np.sqrt(2 * np.log(1 / tol))

    def fir_profile(self, x: np.ndarray, w: float, d: float) -> np.ndarray:
        return np.sqrt(w) * np.exp(-(x**2) / (2 * d**2)) / (np.sqrt(2 * np.pi) * d)

    def transport_rate_2d(self, k: np.ndarray, m: float, w2: float, d: float) -> np.ndarray:
        """1/tau = m w2 [I0e(b) - I1e(b)], b = 2 k^2 d^2."""
        from scipy import special

        b = 2.0 * (k * d) ** 2
        return m * w2 * (special.i0e(b) - special.i1e(b))

    def threshold_composition_born(self, eps0: np.ndarray, z: np.ndarray) -> np.ndarray:
        return eps0 * np.log(z)


#: Registered families by name (registration order: the schema enum's order).
FAMILIES: dict[str, Family] = {}


def register(family: Family) -> Family:
    """Add ``family`` to :data:`FAMILIES` under ``family.name`` and return it."""
    if not family.name or family.name in FAMILIES:
        raise ValueError(f"family name {family.name!r} is empty or already registered")
    if family.sampler not in ("iid", "ar1", "fir"):
        raise ValueError(f"family {family.name!r}: unknown sampler {family.sampler!r}")
    if family.asymptote is not None and family.asymptote not in ASYMPTOTES:
        raise ValueError(f"family {family.name!r}: asymptote must be one of {ASYMPTOTES}")
    FAMILIES[family.name] = family
    return family


#: White noise, the one d = 0 model.
WHITE = register(White())
for _cls in (Lorentzian, Exponential, Gaussian):
    register(_cls())
del _cls


def names() -> tuple[str, ...]:
    """The registered family names, in registration order."""
    return tuple(FAMILIES)


def is_white(name: str) -> bool:
    """True for the white-noise family's name."""
    return name == WHITE.name


def get(name: str, d: float | None = None) -> Family:
    """The family registered as ``name``; white noise if ``d == 0``.

    Raises
    ------
    ValueError
        ``name`` is not registered.
    """
    try:
        family = FAMILIES[name]
    except KeyError:
        raise ValueError(f"unknown disorder family {name!r}; expected one of {names()}") from None
    return WHITE if d is not None and d == 0 else family


def _has_white(configured: Iterable[str], d_values: Iterable[float]) -> bool:
    """True if the sweep has the white-noise model (d = 0 or family 'white' configured)."""
    return any(float(d) == 0 for d in d_values) or any(is_white(str(f)) for f in configured)


def sweep_families(configured: Iterable[str], d_values: Iterable[float]) -> tuple[str, ...]:
    """The family axis of the merged datasets for ``disorder.families`` and ``disorder.d``.

    White noise is one model with an axis entry of its own, first, if the
    sweep has it (``0`` in ``d_values`` or 'white' configured); the
    correlated families follow in their configured order if some d > 0
    (every entry holds at least one model).

    Parameters
    ----------
    configured : iterable of str
        The configured ``disorder.families``.
    d_values : iterable of float
        The configured correlation radii ``disorder.d``.

    Returns
    -------
    tuple of str
    """
    configured = [str(f) for f in configured]
    d_values = [float(d) for d in d_values]
    white = (WHITE.name,) if _has_white(configured, d_values) else ()
    correlated = [f for f in dict.fromkeys(configured) if not is_white(f)]
    return white + (tuple(correlated) if any(d > 0 for d in d_values) else ())


def is_model(family: str, d: float) -> bool:
    """True if the (family, d) cell of a merged dataset holds a model.

    White noise lives at ('white', 0) only; a correlated family at d > 0 only.
    """
    return is_white(str(family)) == (float(d) == 0)


def model_keys(configured: Iterable[str], d_values: Iterable[float]) -> list[tuple[str, float]]:
    """(family, d) of every distinct model of a sweep: ('white', 0.0) once, then family x d > 0.

    Parameters
    ----------
    configured : iterable of str
        Family names as in the config, 'white' among them or not.
    d_values : iterable of float
        Correlation radii as in the config; a 0 brings in white noise.

    Returns
    -------
    list of (str, float)
        In the order of :func:`sweep_families` and ascending d.
    """
    configured = [str(f) for f in configured]
    d_sorted = sorted(
        {float(d) for d in d_values} | ({0.0} if _has_white(configured, []) else set())
    )
    return [
        (f, d) for f in sweep_families(configured, d_sorted) for d in d_sorted if is_model(f, d)
    ]
