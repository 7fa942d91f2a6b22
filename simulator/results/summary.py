"""The headline numbers of a run, computed from its stored tables, and the metrics they share."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from simulator.results.manifest import outcome_label
from simulator.stats import wilson_interval

#: mean length of a month (365.25 / 12 days): rates "per month" divide a horizon in days by this
DAYS_PER_MONTH = 30.4375


@dataclass(frozen=True)
class OutcomeRow:
    """One outcome class: count, probability and its 95 % Wilson interval."""

    name: str
    label: str
    count: int
    probability: float
    low: float
    high: float


@dataclass(frozen=True)
class Summary:
    """Outcome probabilities plus a few distributions worth a line each."""

    replicates: int
    outcomes: list[OutcomeRow]
    metrics: list[tuple[str, str]]


def militia_attacks(
    rows: pd.DataFrame, actors: list[dict[str, Any]], tally: str = "attacks"
) -> np.ndarray:
    """Per replicate, a per-actor tally (``attacks``, ``lethal_attacks``) summed over militias.

    ``actors`` is the manifest's list (name, label, type). Zero where there are no militias.
    """
    columns = [f"{tally}.{a['name']}" for a in actors if a.get("type") == "militia"]
    if not columns:
        return np.zeros(len(rows))
    return rows[columns].sum(axis=1).to_numpy(dtype=float)


def summarize(manifest: dict[str, Any], runs: pd.DataFrame) -> Summary:
    """Build the summary of a run from its manifest and per-replicate table."""
    n = len(runs)
    counts = runs["outcome"].value_counts()
    rows = []
    for name in manifest["outcome_classes"]:
        k = int(counts.get(name, 0))
        low, high = wilson_interval(k, n)
        label = outcome_label(manifest, name)
        rows.append(OutcomeRow(name, label, k, k / n if n else 0.0, low, high))
    ladder = {r["index"]: r["label"] for r in manifest["ladder"]}
    metrics = [
        ("Median peak rung", ladder[int(np.median(runs["peak_rung"]))]),
        (
            "Peak escalation index (median, 90 % range)",
            _median_spread(runs["peak_escalation"]),
        ),
    ]
    clash = runs["first_direct_clash_day"].dropna()
    if len(clash):
        metrics.append(
            ("Day of first direct clash (median, when one occurs)", f"{clash.median():.0f}")
        )
    months = manifest["horizon_days"] / DAYS_PER_MONTH
    for actor in manifest["actors"]:
        name = actor["name"]
        deaths = runs[f"casualties.{name}"]
        metrics.append((f"Casualties suffered: {actor['label']}", _mean_spread(deaths)))
    if any(a["type"] == "militia" for a in manifest["actors"]):
        attacks = militia_attacks(runs, manifest["actors"])
        lethal = militia_attacks(runs, manifest["actors"], "lethal_attacks")
        metrics.append(("Militia attacks per month (mean)", f"{attacks.mean() / months:.2f}"))
        total = int(attacks.sum())
        if total:
            lo, hi = wilson_interval(int(lethal.sum()), total)
            metrics.append(
                (
                    "P(casualties | militia attack)",
                    f"{lethal.sum() / total:.3f} [{lo:.3f}, {hi:.3f}]",
                )
            )
    metrics += _v2_metrics(manifest, runs)
    return Summary(replicates=n, outcomes=rows, metrics=metrics)


def _v2_metrics(manifest: dict[str, Any], runs: pd.DataFrame) -> list[tuple[str, str]]:
    """Lines for the columns a model-v2 run stores (absent from older folders)."""
    out: list[tuple[str, str]] = []
    if "outcome_chosen" in runs and (runs["outcome_chosen"] != runs["outcome"]).any():
        chosen = runs["outcome_chosen"].value_counts(normalize=True)
        shares = ", ".join(
            f"{outcome_label(manifest, c).lower()} {100 * chosen.get(c, 0.0):.1f} %"
            for c in manifest["outcome_classes"]
            if chosen.get(c, 0.0) > 0
        )
        out.append(("Outcome of the actors' own choices (forced moves left out)", shares))
    if "accidental_escalation" in runs and "first_violence_day" in runs:
        started = runs["first_violence_day"].notna()
        if started.any():
            k = int(runs.loc[started, "accidental_escalation"].sum())
            out.append(
                (
                    "Violence started on misread defensive moves (accidental escalation)",
                    f"{k / started.sum():.1%} of the {int(started.sum()):,} replicates with "
                    "violence",
                )
            )
    if "days_clash_to_deescalation" in runs and runs["first_direct_clash_day"].notna().any():
        days = runs["days_clash_to_deescalation"].dropna()
        clashes = int(runs["first_direct_clash_day"].notna().sum())
        if len(days):
            out.append(
                (
                    "Days from a first clash back to calm (median, when it comes)",
                    f"{days.median():.0f} ({len(days):,} of {clashes:,} clashes calm down)",
                )
            )
    if "first_ceasefire_day" in runs and runs["first_war_day"].notna().any():
        wars = int(runs["first_war_day"].notna().sum())
        ended = int(runs["first_ceasefire_day"].notna().sum())
        out.append(("Wars ending in a ceasefire", f"{ended:,} of {wars:,}"))
    return out


def _median_spread(values: pd.Series) -> str:
    """Median with the central 90 % of replicates, e.g. '69 (38–380)'."""
    lo, mid, hi = np.quantile(values.to_numpy(dtype=float), [0.05, 0.5, 0.95])
    return f"{mid:.0f} ({lo:.0f}–{hi:.0f})"


def _mean_spread(values: pd.Series) -> str:
    """Mean with the central 90 % of replicates, saying when a tail drives the mean.

    Casualties are zero in most replicates and in the hundreds in a few, so the mean can lie
    outside the range of 90 % of replicates; the text then names the share of replicates beyond
    that range, e.g. 'mean 9.6, driven by the 2.1 % of replicates above 0; 90 % of replicates 0'.
    """
    v = values.to_numpy(dtype=float)
    if v.size == 0:
        return "no replicates"
    if np.all(v == v[0]):
        return f"{v[0]:g} in every replicate"
    lo, hi = np.quantile(v, [0.05, 0.95])
    mean = float(v.mean())
    # One decimal, or two significant digits for small means that would print as 0.0.
    text = f"mean {mean:.1f}" if abs(mean) >= 0.95 else f"mean {mean:.2g}"
    if mean > hi:
        text += f", driven by the {_share(v > hi)} of replicates above {hi:.0f}"
    elif mean < lo:
        text += f", driven by the {_share(v < lo)} of replicates below {lo:.0f}"
    central = f"{lo:.0f}" if f"{lo:.0f}" == f"{hi:.0f}" else f"{lo:.0f}–{hi:.0f}"
    return f"{text}; 90 % of replicates {central}"


def _share(mask: np.ndarray) -> str:
    """Share of True values as a percentage with two significant digits, e.g. '2.1 %'."""
    return f"{100 * float(mask.mean()):.2g} %"
