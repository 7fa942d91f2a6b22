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

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import numba
import numpy as np

from simulator.model import rng
from simulator.model.beliefs import _EPS, _pairs
from simulator.model.observation import blame_of_the_day
from simulator.model.outcomes import _KEEP, THREAT_SCALE
from simulator.model.points import any_of, float32
from simulator.model.rng import _COUNTER, day_offset, poisson_steps
from simulator.model.special import binom
from simulator.model.violence import Attack, Outcome

if TYPE_CHECKING:
    from simulator.model.actors import Actor
    from simulator.model.beliefs import Beliefs
    from simulator.model.events import Forced
    from simulator.model.observation import Blame
    from simulator.model.outcomes import Recorder
    from simulator.model.redlines import RedLines
    from simulator.model.rng import ReplicateStreams
    from simulator.model.sites import DayDraws
    from simulator.model.world import EscalationModel

#: which numpy code each kernel mirrors, and a hash of that code's source: a change to it
#: without the kernel fails tests/test_engines.py (review the kernel, then pin the new hash)
MIRRORS = {
    "record_columns": ("simulator.model.outcomes", "Recorder.record", "43c20362d3226f6e"),
    "record_columns (recovery)": (
        "simulator.model.outcomes",
        "Recorder._recovery",
        "15ae4566aba6b639",
    ),
    "log_kernel, log": ("simulator.model.outcomes", "Recorder._log", "a294fd27de52b54c"),
    "decisions_kernel, decisions": (
        "simulator.model.outcomes",
        "Recorder.decisions",
        "dd70ab5af2a916e3",
    ),
    "_drives": ("simulator.model.actors", "Actor._drive", "ed87b2ba51526a4c"),
    "_desires (state)": ("simulator.model.actors", "State.desire", "a52c28811639fbdf"),
    "_desires (host)": ("simulator.model.actors", "Host.desire", "ef35cafbe7d17843"),
    "_desires (militia)": ("simulator.model.actors", "Militia.desire", "68d737c6083813ff"),
    "_desires (wish)": ("simulator.model.actors", "Militia.wish", "28e3d3d5b44dfc23"),
    "_values": ("simulator.model.actors", "Actor.value", "867013dde6450df2"),
    "pick_target": ("simulator.model.actors", "Actor.pick_target", "fba352c666d2ff96"),
    "pick_target (_most_valued)": (
        "simulator.model.actors",
        "Actor._most_valued",
        "d6140059e33ed046",
    ),
    "utilities": ("simulator.model.actors", "Actor.decide", "5329fcb44d07031e"),
    "choose": ("simulator.model.actors", "logit_choice", "b2dd7c155b802768"),
    "choose (bound)": ("simulator.model.actors", "_float32_bound", "749f71359a830b11"),
    "_uniform, uniforms_kernel, uniform": (
        "simulator.model.rng",
        "ReplicateStreams.uniform",
        "42a0649e2a892595",
    ),
    "observe_columns, observe_reading, floor_threat": (
        "simulator.model.observation",
        "observe",
        "1f63acd9fe36f749",
    ),
    "observe_reading (felt)": ("simulator.model.observation", "felt", "d8456e027959630a"),
    "observe_beliefs": ("simulator.model.beliefs", "Beliefs.update", "cba4ebc15f8d692f"),
    "_uniform (mix)": ("simulator.model.rng", "_mix", "0e01348c84afd090"),
    "poisson_counts, poisson": ("simulator.model.rng", "poisson", "65b102173195a8d4"),
    "rung_counts_kernel, rung_counts": ("simulator.model.world", "rung_counts", "53060c336699569e"),
    "tensions_kernel, tensions": (
        "simulator.model.world",
        "EscalationModel._tensions",
        "3c99ed3fec10be3b",
    ),
    "tensions_kernel (one)": (
        "simulator.model.world",
        "EscalationModel._tension",
        "d0a8ca4bb9909790",
    ),
    "clear_losses": ("simulator.model.violence", "DayLosses.today", "71d57d161a74b612"),
    "binomial_counts, binomial": ("simulator.model.rng", "binomial", "5e52ff991e8f82a3"),
    "binomial_counts (inversion)": (
        "simulator.model.rng",
        "_binomial_inversion",
        "6e931b5fdb6ae47c",
    ),
    "violence_postures": ("simulator.model.violence", "_postures", "f4f65dbef4699cca"),
    "violence_aim, violence_losses, violence_sabotage": (
        "simulator.model.violence",
        "resolve",
        "31712e37c2575374",
    ),
    "violence_aim (soil)": ("simulator.model.violence", "_soil_security", "3b6089f7e39a9923"),
    "settle_kernel": ("simulator.model.world", "EscalationModel._settle", "1d839b72852f2b33"),
    "grieve_kernel": ("simulator.model.world", "EscalationModel._grieve", "62369839afce8985"),
    "grieve_kernel (_grievance_add)": (
        "simulator.model.world",
        "EscalationModel._add_grievance",
        "c7c1ea94bac30724",
    ),
    "_blamed (grieve_kernel, trip_kernel)": (
        "simulator.model.observation",
        "blame_of_the_day",
        "889e1c4a62fa8cbf",
    ),
    "war_kernel": ("simulator.model.world", "EscalationModel._war", "73ac0426c4214457"),
    "expire_kernel": ("simulator.model.world", "EscalationModel._expire", "0dcaaf6fd36d9b18"),
    "keep_kernel": ("simulator.model.redlines", "RedLines.keep", "7ae4c24d2f41ee4e"),
    "trip_kernel": ("simulator.model.redlines", "RedLines.trip", "64a5680202d51de2"),
    "lapse_kernel": ("simulator.model.redlines", "RedLines.expire", "47c890fa10a4fedc"),
    "promise_kernel": ("simulator.model.beliefs", "Beliefs.promise", "8f4cd1cd17d8d2bc"),
    "promise_kernel (by owner)": (
        "simulator.model.world",
        "EscalationModel._promises",
        "d00e255f0f401632",
    ),
    "forget_kernel": ("simulator.model.beliefs", "Beliefs.forget", "250bb71c7d1bbed3"),
}

_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31, _S11 = np.uint64(30), np.uint64(27), np.uint64(31), np.uint64(11)
_TO_UNIT = 1.0 / 9007199254740992.0  # 2**-53
_NEG_INF32 = np.float32(-np.inf)

#: every kernel: compiled once, cached on disk. Kernels loop over whole tables: a helper
#: called per column with arrays as arguments costs reference counting on every call. In a
#: pass over the columns, truth values combine with | and &: ``or`` and ``and`` short-circuit,
#: and their branches keep the pass from vectorising (unless the first test is false in most
#: columns and spares a lookup, as "no clash yet" does)
jit = numba.njit(cache=True, nogil=True, error_model="numpy")
#: binom(n, k) is finite for every k up to this n (binom(1029, 514) < 1.8e308 < binom(1030, 515))
_BINOM_FINITE = 1029


@jit
def _mixed(z: np.uint64) -> np.uint64:
    """The SplitMix64 finaliser of one number (``rng._mix``; uint64 arithmetic wraps)."""
    z ^= z >> _S30
    z *= _M1
    z ^= z >> _S27
    z *= _M2
    z ^= z >> _S31
    return z


@jit
def _uniform(key: np.uint64, offset: np.uint64) -> float:
    """One replicate's uniform of a site and day (``ReplicateStreams.uniform``, one column)."""
    z = _mixed(key + offset)
    z >>= _S11  # 53 bits: as an int64 it converts to float in one instruction, exactly
    return float(np.int64(z)) * _TO_UNIT


@jit
def uniforms_kernel(keys: np.ndarray, offset: np.uint64, out: np.ndarray) -> None:
    """``out[c]``: column c's uniform of a site and day (``ReplicateStreams.uniform``)."""
    for c in range(keys.shape[0]):
        out[c] = _uniform(keys[c], offset)


def uniform(
    streams: ReplicateStreams, day: int, site: int, columns: np.ndarray | None = None
) -> np.ndarray:
    """:meth:`ReplicateStreams.uniform` compiled (same numbers).

    What still draws by site in the compiled engine: whether a proxy obeys its patron's order.
    """
    keys = streams.keys if columns is None else streams.keys[columns]
    out = np.empty(keys.shape[0])
    uniforms_kernel(keys, day_offset(day, site), out)
    return out


@jit
def _offsets(days: int, counter: np.uint64, sites: np.ndarray) -> np.ndarray:
    """Each site's offset of days 0 … days − 1 (days × kinds × sites).

    The finaliser of site + (day + 1) · counter, mod 2**64, as :func:`rng.day_offset`.
    """
    out = np.empty((days, sites.shape[0], sites.shape[1]), dtype=np.uint64)
    for day in range(days):
        step = np.uint64(day + 1) * counter  # uint64 arithmetic wraps, as ``_mix_int``'s masks
        for a in range(sites.shape[0]):
            for s in range(sites.shape[1]):
                out[day, a, s] = _mixed(sites[a, s] + step)
    return out


class DayOffsets:
    """:func:`day_offset` of many sites (a table, kinds × sites), day by day.

    Every day's are worked out at the first ask, up to the model's horizon: a kernel call a
    day for each table of sites cost more than the hashes themselves.
    """

    def __init__(self, sites: np.ndarray, horizon: int):
        self.sites, self.horizon = sites, horizon
        self.table = np.empty((0, *sites.shape), dtype=np.uint64)

    def __call__(self, day: int) -> np.ndarray:
        """The offsets of ``day`` (kinds × sites)."""
        if day >= len(self.table):  # (a day past the horizon: a model stepped on by hand)
            self.table = _offsets(max(self.horizon, day + 1), _COUNTER, self.sites)
        offsets: np.ndarray = self.table[day]
        return offsets


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
    belief: np.ndarray,  # float64 (actors, R): the actor's belief in each owner's credibility
    line_owner: np.ndarray,  # int64 (L,): whose red line
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
    xg: np.ndarray,  # float32 (R,): scratch
    e32: np.ndarray,  # float32 (R,): scratch
    top: np.ndarray,  # float32 (R,): scratch
) -> None:
    """Mirror of the utilities in :meth:`Actor.decide`, then ``z -= max`` of logit_choice.

    Row by row: each term the reference adds in its own pass over all rows is added here to
    one row while it is in the cache, in the reference's order, so every utility sees the same
    operations in the same order; the passes over a row's contiguous columns vectorise.
    """
    rows, R = z.shape
    g_wide = gain.shape[0] > 1
    for c in range(R):
        xg[c] = np.float32(x[c]) * gain[c if g_wide else 0]
    if deter:  # retaliation expected from each column's target
        r_wide, s_wide = retaliation.shape[1] > 1, scale.shape[0] > 1
        for c in range(R):
            e = retaliation[target[c], c if r_wide else 0] * scale[c if s_wide else 0]
            e32[c] = np.float32(e)
    c_wide = constant.shape[1] > 1
    w_wide = line_weight.shape[2] > 1
    p_wide = pull.shape[0] > 1
    zero = np.float32(0.0)
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
            for ln in range(line_target.shape[0]):  # the red lines covering this row, in order
                k, owner = line_target[ln], line_owner[ln]
                for j in range(line_rows.shape[1]):
                    if line_rows[ln, j] < 0:
                        break
                    if line_rows[ln, j] != r:
                        continue
                    for c in range(R):  # elsewhere the reference subtracts exactly 0
                        w = line_weight[ln, j, c if w_wide else 0]
                        product = np.float64(w) * belief[owner, c]
                        less = np.float32(np.float64(z[r, c]) - product)
                        z[r, c] = less if target[c] == k else z[r, c]  # a select: vectorises
            for j in range(deterred.shape[0]):
                if deterred[j] == r:
                    level_j = deterred_level[j]
                    for c in range(R):
                        z[r, c] = z[r, c] - level_j * e32[c]
        if pulled:
            rung = menu[r]
            for c in range(R):  # & rather than and: no branches, the pass vectorises
                promised = committed[c] & (rung >= low[c]) & (rung <= high[c])
                z[r, c] = z[r, c] + (pull[c if p_wide else 0] if promised else zero)
        for j in range(excluded_rows.shape[0]):
            if excluded_rows[j] == r:
                for c in range(R):
                    z[r, c] = z[r, c] + excluded_against[r, type_of[target[c]]]
        if order_cap >= 0 and menu[r] > order_cap:
            for c in range(R):
                z[r, c] = _NEG_INF32 if obey[c] else z[r, c]
        if r == 0:
            for c in range(R):
                top[c] = z[0, c]
        else:  # the maximum, NaN if any is (as numpy's max)
            for c in range(R):
                v = z[r, c]
                t = top[c]
                top[c] = v if (v > t or v != v) and t == t else t
    for r in range(rows):
        for c in range(R):
            z[r, c] = z[r, c] - top[c]


@jit
def choose(
    weights: np.ndarray,
    keys: np.ndarray,
    offset: np.uint64,
    menu: np.ndarray,
    out: np.ndarray,
    bound: np.ndarray,
    count: np.ndarray,
) -> None:
    """Mirror of :func:`logit_choice` after its ``exp``: sample a row per column by inversion.

    ``weights`` (float32 rows × R) holds exp(z); the running sums are taken row by row in
    float32, and the bound is ``_float32_bound`` of u × total.
    """
    rows, R = weights.shape
    for r in range(1, rows):
        for c in range(R):
            weights[r, c] = weights[r, c] + weights[r - 1, c]
    bits = bound.view(np.int32)
    for c in range(R):
        t = _uniform(keys[c], offset) * np.float64(weights[rows - 1, c])
        b = np.float32(t)
        bound[c] = b
        if np.float64(b) < t:  # the next float32 up: one step in its bits (nextafter)
            bits[c] += 1 if b >= 0 else -1
    count[:] = 0
    for r in range(rows):
        for c in range(R):
            count[c] += weights[r, c] < bound[c]
    for c in range(R):
        out[c] = menu[min(count[c], rows - 1)]


