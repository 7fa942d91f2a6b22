"""The explorer's page: Solara components over :mod:`simulator.explore.session`.

Served by ``escalation explore`` (``solara run simulator.explore.app``), which passes the scenario
file, the slider paths and the replicate count in the environment variable
:data:`~simulator.explore.CONFIG_ENV`, as JSON. Each browser tab has its own sliders and results.

An update runs in a background thread: it waits :data:`DEBOUNCE_S` for the sliders to rest, is
cancelled (at the next simulated day) when they move again, and replaces what is on screen only
when it is done. Charts are Vega-Lite specifications built with Altair and drawn to SVG on the
server by vl-convert, so the page needs no script from the network and no matplotlib.
"""

from __future__ import annotations

import html
import json
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar, cast

import altair as alt
import solara as solara_module

from simulator.experiment.limits import OptionError
from simulator.explore import CONFIG_ENV
from simulator.explore.session import (
    CancelledError,
    Explorer,
    Param,
    Result,
    SaveError,
    Settings,
    View,
    default_results_folder,
    default_scenario_path,
    save_results,
    save_scenario,
    settings_of,
    trace_lines,
    update,
)
from simulator.model import OUTCOMES
from simulator.results.errors import ResultsError, ResultsWriteError
from simulator.scenario import ScenarioError

# Solara's own type hints are partial (names re-exported by star imports, untyped helpers):
# the page uses it untyped, and types its component decorator below.
solara: Any = solara_module
_Render = TypeVar("_Render", bound=Callable[..., None])

#: seconds the sliders must rest before an update starts
DEBOUNCE_S = 0.05
#: outcome classes from most to least severe, as the run figures colour them
OUTCOME_COLORS = dict(
    zip(OUTCOMES, ("#67001f", "#c0392b", "#f08a4b", "#f6c89f", "#4b93c8"), strict=True)
)
CHART_WIDTH = 520
CSS = """
.explore-outcomes { border-collapse: collapse; font-size: 14px; margin-bottom: 8px; }
.explore-outcomes th, .explore-outcomes td { padding: 2px 10px; text-align: right; }
.explore-outcomes th:first-child, .explore-outcomes td:first-child { text-align: left; }
.explore-outcomes thead th { border-bottom: 1px solid #999; }
.explore-facts td { padding: 1px 10px 1px 0; font-size: 13px; vertical-align: top; }
.explore-facts td:first-child { color: #666; }
.explore-trace { font-size: 12px; max-height: 520px; overflow: auto; background: #f7f7f7;
  padding: 8px; white-space: pre-wrap; }
.explore-help { font-size: 12px; color: #666; margin-top: -6px; }
.explore-param-label { font-size: 14px; margin-top: 6px; }
"""


# -- configuration ----------------------------------------------------------------------------
_lock = threading.Lock()
_opened: dict[str, Explorer] = {}


def configured_explorer() -> Explorer:
    """The explorer :data:`CONFIG_ENV` describes, opened once per server process."""
    raw = os.environ.get(CONFIG_ENV)
    if not raw:
        raise OptionError(
            f"{CONFIG_ENV} is not set: start the explorer with `escalation explore FILE`."
        )
    with _lock:
        if raw not in _opened:
            config = json.loads(raw)
            _opened[raw] = Explorer.open(
                config["file"], config.get("params", []), int(config["replicates"])
            )
        return _opened[raw]


