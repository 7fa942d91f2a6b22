"""The world: a Mesa model advancing R independent replicates of one crisis in lockstep.

One step is one day (MODEL.md, "Time and order"):

1. scheduled events apply (parameter changes, grievance and threat shocks, forced moves);
2. every actor decides simultaneously on yesterday's information;
3. consequences resolve: violent moves become casualties and damage, defensive moves raise
   protection, raids suppress proxies, mediation cools the others;
4. everyone observes and updates: threat decays and grows with perceived hostility (offense bias on
   defensive moves, noise, detection of covert moves, attribution to patrons), losses raise
   grievance and may trip red lines.

Every state variable is an array whose last axis is the replicate; every random draw comes from the
counter-based streams of :mod:`simulator.model.rng`, so a replicate's history depends only on the
scenario, the seed and its replicate index.
"""

from __future__ import annotations

import numpy as np
from mesa import DataCollector, Model

from simulator.model import rng as rng_mod
from simulator.model.actors import ACTOR_CLASSES, Actor, Militia
from simulator.model.events import EventSchedule
from simulator.model.ladder import ACTOR_TYPES, Ladder
from simulator.model.outcomes import Recorder
from simulator.model.perception import Perception
from simulator.model.sites import DrawSites
from simulator.model.trace import DayTrace
from simulator.scenario.schema import Scenario

#: Credibility lost (added to desired escalation) per unkept commitment, times audience cost.
CREDIBILITY_STEP = 0.1
#: Ceiling on the combined share of attacks foiled by a host's security on its soil.
MAX_SOIL_SECURITY = 0.95


