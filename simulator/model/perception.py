"""Perception settings resolved into observer × actor arrays.

Lookup order for a pair (observer ``o``, actor ``a``): ``perception[o][a]``, then
``perception[o].default``, then ``perception.default[a]``, then ``perception.default.default``,
then the built-in defaults below (a perfect observer: no bias, no noise, sees everything, blames
the perpetrator only, holds an even prior on every actor's type, and believes each actor's red
lines as far as its audience cost makes them credible).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simulator.model.points import Columns
from simulator.scenario.schema import DEFAULT_KEY, MilitiaActor, PerceptionPatch, Scenario

BUILT_IN = {
    "offense_bias": 0.0,
    "noise": 0.0,
    "detection": 1.0,
    "attribution": 0.0,
    "prior_hostile": 0.5,
}


@dataclass
class Perception:
    """Per-pair perception arrays, shape (observers, actors); mutable by dated events."""

    offense_bias: np.ndarray
    noise: np.ndarray
    detection: np.ndarray
    attribution: np.ndarray
    #: index of the actor an observer blames for an actor's moves (its patron by default), or -1.
    attribute_to: np.ndarray
    #: estimates of each actor's resolve and capability held by each observer; NaN = true value.
    resolve_estimate: np.ndarray
    capability_estimate: np.ndarray
    #: prior probability that the actor is a hostile type, per observer
    prior_hostile: np.ndarray
    #: prior belief that the actor keeps its red lines, per observer
    credibility: np.ndarray

    @classmethod
    def build(cls, scenario: Scenario) -> Perception:
        """Resolve the scenario's perception table into arrays."""
        names = list(scenario.actors)
        n = len(names)
        p = cls(
            **{k: np.full((n, n), v) for k, v in BUILT_IN.items()},
            credibility=np.zeros((n, n)),
            attribute_to=np.full((n, n), -1, dtype=np.int64),
            resolve_estimate=np.full((n, n), np.nan),
            capability_estimate=np.full((n, n), np.nan),
        )
        for a, spec in enumerate(scenario.actors.values()):
            if isinstance(spec, MilitiaActor):
                p.attribute_to[:, a] = names.index(spec.patron)
            p.credibility[:, a] = spec.audience_cost
        table = scenario.perception
        for obs_key, act_key in (
            (DEFAULT_KEY, DEFAULT_KEY),
            (DEFAULT_KEY, None),
            (None, DEFAULT_KEY),
            (None, None),
        ):
            for o, observer in enumerate(names):
                for a, actor in enumerate(names):
                    patch = table.get(obs_key or observer, {}).get(act_key or actor)
                    if patch is not None and o != a:
                        p.apply(o, a, patch, names)
        return p

    @classmethod
    def stack(cls, points: list[Perception], columns: Columns) -> Perception:
        """Design points' perception side by side: a number that differs gets a column axis."""
        first = points[0]
        if any(not np.array_equal(p.attribute_to, first.attribute_to) for p in points[1:]):
            raise ValueError("design points differ in whom observers blame (attribute_to)")
        return cls(
            **{
                f: first.attribute_to
                if f == "attribute_to"
                else columns.stack([getattr(p, f) for p in points])
                for f in cls.__dataclass_fields__
            }
        )

    def apply(self, o: int, a: int, patch: PerceptionPatch, names: list[str]) -> None:
        """Overwrite the fields a patch sets for the pair (o, a)."""
        for field, value in patch.model_dump(exclude_none=True).items():
            if field == "attribute_to":
                self.attribute_to[o, a] = names.index(value)
            else:
                getattr(self, field)[o, a] = value
