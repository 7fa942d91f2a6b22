"""Proper scoring rules, calibration checks and reference forecasts for ensemble forecasts.

Pure numpy/scipy functions (``properscoring`` for the ensemble CRPS), vectorised over forecasts.
A forecast is either a set of class probabilities ``probs`` of shape ``(..., K)`` in ordinal order,
or an ensemble of ``R`` replicate values of shape ``(..., R)``; the observation has the leading
shape ``(...)`` exactly (no broadcasting between a forecast and its observation, so a transposed
or misaligned array fails loudly). Parametric reference forecasts (a Poisson mean, a rate) and
:func:`skill` broadcast in the usual numpy way instead.

Every score is negatively oriented (lower is better) except the skill scores, and every function
returns a Python ``float`` (or ``bool``) when its result is a scalar and an array otherwise. Bad
input raises ``ValueError`` (``TypeError`` for a random generator that is not one); observations,
members and probabilities must be finite (a missing observation is for the caller to drop).

References (cited in the functions):

- Brier, G. W. (1950). Verification of forecasts expressed in terms of probability. *Monthly
  Weather Review* 78, 1-3.
- Epstein, E. S. (1969). A scoring system for probability forecasts of ranked categories. *Journal
  of Applied Meteorology* 8, 985-987.
- Murphy, A. H. (1971). A note on the ranked probability score. *Journal of Applied Meteorology*
  10, 155-156.
- Good, I. J. (1952). Rational decisions. *Journal of the Royal Statistical Society B* 14, 107-114.
- Roulston, M. S. and Smith, L. A. (2002). Evaluating probabilistic forecasts using information
  theory. *Monthly Weather Review* 130, 1653-1660.
- Hersbach, H. (2000). Decomposition of the continuous ranked probability score for ensemble
  prediction systems. *Weather and Forecasting* 15, 559-570.
- Gneiting, T. and Raftery, A. E. (2007). Strictly proper scoring rules, prediction, and
  estimation. *Journal of the American Statistical Association* 102, 359-378.
- Gneiting, T., Balabdaoui, F. and Raftery, A. E. (2007). Probabilistic forecasts, calibration and
  sharpness. *Journal of the Royal Statistical Society B* 69, 243-268.
- Czado, C., Gneiting, T. and Held, L. (2009). Predictive model assessment for count data.
  *Biometrics* 65, 1254-1261.
- Wei, W. and Held, L. (2014). Calibration tests for count data. *TEST* 23, 787-805.
- Wilks, D. S. (2011). *Statistical Methods in the Atmospheric Sciences*, 3rd ed., ch. 8
  (forecast verification). Academic Press.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import properscoring
from scipy import special, stats

__all__ = [
    "PROB_TOLERANCE",
    "brier",
    "brier_multiclass",
    "coverage",
    "crps_ensemble",
    "crps_poisson",
    "log_score",
    "log_score_binary",
    "log_score_classes",
    "log_score_poisson",
    "mean_skill",
    "pit",
    "pit_interval",
    "poisson_class_probs",
    "rps",
    "skill",
]

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
#: a score: a ``float`` for one forecast, an array for many
Score = float | FloatArray

#: how far class probabilities may stray from summing to 1 (and below 0 or above 1)
PROB_TOLERANCE = 1e-9
#: elements per padded block handed to ``properscoring.crps_ensemble`` (see :func:`crps_ensemble`)
_CRPS_BLOCK = 1 << 22


# --------------------------------------------------------------------------------------------
# input checks


def _floats(x: npt.ArrayLike, name: str) -> FloatArray:
    """``x`` as a float64 array of finite values."""
    try:
        a = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise ValueError(f"{name} must be numeric: {err}") from err
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} must be finite (no NaN or infinity)")
    return a


def _out(a: FloatArray) -> Score:
    """A 0-d result as a ``float``, anything else as the array."""
    return float(a) if a.ndim == 0 else a


def _probs(probs: npt.ArrayLike) -> FloatArray:
    """Class probabilities ``(..., K)``, ``K >= 2``, each in [0, 1], summing to 1."""
    p = _floats(probs, "probs")
    if p.ndim == 0:
        raise ValueError("probs must have a last axis of classes, shape (..., K)")
    if p.shape[-1] < 2:
        raise ValueError(f"probs needs at least 2 classes on its last axis, got {p.shape[-1]}")
    if np.any(p < -PROB_TOLERANCE) or np.any(p > 1.0 + PROB_TOLERANCE):
        raise ValueError("probs must lie in [0, 1]")
    total = p.sum(axis=-1)
    if np.any(np.abs(total - 1.0) > PROB_TOLERANCE):
        worst = float(np.max(np.abs(total - 1.0)))
        raise ValueError(
            f"probs must sum to 1 over the last axis within {PROB_TOLERANCE:g} "
            f"(worst deviation {worst:.3g})"
        )
    return p


def _classes(observed: npt.ArrayLike, p: FloatArray) -> npt.NDArray[np.intp]:
    """Observed class indices, shape ``p.shape[:-1]``, integers in ``[0, K)``."""
    o = _floats(observed, "observed")
    if o.shape != p.shape[:-1]:
        raise ValueError(
            f"observed has shape {o.shape} but probs {p.shape} needs {p.shape[:-1]} "
            "(one class index per forecast)"
        )
    if np.any(o != np.round(o)):
        raise ValueError("observed class indices must be integers")
    k = p.shape[-1]
    if np.any(o < 0) or np.any(o >= k):
        raise ValueError(f"observed class index out of range [0, {k})")
    return o.astype(np.intp)


def _binary(happened: npt.ArrayLike, shape: tuple[int, ...]) -> FloatArray:
    """Event indicators (bools or 0/1) of the given shape, as 0.0/1.0."""
    h = _floats(happened, "happened")
    if h.shape != shape:
        raise ValueError(f"happened has shape {h.shape}, the probabilities {shape}")
    if np.any((h != 0.0) & (h != 1.0)):
        raise ValueError("happened must be boolean (or 0/1)")
    return h


def _probability(p: npt.ArrayLike, name: str = "p") -> FloatArray:
    """Probabilities of a binary event, each in [0, 1]."""
    a = _floats(p, name)
    if np.any(a < 0.0) or np.any(a > 1.0):
        raise ValueError(f"{name} must lie in [0, 1]")
    return a


def _ensemble(observed: npt.ArrayLike, ensemble: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Observations ``(...)`` and members ``(..., R)`` with ``R >= 1``."""
    o = _floats(observed, "observed")
    e = _floats(ensemble, "ensemble")
    if e.ndim != o.ndim + 1 or e.shape[:-1] != o.shape:
        raise ValueError(
            f"ensemble must have shape observed.shape + (R,) = {o.shape} + (R,), got {e.shape}"
        )
    if e.shape[-1] == 0:
        raise ValueError("the ensemble is empty (R = 0)")
    return o, e


