"""The ``escalation`` command line: run, trace, validate, plot, summary, exit codes and messages.

Most tests call :func:`simulator.cli.main` in-process; a few go through a subprocess (``python -m
simulator`` and the ``escalation`` console script). Every test runs with the working directory
set to its own ``tmp_path`` and writes results only below pytest's temporary folders.
"""

from __future__ import annotations

import contextlib
import errno
import importlib.metadata
import io
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from conftest import BASELINE, PNG_MAGIC, call, flat, held_lock, manifest_of, snapshot

from simulator.cli import EXAMPLES, EXIT_CODES, main

RESULT_FILES = ("manifest.json", "runs.parquet", "daily.parquet", "events.parquet")
N_PLOTS = 5
DEMO_ARGS = ("--replicates", "60", "--seed", "3")
DATED_LINE = re.compile(r"^(\d{4}-\d{2}-\d{2}) \(day (\d+)\)", re.MULTILINE)


# -- helpers and fixtures -----------------------------------------------------------------------
@pytest.fixture(autouse=True)
def _in_tmp_path(in_tmp_path):
    """Run every test from its own tmp_path so that a default ``results/`` lands there."""


def quick_run(capsys, out: Path, *extra: str, replicates: int = 20, seed: int = 3) -> int:
    """A small silent run without plots; returns the exit status."""
    code, _, _ = call(
        capsys,
        "run",
        BASELINE,
        "-n",
        str(replicates),
        "--seed",
        str(seed),
        "--out",
        out,
        "--quiet",
        "--no-plots",
        *extra,
    )
    return code


def write_broken(folder: Path, name: str, old: str, new: str) -> tuple[Path, int]:
    """A copy of the baseline with one line changed; returns its path and that line's number."""
    text = BASELINE.read_text(encoding="utf-8")
    assert text.count(old) == 1
    text = text.replace(old, new)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    line = next(i for i, t in enumerate(text.splitlines(), start=1) if new.strip() in t)
    return path, line


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> dict:
    """One full run (with plots) shared by the read-only tests of this module."""
    folder = tmp_path_factory.mktemp("cli") / "demo"
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["run", str(BASELINE), *DEMO_ARGS, "--out", str(folder)])
    return {"dir": folder, "code": code, "out": out.getvalue(), "err": err.getvalue()}


def no_simulation(monkeypatch) -> None:
    """Make any simulation fail the test: what is refused must be refused before simulating."""

    def simulate(*args, **kwargs):
        raise AssertionError("the run simulated before refusing")

    monkeypatch.setattr("simulator.experiment.run.simulate", simulate)


# -- run ----------------------------------------------------------------------------------------
def test_run_writes_the_results_folder(demo):
    assert demo["code"] == 0, demo["err"]
    folder = demo["dir"]
    for name in RESULT_FILES:
        assert (folder / name).is_file(), name
    plots = sorted((folder / "plots").glob("*.png"))
    assert len(plots) == N_PLOTS, plots
    for png in plots:
        assert png.read_bytes().startswith(PNG_MAGIC), png
    # nothing half-written, and no lock, is left next to it
    assert sorted(p.name for p in folder.parent.iterdir()) == ["demo"]
    assert sorted(p.name for p in folder.iterdir()) == sorted([*RESULT_FILES, "plots"])


def test_run_prints_the_summary_table_and_what_to_do_next(demo):
    out = demo["out"]
    manifest = manifest_of(demo["dir"])
    for label in manifest["outcome_labels"].values():
        assert label in out, label
    assert "Wilson" in out
    assert "60 replicates" in out and "seed 3" in out
    assert f"Results: {demo['dir']}" in out
    steps = out[out.index("next:") :].splitlines()[1:]
    folder = shlex.quote(str(demo["dir"]))
    assert steps[:4] == [
        f"  escalation summary {folder}",
        f"  escalation trace {folder} --replicate 0",
        f"  escalation plot {folder}",
        f"  escalation report {folder}",
    ]
    assert steps[4].startswith(f"  escalation sweep {shlex.quote(str(BASELINE))} --param ")
    assert demo["err"] == ""


