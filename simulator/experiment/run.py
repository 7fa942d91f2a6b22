"""One scenario run from start to stored results: simulate, tabulate, write, plot."""

from __future__ import annotations

import datetime as dt
import importlib.metadata
import platform
from collections.abc import Callable
from pathlib import Path

from simulator import __version__
from simulator.experiment.simulate import DEFAULT_CHUNK, RunTables, simulate
from simulator.model import OUTCOME_LABELS, OUTCOMES
from simulator.model.ladder import Ladder
from simulator.results.writer import write_folder, write_tables
from simulator.scenario import Scenario, scenario_data

FORMAT = "escalation-results/1"
_PACKAGES = ("mesa", "numpy", "scipy", "pandas", "pyarrow", "pydantic", "matplotlib", "pyyaml")


def resolve(scenario: Scenario, replicates: int | None, seed: int | None) -> Scenario:
    """The scenario exactly as it will run, with command-line replicates and seed folded in."""
    update = {}
    if replicates is not None:
        update["replicates"] = int(replicates)
    if seed is not None:
        update["seed"] = int(seed)
    return scenario.model_copy(update=update) if update else scenario


def versions() -> dict[str, str]:
    """Versions of Python, the simulator and the packages that shape its numbers."""
    found = {"python": platform.python_version(), "simulator": __version__}
    for name in _PACKAGES:
        try:
            found[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            found[name] = "not installed"
    return found


def build_manifest(scenario: Scenario, scenario_file: str, command: str) -> dict:
    """Everything needed to understand, re-plot and recompute a run."""
    ladder = Ladder.from_rungs(scenario.ladder)
    return {
        "format": FORMAT,
        "kind": "run",
        "scenario_name": scenario.name,
        "scenario_file": scenario_file,
        "description": scenario.description,
        "seed": scenario.seed,
        "replicates": scenario.replicates,
        "start": scenario.start.isoformat(),
        "horizon_days": scenario.horizon_days,
        "actors": [
            {"name": name, "label": a.label or name, "type": a.type}
            for name, a in scenario.actors.items()
        ],
        "ladder": [
            {
                "index": i,
                "name": ladder.names[i],
                "label": ladder.labels[i],
                "category": ladder.categories[i],
                "score": float(ladder.score[i]),
                "violent": bool(ladder.violent[i]),
            }
            for i in range(len(ladder))
        ],
        "events": _event_marks(scenario),
        "outcome_classes": list(OUTCOMES),
        "outcome_labels": dict(OUTCOME_LABELS),
        "command": command,
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "versions": versions(),
        "scenario": scenario_data(scenario),
    }


def _event_marks(scenario: Scenario) -> list[dict]:
    """Events to mark on time axes: one per (date, label), in date order."""
    marks: dict[tuple, dict] = {}
    for e in sorted(scenario.events, key=lambda e: e.date):
        label = e.label or f"{e.kind} event"
        marks.setdefault(
            (e.date, label),
            {"date": e.date.isoformat(), "day": scenario.day_of(e.date), "label": label},
        )
    return list(marks.values())


def execute_run(
    scenario: Scenario,
    out: Path,
    scenario_file: str,
    command: str,
    force: bool = False,
    advance: Callable[[int], None] | None = None,
    chunk: int = DEFAULT_CHUNK,
) -> tuple[Path, dict, RunTables]:
    """Simulate every replicate and write the results folder atomically."""
    tables = simulate(scenario, chunk=chunk, advance=advance)
    manifest = build_manifest(scenario, scenario_file, command)
    write_folder(out, lambda tmp: write_tables(tmp, manifest, tables.runs, tables.daily), force)
    return out, manifest, tables
