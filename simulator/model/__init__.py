"""The agent-based model: ladder, perception, actors (Mesa agents), events, world, outcomes."""

from simulator.model.outcomes import OUTCOME_LABELS, OUTCOMES
from simulator.model.world import EscalationModel

__all__ = ["EscalationModel", "OUTCOMES", "OUTCOME_LABELS"]
