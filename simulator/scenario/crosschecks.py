"""Cross-checks: the parts of a scenario that must agree with each other, and with what a run needs.

Each check yields ``(path, message)`` so the loader can point at the file line of the offending
field. The checks read a validated :class:`Scenario`; :class:`Known` says which names the file
gave, so that when a broken part was set aside (:mod:`simulator.scenario.salvage`) a reference to
it is not reported again as unknown. A scenario that passes these checks and the schema can run:
every name the model looks up exists and has the right type, every date falls inside the run.
"""

from __future__ import annotations

import datetime as dt
import typing
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from pydantic import ValidationError

from simulator.scenario.problems import Loc, Problem, suggest
from simulator.scenario.schema import (
    DEFAULT_KEY,
    ActionEvent,
    ActorType,
    Event,
    GrievanceEvent,
    HostActor,
    MilitiaActor,
    PerceptionEvent,
    Rung,
    Scenario,
    SetEvent,
    StateActor,
    ThreatEvent,
)
from simulator.scenario.schema_errors import schema_errors

ACTOR_TYPES: tuple[str, ...] = typing.get_args(ActorType)
Actor = StateActor | HostActor | MilitiaActor
#: The last day a run may reach: the calendar ends on 9999-12-31, and a run's plots need a margin
#: past its last day (matplotlib's dates end with year 9999 too).
LAST_DAY = dt.date(9998, 12, 31)
#: Red-line targets that are not actor names.
_RED_LINE_KEYWORDS = ("attributed", "perpetrator", "both")


@dataclass(frozen=True)
class Known:
    """Names the file gives, whether or not their entries passed the schema."""

    actors: tuple[str, ...]
    #: None when the ladder could not be read at all: rung names then go unchecked
    rungs: tuple[str, ...] | None
    #: False when rungs were set aside: the ladder's order and rung types go unchecked
    ladder_intact: bool = True
    #: False when the start or horizon were broken: dates go unchecked
    dates: bool = True

    @classmethod
    def of(cls, s: Scenario) -> Known:
        """Everything known: a scenario that passed the schema whole."""
        return cls(tuple(s.actors), tuple(r.name for r in s.ladder))


def check_references(s: Scenario, known: Known | None = None) -> list[Problem]:
    """Every inconsistency between the parts of a scenario, as (path, message) pairs."""
    return list(_Checks(s, known or Known.of(s)).all())


