"""PNG figures from a stored ``escalation run`` results folder.

Plots read only the files in the folder (manifest.json, runs.parquet, daily.parquet); they
never import or run the model, so any stored result can be re-plotted later.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from matplotlib.figure import Figure

from simulator.results.reader import ResultsError, RunResults, load_run
from simulator.stats import wilson_interval

from .actions import plot_action_mix
from .escalation import plot_escalation_fan
from .outcomes import plot_clash_probability, plot_outcomes
from .style import save
from .threat import plot_threat_matrix

__all__ = [
    "PLOTS",
    "ResultsError",
    "RunResults",
    "load_run",
    "plot_action_mix",
    "plot_clash_probability",
    "plot_escalation_fan",
    "plot_outcomes",
    "plot_threat_matrix",
    "wilson_interval",
    "write_all",
]

PlotFunction = Callable[[RunResults], Figure]

#: Every figure written by :func:`write_all`, as (file name, function building it).
PLOTS: list[tuple[str, PlotFunction]] = [
    ("escalation_fan.png", plot_escalation_fan),
    ("action_mix.png", plot_action_mix),
    ("outcomes.png", plot_outcomes),
    ("clash_probability.png", plot_clash_probability),
    ("threat_matrix.png", plot_threat_matrix),
]


def write_all(result_dir: Path, out_dir: Path | None = None) -> list[Path]:
    """Write every figure in :data:`PLOTS` to ``result_dir/plots`` (or ``out_dir``).

    Returns the written paths in :data:`PLOTS` order. Raises ResultsError if the folder
    is missing a file or does not follow the results contract.
    """
    result_dir = Path(result_dir)
    res = load_run(result_dir)
    target = Path(out_dir) if out_dir is not None else result_dir / "plots"
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for filename, build in PLOTS:
        written.append(save(build(res), target / filename))
    return written
