"""The world: a Mesa model advancing R independent replicates of one crisis in lockstep.

One step is one day (MODEL.md, "Time and order"):

1. scheduled events apply (parameter changes, grievance and threat shocks, forced moves);
2. every actor chooses a target and a rung simultaneously, on yesterday's information;
3. consequences resolve (:mod:`simulator.model.violence`): postures protect, raids suppress,
   mediators cool the others, violent moves become casualties (deaths and wounded) and damage;
4. everyone observes (:mod:`simulator.model.observation`): threat decays and grows with what is
   read, beliefs about each actor's type update by Bayes' rule, proxies' violence is blamed on
   patrons; then kept promises and retaliations settle scores, losses raise grievance, red lines
   trip, wars wear the belligerents down and may end in a ceasefire.

Every state variable is an array whose last axis is the replicate; every random draw comes from the
purpose-keyed counter-based streams of :mod:`simulator.model.rng`, so a replicate's history
depends only on the scenario, the seed and its replicate index.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Callable, Sequence
from types import MethodType
from typing import Any

import numpy as np
from mesa import DataCollector, Model

from simulator.model.actors import ACTOR_CLASSES, Actor, Host, Militia, Scratch, State
from simulator.model.beliefs import Beliefs
from simulator.model.engine import engine_for
from simulator.model.events import EventSchedule
from simulator.model.ladder import Ladder
from simulator.model.observation import Blame, felt, observe, read_evidence
from simulator.model.outcomes import Recorder
from simulator.model.perception import Perception
from simulator.model.points import (
    Columns,
    PointSpec,
    any_of,
    at,
    check_stackable,
    per_actor,
    sum_rows,
)
from simulator.model.redlines import RedLines
from simulator.model.rng import ReplicateStreams
from simulator.model.sites import DayDraws
from simulator.model.trace import DayTrace
from simulator.model.violence import Attack, DayLosses, Outcome, resolve
from simulator.scenario.schema import ACTOR_TYPES, Scenario

__all__ = ["Attack", "EscalationModel"]

#: Credibility lost at home (added to the desired level) per lapsed promise, times audience cost.
CREDIBILITY_STEP = 0.1
#: Grievance is capped: beyond this, more losses add nothing to the revenge motive.
MAX_GRIEVANCE = 2.0
_NEVER = -(10**6)


def rung_counts(rung: np.ndarray, rungs: int) -> np.ndarray:
    """How many replicates each actor moved on each rung today: actors × rungs."""
    return np.stack([np.bincount(r, minlength=rungs) for r in rung])


def _estimate(estimate: Any, truth: Any) -> Any:
    """An observer's estimate of a number, or the true value where it holds none (NaN)."""
    if isinstance(estimate, np.ndarray):  # differs between stacked points
        return np.where(np.isnan(estimate), truth, estimate)
    return truth if np.isnan(estimate) else float(estimate)


class _Collector(DataCollector):
    """Mesa's data collector, for ``mesa.batch_run``: the same rows, collected more cheaply.

    Its reporters here are functions of the model returning plain floats. Mesa's ``collect``
    works out each reporter's kind and deep-copies each value, every day; a float needs no copy.
    """

    def collect(self, model: Model) -> None:
        for name, reporter in self.model_reporters.items():
            self.model_vars[name].append(reporter(model))


