"""Counter-based random streams: one independent stream per replicate, drawn in lockstep.

A replicate's draws must depend only on (seed, replicate index, day, purpose), never on how many
replicates share the model instance or how a run was chunked, yet drawing them one replicate at a
time would forfeit the speed of the replicate axis. A counter-based generator (Salmon et al. 2011,
"Parallel random numbers: as easy as 1, 2, 3") gives both: each uniform is a hash of its
coordinates. The hash is SplitMix64's finaliser (Steele et al. 2014), applied to a per-replicate key
plus a per-(day, site) offset.

A *site* is one named use of randomness ("choice" of actor 2, "noise" of observer 1 about actor
3, …). Its key is a hash of the purpose's name and its indices, so adding a new kind of draw never
renumbers the existing ones: every stored number stays what it was.
"""

from __future__ import annotations

import math
import zlib

import numpy as np

from simulator.model.special import comb, ndtri

_GAMMA = np.uint64(0x9E3779B97F4A7C15)
_COUNTER = np.uint64(0xD1B54A32D192ED03)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31, _S11 = (np.uint64(s) for s in (30, 27, 31, 11))
_TO_UNIT = 1.0 / 9007199254740992.0  # 2**-53
_MASK = (1 << 64) - 1


def _mix(z: np.ndarray, tmp: np.ndarray | None = None) -> np.ndarray:
    """SplitMix64 finaliser, in place on a uint64 array.

    ``tmp`` is a scratch array of the same shape for the shifts (a new one if not given).
    """
    tmp = np.right_shift(z, _S30, out=tmp)
    z ^= tmp
    z *= _M1
    np.right_shift(z, _S27, out=tmp)
    z ^= tmp
    z *= _M2
    np.right_shift(z, _S31, out=tmp)
    z ^= tmp
    return z


def _mix_int(value: int) -> int:
    """SplitMix64 finaliser of one Python integer (mod 2**64)."""
    z = value & _MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
    return z ^ (z >> 31)


def site_key(purpose: str, *indices: int) -> int:
    """The 64-bit key of a draw site: a hash of its purpose's name and its indices."""
    key = _mix_int(zlib.crc32(purpose.encode("utf-8")) + 0x632BE59BD9B4E019)
    for i in indices:
        key = _mix_int(key * 0x9E3779B97F4A7C15 + int(i) + 1)
    return key


def replicate_keys(seed: int, replicates: np.ndarray) -> np.ndarray:
    """One 64-bit key per replicate index, derived from the scenario seed."""
    with np.errstate(over="ignore"):
        base = _mix(np.array([seed], dtype=np.uint64) * _GAMMA + _GAMMA)[0]
        return _mix(np.asarray(replicates, dtype=np.uint64) * _GAMMA + base)


def day_offset(day: int, site: int) -> np.uint64:
    """What one site's draws of one day add to every replicate's key before the hash."""
    return np.uint64(_mix_int(site + (day + 1) * int(_COUNTER)))


class ReplicateStreams:
    """Uniform draws for a block of replicates, addressed by (day, site key)."""

    def __init__(self, seed: int, replicates: np.ndarray):
        """``replicates``: the replicate index of each column (a design point's are its own)."""
        self.keys = replicate_keys(seed, replicates)
        # the hash's working arrays, reused by every draw of all replicates
        self._z = np.empty_like(self.keys)
        self._tmp = np.empty_like(self.keys)

    def uniform(self, day: int, site: int, columns: np.ndarray | None = None) -> np.ndarray:
        """The uniforms in [0, 1) of one site on one day, one per replicate (or per column)."""
        offset = day_offset(day, site)
        with np.errstate(over="ignore"):
            if columns is None:
                z = np.add(self.keys, offset, out=self._z)
            else:
                z = self.keys[columns]
                z += offset
            _mix(z, self._tmp[: len(z)] if len(z) <= len(self._tmp) else None)
        z >>= _S11
        return np.multiply(z, _TO_UNIT)  # the 53 high bits as a float64 in [0, 1)


def normal(u: np.ndarray) -> np.ndarray:
    """Standard normal deviates from uniforms by the inverse CDF (one uniform per deviate)."""
    return ndtri(np.clip(u, 1e-300, 1.0 - 2**-53))


def poisson(u: np.ndarray, mean: np.ndarray) -> np.ndarray:
    """Poisson deviates by inversion (one uniform each); ``mean`` broadcasts against ``u``.

    Exact for means up to the schema's ceiling (500), where exp(-mean) is still representable.
    """
    mean = np.broadcast_to(np.asarray(mean, dtype=np.float64), u.shape)
    k_max = poisson_steps(mean)
    k = np.zeros(u.shape, dtype=np.int64)
    p = np.exp(-mean)
    cdf = p.copy()
    active = u > cdf
    for i in range(1, k_max):
        if not active.any():
            break
        k += active
        p = p * mean / i
        cdf = cdf + p
        active &= u > cdf
    return k


def poisson_steps(mean: np.ndarray) -> int:
    """The inversion's bound on its steps: the largest mean + 12 standard deviations + 30."""
    top = float(mean.max()) if mean.size else 0.0
    return int(top + 12.0 * math.sqrt(top) + 30.0)  # (a square root is rounded exactly)


def binomial(u: np.ndarray, n: np.ndarray, p: np.ndarray) -> np.ndarray:
    """Binomial(n, p) deviates by inversion (one uniform each); arguments broadcast.

    Used on the few replicates where a violent move landed, to split its casualties into deaths
    and wounded.
    """
    u, n, p = np.broadcast_arrays(u, np.asarray(n, dtype=np.int64), np.asarray(p, dtype=float))
    k = np.zeros(u.shape, dtype=np.int64)
    if not u.size:
        return k
    single = n <= 1  # one trial (the usual landed attack): success when u > 1 - p
    k[single] = (n[single] == 1) & (u[single] > 1.0 - p[single])
    if single.all():
        return k
    many = np.flatnonzero(~single)
    k[many] = _binomial_inversion(u[many], n[many], p[many])
    return k


def _binomial_inversion(u: np.ndarray, n: np.ndarray, p: np.ndarray) -> np.ndarray:
    """X with P(X < k) < u <= P(X <= k): the CDF tabulated up to the largest n, then counted."""
    k = np.arange(int(n.max()) + 1)[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        pmf = comb(n[None, :], k) * p[None, :] ** k * (1.0 - p[None, :]) ** (n[None, :] - k)
    cdf = np.cumsum(np.nan_to_num(pmf), axis=0)
    return np.minimum((cdf < u[None, :]).sum(axis=0), n)
