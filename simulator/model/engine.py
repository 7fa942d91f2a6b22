"""Which engine steps the model: the numpy reference, or the compiled kernels (numba).

Both give the same bytes (tests/test_engines.py). The compiled engine needs numba
(``pip install -e ".[compiled]"``); asking for it without numba is an error that says how to
install it. It compiles most of the day so far (:mod:`simulator.model.compiled`), and a
process pays about 0.6 s to import numba and load its kernels, which a short run does not win
back.

So the default is ``auto``: a model runs on the numpy engine until the models this process has
built add up to :data:`REPAYS_AT` replicate-days, and on the compiled engine from then on when
numba is installed (at once if its kernels are already loaded), unless it is wider than
:data:`WIDEST` columns, where the kernels' memory costs more than their speed is worth. A
single run of 1,000 replicates stays on numpy, as do the 20,000-replicate chunks of a large
run; a sweep worker whose share of the sweep repays the kernels runs compiled from its first
unit (:func:`expect`). The environment variable ``ESCALATION_ENGINE`` (``auto``, ``numpy`` or
``compiled``) sets the choice for a process and the workers it starts.
"""

from __future__ import annotations

import importlib.util
import os
import sys

ENGINES = ("numpy", "compiled")
#: the default choice: each model's engine by the work this process has asked for
AUTO = "auto"
CHOICES = (AUTO, *ENGINES)
#: the environment variable that sets the choice
ENV = "ESCALATION_ENGINE"
INSTALL_HINT = 'pip install -e ".[compiled]" (numba)'
#: replicate-days from which the compiled engine repays its start: it saves about 1.6 µs a
#: replicate-day at 1,000 replicates and 0.8 µs in a sweep's units, against ~0.55 s to import
#: numba and load the kernels (benchmarks/throughput.py)
REPAYS_AT = 1_000_000
#: `auto` runs wider models on numpy: the kernels are still faster there (1.4x at 20,000
#: columns, 1.3x at 100,000), but numba and the loaded kernels add about 110 MB to the process,
#: which would take a 100,000-replicate run (chunks of 20,000) from about 365 MB to 475 MB,
#: over the 400 MB it is held to; ask for `compiled` to trade that memory for the speed
WIDEST = 10_000

_planned = 0  # replicate-days of every model this process has built: what `auto` goes by
_expected = 0  # replicate-days this process is told it will run (a sweep worker's share)


class EngineError(ValueError):
    """An engine that does not exist or cannot run here."""


def compiled_available() -> bool:
    """Whether numba can be imported (without importing it)."""
    return importlib.util.find_spec("numba") is not None


def default_engine() -> str:
    """``ESCALATION_ENGINE`` if set, else ``auto``."""
    chosen = os.environ.get(ENV, "").strip()
    if not chosen:
        return AUTO
    try:
        return resolve_engine(chosen)
    except EngineError as err:
        raise EngineError(f"{ENV}={chosen}: {err}") from None


def resolve_engine(name: str | None) -> str:
    """The choice ``name`` stands for (None: the default); EngineError if it cannot run."""
    if name is None:
        return default_engine()
    if name not in CHOICES:
        raise EngineError(f"unknown engine {name!r}: choose one of {', '.join(CHOICES)}")
    if name == "compiled" and not compiled_available():
        raise EngineError(
            f"the compiled engine needs numba, which is not installed: {INSTALL_HINT}, "
            "or use the numpy engine (--engine numpy)"
        )
    return name


def expect(work: int) -> None:
    """Tell ``auto`` that this process is to run about ``work`` replicate-days in all.

    A sweep tells each unit its worker's share of the sweep, so that a worker with work enough
    to repay the kernels runs its first unit compiled, not its fourth.
    """
    global _expected
    _expected = max(_expected, int(work))


def engine_for(name: str | None, work: int, columns: int) -> str:
    """The engine a new model runs on: ``work`` replicate-days over ``columns`` replicates.

    An engine named is that engine (``name`` as for the CLI). With ``auto``, the compiled
    engine for a model of at most :data:`WIDEST` columns once this process's models, this one
    included, add up to :data:`REPAYS_AT` replicate-days, or once it :func:`expect` s that much
    (or at once if its kernels are loaded already), when numba is installed; else numpy.
    """
    global _planned
    _planned += int(work)
    choice = resolve_engine(name)
    if choice != AUTO:
        return choice
    loaded = "simulator.model.compiled" in sys.modules
    repaid = loaded or max(_planned, _expected) >= REPAYS_AT
    if repaid and columns <= WIDEST and compiled_available():
        return "compiled"
    return "numpy"
