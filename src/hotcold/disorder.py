"""Gaussian random potentials in 1D, streamed and reproducible (docs/physics.md §1.1).

A realization is fully determined by (family, w, d, dx, seed, stream key):
child seeds come from :class:`numpy.random.SeedSequence`, so any job, in any
order and on any number of cores, regenerates the same arrays bit for bit.

The potential is represented by its values U_n = U(x_n) on the grid
x_n = n dx [energy]:

* white (d = 0): U_n ~ N(0, w/dx) i.i.d. (cell average of w delta-correlated
  noise; the kicks U_n dx then have exactly the white spectrum S_U(q) = w);
* exponential: the exact AR(1) recursion of the Ornstein-Uhlenbeck process,
  U_{n+1} = a U_n + sqrt(1 - a^2) sigma g_n with a = exp(-dx/d),
  sigma^2 = C(0) = w/(2d);
* lorentzian, gaussian: U = h * g, a FIR filter of white noise with the
  kernel h whose Fourier transform is sqrt(S_U(q)), applied block by block
  with overlap-save (O(block + kernel) memory).
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Iterator
from dataclasses import dataclass

import numba
import numpy as np
from scipy import fft as sp_fft

from . import families
from .stats import mean_stderr
from .theory import correlator, power_spectrum

__all__ = [
    "Model",
    "model_seed",
    "fir_kernel",
    "FastNormals",
    "PotentialStream",
    "realizations",
    "measure_correlator",
]

#: Purpose keys that make the random streams of different stages independent.
STREAMS = {"localization": 1, "realizations": 2, "correlator": 3}

#: FIR block length (fixed: the FFT size must not depend on user settings so
#: that streams are reproducible bit for bit).
_FIR_BLOCK = 1 << 16


@dataclass(frozen=True)
class Model:
    """A 1D disorder model: family, strength w [energy^2 length], radius d [length].

    ``d == 0`` is white noise whatever the family; it is normalised to family
    ``white`` so that the white model is one model, not one per family.
    """

    family: str
    w: float
    d: float

    def __post_init__(self) -> None:
        fam = families.get(self.family, self.d)  # ValueError if unknown
        if not (np.isfinite(self.w) and self.w >= 0):
            raise ValueError(f"disorder strength w must be finite and >= 0, got {self.w}")
        if not (np.isfinite(self.d) and self.d >= 0):
            raise ValueError(f"correlation radius d must be finite and >= 0, got {self.d}")
        if fam is families.WHITE:
            object.__setattr__(self, "family", fam.name)
            object.__setattr__(self, "d", 0.0)

    @property
    def kind(self) -> families.Family:
        """The family object of :mod:`hotcold.families` (white noise for d = 0)."""
        return families.get(self.family, self.d)

    @property
    def label(self) -> str:
        return self.family if self.d == 0 else f"{self.family} d={self.d:g}"

    def spectrum(self, q: np.ndarray) -> np.ndarray:
        """Power spectrum S_U(q) [energy^2 length] (docs/physics.md §1.1)."""
        return power_spectrum(q, self.family, self.w, self.d)

    def correlator(self, x: np.ndarray) -> np.ndarray:
        """Correlator C(x) [energy^2]; white noise has none pointwise."""
        return correlator(x, self.family, self.w, self.d)


def model_seed(seed: int, model: Model, stream: str, *extra: int) -> np.random.SeedSequence:
    """Child seed for a (model, purpose) pair, independent of every other pair.

    The spawn key holds the purpose, a CRC32 of the model's family and the
    exact bits of d, so adding models to a sweep never changes existing ones.
    Disorder strength and grid step are *not* in the key: changing them
    rescales the same underlying white noise (common random numbers).
    """
    fam = zlib.crc32(model.family.encode())
    dbits = int(np.float64(model.d).view(np.uint64))
    key = (STREAMS[stream], fam, dbits & 0xFFFFFFFF, dbits >> 32, *extra)
    return np.random.SeedSequence(int(seed), spawn_key=key)


def fir_kernel(model: Model, dx: float, tol: float = 1e-10) -> np.ndarray:
    """Discrete kernel h_j = sqrt(dx) h(j dx), |j| <= J, with |FT h|^2 = S_U.

    Then U_n = sum_j h_j g_{n-j} with g i.i.d. N(0, 1) has covariance
    dx sum_j h(x_n - x_j) h(x_m - x_j) ~ C(x_n - x_m).

    The profile h(x) and its cut (where it has fallen below ``tol`` of its
    maximum, or a fixed multiple of d) are the family's
    (:meth:`hotcold.families.Family.fir_profile`, ``fir_half_width``).
    """
    fam = model.kind
    if fam.sampler != "fir":
        raise ValueError(f"no FIR kernel for family {model.family!r}")
    nj = int(np.ceil(fam.fir_half_width(model.d, tol) / dx))
    x = np.arange(-nj, nj + 1) * dx
    return np.sqrt(dx) * fam.fir_profile(x, model.w, model.d)


_ZIG_R = 3.6541528853610088  # start of the tail of the 256-layer ziggurat (Marsaglia & Tsang)
_ZIG_V = 0.00492867323399  # area of each layer


def _ziggurat_tables() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Layer edges x_i (x_0 = v/f(r) for the base strip with the tail, x_1 = r, x_256 = 0),
    f(x_i) = exp(-x_i^2/2) and the 52-bit fast-accept thresholds x_{i+1}/x_i * 2^52."""
    x = np.zeros(257)
    x[0] = _ZIG_V / np.exp(-0.5 * _ZIG_R**2)
    x[1] = _ZIG_R
    for i in range(1, 255):
        x[i + 1] = np.sqrt(-2.0 * np.log(_ZIG_V / x[i] + np.exp(-0.5 * x[i] ** 2)))
    fx = np.exp(-0.5 * x * x)
    ki = np.floor(x[1:] / x[:-1] * 2.0**52).astype(np.int64)
    return x, fx, ki


