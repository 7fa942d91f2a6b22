"""Loading scenario files: safe YAML, ``--set`` overrides, validation, file:line error messages.

YAML is read with PyYAML's ``SafeLoader`` (what ``yaml.safe_load`` uses), composing the node tree
first so that every field's line is known; no tag can construct a Python object.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from simulator.scenario.crosschecks import check_references, suggest
from simulator.scenario.schema import Scenario, SweepFile, SweepSpec

Loc = tuple[str | int, ...]


class ScenarioError(ValueError):
    """A scenario that cannot be used; ``problems`` holds one located message per fault."""

    def __init__(self, problems: Sequence[str]):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


def load_scenario(path: str | Path, overrides: Iterable[str] = ()) -> Scenario:
    """Read, override and validate a scenario file; raise :class:`ScenarioError` on any fault."""
    path = Path(path)
    data, lines = parse_yaml(_read(path, "scenario file"), str(path))
    if not isinstance(data, dict):
        raise ScenarioError(
            [f"{path}:1: a scenario must be a mapping of fields (name, start, actors, …)."]
        )
    set_paths = apply_overrides(data, overrides, str(path))
    return validate_scenario(data, str(path), lines, set_paths)


def _read(path: Path, what: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError([f"{path}: no such {what}."]) from None
    except (OSError, UnicodeDecodeError) as err:
        raise ScenarioError([f"{path}: cannot be read ({err})."]) from None


def parse_yaml(text: str, source: str) -> tuple[Any, dict[Loc, int]]:
    """Parse YAML safely, returning the data and the 1-based line of every mapping key / item."""
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise ScenarioError([f"{source}:1: the file is empty; a scenario needs fields."])
        lines: dict[Loc, int] = {}
        _index_lines(loader, node, (), lines, source, set())
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = mark.line + 1 if mark else 1
        what = " ".join(str(p) for p in (err.context, err.problem) if p)
        if err.context_mark is not None and err.context_mark.line + 1 != line:
            what = f"{what} (the construct opened on line {err.context_mark.line + 1})"
        if "could not determine a constructor" in what:
            what = f"{what}; scenario files may hold only plain data (no language-specific tags)"
        raise ScenarioError([f"{source}:{line}: invalid YAML: {what}."]) from None
    except yaml.YAMLError as err:
        raise ScenarioError([f"{source}: invalid YAML: {err}."]) from None
    finally:
        loader.dispose()
    return data, lines


def _index_lines(
    loader: yaml.SafeLoader,
    node: yaml.Node,
    loc: Loc,
    lines: dict[Loc, int],
    source: str,
    seen_nodes: set[int],
) -> None:
    """Record the line of every key and item; reject what the loader would choke on."""
    lines.setdefault(loc, node.start_mark.line + 1)
    if id(node) in seen_nodes:  # an alias: indexed where it was defined (no exponential walk)
        return
    seen_nodes.add(id(node))
    where = ".".join(str(p) for p in loc) or "(top level)"
    if isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:timestamp":
        try:
            loader.construct_yaml_timestamp(node)
        except ValueError as err:
            raise ScenarioError(
                [
                    f"{source}:{node.start_mark.line + 1}: {where}: {node.value!r} is not a valid "
                    f"date ({err}); write dates as YYYY-MM-DD."
                ]
            ) from None
    if isinstance(node, yaml.MappingNode):
        keys: dict[str, int] = {}
        for key, value in node.value:
            line = key.start_mark.line + 1
            if not isinstance(key, yaml.ScalarNode):
                raise ScenarioError(
                    [f"{source}:{line}: {where}: keys must be plain names, not lists or mappings."]
                )
            k = key.value
            if k in keys:
                dotted = ".".join(str(p) for p in (*loc, k))
                raise ScenarioError(
                    [f"{source}:{line}: {dotted}: duplicate key (first given on line {keys[k]})."]
                )
            keys[k] = line
            lines[(*loc, k)] = line
            _index_lines(loader, value, (*loc, k), lines, source, seen_nodes)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            lines[(*loc, i)] = item.start_mark.line + 1
            _index_lines(loader, item, (*loc, i), lines, source, seen_nodes)


def apply_overrides(data: dict, overrides: Iterable[str], source: str) -> set[Loc]:
    """Apply ``dotted.path=value`` overrides in place; return the paths they set."""
    done: set[Loc] = set()
    for text in overrides:
        key, sep, raw = text.partition("=")
        if not sep or not key.strip():
            raise ScenarioError([f"--set {text!r}: expected dotted.path=value."])
        loc = parse_path(key.strip())
        try:
            value = yaml.safe_load(raw) if raw.strip() else ""
        except yaml.YAMLError:
            value = raw
        set_path(data, loc, value, f"--set {key.strip()}")
        done.add(loc)
    return done


def parse_path(dotted: str) -> Loc:
    """``events.2.amount`` → ``('events', 2, 'amount')``."""
    return tuple(int(p) if p.isdigit() else p for p in dotted.split("."))


def set_path(data: dict, loc: Loc, value: Any, what: str) -> None:
    """Set a scalar at ``loc``, creating missing mappings on the way; refuse to replace a block."""
    node: Any = data
    for i, part in enumerate(loc):
        last = i == len(loc) - 1
        if isinstance(node, list):
            if not isinstance(part, int) or not 0 <= part < len(node):
                span = f"0 to {len(node) - 1}" if node else "the list is empty"
                raise ScenarioError([f"{what}: '{part}' is not an index of this list ({span})."])
        elif isinstance(node, dict):
            if not last and part not in node:
                if isinstance(loc[i + 1], int):
                    raise ScenarioError(
                        [
                            f"{what}: '{part}' is not in the scenario file, and --set "
                            "cannot create list items; write the list in the file first."
                        ]
                    )
                node[part] = {}
        else:
            raise ScenarioError([f"{what}: '{part}' is below a scalar value."])
        if last:
            current = node[part] if (isinstance(node, list) or part in node) else None
            if isinstance(current, dict | list):
                raise ScenarioError(
                    [
                        f"{what}: this is a block of fields, not a single value; set one of its "
                        "fields instead."
                    ]
                )
            node[part] = value
        else:
            node = node[part]


def load_sweep(
    path: str | Path, overrides: Iterable[str] = ()
) -> tuple[Scenario, SweepSpec | None, Path]:
    """Read a sweep file (``scenario:`` + sweep fields) or a scenario with a ``sweep:`` section.

    Returns the scenario (with the sweep file's ``set`` and then ``overrides`` applied), the sweep
    specification (None for a scenario without one) and the scenario file's path.
    """
    path = Path(path)
    data, lines = parse_yaml(_read(path, "sweep or scenario file"), str(path))
    if isinstance(data, dict) and "scenario" in data and "actors" not in data:
        spec = validate_model(SweepFile, data, str(path), lines)
        target = (path.parent / spec.scenario).resolve()
        try:
            target = target.relative_to(Path.cwd())
        except ValueError:
            pass
        fixed = [f"{k}={_yaml_scalar(v)}" for k, v in spec.set.items()]
        try:
            scenario = load_scenario(target, [*fixed, *overrides])
        except ScenarioError as err:
            where = f"{path}:{lines.get(('scenario',), 1)}: scenario"
            raise ScenarioError([f"{where}: {target} is not usable:", *err.problems]) from None
        return scenario, spec, target
    scenario = load_scenario(path, overrides)
    return scenario, scenario.sweep, path


def _yaml_scalar(value: object) -> str:
    return yaml.safe_dump(value, default_flow_style=True).strip().removesuffix("...").strip()


def validate_scenario(
    data: dict, source: str, lines: dict[Loc, int] | None = None, set_paths: set[Loc] = frozenset()
) -> Scenario:
    """Validate plain data as a scenario, with located messages on failure."""
    scenario = validate_model(Scenario, data, source, lines, set_paths)
    problems = [
        f"{_where(loc, source, lines or {}, set_paths)}: {msg}."
        for loc, msg in check_references(scenario)
    ]
    if problems:
        raise ScenarioError(problems)
    return scenario


def validate_model(
    root: type[BaseModel],
    data: dict,
    source: str,
    lines: dict[Loc, int] | None = None,
    set_paths: set[Loc] = frozenset(),
):
    """Validate plain data against a schema model, with file:line messages on failure."""
    lines = lines or {}
    try:
        return root.model_validate(data)
    except ValidationError as err:
        problems = []
        for item in err.errors():
            loc, allowed = _yaml_loc(item["loc"], root)
            if item["type"] == "union_tag_invalid":  # point at the type/kind field itself
                loc = (*loc, item["ctx"]["discriminator"].strip("'"))
            where = _where(loc, source, lines, set_paths)
            problems.append(f"{where}: {_describe(item, loc, allowed, root)}")
        raise ScenarioError(problems) from None


def _where(loc: Loc, source: str, lines: dict[Loc, int], set_paths) -> str:
    """``FILE:LINE: dotted.path``, or the ``--set`` that put the value there."""
    dotted = ".".join(str(p) for p in loc) or "(top level)"
    for done in set_paths:  # the fault lies on (or inside) a path a --set created
        if loc[: len(done)] == done or (loc and done[: len(loc)] == loc and loc not in lines):
            what = ".".join(str(p) for p in done)
            return f"--set {what}" if what == dotted else f"--set {what} ({dotted})"
    for n in range(len(loc), -1, -1):
        if loc[:n] in lines:
            return f"{source}:{lines[loc[:n]]}: {dotted}"
    return f"{source}: {dotted}"


def _describe(item: dict, loc: Loc, allowed: list[str], root: type[BaseModel] = Scenario) -> str:
    kind, msg, given = item["type"], item["msg"], item.get("input")
    if kind == "extra_forbidden":
        return f"unknown field '{loc[-1]}'; {suggest(str(loc[-1]), allowed)}."
    if kind == "missing":
        return "required field is missing."
    if kind == "union_tag_invalid":
        ctx = item.get("ctx", {})
        return (
            f"unknown {ctx.get('discriminator', 'kind').strip(chr(39))} "
            f"'{ctx.get('tag')}'; allowed: {ctx.get('expected_tags')}."
        )
    if kind == "union_tag_not_found":
        ctx = item.get("ctx", {})
        field = str(ctx.get("discriminator", "type")).strip("'")
        tags = ", ".join(t for t in _tags_at(loc, root) if t)
        return f"missing field '{field}', which says what this entry is (one of: {tags})."
    if kind == "literal_error":
        return f"{msg} (got {given!r})."
    shown = repr(given) if not isinstance(given, dict | list) else type(given).__name__
    return f"{msg} (got {shown})."


def _yaml_loc(loc: Loc, root: type[BaseModel] = Scenario) -> tuple[Loc, list[str]]:
    """Map a pydantic error location to the YAML path, dropping union tags; allowed keys there."""
    out: list[str | int] = []
    ann: Any = root
    allowed: list[str] = []
    for part in loc:
        ann = _unwrap(ann)
        if isinstance(ann, list):  # a union of models: the part names the chosen member's tag
            chosen = next((m for m in ann if _tag(m) == part), None)
            if chosen is not None:
                ann = chosen
                continue
            ann = None
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            allowed = sorted((f.alias or n) for n, f in ann.model_fields.items())
            field = ann.model_fields.get(str(part)) or next(
                (f for f in ann.model_fields.values() if f.alias == part), None
            )
            ann = field.annotation if field else None
        elif typing.get_origin(ann) in (list, dict):
            ann = typing.get_args(ann)[-1]
        else:
            ann = None
        out.append(part)
    return tuple(out), allowed


def _tags_at(loc: Loc, root: type[BaseModel] = Scenario) -> list[str]:
    """The tags (type/kind values) a discriminated union at ``loc`` accepts."""
    ann: Any = root
    for part in loc:
        ann = _unwrap(ann)
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            field = ann.model_fields.get(str(part))
            ann = field.annotation if field else None
        elif typing.get_origin(ann) in (list, dict):
            ann = typing.get_args(ann)[-1]
        else:
            return []
    members = _unwrap(ann)
    return [_tag(m) for m in members] if isinstance(members, list) else []


def _unwrap(ann: Any) -> Any:
    """Strip Annotated/Optional; a union of models becomes a list of its members."""
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
            field = model.model_fields.get(key)
            if field is not None and typing.get_origin(field.annotation) is typing.Literal:
                return typing.get_args(field.annotation)[0]
    return None