def test_run_manifest_records_the_run(demo):
    manifest = manifest_of(demo["dir"])
    assert manifest["kind"] == "run"
    assert manifest["seed"] == 3
    assert manifest["replicates"] == 60
    assert manifest["scenario_name"] == "baseline"
    assert manifest["scenario_file"] == str(BASELINE)
    assert manifest["versions"]["mesa"] == importlib.metadata.version("mesa")
    assert {"python", "simulator", "numpy", "pandas"} <= set(manifest["versions"])
    assert shlex.split(manifest["command"])[1:] == [
        "run",
        str(BASELINE),
        *DEMO_ARGS,
        "--out",
        str(demo["dir"]),
    ]
    # the resolved scenario: command-line seed and replicates folded in
    scenario = manifest["scenario"]
    assert scenario["seed"] == 3
    assert scenario["replicates"] == 60
    assert scenario["horizon_days"] == 90
    assert scenario["start"] == "2020-12-20"
    assert set(scenario["actors"]) == {"US", "Iran", "Iraq", "KH", "FrontGroups"}
    assert scenario["actors"]["KH"]["control"] == 0.75
    runs = pd.read_parquet(demo["dir"] / "runs.parquet")
    assert len(runs) == 60
    assert list(runs["replicate"]) == list(range(60))
    assert set(runs["outcome"]) <= set(manifest["outcome_labels"])


def test_console_script_run_records_its_command_line(tmp_path):
    script = Path(sys.executable).with_name("escalation")
    if not script.exists():
        pytest.skip("the escalation console script is not installed next to this Python")
    folder = tmp_path / "console"
    argv = ["run", str(BASELINE), "-n", "10", "--seed", "5", "--out", str(folder), "--no-plots"]
    proc = subprocess.run(
        [str(script), *argv], capture_output=True, text=True, cwd=tmp_path, timeout=300
    )
    assert proc.returncode == 0, proc.stderr
    assert "Wilson" in proc.stdout
    assert proc.stderr == ""  # a short run on a pipe prints no progress lines
    manifest = manifest_of(folder)
    assert manifest["command"] == shlex.join(["escalation", *argv])
    assert manifest["seed"] == 5 and manifest["replicates"] == 10
    assert not (folder / "plots").exists()


def test_run_quiet_prints_nothing(capsys, tmp_path):
    code, out, err = call(
        capsys, "run", BASELINE, "-n", "10", "--out", tmp_path / "q", "--quiet", "--no-plots"
    )
    assert code == 0, err
    assert out == "" and err == ""
    assert (tmp_path / "q" / "runs.parquet").is_file()


def test_run_prints_a_long_folder_whole_on_one_line(capsys, tmp_path):
    """Where the results went is one line a user can copy from a log: a path longer than the
    console is not folded, and brackets in it are not taken for markup."""
    out_dir = tmp_path / ("a_folder_whose_name_is_longer_than_the_console_is_wide" * 2) / "[run 1]"
    code, out, err = call(capsys, "run", BASELINE, "-n", "10", "--out", out_dir, "--no-plots")
    assert code == 0, err
    lines = out.splitlines()
    assert any(line.startswith(f"Results: {out_dir}/ (manifest.json, ") for line in lines), out


def test_run_refuses_an_existing_folder_without_force(capsys, tmp_path):
    folder = tmp_path / "out"
    assert quick_run(capsys, folder, seed=3) == 0
    before = snapshot(folder)
    code, out, err = call(capsys, "run", BASELINE, "-n", "20", "--seed", "4", "--out", folder)
    assert code == 2
    assert err.startswith("error:")
    assert str(folder) in err
    assert "already exists" in err and "--force" in err
    assert snapshot(folder) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # no partial siblings


