"""Throughput and memory benchmark of the escalation simulator.

Measures, on the baseline scenario (scenarios/baseline.yaml, 90 days):

1. replicate-days per second of the vectorised model at R = 1 ... 100,000 replicates, one core;
2. the same work done replicate by replicate through ``mesa.batch_run`` (one core), and the
   speed-up of the vectorised model at R = 10,000 over it;
3. wall time of ``escalation run`` (1,000 replicates, plots included), ``escalation --help`` and
   ``escalation validate`` in a fresh interpreter, and where the time of ``escalation run`` goes
   (imports, simulating, writing the tables, each figure);
4. peak resident memory and page faults of 100,000 replicates x 90 days: one model, the full
   ``simulate`` path (tables included) and ``escalation run --no-plots``, each in a fresh
   interpreter.

It prints a table of figures and one PASS/FAIL line per target, and exits 0 unless something
crashes: it is a measurement, not a test. See benchmarks/README.md.

    python benchmarks/throughput.py [--quick] [--json out.json]
"""

from __future__ import annotations

import os

# Before numpy is imported anywhere: one BLAS/OpenMP thread, so "one core" means one core.
_USER_ENV = dict(os.environ)  # the environment a user would run the CLI with
# ... whose Python writes bytecode caches on a first run: a sandbox that forbids them would have
# every timed run compile the simulator's modules again (about 0.1 s of `escalation run`)
_NO_BYTECODE = _USER_ENV.pop("PYTHONDONTWRITEBYTECODE", None) is not None
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import gc  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import resource  # noqa: E402
import shutil  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "scenarios" / "baseline.yaml"

# -- targets ----------------------------------------------------------------------------------
TARGET_RATE = 1_000_000  # replicate-days/s at R = 10,000, one core (at least)
TARGET_SPEEDUP = 50.0  # vectorised(R = 10,000) / batch_run (at least)
# issue 12, judged on the fastest engine installed, event log on (the model's default)
TARGET_RATE_12 = {10_000: 2_000_000, 1_000: 1_000_000}  # replicate-days/s, one core
TARGET_SPEEDUP_12 = 1000.0  # fastest engine at R = 10,000 / batch_run (at least)
TARGET_CLI_S = 2.0  # `escalation run` of 1,000 replicates with plots, seconds (at most)
TARGET_HELP_S = 0.3  # `escalation --help`, seconds (at most)
TARGET_MEM_MB = 400.0  # peak RSS of 100,000 replicates x 90 days, MB (at most)

FULL = {
    # (R, best-of-N): the fastest of several runs is the estimate least disturbed by a shared
    # machine's other load; the cheap sizes the issue sets targets at get more of them
    "sizes": [(1, 3), (100, 3), (1_000, 9), (10_000, 5), (100_000, 1)],
    "batch_n": 200,
    "batch_rounds": 3,  # section 2: vectorised and batch_run side by side, three times
    "cli_replicates": 1_000,
    "cli_runs": 3,
    "help_runs": 5,
    "memory_replicates": 100_000,
}
QUICK = {
    "sizes": [(1, 1), (100, 1), (1_000, 1), (10_000, 1)],
    "batch_n": 20,
    "batch_rounds": 1,
    "cli_replicates": 1_000,
    "cli_runs": 1,
    "help_runs": 3,
    "memory_replicates": 10_000,
}


# -- helpers ----------------------------------------------------------------------------------
def mb_from_maxrss(kib: int) -> float:
    """ru_maxrss is KiB on Linux; report MB (MiB, 1024 x 1024 bytes)."""
    return kib / 1024.0


def fmt_rate(x: float) -> str:
    return f"{x:,.0f}"


def print_facts(report: dict, facts: dict):
    """Print the machine facts and the scenario benchmarked; return that scenario."""
    report["machine"] = facts
    for key, value in facts.items():
        print(f"{key:>13}: {value}")
    scenario = load_baseline()
    print(
        f"{'scenario':>13}: {BASELINE.relative_to(ROOT)} ({scenario.horizon_days} days, "
        f"{len(scenario.actors)} actors)"
    )
    return scenario


def print_targets(report: dict, targets: list[tuple]) -> None:
    """Print the targets table and record it in ``report["targets"]``.

    Each target is (name, measured, target, ok, ratio, unit); ``ok`` is None where the target
    is not judged in this run (SKIP), and "info" for a figure shown beside the targets (INFO).
    """
    rows = []
    report["targets"] = []
    for name, measured, target, ok, ratio, unit in targets:
        rows.append([name, measured, target, f"{ratio:.2f}{unit}", status(ok)])
        report["targets"].append(
            {
                "name": name,
                "measured": measured,
                "target": target,
                "ratio": ratio,
                "status": status(ok),
            }
        )
    print(table(rows, ["target", "measured", "target", "ratio", "status"], "lrrrl"))