def _floor(floor: float) -> float:
    """A probability floor in [0, 1)."""
    f = float(floor)
    if not 0.0 <= f < 1.0:
        raise ValueError(f"floor must be in [0, 1), got {floor}")
    return f


def _nonnegative(x: npt.ArrayLike, name: str) -> FloatArray:
    a = _floats(x, name)
    if np.any(a < 0.0):
        raise ValueError(f"{name} must be >= 0")
    return a


def _broadcast(a: FloatArray, b: FloatArray, names: str) -> tuple[FloatArray, FloatArray]:
    try:
        x, y = np.broadcast_arrays(a, b)
    except ValueError as err:
        raise ValueError(f"{names} do not broadcast: shapes {a.shape} and {b.shape}") from err
    return x, y


def _nearest_integer(x: FloatArray) -> FloatArray:
    """Round to the nearest integer, halves up (2.5 -> 3, -2.5 -> -2), unlike ``np.round``."""
    return np.floor(x + 0.5)


def _neg_log(p: FloatArray) -> FloatArray:
    """``-log p``, ``inf`` where ``p == 0`` (no warning)."""
    with np.errstate(divide="ignore"):
        return -np.log(p)


# --------------------------------------------------------------------------------------------
# class forecasts


def rps(probs: npt.ArrayLike, observed: npt.ArrayLike) -> Score:
    """Ranked probability score of ordinal class forecasts, normalised to [0, 1].

    ``probs`` has shape ``(..., K)``, the probabilities of classes ``0..K-1`` in ordinal order;
    ``observed`` has shape ``(...)``, the index of the class that occurred. With cumulative
    forecast probabilities ``F_k = p_0 + ... + p_k`` and cumulative observation
    ``O_k = 1{observed <= k}``::

        RPS = 1/(K-1) * sum_{k=0}^{K-2} (F_k - O_k)**2

    The last cumulative term (``F_{K-1} = O_{K-1} = 1``) is always 0 and is left out; dividing
    by ``K - 1`` (Murphy 1971) puts the score in [0, 1] whatever ``K``, and with ``K = 2`` the RPS
    equals the Brier score of either class. Wilks's (2011, ch. 8) unnormalised form is
    ``(K - 1)`` times this. Orientation: lower is better; 0 for a sure, correct forecast.

    References: Epstein (1969); Murphy (1971); Wilks (2011), ch. 8.
    """
    p = _probs(probs)
    o = _classes(observed, p)
    k = p.shape[-1]
    cum = np.cumsum(p, axis=-1)[..., : k - 1]
    cum_obs = (np.arange(k - 1) >= o[..., np.newaxis]).astype(np.float64)
    return _out(np.sum((cum - cum_obs) ** 2, axis=-1) / (k - 1))


