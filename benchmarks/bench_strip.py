"""Benchmark of the 2D strip engine (hotcold.strip) against a plain implementation.

Prints one table: seconds to measure xi_M to ``--rel`` (2 %) at M = 64, 128,
256 for white noise (m = 1, w2 = 1.5, a = 0.25, t = 8, E = 1; the disorder
shift of the band is not applied), the plain implementation's seconds per
slice (numpy stencil with np.roll, numpy.linalg.qr every 8 slices, measured on
``--plain-slices`` slices), the engine's seconds per slice, their ratio, and
the engine's achieved GFLOP/s (stencil + amortized QR flops, counted by
:func:`hotcold.strip.stencil_flops` and :func:`hotcold.strip.qr_flops`)
against numpy's 1024 x 1024 matmul.  Everything runs on one BLAS thread.

    python benchmarks/bench_strip.py [--quick]

``--quick`` caps the runs at 300 000 measured slices (the M = 256 run to 2 %
takes minutes) and measures the plain code on 400 slices.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from threadpoolctl import threadpool_limits

from hotcold.lattice2d import LatticeModel2D, StripPotential
from hotcold.strip import qr_flops, stencil_flops, strip_lyapunov


def white_source(M: int, w2: float, a: float, seed: int) -> StripPotential:
    """The default 2D white-noise disorder of a strip (i.i.d. N(0, w2/a^2)), m = 1."""
    return StripPotential(LatticeModel2D("white", w2, 0.0, 1.0, a), M, seed)


def plain_seconds_per_slice(M: int, t: float, E: float, V: np.ndarray, n_qr: int = 8) -> float:
    """The same algorithm written plainly: numpy updates with np.roll, numpy.linalg.qr."""
    top = np.eye(M)
    bot = np.zeros((M, M))
    logs = np.zeros(M)
    t0 = time.perf_counter()
    for x in range(V.shape[0]):
        new = (
            (4 * t + V[x] - E)[:, None] * top - t * (np.roll(top, 1, 0) + np.roll(top, -1, 0))
        ) / t
        new -= bot
        bot, top = top, new
        if (x + 1) % n_qr == 0:
            q, r = np.linalg.qr(np.vstack([top, bot]))
            logs += np.log(np.abs(np.diag(r)))
            top, bot = q[:M], q[M:]
    return (time.perf_counter() - t0) / V.shape[0]


def matmul_gflops(n: int = 1024) -> float:
    a = np.random.default_rng(0).standard_normal((n, n))
    a @ a
    best = np.inf
    for _ in range(5):
        t0 = time.perf_counter()
        a @ a
        best = min(best, time.perf_counter() - t0)
    return 2.0 * n**3 / best / 1e9


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="cap the runs (M = 256 takes minutes)")
    ap.add_argument("--rel", type=float, default=0.02, help="target relative error of xi_M")
    ap.add_argument("--sizes", type=int, nargs="+", default=[64, 128, 256])
    ap.add_argument("--plain-slices", type=int, default=2000)
    args = ap.parse_args()
    m, w2, a, E = 1.0, 1.5, 0.25, 1.0
    t = 1.0 / (2 * m * a * a)
    cap = 300_000 if args.quick else 20_000_000
    n_plain = 400 if args.quick else args.plain_slices
    rows = []
    with threadpool_limits(limits=1, user_api="blas"):
        mm = matmul_gflops()
        strip_lyapunov(white_source(8, w2, a, 0), 8, t, E, a=a, rel_error=0.5)  # JIT warm-up
        for M in args.sizes:
            t0 = time.perf_counter()
            r = strip_lyapunov(
                white_source(M, w2, a, 1), M, t, E, a=a, rel_error=args.rel, max_slices=cap
            )
            sec = time.perf_counter() - t0
            total = r.n_slices + r.warmup_slices
            per = sec / total
            flops = stencil_flops(M) + qr_flops(M) / r.n_qr
            V = white_source(M, w2, a, 2).take(n_plain)
            plain = plain_seconds_per_slice(M, t, E, V)
            rows.append((M, r, sec, per, plain, flops / per / 1e9))
    print(f"numpy 1024x1024 matmul, 1 thread: {mm:.1f} GFLOP/s")
    note = f" (--quick: capped at {cap} slices)" if args.quick else ""
    print(f"target rel. error {args.rel:g}{note}")
    hdr = (
        f"{'M':>4} {'xi_M':>8} {'rel.se':>7} {'cap':>4} {'n_qr':>4} {'slices':>9} {'sec':>8} "
        f"{'us/slice':>9} {'plain us/sl':>11} {'ratio':>6} {'GFLOP/s':>8} {'/matmul':>7}"
    )
    print(hdr)
    for M, r, sec, per, plain, gf in rows:
        print(
            f"{M:>4} {r.xi_M:8.3f} {r.rel_stderr:7.4f} {'yes' if r.cap_hit else 'no':>4} "
            f"{r.n_qr:>4} {r.n_slices + r.warmup_slices:>9} {sec:8.1f} {per * 1e6:9.1f} "
            f"{plain * 1e6:11.1f} {plain / per:6.2f} {gf:8.1f} {gf / mm:7.2f}"
        )


if __name__ == "__main__":
    main()
