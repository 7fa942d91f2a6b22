"""The names a run's tables and the command line share: outcome classes and event-log modes.

Kept free of numpy, so that building the command line (``escalation --help``) and reading the
names of the outcomes loads nothing else; :mod:`simulator.model.outcomes` re-exports them.
"""

from __future__ import annotations

#: outcome classes, most severe first (MODEL.md, "Outcomes")
OUTCOMES = ("war", "direct_clash", "proxy_violence", "contained", "de_escalated")
OUTCOME_LABELS = {
    "war": "State-on-state war",
    "direct_clash": "Direct clash short of war",
    "proxy_violence": "Proxy violence",
    "contained": "Contained",
    "de_escalated": "De-escalated",
}
#: event-log modes: which moves go to events.parquet
EVENT_LOGS = ("default", "all", "none")
