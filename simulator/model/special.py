"""The special functions the model uses, taken from scipy's compiled ufuncs.

``scipy.special``'s package code wraps its functions for other array libraries (the array API):
importing it took 0.2 s of an `escalation run` of about 2.5 s, for the four functions the model
calls. :mod:`simulator.deferred` stands in for the package (if nothing imported scipy first), and
the functions come from ``scipy.special._ufuncs``, the compiled module the package itself
re-exports: the very same objects. Anything else that asks ``scipy.special`` for a name loads
the whole package then, as ever. Another scipy layout falls back to the public names.
"""

from __future__ import annotations

from typing import Any

import numpy as np

try:
    from scipy.special._ufuncs import binom, ndtri, pdtrc
except ImportError:  # pragma: no cover - a scipy that moved them: the public names, all loaded
    from scipy.special import binom, ndtri, pdtrc

__all__ = ["binom", "comb", "ndtri", "pdtrc"]


def comb(N: Any, k: Any) -> Any:
    """``scipy.special.comb(N, k)`` (``exact=False``): binom where 0 ≤ k ≤ N, else 0.

    scipy's own code, without its checks for exact and repeated combinations (scipy 1.17).
    """
    k, N = np.asarray(k), np.asarray(N)
    cond = (k <= N) & (N >= 0) & (k >= 0)
    vals = binom(N, k)
    if isinstance(vals, np.ndarray):
        vals[~cond] = 0
    elif not cond:
        vals = np.float64(0)
    return vals
