"""Thermal-pair density n_T at the hot-cold temperatures (docs/physics.md §1.3; issue 9 items 1, 2).

Passes
------
n_T(T) of Eq. (3) is measured on exact eigenpairs in *passes*.  A pass is a
set of disorder realizations (a box of given length, a number of
realizations) and an eigenpair window eps_F -+ W.  At temperature T only
pairs within a few T of eps_F contribute (the window drops a fraction
``truncation_fraction(T, W)`` of the weight, < 5e-3 for W >= 8 T), so each
T is served by the pass with the narrowest window that covers it,
W >= ``window_T`` T:

* ``main``: the disorder stage's realizations (``spectral.realizations``)
  with W = window_T max(T served); the pass for the highest temperatures;
* ``mott``: realizations generated here (``spectral.mott``: box, count),
  window energy_bin/2 + omega_max (Delta_c), for S_omega(x) only (when
  absent, S is computed on the main pass);
* ``band<k>``: realizations generated here (``spectral.bands``), window
  W = window_T T_max (Delta_c), for T <= T_max: the narrow windows of the low
  temperatures, where the eigensolver cost O(N k) per realization is small
  because k (states in the window) is, so many more box lengths are
  affordable.

Boxes and the band-to-band check
--------------------------------
Every n_T pass is sized from the lowest temperature it computes
(:func:`pair_reach`, :func:`box_from_reach`: a margin of one pair reach at
each wall, ``box_interior`` reaches inside; the main pass with the Born xi_c
and Delta_c, :func:`main_t_low`).  Each pass also computes the highest
temperature of the next narrower pass (``Pass.overlap``);
:func:`band_overlaps` measures the difference, :func:`band_systematic` keeps
the part its error does not explain, :func:`fold_systematic` folds it into
the error and the replicas (docs/physics.md §1.3).

Jackknife blocks
----------------
Every n_T pass has R x b realizations, R = ``spectral.realizations`` (the
main pass has b = 1; a band b = ``blocks``).  Block k collects realization k of
the main pass and realizations k b .. (k + 1) b - 1 of every other pass;
blocks are independent and equal in size, so leaving block k out of every
pass at once is a delete-one jackknife over R independent groups:
n_T_jackknife[k] = mean over the other blocks, var = (R - 1)/R sum_k
(x_k - mean x)^2 = (standard error over blocks)^2.

Resolved or extrapolated
------------------------
A temperature is resolved (``n_T_source`` = numerical) when the relative
standard error of n_T is at most ``rel_error_max`` and n_T > 0.  Elsewhere
the measured ratio g(L) = n_T / Eq. (6), L = ln(Delta_c/T), is extended by
the weighted fit g = a + b / L on the resolved points with L >=
``extrapolation_L_min`` (the form levels off at g = a for L -> infinity, as
the numerics suggest, docs/physics.md §1.3), redone on every jackknife replica so that
the fit error propagates; those points are flagged ``extrapolated``.  A grid
with fewer than two resolved points in the fit range is an error naming the
keys that would cover it.  No closed form is spliced on anywhere.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from .stats import jackknife_stderr, mean_stderr, weighted_lstsq

__all__ = [
    "SOURCES",
    "Pass",
    "plan_passes",
    "block_means",
    "assemble_blocks",
    "fit_g",
    "resolve",
    "generated_potential",
    "pair_reach",
    "box_from_reach",
    "main_t_low",
    "band_overlaps",
    "band_systematic",
    "fold_systematic",
    "jump_scores",
    "NT_ERROR_CONSTANT_MIN",
    "optimistic_rel_error",
]

#: ``n_T_source`` flag meanings (int8 values 0, 1).
SOURCES = ("numerical", "extrapolated")
#: Offset of the generated passes' realization streams (model_seed extra key).
_PASS_KEY = 1_000_000


@dataclasses.dataclass(frozen=True)
class Pass:
    """One set of realizations and its eigenpair window (module docstring).

    ``t_index`` are the indices into the T grid this pass serves; ``w_nt``
    the n_T window half-width W [energy]; ``with_s`` whether S_omega(x) is
    computed on it; ``source`` 'input' (disorder-stage realizations) or
    'generated' (here, from the config seed, stream ``pass_id``);
    ``margin`` the origin margin a [length] of its n_T estimator;
    ``overlap`` the temperatures of the next narrower pass, evaluated here
    as well for the band-to-band check (computed, never served).
    """

    name: str
    source: str
    pass_id: int
    n_sites: int
    n_real: int
    blocks: int
    w_nt: float
    with_s: bool
    t_index: tuple[int, ...]
    margin: float = 0.0
    overlap: tuple[int, ...] = ()

    @property
    def t_eval(self) -> tuple[int, ...]:
        """Every temperature index computed on this pass: served, then overlap."""
        return self.t_index + self.overlap


def pair_reach(t_low: float, xi_c: float, delta_c: float, x_cut: float, widths: float) -> float:
    """Distance [length] over which the thermal pairs at T >= ``t_low`` reach.

    reach = l + widths sqrt(4 xi_c l), l = max(l_M(t_low), x_cut), with
    l_M = 2 xi_c ln(Delta_c/T) the Mott length, Eq. (7), and sqrt(4 xi_c l_M)
    the width of the Mott peak of S_omega(x), Eq. (5): the pairs that n_T(T)
    counts (|x| > x_cut, |eps_i - eps_j| ~ T) sit at |x| <~ l_M(T) + a few
    widths, and l_M falls with T (docs/physics.md §1.3, "Boxes").
    """
    lm = 2.0 * xi_c * math.log(delta_c / t_low) if t_low < delta_c else 0.0
    ell = max(lm, float(x_cut))
    return ell + float(widths) * math.sqrt(4.0 * xi_c * ell)


def box_from_reach(reach: float, cfg: Mapping[str, Any]) -> float:
    """Box length [length] of an n_T pass: (2 + ``box_interior``) reach, times ``box_scale``.

    The origin margin a = reach on each side lets every origin see its
    partners on both sides; the interior (``box_interior`` reach long) sets
    the statistics per realization.
    """
    return (2.0 + float(cfg["box_interior"])) * reach * float(cfg["box_scale"])


def _box_sites(box_xi: float, xi_c: float, dx: float, scale: float = 1.0) -> int:
    return int(round(float(box_xi) * scale * xi_c / dx))


def _nt_margin(n_sites: int, dx: float, reach: float, cfg: Mapping[str, Any]) -> float:
    """Origin margin [length] of an n_T pass: the reach, at most L/(2 + box_interior)."""
    return min(reach, n_sites * dx / (2.0 + float(cfg["box_interior"])))


def _s_margin(n_sites: int, dx: float, xi_c: float, cfg: Mapping[str, Any]) -> float:
    """Origin margin [length] of the S pass: ``margin`` xi_c, at most L/4."""
    return min(float(cfg["margin"]) * xi_c, 0.25 * n_sites * dx)


def main_t_low(t_grid: np.ndarray, cfg: Mapping[str, Any], delta_c: float) -> float:
    """Lowest temperature [energy] the main pass can serve (sizes the disorder stage's box).

    With bands, the main pass serves T > max(T_max) Delta_c and also computes
    the highest T of the widest band for the band-to-band check: the largest
    grid T <= max(T_max) Delta_c.  Without bands (or none of them serving a
    grid T), every T, down to min(T).
    """
    t = np.asarray(t_grid, dtype=float)
    bands = cfg.get("bands") or []
    if bands:
        below = t[t <= max(float(b["T_max"]) for b in bands) * delta_c * (1 + 1e-12)]
        if below.size:
            return float(below.max())
    return float(t.min())


def _assign(t: np.ndarray, wt: float, windows: Sequence[tuple[float, str]]) -> dict[str, list[int]]:
    """T index lists per pass name: the narrowest window covering window_T T, else main."""
    served: dict[str, list[int]] = {name: [] for _, name in windows}
    served["main"] = []
    for i, ti in enumerate(t):
        need = wt * ti * (1 - 1e-12)
        home = next((name for w, name in windows if w >= need), "main")
        served[home].append(i)
    return served


def plan_passes(
    t_grid: np.ndarray,
    cfg: Mapping[str, Any],
    n_input: tuple[int, int],
    dx: float,
    xi_c: float,
    delta_c: float,
    generate: bool,
) -> list[Pass]:
    """The passes of one model, the temperatures each serves, and their boxes.

    Parameters
    ----------
    t_grid : ndarray
        Hot-cold temperatures [energy].
    cfg : mapping
        Spectral settings (``window_T``, ``energy_bin``, ``omega_max``,
        ``x_cut``, ``margin``, ``box_widths``, ``box_interior``, ``box_scale``,
        ``mott`` and ``bands``: see the module docstring).
    n_input : (n_real, n_sites)
        Shape of the disorder stage's realizations (the main pass).
    dx, xi_c, delta_c : float
        Grid step [length], xi_c [length], Delta_c [energy].
    generate : bool
        Whether realizations can be generated here (model and seed known);
        without, everything runs on the input realizations (``main``).

    Notes
    -----
    Each n_T pass also evaluates the highest temperature of the next narrower
    one (``overlap``), the band-to-band check.  A band without
    ``box_length`` gets the box of :func:`box_from_reach` at the lowest
    temperature it computes (served or overlap); every n_T pass gets the
    margin :func:`pair_reach` of that temperature (at most L/(2 + box_interior)).
    """
    from .schema import schema_defaults

    cfg = {**schema_defaults("spectral"), **dict(cfg)}
    t = np.asarray(t_grid, dtype=float)
    wt, scale = float(cfg["window_T"]), float(cfg["box_scale"])
    n_r = int(n_input[0])
    mott = cfg.get("mott") if generate else None
    bands = sorted(cfg.get("bands") or [], key=lambda b: float(b["T_max"])) if generate else []
    windows = [(wt * float(b["T_max"]) * delta_c, f"band{k + 1}") for k, b in enumerate(bands)]
    served = _assign(t, wt, windows)
    overlap = _overlaps(t, [name for _, name in windows] + ["main"], served)

    def reach(name: str) -> float:
        idx = served[name] + list(overlap.get(name, ()))
        t_low = float(t[idx].min()) if idx else float(t.min())
        return pair_reach(t_low, xi_c, delta_c, float(cfg["x_cut"]) * xi_c, cfg["box_widths"])

    out = []
    if served["main"] or not mott:
        w_main = wt * float(t[served["main"]].max() if served["main"] else t.max())
        n_main = int(n_input[1])
        a = _nt_margin(n_main, dx, reach("main"), cfg) if mott else _s_margin(n_main, dx, xi_c, cfg)
        out.append(Pass("main", "input", 0, n_main, n_r, 1, w_main, not mott,
                        tuple(served["main"]), a, overlap.get("main", ())))  # fmt: skip
    for k, (b, (w, name)) in enumerate(zip(bands, windows, strict=True)):
        if not served[name]:
            continue
        r = reach(name)
        box = b.get("box_length")
        sites = _box_sites(box, xi_c, dx, scale) if box else int(round(box_from_reach(r, cfg) / dx))
        blocks = int(b.get("blocks", 1))
        out.append(Pass(name, "generated", k + 1, sites, n_r * blocks, blocks, w, False,
                        tuple(served[name]), _nt_margin(sites, dx, r, cfg),
                        overlap.get(name, ())))  # fmt: skip
    if mott:  # S only: its own realization count, no n_T (its window is set by S)
        w = (0.5 * float(cfg["energy_bin"]) + float(cfg["omega_max"])) * delta_c
        sites = _box_sites(mott["box_length"], xi_c, dx, scale)
        n_mott = int(mott.get("realizations", n_r))
        out.append(Pass("mott", "generated", 0, sites, n_mott, 1, w, True, (),
                        _s_margin(sites, dx, xi_c, cfg)))  # fmt: skip
    return out


#: c in stderr/n_T = c / sqrt(V n_T), V = realizations x (box - 2 margin) the origin length
#: of the pass serving T: measured 0.14 to 0.30 over the 84 default (model, T) points, median
#: 0.22 (``benchmarks/calibrate_nt_error.py``); 0.1 leaves a margin below the smallest.
NT_ERROR_CONSTANT_MIN = 0.1


def optimistic_rel_error(
    passes: Sequence[Pass],
    t_grid: np.ndarray,
    xi_c: float,
    delta_c: float,
    dx: float,
    g_max: float = 1.0,
) -> np.ndarray:
    """A lower bound on the relative standard error of n_T at each T, before any job runs.

    The jackknife error of n_T counts thermal pairs: stderr/n_T = c / sqrt(V n_T)
    with V the origin length of the pass serving T (its realizations times
    box - 2 margin) and c measured between 0.14 and 0.30.  With c = 0.1
    (:data:`NT_ERROR_CONSTANT_MIN`) and n_T = g_max Eq. (6)
    (the measured g = n_T/Eq. 6 is 0.13 to 0.7, docs/physics.md §1.3) this is
    optimistic: a T whose bound exceeds ``spectral.rel_error_max`` cannot be
    resolved at the configured cost.

    Parameters
    ----------
    passes : sequence of Pass
        The model's passes (:func:`plan_passes`).
    t_grid : ndarray
        Temperatures [energy].
    xi_c, delta_c, dx : float
        xi_c [length], Delta_c [energy], grid step [length].
    g_max : float
        Largest n_T/Eq. (6) assumed.

    Returns
    -------
    ndarray (n_T,)
        The bound (inf where no pass serves T).
    """
    t = np.asarray(t_grid, dtype=float)
    vol = np.zeros(t.size)
    for p in passes:
        for i in p.t_index:
            vol[i] = p.n_real * max(p.n_sites * dx - 2.0 * p.margin, 0.0)
    eq6 = 2.0 * math.pi**2 / 3.0 / xi_c * (t / delta_c) ** 2
    with np.errstate(divide="ignore"):
        return NT_ERROR_CONSTANT_MIN / np.sqrt(vol * g_max * eq6)


def _overlaps(t: np.ndarray, order: Sequence[str], served: Mapping[str, list[int]]):
    """Overlap temperature of each pass: the highest T of the next narrower pass that serves
    any (its best-measured point, and the one nearest this pass's own range)."""
    active = [name for name in order if served[name]]
    return {
        wide: (max(served[narrow], key=lambda i: t[i]),)
        for narrow, wide in itertools.pairwise(active)
    }


def generated_potential(model, dx: float, n_sites: int, seed: int, pass_id: int, r: int):
    """Realization r of a generated pass [energy]: its own SeedSequence child stream.

    The key (model, 'realizations', 10^6 + pass_id, r) differs from every
    disorder-stage realization (key (model, 'realizations', r)), so the
    passes are independent of each other and of the main pass.
    """
    from .disorder import PotentialStream, model_seed

    ss = model_seed(seed, model, "realizations", _PASS_KEY + int(pass_id), int(r))
    return PotentialStream(model, dx, ss).take(n_sites)


def block_means(samples: np.ndarray, n_blocks: int) -> np.ndarray:
    """(n_blocks, ...) means of consecutive equal blocks of realizations (axis 0)."""
    a = np.asarray(samples, dtype=float)
    return a.reshape(n_blocks, a.shape[0] // n_blocks, *a.shape[1:]).mean(axis=1)


def assemble_blocks(
    per_pass: Sequence[tuple[Pass, np.ndarray]], n_t: int, n_blocks: int
) -> np.ndarray:
    """Block means (n_blocks, n_T): every T from the pass that serves it (overlap columns,
    ``Pass.overlap``, are left out)."""
    out = np.full((n_blocks, n_t), np.nan)
    for p, nt in per_pass:
        if p.t_index:
            out[:, list(p.t_index)] = _block_means_of(p, nt, n_blocks, False)
    return out


def _block_means_of(p: Pass, nt: np.ndarray, n_blocks: int, overlap: bool) -> np.ndarray:
    """Block means (n_blocks, k) of a pass's served (or overlap) temperature columns."""
    k = len(p.t_index)
    return block_means(nt[:, k:] if overlap else nt[:, :k], n_blocks)


def band_overlaps(
    per_pass: Sequence[tuple[Pass, np.ndarray]], n_t: int, n_blocks: int
) -> dict[str, Any]:
    """Band-to-band check: each pass's temperatures computed again on the next wider pass.

    Parameters
    ----------
    per_pass : sequence of (Pass, ndarray (n_real, len(p.t_eval)))
        Per-realization n_T of every pass at its served, then overlap, temperatures.
    n_t, n_blocks : int
        Size of the T grid and number R of jackknife blocks.

    Returns
    -------
    dict with ``next`` and ``next_stderr`` (n_T,): n_T of the next wider pass at
    the overlap temperatures (``Pass.overlap``, NaN elsewhere); ``difference``:
    per narrower pass name, (delta, its s.e., number of points), delta the
    relative difference (next - this)/this (averaged with weights 1/s.e.^2 if
    the overlap has several temperatures), its delete-one-block jackknife
    error (the realizations of the two passes are independent, the blocks
    shared; the weights are held fixed), and the number of temperatures.
    """
    nxt, nxt_se = np.full(n_t, np.nan), np.full(n_t, np.nan)
    diff: dict[str, tuple[float, float, int]] = {}
    for q, nq in per_pass:
        if not q.overlap:
            continue
        p, npass = next((p, a) for p, a in per_pass if q.overlap[0] in p.t_index)
        cols = [p.t_index.index(i) for i in q.overlap]
        bp = _block_means_of(p, npass, n_blocks, False)[:, cols]
        bq = _block_means_of(q, nq, n_blocks, True)
        nxt[list(q.overlap)], nxt_se[list(q.overlap)] = mean_stderr(bq)
        loo_p = (bp.sum(axis=0) - bp) / (n_blocks - 1)
        loo_q = (bq.sum(axis=0) - bq) / (n_blocks - 1)
        rel_reps = loo_q / loo_p - 1.0  # (R, k)
        wgt = 1.0 / np.maximum(jackknife_stderr(rel_reps), 1e-300) ** 2
        wgt /= wgt.sum()
        full = float(np.sum(wgt * (bq.mean(axis=0) / bp.mean(axis=0) - 1.0)))
        diff[p.name] = (full, float(jackknife_stderr(rel_reps @ wgt)), len(cols))
    return {"next": nxt, "next_stderr": nxt_se, "difference": diff}


def band_systematic(
    passes: Sequence[Pass], difference: Mapping[str, tuple[float, float, int]], n_t: int
) -> np.ndarray:
    """Relative systematic error of n_T per temperature from the band-to-band differences.

    Each boundary between a pass and the next wider one contributes the part
    of its measured relative difference delta that its statistical error
    s does not explain, sqrt(max(delta^2 - s^2, 0)) (quadratic subtraction:
    a difference consistent with zero adds little, the statistical error is
    not counted twice), to the temperatures served by both passes; a
    temperature takes the larger of its pass's (at most two) boundaries.  A
    model with one n_T pass has none (0).
    """
    by_w = sorted((p for p in passes if p.t_index), key=lambda p: p.w_nt)
    rel = {p.name: 0.0 for p in by_w}
    for narrow, wide in itertools.pairwise(by_w):
        delta, s = difference.get(narrow.name, (0.0, 0.0))[:2]
        d = math.sqrt(max(delta * delta - s * s, 0.0)) if np.isfinite(s) else abs(delta)
        rel[narrow.name], rel[wide.name] = max(rel[narrow.name], d), max(rel[wide.name], d)
    out = np.zeros(n_t)
    for p in by_w:
        out[list(p.t_index)] = rel[p.name]
    return out


def fold_systematic(
    n_full: np.ndarray, n_loo: np.ndarray, se_stat: np.ndarray, sys_abs: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Total error hypot(statistical, systematic) and jackknife replicas that carry it.

    The deviations of the leave-one-block-out replicas from ``n_full`` are
    scaled by total/statistical per temperature, so that their jackknife
    error is the total one and every quantity derived replica by replica
    (eps_th, ln sigma, T_c) propagates the systematic too, with the
    correlations between temperatures kept.  Returns (total, replicas).
    """
    total = np.hypot(se_stat, sys_abs)
    with np.errstate(invalid="ignore", divide="ignore"):
        f = np.where(se_stat > 0, total / se_stat, 1.0)
    return total, n_full + (n_loo - n_full) * f


def jump_scores(log_ratio: np.ndarray, g: np.ndarray, se: np.ndarray) -> np.ndarray:
    """z-scores of the steps of ln g between neighbouring temperatures, off the local trend.

    In order of L = ln(Delta_c/T), y = ln g, r = se/g, step i from point i to
    i + 1 has slope s_i = (y_{i+1} - y_i)/(L_{i+1} - L_i); its expected value
    is the mean slope of the neighbouring steps (i - 1 and i + 1, where they
    exist; g varies smoothly, nearly as a power of T), and

        z_i = (s_i - trend_i)(L_{i+1} - L_i) / sqrt(r_i^2 + r_{i+1}^2):

    a seam between passes is a step off the trend by many combined errors
    (the two points' errors taken as independent, as for two passes; n - 1
    values).
    """
    order = np.argsort(log_ratio)
    x = np.asarray(log_ratio, dtype=float)[order]
    y = np.log(np.asarray(g, dtype=float)[order])
    r = (np.asarray(se, dtype=float) / np.asarray(g, dtype=float))[order]
    h = np.diff(x)
    slope = np.diff(y) / h
    trend = np.array(
        [np.mean([slope[j] for j in (i - 1, i + 1) if 0 <= j < slope.size]) for i in range(h.size)]
    )
    return (slope - trend) * h / np.hypot(r[:-1], r[1:])


def _g_line(inv_l: np.ndarray, g: np.ndarray, se: np.ndarray) -> tuple[float, float]:
    """Weighted least squares g = a + b inv_l; (a, b)."""
    coef = weighted_lstsq(np.vstack([np.ones_like(inv_l), inv_l]).T, g, se)
    return float(coef[0]), float(coef[1])


def fit_g(
    log_ratio: np.ndarray, g_replicas: np.ndarray, g_se: np.ndarray, use: np.ndarray
) -> np.ndarray:
    """Coefficients (a, b) of g = a + b/L per replica, fitted on the points ``use``.

    Parameters
    ----------
    log_ratio : ndarray (n_T,)
        L = ln(Delta_c/T).
    g_replicas : ndarray (n_rep, n_T)
        g = n_T / Eq. (6) per replica (row 0: the full sample).
    g_se : ndarray (n_T,)
        Standard errors of g (the weights, the same for every replica).
    use : bool ndarray (n_T,)
        Fit points.
    """
    inv_l = 1.0 / np.asarray(log_ratio)[use]
    return np.array([_g_line(inv_l, row[use], g_se[use]) for row in g_replicas])


def resolve(
    n_full: np.ndarray,
    n_loo: np.ndarray,
    n_se: np.ndarray,
    eq6: np.ndarray,
    log_ratio: np.ndarray,
    cfg: Mapping[str, Any],
) -> dict[str, np.ndarray]:
    """Flags, extrapolated values and replicas of n_T (module docstring).

    Parameters
    ----------
    n_full, n_se : ndarray (n_T,)
        Measured n_T and its standard error [1/length].
    n_loo : ndarray (R, n_T)
        Leave-one-block-out n_T.
    eq6 : ndarray (n_T,)
        Eq. (6) [1/length].
    log_ratio : ndarray (n_T,)
        ln(Delta_c/T).

    Returns
    -------
    dict with ``n_T``, ``n_T_stderr``, ``n_T_jackknife`` (R, n_T),
    ``n_T_source`` (int8), ``g_fit`` (a, b), ``g_fit_stderr`` and
    ``resolved_fraction`` (scalar).
    """
    rel_max = float(cfg["rel_error_max"])
    with np.errstate(invalid="ignore", divide="ignore"):
        rel = n_se / n_full
    ok = np.isfinite(rel) & (n_full > 0) & (rel <= rel_max)
    src = np.where(ok, 0, 1).astype(np.int8)
    n_out, loo_out, se_out = n_full.copy(), n_loo.copy(), n_se.copy()
    coef = np.full((n_loo.shape[0] + 1, 2), np.nan)
    if not ok.all():
        use = ok & (log_ratio >= float(cfg["extrapolation_L_min"]))
        if use.sum() < 2:
            raise ValueError(
                f"temperatures: {int((~ok).sum())} of {ok.size} temperatures (T = "
                f"{', '.join(f'{t:.3g}' for t in np.exp(-log_ratio[~ok]))} Delta_c) are not "
                f"resolved (relative stderr > spectral.rel_error_max = {rel_max:g}) and only "
                f"{int(use.sum())} resolved point(s) lie at ln(Delta_c/T) >= "
                f"spectral.extrapolation_L_min = {float(cfg['extrapolation_L_min']):g} to fit "
                "g = n_T/Eq.(6); add realizations (spectral.bands[*].blocks) or a band with "
                "T_max covering them (spectral.bands), or raise the lowest temperature"
            )
        g_rep = np.vstack([n_full, n_loo]) / eq6
        coef = fit_g(log_ratio, g_rep, n_se / eq6, use)
        bad = ~ok
        g_ext = coef[:, :1] + coef[:, 1:] / log_ratio[bad][None, :]
        n_out[bad] = g_ext[0] * eq6[bad]
        loo_out[:, bad] = g_ext[1:] * eq6[bad]
        se_out[bad] = jackknife_stderr(loo_out[:, bad])
    coef_se = jackknife_stderr(coef[1:])
    return {
        "n_T": n_out,
        "n_T_stderr": se_out,
        "n_T_jackknife": loo_out,
        "n_T_source": src,
        "g_fit": coef[0],
        "g_fit_stderr": coef_se,
    }
