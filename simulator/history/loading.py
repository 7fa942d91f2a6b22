"""Loading observed-history files: safe YAML, the schema, the cross-checks, every problem at once.

The file is read and parsed by the scenario reader (:mod:`simulator.scenario.reading`: a regular
UTF-8 file of bounded size, safe YAML, a line for every key), so a missing file, an unreadable one
or broken YAML gives the same one-paragraph error as a scenario. The schema
(:mod:`simulator.history.schema`) then runs on each event and month on its own, so that one broken
entry does not hide the rest, and the cross-checks run on every part that passed it. Each problem
is one ``FILE:LINE: dotted.path: message`` line, in file order, at most
:data:`~simulator.scenario.problems.MAX_PROBLEMS` of them, raised together as a
:class:`~simulator.history.schema.HistoryError`.

Cross-checks: ``start`` <= ``end``; event dates and months inside ``start``..``end``; months in
calendar order, none duplicated, none missing; an event's actor and target declared in ``actors``
and different; its rung a rung of the ladder; each month's ``range`` brackets its count; and each
month's ``outcome`` at least as severe as its events and count imply (:func:`implied_outcome`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pydantic import TypeAdapter, ValidationError

from simulator.history.schema import (
    OUTCOMES,
    History,
    HistoryError,
    HistoryEvent,
    Month,
    MonthStart,
)
from simulator.scenario.default_ladder import DEFAULT_LADDER
from simulator.scenario.problems import (
    Loc,
    Locator,
    Problem,
    ScenarioError,
    capped,
    located,
    suggest,
)
from simulator.scenario.reading import parse_yaml, read_text
from simulator.scenario.schema import ActorType, Date, Name
from simulator.scenario.schema_errors import schema_errors

__all__ = ["DEFAULT_RUNGS", "implied_outcome", "load_history", "validate_history"]

#: The rung names of the default ladder, least to most escalatory.
DEFAULT_RUNGS: tuple[str, ...] = tuple(str(r["name"]) for r in DEFAULT_LADDER)
_RUNGS: dict[str, dict[str, Any]] = {str(r["name"]): r for r in DEFAULT_LADDER}
_FIELDS = "name, description, start, end, actors, events, months"

T = TypeVar("T")
_DATE: TypeAdapter[dt.date] = TypeAdapter(Date)
_MONTH: TypeAdapter[dt.date] = TypeAdapter(MonthStart)
_NAME: TypeAdapter[str] = TypeAdapter(Name)
_TYPE: TypeAdapter[ActorType] = TypeAdapter(ActorType)


def load_history(path: str | Path, rungs: Sequence[str] | None = None) -> History:
    """Read and check a history file; raise :class:`HistoryError` naming every fault.

    ``rungs`` are the names of the ladder the events' rungs must come from (default: the default
    ladder's, :data:`DEFAULT_RUNGS`).
    """
    path = Path(path)
    try:
        data, lines = parse_yaml(read_text(path, "history file"), str(path))
    except HistoryError:
        raise
    except ScenarioError as err:
        raise HistoryError(err.problems) from None
    history = validate_history(data, str(path), lines, rungs)
    history.located_at(path, lines)
    return history


def validate_history(
    data: Any,
    source: str,
    lines: Mapping[Loc, int] | None = None,
    rungs: Sequence[str] | None = None,
) -> History:
    """Check plain data as a history; ``source`` and ``lines`` (path → line) locate the faults."""
    if not isinstance(data, dict):
        raise HistoryError([f"{source}:1: a history file must be a mapping of fields ({_FIELDS})."])
    parts = _parts(data)
    problems = parts.problems + _cross_checks(parts, DEFAULT_RUNGS if rungs is None else rungs)
    messages = located(problems, Locator(source, lines or {}))
    if messages:
        raise HistoryError(capped(messages))
    if "events" in data and data["events"] is None:  # `events:` with nothing under it
        data = {**data, "events": []}
    try:
        return History.model_validate(data)
    except ValidationError:  # every fault was reported above: cannot happen
        raise HistoryError([f"{source}: not a history file."]) from None


def implied_outcome(rung: str, actor_type: str | None, target_type: str | None) -> str | None:
    """The least severe outcome class a move implies, as the model classifies moves.

    A war-category rung between two states implies ``war``, any other violent rung between two
    states ``direct_clash``, a violent rung by or against anyone else ``proxy_violence``, a
    hostile move short of violence (covert action, a raid) ``contained``; other moves, and rungs
    the default ladder does not have, imply nothing.
    """
    spec = _RUNGS.get(rung)
    if spec is None:
        return None
    both = actor_type == "state" and target_type == "state"
    if spec.get("violent"):
        if both:
            return "war" if spec["category"] == "war" else "direct_clash"
        return "proxy_violence"
    if spec.get("covert") or spec.get("suppression"):
        return "contained"
    return None


# -- the schema, entry by entry ---------------------------------------------------------------
@dataclass
class _Parts:
    """What passed the schema (entries with their file index), and the faults of the rest."""

    problems: list[Problem] = field(default_factory=list)
    start: dt.date | None = None
    end: dt.date | None = None
    #: the valid `actors` entries; None when `actors` is not a mapping
    actors: dict[str, ActorType] | None = None
    #: every name `actors` gives, valid or not (a broken entry is not reported twice)
    declared: set[str] = field(default_factory=set)
    events: list[tuple[int, HistoryEvent]] = field(default_factory=list)
    months: list[tuple[int, Month]] = field(default_factory=list)
    #: the month of every entry whose `month` reads, broken entries included
    month_given: list[tuple[int, dt.date]] = field(default_factory=list)
    #: whether every month entry's `month` reads (else a gap may be a broken entry)
    months_read: bool = True


def _parts(data: dict[str, Any]) -> _Parts:
    parts = _Parts()
    head = dict(data)
    for key, model in (("events", HistoryEvent), ("months", Month)):
        if key not in data:
            continue
        items = data[key]
        if items is None and key == "events":
            head[key] = []
            continue
        if not isinstance(items, list):
            parts.problems.append(((key,), f"expected a list of entries (got {_kind(items)})"))
            head[key] = []
            parts.months_read = parts.months_read and key != "months"
            continue
        valid: list[Any] = []
        for i, item in enumerate(items):
            try:
                entry = model.model_validate(item)
            except ValidationError as err:
                parts.problems += [((key, i, *e.loc), e.message) for e in schema_errors(model, err)]
                if key == "months":
                    given = _valid(_MONTH, item.get("month") if isinstance(item, dict) else None)
                    if given is None:
                        parts.months_read = False
                    else:
                        parts.month_given.append((i, given))
                continue
            valid.append(entry)
            if isinstance(entry, HistoryEvent):
                parts.events.append((i, entry))
            elif isinstance(entry, Month):
                parts.months.append((i, entry))
                parts.month_given.append((i, entry.month))
        head[key] = valid
    actors = data.get("actors")
    if isinstance(actors, list):
        parts.problems.append(
            (
                ("actors",),
                "expected a mapping of actor id → type (state, host or militia), such as "
                "'US: state', not a list",
            )
        )
        head.pop("actors")
    try:
        History.model_validate(head)
    except ValidationError as err:
        parts.problems += [
            e.problem
            for e in schema_errors(History, err)
            if not (e.loc == ("actors",) and isinstance(actors, list))  # told above
        ]
    parts.start = _valid(_DATE, data.get("start"))
    parts.end = _valid(_DATE, data.get("end"))
    if isinstance(actors, dict):
        parts.declared = {str(k) for k in actors}
        parts.actors = {}
        for name, kind in actors.items():
            valid_name, valid_kind = _valid(_NAME, name), _valid(_TYPE, kind)
            if valid_name is not None and valid_kind is not None:
                parts.actors[valid_name] = valid_kind
    return parts


def _valid(adapter: TypeAdapter[T], value: object) -> T | None:
    if value is None:
        return None
    try:
        return adapter.validate_python(value)
    except ValidationError:
        return None


def _kind(value: object) -> str:
    if isinstance(value, dict):
        return "a mapping"
    return "nothing" if value is None else repr(value)


# -- the cross-checks -------------------------------------------------------------------------
def _cross_checks(parts: _Parts, rungs: Sequence[str]) -> list[Problem]:
    problems: list[Problem] = []
    start, end = parts.start, parts.end
    if start is not None and end is not None and end < start:
        problems.append((("end",), f"{end} is before start ({start})"))
        start = end = None  # the dates cannot be checked against a span that is not one
    for i, event in parts.events:
        problems += _event_problems(i, event, parts, start, end, rungs)
    problems += _month_order(parts, start, end)
    first_given: dict[dt.date, int] = {}
    for i, given in parts.month_given:
        first_given.setdefault(given, i)
    for i, month in parts.months:
        low, high = month.range
        if low > high:
            problems.append(((("months", i, "range")), f"low {low} is above high {high}"))
        elif not low <= month.militia_attacks <= high:
            problems.append(
                (
                    ("months", i, "range"),
                    f"[{low}, {high}] does not bracket militia_attacks "
                    f"({month.militia_attacks:g}); need low <= militia_attacks <= high",
                )
            )
        if first_given[month.month] == i:  # a month given twice is reported as such, once
            problems += _outcome_problems(i, month, parts)
    return problems


def _event_problems(
    i: int,
    event: HistoryEvent,
    parts: _Parts,
    start: dt.date | None,
    end: dt.date | None,
    rungs: Sequence[str],
) -> list[Problem]:
    at: Loc = ("events", i)
    problems: list[Problem] = []
    if start is not None and event.date < start:
        problems.append(((*at, "date"), f"{event.date} is before the record's start ({start})"))
    if end is not None and event.date > end:
        problems.append(((*at, "date"), _after_end(str(event.date), end)))
    if parts.actors is not None:
        known = list(parts.actors)
        for key in ("actor", "target"):
            name = getattr(event, key)
            if name not in parts.declared:
                problems.append(
                    ((*at, key), f"'{name}' is not one of the actors; {suggest(name, known)}")
                )
    if event.actor == event.target:
        problems.append(
            ((*at, "target"), f"an actor cannot be its own target (both are '{event.actor}')")
        )
    if event.rung not in rungs:
        problems.append(
            ((*at, "rung"), f"unknown rung '{event.rung}'; {suggest(event.rung, list(rungs))}")
        )
    return problems


def _after_end(what: str, end: dt.date) -> str:
    return f"{what} is after the record's end ({end}); nothing after the end may appear in the file"


def _month_order(parts: _Parts, start: dt.date | None, end: dt.date | None) -> list[Problem]:
    """Months inside start..end, in order, each once, none missing."""
    problems: list[Problem] = []
    first = start.replace(day=1) if start is not None else None
    seen: dict[dt.date, int] = {}
    latest: dt.date | None = None
    for i, month in parts.month_given:
        at: Loc = ("months", i, "month")
        shown = f"{month:%Y-%m}"
        if first is not None and start is not None and month < first:
            problems.append((at, f"{shown} is before the record's start ({start})"))
        if end is not None and month > end:
            problems.append((at, _after_end(shown, end)))
        if month in seen:
            problems.append((at, f"{shown} is given twice (first as months.{seen[month]})"))
            continue
        seen[month] = i
        if latest is not None and month < latest:
            problems.append(
                (at, f"{shown} comes after {latest:%Y-%m}; months must be in calendar order")
            )
        latest = month if latest is None else max(latest, month)
    if first is None or end is None or not parts.months_read:
        return problems
    expected = list(_months(first, end))
    missing = [m for m in expected if m not in seen]
    for run in _runs(missing):
        after = [(i, m) for i, m in parts.month_given if m > run[-1]]
        at = ("months", after[0][0], "month") if after else ("months",)
        what = f"{run[0]:%Y-%m}" if len(run) == 1 else f"{run[0]:%Y-%m} to {run[-1]:%Y-%m}"
        where = f" before {after[0][1]:%Y-%m}" if after else ""
        problems.append(
            (
                at,
                f"{what} {'is' if len(run) == 1 else 'are'} missing{where}; give one entry per "
                f"calendar month from {first:%Y-%m} to {end:%Y-%m}",
            )
        )
    return problems


def _months(first: dt.date, end: dt.date) -> Iterable[dt.date]:
    month = first
    while month <= end:
        yield month
        month = _next_month(month)


def _next_month(month: dt.date) -> dt.date:
    return dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)


def _runs(months: list[dt.date]) -> list[list[dt.date]]:
    """Consecutive months grouped: [2020-03, 2020-04, 2020-07] → [[03, 04], [07]]."""
    runs: list[list[dt.date]] = []
    for month in months:
        if runs and _next_month(runs[-1][-1]) == month:
            runs[-1].append(month)
        else:
            runs.append([month])
    return runs


def _outcome_problems(i: int, month: Month, parts: _Parts) -> list[Problem]:
    """The month's outcome must be at least as severe as its count and events imply."""
    types: Mapping[str, str] = parts.actors or {}
    need: list[tuple[int, str]] = []  # (severity rank, why)
    if month.militia_attacks > 0:
        need.append(
            (OUTCOMES.index("proxy_violence"), f"militia_attacks {month.militia_attacks:g} > 0")
        )
    for j, event in parts.events:
        if (event.date.year, event.date.month) != (month.month.year, month.month.month):
            continue
        implied = implied_outcome(event.rung, types.get(event.actor), types.get(event.target))
        if implied is not None:
            why = f"events.{j}: {event.date} {event.actor} {event.rung} on {event.target}"
            need.append((OUTCOMES.index(implied), why))
    if not need:
        return []
    rank, why = min(need)
    if OUTCOMES.index(month.outcome) <= rank:
        return []
    return [
        (
            ("months", i, "outcome"),
            f"'{month.outcome}' is less severe than the month's record implies: at least "
            f"'{OUTCOMES[rank]}' ({why})",
        )
    ]
