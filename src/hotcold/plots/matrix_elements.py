"""Figure `matrix_elements`: V^H, V^ex of Eq. (10) vs eps with Eqs. (11)/(12), and the
Hartree-exchange cancellation vs the interaction range a (docs/physics.md §1.6, issue 11)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import xarray as xr  # noqa: E402

from .style import UNITS_NOTE, axis_label, color, fmt_pm, marker, set_caption, tidy  # noqa: E402

__all__ = ["plot_matrix_elements"]


def _models(ds: xr.Dataset) -> list[tuple[str, float]]:
    """(family, d) with data; white noise once."""
    out = []
    for f in ds["family"].values:
        for d in ds["d"].values:
            if d == 0 and any(m[1] == 0 for m in out):
                continue
            if "is_model" in ds and not bool(ds["is_model"].sel(family=f, d=d)):
                continue  # a (family, d) cell that holds no model
            v = ds["V_H_rms"].sel(family=f, d=d)
            if np.isfinite(v.values).any():
                out.append((str(f), float(d)))
    return out


def _label(f: str, d: float) -> str:
    return "white noise" if d == 0 else f"{f} d={d:g}"


def _panel_eps(ax, ds: xr.Dataset, models, t) -> None:
    for n, (f, d) in enumerate(models):
        row = ds.sel(family=f, d=d, T=t)
        ok = np.isfinite(row["V_H_rms"].values)
        e = row["energy"].values[ok]
        for name, fill in (("V_H_rms", True), ("V_ex_excess_rms", False)):
            y, err = row[name].values[ok], row[name + "_stderr"].values[ok]
            ax.errorbar(
                e,
                y,
                err,
                marker=marker(n),
                ls="none",
                color=color(n),
                mfc=color(n) if fill else "white",
                capsize=2,
            )
        ax.plot(e, row["V_hc_eq11"].values[ok], ls="--", color=color(n))
        ax.plot(e, row["V_ex_rms"].values[ok], ls="none", marker="x", color=color(n))
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(axis_label("hot energy eps", "energy"))
    ax.set_ylabel(axis_label("RMS matrix element", "energy"))
    ax.set_title(f"(a) T = {t:g}")
    handles = [
        plt.Line2D([], [], marker="o", ls="none", color="k", label="V^H (Hartree)"),
        plt.Line2D([], [], marker="x", ls="none", color="k", label="V^ex (exchange)"),
        plt.Line2D(
            [],
            [],
            marker="o",
            mfc="white",
            ls="none",
            color="k",
            label="V^ex - contact (small-a part)",
        ),
        plt.Line2D([], [], ls="--", color="k", label="Eq. (11), alpha of Eq. (12)"),
    ] + [plt.Line2D([], [], ls="-", color=color(n), label=_label(*m)) for n, m in enumerate(models)]
    ax.legend(handles=handles, fontsize=7, loc="upper right")


def _panel_range(ax, ds: xr.Dataset, f: str, d: float) -> None:
    row = ds.sel(family=f, d=d)
    a = row["range_effective"].values
    ok_a = a > 0
    energies = row["energy"].values[np.isfinite(row["V_H_scan"].values[:, 0])]
    for n, e in enumerate(energies):
        r = row.sel(energy=e)
        y = r["V_hc_over_V_H_scan"].values
        ax.plot(
            a[ok_a], y[ok_a], marker=marker(n), color=color(n), ls="none", label=f"eps = {e:.3g}"
        )
        ax.plot(a[ok_a], 1 - r["exchange_coupling_sec3"].values[ok_a], ls="--", color=color(n))
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(axis_label("effective range a of V(x)", "length"))
    ax.set_ylabel(axis_label("RMS(V^H - V^ex) / RMS(V^H)"))
    ax.set_title(f"(b) cancellation, {_label(f, d)}, T = {float(ds.attrs.get('scan_T', 0)):g}")
    ax.legend(
        fontsize=7, loc="lower right", title="dashed: 1 - int f_a cos(k_h x)", title_fontsize=7
    )


def plot_matrix_elements(ds: xr.Dataset) -> plt.Figure:
    """Two panels: (a) V^H, V^ex vs eps with Eq. (11); (b) (V^H - V^ex)/V^H vs a."""
    models = _models(ds)
    temps = ds["T"].values
    t = float(temps[len(temps) // 2])
    fig, axes = plt.subplots(1, 2, figsize=(10, 4.2), layout="constrained")
    _panel_eps(axes[0], ds, models, t)
    _panel_range(axes[1], ds, *models[0])
    parts = []
    for f, d in models:
        r = ds.sel(family=f, d=d, T=t)
        ex = fmt_pm(
            float(r["V_ex_excess_eps_exponent"]), float(r["V_ex_excess_eps_exponent_stderr"])
        )
        parts.append(
            f"{_label(f, d)}: d ln V^H/d ln eps = "
            f"{fmt_pm(float(r['V_H_eps_exponent']), float(r['V_H_eps_exponent_stderr']))} "
            f"(Eq. 11 with the measured xi_h, rho_h: {float(r['V_hc_eq11_eps_exponent']):.3g}); "
            f"exchange small-a part d ln/d ln eps = {ex} (paper: -1)"
        )
    if "V_H_xi_exponent" in ds:
        k = int(np.argmin(np.abs(temps - t)))
        parts.append(
            "pooled d ln[V^H/(alpha T l_M)]/d ln xi_h = "
            f"{fmt_pm(float(ds['V_H_xi_exponent'][k]), float(ds['V_H_xi_exponent_stderr'][k]))}"
            " (Eq. 11: -1)"
        )
    tidy(fig)  # one decade of eps: 1-2-5 labels instead of crowded 10^x ones
    set_caption(fig, f"Measured at T = {t:g}. " + "; ".join(parts) + ". " + UNITS_NOTE)
    return fig
