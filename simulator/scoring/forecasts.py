"""Forecasts of a window and their scores: the model's ensemble and the reference forecasts.

Every forecaster states, for a window: probabilities of the four ordinal classes
(:data:`~simulator.scoring.windows.CLASSES`), of state-on-state violence, of any death of the
focus actor, of at least ``k`` militia attacks; and a predictive distribution, as an ensemble, of
the militia attack count and of the focus actor's deaths. All forecasters go through the same
scoring code (:func:`score`): the reference forecasts' count distributions are represented by
:data:`REFERENCE_DRAWS` draws from a fixed stream, and every probability is floored at the same
``floor`` (half a replicate of the model's ensemble), so that an event the model never simulated
costs a finite, stated log score and the comparison is like for like.

Reference forecasts:

- **climatology**: militia attacks a Poisson process at the record's rate over its reference
  period, deaths of the focus actor Poisson at that rate times the record's deaths per attack,
  never state-on-state violence; the class is proxy violence when an attack falls in the window
  (probability ``1 − exp(−rate · days)``), otherwise no violence;
- **persistence**: the previous window of the same length as it happened: attacks and deaths
  Poisson with the previous window's counts as means, the previous class and state violence
  with probability ``1 − PERSISTENCE_DOUBT`` (the rest spread evenly). No persistence forecast
  exists for a window whose previous window starts before the record.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from simulator.scoring import rules
from simulator.scoring.windows import CLASSES, QUIET

#: draws representing a reference forecast's count distributions
REFERENCE_DRAWS = 10_000
#: persistence puts this much probability on something other than a repeat of the last window
PERSISTENCE_DOUBT = 0.05
#: central intervals whose coverage is reported
LEVELS = (0.5, 0.9)
#: the binary events of the reliability diagrams
EVENTS = ("state_violence", "deaths_any", "attacks_at_least")
MODEL, COLD_START, CLIMATOLOGY, PERSISTENCE = "model", "model_cold", "climatology", "persistence"


@dataclass(frozen=True)
class Prediction:
    """One forecaster's forecast of one window."""

    classes: np.ndarray  # probabilities of CLASSES
    events: Mapping[str, float]  # probability of each of EVENTS
    attacks: np.ndarray  # ensemble of militia attack counts
    deaths: np.ndarray  # ensemble of the focus actor's deaths


def from_ensemble(ens: pd.DataFrame, k: int) -> Prediction:
    """The model's forecast from its replicates' window quantities (one row per replicate)."""
    codes = ens["violence"].to_numpy(dtype=np.int64)
    attacks = ens["militia_attacks"].to_numpy(dtype=float)
    deaths = ens["deaths"].to_numpy(dtype=float)
    return Prediction(
        classes=np.bincount(codes, minlength=len(CLASSES)) / len(codes),
        events={
            "state_violence": float(ens["state_violence"].mean()),
            "deaths_any": float((deaths > 0).mean()),
            "attacks_at_least": float((attacks >= k).mean()),
        },
        attacks=attacks,
        deaths=deaths,
    )


def climatology(rate: float, deaths_per_attack: float, days: int, k: int) -> Prediction:
    """A Poisson process of militia attacks at ``rate`` a day, never state-on-state violence."""
    rng = np.random.default_rng(0)
    attacks = rng.poisson(rate * days, REFERENCE_DRAWS).astype(float)
    deaths = rng.poisson(rate * deaths_per_attack * days, REFERENCE_DRAWS).astype(float)
    p_attack = 1.0 - np.exp(-rate * days)
    classes = np.zeros(len(CLASSES))
    classes[CLASSES.index("proxy_violence")] = p_attack
    classes[QUIET] = 1.0 - p_attack
    return Prediction(
        classes=classes,
        events={
            "state_violence": 0.0,
            "deaths_any": float(1.0 - np.exp(-rate * deaths_per_attack * days)),
            "attacks_at_least": float((attacks >= k).mean()),
        },
        attacks=attacks,
        deaths=deaths,
    )


def persistence(previous: Mapping[str, float], k: int) -> Prediction:
    """The previous window again, as a forecast (see the module's docstring)."""
    rng = np.random.default_rng(1)
    attacks = rng.poisson(previous["militia_attacks"], REFERENCE_DRAWS).astype(float)
    deaths = rng.poisson(previous["deaths"], REFERENCE_DRAWS).astype(float)
    doubt = PERSISTENCE_DOUBT
    classes = np.full(len(CLASSES), doubt / (len(CLASSES) - 1))
    classes[int(previous["violence"])] = 1.0 - doubt
    happened = previous["state_violence"] > 0
    return Prediction(
        classes=classes,
        events={
            "state_violence": 1.0 - doubt if happened else doubt,
            "deaths_any": 1.0 - doubt if previous["deaths"] > 0 else doubt,
            "attacks_at_least": float((attacks >= k).mean()),
        },
        attacks=attacks,
        deaths=deaths,
    )


def score(
    pred: Prediction, obs: Mapping[str, float], k: int, floor: float, rng: np.random.Generator
) -> dict[str, float]:
    """Every score of one forecast against what the record shows for its window.

    Lower is better for every score; ``pit_*`` are probability integral transforms and
    ``in50_*``/``in90_*`` whether the observation fell in the central interval.
    """
    observed_class = int(obs["violence"])
    happened = {
        "state_violence": obs["state_violence"] > 0,
        "deaths_any": obs["deaths"] > 0,
        "attacks_at_least": obs["militia_attacks"] >= k,
    }
    out: dict[str, float] = {
        "rps": float(rules.rps(pred.classes, observed_class)),
        "brier_classes": float(rules.brier_multiclass(pred.classes, observed_class)),
        "log_classes": float(rules.log_score_classes(pred.classes, observed_class, floor=floor)),
    }
    for event, p in pred.events.items():
        out[f"p_{event}"] = p
        out[f"brier_{event}"] = float(rules.brier(p, happened[event]))
        out[f"log_{event}"] = float(rules.log_score_binary(p, happened[event], floor=floor))
    for name, values in (("attacks", pred.attacks), ("deaths", pred.deaths)):
        y = obs["militia_attacks" if name == "attacks" else "deaths"]
        out[f"mean_{name}"] = float(values.mean())
        out[f"crps_{name}"] = float(rules.crps_ensemble(y, values))
        out[f"log_{name}"] = float(rules.log_score(y, values, floor=floor))
        out[f"pit_{name}"] = float(rules.pit(y, values, rng))
        for level in LEVELS:
            out[f"in{round(level * 100)}_{name}"] = float(rules.coverage(y, values, level))
    return {key: value + 0.0 for key, value in out.items()}  # no "-0.0" from −log(1)
