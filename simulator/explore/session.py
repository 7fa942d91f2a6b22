"""The explorer's logic, free of any web framework: sliders, settings, results, saving.

An :class:`Explorer` is opened on a scenario file (validated exactly as ``escalation validate``
does) and a list of dotted paths, each a number of the scenario that gets a slider
(:class:`Param`: its range from the schema's bounds, narrowed to something a hand can move, and a
step). A setting of the sliders becomes a validated :class:`~simulator.scenario.Scenario`, or the
located message that says why it is not one (cross-field checks can fail where every slider is
in range); :func:`update` keeps the last good result on screen in that case. :func:`compute`
simulates the replicates and reduces them to what the page shows: the outcome classes with 95 %
Wilson intervals (:func:`simulator.results.summary.summarize`), quantile bands of the escalation
index and P(direct clash), P(war) by date. A result can be traced replicate by replicate, and
saved as a scenario file (read back with :func:`~simulator.scenario.load_scenario` before it
takes its name) or as a run folder that ``escalation summary``, ``plot`` and ``trace`` read.
"""

from __future__ import annotations

import copy
import datetime as dt
import math
import re
import shlex
import time
import types
import typing
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import annotated_types
import mesa
import numpy as np
import yaml
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from simulator.experiment.limits import OptionError
from simulator.experiment.run import build_manifest
from simulator.experiment.simulate import release, simulate
from simulator.explore import DEFAULT_REPLICATES
from simulator.model import OUTCOME_LABELS, OUTCOMES, EscalationModel
from simulator.progress import SILENT, Progress
from simulator.results.store import clean_litter, locked, prepare_target, write_atomic
from simulator.results.summary import OutcomeRow, summarize
from simulator.results.tables import RunTables, write_run
from simulator.scenario import Scenario, ScenarioError, load_scenario, validate_scenario
from simulator.scenario.loading import load_sweep, parse_path, scenario_data, set_path
from simulator.scenario.problems import Loc, dotted, suggest, value_at
from simulator.scenario.reading import parse_yaml, read_text

#: the most replicates one update may run: ≈ 30 s for the baseline, already more than a slider
#: is for (`escalation run` takes any number)
MAX_REPLICATES = 100_000
#: sliders chosen when no ``--param`` is given
DEFAULT_PARAMS = 6
#: a schema range wider than this is narrowed around the scenario's value (see :func:`span`)
WIDE = 10.0
#: the quantile bands of the escalation index, as columns of the daily table
FAN_COLUMNS = tuple(f"escalation_q{q}" for q in ("05", "25", "50", "75", "95"))


class CancelledError(Exception):
    """A computation stopped because its settings were replaced before it finished."""


class SaveError(ValueError):
    """A scenario file or results folder that cannot be written where asked."""


@dataclass(frozen=True)
class Param:
    """One slider: a number of the scenario, its value in the file, its range and step."""

    path: str
    """Dotted path, as for ``--set`` (``actors.KH.control``)."""
    loc: Loc
    label: str
    """Who and what, for people (``Kata'ib Hezbollah (core proxy): control``)."""
    help: str
    """The schema's description of the field (empty when it has none)."""
    value: float
    """The value the scenario gives it."""
    low: float
    high: float
    step: float
    integer: bool

    def clamp(self, value: float) -> float | int:
        """``value`` as the scenario stores it: a whole number for integer fields."""
        if self.integer:
            return int(round(value))
        return round(float(value), 12)  # drop a slider's float noise (0.35000000000000003)


Settings = tuple[tuple[str, float], ...]
"""Slider values as (path, value) pairs: hashable, comparable, in slider order."""