_ZIG = _ziggurat_tables()


@numba.njit(cache=True, inline="always")
def _xoshiro(s0, s1, s2, s3):  # pragma: no cover
    """xoshiro256** (Blackman & Vigna): (64-bit output, next state)."""
    t = s1 * np.uint64(5)
    out = ((t << np.uint64(7)) | (t >> np.uint64(57))) * np.uint64(9)
    u = s1 << np.uint64(17)
    s2 ^= s0
    s3 ^= s1
    s1 ^= s2
    s0 ^= s3
    s2 ^= u
    s3 = (s3 << np.uint64(45)) | (s3 >> np.uint64(19))
    return out, s0, s1, s2, s3


@numba.njit(cache=True, inline="always")
def _unit(bits):  # pragma: no cover
    """Uniform in (0, 1) from the top 53 bits."""
    return (float(np.int64(bits >> np.uint64(11))) + 0.5) * (1.0 / 9007199254740992.0)


@numba.njit(cache=True)
def _ziggurat_fill(s, out, x, fx, ki, factor):  # pragma: no cover
    """Fill ``out`` with ``factor`` x N(0, 1) draws (ziggurat: 8 bits layer, 1 sign, 52 mantissa).

    ``s`` is the xoshiro256** state (4 uint64), updated in place.
    """
    scale = 1.0 / 4503599627370496.0
    r = x[1]
    s0, s1, s2, s3 = s[0], s[1], s[2], s[3]
    for k in range(out.size):
        while True:
            raw, s0, s1, s2, s3 = _xoshiro(s0, s1, s2, s3)
            b = np.int64(raw >> np.uint64(1))
            i = b & 0xFF
            rabs = b >> 11
            z = rabs * scale * x[i]
            if rabs < ki[i]:
                break
            if i == 0:  # tail beyond r (Marsaglia's method)
                while True:
                    raw, s0, s1, s2, s3 = _xoshiro(s0, s1, s2, s3)
                    t = -math.log(_unit(raw)) / r
                    raw, s0, s1, s2, s3 = _xoshiro(s0, s1, s2, s3)
                    if -2.0 * math.log(_unit(raw)) > t * t:
                        break
                z = r + t
                break
            raw, s0, s1, s2, s3 = _xoshiro(s0, s1, s2, s3)
            if fx[i] + _unit(raw) * (fx[i + 1] - fx[i]) < math.exp(-0.5 * z * z):
                break
        out[k] = factor * (-z if (b >> 8) & 1 else z)
    s[0], s[1], s[2], s[3] = s0, s1, s2, s3


@numba.njit(cache=True)
def _ar1(g, a, b, prev):  # pragma: no cover
    """Exact AR(1) (Ornstein-Uhlenbeck) recursion U_n = a U_{n-1} + b g_n."""
    out = np.empty(g.size)
    for i in range(g.size):
        prev = a * prev + b * g[i]
        out[i] = prev
    return out


