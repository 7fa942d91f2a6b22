"""Simulating a scenario in memory: replicates in chunks of one model instance each, tidy tables.

Chunking bounds the model's memory and feeds progress reports; because every replicate draws from
its own counter-based stream, the tables do not depend on the chunk size. What is kept across
chunks (the per-day escalation of every replicate, and its row) is what :func:`memory_needed`
estimates before a run starts.
"""

from __future__ import annotations

import ctypes
import datetime as dt
import functools
import gc
import sys
from collections.abc import Mapping, Sequence

import mesa
import numpy as np
import pandas as pd

from simulator.model import OUTCOMES, EscalationModel
from simulator.model.outcomes import THREAT_SCALE, Recorder
from simulator.progress import SILENT, Progress
from simulator.results.tables import RunTables
from simulator.scenario import Scenario

#: Replicates per model instance: large enough to amortise Python overhead, small enough that the
#: per-day escalation array of a chunk stays a few tens of megabytes.
DEFAULT_CHUNK = 20_000
QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)
#: bytes per replicate-day kept until the daily table is built: the float32 escalation index
#: (filled in chunk by chunk, and sorted in place for its quantiles), plus two boolean day masks
BYTES_PER_REPLICATE_DAY = 4 + 2
#: bytes per replicate and per column of runs.parquet, times the copies made on the way to disk
#: (the chunks' frames, their concatenation, the Arrow table written)
BYTES_PER_CELL = 8 * 3
#: columns of runs.parquet per actor (casualties, deaths, attacks, lethal attacks, conciliatory
#: moves, damage, red lines) and for the replicate as a whole (plus one per pair of actors)
COLUMNS_PER_ACTOR, COLUMNS_PER_REPLICATE = 7, 14


def release(model: mesa.Model) -> None:
    """Drop Mesa's class-level reference to a finished model (Mesa 3.3 keeps every model alive)."""
    mesa.Agent._ids.pop(model, None)


def simulate(
    scenario: Scenario,
    replicates: int | None = None,
    seed: int | None = None,
    chunk: int = DEFAULT_CHUNK,
    progress: Progress = SILENT,
    event_log: str = "default",
    first_replicate: int = 0,
    engine: str | None = None,
) -> RunTables:
    """Run every replicate of a scenario and return its tables.

    ``progress`` hears of every simulated day of every chunk, in replicate-days. ``event_log``
    says which moves go to the event log table (:class:`EscalationModel`): violent, covert and
    forced moves by default, ``"all"`` moves, or ``"none"`` (no events table). The replicates
    are numbered from ``first_replicate`` (replicate k is the same world in any run).
    ``engine`` steps the model (:mod:`simulator.model.engine`; both give the same tables).
    """
    total = int(scenario.replicates if replicates is None else replicates)
    progress.phase("simulating", total * scenario.horizon_days, "replicate-days")
    run_parts: list[pd.DataFrame] = []
    event_parts: list[pd.DataFrame] = []
    # the escalation index of every replicate and day, filled in chunk by chunk
    escalation = np.empty((scenario.horizon_days, total), dtype=np.float32)
    mix = threat = None
    for first in range(0, total, chunk):
        size = min(chunk, total - first)
        model = EscalationModel(
            scenario,
            replicates=size,
            seed=seed,
            first_replicate=first_replicate + first,
            event_log=event_log,
            engine=engine,
            collect=False,  # the tables come from the recorder
        )
        while model.running:
            model.step()
            progress.advance(size)
        rec = model.recorder
        run_parts.append(replicate_rows(model))
        if event_log != "none":
            event_parts.append(event_rows(model))
        escalation[:, first : first + size] = rec.escalation
        mix = rec.mix if mix is None else mix + rec.mix
        threat = rec.threat_sum if threat is None else threat + rec.threat_sum  # exact: integers
        names, rung_names = model.names, model.ladder.names
        menus = {a.name: a.menu for a in model.actors}
        release(model)
        del model, rec
        if total > chunk:
            free_heap()
    runs = pd.concat(run_parts, ignore_index=True)
    run_parts.clear()  # copied into runs: free them before the daily table is built
    # at least one chunk ran and set both: with none, pd.concat above raised on an empty list
    assert mix is not None and threat is not None
    daily = _daily_frame(scenario, escalation, mix, threat, runs, names, rung_names, menus)
    del escalation  # _daily_frame has reordered it
    events = pd.concat(event_parts, ignore_index=True) if event_parts else None
    return RunTables(runs=runs, daily=daily, events=events)


