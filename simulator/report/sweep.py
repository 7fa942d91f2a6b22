"""The sections of a sweep folder's report: outcomes along the parameters, indices, points.

A sweep's page shows its design, the outcome along each parameter, heat maps over pairs of
parameters, the Sobol or Morris indices, the analyses stored beside the sweep, the table of
points and the provenance.

Everything comes from the stored tables: ``points.parquet``, the tables ``escalation analyze``
wrote to ``analysis/`` (marginals with their Wilson intervals, Sobol or Morris indices) and, when
they were made, ``calibration/``, ``robustness/`` and ``discovery/``. Nothing is recomputed but
the pooling of the heat maps' cells, the same as ``escalation plot`` draws. A sweep not yet
analysed gets its design, heat maps and points, and a note saying what ``escalation analyze``
would add.
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final

import altair as alt
import numpy as np
import pandas as pd

from simulator.plots.sweep import CLASH_COLOR, pooled_cells
from simulator.report.page import Page, Section
from simulator.report.run import pairwise, provenance_section
from simulator.results.chunks import read_failures
from simulator.results.layout import ANALYSIS, CALIBRATION, DISCOVERY, POINTS, ROBUSTNESS
from simulator.results.manifest import CLASH_OR_WAR
from simulator.results.points import output_columns
from simulator.results.reader import SweepResults, load_sweep

#: heat maps drawn: the pairs among this many parameters (the most influential when indices exist)
HEATMAP_PARAMETERS = 3
#: the points table lists every point up to this many, else an even sample of them
MAX_POINT_ROWS = 2000
#: the indices' charts show at most this many outputs (the tables list them all)
INDEX_PANELS = 2
#: outputs preferred for the indices' charts, in order (those that vary over the design)
PANEL_OUTPUTS = ("p_clash_or_war", "p_war", "p_de_escalated", "mean_casualties")
PANEL_WIDTH = 380
S1_COLOR, ST_COLOR = "#9ecae1", "#2171b5"
MU_COLOR, SIGMA_COLOR = "#b2182b", "#f4a582"
HEAT_SCHEME: Final = "yelloworangered"
DASH = "\u2013"


def sweep_page(folder: Path) -> Page:
    """The report page of the sweep folder ``folder``.

    Raises ResultsError naming the file when the points or a stored analysis table is missing
    where it is needed, damaged, or belongs to another sweep.
    """
    folder = Path(folder)
    analysed = (folder / ANALYSIS / "marginals.parquet").exists()
    res = load_sweep(folder, analysis=analysed)
    m = res.manifest
    page = Page(title=f"Sweep of scenario \u201c{m['scenario_name']}\u201d", subtitle=res.caption())
    if not analysed:
        page.notes.append(
            f"Not analysed yet: `escalation analyze {folder}` adds the outcome along each "
            "parameter and the sensitivity indices to this report."
        )
    complete = res.complete_points()
    if len(complete) < len(res.points):
        page.notes.append(
            f"{len(res.points) - len(complete):,} of {len(res.points):,} design points are "
            f"incomplete (their units failed or did not run); `escalation sweep --resume "
            f"{folder}` finishes them. Charts use the complete points only."
        )
    summary_section(page.section("Summary", "summary"), res)
    if res.marginals is not None:
        marginal_section(page.section("Outcome along each parameter", "outcome-vs-parameter"), res)
    if len(res.parameters) >= 2 and len(complete):
        heatmap_section(page.section("Heat maps", "heatmaps"), res)
    indices_section(page, res)
    stored_analyses(page, folder)
    points_section(page.section("Design points", "points"), res)
    provenance_section(
        page.section("Manifest", "manifest"),
        m,
        folder,
        [
            ("design", res.design_label()),
            ("points", f"{int(m['points']):,}"),
            ("replicates per point", f"{res.replicates:,}"),
        ],
    )
    return page


# -- labels ---------------------------------------------------------------------------------
def headline(res: SweepResults) -> str:
    """The output the heat maps colour by: P(clash or war) when stored, else the first class's."""
    if f"p_{CLASH_OR_WAR}" in res.points.columns:
        return f"p_{CLASH_OR_WAR}"
    return f"p_{res.classes[0]}"


def _outcome_order(res: SweepResults, outcomes: list[str]) -> list[str]:
    """The outcomes present, most severe first, then "clash or war"."""
    return [o for o in [*res.classes, CLASH_OR_WAR] if o in outcomes]


def _outcome_colors(res: SweepResults) -> dict[str, str]:
    from simulator.plots.style import severity_colors

    return {**severity_colors(res.classes), CLASH_OR_WAR: CLASH_COLOR}


def _scenario(manifest: dict[str, Any]) -> str:
    """The scenario's name, with its file when it came from one."""
    name = str(manifest.get("scenario_name", DASH))
    source = manifest.get("scenario_file")
    return f"{name} ({source})" if source else name


