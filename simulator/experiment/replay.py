"""Recomputing one replicate of a stored run, day by day, from its manifest alone.

Every replicate draws from its own counter-based stream, so replicate ``k`` run on its own is the
same world as replicate ``k`` of the stored run; the trace checks that its outcome matches.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from simulator.experiment.simulate import release
from simulator.model import OUTCOME_LABELS, OUTCOMES, EscalationModel
from simulator.results.reader import ResultsError, load_run
from simulator.scenario import ScenarioError, validate_scenario

#: Perceived hostility below this is not worth a line in the trace.
NOTABLE = 0.05


@dataclass(frozen=True)
class Trace:
    """One replicate's days, its recomputed outcome and the stored one."""

    replicate: int
    scenario_name: str
    days: list[dict]
    outcome: str
    stored_outcome: str


def trace_replicate(result_dir: Path, replicate: int) -> Trace:
    """Recompute replicate ``replicate`` of the run stored in ``result_dir``."""
    results = load_run(result_dir)
    n = len(results.runs)
    if not 0 <= replicate < n:
        raise ResultsError(
            f"{result_dir}: --replicate {replicate} is out of range; this run has replicates "
            f"0 to {n - 1}."
        )
    source = str(Path(result_dir) / "manifest.json")
    try:
        scenario = validate_scenario(results.manifest["scenario"], source)
    except ScenarioError as err:
        raise ResultsError(f"{source}: the stored scenario is not valid: {err}") from None
    model = EscalationModel(scenario, replicates=1, first_replicate=replicate, trace=True)
    model.run()
    outcome = OUTCOMES[int(model.recorder.outcome_codes()[0])]
    days = model.tracer.days
    release(model)
    stored = results.runs.loc[results.runs["replicate"] == replicate, "outcome"].iloc[0]
    return Trace(replicate, scenario.name, days, outcome, str(stored))


def format_trace(trace: Trace, quiet_days: bool = False) -> list[str]:
    """Human-readable lines: one block per day with moves, readings, losses and red lines."""
    lines = [f"Scenario {trace.scenario_name}, replicate {trace.replicate}"]
    for day in trace.days:
        active = [m for m in day["moves"] if m["rung"] != "status_quo"]
        notable = [p for p in day["perceptions"] if abs(p["hostility"]) >= NOTABLE]
        if not (active or day["events"] or day["losses"] or day["red_lines"] or quiet_days):
            continue
        lines.append(
            f"\n{day['date']} (day {day['day']}) · escalation index {day['escalation']:.1f}"
        )
        lines += [f"  event: {label}" for label in day["events"]]
        for m in active:
            hit = f" — {m['casualties_caused']} casualties" if m["casualties_caused"] else ""
            lines.append(f"  {m['actor']}: {m['label']} → {m['target']}{hit}")
        quiet = [m["actor"] for m in day["moves"] if m["rung"] == "status_quo"]
        if quiet:
            lines.append(f"  status quo: {', '.join(quiet)}")
        for p in notable:
            blame = f", blamed on {p['blamed']}" if p["blamed"] != p["actor"] else ""
            lines.append(
                f"  {p['observer']} reads {p['actor']}'s move as hostility {p['hostility']:+.2f}"
                f"{blame}"
            )
        for actor, lost in day["losses"].items():
            lines.append(f"  losses: {actor} {lost}")
        for red in day["red_lines"]:
            lines.append(
                f"  RED LINE: {red['actor']} committed to {red['response']} "
                f"against {red['against']}"
            )
    lines.append(f"\nOutcome: {OUTCOME_LABELS[trace.outcome]}")
    if trace.outcome != trace.stored_outcome:
        lines.append(
            f"WARNING: the stored run recorded '{trace.stored_outcome}' for this replicate; the "
            "results folder was made by a different version of the model."
        )
    return lines
