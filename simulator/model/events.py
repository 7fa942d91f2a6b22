"""Dated events: applied at the start of their day, the same in every replicate."""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
from pydantic import TypeAdapter

from simulator.model.points import PointSpec
from simulator.scenario.schema import (
    DEFAULT_KEY,
    ActionEvent,
    Actor,
    Event,
    GrievanceEvent,
    PerceptionEvent,
    Scenario,
    SetEvent,
    ThreatEvent,
)

if TYPE_CHECKING:
    from simulator.model.world import EscalationModel

_ACTOR: TypeAdapter[Any] = TypeAdapter(Actor)


class Forced(NamedTuple):
    """A forced move: rung and target per replicate, and the losses history fixes (or None)."""

    rung: np.ndarray
    target: np.ndarray
    deaths: int | None
    wounded: int | None


class EventSchedule:
    """The scenario's events grouped by day, and how each kind changes the world."""

    def __init__(self, scenario: Scenario, model: EscalationModel):
        self.model = model
        self.by_day: dict[int, list[Event]] = defaultdict(list)
        for event in scenario.events:
            self.by_day[scenario.day_of(event.date)].append(event)
        #: events applied on the latest day, for the trace
        self.today: list[Event] = []

    def apply(self, day: int) -> dict[int, Forced]:
        """Apply the day's events; return the forced moves by actor index."""
        m = self.model
        forced: dict[int, Forced] = {}
        self.today = self.by_day.get(day, [])
        rebuild = False
        for e in self.today:
            if isinstance(e, SetEvent):
                agent = m.actors[m.index_of[e.actor]]
                specs = [
                    _ACTOR.validate_python(s.model_dump(by_alias=True) | e.set)
                    for s in agent.spec.specs
                ]
                agent.configure(PointSpec(specs, m.layout))
                rebuild = True
            elif isinstance(e, GrievanceEvent):
                i = m.index_of[e.actor]
                aims = [m.index_of[e.against]] if e.against else sorted(m.actors[i].grudges())
                m.aggrieve(i, aims, e.amount)
            elif isinstance(e, ThreatEvent):
                o, a = m.index_of[e.observer], m.index_of[e.actor]
                m.threat[o, a] = np.maximum(m.threat[o, a] + e.amount, 0.0)
            elif isinstance(e, PerceptionEvent):
                o = m.index_of[e.observer]
                actors = range(m.n) if e.actor == DEFAULT_KEY else [m.index_of[e.actor]]
                for a in actors:
                    if a == o:
                        continue
                    m.perception.apply(o, a, e.set, m.names)
                    if e.set.prior_hostile is not None:
                        m.beliefs.set_prior(o, a, e.set.prior_hostile)
                    if e.set.credibility is not None:
                        m.beliefs.set_credibility_prior(o, a, e.set.credibility)
                rebuild = True
            elif isinstance(e, ActionEvent):
                forced[m.index_of[e.actor]] = Forced(
                    np.full(m.replicates, m.ladder.index(e.rung)),
                    np.full(m.replicates, m.index_of[e.target]),
                    e.deaths,
                    e.wounded,
                )
        if rebuild:
            m.rebuild()
        return forced
