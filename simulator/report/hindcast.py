"""The sections of a hindcast folder's report, and the scores of any folder held to the record.

A hindcast's page says what was forecast (origins, leads, replicates kept), draws the forecasts
from each origin against the record, and, when ``scores/`` exists, the skill, coverage,
reliability and calibration (PIT) of those forecasts. :func:`add_score_sections` adds the last
part to any page, so a scored run folder gets its "Held to the record" section too.

Everything comes from the stored tables (``ensembles.parquet`` and the tables ``escalation
score`` wrote, read through :func:`simulator.plots.scores.load_scored`); the only things
computed here are the quantiles of each origin's stored ensemble, the Wilson intervals of the
reliability bins and the PIT histogram's counts, as ``escalation plot`` computes them.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from typing import Any

import altair as alt
import numpy as np
import pandas as pd
from scipy.stats import binom

from simulator.plots.scores import (
    CLIM_COLOR,
    COLD_COLOR,
    ENSEMBLE_COLUMNS,
    EVENT_TITLES,
    HAPPENED_COLOR,
    MIN_PIT_BAND,
    MODEL_COLOR,
    MODEL_LIGHT,
    MODEL_MID,
    NOT_HAPPENED_Y,
    PART_LABELS,
    PERS_COLOR,
    PIT_BINS,
    RECORD_COLOR,
    SCORE_LABELS,
    SKILL_RANGE,
    ScoredFolder,
    ensemble_stats,
    k_note,
    load_scored,
    score_order,
    score_parts,
)
from simulator.report.page import Page, Section
from simulator.report.run import WIDTH, provenance_section
from simulator.results.layout import ENSEMBLES, SCORES
from simulator.results.manifest import read_manifest
from simulator.results.tables import read_table
from simulator.scoring.forecasts import CLIMATOLOGY, COLD_START, MODEL, PERSISTENCE
from simulator.stats import wilson_interval

DASH = "\u2013"
FORECASTER_LABELS = {
    MODEL: "model (spun up)",
    COLD_START: "model, cold start",
    CLIMATOLOGY: "climatology",
    PERSISTENCE: "persistence",
}
SPUN_UP, COLD = "spun_up", "cold"
#: the series of the forecast-vs-record chart, with their colours
ATTACK_SERIES = {
    "model: 90 % interval": MODEL_LIGHT,
    "model: 50 % interval": MODEL_MID,
    "model: mean": MODEL_COLOR,
    "cold start: mean": COLD_COLOR,
    "climatology: mean": CLIM_COLOR,
    "record (bars: its range)": RECORD_COLOR,
}


def hindcast_page(folder: Path) -> Page:
    """The report page of the hindcast folder ``folder``.

    Raises ResultsError naming the file when ``ensembles.parquet`` or a table of ``scores/``
    is missing a column, damaged or unreadable.
    """
    folder = Path(folder)
    scored = (folder / SCORES).is_dir()
    data = load_scored(folder) if scored else None
    manifest = data.manifest if data is not None else read_manifest(folder, "hindcast")
    ensembles = (
        data.ensembles
        if data is not None and data.ensembles is not None
        else _read_ensembles(folder)
    )
    page = Page(
        title=f"Hindcast of scenario \u201c{manifest.get('scenario_name', '?')}\u201d",
        subtitle=hindcast_subtitle(manifest),
    )
    page.notes.extend(str(n) for n in manifest.get("notes") or [])
    if data is None:
        page.notes.append(
            f"Not scored: `escalation score {folder} --history FILE` adds the record, the "
            "skill, coverage and reliability of these forecasts to this report."
        )
    forecast_section(page.section("What was forecast", "forecast"), manifest, ensembles)
    chart_section = page.section("Forecasts and the record", "forecasts")
    if ensembles.empty:
        chart_section.para("No origin was forecast (every lead reaches past the record).")
    else:
        chart_section.chart(
            attacks_chart(ensembles, data),
            "Militia attacks in the window from each origin, one panel per lead: the model's "
            "90 % and 50 % intervals and mean over the replicates kept (spun up from the "
            "record), the mean from a cold start at the origin"
            + (
                ", climatology's mean, and the record (diamonds) with its low\u2013high range."
                if data is not None
                else "."
            )
            + " Hover for the numbers.",
            "hindcast attacks",
        )
    if data is not None and len(data.windows):
        chart_section.chart(
            probability_chart(data),
            "The forecast probability of state-on-state violence and of any death of "
            f"{data.focus} in each window, by origin: model, cold start and climatology. "
            "Squares: what the record shows (at 100 %: it happened; just below 0 %: it did not).",
            "hindcast probabilities",
        )
    if data is not None:
        score_sections(page, data)
    provenance_section(
        page.section("Manifest", "manifest"),
        manifest,
        folder,
        [
            ("replicates per origin", f"{int(manifest.get('replicates', 0)):,}"),
            ("origins", f"{len(manifest.get('origins') or [])}"),
            ("leads (days)", ", ".join(str(v) for v in manifest.get("leads") or [])),
            ("record", _history_name(manifest)),
            ("calibration part to", manifest.get("train_until") or DASH),
        ],
    )
    return page


def _read_ensembles(folder: Path) -> pd.DataFrame:
    ens = read_table(folder / ENSEMBLES, required=ENSEMBLE_COLUMNS)
    ens["origin"] = [dt.date.fromisoformat(str(v)[:10]) for v in ens["origin"]]
    return ens


def _history_name(manifest: dict[str, Any]) -> str:
    history = manifest.get("history")
    if isinstance(history, dict) and history.get("history"):
        file = history.get("history_file")
        return str(history["history"]) + (f" ({file})" if file else "")
    return DASH


def hindcast_subtitle(manifest: dict[str, Any]) -> str:
    """Scenario, replicates, seed, origins, leads and the record."""
    origins = [str(o) for o in manifest.get("origins") or []]
    leads = ", ".join(str(v) for v in manifest.get("leads") or [])
    parts = [
        f"{int(manifest.get('replicates', 0)):,} replicates per origin",
        f"seed {manifest.get('seed', '?')}",
    ]
    if origins:
        parts.append(f"{len(origins)} origins {origins[0]} \u2013 {origins[-1]}")
    if leads:
        parts.append(f"leads {leads} days")
    history = _history_name(manifest)
    if history != DASH:
        parts.append(f"record {history}")
    return " \u00b7 ".join(parts)


# -- what was forecast ----------------------------------------------------------------------
def origin_frame(manifest: dict[str, Any], ensembles: pd.DataFrame) -> pd.DataFrame:
    """Per origin: days of spin-up, the leads forecast and the replicates kept at each lead."""
    total = int(manifest.get("replicates", 0))
    spun = ensembles[ensembles["start"].astype(str) == SPUN_UP]
    rows = []
    for origin, group in spun.groupby("origin", sort=True):
        kept = group.groupby("lead", sort=True)["kept"].sum()
        rows.append(
            {
                "origin": str(origin),
                "spin-up (days)": int(group["spin_up_days"].iloc[0])
                if "spin_up_days" in group
                else DASH,
                "leads (days)": ", ".join(str(int(v)) for v in kept.index),
                "replicates kept": _kept_text(kept, total),
            }
        )
    return pd.DataFrame(rows)


def _kept_text(kept: pd.Series, total: int) -> str:
    """'97 of 100' when every lead kept as many, else '30 d: 97 of 100; 60 d: 95 of 100'."""

    def one(k: Any) -> str:
        return f"{int(k):,} of {total:,}" if total else f"{int(k):,}"

    if kept.nunique() <= 1:
        return one(kept.iloc[0]) if len(kept) else DASH
    return "; ".join(f"{int(lead)} d: {one(k)}" for lead, k in zip(kept.index, kept, strict=True))


def forecast_section(section: Section, manifest: dict[str, Any], ensembles: pd.DataFrame) -> None:
    """The hindcast's design: origins, leads, replicates, the record, what each origin kept."""
    if manifest.get("description"):
        section.para(str(manifest["description"]))
    origins = [str(o) for o in manifest.get("origins") or []]
    rows = [
        ("scenario", manifest.get("scenario_name")),
        ("scenario file", manifest.get("scenario_file") or DASH),
        ("posterior", manifest.get("posterior") or DASH),
        ("origins", f"{len(origins)}: {origins[0]} \u2013 {origins[-1]}" if origins else DASH),
        ("leads (days)", ", ".join(str(v) for v in manifest.get("leads") or [])),
        ("replicates per origin", f"{int(manifest.get('replicates', 0)):,}"),
        ("record", _history_name(manifest)),
        ("calibration part to", manifest.get("train_until") or DASH),
    ]
    section.table(pd.DataFrame(rows, columns=["", "value"]), name="hindcast")
    section.para(
        "From each origin the scenario ran from its start with the record's dated events "
        "before the origin applied and none after (the spin-up), then on for the longest lead. "
        "Replicates whose spin-up already holds state-on-state violence the record does not "
        "are left out of the forecast; the same forecast from a cold start at the origin "
        "shows how much the hand-set initial values weigh."
    )
    section.table(
        origin_frame(manifest, ensembles),
        caption="Per origin: the days of spin-up before it, the leads forecast and the "
        "spun-up replicates kept at each lead (ensembles.parquet).",
        filter=True,
        name="origins",
    )


