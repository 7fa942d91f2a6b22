"""What each replicate did: per-replicate tallies, per-day aggregates, outcome classes, event log.

Outcome classes, most severe first (MODEL.md, "Outcomes"), for a replicate overall and for every
pair of actors:

- ``war``: a war-category move (major strikes) between two states;
- ``direct_clash``: a violent move by a state against another state, short of war;
- ``proxy_violence``: a violent move by or against a non-state actor, without a direct clash;
- ``contained``: hostile moves short of violence (covert action, raids), or a crisis that ended
  no calmer than it began;
- ``de_escalated``: no hostile move, and less threat at the end than at the start.

Violence is classified the same way for states and militias: a violent move counts whether or not
it caused casualties (those are counted apart). Forced moves count in ``outcome``; the class the
actors' own choices produced is ``outcome_chosen``.

The escalation index of a replicate is an exponentially weighted sum (half-life 7 days) of the
Rivera et al. (2024) scores of every actor's daily move: "escalation points", where a week of
posturing by one actor is about 4 × 7 ≈ 20 points and one violent move 28.
"""

from __future__ import annotations

from itertools import combinations
from typing import TYPE_CHECKING

import numpy as np

# the names live in a module without numpy (the command line reads them); re-exported here
from simulator.model.labels import EVENT_LOGS as EVENT_LOGS
from simulator.model.labels import OUTCOME_LABELS as OUTCOME_LABELS
from simulator.model.labels import OUTCOMES as OUTCOMES
from simulator.model.points import sum_rows, take

if TYPE_CHECKING:
    from simulator.model.events import Forced
    from simulator.model.observation import Blame
    from simulator.model.violence import Outcome
    from simulator.model.world import EscalationModel

WAR, CLASH, PROXY, CONTAINED, CALM = range(5)
HALF_LIFE_DAYS = 7.0
#: Threat is summed over replicates in fixed point (units of 2**-32) so that sums, and so the
#: stored daily means, are exactly the same however the replicates were chunked.
THREAT_SCALE = 2.0**32
_KEEP = 0.5 ** (1.0 / HALF_LIFE_DAYS)
#: days over which escalation velocity is measured
VELOCITY_DAYS = 7


