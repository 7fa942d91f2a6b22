"""Where a day of the compiled engine goes: each kernel's cost per column, narrow and wide.

A diagnostic, not a target. Every kernel call of the compiled engine is timed where the model
makes it, on the baseline, at four widths: two narrow models (250 and 500 columns by default)
and two wide ones (5,000 and 10,000). Each call (kernel, day, n-th call of that kernel that day)
keeps its fastest of ``runs`` runs, and the widths take turns, run after run: a spell of a busy
machine counts once at most, and falls on every width alike.

A kernel's cost per column-day, narrow, is its time at 500 less its time at 250, over the 250
columns between: what a call costs whatever its width (the call, its arguments, the work on days
of violence) cancels. Likewise wide, between 5,000 and 10,000. Replicate k is the same world at
any width, so each model's columns are the first of the next one's. Wide over narrow is then what
a column costs when the model's state (3 to 4 KB a column) is too wide for the core's caches,
against when it fits: the kernels run one after another, each over every column, so a wide model
has each one fetch the state again from wherever the kernel before it left it. A day step compiled
whole and run a narrow block of columns at a time would fetch it once. The same split is made of
what is outside the kernels: the Python between them and the work left to numpy (``exp``, the
normal quantile, the decays of threat and grievance, copies, reductions, Mesa's collector).

    python benchmarks/kernels.py [--narrow 250,500] [--wide 5000,10000] [--runs 10] [--json FILE]
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

from throughput import machine_facts, print_facts, section, table, write_json  # noqa: E402


def kernels(module) -> dict[str, object]:
    """The compiled engine's kernels: the module's numba dispatchers, by name."""
    from numba.core.registry import CPUDispatcher

    return {name: f for name, f in vars(module).items() if isinstance(f, CPUDispatcher)}


def measure(scenario, sizes: list[int], runs: int) -> list[dict]:
    """Per width: seconds a day in each kernel (each call's fastest run) and the best day's wall.

    The widths take turns, run after run, so that each sees the machine's quick and slow spells
    alike: a difference between two widths measured minutes apart would be mostly the machine.
    """
    import simulator.model.compiled as compiled
    from simulator.experiment.simulate import release
    from simulator.model import EscalationModel

    found = kernels(compiled)
    warm = EscalationModel(scenario, replicates=1, engine="compiled")  # load the kernels
    warm.run()
    release(warm)

    fastest: dict[tuple[int, str, int, int], float] = {}
    where = {"width": 0, "day": 0}
    calls_today: dict[str, int] = defaultdict(int)

    def timed(name: str, kernel):
        def call(*args):
            key = (where["width"], name, where["day"], calls_today[name])
            calls_today[name] += 1
            t0 = time.perf_counter()
            out = kernel(*args)
            seconds = time.perf_counter() - t0
            fastest[key] = min(fastest.get(key, seconds), seconds)
            return out

        return call

    walls: dict[int, list[float]] = defaultdict(list)
    for name, kernel in found.items():  # the engine calls them through the module
        setattr(compiled, name, timed(name, kernel))
    try:
        for _ in range(runs):
            for width in sizes:
                where["width"] = width
                model = EscalationModel(
                    scenario, replicates=width, engine="compiled", collect=False
                )
                t0 = time.perf_counter()
                while model.running:
                    where["day"] = model.day
                    calls_today.clear()
                    model.step()
                walls[width].append(time.perf_counter() - t0)
                release(model)
                del model
    finally:
        for name, kernel in found.items():
            setattr(compiled, name, kernel)
    days = scenario.horizon_days
    out = []
    for width in sizes:
        per_kernel: dict[str, float] = defaultdict(float)
        calls: dict[str, int] = defaultdict(int)
        for (w, name, _, _), seconds in fastest.items():
            if w == width:
                per_kernel[name] += seconds / days
                calls[name] += 1
        out.append(
            {
                "replicates": width,
                "day_seconds": min(walls[width]) / days,
                "kernel_day_seconds": dict(per_kernel),
                "calls_per_day": {name: n / days for name, n in calls.items()},
            }
        )
    return out


def per_column(pair: tuple[dict, dict], seconds_of) -> float:
    """ns a column-day between the two widths of ``pair``: what their extra columns cost."""
    low, high = pair
    extra = high["replicates"] - low["replicates"]
    return (seconds_of(high) - seconds_of(low)) / extra * 1e9


def widths(text: str) -> tuple[int, int]:
    """``--narrow`` and ``--wide``: two widths, the smaller first."""
    try:
        low, high = (int(x) for x in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: two widths, as 250,500") from None
    if not 1 <= low < high:
        raise argparse.ArgumentTypeError(f"{text!r}: two widths, the smaller first, at least 1")
    return low, high


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--narrow", type=widths, default=(250, 500), help="default 250,500")
    parser.add_argument("--wide", type=widths, default=(5_000, 10_000), help="default 5000,10000")
    parser.add_argument("--runs", type=int, default=10, help="runs at each width (default 10)")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the figures")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")

    from simulator.model.engine import compiled_available

    if not compiled_available():
        print('the compiled engine needs numba: pip install -e ".[compiled]"', file=sys.stderr)
        return 2
    report: dict = {}
    scenario = print_facts(report, machine_facts())
    user_cpus = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {min(user_cpus)})
    print(f"{'pinned to':>13}: CPU {min(user_cpus)} (OMP/OPENBLAS/MKL_NUM_THREADS=1)")
    sizes = [*args.narrow, *args.wide]
    section(f"compiled engine at {', '.join(f'{r:,}' for r in sizes)} columns, best of {args.runs}")
    found = measure(scenario, sizes, args.runs)
    os.sched_setaffinity(0, user_cpus)
    narrow, wide = (found[0], found[1]), (found[2], found[3])
    label_n = f"{args.narrow[0]:,}-{args.narrow[1]:,}"
    label_w = f"{args.wide[0]:,}-{args.wide[1]:,}"

    def kernel(name: str):
        return lambda run: run["kernel_day_seconds"].get(name, 0.0)

    def inside(run: dict) -> float:
        return sum(run["kernel_day_seconds"].values())

    def outside(run: dict) -> float:
        return run["day_seconds"] - inside(run)

    def ratio(w: float, n: float) -> str:
        return f"{w / n:.2f}x" if n > 0 else "-"

    rows, figures = [], {}
    top = wide[1]
    for name in sorted(top["kernel_day_seconds"], key=lambda n: -top["kernel_day_seconds"][n]):
        at_n, at_w = per_column(narrow, kernel(name)), per_column(wide, kernel(name))
        figures[name] = {
            "calls_per_day": top["calls_per_day"][name],
            "narrow_ns_per_column_day": at_n,
            "wide_ns_per_column_day": at_w,
        }
        rows.append(
            [name, f"{top['calls_per_day'][name]:.1f}", f"{at_n:.1f}", f"{at_w:.1f}",
             ratio(at_w, at_n)]
        )  # fmt: skip
    print("ns a column-day, between the two narrow widths and between the two wide ones\n")
    print(table(rows, ["kernel", "calls/day", label_n, label_w, "wide/narrow"], "lrrrr"))
    print()
    totals = []
    for name, of in (("in the kernels", inside), ("outside the kernels", outside)):
        n, w = per_column(narrow, of), per_column(wide, of)
        totals.append([name, f"{n:.1f}", f"{w:.1f}", ratio(w, n)])
    n = per_column(narrow, lambda r: r["day_seconds"])
    w = per_column(wide, lambda r: r["day_seconds"])
    totals.append(["the day (wall)", f"{n:.1f}", f"{w:.1f}", ratio(w, n)])
    print(table(totals, ["a column-day, ns", label_n, label_w, "wide/narrow"], "lrrr"))
    print()
    print(
        table(
            [
                [
                    f"{r['replicates']:,}",
                    f"{r['day_seconds'] * 1e3:.3f}",
                    f"{inside(r) * 1e3:.3f}",
                    f"{r['replicates'] / r['day_seconds']:,.0f}",
                ]
                for r in found
            ],  # fmt: skip
            ["columns", "ms a day (best run)", "of which kernels", "replicate-days/s"],
            "rrrr",
        )
    )
    print("(the timers around the kernels add about a microsecond a call, some 45 calls a day)")
    report.update(runs=args.runs, widths=found, kernels=figures)
    write_json(args.json, report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
