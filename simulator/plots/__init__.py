"""PNG figures of stored results.

A run's (:mod:`.run`), a sweep's (:mod:`.sweep`), scores against the record (:mod:`.scores`)
and a calibration's (:mod:`.calibration`). Figures read results folders through
:mod:`simulator.results` only; they never import or run the model, so any stored result can be
re-plotted later.

The names below are loaded when first used, so that importing :mod:`.helper` (forked before a
run simulates) loads no matplotlib.
"""

from __future__ import annotations

import importlib
from typing import Any

#: name -> module (relative to this package) that defines it
_LAZY = {
    "PLOTS": ".run",
    "write_all": ".run",
    "write_folder_plots": ".run",
    "plot_escalation_fan": ".escalation",
    "load_run": "simulator.results.reader",
    "ResultsError": "simulator.results.errors",
}

__all__ = sorted(_LAZY)


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(_LAZY[name], __name__), name)
    globals()[name] = value
    return value