def _fmt(value: Any) -> str:
    return f"{float(value):.4g}"


def _span(low: float, high: float) -> str:
    return f"{_fmt(low)} \u2013 {_fmt(high)}"


# -- summary --------------------------------------------------------------------------------
def summary_section(section: Section, res: SweepResults) -> None:
    """The question, the design, its parameters, failures and the outputs' range over the points."""
    m = res.manifest
    if m.get("description"):
        section.para(str(m["description"]))
    complete = res.complete_points()
    failures = read_failures(res.path)
    rows = [
        ("scenario", _scenario(m)),
        ("design", res.design_label()),
        ("parameters", f"{len(res.parameters)}"),
        ("design points", f"{int(m['points']):,} ({len(complete):,} complete)"),
        ("replicates per point", f"{res.replicates:,}"),
        ("replicates in all", f"{int(res.points['replicates'].sum()):,}"),
        ("failed work units", f"{len(failures):,}" if failures else "none"),
        ("seed", m.get("seed")),
        ("start, horizon", f"{m.get('start') or DASH}, {m['horizon_days']} days"),
    ]
    section.table(pd.DataFrame(rows, columns=["", "value"]), name="design")
    section.table(
        parameter_frame(res),
        caption="The swept parameters, as the design gives them (bounds for sampled designs, "
        "levels for grids).",
        name="parameters",
    )
    if failures:
        errors = pd.DataFrame(
            [
                (
                    r.get("unit"),
                    ", ".join(str(p) for p in r.get("points", [])[:12])
                    + (" …" if len(r.get("points", [])) > 12 else ""),
                    str(r.get("error", "")),
                )
                for r in failures
            ],
            columns=["unit", "design points", "error"],
        )
        section.table(
            errors,
            caption=f"Failed work units (records with tracebacks in {res.path / 'failures'}/); "
            f"`escalation sweep --resume {res.path}` runs them again.",
            name="failures",
        )
    if len(complete):
        section.table(
            output_range_frame(res, complete),
            caption="Each output over the complete design points: its lowest value (and at "
            "which point), the median, and its highest.",
            name="output range",
        )


def parameter_frame(res: SweepResults) -> pd.DataFrame:
    """One row per swept parameter: its bounds or levels and how many values the points take."""
    rows = []
    for spec in res.manifest["design"]["parameters"]:
        path = str(spec["path"])
        values = spec.get("values")
        if values:
            swept = ", ".join(_fmt(v) for v in values)
        else:
            swept = _span(spec["low"], spec["high"])
            if spec.get("count"):
                swept += f" ({int(spec['count'])} levels)"
        distinct = int(res.points[path].nunique())
        rows.append((path, swept, "yes" if spec.get("integer") else "no", distinct))
    return pd.DataFrame(rows, columns=["parameter", "swept over", "integer", "distinct values"])


def output_range_frame(res: SweepResults, complete: pd.DataFrame) -> pd.DataFrame:
    """Lowest (with its point), median and highest of every output over the complete points."""
    rows = []
    for column, label in output_columns(res.manifest).items():
        if column not in complete.columns:
            continue
        values = complete[column].to_numpy(dtype=float)
        if not np.isfinite(values).any():
            continue
        low, high = int(np.nanargmin(values)), int(np.nanargmax(values))
        percent = column.startswith("p_")

        def show(v: float, percent: bool = percent) -> str:
            return f"{v:.1%}" if percent else f"{v:.3g}"

        rows.append(
            (
                label,
                show(values[low]),
                int(complete["point"].iloc[low]),
                show(float(np.nanmedian(values))),
                show(values[high]),
                int(complete["point"].iloc[high]),
            )
        )
    return pd.DataFrame(
        rows, columns=["output", "lowest", "at point", "median", "highest", "at point "]
    )


# -- outcome along each parameter -----------------------------------------------------------
def marginal_frame(res: SweepResults) -> pd.DataFrame:
    """The stored marginals with the outcomes' labels (no dotted field names for Vega-Lite)."""
    marginals = res.marginals
    if marginals is None:
        return pd.DataFrame()
    frame = marginals[
        ["parameter", "grouping", "value", "bin_low", "bin_high", "points", "outcome"]
        + ["k", "n", "p", "low", "high"]
    ].copy()
    frame["label"] = [res.outcome_label(str(o)) for o in frame["outcome"]]
    frame["range"] = [
        _fmt(v) if g == "level" else f"{_fmt(a)} \u2013 {_fmt(b)}"
        for g, v, a, b in zip(
            frame["grouping"], frame["value"], frame["bin_low"], frame["bin_high"], strict=True
        )
    ]
    return frame.drop(columns=["bin_low", "bin_high"])


