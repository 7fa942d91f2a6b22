"""Shared look and helpers for all figures: sizes, footers, date axes, events, ladder colours.

Figures are built on ``matplotlib.figure.Figure`` directly (not pyplot) so that plotting has
no global state and never needs an interactive backend; ``Figure.savefig`` renders with Agg.
"""

from __future__ import annotations

import datetime as dt
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import matplotlib.dates as mdates
import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import LinearSegmentedColormap, to_hex
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.patches import Rectangle
from matplotlib.text import Text

from simulator.results.reader import Event, Rung, RunResults

FIGSIZE = (10.0, 5.5)
DPI = 150
FOOTER_IN = 0.28  # inches reserved at the bottom for the provenance footer
EVENT_COLOR = "#555555"
GRID_KW = {"color": "#e3e3e3", "linewidth": 0.6}

# Conciliatory (green) -> status quo (pale blue) -> posturing (sand) -> violent (red) -> war.
LADDER_CMAP = LinearSegmentedColormap.from_list(
    "ladder",
    [
        (0.00, "#1b7837"),
        (0.18, "#5aae61"),
        (0.32, "#a6cee3"),
        (0.45, "#fee391"),
        (0.60, "#fdae61"),
        (0.75, "#f46d43"),
        (0.88, "#c51b1b"),
        (1.00, "#4d0008"),
    ],
)


def plain(text: object) -> str:
    """Escape ``$`` so user-supplied labels (e.g. "$5bn sanctions") are not read as mathtext."""
    return str(text).replace("$", r"\$")


def fmt_date(date: dt.date) -> str:
    """Short unambiguous calendar date, e.g. '3 Jan 2021'."""
    return f"{date.day} {date:%b %Y}"


def new_figure(res: RunResults, title: str, figsize: tuple[float, float] = FIGSIZE) -> Figure:
    """Create a constrained-layout Figure with a title and the scenario/replicates/seed footer."""
    return captioned_figure(title, res.caption(), figsize)


def captioned_figure(title: str, caption: str, figsize: tuple[float, float] = FIGSIZE) -> Figure:
    """Like :func:`new_figure`, for figures not tied to one run: the footer text is given."""
    fig = Figure(figsize=figsize, dpi=DPI, layout="constrained")
    # Reserve a strip at the bottom so the footer can never overlap tick labels or legends.
    footer_frac = FOOTER_IN / figsize[1]
    engine = fig.get_layout_engine()
    engine.set(rect=(0.0, footer_frac, 1.0, 1.0 - footer_frac), h_pad=0.06, w_pad=0.06)
    fig.suptitle(plain(title), fontsize=13, fontweight="bold")
    fig.text(0.008, 0.012, plain(caption), fontsize=7.5, color="#666666", ha="left", va="bottom")
    return fig


