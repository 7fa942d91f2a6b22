"""Parameter sweeps: determinism across executors and chunking, resume, failures, validation.

Sweeps here run a short copy of the baseline (no dated events, a 20-day horizon) written into
pytest's temporary folders, through :func:`simulator.cli.main` in-process, except the one that is
killed with SIGKILL, which runs as ``python -m simulator`` in its own process group.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import (
    BASELINE,
    call,
    chunk_files,
    chunk_rows,
    entries,
    flat,
    held_lock,
    manifest_of,
    points_of,
    quiet_main,
    snapshot,
    write_small,
)

from simulator.model.world import EscalationModel

#: two parameters, a 3 × 2 grid: points 0..5 are (control, rationality) in itertools.product order
GRID = ("-p", "actors.KH.control=0.3:1:3", "-p", "rationality=1:2:2")
CONTROLS = (0.3, 0.65, 1.0)  # grid levels of 0.3:1:3, rounded to 12 significant digits
TIMEOUT = 120  # seconds: no wait in this module may take longer


# -- helpers and fixtures -----------------------------------------------------------------------
@pytest.fixture(autouse=True)
def _isolated(in_tmp_path):
    """Run from tmp_path, and never on a Dask scheduler named by the environment."""


@pytest.fixture
def small(tmp_path) -> Path:
    return write_small(tmp_path)


# -- 1. determinism across executors and chunking ------------------------------------------------
WORKERS = ("0", "1", "2")
BLOCKS = (None, "15")  # default chunking (one unit holds every point) and 3 blocks per point


@pytest.fixture(scope="module")
def grid_runs(tmp_path_factory) -> dict[tuple[str, str | None], Path]:
    """The same 3 × 2 grid × 40 replicates, for every executor and both chunkings."""
    root = tmp_path_factory.mktemp("grid")
    small = write_small(root)
    runs = {}
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("DASK_SCHEDULER_ADDRESS", raising=False)
        for block in BLOCKS:
            for workers in WORKERS:
                out = root / f"w{workers}-b{block or 'default'}"
                extra = ("--block", block) if block else ()
                code, text = quiet_main(
                    "sweep", small, *GRID, "-n", "40", "--workers", workers, *extra, "--out", out
                )
                assert code == 0, text
                runs[workers, block] = out
    return runs


def test_chunking_is_as_planned(grid_runs):
    default = manifest_of(grid_runs["0", None])
    assert default["points"] == 6 and default["replicates"] == 40
    assert default["units"] == 1  # 6 points × 40 replicates × 20 days is one small unit
    assert sorted(chunk_files(grid_runs["0", None])) == ["unit-000000.parquet"]
    blocked = manifest_of(grid_runs["0", "15"])
    assert blocked["chunking"] == {"block": 15, "points_per_unit": 1}
    assert blocked["units"] == 18  # 6 points × ceil(40 / 15) blocks
    assert sorted(chunk_files(grid_runs["0", "15"])) == [f"unit-{i:06d}.parquet" for i in range(18)]
    for folder in grid_runs.values():
        assert entries(folder / "failures") == []


def test_same_rows_whatever_the_executor_and_chunking(grid_runs):
    reference = chunk_rows(grid_runs["0", None])
    assert len(reference) == 6 * 40
    expected_index = pd.MultiIndex.from_product([range(6), range(40)])
    assert (pd.MultiIndex.from_frame(reference[["point", "replicate"]]) == expected_index).all()
    ref_points = points_of(grid_runs["0", None])
    assert ref_points["complete"].all()
    for key, folder in grid_runs.items():
        pd.testing.assert_frame_equal(chunk_rows(folder), reference, check_exact=True, obj=key)
        pd.testing.assert_frame_equal(points_of(folder), ref_points, check_exact=True, obj=key)


def test_same_chunking_gives_byte_identical_files(grid_runs):
    for block in BLOCKS:
        reference = grid_runs["0", block]
        for workers in WORKERS[1:]:
            folder = grid_runs[workers, block]
            assert chunk_files(folder) == chunk_files(reference), (workers, block)
            assert (folder / "points.parquet").read_bytes() == (
                reference / "points.parquet"
            ).read_bytes(), (workers, block)
            assert (folder / "design.parquet").read_bytes() == (
                reference / "design.parquet"
            ).read_bytes(), (workers, block)


def test_points_follow_the_design_and_the_rows(grid_runs):
    folder = grid_runs["2", "15"]
    points = points_of(folder)
    design = pd.read_parquet(folder / "design.parquet")
    assert list(design.columns) == ["point", "actors.KH.control", "rationality"]
    expected = [(c, r) for c in CONTROLS for r in (1.0, 2.0)]
    assert list(zip(design["actors.KH.control"], design["rationality"], strict=True)) == expected
    pd.testing.assert_frame_equal(points[design.columns.tolist()], design, check_exact=True)
    rows = chunk_rows(folder)
    counts = rows.groupby("point")["outcome"].value_counts().unstack(fill_value=0)
    for outcome in counts.columns:
        assert np.array_equal(points[f"p_{outcome}"], counts[outcome] / 40), outcome
    assert (points["replicates"] == 40).all()


# -- 2. SIGKILL, then --resume ---------------------------------------------------------------------
def _wait_gone(pgid: int, seconds: float) -> None:
    """Best effort: wait until no process of group ``pgid`` is left to signal."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)


