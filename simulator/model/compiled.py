"""The compiled engine: numba kernels of the day step, bit for bit the numpy model's arithmetic.

The numpy model (:mod:`simulator.model.actors` and the other mechanism modules) is the readable
reference. Each kernel here mirrors one numpy mechanism, named in its docstring and pinned in
:data:`MIRRORS`: the kernel does, column by column in one pass, the same IEEE operations in the
same order and precision (float32 where the reference is float32), so the two engines give the
same bytes. Transcendental functions stay with numpy between kernels (``np.exp`` of the
utilities): numpy's vectorised ``exp`` is not the C library's, so a kernel calling its own
would differ in the last bit now and then.

Everything the kernels need that is fixed for the day is worked out by the numpy code both
engines share (:meth:`Actor.terms`); a per-column number arrives as an array of width 1 (one
value for every column) or of the model's width (stacked design points).

Import this module only to run the compiled engine: it imports numba (see
:mod:`simulator.model.engine`). Kernels are compiled once and cached on disk (``cache=True``),
so later processes load them instead of compiling.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numba
import numpy as np

from simulator.model.points import float32
from simulator.model.rng import _COUNTER, _mix_int

if TYPE_CHECKING:
    from simulator.model.actors import Actor
    from simulator.model.sites import DayDraws

#: which numpy code each kernel mirrors, and a hash of that code's source: a change to it
#: without the kernel fails tests/test_engines.py (review the kernel, then pin the new hash)
MIRRORS = {
    "utilities": ("simulator.model.actors", "Actor.decide", "5329fcb44d07031e"),
    "choose": ("simulator.model.actors", "logit_choice", "b2dd7c155b802768"),
    "choose (bound)": ("simulator.model.actors", "_float32_bound", "749f71359a830b11"),
    "_uniform": ("simulator.model.rng", "ReplicateStreams.uniform", "777e68d61296b81d"),
    "_uniform (mix)": ("simulator.model.rng", "_mix", "0e01348c84afd090"),
}

_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31, _S11 = np.uint64(30), np.uint64(27), np.uint64(31), np.uint64(11)
_TO_UNIT = 1.0 / 9007199254740992.0  # 2**-53
_NEG_INF32 = np.float32(-np.inf)
_POS_INF32 = np.float32(np.inf)

jit = numba.njit(cache=True, nogil=True, error_model="numpy")


@jit
def _uniform(key: np.uint64, offset: np.uint64) -> float:
    """One replicate's uniform of a site and day (``ReplicateStreams.uniform``, one column)."""
    z = key + offset
    z ^= z >> _S30
    z *= _M1
    z ^= z >> _S27
    z *= _M2
    z ^= z >> _S31
    z >>= _S11
    return float(z) * _TO_UNIT


def day_offset(day: int, site: int) -> np.uint64:
    """The offset a site's draws of one day add to each replicate's key (as ``uniform``)."""
    return np.uint64(_mix_int(site + (day + 1) * int(_COUNTER)))


