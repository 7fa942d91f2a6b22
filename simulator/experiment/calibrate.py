"""``escalation calibrate``: fit the unsourced parameters to the record's calibration part.

A calibration is a sweep (any design; a Latin hypercube over each parameter's range is the
prior) of a scenario cut to end on the last day of the record's calibration part, run by the
sweep machinery (local pool or Dask, resumable). Each replicate is reduced to summary statistics
the record also gives (:data:`STATISTICS`); each design point to their means and variances.
Then:

- **ABC rejection** (:func:`simulator.calibration.rejection`): the ``accept`` share of points
  nearest the record, in distances scaled by each statistic's stated uncertainty, is the
  posterior sample;
- **history matching** (:func:`simulator.calibration.implausibility`): the points whose
  implausibility stays below 3 for every statistic, counting the record's uncertainty and the
  spread of a single history (one replicate's variance);
- **regimes**: the share of the posterior's replicates in the *runaway* regime (militia attacks
  above :data:`RUNAWAY_ATTACKS` a month, or extra state-on-state violence) against the *quiet*
  one, so a bimodal fit shows as such;
- a **calibrated scenario**: the base scenario with each parameter at its posterior median, and
  the median and 90 % credible interval of every parameter in its header.

Everything lands in the sweep folder's ``calibration/``, drawn from the stored chunks alone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import numpy as np
import pandas as pd
import yaml

from simulator.calibration import (
    POINT,
    Posterior,
    Statistic,
    implausibility,
    not_ruled_out,
    rejection,
)
from simulator.experiment.hindcast import known_before
from simulator.experiment.limits import OptionError
from simulator.experiment.score import check_split
from simulator.experiment.sweep_plan import SweepOptions, SweepPlan, design_from, plan_sweep
from simulator.experiment.units import point_scenario
from simulator.history import History
from simulator.results.chunks import chunk_checksums, read_chunk
from simulator.results.errors import ResultsError
from simulator.results.layout import CALIBRATION
from simulator.results.manifest import fingerprint, read_manifest
from simulator.results.store import locked
from simulator.results.summary import DAYS_PER_MONTH, militia_attacks
from simulator.results.tables import read_table, write_subfolder_tables
from simulator.scenario import Scenario, ScenarioError, load_scenario, scenario_data
from simulator.scenario.loading import load_sweep, parse_path, set_path
from simulator.scoring.score import history_focus
from simulator.scoring.windows import Ladder, Window, observed

#: a replicate with more militia attacks a month than this is in the runaway regime
RUNAWAY_ATTACKS = 10.0
#: default share of the design accepted into the posterior
DEFAULT_ACCEPT = 0.1
#: the uncertainty of "no state-on-state violence beyond the record's", as a share of
#: replicates: a point where a quarter of the replicates hold such violence is one unit away
EXTRA_VIOLENCE_SCALE = 0.25
#: the shortest calibration part whose statistics are worth fitting, in days
MIN_DAYS = 28
#: the file name of the calibrated scenario in calibration/
CALIBRATED = "calibrated.yaml"


@dataclass(frozen=True)
class Measure:
    """A summary statistic: per replicate from a sweep's rows, and what the record shows."""

    name: str
    label: str
    per_replicate: Callable[[pd.DataFrame, dict[str, Any], float], np.ndarray]


def _attacks(rows: pd.DataFrame, manifest: dict[str, Any], months: float) -> np.ndarray:
    return militia_attacks(rows, manifest["actors"]) / months


def _deaths(focus: str) -> Callable[[pd.DataFrame, dict[str, Any], float], np.ndarray]:
    def per_replicate(rows: pd.DataFrame, manifest: dict[str, Any], months: float) -> np.ndarray:
        return rows[f"deaths.{focus}"].to_numpy(dtype=float)

    return per_replicate


def _extra_violence(rows: pd.DataFrame, manifest: dict[str, Any], months: float) -> np.ndarray:
    return rows["outcome_chosen"].isin(["war", "direct_clash"]).to_numpy(dtype=float)


def measures(focus: str) -> list[Measure]:
    """The summary statistics of a calibration, in the order of its tables."""
    return [
        Measure("attacks_per_month", "Militia attacks a month", _attacks),
        Measure("focus_deaths", f"{focus} deaths", _deaths(focus)),
        Measure(
            "extra_state_violence",
            "Share with state-on-state violence beyond the record's",
            _extra_violence,
        ),
    ]


