"""PNG figures of a comparison folder: two arms paired replicate by replicate.

Reads ``manifest.json`` and the tables ``escalation compare`` wrote (``outcomes``,
``transitions``, ``daily``, ``metrics``, ``changed``); the arms' own manifests (``a/``, ``b/``)
are read only for the outcome classes' labels, when they are there. No model is run. Writes:

``delta_outcomes.png``
    ΔP = P(B) − P(A) per outcome class in percentage points, with the paired 95 % interval
    (thick) over the unpaired one for the same work (thin): how much common random numbers
    narrow it; McNemar's p and the discordant replicates beside each row. Below, per pair of
    actors whose class changed in any replicate, ΔP of "direct clash or war" and of "proxy
    violence" with their paired intervals;
``daily_clash.png``
    cumulative P(direct clash) by date in each arm, and below, the paired difference with its
    95 % band;
``transitions.png``
    the replicates by class under A (rows) and under B (columns): counts, the diagonal (no
    change) grey, the changes shaded on a log scale, red where B is more severe and blue where
    it is less; totals per row and column;
``delta_metrics.png``
    per metric (attacks, casualties, time to the first clash, deaths per actor) the mean
    difference B − A with paired and unpaired intervals, each on its own axis in its own units.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.colors import LogNorm, to_rgb
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.ticker import FuncFormatter, MaxNLocator, PercentFormatter

from simulator.progress import SILENT, Progress
from simulator.results.layout import ARM_FOLDERS, MANIFEST
from simulator.results.manifest import CLASH_OR_WAR, read_manifest
from simulator.results.tables import read_table

from .style import (
    FIGSIZE,
    HANDLER_MAP,
    CalendarFormatter,
    SectionHeader,
    bottom_legend,
    captioned_figure,
    draw_figures,
    fitted_caption,
    fmt_date,
    plain,
    style_axes,
)

__all__ = [
    "ComparisonFolder",
    "load_comparison",
    "plot_daily_clash",
    "plot_delta_metrics",
    "plot_delta_outcomes",
    "plot_transitions",
    "write_comparison_plots",
]

OUTCOME_COLUMNS = (
    "scope",
    "outcome",
    "p_a",
    "p_b",
    "delta",
    "low",
    "high",
    "unpaired_low",
    "unpaired_high",
    "only_a",
    "only_b",
    "mcnemar_p",
)
DAILY_COLUMNS = ("day", "p_clash_a", "p_clash_b", "delta", "low", "high")
METRIC_COLUMNS = (
    "metric",
    "mean_a",
    "mean_b",
    "delta",
    "low",
    "high",
    "unpaired_low",
    "unpaired_high",
)
CHANGED_COLUMNS = ("replicate", "outcome_a", "outcome_b")
#: the outcome classes when the manifest does not list them, most severe first
DEFAULT_CLASSES = ("war", "direct_clash", "proxy_violence", "contained", "de_escalated")
#: labels of the classes when no arm's manifest gives them
DEFAULT_LABELS = {"de_escalated": "De-escalated"}
#: what the pairs' panel shows for each pair of actors, with its colour
PAIR_OUTCOMES = ((CLASH_OR_WAR, "#b2182b"), ("proxy_violence", "#e08214"))
OVERALL = "overall"

A_COLOR = "#2166ac"
B_COLOR = "#d6604d"
PAIRED_COLOR = "#2166ac"
UNPAIRED_COLOR = "#9ecae1"
DELTA_COLOR = "#111111"
ZERO_COLOR = "#444444"
DIAGONAL_COLOR = "#e4e4e4"
TOTAL_COLOR = "#f4f4f4"
#: 5 % significance: McNemar's p below it is written in bold
ALPHA = 0.05
MINUS = "\u2212"

#: units of the metrics ``escalation compare`` writes (``deaths, NAME`` by prefix)
METRIC_UNITS = {
    "attacks / month": "militia attacks per month",
    "casualties (all)": "casualties per replicate",
    "first clash day": "days (no clash: the horizon)",
}
METRIC_TITLES = {
    "attacks / month": "Militia attacks",
    "casualties (all)": "Casualties, all actors",
    "first clash day": "Day of the first direct clash",
}


# -- the folder ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ComparisonFolder:
    """The stored tables of a comparison folder."""

    path: Path
    manifest: dict[str, Any]
    outcomes: pd.DataFrame
    transitions: pd.DataFrame
    daily: pd.DataFrame
    metrics: pd.DataFrame
    changed: pd.DataFrame
    #: readable labels of the outcome classes (from an arm's manifest), by class name
    outcome_labels: dict[str, str]

    @property
    def replicates(self) -> int:
        """The number of paired replicates."""
        return int(self.manifest.get("replicates", 0))

    @property
    def start(self) -> dt.date:
        """The first simulated day of both arms."""
        return dt.date.fromisoformat(str(self.manifest["start"])[:10])

    @property
    def classes(self) -> list[str]:
        """The outcome classes, most severe first."""
        listed = self.manifest.get("outcome_classes")
        if isinstance(listed, list) and listed:
            return [str(c) for c in listed]
        return [str(c) for c in self.transitions.columns if c != "a"] or list(DEFAULT_CLASSES)

    def arm(self, index: int) -> dict[str, Any]:
        """Arm ``index`` (0: A, 1: B) as the manifest describes it."""
        arms = self.manifest.get("arms")
        if isinstance(arms, list) and len(arms) > index and isinstance(arms[index], dict):
            return {str(k): v for k, v in arms[index].items()}
        return {}

    def arm_label(self, index: int) -> str:
        """What the user called arm ``index`` (a scenario file, perhaps with overrides)."""
        arm = self.arm(index)
        return str(arm.get("label") or arm.get("scenario_name") or "AB"[index])

    def label(self, outcome: str) -> str:
        """Readable label of an outcome class or of "direct clash or war"."""
        if outcome == CLASH_OR_WAR:
            return "Direct clash or war"
        fallback = DEFAULT_LABELS.get(outcome, outcome.replace("_", " ").capitalize())
        return self.outcome_labels.get(outcome, fallback)

    def arms_line(self, width: int = 110) -> str:
        """'A: label   →   B: label', wrapped to ``width`` characters a line."""
        a, b = self.arm_label(0), self.arm_label(1)
        text = f"A: {a}   \u2192   B: {b}"
        if len(text) <= width:
            return plain(text)
        return plain("\n".join([_wrap(f"A: {a}", width), _wrap(f"B: {b}", width)]))

    def caption(self, width_in: float = FIGSIZE[0]) -> str:
        """Footer line: the arms' scenarios, replicates, seed, start and horizon.

        Details are left out, least needed first, until the line fits ``width_in`` inches.
        """
        m = self.manifest
        arms = [self.arm(0), self.arm(1)]

        def parts(keep: int) -> list[str]:  # 0: everything; then no files, no horizon
            out = []
            for letter, arm in zip("AB", arms, strict=True):
                name = f"{letter} \u201c{arm.get('scenario_name', '?')}\u201d"
                if keep < 1 and arm.get("scenario_file"):
                    name += f" ({arm['scenario_file']})"
                out.append(name)
            out += [f"{self.replicates:,} paired replicates", f"seed {m.get('seed', '?')}"]
            when = f"from {fmt_date(self.start)}"
            if keep < 2 and m.get("horizon_days"):
                when += f", {int(m['horizon_days'])} days"
            out.append(when)
            return out

        return fitted_caption(parts, 3, width_in)


def _interval_handles() -> list[object]:
    """Legend handles of the paired interval, the unpaired one and ΔP (every ΔP figure)."""
    return [
        Line2D([], [], color=PAIRED_COLOR, linewidth=6),
        Line2D([], [], color=UNPAIRED_COLOR, linewidth=1.6, marker="|", markersize=8),
        Line2D(
            [],
            [],
            linestyle="none",
            marker="o",
            markerfacecolor="white",
            markeredgecolor=DELTA_COLOR,
        ),
    ]


def _wrap(text: str, width: int) -> str:
    """``text`` wrapped to ``width`` characters, continued lines indented (keeps every word)."""
    return textwrap.fill(text, width=width, subsequent_indent="    ", break_on_hyphens=False)


def _table(folder: Path, name: str, required: tuple[str, ...]) -> pd.DataFrame:
    return read_table(
        folder / f"{name}.parquet",
        required,
        how=(
            f"`escalation compare` writes the {name} table with the comparison "
            "(run it again with --force to make the folder whole)."
        ),
    )


def _arm_outcome_labels(folder: Path) -> dict[str, str]:
    """The outcome classes' labels from the first arm manifest that has them, else none."""
    for arm in ARM_FOLDERS:
        try:
            manifest = json.loads((folder / arm / MANIFEST).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError):
            continue
        labels = manifest.get("outcome_labels") if isinstance(manifest, dict) else None
        if isinstance(labels, dict) and labels:
            return {str(k): str(v) for k, v in labels.items()}
    return {}


