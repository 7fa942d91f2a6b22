"""Helpers for the tests of scenario files: writing variants of the baseline, reading the errors.

Expected line numbers are computed from the text written, so the tests follow edits to the
baseline scenario.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from simulator.cli import main
from simulator.scenario.loading import ScenarioError, load_scenario

BASELINE = Path(__file__).resolve().parents[1] / "scenarios" / "baseline.yaml"

#: A compact valid scenario: a state, its proxy and the host government the proxy operates in
#: (something for it to target), 30 days from 1 January 2021.
MINI = """\
name: mini
start: 2021-01-01
horizon_days: 30
actors:
  Iran:
    type: state
  KH:
    type: militia
    patron: Iran
    control: 0.5
    host: Iraq
  Iraq:
    type: host
"""


def write(tmp_path: Path, text: str, name: str = "scenario.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def mutate(text: str, old: str, new: str) -> str:
    """Replace exactly one occurrence of ``old`` (fail loudly if the baseline changed)."""
    assert text.count(old) == 1, f"expected exactly one {old!r} in the scenario text"
    return text.replace(old, new)


def line_of(text: str, needle: str, nth: int = 0) -> int:
    """1-based line number of the ``nth`` line containing ``needle``."""
    hits = [i for i, line in enumerate(text.splitlines(), start=1) if needle in line]
    assert len(hits) > nth, f"{needle!r} not found {nth + 1} time(s)"
    return hits[nth]


def error_of(path: Path, overrides: tuple[str, ...] | list[str] = ()) -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        load_scenario(path, overrides)
    err = info.value
    assert err.problems, "a ScenarioError must carry at least one problem"
    assert str(err) == "\n".join(err.problems)
    return err


def only_problem(err: ScenarioError) -> str:
    assert len(err.problems) == 1, err.problems
    return err.problems[0]


def validate_cli(capsys, *argv: str | os.PathLike) -> tuple[int, str]:
    """``escalation validate ARGV`` in-process: exit status and what it wrote to stderr."""
    capsys.readouterr()
    code = main(["validate", *map(str, argv)])
    return code, capsys.readouterr().err
