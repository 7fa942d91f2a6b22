"""The sections of a comparison folder's report: two arms paired replicate by replicate.

Everything comes from the tables ``escalation compare`` stored (``outcomes``, ``transitions``,
``daily``, ``metrics``, ``changed``, read by :func:`simulator.plots.comparison.load_comparison`)
and from the arms' own run folders ``a/`` and ``b/`` (their outcome bars, escalation fans and the
scenario values that differ between them). No statistic is recomputed.
"""

from __future__ import annotations

import html
import json
import math
import shlex
from pathlib import Path
from typing import Any

import altair as alt
import pandas as pd

from simulator.plots.comparison import (
    A_COLOR,
    B_COLOR,
    OVERALL,
    PAIRED_COLOR,
    UNPAIRED_COLOR,
    ComparisonFolder,
    load_comparison,
    overall_rows,
    transition_matrix,
)
from simulator.report.page import Page, Section
from simulator.report.run import (
    WIDTH,
    fan_chart,
    outcome_bars,
    outcome_frame,
    pairwise,
    parameter_frame,
    provenance_section,
)
from simulator.results.layout import ARM_FOLDERS
from simulator.results.reader import RunResults, load_run

#: the changed replicates listed in the page at most (the table changed.parquet holds them all)
MAX_CHANGED_ROWS = 500
MINUS = "\u2212"
DASH = "\u2013"


def comparison_page(folder: Path) -> Page:
    """The report page of the comparison folder ``folder``.

    Raises ResultsError naming the file when a table of the comparison or of an arm is missing,
    damaged or lacks a column the page needs.
    """
    data = load_comparison(folder)
    arms = [load_run(Path(folder) / arm) for arm in ARM_FOLDERS]
    names = [str(data.arm(i).get("scenario_name") or "AB"[i]) for i in (0, 1)]
    page = Page(
        title=f"Comparison: \u201c{names[0]}\u201d and \u201c{names[1]}\u201d",
        subtitle=subtitle(data),
    )
    arms_section(page.section("Arms", "arms"), data, arms)
    outcome_section(page.section("Change in outcomes", "outcomes"), data)
    transition_section(page.section("Transitions", "transitions"), data)
    if len(data.daily):
        page.section("Day by day", "daily").chart(
            daily_chart(data),
            "Top: the share of replicates with a direct clash (or war) by each date in each "
            "arm. Bottom: the paired difference \u0394P = P(B) \u2212 P(A) in percentage points "
            "with its 95 % interval (Newcombe, common random numbers); daily.parquet.",
            "daily clash",
        )
    metric_section(page.section("Metrics", "metrics"), data)
    changed_section(page.section("Changed replicates", "changed"), data)
    arm_charts(page.section("Each arm", "each-arm"), data, arms)
    provenance_section(
        page.section("Manifest", "manifest"),
        data.manifest,
        data.path,
        [
            ("arm A", data.arm_label(0)),
            ("arm B", data.arm_label(1)),
            ("paired replicates", f"{data.replicates:,}"),
        ],
    )
    return page


def subtitle(data: ComparisonFolder) -> str:
    """'A: label → B: label · N paired replicates · seed S · from DATE, H days'."""
    m = data.manifest
    parts = [
        f"A: {data.arm_label(0)} \u2192 B: {data.arm_label(1)}",
        f"{data.replicates:,} paired replicates",
        f"seed {m.get('seed', '?')}",
        f"from {data.start:%d %b %Y}"
        + (f", {int(m['horizon_days'])} days" if m.get("horizon_days") else ""),
    ]
    return " \u00b7 ".join(parts)


def pp(value: float, digits: int = 2) -> str:
    """A difference of probabilities in signed percentage points: '+1.25', '−0.33', '0.00'."""
    if not math.isfinite(value):
        return DASH
    text = f"{100 * value:+.{digits}f}"
    return text.lstrip("+") if float(text) == 0 else text.replace("-", MINUS)


def pp_interval(low: float, high: float) -> str:
    """'−1.38 … +2.19' percentage points."""
    return f"{pp(low)} \u2026 {pp(high)}"


def p_value(value: float) -> str:
    """McNemar's p: '< 0.001', '0.041', '1'."""
    if not math.isfinite(value):
        return DASH
    return "< 0.001" if value < 0.001 else f"{value:.2g}"


