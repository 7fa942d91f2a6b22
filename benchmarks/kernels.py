"""Where a day of the compiled engine goes: each kernel in the day, against the same call in cache.

A diagnostic, not a target: it prints what the compiled engine's kernels cost per replicate-day
at one width (R = 10,000 by default), measured two ways, and what is left outside them.

* **in the day**: every kernel call of ``runs`` models is timed where the model makes it; each
  call (kernel, day, n-th call of that kernel that day) keeps its fastest run, so a moment's
  slowdown of a busy machine counts once at most;
* **in cache**: on every ``sample``-th day the call's arguments are copied, and the call is
  made again ``repeats`` times in a row on those copies; the fastest is kept. Its arrays are
  then where the previous repeat left them (in the core's own caches, where they fit).

The ratio of the two is what the kernel pays to fetch the model's state from wherever the rest
of the day left it. The kernels run in sequence, each over every column, so at a width whose
state outgrows the core's caches each kernel fetches it again; a day step compiled whole and
run a block of columns at a time would fetch it once. "Outside the kernels" is the day's wall
time less its kernels: the Python between them and the numpy they leave to numpy (``exp``,
the normal deviates, reductions, Mesa's data collector).

    python benchmarks/kernels.py [--replicates 10000] [--runs 5] [--sample 10] [--repeats 15]
"""

from __future__ import annotations

import os

# Before numpy is imported anywhere: one BLAS/OpenMP thread, so "one core" means one core.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections import defaultdict  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
from throughput import machine_facts, print_facts, section, table, write_json  # noqa: E402


def kernels(module) -> dict[str, object]:
    """The compiled engine's kernels: the module's numba dispatchers, by name."""
    from numba.core.registry import CPUDispatcher

    return {name: f for name, f in vars(module).items() if isinstance(f, CPUDispatcher)}


def measure(scenario, replicates: int, runs: int, sample: int, repeats: int) -> dict:
    """Time every kernel call in the day (fastest of ``runs``) and sampled calls in cache."""
    import simulator.model.compiled as compiled
    from simulator.experiment.simulate import release
    from simulator.model import EscalationModel

    found = kernels(compiled)
    warm = EscalationModel(scenario, replicates=1, engine="compiled")  # load the kernels
    warm.run()
    release(warm)

    in_day: dict[tuple[str, int, int], float] = {}
    captured: dict[tuple[str, int, int], tuple] = {}
    where = {"day": 0, "run": 0}
    calls_today: dict[str, int] = defaultdict(int)

    def timed(name: str, kernel):
        def call(*args):
            key = (name, where["day"], calls_today[name])
            calls_today[name] += 1
            if where["run"] == 0 and where["day"] % sample == 0:  # copies, before it writes
                captured[key] = tuple(a.copy() if isinstance(a, np.ndarray) else a for a in args)
            t0 = time.perf_counter()
            out = kernel(*args)
            seconds = time.perf_counter() - t0
            in_day[key] = min(in_day.get(key, seconds), seconds)
            return out

        return call

    walls = []
    for name, kernel in found.items():  # the engine calls them through the module
        setattr(compiled, name, timed(name, kernel))
    try:
        for run in range(runs):
            where["run"] = run
            model = EscalationModel(scenario, replicates=replicates, engine="compiled")
            t0 = time.perf_counter()
            while model.running:
                where["day"] = model.day
                calls_today.clear()
                model.step()
            walls.append(time.perf_counter() - t0)
            release(model)
            del model
    finally:
        for name, kernel in found.items():
            setattr(compiled, name, kernel)

    in_cache: dict[tuple[str, int, int], float] = {}
    for key, args in captured.items():
        kernel = found[key[0]]
        kernel(*args)
        best = float("inf")
        for _ in range(repeats):
            t0 = time.perf_counter()
            kernel(*args)
            best = min(best, time.perf_counter() - t0)
        in_cache[key] = best
    return {"walls": walls, "in_day": in_day, "in_cache": in_cache}


