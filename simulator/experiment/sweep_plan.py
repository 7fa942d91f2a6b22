"""What a sweep will do: the design from a sweep file and options, the points, the work units.

A :class:`SweepPlan` is the sweep's manifest made usable: the design matrix, the base scenario
and how the work is cut into units (a few design points × one block of replicates). It is built
either from a scenario, a design and options (:func:`plan_sweep`, which validates the design's
points before anything runs) or from a stored sweep's manifest (:func:`plan_of_folder`, for
``--resume``); both give the same units, so a resumed sweep continues exactly where it stopped.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from simulator.experiment.designs import Design, DesignError, parse_parameter
from simulator.experiment.limits import MAX_UNITS, check_count, check_range
from simulator.experiment.run import resolve, scenario_fields
from simulator.experiment.units import Unit, point_scenario
from simulator.results.errors import ResultsError
from simulator.results.layout import MANIFEST
from simulator.results.manifest import fingerprint, new_manifest, read_manifest
from simulator.scenario import Scenario, ScenarioError, scenario_data
from simulator.scenario.loading import holds_integer, load_sweep, parse_path
from simulator.scenario.schema import SweepSpec

#: aim for units of about this many replicate-days: a unit's points run side by side as one model
#: (simulator.model.points), so 20 points × 200 replicates × 90 days is one model of 4,000
#: columns, about 0.7 s — the model's fixed cost per day spread over many points, and units
#: still small and many enough for a scheduler to balance them over workers
UNIT_REPLICATE_DAYS = 360_000
#: at most this many distinct problems are reported when design points are invalid
MAX_PROBLEMS = 5


@dataclass(frozen=True)
class SweepOptions:
    """What a sweep is asked for: a scenario or sweep file, then options that override it."""

    file: Path
    params: tuple[str, ...] = ()
    overrides: tuple[str, ...] = ()
    design: str | None = None
    points: int | None = None
    replicates: int | None = None
    seed: int | None = None
    second_order: bool = False
    levels: int | None = None
    block: int | None = None


@dataclass(frozen=True)
class SweepPlan:
    """Everything a sweep will do, derived from its manifest alone."""

    manifest: dict[str, Any]
    design: Design
    matrix: np.ndarray

    @property
    def base(self) -> dict[str, Any]:
        """The scenario every design point modifies, as plain data."""
        scenario: dict[str, Any] = self.manifest["scenario"]
        return scenario

    @property
    def replicates(self) -> int:
        """Replicates per design point."""
        return int(self.manifest["replicates"])

    @property
    def block(self) -> int:
        """Replicates per work unit."""
        return int(self.manifest["chunking"]["block"])

    @property
    def points_per_unit(self) -> int:
        """Design points per work unit."""
        return int(self.manifest["chunking"]["points_per_unit"])

    @property
    def horizon(self) -> int:
        """Days simulated per replicate."""
        return int(self.manifest["horizon_days"])

    @property
    def paths(self) -> tuple[str, ...]:
        """Swept parameter paths, in design-column order."""
        return tuple(p.path for p in self.design.parameters)

    @cached_property
    def fingerprint(self) -> str:
        """What every chunk of this sweep records (see :func:`results.manifest.fingerprint`)."""
        return fingerprint(self.manifest)

    @property
    def blocks(self) -> int:
        """Replicate blocks per group of points."""
        return math.ceil(self.replicates / self.block)

    @property
    def unit_count(self) -> int:
        """Number of work units."""
        return math.ceil(len(self.matrix) / self.points_per_unit) * self.blocks

    def point_values(self, point: int) -> tuple[float | int, ...]:
        """A design point's values as the scenario takes them (plain floats, or integers)."""
        return tuple(
            p.cast(v) for p, v in zip(self.design.parameters, self.matrix[point], strict=True)
        )

    def extent(self, index: int) -> tuple[range, int, int]:
        """Work unit ``index``'s design points and replicate block [first, stop)."""
        group, block = divmod(index, self.blocks)
        start = group * self.points_per_unit
        first = block * self.block
        points = range(start, min(start + self.points_per_unit, len(self.matrix)))
        return points, first, min(first + self.block, self.replicates)

    def unit(self, index: int) -> Unit:
        """Work unit ``index``: consecutive points × one replicate block."""
        points, first, stop = self.extent(index)
        values = tuple(self.point_values(p) for p in points)
        return Unit(index, tuple(points), values, first, stop)

    def units(self) -> Iterator[Unit]:
        """Every work unit, in order (made one at a time: a sweep may have a million)."""
        return (self.unit(i) for i in range(self.unit_count))

    def work(self, index: int) -> int:
        """Work unit ``index``'s size in replicate-days."""
        points, first, stop = self.extent(index)
        return len(points) * (stop - first) * self.horizon

    @property
    def total_work(self) -> int:
        """The whole sweep in replicate-days."""
        return len(self.matrix) * self.replicates * self.horizon

    def design_table(self) -> pd.DataFrame:
        """design.parquet: one row per design point, its number then its parameter values."""
        table = pd.DataFrame(self.matrix, columns=list(self.paths))
        table.insert(0, "point", np.arange(len(table), dtype=np.int64))
        return table