def signed(value: float) -> str:
    """A signed difference of means with 3 significant digits and a true minus."""
    if not math.isfinite(value):
        return DASH
    return "0" if value == 0 else f"{value:+.3g}".replace("-", MINUS)


def signed_interval(low: float, high: float) -> str:
    """'−0.64 … +0.66'."""
    return f"{signed(low)} \u2026 {signed(high)}"


# -- arms -----------------------------------------------------------------------------------
def arms_section(section: Section, data: ComparisonFolder, arms: list[RunResults]) -> None:
    """The two arms, how they are paired, and the scenario values that differ between them."""
    rows = []
    for i, res in enumerate(arms):
        arm = data.arm(i)
        rows.append(
            (
                "AB"[i],
                data.arm_label(i),
                str(arm.get("scenario_name") or res.scenario_name),
                str(arm.get("scenario_file") or DASH),
                f"{len(res.runs):,}",
                f"{ARM_FOLDERS[i]}/",
            )
        )
    section.table(
        pd.DataFrame(
            rows, columns=["arm", "label", "scenario", "scenario file", "replicates", "folder"]
        ),
        name="arms",
    )
    trace = html.escape(f"escalation trace {shlex.quote(str(data.path / ARM_FOLDERS[0]))}")
    section.text(
        f"<p>Both arms ran the same {data.replicates:,} replicates with the same seed: "
        "replicate k of each faces the same random draws wherever their paths agree, so each "
        "difference below is paired replicate by replicate (common random numbers), which "
        "narrows its interval. Each arm is a complete run folder: "
        f"<code>{trace} --replicate K</code> replays one (and the same for b/).</p>"
    )
    differ = differing_values(arms[0], arms[1])
    if differ.empty:
        section.para("The arms' scenarios hold the same values, dated events aside.")
    else:
        section.table(
            differ,
            caption="The scenario values that differ between the arms (from each arm's "
            "manifest), dated events aside; \u2013: absent in that arm.",
            filter=len(differ) > 12,
            name="differences",
        )
    events = differing_events(arms[0], arms[1])
    if len(events):
        section.table(
            events,
            caption="The dated events of one arm's scenario that the other lacks.",
            name="event differences",
        )


def differing_values(a: RunResults, b: RunResults) -> pd.DataFrame:
    """Scenario parameters (dated events aside) whose values differ between the arms."""

    def values(res: RunResults) -> pd.Series:
        frame = parameter_frame(res.manifest)
        frame = frame[~frame["parameter"].str.startswith("events.")]
        return frame.set_index("parameter")["value"]

    left, right = values(a), values(b)
    keys = list(dict.fromkeys([*left.index, *right.index]))
    rows = []
    for key in keys:
        va, vb = left.get(key), right.get(key)
        if str(va) != str(vb):
            rows.append((key, DASH if va is None else str(va), DASH if vb is None else str(vb)))
    return pd.DataFrame(rows, columns=["parameter", "A", "B"])


def differing_events(a: RunResults, b: RunResults) -> pd.DataFrame:
    """The scenario events found in one arm only: arm, date, kind, actor and label."""

    def events(res: RunResults) -> list[dict[str, Any]]:
        listed = (res.manifest.get("scenario") or {}).get("events") or []
        return [e for e in listed if isinstance(e, dict)]

    def key(event: dict[str, Any]) -> str:
        return json.dumps(event, sort_keys=True, default=str)

    ea, eb = events(a), events(b)
    ka, kb = {key(e) for e in ea}, {key(e) for e in eb}
    rows = [
        (
            arm,
            str(e.get("date", DASH)),
            str(e.get("kind", DASH)),
            str(e.get("actor", DASH)),
            str(e.get("label", "")),
        )
        for arm, mine, theirs in (("A only", ea, kb), ("B only", eb, ka))
        for e in mine
        if key(e) not in theirs
    ]
    return pd.DataFrame(rows, columns=["arm", "date", "kind", "actor", "label"])


# -- outcomes -------------------------------------------------------------------------------
def outcome_rows(data: ComparisonFolder) -> pd.DataFrame:
    """The overall rows of outcomes.parquet, most severe first, with the outcomes' labels."""
    rows = overall_rows(data).copy()
    rows["label"] = [data.label(str(o)) for o in rows["outcome"]]
    return rows