def test_killed_sweep_resumes_to_identical_data(tmp_path, small):
    args = ["sweep", str(small), *GRID, "-n", "16", "--block", "2", "--workers", "1", "-q"]
    total = 6 * 8  # units: 6 points × 8 blocks of 2 replicates
    killed = tmp_path / "killed"
    log = (tmp_path / "killed.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "simulator", *args, "--out", str(killed)],
        cwd=tmp_path,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + TIMEOUT
        while len(chunk_files(killed) if (killed / "chunks").is_dir() else {}) < 3:
            if proc.poll() is not None:
                pytest.fail(f"the sweep ended (status {proc.returncode}) before it was killed")
            if time.monotonic() > deadline:
                pytest.fail("no chunk appeared in time")
            time.sleep(0.01)
        os.killpg(proc.pid, signal.SIGKILL)  # the client and its pool's workers, all at once
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
        log.close()
    _wait_gone(proc.pid, 5)
    assert proc.returncode == -signal.SIGKILL

    done = chunk_files(killed)
    assert 3 <= len(done) < total, len(done)
    assert not (killed / "points.parquet").exists()
    for name in done:  # every stored unit is whole, valid Parquet
        rows = pd.read_parquet(killed / "chunks" / name)
        assert len(rows) == 2 * 1 and list(rows.columns[:2]) == ["point", "replicate"], name
    # a writer killed mid-write leaves a hidden temp; plant one (garbage) for a unit not yet done
    missing = next(i for i in range(total) if f"unit-{i:06d}.parquet" not in done)
    stale = killed / "chunks" / f".unit-{missing:06d}.parquet.x9k2ab3c.partial"
    stale.write_bytes(b"PAR1 half a file")

    code, text = quiet_main("sweep", "--resume", killed)
    assert code == 0, text
    reference = tmp_path / "reference"
    code, text = quiet_main(*args, "--out", reference)
    assert code == 0, text

    resumed = chunk_files(killed)
    expected = chunk_files(reference)
    assert len(expected) == total
    assert sorted(resumed) == sorted(expected)  # no temp counted as a unit, none missing
    for name in done:  # units stored before the kill were not redone differently
        assert done[name] == expected[name], name
    assert resumed == expected
    for name in ("points.parquet", "design.parquet"):
        assert (killed / name).read_bytes() == (reference / name).read_bytes(), name
    assert points_of(killed)["complete"].all()
    assert entries(killed / "failures") == []
    assert not stale.exists()  # the killed writer's litter was cleaned, never taken for a unit
    assert not any(p.name.startswith(".") for p in tmp_path.iterdir() if p.name != ".lock")


def test_each_unit_is_told_its_workers_share_of_the_sweep(tmp_path, small, capsys, monkeypatch):
    """What the `auto` engine goes by in a worker (simulator.model.engine.expect)."""
    from simulator.experiment import sweep, units
    from simulator.model import engine

    monkeypatch.setattr(engine, "_expected", 0)
    shares = []

    def spy(base, paths, unit, share=0):
        shares.append(share)
        return units.run_unit(base, paths, unit, share)

    monkeypatch.setattr(sweep, "run_unit", spy)
    args = ("sweep", small, *GRID, "-n", "20", "--block", "10", "--workers", "0")
    code, _, err = call(capsys, *args, "--out", tmp_path / "sweep")
    assert code == 0, err
    assert shares == [6 * 20 * 20] * 12  # 6 points x 20 replicates x 20 days, one worker
    assert engine._expected == 6 * 20 * 20  # and the unit passed it on


# -- 3. a failing design point ---------------------------------------------------------------------
def test_failing_point_is_recorded_and_retried_on_resume(tmp_path, small, capsys, monkeypatch):
    original = EscalationModel.step

    def failing_step(self):
        if self.scenario.actors["KH"].control >= 0.99:
            raise RuntimeError("injected failure: KH fully controlled")
        original(self)

    args = ("sweep", small, *GRID, "-n", "20", "--block", "10", "--workers", "0")
    folder = tmp_path / "sweep"
    monkeypatch.setattr(EscalationModel, "step", failing_step)
    code, out, err = call(capsys, *args, "--out", folder)
    monkeypatch.setattr(EscalationModel, "step", original)

    assert code == 3, err
    # points 4 and 5 have control 1.0; with two blocks per point they are units 8..11
    bad_units = (8, 9, 10, 11)
    assert entries(folder / "failures") == [f"unit-{u:06d}.json" for u in bad_units]
    for unit in bad_units:
        record = json.loads((folder / "failures" / f"unit-{unit:06d}.json").read_text())
        assert record["unit"] == unit
        assert record["points"] == [4 + (unit - 8) // 2]
        assert record["replicates"] == ([0, 10] if unit % 2 == 0 else [10, 20])
        assert record["error"] == "RuntimeError: injected failure: KH fully controlled"
        assert "failing_step" in record["traceback"]
        assert "injected failure" in record["traceback"]
    assert sorted(chunk_files(folder)) == [f"unit-{u:06d}.parquet" for u in range(8)]
    points = points_of(folder)
    assert points["complete"].tolist() == [True] * 4 + [False] * 2
    assert points["replicates"].tolist() == [20] * 4 + [0] * 2
    assert points.loc[4:, "p_war"].isna().all()
    assert points.loc[:3, "p_war"].notna().all()
    assert "12 units run now, 0 already done, 4 failed." in flat(out)
    said = flat(err)
    assert "4 of 12 units failed (design points 4, 5)" in said
    assert "RuntimeError: injected failure: KH fully controlled (4 units)" in said
    assert f"`escalation sweep --resume {folder}`" in said

    code, out, err = call(capsys, "sweep", "--resume", folder, "--workers", "0")
    assert code == 0, err
    assert "4 units run now, 8 already done, 0 failed." in flat(out)
    assert entries(folder / "failures") == []
    points = points_of(folder)
    assert points["complete"].all() and (points["replicates"] == 20).all()
    # and the retried sweep holds exactly what a sweep that never failed holds
    clean = tmp_path / "clean"
    code, _, err = call(capsys, *args, "--out", clean, "-q")
    assert code == 0, err
    assert chunk_files(folder) == chunk_files(clean)
    assert (folder / "points.parquet").read_bytes() == (clean / "points.parquet").read_bytes()


# -- 4. validation before running ------------------------------------------------------------------
def _refused(capsys, tmp_path: Path, *argv) -> str:
    """Run a sweep that must be refused (status 2) without creating anything; its message."""
    before = entries(tmp_path)
    defaults = [] if {"-n", "--replicates"} & set(argv) else ["-n", "4"]
    defaults += [] if "--workers" in argv else ["--workers", "0"]
    code, out, err = call(capsys, "sweep", *argv, *defaults, "--out", "sw")
    assert code == 2, (out, err)
    assert entries(tmp_path) == before  # no sweep folder, no hidden temp next to it
    return flat(err)


def test_out_of_range_value_is_refused_before_anything_runs(tmp_path, small, capsys):
    err = _refused(capsys, tmp_path, small, "-p", "actors.KH.control=0:2:3")
    assert "design point 2 (actors.KH.control=2)" in err
    assert "actors.KH.control" in err and "less than or equal to 1" in err
    assert "design point 0" not in err and "design point 1" not in err  # 0 and 1 are fine
    assert "np.float64" not in err and "(got 2.0)" in err


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("--workers", "-1"), "--workers -1: must be at least 0"),
        (("--workers", "many"), "--workers 'many': expected a whole number"),
        (("--replicates", str(10**12)), "must be at most 10,000,000"),
        (
            ("--design", "morris", "--points", "2", "--levels", "1"),
            "--levels 1: must be at least 2",
        ),
        (("--block", "0"), "--block 0: must be at least 1"),
        (("--seed", "-3"), "--seed -3: must be at least 0"),
    ],
    ids=["workers", "workers-text", "replicates", "levels", "block", "seed"],
)
def test_bad_options_are_refused_with_a_located_message(tmp_path, small, capsys, args, expected):
    err = _refused(capsys, tmp_path, small, "-p", "actors.KH.control=0.3:1:2", *args)
    assert err.startswith("error: ") and expected in err and "Traceback" not in err


