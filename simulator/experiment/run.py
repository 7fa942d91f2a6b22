"""One scenario run from start to stored results: simulate, tabulate, draw, write in one step.

:func:`run_scenario` is the library's entry point (``escalation run`` is a thin layer over it):
it refuses what cannot work before simulating (a count out of bounds, a run that would not fit in
memory, a folder it may not write or replace, another writer on the same folder), then fills a
hidden staging folder with the manifest, the tables and the figures, and renames it into place
only when everything is there, so a run killed at any point leaves no folder that looks complete.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from simulator.experiment.limits import check_count, check_fits
from simulator.experiment.simulate import DEFAULT_CHUNK, memory_needed, simulate
from simulator.model import OUTCOME_LABELS, OUTCOMES
from simulator.model.ladder import Ladder
from simulator.progress import SILENT, Progress
from simulator.results.layout import PLOTS
from simulator.results.manifest import new_manifest
from simulator.results.store import clean_litter, locked, prepare_target, write_atomic
from simulator.results.tables import RunTables, write_run
from simulator.scenario import Scenario, ScenarioError, scenario_data
from simulator.scenario.problems import dotted, value_at
from simulator.scenario.reading import parse_yaml, trailing_comments

#: draws a run's figures: (run folder to read, folder to write into, progress)
Figures = Callable[[Path, Path, Progress], object]


@dataclass(frozen=True)
class RunOutcome:
    """What :func:`run_scenario` wrote: the folder, its manifest and the tables."""

    folder: Path
    manifest: dict[str, Any]
    tables: RunTables


def resolve(scenario: Scenario, replicates: int | None, seed: int | None) -> Scenario:
    """The scenario exactly as it will run, with command-line replicates and seed folded in.

    Both go through the bounds the schema sets on the scenario's own fields.
    """
    update = {}
    if replicates is not None:
        update["replicates"] = check_count("--replicates", int(replicates), Scenario, "replicates")
    if seed is not None:
        update["seed"] = check_count("--seed", int(seed), Scenario, "seed")
    return scenario.model_copy(update=update) if update else scenario


def scenario_fields(scenario: Scenario) -> dict[str, Any]:
    """What every manifest of a folder made from ``scenario`` says about it."""
    return {
        "scenario_name": scenario.name,
        "description": scenario.description,
        "seed": scenario.seed,
        "start": scenario.start.isoformat(),
        "horizon_days": scenario.horizon_days,
        "actors": [
            {"name": name, "label": a.label or name, "type": a.type}
            for name, a in scenario.actors.items()
        ],
        "outcome_classes": list(OUTCOMES),
        "outcome_labels": dict(OUTCOME_LABELS),
    }


def build_manifest(
    scenario: Scenario, scenario_file: str, command: str, event_log: str = "default"
) -> dict[str, Any]:
    """Everything needed to understand, re-plot and recompute a run."""
    names = list(scenario.actors)
    return new_manifest(
        "run",
        command,
        {
            **scenario_fields(scenario),
            "scenario_file": scenario_file,
            "replicates": scenario.replicates,
            "ladder": ladder_entries(scenario),
            "events": _event_marks(scenario),
            "pairs": [[a, b] for i, a in enumerate(names) for b in names[i + 1 :]],
            "event_log": event_log,
            "scenario": scenario_data(scenario),
            "sources": scenario_sources(scenario, scenario_file),
        },
    )


def _same(given: Any, used: Any) -> bool:
    """Whether the file's value is the value the run used (dates are text in the manifest)."""
    if isinstance(given, dt.date):
        given = given.isoformat()
    return bool(given == used)