# -- choosing and bounding the sliders --------------------------------------------------------
def default_paths(scenario: Scenario) -> list[str]:
    """A handful of the scenario's key numbers, for when no ``--param`` is given.

    Each militia's ``control`` (its patron's hold on it), each state's ``risk_tolerance``, the
    perception bias (``offense_bias``, the security dilemma's lever) where the scenario sets one,
    ``dynamics.deterrence``, then states' ``resolve`` up to :data:`DEFAULT_PARAMS` sliders.
    """
    militias = [n for n, a in scenario.actors.items() if a.type == "militia"]
    states = [n for n, a in scenario.actors.items() if a.type == "state"]
    paths = [f"actors.{n}.control" for n in militias[:3]]
    paths += [f"actors.{n}.risk_tolerance" for n in states[:2]]
    bias = _bias_path(scenario)
    if bias is not None:
        paths.append(bias)
    paths.append("dynamics.deterrence")
    extra = [f"actors.{n}.resolve" for n in states] + ["rationality", "dynamics.memory"]
    for path in extra:
        if len(paths) >= DEFAULT_PARAMS:
            break
        paths.append(path)
    return paths


def _bias_path(scenario: Scenario) -> str | None:
    """The perception entry that sets ``offense_bias``: everyone's reading first, else the first."""
    default = scenario.perception.get("default", {}).get("default")
    if default is not None and default.offense_bias is not None:
        return "perception.default.default.offense_bias"
    for observer, row in scenario.perception.items():
        for actor, patch in row.items():
            if patch.offense_bias is not None:
                return f"perception.{observer}.{actor}.offense_bias"
    return None


def make_param(scenario: Scenario, path: str, source: str) -> Param:
    """The slider for ``path``, or OptionError when it names no number of the scenario."""
    loc = parse_path(path)
    if not path or any(p == "" for p in loc):
        raise OptionError(f"--param {path!r}: expected a dotted path such as actors.KH.control.")
    if loc[0] == "replicates":
        raise OptionError(
            "--param replicates: the replicate count has its own control (--replicates)."
        )
    if loc[0] == "sweep":
        raise OptionError(
            f"--param {path}: a sweep's settings do not change a run; explore the scenario's "
            "own numbers (actors.…, dynamics.…, perception.…)."
        )
    data = scenario_data(scenario)
    value = value_at(data, loc)
    found = _field_of(scenario, loc)
    if value is None:
        if found is not None:
            raise OptionError(
                f"--param {path}: {source} does not set it (it takes its default); write a value "
                "for it in the file to explore it."
            )
        raise OptionError(f"--param {path}: names no number of {source}; {_nearest(data, loc)}")
    if isinstance(value, bool) or not isinstance(value, int | float):
        kind = _kind(value)
        raise OptionError(
            f"--param {path}: names {kind} in {source}, not a number; a slider needs a number "
            "(e.g. actors.KH.control, dynamics.memory)."
        )
    bounds = _bounds(found) if found is not None else _Bounds()
    integer = isinstance(value, int) or bounds.integer
    low, high, step = span(float(value), bounds, integer)
    label, help_text = _describe(scenario, loc, found)
    return Param(path, loc, label, help_text, float(value), low, high, step, integer)


def _nearest(data: Any, loc: Loc) -> str:
    """Where the path leaves the scenario, and what is there instead."""
    node = data
    for i, part in enumerate(loc):
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        else:
            here = dotted(loc[:i]) if i else "the top level"
            if isinstance(node, dict):
                return f"'{part}' is not in {here}: {suggest(str(part), [str(k) for k in node])}."
            if isinstance(node, list):
                return f"'{part}' is not an index of {here} (0 to {len(node) - 1})."
            return f"{here} is a single value, with nothing below it."
    return "it is empty."


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "a block of fields"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return "a true/false setting"
    return "text"


@dataclass(frozen=True)
class _Bounds:
    lo: float | None = None
    hi: float | None = None
    lo_open: bool = False
    hi_open: bool = False
    integer: bool = False


@dataclass(frozen=True)
class _Field:
    """The schema field at the end of a path: its annotation, constraints and model."""

    annotation: Any
    metadata: list[Any]
    info: FieldInfo | None
    model: type[BaseModel] | None


