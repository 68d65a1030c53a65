"""Benchmark of the localization engine (issue 3).

Prints, measured in one run on this machine:

1. transfer steps per second per core of the kick engine and of the baseline
   (a plain numba 3-point finite-difference recursion vectorised over
   energies), single thread, same potential;
2. time-to-solution for xi on the default energy grid (white noise, default
   w and rel_error) at *equal accuracy*: each method gets the largest grid
   step whose Born-level discretisation bias is below bias_fraction *
   rel_error at the highest energy (engine: choose_dx; FD: the lattice Born
   ratio (k dx)^2 / sin^2(k_lat dx), k_lat from the lattice dispersion), and
   both run until the same relative standard error;
3. the wall time of the whole default `localization` stage (snakemake -c2).

Run:  python benchmarks/bench_localization.py [--skip-stage]
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

from hotcold import theory
from hotcold.config import localization_energies
from hotcold.disorder import Model, PotentialStream, model_seed
from hotcold.localization import (
    batch_stderr,
    choose_dx,
    fd_lyapunov_chunk,
    free_propagators,
    kick_lyapunov_chunk,
    run_lyapunov,
)

ROOT = Path(__file__).resolve().parents[1]


def steps_per_second(n_e: int = 22, n: int = 1 << 21, dx: float = 0.05) -> tuple[float, float]:
    rng = np.random.default_rng(0)
    u = rng.standard_normal(n) * math.sqrt(0.1 / dx)
    energies = np.geomspace(0.25, 32, n_e)
    mat, shift, inv = free_propagators(energies, 1.0, dx)
    args = [np.ones(n_e), np.zeros(n_e), np.zeros(n_e), np.zeros(n_e, dtype=np.int64)]
    kick_lyapunov_chunk(u[:1024], 2 * dx, mat, shift, inv, *args)  # compile
    t = time.perf_counter()
    kick_lyapunov_chunk(u, 2 * dx, mat, shift, inv, *args)
    t_kick = time.perf_counter() - t
    fd_args = [np.zeros(n_e), np.ones(n_e), np.zeros(n_e), np.zeros(n_e, dtype=np.int64)]
    fd_lyapunov_chunk(u[:1024], energies, 1.0, dx, *fd_args)
    t = time.perf_counter()
    fd_lyapunov_chunk(u, energies, 1.0, dx, *fd_args)
    t_fd = time.perf_counter() - t
    return n * n_e / t_kick, n * n_e / t_fd


def fd_bias(k: float, dx: float, m: float = 1.0) -> float:
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


def run_fd(model, energies, m, seed, dx, rel, max_cells, chunk=1 << 16):
    """Same stopping rule as run_lyapunov, with the FD recursion (baseline)."""
    n_e = energies.size
    p0, p1 = np.zeros(n_e), np.ones(n_e)
    per = np.zeros((int(max_cells // chunk) + 2, n_e))
    nchunk = np.zeros(n_e, dtype=int)
    active = np.ones(n_e, bool)
    stream = PotentialStream(model, dx, model_seed(seed, model, "localization"))
    k = -1
    while active.any():
        k += 1
        u = stream.take(chunk)
        idx = np.flatnonzero(active)
        a0, a1 = p0[idx], p1[idx]
        ls, nd = np.zeros(idx.size), np.zeros(idx.size, dtype=np.int64)
        fd_lyapunov_chunk(u, energies[idx], m, dx, a0, a1, ls, nd)
        p0[idx], p1[idx] = a0, a1
        if k == 0:
            continue
        per[k - 1, idx] = ls
        nchunk[idx] += 1
        for e in idx:
            nc = nchunk[e]
            g, se, nb = batch_stderr(per[:nc, e])
            if nc * chunk >= max_cells or (nc >= 8 and nb >= 8 and g > 0 and se / g <= rel):
                active[e] = False
    gam = np.array([batch_stderr(per[: nchunk[e], e])[0] for e in range(n_e)]) / (chunk * dx)
    return gam, nchunk * chunk


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--skip-stage", action="store_true", help="skip the snakemake stage timing")
    args = ap.parse_args()
    numba.set_num_threads(1)
    cfg = yaml.safe_load((ROOT / "config" / "config.yaml").read_text())
    loc = cfg["localization"]
    m, w, rel = cfg["m"], cfg["disorder"]["w"], loc["rel_error"]

    kick_rate, fd_rate = steps_per_second()
    print("1. transfer steps per second per core (22 energies, 2^21 cells, 1 thread)")
    print(f"   kick engine : {kick_rate:.3e} steps/s/core")
    print(
        f"   FD baseline : {fd_rate:.3e} steps/s/core"
        f"   (engine/baseline = {kick_rate / fd_rate:.2f})"
    )

    energies = localization_energies(cfg)
    model = Model("white", w, 0.0)
    dx_e, attempt = choose_dx(
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
    run_lyapunov(model, energies[:2], m, 1, dx_e, 0.5, 1e5)  # compile
    t = time.perf_counter()
    res = run_lyapunov(model, energies, m, cfg["seed"], dx_e, rel, 1e12, chunk=loc["chunk"])
    t_engine = time.perf_counter() - t
    t = time.perf_counter()
    g_fd, cells_fd = run_fd(model, energies, m, cfg["seed"], dx_f, rel, 1e12, chunk=loc["chunk"])
    t_fd = time.perf_counter() - t
    g_ex, _ = theory.white_noise_exact(energies, m, w)
    print(
        "2. time-to-solution for xi on the default energy grid "
        f"({energies.size} energies {energies.min():g}..{energies.max():g}, white w={w}, "
        f"rel_error={rel}, bias <= {loc['bias_fraction'] * rel:.3g}), 1 thread"
    )
    print(
        f"   engine  : dx = {dx_e:.4g} (k_max dx = {kmax * dx_e:.2f}), "
        f"{res.length.sum() / dx_e:.3e} cells, {t_engine:.2f} s"
    )
    print(
        f"   baseline: dx = {dx_f:.4g} (Born bias {fd_bias(kmax, dx_f):.2e} at k_max), "
        f"{cells_fd.sum():.3e} cells, {t_fd:.2f} s"
    )
    print(f"   time-to-solution ratio baseline/engine = {t_fd / t_engine:.2f}")
    dev_e = np.max(np.abs(res.lyapunov / g_ex - 1))
    dev_f = np.max(np.abs(g_fd / g_ex - 1))
    print(
        f"   max |gamma/gamma_exact - 1|: engine {dev_e:.3f}, baseline {dev_f:.3f} "
        f"(target rel. s.e. {rel})"
    )

    if not args.skip_stage:
        with tempfile.TemporaryDirectory() as tmp:
            cmd = [
                sys.executable,
                "-m",
                "snakemake",
                "-s",
                str(ROOT / "Snakefile"),
                "-d",
                tmp,
                "results/localization.nc",
                "-c2",
            ]
            t = time.perf_counter()
            subprocess.run(cmd, check=True, capture_output=True)
            t_stage = time.perf_counter() - t
        print(f"3. default `localization` stage (7 models, snakemake -c2): {t_stage:.1f} s wall")


if __name__ == "__main__":
    main()
