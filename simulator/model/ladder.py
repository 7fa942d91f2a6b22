"""The escalation ladder as arrays indexed by rung, for vectorised decisions and consequences."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simulator.scenario.schema import Rung

ACTOR_TYPES = ("state", "host", "militia")


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
    #: covert moves that do damage without violence (sabotage, cyber)
    covert_harmless: np.ndarray
    #: moves that suppress their target for a while (raids)
    suppressive: np.ndarray
    #: moves below the status quo (gestures, mediation, agreements)
    conciliatory: np.ndarray
    lethality: np.ndarray
    casualties: np.ndarray
    damage: np.ndarray
    protection: np.ndarray
    suppression: np.ndarray
    duration: np.ndarray
    #: ``for_actor[type_index, rung]``: the rung is on that actor type's default menu.
    for_actor: np.ndarray
    #: ``against[rung, type_index]``: the rung can be aimed at a target of that type.
    against: np.ndarray
    status_quo: int

    @classmethod
    def from_rungs(cls, rungs: list[Rung]) -> Ladder:
        """Build the arrays from a validated list of rungs."""

        def col(attr: str, dtype=np.float64) -> np.ndarray:
            return np.array([getattr(r, attr) for r in rungs], dtype=dtype)

        def types(attr: str) -> np.ndarray:
            return np.array([[t in getattr(r, attr) for t in ACTOR_TYPES] for r in rungs])

        names = tuple(r.name for r in rungs)
        return cls(
            names=names,
            labels=tuple(r.label or r.name.replace("_", " ").capitalize() for r in rungs),
            categories=tuple(r.category for r in rungs),
            level=col("level"),
            hostility=col("hostility"),
            score=col("score"),
            defensive=col("defensive", bool),
            covert=col("covert", bool),
            violent=col("violent", bool),
            war=np.array([r.category == "war" for r in rungs]),
            deterred=np.array([r.category in ("non-violent", "violent", "war") for r in rungs]),
            covert_harmless=np.array([r.covert and not r.violent for r in rungs]),
            suppressive=np.array([r.suppression > 0 for r in rungs]),
            conciliatory=np.array([r.level < 0 for r in rungs]),
            lethality=col("lethality"),
            casualties=col("casualties"),
            damage=col("damage"),
            protection=col("protection"),
            suppression=col("suppression"),
            duration=col("duration", np.int64),
            for_actor=types("actors").T.copy(),
            against=types("targets"),
            status_quo=names.index("status_quo"),
        )

    def __len__(self) -> int:
        return len(self.names)

    def index(self, name: str) -> int:
        """Position of a rung by name."""
        return self.names.index(name)
