"""Work units of a sweep: a few design points × one block of replicates, run in one call.

A unit is plain data (picklable, small) so it can travel to a local process or a Dask worker; it
returns per-replicate rows as a DataFrame, or the error that stopped it. Workers never write
files: the client stores what comes back, so a cluster needs no shared filesystem.
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from simulator.experiment.simulate import release, replicate_rows
from simulator.model import EscalationModel
from simulator.model import engine as engines
from simulator.model.points import stack_groups
from simulator.scenario import Scenario, ScenarioError, validate_scenario
from simulator.scenario.loading import parse_path, set_path


@dataclass(frozen=True)
class Unit:
    """Design points ``points`` (with their parameter values) × replicates [first, stop)."""

    index: int
    points: tuple[int, ...]
    values: tuple[tuple[float, ...], ...]
    first: int
    stop: int


@dataclass(frozen=True)
class UnitResult:
    """What a unit produced: rows, or an error message and traceback."""

    index: int
    rows: pd.DataFrame | None
    error: str | None = None
    detail: str | None = None


def point_data(
    base: dict[str, Any], paths: tuple[str, ...], values: tuple[float, ...], label: str
) -> dict[str, Any]:
    """The data of one design point: the base data with the point's values set.

    Only the mappings and lists on the way to each value are copied (the rest is shared with
    ``base``, which nothing changes): a deep copy of the whole scenario per point cost more.
    """
    data = dict(base)
    for path, value in zip(paths, values, strict=True):
        loc = parse_path(path)
        _unshare(data, loc)
        set_path(data, loc, value, f"{label}: {path}")
    return data


def _unshare(data: dict[str, Any], loc: tuple[Any, ...]) -> None:
    """Replace each mapping or list on the way to ``loc`` (as far as it exists) by a copy."""
    node: Any = data
    for part in loc[:-1]:
        if isinstance(node, dict) and part in node:
            child = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            child = node[part]
        else:
            return
        if not isinstance(child, dict | list):
            return
        node[part] = child = child.copy()
        node = child


def point_scenario(
    base: dict[str, Any], paths: tuple[str, ...], values: tuple[float, ...], label: str
) -> Scenario:
    """The validated scenario of one design point: the base data with the point's values set."""
    return validate_scenario(point_data(base, paths, values, label), label)


def run_unit(
    base: dict[str, Any], paths: tuple[str, ...], unit: Unit, share: int = 0
) -> UnitResult:
    """Run every point of a unit over its replicate block; never raises.

    Points that differ only in numbers the model can hold per replicate (most sweeps: see
    :mod:`simulator.model.points`) run side by side as one model of points × replicates;
    replicate k of a point is the same world as when the point runs alone. ``share`` is the
    replicate-days this worker can expect to run in the sweep (what the `auto` engine goes by).
    """
    engines.expect(share)
    try:
        datas, scenarios = [], []
        for point, values in zip(unit.points, unit.values, strict=True):
            label = f"design point {point}"
            datas.append(point_data(base, paths, values, label))
            scenarios.append(validate_scenario(datas[-1], label))
        frames: dict[int, pd.DataFrame] = {}
        groups = stack_groups(datas)
        for group in groups:
            members = [scenarios[g] for g in group]
            model = EscalationModel(
                members[0],
                replicates=unit.stop - unit.first,
                first_replicate=unit.first,
                points=members,
                event_log="none",
                collect=False,  # the rows come from the recorder
            )
            try:
                model.run()
                rows = replicate_rows(model)
            finally:
                release(model)
            numbers = np.array([unit.points[g] for g in group], dtype=np.int64)
            rows.insert(0, "point", numbers[model.layout.point])
            if len(groups) > 1:  # each point's rows (a block of the model's columns), to order
                size = unit.stop - unit.first
                for position, g in enumerate(group):
                    frames[g] = rows.iloc[position * size : (position + 1) * size]
    except ScenarioError as err:
        return UnitResult(unit.index, None, f"invalid design point: {err}", None)
    except Exception as err:  # a failing model must not stop the sweep: record and go on
        return UnitResult(unit.index, None, f"{type(err).__name__}: {err}", traceback.format_exc())
    if len(groups) == 1:  # one model of every point, in order (most units): its rows as they are
        return UnitResult(unit.index, rows.reset_index(drop=True))
    return UnitResult(unit.index, pd.concat([frames[g] for g in sorted(frames)], ignore_index=True))
