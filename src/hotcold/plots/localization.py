"""Figure: xi(eps) from transfer matrices against Eq. (2) and the Born asymptote."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import xarray as xr  # noqa: E402

from ..theory import xi_white_eq2  # noqa: E402

__all__ = ["plot_localization"]


def plot_localization(ds: xr.Dataset) -> plt.Figure:
    """xi(eps) per family (columns) and d (colours), log-log, with error bars.

    Top row: measured xi (points with standard errors; open symbols where the
    cost cap was hit), Born asymptote (solid), Eq. (2) for white noise
    (dotted).  Bottom row: xi/xi_Born, showing where the numerics depart from
    the Born asymptote (strong disorder, low energy).
    """
    fams = list(ds["family"].values)
    m, w = float(ds.attrs.get("m", 1.0)), None
    cfg = ds.attrs.get("config")
    if cfg:
        import json

        c = json.loads(cfg)
        m = float(c.get("m", m))
        w = float(c.get("disorder", {}).get("w", 0)) or None
    fig, axes = plt.subplots(
        2,
        len(fams),
        figsize=(4.2 * len(fams), 6.6),
        squeeze=False,
        sharex=True,
        gridspec_kw={"height_ratios": [2, 1]},
    )
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    e = ds["energy"].values
    for j, fam in enumerate(fams):
        ax, axr = axes[0, j], axes[1, j]
        for i, d in enumerate(ds["d"].values):
            sub = ds.sel(family=fam, d=d)
            col = colors[i % len(colors)]
            meas = sub["xi_source"].values == 0
            cap = sub["status"].values == 1
            lab = "white (d=0)" if d == 0 else f"d={d:g}"
            for mask, mfc in ((meas & ~cap, col), (meas & cap, "none")):
                if mask.any():
                    ax.errorbar(
                        e[mask],
                        sub["xi"].values[mask],
                        yerr=sub["xi_stderr"].values[mask],
                        fmt="o",
                        ms=3.5,
                        color=col,
                        mfc=mfc,
                        capsize=2,
                        label=lab if mfc == col else None,
                    )
                    ratio = sub["xi"].values[mask] / sub["xi_born"].values[mask]
                    rerr = sub["xi_stderr"].values[mask] / sub["xi_born"].values[mask]
                    axr.errorbar(
                        e[mask], ratio, yerr=rerr, fmt="o", ms=3.5, color=col, mfc=mfc, capsize=2
                    )
            pos = e > 0
            ax.plot(e[pos], sub["xi_born"].values[pos], "-", color=col, lw=1, alpha=0.8)
        if w:
            ax.plot(
                e[e > 0],
                xi_white_eq2(e[e > 0], m, w),
                ":",
                color="k",
                lw=1.2,
                label="Eq. (2): 2 eps/(m w)",
            )
        ax.set_xscale("log")
        ax.set_yscale("log")
        shown = ds["xi"].sel(family=fam).where(ds["xi_source"].sel(family=fam) == 0)
        lo, hi = float(shown.min()), float(shown.max())
        if np.isfinite(lo) and np.isfinite(hi):
            ax.set_ylim(lo / 2, hi * 30)
        ax.set_title(f"{fam}")
        ax.set_ylabel("xi [length]")
        ax.legend(fontsize=7, loc="upper left")
        axr.axhline(1.0, color="k", lw=0.8)
        axr.set_xscale("log")
        axr.set_xlabel("energy eps [energy]")
        axr.set_ylabel("xi / xi_Born")
    fig.suptitle(
        "Localization length: transfer matrices (points, open = cost cap) vs Born "
        "(lines) and Eq. (2)",
        fontsize=10,
    )
    fig.tight_layout()
    return fig
