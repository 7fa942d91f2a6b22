"""Experimental designs over scenario parameters: grids, Latin hypercubes, Sobol, Morris.

A parameter is any scalar of the scenario schema, named by its dotted path (as for ``--set``).
Grids take ``lo:hi:n`` or a list ``a,b,c``; sampled designs take ``lo:hi``. Latin hypercubes come
from :mod:`scipy.stats.qmc` (McKay et al. 1979), Saltelli and Morris samples from SALib
(Saltelli 2002; Morris 1991, Campolongo et al. 2007), all seeded.
"""

from __future__ import annotations

import itertools
import math
import typing
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from simulator.experiment.limits import (
    LimitError,
    check_count,
    design_points_bound,
)
from simulator.scenario.schema import SweepSpec
from simulator.scenario.sweep_spec import parse_spec

#: the design kinds, as sweep files name them (the schema's list)
DESIGNS: tuple[str, ...] = typing.get_args(SweepSpec.model_fields["design"].annotation)


class DesignError(LimitError):
    """A parameter or design specification that cannot be used."""


@dataclass(frozen=True)
class Parameter:
    """One swept scenario scalar: a path and either bounds or explicit levels."""

    path: str
    low: float | None = None
    high: float | None = None
    count: int | None = None
    values: tuple[float, ...] | None = None
    integer: bool = False

    def level_count(self) -> int:
        """How many levels a full-factorial grid takes for this parameter."""
        if self.values is not None:
            return len(self.values)
        if self.count is None:
            raise DesignError(
                f"--param {self.path}: a grid needs lo:hi:n or a list of values, "
                f"got only bounds {self.low}:{self.high}"
            )
        return self.count

    def grid_values(self) -> tuple[float, ...]:
        """The levels a full-factorial grid takes for this parameter."""
        if self.values is not None:
            return self.values
        count = self.level_count()
        low, high = self._span()
        levels = np.linspace(low, high, count)
        return tuple(self.cast(v) for v in levels)

    def bounds(self) -> tuple[float, float]:
        """Lower and upper bound for sampled designs."""
        if self.values is not None:
            return float(min(self.values)), float(max(self.values))
        low, high = self._span()
        return float(low), float(high)

    def _span(self) -> tuple[float, float]:
        """``low`` and ``high``, which a parameter without ``values`` has (its text was lo:hi)."""
        if self.low is None or self.high is None:
            raise DesignError(f"--param {self.path}: expected lo:hi:n, lo:hi or a,b,c")
        return self.low, self.high

    def cast(self, value: float) -> float | int:
        """A design value as the scenario expects it: a plain int (rounded) or float."""
        return int(round(value)) if self.integer else float(f"{float(value):.12g}")


def parse_parameter(text: str, integer: bool = False) -> Parameter:
    """Parse ``path=lo:hi:n``, ``path=lo:hi`` or ``path=a,b,c`` (the sweep section's syntax)."""
    path, sep, spec = text.partition("=")
    path, spec = path.strip(), spec.strip()
    if not sep or not path or not spec:
        raise DesignError(f"--param {text!r}: expected PATH=lo:hi:n, PATH=lo:hi or PATH=a,b,c")
    try:
        r = parse_spec(spec)
    except ValueError as err:
        raise DesignError(f"--param {path}: {err}") from None
    return Parameter(path, r.low, r.high, r.count, r.values, integer)


