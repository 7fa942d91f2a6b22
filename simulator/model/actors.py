"""The actors: Mesa agents whose state lives in the model's arrays over replicates.

Each actor type has one decision rule, written once over the replicate axis. Every type chooses a
rung by a logit (quantal-response) rule (McKelvey & Palfrey 1995) over an *ideal-point* utility:

    U(r) = -β (level_r - x*)²  -  β · deterrence · [r beyond posturing] · level_r · E
           -  action_cost · [r is not the status quo]
           -  10 · strength · [r above an active restraint cap]
           +  10 · audience_cost · [r at or above a tripped red line's response]
    P(r) ∝ exp(λ U(r))  over the rungs allowed against the chosen target

where ``x*`` is the actor's desired escalation level today (a type-specific function of threat,
grievance, resolve and pressure; for a state x* = resolve · (threat + grievance) + pressure),
β the decision precision, λ the actor's rationality and
E = perceived resolve × perceived capability of the target × (1 − own risk tolerance) × (1 + the
target's audience cost when it has declared red lines): expected retaliation, the deterrence term.
The action cost makes doing nothing the usual day: a move has to be wanted to be made.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

import mesa
import numpy as np

from simulator.model.ladder import ACTOR_TYPES
from simulator.scenario.schema import ActorBase, HostActor, MilitiaActor

if TYPE_CHECKING:
    from simulator.model.world import EscalationModel

#: Utility units of a fully binding restraint window / of a fully costly unkept commitment.
RESTRAINT_PENALTY = 10.0
COMMITMENT_PULL = 10.0
#: A mask value: rungs that cannot be chosen today.
_EXCLUDED = -np.inf


class Actor(mesa.Agent):
    """An actor in the crisis; subclasses define its menu, targets and desired escalation level."""

    kind: ClassVar[str]
    #: Declared behaviour, checked against the default ladder for every type by one shared test:
    #: ``violent`` ⇔ violent rungs on the default menu, ``polices`` ⇔ a suppressive rung.
    classifier: ClassVar[dict[str, object]]
    model: EscalationModel

    def __init__(self, model: EscalationModel, name: str, index: int, spec: ActorBase):
        super().__init__(model)
        self.name = name
        self.index = index
        self.type_index = ACTOR_TYPES.index(self.kind)
        self.configure(spec)

    def configure(self, spec: ActorBase) -> None:
        """Take parameter values from a spec (at the start, and after a leadership change)."""
        self.spec = spec
        ladder = self.model.ladder
        if spec.menu is not None:
            menu = {ladder.index(m) for m in spec.menu}
        else:
            menu = set(np.flatnonzero(ladder.for_actor[self.type_index]).tolist())
        menu.add(ladder.status_quo)  # doing nothing is always possible
        self.menu = np.array(sorted(menu), dtype=np.int64)
        self.menu_level = ladder.level[self.menu][:, None]
        # utilities are computed in single precision: the widest arrays of a day, and choice
        # probabilities need no more than seven significant digits
        self.menu_level32 = self.menu_level.astype(np.float32)
        self.menu_deterred = ladder.deterred[self.menu]
        # excluded_against[row, target type]: 0, or -inf where the rung cannot hit that type
        excluded = np.where(ladder.against[self.menu], 0.0, _EXCLUDED).astype(np.float32)
        excluded[self.menu == ladder.status_quo] = 0.0
        self.excluded_against = excluded
        self.rationality = (
            spec.rationality if spec.rationality is not None else self.model.scenario.rationality
        )

    # -- per-type pieces -------------------------------------------------------------------
    def eligible_targets(self) -> list[int]:
        """Indices of the actors this actor may aim its moves at."""
        raise NotImplementedError

    def desire(self, target: np.ndarray, threat: np.ndarray) -> np.ndarray:
        """Desired escalation level x* per replicate, given the target and the threat from it."""
        raise NotImplementedError

    def obeys(self, day: int, u_obey: np.ndarray | None) -> tuple[int, np.ndarray] | None:
        """A hard cap on rungs today and the replicates in which it binds (patron orders)."""
        return None

    # -- the shared rule ---------------------------------------------------------------------
    def own_drive(self, threat: np.ndarray) -> np.ndarray:
        """Resolve times (threat + grievance), plus domestic pressure and lost credibility."""
        m, i = self.model, self.index
        return (
            self.spec.resolve * (threat + m.grievance[i])
            + self.spec.domestic_pressure
            + m.credibility_loss[i]
        )

    def expected_retaliation(self, target: np.ndarray) -> np.ndarray:
        """Expected retaliation E from each replicate's target.

        The target's perceived resolve × capability, discounted by own risk tolerance and raised
        by the target's audience cost when it has declared red lines.
        """
        m, i = self.model, self.index
        return (
            m.resolve_estimate[i][target]
            * m.capability_estimate[i][target]
            * (1.0 - self.spec.risk_tolerance)
            * (1.0 + m.red_line_credibility[target])
        )

    def pick_target(self) -> tuple[np.ndarray, np.ndarray]:
        """Aim at the eligible actor perceived as most threatening (a red line overrides)."""
        m, i = self.model, self.index
        targets = self.targets
        perceived = m.threat[i][targets]
        if len(targets) == 1:
            target = np.full(m.replicates, targets[0])
        else:
            target = targets[np.argmax(perceived, axis=0)]
        committed = m.commit_days[i] > 0
        if committed.any():
            target = np.where(committed, m.commit_target[i], target)
        return target, m.threat[i][target, m.columns]

    def decide(self, day: int, u_choice: np.ndarray, u_obey: np.ndarray | None):
        """Choose a rung and a target in every replicate: returns (rung, target, x*)."""
        m, i, lad = self.model, self.index, self.model.ladder
        dyn = m.scenario.dynamics
        target, threat = self.pick_target()
        x = self.desire(target, threat)
        utility = self.menu_level32 - x.astype(np.float32)
        utility *= utility
        utility *= -dyn.precision
        if self.menu_deterred.any():
            retaliation = self.expected_retaliation(target)
            level = self.menu_level[self.menu_deterred]
            utility[self.menu_deterred] -= dyn.precision * dyn.deterrence * level * retaliation
        utility[self.menu != lad.status_quo] -= dyn.action_cost
        cap = m.restraint_today[i]
        if cap is not None:
            utility[self.menu > cap[0]] -= RESTRAINT_PENALTY * cap[1]
        committed = m.commit_days[i] > 0
        if committed.any():
            pull = (self.menu[:, None] >= m.commit_rung[i][None, :]) & committed[None, :]
            utility += COMMITMENT_PULL * self.spec.audience_cost * pull
        z = utility
        z *= self.rationality
        # hard constraints: rungs that cannot be aimed at this target, orders obeyed today
        excluded = self.excluded_against[:, m.actor_type_index]  # (rungs, actors)
        if excluded[:, self.targets].any() or committed.any():
            z += excluded[:, target]
        order = self.obeys(day, u_obey)
        if order is not None:
            above = self.menu > order[0]
            z[above] = np.where(order[1], _EXCLUDED, z[above])
        choice = logit_choice(z, u_choice)
        return self.menu[choice], target, x


def logit_choice(z: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Sample row indices with P ∝ exp(z), column by column, by inversion (z may hold -inf)."""
    z -= z.max(axis=0)
    weights = np.exp(z, out=z)
    # running sums row by row: faster than cumsum along the short axis of a wide array
    cumulative = weights
    for row in range(1, len(weights)):
        cumulative[row] += cumulative[row - 1]
    threshold = u * cumulative[-1]
    return (cumulative < threshold).sum(axis=0)