@jit
def utilities(
    z: np.ndarray,  # float32 (rows, R): out, the utilities less their column's maximum
    x: np.ndarray,  # float64 (R,): desired level x*
    target: np.ndarray,  # int64 (R,)
    menu: np.ndarray,  # int64 (rows,)
    menu_level: np.ndarray,  # float32 (rows,)
    gain: np.ndarray,  # float32 (1|R,)
    constant: np.ndarray,  # float32 (rows, 1|R)
    deterred: np.ndarray,  # int64 (d,): deterred rows, in order
    deterred_level: np.ndarray,  # float32 (d,)
    scale: np.ndarray,  # float64 (1|R,), used if deter
    deter: bool,
    retaliation: np.ndarray,  # float64 (actors, 1|R)
    line_target: np.ndarray,  # int64 (L,)
    line_belief: np.ndarray,  # float64 (L, R): the owner's credibility in the actor's eyes
    line_rows: np.ndarray,  # int64 (L, M), -1 padded
    line_weight: np.ndarray,  # float32 (L, M, 1|R)
    pull: np.ndarray,  # float32 (1|R,), used if pulled
    pulled: bool,
    committed: np.ndarray,  # bool (R,)
    low: np.ndarray,  # int64 (R,)
    high: np.ndarray,  # int64 (R,)
    excluded_rows: np.ndarray,  # int64 (e,)
    excluded_against: np.ndarray,  # float32 (rows, types)
    type_of: np.ndarray,  # int64 (actors,)
    order_cap: int,  # int64: -1 for none
    obey: np.ndarray,  # bool (R,), used if order_cap >= 0
) -> None:
    """Mirror of the utilities in :meth:`Actor.decide`, then ``z -= max`` of logit_choice.

    Row by row over contiguous columns, as the reference's passes go, so that the loops vectorise.
    """
    rows, R = z.shape
    xg = np.empty(R, dtype=np.float32)
    g_wide = gain.shape[0] > 1
    for c in range(R):
        xg[c] = np.float32(x[c]) * gain[c if g_wide else 0]
    c_wide = constant.shape[1] > 1
    for r in range(rows):
        level = menu_level[r]
        if c_wide:
            for c in range(R):
                z[r, c] = level * xg[c] - constant[r, c]
        else:
            k0 = constant[r, 0]
            for c in range(R):
                z[r, c] = level * xg[c] - k0
    if deter:
        w_wide = line_weight.shape[2] > 1
        for ln in range(line_target.shape[0]):
            k = line_target[ln]
            for j in range(line_rows.shape[1]):
                r = line_rows[ln, j]
                if r < 0:
                    break
                for c in range(R):
                    if target[c] == k:  # elsewhere the reference subtracts exactly 0
                        w = line_weight[ln, j, c if w_wide else 0]
                        product = np.float64(w) * line_belief[ln, c]
                        z[r, c] = np.float32(np.float64(z[r, c]) - product)
        e32 = xg  # reused: x* is no longer needed
        r_wide, s_wide = retaliation.shape[1] > 1, scale.shape[0] > 1
        for c in range(R):
            e = retaliation[target[c], c if r_wide else 0] * scale[c if s_wide else 0]
            e32[c] = np.float32(e)
        for j in range(deterred.shape[0]):
            r = deterred[j]
            level = deterred_level[j]
            for c in range(R):
                z[r, c] = z[r, c] - level * e32[c]
    if pulled:
        p_wide = pull.shape[0] > 1
        zero = np.float32(0.0)
        for r in range(rows):
            rung = menu[r]
            for c in range(R):
                promised = committed[c] and rung >= low[c] and rung <= high[c]
                z[r, c] = z[r, c] + (pull[c if p_wide else 0] if promised else zero)
    for j in range(excluded_rows.shape[0]):
        r = excluded_rows[j]
        for c in range(R):
            z[r, c] = z[r, c] + excluded_against[r, type_of[target[c]]]
    if order_cap >= 0:
        for r in range(rows):
            if menu[r] > order_cap:
                for c in range(R):
                    if obey[c]:
                        z[r, c] = _NEG_INF32
    top = np.empty(R, dtype=np.float32)
    for c in range(R):
        top[c] = z[0, c]
    for r in range(1, rows):  # the maximum, NaN if any is (as numpy's max)
        for c in range(R):
            v = z[r, c]
            t = top[c]
            top[c] = v if (v > t or v != v) and t == t else t
    for r in range(rows):
        for c in range(R):
            z[r, c] = z[r, c] - top[c]


@jit
def choose(
    weights: np.ndarray, keys: np.ndarray, offset: np.uint64, menu: np.ndarray, out: np.ndarray
) -> None:
    """Mirror of :func:`logit_choice` after its ``exp``: sample a row per column by inversion.

    ``weights`` (float32 rows × R) holds exp(z); the running sums are taken row by row in
    float32, and the bound is ``_float32_bound`` of u × total.
    """
    rows, R = weights.shape
    for r in range(1, rows):
        for c in range(R):
            weights[r, c] = weights[r, c] + weights[r - 1, c]
    bound = np.empty(R, dtype=np.float32)
    for c in range(R):
        t = _uniform(keys[c], offset) * np.float64(weights[rows - 1, c])
        b = np.float32(t)
        if np.float64(b) < t:
            b = np.nextafter(b, _POS_INF32)
        bound[c] = b
    count = np.zeros(R, dtype=np.int64)
    for r in range(rows):
        for c in range(R):
            count[c] += weights[r, c] < bound[c]
    for c in range(R):
        out[c] = menu[min(count[c], rows - 1)]