def test_a_huge_grid_is_refused_at_once(tmp_path, small, capsys):
    err = _refused(capsys, tmp_path, small, "-p", "actors.KH.control=0:1:100000000")
    assert "'0:1:100000000': the number of levels must be 1 to 10,000,000" in err
    err = _refused(
        capsys, tmp_path, small, "-p", "actors.KH.control=0:1:5000", "-p", "rationality=1:2:5000"
    )
    assert "has 25,000,000 design points; at most 10,000,000 are allowed" in err


@pytest.mark.parametrize(
    ("path", "hint"),
    [
        ("actors.KH.controll", "did you mean 'control'?"),
        ("rationalty", "did you mean 'rationality'?"),
        ("perception.Iran.US.offense_bis", "did you mean 'offense_bias'?"),
    ],
)
def test_unknown_path_is_refused_with_a_suggestion(tmp_path, small, capsys, path, hint):
    err = _refused(capsys, tmp_path, small, "-p", f"{path}=0:1:2")
    assert f"unknown field '{path.rsplit('.', 1)[-1]}'" in err
    assert hint in err


def test_sobol_needs_a_power_of_two(tmp_path, small, capsys):
    err = _refused(
        capsys,
        tmp_path,
        small,
        "-p",
        "actors.KH.control=0.3:1",
        "--design",
        "sobol",
        "--points",
        "6",
    )
    assert "--points 6" in err and "power of 2" in err and "(e.g. 8)" in err