def free_heap() -> None:
    """Collect what is garbage and hand the freed heap back to the operating system.

    A finished model lives in reference cycles (model and agents), so it goes only at a
    collection. glibc then keeps most of what it freed for later use; the tables built after the
    last chunk (every chunk's rows concatenated) were allocated beside it, and the peak of a
    100,000-replicate `escalation run` was 417 MB instead of 376 MB (benchmarks/throughput.py).
    """
    gc.collect()
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@functools.cache
def _malloc_trim() -> ctypes._NamedFuncPointer | None:
    """The C library's ``malloc_trim`` (glibc), or None elsewhere."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):  # musl and others: nothing to trim with
        return None


def memory_needed(scenario: Scenario, replicates: int | None = None) -> int:
    """Bytes :func:`simulate` keeps for a run's tables, beyond one chunk's model (an estimate)."""
    total = int(scenario.replicates if replicates is None else replicates)
    n = len(scenario.actors)
    columns = COLUMNS_PER_REPLICATE + COLUMNS_PER_ACTOR * n + n * (n - 1) // 2
    per_replicate = BYTES_PER_REPLICATE_DAY * scenario.horizon_days + BYTES_PER_CELL * columns
    return total * per_replicate


def _day_or_na(days: np.ndarray) -> pd.arrays.IntegerArray:
    """A day index per replicate, with -1 (never) as a missing value."""
    out = pd.array(np.where(days >= 0, days, 0), dtype="Int32")
    out[days < 0] = pd.NA
    return out


def replicate_rows(model: EscalationModel) -> pd.DataFrame:
    """One row per replicate (per column: a design point's replicate) of a finished model.

    Outcomes (overall, chosen, per pair), peaks, timing, the metrics of misperception and
    recovery, and per-actor tallies.
    """
    rec: Recorder = model.recorder
    classes = np.array(OUTCOMES, dtype=object)
    columns: dict[str, object] = {
        "replicate": model.layout.replicate.astype(np.int64),
        "outcome": classes[rec.outcome_codes()],
        "outcome_chosen": classes[rec.outcome_codes(chosen=True)],
        "peak_rung": rec.peak_rung,
        "peak_rung_name": np.array(model.ladder.names, dtype=object)[rec.peak_rung],
        "peak_escalation": rec.peak_escalation,
        "escalation_velocity": rec.velocity(),
        "first_direct_clash_day": _day_or_na(rec.first_clash),
        "first_war_day": _day_or_na(rec.first_war),
        "first_violence_day": _day_or_na(rec.first_violence),
        "accidental_escalation": rec.accidental.copy(),
        "days_clash_to_deescalation": _day_or_na(
            np.where(rec.deescalation_day >= 0, rec.deescalation_day - rec.first_clash, -1)
        ),
        "first_ceasefire_day": _day_or_na(rec.first_ceasefire),
        "war_days": rec.war_days,
    }
    for (a, b), codes in zip(rec.pairs, rec.pair_codes(), strict=True):
        columns[f"pair.{model.names[a]}.{model.names[b]}"] = classes[codes]
    for group, values in (
        ("casualties", rec.casualties),
        ("deaths", rec.deaths),
        ("attacks", rec.attacks),
        ("lethal_attacks", rec.lethal_attacks),
        ("conciliatory", rec.conciliatory),
        ("damage", rec.damage),
        ("red_lines_tripped", rec.red_lines_tripped),
    ):
        for i, name in enumerate(model.names):
            columns[f"{group}.{name}"] = values[i]
    return pd.DataFrame(columns)


def event_rows(model: EscalationModel) -> pd.DataFrame:
    """The model's event log as a table, one row per logged move.

    Sorted by replicate, day and actor, so that it does not depend on how the replicates were
    chunked; actor and rung names as categories.
    """
    ev = model.recorder.event_columns()
    order = np.lexsort((ev["actor"], ev["day"], ev["replicate"]))
    actors = pd.CategoricalDtype(model.names)
    rungs = pd.CategoricalDtype(list(model.ladder.names))
    frame: dict[str, object] = {}
    for name, values in ev.items():
        values = values[order]
        if name in ("actor", "target", "attributed_to"):
            frame[name] = pd.Categorical.from_codes(values.astype(np.int16), dtype=actors)
        elif name == "rung":
            frame[name] = pd.Categorical.from_codes(values.astype(np.int16), dtype=rungs)
        else:
            frame[name] = values
    return pd.DataFrame(frame)


def _daily_frame(
    scenario: Scenario,
    escalation: np.ndarray,
    mix: np.ndarray,
    threat: np.ndarray,
    runs: pd.DataFrame,
    names: Sequence[str],
    rung_names: Sequence[str],
    menus: Mapping[str, np.ndarray],
) -> pd.DataFrame:
    """The daily table; ``escalation`` (days × replicates) is reordered within each day."""
    R = escalation.shape[1]
    days = np.arange(scenario.horizon_days)
    mean = escalation.mean(axis=1, dtype=np.float64)
    # the quantiles partition each day's values in place rather than in a copy of them all
    quantiles = np.quantile(escalation, QUANTILES, axis=1, overwrite_input=True)
    columns: dict[str, object] = {
        "day": days,
        "date": [scenario.start + dt.timedelta(days=int(d)) for d in days],
    }
    for q, values in zip(QUANTILES, quantiles, strict=True):
        columns[f"escalation_q{round(q * 100):02d}"] = values
    columns["escalation_mean"] = mean
    for column, first in (("p_direct_clash", "first_direct_clash_day"), ("p_war", "first_war_day")):
        when = runs[first].to_numpy(dtype=float, na_value=np.inf)
        columns[column] = (when[None, :] <= days[:, None]).sum(axis=1) / R
    for i, name in enumerate(names):
        used = set(menus[name].tolist()) | set(np.flatnonzero(mix[:, i].sum(axis=0)).tolist())
        for r in sorted(used):
            columns[f"mix.{name}.{rung_names[r]}"] = mix[:, i, r] / R
    for o, observer in enumerate(names):
        for a, actor in enumerate(names):
            if o != a:
                columns[f"threat.{observer}.{actor}"] = threat[:, o, a] / THREAT_SCALE / R
    return pd.DataFrame(columns)