# -- forecasts against the record -----------------------------------------------------------
def attack_frame(ensembles: pd.DataFrame, data: ScoredFolder | None) -> pd.DataFrame:
    """Per lead and origin: the militia attacks forecast and, when scored, recorded.

    The model's quantiles and mean over the kept spun-up replicates, the cold start's mean and,
    when scored, climatology's mean and the record's best estimate and range.
    """
    starts = ensembles["start"].astype(str).to_numpy()
    spun = ensemble_stats(ensembles[(starts == SPUN_UP) & ensembles["kept"].to_numpy(dtype=bool)])
    cold = ensemble_stats(ensembles[starts == COLD])
    record: dict[tuple[int, dt.date], dict[Any, Any]] = {}
    clim: dict[tuple[int, dt.date], float] = {}
    if data is not None:
        for r in data.record_windows().to_dict("records"):
            record[(int(r["lead"]), r["origin"])] = r
        w = data.windows[data.windows["forecaster"] == CLIMATOLOGY]
        for r in w.to_dict("records"):
            clim[(int(r["lead"]), r["origin"])] = float(r["mean_attacks"])
    rows = []
    for key in sorted(set(spun) | set(cold) | set(record)):
        lead, origin = key
        q, mean, kept = spun.get(key, (np.full(4, np.nan), math.nan, 0))
        rec = record.get(key, {})
        obs = float(rec.get("obs_militia_attacks", math.nan))
        rows.append(
            {
                "lead": f"{lead}-day windows",
                "days": lead,
                "origin": pd.Timestamp(origin),
                "q05": float(q[0]),
                "q25": float(q[1]),
                "q75": float(q[2]),
                "q95": float(q[3]),
                "mean": mean,
                "kept": kept,
                "cold": cold[key][1] if key in cold else math.nan,
                "climatology": clim.get(key, math.nan),
                "record": obs,
                "record_low": float(rec.get("obs_militia_attacks_low", obs)),
                "record_high": float(rec.get("obs_militia_attacks_high", obs)),
                "part": PART_LABELS.get(str(rec.get("part", "")), str(rec.get("part", DASH))),
            }
        )
    return pd.DataFrame(rows)


