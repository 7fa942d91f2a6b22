"""Saving figures: one layout pass, and the figures shared with a forked helper process.

:func:`simulator.plots.style.draw_figures` hands part of the figures to a forked helper when that
is safe; whichever process draws a figure, the file is the same, the caller hears of every figure,
and an error in the helper is raised in the caller.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from conftest import RecordingProgress
from matplotlib.figure import Figure

from simulator.plots import style

forking = pytest.mark.skipif(
    not sys.platform.startswith("linux") or len(os.sched_getaffinity(0)) < 2,
    reason="the helper process is forked on Linux with two CPUs or more",
)


def small_figure(k: int) -> Figure:
    fig = style.captioned_figure(f"figure {k}", f"caption {k}", figsize=(3.0, 2.0))
    ax = fig.subplots()
    ax.plot(range(k + 2), [x * x for x in range(k + 2)])
    ax.set_title(f"panel {k}", loc="left")
    return fig


def builders(n: int) -> list[tuple[str, object]]:
    return [(f"f{k}.png", lambda k=k: small_figure(k)) for k in range(n)]


def test_saving_lays_a_figure_out_once_and_draws_it_once(tmp_path, monkeypatch):
    draws = []
    original = Figure.draw

    def counting_draw(self, renderer):
        draws.append(renderer)
        return original(self, renderer)

    monkeypatch.setattr(Figure, "draw", counting_draw)
    fig = small_figure(3)
    style.save(fig, tmp_path / "one.png")
    assert len(draws) == 1
    assert fig.get_layout_engine() is None  # laid out, and left as laid out


#: figures drawn in a fresh interpreter: this test process may have threads left by other tests,
#: and a process with threads is not forked
FRESH = """
import json, os, sys
from pathlib import Path
from simulator.plots import style

out, scenario = Path(sys.argv[1]), sys.argv[2]
parent, forked = os.getpid(), []
fork = os.fork

def recording_fork():
    pid = fork()
    if pid:
        forked.append(pid)
    return pid

os.fork = recording_fork

class Counting:
    done = 0.0
    def phase(self, name, total, unit): pass
    def advance(self, amount=1.0): self.done += amount
    def note(self, message): pass

def small(k):
    if scenario == "helper fails" and os.getpid() != parent:
        raise KeyError("only in the helper")
    if scenario == "caller fails" and os.getpid() == parent:
        raise ValueError("only in the caller")
    fig = style.captioned_figure(f"figure {k}", f"caption {k}", figsize=(3.0, 2.0))
    ax = fig.subplots()
    ax.plot(range(k + 2), [x * x for x in range(k + 2)])
    return fig

jobs = [(f"f{k}.png", lambda k=k: small(k)) for k in range(6)]
result = {"can_fork": style.can_fork_helper(len(jobs))}
two = Counting()
try:
    style.draw_figures(jobs, out / "two", two)
except Exception as exc:
    result["error"] = f"{type(exc).__name__}: {exc}"
result["done"], result["forked"] = two.done, len(forked)
for pid in forked:  # each helper has been waited for
    try:
        os.waitpid(pid, os.WNOHANG)
        result["left"] = True
    except ChildProcessError:
        pass
if not scenario:  # the same figures, all in this process
    style.can_fork_helper = lambda n: False
    style.draw_figures(jobs, out / "one", Counting())
