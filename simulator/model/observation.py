"""Observation: how each actor reads the others' moves, and whom it blames.

Only moves are observed: the status quo carries no hostility and no evidence. For each move by
``a`` against ``k`` and each observer ``o`` it concerns (``relevance``: a move against ``o``, its
proxy or its patron, or landing on a host's soil), ``o`` reads

- a **hostility** ``h``: the rung's face hostility, read through ``o``'s offense bias if the move
  is defensive (Jervis 1978: "each defensive move is viewed as offensive"), nothing if it is
  covert and goes undetected, plus ``casualty_weight × log2(1 + casualties)`` for the losses it
  caused (losses weigh with diminishing sensitivity: the 25th dead adds less than the first), plus
  noise; threat
  decays with ``memory`` and grows by ``threat_gain × relevance × h`` (conciliatory moves, with
  negative hostility, lower it);
- an **evidence** ``e`` about ``a``'s type: the rung's log-likelihood ratio (defensive moves:
  offense bias × face hostility — the biased likelihood; reassurance: only as far as its cost
  exceeds what a hostile type would pay to mimic it), plus the same noise; the log-odds that ``a``
  is hostile grow by ``belief_gain × relevance × e`` (:mod:`simulator.model.beliefs`).

A proxy's *attributable* moves (violent or covert, unless the ladder says otherwise) are also
blamed on its patron with probability ``attribution``: the patron then takes the same threat and
the same evidence ("I will hold Iran responsible"). Words and posture are never blamed on a patron
unless the scenario's ladder marks them attributable.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from simulator.model import rng
from simulator.model.points import any_of, at, take

if TYPE_CHECKING:
    from simulator.model.ladder import Ladder
    from simulator.model.sites import DayDraws
    from simulator.model.world import EscalationModel

#: whom ``o`` blames, per replicate, for moves by the actors in ``perpetrators`` in ``columns``
Blame = Callable[[int, np.ndarray, np.ndarray], np.ndarray]


def felt(casualties: np.ndarray) -> np.ndarray:
    """How much a number of casualties weighs: log2(1 + n).

    One casualty counts 1, three count 2, and 31 count 5 — diminishing sensitivity to losses
    (Kahneman & Tversky 1979; Slovic 2007).
    """
    return np.log2(1.0 + casualties)


def read_evidence(lad: Ladder, mimic: float) -> np.ndarray:
    """Each rung's evidence as an unbiased observer reads it: reassurance counts only if costly.

    A gesture whose cost is at most ``mimic_value`` is cheap talk (a hostile type would send it
    too) and carries no evidence; above that, its evidence is scaled by 1 − mimic_value / cost
    (Kydd 2005, ch. 7: costly signals separate the types).
    """
    costly = np.where(lad.cost > 0, np.clip(1.0 - mimic / np.maximum(lad.cost, 1e-12), 0, 1), 0.0)
    return np.where(lad.evidence < 0, lad.evidence * costly, lad.evidence)


def observe(
    m: EscalationModel,
    rung: np.ndarray,
    target: np.ndarray,
    counts: np.ndarray,
    caused: np.ndarray,
    draws: DayDraws,
) -> Blame:
    """Update threat and beliefs from today's moves; return the blame function of the day."""
    lad, dyn, p, beliefs = m.ladder, m.dynamics, m.perception, m.beliefs
    evidence = m.evidence
    m.threat *= dyn.memory
    for a in m.actors:
        i = a.index
        if counts[i, lad.status_quo] == m.replicates:
            continue
        moved_all = np.flatnonzero(rung[i] != lad.status_quo)
        r_all, k_all = rung[i, moved_all], target[i, moved_all]
        covert_all = lad.covert[r_all] if counts[i][lad.covert].any() else None
        hurt_all = caused[i, moved_all]
        harmed_all = hurt_all.any()
        if harmed_all:
            hurt_all = felt(hurt_all)
        violent_all = None
        for o in map(int, np.flatnonzero(m.cares[i])):
            moved, r, hurt_by_me, harmed, covert_mask = (
                moved_all,
                r_all,
                hurt_all,
                harmed_all,
                covert_all,
            )
            rel = m.relevance_constant[i, o]
            if any_of(np.isnan(rel)):  # depends on the target and on whether the move is violent
                if violent_all is None:
                    violent_all = lad.violent[r_all]
                rel = np.where(
                    violent_all,
                    take(m.relevance[1, i, o], k_all, moved_all),
                    take(m.relevance[0, i, o], k_all, moved_all),
                )
                seen_by_o = np.flatnonzero(rel)
                if not len(seen_by_o):
                    continue
                if len(seen_by_o) < len(rel) and m.tracer is None:
                    # o reads only the moves that concern it: the rest would add exactly zero
                    moved, r, rel = moved[seen_by_o], r[seen_by_o], rel[seen_by_o]
                    hurt_by_me = hurt_by_me[seen_by_o] if harmed else hurt_by_me
                    harmed = harmed and bool(hurt_by_me.any())
                    if covert_mask is not None:
                        covert_mask = covert_mask[seen_by_o]
            else:
                rel = at(rel, moved)
            face = lad.hostility[r]
            defensive = lad.defensive[r]
            any_defensive = defensive.any()
            covert = np.flatnonzero(covert_mask) if covert_mask is not None else ()
            attributable = lad.attributable[r]
            base_evidence = take(evidence, r, moved)
            # defensive moves are read through the observer's offense bias (Jervis 1978)
            misread = None
            bias = at(p.offense_bias[o, i], moved)
            if any_defensive and any_of(bias > 0):
                biased = face * bias
                if isinstance(bias, np.ndarray):  # stacked points: unbiased where a point is
                    defensive = defensive & (bias > 0)
                    face = np.where(lad.defensive[r] & ~defensive, 0.0, face)
                seen = np.where(defensive, biased, face)
                misread = np.where(defensive, biased, 0.0)
                ev = np.where(defensive, biased, base_evidence)
            else:
                seen = np.where(defensive, 0.0, face) if any_defensive else face.copy()
                ev = base_evidence.copy()
            detection = p.detection[o, i]
            if len(covert) and any_of(detection < 1.0):
                columns = moved[covert]
                missed = covert[draws.detect(o, i, columns) >= at(detection, columns)]
                seen[missed] = 0.0
                ev[missed] = 0.0
                if misread is not None:
                    misread[missed] = 0.0
            if harmed:
                seen = seen + at(dyn.casualty_weight, moved) * hurt_by_me
            noise = p.noise[o, i]
            if any_of(noise > 0):
                error = at(noise, moved) * rng.normal(draws.noise(o, i, moved))
                seen = seen + error
                ev = ev + error
            gain = at(dyn.threat_gain, moved) * rel * seen
            m.threat[o, i, moved] += gain
            belief_gain = at(dyn.belief_gain, moved)
            llr = belief_gain * rel * ev
            informative = any_of(belief_gain > 0) and llr.any()
            if misread is not None:
                misread = belief_gain * rel * misread
            if informative:
                beliefs.update(o, i, moved, llr, misread)
            culprit: np.ndarray | int = i
            att = p.attribute_to[o, i]
            share = p.attribution[o, i]
            if att >= 0 and att != o and any_of(share > 0) and attributable.any():
                blamed = attributable & (draws.attribution(o, i, moved) < at(share, moved))
                if blamed.any():
                    m.threat[o, att, moved] += gain * blamed
                    if informative:
                        beliefs.update(
                            o,
                            att,
                            moved,
                            llr * blamed,
                            None if misread is None else misread * blamed,
                        )
                    culprit = np.where(blamed, att, i)
            if m.tracer is not None:
                m.tracer.perceived(o, i, seen, np.broadcast_to(culprit, seen.shape), moved)
    np.maximum(m.threat, 0.0, out=m.threat)
    m.threat[np.arange(m.n), np.arange(m.n)] = 0.0
    return blame_of_the_day(m, rung, draws)


def blame_of_the_day(m: EscalationModel, rung: np.ndarray, draws: DayDraws) -> Blame:
    """Whom each observer blames for today's moves: a function, drawn on demand."""
    lad, p = m.ladder, m.perception

    def blame(o: int, perpetrators: np.ndarray, columns: np.ndarray) -> np.ndarray:
        """Whom ``o`` blames for each perpetrator's move: its patron where the draw says so."""
        out = perpetrators.copy()
        for a in np.flatnonzero(np.bincount(perpetrators, minlength=m.n)):
            att, share = p.attribute_to[o, a], p.attribution[o, a]
            if att < 0 or att == o or not any_of(share > 0):
                continue
            sel = perpetrators == a
            cols = columns[sel]
            ok = lad.attributable[rung[a, cols]]
            u = draws.attribution(o, int(a), cols)
            out[sel] = np.where(ok & (u < at(share, cols)), att, a)
        return out

    return blame