# -- charts -----------------------------------------------------------------------------------
def outcome_chart(result: Result) -> alt.LayerChart | alt.FacetChart:
    """Outcome probabilities as bars with their 95 % Wilson intervals."""
    rows = [
        {
            "outcome": r.label,
            "name": r.name,
            "p": r.probability,
            "low": r.low,
            "high": r.high,
            "text": f"{r.probability:.1%}",
        }
        for r in result.outcomes
    ]
    order = [r.label for r in result.outcomes]
    base = alt.Chart({"values": rows}).encode(
        y=alt.Y("outcome:N", sort=order, title=None, axis=alt.Axis(labelLimit=220))
    )
    colors = alt.Scale(
        domain=[r.name for r in result.outcomes],
        range=[OUTCOME_COLORS.get(r.name, "#888888") for r in result.outcomes],
    )
    bars = base.mark_bar(height=16).encode(
        x=alt.X(
            "p:Q",
            title="probability (95 % Wilson interval)",
            scale=alt.Scale(domain=[0, 1]),
            axis=alt.Axis(format="%"),
        ),
        color=alt.Color("name:N", scale=colors, legend=None),
    )
    whiskers = base.mark_rule(color="black").encode(x="low:Q", x2="high:Q")
    labels = base.mark_text(align="left", dx=5, fontSize=11).encode(x="high:Q", text="text:N")
    return alt.layer(bars, whiskers, labels).properties(
        width=CHART_WIDTH, height=26 * len(rows), title="Outcome distribution"
    )


def fan_chart(result: Result) -> alt.LayerChart | alt.FacetChart:
    """Quantile bands of the escalation index by date: 5–95 %, 25–75 % and the median."""
    fan = result.fan
    rows = [
        {
            "date": day.isoformat(),
            "q05": float(fan["escalation_q05"][i]),
            "q25": float(fan["escalation_q25"][i]),
            "q50": float(fan["escalation_q50"][i]),
            "q75": float(fan["escalation_q75"][i]),
            "q95": float(fan["escalation_q95"][i]),
        }
        for i, day in enumerate(result.dates)
    ]
    base = alt.Chart({"values": rows}).encode(x=alt.X("date:T", title=None))
    outer = base.mark_area(color="#c0392b", opacity=0.18).encode(
        y=alt.Y("q05:Q", title="escalation index"), y2="q95:Q"
    )
    inner = base.mark_area(color="#c0392b", opacity=0.35).encode(y="q25:Q", y2="q75:Q")
    median = base.mark_line(color="#7b1f1f", strokeWidth=2).encode(y="q50:Q")
    return alt.layer(outer, inner, median).properties(
        width=CHART_WIDTH,
        height=200,
        title="Escalation index: median, 25–75 % and 5–95 % of replicates",
    )


def clash_chart(result: Result) -> alt.Chart:
    """P(a direct clash by this date) and P(war by this date)."""
    rows = []
    for i, day in enumerate(result.dates):
        when = day.isoformat()
        rows.append({"date": when, "p": float(result.p_clash[i]), "series": "direct clash"})
        rows.append({"date": when, "p": float(result.p_war[i]), "series": "war"})
    chart: alt.Chart = (
        alt.Chart({"values": rows})
        .mark_line(strokeWidth=2)
        .encode(
            x=alt.X("date:T", title=None),
            y=alt.Y("p:Q", title="probability by this date", axis=alt.Axis(format="%")),
            color=alt.Color(
                "series:N",
                scale=alt.Scale(domain=["direct clash", "war"], range=["#c0392b", "#67001f"]),
                legend=alt.Legend(title=None, orient="top-left"),
            ),
        )
        .properties(width=CHART_WIDTH, height=160, title="P(direct clash) and P(war) by date")
    )
    return chart


def chart_svg(chart: alt.TopLevelMixin) -> str:
    """A chart drawn to SVG by vl-convert (no browser script, no network)."""
    import vl_convert
    from altair.utils._importers import vl_version_for_vl_convert

    spec = chart.to_dict(validate=False)
    return str(vl_convert.vegalite_to_svg(spec, vl_version=vl_version_for_vl_convert()))


def draw_charts(
    result: Result, cancelled: Callable[[], bool] | None = None
) -> dict[str, str] | None:
    """The page's three charts of ``result`` as SVG text (None once ``cancelled`` says so)."""
    charts: dict[str, str] = {}
    for name, chart in (("outcomes", outcome_chart), ("fan", fan_chart), ("clash", clash_chart)):
        if cancelled is not None and cancelled():
            return None
        charts[name] = chart_svg(chart(result))
    return charts


def _warm_up() -> None:
    """Start vl-convert's engine (about half a second, once) before the first update needs it."""
    try:
        import vl_convert
        from altair.utils._importers import vl_version_for_vl_convert

        vl_convert.vegalite_to_svg({"mark": "point"}, vl_version=vl_version_for_vl_convert())
    except Exception:  # noqa: BLE001 (the first real chart reports any problem)
        pass


