"""The typed scenario schema: what a scenario YAML file may say, with ranges and defaults.

Every model here is frozen and rejects unknown keys. Cross-references between parts of a scenario
(a patron that must exist, an event inside the horizon) are checked in
:mod:`simulator.scenario.crosschecks`, so that each problem can be reported with its own path.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

from simulator.scenario.default_ladder import DEFAULT_LADDER

Name = Annotated[str, StringConstraints(pattern=r"^[A-Za-z][A-Za-z0-9_-]*$", max_length=40)]
Unit = Annotated[float, Field(strict=True, ge=0.0, le=1.0)]
ActorType = Literal["state", "host", "militia"]
Category = Literal["de-escalation", "status quo", "posturing", "non-violent", "violent", "war"]

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _date_or_iso_text(value: object) -> object:
    """Let only dates and YYYY-MM-DD text through: pydantic reads numbers as Unix time (0: 1970)."""
    if isinstance(value, dt.date) or (isinstance(value, str) and _ISO_DATE.fullmatch(value)):
        return value
    raise ValueError("expected a date written YYYY-MM-DD")


Date = Annotated[dt.date, BeforeValidator(_date_or_iso_text)]

#: The key that stands for "every observer" or "every actor" in the perception table.
DEFAULT_KEY = "default"


class Frozen(BaseModel):
    """Base of every schema model: immutable, and unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)


class Rung(Frozen):
    """One rung of the escalation ladder (see :mod:`simulator.scenario.default_ladder`)."""

    name: Name
    """Identifier used in menus, events and red lines."""
    label: str | None = None
    """Human-readable name for plots and traces."""
    category: Category
    """Kahn/Rivera group; `war` marks war; `non-violent`, `violent` and `war` rungs are deterred."""
    level: Annotated[float, Field(strict=True, ge=-1.0, le=1.0)]
    """Position on the ladder (status quo 0); actors hold a desired level on this scale."""
    hostility: Annotated[float, Field(strict=True, ge=-1.0, le=1.0)]
    """Face-value hostility an observer reads, from Goldstein weights / 10 (hostile > 0)."""
    score: Annotated[float, Field(strict=True, ge=-100.0, le=1000.0)]
    """Escalation score (Rivera et al. 2024) summed into the escalation index."""
    defensive: bool = False
    """A defensive-posture move: observers read its hostility through their offense bias."""
    covert: bool = False
    """May go undetected (observer's `detection`)."""
    violent: bool = False
    """Resolves into casualties: P = lethality × capability × (1 − suppression) × (1 − the
    target's protection) × (1 − the host's security where it lands)."""
    lethality: Unit = 0.0
    """Chance that the move causes casualties against an unprotected target."""
    casualties: Annotated[float, Field(strict=True, ge=1.0, le=500.0)] = 1.0
    """Mean casualties when it does (1 + Poisson(casualties − 1))."""
    damage: Annotated[float, Field(strict=True, ge=0.0, le=10_000.0)] = 0.0
    """Damage units done to the target when the move lands."""
    protection: Unit = 0.0
    """Defensive moves: share of incoming attacks' success removed."""
    suppression: Unit = 0.0
    """Raids: share of the target's attack success removed."""
    duration: Annotated[int, Field(strict=True, ge=0, le=365)] = 0
    """Days a protection or suppression lasts."""
    actors: Annotated[list[ActorType], Field(min_length=1)]
    """Actor types that have this rung on their default menu."""
    targets: Annotated[list[ActorType], Field(min_length=1)]
    """Actor types this rung can be aimed at."""


class Window(Frozen):
    """A restraint window: until ``until`` the actor holds itself at or below ``max_rung``.

    ``strength`` 1 makes rungs above the cap all but impossible; 0 makes the window moot.
    """

    start: Date | None = Field(default=None, alias="from")
    """First day of the window (`from`; default: the scenario's start)."""
    until: Date
    """Last day of the window."""
    max_rung: Name
    """Highest rung allowed without penalty."""
    strength: Unit = 1.0
    """1: rungs above the cap all but impossible; 0: no effect."""
    label: str | None = None
    """Shown in traces and docs."""