def brier_multiclass(probs: npt.ArrayLike, observed: npt.ArrayLike) -> Score:
    """Brier's original multi-category score, in [0, 2].

    ``probs`` ``(..., K)``, ``observed`` ``(...)`` class indices; with ``o_k = 1{observed == k}``::

        BS = sum_{k=0}^{K-1} (p_k - o_k)**2

    Not normalised: 0 for a sure, correct forecast, 2 for a sure, wrong one. With ``K = 2`` it is
    twice :func:`brier`. Ignores the order of the classes (use :func:`rps` for that).
    Orientation: lower is better. Reference: Brier (1950).
    """
    p = _probs(probs)
    o = _classes(observed, p)
    onehot = (np.arange(p.shape[-1]) == o[..., np.newaxis]).astype(np.float64)
    return _out(np.sum((p - onehot) ** 2, axis=-1))


def brier(p: npt.ArrayLike, happened: npt.ArrayLike) -> Score:
    """Brier score of a binary event, in [0, 1].

    ``p`` the forecast probability of the event, ``happened`` whether it occurred (bool or 0/1),
    same shape::

        BS = (p - 1{happened})**2

    Orientation: lower is better. References: Brier (1950); Wilks (2011), ch. 8.
    """
    q = _probability(p)
    h = _binary(happened, q.shape)
    return _out((q - h) ** 2)


# --------------------------------------------------------------------------------------------
# CRPS


