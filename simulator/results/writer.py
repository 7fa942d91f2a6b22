"""Writing a results folder atomically: nothing half-written is ever left under its final name.

Data go to a hidden sibling folder first and are renamed into place in one step; replacing an
existing folder (``--force``) moves the old one aside only after the new one is complete.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd

MANIFEST, RUNS, DAILY = "manifest.json", "runs.parquet", "daily.parquet"


class ResultsExistError(FileExistsError):
    """The output folder exists and ``force`` was not given."""


def check_writable(out: Path, force: bool) -> None:
    """Refuse early, before any work, when ``out`` exists and may not be replaced."""
    if out.exists() and not force:
        raise ResultsExistError(
            f"{out}: this results folder already exists; choose another --out, or pass --force "
            "to replace it (the old folder is removed only once the new one is complete)."
        )
    if out.exists() and not out.is_dir():
        raise ResultsExistError(f"{out}: exists and is not a folder; choose another --out.")
    if out.exists() and any(out.iterdir()) and not (out / MANIFEST).exists():
        raise ResultsExistError(
            f"{out}: exists and is not a results folder (no {MANIFEST}); --force only replaces "
            "results folders, so nothing was touched. Choose another --out."
        )


def write_folder(
    out: Path,
    files: Callable[[Path], None],
    force: bool = False,
    owned: bool = False,
) -> Path:
    """Create ``out`` atomically: ``files(tmp)`` fills a temporary sibling, then it is renamed.

    ``owned`` marks a folder the program itself made (a results folder's plots/), which may be
    replaced without the checks that protect a user's folders.
    """
    out = Path(out)
    if not owned:
        check_writable(out, force)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".partial", dir=out.parent))
    tmp.chmod(0o777 & ~_umask())  # mkdtemp makes it private; results are ordinary folders
    try:
        files(tmp)
        _fsync_tree(tmp)
        if out.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".old", dir=out.parent))
            os.replace(out, old / out.name)
            os.replace(tmp, out)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out


def write_tables(folder: Path, manifest: dict, runs: pd.DataFrame, daily: pd.DataFrame) -> None:
    """Write the manifest and the two Parquet tables into ``folder``."""
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=False) + "\n")
    runs.to_parquet(folder / RUNS, index=False, compression="zstd")
    daily.to_parquet(folder / DAILY, index=False, compression="zstd")


def replace_subfolder(parent: Path, name: str, fill: Callable[[Path], object]) -> Path:
    """Regenerate ``parent/name`` (e.g. plots) atomically, replacing what was there."""
    return write_folder(parent / name, fill, force=True, owned=True)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _fsync_tree(folder: Path) -> None:
    for path in folder.rglob("*"):
        if path.is_file():
            with open(path, "rb") as handle:
                os.fsync(handle.fileno())
