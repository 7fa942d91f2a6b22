"""The typed scenario schema: what a scenario YAML file may say, with ranges and defaults.

Every model here is frozen and rejects unknown keys. Cross-references between parts of a scenario
(a patron that must exist, an event inside the horizon) are checked in
:mod:`simulator.scenario.references`, so that each problem can be reported with its own path.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from simulator.scenario.ladder import DEFAULT_LADDER

Name = Annotated[str, StringConstraints(pattern=r"^[A-Za-z][A-Za-z0-9_-]*$", max_length=40)]
Unit = Annotated[float, Field(strict=True, ge=0.0, le=1.0)]
ActorType = Literal["state", "host", "militia"]
Category = Literal["de-escalation", "status quo", "posturing", "non-violent", "violent", "war"]

#: The key that stands for "every observer" or "every actor" in the perception table.
DEFAULT_KEY = "default"


class Frozen(BaseModel):
    """Base of every schema model: immutable, and unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Rung(Frozen):
    """One rung of the escalation ladder (see :mod:`simulator.scenario.ladder`)."""

    name: Name
    label: str | None = None
    category: Category
    level: Annotated[float, Field(strict=True, ge=-1.0, le=1.0)]
    hostility: Annotated[float, Field(strict=True, ge=-1.0, le=1.0)]
    score: Annotated[float, Field(strict=True, ge=-100.0, le=1000.0)]
    defensive: bool = False
    covert: bool = False
    violent: bool = False
    lethality: Unit = 0.0
    casualties: Annotated[float, Field(strict=True, ge=1.0, le=10_000.0)] = 1.0
    damage: Annotated[float, Field(strict=True, ge=0.0, le=10_000.0)] = 0.0
    protection: Unit = 0.0
    suppression: Unit = 0.0
    duration: Annotated[int, Field(strict=True, ge=0, le=365)] = 0
    actors: Annotated[list[ActorType], Field(min_length=1)]
    targets: Annotated[list[ActorType], Field(min_length=1)]


class Window(Frozen):
    """A restraint window: until ``until`` the actor holds itself at or below ``max_rung``.

    ``strength`` 1 makes rungs above the cap all but impossible; 0 makes the window moot.
    """

    start: dt.date | None = Field(default=None, alias="from")
    until: dt.date
    max_rung: Name
    strength: Unit = 1.0
    label: str | None = None


class Order(Frozen):
    """A patron's order to its proxies to stay at or below ``max_rung`` between two dates.

    Each proxy obeys on a given day with probability equal to its ``control``.
    """

    to: Annotated[list[Name], Field(min_length=1)]
    start: dt.date | None = Field(default=None, alias="from")
    until: dt.date
    max_rung: Name
    label: str | None = None


class RedLine(Frozen):
    """A commitment to retaliate: losses of ``threshold`` or more in one day trip it.

    ``against`` is ``attributed`` (whoever the loss is blamed on, the patron when attribution
    succeeds), ``perpetrator`` (whoever carried the attack out) or an actor's name. Once tripped
    the actor is committed for ``window_days`` to a move at or above ``response`` against that
    actor, pushed by its audience cost; an unfulfilled commitment costs it credibility.
    """

    threshold: Annotated[int, Field(strict=True, ge=1, le=100_000)] = 1
    against: Name = "attributed"
    response: Name
    window_days: Annotated[int, Field(strict=True, ge=1, le=365)] = 3
    label: str | None = None


class ActorBase(Frozen):
    """Parameters every actor type has, each in [0, 1] unless stated."""

    label: str | None = None
    resolve: Unit = 0.5
    capability: Unit = 0.5
    risk_tolerance: Unit = 0.5
    domestic_pressure: Unit = 0.0
    grievance: Unit = 0.0
    audience_cost: Unit = 0.5
    rationality: Annotated[float, Field(strict=True, ge=0.0, le=100.0)] | None = None
    initial_threat: dict[Name, Annotated[float, Field(strict=True, ge=0.0, le=5.0)]] = {}
    restraint: list[Window] = []
    red_lines: list[RedLine] = []
    menu: list[Name] | None = None


class StateActor(ActorBase):
    """A state: resolve, capability, rivals, forces stationed abroad, orders to its proxies."""

    type: Literal["state"]
    rivals: list[Name] = []
    present_in: list[Name] = []
    orders: list[Order] = []


class HostActor(ActorBase):
    """A host government: polices proxies on its soil and mediates between the others."""

    type: Literal["host"]
    security: Unit = 0.2
    mediation: Unit = 0.05


class MilitiaActor(ActorBase):
    """A militia or proxy: a patron it obeys with probability ``control``, a host it operates in."""

    type: Literal["militia"]
    patron: Name
    control: Unit = 0.7
    host: Name | None = None


Actor = Annotated[StateActor | HostActor | MilitiaActor, Field(discriminator="type")]


