"""Scenario problems: the error type, and one located message per fault, in file order.

A problem is a path into the scenario's data (:data:`Loc`) and a message
(``(("actors", "KH", "control"), "…")``); it becomes ``FILE:LINE: actors.KH.control: …`` once
the file's line index is known, or names the ``--set`` (or the sweep file's ``set:`` entry) that
put the value there.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

Loc = tuple[str | int, ...]
Problem = tuple[Loc, str]

#: At most this many problems are listed; the rest are counted ("and N more").
MAX_PROBLEMS = 20
#: A did-you-mean needs this difflib similarity (``contrl`` → ``control`` 0.92, ``horizon`` →
#: ``horizon_days`` 0.74 is caught as a prefix); ``cost`` → ``covert`` (0.6) and ``UK`` → ``US``
#: (0.5) mislead, so they get the list of allowed names instead.
SIMILARITY = 0.75


class ScenarioError(ValueError):
    """A scenario that cannot be used; ``problems`` holds one located message per fault."""

    def __init__(self, problems: Sequence[str]):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


def suggest(word: str, choices: Sequence[str]) -> str:
    """A did-you-mean naming a close choice from ``choices`` (one section's names), or them all.

    Close means similar by :func:`difflib.SequenceMatcher` ratio, or one word a prefix of the
    other (``horizon`` for ``horizon_days``, ``from_day`` for ``from``).
    """
    listed = ", ".join(choices)
    close = difflib.get_close_matches(word, choices, n=1, cutoff=SIMILARITY)
    if not close:
        close = [
            c
            for c in choices
            if min(len(c), len(word)) >= 4 and (c.startswith(word) or word.startswith(c))
        ][:1]
    if close:
        return f"did you mean '{close[0]}'? (allowed: {listed})"
    return f"allowed: {listed}"


def dotted(loc: Loc) -> str:
    """``('events', 2, 'amount')`` → ``events.2.amount``."""
    return ".".join(str(p) for p in loc) or "(top level)"


def value_at(data: Any, loc: Loc) -> Any:
    """The value at ``loc`` in plain data, or None where there is none."""
    node = data
    for part in loc:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return None
    return node


@dataclass(frozen=True)
class Locator:
    """Where the values of one file came from: its line index and the paths set from outside.

    ``origins`` maps a path to what set it (``--set actors.KH.control``, or a sweep file's
    ``set:`` entry as ``FILE:LINE: set.actors.KH.control``).
    """

    source: str
    lines: Mapping[Loc, int] = field(default_factory=dict)
    origins: Mapping[Loc, str] = field(default_factory=dict)

    def origin(self, loc: Loc) -> tuple[str, Loc] | None:
        """What set the value at (or above, or below) ``loc`` from outside the file."""
        for done, label in self.origins.items():
            inside = loc[: len(done)] == done
            if inside or (loc and done[: len(loc)] == loc and loc not in self.lines):
                return label, done
        return None

    def line(self, loc: Loc) -> int | None:
        """The file line of ``loc``, or of its nearest ancestor that has one."""
        for n in range(len(loc), -1, -1):
            if loc[:n] in self.lines:
                return self.lines[loc[:n]]
        return None

    def where(self, loc: Loc) -> str:
        """``FILE:LINE: dotted.path``, or the ``--set`` that put the value there."""
        found = self.origin(loc)
        if found is not None:
            label, done = found
            return label if done == loc else f"{label} ({dotted(loc)})"
        line = self.line(loc)
        return f"{self.source}:{line}: {dotted(loc)}" if line else f"{self.source}: {dotted(loc)}"

    def sort_key(self, loc: Loc) -> int:
        """Problems set from outside the file first, then in file order."""
        return -1 if self.origin(loc) is not None else (self.line(loc) or 0)


def sentence(message: str) -> str:
    """A message ending in a full stop."""
    return message if message.endswith(".") else f"{message}."


def located(problems: Iterable[Problem], locator: Locator) -> list[str]:
    """One ``WHERE: message.`` line per distinct problem, in file order."""
    unique = list(dict.fromkeys(problems))
    unique.sort(key=lambda p: locator.sort_key(p[0]))
    return [f"{locator.where(loc)}: {sentence(msg)}" for loc, msg in unique]


def capped(messages: Sequence[str]) -> list[str]:
    """At most :data:`MAX_PROBLEMS` messages, and a count of the rest."""
    if len(messages) <= MAX_PROBLEMS:
        return list(messages)
    rest = len(messages) - MAX_PROBLEMS
    return [
        *messages[:MAX_PROBLEMS],
        f"… and {rest} more problem{'s' if rest > 1 else ''} (the first {MAX_PROBLEMS} are shown).",
    ]
