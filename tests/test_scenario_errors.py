"""Bad scenario files and bad ``--set`` overrides give located, useful :class:`ScenarioError`\\ s.

Every message is ``FILE:LINE: dotted.path: message``. The tests pin the parts a user relies on
(file, line, path, the bad value, what is allowed, the did-you-mean), not the whole wording.
"""

from __future__ import annotations

import re
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

from simulator.scenario.loading import ScenarioError, load_scenario

ACTOR_TYPES = ("state", "host", "militia")
LOCATED = re.compile(r"^(?P<file>.+?):(?P<line>\d+): (?P<path>[^\s:]+): (?P<message>.+)$")


# -- helpers ----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def baseline_text() -> str:
    return BASELINE.read_text(encoding="utf-8")


def problem_at(err: ScenarioError, path: Path, line: int, dotted: str) -> str:
    """The one problem located at ``path:line: dotted:``."""
    prefix = f"{path}:{line}: {dotted}: "
    found = [p for p in err.problems if p.startswith(prefix)]
    assert len(found) == 1, f"no single problem starting {prefix!r} in {err.problems}"
    return found[0]


# -- valid files --------------------------------------------------------------------------------
def test_baseline_is_valid():
    scenario = load_scenario(BASELINE)
    assert scenario.name == "baseline"
    assert set(scenario.actors) == {"US", "Iran", "Iraq", "KH", "FrontGroups"}


def test_compact_scenario_is_valid(tmp_path):
    scenario = load_scenario(write(tmp_path, MINI))
    assert scenario.actors["KH"].control == 0.5
    assert scenario.horizon_days == 30


# -- malformed YAML -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("old", "new", "bad_line_text"),
    [
        pytest.param("    patron: Iran", "   patron: Iran", "   patron: Iran", id="indentation"),
        pytest.param("  KH:", " KH:", " KH:", id="dedented-key"),
        pytest.param("    control: 0.5", "\tcontrol: 0.5", "\tcontrol: 0.5", id="tab"),
        pytest.param(
            "    control: 0.5", "      control: 0.5", "      control: 0.5", id="over-indented"
        ),
    ],
)
def test_malformed_yaml_is_located(tmp_path, old, new, bad_line_text):
    text = mutate(MINI, old, new)
    path = write(tmp_path, text)
    message = only_problem(error_of(path))
    assert message.startswith(f"{path}:{line_of(text, bad_line_text)}: invalid YAML: ")


def test_malformed_yaml_in_baseline_is_located(tmp_path, baseline_text):
    text = mutate(baseline_text, "  memory: 0.85", "   memory: 0.85")
    path = write(tmp_path, text)
    message = only_problem(error_of(path))
    # the parser notices the inconsistent indentation on the key after the over-indented one
    assert message.startswith(f"{path}:{line_of(text, 'threat_gain:')}: invalid YAML: ")


def test_unclosed_bracket_is_reported(tmp_path):
    text = mutate(MINI, "    type: state", "    type: state\n    rivals: [KH\n    resolve: 0.5")
    path = write(tmp_path, text)
    message = only_problem(error_of(path))
    opened = line_of(text, "rivals: [KH")
    # PyYAML detects the fault on the line after the bracket was opened
    assert re.match(rf"{re.escape(str(path))}:({opened}|{opened + 1}): invalid YAML: ", message)
    assert "flow sequence" in message
    assert "']'" in message


def test_unclosed_bracket_names_the_line_where_it_opened(tmp_path):
    text = mutate(MINI, "    type: state", "    type: state\n    rivals: [KH\n    resolve: 0.5")
    path = write(tmp_path, text)
    message = only_problem(error_of(path))
    opened = line_of(text, "rivals: [KH")
    assert f"{path}:{opened}:" in message or f"line {opened}" in message


def test_unclosed_bracket_at_end_of_file(tmp_path):
    text = MINI + "sources: [a, b\n"
    path = write(tmp_path, text)
    message = only_problem(error_of(path))
    assert message.startswith(f"{path}:")
    assert "invalid YAML" in message
    assert "<stream end>" in message