def _width(value: object, dtype: type) -> np.ndarray:
    """A number or an array over columns as an array of width 1 or R."""
    return np.atleast_1d(np.asarray(value, dtype=dtype))


def _lines(actor: Actor, scale: object) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The actor's deterrence lines packed for the kernel (targets, owners, rows, weights)."""
    cached = actor.__dict__.get("_packed_lines")
    if cached is not None and cached[0] is actor.deterrence_lines:
        return cached[1]
    lines = actor.deterrence_lines
    width = max((len(ln[2]) for ln in lines), default=0)
    columns = 1
    weights = []
    for _, _, _, covered_level, coef in lines:
        w = covered_level * (coef * float32(scale))  # float32, as the reference computes it
        weights.append(w)
        columns = max(columns, w.shape[1])
    rows = np.full((len(lines), width), -1, dtype=np.int64)
    packed = np.zeros((len(lines), width, columns), dtype=np.float32)
    for ln, (_, _, covered, _, _) in enumerate(lines):
        rows[ln, : len(covered)] = covered
        packed[ln, : len(covered)] = weights[ln]
    targets = np.array([ln[0] for ln in lines], dtype=np.int64)
    owners = np.array([ln[1] for ln in lines], dtype=np.int64)
    actor.__dict__["_packed_lines"] = (lines, (targets, owners, rows, packed))
    return targets, owners, rows, packed


def decide(actor: Actor, draws: DayDraws) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:meth:`Actor.decide` with the utilities and the choice compiled (same results)."""
    from simulator.model.sites import _key

    m, i = actor.model, actor.index
    target, x = actor.pick_target()
    t = actor.terms(target, draws)
    rows = len(actor.menu)
    z = m.scratch.utility[:rows]
    R = m.replicates
    deter = t.scale is not None
    if deter:
        line_target, owners, line_rows, line_weight = _lines(actor, t.scale)
        line_belief = m.beliefs.credibility[i][owners]
        deterred = np.arange(rows)[actor.deterred_rows]
        scale = _width(t.scale, np.float64)
    else:
        line_target = np.zeros(0, dtype=np.int64)
        line_rows = np.zeros((0, 0), dtype=np.int64)
        line_weight = np.zeros((0, 0, 1), dtype=np.float32)
        line_belief = np.zeros((0, R))
        deterred = np.zeros(0, dtype=np.int64)
        scale = np.zeros(1)
    pulled = t.pull is not None
    lines = m.red_lines
    order_cap, obey = (-1, m.pulling[i]) if t.order is None else (int(t.order[0]), t.order[1])
    retaliation = actor.retaliation
    utilities(
        z,
        x,
        target,
        actor.menu,
        actor.menu_level[:, 0],
        _width(t.gain, np.float32),
        t.constant,
        deterred,
        actor.deterred_level[:, 0],
        scale,
        deter,
        retaliation[:, None] if retaliation.ndim == 1 else retaliation,
        line_target,
        line_belief,
        line_rows,
        line_weight,
        _width(t.pull if pulled else 0.0, np.float32),
        pulled,
        m.pulling[i],
        lines.low[i],
        lines.high[i],
        np.asarray(t.excluded_rows, dtype=np.int64),
        actor.excluded_against,
        m.actor_type_index,
        order_cap,
        obey,
    )
    np.exp(z, out=z)
    rung = np.empty(R, dtype=np.int64)
    choose(z, m.streams.keys, day_offset(draws.day, _key("choice", i)), actor.menu, rung)
    return rung, target, x
