"""Validation: properties 2-5 and 8 of the model brief, as statistical tests with fixed seeds.

Properties 1 and 6 are pinned in ``test_model_properties.py`` and 7 in the reproducibility tests.
Every run here has a fixed seed, and replicate ``k`` of a seed is always the same world, so every
number is exactly reproducible: the significance levels and bands guard the *claim* (would the
effect still show with other seeds and this many replicates?), not against flaky reruns.

Conventions:

- one-sided tests in the direction the property predicts, at the 1 % level;
- trends in a proportion use the Cochran-Armitage test (scores = the swept values);
- trends in per-replicate counts use Spearman's rank correlation on (value, count) pairs;
- rare proportions are compared with Fisher's exact test, common ones with a two-proportion z-test;
- "within a band" means the whole 99 % interval of the estimate lies inside the band.

Each property has a ``measure_*`` function that runs its design and returns the numbers, and a
test that asserts on them. ``docs/validation/make_figures.py`` calls the same functions, so the
numbers in ``docs/VALIDATION.md`` are the ones these tests see.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from simulator.experiment.runner import release
from simulator.model import EscalationModel
from simulator.scenario import Scenario, load_scenario, scenario_data, validate_scenario
from simulator.stats import wilson_interval

SCENARIOS = Path(__file__).parents[1] / "scenarios"
BASELINE = SCENARIOS / "baseline.yaml"
HINDCAST = SCENARIOS / "hindcast_2019_2020.yaml"
ALPHA = 0.01
Z_ONE_SIDED = float(stats.norm.ppf(1 - ALPHA))  # ≈ 2.326
Z99 = float(stats.norm.ppf(1 - ALPHA / 2))  # two-sided 99 % intervals: ≈ 2.576
DAYS_PER_MONTH = 30.4375

#: build(scenario, replicates, seed) -> EscalationModel (the ``build_model`` fixture, or a
#: plain constructor in the figure script); make(**overrides) -> Scenario (the conftest worlds).
Build = Callable[..., EscalationModel]
Make = Callable[..., Scenario]


# -- statistics ---------------------------------------------------------------------------------


def cochran_armitage(scores, successes, trials) -> float:
    """Cochran-Armitage trend statistic z for k_i/n_i against scores x_i (> 0: rising)."""
    x = np.asarray(scores, dtype=float)
    k = np.asarray(successes, dtype=float)
    n = np.asarray(trials, dtype=float)
    p = k.sum() / n.sum()
    t = np.sum(x * (k - n * p))
    var = p * (1 - p) * (np.sum(n * x**2) - np.sum(n * x) ** 2 / n.sum())
    assert var > 0, "no variation: every replicate had the same outcome"
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


def events_of(rec) -> dict[str, np.ndarray]:
    """The run's event log (violent, covert and forced moves), sorted by replicate and day."""
    ev = rec.event_columns()
    order = np.lexsort((ev["actor"], ev["day"], ev["replicate"]))
    return {k: v[order] for k, v in ev.items()}


def first_violence_by(model: EscalationModel, rec, side: list[int], target: int) -> np.ndarray:
    """Per replicate: is the replicate's first violent move made by ``side`` against ``target``?"""
    ev = events_of(rec)
    violent = model.ladder.violent[ev["rung"]]
    reps = ev["replicate"][violent] - model.first_replicate
    first_day = np.full(model.replicates, np.iinfo(np.int32).max)
    np.minimum.at(first_day, reps, ev["day"][violent])
    on_first = violent.copy()
    on_first[violent] = ev["day"][violent] == first_day[reps]
    opener = on_first & np.isin(ev["actor"], side) & (ev["target"] == target)
    out = np.zeros(model.replicates, dtype=bool)
    out[ev["replicate"][opener] - model.first_replicate] = True
    return out


def militias(model: EscalationModel) -> list[int]:
    """Indices of the militia actors."""
    return [a.index for a in model.actors if a.kind == "militia"]


def baseline_overrides(*overrides: str) -> Scenario:
    """The baseline with ``--set`` style overrides."""
    return load_scenario(BASELINE, list(overrides))


# -- Property 2: the spiral -----------------------------------------------------------------------

