"""What each replicate did: per-replicate tallies, per-day aggregates and the outcome class.

Outcome classes, most severe first (MODEL.md, "Outcomes"):

- ``war``: a war-category move (major strikes) against a state (only states have such moves on
  the default ladder);
- ``direct_clash``: a violent move by a state against another state, short of war;
- ``proxy_violence``: violence that killed or wounded someone, without a direct state clash;
- ``contained``: hostile moves (violence without casualties, covert action, raids) or a crisis
  that ended no calmer than it began, but no casualties;
- ``de_escalated``: no violence and total threat lower at the end than at the start.

The escalation index of a replicate is an exponentially weighted sum (half-life 7 days) of the
Rivera et al. (2024) scores of every actor's daily move: a smooth "escalation points" scale.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from simulator.model.world import EscalationModel

OUTCOMES = ("war", "direct_clash", "proxy_violence", "contained", "de_escalated")
OUTCOME_LABELS = {
    "war": "State-on-state war",
    "direct_clash": "Direct clash short of war",
    "proxy_violence": "Lethal proxy violence",
    "contained": "Contained",
    "de_escalated": "De-escalated",
}
HALF_LIFE_DAYS = 7.0
#: Threat is summed over replicates in fixed point (units of 2**-32) so that sums, and so the
#: stored daily means, are exactly the same however the replicates were chunked.
THREAT_SCALE = 2.0**32
_KEEP = 0.5 ** (1.0 / HALF_LIFE_DAYS)


class Recorder:
    """Accumulates a run's records without keeping per-actor daily histories."""

    def __init__(self, model: EscalationModel):
        n, R, D = model.n, model.replicates, model.horizon
        self.model = model
        self.is_state = model.actor_type_index == 0
        self.escalation = np.zeros((D, R), dtype=np.float32)
        self.escalation_now = np.zeros(R)
        self.mix = np.zeros((D, n, len(model.ladder)), dtype=np.int64)
        self.threat_sum = np.zeros((D, n, n), dtype=np.int64)
        self.first_clash = np.full(R, -1, dtype=np.int64)
        self.first_war = np.full(R, -1, dtype=np.int64)
        self.peak_rung = np.full(R, model.ladder.status_quo, dtype=np.int64)
        self.peak_escalation = np.zeros(R)
        self.casualties = np.zeros((n, R), dtype=np.int64)
        self.damage = np.zeros((n, R))
        self.attacks = np.zeros((n, R), dtype=np.int64)
        self.lethal_attacks = np.zeros((n, R), dtype=np.int64)
        self.red_lines_tripped = np.zeros((n, R), dtype=np.int64)
        self.hostile = np.zeros(R, dtype=bool)
        self.initial_threat = model.threat.sum(axis=(0, 1))

    def record(self, day, rung, target, counts, losses, damage, caused) -> None:
        """Fold one day's moves and consequences into the tallies."""
        lad = self.model.ladder
        state_target = self.is_state[target]
        violent = lad.violent[rung]
        direct = violent & self.is_state[:, None] & state_target
        war = lad.war[rung] & state_target
        for first, happened in ((self.first_clash, direct.any(0)), (self.first_war, war.any(0))):
            first[(first < 0) & happened] = day
        self.escalation_now = self.escalation_now * _KEEP + lad.score[rung].sum(axis=0)
        self.escalation[day] = self.escalation_now
        np.maximum(self.peak_escalation, self.escalation_now, out=self.peak_escalation)
        np.maximum(self.peak_rung, rung.max(axis=0), out=self.peak_rung)
        self.casualties += losses.astype(np.int64)
        self.damage += damage
        self.attacks += violent
        self.lethal_attacks += caused > 0
        self.hostile |= (violent | lad.covert[rung] | (lad.suppression[rung] > 0)).any(axis=0)
        self.mix[day] = counts
        fixed = np.rint(self.model.threat * THREAT_SCALE).astype(np.int64)
        self.threat_sum[day] = fixed.sum(axis=2)

    def outcome_codes(self) -> np.ndarray:
        """Index into :data:`OUTCOMES` for every replicate."""
        calmer = self.model.threat.sum(axis=(0, 1)) < self.initial_threat
        lethal = self.casualties.sum(axis=0) > 0
        code = np.full(self.model.replicates, OUTCOMES.index("contained"))
        code[~self.hostile & calmer] = OUTCOMES.index("de_escalated")
        code[lethal] = OUTCOMES.index("proxy_violence")
        code[self.first_clash >= 0] = OUTCOMES.index("direct_clash")
        code[self.first_war >= 0] = OUTCOMES.index("war")
        return code
