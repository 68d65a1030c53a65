"""Benchmark of the localization engine (issue 10 item 1), ratios measured in one run.

Prints, on one core (numba single thread):

1. kernel: transfer steps per second of the engine kernel
   (:func:`hotcold.transfer.advance`) and of the reference kernel, a plain
   numba 3-point finite-difference recursion with the energies innermost
   (:func:`hotcold.transfer.fd3_advance`), 32 energies, same potential;
2. end to end: useful transfer steps per second (cells run by the 32 main
   energies until each reaches 1 % relative error, white noise, potential
   generation, DOS shadows and bookkeeping included) of ``run_lyapunov``,
   against the reference pipeline (the reference kernel on all 32 energies fed
   by numpy normal draws in 65536-cell chunks); the fraction of the engine's
   time spent generating the potential and the share of shadow (DOS) steps;
3. time-to-solution for xi on the default energy grid (white noise, default
   w and rel_error) at *equal accuracy* against the strong baseline (FD3,
   energies innermost, same stopping rule): each method gets the largest grid
   step whose Born-level discretisation bias is below bias_fraction *
   rel_error at the highest energy (engine: choose_dx; FD3: the lattice Born
   ratio (k dx)^2 / sin^2(k_lat dx));
4. the wall time of the whole default ``localization`` stage (snakemake -c2)
   and the highest measured energy per model (with the reference run's, if
   /work/ref/results/localization.nc or --reference FILE exists).

Run:  python benchmarks/bench_localization.py [--skip-stage] [--reference FILE] [--keep DIR]
"""

from __future__ import annotations

import argparse
import math
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numba
import numpy as np
import yaml

from hotcold import disorder, theory
from hotcold.config import localization_energies
from hotcold.disorder import Model, PotentialStream, model_seed
from hotcold.localization import batch_stderr, choose_dx, run_lyapunov
from hotcold.transfer import advance, fd3_advance, recursion_coefficients, renorm_interval

ROOT = Path(__file__).resolve().parents[1]
N_E = 32


def kernel_rates(energies: np.ndarray, dx: float, n: int = 1 << 21) -> tuple[float, float]:
    """Steps/s of the engine kernel and of the FD3 reference kernel on the same potential."""
    u = np.random.default_rng(0).standard_normal(n) * math.sqrt(0.1 / dx)
    a, b, c, _ = recursion_coefficients(energies, 1.0, dx)
    k = renorm_interval(a, b, c, float(np.abs(u).max()))
    best = [math.inf, math.inf]
    for _ in range(3):
        x0, x1 = np.ones(energies.size), np.ones(energies.size)
        logs, nodes = np.zeros((32, energies.size)), np.zeros((32, energies.size), np.int64)
        t = time.perf_counter()
        advance(u, a, b, c, x0, x1, logs, nodes, k)
        best[0] = min(best[0], time.perf_counter() - t)
        f0, f1 = np.zeros(energies.size), np.ones(energies.size)
        fl, fn = np.zeros(energies.size), np.zeros(energies.size, np.int64)
        t = time.perf_counter()
        fd3_advance(u, energies, 1.0, dx, f0, f1, fl, fn)
        best[1] = min(best[1], time.perf_counter() - t)
    return n * energies.size / best[0], n * energies.size / best[1]


