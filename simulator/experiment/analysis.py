"""Analysis of a stored parameter sweep: outcomes along each parameter, Sobol and Morris indices.

Everything is computed from the files ``escalation sweep`` wrote (``manifest.json`` and
``points.parquet``); no model is run. The results go to ``DIR/analysis/``, replaced atomically:

``marginals.parquet`` / ``.csv``
    Probability of each outcome class (and of a direct clash or war) along each parameter. Grid
    parameters, and sampled parameters with few distinct values (Morris levels, integers), are
    grouped by value; other sampled parameters are cut into equal-count bins. The replicates of
    all points in a group are pooled (counts = p × replicates) and given a 95 % Wilson interval.
    Every point uses the same replicate seeds (common random numbers), so pooled replicates are
    not independent draws: the interval is a within-group sampling interval, somewhat optimistic.
``sobol.parquet`` / ``.csv`` (Sobol designs)
    First-order and total Sobol indices with bootstrap 95 % confidence half-widths per output and
    parameter (Saltelli et al. 2010, via SALib), plus ``noise_share``: for probability outputs,
    the share of the output's variance across points that binomial Monte Carlo noise can explain
    (at most); a large share means more replicates are needed before the indices mean much.
``sobol_s2.parquet`` / ``.csv`` (Sobol designs sampled with second order)
    Second-order indices per parameter pair.
``morris.parquet`` / ``.csv`` (Morris designs)
    Elementary-effect statistics μ, μ*, its 95 % confidence half-width and σ (Morris 1991,
    Campolongo et al. 2007). Effects are per full range of the parameter (SALib scales the
    design to the unit cube), in the output's units.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from simulator.experiment.designs import Design, DesignError
from simulator.results.errors import ResultsError
from simulator.results.layout import MANIFEST, POINTS
from simulator.results.manifest import CLASH_OR_WAR
from simulator.results.points import output_columns
from simulator.results.reader import SweepResults, load_sweep
from simulator.results.store import locked
from simulator.results.tables import write_analysis
from simulator.stats import wilson_interval

#: a sampled parameter with at most this many distinct values is grouped by value, not binned
MAX_LEVELS = 12
MAX_BINS = 8
CONF_LEVEL = 0.95
#: warn when a Sobol index's 95 % half-width exceeds this
WIDE_CONF = 0.1
RESAMPLES = 100


@dataclass
class SweepAnalysis:
    """The analysis of one sweep folder, as computed and written by :func:`analyze_sweep`.

    ``results`` holds the stored sweep with the new analysis tables; ``points`` only the design
    points the marginals used (the complete ones).
    """

    results: SweepResults
    design: Design
    points: pd.DataFrame
    files: list[Path] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def manifest_design(manifest: dict[str, Any], folder: Path) -> Design:
    """The Design recorded in a sweep manifest."""
    try:
        return Design.from_dict(manifest["design"])
    except (TypeError, KeyError, ValueError) as err:
        raise ResultsError(f"{Path(folder) / MANIFEST}: unreadable design ({err}).") from None


def _check_matrix(points: pd.DataFrame, design: Design, path: Path) -> np.ndarray:
    """The design matrix, after checking that points.parquet holds the same values."""
    try:
        matrix = design.matrix()
    except DesignError as err:
        raise ResultsError(f"{path}: the manifest's design cannot be rebuilt ({err}).") from None
    stored = points[[p.path for p in design.parameters]].to_numpy(dtype=float)
    if stored.shape != matrix.shape or not np.allclose(stored, matrix, rtol=1e-9, atol=1e-12):
        raise ResultsError(
            f"{path}: parameter values differ from the design in manifest.json; the analysis "
            "needs the outputs in design order."
        )
    return matrix


# -- marginals ----------------------------------------------------------------------------


def _groups(
    values: np.ndarray, by_level: bool, bounds: tuple[float, float], bins: int
) -> Iterator[tuple[int, np.ndarray, float, float, float]]:
    """Yield (bin index, member indices, low, high, representative value) along a parameter."""
    if by_level:
        for i, level in enumerate(np.unique(values)):
            yield i, np.flatnonzero(values == level), float(level), float(level), float(level)
        return
    order = np.argsort(values, kind="stable")
    parts = [part for part in np.array_split(order, bins) if len(part)]
    # Equal-count bins tiling [low bound, high bound]: inner edges halfway between neighbours.
    edges = [bounds[0]]
    for left, right in zip(parts, parts[1:], strict=False):
        edges.append(0.5 * (values[left].max() + values[right].min()))
    edges.append(bounds[1])
    for i, part in enumerate(parts):
        yield i, part, float(edges[i]), float(edges[i + 1]), float(values[part].mean())


def bin_count(n_points: int) -> int:
    """Equal-count bins for a sampled parameter: 6–8 for usual sweeps, fewer for tiny ones."""
    return int(min(MAX_BINS, max(1, n_points // 8)))


def outcome_marginals(
    points: pd.DataFrame,
    design: Design,
    classes: list[str] | tuple[str, ...],
    bins: int | None = None,
) -> pd.DataFrame:
    """Pooled outcome probabilities along each parameter, with 95 % Wilson intervals.

    For each parameter, the points are grouped (by value for grids and parameters with at most
    :data:`MAX_LEVELS` distinct values, else into ``bins`` equal-count bins) and the outcome
    counts ``round(p × replicates)`` of the points in a group are summed. Columns: parameter,
    grouping ("level" or "bin"), bin, value (the level, or the mean over the bin's points),
    bin_low, bin_high, centre, points, outcome, k, n, p, low, high.
    """
    n_rep = points["replicates"].to_numpy(dtype=np.int64)
    outcomes = list(classes) + ([CLASH_OR_WAR] if f"p_{CLASH_OR_WAR}" in points.columns else [])
    counts = {
        o: np.rint(points[f"p_{o}"].fillna(0.0).to_numpy(dtype=float) * n_rep).astype(np.int64)
        for o in outcomes
    }
    bins = bins or bin_count(len(points))
    rows = []
    for param in design.parameters:
        values = points[param.path].to_numpy(dtype=float)
        by_level = design.kind == "grid" or len(np.unique(values)) <= MAX_LEVELS
        bounds = (float(values.min()), float(values.max()))
        if param.low is not None and param.high is not None:
            bounds = (min(bounds[0], param.low), max(bounds[1], param.high))
        for index, members, low, high, value in _groups(values, by_level, bounds, bins):
            n = int(n_rep[members].sum())
            for o in outcomes:
                k = int(counts[o][members].sum())
                lo, hi = wilson_interval(k, n)
                rows.append(
                    {
                        "parameter": param.path,
                        "grouping": "level" if by_level else "bin",
                        "bin": index,
                        "value": value,
                        "bin_low": low,
                        "bin_high": high,
                        "centre": 0.5 * (low + high),
                        "points": len(members),
                        "outcome": o,
                        "k": k,
                        "n": n,
                        "p": k / n if n else math.nan,
                        "low": lo,
                        "high": hi,
                    }
                )
    return pd.DataFrame(rows)


# -- sensitivity indices ------------------------------------------------------------------


def _outputs(points: pd.DataFrame, outputs: tuple[str, ...]) -> list[str]:
    return [c for c in outputs if c in points.columns]


def _output_values(points: pd.DataFrame, column: str, path: Path) -> np.ndarray:
    y = points[column].to_numpy(dtype=float)
    if not np.all(np.isfinite(y)):
        raise ResultsError(f"{path}: column {column} has missing values at some design points.")
    return y


def _noise_share(points: pd.DataFrame, column: str, y: np.ndarray) -> float:
    """Upper bound on the share of var(y) across points due to binomial sampling noise."""
    if not column.startswith("p_"):
        return math.nan
    var = float(np.var(y))
    if var <= 0:
        return math.nan
    n = points["replicates"].to_numpy(dtype=float)
    noise = float(np.mean(y * (1 - y) / np.maximum(n, 1)))
    return min(1.0, noise / var)


def sobol_indices(
    points: pd.DataFrame,
    design: Design,
    outputs: tuple[str, ...],
    path: Path = Path(POINTS),
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """Sobol S1/ST (and S2 when sampled) per output column and parameter.

    ``points`` must be in design order. An output that is constant over the design has no
    variance to apportion: its indices are NaN.
    """
    from SALib.analyze import sobol

    problem = design.problem()
    names = problem["names"]
    first, second = [], []
    for column in _outputs(points, outputs):
        y = _output_values(points, column, path)
        noise = _noise_share(points, column, y)
        if np.ptp(y) == 0:
            res = {key: np.full(len(names), np.nan) for key in ("S1", "S1_conf", "ST", "ST_conf")}
            res["S2"] = res["S2_conf"] = np.full((len(names), len(names)), np.nan)
        else:
            try:
                with warnings.catch_warnings(), np.errstate(all="ignore"):
                    warnings.simplefilter("ignore")
                    res = sobol.analyze(
                        problem,
                        y,
                        calc_second_order=design.second_order,
                        num_resamples=RESAMPLES,
                        conf_level=CONF_LEVEL,
                        # a Generator, because SALib ignores an int seed of 0 (`if seed:`)
                        seed=np.random.default_rng(design.seed),
                    )
            except RuntimeError as err:  # wrong sample size for the design
                raise ResultsError(f"{path}: Sobol analysis of {column} failed: {err}") from None
        for j, name in enumerate(names):
            first.append(
                {
                    "output": column,
                    "parameter": name,
                    "S1": float(res["S1"][j]),
                    "S1_conf": float(res["S1_conf"][j]),
                    "ST": float(res["ST"][j]),
                    "ST_conf": float(res["ST_conf"][j]),
                    "noise_share": noise,
                }
            )
        if design.second_order:
            for j in range(len(names)):
                for k in range(j + 1, len(names)):
                    second.append(
                        {
                            "output": column,
                            "parameter_1": names[j],
                            "parameter_2": names[k],
                            "S2": float(res["S2"][j][k]),
                            "S2_conf": float(res["S2_conf"][j][k]),
                        }
                    )
    s2 = pd.DataFrame(second) if design.second_order else None
    return pd.DataFrame(first), s2


def morris_indices(
    points: pd.DataFrame,
    design: Design,
    matrix: np.ndarray,
    outputs: tuple[str, ...],
    path: Path = Path(POINTS),
) -> pd.DataFrame:
    """Morris μ, μ*, μ* 95 % confidence half-width and σ per output column and parameter."""
    from SALib.analyze import morris

    problem = design.problem()
    rows = []
    for column in _outputs(points, outputs):
        y = _output_values(points, column, path)
        try:
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore")
                res = morris.analyze(
                    problem,
                    np.asarray(matrix, dtype=float),
                    y,
                    num_resamples=RESAMPLES,
                    conf_level=CONF_LEVEL,
                    num_levels=design.levels,
                    seed=np.random.default_rng(design.seed),
                )
        except (RuntimeError, ValueError) as err:
            raise ResultsError(f"{path}: Morris analysis of {column} failed: {err}") from None
        for j, name in enumerate(problem["names"]):
            rows.append(
                {
                    "output": column,
                    "parameter": name,
                    "mu": float(res["mu"][j]),
                    "mu_star": float(res["mu_star"][j]),
                    "mu_star_conf": float(res["mu_star_conf"][j]),
                    "sigma": float(res["sigma"][j]),
                }
            )
    return pd.DataFrame(rows)


# -- the whole analysis -------------------------------------------------------------------


def analyze_sweep(folder: Path) -> SweepAnalysis:
    """Analyze a finished sweep folder and (re)write ``folder/analysis/`` atomically.

    Raises ResultsError for a folder that is not a sweep, a missing, damaged or out-of-date
    points.parquet, and for incomplete design points in Sobol and Morris designs (whose
    estimators need every point). Grid and Latin-hypercube marginals leave incomplete points
    out, with a warning.
    """
    folder = Path(folder)
    with locked(folder):
        stored = load_sweep(folder)
        manifest, points = stored.manifest, stored.points
        design = manifest_design(manifest, folder)
        path = folder / POINTS
        notes: list[str] = []
        complete = points["complete"].to_numpy(dtype=bool)
        if not complete.all():
            missing = int((~complete).sum())
            resume = f"`escalation sweep --resume {folder}`"
            if design.needs_every_point or missing == len(points):
                raise ResultsError(
                    f"{path}: the sweep is incomplete ({missing} of {len(points)} design points "
                    f"lack replicates, see {folder / 'failures'}); run {resume} to finish it"
                    + (
                        f" — the {design.describe()} analysis needs every point."
                        if design.needs_every_point
                        else "."
                    )
                )
            notes.append(
                f"{missing} of {len(points)} design points are incomplete and were left out; "
                f"run {resume} to finish them."
            )
        used = points[complete].reset_index(drop=True)
        outputs = tuple(output_columns(manifest))
        tables: dict[str, pd.DataFrame] = {
            "marginals": outcome_marginals(used, design, stored.classes)
        }
        if design.kind == "sobol":
            _check_matrix(points, design, path)
            sobol, s2 = sobol_indices(points, design, outputs, path=path)
            tables["sobol"] = sobol
            if s2 is not None:
                tables["sobol_s2"] = s2
            conf = sobol[["S1_conf", "ST_conf"]].to_numpy(dtype=float)
            widest = float(np.nanmax(conf)) if np.isfinite(conf).any() else 0.0
            if widest > WIDE_CONF:
                notes.append(
                    f"Sobol confidence half-widths reach {widest:.2f} with N = {design.points} "
                    "base samples; a larger --points narrows them (the error shrinks as "
                    "1/sqrt(N))."
                )
        elif design.kind == "morris":
            matrix = _check_matrix(points, design, path)
            tables["morris"] = morris_indices(points, design, matrix, outputs, path=path)
        files = write_analysis(folder, tables)
    results = SweepResults(folder, manifest, points, **tables)
    return SweepAnalysis(results, design, used, files, notes)
