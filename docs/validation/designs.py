"""The validation designs behind the statistical tests and the figures of docs/VALIDATION.md.

The small worlds, the statistics and the ``measure_*`` runs that ``tests/test_validation.py`` and
``docs/validation/make_figures.py`` share.

One home for both, so that the tests and the figures of docs/VALIDATION.md see the same simulations:
the tests import this module (by path: it is not a test module and not part of the package, since it
names the baseline's actors), the figure script imports it from next to itself. Each ``measure_*``
function runs its design with fixed seeds and returns the numbers; the tests assert on them.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from scipy import stats

from simulator.model import EscalationModel
from simulator.scenario import Scenario, load_scenario, scenario_data, validate_scenario
from simulator.stats import wilson_interval

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
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


# -- the small worlds -----------------------------------------------------------------------------


def merge(base: dict, overrides: dict) -> dict:
    """A deep copy of ``base`` with ``overrides`` merged in (mappings merge, the rest replace)."""
    out = copy.deepcopy(base)
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def dyad_data(**overrides: Any) -> dict:
    """Two states, Blue and Red, each the other's only rival; a calm, perfectly perceiving world.

    Perception is set explicitly to the built-in perfect observer (no offense bias, no noise, full
    detection) so that a test changing one of them says so.
    """
    base = {
        "name": "dyad",
        "start": "2024-01-01",
        "horizon_days": 30,
        "replicates": 100,
        "seed": 11,
        "rationality": 1.0,
        "actors": {
            "Blue": {"type": "state", "rivals": ["Red"]},
            "Red": {"type": "state", "rivals": ["Blue"]},
        },
        "perception": {"default": {"default": {"offense_bias": 0.0, "noise": 0.0}}},
    }
    return merge(base, overrides)


def proxy_data(**overrides: Any) -> dict:
    """Patron and Rival (states), a Host government, and the Patron's Proxy militia on its soil.

    Rival keeps forces in Host, so the proxy can hit them there; Rival attributes the proxy's moves
    to the patron half of the time. The proxy is aggrieved and loosely controlled, and defensive
    moves are read with some offense bias: at the defaults most replicates see lethal proxy
    violence and a few a direct clash, so outcomes vary between replicates.
    """
    base = {
        "name": "proxy_war",
        "start": "2024-01-01",
        "horizon_days": 30,
        "replicates": 100,
        "seed": 5,
        "rationality": 1.0,
        "actors": {
            "Patron": {"type": "state", "rivals": ["Rival"], "initial_threat": {"Rival": 0.3}},
            "Rival": {
                "type": "state",
                "rivals": ["Patron"],
                "present_in": ["Host"],
                "initial_threat": {"Patron": 0.3, "Proxy": 0.3},
            },
            "Host": {"type": "host", "security": 0.2, "initial_threat": {"Proxy": 0.2}},
            "Proxy": {
                "type": "militia",
                "patron": "Patron",
                "host": "Host",
                "control": 0.4,
                "resolve": 0.9,
                "risk_tolerance": 0.7,
                "grievance": 0.8,
                "initial_threat": {"Rival": 0.3},
            },
        },
        "perception": {
            "default": {"default": {"offense_bias": 0.5, "noise": 0.1}},
            "Rival": {"Proxy": {"attribution": 0.5}},
        },
    }
    return merge(base, overrides)


def make_dyad(**overrides: Any) -> Scenario:
    """The Blue/Red dyad with keyword overrides merged in, validated."""
    return validate_scenario(dyad_data(**overrides), "<dyad>")


def make_proxy(**overrides: Any) -> Scenario:
    """The patron / rival / host / proxy world with overrides merged in, validated."""
    return validate_scenario(proxy_data(**overrides), "<proxy>")


# -- statistics ---------------------------------------------------------------------------------


def cochran_armitage(scores, successes, trials) -> float:
    """Cochran-Armitage trend statistic z for k_i/n_i against scores x_i (> 0: rising)."""
    x = np.asarray(scores, dtype=float)
    k = np.asarray(successes, dtype=float)
    n = np.asarray(trials, dtype=float)
    p = k.sum() / n.sum()
    t = np.sum(x * (k - n * p))
    var = p * (1 - p) * (np.sum(n * x**2) - np.sum(n * x) ** 2 / n.sum())
    if not var > 0:
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


def events_of(rec) -> dict[str, np.ndarray]:
    """The run's event log (violent, covert and forced moves), sorted by replicate and day."""
    ev = rec.event_columns()
    order = np.lexsort((ev["actor"], ev["day"], ev["replicate"]))
    return {k: v[order] for k, v in ev.items()}


def first_violence_by(model: EscalationModel, rec, side: list[int], target: int) -> np.ndarray:
    """Per replicate, whether its first violent move is made by ``side`` against ``target``."""
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


# -- Property 1: no dilemma, no spiral ------------------------------------------------------------

#: Property 1 must hold at the baseline's decision noise, not at a λ that hides it.
BASELINE_RATIONALITY = 1.5
P1_BIASES = (0.0, 0.2, 0.4, 0.6, 0.8)


