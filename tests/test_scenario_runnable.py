"""What ``validate`` accepts, ``run`` can run: every scenario fault that used to crash a run is
refused by validation with one located message, and ``escalation validate`` exits 2.

Each refusal is paired, where the line between right and wrong is fine, with the nearby valid
scenario running (three replicates, through the library).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from scenario_files import (
    BASELINE,
    MINI,
    error_of,
    line_of,
    mutate,
    only_problem,
    validate_cli,
    write,
)

from simulator.cli import main
from simulator.experiment.simulate import simulate
from simulator.scenario import load_scenario
from simulator.scenario.default_ladder import DEFAULT_LADDER

ACTORS = "US, Iran, Iraq, KH, FrontGroups"


@pytest.fixture(scope="module")
def baseline_text() -> str:
    return BASELINE.read_text(encoding="utf-8")


def refused(capsys, tmp_path: Path, text: str, *overrides: str) -> tuple[Path, str]:
    """Write ``text``; check the library and the CLI refuse it alike; return (path, message)."""
    path = write(tmp_path, text)
    message = only_problem(error_of(path, overrides))
    set_args = [arg for o in overrides for arg in ("--set", o)]
    assert validate_cli(capsys, path, *set_args) == (2, f"invalid: {message}\n")
    return path, message


def runs(tmp_path: Path, text: str) -> None:
    """The scenario validates and three replicates of it run."""
    tables = simulate(load_scenario(write(tmp_path, text, "valid.yaml")), replicates=3)
    assert len(tables.runs) == 3


def with_event(text: str, *lines: str) -> str:
    """The scenario with one more event (the baseline's events come last)."""
    return text + "".join(f"{'  - ' if i == 0 else '    '}{line}\n" for i, line in enumerate(lines))


# -- set events: the actor they leave must be sound ---------------------------------------------
@pytest.mark.parametrize(
    ("actor", "change", "field", "message"),
    [
        ("KH", "patron: Nope", "patron", f"unknown actor 'Nope'; allowed: {ACTORS}"),
        ("KH", "host: Iran", "host", "'Iran' is a state; this must be a host"),
        ("KH", "targets: [KH]", "targets.0", "a militia cannot target itself or its patron"),
        ("KH", "menu: [status_quo, nuke]", "menu.1", "unknown rung 'nuke'; allowed: agreement, "),
        (
            "KH",
            "menu: [status_quo, limited_strike]",
            "menu.1",
            "rung 'limited_strike' is not available to a militia",
        ),
        ("KH", "control: 1.5", "control", "Input should be less than or equal to 1 (got 1.5)"),
        ("US", "rivals: [Nope]", "rivals.0", f"unknown actor 'Nope'; allowed: {ACTORS}"),
        ("US", "rivals: [KH]", "rivals.0", "'KH' is a militia; this must be a state"),
        ("US", "present_in: [Iran]", "present_in.0", "'Iran' is a state; this must be a host"),
        ("US", "patron: Iran", "patron", "unknown field 'patron'; allowed: audience_cost, "),
        ("US", "type: militia", "type", "an event cannot change an actor's type"),
    ],
)
def test_set_event_leaving_an_unsound_actor_is_refused(
    capsys, tmp_path, baseline_text, actor, change, field, message
):
    text = with_event(
        baseline_text, "date: 2021-01-05", "kind: set", f"actor: {actor}", f"set: {{{change}}}"
    )
    path, found = refused(capsys, tmp_path, text)
    line = line_of(text, f"set: {{{change}}}")
    assert found.startswith(f"{path}:{line}: events.9.set.{field}: {message}")


def test_set_event_restraint_window_is_checked_like_the_actor_s_own(
    capsys, tmp_path, baseline_text
):
    change = "set: {restraint: [{until: 2021-01-25, max_rung: limited_strik}]}"
    text = with_event(baseline_text, "date: 2021-01-05", "kind: set", "actor: US", change)
    path, found = refused(capsys, tmp_path, text)
    assert found == (
        f"{path}:{line_of(text, change)}: events.9.set.restraint.0.max_rung: unknown rung "
        "'limited_strik'; did you mean 'limited_strike'? (allowed: agreement, conciliatory, "
        "status_quo, verbal_threat, show_of_force, build_up, tighten_security, raid, "
        "covert_action, harassment, lethal_attack, limited_strike, major_strike)."
    )


def test_sound_set_events_run(tmp_path, baseline_text):
    text = with_event(
        baseline_text,
        "date: 2021-01-05",
        "kind: set",
        "actor: FrontGroups",
        "set: {targets: [US], menu: [status_quo, lethal_attack], control: 0.9}",
    )
    runs(
        tmp_path,
        with_event(text, "date: 2021-01-06", "kind: set", "actor: US", "set: {rivals: []}"),
    )


def test_perception_event_blaming_an_unknown_actor_is_refused(capsys, tmp_path, baseline_text):
    change = "set: {attribute_to: Nope}"
    text = with_event(
        baseline_text, "date: 2021-01-05", "kind: perception", "observer: US", "actor: KH", change
    )
    path, found = refused(capsys, tmp_path, text)
    assert found == (
        f"{path}:{line_of(text, change)}: events.9.set.attribute_to: unknown actor 'Nope'; "
        f"allowed: {ACTORS}."
    )


# -- dates ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("start", "shown"), [("0", "0"), ("20201220", "20201220"), ("'0'", "'0'"), ("1.5", "1.5")]
)
def test_a_number_is_not_a_start_date(capsys, tmp_path, baseline_text, start, shown):
    text = mutate(baseline_text, "start: 2020-12-20 ", f"start: {start} ")
    path, found = refused(capsys, tmp_path, text)
    message = f"start: expected a date written YYYY-MM-DD (got {shown})."
    assert found == f"{path}:{line_of(text, 'start:')}: {message}"