def _field_of(scenario: Scenario, loc: Loc) -> _Field | None:
    """The schema field a path ends at, walking the scenario's own objects (None: not a field).

    Walking the objects (not only the types) picks the right member of a union: an actor's
    ``type``, an event's ``kind``. Entries of mappings and lists (``initial_threat.Iran``,
    ``ladder.3``) take the constraints of the mapping's values or the list's items.
    """
    node: Any = scenario
    current: _Field | None = None
    for part in loc:
        if isinstance(node, BaseModel):
            model = type(node)
            name = _field_name(model, part)
            if name is None:
                return None
            info = model.model_fields[name]
            annotation, metadata = _unwrap(info.annotation, list(info.metadata))
            current = _Field(annotation, metadata, info, model)
            node = getattr(node, name)
        elif isinstance(node, dict) and current is not None:
            args = typing.get_args(current.annotation)
            if part not in node or len(args) != 2:
                return None
            annotation, metadata = _unwrap(args[1], [])
            current = _Field(annotation, metadata, current.info, current.model)
            node = node[part]
        elif isinstance(node, list) and current is not None:
            args = typing.get_args(current.annotation)
            if not isinstance(part, int) or not 0 <= part < len(node) or len(args) != 1:
                return None
            annotation, metadata = _unwrap(args[0], [])
            current = _Field(annotation, metadata, current.info, current.model)
            node = node[part]
        else:
            return None
    return current


def _field_name(model: type[BaseModel], part: str | int) -> str | None:
    if not isinstance(part, str):
        return None
    if part in model.model_fields:
        return part
    for name, info in model.model_fields.items():
        if info.alias == part:
            return name
    return None


def _unwrap(annotation: Any, metadata: list[Any]) -> tuple[Any, list[Any]]:
    """Strip ``Annotated`` and ``| None``, collecting the constraints on the way."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            base, *extra = typing.get_args(annotation)
            for item in extra:
                metadata = [*metadata, *(item.metadata if isinstance(item, FieldInfo) else [item])]
            annotation = base
        elif origin in (typing.Union, types.UnionType):
            members = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(members) != 1:
                return annotation, metadata
            annotation = members[0]
        else:
            return annotation, metadata


def _bounds(found: _Field) -> _Bounds:
    lo = hi = None
    lo_open = hi_open = False
    for m in found.metadata:
        if isinstance(m, annotated_types.Ge):
            lo = _number(m.ge)
        elif isinstance(m, annotated_types.Gt):
            lo, lo_open = _number(m.gt), True
        elif isinstance(m, annotated_types.Le):
            hi = _number(m.le)
        elif isinstance(m, annotated_types.Lt):
            hi, hi_open = _number(m.lt), True
    return _Bounds(lo, hi, lo_open, hi_open, found.annotation is int)


def _number(bound: object) -> float:
    """A bound as a float: annotated_types types it as merely comparable; ours are numbers."""
    return float(typing.cast(typing.SupportsFloat, bound))


def span(value: float, bounds: _Bounds, integer: bool) -> tuple[float, float, float]:
    """A slider's (low, high, step): the schema's bounds, narrowed where they are wide.

    A range of at most :data:`WIDE` (a share, a weight up to 10) is used whole. A wider one
    (costs up to 1,000, a horizon up to ten years, a seed up to 2⁶³) is cut to a round number
    about four times the scenario's value, which stays inside the range. Steps are about a
    hundredth of the range, rounded to 1, 2 or 5 times a power of ten; 1 at least for integers.
    An open bound (``lt 1``) stops one step short.
    """
    lo, hi = bounds.lo, bounds.hi
    reach = _round_up(max(4 * abs(value), 10.0 if integer else 1.0))
    if lo is None:
        lo = min(value, -reach)
    if hi is None or hi - lo > WIDE:
        top = max(reach, value) if lo >= 0 else value + reach
        hi = top if hi is None else min(hi, top)
        if lo < 0 and hi - lo > 2 * WIDE:
            lo = max(lo, value - reach)
    step = _round_down((hi - lo) / 100)
    if integer:  # every whole number, unless that makes more than a thousand stops
        step = 1.0 if hi - lo <= 1000 else max(1.0, float(round(step)))
    if bounds.lo_open:
        lo += step
    if bounds.hi_open:
        hi -= step
    return _tidy(lo), _tidy(hi), _tidy(step)


def _round_up(x: float) -> float:
    """The least of 1, 2, 5 × 10^k that is at least ``x`` (x > 0)."""
    power = 10.0 ** math.floor(math.log10(x))
    for m in (1, 2, 5, 10):
        if m * power >= x * (1 - 1e-12):
            return m * power
    return 10 * power


def _round_down(x: float) -> float:
    """The greatest of 1, 2, 5 × 10^k that is at most ``x`` (x > 0)."""
    if x <= 0:
        return 1.0
    power = 10.0 ** math.floor(math.log10(x))
    for m in (5, 2, 1):
        if m * power <= x * (1 + 1e-12):
            return m * power
    return power


def _tidy(x: float) -> float:
    return float(f"{x:.10g}")


def _describe(scenario: Scenario, loc: Loc, found: _Field | None) -> tuple[str, str]:
    """A label naming the actor (by its label) and the field, and the schema's description."""
    help_text = ""
    if found is not None and found.info is not None and found.info.description:
        help_text = " ".join(found.info.description.split())
    head, rest = loc[0], loc[1:]
    if head == "actors" and len(rest) >= 2 and rest[0] in scenario.actors:
        actor = scenario.actors[str(rest[0])]
        field_path = ".".join(str(p) for p in rest[1:])
        return f"{actor.label or rest[0]}: {field_path}", help_text
    if head == "perception" and len(rest) == 3:
        observer = "everyone" if rest[0] == "default" else str(rest[0])
        actor_name = "everyone" if rest[1] == "default" else str(rest[1])
        return f"perception, {observer} of {actor_name}: {rest[2]}", help_text
    if head == "dynamics" and len(rest) == 1:
        return f"dynamics: {rest[0]}", help_text
    return dotted(loc), help_text