def crps_ensemble(observed: npt.ArrayLike, ensemble: npt.ArrayLike) -> Score:
    """Continuous ranked probability score of an ensemble (its empirical CDF ``F``).

    ``observed`` has shape ``(n,)`` (or any ``(...)``), ``ensemble`` ``(n, R)`` (``(..., R)``)::

        CRPS(F, y) = integral (F(z) - 1{z >= y})**2 dz = E|X - y| - 1/2 E|X - X'|

    with ``X, X'`` independent members (Gneiting & Raftery 2007, eq. 21). In the units of the
    quantity; a point ensemble scores ``|x - y|``. The observation may be any real number (a
    pro-rated monthly count, say). Orientation: lower is better, 0 for a point ensemble at
    the observation.

    Computed by ``properscoring.crps_ensemble``. Each forecast's ensemble is first collapsed to
    its distinct values weighted by their multiplicities, which gives the same score exactly:
    without numba ``properscoring`` falls back to an O(R**2)-memory implementation, and an
    integer-valued ensemble of R = 5000 usually has only tens of distinct values. Forecasts go
    through in blocks of ``rows * distinct**2 <= 2**22`` (or one forecast at a time); an
    ensemble of R distinct real values still costs O(R**2) time and memory (0.85 GB, 1.3 s
    per forecast at R = 5000) without numba.

    References: Hersbach (2000); Gneiting & Raftery (2007).
    """
    o, e = _ensemble(observed, ensemble)
    r = e.shape[-1]
    obs = o.reshape(-1)
    members = np.sort(e.reshape(-1, r), axis=-1)
    n = obs.shape[0]
    result = np.empty(n, dtype=np.float64)
    if n == 0:
        return _out(result.reshape(o.shape))
    # slot of each member among its row's distinct values (rows sorted, so slots ascend)
    first = np.ones(members.shape, dtype=bool)
    first[:, 1:] = members[:, 1:] != members[:, :-1]
    slot = np.cumsum(first, axis=-1) - 1
    distinct = slot[:, -1] + 1
    order = np.argsort(distinct, kind="stable")
    start = 0
    while start < n:
        # grow the block while (rows x widest row**2) stays within the budget (at least one row)
        stop = start + 1
        while stop < n and (stop + 1 - start) * int(distinct[order[stop]]) ** 2 <= _CRPS_BLOCK:
            stop += 1
        rows = order[start:stop]
        width = int(distinct[rows[-1]])
        values = np.full((rows.size, width), np.nan)
        weights = np.zeros((rows.size, width))
        row_index = np.broadcast_to(np.arange(rows.size)[:, np.newaxis], (rows.size, r))
        values[row_index, slot[rows]] = members[rows]
        np.add.at(weights, (row_index, slot[rows]), 1.0)
        # padding: NaN members with weight 0, which properscoring ignores
        block = properscoring.crps_ensemble(obs[rows], values, weights=weights, issorted=True)
        result[rows] = np.asarray(block, dtype=np.float64)
        start = stop
    return _out(result.reshape(o.shape))


def crps_poisson(observed: npt.ArrayLike, mean: npt.ArrayLike) -> Score:
    """CRPS of a Poisson forecast with mean ``mean`` (broadcast against ``observed``).

    For a count distribution ``F`` the CRPS integral is a sum over the integers; for
    ``y = observed`` (which may be non-integer, e.g. a pro-rated count)::

        CRPS = sum_{j>=0} integral_j^{j+1} (F(j) - 1{z >= y})**2 dz
             = (y - mu) (2 F(m) - 1) + 2 mu f(m) - mu exp(-2 mu) (I_0(2 mu) + I_1(2 mu))

    with ``m = floor(y)``, ``f`` the pmf and ``I_0, I_1`` modified Bessel functions of the first
    kind (closed form of Wei & Held 2014, which holds for real ``y >= 0`` because on
    ``(m, m+1)`` both sides have slope ``2 F(m) - 1``). For integer ``y`` the sum reads
    ``sum_j (F(j) - 1{j >= y})**2``. ``mean == 0`` is the point mass at 0 (CRPS = ``y``).
    Orientation: lower is better.

    References: Gneiting & Raftery (2007); Czado, Gneiting & Held (2009); Wei & Held (2014).
    """
    y, mu = _broadcast(
        _nonnegative(observed, "observed"), _nonnegative(mean, "mean"), "observed and mean"
    )
    m = np.floor(y)
    cdf = np.asarray(stats.poisson.cdf(m, mu), dtype=np.float64)
    pmf = np.asarray(stats.poisson.pmf(m, mu), dtype=np.float64)
    # i0e(z) = exp(-z) I_0(z): the Bessel term without overflow
    bessel = np.asarray(special.i0e(2.0 * mu) + special.i1e(2.0 * mu), dtype=np.float64)
    return _out((y - mu) * (2.0 * cdf - 1.0) + 2.0 * mu * pmf - mu * bessel)