class Order(Frozen):
    """A patron's order to its proxies to stay at or below ``max_rung`` between two dates.

    Each proxy obeys on a given day with probability equal to its ``control``.
    """

    to: Annotated[list[Name], Field(min_length=1)]
    """Proxies (militias whose patron is this state) the order goes to."""
    start: Date | None = Field(default=None, alias="from")
    """First day of the order (`from`; default: the scenario's start)."""
    until: Date
    """Last day of the order."""
    max_rung: Name
    """Highest rung the proxies may use while the order stands."""
    label: str | None = None
    """Shown in traces and docs."""


class RedLine(Frozen):
    """A commitment to retaliate: losses of ``threshold`` or more in one day trip it.

    ``against`` is ``attributed`` (whoever the loss is blamed on, the patron when attribution
    succeeds), ``perpetrator`` (whoever carried the attack out) or an actor's name. Once tripped
    the actor is committed for ``window_days`` to a move at or above ``response`` against that
    actor, pushed by its audience cost; an unfulfilled commitment costs it credibility.
    """

    threshold: Annotated[int, Field(strict=True, ge=1, le=100_000)] = 1
    """Casualties in one day that trip the red line."""
    against: Name = "attributed"
    """`attributed` (whoever the loss is blamed on), `perpetrator`, or an actor's name."""
    response: Name
    """Rung the actor commits to (or above) once the red line is tripped."""
    window_days: Annotated[int, Field(strict=True, ge=1, le=365)] = 3
    """Days the commitment lasts before it lapses, costing credibility."""
    label: str | None = None
    """The declared line, e.g. the statement that drew it."""


class ActorBase(Frozen):
    """Parameters every actor type has, each in [0, 1] unless stated."""

    label: str | None = None
    """Display name."""
    resolve: Unit = 0.5
    """Weight of threat and grievance in the desired escalation level."""
    capability: Unit = 0.5
    """Scales the success of the actor's violent moves; rivals' deterrence weighs it."""
    risk_tolerance: Unit = 0.5
    """Discounts the retaliation the actor expects (1: undeterred)."""
    domestic_pressure: Unit = 0.0
    """Constant push towards escalation (added to the desired level)."""
    grievance: Unit = 0.0
    """Baseline grievance (revenge motive); losses raise it, it decays back to this."""
    audience_cost: Unit = 0.5
    """Pull to honour a tripped red line; credibility lost if it lapses."""
    rationality: Annotated[float, Field(strict=True, ge=0.0, le=100.0)] | None = None
    """Logit λ for this actor (default: the scenario's)."""
    initial_threat: dict[Name, Annotated[float, Field(strict=True, ge=0.0, le=5.0)]] = {}
    """Threat this actor perceives from others on day 0."""
    restraint: list[Window] = []
    """Restraint windows (e.g. waiting for a new administration)."""
    red_lines: list[RedLine] = []
    """Commitments to retaliate when losses reach a threshold."""
    menu: list[Name] | None = None
    """Rungs this actor may choose (default: its type's menu on the ladder)."""


class StateActor(ActorBase):
    """A state: resolve, capability, rivals, forces stationed abroad, orders to its proxies."""

    type: Literal["state"]
    """`state`."""
    rivals: list[Name] = []
    """States it confronts; it also targets their proxies."""
    present_in: list[Name] = []
    """Hosts where its forces are stationed (attacks on it land on their soil)."""
    orders: list[Order] = []
    """Orders of restraint to its proxies."""


class HostActor(ActorBase):
    """A host government: polices proxies on its soil and mediates between the others."""

    type: Literal["host"]
    """`host`."""
    security: Unit = 0.2
    """Share of attacks on its soil foiled (tightened security adds to it)."""
    mediation: Unit = 0.05
    """Share of the others' mutual threat removed on a day it mediates."""


