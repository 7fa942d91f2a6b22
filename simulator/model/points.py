"""Design points on the replicate axis: several parameter settings run as one model.

A model of P design points × r replicates has R = P·r columns: column ``c`` is replicate
``first + c mod r`` of point ``c // r``. Every number a point may change is held as

- the plain value (a Python or numpy scalar, or an array of the model's own shape) when every
  point has the same one, so that a single point computes exactly as it always has; or
- an array whose **last axis is the column** (the value of each column's point) when they differ.

Elementwise arithmetic gives the same result on a column either way, so replicate k of point p
is the same world whether the point runs alone or stacked with others. Code that combines a
parameter with a subset of the columns takes :func:`at` of it; code that branches on a
parameter asks whether the branch is needed in *any* column and does arithmetic that is exact
(adds 0, multiplies by 1) where it is not.

Which numbers may differ between stacked points is what :func:`stack_signature` blanks: the
actors' scalar parameters (:data:`ACTOR_FIELDS`) and initial threat, the dynamics, the
perception table and the scenario's rationality. Points that differ in anything else (the
ladder, red lines, events, restraint windows, horizon, …) are not stacked: :func:`stack_groups`
puts them in groups of their own.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

#: Numbers design points may differ in and still run as one model, by section of the scenario.
ACTOR_FIELDS = frozenset(
    {
        "resolve",
        "capability",
        "risk_tolerance",
        "domestic_pressure",
        "grievance",
        "audience_cost",
        "mediation",
        "rationality",
        "security",
        "control",
    }
)


def at(value: Any, cols: Any) -> Any:
    """A parameter's value in some columns: itself if one value serves all, else its entries."""
    return value[..., cols] if isinstance(value, np.ndarray) and value.ndim else value


def any_of(value: Any) -> bool:
    """Whether a condition on a parameter holds in any column (a plain bool when uniform)."""
    if isinstance(value, np.ndarray):
        return bool(value.any())
    return bool(value)


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        a, b = np.asarray(a), np.asarray(b)
        return a.shape == b.shape and a.dtype == b.dtype and np.array_equal(a, b, equal_nan=True)
    return type(a) is type(b) and a == b


class Columns:
    """The columns of a model: which point and which replicate each one is."""

    def __init__(self, points: int, size: int, first: int):
        self.points, self.size, self.first = int(points), int(size), int(first)
        self.total = self.points * self.size
        #: replicate index of every column (the same worlds in every point)
        self.replicate = np.tile(np.arange(first, first + size), self.points)
        #: design point (0 … P−1, in the model's order) of every column
        self.point = np.repeat(np.arange(self.points), self.size)

    def stack(self, values: Sequence[Any]) -> Any:
        """One value per point → the value (all the same) or an array over columns (last axis)."""
        first = values[0]
        if all(_same(v, first) for v in values[1:]):
            return first
        arr = np.asarray(values)
        if arr.dtype == object:
            raise ValueError("design points differ in a value that cannot vary by column")
        return np.repeat(np.moveaxis(arr, 0, -1), self.size, axis=-1)

    def block(self, point: int) -> slice:
        """The columns of one point."""
        return slice(point * self.size, (point + 1) * self.size)


class PointSpec:
    """An actor's or the dynamics' settings over the points: numbers stacked by column.

    Attribute access returns the value every point shares, or the stacked array of a number
    that differs; a non-numeric value that differs is an error (such points are not stacked).
    """

    def __init__(self, specs: Sequence[Any], columns: Columns):
        self._specs, self._columns = list(specs), columns

    @property
    def specs(self) -> list[Any]:
        """The settings of each point."""
        return self._specs

    def __getattr__(self, name: str) -> Any:
        """The setting, worked out on first use and then kept as a plain attribute.

        Kept in the instance's ``__dict__``, later reads never come here: a model reads its
        settings many times a day, and a miss that reaches ``__getattr__`` costs microseconds.
        """
        if name.startswith("_"):
            raise AttributeError(name)
        values = [getattr(s, name) for s in self._specs]
        first = values[0]
        if all(_same(v, first) for v in values[1:]):
            value = first
        elif all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
            value = self._columns.stack([float(v) for v in values])
        else:
            raise ValueError(f"design points differ in {name!r}, which cannot vary by column")
        self.__dict__[name] = value
        return value


