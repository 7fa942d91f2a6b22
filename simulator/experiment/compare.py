"""``escalation compare``: two arms of a crisis, paired replicate by replicate.

Both arms run the same replicate indices with the same seed. Every draw comes from a stream keyed
by seed, replicate, day and purpose, so replicate k of arm A and of arm B face the same draws
wherever their paths agree: the difference between the arms is measured on pairs of worlds that
differ only by what the arms change. A paired interval for a difference in probabilities (Newcombe
1998) is then much narrower than the unpaired one for the same work, which the outcomes table
shows side by side.

The comparison folder holds each arm as a complete run folder (``a/``, ``b/``: ``escalation
trace DIR/a --replicate K`` replays any replicate of either) and the comparison's tables:
outcomes (ΔP per class, overall and per pair of actors, paired and unpaired intervals, McNemar),
transitions (replicates by class under A and under B), daily (cumulative P(clash) by day, its
paired difference and band), metrics (attacks, casualties, time to first clash) and changed
(the replicates whose class differs between the arms).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from simulator.experiment.limits import OptionError
from simulator.experiment.run import Figures, build_manifest, check_run_fits
from simulator.experiment.simulate import simulate
from simulator.model import OUTCOMES
from simulator.progress import SILENT, Progress
from simulator.results.layout import COMPARISON_TABLES, PLOTS
from simulator.results.manifest import new_manifest
from simulator.results.store import clean_litter, locked, prepare_target, write_atomic
from simulator.results.summary import militia_attacks
from simulator.results.tables import RunTables, write_manifest, write_run, write_table
from simulator.scenario import Scenario
from simulator.stats import (
    mcnemar_exact,
    newcombe_paired,
    newcombe_unpaired,
    paired_mean_difference,
)

#: "direct clash or war", the union most questions ask about
CLASH_OR_WAR = "clash_or_war"
ARMS = ("a", "b")


def check_comparable(a: Scenario, b: Scenario, labels: Sequence[str]) -> None:
    """Refuse two arms that are not the same crisis: OptionError naming every difference.

    A comparison is allowed where the arms differ in parameter values or events; not in their
    actors (names and types), ladder, start or horizon.
    """
    diffs = []
    if list(a.actors) != list(b.actors):
        diffs.append(f"actors ({', '.join(a.actors)} vs {', '.join(b.actors)})")
    else:
        kinds = [n for n in a.actors if a.actors[n].type != b.actors[n].type]
        if kinds:
            diffs.append(f"actor types of {', '.join(kinds)}")
    if [r.name for r in a.ladder] != [r.name for r in b.ladder]:
        diffs.append("ladders (rung names)")
    if a.start != b.start:
        diffs.append(f"start ({a.start} vs {b.start})")
    if a.horizon_days != b.horizon_days:
        diffs.append(f"horizon_days ({a.horizon_days} vs {b.horizon_days})")
    if diffs:
        raise OptionError(
            f"{labels[0]} and {labels[1]} are not two arms of one crisis: they differ in "
            f"{'; '.join(diffs)}. A comparison pairs replicates day by day, so the arms may differ "
            "only in parameter values and events."
        )


@dataclass(frozen=True)
class Comparison:
    """What :func:`compare` wrote and computed."""

    folder: Path
    manifest: dict[str, Any]
    tables: dict[str, pd.DataFrame]


def compare(
    a: Scenario,
    b: Scenario,
    folder: Path,
    *,
    labels: Sequence[str] = ("A", "B"),
    sources: Sequence[str] = ("", ""),
    command: str = "",
    replace: bool = False,
    figures: Figures | None = None,
    progress: Progress = SILENT,
) -> Comparison:
    """Run both arms on the same replicates and seed, and write the comparison folder at once.

    ``figures`` draws the comparison's figures into the staging folder before it is renamed.
    """
    check_comparable(a, b, labels)
    b = b.model_copy(update={"replicates": a.replicates, "seed": a.seed})
    for arm in (a, b):
        check_run_fits(arm)
    folder = Path(folder)
    manifest = new_manifest(
        "comparison",
        command,
        {
            "arms": [
                {"arm": arm, "label": label, "scenario_name": s.name, "scenario_file": src}
                for arm, label, s, src in zip(ARMS, labels, (a, b), sources, strict=True)
            ],
            "seed": a.seed,
            "replicates": a.replicates,
            "start": a.start.isoformat(),
            "horizon_days": a.horizon_days,
            "actors": [{"name": n, "type": s.type} for n, s in a.actors.items()],
            "outcome_classes": list(OUTCOMES),
        },
    )
    with locked(folder):
        prepare_target(folder, "comparison", replace)
        clean_litter(folder.parent, re.escape(folder.name))
        done: list[Comparison] = []

        def fill(tmp: Path) -> None:
            runs = []
            for arm, scenario, src in zip(ARMS, (a, b), sources, strict=True):
                run = simulate(scenario, progress=progress)
                (tmp / arm).mkdir()
                write_run(tmp / arm, build_manifest(scenario, src, command), run)
                runs.append(run)
            tables = comparison_tables(a, runs[0], runs[1])
            write_manifest(tmp, manifest)
            for name, table in tables.items():
                write_table(tmp / f"{name}.parquet", table, {"kind": name}, atomic=False)
            if figures is not None:
                figures(tmp, tmp / PLOTS, progress)
            done.append(Comparison(folder, manifest, tables))

        write_atomic(folder, fill)
    return done[0]


def comparison_tables(scenario: Scenario, a: RunTables, b: RunTables) -> dict[str, pd.DataFrame]:
    """Every table of a comparison from the two arms' run tables (same replicates, same order)."""
    ra, rb = a.runs, b.runs
    if not np.array_equal(ra["replicate"].to_numpy(), rb["replicate"].to_numpy()):
        raise ValueError("the arms' replicates differ; a comparison needs the same ones")
    tables = {
        "outcomes": outcome_table(ra, rb),
        "transitions": pd.crosstab(
            pd.Categorical(ra["outcome"], categories=OUTCOMES, ordered=True),
            pd.Categorical(rb["outcome"], categories=OUTCOMES, ordered=True),
            rownames=["a"],
            colnames=["b"],
            dropna=False,
        )
        .reset_index()
        .rename(columns=str),
        "daily": daily_table(scenario, ra, rb),
        "metrics": metric_table(scenario, ra, rb),
        "changed": changed_table(ra, rb),
    }
    if set(tables) != set(COMPARISON_TABLES):
        raise RuntimeError("the comparison's tables and results.layout disagree")
    return tables


