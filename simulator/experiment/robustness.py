"""``escalation robustness``: which policy holds up across what nobody knows.

A grid sweep whose parameters are split into *levers* (what an actor controls: a red line's delay,
an order of restraint, a deployment) and *uncertainties* (what nobody knows: offense bias,
control, rationality). For every lever setting, across the uncertainty points: the mean
probability of the outcome, its worst case, and the *regret* — how much worse the setting does at
each uncertainty point than the best setting there (Savage 1951; the robust decision making of
Lempert, Popper & Bankes 2003) — its mean, its maximum, and how often the setting was the best.

Read from the sweep's ``points.parquet`` alone; written to the sweep's ``robustness/``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from simulator.experiment.limits import OptionError
from simulator.results.layout import ROBUSTNESS
from simulator.results.manifest import read_manifest
from simulator.results.points import read_points
from simulator.results.store import locked
from simulator.results.tables import write_subfolder_tables

#: outcomes a policy wants more of; for every other outcome, less is better
HIGHER_IS_BETTER = ("de_escalated",)


@dataclass(frozen=True)
class Robustness:
    """Per lever setting, the outcome across the uncertainties; and the regret at each point."""

    folder: Path
    outcome: str
    levers: tuple[str, ...]
    uncertainties: tuple[str, ...]
    higher_is_better: bool
    summary: pd.DataFrame
    regret: pd.DataFrame


def robustness(folder: Path, levers: Sequence[str], outcome: str = "clash_or_war") -> Robustness:
    """Summarise a finished grid sweep by lever setting; write ``robustness/`` into it.

    ``levers``: the lever paths; none given, those the sweep file tagged (``levers:``).

    Raises OptionError for a lever that is not swept, no uncertainty left, an unknown outcome,
    or a design where lever settings and uncertainty points do not all meet (not a grid).
    """
    folder = Path(folder)
    manifest = read_manifest(folder, "sweep")
    points = read_points(folder, manifest)
    swept = [str(p["path"]) for p in manifest["design"]["parameters"]]
    levers = list(levers) or [str(x) for x in manifest["design"].get("levers", ())]
    unknown = [lever for lever in levers if lever not in swept]
    if unknown or not levers:
        raise OptionError(
            f"--lever {', '.join(unknown) or '(none given, and the sweep tags none)'}: a lever "
            f"must be one of the sweep's parameters ({', '.join(swept)})."
        )
    uncertainties = [p for p in swept if p not in levers]
    if not uncertainties:
        raise OptionError(
            "every swept parameter is a lever: there is no uncertainty to be robust against; "
            "leave at least one parameter out of --lever."
        )
    if manifest["design"]["kind"] != "grid":
        raise OptionError(
            f"{folder}: a {manifest['design']['kind']} design; robustness needs a grid, where "
            "every lever setting meets every uncertainty point."
        )
    column = f"p_{outcome}"
    if column not in points:
        known = sorted(c.removeprefix("p_") for c in points.columns if c.startswith("p_"))
        known = [c for c in known if not c.endswith(("_low", "_high"))]
        raise OptionError(
            f"--outcome {outcome!r}: not an outcome of the sweep ({', '.join(known)})."
        )
    complete = points[points["complete"].to_numpy(dtype=bool)]
    higher = outcome in HIGHER_IS_BETTER
    summary, long = regret_tables(complete, list(levers), uncertainties, column, higher)
    with locked(folder):
        write_subfolder_tables(
            folder,
            ROBUSTNESS,
            "sweep",
            {"summary": summary, "regret": long},
            {"outcome": outcome, "levers": list(levers)},
        )
    return Robustness(folder, outcome, tuple(levers), tuple(uncertainties), higher, summary, long)


def regret_tables(
    points: pd.DataFrame,
    levers: Sequence[str],
    uncertainties: Sequence[str],
    column: str,
    higher: bool,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per lever setting: mean, worst, mean and max regret, share best; and the regret per point.

    ``points``: one row per design point with the lever and uncertainty columns and ``column``
    (the outcome's probability). Raises OptionError when a lever setting misses an uncertainty
    point (not a full grid).
    """
    table = points.pivot_table(index=list(uncertainties), columns=list(levers), values=column)
    if table.isna().to_numpy().any():
        raise OptionError(
            "some lever settings miss some uncertainty points (an unfinished sweep, or not a "
            "grid); run `escalation sweep --resume` first."
        )
    values = table.to_numpy()
    best = values.max(axis=1) if higher else values.min(axis=1)
    regret = (best[:, None] - values) if higher else (values - best[:, None])
    summary = table.columns.to_frame(index=False).assign(
        mean=values.mean(axis=0),
        worst=values.min(axis=0) if higher else values.max(axis=0),
        mean_regret=regret.mean(axis=0),
        max_regret=regret.max(axis=0),
        best_share=np.isclose(regret, 0.0).mean(axis=0),
        uncertainty_points=len(table),
    )
    summary = summary.sort_values(["max_regret", "mean_regret"], kind="stable")
    long = pd.DataFrame(
        [
            {
                **dict(zip(uncertainties, _tuple(u), strict=True)),
                **dict(zip(levers, _tuple(lev), strict=True)),
                column: values[i, j],
                "regret": regret[i, j],
            }
            for i, u in enumerate(table.index)
            for j, lev in enumerate(table.columns)
        ]
    )
    return summary.reset_index(drop=True), long


def _tuple(key: object) -> tuple[object, ...]:
    """A pivot table's row or column key as a tuple (a single level gives a scalar)."""
    return key if isinstance(key, tuple) else (key,)