class FastNormals:
    """Reproducible i.i.d. N(0, 1) stream: xoshiro256** seeded from a SeedSequence, ziggurat.

    The concatenation of successive draws does not depend on the request sizes.
    """

    def __init__(self, seed: np.random.SeedSequence | int) -> None:
        ss = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
        self._s = ss.generate_state(4, np.uint64)
        if not self._s.any():
            self._s[0] = 1

    def normals(self, n: int, scale: float = 1.0) -> np.ndarray:
        """The next ``n`` draws, times ``scale`` (scale x z: the same bits as scaling after)."""
        out = np.empty(int(n))
        _ziggurat_fill(self._s, out, *_ZIG, float(scale))
        return out


class PotentialStream:
    """Endless stream of potential values U_n on the grid x_n = n dx [energy].

    Memory is O(block + kernel).  The concatenation of successive blocks does
    not depend on the block sizes requested (white and exponential) or is
    fixed by the internal FIR block (lorentzian, gaussian), so results are
    bit-identical for given (model, dx, seed).

    Parameters
    ----------
    model : Model
    dx : float
        Grid step [length], must resolve d (dx <= d/4 is enforced).
    seed : SeedSequence or int
    fast : bool
        The transfer-matrix stage's stream (the realizations and the
        correlator check keep the default, bit for bit): the i.i.d. N(0, 1)
        input comes from :class:`FastNormals` (xoshiro256** + ziggurat in
        numba, several times cheaper than numpy's), and the FIR families use
        overlap-save with the kernel's spectrum computed once, in blocks of
        nfft - taps + 1 cells (nfft >= 4 taps, a power of two), instead of
        :func:`scipy.signal.fftconvolve` on blocks of 65536 (same values for
        the same input up to rounding, ~1e-15 relative).
    """

    def __init__(
        self,
        model: Model,
        dx: float,
        seed: np.random.SeedSequence | int,
        fast: bool = False,
    ) -> None:
        if not (dx > 0 and np.isfinite(dx)):
            raise ValueError(f"grid step dx must be > 0, got {dx}")
        if model.d > 0 and dx > model.d / 4:
            raise ValueError(f"grid step dx={dx} does not resolve d={model.d} (need dx <= d/4)")
        self.model, self.dx = model, float(dx)
        self._fast = bool(fast)
        if fast:
            self._normal = FastNormals(seed).normals
        else:
            self._normal = np.random.Generator(np.random.PCG64(seed)).standard_normal
        self._buffer = np.empty(0)
        self._sampler = model.kind.sampler
        if self._sampler == "ar1":
            self._a, self._sigma = model.kind.ar1_coefficients(model.w, model.d, dx)
            g0 = self._normal(1)[0] if fast else self._normal()
            self._state = self._sigma * g0  # stationary start
        elif self._sampler == "fir":
            self._h = fir_kernel(model, dx)
            self._tail = self._normal(self._h.size - 1)
            self._spectrum = None
            if fast:
                nfft = max(1 << 16, 1 << int(np.ceil(np.log2(4 * self._h.size))))
                self._spectrum = sp_fft.rfft(self._h, nfft)

    def _produce(self, n: int = _FIR_BLOCK) -> np.ndarray:
        """The next block: ``n`` cells (white, exponential) or the FIR block."""
        if self._sampler == "iid":
            scale = np.sqrt(self.model.w / self.dx)
            return self._normal(n, scale) if self._fast else scale * self._normal(n)
        if self._sampler == "ar1":
            g = self._normal(n)
            b = self._sigma * np.sqrt(1.0 - self._a**2)
            if self._fast:
                out = _ar1(g, self._a, b, self._state)
            else:
                from scipy import signal  # here: 0.6 s of import the fast stream never needs

                out, zf = signal.lfilter([b], [1.0, -self._a], g, zi=[self._a * self._state])
            self._state = out[-1]
            return out
        if self._spectrum is not None:
            return self._produce_overlap_save()
        from scipy import signal  # here: 0.6 s of import the fast stream never needs

        g = np.concatenate([self._tail, self._normal(_FIR_BLOCK)])
        self._tail = g[-(self._h.size - 1) :] if self._h.size > 1 else g[:0]
        return signal.fftconvolve(g, self._h, mode="valid")

    def _produce_overlap_save(self) -> np.ndarray:
        """One block of U = h * g by overlap-save with the precomputed kernel spectrum."""
        nfft = 2 * (self._spectrum.size - 1)
        taps = self._h.size
        g = np.concatenate([self._tail, self._normal(nfft - taps + 1)])
        self._tail = g[-(taps - 1) :] if taps > 1 else g[:0]
        return sp_fft.irfft(sp_fft.rfft(g) * self._spectrum, nfft)[taps - 1 :]

    def take(self, n: int) -> np.ndarray:
        """Return the next ``n`` values of the stream."""
        if self._buffer.size == 0 and self._fast and self.model.kind.block_free:
            return self._produce(n)  # the stream does not depend on block sizes: no copy
        parts, have = [self._buffer], self._buffer.size
        while have < n:
            blk = self._produce()
            parts.append(blk)
            have += blk.size
        allv = np.concatenate(parts)
        self._buffer = allv[n:]
        return allv[:n]

    def chunks(self, size: int) -> Iterator[np.ndarray]:
        """Endless iterator of consecutive chunks of ``size`` values."""
        while True:
            yield self.take(size)


