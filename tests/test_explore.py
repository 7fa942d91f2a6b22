"""The live explorer's logic (``simulator.explore.session``) and its command's checks.

The page itself is tested in a real browser by test_browser_explore.py; here, without a server:
which numbers get sliders and over what ranges, settings turned into scenarios or messages, the
numbers an update shows against the library's own ``simulate`` + ``summarize``, tracing, saving,
and ``escalation explore``'s refusals (exit status 2, nothing started).
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import mesa
import numpy as np
import pytest
import yaml
from conftest import BASELINE, call, flat, write_small

from simulator.cli import build_parser
from simulator.experiment.limits import OptionError
from simulator.experiment.run import build_manifest
from simulator.experiment.simulate import simulate
from simulator.explore import DEFAULT_REPLICATES, cli
from simulator.explore.session import (
    MAX_REPLICATES,
    CancelledError,
    Explorer,
    SaveError,
    compute,
    default_paths,
    make_param,
    save_results,
    save_scenario,
    scenario_data,
    trace_lines,
    update,
)
from simulator.results.reader import load_run
from simulator.results.summary import summarize
from simulator.scenario import ScenarioError, load_scenario
from simulator.scenario.problems import value_at

R = 120  # replicates per update in these tests: enough for every outcome path, fast


@pytest.fixture(autouse=True)
def _in_tmp_path(in_tmp_path):
    """Run every test from its own tmp_path: saved files and results/ land there."""


@pytest.fixture(scope="module")
def explorer() -> Explorer:
    return Explorer.open(BASELINE, replicates=R)


def with_value(explorer: Explorer, path: str, value: float) -> tuple[tuple[str, float], ...]:
    return tuple((p, value if p == path else v) for p, v in explorer.defaults())


# -- the sliders ------------------------------------------------------------------------------
def test_default_sliders_are_numbers_of_the_baseline(explorer):
    assert [p.path for p in explorer.params] == [
        "actors.KH.control",
        "actors.FrontGroups.control",
        "actors.US.risk_tolerance",
        "actors.Iran.risk_tolerance",
        "perception.default.default.offense_bias",
        "dynamics.deterrence",
    ]
    data = scenario_data(explorer.scenario)
    for p in explorer.params:
        assert value_at(data, p.loc) == p.value
        assert p.low <= p.value <= p.high
    assert explorer.param("actors.KH.control").label == "Kata'ib Hezbollah (core proxy): control"
    assert "P(obeying an order)" in explorer.param("actors.KH.control").help
    assert explorer.replicates == R


def test_default_sliders_of_small_scenarios_exist(make_scenario, make_proxy_scenario):
    for scenario in (make_scenario(), make_proxy_scenario()):
        paths = default_paths(scenario)
        assert 4 <= len(paths) <= 7, paths
        data = scenario_data(scenario)
        for path in paths:
            make_param(scenario, path, "<test>")  # raises if it names no number
            assert isinstance(value_at(data, tuple(path.split("."))), float)


@pytest.mark.parametrize(
    ("path", "low", "high", "step", "integer"),
    [
        ("actors.KH.control", 0.0, 1.0, 0.01, False),  # a share: the schema's [0, 1]
        ("dynamics.memory", 0.0, 0.99, 0.01, False),  # [0, 1): one step short of 1
        ("dynamics.deterrence", 0.0, 10.0, 0.1, False),  # [0, 10] is narrow enough to keep
        ("dynamics.action_cost", 0.0, 20.0, 0.2, False),  # [0, 100] cut to ≈ 4 × 3.0
        ("dynamics.precision", 1.0, 100.0, 1.0, False),  # (0, 1000] cut, open at 0
        ("actors.US.initial_threat.Iran", 0.0, 5.0, 0.05, False),  # a mapping's values
        ("horizon_days", 1.0, 500.0, 1.0, True),  # whole days, [1, 3650] cut
        ("seed", 0.0, 50.0, 1.0, True),  # [0, 2^63) cut
        ("actors.US.red_lines.0.delay_max", 1.0, 10.0, 1.0, True),  # inside a list item
    ],
)
def test_slider_ranges_come_from_the_schema(explorer, path, low, high, step, integer):
    p = make_param(explorer.scenario, path, str(BASELINE))
    assert (p.low, p.high, p.step, p.integer) == pytest.approx((low, high, step, integer))
    assert p.low <= p.value <= p.high


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("actors.XX.control", "'XX' is not in actors"),
        ("dynamics.memroy", "did you mean 'memory'?"),
        ("actors.KH", "names a block of fields"),
        ("actors.KH.label", "names text"),
        ("actors.US.rationality", "does not set it"),
        ("actors.US.red_lines.3.threshold", "'3' is not an index of actors.US.red_lines"),
        ("replicates", "has its own control"),
        ("sweep.replicates", "do not change a run"),
    ],
)
def test_param_naming_no_number_is_refused(explorer, path, words):
    with pytest.raises(OptionError) as err:
        make_param(explorer.scenario, path, str(BASELINE))
    assert str(err.value).startswith(f"--param {path}")
    assert words in str(err.value)


# -- settings, results ------------------------------------------------------------------------
def test_update_matches_simulate_and_summarize(explorer):
    settings = with_value(explorer, "actors.KH.control", 0.3)
    view = update(None, explorer, settings, R)
    assert view.message is None and view.result is not None
    result = view.result
    # the same settings through the library's front door: --set on the file, then simulate
    scenario = load_scenario(BASELINE, ["actors.KH.control=0.3", f"replicates={R}"])
    assert result.scenario == scenario
    tables = simulate(scenario)
    summary = summarize(build_manifest(scenario, "", ""), tables.runs)
    assert [(o.name, o.count, o.low, o.high) for o in result.outcomes] == [
        (o.name, o.count, o.low, o.high) for o in summary.outcomes
    ]
    assert result.metrics == summary.metrics
    assert result.replicates == R == sum(o.count for o in result.outcomes)
    for column, values in result.fan.items():
        np.testing.assert_array_equal(values, tables.daily[column].to_numpy())
    np.testing.assert_array_equal(result.p_clash, tables.daily["p_direct_clash"].to_numpy())
    np.testing.assert_array_equal(result.p_war, tables.daily["p_war"].to_numpy())
    assert result.dates[0] == scenario.start and len(result.dates) == scenario.horizon_days


def test_a_slider_changes_the_result(explorer):
    loose = update(None, explorer, with_value(explorer, "actors.KH.control", 0.0), R).result
    tight = update(None, explorer, with_value(explorer, "actors.KH.control", 1.0), R).result
    assert loose is not None and tight is not None
    assert [o.count for o in loose.outcomes] != [o.count for o in tight.outcomes]


def test_invalid_setting_shows_the_message_and_keeps_the_last_result(explorer):
    days = Explorer.open(BASELINE, ["horizon_days", "actors.KH.control"], replicates=R)
    good = update(None, days, days.defaults(), R)
    assert good.result is not None and good.message is None
    # ten days: the baseline's dated events fall outside the scenario (a cross-field check)
    bad = update(good, days, (("horizon_days", 10.0), ("actors.KH.control", 0.5)), R)
    assert bad.result is good.result
    assert bad.message is not None
    assert f"{BASELINE}:131: events.0.date: 2020-12-31 is outside the scenario" in bad.message
    # a replicate count out of range is a message too, and keeps the result
    none = update(good, days, days.defaults(), 0)
    assert none.result is good.result and none.message == "replicates 0: must be at least 1."
    huge = update(good, days, days.defaults(), MAX_REPLICATES + 1)
    assert huge.result is good.result and "at most 100,000" in str(huge.message)
    # and with no earlier result there is nothing to keep
    assert update(None, days, (("horizon_days", 10.0),), R).result is None


def test_integer_slider_values_are_whole_numbers(explorer):
    days = Explorer.open(BASELINE, ["seed"], replicates=R)
    scenario = days.scenario_for((("seed", 11.4),), R)
    assert scenario.seed == 11 and isinstance(scenario.seed, int)


def test_compute_can_be_cancelled_and_releases_its_model(explorer):
    scenario = explorer.scenario_for(explorer.defaults(), R)
    asked = []

    def cancelled() -> bool:
        asked.append(1)
        return len(asked) > 5  # stop on the sixth simulated day

    with pytest.raises(CancelledError):
        compute(scenario, cancelled=cancelled)
    assert not [m for m in mesa.Agent._ids if getattr(m, "scenario", None) is scenario]


# -- tracing ----------------------------------------------------------------------------------
def test_trace_tells_the_replicate_of_the_result(explorer):
    result = update(None, explorer, with_value(explorer, "actors.KH.control", 0.3), R).result
    assert result is not None
    lines = trace_lines(result, 7)
    assert lines[0] == "Scenario baseline, replicate 7"
    labels = {o.name: o.label for o in result.outcomes}
    assert lines[-1] == f"\nOutcome: {labels[result.outcome_of(7)]}"
    assert not any(line.startswith("WARNING") for line in lines)
    assert len(trace_lines(result, 7, quiet_days=True)) >= len(lines)
    with pytest.raises(OptionError, match=f"replicates 0 to {R - 1}"):
        trace_lines(result, R)


# -- saving -----------------------------------------------------------------------------------
def test_saved_scenario_reads_back_as_the_settings(explorer, tmp_path):
    settings = with_value(explorer, "dynamics.deterrence", 2.5)
    path = save_scenario(explorer, settings, R, tmp_path / "explored.yaml")
    text = path.read_text(encoding="utf-8")
    assert text.startswith(f"# Saved by `escalation explore` from {BASELINE}")
    assert "#   dynamics.deterrence: 2.5 (0.6)" in text
    back = load_scenario(path)
    assert back == explorer.scenario_for(settings, R)
    assert back.dynamics.deterrence == 2.5 and back.replicates == R
    assert back.events == explorer.scenario.events  # everything else as in the file
    with pytest.raises(SaveError, match="exists"):
        save_scenario(explorer, settings, R, path)
    days = Explorer.open(BASELINE, ["horizon_days"], replicates=R)
    with pytest.raises(ScenarioError, match="outside the scenario"):
        save_scenario(days, (("horizon_days", 10.0),), R, tmp_path / "invalid.yaml")
    assert not (tmp_path / "invalid.yaml").exists()
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix != ".lock") == ["explored.yaml"]


def test_saved_results_are_a_run_folder(capsys, explorer, tmp_path):
    settings = with_value(explorer, "actors.KH.control", 0.3)
    result = update(None, explorer, settings, R).result
    assert result is not None
    folder = save_results(explorer, result, tmp_path / "explored")
    run = load_run(folder)
    assert run.manifest["kind"] == "run" and run.manifest["replicates"] == R
    assert run.manifest["command"] == (
        f"escalation run {BASELINE} --replicates {R} --set actors.KH.control=0.3"
    )
    assert list(run.runs["outcome"]) == list(result.tables.runs["outcome"])
    code, out, err = call(capsys, "summary", folder)
    assert code == 0, err
    for o in result.outcomes:
        assert f"{o.probability:.1%}" in out
    code, out, err = call(capsys, "trace", folder, "--replicate", "7")
    assert code == 0, err
    assert out.splitlines() == "\n".join(trace_lines(result, 7)).splitlines()
    # the manifest's command reproduces the run
    rerun = tmp_path / "rerun"
    argv = run.manifest["command"].split()[1:]
    code, _, err = call(capsys, *argv, "--out", rerun, "--quiet", "--no-plots")
    assert code == 0, err
    assert list(load_run(rerun).runs["outcome"]) == list(result.tables.runs["outcome"])
    with pytest.raises(Exception, match="already exists"):
        save_results(explorer, result, folder)


# -- the command ------------------------------------------------------------------------------
def explore(capsys, *argv: str | Path) -> tuple[int, str, str]:
    """``escalation explore ARGV`` in-process, through main()."""
    return call(capsys, "explore", *argv)


@pytest.fixture
def no_server(monkeypatch):
    """Fail the test if anything tries to start a server."""

    def refuse(*args, **kwargs):
        raise AssertionError("a server was started")

    monkeypatch.setattr(cli, "start_server", refuse)
    monkeypatch.setattr(cli, "prepare_assets", refuse)


def broken_copy(folder: Path) -> Path:
    path = folder / "broken.yaml"
    text = BASELINE.read_text(encoding="utf-8")
    path.write_text(text.replace("    control: 0.4 ", "    contrl: 0.4 "), encoding="utf-8")
    return path


@pytest.mark.skipif(importlib.util.find_spec("solara") is None, reason="solara not installed")
def test_invalid_file_gets_the_validate_message_and_exit_2(capsys, tmp_path, no_server):
    for path in (broken_copy(tmp_path), tmp_path / "missing.yaml"):
        _, _, validated = call(capsys, "validate", path)
        code, out, err = explore(capsys, path)
        assert code == 2
        assert out == ""
        assert flat(err).removeprefix("error: ") == flat(validated).removeprefix("invalid: ")


@pytest.mark.skipif(importlib.util.find_spec("solara") is None, reason="solara not installed")
@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (("--param", "actors.KH.contrl"), "--param actors.KH.contrl: names no number of"),
        (("--param", "actors.KH.label"), "names text"),
        (("--replicates", "0"), "--replicates 0: must be at least 1."),
        (("--replicates", "many"), "--replicates 'many': expected a whole number."),
        (("--port", "70000"), "--port 70000: expected 0"),
    ],
)
def test_bad_options_exit_2(capsys, no_server, argv, words):
    code, out, err = explore(capsys, BASELINE, *argv)
    assert code == 2
    assert words in flat(err)


@pytest.mark.skipif(importlib.util.find_spec("solara") is None, reason="solara not installed")
def test_busy_port_exits_2(capsys, no_server):
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        code, _, err = explore(capsys, BASELINE, "--port", str(port))
    assert code == 2
    assert f"--port {port}: cannot serve there" in err


def test_missing_solara_says_how_to_install(capsys, monkeypatch, no_server):
    real = importlib.util.find_spec
    monkeypatch.setattr(
        cli.importlib.util, "find_spec", lambda name, *a: None if name == "solara" else real(name)
    )
    code, _, err = explore(capsys, BASELINE)
    assert code == 2
    assert 'pip install -e ".[explore]"' in err and "solara" in err


def test_defaults_and_help():
    args = build_parser().parse_args(["explore", str(BASELINE)])
    assert (args.params, args.replicates, args.port, args.host) == ([], "2000", "0", "127.0.0.1")
    assert DEFAULT_REPLICATES == 2000


def test_command_module_imports_no_web_framework():
    """`escalation --help` must stay fast: the explorer's command imports Solara only to serve."""
    code = (
        "import sys, simulator.explore.cli; "
        "print(sorted(m for m in ('solara', 'altair', 'mesa', 'vl_convert') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_server_configuration(tmp_path):
    env = cli.server_env(Path("scenarios/x.yaml"), ["dynamics.memory"], 300)
    assert json.loads(env["ESCALATION_EXPLORE"]) == {
        "file": "scenarios/x.yaml",
        "params": ["dynamics.memory"],
        "replicates": 300,
    }
    assert env["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] == "False"


@pytest.mark.skipif(importlib.util.find_spec("solara") is None, reason="solara not installed")
def test_page_assets_follow_the_installed_solara():
    packages = [a.package for a in cli.page_assets()]
    assert any(p.startswith("@widgetti/solara-vuetify") for p in packages), packages
    assert any(p.startswith("requirejs@") for p in packages), packages


# -- the page's pieces that need no browser ----------------------------------------------------
@pytest.mark.skipif(importlib.util.find_spec("solara") is None, reason="solara not installed")
def test_charts_are_valid_vega_lite_and_draw(explorer):
    from simulator.explore import app

    result = update(None, explorer, explorer.defaults(), R).result
    assert result is not None
    for chart in (app.outcome_chart(result), app.fan_chart(result), app.clash_chart(result)):
        chart.to_dict()  # validates against the Vega-Lite schema
    charts = app.draw_charts(result)
    assert charts is not None and set(charts) == {"outcomes", "fan", "clash"}
    assert all(svg.lstrip().startswith("<svg") for svg in charts.values())
    assert app.draw_charts(result, cancelled=lambda: True) is None
    table = app.outcome_table(result)
    for o in result.outcomes:
        assert f'<tr data-outcome="{o.name}">' in table and f"{o.count:,}" in table


def test_small_scenario_opens_with_a_sweep_section_dropped(tmp_path):
    path = write_small(tmp_path, sweep={"params": {"actors.KH.control": "0.3:1:3"}})
    assert yaml.safe_load(path.read_text(encoding="utf-8"))["sweep"]
    explorer = Explorer.open(path, replicates=R)
    assert explorer.scenario.sweep is None
    assert explorer.scenario_for(explorer.defaults(), R).horizon_days == 20