def outcome_table(rows: pd.DataFrame) -> pd.DataFrame:
    """ΔP per outcome: both arms' shares, ΔP, paired and unpaired intervals, ratio, McNemar."""
    return pd.DataFrame(
        {
            "outcome": rows["label"],
            "P(A)": rows["p_a"].astype(float),
            "P(B)": rows["p_b"].astype(float),
            "\u0394P (pp)": [pp(float(v)) for v in rows["delta"]],
            "paired 95 %": pairwise(pp_interval, rows["low"], rows["high"]),
            "unpaired 95 %": pairwise(pp_interval, rows["unpaired_low"], rows["unpaired_high"]),
            "width ratio": rows.get("width_ratio", pd.Series(math.nan, index=rows.index)),
            "only A": rows["only_a"].astype(int),
            "only B": rows["only_b"].astype(int),
            "McNemar p": [p_value(float(v)) for v in rows["mcnemar_p"]],
        }
    )


def delta_chart(rows: pd.DataFrame, title: str) -> alt.LayerChart:
    """ΔP per row in percentage points: the paired interval thick over the unpaired one thin."""
    frame = pd.DataFrame(
        {
            "label": rows["label"].astype(str),
            "delta": 100 * rows["delta"].astype(float),
            "low": 100 * rows["low"].astype(float),
            "high": 100 * rows["high"].astype(float),
            "ulow": 100 * rows["unpaired_low"].astype(float),
            "uhigh": 100 * rows["unpaired_high"].astype(float),
            "p_a": rows["p_a"].astype(float),
            "p_b": rows["p_b"].astype(float),
            "only_a": rows["only_a"].astype(int),
            "only_b": rows["only_b"].astype(int),
            "p": rows["mcnemar_p"].astype(float),
        }
    )
    order = list(frame["label"])
    base = alt.Chart(frame).encode(y=alt.Y("label:N", sort=order, title=None))
    tooltip = [
        alt.Tooltip("label:N", title="outcome"),
        alt.Tooltip("p_a:Q", format=".1%", title="P(A)"),
        alt.Tooltip("p_b:Q", format=".1%", title="P(B)"),
        alt.Tooltip("delta:Q", format="+.2f", title="\u0394P (pp)"),
        alt.Tooltip("low:Q", format="+.2f", title="paired 95 % low"),
        alt.Tooltip("high:Q", format="+.2f", title="paired 95 % high"),
        alt.Tooltip("ulow:Q", format="+.2f", title="unpaired 95 % low"),
        alt.Tooltip("uhigh:Q", format="+.2f", title="unpaired 95 % high"),
        alt.Tooltip("only_a:Q", title="only under A"),
        alt.Tooltip("only_b:Q", title="only under B"),
        alt.Tooltip("p:Q", format=".2g", title="McNemar p"),
    ]
    zero = (
        alt.Chart(pd.DataFrame({"x": [0.0]}))
        .mark_rule(color="#444444")
        .encode(x=alt.X("x:Q", title="\u0394P = P(B) \u2212 P(A), percentage points"))
    )
    unpaired = base.mark_errorbar(color=UNPAIRED_COLOR, thickness=2, ticks=True).encode(
        x=alt.X("ulow:Q", title="\u0394P = P(B) \u2212 P(A), percentage points"), x2="uhigh:Q"
    )
    paired = base.mark_rule(color=PAIRED_COLOR, strokeWidth=9).encode(x="low:Q", x2="high:Q")
    point = base.mark_point(
        filled=True, fill="white", stroke="#111111", strokeWidth=1.5, size=60, opacity=1
    ).encode(x="delta:Q", tooltip=tooltip)
    return alt.LayerChart(layer=[zero, unpaired, paired, point]).properties(
        width=WIDTH - 200, height=34 * len(frame) + 10, title=title
    )


