"""Cost of the matrix-element stage (docs/physics.md §1.6, issue 11) against box length and number
of pairs.

    python benchmarks/bench_matrix_elements.py [--quick]

Prints, for one white-noise realization (w = 0.1, dx = 0.1, a = 0.05, hot
energy 4, default windows): the eigensolver time, the pair time, the numbers
of cold and hot pairs and the time per hot pair, for box lengths L and
temperatures T (the number of cold pairs grows like T^2 L); and the cost of
one cold pair on its local support against the same pair on the whole box
(what the stage never does).  Ratios are measured in one run.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from hotcold import matrix_elements as me
from hotcold.disorder import Model, PotentialStream
from hotcold.eigen import eigenpairs


def _one(box: float, temps: list[float], energies: list[float]) -> dict:
    s = {**me.DEFAULT_SETTINGS, "box_length": box, "temperatures": temps, "ranges": [0.1]}
    dx = s["dx"]
    model = Model("white", 0.1, 0.0)
    pot = PotentialStream(model, dx, me.realization_seed(1, model, 0)).take(int(box / dx))
    ker = me.interaction_kernel(0.05, dx)
    grid = {
        "dx": dx,
        "m": 1.0,
        "u": 0.1,
        "eps_f": 1.0,
        "xi_c": 20.0,
        "block_sites": int(s["block"] / dx),
        "pad": ker.size,
    }
    t0 = time.perf_counter()  # baseline: the same eigensolves, no cold pair (T -> 0)
    me.realization_sums(pot, grid, np.array(energies), np.array([1e-7]), [[ker]], s)
    t_eig = time.perf_counter() - t0
    t0 = time.perf_counter()
    res = me.realization_sums(
        pot, grid, np.array(energies), np.array(temps), [[ker]] * len(temps), s
    )
    t_all = time.perf_counter() - t0
    return {"eig": t_eig, "total": t_all, "cold": res["n_cold"], "hot": res["n_hot"].sum(1)}


def _local_vs_full(box: float) -> tuple[float, float, int, int]:
    dx = 0.1
    model = Model("white", 0.1, 0.0)
    pot = PotentialStream(model, dx, me.realization_seed(1, model, 0)).take(int(box / dx))
    c_e, c_psi = eigenpairs(pot, dx, 1.0, 0.95, 1.05)
    h_e, h_psi = eigenpairs(pot, dx, 1.0, 3.9, 4.1)
    amp = me.block_amplitudes(c_psi, 20, dx)
    ov = amp @ amp.T
    np.fill_diagonal(ov, 0)
    k, l_ = np.unravel_index(np.argmax(ov), ov.shape)
    ker = me.interaction_kernel(0.05, dx)
    sup = me.pair_support(amp[k] * amp[l_], 1e-5, 20, ker.size, c_psi.shape[1])
    ii, jj = np.meshgrid(np.arange(len(h_e)), np.arange(len(h_e)), indexing="ij")
    ii, jj = ii.ravel(), jj.ravel()
    times = []
    for sl in (sup, slice(0, c_psi.shape[1])):
        t0 = time.perf_counter()
        for _ in range(5):
            me.pair_elements(h_psi[:, sl], ii, jj, c_psi[k, sl], c_psi[l_, sl], [ker], dx, 0.1)
        times.append((time.perf_counter() - t0) / 5)
    return times[0], times[1], sup.stop - sup.start, c_psi.shape[1]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="two box lengths, one T")
    args = ap.parse_args()
    boxes = [425.0, 850.0] if args.quick else [425.0, 850.0, 1700.0]
    temps = [0.02] if args.quick else [0.01, 0.02, 0.04]
    print("cost vs box length and pairs (one realization, hot energy 4, a = 0.05)")
    print(
        f"{'L':>7} {'sites':>6} {'T':>6} {'eig s':>7} {'total s':>8} {'cold pairs':>10} "
        f"{'hot pairs':>10} {'ms/hot pair':>11}"
    )
    for box in boxes:
        for t in temps:
            r = _one(box, [t], [4.0])
            per = 1e3 * (r["total"] - r["eig"]) / max(1, r["hot"][0])
            print(
                f"{box:7.0f} {int(box / 0.1):6d} {t:6.3f} {r['eig']:7.2f} {r['total']:8.2f} "
                f"{r['cold'][0]:10d} {r['hot'][0]:10.0f} {per:11.3f}"
            )
    t_loc, t_full, n_loc, n_full = _local_vs_full(boxes[-1])
    print(
        f"one cold pair x all hot pairs: local support {n_loc} sites {1e3 * t_loc:.1f} ms, "
        f"whole box {n_full} sites {1e3 * t_full:.1f} ms: ratio {t_full / t_loc:.1f}"
    )


if __name__ == "__main__":
    main()