@jit
def _drives(out, i, k, threat, grievance, belief, push, resolve, base, any_base, w, any_w) -> None:
    """Mirror of :meth:`Actor._drive`: ``out[c]``, actor i's drive towards k in each column."""
    R = out.shape[0]
    r_wide, b_wide, w_wide = resolve.shape[1] > 1, base.shape[2] > 1, w.shape[0] > 1
    for c in range(R):
        x = threat[i, k, c] + grievance[i, k, c]
        if any_base[i, k]:
            x += base[i, k, c if b_wide else 0]
        x *= resolve[i, c if r_wide else 0]
        wc = w[c if w_wide else 0]
        if any_w:
            x += belief[i, k, c] * (2.0 * wc)
        x += push[i, c] - wc
        out[c] = x


@jit
def _desires(
    out,
    k,
    own,
    patrons,
    kind,
    fear,
    scale,
    ctl,
    less,
    patron_of,
    pull,
    hp,
    any_hp,
    guests,
    threat,
    patron,
    blame_base,
    blame_owner,
    blame_coef,
    credibility,
    cap_on,
    cap_level,
    cap_strength,
) -> None:
    """Mirror of ``desire`` of each actor type (State, Host, Militia): ``out[c]``, towards k.

    ``own`` and ``patrons`` hold the drives towards k of the actor and of its patron (militias);
    a militia's ``scale``, ``ctl`` and ``less`` are numbers per column, ``fear`` a buffer.
    """
    R = out.shape[0]
    p_wide = pull.shape[0] > 1
    if kind == 2:  # a militia: its patron's wish and its own drive, by control (Militia.wish)
        # in passes over the columns, each column's terms in the same order
        if blame_base.shape[1] > 1:
            fear[:] = blame_base[k]
        else:
            fear[:] = blame_base[k, 0]
        for j in range(blame_owner.shape[1]):
            owner = blame_owner[k, j]
            if owner < 0:
                break
            belief = credibility[patron, owner]
            if blame_coef.shape[2] > 1:
                for c in range(R):
                    fear[c] = fear[c] + blame_coef[k, j, c] * belief[c]
            else:
                coef = blame_coef[k, j, 0]
                for c in range(R):
                    fear[c] = fear[c] + coef * belief[c]
        for c in range(R):
            wish = patrons[c] - scale[c] * fear[c]
            if not (wish >= 0.0 or wish != wish):  # np.maximum(wish, 0.0)
                wish = 0.0
            if cap_on:
                low = wish if (wish <= cap_level or wish != wish) else cap_level
                wish = wish + cap_strength * (low - wish)
            x = ctl[c] * wish + (1.0 - ctl[c]) * own[c]
            out[c] = x - less[c]
        return
    for c in range(R):
        out[c] = own[c] - pull[c if p_wide else 0]
    if kind == 1 and patron_of[k] >= 0 and any_hp:  # a host: the victims of k press it
        for j in range(guests.shape[0]):
            g = guests[j]
            if g == patron_of[k]:
                continue
            for c in range(R):
                out[c] = out[c] + hp[c if hp.shape[0] > 1 else 0] * threat[g, k, c]


@jit
def _values(out, desire, i, k, has_terms, cost, line_owner, line_coef, credibility) -> None:
    """Mirror of :meth:`Actor.value`: ``out[c]``, the value of aiming at k."""
    R = out.shape[0]
    if not has_terms[k]:
        for c in range(R):
            out[c] = desire[c]
        return
    for c in range(R):
        out[c] = desire[c] - cost[k, c if cost.shape[1] > 1 else 0]
    for j in range(line_owner.shape[1]):
        owner = line_owner[k, j]
        if owner < 0:
            break
        for c in range(R):
            coef = line_coef[k, j, c if line_coef.shape[2] > 1 else 0]
            out[c] -= credibility[i, owner, c] * coef


@jit
def _most_valued(out_target, out_x, best, targets, value, desire) -> None:
    """The target valued most in each column (the first of equals) and the desire towards it.

    A pass per target writes only the best value and the target so far (a pass that also wrote
    the desire ran five times slower: three stores a column stop it vectorising); the desires
    are gathered after. Where no value beats -inf (all NaN or -inf) the target is 0 and the
    desire 0.0, as in the reference.
    """
    R = out_x.shape[0]
    for c in range(R):
        best[c] = -np.inf
        out_target[c] = 0
    for t in range(targets.shape[0]):
        k = targets[t]
        for c in range(R):
            v = value[k, c]
            better = v > best[c]
            best[c] = v if better else best[c]
            out_target[c] = k if better else out_target[c]
    for c in range(R):
        out_x[c] = desire[out_target[c], c] if best[c] > -np.inf else 0.0


@jit
def pick_target(
    out_target,
    out_x,
    i,
    targets,
    is_state,
    at_war,
    pulled,
    committed,
    owed,
    kind,
    patron,
    drives,
    wishes,
    credibility,
    has_terms,
    cost,
    line_owner,
    line_coef,
    drive,
    drive_done,
    slot,
    own_drive,
    fear,
    desire,
    value,
    best,
    enemy,
    fighting,
) -> None:
    """Mirror of :meth:`Actor.pick_target` (with ``_most_valued``).

    Desires and values first, towards each actor whose row is read (as tables, a target's row
    at a time: the drives behind it are one row each), then the choice column by column.
    ``drives`` holds :func:`_drives`' arguments after the actor and target, ``wishes`` the
    numbers of :func:`_desires` that do not change with the target. A patron's drive towards
    k is worked out at most once a day, as the reference's ``model.drives``: kept at
    ``drive[slot[patron], k]`` (``drive_done``), for the patron and each of its proxies. An
    actor that is no one's patron works its drives out in ``own_drive``, for itself alone.
    """
    n, R = at_war.shape[1], out_x.shape[0]
    threat_, grievance, belief, push, resolve, base, any_base, w, any_w = drives
    (patron_of, pull, hp, any_hp, guests, threat, control, _, blame_base, blame_owner,
     blame_coef, cred, fear_scale, cap_on, cap_level, cap_strength) = wishes  # fmt: skip
    if kind == 2:  # a militia's numbers come at the model's width
        scale, ctl, less = fear_scale, control, pull
    else:  # not read
        scale = ctl = less = fear
    # the rows read: the targets', and those of the actors a promise due or a war names in some
    # column (as the reference, which works out only those): a promise due in a few columns
    # costs one row, not every actor's
    needed = np.zeros(n, dtype=np.bool_)
    enemy_of = np.zeros(n, dtype=np.bool_)  # whom a state fights in some column
    war_any = False
    for t in range(targets.shape[0]):
        needed[targets[t]] = True
    for k in range(n):  # each an OR over the columns: the passes vectorise
        if pulled and not needed[k]:
            named = False
            for c in range(R):
                named |= committed[c] & (owed[c] == k)
            needed[k] = named
        if is_state:
            fights = False
            for c in range(R):
                fights |= at_war[i, k, c]
            enemy_of[k] = fights
            needed[k] |= fights
            war_any |= fights
    for k in range(n):  # target by target: each row is used while it is in the cache
        if not needed[k]:  # a row nothing reads
            continue
        own = patrons = own_drive if slot[i] < 0 else drive[slot[i], k]
        if slot[i] < 0 or not drive_done[slot[i], k]:
            _drives(own, i, k, threat_, grievance, belief, push, resolve, base, any_base, w,
                    any_w)  # fmt: skip
            if slot[i] >= 0:
                drive_done[slot[i], k] = True
        if kind == 2:  # whose drive the patron's wish starts from
            patrons = drive[slot[patron], k]
            if not drive_done[slot[patron], k]:
                _drives(patrons, patron, k, threat_, grievance, belief, push, resolve, base,
                        any_base, w, any_w)  # fmt: skip
                drive_done[slot[patron], k] = True
        _desires(desire[k], k, own, patrons, kind, fear, scale, ctl, less, patron_of, pull, hp,
                 any_hp, guests, threat, patron, blame_base, blame_owner, blame_coef, cred,
                 cap_on, cap_level, cap_strength)  # fmt: skip
        _values(value[k], desire[k], i, k, has_terms, cost, line_owner, line_coef, credibility)
    if targets.shape[0] == 1:
        k = targets[0]
        for c in range(R):
            out_target[c] = k
            out_x[c] = desire[k, c]
    else:  # the target valued most (the first of equals): passes that each write two arrays
        _most_valued(out_target, out_x, best, targets, value, desire)
    if war_any:  # the enemies valued most, in passes
        for c in range(R):
            best[c] = -np.inf
            enemy[c] = 0
            fighting[c] = False
        for k in range(n):
            if not enemy_of[k]:  # at peace with k in every column: nothing to weigh
                continue
            for c in range(R):
                w = at_war[i, k, c]
                better = w & (value[k, c] > best[c])
                best[c] = value[k, c] if better else best[c]
                enemy[c] = k if better else enemy[c]
                fighting[c] |= w
        for c in range(R):
            if fighting[c]:  # a war names the target: the enemy valued most
                k = enemy[c]
                out_target[c] = k
                out_x[c] = desire[k, c] if best[c] > -np.inf else 0.0
    if pulled:  # an open commitment names the target (selects: the pass vectorises)
        for c in range(R):
            on = committed[c]
            k = owed[c] if on else 0  # owed is -1 where nothing is owed
            moved = on & (k != out_target[c])
            out_x[c] = desire[k, c] if moved else out_x[c]
            out_target[c] = k if on else out_target[c]


# -- observation (simulator.model.observation.observe) -----------------------------------------
# A pair q (mover i, observer o) reads i's moves: entries start[q] … start[q + 1] of the flat
# buffers, one per column in which i moved (moved[i, j], j < the number of moves of i).


@jit
def floor_threat(threat: np.ndarray, scale: float, sums: np.ndarray) -> None:
    """The end of ``observe`` in one pass: threat floored at 0, nobody threatening itself.

    NaN stays NaN and -0.0 becomes 0.0, as ``np.maximum(threat, 0.0)`` gives them. With a
    ``sums`` table (observer × actor; empty for none), the day's threat sums of the record in
    the same pass (:func:`_fixed`): nothing moves threat between here and the record.
    """
    n, R = threat.shape[0], threat.shape[2]
    summing = sums.shape[0] > 0
    for o in range(n):
        for a in range(n):
            if o == a:
                for c in range(R):
                    threat[o, a, c] = 0.0
                if summing:
                    sums[o, a] = 0
                continue
            fixed = np.int64(0)
            for c in range(R):
                t = threat[o, a, c]
                t = t if (t > 0.0 or t != t) else 0.0
                threat[o, a, c] = t
                fixed += _fixed(t, scale)
            if summing:
                sums[o, a] = fixed


@jit
def _fixed(t: float, scale: float) -> np.int64:
    """Threat in the record's fixed point (:data:`outcomes.THREAT_SCALE` units): exact sums."""
    return np.int64(np.rint(t * scale))


@jit
def observe_plan(counts, status_quo, rung, pair_i, start, moved) -> int:
    """Where the day's moves are, for the observers: returns how many moves all pairs read.

    ``moved[i, :]``: the columns in which actor i made a move (not the status quo), in order;
    pair q's moves are its mover's, at ``start[q] … start[q + 1]`` of the flat arrays. A pair
    whose mover stayed put has none: the kernels that follow skip it.
    """
    n, R = rung.shape
    start[0] = 0
    for q in range(pair_i.shape[0]):
        start[q + 1] = start[q] + (R - counts[pair_i[q], status_quo])
    for i in range(n):
        if counts[i, status_quo] == R:
            continue
        j = 0
        for c in range(R):  # written always, kept when a move: no branch
            moved[i, j] = c
            j += rung[i, c] != status_quo
    return start[pair_i.shape[0]]


@jit
def observe_columns(
    subset,
    rel,
    uniforms,
    start,
    moved,
    pair_i,
    pair_o,
    rel_nan,
    rel_const,
    relevance,
    any_noise,
    rung,
    target,
    violent,
    keys,
    noise_offsets,
) -> int:
    """First pass of :func:`observe`: which moves each observer reads, at what relevance.

    ``subset[t]``: the pair's observer reads the move (its relevance is not 0 where it depends
    on the target), ``rel[t]`` the relevance. The uniforms of the perception noise, where the
    pair has noise, are packed at the front of ``uniforms`` in the order of the moves, for
    numpy's ``normal``: returns how many.
    """
    wide = relevance.shape[4] > 1
    cw = rel_const.shape[1] > 1
    drawn = 0
    for q in range(pair_i.shape[0]):
        i, o = pair_i[q], pair_o[q]
        for t in range(start[q], start[q + 1]):
            c = moved[i, t - start[q]]
            if rel_nan[q]:
                k = target[i, c]
                v = relevance[1 if violent[rung[i, c]] else 0, i, o, k, c if wide else 0]
                subset[t] = v != 0
            else:
                v = rel_const[q, c if cw else 0]
                subset[t] = True
            rel[t] = v
            if any_noise[q] and subset[t]:
                uniforms[drawn] = _uniform(keys[c], noise_offsets[q])
                drawn += 1
    return drawn


