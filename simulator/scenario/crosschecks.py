"""Cross-reference checks: the parts of a scenario that must agree with each other.

Each check yields ``(path, message)`` so the loader can point at the file line of the offending
field. The checks read the validated :class:`Scenario` only.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from pydantic import TypeAdapter, ValidationError

from simulator.scenario.schema import (
    DEFAULT_KEY,
    ActionEvent,
    Actor,
    GrievanceEvent,
    MilitiaActor,
    PerceptionEvent,
    Scenario,
    SetEvent,
    StateActor,
    ThreatEvent,
)

Path = tuple[str | int, ...]
Problem = tuple[Path, str]
_ACTOR = TypeAdapter(Actor)


def suggest(word: str, choices: list[str]) -> str:
    """A did-you-mean suffix naming the closest allowed choice, or the allowed choices."""
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.5)
    if close:
        return f"did you mean '{close[0]}'? (allowed: {', '.join(choices)})"
    return f"allowed: {', '.join(choices)}"


def check_references(s: Scenario) -> list[Problem]:
    """Every inconsistency between the parts of a scenario, as (path, message) pairs."""
    return list(_problems(s))


def _problems(s: Scenario) -> Iterator[Problem]:
    actors = list(s.actors)
    rungs = [r.name for r in s.ladder]
    yield from _ladder_problems(s)

    def actor(path: Path, name: str, kinds: tuple[str, ...] = ()) -> Iterator[Problem]:
        if name not in s.actors:
            yield path, f"unknown actor '{name}'; {suggest(name, actors)}"
        elif kinds and s.actors[name].type not in kinds:
            yield path, f"'{name}' is a {s.actors[name].type}; this must be a {' or '.join(kinds)}"

    def rung(path: Path, name: str) -> Iterator[Problem]:
        if name not in rungs:
            yield path, f"unknown rung '{name}'; {suggest(name, rungs)}"

    def at_least_status_quo(path: Path, name: str) -> Iterator[Problem]:
        if (
            name in rungs
            and "status_quo" in rungs
            and rungs.index(name) < rungs.index("status_quo")
        ):
            yield path, f"'{name}' is below the status quo; a cap must leave doing nothing allowed"

    def date(path: Path, when) -> Iterator[Problem]:
        if when is not None and not (s.start <= when <= s.end):
            yield (
                path,
                (
                    f"{when.isoformat()} is outside the scenario ({s.start.isoformat()} to "
                    f"{s.end.isoformat()}, {s.horizon_days} day{'s' if s.horizon_days > 1 else ''})"
                ),
            )

    if DEFAULT_KEY in s.actors:
        yield ("actors", DEFAULT_KEY), f"'{DEFAULT_KEY}' is reserved for the perception table"
    for name, a in s.actors.items():
        base: Path = ("actors", name)
        for target in a.initial_threat:
            yield from actor((*base, "initial_threat", target), target)
        for i, w in enumerate(a.restraint):
            yield from rung((*base, "restraint", i, "max_rung"), w.max_rung)
            yield from at_least_status_quo((*base, "restraint", i, "max_rung"), w.max_rung)
            if w.start is not None and w.start > w.until:
                yield (*base, "restraint", i, "from"), "'from' is after 'until'"
        for i, red in enumerate(a.red_lines):
            yield from rung((*base, "red_lines", i, "response"), red.response)
            if red.against not in ("attributed", "perpetrator"):
                yield from actor((*base, "red_lines", i, "against"), red.against)
        if a.menu is not None:
            for i, m in enumerate(a.menu):
                yield from rung((*base, "menu", i), m)
                if m in rungs and a.type not in s.ladder[rungs.index(m)].actors:
                    yield (*base, "menu", i), f"rung '{m}' is not available to a {a.type}"
            if "status_quo" in rungs and "status_quo" not in a.menu:
                yield (*base, "menu"), "a menu must include 'status_quo'"
        if isinstance(a, StateActor):
            for i, r in enumerate(a.rivals):
                yield from actor((*base, "rivals", i), r)
                if r == name:
                    yield (*base, "rivals", i), "an actor cannot be its own rival"
            for i, h in enumerate(a.present_in):
                yield from actor((*base, "present_in", i), h, ("host",))
            for i, o in enumerate(a.orders):
                yield from rung((*base, "orders", i, "max_rung"), o.max_rung)
                yield from at_least_status_quo((*base, "orders", i, "max_rung"), o.max_rung)
                for j, to in enumerate(o.to):
                    yield from actor((*base, "orders", i, "to", j), to, ("militia",))
                    if to in s.actors and getattr(s.actors[to], "patron", None) != name:
                        yield (*base, "orders", i, "to", j), f"'{to}' is not a proxy of '{name}'"
        if isinstance(a, MilitiaActor):
            yield from actor((*base, "patron"), a.patron, ("state",))
            if a.host is not None:
                yield from actor((*base, "host"), a.host, ("host",))
            for i, t in enumerate(a.targets or []):
                yield from actor((*base, "targets", i), t)
                if t in (name, a.patron):
                    yield (*base, "targets", i), "a militia cannot target itself or its patron"

    for observer, row in s.perception.items():
        if observer != DEFAULT_KEY:
            yield from actor(("perception", observer), observer)
        for target, patch in row.items():
            if target != DEFAULT_KEY:
                yield from actor(("perception", observer, target), target)
            if patch.attribute_to is not None:
                yield from actor(
                    ("perception", observer, target, "attribute_to"), patch.attribute_to
                )

    for i, e in enumerate(s.events):
        base = ("events", i)
        yield from date((*base, "date"), e.date)
        if isinstance(e, SetEvent | GrievanceEvent | ActionEvent):
            yield from actor((*base, "actor"), e.actor)
        if isinstance(e, ThreatEvent | PerceptionEvent):
            yield from actor((*base, "observer"), e.observer)
            if not (isinstance(e, PerceptionEvent) and e.actor == DEFAULT_KEY):
                yield from actor((*base, "actor"), e.actor)
        if isinstance(e, ActionEvent):
            yield from rung((*base, "rung"), e.rung)
            yield from actor((*base, "target"), e.target)
            if e.rung in rungs and e.target in s.actors:
                allowed = s.ladder[rungs.index(e.rung)].targets
                kind = s.actors[e.target].type
                if kind not in allowed:
                    yield (
                        (*base, "target"),
                        (
                            f"'{e.rung}' cannot be aimed at a {kind} ('{e.target}'); it targets: "
                            f"{', '.join(allowed)}"
                        ),
                    )
            if e.target == e.actor:
                yield (*base, "target"), "an actor cannot target itself"
        if isinstance(e, SetEvent) and e.actor in s.actors:
            yield from _set_event_problems(s, e, base)


def _ladder_problems(s: Scenario) -> Iterator[Problem]:
    names = [r.name for r in s.ladder]
    for i, r in enumerate(s.ladder):
        if names.index(r.name) != i:
            yield ("ladder", i, "name"), f"rung '{r.name}' appears twice"
        if i and r.level < s.ladder[i - 1].level:
            yield (
                ("ladder", i, "level"),
                (
                    f"level {r.level} is below the previous rung's {s.ladder[i - 1].level}; "
                    "rungs are ordered from least to most escalatory"
                ),
            )
    if "status_quo" not in names:
        yield ("ladder",), "the ladder must have a rung named 'status_quo' (the do-nothing move)"


def _set_event_problems(s: Scenario, e: SetEvent, base: Path) -> Iterator[Problem]:
    """A parameter change must leave a valid actor of the same type."""
    current = s.actors[e.actor]
    for key in e.set:
        if key == "type":
            yield (*base, "set", key), "an event cannot change an actor's type"
            return
    merged = current.model_dump(by_alias=True) | dict(e.set)
    try:
        _ACTOR.validate_python(merged)
    except ValidationError as err:
        for item in err.errors():
            loc = item["loc"][1:] if item["loc"] and item["loc"][0] == current.type else item["loc"]
            yield (*base, "set", *loc), item["msg"]