BIAS_SWEEPS = {
    # Iran's reading of US defensive moves, the sweep of scenarios/sweeps/bias_x_control.yaml
    "Iran reads the US": ["perception.Iran.US.offense_bias={}"],
    # every observer's reading of every actor's defensive moves
    "every pair": [
        "perception.default.default.offense_bias={}",
        "perception.Iran.US.offense_bias={}",
    ],
}
BIASES = (0.0, 0.4, 0.8, 1.2, 1.6, 2.0)
P2_REPLICATES = 1000


def measure_p2(build: Build, sweep: str, biases=BIASES, replicates=P2_REPLICATES) -> dict:
    """Baseline, 90 days, seed 7: replicates with a direct clash (war included) at each bias."""
    clash, war = [], []
    for bias in biases:
        scenario = baseline_overrides(*(s.format(bias) for s in BIAS_SWEEPS[sweep]))
        model = build(scenario, replicates=replicates, seed=7)
        rec = model.run()
        clash.append(int((rec.first_clash >= 0).sum()))
        war.append(int((rec.first_war >= 0).sum()))
    return {"bias": list(biases), "replicates": replicates, "clash": clash, "war": war}


@pytest.mark.parametrize("sweep", list(BIAS_SWEEPS))
def test_p2_direct_clash_rises_with_offense_bias(sweep, build_model):
    """P(direct clash, war included) over the baseline's 90 days, six biases, 1000 replicates each.

    Observed (seed 7), Iran→US: 0.3 %, 0.5 %, 4.9 %, 46.9 %, 70.6 %, 79.1 % (Cochran-Armitage
    z = 51.7); every pair: 0, 0.1 %, 75.5 %, 100 %, 100 %, 100 % (z = 64.4).
    Test: Cochran-Armitage z > 2.326 (one-sided 1 %), and no neighbouring pair falls
    significantly (one-sided two-proportion z at 1 %).
    """
    m = measure_p2(build_model, sweep)
    clash, R = m["clash"], m["replicates"]
    z = cochran_armitage(m["bias"], clash, [R] * len(clash))
    assert z > Z_ONE_SIDED, (z, clash)
    assert largest_reversal(clash, R, direction=+1) > -Z_ONE_SIDED, clash
    # the sweep spans the spiral: from (almost) never to a large share of replicates
    assert clash[0] / R < 0.01 and clash[-1] / R > 0.2, clash


# -- Property 3: control --------------------------------------------------------------------------

CONTROL_SWEEPS = {
    # the conftest proxy world: one militia, no order; control acts only through the blend of
    # the patron's wish and the militia's own drive
    "proxy world": ("proxy", ["Proxy"], (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)),
    # the baseline's front groups (0.4 in the file), with Qaani's order in force until 20 Jan:
    # control is also the chance of obeying it
    "baseline front groups": ("baseline", ["FrontGroups"], (0.2, 0.3, 0.4, 0.5, 0.6)),
    # both of the baseline's militias at the same control (KH is 0.75 in the file)
    "baseline both militias": (
        "baseline",
        ["KH", "FrontGroups"],
        (0.3, 0.4, 0.5, 0.6, 0.7),
    ),
}
P3_REPLICATES = 1000


def measure_p3(
    build: Build, make_proxy: Make, sweep: str, controls=None, replicates=P3_REPLICATES
) -> dict:
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


@pytest.mark.parametrize("sweep", list(CONTROL_SWEEPS))
def test_p3_lethal_proxy_attacks_fall_as_control_rises(sweep, build_model, make_proxy_scenario):
    """Lethal proxy attacks (militia violent moves that caused casualties) per replicate.

    Observed (seed 5 / 7, per month): proxy world 5.1, 3.7, 1.1, 0.015, 0.001, 0 (ρ = -0.86);
    baseline front groups 5.3, 1.2, 0.10, 0.0003, 0 (ρ = -0.72); both baseline militias at 0.3-0.7
    10.7, 7.4, 1.35, 0.007, 0 (ρ = -0.88).
    Test: Spearman ρ between control and the per-replicate count < 0 at one-sided 1 %; the mean
    rate never rises between neighbours by more than 2 standard errors of the difference; the
    highest control has the fewest.
    """
    m = measure_p3(build_model, make_proxy_scenario, sweep)
    x = np.concatenate([np.full(len(y), c) for c, y in zip(m["control"], m["lethal"], strict=True)])
    rho, p = stats.spearmanr(x, np.concatenate(m["lethal"]), alternative="less")
    means = [y.mean() for y in m["lethal"]]
    ses = [y.std(ddof=1) / np.sqrt(len(y)) for y in m["lethal"]]
    assert p < ALPHA, (rho, p, means)
    for a in range(len(means) - 1):
        assert means[a + 1] <= means[a] + 2 * np.hypot(ses[a], ses[a + 1]), means
    assert means[-1] == min(means) and means[0] > 10 * max(means[-1], 1e-3), means