def status(ok: bool | str | None) -> str:
    if ok == "info":
        return "INFO"
    return "SKIP" if ok is None else ("PASS" if ok else "FAIL")


def machine_facts() -> dict[str, str]:
    import mesa
    import numpy

    import simulator

    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        commit = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(ROOT), "status", "--porcelain", "--", "simulator"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        commit += " (simulator/ modified)" if dirty else ""
    except (OSError, subprocess.CalledProcessError):
        commit = "unknown"
    return {
        "cpu": cpu,
        "logical_cpus": str(os.cpu_count()),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "numpy": numpy.__version__,
        "mesa": mesa.__version__,
        "simulator": simulator.__version__,
        "git": commit,
    }


def load_baseline():
    from simulator.scenario import load_scenario

    return load_scenario(BASELINE)


# -- 1. vectorised model ----------------------------------------------------------------------
def engines() -> list[str]:
    """The engines this machine can run: numpy, and compiled where numba is installed."""
    from simulator.model.engine import compiled_available

    return ["numpy", "compiled"] if compiled_available() else ["numpy"]


def time_model(scenario, R: int, repeats: int, engine: str = "numpy") -> dict:
    """Best-of-``repeats`` wall time to construct an R-replicate model and step to the horizon.

    A compiled engine's kernels are compiled (or loaded from the cache) by a 1-replicate model
    first, so that the timing is the model's. The model is built as the simulator's runs build
    it (``simulate``, a sweep's units): event log on, Mesa's data collector off (its three
    daily means are for ``mesa.batch_run``; the run's tables come from the recorder).
    """
    from simulator.experiment.simulate import release
    from simulator.model import EscalationModel

    runs = []
    if engine != "numpy":
        warm = EscalationModel(scenario, replicates=1, engine=engine)
        warm.run()
        release(warm)
    for _ in range(repeats):
        gc.collect()
        t0 = time.perf_counter()
        model = EscalationModel(scenario, replicates=R, engine=engine, collect=False)
        t1 = time.perf_counter()
        while model.running:
            model.step()
        t2 = time.perf_counter()
        assert model.day == scenario.horizon_days, (model.day, scenario.horizon_days)
        release(model)
        del model
        runs.append((t2 - t0, t1 - t0))
    best, construct = min(runs)
    days = scenario.horizon_days
    return {
        "engine": engine,
        "replicates": R,
        "repeats": repeats,
        "seconds": best,
        "construct_seconds": construct,
        "all_seconds": [r[0] for r in runs],
        "replicate_days_per_s": R * days / best,
    }


def print_engine_ratios(report: dict, sweep: list[dict]) -> None:
    """The compiled engine's rate over numpy's at each R, both timed in this run.

    The ratio moves less with the machine's load than either rate, but it moves: numpy's wider
    passes over memory suffer more from a busy host (2.5x at R = 10,000 on a machine at ~70 %
    of its quiet speed, 3.2x at ~45 %).
    """
    rate = {(r["engine"], r["replicates"]): r["replicate_days_per_s"] for r in sweep}
    ratios = {
        R: rate["compiled", R] / rate["numpy", R]
        for (engine, R) in rate
        if engine == "compiled" and ("numpy", R) in rate
    }
    report["compiled_over_numpy"] = {str(R): x for R, x in ratios.items()}
    print(
        "\ncompiled over numpy, this run: "
        + ", ".join(f"{x:.2f}x at R = {R:,}" for R, x in sorted(ratios.items()))
    )


