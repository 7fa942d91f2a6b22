"""A day-by-day account of the first replicate of a model, for reading one simulated crisis."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from simulator.model.world import EscalationModel


class DayTrace:
    """Collects, for replicate column 0, who did what to whom, how it was read, and its cost."""

    def __init__(self, model: EscalationModel):
        self.model = model
        self.days: list[dict] = []
        self._perceptions: list[dict] = []

    def perceived(self, observer: int, actor: int, seen: np.ndarray, culprit: np.ndarray) -> None:
        """Note how ``observer`` read ``actor``'s move today and whom it blamed."""
        self._perceptions.append(
            {
                "observer": self.model.names[observer],
                "actor": self.model.names[actor],
                "hostility": float(seen[0]),
                "blamed": self.model.names[int(culprit[0])],
            }
        )

    def record(self, day, rung, target, desire, losses, caused, blamed, tripped) -> None:
        """Close the day's entry."""
        m = self.model
        names, lad = m.names, m.ladder
        moves = []
        for i in range(m.n):
            r = int(rung[i, 0])
            moves.append(
                {
                    "actor": names[i],
                    "rung": lad.names[r],
                    "label": lad.labels[r],
                    "target": names[int(target[i, 0])],
                    "desire": float(desire[i, 0]),
                    "violent": bool(lad.violent[r]),
                    "casualties_caused": int(caused[i, 0]),
                }
            )
        red_lines = [
            {
                "actor": names[i],
                "against": names[int(m.commit_target[i, 0])],
                "response": lad.names[int(m.commit_rung[i, 0])],
            }
            for i in range(m.n)
            if tripped[i, 0]
        ]
        self.days.append(
            {
                "day": day,
                "date": (m.scenario.start + dt.timedelta(days=day)).isoformat(),
                "events": [e.label or f"{e.kind} event" for e in m.events.today],
                "moves": moves,
                "perceptions": [p for p in self._perceptions if p["hostility"] != 0.0],
                "losses": {names[i]: int(losses[i, 0]) for i in range(m.n) if losses[i, 0] > 0},
                "red_lines": red_lines,
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