def load_comparison(folder: Path | str) -> ComparisonFolder:
    """Read a comparison folder's tables; ResultsError naming what is missing or wrong."""
    path = Path(folder)
    manifest = read_manifest(path, kind="comparison")
    transitions = _table(path, "transitions", ("a",))
    transitions["a"] = transitions["a"].astype(str)
    return ComparisonFolder(
        path=path,
        manifest=manifest,
        outcomes=_table(path, "outcomes", OUTCOME_COLUMNS),
        transitions=transitions,
        daily=_table(path, "daily", DAILY_COLUMNS).sort_values("day").reset_index(drop=True),
        metrics=_table(path, "metrics", METRIC_COLUMNS),
        changed=_table(path, "changed", CHANGED_COLUMNS),
        outcome_labels=_arm_outcome_labels(path),
    )


# -- shared pieces ------------------------------------------------------------------------


def _figure(data: ComparisonFolder, title: str, figsize: tuple[float, float] = FIGSIZE) -> Figure:
    """A captioned figure whose footer fits its width."""
    return captioned_figure(title, data.caption(figsize[0]), figsize)


def _arms_title(ax: Axes, data: ComparisonFolder, width_in: float, extra: str = "") -> None:
    """The arms' labels (and ``extra``) as the top panel's title, left-aligned."""
    text = data.arms_line(int(width_in * 11))
    ax.set_title(text + (f"\n{plain(extra)}" if extra else ""), loc="left", fontsize=9.5)


