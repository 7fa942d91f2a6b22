"""Running a sweep: its units through an executor, each stored as it finishes; points at the end.

:func:`run_sweep` is the library's entry point (``escalation sweep`` is a thin layer over it).
The folder's layout is in :mod:`simulator.results.layout`: the manifest and design first, then a
chunk per finished unit (written atomically as it arrives, so a killed sweep loses no finished
unit), a failure record per unit whose model raised, and ``points.parquet`` built from the chunks.

Every replicate of every point uses the sweep's seed (common random numbers across points, which
sharpens comparisons between points), so a unit's rows depend only on the unit: any number of
workers, any executor and any interruption followed by a resume give the same data.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from simulator.experiment.executors import Executor
from simulator.experiment.sweep_plan import SweepPlan
from simulator.experiment.units import Unit, run_unit
from simulator.progress import SILENT, Progress
from simulator.results.chunks import (
    BadChunk,
    read_failures,
    verify_chunks,
    write_chunk,
    write_failure,
)
from simulator.results.errors import ResultsError, ResultsWriteError
from simulator.results.layout import CHUNKS, DESIGN, FAILURES
from simulator.results.manifest import fingerprint, read_manifest
from simulator.results.points import summarize_points, write_points
from simulator.results.store import (
    clean_litter,
    ensure_writable,
    locked,
    prepare_target,
    write_atomic,
)
from simulator.results.tables import write_manifest, write_table

#: what to do with the folder: make a new sweep (refusing an existing folder), replace an
#: existing sweep folder (``--force``), or continue the sweep stored there (``--resume``)
Existing = Literal["new", "replace", "resume"]


@dataclass(frozen=True)
class SweepReport:
    """What :func:`run_sweep` did and left: units run, re-run, failed; the points table."""

    folder: Path
    plan: SweepPlan
    executor: str
    ran: int
    stored: int
    points: pd.DataFrame
    rerun: list[BadChunk] = field(default_factory=list)
    failures: list[dict[str, Any]] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        """Whether every unit has its rows (no failure left)."""
        return not self.failures


def resume_hint(folder: Path) -> str:
    """The command that continues the sweep in ``folder``."""
    return f"`escalation sweep --resume {folder}`"


def run_sweep(
    plan: SweepPlan,
    folder: Path,
    executor: Executor,
    progress: Progress = SILENT,
    existing: Existing = "new",
) -> SweepReport:
    """Run every unit of ``plan`` not yet stored in ``folder`` on ``executor``; build the points.

    Holds the folder's lock throughout. A new sweep's folder is made (atomically) only once the
    executor has started, so an unreachable cluster leaves nothing behind. Resuming verifies the
    stored chunks first and runs again those that are damaged or foreign. A unit whose model
    raises is recorded in failures/ and the rest goes on; the report lists what failed.
    """
    folder = Path(folder)
    with locked(folder):
        if existing == "resume":
            _check_resumable(folder, plan)
        else:
            prepare_target(folder, "sweep", replace=existing == "replace")
        clean_litter(folder.parent, re.escape(folder.name))
        with executor:
            if existing == "resume":
                good, bad = verify_chunks(folder, _unit_lookup(plan), plan.fingerprint)
                for chunk in bad:
                    progress.note(f"stored unit {chunk.unit} will run again: {chunk.reason}")
            else:
                write_atomic(folder, lambda tmp: _start(tmp, plan))
                good, bad = [], []
            done = set(good)
            todo = [i for i in range(plan.unit_count) if i not in done]
            progress.phase("sweeping", plan.total_work, "replicate-days")
            progress.advance(sum(plan.work(i) for i in done))
            with _resumable(folder):
                ran = _execute(folder, plan, executor, todo, progress)
        progress.phase("summarizing the design points", 1, "table")
        with _resumable(folder):
            units = plan.units()
            points, digest = summarize_points(folder, plan.manifest, units, plan.design_table())
            write_points(folder, points, plan.manifest, digest)
        progress.advance()
    return SweepReport(
        folder=folder,
        plan=plan,
        executor=executor.name,
        ran=ran,
        stored=len(done),
        points=points,
        rerun=bad,
        failures=read_failures(folder),
    )


@contextlib.contextmanager
def _resumable(folder: Path) -> Iterator[None]:
    """Say how to continue when the disk refuses a write once the sweep's folder exists."""
    try:
        yield
    except ResultsWriteError as err:
        raise ResultsWriteError(
            f"{err} Finished units are kept in {folder / CHUNKS}; make room, then continue with "
            f"{resume_hint(folder)}.",
            err.errno,
        ) from None


def _check_resumable(folder: Path, plan: SweepPlan) -> None:
    stored = read_manifest(folder, "sweep")
    if fingerprint(stored) != plan.fingerprint:
        raise ResultsError(f"{folder}: holds another sweep than the one to resume.")
    for sub in (folder / CHUNKS, folder / FAILURES):
        try:
            sub.mkdir(exist_ok=True)
        except OSError as err:
            raise ResultsError(f"{sub}: cannot be created ({err.strerror}).") from None
    for sub in (folder, folder / CHUNKS, folder / FAILURES):
        ensure_writable(sub)


def _start(tmp: Path, plan: SweepPlan) -> None:
    """Fill a new sweep folder: manifest, design, empty chunks/ and failures/."""
    write_manifest(tmp, plan.manifest)
    write_table(tmp / DESIGN, plan.design_table(), {"kind": "design"}, atomic=False)
    (tmp / CHUNKS).mkdir()
    (tmp / FAILURES).mkdir()


def _unit_lookup(plan: SweepPlan) -> Callable[[int], Unit | None]:
    def lookup(index: int) -> Unit | None:
        return plan.unit(index) if 0 <= index < plan.unit_count else None

    return lookup


def _execute(
    folder: Path, plan: SweepPlan, executor: Executor, todo: list[int], progress: Progress
) -> int:
    """Run the units ``todo``; store each result as it arrives. Returns how many ran."""
    ran = 0
    share = sum(plan.work(i) for i in todo) // max(1, executor.width)  # each worker's, about
    tasks = ((plan.base, plan.paths, plan.unit(i), share) for i in todo)
    for result in executor.run(run_unit, tasks):
        unit = plan.unit(result.index)
        if result.rows is not None:
            write_chunk(folder, unit, plan.fingerprint, result.rows)
        else:
            write_failure(folder, unit, result.error or "unknown error", result.detail)
            progress.note(
                f"unit {unit.index} (design points {_span(unit.points)}) failed: {result.error}"
            )
        ran += 1
        progress.advance(plan.work(unit.index))
    return ran


def _span(points: tuple[int, ...]) -> str:
    return f"{points[0]}" if len(points) == 1 else f"{points[0]}–{points[-1]}"
