"""2D lattice model (hotcold.lattice2d): inertia counts, clean and Born limits, disorder streams."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import special

from hotcold.lattice2d import (
    LatticeModel2D,
    StripPotential,
    box_potential,
    choose_a,
    clean_idos_strip,
    density_label,
    energy_at_label,
    idos_strip,
    lattice_covariance,
    strip_pivot_counts,
)
from hotcold.stats import blocked_jackknife, mean_stderr


class ArraySource:
    """A fixed (n, M) potential served slice by slice."""

    def __init__(self, v: np.ndarray) -> None:
        self.v, self.i = v, 0

    def take(self, n: int) -> np.ndarray:
        out = self.v[self.i : self.i + n]
        self.i += n
        return out


class Scaled:
    """``sign`` times another source (antithetic pairs V, -V)."""

    def __init__(self, src, sign: float) -> None:
        self.src, self.sign = src, sign

    def take(self, n: int) -> np.ndarray:
        return self.sign * self.src.take(n)


def dense_strip(v: np.ndarray, t: float, flux: float) -> np.ndarray:
    """Dense H of the strip, built site by site (open in x, periodic in y, Landau gauge)."""
    n, M = v.shape
    h = np.zeros((n * M, n * M), dtype=complex)

    def s(i, l):
        return i * M + l % M

    for i in range(n):
        ph = np.exp(2j * np.pi * flux * i)
        for l in range(M):
            h[s(i, l), s(i, l)] = 4 * t + v[i, l]
            h[s(i, l + 1), s(i, l)] += -t * ph
            h[s(i, l), s(i, l + 1)] += -t * np.conj(ph)
            if i + 1 < n:
                h[s(i + 1, l), s(i, l)] = h[s(i, l), s(i + 1, l)] = -t
    return h


# ---------------------------------------------------------------------------
# Sylvester inertia
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("flux", [0.0, 0.13])
def test_inertia_count_equals_dense_eigvalsh(flux):
    """Sum of negative pivots = number of eigenvalues below E of the dense H, exactly."""
    rng = np.random.default_rng(1)
    M, n, t = 6, 40, 2.0
    v = 1.5 * rng.standard_normal((n, M))
    energies = [-1.3, 0.3, 1.7, 4.1, 8.0, 12.5, 17.9]
    ev = np.linalg.eigvalsh(dense_strip(v, t, flux))
    exact = [int(np.count_nonzero(ev < e)) for e in energies]
    counts = strip_pivot_counts(ArraySource(v), M, t, energies, n, flux=flux, chunk=7)
    assert counts.sum(axis=0).tolist() == exact
    # every prefix of slices too (the cumulative sum is N(E) of the first i + 1 slices)
    ev10 = np.linalg.eigvalsh(dense_strip(v[:10], t, flux))
    assert counts[:10].sum(axis=0).tolist() == [int(np.count_nonzero(ev10 < e)) for e in energies]


def test_clean_strip_count_is_exact():
    """Clean strip: n(E) L M a^2 = #{2t(1 - cos(pi k/(L+1))) + 2t(1 - cos(2 pi j/M)) < E}."""
    L, M, t, a = 50, 8, 1.0, 1.0
    energies = np.array([0.37, 1.91, 3.3, 5.55, 7.1])
    ex = 2 * t * (1 - np.cos(np.pi * np.arange(1, L + 1) / (L + 1)))
    ey = 2 * t * (1 - np.cos(2 * np.pi * np.arange(M) / M))
    ev = (ex[:, None] + ey[None, :]).ravel()
    exact = np.array([np.count_nonzero(ev < e) for e in energies])
    res = idos_strip(
        ArraySource(np.zeros((L, M))), M, t, energies, a=a, n_slices=L, block_slices=25
    )
    assert np.array_equal(np.rint(res.n * L * M * a * a).astype(int), exact)
    assert np.allclose(res.n * L * M * a * a, exact, rtol=0, atol=1e-9)


