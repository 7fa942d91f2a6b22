"""Parameter sweeps: a design in front, units through an executor, chunk files as they finish.

Layout of a sweep folder::

    manifest.json            scenario, design, seeds, chunking, versions, command
    design.parquet           one row per design point: its parameter values
    chunks/unit-NNNNNN.parquet   per-replicate rows of one unit, written atomically on arrival
    failures/unit-NNNNNN.json    a unit whose model raised: the error and traceback
    points.parquet           one row per design point: outcome probabilities with Wilson
                             intervals and summary metrics, built from the chunks at the end

Every replicate of every point uses the sweep's seed (common random numbers across points, which
sharpens comparisons between points), so a unit's rows depend only on the unit: any number of
workers, any executor and any interruption followed by ``--resume`` give the same data.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from simulator.experiment.designs import Design
from simulator.experiment.run import versions
from simulator.experiment.units import Unit, UnitResult, point_scenario, run_unit
from simulator.model import OUTCOME_LABELS, OUTCOMES
from simulator.results.writer import write_folder
from simulator.scenario import Scenario, ScenarioError, scenario_data
from simulator.stats import wilson_interval

FORMAT = "escalation-sweep/1"
#: aim for units of about this many replicate-days (≈0.2 s at ~1M replicate-days/s): far above
#: the ~50 ms where scheduling overhead would matter, small enough to spread over workers
UNIT_REPLICATE_DAYS = 200_000


@dataclass(frozen=True)
class SweepPlan:
    """Everything a sweep will do, derived from its manifest alone."""

    base: dict
    design: Design
    matrix: np.ndarray
    replicates: int
    block: int
    points_per_unit: int
    horizon: int

    @property
    def paths(self) -> tuple[str, ...]:
        """Swept parameter paths, in design-column order."""
        return tuple(p.path for p in self.design.parameters)

    def point_values(self, point: int) -> tuple[float | int, ...]:
        """A design point's values as the scenario takes them (plain floats, or integers)."""
        return tuple(
            p.cast(v) for p, v in zip(self.design.parameters, self.matrix[point], strict=True)
        )

    def units(self) -> list[Unit]:
        """The work units: consecutive points × one replicate block each."""
        units = []
        n = len(self.matrix)
        for start in range(0, n, self.points_per_unit):
            points = tuple(range(start, min(start + self.points_per_unit, n)))
            values = tuple(self.point_values(p) for p in points)
            for first in range(0, self.replicates, self.block):
                stop = min(first + self.block, self.replicates)
                units.append(Unit(len(units), points, values, first, stop))
        return units


