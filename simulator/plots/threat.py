"""Heatmap of mean perceived threat between actors."""

from __future__ import annotations

import textwrap

import numpy as np
from matplotlib import colormaps
from matplotlib.colors import Normalize
from matplotlib.figure import Figure

from simulator.results.reader import RunResults

from .style import fmt_date, new_figure, plain

CMAP = "YlOrRd"
NAME_WIDTH = 22  # characters of an actor label per line


def _cell_text(value: float) -> str:
    """Compact number: fewer decimals for large values so cells stay readable."""
    if value >= 100:
        return f"{value:.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def plot_threat_matrix(res: RunResults) -> Figure:
    """Mean threat matrix at the final day and (if different) at peak mean escalation."""
    actors = res.actors()
    # Long actor labels are wrapped so two panels side by side keep square-ish cells.
    names = [plain("\n".join(textwrap.wrap(a.label, NAME_WIDTH)) or a.label) for a in actors]
    dates = res.dates()
    last = len(res.daily) - 1
    peak = int(np.nanargmax(res.daily["escalation_mean"].to_numpy(dtype=float)))
    panels = [(last, "End of run")]
    if peak != last:
        panels.insert(0, (peak, "Peak mean escalation"))

    mats = [res.threat_matrix(row) for row, _ in panels]
    finite = np.concatenate([m[np.isfinite(m)] for m in mats])
    vmax = float(finite.max()) if finite.size and finite.max() > 0 else 1.0
    # A shared scale across panels so colours are comparable between the two days.
    norm = Normalize(vmin=0.0, vmax=vmax)

    fig = new_figure(res, "Mean perceived threat between actors")
    axes = fig.subplots(1, len(panels), squeeze=False)[0]
    cmap = colormaps[CMAP].with_extremes(bad="#eeeeee")
    images = []
    for ax, mat, (row, title) in zip(axes, mats, panels, strict=True):
        images.append(ax.imshow(np.ma.masked_invalid(mat), cmap=cmap, norm=norm, aspect="auto"))
        day = int(res.daily["day"].iloc[row])
        date = dates[row].astype(object)
        ax.set_title(f"{title}: {fmt_date(date)} (day {day})", fontsize=10)
        ax.set_xticks(
            range(len(names)), names, rotation=30, ha="right", rotation_mode="anchor", fontsize=8.5
        )
        ax.set_xlabel("Actor perceived as threatening")
        if ax is axes[0]:
            ax.set_yticks(range(len(names)), names, fontsize=8.5)
            ax.set_ylabel("Observer (who feels threatened)")
        else:
            # Same rows as the first panel: repeating the names would only take room.
            ax.set_yticks(range(len(names)), [""] * len(names))
        ax.tick_params(length=0)
        for spine in ax.spines.values():
            spine.set_visible(False)
        # Thin white gaps between cells make the grid readable without gridlines.
        ax.set_xticks(np.arange(-0.5, len(names)), minor=True)
        ax.set_yticks(np.arange(-0.5, len(names)), minor=True)
        ax.grid(which="minor", color="white", linewidth=2)
        ax.tick_params(which="minor", length=0)
        for i in range(len(names)):
            for j in range(len(names)):
                v = mat[i, j]
                if np.isfinite(v):
                    # Dark text on light cells and white on dark ones.
                    light = norm(v) < 0.6
                    ax.text(
                        j,
                        i,
                        _cell_text(v),
                        ha="center",
                        va="center",
                        fontsize=9,
                        color="#222222" if light else "white",
                    )
                else:
                    ax.text(j, i, "\u2014", ha="center", va="center", color="#999999")
    cbar = fig.colorbar(images[0], ax=list(axes), shrink=0.9, pad=0.02)
    cbar.set_label("Mean perceived threat (index \u2265 0)")
    cbar.ax.text(
        0.5,
        -0.03,
        "\u2014 = not recorded",
        transform=cbar.ax.transAxes,
        ha="center",
        va="top",
        fontsize=7.5,
        color="#666666",
    )
    return fig