@pytest.mark.parametrize(
    "start", ["9998-12-25", "9999-12-25"], ids=["past-the-last-day", "past-9999"]
)
def test_a_run_past_the_last_day_is_refused(capsys, tmp_path, baseline_text, start):
    text = mutate(baseline_text, "start: 2020-12-20 ", f"start: {start} ")
    path, found = refused(capsys, tmp_path, text.split("\nevents:")[0] + "\n")
    assert found == (
        f"{path}:{line_of(text, 'horizon_days:')}: horizon_days: 90 days from {start} run past "
        "9998-12-31, the last day a run may reach."
    )


def test_a_run_ending_on_the_last_day_runs_and_is_plotted(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = write(tmp_path, mutate(MINI, "start: 2021-01-01", "start: 9998-12-02"))
    capsys.readouterr()
    assert main(["run", str(path), "-n", "3", "--out", "last-day", "--quiet"]) == 0
    assert sorted(p.suffix for p in (tmp_path / "last-day" / "plots").iterdir()) == [".png"] * 5


def test_an_impossible_start_given_with_set_is_refused(capsys, tmp_path, baseline_text):
    _, found = refused(capsys, tmp_path, baseline_text, "start=2020-13-01")
    assert found == (
        "--set start: Input should be a valid date or datetime, month value is outside expected "
        "range of 1-12 (got '2020-13-01')."
    )


# -- restraint windows and orders ------------------------------------------------------------------
@pytest.mark.parametrize(
    ("window", "field", "message"),
    [
        ("from: 2021-01-25\n        until: 2021-01-19", "from", "'from' is after 'until'"),
        (
            "until: 2020-12-01",
            "until",
            "2020-12-01 is before the scenario starts (2020-12-20), so this would never apply",
        ),
        (
            "from: 2021-04-01\n        until: 2021-05-01",
            "from",
            "2021-04-01 is after the scenario's last day (2021-03-19), so this would never apply",
        ),
    ],
    ids=["reversed", "before-the-start", "after-the-end"],
)
def test_restraint_window_that_never_applies_is_refused(
    capsys, tmp_path, baseline_text, window, field, message
):
    text = mutate(baseline_text, "        until: 2021-01-19", f"        {window}")
    path, found = refused(capsys, tmp_path, text)
    line = line_of(text, f"{field}: 2")
    assert found == f"{path}:{line}: actors.US.restraint.0.{field}: {message}."


def test_order_that_never_applies_is_refused(capsys, tmp_path, baseline_text):
    text = mutate(
        baseline_text,
        "        until: 2021-01-20\n        max_rung: verbal_threat",
        "        from: 2021-01-21\n        until: 2021-01-20\n        max_rung: verbal_threat",
    )
    path, found = refused(capsys, tmp_path, text)
    line = line_of(text, "from: 2021-01-21")
    assert found == f"{path}:{line}: actors.Iran.orders.0.from: 'from' is after 'until'."


def test_windows_reaching_past_either_end_of_the_run_run(tmp_path, baseline_text):
    # a window may begin before the start or last past the end: it holds from the first day or
    # to the last; and overlapping windows are allowed (the model combines them)
    text = mutate(
        baseline_text,
        "        until: 2021-01-19",
        "        from: 2020-11-01\n        until: 2021-12-31",
    )
    text = mutate(
        text,
        "        strength: 0.9\n",
        "        strength: 0.9\n      - until: 2021-01-05\n        max_rung: show_of_force\n",
    )
    runs(tmp_path, text)


# -- who may be named where -----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("rivals", "item", "message"),
    [
        ("[Iran, KH]", 1, "'KH' is a militia; this must be a state"),
        ("[Iran, Iraq]", 1, "'Iraq' is a host; this must be a state"),
        ("[Iran, Iran]", 1, "'Iran' is listed twice (first as item 0)"),
    ],
    ids=["militia", "host", "twice"],
)
def test_rivals_must_be_distinct_states(capsys, tmp_path, baseline_text, rivals, item, message):
    text = mutate(baseline_text, "    rivals: [Iran]", f"    rivals: {rivals}")
    path, found = refused(capsys, tmp_path, text)
    assert found == f"{path}:{line_of(text, 'rivals: [Iran,')}: actors.US.rivals.{item}: {message}."


