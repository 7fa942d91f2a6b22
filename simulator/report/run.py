"""The sections of a run folder's report: summary, charts, stories, parameters, manifest.

Everything comes from the stored tables and manifest; the only thing recomputed is the day-by-day
story of a few sample replicates, replayed from the manifest's scenario exactly as
``escalation trace`` does (and checked against the stored outcome the same way).
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import altair as alt
import numpy as np
import pandas as pd

from simulator.report.page import Page, Section
from simulator.results.reader import RunResults, load_run
from simulator.results.summary import summarize
from simulator.stats import wilson_interval

#: sample replicates told as stories, per outcome class (the lowest-numbered of each class)
STORIES_PER_CLASS = 2
WIDTH = 820
#: what the chart builders return (Altair types a layer's ``properties`` as either)
Drawn = alt.LayerChart | alt.FacetChart
FAN_COLOR = "#2b5d8c"
EVENT_COLOR = "#555555"


def run_page(folder: Path, title_prefix: str = "") -> Page:
    """The report page of the run folder ``folder``."""
    res = load_run(folder)
    page = Page(
        title=f"{title_prefix}Scenario \u201c{res.scenario_name}\u201d",
        subtitle=res.caption(),
    )
    add_run_sections(page, res)
    from simulator.report.hindcast import add_score_sections  # hindcast.py builds on this module

    add_score_sections(page, res.path)
    return page


def add_run_sections(page: Page, res: RunResults, stories: bool = True, prefix: str = "") -> None:
    """Append a run's sections to ``page`` (``prefix`` keeps anchors unique when there are two)."""
    description = str(res.manifest.get("description") or "")
    summary = page.section(f"{prefix}Summary", f"{prefix}summary".replace(" ", "-"))
    if description:
        summary.para(description)
    summary_tables(summary, res)
    charts = page.section(f"{prefix}Charts", f"{prefix}charts".replace(" ", "-"))
    charts.chart(fan_chart(res), _fan_caption(res), "escalation fan")
    charts.chart(
        cumulative_chart(res),
        "Share of replicates that have had a direct clash between states (or a war) by each "
        "date, with its 95 % Wilson interval.",
        "cumulative",
    )
    charts.chart(
        outcome_chart(res),
        "Probability of each outcome class with its 95 % Wilson interval (bars: the estimate).",
        "outcomes",
    )
    charts.chart(
        action_mix_chart(res),
        "Each actor's daily mix of moves: the share of replicates choosing each rung of the "
        "ladder. Hover for the numbers.",
        "action mix",
    )
    charts.chart(
        threat_chart(res),
        "Mean perceived threat: how threatening each observer (rows) finds each actor "
        "(columns), averaged over replicates, on the day the slider picks.",
        "threat matrix",
    )
    if stories:
        story_section(page.section(f"{prefix}Stories", f"{prefix}stories".replace(" ", "-")), res)
    parameter_section(
        page.section(f"{prefix}Parameters", f"{prefix}parameters".replace(" ", "-")), res
    )
    m = res.manifest
    provenance_section(
        page.section(f"{prefix}Manifest", f"{prefix}manifest".replace(" ", "-")),
        m,
        res.path,
        [
            ("replicates", f"{int(m.get('replicates', 0)):,}"),
            ("event log", m.get("event_log", "\u2013")),
        ],
    )


# -- summary --------------------------------------------------------------------------------
def summary_tables(section: Section, res: RunResults) -> None:
    """The outcome table with intervals and the run's headline metrics."""
    summary = summarize(res.manifest, res.runs)
    outcomes = pd.DataFrame(
        {
            "outcome": [r.label for r in summary.outcomes],
            "replicates": [r.count for r in summary.outcomes],
            "probability": [r.probability for r in summary.outcomes],
            "95 % interval": [f"{r.low:.1%} \u2013 {r.high:.1%}" for r in summary.outcomes],
        }
    )
    section.table(
        outcomes,
        caption=f"{summary.replicates:,} replicates; intervals are 95 % Wilson intervals.",
        formats={"probability": "{:.1%}", "replicates": "{:,}"},
        name="outcomes",
    )
    metrics = pd.DataFrame(summary.metrics, columns=["metric", "value"])
    section.table(metrics, name="metrics")


# -- charts ---------------------------------------------------------------------------------
def _dates(res: RunResults) -> pd.Series:
    return pd.Series(pd.to_datetime(res.dates()))