class MilitiaActor(ActorBase):
    """A militia or proxy: a patron it obeys with probability ``control``, a host it operates in."""

    type: Literal["militia"]
    """`militia`."""
    patron: Name
    """The state it serves; observers may blame its moves on the patron."""
    control: Unit = 0.7
    """Patron's control: weight of the patron's wishes, and P(obeying an order)."""
    host: Name | None = None
    """Host government on whose soil it operates."""
    targets: list[Name] | None = None
    """Actors it may target (default: its patron's rivals, and its host)."""


Actor = Annotated[StateActor | HostActor | MilitiaActor, Field(discriminator="type")]


class PerceptionPatch(Frozen):
    """How one observer reads one actor; unset fields fall back to broader entries."""

    offense_bias: Annotated[float, Field(strict=True, ge=0.0, le=2.0)] | None = None
    """How offensive defensive moves look (0: read as defensive, 1: at face value)."""
    noise: Annotated[float, Field(strict=True, ge=0.0, le=2.0)] | None = None
    """Standard deviation of the error in reading a move's hostility."""
    detection: Unit | None = None
    """Probability of seeing a covert move."""
    attribution: Unit | None = None
    """Probability of also blaming the move on `attribute_to` (default: the patron)."""
    attribute_to: Name | None = None
    """Whom the observer blames besides the actor (default: the actor's patron)."""
    resolve_estimate: Unit | None = None
    """Observer's estimate of the actor's resolve (default: the true value)."""
    capability_estimate: Unit | None = None
    """Observer's estimate of the actor's capability (default: true value)."""


class Dynamics(Frozen):
    """Rates of the perception–threat–grievance loop. Not sourceable: sweep them."""

    memory: Annotated[float, Field(strict=True, ge=0.0, lt=1.0)] = 0.85
    """Share of threat kept from one day to the next."""
    threat_gain: Annotated[float, Field(strict=True, ge=0.0, le=5.0)] = 0.15
    """Threat added per unit of perceived hostility."""
    grievance_memory: Annotated[float, Field(strict=True, ge=0.0, lt=1.0)] = 0.97
    """Share of excess grievance kept from one day to the next."""
    casualty_weight: Annotated[float, Field(strict=True, ge=0.0, le=5.0)] = 0.2
    """Hostility added per casualty a move caused, for every observer it concerns."""
    grievance_per_casualty: Annotated[float, Field(strict=True, ge=0.0, le=1.0)] = 0.05
    """Grievance added per casualty suffered."""
    solidarity: Unit = 0.5
    """Weight of moves against one's proxy or patron, and of proxies' losses."""
    deterrence: Annotated[float, Field(strict=True, ge=0.0, le=10.0)] = 1.0
    """Weight of expected retaliation in the utility of escalatory rungs."""
    action_cost: Annotated[float, Field(strict=True, ge=0.0, le=100.0)] = 3.0
    """Utility cost of any move but the status quo."""
    precision: Annotated[float, Field(strict=True, gt=0.0, le=1000.0)] = 25.0
    """β: how sharply utility falls with distance from the desired level."""


class EventBase(Frozen):
    """A dated event; it applies at the start of its day."""

    date: Date
    """Day the event applies (at the start of the day)."""
    label: str | None = None
    """Shown on plots and in traces."""


class SetEvent(EventBase):
    """Change an actor's parameters from this date on (a new leadership, a deployment)."""

    kind: Literal["set"]
    """`set`."""
    actor: Name
    """Actor whose parameters change."""
    set: Annotated[dict[Name, object], Field(min_length=1)]
    """Field → new value (any actor field)."""


class GrievanceEvent(EventBase):
    """Add to an actor's grievance (an anniversary, a killing)."""

    kind: Literal["grievance"]
    """`grievance`."""
    actor: Name
    """Actor whose grievance changes."""
    amount: Annotated[float, Field(strict=True, ge=-1.0, le=1.0)]
    """Added to its grievance."""


