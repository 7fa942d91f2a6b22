"""Fan chart of the escalation index over calendar time."""

from __future__ import annotations

import math
import textwrap
from typing import Literal

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from simulator.results.reader import RunResults

from .style import (
    mark_events,
    new_figure,
    plain,
    setup_date_axis,
    side_legend,
    style_axes,
    timeline_figsize,
)

FAN_COLOR = "#2b5d8c"
Scale = Literal["auto", "linear", "clipped", "log"]
#: With ``scale="auto"`` the axis is clipped when the 95th percentile climbs higher than this
#: many times the top of the interquartile band and mean: a linear axis up to the 95th
#: percentile would squeeze the median into the bottom of the plot.
CLIP_RATIO = 2.5
CLIP_NOTE_GID = "clip-note"
DEFINITION_GID = "unit-definition"


def plot_escalation_fan(res: RunResults, scale: Scale = "auto") -> Figure:
    """Quantile fan (5-95 %, 25-75 %), median and mean of the escalation index by date.

    ``scale``: ``"linear"`` shows the whole 5-95 % band; ``"clipped"`` cuts the axis a little
    above the interquartile band and the mean, and says how high the band goes; ``"log"`` is a
    symmetric log axis (linear near zero, where de-escalation makes the index negative);
    ``"auto"`` clips only when the band's heavy upper tail would squeeze the median.
    """
    if scale not in ("auto", "linear", "clipped", "log"):
        raise ValueError(f"scale must be auto, linear, clipped or log, not {scale!r}")
    d = res.daily
    dates = res.dates()
    series = ["5\u201395% of replicates", "25\u201375%", "Median", "Mean"]
    fig = new_figure(
        res, "Escalation index across replicates", figsize=timeline_figsize(res, series)
    )
    ax = fig.add_subplot()
    style_axes(ax)

    ax.fill_between(
        dates, d["escalation_q05"], d["escalation_q95"], color=FAN_COLOR, alpha=0.18, linewidth=0
    )
    ax.fill_between(
        dates, d["escalation_q25"], d["escalation_q75"], color=FAN_COLOR, alpha=0.38, linewidth=0
    )
    ax.plot(dates, d["escalation_q50"], color=FAN_COLOR, linewidth=1.8)
    ax.plot(dates, d["escalation_mean"], color="#111111", linewidth=1.2, linestyle="--")
    # Rung scores can be negative (de-escalation), so make the neutral level visible.
    lo, hi = float(d["escalation_q05"].min()), float(d["escalation_q95"].max())
    if lo < 0 < hi:
        ax.axhline(0, color="#888888", linewidth=0.8, zorder=1)

    core = max(float(d["escalation_q75"].max()), float(d["escalation_mean"].max()), 1.0)
    if scale == "auto":
        scale = "clipped" if hi > CLIP_RATIO * core else "linear"
    ylabel = "Escalation index (escalation points)"
    if scale == "clipped":
        top = _nice_ceiling(1.3 * core)
        margin = 0.03 * (top - min(lo, 0.0))
        ax.set_ylim(min(lo, 0.0) - margin, top)
        if hi > top:
            _clip_note(ax, top, hi)
    elif scale == "log":
        # Linear within +-10 points (a day or two of posturing), logarithmic beyond.
        ax.set_yscale("symlog", linthresh=10.0)
        ylabel += ", log scale"
    ax.set_ylabel(ylabel)

    setup_date_axis(ax, res, dates, whole_last_day=False)
    events = mark_events(ax, res)
    _define_points(ax, res)

    handles = [
        Patch(facecolor=FAN_COLOR, alpha=0.18),
        Patch(facecolor=FAN_COLOR, alpha=0.38 + 0.18 * (1 - 0.38)),
        Line2D([], [], color=FAN_COLOR, linewidth=1.8),
        Line2D([], [], color="#111111", linewidth=1.2, linestyle="--"),
    ]
    side_legend(ax, handles, series, events)
    return fig


def _nice_ceiling(value: float) -> float:
    """The smallest of 1, 1.5, 2, 2.5, 3, 4, 5, 6, 8 (times a power of ten) at or above value."""
    power = 10.0 ** math.floor(math.log10(value))
    for step in (1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0):
        if step * power >= value:
            return step * power
    return 10.0 * power


def _clip_note(ax: Axes, top: float, highest: float) -> None:
    """Say, inside the top of the axes, that the 5-95 % band goes on above the clipped axis."""
    ax.text(
        0.99,
        0.985,
        f"\u25b2 axis cut at {top:,.0f}: the 5\u201395% band reaches {highest:,.0f}",
        transform=ax.transAxes,
        ha="right",
        va="top",
        fontsize=8,
        color="#333333",
        gid=CLIP_NOTE_GID,
        bbox={"facecolor": "white", "alpha": 0.8, "edgecolor": "none", "pad": 1.5},
    )


def _signed(value: float) -> str:
    """A score with a typographic minus sign."""
    return f"{value:g}".replace("-", "\u2212")


def _define_points(ax: Axes, res: RunResults) -> None:
    """Define the unit under the date axis, with the score of each category of this ladder.

    The scores come from the manifest's ladder, so a custom ladder is described as it is.
    Mechanism: each actor's daily move scores its rung's points (Rivera et al. 2024); the index
    adds them over actors and carries earlier days forward with a fading weight (MODEL.md).
    """
    scores: dict[str, list[float]] = {}
    for rung in res.rungs():
        scores.setdefault(rung.category or "other", []).append(rung.score)
    parts = []
    for category, values in scores.items():
        low, high = min(values), max(values)
        points = _signed(low) if low == high else f"{_signed(low)} to {_signed(high)}"
        parts.append(f"{points} ({category})")
    listed = ", ".join(parts[:-1]) + (f" or {parts[-1]}" if len(parts) > 1 else parts[-1])
    text = (
        f"Escalation points (Rivera et al. 2024): each day, every actor's move scores {listed}. "
        "The index adds up all actors' points, earlier days counting less and less."
    )
    ax.annotate(
        plain("\n".join(textwrap.wrap(text, 120))),
        xy=(0.0, 0.0),
        xycoords="axes fraction",
        xytext=(0, -46),
        textcoords="offset points",
        ha="left",
        va="top",
        fontsize=7.5,
        color="#444444",
        annotation_clip=False,
        gid=DEFINITION_GID,
    )
