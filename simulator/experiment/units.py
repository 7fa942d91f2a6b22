"""Work units of a sweep: a few design points × one block of replicates, run in one call.

A unit is plain data (picklable, small) so it can travel to a local process or a Dask worker; it
returns per-replicate rows as a DataFrame, or the error that stopped it. Workers never write
files: the client stores what comes back, so a cluster needs no shared filesystem.
"""

from __future__ import annotations

import copy
import traceback
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from simulator.experiment.simulate import release, replicate_rows
from simulator.model import EscalationModel
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


def point_scenario(
    base: dict[str, Any], paths: tuple[str, ...], values: tuple[float, ...], label: str
) -> Scenario:
    """The validated scenario of one design point: the base data with the point's values set."""
    data = copy.deepcopy(base)
    for path, value in zip(paths, values, strict=True):
        set_path(data, parse_path(path), value, f"{label}: {path}")
    return validate_scenario(data, label)


def run_unit(base: dict[str, Any], paths: tuple[str, ...], unit: Unit) -> UnitResult:
    """Run every point of a unit over its replicate block; never raises."""
    frames = []
    try:
        for point, values in zip(unit.points, unit.values, strict=True):
            scenario = point_scenario(base, paths, values, f"design point {point}")
            model = EscalationModel(
                scenario, replicates=unit.stop - unit.first, first_replicate=unit.first
            )
            try:
                model.run()
                rows = replicate_rows(model, unit.first)
            finally:
                release(model)
            rows.insert(0, "point", np.full(len(rows), point, dtype=np.int64))
            frames.append(rows)
    except ScenarioError as err:
        return UnitResult(unit.index, None, f"invalid design point: {err}", None)
    except Exception as err:  # a failing model must not stop the sweep: record and go on
        return UnitResult(unit.index, None, f"{type(err).__name__}: {err}", traceback.format_exc())
    return UnitResult(unit.index, pd.concat(frames, ignore_index=True))
