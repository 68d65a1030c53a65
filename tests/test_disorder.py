"""Disorder streams (docs/physics.md §1.1): correlators, reproducibility, bounded memory."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

from hotcold.disorder import Model, PotentialStream, measure_correlator, model_seed, realizations


@pytest.mark.parametrize(
    "family,d", [("white", 0.0), ("lorentzian", 0.5), ("exponential", 0.5), ("gaussian", 0.5)]
)
def test_measured_correlator_matches_target(family, d):
    """<U(x)U(0)> against C(x) of the families table (docs/physics.md §1.1)
    within 4 s.e. (16 lags, 4 batches of error)."""
    model = Model(family, 0.7, d)
    dx = 0.05
    lags, c, se = measure_correlator(model, dx, seed=11, n_lags=16, n_cells=4_000_000, n_batches=32)
    target = model.correlator(lags) if d > 0 else np.where(lags == 0, model.w / dx, 0.0)
    assert np.all(np.abs(c - target) < 4 * se), (c, target, se)


def test_integral_of_correlator_is_w():
    """docs/physics.md §1.1 normalisation: int C dx = w (numerical quadrature of the table)."""
    x = np.linspace(-4000, 4000, 4_000_001)
    for fam in ("lorentzian", "exponential", "gaussian"):
        c = Model(fam, 0.3, 0.5).correlator(x)
        assert np.trapezoid(c, x) == pytest.approx(0.3, rel=1e-4 if fam != "lorentzian" else 2e-4)


@pytest.mark.parametrize("family", ["white", "exponential", "lorentzian", "gaussian"])
def test_stream_is_reproducible_and_independent_of_request_sizes(family):
    model = Model(family, 1.0, 0.0 if family == "white" else 0.3)
    seed = model_seed(5, model, "localization")
    a = PotentialStream(model, 0.03, seed).take(300_000)
    s = PotentialStream(model, 0.03, seed)
    b = np.concatenate([s.take(n) for n in (1, 77_777, 100_000, 122_222)])
    assert np.array_equal(a, b)


def test_streams_of_different_models_and_purposes_are_independent():
    w = Model("white", 1.0, 0.0)
    a = PotentialStream(w, 0.1, model_seed(1, w, "localization")).take(100_000)
    b = PotentialStream(w, 0.1, model_seed(1, w, "realizations", 0)).take(100_000)
    c = PotentialStream(w, 0.1, model_seed(2, w, "localization")).take(100_000)
    for x, y in ((a, b), (a, c)):
        assert abs(np.corrcoef(x, y)[0, 1]) < 5 / np.sqrt(x.size)


def test_realizations_do_not_depend_on_how_many_are_drawn():
    model = Model("exponential", 1.0, 0.5)
    five = realizations(model, 0.1, 1000, 5, seed=3)
    three = realizations(model, 0.1, 1000, 3, seed=3)
    assert np.array_equal(five[:3], three)


def test_long_stream_has_bounded_memory():
    """O(chunk) memory: 2e7 cells streamed in chunks never hold more than a few chunks."""
    model = Model("lorentzian", 1.0, 0.5)
    stream = PotentialStream(model, 0.05, model_seed(1, model, "localization"))
    chunk = 1 << 16
    tracemalloc.start()
    total = 0.0
    for _ in range(300):  # ~2e7 cells = 157 MB if held at once
        total += stream.take(chunk).sum()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert np.isfinite(total)
    assert peak < 20 * 8 * chunk, f"peak {peak / 1e6:.1f} MB"


def test_bad_models_rejected():
    with pytest.raises(ValueError, match="family"):
        Model("pink", 1.0, 0.1)
    with pytest.raises(ValueError, match="w must"):
        Model("gaussian", -1.0, 0.1)
    with pytest.raises(ValueError, match="d must"):
        Model("gaussian", 1.0, -0.1)
    with pytest.raises(ValueError, match="resolve"):
        PotentialStream(Model("gaussian", 1.0, 0.1), 0.1, 0)
    assert Model("gaussian", 1.0, 0.0).family == "white"


@pytest.mark.parametrize("family,d,dx", [("lorentzian", 0.5, 0.05), ("gaussian", 0.25, 0.025)])
def test_fast_fir_stream_is_the_filtered_white_noise(family, d, dx):
    """The transfer-matrix stream (overlap-save, precomputed kernel spectrum) is the valid
    convolution of its N(0, 1) input with the FIR kernel, whatever the request sizes."""
    from scipy import signal

    from hotcold.disorder import FastNormals, fir_kernel

    model = Model(family, 0.7, d)
    seed = model_seed(5, model, "localization")
    h = fir_kernel(model, dx)
    g = FastNormals(seed).normals(h.size - 1 + 200_000)
    ref = signal.fftconvolve(g, h, mode="valid")
    s = PotentialStream(model, dx, seed, fast=True)
    fast = np.concatenate([s.take(n) for n in (3, 65_533, 70_000, 64_464)])
    assert np.max(np.abs(fast - ref)) < 1e-12 * np.max(np.abs(ref))
    again = PotentialStream(model, dx, seed, fast=True).take(200_000)
    assert np.array_equal(fast, again)


def test_fast_normals_are_standard_normal_and_reproducible():
    """xoshiro256** + ziggurat: mean, variance, kurtosis, tail weight beyond the ziggurat
    edge r and the KS distance against N(0, 1) within 4 standard errors; same draws
    whatever the request sizes; independent seeds uncorrelated."""
    import math

    from scipy import stats

    from hotcold.disorder import FastNormals

    n = 4_000_000
    z = FastNormals(np.random.SeedSequence(9)).normals(n)
    assert abs(z.mean()) < 4 / math.sqrt(n)
    assert abs(z.var() - 1) < 4 * math.sqrt(2 / n)
    assert abs(stats.kurtosis(z)) < 4 * math.sqrt(24 / n)
    r = 3.6541528853610088
    p = math.erfc(r / math.sqrt(2))
    assert abs(np.mean(np.abs(z) > r) - p) < 4 * math.sqrt(p / n)
    assert stats.kstest(z[:500_000], "norm").pvalue > 1e-4
    b = FastNormals(np.random.SeedSequence(9))
    parts = np.concatenate([b.normals(k) for k in (1, 999, 50_000, 49_000)])
    assert np.array_equal(parts, z[:100_000])
    other = FastNormals(np.random.SeedSequence(10)).normals(100_000)
    assert abs(np.corrcoef(other, z[:100_000])[0, 1]) < 5 / math.sqrt(100_000)


def test_fast_white_stream_scales_inside_the_sampler_bit_for_bit():
    """The fused scale of the white-noise fast stream gives the bits of scaling afterwards,
    and the draws keep unit variance."""
    from hotcold.disorder import FastNormals, PotentialStream

    f = np.sqrt(0.1 / 0.05)
    plain = FastNormals(7).normals(50_000)
    assert np.array_equal(FastNormals(7).normals(50_000, f), f * plain)
    assert abs(plain.var() - 1.0) < 5 * np.sqrt(2.0 / plain.size)
    ss = np.random.SeedSequence(7)
    got = PotentialStream(Model("white", 0.1, 0.0), 0.05, ss, fast=True).take(50_000)
    assert np.array_equal(got, f * plain)