def test_clean_bulk_and_open_end_bias():
    """Clean strip vs the bulk formula: with a warm-up, within the integer rounding of each open
    k_y mode's count, (#modes)/(n_slices M a^2); without, shifted by the Weyl term -k/(2 pi L_x)
    within the same bound.  The bulk lattice IDOS tends to the continuum m E/(2 pi) with the
    (ka)^2 dispersion error."""
    m, a, M = 1.0, 0.25, 32
    t = 1 / (2 * m * a * a)
    energies = np.array([2.0, 4.0, 6.0])
    bulk = clean_idos_strip(M, t, energies, a=a)
    ns = 4000
    zero = np.zeros((ns + 400, M))
    warm = idos_strip(
        ArraySource(zero), M, t, energies, a=a, n_slices=ns, block_slices=400, n_warmup=400
    )
    cold = idos_strip(ArraySource(zero), M, t, energies, a=a, n_slices=ns, block_slices=400)
    ey = 2 * t * (1 - np.cos(2 * np.pi * np.arange(M) / M))
    modes = (ey[None, :] < energies[:, None]).sum(axis=1)
    bound = modes / (ns * M * a * a)
    weyl = -np.sqrt(2 * m * energies) / (2 * np.pi * ns * a)
    assert np.all(np.abs(warm.n - bulk) <= bound)
    assert np.all(np.abs(cold.n - bulk - weyl) <= bound)
    assert np.all(cold.n < bulk)
    # continuum limit of the bulk lattice IDOS: very wide strip (k_y sum -> integral)
    a2, M2, e2 = 0.2, 2**15, np.array([0.5, 1.0, 2.0])
    n_lat = clean_idos_strip(M2, 1 / (2 * m * a2 * a2), e2, a=a2)
    ka2 = 2 * m * e2 * a2 * a2
    rel = n_lat / (m * e2 / (2 * np.pi)) - 1
    # E_lat = E (1 - (ka)^2 (cos^4 + sin^4)/12): n larger by the angle average (ka)^2/16
    assert np.allclose(rel, ka2 / 16, rtol=0.05), rel


def _local_green(energy: float, M: int, t: float) -> complex:
    """Retarded local Green function per site of the clean strip, infinite in x, periodic y."""
    c = 4 * t - 2 * t * np.cos(2 * np.pi * np.arange(M) / M)
    w = energy + 1e-12j - c
    return complex(np.mean(1 / (w * np.sqrt(1 - (2 * t / w) ** 2))))


def test_weak_white_noise_matches_born():
    """n(E) - n_0(E) -> (w2/(2 pi a^4)) Im g(E)^2 (second order in V, g the lattice local
    Green function; = -rho_0 Re Sigma_Born), measured with antithetic V, -V pairs."""
    m, a, M, w2 = 1.0, 0.25, 32, 0.1
    model = LatticeModel2D("white", w2, 0.0, m, a)
    energies = np.array([2.0, 4.0, 6.0])
    kw = dict(a=a, n_slices=8000, block_slices=400, n_warmup=200)
    res = [
        idos_strip(Scaled(StripPotential(model, M, 3), s), M, model.t, energies, **kw)
        for s in (1.0, -1.0)
    ]
    clean = idos_strip(ArraySource(np.zeros((8200, M))), M, model.t, energies, **kw)
    dn = (res[0].block_density() + res[1].block_density()) / 2 - clean.block_density()
    meas, se, _ = blocked_jackknife(dn, dn.shape[0])
    g = np.array([_local_green(e, M, model.t) for e in energies])
    born = w2 / (2 * np.pi * a**4) * np.imag(g**2)
    assert np.all(meas > 5 * se)  # a measurable shift of the count
    assert np.all(np.abs(meas - born) < 3 * se + 0.05 * born), (meas, se, born)


def test_density_label_clean_limit():
    """w2 -> 0: label eps -> 2 pi n_0(E)/m, rho -> dn_0/dE of the bulk strip formula."""
    model = LatticeModel2D("white", 0.0, 0.0, 1.0, 0.25)
    M, energies = 16, np.array([1.0, 3.0])
    lab = density_label(model, M, energies, seed=1, n_slices=3000, block_slices=500, dE=0.1)
    n0 = clean_idos_strip(M, model.t, energies, a=model.a)
    assert np.allclose(lab.eps, 2 * np.pi * n0 / model.m, rtol=2e-3)
    assert np.allclose(lab.shift, energies - lab.eps)
    rho0 = (
        clean_idos_strip(M, model.t, energies + 0.1, a=model.a)
        - clean_idos_strip(M, model.t, energies - 0.1, a=model.a)
    ) / 0.2
    # each open k_y mode's count is an integer: |error| <= 2 modes/(n_slices M a^2 2 dE)
    ey = 2 * model.t * (1 - np.cos(2 * np.pi * np.arange(M) / M))
    modes = (ey[None, :] < energies[:, None] + 0.1).sum(axis=1)
    bound = 2 * modes / (3000 * M * model.a**2 * 0.2)
    assert np.all(np.abs(lab.rho - rho0) <= bound), (lab.rho, rho0, bound)
    assert np.all(bound < 0.2 * rho0)