def plan_sweep(scenario: Scenario, design: Design, replicates: int, block: int | None = None):
    """Build the plan and validate every design point before anything runs."""
    matrix = design.matrix()
    base = scenario_data(scenario)
    paths = tuple(p.path for p in design.parameters)
    problems: dict[str, str] = {}  # message → the first design point that shows it
    for point, row in enumerate(matrix):
        values = tuple(p.cast(v) for p, v in zip(design.parameters, row, strict=True))
        try:
            point_scenario(base, paths, values, "sweep")
        except ScenarioError as err:
            shown = ", ".join(f"{path}={v:g}" for path, v in zip(paths, values, strict=True))
            for msg in err.problems:
                problems.setdefault(msg, f"design point {point} ({shown})")
            if len(problems) >= 5:
                break
    if problems:
        raise ScenarioError([f"{where}: {msg}" for msg, where in problems.items()])
    days = scenario.horizon_days
    if block is None:
        block = min(replicates, max(1, UNIT_REPLICATE_DAYS // days))
    per_unit = max(1, UNIT_REPLICATE_DAYS // (block * days)) if block >= replicates else 1
    return SweepPlan(base, design, matrix, replicates, block, per_unit, days)


def sweep_manifest(plan: SweepPlan, scenario: Scenario, command: str, source: str) -> dict:
    """The sweep's manifest: enough to rebuild the plan and to analyse the results."""
    return {
        "format": FORMAT,
        "kind": "sweep",
        "scenario_name": scenario.name,
        "scenario_file": source,
        "seed": scenario.seed,
        "replicates": plan.replicates,
        "horizon_days": scenario.horizon_days,
        "start": scenario.start.isoformat(),
        "design": plan.design.to_dict(),
        "points": len(plan.matrix),
        "chunking": {"block": plan.block, "points_per_unit": plan.points_per_unit},
        "units": len(plan.units()),
        "actors": [
            {"name": n, "label": a.label or n, "type": a.type} for n, a in scenario.actors.items()
        ],
        "outcome_classes": list(OUTCOMES),
        "outcome_labels": dict(OUTCOME_LABELS),
        "command": command,
        "versions": versions(),
        "scenario": plan.base,
    }


def plan_from_manifest(manifest: dict) -> SweepPlan:
    """Rebuild a sweep's plan from its manifest (for --resume)."""
    design = Design.from_dict(manifest["design"])
    return SweepPlan(
        base=manifest["scenario"],
        design=design,
        matrix=design.matrix(),
        replicates=manifest["replicates"],
        block=manifest["chunking"]["block"],
        points_per_unit=manifest["chunking"]["points_per_unit"],
        horizon=manifest["horizon_days"],
    )


def unit_path(folder: Path, index: int) -> Path:
    """Where a unit's rows are stored."""
    return folder / "chunks" / f"unit-{index:06d}.parquet"


def failure_path(folder: Path, index: int) -> Path:
    """Where a unit's failure is recorded."""
    return folder / "failures" / f"unit-{index:06d}.json"


def start_sweep(folder: Path, manifest: dict, plan: SweepPlan, force: bool) -> None:
    """Create the sweep folder with its manifest and design, atomically."""
    design = pd.DataFrame(plan.matrix, columns=list(plan.paths))
    design.insert(0, "point", np.arange(len(design), dtype=np.int64))

    def fill(tmp: Path) -> None:
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
        design.to_parquet(tmp / "design.parquet", index=False)
        (tmp / "chunks").mkdir()
        (tmp / "failures").mkdir()

    write_folder(folder, fill, force)


def load_manifest(folder: Path) -> dict:
    """A sweep's manifest, or a ResultsError naming the folder."""
    from simulator.results.reader import ResultsError

    folder = Path(folder)
    path = folder / "manifest.json"
    if not folder.is_dir():
        raise ResultsError(f"{folder}: no such folder.")
    try:
        manifest = json.loads(path.read_text())
    except FileNotFoundError:
        raise ResultsError(f"{path}: no sweep manifest here; is {folder} a sweep folder?") from None
    except (OSError, json.JSONDecodeError) as err:
        raise ResultsError(f"{path}: cannot be read ({err}).") from None
    if not isinstance(manifest, dict) or manifest.get("kind", "sweep") != "sweep":
        raise ResultsError(
            f"{folder}: not a sweep folder (a single run? `escalation summary` and "
            "`escalation plot` read those)."
        )
    if not str(manifest.get("format", "")).startswith(FORMAT.split("/")[0] + "/"):
        raise ResultsError(f"{path}: not a sweep folder (format {manifest.get('format')!r}).")
    for key in ("design", "replicates"):
        if key not in manifest:
            raise ResultsError(f"{path}: the sweep manifest has no {key!r}.")
    return manifest


def _atomic_write(path: Path, write: Callable[[Path], None]) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.partial")
    write(tmp)
    with open(tmp, "rb") as handle:
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def store_result(folder: Path, result: UnitResult, unit: Unit) -> None:
    """Write a finished unit's rows (or its failure) so that no half-file is ever visible."""
    if result.rows is not None:
        _atomic_write(
            unit_path(folder, result.index),
            lambda p: result.rows.to_parquet(p, index=False, compression="zstd"),
        )
        failure_path(folder, result.index).unlink(missing_ok=True)
    else:
        record = {
            "unit": result.index,
            "points": list(unit.points),
            "replicates": [unit.first, unit.stop],
            "error": result.error,
            "traceback": result.detail,
        }
        _atomic_write(
            failure_path(folder, result.index),
            lambda p: p.write_text(json.dumps(record, indent=2) + "\n"),
        )


def execute_sweep(
    folder: Path,
    plan: SweepPlan,
    executor,
    advance: Callable[[int, UnitResult], None] | None = None,
) -> tuple[int, int]:
    """Run every unit without a stored result; return (units run, units failed)."""
    todo = [u for u in plan.units() if not unit_path(folder, u.index).exists()]
    by_index = {u.index: u for u in todo}
    failed = 0
    tasks = ((plan.base, plan.paths, u) for u in todo)
    for result in executor.run(run_unit, tasks):
        unit = by_index[result.index]
        store_result(folder, result, unit)
        failed += result.rows is None
        if advance is not None:
            advance((unit.stop - unit.first) * len(unit.points) * plan.horizon, result)
    return len(todo), failed


def summarise_points(folder: Path, plan: SweepPlan) -> pd.DataFrame:
    """points.parquet: per design point, outcome probabilities and metrics, streamed by chunk."""
    n_points = len(plan.matrix)
    counts = np.zeros((n_points, len(OUTCOMES)), dtype=np.int64)
    sums: dict[str, np.ndarray] = {}
    months = plan.horizon / 30.4375
    failed_points = np.zeros(n_points, dtype=bool)
    for unit in plan.units():
        path = unit_path(folder, unit.index)
        if not path.exists():
            failed_points[list(unit.points)] = True
            continue
        rows = pd.read_parquet(path)
        point = rows["point"].to_numpy()
        code = pd.Categorical(rows["outcome"], categories=OUTCOMES).codes
        np.add.at(counts, (point, code), 1)
        metrics = {
            "peak_escalation": rows["peak_escalation"].to_numpy(dtype=float),
            "casualties": rows.filter(like="casualties.").sum(axis=1).to_numpy(dtype=float),
            "militia_attacks_per_month": _militia_attacks(rows, plan) / months,
        }
        for name, values in metrics.items():
            sums.setdefault(name, np.zeros(n_points))
            np.add.at(sums[name], point, values)
    n = counts.sum(axis=1)
    table = pd.DataFrame(plan.matrix, columns=list(plan.paths))
    table.insert(0, "point", np.arange(n_points, dtype=np.int64))
    table["replicates"] = n
    table["complete"] = ~failed_points & (n == plan.replicates)
    for j, outcome in enumerate(OUTCOMES):
        k = counts[:, j]
        table[f"p_{outcome}"] = np.where(n > 0, k / np.maximum(n, 1), np.nan)
        bounds = np.array([wilson_interval(int(a), int(b)) for a, b in zip(k, n, strict=True)])
        table[f"p_{outcome}_low"], table[f"p_{outcome}_high"] = bounds.T
    clash = counts[:, OUTCOMES.index("war")] + counts[:, OUTCOMES.index("direct_clash")]
    table["p_clash_or_war"] = np.where(n > 0, clash / np.maximum(n, 1), np.nan)
    for name, total in sums.items():
        table[f"mean_{name}"] = np.where(n > 0, total / np.maximum(n, 1), np.nan)
    return table


def _militia_attacks(rows: pd.DataFrame, plan: SweepPlan) -> np.ndarray:
    militias = [n for n, a in plan.base["actors"].items() if a["type"] == "militia"]
    if not militias:
        return np.zeros(len(rows))
    return rows[[f"attacks.{m}" for m in militias]].sum(axis=1).to_numpy(dtype=float)


def finish_sweep(folder: Path, plan: SweepPlan) -> pd.DataFrame:
    """Aggregate the chunks into points.parquet (atomically) and return it."""
    table = summarise_points(folder, plan)
    _atomic_write(folder / "points.parquet", lambda p: table.to_parquet(p, index=False))
    return table