# -- Property 4: restraint windows and orders -----------------------------------------------------

WINDOW_UNTIL = "2024-01-30"  # day 29 of the dyad
P4_WINDOW_REPLICATES = 1000
P4_ORDER_REPLICATES = 3000


def spiral_dyad(make_dyad: Make, window: dict | None, offense_bias: float = 1.2) -> Scenario:
    """Two resolute states whose build-ups are read 1.2× as hostile: a spiral within 60 days.

    With ``window`` both states are restrained by it (e.g. cap build-up until 30 January).
    """
    actor = {"resolve": 0.8, "risk_tolerance": 0.2}
    actors = {
        "Blue": dict(actor, initial_threat={"Red": 0.5}),
        "Red": dict(actor, initial_threat={"Blue": 0.5}),
    }
    if window is not None:
        for spec in actors.values():
            spec["restraint"] = [window]
    return make_dyad(
        horizon_days=60,
        rationality=1.5,
        seed=2024,
        actors=actors,
        perception={"default": {"default": {"offense_bias": offense_bias, "noise": 0.1}}},
    )


def window(strength: float = 1.0) -> dict:
    """The dyad's restraint window: nothing above a build-up until 30 January."""
    return {"until": WINDOW_UNTIL, "max_rung": "build_up", "strength": strength}


def measure_p4_window(build: Build, make_dyad: Make, replicates=P4_WINDOW_REPLICATES) -> dict:
    """First direct clash day in the spiral dyad without a window, and with it at strength 1."""
    first = {}
    for label, w in (("none", None), ("window", window(1.0))):
        rec = build(spiral_dyad(make_dyad, w), replicates=replicates).run()
        first[label] = rec.first_clash.copy()
    last_day = (dt.date.fromisoformat(WINDOW_UNTIL) - dt.date(2024, 1, 1)).days
    return {"first_clash": first, "last_day": last_day, "replicates": replicates}


def test_p4_restraint_window_lowers_clash_before_its_end(build_model, make_scenario):
    """P(direct clash on or before the window's last day), with and without the window.

    Observed (seed 2024, 1000 replicates): 20.2 % without, 0 % with (z = 15.0; over all 60
    days 50.3 % and 40.6 %: the window mostly delays the clash).
    Test: two-proportion z (one-sided) > 2.326, i.e. p < 1 %.
    """
    m = measure_p4_window(build_model, make_scenario)
    R, last = m["replicates"], m["last_day"]
    before = {k: int(((v >= 0) & (v <= last)).sum()) for k, v in m["first_clash"].items()}
    assert two_proportion_z(before["none"], R, before["window"], R) > Z_ONE_SIDED, before


def baseline_without(*, order: bool = False, iran_window: bool = False, us_window: bool = False):
    """The baseline minus Qaani's order and/or Iran's or the US's restraint window."""
    data = scenario_data(load_scenario(BASELINE))  # a fresh dict each call
    if order:
        data["actors"]["Iran"]["orders"] = []
    if iran_window:
        data["actors"]["Iran"]["restraint"] = []
    if us_window:
        data["actors"]["US"]["restraint"] = []
    return validate_scenario(data, "<baseline variant>")


def baseline_last_day(until: dt.date) -> int:
    """The day index of a date in the baseline (20 Jan 2021: day 31)."""
    return (until - load_scenario(BASELINE).start).days