class State(Actor):
    """A state (e.g. the US, Iran): acts on threat, grievance and resolve; deterred by rivals."""

    kind = "state"
    classifier = {"type": "state", "has_patron": False, "violent": True, "polices": False}

    def eligible_targets(self) -> list[int]:
        m = self.model
        rivals = {m.index_of[r] for r in self.spec.rivals}
        proxies = {a.index for a in m.actors if isinstance(a, Militia) and a.patron in rivals}
        return sorted(rivals | proxies) or [j for j in range(m.n) if j != self.index]

    def desire(self, target: np.ndarray, threat: np.ndarray) -> np.ndarray:
        return self.own_drive(threat)


class Host(Actor):
    """A host government (e.g. Iraq): polices proxies, and mediates when the others are tense."""

    kind = "host"
    classifier = {"type": "host", "has_patron": False, "violent": False, "polices": True}

    def eligible_targets(self) -> list[int]:
        return [j for j in range(self.model.n) if j != self.index]

    def desire(self, target: np.ndarray, threat: np.ndarray) -> np.ndarray:
        # Tension between the others pulls the host towards mediation (A6: "stuck in the middle").
        return self.own_drive(threat) - self.model.tension_without(self.index)

    def configure(self, spec: HostActor) -> None:
        super().configure(spec)
        self.security = spec.security
        self.mediation = spec.mediation


class Militia(Actor):
    """A militia or proxy: blends its patron's wishes and its own grievance by its control level.

    x* = control · wish + (1 − control) · x*_own (principal–agent slack; RAND 2021), where the
    patron's wish is its own drive less the retaliation it expects to be blamed for (the patron
    bears the risk of attribution, A3, so clients are the likelier attackers), and on days the
    patron has ordered restraint the proxy obeys with probability ``control``.
    """

    kind = "militia"
    classifier = {"type": "militia", "has_patron": True, "violent": True, "polices": False}

    def configure(self, spec: MilitiaActor) -> None:
        super().configure(spec)
        self.patron = self.model.index_of[spec.patron]
        self.control = spec.control

    def eligible_targets(self) -> list[int]:
        m = self.model
        if self.spec.targets:
            return sorted(m.index_of[t] for t in self.spec.targets)
        patron = m.actors[self.patron]
        foes = [m.index_of[r] for r in patron.spec.rivals if r in m.index_of]
        if self.spec.host is not None:
            foes.append(m.index_of[self.spec.host])
        return sorted(set(foes)) or [j for j in range(m.n) if j not in (self.index, self.patron)]

    def desire(self, target: np.ndarray, threat: np.ndarray) -> np.ndarray:
        m, p = self.model, self.model.actors[self.patron]
        patron_threat = m.threat[self.patron][target, m.columns]
        deterrence = m.scenario.dynamics.deterrence * p.expected_retaliation(target)
        wish = np.maximum(p.own_drive(patron_threat) - deterrence, 0.0)
        cap = m.restraint_today[self.patron]
        if cap is not None:  # a patron holding itself back wants its proxies held back too
            capped = np.minimum(wish, m.ladder.level[cap[0]])
            wish = wish + cap[1] * (capped - wish)  # as far as the window's strength goes
        return self.control * wish + (1.0 - self.control) * self.own_drive(threat)

    def obeys(self, day: int, u_obey: np.ndarray | None) -> tuple[int, np.ndarray] | None:
        cap = self.model.orders_today[self.index]
        if cap is None or u_obey is None:
            return None
        return cap, u_obey < self.control


ACTOR_CLASSES: dict[str, type[Actor]] = {cls.kind: cls for cls in (State, Host, Militia)}
