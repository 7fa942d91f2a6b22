"""Parquet tables of results folders, written with a record and checksum, read back verified.

Every table the project writes carries, in its Parquet key-value metadata under ``escalation``, a
small JSON record (what the table is: a run table, a sweep unit's rows, a sweep's points) and the
SHA-256 of its rows. Readers that are given the record they expect refuse a table that is
damaged, belongs elsewhere (another unit, another sweep) or was altered since it was written.
Tables written by other tools (no record) are read without that check.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from simulator.results.errors import ResultsError
from simulator.results.layout import ANALYSIS, DAILY, EVENTS, MANIFEST, RUNS
from simulator.results.store import replace_subfolder, write_atomic

META_KEY = b"escalation"
COMPRESSION = "zstd"


@dataclass
class RunTables:
    """A run's results: one row per replicate, one row per day and, optionally, an event log."""

    runs: pd.DataFrame
    daily: pd.DataFrame
    events: pd.DataFrame | None = None


def table_checksum(df: pd.DataFrame) -> str:
    """SHA-256 of a table's column names and values (not of the file's bytes).

    Column types are left out: a pandas upgrade may read a column back as another type holding
    the same values, which is not damage.
    """
    digest = hashlib.sha256()
    digest.update(json.dumps([str(c) for c in df.columns]).encode())
    digest.update(len(df).to_bytes(8, "little"))
    digest.update(pd.util.hash_pandas_object(df, index=False).to_numpy().tobytes())
    return digest.hexdigest()


def write_table(path: Path, df: pd.DataFrame, record: dict[str, Any], atomic: bool = True) -> str:
    """Write ``df`` to ``path`` with ``record`` and its checksum in the metadata; the checksum.

    ``atomic=False`` writes in place, for files inside a folder that is itself written
    atomically (see :func:`store.write_atomic`).
    """
    import pyarrow as pa  # here, not above: simulating imports this module, and writes no table
    import pyarrow.parquet as pq

    checksum = table_checksum(df)
    table = pa.Table.from_pandas(df, preserve_index=False)
    meta = {
        **(table.schema.metadata or {}),
        META_KEY: _record_bytes({**record, "sha256": checksum}),
    }
    table = table.replace_schema_metadata(meta)

    def put(target: Path) -> None:
        pq.write_table(table, target, compression=COMPRESSION)

    if atomic:
        write_atomic(path, put, folder=False)
    else:
        put(path)
    return checksum


def table_record(path: Path) -> dict[str, Any] | None:
    """The record stored with a table (from the file's footer only), or None if it has none.

    Raises ResultsError when the file cannot be read as Parquet.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        meta = pq.read_schema(path).metadata or {}
    except FileNotFoundError:
        raise ResultsError(f"{path}: missing.") from None
    except (OSError, pa.ArrowException) as err:
        raise ResultsError(f"{path}: cannot be read as Parquet ({err}).") from None
    raw = meta.get(META_KEY)
    if raw is None:
        return None
    try:
        record = json.loads(raw)
    except ValueError:
        return {}
    return record if isinstance(record, dict) else {}


def read_table(
    path: Path,
    required: tuple[str, ...] = (),
    expect: dict[str, Any] | None = None,
    how: str = "",
) -> pd.DataFrame:
    """Read a table, check its columns and, when it has a record, its checksum.

    With ``expect``, the table must have a record holding those keys and values (e.g. the unit
    and sweep it belongs to). ``how`` says, when the file is missing, what writes it. Raises
    ResultsError naming the file and what is wrong.
    """
    path = Path(path)
    if not path.is_file():
        if how:  # the command that writes it
            raise ResultsError(f"{path}: missing; {how}")
        raise ResultsError(f"{path.parent}: missing {path.name} ({path}).")
    record = table_record(path)
    try:
        df = pd.read_parquet(path)
    except Exception as err:  # pyarrow raises several unrelated types for damaged files
        raise ResultsError(f"{path}: cannot be read as Parquet ({err}).") from None
    if expect is not None:
        if record is None:
            raise ResultsError(f"{path}: has no record of what it holds (an older format).")
        wrong = {k: record.get(k) for k, v in expect.items() if record.get(k) != v}
        if wrong:
            shown = ", ".join(f"{k} {v!r} (expected {expect[k]!r})" for k, v in wrong.items())
            raise ResultsError(f"{path}: belongs elsewhere: {shown}.")
    if record is not None and record.get("sha256") != table_checksum(df):
        raise ResultsError(f"{path}: its rows do not match their checksum (altered or damaged).")
    missing = [c for c in required if c not in df.columns]
    if missing:
        raise ResultsError(f"{path}: missing column(s) {', '.join(missing)}.")
    return df


def write_manifest(folder: Path, manifest: dict[str, Any]) -> None:
    """Write ``manifest.json`` into a folder being written (a staging folder)."""
    (Path(folder) / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")


def write_run(folder: Path, manifest: dict[str, Any], tables: RunTables) -> None:
    """Write a run's manifest and tables into ``folder`` (a staging folder)."""
    write_manifest(folder, manifest)
    for name, df in ((RUNS, tables.runs), (DAILY, tables.daily), (EVENTS, tables.events)):
        if df is not None:
            write_table(Path(folder) / name, df, {"kind": "run", "table": name}, atomic=False)


def write_analysis(folder: Path, tables: dict[str, pd.DataFrame]) -> list[Path]:
    """Replace a sweep's ``analysis/`` with ``tables`` (each as .parquet and .csv); the paths."""
    return write_subfolder_tables(folder, ANALYSIS, "sweep", tables)


def write_subfolder_tables(
    folder: Path,
    name: str,
    kind: str,
    tables: dict[str, pd.DataFrame],
    record: dict[str, Any] | None = None,
    extra: Callable[[Path], object] | None = None,
) -> list[Path]:
    """Replace ``folder/name`` with ``tables`` (each as .parquet and .csv); the paths written.

    Every table carries ``record`` (plus its kind) in its metadata; ``extra(tmp)`` may add
    other files to the folder before it replaces the old one.
    """

    def fill(tmp: Path) -> None:
        for table_name, table in tables.items():
            meta = {"kind": name, **(record or {})}
            write_table(tmp / f"{table_name}.parquet", table, meta, atomic=False)
            table.to_csv(tmp / f"{table_name}.csv", index=False)
        if extra is not None:
            extra(tmp)

    replace_subfolder(folder, name, kind, fill)
    out = Path(folder) / name
    return [out / f"{t}.{ext}" for t in tables for ext in ("parquet", "csv")]


def read_analysis(folder: Path, name: str, required: bool) -> pd.DataFrame | None:
    """A table of a sweep's ``analysis/``; None when absent and not ``required``."""
    path = Path(folder) / ANALYSIS / f"{name}.parquet"
    if not path.exists():
        if required:
            raise ResultsError(
                f"{path}: missing; run `escalation analyze {folder}` before plotting."
            )
        return None
    return read_table(path)


def _record_bytes(record: dict[str, Any]) -> bytes:
    return json.dumps(record, sort_keys=True, separators=(",", ":")).encode()