def summarise(found: dict, replicates: int, days: int) -> dict:
    """Per kernel: calls a day, ns per replicate-day in the day and, on the sampled days, both."""
    rd = replicates * days
    sampled_days = {d for (_, d, _) in found["in_cache"]}
    rows: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for (name, day, _), seconds in found["in_day"].items():
        row = rows[name]
        row["calls"] += 1 / days
        row["in_day"] += seconds
        if day in sampled_days:
            row["in_day_sampled"] += seconds
    for (name, _, _), seconds in found["in_cache"].items():
        rows[name]["in_cache_sampled"] += seconds
    per_sampled = replicates * len(sampled_days)
    out = {}
    for name, row in rows.items():
        out[name] = {
            "calls_per_day": row["calls"],
            "in_day_ns": row["in_day"] / rd * 1e9,
            "sampled_in_day_ns": row["in_day_sampled"] / per_sampled * 1e9,
            "sampled_in_cache_ns": row["in_cache_sampled"] / per_sampled * 1e9,
        }
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--replicates", type=int, default=10_000, help="width (default 10,000)")
    parser.add_argument("--runs", type=int, default=5, help="models run (default 5)")
    parser.add_argument("--sample", type=int, default=10, help="every n-th day in cache (10)")
    parser.add_argument("--repeats", type=int, default=15, help="calls in cache (default 15)")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the figures")
    args = parser.parse_args(argv)
    for flag in ("replicates", "runs", "sample", "repeats"):
        if getattr(args, flag) < 1:
            parser.error(f"--{flag} must be at least 1")

    from simulator.model.engine import compiled_available

    if not compiled_available():
        print('the compiled engine needs numba: pip install -e ".[compiled]"', file=sys.stderr)
        return 2
    report: dict = {}
    scenario = print_facts(report, machine_facts())
    user_cpus = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {min(user_cpus)})
    print(f"{'pinned to':>13}: CPU {min(user_cpus)} (OMP/OPENBLAS/MKL_NUM_THREADS=1)")
    R, days = args.replicates, scenario.horizon_days

    section(f"compiled engine at R = {R:,}: {args.runs} runs, every {args.sample}th day in cache")
    found = measure(scenario, R, args.runs, args.sample, args.repeats)
    os.sched_setaffinity(0, user_cpus)
    per = summarise(found, R, days)
    wall_ns = min(found["walls"]) / (R * days) * 1e9
    inside = sum(k["in_day_ns"] for k in per.values())
    sampled_day = sum(k["sampled_in_day_ns"] for k in per.values())
    sampled_cache = sum(k["sampled_in_cache_ns"] for k in per.values())
    rows = []
    for name, k in sorted(per.items(), key=lambda kv: -kv[1]["in_day_ns"]):
        cache = k["sampled_in_cache_ns"]
        ratio = k["sampled_in_day_ns"] / cache if cache > 0 else float("nan")
        rows.append(
            [name, f"{k['calls_per_day']:.1f}", f"{k['in_day_ns']:.1f}",
             f"{k['sampled_in_day_ns']:.1f}", f"{cache:.1f}", f"{ratio:.2f}x"]
        )  # fmt: skip
    header = ["kernel", "calls/day", "in the day", "sampled days", "in cache", "day/cache"]
    print("ns per replicate-day; 'sampled days' and 'in cache' are the same calls\n")
    print(table(rows, header, "lrrrrr"))
    print()
    print(
        table(
            [
                ["a day, best run (wall)", f"{wall_ns:.1f}", f"{1e9 / wall_ns:,.0f}"],
                ["  in the kernels (each call's fastest run)", f"{inside:.1f}", ""],
                ["  outside the kernels", f"{wall_ns - inside:.1f}", ""],
                ["sampled days: kernels in the day", f"{sampled_day:.1f}", ""],
                ["sampled days: the same calls in cache", f"{sampled_cache:.1f}", ""],
            ],
            ["", "ns/rd", "rd/s"],
            "lrr",
        )
    )
    report.update(
        replicates=R,
        runs=args.runs,
        walls=found["walls"],
        wall_ns_per_rd=wall_ns,
        kernels_ns_per_rd=inside,
        sampled_in_day_ns_per_rd=sampled_day,
        sampled_in_cache_ns_per_rd=sampled_cache,
        kernels=per,
    )
    write_json(args.json, report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