def design_from(options: SweepOptions) -> tuple[Design, int, Scenario, Path]:
    """The design, replicates per point, scenario and scenario path a sweep asks for.

    Options override the file's ``sweep`` settings; each ``params`` entry adds a parameter or
    replaces the file's entry for the same path. Counts go through the schema's bounds.
    """
    # the design as the options make it is checked below: with design flags given, the file's
    # design need not be complete on its own (bounds only, for an LHS asked on the command line)
    flags = options.design is not None or options.points is not None
    scenario, spec, source = load_sweep(options.file, options.overrides, design=not flags)
    scenario = resolve(scenario, None, options.seed)
    spec = spec or SweepSpec.model_construct(params={})
    entries = {path: _spec_text(value) for path, value in spec.params.items()}
    for text in options.params:
        path, _, value = text.partition("=")
        entries[path.strip()] = value.strip()
    base = scenario_data(scenario)
    parameters = tuple(
        parse_parameter(f"{path}={value}", integer=holds_integer(base, parse_path(path)))
        for path, value in entries.items()
    )
    if not parameters:
        raise DesignError(
            f"{options.file}: nothing to sweep; give --param PATH=lo:hi:n (repeatable) or a "
            "`sweep:` section with `params`."
        )
    for what, count, name in (
        ("--points", options.points, "points"),
        ("--replicates", options.replicates, "replicates"),
        ("--levels", options.levels, "levels"),
    ):
        if count is not None:
            check_count(what, count, SweepSpec, name)
    design = Design(
        kind=options.design or spec.design,
        parameters=parameters,
        points=options.points or spec.points,
        seed=scenario.seed,
        second_order=bool(options.second_order or spec.second_order),
        levels=options.levels or spec.levels,
        levers=tuple(lever for lever in spec.levers if lever in {p.path for p in parameters}),
    )
    return design, options.replicates or spec.replicates, scenario, source


def plan_from_options(options: SweepOptions, command: str) -> SweepPlan:
    """The validated plan of a new sweep asked for by ``options``."""
    design, replicates, scenario, source = design_from(options)
    return plan_sweep(scenario, design, replicates, options.block, str(source), command)


def plan_sweep(
    scenario: Scenario,
    design: Design,
    replicates: int,
    block: int | None = None,
    source: str = "",
    command: str = "",
) -> SweepPlan:
    """Build the plan and its manifest; validate the design's points before anything runs."""
    check_count("replicates", replicates, SweepSpec, "replicates")
    matrix = design.matrix()
    base = scenario_data(scenario)
    _validate_points(base, design, matrix)
    days = scenario.horizon_days
    if block is None:
        block = min(replicates, max(1, UNIT_REPLICATE_DAYS // days))
    check_range("--block", block, 1, None)
    block = min(block, replicates)
    per_unit = max(1, UNIT_REPLICATE_DAYS // (block * days)) if block >= replicates else 1
    units = math.ceil(len(matrix) / per_unit) * math.ceil(replicates / block)
    check_range(
        f"this sweep's work units ({len(matrix):,} points × {replicates:,} replicates in blocks "
        f"of {block:,}):",
        units,
        None,
        MAX_UNITS,
        "split the sweep, or give fewer points or replicates",
    )
    manifest = new_manifest(
        "sweep",
        command,
        {
            **scenario_fields(scenario),
            "scenario_file": source,
            "replicates": replicates,
            "design": design.to_dict(),
            "design_label": design.describe(),
            "points": len(matrix),
            "chunking": {"block": block, "points_per_unit": per_unit},
            "units": units,
            "scenario": base,
        },
    )
    return SweepPlan(manifest, design, matrix)


def plan_from_manifest(manifest: dict[str, Any], where: Path) -> SweepPlan:
    """Rebuild a sweep's plan from its manifest (for ``--resume``); ResultsError if it cannot."""
    try:
        design = Design.from_dict(manifest["design"])
        plan = SweepPlan(manifest, design, design.matrix())
        if len(plan.matrix) != int(manifest["points"]) or plan.unit_count != manifest["units"]:
            raise ValueError("its design or chunking gives other points or units than it lists")
        if not isinstance(plan.base.get("actors"), dict):
            raise ValueError("it holds no scenario")
    except (KeyError, TypeError, ValueError, AttributeError) as err:
        raise ResultsError(
            f"{where}: the sweep's plan cannot be rebuilt from it ({err})."
        ) from None
    return plan


def plan_of_folder(folder: Path) -> SweepPlan:
    """The plan of the sweep stored in ``folder``."""
    return plan_from_manifest(read_manifest(folder, "sweep"), Path(folder) / MANIFEST)


def _validate_points(base: dict[str, Any], design: Design, matrix: np.ndarray) -> None:
    """Raise ScenarioError naming the first design point that shows each problem.

    Every value a parameter takes lies between its smallest and largest (or is one of its listed
    values), and the schema's bounds are ranges, so checking the points where each parameter is
    at an extreme (or at a listed value) checks every value of every point, at the cost of a few
    validations however large the design. A rarer fault in a combination of values fails that
    point's unit when it runs, recorded in failures/ like any failing unit.
    """
    paths = tuple(p.path for p in design.parameters)
    rows = {0}
    for j, param in enumerate(design.parameters):
        column = matrix[:, j]
        wanted = set(param.values or ()) | {column.min(), column.max()}
        for value in wanted:
            at = np.flatnonzero(column == value)
            if len(at):
                rows.add(int(at[0]))
    problems: dict[str, str] = {}  # message → the first design point that shows it
    for point in sorted(rows):
        values = tuple(p.cast(v) for p, v in zip(design.parameters, matrix[point], strict=True))
        try:
            point_scenario(base, paths, values, "sweep")
        except ScenarioError as err:
            shown = ", ".join(f"{path}={v:g}" for path, v in zip(paths, values, strict=True))
            for msg in err.problems:
                problems.setdefault(msg, f"design point {point} ({shown})")
            if len(problems) >= MAX_PROBLEMS:
                break
    if problems:
        raise ScenarioError([f"{where}: {msg}" for msg, where in problems.items()])


def _spec_text(value: str | list[float]) -> str:
    return value if isinstance(value, str) else ",".join(repr(float(v)) for v in value)
