"""Helpers of the tests that hold two ways of running to the same bytes.

- :func:`vary` draws design points: a scenario with every number that stacked points may
  differ in (:mod:`simulator.model.points`) redrawn at random, a third of the draws at a bound;
- :func:`same_bytes` and :func:`same_tables` compare frames column by column, floats by their
  bits.
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pandas as pd

from simulator.model.points import ACTOR_FIELDS
from simulator.results.tables import RunTables

#: ranges to draw each number from (kept inside the schema's bounds)
DYNAMICS = {
    "memory": (0.6, 0.95),
    "threat_gain": (0.0, 0.4),
    "grievance_memory": (0.8, 0.99),
    "casualty_weight": (0.0, 0.5),
    "grievance_per_casualty": (0.0, 0.2),
    "satiation": (0.0, 0.5),
    "solidarity": (0.0, 1.0),
    "deterrence": (0.0, 2.0),
    "action_cost": (0.0, 6.0),
    "precision": (5.0, 40.0),
    "restraint_penalty": (0.0, 20.0),
    "commitment_pull": (0.0, 20.0),
    "belief_gain": (0.0, 1.0),
    "belief_weight": (0.0, 0.5),
    "type_change": (0.0, 0.05),
    "mimic_value": (0.0, 2.0),
    "war_weariness": (0.0, 0.05),
    "weariness_per_casualty": (0.0, 0.02),
    "weariness_memory": (0.9, 1.0),
    "ceasefire_days": (2, 14),
    "host_pressure": (0.0, 1.0),
    "reputation_weight": (1.0, 10.0),
}
PERCEPTION = {
    "offense_bias": (0.0, 2.0),
    "noise": (0.0, 1.0),
    "detection": (0.0, 1.0),
    "attribution": (0.0, 1.0),
    "prior_hostile": (0.05, 0.95),
    "credibility": (0.0, 1.0),
    "resolve_estimate": (0.0, 1.0),
    "capability_estimate": (0.0, 1.0),
}
ACTOR = {name: (0.0, 1.0) for name in ACTOR_FIELDS} | {"rationality": (0.0, 4.0)}


def _draw(rng: np.random.Generator, bounds: tuple[float, float]) -> float | int:
    low, high = bounds
    if isinstance(low, int) and isinstance(high, int):
        return int(rng.integers(low, high + 1))
    # a third of the draws hit a bound, where branches switch on and off (0, 1, no bias)
    if rng.random() < 0.3:
        return float(low if rng.random() < 0.5 else high)
    return float(rng.uniform(low, high))


def vary(data: dict[str, Any], rng: np.random.Generator) -> dict[str, Any]:
    """A design point: the scenario's data with each stackable number redrawn half the time."""
    out = copy.deepcopy(data)
    dynamics = out.setdefault("dynamics", {})
    for name, bounds in DYNAMICS.items():
        if rng.random() < 0.5:
            dynamics[name] = _draw(rng, bounds)
    if rng.random() < 0.5:
        out["rationality"] = _draw(rng, (0.0, 4.0))
    for spec in out["actors"].values():
        for name, bounds in ACTOR.items():
            if name == "security" and spec["type"] != "host":
                continue
            if name == "control" and spec["type"] != "militia":
                continue
            if rng.random() < 0.5:
                spec[name] = _draw(rng, bounds)
        for other in list(spec.get("initial_threat", {})):
            if rng.random() < 0.5:
                spec["initial_threat"][other] = _draw(rng, (0.0, 2.0))
    names = list(out["actors"])
    table = out.setdefault("perception", {}) or {}
    out["perception"] = table
    for observer in names:  # every pair gets a patch, some numbers of it drawn
        row = table.setdefault(observer, {}) or {}
        table[observer] = row
        for actor in names:
            if actor == observer:
                continue
            patch = row.setdefault(actor, {}) or {}
            row[actor] = patch
            for name, bounds in PERCEPTION.items():
                if rng.random() < 0.3:
                    patch[name] = _draw(rng, bounds)
    return out


def same_bytes(a: pd.DataFrame, b: pd.DataFrame, what: str) -> None:
    """Frames equal column for column, floats compared by their bits (0.0 is not -0.0)."""
    assert list(a.columns) == list(b.columns), what
    assert len(a) == len(b), what
    for name in a.columns:
        x, y = a[name].to_numpy(), b[name].to_numpy()
        if x.dtype.kind == "f":
            assert x.tobytes() == y.tobytes(), f"{what}: column {name} differs"
        else:
            pd.testing.assert_series_equal(a[name], b[name], check_exact=True, obj=what)


def same_tables(a: RunTables, b: RunTables, what: str) -> None:
    same_bytes(a.runs, b.runs, f"{what} runs")
    same_bytes(a.daily, b.daily, f"{what} daily")
    assert (a.events is None) == (b.events is None)
    if a.events is not None and b.events is not None:
        same_bytes(a.events, b.events, f"{what} events")
