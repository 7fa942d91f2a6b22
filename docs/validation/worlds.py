"""The small worlds the validation figures simulate, written as plain data.

These are the scenarios of the validation tests (the Blue/Red dyad and the patron/proxy world of
``tests/conftest.py``, and the variants of ``tests/test_validation.py``), carried here so that
``make_figures.py`` never imports a test module. Keep the two in step: a design changed in the
tests must be changed here too, or VALIDATION.md quotes numbers of a different experiment.
"""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path
from typing import Any

from simulator.scenario import Scenario, load_scenario, scenario_data, validate_scenario

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
BASELINE = SCENARIOS / "baseline.yaml"
HINDCAST = SCENARIOS / "hindcast_2019_2020.yaml"


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
    """Two states, Blue and Red, each the other's only rival; a calm, perfectly perceiving world."""
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

    Rival keeps forces in Host and attributes the proxy's moves to the patron half of the time;
    the proxy is aggrieved and loosely controlled, so outcomes vary between replicates.
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
    """The Blue/Red dyad with ``overrides`` merged in, validated."""
    return validate_scenario(dyad_data(**overrides), "<dyad>")


def make_proxy(**overrides: Any) -> Scenario:
    """The patron / rival / host / proxy world with ``overrides`` merged in, validated."""
    return validate_scenario(proxy_data(**overrides), "<proxy>")


# -- property 4: restraint windows and orders ---------------------------------------------------

WINDOW_UNTIL = "2024-01-30"  # day 29 of the dyad


def window(strength: float = 1.0) -> dict:
    """The dyad's restraint window: nothing above a build-up until 30 January."""
    return {"until": WINDOW_UNTIL, "max_rung": "build_up", "strength": strength}


def window_last_day() -> int:
    """Day index of the window's last day in the dyad (day 0 = 1 Jan 2024)."""
    return (dt.date.fromisoformat(WINDOW_UNTIL) - dt.date(2024, 1, 1)).days


def spiral_dyad(window: dict | None, offense_bias: float = 1.2) -> Scenario:
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


def baseline_overrides(*overrides: str) -> Scenario:
    """The baseline with ``--set`` style overrides."""
    return load_scenario(BASELINE, list(overrides))


def baseline_without(
    *, order: bool = False, iran_window: bool = False, us_window: bool = False
) -> Scenario:
    """The baseline minus the patron's order and/or one side's restraint window."""
    data = scenario_data(load_scenario(BASELINE))  # a fresh dict each call
    if order:
        data["actors"]["Iran"]["orders"] = []
    if iran_window:
        data["actors"]["Iran"]["restraint"] = []
    if us_window:
        data["actors"]["US"]["restraint"] = []
    return validate_scenario(data, "<baseline variant>")


def baseline_order_last_day() -> int:
    """Day index of the last day of the baseline's patron order (20 Jan 2021: day 31)."""
    scenario = load_scenario(BASELINE)
    until = scenario.actors["Iran"].orders[0].until
    return (until - scenario.start).days


# -- property 5: deterrence ---------------------------------------------------------------------

#: Red can posture but has no violent rung, so every violent move in the dyad is Blue starting it.
PASSIVE_MENU = ["conciliatory", "status_quo", "verbal_threat", "show_of_force", "build_up"]


def deterrence_dyad(how: str, value: float) -> Scenario:
    """Blue (aggrieved, resolute) facing a passive Red; ``how`` says what of Red's Blue sees."""
    red: dict[str, Any] = {"menu": PASSIVE_MENU, "resolve": 0.6, "capability": 0.6}
    perception: dict[str, Any] = {"default": {"default": {"offense_bias": 0.0, "noise": 0.1}}}
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
