"""Shared look and helpers for all figures: sizes, footers, date axes, events, ladder colours.

Figures are built on ``matplotlib.figure.Figure`` directly (not pyplot) so that plotting has
no global state and never needs an interactive backend; ``Figure.savefig`` renders with Agg.
"""

from __future__ import annotations

import datetime as dt
import os
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import matplotlib.dates as mdates
import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import LinearSegmentedColormap, to_hex
from matplotlib.figure import Figure
from matplotlib.layout_engine import ConstrainedLayoutEngine
from matplotlib.legend import Legend
from matplotlib.offsetbox import DrawingArea
from matplotlib.patches import Rectangle
from matplotlib.text import Text
from matplotlib.ticker import Formatter, Locator
from matplotlib.transforms import offset_copy

from simulator.plots.helper import Job, can_fork_helper, helper_exit, share, take
from simulator.progress import SILENT, Progress
from simulator.results.reader import Event, Rung, RunResults

FIGSIZE = (10.0, 5.5)
DPI = 150
FOOTER_IN = 0.28  # inches reserved at the bottom for the provenance footer
EVENT_COLOR = "#555555"
GRID_KW: dict[str, Any] = {"color": "#e3e3e3", "linewidth": 0.6}

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


#: characters of footer text that fit one inch of figure width at the footer's size
CAPTION_CHARS_PER_IN = 16.0


def fitted_caption(
    parts: Callable[[int], list[str]], levels: int, width_in: float = FIGSIZE[0]
) -> str:
    """A footer line that fits ``width_in`` inches.

    ``parts(0)`` joined by " · ", or, when that is too long, ``parts(1)``, … (each leaving out a
    detail), down to ``parts(levels - 1)``.
    """
    text = ""
    for keep in range(levels):
        text = " \u00b7 ".join(parts(keep))
        if len(text) <= width_in * CAPTION_CHARS_PER_IN:
            break
    return text


def captioned_figure(title: str, caption: str, figsize: tuple[float, float] = FIGSIZE) -> Figure:
    """Like :func:`new_figure`, for figures not tied to one run: the footer text is given."""
    fig = Figure(figsize=figsize, dpi=DPI, layout="constrained")
    # Reserve a strip at the bottom so the footer can never overlap tick labels or legends.
    footer_frac = FOOTER_IN / figsize[1]
    engine = fig.get_layout_engine()
    assert isinstance(engine, ConstrainedLayoutEngine)  # cannot fail: layout="constrained" above
    engine.set(rect=(0.0, footer_frac, 1.0, 1.0 - footer_frac), h_pad=0.06, w_pad=0.06)
    fig.suptitle(plain(title), fontsize=13, fontweight="bold")
    fig.text(0.008, 0.012, plain(caption), fontsize=7.5, color="#666666", ha="left", va="bottom")
    return fig


class CalendarFormatter(Formatter):
    """Date tick labels that always say the year, e.g. '20 Dec 2020', '27', 'Jan 2021', '15', 'Feb'.

    Ticks on the first of a month show the month; others the day of the month. The first tick
    and the first tick of each new year also carry the year (and, for a mid-month first tick,
    the month), on a second line, so no label is ambiguous and there is no offset text to find.
    """

    def __init__(self) -> None:
        # a figure asks for the same labels again at every layout pass and draw
        self._labels: dict[tuple[float, ...], list[str]] = {}

    def __call__(self, x: float, pos: int | None = None) -> str:
        return self.format_ticks([x])[0]

    def format_ticks(self, values: Sequence[float]) -> list[str]:
        key = tuple(float(v) for v in values)
        if key not in self._labels:
            self._labels[key] = self._format(values)
        return list(self._labels[key])

    def _format(self, values: Sequence[float]) -> list[str]:
        labels = []
        year = None
        for value in values:
            date = mdates.num2date(value).date()
            if date.day == 1:
                text = f"{date:%b}"
            elif year is None:
                text = f"{date.day} {date:%b}"
            else:
                text = str(date.day)
            if date.year != year:
                text += f"\n{date.year}"
                year = date.year
            labels.append(text)
        return labels


