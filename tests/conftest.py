"""Shared fixtures: small scenarios built as plain data, and models that clean up after themselves.

Scenarios are written here as Python dicts (not read from ``scenarios/``) so that each test states
the crisis it relies on; ``validate_scenario`` turns them into the same frozen ``Scenario`` a YAML
file would give.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from simulator.experiment.runner import release
from simulator.model import EscalationModel
from simulator.scenario import Scenario, load_scenario, validate_scenario

BASELINE = Path(__file__).parents[1] / "scenarios" / "baseline.yaml"


def _load_designs():
    """docs/validation/designs.py holds the small worlds the tests and the figures share."""
    path = Path(__file__).resolve().parents[1] / "docs" / "validation" / "designs.py"
    spec = importlib.util.spec_from_file_location("validation_designs", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


designs = _load_designs()
merge, dyad_data, proxy_data = designs.merge, designs.dyad_data, designs.proxy_data


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
