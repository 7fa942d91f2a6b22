"""A day-by-day account of the first replicate of a model, for reading one simulated crisis."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from simulator.model.events import Forced
    from simulator.model.violence import Outcome
    from simulator.model.world import EscalationModel


class DayTrace:
    """A day-by-day account of replicate column 0.

    Who did what to whom, on what desire and belief, how it was read, and what it cost.
    """

    def __init__(self, model: EscalationModel):
        self.model = model
        self.days: list[dict[str, Any]] = []
        self._perceptions: list[dict[str, Any]] = []
        self._moves: list[dict[str, Any]] = []

    def decided(self, rung: np.ndarray, target: np.ndarray, desire: np.ndarray) -> None:
        """Note each actor's move in replicate 0, with the desire and belief behind it."""
        m = self.model
        lad = m.ladder
        self._moves = []
        for i in range(m.n):
            r, k = int(rung[i, 0]), int(target[i, 0])
            self._moves.append(
                {
                    "actor": m.names[i],
                    "rung": lad.names[r],
                    "label": lad.labels[r],
                    "target": m.names[k],
                    "desire": float(desire[i, 0]),
                    "p_hostile": float(m.beliefs.p_hostile(i, k)[0]),
                    "threat": float(m.threat[i, k, 0]),
                    "grievance": float(m.grievance[i, k, 0]),
                    "violent": bool(lad.violent[r]),
                }
            )

    def perceived(
        self,
        observer: int,
        actor: int,
        seen: np.ndarray,
        culprit: np.ndarray,
        columns: np.ndarray,
    ) -> None:
        """Note how ``observer`` read ``actor``'s move today and whom it blamed."""
        if not len(columns) or columns[0] != 0:
            return
        self._perceptions.append(
            {
                "observer": self.model.names[observer],
                "actor": self.model.names[actor],
                "hostility": float(seen[0]),
                "blamed": self.model.names[int(culprit[0])],
            }
        )

    def record(
        self,
        day: int,
        forced: dict[int, Forced],
        outcome: Outcome,
        tripped: np.ndarray,
        kept: np.ndarray,
        lapsed: np.ndarray,
    ) -> None:
        """Close the day's entry."""
        m = self.model
        names, lad = m.names, m.ladder
        for i, move in enumerate(self._moves):
            move["forced"] = i in forced
            move["casualties_caused"] = int(outcome.caused[i, 0])
            move["deaths_caused"] = int(outcome.killed[i, 0])
        lines = m.red_lines
        red_lines = [
            {
                "actor": names[i],
                "against": names[int(lines.target[i, 0])],
                "response": lad.names[int(lines.low[i, 0])],
                "days_left": int(lines.days[i, 0]),
            }
            for i in range(m.n)
            if tripped[i, 0]
        ]
        self.days.append(
            {
                "day": day,
                "date": (m.scenario.start + dt.timedelta(days=day)).isoformat(),
                "events": [e.label or f"{e.kind} event" for e in m.events.today],
                "moves": self._moves,
                "perceptions": [p for p in self._perceptions if p["hostility"] != 0.0],
                "losses": {
                    names[i]: {
                        "casualties": int(outcome.losses[i, 0]),
                        "deaths": int(outcome.deaths[i, 0]),
                    }
                    for i in range(m.n)
                    if outcome.losses[i, 0] > 0
                },
                "red_lines": red_lines,
                "promises_kept": [names[i] for i in range(m.n) if kept[i, 0]],
                "promises_lapsed": [names[i] for i in range(m.n) if lapsed[i, 0]],
                "at_war": [
                    f"{names[a]}-{names[b]}"
                    for a in range(m.n)
                    for b in range(a + 1, m.n)
                    if m.at_war[a, b, 0]
                ],
                "escalation": float(m.recorder.escalation_now[0]),
                "threat": {
                    f"{names[o]}->{names[a]}": float(m.threat[o, a, 0])
                    for o in range(m.n)
                    for a in range(m.n)
                    if o != a and m.threat[o, a, 0] > 0.005
                },
            }
        )
        self._perceptions = []