# -- the explorer -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Explorer:
    """A scenario file opened for exploring: its sliders and the data settings are applied to.

    Make one with :meth:`open`. ``data`` is the file's own data (or, for a sweep file, the
    scenario it names with the sweep's fixed settings) without its ``sweep:`` section, and
    ``lines`` its line index, so that a setting's problems are reported at the file's lines.
    """

    source: Path
    scenario: Scenario
    params: tuple[Param, ...]
    replicates: int
    data: dict[str, Any] = field(repr=False)
    lines: Mapping[Loc, int] = field(repr=False)
    sweep_file: bool = False

    @classmethod
    def open(
        cls, path: str | Path, params: Iterable[str] = (), replicates: int = DEFAULT_REPLICATES
    ) -> Explorer:
        """Open ``path`` with sliders for ``params`` (default: :func:`default_paths`).

        Raises ScenarioError with exactly what ``escalation validate`` says of an invalid file,
        and OptionError for a path that names no number of it or a replicate count out of range.
        """
        path = Path(path)
        check_replicates(replicates, "--replicates")
        scenario, _, _ = load_sweep(path)  # as `escalation validate` reads it
        data, lines = parse_yaml(read_text(path, "scenario file"), str(path))
        sweep_file = isinstance(data, dict) and "scenario" in data and "actors" not in data
        if sweep_file or not isinstance(data, dict):
            data, lines = scenario_data(scenario), {}
        data = copy.deepcopy(data)
        data.pop("sweep", None)
        scenario = validate_scenario(copy.deepcopy(data), str(path), lines)
        paths = list(dict.fromkeys(params)) or default_paths(scenario)
        sliders = tuple(make_param(scenario, p, str(path)) for p in paths)
        return cls(path, scenario, sliders, replicates, data, lines, sweep_file)

    def defaults(self) -> Settings:
        """The file's value of every slider."""
        return tuple((p.path, p.value) for p in self.params)

    def param(self, path: str) -> Param:
        """The slider of ``path`` (KeyError if there is none)."""
        for p in self.params:
            if p.path == path:
                return p
        raise KeyError(path)

    def scenario_for(self, settings: Settings | Mapping[str, float], replicates: int) -> Scenario:
        """The scenario with the sliders at ``settings``, validated; ScenarioError if invalid.

        A problem with a slider's own value is reported as ``slider PATH: …``; one it causes
        elsewhere (a cross-field check) at that field's line in the file.
        """
        check_replicates(replicates, "replicates", ScenarioError)
        data, origins = self._data_for(settings, replicates)
        return validate_scenario(data, str(self.source), self.lines, origins)

    def _data_for(
        self, settings: Settings | Mapping[str, float], replicates: int
    ) -> tuple[dict[str, Any], dict[Loc, str]]:
        values = dict(settings)
        data = copy.deepcopy(self.data)
        origins: dict[Loc, str] = {}
        for p in self.params:
            if p.path in values:
                set_path(data, p.loc, p.clamp(values[p.path]), f"slider {p.path}")
                origins[p.loc] = f"slider {p.path}"
        data["replicates"] = int(replicates)
        origins[("replicates",)] = "the replicates control"
        return data, origins

    def changed(self, settings: Settings) -> list[tuple[Param, float | int]]:
        """The sliders whose value differs from the file's, with their values."""
        values = dict(settings)
        out = []
        for p in self.params:
            if p.path in values and p.clamp(values[p.path]) != p.clamp(p.value):
                out.append((p, p.clamp(values[p.path])))
        return out

    def run_command(self, settings: Settings, replicates: int) -> str:
        """The command that reruns these settings: ``escalation run FILE --set …``."""
        sets = [a for p, v in self.changed(settings) for a in ("--set", f"{p.path}={v}")]
        if self.sweep_file:  # `escalation run` reads scenario files only: say what was explored
            return shlex.join(["escalation", "explore", str(self.source)]) + (
                f" (replicates {replicates}; {', '.join(sets[1::2]) or 'the file as it is'})"
            )
        return shlex.join(
            ["escalation", "run", str(self.source), "--replicates", str(replicates), *sets]
        )