def test_run_force_replaces_a_run_folder(capsys, tmp_path):
    folder = tmp_path / "out"
    assert quick_run(capsys, folder, seed=3) == 0
    assert quick_run(capsys, folder, "--force", seed=4, replicates=30) == 0
    manifest = manifest_of(folder)
    assert manifest["seed"] == 4 and manifest["replicates"] == 30
    assert len(pd.read_parquet(folder / "runs.parquet")) == 30
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # old folder cleaned up


def test_force_never_deletes_files_escalation_did_not_write(capsys, tmp_path):
    folder = tmp_path / "out"
    assert quick_run(capsys, folder, seed=3) == 0
    (folder / "notes.txt").write_text("my notes on this run")
    before = snapshot(folder)
    code, _, err = call(capsys, "run", BASELINE, "-n", "5", "--out", folder, "--force", "-q")
    assert code == 2
    assert "notes.txt" in err and "escalation did not write" in flat(err)
    assert snapshot(folder) == before


@pytest.mark.parametrize(
    ("files", "reason"),
    [
        ({"chapter1.tex": "months of work"}, "no manifest.json here"),
        ({"thesis.txt": "months of work", "manifest.json": ""}, "cannot be read"),
        (
            {
                "thesis.txt": "x",
                "manifest.json": '{"format": "escalation-results/1", "kind": "sweep"'
                ', "design": {}}',
            },
            "a sweep folder, not a run folder",
        ),
    ],
    ids=["no-manifest", "empty-manifest", "sweep-manifest"],
)
def test_force_replaces_only_a_run_folder(capsys, tmp_path, files, reason):
    precious = tmp_path / "precious"
    precious.mkdir()
    for name, text in files.items():
        (precious / name).write_text(text)
    before = snapshot(precious)
    code, _, err = call(capsys, "run", BASELINE, "-n", "5", "--out", precious, "--force", "-q")
    assert code == 2
    assert "--force replaces only a run folder" in flat(err) and reason in flat(err)
    assert snapshot(precious) == before


def test_run_force_does_not_replace_a_sweep(capsys, tmp_path):
    sweep = tmp_path / "sweep"
    code, _, err = call(
        capsys,
        "sweep",
        BASELINE,
        "-p",
        "rationality=1,2",
        "-n",
        "2",
        "--workers",
        "0",
        "--out",
        sweep,
        "-q",
    )
    assert code == 0, err
    before = snapshot(sweep)
    code, _, err = call(capsys, "run", BASELINE, "-n", "5", "--out", sweep, "--force", "-q")
    assert code == 2 and "a sweep folder, not a run folder" in flat(err)
    assert snapshot(sweep) == before


def test_a_second_writer_of_the_same_folder_is_refused(capsys, tmp_path, monkeypatch):
    no_simulation(monkeypatch)
    folder = tmp_path / "out"
    with held_lock(folder):
        code, _, err = call(capsys, "run", BASELINE, "-n", "5", "--out", folder, "-q")
    assert code == 2
    assert "another escalation process is writing this folder" in flat(err)
    assert not folder.exists()


def test_an_unwritable_out_is_refused_before_simulating(capsys, tmp_path, monkeypatch):
    no_simulation(monkeypatch)
    readonly = tmp_path / "readonly"
    readonly.mkdir()
    real_open, real_mkdir = os.open, os.mkdir

    def refuse(real):
        def call_(path, *args, **kwargs):
            if Path(path).resolve().is_relative_to(readonly):
                raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(path))
            return real(path, *args, **kwargs)

        return call_

    monkeypatch.setattr(os, "open", refuse(real_open))
    monkeypatch.setattr(os, "mkdir", refuse(real_mkdir))
    code, _, err = call(capsys, "run", BASELINE, "-n", "5", "--out", readonly / "run", "-q")
    assert code == 2
    assert str(readonly) in err and "Read-only file system" in err
    assert list(readonly.iterdir()) == []


