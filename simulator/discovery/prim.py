"""PRIM for scenario discovery: one box, its peeling and pasting trajectory, its statistics.

The Patient Rule Induction Method (Friedman & Fisher 1999) looks for a box — an interval on each
parameter — in which the cases of interest are concentrated. Scenario discovery (Bryant & Lempert
2010; Kwakkel & Jaxa-Rozen 2016, whose EMA Workbench this follows) runs it on a sweep: ``x`` the
sampled parameters, ``y`` whether a run ended in the outcome of interest (a caller with a
continuous outcome ``v`` takes ``y = v >= threshold``).

The algorithm, as :func:`prim` implements it:

* **Start** with the box holding every point: each parameter's full range in the data.
* **Peel.** For each parameter there are two candidate peels: remove the ``alpha`` share of the
  box's points with the lowest values of that parameter, or the ``alpha`` share with the highest
  (``k = max(1, floor(alpha · n_box))`` points; points tied with the k-th value go too, so a
  parameter with few distinct values is peeled a whole value at a time). The new limit lies
  halfway between the last removed and the first kept value. The peel that raises the density
  most *per point removed* is taken (EMA Workbench's default objective, "lenient1"): on a
  continuous parameter every peel removes the same ``k`` points, so this is simply the densest
  new box, but a tied value of a discrete parameter can make one peel remove half the box for a
  sliver of density, and per point it does not win. Ties: the peel restricting fewer parameters,
  then the one keeping more points. Peeling stops when no peel both keeps the box's mass at or
  above ``min_mass`` and raises the density (EMA Workbench's rule; Friedman & Fisher peel to the
  mass floor whatever the density).
* **Paste** (``paste=True``). From the last peeled box, each restricted limit may be moved back
  out to take in the ``alpha · n_box`` nearest points beyond it (among points inside the box on
  every other parameter); the paste that raises the density most per point added is taken
  (ties: the one adding more), while one raises it at all. A limit pasted past the last point
  beyond it returns to the parameter's full range.

Every box along the way is a step of the :class:`Trajectory`, with its coverage (share of all
cases of interest inside), density (share of the box's points that are of interest), mass (share
of all points inside) and quasi-p values. Coverage never rises along the peels and density never
falls; the analyst picks the trade-off with :meth:`Trajectory.choose`.

This finds one box. For a second, drop the points inside the first and run again (EMA's covering
approach).

References: Friedman, J. H., & Fisher, N. I. (1999). Bump hunting in high-dimensional data.
*Statistics and Computing* 9, 123–143. Bryant, B. P., & Lempert, R. J. (2010). Thinking inside
the box. *Technological Forecasting and Social Change* 77, 34–49. Kwakkel, J. H., &
Jaxa-Rozen, M. (2016). Improving scenario discovery for handling heterogeneous uncertainties and
multinomial classified outcomes. *Environmental Modelling & Software* 79, 311–321.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

__all__ = ["Box", "Trajectory", "prim"]

BoolArray = npt.NDArray[np.bool_]
FloatArray = npt.NDArray[np.float64]

#: the columns of :attr:`Trajectory.steps`
STEP_COLUMNS = ("phase", "coverage", "density", "mass", "n", "res_dim")


@dataclass(frozen=True, eq=False)
class Box:
    """One box of a PRIM trajectory and its statistics.

    ``limits`` has one row per parameter (index: the parameter's name, in ``x``'s column order)
    and the columns ``low`` and ``high`` (the box's bounds, inclusive; the parameter's full range
    in the data where it is not restricted) and ``restricted`` (bool: a bound lies inside the
    full range). A point is inside when ``low <= value <= high`` on every parameter.

    ``quasi_p`` has one entry per restricted parameter: the one-sided binomial p-value that the
    restriction matters (Bryant & Lempert 2010, as EMA Workbench computes it, but one value per
    parameter rather than one per bound). Drop that parameter's restriction (both bounds back to
    its full range), keep the others, and let ``p`` be the density of that larger box. Then
    ``quasi_p = P(X >= h)`` for ``X ~ Binomial(n, p)``, with ``n`` the points and ``h`` the cases
    of interest inside the box itself: how likely a box of ``n`` points drawn at density ``p``
    would be to hold as many cases of interest as this one. Small values mean the restriction
    earns its place; values near 1 that it adds little. (Only a screening aid: the box was
    chosen to look dense, so these are not p-values in the strict sense.)

    Not comparable with ``==`` (``eq=False``): the fields hold a DataFrame.
    """

    limits: pd.DataFrame
    coverage: float
    density: float
    mass: float
    n: int
    quasi_p: dict[str, float]

    @property
    def restricted(self) -> list[str]:
        """The restricted parameters, in ``x``'s column order."""
        return [str(name) for name in self.limits.index[self.limits["restricted"].to_numpy()]]

    def contains(self, x: pd.DataFrame) -> BoolArray:
        """Which rows of ``x`` (holding at least the restricted parameters) lie in the box."""
        inside = np.ones(len(x), dtype=bool)
        lows = self.limits["low"].to_numpy(dtype=float)
        highs = self.limits["high"].to_numpy(dtype=float)
        restricted = self.limits["restricted"].to_numpy(dtype=bool)
        for name, low, high in zip(
            self.limits.index[restricted], lows[restricted], highs[restricted], strict=True
        ):
            values = x[name].to_numpy(dtype=float)
            inside &= (values >= low) & (values <= high)
        return inside


