"""The experiments behind docs/VALIDATION.md: statistics, runs that log each move, and designs.

Each ``measure_*`` function runs one design of ``tests/test_validation.py`` (same worlds, seeds
and replicate counts by default) and returns the numbers; ``make_figures.py`` calls them with
finer grids for the figures and with the defaults for the numbers VALIDATION.md quotes as the
tests'. They are carried here, not imported from the tests, so that the figure script needs no
test module; keep the two in step.

Statistics: the Cochran-Armitage trend test for proportions (Armitage 1955, Biometrics 11:375)
and the pooled two-proportion z-test.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from scipy import stats
from worlds import (
    BASELINE,
    HINDCAST,
    baseline_order_last_day,
    baseline_overrides,
    baseline_without,
    deterrence_dyad,
    make_proxy,
    spiral_dyad,
    window,
    window_last_day,
)

from simulator.model import EscalationModel
from simulator.scenario import Scenario, load_scenario

ALPHA = 0.01
Z99 = float(stats.norm.ppf(1 - ALPHA / 2))  # two-sided 99 % intervals: ≈ 2.576
DAYS_PER_MONTH = 30.4375

#: build(scenario, replicates=..., seed=...) -> EscalationModel
Build = Callable[..., EscalationModel]


# -- statistics ---------------------------------------------------------------------------------


def cochran_armitage(scores, successes, trials) -> float:
    """Cochran-Armitage trend statistic z for k_i/n_i against scores x_i (> 0: rising)."""
    x = np.asarray(scores, dtype=float)
    k = np.asarray(successes, dtype=float)
    n = np.asarray(trials, dtype=float)
    p = k.sum() / n.sum()
    t = np.sum(x * (k - n * p))
    var = p * (1 - p) * (np.sum(n * x**2) - np.sum(n * x) ** 2 / n.sum())
    if var <= 0:
        raise ValueError("no variation: every replicate had the same outcome")
    return float(t / np.sqrt(var))


def two_proportion_z(k1: int, n1: int, k2: int, n2: int) -> float:
    """Pooled two-proportion z for p1 - p2."""
    p = (k1 + k2) / (n1 + n2)
    se = np.sqrt(p * (1 - p) * (1 / n1 + 1 / n2))
    return float((k1 / n1 - k2 / n2) / se) if se > 0 else 0.0


def largest_reversal(counts, trials: int, direction: int) -> float:
    """The most negative neighbour-to-neighbour z in ``direction`` (+1 rising, -1 falling)."""
    return min(
        direction * two_proportion_z(counts[a + 1], trials, counts[a], trials)
        for a in range(len(counts) - 1)
    )


# -- running -----------------------------------------------------------------------------------


def run_logged(build: Build, scenario: Scenario, replicates: int, seed: int | None = None):
    """Run a model, also keeping every actor's daily rung, target and losses per replicate.

    The recorder keeps only aggregates; who did what to whom on which day in each replicate is
    copied from its ``record`` hook before recording. The model itself is not changed.
    """
    model = build(scenario, replicates=replicates, seed=seed)
    shape = (model.horizon, model.n, model.replicates)
    rungs = np.zeros(shape, dtype=np.int16)
    targets = np.zeros(shape, dtype=np.int16)
    losses = np.zeros(shape, dtype=np.int32)
    caused = np.zeros(shape, dtype=np.int32)
    original = model.recorder.record

    def record(day, rung, target, counts, loss, damage, cause):
        rungs[day], targets[day], losses[day], caused[day] = rung, target, loss, cause
        original(day, rung, target, counts, loss, damage, cause)

    model.recorder.record = record
    rec = model.run()
    is_state = model.actor_type_index == 0
    violent = model.ladder.violent[rungs]
    log = {
        "rungs": rungs,
        "targets": targets,
        "losses": losses,
        "caused": caused,
        "violent": violent,
        "direct": violent & is_state[None, :, None] & is_state[targets],
    }
    return model, rec, log


def militias(model: EscalationModel) -> list[int]:
    """Indices of the militia actors."""
    return [a.index for a in model.actors if a.kind == "militia"]


# -- property 2: the spiral -----------------------------------------------------------------------

BIAS_SWEEPS = {
    # the patron state's reading of its rival's defensive moves (scenarios/sweeps/)
    "Iran reads the US": ["perception.Iran.US.offense_bias={}"],
    # every observer's reading of every actor's defensive moves
    "every pair": [
        "perception.default.default.offense_bias={}",
        "perception.Iran.US.offense_bias={}",
    ],
}
BIASES = (0.0, 0.4, 0.8, 1.2, 1.6, 2.0)


def measure_p2(build: Build, sweep: str, biases=BIASES, replicates: int = 1000) -> dict:
    """Baseline, 90 days, seed 7: replicates with a direct clash (war included) at each bias."""
    clash, war = [], []
    for bias in biases:
        scenario = baseline_overrides(*(s.format(bias) for s in BIAS_SWEEPS[sweep]))
        rec = build(scenario, replicates=replicates, seed=7).run()
        clash.append(int((rec.first_clash >= 0).sum()))
        war.append(int((rec.first_war >= 0).sum()))
    return {"bias": list(biases), "replicates": replicates, "clash": clash, "war": war}


# -- property 3: control --------------------------------------------------------------------------

CONTROL_SWEEPS = {
    # the proxy world: one militia, no order
    "proxy world": ("proxy", ["Proxy"], (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)),
    # the baseline's front groups (0.4 in the file), with the patron's order in force
    "baseline front groups": ("baseline", ["FrontGroups"], (0.2, 0.3, 0.4, 0.5, 0.6)),
    # both of the baseline's militias at the same control
    "baseline both militias": ("baseline", ["KH", "FrontGroups"], (0.3, 0.4, 0.5, 0.6, 0.7)),
}


def measure_p3(build: Build, sweep: str, controls=None, replicates: int = 1000) -> dict:
    """Per-replicate militia attacks, and lethal ones (that caused casualties), at each control.

    The proxy world runs with its own seed (5), the baseline with seed 7.
    """
    which, names, default_controls = CONTROL_SWEEPS[sweep]
    controls = default_controls if controls is None else controls
    lethal, attacks, months = [], [], None
    for c in controls:
        if which == "proxy":
            scenario = make_proxy(actors={n: {"control": c} for n in names})
        else:
            scenario = baseline_overrides(*(f"actors.{n}.control={c}" for n in names))
        model = build(scenario, replicates=replicates)
        rec = model.run()
        lethal.append(rec.lethal_attacks[militias(model)].sum(axis=0))
        attacks.append(rec.attacks[militias(model)].sum(axis=0))
        months = scenario.horizon_days / DAYS_PER_MONTH
    return {"control": list(controls), "lethal": lethal, "attacks": attacks, "months": months}


# -- property 4: restraint windows and orders -----------------------------------------------------


def measure_p4_window(build: Build, replicates: int = 1000) -> dict:
    """First direct clash day in the spiral dyad without a window, and with it at strength 1."""
    first = {}
    for label, w in (("none", None), ("window", window(1.0))):
        first[label] = build(spiral_dyad(w), replicates=replicates).run().first_clash.copy()
    return {"first_clash": first, "last_day": window_last_day(), "replicates": replicates}


def measure_p4_order(build: Build, replicates: int = 3000) -> dict:
    """Baseline (seed 7) with and without the patron's order: direct clashes up to its last day."""
    last_day = baseline_order_last_day()
    before = {}
    for label, scenario in (
        ("with order", load_scenario(BASELINE)),
        ("without order", baseline_without(order=True)),
    ):
        fc = build(scenario, replicates=replicates, seed=7).run().first_clash
        before[label] = int(((fc >= 0) & (fc <= last_day)).sum())
    return {"before": before, "last_day": last_day, "replicates": replicates}