class ThreatEvent(EventBase):
    """Add to the threat an observer perceives from an actor (an intelligence warning)."""

    kind: Literal["threat"]
    """`threat`."""
    observer: Name
    """Who feels the threat."""
    actor: Name
    """Whom it is felt from."""
    amount: Annotated[float, Field(strict=True, ge=-5.0, le=5.0)]
    """Added to the threat."""


class ActionEvent(EventBase):
    """Force an actor's move on this day (a historical move injected into a hindcast)."""

    kind: Literal["action"]
    """`action`."""
    actor: Name
    """Who moves."""
    rung: Name
    """The move."""
    target: Name
    """Against whom."""


class PerceptionEvent(EventBase):
    """Change how an observer reads an actor from this date on."""

    kind: Literal["perception"]
    """`perception`."""
    observer: Name
    """Whose reading changes."""
    actor: Name
    """Of whom (`default`: of everyone)."""
    set: PerceptionPatch
    """The perception fields that change."""


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
    """`grid`, `lhs` (Latin hypercube), `sobol` (Saltelli) or `morris`."""
    params: Annotated[dict[str, SweepValue], Field(min_length=1)]
    """Dotted path → `lo:hi:n`, `lo:hi` or a list of values."""
    replicates: Annotated[int, Field(strict=True, ge=1, le=10_000_000)] = 200
    """Replicates per design point."""
    points: Annotated[int, Field(strict=True, ge=1, le=10_000_000)] | None = None
    """LHS points; Sobol base N (a power of 2); Morris trajectories."""
    second_order: bool = False
    """Sobol: also sample second-order indices."""
    levels: Annotated[int, Field(strict=True, ge=2, le=50)] = 4
    """Morris grid levels."""


class SweepFile(SweepSpec):
    """A sweep kept in its own file: the scenario it varies and fixed overrides of that scenario."""

    scenario: str
    """Scenario file, relative to the sweep file."""
    set: dict[str, float | int | str | bool] = {}
    """Fixed overrides of the scenario (dotted path → value)."""


class Scenario(Frozen):
    """A whole crisis: actors, how they read each other, the ladder, dated events, the run."""

    name: Name
    """Identifier (used in result folder names)."""
    description: str = ""
    """The question the scenario answers."""
    start: Date
    """First simulated day."""
    horizon_days: Annotated[int, Field(strict=True, ge=1, le=3650)]
    """Number of simulated days."""
    replicates: Annotated[int, Field(strict=True, ge=1, le=10_000_000)] = 1000
    """Independent worlds to simulate."""
    seed: Annotated[int, Field(strict=True, ge=0, le=2**63 - 1)] = 0
    """Random seed; replicate k depends only on (scenario, seed, k)."""
    rationality: Annotated[float, Field(strict=True, ge=0.0, le=100.0)] = 1.0
    """Logit λ: 0 uniform choice, large = best response."""
    dynamics: Dynamics = Dynamics()
    """Rates of the threat–grievance loop."""
    ladder: Annotated[list[Rung], Field(min_length=2)] = [Rung(**r) for r in DEFAULT_LADDER]
    """The escalation ladder, least to most escalatory (default shipped)."""
    actors: Annotated[dict[Name, Actor], Field(min_length=2)]
    """Actors by name (names are used everywhere else)."""
    perception: dict[Name, dict[Name, PerceptionPatch]] = {}
    """Observer → actor → perception settings; `default` is a wildcard key."""
    events: list[Event] = []
    """Dated events."""
    sources: list[str] = []
    """Citations for the scenario as a whole."""
    sweep: SweepSpec | None = None
    """An optional parameter sweep over this scenario."""

    @property
    def end(self) -> dt.date:
        """The last simulated day."""
        return self.start + dt.timedelta(days=self.horizon_days - 1)

    def day_of(self, date: dt.date) -> int:
        """Day index (0 = start) of a calendar date."""
        return (date - self.start).days