# -- no code execution ------------------------------------------------------------------------
@pytest.mark.parametrize(
    "tag",
    ["!!python/object/apply:os.system", "!!python/object/new:os.system"],
)
def test_python_object_tags_are_rejected_and_not_executed(tmp_path, tag):
    sentinel = tmp_path / "SENTINEL"
    text = f'name: {tag} ["touch {sentinel}"]\nstart: 2021-01-01\nhorizon_days: 30\n'
    path = write(tmp_path, text)
    message = only_problem(error_of(path))
    assert not sentinel.exists(), "a YAML tag executed a command"
    assert message.startswith(f"{path}:1: invalid YAML: ")
    assert tag.removeprefix("!!") in message
    assert "plain data" in message


def test_python_name_tag_is_rejected(tmp_path):
    path = write(tmp_path, "name: !!python/name:os.system\nstart: 2021-01-01\n")
    message = only_problem(error_of(path))
    assert message.startswith(f"{path}:1: invalid YAML: ")
    assert "python/name:os.system" in message
    assert "plain data" in message


def test_python_tag_deep_inside_an_actor_is_rejected_and_not_executed(tmp_path, baseline_text):
    sentinel = tmp_path / "SENTINEL"
    text = mutate(
        baseline_text,
        "    label: Kata'ib Hezbollah (core proxy)",
        f'    label: !!python/object/apply:os.system ["touch {sentinel}"]',
    )
    path = write(tmp_path, text)
    message = only_problem(error_of(path))
    assert not sentinel.exists()
    assert message.startswith(f"{path}:{line_of(text, 'python/object/apply')}: invalid YAML: ")


def test_python_tag_in_a_set_override_is_not_executed(tmp_path):
    sentinel = tmp_path / "SENTINEL"
    path = write(tmp_path, MINI)
    err = error_of(path, [f'name=!!python/object/apply:os.system ["touch {sentinel}"]'])
    assert not sentinel.exists()
    assert only_problem(err).startswith("--set name: ")


# -- unknown fields -------------------------------------------------------------------------------
def test_unknown_top_level_key_suggests_the_right_one(tmp_path, baseline_text):
    text = mutate(baseline_text, "horizon_days: 90", "horizon: 30")
    path = write(tmp_path, text)
    err = error_of(path)
    message = problem_at(err, path, line_of(text, "horizon: 30"), "horizon")
    assert "unknown field 'horizon'" in message
    assert "did you mean 'horizon_days'?" in message
    assert "allowed:" in message and "start" in message
    # and the field it replaced is reported missing
    assert any("horizon_days: required field is missing" in p for p in err.problems)


def test_unknown_militia_field_suggests_control_on_its_line(tmp_path, baseline_text):
    text = mutate(baseline_text, "    control: 0.4 ", "    contrl: 0.5 ")
    path = write(tmp_path, text)
    message = only_problem(error_of(path))
    line = line_of(text, "contrl: 0.5")
    assert message.startswith(f"{path}:{line}: actors.FrontGroups.contrl: ")
    assert "unknown field 'contrl'" in message
    assert "did you mean 'control'?" in message
    assert "patron" in message  # the allowed militia fields are listed


def test_unknown_field_without_close_match_lists_allowed(tmp_path):
    text = MINI + "zzz: 1\n"
    path = write(tmp_path, text)
    message = only_problem(error_of(path))
    assert message.startswith(f"{path}:{line_of(text, 'zzz')}: zzz: unknown field 'zzz'; ")
    assert "did you mean" not in message
    assert "allowed: actors, description, dynamics" in message


@pytest.mark.parametrize(
    ("old", "new", "dotted", "allowed"),
    [
        pytest.param(
            "    rivals: [US]\n",
            "    covrt: 1\n    rivals: [US]\n",
            "actors.Iran.covrt",
            "allowed: audience_cost, capability, domestic_pressure",
            id="covert-is-not-an-actor-field",
        ),
        pytest.param(
            "        delay_max: 2\n",
            "        from_day: 3\n",
            "actors.US.red_lines.0.from_day",
            "allowed: against, covers, delay_max, delay_min, label, response, response_max",
            id="from_day-in-a-red-line",
        ),
    ],
)
def test_no_suggestion_from_another_section_or_far_off(
    tmp_path, baseline_text, old, new, dotted, allowed
):
    # a rung's `covert` is not offered for an actor's misspelt field, nor a red line's fields
    # for `from_day` (a restraint window's `from`, in the wrong section)
    text = mutate(baseline_text, old, new)
    path = write(tmp_path, text)
    message = only_problem(error_of(path))
    field = dotted.rsplit(".", 1)[1]
    line = line_of(text, f"{field}:")
    assert message.startswith(f"{path}:{line}: {dotted}: unknown field '{field}'; {allowed}")
    assert "did you mean" not in message


