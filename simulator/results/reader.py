"""Reading results folders back: a run's tables for plots, summaries and traces; a sweep's.

Plots and reports depend only on what the writers stored (never on the model code), and read it
through here: :func:`load_run` for a run folder, :func:`load_sweep` for a sweep folder. Both
check the manifest's kind and the tables' records (see :mod:`.tables`) before anything is drawn.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from simulator.results.errors import ResultsError
from simulator.results.layout import DAILY, EVENTS, MANIFEST, RUNS
from simulator.results.manifest import outcome_label, read_manifest
from simulator.results.points import output_columns, read_points
from simulator.results.tables import read_analysis, read_table

__all__ = [
    "Actor",
    "Event",
    "ForcedMove",
    "RunResults",
    "Rung",
    "SweepResults",
    "load_run",
    "load_sweep",
]


QUANTILE_COLUMNS = (
    "escalation_q05",
    "escalation_q25",
    "escalation_q50",
    "escalation_q75",
    "escalation_q95",
    "escalation_mean",
)
_RUNS_COLUMNS = ("replicate", "outcome")
_DAILY_COLUMNS = ("day", *QUANTILE_COLUMNS, "p_direct_clash", "p_war")


@dataclass(frozen=True)
class Actor:
    """One actor as listed in the manifest."""

    name: str
    label: str
    type: str


@dataclass(frozen=True)
class Rung:
    """One rung of the escalation ladder (``index`` 0 is the most conciliatory)."""

    index: int
    name: str
    label: str
    category: str
    score: float
    violent: bool


@dataclass(frozen=True)
class Event:
    """A dated scenario event to mark on time axes."""

    date: dt.date
    day: int
    label: str


@dataclass(frozen=True)
class ForcedMove:
    """A move the scenario imposes on every replicate (a ``kind: action`` event)."""

    date: dt.date
    day: int
    actor: str
    rung: str
    target: str
    label: str


@dataclass(frozen=True)
class RunResults:
    """The contents of one run folder, as read from disk (``events`` None when not stored)."""

    path: Path
    manifest: dict[str, Any]
    runs: pd.DataFrame
    daily: pd.DataFrame
    events: pd.DataFrame | None = None

    # -- manifest helpers -------------------------------------------------------------------
    @property
    def scenario_name(self) -> str:
        """The scenario's name."""
        return str(self.manifest["scenario_name"])

    @property
    def seed(self) -> int:
        """The master random seed of the run."""
        return int(self.manifest["seed"])

    @property
    def replicates(self) -> int:
        """Number of replicates the manifest says were run."""
        return int(self.manifest["replicates"])

    @property
    def start(self) -> dt.date:
        """Calendar date of simulation day 0."""
        return _parse_date(self.manifest["start"], self.path / MANIFEST, "start")

    def actors(self) -> list[Actor]:
        """Actors in manifest order."""
        return [
            Actor(
                name=str(a["name"]),
                label=str(a.get("label") or a["name"]),
                type=str(a.get("type", "")),
            )
            for a in self.manifest["actors"]
        ]

    def rungs(self) -> list[Rung]:
        """Ladder rungs ordered from most conciliatory to most escalatory."""
        rungs = [
            Rung(
                index=int(r["index"]),
                name=str(r["name"]),
                label=str(r.get("label") or r["name"]),
                category=str(r.get("category", "")),
                score=float(r.get("score", 0.0)),
                violent=bool(r.get("violent", False)),
            )
            for r in self.manifest["ladder"]
        ]
        return sorted(rungs, key=lambda r: r.index)

    def event_marks(self) -> list[Event]:
        """The scenario's dated events, sorted by date (empty if the manifest lists none)."""
        where = self.path / MANIFEST
        events = []
        for e in self.manifest.get("events") or []:
            date = _parse_date(e.get("date"), where, "events[].date")
            day = int(e["day"]) if e.get("day") is not None else (date - self.start).days
            events.append(Event(date=date, day=day, label=str(e.get("label", ""))))
        return sorted(events, key=lambda e: (e.date, e.label))

    def forced_moves(self) -> list[ForcedMove]:
        """The scenario's forced moves (``kind: action`` events of ``scenario.events``), by date.

        Read from the copy of the scenario the manifest keeps; empty when it has none.
        """
        where = self.path / MANIFEST
        scenario = self.manifest.get("scenario") or {}
        moves = []
        for e in scenario.get("events") or []:
            if e.get("kind") != "action":
                continue
            date = _parse_date(e.get("date"), where, "scenario.events[].date")
            moves.append(
                ForcedMove(
                    date=date,
                    day=(date - self.start).days,
                    actor=str(e.get("actor", "")),
                    rung=str(e.get("rung", "")),
                    target=str(e.get("target", "")),
                    label=str(e.get("label") or ""),
                )
            )
        return sorted(moves, key=lambda m: (m.date, m.actor))

    def outcome_classes(self) -> list[str]:
        """Outcome classes ordered from most to least severe."""
        return [str(c) for c in self.manifest["outcome_classes"]]

    def outcome_label(self, outcome: str) -> str:
        """Human-readable label of an outcome class (falls back to the class name)."""
        return outcome_label(self.manifest, outcome)

    # -- daily helpers ----------------------------------------------------------------------
    def dates(self) -> np.ndarray:
        """Calendar date of every row of ``daily`` as ``datetime64[D]``."""
        if "date" in self.daily.columns:
            return pd.to_datetime(self.daily["date"]).to_numpy().astype("datetime64[D]")
        # A folder without a date column can still be placed on the calendar via the start.
        start = np.datetime64(self.start, "D")
        return start + self.daily["day"].to_numpy().astype("timedelta64[D]")

    def mix(self, actor: str) -> dict[str, np.ndarray]:
        """Daily share of replicates choosing each rung for ``actor``, keyed by rung name.

        Only rungs on the actor's menu (i.e. with a ``mix.<actor>.<rung>`` column) appear,
        in ladder order.
        """
        out = {}
        for rung in self.rungs():
            col = f"mix.{actor}.{rung.name}"
            if col in self.daily.columns:
                out[rung.name] = self.daily[col].fillna(0.0).to_numpy(dtype=float)
        return out

    def threat_matrix(self, row: int) -> np.ndarray:
        """Mean threat matrix (observer rows x perceived-actor columns) on ``daily`` row ``row``.

        Cells with no ``threat.<observer>.<actor>`` column (including the diagonal) are NaN.
        """
        names = [a.name for a in self.actors()]
        mat = np.full((len(names), len(names)), np.nan)
        for i, obs in enumerate(names):
            for j, act in enumerate(names):
                col = f"threat.{obs}.{act}"
                if i != j and col in self.daily.columns:
                    mat[i, j] = float(self.daily[col].iloc[row])
        return mat

    def caption(self) -> str:
        """One-line provenance note for figure footers."""
        start = self.start
        horizon = self.manifest.get("horizon_days", len(self.daily))
        source = self.manifest.get("scenario_file")
        scen = f"Scenario \u201c{self.scenario_name}\u201d" + (f" ({source})" if source else "")
        parts = [
            scen,
            f"{self.replicates:,} replicates",
            f"seed {self.seed}",
            f"start {start.day} {start:%b %Y}, {horizon} days",
        ]
        return " \u00b7 ".join(parts)


