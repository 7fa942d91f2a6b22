"""How long-running work reports progress: a small protocol, implemented by the CLI's console.

Library functions that run for a while (simulating, sweeping, drawing figures) take an optional
``progress`` and call :meth:`Progress.phase` when a stage begins, :meth:`Progress.advance` as work
is done and :meth:`Progress.note` for something the user should see at once (a failed unit).
What is shown, and how (a bar on a terminal, a line every few seconds in a log), is the caller's
business; :data:`SILENT` shows nothing.
"""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    """Receives progress reports from long-running library functions."""

    def phase(self, name: str, total: float, unit: str) -> None:
        """A stage of work begins: ``total`` amounts of ``unit`` (replicate-days, figures)."""

    def advance(self, amount: float = 1.0) -> None:
        """``amount`` more of the current stage is done."""

    def note(self, message: str) -> None:
        """Something worth telling the user now, without stopping the work."""


class _Silent:
    """A :class:`Progress` that shows nothing."""

    def phase(self, name: str, total: float, unit: str) -> None:
        return None

    def advance(self, amount: float = 1.0) -> None:
        return None

    def note(self, message: str) -> None:
        return None


#: the progress of callers who want none
SILENT: Progress = _Silent()
