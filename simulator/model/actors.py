"""The actors: Mesa agents whose state lives in the model's arrays over replicates.

Each actor type has one decision rule, written once over the replicate axis. Each day an actor
first chooses a **target** by expected value, then a **rung** against it by a logit
(quantal-response) rule (McKelvey & Palfrey 1995) over an ideal-point utility:

    U(r) = -β (level_r - x*)²                                  ideal point
           - β · d · level_r · E(r, k)   for rungs beyond posturing       deterrence
           - cost_r                                              the move's own cost
           - restraint_penalty · max strength of the windows whose cap r exceeds   restraint
           + commitment_pull · audience_cost · [r promised, k the promised target] commitment
    P(r) ∝ exp(λ U(r))  over the rungs allowed against k

``x*`` is the actor's desired level towards target k, a type-specific function of its **drive**

    drive(k) = resolve · (threat[k] + grievance[k]) + belief_weight · (2 P(k hostile) − 1)
               + domestic pressure + credibility lost − war weariness

which falls below the status quo when the actor believes k benign and little threatens it, or when
war has worn it down: conciliation is then a chosen move. ``E(r, k)`` is the retaliation it expects
(:meth:`Actor.expected_retaliation`): the believed resolve × capability × reach of k and of k's
allies (widening: each ally at the solidarity weight), reach being the severity of the heaviest
move they could turn on the actor, plus, from every red line that covers the move, P(trip) × the
belief that its owner keeps its promises × the promised level × P(the response falls on the
actor).

The target is the eligible actor with the highest value ``x*(k) − d · level · E(k)`` at the
actor's heaviest deterred move against it (what hitting k is worth, less what it may cost), unless
a commitment names the target.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, NamedTuple

import mesa
import numpy as np

from simulator.model.ladder import Ladder
from simulator.model.points import PointSpec, any_of, float32, number, per_actor, take
from simulator.scenario.schema import ACTOR_TYPES, HostActor, MilitiaActor, StateActor

if TYPE_CHECKING:
    from simulator.model.sites import DayDraws
    from simulator.model.world import EscalationModel

#: A mask value: rungs that cannot be chosen today.
_EXCLUDED = -np.inf


class Actor(mesa.Agent):
    """An actor in the crisis; subclasses define its menu, targets and desired escalation level."""

    kind: ClassVar[str]
    #: Declared behaviour, checked against the default ladder for every type by one shared test:
    #: ``violent`` ⇔ violent rungs on the default menu, ``polices`` ⇔ a suppressive rung.
    classifier: ClassVar[dict[str, object]]
    model: EscalationModel
    spec: Any  # the settings of the actor's type (a PointSpec over its design points)

    def __init__(self, model: EscalationModel, name: str, index: int, spec: PointSpec):
        super().__init__(model)
        self.name = name
        self.index = index
        self.type_index = ACTOR_TYPES.index(self.kind)
        self.targets = np.zeros(0, dtype=np.int64)
        self.configure(spec)

    def configure(self, spec: PointSpec) -> None:
        """Take parameter values from a spec (at the start, and after a `set` event).

        ``spec`` holds each design point's settings; reading a number from it gives the value
        every point shares or, where they differ, an array over the model's columns.
        """
        self.spec = spec
        ladder = self.model.ladder
        if spec.menu is not None:
            menu = {ladder.index(m) for m in spec.menu}
        else:
            menu = set(np.flatnonzero(ladder.for_actor[self.type_index]).tolist())
        menu.add(ladder.status_quo)  # doing nothing is always possible
        self.menu = np.array(sorted(menu), dtype=np.int64)
        #: :meth:`reach` by the other actor's type: it depends on the menu and the ladder alone
        self._reach: dict[int, float] = {}
        #: :meth:`_probe` by the target's type: it too depends on the menu and the ladder alone
        self._probes: dict[int, int] = {}
        # utilities are computed in single precision: the widest arrays of a day, and choice
        # probabilities need no more than seven significant digits
        self.menu_level = ladder.level[self.menu][:, None].astype(np.float32)
        #: β ℓ² + cost of each rung: its part of the utility that does not depend on the day
        #: (menu rows[, columns] where stacked design points differ in β or cost)
        cost = self.model.rung_cost[self.menu]
        square = np.multiply.outer(ladder.level[self.menu] ** 2, self.model.dynamics.precision)
        if square.ndim < cost.ndim:
            square = square[:, None]
        elif cost.ndim < square.ndim:
            cost = cost[:, None]
        self.menu_constant = square + cost
        rows = np.flatnonzero(ladder.deterred[self.menu])
        # deterred rungs are usually the top of the menu: a slice lets numpy work in place
        contiguous = len(rows) and (np.diff(rows) == 1).all()
        self.deterred_rows = slice(int(rows[0]), int(rows[-1]) + 1) if contiguous else rows
        self.deterred_level = ladder.level[self.menu][rows][:, None].astype(np.float32)
        # excluded_against[row, target type]: 0, or -inf where the rung cannot hit that type
        excluded = np.where(ladder.against[self.menu], 0.0, _EXCLUDED).astype(np.float32)
        excluded[self.menu == ladder.status_quo] = 0.0
        self.excluded_against = excluded
        m = self.model
        self.rationality = m.layout.stack(
            [
                s.rationality if s.rationality is not None else point.rationality
                for s, point in zip(spec.specs, m.points, strict=True)
            ]
        )

    # -- per-type pieces -------------------------------------------------------------------
    def eligible_targets(self) -> list[int]:
        """Indices of the actors this actor may aim its moves at."""
        raise NotImplementedError

    def grudges(self) -> set[int]:
        """Whom the actor's baseline grievance is aimed at (its rivals, by default none)."""
        return set()

    def desire(self, k: int) -> np.ndarray:
        """Desired escalation level x* towards actor ``k``, per replicate."""
        raise NotImplementedError

    def obeys(self, u_obey: np.ndarray | None) -> tuple[int, np.ndarray] | None:
        """A hard cap on rungs today and the replicates in which it binds (patron orders)."""
        return None

    def reach(self, other: Actor) -> float:
        """How badly this actor could hurt ``other``, on a scale of 0 to 1.

        The escalation score of its heaviest deterred move against ``other``, as a share of the
        ladder's top score: a militia's rockets reach about half as far as a state's major strikes.
        """
        reach = self._reach.get(other.type_index)
        if reach is None:  # the same few types, asked for again at every rebuild
            lad = self.model.ladder
            rows = self.menu[self._deterred_rows_against(other.type_index)]
            top = float(lad.score.max())
            reach = float(lad.score[rows].max()) / top if len(rows) and top > 0 else 0.0
            self._reach[other.type_index] = reach
        return reach

    def soil_security(self) -> Any:
        """Share of attacks by militias based on this actor's soil that it foils (hosts)."""
        return 0.0

    # -- static numbers, recomputed when the geometry or a parameter changes ------------------
    def prepare(self) -> None:
        """Per-target numbers that change only with events: grudges, retaliation, red lines."""
        m = self.model
        self.targets = np.array(self.eligible_targets(), dtype=np.int64)
        grudges = self.grudges()
        self.grudge = {int(k): (k in grudges) for k in self.targets}
        lad = m.ladder
        retaliation: list[Any] = [0.0] * m.n
        self.exposure: dict[int, list[tuple[int, np.ndarray]]] = {}
        self.probe: dict[int, int] = {}  # row of the heaviest deterred move against k
        for k in range(m.n):
            if k == self.index:
                continue
            retaliation[k] = m.retaliation_from(self.index, k)
            lines = m.red_lines.exposure(self.index, k, self.index)
            self.exposure[k] = [(w, coef[self.menu]) for w, coef in lines]
            self.probe[k] = self._probe(m.actors[k].type_index)
        #: A[k(, column)]: retaliation from k and its allies, before risk tolerance
        self.retaliation = per_actor(retaliation, column=False)
        # what is fixed until the next event, precomputed for the daily rule
        d, caution = m.dynamics.deterrence, 1.0 - self.spec.risk_tolerance
        self.value_terms: dict[int, tuple[float, list[tuple[int, float]]]] = {}
        for k, row in self.probe.items():
            if row < 0:
                continue
            scale = d * float(lad.level[self.menu[row]]) * caution
            terms = [
                (w, scale * number(coef[row])) for w, coef in self.exposure[k] if any_of(coef[row])
            ]
            self.value_terms[k] = (scale * number(self.retaliation[k]), terms)
        # red lines covering deterred moves against k: the rows they cover, their level, coefficient
        rows = np.arange(len(self.menu))[self.deterred_rows]
        self.deterrence_lines = []
        for k, lines in self.exposure.items():
            for w, coef in lines:
                nonzero = coef[rows] != 0  # rows[, columns]
                covered = np.flatnonzero(nonzero if nonzero.ndim == 1 else nonzero.any(axis=1))
                if len(covered):
                    weight = coef[rows][covered]
                    self.deterrence_lines.append(
                        (
                            k,
                            w,
                            rows[covered],
                            self.deterred_level[covered],
                            (weight[:, None] if weight.ndim == 1 else weight).astype(np.float32),
                        )
                    )
        excluded = self.excluded_against[:, m.actor_type_index]  # (rungs, actors)
        self.excluded_rows = np.flatnonzero(np.isinf(excluded[:, self.targets]).any(axis=1))

    def _probe(self, against: int) -> int:
        """Row of the heaviest deterred move on the menu that can hit actors of type ``against``.

        The same yardstick for every target of that type (-1: no such move); it depends on the
        menu and the ladder alone, so it is kept by type until the menu changes.
        """
        held = self._probes.get(against)
        if held is None:
            usable = self._deterred_rows_against(against)
            levels = self.model.ladder.level[self.menu[usable]]
            held = int(usable[np.argmax(levels)]) if len(usable) else -1  # the first of equals
            self._probes[against] = held
        return held

    def _deterred_rows_against(self, against: int) -> np.ndarray:
        """Rows of the menu's deterred moves that can hit actors of type ``against``."""
        lad = self.model.ladder
        return np.flatnonzero(lad.deterred[self.menu] & lad.against[self.menu, against])

    # -- the shared rule ---------------------------------------------------------------------
    def drive(self, k: int) -> np.ndarray:
        """Resolve · (threat + grievance) + stance + pressure, credibility loss, weariness.

        Computed once a day per (actor, target): a patron's drive is also its proxies' guide.
        """
        cache = self.model.drives
        x = cache.get((self.index, k))
        if x is None:
            x = cache[(self.index, k)] = self._drive(k)
        return x

    def _drive(self, k: int) -> np.ndarray:
        m, i, spec = self.model, self.index, self.spec
        base = spec.grievance if self.grudge.get(k, False) else 0.0
        x = np.add(m.threat[i, k], m.grievance[i, k])
        if any_of(base):
            x += base
        x *= spec.resolve
        w = m.dynamics.belief_weight  # w · (2 P(hostile) − 1), the stance
        term = m.scratch.addend
        if any_of(w):
            x += np.multiply(m.beliefs.p[i, k], 2.0 * w, out=term)
        x += np.subtract(m.push[i], w, out=term)
        return x

    def expected_retaliation(self, k: int, row: int | None = None) -> np.ndarray | float:
        """E(r, k) for one menu row (or the base part when ``row`` is None), per replicate."""
        m = self.model
        e: np.ndarray | float = self.retaliation[k]
        if row is not None:
            for owner, coef in self.exposure[k]:
                if coef[row]:
                    e = e + coef[row] * m.beliefs.credibility[self.index, owner]
        return (1.0 - self.spec.risk_tolerance) * e

    def value(self, k: int, x: np.ndarray) -> np.ndarray:
        """Expected value of aiming at ``k``: the desire less the cost of hitting it.

        The cost is d · level · E(k) at the heaviest deterred move against ``k`` (a new array,
        also when nothing can be turned on ``k``).
        """
        terms = self.value_terms.get(k)
        if terms is None:
            return x.copy()
        cost, lines = terms
        v = x - cost
        term = self.model.scratch.addend
        for owner, coef in lines:
            v -= np.multiply(self.model.beliefs.credibility[self.index, owner], coef, out=term)
        return v

    def pick_target(self) -> tuple[np.ndarray, np.ndarray]:
        """Aim where the expected value is highest; a war, then an open commitment, names it."""
        m, i = self.model, self.index
        targets = self.targets
        if len(targets) == 1:
            k = int(targets[0])
            x = self.desire(k)
            target = np.full(m.replicates, k)
        else:
            target, x = self._most_valued(targets, slice(None))
        war = m.at_war[i]  # (actors, replicates)
        if m.is_state[i] and war.any():
            # a war names the target: a state at war aims at its enemy (the one it values most),
            # not at a third party; a ceasefire needs each side's de-escalation towards the other
            cols = np.flatnonzero(war.any(axis=0))
            enemies = np.flatnonzero(war[:, cols].any(axis=1))
            target[cols], x[cols] = self._most_valued(enemies, cols, war)
        if m.pulled[i]:
            committed = m.pulling[i]
            owed = m.red_lines.target[i]
            cols = np.flatnonzero(committed & (owed != target))
            for k in np.unique(owed[cols]):
                at = cols[owed[cols] == k]
                x[at] = self.desire(int(k))[at]
            target = np.where(committed, owed, target)
        return target, x

    def _most_valued(
        self, candidates: np.ndarray, cols: slice | np.ndarray, allowed: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """The candidate of highest value in each replicate of ``cols``, and the desire towards it.

        Ties go to the first candidate (scenario order). ``allowed[k]`` (actors × replicates), if
        given, says where ``k`` may be chosen at all.
        """
        size = self.model.replicates if isinstance(cols, slice) else len(cols)
        best = self.model.scratch.vector[:size]  # the best value so far
        best.fill(-np.inf)
        target = np.zeros(size, dtype=np.int64)
        x = np.zeros(size)
        for k in map(int, candidates):
            desire = self.desire(k)
            vk = self.value(k, desire)[cols]
            if allowed is not None:
                vk[~allowed[k, cols]] = -np.inf
            better = vk > best
            np.copyto(x, desire[cols], where=better)
            np.copyto(best, vk, where=better)
            target[better] = k
        return target, x

    def terms(self, target: np.ndarray, draws: DayDraws) -> Terms:
        """The day's coefficients of the utilities, given the targets (shared by both engines)."""
        m, i = self.model, self.index
        static = self.__dict__.get("_static_terms")
        if static is None or static[0] != m.generation:
            static = self._static_terms = (m.generation, *self._fixed_terms())
        _, gain, constant32, scale, pull = static
        penalty = m.restraint_today[i]
        if penalty is not None:  # rows[, columns] each; the same penalty for days on end
            held = self.__dict__.get("_restrained")
            if held is not None and held[0] is penalty and held[1] == m.generation:
                constant32 = held[2]
            else:
                constant = self.menu_constant
                extra = penalty[self.menu]
                if extra.ndim < constant.ndim:
                    extra = extra[:, None]
                elif constant.ndim < extra.ndim:
                    constant = constant[:, None]
                constant = constant + extra
                if constant.ndim == 1:
                    constant = constant[:, None]
                constant32 = np.multiply(self.rationality, constant).astype(np.float32)
                self._restrained = (penalty, m.generation, constant32)
        excluded_rows = self.excluded_rows
        if m.pulled[i]:  # a promise may name a target outside the usual ones
            aimed = np.zeros(m.n, dtype=bool)  # the usual targets and the promised ones
            aimed[m.red_lines.target[i][m.pulling[i]]] = True
            aimed[self.targets] = True
            # the same few sets of targets day after day: their rows worked out once each
            widened: dict[tuple[int, bytes], np.ndarray] = self.__dict__.setdefault("_widened", {})
            key = (m.generation, aimed.tobytes())
            rows = widened.get(key)
            if rows is None:
                excluded = self.excluded_against[:, m.actor_type_index]
                rows = np.flatnonzero(np.isinf(excluded[:, np.flatnonzero(aimed)]).any(axis=1))
                if len(widened) > 64:
                    widened.clear()
                widened[key] = rows
            excluded_rows = rows
        else:
            pull = None
        order = self.obeys(draws.obey(i) if m.orders_today[i] is not None else None)
        return Terms(
            gain=gain,
            constant=constant32,
            scale=scale,
            pull=pull,
            excluded_rows=excluded_rows,
            order=order,
        )

    def _fixed_terms(self) -> tuple[Any, np.ndarray, Any, Any]:
        """What :meth:`terms` takes from the settings alone: gain, constant, scale, pull."""
        dyn = self.model.dynamics
        lam, beta = self.rationality, dyn.precision
        constant = self.menu_constant
        if constant.ndim == 1:
            constant = constant[:, None]
        scale = None
        if len(self.deterred_level) and any_of(np.logical_and(dyn.deterrence > 0, lam > 0)):
            scale = lam * beta * dyn.deterrence * (1.0 - self.spec.risk_tolerance)
        return (
            float32(2.0 * beta * lam),
            np.multiply(lam, constant).astype(np.float32),
            scale,
            float32(lam * dyn.commitment_pull * self.spec.audience_cost),
        )

    def decide(self, draws: DayDraws) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Choose a rung and a target in every replicate: returns (rung, target, x*)."""
        m, i = self.model, self.index
        target, x = self.pick_target()
        t = self.terms(target, draws)
        # the day's utilities live in the model's scratch arrays (actors decide one at a time)
        work = m.scratch
        n_rows = len(self.menu)
        # -β(ℓ - x)² = -βℓ² + 2βℓx - βx²: the last term is the same for every rung, so it cancels
        # in the logit rule; z = λU is then a rank-one product plus a constant per rung
        x32 = work.vector32
        np.copyto(x32, x, casting="same_kind")  # x as float32
        x32 *= t.gain
        z = np.multiply(self.menu_level, x32, out=work.utility[:n_rows])
        z -= t.constant
        if t.scale is not None:
            rows, level = self.deterred_rows, self.deterred_level
            for k, owner, covered, covered_level, coef in self.deterrence_lines:
                aimed = target == k  # red lines that cover the move, on the rows they cover
                if aimed.any():
                    belief = np.multiply(m.beliefs.credibility[i, owner], aimed, out=work.vector)
                    weight = covered_level * (coef * float32(t.scale))  # float32, per row
                    z[covered] -= np.multiply(weight, belief, out=work.wide(len(weight)))
            e = take(self.retaliation, target, m.columns)  # from the target and its allies
            e *= t.scale
            np.copyto(x32, e, casting="same_kind")
            z[rows] -= np.multiply(level, x32, out=work.term[: len(level)])
        if t.pull is not None:
            lines = m.red_lines
            menu = self.menu[:, None]
            promised = np.greater_equal(menu, lines.low[i], out=work.mask[:n_rows])
            promised &= np.less_equal(menu, lines.high[i], out=work.below[:n_rows])
            promised &= m.pulling[i]
            z += np.multiply(promised, t.pull, out=work.term[:n_rows])
        # hard constraints: rungs that cannot be aimed at this target, orders obeyed today
        for row in t.excluded_rows:
            z[row] += self.excluded_against[row, m.actor_type_index][target]
        if t.order is not None:  # rungs above the cap are out where the proxy obeys
            for row in np.flatnonzero(self.menu > t.order[0]):
                np.copyto(z[row], _EXCLUDED, where=t.order[1])
        choice = logit_choice(z, draws.choice(i), work.below[:n_rows])
        return self.menu[choice], target, x


class Terms(NamedTuple):
    """One actor's coefficients of the day's utilities (see :meth:`Actor.terms`).

    A number is a scalar, or an array over columns where stacked design points differ.
    """

    #: float32(2βλ): the ideal point's term is gain · ℓ · x*
    gain: Any
    #: float32 rows × (1 or columns): λ (βℓ² + cost + today's restraint penalty)
    constant: np.ndarray
    #: λβd(1 − risk tolerance), or None where deterrence weighs on no move
    scale: Any
    #: float32(λ · commitment_pull · audience cost), or None when no promise is due today
    pull: Any
    #: rows that cannot be aimed at some targets
    excluded_rows: np.ndarray
    #: (cap, where the proxy obeys) when its patron has ordered restraint today
    order: tuple[int, np.ndarray] | None


def logit_choice(z: np.ndarray, u: np.ndarray, below: np.ndarray | None = None) -> np.ndarray:
    """Sample row indices with P ∝ exp(z), column by column, by inversion (z may hold -inf).

    ``z`` is overwritten; ``below``, if given, is a boolean scratch array of its shape.
    """
    z -= z.max(axis=0)
    weights = np.exp(z, out=z)
    # running sums row by row: faster than cumsum along the short axis of a wide array
    cumulative = weights
    for row in range(1, len(weights)):
        cumulative[row] += cumulative[row - 1]
    below = np.less(cumulative, _float32_bound(u * cumulative[-1]), out=below)
    if len(below) < 256:  # counting in bytes is several times faster than in int64
        return below.view(np.uint8).sum(axis=0, dtype=np.uint8).astype(np.int64)
    return below.sum(axis=0)


def _float32_bound(t: np.ndarray) -> np.ndarray:
    """The float32 ``b`` with ``c < b`` ⇔ ``c < t`` for every float32 ``c``.

    Comparing float32 with float64 converts the whole wide array; this converts one row. ``b`` is
    ``t`` rounded to float32, moved up one step where rounding went down (no float32 lies strictly
    between ``t`` and its nearest float32).
    """
    b = t.astype(np.float32)
    low = b < t
    if low.any():
        b[low] = np.nextafter(b[low], np.float32(np.inf))
    return b


class Scratch:
    """Working arrays of a model's day, reused every day (by every actor in turn).

    Sized for the whole ladder (any menu fits) and the model's replicates, so that choosing a
    rung allocates no array of rungs × replicates: the utilities, the terms subtracted from them,
    and the boolean masks of the logit rule are written into these; the end of the day (war
    weariness, lapsed promises, postures expiring) uses the arrays of actors × replicates. Each
    is filled and used within one computation, never kept across calls.
    """

    def __init__(self, rungs: int, actors: int, replicates: int):
        shape = (rungs, replicates)
        self.utility = np.empty(shape, dtype=np.float32)  # z = λU, rung by replicate
        self.term = np.empty(shape, dtype=np.float32)  # a term added to or taken from z
        self._wide = np.empty((0, replicates))
        self.mask = np.empty(shape, dtype=bool)
        self.below = np.empty(shape, dtype=bool)
        self.vector = np.empty(replicates)
        self.vector32 = np.empty(replicates, dtype=np.float32)
        self.addend = np.empty(replicates)  # a term of a drive or of a target's value
        # for the model's end-of-day arithmetic, actor by replicate
        self.per_actor = np.empty((actors, replicates))
        self.per_actor_mask = np.empty((actors, replicates), dtype=bool)
        self.pair_masks = np.empty((2, actors, actors, replicates), dtype=bool)  # ceasefires

    def wide(self, rows: int) -> np.ndarray:
        """A term of ``rows`` rungs that numpy computes in double precision (grown as needed)."""
        if len(self._wide) < rows:
            self._wide = np.empty((rows, self._wide.shape[1]))
        return self._wide[:rows]


class State(Actor):
    """A state (e.g. the US, Iran): acts on threat, grievance, belief and resolve; deterred."""

    kind = "state"
    classifier = {"type": "state", "has_patron": False, "violent": True, "polices": False}
    spec: StateActor

    def eligible_targets(self) -> list[int]:
        m = self.model
        rivals = {m.index_of[r] for r in self.spec.rivals}
        proxies = {a.index for a in m.actors if isinstance(a, Militia) and a.patron in rivals}
        return sorted(rivals | proxies) or [j for j in range(m.n) if j != self.index]

    def grudges(self) -> set[int]:
        return set(self.eligible_targets())

    def desire(self, k: int) -> np.ndarray:
        return self.drive(k) - self.model.mediation_pull(self)


class Host(Actor):
    """A host government (e.g. Iraq): polices proxies, mediates, and is pressed by both sides.

    Its desire towards a militia rises with its own threat and grievance (violence on its soil)
    and with the alarm of the states whose forces it hosts, who press it to act; the militia, and
    through it its patron, press the other way with the retaliation a raid invites (the militia's
    harassment can hit the host: deterrence, with widening) — A6, "stuck in the middle". Tension
    among the others pulls it towards mediation.
    """

    kind = "host"
    classifier = {"type": "host", "has_patron": False, "violent": False, "polices": True}
    spec: HostActor

    def eligible_targets(self) -> list[int]:
        return [j for j in range(self.model.n) if j != self.index]

    def soil_security(self) -> Any:
        return self.spec.security

    def desire(self, k: int) -> np.ndarray:
        m = self.model
        x = self.drive(k) - m.mediation_pull(self)
        patron = m.patron_of[k]
        if patron >= 0 and any_of(m.dynamics.host_pressure > 0):  # k is a militia: victims press
            guests = [s for s in m.stationed_on(self.index) if s != patron]
            for s in guests:
                x = x + m.dynamics.host_pressure * m.threat[s, k]
        return x


class Militia(Actor):
    """A militia or proxy: blends its patron's wishes and its own drive by its control level.

    x* = control · wish + (1 − control) · x*_own (principal–agent slack; RAND 2021), where the
    patron's wish is its own drive less the retaliation it expects to be blamed for — the patron
    bears the risk of attribution (A3), not the whole retaliation, which the proxy itself weighs
    in its own utility — and on days the patron has ordered restraint the proxy obeys with
    probability ``control``.
    """

    kind = "militia"
    classifier = {"type": "militia", "has_patron": True, "violent": True, "polices": False}
    spec: MilitiaActor

    def configure(self, spec: PointSpec) -> None:
        super().configure(spec)
        self.patron = self.model.index_of[spec.patron]
        self.control = spec.control

    def eligible_targets(self) -> list[int]:
        m = self.model
        if self.spec.targets:
            return sorted(m.index_of[t] for t in self.spec.targets)
        patron = m.actors[self.patron]
        rivals = patron.spec.rivals if isinstance(patron, State) else []
        foes = [m.index_of[r] for r in rivals if r in m.index_of]
        if self.spec.host is not None:
            foes.append(m.index_of[self.spec.host])
        return sorted(set(foes)) or [j for j in range(m.n) if j not in (self.index, self.patron)]

    def grudges(self) -> set[int]:
        m = self.model
        foes = set(self.eligible_targets())
        if self.spec.host is not None and not self.spec.targets:
            foes.discard(m.index_of[self.spec.host])
        return foes

    def prepare(self) -> None:
        super().prepare()
        m, p = self.model, self.patron
        patron = m.actors[p]
        # what the patron fears to be blamed for, per target, at the proxy's probing move
        blame_base: list[Any] = [0.0] * m.n
        self.blame_lines: dict[int, list[tuple[int, Any]]] = {}
        for k in range(m.n):
            if k in (self.index, p):
                continue
            blamed = m.perception.attribution[k, self.index]
            if m.perception.attribute_to[k, self.index] != p:
                blamed = 0.0
            blame_base[k] = blamed * m.retaliation_from(p, k, allies=False)
            row = self.probe.get(k, -1)
            self.blame_lines[k] = [
                (w, number(coef[self.menu[row]]))
                for w, coef in m.red_lines.exposure(self.index, k, p)
                if row >= 0
            ]
        self.blame_base = per_actor(blame_base, column=False)
        self.patron_caution = 1.0 - patron.spec.risk_tolerance

    def wish(self, k: int) -> np.ndarray:
        """The patron's wish for its proxy against ``k``: its drive less the blame it fears."""
        m, p = self.model, self.patron
        fear: np.ndarray | float = self.blame_base[k]
        for owner, coef in self.blame_lines[k]:
            fear = fear + coef * m.beliefs.credibility[p, owner]
        wish = m.actors[p].drive(k) - m.dynamics.deterrence * self.patron_caution * fear
        wish = np.maximum(wish, 0.0)
        cap = m.restraint_cap[p]
        if cap is not None:  # a patron holding itself back wants its proxies held back too
            level, strength = cap
            wish = wish + strength * (np.minimum(wish, level) - wish)
        return wish

    def desire(self, k: int) -> np.ndarray:
        x = self.control * self.wish(k) + (1.0 - self.control) * self.drive(k)
        return x - self.model.mediation_pull(self)

    def obeys(self, u_obey: np.ndarray | None) -> tuple[int, np.ndarray] | None:
        cap = self.model.orders_today[self.index]
        if cap is None or u_obey is None:
            return None
        return cap, u_obey < self.control


ACTOR_CLASSES: dict[str, type[Actor]] = {cls.kind: cls for cls in (State, Host, Militia)}


def menu_of(ladder: Ladder, kind: str) -> list[str]:
    """Names of the rungs on an actor type's default menu."""
    row = ladder.for_actor[ACTOR_TYPES.index(kind)]
    return [name for name, on in zip(ladder.names, row, strict=True) if on]