def attack_series(frame: pd.DataFrame) -> pd.DataFrame:
    """:func:`attack_frame` in long form, one row per series (for one shared legend).

    Each row has ``y`` (a value) or ``lo`` and ``hi`` (an interval), and keeps every number of
    its window for the tooltip.
    """
    parts = []
    for name, y, lo, hi in (
        ("model: 90 % interval", None, "q05", "q95"),
        ("model: 50 % interval", None, "q25", "q75"),
        ("model: mean", "mean", None, None),
        ("cold start: mean", "cold", None, None),
        ("climatology: mean", "climatology", None, None),
        ("record (bars: its range)", "record", "record_low", "record_high"),
    ):
        part = frame.copy()
        part["series"] = name
        part["y"] = frame[y] if y else math.nan
        part["lo"] = frame[lo] if lo else math.nan
        part["hi"] = frame[hi] if hi else math.nan
        parts.append(part)
    return pd.concat(parts, ignore_index=True)


def attacks_chart(ensembles: pd.DataFrame, data: ScoredFolder | None) -> alt.FacetChart:
    """Per lead: the model's intervals and mean by origin, the cold start, climatology, record."""
    wide = attack_frame(ensembles, data)
    leads = list(dict.fromkeys(wide.sort_values("days")["lead"]))
    names = list(ATTACK_SERIES)
    if data is None:  # no record, no climatology
        names = [n for n in names if not n.startswith(("record", "climatology"))]
    frame = attack_series(wide)
    frame = frame[frame["series"].isin(names)]
    tooltip = [
        alt.Tooltip("origin:T", title="origin"),
        alt.Tooltip("lead:N", title="window"),
        alt.Tooltip("part:N"),
        alt.Tooltip("kept:Q", format=",", title="replicates kept"),
        alt.Tooltip("q05:Q", format=".1f", title="model 5 %"),
        alt.Tooltip("q25:Q", format=".1f", title="model 25 %"),
        alt.Tooltip("mean:Q", format=".2f", title="model mean"),
        alt.Tooltip("q75:Q", format=".1f", title="model 75 %"),
        alt.Tooltip("q95:Q", format=".1f", title="model 95 %"),
        alt.Tooltip("cold:Q", format=".2f", title="cold start mean"),
    ]
    if data is not None:
        tooltip += [
            alt.Tooltip("climatology:Q", format=".2f", title="climatology mean"),
            alt.Tooltip("record:Q", format=".1f", title="record"),
            alt.Tooltip("record_low:Q", format=".1f", title="record low"),
            alt.Tooltip("record_high:Q", format=".1f", title="record high"),
        ]
    base = alt.Chart().encode(
        x=alt.X(
            "origin:T",
            title="forecast origin (first day of the window)",
            axis=alt.Axis(format="%b %Y"),
        ),
        color=alt.Color(
            "series:N",
            title=None,
            sort=names,
            scale=alt.Scale(domain=names, range=[ATTACK_SERIES[n] for n in names]),
        ),
        tooltip=tooltip,
    )

    def only(name: str) -> alt.Chart:
        return base.transform_filter(alt.datum.series == name)

    y = alt.Y("y:Q", title="militia attacks in the window")
    layers: list[Any] = [
        only("model: 90 % interval")
        .mark_rule(strokeWidth=10)
        .encode(y=alt.Y("lo:Q", title="militia attacks in the window"), y2="hi:Q"),
        only("model: 50 % interval").mark_rule(strokeWidth=10).encode(y="lo:Q", y2="hi:Q"),
        only("model: mean").mark_line(point=True).encode(y=y),
        only("cold start: mean").mark_line(strokeDash=[5, 3]).encode(y=y),
    ]
    if data is not None:
        record = only("record (bars: its range)")
        layers += [
            only("climatology: mean").mark_line(strokeDash=[2, 2], strokeWidth=1.8).encode(y=y),
            record.mark_rule(strokeWidth=1.2, xOffset=5).encode(y="lo:Q", y2="hi:Q"),
            record.mark_point(shape="diamond", filled=True, size=55, opacity=1, xOffset=5).encode(
                y=y
            ),
        ]
    chart: alt.FacetChart = (
        alt.layer(*layers, data=frame)
        .properties(width=WIDTH, height=200)
        .facet(
            row=alt.Row(
                "lead:N",
                sort=leads,
                title=None,
                header=alt.Header(
                    labelAngle=0,
                    labelAlign="left",
                    labelAnchor="start",
                    labelFontSize=13,
                    labelFontWeight="bold",
                    labelOrient="top",
                ),
            )
        )
        .resolve_scale(y="independent")
        .properties(title="Militia attacks: the model's forecasts from each origin and the record")
    )
    return chart