def _events(res: RunResults) -> pd.DataFrame:
    """The scenario's dated events and forced moves, one row each (date, label)."""
    rows = [(pd.Timestamp(e.date), e.label) for e in res.event_marks()]
    rows += [
        (pd.Timestamp(m.date), m.label or f"{m.actor}: {m.rung} \u2192 {m.target} (forced)")
        for m in res.forced_moves()
    ]
    return pd.DataFrame(rows, columns=["date", "event"])


def _event_rules(res: RunResults) -> alt.Chart | None:
    events = _events(res)
    if events.empty:
        return None
    rules: alt.Chart = (
        alt.Chart(events)
        .mark_rule(strokeDash=[3, 3], color=EVENT_COLOR, opacity=0.7)
        .encode(x="date:T", tooltip=[alt.Tooltip("date:T"), alt.Tooltip("event:N")])
    )
    return rules


def fan_chart(res: RunResults) -> Drawn:
    """Escalation index quantiles (5–95 %, 25–75 %), median and mean over dates, with events."""
    d = res.daily
    frame = pd.DataFrame(
        {
            "date": _dates(res),
            "q05": d["escalation_q05"],
            "q25": d["escalation_q25"],
            "median": d["escalation_q50"],
            "q75": d["escalation_q75"],
            "q95": d["escalation_q95"],
            "mean": d["escalation_mean"],
        }
    )
    base = alt.Chart(frame).encode(x=alt.X("date:T", title=None))
    outer = base.mark_area(color=FAN_COLOR, opacity=0.18).encode(
        y=alt.Y("q05:Q", title="escalation index"), y2="q95:Q"
    )
    inner = base.mark_area(color=FAN_COLOR, opacity=0.38).encode(y="q25:Q", y2="q75:Q")
    lines = (
        base.transform_fold(["median", "mean"], as_=["series", "value"])
        .mark_line()
        .encode(
            y="value:Q",
            strokeDash=alt.StrokeDash("series:N", title=None),
            color=alt.value("#163a5c"),
            tooltip=[
                alt.Tooltip("date:T"),
                alt.Tooltip("q05:Q", format=".2f", title="5 %"),
                alt.Tooltip("q25:Q", format=".2f", title="25 %"),
                alt.Tooltip("median:Q", format=".2f"),
                alt.Tooltip("q75:Q", format=".2f", title="75 %"),
                alt.Tooltip("q95:Q", format=".2f", title="95 %"),
                alt.Tooltip("mean:Q", format=".2f"),
            ],
        )
    )
    layers: list[Any] = [outer, inner, lines]
    rules = _event_rules(res)
    if rules is not None:
        layers.append(rules)
    return alt.layer(*layers).properties(
        width=WIDTH, height=300, title="Escalation index across replicates"
    )


def _fan_caption(res: RunResults) -> str:
    return (
        "Bands: 5–95 % and 25–75 % of replicates; lines: median and mean. The index sums each "
        "day's moves weighted by their rung's score. Dashed rules: the scenario's events and "
        "forced moves (hover for the label)."
    )


def cumulative_chart(res: RunResults) -> Drawn:
    """Cumulative P(direct clash) and P(war) by date, with 95 % Wilson bands."""
    n = len(res.runs)
    rows = []
    for date, clash, war in zip(
        _dates(res), res.daily["p_direct_clash"], res.daily["p_war"], strict=True
    ):
        for label, p in (("direct clash", clash), ("war", war)):
            k = int(round(float(p) * n))
            low, high = wilson_interval(k, n)
            rows.append((date, label, float(p), low, high))
    frame = pd.DataFrame(rows, columns=["date", "event", "p", "low", "high"])
    base = alt.Chart(frame).encode(
        x=alt.X("date:T", title=None),
        color=alt.Color(
            "event:N",
            title=None,
            scale=alt.Scale(domain=["direct clash", "war"], range=["#d93b2b", "#4d0008"]),
        ),
    )
    band = base.mark_area(opacity=0.2).encode(y="low:Q", y2="high:Q")
    line = base.mark_line().encode(
        y=alt.Y("p:Q", title="cumulative probability", axis=alt.Axis(format="%")),
        tooltip=[
            alt.Tooltip("date:T"),
            alt.Tooltip("event:N"),
            alt.Tooltip("p:Q", format=".1%", title="probability"),
            alt.Tooltip("low:Q", format=".1%", title="95 % low"),
            alt.Tooltip("high:Q", format=".1%", title="95 % high"),
        ],
    )
    layers: list[Any] = [band, line]
    rules = _event_rules(res)
    if rules is not None:
        layers.append(rules)
    return alt.layer(*layers).properties(
        width=WIDTH, height=240, title="Cumulative probability of a direct clash and of war"
    )