class EscalationModel(Model):
    """The crisis model: ``replicates`` independent worlds of one scenario, stepped together.

    Args:
        scenario: a validated scenario.
        replicates: how many worlds to advance (default: the scenario's).
        seed: overrides the scenario's seed.
        first_replicate: index of the first world; replicate ``k`` of any run is the same world.
        trace: record a day-by-day account of the first replicate (for ``escalation trace``).
        event_log: which moves go into the per-replicate event log: ``"default"`` (violent,
            covert and forced moves), ``"all"`` (every move but the status quo) or ``"none"``.
        points: design points to run side by side (:mod:`simulator.model.points`), the
            scenario's structure shared; ``replicates`` is then per point.
        engine: ``"numpy"``, ``"compiled"`` or ``"auto"`` (:func:`engine.engine_for`; default:
            :func:`engine.default_engine`).
        collect: whether Mesa's data collector takes its three model-wide means every day, as
            ``mesa.batch_run`` reads them (default). The simulator's own runs read the recorder
            and turn it off: the means are sums over every column, each day.

    """

    def __init__(
        self,
        scenario: Scenario,
        replicates: int | None = None,
        seed: int | None = None,
        first_replicate: int = 0,
        trace: bool = False,
        event_log: str = "default",
        points: Sequence[Scenario] | None = None,
        engine: str | None = None,
        collect: bool = True,
    ):
        seed = scenario.seed if seed is None else int(seed)
        # Mesa's seed is the one seed: the counter-based streams derive every draw from it.
        super().__init__(seed=seed)
        self.scenario = scenario
        size = int(scenario.replicates if replicates is None else replicates)
        if size < 1:
            raise ValueError(f"replicates must be at least 1, got {size}")
        #: the design points run side by side (one, the scenario, unless given)
        self.points = list(points) if points else [scenario]
        #: "numpy" (the reference) or "compiled" (numba kernels, the same results)
        columns = size * len(self.points)
        self.engine = engine_for(engine, columns * scenario.horizon_days, columns)
        if len(self.points) > 1:
            check_stackable(self.points)
            if trace:
                raise ValueError("a trace follows one replicate of one scenario: one point")
        self.layout = Columns(len(self.points), size, int(first_replicate))
        self.replicates = R = self.layout.total
        self.first_replicate = int(first_replicate)
        self.horizon = scenario.horizon_days
        self.columns = np.arange(R)
        stack = self.layout.stack
        self.dynamics = PointSpec([p.dynamics for p in self.points], self.layout)
        ladders = [Ladder.from_rungs(p.ladder, p.dynamics.action_cost) for p in self.points]
        self.ladder = ladders[0]
        #: each rung's cost, and its evidence as an unbiased observer reads it (rungs[, columns])
        self.rung_cost = stack([lad.cost for lad in ladders])
        self.evidence = stack(
            [
                read_evidence(lad, p.dynamics.mimic_value)
                for lad, p in zip(ladders, self.points, strict=True)
            ]
        )
        self.names = list(scenario.actors)
        self.index_of = {name: i for i, name in enumerate(self.names)}
        self.n = n = len(self.names)
        self.actor_type_index = np.array(
            [ACTOR_TYPES.index(a.type) for a in scenario.actors.values()]
        )
        self.actors: list[Actor] = [
            ACTOR_CLASSES[spec.type](self, name, i, self.point_spec(name))
            for i, (name, spec) in enumerate(scenario.actors.items())
        ]
        self.is_state = np.array([isinstance(a, State) for a in self.actors])
        self.is_host = np.array([isinstance(a, Host) for a in self.actors])
        self.perception = Perception.stack([Perception.build(p) for p in self.points], self.layout)
        self.beliefs = Beliefs(
            self.perception, R, self.dynamics.reputation_weight, self.dynamics.type_change
        )
        self.red_lines = RedLines(self)
        self._decide: Callable[[Actor, DayDraws], tuple[np.ndarray, ...]] = Actor.decide
        self._observe: Callable[..., Blame] = observe
        self._resolve: Callable[..., Outcome] = resolve
        self._record: Callable[..., None] = Recorder.record
        self._decisions: Callable[..., None] = Recorder.decisions
        self._counts: Callable[[np.ndarray, int], np.ndarray] = rung_counts
        if self.engine == "compiled":  # the kernels in place of the numpy steps they mirror
            from simulator.model import compiled

            self._decide = compiled.decide
            self._resolve = compiled.resolve
            if not trace:  # the trace reads what each observer saw, move by move
                self._observe = compiled.observe
            self._record = compiled.record
            self._decisions = compiled.decisions
            self._counts = compiled.rung_counts
            lines, beliefs = self.red_lines, self.beliefs
            for owner, name, kernel in (
                (self, "_settle", compiled.settle),
                (self, "_grieve", compiled.grieve),
                (self, "_war", compiled.war),
                (self, "_expire", compiled.expire),
                (self, "_promises", compiled.promises),
                (self, "_tensions", compiled.tensions),
                (lines, "keep", compiled.keep),
                (lines, "trip", compiled.trip),
                (lines, "expire", compiled.lapse),
                (beliefs, "forget", compiled.forget),
            ):
                setattr(owner, name, MethodType(kernel, owner))
        self.events = EventSchedule(scenario, self)
        self.streams = ReplicateStreams(self._seed, self.layout.replicate)
        if self.engine == "compiled":  # the draws made by site, compiled
            from simulator.model import compiled

            self.streams.uniform = MethodType(compiled.uniform, self.streams)  # type: ignore[method-assign]

        # -- state over replicates --
        self.threat = np.zeros((n, n, R))
        for point, spec_of in enumerate(p.actors for p in self.points):
            block = self.layout.block(point)
            for i, spec in enumerate(spec_of.values()):
                for other, value in spec.initial_threat.items():
                    self.threat[i, self.index_of[other], block] = value
        #: grievance above each actor's baseline, aimed at whoever it blames: [holder, at, R]
        self.grievance = np.zeros((n, n, R))
        self.weariness = np.zeros((n, R))
        self.at_war = np.zeros((n, n, R), dtype=bool)
        # days and day counts are int32: half the memory of int64 for the same numbers
        self.last_conciliation = np.full((n, n, R), _NEVER, dtype=np.int32)
        self.protection = np.zeros((n, R))
        self.protection_days = np.zeros((n, R), dtype=np.int32)
        self.suppression = np.zeros((n, R))
        self.suppression_days = np.zeros((n, R), dtype=np.int32)
        self.push = np.zeros((n, R))
        self.scratch = Scratch(len(self.ladder), n, R)  # the day's working arrays
        self.day_losses = DayLosses(n, R)  # the arrays of each day's Outcome
        #: each day's rung, target and desired level of every actor (rewritten every day). The
        #: compiled kernels read rungs and targets a dozen times a day: as int16 (a scenario
        #: has at most 127 of each, schema.BYTE_MOST) they move a quarter of int64's bytes, 5 %
        #: faster at 10,000 columns. numpy would turn an int16 index into intp at every fancy
        #: index (its engine ran 5-9 % slower so): it keeps int64.
        moves = np.int16 if self.engine == "compiled" else np.int64
        self._moves = (
            np.empty((n, R), dtype=moves),
            np.empty((n, R), dtype=moves),
            np.empty((n, R)),
        )
        self.drives: dict[tuple[int, int], np.ndarray] = {}
        self.pulling = np.zeros((n, R), dtype=bool)  # open promises due today
        self.pulled = np.zeros(n, dtype=bool)
        self.day = 0
        self.rebuild()
        self.recorder = Recorder(self, event_log)
        self.tracer = DayTrace(self) if trace else None
        # means as a sum over the count: the bits of numpy's mean (the same pairwise sum, then
        # one division), without its Python layers, which cost more than the sums at 1,000 columns
        reporters = {
            "escalation": lambda m: float(m.recorder.escalation_now.sum() / m.replicates),
            "direct_clash": lambda m: np.count_nonzero(m.recorder.first_clash >= 0) / m.replicates,
            "casualties": lambda m: float(m.recorder.casualties.sum() / m.replicates),
        }
        self.datacollector = _Collector(model_reporters=reporters if collect else {})
        # no collection at construction: batch_run reports the last collected row as the final
        # state, so row s is the state after day s (s = 0 … horizon − 1)

    def point_spec(self, name: str) -> PointSpec:
        """An actor's settings over the design points (numbers that differ stacked by column)."""
        return PointSpec([p.actors[name] for p in self.points], self.layout)

    # -- geometry of the crisis: who is where, who sees what --------------------------------
    def rebuild(self) -> None:
        """Where violence lands, who cares about what, and each actor's static numbers.

        Called at the start and after any `set` or `perception` event, so a deployment or a
        withdrawal changes who is exposed where, and a new leadership what others expect of it.
        """
        n, specs = self.n, [a.spec for a in self.actors]
        self.patron_of = np.array([a.patron if isinstance(a, Militia) else -1 for a in self.actors])
        self.host_of = np.array(
            [
                self.index_of[a.spec.host] if isinstance(a, Militia) and a.spec.host else -1
                for a in self.actors
            ]
        )
        self.stationed = [[self.index_of[h] for h in getattr(s, "present_in", [])] for s in specs]
        # soil[a, k]: the host on whose soil a move by a against k lands (-1: k's own territory).
        # Forces stationed abroad are the exposed targets: a strike on them lands in their host,
        # the one the attacker operates from where the target is in several places.
        self.soil = np.full((n, n), -1, dtype=np.int64)
        for a in range(n):
            for k in range(n):
                if isinstance(self.actors[k], Host):
                    self.soil[a, k] = k
                elif self.host_of[k] >= 0:
                    self.soil[a, k] = self.host_of[k]
                elif self.host_of[a] >= 0 and self.host_of[a] in self.stationed[k]:
                    self.soil[a, k] = self.host_of[a]
                elif self.stationed[k]:
                    self.soil[a, k] = self.stationed[k][0]
        stack = self.layout.stack
        # relevance[violent, a, o, k(, column)]: how much a move by a against k concerns observer o
        # (worked out once per solidarity: design points mostly share it)
        solidarity = [p.dynamics.solidarity for p in self.points]
        rel_of = {s: self._relevance(s) for s in dict.fromkeys(solidarity)}
        self.relevance = stack([rel_of[s] for s in solidarity])
        #: cares[a, o]: whether o cares about any move of a's
        self.cares = np.any([rel.max(axis=(0, 3)) > 0 for rel in rel_of.values()], axis=0)
        constant_of: dict[float, np.ndarray] = {}
        for s, rel in rel_of.items():
            same = (rel == rel[:1, :, :, :1]).all(axis=(0, 3))
            constant_of[s] = np.where(same, rel[0, :, :, 0], np.nan)
        #: relevance[., a, o, .] where it depends on neither target nor violence, else NaN
        self.relevance_constant = stack([constant_of[s] for s in solidarity])
        self.security = [a.soil_security() for a in self.actors]
        self.red_lines.rebuild()
        for actor in self.actors:
            actor.prepare()
        #: what a lapsed promise costs each actor (actors × 1, or × columns)
        self.audience_cost = per_actor([a.spec.audience_cost for a in self.actors])
        #: the days on which a restraint window or an order starts or stops binding, and what
        #: those in force give, by stretch between such days (filled as the days come)
        self._constraint_turns = self._constraint_turning_days()
        self._constraints_memo: dict[int, tuple[Any, ...]] = {}
        #: the actors whose mediation differs between stacked points, and it over the columns
        self._mediating_by_point = [
            (a.index, a.spec.mediation)
            for a in self.actors
            if isinstance(a.spec.mediation, np.ndarray)
        ]
        #: counts rebuilds: what the compiled engine packed from the static numbers is stale
        self.generation = getattr(self, "generation", -1) + 1

    def _relevance(self, solidarity: float) -> np.ndarray:
        """relevance[violent, a, o, k] of one point: how much a move by a against k concerns o."""
        n = self.n
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
                    if self.soil[a, k] == o and isinstance(self.actors[o], Host):
                        rel[1, a, o, k] = max(base, solidarity)
        return rel

    def aggrieve(self, holder: int, at: int | list[int], amount: float) -> None:
        """Add ``amount`` to ``holder``'s grievance at ``at`` (kept within [0, MAX_GRIEVANCE])."""
        self.grievance[holder, at] = np.clip(self.grievance[holder, at] + amount, 0, MAX_GRIEVANCE)

    def stationed_on(self, host: int) -> list[int]:
        """The states whose forces are stationed on ``host``'s soil."""
        return [s for s in range(self.n) if host in self.stationed[s]]

    def estimate(self, observer: int, actor: int) -> tuple[Any, Any]:
        """``observer``'s estimates of ``actor``'s resolve and capability (default: the truth)."""
        p, spec = self.perception, self.actors[actor].spec
        return (
            _estimate(p.resolve_estimate[observer, actor], spec.resolve),
            _estimate(p.capability_estimate[observer, actor], spec.capability),
        )

    def retaliation_from(self, i: int, k: int, allies: bool = True) -> Any:
        """Retaliation ``i`` expects for hitting ``k``: k's, plus its allies' (widening).

        Believed resolve × capability × reach (the level of the heaviest move that can be turned
        on ``i``); each ally — k's patron, or k's proxies — counts at the solidarity weight.
        """
        resolve, capability = self.estimate(i, k)
        me = self.actors[i]
        total = resolve * capability * self.actors[k].reach(me)
        if allies:
            friends = [j for j in range(self.n) if self.patron_of[j] == k]
            if self.patron_of[k] >= 0:
                friends.append(int(self.patron_of[k]))
            for j in friends:
                if j != i:
                    r, c = self.estimate(i, j)
                    total += self.dynamics.solidarity * r * c * self.actors[j].reach(me)
        return total

    def mediation_pull(self, actor: Actor) -> np.ndarray | float:
        """Mean threat among the other actors, pulling a mediator towards conciliation."""
        return self._pull[actor.index]

    def _tensions(self, mediators: list[int]) -> list[np.ndarray | float]:
        """Each actor's pull: for a mediator, the mean threat among the others (0 for the rest)."""
        total = sum_rows(self.threat) if mediators else None
        return [self._tension(a, total) if a.index in mediators else 0.0 for a in self.actors]

    def _tension(self, actor: Actor, total: np.ndarray | None) -> np.ndarray | float:
        """Mean threat among the others: all threat less what ``actor`` feels and inspires."""
        pairs = (self.n - 1) * (self.n - 2)
        if pairs <= 0 or total is None:
            return 0.0
        i = actor.index
        rest = total - sum_rows(self.threat[i]) - sum_rows(self.threat[:, i])
        return np.maximum(rest, 0.0) / pairs  # ≥ 0 also where rounding says otherwise

    # -- the day ------------------------------------------------------------------------------
    def _today_constraints(self) -> None:
        """Restraint penalties per rung, caps for patrons' wishes, orders, and each actor's push."""
        # the windows and orders in force change only on the days one starts or ends: what they
        # give is worked out once per stretch between such days (until a rebuild), then reused
        stretch = bisect.bisect_right(self._constraint_turns, self.day)
        known = self._constraints_memo.get(stretch)
        if known is None:
            date = self.scenario.start + dt.timedelta(days=self.day)
            known = self._constraints_memo[stretch] = self._constraints_in_force(date)
        self.restraint_today, self.restraint_cap, self.orders_today, mediators, pressure = known
        self._pull = self._tensions(mediators)
        # stacked points: no pull in the columns of a point whose actor does not mediate
        for i, mediation in self._mediating_by_point:
            if i in mediators:
                self._pull[i] = np.where(mediation > 0, self._pull[i], 0.0)
        self.drives = {}  # today's drives (Actor.drive)
        np.add(pressure, self.red_lines.credibility_loss, out=self.push)
        self.push -= self.weariness

    def _constraint_turning_days(self) -> list[int]:
        """The days on which a restraint window or an order starts or stops binding, sorted."""
        days = set()
        for a in self.actors:
            for w in (*a.spec.restraint, *getattr(a.spec, "orders", [])):
                if w.start is not None:  # binds from its first day …
                    days.add((w.start - self.scenario.start).days)
                days.add((w.until - self.scenario.start).days + 1)  # … to its last
        return sorted(days)

    def _constraints_in_force(self, date: dt.date) -> tuple[Any, ...]:
        """Restraint penalties, patrons' caps and orders on ``date``; mediators; pressure."""
        lad = self.ladder
        restraint_today: list[np.ndarray | None] = []
        restraint_cap: list[tuple[float, float] | None] = []
        orders_today: list[int | None] = [None] * self.n
        for a in self.actors:
            windows = [
                (lad.index(w.max_rung), w.strength)
                for w in a.spec.restraint
                if (w.start is None or w.start <= date) and date <= w.until
            ]
            if windows:  # several windows combine per rung: the strongest penalty applies
                above = np.arange(len(lad))[None, :] > np.array([c for c, _ in windows])[:, None]
                strength = np.array([s for _, s in windows])[:, None]
                penalty = np.multiply.outer(
                    (above * strength).max(axis=0), self.dynamics.restraint_penalty
                )  # rungs[, columns]
                restraint_today.append(penalty.astype(np.float32))
                # the patron's wish for its proxies: capped at the lowest cap, at its strength
                cap, strength_ = min(windows, key=lambda w: (w[0], -w[1]))
                restraint_cap.append((float(lad.level[cap]), strength_))
            else:
                restraint_today.append(None)
                restraint_cap.append(None)
            for order in getattr(a.spec, "orders", []):
                if (order.start is None or order.start <= date) and date <= order.until:
                    cap = lad.index(order.max_rung)
                    for to in order.to:
                        j = self.index_of[to]
                        current = orders_today[j]
                        orders_today[j] = cap if current is None else min(current, cap)
        mediators = {a.index for a in self.actors if any_of(a.spec.mediation > 0)}
        pressure = per_actor([a.spec.domestic_pressure for a in self.actors])
        return restraint_today, restraint_cap, orders_today, mediators, pressure

    def step(self) -> None:
        """Advance every replicate by one day."""
        day = self.day
        forced = self.events.apply(day)
        self._today_constraints()
        self.pulling = self.red_lines.pulling_all()  # open promises due today, per actor
        self.pulled = np.asarray(self.pulling.any(axis=1))
        draws = DayDraws(self.streams, day)
        # rewritten every day (the compiled engine decides into these rows: its assignment below
        # is then to the same memory, which numpy skips)
        rung, target, desire = self._moves
        for a in self.actors:
            i = a.index
            rung[i], target[i], desire[i] = self._decide(a, draws)
            if i in forced:
                rung[i], target[i] = forced[i].rung, forced[i].target
        counts = self._counts(rung, len(self.ladder))
        self._decisions(self.recorder, day, rung, target, forced)
        if self.tracer is not None:
            self.tracer.decided(rung, target, desire)
        kept = self.red_lines.keep(rung, target)
        outcome = self._resolve(self, rung, target, counts, draws, forced)
        blame = self._observe(self, rung, target, counts, outcome.caused, draws)
        self._settle(rung, target, counts)
        self._grieve(outcome.attacks, blame)
        tripped = self.red_lines.trip(outcome.attacks, blame)
        self._war(rung, target, counts, outcome.attacks)
        lapsed = self.red_lines.expire(self.audience_cost, CREDIBILITY_STEP)
        self._promises(kept, lapsed)
        self.beliefs.forget()
        self._expire()
        self._record(self.recorder, day, rung, target, counts, forced, outcome, tripped, blame)
        if self.tracer is not None:
            self.tracer.record(day, forced, outcome, tripped, kept, lapsed)
        self.datacollector.collect(self)
        self.day += 1
        if self.day >= self.horizon:
            self.running = False

    def _promises(self, kept: np.ndarray, lapsed: np.ndarray) -> None:
        """Every owner's promises kept or let lapse today, into everyone's beliefs."""
        for owner in range(self.n):
            self.beliefs.promise(owner, kept[owner], lapsed[owner])

    def run(self) -> Recorder:
        """Step to the horizon and return the recorder holding the outcomes."""
        while self.running:
            self.step()
        return self.recorder

    # -- after the moves ------------------------------------------------------------------------
    def _settle(self, rung: np.ndarray, target: np.ndarray, counts: np.ndarray) -> None:
        """Satiation: a violent move against k settles part of the mover's grievance towards k."""
        lad, satiation = self.ladder, self.dynamics.satiation
        if not any_of(satiation > 0):  # a point without satiation multiplies by exactly 1
            return
        for i in range(self.n):
            if not counts[i, lad.violent].any():
                continue
            cols = np.flatnonzero(lad.violent[rung[i]])
            k = target[i, cols]
            self.grievance[i, k, cols] *= 1.0 - at(satiation, cols) * lad.level[rung[i, cols]]

    def _grieve(self, attacks: list[Attack], blame: Blame) -> None:
        """Raise grievance at the perpetrator of losses and at whoever is blamed for them.

        Each attack adds ``grievance_per_casualty × log2(1 + casualties)`` (diminishing
        sensitivity). A patron feels its proxies' losses, and a host the violence on its soil, at
        the solidarity weight.
        """
        dyn = self.dynamics
        self.grievance *= dyn.grievance_memory
        per, solidarity = dyn.grievance_per_casualty, dyn.solidarity
        for attack in attacks:
            hurt = attack.casualties > 0
            if not hurt.any():
                continue
            i, k = attack.attacker, attack.target
            cols = attack.columns[hurt]
            amount = at(per, cols) * felt(attack.casualties[hurt])
            self._add_grievance(k, i, cols, amount)
            culprit = blame(k, np.full(len(cols), i), cols)
            shifted = culprit != i
            if shifted.any():
                self._add_grievance(k, culprit[shifted], cols[shifted], amount[shifted])
            patron = self.patron_of[k]
            if patron >= 0 and patron != i:
                self._add_grievance(patron, i, cols, at(solidarity, cols) * amount)
            host = self.soil[i, k]
            if host >= 0 and host not in (i, k):
                self._add_grievance(host, i, cols, at(solidarity, cols) * amount)

    def _add_grievance(
        self, holder: int, at: int | np.ndarray, cols: np.ndarray, amount: np.ndarray
    ) -> None:
        """Grievance rises where losses fell, up to MAX_GRIEVANCE (decay keeps it ≥ 0)."""
        g = self.grievance
        g[holder, at, cols] = np.minimum(g[holder, at, cols] + amount, MAX_GRIEVANCE)

    def _war(
        self, rung: np.ndarray, target: np.ndarray, counts: np.ndarray, attacks: list[Attack]
    ) -> None:
        """Start wars, wear the belligerents down, and end wars in ceasefires.

        A war starts with major strikes between states; it ends in a ceasefire once each side has
        offered de-escalation within ``ceasefire_days``.
        """
        lad, dyn = self.ladder, self.dynamics
        for i in np.flatnonzero(self.is_state):
            if counts[i, lad.war].any():
                cols = np.flatnonzero(lad.war[rung[i]] & self.is_state[target[i]])
                k = target[i, cols]
                self.at_war[i, k, cols] = True
                self.at_war[k, i, cols] = True
            if counts[i, lad.conciliatory].any():
                cols = np.flatnonzero(lad.conciliatory[rung[i]])
                self.last_conciliation[i, target[i, cols], cols] = self.day
        fighting = self.at_war.any(axis=1)
        self.weariness *= dyn.weariness_memory
        at_war = fighting.any()
        if at_war and any_of(dyn.war_weariness):
            self.weariness += np.multiply(dyn.war_weariness, fighting, out=self.scratch.per_actor)
        if any_of(dyn.weariness_per_casualty):  # losses are rare: add them where they fell
            for attack in attacks:
                self.weariness[attack.target, attack.columns] += (
                    at(dyn.weariness_per_casualty, attack.columns) * attack.casualties
                )
        if at_war:
            masks = self.scratch.pair_masks
            recent = np.greater(self.last_conciliation, self.day - dyn.ceasefire_days, out=masks[0])
            ceasefire = np.logical_and(self.at_war, recent, out=masks[1])
            ceasefire &= recent.transpose(1, 0, 2)
            if ceasefire.any():
                self.at_war &= ~ceasefire
                self.recorder.ceasefire(self.day, ceasefire)

    def _expire(self) -> None:
        for days, value in (
            (self.protection_days, self.protection),
            (self.suppression_days, self.suppression),
        ):
            if not days.any():  # nothing in force anywhere (suppression, most days)
                continue
            days -= 1
            np.maximum(days, 0, out=days)
            value *= np.greater(days, 0, out=self.scratch.per_actor_mask)