def observed_statistics(history: History, first: dt.date, last: dt.date) -> list[Statistic]:
    """What the record shows for the calibration part, with each statistic's uncertainty.

    Attacks a month: the record's best estimate, with half the width of its range as the
    uncertainty. Deaths of the focus actor: the count, with a Poisson spread. Extra
    state-on-state violence: none (the record's own is forced in the scenario), with
    :data:`EXTRA_VIOLENCE_SCALE`.
    """
    days = (last - first).days + 1
    window = Window(first, days, "calibration")
    focus = history_focus(history)
    # the ladder matters only for classes, not for counts: a stand-in that names no rung
    obs = observed(history, window, Ladder(frozenset(), frozenset(), history.actors), focus)
    months = days / DAYS_PER_MONTH
    attacks = obs["militia_attacks"] / months
    spread = (obs["militia_attacks_high"] - obs["militia_attacks_low"]) / 2 / months
    deaths = _record_deaths(history, first, last, focus)
    return [
        Statistic("attacks_per_month", attacks, max(spread, 0.25)),
        Statistic("focus_deaths", deaths, float(np.sqrt(max(deaths, 1.0)))),
        Statistic("extra_state_violence", 0.0, EXTRA_VIOLENCE_SCALE),
    ]


def _record_deaths(history: History, first: dt.date, last: dt.date, focus: str) -> float:
    ev = history.events_frame()
    dates = pd.to_datetime(ev["date"]).dt.date
    inside = ((dates >= first) & (dates <= last) & (ev["target"] == focus)).to_numpy()
    return float(ev.loc[inside, "deaths"].fillna(0).sum())


def point_statistics(folder: Path, plan: SweepPlan, focus: str) -> pd.DataFrame:
    """Per design point: the mean and variance over replicates of every statistic.

    Columns ``<name>`` (mean), ``<name>_var`` (variance of one replicate), ``runaway`` (share
    of replicates in the runaway regime) and ``replicates``; index: the design point.
    """
    manifest = plan.manifest
    sweep = fingerprint(manifest)
    months = int(manifest["horizon_days"]) / DAYS_PER_MONTH
    stored = chunk_checksums(folder)
    ms = measures(focus)
    n_points = int(manifest["points"])
    sums = np.zeros((n_points, len(ms)))
    squares = np.zeros((n_points, len(ms)))
    runaway = np.zeros(n_points)
    counts = np.zeros(n_points)
    for unit in plan.units():
        if unit.index not in stored:
            raise ResultsError(
                f"{folder}: unit {unit.index} has no rows; the sweep is not finished. Run "
                f"`escalation calibrate --resume {folder} --history …` to complete it."
            )
        rows = read_chunk(folder, unit, sweep)
        point = rows["point"].to_numpy()
        values = np.column_stack([m.per_replicate(rows, manifest, months) for m in ms])
        np.add.at(sums, point, values)
        np.add.at(squares, point, values**2)
        wild = (values[:, 0] > RUNAWAY_ATTACKS) | (values[:, 2] > 0)
        np.add.at(runaway, point, wild.astype(float))
        np.add.at(counts, point, 1.0)
    mean = sums / counts[:, None]
    var = (
        np.maximum(squares / counts[:, None] - mean**2, 0.0)
        * counts[:, None]
        / (np.maximum(counts[:, None] - 1, 1))
    )
    table = pd.DataFrame(mean, columns=[m.name for m in ms])
    for j, m in enumerate(ms):
        table[f"{m.name}_var"] = var[:, j]
    table["runaway"] = runaway / counts
    table["replicates"] = counts.astype(np.int64)
    table.index.name = POINT
    return table


@dataclass(frozen=True)
class Calibration:
    """What a calibration found."""

    folder: Path
    statistics: list[Statistic]
    points: pd.DataFrame  # design, point statistics, distance, implausibility, accepted
    posterior: Posterior
    summary: pd.DataFrame  # per parameter: prior range, posterior quantiles
    regimes: dict[str, float]
    not_ruled_out: float
    calibrated_file: Path


@dataclass(frozen=True)
class Cut:
    """The part of the record a calibration fits, and the scenario horizon that ends there."""

    first: dt.date
    last: dt.date
    horizon_days: int


