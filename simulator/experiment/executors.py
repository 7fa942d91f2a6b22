"""Interchangeable executors for sweep units: in this process, a local process pool, or Dask.

Each is a context manager with ``run(fn, tasks)`` yielding results as units finish, in any order;
results do not depend on the executor because every unit's data depends only on its own inputs.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from typing import TYPE_CHECKING, Any, Protocol, Self, TypeVar

from simulator.experiment.limits import MAX_WORKERS, check_range

if TYPE_CHECKING:
    from distributed import Client, Future, LocalCluster

#: what a task returns (a sweep's :class:`~simulator.experiment.units.UnitResult`)
Result = TypeVar("Result")

#: environment variable naming a Dask scheduler to use when --dask is not given
DASK_ENV = "DASK_SCHEDULER_ADDRESS"
#: tasks submitted to a Dask cluster ahead of the results: enough to keep a large cluster busy,
#: few enough that a sweep of a million units does not hold a million futures
DASK_WINDOW = 1000
#: Dask settings of the local cluster (`--dask local`), whose two cores its scheduler, nannies
#: and workers share with the units:
#: - samplers off, as there is no dashboard (a unit took 10-15 % longer with them);
#: - glibc's own trimming of freed memory, not Dask's 64 kB threshold (which makes a unit fault
#:   its arrays in again and again: 7,300 page faults a unit against 2,900 in the local pool);
#: - the servers' periodic chores less often: each wakes an event loop, and a worker's loop
#:   takes the GIL from its unit. The health check ("tick", a warning when a loop is stuck for
#:   3 s, which it still gives) every second, not every 20 ms; the memory monitor every second,
#:   not every 100 ms (a unit's memory grows over seconds, not milliseconds); the system monitor
#:   (for the dashboard) every 5 s; no work stealing nor active memory manager (independent
#:   units, each result released as it arrives: neither has work here). Over a 20-unit sweep
#:   the units waited 0.43-0.57 s off the CPU, 0.27-0.57 s with the tick alone, 0.19-0.33 s
#:   with all of these (4 interleaved rounds each); the workers' other threads used 0.15-0.19,
#:   0.11-0.26 and 0.06-0.10 CPU-s, the scheduler 0.24-0.32, 0.20-0.28 and 0.13-0.21.
LOCAL_WORKER_CONFIG = {
    "distributed.worker.profile.enabled": False,
    "distributed.admin.system-monitor.gil.enabled": False,
    "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None,
    "distributed.admin.tick.interval": "1s",
    "distributed.worker.memory.monitor-interval": "1s",
    "distributed.admin.system-monitor.interval": "5s",
    "distributed.scheduler.work-stealing": False,
    "distributed.scheduler.active-memory-manager.start": False,
}


class Executor(Protocol):
    """Runs tasks, in any order: started by ``with``, named for messages.

    :class:`InlineExecutor`, :class:`LocalExecutor` and :class:`DaskExecutor` are executors;
    :func:`~simulator.experiment.sweep.run_sweep` takes any.
    """

    name: str
    #: how many tasks run at once (its workers), known once started
    width: int

    def __enter__(self) -> Self: ...

    def __exit__(self, *exc: object) -> None: ...

    def run(self, fn: Callable[..., Result], tasks: Iterable[tuple[Any, ...]]) -> Iterator[Result]:
        """Yield ``fn(*task)`` for every task, as each finishes."""


class ExecutorError(RuntimeError):
    """An executor could not be started or reached (reported to the user, exit status 2)."""


class InlineExecutor:
    """Run units one after the other in this process (``--workers 0``: debugging, profiling)."""

    name = "in-process"
    width = 1

    def __enter__(self) -> InlineExecutor:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def run(self, fn: Callable[..., Result], tasks: Iterable[tuple[Any, ...]]) -> Iterator[Result]:
        """Yield ``fn(*task)`` for each task."""
        for task in tasks:
            yield fn(*task)


class LocalExecutor:
    """A pool of worker processes on this machine (all cores by default)."""

    def __init__(self, workers: int | None = None):
        self.workers = self.width = workers or os.cpu_count() or 1
        self.name = f"local pool of {self.workers} process{'es' if self.workers > 1 else ''}"

    def __enter__(self) -> LocalExecutor:
        # spawn, as Mesa imposes on import anyway; stated here so it does not depend on import order
        context = multiprocessing.get_context("spawn")
        self._pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=context)
        return self

    def __exit__(self, *exc: object) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)

    def run(self, fn: Callable[..., Result], tasks: Iterable[tuple[Any, ...]]) -> Iterator[Result]:
        """Keep the pool busy with a bounded queue; yield results as they complete."""
        tasks = iter(tasks)
        pending = {self._pool.submit(fn, *t) for t in itertools.islice(tasks, self.workers * 2)}
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                yield future.result()
                pending |= {self._pool.submit(fn, *t) for t in itertools.islice(tasks, 1)}


class DaskExecutor:
    """Units as tasks on a Dask distributed cluster (``--dask ADDRESS``, or ``local``)."""

    _client: Client
    _cluster: LocalCluster | None

    def __init__(self, address: str, workers: int | None = None):
        self.address = address
        self.workers = workers
        self.width = workers or 1
        self.name = f"Dask cluster at {address}"

    def __enter__(self) -> DaskExecutor:
        try:
            from distributed import Client, LocalCluster
        except ImportError as err:  # pragma: no cover - distributed is a dependency
            raise ExecutorError(f"Dask is not installed ({err}).") from None
        self._cluster = None
        try:
            if self.address == "local":
                import dask

                # no dashboard, so nobody reads what the workers' samplers collect: their
                # profiler (every 10 ms) and GIL monitor (every 1 ms) only slow the units
                with dask.config.set(LOCAL_WORKER_CONFIG):
                    self._cluster = LocalCluster(
                        n_workers=self.workers or os.cpu_count() or 1,
                        threads_per_worker=1,
                        processes=True,
                        host="127.0.0.1",
                        dashboard_address=None,
                    )
                self._client = Client(self._cluster)
                self.name = f"Dask LocalCluster of {len(self._cluster.workers)} workers"
            else:
                self._client = Client(self.address, timeout="20s")
            self.width = max(1, sum(self._client.nthreads().values()))  # threads, all workers
        except (OSError, ValueError, TypeError) as err:  # unreachable, or a malformed address
            if self._cluster is not None:
                self._cluster.close()
            raise ExecutorError(
                f"could not reach the Dask scheduler at {self.address} ({err}); start one with "
                "`dask scheduler` and workers with `dask worker tcp://HOST:8786`."
            ) from None
        return self

    def __exit__(self, *exc: object) -> None:
        self._client.close()
        if self._cluster is not None:
            self._cluster.close()

    def run(self, fn: Callable[..., Result], tasks: Iterable[tuple[Any, ...]]) -> Iterator[Result]:
        """Keep a window of tasks submitted (a lost worker's are rescheduled); yield as done."""
        from distributed import as_completed

        tasks = iter(tasks)

        def submit(task: tuple[Any, ...]) -> Future[Result]:
            return self._client.submit(fn, *task, pure=False, retries=2)

        queue = as_completed([submit(t) for t in itertools.islice(tasks, DASK_WINDOW)])
        for future in queue:
            yield future.result()
            future.release()
            for task in itertools.islice(tasks, 1):
                queue.add(submit(task))


def choose_executor(workers: int | None, dask: str | None) -> Executor:
    """The executor the command line asks for (Dask when an address is given or set in env).

    ``workers`` None means all cores; 0 means this process (unless ``dask`` is given).
    """
    if workers is not None:
        check_range("--workers", workers, 0, MAX_WORKERS)
    if dask:
        return DaskExecutor(dask, workers)
    if workers == 0:  # an explicit request to stay in this process beats the environment
        return InlineExecutor()
    if os.environ.get(DASK_ENV):
        return DaskExecutor(os.environ[DASK_ENV], workers)
    return LocalExecutor(workers)
