"""The manifest of a results folder: one builder for every kind, one reader that says the kind.

A manifest is ``manifest.json``: the format, the folder's kind (see :mod:`.layout`), what made it
(command line, package versions, time) and whatever the kind's writer adds (the resolved scenario,
a sweep's design). Unknown keys are kept as they are, so a writer may add keys without a change
here; the reader checks only what its kind needs.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.metadata
import json
import platform
from pathlib import Path
from typing import Any

from simulator import __version__
from simulator.results.errors import ResultsError
from simulator.results.layout import KINDS, MANIFEST

FORMAT = "escalation-results/1"
#: manifests written before every kind shared one format name
LEGACY_FORMATS = {"escalation-sweep/1": "sweep"}
#: packages whose versions shape the numbers (recorded in every manifest)
PACKAGES = (
    "mesa", "numpy", "scipy", "pandas", "pyarrow", "pydantic", "matplotlib", "pyyaml", "numba",
)  # fmt: skip
#: keys that say what was made rather than how: what a sweep's stored units must agree with
DATA_KEYS = ("scenario", "design", "replicates", "seed", "horizon_days", "chunking")
#: the pseudo-outcome "direct clash or war" that sweeps report with the outcome classes, and the
#: classes it joins
CLASH_OR_WAR = "clash_or_war"
CLASH_OR_WAR_CLASSES = ("war", "direct_clash")


def versions() -> dict[str, str]:
    """Versions of Python, the simulator and the packages that shape its numbers."""
    found = {"python": platform.python_version(), "simulator": __version__}
    for name in PACKAGES:
        try:
            found[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            found[name] = "not installed"
    return found


def _engine() -> str:
    """The engine this process's models use by default (--engine sets it)."""
    from simulator.model.engine import default_engine

    return default_engine()


def new_manifest(kind: str, command: str, fields: dict[str, Any]) -> dict[str, Any]:
    """The manifest of a new folder of ``kind``: the format header, ``fields``, then provenance."""
    if kind not in KINDS:
        raise ValueError(f"unknown results kind {kind!r}; known: {', '.join(KINDS)}")
    return {
        "format": FORMAT,
        "kind": kind,
        **fields,
        "command": command,
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "versions": versions(),
        "engine": _engine(),
    }


def manifest_kind(manifest: dict[str, Any], path: Path) -> str:
    """The kind a manifest declares, or a ResultsError naming ``path``."""
    fmt = str(manifest.get("format", ""))
    if fmt in LEGACY_FORMATS:
        return LEGACY_FORMATS[fmt]
    if not fmt.startswith(FORMAT.split("/")[0] + "/"):
        raise ResultsError(f"{path}: unknown format {fmt!r} (expected {FORMAT}).")
    kind = str(manifest.get("kind", "run"))
    if kind not in KINDS:
        raise ResultsError(f"{path}: unknown kind {kind!r} (known: {', '.join(KINDS)}).")
    return kind


def read_manifest(folder: Path | str, kind: str | None = None) -> dict[str, Any]:
    """The manifest of a results folder, checked; ``kind`` refuses a folder of another kind.

    The returned dict's ``"kind"`` says which kind the folder is. Raises ResultsError naming the
    folder or file for a missing folder, a missing or unreadable manifest, an unknown format or
    kind, or a manifest without the keys its kind needs.
    """
    folder = Path(folder)
    path = folder / MANIFEST
    if not folder.is_dir():
        what = "is not a folder" if folder.exists() else "does not exist"
        raise ResultsError(f"{folder}: {what}; give a folder `escalation run` or `sweep` wrote.")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ResultsError(
            f"{folder}: no {MANIFEST} here, so this is not a results folder (or not a finished "
            "one); give a folder `escalation run` or `sweep` wrote."
        ) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ResultsError(f"{path}: cannot be read ({err}).") from None
    if not isinstance(manifest, dict):
        raise ResultsError(f"{path}: a manifest must be a JSON object.")
    found = manifest_kind(manifest, path)
    if kind is not None and found != kind:
        raise ResultsError(
            f"{folder}: a {found} folder, not a {kind} folder; {KINDS[found].readers} read "
            f"{found} folders."
        )
    missing = [k for k in KINDS[found].manifest_keys if k not in manifest]
    if missing:
        raise ResultsError(f"{path}: the {found} manifest lacks {', '.join(missing)}.")
    return {**manifest, "kind": found}


def fingerprint(manifest: dict[str, Any]) -> str:
    """A digest of what a folder's data depend on (scenario, design, seeds, chunking).

    Stored in every sweep chunk and in points.parquet, so that a chunk from another sweep, or a
    points table built for another design, is recognised as foreign.
    """
    data = {key: manifest.get(key) for key in DATA_KEYS}
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def outcome_label(manifest: dict[str, Any], outcome: str) -> str:
    """Readable label of an outcome class (or of :data:`CLASH_OR_WAR`) as the manifest gives it."""
    if outcome == CLASH_OR_WAR:
        return "Direct clash or war"
    labels = manifest.get("outcome_labels") or {}
    return str(labels.get(outcome, outcome.replace("_", " ").capitalize()))
