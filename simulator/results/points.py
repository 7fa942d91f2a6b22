"""A sweep's ``points.parquet``: per design point, outcome probabilities and mean metrics.

Built from the verified chunks of a sweep folder alone (no model is run) and stored with a record
of the chunks it was built from, so that :func:`read_points` can refuse a table that no longer
matches its sweep (a chunk replaced or re-run since, a table copied from another sweep).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from simulator.results.chunks import UnitKey, chunk_checksums, read_chunk
from simulator.results.errors import ResultsError
from simulator.results.layout import POINTS
from simulator.results.manifest import (
    CLASH_OR_WAR,
    CLASH_OR_WAR_CLASSES,
    fingerprint,
    outcome_label,
)
from simulator.results.summary import DAYS_PER_MONTH, militia_attacks
from simulator.results.tables import read_table, table_record, write_table
from simulator.stats import wilson_interval

#: mean metrics per point (``mean_<name>`` columns), with their labels
METRICS = {
    "casualties": "Mean casualties",
    "peak_escalation": "Mean peak escalation",
    "militia_attacks_per_month": "Mean militia attacks / month",
}


def summarize_points(
    folder: Path, manifest: dict[str, Any], units: Iterable[UnitKey], design: pd.DataFrame
) -> tuple[pd.DataFrame, str]:
    """The points table of a sweep from its chunks, streamed unit by unit; and the chunks' digest.

    ``design`` holds one row per point (``point`` and the parameter columns). A point with a unit
    that has no chunk is marked incomplete. Raises ResultsError if a stored chunk fails
    verification (run ``--resume``, which re-runs it).
    """
    classes = [str(c) for c in manifest["outcome_classes"]]
    sweep = fingerprint(manifest)
    n_points = len(design)
    counts = np.zeros((n_points, len(classes)), dtype=np.int64)
    sums = {name: np.zeros(n_points) for name in METRICS}
    months = int(manifest["horizon_days"]) / DAYS_PER_MONTH
    incomplete = np.zeros(n_points, dtype=bool)
    checksums = chunk_checksums(folder)
    for unit in units:
        if unit.index not in checksums:
            incomplete[list(unit.points)] = True
            continue
        rows = read_chunk(folder, unit, sweep)
        point = rows["point"].to_numpy()
        code = pd.Categorical(rows["outcome"], categories=classes).codes
        if (code < 0).any():
            raise ResultsError(f"{folder}: unit {unit.index} holds outcomes not in the manifest.")
        np.add.at(counts, (point, code), 1)
        values = {
            "casualties": rows.filter(like="casualties.").sum(axis=1).to_numpy(dtype=float),
            "peak_escalation": rows["peak_escalation"].to_numpy(dtype=float),
            "militia_attacks_per_month": militia_attacks(rows, manifest["actors"]) / months,
        }
        for name, v in values.items():
            np.add.at(sums[name], point, v)
    n = counts.sum(axis=1)
    share = np.maximum(n, 1)
    table = design.reset_index(drop=True).copy()
    table["replicates"] = n
    table["complete"] = ~incomplete & (n == int(manifest["replicates"]))
    for j, outcome in enumerate(classes):
        k = counts[:, j]
        table[f"p_{outcome}"] = np.where(n > 0, k / share, np.nan)
        bounds = np.array([wilson_interval(int(a), int(b)) for a, b in zip(k, n, strict=True)])
        table[f"p_{outcome}_low"], table[f"p_{outcome}_high"] = bounds.reshape(-1, 2).T
    if set(CLASH_OR_WAR_CLASSES) <= set(classes):
        clash = sum(counts[:, classes.index(c)] for c in CLASH_OR_WAR_CLASSES)
        table[f"p_{CLASH_OR_WAR}"] = np.where(n > 0, clash / share, np.nan)
    for name, total in sums.items():
        table[f"mean_{name}"] = np.where(n > 0, total / share, np.nan)
    return table, chunks_digest(checksums)


def chunks_digest(checksums: dict[int, str]) -> str:
    """One digest of a set of chunks (unit index → checksum)."""
    text = ";".join(f"{i}:{s}" for i, s in sorted(checksums.items()))
    return hashlib.sha256(text.encode()).hexdigest()


def write_points(folder: Path, table: pd.DataFrame, manifest: dict[str, Any], digest: str) -> None:
    """Store points.parquet atomically, recording the sweep and the chunks it was built from."""
    record = {"kind": "points", "sweep": fingerprint(manifest), "chunks": digest}
    write_table(Path(folder) / POINTS, table, record)


def read_points(folder: Path, manifest: dict[str, Any]) -> pd.DataFrame:
    """points.parquet sorted by point, verified against its sweep before it is trusted.

    Checks the table's checksum, that it was built for this manifest's sweep, from the chunks
    now stored (unless chunks/ was emptied to save space), one row per design point, with the
    parameter and outcome columns. Raises ResultsError saying what to run when it does not hold.
    """
    folder = Path(folder)
    path = folder / POINTS
    resume = f"`escalation sweep --resume {folder}`"
    if not path.exists():
        raise ResultsError(
            f"{path}: missing; the sweep in {folder} has not finished. Run {resume} to complete it."
        )
    record = table_record(path)
    if record is None:
        raise ResultsError(
            f"{path}: written without a record of its chunks (an older escalation); run {resume} "
            "to rebuild it."
        )
    sweep = fingerprint(manifest)
    if record.get("sweep") != sweep:
        raise ResultsError(f"{path}: built for another sweep than {folder / 'manifest.json'}.")
    stored = chunk_checksums(folder)
    if stored and record.get("chunks") != chunks_digest(stored):
        raise ResultsError(
            f"{path}: out of date: the chunks in {folder / 'chunks'} changed since it was built; "
            f"run {resume} to verify them and rebuild it."
        )
    parameters = [p["path"] for p in manifest["design"]["parameters"]]
    classes = [str(c) for c in manifest["outcome_classes"]]
    required = ("point", *parameters, "replicates", "complete", *(f"p_{c}" for c in classes))
    points = read_table(path, required, {"kind": "points"})
    points = points.sort_values("point", kind="stable").reset_index(drop=True)
    if len(points) != int(manifest["points"]):
        raise ResultsError(
            f"{path}: {len(points)} rows but the manifest lists {manifest['points']} design points."
        )
    if not np.array_equal(points["point"].to_numpy(), np.arange(len(points))):
        raise ResultsError(f"{path}: design points are not numbered 0..{len(points) - 1}.")
    return points


def output_columns(manifest: dict[str, Any]) -> dict[str, str]:
    """The points.parquet outputs worth a sensitivity index, with labels, in display order."""
    classes = [str(c) for c in manifest["outcome_classes"]]
    outputs = {}
    if set(CLASH_OR_WAR_CLASSES) <= set(classes):
        outputs[f"p_{CLASH_OR_WAR}"] = "P(clash or war)"
    for c in classes:
        outputs[f"p_{c}"] = f"P({outcome_label(manifest, c).lower()})"
    outputs.update({f"mean_{name}": label for name, label in METRICS.items()})
    return outputs