def check_replicates(
    replicates: int, what: str, error: Callable[[list[str]], Exception] | None = None
) -> int:
    """``replicates`` if it is a count the explorer runs; else OptionError (or ``error``)."""
    problem = None
    if isinstance(replicates, bool) or not isinstance(replicates, int):
        problem = f"{what} {replicates!r}: expected a whole number."
    elif replicates < 1:
        problem = f"{what} {replicates:,}: must be at least 1."
    elif replicates > MAX_REPLICATES:
        problem = (
            f"{what} {replicates:,}: the explorer runs at most {MAX_REPLICATES:,} replicates an "
            "update (a slider wants an answer in seconds); `escalation run` takes any number."
        )
    if problem is None:
        return int(replicates)
    if error is not None:
        raise error([problem])
    raise OptionError(problem)


# -- results ----------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class Result:
    """What one update computed, for the settings it was asked for.

    ``outcomes`` are the outcome classes with 95 % Wilson intervals, ``metrics`` the summary's
    key figures (both from :func:`~simulator.results.summary.summarize`); ``fan`` holds the
    escalation index's quantiles by day (:data:`FAN_COLUMNS`), ``p_clash`` and ``p_war`` the share
    of replicates with a direct clash, or a war, by each day. ``tables`` are the tables a run
    folder holds (no event log), kept for saving.
    """

    scenario: Scenario
    settings: Settings
    outcomes: list[OutcomeRow]
    metrics: list[tuple[str, str]]
    dates: list[dt.date]
    fan: dict[str, np.ndarray]
    p_clash: np.ndarray
    p_war: np.ndarray
    tables: RunTables
    seconds: float

    @property
    def replicates(self) -> int:
        """Replicates simulated."""
        return len(self.tables.runs)

    def outcome_of(self, replicate: int) -> str:
        """The outcome class of replicate ``replicate`` (numbered from 0)."""
        return str(self.tables.runs["outcome"].iloc[replicate])