def probability_frame(data: ScoredFolder) -> pd.DataFrame:
    """Long table of the forecast probabilities by forecaster, and the record's outcome."""
    events = (
        ("state_violence", "P(state-on-state violence)", "obs_state_violence"),
        ("deaths_any", f"P(any {data.focus} death)", "obs_deaths"),
    )
    w = data.windows
    record = data.record_windows()
    rows = []
    for event, title, obs in events:
        for name in (MODEL, COLD_START, CLIMATOLOGY):
            for r in w[w["forecaster"] == name].to_dict("records"):
                rows.append(
                    (
                        title,
                        f"{int(r['lead'])}-day windows",
                        int(r["lead"]),
                        r["origin"],
                        FORECASTER_LABELS[name],
                        float(r[f"p_{event}"]),
                        "forecast",
                    )
                )
        for r in record.to_dict("records"):
            happened = float(r[obs]) > 0
            rows.append(
                (
                    title,
                    f"{int(r['lead'])}-day windows",
                    int(r["lead"]),
                    r["origin"],
                    "record: it happened" if happened else "record: it did not",
                    # "it did not" just below 0 %, so forecasts near 0 stay visible
                    1.0 if happened else NOT_HAPPENED_Y,
                    "record",
                )
            )
    frame = pd.DataFrame(rows, columns=["event", "lead", "days", "origin", "series", "p", "kind"])
    frame["origin"] = pd.to_datetime(frame["origin"])
    return frame


