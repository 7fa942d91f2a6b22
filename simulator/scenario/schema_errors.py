"""Schema errors in the scenario's own terms: pydantic's error list turned into YAML paths.

Pydantic locates an error by its validation path, which names the union member it tried
(``actors.KH.militia.control``, ``sweep.params.x.str``) and dict keys as ``[key]``; a user knows
only the file's path (``actors.KH.control``). Each error also records which schema model holds
each key on its path, so that a broken part can be set aside and the rest of the file checked
(:mod:`simulator.scenario.salvage`).
"""

from __future__ import annotations

import types
import typing
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from simulator.scenario.problems import Loc, Problem, suggest
from simulator.scenario.schema import Name

#: Where pydantic puts a dict key's own error.
_KEY = "[key]"
_NAME_PATTERN = typing.get_args(Name)[1].pattern
#: The schema model met at each path on the way to a fault (see :attr:`SchemaError.holders`).
_Holders = dict[Loc, type[BaseModel]]


@dataclass(frozen=True)
class SchemaError:
    """One schema fault: its YAML path, the message, and what salvage needs to set it aside."""

    loc: Loc
    message: str
    #: the schema model whose fields are the keys directly under each path on the way
    holders: dict[Loc, type[BaseModel]] = field(default_factory=dict)
    #: the part to set aside (a union's tag fault is the whole entry's, not the tag's)
    part: Loc = ()

    @property
    def problem(self) -> Problem:
        """As a (path, message) pair."""
        return self.loc, self.message


def schema_errors(root: type[BaseModel], err: ValidationError) -> list[SchemaError]:
    """The faults of one validation, one per YAML path (union members' faults combined)."""
    found: list[SchemaError] = []
    by_union: dict[Loc, list[tuple[str, ErrorDetails, Loc, _Holders]]] = defaultdict(list)
    for item in err.errors():
        walk = _walk(item["loc"], root)
        loc = part = walk.loc
        if item["type"] == "union_tag_invalid":  # point at the type/kind field itself
            loc = (*loc, item["ctx"]["discriminator"].strip("'"))
        if walk.branch is not None:
            by_union[walk.branch[0]].append((walk.branch[1], item, loc, walk.holders))
            continue
        message = _describe(item, loc, walk, root)
        found.append(SchemaError(loc, message, walk.holders, part))
    for at, tries in by_union.items():
        found += _union_faults(at, tries, root)
    return found


def _union_faults(
    at: Loc, tries: list[tuple[str, ErrorDetails, Loc, _Holders]], root: type[BaseModel]
) -> list[SchemaError]:
    """A plain union (``str | list[float]``): the faults of the member the value was meant for.

    A member that rejected the value's type outright is dropped when another got further; when
    every member did, one message lists what would have been accepted.
    """
    members: dict[str, list[tuple[ErrorDetails, Loc, _Holders]]] = defaultdict(list)
    for member, item, loc, holders in tries:
        members[member].append((item, loc, holders))
    wrong_type = {
        m
        for m, items in members.items()
        if all(i["type"].endswith("_type") and loc == at for i, loc, _ in items)
    }
    kept = [m for m in members if m not in wrong_type]
    if kept:
        return [
            SchemaError(loc, _describe(item, loc, _Walk(loc, [], holders), root), holders, loc)
            for m in kept
            for item, loc, holders in members[m]
        ]
    first, _, holders = next(iter(members.values()))[0]
    wanted = " or ".join(
        items[0][0]["msg"].removeprefix("Input should be ") for items in members.values()
    )
    given = first.get("input")
    message = f"expected {wanted} (got {_shown(given)})"
    if isinstance(given, int | float) and "str" in members:
        message += "; text YAML could read as a number, such as 1:5:5, must be in quotes"
    return [SchemaError(at, message, holders, at)]


@dataclass
class _Walk:
    loc: Loc
    allowed: list[str]
    holders: dict[Loc, type[BaseModel]]
    key: bool = False
    #: (where a plain union was tried, the member's name)
    branch: tuple[Loc, str] | None = None


def _walk(pydantic_loc: tuple[int | str, ...], root: type[BaseModel]) -> _Walk:
    """Map a pydantic error location to the YAML path; the models met; allowed keys at the end."""
    out: list[str | int] = []
    ann: Any = root
    walk = _Walk((), [], {})
    for part in pydantic_loc:
        if part == _KEY:  # the fault is the key's own: the path ends at the key
            walk.key = True
            break
        ann = _unwrap(ann)
        if isinstance(ann, list):  # a union: the part names the member tried
            chosen = next((m for m in ann if _tag(m) == part), None)
            if chosen is None:
                chosen = next((m for m in ann if _member_name(m) == part), None)
                if chosen is not None:
                    walk.branch = (tuple(out), str(part))
            if chosen is not None:
                ann = chosen
                continue
            ann = None
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            walk.holders[tuple(out)] = ann
            walk.allowed = sorted((f.alias or n) for n, f in ann.model_fields.items())
            info = ann.model_fields.get(str(part)) or next(
                (f for f in ann.model_fields.values() if f.alias == part), None
            )
            ann = info.annotation if info else None
        elif typing.get_origin(ann) in (list, dict):
            ann = typing.get_args(ann)[-1]
        else:
            ann = None
        out.append(part)
    walk.loc = tuple(out)
    return walk


