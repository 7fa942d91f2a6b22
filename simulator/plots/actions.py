"""Each actor's daily mix of actions (ladder rungs), one stacked-area panel per actor."""

from __future__ import annotations

import math
import textwrap

import matplotlib.dates as mdates
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import PercentFormatter

from simulator.results.reader import ForcedMove, Rung, RunResults

from .style import (
    EVENT_COLOR,
    FIGSIZE,
    HANDLER_MAP,
    SectionHeader,
    ladder_colors,
    new_figure,
    plain,
    setup_date_axis,
    style_axes,
    wrap,
)

PANEL_HEIGHT_IN = 2.5
FORCED_GID = "forced-move"
FORCED_LABEL = "Forced move: the scenario makes every replicate play this rung that day"
TITLE_PAD = 11.0  # points between a panel and its title: room for the forced-move triangles
LEGEND_WIDTH_IN = 2.7  # a legend outside the panels, on the right


def plot_action_mix(res: RunResults) -> Figure:
    """Stacked share of replicates choosing each rung, per actor and day.

    Moves the scenario forces on an actor (``kind: action`` events) show as full-height spikes;
    each is marked with a triangle above its day so it is not read as the model's own choice.
    """
    actors = res.actors()
    rungs = res.rungs()
    colors = ladder_colors(rungs)
    dates = res.dates()
    forced = res.forced_moves()

    ncols = 1 if len(actors) == 1 else 2
    nrows = math.ceil(len(actors) / ncols)
    spare = nrows * ncols - len(actors)  # 0 or 1 empty grid cell: the legend goes there
    height = max(FIGSIZE[1], 1.2 + PANEL_HEIGHT_IN * nrows)
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
        width = _title_chars(ncols, spare, actor.type)
        # y given, the titles stay where they are: matplotlib would otherwise place them again
        # at every layout pass and draw (above any tick labels on top, which these axes do not
        # have): the same image, 12 % of this figure's time
        ax.set_title(
            plain("\n".join(textwrap.wrap(actor.label, width)) or actor.label),
            fontsize=10,
            loc="left",
            pad=TITLE_PAD,
            y=1.0,
        )
        if actor.type:
            ax.set_title(
                actor.type,
                fontsize=8.5,
                loc="right",
                color="#777777",
                style="italic",
                pad=TITLE_PAD,
                y=1.0,
            )
        ax.set_ylim(0, 1)
        ax.yaxis.set_major_formatter(PercentFormatter(1.0))
        setup_date_axis(ax, res, dates, short_label=True)
        _mark_forced(ax, [m for m in forced if m.actor == actor.name], colors)
        # Shared axes: label only the outer edges to save space.
        if k + ncols < len(actors):
            ax.set_xlabel("")
        if k % ncols == 0:
            ax.set_ylabel("Share of replicates")
        else:
            ax.tick_params(labelleft=True)

    handles, labels = _legend_entries(rungs, colors, used, bool(forced))
    if spare:
        # The empty cell holds the legend, in two columns, so no grid cell is left blank.
        cell = axes[-1][-1]
        cell.axis("off")
        above = axes[-2][-1]
        above.tick_params(labelbottom=True)
        above.set_xlabel("Date")
        leg = _cell_legend(cell, handles, labels)
    else:
        # matplotlib's stub admits only Artists as handles; SectionHeader is drawn by HANDLER_MAP
        leg = fig.legend(  # type: ignore[call-overload]
            handles,
            [wrap(t, 40) for t in labels],
            loc="outside right upper",
            frameon=False,
            fontsize=8,
            handler_map=HANDLER_MAP,
            title="Action (ladder rung)",
            title_fontproperties={"weight": "bold", "size": 9},
        )
    for handle, text in zip(leg.legend_handles, leg.get_texts(), strict=True):
        if handle is None or not handle.get_visible():
            text.set_fontstyle("italic")
            text.set_color("#555555")
    return fig


