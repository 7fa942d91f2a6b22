"""Sweeps on Dask: a LocalCluster and a real scheduler with two workers, one of them killed.

Everything listens on 127.0.0.1 only. Sweeps on Dask run as ``python -m simulator`` subprocesses
(each wait bounded by a timeout); scheduler and workers run in their own process groups and are
killed whatever happens. Results must equal, byte for byte, those of the local process pool.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from conftest import chunk_files, write_small

from simulator.cli import main

DASK = shutil.which("dask", path=str(Path(sys.executable).parent)) or "dask"
#: 3 × 2 grid, 60 replicates in blocks of 5: 72 units of one point each
SWEEP = (
    "-p",
    "actors.KH.control=0.3:1:3",
    "-p",
    "rationality=1:2:2",
    "-n",
    "60",
    "--block",
    "5",
    "-q",
)
UNITS = 6 * 12
TIMEOUT = 120  # seconds: the most any single wait here may take


# -- helpers and fixtures -----------------------------------------------------------------------
def assert_same_sweep(folder: Path, reference: Path) -> None:
    """Same units, byte-identical chunks, design and points; nothing failed."""
    assert json.loads((folder / "manifest.json").read_text())["units"] == UNITS
    got, expected = chunk_files(folder), chunk_files(reference)
    assert len(expected) == UNITS
    assert sorted(got) == sorted(expected)
    for name in expected:
        assert got[name] == expected[name], name
    for name in ("design.parquet", "points.parquet"):
        assert (folder / name).read_bytes() == (reference / name).read_bytes(), name
    assert sorted((folder / "failures").iterdir()) == []
    assert pd.read_parquet(folder / "points.parquet")["complete"].all()


def environment(tmp_path: Path) -> dict[str, str]:
    """The subprocesses' environment: temporary files under tmp_path, no inherited scheduler."""
    scratch = tmp_path / "tmp"
    scratch.mkdir(exist_ok=True)
    env = {**os.environ, "TMPDIR": str(scratch), "DASK_TEMPORARY_DIRECTORY": str(scratch)}
    env.pop("DASK_SCHEDULER_ADDRESS", None)
    return env


