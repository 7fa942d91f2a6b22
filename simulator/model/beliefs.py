"""Beliefs: what each actor believes about each other actor's type and commitments.

Two beliefs per ordered pair (observer ``o``, actor ``a``), each an array over replicates:

- **Type.** The probability that ``a`` is a *hostile* (expansionist, greedy) type rather than a
  security seeker, updated by Bayes' rule from every move ``o`` sees (Jervis 1976, ch. 3; Kydd
  1997, 2005 "Trust and Mistrust"), and drawn back towards the prior by the chance, in ``o``'s
  eyes, that ``a``'s type changes (a hidden-Markov filter: nobody is ever certain). A move of rung
  ``r`` adds its log-likelihood ratio, the rung's ``evidence``, as ``o`` reads it. The security
  dilemma is a *biased likelihood*: ``o`` reads a defensive move as the offensive move it
  resembles, adding ``offense_bias × hostility`` where an unbiased observer would add nothing.
  Reassurance counts only when it is costly: a gesture's evidence is scaled by
  ``max(0, 1 − mimic_value / cost)``, zero when a hostile type would pay as much to pass for
  benign. The part of the log-odds that came from misread defensive moves is kept apart
  (``misread``), so that escalation born of misperception can be told from the rest.
- **Commitments.** A Beta belief that ``a`` keeps its red lines (Sartori 2005; Walter 2009 on
  reputation): the prior mean is the observer's ``credibility`` setting with weight
  ``reputation_weight`` pseudo-observations; every promise ``a`` keeps or lets lapse is public and
  counts for every observer.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from simulator.model.perception import Perception
from simulator.model.points import any_of


class Beliefs:
    """Type beliefs (P(hostile)) and commitment beliefs (Beta) over replicates."""

    def __init__(
        self,
        perception: Perception,
        replicates: int,
        reputation_weight: Any,
        type_change: Any = 0.0,
    ):
        n = perception.prior_hostile.shape[0]
        self.n, self.replicates = n, replicates
        # priors are observer × actor, × column where stacked design points differ in them
        self.prior_p = perception.prior_hostile.copy()
        self.prior = np.log(self.prior_p / (1.0 - self.prior_p))
        #: P(hostile type) held by each observer about each actor
        self.p = _over_columns(self.prior_p, replicates)
        #: log-odds contributed by defensive moves read through offense bias (decays like the rest)
        self.misread = np.zeros((n, n, replicates))
        self.type_change = type_change
        self._drift = type_change * _pairs(self.prior_p)
        self.weight = reputation_weight
        self.kept = np.zeros((n, replicates))
        self.lapsed = np.zeros((n, replicates))
        self._total = np.empty(replicates)  # scratch: promises made, per replicate
        self._credibility_prior = perception.credibility.copy()
        # the same formula as after a promise, so that a replicate without one reads the same
        start = _pairs(self._credibility_prior) * reputation_weight / reputation_weight
        self.credibility = _over_columns(start, replicates)

    # -- type ------------------------------------------------------------------------------
    @property
    def logodds(self) -> np.ndarray:
        """Log-odds that each actor is hostile, per observer and replicate."""
        return np.log(self.p / (1.0 - self.p))

    def stance(self, o: int, a: int) -> np.ndarray:
        """2 P(hostile) − 1: +1 sure of a hostile type, −1 sure of a security seeker."""
        return 2.0 * self.p[o, a] - 1.0

    def update(
        self, o: int, a: int, columns: np.ndarray, llr: np.ndarray, misread: np.ndarray | None
    ) -> None:
        """Bayes' rule: multiply ``o``'s odds that ``a`` is hostile by exp(``llr``).

        Columns with no evidence are left untouched (the round trip through the odds is not
        exact), so a replicate's beliefs never depend on what happened in the others.
        """
        some = llr != 0
        if not some.all():
            columns, llr = columns[some], llr[some]
            if misread is not None:
                misread = misread[some]
        # odds · exp(llr) back to a probability, in place on two temporaries
        p = self.p[o, a, columns]  # a copy (fancy index)
        odds = np.subtract(1.0, p)
        np.divide(p, odds, out=odds)
        odds *= np.exp(llr)
        np.divide(odds, np.add(odds, 1.0, out=p), out=odds)
        self.p[o, a, columns] = np.clip(odds, _EPS, 1.0 - _EPS, out=odds)
        if misread is not None:
            self.misread[o, a, columns] += misread

    def forget(self) -> None:
        """Drift every belief a share ``type_change`` back towards its prior.

        Each day an actor's type may be redrawn from the prior (a new leadership, a change of heart)
        with probability ``type_change``: the predictive step of a hidden-Markov filter, which keeps
        any observer from certainty (0: exact Bayes for a fixed type).
        """
        if not any_of(self.type_change > 0):  # a point without drift multiplies by exactly 1
            return
        # p ← p + ε (prior − p), in place: (1 − ε) p + ε prior
        self.p *= 1.0 - self.type_change
        self.p += self._drift
        self.misread *= 1.0 - self.type_change

    def set_prior(self, o: int, a: int, p: float) -> None:
        """A new prior (a perception event): the evidence gathered so far is kept on top of it."""
        new = float(np.log(p / (1.0 - p)))
        odds = self.p[o, a] / (1.0 - self.p[o, a]) * np.exp(new - self.prior[o, a])
        self.p[o, a] = odds / (1.0 + odds)
        self.prior[o, a] = new
        self.prior_p[o, a] = p
        self._drift = self.type_change * _pairs(self.prior_p)

    def p_hostile(self, o: int, a: int) -> np.ndarray:
        """``o``'s probability that ``a`` is a hostile type, per replicate."""
        return self.p[o, a]

    # -- commitments -----------------------------------------------------------------------
    def promise(self, owner: int, kept: np.ndarray, lapsed: np.ndarray) -> None:
        """Record promises ``owner`` kept or let lapse today (boolean per replicate)."""
        if not (kept.any() or lapsed.any()):
            return
        self.kept[owner] += kept
        self.lapsed[owner] += lapsed
        w = self.weight
        prior = _pairs(self._credibility_prior)[:, owner]
        # (prior · w + kept) / (w + kept + lapsed), written straight into the beliefs
        total = np.add(w, self.kept[owner], out=self._total)
        total += self.lapsed[owner]
        credibility = self.credibility[:, owner]
        np.add(prior * w, self.kept[owner], out=credibility)
        credibility /= total
        # (prior · w + 0) / (w + 0) is the initial value exactly: untouched replicates keep it

    def set_credibility_prior(self, o: int, a: int, value: float) -> None:
        """A new prior belief in ``a``'s commitments (a perception event)."""
        self._credibility_prior[o, a] = value
        w = self.weight  # evaluated as in promise(), term for term
        self.credibility[o, a] = (value * w + self.kept[a]) / (w + self.kept[a] + self.lapsed[a])


def _pairs(table: np.ndarray) -> np.ndarray:
    """An observer × actor table with a column axis (of length 1 where it does not vary)."""
    return table if table.ndim == 3 else table[:, :, None]


def _over_columns(table: np.ndarray, columns: int) -> np.ndarray:
    """A new observer × actor × column array holding ``table`` in every column."""
    table = _pairs(table)
    return np.repeat(table, columns, axis=2) if table.shape[2] == 1 else table.copy()


#: beliefs stay this far from certainty, so that odds stay finite
_EPS = 1e-12