def calibration_plan(
    options: SweepOptions, history: History, train_until: dt.date, command: str = ""
) -> SweepPlan:
    """The sweep of a calibration, cut at the end of the record's calibration part.

    The sweep ``options`` ask for, on their scenario as known on ``train_until``: no event,
    order or restraint window after it, and a horizon that ends that day.

    Raises OptionError when ``train_until`` leaves nothing of the record to hold out, or the
    scenario and the record share too few days for the summary statistics.
    """
    design, replicates, scenario, source = design_from(options)
    first = max(scenario.start, history.start)
    check_split(history, train_until)
    focus = history_focus(history)
    if focus not in scenario.actors:
        raise OptionError(
            f"{history.path or history.name}: the record counts the deaths of {focus!r}, an "
            f"actor the scenario {source} lacks (its actors: {', '.join(scenario.actors)})."
        )
    if train_until < first + dt.timedelta(days=MIN_DAYS - 1):
        raise OptionError(
            f"--train-until {train_until}: the scenario starts {scenario.start} and the record "
            f"{history.start}, so the calibration part would hold "
            f"{max((train_until - first).days + 1, 0)} days; its summary statistics need at "
            f"least {MIN_DAYS} days of both."
        )
    cut = known_before(scenario, train_until + dt.timedelta(days=1))
    return plan_sweep(cut, design, replicates, options.block, str(source), command)


def plan_window(plan: SweepPlan, history: History) -> Cut:
    """The calibration part of a (stored) calibration sweep: its scenario's days in the record."""
    start = dt.date.fromisoformat(str(plan.base["start"]))
    last = start + dt.timedelta(days=plan.horizon - 1)
    first = max(start, history.start)
    if last < first or last > history.end:
        raise OptionError(
            f"the calibration sweep runs {start} … {last}, which is not inside the record "
            f"{history.path or history.name} ({history.start} … {history.end})."
        )
    return Cut(first, last, plan.horizon)


def calibrate_sweep(
    folder: Path,
    plan: SweepPlan,
    history: History,
    accept: float = DEFAULT_ACCEPT,
) -> Calibration:
    """Turn a finished calibration sweep into a posterior; write ``calibration/``."""
    scenario_file = Path(str(plan.manifest.get("scenario_file", "")))
    cut = plan_window(plan, history)
    first, last = cut.first, cut.last
    focus = history_focus(history)
    stats = observed_statistics(history, first, last)
    table = point_statistics(folder, plan, focus)
    design = plan.design_table().set_index("point")
    params = design[list(plan.paths)]
    params.index.name = POINT
    post = rejection(params, table, stats, quantile=accept)
    names = [s.name for s in stats]
    spread = table[[f"{n}_var" for n in names]].set_axis(names, axis=1)  # one replicate's
    impl = implausibility(
        table[names],
        spread.div(table["replicates"], axis=0),  # of the point's mean
        stats,
        intrinsic_var=spread,  # the record is one history: it scatters as one replicate does
    )
    survivors = not_ruled_out(impl)
    points = pd.concat([params, table], axis=1)
    points["implausibility"] = impl["max"].to_numpy()
    points["not_ruled_out"] = survivors
    points["accepted"] = points.index.isin(post.params.index)
    ranges = {p["path"]: (float(p["low"]), float(p["high"])) for p in _parameters(plan)}
    q = post.quantiles((0.05, 0.5, 0.95)).to_numpy(dtype=float)  # rows: the levels
    summary = pd.DataFrame(
        {
            "parameter": list(plan.paths),
            "prior_low": [ranges[p][0] for p in plan.paths],
            "prior_high": [ranges[p][1] for p in plan.paths],
            "q05": q[0],
            "median": q[1],
            "q95": q[2],
        }
    )
    summary["width_share"] = (summary["q95"] - summary["q05"]) / (
        summary["prior_high"] - summary["prior_low"]
    )
    accepted = table.loc[post.params.index]
    share_runaway = float(np.average(accepted["runaway"], weights=post.weights))
    regimes = {"quiet": 1.0 - share_runaway, "runaway": share_runaway}
    statistics = pd.DataFrame(
        {
            "statistic": [s.name for s in stats],
            "observed": [s.observed for s in stats],
            "scale": [s.scale for s in stats],
            "posterior_mean": [
                float(np.average(accepted[s.name], weights=post.weights)) for s in stats
            ],
            "prior_mean": [float(table[s.name].mean()) for s in stats],
        }
    )
    text = calibrated_scenario(scenario_file, plan, summary, history, first, last, regimes)
    record = {
        "history": history.name,
        "calibration_first": first.isoformat(),
        "calibration_last": last.isoformat(),
        "accept": accept,
    }
    with locked(folder):

        def extra(tmp: Path) -> None:
            (tmp / CALIBRATED).write_text(text, encoding="utf-8")

        write_subfolder_tables(
            folder,
            CALIBRATION,
            "sweep",
            {
                "points": points.reset_index(),
                "posterior": summary,
                "statistics": statistics,
                "regimes": pd.DataFrame({"regime": list(regimes), "share": list(regimes.values())}),
            },
            record,
            extra=extra,
        )
    return Calibration(
        folder=folder,
        statistics=stats,
        points=points,
        posterior=post,
        summary=summary,
        regimes=regimes,
        not_ruled_out=float(survivors.mean()),
        calibrated_file=folder / CALIBRATION / CALIBRATED,
    )


