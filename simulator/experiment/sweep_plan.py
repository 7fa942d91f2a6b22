"""From a sweep file or ``sweep:`` section plus command-line options to a :class:`Design`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from simulator.experiment.designs import Design, DesignError, parse_parameter
from simulator.experiment.run import resolve
from simulator.scenario import Scenario, scenario_data
from simulator.scenario.loading import load_sweep, parse_path
from simulator.scenario.schema import SweepSpec

DEFAULT_REPLICATES = 200


def design_from(args: Any) -> tuple[Design, int, Scenario, Path]:
    """The design, replicates per point, scenario and scenario path a ``sweep`` command asks for.

    Command-line options override the file's ``sweep`` settings; ``--param`` adds a parameter
    or replaces the file's entry for the same path.
    """
    scenario, spec, source = load_sweep(args.file, args.overrides)
    scenario = resolve(scenario, None, args.seed)
    spec = spec or SweepSpec.model_construct(params={}, design="grid")
    entries = {path: _spec_text(value) for path, value in spec.params.items()}
    for text in args.param:
        path, _, value = text.partition("=")
        entries[path.strip()] = value.strip()
    base = scenario_data(scenario)
    parameters = tuple(
        parse_parameter(f"{path}={value}", integer=_is_integer(base, path))
        for path, value in entries.items()
    )
    if not parameters:
        raise DesignError(
            f"{args.file}: nothing to sweep; give --param PATH=lo:hi:n (repeatable) or a "
            "`sweep:` section with `params`."
        )
    design = Design(
        kind=args.design or spec.design,
        parameters=parameters,
        points=args.points or spec.points,
        seed=scenario.seed,
        second_order=bool(args.second_order or spec.second_order),
        levels=args.levels or spec.levels,
    )
    replicates = args.replicates or (spec.replicates if spec.params else DEFAULT_REPLICATES)
    return design, replicates, scenario, source


def _spec_text(value: str | list[float]) -> str:
    return value if isinstance(value, str) else ",".join(repr(float(v)) for v in value)


def _is_integer(base: dict, path: str) -> bool:
    """Whether the scenario holds an integer at ``path`` (so design values are rounded)."""
    node: Any = base
    for part in parse_path(path):
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return False
    return isinstance(node, int) and not isinstance(node, bool)