def test_grid_needs_levels(tmp_path, small, capsys):
    err = _refused(capsys, tmp_path, small, "-p", "actors.KH.control=0.3:1")
    assert "a grid needs lo:hi:n or a list of values" in err
    assert "actors.KH.control" in err


def test_nothing_to_sweep_and_no_file(tmp_path, small, capsys):
    err = _refused(capsys, tmp_path, small)
    assert "nothing to sweep" in err
    code, _, err = call(capsys, "sweep")
    assert code == 2 and "give a scenario or sweep file, or --resume DIR" in flat(err)
    assert entries(tmp_path) == ["small.yaml"]


def test_sobol_design_runs(tmp_path, small, capsys):
    code, _, err = call(
        capsys,
        "sweep",
        small,
        "-p",
        "actors.KH.control=0.3:1",
        "-p",
        "rationality=1:2",
        "--design",
        "sobol",
        "--points",
        "4",
        "-n",
        "3",
        "--workers",
        "0",
        "--out",
        "sobol",
        "-q",
    )
    assert code == 0, err
    points = points_of(tmp_path / "sobol")
    assert len(points) == 4 * (2 + 2)  # Saltelli: N (D + 2) without second order
    assert points["complete"].all()
    assert points["actors.KH.control"].between(0.3, 1).all()


