"""2D square-lattice model of the disordered continuum, its disorder and density-labelled energies.

Model (hbar = 1, mass m; docs/physics.md §1.2)
-----------------------------------------------
Square lattice of step a [length], sites r = (x, y) = a (i, l); hopping
t = 1/(2 m a^2) [energy]; on-site term 4t + V(r), so that the clean band
bottom is E = 0 and the clean dispersion 2t(2 - cos k_x a - cos k_y a) tends
to the continuum E = k^2/2m.  Its relative error at wavevector k along an axis
is E_lat/E_cont - 1 = -(ka)^2/12 + O((ka)^4) (along a diagonal half that).

A magnetic flux phi per plaquette (in flux quanta) enters by Peierls phases
in the Landau gauge: the hop from (i, l) to (i, l + 1) carries
exp(i 2 pi phi i), i the slice index along x; the x hops are real.

Disorder: target covariance
---------------------------
The 2D disorder of a family is the isotropic field with power spectrum
S_2D(q) = family.power_spectrum(|q|, w2, d) [energy^2 length^2] (integral of
C_2D over the plane = w2; d = 0 is white noise, C = w2 delta^2(r)).  On the
lattice we generate the *band-limited* field: white noise g (i.i.d. N(0, 1)
per site) filtered by h with lattice transform |h(q)|^2 = S_2D(|q|)/a^2 for q
in the first Brillouin zone [-pi/a, pi/a)^2 (no alias sum).  The target
covariance at lattice separations r is therefore

    C_lat(r) = integral_BZ d^2q/(2 pi)^2 S_2D(|q|) exp(i q.r),

and, with y periodic over M sites (strip) or both directions periodic over
L sites (box), the same with the integral over the allowed wavevectors
replaced by the sum (1/(L_x L_y)) sum_q (:func:`lattice_covariance`).
White noise is then exactly V ~ N(0, w2/a^2) i.i.d.; for correlated families
C_lat(r) -> C_2D(r) as a/d -> 0 (Gaussian: to double precision already at
a = d/4).  The alias sum was not chosen because it diverges for the
exponential family (C_2D ~ K_0(r/d) is log-singular at r = 0).

Strip stream (:class:`StripPotential`): a 2D FIR kernel, exact (circular) in
y, truncated in x where the neglected kernel energy is below 1e-10 of the
total (covariance error <= 2e-5 C_lat(0)), applied by overlap-save in fixed
blocks of slices.

Integrated density of states
----------------------------
For the block-tridiagonal H of a strip (slices along x, open ends, periodic
y), Sylvester's law of inertia gives the number of eigenvalues below E as the
sum of the negative inertia of the Schur-complement pivots
D_0 = H_00 - E, D_i = (H_ii - E) - t^2 D_{i-1}^{-1} (:func:`idos_strip`).
Each pivot is factorized by LAPACK Bunch-Kaufman (?sytrf / ?hetrf, its
negative inertia read off D) and inverted from the factors (?sytri /
?hetri), lower triangles only.  Measured on one core: 17 / 40 / 155 us per
slice and energy at M = 32 / 64 / 128 (real), 28 / 92 / 490 us with flux
(complex); numpy's eigvalsh alone costs 94 / 262 / 1320 us.
"""

from __future__ import annotations

import math
import zlib
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike
from scipy import fft as sp_fft
from scipy.linalg import lapack

from . import families
from .disorder import FastNormals
from .stats import blocked_jackknife

__all__ = [
    "STREAMS_2D",
    "A_OVER_D_LIMIT",
    "A_LADDER_BASE",
    "LatticeModel2D",
    "choose_a",
    "lattice_step",
    "sites_across",
    "lattice_seed",
    "lattice_covariance",
    "StripPotential",
    "box_potential",
    "negative_inertia",
    "strip_pivot_counts",
    "IDOSResult",
    "idos_strip",
    "clean_idos_strip",
    "DensityLabel",
    "density_label",
    "LabelEnergy",
    "energy_at_label",
]

#: Purpose keys of the 2D streams (values distinct from :data:`hotcold.disorder.STREAMS`).
STREAMS_2D = {"strip2d": 101, "box2d": 102}

#: Hard limit on a/d for correlated families (beyond it the lattice does not resolve d).
A_OVER_D_LIMIT = 0.5

#: The lattice steps :func:`choose_a` picks from: A_LADDER_BASE * 2^-j, j = 0, 1, ... [length].
A_LADDER_BASE = 1.0

#: Neglected fraction of the FIR kernel energy when it is cut in x.
_FIR_TAIL = 1e-10

