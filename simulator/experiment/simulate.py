"""Simulating a scenario in memory: replicates in chunks of one model instance each, tidy tables.

Chunking bounds the model's memory and feeds progress reports; because every replicate draws from
its own counter-based stream, the tables do not depend on the chunk size. What is kept across
chunks (the per-day escalation of every replicate, and its row) is what :func:`memory_needed`
estimates before a run starts.
"""

from __future__ import annotations

import datetime as dt

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
#: bytes per replicate-day kept until the daily table is built: the float32 escalation index, its
#: concatenated copy and the copy np.quantile sorts, plus two boolean day masks
BYTES_PER_REPLICATE_DAY = 3 * 4 + 2
#: bytes per replicate and per column of runs.parquet, times the copies made on the way to disk
#: (the chunks' frames, their concatenation, the Arrow table written)
BYTES_PER_CELL = 8 * 3
#: columns of runs.parquet per actor (casualties, attacks, lethal attacks, damage, red lines)
#: and for the replicate as a whole
COLUMNS_PER_ACTOR, COLUMNS_PER_REPLICATE = 5, 7


def release(model: mesa.Model) -> None:
    """Drop Mesa's class-level reference to a finished model (Mesa 3.3 keeps every model alive)."""
    mesa.Agent._ids.pop(model, None)


def simulate(
    scenario: Scenario,
    replicates: int | None = None,
    seed: int | None = None,
    chunk: int = DEFAULT_CHUNK,
    progress: Progress = SILENT,
) -> RunTables:
    """Run every replicate of a scenario and return its tables.

    ``progress`` hears of every simulated day of every chunk, in replicate-days.
    """
    total = int(scenario.replicates if replicates is None else replicates)
    progress.phase("simulating", total * scenario.horizon_days, "replicate-days")
    run_parts: list[pd.DataFrame] = []
    escalation: list[np.ndarray] = []
    mix = threat = None
    for first in range(0, total, chunk):
        size = min(chunk, total - first)
        model = EscalationModel(scenario, replicates=size, seed=seed, first_replicate=first)
        while model.running:
            model.step()
            progress.advance(size)
        rec = model.recorder
        run_parts.append(replicate_rows(model, first))
        escalation.append(rec.escalation)
        mix = rec.mix if mix is None else mix + rec.mix
        threat = rec.threat_sum if threat is None else threat + rec.threat_sum  # exact: integers
        names, rung_names = model.names, model.ladder.names
        menus = {a.name: a.menu for a in model.actors}
        release(model)
    runs = pd.concat(run_parts, ignore_index=True)
    daily = _daily_frame(
        scenario, np.concatenate(escalation, axis=1), mix, threat, runs, names, rung_names, menus
    )
    return RunTables(runs=runs, daily=daily)


def memory_needed(scenario: Scenario, replicates: int | None = None) -> int:
    """Bytes :func:`simulate` keeps for a run's tables, beyond one chunk's model (an estimate)."""
    total = int(scenario.replicates if replicates is None else replicates)
    columns = COLUMNS_PER_REPLICATE + COLUMNS_PER_ACTOR * len(scenario.actors)
    per_replicate = BYTES_PER_REPLICATE_DAY * scenario.horizon_days + BYTES_PER_CELL * columns
    return total * per_replicate


def replicate_rows(model: EscalationModel, first: int) -> pd.DataFrame:
    """One row per replicate of a finished model: outcome, peaks, timing and per-actor tallies."""
    rec: Recorder = model.recorder
    R = model.replicates
    clash = pd.array(np.where(rec.first_clash >= 0, rec.first_clash, 0), dtype="Int32")
    clash[rec.first_clash < 0] = pd.NA
    war = pd.array(np.where(rec.first_war >= 0, rec.first_war, 0), dtype="Int32")
    war[rec.first_war < 0] = pd.NA
    columns: dict[str, object] = {
        "replicate": np.arange(first, first + R, dtype=np.int64),
        "outcome": np.array(OUTCOMES, dtype=object)[rec.outcome_codes()],
        "peak_rung": rec.peak_rung,
        "peak_rung_name": np.array(model.ladder.names, dtype=object)[rec.peak_rung],
        "peak_escalation": rec.peak_escalation,
        "first_direct_clash_day": clash,
        "first_war_day": war,
    }
    for group, values in (
        ("casualties", rec.casualties),
        ("attacks", rec.attacks),
        ("lethal_attacks", rec.lethal_attacks),
        ("damage", rec.damage),
        ("red_lines_tripped", rec.red_lines_tripped),
    ):
        for i, name in enumerate(model.names):
            columns[f"{group}.{name}"] = values[i]
    return pd.DataFrame(columns)


def _daily_frame(scenario, escalation, mix, threat, runs, names, rung_names, menus):
    R = escalation.shape[1]
    days = np.arange(scenario.horizon_days)
    quantiles = np.quantile(escalation, QUANTILES, axis=1)
    columns: dict[str, object] = {
        "day": days,
        "date": [scenario.start + dt.timedelta(days=int(d)) for d in days],
    }
    for q, values in zip(QUANTILES, quantiles, strict=True):
        columns[f"escalation_q{round(q * 100):02d}"] = values
    columns["escalation_mean"] = escalation.mean(axis=1, dtype=np.float64)
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
