"""``escalation score``: a stored run or hindcast held to an observed history (``scores/``).

The scores are computed from the stored tables alone (no model is run): a run's event log, or a
hindcast's window quantities. They land in the folder's ``scores/`` (windows, skill, coverage,
reliability; Parquet and CSV), replaced as a whole, each table recording which history file (and
its SHA-256) it was scored against.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from simulator.experiment.limits import OptionError
from simulator.history import History
from simulator.results.errors import ResultsError
from simulator.results.layout import ENSEMBLES, EVENTS, RUNS, SCORES
from simulator.results.manifest import read_manifest
from simulator.results.store import locked
from simulator.results.tables import read_table, write_subfolder_tables
from simulator.scoring.score import (
    coverage_table,
    history_focus,
    lag_scores,
    reliability,
    run_ensembles,
    run_windows,
    score_windows,
    skill_table,
    transient_table,
)
from simulator.scoring.windows import Ladder, month_days


@dataclass(frozen=True)
class Scores:
    """The tables of a scoring, and where they were written."""

    folder: Path
    kind: str
    windows: pd.DataFrame
    skill: pd.DataFrame
    coverage: pd.DataFrame
    reliability: pd.DataFrame
    transient: pd.DataFrame
    lags: pd.DataFrame
    notes: tuple[str, ...] = ()

    def tables(self) -> dict[str, pd.DataFrame]:
        """The tables by file stem."""
        return {
            "windows": self.windows,
            "skill": self.skill,
            "coverage": self.coverage,
            "reliability": self.reliability,
            "transient": self.transient,
            "lags": self.lags,
        }


def history_record(history: History) -> dict[str, Any]:
    """What a scored table says of the history it was scored against."""
    path = history.path
    digest = hashlib.sha256(path.read_bytes()).hexdigest() if path is not None else ""
    return {
        "history": history.name,
        "history_file": str(path) if path is not None else "",
        "history_sha256": digest,
        "history_start": history.start.isoformat(),
        "history_end": history.end.isoformat(),
    }


def compute_scores(
    folder: Path,
    kind: str,
    ens: pd.DataFrame,
    history: History,
    ladder: Ladder,
    train_until: dt.date | None,
    notes: tuple[str, ...] = (),
) -> Scores:
    """Every table of a scoring, from window quantities (not yet written)."""
    windows = score_windows(ens, history, ladder, train_until=train_until)
    return Scores(
        folder=folder,
        kind=kind,
        windows=windows,
        skill=skill_table(windows),
        coverage=coverage_table(windows),
        reliability=reliability(windows),
        transient=transient_table(ens),
        lags=lag_scores(ens, history, ladder),
        notes=notes,
    )


def check_split(history: History, train_until: dt.date | None) -> None:
    """Refuse a ``--train-until`` that leaves no calibration part or no held-out part.

    The calibration part must hold at least one whole month of the record (climatology learns
    its rate there), and the held-out part at least one day.
    """
    if train_until is None:
        return
    first_month_end = history.months[0].month + dt.timedelta(days=month_days(history.months[0]))
    if not first_month_end - dt.timedelta(days=1) <= train_until < history.end:
        raise OptionError(
            f"--train-until {train_until}: must fall inside the record "
            f"{history.path or history.name} ({history.start} … {history.end}), after its "
            f"first whole month (on or after {first_month_end - dt.timedelta(days=1)}) and "
            "before its last day, leaving a later part to hold out."
        )


def score_folder(folder: Path, history: History, train_until: dt.date | None = None) -> Scores:
    """Score a run or hindcast folder against ``history``; write ``scores/`` into it.

    Raises ResultsError for a folder of another kind, a run without an event log, or a run
    whose days do not overlap the record.
    """
    folder = Path(folder)
    manifest = read_manifest(folder)
    kind = manifest["kind"]
    if kind not in ("run", "hindcast"):
        raise ResultsError(
            f"{folder}: a {kind} folder; `escalation score` reads run and hindcast folders."
        )
    check_split(history, train_until)
    ladder = Ladder.from_manifest(manifest)
    notes: list[str] = []
    if kind == "run":
        ens, notes = _run_ensembles(folder, manifest, history, ladder)
    elif kind == "hindcast":
        ens = read_table(folder / ENSEMBLES, required=("origin", "lead", "start", "kept"))
        ens["origin"] = pd.to_datetime(ens["origin"]).dt.date
    scores = compute_scores(folder, kind, ens, history, ladder, train_until, tuple(notes))
    with locked(folder):
        write_scores(folder, kind, scores, history)
    return scores


def write_scores(folder: Path, kind: str, scores: Scores, history: History) -> list[Path]:
    """Replace ``folder/scores/`` with the scoring's tables (call with the folder locked)."""
    return write_subfolder_tables(folder, SCORES, kind, scores.tables(), history_record(history))


def _run_ensembles(
    folder: Path, manifest: dict[str, Any], history: History, ladder: Ladder
) -> tuple[pd.DataFrame, list[str]]:
    if manifest.get("event_log") == "none" or not (folder / EVENTS).exists():
        raise ResultsError(
            f"{folder}: has no event log ({EVENTS}), from which the windows are counted; "
            "re-run it without `--event-log none`."
        )
    start = dt.date.fromisoformat(str(manifest["start"]))
    days = int(manifest["horizon_days"])
    windows = run_windows(start, days, history)
    if not windows:
        end = start + dt.timedelta(days=days - 1)
        raise ResultsError(
            f"{folder}: the run ({start} … {end}) does not overlap the record "
            f"{history.path or history.name} ({history.start} … {history.end})."
        )
    notes = []
    if windows[0].first > start or windows[0].end < start + dt.timedelta(days=days):
        notes.append(
            f"scored on {windows[0].first} … {windows[0].end - dt.timedelta(days=1)}, the "
            "part of the run the record covers"
        )
    runs = read_table(folder / RUNS, required=("replicate",))
    events = read_table(folder / EVENTS, required=("replicate", "day", "actor", "rung", "target"))
    focus = history_focus(history)
    if focus not in ladder.types:
        raise ResultsError(
            f"{folder}: the run has no actor {focus!r}, whose deaths the record counts."
        )
    replicates = np.asarray(runs["replicate"].to_numpy())
    return run_ensembles(events, replicates, start, windows, ladder, focus), notes