def _member_name(member: Any) -> str:
    """The name pydantic gives a plain union member in error paths (``str``, ``list[float]``)."""
    while typing.get_origin(member) is typing.Annotated:
        member = typing.get_args(member)[0]
    return member.__name__ if isinstance(member, type) else str(member)


def _describe(item: ErrorDetails, loc: Loc, walk: _Walk, root: type[BaseModel]) -> str:
    kind, msg, given = item["type"], item["msg"], item.get("input")
    msg = msg.removeprefix("Value error, ")
    if walk.key:
        return f"{_shown(given)} cannot be a name here: {_name_fault(item)}"
    if kind == "extra_forbidden":
        return f"unknown field '{loc[-1]}'; {suggest(str(loc[-1]), walk.allowed)}"
    if kind == "missing":
        return "required field is missing"
    if kind == "union_tag_invalid":
        ctx = item.get("ctx", {})
        return (
            f"unknown {ctx.get('discriminator', 'kind').strip(chr(39))} "
            f"'{ctx.get('tag')}'; allowed: {ctx.get('expected_tags')}"
        )
    if kind == "union_tag_not_found":
        ctx = item.get("ctx", {})
        key = str(ctx.get("discriminator", "type")).strip("'")
        tags = ", ".join(t for t in _tags_at(loc, root) if t)
        return f"missing field '{key}', which says what this entry is (one of: {tags})"
    if kind in ("string_pattern_mismatch", "string_too_long"):
        return f"{_shown(given)} is not a valid name: {_name_fault(item)}"
    if kind == "literal_error":
        return f"{msg} (got {given!r})"
    if kind == "too_long" and isinstance(given, dict | list) and loc and loc[-1] in _AT_MOST:
        most, (things, why) = (item.get("ctx") or {}).get("max_length"), _AT_MOST[loc[-1]]
        return f"at most {most} {things} ({why}); got {len(given)}"
    return f"{msg} (got {_shown(given)})"


#: what a list of the scenario holds, and why it has a largest length, by field
_AT_MOST = {
    "actors": ("actors", "the event log stores an actor's number in a byte"),
    "ladder": ("rungs", "the event log stores a rung's number in a byte"),
}


def _name_fault(item: ErrorDetails) -> str:
    ctx = item.get("ctx") or {}
    if isinstance(item.get("input"), bool):
        return "YAML reads yes, no, on, off, true and false as true or false; quote the name"
    if item["type"] == "string_type":
        return "names are text that starts with a letter"
    if item["type"] == "string_pattern_mismatch" and ctx.get("pattern") == _NAME_PATTERN:
        return "names start with a letter and hold only letters, digits, '_' and '-'"
    if item["type"] == "string_too_long":
        return f"names are at most {ctx.get('max_length')} characters long"
    return item["msg"]


def _shown(value: Any) -> str:
    """A value as the message shows it: a scalar's repr, a block's kind."""
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    text = repr(value)
    return text if len(text) <= 80 else f"{text[:77]}…"


def _tags_at(loc: Loc, root: type[BaseModel]) -> list[str]:
    """The tags (type/kind values) a discriminated union at ``loc`` accepts."""
    ann: Any = root
    for part in loc:
        ann = _unwrap(ann)
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            info = ann.model_fields.get(str(part))
            ann = info.annotation if info else None
        elif typing.get_origin(ann) in (list, dict):
            ann = typing.get_args(ann)[-1]
        else:
            return []
    members = _unwrap(ann)
    return [t for t in (_tag(m) for m in members) if t] if isinstance(members, list) else []


def _unwrap(ann: Any) -> Any:
    """Strip Annotated/Optional; a union becomes a list of its members."""
    while True:
        origin = typing.get_origin(ann)
        if origin is typing.Annotated:
            ann = typing.get_args(ann)[0]
        elif origin in (typing.Union, types.UnionType):
            members = [a for a in typing.get_args(ann) if a is not type(None)]
            if len(members) == 1:
                ann = members[0]
            else:
                return members
        else:
            return ann


def _tag(model: Any) -> str | None:
    if isinstance(model, type) and issubclass(model, BaseModel):
        for key in ("type", "kind"):
            info = model.model_fields.get(key)
            if info is not None and typing.get_origin(info.annotation) is typing.Literal:
                tag: str = typing.get_args(info.annotation)[0]
                return tag
    return None