def test_disk_full_keeps_the_old_folder_and_leaves_no_litter(capsys, tmp_path, monkeypatch):
    folder = tmp_path / "out"
    assert quick_run(capsys, folder, seed=3) == 0
    before = snapshot(folder)

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr("pyarrow.parquet.write_table", full)  # what the tables write with
    code, _, err = call(capsys, "run", BASELINE, "-n", "5", "--out", folder, "--force", "-q")
    assert code == 4
    assert str(folder) in err and "No space left on device" in err
    assert snapshot(folder) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_a_run_interrupted_while_drawing_leaves_nothing_that_looks_complete(
    capsys, tmp_path, monkeypatch
):
    folder = tmp_path / "out"
    litter = tmp_path / ".out.k1ll3d00.partial"  # what a run killed by SIGKILL leaves behind
    litter.mkdir()
    (litter / "runs.parquet").write_bytes(b"half")

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("simulator.plots.run.save", interrupted)  # drawn in this process
    # or waiting here for the helper forked first, where this process has one thread
    monkeypatch.setattr("simulator.plots.helper.EarlyHelper.draw", interrupted)
    code, _, err = call(capsys, "run", BASELINE, "-n", "5", "--out", folder)
    assert code == 130 and "interrupted" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == []  # no folder, and the litter is gone
    code, _, err = call(capsys, "summary", folder)
    assert code == 2 and "does not exist" in err


def test_run_set_override_is_recorded(capsys, tmp_path):
    folder = tmp_path / "set"
    overrides = ("--set", "actors.KH.control=0.2", "--set", "rationality=2")
    assert quick_run(capsys, folder, *overrides) == 0
    scenario = manifest_of(folder)["scenario"]
    assert scenario["actors"]["KH"]["control"] == 0.2
    assert scenario["actors"]["FrontGroups"]["control"] == 0.4
    assert scenario["rationality"] == 2


def test_run_bad_set_override_exits_2_and_writes_nothing(capsys, tmp_path):
    folder = tmp_path / "bad"
    code, _, err = call(capsys, "run", BASELINE, "--set", "actors.KH.control=2", "--out", folder)
    assert code == 2
    assert err.startswith("error:")
    assert "--set actors.KH.control" in err and "less than or equal to 1" in err
    assert not folder.exists()


def test_run_is_reproducible(capsys, demo, tmp_path):
    again = tmp_path / "again"
    code, _, err = call(capsys, "run", BASELINE, *DEMO_ARGS, "--out", again, "-q", "--no-plots")
    assert code == 0, err
    for name in ("runs.parquet", "daily.parquet"):
        first = pd.read_parquet(demo["dir"] / name)
        second = pd.read_parquet(again / name)
        pd.testing.assert_frame_equal(first, second)
        assert (demo["dir"] / name).read_bytes() == (again / name).read_bytes(), name
    other = tmp_path / "other"
    code, _, _ = call(
        capsys, "run", BASELINE, "-n", "60", "--seed", "4", "--out", other, "-q", "--no-plots"
    )
    assert code == 0
    assert not pd.read_parquet(demo["dir"] / "daily.parquet").equals(
        pd.read_parquet(other / "daily.parquet")
    )


def test_run_without_out_writes_under_the_working_directory(capsys, tmp_path):
    code, _, err = call(capsys, "run", BASELINE, "-n", "10", "--quiet", "--no-plots")
    assert code == 0, err
    assert Path.cwd() == tmp_path
    made = list((tmp_path / "results").iterdir())
    assert len(made) == 1
    assert re.fullmatch(r"baseline-\d{8}-\d{6}", made[0].name), made[0].name
    for name in RESULT_FILES:
        assert (made[0] / name).is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["results"]


def test_run_missing_scenario_file(capsys, tmp_path):
    missing = tmp_path / "no_such.yaml"
    code, out, err = call(capsys, "run", missing, "--out", tmp_path / "x")
    assert code == 2
    assert err.startswith("error:")
    assert str(missing) in err and "no such scenario file" in err
    assert not (tmp_path / "x").exists()


