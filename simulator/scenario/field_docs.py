"""The scenario file reference (docs/SCENARIOS.md), generated from the schema itself.

Run ``python -m simulator.scenario.field_docs > docs/SCENARIOS.md`` after changing the schema; a
test fails when the committed file and the schema disagree.
"""

from __future__ import annotations

import datetime as dt
import types
import typing
from typing import Any

import annotated_types
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from simulator.scenario import schema as sc
from simulator.scenario.default_ladder import DEFAULT_LADDER
from simulator.scenario.problems import MAX_PROBLEMS
from simulator.scenario.reading import MAX_FILE_BYTES

SECTIONS: list[tuple[str, list[type[BaseModel]], str]] = [
    ("The scenario", [sc.Scenario], "Top-level fields of a scenario file."),
    ("Actors", [sc.StateActor, sc.HostActor, sc.MilitiaActor], "Entries of `actors`, by `type`."),
    ("Restraint windows, orders and red lines", [sc.Window, sc.Order, sc.RedLine], ""),
    (
        "Perception",
        [sc.PerceptionPatch],
        "Entries of `perception.<observer>.<actor>`; `default` as either key is a wildcard. "
        "Lookup order: exact pair, observer's default, default observer for the actor, "
        "default.default, then a perfect observer (no bias, no noise, sees everything, and "
        "blames no one but the actor).",
    ),
    (
        "Events",
        [sc.SetEvent, sc.GrievanceEvent, sc.ThreatEvent, sc.ActionEvent, sc.PerceptionEvent],
        "Entries of `events`, by `kind`; each applies at the start of its `date`.",
    ),
    ("Dynamics", [sc.Dynamics], "Rates of the perception–threat–grievance loop (`dynamics`)."),
    ("The ladder", [sc.Rung], "Entries of `ladder` (a scenario may replace the default)."),
    (
        "Sweeps",
        [sc.SweepSpec, sc.SweepFile],
        "A `sweep:` section of a scenario, or a sweep file with `scenario:` naming one.",
    ),
]


def render_reference() -> str:
    """The whole reference as Markdown."""
    out = [
        "# Scenario file reference",
        "",
        "Generated from `simulator/scenario/schema.py` by "
        "`python -m simulator.scenario.field_docs`; do not edit by hand.",
        "",
        "Unknown keys are errors. Names (of actors, rungs) start with a letter and hold letters, "
        "digits, `_` and `-`. Numbers must be numbers (`yes`/`no` are not). Dates are "
        "`YYYY-MM-DD`. Any scalar can be overridden from the command line with "
        "`--set dotted.path=value`.",
        "",
        f"A file is UTF-8 text of at most {MAX_FILE_BYTES // 2**20} MB. `escalation validate` "
        "checks everything a run relies on (the schema, every name and date, and a sweep's "
        f"values on the scenario) and lists every problem with its file and line, the first "
        f"{MAX_PROBLEMS} of them.",
        "",
    ]
    for title, models, intro in SECTIONS:
        out += [f"## {title}", ""]
        if intro:
            out += [intro, ""]
        for model in models:
            out += _model_table(model)
    out += _ladder_table()
    return "\n".join(out).rstrip() + "\n"


def _model_table(model: type[BaseModel]) -> list[str]:
    doc = (model.__doc__ or "").strip().split("\n\n")[0].replace("\n", " ")
    lines = [f"### `{model.__name__}`", "", doc, "", "| field | type | default | meaning |"]
    lines.append("|---|---|---|---|")
    for name, field in model.model_fields.items():
        key = field.alias or name
        meaning = (field.description or "").replace("|", r"\|")
        lines.append(
            f"| `{key}` | {_type(field.annotation, field)} | {_default(field)} | {meaning} |"
        )
    return [*lines, ""]


def _default(field: FieldInfo) -> str:
    if field.is_required():
        return "**required**"
    value = field.default
    if value is None:
        return "—"
    if isinstance(value, list) and value and isinstance(value[0], BaseModel):
        return "the default ladder"
    if isinstance(value, BaseModel):
        return "defaults below"
    if isinstance(value, list | dict | str) and not value:
        return "empty"
    return f"`{value}`"


def _bounds(metadata: list[Any]) -> str:
    lo: object = None
    hi: object = None
    lo_open = hi_open = False
    for m in metadata:
        if isinstance(m, annotated_types.Ge):
            lo = m.ge
        elif isinstance(m, annotated_types.Gt):
            lo, lo_open = m.gt, True
        elif isinstance(m, annotated_types.Le):
            hi = m.le
        elif isinstance(m, annotated_types.Lt):
            hi, hi_open = m.lt, True
    if lo is None and hi is None:
        return ""
    left = "(" if lo_open else "["
    right = ")" if hi_open else "]"
    return f" {left}{_num(lo)}, {_num(hi)}{right}"


def _num(value: Any) -> str:
    if value is None:
        return "…"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return f"{value:,}" if isinstance(value, int) else str(value)


def _type(annotation: Any, field: FieldInfo | None = None) -> str:
    metadata = list(field.metadata) if field is not None else []
    while typing.get_origin(annotation) is typing.Annotated:
        args = typing.get_args(annotation)
        annotation, metadata = args[0], [*metadata, *args[1:]]
    for m in list(metadata):
        if isinstance(m, FieldInfo):
            metadata += m.metadata
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        members = [a for a in typing.get_args(annotation) if a is not type(None)]
        return " or ".join(_type(a) for a in members) + (_bounds(metadata) if metadata else "")
    if origin is typing.Literal:
        return " \\| ".join(f"`{v}`" for v in typing.get_args(annotation))
    if origin is list:
        return f"list of {_type(typing.get_args(annotation)[0])}"
    if origin is dict:
        key, value = typing.get_args(annotation)
        return f"mapping {_type(key)} → {_type(value)}"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return f"`{annotation.__name__}`"
    names = {float: "number", int: "integer", bool: "true/false", str: "text", dt.date: "date"}
    if any(getattr(m, "pattern", None) for m in metadata):
        return "name"
    return names.get(annotation, str(annotation)) + _bounds(metadata)


def _ladder_table() -> list[str]:
    lines = [
        "## The default ladder",
        "",
        "Cost: utility cost of the move (— = `dynamics.action_cost`). Evidence: log-likelihood "
        "ratio, hostile type vs security seeker (— = the category's default).",
        "",
        "| rung | label | category | level | hostility | score | flags | lethality | fatality "
        "| cost | evidence | actors | targets |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in (sc.Rung(**data) for data in DEFAULT_LADDER):
        flags = ", ".join(f for f in ("defensive", "covert", "violent") if getattr(r, f)) or "—"
        violent = r.violent
        lines.append(
            f"| `{r.name}` | {r.label} | {r.category} | {r.level} | {r.hostility} | {r.score} | "
            f"{flags} | {r.lethality if violent else '—'} | {r.fatality if violent else '—'} | "
            f"{'—' if r.cost is None else r.cost} | {'—' if r.evidence is None else r.evidence} | "
            f"{', '.join(r.actors)} | {', '.join(r.targets)} |"
        )
    return [*lines, ""]


if __name__ == "__main__":
    print(render_reference(), end="")