def outcome_vs_chart(res: SweepResults) -> alt.FacetChart:
    """Small multiples: each outcome's probability along each parameter, with 95 % bands.

    Click an outcome in the legend to pick it out.
    """
    frame = marginal_frame(res)
    outcomes = _outcome_order(res, [str(o) for o in frame["outcome"].unique()])
    colors = _outcome_colors(res)
    labels = [res.outcome_label(o) for o in outcomes]
    dashes = [[6, 3] if o == CLASH_OR_WAR else [1, 0] for o in outcomes]
    pick = alt.selection_point(fields=["label"], bind="legend")
    color = alt.Color(
        "label:N",
        title="outcome (click to pick)",
        sort=labels,
        legend=alt.Legend(symbolType="stroke", symbolStrokeWidth=2.5, symbolOpacity=1),
        scale=alt.Scale(domain=labels, range=[colors[o] for o in outcomes]),
    )
    base = alt.Chart().encode(
        x=alt.X("value:Q", title=None, scale=alt.Scale(zero=False, nice=False)), color=color
    )
    band = base.mark_area(clip=True).encode(
        y="low:Q",
        y2="high:Q",
        opacity=alt.condition(pick, alt.value(0.13), alt.value(0.02)),
    )
    line = (
        base.mark_line(point=True, strokeWidth=1.8, clip=True)
        .encode(
            y=alt.Y("p:Q", title="share of replicates", axis=alt.Axis(format="%")),
            strokeDash=alt.StrokeDash(
                "label:N", sort=labels, scale=alt.Scale(domain=labels, range=dashes)
            ),
            opacity=alt.condition(pick, alt.value(1.0), alt.value(0.12)),
            tooltip=[
                alt.Tooltip("parameter:N"),
                alt.Tooltip("range:N", title="value (bin)"),
                alt.Tooltip("label:N", title="outcome"),
                alt.Tooltip("p:Q", format=".1%", title="probability"),
                alt.Tooltip("low:Q", format=".1%", title="95 % low"),
                alt.Tooltip("high:Q", format=".1%", title="95 % high"),
                alt.Tooltip("points:Q", title="design points pooled"),
                alt.Tooltip("n:Q", format=",", title="replicates pooled"),
            ],
        )
        .add_params(pick)
    )
    chart: alt.FacetChart = (
        alt.layer(band, line, data=frame)
        .properties(width=PANEL_WIDTH, height=230)
        .facet(
            facet=alt.Facet(
                "parameter:N", sort=res.parameters, title=None, header=alt.Header(labelFontSize=13)
            ),
            columns=2,
        )
        .resolve_scale(x="independent")
        .properties(title="How the crisis ends along each parameter")
    )
    return chart


def marginal_section(section: Section, res: SweepResults) -> None:
    """Outcome probabilities along each parameter (chart and table), from analysis/marginals."""
    marginals = res.marginals
    if marginals is None:
        return
    binned = sorted(set(marginals.loc[marginals["grouping"] == "bin", "parameter"]))
    how = (
        "Parameters sampled at many values are cut into equal-count bins (markers at the bin "
        f"means: {', '.join(binned)}); the others are grouped by value. "
        if binned
        else "Each marker is one value of the parameter. "
    )
    section.chart(
        outcome_vs_chart(res),
        "Share of replicates ending in each outcome class (and in a direct clash or war, "
        "dashed) along each parameter, pooling the replicates of every design point at that "
        f"value (or bin) over the other parameters; bands: 95 % Wilson intervals. {how}Every "
        "point reuses the same replicate seeds, so pooled replicates are not independent: "
        "read the bands as indicative. Click a legend entry to pick out one outcome.",
        "outcome vs parameter",
    )
    wide = marginal_table(res)
    section.table(
        wide,
        caption="The same numbers (analysis/marginals.parquet): probability and 95 % interval "
        "of each outcome per value or bin; n: replicates pooled.",
        filter=True,
        sortable=True,
        name="marginals",
    )


def marginal_table(res: SweepResults) -> pd.DataFrame:
    """One row per parameter value (or bin): each outcome's share with its interval."""
    frame = marginal_frame(res)
    outcomes = _outcome_order(res, [str(o) for o in frame["outcome"].unique()])
    rows = []
    for (parameter, _), group in frame.groupby(["parameter", "value"], sort=False):
        first = group.iloc[0]
        row: dict[str, Any] = {"parameter": parameter, "value": first["range"]}
        for outcome in outcomes:
            hit = group[group["outcome"] == outcome]
            if hit.empty:
                row[res.outcome_label(outcome)] = "\u2013"
                continue
            r = hit.iloc[0]
            row[res.outcome_label(outcome)] = interval_text(r["p"], r["low"], r["high"])
        row["n"] = int(first["n"])
        rows.append(row)
    order = {p: i for i, p in enumerate(res.parameters)}
    table = pd.DataFrame(rows)
    return table.sort_values("parameter", key=lambda s: s.map(order), kind="stable")


