"""PNG figures of stored results.

A run's (:mod:`.run`), a sweep's (:mod:`.sweep`), scores against the record (:mod:`.scores`)
and a calibration's (:mod:`.calibration`). Figures read results folders through
:mod:`simulator.results` only; they never import or run the model, so any stored result can be
re-plotted later.
"""

from simulator.results.errors import ResultsError
from simulator.results.reader import load_run

from .escalation import plot_escalation_fan
from .run import PLOTS, write_all, write_folder_plots

__all__ = [
    "PLOTS",
    "ResultsError",
    "load_run",
    "plot_escalation_fan",
    "write_all",
    "write_folder_plots",
]