def test_energy_at_label_inverts_the_label():
    """Clean: E(eps) = the bulk formula's inverse (within the channel rounding); weak white
    noise: the label of the returned E, remeasured on the same slices, is eps within 0.1 s.e."""
    M, kw = 24, dict(seed=4, n_slices=4000, block_slices=500, dE=0.1)
    clean = LatticeModel2D("white", 0.0, 0.0, 1.0, 0.25)
    r = energy_at_label(clean, M, 1.0, **kw)
    grid = np.linspace(0.5, 1.5, 100001)
    e0 = np.interp(1 / (2 * np.pi), clean_idos_strip(M, clean.t, grid, a=clean.a), grid)
    ey = 2 * clean.t * (1 - np.cos(2 * np.pi * np.arange(M) / M))
    rho0 = np.gradient(clean_idos_strip(M, clean.t, grid, a=clean.a), grid)
    bound = np.count_nonzero(ey < e0) / (4000 * M * clean.a**2) / np.interp(e0, grid, rho0)
    assert abs(r.energy - e0) < bound, (r.energy, e0, bound)
    assert r.shift == pytest.approx(r.energy - 1.0)
    weak = LatticeModel2D("white", 0.3, 0.0, 1.0, 0.25)
    r = energy_at_label(weak, M, 1.0, **kw)
    lab = density_label(weak, M, [r.energy], **kw)
    assert r.energy_stderr > 0 and abs(lab.eps[0] - 1.0) < 0.1 * lab.eps_stderr[0]
    assert r.energy < e0  # disorder pulls the states down (Re Sigma < 0 below mid-band)


# ---------------------------------------------------------------------------
# Disorder streams
# ---------------------------------------------------------------------------


def _strip_correlator(src, M: int, lags, n_batches: int, batch: int):
    """<V(x, y) V(x + i a, y + l a)> per batch of slices: mean and standard error."""
    est = np.empty((n_batches, len(lags)))
    for b in range(n_batches):
        v = src.take(batch)
        for j, (i, l) in enumerate(lags):
            est[b, j] = np.mean(v[: batch - i] * np.roll(v, -l, axis=1)[i:])
    return mean_stderr(est)


LAGS = [(0, 0), (1, 0), (0, 1), (2, 2), (4, 0), (0, 6), (8, 3)]


@pytest.mark.parametrize(
    "family,d,a",
    [("white", 0.0, 0.25), ("gaussian", 0.5, 0.125), ("exponential", 0.5, 0.125)],
)
def test_strip_correlator_matches_target(family, d, a):
    """Measured strip correlator = lattice_covariance (band-limited S_2D on the lattice BZ,
    periodic in y) within 4 s.e.; white: w2/a^2 on site, 0 elsewhere."""
    model = LatticeModel2D(family, 1.3, d, 1.0, a)
    M = 24
    c, se = _strip_correlator(StripPotential(model, M, 7), M, LAGS, 24, 2000)
    target = lattice_covariance(model, (8192, M))
    tgt = np.array([target[i, l] for i, l in LAGS])
    if family == "white":
        assert tgt[0] == pytest.approx(1.3 / a**2) and np.allclose(tgt[1:], 0, atol=1e-12)
    assert np.all(np.abs(c - tgt) < 4 * se), (c, tgt, se)


def test_lattice_target_against_continuum_correlator():
    """The band-limited target vs the continuum C_2D: Gaussian w2 exp(-r^2/4d^2)/(4 pi d^2)
    to 1e-9; exponential w2 K0(r/d)/(2 pi d^2) to 3 % beyond r = d (a = d/4)."""
    a, d, w2, L = 0.125, 0.5, 1.3, 256
    r = np.array([(0, 0), (1, 0), (3, 4), (8, 0), (12, 5)])
    dist = a * np.hypot(r[:, 0], r[:, 1])
    g = lattice_covariance(LatticeModel2D("gaussian", w2, d, 1.0, a), (L, L))[r[:, 0], r[:, 1]]
    assert np.allclose(g, w2 * np.exp(-(dist**2) / (4 * d * d)) / (4 * np.pi * d * d), rtol=1e-9)
    e = lattice_covariance(LatticeModel2D("exponential", w2, d, 1.0, a), (L, L))
    far = dist >= d
    k0 = w2 * special.k0(dist[far] / d) / (2 * np.pi * d * d)
    assert np.allclose(e[r[far, 0], r[far, 1]], k0, rtol=0.03)


