"""Shared fixtures: small scenarios built as plain data, and models that clean up after themselves.

Scenarios are written here as Python dicts (not read from ``scenarios/``) so that each test states
the crisis it relies on; ``validate_scenario`` turns them into the same frozen ``Scenario`` a YAML
file would give.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from simulator.experiment.simulate import release
from simulator.model import EscalationModel
from simulator.scenario import Scenario, load_scenario, validate_scenario

BASELINE = Path(__file__).parents[1] / "scenarios" / "baseline.yaml"


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


@pytest.fixture
def make_scenario() -> Callable[..., Scenario]:
    """Factory: the Blue/Red dyad with keyword overrides merged in, validated."""

    def make(**overrides: Any) -> Scenario:
        return validate_scenario(dyad_data(**overrides), "<dyad>")

    return make


@pytest.fixture
def make_proxy_scenario() -> Callable[..., Scenario]:
    """Factory: the patron / rival / host / proxy scenario with overrides merged in, validated."""

    def make(**overrides: Any) -> Scenario:
        return validate_scenario(proxy_data(**overrides), "<proxy>")

    return make


@pytest.fixture(scope="session")
def baseline() -> Scenario:
    """The repository's baseline scenario: the realistic five-actor case."""
    return load_scenario(BASELINE)


@pytest.fixture
def build_model() -> Iterator[Callable[..., EscalationModel]]:
    """Factory for EscalationModel instances, released from Mesa's registry after the test."""
    models: list[EscalationModel] = []

    def build(scenario: Scenario, **kwargs: Any) -> EscalationModel:
        model = EscalationModel(scenario, **kwargs)
        models.append(model)
        return model

    yield build
    for model in models:
        release(model)