def test_run_invalid_scenario_names_file_and_line(capsys, tmp_path):
    path, line = write_broken(tmp_path, "broken.yaml", "    control: 0.75", "    control: 1.5")
    code, _, err = call(capsys, "run", path, "--out", tmp_path / "x")
    assert code == 2
    assert f"{path}:{line}: actors.KH.control" in err
    assert not (tmp_path / "x").exists()


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--replicates", "0"], "--replicates 0: must be at least 1"),
        (["--replicates", "-5"], "--replicates -5: must be at least 1"),
        (["--replicates", "100000000"], "--replicates 100,000,000: must be at most 10,000,000"),
        (["--seed", "-1"], "--seed -1: must be at least 0"),
        (["--replicates", "abc"], "--replicates 'abc': expected a whole number"),
        (["--seed", "1.5"], "--seed '1.5': expected a whole number"),
    ],
)
def test_run_bad_numbers_get_a_located_message(capsys, tmp_path, monkeypatch, args, expected):
    no_simulation(monkeypatch)
    code, out, err = call(capsys, "run", BASELINE, *args, "--out", tmp_path / "x")
    assert code == 2
    assert err.startswith(f"error: {expected}")
    assert "usage:" not in err and "Traceback" not in err
    assert not (tmp_path / "x").exists()


def test_a_run_that_cannot_fit_in_memory_is_refused(capsys, tmp_path, monkeypatch):
    no_simulation(monkeypatch)
    monkeypatch.setattr("simulator.experiment.limits.available_memory", lambda: 50_000_000)
    code, _, err = call(capsys, "run", BASELINE, "-n", "1000000", "--out", tmp_path / "x")
    assert code == 2
    assert "1,000,000 replicates × 90 days would need about" in flat(err)
    assert "50 MB is available" in flat(err) and "fewer replicates" in flat(err)
    assert not (tmp_path / "x").exists()


# -- trace --------------------------------------------------------------------------------------
def test_trace_prints_dated_days_and_the_stored_outcome(capsys, demo):
    code, out, err = call(capsys, "trace", demo["dir"], "--replicate", "12")
    assert code == 0, err
    assert out.startswith("Scenario baseline, replicate 12")
    dates = DATED_LINE.findall(out)
    assert dates, out
    assert all("2020-12-20" <= d <= "2021-03-19" for d, _ in dates)
    runs = pd.read_parquet(demo["dir"] / "runs.parquet")
    assert runs.loc[12, "replicate"] == 12
    label = manifest_of(demo["dir"])["outcome_labels"][runs.loc[12, "outcome"]]
    outcome_lines = [line for line in out.splitlines() if line.startswith("Outcome:")]
    assert outcome_lines == [f"Outcome: {label}"]
    assert "WARNING" not in out


def test_trace_all_days_lists_every_day(capsys, demo):
    code, out, _ = call(capsys, "trace", demo["dir"], "--replicate", "12", "--all-days")
    assert code == 0
    dates = DATED_LINE.findall(out)
    assert [int(day) for _, day in dates] == list(range(90))
    assert dates[0][0] == "2020-12-20" and dates[-1][0] == "2021-03-19"
    assert "  event: New US administration" in out


def test_trace_is_repeatable(capsys, demo):
    first = call(capsys, "trace", demo["dir"], "-r", "7")
    second = call(capsys, "trace", demo["dir"], "-r", "7")
    assert first == second


@pytest.mark.parametrize("replicate", ["60", "-1", "1000"])
def test_trace_replicate_out_of_range(capsys, demo, replicate):
    code, out, err = call(capsys, "trace", demo["dir"], "--replicate", replicate)
    assert code == 2
    assert out == ""
    assert err.startswith("error:")
    assert f"--replicate {replicate} is out of range" in err
    assert "0 to 59 (numbered from 0)" in err


def test_trace_requires_a_whole_replicate(capsys, demo):
    code, _, err = call(capsys, "trace", demo["dir"])
    assert code == 2
    assert "--replicate" in err
    code, _, err = call(capsys, "trace", demo["dir"], "--replicate", "first")
    assert code == 2 and err.startswith("error: --replicate 'first': expected a whole number")