def interval_text(p: float, low: float, high: float) -> str:
    """'26.2% (21.7–31.3)': a probability and its interval in percent, kept on one line."""
    return f"{p:.1%}\u00a0({100 * low:.1f}\u2060\u2013\u2060{100 * high:.1f})"


# -- heat maps ------------------------------------------------------------------------------
def ranked_parameters(res: SweepResults) -> list[str]:
    """The parameters, most influential first by the stored indices of the headline output."""
    column = headline(res)
    for table, key in ((res.sobol, "ST"), (res.morris, "mu_star")):
        if table is None or not len(table):
            continue
        rows = table[table["output"] == column]
        if rows.empty or not rows[key].notna().any():
            continue
        weight = dict(zip(rows["parameter"], rows[key].fillna(-math.inf), strict=True))
        return sorted(res.parameters, key=lambda p: -weight.get(p, -math.inf))
    return list(res.parameters)


def heatmap_pairs(res: SweepResults) -> list[tuple[str, str]]:
    """The pairs of parameters to draw: all pairs among the first few ranked parameters."""
    return list(itertools.combinations(ranked_parameters(res)[:HEATMAP_PARAMETERS], 2))


def _by_level(res: SweepResults, parameter: str) -> bool:
    """Whether the analysis grouped the parameter by value (a grid, or few distinct values)."""
    if res.marginals is not None:
        rows = res.marginals[res.marginals["parameter"] == parameter]
        if len(rows):
            return bool((rows["grouping"] == "level").all())
    return res.kind == "grid"


def _heat_color(label: str) -> alt.Color:
    """The heat maps' colour: the headline probability from 0 to 1."""
    return alt.Color(
        "p:Q",
        title=label,
        scale=alt.Scale(scheme=HEAT_SCHEME, domain=[0, 1]),
        legend=alt.Legend(format="%"),
    )


