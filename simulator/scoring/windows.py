"""Forecast windows: what each replicate did within a window of days, and what the record shows.

A *window* is a span of calendar days ``[first, first + days)``. For every replicate of a run the
event log tells, within a window:

- ``violence``: the class of the worst violence, on an ordinal scale of four (:data:`CLASSES`):
  ``war`` (a war-category move between two states), ``direct_clash`` (any other violent move
  between two states), ``proxy_violence`` (a violent move by or on a non-state actor), and
  ``no_violence``. The model's five outcome classes split the last into *contained* and
  *de-escalated* by its latent threat, which no record observes, so scores use four;
- ``state_violence``: whether two states exchanged any violent move;
- ``militia_attacks``: violent moves by militias aimed at a state (the record's "indirect-fire
  attacks on US-linked sites");
- ``deaths``: deaths suffered by the *focus* actor (the US in the shipped record) from violent
  moves aimed at it.

The record gives the same quantities for the same window (:func:`observed`): dated events for
state violence and deaths, monthly counts for militia attacks (pro-rated by the days of each
month inside the window) and the months' classes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from simulator.history import History
    from simulator.history.schema import Month

#: the ordinal scoring classes, most severe first
CLASSES = ("war", "direct_clash", "proxy_violence", "no_violence")
WAR, CLASH, PROXY, QUIET = range(4)
#: the model's and the record's five outcome classes → the scoring classes
FROM_OUTCOME = {
    "war": WAR,
    "direct_clash": CLASH,
    "proxy_violence": PROXY,
    "contained": QUIET,
    "de_escalated": QUIET,
}
#: quantities with one value per replicate and window (and a class per pair of states)
QUANTITIES = ("violence", "state_violence", "militia_attacks", "deaths")
#: the lag of a lethal attack its victim never answered
UNANSWERED = -1.0
#: a month counts towards a window's class when at least this share of its days lie inside it
MONTH_SHARE = 0.5


@dataclass(frozen=True)
class Window:
    """Days ``[first, first + days)``; ``origin``/``lead`` name a hindcast's window."""

    first: dt.date
    days: int
    label: str

    @property
    def end(self) -> dt.date:
        """The first day after the window."""
        return self.first + dt.timedelta(days=self.days)


@dataclass(frozen=True)
class Ladder:
    """What scoring needs to know of the rungs and actors of a run (from its manifest)."""

    violent: frozenset[str]
    war: frozenset[str]
    types: Mapping[str, str]

    @classmethod
    def from_manifest(cls, manifest: Mapping[str, Any]) -> Ladder:
        """The run's ladder and actor types, as its manifest stores them."""
        rungs = manifest["ladder"]
        return cls(
            violent=frozenset(r["name"] for r in rungs if r.get("violent")),
            war=frozenset(r["name"] for r in rungs if r.get("category") == "war"),
            types={a["name"]: a["type"] for a in manifest["actors"]},
        )


def simulated(
    events: pd.DataFrame,
    replicates: np.ndarray,
    start: dt.date,
    window: Window,
    ladder: Ladder,
    focus: str,
) -> pd.DataFrame:
    """Per replicate (rows in the order of ``replicates``), the window's :data:`QUANTITIES`.

    ``events`` is a run's event log (violent, covert and forced moves; see
    :mod:`simulator.model.outcomes`) and ``start`` the date of its day 0.
    """
    first = (window.first - start).days
    day = events["day"].to_numpy()
    inside = events[(day >= first) & (day < first + window.days)]
    rep = inside["replicate"].to_numpy()
    actor = inside["actor"].astype(str).to_numpy()
    target = inside["target"].astype(str).to_numpy()
    rung = inside["rung"].astype(str).to_numpy()
    violent = np.isin(rung, list(ladder.violent))
    state = {name for name, kind in ladder.types.items() if kind == "state"}
    militia = {name for name, kind in ladder.types.items() if kind == "militia"}
    both = np.isin(actor, list(state)) & np.isin(target, list(state))
    war = violent & both & np.isin(rung, list(ladder.war))
    clash = violent & both
    by_militia = violent & np.isin(actor, list(militia)) & np.isin(target, list(state))
    deaths = np.where(violent & (target == focus), inside["deaths"].to_numpy(), 0)

    position = pd.Index(replicates).get_indexer(rep)
    if (position < 0).any():
        raise ValueError("the event log names replicates that the run table lacks")
    R = len(replicates)

    def per_replicate(values: np.ndarray) -> np.ndarray:
        return np.bincount(position, weights=values.astype(float), minlength=R)

    def worst(base: np.ndarray) -> np.ndarray:
        code = np.full(R, QUIET, dtype=np.int8)
        code[per_replicate(violent & base) > 0] = PROXY
        code[per_replicate(clash & base) > 0] = CLASH
        code[per_replicate(war & base) > 0] = WAR
        return code

    columns: dict[str, np.ndarray] = {
        "violence": worst(np.ones(len(inside), dtype=bool)),
        "state_violence": per_replicate(clash) > 0,
        "militia_attacks": per_replicate(by_militia).astype(np.int64),
        "deaths": per_replicate(deaths).astype(np.int64),
    }
    for a, b in state_pairs(ladder):
        between = ((actor == a) & (target == b)) | ((actor == b) & (target == a))
        columns[pair_column(a, b)] = worst(between)
    lags = response_lags(events, start, window, ladder, states_of(ladder))
    lags = lags.drop_duplicates(["victim", "replicate"])  # the first lethal attack of each
    for victim in states_of(ladder):
        mine = lags[lags["victim"] == victim]
        column = np.full(R, np.nan)
        column[pd.Index(replicates).get_indexer(mine["replicate"])] = mine["lag"].fillna(UNANSWERED)
        columns[lag_column(victim)] = column
    return pd.DataFrame(columns)


