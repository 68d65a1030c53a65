"""2D strip transfer-matrix engine (hotcold.strip) against independent results."""

from __future__ import annotations

import numpy as np
import pytest

from hotcold.strip import (
    clean_exponents,
    lyapunov_spectrum,
    strip_lyapunov,
    transfer_matrix,
)


class WhiteSource:
    """i.i.d. normal V(x, y) with variance w2/a^2 [energy^2] (a test double of the 2D disorder)."""

    def __init__(self, M: int, w2: float, a: float, seed: int) -> None:
        self.M, self.scale = M, np.sqrt(w2) / a
        self.rng = np.random.default_rng(np.random.SeedSequence(seed))

    def take(self, n: int) -> np.ndarray:
        return self.scale * self.rng.standard_normal((n, self.M))


def _product(V: np.ndarray, t: float, E: float, flux: float = 0.0) -> np.ndarray:
    """Explicit T_n ... T_1 from dense 2M x 2M matrices (independent of the engine)."""
    M = V.shape[1]
    P = np.eye(2 * M, dtype=complex if flux else float)
    for x in range(V.shape[0]):
        P = transfer_matrix(V[x], t, E, 2 * np.pi * flux * x) @ P
    return P


# 1. Clean strip ------------------------------------------------------------


@pytest.mark.parametrize(
    ("M", "t", "E"), [(3, 1.0, 0.5), (5, 1.0, 0.3), (6, 2.0, -0.7), (4, 8.0, 1.0)]
)
@pytest.mark.parametrize("qr", ["cholesky", "householder"])
def test_clean_exponents(M, t, E, qr):
    """Evanescent clean channels: gamma = arccosh(|eps_perp - E|/(2t)) to 1e-10."""
    exact = clean_exponents(M, t, E)
    V = np.zeros((600, M))
    warm = lyapunov_spectrum(V[:300], t, E, n_qr=3, qr=qr)  # converge to the invariant subspaces
    s = lyapunov_spectrum(V[300:], t, E, n_qr=3, frame=warm.frame, x0=300, qr=qr)
    ev = exact > 1e-3
    assert ev.any()
    np.testing.assert_allclose(s.gamma[ev], exact[ev], rtol=0, atol=1e-10)
    assert np.all(np.abs(s.gamma[~ev]) < 0.02)  # propagating channels: O(1/L)


def test_clean_formula_by_hand():
    """clean_exponents against the recursion for one channel written out (M = 4, k_y = pi)."""
    t, E = 1.0, 0.5
    lam = (4 * t - 2 * t * np.cos(np.pi) - E) / t  # 5.5
    psi = [0.0, 1.0]
    for _ in range(200):
        psi.append(lam * psi[-1] - psi[-2])
    g = np.log(abs(psi[-1] / psi[-2]))
    assert clean_exponents(4, t, E)[0] == pytest.approx(g, abs=1e-12)


# 2. QR accumulation vs the explicit product ----------------------------------


@pytest.mark.parametrize("M", [2, 3, 4, 6])
@pytest.mark.parametrize("flux", [0.0, 0.137])
@pytest.mark.parametrize("qr", ["cholesky", "householder"])
def test_accumulation_matches_product(M, flux, qr):
    """sum_{i<=k} ln R_ii = 0.5 ln det of the leading k x k Gram of P Q0 for every k.

    E = 4t (band centre) keeps the growth over 30 slices moderate, so the explicit
    float64 product and its Gram determinants are accurate.
    """
    t, E = 1.0, 4.0
    V = np.random.default_rng(M).normal(0.0, 1.0, (30, M))
    s = lyapunov_spectrum(V, t, E, flux, n_qr=4, qr=qr)
    P = _product(V, t, E, flux)
    F = P[:, :M]  # Q0 = [1; 0]
    acc = np.cumsum(s.log_r.sum(axis=0))
    # The float64 product loses ~1e-10..1e-7 in ln det of its small directions (measured
    # against exact arithmetic: the engine agreed with the exact value to 1e-13 where
    # this reference was 1.4e-10 off); the exact rational test below is the tight one.
    tol = 1e-6
    for k in range(1, M + 1):
        G = F[:, :k].conj().T @ F[:, :k]
        ref = 0.5 * np.linalg.slogdet(G)[1]
        assert acc[k - 1] == pytest.approx(ref, abs=tol)
    assert s.log_r.sum(axis=0)[0] == pytest.approx(np.log(np.linalg.norm(F[:, 0])), abs=1e-10)
    # the returned frame is orthonormal and spans the propagated subspace
    Q = s.frame
    np.testing.assert_allclose(Q.conj().T @ Q, np.eye(M), atol=1e-13)
    resid = F - Q @ (Q.conj().T @ F)
    assert np.linalg.norm(resid) <= 1e-10 * np.linalg.norm(F)