def compiled_startup() -> dict:
    """Import and first-day times of the compiled engine in fresh interpreters.

    The first runs with an empty numba cache (``NUMBA_CACHE_DIR`` set to a new folder): it
    compiles the kernels and writes them there. The second, with the same folder, loads them.
    """
    code = (
        "import time, json; t0 = time.perf_counter(); import simulator.model.compiled; "
        "t1 = time.perf_counter(); from simulator.model import EscalationModel; "
        "from simulator.scenario import load_scenario; "
        f"m = EscalationModel(load_scenario({str(BASELINE)!r}), replicates=1, "
        "engine='compiled'); t2 = time.perf_counter(); m.step(); t3 = time.perf_counter(); "
        "print(json.dumps({'import': t1 - t0, 'first_day': t3 - t2}))"
    )
    out = {}
    with tempfile.TemporaryDirectory(prefix="numba-cache-") as cache:
        env = {**os.environ, "NUMBA_CACHE_DIR": cache}
        for key in ("cold", "warm"):
            done = subprocess.run(
                [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
            )
            out[key] = json.loads(done.stdout.strip().splitlines()[-1])
    return out


# -- 2. mesa.batch_run ------------------------------------------------------------------------
def time_batch_run(scenario, n: int, engine: str, first: int = 0) -> dict:
    """``n`` models of one replicate each through ``mesa.batch_run``, on ``engine``.

    The engine is named: left to ``auto``, these models would run compiled once section 1 had
    loaded the kernels, but numpy in a fresh process (as a user's own ``batch_run`` would).
    The models are replicates ``first`` … ``first + n - 1``.
    """
    import mesa

    from simulator.experiment.simulate import release
    from simulator.model import EscalationModel

    gc.collect()
    t0 = time.perf_counter()
    results = mesa.batch_run(
        EscalationModel,
        parameters={
            "scenario": [scenario],
            "replicates": 1,
            "first_replicate": range(first, first + n),
            "engine": [engine],
        },
        iterations=1,
        max_steps=scenario.horizon_days,
        number_processes=1,
        data_collection_period=-1,
        display_progress=False,
    )
    seconds = time.perf_counter() - t0
    assert len(results) == n, (len(results), n)
    # batch_run never releases its models; drop Mesa's class-level references to them.
    for model in [m for m in list(mesa.Agent._ids) if isinstance(m, EscalationModel)]:
        assert model.engine == engine, (model.engine, engine)
        release(model)
    gc.collect()
    return {
        "engine": engine,
        "replicates": n,
        "seconds": seconds,
        "replicate_days_per_s": n * scenario.horizon_days / seconds,
    }


def paired_rounds(scenario, n_of: dict[str, int], rounds: int) -> list[dict]:
    """``rounds`` rounds, each: per engine, one vectorised model (R = 10,000), then its batch_run.

    Each engine's ``n_of[engine]`` 1-replicate models are shared out among the rounds. A speed-up
    is then taken within a round, between measurements a few seconds apart: a ratio of figures
    minutes apart is only as steady as the machine between them (on a shared machine, not very).
    """
    out = []
    done = dict.fromkeys(n_of, 0)
    for r in range(rounds):
        found: dict[str, dict] = {"vectorised": {}, "batch_run": {}}
        for engine, n in n_of.items():
            share = n // rounds + (1 if r < n % rounds else 0)
            found["vectorised"][engine] = time_model(scenario, 10_000, 1, engine)
            found["batch_run"][engine] = time_batch_run(scenario, share, engine, done[engine])
            done[engine] += share
        out.append(found)
    return out


def round_ratio(found: dict, vectorised: str, batch: str) -> float:
    """Within one round: vectorised R = 10,000 on one engine over batch_run on another."""
    top = found["vectorised"][vectorised]["replicate_days_per_s"]
    return float(top / found["batch_run"][batch]["replicate_days_per_s"])


# -- 3. the CLI -------------------------------------------------------------------------------
def cli_command() -> list[str]:
    script = Path(sys.executable).parent / "escalation"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "simulator"]