def test_a_rung_misspelling_far_from_every_field_gets_the_list(tmp_path):
    text = MINI + (
        "ladder:\n"
        "  - {name: status_quo, category: status quo, level: 0, hostility: 0, score: 0,\n"
        "     actors: [state, host, militia], targets: [state, host, militia], worth: 1}\n"
        "  - {name: strike, category: violent, level: 0.5, hostility: 0.5, score: 28,\n"
        "     actors: [state, militia], targets: [state, host, militia]}\n"
    )
    path = write(tmp_path, text)
    message = only_problem(error_of(path))
    # `worth` is close to no field of a rung: no suggestion, the list
    assert message.startswith(f"{path}:{line_of(text, 'worth: 1')}: ladder.0.worth: unknown field")
    assert "did you mean" not in message


def test_a_prefix_of_a_field_in_the_same_section_is_suggested(tmp_path, baseline_text):
    text = mutate(
        baseline_text,
        "        until: 2021-01-19",
        "        from_day: 2021-01-01\n        until: 2021-01-19",
    )
    path = write(tmp_path, text)
    assert only_problem(error_of(path)) == (
        f"{path}:{line_of(text, 'from_day')}: actors.US.restraint.0.from_day: unknown field "
        "'from_day'; did you mean 'from'? (allowed: from, label, max_rung, strength, until)."
    )


@pytest.mark.parametrize(
    ("key", "reason"),
    [
        ("1bad", "names start with a letter and hold only letters, digits, '_' and '-'"),
        ("on", "YAML reads yes, no, on, off, true and false as true or false; quote the name"),
        ("12", "names are text that starts with a letter"),
    ],
)
def test_a_key_that_cannot_be_a_name(tmp_path, key, reason):
    text = MINI + f"perception:\n  {key}: {{}}\n"
    path = write(tmp_path, text)
    message = only_problem(error_of(path))
    assert message.startswith(f"{path}:{line_of(text, f'  {key}:')}: perception.")
    assert message.endswith(f"cannot be a name here: {reason}.")


# -- values out of range / of the wrong type -----------------------------------------------------
def test_value_out_of_range_names_value_bound_and_line(tmp_path, baseline_text):
    text = mutate(baseline_text, "    control: 0.75", "    control: 1.5")
    path = write(tmp_path, text)
    message = only_problem(error_of(path))
    assert message.startswith(f"{path}:{line_of(text, 'control: 1.5')}: actors.KH.control: ")
    assert "1.5" in message
    assert "less than or equal to 1" in message


def test_negative_value_names_lower_bound(tmp_path):
    text = mutate(MINI, "    control: 0.5", "    control: -0.1")
    path = write(tmp_path, text)
    message = only_problem(error_of(path))
    assert message.startswith(f"{path}:{line_of(text, 'control: -0.1')}: actors.KH.control: ")
    assert "-0.1" in message
    assert "greater than or equal to 0" in message


@pytest.mark.parametrize("section", ["actors", "ladder"])
def test_more_actors_or_rungs_than_a_byte_holds_are_refused(tmp_path, section):
    """The event log keeps an actor's and a rung's number in a byte (and the compiled engine
    its day's moves in int16): 128 of either is refused where the list starts, with the count."""
    if section == "actors":
        extra = "".join(f"  S{j}:\n    type: state\n" for j in range(128))
        text = mutate(MINI, "  Iraq:\n    type: host\n", "  Iraq:\n    type: host\n" + extra)
        things, count = "actors", 131
    else:
        rungs = "".join(f"  - {{name: r{j}, level: 0.5, score: 1}}\n" for j in range(128))
        text = MINI.replace("actors:\n", "ladder:\n" + rungs + "actors:\n")
        things, count = "rungs", 128
    path = write(tmp_path, text)
    message = only_problem(error_of(path))
    assert message.startswith(f"{path}:{line_of(text, section + ':')}: {section}: at most 127 ")
    assert f"{things} (the event log stores" in message and message.endswith(f"got {count}.")