def scenario_sources(scenario: Scenario, scenario_file: str) -> dict[str, str]:
    """The scenario file's comment on each value the run kept as the file gave it, by path.

    Scenario files cite their evidence in trailing comments (``resolve: 0.6  # A3, Q02``); the
    manifest keeps them so that a report can show each parameter with its source, long after the
    file changed. A value set from outside the file (``--set``) keeps no comment: the comment
    speaks of the file's value. Empty when there is no readable file.
    """
    path = Path(scenario_file) if scenario_file else None
    if path is None or not path.is_file():
        return {}
    try:
        text = path.read_text(encoding="utf-8")
        data, _ = parse_yaml(text, scenario_file)
        comments = trailing_comments(text, scenario_file)
    except (OSError, UnicodeError, ScenarioError):
        return {}
    if isinstance(data, dict) and "scenario" in data and "actors" not in data:
        data = data["scenario"]  # a sweep file: the scenario is its `scenario:` block
        comments = {loc[1:]: c for loc, c in comments.items() if loc[:1] == ("scenario",)}
    resolved = scenario_data(scenario)
    kept: dict[str, str] = {}
    for loc, comment in comments.items():
        given, used = value_at(data, loc), value_at(resolved, loc)
        block = isinstance(given, dict | list)  # a comment on a whole block: its children's too
        if used is not None and (block or _same(given, used)):
            kept[dotted(loc)] = comment
    return kept


def ladder_entries(scenario: Scenario) -> list[dict[str, Any]]:
    """The ladder as manifests store it: index, name, label, category, score, violent."""
    ladder = Ladder.from_rungs(scenario.ladder)
    return [
        {
            "index": i,
            "name": ladder.names[i],
            "label": ladder.labels[i],
            "category": ladder.categories[i],
            "score": float(ladder.score[i]),
            "violent": bool(ladder.violent[i]),
        }
        for i in range(len(ladder))
    ]


def _event_marks(scenario: Scenario) -> list[dict[str, Any]]:
    """Events to mark on time axes: one per (date, label), in date order."""
    marks: dict[tuple[dt.date, str], dict[str, Any]] = {}
    for e in sorted(scenario.events, key=lambda e: e.date):
        label = e.label or f"{e.kind} event"
        marks.setdefault(
            (e.date, label),
            {"date": e.date.isoformat(), "day": scenario.day_of(e.date), "label": label},
        )
    return list(marks.values())


def check_run_fits(scenario: Scenario) -> None:
    """Refuse, before simulating, a run whose tables would not fit in the available memory."""
    check_fits(
        memory_needed(scenario),
        f"{scenario.replicates:,} replicates × {scenario.horizon_days} days",
        "run fewer replicates (they are independent: two runs with different seeds add up), "
        "or spread them over a sweep's units with `escalation sweep`.",
    )


def run_scenario(
    scenario: Scenario,
    folder: Path,
    *,
    scenario_file: str = "",
    command: str = "",
    replace: bool = False,
    figures: Figures | None = None,
    progress: Progress = SILENT,
    chunk: int = DEFAULT_CHUNK,
    event_log: str = "default",
) -> RunOutcome:
    """Simulate every replicate of ``scenario`` and write the run folder ``folder`` atomically.

    ``replace`` (``--force``) allows replacing an existing run folder that holds only what
    escalation wrote; the old folder goes only once the new one is complete. ``figures`` draws
    the figures into the staging folder before it is renamed into place. ``event_log`` says
    which moves go to ``events.parquet`` (``default``: violent, covert and forced; ``all``;
    ``none``: no event log).
    """
    folder = Path(folder)
    check_run_fits(scenario)
    with locked(folder):
        prepare_target(folder, "run", replace)
        clean_litter(folder.parent, re.escape(folder.name))
        manifest = build_manifest(scenario, scenario_file, command, event_log)
        tables: list[RunTables] = []

        def fill(tmp: Path) -> None:
            tables.append(simulate(scenario, chunk=chunk, progress=progress, event_log=event_log))
            write_run(tmp, manifest, tables[0])
            if figures is not None:
                figures(tmp, tmp / PLOTS, progress)

        write_atomic(folder, fill)
    return RunOutcome(folder, manifest, tables[0])