@pytest.mark.parametrize("family,d", [("white", 0.0), ("exponential", 0.5), ("lorentzian", 0.5)])
def test_box_correlator_matches_target(family, d):
    """Periodic boxes: circular autocorrelation over realizations = lattice_covariance (L, L)."""
    model = LatticeModel2D(family, 0.8, d, 1.0, 0.125)
    L, n = 32, 300
    target = lattice_covariance(model, (L, L))
    est = np.empty((n, len(LAGS)))
    for k in range(n):
        v = box_potential(model, L, 5, k)
        for j, (i, l) in enumerate(LAGS):
            est[k, j] = np.mean(v * np.roll(np.roll(v, -i, axis=0), -l, axis=1))
    c, se = mean_stderr(est)
    tgt = np.array([target[i, l] for i, l in LAGS])
    assert np.all(np.abs(c - tgt) < 4 * se), (c, tgt, se)


@pytest.mark.parametrize("family,d", [("white", 0.0), ("gaussian", 0.5), ("exponential", 0.5)])
def test_strip_stream_reproducible(family, d):
    """take(7) + take(100) == take(107) bit for bit, across internal blocks too;
    the same seed in a new object repeats; another seed differs."""
    model = LatticeModel2D(family, 1.0, d, 1.0, 0.125)
    M = 16
    ref = StripPotential(model, M, 11).take(5107)
    s = StripPotential(model, M, 11)
    parts = np.concatenate([s.take(7), s.take(100), s.take(5000)])
    assert ref.shape == (5107, M) and ref.dtype == np.float64
    assert np.array_equal(parts, ref)
    assert not np.allclose(StripPotential(model, M, 12).take(107), ref[:107])
    assert np.array_equal(box_potential(model, 8, 3, 2), box_potential(model, 8, 3, 2))
    assert not np.allclose(box_potential(model, 8, 3, 2), box_potential(model, 8, 3, 1))


def test_choose_a_ladder():
    """a from the ladder 2^-j: the largest with k a <= 0.25 and a <= d/4; stable under small
    changes of k_max."""
    k = np.sqrt(2.0)  # m = 1, eps = 1
    assert choose_a(k) == 0.125
    assert choose_a(1.05 * k) == choose_a(0.95 * k) == 0.125
    assert choose_a(k, 0.25) == 0.0625
    assert choose_a(k, ka_max=0.5) == 0.25
    for kk, dd in [(0.3, 0.0), (3.7, 0.0), (1.0, 0.13), (10.0, 2.0)]:
        a = choose_a(kk, dd)
        assert kk * a <= 0.25 and (dd == 0 or a <= dd / 4)
        assert kk * 2 * a > 0.25 or (dd > 0 and 2 * a > dd / 4)


def test_bad_input():
    with pytest.raises(ValueError, match="w2 must be finite and >= 0"):
        LatticeModel2D("white", -1.0, 0.0, 1.0, 0.25)
    with pytest.raises(ValueError, match="does not resolve the correlation radius"):
        LatticeModel2D("gaussian", 1.0, 0.5, 1.0, 0.5)
    with pytest.raises(ValueError, match="mass m must be"):
        LatticeModel2D("white", 1.0, 0.0, 0.0, 0.25)
    with pytest.raises(ValueError, match="lattice step a must be"):
        LatticeModel2D("white", 1.0, 0.0, 1.0, -0.25)
    with pytest.raises(ValueError, match="unknown disorder family"):
        LatticeModel2D("pink", 1.0, 0.3, 1.0, 0.05)
    with pytest.raises(ValueError, match="flux"):
        LatticeModel2D("white", 1.0, 0.0, 1.0, 0.25, flux=np.nan)
    model = LatticeModel2D("white", 1.0, 0.0, 1.0, 0.25)
    with pytest.raises(ValueError, match="strip width M"):
        StripPotential(model, 2, 1)
    with pytest.raises(ValueError, match="box side"):
        box_potential(model, 1, 1, 0)
    with pytest.raises(ValueError, match="multiple of block_slices"):
        idos_strip(
            StripPotential(model, 4, 1), 4, model.t, [1.0], a=0.25, n_slices=10, block_slices=4
        )
    with pytest.raises(ValueError, match="k_max must be"):
        choose_a(0.0)
    with pytest.raises(ValueError, match="dE must be > 0"):
        density_label(model, 4, [1.0], seed=1, n_slices=8, block_slices=4, dE=0.0)
