"""Scoring forecasts against the record: one row per window and forecaster, and the skill table.

Input is a table of window quantities per replicate (:func:`simulator.experiment.hindcast.ensembles`
for a hindcast, :func:`run_ensembles` for a stored run), the record, and the run's ladder. Output:

- :func:`score_windows`: per window (origin, lead) and forecaster (the model spun up from the
  record, the model from a cold start, climatology, persistence), what the record shows and
  every score of :func:`simulator.scoring.forecasts.score`;
- :func:`skill_table`: per part of the record (calibration / held out), lead and score, the mean
  score of each forecaster and the model's skill against each reference, ``1 − S/S_ref``,
  averaged over the windows where every forecaster has a forecast;
- :func:`reliability`: forecast probability against observed frequency for the binary events,
  binned, with the count of windows in each bin.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import pandas as pd

from simulator.scoring import rules
from simulator.scoring.forecasts import (
    CLIMATOLOGY,
    COLD_START,
    EVENTS,
    MODEL,
    PERSISTENCE,
    Prediction,
    climatology,
    from_ensemble,
    persistence,
    score,
)
from simulator.scoring.windows import (
    QUANTITIES,
    Ladder,
    Window,
    lag_column,
    observed,
    observed_lags,
    pair_column,
    simulated,
    state_pairs,
    states_of,
)

if TYPE_CHECKING:
    from simulator.history import History

#: the forecasters, in the order tables list them
FORECASTERS = (MODEL, COLD_START, CLIMATOLOGY, PERSISTENCE)
#: scores averaged in the skill table (lower is better for all)
SKILL_SCORES = (
    "rps",
    "brier_classes",
    "log_classes",
    "brier_state_violence",
    "log_state_violence",
    "brier_deaths_any",
    "brier_attacks_at_least",
    "crps_attacks",
    "log_attacks",
    "crps_deaths",
    "log_deaths",
)
#: the seed of the stream that randomises the PIT of counts
PIT_SEED = 20_210_120
#: "at least k militia attacks" uses k = this many per 30 days, scaled to the lead
ATTACKS_PER_30_DAYS = 3
CALIBRATION, HELD_OUT, WHOLE = "calibration", "held_out", "whole_record"


def attack_threshold(days: int, per_30_days: int = ATTACKS_PER_30_DAYS) -> int:
    """The ``k`` of "at least k militia attacks" for a window of ``days``."""
    return max(1, round(per_30_days * days / 30))


def reference_rates(history: History, until: dt.date | None) -> tuple[float, float]:
    """Militia attacks per day, and the focus actor's deaths per attack, over the record.

    ``until``: only the months that end by this date (the calibration part) — a climatology
    must not know the period it is scored on.
    """
    months = history.months_frame()
    if until is not None:
        pairs = zip(months["month"], months["days"], strict=True)
        ends = [m + dt.timedelta(days=int(d)) for m, d in pairs]
        months = months[[e <= until + dt.timedelta(days=1) for e in ends]]
    attacks = float(months["militia_attacks"].sum())
    days = float(months["days"].sum())
    if days == 0:
        raise ValueError("the record's reference period holds no whole month")
    return attacks / days, 0.0 if attacks == 0 else _deaths(history, until) / attacks


def _deaths(history: History, until: dt.date | None) -> float:
    ev = history.events_frame()
    focus_deaths = ev["deaths"].fillna(0).to_numpy(dtype=float)
    keep = np.ones(len(ev), dtype=bool) if until is None else (ev["date"] <= until).to_numpy()
    return float(focus_deaths[keep & (ev["target"] == history_focus(history)).to_numpy()].sum())


def history_focus(history: History) -> str:
    """The actor whose deaths the record counts: the first state it lists."""
    return next(name for name, kind in history.actors.items() if kind == "state")


def part_of(window: Window, train_until: dt.date | None) -> str:
    """Which part of the record a window belongs to."""
    if train_until is None:
        return WHOLE
    return CALIBRATION if window.end <= train_until + dt.timedelta(days=1) else HELD_OUT


def score_windows(
    ens: pd.DataFrame,
    history: History,
    ladder: Ladder,
    *,
    train_until: dt.date | None = None,
    per_30_days: int = ATTACKS_PER_30_DAYS,
) -> pd.DataFrame:
    """Every forecaster's scores for every window of ``ens`` (see the module docstring).

    ``ens`` has columns ``origin``, ``lead``, ``start`` (``spun_up``/``cold``), ``kept`` and
    the window quantities, one row per replicate.
    """
    focus = history_focus(history)
    rate, per_attack = reference_rates(history, train_until)
    replicates = int(ens.groupby(["origin", "lead", "start"], observed=True).size().max())
    floor = 1.0 / (2 * replicates)
    rng = np.random.default_rng(PIT_SEED)
    rows: list[dict[str, Any]] = []
    for key, group in ens.groupby(["origin", "lead"], sort=True, observed=True):
        origin, lead = _origin_lead(key)
        window = Window(origin, lead, f"{origin}+{lead}d")
        obs = observed(history, window, ladder, focus)
        k = attack_threshold(window.days, per_30_days)
        spun = group[(group["start"] == "spun_up").to_numpy() & group["kept"].to_numpy()]
        cold = group[(group["start"] == "cold").to_numpy()]
        preds: dict[str, Prediction] = {}
        if len(spun):
            preds[MODEL] = from_ensemble(spun, k)
        if len(cold):
            preds[COLD_START] = from_ensemble(cold, k)
        preds[CLIMATOLOGY] = climatology(rate, per_attack, window.days, k)
        before = Window(window.first - dt.timedelta(days=window.days), window.days, "")
        if before.first >= history.start:
            preds[PERSISTENCE] = persistence(observed(history, before, ladder, focus), k)
        for name, pred in preds.items():
            row: dict[str, Any] = {
                "origin": origin,
                "lead": int(lead),
                "part": part_of(window, train_until),
                "forecaster": name,
                "replicates": len(spun)
                if name == MODEL
                else len(cold)
                if name == COLD_START
                else 0,
                "k_attacks": k,
            }
            row.update({f"obs_{q}": v for q, v in obs.items()})
            row.update(score(pred, obs, k, floor, rng))
            if name in (MODEL, COLD_START):
                row.update(_pair_scores(spun if name == MODEL else cold, obs, ladder, floor))
            rows.append(row)
    return pd.DataFrame(rows)


def _origin_lead(key: object) -> tuple[dt.date, int]:
    """A group's (origin, lead) key, typed."""
    origin, lead = cast(tuple[dt.date, int], key)
    return origin, int(lead)


