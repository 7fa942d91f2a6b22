"""Calibration of the simulator to an observed history from a finished sweep (no model runs).

:mod:`simulator.calibration.abc` holds the likelihood-free core: ABC rejection, ABC-SMC importance
weights, history matching and regime shares. It is plain numpy/pandas.
"""

from simulator.calibration.abc import (
    DEFAULT_CUTOFF,
    MAX,
    POINT,
    SECOND_MAX,
    Posterior,
    Statistic,
    distances,
    implausibility,
    kernel_covariance,
    not_ruled_out,
    regime_shares,
    rejection,
    smc_proposals,
    smc_step,
    smc_weights,
    weighted_quantile,
)

__all__ = [
    "DEFAULT_CUTOFF",
    "MAX",
    "POINT",
    "SECOND_MAX",
    "Posterior",
    "Statistic",
    "distances",
    "implausibility",
    "kernel_covariance",
    "not_ruled_out",
    "regime_shares",
    "rejection",
    "smc_proposals",
    "smc_step",
    "smc_weights",
    "weighted_quantile",
]