def test_integer_parameter_can_be_swept(tmp_path, small, capsys):
    code, _, err = call(
        capsys,
        "sweep",
        small,
        "-p",
        "actors.US.red_lines.0.delay_max=1:5:3",
        "-n",
        "4",
        "--workers",
        "0",
        "--out",
        "ints",
        "-q",
    )
    assert code == 0, err
    design = pd.read_parquet(tmp_path / "ints" / "design.parquet")
    assert design["actors.US.red_lines.0.delay_max"].tolist() == [1, 3, 5]
    assert points_of(tmp_path / "ints")["complete"].all()


# -- 5. existing folders and --resume of something else ------------------------------------------
def test_existing_out_is_refused_without_force(tmp_path, small, capsys):
    args = ("sweep", small, "-p", "actors.KH.control=0.3:1:2", "-n", "4", "--workers", "0", "-q")
    folder = tmp_path / "sw"
    code, _, err = call(capsys, *args, "--out", folder)
    assert code == 0, err
    before, names = snapshot(folder), entries(tmp_path)
    code, _, err = call(capsys, *args, "-p", "rationality=1,2", "--out", folder)
    assert code == 2
    assert "already exists" in flat(err) and "--force" in err
    assert snapshot(folder) == before and entries(tmp_path) == names

    code, _, err = call(capsys, *args, "-p", "rationality=1,2", "--out", folder, "--force")
    assert code == 0, err
    assert manifest_of(folder)["points"] == 4
    assert entries(tmp_path) == names  # the old folder is gone, no temp is left behind

    # a folder of someone else's files is never replaced, even with --force
    other = tmp_path / "mine"
    other.mkdir()
    (other / "notes.txt").write_text("keep me")
    for force, message in (((), "already exists"), (("--force",), "not a results folder")):
        code, _, err = call(capsys, *args, "--out", other, *force)
        assert code == 2 and message in flat(err)
        assert entries(other) == ["notes.txt"] and (other / "notes.txt").read_text() == "keep me"


def test_resume_refuses_what_is_not_a_sweep(tmp_path, capsys):
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "notes.txt").write_text("x")
    code, _, err = call(capsys, "sweep", "--resume", plain)
    assert code == 2 and "no manifest.json here" in flat(err) and str(plain) in flat(err)

    run = tmp_path / "run"
    run.mkdir()
    (run / "manifest.json").write_text(json.dumps({"format": "escalation-results/1"}))
    code, _, err = call(capsys, "sweep", "--resume", run)
    assert code == 2 and "a run folder, not a sweep folder" in flat(err)

    code, _, err = call(capsys, "sweep", "--resume", tmp_path / "nowhere")
    assert code == 2 and "does not exist" in flat(err)

    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "manifest.json").write_text("{not json")
    code, _, err = call(capsys, "sweep", "--resume", broken)
    assert code == 2 and "cannot be read" in flat(err)
    assert entries(plain) == ["notes.txt"] and entries(run) == ["manifest.json"]
    assert not (tmp_path / "nowhere").exists()


# -- 6. sweep files and sweep sections ------------------------------------------------------------
def test_sweep_file_runs_and_cli_param_overrides_it(tmp_path, small, capsys):
    spec = tmp_path / "sweeps" / "control.yaml"
    spec.parent.mkdir()
    spec.write_text(
        "scenario: ../small.yaml\n"
        "design: grid\n"
        "replicates: 6\n"
        "set: {rationality: 2.5}\n"
        "params:\n"
        '  actors.KH.control: "0.3:1:3"\n'
        "  perception.Iran.US.offense_bias: [0.2, 0.8]\n",
        encoding="utf-8",
    )
    code, _, err = call(capsys, "sweep", spec, "--workers", "0", "--out", "from-file", "-q")
    assert code == 0, err
    folder = tmp_path / "from-file"
    manifest = manifest_of(folder)
    assert manifest["replicates"] == 6 and manifest["points"] == 6
    assert manifest["scenario"]["rationality"] == 2.5  # the file's `set`
    assert Path(manifest["scenario_file"]).resolve() == small.resolve()
    design = pd.read_parquet(folder / "design.parquet")
    assert list(design.columns) == ["point", "actors.KH.control", "perception.Iran.US.offense_bias"]
    assert sorted(set(design["actors.KH.control"])) == list(CONTROLS)
    assert sorted(set(design["perception.Iran.US.offense_bias"])) == [0.2, 0.8]
    assert points_of(folder)["complete"].all()

    # --param replaces the file's entry for the same path; --replicates the file's replicates
    code, _, err = call(
        capsys,
        "sweep",
        spec,
        "-p",
        "actors.KH.control=0,1",
        "-n",
        "4",
        "--workers",
        "0",
        "--out",
        "overridden",
        "-q",
    )
    assert code == 0, err
    folder = tmp_path / "overridden"
    manifest = manifest_of(folder)
    assert manifest["replicates"] == 4 and manifest["points"] == 4
    params = {p["path"]: p for p in manifest["design"]["parameters"]}
    assert set(params) == {"actors.KH.control", "perception.Iran.US.offense_bias"}
    assert params["actors.KH.control"]["values"] == [0.0, 1.0]
    design = pd.read_parquet(folder / "design.parquet")
    assert sorted(set(design["actors.KH.control"])) == [0.0, 1.0]
    assert len(chunk_rows(folder)) == 4 * 4