def _pair_scores(
    ens: pd.DataFrame, obs: Mapping[str, float], ladder: Ladder, floor: float
) -> dict[str, float]:
    """RPS and multi-class Brier of each pair of states' class (pairs the record names)."""
    out: dict[str, float] = {}
    for a, b in state_pairs(ladder):
        column = pair_column(a, b)
        if column not in obs or column not in ens:
            continue
        p = np.bincount(ens[column].to_numpy(dtype=np.int64), minlength=4) / len(ens)
        y = int(obs[column])
        out[f"rps_{column}"] = float(rules.rps(p, y))
        out[f"brier_{column}"] = float(rules.brier_multiclass(p, y))
    return out


def skill_table(scores: pd.DataFrame) -> pd.DataFrame:
    """Per part, lead and score: each forecaster's mean, and the model's skill vs references.

    Means are over the windows where the model, climatology and persistence all have a
    forecast, so that each skill compares the same windows.
    """
    rows = []
    common = scores.groupby(["origin", "lead"])["forecaster"].transform(
        lambda f: {MODEL, CLIMATOLOGY, PERSISTENCE} <= set(f)
    )
    both = scores[common.astype(bool)]
    for key, group in both.groupby(["part", "lead"], sort=True):
        part, lead = cast(tuple[str, int], key)
        for metric in SKILL_SCORES:
            means = group.groupby("forecaster")[metric].mean()
            row: dict[str, Any] = {
                "part": part,
                "lead": int(lead),
                "score": metric,
                "windows": int((group["forecaster"] == MODEL).sum()),
            }
            for name in FORECASTERS:
                row[name] = float(means.get(name, math.nan))
            for ref in (CLIMATOLOGY, PERSISTENCE):
                row[f"skill_vs_{ref}"] = _skill(row[MODEL], row[ref])
            row["skill_cold_vs_climatology"] = _skill(row[COLD_START], row[CLIMATOLOGY])
            rows.append(row)
    return pd.DataFrame(rows)


