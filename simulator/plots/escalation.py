"""Fan chart of the escalation index over calendar time."""

from __future__ import annotations

from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from simulator.results.reader import RunResults

from .style import mark_events, new_figure, setup_date_axis, side_legend, style_axes

FAN_COLOR = "#2b5d8c"


def plot_escalation_fan(res: RunResults) -> Figure:
    """Quantile fan (5-95 %, 25-75 %), median and mean of the escalation index by date."""
    fig = new_figure(res, "Escalation index across replicates")
    ax = fig.add_subplot()
    style_axes(ax)
    d = res.daily
    dates = res.dates()

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

    setup_date_axis(ax, res, dates, whole_last_day=False)
    ax.set_ylabel("Escalation index (escalation points)")
    events = mark_events(ax, res)

    handles = [
        Patch(facecolor=FAN_COLOR, alpha=0.18, label="5\u201395% of replicates"),
        Patch(facecolor=FAN_COLOR, alpha=0.38 + 0.18 * (1 - 0.38), label="25\u201375%"),
        Line2D([], [], color=FAN_COLOR, linewidth=1.8, label="Median"),
        Line2D([], [], color="#111111", linewidth=1.2, linestyle="--", label="Mean"),
    ]
    side_legend(ax, handles, [h.get_label() for h in handles], events)
    return fig