def _parameters(plan: SweepPlan) -> list[dict[str, Any]]:
    params: list[dict[str, Any]] = plan.manifest["design"]["parameters"]
    out = []
    for p in params:
        values = plan.design_table()[p["path"]]
        low = p.get("low", p.get("lo", float(values.min())))
        high = p.get("high", p.get("hi", float(values.max())))
        out.append({"path": p["path"], "low": low, "high": high})
    return out


def calibrated_scenario(
    scenario_file: Path,
    plan: SweepPlan,
    summary: pd.DataFrame,
    history: History,
    first: dt.date,
    last: dt.date,
    regimes: dict[str, float],
) -> str:
    """The base scenario at the posterior medians, as YAML with the posterior in its header.

    The scenario is validated before it is returned (a median that breaks it is a bug).
    """
    try:  # the scenario as its file has it (the sweep's own copy is cut at the calibration's end)
        data = scenario_data(load_sweep(scenario_file)[0])
    except ScenarioError:  # moved or changed since: the sweep's copy, cut as it is
        data = dict(plan.base)
    data["name"] = f"{data['name']}_calibrated"
    for row in summary.itertuples():
        value = float(cast(float, row.median))
        set_path(data, parse_path(str(row.parameter)), round(value, 4), "posterior median")
    lines = [
        f"# {data['name']}: {scenario_file}",
        "# at the posterior medians of `escalation calibrate`, fitted to the record",
        f"# {history.name} from {first} to {last} (its calibration part; the later days were",
        "# not seen). Posterior (ABC rejection): median [90 % credible interval] (prior range):",
    ]
    for row in summary.itertuples():
        lines.append(
            f"#   {row.parameter}: {row.median:.4g} [{row.q05:.4g}, {row.q95:.4g}] "
            f"(prior {row.prior_low:.4g} … {row.prior_high:.4g})"
        )
    lines += [
        f"# Replicates of the posterior: quiet {regimes['quiet']:.0%}, runaway "
        f"{regimes['runaway']:.0%}. A median is one point of a posterior that may be wide",
        "# or bimodal: sweep over the intervals above rather than trusting it alone.",
    ]
    dumped: str = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    text = "\n".join(lines) + "\n" + dumped
    _check_scenario_text(text, scenario_file)
    return text


def _check_scenario_text(text: str, scenario_file: Path) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "calibrated.yaml"
        path.write_text(text, encoding="utf-8")
        try:
            load_scenario(path)
        except ScenarioError as err:  # pragma: no cover - a bug, not bad input
            raise RuntimeError(
                f"the calibrated scenario of {scenario_file} is invalid: {err}"
            ) from err


def posterior_scenarios(folder: Path, replicates: int) -> tuple[list[Scenario], dict[str, Any]]:
    """The posterior of a calibration as scenarios, to forecast with (the posterior predictive).

    One scenario per accepted design point: the calibrated scenario (the whole record, at the
    posterior medians) with that point's values, sharing ``replicates`` between them (at least
    one each). Also what the manifest of a forecast made from them should say of them.
    Raises ResultsError for a folder without a finished calibration.
    """
    folder = Path(folder)
    where = folder / CALIBRATION
    points = read_table(where / "points.parquet", ("point", "accepted"))
    accepted = points[points["accepted"].to_numpy(dtype=bool)]
    calibrated = where / CALIBRATED
    if not calibrated.is_file() or not len(accepted):
        raise ResultsError(
            f"{folder}: no finished calibration here ({calibrated} and accepted points in "
            f"{where / 'points.parquet'}); run `escalation calibrate` first."
        )
    base = scenario_data(load_scenario(calibrated))
    paths = tuple(str(p["path"]) for p in read_manifest(folder, "sweep")["design"]["parameters"])
    each = max(1, replicates // len(accepted))
    scenarios = []
    for record in accepted.to_dict("records"):
        values = tuple(float(record[p]) for p in paths)
        label = f"{calibrated}: posterior point {record['point']}"
        s = point_scenario(base, paths, values, label)
        scenarios.append(s.model_copy(update={"replicates": each}))
    return scenarios, {
        "calibration": str(folder),
        "points": [int(p) for p in accepted["point"]],
        "replicates_per_point": each,
    }


__all__ = [
    "CALIBRATED",
    "Calibration",
    "calibrate_sweep",
    "measures",
    "observed_statistics",
    "posterior_scenarios",
    "point_statistics",
]
