"""The figures of a stored run: which PNG files ``escalation run`` and ``plot`` write.

Plots read only the files in the folder (manifest.json, runs.parquet, daily.parquet); they
never import or run the model, so any stored result can be re-plotted later.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path

from matplotlib.figure import Figure

from simulator.progress import SILENT, Progress
from simulator.results.layout import PLOTS as PLOTS_DIR
from simulator.results.reader import RunResults, load_run

from .actions import plot_action_mix
from .escalation import plot_escalation_fan
from .helper import Job
from .outcomes import plot_clash_probability, plot_outcomes
from .style import draw_figures, save, saving_jobs
from .threat import plot_threat_matrix

PlotFunction = Callable[[RunResults], Figure]

#: Every figure written by :func:`write_all`, as (file name, function building it).
PLOTS: list[tuple[str, PlotFunction]] = [
    ("escalation_fan.png", plot_escalation_fan),
    ("action_mix.png", plot_action_mix),
    ("outcomes.png", plot_outcomes),
    ("clash_probability.png", plot_clash_probability),
    ("threat_matrix.png", plot_threat_matrix),
]


def write_all(
    result_dir: Path, out_dir: Path | None = None, progress: Progress = SILENT
) -> list[Path]:
    """Write every figure in :data:`PLOTS` to ``result_dir/plots`` (or ``out_dir``).

    Returns the written paths in :data:`PLOTS` order. Raises ResultsError if the folder
    is missing a file or does not follow the results contract.
    """
    result_dir = Path(result_dir)
    res = load_run(result_dir)
    target = Path(out_dir) if out_dir is not None else result_dir / PLOTS_DIR
    figures = [(name, partial(build, res)) for name, build in PLOTS]
    return draw_figures(figures, target, progress, saver=save)


#: the figures of :data:`PLOTS`, costliest first (benchmarks/throughput.py draws each alone):
#: two processes taking them in turn finish at about the same time
DRAW_ORDER = (
    "action_mix.png",
    "threat_matrix.png",
    "escalation_fan.png",
    "clash_probability.png",
    "outcomes.png",
)


def run_jobs(result_dir: Path, out_dir: Path) -> list[Job]:
    """The figures of :data:`PLOTS` for a run folder, as jobs in :data:`DRAW_ORDER`.

    What ``escalation run``'s early helper draws (:class:`simulator.plots.helper.EarlyHelper`).
    """
    res = load_run(Path(result_dir))
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    plots = sorted(PLOTS, key=lambda plot: DRAW_ORDER.index(plot[0]))
    return saving_jobs([(out_dir / name, partial(plot, res)) for name, plot in plots], save)


def write_folder_plots(
    folder: Path, out_dir: Path | None = None, progress: Progress = SILENT
) -> list[Path]:
    """Every figure of a run or hindcast folder: a run's own, and its scores' where it has them.

    The figures of a scored folder (reliability, skill, PIT, and a hindcast's forecasts by
    origin) are drawn from its ``scores/``; a hindcast has no others.
    """
    from simulator.plots.scores import write_score_plots
    from simulator.results.layout import SCORES
    from simulator.results.manifest import read_manifest

    folder = Path(folder)
    target = Path(out_dir) if out_dir is not None else folder / PLOTS_DIR
    kind = read_manifest(folder)["kind"]
    written = write_all(folder, target, progress) if kind == "run" else []
    if kind == "hindcast" or (folder / SCORES).is_dir():
        written += write_score_plots(folder, target, progress)
    return written
