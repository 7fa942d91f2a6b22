"""Outcome distribution and the cumulative probability of a direct clash or war."""

from __future__ import annotations

import math

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import PercentFormatter

from simulator.results.reader import RunResults
from simulator.stats import wilson_interval

from .style import (
    mark_events,
    new_figure,
    plain,
    setup_date_axis,
    severity_colors,
    side_legend,
    style_axes,
    timeline_figsize,
    wrap,
)

CLASH_COLOR = "#d6604d"
WAR_COLOR = "#4d0008"


def _pct(p: float) -> str:
    """Percent with one decimal, or two when it would otherwise read as 0.0 %."""
    return f"{100 * p:.2f}%" if 0 < p < 0.001 else f"{100 * p:.1f}%"


def _nice_max(value: float) -> float:
    """Round an axis maximum up to the next 5 % (at most 100 %), so small shares stay legible."""
    return min(1.0, max(0.05, math.ceil(value / 0.05) * 0.05))


def plot_outcomes(res: RunResults) -> Figure:
    """Probability of each outcome class with 95 % Wilson intervals, most severe on top."""
    classes = res.outcome_classes()
    counts = res.runs["outcome"].astype(str).value_counts()
    n = len(res.runs)
    k = np.array([int(counts.get(c, 0)) for c in classes])
    p = k / n
    ci = np.array([wilson_interval(int(ki), n) for ki in k])
    colors = severity_colors(classes)

    fig = new_figure(res, "How the crisis ends: distribution of outcomes")
    ax = fig.add_subplot()
    style_axes(ax)
    ax.grid(False, axis="y")
    y = np.arange(len(classes))
    ax.barh(y, p, color=[colors[c] for c in classes], height=0.62, zorder=2)
    ax.errorbar(
        p,
        y,
        xerr=[p - ci[:, 0], ci[:, 1] - p],
        fmt="none",
        ecolor="#222222",
        elinewidth=1.1,
        capsize=4,
        zorder=3,
    )
    ax.set_yticks(y, [plain(res.outcome_label(c)) for c in classes])
    ax.invert_yaxis()  # most severe outcome at the top, as listed in the manifest
    ax.set_xlim(0, _nice_max(float(ci[:, 1].max()) * 1.05))
    ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_xlabel(
        f"Share of replicates (%) \u2014 bars: estimate, whiskers: 95% Wilson interval, n = {n:,}"
    )
    # Values sit in their own column right of the plot so they never collide with whiskers.
    ax.text(
        1.02,
        1.0,
        "share  [95% CI]  (replicates)",
        transform=ax.transAxes,
        ha="left",
        va="bottom",
        fontsize=8,
        color="#555555",
    )
    for yi, pi, (lo, hi), ki in zip(y, p, ci, k, strict=True):
        ax.text(
            1.02,
            float(yi),
            f"{_pct(pi)}  [{100 * lo:.1f}\u2013{100 * hi:.1f}]  ({ki:,})",
            transform=ax.get_yaxis_transform(),
            ha="left",
            va="center",
            fontsize=9,
        )
    return fig


CLASH_LABEL = (
    "Direct state-on-state clash, war included "
    "(= outcomes \u201cclash short of war\u201d + \u201cwar\u201d)"
)
WAR_LABEL = "State-on-state war"
END_LABEL_GID = "end-label"
END_LABEL_PT = 48.0  # room right of the axes for the end-of-run values
_LABEL_GAP_PT = 12.0  # least vertical distance between the two end labels


def plot_clash_probability(res: RunResults) -> Figure:
    """Cumulative share of replicates with a direct state-on-state clash / war, by date.

    Every war starts with a clash, so the clash curve counts the replicates that went to war
    too; its final value is the sum of the "direct clash short of war" and "war" outcomes.
    """
    d = res.daily
    dates = res.dates()
    n = res.replicates
    # Step "post" on day starts: the level shown during a day is the share clashed by its end.
    x = np.append(dates, dates[-1] + np.timedelta64(1, "D"))
    series = {}
    for col in ("p_direct_clash", "p_war"):
        p = d[col].fillna(0.0).to_numpy(dtype=float)
        if n > 0:
            band = np.array([wilson_interval(round(pi * n), n) for pi in p])
        else:
            band = np.column_stack([p, p])
        series[col] = (p, band)
    top = _nice_max(1.15 * max(float(b[:, 1].max()) for _, b in series.values()) + 0.01)

    labels = [wrap(CLASH_LABEL), WAR_LABEL, "Shading: 95% Wilson interval"]
    fig = new_figure(
        res,
        "Cumulative probability of a direct clash and of war",
        figsize=timeline_figsize(res, labels),
    )
    ax = fig.add_subplot()
    style_axes(ax)
    handles: list[object] = []
    # The clash line is drawn wider and underneath: every war starts with a clash, so when the
    # two coincide the clash line still shows as an outline around the war line.
    ends = []
    for col, color, width in (
        ("p_direct_clash", CLASH_COLOR, 2.6),
        ("p_war", WAR_COLOR, 1.5),
    ):
        p, band = series[col]
        be = np.vstack([band, band[-1]])
        ax.fill_between(x, be[:, 0], be[:, 1], step="post", color=color, alpha=0.18, linewidth=0)
        ax.step(x, np.append(p, p[-1]), where="post", color=color, linewidth=width)
        handles.append(Line2D([], [], color=color, linewidth=width))
        ends.append((float(p[-1]), color))
    handles.append(Patch(facecolor="#999999", alpha=0.35))
    ax.set_ylim(0, top)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_ylabel(f"Cumulative share of replicates (%, n = {n:,})")
    setup_date_axis(ax, res, dates)
    _end_labels(ax, ends, top, fig.get_figheight())
    events = mark_events(ax, res)
    side_legend(ax, handles, labels, events, offset_pt=END_LABEL_PT)
    return fig


def _end_labels(ax: Axes, ends: list[tuple[float, str]], top: float, fig_height_in: float) -> None:
    """Each curve's final value just right of the axes, level with the end of its own line.

    When two values are too close to print apart, both labels move apart symmetrically (never
    below the axis) and a thin leader joins each to its line's end.
    """
    # The axes' height is only known after layout; the figure height less title, date axis and
    # footer (about 1.6 in) is close enough to keep labels from overlapping.
    gap = _LABEL_GAP_PT / max((fig_height_in - 1.6) * 72, 72.0) * top
    values = [v for v, _ in ends]
    places = list(values)  # where each label goes, in data units
    if len(values) == 2 and abs(values[0] - values[1]) < gap:
        mid = max((values[0] + values[1]) / 2, gap / 2)
        high, low = (0, 1) if values[0] >= values[1] else (1, 0)
        places[high], places[low] = mid + gap / 2, mid - gap / 2
    for (value, color), place in zip(ends, places, strict=True):
        shift_pt = (place - value) / gap * _LABEL_GAP_PT
        ax.annotate(
            _pct(value),
            xy=(1.0, value),
            xycoords=("axes fraction", "data"),
            xytext=(10, shift_pt),
            textcoords="offset points",
            ha="left",
            va="center",
            fontsize=8.5,
            color=color,
            fontweight="bold",
            annotation_clip=False,
            gid=END_LABEL_GID,
            arrowprops={"arrowstyle": "-", "color": color, "linewidth": 0.8, "shrinkA": 1},
        )