def kill_group(proc: subprocess.Popen) -> None:
    """SIGKILL a process started with start_new_session=True and everything it started."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=30)


def wait_for(condition, what: str, procs=(), timeout: float = TIMEOUT) -> None:
    """Poll ``condition`` until true; fail (not hang) on timeout or if a process died."""
    deadline = time.monotonic() + timeout
    while not condition():
        for proc in procs:
            if proc.poll() is not None:
                pytest.fail(f"{what}: {proc.args[:3]} exited with {proc.returncode}")
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.02)


@pytest.fixture(autouse=True)
def _isolated(in_tmp_path):
    """Run from tmp_path, and never on a Dask scheduler named by the environment."""


@pytest.fixture(scope="module")
def pool_sweep(tmp_path_factory) -> tuple[Path, Path]:
    """(scenario, folder) of the sweep on the local process pool: the reference."""
    root = tmp_path_factory.mktemp("pool")
    small = write_small(root)
    out = root / "pool"
    buffer = io.StringIO()
    with (
        pytest.MonkeyPatch.context() as mp,
        contextlib.redirect_stdout(buffer),
        contextlib.redirect_stderr(buffer),
    ):
        mp.delenv("DASK_SCHEDULER_ADDRESS", raising=False)
        code = main(["sweep", str(small), *SWEEP, "--workers", "2", "--out", str(out)])
    assert code == 0, buffer.getvalue()
    return small, out


def sweep_command(small: Path, out: Path, *extra: str) -> list[str]:
    command = [sys.executable, "-m", "simulator", "sweep", str(small), *SWEEP]
    return [*command, "--out", str(out), *extra]


# -- 8. LocalCluster -------------------------------------------------------------------------------
def test_dask_local_cluster_gives_the_pool_data(tmp_path, pool_sweep):
    small, reference = pool_sweep
    out = tmp_path / "dask-local"
    proc = subprocess.run(
        sweep_command(small, out, "--dask", "local", "--workers", "2"),
        cwd=tmp_path,
        env=environment(tmp_path),
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert_same_sweep(out, reference)


# -- 9. a scheduler and two workers, one killed mid-sweep -----------------------------------------
@pytest.fixture
def cluster(tmp_path):
    """A Dask scheduler and two single-threaded workers on 127.0.0.1; yields (address, workers)."""
    env = environment(tmp_path)
    procs: list[subprocess.Popen] = []
    logs = []

    def start(name: str, *args: str) -> subprocess.Popen:
        log = (tmp_path / f"{name}.log").open("wb")
        logs.append(log)
        proc = subprocess.Popen(
            [DASK, *args],
            cwd=tmp_path,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        procs.append(proc)
        return proc

    scheduler_file = tmp_path / "scheduler.json"
    try:
        scheduler = start(
            "scheduler",
            "scheduler",
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--no-dashboard",
            "--scheduler-file",
            str(scheduler_file),
        )

        def address() -> str | None:
            try:
                return json.loads(scheduler_file.read_text())["address"]
            except (OSError, ValueError, KeyError):
                return None

        wait_for(lambda: address() is not None, "the scheduler file", [scheduler])
        addr = address()
        assert addr.startswith("tcp://127.0.0.1:"), addr
        workers = [
            start(
                f"worker{i}",
                "worker",
                addr,
                "--nworkers",
                "1",
                "--nthreads",
                "1",
                "--no-dashboard",
                "--host",
                "127.0.0.1",
                "--name",
                f"w{i}",
                "--local-directory",
                str(tmp_path / f"worker{i}"),
            )
            for i in range(2)
        ]
        from distributed import Client

        with Client(addr, timeout="30s") as client:
            client.wait_for_workers(2, timeout=TIMEOUT)
            hosts = {w["host"] for w in client.scheduler_info()["workers"].values()}
        assert hosts == {"127.0.0.1"}
        yield addr, workers
    finally:
        for proc in reversed(procs):
            kill_group(proc)
        for log in logs:
            log.close()


def test_sweep_survives_losing_a_worker(tmp_path, pool_sweep, cluster):
    small, reference = pool_sweep
    address, workers = cluster
    out = tmp_path / "dask-cluster"
    log = (tmp_path / "sweep.log").open("wb")
    proc = subprocess.Popen(
        sweep_command(small, out, "--dask", address),
        cwd=tmp_path,
        env=environment(tmp_path),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        wait_for(lambda: len(chunk_files(out)) >= 5, "the first chunks", [proc])
        kill_group(workers[0])  # nanny and worker process, without warning
        killed_at = len(chunk_files(out))
        assert killed_at < UNITS, "the sweep was over before a worker could be killed"
        proc.wait(timeout=TIMEOUT)
    finally:
        kill_group(proc)
        log.close()
    output = (tmp_path / "sweep.log").read_text()
    assert proc.returncode == 0, output
    assert workers[1].poll() is None  # the surviving worker did the rest
    assert_same_sweep(out, reference)


def test_an_unreachable_scheduler_is_reported_and_leaves_nothing(tmp_path, pool_sweep):
    small, _ = pool_sweep
    proc = subprocess.run(
        sweep_command(small, tmp_path / "sw", "--dask", "tcp://127.0.0.1"),  # no port
        cwd=tmp_path,
        env=environment(tmp_path),
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.returncode == 2
    assert "tcp://127.0.0.1" in proc.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tmp"]  # no folder, lock or temp


def _samplers() -> tuple[bool, bool, str | None]:
    import os

    import dask

    return (
        dask.config.get("distributed.worker.profile.enabled"),
        dask.config.get("distributed.admin.system-monitor.gil.enabled"),
        os.environ.get("MALLOC_TRIM_THRESHOLD_"),
    )


def _chores(dask_worker=None, dask_scheduler=None) -> dict[str, float]:
    """How often a server's event loop is woken for each of its periodic chores, in ms."""
    server = dask_worker if dask_worker is not None else dask_scheduler
    return {name: pc.callback_time for name, pc in server.periodic_callbacks.items()}


def test_the_local_clusters_servers_sample_nothing_nobody_reads(monkeypatch):
    """No dashboard, so no profiler (every 10 ms) nor GIL monitor (every 1 ms) in its workers.

    Nor Dask's MALLOC_TRIM_THRESHOLD_ of 64 kB: glibc would hand the units' freed arrays back
    to the system and fault them in again (7,300 page faults a unit against 2,900 in the pool).
    Nor chores that wake the servers' event loops (a worker's takes the GIL from its unit) more
    often than they have work: the health check every second, not 20 ms; the memory monitor
    every second, not 100 ms; the system monitor every 5 s, not 500 ms; no work stealing nor
    active memory manager in the scheduler.
    """
    from simulator.experiment.executors import DaskExecutor

    monkeypatch.delenv("MALLOC_TRIM_THRESHOLD_", raising=False)
    with DaskExecutor("local", 2) as executor:
        assert executor.width == 2
        found = executor._client.run(_samplers)
        workers = list(executor._client.run(_chores).values())
        scheduler = executor._client.run_on_scheduler(_chores)
    assert list(found.values()) == [(False, False, None)] * 2
    for chores in workers:
        assert "profile" not in chores
        assert (chores["tick"], chores["memory_monitor"], chores["monitor"]) == (1000, 1000, 5000)
    assert (scheduler["tick"], scheduler["monitor"]) == (1000, 5000)
    assert "stealing" not in scheduler
    assert not [name for name in scheduler if name.startswith("amm")]
    # this process's settings are left as they were
    assert _samplers() == (True, True, None)
