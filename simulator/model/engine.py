"""Which engine steps the model: the numpy reference, or the compiled kernels (numba).

Both give the same bytes (tests/test_engines.py). The compiled engine needs numba
(``pip install -e ".[compiled]"``); asking for it without numba is an error that says how to
install it. It compiles the decision step so far (:mod:`simulator.model.compiled`); until it
covers the whole day its gain does not repay numba's import for a default run, so the numpy
engine stays the default. The environment variable ``ESCALATION_ENGINE`` (``numpy`` or
``compiled``) sets the default for a process and the workers it starts.
"""

from __future__ import annotations

import importlib.util
import os

ENGINES = ("numpy", "compiled")
#: the environment variable that sets the default engine
ENV = "ESCALATION_ENGINE"
INSTALL_HINT = 'pip install -e ".[compiled]" (numba)'


class EngineError(ValueError):
    """An engine that does not exist or cannot run here."""


def compiled_available() -> bool:
    """Whether numba can be imported (without importing it)."""
    return importlib.util.find_spec("numba") is not None


def default_engine() -> str:
    """``ESCALATION_ENGINE`` if set, else the numpy engine."""
    chosen = os.environ.get(ENV, "").strip()
    if not chosen:
        return "numpy"
    try:
        return resolve_engine(chosen)
    except EngineError as err:
        raise EngineError(f"{ENV}={chosen}: {err}") from None


def resolve_engine(name: str | None) -> str:
    """The engine to use for ``name`` (None: the default); EngineError if it cannot run."""
    if name is None:
        return default_engine()
    if name not in ENGINES:
        raise EngineError(f"unknown engine {name!r}: choose one of {', '.join(ENGINES)}")
    if name == "compiled" and not compiled_available():
        raise EngineError(
            f"the compiled engine needs numba, which is not installed: {INSTALL_HINT}, "
            "or use the numpy engine (--engine numpy)"
        )
    return name
