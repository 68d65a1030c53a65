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

* ``main``: the disorder stage's realizations (``spectral.box_length``,
  ``spectral.realizations``) with W = window_T max(T served); the pass
  for the highest temperatures;
* ``mott``: realizations generated here (``spectral.mott``: box, count),
  window energy_bin/2 + omega_max (Delta_c), for S_omega(x) only (when
  absent, S is computed on the main pass);
* ``band<k>``: realizations generated here (``spectral.bands``), window
  W = window_T T_max (Delta_c), for T <= T_max: the narrow windows of the low
  temperatures, where the eigensolver cost O(N k) per realization is small
  because k (states in the window) is, so many more box lengths are
  affordable.

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
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from .stats import jackknife_stderr, weighted_lstsq

__all__ = [
    "SOURCES",
    "Pass",
    "plan_passes",
    "block_means",
    "assemble_blocks",
    "fit_g",
    "resolve",
    "generated_potential",
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
    'generated' (here, from the config seed, stream ``pass_id``).
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


def _box_sites(box_xi: float, xi_c: float, dx: float) -> int:
    return int(round(float(box_xi) * xi_c / dx))


def plan_passes(
    t_grid: np.ndarray,
    cfg: Mapping[str, Any],
    n_input: tuple[int, int],
    dx: float,
    xi_c: float,
    delta_c: float,
    generate: bool,
) -> list[Pass]:
    """The passes of one model and the temperatures each one serves.

    Parameters
    ----------
    t_grid : ndarray
        Hot-cold temperatures [energy].
    cfg : mapping
        Spectral settings (``window_T``, ``energy_bin``, ``omega_max``,
        ``mott`` and ``bands``: see the module docstring).
    n_input : (n_real, n_sites)
        Shape of the disorder stage's realizations (the main pass).
    dx, xi_c, delta_c : float
        Grid step [length], xi_c [length], Delta_c [energy].
    generate : bool
        Whether realizations can be generated here (model and seed known);
        without, everything runs on the input realizations (``main``).
    """
    t = np.asarray(t_grid, dtype=float)
    wt = float(cfg["window_T"])
    n_r = int(n_input[0])
    mott = cfg.get("mott") if generate else None
    bands = list(cfg.get("bands") or []) if generate else []
    cand = []  # (W, name, source, id, sites, blocks, with_s)
    extra = []
    if mott:  # S only: its own realization count, no n_T (its window is set by S)
        w = (0.5 * float(cfg["energy_bin"]) + float(cfg["omega_max"])) * delta_c
        sites, n_mott = _box_sites(mott["box_length"], xi_c, dx), int(mott.get("realizations", n_r))
        extra.append(Pass("mott", "generated", 0, sites, n_mott, 1, w, True, ()))
    for k, b in enumerate(sorted(bands, key=lambda b: float(b["T_max"]))):
        w, sites = wt * float(b["T_max"]) * delta_c, _box_sites(b["box_length"], xi_c, dx)
        cand.append((w, f"band{k + 1}", "generated", k + 1, sites, int(b.get("blocks", 1)), False))
    cand.sort(key=lambda c: c[0])
    served: dict[str, list[int]] = {c[1]: [] for c in cand}
    main: list[int] = []
    for i, ti in enumerate(t):
        need = wt * ti * (1 - 1e-12)
        home = next((c[1] for c in cand if c[0] >= need), None)
        (served[home] if home else main).append(i)
    out = []
    if main or not mott:
        w_main = wt * float(t[main].max()) if main else wt * float(t.max())
        out.append(Pass("main", "input", 0, int(n_input[1]), n_r, 1, w_main, not mott,
                        tuple(main)))  # fmt: skip
    for w, name, src, pid, sites, blocks, with_s in cand:
        if served[name] or with_s:
            out.append(Pass(name, src, pid, sites, n_r * blocks, blocks, w, with_s,
                            tuple(served[name])))  # fmt: skip
    return out + extra


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
    """Block means (n_blocks, n_T): every T from the pass that serves it."""
    out = np.full((n_blocks, n_t), np.nan)
    for p, nt in per_pass:
        if p.t_index:
            out[:, list(p.t_index)] = block_means(nt, n_blocks)
    return out


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
