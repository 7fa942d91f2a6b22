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
#: an OS lock beside the folder (``.NAME.lock``) while a process writes it
LOCK_SUFFIX = ".lock"


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
        found = []
        root = Path(folder) / under if under else Path(folder)
        for path in sorted(root.rglob("*")):
            rel = path.relative_to(folder).as_posix()
            if path.is_dir() and not path.is_symlink():
                if rel not in self.folders:
                    found.append(rel + "/")
            elif path.is_symlink() or not any(fnmatch.fnmatch(rel, p) for p in self.owned):
                found.append(rel)
        # a foreign folder's contents need not be listed one by one
        return [p for p in found if not any(p != q and p.startswith(q) for q in found)]


KINDS: dict[str, Layout] = {
    "run": Layout(
        kind="run",
        required=(MANIFEST, RUNS, DAILY),
        optional=(EVENTS, PLOTS),
        folders=(PLOTS,),
        owned=(MANIFEST, RUNS, DAILY, EVENTS, f"{PLOTS}/*.png"),
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
        readers="`escalation summary`, `trace` and `plot`",
    ),
    "sweep": Layout(
        kind="sweep",
        required=(MANIFEST, DESIGN, CHUNKS, FAILURES),
        optional=(POINTS, ANALYSIS, PLOTS),
        folders=(CHUNKS, FAILURES, ANALYSIS, PLOTS),
        owned=(
            MANIFEST,
            DESIGN,
            POINTS,
            f"{CHUNKS}/unit-*.parquet",
            f"{FAILURES}/unit-*.json",
            f"{ANALYSIS}/*.parquet",
            f"{ANALYSIS}/*.csv",
            f"{PLOTS}/*.png",
            # a writer killed mid-file leaves a hidden temporary (see store.write_atomic)
            f"{CHUNKS}/.unit-*.partial",
            f"{FAILURES}/.unit-*.partial",
            f".{POINTS}.*.partial",
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
