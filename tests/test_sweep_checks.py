"""A sweep, in a scenario's ``sweep:`` section or a sweep file, is checked when it is loaded.

``validate`` (and ``run``) used to accept a broken ``sweep:`` section, which only ``sweep`` then
rejected, naming command-line flags the user never gave. Now each parameter's text must parse,
its path must name a number of the scenario, every value the sweep gives it must leave a valid
scenario, and the design must have what it needs; messages point at the sweep's file and line.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from scenario_files import BASELINE, error_of, line_of, mutate, only_problem, validate_cli, write

from simulator.scenario.loading import ScenarioError, load_sweep
from simulator.scenario.sweep_spec import SpecRange, parse_spec

SWEEP_FILE = BASELINE.parent / "sweeps" / "bias_x_control.yaml"


@pytest.fixture(scope="module")
def baseline_text() -> str:
    return BASELINE.read_text(encoding="utf-8")


def with_sweep(text: str, params: dict[str, str], **fields: object) -> str:
    """The scenario with a ``sweep:`` section (the parameter texts quoted as given)."""
    lines = ["sweep:", *(f"  {k}: {v}" for k, v in fields.items()), "  params:"]
    lines += [f"    {path}: {spec}" for path, spec in params.items()]
    return text + "\n".join(lines) + "\n"


def sweep_refused(capsys, tmp_path: Path, text: str) -> tuple[Path, str]:
    path = write(tmp_path, text)
    message = only_problem(error_of(path))
    assert validate_cli(capsys, path) == (2, f"invalid: {message}\n")
    return path, message


# -- parameters tried on the scenario --------------------------------------------------------------
@pytest.mark.parametrize(
    ("param", "spec", "message"),
    [
        pytest.param(
            "actors.KH.contrl",
            "'0.3:1:3'",
            "at 0.3: unknown field 'contrl'; did you mean 'control'? (allowed: ",
            id="unknown-path",
        ),
        pytest.param(
            "actors.KH.control",
            "'0:2:3'",
            "at 2: Input should be less than or equal to 1 (got 2.0)",
            id="past-the-range",
        ),
        pytest.param(
            "name", "'0:1:2'", "at 0: Input should be a valid string (got 0.0)", id="not-a-number"
        ),
        pytest.param(
            "horizon_days",
            "'10:90:3'",
            "at 10, events.0.date: 2020-12-31 is outside the scenario (2020-12-20 to 2020-12-29, "
            "10 days)",
            id="horizon-too-short-for-the-events",
        ),
        pytest.param(
            "events.9.amount",
            "'0:1:2'",
            "cannot be swept: '9' is not an index of this list (0 to 8)",
            id="no-such-event",
        ),
    ],
)
def test_each_parameter_is_tried_at_its_extremes(
    capsys, tmp_path, baseline_text, param, spec, message
):
    text = with_sweep(baseline_text, {param: spec})
    path, found = sweep_refused(capsys, tmp_path, text)
    prefix = f"{path}:{line_of(text, f'    {param}:')}: sweep.params.{param}: "
    assert found.startswith(prefix + message), found


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("'a:b'", "'a' in 'a:b' is not a number; expected lo:hi:n, lo:hi or a,b,c"),
        ("'0:1:0'", "'0:1:0': the number of levels must be 1 to 10,000,000"),
        ("'0:1:2.5'", "'0:1:2.5': the number of levels '2.5' is not a whole number"),
        ("'1:0:3'", "'1:0:3': the upper bound 0 is below the lower bound 1"),
        ("'nan:1:3'", "'nan' in 'nan:1:3' is not a finite number"),
        ("'0:1:2:3'", "'0:1:2:3' has 4 parts; expected lo:hi:n or lo:hi"),
        ("''", "'' holds no values; expected lo:hi:n, lo:hi or a,b,c"),
        ("[]", "List should have at least 1 item after validation, not 0 (got a list)"),
        (
            "0:1.5",
            "expected a valid string or a valid list (got 1.5); text YAML could read as a "
            "number, such as 1:5:5, must be in quotes",
        ),
    ],
    ids=[
        "letters",
        "no-levels",
        "fractional-levels",
        "reversed",
        "nan",
        "four-parts",
        "empty",
        "empty-list",
        "unquoted",
    ],  # fmt: skip
)
def test_parameter_text_that_does_not_parse(capsys, tmp_path, baseline_text, spec, message):
    text = with_sweep(baseline_text, {"actors.KH.control": spec})
    path, found = sweep_refused(capsys, tmp_path, text)
    line = line_of(text, "    actors.KH.control:")
    assert found == f"{path}:{line}: sweep.params.actors.KH.control: {message}."


@pytest.mark.parametrize(
    ("fields", "spec", "where", "message"),
    [
        (
            {},
            "'0.3:1'",
            "params.actors.KH.control",
            "a grid needs lo:hi:n or a list of values; lo:hi gives only bounds (for the lhs, "
            "sobol, morris designs)",
        ),
        (
            {"design": "sobol", "points": 100},
            "'0.3:1'",
            "points",
            "a Sobol design needs a power of 2 (e.g. 128)",
        ),  # fmt: skip
        ({"design": "lhs"}, "'0.3:1'", "design", "the lhs design needs `points`"),
        (
            {"design": "morris", "points": 4},
            "'0.5,0.5'",
            "params.actors.KH.control",
            "a morris design needs a lower bound below the upper",
        ),
    ],
    ids=["grid-of-bounds", "sobol-not-a-power-of-2", "lhs-without-points", "morris-flat"],
)
def test_the_design_must_have_what_it_needs(
    capsys, tmp_path, baseline_text, fields, spec, where, message
):
    text = with_sweep(baseline_text, {"actors.KH.control": spec}, **fields)
    path, found = sweep_refused(capsys, tmp_path, text)
    line = line_of(text, "    actors.KH.control:" if "." in where else f"  {where}:")
    assert found == f"{path}:{line}: sweep.{where}: {message}."


def test_a_sound_sweep_section_validates(tmp_path, baseline_text):
    text = with_sweep(
        baseline_text,
        {"actors.KH.control": "'0.3:1:3'", "seed": "'0:10:3'", "dynamics.memory": "[0.5, 0.9]"},
    )
    scenario, spec, source = load_sweep(write(tmp_path, text))
    assert source.name == "scenario.yaml"
    assert spec is not None and set(spec.params) == {"actors.KH.control", "seed", "dynamics.memory"}
    assert scenario.sweep == spec


def test_sweep_problems_come_with_the_scenario_s_own(tmp_path, baseline_text):
    text = mutate(baseline_text, "    control: 0.75", "    control: 1.75")
    text = with_sweep(text, {"actors.KH.nope": "'0:1:2'"})
    path = write(tmp_path, text)
    assert [p.split(": ")[1] for p in error_of(path).problems] == [
        "actors.KH.control",
        "sweep.params.actors.KH.nope",
    ]


def test_the_design_can_be_left_to_the_caller(tmp_path, baseline_text):
    # `escalation sweep --design lhs --points 8` turns a grid of bounds into a valid design
    text = with_sweep(baseline_text, {"actors.KH.control": "'0.3:1'"})
    path = write(tmp_path, text)
    with pytest.raises(ScenarioError):
        load_sweep(path)
    _, spec, _ = load_sweep(path, design=False)
    assert spec is not None and spec.params == {"actors.KH.control": "0.3:1"}


# -- sweep files -----------------------------------------------------------------------------------
def sweep_file(tmp_path: Path, body: str) -> Path:
    """A sweep file next to a copy of the baseline."""
    write(tmp_path, BASELINE.read_text(encoding="utf-8"), "baseline.yaml")
    return write(tmp_path, "scenario: baseline.yaml\n" + body, "sweep.yaml")


def test_the_shipped_sweep_file_validates():
    scenario, spec, source = load_sweep(SWEEP_FILE)
    assert source.resolve() == BASELINE.resolve()
    assert spec.params == {
        "perception.Iran.US.offense_bias": "0:1:11",
        "actors.KH.control": "0.3:1:8",
    }
    assert scenario.name == "baseline"


def test_sweep_file_parameter_problems_point_into_the_sweep_file(capsys, tmp_path):
    path = sweep_file(tmp_path, "params:\n  actors.KH.control: '0:1.5:3'\n")
    message = only_problem(error_of_sweep(path))
    assert message == (
        f"{path}:3: params.actors.KH.control: at 1.5: Input should be less than or equal to 1 "
        "(got 1.5)."
    )


def test_sweep_file_set_problems_point_at_the_set_entry(tmp_path):
    path = sweep_file(tmp_path, "set:\n  actors.KH.control: 3\nparams:\n  seed: '0:3:2'\n")
    assert error_of_sweep(path).problems == [
        f"{path}:1: scenario: {tmp_path / 'baseline.yaml'} has problems:",
        f"{path}:3: set.actors.KH.control: Input should be less than or equal to 1 (got 3).",
    ]


def test_sweep_file_naming_a_missing_scenario(tmp_path):
    path = write(tmp_path, "scenario: nowhere.yaml\nparams:\n  seed: '0:3:2'\n", "sweep.yaml")
    assert error_of_sweep(path).problems == [
        f"{path}:1: scenario: {tmp_path / 'nowhere.yaml'} cannot be used:",
        f"{tmp_path / 'nowhere.yaml'}: no such scenario file.",
    ]


def error_of_sweep(path: Path) -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        load_sweep(path)
    return info.value


# -- the parser the sweep designs can share --------------------------------------------------------
@pytest.mark.parametrize(
    ("spec", "parsed"),
    [
        ("0:1:11", SpecRange(0.0, 1.0, 11)),
        (" 0.3 : 1 ", SpecRange(0.3, 1.0)),
        ("0.1,0.5, 0.9", SpecRange(values=(0.1, 0.5, 0.9))),
        ([0.2, 0.4], SpecRange(values=(0.2, 0.4))),
    ],
)
def test_parse_spec(spec, parsed):
    assert parse_spec(spec) == parsed