print(json.dumps(result))
"""


def draw_fresh(tmp_path: Path, scenario: str = "") -> dict:
    """Run FRESH in a new interpreter; what it found."""
    proc = subprocess.run(
        [sys.executable, "-c", FRESH, str(tmp_path), scenario],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    found: dict = json.loads(proc.stdout.strip().splitlines()[-1])
    return found


@forking
def test_two_processes_write_the_files_one_process_writes(tmp_path):
    found = draw_fresh(tmp_path)
    assert found == {"can_fork": True, "done": 6, "forked": 1}
    for k in range(6):
        name = f"f{k}.png"
        assert (tmp_path / "two" / name).read_bytes() == (tmp_path / "one" / name).read_bytes()


@forking
def test_an_error_in_the_helper_is_raised_in_the_caller(tmp_path):
    found = draw_fresh(tmp_path, "helper fails")
    assert found["forked"] == 1 and "left" not in found
    assert found["error"].startswith("RuntimeError: drawing figures in a helper process failed")
    assert "KeyError: 'only in the helper'" in found["error"]


@forking
def test_an_error_in_the_caller_is_raised_once_the_helper_has_stopped(tmp_path):
    found = draw_fresh(tmp_path, "caller fails")
    assert found["forked"] == 1 and "left" not in found
    assert found["error"] == "ValueError: only in the caller"


def test_no_helper_while_another_thread_runs():
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert not style.can_fork_helper(5)
    finally:
        stop.set()
        thread.join()
    assert not style.can_fork_helper(1)  # and none for a single figure


def test_one_figure_or_none_is_drawn_here(tmp_path):
    progress = RecordingProgress()
    assert style.draw_figures(builders(1), tmp_path, progress) == [tmp_path / "f0.png"]
    assert progress.advanced == 1 and (tmp_path / "f0.png").stat().st_size > 0
    assert style.draw_figures([], tmp_path / "none", RecordingProgress()) == []


def test_a_run_folder_gets_every_figure(tmp_path):
    """write_all draws through draw_figures: the run's five figures, in PLOTS order."""
    from conftest import BASELINE

    from simulator.cli import main
    from simulator.plots.run import PLOTS

    code = main(["run", str(BASELINE), "-n", "30", "--out", str(tmp_path / "r"), "-q"])
    assert code == 0
    written = sorted(p.name for p in (tmp_path / "r" / "plots").iterdir())
    assert written == sorted(name for name, _ in PLOTS)
    assert all(Path(tmp_path / "r" / "plots" / n).stat().st_size > 1000 for n in written)


#: `escalation run`'s early helper, in a fresh interpreter: forked before anything is drawn (and
#: before matplotlib is loaded here), given the run folder's recipe once the tables are written
EARLY = """
import json, os, sys
from pathlib import Path
from simulator.plots.helper import EarlyHelper

folder, out, scenario = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
result = {"matplotlib before": "matplotlib" in sys.modules}

class Counting:
    done, total = 0.0, None
    def phase(self, name, total, unit): self.total = total
    def advance(self, amount=1.0): self.done += amount
    def note(self, message): pass

with EarlyHelper(["simulator.plots.run"]) as helper:
    pid = helper.pid
    if scenario == "stop":  # an error before the figures: the helper is stopped and reaped
        result["stopped"] = True
    else:
        try:
            counting = Counting()
            helper.draw(("simulator.plots.run", "run_jobs", (folder, out)), counting)
            result["progress"] = [counting.done, counting.total]
            result["paths"] = sorted(p.name for p in out.iterdir())
            result["matplotlib after"] = "matplotlib" in sys.modules
        except Exception as exc:
            result["error"] = f"{type(exc).__name__}: {exc}"
try:
    os.waitpid(pid, os.WNOHANG)
    result["left"] = True
except ChildProcessError:
    pass
print(json.dumps(result))
"""


def draw_early(folder: Path, out: Path, scenario: str = "") -> dict:
    proc = subprocess.run(
        [sys.executable, "-c", EARLY, str(folder), str(out), scenario],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    found: dict = json.loads(proc.stdout.strip().splitlines()[-1])
    return found


@forking
def test_the_early_helper_draws_a_run_s_figures_as_one_process_does(tmp_path):
    """Forked before the run, the helper shares the figures: the same files, none left over."""
    from conftest import BASELINE

    from simulator.cli import main
    from simulator.plots.run import PLOTS, write_all

    folder = tmp_path / "r"
    assert main(["run", str(BASELINE), "-n", "30", "--out", str(folder), "-q", "--no-plots"]) == 0
    found = draw_early(folder, tmp_path / "two")
    assert found == {
        "matplotlib before": False,
        "progress": [len(PLOTS), len(PLOTS)],  # each figure heard of, whoever drew it
        "paths": sorted(name for name, _ in PLOTS),
        "matplotlib after": False,  # drawn by the helper and its own helper
    }
    write_all(folder, tmp_path / "one")  # in this process alone (it has threads: no fork)
    for name, _ in PLOTS:
        assert (tmp_path / "two" / name).read_bytes() == (tmp_path / "one" / name).read_bytes()


@forking
def test_the_early_helper_is_stopped_when_no_figures_come_and_errors_reach_the_caller(tmp_path):
    found = draw_early(tmp_path / "nothing", tmp_path / "out", "stop")
    assert found == {"matplotlib before": False, "stopped": True}
    found = draw_early(tmp_path / "no-such-run", tmp_path / "out")  # both processes fail
    assert found["error"].startswith("RuntimeError: drawing figures in a helper process failed")
    assert "ResultsError" in found["error"] and "left" not in found
