"""Loading scenario and sweep files: ``--set`` overrides, validation, every problem in one pass.

A file is read and parsed by :mod:`simulator.scenario.reading`; overrides are applied; the schema
and the cross-checks (:mod:`simulator.scenario.crosschecks`) run, on the valid remainder of the
file when parts of it are broken (:mod:`simulator.scenario.salvage`); a sweep's parameters are
then tried at their extremes on the scenario. All problems are reported together, located, at
most :data:`~simulator.scenario.problems.MAX_PROBLEMS` of them.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from simulator.scenario.crosschecks import check_references
from simulator.scenario.problems import (
    Loc,
    Locator,
    Problem,
    ScenarioError,
    capped,
    dotted,
    located,
    value_at,
)
from simulator.scenario.reading import parse_value, parse_yaml, read_text
from simulator.scenario.salvage import salvage
from simulator.scenario.schema import Scenario, SweepFile, SweepSpec
from simulator.scenario.schema_errors import schema_errors
from simulator.scenario.sweep_spec import parse_spec, spec_problems

__all__ = [
    "ScenarioError",
    "holds_integer",
    "load_scenario",
    "load_sweep",
    "parse_path",
    "scenario_data",
    "set_path",
    "validate_scenario",
]


def load_scenario(path: str | Path, overrides: Iterable[str] = ()) -> Scenario:
    """Read, override and validate a scenario file; raise :class:`ScenarioError` on any fault.

    A ``sweep:`` section is checked too: its parameters must name numbers of the scenario, and
    every value the sweep can take must leave a valid scenario.
    """
    path = Path(path)
    data, lines = parse_yaml(read_text(path, "scenario file"), str(path))
    return _load(path, data, lines, overrides, design=True)


def load_sweep(
    path: str | Path, overrides: Iterable[str] = (), design: bool = True
) -> tuple[Scenario, SweepSpec | None, Path]:
    """Read a sweep file (``scenario:`` + sweep fields) or a scenario with a ``sweep:`` section.

    Returns the scenario (with the sweep file's ``set`` and then ``overrides`` applied), the sweep
    specification (None for a scenario without one) and the scenario file's path. Everything is
    checked as for :func:`load_scenario`; ``design=False`` leaves out whether the design has what
    it needs (grid levels, ``points``), for a caller that overrides the design.
    """
    path = Path(path)
    data, lines = parse_yaml(read_text(path, "sweep or scenario file"), str(path))
    if isinstance(data, dict) and "scenario" in data and "actors" not in data:
        return _load_sweep_file(path, data, lines, overrides, design)
    scenario = _load(path, data, lines, overrides, design)
    return scenario, scenario.sweep, path


def validate_scenario(
    data: Any,
    source: str,
    lines: Mapping[Loc, int] | None = None,
    origins: Mapping[Loc, str] | None = None,
) -> Scenario:
    """Validate plain data as a scenario, with located messages on failure.

    ``lines`` maps paths to file lines; ``origins`` maps paths set from outside the file to what
    set them (``--set actors.KH.control``).
    """
    checked = _check(data)
    _raise_if(located(checked.problems, Locator(source, lines or {}, origins or {})))
    if checked.scenario is None:  # no problems, yet no scenario: cannot happen
        raise ScenarioError([f"{source}: not a scenario."])
    return checked.scenario


def scenario_data(scenario: Scenario) -> dict[str, Any]:
    """The scenario as plain JSON-ready data that :func:`validate_scenario` reads back."""
    return scenario.model_dump(mode="json", by_alias=True, exclude_none=True)


# -- overrides --------------------------------------------------------------------------------
def apply_overrides(data: dict[str, Any], overrides: Iterable[str]) -> dict[Loc, str]:
    """Apply ``dotted.path=value`` overrides in place; return the paths set, as ``--set`` labels."""
    done: dict[Loc, str] = {}
    problems: list[str] = []
    for text in overrides:
        key, sep, raw = text.partition("=")
        if not sep or not key.strip():
            problems.append(f"--set {text!r}: expected dotted.path=value.")
            continue
        loc = parse_path(key.strip())
        label = f"--set {key.strip()}"
        try:
            set_path(data, loc, parse_value(raw) if raw.strip() else "", label)
        except ScenarioError as err:
            problems += err.problems
            continue
        done[loc] = label
    _raise_if(problems)
    return done


def parse_path(dotted_path: str) -> Loc:
    """``events.2.amount`` → ``('events', 2, 'amount')``."""
    return tuple(int(p) if p.isdigit() else p for p in dotted_path.split("."))


def set_path(data: dict[str, Any], loc: Loc, value: Any, what: str) -> None:
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
            current = node[part] if (not isinstance(node, dict) or part in node) else None
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


# -- the checks -------------------------------------------------------------------------------
@dataclass
class _Checked:
    """A check's outcome: the scenario (or the valid remainder of a broken one), the problems."""

    scenario: Scenario | None
    problems: list[Problem] = field(default_factory=list)
    whole: bool = True


def _check(data: Any) -> _Checked:
    """Schema and cross-checks in one pass (cross-checks on the remainder of a broken file)."""
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as err:
        errors = schema_errors(Scenario, err)
        problems = [e.problem for e in errors]
        rest = salvage(data, errors) if isinstance(data, dict) else None
        if rest is None:
            return _Checked(None, problems, whole=False)
        for loc, message in check_references(rest.scenario, rest.known):
            loc = rest.original(loc)
            if not rest.is_set_aside(loc):
                problems.append((loc, message))
        return _Checked(rest.scenario, problems, whole=False)
    return _Checked(scenario, check_references(scenario))


def _load(
    path: Path, data: Any, lines: dict[Loc, int], overrides: Iterable[str], design: bool
) -> Scenario:
    if not isinstance(data, dict):
        raise ScenarioError([_not_a_mapping(path)])
    locator = Locator(str(path), lines, apply_overrides(data, overrides))
    checked = _check(data)
    problems = checked.problems
    if checked.scenario is not None and checked.scenario.sweep is not None:
        problems += [
            (("sweep", *loc), message)
            for loc, message in _sweep_problems(checked, checked.scenario.sweep, design)
        ]
    _raise_if(located(problems, locator))
    if checked.scenario is None:  # no problems, yet no scenario: cannot happen
        raise ScenarioError([f"{path}: not a scenario."])
    return checked.scenario


def _load_sweep_file(
    path: Path, data: dict[str, Any], lines: dict[Loc, int], overrides: Iterable[str], design: bool
) -> tuple[Scenario, SweepSpec, Path]:
    """A sweep file: its own fields, the scenario it names (with its ``set``), and the two agree."""
    locator = Locator(str(path), lines)
    spec: SweepFile | None = None
    try:
        spec = SweepFile.model_validate(data)
        problems = list(spec_problems(spec, design))
    except ValidationError as err:
        problems = [e.problem for e in schema_errors(SweepFile, err)]
    name = data.get("scenario")
    if not isinstance(name, str):
        _raise_if(located(problems, locator))
        raise ScenarioError([f"{path}: scenario: must name a scenario file."])
    target = (path.parent / name).resolve()
    try:
        target = target.relative_to(Path.cwd())
    except ValueError:
        pass
    where = f"{locator.where(('scenario',))}: {target}"
    try:
        target_data, target_lines = parse_yaml(read_text(target, "scenario file"), str(target))
        if not isinstance(target_data, dict):
            raise ScenarioError([_not_a_mapping(target)])
    except ScenarioError as err:
        raise ScenarioError(
            [*located(problems, locator), f"{where} cannot be used:", *err.problems]
        ) from None
    origins: dict[Loc, str] = {}
    fixed = spec.set if spec is not None else {}  # (a broken `set` is reported above)
    for key, value in fixed.items():
        loc = parse_path(str(key))
        label = locator.where(("set", key))
        try:
            set_path(target_data, loc, value, label)
        except ScenarioError as err:
            problems.append((("set", key), err.problems[0].removeprefix(f"{label}: ")))
            continue
        origins[loc] = label
    origins |= apply_overrides(target_data, overrides)
    checked = _check(target_data)
    if spec is not None and checked.scenario is not None:
        problems += _sweep_problems(checked, spec, design=False)  # the design was checked above
    messages = located(problems, locator)
    if checked.problems:
        target_locator = Locator(str(target), target_lines, origins)
        messages += [f"{where} has problems:", *located(checked.problems, target_locator)]
    _raise_if(messages)
    if spec is None or checked.scenario is None:  # no problems, yet no sweep: cannot happen
        raise ScenarioError([f"{path}: not a sweep."])
    return checked.scenario, spec, target


def _sweep_problems(checked: _Checked, spec: SweepSpec, design: bool) -> list[Problem]:
    """A sweep's faults (paths inside the spec): its text, and its values tried on the scenario.

    Each parameter is set, in turn, to each extreme value the sweep gives it (rounded, where the
    scenario holds an integer, as the sweep rounds it) and the scenario checked again: a value
    out of range, a path that is not a number of the scenario, an event the horizon no longer
    reaches all show here rather than when the sweep runs.
    """
    problems = list(spec_problems(spec, design))
    faulty = {loc for loc, _ in problems}
    if checked.scenario is None:
        return problems
    base = scenario_data(checked.scenario)
    base.pop("sweep", None)
    # a broken file's remainder has problems of its own: only new ones are the sweep's
    before = set() if checked.whole else set(_check(base).problems)
    for path, value in spec.params.items():
        if ("params", path) in faulty:
            continue
        loc = parse_path(path)
        integer = holds_integer(base, loc)
        for extreme in parse_spec(value).extremes():
            number = int(round(extreme)) if integer else extreme
            data = copy.deepcopy(base)
            try:
                set_path(data, loc, number, "cannot be swept")
            except ScenarioError as err:
                problems.append((("params", path), err.problems[0]))
                break
            found = [p for p in _check(data).problems if p not in before]
            if found:
                at, message = found[0]
                where = "" if at == loc else f", {dotted(at)}"
                problems.append((("params", path), f"at {number:g}{where}: {message}"))
                break
    return problems


def holds_integer(data: Any, loc: Loc) -> bool:
    """Whether the scenario data holds an integer at ``loc`` (so swept values are rounded)."""
    node = value_at(data, loc)
    return isinstance(node, int) and not isinstance(node, bool)


def _not_a_mapping(path: Path) -> str:
    return f"{path}:1: a scenario must be a mapping of fields (name, start, actors, …)."


def _raise_if(messages: list[str]) -> None:
    if messages:
        raise ScenarioError(capped(messages))
