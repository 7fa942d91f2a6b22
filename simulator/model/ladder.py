"""The escalation ladder as arrays indexed by rung, for vectorised decisions and consequences."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simulator.scenario.schema import ACTOR_TYPES, Rung

#: A rung's evidence (log-likelihood ratio, hostile type vs security seeker) when the ladder does
#: not give one: reassurance counts against hostility, cheap talk and posture not at all, and the
#: more offensive the move, the more it says (Kydd 2005).
EVIDENCE = {
    "de-escalation": -1.0,
    "status quo": 0.0,
    "posturing": 0.0,
    "non-violent": 0.5,
    "violent": 1.0,
    "war": 1.5,
}


@dataclass(frozen=True)
class Ladder:
    """Rung attributes as arrays; index ``i`` is the i-th rung of the scenario's ladder."""

    names: tuple[str, ...]
    labels: tuple[str, ...]
    categories: tuple[str, ...]
    level: np.ndarray
    hostility: np.ndarray
    score: np.ndarray
    defensive: np.ndarray
    covert: np.ndarray
    violent: np.ndarray
    war: np.ndarray
    #: rungs that invite retaliation, so deterrence weighs on them: beyond posturing
    deterred: np.ndarray
    #: moves that suppress their target for a while (raids)
    suppressive: np.ndarray
    #: moves below the status quo (gestures, mediation, agreements)
    conciliatory: np.ndarray
    #: a proxy's move of this rung may be blamed on its patron
    attributable: np.ndarray
    #: moves recorded in the event log by default: violent or covert
    logged: np.ndarray
    #: hostile moves that keep a replicate or a pair from counting as de-escalated
    hostile: np.ndarray
    lethality: np.ndarray
    casualties: np.ndarray
    fatality: np.ndarray
    damage: np.ndarray
    protection: np.ndarray
    suppression: np.ndarray
    duration: np.ndarray
    #: utility cost of each move (the status quo is free)
    cost: np.ndarray
    #: log-likelihood ratio (hostile vs security seeker) an unbiased observer reads from a move
    evidence: np.ndarray
    #: ``for_actor[type_index, rung]``: the rung is on that actor type's default menu.
    for_actor: np.ndarray
    #: ``against[rung, type_index]``: the rung can be aimed at a target of that type.
    against: np.ndarray
    status_quo: int

    @classmethod
    def from_rungs(cls, rungs: list[Rung], action_cost: float = 0.0) -> Ladder:
        """Build the arrays from a validated list of rungs; unpriced moves cost ``action_cost``."""

        def col(attr: str, dtype: type = np.float64) -> np.ndarray:
            return np.array([getattr(r, attr) for r in rungs], dtype=dtype)

        def types(attr: str) -> np.ndarray:
            return np.array([[t in getattr(r, attr) for t in ACTOR_TYPES] for r in rungs])

        names = tuple(r.name for r in rungs)
        status_quo = names.index("status_quo")
        violent, covert = col("violent", bool), col("covert", bool)
        cost = np.array(
            [action_cost if r.cost is None else r.cost for r in rungs], dtype=np.float64
        )
        cost[status_quo] = 0.0
        suppressive = np.array([r.suppression > 0 for r in rungs])
        evidence = np.array(
            [EVIDENCE[r.category] if r.evidence is None else r.evidence for r in rungs]
        )
        return cls(
            names=names,
            labels=tuple(r.label or r.name.replace("_", " ").capitalize() for r in rungs),
            categories=tuple(r.category for r in rungs),
            level=col("level"),
            hostility=col("hostility"),
            score=col("score"),
            defensive=col("defensive", bool),
            covert=covert,
            violent=violent,
            war=np.array([r.category == "war" for r in rungs]),
            deterred=np.array([r.category in ("non-violent", "violent", "war") for r in rungs]),
            suppressive=suppressive,
            conciliatory=np.array([r.level < 0 for r in rungs]),
            attributable=np.array(
                [
                    (r.violent or r.covert) if r.attributable is None else r.attributable
                    for r in rungs
                ]
            ),
            logged=violent | covert,
            hostile=violent | covert | suppressive,
            lethality=col("lethality"),
            casualties=col("casualties"),
            fatality=col("fatality"),
            damage=col("damage"),
            protection=col("protection"),
            suppression=col("suppression"),
            duration=col("duration", np.int64),
            cost=cost,
            evidence=evidence,
            for_actor=types("actors").T.copy(),
            against=types("targets"),
            status_quo=status_quo,
        )

    def __len__(self) -> int:
        return len(self.names)

    def index(self, name: str) -> int:
        """Position of a rung by name."""
        return self.names.index(name)
