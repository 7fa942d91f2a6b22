"""What can go wrong with a results folder, as the exceptions the command line reports.

The command line maps :class:`ResultsError` (and its subclasses) to exit status 2: the folder the
user named cannot be used as asked. :class:`ResultsWriteError` (exit status 4) means the disk
refused a write midway; what was finished before it is kept.
"""

from __future__ import annotations


class ResultsError(ValueError):
    """A results folder that is missing, damaged, of another kind, or not ours to touch."""


class ResultsExistError(ResultsError):
    """The output folder exists and may not be replaced."""


class ResultsLockedError(ResultsError):
    """Another process is writing the same results folder."""


class ResultsWriteError(RuntimeError):
    """Writing a results file failed midway (disk full, read-only or failing storage)."""

    def __init__(self, message: str, errno: int | None = None):
        super().__init__(message)
        self.errno = errno