class ViewLocator(Locator):
    """Another locator's ticks, computed once per view interval.

    Laying out and drawing a figure asks each axis for its ticks a dozen times (every pass of
    the constrained layout, every title placed above a panel, every axis sharing the ticks);
    the ticks depend only on the view interval, and date locators are slow to find them.
    """

    def __init__(self, locator: Locator):
        self.locator = locator
        self._ticks: dict[tuple[float, float], np.ndarray] = {}

    def set_axis(self, axis: Any) -> None:
        super().set_axis(axis)
        self.locator.set_axis(axis)

    def __call__(self) -> Any:
        assert self.axis is not None  # set by Axis.set_major_locator
        low, high = self.axis.get_view_interval()
        key = (float(low), float(high))
        if key not in self._ticks:
            self._ticks[key] = np.asarray(self.locator())
        return self._ticks[key].copy()

    def tick_values(self, vmin: float, vmax: float) -> Any:
        return self.locator.tick_values(vmin, vmax)

    def nonsingular(self, v0: float, v1: float) -> tuple[float, float]:
        return self.locator.nonsingular(v0, v1)

    def view_limits(self, vmin: float, vmax: float) -> tuple[float, float]:
        return self.locator.view_limits(vmin, vmax)


def setup_date_axis(
    ax: Axes,
    res: RunResults,
    dates: np.ndarray,
    whole_last_day: bool = True,
    short_label: bool = False,
) -> None:
    """Calendar x axis spanning the whole run, labelled by :class:`CalendarFormatter`.

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
    ax.xaxis.set_major_locator(ViewLocator(locator))
    ax.xaxis.set_major_formatter(CalendarFormatter())
    end = dates[-1] + np.timedelta64(1 if whole_last_day else 0, "D")
    ax.set_xlim(dates[0], max(end, dates[0] + np.timedelta64(1, "D")))
    label = "Date" if short_label else f"Date (simulation day 0 = {fmt_date(res.start)})"
    ax.set_xlabel(label)


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
        self, legend: Legend, orig_handle: EventKey, fontsize: float, handlebox: DrawingArea
    ) -> Text:
        box = handlebox  # matplotlib.offsetbox.DrawingArea
        text = Text(
            box.xdescent + box.width / 2,
            box.ydescent + box.height / 2,
            str(orig_handle.number),
            ha="center",
            va="center",
            fontsize=fontsize * 0.85,
            color="white",
            fontweight="bold",
            bbox={"boxstyle": "circle,pad=0.2", "facecolor": EVENT_COLOR, "edgecolor": "none"},
        )
        box.add_artist(text)
        return text


class _HeaderHandler:
    def legend_artist(
        self, legend: Legend, orig_handle: SectionHeader, fontsize: float, handlebox: DrawingArea
    ) -> Rectangle:
        rect = Rectangle((0, 0), 0, 0, visible=False)
        handlebox.add_artist(rect)
        return rect


HANDLER_MAP = {EventKey: _EventKeyHandler(), SectionHeader: _HeaderHandler()}


def numbered_events(res: RunResults) -> list[tuple[int, Event]]:
    """Stable 1-based numbers for events (date order) so all figures number them alike."""
    return [(i + 1, e) for i, e in enumerate(res.event_marks())]


EVENT_MARKER_GID = "event-marker"
EVENT_STEP_PT = 13.0  # vertical step between staggered event markers, in points
_AXES_WIDTH_PT = 500.0  # typical width of a timeline's axes, to space markers before layout


@dataclass(frozen=True)
class EventMark:
    """One marker above a time axis: the events of one date, e.g. '6–9', and its stack level."""

    date: dt.date
    numbers: tuple[int, ...]
    level: int

    @property
    def text(self) -> str:
        """'3', '2, 3' or '6–9' (events of one date are numbered consecutively)."""
        first, last = self.numbers[0], self.numbers[-1]
        if len(self.numbers) == 1:
            return str(first)
        sep = ", " if len(self.numbers) == 2 else "\u2013"
        return f"{first}{sep}{last}"


def event_marks(res: RunResults) -> list[EventMark]:
    """One marker per event date, staggered upwards where neighbours would overlap.

    A marker needs about 4.5 points per character plus padding; markers whose centres are
    closer than half their summed widths (on a typical axes width) go up a level.
    """
    dates = res.dates()
    first = dates[0].astype(object)
    span = max(int((dates[-1] - dates[0]) / np.timedelta64(1, "D")) + 1, 1)
    by_date: dict[dt.date, list[int]] = {}
    for number, event in numbered_events(res):
        by_date.setdefault(event.date, []).append(number)
    placed: list[tuple[float, float, int]] = []  # (position, half width, level), axis fractions
    marks = []
    for date, numbers in by_date.items():
        mark = EventMark(date, tuple(numbers), 0)
        frac = (date - first).days / span
        half = (4.5 * len(mark.text) + 8.0) / 2 / _AXES_WIDTH_PT
        level = 0
        while any(lv == level and abs(frac - f) < half + h for f, h, lv in placed):
            level += 1
        placed.append((frac, half, level))
        marks.append(EventMark(date, tuple(numbers), level))
    return marks


def mark_events(ax: Axes, res: RunResults) -> tuple[list[object], list[str]]:
    """Draw events as dotted vertical lines with numbered markers above the axes.

    Call after the x limits are set. Events of one date share a marker ('6–9'); markers that
    would overlap are staggered upwards by a fixed number of points (not a fraction of the axes,
    which would let them collide on short axes). Returns legend handles and labels
    ("3 Jan 2021 · label") for the events inside the visible date range.
    """
    lo, hi = ax.get_xlim()
    events = dict(numbered_events(res))
    handles: list[object] = []
    labels: list[str] = []
    for mark in event_marks(res):
        when = np.datetime64(mark.date, "D")
        x = float(mdates.date2num(when))
        if not lo <= x <= hi:
            continue
        # matplotlib's stub wants a float x; a date is converted by the axis, as everywhere here
        ax.axvline(when, color=EVENT_COLOR, linestyle=(0, (2, 2)), linewidth=0.9, zorder=1.5)  # type: ignore[arg-type]
        ax.annotate(
            mark.text,
            xy=(x, 1.0),
            xycoords=("data", "axes fraction"),
            xytext=(0, 5 + EVENT_STEP_PT * mark.level),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontsize=7.5,
            color="white",
            fontweight="bold",
            annotation_clip=False,
            gid=EVENT_MARKER_GID,
            bbox={
                "boxstyle": "circle,pad=0.2" if len(mark.numbers) == 1 else "round,pad=0.25",
                "facecolor": EVENT_COLOR,
                "edgecolor": "none",
            },
        )
        for number in mark.numbers:
            handles.append(EventKey(number))
            labels.append(event_label(events[number]))
    return handles, labels


def event_label(event: Event) -> str:
    """Legend label of an event: '3 Jan 2021 · label', wrapped."""
    return wrap(f"{fmt_date(event.date)} \u00b7 {event.label}")


def wrap(text: str, width: int = 34) -> str:
    """Wrap a legend label so the side legend stays narrow."""
    return plain("\n".join(textwrap.wrap(text, width=width)) or text)


def _legend_style(n_labels: int) -> tuple[float, float]:
    """(font size, label spacing) of a side legend: tighter when entries are many."""
    return (7.0, 0.3) if n_labels > 14 else (8.0, 0.6)


def timeline_figsize(res: RunResults, series_labels: Sequence[str]) -> tuple[float, float]:
    """Size of a figure whose side legend lists ``series_labels`` and every scenario event.

    The default height fits a handful of events; a scenario with many (a hindcast) gets a taller
    figure so that its legend is not cut off at the bottom.
    """
    labels = [*series_labels, "Scenario events", *(event_label(e) for e in res.event_marks())]
    fontsize, spacing = _legend_style(len(labels))
    lines = sum(label.count("\n") + 1 for label in labels)
    legend_in = (lines * 1.2 * fontsize + len(labels) * spacing * fontsize) / 72
    levels = max((m.level + 1 for m in event_marks(res)), default=0)
    markers_in = (5 + EVENT_STEP_PT * levels) / 72
    # The legend starts at the top of the axes, below the title and the event markers; the
    # footer and padding take about 0.9 in more.
    return FIGSIZE[0], max(FIGSIZE[1], legend_in + markers_in + 1.4)


def side_legend(
    ax: Axes,
    handles: Sequence[object],
    labels: Sequence[str],
    events: tuple[list[object], list[str]] | None = None,
    offset_pt: float = 0.0,
) -> Legend:
    """Legend outside the axes on the right, optionally with a 'Scenario events' section.

    ``offset_pt`` moves it further right, to leave room for labels drawn at the axes' edge.
    """
    handles = list(handles)
    labels = list(labels)
    header_rows: list[int] = []
    if events and events[0]:
        header_rows.append(len(labels))
        handles += [SectionHeader(), *events[0]]
        labels += ["Scenario events", *events[1]]
    fontsize, spacing = _legend_style(len(labels))
    # offset_copy uses only the figure's dpi_scale_trans, which a SubFigure shares; its stub
    # admits a Figure only
    anchor = offset_copy(ax.transAxes, fig=ax.figure, x=offset_pt, units="points")  # type: ignore[arg-type]
    # matplotlib's stub admits only Artists as handles; ours include EventKey and SectionHeader,
    # which handler_map draws
    leg: Legend = ax.legend(  # type: ignore[call-overload]
        handles,
        labels,
        loc="upper left",
        bbox_to_anchor=(1.015, 1.0),
        bbox_transform=anchor,
        borderaxespad=0.0,
        frameon=False,
        fontsize=fontsize,
        handler_map=HANDLER_MAP,
        labelspacing=spacing,
    )
    for row in header_rows:
        leg.get_texts()[row].set_fontweight("bold")
    return leg


# -- colours ------------------------------------------------------------------------------


# Colour stops per ladder category, from the less to the more escalatory end of the category;
# a category's rungs are spread evenly over its stops. Anchoring colours to categories (not to
# rung position) keeps "status quo" neutral and "war" darkest whatever the ladder's length, so
# figures from different scenarios read alike. The stops span a wide range of lightness so
# that neighbouring rungs of one category stay distinguishable in a stacked plot (the default
# ladder's four posturing rungs used to be four near-identical blues).
CATEGORY_COLORS: dict[str, tuple[str, ...]] = {
    "de-escalation": ("#1b7837", "#7fbf7b"),
    "status quo": ("#dedede",),
    "posturing": ("#a6d1ea", "#4b93c8", "#1c5a9c", "#0a2f60"),
    "non-violent": ("#fde48b", "#d8a02e"),
    "violent": ("#f7945a", "#d93b2b", "#a3101c"),
    "war": ("#4d0008", "#2b0004"),
}


def ladder_colors(rungs: Sequence[Rung]) -> dict[str, str]:
    """Colour per rung name: conciliatory greens, neutral status quo, through war dark red.

    Rungs of a known category are spread over that category's colour stops in ladder order;
    rungs of an unknown category fall back to their position on the ladder colormap.
    """
    ordered = sorted(rungs, key=lambda r: r.index)
    n = max(len(ordered) - 1, 1)
    out: dict[str, str] = {}
    for pos, rung in enumerate(ordered):
        stops = CATEGORY_COLORS.get(rung.category)
        if stops is None:
            out[rung.name] = to_hex(LADDER_CMAP(pos / n))
            continue
        members = [r for r in ordered if r.category == rung.category]
        t = members.index(rung) / max(len(members) - 1, 1)
        cmap = LinearSegmentedColormap.from_list("c", stops if len(stops) > 1 else stops * 2)
        out[rung.name] = to_hex(cmap(t))
    return out


def severity_colors(classes: Sequence[str]) -> dict[str, str]:
    """Colour per outcome class; ``classes`` run most to least severe (war first)."""
    n = max(len(classes) - 1, 1)
    return {c: to_hex(LADDER_CMAP(0.95 - 0.9 * i / n)) for i, c in enumerate(classes)}


def save(fig: Figure, path: Path) -> Path:
    """Write ``fig`` as PNG at the house resolution and return the path.

    The figure is laid out once, then drawn once: left with its layout engine, ``savefig`` would
    draw it twice (a dry draw to run the layout, then the real one). Afterwards the figure keeps
    the computed layout and no longer has a layout engine.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    engine = fig.get_layout_engine()
    if engine is not None and fig.dpi == DPI:  # laid out at the resolution it is drawn at
        engine.execute(fig)
        fig.set_layout_engine(None)
    # zlib level 3, not Pillow's 6: 7 % less time per figure for files 1-6 % larger
    fig.savefig(path, dpi=DPI, format="png", facecolor="white", pil_kwargs=PNG_OPTIONS)
    return path