@jit
def observe_reading(
    threat,
    subset,
    rel,
    normals,
    llr,
    packed_llr,
    packed_start,
    misread,
    blamed,
    flags,
    start,
    moved,
    pair_i,
    pair_o,
    att,
    any_detect,
    any_noise,
    any_share,
    bias,
    detection,
    noise,
    share,
    casualty_weight,
    threat_gain,
    belief_gain,
    rung,
    caused,
    felt,
    hostility,
    defensive,
    covert,
    attributable,
    evidence,
    keys,
    detect_offsets,
    attribution_offsets,
) -> int:
    """Second pass of :func:`observe`: what each observer reads, threat, and the evidence.

    Threat moves here, pair by pair in the reference's order; the evidence (``llr``) and the
    misread part are kept for :func:`observe_beliefs`, which applies Bayes' rule once numpy has
    taken the ``exp`` of the evidence that is not 0: packed at the front of ``packed_llr``, pair
    q's from ``packed_start[q]`` (returns how many). ``normals`` holds the noise's deviates
    packed as :func:`observe_columns` packed their uniforms. ``flags[q]``: 1 informative,
    2 misread kept, 4 blamed somewhere.
    """
    b_w, d_w = bias.shape[1] > 1, detection.shape[1] > 1
    n_w, s_w = noise.shape[1] > 1, share.shape[1] > 1
    cw_w, tg_w = casualty_weight.shape[0] > 1, threat_gain.shape[0] > 1
    bg_w = belief_gain.shape[0] > 1
    e_w = evidence.shape[1] > 1
    zero = 0.0
    drawn = packed = 0
    for q in range(pair_i.shape[0]):
        packed_start[q] = packed
        i, o = pair_i[q], pair_o[q]
        first, last = start[q], start[q + 1]
        # the pair's flags over the moves it reads (numpy's .any() over them)
        harmed = any_def = any_bias = any_bg = any_attr = has_covert = False
        for t in range(first, last):
            if not subset[t]:
                continue
            c = moved[i, t - first]
            r = rung[i, c]
            harmed = harmed or caused[i, c] != 0
            any_def = any_def or defensive[r]
            any_bias = any_bias or bias[q, c if b_w else 0] > 0
            any_bg = any_bg or belief_gain[c if bg_w else 0] > 0
            any_attr = any_attr or attributable[r]
            has_covert = has_covert or covert[r]
        biased_branch = any_def and any_bias
        detect = has_covert and any_detect[q]
        blaming = att[q] >= 0 and att[q] != o and any_share[q] and any_attr
        informative = some_blamed = False
        for t in range(first, last):
            if not subset[t]:
                continue
            c = moved[i, t - first]
            r = rung[i, c]
            face = hostility[r]
            base = evidence[r, c if e_w else 0]
            mis = zero
            if biased_branch:
                b = bias[q, c if b_w else 0]
                biased = face * b
                on = defensive[r] and b > 0  # stacked points: unbiased where a point is
                if defensive[r] and not on:
                    face = zero
                seen = biased if on else face
                mis = biased if on else zero
                ev = biased if on else base
            else:
                seen = zero if defensive[r] else face
                ev = base
            if detect and covert[r]:
                if _uniform(keys[c], detect_offsets[q]) >= detection[q, c if d_w else 0]:
                    seen = ev = mis = zero
            if harmed:
                seen = seen + casualty_weight[c if cw_w else 0] * felt[np.int64(caused[i, c])]
            if any_noise[q]:
                error = noise[q, c if n_w else 0] * normals[drawn]
                drawn += 1
                seen = seen + error
                ev = ev + error
            gain = threat_gain[c if tg_w else 0] * rel[t] * seen
            threat[o, i, c] += gain
            bg = belief_gain[c if bg_w else 0]
            llr[t] = bg * rel[t] * ev
            misread[t] = bg * rel[t] * mis
            informative = informative or llr[t] != 0
            if llr[t] != 0:
                packed_llr[packed] = llr[t]
                packed += 1
            blamed[t] = blaming and attributable[r]
            if blamed[t]:
                blamed[t] = _uniform(keys[c], attribution_offsets[q]) < share[q, c if s_w else 0]
                some_blamed = some_blamed or blamed[t]
            rel[t] = gain  # kept for the patron's share below
        if some_blamed:  # the reference adds gain · blamed where the observer reads the move
            a = att[q]
            for t in range(first, last):
                if subset[t]:
                    c = moved[i, t - first]
                    threat[o, a, c] += rel[t] * (1.0 if blamed[t] else 0.0)
        flags[q] = (
            (1 if (any_bg and informative) else 0)
            + (2 if biased_branch else 0)
            + (4 if some_blamed else 0)
        )
    packed_start[pair_i.shape[0]] = packed
    return packed


@jit
def observe_beliefs(
    belief,
    misread_state,
    subset,
    llr,
    odds_factor,
    packed_start,
    misread,
    blamed,
    flags,
    start,
    moved,
    pair_i,
    pair_o,
    att,
    eps,
) -> None:
    """Third pass of :func:`observe`: Bayes' rule (:meth:`Beliefs.update`), pair by pair.

    ``odds_factor`` holds numpy's ``exp(llr)`` of the evidence that is not 0, packed as
    :func:`observe_reading` packed it. A pair updates its mover's type, then (where the move was
    blamed on the patron) the patron's, as the reference does.
    """
    for q in range(pair_i.shape[0]):
        if not flags[q] & 1:
            continue
        i, o = pair_i[q], pair_o[q]
        first = start[q]
        for step in range(2):
            if step == 1 and not flags[q] & 4:
                break
            a = i if step == 0 else att[q]
            packed = packed_start[q]
            for t in range(first, start[q + 1]):
                if not subset[t] or llr[t] == 0:
                    continue
                factor = odds_factor[packed]
                packed += 1
                if step == 1 and not blamed[t]:
                    continue
                c = moved[i, t - first]
                p = belief[o, a, c]
                odds = 1.0 - p
                odds = p / odds
                odds = odds * factor
                odds = odds / (odds + 1.0)
                if odds < eps:
                    odds = eps
                if odds > 1.0 - eps:
                    odds = 1.0 - eps
                belief[o, a, c] = odds
                if flags[q] & 2:
                    misread_state[o, a, c] += misread[t]


@jit
def poisson_counts(u: np.ndarray, mean: np.ndarray, first: np.ndarray, k_max: int) -> np.ndarray:
    """``rng.poisson`` by inversion, element by element; ``first`` is numpy's exp(-mean).

    The same sums in the same order: each element counts on while its uniform is above the
    CDF, up to ``k_max`` (as the reference's loop, which stops when no element counts on).
    """
    k = np.zeros(u.shape[0], dtype=np.int64)
    for e in range(u.shape[0]):
        p = first[e]
        cdf = p
        for i in range(1, k_max):
            if not u[e] > cdf:
                break
            k[e] += 1
            p = p * mean[e] / i
            cdf = cdf + p
    return k


def poisson(u: np.ndarray, mean: np.ndarray) -> np.ndarray:
    """:func:`rng.poisson` with its loop compiled (same results; numpy takes the exp)."""
    mean = np.asarray(mean, dtype=np.float64)
    if mean.shape != u.shape:  # (the violence kernels pass one mean per uniform)
        mean = np.ascontiguousarray(np.broadcast_to(mean, u.shape))
    first = np.negative(mean)
    return poisson_counts(u, mean, np.exp(first, out=first), poisson_steps(mean))


@jit
def binomial_counts(u, n, p, pmf, start) -> np.ndarray:
    """``rng.binomial`` by inversion, given the probabilities numpy works out (``pmf``).

    An element of one trial or none succeeds when its uniform is above 1 - p. Element e of
    more trials has its pmf at ``start[j] … start[j + 1]`` (j counting those elements): the
    reference's table holds the same numbers in column j, then zeros down to the largest n,
    which leave the CDF as it is and whose count the reference clips at n. So the CDF is summed
    in the same order up to n (NaN as 0, ±inf as the largest float: ``np.nan_to_num``), and
    the count of entries below the uniform clipped at n.
    """
    k = np.zeros(u.shape[0], dtype=np.int64)
    big = np.finfo(np.float64).max
    j = 0
    for e in range(u.shape[0]):
        if n[e] <= 1:
            k[e] = (n[e] == 1) and (u[e] > 1.0 - p[e])
            continue
        count, cdf = 0, 0.0
        for f in range(start[j], start[j + 1]):
            x = pmf[f]
            x = 0.0 if x != x else (big if x == np.inf else (-big if x == -np.inf else x))
            cdf = x if f == start[j] else cdf + x
            count += cdf < u[e]
        k[e] = count if count < n[e] else n[e]
        j += 1
    return k


@jit
def binomial_size(n: np.ndarray) -> tuple[int, int, int]:
    """The size of :func:`binomial_terms`' layout, and its elements' count and most trials.

    The layout holds n + 1 terms of each element of more than one trial.
    """
    size = many = most = 0
    for e in range(n.shape[0]):
        if n[e] > 1:
            size += n[e] + 1
            many += 1
            most = max(most, n[e])
    return size, many, most


@jit
def binomial_terms(n, p, k, trials, chance, start) -> None:
    """The flat layout of :func:`binomial`'s terms.

    Each element of more than one trial has its k = 0 … n, with its n and p alongside, from
    ``start[j]`` (j counting those elements).
    """
    f = j = 0
    for e in range(n.shape[0]):
        if n[e] <= 1:
            continue
        start[j] = f
        for i in range(n[e] + 1):
            k[f], trials[f], chance[f] = i, n[e], p[e]
            f += 1
        j += 1
    start[j] = f


def binomial(u: np.ndarray, n: np.ndarray, p: np.ndarray) -> np.ndarray:
    """:func:`rng.binomial` compiled (same results; numpy takes the powers and ``binom``).

    One uniform, trial count and probability per element. The reference tabulates every
    element's pmf down to the largest n of the day; this works out only each element's own
    n + 1 terms, in one flat array.
    """
    size, many, most = binomial_size(n)
    k, trials = np.empty(size, dtype=np.int64), np.empty(size, dtype=np.int64)
    chance, start = np.empty(size), np.empty(many + 1, dtype=np.int64)
    binomial_terms(n, p, k, trials, chance, start)
    if not many:  # one trial or none each (the usual landed attacks): no terms to work out
        return binomial_counts(u, n, p, chance, start)
    if most > _BINOM_FINITE:  # binom overflows: inf · 0 may be NaN
        with np.errstate(invalid="ignore"):
            pmf = binom(trials, k) * chance**k * (1.0 - chance) ** (trials - k)
    else:
        pmf = binom(trials, k) * chance**k * (1.0 - chance) ** (trials - k)
    return binomial_counts(u, n, p, pmf, start)


# -- violence (simulator.model.violence.resolve) -------------------------------------------------
# The day's violent moves, actor by actor and column by column (the reference's order), are the
# entries of flat buffers; those that landed are a prefix-ordered subset, whose sizes are drawn
# between the two kernels (numpy takes rng.poisson's exp, and rng.binomial's powers and comb).


@jit
def _maximum(a: float, b: float) -> float:
    """``np.maximum`` of two numbers: NaN if either is."""
    return a if (a >= b or a != a) else b


@jit
def _minimum(a: float, b: float) -> float:
    """``np.minimum`` of two numbers: NaN if either is."""
    return a if (a <= b or a != a) else b


@jit
def violence_postures(
    rung, target, defensive, suppressive, conciliatory, rung_protection, duration,
    rung_suppression, protection, protection_days, suppression, suppression_days, threat,
    mediates, mediation,
) -> None:  # fmt: skip
    """Mirror of :func:`violence._postures`: protection, suppression and mediation, in place.

    Actor by actor, as the reference goes: a later actor's raid on the same target and column
    overwrites an earlier one's. A mediator multiplies the threat among the others by
    1 − its share; the reference's factor of exactly 1 for its own row and column is skipped.
    """
    n, R = rung.shape
    m_wide = mediation.shape[1] > 1
    # each rung's posture in one lookup: 1 defensive, 2 suppressive (most moves are neither:
    # a column is then one lookup and one test, not two of each)
    posture = np.zeros(defensive.shape[0], dtype=np.int8)
    for r in range(defensive.shape[0]):
        posture[r] = (1 if defensive[r] else 0) + (2 if suppressive[r] else 0)
    for i in range(n):
        for c in range(R):
            r = rung[i, c]
            p = posture[r]
            if p == 0:
                continue
            if p & 1:
                current = protection[i, c] if protection_days[i, c] > 0 else 0.0
                protection[i, c] = _maximum(current, rung_protection[r])
                if duration[r] > protection_days[i, c]:
                    protection_days[i, c] = duration[r]
            if p & 2:
                k = target[i, c]
                suppression[k, c] = rung_suppression[r]
                suppression_days[k, c] = duration[r]
        if not mediates[i]:
            continue
        for c in range(R):
            if conciliatory[rung[i, c]]:
                calmed = 1.0 - mediation[i, c if m_wide else 0]
                for a in range(n):
                    if a == i:
                        continue
                    for b in range(n):
                        if b != i:
                            threat[a, b, c] *= calmed


@jit
def violence_aim(
    rung, target, violent, lethality, capability, suppression, protection, host_of, is_host,
    soil, security, max_security, keys, hit_offsets, size_offsets, death_offsets,
    entry_actor, entry_column, entry_target, entry_rung, entry_landed, size_u, death_u,
    landed_rung,
) -> tuple[int, int]:  # fmt: skip
    """Mirror of the first loop of :func:`violence.resolve`: who hit what (after postures).

    Writes one entry per violent move (actor, column, target, rung, landed) and, for those that
    landed, the uniforms of their size and deaths and their rung; returns (entries, landed).
    """
    n, R = rung.shape
    c_wide, s_wide = capability.shape[1] > 1, security.shape[1] > 1
    j = 0
    landed = 0
    for i in range(n):
        home = host_of[i]
        hosted = home >= 0 and is_host[home]
        for c in range(R):
            r = rung[i, c]
            if not violent[r]:
                continue
            k = target[i, c]
            foiled = 0.0
            if hosted and soil[i, k] == home:  # a host foils the militias it hosts on its soil
                foiled = _minimum(security[home, c if s_wide else 0] + protection[home, c],
                                  max_security)  # fmt: skip
            p_hit = lethality[r] * capability[i, c if c_wide else 0]
            p_hit = p_hit * (1.0 - suppression[i, c])
            p_hit = p_hit * (1.0 - protection[k, c])
            p_hit = p_hit * (1.0 - foiled)
            hit = _uniform(keys[c], hit_offsets[i]) < p_hit
            entry_actor[j], entry_column[j], entry_target[j], entry_rung[j] = i, c, k, r
            entry_landed[j] = hit
            j += 1
            if hit:
                size_u[landed] = _uniform(keys[c], size_offsets[i])
                death_u[landed] = _uniform(keys[c], death_offsets[i])
                landed_rung[landed] = r
                landed += 1
    return j, landed