threading.Thread(target=_warm_up, daemon=True).start()


# -- text -------------------------------------------------------------------------------------
def outcome_table(result: Result) -> str:
    """The outcome distribution as an HTML table; its data attributes say what it is of."""
    settings = json.dumps(dict(result.settings), sort_keys=True)
    head = (
        f'<table class="explore-outcomes" data-replicates="{result.replicates}" '
        f'data-settings="{html.escape(settings)}">'
        "<thead><tr><th>Outcome</th><th>Replicates</th><th>Probability</th>"
        "<th>95 % Wilson interval</th></tr></thead><tbody>"
    )
    rows = [
        f'<tr data-outcome="{html.escape(r.name)}"><td>{html.escape(r.label)}</td>'
        f'<td class="count">{r.count:,}</td><td class="probability">{r.probability:.1%}</td>'
        f'<td class="interval">{r.low:.1%} – {r.high:.1%}</td></tr>'
        for r in result.outcomes
    ]
    return head + "".join(rows) + "</tbody></table>"


def facts_table(result: Result) -> str:
    """The summary's key figures (median peak rung, casualties, militia attacks, …)."""
    rows = [
        f"<tr><td>{html.escape(name)}</td><td>{html.escape(value)}</td></tr>"
        for name, value in result.metrics
    ]
    return '<table class="explore-facts">' + "".join(rows) + "</table>"


def _slug(path: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in path)


def _decimals(step: float) -> int:
    """Decimal places of a slider's step (0.05 → 2, 1 → 0)."""
    return 0 if step >= 1 else len(f"{step:.10f}".rstrip("0").split(".")[1])


def _number(value: float, step: float) -> str:
    return f"{value:.{_decimals(step)}f}"


# -- components -------------------------------------------------------------------------------
def component(render: _Render) -> _Render:
    """Solara's ``component`` decorator, typed for mypy (the call signature is kept)."""
    return cast(_Render, solara.component(render))


@dataclass(frozen=True, eq=False)
class Shown:
    """A view and the charts on screen; ``fresh`` is False while they are of an older result."""

    view: View
    charts: dict[str, str]
    fresh: bool


@component
def ParamSlider(  # noqa: N802 (components are named like classes, as in Solara)
    param: Param, value: float, on_value: Callable[[float], None]
) -> None:
    """One slider with its label, the file's value and the schema's description."""
    with solara.Div(classes=["explore-param", f"explore-param-{_slug(param.path)}"]):
        solara.HTML(
            tag="div",
            unsafe_innerHTML=(
                f"<b>{html.escape(param.label)}</b> = "
                f'<span class="explore-value">{_number(value, param.step)}</span> '
                f'<span style="color:#888">(file: {_number(param.value, param.step)})</span>'
            ),
            classes=["explore-param-label"],
        )
        if param.integer:
            solara.SliderInt(
                "",
                value=int(value),
                min=int(param.low),
                max=int(param.high),
                step=int(param.step),
                on_value=lambda v: on_value(float(v)),
            )
        else:
            places = _decimals(param.step) + 1
            solara.SliderFloat(
                "",
                value=value,
                min=param.low,
                max=param.high,
                step=param.step,
                # without the slider's float noise (0.35000000000000003)
                on_value=lambda v: on_value(round(float(v), places)),
            )
        if param.help:
            solara.HTML(
                tag="div",
                unsafe_innerHTML=f"{html.escape(param.path)}: {html.escape(param.help)}",
                classes=["explore-help"],
            )