class _Stopper:
    """A :class:`~simulator.progress.Progress` that stops the simulation when told to."""

    def __init__(self, cancelled: Callable[[], bool]):
        self.cancelled = cancelled

    def phase(self, name: str, total: float, unit: str) -> None:
        self.advance()

    def advance(self, amount: float = 1.0) -> None:
        if self.cancelled():
            raise CancelledError

    def note(self, message: str) -> None:
        return None


def compute(
    scenario: Scenario, settings: Settings = (), cancelled: Callable[[], bool] | None = None
) -> Result:
    """Simulate ``scenario.replicates`` replicates and reduce them to what the page shows.

    ``cancelled`` is asked after every simulated day; when it says True the work stops with
    :class:`CancelledError` (the models made so far are released).
    """
    started = time.perf_counter()
    progress: Progress = _Stopper(cancelled) if cancelled is not None else SILENT
    try:
        tables = simulate(scenario, event_log="none", progress=progress)
    except CancelledError:
        for model in list(mesa.Agent._ids):  # a model left mid-run: Mesa keeps it alive
            if getattr(model, "scenario", None) is scenario:
                release(model)
        raise
    summary = summarize(build_manifest(scenario, "", "", "none"), tables.runs)
    daily = tables.daily
    return Result(
        scenario=scenario,
        settings=settings,
        outcomes=summary.outcomes,
        metrics=summary.metrics,
        dates=list(daily["date"]),
        fan={c: daily[c].to_numpy(dtype=float) for c in FAN_COLUMNS},
        p_clash=daily["p_direct_clash"].to_numpy(dtype=float),
        p_war=daily["p_war"].to_numpy(dtype=float),
        tables=tables,
        seconds=time.perf_counter() - started,
    )


@dataclass(frozen=True, eq=False)
class View:
    """What the page shows: the last good result, and why the current settings are not one."""

    settings: Settings
    replicates: int
    result: Result | None = None
    message: str | None = None
    """The validation message of ``settings`` (None when they are valid)."""


def update(
    previous: View | None,
    explorer: Explorer,
    settings: Settings,
    replicates: int,
    cancelled: Callable[[], bool] | None = None,
) -> View:
    """The view after the sliders moved to ``settings``.

    A new result; or, when the settings do not make a valid scenario, the message saying why
    and the previous view's result.
    """
    try:
        scenario = explorer.scenario_for(settings, replicates)
    except ScenarioError as err:
        kept = previous.result if previous is not None else None
        return View(settings, replicates, kept, str(err))
    return View(settings, replicates, compute(scenario, settings, cancelled))


# -- tracing ----------------------------------------------------------------------------------
def trace_lines(result: Result, replicate: int, quiet_days: bool = False) -> list[str]:
    """Replicate ``replicate`` of ``result``, day by day (as ``escalation trace`` prints it).

    The replicate is recomputed on its own with the result's scenario (the settings it was
    computed for): replicate k is the same world in any run of the same scenario and seed.
    """
    from simulator.console import format_trace
    from simulator.experiment.replay import Trace

    n = result.replicates
    if isinstance(replicate, bool) or not isinstance(replicate, int) or not 0 <= replicate < n:
        raise OptionError(
            f"replicate {replicate}: this result has replicates 0 to {n - 1} (numbered from 0)."
        )
    model = EscalationModel(result.scenario, replicates=1, first_replicate=replicate, trace=True)
    try:
        model.run()
        outcome = OUTCOMES[int(model.recorder.outcome_codes()[0])]
        days = model.tracer.days if model.tracer is not None else []
    finally:
        release(model)
    trace = Trace(
        replicate,
        result.scenario.name,
        days,
        outcome,
        result.outcome_of(replicate),
        dict(OUTCOME_LABELS),
    )
    return format_trace(trace, quiet_days=quiet_days)


