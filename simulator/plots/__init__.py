"""PNG figures of stored results: a run's (:mod:`.run`) and a sweep's (:mod:`.sweep`).

Figures read results folders through :mod:`simulator.results` only; they never import or run the
model, so any stored result can be re-plotted later.
"""

from simulator.results.errors import ResultsError
from simulator.results.reader import load_run

from .escalation import plot_escalation_fan
from .run import PLOTS, write_all

__all__ = ["PLOTS", "ResultsError", "load_run", "plot_escalation_fan", "write_all"]