def realizations(model: Model, dx: float, n_sites: int, n_real: int, seed: int) -> np.ndarray:
    """Independent realizations for exact diagonalization, shape (n_real, n_sites) [energy].

    Realization r uses its own child seed (``model_seed(..., 'realizations', r)``),
    so the set is the same whichever subset or order is generated.
    """
    out = np.empty((n_real, n_sites))
    for r in range(n_real):
        out[r] = PotentialStream(model, dx, model_seed(seed, model, "realizations", r)).take(
            n_sites
        )
    return out


def measure_correlator(
    model: Model, dx: float, seed: int, n_lags: int, n_cells: int, n_batches: int = 16
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Measured correlator <U(x) U(0)> at lags j dx with its standard error.

    A stream of ``n_cells`` values is split into ``n_batches`` consecutive
    batches; the per-batch FFT estimates give the mean and standard error.

    Returns
    -------
    lags : ndarray [length]
    c_mean, c_stderr : ndarray [energy^2]
    """
    stream = PotentialStream(model, dx, model_seed(seed, model, "correlator"))
    nb = n_cells // n_batches
    est = np.empty((n_batches, n_lags))
    for b in range(n_batches):
        u = stream.take(nb)
        nfft = 1 << int(np.ceil(np.log2(2 * nb)))
        f = np.fft.rfft(u, nfft)
        ac = np.fft.irfft(f * np.conj(f), nfft)[:n_lags]
        est[b] = ac / (nb - np.arange(n_lags))
    return (np.arange(n_lags) * dx, *mean_stderr(est))


def disorder_dataset(
    model: Model,
    seed: int,
    ed_dx: float,
    ed_sites: int,
    ed_realizations: int,
    corr_dx: float,
    corr_lags: int,
    corr_cells: int,
):
    """Per-model dataset (docs/physics.md §1.1): ED realizations and measured vs target correlator.

    Parameters
    ----------
    model : Model
    seed : int
    ed_dx, ed_sites, ed_realizations
        Grid step [length], number of sites and of realizations used by the
        exact-diagonalization (spectral) stage.
    corr_dx, corr_lags, corr_cells
        Grid step, number of lags and stream length of the correlator check.
    """
    import xarray as xr

    from .datasets import set_attrs

    pot = realizations(model, ed_dx, ed_sites, ed_realizations, seed)
    lags, c_mean, c_se = measure_correlator(model, corr_dx, seed, corr_lags, corr_cells)
    if model.d == 0:
        target = np.where(lags == 0, model.w / corr_dx, 0.0)
        tgt_name = "target correlator of the discretised white noise, w/dx at lag 0"
    else:
        target = model.correlator(lags)
        tgt_name = "target correlator C(x) (docs/physics.md §1.1 table)"
    ds = xr.Dataset(
        {
            "potential": (("realization", "x"), pot),
            "correlator": ("lag", c_mean),
            "correlator_stderr": ("lag", c_se),
            "correlator_target": ("lag", target),
        },
        coords={
            "realization": np.arange(ed_realizations),
            "x": np.arange(ed_sites) * ed_dx,
            "lag": lags,
        },
    )
    set_attrs(
        ds["potential"], "energy", "random potential U(x_n) of each realization", grid_step=ed_dx
    )
    set_attrs(ds["correlator"], "energy^2", "measured correlator <U(x) U(0)>")
    set_attrs(ds["correlator_stderr"], "energy^2", "standard error of the measured correlator")
    set_attrs(ds["correlator_target"], "energy^2", tgt_name)
    set_attrs(ds["realization"], "1", "realization index (child seed key)")
    set_attrs(ds["x"], "length", "position in the box")
    set_attrs(ds["lag"], "length", "separation x of the correlator")
    ds.attrs.update(family=model.family, d=model.d, w=model.w, dx=ed_dx, correlator_dx=corr_dx)
    return ds