def test_wrong_type_names_value_and_expected_type(tmp_path, baseline_text):
    text = mutate(baseline_text, "horizon_days: 90", "horizon_days: soon")
    path = write(tmp_path, text)
    message = only_problem(error_of(path))
    assert message.startswith(f"{path}:{line_of(text, 'horizon_days: soon')}: horizon_days: ")
    assert "'soon'" in message
    assert "valid integer" in message


def test_unknown_actor_type_names_value_and_allowed_types(tmp_path, baseline_text):
    text = mutate(baseline_text, "    type: host", "    type: empire")
    path = write(tmp_path, text)
    message = only_problem(error_of(path))
    assert re.match(
        rf"{re.escape(str(path))}:({line_of(text, '  Iraq:')}|{line_of(text, 'type: empire')}): "
        r"actors\.Iraq(\.type)?: ",
        message,
    )
    assert "'empire'" in message
    for kind in ACTOR_TYPES:
        assert f"'{kind}'" in message


def test_unknown_actor_type_points_at_the_type_line_without_dumping_the_actor(
    tmp_path, baseline_text
):
    text = mutate(baseline_text, "    type: host", "    type: empire")
    path = write(tmp_path, text)
    message = only_problem(error_of(path))
    assert message.startswith(f"{path}:{line_of(text, 'type: empire')}: actors.Iraq.type: ")
    assert "Kadhimi" not in message and "mediation" not in message


def test_missing_actor_type_lists_allowed_types(tmp_path):
    text = mutate(MINI, "    type: state\n", "    resolve: 0.5\n")
    path = write(tmp_path, text)
    message = only_problem(error_of(path))
    assert message.startswith(f"{path}:{line_of(text, '  Iran:')}: actors.Iran")
    for kind in ACTOR_TYPES:
        assert kind in message


def test_missing_actor_type_is_located(tmp_path):
    text = mutate(MINI, "    type: state\n", "    resolve: 0.5\n")
    path = write(tmp_path, text)
    message = only_problem(error_of(path))
    assert message.startswith(f"{path}:{line_of(text, '  Iran:')}: actors.Iran: ")
    assert "'type'" in message


def test_missing_required_field(tmp_path):
    text = mutate(MINI, "start: 2021-01-01\n", "")
    path = write(tmp_path, text)
    message = only_problem(error_of(path))
    assert message.startswith(f"{path}:1: start: ")
    assert "required field is missing" in message


@pytest.mark.parametrize(
    ("old", "new"),
    [("start: 2021-01-01", "start: 2021-13-45"), ("start: 2021-01-01", "start: 2021-02-30")],
    ids=["month-13", "february-30"],
)
def test_impossible_calendar_date_is_a_scenario_error(tmp_path, old, new):
    text = mutate(MINI, old, new)
    path = write(tmp_path, text)
    message = only_problem(error_of(path))
    assert message.startswith(f"{path}:{line_of(text, new)}: ")


def test_complex_mapping_key_is_a_scenario_error(tmp_path):
    text = MINI + "? [a, b]\n: 1\n"
    path = write(tmp_path, text)
    message = only_problem(error_of(path))
    assert message.startswith(f"{path}:{line_of(text, '? [a, b]')}: ")


# -- cross-references ---------------------------------------------------------------------------
def test_unknown_patron_suggests_the_closest_actor(tmp_path, baseline_text):
    text = mutate(
        baseline_text,
        "    patron: Iran\n    host: Iraq\n    control: 0.4",
        "    patron: Irn\n    host: Iraq\n    control: 0.4",
    )
    path = write(tmp_path, text)
    err = error_of(path)
    message = problem_at(err, path, line_of(text, "patron: Irn"), "actors.FrontGroups.patron")
    assert "unknown actor 'Irn'" in message
    assert "did you mean 'Iran'?" in message
    assert "allowed: US, Iran, Iraq, KH, FrontGroups" in message


def test_patron_of_the_wrong_type(tmp_path):
    text = mutate(MINI, "    patron: Iran", "    patron: KH")
    path = write(tmp_path, text)
    message = only_problem(error_of(path))
    assert message.startswith(f"{path}:{line_of(text, 'patron: KH')}: actors.KH.patron: ")
    assert "'KH' is a militia" in message
    assert "must be a state" in message