def _events(runs: pd.DataFrame, column: str) -> dict[str, np.ndarray]:
    """Per outcome (and clash or war), whether it happened in each replicate.

    ``column`` holds each replicate's class (``outcome``, or a pair's).
    """
    classes = runs[column].to_numpy()
    out = {c: classes == c for c in OUTCOMES}
    out[CLASH_OR_WAR] = out["war"] | out["direct_clash"]
    return out


def _row(scope: str, outcome: str, ya: np.ndarray, yb: np.ndarray) -> dict[str, Any]:
    both = int((ya & yb).sum())
    only_a, only_b = int((ya & ~yb).sum()), int((~ya & yb).sum())
    neither = len(ya) - both - only_a - only_b
    delta, low, high = newcombe_paired(both, only_a, only_b, neither)
    _, u_low, u_high = newcombe_unpaired(int(ya.sum()), int(yb.sum()), len(ya))
    return {
        "scope": scope,
        "outcome": outcome,
        "p_a": float(ya.mean()),
        "p_b": float(yb.mean()),
        "delta": delta,
        "low": low,
        "high": high,
        "unpaired_low": u_low,
        "unpaired_high": u_high,
        "width_ratio": (high - low) / (u_high - u_low) if u_high > u_low else float("nan"),
        "both": both,
        "only_a": only_a,
        "only_b": only_b,
        "neither": neither,
        "mcnemar_p": mcnemar_exact(only_a, only_b),
    }