def _parse_date(value: Any, where: Path, key: str) -> dt.date:
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except (TypeError, ValueError) as exc:
        raise ResultsError(f"{where}: {key} is not an ISO date: {value!r}") from exc


def load_run(result_dir: Path | str) -> RunResults:
    """Load and validate a run folder written by ``escalation run``.

    Raises ResultsError naming the folder and the offending file when a file is absent,
    unreadable, altered since it was written, or lacks what the plots need.
    """
    path = Path(result_dir)
    manifest = read_manifest(path, "run")
    if not manifest["actors"] or not manifest["ladder"] or not manifest["outcome_classes"]:
        raise ResultsError(
            f"{path / MANIFEST}: actors, ladder and outcome_classes must be non-empty"
        )
    runs = read_table(path / RUNS, _RUNS_COLUMNS)
    daily = read_table(path / DAILY, _DAILY_COLUMNS)
    events = read_table(path / EVENTS) if (path / EVENTS).exists() else None
    if daily.empty:
        raise ResultsError(f"{path / DAILY}: has no rows")
    if runs.empty:
        raise ResultsError(f"{path / RUNS}: has no rows")
    daily = daily.sort_values("day", kind="stable").reset_index(drop=True)

    classes = {str(c) for c in manifest["outcome_classes"]}
    unknown = sorted(set(runs["outcome"].astype(str)) - classes)
    if unknown:
        raise ResultsError(
            f"{path / RUNS}: outcome(s) {', '.join(unknown)} not in manifest outcome_classes"
        )
    return RunResults(path=path, manifest=manifest, runs=runs, daily=daily, events=events)