def bottom_legend(
    fig: Figure,
    handles: Sequence[object],
    labels: Sequence[str],
    ncols: int,
    title: str = "",
    handler_map: dict[type, Any] | None = None,
) -> None:
    """A legend below the panels, above the footer.

    Constrained layout keeps room for an "outside" legend at the bottom of its layout area,
    which ends above the footer strip; the legend itself is placed against the figure's edge,
    so it is lifted by the footer's height (``borderaxespad`` counts in font sizes).
    """
    fontsize = 8.0
    # matplotlib's stub admits only Artists as handles (and section headers through handler_map)
    fig.legend(  # type: ignore[call-overload]
        list(handles),
        list(labels),
        loc="outside lower center",
        ncols=ncols,
        frameon=False,
        fontsize=fontsize,
        borderaxespad=0.5 + FOOTER_IN * 72 / fontsize,
        handler_map=handler_map,
        title=title or None,
        title_fontproperties={"size": 8},
    )


#: how :func:`save` has Pillow write a PNG
PNG_OPTIONS = {"compress_level": 3}

#: what writes a figure to a file (:func:`save`)
Saver = Callable[[Figure, Path], Path]


def draw_figures(
    figures: Sequence[tuple[str, Callable[[], Figure]]],
    out: Path,
    progress: Progress = SILENT,
    saver: Saver = save,
) -> list[Path]:
    """Build and save each ``(file name, builder)`` into ``out`` (made if needed), with progress.

    On Linux, with two CPUs or more and no other thread in this process, a forked helper
    process draws some of the figures while this one draws the rest (see
    :func:`draw_in_two_processes`). Returns the paths in the order of ``figures``.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    progress.phase("drawing figures", len(figures), "figures")
    jobs = saving_jobs([(out / name, build) for name, build in figures], saver)
    draw_jobs(jobs, progress)
    return [path for path, _ in jobs]


def draw_jobs(jobs: Sequence[Job], progress: Progress = SILENT) -> None:
    """Draw each job, in two processes where :func:`can_fork_helper` allows, else here."""
    if can_fork_helper(len(jobs)):
        draw_in_two_processes(jobs, progress)
    else:
        for _, draw in jobs:
            draw()
            progress.advance()


def saving_jobs(
    figures: Sequence[tuple[Path, Callable[[], Figure]]], saver: Saver = save
) -> list[Job]:
    """``(path, builder)`` pairs as jobs of :mod:`.helper`: build, then save to the path."""
    return [(path, partial(_build_and_save, build, path, saver)) for path, build in figures]


def _build_and_save(build: Callable[[], Figure], path: Path, saver: Saver) -> None:
    saver(build(), path)


def draw_in_two_processes(jobs: Sequence[Job], progress: Progress = SILENT) -> None:
    """Draw each job, shared between this process and a helper forked now (:mod:`.helper`).

    The helper has the data and matplotlib already loaded; the queue is filled before it is
    forked.
    """
    queue_read, queue_write = os.pipe()
    os.write(queue_write, bytes(range(len(jobs))))
    os.close(queue_write)  # an empty queue then reads as end of file
    report_read, report_write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the helper: never returns into the caller's code
        os.close(report_read)
        helper_exit(report_write, lambda: take(jobs, queue_read, report_write))
    os.close(report_write)
    share(jobs, pid, queue_read, report_read, progress)