#: Slices per block of the white-noise stream (fixed: reproducibility).
_WHITE_BLOCK = 4096


# ---------------------------------------------------------------------------
# Model
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class LatticeModel2D:
    """The square-lattice model of the 2D disordered continuum.

    ``d == 0`` is white noise whatever the family (normalised to family
    ``white``, as :class:`hotcold.disorder.Model`).

    Parameters
    ----------
    family : str
        A name in :data:`hotcold.families.FAMILIES`.
    w2 : float
        Disorder strength, integral of C_2D over the plane [energy^2 length^2], >= 0.
    d : float
        Correlation radius [length], >= 0; a/d <= :data:`A_OVER_D_LIMIT` if d > 0.
    m : float
        Mass [1/(energy length^2)] (hbar = 1), > 0.
    a : float
        Lattice step [length], > 0.
    flux : float
        Magnetic flux per plaquette [flux quanta], default 0.

    Raises
    ------
    ValueError
        On an unknown family or a non-finite / out-of-range parameter.
    """

    family: str
    w2: float
    d: float
    m: float
    a: float
    flux: float = 0.0

    def __post_init__(self) -> None:
        fam = families.get(self.family, self.d)  # ValueError if unknown
        if not (np.isfinite(self.w2) and self.w2 >= 0):
            raise ValueError(f"disorder strength w2 must be finite and >= 0, got {self.w2}")
        if not (np.isfinite(self.d) and self.d >= 0):
            raise ValueError(f"correlation radius d must be finite and >= 0, got {self.d}")
        if not (np.isfinite(self.m) and self.m > 0):
            raise ValueError(f"mass m must be finite and > 0, got {self.m}")
        if not (np.isfinite(self.a) and self.a > 0):
            raise ValueError(f"lattice step a must be finite and > 0, got {self.a}")
        if not np.isfinite(self.flux):
            raise ValueError(f"flux per plaquette must be finite, got {self.flux}")
        if fam is families.WHITE:
            object.__setattr__(self, "family", fam.name)
            object.__setattr__(self, "d", 0.0)
        elif self.a > A_OVER_D_LIMIT * self.d:
            raise ValueError(
                f"lattice step a={self.a} does not resolve the correlation radius d={self.d} "
                f"of family {self.family!r}: need a <= {A_OVER_D_LIMIT} d"
            )

    @property
    def kind(self) -> families.Family:
        """The family object (white noise for d = 0)."""
        return families.get(self.family, self.d)

    @property
    def t(self) -> float:
        """Hopping t = 1/(2 m a^2) [energy]."""
        return 1.0 / (2.0 * self.m * self.a**2)

    @property
    def sigma_white(self) -> float:
        """On-site standard deviation of white noise, sqrt(w2)/a [energy]."""
        return math.sqrt(self.w2) / self.a

    def spectrum(self, q: ArrayLike) -> np.ndarray:
        """S_2D(|q|) [energy^2 length^2] at wavevector modulus ``q`` [1/length]."""
        q = np.abs(np.asarray(q, dtype=float))
        return self.kind.power_spectrum(q, self.w2, self.d)


def choose_a(
    k_max: float,
    d: float = 0.0,
    *,
    ka_max: float = 0.25,
    a_over_d_max: float = 0.25,
) -> float:
    """Lattice step from a fixed ladder A_LADDER_BASE * 2^-j [length].

    The largest step of the ladder with k_max a <= ``ka_max`` and, for a
    correlated family (d > 0), a <= ``a_over_d_max`` d.  A ladder (rather
    than the bound itself) keeps a unchanged under small changes of the
    configuration, so runs stay comparable and share random numbers.

    Defaults: ka_max = 0.25, measured at the default 2D white-noise model
    (m = 1, w2 = 1.5, density label eps = 1, strips 4.25 wide, xi_M to 1 %):
    xi_M = 1.495, 1.574, 1.607 (+- 0.015, label error +- 0.02 more) at
    a = 0.25, 0.177, 0.125.  The step 0.25 -> 0.177 (k a = 0.35 -> 0.25)
    moves xi_M by 5 % (3 sigma), 0.177 -> 0.125 by 2 % (0.9 sigma): xi
    depends on the scattering rate exponentially (Eq. 20), so the lattice
    errors of the dispersion (-(ka)^2/12) and of the density of states show
    up amplified.  a/d <= 1/4 is the 1D stream's rule (``dx <= d/4`` of
    :class:`hotcold.disorder.PotentialStream`).  E.g. m = 1, eps = 1
    (k = sqrt 2) gives a = 0.125.

    Parameters
    ----------
    k_max : float
        Largest wavevector that matters [1/length], e.g. sqrt(2 m E_max), > 0.
    d : float
        Correlation radius [length]; 0 for white noise.
    ka_max, a_over_d_max : float
        The limits on k_max a and a/d (dimensionless).

    Returns
    -------
    float
        a [length].
    """
    if not (np.isfinite(k_max) and k_max > 0):
        raise ValueError(f"k_max must be finite and > 0, got {k_max}")
    if not (np.isfinite(d) and d >= 0):
        raise ValueError(f"correlation radius d must be finite and >= 0, got {d}")
    if not (0 < ka_max < np.pi):
        raise ValueError(f"ka_max must be in (0, pi), got {ka_max}")
    if not (0 < a_over_d_max <= A_OVER_D_LIMIT):
        raise ValueError(f"a_over_d_max must be in (0, {A_OVER_D_LIMIT}], got {a_over_d_max}")
    bound = ka_max / k_max
    if d > 0:
        bound = min(bound, a_over_d_max * d)
    j = max(0, math.ceil(math.log2(A_LADDER_BASE / bound) - 1e-12))
    return A_LADDER_BASE * 2.0**-j


