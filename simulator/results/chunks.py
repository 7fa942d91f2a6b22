"""A sweep's work units on disk: each finished unit's rows (a chunk) or its failure record.

A chunk is written atomically as its unit finishes and records which unit of which sweep it
holds, with a checksum of its rows (see :mod:`.tables`); :func:`verify_chunks` finds the stored
chunks that are damaged, truncated, or hold another unit's or another sweep's rows, so that
``--resume`` runs those units again instead of trusting them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import pandas as pd

from simulator.results.errors import ResultsError
from simulator.results.layout import CHUNKS, FAILURES, chunk_path, failure_path
from simulator.results.store import clean_litter, write_atomic
from simulator.results.tables import read_table, table_record, write_table

_CHUNK = re.compile(r"^unit-(\d{6,})\.parquet$")


class UnitKey(Protocol):
    """What identifies a work unit: its index, design points and replicate block."""

    @property
    def index(self) -> int: ...

    @property
    def points(self) -> tuple[int, ...]: ...

    @property
    def first(self) -> int: ...

    @property
    def stop(self) -> int: ...


def chunk_record(unit: UnitKey, sweep: str) -> dict[str, Any]:
    """What a unit's chunk must record: the sweep's fingerprint, the unit and its extent."""
    return {
        "kind": "chunk",
        "sweep": sweep,
        "unit": unit.index,
        "points": list(unit.points),
        "replicates": [unit.first, unit.stop],
    }


def write_chunk(folder: Path, unit: UnitKey, sweep: str, rows: pd.DataFrame) -> str:
    """Store a finished unit's rows atomically and drop any failure of it; the rows' checksum."""
    checksum = write_table(chunk_path(folder, unit.index), rows, chunk_record(unit, sweep))
    failure_path(folder, unit.index).unlink(missing_ok=True)
    return checksum


def read_chunk(folder: Path, unit: UnitKey, sweep: str) -> pd.DataFrame:
    """A unit's rows, verified to be this unit's of this sweep, whole and unaltered."""
    expect = chunk_record(unit, sweep)
    rows = read_table(chunk_path(folder, unit.index), ("point", "replicate"), expect)
    if len(rows) != (unit.stop - unit.first) * len(unit.points):
        raise ResultsError(
            f"{chunk_path(folder, unit.index)}: holds {len(rows)} rows, not the unit's."
        )
    return rows


def stored_units(folder: Path) -> list[int]:
    """Indices of the units with a chunk file (verified or not), sorted."""
    directory = Path(folder) / CHUNKS
    if not directory.is_dir():
        return []
    found = (_CHUNK.match(p.name) for p in directory.iterdir())
    return sorted(int(m.group(1)) for m in found if m)


@dataclass(frozen=True)
class BadChunk:
    """A stored chunk that failed verification, and why."""

    unit: int
    reason: str


def verify_chunks(
    folder: Path, units: Callable[[int], UnitKey | None], sweep: str
) -> tuple[list[int], list[BadChunk]]:
    """Check every stored chunk against its unit; remove the bad ones (and killed writers' litter).

    ``units`` gives the unit of an index (None if the sweep has no such unit). Returns (indices
    of good chunks, bad chunks with reasons). A bad chunk is one that cannot be
    read, is not a unit of this plan, records another unit or sweep, or fails its checksum; it is
    deleted so that its unit runs again. Hold the folder's lock while calling this.
    """
    clean_litter(Path(folder) / CHUNKS, r"unit-\d{6,}\.parquet")
    clean_litter(Path(folder) / FAILURES, r"unit-\d{6,}\.json")
    good, bad = [], []
    for index in stored_units(folder):
        unit = units(index)
        try:
            if unit is None:
                raise ResultsError("not a unit of this sweep")
            read_chunk(folder, unit, sweep)
        except ResultsError as err:
            bad.append(BadChunk(index, str(err).split(": ", 1)[-1]))
            chunk_path(folder, index).unlink(missing_ok=True)
            continue
        good.append(index)
    return good, bad


def chunk_checksums(folder: Path) -> dict[int, str]:
    """Unit index → the checksum its chunk records (read from the files' footers only).

    An unreadable chunk gets an empty checksum: it matches nothing, so whatever was built from
    the chunks is seen to be out of date.
    """
    sums = {}
    for index in stored_units(folder):
        try:
            record = table_record(chunk_path(folder, index)) or {}
        except ResultsError:
            record = {}
        sums[index] = str(record.get("sha256", ""))
    return sums


def write_failure(folder: Path, unit: UnitKey, error: str, detail: str | None) -> None:
    """Record, atomically, that a unit failed: its extent, the error and the traceback."""
    record = {
        "unit": unit.index,
        "points": list(unit.points),
        "replicates": [unit.first, unit.stop],
        "error": error,
        "traceback": detail,
    }
    text = json.dumps(record, indent=2) + "\n"
    write_atomic(
        failure_path(folder, unit.index),
        lambda p: p.write_text(text, encoding="utf-8"),
        folder=False,
    )


def read_failures(folder: Path) -> list[dict[str, Any]]:
    """The failure records of a sweep folder, by unit (unreadable ones say so in ``error``)."""
    records = []
    directory = Path(folder) / FAILURES
    for path in sorted(directory.glob("unit-*.json")) if directory.is_dir() else []:
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as err:
            record = {"unit": path.stem, "error": f"unreadable failure record ({err})"}
        records.append(record)
    return records