def reference_pipeline(energies: np.ndarray, dx: float, w: float, n: int = 1 << 23) -> float:
    """Steps/s of FD3 (energies innermost) fed by numpy normal draws in 65536-cell chunks."""
    rng = np.random.default_rng(1)
    x0, x1 = np.zeros(energies.size), np.ones(energies.size)
    logs, nodes = np.zeros(energies.size), np.zeros(energies.size, np.int64)
    t = time.perf_counter()
    for _ in range(n // 65536):
        u = math.sqrt(w / dx) * rng.standard_normal(65536)
        fd3_advance(u, energies, 1.0, dx, x0, x1, logs, nodes)
    return n * energies.size / (time.perf_counter() - t)


class _TimedTake:
    """Accumulates the wall time spent in PotentialStream.take (the potential stream)."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self._orig = PotentialStream.take

    def __enter__(self) -> _TimedTake:
        orig, me = self._orig, self

        def take(stream, n):
            t = time.perf_counter()
            out = orig(stream, n)
            me.seconds += time.perf_counter() - t
            return out

        disorder.PotentialStream.take = take
        return self

    def __exit__(self, *exc) -> None:
        disorder.PotentialStream.take = self._orig


def end_to_end(energies, m, w, dx, rel):
    """(useful steps/s, stream fraction, shadow share, result) of run_lyapunov, white noise."""
    model = Model("white", w, 0.0)
    with _TimedTake() as timer:
        t = time.perf_counter()
        res = run_lyapunov(model, energies, m, 20171101, dx, rel, 1e12)
        dt = time.perf_counter() - t
    useful = res.length.sum() / dx
    shadow = 2 * res.dos_length.sum() / dx
    return useful / dt, timer.seconds / dt, shadow / (useful + shadow), res, dt


def fd_bias(k: float, dx: float) -> float:
    """Relative Born bias of the FD lattice: gamma_FD/gamma - 1 = (k dx)^2/sin^2(k_l dx) - 1."""
    c = 1.0 - (k * dx) ** 2 / 2.0
    if c <= -1:
        return math.inf
    kl = math.acos(c) / dx
    return (k * dx) ** 2 / math.sin(kl * dx) ** 2 - 1.0


def fd_dx(kmax: float, target: float, dx0: float) -> float:
    dx = dx0
    while abs(fd_bias(kmax, dx)) > target:
        dx /= 2
    return dx


def run_fd(model, energies, m, seed, dx, rel, chunk=1 << 16, n_batches=32):
    """Strong baseline: FD3 (energies innermost), same stopping rule as run_lyapunov."""
    n_e = energies.size
    x0, x1 = np.zeros(n_e), np.ones(n_e)
    per: list[np.ndarray] = []
    active = np.ones(n_e, bool)
    nchunk = np.zeros(n_e, int)
    stream = PotentialStream(model, dx, model_seed(seed, model, "localization"), fast=True)
    fd3_advance(stream.take(chunk), energies, m, dx, x0, x1, np.zeros(n_e), np.zeros(n_e, int))
    while active.any():
        idx = np.flatnonzero(active)
        a0, a1 = x0[idx], x1[idx]
        ls, nd = np.zeros(idx.size), np.zeros(idx.size, dtype=np.int64)
        fd3_advance(stream.take(chunk), energies[idx], m, dx, a0, a1, ls, nd)
        x0[idx], x1[idx] = a0, a1
        row = np.full(n_e, np.nan)
        row[idx] = ls
        per.append(row)
        nchunk[idx] += 1
        for e in idx:
            if nchunk[e] >= n_batches:
                g, se, _ = batch_stderr(np.array([r[e] for r in per[: nchunk[e]]]), n_batches)
                active[e] = not (g > 0 and se / g <= rel)
    table = np.array(per)
    gam = np.array([table[: nchunk[e], e].mean() for e in range(n_e)]) / (chunk * dx)
    return gam, nchunk * chunk


def time_to_solution(cfg) -> None:
    loc = cfg["localization"]
    m, w, rel = cfg["m"], cfg["disorder"]["w"], loc["rel_error"]
    energies = localization_energies(cfg)
    model = Model("white", w, 0.0)
    dx_e, _ = choose_dx(
        model,
        energies,
        m,
        rel,
        loc["max_cells"],
        loc["dx_max"],
        loc["kdx_max"],
        loc["points_per_d"],
        loc["bias_fraction"],
    )
    kmax = theory.wavevector(energies.max(), m)
    dx_f = fd_dx(kmax, loc["bias_fraction"] * rel, loc["dx_max"])
    t = time.perf_counter()
    res = run_lyapunov(model, energies, m, cfg["seed"], dx_e, rel, 1e12, chunk=loc["chunk"])
    t_engine = time.perf_counter() - t
    t = time.perf_counter()
    g_fd, cells_fd = run_fd(model, energies, m, cfg["seed"], dx_f, rel)
    t_fd = time.perf_counter() - t
    g_ex, _ = theory.white_noise_exact(energies, m, w)
    print(
        f"3. time-to-solution, default grid ({energies.size} energies "
        f"{energies.min():g}..{energies.max():g}), white w={w}, rel_error={rel}, "
        f"Born bias <= {loc['bias_fraction'] * rel:.3g}, 1 thread"
    )
    print(
        f"   engine        : dx = {dx_e:.4g} (k_max dx = {kmax * dx_e:.2f}), "
        f"{res.length.sum() / dx_e:.3e} cells, {t_engine:.2f} s"
    )
    print(
        f"   FD3 baseline  : dx = {dx_f:.4g} (Born bias {fd_bias(kmax, dx_f):.2e} at k_max), "
        f"{cells_fd.sum():.3e} cells, {t_fd:.2f} s"
    )
    print(f"   time-to-solution ratio baseline/engine = {t_fd / t_engine:.2f}")
    dev_e = np.max(np.abs(res.lyapunov / g_ex - 1))
    dev_f = np.max(np.abs(g_fd / g_ex - 1))
    print(f"   max |gamma/gamma_exact - 1|: engine {dev_e:.3f}, baseline {dev_f:.3f}")


def highest_measured(path: Path) -> dict[str, float]:
    import xarray as xr

    out = {}
    with xr.open_dataset(path) as ds:
        for fam in ds.family.values:
            for d in ds.d.values:
                row = ds.sel(family=fam, d=d)
                e = row.energy.values[row.xi_source.values == 0]
                label = "white" if d == 0 else f"{fam} d={d:g}"
                out[label] = float(e.max()) if e.size else math.nan
    return out


def stage(reference: Path | None, keep: Path | None) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        if keep is not None:
            keep.mkdir(parents=True, exist_ok=True)
            tmp = str(keep)
        cmd = [sys.executable, "-m", "snakemake", "-s", str(ROOT / "Snakefile"), "-d", tmp]
        cmd += ["-c2", "results/localization.nc"]
        t = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True)
        t_stage = time.perf_counter() - t
        now = highest_measured(Path(tmp) / "results" / "localization.nc")
    print(f"4. default `localization` stage (snakemake -c2): {t_stage:.1f} s wall")
    before = highest_measured(reference) if reference and reference.exists() else {}
    print("   highest measured energy (xi_source = measured) per model: now | reference run")
    for label, e in now.items():
        print(f"   {label:16s} {e:8.4g} | {before.get(label, math.nan):8.4g}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--skip-stage", action="store_true", help="skip the snakemake stage timing")
    ap.add_argument("--reference", type=Path, default=Path("/work/ref/results/localization.nc"))
    ap.add_argument("--keep", type=Path, help="run the stage in this directory and keep it")
    args = ap.parse_args()
    numba.set_num_threads(1)
    cfg = yaml.safe_load((ROOT / "config" / "config.yaml").read_text())
    m, w = cfg["m"], cfg["disorder"]["w"]
    energies = np.geomspace(0.25, 32.0, N_E)
    dx = 0.05
    run_lyapunov(Model("white", w, 0.0), energies[:2], m, 1, dx, 0.5, 1e6)  # compile
    z = np.zeros(N_E)
    fd3_advance(np.ones(64), energies, m, dx, z, np.ones(N_E), z.copy(), np.zeros(N_E, np.int64))
    k_new, k_ref = kernel_rates(energies, dx)
    print(f"1. kernel, {N_E} energies, 2^21 cells, 1 thread (steps/s)")
    print(f"   engine kernel : {k_new:.3e}")
    print(f"   FD3 reference : {k_ref:.3e}   (engine/reference = {k_new / k_ref:.2f})")
    rate, frac, shadow, res, dt = end_to_end(energies, m, w, dx, 0.01)
    ref = reference_pipeline(energies, dx, w)
    print(f"2. end to end, white w={w}, {N_E} energies 0.25..32 to 1 % rel. error, 1 thread")
    print(
        f"   engine            : {rate:.3e} useful steps/s ({res.length.sum() / dx:.3e} "
        f"useful steps in {dt:.1f} s; all {np.sum(res.status == 0)} converged)"
    )
    print(f"   reference pipeline: {ref:.3e} steps/s   (engine/reference = {rate / ref:.2f})")
    print(
        f"   potential stream  : {100 * frac:.0f} % of the engine's time; "
        f"DOS shadow steps: {100 * shadow:.0f} % of all steps"
    )
    time_to_solution(cfg)
    if not args.skip_stage:
        stage(args.reference, args.keep)


if __name__ == "__main__":
    main()