def stack_signature(data: dict[str, Any]) -> Any:
    """A scenario's data with every stackable number blanked: equal signatures stack.

    The replicate count is blanked too (the model sets it); the seed is not (every point of a
    model draws from the same streams). The signature shares the data's values: compare it, do
    not change it (a deep copy of the data cost more than the rest of the check).
    """
    blanked = ("replicates", "rationality", "dynamics", "perception")  # perception: its numbers
    out = {key: value for key, value in data.items() if key not in blanked}
    actors = out.get("actors")
    if actors:  # who blames whom is a name: kept below
        out["actors"] = {name: _actor_signature(spec) for name, spec in actors.items()}
    blamed = []
    for observer, row in sorted((data.get("perception") or {}).items()):
        for actor, patch in sorted((row or {}).items()):
            if isinstance(patch, dict) and "attribute_to" in patch:
                blamed.append((observer, actor, patch["attribute_to"]))
    out["__attribute_to__"] = blamed
    return out


def _actor_signature(spec: Any) -> Any:
    """An actor's settings without its stackable numbers; its initial threat by whom only."""
    if not isinstance(spec, dict):
        return spec
    kept = {}
    for name, value in spec.items():
        if name == "initial_threat":
            kept[name] = sorted(value) if isinstance(value, dict) else value
        elif name not in ACTOR_FIELDS:
            kept[name] = value
    return kept


def check_stackable(points: Sequence[Any]) -> None:
    """Raise ValueError unless the scenarios differ only in numbers that can vary by column."""
    from simulator.scenario import scenario_data

    first = stack_signature(scenario_data(points[0]))
    for number, point in enumerate(points[1:], start=1):
        if stack_signature(scenario_data(point)) != first:
            raise ValueError(
                f"design point {number} differs from the first in more than the numbers that "
                "can vary by column (actors' scalars and initial threat, dynamics, perception, "
                "rationality): run it as a model of its own"
            )


def stack_groups(datas: Sequence[dict[str, Any]]) -> list[list[int]]:
    """Indices of the points that may run as one model, in order of first appearance."""
    groups: list[tuple[Any, list[int]]] = []
    for index, data in enumerate(datas):
        signature = stack_signature(data)
        for sig, members in groups:
            if sig == signature:
                members.append(index)
                break
        else:
            groups.append((signature, [index]))
    return [members for _, members in groups]


def per_actor(values: Sequence[Any], column: bool = True) -> np.ndarray:
    """One number per actor: actors × 1 (``column``) or actors; actors × columns if they differ.

    A number differs by column where stacked design points set it differently.
    """
    if any(isinstance(v, np.ndarray) for v in values):
        width = max(len(v) for v in values if isinstance(v, np.ndarray))
        return np.stack([np.broadcast_to(np.asarray(v, dtype=float), (width,)) for v in values])
    table = np.array(values, dtype=float)
    return table[:, None] if column else table


def sum_rows(rows: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """``rows[0] + rows[1] + …`` column by column, in that order: the same bits at any width.

    numpy's sum over the leading axes adds row after row when there are several columns, but
    where there is one (a replay, a one-column chunk, mesa's batch_run) the column axis drops
    out and numpy sums along the data pairwise: a replicate would then differ in the last bits
    from the same replicate in a wider model. A running sum keeps the order (``cumsum`` is never
    pairwise). ``rows`` is (rows, …, columns); the sum is over all axes but the last, into
    ``out`` if given.
    """
    if rows.shape[-1] != 1:
        return rows.sum(axis=tuple(range(rows.ndim - 1)), out=out)
    total = np.cumsum(rows.reshape(-1), axis=0)[-1:]
    if out is None:
        return total
    out[...] = total
    return out


def float32(value: Any) -> Any:
    """A parameter's value rounded to single precision (a scalar stays a scalar)."""
    if isinstance(value, np.ndarray):
        return value.astype(np.float32)
    return np.float32(value)


def number(value: Any) -> Any:
    """A parameter's value as a float, or its array over columns where points differ."""
    if isinstance(value, np.ndarray) and value.ndim:
        return value
    return float(value)


def take(table: np.ndarray, index: np.ndarray, columns: np.ndarray) -> np.ndarray:
    """``table[index]`` per column, for a table indexed by actor or rung (a new array).

    A table of one value per entry is indexed by ``index``; a table over columns too (stacked
    points that differ) by ``index`` and the column each entry belongs to.
    """
    if table.ndim == 1:
        return table[index]
    return table[index, columns]