def _title_chars(ncols: int, spare: int, kind: str) -> int:
    """How many characters of a panel title fit left of its (smaller, italic) actor type.

    Estimated from the panel's width, so that long actor labels wrap instead of running into
    the type or the neighbouring panel's title.
    """
    free_in = FIGSIZE[0] - (0.0 if spare else LEGEND_WIDTH_IN)
    panel_pt = (free_in / ncols - 0.7) * 72  # less the y tick labels and axis label
    chars = int(panel_pt / (10 * 0.55))  # DejaVu Sans at 10 pt: ~0.55 em a character
    return max(12, chars - math.ceil(0.85 * len(kind)) - 2)


def _mark_forced(ax: Axes, moves: list[ForcedMove], colors: dict[str, str]) -> None:
    """A triangle above each forced move's day, in the colour of the forced rung."""
    for move in moves:
        midday = mdates.date2num(np.datetime64(move.date, "D")) + 0.5
        ax.plot(
            [midday],
            [1.0],
            marker="v",
            markersize=7,
            color=colors.get(move.rung, EVENT_COLOR),
            markeredgecolor="#222222",
            markeredgewidth=0.8,
            linestyle="none",
            transform=ax.get_xaxis_transform(),
            clip_on=False,
            zorder=5,
            gid=FORCED_GID,
            label=plain(move.label),
        )


def _legend_entries(
    rungs: list[Rung], colors: dict[str, str], used: set[str], forced: bool
) -> tuple[list[object], list[str]]:
    """Legend handles and (unescaped) labels: rungs grouped by category, most escalatory on top.

    A category's header is left out when it would only repeat its single rung's label
    (e.g. "Status quo" above "Status quo").
    """
    handles: list[object] = []
    labels: list[str] = []
    shown = [r for r in reversed(rungs) if r.name in used]
    for category in dict.fromkeys(r.category for r in shown):
        members = [r for r in shown if r.category == category]
        header = category.capitalize() if category else "Other"
        if not (len(members) == 1 and members[0].label.casefold() == header.casefold()):
            handles.append(SectionHeader())
            labels.append(header)
        for rung in members:
            handles.append(Patch(facecolor=colors[rung.name], edgecolor="none"))
            labels.append(rung.label)
    if forced:
        handles.append(
            Line2D(
                [],
                [],
                marker="v",
                markersize=7,
                color="#bbbbbb",
                markeredgecolor="#222222",
                linestyle="none",
            )
        )
        labels.append(FORCED_LABEL)
    return handles, labels


def _cell_legend(cell: Axes, handles: list[object], labels: list[str]) -> Legend:
    """Two-column legend filling an empty grid cell, split between categories where possible."""
    half = math.ceil(len(labels) / 2)
    # Prefer to break the list just before a section header near the middle.
    breaks = [i for i, h in enumerate(handles) if isinstance(h, SectionHeader) and i > 0]
    split = min(breaks, key=lambda i: abs(i - half), default=half)
    if abs(split - half) > 2:
        split = half
    rows = max(split, len(labels) - split)
    left = list(zip(handles[:split], labels[:split], strict=True))
    right = list(zip(handles[split:], labels[split:], strict=True))
    pad = [(SectionHeader(), "")]
    cols = left + pad * (rows - len(left)) + right + pad * (rows - len(right))
    # matplotlib's stub admits only Artists as handles; SectionHeader is drawn by HANDLER_MAP
    legend: Legend = cell.legend(  # type: ignore[call-overload]
        [h for h, _ in cols],
        [wrap(t, 30) for _, t in cols],
        ncols=2,
        loc="upper left",
        borderaxespad=0.0,
        frameon=False,
        fontsize=7.5,
        labelspacing=0.35,
        columnspacing=1.2,
        handler_map=HANDLER_MAP,
        title="Action (ladder rung)",
        title_fontproperties={"weight": "bold", "size": 9},
        alignment="left",
    )
    return legend
