"""Escalation scenario simulator: an agent-based model of the security dilemma in a crisis."""

__version__ = "0.1.0"
