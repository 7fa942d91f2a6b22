"""The parameters of a sweep as a file states them: ``lo:hi:n``, ``lo:hi``, ``a,b,c`` or a list.

:func:`parse_spec` reads one parameter's text; :func:`spec_problems` checks a whole
:class:`~simulator.scenario.schema.SweepSpec` as written (each text parses, the design has what
it needs), with paths inside the spec so the loader can point at file lines. Whether each path
names a number of the scenario is checked by the loader, which can build the scenario.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from simulator.scenario.problems import Problem
from simulator.scenario.schema import SweepSpec

_SAMPLED = ("lhs", "sobol", "morris")


def _upper_bound(field: str) -> int:
    """The schema's upper bound of a SweepSpec count (one source for both limits)."""
    prop = SweepSpec.model_json_schema()["properties"][field]
    return next(int(s["maximum"]) for s in (prop, *prop.get("anyOf", ())) if "maximum" in s)


#: A grid may have at most as many points as a sampled design (the schema's bound on `points`).
MAX_POINTS = _upper_bound("points")


@dataclass(frozen=True)
class SpecRange:
    """One parameter's range: bounds with an optional number of grid levels, or explicit values."""

    low: float | None = None
    high: float | None = None
    count: int | None = None
    values: tuple[float, ...] | None = None

    def bounds(self) -> tuple[float, float]:
        """Lower and upper bound (of the values, for a list)."""
        if self.values is not None:
            return min(self.values), max(self.values)
        if self.low is None or self.high is None:
            raise ValueError("a range needs both bounds or a list of values")
        return self.low, self.high

    def grid_size(self) -> int | None:
        """Levels on a grid, or None when only bounds are given."""
        return len(self.values) if self.values is not None else self.count

    def extremes(self) -> tuple[float, ...]:
        """The values that bound every value a design takes: the bounds, or every listed one."""
        return self.values if self.values is not None else self.bounds()


def parse_spec(spec: str | Sequence[float]) -> SpecRange:
    """Read ``lo:hi:n`` (a grid of n levels), ``lo:hi`` (bounds), ``a,b,c`` or a list of numbers.

    Raises ValueError with a message that names only the text given.
    """
    if not isinstance(spec, str):
        values = tuple(_number(str(v), spec) for v in spec)
        if not values:
            raise ValueError("the list of values is empty")
        return SpecRange(values=values)
    text = spec.strip()
    if ":" in text:
        parts = [p.strip() for p in text.split(":")]
        if len(parts) not in (2, 3):
            raise ValueError(f"{spec!r} has {len(parts)} parts; expected lo:hi:n or lo:hi")
        low, high = _number(parts[0], spec), _number(parts[1], spec)
        count = None
        if len(parts) == 3:
            if not parts[2].isdigit():
                raise ValueError(
                    f"{spec!r}: the number of levels {parts[2]!r} is not a whole number"
                )
            count = int(parts[2])
            if not 1 <= count <= MAX_POINTS:
                raise ValueError(f"{spec!r}: the number of levels must be 1 to {MAX_POINTS:,}")
        if high < low:
            raise ValueError(f"{spec!r}: the upper bound {high:g} is below the lower bound {low:g}")
        return SpecRange(low, high, count)
    values = tuple(_number(v.strip(), spec) for v in text.split(",") if v.strip())
    if not values:
        raise ValueError(f"{spec!r} holds no values; expected lo:hi:n, lo:hi or a,b,c")
    return SpecRange(values=values)


def _number(text: str, spec: object) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ValueError(
            f"{text!r} in {spec!r} is not a number; expected lo:hi:n, lo:hi or a,b,c"
        ) from None
    if not math.isfinite(value):
        raise ValueError(f"{text!r} in {spec!r} is not a finite number")
    return value


def spec_problems(spec: SweepSpec, design: bool = True) -> Iterator[Problem]:
    """Every fault of a sweep as written; ``design``: also whether the design has what it needs.

    Paths are inside the spec (``("params", "actors.KH.control")``, ``("points",)``).
    """
    ranges: dict[str, SpecRange] = {}
    for path, value in spec.params.items():
        try:
            ranges[path] = parse_spec(value)
        except ValueError as err:
            yield ("params", path), str(err)
    for i, lever in enumerate(spec.levers):
        if lever not in spec.params:
            yield (
                ("levers", i),
                f"{lever!r} is not one of the swept params ({', '.join(spec.params)})",
            )
    if not design:
        return
    if spec.design == "grid":
        size = 1
        for path, r in ranges.items():
            if r.grid_size() is None:
                yield (
                    ("params", path),
                    "a grid needs lo:hi:n or a list of values; lo:hi gives only bounds "
                    f"(for the {', '.join(_SAMPLED)} designs)",
                )
            size *= r.grid_size() or 1
        if size > MAX_POINTS:
            yield ("params",), f"the grid has {size:,} points; at most {MAX_POINTS:,}"
        return
    if spec.points is None:
        yield ("design",), f"the {spec.design} design needs `points`"
    elif spec.design == "sobol" and spec.points & (spec.points - 1):
        power = 2 ** math.ceil(math.log2(spec.points))
        yield ("points",), f"a Sobol design needs a power of 2 (e.g. {power})"
    for path, r in ranges.items():
        low, high = r.bounds()
        if not high > low:
            yield ("params", path), f"a {spec.design} design needs a lower bound below the upper"