class EscalationModel(Model):
    """The crisis model: ``replicates`` independent worlds of one scenario, stepped together.

    Args:
        scenario: a validated scenario.
        replicates: how many worlds to advance (default: the scenario's).
        seed: overrides the scenario's seed.
        first_replicate: index of the first world; replicate ``k`` of any run is the same world.
        trace: record a day-by-day account of the first replicate (for ``escalation trace``).

    """

    def __init__(
        self,
        scenario: Scenario,
        replicates: int | None = None,
        seed: int | None = None,
        first_replicate: int = 0,
        trace: bool = False,
    ):
        seed = scenario.seed if seed is None else int(seed)
        super().__init__(seed=seed)
        self.scenario = scenario
        self.seed_value = seed
        self.replicates = R = int(scenario.replicates if replicates is None else replicates)
        if R < 1:
            raise ValueError(f"replicates must be at least 1, got {R}")
        self.first_replicate = int(first_replicate)
        self.horizon = scenario.horizon_days
        self.columns = np.arange(R)
        self.ladder = Ladder.from_rungs(scenario.ladder)
        self.names = list(scenario.actors)
        self.index_of = {name: i for i, name in enumerate(self.names)}
        self.n = n = len(self.names)
        self.actor_type_index = np.array(
            [ACTOR_TYPES.index(a.type) for a in scenario.actors.values()]
        )
        self.actors: list[Actor] = [
            ACTOR_CLASSES[spec.type](self, name, i, spec)
            for i, (name, spec) in enumerate(scenario.actors.items())
        ]
        for a in self.actors:
            a.targets = np.array(a.eligible_targets(), dtype=np.int64)
        self.perception = Perception.build(scenario)
        self.events = EventSchedule(scenario, self)
        self._geography()
        self.sites = DrawSites(self)
        self.streams = rng_mod.ReplicateStreams(seed, self.first_replicate, R, self.sites.count)

        # -- state over replicates --
        self.threat = np.zeros((n, n, R))
        for i, spec in enumerate(scenario.actors.values()):
            for other, value in spec.initial_threat.items():
                self.threat[i, self.index_of[other]] = value
        self.grievance = np.array(
            [np.full(R, a.spec.grievance) for a in self.actors], dtype=np.float64
        )
        self.credibility_loss = np.zeros((n, R))
        self.protection = np.zeros((n, R))
        self.protection_days = np.zeros((n, R), dtype=np.int64)
        self.suppression = np.zeros((n, R))
        self.suppression_days = np.zeros((n, R), dtype=np.int64)
        self.commit_days = np.zeros((n, R), dtype=np.int64)
        self.commit_target = np.zeros((n, R), dtype=np.int64)
        self.commit_rung = np.zeros((n, R), dtype=np.int64)
        self.day = 0
        self.recorder = Recorder(self)
        self.tracer = DayTrace(self) if trace else None
        self.datacollector = DataCollector(
            model_reporters={
                "escalation": lambda m: float(m.recorder.escalation_now.mean()),
                "direct_clash": lambda m: float((m.recorder.first_clash >= 0).mean()),
                "casualties": lambda m: float(m.recorder.casualties.sum(axis=0).mean()),
            }
        )
        # no collection at construction: batch_run reports the last collected row as the final
        # state, so row s is the state after day s (s = 0 … horizon − 1)

    # -- geometry of the crisis: who is where, who sees what --------------------------------
    def _geography(self) -> None:
        """Where violence between two actors happens and who cares about a move against whom."""
        n, specs = self.n, list(self.scenario.actors.values())
        self.patron_of = np.array(
            [self.index_of[s.patron] if s.type == "militia" else -1 for s in specs]
        )
        self.host_of = np.array(
            [self.index_of[s.host] if s.type == "militia" and s.host else -1 for s in specs]
        )
        stationed = [{self.index_of[h] for h in getattr(s, "present_in", [])} for s in specs]
        # soil[a, k]: the host on whose soil a move by a against k lands (-1: none). Forces
        # stationed abroad are the exposed targets: a strike on them lands in their host.
        self.soil = np.full((n, n), -1, dtype=np.int64)
        for a in range(n):
            for k in range(n):
                if specs[k].type == "host":
                    self.soil[a, k] = k
                elif self.host_of[k] >= 0:
                    self.soil[a, k] = self.host_of[k]
                elif self.host_of[a] >= 0 and self.host_of[a] in stationed[k]:
                    self.soil[a, k] = self.host_of[a]
                elif stationed[k]:
                    self.soil[a, k] = min(stationed[k])
        solidarity = self.scenario.dynamics.solidarity
        # relevance[violent, a, o, k]: how much a move by a against k concerns observer o
        rel = np.zeros((2, n, n, n))
        for a in range(n):
            for o in range(n):
                if o == a:
                    continue
                for k in range(n):
                    base = 1.0 if k == o else 0.0
                    if self.patron_of[k] == o or self.patron_of[o] == k:
                        base = max(base, solidarity)
                    rel[:, a, o, k] = base
                    if specs[o].type == "host" and self.soil[a, k] == o:
                        rel[1, a, o, k] = max(base, solidarity)
        self.relevance = rel
        self.cares = rel.max(axis=(0, 3)) > 0  # cares[a, o]
        # where a pair's relevance is the same whatever the target and move, skip the lookup
        flat = rel.reshape(2, n, n, n)
        same = (flat == flat[:1, :, :, :1]).all(axis=(0, 3))
        self.relevance_constant = np.where(same, flat[0, :, :, 0], np.nan)

    # -- daily quantities -----------------------------------------------------------------
    def tension_without(self, host: int) -> np.ndarray:
        """Mean threat among the actors other than ``host`` (drives its mediation)."""
        others = [i for i in range(self.n) if i != host]
        sub = self.threat[np.ix_(others, others)]
        pairs = len(others) * (len(others) - 1)
        return sub.sum(axis=(0, 1)) / max(pairs, 1)

    def _today_constraints(self) -> None:
        date = self.scenario.start + np.timedelta64(self.day, "D").astype(object)
        self.restraint_today: list[tuple[int, float] | None] = []
        self.orders_today: list[int | None] = [None] * self.n
        for a in self.actors:
            caps = [
                (self.ladder.index(w.max_rung), w.strength)
                for w in a.spec.restraint
                if (w.start is None or w.start <= date) and date <= w.until
            ]
            self.restraint_today.append(min(caps) if caps else None)
            for order in getattr(a.spec, "orders", []):
                if (order.start is None or order.start <= date) and date <= order.until:
                    cap = self.ladder.index(order.max_rung)
                    for to in order.to:
                        j = self.index_of[to]
                        current = self.orders_today[j]
                        self.orders_today[j] = cap if current is None else min(current, cap)
        p = self.perception
        truth_resolve = np.array([a.spec.resolve for a in self.actors])
        truth_capability = np.array([a.spec.capability for a in self.actors])
        self.resolve_estimate = np.where(
            np.isnan(p.resolve_estimate), truth_resolve[None, :], p.resolve_estimate
        )
        self.capability_estimate = np.where(
            np.isnan(p.capability_estimate), truth_capability[None, :], p.capability_estimate
        )
        self.red_line_credibility = np.array(
            [a.spec.audience_cost if a.spec.red_lines else 0.0 for a in self.actors]
        )

    # -- the day ------------------------------------------------------------------------------
    def step(self) -> None:
        """Advance every replicate by one day."""
        day = self.day
        forced = self.events.apply(day)
        self._today_constraints()
        draws = self.sites.draw(day)
        rung = np.empty((self.n, self.replicates), dtype=np.int64)
        target = np.empty((self.n, self.replicates), dtype=np.int64)
        desire = np.empty((self.n, self.replicates))
        for a in self.actors:
            i = a.index
            rung[i], target[i], desire[i] = a.decide(
                day, draws.choice(i), draws.obey(i) if isinstance(a, Militia) else None
            )
            if i in forced:
                rung[i], target[i] = forced[i]
        self._keep_commitments(rung, target)
        counts = np.stack([np.bincount(r, minlength=len(self.ladder)) for r in rung])
        losses, caused, damage = self._consequences(rung, target, counts, draws)
        blamed, perpetrator = self._observe(rung, target, counts, caused, draws)
        self._update_grievance(losses)
        tripped = self._red_lines(losses, blamed, perpetrator)
        self.recorder.red_lines_tripped += tripped
        self._expire()
        self.recorder.record(day, rung, target, counts, losses, damage, caused)
        if self.tracer is not None:
            self.tracer.record(day, rung, target, desire, losses, caused, blamed, tripped)
        self.datacollector.collect(self)
        self.day += 1
        if self.day >= self.horizon:
            self.running = False

    def run(self) -> Recorder:
        """Step to the horizon and return the recorder holding the outcomes."""
        while self.running:
            self.step()
        return self.recorder

    def _keep_commitments(self, rung: np.ndarray, target: np.ndarray) -> None:
        kept = (rung >= self.commit_rung) & (target == self.commit_target)
        self.commit_days[kept & (self.commit_days > 0)] = 0

    def _consequences(self, rung, target, counts, draws):
        """Resolve today's moves; ``counts[i]`` says which rungs actor i chose anywhere.

        Moves are simultaneous: first every posture takes effect (defensive moves protect, raids
        suppress, mediation cools), then every attack resolves against that posture, so the order
        of actors in the file changes nothing.
        """
        lad, R = self.ladder, self.replicates
        losses = np.zeros((self.n, R))
        damage = np.zeros((self.n, R))
        caused = np.zeros((self.n, R))  # casualties inflicted by each actor today
        for a in self.actors:
            i, r, k, c = a.index, rung[a.index], target[a.index], counts[a.index]
            # each effect is rare on any one day: find the replicates it concerns, work on those
            if c[lad.defensive].any():
                idx = np.flatnonzero(lad.defensive[r])
                ri = r[idx]
                active = self.protection_days[i, idx] > 0
                current = np.where(active, self.protection[i, idx], 0.0)
                self.protection[i, idx] = np.maximum(current, lad.protection[ri])
                self.protection_days[i, idx] = np.maximum(
                    self.protection_days[i, idx], lad.duration[ri]
                )
            if c[lad.suppressive].any():
                idx = np.flatnonzero(lad.suppressive[r])
                self.suppression[k[idx], idx] = lad.suppression[r[idx]]
                self.suppression_days[k[idx], idx] = lad.duration[r[idx]]
            if a.kind == "host" and a.mediation > 0 and c[lad.conciliatory].any():
                idx = np.flatnonzero(lad.conciliatory[r])
                others = [j for j in range(self.n) if j != i]
                self.threat[np.ix_(others, others, idx)] *= 1.0 - a.mediation
        soil_security = None
        for a in self.actors:
            i, r, k, c = a.index, rung[a.index], target[a.index], counts[a.index]
            if c[lad.violent].any():  # counts, not the menu: forced moves may lie outside it
                if soil_security is None:  # the same for every actor: posture is settled
                    soil_security = self._soil_security()
                violent = np.flatnonzero(lad.violent[r])
                rv, kv = r[violent], k[violent]
                host = self.soil[i][kv]
                foiled = np.where(host >= 0, soil_security[np.maximum(host, 0), violent], 0.0)
                p_hit = (
                    lad.lethality[rv]
                    * a.spec.capability
                    * (1.0 - self.suppression[i, violent])
                    * (1.0 - self.protection[kv, violent])
                    * (1.0 - foiled)
                )
                hit = draws.hit(i, violent) < p_hit
                extra = rng_mod.poisson(draws.size(i, violent), lad.casualties[rv] - 1.0)
                cas = np.where(hit, 1.0 + extra, 0.0)
                caused[i, violent] = cas
                losses[kv, violent] += cas
                damage[kv, violent] += np.where(hit, lad.damage[rv], 0.0)
            if c[lad.covert_harmless].any():
                idx = np.flatnonzero(lad.covert_harmless[r])
                damage[k[idx], idx] += lad.damage[r[idx]]
        return losses, caused, damage

    def _soil_security(self) -> np.ndarray:
        """Share of attacks foiled on each host's soil: base security plus tightened security."""
        base = np.zeros(self.n)
        for a in self.actors:
            if a.kind == "host":
                base[a.index] = a.security
        is_host = self.actor_type_index[:, None] == 1
        tightened = np.where(is_host, self.protection, 0.0)
        return np.minimum(base[:, None] + tightened, MAX_SOIL_SECURITY)

    def _observe(self, rung, target, counts, caused, draws):
        """Threat update; returns whom each actor blames for today's losses, and who did it.

        Only moves are observed: the status quo carries no hostility and no misreading, so each
        actor's moves are processed on the replicates in which it made one.
        """
        lad, dyn, p = self.ladder, self.scenario.dynamics, self.perception
        self.threat *= dyn.memory
        blamed = np.full((self.n, self.replicates), -1, dtype=np.int64)
        perpetrator = blamed.copy()
        worst = np.zeros((self.n, self.replicates))
        for a in self.actors:
            i = a.index
            if counts[i, lad.status_quo] == self.replicates:
                continue
            moved = np.flatnonzero(rung[i] != lad.status_quo)
            r, k = rung[i, moved], target[i, moved]
            face = lad.hostility[r]
            defensive = lad.defensive[r]
            any_defensive = defensive.any()
            covert = np.flatnonzero(lad.covert[r]) if counts[i][lad.covert].any() else ()
            violent = lad.violent[r]
            hurt_by_me = caused[i, moved]
            harmed = hurt_by_me.any()
            for o in np.flatnonzero(self.cares[i]):
                rel = self.relevance_constant[i, o]
                if np.isnan(rel):  # depends on the target and on whether the move is violent
                    rel = np.where(violent, self.relevance[1, i, o][k], self.relevance[0, i, o][k])
                    if not rel.any():
                        continue
                # defensive moves are read through the observer's offense bias (Jervis 1978)
                if any_defensive:
                    seen = np.where(defensive, face * p.offense_bias[o, i], face)
                else:
                    seen = face.copy()
                if len(covert) and p.detection[o, i] < 1.0:
                    missed = draws.detect(o, i, moved[covert]) >= p.detection[o, i]
                    seen[covert[missed]] = 0.0
                if harmed:
                    seen += dyn.casualty_weight * hurt_by_me
                if p.noise[o, i] > 0:
                    seen += p.noise[o, i] * rng_mod.normal(draws.noise(o, i, moved))
                gain = dyn.threat_gain * rel * seen
                self.threat[o, i, moved] += gain
                culprit = i
                att = p.attribute_to[o, i]
                if att >= 0 and att != o and p.attribution[o, i] > 0:
                    blame = draws.attribution(o, i, moved) < p.attribution[o, i]
                    self.threat[o, att, moved] += gain * blame
                    culprit = np.where(blame, att, i)
                if self.tracer is not None:
                    self.tracer.perceived(o, i, seen, np.broadcast_to(culprit, seen.shape))
                if harmed:
                    hurt = (k == o) & (hurt_by_me > worst[o, moved])
                    blamed[o, moved] = np.where(hurt, culprit, blamed[o, moved])
                    perpetrator[o, moved] = np.where(hurt, i, perpetrator[o, moved])
                    worst[o, moved] = np.where(hurt, hurt_by_me, worst[o, moved])
        np.maximum(self.threat, 0.0, out=self.threat)
        self.threat[np.arange(self.n), np.arange(self.n)] = 0.0
        return blamed, perpetrator

    def _update_grievance(self, losses: np.ndarray) -> None:
        dyn = self.scenario.dynamics
        base = np.array([a.spec.grievance for a in self.actors])[:, None]
        felt = losses.copy()
        for j in np.flatnonzero(self.patron_of >= 0):  # a patron feels its proxies' losses
            felt[self.patron_of[j]] += dyn.solidarity * losses[j]
        self.grievance = base + dyn.grievance_memory * (self.grievance - base)
        self.grievance += dyn.grievance_per_casualty * felt
        np.clip(self.grievance, 0.0, 2.0, out=self.grievance)

    def _red_lines(self, losses: np.ndarray, blamed: np.ndarray, perpetrator: np.ndarray):
        """Losses at or above a red line's threshold commit the actor to retaliate."""
        tripped = np.zeros((self.n, self.replicates), dtype=bool)
        for a in self.actors:
            i = a.index
            for red in a.spec.red_lines:
                trip = (
                    (losses[i] >= red.threshold)
                    & (self.commit_days[i] == 0)
                    & (perpetrator[i] >= 0)
                )
                if not trip.any():
                    continue
                if red.against == "attributed":
                    against = blamed[i]
                elif red.against == "perpetrator":
                    against = perpetrator[i]
                else:
                    against = np.full(self.replicates, self.index_of[red.against])
                self.commit_days[i] = np.where(trip, red.window_days + 1, self.commit_days[i])
                self.commit_target[i] = np.where(trip, against, self.commit_target[i])
                self.commit_rung[i] = np.where(
                    trip, self.ladder.index(red.response), self.commit_rung[i]
                )
                tripped[i] |= trip
        return tripped

    def _expire(self) -> None:
        for days, value in (
            (self.protection_days, self.protection),
            (self.suppression_days, self.suppression),
        ):
            np.maximum(days - 1, 0, out=days)
            value *= days > 0
        lapsing = self.commit_days == 1
        if lapsing.any():  # an unkept commitment costs credibility (Fearon 1994 audience costs)
            cost = np.array([a.spec.audience_cost for a in self.actors])[:, None]
            self.credibility_loss += CREDIBILITY_STEP * cost * lapsing
        np.maximum(self.commit_days - 1, 0, out=self.commit_days)