@dataclass(frozen=True, eq=False)
class Trajectory:
    """The boxes PRIM passed through, one per step, and a table of their statistics.

    ``steps`` has one row per box, in order (index 0, 1, …; row ``i`` describes ``boxes[i]``):
    ``phase`` ("start" for the box holding every point, then "peel" or "paste"), ``coverage``,
    ``density``, ``mass``, ``n`` (points inside) and ``res_dim`` (how many parameters the box
    restricts).
    """

    steps: pd.DataFrame
    boxes: list[Box]

    def choose_step(
        self, min_density: float | None = None, min_coverage: float | None = None
    ) -> int:
        """The index of the step :meth:`choose` picks; see there for the rule."""
        for name, bound in (("min_density", min_density), ("min_coverage", min_coverage)):
            if bound is not None and not 0.0 <= bound <= 1.0:
                raise ValueError(f"{name} must lie in [0, 1], got {bound}")
        coverage = self.steps["coverage"].to_numpy(dtype=float)
        density = self.steps["density"].to_numpy(dtype=float)
        res_dim = self.steps["res_dim"].to_numpy(dtype=int)
        if min_density is None and min_coverage is None:
            return _knee(coverage, density, res_dim)
        ok = np.ones(len(coverage), dtype=bool)
        if min_density is not None:
            ok &= density >= min_density
        if min_coverage is not None:
            ok &= coverage >= min_coverage
        if not ok.any():
            raise ValueError(
                f"no step has density >= {min_density} and coverage >= {min_coverage} "
                f"(densities {density.min():.3f}–{density.max():.3f}, "
                f"coverages {coverage.min():.3f}–{coverage.max():.3f})"
            )
        candidates = np.flatnonzero(ok)
        if min_density is not None:
            # the most coverage the density allows; then density, fewer restrictions, earlier
            order = np.lexsort((candidates, res_dim[ok], -density[ok], -coverage[ok]))
        else:
            order = np.lexsort((candidates, res_dim[ok], -coverage[ok], -density[ok]))
        return int(candidates[order[0]])

    def choose(self, min_density: float | None = None, min_coverage: float | None = None) -> Box:
        """Pick one box of the trajectory.

        * ``min_density`` given: of the steps with density ``>= min_density`` (and coverage
          ``>= min_coverage`` if that is given too), the one with the highest coverage — along
          the peels, the first to reach the density. Ties: higher density, then fewer restricted
          parameters, then the earlier step.
        * only ``min_coverage`` given: of the steps with coverage ``>= min_coverage``, the one
          with the highest density (ties: higher coverage, fewer restrictions, earlier).
        * neither: the knee of the coverage–density trade-off. Draw the chord, in the
          (coverage, density) plane, from the first step (every point: coverage 1, the base
          rate) to the densest step; of the steps no other step beats on both coverage and
          density (the Pareto front), take the one farthest above that chord, towards high
          coverage and high density (ties: the higher coverage). If none lies above it, the
          densest step.

        Raises ValueError when no step meets the thresholds, or a threshold is outside [0, 1].
        """
        return self.boxes[self.choose_step(min_density, min_coverage)]