def lattice_step(
    eps_max: float, m: float, d: float, a: float | None = None, ka_max: float = 0.25
) -> float:
    """Lattice step of a 2D model measured up to the label ``eps_max`` [length]: ``a`` where
    given, else :func:`choose_a` at k = sqrt(2 m eps_max) with ``ka_max``."""
    return float(a) if a else choose_a(math.sqrt(2.0 * m * eps_max), d, ka_max=ka_max)


def sites_across(width: float, a: float) -> int:
    """Sites M = round(W/a) of a strip of width W on step a (the pre-flight checks M >= 2)."""
    return int(round(width / a))


def lattice_seed(
    seed: int, model: LatticeModel2D, stream: str, *extra: int
) -> np.random.SeedSequence:
    """Child seed for a (2D model, purpose) pair; the key layout of
    :func:`hotcold.disorder.model_seed` with the purposes of :data:`STREAMS_2D`.

    w2, m, a and the flux are not in the key: changing them reuses the same
    white noise (common random numbers).
    """
    fam = zlib.crc32(model.family.encode())
    dbits = int(np.float64(model.d).view(np.uint64))
    key = (STREAMS_2D[stream], fam, dbits & 0xFFFFFFFF, dbits >> 32, *extra)
    return np.random.SeedSequence(int(seed), spawn_key=key)


def _seed_sequence(
    seed: int | np.random.SeedSequence, model: LatticeModel2D, stream: str, *extra: int
) -> np.random.SeedSequence:
    if isinstance(seed, np.random.SeedSequence):
        return seed
    return lattice_seed(int(seed), model, stream, *extra)


def _wavevectors(n: int, a: float) -> np.ndarray:
    """DFT wavevectors 2 pi j/(n a), j in [-n/2, n/2) (fftfreq order) [1/length]."""
    return 2.0 * np.pi * np.fft.fftfreq(n, a)


def lattice_covariance(model: LatticeModel2D, shape: tuple[int, int]) -> np.ndarray:
    """Target covariance <V(r) V(0)> of the periodic (Lx, Ly) lattice [energy^2].

    C(i, l) = (1/(Lx Ly a^2)) sum_q S_2D(|q|) cos(q.r) over the DFT
    wavevectors of the box (the band-limited target of the module
    docstring).  Exactly the covariance of :func:`box_potential`; with Lx
    large (>> the correlation length) the covariance of :class:`StripPotential`.
    """
    lx, ly = shape
    qx, qy = _wavevectors(lx, model.a), _wavevectors(ly, model.a)
    s = model.spectrum(np.hypot(qx[:, None], qy[None, :]))
    return np.real(np.fft.ifft2(s)) / model.a**2