#: Each baseline window and order, what it is meant to hold back before its last day, and the
#: replicates needed to see it: (the variant without it, actors restrained, rungs from, last day).
BASELINE_RESTRAINTS = {
    # Qaani's order: the militias above a verbal threat
    "Qaani's order": ({"order": True}, ["KH", "FrontGroups"], "harassment", dt.date(2021, 1, 20)),
    # Iran waits for the new administration: Iran above covert action
    "Iran's window": ({"iran_window": True}, ["Iran"], "harassment", dt.date(2021, 1, 20)),
    # Trump talked down from striking enrichment sites: the US above a limited strike
    "US window": ({"us_window": True}, ["US"], "major_strike", dt.date(2021, 1, 19)),
}
P4_BASELINE_REPLICATES = {"Qaani's order": 3000, "Iran's window": 4000, "US window": 20000}


def measure_p4_baseline(build: Build, which: str, replicates: int | None = None) -> dict:
    """Replicates in which the restrained actors made a move at or above the restrained rung,
    by the last day of the window or order, with and without it (seed 7)."""
    drop, names, rung, until = BASELINE_RESTRAINTS[which]
    replicates = replicates or P4_BASELINE_REPLICATES[which]
    last_day = baseline_last_day(until)
    counts = {}
    for label, scenario in (("with", load_scenario(BASELINE)), ("without", baseline_without(**drop))):
        model = build(scenario, replicates=replicates, seed=7)
        rec = model.run()
        ev = events_of(rec)
        who = [model.index_of[n] for n in names]
        hit = (ev["rung"] >= model.ladder.index(rung)) & np.isin(ev["actor"], who)
        hit &= (ev["day"] <= last_day) & ~ev["forced"]
        counts[label] = len(np.unique(ev["replicate"][hit]))
    return {"counts": counts, "replicates": replicates, "last_day": last_day}


@pytest.mark.parametrize("which", list(BASELINE_RESTRAINTS))
def test_p4_each_baseline_restraint_holds_back_what_it_covers(which, build_model):
    """Each of the baseline's restraint windows and orders changes outcomes before its end date:
    without it, the actors it restrains make the moves it caps in significantly more replicates.

    Observed (seed 7): Qaani's order, militia violence by 20 Jan in 756 of 3,000 replicates with
    it, 1,421 without; Iran's window, Iranian violence by 20 Jan in 2 of 4,000 with it, 23 without;
    the US window, US major strikes by 19 Jan in 0 of 20,000 with it, 16 without.
    Test: Fisher's exact test, one-sided p < 1 %.
    """
    m = measure_p4_baseline(build_model, which)
    R, a, b = m["replicates"], m["counts"]["with"], m["counts"]["without"]
    _, p = stats.fisher_exact([[a, R - a], [b, R - b]], alternative="less")
    assert p < ALPHA, m["counts"]


# -- Property 5: deterrence -----------------------------------------------------------------------

DETERRENCE_LEVELS = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5)
DETERRENCE_WAYS = ("resolve_estimate", "capability_estimate", "true capability")
US_RESOLVE_ESTIMATES = (0.3, 0.45, 0.6, 0.75, 0.9)
P5_REPLICATES = 1000


def deterrence_dyad(make_dyad: Make, how: str, value: float) -> Scenario:
    """Blue (aggrieved, resolute) facing a calm Red that would only answer; ``how`` says what of
    Red's Blue sees. Red has every rung (a target with nothing to hit back with deters nothing),
    but no grievance, no threat and no bias: it does not start anything."""
    red = {"resolve": 0.6, "capability": 0.6}
    perception = {"default": {"default": {"offense_bias": 0.0, "noise": 0.1}}}
    if how == "true capability":
        red["capability"] = value  # no estimate set: Blue sees the truth
    else:
        perception["Blue"] = {"Red": {how: value}}
    return make_dyad(
        horizon_days=30,
        rationality=1.5,
        seed=99,
        actors={
            "Blue": {
                "resolve": 0.8,
                "risk_tolerance": 0.3,
                "grievance": 0.3,
                "initial_threat": {"Red": 0.4},
            },
            "Red": red,
        },
        perception=perception,
    )