def states_of(ladder: Ladder) -> list[str]:
    """The states of a run, in its actors' order."""
    return [name for name, kind in ladder.types.items() if kind == "state"]


def lag_column(victim: str) -> str:
    """The column of the days from a lethal attack on ``victim`` to its next violent move.

    Per replicate, for the first lethal attack on the victim in the window: NaN when there was
    none, :data:`UNANSWERED` when the victim never moved violently again in the run.
    """
    return f"lag.{victim}"


def state_pairs(ladder: Ladder) -> list[tuple[str, str]]:
    """Pairs of states, in the order of the run's actors: the pairs scored on their own.

    Only violence between states is dated completely in the record (the monthly counts of
    militia attacks do not say which militia), so only pairs of states have an observed class.
    """
    states = states_of(ladder)
    return [(a, b) for i, a in enumerate(states) for b in states[i + 1 :]]


def pair_column(a: str, b: str) -> str:
    """The column of a pair's class: ``pair.A.B``, as in runs.parquet."""
    return f"pair.{a}.{b}"


def chosen_state_violence(
    events: pd.DataFrame, replicates: np.ndarray, start: dt.date, before: dt.date, ladder: Ladder
) -> np.ndarray:
    """Per replicate: whether two states exchanged an unforced violent move before ``before``.

    A hindcast keeps only the replicates whose spin-up agrees with the record on this (the
    record's state-on-state moves are forced there), so that its forecast starts from a world
    that could be the one that stood at the origin.
    """
    last = (before - start).days
    e = events[(events["day"].to_numpy() < last) & ~events["forced"].to_numpy()]
    state = [name for name, kind in ladder.types.items() if kind == "state"]
    hit = (
        e["rung"].astype(str).isin(list(ladder.violent))
        & e["actor"].astype(str).isin(state)
        & e["target"].astype(str).isin(state)
    )
    bad = np.unique(e.loc[hit.to_numpy(), "replicate"].to_numpy())
    return np.isin(replicates, bad)