def outcome_frame(manifest: dict[str, Any], runs: pd.DataFrame) -> pd.DataFrame:
    """One row per outcome class: label, probability and 95 % Wilson interval, most severe first."""
    summary = summarize(manifest, runs)
    return pd.DataFrame(
        {
            "class": [r.name for r in summary.outcomes],
            "outcome": [r.label for r in summary.outcomes],
            "order": list(range(len(summary.outcomes))),
            "p": [r.probability for r in summary.outcomes],
            "low": [r.low for r in summary.outcomes],
            "high": [r.high for r in summary.outcomes],
            "count": [r.count for r in summary.outcomes],
        }
    )


def outcome_bars(frame: pd.DataFrame, title: str, width: int = WIDTH) -> Drawn:
    """Horizontal bars of outcome probabilities with interval rules (from :func:`outcome_frame`)."""
    from simulator.plots.style import severity_colors

    colors = severity_colors(list(frame["class"]))
    order = list(frame["outcome"])
    y = alt.Y("outcome:N", sort=order, title=None)
    base = alt.Chart(frame).encode(y=y)
    bars = base.mark_bar().encode(
        x=alt.X("p:Q", title="probability", axis=alt.Axis(format="%")),
        color=alt.Color(
            "outcome:N",
            legend=None,
            scale=alt.Scale(domain=order, range=[colors[c] for c in frame["class"]]),
        ),
        tooltip=[
            alt.Tooltip("outcome:N"),
            alt.Tooltip("count:Q", title="replicates", format=","),
            alt.Tooltip("p:Q", format=".1%", title="probability"),
            alt.Tooltip("low:Q", format=".1%", title="95 % low"),
            alt.Tooltip("high:Q", format=".1%", title="95 % high"),
        ],
    )
    rules = base.mark_rule(color="black").encode(x="low:Q", x2="high:Q")
    ticks = base.mark_tick(color="black", thickness=1.5).encode(x="low:Q") + base.mark_tick(
        color="black", thickness=1.5
    ).encode(x="high:Q")
    return alt.layer(bars, rules, ticks).properties(
        width=width, height=30 * len(frame) + 20, title=title
    )


def outcome_chart(res: RunResults) -> Drawn:
    """The run's outcome probabilities with their intervals."""
    return outcome_bars(outcome_frame(res.manifest, res.runs), "Outcome of the crisis")


def action_mix_chart(res: RunResults) -> Drawn:
    """Stacked daily shares of each rung, one panel per actor.

    The data are wide (one row per actor and day, one column per rung) and folded long by
    Vega-Lite in the browser: a long crisis's report stays small.
    """
    from simulator.plots.style import ladder_colors

    rungs = res.rungs()
    colors = ladder_colors(rungs)
    dates = _dates(res)
    parts = []
    present: set[str] = set()
    for actor in res.actors():
        mix = res.mix(actor.name)
        present |= set(mix)
        # plain column names (r<rung index>): Vega reads dots, quotes and brackets in a field
        # name as a path into the row
        columns = {f"r{r.index}": np.round(mix[r.name], 4) for r in rungs if r.name in mix}
        parts.append(pd.DataFrame({"date": dates, "actor": actor.label, **columns}))
    frame = pd.concat(parts, ignore_index=True)
    shown = [r for r in rungs if r.name in present]
    keys = [f"r{r.index}" for r in shown]
    labels = [r.label for r in shown]
    chart: alt.FacetChart = (
        alt.Chart(frame)
        .transform_fold(list(keys), as_=["key", "share"])
        .transform_filter("isValid(datum.share)")
        .transform_calculate(
            order=f"indexof({json.dumps(keys)}, datum.key)",
            move=f"{json.dumps(labels)}[indexof({json.dumps(keys)}, datum.key)]",
        )
        .mark_area()
        .encode(
            x=alt.X("date:T", title=None),
            y=alt.Y("share:Q", stack="normalize", title="share", axis=alt.Axis(format="%")),
            color=alt.Color(
                "move:N",
                title="move",
                sort=labels,
                scale=alt.Scale(domain=labels, range=[colors[r.name] for r in shown]),
            ),
            order=alt.Order("order:Q"),
            tooltip=[
                alt.Tooltip("date:T"),
                alt.Tooltip("actor:N"),
                alt.Tooltip("move:N"),
                alt.Tooltip("share:Q", format=".1%"),
            ],
        )
        .properties(width=WIDTH - 160, height=110)
        .facet(row=alt.Row("actor:N", title=None, sort=[a.label for a in res.actors()]))
        .properties(title="Each actor's mix of moves")
    )
    return chart


