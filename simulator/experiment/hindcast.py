"""Rolling-origin hindcasts: forecasts from dates in the record, each from the state at its origin.

For each origin the scenario runs from its own start to the origin with its dated events applied
(the *spin-up*: forced historical moves, parameter changes, shocks) and none after, then on for
the longest lead; the forecast of a lead is what the replicates did in ``[origin, origin + lead)``.
Because every replicate draws from counter-based streams keyed by its index and day, the spin-up
of replicate k is the same world for every origin, exactly as if one run had been stopped at each
origin and continued without the later events.

The state at an origin is the model's own: threat, beliefs and grievance built up by the forced
record. Replicates whose spin-up already holds a state-on-state clash the record does not (an
unforced one) cannot be the world that stood at the origin, and are left out of the forecast
(:func:`simulator.scoring.windows.chosen_state_violence`); how many remain is reported.

The *start-up transient check*: the same forecast from a cold start at the origin (the scenario's
hand-set initial threats, grievances and beliefs, no spin-up). Where the two differ, hand-set
initial values dominate the short horizon.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from simulator.experiment.executors import Executor, InlineExecutor
from simulator.experiment.limits import OptionError
from simulator.experiment.run import Figures, ladder_entries, scenario_fields
from simulator.experiment.score import (
    Scores,
    check_split,
    compute_scores,
    history_record,
    write_scores,
)
from simulator.experiment.simulate import simulate
from simulator.history import History
from simulator.progress import SILENT, Progress
from simulator.results.layout import ENSEMBLES, PLOTS
from simulator.results.manifest import new_manifest
from simulator.results.store import clean_litter, locked, prepare_target, write_atomic
from simulator.results.tables import write_manifest, write_table
from simulator.scenario import Scenario, scenario_data
from simulator.scenario.schema import Actor
from simulator.scoring.score import history_focus
from simulator.scoring.windows import Ladder, Window, chosen_state_violence, simulated

#: how a forecast's world was set at its origin
SPUN_UP, COLD = "spun_up", "cold"
_RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2}):(\d{4}-\d{2}-\d{2}):(monthly|weekly|\d+d)$")


def parse_origins(text: str) -> list[dt.date]:
    """``START:END:monthly`` (or ``weekly``, ``14d``), or dates separated by commas."""
    text = text.strip()
    match = _RANGE.match(text)
    try:
        if match is None:
            dates = sorted({dt.date.fromisoformat(t.strip()) for t in text.split(",") if t.strip()})
        else:
            first, last, step = match.groups()
            dates = list(_steps(dt.date.fromisoformat(first), dt.date.fromisoformat(last), step))
    except ValueError as err:
        raise OptionError(
            f"--origins {text!r}: {err}; give START:END:monthly (or weekly, or Nd for every N "
            "days) with ISO dates, e.g. 2019-10-01:2021-01-01:monthly, or dates separated by "
            "commas."
        ) from None
    if not dates:
        raise OptionError(f"--origins {text!r}: no origin in that range.")
    return dates


def _steps(first: dt.date, last: dt.date, step: str) -> list[dt.date]:
    if last < first:
        raise ValueError(f"the end {last} is before the start {first}")
    out, day = [], first
    while day <= last:
        out.append(day)
        if step == "monthly":
            month = day.month % 12 + 1
            day = day.replace(year=day.year + (day.month == 12), month=month)
        else:
            day += dt.timedelta(days=7 if step == "weekly" else int(step[:-1]))
    return out


def parse_leads(text: str) -> list[int]:
    """Leads in days, separated by commas: ``30,60``."""
    try:
        leads = sorted({int(t) for t in text.split(",") if t.strip()})
    except ValueError:
        raise OptionError(
            f"--lead {text!r}: give whole numbers of days separated by commas, e.g. 30,60."
        ) from None
    if not leads or leads[0] < 1:
        raise OptionError(f"--lead {text!r}: every lead must be at least 1 day.")
    return leads


def origin_scenario(scenario: Scenario, origin: dt.date, days: int, cold: bool) -> Scenario:
    """The scenario that forecasts ``days`` from ``origin``.

    Spun up: from the scenario's start (or the origin, if the scenario starts later) with the
    events dated before the origin. Cold: from the origin, with no events.
    """
    start = origin if cold or scenario.start > origin else scenario.start
    known = known_before(scenario.model_copy(update={"start": start}), origin)
    events = [] if cold else [e for e in known.events if e.date >= start]
    return known.model_copy(update={"horizon_days": (origin - start).days + days, "events": events})


def known_before(scenario: Scenario, day: dt.date) -> Scenario:
    """The scenario as known on ``day``, with a horizon that ends the day before.

    Only its events, restraint windows and orders dated before ``day`` (at least one day).

    Used for every run that must not see the future: a hindcast's spin-up, a calibration cut at
    the end of the record's calibration part.
    """
    return scenario.model_copy(
        update={
            "horizon_days": max((day - scenario.start).days, 1),
            "events": [e for e in scenario.events if e.date < day],
            "actors": {name: _known_at(spec, day) for name, spec in scenario.actors.items()},
        }
    )


def _known_at(spec: Actor, origin: dt.date) -> Actor:
    """An actor without the restraint windows and orders that begin on or after ``origin``.

    They are dated decisions, like events: a forecast from the origin cannot know them.
    """
    update: dict[str, Any] = {
        "restraint": [w for w in spec.restraint if w.start is None or w.start < origin]
    }
    orders = getattr(spec, "orders", None)
    if orders is not None:
        update["orders"] = [o for o in orders if o.start is None or o.start < origin]
    return spec.model_copy(update=update)


def ensembles(
    scenarios: Sequence[Scenario],
    plan: Sequence[tuple[dt.date, Sequence[int]]],
    ladder: Ladder,
    focus: str,
    progress: Progress = SILENT,
    executor: Executor | None = None,
) -> pd.DataFrame:
    """Per origin, lead, start (spun up or cold) and replicate: the window's quantities.

    ``scenarios`` share the forecast: one scenario, or the points of a posterior (each runs
    its own replicates, numbered on from the previous one's, so the pooled ensemble is the
    posterior predictive). ``plan`` lists each origin with its leads. Columns: ``origin``,
    ``lead``, ``start`` (:data:`SPUN_UP` or :data:`COLD`), ``spin_up_days``, ``replicate``,
    ``kept`` (the spin-up agrees with the record; always true for a cold start) and
    :data:`~simulator.scoring.windows.QUANTITIES`. Each run is a task for ``executor``
    (default: one after the other in this process); the table does not depend on which.
    """
    tasks = []
    for origin, leads in plan:
        for start in (SPUN_UP, COLD):
            first = 0
            for scenario in scenarios:
                s = origin_scenario(scenario, origin, max(leads), cold=start == COLD)
                tasks.append((s, origin, tuple(leads), start, first, ladder, focus))
                first += scenario.replicates
    progress.phase(
        "hindcasting", sum(t[0].horizon_days * t[0].replicates for t in tasks), "replicate-days"
    )
    parts: list[pd.DataFrame] = []
    with executor or InlineExecutor() as pool:
        for frames, work in pool.run(_forecast, tasks):
            parts += frames
            progress.advance(work)
    out = pd.concat(parts, ignore_index=True)
    out["start"] = pd.Categorical(out["start"], categories=[SPUN_UP, COLD])
    return out.sort_values(["origin", "lead", "start", "replicate"], kind="stable").reset_index(
        drop=True
    )


def _forecast(
    s: Scenario,
    origin: dt.date,
    leads: Sequence[int],
    start: str,
    first: int,
    ladder: Ladder,
    focus: str,
) -> tuple[list[pd.DataFrame], int]:
    """One run's window quantities for each lead, and its replicate-days.

    Replicates are numbered from ``first``. A task of :func:`ensembles` (module level, so a
    process pool can run it).
    """
    tables = simulate(s, first_replicate=first)
    if tables.events is None:  # simulate's default event log is on
        raise RuntimeError("a hindcast run wrote no event log")
    replicates = tables.runs["replicate"].to_numpy()
    kept = ~chosen_state_violence(tables.events, replicates, s.start, origin, ladder)
    frames = []
    for lead in leads:
        frame = simulated(
            tables.events, replicates, s.start, Window(origin, lead, ""), ladder, focus
        )
        head = {
            "origin": origin,
            "lead": lead,
            "start": start,
            "spin_up_days": (origin - s.start).days,
            "replicate": replicates,
            "kept": kept,
        }
        frames.append(pd.concat([pd.DataFrame(head), frame], axis=1))
    return frames, s.horizon_days * s.replicates


def plan_windows(
    origins: Sequence[dt.date], leads: Sequence[int], first: dt.date, last: dt.date
) -> tuple[list[tuple[dt.date, list[int]]], list[str]]:
    """Each origin with the leads whose windows the record covers; notes on what is left out.

    A window must lie within the record ``[first, last]`` (the days after it are not scored,
    and may be reserved as an out-of-sample check). An origin before the record is an error,
    and so is a plan with no window left.
    """
    plan: list[tuple[dt.date, list[int]]] = []
    notes: list[str] = []
    end = last + dt.timedelta(days=1)
    for o in origins:
        if o < first or o > last:
            raise OptionError(f"--origins: {o} is outside the record, which runs {first} … {last}.")
        fit = [lead for lead in leads if o + dt.timedelta(days=lead) <= end]
        if len(fit) < len(leads):
            cut = ", ".join(f"{lead}" for lead in leads if lead not in fit)
            notes.append(f"{o}: lead {cut} d reaches past the record's end ({last}); not forecast")
        if fit:
            plan.append((o, fit))
    if not plan:
        raise OptionError(
            f"--lead: no window from these origins ends within the record (which ends {last}); "
            "use shorter leads or earlier origins."
        )
    return plan, notes


@dataclass(frozen=True)
class HindcastOutcome:
    """What :func:`run_hindcast` wrote."""

    folder: Path
    manifest: dict[str, Any]
    ensembles: pd.DataFrame
    scores: Scores


def run_hindcast(
    scenarios: Sequence[Scenario],
    history: History,
    folder: Path,
    origins: Sequence[dt.date],
    leads: Sequence[int],
    *,
    train_until: dt.date | None = None,
    scenario_file: str = "",
    posterior: dict[str, Any] | None = None,
    command: str = "",
    replace: bool = False,
    figures: Figures | None = None,
    progress: Progress = SILENT,
    executor: Executor | None = None,
) -> HindcastOutcome:
    """Run every origin's forecast, score it against ``history`` and write ``folder`` atomically.

    ``scenarios``: one scenario, or the points of a calibration's posterior (``posterior``
    says which, for the manifest), whose pooled replicates are the forecast. Refuses
    (OptionError, ScenarioError) before simulating: origins outside the record, leads that
    leave no window inside it, a scenario without the actor whose deaths the record counts.
    """
    folder = Path(folder)
    scenario = scenarios[0]
    focus = history_focus(history)
    if focus not in scenario.actors:
        raise OptionError(
            f"{history.path or history.name}: the record counts the deaths of {focus!r}, an "
            f"actor the scenario lacks (its actors: {', '.join(scenario.actors)})."
        )
    plan, notes = plan_windows(origins, leads, history.start, history.end)
    check_split(history, train_until)
    early = [o for o, _ in plan if o < scenario.start]
    if early:
        notes.append(
            f"{len(early)} origin(s) before the scenario's start ({scenario.start}) start cold: "
            "no record before them to spin up from, only the scenario's hand-set state"
        )
    manifest = new_manifest(
        "hindcast",
        command,
        {
            **scenario_fields(scenario),
            "scenario_file": scenario_file,
            "replicates": sum(s.replicates for s in scenarios),
            "ladder": ladder_entries(scenario),
            "posterior": posterior,
            "origins": [o.isoformat() for o, _ in plan],
            "leads": sorted({lead for _, ls in plan for lead in ls}),
            "plan": [[o.isoformat(), list(ls)] for o, ls in plan],
            "history": history_record(history),
            "train_until": train_until.isoformat() if train_until else None,
            "notes": notes,
            "scenario": scenario_data(scenario),
        },
    )
    ladder = Ladder.from_manifest(manifest)
    with locked(folder):
        prepare_target(folder, "hindcast", replace)
        clean_litter(folder.parent, re.escape(folder.name))
        done: list[HindcastOutcome] = []

        def fill(tmp: Path) -> None:
            ens = ensembles(scenarios, plan, ladder, focus, progress, executor)
            write_manifest(tmp, manifest)
            write_table(
                tmp / ENSEMBLES, ens, {"kind": "hindcast", "table": ENSEMBLES}, atomic=False
            )
            scores = compute_scores(
                folder, "hindcast", ens, history, ladder, train_until, tuple(notes)
            )
            write_scores(tmp, "hindcast", scores, history)
            if figures is not None:
                figures(tmp, tmp / PLOTS, progress)
            done.append(HindcastOutcome(folder, manifest, ens, scores))

        write_atomic(folder, fill)
    return done[0]