def _knee(coverage: FloatArray, density: FloatArray, res_dim: npt.NDArray[np.int_]) -> int:
    """The knee of the coverage–density trade-off; see :meth:`Trajectory.choose`."""
    n = len(coverage)
    # best first: coverage, density, fewer restrictions, earlier step
    order = np.lexsort((np.arange(n), res_dim, -density, -coverage))
    front: list[int] = []
    for i in order:
        # sorted by coverage descending: i is on the front when denser than all before it
        if not front or density[i] > density[front[-1]]:
            front.append(int(i))
    last = front[-1]
    # the chord from the start (step 0: all points, the base rate) to the densest box
    dx = coverage[last] - coverage[0]
    dy = density[last] - density[0]
    if dx == 0 and dy == 0:
        return last
    # how far each point lies above the chord, towards high coverage and density (dx <= 0)
    above = [
        (dy * (coverage[i] - coverage[0]) - dx * (density[i] - density[0])) / math.hypot(dx, dy)
        for i in front
    ]
    best = int(np.argmax(above))
    return front[best] if above[best] > 0 else last


def validate_xy(
    x: pd.DataFrame, y: object, *, boolean: bool = True
) -> tuple[FloatArray, FloatArray]:
    """Check the inputs shared by PRIM, CART and the feature scores; return them as arrays.

    ``x``: a non-empty DataFrame of numeric (or bool) columns with unique string names, no NaN
    or infinity. ``y``: one-dimensional, as long as ``x``; boolean (numpy or pandas bool dtype, no
    missing values) when ``boolean``, else numeric and finite. Raises ValueError naming what is
    wrong; returns ``x`` as a float matrix and ``y`` as a float vector (0/1 when boolean).
    """
    if not isinstance(x, pd.DataFrame):
        raise ValueError(f"x must be a pandas DataFrame, got {type(x).__name__}")
    if x.shape[0] == 0 or x.shape[1] == 0:
        raise ValueError(f"x is empty ({x.shape[0]} rows, {x.shape[1]} columns)")
    if not all(isinstance(c, str) for c in x.columns):
        raise ValueError("x's column names must be strings (the parameters' names)")
    if not x.columns.is_unique:
        raise ValueError("x has duplicate column names")
    bad = [str(c) for c in x.columns if not pd.api.types.is_numeric_dtype(x[c].dtype)]
    bad += [str(c) for c in x.columns if pd.api.types.is_complex_dtype(x[c].dtype)]
    if bad:
        raise ValueError(f"x's parameters must be numeric; not: {', '.join(bad)}")
    try:
        matrix = x.to_numpy(dtype=float)
    except (TypeError, ValueError) as error:  # e.g. pandas' nullable types holding NA
        raise ValueError(f"x cannot be read as numbers: {error}") from error
    if not np.isfinite(matrix).all():
        bad = [
            str(c)
            for c, ok in zip(x.columns, np.isfinite(matrix).all(axis=0), strict=True)
            if not ok
        ]
        raise ValueError(f"x has NaN or infinite values in: {', '.join(bad)}")

    values = np.asarray(y)
    if values.ndim != 1:
        raise ValueError(f"y must be one-dimensional, got shape {values.shape}")
    if len(values) != len(x):
        raise ValueError(f"y has {len(values)} values but x has {len(x)} rows")
    if boolean:
        if values.dtype != np.bool_:
            raise ValueError(
                f"y must be boolean (cases of interest), got dtype {values.dtype}; "
                "derive it from a continuous outcome with a threshold, e.g. y = v >= p"
            )
    else:
        if values.dtype == np.bool_:
            return matrix, values.astype(float)
        if not np.issubdtype(values.dtype, np.number) or np.issubdtype(
            values.dtype, np.complexfloating
        ):
            raise ValueError(f"y must be boolean or numeric, got dtype {values.dtype}")
        if not np.isfinite(values).all():
            raise ValueError("y has NaN or infinite values")
    return matrix, values.astype(float)