# --------------------------------------------------------------------------------------------
# logarithmic score


def log_score(
    observed: npt.ArrayLike, ensemble: npt.ArrayLike, *, floor: float | None = None
) -> Score:
    """Logarithmic score ("ignorance", in nats) of an integer-valued ensemble.

    ``observed`` ``(...)``, ``ensemble`` ``(..., R)`` of integer values (counts, deaths, lags).
    The forecast pmf is the ensemble's empirical frequency, floored so that a value no member
    took does not score infinity::

        p = max(#{members == y} / R, floor),   LS = -log p

    ``floor`` defaults to ``1/(2R)``: half the probability of a value one member took. The
    floored pmf is not renormalised (with the default floor only values no member took are
    affected, and they are penalised alike, however far from the ensemble). A non-integer
    observation (a pro-rated count) is first rounded to the nearest integer, halves up
    (2.5 -> 3). ``floor=0`` gives the raw score (``inf`` for an unseen value).
    Orientation: lower is better; 0 when every member equals the observation.

    References: Good (1952); Roulston & Smith (2002); Gneiting & Raftery (2007).
    """
    o, e = _ensemble(observed, ensemble)
    if np.any(e != np.round(e)):
        raise ValueError("log_score needs an integer-valued ensemble")
    r = e.shape[-1]
    f = 1.0 / (2.0 * r) if floor is None else _floor(floor)
    y = _nearest_integer(o)
    freq = np.mean(e == y[..., np.newaxis], axis=-1)
    return _out(_neg_log(np.maximum(freq, f)))


def log_score_binary(p: npt.ArrayLike, happened: npt.ArrayLike, floor: float) -> Score:
    """Logarithmic score of a binary event forecast, in nats.

    ``p`` the probability of the event, ``happened`` (bool or 0/1), same shape::

        LS = -log max(p, floor)       if it happened
        LS = -log max(1 - p, floor)   if not

    ``floor`` (in [0, 1), e.g. ``1/(2R)`` for a probability estimated from R replicates) keeps a
    sure, wrong forecast finite. Orientation: lower is better.
    References: Good (1952); Roulston & Smith (2002).
    """
    q = _probability(p)
    h = _binary(happened, q.shape)
    f = _floor(floor)
    outcome = np.where(h == 1.0, q, 1.0 - q)
    return _out(_neg_log(np.maximum(outcome, f)))


def log_score_classes(probs: npt.ArrayLike, observed: npt.ArrayLike, floor: float) -> Score:
    """Logarithmic score of a class forecast, in nats.

    ``probs`` ``(..., K)``, ``observed`` ``(...)`` class indices::

        LS = -log max(p_observed, floor)

    Unlike :func:`rps` it ignores the order of the classes. ``floor`` in [0, 1).
    Orientation: lower is better. References: Good (1952); Roulston & Smith (2002).
    """
    p = _probs(probs)
    o = _classes(observed, p)
    f = _floor(floor)
    chosen = np.take_along_axis(p, o[..., np.newaxis], axis=-1)[..., 0]
    return _out(_neg_log(np.maximum(chosen, f)))


def log_score_poisson(observed: npt.ArrayLike, mean: npt.ArrayLike) -> Score:
    """Logarithmic score of a Poisson forecast, in nats (``mean`` broadcast against ``observed``).

    ``LS = -log f(y; mu) = mu - y log mu + log y!`` with ``y`` the observation rounded to the
    nearest integer, halves up (as in :func:`log_score`). ``mean == 0`` scores 0 at ``y = 0`` and
    ``inf`` elsewhere. Orientation: lower is better.
    References: Good (1952); Czado, Gneiting & Held (2009).
    """
    y, mu = _broadcast(
        _nonnegative(observed, "observed"), _nonnegative(mean, "mean"), "observed and mean"
    )
    logpmf = np.asarray(stats.poisson.logpmf(_nearest_integer(y), mu), dtype=np.float64)
    return _out(-logpmf)