def children_cpu() -> float:
    """User + system CPU seconds of the finished child processes so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def time_cli(replicates: int, runs: int) -> dict:
    cmd = cli_command()
    times: list[float] = []
    cpu: list[float] = []  # user + system: what a quiet machine would take, near enough
    with tempfile.TemporaryDirectory(prefix="escalation-bench-") as tmp:
        for i in range(runs):
            out = Path(tmp) / f"run{i}"
            args = [
                *cmd,
                "run",
                str(BASELINE),
                "--replicates",
                str(replicates),
                "--out",
                str(out),
                "--quiet",
            ]
            t0, cpu0 = time.perf_counter(), children_cpu()
            proc = subprocess.run(args, cwd=ROOT, env=_USER_ENV, capture_output=True, text=True)
            seconds = time.perf_counter() - t0
            cpu.append(children_cpu() - cpu0)
            if proc.returncode != 0:
                raise RuntimeError(
                    f"`{' '.join(args)}` exited {proc.returncode}:\n{proc.stdout}\n{proc.stderr}"
                )
            plots = (
                sorted(p.name for p in (out / "plots").glob("*"))
                if (out / "plots").is_dir()
                else []
            )
            if not plots:
                raise RuntimeError(f"`{' '.join(args)}` wrote no plots under {out}/plots")
            times.append(seconds)
            shutil.rmtree(out, ignore_errors=True)
    return {
        "command": " ".join(
            [
                Path(cmd[0]).name,
                *cmd[1:],
                "run",
                "scenarios/baseline.yaml",
                "--replicates",
                str(replicates),
                "--out",
                "TMP",
                "--quiet",
            ]
        ),
        "replicates": replicates,
        "runs": runs,
        "seconds": min(times),
        "all_seconds": times,
        "cpu_seconds": min(cpu),
        "all_cpu_seconds": cpu,
        "plots": len(plots),
    }


def time_quick_commands(runs: int) -> dict:
    """Best-of-``runs`` wall time of `escalation --help` and `escalation validate` (fresh)."""
    cmd = cli_command()
    out = {}
    for name, args in (
        ("help", ["--help"]),
        ("validate", ["validate", str(BASELINE)]),
    ):
        times, cpu = [], []
        for _ in range(runs):
            t0, cpu0 = time.perf_counter(), children_cpu()
            proc = subprocess.run(
                [*cmd, *args], cwd=ROOT, env=_USER_ENV, capture_output=True, text=True
            )
            times.append(time.perf_counter() - t0)
            cpu.append(children_cpu() - cpu0)
            if proc.returncode != 0:
                raise RuntimeError(f"`escalation {' '.join(args)}` exited {proc.returncode}")
        out[name] = {"seconds": min(times), "all_seconds": times, "cpu_seconds": min(cpu)}
    return out


#: phases of `escalation run`, in the order they happen (the figures follow, one row each)
RUN_PHASES = (
    "import simulator.cli (the parser)",
    "import the console (rich)",
    "import the model (Mesa, the scenario schema)",
    "load the scenario",
    "simulate (model and tables in memory)",
    "write the tables (Parquet)",
    "import the figures (matplotlib), list them",
    "read the tables back for the figures",
    "draw and save the figures",
)
#: the phases by what they time
(
    IMPORT_CLI,
    IMPORT_CONSOLE,
    IMPORT_MODEL,
    LOAD,
    SIMULATE,
    WRITE,
    IMPORT_FIGURES,
    READ_BACK,
    DRAW,
) = RUN_PHASES


def breakdown_child(replicates: int) -> None:
    """Run in a fresh interpreter: `escalation run` in-process, each phase timed (one JSON line).

    The command is :func:`simulator.cli.command`, the console script's entry point; its imports
    are done first, one group at a time, and the library functions it calls are wrapped in
    timers.
    """
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        if var in _USER_ENV:  # the user's environment, as for figure 3
            os.environ[var] = _USER_ENV[var]
        else:
            os.environ.pop(var, None)
    started = time.perf_counter()
    seconds: dict[str, float] = {}
    figures: dict[str, float] = {}

    def timed(label, fn):
        def wrapper(*args, **kwargs):
            t0 = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                seconds[label] = seconds.get(label, 0.0) + time.perf_counter() - t0

        return wrapper

    t0 = time.perf_counter()
    import simulator.cli as cli

    seconds[IMPORT_CLI] = time.perf_counter() - t0
    t0 = time.perf_counter()
    import simulator.console  # noqa: F401

    seconds[IMPORT_CONSOLE] = time.perf_counter() - t0
    t0 = time.perf_counter()
    import simulator.experiment.run as run
    import simulator.scenario as scenario_module

    seconds[IMPORT_MODEL] = time.perf_counter() - t0
    scenario_module.load_scenario = timed(LOAD, scenario_module.load_scenario)
    run.simulate = timed(SIMULATE, run.simulate)
    run.write_run = timed(WRITE, run.write_run)
    import simulator.plots.helper as helper  # imports no matplotlib (where it has EarlyHelper)

    if hasattr(helper, "EarlyHelper"):
        # A helper forked first loads matplotlib while this process simulates; once the tables
        # are written it reads them and draws the figures with a helper of its own, while this
        # process waits (it never imports matplotlib): one phase, timed here.
        helper.EarlyHelper.draw = timed(DRAW, helper.EarlyHelper.draw)
        plots = None  # the figures' list, imported after the run
    else:  # an older simulator: matplotlib imported up front, the figures drawn after
        t0 = time.perf_counter()
        import simulator.plots.run as plots_run

        seconds[IMPORT_FIGURES] = time.perf_counter() - t0
        plots = list(plots_run.PLOTS)
        plots_run.load_run = timed(READ_BACK, plots_run.load_run)
        if hasattr(plots_run, "draw_figures"):  # all figures at once, maybe in two processes
            plots_run.draw_figures = timed(DRAW, plots_run.draw_figures)
        else:  # an older simulator built and saved them one by one in write_all itself
            plots_run.PLOTS[:] = [(name, timed(DRAW, build)) for name, build in plots_run.PLOTS]
            plots_run.save = timed(DRAW, plots_run.save)
    with tempfile.TemporaryDirectory(prefix="escalation-bench-") as tmp:
        argv = ["run", str(BASELINE), "--replicates", str(replicates), "--out", f"{tmp}/run"]
        t0 = time.perf_counter()
        if hasattr(cli, "command"):  # the console script: main, then a frozen collector
            sys.argv = ["escalation", *argv, "--quiet"]
            code = cli.command()
        else:
            code = cli.main([*argv, "--quiet"])
        main_seconds = time.perf_counter() - t0
        in_process = time.perf_counter() - started
        cpu = time.process_time()  # the whole process, start-up included
        if code != 0:
            raise SystemExit(f"escalation run exited {code}")
        # then each figure again, alone and in this process: what each one costs. Timed from
        # here, imports included: this process loads matplotlib only now, which is no part of
        # the command (its figures are drawn by its helper), nor of the interpreter's start-up
        t_after = time.perf_counter()
        from simulator.plots.run import PLOTS
        from simulator.plots.style import save

        plots = list(PLOTS) if plots is None else plots
        from simulator.results.reader import load_run

        res = load_run(Path(tmp) / "run")
        for name, build in plots:
            t0 = time.perf_counter()
            save(build(res), Path(tmp) / name)
            figures[name] = time.perf_counter() - t0
    print(
        json.dumps(
            {
                "phases": seconds,
                "figures": figures,
                "main_seconds": main_seconds,
                "in_process_seconds": in_process,
                # the figures drawn again, and the temporary folder removed: not the command's
                "after_seconds": time.perf_counter() - t_after,
                "cpu_seconds": cpu,
            }
        )
    )


def run_breakdown(replicates: int) -> dict:
    """The breakdown child's phases, plus the interpreter's own start-up and exit."""
    args = [sys.executable, str(Path(__file__).resolve()), "--breakdown-child"]
    t0 = time.perf_counter()
    proc = subprocess.run(
        [*args, "--replicates", str(replicates)],
        cwd=ROOT,
        env=_USER_ENV,
        capture_output=True,
        text=True,
    )
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"breakdown child exited {proc.returncode}:\n{proc.stderr}")
    found = json.loads(proc.stdout.strip().splitlines()[-1])
    found["wall_seconds"] = wall
    return found


def breakdown_rows(found: dict) -> list[tuple[str, float]]:
    """(phase, seconds) in the order of a run, with what no timer saw as the last rows."""
    phases = found["phases"]
    rows = [(name, phases[name]) for name in RUN_PHASES if name in phases]
    inside = found["in_process_seconds"]
    rows.append(("the rest (folder, manifest, locks)", inside - sum(s for _, s in rows)))
    outside = found["wall_seconds"] - inside - found["after_seconds"]
    rows.append(("interpreter start-up and exit", outside))
    return rows


# -- 4. peak memory (child processes) ---------------------------------------------------------
def memory_child(mode: str, replicates: int) -> None:
    """Run in a fresh interpreter: build and run, then print one JSON line with ru_maxrss.

    Modes: ``model`` (one model of all the replicates), ``simulate`` (the library call that
    `escalation run` makes, in chunks, tables included) and ``cli`` (`escalation run
    --no-plots --quiet` itself, in-process, tables written to a temporary folder).
    """
    if mode == "cli":
        import simulator.cli
    else:
        scenario = load_baseline()
        from simulator.experiment.simulate import release, simulate
        from simulator.model import EscalationModel

    start = resource.getrusage(resource.RUSAGE_SELF)
    t0 = time.perf_counter()
    if mode == "model":
        model = EscalationModel(scenario, replicates=replicates)
        model.run()
        assert model.day == scenario.horizon_days
        release(model)
        rows = replicates
    elif mode == "simulate":
        tables = simulate(scenario, replicates=replicates)
        rows = len(tables.runs)
        assert rows == replicates, (rows, replicates)
    elif mode == "cli":
        with tempfile.TemporaryDirectory(prefix="escalation-bench-") as tmp:
            argv = ["run", str(BASELINE), "-n", str(replicates), "--out", f"{tmp}/run"]
            code = simulator.cli.main([*argv, "--no-plots", "--quiet"])
        assert code == 0, code
        rows = replicates
    else:
        raise SystemExit(f"unknown --memory-child mode {mode!r}")
    seconds = time.perf_counter() - t0
    end = resource.getrusage(resource.RUSAGE_SELF)
    before, peak = start.ru_maxrss, end.ru_maxrss
    hwm = 0  # VmHWM: the high-water RSS of this process's own address space, as a cross-check
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            hwm = int(line.split()[1])
    print(
        json.dumps(
            {
                "mode": mode,
                "replicates": rows,
                "seconds": seconds,
                "imports_mb": mb_from_maxrss(before),
                "peak_mb": mb_from_maxrss(peak),
                "vmhwm_mb": mb_from_maxrss(hwm),
                # the run's own page faults and CPU time (imports left out)
                "minflt": end.ru_minflt - start.ru_minflt,
                "user_s": end.ru_utime - start.ru_utime,
                "system_s": end.ru_stime - start.ru_stime,
            }
        )
    )


#: the memory children's paths, as the tables name them
MEMORY_PATHS = {
    "model": "model.run()",
    "simulate": "simulate() incl. tables",
    "cli": "escalation run --no-plots",
}


def measure_memory(mode: str, replicates: int) -> dict:
    args = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--memory-child",
        mode,
        "--replicates",
        str(replicates),
    ]
    return run_memory_child(args, f"memory child {mode}")


def run_memory_child(args: list[str], what: str) -> dict:
    """Run a child that prints a JSON line last, isolated so its ru_maxrss is its own."""
    # Linux carries a process's peak RSS across exec, and a forked child starts with a copy of
    # its parent's address space: launched directly, the child's ru_maxrss would report at least
    # this (large) benchmark process's RSS. A small shell in between forks the interpreter from
    # itself, so the child's ru_maxrss counts only the child. ("; exit" stops sh from exec'ing.)
    if Path("/bin/sh").exists():
        args = ["/bin/sh", "-c", '"$@"; exit $?', "sh", *args]
    proc = subprocess.run(args, cwd=ROOT, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"{what} exited {proc.returncode}:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


# -- report -----------------------------------------------------------------------------------
def table(rows: list[list[str]], header: list[str], align: str) -> str:
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows, strict=True)]

    def line(cells):
        return "  ".join(
            str(c).rjust(w) if a == "r" else str(c).ljust(w)
            for c, w, a in zip(cells, widths, align, strict=True)
        )

    rule = "  ".join("-" * w for w in widths)
    return "\n".join(x.rstrip() for x in [line(header), rule, *(line(r) for r in rows)])


def write_json(path: Path | None, report: dict) -> None:
    """Write the figures to ``path`` (``--json``), if one was given, and say so."""
    if path is not None:
        path.write_text(json.dumps(report, indent=2, default=str) + "\n")
        print(f"figures written to {path}")


def section(title: str) -> None:
    print(f"\n== {title} " + "=" * max(0, 90 - len(title) - 4), flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--quick",
        action="store_true",
        help="fast smoke run: R <= 10,000, best-of-1, small batch_run, "
        "memory at 10,000 replicates (memory target not judged)",
    )
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write figures as JSON")
    parser.add_argument(
        "--memory-child", choices=("model", "simulate", "cli"), help=argparse.SUPPRESS
    )
    parser.add_argument("--breakdown-child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--replicates", type=int, default=100_000, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.memory_child:
        memory_child(args.memory_child, args.replicates)
        return 0
    if args.breakdown_child:
        breakdown_child(args.replicates)
        return 0

    plan = QUICK if args.quick else FULL
    started = time.perf_counter()
    report: dict = {"mode": "quick" if args.quick else "full"}

    section("machine")
    facts = machine_facts()
    scenario = print_facts(report, facts)
    days = scenario.horizon_days

    user_cpus = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {min(user_cpus)})
    print(
        f"{'pinned to':>13}: CPU {min(user_cpus)} for sections 1-2 (OMP/OPENBLAS/MKL_NUM_THREADS=1)"
    )

    # 1.
    section(f"1. vectorised model, baseline, construct + step {days} days, one core")
    sweep = []
    for engine in engines():
        for R, repeats in plan["sizes"]:
            sweep.append(time_model(scenario, R, repeats, engine))
    report["vectorised"] = sweep
    print(
        table(
            [
                [
                    r["engine"],
                    f"{r['replicates']:,}",
                    f"best of {r['repeats']}",
                    f"{r['seconds']:.3f}",
                    f"{r['construct_seconds']:.3f}",
                    fmt_rate(r["replicate_days_per_s"]),
                ]
                for r in sweep
            ],
            ["engine", "R", "runs", "wall s", "of which construct s", "replicate-days/s"],
            "lrlrrr",
        )
    )
    if "compiled" not in engines():
        print('compiled engine: numba not installed (pip install -e ".[compiled]"); not measured')
    at10k = next(r for r in sweep if r["replicates"] == 10_000 and r["engine"] == "numpy")
    fastest = {
        R: max(
            (r for r in sweep if r["replicates"] == R),
            key=lambda r: r["replicate_days_per_s"],
        )
        for R in TARGET_RATE_12
    }
    report["fastest"] = {str(R): r["engine"] for R, r in fastest.items()}
    if "compiled" in engines():
        print_engine_ratios(report, sweep)
        startup = compiled_startup()
        report["compiled_startup"] = startup
        print(
            "\ncompiled engine, fresh interpreter, 1-replicate model of 1 day (import numba, "
            "then compile or load the kernels):"
        )
        print(
            table(
                [
                    [label, f"{startup[key]['import']:.2f}", f"{startup[key]['first_day']:.2f}"]
                    for key, label in (
                        ("cold", "empty cache: compile"),
                        ("warm", "second process: load from the cache"),
                    )
                ],
                ["process", "import s", "first day s"],
                "lrr",
            )
        )

    # 2.
    section("2. mesa.batch_run, one replicate per model, one core")
    # numpy's models take ~4x as long as the compiled engine's: fewer of them
    n_of = {e: plan["batch_n"] // (4 if e == "numpy" else 1) for e in engines()}
    rounds = paired_rounds(scenario, n_of, plan["batch_rounds"])
    report["batch_rounds"] = rounds  # each round's vectorised model and batch_run, per engine
    best = fastest[10_000]
    # like with like: numpy's vectorised model over its own models of one replicate (the 50x);
    # issue 12's two readings: the fastest engine over the route as a fresh process runs it
    # (`auto` gives a small model the numpy engine, as it did when the target was set), and
    # over the same engine. Each is taken within a round and the median judged.
    readings = {
        "numpy/numpy": ("numpy", "numpy"),
        "fastest/numpy": (best["engine"], "numpy"),
        "fastest/same": (best["engine"], best["engine"]),
    }
    ratios = {k: [round_ratio(f, *pair) for f in rounds] for k, pair in readings.items()}
    speedup, speedup_12, same_12 = (statistics.median(ratios[k]) for k in readings)
    report["speedup_ratios_by_round"] = ratios
    report["speedup_vs_batch_run"] = speedup
    report["speedup_fastest_vs_batch_run"] = speedup_12
    report["speedup_fastest_vs_batch_run_same_engine"] = same_12
    print(
        table(
            [
                [
                    str(i + 1),
                    engine,
                    fmt_rate(f["vectorised"][engine]["replicate_days_per_s"]),
                    f"{b['replicates']:,}",
                    f"{b['seconds']:.3f}",
                    fmt_rate(b["replicate_days_per_s"]),
                    f"{b['seconds'] / b['replicates'] * 1000:.1f}",
                ]
                for i, f in enumerate(rounds)
                for engine, b in f["batch_run"].items()
            ],
            [
                "round",
                "engine",
                "vectorised R=10,000 rd/s",
                "batch_run models (R=1 each)",
                "wall s",
                "replicate-days/s",
                "ms per replicate",
            ],
            "rlrrrrr",
        )
    )

    def by_round(key: str) -> str:
        each = ", ".join(f"{x:,.0f}x" for x in ratios[key])
        return f"{statistics.median(ratios[key]):,.1f}x (median of rounds: {each})"

    print(f"vectorised numpy (R = 10,000) / batch_run on numpy = {by_round('numpy/numpy')}")
    print(
        f"fastest engine ({best['engine']}, R = 10,000) / batch_run on numpy = "
        f"{by_round('fastest/numpy')}"
    )
    print(
        f"fastest engine ({best['engine']}, R = 10,000) / batch_run on {best['engine']} = "
        f"{by_round('fastest/same')}"
    )

    os.sched_setaffinity(0, user_cpus)

    # 3.
    section("3. `escalation run`, fresh interpreter, plots included (user env, all cores)")
    cli = time_cli(plan["cli_replicates"], plan["cli_runs"])
    report["cli"] = cli
    print(f"command: {cli['command']}")
    if _NO_BYTECODE:
        print("(PYTHONDONTWRITEBYTECODE is set here; unset for the timed commands, as for a user)")
    print(
        table(
            [
                [
                    f"{cli['replicates']:,}",
                    f"best of {cli['runs']}",
                    f"{cli['seconds']:.2f}",
                    ", ".join(f"{s:.2f}" for s in cli["all_seconds"]),
                    f"{cli['cpu_seconds']:.2f}",
                    str(cli["plots"]),
                ]
            ],
            ["replicates", "runs", "wall s", "all runs s", "cpu s (best)", "plot files"],
            "rlrlrr",
        )
    )
    quick = time_quick_commands(plan["help_runs"])
    report["help"], report["validate"] = quick["help"], quick["validate"]
    print(
        table(
            [
                [
                    f"escalation {' '.join(args)}",
                    f"best of {len(quick[name]['all_seconds'])}",
                    f"{quick[name]['seconds']:.3f}",
                    ", ".join(f"{s:.3f}" for s in quick[name]["all_seconds"]),
                    f"{quick[name]['cpu_seconds']:.3f}",
                ]
                for name, args in (("help", ["--help"]), ("validate", ["validate", "FILE"]))
            ],
            ["command", "runs", "wall s", "all runs s", "cpu s (best)"],
            "llrlr",
        )
    )
    found = run_breakdown(plan["cli_replicates"])
    rows = breakdown_rows(found)
    total = found["wall_seconds"] - found["after_seconds"]
    report["cli_breakdown"] = {
        "rows": [{"phase": name, "seconds": s} for name, s in rows],
        "figures_alone": found["figures"],
        "wall_seconds": total,
        "cpu_seconds": found["cpu_seconds"],
    }
    print(
        f"\nwhere the time of `escalation run` goes ({plan['cli_replicates']:,} replicates, "
        f"plots, one run in-process with timers; wall {total:.2f} s, cpu {found['cpu_seconds']:.2f}"
        " s without a figure helper's):"
    )
    print(
        table(
            [[name, f"{s:.3f}", f"{s / total:.0%}"] for name, s in rows]
            + [["total", f"{total:.3f}", "100%"]],
            ["phase", "s", "share"],
            "lrr",
        )
    )
    alone = found["figures"]
    print("\neach figure drawn again alone, in the same process (build + layout + PNG):")
    print(
        table(
            [[name, f"{s:.3f}"] for name, s in alone.items()]
            + [["sum", f"{sum(alone.values()):.3f}"]],
            ["figure", "s"],
            "lr",
        )
    )

    # 4.
    n_mem = plan["memory_replicates"]
    section(
        f"4. peak memory (ru_maxrss) and page faults, {n_mem:,} replicates x {days} days, "
        "fresh interpreter"
    )
    mem = [measure_memory(mode, n_mem) for mode in ("model", "simulate", "cli")]
    report["memory"] = mem
    print(
        table(
            [
                [
                    MEMORY_PATHS[m["mode"]],
                    f"{m['replicates']:,}",
                    f"{m['seconds']:.2f}",
                    "-" if m["mode"] == "cli" else f"{m['imports_mb']:,.0f}",  # imports inside
                    f"{m['peak_mb']:,.0f}",
                    f"{m['vmhwm_mb']:,.0f}",
                    f"{m['minflt']:,}",
                    f"{m['system_s']:.2f}",
                ]
                for m in mem
            ],
            [
                "path",
                "replicates",
                "wall s",
                "ru_maxrss after imports MB",
                "peak ru_maxrss MB",
                "VmHWM MB",
                "page faults (ru_minflt)",
                "system s",
            ],
            "lrrrrrrr",
        )
    )

    # targets
    section("targets")
    mem_judged = n_mem == 100_000
    targets = [
        (
            "replicate-days/s at R = 10,000 (one core)",
            fmt_rate(at10k["replicate_days_per_s"]),
            f">= {fmt_rate(TARGET_RATE)}",
            at10k["replicate_days_per_s"] >= TARGET_RATE,
            at10k["replicate_days_per_s"] / TARGET_RATE,
            "x of target",
        ),
        (
            "vectorised / batch_run speed-up (numpy, both)",
            f"{speedup:,.1f}x",
            f">= {TARGET_SPEEDUP:.0f}x",
            speedup >= TARGET_SPEEDUP,
            speedup / TARGET_SPEEDUP,
            "x of target",
        ),
        *(
            (
                f"issue 12: replicate-days/s at R = {R:,}, fastest engine ({fastest[R]['engine']})",
                fmt_rate(fastest[R]["replicate_days_per_s"]),
                f">= {fmt_rate(goal)}",
                fastest[R]["replicate_days_per_s"] >= goal,
                fastest[R]["replicate_days_per_s"] / goal,
                "x of target",
            )
            for R, goal in TARGET_RATE_12.items()
        ),
        (
            "issue 12: fastest engine / batch_run on numpy (a fresh process's)",
            f"{speedup_12:,.1f}x",
            f">= {TARGET_SPEEDUP_12:,.0f}x",
            speedup_12 >= TARGET_SPEEDUP_12,
            speedup_12 / TARGET_SPEEDUP_12,
            "x of target",
        ),
        (
            # shown, not judged: 10,000 x t_day(1) / t_day(10,000), which falls as the engine's
            # fixed cost of a day falls (README, "Targets")
            f"fastest engine / batch_run on {best['engine']} (same engine; not a target)",
            f"{same_12:,.1f}x",
            f"({TARGET_SPEEDUP_12:,.0f}x)",
            "info",
            same_12 / TARGET_SPEEDUP_12,
            "x",
        ),
        (
            f"`escalation run` {cli['replicates']:,} replicates + plots",
            f"{cli['seconds']:.2f} s",
            f"<= {TARGET_CLI_S:.0f} s",
            cli["seconds"] <= TARGET_CLI_S,
            cli["seconds"] / TARGET_CLI_S,
            "x of limit",
        ),
        (
            "`escalation --help`",
            f"{quick['help']['seconds']:.3f} s",
            f"<= {TARGET_HELP_S:.1f} s",
            quick["help"]["seconds"] <= TARGET_HELP_S,
            quick["help"]["seconds"] / TARGET_HELP_S,
            "x of limit",
        ),
    ]
    for m in mem:
        targets.append(
            (
                f"peak memory {n_mem:,} replicates, {MEMORY_PATHS[m['mode']]}",
                f"{m['peak_mb']:,.0f} MB",
                f"<= {TARGET_MEM_MB:,.0f} MB",
                (m["peak_mb"] <= TARGET_MEM_MB) if mem_judged else None,
                m["peak_mb"] / TARGET_MEM_MB,
                "x of limit",
            )
        )
    print_targets(report, targets)
    if not mem_judged:
        print(
            f"(--quick: memory measured at {n_mem:,} replicates; "
            "the 100,000-replicate target is not judged)"
        )

    elapsed = time.perf_counter() - started
    report["benchmark_seconds"] = elapsed
    print(f"\nbenchmark wall time: {elapsed:.1f} s")
    write_json(args.json, report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