@pytest.mark.parametrize(
    ("old", "new", "dotted", "bad", "suggestion"),
    [
        pytest.param(
            "    rung: show_of_force\n    target: US",
            "    rung: show_of_force\n    target: USA",
            "events.7.target",
            "USA",
            "US",
            id="action-target",
        ),
        pytest.param(
            "    actor: KH\n    against: US\n    amount: 0.2",
            "    actor: KHH\n    against: US\n    amount: 0.2",
            "events.5.actor",
            "KHH",
            "KH",
            id="grievance-actor",
        ),
        pytest.param(
            "    KH: {attribution: 0.8}",
            "    KHH: {attribution: 0.8}",
            "perception.US.KHH",
            "KHH",
            "KH",
            id="perception-target",
        ),
        pytest.param(
            "    rivals: [Iran]",
            "    rivals: [Irann]",
            "actors.US.rivals.0",
            "Irann",
            "Iran",
            id="rival",
        ),
        pytest.param(
            "    initial_threat: {US: 0.45}",
            "    initial_threat: {USA: 0.45}",
            "actors.Iran.initial_threat.USA",
            "USA",
            "US",
            id="initial-threat",
        ),
    ],
)
def test_unknown_actor_reference(tmp_path, baseline_text, old, new, dotted, bad, suggestion):
    text = mutate(baseline_text, old, new)
    path = write(tmp_path, text)
    bad_line = next(line for line in new.splitlines() if bad in line).strip()
    message = only_problem(error_of(path))
    assert message.startswith(f"{path}:{line_of(text, bad_line)}: {dotted}: ")
    assert f"unknown actor '{bad}'" in message
    assert f"did you mean '{suggestion}'?" in message


def test_unknown_threat_event_observer(tmp_path):
    text = MINI + (
        "events:\n"
        "  - date: 2021-01-05\n"
        "    kind: threat\n"
        "    observer: Irn\n"
        "    actor: KH\n"
        "    amount: 0.5\n"
    )
    path = write(tmp_path, text)
    message = only_problem(error_of(path))
    assert message.startswith(f"{path}:{line_of(text, 'observer: Irn')}: events.0.observer: ")
    assert "did you mean 'Iran'? (allowed: Iran, KH, Iraq)" in message


@pytest.mark.parametrize(
    ("old", "new", "bad"),
    [
        pytest.param("- date: 2021-01-20", "- date: 2021-06-20", "2021-06-20", id="after-end"),
        pytest.param("- date: 2021-01-04", "- date: 2020-12-01", "2020-12-01", id="before-start"),
    ],
)
def test_event_outside_the_horizon_names_the_allowed_dates(tmp_path, baseline_text, old, new, bad):
    text = mutate(baseline_text, old, new)
    path = write(tmp_path, text)
    message = only_problem(error_of(path))
    assert re.match(rf"{re.escape(str(path))}:{line_of(text, new)}: events\.\d+\.date: ", message)
    assert bad in message
    assert "outside the scenario" in message
    assert "2020-12-20 to 2021-03-19" in message
    assert "90 days" in message


def test_event_on_the_last_day_is_inside(tmp_path, baseline_text):
    text = mutate(baseline_text, "- date: 2021-01-20", "- date: 2021-03-19")
    assert load_scenario(write(tmp_path, text)).end.isoformat() == "2021-03-19"


@pytest.mark.parametrize(
    ("old", "new", "dotted", "bad", "suggestion"),
    [
        pytest.param(
            "response: limited_strike      # five",
            "response: limited_strik      # five",
            "actors.US.red_lines.0.response",
            "limited_strik",
            "limited_strike",
            id="red-line-response",
        ),
        pytest.param(
            "max_rung: covert_action",
            "max_rung: covert_actoin",
            "actors.Iran.restraint.0.max_rung",
            "covert_actoin",
            "covert_action",
            id="restraint-max-rung",
        ),
        pytest.param(
            "max_rung: verbal_threat",
            "max_rung: verbal_thret",
            "actors.Iran.orders.0.max_rung",
            "verbal_thret",
            "verbal_threat",
            id="order-max-rung",
        ),
        pytest.param(
            "    rung: show_of_force",
            "    rung: show_of_forse",
            "events.7.rung",
            "show_of_forse",
            "show_of_force",
            id="action-event-rung",
        ),
    ],
)
def test_unknown_rung_suggests_the_closest(
    tmp_path, baseline_text, old, new, dotted, bad, suggestion
):
    text = mutate(baseline_text, old, new)
    path = write(tmp_path, text)
    message = only_problem(error_of(path))
    assert message.startswith(f"{path}:{line_of(text, new.strip())}: {dotted}: ")
    assert f"unknown rung '{bad}'" in message
    assert f"did you mean '{suggestion}'?" in message
    assert "allowed: agreement, conciliatory, status_quo" in message


