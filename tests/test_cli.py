"""The ``escalation`` command line: run, trace, validate, plot, summary, exit codes and messages.

Most tests call :func:`simulator.cli.main` in-process; a few go through a subprocess (``python -m
simulator`` and the ``escalation`` console script). Every test runs with the working directory
set to its own ``tmp_path`` and writes results only below pytest's temporary folders.
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import io
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from simulator.cli import main

BASELINE = Path(__file__).resolve().parents[1] / "scenarios" / "baseline.yaml"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
RESULT_FILES = ("manifest.json", "runs.parquet", "daily.parquet")
N_PLOTS = 5
DEMO_ARGS = ("--replicates", "60", "--seed", "3")
DATED_LINE = re.compile(r"^(\d{4}-\d{2}-\d{2}) \(day (\d+)\)", re.MULTILINE)


# -- helpers and fixtures -----------------------------------------------------------------------
@pytest.fixture(autouse=True)
def _in_tmp_path(tmp_path, monkeypatch):
    """Run every test from its own tmp_path so that a default ``results/`` lands there."""
    monkeypatch.chdir(tmp_path)


def call(capsys, *argv: str | os.PathLike) -> tuple[int, str, str]:
    """Run ``escalation ARGV`` in-process; return (exit status, stdout, stderr)."""
    capsys.readouterr()
    try:
        code = main([str(a) for a in argv])
    except SystemExit as exc:  # argparse: --help, usage errors
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


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


def manifest_of(folder: Path) -> dict:
    return json.loads((folder / "manifest.json").read_text(encoding="utf-8"))


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Bytes and modification time of every file below ``folder``."""
    return {
        str(p.relative_to(folder)): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


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
    # nothing half-written is left next to it
    assert sorted(p.name for p in folder.parent.iterdir()) == ["demo"]
    assert sorted(p.name for p in folder.iterdir()) == sorted([*RESULT_FILES, "plots"])


def test_run_prints_the_summary_table(demo):
    out = demo["out"]
    manifest = manifest_of(demo["dir"])
    for label in manifest["outcome_labels"].values():
        assert label in out, label
    assert "Wilson" in out
    assert "60 replicates" in out and "seed 3" in out
    assert f"Results: {demo['dir']}" in out
    assert demo["err"] == ""


def test_run_manifest_records_the_run(demo):
    manifest = manifest_of(demo["dir"])
    assert manifest["seed"] == 3
    assert manifest["replicates"] == 60
    assert manifest["scenario_name"] == "baseline"
    assert manifest["scenario_file"] == str(BASELINE)
    assert manifest["versions"]["mesa"] == importlib.metadata.version("mesa")
    assert {"python", "simulator", "numpy", "pandas"} <= set(manifest["versions"])
    assert isinstance(manifest["command"], str) and manifest["command"].startswith("escalation")
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


def test_run_manifest_records_the_command_line_given_to_main(demo):
    command = manifest_of(demo["dir"])["command"]
    assert shlex.split(command)[1:] == ["run", str(BASELINE), *DEMO_ARGS, "--out", str(demo["dir"])]


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


def test_run_force_replaces_the_folder(capsys, tmp_path):
    folder = tmp_path / "out"
    assert quick_run(capsys, folder, seed=3) == 0
    old_runs = pd.read_parquet(folder / "runs.parquet")
    (folder / "stale.txt").write_text("from an older run")
    assert quick_run(capsys, folder, "--force", seed=4, replicates=30) == 0
    manifest = manifest_of(folder)
    assert manifest["seed"] == 4 and manifest["replicates"] == 30
    assert len(pd.read_parquet(folder / "runs.parquet")) == 30 != len(old_runs)
    assert not (folder / "stale.txt").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # old folder cleaned up


def test_force_does_not_wipe_a_folder_that_is_not_a_results_folder(capsys, tmp_path):
    precious = tmp_path / "thesis"
    precious.mkdir()
    (precious / "chapter1.tex").write_text("months of work")
    code = quick_run(capsys, precious, "--force")
    assert (precious / "chapter1.tex").exists()
    assert code == 2


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


def test_a_different_seed_gives_different_runs(capsys, demo, tmp_path):
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
        (["--replicates", "0"], "must be at least 1"),
        (["--replicates", "-5"], "must be at least 1"),
        (["--seed", "-1"], "must be between 0 and 2**63-1"),
    ],
)
def test_run_bad_numbers_are_usage_errors(capsys, tmp_path, args, expected):
    code, out, err = call(capsys, "run", BASELINE, *args, "--out", tmp_path / "x")
    assert code == 2
    assert "usage: escalation run" in err
    assert expected in err
    assert not (tmp_path / "x").exists()