def _strip_kernel(model: LatticeModel2D, M: int) -> np.ndarray:
    """FIR kernel h (2J + 1, M), |FT h|^2 = S_2D/a^2, circular in y, cut at |x| = J a."""
    a = model.a
    nx = 1 << 14
    ny_half = M // 2 + 1
    qy = np.abs(_wavevectors(M, a))[:ny_half]  # |k_y| of j = 0 .. M/2
    qx = 2.0 * np.pi * np.fft.rfftfreq(nx, a)
    amp = np.sqrt(model.spectrum(np.hypot(qx[None, :], qy[:, None]))) / a
    hj = np.fft.irfft(amp, nx, axis=1)  # (ny_half, nx): h_j(n), even in n
    # kernel energy per |n| summed over the k_y modes (Parseval in y: weights 1 or 2)
    wgt = np.full(ny_half, 2.0)
    wgt[0] = 1.0
    if M % 2 == 0:
        wgt[-1] = 1.0
    e_n = wgt @ (hj[:, : nx // 2] ** 2)  # n = 0 .. nx/2 - 1
    e_abs = e_n.copy()
    e_abs[1:] *= 2.0  # +n and -n
    tail = np.cumsum(e_abs[::-1])[::-1] / e_abs.sum()  # energy at |n| >= index
    below = np.nonzero(tail < _FIR_TAIL)[0]
    if below.size == 0 or below[0] > nx // 8:
        raise ValueError(f"FIR kernel of {model} does not decay within {nx // 8} slices")
    J = max(int(below[0]) - 1, 0)
    nsel = np.r_[np.arange(nx - J, nx), np.arange(J + 1)]  # n = -J .. J
    hj_sel = hj[:, nsel].T  # (2J + 1, ny_half)
    return sp_fft.irfft(hj_sel, M, axis=1)  # real space in y (h_j even in k_y)


class StripPotential:
    """Endless stream of slices V(x_i, y_l) of a strip periodic in y [energy].

    ``take(n)`` returns the next ``n`` slices, shape (n, M), float64: the
    on-site potential *without* the 4t.  The concatenation of successive
    ``take`` does not depend on the request sizes (fixed internal blocks,
    buffered), so the stream is bit-identical for given (model, M, seed).
    Memory is O(block M).

    White noise: V i.i.d. N(0, w2/a^2) (:class:`hotcold.disorder.FastNormals`,
    row by row).  Correlated families: the FIR kernel of :func:`_strip_kernel`
    applied to white noise by overlap-save in x and circular convolution in
    y (2D FFTs of nfft x M, nfft = max(1024, 4 (2J + 1)) rounded up to a power of 2).

    Parameters
    ----------
    model : LatticeModel2D
    M : int
        Sites across the strip (periodic), >= 3.
    seed : int or SeedSequence
        An int is turned into ``lattice_seed(seed, model, 'strip2d', M)``.
    """

    def __init__(self, model: LatticeModel2D, M: int, seed: int | np.random.SeedSequence) -> None:
        if int(M) != M or M < 3:
            raise ValueError(f"strip width M must be an integer >= 3, got {M}")
        self.model, self.M = model, int(M)
        self._normals = FastNormals(_seed_sequence(seed, model, "strip2d", self.M))
        self._buffer = np.empty((0, self.M))
        self._white = model.kind is families.WHITE or model.w2 == 0
        if not self._white:
            h = _strip_kernel(model, self.M)
            self._taps = h.shape[0]
            self._nfft = max(1024, 1 << math.ceil(math.log2(4 * self._taps)))
            self._spec = sp_fft.rfft2(h, s=(self._nfft, self.M))
            self._tail = self._normals.normals((self._taps - 1) * self.M).reshape(-1, self.M)

    @property
    def taps(self) -> int:
        """FIR length in x (2J + 1 slices); 1 for white noise."""
        return 1 if self._white else self._taps

    def _produce(self) -> np.ndarray:
        M = self.M
        if self._white:
            g = self._normals.normals(_WHITE_BLOCK * M, self.model.sigma_white)
            return g.reshape(_WHITE_BLOCK, M)
        new = self._nfft - self._taps + 1
        g = np.concatenate([self._tail, self._normals.normals(new * M).reshape(new, M)])
        self._tail = g[g.shape[0] - (self._taps - 1) :]
        out = sp_fft.irfft2(sp_fft.rfft2(g) * self._spec, s=(self._nfft, M))
        return out[self._taps - 1 :]

    def take(self, n: int) -> np.ndarray:
        """The next ``n`` slices, shape (n, M) [energy]."""
        n = int(n)
        if n < 0:
            raise ValueError(f"cannot take {n} slices")
        parts, have = [self._buffer], self._buffer.shape[0]
        while have < n:
            blk = self._produce()
            parts.append(blk)
            have += blk.shape[0]
        allv = np.concatenate(parts) if len(parts) > 1 else parts[0]
        self._buffer = allv[n:]
        return np.ascontiguousarray(allv[:n])


def box_potential(
    model: LatticeModel2D, L_sites: int, seed: int | np.random.SeedSequence, index: int
) -> np.ndarray:
    """Potential of the periodic L x L box number ``index``, shape (L, L) [x, y] [energy].

    White noise filtered by sqrt(S_2D(|q|))/a with 2D FFTs: covariance
    exactly :func:`lattice_covariance` (model, (L, L)).  White noise is
    sqrt(w2)/a times the normals.  An int seed is turned into
    ``lattice_seed(seed, model, 'box2d', L, index)``: each box is independent
    and reproducible whichever subset is generated.
    """
    L = int(L_sites)
    if L != L_sites or L < 2:
        raise ValueError(f"box side L_sites must be an integer >= 2, got {L_sites}")
    if int(index) != index or index < 0:
        raise ValueError(f"box index must be an integer >= 0, got {index}")
    ss = _seed_sequence(seed, model, "box2d", L, int(index))
    normals = FastNormals(ss)
    if model.kind is families.WHITE:
        return normals.normals(L * L, model.sigma_white).reshape(L, L)
    g = normals.normals(L * L).reshape(L, L)
    q = np.hypot(_wavevectors(L, model.a)[:, None], _wavevectors(L, model.a)[None, :])
    amp = np.sqrt(model.spectrum(q)) / model.a
    return np.real(np.fft.ifft2(np.fft.fft2(g) * amp))


# ---------------------------------------------------------------------------
# Sylvester inertia along a strip
# ---------------------------------------------------------------------------


def negative_inertia(ldu: np.ndarray, ipiv: np.ndarray) -> int:
    """Negative eigenvalues of a Hermitian matrix from its Bunch-Kaufman factors.

    ``ldu, ipiv`` from LAPACK ?sytrf / ?hetrf: D has 1x1 blocks (ipiv > 0)
    and 2x2 blocks (two consecutive ipiv < 0).  A Bunch-Kaufman 2x2 pivot is
    always indefinite (det < 0 by the pivot test), so each adds exactly one.
    """
    d = np.real(np.diagonal(ldu))
    one = ipiv > 0
    return int(np.count_nonzero(d[one] < 0) + np.count_nonzero(~one) // 2)


def _hop_lower(M: int, t: float, phase: complex | None) -> np.ndarray:
    """Lower triangle of the intra-slice hopping, H[l+1, l] = -t e^{i theta} (periodic)."""
    if phase is None:
        h = np.zeros((M, M))
        idx = np.arange(M - 1)
        h[idx + 1, idx] = -t
        h[M - 1, 0] = -t  # H[0, M-1] = -t, stored as its transpose
        return h
    h = np.zeros((M, M), dtype=complex)
    idx = np.arange(M - 1)
    h[idx + 1, idx] = -t * phase
    h[M - 1, 0] = -t * np.conj(phase)  # H[0, M-1] = -t e^{i theta}
    return h


def strip_pivot_counts(
    source,
    M: int,
    t: float,
    energies: ArrayLike,
    n_slices: int,
    *,
    flux: float = 0.0,
    chunk: int = 1024,
) -> np.ndarray:
    """Negative inertia of every Schur pivot D_i(E), shape (n_slices, K) int.

    The strip Hamiltonian: slices i = 0 .. n_slices - 1 (open ends), on-site
    4t + V[i, l], hop -t between slices and -t e^{i 2 pi flux i} from
    (i, l) to (i, l + 1) (periodic in l).  The cumulative sum over i of
    column k is the number of eigenvalues below ``energies[k]`` of the
    strip made of the first i + 1 slices (Sylvester's law of inertia).

    Parameters
    ----------
    source
        Object with ``take(n) -> ndarray (n, M)`` [energy] (a :class:`StripPotential`).
    M : int
        Strip width [sites], >= 3.
    t : float
        Hopping [energy], > 0.
    energies : array_like (K,)
        Energies [energy].
    n_slices : int
        Number of slices.
    flux : float
        Flux per plaquette [flux quanta].
    chunk : int
        Slices taken from ``source`` at a time (memory O(chunk M)).
    """
    e = np.atleast_1d(np.asarray(energies, dtype=float))
    K = e.size
    cplx = flux != 0
    if cplx:
        trf, tri = lapack.zhetrf, lapack.zhetri
    else:
        trf, tri = lapack.dsytrf, lapack.dsytri
    lwork = max(1, M * 64)
    counts = np.empty((n_slices, K), dtype=np.int64)
    inv = [None] * K
    base = None if cplx else np.asfortranarray(_hop_lower(M, t, None))
    t2 = t * t
    ar = np.arange(M)
    done = 0
    while done < n_slices:
        v = source.take(min(chunk, n_slices - done))
        if v.shape != (v.shape[0], M):
            raise ValueError(f"source returned shape {v.shape}, expected (n, {M})")
        for r in range(v.shape[0]):
            i = done + r
            if cplx:
                base = np.asfortranarray(_hop_lower(M, t, np.exp(2j * np.pi * flux * i)))
            onsite = 4.0 * t + v[r]
            for k in range(K):
                dmat = base.copy() if inv[k] is None else base - t2 * inv[k]
                dmat[ar, ar] += onsite - e[k]
                ldu, ipiv, info = trf(dmat, lower=1, lwork=lwork, overwrite_a=1)
                if info < 0:
                    raise RuntimeError(f"LAPACK ?trf argument {-info} illegal")
                if info > 0:  # exactly singular pivot: E is an eigenvalue of a sub-strip
                    raise ValueError(
                        f"energy {e[k]} is an eigenvalue of the first {i + 1} slices; shift it"
                    )
                counts[i, k] = negative_inertia(ldu, ipiv)
                inv[k], info = tri(ldu, ipiv, lower=1, overwrite_a=1)
        done += v.shape[0]
    return counts


@dataclass(frozen=True)
class IDOSResult:
    """Integrated density of states per area of a strip and its jackknife error.

    Attributes
    ----------
    energies : ndarray (K,) [energy]
    n, n_stderr : ndarray (K,) [1/length^2]
        Eigenvalues below E per unit area and its blocked-jackknife error.
    block_counts : ndarray (B, K)
        Eigenvalue counts per block of ``block_slices`` slices.
    slices_per_block : int
    area_per_slice : float
        M a^2 [length^2].
    """

    energies: np.ndarray
    n: np.ndarray
    n_stderr: np.ndarray
    block_counts: np.ndarray = field(repr=False)
    slices_per_block: int
    area_per_slice: float

    def block_density(self) -> np.ndarray:
        """n per block, (B, K) [1/length^2] (the jackknife samples)."""
        return self.block_counts / (self.slices_per_block * self.area_per_slice)


def idos_strip(
    source,
    M: int,
    t: float,
    energies: ArrayLike,
    *,
    a: float,
    n_slices: int,
    block_slices: int,
    flux: float = 0.0,
    n_warmup: int = 0,
) -> IDOSResult:
    """Integrated density of states per area n(E) of a disordered strip by Sylvester inertia.

    n(E) = (eigenvalues below E) / (n_slices M a^2), counted over the
    ``n_slices`` slices that follow ``n_warmup`` discarded ones (the counts
    of pivots i >= n_warmup are N(E) of the full strip minus that of its
    first n_warmup slices).  Several energies share the same slices.

    Boundary error: with n_warmup = 0 the open ends in x add the Weyl
    term -k/(2 pi L_x) to n (k = sqrt(2 m E), L_x = n_slices a), an
    O(1/n_slices) bias.  With a warm-up the end terms of the full strip and
    of its first n_warmup slices cancel on average; what is left is the
    integer rounding of the count of each open k_y channel, at most
    (open channels)/(n_slices M a^2) in a clean strip, averaged out by
    disorder beyond a mean free path.  Take n_warmup of several mean free
    paths (several localization lengths would be safer still).

    The error is the blocked jackknife (:func:`hotcold.stats.blocked_jackknife`)
    over the n_slices/block_slices blocks of consecutive slices; blocks must
    be much longer than the localization length along the strip for the
    blocks to be independent.

    Parameters
    ----------
    source
        ``take(n) -> (n, M)`` potentials [energy] without the 4t.
    M : int
        Strip width [sites].
    t : float
        Hopping [energy].
    energies : array_like (K,)
        [energy].
    a : float
        Lattice step [length].
    n_slices : int
        Counted slices, a multiple of ``block_slices`` with >= 2 blocks.
    block_slices : int
        Slices per jackknife block.
    flux : float
        Flux per plaquette [flux quanta].
    n_warmup : int
        Slices processed first and not counted.

    Returns
    -------
    IDOSResult
    """
    if not (t > 0 and a > 0):
        raise ValueError(f"hopping t and step a must be > 0, got t={t}, a={a}")
    if block_slices < 1 or n_slices % block_slices or n_slices // block_slices < 2:
        raise ValueError(
            f"n_slices={n_slices} must be a multiple of block_slices={block_slices} "
            "with at least 2 blocks"
        )
    if n_warmup < 0:
        raise ValueError(f"n_warmup must be >= 0, got {n_warmup}")
    e = np.atleast_1d(np.asarray(energies, dtype=float))
    counts = strip_pivot_counts(source, M, t, e, n_warmup + n_slices, flux=flux)[n_warmup:]
    n_blocks = n_slices // block_slices
    block_counts = counts.reshape(n_blocks, block_slices, e.size).sum(axis=1)
    area = M * a * a
    dens = block_counts / (block_slices * area)
    full, se, _ = blocked_jackknife(dens, n_blocks)
    return IDOSResult(e, full, se, block_counts, int(block_slices), float(area))


def clean_idos_strip(M: int, t: float, energies: ArrayLike, *, a: float) -> np.ndarray:
    """Bulk n(E) per area of the clean strip, infinite in x, periodic in y [1/length^2].

    n = (1/(M a)) sum_{k_y} (1/(pi a)) arccos(1 - (E - e_y)/(2t)), e_y = 2t(1 - cos k_y a),
    the argument clipped to the x band [0, 4t].  -> m E/(2 pi) as E a^2 m -> 0, M -> inf.
    """
    e = np.asarray(energies, dtype=float)
    ey = 2.0 * t * (1.0 - np.cos(2.0 * np.pi * np.arange(M) / M))
    u = np.clip((e[..., None] - ey) / (2.0 * t), 0.0, 2.0)
    return np.arccos(1.0 - u).sum(axis=-1) / (np.pi * M * a * a)


# ---------------------------------------------------------------------------
# Density labels
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DensityLabel:
    """Energies labelled by density, with blocked-jackknife errors.

    Attributes
    ----------
    energies : ndarray (K,)
        Lattice energies E [energy].
    n, n_stderr : ndarray (K,)
        n(E) [1/length^2].
    eps, eps_stderr : ndarray (K,)
        Label eps = 2 pi n/m, the clean continuum energy at the same density [energy].
    shift, shift_stderr : ndarray (K,)
        E - eps [energy].
    rho, rho_stderr : ndarray (K,)
        dn/dE [1/(energy length^2)] by the centred difference over E +- dE.
    dE : float
        Half width of the difference [energy].
    """

    energies: np.ndarray
    n: np.ndarray
    n_stderr: np.ndarray
    eps: np.ndarray
    eps_stderr: np.ndarray
    shift: np.ndarray
    shift_stderr: np.ndarray
    rho: np.ndarray
    rho_stderr: np.ndarray
    dE: float


def _label_pass(
    model: LatticeModel2D,
    M: int,
    energies: np.ndarray,
    seed: int | np.random.SeedSequence,
    n_slices: int,
    block_slices: int,
    dE: float,
    n_warmup: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Block densities at E - dE, E, E + dE: (B, 3, K) and the jackknife estimator inputs."""
    K = energies.size
    grid = np.concatenate([energies - dE, energies, energies + dE])
    res = idos_strip(
        StripPotential(model, M, seed),
        M,
        model.t,
        grid,
        a=model.a,
        n_slices=n_slices,
        block_slices=block_slices,
        flux=model.flux,
        n_warmup=n_warmup,
    )
    return res.block_density().reshape(-1, 3, K), res.n.reshape(3, K)


def density_label(
    model: LatticeModel2D,
    M: int,
    energies: ArrayLike,
    *,
    seed: int | np.random.SeedSequence,
    n_slices: int,
    block_slices: int,
    dE: float = 0.05,
    n_warmup: int | None = None,
) -> DensityLabel:
    """Density label eps = 2 pi n(E)/m, shift E - eps and rho = dn/dE of the lattice model.

    One pass over the same slices at E - dE, E, E + dE (common random
    numbers: the difference has a small, correlated error); errors by the
    blocked jackknife of (n, rho) together.  rho has the curvature bias
    dE^2 n'''(E)/6.

    Parameters
    ----------
    model : LatticeModel2D
    M : int
        Strip width [sites].
    energies : array_like (K,)
        Lattice energies [energy].
    seed : int or SeedSequence
        Of the :class:`StripPotential`.
    n_slices, block_slices : int
        Counted slices and slices per jackknife block (:func:`idos_strip`).
    dE : float
        Half width of the centred difference [energy].
    n_warmup : int, optional
        Discarded slices; default one block.

    Returns
    -------
    DensityLabel
    """
    e = np.atleast_1d(np.asarray(energies, dtype=float))
    if not dE > 0:
        raise ValueError(f"dE must be > 0, got {dE}")
    warm = block_slices if n_warmup is None else n_warmup
    dens, _ = _label_pass(model, M, e, seed, n_slices, block_slices, dE, warm)

    def est(blocks: np.ndarray) -> np.ndarray:
        mean = blocks.mean(axis=0)  # (3, K)
        n = mean[1]
        eps = 2.0 * np.pi * n / model.m
        rho = (mean[2] - mean[0]) / (2.0 * dE)
        return np.stack([n, eps, e - eps, rho])

    full, se, _ = blocked_jackknife(dens, dens.shape[0], est)
    return DensityLabel(e, full[0], se[0], full[1], se[1], full[2], se[2], full[3], se[3], dE)


@dataclass(frozen=True)
class LabelEnergy:
    """The lattice energy whose density label is ``eps``.

    Attributes
    ----------
    eps : float
        Target label [energy].
    energy, energy_stderr : float
        E with 2 pi n(E)/m = eps [energy] and its blocked-jackknife error.
    shift, shift_stderr : float
        E - eps [energy] (same error as E: eps is exact).
    rho, rho_stderr : float
        dn/dE at E [1/(energy length^2)].
    n_passes : int
        Passes over the slices used by the root find.
    """

    eps: float
    energy: float
    energy_stderr: float
    shift: float
    shift_stderr: float
    rho: float
    rho_stderr: float
    n_passes: int


def _monotone_root(f, e0: float, step: float, xtol: float) -> float:
    """Root of a non-decreasing f: bracket from e0 +- step outward, then Brent to xtol."""
    from scipy.optimize import brentq

    lo, hi = e0 - step, e0 + step
    flo, fhi = f(lo), f(hi)
    while flo > 0:
        lo, hi, fhi = lo - 2 * step, lo, flo
        flo = f(lo)
    while fhi < 0:
        lo, hi, flo = hi, hi + 2 * step, fhi
        fhi = f(hi)
    if flo == 0 or fhi == 0:
        return lo if flo == 0 else hi
    return float(brentq(f, lo, hi, xtol=xtol))


def energy_at_label(
    model: LatticeModel2D,
    M: int,
    eps: float,
    *,
    seed: int | np.random.SeedSequence,
    n_slices: int,
    block_slices: int,
    dE: float = 0.05,
    n_warmup: int | None = None,
    xtol: float | None = None,
) -> LabelEnergy:
    """Lattice energy E whose density label 2 pi n(E)/m is ``eps`` (e.g. eps_F).

    The measured n(E) on fixed slices (the same seed every pass: common
    random numbers) is a non-decreasing step function of E; Brent's method
    finds its crossing of n_target = m eps/(2 pi) to ``xtol`` (default dE/20),
    starting from the bracket around the clean lattice's answer.  A last
    pass at E_b, E_b +- dE refines E = E_b - (n(E_b) - n_target)/rho(E_b) and
    gives its jackknife error, the same linear step on every
    leave-one-block-out replica.
    """
    if not (np.isfinite(eps) and eps > 0):
        raise ValueError(f"target label eps must be finite and > 0, got {eps}")
    warm = block_slices if n_warmup is None else n_warmup
    n_target = model.m * eps / (2.0 * np.pi)
    xtol = dE / 20 if xtol is None else xtol
    passes = 0

    def f(energy: float) -> float:
        nonlocal passes
        passes += 1
        res = idos_strip(
            StripPotential(model, M, seed),
            M,
            model.t,
            [energy],
            a=model.a,
            n_slices=n_slices,
            block_slices=block_slices,
            flux=model.flux,
            n_warmup=warm,
        )
        return float(res.n[0]) - n_target

    # clean lattice guess, then bracket outward in steps of the disorder scale
    grid = np.linspace(0.0, 8.0 * model.t, 20001)
    e0 = float(np.interp(n_target, clean_idos_strip(M, model.t, grid, a=model.a), grid))
    step = max(0.25 * eps, 4.0 * model.m * model.w2, 4.0 * dE)
    e_b = _monotone_root(f, e0, step, xtol)
    dens, _ = _label_pass(model, M, np.array([e_b]), seed, n_slices, block_slices, dE, warm)
    passes += 1

    def est(blocks: np.ndarray) -> np.ndarray:
        mean = blocks.mean(axis=0)[:, 0]
        rho = (mean[2] - mean[0]) / (2.0 * dE)
        return np.array([e_b - (mean[1] - n_target) / rho, rho])

    full, se, _ = blocked_jackknife(dens, dens.shape[0], est)
    return LabelEnergy(
        float(eps),
        float(full[0]),
        float(se[0]),
        float(full[0] - eps),
        float(se[0]),
        float(full[1]),
        float(se[1]),
        passes,
    )
