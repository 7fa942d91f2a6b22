"""Replaying one replicate of a stored run, day by day, from its manifest alone.

Every replicate draws from its own counter-based stream, so replicate ``k`` run on its own is the
same world as replicate ``k`` of the stored run; the trace checks that its outcome matches.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from simulator.experiment.simulate import release
from simulator.model import OUTCOME_LABELS, OUTCOMES, EscalationModel
from simulator.results.errors import ResultsError
from simulator.results.layout import MANIFEST
from simulator.results.reader import RunResults, load_run
from simulator.scenario import ScenarioError, validate_scenario


@dataclass(frozen=True)
class Trace:
    """One replicate's days, its recomputed outcome and the stored one; the model's labels."""

    replicate: int
    scenario_name: str
    days: list[dict[str, Any]]
    outcome: str
    stored_outcome: str
    outcome_labels: dict[str, str]


def trace_replicate(result_dir: Path, replicate: int) -> Trace:
    """Recompute replicate ``replicate`` (0-based) of the run stored in ``result_dir``."""
    return trace_stored(load_run(result_dir), replicate)


def trace_stored(results: RunResults, replicate: int) -> Trace:
    """Recompute replicate ``replicate`` of a run already read (one read for many traces)."""
    result_dir = results.path
    n = len(results.runs)
    if not 0 <= replicate < n:
        raise ResultsError(
            f"{result_dir}: --replicate {replicate} is out of range; this run has replicates "
            f"0 to {n - 1} (numbered from 0)."
        )
    source = str(Path(result_dir) / MANIFEST)
    try:
        scenario = validate_scenario(results.manifest["scenario"], source)
    except ScenarioError as err:
        raise ResultsError(f"{source}: the stored scenario is not valid: {err}") from None
    model = EscalationModel(scenario, replicates=1, first_replicate=replicate, trace=True)
    model.run()
    outcome = OUTCOMES[int(model.recorder.outcome_codes()[0])]
    if model.tracer is None:  # trace=True always makes a tracer: a model that ignored it
        raise ResultsError(f"{source}: the model kept no trace of replicate {replicate}.")
    days = model.tracer.days
    release(model)
    stored = results.runs.loc[results.runs["replicate"] == replicate, "outcome"].iloc[0]
    return Trace(replicate, scenario.name, days, outcome, str(stored), dict(OUTCOME_LABELS))