def prim(
    x: pd.DataFrame,
    y: npt.ArrayLike,
    *,
    alpha: float = 0.05,
    min_mass: float = 0.05,
    paste: bool = True,
) -> Trajectory:
    """Run PRIM on parameters ``x`` and cases of interest ``y``; return the whole trajectory.

    ``x``: one numeric column per parameter (no NaN). ``y``: boolean, one value per row of ``x``,
    at least one True. ``alpha``: the share of the box's points each peel removes (and each paste
    adds), in (0, 0.5). ``min_mass``: the smallest share of all points a box may hold, in (0, 1).
    ``paste``: whether to paste after peeling. The algorithm is described in the module's
    docstring; pick a box with :meth:`Trajectory.choose`. Raises ValueError on bad input.
    """
    if not 0.0 < alpha < 0.5:
        raise ValueError(f"alpha must lie in (0, 0.5), got {alpha}")
    if not 0.0 < min_mass < 1.0:
        raise ValueError(f"min_mass must lie in (0, 1), got {min_mass}")
    matrix, target = validate_xy(x, y)
    interest = target.astype(bool)
    if not interest.any():
        raise ValueError("y has no case of interest (no True value)")
    return _Prim([str(c) for c in x.columns], matrix, interest, alpha, min_mass).run(paste)