@jit
def violence_losses(
    rung, target, entries, entry_actor, entry_column, entry_target, entry_rung, entry_landed,
    landed_casualties, landed_deaths, fixed_deaths, fixed_wounded, rung_damage, losses, deaths,
    damage, caused, killed, order, entry_casualties, entry_deaths, touched, by_rung, by_column,
    by_casualties, by_deaths, flat,
) -> int:  # fmt: skip
    """Mirror of the second loop of :func:`violence.resolve`: losses, and the attacks.

    Casualties and deaths where a move landed (or as history fixes them, ``fixed_*`` ≥ 0), added
    to the day's tables attacker by attacker. ``order`` lists the entries by attacker, then
    target, then column, and the entries in that order go to ``by_*`` (rung, column, casualties,
    deaths); the attacks in that order go to ``flat``: attackers, targets, and where each
    attack's entries start (one more, the end). Returns how many attacks. ``touched[c]``: the
    actors whose rows of column c's tables were written to (:func:`_actor_bit`).
    """
    n = rung.shape[0]
    landed = 0
    for j in range(entries):
        i, c, k, r = entry_actor[j], entry_column[j], entry_target[j], entry_rung[j]
        cas, dead = 0, 0
        if entry_landed[j]:
            cas, dead = landed_casualties[landed], landed_deaths[landed]
            landed += 1
        if fixed_deaths[i] >= 0 or fixed_wounded[i] >= 0:
            if fixed_deaths[i] >= 0:
                dead = fixed_deaths[i]
            wounded = fixed_wounded[i] if fixed_wounded[i] >= 0 else cas - dead
            cas = dead + (wounded if wounded > 0 else 0)
        cas_f, dead_f = np.float64(cas), np.float64(dead)
        touched[c] |= _actor_bit(i) | _actor_bit(k)
        entry_casualties[j], entry_deaths[j] = cas_f, dead_f
        caused[i, c] = cas_f
        killed[i, c] = dead_f
        losses[k, c] += cas_f
        deaths[k, c] += dead_f
        damage[k, c] += rung_damage[r] if cas > 0 else 0.0
    count = 0
    placed = 0
    first = 0
    while first < entries:  # an attacker's entries are contiguous: split them by target
        i = entry_actor[first]
        end = first
        while end < entries and entry_actor[end] == i:
            end += 1
        for k in range(n):
            start = placed
            for j in range(first, end):
                if entry_target[j] == k:
                    order[placed] = j
                    placed += 1
            if placed > start:
                flat[0, count], flat[1, count], flat[2, count] = i, k, start
                count += 1
        first = end
    for p in range(placed):
        j = order[p]
        by_rung[p], by_column[p] = entry_rung[j], entry_column[j]
        by_casualties[p], by_deaths[p] = entry_casualties[j], entry_deaths[j]
    flat[2, count] = placed
    return count


@jit
def violence_sabotage(rung, target, sabotage, rung_damage, damage, touched) -> None:
    """Mirror of the last loop of :func:`violence.resolve`: sabotage's damage, no violence."""
    n, R = rung.shape
    for i in range(n):
        for c in range(R):
            r = rung[i, c]
            if sabotage[r]:
                damage[target[i, c], c] += rung_damage[r]
                touched[c] |= _actor_bit(target[i, c])


@jit
def clear_losses(tables, touched) -> None:
    """Mirror of :meth:`DayLosses.today`: the day's tables all 0 again.

    Cell by cell where they were written to (most columns are quiet, and a column's losses are
    one or two actors'), or all at once when most columns were; ``touched`` is cleared with them.
    """
    n, R = tables.shape[1], tables.shape[2]
    count = 0
    for c in range(R):
        count += touched[c] != 0
    if 4 * count > R:
        tables[:] = 0.0
        touched[:] = 0
        return
    for c in range(R):
        if touched[c] != 0:
            for i in range(n):
                if touched[c] & _actor_bit(i):
                    for t in range(tables.shape[0]):
                        tables[t, i, c] = 0.0
            touched[c] = 0


@jit
def _actor_bit(i: int) -> np.int64:
    """Actor i's bit in a column's mask of actors (all bits from the 64th actor on)."""
    return np.int64(1) << np.int64(i) if i < 63 else np.int64(-1)


# -- after the moves (simulator.model.world: _settle, _grieve, _war, _expire) -------------------
# Attacks arrive flat: attack a's columns and casualties are entries first[a] … first[a + 1].


@jit
def settle_kernel(grievance, rung, target, violent, level, satiation) -> None:
    """Mirror of :meth:`EscalationModel._settle`: a violent move settles grievance towards k."""
    n, R = rung.shape
    s_wide = satiation.shape[0] > 1
    for i in range(n):
        for c in range(R):
            r = rung[i, c]
            if violent[r]:
                k = target[i, c]
                grievance[i, k, c] *= 1.0 - satiation[c if s_wide else 0] * level[r]


@jit
def _blamed(o, a, c, rung, attributable, attribute_to, attribution, any_share, keys, offsets):
    """Whom ``o`` blames for ``a``'s move in column c (``observation.blame_of_the_day``)."""
    att = attribute_to[o, a]
    if att < 0 or att == o or not any_share[o, a] or not attributable[rung[a, c]]:
        return a
    share = attribution[o, a, c if attribution.shape[2] > 1 else 0]
    return att if _uniform(keys[c], offsets[o, a]) < share else a


@jit
def _grievance_add(grievance, holder, at, c, amount, ceiling) -> None:
    """Mirror of :meth:`EscalationModel._add_grievance` for one cell."""
    grievance[holder, at, c] = _minimum(grievance[holder, at, c] + amount, ceiling)


@jit
def grieve_kernel(
    grievance, attackers, targets, first, columns, casualties, felt, per, solidarity, rung,
    attributable, attribute_to, attribution, any_share, keys, attribution_offsets, patron_of,
    soil, ceiling,
) -> None:  # fmt: skip
    """Mirror of the attacks loop of :meth:`EscalationModel._grieve`, attack by attack.

    ``felt`` is numpy's log2(1 + n) by casualty count n; the blame drawn is the observation's
    (:func:`observation.blame_of_the_day`: the same site, so the same uniforms).
    """
    p_wide, s_wide = per.shape[0] > 1, solidarity.shape[0] > 1
    for a in range(attackers.shape[0]):
        i, k = attackers[a], targets[a]
        patron = patron_of[k]
        host = soil[i, k]
        for e in range(first[a], first[a + 1]):
            cas = casualties[e]
            if not cas > 0:
                continue
            c = columns[e]
            amount = per[c if p_wide else 0] * felt[np.int64(cas)]
            _grievance_add(grievance, k, i, c, amount, ceiling)
            culprit = _blamed(k, i, c, rung, attributable, attribute_to, attribution, any_share,
                              keys, attribution_offsets)  # fmt: skip
            if culprit != i:
                _grievance_add(grievance, k, culprit, c, amount, ceiling)
            share = solidarity[c if s_wide else 0] * amount
            if patron >= 0 and patron != i:
                _grievance_add(grievance, patron, i, c, share, ceiling)
            if host >= 0 and host != i and host != k:
                _grievance_add(grievance, host, i, c, share, ceiling)


@jit
def _live_pairs(at_war: np.ndarray) -> np.ndarray:
    """``live[i, k]``: whether i is at war with k in some column (most pairs never are).

    An OR over all the columns, which vectorises: a scan that stopped at the first war did not,
    and cost 17 times as much on the pairs that are never at war (11 ns a column each call).
    """
    n, R = at_war.shape[0], at_war.shape[2]
    live = np.zeros((n, n), dtype=np.bool_)
    for i in range(n):
        for k in range(n):
            fights = False
            for c in range(R):
                fights |= at_war[i, k, c]
            live[i, k] = fights
    return live


@jit
def war_kernel(
    at_war, last_conciliation, weariness, rung, target, is_state, war, conciliatory, day,
    weariness_memory, war_weariness, any_war_weariness, per_casualty, any_per_casualty,
    attack_targets, first, columns, casualties, ceasefire_days, fighting, ceasefire,
) -> bool:  # fmt: skip
    """Mirror of :meth:`EscalationModel._war`: wars start, wear, and end in ceasefires.

    Writes the ceasefires reached today into ``ceasefire`` (pairs × columns) and returns
    whether there were any.
    """
    n, R = rung.shape
    for i in range(n):
        if not is_state[i]:
            continue
        for c in range(R):
            r = rung[i, c]
            k = target[i, c]
            if war[r] and is_state[k]:
                at_war[i, k, c] = True
                at_war[k, i, c] = True
            if conciliatory[r]:
                last_conciliation[i, k, c] = day
    live = _live_pairs(at_war)
    fighting_any = False
    m_wide, w_wide = weariness_memory.shape[0] > 1, war_weariness.shape[0] > 1
    for i in range(n):
        for c in range(R):
            fighting[i, c] = False
        for k in range(n):
            if live[i, k]:
                fighting_any = True
                for c in range(R):
                    fighting[i, c] |= at_war[i, k, c]
        if m_wide:
            for c in range(R):
                weariness[i, c] *= weariness_memory[c]
        else:
            keep = weariness_memory[0]
            for c in range(R):
                weariness[i, c] *= keep
    if fighting_any and any_war_weariness:
        for i in range(n):
            for c in range(R):
                f = 1.0 if fighting[i, c] else 0.0
                weariness[i, c] += war_weariness[c if w_wide else 0] * f
    if any_per_casualty:
        p_wide = per_casualty.shape[0] > 1
        for a in range(attack_targets.shape[0]):
            k = attack_targets[a]
            for e in range(first[a], first[a + 1]):
                c = columns[e]
                weariness[k, c] += per_casualty[c if p_wide else 0] * casualties[e]
    found = False
    if fighting_any:
        d_wide = ceasefire_days.shape[0] > 1
        for i in range(n):
            for k in range(n):
                if not live[i, k]:  # no war between them anywhere: no ceasefire either
                    for c in range(R):
                        ceasefire[i, k, c] = False
                    continue
                for c in range(R):
                    since = day - ceasefire_days[c if d_wide else 0]
                    mine, theirs = last_conciliation[i, k, c], last_conciliation[k, i, c]
                    reached = at_war[i, k, c] & (mine > since) & (theirs > since)
                    ceasefire[i, k, c] = reached
                    found |= reached
        if found:
            for i in range(n):
                for k in range(n):
                    if live[i, k]:
                        for c in range(R):
                            if ceasefire[i, k, c]:
                                at_war[i, k, c] = False
    return found


@jit
def _day_off(days: int) -> int:
    """A count of days one day on: ``days - 1``, but never below 0 (``np.maximum(days, 0)``)."""
    left = days - 1
    return left if left > 0 else 0


@jit
def expire_kernel(days, value) -> None:
    """Mirror of one pass of :meth:`EscalationModel._expire`: a day off, lapsed ones cleared."""
    n, R = days.shape
    live = False
    for i in range(n):
        for c in range(R):
            live |= days[i, c] != 0
    if not live:  # nothing in force anywhere
        return
    for i in range(n):
        for c in range(R):
            d = days[i, c] = _day_off(days[i, c])
            value[i, c] = value[i, c] * (1.0 if d > 0 else 0.0)


# -- commitments (simulator.model.redlines.RedLines, simulator.model.beliefs.Beliefs) ------------
@jit
def keep_kernel(days, rung, target, low, owed, second, kept) -> None:
    """Mirror of :meth:`RedLines.keep`: close the promises kept today (a `both` moves on)."""
    n, R = rung.shape
    for i in range(n):
        kept[i, :] = False
        open_ = False
        for c in range(R):
            open_ |= days[i, c] > 0
        if not open_:  # no promise of i's open anywhere (most days)
            continue
        for c in range(R):
            if days[i, c] > 0 and rung[i, c] >= low[i, c] and target[i, c] == owed[i, c]:
                if second[i, c] >= 0:  # the first target is hit: the second is owed now
                    owed[i, c] = second[i, c]
                    second[i, c] = -1
                else:
                    kept[i, c] = True
                    days[i, c] = 0


@jit
def trip_kernel(
    owner, trigger, threshold, mode, named, low, high, delay_min, delay_max, covered,
    attackers, targets, first, columns, casualties, deaths, count, worst, perpetrator,
    rung, attributable, attribute_to, attribution, any_share, keys, offsets, days, due, owed,
    second, promised_low, promised_high, day, tripped,
) -> None:  # fmt: skip
    """Mirror of :meth:`RedLines.trip`: count the day's attacks against every line, in order.

    ``trigger``: 0 deaths, 1 casualties, 2 attacks; ``mode``: ``redlines.PERPETRATOR`` …
    ``NAMED``; ``covered[line, attacker, target]`` is :meth:`RedLines.covers`.
    """
    R = count.shape[0]
    for ln in range(owner.shape[0]):
        o = owner[ln]
        for c in range(R):
            count[c], worst[c], perpetrator[c] = 0.0, 0.0, -1
        for a in range(attackers.shape[0]):
            i = attackers[a]
            if not covered[ln, i, targets[a]]:
                continue
            for e in range(first[a], first[a + 1]):
                c = columns[e]
                amount = (
                    deaths[e] if trigger[ln] == 0 else casualties[e] if trigger[ln] == 1 else 1.0
                )
                count[c] += amount
                heavier = perpetrator[c] < 0 if trigger[ln] == 2 else amount > worst[c]
                if heavier:
                    perpetrator[c] = i
                    worst[c] = amount
        for c in range(R):
            perp = perpetrator[c]
            if not (count[c] >= threshold[ln] and days[o, c] == 0 and perp >= 0):
                continue
            against, then = perp, -1
            if mode[ln] == 3:  # NAMED
                against = named[ln]
            elif mode[ln] == 1:  # ATTRIBUTED: the patron where the owner blames it
                against = _blamed(o, perp, c, rung, attributable, attribute_to, attribution,
                                  any_share, keys, offsets)  # fmt: skip
            elif mode[ln] == 2:  # BOTH: the perpetrator, then the patron where blamed
                blamed = _blamed(o, perp, c, rung, attributable, attribute_to, attribution,
                                 any_share, keys, offsets)  # fmt: skip
                then = blamed if blamed != perp else -1
            days[o, c] = delay_max[ln] + 1  # counted down at the end of today
            due[o, c] = day + delay_min[ln]
            owed[o, c] = against
            second[o, c] = then
            promised_low[o, c] = low[ln]
            promised_high[o, c] = high[ln]
            tripped[o, c] = True