def _signed(value: float, digits: int = 1) -> str:
    """'+1.5' / '−0.3' with a true minus sign; 0 without a sign."""
    if value == 0:
        return f"{0:.{digits}f}"
    return f"{value:+.{digits}f}".replace("-", MINUS)


def _pp_digits(values: Sequence[float]) -> int:
    """Decimals to write differences in percentage points with: 2 when all are below 1."""
    largest = max((abs(v) for v in values if math.isfinite(v)), default=0.0)
    return 1 if largest >= 1.0 else 2


def _signed_ticks(ax: Axes, axis: str = "x") -> None:
    """Tick labels with a sign (+2, 0, −2) and a true minus."""
    formatter = FuncFormatter(lambda v, _pos: _signed(v, 0) if v == round(v) else _g(v))
    (ax.xaxis if axis == "x" else ax.yaxis).set_major_formatter(formatter)


def _g(value: float) -> str:
    """Short signed number: '+0.025', '−1.3', '+120'."""
    if value == 0:
        return "0"
    return f"{value:+.2g}".replace("-", MINUS) if abs(value) < 100 else _signed(value, 0)


def _p_text(p: float) -> str:
    """McNemar's p as written beside a row: 'p = 0.08', 'p < 0.001', 'p = 1'."""
    if not math.isfinite(p):
        return "p \u2013"
    if p < 0.001:
        return "p < 0.001"
    return f"p = {p:.2g}"


def _pct(p: float) -> str:
    """A probability in percent with a precision that suits it."""
    value = 100 * p
    if value in (0, 100):
        return f"{value:.0f}%"
    return f"{value:.1f}%" if value >= 0.1 else f"{value:.2f}%"


def _zero_line(ax: Axes, axis: str = "x") -> None:
    if axis == "x":
        ax.axvline(0, color=ZERO_COLOR, linewidth=1.0, zorder=1.5)
    else:
        ax.axhline(0, color=ZERO_COLOR, linewidth=1.0, zorder=1.5)


def _interval_rows(
    ax: Axes,
    y: np.ndarray,
    delta: np.ndarray,
    low: np.ndarray,
    high: np.ndarray,
    unpaired: tuple[np.ndarray, np.ndarray] | None,
    color: str | Sequence[str] = PAIRED_COLOR,
    thick: float = 7.0,
) -> None:
    """Horizontal intervals at heights ``y``: the unpaired thin with caps, the paired thick."""
    if unpaired is not None:
        ax.errorbar(
            delta,
            y,
            xerr=[np.maximum(delta - unpaired[0], 0), np.maximum(unpaired[1] - delta, 0)],
            fmt="none",
            ecolor=UNPAIRED_COLOR,
            elinewidth=1.6,
            capsize=4,
            capthick=1.6,
            zorder=2,
        )
    ax.hlines(y, low, high, colors=color, linewidth=thick, zorder=3, capstyle="butt")
    ax.scatter(delta, y, s=26, color="white", edgecolors=DELTA_COLOR, linewidths=1.3, zorder=4)


def _pad_limits(ax: Axes, values: Sequence[float], minimum: float) -> None:
    """The x limits around ``values`` and 0, with a margin, at least ``minimum`` wide."""
    finite = [v for v in values if math.isfinite(v)] + [0.0]
    lo, hi = min(finite), max(finite)
    span = max(hi - lo, minimum)
    centre = (lo + hi) / 2
    lo, hi = min(lo, centre - span / 2), max(hi, centre + span / 2)
    margin = 0.06 * (hi - lo)
    ax.set_xlim(lo - margin, hi + margin)