class _Checks:
    def __init__(self, s: Scenario, known: Known):
        self.s, self.known = s, known
        self.rungs: dict[str, Rung] = {r.name: r for r in s.ladder} if known.ladder_intact else {}
        self.order = [r.name for r in s.ladder]
        self.dates = known.dates and self._ends_in_time()

    def _ends_in_time(self) -> bool:
        try:
            return self.s.end <= LAST_DAY
        except OverflowError:  # past 9999-12-31
            return False

    # -- the checks ------------------------------------------------------------------------------
    def all(self) -> Iterator[Problem]:
        s = self.s
        if self.known.dates and not self.dates:
            yield (
                ("horizon_days",),
                f"{s.horizon_days} days from {s.start.isoformat()} run past "
                f"{LAST_DAY.isoformat()}, the last day a run may reach",
            )
        if self.known.ladder_intact:
            yield from self.ladder()
        if DEFAULT_KEY in s.actors:
            yield ("actors", DEFAULT_KEY), f"'{DEFAULT_KEY}' is reserved for the perception table"
        for name, a in s.actors.items():
            yield from self.actor_entry(name, a, ("actors", name))
        yield from self.perception()
        for i, e in enumerate(s.events):
            yield from self.event(e, ("events", i))

    def ladder(self) -> Iterator[Problem]:
        s, names = self.s, self.order
        for i, r in enumerate(s.ladder):
            if names.index(r.name) != i:
                yield ("ladder", i, "name"), f"rung '{r.name}' appears twice"
            if i and r.level < s.ladder[i - 1].level:
                yield (
                    ("ladder", i, "level"),
                    f"level {r.level} is below the previous rung's {s.ladder[i - 1].level}; "
                    "rungs are ordered from least to most escalatory",
                )
        if "status_quo" not in names:
            yield (
                ("ladder",),
                "the ladder must have a rung named 'status_quo' (the do-nothing move)",
            )
        for kind in ACTOR_TYPES:
            users = [n for n, a in s.actors.items() if a.type == kind]
            if users and not any(kind in r.actors for r in s.ladder):
                yield (
                    ("ladder",),
                    f"no rung lists '{kind}' among its actors, so {', '.join(users)} would have "
                    f"no move at all; add '{kind}' to the actors of the rungs a {kind} may use",
                )

    def actor_entry(self, name: str, a: Actor, base: Loc) -> Iterator[Problem]:
        """The checks of one actor's entry (also run on the actor a ``set`` event leaves)."""
        for target in a.initial_threat:
            yield from self.actor((*base, "initial_threat", target), target)
        for i, w in enumerate(a.restraint):
            at = (*base, "restraint", i)
            yield from self.cap((*at, "max_rung"), w.max_rung)
            yield from self.period(at, w.start, w.until)
        for i, red in enumerate(a.red_lines):
            where = (*base, "red_lines", i)
            yield from self.rung((*where, "response"), red.response)
            if red.response_max is not None:
                yield from self.rung((*where, "response_max"), red.response_max)
                if (
                    red.response in self.order
                    and red.response_max in self.order
                    and self.order.index(red.response_max) < self.order.index(red.response)
                ):
                    yield (
                        (*where, "response_max"),
                        f"'{red.response_max}' is below the response '{red.response}'; the "
                        "promised range runs from response up to response_max",
                    )
            if red.delay_min > red.delay_max:
                yield (*where, "delay_min"), "delay_min is after delay_max"
            if red.against not in _RED_LINE_KEYWORDS:
                yield from self.actor((*where, "against"), red.against)
                if red.against == name:
                    yield (*where, "against"), "an actor cannot promise to strike itself"
            yield from self.distinct((*where, "covers"), red.covers)
        if a.menu is not None:
            for i, m in enumerate(a.menu):
                yield from self.rung((*base, "menu", i), m)
                if m in self.rungs and a.type not in self.rungs[m].actors:
                    yield (*base, "menu", i), f"rung '{m}' is not available to a {a.type}"
            yield from self.distinct((*base, "menu"), a.menu)
            if "status_quo" in self.order and "status_quo" not in a.menu:
                yield (*base, "menu"), "a menu must include 'status_quo'"
        if isinstance(a, StateActor):
            yield from self.state(name, a, base)
        if isinstance(a, MilitiaActor):
            yield from self.militia(name, a, base)

    def state(self, name: str, a: StateActor, base: Loc) -> Iterator[Problem]:
        for i, r in enumerate(a.rivals):
            yield from self.actor((*base, "rivals", i), r, ("state",))
            if r == name:
                yield (*base, "rivals", i), "an actor cannot be its own rival"
        yield from self.distinct((*base, "rivals"), a.rivals)
        for i, h in enumerate(a.present_in):
            yield from self.actor((*base, "present_in", i), h, ("host",))
        yield from self.distinct((*base, "present_in"), a.present_in)
        for i, o in enumerate(a.orders):
            at = (*base, "orders", i)
            yield from self.cap((*at, "max_rung"), o.max_rung)
            yield from self.period(at, o.start, o.until)
            for j, to in enumerate(o.to):
                yield from self.actor((*at, "to", j), to, ("militia",))
                proxy = self.s.actors.get(to)
                patron = getattr(proxy, "patron", name)
                if patron != name and patron in self.known.actors:  # else the patron is at fault
                    yield (*at, "to", j), f"'{to}' is not a proxy of '{name}'"
            yield from self.distinct((*at, "to"), o.to)

    def militia(self, name: str, a: MilitiaActor, base: Loc) -> Iterator[Problem]:
        yield from self.actor((*base, "patron"), a.patron, ("state",))
        if a.host is not None:
            yield from self.actor((*base, "host"), a.host, ("host",))
        for i, t in enumerate(a.targets or []):
            yield from self.actor((*base, "targets", i), t)
            if t in (name, a.patron):
                yield (*base, "targets", i), "a militia cannot target itself or its patron"
        yield from self.distinct((*base, "targets"), a.targets or [])
        if not [n for n in self.known.actors if n not in (name, a.patron)]:
            yield (
                base,
                f"a militia needs someone to target besides itself and its patron "
                f"'{a.patron}', and this scenario has no other actor",
            )

    def perception(self) -> Iterator[Problem]:
        for observer, row in self.s.perception.items():
            if observer != DEFAULT_KEY:
                yield from self.actor(("perception", observer), observer)
            for target, patch in row.items():
                if target != DEFAULT_KEY:
                    yield from self.actor(("perception", observer, target), target)
                if patch.attribute_to is not None:
                    at = ("perception", observer, target, "attribute_to")
                    yield from self.actor(at, patch.attribute_to)

    def event(self, e: Event, base: Loc) -> Iterator[Problem]:
        yield from self.date((*base, "date"), e.date)
        if isinstance(e, SetEvent | GrievanceEvent | ActionEvent):
            yield from self.actor((*base, "actor"), e.actor)
        if isinstance(e, ThreatEvent | PerceptionEvent):
            yield from self.actor((*base, "observer"), e.observer)
            if not (isinstance(e, PerceptionEvent) and e.actor == DEFAULT_KEY):
                yield from self.actor((*base, "actor"), e.actor)
        if isinstance(e, PerceptionEvent) and e.set.attribute_to is not None:
            yield from self.actor((*base, "set", "attribute_to"), e.set.attribute_to)
        if isinstance(e, ActionEvent):
            yield from self.action(e, base)
        if isinstance(e, GrievanceEvent):
            yield from self.grievance(e, base)
        if isinstance(e, SetEvent) and e.actor in self.s.actors:
            yield from self.set_event(e, base)

    def action(self, e: ActionEvent, base: Loc) -> Iterator[Problem]:
        yield from self.rung((*base, "rung"), e.rung)
        yield from self.actor((*base, "target"), e.target)
        rung = self.rungs.get(e.rung)
        actor, target = self.s.actors.get(e.actor), self.s.actors.get(e.target)
        if rung is not None and actor is not None and actor.type not in rung.actors:
            yield (
                (*base, "rung"),
                f"'{e.rung}' is not available to a {actor.type} ('{e.actor}'); it is a move "
                f"for: {', '.join(rung.actors)}",
            )
        if rung is not None and target is not None and target.type not in rung.targets:
            yield (
                (*base, "target"),
                f"'{e.rung}' cannot be aimed at a {target.type} ('{e.target}'); it targets: "
                f"{', '.join(rung.targets)}",
            )
        if e.target == e.actor:
            yield (*base, "target"), "an actor cannot target itself"
        fixed = [f for f in ("deaths", "wounded") if getattr(e, f) is not None]
        if fixed and rung is not None and not rung.violent:
            yield (
                (*base, fixed[0]),
                f"'{e.rung}' is not violent: only a violent move has deaths or wounded to fix",
            )

    def grievance(self, e: GrievanceEvent, base: Loc) -> Iterator[Problem]:
        if e.against is not None:
            yield from self.actor((*base, "against"), e.against)
            if e.against == e.actor:
                yield (*base, "against"), "an actor cannot hold a grievance against itself"
        elif getattr(self.s.actors.get(e.actor), "type", None) == "host":
            yield (
                (*base, "actor"),
                f"'{e.actor}' is a host: it has no standing foes, so say whom the grievance is "
                "aimed at with `against`",
            )

    def set_event(self, e: SetEvent, base: Loc) -> Iterator[Problem]:
        """A parameter change must leave a valid actor of the same type, its references sound."""
        current = self.s.actors[e.actor]
        if "type" in e.set:
            yield (*base, "set", "type"), "an event cannot change an actor's type"
            return
        kind = type(current)
        try:
            changed = kind.model_validate(current.model_dump(by_alias=True) | dict(e.set))
        except ValidationError as err:
            for fault in schema_errors(kind, err):
                yield (*base, "set", *fault.loc), fault.message
            return
        # the problems of the changed actor that lie in the fields the event sets
        for loc, message in self.actor_entry(e.actor, changed, ("actors", e.actor)):
            if len(loc) > 2 and loc[2] in e.set:
                yield (*base, "set", *loc[2:]), message

    # -- single references ---------------------------------------------------------------------
    def actor(self, path: Loc, name: str, kinds: tuple[str, ...] = ()) -> Iterator[Problem]:
        if name not in self.known.actors:
            yield path, f"unknown actor '{name}'; {suggest(name, self.known.actors)}"
        elif kinds and name in self.s.actors and self.s.actors[name].type not in kinds:
            yield (
                path,
                f"'{name}' is a {self.s.actors[name].type}; this must be a {' or '.join(kinds)}",
            )

    def rung(self, path: Loc, name: str) -> Iterator[Problem]:
        if self.known.rungs is not None and name not in self.known.rungs:
            yield path, f"unknown rung '{name}'; {suggest(name, self.known.rungs)}"

    def cap(self, path: Loc, name: str) -> Iterator[Problem]:
        """A restraint cap: a known rung that leaves doing nothing allowed."""
        yield from self.rung(path, name)
        if (
            self.known.ladder_intact
            and name in self.order
            and "status_quo" in self.order
            and self.order.index(name) < self.order.index("status_quo")
        ):
            yield path, f"'{name}' is below the status quo; a cap must leave doing nothing allowed"

    def date(self, path: Loc, when: dt.date | None) -> Iterator[Problem]:
        s = self.s
        if self.dates and when is not None and not (s.start <= when <= s.end):
            days = f"{s.horizon_days} day{'s' if s.horizon_days > 1 else ''}"
            yield (
                path,
                f"{when.isoformat()} is outside the scenario ({s.start.isoformat()} to "
                f"{s.end.isoformat()}, {days})",
            )

    def period(self, path: Loc, start: dt.date | None, until: dt.date) -> Iterator[Problem]:
        """A window's or an order's dates: in order, and in force on some day of the run.

        A period may begin before the start or last past the end (it then holds from the first
        day, or to the last); one wholly outside the run would never apply, a likely typo.
        """
        s = self.s
        if start is not None and start > until:
            yield (*path, "from"), "'from' is after 'until'"
        elif self.dates and until < s.start:
            yield (
                (*path, "until"),
                f"{until.isoformat()} is before the scenario starts ({s.start.isoformat()}), so "
                "this would never apply",
            )
        elif self.dates and start is not None and start > s.end:
            yield (
                (*path, "from"),
                f"{start.isoformat()} is after the scenario's last day ({s.end.isoformat()}), so "
                "this would never apply",
            )

    def distinct(self, path: Loc, names: Sequence[str]) -> Iterator[Problem]:
        for i, name in enumerate(names):
            first = names.index(name)
            if first != i:
                yield (*path, i), f"'{name}' is listed twice (first as item {first})"