@component
def TracePanel(result: Result | None) -> None:  # noqa: N802
    """Pick replicate k of the result on screen and read its story day by day.

    A trace is of the result on screen when *Trace* was pressed; it is not redone by itself
    when the sliders move (that would slow every update), but says so.
    """
    replicate, set_replicate = solara.use_state(0)
    quiet, set_quiet = solara.use_state(False)
    asked, set_asked = solara.use_state(cast(tuple[Result, int, bool] | None, None))

    def trace() -> tuple[list[str], str | None]:
        if asked is None:
            return [], None
        traced, k, quiet_days = asked
        try:
            return trace_lines(traced, k, quiet_days=quiet_days), None
        except OptionError as err:
            return [], str(err)

    lines, problem = solara.use_memo(trace, [asked])

    def ask() -> None:
        if result is not None:
            set_asked((result, int(replicate), bool(quiet)))

    with solara.Card("Trace a replicate"):
        with solara.Row():
            solara.InputInt("Replicate k", value=replicate, on_value=set_replicate)
            solara.Checkbox(label="also quiet days", value=quiet, on_value=set_quiet)
            solara.Button("Trace", on_click=ask, color="primary", disabled=result is None)
        if asked is not None and asked[0] is not result:
            solara.Warning(
                "This trace is of an earlier result: the settings have changed since. Press "
                "Trace to follow them."
            )
        if problem:
            solara.Error(problem)
        elif lines:
            solara.HTML(
                tag="pre", unsafe_innerHTML=html.escape("\n".join(lines)), classes=["explore-trace"]
            )
        else:
            solara.Text(
                "Each replicate is recomputed on its own with the settings of the result on "
                "screen, and told day by day: moves, readings, losses, red lines."
            )


@component
def SavePanel(  # noqa: N802
    explorer: Explorer, settings: Settings, replicates: int, result: Result | None
) -> None:
    """Save the sliders' settings as a scenario file, or the result on screen as a run folder."""
    scenario_path, set_scenario_path = solara.use_state(str(default_scenario_path(explorer)))
    folder, set_folder = solara.use_state(str(default_results_folder(explorer)))
    message, set_message = solara.use_state(("", ""))

    def save_file() -> None:
        try:
            done = save_scenario(explorer, settings, replicates, Path(scenario_path))
        except (ScenarioError, SaveError, ResultsWriteError, OSError) as err:
            set_message(("error", str(err)))
            return
        set_message(("ok", f"Saved {done}: `escalation run {done}` runs it."))
        set_scenario_path(str(default_scenario_path(explorer)))

    def save_folder() -> None:
        if result is None:
            set_message(("error", "There is no result to save yet."))
            return
        try:
            done = save_results(explorer, result, Path(folder))
        except (ResultsError, OSError) as err:
            set_message(("error", str(err)))
            return
        set_message(
            (
                "ok",
                f"Saved {done}/ ({result.replicates:,} replicates): `escalation summary {done}`, "
                f"`escalation plot {done}`, `escalation trace {done} --replicate K`.",
            )
        )
        set_folder(str(default_results_folder(explorer)))

    with solara.Card("Save"):
        solara.InputText("Scenario file", value=scenario_path, on_value=set_scenario_path)
        solara.Button("Save settings as a scenario file", on_click=save_file, classes=["mb-3"])
        solara.InputText("Results folder", value=folder, on_value=set_folder)
        solara.Button("Save the result as a results folder", on_click=save_folder)
        kind, text = message
        if kind == "ok":
            solara.Success(text)
        elif kind == "error":
            solara.Error(text)