# -- ΔP per outcome class -----------------------------------------------------------------


def _pairs_rows(data: ComparisonFolder) -> pd.DataFrame:
    """Rows of the pairs' panel: the pair outcomes of every pair with some change, in order."""
    out = data.outcomes
    names = [name for name, _ in PAIR_OUTCOMES]
    rows = out[(out["scope"] != OVERALL) & out["outcome"].isin(names)].copy()
    if rows.empty:
        return rows
    rows["discordant"] = rows["only_a"].astype(int) + rows["only_b"].astype(int)
    moved = rows.groupby("scope", sort=False)["discordant"].transform("sum") > 0
    # an outcome that happens in neither arm has nothing to show (0 % → 0 %)
    seen = (rows["p_a"].astype(float) > 0) | (rows["p_b"].astype(float) > 0)
    rows = rows[moved.to_numpy() & seen.to_numpy()]
    order = {name: i for i, name in enumerate(names)}
    scopes = {scope: i for i, scope in enumerate(dict.fromkeys(rows["scope"]))}
    rows["_scope"] = rows["scope"].map(scopes)
    rows["_outcome"] = rows["outcome"].map(order)
    return rows.sort_values(["_scope", "_outcome"]).reset_index(drop=True)


def overall_rows(data: ComparisonFolder) -> pd.DataFrame:
    """The overall rows: the classes, most severe first, then "direct clash or war"."""
    out = data.outcomes
    rows = out[out["scope"] == OVERALL]
    order = {c: i for i, c in enumerate([*data.classes, CLASH_OR_WAR])}
    ranks = rows["outcome"].map(lambda c: order.get(str(c), len(order)))
    return rows.assign(_rank=ranks.to_numpy()).sort_values("_rank").reset_index(drop=True)


