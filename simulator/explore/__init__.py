"""The live explorer (``escalation explore``): sliders over a scenario's numbers, re-run on change.

:mod:`~simulator.explore.session` holds the logic (which numbers get a slider and over what
range, a setting turned into a validated scenario or its validation message, a result computed
and saved) and imports no web framework; :mod:`~simulator.explore.app` is the Solara page over
it, and :mod:`~simulator.explore.cli` the command that checks its input and starts the server.
This package's own module imports nothing, so that ``escalation --help`` stays fast.
"""

#: replicates per update when ``--replicates`` is not given (≈ 0.6 s for the baseline, one core)
DEFAULT_REPLICATES = 2_000
#: the environment variable that passes the page its configuration (JSON: file, params,
#: replicates), from ``escalation explore`` to the Solara server it starts
CONFIG_ENV = "ESCALATION_EXPLORE"
