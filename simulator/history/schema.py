"""The typed schema of an observed-history file: dated moves and monthly counts of a real crisis.

A history file records what happened, for scoring forecasts against it: dated ``events`` (a move
by one actor against another, named by a rung of the ladder) and one entry per calendar month in
``months`` (the militia attack count with its range, and the month's observed outcome class).
Every model is frozen and rejects unknown keys, as the scenario schema's do
(:class:`simulator.scenario.schema.Frozen`); the checks that relate fields to one another (dates
inside ``start``..``end``, months complete and in order, outcomes at least as severe as the events
imply) are in :mod:`simulator.history.loading`, so that each problem gets its own path.
See history/README.md for the format.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import typing
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Annotated, Literal

import pandas as pd
from pydantic import AfterValidator, BeforeValidator, Field, PrivateAttr, field_serializer

from simulator.scenario.problems import Loc, Locator, ScenarioError, capped, located
from simulator.scenario.schema import ActorType, Date, Frozen, Name

__all__ = [
    "BASES",
    "OUTCOMES",
    "History",
    "HistoryError",
    "HistoryEvent",
    "Month",
    "month_days",
]

Outcome = Literal["war", "direct_clash", "proxy_violence", "contained", "de_escalated"]
#: The outcome classes, most severe first (the model's classes, simulator.model.outcomes).
OUTCOMES: tuple[Outcome, ...] = typing.get_args(Outcome)
Basis = Literal["reported", "period_average", "interpolated"]
#: How a month's count was got: reported for that month, a period's average, or interpolated.
BASES: tuple[Basis, ...] = typing.get_args(Basis)

Count = Annotated[int, Field(strict=True, ge=0, le=1_000_000)]
_MONTH = re.compile(r"(\d{4})-(\d{2})")


class HistoryError(ScenarioError):
    """A history file that cannot be used; ``problems`` holds one located message per fault.

    A :class:`~simulator.scenario.problems.ScenarioError`, so the command line treats it as any
    bad input file (exit status 2).
    """


def _nonempty(value: str) -> str:
    text = value.strip()
    if not text:
        raise ValueError("is empty")
    return text


def _source(value: str) -> str:
    text = value.strip()
    if not text:
        raise ValueError("is empty: name the seeds ids (such as E02, F05) and/or cite the source")
    return text


def _month(value: object) -> object:
    """``YYYY-MM`` text (or the date of a month's first day) → the date of the month's first day."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime) and value.day == 1:
        return value
    if isinstance(value, str):
        found = _MONTH.fullmatch(value.strip())
        if found and 1 <= int(found.group(2)) <= 12:
            return dt.date(int(found.group(1)), int(found.group(2)), 1)
    raise ValueError("expected a month written YYYY-MM, such as 2020-03")


def _pair(value: object) -> object:
    if isinstance(value, list | tuple) and len(value) == 2:
        return value
    raise ValueError("expected [low, high]: two whole numbers")


Text = Annotated[str, Field(strict=True), AfterValidator(_nonempty)]
Source = Annotated[str, Field(strict=True), AfterValidator(_source)]
MonthStart = Annotated[dt.date, BeforeValidator(_month)]


def month_days(first: dt.date) -> int:
    """The number of days of the calendar month that starts on ``first``."""
    return calendar.monthrange(first.year, first.month)[1]


class HistoryEvent(Frozen):
    """A dated move by one actor against another: what happened, on which rung of the ladder."""

    date: Date
    """Day of the move (YYYY-MM-DD), inside the file's `start`..`end`."""
    actor: Name
    """Who moved: an id of `actors`."""
    rung: Name
    """The move: a rung of the ladder (default ladder unless the loader is given another)."""
    target: Name
    """Against whom: an id of `actors`, not the actor itself."""
    deaths: Count | None = None
    """Deaths suffered by the target's side, where the sources give them."""
    wounded: Count | None = None
    """Wounded on the target's side, where the sources give them."""
    label: Text
    """What happened, in a few words."""
    source: Source
    """Seeds ids (E02, F05) and/or a citation; required and non-empty."""


class Month(Frozen):
    """One calendar month of the record: militia attacks on US-linked sites, the outcome class."""

    month: MonthStart
    """The month, written YYYY-MM (held as the date of its first day)."""
    militia_attacks: Annotated[float, Field(strict=True, ge=0.0, le=1_000_000.0)]
    """Best estimate of militia indirect-fire attacks on US-linked sites in the month (the part of
    it inside `start`..`end`)."""
    range: Annotated[tuple[Count, Count], BeforeValidator(_pair)]
    """`[low, high]`: the spread the sources allow; low <= militia_attacks <= high."""
    basis: Basis
    """How the count was got: `reported`, `period_average` or `interpolated`."""
    outcome: Outcome
    """Observed class of the month, at least as severe as its events and count imply."""
    source: Source
    """Seeds ids (E02, F05) and/or a citation; required and non-empty."""
    note: str | None = None
    """Anything the reader should know about the month's numbers."""

    @field_serializer("month")
    def _dump_month(self, month: dt.date) -> str:
        return f"{month:%Y-%m}"


class History(Frozen):
    """An observed history: the actors, dated events and monthly counts of a real crisis."""

    name: Name
    """Identifier."""
    description: Text
    """What the record covers and where it comes from."""
    start: Date
    """First day covered."""
    end: Date
    """Last day covered: nothing after it may appear anywhere in the file."""
    actors: Annotated[dict[Name, ActorType], Field(min_length=2)]
    """Actor id → type (`state`, `host` or `militia`), ids as in the scenario files."""
    events: tuple[HistoryEvent, ...] = ()
    """Dated moves."""
    months: tuple[Month, ...]
    """One entry per calendar month from `start` to `end`, in order."""

    _path: Path | None = PrivateAttr(default=None)
    _lines: Mapping[Loc, int] = PrivateAttr(default_factory=dict)

    @property
    def path(self) -> Path | None:
        """The file the history was loaded from (set by ``load_history``; not a YAML field)."""
        return self._path

    def located_at(self, path: Path, lines: Mapping[Loc, int]) -> None:
        """Remember the file and its line index, for messages about this history later."""
        self._path = path
        self._lines = dict(lines)

    def check_actors(self, names: Collection[str]) -> None:
        """Raise :class:`HistoryError` naming each actor of ``actors:`` that ``names`` lacks.

        ``names`` are a scenario's actor ids; each missing one is located at its line in the
        history file.
        """
        allowed = ", ".join(names) or "none"
        problems = [
            (("actors", name), f"the scenario has no actor '{name}' (its actors: {allowed})")
            for name in self.actors
            if name not in names
        ]
        source = str(self._path) if self._path is not None else f"history {self.name}"
        messages = located(problems, Locator(source, self._lines))
        if messages:
            raise HistoryError(capped(messages))

    def months_frame(self) -> pd.DataFrame:
        """The months as a table, one row each.

        Columns: month (the date of its 1st), days (of the month inside start..end: the last
        month may be partial), militia_attacks, low, high, basis, outcome.
        """
        rows = [
            {
                "month": m.month,
                "days": self.days_covered(m.month),
                "militia_attacks": float(m.militia_attacks),
                "low": m.range[0],
                "high": m.range[1],
                "basis": m.basis,
                "outcome": m.outcome,
            }
            for m in self.months
        ]
        frame = pd.DataFrame(
            rows,
            columns=["month", "days", "militia_attacks", "low", "high", "basis", "outcome"],
        )
        return frame.astype(
            {"days": "int64", "militia_attacks": "float64", "low": "int64", "high": "int64"}
        )

    def events_frame(self) -> pd.DataFrame:
        """The events as a table, one row each, in file order.

        Columns: date, actor, rung, target, deaths and wounded (Int64, NA where not given),
        label, source.
        """
        rows = [
            {
                "date": e.date,
                "actor": e.actor,
                "rung": e.rung,
                "target": e.target,
                "deaths": e.deaths,
                "wounded": e.wounded,
                "label": e.label,
                "source": e.source,
            }
            for e in self.events
        ]
        frame = pd.DataFrame(
            rows,
            columns=["date", "actor", "rung", "target", "deaths", "wounded", "label", "source"],
        )
        frame["date"] = frame["date"].astype(object)
        return frame.astype({"deaths": "Int64", "wounded": "Int64"})

    def days_covered(self, first: dt.date) -> int:
        """Days of the month starting ``first`` that lie inside ``start``..``end``."""
        last = first + dt.timedelta(days=month_days(first) - 1)
        return max(0, (min(last, self.end) - max(first, self.start)).days + 1)