def test_sweep_section_inside_a_scenario(tmp_path, capsys):
    scenario = write_small(
        tmp_path,
        sweep={"design": "grid", "replicates": 5, "params": {"rationality": "1:3:3"}},
    )
    code, _, err = call(capsys, "sweep", scenario, "--workers", "0", "--out", "sec", "-q")
    assert code == 0, err
    folder = tmp_path / "sec"
    manifest = manifest_of(folder)
    assert manifest["replicates"] == 5 and manifest["points"] == 3
    assert pd.read_parquet(folder / "design.parquet")["rationality"].tolist() == [1.0, 2.0, 3.0]
    assert points_of(folder)["complete"].all()


def test_repository_sweep_file_is_valid(tmp_path, capsys):
    """scenarios/sweeps/bias_x_control.yaml plans and validates (then --out is refused)."""
    spec = BASELINE.parent / "sweeps" / "bias_x_control.yaml"
    existing = tmp_path / "taken"
    existing.mkdir()
    (existing / "x").write_text("x")
    # the plan (88 points) is built and validated first; then the occupied --out is refused
    code, _, err = call(capsys, "sweep", spec, "--out", existing, "--force")
    assert code == 2 and "not a results folder" in flat(err)
    assert entries(existing) == ["x"]


# -- 7. chunks the store does not trust, writers it refuses, a disk that fills ------------------
BLOCKED = (*GRID, "-n", "8", "--block", "4", "--workers", "0", "-q")  # 6 points × 2 blocks


@pytest.fixture(scope="module")
def finished(tmp_path_factory) -> Path:
    """A finished sweep of 12 one-point units (read-only: tests copy it)."""
    root = tmp_path_factory.mktemp("finished")
    folder = root / "sweep"
    code, text = quiet_main("sweep", write_small(root), *BLOCKED, "--out", folder)
    assert code == 0, text
    return folder