def response_lags(
    events: pd.DataFrame, start: dt.date, window: Window, ladder: Ladder, victims: Sequence[str]
) -> pd.DataFrame:
    """Days from each lethal attack on a victim to the victim's next violent move.

    One row per violent move with deaths aimed at one of ``victims`` within the window:
    ``victim``, ``replicate``, ``day`` and ``lag``, the days until that victim's next violent
    move of its own choosing in the same replicate (later than the attack, inside the run or
    not: NaN when it never came).
    """
    first = (window.first - start).days
    e = events[events["rung"].astype(str).isin(list(ladder.violent)).to_numpy()]
    day = e["day"].to_numpy().astype(np.int64)
    rep = e["replicate"].to_numpy().astype(np.int64)
    target, actor = e["target"].astype(str).to_numpy(), e["actor"].astype(str).to_numpy()
    span = 1 + int(day.max(initial=0))
    parts = []
    for victim in victims:
        hit = (target == victim) & (e["deaths"].to_numpy() > 0)
        hit &= (day >= first) & (day < first + window.days)
        own = (actor == victim) & ~e["forced"].to_numpy()
        answers = np.sort(rep[own] * span + day[own])
        asked = rep[hit] * span + day[hit]
        nxt = np.searchsorted(answers, asked, side="right")
        answer = answers[np.minimum(nxt, max(len(answers) - 1, 0))] if len(answers) else asked
        same = (nxt < len(answers)) & (answer // span == asked // span)
        lag = np.where(same, answer - asked, np.nan).astype(float)
        parts.append(
            pd.DataFrame({"victim": victim, "replicate": rep[hit], "day": day[hit], "lag": lag})
        )
    out = pd.concat(parts, ignore_index=True)
    return out.sort_values(["victim", "replicate", "day"], kind="stable").reset_index(drop=True)


def observed(history: History, window: Window, ladder: Ladder, focus: str) -> dict[str, float]:
    """The record's :data:`QUANTITIES` for a window, with the range of the attack count.

    Dated events give state violence and the focus actor's deaths; the months give militia
    attacks (each month's count times the share of its days inside the window) and, for the
    months mostly inside the window, their classes.
    """
    ev = history.events_frame()
    dates = pd.to_datetime(ev["date"]).dt.date
    inside = ev[((dates >= window.first) & (dates < window.end)).to_numpy()]
    types = dict(history.actors)
    violent = inside["rung"].isin(list(ladder.violent)).to_numpy()
    both = (
        inside["actor"].map(types).eq("state") & inside["target"].map(types).eq("state")
    ).to_numpy()
    war = violent & both & inside["rung"].isin(list(ladder.war)).to_numpy()
    worst = QUIET
    if violent.any():
        worst = PROXY
    if (violent & both).any():
        worst = CLASH
    if war.any():
        worst = WAR
    attacks = low = high = 0.0
    history_end = history.end + dt.timedelta(days=1)
    for month in history.months:
        # a month's count covers its days in the record (the last month may end early)
        m_end = min(month.month + dt.timedelta(days=_days_in_month(month.month)), history_end)
        days = (m_end - month.month).days
        overlap = (min(m_end, window.end) - max(month.month, window.first)).days
        if overlap <= 0:
            continue
        share = overlap / days
        attacks += month.militia_attacks * share
        low += month.range[0] * share
        high += month.range[1] * share
        if share >= MONTH_SHARE:
            worst = min(worst, FROM_OUTCOME[month.outcome])
    deaths = inside.loc[violent & (inside["target"] == focus).to_numpy(), "deaths"]
    pairs: dict[str, float] = {}
    for a, b in state_pairs(ladder):
        if a in types and b in types:
            between = (
                ((inside["actor"] == a) & (inside["target"] == b))
                | ((inside["actor"] == b) & (inside["target"] == a))
            ).to_numpy()
            code = CLASH if (violent & between).any() else QUIET
            pairs[pair_column(a, b)] = float(WAR if (war & between).any() else code)
    return {
        **pairs,
        "violence": float(worst),
        "state_violence": float((violent & both).any()),
        "militia_attacks": attacks,
        "militia_attacks_low": low,
        "militia_attacks_high": high,
        "deaths": float(deaths.fillna(0).sum()),
    }


def observed_lags(history: History, ladder: Ladder, victims: Sequence[str]) -> pd.DataFrame:
    """The record's days from each lethal attack on a victim to the victim's next violent move.

    One row per lethal attack: ``victim``, ``date``, ``lag`` (NaN if the record holds no answer).
    """
    ev = history.events_frame().sort_values("date", kind="stable")
    violent = ev[ev["rung"].isin(list(ladder.violent)).to_numpy()]
    rows = []
    for victim in victims:
        hits = violent[(violent["target"] == victim).to_numpy() & (violent["deaths"].fillna(0) > 0)]
        own = violent[violent["actor"] == victim]
        for date in hits["date"]:
            later = [d for d in own["date"] if d > date]
            lag = float((min(later) - date).days) if later else float("nan")
            rows.append({"victim": victim, "date": date, "lag": lag})
    return pd.DataFrame(rows, columns=["victim", "date", "lag"])


def _days_in_month(first: dt.date) -> int:
    nxt = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return (nxt - first).days


def month_days(month: Month) -> int:
    """The days of a month of the record (a calendar month; the first one may start later)."""
    return _days_in_month(month.month)