def plot_delta_outcomes(data: ComparisonFolder) -> Figure:
    """ΔP per outcome class with paired and unpaired intervals; per pair of actors below."""
    overall = overall_rows(data)
    pairs = _pairs_rows(data)
    n_pairs = int(pairs["scope"].nunique()) if len(pairs) else 0
    top_rows = max(len(overall), 1)
    bottom_rows = max(n_pairs, 1) * 0.95
    width = 10.5
    height = 2.3 + 0.48 * top_rows + 0.62 * bottom_rows + 0.9
    fig = _figure(
        data,
        f"Change in the outcome from A to B, {data.replicates:,} paired replicates",
        (width, height),
    )
    axes = fig.subplots(
        2, 1, sharex=True, gridspec_kw={"height_ratios": [top_rows, bottom_rows + 0.6]}
    )
    top, bottom = axes[0], axes[1]
    values = [
        *overall["low"],
        *overall["high"],
        *overall["unpaired_low"],
        *overall["unpaired_high"],
        *pairs.get("low", []),
        *pairs.get("high", []),
    ]
    digits = _pp_digits([100 * float(v) for v in overall["delta"]])

    # overall: one row per class, the most severe at the top
    style_axes(top)
    y = np.arange(len(overall), dtype=float)
    pp = {c: 100 * overall[c].to_numpy(float) for c in OUTCOME_COLUMNS[4:9]}
    _zero_line(top)
    _interval_rows(
        top,
        y,
        pp["delta"],
        pp["low"],
        pp["high"],
        (pp["unpaired_low"], pp["unpaired_high"]),
    )
    labels = [
        f"{data.label(str(r['outcome']))}\n{_pct(float(r['p_a']))} \u2192 {_pct(float(r['p_b']))}"
        for _, r in overall.iterrows()
    ]
    top.set_yticks(y, [plain(t) for t in labels], fontsize=8.5)
    top.set_ylim(len(overall) - 0.5, -0.5)
    top.tick_params(axis="y", length=0)
    for i, r in overall.iterrows():
        p = float(r["mcnemar_p"])
        top.annotate(
            f"{_signed(100 * float(r['delta']), digits)} pp   {_p_text(p)}   "
            f"({int(r['only_a']):,} vs {int(r['only_b']):,})",
            xy=(1.0, float(y[int(str(i))])),
            xycoords=("axes fraction", "data"),
            xytext=(8, 0),
            textcoords="offset points",
            va="center",
            ha="left",
            fontsize=8,
            fontweight="bold" if p < ALPHA else "normal",
            annotation_clip=False,
        )
    _arms_title(top, data, width, "Every replicate, by its outcome class")

    # pairs of actors: direct clash or war and proxy violence, dodged
    style_axes(bottom)
    _zero_line(bottom)
    bottom.tick_params(axis="y", length=0)
    if n_pairs:
        offsets = {name: (i - 0.5) * 0.36 for i, (name, _) in enumerate(PAIR_OUTCOMES)}
        colors = dict(PAIR_OUTCOMES)
        scopes = list(dict.fromkeys(pairs["scope"]))
        shown = pairs["scope"].value_counts()
        # two rows of a pair side by side; a pair's single row in the middle
        py = np.array(
            [
                scopes.index(str(s)) + (offsets[str(o)] if shown[s] > 1 else 0.0)
                for s, o in zip(pairs["scope"], pairs["outcome"], strict=True)
            ]
        )
        _interval_rows(
            bottom,
            py,
            100 * pairs["delta"].to_numpy(float),
            100 * pairs["low"].to_numpy(float),
            100 * pairs["high"].to_numpy(float),
            None,
            [colors[str(o)] for o in pairs["outcome"]],
            thick=5.5,
        )
        for yy, (_, r) in zip(py, pairs.iterrows(), strict=True):
            p = float(r["mcnemar_p"])
            bottom.annotate(
                f"{_pct(float(r['p_a']))} \u2192 {_pct(float(r['p_b']))}   {_p_text(p)}",
                xy=(1.0, float(yy)),
                xycoords=("axes fraction", "data"),
                xytext=(8, 0),
                textcoords="offset points",
                va="center",
                ha="left",
                fontsize=7.5,
                color=colors[str(r["outcome"])],
                fontweight="bold" if p < ALPHA else "normal",
                annotation_clip=False,
            )
        bottom.set_yticks(range(len(scopes)), [plain(s) for s in scopes], fontsize=8.5)
        bottom.set_ylim(len(scopes) - 0.5, -0.5)
        skipped = int(data.outcomes.loc[data.outcomes["scope"] != OVERALL, "scope"].nunique())
        skipped -= len(scopes)
        note = f"; {skipped} pair{'s' if skipped != 1 else ''} without a change left out"
        bottom.set_title(
            f"Pairs of actors whose class changed in some replicate{note if skipped else ''}",
            loc="left",
            fontsize=9.5,
        )
    else:
        bottom.set_yticks([])
        bottom.text(
            0.5,
            0.5,
            "no pair of actors changed class in any replicate",
            transform=bottom.transAxes,
            ha="center",
            va="center",
            fontsize=10,
            color="#555555",
        )
        bottom.set_title("Pairs of actors", loc="left", fontsize=9.5)
    _pad_limits(top, [100 * float(v) for v in values], minimum=1.0)
    top.tick_params(axis="x", labelbottom=True)
    _signed_ticks(bottom)
    xlabel = "\u0394P = P(B) \u2212 P(A), percentage points"
    top.set_xlabel(xlabel, fontsize=9)
    bottom.set_xlabel(xlabel, fontsize=9)
    handles: list[object] = [
        *_interval_handles(),
        *(Line2D([], [], color=c, linewidth=5.5) for _, c in PAIR_OUTCOMES),
        SectionHeader(),
    ]
    legend_labels = [
        "paired 95% interval\n(common random numbers)",
        "unpaired 95% interval\n(the same work, independent runs)",
        "\u0394P",
        *(f"pairs: {data.label(name).lower()}, paired 95%" for name, _ in PAIR_OUTCOMES),
        "right: \u0394P, McNemar's exact p (bold: p < 0.05),\n(replicates where it happened "
        "only under A vs only under B)",
    ]
    bottom_legend(fig, handles, legend_labels, ncols=3, handler_map=HANDLER_MAP)
    return fig


# -- cumulative P(direct clash) by date ---------------------------------------------------