class PerceptionPatch(Frozen):
    """How one observer reads one actor; unset fields fall back to broader entries."""

    offense_bias: Annotated[float, Field(strict=True, ge=0.0, le=2.0)] | None = None
    noise: Annotated[float, Field(strict=True, ge=0.0, le=2.0)] | None = None
    detection: Unit | None = None
    attribution: Unit | None = None
    attribute_to: Name | None = None
    resolve_estimate: Unit | None = None
    capability_estimate: Unit | None = None


class Dynamics(Frozen):
    """Rates of the perception–threat–grievance loop. Not sourceable: sweep them."""

    memory: Annotated[float, Field(strict=True, ge=0.0, lt=1.0)] = 0.85
    threat_gain: Annotated[float, Field(strict=True, ge=0.0, le=5.0)] = 0.15
    grievance_memory: Annotated[float, Field(strict=True, ge=0.0, lt=1.0)] = 0.97
    casualty_weight: Annotated[float, Field(strict=True, ge=0.0, le=5.0)] = 0.2
    grievance_per_casualty: Annotated[float, Field(strict=True, ge=0.0, le=1.0)] = 0.05
    solidarity: Unit = 0.5
    deterrence: Annotated[float, Field(strict=True, ge=0.0, le=10.0)] = 1.0
    action_cost: Annotated[float, Field(strict=True, ge=0.0, le=100.0)] = 3.0
    precision: Annotated[float, Field(strict=True, gt=0.0, le=1000.0)] = 25.0


class EventBase(Frozen):
    """A dated event; it applies at the start of its day."""

    date: dt.date
    label: str | None = None


class SetEvent(EventBase):
    """Change an actor's parameters from this date on (a new leadership, a deployment)."""

    kind: Literal["set"]
    actor: Name
    set: Annotated[dict[Name, object], Field(min_length=1)]


class GrievanceEvent(EventBase):
    """Add to an actor's grievance (an anniversary, a killing)."""

    kind: Literal["grievance"]
    actor: Name
    amount: Annotated[float, Field(strict=True, ge=-1.0, le=1.0)]


class ThreatEvent(EventBase):
    """Add to the threat an observer perceives from an actor (an intelligence warning)."""

    kind: Literal["threat"]
    observer: Name
    actor: Name
    amount: Annotated[float, Field(strict=True, ge=-5.0, le=5.0)]


class ActionEvent(EventBase):
    """Force an actor's move on this day (a historical move injected into a hindcast)."""

    kind: Literal["action"]
    actor: Name
    rung: Name
    target: Name


class PerceptionEvent(EventBase):
    """Change how an observer reads an actor from this date on."""

    kind: Literal["perception"]
    observer: Name
    actor: Name
    set: PerceptionPatch


Event = Annotated[
    SetEvent | GrievanceEvent | ThreatEvent | ActionEvent | PerceptionEvent,
    Field(discriminator="kind"),
]


SweepValue = str | Annotated[list[float], Field(min_length=1)]


class SweepSpec(Frozen):
    """A parameter sweep: which scalars vary, by which design, with how many replicates each.

    ``params`` maps a dotted scenario path (as for ``--set``) to ``"lo:hi:n"`` (a grid of n
    levels), ``"lo:hi"`` (bounds, for sampled designs) or a list of values.
    """

    design: Literal["grid", "lhs", "sobol", "morris"] = "grid"
    params: Annotated[dict[str, SweepValue], Field(min_length=1)]
    replicates: Annotated[int, Field(strict=True, ge=1, le=10_000_000)] = 200
    points: Annotated[int, Field(strict=True, ge=1, le=10_000_000)] | None = None
    second_order: bool = False
    levels: Annotated[int, Field(strict=True, ge=2, le=50)] = 4


class SweepFile(SweepSpec):
    """A sweep kept in its own file: the scenario it varies and fixed overrides of that scenario."""

    scenario: str
    set: dict[str, float | int | str | bool] = {}


class Scenario(Frozen):
    """A whole crisis: actors, how they read each other, the ladder, dated events, the run."""

    name: Name
    description: str = ""
    start: dt.date
    horizon_days: Annotated[int, Field(strict=True, ge=1, le=3650)]
    replicates: Annotated[int, Field(strict=True, ge=1, le=10_000_000)] = 1000
    seed: Annotated[int, Field(strict=True, ge=0, le=2**63 - 1)] = 0
    rationality: Annotated[float, Field(strict=True, ge=0.0, le=100.0)] = 1.0
    dynamics: Dynamics = Dynamics()
    ladder: Annotated[list[Rung], Field(min_length=2)] = [Rung(**r) for r in DEFAULT_LADDER]
    actors: Annotated[dict[Name, Actor], Field(min_length=2)]
    perception: dict[Name, dict[Name, PerceptionPatch]] = {}
    events: list[Event] = []
    sources: list[str] = []
    sweep: SweepSpec | None = None

    @property
    def end(self) -> dt.date:
        """The last simulated day."""
        return self.start + dt.timedelta(days=self.horizon_days - 1)

    def day_of(self, date: dt.date) -> int:
        """Day index (0 = start) of a calendar date."""
        return (date - self.start).days

    def rung_index(self, name: str) -> int:
        """Position of a rung on this scenario's ladder."""
        return [r.name for r in self.ladder].index(name)
