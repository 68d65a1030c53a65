"""The lattice energy whose density label is eps = 1 for the default 2D white-noise model.

m = 1, w2 = 1.5, a = 0.25 (t = 8), strip M = 64 (width 16), 200 000 counted
slices in blocks of 2000 after a 2000-slice warm-up, dE = 0.05, seed 2026
(hotcold.lattice2d.energy_at_label).  Measured (branch lattice2d):
E = -0.3765 +- 0.0019, shift E - eps = -1.3765 +- 0.0019, rho = 0.1296 +- 0.0008
in 13 passes, 222 s on one (shared) core.  Born (second order) for comparison:
E ~ E_clean + Re Sigma = 0.985 - 1.279 = -0.29.

Run: PYTHONPATH=src python benchmarks/lattice2d_label.py [M] [n_slices]
"""

import sys
import time

from hotcold.lattice2d import LatticeModel2D, energy_at_label

M = int(sys.argv[1]) if len(sys.argv) > 1 else 64
ns = int(sys.argv[2]) if len(sys.argv) > 2 else 200_000
model = LatticeModel2D("white", 1.5, 0.0, 1.0, 0.25)
t0 = time.perf_counter()
r = energy_at_label(model, M, 1.0, seed=2026, n_slices=ns, block_slices=2000, dE=0.05)
print(M, ns, r, f"{time.perf_counter() - t0:.0f} s")
