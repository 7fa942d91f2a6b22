"""Figures shared with a second process: one forked when they are due, or one forked early.

Drawing is matplotlib's Python code, so threads would take turns; a second process draws in
parallel. The two take figures in turn from a queue (a pipe holding one byte per figure, read
one byte at a time) until it is empty; the helper reports each figure it saved (a dot), or its
error (``!`` and the traceback), through a second pipe and exits. An error in either process
is raised in the caller once both have stopped.

- :func:`simulator.plots.style.draw_in_two_processes` forks its helper when the figures are
  due: the helper has the caller's data and figures already.
- :class:`EarlyHelper` is forked before the work whose figures it will draw (``escalation run``
  forks it before simulating). While the caller imports the model and runs it, the helper
  imports matplotlib and the figures' code and waits. When the tables are written, the caller
  names a *recipe*, a function both processes call to list the same figures from the written
  files, and the helper starts drawing while the caller is still loading matplotlib.

This module imports nothing of matplotlib, so that forking early costs nothing.
"""

from __future__ import annotations

import importlib
import os
import pickle
import select
import signal
import sys
import threading
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from simulator.deferred import load
from simulator.progress import SILENT, Progress

#: a figure to draw: where it goes, and what builds and saves it there
Job = tuple[Path, Callable[[], Any]]
#: what lists a folder's figures in both processes: (module, function, arguments)
Recipe = tuple[str, str, tuple[Any, ...]]


def can_fork_helper(figures: int | None = None) -> bool:
    """Whether a helper may be forked here: worth it, and safe.

    Forking is safe only in a process with one thread (a lock held by another thread would stay
    locked in the copy): never under a progress bar that refreshes itself, a Dask client or a
    notebook. Linux only, where fork is the usual start; two CPUs or more; and, when the count
    of figures is known, between 2 and 255 of them (one byte each in the queue).
    """
    if not sys.platform.startswith("linux"):
        return False
    if figures is not None and not 2 <= figures < 256:
        return False
    return len(os.sched_getaffinity(0)) >= 2 and threading.active_count() == 1


def take(jobs: Sequence[Job], queue: int, report: int) -> None:
    """The helper's side: draw queued figures, a dot for each, until the queue is empty."""
    while job := os.read(queue, 1):
        path, draw = jobs[job[0]]
        draw()
        os.write(report, b".")


def helper_exit(report: int, work: Callable[[], None]) -> None:
    """Run ``work`` in the helper, report an error to the caller, and leave the process."""
    status = 1
    try:
        work()
        status = 0
    except BaseException:  # noqa: B036 - whatever it was, the caller reports it
        os.write(report, b"!" + traceback.format_exc().encode(errors="replace"))
    finally:
        os._exit(status)


def share(
    jobs: Sequence[Job], pid: int, queue: int, report: int, progress: Progress = SILENT
) -> None:
    """The caller's side: draw queued figures too, count the helper's, wait for it, raise.

    Closes ``queue`` and ``report``.
    """
    reports = bytearray()

    def heard(chunk: bytes) -> None:  # the helper's figures count as they are reported
        before = reports.partition(b"!")[0].count(b".")
        reports.extend(chunk)
        if done := reports.partition(b"!")[0].count(b".") - before:
            progress.advance(done)

    try:
        while job := os.read(queue, 1):
            path, draw = jobs[job[0]]
            draw()
            progress.advance()
            while select.select([report], [], [], 0)[0] and (chunk := os.read(report, 4096)):
                heard(chunk)
    finally:
        os.close(queue)
        while chunk := os.read(report, 4096):  # until the helper exits
            heard(chunk)
        os.close(report)
        status = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
    if b"!" in reports or status != 0:
        detail = reports.partition(b"!")[2].decode(errors="replace") or f"exit status {status}"
        raise RuntimeError(f"drawing figures in a helper process failed:\n{detail}")


def recipe_jobs(recipe: Recipe) -> list[Job]:
    """The figures ``recipe`` lists: ``module.function(*arguments)``."""
    module, function, arguments = recipe
    jobs: list[Job] = getattr(importlib.import_module(module), function)(*arguments)
    return jobs


class _Reporting:
    """Progress of the early helper's figures, as one dot each through the report pipe."""

    def __init__(self, report: int):
        self.report = report

    def phase(self, name: str, total: float, unit: str) -> None:
        pass

    def advance(self, amount: float = 1.0) -> None:
        os.write(self.report, b"." * int(amount))

    def note(self, message: str) -> None:
        pass


def _serve(warm: Sequence[str], go: int, report: int) -> None:
    """The early helper: import ``warm``, wait for a recipe, draw its figures (two processes)."""
    for name in warm:
        load(name)
    message = bytearray()
    while chunk := os.read(go, 65536):
        message.extend(chunk)
    os.close(go)
    if not message:  # let go: no figures after all
        return
    recipe: Recipe = pickle.loads(message)
    jobs = recipe_jobs(recipe)
    os.write(report, b"%d\n" % len(jobs))  # how many dots to expect
    from simulator.plots.style import draw_jobs

    draw_jobs(jobs, _Reporting(report))


class EarlyHelper:
    """A helper process forked before the work whose figures it draws (a context manager).

    ``warm`` names the modules it loads meanwhile (stand-ins of :mod:`simulator.deferred`
    too). :meth:`draw` hands it a recipe; it draws the figures with a helper of its own
    (:func:`simulator.plots.style.draw_jobs`), so this process never loads matplotlib. Leaving
    the ``with`` block otherwise (an error, an interruption) stops the helper and waits for it.
    """

    def __init__(self, warm: Sequence[str]):
        go_read, self._go = os.pipe()
        self._report, report_write = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:  # the helper: never returns into the caller's code
            os.close(self._go)
            os.close(self._report)
            helper_exit(report_write, lambda: _serve(warm, go_read, report_write))
        os.close(go_read)
        os.close(report_write)
        self._waited = False

    def draw(self, recipe: Recipe, progress: Progress = SILENT) -> None:
        """Have the helper draw the figures ``recipe`` lists; raise its error, if any."""
        os.write(self._go, pickle.dumps(recipe))
        self._let_go()  # the helper starts on the recipe now
        reports = bytearray()  # "<count>\n", then a dot per figure, or "!" and a traceback
        total: int | None = None
        counted = 0
        try:
            while chunk := os.read(self._report, 4096):
                reports.extend(chunk)
                head, newline, body = reports.partition(b"\n")
                if total is None and newline and head.isdigit():
                    total = int(head)
                    progress.phase("drawing figures", total, "figures")
                done = body.partition(b"!")[0].count(b".") if total is not None else 0
                if done > counted:
                    progress.advance(done - counted)
                    counted = done
        finally:
            os.close(self._report)
            self._waited = True
            status = os.waitstatus_to_exitcode(os.waitpid(self.pid, 0)[1])
        if b"!" in reports or status != 0 or total is None:
            detail = reports.partition(b"!")[2].decode(errors="replace") or f"exit status {status}"
            raise RuntimeError(f"drawing figures in a helper process failed:\n{detail}")

    def _let_go(self) -> None:
        if self._go >= 0:
            os.close(self._go)
            self._go = -1

    def __enter__(self) -> EarlyHelper:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._waited:  # draw() has waited for the helper
            return
        # an error or an interruption here: the helper's work is not wanted (the figures it may
        # have drawn are in a staging folder that goes too), so stop it, wherever it is
        self._let_go()
        os.close(self._report)
        os.kill(self.pid, signal.SIGKILL)
        os.waitpid(self.pid, 0)