# -- saving -----------------------------------------------------------------------------------
def default_scenario_path(explorer: Explorer) -> Path:
    """A free name for a saved scenario: ``NAME-explored.yaml`` (then ``-2``, …) by the file."""
    folder, stem = explorer.source.parent, f"{explorer.scenario.name}-explored"
    candidate = folder / f"{stem}.yaml"
    n = 2
    while candidate.exists():
        candidate, n = folder / f"{stem}-{n}.yaml", n + 1
    return candidate


def default_results_folder(explorer: Explorer) -> Path:
    """``results/NAME-explore-YYYYMMDD-HHMMSS``, as ``escalation run`` names its folders."""
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    return Path("results") / f"{explorer.scenario.name}-explore-{stamp}"


def scenario_text(explorer: Explorer, settings: Settings, replicates: int) -> str:
    """The scenario file for ``settings``: a header saying what was explored, then the YAML.

    The data is the file's own (its structure, and defaults left unwritten where it left them),
    with the sliders' values and the replicate count set; the original's comments are not kept.
    """
    data, _ = explorer._data_for(settings, replicates)
    changed = explorer.changed(settings)
    now = dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    header = [f"# Saved by `escalation explore` from {explorer.source} on {now}."]
    if changed:
        header.append("# Explored settings (the original file's value in brackets):")
        header += [f"#   {p.path}: {v:g} ({p.clamp(p.value):g})" for p, v in changed]
    else:
        header.append("# The sliders were at the original file's values.")
    header.append(f"# Replicates: {replicates:,}. The original's comments (its sources) are not")
    header.append("# copied: read them there.")
    body = str(yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100))
    return "\n".join(header) + "\n" + body


def save_scenario(explorer: Explorer, settings: Settings, replicates: int, path: Path) -> Path:
    """Write the scenario of ``settings`` to ``path`` (a new file), checked by reading it back.

    The file takes its name only once :func:`~simulator.scenario.load_scenario` has read it back
    as the very scenario the settings make. Raises ScenarioError for invalid settings and
    SaveError for a path that exists.
    """
    path = Path(path)
    expected = explorer.scenario_for(settings, replicates)
    if path.exists():
        raise SaveError(f"{path}: exists; choose another name (the explorer replaces no file).")
    text = scenario_text(explorer, settings, replicates)

    def put(tmp: Path) -> None:
        tmp.write_text(text, encoding="utf-8")
        try:
            back = load_scenario(tmp)
        except ScenarioError as err:
            raise SaveError(f"{path}: the saved file does not read back: {err}") from None
        if back != expected:
            raise SaveError(f"{path}: the saved file reads back as another scenario; not saved.")

    write_atomic(path, put, folder=False)
    return path


def save_results(explorer: Explorer, result: Result, folder: Path) -> Path:
    """Write ``result`` as a run folder (manifest, runs and daily tables; no event log).

    As ``escalation run --no-plots --event-log none`` writes it, atomically: ``escalation
    summary``, ``plot`` and ``trace`` read it. The folder must not exist yet (or be empty).
    """
    folder = Path(folder)
    scenario = result.scenario
    command = explorer.run_command(result.settings, result.replicates)
    manifest = build_manifest(scenario, str(explorer.source), command, "none")
    with locked(folder):
        prepare_target(folder, "run", replace=False)
        clean_litter(folder.parent, re.escape(folder.name))
        write_atomic(folder, lambda tmp: write_run(tmp, manifest, result.tables))
    return folder


def settings_of(values: Mapping[str, float], params: Sequence[Param]) -> Settings:
    """Slider values in slider order, as :data:`Settings`."""
    return tuple((p.path, float(values[p.path])) for p in params if p.path in values)