@jit
def lapse_kernel(days, credibility_loss, loss, lapsing) -> None:
    """Mirror of :meth:`RedLines.expire`: a day off every promise; lapses cost credibility."""
    n, R = days.shape
    any_lapse = False
    for i in range(n):
        for c in range(R):
            lapsing[i, c] = days[i, c] == 1
            any_lapse |= lapsing[i, c]
    l_wide = loss.shape[1] > 1
    for i in range(n):
        for c in range(R):
            if any_lapse:
                credibility_loss[i, c] += loss[i, c if l_wide else 0] * (
                    1.0 if lapsing[i, c] else 0.0
                )
            days[i, c] = _day_off(days[i, c])


@jit
def promise_kernel(kept_count, lapsed_count, credibility, prior, weight, kept, lapsed) -> None:
    """Mirror of :meth:`Beliefs.promise` for every owner in turn: a Beta belief, term for term."""
    n, R = kept.shape
    p_wide, w_wide = prior.shape[2] > 1, weight.shape[0] > 1
    for owner in range(n):
        for c in range(R):
            # numpy writes every column of an owner with news in any: a column without news
            # gets the value it holds, since it was written by this formula from the same
            # prior, weight and counts (at the start, a perception event or its last promise)
            if not (kept[owner, c] or lapsed[owner, c]):
                continue
            kept_count[owner, c] += 1.0 if kept[owner, c] else 0.0
            lapsed_count[owner, c] += 1.0 if lapsed[owner, c] else 0.0
            w = weight[c if w_wide else 0]
            total = w + kept_count[owner, c]
            total += lapsed_count[owner, c]
            for o in range(credibility.shape[0]):
                value = prior[o, owner, c if p_wide else 0] * w + kept_count[owner, c]
                credibility[o, owner, c] = value / total


@jit
def forget_kernel(p, misread, keep, drift) -> None:
    """Mirror of :meth:`Beliefs.forget`: p ← p (1 − ε) + ε prior; misread ← misread (1 − ε)."""
    n, m, R = p.shape
    k_wide, d_wide = keep.shape[0] > 1, drift.shape[2] > 1
    for o in range(n):
        for a in range(m):
            for c in range(R):
                k = keep[c if k_wide else 0]
                p[o, a, c] = p[o, a, c] * k + drift[o, a, c if d_wide else 0]
                misread[o, a, c] *= k


# -- the first violence and clash (simulator.model.outcomes.Recorder.decisions) ----------------
@jit
def decisions_kernel(
    day: int,
    rung: np.ndarray,
    target: np.ndarray,
    forced: np.ndarray,
    violent: np.ndarray,
    is_state: np.ndarray,
    states: np.ndarray,
    threat: np.ndarray,
    first_violence: np.ndarray,
    mover: np.ndarray,
    first_clash: np.ndarray,
    clash_pair: np.ndarray,
    clash_threat: np.ndarray,
) -> bool:
    """``Recorder.decisions`` but the beliefs: the first violence and the first clash.

    Marks the day of each column's first chosen violence and its mover (``mover``, -1 where
    none began today; whether any did is returned): numpy reads the beliefs behind it, as the
    log they need is numpy's. Notes the pair and threat of a first clash between states.
    """
    n, R = rung.shape
    found = False
    for c in range(R):
        mover[c] = -1
    for i in range(n):  # in actor order: the first mover of a column is the first violence
        if forced[i]:
            continue
        for c in range(R):
            if first_violence[c] < 0 and violent[rung[i, c]]:
                first_violence[c] = day
                mover[c] = i
                found = True
    for s in range(len(states)):  # every state in turn: the last one's clash names the pair
        i = states[s]
        for c in range(R):
            k = target[i, c]
            if first_clash[c] < 0 and violent[rung[i, c]] and is_state[k]:
                clash_pair[0, c] = i
                clash_pair[1, c] = k
                clash_threat[c] = threat[i, k, c] + threat[k, i, c]
    return found


# -- the event log (simulator.model.outcomes.Recorder._log) -----------------------------------
@jit
def log_kernel(
    day, rung, target, counts, logged, forced, caused, killed, replicate, point, attributable,
    attribute_to, attribution, any_share, keys, attribution_offsets,
):  # fmt: skip
    """Mirror of ``Recorder._log``: the day's events, actor by actor and column by column.

    Every move of a logged rung, and every forced move, is an event; whom its victim blames is
    drawn as the observation draws it (:func:`_blamed`: the same site, so the same uniforms).
    Returns the event columns in ``Recorder.event_columns``' order and types. ``counts``: the
    day's moves of each actor on each rung, which say how many events each actor has.
    """
    n, R = rung.shape
    total = 0
    per_actor = np.zeros(n, dtype=np.int64)
    for i in range(n):
        if forced[i]:
            per_actor[i] = R
        else:
            for r in range(counts.shape[1]):
                per_actor[i] += counts[i, r] if logged[r] else 0
        total += per_actor[i]
    replicates, days = np.empty(total, np.int32), np.empty(total, np.int16)
    actors, rungs = np.empty(total, np.int8), np.empty(total, np.int8)
    targets, attributed = np.empty(total, np.int8), np.empty(total, np.int8)
    casualties, deaths = np.empty(total, np.int32), np.empty(total, np.int32)
    forced_moves, points = np.empty(total, np.bool_), np.empty(total, np.int32)
    e = 0
    for i in range(n):
        if per_actor[i] == 0:
            continue
        for c in range(R):
            if not (forced[i] or logged[rung[i, c]]):
                continue
            k = target[i, c]
            replicates[e], days[e], actors[e] = replicate[c], day, i
            rungs[e], targets[e] = rung[i, c], k
            attributed[e] = _blamed(k, i, c, rung, attributable, attribute_to, attribution,
                                    any_share, keys, attribution_offsets)  # fmt: skip
            casualties[e], deaths[e] = np.int32(caused[i, c]), np.int32(killed[i, c])
            forced_moves[e], points[e] = forced[i], point[c]
            e += 1
    return (replicates, days, actors, rungs, targets, attributed, casualties, deaths,
            forced_moves, points)  # fmt: skip


def log(
    rec: Recorder, day: int, rung: np.ndarray, target: np.ndarray, counts: np.ndarray,
    forced: np.ndarray, outcome: Outcome,
) -> None:  # fmt: skip
    """:meth:`Recorder._log` compiled (same events: the kernel draws the same blame).

    ``counts``: the day's moves by actor and rung; ``forced``: whether each actor's move was
    forced today.
    """
    m = rec.model
    static = _packed(m, _Blame)
    events = log_kernel(
        day, rung, target, counts, rec.logged_rungs(), forced, outcome.caused, outcome.killed,
        m.layout.replicate, m.layout.point, m.ladder.attributable, static.attribute_to,
        static.attribution, static.any_share, m.streams.keys,
        static.offsets(day),
    )  # fmt: skip
    if len(events[0]):
        rec.events.append(events)


# -- the record (simulator.model.outcomes.Recorder.record) -------------------------------------
@jit
def record_columns(
    day,
    rung,
    target,
    losses,
    deaths,
    caused,
    damage,
    tripped,
    at_war,
    threat,
    score,
    violent,
    war,
    hostile,
    class_vs_state,
    class_vs_other,
    is_state,
    forced,
    pair_index,
    add_damage,
    count_war_days,
    scale,
    keep,
    attacked,
    conciliated,
    any_tripped,
    classified,
    escalation_now,
    escalation,
    peak_escalation,
    peak_rung,
    first_clash,
    first_war,
    casualties,
    dead,
    attacks,
    lethal_attacks,
    damage_total,
    conciliatory,
    conciliatory_total,
    red_lines_tripped,
    threat_sum,
    worst,
    worst_chosen,
    pair_worst,
    war_days,
    clash_pair,
    clash_threat,
    deescalation_day,
    summed,
    touched,
    total,
    top,
    clash,
    war_started,
) -> bool:
    """Mirror of :meth:`Recorder.record` and its recovery, up to the event log.

    Row by row where the reference works on whole arrays, skipping what it skips; the threat
    sums are integers in units of 2**-32 (exact in any order), as the reference's. ``total``,
    ``top``, ``clash`` and ``war_started`` are working rows (R), kept on the model. Returns
    whether a war has begun in any column (then for good: ``count_war_days`` from tomorrow).
    """
    n, R = rung.shape
    # the escalation index, its peaks, the first clash and war: in passes over the columns
    for c in range(R):
        top[c] = rung[0, c]
        total[c] = score[rung[0, c]]
        clash[c] = False
        war_started[c] = False
    for i in range(1, n):
        for c in range(R):
            r = rung[i, c]
            total[c] += score[r]
            top[c] = r if r > top[c] else top[c]
    for i in range(n):
        if not is_state[i]:
            continue
        for c in range(R):
            r = rung[i, c]
            against_state = is_state[target[i, c]]
            clash[c] |= against_state & violent[r]
            war_started[c] |= against_state & war[r]
    for c in range(R):
        if first_clash[c] < 0 and clash[c]:
            first_clash[c] = day
        if first_war[c] < 0 and war_started[c]:
            first_war[c] = day
        now = escalation_now[c] * keep
        now += total[c]
        escalation_now[c] = now
        escalation[day, c] = np.float32(now)
        if now > peak_escalation[c] or now != now:
            peak_escalation[c] = now
        if top[c] > peak_rung[c]:
            peak_rung[c] = top[c]
    # the day's losses are 0 outside the cells resolve wrote to (``touched``: the columns, and
    # in each the actors), where the reference adds 0: the losses' tallies visit only those (a
    # full pass was no faster even on days of violence in most columns)
    hit = top  # reused: the peaks are taken
    hits = 0
    if attacked or add_damage:
        for c in range(R):
            hit[hits] = c
            hits += touched[c] != 0
    for i in range(n):
        if attacked:
            for j in range(hits):
                c = hit[j]
                if not touched[c] & _actor_bit(i):
                    continue
                casualties[i, c] = np.int64(np.float64(casualties[i, c]) + losses[i, c])
                dead[i, c] = np.int64(np.float64(dead[i, c]) + deaths[i, c])
                lethal_attacks[i, c] += caused[i, c] > 0
            for c in range(R):  # every violent move, landed or not
                attacks[i, c] += violent[rung[i, c]]
        if add_damage:
            for j in range(hits):
                c = hit[j]
                if touched[c] & _actor_bit(i):
                    damage_total[i, c] += damage[i, c]
        if conciliated:
            for c in range(R):
                conciliatory_total[i, c] += conciliatory[rung[i, c]]
        if any_tripped:
            for c in range(R):
                red_lines_tripped[i, c] += tripped[i, c]
        if not classified[i]:
            continue
        for c in range(R):  # the move classifies the pair (actor, target) and the replicate
            r = rung[i, c]
            if not (hostile[r] or violent[r]):
                continue
            k = target[i, c]
            code = class_vs_state[r] if (is_state[i] and is_state[k]) else class_vs_other[r]
            if code < worst[c]:
                worst[c] = code
            if not forced[i] and code < worst_chosen[c]:
                worst_chosen[c] = code
            q = pair_index[i, k]
            if code < pair_worst[q, c]:
                pair_worst[q, c] = code
    if not count_war_days:  # once a war has begun in any replicate, count the days at war
        for c in range(R):
            count_war_days |= first_war[c] >= 0
    if count_war_days:  # over the pairs at war in some column
        fighting = clash  # reused: the day's clashes are counted
        fighting[:] = False
        live = _live_pairs(at_war)
        for i in range(n):
            for k in range(n):
                if live[i, k]:
                    for c in range(R):
                        fighting[c] |= at_war[i, k, c]
        for c in range(R):
            war_days[c] += fighting[c]
    if not summed:  # (the compiled observe sums threat as it floors it)
        for o in range(n):
            for a in range(n):
                fixed = np.int64(0)
                for c in range(R):
                    fixed += _fixed(threat[o, a, c], scale)
                threat_sum[day, o, a] = fixed
    for c in range(R):  # Recorder._recovery: a clashing pair's threat back below its eve's
        a, b = clash_pair[0, c], clash_pair[1, c]
        if a >= 0 and deescalation_day[c] < 0 and first_clash[c] < day:
            if threat[a, b, c] + threat[b, a, c] < clash_threat[c]:
                deescalation_day[c] = day
    return count_war_days


def _buffer(
    m: EscalationModel, name: str, shape: tuple[int, ...], dtype: type = np.float64
) -> np.ndarray:
    """A working array of the compiled engine, kept on the model and reused every day.

    Fresh arrays of this size would be new pages from the system every day (page faults). The
    view of each shape asked for is kept too: most are asked for several times a day.
    """
    try:  # the path of every call but the first of each shape: about 70 a day
        view: np.ndarray = m._compiled_views[name, shape, dtype]
        return view
    except (AttributeError, KeyError):
        pass
    views = m.__dict__.setdefault("_compiled_views", {})
    key = (name, shape, dtype)
    cache = m.__dict__.setdefault("_compiled_buffers", {})
    size = math.prod(shape)
    have = cache.get(name)
    if have is None or have.size < size or have.dtype != dtype:
        have = cache[name] = np.empty(size, dtype=dtype)
        for old in [k for k in views if k[0] == name]:  # views of the array it replaces
            del views[old]
    view = views[key] = have[:size].reshape(shape)
    return view


Packed = TypeVar("Packed")


def _packed(m: EscalationModel, build: Callable[[EscalationModel], Packed]) -> Packed:
    """What ``build`` packs from the model's static numbers, kept until the model rebuilds."""
    cache = m.__dict__.setdefault("_compiled_packed", {})
    held = cache.get(build)
    if held is None or held[0] != m.generation:
        held = cache[build] = (m.generation, build(m))
    packed: Packed = held[1]
    return packed


#: arrays of width 1 made from plain numbers, by number (its type, value and sign: -0.0 is not
#: 0.0) and dtype: the same few every day
_WIDTHS: dict[tuple[type, object, float, type], np.ndarray] = {}


def _width(value: object, dtype: type) -> np.ndarray:
    """A number or an array over columns as an array of width 1 or R."""
    if isinstance(value, np.ndarray):
        if value.ndim and value.dtype == dtype:
            return value
        return np.atleast_1d(np.asarray(value, dtype=dtype))
    key = (type(value), value, math.copysign(1.0, value), dtype)  # type: ignore[arg-type]
    made = _WIDTHS.get(key)
    if made is None:
        if len(_WIDTHS) > 4096:  # numbers that change every day (a pull, say): start afresh
            _WIDTHS.clear()
        made = _WIDTHS[key] = np.atleast_1d(np.asarray(value, dtype=dtype))
    return made


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


