"""The results store: one manifest reader, one atomic writer, the lock, what --force may touch,
the run tables' travelling object, progress reports, and the README's account of all that.

These tests drive :mod:`simulator.results` directly (the CLI tests cover the same paths end to
end); everything is written below pytest's temporary folders.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import BASELINE, held_lock

from simulator.cli import EXIT_CODES
from simulator.console import LineProgress
from simulator.experiment.run import build_manifest, run_scenario
from simulator.plots import write_all
from simulator.results.errors import ResultsError, ResultsExistError, ResultsLockedError
from simulator.results.layout import KINDS, lock_path
from simulator.results.manifest import new_manifest, read_manifest
from simulator.results.reader import load_run
from simulator.results.store import clean_litter, locked, prepare_target, write_atomic
from simulator.results.tables import RunTables, write_run

README = BASELINE.parents[1] / "README.md"


def test_the_store_and_the_figures_do_not_load_the_model(tmp_path):
    code = (
        "import multiprocessing, sys\n"
        "import simulator.results, simulator.results.reader, simulator.plots\n"
        "import simulator.plots.sweep\n"
        "assert 'mesa' not in sys.modules, 'mesa'\n"
        "assert not any(m.startswith('simulator.model') for m in sys.modules), 'model'\n"
        "assert not any(m.startswith('simulator.experiment') for m in sys.modules), 'experiment'\n"
        "assert multiprocessing.get_start_method(allow_none=True) is None, 'start method'\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, timeout=120
    )
    assert proc.returncode == 0, proc.stderr


# -- manifests ------------------------------------------------------------------------------------
def write_manifest(folder: Path, manifest: dict) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "manifest.json").write_text(json.dumps(manifest))
    return folder


def test_one_reader_says_which_kind_a_folder_is(tmp_path, baseline):
    run = build_manifest(baseline, "baseline.yaml", "escalation run")
    run["pairs"] = [["US", "Iran"]]  # a key a later writer adds flows through unchanged
    read = read_manifest(write_manifest(tmp_path / "run", run))
    assert read["kind"] == "run" and read["pairs"] == [["US", "Iran"]]
    legacy = {key: 1 for key in KINDS["sweep"].manifest_keys} | {"format": "escalation-sweep/1"}
    assert read_manifest(write_manifest(tmp_path / "old-sweep", legacy), "sweep")["kind"] == "sweep"
    with pytest.raises(ResultsError, match="a run folder, not a sweep folder"):
        read_manifest(tmp_path / "run", "sweep")
    with pytest.raises(ResultsError, match="unknown kind 'atlas'"):
        read_manifest(write_manifest(tmp_path / "atlas", {**run, "kind": "atlas"}))
    with pytest.raises(ResultsError, match="lacks ladder"):
        read_manifest(
            write_manifest(tmp_path / "thin", {k: v for k, v in run.items() if k != "ladder"})
        )
    with pytest.raises(ValueError, match="unknown results kind"):
        new_manifest("atlas", "escalation", {})


# -- the lock ----------------------------------------------------------------------------------
def test_the_lock_is_exclusive_between_writers_and_reentrant_within_one(tmp_path):
    folder = tmp_path / "out"
    with locked(folder), locked(folder):  # a workflow may nest its steps' locks
        assert lock_path(folder).exists()
    assert not lock_path(folder).exists()  # released and removed
    with held_lock(folder), pytest.raises(ResultsLockedError, match="another escalation process"):
        with locked(folder):
            pass
    with locked(folder):  # free again once the other writer let go
        pass


# -- the atomic writer ---------------------------------------------------------------------------
def test_a_failed_write_leaves_the_old_folder_and_no_temporary(tmp_path):
    target = tmp_path / "out"
    write_atomic(target, lambda tmp: (tmp / "a.txt").write_text("old"))

    def fails(tmp: Path) -> None:
        (tmp / "a.txt").write_text("new, half")
        raise RuntimeError("stopped midway")

    with pytest.raises(RuntimeError):
        write_atomic(target, fails)
    assert (target / "a.txt").read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
    write_atomic(target, lambda tmp: (tmp / "b.txt").write_text("new"))
    assert sorted(p.name for p in target.iterdir()) == ["b.txt"]


def test_litter_of_killed_writers_is_cleaned_but_never_the_last_copy(tmp_path):
    (tmp_path / ".out.abcd1234.partial").mkdir()  # a staging folder of a killed writer
    (tmp_path / ".keep.abcd1234.old").mkdir()  # killed mid-swap: "keep" itself is gone
    (tmp_path / ".out.notes.partial").write_text("not ours: no random token")
    removed = clean_litter(tmp_path, r"out|keep")
    assert [p.name for p in removed] == [".out.abcd1234.partial"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        ".keep.abcd1234.old",
        ".out.notes.partial",
    ]


def test_force_rules(tmp_path, baseline):
    missing, empty = tmp_path / "missing", tmp_path / "empty"
    empty.mkdir()
    prepare_target(missing, "run", replace=False)  # nothing there: fine
    prepare_target(empty, "run", replace=False)  # nothing to lose: fine
    run = write_manifest(tmp_path / "run", build_manifest(baseline, "b.yaml", "escalation run"))
    (run / "plots").mkdir()
    (run / "plots" / "outcomes.png").write_bytes(b"png")
    (run / ".plots.abcd1234.partial").mkdir()  # left by a `plot` that was killed
    (run / ".plots.abcd1234.partial" / "outcomes.png").write_bytes(b"half")
    with pytest.raises(ResultsExistError, match="already exists"):
        prepare_target(run, "run", replace=False)
    prepare_target(run, "run", replace=True)  # only escalation's files: may be replaced
    with pytest.raises(ResultsExistError, match="only a sweep folder"):
        prepare_target(run, "sweep", replace=True)
    (run / "plots" / "sketch.svg").write_text("<svg/>")
    (run / "mine").mkdir()
    (run / "mine" / "a.txt").write_text("x")
    with pytest.raises(ResultsExistError, match=r"\(mine/, plots/sketch.svg\)"):
        prepare_target(run, "run", replace=True)


# -- the run tables --------------------------------------------------------------------------------
def test_an_event_log_travels_with_the_run_tables(tmp_path, baseline):
    manifest = build_manifest(baseline, "b.yaml", "escalation run")
    runs = pd.DataFrame({"replicate": [0, 1], "outcome": ["contained", "war"]})
    daily = pd.DataFrame(
        {"day": [0, 1], "p_direct_clash": 0.0, "p_war": [0.0, 0.5]}
        | {f"escalation_{q}": 0.0 for q in ("q05", "q25", "q50", "q75", "q95", "mean")}
    )
    events = pd.DataFrame({"replicate": [1], "day": [1], "actor": ["US"], "rung": ["war"]})
    for name, log in (("with", events), ("without", None)):
        folder = tmp_path / name
        write_atomic(
            folder, lambda tmp, log=log: write_run(tmp, manifest, RunTables(runs, daily, log))
        )
        loaded = load_run(folder)
        if log is None:
            assert loaded.events is None and not (folder / "events.parquet").exists()
        else:
            pd.testing.assert_frame_equal(loaded.events, events)
    # a table altered by hand, its stored record kept, is refused
    path = tmp_path / "with" / "runs.parquet"
    stored = pq.read_table(path)
    table = stored.to_pandas()
    table.loc[0, "outcome"] = "war"
    altered = pa.Table.from_pandas(table, preserve_index=False)
    pq.write_table(altered.replace_schema_metadata(stored.schema.metadata), path)
    with pytest.raises(ResultsError, match="do not match their checksum"):
        load_run(tmp_path / "with")


# -- progress ------------------------------------------------------------------------------------
class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_progress_lines_appear_only_for_long_work(capsys):
    clock = Clock()
    progress = LineProgress(interval=10.0, clock=clock)
    progress.phase("simulating", 1000, "replicate-days")
    clock.now = 9.0
    progress.advance(400)
    assert capsys.readouterr().err == ""  # short work says nothing
    clock.now = 12.0
    progress.advance(200)
    assert capsys.readouterr().err.splitlines() == [
        "simulating: 60% (600 of 1,000 replicate-days), 12 s elapsed, about 8 s left in this phase"
    ]
    clock.now = 13.0
    progress.phase("drawing figures", 5, "figures")  # a long job announces its next phase
    progress.note("unit 3 failed")
    assert capsys.readouterr().err.splitlines() == [
        "drawing figures: 0% (0 of 5 figures), 13 s elapsed",
        "note: unit 3 failed",
    ]


class Recorder:
    """A Progress that remembers what it was told."""

    def __init__(self) -> None:
        self.phases: list[list] = []

    def phase(self, name: str, total: float, unit: str) -> None:
        self.phases.append([name, total, unit, 0.0])

    def advance(self, amount: float = 1.0) -> None:
        self.phases[-1][3] += amount

    def note(self, message: str) -> None:
        raise AssertionError(message)


def test_a_run_reports_simulating_and_drawing(tmp_path, make_proxy_scenario):
    scenario = make_proxy_scenario(replicates=30)
    progress = Recorder()
    run_scenario(scenario, tmp_path / "run", figures=write_all, progress=progress, chunk=8)
    assert progress.phases == [
        ["simulating", 30 * 30, "replicate-days", 30 * 30],
        ["drawing figures", 5, "figures", 5],
    ]
    assert len(list((tmp_path / "run" / "plots").glob("*.png"))) == 5


# -- the README ------------------------------------------------------------------------------------
def test_the_readme_documents_exit_codes_and_every_kind_of_folder():
    text = README.read_text(encoding="utf-8")
    for code in EXIT_CODES:
        assert re.search(rf"^\| `{code}` \|", text, re.MULTILINE), code
    for kind, layout in KINDS.items():
        section = text[text.index(f"<!-- layout: {kind} -->") :]
        section = section[: section.index("```", section.index("```") + 3)]
        for name in (*layout.required, *layout.optional):
            assert name in section, (kind, name)
    assert "comparison" in text and "hindcast" in text  # the kinds to come have a stated home