@pytest.mark.parametrize("option", ["--replicates", "--seed"])
def test_run_non_numeric_option_message_is_clean(capsys, tmp_path, option):
    code, _, err = call(capsys, "run", BASELINE, option, "abc", "--out", tmp_path / "x")
    assert code == 2
    assert "_positive" not in err and "_seed" not in err


def test_run_non_numeric_option_is_a_usage_error(capsys, tmp_path):
    code, _, err = call(capsys, "run", BASELINE, "--replicates", "abc", "--out", tmp_path / "x")
    assert code == 2
    assert "'abc'" in err


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
    assert "0 to 59" in err


def test_trace_folder_without_manifest(capsys, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    code, _, err = call(capsys, "trace", empty, "--replicate", "1")
    assert code == 2
    assert err.startswith("error:") and "manifest.json" in err


def test_trace_missing_folder(capsys, tmp_path):
    code, _, err = call(capsys, "trace", tmp_path / "nowhere", "--replicate", "1")
    assert code == 2
    assert str(tmp_path / "nowhere") in err and "does not exist" in err


def test_trace_requires_a_replicate(capsys, demo):
    code, _, err = call(capsys, "trace", demo["dir"])
    assert code == 2
    assert "--replicate" in err


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
    assert f"{second}:{second_line}: events.4.target" in err
    assert f"{missing}: no such scenario file" in err
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
def test_plot_regenerates_the_plots(capsys, demo):
    plots = demo["dir"] / "plots"
    names = sorted(p.name for p in plots.glob("*.png"))
    assert len(names) == N_PLOTS
    victim = plots / names[0]
    victim.unlink()
    code, out, err = call(capsys, "plot", demo["dir"])
    assert code == 0, err
    assert victim.read_bytes().startswith(PNG_MAGIC)
    assert sorted(p.name for p in plots.glob("*.png")) == names
    assert sorted(Path(line).name for line in out.splitlines()) == names
    assert sorted(p.name for p in demo["dir"].iterdir()) == sorted([*RESULT_FILES, "plots"])


def test_summary_prints_the_table(capsys, demo):
    code, out, err = call(capsys, "summary", demo["dir"])
    assert code == 0, err
    for label in manifest_of(demo["dir"])["outcome_labels"].values():
        assert label in out
    assert "Wilson" in out and "seed 3" in out


def test_summary_matches_the_run_output(capsys, demo):
    _, out, _ = call(capsys, "summary", demo["dir"])
    assert out in demo["out"]


@pytest.mark.parametrize("command", ["plot", "summary"])
def test_plot_and_summary_need_a_results_folder(capsys, tmp_path, command):
    empty = tmp_path / "empty"
    empty.mkdir()
    code, _, err = call(capsys, command, empty)
    assert code == 2
    assert err.startswith("error:") and "manifest.json" in err
    assert list(empty.iterdir()) == []


def test_plot_copy_of_a_results_folder(capsys, demo, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(demo["dir"], copy, ignore=shutil.ignore_patterns("plots"))
    code, _, err = call(capsys, "plot", copy)
    assert code == 0, err
    assert len(list((copy / "plots").glob("*.png"))) == N_PLOTS


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
    for command in ("run", "trace", "validate", "plot", "summary"):
        assert re.search(rf"^\s+{command}\s", proc.stdout, re.MULTILINE), command
    assert list(tmp_path.iterdir()) == []


def test_run_help_mentions_set_and_seed(capsys):
    code, out, _ = call(capsys, "run", "--help")
    assert code == 0
    assert "--set" in out and "--seed" in out and "--force" in out
    assert "actors.KH.control" in out


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