class Recorder:
    """Accumulates a run's records without keeping per-actor daily histories."""

    def __init__(self, model: EscalationModel, event_log: str = "default"):
        if event_log not in EVENT_LOGS:
            raise ValueError(f"event_log must be one of {EVENT_LOGS}, got {event_log!r}")
        n, R, D = model.n, model.replicates, model.horizon
        self.model = model
        self.event_log = event_log
        self.states = np.flatnonzero(model.is_state)
        self.pairs = list(combinations(range(n), 2))
        pair_index = np.full((n, n), -1, dtype=np.int64)
        for p, (a, b) in enumerate(self.pairs):
            pair_index[a, b] = pair_index[b, a] = p
        self.pair_index = pair_index
        self.escalation = np.zeros((D, R), dtype=np.float32)
        self.escalation_now = np.zeros(R)
        self.mix = np.zeros((D, n, len(model.ladder)), dtype=np.int64)
        self.threat_sum = np.zeros((D, n, n), dtype=np.int64)
        self.first_clash = np.full(R, -1, dtype=np.int64)
        self.first_war = np.full(R, -1, dtype=np.int64)
        self.first_ceasefire = np.full(R, -1, dtype=np.int64)
        self.peak_rung = np.full(R, model.ladder.status_quo, dtype=np.int64)
        self.peak_escalation = np.zeros(R)
        self.casualties = np.zeros((n, R), dtype=np.int64)
        self.deaths = np.zeros((n, R), dtype=np.int64)
        self.damage = np.zeros((n, R))
        self.attacks = np.zeros((n, R), dtype=np.int64)
        self.lethal_attacks = np.zeros((n, R), dtype=np.int64)
        self.conciliatory = np.zeros((n, R), dtype=np.int64)
        self.red_lines_tripped = np.zeros((n, R), dtype=np.int64)
        self.war_days = np.zeros(R, dtype=np.int64)
        # worst class so far, overall and per pair; with and without forced moves
        self.worst = np.full(R, CALM, dtype=np.int8)
        self.worst_chosen = np.full(R, CALM, dtype=np.int8)
        self.pair_worst = np.full((len(self.pairs), R), CALM, dtype=np.int8)
        self.initial_threat = sum_rows(model.threat)
        # buffers for the fixed-point threat sum (one observer at a time) and the escalation index
        self._scaled = np.empty((n, R))
        self._fixed = np.empty((n, R), dtype=np.int64)
        self._scores = self._scaled  # one buffer: the day's scores are summed before any scaling
        self._score_sum = np.empty(R)
        self.initial_pair_threat = self._pair_threat()
        # misperception and recovery
        self.first_violence = np.full(R, -1, dtype=np.int64)
        self.accidental = np.zeros(R, dtype=bool)
        self.clash_pair = np.full((2, R), -1, dtype=np.int64)
        self.clash_threat = np.zeros(R)
        self.deescalation_day = np.full(R, -1, dtype=np.int64)
        self.events: list[tuple[np.ndarray, ...]] = []
        # class of each rung's move against each target type: war / clash / proxy / contained
        lad = model.ladder
        self._class_vs_state = np.where(
            lad.war, WAR, np.where(lad.violent, CLASH, np.where(lad.hostile, CONTAINED, CALM))
        ).astype(np.int8)
        self._class_vs_other = np.where(
            lad.violent, PROXY, np.where(lad.hostile, CONTAINED, CALM)
        ).astype(np.int8)

    def _pair_threat(self) -> np.ndarray:
        t = self.model.threat
        return np.array([t[a, b] + t[b, a] for a, b in self.pairs]).reshape(len(self.pairs), -1)

    # -- before consequences: who moved on what beliefs -------------------------------------
    def decisions(
        self, day: int, rung: np.ndarray, target: np.ndarray, forced: dict[int, Forced]
    ) -> None:
        """Note the first chosen violence of each replicate and the beliefs behind it.

        Called after the decisions and before anyone observes them, so the beliefs are those
        the movers acted on. Violence is *accidental* when the mover's belief that its target is
        hostile rose above its prior mostly through misread defensive moves.
        """
        m, lad = self.model, self.model.ladder
        unseen = self.first_violence < 0
        for i in range(m.n):
            if i in forced:
                continue
            cols = np.flatnonzero(lad.violent[rung[i]] & unseen)
            if not len(cols):
                continue
            k = target[i, cols]
            p = m.beliefs.p[i, k, cols]
            rise = np.log(p / (1.0 - p)) - take(m.beliefs.prior[i], k, cols)
            misread = m.beliefs.misread[i, k, cols]
            self.first_violence[cols] = day
            unseen[cols] = False
            self.accidental[cols] = (rise > 0) & (misread > 0.5 * rise)
        unclashed = self.first_clash < 0
        if unclashed.any():
            for i in map(int, self.states):
                r, k = rung[i], target[i]
                cols = np.flatnonzero(lad.violent[r] & m.is_state[k] & unclashed)
                k = k[cols]
                self.clash_pair[0, cols], self.clash_pair[1, cols] = i, k
                self.clash_threat[cols] = m.threat[i, k, cols] + m.threat[k, i, cols]

    # -- after the day ----------------------------------------------------------------------
    def record(
        self,
        day: int,
        rung: np.ndarray,
        target: np.ndarray,
        counts: np.ndarray,
        forced: dict[int, Forced],
        outcome: Outcome,
        tripped: np.ndarray,
        blame: Blame,
    ) -> None:
        """Fold one day's moves and consequences into the tallies."""
        m, lad = self.model, self.model.ladder
        violent = lad.violent[rung]
        states = self.states
        state_target = m.is_state[target[states]]  # violence between states, from their rows
        direct = violent[states] & state_target
        war = lad.war[rung[states]] & state_target
        for first, happened in ((self.first_clash, direct.any(0)), (self.first_war, war.any(0))):
            first[(first < 0) & happened] = day
        # escalation_now · keep + today's scores, in place (rungs are valid indices: no clipping)
        scores = np.take(lad.score, rung, out=self._scores, mode="clip")
        self.escalation_now *= _KEEP
        self.escalation_now += sum_rows(scores, out=self._score_sum)  # actor after actor
        self.escalation[day] = self.escalation_now
        np.maximum(self.peak_escalation, self.escalation_now, out=self.peak_escalation)
        np.maximum(self.peak_rung, rung.max(axis=0), out=self.peak_rung)
        if outcome.attacks:
            np.add(self.casualties, outcome.losses, out=self.casualties, casting="unsafe")
            np.add(self.deaths, outcome.deaths, out=self.deaths, casting="unsafe")
            self.attacks += violent
            self.lethal_attacks += outcome.caused > 0
        if (counts[:, lad.damage > 0]).any():
            self.damage += outcome.damage
        if counts[:, lad.conciliatory].any():
            self.conciliatory += lad.conciliatory[rung]
        if tripped.any():
            self.red_lines_tripped += tripped
        self.mix[day] = counts
        for o in range(m.n):  # integer sums: exact, whatever the order
            scaled = np.multiply(m.threat[o], THREAT_SCALE, out=self._scaled)
            np.rint(scaled, out=scaled)
            np.copyto(self._fixed, scaled, casting="unsafe")
            self._fixed.sum(axis=1, out=self.threat_sum[day, o])
        # classes: each actor's move classifies the pair (actor, target) and the replicate
        hostile = lad.hostile | lad.violent
        for i in range(m.n):
            if not counts[i, hostile].any():
                continue
            cols = np.flatnonzero(hostile[rung[i]])
            k = target[i, cols]
            r = rung[i, cols]
            both_states = m.is_state[i] & m.is_state[k]
            code = np.where(both_states, self._class_vs_state[r], self._class_vs_other[r])
            # one move per actor and replicate: the columns are distinct, so plain indexing works
            self.worst[cols] = np.minimum(self.worst[cols], code)
            if i not in forced:
                self.worst_chosen[cols] = np.minimum(self.worst_chosen[cols], code)
            p = self.pair_index[i, k]
            self.pair_worst[p, cols] = np.minimum(self.pair_worst[p, cols], code)
        if (self.first_war >= 0).any():
            self.war_days += m.at_war.any(axis=(0, 1))
        self._recovery(day)
        if self.event_log != "none":
            self._log(day, rung, target, forced, outcome, blame)

    def _recovery(self, day: int) -> None:
        """Note the day a clashing pair's mutual threat falls back below its eve-of-clash level.

        That is the time from a clash to de-escalation (MODEL.md), counted from the first clash.
        """
        pending = np.flatnonzero((self.clash_pair[0] >= 0) & (self.deescalation_day < 0))
        pending = pending[self.first_clash[pending] < day]
        if not len(pending):
            return
        t = self.model.threat
        a, b = self.clash_pair[0, pending], self.clash_pair[1, pending]
        now = t[a, b, pending] + t[b, a, pending]
        calm = now < self.clash_threat[pending]
        self.deescalation_day[pending[calm]] = day

    def ceasefire(self, day: int, reached: np.ndarray) -> None:
        """Note the first ceasefire of each replicate (``reached``: pair × replicate)."""
        cols = reached.any(axis=(0, 1))
        self.first_ceasefire[cols & (self.first_ceasefire < 0)] = day

    def logged_rungs(self) -> np.ndarray:
        """Which rungs' moves the event log records (forced moves are recorded whatever rung).

        Violent and covert ones by default; with ``all``, every move but the status quo.
        """
        lad = self.model.ladder
        return lad.logged if self.event_log == "default" else lad.level != 0

    def _log(
        self,
        day: int,
        rung: np.ndarray,
        target: np.ndarray,
        forced: dict[int, Forced],
        outcome: Outcome,
        blame: Blame,
    ) -> None:
        m = self.model
        logged = self.logged_rungs()
        p = m.perception  # blamers[perpetrator, victim]: may the victim blame someone else?
        some = p.attribution > 0  # in any column, where stacked design points differ
        to, share = p.attribute_to.T, (some if some.ndim == 2 else some.any(axis=2)).T
        blamers = (to >= 0) & (to != np.arange(m.n)) & share
        for i in range(m.n):
            if i in forced:
                cols = m.columns
            else:
                cols = np.flatnonzero(logged[rung[i]])
                if not len(cols):
                    continue
            k = target[i, cols]
            attributed = np.full(len(cols), i, dtype=np.int64)
            for victim in np.flatnonzero(blamers[i] & (np.bincount(k, minlength=m.n) > 0)):
                sel = k == victim
                attributed[sel] = blame(int(victim), attributed[sel], cols[sel])
            self.events.append(
                (
                    m.layout.replicate[cols].astype(np.int32),
                    np.full(len(cols), day, dtype=np.int16),
                    np.full(len(cols), i, dtype=np.int8),
                    rung[i, cols].astype(np.int8),
                    k.astype(np.int8),
                    attributed.astype(np.int8),
                    outcome.caused[i, cols].astype(np.int32),
                    outcome.killed[i, cols].astype(np.int32),
                    np.full(len(cols), i in forced),
                    m.layout.point[cols].astype(np.int32),
                )
            )

    # -- at the end ------------------------------------------------------------------------
    def outcome_codes(self, chosen: bool = False) -> np.ndarray:
        """Index into :data:`OUTCOMES` for every replicate (``chosen``: forced moves left out)."""
        worst = (self.worst_chosen if chosen else self.worst).astype(np.int64)
        calmer = sum_rows(self.model.threat) < self.initial_threat
        return np.where((worst == CALM) & ~calmer, CONTAINED, worst)

    def pair_codes(self) -> np.ndarray:
        """Index into :data:`OUTCOMES` for every pair of actors (rows) and replicate."""
        calmer = self._pair_threat() < self.initial_pair_threat
        worst = self.pair_worst.astype(np.int64)
        return np.where((worst == CALM) & ~calmer, CONTAINED, worst)

    def velocity(self) -> np.ndarray:
        """Escalation velocity: the steepest rise of the index over a week, points per day."""
        e = self.escalation.astype(np.float64)
        if len(e) <= VELOCITY_DAYS:
            return (e.max(axis=0) - 0.0) / max(len(e), 1)
        rise = e[VELOCITY_DAYS:] - e[:-VELOCITY_DAYS]
        start = e[:VELOCITY_DAYS]  # the first week rises from zero
        return np.maximum(rise.max(axis=0), start.max(axis=0)) / VELOCITY_DAYS

    def event_columns(self) -> dict[str, np.ndarray]:
        """The event log as columns (empty arrays when nothing was logged).

        A model of several design points adds ``point``, the design point of each event.
        """
        names = (
            "replicate",
            "day",
            "actor",
            "rung",
            "target",
            "attributed_to",
            "casualties",
            "deaths",
            "forced",
            "point",
        )
        dtypes = (
            np.int32, np.int16, np.int8, np.int8, np.int8, np.int8, np.int32, np.int32, bool,
            np.int32,
        )  # fmt: skip
        if not self.events:
            out = {n: np.zeros(0, dtype=d) for n, d in zip(names, dtypes, strict=True)}
        else:
            parts = list(zip(*self.events, strict=True))
            out = {n: np.concatenate(p) for n, p in zip(names, parts, strict=True)}
        if self.model.layout.points == 1:
            del out["point"]
        return out