def test_accumulation_matches_exact_rational_product():
    """Against the product and Gram determinants in exact rational arithmetic (no rounding)."""
    import math
    from fractions import Fraction

    M, t, E = 3, 1.0, 4.0
    V = np.random.default_rng(13).normal(0.0, 1.0, (30, M))
    acc = np.cumsum(lyapunov_spectrum(V, t, E, n_qr=5).log_r.sum(axis=0))
    P = [[Fraction(int(i == j)) for j in range(M)] for i in range(2 * M)]  # Q0 = [1; 0]
    for x in range(30):
        T = [[Fraction(v) for v in row] for row in transfer_matrix(V[x], t, E).tolist()]
        P = [[sum(T[i][k] * P[k][j] for k in range(2 * M)) for j in range(M)] for i in range(2 * M)]
    for k in range(1, M + 1):
        G = [[sum(P[r][i] * P[r][j] for r in range(2 * M)) for j in range(k)] for i in range(k)]
        det = Fraction(1)
        for i in range(k):  # Gaussian elimination (G is positive definite: no pivoting)
            det *= G[i][i]
            for r in range(i + 1, k):
                f = G[r][i] / G[i][i]
                G[r] = [G[r][c] - f * G[i][c] for c in range(k)]
        ref = 0.5 * (math.log(det.numerator) - math.log(det.denominator))
        assert acc[k - 1] == pytest.approx(ref, abs=1e-11)


# 3. Flux -------------------------------------------------------------------


def test_zero_flux_complex_path_equals_real():
    M, t, E = 5, 1.0, 0.3
    V = np.random.default_rng(3).normal(0.0, 1.0, (200, M))
    real = lyapunov_spectrum(V, t, E, 0.0, n_qr=4)
    again = lyapunov_spectrum(V, t, E, 0.0, n_qr=4)
    assert real.frame.dtype == np.float64
    assert np.array_equal(real.gamma, again.gamma)
    f0 = np.zeros((2 * M, M), complex)
    f0[:M] = np.eye(M)
    cplx = lyapunov_spectrum(V, t, E, 0.0, n_qr=4, frame=f0)
    assert cplx.frame.dtype == np.complex128
    np.testing.assert_allclose(cplx.gamma, real.gamma, rtol=0, atol=1e-12)


def test_integer_flux_is_gauge_equivalent_to_zero():
    M, t, E = 6, 1.0, 0.8
    V = np.random.default_rng(4).normal(0.0, 1.5, (300, M))
    g0 = lyapunov_spectrum(V, t, E, 0.0, n_qr=4).gamma
    for phi in (1.0, -2.0):
        np.testing.assert_allclose(lyapunov_spectrum(V, t, E, phi, n_qr=4).gamma, g0, atol=1e-10)
    # and a flux does change it
    assert np.max(np.abs(lyapunov_spectrum(V, t, E, 0.25, n_qr=4).gamma - g0)) > 1e-3


@pytest.mark.parametrize("flux", [0.0, 0.21])
def test_product_is_symplectic(flux):
    """T^H J T = J for every slice and the product of 40 (J = [[0, 1], [-1, 0]])."""
    M, t, E = 4, 1.0, 0.3
    V = np.random.default_rng(5).normal(0.0, 0.7, (40, M))
    J = np.block([[np.zeros((M, M)), np.eye(M)], [-np.eye(M), np.zeros((M, M))]])
    T = transfer_matrix(V[7], t, E, 2 * np.pi * flux * 7)
    np.testing.assert_allclose(T.conj().T @ J @ T, J, atol=1e-12)
    P = _product(V, t, E, flux)
    np.testing.assert_allclose(P.conj().T @ J @ P, J, atol=1e-12 * np.linalg.norm(P) ** 2)


