"""Checking the rest of a broken scenario, so that a file's problems come in one pass.

Cross-checks read a validated scenario, so a file with a value out of range used to show its
misspelt patron only once the range was fixed. Here every part the schema rejected is set aside
(a field that has a default is dropped, an entry of a list or mapping removed) and the remainder
validated again, until it passes; the cross-checks then run on the remainder, told which names
the file gave, so that a reference to a set-aside actor is not reported a second time.
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from simulator.scenario.crosschecks import Known
from simulator.scenario.problems import Loc, value_at
from simulator.scenario.schema import Scenario
from simulator.scenario.schema_errors import SchemaError, schema_errors

#: Stand-ins for required top-level fields the schema rejected; the dates then go unchecked.
_STAND_INS: dict[str, Any] = {"name": "unnamed", "start": dt.date(2000, 1, 1), "horizon_days": 1}
_UNDATED = ("start", "horizon_days")
#: Setting a part aside can expose a fault one level up (a list now too short): a few rounds.
_ROUNDS = 8


@dataclass
class Salvaged:
    """The valid remainder of a broken scenario and what was set aside to get it."""

    scenario: Scenario
    known: Known
    #: paths (in the file's numbering) of the parts set aside
    set_aside: set[Loc] = field(default_factory=set)
    renumbering: _Renumbering | None = None

    def original(self, loc: Loc) -> Loc:
        """A path of the remainder in the file's numbering (list items were removed)."""
        return self.renumbering.original(loc) if self.renumbering else loc

    def is_set_aside(self, loc: Loc) -> bool:
        """Whether ``loc`` (file numbering) lies in a part that was set aside."""
        return any(loc[:n] in self.set_aside for n in range(len(loc) + 1))


class _Renumbering:
    """For each list that lost items: the file's index of every item that remains."""

    def __init__(self) -> None:
        self.kept: dict[Loc, list[int]] = {}

    def original(self, loc: Loc) -> Loc:
        out: list[str | int] = []
        for part in loc:
            kept = self.kept.get(tuple(out))
            if kept is not None and isinstance(part, int) and 0 <= part < len(kept):
                part = kept[part]
            out.append(part)
        return tuple(out)

    def remove(self, container: Loc, indices: set[int], length: int) -> None:
        kept = self.kept.setdefault(self.original(container), list(range(length)))
        kept[:] = [k for i, k in enumerate(kept) if i not in indices]


def salvage(data: dict[str, Any], errors: list[SchemaError]) -> Salvaged | None:
    """The valid remainder of ``data``, or None when what is broken holds the rest together."""
    work = copy.deepcopy(data)
    renumbering = _Renumbering()
    set_aside: set[Loc] = set()
    dates = True
    for _ in range(_ROUNDS):
        cuts: set[Loc] = set()
        for error in errors:
            cut = _cut(error)
            if cut is not None:
                cuts.add(cut)
            elif len(error.part) == 1 and error.part[0] in _STAND_INS:
                work[error.part[0]] = _STAND_INS[str(error.part[0])]
                dates = dates and error.part[0] not in _UNDATED
            else:
                return None
        outermost = [c for c in cuts if not any(c[:n] in cuts for n in range(len(c)))]
        set_aside |= {renumbering.original(c) for c in outermost}
        _remove(work, outermost, renumbering)
        try:
            scenario = Scenario.model_validate(work)
        except ValidationError as err:
            errors = schema_errors(Scenario, err)
            continue
        known = _known(data, scenario, set_aside, dates)
        return Salvaged(scenario, known, set_aside, renumbering)
    return None


def _cut(error: SchemaError) -> Loc | None:
    """The innermost part holding the fault that can go: an optional field or an entry."""
    loc = error.part
    for n in range(len(loc), 0, -1):
        part = loc[:n]
        holder = error.holders.get(part[:-1])
        if holder is None:  # an entry of a list or mapping
            return part
        info = holder.model_fields.get(str(part[-1])) or next(
            (f for f in holder.model_fields.values() if f.alias == part[-1]), None
        )
        if info is None or not info.is_required():
            return part
    return None


def _is_index(part: object) -> bool:
    return isinstance(part, int) and not isinstance(part, bool)


def _remove(data: Any, cuts: list[Loc], renumbering: _Renumbering) -> None:
    """Remove every cut (none inside another); a list loses all its cut items at once."""
    items: dict[Loc, set[int]] = {}
    # deepest first: removing a part never moves a deeper one still to be removed
    for cut in sorted(cuts, key=len, reverse=True):
        node = value_at(data, cut[:-1])
        key = cut[-1]
        if isinstance(node, list) and _is_index(key) and 0 <= int(key) < len(node):
            items.setdefault(cut[:-1], set()).add(int(key))
        elif isinstance(node, dict) and key in node:
            del node[key]
    for container in sorted(items, key=len, reverse=True):
        node, drop = value_at(data, container), items[container]
        renumbering.remove(container, drop, len(node))
        node[:] = [item for i, item in enumerate(node) if i not in drop]


def _known(data: dict[str, Any], scenario: Scenario, set_aside: set[Loc], dates: bool) -> Known:
    """The names the file gives, including those of entries that were set aside."""
    actors = data.get("actors")
    names = [k for k in actors if isinstance(k, str)] if isinstance(actors, dict) else []
    ladder = data.get("ladder", None)
    rungs: tuple[str, ...] | None
    if "ladder" not in data:
        rungs = tuple(r.name for r in scenario.ladder)
    elif isinstance(ladder, list):
        rungs = tuple(
            r["name"] for r in ladder if isinstance(r, dict) and isinstance(r.get("name"), str)
        )
    else:
        rungs = None
    return Known(
        actors=tuple(dict.fromkeys([*names, *scenario.actors])),
        rungs=rungs,
        ladder_intact=not any(loc[:1] == ("ladder",) for loc in set_aside),
        dates=dates,
    )
