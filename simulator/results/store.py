"""Writing results folders safely: one writer per folder, nothing half-written under a final name.

- :func:`locked` holds an exclusive OS lock (``flock``) on a folder for the life of a writer, so
  a second writer into the same folder is refused instead of mixing its data with the first's.
- :func:`write_atomic` is the one atomic writer: a file or a folder is filled under a hidden
  temporary name beside its final name, flushed to disk, then renamed into place in one step;
  replacing a folder moves the old one aside only once the new one is complete.
- :func:`prepare_target` decides, before any work, whether a folder may be created or replaced:
  ``--force`` replaces only a folder whose manifest is of the same kind and that holds nothing
  the project did not write.
- :func:`clean_litter` removes what a killed writer left (hidden ``.partial`` temporaries).
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

from simulator.results.errors import (
    ResultsError,
    ResultsExistError,
    ResultsLockedError,
    ResultsWriteError,
)
from simulator.results.layout import KINDS, lock_path
from simulator.results.manifest import read_manifest

#: errors that mean the storage refused a write (not a bug): reported with what was kept
STORAGE_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM, errno.EIO}
#: the random part of a temporary name (what :mod:`tempfile` makes)
_TOKEN = r"[a-z0-9_]{8}"

_held: dict[Path, int] = {}  # folders this process has locked → nesting depth


@contextlib.contextmanager
def locked(folder: Path) -> Iterator[None]:
    """Hold an exclusive lock on results folder ``folder`` while the block runs.

    The lock is ``flock`` on ``.NAME.lock`` beside the folder (so a folder that does not exist
    yet can be locked, and the lock dies with its process, even under SIGKILL). Re-entrant
    within a process. Raises ResultsLockedError when another process holds it, and
    ResultsError when the parent folder cannot be written (checked here, before any work).
    """
    key = Path(folder).resolve()
    if key in _held:
        _held[key] += 1
        try:
            yield
        finally:
            _held[key] -= 1
        return
    path = lock_path(key)
    try:
        key.parent.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise ResultsError(f"{folder}: cannot create its parent folder ({err.strerror}).") from None
    fd = _acquire(path, folder)
    _held[key] = 1
    try:
        yield
    finally:
        del _held[key]
        with contextlib.suppress(OSError):
            os.unlink(path)  # before unlocking: whoever opens the name next gets a fresh lock
        os.close(fd)


def _acquire(path: Path, folder: Path) -> int:
    while True:
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as err:
            raise ResultsError(
                f"{folder}: cannot write in {path.parent} ({err.strerror}); choose another --out."
            ) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 1000).decode(errors="replace").strip() or "another process"
            os.close(fd)
            raise ResultsLockedError(
                f"{folder}: another escalation process is writing this folder ({holder}); "
                "wait for it to finish (or, for a new run or sweep, choose another --out)."
            ) from None
        try:  # the previous holder may have unlinked the file between our open and our lock
            same = os.stat(path).st_ino == os.fstat(fd).st_ino
        except FileNotFoundError:
            same = False
        if same:
            break
        os.close(fd)
    os.ftruncate(fd, 0)
    os.write(fd, f"pid {os.getpid()}: {' '.join(sys.argv[:3])}".encode())
    return fd


def prepare_target(folder: Path, kind: str, replace: bool) -> None:
    """Refuse, before any work, a ``folder`` of ``kind`` that may not be created or replaced.

    A missing or empty folder may always be written. An existing one only with ``replace``
    (``--force``), and only if its manifest is a valid manifest of ``kind`` and every file in it
    is one the project writes (see :attr:`Layout.owned`); otherwise nothing is touched.
    """
    folder = Path(folder)
    if not folder.exists():
        return
    if not folder.is_dir():
        raise ResultsExistError(f"{folder}: exists and is not a folder; choose another --out.")
    if not any(folder.iterdir()):
        return
    if not replace:
        raise ResultsExistError(
            f"{folder}: this results folder already exists; choose another --out, or pass "
            "--force to replace it (the old folder is removed only once the new one is complete)."
        )
    try:
        read_manifest(folder, kind)
    except ResultsError as err:
        raise ResultsExistError(
            f"{folder}: --force replaces only a {kind} folder that escalation wrote, and this is "
            f"not one ({err}). Nothing was touched; choose another --out."
        ) from None
    foreign = KINDS[kind].foreign(folder)
    if foreign:
        shown = ", ".join(foreign[:5]) + (
            f" and {len(foreign) - 5} more" if len(foreign) > 5 else ""
        )
        raise ResultsExistError(
            f"{folder}: holds files escalation did not write ({shown}); --force never deletes "
            "those. Nothing was touched; move them elsewhere, or choose another --out."
        )


def write_atomic(target: Path, fill: Callable[[Path], object], *, folder: bool = True) -> Path:
    """Create or replace ``target`` in one step: ``fill(tmp)`` writes a hidden sibling first.

    ``tmp`` is an empty folder (``folder=True``) or a file path to write (``folder=False``) next
    to ``target``; once ``fill`` returns it is flushed to disk and renamed to ``target``. If
    anything fails the temporary is removed and ``target`` is as it was. Storage errors (disk
    full, read-only) become ResultsWriteError naming ``target``.
    """
    target = Path(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = _temporary(target, folder)
    except OSError as err:
        raise _storage_error(err, target) from None
    try:
        fill(tmp)
        _fsync(tmp)
        if folder and target.exists():
            old = Path(
                tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".old", dir=target.parent)
            )
            os.replace(target, old / target.name)
            os.replace(tmp, target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, target)
    except OSError as err:
        _remove(tmp)
        if err.errno in STORAGE_ERRNOS:
            raise _storage_error(err, target) from None
        raise
    except BaseException:
        _remove(tmp)
        raise
    return target


def replace_subfolder(folder: Path, name: str, kind: str, fill: Callable[[Path], object]) -> Path:
    """Regenerate ``folder/name`` (plots/, analysis/) atomically, if it holds only our files.

    Call it while holding the folder's lock (temporaries a killed writer left are removed).
    """
    clean_litter(Path(folder), re.escape(name))
    sub = Path(folder) / name
    if sub.is_dir():
        foreign = KINDS[kind].foreign(folder, under=name)
        if foreign:
            raise ResultsExistError(
                f"{sub}: holds files escalation did not write ({', '.join(foreign[:5])}); they "
                "would be lost when it is redrawn, so nothing was touched. Move them elsewhere."
            )
    return write_atomic(sub, fill)


def clean_litter(directory: Path, name_pattern: str) -> list[Path]:
    """Remove what killed writers left in ``directory`` for names matching ``name_pattern``.

    Only hidden temporaries of :func:`write_atomic` match (``.NAME.XXXXXXXX.partial``, and
    ``.NAME.XXXXXXXX.old`` once NAME exists again); call it while holding the folder's lock.
    """
    pattern = re.compile(rf"^\.({name_pattern})\.{_TOKEN}\.(partial|old)$")
    removed: list[Path] = []
    directory = Path(directory)
    if not directory.is_dir():
        return removed
    for path in directory.iterdir():
        match = pattern.match(path.name)
        if not match:
            continue
        if match.group(2) == "old" and not (directory / match.group(1)).exists():
            continue  # killed mid-swap: the old folder is the only copy left; keep it
        _remove(path)
        removed.append(path)
    return removed


def ensure_writable(directory: Path) -> None:
    """Refuse, before any work, a folder in which a file cannot be created (read-only, full)."""
    try:
        fd, name = tempfile.mkstemp(prefix=".escalation-probe-", dir=directory)
        os.close(fd)
        os.unlink(name)
    except OSError as err:
        raise ResultsError(f"{directory}: cannot be written ({err.strerror}).") from None


def _temporary(target: Path, folder: bool) -> Path:
    prefix, suffix = f".{target.name}.", ".partial"
    if folder:
        tmp = Path(tempfile.mkdtemp(prefix=prefix, suffix=suffix, dir=target.parent))
        tmp.chmod(0o777 & ~_umask())  # mkdtemp makes it private; results are ordinary folders
        return tmp
    fd, name = tempfile.mkstemp(prefix=prefix, suffix=suffix, dir=target.parent)
    os.close(fd)
    os.chmod(name, 0o666 & ~_umask())
    return Path(name)


def _storage_error(err: OSError, target: Path) -> ResultsWriteError:
    return ResultsWriteError(f"{target}: could not be written ({err.strerror}).", err.errno)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _fsync(path: Path) -> None:
    files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
    for file in files:
        with open(file, "rb") as handle:
            os.fsync(handle.fileno())
