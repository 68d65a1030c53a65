"""Error bars and fits shared by every stage: one meaning of "stderr" (issue 18 item 4).

Jackknife
---------
A delete-one jackknife over n independent groups (realizations, batches of
chunks, blocks of realizations) computes an estimator on all groups, x, and
on every group but k, x_k; its variance is

    var = (n - 1)/n sum_k (x_k - mean_k x_k)^2,

(:func:`jackknife_variance`), which for the mean of iid samples is exactly
the squared standard error s^2/n (s: the sample standard deviation, ddof 1).
:func:`jackknife` applies an estimator to the leave-one-out samples,
:func:`blocked_jackknife` to the leave-one-block-out samples (blocks of
consecutive samples, as the localization batches), and
:func:`mean_stderr` is the plain standard error of a mean over samples.

Propagated errors
-----------------
:func:`relative_error` is one term of a quadrature sum of independent
relative errors (0 for an unknown, i.e. non-finite, error).
:func:`measured_else` takes a measured value where it is usable (the DOS:
finite and positive) and a model value elsewhere (the clean DOS).

Fits
----
:func:`weighted_lstsq` (the weighted least-squares solve behind every fit),
:func:`weighted_line` (y = a x + b with 1/sigma^2 weights, the Mott slope),
:func:`power_law_exponent` (log-log slope, jackknife over replicas),
:func:`fit_power_law` (n_T = A T^p with jackknife errors, docs/physics.md §1.3),
:func:`gaussian_peak` and :func:`loo_refit_stderr` (a fit redone on each
leave-one-out replica).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from scipy.optimize import OptimizeWarning, curve_fit

__all__ = [
    "jackknife_variance",
    "jackknife_stderr",
    "jackknife",
    "block_edges",
    "blocked_jackknife",
    "mean_stderr",
    "relative_error",
    "measured_else",
    "weighted_lstsq",
    "weighted_line",
    "weighted_line_errors",
    "loo_refit_stderr",
    "power_law_exponent",
    "fit_power_law",
    "gaussian_peak",
]


# ---------------------------------------------------------------------------
# Jackknife
# ---------------------------------------------------------------------------


def jackknife_variance(replicas: np.ndarray, axis: int = 0, skipna: bool = False) -> np.ndarray:
    """Jackknife variance (n - 1)/n sum_k (x_k - mean x)^2 of replicas along ``axis``.

    Parameters
    ----------
    replicas : ndarray
        Leave-one-group-out estimates x_k, n = ``replicas.shape[axis]``.
    axis : int
        The replica axis.
    skipna : bool
        Skip NaN replicas in the mean and the sum (n stays the number of
        replicas); otherwise a NaN replica makes the variance NaN.

    Returns
    -------
    ndarray
        The variance, ``replicas`` without ``axis`` (units of x squared).
    """
    x = np.asarray(replicas, dtype=float)
    n = x.shape[axis]
    if skipna:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN slices: mean NaN, sum 0
            dev = x - np.nanmean(x, axis=axis, keepdims=True)
        return (n - 1) / n * np.nansum(dev * dev, axis=axis)
    dev = x - x.mean(axis=axis, keepdims=True)
    return (n - 1) / n * np.sum(dev * dev, axis=axis)


def jackknife_stderr(replicas: np.ndarray, axis: int = 0, skipna: bool = False) -> np.ndarray:
    """Jackknife standard error, the square root of :func:`jackknife_variance` (same units as x)."""
    return np.sqrt(jackknife_variance(replicas, axis=axis, skipna=skipna))


def jackknife(
    samples: np.ndarray, estimator: Callable[[np.ndarray], Any]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Delete-one jackknife of ``estimator`` over axis 0 of ``samples``.

    Parameters
    ----------
    samples : ndarray (n, ...)
        One row per independent group (realization).
    estimator : callable
        Maps samples (m, ...) to a scalar or an array of estimates.

    Returns
    -------
    full : ndarray
        The estimate on all n samples.
    stderr : ndarray
        Jackknife standard error (NaN replicas skipped for a scalar estimator;
        NaN where any replica is NaN for an array estimator).
    loo : ndarray (n, ...)
        The leave-one-out estimates.
    """
    samples = np.asarray(samples)
    n = samples.shape[0]
    full = np.asarray(estimator(samples), dtype=float)
    loo = np.array([estimator(np.delete(samples, k, axis=0)) for k in range(n)], dtype=float)
    with np.errstate(invalid="ignore"):
        se = jackknife_stderr(loo, skipna=True)
    se = np.where(np.all(np.isfinite(loo), axis=0), se, np.nan) if loo.ndim > 1 else se
    return full, se, loo


def block_edges(n: int, n_blocks: int) -> np.ndarray:
    """Edges (n_blocks + 1,) of n_blocks consecutive blocks of n samples (sizes differ by <= 1).

    Raises
    ------
    ValueError
        If n < n_blocks.
    """
    if n < n_blocks:
        raise ValueError(f"{n} chunks cannot form {n_blocks} batches")
    return (np.arange(n_blocks + 1) * n) // n_blocks


