"""Small statistics shared by the summary table and the plots."""

from __future__ import annotations

import math

__all__ = ["wilson_interval"]


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
