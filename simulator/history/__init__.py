"""Observed-history files: the record of a real crisis that forecasts are scored against.

See history/README.md for the format and :mod:`simulator.history.loading` for the checks.
"""

from simulator.history.loading import DEFAULT_RUNGS, implied_outcome, load_history, validate_history
from simulator.history.schema import (
    OUTCOMES,
    History,
    HistoryError,
    HistoryEvent,
    Month,
)

__all__ = [
    "DEFAULT_RUNGS",
    "OUTCOMES",
    "History",
    "HistoryError",
    "HistoryEvent",
    "Month",
    "implied_outcome",
    "load_history",
    "validate_history",
]