def test_unknown_rung_in_a_menu_lists_the_ladder(tmp_path):
    text = mutate(MINI, "    control: 0.5", "    control: 0.5\n    menu: [status_quo, nuke]")
    path = write(tmp_path, text)
    message = only_problem(error_of(path))
    assert message.startswith(f"{path}:{line_of(text, 'menu:')}: actors.KH.menu.1: ")
    assert "unknown rung 'nuke'" in message
    assert "allowed: agreement" in message and "major_strike" in message


# -- duplicate keys -----------------------------------------------------------------------------
def test_duplicate_key_names_both_lines(tmp_path, baseline_text):
    text = mutate(
        baseline_text,
        "    resolve: 0.6\n    capability: 0.5",
        "    resolve: 0.6\n    resolve: 0.7\n    capability: 0.5",
    )
    path = write(tmp_path, text)
    message = only_problem(error_of(path))
    second = line_of(text, "resolve: 0.7")
    assert message.startswith(f"{path}:{second}: actors.Iran.resolve: duplicate key")
    assert f"first given on line {second - 1}" in message


@pytest.mark.parametrize(
    ("extra", "dotted", "first_line", "second_line"),
    [
        pytest.param("  Iran:\n    type: state\n", "actors.Iran", 5, 14, id="actor-name"),
        pytest.param("name: again\n", "name", 1, 14, id="top-level"),
    ],
)
def test_duplicate_key_anywhere(tmp_path, extra, dotted, first_line, second_line):
    path = write(tmp_path, MINI + extra)
    message = only_problem(error_of(path))
    assert message.startswith(f"{path}:{second_line}: {dotted}: duplicate key")
    assert f"first given on line {first_line}" in message


def test_duplicate_key_in_a_flow_mapping(tmp_path):
    text = mutate(
        MINI, "    type: state", "    type: state\n    initial_threat: {KH: 0.1, KH: 0.2}"
    )
    path = write(tmp_path, text)
    message = only_problem(error_of(path))
    line = line_of(text, "initial_threat")
    assert message.startswith(f"{path}:{line}: actors.Iran.initial_threat.KH: duplicate key")
    assert f"first given on line {line}" in message


# -- files that are not scenarios ---------------------------------------------------------------
@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n", "---\n"])
def test_empty_file(tmp_path, text):
    path = write(tmp_path, text)
    message = only_problem(error_of(path))
    assert message.startswith(f"{path}:1: ")
    assert "empty" in message


def test_missing_file_names_the_path(tmp_path):
    path = tmp_path / "no_such_scenario.yaml"
    message = only_problem(error_of(path))
    assert message.startswith(f"{path}: ")
    assert "no such scenario file" in message
    assert not path.exists()


def test_folder_instead_of_file(tmp_path):
    message = only_problem(error_of(tmp_path))
    assert message.startswith(f"{tmp_path}: cannot be read")