def threat_chart(res: RunResults) -> Drawn:
    """Heat map of the mean threat matrix, with a slider over the days.

    One row per day with a column per (observer, actor) cell, folded long in the browser.
    """
    actors = res.actors()
    days = res.daily["day"].to_numpy()
    # plain column names (o<observer>_<actor>, by position); the labels are looked up in the
    # browser (Vega reads dots, quotes and brackets in a field name as a path into the row)
    columns = {
        f"o{i}_{j}": np.round(res.daily[col].to_numpy(dtype=float), 4)
        for i, obs in enumerate(actors)
        for j, act in enumerate(actors)
        if i != j and (col := f"threat.{obs.name}.{act.name}") in res.daily.columns
    }
    frame = pd.DataFrame({"day": days.astype(int), **columns})
    order = [a.label for a in actors]
    first, last = int(days.min()), int(days.max())
    day = alt.param(
        name="day",
        value=first,
        bind=alt.binding_range(min=first, max=last, step=1, name="day of the crisis "),
    )
    top = float(frame[list(columns)].to_numpy().max()) if columns else 1.0
    names = json.dumps(order)
    base = (
        alt.Chart(frame)
        .transform_filter(alt.datum.day == day)
        .transform_fold(list(columns), as_=["cell", "threat"])
        .transform_calculate(
            observer=f"{names}[toNumber(split(substring(datum.cell, 1), '_')[0])]",
            actor=f"{names}[toNumber(split(datum.cell, '_')[1])]",
        )
        .encode(
            x=alt.X("actor:N", sort=order, title="perceived actor", axis=alt.Axis(labelAngle=-30)),
            y=alt.Y("observer:N", sort=order, title="observer"),
        )
    )
    cells = base.mark_rect().encode(
        color=alt.Color(
            "threat:Q",
            scale=alt.Scale(scheme="oranges", domain=[0, max(top, 1e-9)]),
            title="threat",
        ),
        tooltip=["observer:N", "actor:N", alt.Tooltip("threat:Q", format=".3f"), "day:Q"],
    )
    text = base.mark_text(fontSize=12).encode(
        text=alt.Text("threat:Q", format=".2f"),
        color=alt.condition(alt.datum.threat > top * 0.6, alt.value("white"), alt.value("black")),
    )
    start = res.start
    # the calendar date of the day the slider picks (JavaScript months count from 0)
    when = (
        alt.Chart(pd.DataFrame({"n": [0]}))
        .transform_calculate(
            label=f"'Day ' + day + ': ' + timeFormat(datetime({start.year}, {start.month - 1}, "
            f"{start.day} + day), '%d %b %Y')"
        )
        .mark_text(align="left", fontSize=13, fontWeight="bold")
        .encode(text="label:N", x=alt.value(0), y=alt.value(-12))
    )
    return (
        alt.layer(cells, text, when)
        .add_params(day)
        .properties(
            width=90 * len(actors),
            height=60 * len(actors),
            title=alt.TitleParams("Mean threat matrix", offset=22),
        )
    )


# -- stories --------------------------------------------------------------------------------
def sample_replicates(runs: pd.DataFrame, classes: list[str], per_class: int) -> list[int]:
    """The lowest-numbered ``per_class`` replicates of each outcome class, most severe first."""
    chosen: list[int] = []
    for name in classes:
        numbers = runs.loc[runs["outcome"] == name, "replicate"].sort_values()
        chosen += [int(k) for k in numbers.head(per_class)]
    return chosen


