"""The ``escalation`` command: a thin layer over the library.

Exit status: 0 success, 2 bad input (scenario, results folder, arguments), 1 anything unexpected.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shlex
import sys
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from simulator import __version__
from simulator.experiment.designs import DesignError
from simulator.experiment.executors import ExecutorError
from simulator.results.reader import ResultsError
from simulator.results.writer import ResultsExistError, check_writable
from simulator.scenario import ScenarioError, load_scenario

EXAMPLES = """examples:
  escalation run scenarios/baseline.yaml --replicates 2000 --seed 7 --out results/demo
  escalation run scenarios/baseline.yaml --set actors.KH.control=0.3 --set rationality=2
  escalation trace results/demo --replicate 12
  escalation validate scenarios/*.yaml
  escalation plot results/demo
  escalation sweep scenarios/baseline.yaml --param perception.Iran.US.offense_bias=0:1:11 \
      --param actors.KH.control=0.3:1:8 --replicates 500 --out results/bias-x-control
  escalation sweep ... --dask tcp://scheduler:8786      (or --dask local)
  escalation sweep --resume results/bias-x-control
  escalation analyze results/bias-x-control
"""


class InputError(Exception):
    """Bad input from the user: reported in one paragraph, exit status 2."""


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``escalation`` console script and of ``python -m simulator``."""
    parser = build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parser.parse_args(argv)
    args.command_line = shlex.join(["escalation", *argv])
    err = Console(stderr=True, highlight=False)
    try:
        return args.handler(args)
    except (
        ScenarioError,
        ResultsError,
        ResultsExistError,
        InputError,
        DesignError,
        ExecutorError,
    ) as exc:
        err.print(f"[bold red]error:[/] {exc}", soft_wrap=True, markup=True)
        return 2
    except BrokenPipeError:  # output piped into `head` and the like
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        err.print("interrupted; nothing was written under the output name.")
        return 130


def build_parser() -> argparse.ArgumentParser:
    """The command-line interface: run, trace, validate, plot, summary."""
    parser = argparse.ArgumentParser(
        prog="escalation",
        description="Simulate escalation between states and proxies (the security dilemma).",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = sub.add_parser(
        "run",
        help="run a scenario file and write results, a summary and plots",
        description="Run every replicate of a scenario, write DIR/manifest.json, runs.parquet, "
        "daily.parquet and plots/, and print a summary table.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    run.add_argument("scenario", type=Path, help="scenario YAML file")
    run.add_argument("--replicates", "-n", type=_positive, help="replicates (default: scenario's)")
    run.add_argument("--seed", type=_seed, help="random seed (default: the scenario's)")
    run.add_argument(
        "--out", type=Path, help="results folder (default: results/<scenario>-<timestamp>)"
    )
    run.add_argument("--force", action="store_true", help="replace an existing --out folder")
    _add_set(run)
    run.add_argument("--no-plots", action="store_true", help="skip writing plots/")
    run.add_argument("--quiet", "-q", action="store_true", help="no progress bar or summary")
    run.set_defaults(handler=cmd_run)

    trace = sub.add_parser(
        "trace",
        help="recompute and print one replicate of a stored run day by day",
        description="Recompute replicate K of a stored run from its manifest and print who did "
        "what to whom, how it was read and attributed, losses, red lines and events.",
    )
    trace.add_argument("results", type=Path, help="results folder written by `escalation run`")
    trace.add_argument("--replicate", "-r", type=int, required=True, help="replicate index K")
    trace.add_argument(
        "--all-days", action="store_true", help="also list days on which nobody moved"
    )
    trace.set_defaults(handler=cmd_trace)

    validate = sub.add_parser(
        "validate",
        help="check scenario files without running them",
        description="Validate scenario files: schema, ranges, cross-references, dates.",
    )
    validate.add_argument("scenarios", type=Path, nargs="+", help="scenario YAML files")
    _add_set(validate)
    validate.set_defaults(handler=cmd_validate)

    plot = sub.add_parser(
        "plot",
        help="(re)draw the plots of a stored results folder",
        description="Regenerate DIR/plots/ from the stored tables (no model is run).",
    )
    plot.add_argument("results", type=Path, help="results folder")
    plot.set_defaults(handler=cmd_plot)

    sweep = sub.add_parser(
        "sweep",
        help="run a parameter sweep (grid, Latin hypercube, Sobol, Morris), resumable",
        description="Run a scenario over a design of parameter values, replicates per point, "
        "on a local process pool (default) or a Dask cluster. FILE is a scenario (optionally "
        "with a `sweep:` section) or a sweep file naming a scenario. Finished units are kept on "
        "disk as they arrive; an interrupted sweep continues with --resume DIR.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sweep.add_argument("file", type=Path, nargs="?", help="scenario or sweep YAML file")
    sweep.add_argument(
        "--param",
        "-p",
        action="append",
        default=[],
        metavar="PATH=SPEC",
        help="a swept scalar: PATH=lo:hi:n (grid levels), PATH=lo:hi (bounds) or PATH=a,b,c",
    )
    sweep.add_argument("--design", choices=("grid", "lhs", "sobol", "morris"))
    sweep.add_argument(
        "--points", type=_positive, help="LHS points; Sobol base N (a power of 2); Morris paths"
    )
    sweep.add_argument("--replicates", "-n", type=_positive, help="replicates per design point")
    sweep.add_argument("--seed", type=_seed, help="seed of the replicates and of the design")
    sweep.add_argument("--second-order", action="store_true", help="Sobol: also sample S2")
    sweep.add_argument("--levels", type=_positive, help="Morris grid levels (default 4)")
    sweep.add_argument("--out", type=Path, help="sweep folder (default results/<name>-sweep-…)")
    sweep.add_argument("--force", action="store_true", help="replace an existing sweep folder")
    sweep.add_argument("--resume", type=Path, metavar="DIR", help="finish an interrupted sweep")
    sweep.add_argument(
        "--workers", type=_whole, help="worker processes (default: all cores; 0: this process)"
    )
    sweep.add_argument(
        "--dask",
        metavar="ADDRESS",
        help="run on a Dask scheduler (tcp://host:8786), or `local` for a LocalCluster; "
        "default from $DASK_SCHEDULER_ADDRESS",
    )
    sweep.add_argument("--block", type=_positive, help="replicates per work unit (advanced)")
    _add_set(sweep)
    sweep.add_argument("--quiet", "-q", action="store_true", help="no progress bar or summary")
    sweep.set_defaults(handler=cmd_sweep)

    analyze = sub.add_parser(
        "analyze",
        help="sensitivity analysis of a sweep: outcomes along each parameter, Sobol, Morris",
        description="Analyse a stored sweep: outcome probabilities along each parameter with "
        "95 %% intervals; Sobol S1/ST (and S2) with confidence intervals for Sobol designs; "
        "Morris mu*/sigma for Morris designs. Writes DIR/analysis/*.parquet and *.csv.",
    )
    analyze.add_argument("results", type=Path, help="sweep folder")
    analyze.set_defaults(handler=cmd_analyze)

    summary = sub.add_parser(
        "summary",
        help="print the summary table of a stored results folder",
        description="Print outcome probabilities with 95 %% Wilson intervals and key figures.",
    )
    summary.add_argument("results", type=Path, help="results folder")
    summary.set_defaults(handler=cmd_summary)
    return parser


def _add_set(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="PATH=VALUE",
        help="override one scalar of the scenario, e.g. actors.KH.control=0.4 (repeatable)",
    )


def _whole(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None


def _positive(text: str) -> int:
    value = _whole(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _seed(text: str) -> int:
    value = _whole(text)
    if not 0 <= value < 2**63:
        raise argparse.ArgumentTypeError(f"must be between 0 and 2**63-1, got {value}")
    return value


# -- commands ---------------------------------------------------------------------------------
def cmd_run(args: argparse.Namespace) -> int:
    """``escalation run``."""
    from simulator.experiment.run import execute_run, resolve
    from simulator.plots import write_all
    from simulator.results.writer import replace_subfolder

    scenario = resolve(load_scenario(args.scenario, args.overrides), args.replicates, args.seed)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    out = args.out or Path("results") / f"{scenario.name}-{stamp}"
    check_writable(out, args.force)
    console = Console()
    total = scenario.replicates * scenario.horizon_days
    show = not args.quiet and console.is_terminal
    with _progress(console, show) as progress:
        task = progress.add_task(f"{scenario.name}: replicate-days", total=total)
        execute_run(
            scenario,
            out,
            str(args.scenario),
            args.command_line,
            force=args.force,
            advance=lambda k: progress.advance(task, k),
        )
    if not args.no_plots:
        replace_subfolder(out, "plots", lambda tmp: write_all(out, tmp))
    if not args.quiet:
        _print_summary(console, out)
        console.print(f"Results: {out}/ (manifest.json, runs.parquet, daily.parquet)")
        if not args.no_plots:
            console.print(f"Plots:   {out}/plots/")
    return 0


def cmd_sweep(args: argparse.Namespace) -> int:
    """``escalation sweep``."""
    from concurrent.futures.process import BrokenProcessPool

    from simulator.experiment import sweep as sw
    from simulator.experiment.executors import choose_executor
    from simulator.experiment.sweep_plan import design_from

    if args.resume is not None:
        folder = args.resume
        manifest = sw.load_manifest(folder)
        plan = sw.plan_from_manifest(manifest)
        if args.file is not None or args.param:
            Console(stderr=True).print(
                f"note: resuming {folder} as its manifest says; FILE and --param are ignored."
            )
    else:
        if args.file is None:
            raise InputError("give a scenario or sweep file, or --resume DIR.")
        design, replicates, scenario, source = design_from(args)
        plan = sw.plan_sweep(scenario, design, replicates, args.block)
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        folder = args.out or Path("results") / f"{scenario.name}-sweep-{stamp}"
        check_writable(folder, args.force)
        manifest = sw.sweep_manifest(plan, scenario, args.command_line, str(source))
    console = Console()
    show = not args.quiet and console.is_terminal
    failures = 0
    # the executor starts before the folder is made: an unreachable cluster leaves nothing behind
    with choose_executor(args.workers, args.dask) as executor:
        if args.resume is None:
            sw.start_sweep(folder, manifest, plan, args.force)
        units = plan.units()
        stored = [u for u in units if sw.unit_path(folder, u.index).exists()]
        done = len(stored)
        work = {u.index: (u.stop - u.first) * len(u.points) * plan.horizon for u in units}
        with _progress(console, show) as bar:
            task = bar.add_task(
                f"{manifest['scenario_name']} sweep: replicate-days", total=sum(work.values())
            )
            bar.advance(task, sum(work[u.index] for u in stored))

            def advance(amount: int, result) -> None:
                nonlocal failures
                failures += result.rows is None
                bar.advance(task, amount)
                if failures:
                    bar.update(task, description=f"sweep ({failures} failed units)")

            try:
                ran, failed = sw.execute_sweep(folder, plan, executor, advance)
            except KeyboardInterrupt:
                console.print(
                    f"interrupted: finished units are kept in {folder}/chunks; continue with "
                    f"`escalation sweep --resume {folder}`."
                )
                return 130
            except BrokenProcessPool:
                Console(stderr=True).print(
                    f"error: a worker process died (killed, or out of memory). Finished units "
                    f"are kept in {folder}/chunks; continue with `escalation sweep --resume "
                    f"{folder}`."
                )
                return 1
    points = sw.finish_sweep(folder, plan)
    if not args.quiet:
        console.print(
            f"{len(plan.matrix):,} design points × {plan.replicates:,} replicates on "
            f"{executor.name}: {ran} units run now, {done} already done, {failed} failed."
        )
        from simulator.experiment.analysis import marginal_table, outcome_marginals

        marginals = outcome_marginals(points, plan.design)
        for path in plan.paths:
            console.print(marginal_table(marginals, path))
        console.print(f"Sweep: {folder}/ (manifest.json, design.parquet, chunks/, points.parquet)")
        if failed:
            console.print(
                f"[yellow]{failed} units failed[/]: see {folder}/failures/; "
                f"`escalation sweep --resume {folder}` retries them."
            )
    return 0


def cmd_trace(args: argparse.Namespace) -> int:
    """``escalation trace``."""
    from simulator.experiment.replay import format_trace, trace_replicate

    trace = trace_replicate(args.results, args.replicate)
    for line in format_trace(trace, quiet_days=args.all_days):
        print(line)
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    """``escalation validate``."""
    console = Console(highlight=False)
    err = Console(stderr=True, highlight=False)
    bad = 0
    for path in args.scenarios:
        try:
            s = load_scenario(path, args.overrides)
        except ScenarioError as exc:
            bad += 1
            err.print(f"[bold red]invalid:[/] {exc}", soft_wrap=True)
            continue
        console.print(
            f"[green]ok[/]  {path}: {s.name}, {len(s.actors)} actors, {s.horizon_days} days "
            f"from {s.start.isoformat()}, {len(s.events)} events",
            soft_wrap=True,
        )
    return 2 if bad else 0


def cmd_analyze(args: argparse.Namespace) -> int:
    """``escalation analyze``."""
    from simulator.experiment.analysis import analyze_sweep, print_analysis

    analysis = analyze_sweep(args.results)
    print_analysis(Console(), analysis)
    return 0


def cmd_plot(args: argparse.Namespace) -> int:
    """``escalation plot``: a run's or a sweep's figures, from what is stored."""
    from simulator.results.writer import replace_subfolder

    if _is_sweep(args.results):
        from simulator.experiment.analysis import analyze_sweep
        from simulator.plots.sweep import write_sweep_plots

        analyze_sweep(args.results)  # (re)writes analysis/, which the figures read
        replace_subfolder(args.results, "plots", lambda tmp: write_sweep_plots(args.results, tmp))
    else:
        from simulator.plots import write_all
        from simulator.results.reader import load_run

        load_run(args.results)  # fail with a clear message before touching plots/
        replace_subfolder(args.results, "plots", lambda tmp: write_all(args.results, tmp))
    for path in sorted((args.results / "plots").glob("*.png")):
        print(path)
    return 0


def _is_sweep(folder: Path) -> bool:
    import json

    try:
        manifest = json.loads((Path(folder) / "manifest.json").read_text())
    except (OSError, ValueError):
        return False
    return manifest.get("kind") == "sweep"


def cmd_summary(args: argparse.Namespace) -> int:
    """``escalation summary``."""
    _print_summary(Console(), args.results)
    return 0


# -- presentation -----------------------------------------------------------------------------
def _progress(console: Console, show: bool) -> Progress:
    return Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
        disable=not show,
        transient=True,
    )


def _print_summary(console: Console, result_dir: Path) -> None:
    from simulator.results.reader import load_run
    from simulator.results.summary import summarise

    results = load_run(result_dir)
    summary = summarise(results.manifest, results.runs)
    m = results.manifest
    table = Table(
        title=f"{m['scenario_name']}: {summary.replicates:,} replicates × {m['horizon_days']} "
        f"days from {m['start']}, seed {m['seed']}",
        title_justify="left",
    )
    table.add_column("Outcome")
    table.add_column("Replicates", justify="right")
    table.add_column("Probability", justify="right")
    table.add_column("95 % Wilson interval", justify="right")
    for row in summary.outcomes:
        table.add_row(
            row.label,
            f"{row.count:,}",
            f"{row.probability:.1%}",
            f"{row.low:.1%} – {row.high:.1%}",
        )
    console.print(table)
    facts = Table(show_header=False, box=None, pad_edge=False)
    facts.add_column(style="dim")
    facts.add_column()
    for name, value in summary.metrics:
        facts.add_row(name, value)
    console.print(facts)