class _Prim:
    """The state of one PRIM run: the data, the current box and the steps so far."""

    def __init__(
        self, names: list[str], x: FloatArray, y: BoolArray, alpha: float, min_mass: float
    ) -> None:
        self.names = names
        self.x = x
        self.y = y
        self.alpha = alpha
        self.n_total = len(y)
        self.coi_total = int(y.sum())
        # a box may not hold fewer points than this
        self.n_min = min_mass * self.n_total
        self.full_low: FloatArray = x.min(axis=0)
        self.full_high: FloatArray = x.max(axis=0)
        self.low = self.full_low.copy()
        self.high = self.full_high.copy()
        self.phases: list[str] = []
        self.boxes: list[Box] = []

    def run(self, paste: bool) -> Trajectory:
        self._record("start")
        while self._peel():
            self._record("peel")
        if paste:
            while self._paste():
                self._record("paste")
        rows = [
            {
                "phase": phase,
                "coverage": box.coverage,
                "density": box.density,
                "mass": box.mass,
                "n": box.n,
                "res_dim": len(box.quasi_p),
            }
            for phase, box in zip(self.phases, self.boxes, strict=True)
        ]
        return Trajectory(steps=pd.DataFrame(rows, columns=list(STEP_COLUMNS)), boxes=self.boxes)

    def _inside(self) -> BoolArray:
        inside: BoolArray = ((self.x >= self.low) & (self.x <= self.high)).all(axis=1)
        return inside

    def _restricted(self, low: FloatArray, high: FloatArray) -> BoolArray:
        restricted: BoolArray = (low > self.full_low) | (high < self.full_high)
        return restricted

    def _peel(self) -> bool:
        """Take the best peel; False when none keeps the mass and raises the density."""
        inside = self._inside()
        n_box = int(inside.sum())
        coi_box = int(self.y[inside].sum())
        k = max(1, math.floor(self.alpha * n_box))
        y_box = self.y[inside]
        n_restricted = int(self._restricted(self.low, self.high).sum())
        best: tuple[float, int, int] | None = None
        best_move: tuple[int, Literal["low", "high"], float] | None = None
        for j in range(self.x.shape[1]):
            values = self.x[inside, j]
            ordered = np.sort(values)
            for side in ("low", "high"):
                cut = _cut(ordered, k, side)
                if cut is None:
                    continue
                keep = values > cut if side == "low" else values < cut
                n_keep = int(keep.sum())
                if n_keep < self.n_min:
                    continue
                coi_keep = int(y_box[keep].sum())
                # strictly denser (exact, in integers)
                if coi_keep * n_box <= coi_box * n_keep:
                    continue
                gain = (coi_keep / n_keep - coi_box / n_box) / (n_box - n_keep)
                # peeling a parameter not yet restricted adds a restriction
                adds = not (self.low[j] > self.full_low[j] or self.high[j] < self.full_high[j])
                key = (gain, -(n_restricted + int(adds)), n_keep)
                if best is None or key > best:
                    best = key
                    limit = _midpoint(ordered, cut, side)
                    best_move = (j, side, limit)
        return self._move(best_move)

    def _move(self, move: tuple[int, Literal["low", "high"], float] | None) -> bool:
        """Set one limit of the box (parameter, side, value); False when there is no move."""
        if move is None:
            return False
        j, side, limit = move
        if side == "low":
            self.low[j] = limit
        else:
            self.high[j] = limit
        return True

    def _paste(self) -> bool:
        """Take the best paste; False when none raises the density."""
        in_range = (self.x >= self.low) & (self.x <= self.high)
        misses = (~in_range).sum(axis=1)
        inside = misses == 0
        n_box = int(inside.sum())
        coi_box = int(self.y[inside].sum())
        k = max(1, math.floor(self.alpha * n_box))
        best: tuple[float, int] | None = None
        best_move: tuple[int, Literal["low", "high"], float] | None = None
        for j in map(int, np.flatnonzero(self._restricted(self.low, self.high))):
            # inside the box on every parameter but j
            others = misses - (~in_range[:, j]) == 0
            column = self.x[:, j]
            for side in ("low", "high"):
                if side == "low":
                    beyond = others & (column < self.low[j])
                    # nearest first: descending values below the lower limit
                    ordered = -np.sort(-column[beyond])
                else:
                    beyond = others & (column > self.high[j])
                    ordered = np.sort(column[beyond])
                if len(ordered) == 0:
                    continue
                last = ordered[min(k, len(ordered)) - 1]
                rest = ordered[ordered < last] if side == "low" else ordered[ordered > last]
                if len(rest) == 0:
                    limit = float(self.full_low[j] if side == "low" else self.full_high[j])
                else:
                    nearest = rest.max() if side == "low" else rest.min()
                    limit = float((last + nearest) / 2)
                added = beyond & (column >= limit if side == "low" else column <= limit)
                n_new = n_box + int(added.sum())
                coi_new = coi_box + int(self.y[added].sum())
                if coi_new * n_box <= coi_box * n_new:
                    continue
                gain = (coi_new / n_new - coi_box / n_box) / (n_new - n_box)
                key = (gain, n_new)
                if best is None or key > best:
                    best = key
                    best_move = (j, side, limit)
        return self._move(best_move)

    def _record(self, phase: str) -> None:
        """Append the current box, with its statistics and quasi-p values, to the steps."""
        in_range = (self.x >= self.low) & (self.x <= self.high)
        misses = (~in_range).sum(axis=1)
        inside = misses == 0
        n_box = int(inside.sum())
        coi_box = int(self.y[inside].sum())
        restricted = self._restricted(self.low, self.high)
        quasi_p: dict[str, float] = {}
        for j in np.flatnonzero(restricted):
            dropped = misses - (~in_range[:, j]) == 0
            quasi_p[self.names[j]] = _quasi_p(
                coi_box, n_box, int(self.y[dropped].sum()), int(dropped.sum())
            )
        limits = pd.DataFrame(
            {"low": self.low.copy(), "high": self.high.copy(), "restricted": restricted},
            index=pd.Index(self.names, name="parameter"),
        )
        self.phases.append(phase)
        self.boxes.append(
            Box(
                limits=limits,
                coverage=coi_box / self.coi_total,
                density=coi_box / n_box if n_box else 0.0,
                mass=n_box / self.n_total,
                n=n_box,
                quasi_p=quasi_p,
            )
        )


def _cut(ordered: FloatArray, k: int, side: str) -> float | None:
    """The last value a peel of ``k`` points from ``side`` removes (ties go too).

    None if the peel would remove every point (the parameter is constant in the box).
    """
    if len(ordered) == 0:
        return None
    if side == "low":
        cut = float(ordered[min(k, len(ordered)) - 1])
        return cut if cut < ordered[-1] else None
    cut = float(ordered[max(len(ordered) - k, 0)])
    return cut if cut > ordered[0] else None


def _midpoint(ordered: FloatArray, cut: float, side: str) -> float:
    """The new limit: halfway between the last removed value and the first kept one."""
    if side == "low":
        kept = ordered[ordered > cut]
        return float((cut + kept[0]) / 2)
    kept = ordered[ordered < cut]
    return float((cut + kept[-1]) / 2)


def _quasi_p(h: int, n: int, h_dropped: int, n_dropped: int) -> float:
    """``P(X >= h)`` for ``X ~ Binomial(n, h_dropped / n_dropped)``; see :class:`Box`."""
    from scipy.stats import binom

    if n == 0 or h == 0:
        return 1.0
    p = h_dropped / n_dropped
    return float(min(1.0, max(0.0, binom.sf(h - 1, n, p))))