def test_file_not_in_utf8(tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes("name: café\n".encode("latin-1"))
    message = only_problem(error_of(path))
    assert message.startswith(f"{path}:1: cannot be read")
    assert "utf-8" in message


@pytest.mark.parametrize(
    "text",
    ["- name: mini\n- start: 2021-01-01\n", "just a sentence\n", "42\n"],
    ids=["list", "string", "number"],
)
def test_top_level_must_be_a_mapping(tmp_path, text):
    path = write(tmp_path, text)
    message = only_problem(error_of(path))
    assert message.startswith(f"{path}:1: ")
    assert "must be a mapping" in message


# -- several problems at once -------------------------------------------------------------------
def test_several_schema_problems_are_all_reported(tmp_path):
    text = (
        MINI.replace("horizon_days: 30", "horizon_days: soon")
        .replace("control: 0.5", "control: 1.5")
        .replace("    type: state", "    type: state\n    resolv: 0.5")
    )
    path = write(tmp_path, text)
    err = error_of(path)
    assert len(err.problems) == 3
    problem_at(err, path, line_of(text, "horizon_days: soon"), "horizon_days")
    assert "did you mean 'resolve'?" in problem_at(
        err, path, line_of(text, "resolv: 0.5"), "actors.Iran.resolv"
    )
    assert "1.5" in problem_at(err, path, line_of(text, "control: 1.5"), "actors.KH.control")
    for problem in err.problems:
        assert LOCATED.match(problem), problem


def test_schema_and_reference_problems_come_in_one_pass(capsys, tmp_path, baseline_text):
    # the misspelt patron used to show only once the out-of-range control was fixed
    text = mutate(
        baseline_text,
        "    patron: Iran\n    host: Iraq\n    control: 0.4",
        "    patron: Irn\n    host: Iraq\n    control: 1.4",
    )
    path = write(tmp_path, text)
    problems = [
        f"{path}:{line_of(text, 'patron: Irn')}: actors.FrontGroups.patron: unknown actor 'Irn'; "
        "did you mean 'Iran'? (allowed: US, Iran, Iraq, KH, FrontGroups).",
        f"{path}:{line_of(text, 'control: 1.4')}: actors.FrontGroups.control: Input should be less "
        "than or equal to 1 (got 1.4).",
    ]
    assert error_of(path).problems == problems
    assert validate_cli(capsys, path) == (2, "invalid: " + "\n".join(problems) + "\n")


def test_references_to_a_broken_actor_are_not_reported_again(tmp_path, baseline_text):
    # Iraq's entry is broken; the actors naming it are right to, and are not blamed
    text = mutate(baseline_text, "    type: host", "    type: hots")
    path = write(tmp_path, text)
    message = only_problem(error_of(path))
    assert message.startswith(
        f"{path}:{line_of(text, 'type: hots')}: actors.Iraq.type: unknown type"
    )


def test_a_broken_list_item_does_not_shift_the_paths_after_it(tmp_path, baseline_text):
    text = mutate(baseline_text, "    amount: 0.2", "    amount: 2")  # events.5, out of range
    text = mutate(text, "    target: US", "    target: USA")  # events.7, unknown
    path = write(tmp_path, text)
    assert [p.split(": ")[1] for p in error_of(path).problems] == [
        "events.5.amount",
        "events.7.target",
    ]


def test_problems_are_listed_in_file_order_and_capped(capsys, tmp_path, baseline_text):
    text = baseline_text.replace(": 0.", ": 7.")  # some thirty values out of range
    path = write(tmp_path, text)
    problems = error_of(path).problems
    assert len(problems) == 21
    lines = [int(p.split(":")[1]) for p in problems[:20]]
    assert lines == sorted(lines)
    assert re.fullmatch(r"… and \d+ more problems \(the first 20 are shown\)\.", problems[20])
    assert validate_cli(capsys, path) == (2, "invalid: " + "\n".join(problems) + "\n")


def test_several_reference_problems_are_all_reported(tmp_path, baseline_text):
    text = mutate(baseline_text, "    target: US", "    target: USA")
    text = mutate(text, "response: limited_strike      # five", "response: limited_strik # five")
    path = write(tmp_path, text)
    err = error_of(path)
    assert len(err.problems) == 2
    problem_at(err, path, line_of(text, "target: USA"), "events.7.target")
    problem_at(err, path, line_of(text, "limited_strik"), "actors.US.red_lines.0.response")


# -- --set overrides ----------------------------------------------------------------------------
def test_set_override_changes_a_value(tmp_path, baseline_text):
    path = write(tmp_path, baseline_text)
    scenario = load_scenario(path, ["actors.KH.control=0.3"])
    assert scenario.actors["KH"].control == 0.3
    assert scenario.actors["FrontGroups"].control == 0.4
    assert load_scenario(path).actors["KH"].control == 0.75  # the file is untouched


def test_set_override_creates_a_missing_block(tmp_path):
    scenario = load_scenario(write(tmp_path, MINI), ["dynamics.memory=0.5", "seed=11"])
    assert scenario.dynamics.memory == 0.5
    assert scenario.dynamics.threat_gain == 0.15  # other defaults kept
    assert scenario.seed == 11


def test_set_out_of_range_names_the_override(tmp_path, baseline_text):
    path = write(tmp_path, baseline_text)
    message = only_problem(error_of(path, ["actors.KH.control=2"]))
    assert message.startswith("--set actors.KH.control: ")
    assert "less than or equal to 1" in message
    assert "(got 2)" in message
    assert str(path) not in message  # the file is not to blame


def test_set_unknown_field_suggests(tmp_path, baseline_text):
    message = only_problem(error_of(write(tmp_path, baseline_text), ["actors.KH.contrl=0.3"]))
    assert message.startswith("--set actors.KH.contrl: unknown field 'contrl'")
    assert "did you mean 'control'?" in message


def test_set_unknown_reference_suggests(tmp_path):
    message = only_problem(error_of(write(tmp_path, MINI), ["actors.KH.patron=Irn"]))
    assert message.startswith("--set actors.KH.patron: unknown actor 'Irn'")
    assert "did you mean 'Iran'?" in message


@pytest.mark.parametrize("override", ["actors.KH=3", "actors=3", "actors.US.rivals=[KH]"])
def test_set_refuses_to_replace_a_block(tmp_path, baseline_text, override):
    message = only_problem(error_of(write(tmp_path, baseline_text), [override]))
    dotted = override.partition("=")[0]
    assert message.startswith(f"--set {dotted}: ")
    assert "block of fields" in message


@pytest.mark.parametrize("override", ["nonsense", "=1", " =1", ""])
def test_set_without_path_and_value(tmp_path, override):
    message = only_problem(error_of(write(tmp_path, MINI), [override]))
    assert message.startswith(f"--set {override!r}: ")
    assert "expected dotted.path=value" in message


def test_set_list_index_out_of_range(tmp_path, baseline_text):
    message = only_problem(error_of(write(tmp_path, baseline_text), ["events.9.date=2021-01-01"]))
    assert message.startswith("--set events.9.date: ")
    assert "'9' is not an index" in message
    assert "0 to 8" in message


def test_set_below_a_scalar(tmp_path):
    message = only_problem(error_of(write(tmp_path, MINI), ["name.x=1"]))
    assert message.startswith("--set name.x: ")
    assert "below a scalar" in message


def test_set_wrong_type(tmp_path):
    message = only_problem(error_of(write(tmp_path, MINI), ["horizon_days=abc"]))
    assert message.startswith("--set horizon_days: ")
    assert "'abc'" in message and "valid integer" in message


def test_set_value_is_kept_verbatim_after_the_first_equals(tmp_path):
    scenario = load_scenario(write(tmp_path, MINI), ["actors.KH.label=a=b"])
    assert scenario.actors["KH"].label == "a=b"


def test_set_on_an_unknown_actor_blames_the_override(tmp_path, baseline_text):
    message = only_problem(error_of(write(tmp_path, baseline_text), ["actors.Nope.control=0.3"]))
    assert message.startswith("--set actors.Nope")


def test_set_on_an_unknown_actor_is_an_error(tmp_path, baseline_text):
    path = write(tmp_path, baseline_text)
    message = only_problem(error_of(path, ["actors.Nope.control=0.3"]))
    assert "actors.Nope" in message


@pytest.mark.parametrize(
    ("old", "new"),
    [("    control: 0.5", "    control: on"), ("horizon_days: 30", "horizon_days: yes")],
    ids=["control-on", "horizon-yes"],
)
def test_yaml_booleans_are_not_numbers(tmp_path, old, new):
    text = mutate(MINI, old, new)
    path = write(tmp_path, text)
    message = only_problem(error_of(path))
    assert message.startswith(f"{path}:{line_of(text, new)}: ")


# -- what `escalation validate` prints ------------------------------------------------------------
# The CLI prints messages through rich: a value such as '[/]' must not be read as markup (a
# MarkupError traceback), nor ':100:' in 'FILE:100: …' as an emoji code.


def test_validate_prints_a_value_that_looks_like_markup(capsys, tmp_path):
    path = write(tmp_path, MINI.replace("name: mini", "name: '[/]'"))
    message = only_problem(error_of(path))
    assert validate_cli(capsys, path) == (2, f"invalid: {message}\n")


def test_validate_prints_line_100_as_a_number(capsys, tmp_path):
    text = MINI.replace("name: mini", "\n" * 99 + "name: 5")
    path = write(tmp_path, text)
    assert only_problem(error_of(path)).startswith(f"{path}:100: name: ")
    code, printed = validate_cli(capsys, path)
    assert (code, printed.startswith(f"invalid: {path}:100: name: ")) == (2, True)
