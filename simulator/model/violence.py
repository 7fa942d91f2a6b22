"""Consequences of a day's moves: postures first, then every attack against that posture.

Moves are simultaneous, so every defensive move, raid and mediation takes effect before any attack
resolves, and the order of actors in the file changes nothing. An attack — a violent move by
``a`` on ``k`` — lands with probability

    lethality × capability_a × (1 − suppression_a) × (1 − protection_k) × (1 − foiled)

where ``foiled`` is the security of the host on whose soil it lands, which stops only militias
based there (police and checkpoints do not stop a state's air strikes). A landed attack causes
1 + Poisson(casualties − 1) casualties, of whom Binomial(·, fatality) are killed. A forced move
whose deaths or wounded the scenario fixes (history fixes them) takes those numbers instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from simulator.model import rng
from simulator.model.points import any_of, at

if TYPE_CHECKING:
    from simulator.model.events import Forced
    from simulator.model.sites import DayDraws
    from simulator.model.world import EscalationModel

#: Ceiling on the combined share of attacks foiled by a host's security on its soil.
MAX_SOIL_SECURITY = 0.95


@dataclass(frozen=True)
class Attack:
    """Violent moves by one attacker on one target today, in some replicates."""

    attacker: int
    target: int
    rung: np.ndarray
    columns: np.ndarray
    casualties: np.ndarray
    deaths: np.ndarray


@dataclass(frozen=True)
class Outcome:
    """What today's moves did: per actor, losses suffered and casualties caused; the attacks.

    The per-actor arrays (actors × replicates) are the model's own, rewritten every day
    (:class:`DayLosses`): read them on the day, copy what must be kept.
    """

    losses: np.ndarray
    deaths: np.ndarray
    damage: np.ndarray
    caused: np.ndarray
    killed: np.ndarray
    attacks: list[Attack]


class DayLosses:
    """The arrays of a day's :class:`Outcome`, allocated once per model and zeroed each day.

    A day without violence or sabotage writes nothing to them, and the next day finds them
    still zero; otherwise they are zeroed before the next day's attacks.
    """

    def __init__(self, actors: int, replicates: int):
        self._arrays = np.zeros((5, actors, replicates))
        self._written = False

    def today(self) -> tuple[np.ndarray, ...]:
        """Losses, deaths, damage, casualties caused and killed (actors × replicates), all 0."""
        if self._written:
            self._arrays.fill(0.0)
            self._written = False
        return tuple(self._arrays)

    def written(self) -> None:
        """Today's arrays were written to: zero them before the next day."""
        self._written = True