def copy_of(finished: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "copy"
    shutil.copytree(finished, folder)
    return folder


def test_resume_reruns_a_truncated_chunk(tmp_path, finished, capsys):
    folder = copy_of(finished, tmp_path)
    victim = folder / "chunks" / "unit-000003.parquet"
    victim.write_bytes(victim.read_bytes()[: victim.stat().st_size // 2])
    code, out, err = call(capsys, "sweep", "--resume", folder, "--workers", "0")
    assert code == 0, err
    assert "note: stored unit 3 will run again: cannot be read as Parquet" in flat(err)
    assert "1 units run now, 11 already done, 0 failed." in flat(out)
    assert chunk_files(folder) == chunk_files(finished)
    assert (folder / "points.parquet").read_bytes() == (finished / "points.parquet").read_bytes()


def test_another_units_chunk_is_not_taken_for_this_one(tmp_path, finished, capsys):
    folder = copy_of(finished, tmp_path)
    shutil.copyfile(
        folder / "chunks" / "unit-000001.parquet", folder / "chunks" / "unit-000000.parquet"
    )
    # analyze and plot refuse the points table: it was built from other chunks
    for command in ("analyze", "plot"):
        code, _, err = call(capsys, command, folder)
        assert code == 2 and "points.parquet: out of date" in flat(err)
        assert f"escalation sweep --resume {folder}" in flat(err)
    code, out, err = call(capsys, "sweep", "--resume", folder, "--workers", "0")
    assert code == 0, err
    assert "stored unit 0 will run again: belongs elsewhere: unit 1 (expected 0)" in flat(err)
    assert chunk_files(folder) == chunk_files(finished)
    assert points_of(folder)["replicates"].tolist() == [8] * 6  # no replicate counted twice
    code, _, err = call(capsys, "analyze", folder)
    assert code == 0, err


def test_a_chunk_of_another_sweep_is_rerun(tmp_path, finished, capsys):
    folder = copy_of(finished, tmp_path)
    other = tmp_path / "other"
    code, text = quiet_main("sweep", write_small(tmp_path), *BLOCKED, "--seed", "9", "--out", other)
    assert code == 0, text
    shutil.copyfile(
        other / "chunks" / "unit-000005.parquet", folder / "chunks" / "unit-000005.parquet"
    )
    code, _, err = call(capsys, "sweep", "--resume", folder, "--workers", "0")
    assert code == 0, err
    assert "stored unit 5 will run again: belongs elsewhere: sweep" in flat(err)
    assert chunk_files(folder) == chunk_files(finished)


def test_a_second_writer_of_a_sweep_is_refused(tmp_path, finished, capsys):
    folder = copy_of(finished, tmp_path)
    before = snapshot(folder)
    with held_lock(folder):
        code, _, err = call(capsys, "sweep", "--resume", folder, "--workers", "0")
        assert code == 2 and "another escalation process is writing this folder" in flat(err)
        code, _, err = call(capsys, "sweep", BASELINE, *BLOCKED, "--out", folder, "--force")
        assert code == 2 and "another escalation process" in flat(err)
    assert snapshot(folder) == before


def test_disk_full_midway_keeps_finished_units_and_says_how_to_resume(
    tmp_path, finished, capsys, monkeypatch
):
    import pyarrow.parquet as pq  # what the results' tables write with

    real = pq.write_table
    writes = []

    def fills_up(table, where, **kwargs):
        writes.append(where)
        if len(writes) > 5:  # design.parquet, then four units: then the disk is full
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(table, where, **kwargs)

    monkeypatch.setattr(pq, "write_table", fills_up)
    folder = tmp_path / "full"
    small = write_small(tmp_path)
    code, _, err = call(capsys, "sweep", small, *BLOCKED, "--out", folder)
    monkeypatch.setattr(pq, "write_table", real)
    assert code == 4
    said = flat(err)
    assert "No space left on device" in said and "Finished units are kept" in said
    assert f"`escalation sweep --resume {folder}`" in said
    assert len(chunk_files(folder)) == 4
    assert not any(p.name.endswith(".partial") for p in (folder / "chunks").iterdir())
    code, _, err = call(capsys, "sweep", "--resume", folder, "--workers", "0", "-q")
    assert code == 0, err
    assert chunk_files(folder) == chunk_files(finished)


def test_sweep_force_replaces_only_a_sweep(tmp_path, finished, capsys):
    run = tmp_path / "run"
    code, _, err = call(capsys, "run", BASELINE, "-n", "5", "--no-plots", "-q", "--out", run)
    assert code == 0, err
    before = snapshot(run)
    code, _, err = call(capsys, "sweep", BASELINE, *BLOCKED, "--out", run, "--force")
    assert code == 2 and "a run folder, not a sweep folder" in flat(err)
    assert snapshot(run) == before
    folder = copy_of(finished, tmp_path)
    (folder / "analysis").mkdir()
    (folder / "analysis" / "my_notes.md").write_text("keep")
    code, _, err = call(capsys, "sweep", BASELINE, *BLOCKED, "--out", folder, "--force")
    assert code == 2 and "analysis/my_notes.md" in flat(err)
    assert (folder / "analysis" / "my_notes.md").read_text() == "keep"