def measure_p5_dyad(
    build: Build, make_dyad: Make, how: str, levels=DETERRENCE_LEVELS, replicates=P5_REPLICATES
) -> dict:
    """Replicates in which Blue starts the violence (its violent move comes first)."""
    started, red_first = [], 0
    for v in levels:
        model = build(deterrence_dyad(make_dyad, how, v), replicates=replicates)
        rec = model.run()
        blue, red = model.index_of["Blue"], model.index_of["Red"]
        red_first += int(first_violence_by(model, rec, [red], blue).sum())
        started.append(int(first_violence_by(model, rec, [blue], red).sum()))
    return {"level": list(levels), "started": started, "red_first": red_first, "replicates": replicates}


@pytest.mark.parametrize("how", DETERRENCE_WAYS)
def test_p5_deterrence_lowers_initiation_of_violence(how, build_model, make_scenario):
    """P(Blue starts violence within 30 days) as Red's perceived resolve or capability rises.

    Expected retaliation is believed resolve × believed capability × reach, so the three sweeps
    (with the other factor at 0.6) give the same numbers; observed (seed 99, 1000 replicates) in
    docs/VALIDATION.md. Test: Cochran-Armitage z < -2.326 (one-sided 1 %), and no neighbouring pair
    rises significantly.
    """
    m = measure_p5_dyad(build_model, make_scenario, how)
    assert m["red_first"] == 0  # Red never starts anything
    started, R = m["started"], m["replicates"]
    z = cochran_armitage(m["level"], started, [R] * len(started))
    assert z < -Z_ONE_SIDED, (z, started)
    assert largest_reversal(started, R, direction=-1) > -Z_ONE_SIDED, started


def measure_p5_baseline(build: Build, levels=US_RESOLVE_ESTIMATES, replicates=P5_REPLICATES):
    """Baseline (seed 7), everyone's estimate of US resolve fixed at each level."""
    opened, clash = [], []
    for v in levels:
        scenario = baseline_overrides(f"perception.default.US.resolve_estimate={v}")
        model = build(scenario, replicates=replicates, seed=7)
        rec = model.run()
        side = [model.index_of["Iran"], *militias(model)]
        opened.append(int(first_violence_by(model, rec, side, model.index_of["US"]).sum()))
        clash.append(int((rec.first_clash >= 0).sum()))
    return {"level": list(levels), "opened": opened, "clash": clash, "replicates": replicates}


def test_p5_perceived_us_resolve_deters_iran_and_militias_in_the_baseline(build_model):
    """Baseline: everyone's estimate of US resolve (fixed, so it survives the 20 Jan change).

    Outcome: P(the first violent move of the replicate is by Iran or one of its militias against
    the US). Observed (seed 7, 1000 replicates) at 0.3, 0.45, 0.6, 0.75, 0.9: 99.7 %, 82.5 %,
    40.5 %, 16.4 %, 6.6 % (z = -50.5). Test: Cochran-Armitage z < -2.326 (one-sided 1 %).
    """
    m = measure_p5_baseline(build_model)
    z = cochran_armitage(m["level"], m["opened"], [m["replicates"]] * len(m["level"]))
    assert z < -Z_ONE_SIDED, (z, m["opened"])


# -- Property 8: calibration ----------------------------------------------------------------------

#: F04 (FDD tallies via DOMAIN.md): about 1-2 militia attacks a month after the October 2020 truce,
#: the baseline's period.
ATTACK_RATE_BAND = (1.0, 2.0)
#: F06: 2 of 78 attacks killed an American (May 2019 - Oct 2020); the 95 % Wilson interval of 2/78.
DEATH_BAND = wilson_interval(2, 78)
P8_REPLICATES = 2000


def measure_p8_baseline(build: Build, replicates=P8_REPLICATES) -> dict:
    """The baseline, seed 7 (the numbers of scenarios/README.md): militia attacks per replicate,
    and each militia attack on the US with the deaths it caused."""
    scenario = load_scenario(BASELINE)
    model = build(scenario, replicates=replicates, seed=7)
    rec = model.run()
    mil = militias(model)
    ev = events_of(rec)
    on_us = np.isin(ev["actor"], mil) & (ev["target"] == model.index_of["US"])
    on_us &= model.ladder.violent[ev["rung"]]
    return {
        "months": scenario.horizon_days / DAYS_PER_MONTH,
        "attacks": rec.attacks[mil].sum(axis=0),
        "deadly": int((ev["deaths"][on_us] > 0).sum()),
        "attacks_on_us": int(on_us.sum()),
        "model": model,
        "rec": rec,
        "events": ev,
    }