def _skill(value: float, reference: float) -> float:
    if math.isnan(value) or math.isnan(reference) or reference == 0:
        return math.nan
    return 1.0 - value / reference


def coverage_table(scores: pd.DataFrame) -> pd.DataFrame:
    """Per part, lead and forecaster: how often the record fell in the 50 % and 90 % intervals."""
    cols = [c for c in scores.columns if c.startswith(("in50_", "in90_"))]
    return (
        scores.groupby(["part", "lead", "forecaster"], sort=True)[cols]
        .mean()
        .reset_index()
        .assign(windows=scores.groupby(["part", "lead", "forecaster"]).size().to_numpy())
    )


def reliability(scores: pd.DataFrame, forecaster: str = MODEL, bins: int = 5) -> pd.DataFrame:
    """Forecast probability vs observed frequency of each binary event, in equal-width bins.

    One row per event and non-empty bin: the bin's range, the windows in it, the mean forecast
    probability and the observed frequency.
    """
    observed_event = {
        "state_violence": lambda s: s["obs_state_violence"] > 0,
        "deaths_any": lambda s: s["obs_deaths"] > 0,
        "attacks_at_least": lambda s: s["obs_militia_attacks"] >= s["k_attacks"],
    }
    mine = scores[scores["forecaster"] == forecaster]
    edges = np.linspace(0.0, 1.0, bins + 1)
    rows = []
    for event in EVENTS:
        p = mine[f"p_{event}"].to_numpy(dtype=float)
        y = observed_event[event](mine).to_numpy(dtype=float)
        which = np.clip(np.digitize(p, edges[1:-1]), 0, bins - 1)
        for b in range(bins):
            sel = which == b
            if sel.any():
                rows.append(
                    {
                        "event": event,
                        "bin_low": edges[b],
                        "bin_high": edges[b + 1],
                        "windows": int(sel.sum()),
                        "forecast": float(p[sel].mean()),
                        "observed": float(y[sel].mean()),
                    }
                )
    return pd.DataFrame(rows)


def lag_scores(
    ens: pd.DataFrame, history: History, ladder: Ladder, rng_seed: int = PIT_SEED
) -> pd.DataFrame:
    """Each response lag of the record scored against the model's pooled lags.

    For every lethal attack on a state in the record, the days until that state's next violent
    move (K-1 → the US strikes two days later, …), scored by CRPS, log score and PIT against the
    lags of every lethal attack on the same state in the model's windows (spun-up, kept
    replicates, shortest lead; answered ones). ``answered`` is the share of the model's lethal
    attacks on the state that the state answered at all. No reference forecast: the record has
    too few lags to make a climatology of them.
    """
    observed_rows = observed_lags(history, ladder, states_of(ladder))
    observed_rows = observed_rows[observed_rows["lag"].notna()]
    shortest = ens[(ens["lead"] == ens["lead"].min()).to_numpy()]
    spun = shortest[(shortest["start"] == "spun_up").to_numpy() & shortest["kept"].to_numpy()]
    rng = np.random.default_rng(rng_seed)
    rows = []
    for victim, date, lag in zip(
        observed_rows["victim"], observed_rows["date"], observed_rows["lag"], strict=True
    ):
        column = lag_column(str(victim))
        if column not in spun:
            continue
        lags = spun[column].to_numpy(dtype=float)
        attacked = lags[~np.isnan(lags)]
        answered = attacked[attacked >= 0]
        row: dict[str, Any] = {
            "victim": victim,
            "date": date,
            "observed_lag": float(lag),
            "model_attacks": len(attacked),
            "answered": len(answered) / len(attacked) if len(attacked) else math.nan,
        }
        if len(answered):
            y = float(lag)
            row.update(
                {
                    "mean_lag": float(answered.mean()),
                    "crps": float(rules.crps_ensemble(y, answered)),
                    "log": float(rules.log_score(y, answered, floor=1 / (2 * len(answered)))),
                    "pit": float(rules.pit(y, answered, rng)),
                }
            )
        rows.append(row)
    columns = ["victim", "date", "observed_lag", "model_attacks", "answered"]
    return pd.DataFrame(rows, columns=[*columns, "mean_lag", "crps", "log", "pit"])