def setup_date_axis(
    ax: Axes,
    res: RunResults,
    dates: np.ndarray,
    whole_last_day: bool = True,
    short_label: bool = False,
) -> None:
    """Calendar x axis spanning the whole run, with concise tick labels.

    ``whole_last_day`` extends the axis to the end of the final day, for step plots that
    draw each day as an interval; line plots of daily points end at the last point.
    ``short_label`` drops the day-0 note, for narrow panels (the footer gives the start).
    """
    span_days = int((dates[-1] - dates[0]) / np.timedelta64(1, "D")) + 1
    # Results are daily, so never let short runs fall back to hourly ticks.
    locator = (
        mdates.DayLocator(interval=max(1, span_days // 8))
        if span_days <= 16
        else mdates.AutoDateLocator(minticks=5, maxticks=10)
    )
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    end = dates[-1] + np.timedelta64(1 if whole_last_day else 0, "D")
    ax.set_xlim(dates[0], max(end, dates[0] + np.timedelta64(1, "D")))
    # Left-aligned so it never collides with the formatter's offset text (e.g. "2021-Jan"),
    # which matplotlib draws under the right end of the axis.
    label = "Date" if short_label else f"Date (simulation day 0 = {fmt_date(res.start)})"
    ax.set_xlabel(label, loc="left")


def style_axes(ax: Axes) -> None:
    """Light grid behind the data and no top/right spines."""
    ax.grid(True, **GRID_KW)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


# -- events -------------------------------------------------------------------------------


@dataclass(frozen=True)
class EventKey:
    """Legend handle standing for a numbered event marker."""

    number: int


@dataclass(frozen=True)
class SectionHeader:
    """Legend handle for a bold section title (draws nothing in the handle slot)."""


class _EventKeyHandler:
    """Draws the event's number in a circle, matching the marker above the plot."""

    def legend_artist(
        self, legend: Legend, orig_handle: EventKey, fontsize: float, handlebox: object
    ) -> Text:
        box = handlebox  # matplotlib.offsetbox.DrawingArea
        text = Text(
            box.xdescent + box.width / 2,
            box.ydescent + box.height / 2,  # type: ignore[attr-defined]
            str(orig_handle.number),
            ha="center",
            va="center",
            fontsize=fontsize * 0.85,
            color="white",
            fontweight="bold",
            bbox={"boxstyle": "circle,pad=0.2", "facecolor": EVENT_COLOR, "edgecolor": "none"},
        )
        box.add_artist(text)  # type: ignore[attr-defined]
        return text


class _HeaderHandler:
    def legend_artist(
        self, legend: Legend, orig_handle: SectionHeader, fontsize: float, handlebox: object
    ) -> Rectangle:
        rect = Rectangle((0, 0), 0, 0, visible=False)
        handlebox.add_artist(rect)  # type: ignore[attr-defined]
        return rect


HANDLER_MAP = {EventKey: _EventKeyHandler(), SectionHeader: _HeaderHandler()}


def numbered_events(res: RunResults) -> list[tuple[int, Event]]:
    """Stable 1-based numbers for events (date order) so all figures number them alike."""
    return [(i + 1, e) for i, e in enumerate(res.event_marks())]


def mark_events(
    ax: Axes, res: RunResults, min_gap: float = 0.035
) -> tuple[list[object], list[str]]:
    """Draw events as dotted vertical lines with numbered markers above the axes.

    Call after the x limits are set. Markers closer than ``min_gap`` (fraction of the axis
    width) are staggered upwards so their numbers never overlap. Returns legend handles and
    labels ("3 Jan 2021 · label") for the events inside the visible date range.
    """
    lo, hi = ax.get_xlim()
    levels: list[list[float]] = []
    handles: list[object] = []
    labels: list[str] = []
    for number, event in numbered_events(res):
        when = np.datetime64(event.date, "D")
        x = float(mdates.date2num(when))
        if not lo <= x <= hi:
            continue
        frac = (x - lo) / (hi - lo)
        level = next(
            (i for i, used in enumerate(levels) if all(abs(frac - f) >= min_gap for f in used)),
            len(levels),
        )
        if level == len(levels):
            levels.append([])
        levels[level].append(frac)
        ax.axvline(when, color=EVENT_COLOR, linestyle=(0, (2, 2)), linewidth=0.9, zorder=1.5)
        ax.text(
            when,
            1.02 + 0.065 * level,
            str(number),
            transform=ax.get_xaxis_transform(),
            ha="center",
            va="bottom",
            fontsize=7.5,
            color="white",
            fontweight="bold",
            clip_on=False,
            bbox={"boxstyle": "circle,pad=0.2", "facecolor": EVENT_COLOR, "edgecolor": "none"},
        )
        handles.append(EventKey(number))
        labels.append(wrap(f"{fmt_date(event.date)} \u00b7 {event.label}"))
    return handles, labels


def wrap(text: str, width: int = 34) -> str:
    """Wrap a legend label so the side legend stays narrow."""
    return plain("\n".join(textwrap.wrap(text, width=width)) or text)


def side_legend(
    ax: Axes,
    handles: Sequence[object],
    labels: Sequence[str],
    events: tuple[list[object], list[str]] | None = None,
) -> Legend:
    """Legend outside the axes on the right, optionally with a 'Scenario events' section."""
    handles = list(handles)
    labels = list(labels)
    header_rows: list[int] = []
    if events and events[0]:
        header_rows.append(len(labels))
        handles += [SectionHeader(), *events[0]]
        labels += ["Scenario events", *events[1]]
    # Many events would push a tall legend off the figure: tighten it as entries grow.
    crowded = len(labels) > 14
    leg = ax.legend(
        handles,
        labels,
        loc="upper left",
        bbox_to_anchor=(1.015, 1.0),
        borderaxespad=0.0,
        frameon=False,
        fontsize=7 if crowded else 8,
        handler_map=HANDLER_MAP,
        labelspacing=0.3 if crowded else 0.6,
    )
    for row in header_rows:
        leg.get_texts()[row].set_fontweight("bold")
    return leg


# -- colours ------------------------------------------------------------------------------


# Colour range per ladder category, from the less to the more escalatory end of the category.
# Anchoring colours to categories (not to rung position) keeps "status quo" neutral and "war"
# dark red whatever the ladder's length, so figures from different scenarios read alike.
CATEGORY_COLORS: dict[str, tuple[str, str]] = {
    "de-escalation": ("#1b7837", "#7fbf7b"),
    "status quo": ("#cfd8dc", "#cfd8dc"),
    "posturing": ("#a6cee3", "#4a90c2"),
    "non-violent": ("#fee391", "#fdb863"),
    "violent": ("#f4874f", "#b2182b"),
    "war": ("#67000d", "#3b0006"),
}


def ladder_colors(rungs: Sequence[Rung]) -> dict[str, str]:
    """Colour per rung name: conciliatory greens, neutral status quo, through war dark red.

    Rungs of a known category are spread over that category's colour range in ladder order;
    rungs of an unknown category fall back to their position on the ladder colormap.
    """
    ordered = sorted(rungs, key=lambda r: r.index)
    n = max(len(ordered) - 1, 1)
    out: dict[str, str] = {}
    for pos, rung in enumerate(ordered):
        span = CATEGORY_COLORS.get(rung.category)
        if span is None:
            out[rung.name] = to_hex(LADDER_CMAP(pos / n))
            continue
        members = [r for r in ordered if r.category == rung.category]
        t = members.index(rung) / max(len(members) - 1, 1)
        out[rung.name] = to_hex(LinearSegmentedColormap.from_list("c", span)(t))
    return out


def severity_colors(classes: Sequence[str]) -> dict[str, str]:
    """Colour per outcome class; ``classes`` run most to least severe (war first)."""
    n = max(len(classes) - 1, 1)
    return {c: to_hex(LADDER_CMAP(0.95 - 0.9 * i / n)) for i, c in enumerate(classes)}


def save(fig: Figure, path: Path) -> Path:
    """Write ``fig`` as PNG at the house resolution and return the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=DPI, format="png", facecolor="white")
    return path