# -- property 5: deterrence -----------------------------------------------------------------------

DETERRENCE_LEVELS = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5)
DETERRENCE_WAYS = ("resolve_estimate", "capability_estimate", "true capability")
US_RESOLVE_ESTIMATES = (0.3, 0.45, 0.6, 0.75, 0.9)


def measure_p5_dyad(
    build: Build, how: str, levels=DETERRENCE_LEVELS, replicates: int = 1000
) -> dict:
    """Replicates in which Blue makes at least one violent move (Red never makes any)."""
    started, red_attacks = [], 0
    for v in levels:
        model = build(deterrence_dyad(how, v), replicates=replicates)
        rec = model.run()
        red_attacks += int(rec.attacks[model.index_of["Red"]].sum())
        started.append(int((rec.attacks[model.index_of["Blue"]] > 0).sum()))
    return {
        "level": list(levels),
        "started": started,
        "red_attacks": red_attacks,
        "replicates": replicates,
    }


def first_violence_by(log: dict, side: list[int], target: int) -> np.ndarray:
    """Per replicate, whether its first violent move is made by ``side`` against ``target``."""
    violent = log["violent"]
    R = violent.shape[2]
    any_day = violent.any(axis=1)  # (days, R)
    started = any_day.any(axis=0)
    first = np.argmax(any_day, axis=0)
    cols = np.arange(R)
    moves = violent[first, :, cols][:, side]  # (R, side): violent on the replicate's first day
    at_target = log["targets"][first, :, cols][:, side] == target
    return started & (moves & at_target).any(axis=1)


def measure_p5_baseline(build: Build, levels=US_RESOLVE_ESTIMATES, replicates: int = 1000) -> dict:
    """Baseline (seed 7), everyone's estimate of the rival state's resolve fixed at each level."""
    opened, clash = [], []
    for v in levels:
        scenario = baseline_overrides(f"perception.default.US.resolve_estimate={v}")
        model, rec, log = run_logged(build, scenario, replicates, seed=7)
        side = [model.index_of["Iran"], *militias(model)]
        opened.append(int(first_violence_by(log, side, model.index_of["US"]).sum()))
        clash.append(int((rec.first_clash >= 0).sum()))
    return {"level": list(levels), "opened": opened, "clash": clash, "replicates": replicates}


# -- property 8: calibration ----------------------------------------------------------------------

#: F02-F04: about 1-2 militia attacks a month after the Oct 2020 truce, 4.5 before it.
ATTACK_RATE_BAND = (1.0, 5.0)
#: F06: P(casualties | militia attack), deaths ~0.03; casualties (killed or wounded) up to 0.10.
CASUALTY_BAND = (0.01, 0.10)


def measure_hindcast(build: Build, replicates: int = 2000) -> dict[str, Any]:
    """The 2019-20 hindcast, seed 7, with who did what each day and which moves were forced."""
    scenario = load_scenario(HINDCAST)
    model, rec, log = run_logged(build, scenario, replicates, seed=7)
    forced = np.zeros(log["direct"].shape[:2], dtype=bool)  # (days, actors)
    day_of = {}
    for event in scenario.events:
        if event.kind == "action":
            day = (event.date - scenario.start).days
            forced[day, model.index_of[event.actor]] = True
            day_of[(event.actor, event.target, event.rung)] = day
    return {
        "scenario": scenario,
        "model": model,
        "rec": rec,
        "log": log,
        "forced": forced,
        "day_of": day_of,
        "unforced_direct": log["direct"] & ~forced[:, :, None],
        "strike": day_of[("Iran", "US", "limited_strike")],
        "soleimani": day_of[("US", "Iran", "lethal_attack")],
    }