@pytest.fixture(scope="module")
def baseline_run():
    """The baseline calibration run, shared by the calibration and retaliation tests."""
    models = []

    def build(scenario, **kwargs):
        models.append(EscalationModel(scenario, **kwargs))
        return models[-1]

    out = measure_p8_baseline(build)
    yield out
    for model in models:
        release(model)


def test_p8_baseline_militia_attack_rate_within_f04(baseline_run):
    """Mean militia attacks a month (all replicates), with its 99 % normal interval in F04's 1-2.

    Observed: 1.46 a month. It is a mixture (about 70 % of replicates see no attack; those that
    do see several a month): docs/VALIDATION.md.
    """
    rate = baseline_run["attacks"] / baseline_run["months"]
    mean, se = rate.mean(), rate.std(ddof=1) / np.sqrt(len(rate))
    lo, hi = mean - Z99 * se, mean + Z99 * se
    assert ATTACK_RATE_BAND[0] <= lo and hi <= ATTACK_RATE_BAND[1], (mean, lo, hi)


def test_p8_baseline_us_deaths_per_militia_attack_near_f06(baseline_run):
    """P(an American killed | militia attack on the US), pooled over every attack: its 99 % Wilson
    interval inside F06's 95 % interval (2/78: 0.007-0.089). Observed: 0.026."""
    k, n = baseline_run["deadly"], baseline_run["attacks_on_us"]
    lo, hi = wilson_interval(k, n, z=Z99)
    assert DEATH_BAND[0] <= lo and hi <= DEATH_BAND[1], (k / n, lo, hi)


def us_answers(model: EscalationModel, ev: dict, window: int = 7) -> dict[str, int]:
    """After each replicate's first militia attack that killed an American (with no US violence
    before it), the target of the first US violent move within ``window`` days."""
    us = model.index_of["US"]
    mil = militias(model)
    violent = model.ladder.violent[ev["rung"]]
    out = {"militia": 0, "patron": 0, "none": 0}
    starts = np.flatnonzero(np.r_[True, ev["replicate"][1:] != ev["replicate"][:-1]])
    ends = np.r_[starts[1:], len(ev["replicate"])]
    for a, b in zip(starts, ends, strict=True):
        actor, target, day = ev["actor"][a:b], ev["target"][a:b], ev["day"][a:b]
        deadly = np.flatnonzero(np.isin(actor, mil) & (target == us) & (ev["deaths"][a:b] > 0))
        if not len(deadly):
            continue
        d0 = day[deadly[0]]
        us_violent = (actor == us) & violent[a:b]
        if (us_violent & (day <= d0)).any():
            continue
        after = np.flatnonzero(us_violent & (day > d0) & (day <= d0 + window))
        if not len(after):
            out["none"] += 1
        else:
            out["militia" if target[after[0]] in mil else "patron"] += 1
    return out


def test_p9_the_us_answers_a_deadly_militia_attack_by_striking_the_militia(baseline_run):
    """Stylised fact (F07, F09: 27 → 29 Dec 2019, 11 → 12 Mar 2020): after a militia attack that
    kills Americans, the US strikes the militia within a few days in a clear majority of the
    replicates where it strikes at all, and its red line ("hold Iran responsible") reaches Iran only
    after the culprit. Observed (2,000 replicates): in the week after, the first US strike hits the
    militia 69 times and Iran never; 12 times the US does not strike (a lapsed promise)."""
    out = us_answers(baseline_run["model"], baseline_run["events"])
    struck = out["militia"] + out["patron"]
    assert struck >= 30, out
    assert out["militia"] >= 0.9 * struck, out
    # F07: the US struck back after both killings of 2019-20: most promises are kept
    assert out["militia"] >= 0.7 * (struck + out["none"]), out