def transient_table(ens: pd.DataFrame) -> pd.DataFrame:
    """The start-up transient check: per origin and lead, the spun-up forecast vs a cold start.

    A cold start sets the world at the origin by hand (the scenario's initial threats,
    grievances and beliefs); a spun-up one lets the forced record build it. Where the two
    forecasts differ, the hand-set values dominate the horizon. Columns: ``spin_up_days``,
    ``kept`` (share of spun-up replicates whose past agrees with the record), the mean militia
    attacks and the probability of state-on-state violence of each start, and the differences.
    """
    rows = []
    for key, g in ens.groupby(["origin", "lead"], sort=True, observed=True):
        origin, lead = _origin_lead(key)
        spun = g[(g["start"] == "spun_up").to_numpy()]
        cold = g[(g["start"] == "cold").to_numpy()]
        if not len(spun) or not len(cold):
            continue
        kept = spun[spun["kept"].to_numpy()]
        attacks = float(kept["militia_attacks"].mean()), float(cold["militia_attacks"].mean())
        state = float(kept["state_violence"].mean()), float(cold["state_violence"].mean())
        rows.append(
            {
                "origin": origin,
                "lead": lead,
                "spin_up_days": int(spun["spin_up_days"].iloc[0]),
                "kept": float(spun["kept"].mean()),
                "attacks_spun_up": attacks[0],
                "attacks_cold": attacks[1],
                "attacks_difference": attacks[1] - attacks[0],
                "p_state_violence_spun_up": state[0],
                "p_state_violence_cold": state[1],
                "p_state_violence_difference": state[1] - state[0],
            }
        )
    return pd.DataFrame(rows)


def run_windows(start: dt.date, days: int, history: History) -> list[Window]:
    """The windows a stored run is scored on.

    Its overlap with the record, and each whole calendar month inside that overlap.
    """
    first = max(start, history.start)
    end = min(start + dt.timedelta(days=days), history.end + dt.timedelta(days=1))
    if end <= first:
        return []
    windows = [Window(first, (end - first).days, "whole run")]
    month = first if first.day == 1 else _next_month(first)
    while _next_month(month) <= end:
        nxt = _next_month(month)
        windows.append(Window(month, (nxt - month).days, month.strftime("%Y-%m")))
        month = nxt
    return windows


def _next_month(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def run_ensembles(
    events: pd.DataFrame,
    replicates: np.ndarray,
    start: dt.date,
    windows: Sequence[Window],
    ladder: Ladder,
    focus: str,
) -> pd.DataFrame:
    """A stored run's window quantities in the shape :func:`score_windows` reads."""
    parts = []
    for w in windows:
        frame = simulated(events, replicates, start, w, ladder, focus)
        head = pd.DataFrame(
            {
                "origin": w.first,
                "lead": w.days,
                "start": "spun_up",
                "spin_up_days": (w.first - start).days,
                "replicate": replicates,
                "kept": True,
            }
        )
        parts.append(pd.concat([head, frame], axis=1))
    return pd.concat(parts, ignore_index=True)


__all__ = [
    "FORECASTERS",
    "QUANTITIES",
    "attack_threshold",
    "coverage_table",
    "reliability",
    "run_ensembles",
    "run_windows",
    "score_windows",
    "skill_table",
]