def _table(values: list[object], dtype: type = np.float64) -> np.ndarray:
    """Numbers (or arrays over columns) → an array with a last axis of width 1 or R."""
    arrays: list[np.ndarray] = [np.asarray(v, dtype=dtype) for v in values]
    width = max((a.shape[-1] for a in arrays if a.ndim), default=1)
    table = np.empty((len(arrays), width), dtype=dtype)
    for row, a in zip(table, arrays, strict=True):
        row[...] = a  # a number, or an array of width 1 or R: broadcast along the row
    return table


def _pairs_of(entries: dict[int, Any], n: int) -> tuple[np.ndarray, np.ndarray]:
    """Per target k, (owner, coefficient) lists → owners (n, L; -1 padded), coefs (n, L, width)."""
    size = max((len(v) for v in entries.values()), default=0)
    coefs = [c for v in entries.values() for _, c in v]
    width = max((np.asarray(c).shape[-1] for c in coefs if np.ndim(c)), default=1)
    owners = np.full((n, max(size, 1)), -1, dtype=np.int64)
    table = np.zeros((n, max(size, 1), width))
    for k, pairs in entries.items():
        for j, (owner, coef) in enumerate(pairs):
            owners[k, j] = owner
            table[k, j] = coef
    return owners, table


class _Static:
    """What the target kernel needs that changes only when the model rebuilds."""

    def __init__(self, m: EscalationModel):
        from simulator.model.actors import Host, Militia

        n = m.n
        self.resolve = _table([a.spec.resolve for a in m.actors])
        bases = [
            a.spec.grievance if a.grudge.get(k, False) else 0.0 for a in m.actors for k in range(n)
        ]
        self.any_base = np.array([any_of(b) for b in bases]).reshape(n, n)
        self.base = _table(bases).reshape(n, n, -1)
        self.w = _table([m.dynamics.belief_weight])[0]
        self.any_w = any_of(m.dynamics.belief_weight)
        self.hp = _table([m.dynamics.host_pressure])[0]
        self.any_hp = any_of(m.dynamics.host_pressure > 0)
        #: each patron's row of the day's drives (-1: no one's patron)
        patrons = sorted({int(p) for p in m.patron_of if p >= 0})
        self.slot = np.full(n, -1, dtype=np.int64)
        self.slot[patrons] = np.arange(len(patrons))
        self.actors = []
        for a in m.actors:
            kind = 2 if isinstance(a, Militia) else 1 if isinstance(a, Host) else 0
            has_terms = np.zeros(n, dtype=bool)
            has_terms[list(a.value_terms)] = True
            cost = _table([a.value_terms[k][0] if has_terms[k] else 0.0 for k in range(n)])
            line_owner, line_coef = _pairs_of({k: ln for k, (_, ln) in a.value_terms.items()}, n)
            if isinstance(a, Militia):
                patron = a.patron
                blame_owner, blame_coef = _pairs_of(a.blame_lines, n)
                blame_base = a.blame_base if a.blame_base.ndim == 2 else a.blame_base[:, None]
                control = _table([a.control])[0]
                fear_scale = _table([m.dynamics.deterrence * a.patron_caution])[0]
            else:
                patron = -1
                blame_owner, blame_coef = np.full((n, 1), -1, dtype=np.int64), np.zeros((n, 1, 1))
                blame_base, control, fear_scale = np.zeros((n, 1)), np.zeros(1), np.zeros(1)
            guests = np.array(m.stationed_on(a.index) if kind == 1 else [], dtype=np.int64)
            self.actors.append(
                (kind, np.asarray(a.targets, dtype=np.int64), has_terms, cost,
                 line_owner, line_coef, patron, blame_base, blame_owner, blame_coef, control,
                 fear_scale, guests)
            )  # fmt: skip


class _Settings:
    """The model's settings the kernels take (width 1 or R), and tests on them, until a rebuild."""

    def __init__(self, m: EscalationModel):
        dyn, b, f = m.dynamics, m.beliefs, np.float64
        self.casualty_weight = _width(dyn.casualty_weight, f)
        self.threat_gain = _width(dyn.threat_gain, f)
        self.belief_gain = _width(dyn.belief_gain, f)
        self.satiating = any_of(dyn.satiation > 0)
        self.satiation = _width(dyn.satiation, f)
        self.grievance_per_casualty = _width(dyn.grievance_per_casualty, f)
        self.solidarity = _width(dyn.solidarity, f)
        self.weariness_memory = _width(dyn.weariness_memory, f)
        self.war_weariness = _width(dyn.war_weariness, f)
        self.any_war_weariness = any_of(dyn.war_weariness)
        self.weariness_per_casualty = _width(dyn.weariness_per_casualty, f)
        self.any_weariness_per_casualty = any_of(dyn.weariness_per_casualty)
        self.ceasefire_days = np.atleast_1d(np.asarray(dyn.ceasefire_days))
        self.reputation_weight = _width(b.weight, f)
        lad = m.ladder
        #: the kinds of rung :func:`_in_use` asks about: violent, sabotage (damage without
        #: violence), conciliatory, damaging, and those whose moves class a replicate
        self.rung_kinds = np.array(
            [
                lad.violent,
                (lad.damage > 0) & ~lad.violent,
                lad.conciliatory,
                lad.damage > 0,
                lad.hostile | lad.violent,
            ]
        )


#: rows of :func:`_in_use`
VIOLENT, SABOTAGE, CONCILIATORY, DAMAGING, CLASSIFIED = range(5)


@jit
def rungs_in_use(counts, kinds, out) -> None:
    """Which kinds of rung were moved on today, in some column.

    ``out[j, i]``: whether actor i moved on a rung of kind j (``counts[i, kinds[j]]`` not all 0);
    ``out[j, n]``: whether any actor did.
    """
    n, rungs = counts.shape
    for j in range(kinds.shape[0]):
        anyone = False
        for i in range(n):
            moved = False
            for r in range(rungs):
                moved = moved or (kinds[j, r] and counts[i, r] != 0)
            out[j, i] = moved
            anyone = anyone or moved
        out[j, n] = anyone


def _in_use(m: EscalationModel, counts: np.ndarray) -> np.ndarray:
    """:func:`rungs_in_use` of the day's counts, worked out once (resolve, settle, record)."""
    held = m.__dict__.get("_compiled_in_use")
    if held is None or held[0] is not counts:
        kinds = _packed(m, _Settings).rung_kinds
        out = _buffer(m, "in_use", (len(kinds), m.n + 1), bool)
        rungs_in_use(counts, kinds, out)
        held = m._compiled_in_use = (counts, out)
    in_use: np.ndarray = held[1]
    return in_use


#: log2(1 + k) for k = 0 … top, by top: numpy's log2, as the reference's felt losses
_FELT: dict[int, np.ndarray] = {}


def _felt(top: int) -> np.ndarray:
    """``np.log2(1.0 + np.arange(top + 1))``: how much k casualties are felt, k = 0 … top."""
    made = _FELT.get(top)
    if made is None:
        if len(_FELT) > 256:
            _FELT.clear()
        made = _FELT[top] = np.log2(1.0 + np.arange(top + 1, dtype=np.float64))
    return made


def _forced(m: EscalationModel, forced: dict[int, Forced]) -> np.ndarray:
    """Whether each actor's move is forced today (the day's ``forced``, worked out once)."""
    held = m.__dict__.get("_compiled_forced")
    if held is None or held[0] is not forced:
        held = m._compiled_forced = (forced, np.array([i in forced for i in range(m.n)]))
    mask: np.ndarray = held[1]
    return mask


def _full(m: EscalationModel, values: object) -> np.ndarray:
    """A number per column (float64, the model's width): ``values`` itself if it has one."""
    row = _width(values, np.float64)
    if row.shape[0] == m.replicates:
        return row
    if row[0] != row[0]:  # NaN: not kept (no key finds it again)
        return np.full(m.replicates, row[0])
    fulls = m.__dict__.setdefault("_compiled_fulls", {})
    key = (float(row[0]), math.copysign(1.0, row[0]))
    made = fulls.get(key)
    if made is None:
        made = fulls[key] = np.full(m.replicates, row[0])
    return made


def _pick_static(m: EscalationModel, i: int) -> tuple[Any, ...]:
    """What :func:`pick` passes that changes only when the model rebuilds."""
    static = _packed(m, _Static)
    (kind, targets, has_terms, cost, line_owner, line_coef, patron, blame_base, blame_owner,
     blame_coef, control, fear_scale, guests) = static.actors[i]  # fmt: skip
    R, n = m.replicates, m.n
    buffers = m.__dict__.get("_pick_buffers")
    if buffers is None:  # the kernel's working rows
        buffers = m._pick_buffers = (
            _buffer(m, "fear", (R,)),
            _buffer(m, "desire", (n, R)), _buffer(m, "value", (n, R)), _buffer(m, "best", (R,)),
            _buffer(m, "enemy", (R,), np.int64), _buffer(m, "fighting", (R,), bool),
        )  # fmt: skip
    drives = (m.threat, m.grievance, m.beliefs.p, m.push, static.resolve, static.base,
              static.any_base, static.w, static.any_w)  # fmt: skip
    # the day's drives of the patrons (a table each), and a row for anyone else's
    patrons = int(static.slot.max()) + 1
    pool = (_buffer(m, "drive", (patrons, n, R)), _buffer(m, "drive_done", (patrons, n), bool),
            static.slot, _buffer(m, "own_drive", (R,)))  # fmt: skip
    # a militia's numbers per column, at the model's width (the kernel reads them so)
    if kind == 2:
        control, fear_scale = _full(m, control), _full(m, fear_scale)
    return (kind, targets, bool(m.is_state[i]), has_terms, cost, line_owner, line_coef, patron,
            blame_base, blame_owner, blame_coef, control, fear_scale, guests, static.hp,
            static.any_hp, drives, pool + buffers)  # fmt: skip


def pick(actor: Actor) -> tuple[np.ndarray, np.ndarray]:
    """:meth:`Actor.pick_target` compiled (same results)."""
    m, i = actor.model, actor.index
    held = actor.__dict__.get("_compiled_pick")
    if held is None or held[0] != m.generation:
        held = actor._compiled_pick = (m.generation, _pick_static(m, i))
    (kind, targets, is_state, has_terms, cost, line_owner, line_coef, patron, blame_base,
     blame_owner, blame_coef, control, fear_scale, guests, hp, any_hp, drives,
     buffers) = held[1]  # fmt: skip
    cap = m.restraint_cap[patron] if patron >= 0 else None
    credibility = m.beliefs.credibility
    pull = (
        _full(m, m.mediation_pull(actor))
        if kind == 2
        else _width(m.mediation_pull(actor), np.float64)
    )
    wishes = (m.patron_of, pull, hp, any_hp, guests, m.threat, control, patron, blame_base,
              blame_owner, blame_coef, credibility, fear_scale, cap is not None,
              cap[0] if cap else 0.0, cap[1] if cap else 0.0)  # fmt: skip
    # written straight into the day's moves (step's copy of them is then a no-op): a copy of
    # three rows per actor was 3-4 % of a day at 10,000 columns
    target, x = m._moves[1][i], m._moves[2][i]
    if m.__dict__.get("_compiled_drives") is not m.drives:  # a new day: none worked out yet
        drive_done = buffers[1]
        drive_done[:] = False
        m._compiled_drives = m.drives
    pick_target(
        target, x, i, targets, is_state, m.at_war, bool(m.pulled[i]), m.pulling[i],
        m.red_lines.target[i], kind, patron, drives, wishes, credibility, has_terms, cost,
        line_owner, line_coef, *buffers,
    )  # fmt: skip
    return target, x