def outcome_section(section: Section, data: ComparisonFolder) -> None:
    """ΔP per outcome class (chart and table), and per pair of actors (table)."""
    rows = outcome_rows(data)
    section.chart(
        delta_chart(rows, "Change from A to B in each outcome"),
        "\u0394P = P(B) \u2212 P(A) in percentage points (circles), with the paired 95 % interval "
        "(thick; Newcombe 1998, common random numbers) over the unpaired one the same work "
        "would give without pairing (thin). Hover for McNemar's test and the discordant "
        "replicates.",
        "delta outcomes",
    )
    section.table(
        outcome_table(rows),
        caption=f"{data.replicates:,} paired replicates (outcomes.parquet). Width ratio: the "
        "paired interval's width over the unpaired one's; only A / only B: replicates in the "
        "class under one arm only (the discordant pairs McNemar's exact test counts).",
        formats={"P(A)": "{:.1%}", "P(B)": "{:.1%}", "width ratio": "{:.2f}"},
        name="outcomes",
    )
    pairs = data.outcomes[data.outcomes["scope"] != OVERALL]
    if len(pairs):
        labelled = pairs.assign(label=[data.label(str(o)) for o in pairs["outcome"]])
        table = outcome_table(labelled)
        table.insert(0, "pair", pairs["scope"].astype(str).to_numpy())
        section.table(
            table,
            caption="The same per pair of actors: the class each pair's own interactions "
            "reached (outcomes.parquet, scope \u2260 overall).",
            filter=True,
            sortable=True,
            formats={"P(A)": "{:.1%}", "P(B)": "{:.1%}", "width ratio": "{:.2f}"},
            name="pair outcomes",
        )


def transition_section(section: Section, data: ComparisonFolder) -> None:
    """Replicates by class under A (rows) and under B (columns), with totals."""
    classes, counts = transition_matrix(data)
    labels = [data.label(c) for c in classes]
    frame = pd.DataFrame(counts, columns=labels)
    frame.insert(0, "A \\ B", labels)
    frame["total A"] = counts.sum(axis=1)
    totals = ["total B", *[int(v) for v in counts.sum(axis=0)], int(counts.sum())]
    frame = pd.concat([frame, pd.DataFrame([totals], columns=frame.columns)], ignore_index=True)
    n = int(counts.sum())
    changed = n - int(counts.trace())
    section.para(
        f"{changed:,} of {n:,} replicates ({changed / n:.1%}) ended in another class under B "
        "than under A; the diagonal holds those that did not change."
        if n
        else "No replicates."
    )
    section.table(
        frame,
        caption="Replicates by outcome class under A (rows) and under B (columns) "
        "(transitions.parquet).",
        formats={c: "{:,}" for c in [*labels, "total A"]},
        name="transitions",
    )


def daily_chart(data: ComparisonFolder) -> alt.VConcatChart:
    """Cumulative P(direct clash) in each arm by date; below, ΔP with its paired 95 % band."""
    daily = data.daily
    dates = pd.to_datetime(data.start) + pd.to_timedelta(daily["day"].astype(int), unit="D")
    arms = [f"A: {data.arm_label(0)}", f"B: {data.arm_label(1)}"]
    both = pd.concat(
        [
            pd.DataFrame({"date": dates, "arm": arms[0], "p": daily["p_clash_a"].astype(float)}),
            pd.DataFrame({"date": dates, "arm": arms[1], "p": daily["p_clash_b"].astype(float)}),
        ],
        ignore_index=True,
    )
    top = (
        alt.Chart(both)
        .mark_line(interpolate="step-after")
        .encode(
            x=alt.X("date:T", title=None),
            # A wider beneath B: where the arms agree both stay visible
            strokeWidth=alt.StrokeWidth(
                "arm:N", scale=alt.Scale(domain=arms, range=[4.0, 1.8]), legend=None
            ),
            y=alt.Y("p:Q", title="P(a direct clash by then)", axis=alt.Axis(format="%")),
            color=alt.Color(
                "arm:N",
                title=None,
                scale=alt.Scale(domain=arms, range=[A_COLOR, B_COLOR]),
                legend=alt.Legend(orient="top-left", labelLimit=600),
            ),
            tooltip=[
                alt.Tooltip("date:T"),
                alt.Tooltip("arm:N"),
                alt.Tooltip("p:Q", format=".1%", title="P(clash)"),
            ],
        )
        .properties(width=WIDTH, height=220, title="Cumulative probability of a direct clash")
    )
    diff = pd.DataFrame(
        {
            "date": dates,
            "delta": 100 * daily["delta"].astype(float),
            "low": 100 * daily["low"].astype(float),
            "high": 100 * daily["high"].astype(float),
        }
    )
    base = alt.Chart(diff).encode(x=alt.X("date:T", title=None))
    band = base.mark_area(interpolate="step-after", color=UNPAIRED_COLOR, opacity=0.8).encode(
        y=alt.Y("low:Q", title="\u0394P, percentage points"), y2="high:Q"
    )
    line = base.mark_line(interpolate="step-after", color=PAIRED_COLOR, strokeWidth=1.8).encode(
        y="delta:Q",
        tooltip=[
            alt.Tooltip("date:T"),
            alt.Tooltip("delta:Q", format="+.2f", title="\u0394P (pp)"),
            alt.Tooltip("low:Q", format="+.2f", title="95 % low"),
            alt.Tooltip("high:Q", format="+.2f", title="95 % high"),
        ],
    )
    zero = alt.Chart(pd.DataFrame({"y": [0.0]})).mark_rule(color="#444444").encode(y="y:Q")
    bottom = alt.layer(band, zero, line).properties(
        width=WIDTH, height=170, title="Paired difference B \u2212 A with its 95 % interval"
    )
    chart: alt.VConcatChart = alt.vconcat(top, bottom).resolve_scale(color="independent")
    return chart


