"""The layout of every kind of results folder: which files the project writes, and where.

This module is the one place that names the files of a results folder. Every writer and reader
takes its names from here, and ``--force`` uses :attr:`Layout.owned` to tell the project's files
from anyone else's (it never deletes a file the project did not write). A new kind of folder
(a comparison of scenarios, a hindcast against the record) is one more entry in :data:`KINDS`.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from pathlib import Path

MANIFEST = "manifest.json"
RUNS, DAILY, EVENTS = "runs.parquet", "daily.parquet", "events.parquet"
DESIGN, POINTS = "design.parquet", "points.parquet"
CHUNKS, FAILURES, ANALYSIS, PLOTS = "chunks", "failures", "analysis", "plots"
#: scores against an observed history (``escalation score``), in run and hindcast folders
SCORES = "scores"
#: a calibration's posterior, tables and calibrated scenario, in its sweep folder
CALIBRATION = "calibration"
#: a sweep's lever settings across its uncertainties (``escalation robustness``)
ROBUSTNESS = "robustness"
#: a sweep's scenario discovery (``escalation discover``): PRIM, CART, feature scores
DISCOVERY = "discovery"
#: a hindcast's window quantities per origin, lead, start and replicate
ENSEMBLES = "ensembles.parquet"
#: a comparison's tables (``NAME.parquet``) and its two arms, each a complete run folder
COMPARISON_TABLES = ("outcomes", "transitions", "daily", "metrics", "changed")
ARM_FOLDERS = ("a", "b")
#: the self-contained HTML report of a folder of any kind (``escalation report``)
REPORT = "report.html"
#: an OS lock beside the folder (``.NAME.lock``) while a process writes it
LOCK_SUFFIX = ".lock"
#: hidden temporaries of the atomic writer (see store.write_atomic), in any kind of folder: what a
#: writer killed midway leaves, and the next writer removes
STAGING = (".*.partial", "*/.*.partial", ".*.old")


@dataclass(frozen=True)
class Layout:
    """What a finished folder of one kind holds.

    ``required`` files are in every finished folder; ``optional`` ones may be; ``folders`` are the
    subfolders the project makes; ``owned`` are glob patterns (relative to the folder) of every
    file the project writes there; ``manifest_keys`` are what its manifest must hold.
    """

    kind: str
    required: tuple[str, ...]
    optional: tuple[str, ...]
    folders: tuple[str, ...]
    owned: tuple[str, ...]
    manifest_keys: tuple[str, ...]
    #: the commands that read this kind, for messages about a folder of the wrong kind
    readers: str

    def foreign(self, folder: Path, under: str = "") -> list[str]:
        """Paths below ``folder`` (or its subfolder ``under``) that this layout does not own.

        Paths are relative to ``folder`` and sorted; a foreign folder is listed, not its files.
        """
        found: list[str] = []
        staging: list[str] = []  # our temporary folders: whatever is inside is ours too
        root = Path(folder) / under if under else Path(folder)
        owned = (*self.owned, *STAGING)
        for path in sorted(root.rglob("*")):
            rel = path.relative_to(folder).as_posix()
            if any(rel.startswith(f"{s}/") for s in staging) or any(
                rel.startswith(f"{f}/") for f in found
            ):
                continue  # inside one of ours (counted) or inside a foreign folder (listed)
            if path.is_dir() and not path.is_symlink():
                if any(fnmatch.fnmatch(rel, p) for p in STAGING):
                    staging.append(rel)
                elif rel not in self.folders:
                    found.append(rel)
            elif path.is_symlink() or not any(fnmatch.fnmatch(rel, p) for p in owned):
                found.append(rel)
        return [f"{p}/" if (Path(folder) / p).is_dir() else p for p in found]


KINDS: dict[str, Layout] = {
    "run": Layout(
        kind="run",
        required=(MANIFEST, RUNS, DAILY),
        optional=(REPORT, EVENTS, PLOTS, SCORES),
        folders=(PLOTS, SCORES),
        owned=(
            REPORT,
            MANIFEST,
            RUNS,
            DAILY,
            EVENTS,
            f"{PLOTS}/*.png",
            f"{SCORES}/*.parquet",
            f"{SCORES}/*.csv",
        ),
        manifest_keys=(
            "scenario_name",
            "seed",
            "replicates",
            "start",
            "horizon_days",
            "actors",
            "ladder",
            "outcome_classes",
        ),
        readers="`escalation summary`, `trace`, `plot` and `score`",
    ),
    "sweep": Layout(
        kind="sweep",
        required=(MANIFEST, DESIGN, CHUNKS, FAILURES),
        optional=(REPORT, POINTS, ANALYSIS, PLOTS, CALIBRATION, ROBUSTNESS, DISCOVERY),
        folders=(CHUNKS, FAILURES, ANALYSIS, PLOTS, CALIBRATION, ROBUSTNESS, DISCOVERY),
        owned=(
            REPORT,
            MANIFEST,
            DESIGN,
            POINTS,
            f"{CHUNKS}/unit-*.parquet",
            f"{FAILURES}/unit-*.json",
            f"{ANALYSIS}/*.parquet",
            f"{ANALYSIS}/*.csv",
            f"{PLOTS}/*.png",
            f"{CALIBRATION}/*.parquet",
            f"{CALIBRATION}/*.csv",
            f"{CALIBRATION}/*.yaml",
            f"{CALIBRATION}/*.png",
            f"{ROBUSTNESS}/*.parquet",
            f"{ROBUSTNESS}/*.csv",
            f"{ROBUSTNESS}/*.png",
            f"{DISCOVERY}/*.parquet",
            f"{DISCOVERY}/*.csv",
            f"{DISCOVERY}/*.png",
        ),
        manifest_keys=(
            "scenario_name",
            "seed",
            "replicates",
            "horizon_days",
            "design",
            "points",
            "outcome_classes",
        ),
        readers="`escalation analyze`, `plot` and `sweep --resume`",
    ),
    "comparison": Layout(
        kind="comparison",
        required=(MANIFEST, *(f"{t}.parquet" for t in COMPARISON_TABLES), *ARM_FOLDERS),
        optional=(
            REPORT,
            PLOTS,
        ),
        folders=(*ARM_FOLDERS, *(f"{arm}/{PLOTS}" for arm in ARM_FOLDERS), PLOTS),
        owned=(
            REPORT,
            MANIFEST,
            *(f"{t}.parquet" for t in COMPARISON_TABLES),
            f"{PLOTS}/*.png",
            *(f"{arm}/{name}" for arm in ARM_FOLDERS for name in (MANIFEST, RUNS, DAILY, EVENTS)),
            *(f"{arm}/{PLOTS}/*.png" for arm in ARM_FOLDERS),
        ),
        manifest_keys=("arms", "seed", "replicates", "start", "horizon_days", "actors"),
        readers="`escalation trace DIR/a` (or `DIR/b`) and `plot`",
    ),
    "hindcast": Layout(
        kind="hindcast",
        required=(MANIFEST, ENSEMBLES),
        optional=(REPORT, SCORES, PLOTS),
        folders=(SCORES, PLOTS),
        owned=(
            REPORT,
            MANIFEST,
            ENSEMBLES,
            f"{SCORES}/*.parquet",
            f"{SCORES}/*.csv",
            f"{PLOTS}/*.png",
        ),
        manifest_keys=(
            "scenario_name",
            "seed",
            "replicates",
            "start",
            "actors",
            "ladder",
            "origins",
            "leads",
            "history",
        ),
        readers="`escalation score` and `plot`",
    ),
}


def unit_name(index: int) -> str:
    """The file stem of a sweep's work unit: ``unit-NNNNNN``."""
    return f"unit-{index:06d}"


def chunk_path(folder: Path, index: int) -> Path:
    """Where a sweep unit's rows are stored."""
    return Path(folder) / CHUNKS / f"{unit_name(index)}.parquet"


def failure_path(folder: Path, index: int) -> Path:
    """Where a sweep unit's failure is recorded."""
    return Path(folder) / FAILURES / f"{unit_name(index)}.json"


def lock_path(folder: Path) -> Path:
    """The lock file of a results folder: beside it, so it exists before the folder does."""
    folder = Path(folder)
    return folder.parent / f".{folder.name}{LOCK_SUFFIX}"