def resolve(
    m: EscalationModel,
    rung: np.ndarray,
    target: np.ndarray,
    counts: np.ndarray,
    draws: DayDraws,
    forced: dict[int, Forced],
) -> Outcome:
    """Apply postures, then resolve every attack; ``counts[i]`` says which rungs i chose."""
    lad = m.ladder
    _postures(m, rung, target, counts)
    # caused: casualties inflicted by each actor today
    losses, deaths, damage, caused, killed = m.day_losses.today()
    attacks: list[Attack] = []
    security: dict[int, np.ndarray] = {}
    # first who hit what, actor by actor; then the sizes of every landed attack in one draw each
    landed: list[tuple[int, np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []
    sizes_u, deaths_u, rungs = [], [], []
    for a in m.actors:
        i = a.index
        if not counts[i, lad.violent].any():  # counts, not the menu: forced moves may lie outside
            continue
        violent = np.flatnonzero(lad.violent[rung[i]])
        kv, r = target[i, violent], rung[i, violent]
        foiled: np.ndarray | float = 0.0
        home = int(m.host_of[i])
        if home >= 0 and m.is_host[home]:  # a host foils the militias it hosts on its soil
            if home not in security:  # the same for every attacker: posture is settled
                security[home] = _soil_security(m, home)
            foiled = np.where(m.soil[i, kv] == home, security[home][violent], 0.0)
        p_hit = (
            lad.lethality[r]
            * at(a.spec.capability, violent)
            * (1.0 - m.suppression[i, violent])
            * (1.0 - m.protection[kv, violent])
            * (1.0 - foiled)
        )
        hit = draws.hit(i, violent) < p_hit
        h = np.flatnonzero(hit)  # most attacks miss: draw sizes only where they landed
        landed.append((i, violent, kv, r, h))
        if len(h):
            sizes_u.append(draws.size(i, violent[h]))
            deaths_u.append(draws.deaths(i, violent[h]))
            rungs.append(r[h])
    if rungs:
        r_all = np.concatenate(rungs)
        cas_all = 1 + rng.poisson(np.concatenate(sizes_u), lad.casualties[r_all] - 1.0)
        dead_all = rng.binomial(np.concatenate(deaths_u), cas_all, lad.fatality[r_all])
    if landed:
        m.day_losses.written()
    start = 0
    for i, violent, kv, r, h in landed:
        cas = np.zeros(len(violent), dtype=np.int64)
        dead = np.zeros(len(violent), dtype=np.int64)
        if len(h):
            cas[h] = cas_all[start : start + len(h)]
            dead[h] = dead_all[start : start + len(h)]
            start += len(h)
        hit = cas > 0
        fixed = forced.get(i)
        if fixed is not None and (fixed.deaths is not None or fixed.wounded is not None):
            dead = np.full(len(violent), fixed.deaths) if fixed.deaths is not None else dead
            wounded = (
                np.full(len(violent), fixed.wounded) if fixed.wounded is not None else cas - dead
            )
            cas = dead + np.maximum(wounded, 0)
            hit = cas > 0
        cas_f, dead_f = cas.astype(np.float64), dead.astype(np.float64)
        caused[i, violent] = cas_f  # each attacker's row is written once a day
        killed[i, violent] = dead_f
        losses[kv, violent] += cas_f
        deaths[kv, violent] += dead_f
        damage[kv, violent] += np.where(hit, lad.damage[r], 0.0)
        for k in np.unique(kv):
            mine = kv == k
            attacks.append(Attack(i, int(k), r[mine], violent[mine], cas_f[mine], dead_f[mine]))
    sabotage = (lad.damage > 0) & ~lad.violent  # covert sabotage does damage without violence
    for a in m.actors:
        i = a.index
        if counts[i, sabotage].any():
            m.day_losses.written()
            idx = np.flatnonzero(sabotage[rung[i]])
            damage[target[i, idx], idx] += lad.damage[rung[i, idx]]
    return Outcome(losses, deaths, damage, caused, killed, attacks)


def _postures(m: EscalationModel, rung: np.ndarray, target: np.ndarray, counts: np.ndarray) -> None:
    """Defensive moves protect the mover, raids suppress the target, mediators cool the others."""
    lad = m.ladder
    for a in m.actors:
        i, r, k, c = a.index, rung[a.index], target[a.index], counts[a.index]
        # each effect is rare on any one day: find the replicates it concerns, work on those
        if c[lad.defensive].any():
            idx = np.flatnonzero(lad.defensive[r])
            ri = r[idx]
            active = m.protection_days[i, idx] > 0
            current = np.where(active, m.protection[i, idx], 0.0)
            m.protection[i, idx] = np.maximum(current, lad.protection[ri])
            m.protection_days[i, idx] = np.maximum(m.protection_days[i, idx], lad.duration[ri])
        if c[lad.suppressive].any():
            idx = np.flatnonzero(lad.suppressive[r])
            m.suppression[k[idx], idx] = lad.suppression[r[idx]]
            m.suppression_days[k[idx], idx] = lad.duration[r[idx]]
        if any_of(a.spec.mediation > 0) and c[lad.conciliatory].any():
            idx = np.flatnonzero(lad.conciliatory[r])
            share = at(a.spec.mediation, idx)  # a point that does not mediate multiplies by 1
            calmed = np.full((m.n, m.n, np.size(share)), 1.0 - share)  # among the others
            calmed[i], calmed[:, i] = 1.0, 1.0
            m.threat[:, :, idx] *= calmed


def _soil_security(m: EscalationModel, host: int) -> np.ndarray:
    """Share of attacks foiled on a host's soil: base security plus tightened security."""
    return np.minimum(m.security[host] + m.protection[host], MAX_SOIL_SECURITY)