# --------------------------------------------------------------------------------------------
# calibration


def pit_interval(observed: npt.ArrayLike, ensemble: npt.ArrayLike) -> tuple[Score, Score]:
    """The interval ``(F(y-), F(y))`` of the ensemble's empirical CDF at the observation.

    ``F(t) = #{members <= t} / R`` and ``F(y-) = #{members < y} / R``. For an integer-valued
    ensemble and an integer ``y`` this is ``(F(y-1), F(y))``; for an observation strictly between
    integers (or at no member's value) both ends equal ``F(y)``. Values in [0, 1].

    Reference: Czado, Gneiting & Held (2009).
    """
    o, e = _ensemble(observed, ensemble)
    y = o[..., np.newaxis]
    lower = np.mean(e < y, axis=-1)
    upper = np.mean(e <= y, axis=-1)
    return _out(lower), _out(upper)


def pit(observed: npt.ArrayLike, ensemble: npt.ArrayLike, rng: np.random.Generator) -> Score:
    """Randomised probability integral transform of the observation under the ensemble.

    ``U = F(y-) + V (F(y) - F(y-))`` with ``V ~ Uniform(0, 1)`` drawn from ``rng``
    (see :func:`pit_interval`): for integer-valued ensembles ``U ~ Uniform(F(y-1), F(y))``
    (Czado, Gneiting & Held 2009); for a non-integer observation between integers the interval
    is a point and ``U = F(y)``. For a calibrated forecast ``U`` is uniform on [0, 1] (up to the
    ensemble's granularity ``1/R``). One ``V`` is drawn per forecast whatever the interval, so
    the result is a function of ``rng``'s state and the shapes alone.

    References: Dawid, A. P. (1984), JRSS A 147, 278-292; Czado, Gneiting & Held (2009).
    """
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy Generator, got {type(rng).__name__}")
    o, e = _ensemble(observed, ensemble)
    y = o[..., np.newaxis]
    lower = np.mean(e < y, axis=-1)
    upper = np.mean(e <= y, axis=-1)
    v = rng.random(size=o.shape)
    return _out(np.asarray(lower + v * (upper - lower), dtype=np.float64))


def coverage(observed: npt.ArrayLike, ensemble: npt.ArrayLike, level: float) -> bool | BoolArray:
    """Whether the observation lies in the ensemble's central ``level`` interval.

    The interval is ``[q_lo, q_hi]``, both ends included, with ``q_lo`` and ``q_hi`` the
    ensemble's ``(1 - level)/2`` and ``(1 + level)/2`` quantiles taken as members
    (``method="inverted_cdf"``: the smallest member ``x`` with ``F(x) >= alpha``), so for integer
    data the ends are integers. Ties: an observation equal to an end is covered, however many
    members share that value; for integer data the interval then holds at least ``level`` of
    the forecast's probability, often much more when the counts are small (all-zero ensembles
    give ``[0, 0]``), so the coverage of a calibrated count forecast is at least ``level``, not
    equal to it (randomised PIT values are the exact check). Levels used: 0.5 and 0.9.

    Reference: Gneiting, Balabdaoui & Raftery (2007).
    """
    o, e = _ensemble(observed, ensemble)
    lv = float(level)
    if not 0.0 < lv < 1.0:
        raise ValueError(f"level must be in (0, 1), got {level}")
    q = np.quantile(e, [(1.0 - lv) / 2.0, (1.0 + lv) / 2.0], axis=-1, method="inverted_cdf")
    inside = np.asarray((q[0] <= o) & (o <= q[1]), dtype=np.bool_)
    return bool(inside) if inside.ndim == 0 else inside


# --------------------------------------------------------------------------------------------
# skill


