"""The agent-based model: ladder, perception, actors (Mesa agents), events, world, outcomes.

``EscalationModel`` is imported on first use, so that a light submodule (the outcome classes, the
ladder arrays) can be imported without loading Mesa, and the names of :mod:`.labels` without numpy.
"""

from typing import TYPE_CHECKING, Any

from simulator.model.labels import EVENT_LOGS, OUTCOME_LABELS, OUTCOMES

if TYPE_CHECKING:
    from simulator.model.world import EscalationModel

__all__ = ["EVENT_LOGS", "EscalationModel", "OUTCOMES", "OUTCOME_LABELS"]


def __getattr__(name: str) -> Any:
    if name == "EscalationModel":
        from simulator.model.world import EscalationModel

        return EscalationModel
    raise AttributeError(f"module 'simulator.model' has no attribute {name!r}")