@dataclass(frozen=True)
class Design:
    """A design: its kind, parameters and sampling settings."""

    kind: str
    parameters: tuple[Parameter, ...]
    points: int | None = None
    seed: int = 0
    second_order: bool = False
    levels: int = 4
    #: the parameters that are levers (policies); the others are uncertainties
    levers: tuple[str, ...] = ()

    def problem(self) -> dict[str, Any]:
        """The SALib problem definition."""
        return {
            "num_vars": len(self.parameters),
            "names": [p.path for p in self.parameters],
            "bounds": [list(p.bounds()) for p in self.parameters],
        }

    def size(self) -> int:
        """The number of design points, computed without building the design."""
        self._check()
        d = len(self.parameters)
        if self.kind == "grid":
            return math.prod(p.level_count() for p in self.parameters)
        points = self._points()
        if self.kind == "sobol":
            return points * (2 * d + 2 if self.second_order else d + 2)
        if self.kind == "morris":
            return points * (d + 1)
        return points

    @property
    def needs_every_point(self) -> bool:
        """Whether the design's estimators (Sobol, Morris) need every design point."""
        return self.kind in ("sobol", "morris")

    def describe(self) -> str:
        """The design in words, for captions: e.g. "Sobol design, N = 64"."""
        if self.kind == "grid":
            return "grid design"
        if self.kind == "lhs":
            return "Latin hypercube design"
        if self.kind == "sobol":
            return f"Sobol design, N = {self.points}" + (" with S2" if self.second_order else "")
        return f"Morris design, {self.points} trajectories, {self.levels} levels"

    def _check(self) -> None:
        if not self.parameters:
            raise DesignError("a sweep needs at least one --param")
        if self.kind not in DESIGNS:
            raise DesignError(f"unknown design '{self.kind}'; allowed: {', '.join(DESIGNS)}")
        if self.kind == "grid":
            return
        check_count("--points", self._points(), SweepSpec, "points")
        if self.kind == "morris":
            check_count("--levels", self.levels, SweepSpec, "levels")
        for p in self.parameters:
            low, high = p.bounds()
            if not high > low:
                raise DesignError(f"--param {p.path}: a {self.kind} design needs lo < hi")

    def _points(self) -> int:
        """``points``, which a sampled design needs."""
        if not self.points or self.points < 1:
            raise DesignError(f"the {self.kind} design needs --points N (N ≥ 1)")
        return self.points

    def matrix(self) -> npt.NDArray[np.float64]:
        """The design matrix: one row per design point, one column per parameter."""
        size, bound = self.size(), design_points_bound()
        if bound is not None and size > bound:
            raise DesignError(
                f"the {self.describe()} has {size:,} design points; at most {bound:,} are allowed "
                "(the bound on a sweep's `points` in scenario files)."
            )
        if self.kind == "grid":
            rows = itertools.product(*(p.grid_values() for p in self.parameters))
            return np.array(list(rows), dtype=np.float64)
        points = self._points()
        if self.kind == "lhs":
            from scipy.stats import qmc

            unit = qmc.LatinHypercube(d=len(self.parameters), seed=self.seed).random(points)
            lows, highs = np.array([p.bounds() for p in self.parameters]).T
            raw = qmc.scale(unit, lows, highs)
        elif self.kind == "sobol":
            from SALib.sample import sobol

            if points & (points - 1):
                raise DesignError(
                    f"--points {points}: a Sobol design needs a power of 2 "
                    f"(e.g. {2 ** math.ceil(math.log2(points))})"
                )
            raw = sobol.sample(
                self.problem(),
                points,
                calc_second_order=self.second_order,
                seed=self.seed,
            )
        else:
            from SALib.sample import morris

            raw = morris.sample(self.problem(), points, num_levels=self.levels, seed=self.seed)
        return np.array(
            [[p.cast(v) for p, v in zip(self.parameters, row, strict=True)] for row in raw],
            dtype=np.float64,
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready description, stored in a sweep's manifest."""
        data = asdict(self)
        data["parameters"] = [asdict(p) for p in self.parameters]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Design:
        """Inverse of :meth:`to_dict` (keys it does not know, from other versions, are ignored)."""
        known = set(cls.__dataclass_fields__)
        params = tuple(
            Parameter(**{**p, "values": tuple(p["values"]) if p["values"] is not None else None})
            for p in data["parameters"]
        )
        kept = {k: v for k, v in data.items() if k in known and k not in ("parameters", "levers")}
        return cls(**kept, parameters=params, levers=tuple(data.get("levers", ())))