def test_forced_move_of_a_rung_the_actor_s_type_lacks_is_refused(capsys, tmp_path, baseline_text):
    text = mutate(
        baseline_text,
        "    actor: Iran\n    rung: show_of_force",
        "    actor: Iraq\n    rung: major_strike",
    )
    path, found = refused(capsys, tmp_path, text)
    assert found == (
        f"{path}:{line_of(text, 'rung: major_strike')}: events.7.rung: 'major_strike' is not "
        "available to a host ('Iraq'); it is a move for: state."
    )


def test_ladder_without_a_rung_for_a_type_in_use_is_refused(capsys, tmp_path):
    import yaml

    all_types = ["state", "host", "militia"]  # a rung without `actors` serves every type
    rungs = [
        {**r, "actors": [t for t in r.get("actors", all_types) if t != "militia"] or ["state"]}
        for r in DEFAULT_LADDER
    ]
    text = MINI + yaml.safe_dump({"ladder": rungs}, sort_keys=False)
    path, found = refused(capsys, tmp_path, text)
    assert found == (
        f"{path}:{line_of(text, 'ladder:')}: ladder: no rung lists 'militia' among its actors, so "
        "KH would have no move at all; add 'militia' to the actors of the rungs a militia may use."
    )


def test_militia_with_no_one_to_target_is_refused(capsys, tmp_path):
    text = MINI.split("    host: Iraq")[0]  # the state and its proxy alone
    path, found = refused(capsys, tmp_path, text)
    assert found == (
        f"{path}:{line_of(text, '  KH:')}: actors.KH: a militia needs someone to target besides "
        "itself and its patron 'Iran', and this scenario has no other actor."
    )