def story_section(section: Section, res: RunResults) -> None:
    """A few sample replicates per outcome class, replayed day by day."""
    from simulator.console import format_trace
    from simulator.experiment.replay import trace_stored

    chosen = sample_replicates(res.runs, res.outcome_classes(), STORIES_PER_CLASS)
    section.para(
        f"Sampled: the {STORIES_PER_CLASS} lowest-numbered replicates of each outcome class that "
        f"occurred ({len(chosen)} of {len(res.runs):,}), replayed day by day from the "
        "manifest's scenario. Each is the same world as in the run: the command under it "
        "reproduces it."
    )
    for k in chosen:
        trace = trace_stored(res, k)
        lines = format_trace(trace)
        label = trace.outcome_labels.get(trace.outcome, trace.outcome)
        command = f"escalation trace {res.path} --replicate {k}"
        section.text(
            f"<details><summary>Replicate {k}: {html.escape(label)}</summary>"
            f"<p>Reproduce: <code>{html.escape(command)}</code></p>"
            f'<pre class="story">{html.escape(chr(10).join(lines).strip())}</pre></details>'
        )


# -- parameters and manifest ----------------------------------------------------------------
def _leaves(data: Any, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], Any]]:
    if isinstance(data, dict):
        return [leaf for k, v in data.items() for leaf in _leaves(v, (*path, str(k)))]
    if isinstance(data, list) and any(isinstance(v, dict | list) for v in data):
        return [leaf for i, v in enumerate(data) for leaf in _leaves(v, (*path, str(i)))]
    return [(path, data)]


def parameter_frame(manifest: dict[str, Any]) -> pd.DataFrame:
    """Every value of the run's scenario, with the scenario file's comment that sources it.

    A value without a comment of its own takes the nearest enclosing block's (marked "block:").
    """
    sources: dict[str, str] = manifest.get("sources") or {}
    rows = []
    for path, value in _leaves(manifest.get("scenario") or {}):
        if path[:1] == ("sweep",):
            continue
        own = sources.get(".".join(path), "")
        source = own
        if not own:
            for cut in range(len(path) - 1, 0, -1):
                block = sources.get(".".join(path[:cut]))
                if block:
                    source = f"block: {block}"
                    break
        shown = ", ".join(map(str, value)) if isinstance(value, list) else value
        rows.append((".".join(path), shown, source))
    return pd.DataFrame(rows, columns=["parameter", "value", "source (the scenario file's note)"])


def parameter_section(section: Section, res: RunResults) -> None:
    """The scenario's parameters with their citations."""
    frame = parameter_frame(res.manifest)
    source = res.manifest.get("scenario_file") or "the scenario"
    if res.manifest.get("sources"):
        section.para(
            f"Every value the run used, with the comment {source} gives beside it: the "
            "codes (A, E, F, Q) cite the digest of the article in seeds/. A value set on the "
            "command line (--set) shows no source."
        )
    else:
        section.para(
            "Every value the run used. This run's manifest keeps no source notes (it was made "
            "from a scenario without a readable file, or by an older version)."
        )
    section.table(frame, filter=True, sortable=True, name="parameters")


def provenance_section(
    section: Section, manifest: dict[str, Any], folder: Path, rows: list[tuple[str, Any]]
) -> None:
    """The manifest's provenance: scenario, seed, ``rows`` of the kind, command, time, versions."""
    m = manifest
    table: list[tuple[str, Any]] = [
        ("kind", m.get("kind")),
        ("scenario", m.get("scenario_name", "\u2013")),
        ("scenario file", m.get("scenario_file") or "\u2013"),
        ("seed", m.get("seed")),
        *rows,
        ("start", m.get("start", "\u2013")),
        ("horizon (days)", m.get("horizon_days", "\u2013")),
        ("command", m.get("command", "\u2013")),
        ("created", m.get("created", "\u2013")),
    ]
    table += [(f"version: {k}", v) for k, v in (m.get("versions") or {}).items()]
    section.table(
        pd.DataFrame([(k, str(v)) for k, v in table], columns=["field", "value"]),
        name="manifest",
    )
    section.text(f"<p>Folder: <code>{html.escape(str(folder))}</code></p>")


def pairwise(
    show: Callable[[float, float], str], left: Iterable[Any], right: Iterable[Any]
) -> list[str]:
    """``show(a, b)`` for each pair of values of two columns, as floats."""
    return [show(float(a), float(b)) for a, b in zip(left, right, strict=True)]
