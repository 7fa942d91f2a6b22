"""Dated events: applied at the start of their day, the same in every replicate."""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

import numpy as np
from pydantic import TypeAdapter

from simulator.scenario.schema import (
    DEFAULT_KEY,
    ActionEvent,
    Actor,
    GrievanceEvent,
    PerceptionEvent,
    Scenario,
    SetEvent,
    ThreatEvent,
)

if TYPE_CHECKING:
    from simulator.model.world import EscalationModel

_ACTOR = TypeAdapter(Actor)


class EventSchedule:
    """The scenario's events grouped by day, and how each kind changes the world."""

    def __init__(self, scenario: Scenario, model: EscalationModel):
        self.model = model
        self.by_day: dict[int, list] = defaultdict(list)
        for event in scenario.events:
            self.by_day[scenario.day_of(event.date)].append(event)
        #: events applied on the latest day, for the trace
        self.today: list = []

    def apply(self, day: int) -> dict[int, tuple[np.ndarray, np.ndarray]]:
        """Apply the day's events; return the forced moves as {actor: (rung, target)}."""
        m = self.model
        forced: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        self.today = self.by_day.get(day, [])
        retarget = False
        for e in self.today:
            if isinstance(e, SetEvent):
                agent = m.actors[m.index_of[e.actor]]
                spec = _ACTOR.validate_python(agent.spec.model_dump(by_alias=True) | e.set)
                agent.configure(spec)
                if "grievance" in e.set:
                    m.grievance[agent.index] = spec.grievance
                retarget = True
            elif isinstance(e, GrievanceEvent):
                i = m.index_of[e.actor]
                m.grievance[i] = np.clip(m.grievance[i] + e.amount, 0.0, 2.0)
            elif isinstance(e, ThreatEvent):
                o, a = m.index_of[e.observer], m.index_of[e.actor]
                m.threat[o, a] = np.maximum(m.threat[o, a] + e.amount, 0.0)
            elif isinstance(e, PerceptionEvent):
                o = m.index_of[e.observer]
                actors = range(m.n) if e.actor == DEFAULT_KEY else [m.index_of[e.actor]]
                for a in actors:
                    if a != o:
                        m.perception.apply(o, a, e.set, m.names)
            elif isinstance(e, ActionEvent):
                rung = np.full(m.replicates, m.ladder.index(e.rung))
                target = np.full(m.replicates, m.index_of[e.target])
                forced[m.index_of[e.actor]] = (rung, target)
        if retarget:
            for agent in m.actors:
                agent.targets = np.array(agent.eligible_targets(), dtype=np.int64)
        return forced
