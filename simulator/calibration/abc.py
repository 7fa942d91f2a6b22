"""Likelihood-free calibration of a sweep: ABC rejection, ABC-SMC weights, history matching.

The simulator is too expensive to run inside a sampler, so calibration works on a finished sweep:
a design of parameter points drawn from a prior (uniform boxes, Latin hypercube or Sobol), each
point simulated with many replicates and reduced to a vector of summary statistics. This module
turns those tables into a posterior sample. It is plain numpy/pandas and knows nothing of the
model or the sweep machinery, so it is tested on toy models whose posterior is known.

Inputs are tables with one row per design point:

``params``
    parameter columns (numeric, finite); its index labels the points (any unique labels).
``simulated``
    one column per :class:`Statistic` (extra columns are ignored), same index labels as
    ``params`` in any order (it is aligned to ``params``).

ABC rejection (Pritchard et al. 1999; Beaumont et al. 2002) accepts the points whose simulated
statistics lie within ``epsilon`` of the observed ones, in the scaled Euclidean distance of
:func:`distances`. Because the design is drawn from the prior, the accepted points are a sample
from the ABC posterior with equal weights. :func:`smc_proposals`, :func:`smc_weights` and
:func:`smc_step` add sequential Monte Carlo generations (Toni et al. 2009; Beaumont et al. 2009):
the next design is drawn around the previous posterior and the accepted points carry importance
weights prior / proposal density.

History matching (Craig et al. 1997; Vernon et al. 2010; for stochastic models Andrianakis et al.
2015) does not sample a posterior; it rules out the points whose implausibility, the
standardised distance of the ensemble mean from the observation, exceeds a cutoff (3, after
Pukelsheim's 1994 three-sigma rule). What survives is the region where the model could have
produced the history given all the stated uncertainties.

Posteriors of this model are often wide or multi-modal (a "quiet" and a "runaway" regime can fit
the same sparse history); :func:`regime_shares` reports the weighted share in each regime so that
summaries show the bimodality instead of averaging it away.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

__all__ = [
    "DEFAULT_CUTOFF",
    "MAX",
    "POINT",
    "SECOND_MAX",
    "Posterior",
    "Statistic",
    "distances",
    "implausibility",
    "kernel_covariance",
    "not_ruled_out",
    "regime_shares",
    "rejection",
    "smc_proposals",
    "smc_step",
    "smc_weights",
    "weighted_quantile",
]

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

#: the name of the index of posterior and implausibility tables (the design point's label)
POINT: Final = "point"
#: the implausibility table's column holding the largest implausibility over statistics
MAX: Final = "max"
#: ... and the second largest (robust to one badly modelled statistic; Vernon et al. 2010)
SECOND_MAX: Final = "second_max"
#: the usual implausibility cutoff (Pukelsheim's 3σ rule: ≥ 95 % of any unimodal distribution)
DEFAULT_CUTOFF: Final = 3.0
#: proposals drawn per requested proposal before smc_proposals gives up (kernel mostly outside)
MAX_DRAWS_PER_PROPOSAL = 100
#: elements of the (new × previous × parameters) difference array built at once by smc_weights
_CHUNK_ELEMENTS = 4_000_000


# -- validation helpers ---------------------------------------------------------------------


def _number(value: object, what: str) -> float:
    """``value`` as a float, or a ValueError naming ``what`` (bools and non-numbers refused)."""
    if isinstance(value, bool | np.bool_) or not isinstance(value, int | float | np.number):
        raise ValueError(f"{what} must be a number, got {value!r}")
    return float(value)


def _check_name(name: object) -> str:
    if not isinstance(name, str) or not name:
        raise ValueError(f"a statistic needs a non-empty string name, got {name!r}")
    return name


def _check_stats(stats: object) -> list[Statistic]:
    """The statistics as a list: at least one, all Statistic, distinct names."""
    if isinstance(stats, Statistic | str) or not isinstance(stats, Sequence):
        raise ValueError(f"stats must be a sequence of Statistic, got {stats!r}")
    listed = list(stats)
    if not listed:
        raise ValueError("at least one Statistic is needed")
    for stat in listed:
        if not isinstance(stat, Statistic):
            raise ValueError(f"stats must hold Statistic objects, got {stat!r}")
    names = [stat.name for stat in listed]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise ValueError(f"statistic names must be distinct; repeated: {duplicates}")
    return listed


def _check_frame(frame: object, what: str) -> pd.DataFrame:
    """A non-empty DataFrame with unique index labels and unique column names."""
    if not isinstance(frame, pd.DataFrame):
        raise ValueError(f"{what} must be a pandas DataFrame, got {type(frame).__name__}")
    if len(frame) == 0:
        raise ValueError(f"{what} is empty: the design has no points")
    if not frame.index.is_unique:
        repeated = frame.index[frame.index.duplicated()].unique().tolist()[:5]
        raise ValueError(f"{what}: point labels (the index) must be unique; repeated: {repeated}")
    if not frame.columns.is_unique:
        repeated = frame.columns[frame.columns.duplicated()].unique().tolist()[:5]
        raise ValueError(f"{what}: column names must be unique; repeated: {repeated}")
    return frame


def _numeric_matrix(frame: pd.DataFrame, columns: Sequence[object], what: str) -> FloatArray:
    """The named columns as a float matrix; ValueError for a missing or non-numeric column."""
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise ValueError(
            f"{what} has no column for {missing}; its columns are {list(frame.columns)}"
        )
    for column in columns:
        if not pd.api.types.is_numeric_dtype(frame[column]):
            raise ValueError(f"{what}: column {column!r} is not numeric ({frame[column].dtype})")
    return frame[list(columns)].to_numpy(dtype=float)


def _aligned(frame: object, index: pd.Index, what: str, reference: str) -> pd.DataFrame:
    """``frame`` reordered to ``index``; ValueError unless it has exactly the same point labels."""
    checked = _check_frame(frame, what)
    if checked.index.equals(index):
        return checked
    ours, theirs = set(index), set(checked.index)
    if len(checked.index) != len(index) or ours != theirs:
        only_ref = sorted(map(repr, ours - theirs))[:5]
        only_this = sorted(map(repr, theirs - ours))[:5]
        raise ValueError(
            f"{what} and {reference} must have the same point labels (index): {len(checked)} vs "
            f"{len(index)} rows; only in {reference}: {only_ref}; only in {what}: {only_this}"
        )
    return checked.reindex(index)


def _param_frame(params: object, what: str = "params") -> pd.DataFrame:
    """A validated copy of a parameter table, its index named ``point``."""
    frame = _check_frame(params, what)
    if frame.shape[1] == 0:
        raise ValueError(f"{what} has no parameter columns")
    matrix = _numeric_matrix(frame, list(frame.columns), what)
    bad = ~np.isfinite(matrix)
    if bad.any():
        row, col = np.argwhere(bad)[0]
        raise ValueError(
            f"{what}: parameter values must be finite; {frame.columns[col]!r} is "
            f"{matrix[row, col]} at point {frame.index[row]!r}"
        )
    copy = frame.copy()
    copy.index = copy.index.rename(POINT)
    return copy


def _normalised(weights: npt.ArrayLike, n: int, what: str) -> FloatArray:
    """Weights as a float vector of length ``n`` summing to 1 (non-negative, finite)."""
    values = np.asarray(weights, dtype=float)
    if values.shape != (n,):
        raise ValueError(f"{what} must be a vector of length {n}, got shape {values.shape}")
    if not np.isfinite(values).all() or (values < 0).any():
        raise ValueError(f"{what} must be finite and non-negative")
    total = float(values.sum())
    if total <= 0:
        raise ValueError(f"{what} sum to zero")
    normalised: FloatArray = values / total
    return normalised


# -- statistics and distances ---------------------------------------------------------------


@dataclass(frozen=True)
class Statistic:
    """One summary statistic: its column name, observed value and the spread distances use.

    ``scale`` (> 0) divides the difference between simulated and observed values, so statistics
    in different units are comparable: the observation's uncertainty (standard deviation) or the
    prior-predictive standard deviation of the statistic across the design. History matching also
    uses ``scale²`` as the observation-error variance.
    """

    name: str
    observed: float
    scale: float

    def __post_init__(self) -> None:
        _check_name(self.name)
        observed = _number(self.observed, f"statistic {self.name!r}: observed")
        scale = _number(self.scale, f"statistic {self.name!r}: scale")
        if not math.isfinite(observed):
            raise ValueError(f"statistic {self.name!r}: observed value must be finite")
        if not (math.isfinite(scale) and scale > 0):
            raise ValueError(f"statistic {self.name!r}: scale must be finite and > 0, got {scale}")
        object.__setattr__(self, "observed", observed)
        object.__setattr__(self, "scale", scale)


def distances(simulated: pd.DataFrame, stats: Sequence[Statistic]) -> FloatArray:
    """Scaled Euclidean distance of each row's statistics from the observed ones.

    ``d = sqrt(Σ_j ((s_j − obs_j) / scale_j)²)`` over the statistics in ``stats`` (other columns
    of ``simulated`` are ignored), in row order. A NaN simulated statistic (e.g. P(US death |
    attack) at a point with no attacks) makes the distance ``inf``: the point can never be
    accepted. Infinite statistics also give ``inf``.
    """
    checked = _check_stats(stats)
    frame = _check_frame(simulated, "simulated")
    values = _numeric_matrix(frame, [stat.name for stat in checked], "simulated")
    observed = np.array([stat.observed for stat in checked])
    scale = np.array([stat.scale for stat in checked])
    with np.errstate(invalid="ignore", over="ignore"):
        scaled = (values - observed) / scale
        result: FloatArray = np.sqrt(np.sum(scaled * scaled, axis=1))
    result[np.isnan(values).any(axis=1)] = np.inf
    return result


# -- posteriors ----------------------------------------------------------------------------


def weighted_quantile(
    values: npt.ArrayLike, weights: npt.ArrayLike, q: float | Sequence[float]
) -> FloatArray:
    """Quantiles of a weighted sample; with equal weights exactly numpy's default (``linear``).

    Each value is placed at the midpoint of its weight's slice of the cumulative weight, and these
    positions are rescaled so that the smallest value is the 0 and the largest the 1 quantile;
    between them the quantile is interpolated linearly. With equal weights the positions are
    ``(k − 1) / (n − 1)``, Hyndman & Fan's type 7 (numpy's and R's default). Zero-weight values
    are ignored. Returns an array of the shape of ``q``.
    """
    data = np.asarray(values, dtype=float)
    if data.ndim != 1 or data.size == 0:
        raise ValueError(f"values must be a non-empty vector, got shape {data.shape}")
    if np.isnan(data).any():
        raise ValueError("values must not contain NaN")
    w = _normalised(weights, data.size, "weights")
    probs = np.asarray(q, dtype=float)
    if not (np.isfinite(probs).all() and ((probs >= 0) & (probs <= 1)).all()):
        raise ValueError(f"quantile levels must lie in [0, 1], got {q!r}")
    keep = w > 0
    data, w = data[keep], w[keep]
    order = np.argsort(data, kind="stable")
    data, w = data[order], w[order]
    if data.size == 1:
        return np.full(probs.shape, data[0])
    midpoints = np.cumsum(w) - 0.5 * w
    positions = (midpoints - midpoints[0]) / (midpoints[-1] - midpoints[0])
    result: FloatArray = np.asarray(np.interp(probs, positions, data), dtype=float)
    return result


@dataclass(frozen=True, eq=False)
class Posterior:
    """A weighted sample of accepted design points.

    ``params`` holds the accepted points (rows, index named ``point`` with the design's labels,
    in design order) and their parameter columns; ``distance`` their distances; ``weights`` their
    importance weights, normalised to sum to 1 (equal for rejection ABC); ``epsilon`` the
    acceptance threshold; ``accepted_fraction`` the share of the design (or of the SMC
    generation's proposals) accepted. Not comparable with ``==`` (it holds arrays).
    """

    params: pd.DataFrame
    distance: FloatArray
    weights: FloatArray
    epsilon: float
    accepted_fraction: float

    def __post_init__(self) -> None:
        params = _param_frame(self.params, "Posterior.params")
        n = len(params)
        distance = np.asarray(self.distance, dtype=float)
        if distance.shape != (n,):
            raise ValueError(f"Posterior.distance must have length {n}, got {distance.shape}")
        weights = _normalised(self.weights, n, "Posterior.weights")
        epsilon = _number(self.epsilon, "Posterior.epsilon")
        fraction = _number(self.accepted_fraction, "Posterior.accepted_fraction")
        if not 0 < fraction <= 1:
            raise ValueError(f"Posterior.accepted_fraction must lie in (0, 1], got {fraction}")
        object.__setattr__(self, "params", params)
        object.__setattr__(self, "distance", distance)
        object.__setattr__(self, "weights", weights)
        object.__setattr__(self, "epsilon", epsilon)
        object.__setattr__(self, "accepted_fraction", fraction)

    def quantiles(self, q: Sequence[float] = (0.05, 0.5, 0.95)) -> pd.DataFrame:
        """Weighted quantiles per parameter: rows are the levels ``q``, columns the parameters.

        Uses :func:`weighted_quantile` (numpy's default definition when the weights are equal).
        """
        levels = [float(level) for level in q]
        table = {
            column: weighted_quantile(self.params[column].to_numpy(float), self.weights, levels)
            for column in self.params.columns
        }
        return pd.DataFrame(table, index=pd.Index(levels, name="quantile"))

    def mean(self) -> pd.Series:
        """Weighted mean per parameter."""
        values = self.params.to_numpy(dtype=float)
        return pd.Series(self.weights @ values, index=self.params.columns, name="mean")

    def sd(self) -> pd.Series:
        """Weighted standard deviation per parameter (no small-sample correction)."""
        values = self.params.to_numpy(dtype=float)
        centred = values - self.weights @ values
        variance = self.weights @ (centred * centred)
        return pd.Series(np.sqrt(variance), index=self.params.columns, name="sd")

    def ess(self) -> float:
        """Kish's effective sample size ``(Σw)² / Σw²`` (Kish 1965); ``n`` for equal weights."""
        return float(1.0 / np.sum(self.weights * self.weights))


def rejection(
    params: pd.DataFrame,
    simulated: pd.DataFrame,
    stats: Sequence[Statistic],
    *,
    quantile: float | None = None,
    epsilon: float | None = None,
) -> Posterior:
    """ABC rejection: the design points whose statistics lie within ``epsilon`` of the observed.

    Give exactly one of ``epsilon`` (accept ``distance ≤ epsilon``) or ``quantile`` in (0, 1]
    (``epsilon`` becomes the distance of the ⌈quantile·n⌉-th nearest of the ``n`` design points;
    points tied with it are accepted too). Points with infinite distance (a NaN statistic) are
    never accepted; a quantile reaching them is a ValueError, as is accepting nothing.
    ``simulated`` is aligned to ``params`` by index label. The accepted points get equal weights.
    """
    if (quantile is None) == (epsilon is None):
        raise ValueError("give exactly one of quantile or epsilon")
    frame = _param_frame(params)
    sims = _aligned(simulated, frame.index, "simulated", "params")
    dist = distances(sims, stats)
    n = dist.size
    finite = np.isfinite(dist)
    if quantile is not None:
        share = _number(quantile, "quantile")
        if not 0 < share <= 1:
            raise ValueError(f"quantile must lie in (0, 1], got {share}")
        # the (1 − 1e-12) keeps 0.07 · 100 = 7.000000000000001 from becoming 8
        count = max(1, math.ceil(share * n * (1 - 1e-12)))
        usable = int(finite.sum())
        if count > usable:
            raise ValueError(
                f"quantile {share} asks for the {count} nearest of {n} points, but only {usable} "
                "have a finite distance (the others have a NaN statistic)"
            )
        threshold = float(np.partition(dist, count - 1)[count - 1])
    else:
        threshold = _number(epsilon, "epsilon")
        if math.isnan(threshold) or threshold < 0:
            raise ValueError(f"epsilon must be >= 0, got {threshold}")
    accepted = finite & (dist <= threshold)
    if not accepted.any():
        nearest = float(dist.min())
        raise ValueError(
            f"no point accepted: epsilon is {threshold:g} but the nearest point is at {nearest:g}"
        )
    keep = np.flatnonzero(accepted)
    return Posterior(
        params=frame.iloc[keep],
        distance=dist[keep],
        weights=np.full(keep.size, 1.0 / keep.size),
        epsilon=threshold,
        accepted_fraction=keep.size / n,
    )


# -- ABC-SMC ---------------------------------------------------------------------------------


def _bounds(bounds: Mapping[str, tuple[float, float]], columns: pd.Index) -> FloatArray:
    """The prior box as a (2, d) array in the order of ``columns``."""
    names = [str(column) for column in columns]
    if set(bounds) != set(names):
        raise ValueError(
            f"bounds must name exactly the parameters {names}, got {sorted(map(str, bounds))}"
        )
    box = np.empty((2, len(names)))
    for j, name in enumerate(names):
        pair = bounds[name]
        if len(pair) != 2:
            raise ValueError(f"bounds[{name!r}] must be (low, high), got {pair!r}")
        low = _number(pair[0], f"bounds[{name!r}] low")
        high = _number(pair[1], f"bounds[{name!r}] high")
        if not (math.isfinite(low) and math.isfinite(high) and low < high):
            raise ValueError(f"bounds[{name!r}] must be finite with low < high, got {pair!r}")
        box[:, j] = low, high
    return box


def _inside(points: FloatArray, box: FloatArray) -> BoolArray:
    inside: BoolArray = ((points >= box[0]) & (points <= box[1])).all(axis=1)
    return inside


def kernel_covariance(previous: Posterior) -> FloatArray:
    """Twice the weighted covariance of a population: Beaumont et al.'s (2009) ABC-SMC kernel."""
    values = previous.params.to_numpy(dtype=float)
    centred = values - previous.weights @ values
    covariance: FloatArray = 2.0 * (centred.T * previous.weights) @ centred
    return covariance


def _kernel_factor(previous: Posterior, cov: npt.ArrayLike | None) -> FloatArray:
    """The lower Cholesky factor of the perturbation kernel's covariance."""
    d = previous.params.shape[1]
    matrix = kernel_covariance(previous) if cov is None else np.asarray(cov, dtype=float)
    if d == 1 and matrix.ndim == 0:
        matrix = matrix.reshape(1, 1)
    if matrix.shape != (d, d) or not np.isfinite(matrix).all():
        raise ValueError(f"kernel covariance must be a finite {d}×{d} matrix, got {matrix.shape}")
    if not np.allclose(matrix, matrix.T):
        raise ValueError("kernel covariance must be symmetric")
    try:
        factor: FloatArray = np.linalg.cholesky(matrix)
    except np.linalg.LinAlgError:
        raise ValueError(
            "kernel covariance is not positive definite (does a parameter take a single value "
            "in the previous population?); pass cov explicitly"
        ) from None
    return factor


def smc_proposals(
    previous: Posterior,
    n: int,
    bounds: Mapping[str, tuple[float, float]],
    rng: np.random.Generator,
    *,
    cov: npt.ArrayLike | None = None,
) -> pd.DataFrame:
    """The next ABC-SMC design: ``n`` points drawn around the previous population.

    Each point is a previous particle chosen by weight plus Gaussian noise with covariance
    ``cov`` (default :func:`kernel_covariance`); draws outside the uniform prior box ``bounds``
    (parameter → (low, high)) are discarded and redrawn. Parameters are treated as continuous.
    Returns a table with the previous population's columns and index ``point`` = 0 … n − 1.
    Pass the same ``cov`` to :func:`smc_weights` / :func:`smc_step` for the accepted points.
    """
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
        raise ValueError(f"n must be a positive integer, got {n!r}")
    values = previous.params.to_numpy(dtype=float)
    box = _bounds(bounds, previous.params.columns)
    factor = _kernel_factor(previous, cov)
    kept: list[FloatArray] = []
    found = drawn = 0
    while found < n:
        if drawn >= MAX_DRAWS_PER_PROPOSAL * n:
            raise ValueError(
                f"only {found} of {drawn} perturbed points fell inside the prior bounds; the "
                "kernel is too wide for the box"
            )
        size = 2 * (n - found) + 16
        chosen = rng.choice(values.shape[0], size=size, p=previous.weights)
        candidates = values[chosen] + rng.standard_normal((size, values.shape[1])) @ factor.T
        candidates = candidates[_inside(candidates, box)]
        kept.append(candidates)
        found += candidates.shape[0]
        drawn += size
    points = np.concatenate(kept)[:n]
    return pd.DataFrame(
        points, columns=previous.params.columns, index=pd.RangeIndex(int(n), name=POINT)
    )


def smc_weights(
    params: pd.DataFrame,
    previous: Posterior,
    bounds: Mapping[str, tuple[float, float]],
    *,
    cov: npt.ArrayLike | None = None,
) -> FloatArray:
    """ABC-SMC importance weights of points proposed by :func:`smc_proposals` (normalised).

    ``w_i ∝ π(θ_i) / Σ_j W_j K(θ_i | θ_j)`` (Toni et al. 2009; Beaumont et al. 2009): the uniform
    prior density over the proposal density, a mixture of Gaussian kernels with covariance
    ``cov`` (default :func:`kernel_covariance`, as for the proposals) around the previous
    particles ``θ_j`` with weights ``W_j``. Points outside ``bounds`` get weight 0. ``params``
    must have the previous population's parameter columns.
    """
    frame = _param_frame(params)
    columns = previous.params.columns
    new = _numeric_matrix(frame, list(columns), "params")
    if frame.shape[1] != len(columns):
        extra = [column for column in frame.columns if column not in columns]
        raise ValueError(f"params has columns the previous population lacks: {extra}")
    box = _bounds(bounds, columns)
    factor = _kernel_factor(previous, cov)
    inverse = np.linalg.inv(factor)
    positive = previous.weights > 0
    old = previous.params.to_numpy(dtype=float)[positive]
    log_w_old = np.log(previous.weights[positive])
    d = old.shape[1]
    chunk = max(1, _CHUNK_ELEMENTS // (old.shape[0] * d))
    log_proposal = np.empty(new.shape[0])
    for start in range(0, new.shape[0], chunk):
        diff = new[start : start + chunk, None, :] - old[None, :, :]
        standardised = diff @ inverse.T
        terms = log_w_old - 0.5 * np.sum(standardised * standardised, axis=2)
        top = terms.max(axis=1)
        log_proposal[start : start + chunk] = top + np.log(np.exp(terms - top[:, None]).sum(axis=1))
    inside = _inside(new, box)
    if not inside.any():
        raise ValueError("every point lies outside the prior bounds: all weights are zero")
    log_w = -log_proposal
    weights = np.zeros(new.shape[0])
    weights[inside] = np.exp(log_w[inside] - log_w[inside].max())
    normalised: FloatArray = weights / weights.sum()
    return normalised


def smc_step(
    params: pd.DataFrame,
    simulated: pd.DataFrame,
    stats: Sequence[Statistic],
    previous: Posterior,
    bounds: Mapping[str, tuple[float, float]],
    *,
    quantile: float | None = None,
    epsilon: float | None = None,
    cov: npt.ArrayLike | None = None,
) -> Posterior:
    """One ABC-SMC generation: :func:`rejection` on the proposals, then :func:`smc_weights`.

    ``params`` are the proposals drawn by :func:`smc_proposals` from ``previous`` (with the same
    ``cov``), ``simulated`` their statistics. ``accepted_fraction`` is the share of proposals
    accepted; :meth:`Posterior.ess` shows how much the weighting costs.
    """
    accepted = rejection(params, simulated, stats, quantile=quantile, epsilon=epsilon)
    weights = smc_weights(accepted.params, previous, bounds, cov=cov)
    return Posterior(
        params=accepted.params,
        distance=accepted.distance,
        weights=weights,
        epsilon=accepted.epsilon,
        accepted_fraction=accepted.accepted_fraction,
    )


# -- history matching ----------------------------------------------------------------------


def _variances(
    frame: object, index: pd.Index, names: list[str], mean: FloatArray, what: str
) -> FloatArray:
    """A variance table aligned to the means: finite and ≥ 0 wherever the mean is not NaN."""
    values = _numeric_matrix(_aligned(frame, index, what, "simulated_mean"), names, what)
    needed = ~np.isnan(mean)
    with np.errstate(invalid="ignore"):
        bad = needed & ~(np.isfinite(values) & (values >= 0))
    if bad.any():
        row, col = np.argwhere(bad)[0]
        raise ValueError(
            f"{what}: variances must be finite and >= 0 where the mean is known; {names[col]!r} "
            f"is {values[row, col]} at point {index[row]!r} (pass 0 for a negligible variance)"
        )
    return values


def implausibility(
    simulated_mean: pd.DataFrame,
    simulated_var: pd.DataFrame,
    stats: Sequence[Statistic],
    *,
    model_discrepancy: Mapping[str, float] | None = None,
    intrinsic_var: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """History-matching implausibility of each design point, per statistic and overall.

    ``I_j = |s_j − z_j| / sqrt(Var_obs_j + Var_md_j + Var_intrinsic_j + Var_ensemble_j)``
    (Craig et al. 1997; Vernon et al. 2010; Andrianakis et al. 2015), where ``s_j`` is the
    ensemble mean at the point (``simulated_mean``), ``z_j`` the observed value,
    ``Var_obs_j = scale_j²``, ``Var_md_j`` the squared model-discrepancy standard deviation from
    ``model_discrepancy`` (statistic name → sd in the statistic's units; default 0),
    ``Var_ensemble_j`` the variance of the ensemble mean (``simulated_var``: the replicates'
    variance already divided by their number) and ``Var_intrinsic_j`` the replicates' own
    variance, not divided (``intrinsic_var``; default 0).

    Pass ``intrinsic_var`` when the observation is a single realisation of a stochastic process
    (the usual case: there was one history): the observed statistic then scatters around the
    model's mean by the model's own run-to-run spread, however many replicates estimate the
    mean. Leaving it out rules out points that are merely unlucky for one history.

    Returns one column per statistic plus ``max`` (I_max) and ``second_max`` (NaN with a single
    statistic), index ``point``. A NaN ensemble mean gives an infinite implausibility.
    """
    checked = _check_stats(stats)
    names = [stat.name for stat in checked]
    reserved = [name for name in names if name in (MAX, SECOND_MAX)]
    if reserved:
        raise ValueError(f"statistic names {reserved} clash with the result's own columns")
    means = _check_frame(simulated_mean, "simulated_mean")
    index = means.index
    mean = _numeric_matrix(means, names, "simulated_mean")
    total = _variances(simulated_var, index, names, mean, "simulated_var")
    if intrinsic_var is not None:
        total = total + _variances(intrinsic_var, index, names, mean, "intrinsic_var")
    discrepancy = np.zeros(len(names))
    if model_discrepancy is not None:
        unknown = sorted(str(key) for key in model_discrepancy if key not in names)
        if unknown:
            raise ValueError(f"model_discrepancy names unknown statistics {unknown}")
        for j, name in enumerate(names):
            if name in model_discrepancy:
                sd = _number(model_discrepancy[name], f"model_discrepancy[{name!r}]")
                if not (math.isfinite(sd) and sd >= 0):
                    raise ValueError(f"model_discrepancy[{name!r}] must be a finite sd >= 0")
                discrepancy[j] = sd
    observed = np.array([stat.observed for stat in checked])
    scale = np.array([stat.scale for stat in checked])
    with np.errstate(invalid="ignore", over="ignore"):
        spread = np.sqrt(scale * scale + discrepancy * discrepancy + total)
        values = np.abs(mean - observed) / spread
    values[np.isnan(mean)] = np.inf
    table = pd.DataFrame(values, index=index.rename(POINT), columns=names)
    descending = -np.sort(-values, axis=1)
    table[MAX] = descending[:, 0]
    table[SECOND_MAX] = descending[:, 1] if len(names) > 1 else np.nan
    return table


def not_ruled_out(
    impl: pd.DataFrame,
    cutoff: float = DEFAULT_CUTOFF,
    *,
    which: Literal["max", "second_max"] = MAX,
) -> BoolArray:
    """Which points survive history matching: implausibility ``≤ cutoff`` (default 3).

    ``impl`` is :func:`implausibility`'s table; ``which`` picks ``max`` (every statistic must be
    plausible) or ``second_max`` (all but the worst one, for when one statistic may be badly
    modelled; needs at least two statistics).
    """
    if which not in (MAX, SECOND_MAX):
        raise ValueError(f"which must be {MAX!r} or {SECOND_MAX!r}, got {which!r}")
    if not isinstance(impl, pd.DataFrame) or which not in impl.columns:
        raise ValueError(f"impl must be implausibility()'s table with a {which!r} column")
    limit = _number(cutoff, "cutoff")
    if not (math.isfinite(limit) and limit > 0):
        raise ValueError(f"cutoff must be finite and > 0, got {limit}")
    values = impl[which].to_numpy(dtype=float)
    if which == SECOND_MAX and np.isnan(values).all():
        raise ValueError("second_max needs at least two statistics")
    survives: BoolArray = values <= limit
    return survives


# -- regimes ---------------------------------------------------------------------------------


def regime_shares(
    params_or_stats: pd.DataFrame,
    column: str,
    thresholds: Sequence[float],
    labels: Sequence[str],
    weights: npt.ArrayLike,
) -> dict[str, float]:
    """The weighted share of a posterior in each regime of one column.

    ``thresholds`` (increasing) cut ``column`` into ``len(thresholds) + 1`` regimes named by
    ``labels``; regime ``i`` holds ``thresholds[i−1] < x ≤ thresholds[i]`` (so with threshold 10,
    "runaway" means x > 10). ``weights`` go with the rows (e.g. ``posterior.weights`` with
    ``posterior.params``, or with the accepted points' statistics
    ``simulated.loc[posterior.params.index]``). Every label appears, possibly with share 0.
    """
    frame = _check_frame(params_or_stats, "params_or_stats")
    if column not in frame.columns:
        raise ValueError(f"no column {column!r}; the columns are {list(frame.columns)}")
    values = _numeric_matrix(frame, [column], "params_or_stats")[:, 0]
    if np.isnan(values).any():
        raise ValueError(f"column {column!r} has NaN values; drop or fill them first")
    cuts = np.asarray(thresholds, dtype=float)
    if cuts.ndim != 1 or cuts.size == 0 or not np.isfinite(cuts).all():
        raise ValueError(f"thresholds must be a non-empty sequence of finite numbers: {thresholds}")
    if (np.diff(cuts) <= 0).any():
        raise ValueError(f"thresholds must be strictly increasing, got {list(thresholds)}")
    names = list(labels)
    if len(names) != cuts.size + 1:
        raise ValueError(f"{cuts.size} thresholds need {cuts.size + 1} labels, got {len(names)}")
    if len(set(names)) != len(names):
        raise ValueError(f"labels must be distinct, got {names}")
    w = _normalised(weights, len(frame), "weights")
    regime = np.searchsorted(cuts, values, side="left")
    shares = np.bincount(regime, weights=w, minlength=len(names))
    return {label: float(share) for label, share in zip(names, shares, strict=True)}