# -- validate -----------------------------------------------------------------------------------
def test_validate_baseline(capsys):
    code, out, err = call(capsys, "validate", BASELINE)
    assert code == 0, err
    assert out.startswith("ok")
    assert str(BASELINE) in out
    assert "5 actors" in out and "90 days" in out and "2020-12-20" in out
    assert err == ""


def test_validate_broken_file_names_file_and_line(capsys, tmp_path):
    path, line = write_broken(tmp_path, "broken.yaml", "    control: 0.4 ", "    contrl: 0.4 ")
    code, out, err = call(capsys, "validate", path)
    assert code == 2
    assert out == ""
    assert err.startswith("invalid:")
    assert f"{path}:{line}: actors.FrontGroups.contrl" in err
    assert "did you mean 'control'?" in err


def test_validate_several_files_reports_each(capsys, tmp_path):
    first, first_line = write_broken(tmp_path, "a.yaml", "horizon_days: 90", "horizon_days: soon")
    second, second_line = write_broken(tmp_path, "b.yaml", "    target: US", "    target: USA")
    missing = tmp_path / "c.yaml"
    code, out, err = call(capsys, "validate", first, BASELINE, second, missing)
    assert code == 2
    assert f"{first}:{first_line}: horizon_days" in err
    assert re.search(rf"{re.escape(str(second))}:{second_line}: events\.\d+\.target", err), err
    assert f"{missing}: no such sweep or scenario file" in err
    assert err.count("invalid:") == 3
    assert out.count("ok") == 1 and str(BASELINE) in out


def test_validate_applies_set_overrides(capsys):
    code, out, err = call(capsys, "validate", BASELINE, "--set", "horizon_days=120")
    assert code == 0, err
    assert "120 days" in out
    code, _, err = call(capsys, "validate", BASELINE, "--set", "actors.KH.control=2")
    assert code == 2
    assert "--set actors.KH.control" in err


def test_validate_impossible_date_is_reported(capsys, tmp_path):
    path, line = write_broken(tmp_path, "date.yaml", "start: 2020-12-20", "start: 2020-13-45")
    code, out, err = call(capsys, "validate", path, BASELINE)
    assert code == 2
    assert f"{path}:{line}" in err
    assert str(BASELINE) in out


def test_validate_needs_a_file(capsys):
    code, _, err = call(capsys, "validate")
    assert code == 2
    assert "usage: escalation validate" in err