def no_dilemma_dyad(make_dyad: Make, offense_bias: float = 0.0) -> Scenario:
    """Property 1's world: two security seekers, no grievance, no events, no noise, λ = 1.5.

    Each starts with a threat of 0.5 from the other and resolve 0.8, so a build-up is its best reply
    on day 0, and only the way the other reads that build-up (``offense_bias``) decides whether
    threat and beliefs feed on themselves (the world of ``no_dilemma_overrides`` in
    tests/test_model_properties.py: 120 days, 2,000 replicates, seed 2024).
    """
    actor = {"resolve": 0.8, "risk_tolerance": 0.2}
    return make_dyad(
        horizon_days=120,
        replicates=2000,
        seed=2024,
        rationality=BASELINE_RATIONALITY,
        actors={
            "Blue": dict(actor, initial_threat={"Red": 0.5}),
            "Red": dict(actor, initial_threat={"Blue": 0.5}),
        },
        perception={"default": {"default": {"offense_bias": offense_bias, "noise": 0.0}}},
    )


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
    """Replicates in which the restrained actors broke the cap, with and without the restraint.

    Counted: a move at or above the restrained rung by the last day of the window or order (seed 7).
    """
    drop, names, rung, until = BASELINE_RESTRAINTS[which]
    replicates = replicates or P4_BASELINE_REPLICATES[which]
    last_day = baseline_last_day(until)
    counts = {}
    for label, scenario in (
        ("with", load_scenario(BASELINE)),
        ("without", baseline_without(**drop)),
    ):
        model = build(scenario, replicates=replicates, seed=7)
        rec = model.run()
        ev = events_of(rec)
        who = [model.index_of[n] for n in names]
        hit = (ev["rung"] >= model.ladder.index(rung)) & np.isin(ev["actor"], who)
        hit &= (ev["day"] <= last_day) & ~ev["forced"]
        counts[label] = len(np.unique(ev["replicate"][hit]))
    return {"counts": counts, "replicates": replicates, "last_day": last_day}


DETERRENCE_LEVELS = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5)
DETERRENCE_WAYS = ("resolve_estimate", "capability_estimate", "true capability")
US_RESOLVE_ESTIMATES = (0.3, 0.45, 0.6, 0.75, 0.9)
P5_REPLICATES = 1000


def deterrence_dyad(make_dyad: Make, how: str, value: float) -> Scenario:
    """Blue (aggrieved, resolute) facing a calm Red that would only answer.

    ``how`` says what of Red's Blue sees. Red has every rung (a target with nothing to hit back
    with deters nothing), but no grievance, no threat and no bias: it does not start anything.
    """
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
    return {
        "level": list(levels),
        "started": started,
        "red_first": red_first,
        "replicates": replicates,
    }


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


ATTACK_RATE_BAND = (1.0, 2.0)
#: F06: 2 of 78 attacks killed an American (May 2019 - Oct 2020); the 95 % Wilson interval of 2/78.
DEATH_BAND = wilson_interval(2, 78)
P8_REPLICATES = 2000


def measure_p8_baseline(build: Build, replicates=P8_REPLICATES) -> dict:
    """The baseline, seed 7 (the numbers of scenarios/README.md): militia attacks and deaths.

    Militia attacks per replicate, and each militia attack on the US with the deaths it caused.
    """
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


def us_answers(model: EscalationModel, ev: dict, window: int = 7) -> dict[str, int]:
    """Whom the US strikes first after a militia attack killed Americans.

    For each replicate's first such attack (with no US violence before it), the target of the first
    US violent move within ``window`` days, counted as militia, patron or none.
    """
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


def hindcast_variant(strike: str) -> Scenario:
    """The hindcast with Iran's strike of 8 Jan 2020 calibrated, removed or made deadly.

    `calibrated` is history (no deaths); `removed` drops the strike; `deadly` kills ten Americans.
    """
    data = scenario_data(load_scenario(HINDCAST))
    events = data["events"]
    where = [
        i
        for i, e in enumerate(events)
        if e["kind"] == "action" and e["actor"] == "Iran" and e["date"] == "2020-01-08"
    ]
    if len(where) != 1:
        raise ValueError("the hindcast must force Iran's strike of 8 January 2020")
    event = events[where[0]]
    if event["rung"] != "limited_strike" or event.get("deaths") != 0:
        raise ValueError(
            f"Iran's strike of 8 January 2020 must be a limited strike with no deaths: {event}"
        )
    if strike == "removed":
        del events[where[0]]
    elif strike == "deadly":
        event["deaths"] = 10
    return validate_scenario(data, f"<hindcast, strike {strike}>")


def measure_hindcast(build: Build, strike: str = "calibrated", replicates=P8_REPLICATES) -> dict:
    """Replicates in which the round stopped after 8 Jan 2020, and with war (seed 7).

    Stopped: no unforced state-on-state violence from 9 Jan 2020 on, for one variant of Iran's
    strike.
    """
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


# -- Property 10: crises can end ------------------------------------------------------------------


def war_dyad(make_dyad: Make, **dynamics: float) -> Scenario:
    """A war started on day 0 by Red's forced major strike on Blue; 120 days, seed 21.

    Both states have resolve 0.7 and nothing else pushes them: whether and when the war ends in a
    ceasefire is up to weariness and the choice of de-escalation (the world of ``war_world`` in
    tests/test_mechanisms.py).
    """
    return make_dyad(
        horizon_days=120,
        replicates=300,
        rationality=1.5,
        seed=21,
        actors={"Blue": {"resolve": 0.7}, "Red": {"resolve": 0.7}},
        dynamics=dynamics,
        events=[
            {
                "date": "2024-01-01",
                "kind": "action",
                "actor": "Red",
                "rung": "major_strike",
                "target": "Blue",
            }
        ],
    )