def _pairwise(table: np.ndarray, first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """``table[first, second]`` of every pair → pairs × (1 or R), as float64."""
    values = np.asarray(table[first, second], dtype=np.float64)
    return values[:, None] if values.ndim == 1 else values


def _in_any_column(mask: np.ndarray) -> np.ndarray:
    """Per pair (row of ``mask``), whether it holds in any column."""
    return np.asarray(mask.any(axis=1))


class _Pairs:
    """Every (mover, observer) pair that may read a move, and its numbers, until a rebuild."""

    def __init__(self, m: EscalationModel):
        from simulator.model.sites import _key

        p = m.perception
        i, o = np.nonzero(m.cares)  # (mover, observer) in mover-major order
        self.i, self.o = i.astype(np.int64), o.astype(np.int64)
        constant = _pairwise(m.relevance_constant, i, o)
        self.rel_const = np.nan_to_num(constant)
        self.rel_nan = _in_any_column(np.isnan(constant))
        self.att = p.attribute_to[o, i].astype(np.int64)
        self.bias = _pairwise(p.offense_bias, o, i)
        self.detection = _pairwise(p.detection, o, i)
        self.noise = _pairwise(p.noise, o, i)
        self.share = _pairwise(p.attribution, o, i)
        self.any_noise = _in_any_column(self.noise > 0)
        self.any_detect = _in_any_column(self.detection < 1.0)
        self.any_share = _in_any_column(self.share > 0)
        #: each pair's draw offsets by day, of its sites: noise, detection, attribution (rows)
        sites = np.array(
            [
                [_key(name, int(b), int(a)) for a, b in zip(i, o, strict=True)]
                for name in ("noise", "detect", "attribution")
            ],
            dtype=np.uint64,
        ).reshape(3, len(i))
        self.offsets = DayOffsets(sites, m.horizon)
        self.numbers = (
            self.i, self.o, self.any_noise, self.rel_nan, self.rel_const, self.att,
            self.any_detect, self.any_share, self.bias, self.detection, self.noise, self.share,
        )  # fmt: skip


#: no noise drawn today: the deviates observe_reading reads (none)
_NO_NORMALS = np.zeros(0)


def observe(
    m: EscalationModel,
    rung: np.ndarray,
    target: np.ndarray,
    counts: np.ndarray,
    caused: np.ndarray,
    draws: DayDraws,
) -> Blame:
    """:func:`observation.observe` compiled (same results; numpy draws the normals and exps)."""
    lad, dyn, R = m.ladder, m.dynamics, m.replicates
    m.threat *= dyn.memory
    static = _packed(m, _Pairs)
    pairs = len(static.i)
    start = _buffer(m, "pair_start", (pairs + 1,), np.int64)
    moved = _buffer(m, "moved", (m.n, R), np.int64)
    T = observe_plan(counts, lad.status_quo, rung, static.i, start, moved)
    if T:  # every pair, those whose mover stayed put with no moves to read
        (pair_i, pair_o, any_noise, rel_nan, rel_const, att, any_detect, any_share, bias,
         detection, noise, share) = static.numbers  # fmt: skip
        noise_offsets, detect_offsets, attribution_offsets = static.offsets(draws.day)
        relevance = m.relevance if m.relevance.ndim == 5 else m.relevance[..., None]
        subset = _buffer(m, "subset", (T,), bool)
        rel, uniforms = _buffer(m, "rel", (T,)), _buffer(m, "uniforms", (T,))
        drawn = observe_columns(subset, rel, uniforms, start, moved, pair_i, pair_o, rel_nan,
                                rel_const, relevance, any_noise, rung, target, lad.violent,
                                m.streams.keys, noise_offsets)  # fmt: skip
        # the draws, packed in the order of the moves (none on most days of a narrow model)
        normals = rng.normal(uniforms[:drawn]) if drawn else _NO_NORMALS
        top = int(caused.max()) if caused.size else 0
        felt = _felt(top)
        llr, misread = _buffer(m, "llr", (T,)), _buffer(m, "misread", (T,))
        factor = uniforms  # read: the buffer now packs the evidence that is not 0
        packed_start = _buffer(m, "packed_start", (pairs + 1,), np.int64)  # (written whole)
        blamed = _buffer(m, "blamed", (T,), bool)
        flags = _buffer(m, "pair_flags", (pairs,), np.int64)  # (written whole)
        evidence = m.evidence if m.evidence.ndim == 2 else m.evidence[:, None]
        settings = _packed(m, _Settings)
        packed = observe_reading(
            m.threat, subset, rel, normals, llr, factor, packed_start, misread, blamed, flags,
            start, moved, pair_i, pair_o, att, any_detect, any_noise, any_share, bias, detection,
            noise, share, settings.casualty_weight, settings.threat_gain, settings.belief_gain,
            rung, caused, felt, lad.hostility, lad.defensive, lad.covert, lad.attributable,
            evidence, m.streams.keys, detect_offsets, attribution_offsets,
        )  # fmt: skip
        if flags.any():
            np.exp(factor[:packed], out=factor[:packed])
            b = m.beliefs
            observe_beliefs(b.p, b.misread, subset, llr, factor, packed_start, misread, blamed,
                            flags, start, moved, pair_i, pair_o, att, _EPS)  # fmt: skip
    rec = m.recorder  # today's threat sums, taken as the threat is floored
    floor_threat(m.threat, THREAT_SCALE, rec.threat_sum[m.day])
    rec.__dict__["_compiled_summed"] = m.day
    return blame_of_the_day(m, rung, draws)


def record(
    rec: Recorder,
    day: int,
    rung: np.ndarray,
    target: np.ndarray,
    counts: np.ndarray,
    forced: dict[int, Forced],
    outcome: Outcome,
    tripped: np.ndarray,
    blame: Blame,
) -> None:
    """:meth:`Recorder.record` with its tallies compiled (same results)."""
    m, lad, R = rec.model, rec.model.ladder, rec.model.replicates
    rec.mix[day] = counts
    was_forced = _forced(m, forced)
    in_use, n = _in_use(m, counts), m.n
    # a war, once begun in a column, is for good: the kernel looks for one until it finds it
    rec.__dict__["_compiled_war_begun"] = record_columns(
        day, rung, target, outcome.losses, outcome.deaths, outcome.caused, outcome.damage,
        tripped, m.at_war, m.threat, lad.score, lad.violent, lad.war, lad.hostile,
        rec._class_vs_state, rec._class_vs_other, m.is_state, was_forced, rec.pair_index,
        bool(in_use[DAMAGING, n]), rec.__dict__.get("_compiled_war_begun", False),
        THREAT_SCALE, _KEEP, bool(outcome.attacks), bool(in_use[CONCILIATORY, n]),
        bool(tripped.any()), in_use[CLASSIFIED, :n],
        rec.escalation_now, rec.escalation, rec.peak_escalation, rec.peak_rung,
        rec.first_clash, rec.first_war, rec.casualties, rec.deaths, rec.attacks,
        rec.lethal_attacks, rec.damage, lad.conciliatory, rec.conciliatory,
        rec.red_lines_tripped, rec.threat_sum, rec.worst, rec.worst_chosen, rec.pair_worst,
        rec.war_days, rec.clash_pair, rec.clash_threat, rec.deescalation_day,
        rec.__dict__.get("_compiled_summed") == day, m._compiled_touched,
        _buffer(m, "record_total", (R,)), _buffer(m, "record_top", (R,), np.int64),
        _buffer(m, "record_clash", (R,), bool), _buffer(m, "record_war", (R,), bool),
    )  # fmt: skip
    if rec.event_log != "none":
        log(rec, day, rung, target, counts, was_forced, outcome)


def decisions(
    rec: Recorder, day: int, rung: np.ndarray, target: np.ndarray, forced: dict[int, Forced]
) -> None:
    """:meth:`Recorder.decisions` compiled (same results; numpy takes the beliefs' log)."""
    m = rec.model
    mover = _buffer(m, "mover", (m.replicates,), np.int64)
    moved = decisions_kernel(
        day, rung, target, _forced(m, forced), m.ladder.violent,
        m.is_state, rec.states, m.threat, rec.first_violence, mover, rec.first_clash,
        rec.clash_pair, rec.clash_threat,
    )  # fmt: skip
    if moved:
        cols = np.flatnonzero(mover >= 0)
        i = mover[cols]
        k = target[i, cols]
        b = m.beliefs
        p = b.p[i, k, cols]
        prior = b.prior[i, k] if b.prior.ndim == 2 else b.prior[i, k, cols]
        rise = np.log(p / (1.0 - p)) - prior
        rec.accidental[cols] = (rise > 0) & (b.misread[i, k, cols] > 0.5 * rise)


def _decide_static(actor: Actor, t: Any) -> tuple[Any, ...]:
    """What :func:`utilities` and :func:`choose` take from the actor's static numbers.

    Kept on the actor until the model rebuilds: ``t.gain`` and ``t.scale`` are :meth:`Actor.terms`'
    own static numbers, the same between rebuilds.
    """
    m = actor.model
    held = actor.__dict__.get("_compiled_decide")
    if held is not None and held[0] == m.generation:
        return held[1]
    rows, R = len(actor.menu), m.replicates
    if t.scale is not None:
        line_target, owners, line_rows, line_weight = _lines(actor, t.scale)
        deterred = np.arange(rows)[actor.deterred_rows]
        scale = _width(t.scale, np.float64)
    else:
        line_target, owners = np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        line_rows = np.zeros((0, 0), dtype=np.int64)
        line_weight = np.zeros((0, 0, 1), dtype=np.float32)
        deterred, scale = np.zeros(0, dtype=np.int64), np.zeros(1)
    retaliation = actor.retaliation
    static = (
        actor.menu_level[:, 0], _width(t.gain, np.float32), deterred, actor.deterred_level[:, 0],
        scale, retaliation[:, None] if retaliation.ndim == 1 else retaliation, line_target,
        owners, line_rows, line_weight, _width(0.0, np.float32),
        np.asarray(actor.excluded_rows, dtype=np.int64),
        _buffer(m, "gain_x", (R,), np.float32), _buffer(m, "retaliation_x", (R,), np.float32),
        _buffer(m, "top", (R,), np.float32),
        m._moves[0][actor.index],  # the rung chosen: straight into the day's moves
        _buffer(m, "bound", (R,), np.float32),
        _buffer(m, "count", (R,), np.int64),
    )  # fmt: skip
    actor.__dict__["_compiled_decide"] = (m.generation, static)
    return static


def _choice_offsets(m: EscalationModel, day: int) -> np.ndarray:
    """Every actor's choice draw offset of the day (``day_offset``)."""
    offsets: DayOffsets | None = m.__dict__.get("_compiled_choice")
    if offsets is None:  # the sites, once per model
        from simulator.model.sites import _key

        sites = np.array([[_key("choice", i) for i in range(m.n)]], dtype=np.uint64)
        offsets = m._compiled_choice = DayOffsets(sites, m.horizon)
    today: np.ndarray = offsets(day)[0]
    return today


def decide(actor: Actor, draws: DayDraws) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:meth:`Actor.decide` with the utilities and the choice compiled (same results)."""
    m, i = actor.model, actor.index
    target, x = pick(actor)
    t = actor.terms(target, draws)
    (level, gain, deterred, deterred_level, scale, retaliation, line_target, owners, line_rows,
     line_weight, no_pull, excluded_rows, gain_x, e32, top, rung, bound,
     count) = _decide_static(actor, t)  # fmt: skip
    z = m.scratch.utility[: len(actor.menu)]
    deter = t.scale is not None
    pulled = t.pull is not None
    lines = m.red_lines
    order_cap, obey = (-1, m.pulling[i]) if t.order is None else (int(t.order[0]), t.order[1])
    if t.excluded_rows is not actor.excluded_rows:  # a promise due today widens the targets
        excluded_rows = np.asarray(t.excluded_rows, dtype=np.int64)
    utilities(
        z, x, target, actor.menu, level, gain, t.constant, deterred, deterred_level, scale, deter,
        retaliation, line_target, m.beliefs.credibility[i], owners, line_rows, line_weight,
        _width(t.pull, np.float32) if pulled else no_pull, pulled, m.pulling[i], lines.low[i],
        lines.high[i], excluded_rows, actor.excluded_against, m.actor_type_index, order_cap, obey,
        gain_x, e32, top,
    )  # fmt: skip
    np.exp(z, out=z)
    choose(z, m.streams.keys, _choice_offsets(m, draws.day)[i], actor.menu, rung, bound, count)
    return rung, target, x


class _Violence:
    """What the violence kernels need that changes only when the model rebuilds."""

    def __init__(self, m: EscalationModel):
        from simulator.model.sites import _key
        from simulator.model.violence import MAX_SOIL_SECURITY

        self.mediates = np.array([any_of(a.spec.mediation > 0) for a in m.actors])
        self.mediation = _table([a.spec.mediation for a in m.actors])
        self.capability = _table([a.spec.capability for a in m.actors])
        self.security = _table(list(m.security))
        self.max_security = float(MAX_SOIL_SECURITY)
        self.unfixed = np.full(m.n, -1, dtype=np.int64)  # no losses fixed by history
        #: each actor's draw offsets by day, of its sites: hit, size, deaths (rows)
        sites = np.array(
            [[_key(name, i) for i in range(m.n)] for name in ("hit", "size", "deaths")],
            dtype=np.uint64,
        )
        self.offsets = DayOffsets(sites, m.horizon)


def resolve(
    m: EscalationModel,
    rung: np.ndarray,
    target: np.ndarray,
    counts: np.ndarray,
    draws: DayDraws,
    forced: dict[int, Forced],
) -> Outcome:
    """:func:`violence.resolve` compiled (same results; numpy draws the attacks' sizes)."""
    lad, n, R = m.ladder, m.n, m.replicates
    static = _packed(m, _Violence)
    violence_postures(rung, target, lad.defensive, lad.suppressive, lad.conciliatory,
                      lad.protection, lad.duration, lad.suppression, m.protection,
                      m.protection_days, m.suppression, m.suppression_days, m.threat,
                      static.mediates, static.mediation)  # fmt: skip
    tables = m.day_losses._arrays
    touched = m.__dict__.get("_compiled_touched")
    if touched is None:  # no column written to yet
        touched = m._compiled_touched = np.zeros(R, dtype=np.int64)  # masks of actors
    clear_losses(tables, touched)
    losses, deaths, damage, caused, killed = tables
    attacks: list[Attack] = []
    in_use = _in_use(m, counts)
    violent_today = bool(in_use[VIOLENT, n])
    if violent_today:
        size = n * R
        actor, column = (_buffer(m, f"v_{name}", (size,), np.int64) for name in ("a", "c"))
        aimed, rungs = (_buffer(m, f"v_{name}", (size,), np.int64) for name in ("k", "r"))
        landed = _buffer(m, "v_landed", (size,), bool)
        size_u, death_u = _buffer(m, "v_size_u", (size,)), _buffer(m, "v_death_u", (size,))
        landed_rung = _buffer(m, "v_landed_rung", (size,), np.int64)
        hit_offsets, size_offsets, death_offsets = static.offsets(draws.day)
        entries, hits = violence_aim(
            rung, target, lad.violent, lad.lethality, static.capability, m.suppression,
            m.protection, m.host_of, m.is_host, m.soil, static.security, static.max_security,
            m.streams.keys, hit_offsets, size_offsets, death_offsets, actor, column,
            aimed, rungs, landed, size_u, death_u, landed_rung,
        )  # fmt: skip
        cas = dead = np.zeros(0, dtype=np.int64)
        if hits:
            r = landed_rung[:hits]
            cas = 1 + poisson(size_u[:hits], lad.casualties[r] - 1.0)
            dead = binomial(death_u[:hits], cas, lad.fatality[r])
        fixed_deaths = fixed_wounded = static.unfixed  # (read only)
        if forced:
            fixed_deaths, fixed_wounded = np.full((2, n), -1, dtype=np.int64)
            for i, move in forced.items():
                if move.deaths is not None:
                    fixed_deaths[i] = move.deaths
                if move.wounded is not None:
                    fixed_wounded[i] = move.wounded
        order = _buffer(m, "v_order", (size,), np.int64)
        entry_cas, entry_dead = _buffer(m, "v_cas", (size,)), _buffer(m, "v_dead", (size,))
        # new every day: the attacks hold slices of these (a trace keeps them)
        by_rung, by_column = np.empty((2, entries), dtype=np.int64)
        by_cas, by_dead = np.empty((2, entries))
        firsts = np.empty((3, n * n + 1), dtype=np.int64)
        found = violence_losses(
            rung, target, entries, actor, column, aimed, rungs, landed, cas, dead, fixed_deaths,
            fixed_wounded, lad.damage, losses, deaths, damage, caused, killed, order, entry_cas,
            entry_dead, touched, by_rung, by_column, by_cas, by_dead, firsts,
        )  # fmt: skip
        attackers, targets, first = firsts[0, :found], firsts[1, :found], firsts[2, : found + 1]
        bounds = first.tolist()
        for a, (i, k) in enumerate(zip(attackers.tolist(), targets.tolist(), strict=True)):
            s, e = bounds[a], bounds[a + 1]
            attacks.append(Attack(i, k, by_rung[s:e], by_column[s:e], by_cas[s:e], by_dead[s:e]))
        if found:  # the attacks already flat, for the kernels that read them (_flat)
            flat = _Attacks.of(attackers, targets, first, by_column, by_cas, by_dead)
            m.__dict__["_compiled_attacks"] = (attacks, flat)
    if in_use[SABOTAGE, n]:  # covert sabotage does damage without violence
        sabotage = _packed(m, _Settings).rung_kinds[SABOTAGE]
        violence_sabotage(rung, target, sabotage, lad.damage, damage, touched)
    return Outcome(losses, deaths, damage, caused, killed, attacks)


class _Attacks:
    """A day's attacks as flat arrays: attack a's entries are first[a] … first[a + 1]."""

    @classmethod
    def of(
        cls,
        attackers: np.ndarray,
        targets: np.ndarray,
        first: np.ndarray,
        columns: np.ndarray,
        casualties: np.ndarray,
        deaths: np.ndarray,
    ) -> _Attacks:
        """The arrays :meth:`__init__` would concatenate, as :func:`violence_losses` wrote them.

        Its attacks are contiguous and in order, and so are their entries.
        """
        flat = cls.__new__(cls)
        flat.attackers, flat.targets, flat.first = attackers, targets, first
        flat.columns, flat.casualties, flat.deaths = columns, casualties, deaths
        return flat

    def __init__(self, attacks: list[Attack]):
        self.attackers = np.array([a.attacker for a in attacks], dtype=np.int64)
        self.targets = np.array([a.target for a in attacks], dtype=np.int64)
        self.first = np.zeros(len(attacks) + 1, dtype=np.int64)
        np.cumsum([len(a.columns) for a in attacks], out=self.first[1:])
        empty = np.zeros(0)
        self.columns = np.concatenate([a.columns for a in attacks] or [empty]).astype(np.int64)
        self.casualties = np.concatenate([a.casualties for a in attacks] or [empty])
        self.deaths = np.concatenate([a.deaths for a in attacks] or [empty])


#: a day without attacks, flat (read, never written): most days of a narrow model
_NO_ATTACKS = _Attacks([])


def _flat(m: EscalationModel, attacks: list[Attack]) -> _Attacks:
    """The day's attacks flattened once, for every kernel that reads them."""
    if not attacks:  # not made anew: six empty arrays cost more than a day's war kernel
        return _NO_ATTACKS
    cached = m.__dict__.get("_compiled_attacks")
    if cached is None or cached[0] is not attacks:
        cached = m.__dict__["_compiled_attacks"] = (attacks, _Attacks(attacks))
    flat: _Attacks = cached[1]
    return flat


class _Blame:
    """Who each observer may blame for whose moves (the perception table), until a rebuild."""

    def __init__(self, m: EscalationModel):
        from simulator.model.sites import _key

        p, n = m.perception, m.n
        self.attribute_to = np.asarray(p.attribute_to, dtype=np.int64)
        self.attribution = _table([p.attribution[o, a] for o in range(n) for a in range(n)])
        self.attribution = self.attribution.reshape(n, n, -1)
        self.any_share = np.array(
            [[any_of(p.attribution[o, a] > 0) for a in range(n)] for o in range(n)]
        )
        sites = np.array(
            [_key("attribution", o, a) for o in range(n) for a in range(n)], dtype=np.uint64
        ).reshape(n, n)
        #: the draw offsets of a day's attributions, observer × actor (grieve, trip and the
        #: event log each ask for them)
        self.offsets = DayOffsets(sites, m.horizon)


@jit
def rung_counts_kernel(rung, out) -> None:
    """Mirror of :func:`world.rung_counts`: ``out[i, r]`` counts actor i's moves on rung r.

    Four columns at a time into four tallies, added at the end: one tally would wait on its own
    last increment whenever neighbouring columns chose the same rung (the status quo, mostly).
    """
    R, rungs = rung.shape[1], out.shape[1]
    part = np.zeros((4, rungs), dtype=np.int64)
    for i in range(rung.shape[0]):
        part[:] = 0
        c = 0
        while c + 4 <= R:
            part[0, rung[i, c]] += 1
            part[1, rung[i, c + 1]] += 1
            part[2, rung[i, c + 2]] += 1
            part[3, rung[i, c + 3]] += 1
            c += 4
        while c < R:
            part[0, rung[i, c]] += 1
            c += 1
        for r in range(rungs):
            out[i, r] += part[0, r] + part[1, r] + part[2, r] + part[3, r]


def rung_counts(rung: np.ndarray, rungs: int) -> np.ndarray:
    """:func:`world.rung_counts` compiled (same counts)."""
    out = np.zeros((rung.shape[0], rungs), dtype=np.int64)
    rung_counts_kernel(rung, out)
    return out


@jit
def tensions_kernel(threat, mediators, total, out, inspired) -> None:
    """Mirror of :meth:`EscalationModel._tensions`: ``out[j]``, mediator j's pull.

    The sums in the reference's order (``points.sum_rows``): row after row, never pairwise, so
    the total is threat[0, 0] + threat[0, 1] + … and each actor's rows and columns likewise. Each
    sum is a pass of whole rows over the columns (``out[j]`` holds the threat the mediator
    feels until its pull replaces it, ``inspired`` the threat it inspires): the passes vectorise.
    """
    n, R = threat.shape[0], threat.shape[2]
    pairs = (n - 1) * (n - 2)
    for c in range(R):
        total[c] = threat[0, 0, c]
    for o in range(n):
        for a in range(n):
            if o == 0 and a == 0:
                continue
            for c in range(R):
                total[c] += threat[o, a, c]
    for j in range(mediators.shape[0]):
        i = mediators[j]
        felt = out[j]
        for c in range(R):
            felt[c] = threat[i, 0, c]
            inspired[c] = threat[0, i, c]
        for k in range(1, n):
            for c in range(R):
                felt[c] += threat[i, k, c]
                inspired[c] += threat[k, i, c]
        for c in range(R):
            rest = total[c] - felt[c] - inspired[c]
            felt[c] = (rest if (rest >= 0.0 or rest != rest) else 0.0) / pairs


def tensions(m: EscalationModel, mediators: list[int]) -> list[np.ndarray | float]:
    """:meth:`EscalationModel._tensions` compiled (same results)."""
    if not mediators or (m.n - 1) * (m.n - 2) <= 0:
        return [0.0] * m.n
    held = m.__dict__.get("_compiled_mediators")  # the same set for days on end
    if held is None or held[0] is not mediators:
        held = m._compiled_mediators = (mediators, np.array(sorted(mediators), dtype=np.int64))
    order = held[1]
    out = _buffer(m, "pulls", (len(order), m.replicates))  # the day's pulls: until tomorrow's
    R = m.replicates
    tensions_kernel(m.threat, order, _buffer(m, "total", (R,)), out, _buffer(m, "inspired", (R,)))
    pulls: list[np.ndarray | float] = [0.0] * m.n
    for j, i in enumerate(order):
        pulls[i] = out[j]
    return pulls


def settle(m: EscalationModel, rung: np.ndarray, target: np.ndarray, counts: np.ndarray) -> None:
    """:meth:`EscalationModel._settle` compiled (same results)."""
    lad, settings = m.ladder, _packed(m, _Settings)
    if not settings.satiating or not _in_use(m, counts)[VIOLENT, m.n]:
        return
    settle_kernel(m.grievance, rung, target, lad.violent, lad.level, settings.satiation)


def grieve(m: EscalationModel, attacks: list[Attack], blame: Blame) -> None:
    """:meth:`EscalationModel._grieve` compiled (same results: the kernel draws the same blame)."""
    from simulator.model.world import MAX_GRIEVANCE

    m.grievance *= m.dynamics.grievance_memory
    if not attacks:
        return
    flat = _flat(m, attacks)
    static, settings = _packed(m, _Blame), _packed(m, _Settings)
    top = int(flat.casualties.max()) if flat.casualties.size else 0
    felt = _felt(top)
    grieve_kernel(
        m.grievance, flat.attackers, flat.targets, flat.first, flat.columns, flat.casualties,
        felt, settings.grievance_per_casualty, settings.solidarity,
        m._moves[0], m.ladder.attributable, static.attribute_to, static.attribution,
        static.any_share, m.streams.keys, static.offsets(m.day),
        m.patron_of, m.soil, MAX_GRIEVANCE,
    )  # fmt: skip


def war(
    m: EscalationModel,
    rung: np.ndarray,
    target: np.ndarray,
    counts: np.ndarray,
    attacks: list[Attack],
) -> None:
    """:meth:`EscalationModel._war` compiled (same results)."""
    lad, settings = m.ladder, _packed(m, _Settings)
    flat = _flat(m, attacks)
    ceasefire = m.scratch.pair_masks[1]
    found = war_kernel(
        m.at_war, m.last_conciliation, m.weariness, rung, target, m.is_state, lad.war,
        lad.conciliatory, m.day, settings.weariness_memory, settings.war_weariness,
        settings.any_war_weariness, settings.weariness_per_casualty,
        settings.any_weariness_per_casualty, flat.targets, flat.first, flat.columns,
        flat.casualties, settings.ceasefire_days, m.scratch.per_actor_mask, ceasefire,
    )  # fmt: skip
    if found:
        m.recorder.ceasefire(m.day, ceasefire)


def expire(m: EscalationModel) -> None:
    """:meth:`EscalationModel._expire` compiled (same results)."""
    expire_kernel(m.protection_days, m.protection)
    expire_kernel(m.suppression_days, m.suppression)


class _Lines:
    """The red lines packed for :func:`trip_kernel`, until a rebuild."""

    def __init__(self, m: EscalationModel):
        lines = m.red_lines.lines
        n = m.n

        def column(field: str, dtype: type = np.int64) -> np.ndarray:
            return np.array([getattr(ln, field) for ln in lines], dtype=dtype)

        self.owner, self.mode, self.named = column("owner"), column("mode"), column("named")
        self.threshold = column("threshold", np.float64)  # compared with counts of casualties
        self.low, self.high = column("low"), column("high")
        self.delay_min, self.delay_max = column("delay_min"), column("delay_max")
        codes = {"deaths": 0, "casualties": 1, "attacks": 2}
        self.trigger = np.array([codes[ln.trigger] for ln in lines], dtype=np.int64)
        self.covered = np.array(
            [[[m.red_lines.covers(ln, i, k) for k in range(n)] for i in range(n)] for ln in lines],
            dtype=bool,
        ).reshape(len(lines), n, n)


def keep(lines: RedLines, rung: np.ndarray, target: np.ndarray) -> np.ndarray:
    """:meth:`RedLines.keep` compiled (same results)."""
    kept = _buffer(lines.model, "kept", rung.shape, bool)  # read the same day (promises)
    keep_kernel(lines.days, rung, target, lines.low, lines.target, lines.second, kept)
    return kept


def trip(lines: RedLines, attacks: list[Attack], blame: Blame) -> np.ndarray:
    """:meth:`RedLines.trip` compiled (same results: the kernel draws the same blame)."""
    m = lines.model
    tripped = _buffer(m, "tripped", (m.n, m.replicates), bool)  # read the same day (record)
    tripped.fill(False)  # the kernel writes only the lines tripped
    if not attacks or not lines.lines:
        return tripped
    static = _packed(m, _Lines)
    who = _packed(m, _Blame)
    flat = _flat(m, attacks)
    R = m.replicates
    trip_kernel(
        static.owner, static.trigger, static.threshold, static.mode, static.named, static.low,
        static.high, static.delay_min, static.delay_max, static.covered, flat.attackers,
        flat.targets, flat.first, flat.columns, flat.casualties, flat.deaths,
        _buffer(m, "line_count", (R,)), _buffer(m, "line_worst", (R,)),
        _buffer(m, "line_perpetrator", (R,), np.int64), m._moves[0], m.ladder.attributable,
        who.attribute_to, who.attribution, who.any_share, m.streams.keys,
        who.offsets(m.day), lines.days, lines.due, lines.target,
        lines.second, lines.low, lines.high, m.day, tripped,
    )  # fmt: skip
    return tripped


def lapse(lines: RedLines, audience_cost: np.ndarray, step: float) -> np.ndarray:
    """:meth:`RedLines.expire` compiled (same results)."""
    loss = step * audience_cost  # actors × 1, or × columns
    lapsing = _buffer(lines.model, "lapsing", lines.days.shape, bool)  # read the same day
    lapse_kernel(lines.days, lines.credibility_loss, np.atleast_2d(loss), lapsing)
    return lapsing


def promises(m: EscalationModel, kept: np.ndarray, lapsed: np.ndarray) -> None:
    """:meth:`EscalationModel._promises` (:meth:`Beliefs.promise` by owner) compiled."""
    b = m.beliefs
    promise_kernel(b.kept, b.lapsed, b.credibility, _pairs(b._credibility_prior),
                   _packed(m, _Settings).reputation_weight, kept, lapsed)  # fmt: skip


def forget(b: Beliefs) -> None:
    """:meth:`Beliefs.forget` compiled (same results)."""
    held = b.__dict__.get("_compiled_forget")  # the model's setting: the same every day
    if held is None:
        held = (any_of(b.type_change > 0), _width(1.0 - b.type_change, np.float64))
        b.__dict__["_compiled_forget"] = held
    if not held[0]:
        return
    forget_kernel(b.p, b.misread, held[1], b._drift)