@component
def Page() -> None:  # noqa: N802
    """The explorer: sliders and controls on the left, the last update's result on the right."""
    try:
        explorer = configured_explorer()
    except (ScenarioError, OptionError) as err:
        solara.Error(str(err))
        return
    defaults = {p.path: p.value for p in explorer.params}
    values, set_values = solara.use_state(defaults)
    replicates, set_replicates = solara.use_state(explorer.replicates)
    shown, set_shown = solara.use_state(None)
    # what the update threads share: the last view (to keep its result when settings are
    # invalid), the charts drawn last and their result; one thread runs at a time (use_thread
    # starts the next once the cancelled one has returned)
    held: dict[str, Any] = solara.use_memo(
        lambda: {"view": None, "charts": {}, "charts_of": None}, []
    )
    settings = settings_of(values, explorer.params)

    def work(cancel: threading.Event) -> None:
        if cancel.wait(DEBOUNCE_S):
            return
        try:
            view = update(held["view"], explorer, settings, replicates, cancelled=cancel.is_set)
        except CancelledError:
            return
        if cancel.is_set():
            return
        held["view"] = view
        result = view.result
        fresh = result is None or held["charts_of"] is result
        # the numbers first; new charts (a fifth of a second more) follow, faded till then
        set_shown(Shown(view, held["charts"], fresh))
        if fresh or result is None:
            return
        charts = draw_charts(result, cancel.is_set)
        if charts is None or cancel.is_set():
            return
        held["charts"], held["charts_of"] = charts, result
        set_shown(Shown(view, charts, fresh=True))

    job = solara.use_thread(work, dependencies=[settings, replicates], intrusive_cancel=False)

    solara.Style(CSS)
    solara.Title(f"explore {explorer.scenario.name}")
    with solara.Column(style={"padding": "12px 24px"}):
        solara.HTML(
            tag="div",
            unsafe_innerHTML=(
                f"<h2>escalation explore: {html.escape(explorer.scenario.name)}</h2>"
                f"<div>{html.escape(str(explorer.source))} · "
                f"{explorer.scenario.horizon_days} days from {explorer.scenario.start} · "
                f"seed {explorer.scenario.seed}</div>"
                f'<div style="color:#555">{html.escape(explorer.scenario.description)}</div>'
            ),
        )
        with solara.Columns([4, 7]):
            with solara.Column():
                with solara.Card("Settings"):
                    for param in explorer.params:

                        def moved(v: float, path: str = param.path) -> None:
                            set_values(lambda old: {**old, path: v})

                        ParamSlider(param, values[param.path], moved)
                    solara.InputInt(
                        "Replicates per update",
                        value=replicates,
                        on_value=lambda v: set_replicates(int(v) if v is not None else 0),
                        classes=["explore-replicates", "mt-4"],
                    )
                    solara.Button(
                        "Reset to the file's values",
                        on_click=lambda: set_values(dict(defaults)),
                        text=True,
                    )
                SavePanel(
                    explorer,
                    settings,
                    replicates,
                    shown.view.result if shown is not None else None,
                )
            with solara.Column():
                _Results(shown, job)
                TracePanel(shown.view.result if shown is not None else None)


@component
def _Results(shown: Shown | None, job: Any) -> None:  # noqa: N802
    """The status line, a validation message if any, the numbers and the charts."""
    busy = job.state in (
        solara.ResultState.STARTING,
        solara.ResultState.WAITING,
        solara.ResultState.RUNNING,
    )
    if job.state == solara.ResultState.ERROR:
        solara.Error(f"The update failed: {job.error}")
    view = shown.view if shown is not None else None
    result = view.result if view is not None else None
    status = "updating…" if busy else "up to date"
    if result is not None:
        status = f"{result.replicates:,} replicates in {result.seconds:.2f} s" + (
            " · updating…" if busy else ""
        )
    solara.HTML(
        tag="div",
        unsafe_innerHTML=html.escape(status),
        classes=["explore-status", "explore-busy" if busy else "explore-idle"],
    )
    if view is not None and view.message:
        kept = " The result below is of the last valid settings." if result is not None else ""
        problems = "".join(f"<div>{html.escape(line)}</div>" for line in view.message.split("\n"))
        solara.Error(
            f"These settings do not make a valid scenario.{kept}",
            classes=["explore-invalid"],
            children=[solara.HTML(tag="div", unsafe_innerHTML=problems)],
        )
    if result is None or shown is None:
        solara.ProgressLinear(True)
        return
    faded = "" if shown.fresh else "opacity: 0.35"
    with solara.Card("Outcomes"):
        solara.HTML(tag="div", unsafe_innerHTML=outcome_table(result))
        solara.HTML(tag="div", unsafe_innerHTML=shown.charts.get("outcomes", ""), style=faded)
    with solara.Card("Over time"):
        solara.HTML(tag="div", unsafe_innerHTML=shown.charts.get("fan", ""), style=faded)
        solara.HTML(tag="div", unsafe_innerHTML=shown.charts.get("clash", ""), style=faded)
    with solara.Card("Key figures"):
        solara.HTML(tag="div", unsafe_innerHTML=facts_table(result))