# -- plot and summary ---------------------------------------------------------------------------
def test_plot_draws_the_figures_of_a_run_from_its_tables(capsys, demo, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(demo["dir"], copy, ignore=shutil.ignore_patterns("plots"))
    code, out, err = call(capsys, "plot", copy)
    assert code == 0, err
    names = sorted(p.name for p in (demo["dir"] / "plots").glob("*.png"))
    assert len(names) == N_PLOTS
    assert out.splitlines() == [str(copy / "plots" / name) for name in names]
    for name in names:
        assert (copy / "plots" / name).read_bytes().startswith(PNG_MAGIC), name
    assert sorted(p.name for p in copy.iterdir()) == sorted([*RESULT_FILES, "plots"])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["copy"]  # no staging folder, no lock


def test_summary_prints_the_table_the_run_printed(capsys, demo):
    code, out, err = call(capsys, "summary", demo["dir"])
    assert code == 0, err
    assert "Wilson" in out and "seed 3" in out
    assert out in demo["out"]


@pytest.mark.parametrize("command", ["plot", "summary", "trace"])
def test_plot_summary_and_trace_need_a_results_folder(capsys, tmp_path, command):
    empty = tmp_path / "empty"
    empty.mkdir()
    for folder, message in ((empty, "no manifest.json here"), (tmp_path / "no", "does not exist")):
        code, out, err = call(capsys, command, folder, *(["-r", "1"] if command == "trace" else []))
        assert code == 2 and out == ""
        assert err.startswith(f"error: {folder}") and message in err
    assert list(empty.iterdir()) == []


def test_plot_keeps_files_escalation_did_not_write(capsys, demo, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(demo["dir"], copy)
    (copy / "plots" / "my-edit.svg").write_text("<svg/>")
    before = snapshot(copy)
    code, _, err = call(capsys, "plot", copy)
    assert code == 2 and "my-edit.svg" in err
    assert snapshot(copy) == before


# -- help and entry points ----------------------------------------------------------------------
def test_python_m_simulator_help(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "simulator", "--help"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    for command in EXAMPLES:
        assert re.search(rf"^\s+{command}\s", proc.stdout, re.MULTILINE), command
    for code in EXIT_CODES:
        assert re.search(rf"^  {code}\s+\w", proc.stdout, re.MULTILINE), code
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("command", sorted(EXAMPLES))
def test_each_command_help_shows_its_own_examples(capsys, command):
    code, out, _ = call(capsys, command, "--help")
    assert code == 0
    examples = out[out.index("examples:") :].splitlines()[1:]
    assert examples
    for line in examples:  # its own command lines, or a continuation of one
        assert line.startswith((f"  escalation {command} ", "      --")), line
        assert "  " not in line.split("#")[0].strip(), line  # no run of spaces inside a command
    assert "%%" not in out


def test_help_says_what_each_option_means(capsys):
    _, out, _ = call(capsys, "run", "--help")
    assert "--set" in out and "--seed" in out and "--force" in out and "actors.KH.control" in out
    _, out, _ = call(capsys, "trace", "--help")
    assert "numbered from 0" in flat(out) and "0 to N-1" in out
    _, out, _ = call(capsys, "plot", "--help")
    assert "sweep folder" in flat(out)
    _, out, _ = call(capsys, "sweep", "--help")
    for kind in ("grid:", "lhs:", "sobol:", "morris:"):
        assert kind in flat(out), kind
    assert "Exit status 3" in flat(out)
    _, out, _ = call(capsys, "analyze", "--help")
    assert "95 % intervals" in flat(out)


def test_version(capsys):
    import simulator

    code, out, _ = call(capsys, "--version")
    assert code == 0
    assert out.strip() == f"escalation {simulator.__version__}"


@pytest.mark.parametrize("argv", [[], ["frobnicate"]], ids=["no-command", "unknown-command"])
def test_usage_errors_exit_2(capsys, argv):
    code, _, err = call(capsys, *argv)
    assert code == 2
    assert "usage: escalation" in err


def test_messages_are_printed_as_written(tmp_path, capsys):
    """Rich must not read a line number as an emoji code (``:100:``) or a label as markup."""
    text = BASELINE.read_text().replace("name: baseline", "name: baseline\nbad_field: 1", 1)
    broken = tmp_path / "x[red]y.yaml"
    padded = "\n" * 91 + text
    broken.write_text(padded)
    line = padded.splitlines().index("bad_field: 1") + 1
    assert line == 100  # rich would print ":100:" as an emoji
    assert main(["validate", str(broken)]) == 2
    err = capsys.readouterr().err.replace("\n", "")
    assert f"{broken}:{line}: bad_field" in err


def test_summary_reports_the_chosen_outcome_and_the_v2_metrics(capsys, tmp_path, monkeypatch):
    """A run with forced moves says what the actors chose apart from what was forced, and how
    much violence began on misread defensive moves."""
    monkeypatch.setenv("COLUMNS", "200")  # one line per metric
    hindcast = BASELINE.parent / "hindcast_2019_2020.yaml"
    out = tmp_path / "hc"
    assert main(["run", str(hindcast), "-n", "60", "--out", str(out), "--no-plots", "-q"]) == 0
    code, text, _ = call(capsys, "summary", out)
    assert code == 0
    flat_text = " ".join(text.split())
    assert "Outcome of the actors' own choices (forced moves left out)" in flat_text
    assert "accidental escalation" in flat_text
    runs = pd.read_parquet(out / "runs.parquet")
    assert {"outcome_chosen", "pair.US.Iran", "accidental_escalation"} <= set(runs.columns)
    events = pd.read_parquet(out / "events.parquet")
    assert events["forced"].any() and (events["replicate"] < 60).all()