def _date_axis(ax: Axes, dates: np.ndarray, start: dt.date) -> None:
    """Calendar x axis over ``dates`` (whole last day), labelled with the year."""
    span = int((dates[-1] - dates[0]) / np.timedelta64(1, "D")) + 1
    locator = (
        mdates.DayLocator(interval=max(1, span // 8))
        if span <= 16
        else mdates.AutoDateLocator(minticks=5, maxticks=10)
    )
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(CalendarFormatter())
    ax.set_xlim(dates[0], dates[-1] + np.timedelta64(1, "D"))
    ax.set_xlabel(f"Date (simulation day 0 = {fmt_date(start)})")


def plot_daily_clash(data: ComparisonFolder) -> Figure:
    """Cumulative P(direct clash) by date in each arm; below, the paired difference and band."""
    daily = data.daily
    width = 10.5
    fig = _figure(data, "Cumulative probability of a direct clash, A and B", (width, 7.4))
    if daily.empty:
        ax = fig.add_subplot()
        ax.axis("off")
        ax.text(0.5, 0.5, "no days in the daily table", ha="center", va="center")
        return fig
    top, bottom = fig.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": [1.25, 1.0]})
    start = np.datetime64(data.start, "D")
    days = daily["day"].to_numpy(int)
    dates = start + days.astype("timedelta64[D]")
    # the value of day d holds from its start to the end of the day: steps, the last one whole
    x = np.r_[dates, dates[-1] + np.timedelta64(1, "D")]

    def extend(values: np.ndarray) -> np.ndarray:
        return np.append(values, values[-1])

    n = data.replicates
    style_axes(top)
    for column, color, index in (("p_clash_a", A_COLOR, 0), ("p_clash_b", B_COLOR, 1)):
        values = daily[column].to_numpy(float)
        top.step(x, extend(values), where="post", color=color, linewidth=1.8, zorder=3)
        last = float(values[-1])
        count = f" ({round(last * n):,} of {n:,})" if n else ""
        top.annotate(
            f"{'AB'[index]}: {_pct(last)}{count}",
            xy=(float(mdates.date2num(x[-1])), last),
            xytext=(6, 7 if index == 1 else -7),
            textcoords="offset points",
            va="center",
            ha="left",
            fontsize=8.5,
            color=color,
            fontweight="bold",
            annotation_clip=False,
        )
    top.set_ylim(0, None)
    top.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=None))
    top.yaxis.set_major_locator(MaxNLocator(6))
    top.set_ylabel("P(a direct clash by then)")
    top.legend(
        [Line2D([], [], color=c, linewidth=1.8) for c in (A_COLOR, B_COLOR)],
        [plain(_wrap(f"{'AB'[i]}: {data.arm_label(i)}", 90)) for i in (0, 1)],
        loc="upper left",
        fontsize=8.5,
        frameon=False,
    )
    top.set_title(
        "Share of replicates with a direct clash (or war) by each date", loc="left", fontsize=9.5
    )

    style_axes(bottom)
    delta = 100 * daily["delta"].to_numpy(float)
    low = 100 * daily["low"].to_numpy(float)
    high = 100 * daily["high"].to_numpy(float)
    bottom.fill_between(
        x, extend(low), extend(high), step="post", color=UNPAIRED_COLOR, alpha=0.8, linewidth=0
    )
    bottom.step(x, extend(delta), where="post", color=PAIRED_COLOR, linewidth=1.6, zorder=3)
    _zero_line(bottom, "y")
    _signed_ticks(bottom, "y")
    bottom.set_ylabel("\u0394P = P(B) \u2212 P(A),\npercentage points")
    end = (float(delta[-1]), float(low[-1]), float(high[-1]))
    digits = _pp_digits(end)
    bottom.set_title(
        f"Paired difference with its 95% band; at the horizon "
        f"{_signed(end[0], digits)} pp ({_signed(end[1], digits)} to "
        f"{_signed(end[2], digits)})",
        loc="left",
        fontsize=9.5,
    )
    top.tick_params(axis="x", labelbottom=False)
    _date_axis(bottom, dates, data.start)
    handles: list[object] = [
        Line2D([], [], color=PAIRED_COLOR, linewidth=1.6),
        Patch(color=UNPAIRED_COLOR, alpha=0.8),
    ]
    labels = [
        "\u0394P by date (B \u2212 A)",
        "paired 95% interval (Newcombe; common random numbers)",
    ]
    bottom_legend(fig, handles, labels, ncols=2)
    return fig


# -- transitions --------------------------------------------------------------------------


def transition_matrix(data: ComparisonFolder) -> tuple[list[str], np.ndarray]:
    """The classes (most severe first) and the counts: rows under A, columns under B."""
    table = data.transitions.set_index("a")
    classes = [c for c in data.classes if c in table.columns or c in table.index]
    classes += [str(c) for c in table.columns if str(c) not in classes]
    matrix = table.reindex(index=classes, columns=classes).fillna(0)
    return classes, matrix.to_numpy(dtype=float).astype(int)


