"""Reading a scenario file: what is not a small plain-text YAML file is refused before parsing,
and YAML syntax errors are told in one plain sentence with the parser's words kept below it.

Each case shows the exact located message, and ``escalation validate`` exiting 2 with it.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from scenario_files import MINI, line_of, mutate, only_problem, validate_cli, write

from simulator.scenario import ScenarioError, load_scenario
from simulator.scenario.loading import load_sweep
from simulator.scenario.reading import MAX_DEPTH, MAX_FILE_BYTES, read_text


def refused(capsys, path: Path) -> str:
    """The library's one message for ``path``, checked to be what ``validate`` prints, exit 2.

    ``validate`` reads scenario and sweep files alike (``load_sweep``).
    """
    with pytest.raises(ScenarioError) as info:
        load_sweep(path)
    message = only_problem(info.value)
    assert validate_cli(capsys, path) == (2, f"invalid: {message}\n")
    return message


# -- not a small regular file ---------------------------------------------------------------------
def test_a_fifo_is_refused_without_waiting_for_a_writer(capsys, tmp_path):
    fifo = tmp_path / "scenario.yaml"
    os.mkfifo(fifo)
    outcome: list[str] = []
    # the check runs in a thread so that a regression (blocking on the FIFO) fails the test
    # instead of hanging the whole run
    worker = threading.Thread(target=lambda: outcome.append(refused(capsys, fifo)), daemon=True)
    worker.start()
    worker.join(timeout=60)
    assert not worker.is_alive(), "reading a FIFO blocked"
    assert outcome == [
        f"{fifo}: cannot be read: it is a named pipe (FIFO), not a sweep or scenario file."
    ]


def test_a_device_is_refused(capsys):
    assert refused(capsys, Path(os.devnull)) == (
        f"{os.devnull}: cannot be read: it is a device, not a sweep or scenario file."
    )


def test_a_folder_is_refused(capsys, tmp_path):
    assert refused(capsys, tmp_path) == (
        f"{tmp_path}: cannot be read: it is a folder, not a sweep or scenario file."
    )


def test_a_file_over_the_size_limit_is_refused_before_parsing(capsys, tmp_path):
    path = write(tmp_path, MINI)
    with path.open("r+b") as handle:  # sparse: no time spent writing megabytes
        handle.truncate(MAX_FILE_BYTES + 1)
    assert refused(capsys, path) == (
        f"{path}: cannot be read: it is larger than 5 MB, the limit for a sweep or scenario "
        "file (a scenario takes a few kilobytes)."
    )


def test_a_file_at_the_size_limit_is_read(tmp_path):
    text = MINI + "#" * (MAX_FILE_BYTES - len(MINI) - 1) + "\n"
    assert read_text(write(tmp_path, text), "scenario file") == text  # (parsing it takes seconds)


# -- what the parser would choke on ------------------------------------------------------------
def test_deep_nesting_is_refused_instead_of_exhausting_the_stack(capsys, tmp_path):
    # 1,000 levels exhaust Python's stack in PyYAML's composer, as the 20,000 of the report did
    path = write(tmp_path, MINI + "sources: " + "[" * 1_000 + "]" * 1_000 + "\n")
    assert refused(capsys, path) == (
        f"{path}:{line_of(MINI, 'type: host') + 1}: invalid YAML: lists and mappings are nested "
        f"more than {MAX_DEPTH} levels deep here; a scenario needs fewer than ten."
    )


@pytest.mark.parametrize("char", ["\x00", "\x07", "\x1b"], ids=["NUL", "BEL", "ESC"])
def test_a_control_character_is_refused_with_its_line(capsys, tmp_path, char):
    text = mutate(MINI, "    control: 0.5", f"    control: 0.5{char}")
    path = write(tmp_path, text)
    assert refused(capsys, path) == (
        f"{path}:{line_of(text, 'control:')}: invalid YAML: the file holds the control "
        f"character U+{ord(char):04X}, which YAML does not allow; scenario files are plain text."
    )


def test_a_merge_key_brings_its_anchor_s_fields(tmp_path):
    text = (
        mutate(MINI, "  Iraq:\n", "  Iraq: &host\n")
        + "  Syria:\n    <<: *host\n    security: 0.5\n"
    )
    scenario = load_scenario(write(tmp_path, text))
    assert scenario.actors["Syria"].type == "host"
    assert scenario.actors["Syria"].security == 0.5


# -- syntax errors in words ---------------------------------------------------------------------
def test_a_quoted_label_followed_by_more_text(capsys, tmp_path):
    text = mutate(MINI, "    control: 0.5", '    label: "Kata\'ib" Hezbollah\n    control: 0.5')
    path = write(tmp_path, text)
    assert refused(capsys, path) == (
        f"{path}:{line_of(text, 'label:')}: invalid YAML: a quoted value is followed by more text "
        "on the same line; put the whole value inside the quotes.\n"
        "    YAML parser: while parsing a block mapping expected <block end>, but found "
        "'<scalar>'."
    )


@pytest.mark.parametrize(
    ("old", "new", "bad_line", "sentence"),
    [
        pytest.param(
            "    control: 0.5",
            "\tcontrol: 0.5",
            "\tcontrol",
            "a tab character; YAML indents with spaces only",
            id="tab",
        ),
        pytest.param(
            "    control: 0.5",
            "    control: 0.5\n    label: a: b",
            "label: a: b",
            "a ': ' (colon and space) where a value should be; quote a value that holds ': ', or "
            "check the indentation of this line",
            id="colon-in-value",
        ),
        pytest.param(
            "    control: 0.5",
            '    label: "a\\qb"\n    control: 0.5',
            "label:",
            "an unknown backslash escape in a double-quoted value; use single quotes, or write "
            "\\\\ for a backslash",
            id="escape",
        ),
        pytest.param(
            "    control: 0.5",
            "    label: @home\n    control: 0.5",
            "label:",
            "a value starts with a character YAML reserves; put the value in quotes",
            id="reserved-character",
        ),
        pytest.param(
            "  Iraq:",
            "  Iraq: *nowhere\n  Syria:",
            "*nowhere",
            "an alias (*name) refers to no anchor (&name) above it",
            id="undefined-alias",
        ),
        pytest.param(
            "name: mini",
            "name: mini\n---\nname: again",
            "---",
            "the file holds more than one YAML document ('---' starts another); a scenario is "
            "one document",
            id="two-documents",
        ),
        pytest.param(
            "  Iraq:",
            "  Iraq:\n    <<: 1",
            "<<",
            "a merge key '<<' must refer to a mapping",
            id="merge-of-a-scalar",
        ),
    ],
)
def test_syntax_errors_are_told_in_a_sentence(capsys, tmp_path, old, new, bad_line, sentence):
    text = mutate(MINI, old, new)
    path = write(tmp_path, text)
    first, detail = refused(capsys, path).split("\n")
    assert first == f"{path}:{line_of(text, bad_line)}: invalid YAML: {sentence}."
    assert detail.startswith("    YAML parser: ")


def test_an_unclosed_quote_names_the_line_it_opened_on(capsys, tmp_path):
    text = mutate(MINI, "    control: 0.5", '    label: "never closed\n    control: 0.5')
    path = write(tmp_path, text)
    first, detail = refused(capsys, path).split("\n")
    assert first == (
        f"{path}:{len(text.splitlines()) + 1}: invalid YAML: a quote is opened and never closed "
        f"(opened on line {line_of(text, 'label:')})."
    )
    assert (
        detail == "    YAML parser: while scanning a quoted scalar found unexpected end of stream."
    )
