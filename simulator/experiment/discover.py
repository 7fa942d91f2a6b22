"""``escalation discover``: the conditions under which an outcome is likely (scenario discovery).

Over a finished sweep, a design point is *of interest* when its probability of the outcome (or
its mean of a metric) reaches ``threshold``. PRIM (Friedman & Fisher 1999, as used for scenario
discovery by Bryant & Lempert 2010) peels the parameter space down to boxes of ever higher density
of such points, at falling coverage; the trajectory is kept, and the chosen box (the highest
coverage at the wanted density, or by default the knee of the trajectory: the step farthest above
the line from "every point" to the densest box) is reported with each restriction's
quasi-p-value. CART gives a
second view of the same question as the leaves of a shallow tree, and extra-trees importances
score every swept parameter. Everything is read from the sweep's ``points.parquet`` and written
to its ``discovery/``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from simulator.discovery import Box, Trajectory, cart_boxes, feature_scores, prim
from simulator.experiment.limits import OptionError
from simulator.results.layout import DISCOVERY
from simulator.results.manifest import read_manifest
from simulator.results.points import read_points
from simulator.results.store import locked
from simulator.results.tables import write_subfolder_tables

#: without --threshold, the points in the top quarter of the outcome are of interest
DEFAULT_QUANTILE = 0.75


@dataclass(frozen=True)
class Discovery:
    """What scenario discovery found in a sweep."""

    folder: Path
    column: str
    threshold: float
    interesting: int
    points: int
    trajectory: Trajectory
    box: Box
    cart: pd.DataFrame
    features: pd.Series


def outcome_column(points: pd.DataFrame, outcome: str) -> str:
    """The points column of an outcome (``p_<class>``) or a metric (``mean_<metric>``)."""
    for column in (f"p_{outcome}", f"mean_{outcome}", outcome):
        if column in points and not column.endswith(("_low", "_high")):
            return column
    known = [
        c.removeprefix("p_").removeprefix("mean_")
        for c in points.columns
        if c.startswith(("p_", "mean_")) and not c.endswith(("_low", "_high"))
    ]
    raise OptionError(
        f"--outcome {outcome!r}: the sweep's points have no such column (outcomes and metrics: "
        f"{', '.join(known)})."
    )


def discover(
    folder: Path,
    outcome: str = "war",
    threshold: float | None = None,
    density: float | None = None,
) -> Discovery:
    """Scenario discovery over a finished sweep; write ``discovery/`` into it.

    Raises OptionError for a folder that is not a sweep, an unknown outcome, a threshold that
    leaves no point of interest (or no other), or a sweep with too few points.
    """
    folder = Path(folder)
    manifest = read_manifest(folder)
    if manifest["kind"] != "sweep":
        raise OptionError(
            f"{folder}: a {manifest['kind']} folder; `escalation discover` reads a sweep (many "
            "design points), not a single run."
        )
    points = read_points(folder, manifest)
    points = points[points["complete"].to_numpy(dtype=bool)]
    column = outcome_column(points, outcome)
    params = [str(p["path"]) for p in manifest["design"]["parameters"]]
    x = points[params].astype(float).reset_index(drop=True)
    value = points[column].to_numpy(dtype=float)
    cut = float(np.quantile(value, DEFAULT_QUANTILE)) if threshold is None else float(threshold)
    y = value >= cut if cut > 0 else value > 0
    if y.all() or not y.any():
        raise OptionError(
            f"--threshold {cut:.4g}: {'every' if y.all() else 'no'} design point reaches it "
            f"({column} runs {value.min():.4g} … {value.max():.4g}); choose a threshold inside."
        )
    if len(points) < 20:
        raise OptionError(f"{folder}: {len(points)} complete design points; discovery needs 20+.")
    trajectory = prim(x, y)
    try:
        box = trajectory.choose(min_density=density)
    except ValueError:
        raise OptionError(
            f"--density {density}: no box on the peeling trajectory is that dense (the densest: "
            f"{trajectory.steps['density'].max():.3g}); ask for less, or leave --density out "
            "for the knee of the trajectory."
        ) from None
    cart = cart_boxes(x, y)
    features = feature_scores(x, value)
    record = {"outcome": column, "threshold": cut}
    limits = box.limits.reset_index(names="parameter")
    limits["quasi_p"] = [box.quasi_p.get(p, np.nan) for p in limits["parameter"]]
    with locked(folder):
        write_subfolder_tables(
            folder,
            DISCOVERY,
            "sweep",
            {
                "trajectory": trajectory.steps,
                "box": limits,
                "cart": cart,
                "features": features.reset_index(),
            },
            record,
        )
    return Discovery(folder, column, cut, int(y.sum()), len(y), trajectory, box, cart, features)