def outcome_table(ra: pd.DataFrame, rb: pd.DataFrame) -> pd.DataFrame:
    """ΔP per outcome class, overall and per pair of actors, with paired and unpaired intervals."""
    scopes = [("overall", "outcome")] + [
        (c.removeprefix("pair.").replace(".", "–"), c) for c in ra.columns if c.startswith("pair.")
    ]
    rows = []
    for scope, column in scopes:
        ea, eb = _events(ra, column), _events(rb, column)
        for outcome in (*OUTCOMES, CLASH_OR_WAR):
            rows.append(_row(scope, outcome, ea[outcome], eb[outcome]))
    return pd.DataFrame(rows)


def daily_table(scenario: Scenario, ra: pd.DataFrame, rb: pd.DataFrame) -> pd.DataFrame:
    """Cumulative P(direct clash) by day in each arm, the paired difference and its band."""
    days = np.arange(scenario.horizon_days)
    first_a = ra["first_direct_clash_day"].to_numpy(dtype=float, na_value=np.inf)
    first_b = rb["first_direct_clash_day"].to_numpy(dtype=float, na_value=np.inf)
    rows = []
    for d in days:
        ya, yb = first_a <= d, first_b <= d
        both, only_a, only_b = int((ya & yb).sum()), int((ya & ~yb).sum()), int((~ya & yb).sum())
        delta, low, high = newcombe_paired(both, only_a, only_b, len(ya) - both - only_a - only_b)
        rows.append(
            {
                "day": int(d),
                "date": scenario.start + dt.timedelta(days=int(d)),
                "p_clash_a": float(ya.mean()),
                "p_clash_b": float(yb.mean()),
                "delta": delta,
                "low": low,
                "high": high,
            }
        )
    return pd.DataFrame(rows)


def metric_table(scenario: Scenario, ra: pd.DataFrame, rb: pd.DataFrame) -> pd.DataFrame:
    """Mean differences in attacks, casualties and time to first clash, paired and unpaired."""
    actors = [{"name": n, "type": s.type} for n, s in scenario.actors.items()]
    months = scenario.horizon_days / 30.44
    values = {
        "attacks / month": (
            militia_attacks(ra, actors) / months,
            militia_attacks(rb, actors) / months,
        ),
        "casualties (all)": (
            ra.filter(like="casualties.").sum(axis=1).to_numpy(dtype=float),
            rb.filter(like="casualties.").sum(axis=1).to_numpy(dtype=float),
        ),
        # the day of the first direct clash; a replicate without one counts the horizon
        # (censored: the difference is a lower bound on the change in time to a clash)
        "first clash day": tuple(
            r["first_direct_clash_day"].to_numpy(dtype=float, na_value=scenario.horizon_days)
            for r in (ra, rb)
        ),
    }
    for name in scenario.actors:
        values[f"deaths, {name}"] = (
            ra[f"deaths.{name}"].to_numpy(dtype=float),
            rb[f"deaths.{name}"].to_numpy(dtype=float),
        )
    rows = []
    for name, (va, vb) in values.items():
        delta, low, high, unpaired = paired_mean_difference(va, vb)
        rows.append(
            {
                "metric": name,
                "mean_a": float(np.mean(va)),
                "mean_b": float(np.mean(vb)),
                "delta": delta,
                "low": low,
                "high": high,
                "unpaired_low": delta - unpaired,
                "unpaired_high": delta + unpaired,
            }
        )
    return pd.DataFrame(rows)


def changed_table(ra: pd.DataFrame, rb: pd.DataFrame) -> pd.DataFrame:
    """The replicates whose outcome class differs between the arms (to trace them)."""
    differ = ra["outcome"].to_numpy() != rb["outcome"].to_numpy()
    return pd.DataFrame(
        {
            "replicate": ra["replicate"].to_numpy()[differ],
            "outcome_a": ra["outcome"].to_numpy()[differ],
            "outcome_b": rb["outcome"].to_numpy()[differ],
        }
    )