def blocked_jackknife(
    samples: np.ndarray, n_blocks: int, estimator: Callable[[np.ndarray], Any] | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Jackknife leaving out one block of consecutive samples at a time.

    Parameters
    ----------
    samples : ndarray (n, ...)
        Samples along axis 0, correlated within a block at most.
    n_blocks : int
        B <= n blocks (:func:`block_edges`).
    estimator : callable, optional
        As in :func:`jackknife`; the mean over axis 0 by default.

    Returns
    -------
    full, stderr, replicas (B, ...)
        The estimate on all samples, its jackknife standard error and the
        leave-one-block-out estimates.
    """
    samples = np.asarray(samples)
    est = estimator if estimator is not None else (lambda s: s.mean(axis=0))
    edges = block_edges(samples.shape[0], n_blocks)
    reps = np.array(
        [
            est(np.delete(samples, np.arange(edges[k], edges[k + 1]), axis=0))
            for k in range(n_blocks)
        ],
        dtype=float,
    )
    return np.asarray(est(samples), dtype=float), jackknife_stderr(reps), reps


def mean_stderr(samples: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean over axis 0 and its standard error std(ddof=1)/sqrt(n) (NaN for one sample)."""
    a = np.asarray(samples)
    se = (
        a.std(axis=0, ddof=1) / np.sqrt(a.shape[0])
        if a.shape[0] > 1
        else np.full(a.shape[1:], np.nan)
    )
    return a.mean(axis=0), se


# ---------------------------------------------------------------------------
# Propagated errors
# ---------------------------------------------------------------------------


def relative_error(stderr: float, value: float, power: float = 1) -> float:
    """|power| stderr / value, the relative error of value**power; 0.0 if stderr is not finite.

    The terms of independent inputs add in quadrature (``math.hypot``); an
    input without an error estimate (NaN) contributes nothing.
    """
    return power * stderr / value if np.isfinite(stderr) else 0.0


def measured_else(
    measured: np.ndarray, fallback: np.ndarray, stderr: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """The measured value where it is finite and positive, else ``fallback`` (e.g. the clean DOS).

    Parameters
    ----------
    measured, fallback : array_like
        Broadcast together (same units).
    stderr : array_like, optional
        The measured value's standard error; where it is not finite the
        fallback is used too.

    Returns
    -------
    values : ndarray
    used : bool ndarray
        True where the measured value was taken.
    """
    measured = np.asarray(measured, dtype=float)
    used = np.isfinite(measured) & (measured > 0)
    if stderr is not None:
        used &= np.isfinite(stderr)
    return np.where(used, measured, fallback), used


# ---------------------------------------------------------------------------
# Fits
# ---------------------------------------------------------------------------


def weighted_lstsq(design: np.ndarray, y: np.ndarray, sigma: np.ndarray) -> np.ndarray:
    """Least-squares coefficients of y ~ design @ c with weights 1/sigma^2.

    Parameters
    ----------
    design : ndarray (n, p)
    y, sigma : ndarray (n,)
        Data and their standard errors (> 0).

    Returns
    -------
    ndarray (p,)
    """
    w = 1.0 / sigma**2
    return np.linalg.lstsq(design * np.sqrt(w)[:, None], y * np.sqrt(w), rcond=None)[0]


def weighted_line(x: np.ndarray, y: np.ndarray, sigma: np.ndarray) -> tuple[float, float]:
    """(slope, intercept) of y = slope x + intercept, weights 1/sigma^2, finite points only.

    NaN for fewer than 2 usable points (finite x, y, sigma and sigma > 0).
    """
    x, y, sigma = np.asarray(x), np.asarray(y), np.asarray(sigma)
    ok = np.isfinite(x) & np.isfinite(y) & np.isfinite(sigma) & (sigma > 0)
    if ok.sum() < 2:
        return np.nan, np.nan
    coef = weighted_lstsq(np.vstack([x[ok], np.ones(ok.sum())]).T, y[ok], sigma[ok])
    return float(coef[0]), float(coef[1])


def weighted_line_errors(
    x: np.ndarray, y: np.ndarray, sigma: np.ndarray
) -> tuple[float, float, float, int]:
    """Slope of y = slope x + c (weights 1/sigma^2), its standard error, chi^2 and dof.

    The error is the covariance of the weighted fit, sqrt([(X^T W X)^-1]_00),
    scaled by sqrt(chi^2/dof) where that exceeds 1.  Finite points with
    sigma > 0 only; NaN (and dof 0) for fewer than 2.
    """
    x, y, sigma = (np.asarray(v, dtype=float) for v in (x, y, sigma))
    ok = np.isfinite(x) & np.isfinite(y) & np.isfinite(sigma) & (sigma > 0)
    n = int(ok.sum())
    if n < 2:
        return math.nan, math.nan, math.nan, 0
    design = np.vstack([x[ok], np.ones(n)]).T
    coef = weighted_lstsq(design, y[ok], sigma[ok])
    chi2 = float(np.sum(((design @ coef - y[ok]) / sigma[ok]) ** 2))
    cov = np.linalg.inv(design.T @ (design / sigma[ok, None] ** 2))
    dof = n - 2
    scale = math.sqrt(max(1.0, chi2 / dof)) if dof > 0 else 1.0
    return float(coef[0]), float(math.sqrt(cov[0, 0]) * scale), chi2, dof


def loo_refit_stderr(
    fit: Callable[[np.ndarray], Sequence[float]], loo: Sequence[np.ndarray], min_replicas: int = 3
) -> np.ndarray:
    """Jackknife errors of fitted parameters: ``fit`` redone on every leave-one-out data set.

    Replicas with a non-finite parameter are dropped; fewer than
    ``min_replicas`` left gives NaN.
    """
    par = np.array([fit(row) for row in loo], dtype=float)
    good = np.all(np.isfinite(par), axis=1)
    if int(good.sum()) < min_replicas:
        return np.full(par.shape[1], np.nan)
    return jackknife_stderr(par[good])


def power_law_exponent(
    x: np.ndarray, y: np.ndarray, y_reps: np.ndarray | None = None
) -> tuple[float, float]:
    """Exponent p of y ~ x^p (least squares in log-log over finite positive points).

    With ``y_reps`` (jackknife replicas along axis 0) also the jackknife
    stderr; returns (p, stderr) (NaN if fewer than 2 points).
    """
    x, y = np.asarray(x, float), np.asarray(y, float)
    ok = np.isfinite(y) & (y > 0) & (x > 0)
    if y_reps is not None:
        ok &= np.all(np.isfinite(y_reps) & (y_reps > 0), axis=0)
    if ok.sum() < 2:
        return float("nan"), float("nan")
    lx = np.log(x[ok])

    def slope(v):
        return float(np.polyfit(lx, np.log(v[ok]), 1)[0])

    p = slope(y)
    if y_reps is None:
        return p, float("nan")
    return p, float(jackknife_stderr(np.array([slope(v) for v in y_reps])))


def fit_power_law(
    temperatures: np.ndarray, n_t_samples: np.ndarray, t_fit_max: float
) -> dict[str, float]:
    """Fit n_T = A T^p for T <= t_fit_max (weighted in ln n_T), jackknife errors.

    Parameters
    ----------
    temperatures : ndarray (n_T,) [energy]
    n_t_samples : ndarray (n_real, n_T)
        Per-realization n_T [1/length].
    t_fit_max : float [energy]

    Returns
    -------
    dict with ``exponent``, ``exponent_stderr``, ``prefactor`` (A),
    ``prefactor_stderr``, ``coef2`` (c in n_T = c T^2, p fixed to 2) and
    ``coef2_stderr``, ``n_points``.
    """
    t = np.asarray(temperatures, dtype=float)
    sel = t <= t_fit_max
    lt = np.log(t[sel])

    def est(smp):
        mean, se = mean_stderr(smp[:, sel])
        with np.errstate(invalid="ignore", divide="ignore"):
            p, ln_a = weighted_line(lt, np.log(mean), se / mean)
            wt = (t[sel] ** 2 / se) ** 2
            c2 = np.sum(wt * mean / t[sel] ** 2) / np.sum(wt)
        return [p, math.exp(ln_a) if np.isfinite(ln_a) else np.nan, c2]

    names = ("exponent", "prefactor", "coef2")
    if sel.sum() < 2 or n_t_samples.shape[0] < 3:
        full = se = np.full(3, np.nan)
    else:
        full, se, _ = jackknife(np.asarray(n_t_samples), est)
    out = {}
    for k, name in enumerate(names):
        out[name] = float(full[k])
        out[name + "_stderr"] = float(se[k])
    out["n_points"] = int(sel.sum())
    return out


def _gauss(x, a, mu, sig):
    return a * np.exp(-0.5 * ((x - mu) / sig) ** 2)


def gaussian_peak(
    x: np.ndarray, minus_s: np.ndarray, sigma: np.ndarray, x_lo: float, x_hi: float, guess: float
) -> float:
    """Centre of a weighted Gaussian fit to -S(x) on [x_lo, x_hi] [length], NaN if none.

    Returns NaN when the fit fails or the centre leaves [x_lo, x_hi].
    """
    ok = (x >= x_lo) & (x <= x_hi) & np.isfinite(minus_s) & np.isfinite(sigma) & (sigma > 0)
    if ok.sum() < 4:
        return np.nan
    xs, ys, ss = x[ok], minus_s[ok], sigma[ok]
    mu0 = guess if x_lo < guess < x_hi else xs[np.argmax(ys)]
    a0 = max(float(np.max(ys)), 1e-300)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", OptimizeWarning)
            popt, _ = curve_fit(
                _gauss,
                xs,
                ys,
                p0=[a0, mu0, max(0.3 * (x_hi - x_lo), 1e-3)],
                sigma=ss,
                maxfev=4000,
            )
    except (RuntimeError, ValueError):
        return np.nan
    mu = float(popt[1])
    if not (x_lo <= mu <= x_hi) or popt[0] <= 0:
        return np.nan
    return mu
