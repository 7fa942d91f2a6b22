"""The typed scenario schema: what a scenario YAML file may say, with ranges and defaults.

Every model here is frozen and rejects unknown keys. Cross-references between parts of a scenario
(a patron that must exist, an event inside the horizon) are checked in
:mod:`simulator.scenario.crosschecks`, so that each problem can be reported with its own path.
"""

from __future__ import annotations

import datetime as dt
import re
import typing
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

from simulator.scenario.default_ladder import DEFAULT_LADDER

Name = Annotated[str, StringConstraints(pattern=r"^[A-Za-z][A-Za-z0-9_-]*$", max_length=40)]
Unit = Annotated[float, Field(strict=True, ge=0.0, le=1.0)]
ActorType = Literal["state", "host", "militia"]
#: The actor types, in the order the model indexes them: the one definition of the list.
ACTOR_TYPES: tuple[ActorType, ...] = typing.get_args(ActorType)
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
    fatality: Unit = 0.3
    """Violent moves: share of the casualties who are killed (the rest are wounded)."""
    cost: Annotated[float, Field(strict=True, ge=0.0, le=1000.0)] | None = None
    """Utility cost of making this move (default: `dynamics.action_cost`; the status quo is
    free). Price catastrophic rungs high; a gesture's cost is what makes it a costly signal."""
    evidence: Annotated[float, Field(strict=True, ge=-10.0, le=10.0)] | None = None
    """Log-likelihood ratio, hostile type vs security seeker, that an unbiased observer reads
    from this move (Kydd 2005): 0 for cheap talk and defensive posture, > 0 for offensive
    moves, < 0 for reassurance (scaled by how far its cost exceeds `dynamics.mimic_value`).
    Default by category: de-escalation −1, status quo and posturing 0, non-violent 0.5,
    violent 1, war 1.5."""
    attributable: bool | None = None
    """A proxy's move of this rung can be blamed on its patron (default: violent or covert
    moves only; threats and posture are not, unless set here)."""
    actors: Annotated[list[ActorType], Field(min_length=1)] = list(ACTOR_TYPES)
    """Actor types that have this rung on their default menu (default: every type)."""
    targets: Annotated[list[ActorType], Field(min_length=1)] = list(ACTOR_TYPES)
    """Actor types this rung can be aimed at (default: every type)."""


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
    """A declared commitment to retaliate, covering only what it says (Schelling 1966).

    It trips when, on one day, what it ``covers`` — the owner's forces abroad, its territory, its
    proxies — suffers ``threshold`` deaths (the default), casualties (killed or wounded), or
    violent attacks. The owner is then committed to a move between
    ``response`` and ``response_max`` against ``against``, due between ``delay_min`` and
    ``delay_max`` days later (its pull acts in that window; an earlier response keeps it too).
    The line deters only the acts it covers, through the
    adversary's belief in the owner's commitments; keeping it builds that belief, a lapse costs it.
    """

    trigger: Literal["deaths", "casualties", "attacks"] = "deaths"
    """What is counted: `deaths` (not the wounded), `casualties` (killed or wounded), `attacks`
    (violent moves, whether or not they hurt)."""
    covers: Annotated[list[Literal["forces", "territory", "proxies"]], Field(min_length=1)] = [
        "forces",
        "territory",
    ]
    """Whose losses count: the owner's `forces` stationed abroad, its `territory` (moves that
    land on no host's soil), its `proxies` (militias whose patron it is)."""
    threshold: Annotated[int, Field(strict=True, ge=1, le=100_000)] = 1
    """Count in one day that trips the line."""
    against: Name = "attributed"
    """`perpetrator` (whoever carried the attack out), `attributed` (the patron when the owner
    blames the attack on it, else the perpetrator), `both`, or an actor's name."""
    response: Name
    """The least rung that keeps the promise."""
    response_max: Name | None = None
    """The most escalatory rung that the promise calls for (default: `response` itself)."""
    delay_min: Annotated[int, Field(strict=True, ge=1, le=365)] = 1
    """Days after the trip when the response falls due (the promise starts to pull)."""
    delay_max: Annotated[int, Field(strict=True, ge=1, le=365)] = 3
    """Days after the trip by which the response must come, or the promise lapses."""
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
    """Pull to honour a tripped red line, and the price of a lapse (Fearon 1994). Inert for an
    actor without red lines."""
    mediation: Unit = 0.0
    """Share of the others' mutual threat removed on a day this actor makes a conciliatory move
    (passing messages between them); any actor type may mediate."""
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
    """Share of attacks by militias based on its soil that it foils (tightened security adds to
    it); it cannot stop a state's air strikes."""
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
    prior_hostile: Annotated[float, Field(strict=True, ge=0.001, le=0.999)] | None = None
    """Observer's prior probability that the actor is a hostile (expansionist) type rather than
    a security seeker (default 0.5); updated by Bayes' rule from what it sees."""
    credibility: Unit | None = None
    """Observer's prior belief that the actor keeps its red lines (default: the actor's
    audience cost); kept promises raise it, lapses lower it."""