def probability_chart(data: ScoredFolder) -> alt.FacetChart:
    """Forecast probabilities by origin (rows: events; columns: leads) and the record."""
    frame = probability_frame(data)
    leads = list(dict.fromkeys(frame.sort_values("days")["lead"]))
    series = [FORECASTER_LABELS[n] for n in (MODEL, COLD_START, CLIMATOLOGY)]
    marks = ["record: it happened", "record: it did not"]
    color = alt.Color(
        "series:N",
        title=None,
        scale=alt.Scale(
            domain=[*series, *marks],
            range=[MODEL_COLOR, COLD_COLOR, CLIM_COLOR, HAPPENED_COLOR, RECORD_COLOR],
        ),
    )
    base = alt.Chart().encode(
        x=alt.X("origin:T", title="forecast origin", axis=alt.Axis(format="%b %Y")),
        y=alt.Y(
            "p:Q",
            title="probability in the window",
            axis=alt.Axis(format="%", values=[0, 0.2, 0.4, 0.6, 0.8, 1.0]),
            scale=alt.Scale(domain=[NOT_HAPPENED_Y - 0.03, 1.03], nice=False),
        ),
        color=color,
    )
    lines = (
        base.transform_filter(alt.datum.kind == "forecast")
        .mark_line(point=True)
        .encode(
            tooltip=[
                alt.Tooltip("origin:T"),
                alt.Tooltip("lead:N", title="window"),
                alt.Tooltip("series:N"),
                alt.Tooltip("p:Q", format=".1%", title="probability"),
            ]
        )
    )
    squares = (
        base.transform_filter(alt.datum.kind == "record")
        .mark_square(size=45, opacity=1)
        .encode(tooltip=[alt.Tooltip("origin:T"), alt.Tooltip("series:N", title="record")])
    )
    chart: alt.FacetChart = (
        alt.layer(lines, squares, data=frame)
        .properties(width=(WIDTH - 120) // max(len(leads), 1), height=170)
        .facet(
            row=alt.Row(
                "event:N",
                sort=list(dict.fromkeys(frame["event"])),
                title=None,
                header=alt.Header(
                    labelAngle=0,
                    labelAlign="left",
                    labelAnchor="start",
                    labelOrient="top",
                    labelFontWeight="bold",
                    labelFontSize=12,
                ),
            ),
            column=alt.Column("lead:N", sort=leads, title=None),
        )
        .properties(title="Probabilities from each origin, and what the record shows")
    )
    return chart


# -- held to the record ---------------------------------------------------------------------
def add_score_sections(page: Page, folder: Path) -> None:
    """Append "Held to the record" to ``page`` when ``folder`` (a run or hindcast) has scores/.

    Shows the skill against climatology and persistence (chart and table), the coverage of the
    intervals, the reliability of the probabilities, the PIT histogram, the model's windows
    against the record and the response lags (and, for hindcasts, the start-up transient).
    Does nothing when the folder was not scored; raises ResultsError naming a damaged table.
    """
    folder = Path(folder)
    if (folder / SCORES).is_dir():
        score_sections(page, load_scored(folder))


def score_sections(page: Page, data: ScoredFolder) -> None:
    """The "Held to the record" section of a scored folder's tables (see add_score_sections)."""
    folder = data.path
    section = page.section("Held to the record", "scores")
    history = data.history
    name = history.get("history") or "the record"
    span = ""
    if history.get("history_start") and history.get("history_end"):
        span = f" ({history['history_start']} \u2013 {history['history_end']})"
    section.para(
        f"The forecasts scored against the record \u201c{name}\u201d{span} (scores/, written by "
        "escalation score). Every score is lower-is-better; skill = 1 \u2212 model score / "
        "reference score, above 0 when the model beats the reference."
    )
    if data.skill.empty:
        section.para("No window in which the model, climatology and persistence all forecast.")
    else:
        section.text("<h3>Skill</h3>")
        section.chart(
            skill_chart(data),
            "Skill of the model against climatology and against persistence for every score, "
            "per part of the record and window length; bars clipped to [\u22122, 1] (the true "
            "value is written where clipped, and in the tooltip).",
            "skill",
        )
        section.table(
            skill_table(data),
            caption="Mean score of each forecaster over the windows where all of them forecast "
            "(scores/skill.parquet); cold: the model started cold at each origin.",
            filter=True,
            sortable=True,
            formats={k: "{:.3g}" for k in ("model", "cold start", "climatology", "persistence")}
            | {
                k: _skill for k in ("skill vs climatology", "skill vs persistence", "cold vs clim.")
            },
            name="skill",
        )
    if len(data.coverage):
        section.text("<h3>Coverage of the intervals</h3>")
        section.table(
            coverage_table(data),
            caption="Share of windows in which the record falls inside each forecaster's 50 % "
            "and 90 % intervals (a calibrated forecast: about 50 % and 90 %; "
            "scores/coverage.parquet).",
            formats={
                k: _percent
                for k in ("attacks in 50 %", "attacks in 90 %", "deaths in 50 %", "deaths in 90 %")
            },
            name="coverage",
        )
    if len(data.reliability):
        section.text("<h3>Reliability</h3>")
        section.chart(
            reliability_chart(data),
            "Forecast probability against the observed frequency in the record, per bin of "
            "forecasts (circle size: windows in the bin), with the observed share's 95 % Wilson "
            "interval; dashed: perfectly reliable. Hover for the numbers "
            "(scores/reliability.parquet).",
            "reliability",
        )
    model = data.model_windows()
    if np.isfinite(model["pit_attacks"].to_numpy(dtype=float)).any():
        section.text("<h3>Calibration of the attack forecasts</h3>")
        section.chart(
            pit_chart(data),
            "Where the record's militia attacks fall within the model's forecast (PIT; "
            "randomised for counts): flat when calibrated; piled at 1, the forecasts were too "
            "low; at both ends, the intervals too narrow. Grey band: the 90 % range of a bin's "
            "height if the forecasts were calibrated.",
            "pit",
        )
    if len(model):
        section.text("<h3>Each window</h3>")
        section.table(
            window_table(data),
            caption="The model's forecast of each window against the record "
            "(scores/windows.parquet, model rows).",
            filter=True,
            sortable=True,
            formats={
                "model mean": "{:.2f}",
                "P(state violence)": _percent,
                f"P(any {data.focus} death)": _percent,
            },
            name="windows",
        )
    for name, title, caption, extra in STORED_TABLES:
        stored = read_optional(folder, name)
        if stored is not None and len(stored):
            section.text(f"<h3>{title}</h3>")
            section.table(stored, caption=caption, name=name, **extra)


def read_optional(folder: Path, name: str) -> pd.DataFrame | None:
    """A table of scores/ the page shows as stored, when it exists (checked like the others)."""
    path = Path(folder) / SCORES / f"{name}.parquet"
    return read_table(path) if path.is_file() else None


def _percent(value: Any) -> str:
    v = float(value)
    return f"{v:.1%}" if math.isfinite(v) else DASH


def _skill(value: Any) -> str:
    v = float(value)
    if not math.isfinite(v):
        return DASH
    return f"{v:+.2f}".replace("-", "\u2212")


#: tables of scores/ shown as stored: name, heading, caption, table options
STORED_TABLES: tuple[tuple[str, str, str, dict[str, Any]], ...] = (
    (
        "lags",
        "Response lags",
        "For each lethal attack in the record: how many days its victim took to answer, and how "
        "the model's victims answered such attacks (share answered, mean lag, CRPS and PIT of "
        "the observed lag; scores/lags.parquet).",
        {"formats": {"answered": _percent, "log": lambda v: f"{float(v) + 0.0:.3g}"}},
    ),
    (
        "transient",
        "Start-up transient",
        "Per origin and lead: the share of spun-up replicates kept, and the forecast from the "
        "spun-up world against a cold start at the origin (mean attacks, P(state violence)); "
        "large differences: hand-set initial values dominate (scores/transient.parquet).",
        {"formats": {"kept": _percent}, "filter": True},
    ),
)


def _score_label(data: ScoredFolder, score: str) -> str:
    return SCORE_LABELS.get(score, score).format(focus=data.focus)


def skill_table(data: ScoredFolder) -> pd.DataFrame:
    """The skill table with readable labels, in the house order of scores and parts."""
    skill = data.skill
    order = {s: i for i, s in enumerate(score_order(skill))}
    parts = {p: i for i, p in enumerate(score_parts(skill))}
    rows = skill.assign(
        _part=skill["part"].map(parts), _score=skill["score"].map(order)
    ).sort_values(["_part", "lead", "_score"], kind="stable")

    def column(name: str) -> pd.Series:
        return rows[name] if name in rows else pd.Series(math.nan, index=rows.index)

    return pd.DataFrame(
        {
            "part": [PART_LABELS.get(str(p), str(p)) for p in rows["part"]],
            "window (days)": rows["lead"].astype(int),
            "score": [_score_label(data, str(s)) for s in rows["score"]],
            "windows": rows["windows"].astype(int),
            "model": column("model"),
            "cold start": column("model_cold"),
            "climatology": column("climatology"),
            "persistence": column("persistence"),
            "skill vs climatology": rows["skill_vs_climatology"],
            "skill vs persistence": rows["skill_vs_persistence"],
            "cold vs clim.": column("skill_cold_vs_climatology"),
        }
    )


def skill_chart(data: ScoredFolder) -> alt.FacetChart:
    """Skill vs climatology and vs persistence per score; panels: part (rows) × lead (columns)."""
    skill = data.skill
    scores = [_score_label(data, s) for s in score_order(skill)]
    lo, hi = SKILL_RANGE
    rows = []
    for r in skill.to_dict("records"):
        for ref, name in ((CLIMATOLOGY, "vs climatology"), (PERSISTENCE, "vs persistence")):
            value = float(r[f"skill_vs_{ref}"])
            finite = math.isfinite(value)
            rows.append(
                {
                    "part": PART_LABELS.get(str(r["part"]), str(r["part"])),
                    "lead": f"{int(r['lead'])}-day windows",
                    "days": int(r["lead"]),
                    "score": _score_label(data, str(r["score"])),
                    "reference": name,
                    "skill": value if finite else None,
                    "shown": min(max(value, lo), hi) if finite else 0.0,
                    "clipped": _clipped(value, lo, hi),
                    "windows": int(r["windows"]),
                }
            )
    frame = pd.DataFrame(rows)
    leads = list(dict.fromkeys(frame.sort_values("days")["lead"]))
    parts = [PART_LABELS.get(p, p) for p in score_parts(skill)]
    refs = ["vs climatology", "vs persistence"]
    base = alt.Chart().encode(
        y=alt.Y("score:N", sort=scores, title=None),
        yOffset=alt.YOffset("reference:N", sort=refs),
    )
    bars = base.mark_bar().encode(
        x=alt.X(
            "shown:Q",
            title="skill: 1 \u2212 model / reference",
            scale=alt.Scale(domain=[lo - 0.05, hi + 0.05], clamp=True, nice=False),
        ),
        color=alt.Color(
            "reference:N", title=None, scale=alt.Scale(domain=refs, range=[CLIM_COLOR, PERS_COLOR])
        ),
        tooltip=[
            alt.Tooltip("part:N"),
            alt.Tooltip("lead:N", title="window"),
            alt.Tooltip("score:N"),
            alt.Tooltip("reference:N"),
            alt.Tooltip("skill:Q", format="+.3f"),
            alt.Tooltip("windows:Q"),
        ],
    )
    clipped = (
        base.transform_filter((alt.datum.clipped != "") & (alt.datum.clipped != "n/a"))
        .mark_text(fontSize=9, fontWeight="bold", color="white", dx=3, align="left")
        .encode(x="shown:Q", text="clipped:N")
    )
    missing = (
        base.transform_filter(alt.datum.clipped == "n/a")
        .mark_text(fontSize=9, color="#777777", dx=3, align="left")
        .encode(x="shown:Q", text="clipped:N")
    )
    zero = alt.Chart().mark_rule(color="#333333").encode(x=alt.datum(0))
    width = max(200, (WIDTH - 200) // max(len(leads), 1))
    chart: alt.FacetChart = (
        alt.layer(bars, clipped, missing, zero, data=frame)
        .properties(width=width, height=alt.Step(9))
        .facet(
            row=alt.Row("part:N", sort=parts, title=None),
            column=alt.Column("lead:N", sort=leads, title=None),
        )
        .properties(title="Skill of the model against climatology and persistence")
    )
    return chart


def _clipped(value: float, lo: float, hi: float) -> str:
    """What a skill bar says of itself: its true value where clipped, n/a where undefined."""
    if not math.isfinite(value):
        return "n/a"
    if lo <= value <= hi:
        return ""
    return (f"{value:,.0f}" if abs(value) >= 10 else f"{value:.1f}").replace("-", "\u2212")


def coverage_table(data: ScoredFolder) -> pd.DataFrame:
    """Per part, lead and forecaster: the record inside the 50 % / 90 % intervals."""
    c = data.coverage
    order = {n: i for i, n in enumerate(FORECASTER_LABELS)}
    c = c.assign(_f=c["forecaster"].map(lambda f: order.get(str(f), len(order)))).sort_values(
        ["part", "lead", "_f"], kind="stable"
    )

    def column(name: str) -> pd.Series:
        return c[name] if name in c else pd.Series(math.nan, index=c.index)

    return pd.DataFrame(
        {
            "part": [PART_LABELS.get(str(p), str(p)) for p in c["part"]],
            "window (days)": c["lead"].astype(int),
            "forecaster": [FORECASTER_LABELS.get(str(f), str(f)) for f in c["forecaster"]],
            "attacks in 50 %": column("in50_attacks"),
            "attacks in 90 %": column("in90_attacks"),
            "deaths in 50 %": column("in50_deaths"),
            "deaths in 90 %": column("in90_deaths"),
            "windows": column("windows"),
        }
    )


def reliability_chart(data: ScoredFolder) -> alt.FacetChart:
    """Forecast vs observed frequency per bin, one panel per binary event."""
    rel = data.reliability
    titles = {e: t.format(focus=data.focus) for e, t in EVENT_TITLES.items()}
    model = data.model_windows()
    if len(model):
        titles["attacks_at_least"] += f" ({k_note(model)})"
    rows = []
    for r in rel.to_dict("records"):
        n = int(r["windows"])
        observed = float(r["observed"])
        low, high = wilson_interval(round(observed * n), n)
        rows.append(
            {
                "event": titles.get(str(r["event"]), str(r["event"])),
                "kind": "bin",
                "forecast": float(r["forecast"]),
                "observed": observed,
                "low": low,
                "high": high,
                "windows": n,
                "bin": f"{float(r['bin_low']):.0%} \u2013 {float(r['bin_high']):.0%}",
            }
        )
    for title in titles.values():
        for v in (0.0, 1.0):
            rows.append({"event": title, "kind": "diagonal", "forecast": v, "observed": v})
    frame = pd.DataFrame(rows)
    x = alt.X(
        "forecast:Q",
        title="forecast probability",
        axis=alt.Axis(format="%"),
        scale=alt.Scale(domain=[0, 1]),
    )
    y = alt.Y(
        "observed:Q",
        title="observed frequency",
        axis=alt.Axis(format="%"),
        scale=alt.Scale(domain=[0, 1]),
    )
    diagonal = (
        alt.Chart()
        .transform_filter(alt.datum.kind == "diagonal")
        .mark_line(color="#999999", strokeDash=[4, 3])
        .encode(x=x, y=y)
    )
    bins = alt.Chart().transform_filter(alt.datum.kind == "bin")
    intervals = bins.mark_rule(color="#555555").encode(x=x, y="low:Q", y2="high:Q")
    points = bins.mark_circle(color=MODEL_COLOR, opacity=0.9).encode(
        x=x,
        y=y,
        size=alt.Size("windows:Q", title="windows", scale=alt.Scale(range=[40, 400], zero=False)),
        tooltip=[
            alt.Tooltip("event:N"),
            alt.Tooltip("bin:N", title="forecast bin"),
            alt.Tooltip("forecast:Q", format=".1%", title="mean forecast"),
            alt.Tooltip("observed:Q", format=".1%", title="observed"),
            alt.Tooltip("low:Q", format=".1%", title="95 % low"),
            alt.Tooltip("high:Q", format=".1%", title="95 % high"),
            alt.Tooltip("windows:Q"),
        ],
    )
    chart: alt.FacetChart = (
        alt.layer(diagonal, intervals, points, data=frame)
        .properties(width=220, height=220)
        .facet(column=alt.Column("event:N", title=None, sort=list(titles.values())))
        .properties(title="Reliability of the forecast probabilities (model, all windows)")
    )
    return chart


def pit_chart(data: ScoredFolder) -> alt.LayerChart:
    """The PIT histogram of the model's militia-attack forecasts, stacked by part."""
    model = data.model_windows()
    model = model[np.isfinite(model["pit_attacks"].to_numpy(dtype=float))]
    n = len(model)
    edges = np.linspace(0.0, 1.0, PIT_BINS + 1)
    rows = []
    for part in score_parts(model):
        values = model.loc[model["part"] == part, "pit_attacks"].to_numpy(dtype=float)
        counts, _ = np.histogram(values, bins=edges)
        for i, count in enumerate(counts):
            rows.append(
                {
                    "part": PART_LABELS.get(part, part),
                    "low": float(edges[i]),
                    "high": float(edges[i + 1]),
                    "windows": int(count),
                    "density": float(count) * PIT_BINS / n,
                }
            )
    frame = pd.DataFrame(rows)
    parts = list(dict.fromkeys(frame["part"]))
    bars = (
        alt.Chart(frame)
        .mark_bar(stroke="white", strokeWidth=0.8)
        .encode(
            x=alt.X(
                "low:Q",
                title="PIT: 0 = below every replicate, 1 = above every replicate",
                scale=alt.Scale(domain=[0, 1]),
                axis=alt.Axis(values=list(edges)),
            ),
            x2="high:Q",
            y=alt.Y("sum(density):Q", title="density (1 = uniform)", stack=True),
            color=alt.Color(
                "part:N",
                title=None,
                scale=alt.Scale(
                    domain=parts, range=[MODEL_COLOR, PERS_COLOR, CLIM_COLOR][: len(parts)]
                ),
            ),
            tooltip=[
                alt.Tooltip("part:N"),
                alt.Tooltip("low:Q", format=".1f", title="from"),
                alt.Tooltip("high:Q", format=".1f", title="to"),
                alt.Tooltip("windows:Q"),
            ],
        )
    )
    layers: list[Any] = []
    if n >= MIN_PIT_BAND:
        low, high = binom.ppf([0.05, 0.95], n, 1.0 / PIT_BINS) * PIT_BINS / n
        band = pd.DataFrame({"low": [float(low)], "high": [float(high)]})
        layers.append(alt.Chart(band).mark_rect(color="#e4e4e4").encode(y="low:Q", y2="high:Q"))
    layers += [
        bars,
        alt.Chart(pd.DataFrame({"y": [1.0]}))
        .mark_rule(color="#222222", strokeDash=[5, 3])
        .encode(y="y:Q"),
    ]
    windows = f"{n:,} window{'s' if n != 1 else ''}"
    return alt.LayerChart(layer=layers).properties(
        width=WIDTH - 200,
        height=220,
        title=f"PIT histogram of the militia-attack forecasts (model, {windows}, {PIT_BINS} bins)",
    )


def window_table(data: ScoredFolder) -> pd.DataFrame:
    """The model's rows of the windows table: what it forecast and what the record shows.

    In calendar order; the part of the record only when it was split.
    """
    w = data.model_windows().sort_values(["origin", "lead"], kind="stable")
    focus = data.focus

    def column(name: str) -> pd.Series:
        return w[name] if name in w else pd.Series(math.nan, index=w.index)

    low, high = column("obs_militia_attacks_low"), column("obs_militia_attacks_high")
    record = [
        f"{a:.3g}" + (f" ({lo:.3g}\u2013{hi:.3g})" if math.isfinite(lo) and lo != hi else "")
        for a, lo, hi in zip(
            w["obs_militia_attacks"].astype(float),
            low.astype(float),
            high.astype(float),
            strict=True,
        )
    ]
    table = pd.DataFrame(
        {
            "origin": [str(o) for o in w["origin"]],
            "days": w["lead"].astype(int),
            "part": [PART_LABELS.get(str(p), str(p)) for p in w["part"]],
            "record attacks": record,
            "model mean": column("mean_attacks").astype(float),
            "in 50 %": [_yes(v) for v in column("in50_attacks")],
            "in 90 %": [_yes(v) for v in column("in90_attacks")],
            "record: state violence": [_yes(v) for v in w["obs_state_violence"]],
            "P(state violence)": w["p_state_violence"].astype(float),
            f"record: {focus} deaths": w["obs_deaths"].astype(float),
            f"P(any {focus} death)": column("p_deaths_any").astype(float),
        }
    )
    return table if table["part"].nunique() > 1 else table.drop(columns="part")


def _yes(value: Any) -> str:
    v = float(value)
    return DASH if not math.isfinite(v) else "yes" if v > 0 else "no"
