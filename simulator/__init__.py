"""Escalation scenario simulator: an agent-based model of the security dilemma in a crisis."""

from simulator.deferred import defer_all

__version__ = "0.1.0"

# before anything imports Mesa: its continuous space (and scipy.spatial) load only if used
defer_all()