def skill(score: npt.ArrayLike, reference: npt.ArrayLike) -> Score:
    """Skill score against a reference forecast: ``1 - score / reference`` (broadcast).

    Orientation: higher is better; 1 for a perfect score, 0 for no improvement on the
    reference, negative for worse.
    ``nan`` where ``reference == 0`` (the reference is already perfect, so there is no room
    for skill; the ratio is undefined even when ``score`` is 0 too). For negatively oriented
    scores (all of this module's). Per-forecast skill is noisy; aggregate with
    :func:`mean_skill`. Reference: Wilks (2011), ch. 8 (skill scores).
    """
    s, ref = _broadcast(
        np.asarray(score, dtype=np.float64),
        np.asarray(reference, dtype=np.float64),
        "score and reference",
    )
    ratio = np.divide(s, ref, out=np.full(s.shape, np.nan), where=ref != 0.0)
    return _out(1.0 - ratio)


def mean_skill(scores: npt.ArrayLike, references: npt.ArrayLike) -> float:
    """Aggregated skill score ``1 - mean(scores) / mean(references)``.

    The usual skill score of a set of forecasts (Wilks 2011, ch. 8): the ratio of the mean
    scores, not the mean of per-forecast ratios (which a few near-zero reference scores would
    dominate). ``scores`` and ``references`` are paired forecast by forecast (same shape).
    ``nan`` when ``mean(references) == 0``. Orientation: higher is better, at most 1.
    """
    s = np.asarray(scores, dtype=np.float64)
    ref = np.asarray(references, dtype=np.float64)
    if s.shape != ref.shape:
        raise ValueError(f"scores {s.shape} and references {ref.shape} must have the same shape")
    if s.size == 0:
        raise ValueError("no scores to aggregate")
    mean_ref = float(np.mean(ref))
    if mean_ref == 0.0:
        return float("nan")
    return 1.0 - float(np.mean(s)) / mean_ref


# --------------------------------------------------------------------------------------------
# reference forecasts


def poisson_class_probs(
    rate: npt.ArrayLike,
    days: npt.ArrayLike,
    K: int = 5,
    proxy_index: int = 2,
    contained_index: int = 3,
) -> FloatArray:
    """Class probabilities of a climatology without state-on-state violence.

    Proxy violence arrives as a Poisson process of ``rate`` events a day (broadcast against
    ``days``, the window's length), so over a window::

        P(proxy_violence) = 1 - exp(-rate * days)
        P(contained)      = exp(-rate * days)
        every other class = 0   (war and direct clash in particular)

    Shape ``broadcast(rate, days).shape + (K,)``, the same as an ensemble's class frequencies,
    so it can be scored with :func:`rps` and used as the reference of :func:`skill`. The
    defaults are the model's five outcome classes (``war, direct_clash, proxy_violence,
    contained, de_escalated``); for the four scoring classes of ``simulator.scoring.windows``
    (``war, direct_clash, proxy_violence, no_violence``) pass ``K=4`` (then index 3 is
    ``no_violence``).

    The rest goes to ``contained``, not ``de_escalated``: the reference describes a crisis with
    militias active, whose baseline state is at least hostile (covert moves, raids, threat that
    does not fall), so a window without violence is ``contained``; calling it ``de_escalated``
    would credit the climatology with a calming the record seldom shows.
    """
    r = _nonnegative(rate, "rate")
    d = _floats(days, "days")
    if np.any(d <= 0.0):
        raise ValueError("days must be > 0")
    r, d = _broadcast(r, d, "rate and days")
    if K < 2:
        raise ValueError(f"K must be >= 2, got {K}")
    for name, index in (("proxy_index", proxy_index), ("contained_index", contained_index)):
        if not 0 <= index < K:
            raise ValueError(f"{name} must be in [0, {K}), got {index}")
    if proxy_index == contained_index:
        raise ValueError("proxy_index and contained_index must differ")
    quiet = np.exp(-r * d)
    probs = np.zeros((*r.shape, K))
    probs[..., proxy_index] = -np.expm1(-r * d)
    probs[..., contained_index] = quiet
    return probs
