"""Scenario files: the typed schema, safe YAML loading with located errors, overrides."""

from simulator.scenario.loading import (
    ScenarioError,
    load_scenario,
    scenario_data,
    validate_scenario,
)
from simulator.scenario.schema import Scenario

__all__ = ["Scenario", "ScenarioError", "load_scenario", "validate_scenario", "scenario_data"]
