"""What the experiment will not attempt: counts beyond the schema's bounds, work that cannot fit.

Every count a user gives (replicates, seed, design points, Morris levels, grid levels, replicate
blocks) goes through the bounds of the scenario schema field it corresponds to, read from the
schema itself so that the command line, sweep files and scenario files accept the same numbers.
Before a run, :func:`check_fits` compares the memory the run will need with what is available.
"""

from __future__ import annotations

import os
import types
import typing
from pathlib import Path

import annotated_types
from pydantic import BaseModel

from simulator.scenario.schema import Scenario, SweepSpec

#: a local pool (or LocalCluster) of more processes than this is a typo, not a machine
MAX_WORKERS = 1024
#: work units of one sweep: each is a chunk file and about 0.2 s of one core, so a million units
#: is a million files and more than 50 core-hours; beyond that, split the sweep
MAX_UNITS = 1_000_000
#: use at most this share of the available memory (the rest is the interpreter, Arrow, plots)
MEMORY_SHARE = 0.8


class OptionError(ValueError):
    """A command option's value that cannot be used (origins, leads, dates, shares): exit 2."""


class LimitError(ValueError):
    """A count out of bounds, or work too large for this machine (reported with exit status 2)."""


def field_bounds(model: type[BaseModel], name: str) -> tuple[int | None, int | None]:
    """Inclusive (lower, upper) bounds of an integer field of a schema model (None: unbounded)."""
    field = model.model_fields[name]
    constraints = list(field.metadata)
    for arg in typing.get_args(field.annotation) if _is_union(field.annotation) else ():
        if typing.get_origin(arg) is typing.Annotated:
            for extra in typing.get_args(arg)[1:]:
                constraints.extend(getattr(extra, "metadata", [extra]))
    lo = hi = None
    for c in constraints:
        if isinstance(c, annotated_types.Ge):
            lo = _whole(c.ge)
        elif isinstance(c, annotated_types.Gt):
            lo = _whole(c.gt) + 1
        elif isinstance(c, annotated_types.Le):
            hi = _whole(c.le)
        elif isinstance(c, annotated_types.Lt):
            hi = _whole(c.lt) - 1
    return lo, hi


def _whole(bound: object) -> int:
    """``int(bound)``: annotated_types types a bound as merely comparable; ours are numbers."""
    return int(typing.cast(typing.SupportsInt, bound))


def check_count(what: str, value: int, model: type[BaseModel], name: str) -> int:
    """``value`` if within the schema's bounds on ``model.name``, else LimitError on ``what``."""
    lo, hi = field_bounds(model, name)
    check_range(what, value, lo, hi, f"the bound on `{name}` in scenario files")
    return value


def check_range(what: str, value: int, lo: int | None, hi: int | None, why: str = "") -> int:
    """``value`` if ``lo <= value <= hi``; else LimitError naming ``what`` (and ``why``)."""
    because = f" ({why})" if why else ""
    if lo is not None and value < lo:
        raise LimitError(f"{what} {value}: must be at least {lo:,}{because}.")
    if hi is not None and value > hi:
        raise LimitError(f"{what} {value:,}: must be at most {hi:,}{because}.")
    return value


def replicates_bounds() -> tuple[int | None, int | None]:
    """Bounds on a run's replicates (the scenario's ``replicates``)."""
    return field_bounds(Scenario, "replicates")


def design_points_bound() -> int | None:
    """The most design points a sweep may have (the bound on a sweep's ``points``)."""
    return field_bounds(SweepSpec, "points")[1]


def available_memory() -> int | None:
    """Bytes of memory available to a new allocation now (None if this system cannot say)."""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None


def check_fits(needed: int, what: str, advice: str) -> None:
    """Refuse work needing ``needed`` bytes when less than that is available (with ``advice``)."""
    available = available_memory()
    if available is None or needed <= MEMORY_SHARE * available:
        return
    raise LimitError(
        f"{what} would need about {_size(needed)} of memory, but {_size(available)} is "
        f"available; {advice}"
    )


def _size(n: float) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if n < 1000:
            return f"{n:,.0f} {unit}"
        n /= 1000
    return f"{n:,.1f} TB"


def _is_union(annotation: object) -> bool:
    return typing.get_origin(annotation) in (typing.Union, types.UnionType)