@dataclass(frozen=True)
class SweepResults:
    """What a sweep folder holds for reports and figures, as read (and verified) from disk.

    ``points`` has every design point (see its ``complete`` column); the analysis tables are
    None until ``escalation analyze`` has written them (``sobol`` and ``morris`` only for those
    designs).
    """

    path: Path
    manifest: dict[str, Any]
    points: pd.DataFrame
    marginals: pd.DataFrame | None = None
    sobol: pd.DataFrame | None = None
    sobol_s2: pd.DataFrame | None = None
    morris: pd.DataFrame | None = None

    @property
    def kind(self) -> str:
        """The design kind (grid, lhs, sobol, morris)."""
        return str(self.manifest["design"]["kind"])

    @property
    def parameters(self) -> list[str]:
        """Swept parameter paths, in design order."""
        return [str(p["path"]) for p in self.manifest["design"]["parameters"]]

    @property
    def classes(self) -> list[str]:
        """Outcome classes, most severe first."""
        return [str(c) for c in self.manifest["outcome_classes"]]

    @property
    def replicates(self) -> int:
        """Replicates per design point."""
        return int(self.manifest["replicates"])

    def complete_points(self) -> pd.DataFrame:
        """The design points that have all their replicates."""
        return self.points[self.points["complete"].astype(bool)].reset_index(drop=True)

    def outcome_label(self, outcome: str) -> str:
        """Readable label of an outcome class or of ``clash_or_war``."""
        return outcome_label(self.manifest, outcome)

    def output_label(self, column: str) -> str:
        """Readable label of a points.parquet output column."""
        return output_columns(self.manifest).get(column, column)

    def design_label(self) -> str:
        """The design as the manifest describes it, e.g. "Sobol design, N = 64"."""
        return str(self.manifest.get("design_label") or f"{self.kind} design")

    def caption(self) -> str:
        """Footer line: scenario, design, points × replicates, seed and horizon."""
        m = self.manifest
        scen = f"Scenario \u201c{m['scenario_name']}\u201d"
        if m.get("scenario_file"):
            scen += f" ({m['scenario_file']})"
        parts = [
            scen,
            self.design_label(),
            f"{int(m['points']):,} points \u00d7 {self.replicates:,} replicates",
            f"seed {m['seed']}",
            f"{m['horizon_days']} days",
        ]
        return " \u00b7 ".join(parts)


def load_sweep(folder: Path | str, analysis: bool = False) -> SweepResults:
    """Load a sweep folder: manifest and verified points; with ``analysis``, its analysis tables.

    ``analysis=True`` requires ``analysis/marginals.parquet`` (ResultsError saying to run
    ``escalation analyze`` otherwise).
    """
    path = Path(folder)
    manifest = read_manifest(path, "sweep")
    points = read_points(path, manifest)
    if not analysis:
        return SweepResults(path, manifest, points)
    return SweepResults(
        path,
        manifest,
        points,
        marginals=read_analysis(path, "marginals", required=True),
        sobol=read_analysis(path, "sobol", required=False),
        sobol_s2=read_analysis(path, "sobol_s2", required=False),
        morris=read_analysis(path, "morris", required=False),
    )
