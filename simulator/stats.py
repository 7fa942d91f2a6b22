"""Small statistics shared by the summary table, the plots and comparisons of two arms."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

__all__ = [
    "mcnemar_exact",
    "newcombe_paired",
    "newcombe_unpaired",
    "paired_mean_difference",
    "wilson_interval",
]


def wilson_interval(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """Wilson score interval for a binomial proportion ``k / n`` (Wilson 1927).

    Chosen over the normal (Wald) interval because rare outcomes such as war often have
    ``k`` near 0, where Wald collapses to a zero-width interval. Returns ``(0.0, 1.0)``
    when ``n == 0`` (no information).
    """
    if n < 0 or k < 0 or k > n:
        raise ValueError(f"need 0 <= k <= n, got k={k}, n={n}")
    if n == 0:
        return 0.0, 1.0
    p = k / n
    z2 = z * z
    denom = 1.0 + z2 / n
    centre = (p + z2 / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denom
    # Clamp: rounding can push the bounds a hair outside [0, 1] at k == 0 or k == n.
    return max(0.0, centre - half), min(1.0, centre + half)


def newcombe_paired(
    both: int, only_a: int, only_b: int, neither: int, z: float = 1.96
) -> tuple[float, float, float]:
    """ΔP = P(B) − P(A) of paired proportions and its interval (Newcombe 1998, method 10).

    The table counts replicates by whether the event happened under arm A and under arm B:
    ``both``, ``only_a``, ``only_b``, ``neither``. The interval combines the Wilson intervals of
    the two proportions with their correlation φ (continuity-corrected as Newcombe does: φ is
    shrunk towards 0 by n/2 when positive), so pairing that makes the arms agree narrows it.
    Returns ``(ΔP, low, high)``; ``(0, 0, 0)``-width intervals are not produced for n > 0.
    """
    n = both + only_a + only_b + neither
    if min(both, only_a, only_b, neither) < 0 or n == 0:
        raise ValueError("need non-negative counts and at least one pair")
    p_a, p_b = (both + only_a) / n, (both + only_b) / n
    low_a, high_a = wilson_interval(both + only_a, n, z)
    low_b, high_b = wilson_interval(both + only_b, n, z)
    margins = (both + only_a) * (only_b + neither) * (both + only_b) * (only_a + neither)
    phi = 0.0
    if margins > 0:
        cross = both * neither - only_a * only_b
        corrected = cross - n / 2 if cross > n / 2 else (cross if cross < 0 else 0.0)
        phi = corrected / math.sqrt(margins)
    dl_b, du_b = p_b - low_b, high_b - p_b
    dl_a, du_a = p_a - low_a, high_a - p_a
    delta = p_b - p_a
    low = delta - math.sqrt(max(dl_b**2 - 2 * phi * dl_b * du_a + du_a**2, 0.0))
    high = delta + math.sqrt(max(du_b**2 - 2 * phi * du_b * dl_a + dl_a**2, 0.0))
    return delta, max(-1.0, low), min(1.0, high)


def newcombe_unpaired(
    k_a: int, k_b: int, n_a: int, n_b: int | None = None, z: float = 1.96
) -> tuple[float, float, float]:
    """ΔP = k_b/n_b − k_a/n_a of two independent proportions and its hybrid score interval.

    Newcombe (1998, method 10 of the unpaired paper): the square-and-add of the two Wilson
    intervals (``n_b`` defaults to ``n_a``). What the same work would give without common
    random numbers.
    """
    n_b = n_a if n_b is None else n_b
    p_a, p_b = k_a / n_a, k_b / n_b
    low_a, high_a = wilson_interval(k_a, n_a, z)
    low_b, high_b = wilson_interval(k_b, n_b, z)
    delta = p_b - p_a
    low = delta - math.sqrt((p_b - low_b) ** 2 + (high_a - p_a) ** 2)
    high = delta + math.sqrt((high_b - p_b) ** 2 + (p_a - low_a) ** 2)
    return delta, max(-1.0, low), min(1.0, high)


def mcnemar_exact(only_a: int, only_b: int) -> float:
    """Two-sided exact McNemar p-value: the discordant pairs against Binomial(b + c, 1/2)."""
    from scipy.stats import binomtest

    discordant = only_a + only_b
    if discordant == 0:
        return 1.0
    return float(binomtest(only_b, discordant, 0.5).pvalue)


def paired_mean_difference(
    a: np.ndarray, b: np.ndarray, z: float = 1.96
) -> tuple[float, float, float, float]:
    """Mean of b − a over pairs, its normal interval, and the unpaired interval's half-width.

    Returns ``(Δ, low, high, unpaired_half_width)``: the paired interval uses the spread of the
    differences, the unpaired one the two arms' spreads as if drawn independently.
    """
    import numpy as np

    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    n = len(a)
    if n < 2 or len(b) != n:
        raise ValueError("need two arms of the same length, at least 2 pairs")
    d = b - a
    half = z * float(d.std(ddof=1)) / math.sqrt(n)
    unpaired = z * math.sqrt((float(a.var(ddof=1)) + float(b.var(ddof=1))) / n)
    mean = float(d.mean())
    return mean, mean - half, mean + half, unpaired
