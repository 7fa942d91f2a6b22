"""Red lines: commitments that cover what they say (Schelling 1966; Fearon 1994, 1997).

A red line is compiled once per model into what it covers (which attacks on whom), how likely each
rung of an attacker is to trip it, on whom its response falls, and the promised range of rungs.
It enters the model in three places:

- **deterrence** (:meth:`RedLines.deterrence`): an actor weighing a move against a target expects,
  from each line covering that move, P(the move trips it) × its belief that the owner keeps its
  promises × the level of the promised response × P(the response falls on the actor) — and nothing
  from lines that do not cover the move (no global multiplier);
- **trips** (:meth:`RedLines.trip`): what today's attacks inflicted on what a line covers is counted
  (deaths, casualties or attacks); at the threshold the owner is committed to a move in the
  promised range against the line's target, due between ``delay_min`` and ``delay_max`` days later
  (the pull of the promise acts in that window; a response before it keeps the promise too);
- **reputation**: a kept promise raises every observer's belief in the owner's commitments, a lapse
  lowers it and costs the owner credibility at home (its audience cost).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from simulator.model.points import any_of
from simulator.model.special import pdtrc

if TYPE_CHECKING:
    from simulator.model.observation import Blame
    from simulator.model.world import Attack, EscalationModel
    from simulator.scenario.schema import RedLine

#: ``against`` modes
PERPETRATOR, ATTRIBUTED, BOTH, NAMED = range(4)


@dataclass(frozen=True)
class Line:
    """One declared red line, compiled against the scenario."""

    owner: int
    number: int
    trigger: str
    forces: bool
    territory: bool
    proxies: bool
    threshold: int
    mode: int
    named: int
    low: int
    high: int
    delay_min: int
    delay_max: int
    level: float
    label: str


def compile_line(model: EscalationModel, owner: int, number: int, red: RedLine) -> Line:
    """A red line of ``owner`` as indices into the model."""
    lad = model.ladder
    mode = {"perpetrator": PERPETRATOR, "attributed": ATTRIBUTED, "both": BOTH}.get(
        red.against, NAMED
    )
    low = lad.index(red.response)
    high = lad.index(red.response_max) if red.response_max else low
    return Line(
        owner=owner,
        number=number,
        trigger=red.trigger,
        forces="forces" in red.covers,
        territory="territory" in red.covers,
        proxies="proxies" in red.covers,
        threshold=red.threshold,
        mode=mode,
        named=model.index_of[red.against] if mode == NAMED else -1,
        low=min(low, high),
        high=max(low, high),
        delay_min=min(red.delay_min, red.delay_max),
        delay_max=max(red.delay_min, red.delay_max),
        level=float(lad.level[low]),
        label=red.label or f"red line {number + 1}",
    )


def poisson_sf(k: int, mean: np.ndarray) -> np.ndarray:
    """P(X > k) for X ~ Poisson(``mean``), elementwise: ``scipy.stats.poisson.sf(k, mean)``.

    The same function (scipy.special's ``pdtrc``, clipped to [0, 1]; 1 below the support), so the
    same numbers, without importing scipy.stats, which takes longer than a default run simulates.
    """
    mean = np.asarray(mean, dtype=np.float64)
    if k < 0:
        return np.where(mean >= 0, 1.0, np.nan)
    return np.clip(pdtrc(float(k), mean), 0.0, 1.0)


class RedLines:
    """Every actor's red lines, and the open commitments they create."""

    def __init__(self, model: EscalationModel):
        self.model = model
        n, R = model.n, model.replicates
        self.lines: list[Line] = []
        self.rebuild()
        #: open commitments: days left (0 = none), target, promised rung range, line (int32: half
        #: the memory of int64 for the same small numbers)
        self.days = np.zeros((n, R), dtype=np.int32)
        self.target = np.zeros((n, R), dtype=np.int32)
        #: the first day the promised response is due (the pull of the promise acts from then)
        self.due = np.zeros((n, R), dtype=np.int32)
        #: a second target still owed (`against: both`: the blamed patron), or -1
        self.second = np.full((n, R), -1, dtype=np.int32)
        self.low = np.zeros((n, R), dtype=np.int32)
        self.high = np.zeros((n, R), dtype=np.int32)
        #: credibility lost at home by unkept promises (raises the owner's desired level)
        self.credibility_loss = np.zeros((n, R))

    def rebuild(self) -> None:
        """Compile the lines (at the start, and after a `set` event changes an actor)."""
        m = self.model
        self.lines = [
            compile_line(m, a.index, k, red)
            for a in m.actors
            for k, red in enumerate(a.spec.red_lines)
        ]
        #: :meth:`trip_chance` × level by (line's index, attacker), kept until the next rebuild:
        #: every actor's preparation asks for the same few
        self._trip_chances: dict[tuple[int, int], np.ndarray] = {}

    # -- coverage --------------------------------------------------------------------------
    def covers(self, line: Line, attacker: int, target: int) -> bool:
        """Whether an attack by ``attacker`` on ``target`` counts towards ``line``."""
        m = self.model
        if target == line.owner:
            abroad = m.soil[attacker, target] >= 0
            return line.forces if abroad else line.territory
        return line.proxies and m.patron_of[target] == line.owner

    def trip_chance(self, line: Line, attacker: int) -> np.ndarray:
        """P(one move of each rung by ``attacker`` trips ``line``), ignoring posture."""
        m, lad = self.model, self.model.ladder
        # rungs[, columns]: stacked design points may differ in the attacker's capability
        hit = np.minimum(np.multiply.outer(lad.lethality, m.actors[attacker].spec.capability), 1.0)
        violent = lad.violent if hit.ndim == 1 else lad.violent[:, None]
        if line.trigger == "attacks":
            return lad.violent.astype(float) * float(line.threshold <= 1)
        mean = np.maximum(lad.casualties - 1.0, 0.0)
        if line.trigger == "casualties":
            # casualties are 1 + Poisson(mean): at least `threshold` of them
            enough = poisson_sf(line.threshold - 2, mean) if line.threshold > 1 else 1.0
        else:  # deaths: Binomial thinning of the casualties, approximated as Poisson
            expected = lad.fatality * lad.casualties
            enough = poisson_sf(line.threshold - 1, expected)
        if hit.ndim == 2 and isinstance(enough, np.ndarray):
            enough = enough[:, None]
        return violent * hit * enough

    def lands_on(self, line: Line, attacker: int, actor: int) -> Any:
        """P(the response to an attack by ``attacker`` falls on ``actor``) (attacker or patron)."""
        m = self.model
        patron = m.patron_of[attacker]
        blame = m.perception.attribution[line.owner, attacker] if patron >= 0 else 0.0
        if m.perception.attribute_to[line.owner, attacker] != patron:
            blame = 0.0
        if line.mode == NAMED:
            return float(line.named == actor)
        if actor == attacker:
            return 1.0 - blame if line.mode == ATTRIBUTED else 1.0
        if actor == patron:
            return blame if line.mode in (ATTRIBUTED, BOTH) else 0.0
        return 0.0

    def exposure(self, attacker: int, target: int, bearer: int) -> list[tuple[int, np.ndarray]]:
        """The lines that deter ``attacker``'s moves against ``target``, as borne by ``bearer``.

        Returns (owner, coefficient per rung) pairs: coefficient = P(trip) × promised level ×
        P(the response falls on ``bearer``); the owner's credibility multiplies it per replicate.
        """
        out: list[tuple[int, np.ndarray]] = []
        for j, line in enumerate(self.lines):
            if line.owner in (attacker, bearer) or not self.covers(line, attacker, target):
                continue
            lands = self.lands_on(line, attacker, bearer)
            if any_of(lands > 0):
                chance = self._trip_chances.get((j, attacker))
                if chance is None:
                    chance = self.trip_chance(line, attacker) * line.level  # rungs[, columns]
                    self._trip_chances[j, attacker] = chance
                if chance.ndim < np.ndim(lands) + 1 and np.ndim(lands):
                    chance = chance[:, None]
                out.append((line.owner, chance * lands))
        return out

    # -- trips and commitments -------------------------------------------------------------
    def pulling(self, i: int) -> np.ndarray:
        """Replicates in which actor ``i``'s promise is open and due today."""
        return (self.days[i] > 0) & (self.due[i] <= self.model.day)

    def pulling_all(self) -> np.ndarray:
        """``pulling`` for every actor at once: (actors, replicates)."""
        return (self.days > 0) & (self.due <= self.model.day)

    def trip(self, attacks: list[Attack], blame: Blame) -> np.ndarray:
        """Count today's attacks against every line; commit owners whose lines tripped."""
        m = self.model
        tripped = np.zeros((m.n, m.replicates), dtype=bool)
        for line in self.lines:
            count = np.zeros(m.replicates)
            worst = np.zeros(m.replicates)
            perpetrator = np.full(m.replicates, -1, dtype=np.int64)
            for attack in attacks:
                if not self.covers(line, attack.attacker, attack.target):
                    continue
                if line.trigger == "deaths":
                    amount = attack.deaths
                elif line.trigger == "casualties":
                    amount = attack.casualties
                else:
                    amount = np.ones(len(attack.columns))
                cols = attack.columns
                count[cols] += amount
                heavier = amount > worst[cols]
                if line.trigger == "attacks":
                    heavier = perpetrator[cols] < 0
                perpetrator[cols] = np.where(heavier, attack.attacker, perpetrator[cols])
                worst[cols] = np.where(heavier, amount, worst[cols])
            trip = (count >= line.threshold) & (self.days[line.owner] == 0) & (perpetrator >= 0)
            if not trip.any():
                continue
            cols = np.flatnonzero(trip)
            perp = perpetrator[cols]
            second = np.full(len(cols), -1, dtype=np.int64)
            if line.mode == NAMED:
                against = np.full(len(cols), line.named)
            elif line.mode == PERPETRATOR:
                against = perp
            elif line.mode == ATTRIBUTED:  # the patron where the owner blames it
                against = blame(line.owner, perp, cols)
            else:  # both: the perpetrator, then the patron where the owner blames it
                against = perp
                blamed = blame(line.owner, perp, cols)
                second = np.where(blamed != perp, blamed, -1)
            o = line.owner
            self.days[o, cols] = line.delay_max + 1  # counted down at the end of today
            self.due[o, cols] = m.day + line.delay_min
            self.target[o, cols] = against
            self.second[o, cols] = second
            self.low[o, cols] = line.low
            self.high[o, cols] = line.high
            tripped[o, cols] = True
        return tripped

    def keep(self, rung: np.ndarray, target: np.ndarray) -> np.ndarray:
        """Close the commitments kept today: a move at or above the promise, at its target.

        A promise against two actors (`both`) moves on to the second once the first is hit.
        """
        hit = (self.days > 0) & (rung >= self.low) & (target == self.target)
        if not hit.any():
            return hit
        more = hit & (self.second >= 0)
        self.target[more] = self.second[more]
        self.second[more] = -1
        kept = hit & ~more
        self.days[kept] = 0
        return kept

    def expire(self, audience_cost: np.ndarray, step: float) -> np.ndarray:
        """Count down open commitments; those that lapse today cost the owner credibility."""
        lapsing = self.days == 1
        if lapsing.any():
            loss = step * audience_cost  # actors × 1, or × columns
            self.credibility_loss += np.multiply(loss, lapsing, out=self.model.scratch.per_actor)
        self.days -= 1
        np.maximum(self.days, 0, out=self.days)
        return lapsing
