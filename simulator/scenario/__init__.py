"""Scenario files: the typed schema, safe YAML loading with located errors, overrides."""

from simulator.scenario.loading import ScenarioError, load_scenario, validate_scenario
from simulator.scenario.schema import Scenario

__all__ = ["Scenario", "ScenarioError", "load_scenario", "validate_scenario", "scenario_data"]


def scenario_data(scenario: Scenario) -> dict:
    """The scenario as plain JSON-ready data that :func:`validate_scenario` reads back."""
    return scenario.model_dump(mode="json", by_alias=True, exclude_none=True)
