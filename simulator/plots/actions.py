"""Each actor's daily mix of actions (ladder rungs), one stacked-area panel per actor."""

from __future__ import annotations

import math

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import PercentFormatter

from simulator.results.reader import RunResults

from .style import (
    FIGSIZE,
    HANDLER_MAP,
    SectionHeader,
    ladder_colors,
    new_figure,
    plain,
    setup_date_axis,
    style_axes,
)


def plot_action_mix(res: RunResults) -> Figure:
    """Stacked share of replicates choosing each rung, per actor and day."""
    actors = res.actors()
    rungs = res.rungs()
    colors = ladder_colors(rungs)
    dates = res.dates()

    ncols = 1 if len(actors) == 1 else 2
    nrows = math.ceil(len(actors) / ncols)
    # Keep panels at least ~2 in tall when there are many actors.
    height = max(FIGSIZE[1], 1.0 + 2.3 * nrows)
    fig = new_figure(res, "Daily action mix by actor", figsize=(FIGSIZE[0], height))
    axes = fig.subplots(nrows, ncols, sharex=True, sharey=True, squeeze=False)

    used: set[str] = set()
    for k, actor in enumerate(actors):
        ax = axes[k // ncols][k % ncols]
        style_axes(ax)
        mix = res.mix(actor.name)
        if mix:
            names = list(mix)
            used.update(names)
            # Draw the final day as a full day so the areas reach the axis end.
            x = np.append(dates, dates[-1] + np.timedelta64(1, "D"))
            ys = [np.append(v, v[-1]) for v in mix.values()]
            ax.stackplot(
                x,
                ys,
                colors=[colors[n] for n in names],
                step="post",
                edgecolor="white",
                linewidth=0.3,
            )
        else:
            ax.text(
                0.5,
                0.5,
                "no action data",
                transform=ax.transAxes,
                ha="center",
                va="center",
                color="#888888",
            )
        kind = f" ({actor.type})" if actor.type else ""
        ax.set_title(plain(f"{actor.label}{kind}"), fontsize=10, loc="left")
        ax.set_ylim(0, 1)
        ax.yaxis.set_major_formatter(PercentFormatter(1.0))
        setup_date_axis(ax, res, dates, short_label=True)
        # Shared axes: label only the outer edges to save space.
        if k // ncols != nrows - 1 and k + ncols < len(actors):
            ax.set_xlabel("")
        if k % ncols == 0:
            ax.set_ylabel("Share of replicates")
        else:
            ax.tick_params(labelleft=True)
    for k in range(len(actors), nrows * ncols):
        # An empty slot in the grid: show the x ticks on the panel above instead.
        axes[k // ncols][k % ncols].remove()
        above = axes[k // ncols - 1][k % ncols]
        above.tick_params(labelbottom=True)
        above.set_xlabel("Date", loc="left")

    # One shared legend, most escalatory rung on top like the stacks, grouped by category.
    handles: list[object] = []
    labels: list[str] = []
    category = None
    for rung in reversed(rungs):
        if rung.name not in used:
            continue
        if rung.category != category:
            category = rung.category
            handles.append(SectionHeader())
            labels.append(plain(category.capitalize() if category else "Other"))
        handles.append(Patch(facecolor=colors[rung.name], edgecolor="none"))
        labels.append(plain(rung.label))
    leg = fig.legend(
        handles,
        labels,
        loc="outside right upper",
        frameon=False,
        fontsize=8,
        handler_map=HANDLER_MAP,
        title="Action (ladder rung)",
        title_fontproperties={"weight": "bold", "size": 9},
    )
    for handle, text in zip(handles, leg.get_texts(), strict=True):
        if isinstance(handle, SectionHeader):
            text.set_fontstyle("italic")
            text.set_color("#555555")
    return fig