def heatmap_chart(res: SweepResults, px: str, py: str) -> alt.LayerChart | alt.Chart:
    """The headline output over two parameters: pooled cells for levels, else the points."""
    column = headline(res)
    label = res.output_label(column)
    points = res.complete_points()
    if _by_level(res, px) and _by_level(res, py):
        if column != f"p_{CLASH_OR_WAR}":  # pooled_cells pools the clash-or-war column
            points = points.assign(**{f"p_{CLASH_OR_WAR}": points[column]})
        table = pooled_cells(points, [px, py])
        frame = pd.DataFrame(
            {
                "x": table[px].astype(float),
                "y": table[py].astype(float),
                "p": table["p"].astype(float),
                "k": table["k"].astype(int),
                "n": table["n"].astype(int),
            }
        )
        frame["xs"] = [_fmt(v) for v in frame["x"]]
        frame["ys"] = [_fmt(v) for v in frame["y"]]
        xs = [_fmt(v) for v in sorted(frame["x"].unique())]
        ys = [_fmt(v) for v in sorted(frame["y"].unique(), reverse=True)]
        base = alt.Chart(frame).encode(
            x=alt.X("xs:O", sort=xs, title=px, axis=alt.Axis(labelAngle=0)),
            y=alt.Y("ys:O", sort=ys, title=py),
        )
        cells = base.mark_rect(stroke="white", strokeWidth=1).encode(
            color=_heat_color(label),
            tooltip=[
                alt.Tooltip("xs:N", title=px),
                alt.Tooltip("ys:N", title=py),
                alt.Tooltip("p:Q", format=".1%", title=label),
                alt.Tooltip("n:Q", format=",", title="replicates pooled"),
            ],
        )
        layers: list[Any] = [cells]
        if len(frame) <= 300:
            layers.append(
                base.mark_text(fontSize=11 if len(frame) <= 80 else 9).encode(
                    text=alt.Text("p:Q", format=".0%"),
                    color=alt.condition(
                        alt.datum.p > 0.55, alt.value("white"), alt.value("#222222")
                    ),
                )
            )
        cell = max(22, min(60, 640 // max(len(xs), 1)))
        cells_chart = alt.LayerChart(layer=layers).properties(
            width=cell * len(xs),
            height=max(22, min(44, 420 // max(len(ys), 1))) * len(ys),
            title=f"{label}: {py} against {px}",
        )
        return cells_chart
    frame = pd.DataFrame(
        {
            "point": points["point"].astype(int),
            "x": points[px].astype(float),
            "y": points[py].astype(float),
            "p": points[column].astype(float),
        }
    )
    chart: alt.LayerChart | alt.Chart = (
        alt.Chart(frame)
        .mark_circle(
            size=70 if len(frame) <= 200 else 30, opacity=0.9, stroke="#555555", strokeWidth=0.4
        )
        .encode(
            x=alt.X("x:Q", title=px, scale=alt.Scale(zero=False)),
            y=alt.Y("y:Q", title=py, scale=alt.Scale(zero=False)),
            color=_heat_color(label),
            tooltip=[
                alt.Tooltip("point:Q"),
                alt.Tooltip("x:Q", title=px, format=".4g"),
                alt.Tooltip("y:Q", title=py, format=".4g"),
                alt.Tooltip("p:Q", format=".1%", title=label),
            ],
        )
        .properties(width=460, height=340, title=f"{label}: {py} against {px}")
    )
    return chart


def heatmap_section(section: Section, res: SweepResults) -> None:
    """The headline output over the first few pairs of parameters."""
    pairs = heatmap_pairs(res)
    label = res.output_label(headline(res))
    chosen = (
        "the most influential parameters by the stored sensitivity indices"
        if ranked_parameters(res) != list(res.parameters)
        else "the first parameters of the design"
    )
    if len(res.parameters) > HEATMAP_PARAMETERS:
        section.para(
            f"{label} over each pair among {chosen} ({len(pairs)} of "
            f"{math.comb(len(res.parameters), 2)} pairs)."
        )
    for px, py in pairs:
        others = [p for p in res.parameters if p not in (px, py)]
        if _by_level(res, px) and _by_level(res, py):
            how = "Each cell pools the replicates of every design point at that pair of values" + (
                f", over {', '.join(others)}." if others else "."
            )
        else:
            verb = "varies" if len(others) == 1 else "vary"
            how = "Each marker is one design point" + (
                f"; {', '.join(others)} {verb} between points." if others else "."
            )
        section.chart(heatmap_chart(res, px, py), f"{how} Hover for the numbers.", "heatmap")


# -- sensitivity indices --------------------------------------------------------------------
def index_panels(table: pd.DataFrame, key: str) -> list[str]:
    """The outputs the indices' chart shows: the preferred ones that vary, at most a few."""
    varies = [
        str(o)
        for o in dict.fromkeys(table["output"])
        if table.loc[table["output"] == o, key].notna().any()
    ]
    preferred = [o for o in PANEL_OUTPUTS if o in varies]
    return (preferred + [o for o in varies if o not in preferred])[:INDEX_PANELS]


def index_bars(
    frame: pd.DataFrame,
    order: list[str],
    statistics: dict[str, tuple[str, str]],
    axis: str,
    fmt: str,
    extra: list[alt.Tooltip],
) -> alt.LayerChart:
    """Grouped horizontal bars of index statistics per parameter, with interval rules.

    ``frame`` has output, parameter, statistic, value, low and high (NaN: no interval);
    ``statistics`` maps each statistic to its colour and legend label.
    """
    names = list(statistics)
    labels = " : ".join(
        f"datum.label == {json.dumps(n)} ? {json.dumps(statistics[n][1])}" for n in names[:-1]
    )
    base = alt.Chart().encode(
        y=alt.Y("parameter:N", sort=order, title=None),
        yOffset=alt.YOffset("statistic:N", sort=names),
    )
    bars = base.mark_bar().encode(
        x=alt.X("value:Q", title=axis),
        color=alt.Color(
            "statistic:N",
            title=None,
            scale=alt.Scale(domain=names, range=[statistics[n][0] for n in names]),
            legend=alt.Legend(labelExpr=f"{labels} : {json.dumps(statistics[names[-1]][1])}"),
        ),
        tooltip=[
            alt.Tooltip("output:N"),
            alt.Tooltip("parameter:N"),
            alt.Tooltip("statistic:N"),
            alt.Tooltip("value:Q", format=fmt),
            alt.Tooltip("low:Q", format=fmt, title="95 % low"),
            alt.Tooltip("high:Q", format=fmt, title="95 % high"),
            *extra,
        ],
    )
    rules = base.mark_rule(color="#222222").encode(x="low:Q", x2="high:Q")
    return alt.LayerChart(layer=[bars, rules], data=frame).properties(
        width=PANEL_WIDTH, height=max(120, 48 * len(order))
    )


def sobol_chart(res: SweepResults, sobol: pd.DataFrame) -> alt.FacetChart:
    """S1 and ST bars with their 95 % bootstrap intervals, one panel per output."""
    outputs = index_panels(sobol, "ST")
    titles = {o: sobol_title(res, sobol, o) for o in outputs}
    rows = []
    for r in sobol[sobol["output"].isin(outputs)].to_dict("records"):
        for name in ("S1", "ST"):
            value, conf = float(r[name]), float(r[f"{name}_conf"])
            rows.append(
                {
                    "output": titles[str(r["output"])],
                    "parameter": str(r["parameter"]),
                    "statistic": name,
                    "value": value,
                    "low": value - conf,
                    "high": value + conf,
                    "noise": float(r.get("noise_share", math.nan)),
                }
            )
    first = sobol[sobol["output"] == outputs[0]] if outputs else sobol
    bars = index_bars(
        pd.DataFrame(rows),
        list(first.sort_values("ST", ascending=False)["parameter"]),
        {"S1": (S1_COLOR, "S1: alone"), "ST": (ST_COLOR, "ST: with interactions")},
        "share of the output's variance",
        ".3f",
        [alt.Tooltip("noise:Q", format=".1%", title="Monte Carlo noise share")],
    )
    chart: alt.FacetChart = bars.facet(
        column=alt.Column("output:N", title=None, sort=[titles[o] for o in outputs])
    ).properties(title="Sobol sensitivity indices")
    return chart


def sobol_title(res: SweepResults, sobol: pd.DataFrame, output: str) -> str:
    """An output's panel title: its label and the noise share of its variance, when known."""
    rows = sobol[sobol["output"] == output]
    noise = float(rows["noise_share"].iloc[0]) if "noise_share" in rows and len(rows) else math.nan
    label = res.output_label(output)
    return f"{label} (noise \u2264 {noise:.0%} of its variance)" if math.isfinite(noise) else label


def _scale(output: str) -> float:
    """Morris effects of a probability in percentage points; others in their own units."""
    return 100.0 if output.startswith("p_") else 1.0


def morris_chart(res: SweepResults, morris: pd.DataFrame) -> alt.FacetChart:
    """μ* (with its 95 % interval) and σ bars per parameter, one panel per output."""
    outputs = index_panels(morris, "mu_star")
    rows = []
    for r in morris[morris["output"].isin(outputs)].to_dict("records"):
        scale = _scale(str(r["output"]))
        unit = "percentage points" if scale == 100.0 else "output units"
        mu_star, conf = scale * float(r["mu_star"]), scale * float(r["mu_star_conf"])
        for name, value, low, high in (
            ("\u03bc*", mu_star, mu_star - conf, mu_star + conf),
            ("\u03c3", scale * float(r["sigma"]), math.nan, math.nan),  # σ: no interval
        ):
            rows.append(
                {
                    "output": f"{res.output_label(str(r['output']))} ({unit})",
                    "parameter": str(r["parameter"]),
                    "statistic": name,
                    "value": value,
                    "low": low,
                    "high": high,
                    "mu": scale * float(r["mu"]),
                }
            )
    first = morris[morris["output"] == outputs[0]] if outputs else morris
    bars = index_bars(
        pd.DataFrame(rows),
        list(first.sort_values("mu_star", ascending=False)["parameter"]),
        {
            "\u03bc*": (MU_COLOR, "\u03bc*: importance"),
            "\u03c3": (SIGMA_COLOR, "\u03c3: interactions, non-linearity"),
        },
        "effect over the parameter's full range",
        ".3g",
        [alt.Tooltip("mu:Q", format="+.3g", title="\u03bc (signed mean effect)")],
    )
    chart: alt.FacetChart = (
        bars.facet(column=alt.Column("output:N", title=None))
        .resolve_scale(x="independent")
        .properties(title="Morris screening")
    )
    return chart


def _index_text(value: float, conf: float) -> str:
    if not math.isfinite(value):
        return "\u2013"
    return f"{value:+.3f}" + (f" \u00b1 {conf:.3f}" if math.isfinite(conf) else "")


def sobol_table(res: SweepResults, sobol: pd.DataFrame) -> pd.DataFrame:
    """The stored Sobol indices, readable: output, parameter, S1 ± and ST ± their half-widths."""
    return pd.DataFrame(
        {
            "output": [res.output_label(str(o)) for o in sobol["output"]],
            "parameter": sobol["parameter"].astype(str),
            "S1 \u00b1 95 %": pairwise(_index_text, sobol["S1"], sobol["S1_conf"]),
            "ST \u00b1 95 %": pairwise(_index_text, sobol["ST"], sobol["ST_conf"]),
            "ST": sobol["ST"].astype(float),
            "noise share": sobol.get("noise_share", pd.Series(np.nan, index=sobol.index)),
        }
    )


def morris_table(res: SweepResults, morris: pd.DataFrame) -> pd.DataFrame:
    """The stored Morris statistics, probabilities in percentage points."""
    scale = np.array([_scale(str(o)) for o in morris["output"]])
    return pd.DataFrame(
        {
            "output": [res.output_label(str(o)) for o in morris["output"]],
            "parameter": morris["parameter"].astype(str),
            "\u03bc*": scale * morris["mu_star"].to_numpy(dtype=float),
            "\u00b1 95 %": scale * morris["mu_star_conf"].to_numpy(dtype=float),
            "\u03bc": scale * morris["mu"].to_numpy(dtype=float),
            "\u03c3": scale * morris["sigma"].to_numpy(dtype=float),
        }
    )


def indices_section(page: Page, res: SweepResults) -> None:
    """Sobol or Morris indices (chart and table) when the analysis stored them."""
    sobol, s2, morris = res.sobol, res.sobol_s2, res.morris
    if sobol is not None and len(sobol):
        section = page.section("Sobol indices", "sobol")
        if not index_panels(sobol, "ST"):
            section.para("Every output is constant over the design: no variance to apportion.")
        else:
            section.chart(
                sobol_chart(res, sobol),
                "S1: share of an output's variance due to the parameter alone; ST: with all "
                "its interactions; black rules: 95 % bootstrap intervals "
                "(analysis/sobol.parquet). Monte Carlo noise from the finite replicates per "
                "point inflates ST and widens the intervals; its share of the variance is in "
                "the panel's title, the tooltip and the table.",
                "sobol",
            )
        section.table(
            sobol_table(res, sobol),
            caption="Every output's indices; noise share: at most this share of the output's "
            "variance across points is binomial noise (large: add replicates).",
            filter=True,
            sortable=True,
            formats={"ST": "{:.3f}", "noise share": _percent},
            name="sobol",
        )
        if s2 is not None and len(s2):
            section.table(
                pd.DataFrame(
                    {
                        "output": [res.output_label(str(o)) for o in s2["output"]],
                        "parameters": [
                            f"{a} \u00d7 {b}"
                            for a, b in zip(s2["parameter_1"], s2["parameter_2"], strict=True)
                        ],
                        "S2 \u00b1 95 %": pairwise(_index_text, s2["S2"], s2["S2_conf"]),
                    }
                ),
                caption="Second-order indices: the share of variance due to each pair's "
                "interaction alone.",
                filter=True,
                name="sobol s2",
            )
    if morris is not None and len(morris):
        section = page.section("Morris screening", "morris")
        if not index_panels(morris, "mu_star"):
            section.para("No output has a Morris statistic (all constant over the design).")
        else:
            section.chart(
                morris_chart(res, morris),
                "Elementary effects per full range of each parameter "
                "(analysis/morris.parquet): \u03bc*, the mean absolute effect (importance), "
                "with its 95 % bootstrap interval; \u03c3, their spread (interactions or "
                "non-linearity). Probabilities in percentage points.",
                "morris",
            )
        section.table(
            morris_table(res, morris),
            caption="Every output's statistics (probabilities in percentage points); \u03bc: the "
            "signed mean effect.",
            filter=True,
            sortable=True,
            formats={k: "{:.3g}" for k in ("\u03bc*", "\u00b1 95 %", "\u03bc", "\u03c3")},
            name="morris",
        )


def _percent(value: Any) -> str:
    v = float(value)
    return f"{v:.1%}" if math.isfinite(v) else "\u2013"


# -- analyses stored beside the sweep -------------------------------------------------------
def stored_analyses(page: Page, folder: Path) -> None:
    """Short tables of calibration/, robustness/ and discovery/ when they exist."""
    makers: tuple[tuple[str, str, str, Callable[[Section, Path], None]], ...] = (
        (CALIBRATION, "Calibration", "calibration", calibration_tables),
        (ROBUSTNESS, "Robustness of the levers", "robustness", robustness_tables),
        (DISCOVERY, "Scenario discovery", "discovery", discovery_tables),
    )
    for sub, title, anchor, make in makers:
        if (folder / sub).is_dir():
            make(page.section(title, anchor), folder)


def calibration_tables(section: Section, folder: Path) -> None:
    """The posterior (median, 90 % interval, width), the statistics, the regimes."""
    from simulator.plots.calibration import load_calibration

    data = load_calibration(folder)
    post = data.posterior
    frame = pd.DataFrame(
        {
            "parameter": post["parameter"].astype(str),
            "prior": pairwise(_span, post["prior_low"], post["prior_high"]),
            "median": post["median"].astype(float),
            "90 % interval": pairwise(_span, post["q05"], post["q95"]),
        }
    )
    if "width_share" in post.columns:
        frame["width"] = post["width_share"].astype(float)
    accepted = data.accepted()
    section.para(
        f"ABC rejection accepted {len(accepted):,} of {len(data.points):,} design points "
        f"(calibration/). Width: the 90 % interval's share of the prior range (near 100 %: "
        "the record does not constrain the parameter)."
    )
    section.table(
        frame,
        caption="Posterior of the calibrated parameters (calibration/posterior.parquet).",
        formats={"median": "{:.4g}", "width": _percent},
        name="posterior",
    )
    stats = []
    for s in data.statistics.to_dict("records"):
        name = str(s["statistic"])
        stats.append(
            (
                name,
                float(s["observed"]),
                float(s["scale"]),
                float(data.points[name].mean()),
                float(accepted[name].mean()) if len(accepted) else math.nan,
            )
        )
    section.table(
        pd.DataFrame(
            stats, columns=["statistic", "record", "\u00b1 scale", "prior mean", "posterior mean"]
        ),
        caption="Summary statistics: what the record shows and the model's means.",
        name="statistics",
    )
    if data.regimes is not None and len(data.regimes):
        section.table(
            data.regimes[["regime", "share"]],
            caption="Replicates of the posterior in each regime.",
            formats={"share": _percent},
            name="regimes",
        )


def robustness_tables(section: Section, folder: Path) -> None:
    """Lever settings ranked by their worst regret (robustness/summary.parquet)."""
    from simulator.plots.robustness import load_robustness

    data = load_robustness(folder)
    better = "higher" if data.higher_is_better else "lower"
    summary = data.summary.sort_values("max_regret", kind="stable")
    columns = [*data.levers, "mean", "worst", "mean_regret", "max_regret", "best_share"]
    section.para(
        f"Levers: {', '.join(data.levers)}; uncertainties: "
        f"{', '.join(data.uncertainties())}. For each lever setting, across the uncertainty "
        f"points: {data.outcome_line()}'s mean and worst case ({better} is better), the regret "
        "against the best setting at the same point (mean and maximum), and how often it was "
        "the best."
    )
    section.table(
        summary[columns].rename(columns={"best_share": "best at"}),
        caption="Ranked by the worst regret (robustness/summary.parquet).",
        sortable=True,
        formats={k: _percent for k in ("mean", "worst", "mean_regret", "max_regret", "best at")},
        name="robustness",
    )


def discovery_tables(section: Section, folder: Path) -> None:
    """PRIM's chosen box, its peeling trajectory, CART's leaves and the feature scores."""
    from simulator.plots.discovery import load_discovery

    data = load_discovery(folder)
    coverage, density, n = data.box_stats()
    section.para(
        f"Points of interest: {int(data.interest().sum()):,} of {len(data.points()):,} complete "
        f"design points have {data.outcome_line()}. PRIM's chosen box holds {n:,} points: "
        f"coverage {coverage:.0%} (share of the points of interest inside it), density "
        f"{density:.0%} (share of its points that are of interest)."
    )
    section.table(
        data.box[["parameter", "low", "high", "restricted", "quasi_p"]],
        caption="The box's limits; quasi-p: how likely a restriction's gain in density is by "
        "chance (discovery/box.parquet).",
        formats={"low": "{:.4g}", "high": "{:.4g}", "quasi_p": _pvalue},
        name="prim box",
    )
    section.table(
        data.trajectory,
        caption="PRIM's peeling trajectory (discovery/trajectory.parquet).",
        formats={"coverage": _percent, "density": _percent, "mass": _percent},
        name="trajectory",
    )
    cart = data.cart.sort_values("density", ascending=False, kind="stable")
    section.table(
        cart,
        caption="CART's leaves, densest first (discovery/cart.parquet).",
        formats={"coverage": _percent, "density": _percent, "mass": _percent},
        name="cart",
    )
    section.table(
        data.features.sort_values("importance", ascending=False, kind="stable"),
        caption="Feature scores: extra-trees importances (discovery/features.parquet).",
        formats={"importance": "{:.3f}"},
        name="features",
    )


def _pvalue(value: Any) -> str:
    v = float(value)
    if not math.isfinite(v):
        return "\u2013"
    return "< 0.001" if v < 0.001 else f"{v:.2g}"


# -- points ---------------------------------------------------------------------------------
def point_columns(res: SweepResults) -> list[str]:
    """The points table's columns shown: design, parameters, counts, outcomes and metrics."""
    outputs = [c for c in output_columns(res.manifest) if c in res.points.columns]
    counts = ["replicates", "complete"] if not res.points["complete"].all() else []
    return ["point", *res.parameters, *counts, *outputs]


def points_section(section: Section, res: SweepResults) -> None:
    """The table of points with a filter box and sortable columns (sampled when very long)."""
    points = res.points
    shown = points
    if len(points) > MAX_POINT_ROWS:
        pick = np.unique(np.linspace(0, len(points) - 1, MAX_POINT_ROWS).round().astype(int))
        shown = points.iloc[pick]
        section.para(
            f"{len(shown):,} of {len(points):,} design points shown, evenly spaced by point "
            f"number; the full table is {res.path / POINTS}."
        )
    columns = point_columns(res)
    formats: dict[str, Any] = {c: _percent for c in columns if c.startswith("p_")}
    formats.update({c: "{:.4g}" for c in res.parameters})
    formats.update({c: "{:.3g}" for c in columns if c.startswith("mean_")})
    labels = output_columns(res.manifest)
    section.table(
        shown[columns],
        caption="One row per design point (points.parquet): "
        + "; ".join(f"{c}: {labels[c]}" for c in columns if c in labels)
        + ". Filter by text, or by a column's value: p_clash_or_war>0.2 (shares as fractions).",
        filter=True,
        sortable=True,
        formats=formats,
        name="points",
    )


# -- provenance -----------------------------------------------------------------------------