def test_one_site_flux_is_aharonov_bohm():
    """M = 1 with flux: H_perp(x) = 4t - 2t cos(2 pi phi x), the recursion written out."""
    t, E, phi, n = 1.0, 0.5, 0.1, 50
    s = lyapunov_spectrum(np.zeros((n, 1)), t, E, phi, n_qr=5)
    psi_prev, psi = 0.0, 1.0
    for x in range(n):
        lam = (4 * t - 2 * t * np.cos(2 * np.pi * phi * x) - E) / t
        psi_prev, psi = psi, lam * psi - psi_prev
    ref = np.log(np.hypot(psi, psi_prev))
    assert s.gamma[0] * n == pytest.approx(ref, abs=1e-11)


# 4. Reproducibility and error control ----------------------------------------


def _run(seed, **kw):
    M, m, w2, a = 8, 1.0, 1.5, 0.25
    t = 1.0 / (2 * m * a * a)
    return strip_lyapunov(WhiteSource(M, w2, a, seed), M, t, 1.0, a=a, **kw)


def test_bit_identical_for_same_seed():
    r1 = _run(11, rel_error=0.1, max_slices=200_000)
    r2 = _run(11, rel_error=0.1, max_slices=200_000)
    assert r1.xi_M == r2.xi_M and r1.xi_M_stderr == r2.xi_M_stderr
    assert np.array_equal(r1.gamma, r2.gamma) and r1.n_slices == r2.n_slices
    r3 = _run(12, rel_error=0.1, max_slices=200_000)
    assert r3.xi_M != r1.xi_M


def test_stops_at_target():
    r = _run(7, rel_error=0.05, max_slices=2_000_000)
    assert not r.cap_hit
    assert r.xi_M_stderr <= 0.05 * r.xi_M
    assert r.n_blocks >= 16 and r.n_slices == r.n_blocks * r.block_slices
    assert r.block_slices % r.n_qr == 0 and r.block_slices >= 10 * r.xi_M / r.a
    assert r.gamma[-1] == pytest.approx(1 / (2 * r.xi_M), rel=1e-12)
    assert np.all(np.diff(r.gamma) <= 0)  # exponents come out ordered


def test_cap_hit():
    r = _run(7, rel_error=1e-4, max_slices=20_000, block_slices=500)
    assert r.cap_hit
    assert r.n_slices <= 20_000 + r.block_slices
    assert r.xi_M_stderr > 1e-4 * r.xi_M


def test_stderr_is_honest():
    """Independent seeds scatter by about the reported standard error (5 runs, loose)."""
    runs = [_run(100 + k, rel_error=0.08, max_slices=1_000_000) for k in range(5)]
    xi = np.array([r.xi_M for r in runs])
    se = np.mean([r.xi_M_stderr for r in runs])
    assert 0.25 * se < xi.std(ddof=1) < 4 * se


# 5. 1D limit ---------------------------------------------------------------


def test_one_site_strip_is_the_1d_chain():
    """M = 1: -t(psi_{x+1} + psi_{x-1}) + (2t + V) psi = E psi (S = 1, H_perp = 2t)."""
    t, E, n = 1.0, 0.7, 5000
    V = np.random.default_rng(9).normal(0.0, 1.0, (n, 1))
    s = lyapunov_spectrum(V, t, E, n_qr=8)
    p, q, logs = 1.0, 0.0, 0.0  # (psi_x, psi_{x-1}), start (1, 0) like the frame
    for x in range(n):
        p, q = ((2 * t + V[x, 0] - E) / t) * p - q, p
        if x % 16 == 15:
            r = np.hypot(p, q)
            logs += np.log(r)
            p, q = p / r, q / r
    logs += np.log(np.hypot(p, q))
    assert s.gamma[0] == pytest.approx(logs / n, abs=1e-12)