def plot_transitions(data: ComparisonFolder) -> Figure:
    """Replicates by class under A (rows) and B (columns): counts, changes shaded (log scale)."""
    from matplotlib import colormaps

    classes, counts = transition_matrix(data)
    k = len(classes)
    n = int(counts.sum())
    changed = n - int(np.trace(counts))
    width = 10.0
    fig = _figure(
        data, "Replicates by outcome class under A (rows) and under B (columns)", (width, 8.4)
    )
    ax = fig.add_subplot()
    off = ~np.eye(k, dtype=bool)
    most = int(counts[off].max()) if k > 1 and counts[off].size else 0
    norm = LogNorm(vmin=1, vmax=max(most, 2))
    worse, better = colormaps["Reds"], colormaps["Blues"]
    image = np.ones((k, k, 3))
    dark = np.zeros((k, k), dtype=bool)
    for i in range(k):
        for j in range(k):
            c = int(counts[i, j])
            if i == j:
                image[i, j] = to_rgb(DIAGONAL_COLOR)
            elif c > 0:
                level = 0.2 + 0.75 * float(norm(c))
                cmap = worse if j < i else better  # columns left of the diagonal: more severe
                image[i, j] = cmap(level)[:3]
                dark[i, j] = level > 0.6
    ax.imshow(image, aspect="auto", interpolation="nearest", extent=(-0.5, k - 0.5, k - 0.5, -0.5))
    for i in range(k):
        for j in range(k):
            c = int(counts[i, j])
            color = "white" if dark[i, j] else ("#bbbbbb" if c == 0 and i != j else "#222222")
            ax.text(
                j,
                i,
                f"{c:,}",
                ha="center",
                va="center",
                fontsize=10.5,
                color=color,
                fontweight="bold" if i != j and c > 0 else "normal",
            )
    # totals: under A at the right of each row, under B below each column
    for i in range(k):
        ax.add_patch(Rectangle((k - 0.5, i - 0.5), 1, 1, color=TOTAL_COLOR, zorder=0.5))
        ax.add_patch(Rectangle((i - 0.5, k - 0.5), 1, 1, color=TOTAL_COLOR, zorder=0.5))
        row, col = int(counts[i].sum()), int(counts[:, i].sum())
        ax.text(k, i, f"{row:,}\n{_share(row, n)}", ha="center", va="center", fontsize=9)
        ax.text(i, k, f"{col:,}\n{_share(col, n)}", ha="center", va="center", fontsize=9)
    ax.text(k, k, f"{n:,}", ha="center", va="center", fontsize=9, fontweight="bold")
    ax.axvline(k - 0.5, color="#888888", linewidth=1.0)
    ax.axhline(k - 0.5, color="#888888", linewidth=1.0)
    ax.set_xlim(-0.5, k + 0.5)
    ax.set_ylim(k + 0.5, -0.5)
    names = [textwrap.fill(plain(data.label(c)), 14) for c in classes]
    ax.set_xticks(range(k + 1), [*names, "Total\nunder A"], fontsize=8.5)
    ax.set_yticks(range(k + 1), [*names, "Total\nunder B"], fontsize=8.5)
    ax.xaxis.tick_top()
    ax.xaxis.set_label_position("top")
    ax.tick_params(length=0)
    for side in ax.spines.values():
        side.set_visible(False)
    ax.set_xlabel("Class under B", fontsize=10, labelpad=8)
    ax.set_ylabel("Class under A", fontsize=10)
    share = f" ({_share(changed, n)})" if n else ""
    ax.set_title(
        data.arms_line(int(width * 11))
        + f"\n{changed:,} of {n:,} replicates changed class{share}; "
        f"{_changed_note(data, changed)}",
        loc="left",
        fontsize=9.5,
        pad=10,
    )
    handles: list[object] = [
        Patch(color=worse(0.7)),
        Patch(color=better(0.7)),
        Patch(color=DIAGONAL_COLOR),
        SectionHeader(),
    ]
    labels = [
        "more severe under B",
        "less severe under B",
        "same class under both",
        f"shade: replicates, log scale (1 to {max(most, 1):,})",
    ]
    bottom_legend(fig, handles, labels, ncols=4, handler_map=HANDLER_MAP)
    return fig


def _share(count: int, n: int) -> str:
    return _pct(count / n) if n else ""


def _changed_note(data: ComparisonFolder, changed: int) -> str:
    """What the changed table says, when it disagrees with the matrix, or how to trace one."""
    listed = len(data.changed)
    if listed != changed:
        return f"the changed table lists {listed:,}"
    return "replay one with escalation trace DIR/a --replicate K (and DIR/b)"


# -- mean differences of the metrics ------------------------------------------------------


def _metric_unit(metric: str) -> str:
    if metric in METRIC_UNITS:
        return METRIC_UNITS[metric]
    if metric.startswith("deaths, "):
        return "deaths per replicate"
    return ""


def _metric_title(metric: str) -> str:
    if metric in METRIC_TITLES:
        return METRIC_TITLES[metric]
    if metric.startswith("deaths, "):
        return f"Deaths of {metric.removeprefix('deaths, ')}"
    return metric[:1].upper() + metric[1:]


def _num(value: float) -> str:
    """A mean in a short form: 1.32, 89.2, 0.0075, 0."""
    if value == 0:
        return "0"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    # three significant digits, kept when trailing (1.40) above 1, dropped below (0.006)
    return f"{value:#.3g}".rstrip(".") if abs(value) >= 1 else f"{value:.3g}"


