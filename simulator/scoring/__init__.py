"""Scoring ensemble forecasts against the record.

:mod:`simulator.scoring.rules` holds the proper scoring rules, calibration checks, skill scores
and reference forecasts (pure numpy/scipy); they are re-exported here.
"""

from simulator.scoring.rules import (
    brier,
    brier_multiclass,
    coverage,
    crps_ensemble,
    crps_poisson,
    log_score,
    log_score_binary,
    log_score_classes,
    log_score_poisson,
    mean_skill,
    pit,
    pit_interval,
    poisson_class_probs,
    rps,
    skill,
)

__all__ = [
    "brier",
    "brier_multiclass",
    "coverage",
    "crps_ensemble",
    "crps_poisson",
    "log_score",
    "log_score_binary",
    "log_score_classes",
    "log_score_poisson",
    "mean_skill",
    "pit",
    "pit_interval",
    "poisson_class_probs",
    "rps",
    "skill",
]