class Dynamics(Frozen):
    """Rates of the perception–threat–grievance loop. Not sourceable: sweep them."""

    memory: Annotated[float, Field(strict=True, ge=0.0, lt=1.0)] = 0.85
    """Share of threat kept from one day to the next."""
    threat_gain: Annotated[float, Field(strict=True, ge=0.0, le=5.0)] = 0.15
    """Threat added per unit of perceived hostility."""
    grievance_memory: Annotated[float, Field(strict=True, ge=0.0, lt=1.0)] = 0.97
    """Share of excess grievance kept from one day to the next."""
    casualty_weight: Annotated[float, Field(strict=True, ge=0.0, le=5.0)] = 0.2
    """Hostility added by the losses a move caused, × log2(1 + casualties), for every observer it
    concerns (one casualty counts 1, three 2, 31 five: diminishing sensitivity)."""
    grievance_per_casualty: Annotated[float, Field(strict=True, ge=0.0, le=1.0)] = 0.05
    """Grievance added by losses suffered, × log2(1 + casualties), aimed at the perpetrator and at
    whoever is blamed."""
    solidarity: Unit = 0.5
    """Weight of moves against one's proxy or patron, and of proxies' losses."""
    deterrence: Annotated[float, Field(strict=True, ge=0.0, le=10.0)] = 1.0
    """Weight of expected retaliation in the utility of escalatory rungs."""
    action_cost: Annotated[float, Field(strict=True, ge=0.0, le=100.0)] = 3.0
    """Utility cost of any move but the status quo."""
    precision: Annotated[float, Field(strict=True, gt=0.0, le=1000.0)] = 25.0
    """β: how sharply utility falls with distance from the desired level."""
    restraint_penalty: Annotated[float, Field(strict=True, ge=0.0, le=1000.0)] = 10.0
    """Utility cost of a rung above a fully binding restraint window (× the window's strength)."""
    commitment_pull: Annotated[float, Field(strict=True, ge=0.0, le=1000.0)] = 10.0
    """Utility of keeping an open promise (× the actor's audience cost): the promised rungs
    against the promised target gain it while the commitment is open."""
    belief_gain: Annotated[float, Field(strict=True, ge=0.0, le=10.0)] = 0.5
    """Scale of the Bayesian update: log-odds added per unit of evidence a move carries."""
    belief_weight: Annotated[float, Field(strict=True, ge=0.0, le=5.0)] = 0.2
    """Stance: the desired level moves by belief_weight × (2·P(hostile) − 1) — firm against a
    believed-hostile actor, conciliatory towards a believed security seeker."""
    type_change: Annotated[float, Field(strict=True, ge=0.0, le=1.0)] = 0.01
    """Daily chance, in observers' eyes, that an actor's type is redrawn from the prior (a new
    leadership, a change of heart): beliefs drift back to the prior at this rate and never reach
    certainty (0: exact Bayes for types that never change)."""
    mimic_value: Annotated[float, Field(strict=True, ge=0.0, le=1000.0)] = 0.5
    """Utility a hostile type would pay to be thought benign: a gesture that costs less is cheap
    talk and carries no evidence (Kydd 2005, costly reassurance)."""
    satiation: Unit = 0.6
    """Share of excess grievance towards a target settled by one violent move against it, scaled
    by the move's level (a retaliation settles the score)."""
    war_weariness: Annotated[float, Field(strict=True, ge=0.0, le=1.0)] = 0.01
    """Weariness added for each day a state is at war."""
    weariness_per_casualty: Annotated[float, Field(strict=True, ge=0.0, le=1.0)] = 0.005
    """Weariness added per casualty suffered, at war or not, by every actor."""
    weariness_memory: Annotated[float, Field(strict=True, ge=0.0, le=1.0)] = 0.995
    """Share of weariness kept from one day to the next."""
    ceasefire_days: Annotated[int, Field(strict=True, ge=1, le=365)] = 7
    """Two states at war reach a ceasefire when each has made a de-escalation move towards the
    other within this many days."""
    host_pressure: Annotated[float, Field(strict=True, ge=0.0, le=5.0)] = 0.3
    """Pressure on a host to police a militia: weight of the alarm (threat) that the states whose
    forces it hosts feel from that militia."""
    reputation_weight: Annotated[float, Field(strict=True, gt=0.0, le=1000.0)] = 4.0
    """Weight of the prior belief in an actor's commitments, in kept-or-lapsed promises."""


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
    against: Name | None = None
    """At whom the grievance is aimed (default: the actor's standing foes — a state's rivals and
    their proxies, a militia's patron's rivals; a host has none, so name one)."""


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
    deaths: Annotated[int, Field(strict=True, ge=0, le=100_000)] | None = None
    """Deaths the move caused, where history fixes them (default: drawn like any move)."""
    wounded: Annotated[int, Field(strict=True, ge=0, le=100_000)] | None = None
    """Wounded the move caused, where history fixes them (default: drawn with the deaths)."""


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
    levers: list[str] = []
    """Paths of `params` that are levers, policies an actor controls; the others are
    uncertainties (`escalation robustness` ranks the levers' settings across them)."""


class SweepFile(SweepSpec):
    """A sweep kept in its own file: the scenario it varies and fixed overrides of that scenario."""

    scenario: str
    """Scenario file, relative to the sweep file."""
    set: dict[str, float | int | str | bool] = {}
    """Fixed overrides of the scenario (dotted path → value)."""


#: the most actors, and the most rungs, a scenario holds: the event log stores their numbers as
#: int8 (``Recorder.event_columns``), whose largest is 127
BYTE_MOST = 127


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
    ladder: Annotated[list[Rung], Field(min_length=2, max_length=BYTE_MOST)] = [
        Rung(**r) for r in DEFAULT_LADDER
    ]
    """The escalation ladder, least to most escalatory (default shipped); 127 rungs at most."""
    actors: Annotated[dict[Name, Actor], Field(min_length=2, max_length=BYTE_MOST)]
    """Actors by name (names are used everywhere else); 127 at most."""
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