def plot_delta_metrics(data: ComparisonFolder) -> Figure:
    """Per metric, the mean difference B − A with paired and unpaired intervals, own axes."""
    metrics = data.metrics.reset_index(drop=True)
    count = max(len(metrics), 1)
    ncols = 2 if count > 3 else 1
    nrows = math.ceil(count / ncols)
    width = 11.0
    height = 2.2 + 1.45 * nrows
    fig = _figure(
        data, f"Mean differences B \u2212 A, {data.replicates:,} paired replicates", (width, height)
    )
    grid = fig.add_gridspec(nrows + 1, ncols, height_ratios=[0.02, *([1.0] * nrows)])
    head = fig.add_subplot(grid[0, :])
    head.axis("off")
    _arms_title(head, data, width)
    axes = np.array([[fig.add_subplot(grid[1 + r, c]) for c in range(ncols)] for r in range(nrows)])
    for index, ax in enumerate(axes.flat):
        if index >= len(metrics):
            ax.axis("off")
            continue
        r = metrics.iloc[index]
        style_axes(ax)
        ax.grid(False, axis="y")
        ax.spines["left"].set_visible(False)
        ax.set_yticks([])
        ax.set_ylim(-1, 1)
        metric = str(r["metric"])
        vals = {c: float(r[c]) for c in METRIC_COLUMNS[1:]}
        unit = _metric_unit(metric)
        ax.set_title(
            plain(
                f"{_metric_title(metric)}: A {_num(vals['mean_a'])} \u2192 B {_num(vals['mean_b'])}"
            ),
            loc="left",
            fontsize=9.5,
        )
        ax.set_xlabel(plain(f"\u0394 = B \u2212 A, {unit}" if unit else "\u0394 = B \u2212 A"))
        spread = [vals[c] for c in ("low", "high", "unpaired_low", "unpaired_high", "delta")]
        if all(v == 0 for v in spread if math.isfinite(v)):
            _zero_line(ax)
            ax.set_xlim(-1, 1)
            ax.set_xticks([0])
            ax.text(
                0.5,
                0.5,
                "no difference: the same value in every replicate of both arms",
                transform=ax.transAxes,
                ha="center",
                va="center",
                fontsize=8.5,
                color="#555555",
                bbox={"facecolor": "white", "edgecolor": "none", "pad": 2},
            )
            continue
        _zero_line(ax)
        _interval_rows(
            ax,
            np.array([0.0]),
            np.array([vals["delta"]]),
            np.array([vals["low"]]),
            np.array([vals["high"]]),
            (np.array([vals["unpaired_low"]]), np.array([vals["unpaired_high"]])),
        )
        ax.annotate(
            f"\u0394 {_g(vals['delta'])}  (paired {_g(vals['low'])} to {_g(vals['high'])})",
            xy=(vals["delta"], 0.0),
            xytext=(0, 9),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontsize=8,
            bbox={"facecolor": "white", "edgecolor": "none", "pad": 1.0},
            zorder=5,
        )
        _pad_limits(ax, spread, minimum=0.0)
        if ax.get_xlim()[0] == ax.get_xlim()[1]:
            ax.set_xlim(-1, 1)
        ax.xaxis.set_major_locator(MaxNLocator(6, steps=[1, 2, 2.5, 5, 10]))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: _g(v)))
    handles: list[object] = [
        *_interval_handles(),
        SectionHeader(),
    ]
    labels = [
        "paired 95% interval (common random numbers)",
        "unpaired 95% interval (same work, independent runs)",
        "mean difference",
        "each metric on its own axis, in its own units",
    ]
    bottom_legend(fig, handles, labels, ncols=2, handler_map=HANDLER_MAP)
    return fig


# -- all figures --------------------------------------------------------------------------


def comparison_figures(data: ComparisonFolder) -> list[tuple[str, Callable[[], Figure]]]:
    """The figures of a comparison folder, as (file name, builder)."""
    return [
        ("delta_outcomes.png", lambda: plot_delta_outcomes(data)),
        ("daily_clash.png", lambda: plot_daily_clash(data)),
        ("transitions.png", lambda: plot_transitions(data)),
        ("delta_metrics.png", lambda: plot_delta_metrics(data)),
    ]


def write_comparison_plots(folder: Path, out: Path, progress: Progress = SILENT) -> list[Path]:
    """Draw the figures of a comparison folder into ``out``; return the written paths.

    Raises ResultsError when the folder is not a comparison or a table is missing or lacks what
    the figures need (naming it).
    """
    data = load_comparison(folder)
    return draw_figures(comparison_figures(data), out, progress)