def metric_section(section: Section, data: ComparisonFolder) -> None:
    """Mean differences B − A of the metrics with paired and unpaired intervals."""
    m = data.metrics
    table = pd.DataFrame(
        {
            "metric": m["metric"].astype(str),
            "mean A": m["mean_a"].astype(float),
            "mean B": m["mean_b"].astype(float),
            "\u0394 (B \u2212 A)": [signed(float(v)) for v in m["delta"]],
            "paired 95 %": pairwise(signed_interval, m["low"], m["high"]),
            "unpaired 95 %": pairwise(signed_interval, m["unpaired_low"], m["unpaired_high"]),
        }
    )
    section.table(
        table,
        caption="Mean per replicate in each arm and the paired mean difference, with its 95 % "
        "interval and the unpaired one for the same work (metrics.parquet). First clash day: "
        "the horizon when there was none.",
        formats={"mean A": "{:.3g}", "mean B": "{:.3g}"},
        name="metrics",
    )


def changed_section(section: Section, data: ComparisonFolder) -> None:
    """The replicates whose class changed, with the commands that replay them."""
    changed = data.changed.sort_values("replicate", kind="stable")
    if changed.empty:
        section.para("No replicate changed class.")
        return
    shown = changed.head(MAX_CHANGED_ROWS)
    folder = shlex.quote(str(data.path))
    table = pd.DataFrame(
        {
            "replicate": shown["replicate"].astype(int),
            "under A": [data.label(str(o)) for o in shown["outcome_a"]],
            "under B": [data.label(str(o)) for o in shown["outcome_b"]],
            "replay": [
                f"escalation trace {folder}/b --replicate {int(k)}" for k in shown["replicate"]
            ],
        }
    )
    more = (
        f" The first {len(shown):,} of {len(changed):,} are listed; changed.parquet holds all."
        if len(changed) > len(shown)
        else ""
    )
    section.para(
        f"{len(changed):,} of {data.replicates:,} replicates changed class; the commands replay "
        f"each in arm B (and with a/ for arm A).{more}"
    )
    section.table(table, filter=True, sortable=True, name="changed")


# -- each arm -------------------------------------------------------------------------------
def arm_charts(section: Section, data: ComparisonFolder, arms: list[RunResults]) -> None:
    """Each arm's outcome bars side by side, then each arm's escalation fan."""
    half = (WIDTH - 160) // 2
    bars = [
        outcome_bars(
            outcome_frame(res.manifest, res.runs), f"{'AB'[i]}: {data.arm_label(i)}", width=half
        )
        for i, res in enumerate(arms)
    ]
    section.chart(
        alt.hconcat(*bars).resolve_scale(x="shared"),
        "Each arm's outcome probabilities with their 95 % Wilson intervals (from a/runs.parquet "
        "and b/runs.parquet).",
        "arm outcomes",
    )
    for i, res in enumerate(arms):
        section.text(f"<h3>Arm {'AB'[i]}: {html.escape(data.arm_label(i))}</h3>")
        section.chart(
            fan_chart(res),
            "Escalation index across replicates: 5\u201395 % and 25\u201375 % bands, median "
            "and mean; dashed rules: the arm's events and forced moves.",
            f"arm {'ab'[i]} fan",
        )