def test_p10_states_choose_de_escalation_in_the_baseline(baseline_run):
    """Crises can end by choice: the states make conciliatory moves (gestures, mediated talks,
    agreements) that they were not forced into. Observed: ≈ 0.07 a month by the US and 0.01 by
    Iran (the mechanism tests pin that such moves lower the other's threat and, when costly, its
    belief that the mover is hostile)."""
    rec, model = baseline_run["rec"], baseline_run["model"]
    states = [model.index_of["US"], model.index_of["Iran"]]
    assert rec.conciliatory[states].sum() > 100


# -- Property 8: the 2019-20 hindcast ---------------------------------------------------------------


def hindcast_variant(strike: str) -> Scenario:
    """The hindcast with Iran's strike of 8 Jan 2020 as history had it (`calibrated`: no deaths),
    `removed`, or `deadly` (ten Americans killed)."""
    data = scenario_data(load_scenario(HINDCAST))
    events = data["events"]
    where = [
        i
        for i, e in enumerate(events)
        if e["kind"] == "action" and e["actor"] == "Iran" and e["date"] == "2020-01-08"
    ]
    assert len(where) == 1, "the hindcast must force Iran's strike of 8 January 2020"
    event = events[where[0]]
    assert event["rung"] == "limited_strike" and event.get("deaths") == 0, event
    if strike == "removed":
        del events[where[0]]
    elif strike == "deadly":
        event["deaths"] = 10
    return validate_scenario(data, f"<hindcast, strike {strike}>")


def measure_hindcast(build: Build, strike: str = "calibrated", replicates=P8_REPLICATES) -> dict:
    """Replicates with no unforced state-on-state violence from 9 Jan 2020 on (the round stopped),
    and with war, for one variant of Iran's strike (seed 7)."""
    scenario = hindcast_variant(strike)
    model = build(scenario, replicates=replicates, seed=7)
    rec = model.run()
    ev = events_of(rec)
    after = (dt.date(2020, 1, 9) - scenario.start).days
    direct = model.is_state[ev["actor"]] & model.is_state[ev["target"]]
    direct &= model.ladder.violent[ev["rung"]] & ~ev["forced"] & (ev["day"] >= after)
    going_on = len(np.unique(ev["replicate"][direct]))
    return {
        "stopped": replicates - going_on,
        "war": int((rec.first_war >= 0).sum()),
        "replicates": replicates,
        "escalation": np.median(rec.escalation, axis=1),
        "strike_day": after - 1,
    }


def test_p8_hindcast_spiral_stops_after_the_calibrated_strike(build_model):
    """The 2019-20 hindcast: the forced chain of 27 Dec - 8 Jan (E02-E07), then the model alone.

    History (E09): Iran's warned strike of 8 Jan killed no one, settled its score and kept its
    promise; the US, whose red line counts deaths, answered with sanctions; the round stopped.
    Observed (seed 7, 2,000 replicates): no state-on-state violence after 8 Jan in 95.9 %; war
    1.4 %. The test fails when the strike is removed (62 % stop: Iran's revenge and promise are
    still open) or made deadly (4 % stop: the US red line trips). Tests: 99 % Wilson bounds, and
    Fisher's exact test (one-sided 1 %) between the variants.
    """
    m = {s: measure_hindcast(build_model, s) for s in ("calibrated", "removed", "deadly")}
    R = m["calibrated"]["replicates"]
    stopped = {s: v["stopped"] for s, v in m.items()}
    assert wilson_interval(stopped["calibrated"], R, z=Z99)[0] > 0.9, stopped
    assert wilson_interval(m["calibrated"]["war"], R, z=Z99)[1] < 0.05, m["calibrated"]["war"]
    for other in ("removed", "deadly"):
        _, p = stats.fisher_exact(
            [[stopped[other], R - stopped[other]], [stopped["calibrated"], R - stopped["calibrated"]]],
            alternative="less",
        )
        assert p < ALPHA, stopped
    assert wilson_interval(stopped["removed"], R, z=Z99)[1] < 0.8, stopped
    assert wilson_interval(stopped["deadly"], R, z=Z99)[1] < 0.2, stopped
    # it was a spiral that came down: the median escalation index a month after 8 Jan is below
    # its level on 8 Jan
    esc, day = m["calibrated"]["escalation"], m["calibrated"]["strike_day"]
    assert esc[day + 30] < esc[day], (esc[day], esc[day + 30])
