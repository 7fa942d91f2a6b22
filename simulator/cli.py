"""The ``escalation`` command: a thin layer over the library (see :data:`EXIT_CODES`).

Each subcommand parses its options, calls one library function (``run_scenario``, ``run_sweep``,
``analyze_sweep``, …) and shows the result through :mod:`simulator.console`. Numbers given as
options are read here as whole numbers and checked by the library against the same bounds as
scenario files, so a bad one gets the same one-line, located message as a bad scenario field.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shlex
import shutil
import sys
import textwrap
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.markup import escape

from simulator import __version__
from simulator.experiment.designs import DESIGNS
from simulator.experiment.executors import ExecutorError
from simulator.experiment.limits import LimitError
from simulator.model.outcomes import EVENT_LOGS
from simulator.results.errors import ResultsError, ResultsWriteError
from simulator.scenario import ScenarioError, load_scenario
from simulator.scenario.loading import load_sweep

if TYPE_CHECKING:
    from simulator.progress import Progress

#: exit status → what it means (printed by ``escalation --help`` and in the README)
EXIT_CODES = {
    0: "success",
    1: "an unexpected error (a bug: please report it with the traceback)",
    2: "bad input: a scenario, option, results folder or --out that cannot be used; nothing "
    "was written",
    3: "a sweep finished, but some of its units failed (see DIR/failures/; --resume retries)",
    4: "results could not be written (disk full, storage error); finished work is kept",
    130: "interrupted (Ctrl-C); a sweep keeps its finished units for --resume",
}

EXAMPLES = {
    "run": """\
  escalation run scenarios/baseline.yaml
  escalation run scenarios/baseline.yaml --replicates 2000 --seed 7 --out results/demo
  escalation run scenarios/baseline.yaml --set actors.KH.control=0.3 --set rationality=2""",
    "trace": """\
  escalation trace results/demo --replicate 0
  escalation trace results/demo --replicate 12 --all-days""",
    "validate": """\
  escalation validate scenarios/*.yaml
  escalation validate scenarios/baseline.yaml --set horizon_days=120""",
    "plot": """\
  escalation plot results/demo              # a run: escalation_fan.png, outcomes.png, …
  escalation plot results/bias-x-control    # a sweep: outcome_vs_<param>.png, heatmap.png, …""",
    "summary": """\
  escalation summary results/demo""",
    "sweep": """\
  escalation sweep scenarios/sweeps/bias_x_control.yaml --out results/bias-x-control
  escalation sweep scenarios/baseline.yaml --param actors.KH.control=0.3:1:8 --replicates 500
  escalation sweep scenarios/baseline.yaml --design sobol --points 256 \\
      --param actors.Iran.resolve=0.2:0.9 --param perception.US.Iran.offense_bias=0:1
  escalation sweep scenarios/baseline.yaml --param rationality=1:3:3 --dask local
  escalation sweep --resume results/bias-x-control""",
    "analyze": """\
  escalation analyze results/bias-x-control""",
}


class InputError(Exception):
    """Bad input from the user: reported in one paragraph, exit status 2."""


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``escalation`` console script and of ``python -m simulator``."""
    parser = build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parser.parse_args(argv)
    args.command_line = shlex.join(["escalation", *argv])
    err = Console(stderr=True, highlight=False, emoji=False)
    try:
        handler: Callable[[argparse.Namespace], int] = args.handler  # a cmd_* function below
        return handler(args)
    except (ScenarioError, ResultsError, InputError, LimitError, ExecutorError) as exc:
        err.print(f"[bold red]error:[/] {escape(str(exc))}", soft_wrap=True, markup=True)
        return 2
    except ResultsWriteError as exc:
        err.print(f"[bold red]error:[/] {escape(str(exc))}", soft_wrap=True, markup=True)
        return 4
    except BrokenPipeError:  # output piped into `head` and the like
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        err.print("interrupted; nothing was written under the output name.")
        return 130


def build_parser() -> argparse.ArgumentParser:
    """The command-line interface: run, trace, validate, plot, summary, sweep, analyze."""
    codes = "\n".join(
        textwrap.fill(text, 88, initial_indent=f"  {code:<5}", subsequent_indent=" " * 7)
        for code, text in EXIT_CODES.items()
    )
    parser = argparse.ArgumentParser(
        prog="escalation",
        description="Simulate escalation between states and proxies (the security dilemma).",
        epilog=f"examples:\n{EXAMPLES['run']}\n{EXAMPLES['sweep'].splitlines()[0]}\n"
        f"  escalation COMMAND --help   (each command's options and examples)\n\n"
        f"exit status:\n{codes}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    width = min(88, shutil.get_terminal_size().columns - 2)  # as argparse wraps the options

    def command(name: str, help: str, description: str) -> argparse.ArgumentParser:
        return sub.add_parser(
            name,
            help=help,
            description=textwrap.fill(description, width),
            epilog=f"examples:\n{EXAMPLES[name]}",
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )

    run = command(
        "run",
        "run a scenario file and write results, a summary and plots",
        "Run every replicate of a scenario and write DIR/manifest.json, runs.parquet, "
        "daily.parquet and plots/ (all at once: the folder appears only when complete), then "
        "print a summary table and what to try next.",
    )
    run.add_argument("scenario", type=Path, metavar="FILE", help="scenario YAML file")
    run.add_argument("--replicates", "-n", metavar="N", help="replicates (default: the scenario's)")
    run.add_argument("--seed", metavar="S", help="random seed (default: the scenario's)")
    run.add_argument(
        "--out",
        type=Path,
        metavar="DIR",
        help="results folder (default: results/<scenario>-<timestamp>)",
    )
    run.add_argument(
        "--force",
        action="store_true",
        help="replace an existing run folder (only one escalation wrote; removed only once the "
        "new one is complete)",
    )
    _add_set(run)
    run.add_argument("--no-plots", action="store_true", help="skip writing plots/")
    run.add_argument(
        "--event-log",
        choices=EVENT_LOGS,
        default="default",
        help="moves kept in events.parquet: violent, covert and forced ones (default), all moves "
        "but the status quo (all), or none",
    )
    run.add_argument("--quiet", "-q", action="store_true", help="no progress, summary or hints")
    run.set_defaults(handler=cmd_run)

    trace = command(
        "trace",
        "recompute and print one replicate of a stored run day by day",
        "Recompute one replicate of a stored run from its manifest and print, day by day, who "
        "did what to whom, how each observer read it and whom it blamed, losses, red lines and "
        "events.",
    )
    trace.add_argument(
        "results", type=Path, metavar="DIR", help="run folder written by `escalation run`"
    )
    trace.add_argument(
        "--replicate",
        "-r",
        required=True,
        metavar="K",
        help="the replicate to replay, numbered from 0: 0 to N-1 for a run of N replicates",
    )
    trace.add_argument("--all-days", action="store_true", help="also list days when nobody moved")
    trace.set_defaults(handler=cmd_trace)

    validate = command(
        "validate",
        "check scenario files without running them",
        "Validate scenario files: schema, ranges, cross-references, dates. Exit status 2 if any "
        "file is invalid.",
    )
    validate.add_argument(
        "scenarios", type=Path, nargs="+", metavar="FILE", help="scenario YAML files"
    )
    _add_set(validate)
    validate.set_defaults(handler=cmd_validate)

    plot = command(
        "plot",
        "(re)draw the figures of a stored run or sweep",
        "Redraw DIR/plots/ from the stored tables (no model is run). For a run folder: the "
        "escalation fan, action mix, outcomes, clash probability and threat matrix. For a sweep "
        "folder: the analysis is redone first (as `escalation analyze`), then outcomes along "
        "each parameter, a heatmap, and the Sobol or Morris indices.",
    )
    plot.add_argument("results", type=Path, metavar="DIR", help="run or sweep folder")
    plot.set_defaults(handler=cmd_plot)

    sweep = command(
        "sweep",
        "run a parameter sweep (grid, Latin hypercube, Sobol, Morris), resumable",
        "Run a scenario over a design of parameter values, with replicates at each point, on a "
        "local process pool (default) or a Dask cluster. FILE is a scenario (optionally with a "
        "`sweep:` section) or a sweep file naming a scenario; options override it. Finished "
        "units are kept on disk as they arrive; an interrupted sweep continues with --resume "
        "DIR. Exit status 3 if some units failed.",
    )
    sweep.add_argument(
        "file", type=Path, nargs="?", metavar="FILE", help="scenario or sweep YAML file"
    )
    sweep.add_argument(
        "--param",
        "-p",
        action="append",
        default=[],
        metavar="PATH=SPEC",
        help="a swept scalar: PATH=lo:hi:n (grid levels), PATH=lo:hi (bounds for sampled "
        "designs) or PATH=a,b,c (repeatable)",
    )
    sweep.add_argument(
        "--design",
        choices=DESIGNS,
        help="grid: every combination of the levels (default); lhs: a Latin hypercube of "
        "--points points; sobol: Saltelli's sample for Sobol indices (--points N, a power of "
        "2); morris: --points trajectories of elementary effects over --levels levels",
    )
    sweep.add_argument(
        "--points", metavar="N", help="LHS points; Sobol base N (a power of 2); Morris trajectories"
    )
    sweep.add_argument("--replicates", "-n", metavar="N", help="replicates per design point")
    sweep.add_argument("--seed", metavar="S", help="seed of the replicates and of the design")
    sweep.add_argument("--second-order", action="store_true", help="Sobol: also sample S2")
    sweep.add_argument("--levels", metavar="L", help="Morris grid levels (default 4)")
    sweep.add_argument(
        "--out", type=Path, metavar="DIR", help="sweep folder (default results/<name>-sweep-…)"
    )
    sweep.add_argument(
        "--force",
        action="store_true",
        help="replace an existing sweep folder (only one escalation wrote)",
    )
    sweep.add_argument("--resume", type=Path, metavar="DIR", help="finish an interrupted sweep")
    sweep.add_argument(
        "--workers",
        metavar="W",
        help="worker processes (default: all cores; 0: this process)",
    )
    sweep.add_argument(
        "--dask",
        metavar="ADDRESS",
        help="run on a Dask scheduler (tcp://host:8786), or `local` for a LocalCluster; "
        "default from $DASK_SCHEDULER_ADDRESS",
    )
    sweep.add_argument("--block", metavar="B", help="replicates per work unit (advanced)")
    _add_set(sweep)
    sweep.add_argument("--quiet", "-q", action="store_true", help="no progress, tables or hints")
    sweep.set_defaults(handler=cmd_sweep)

    analyze = command(
        "analyze",
        "sensitivity analysis of a sweep: outcomes along each parameter, Sobol, Morris",
        "Analyze a stored sweep: outcome probabilities along each parameter with 95 % "
        "intervals; Sobol S1/ST (and S2) with confidence intervals for Sobol designs; Morris "
        "mu*/sigma for Morris designs. Writes DIR/analysis/*.parquet and *.csv.",
    )
    analyze.add_argument("results", type=Path, metavar="DIR", help="sweep folder")
    analyze.set_defaults(handler=cmd_analyze)

    summary = command(
        "summary",
        "print the summary table of a stored run",
        "Print a stored run's outcome probabilities with 95 % Wilson intervals and key figures.",
    )
    summary.add_argument("results", type=Path, metavar="DIR", help="run folder")
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


def whole(text: str | None, option: str) -> int | None:
    """An option's value as a whole number (None if not given); InputError naming the option."""
    if text is None:
        return None
    try:
        return int(text)
    except ValueError:
        raise InputError(f"{option} {text!r}: expected a whole number.") from None


def _stamped(name: str) -> Path:
    return Path("results") / f"{name}-{dt.datetime.now().strftime('%Y%m%d-%H%M%S')}"


# -- commands ---------------------------------------------------------------------------------
def cmd_run(args: argparse.Namespace) -> int:
    """``escalation run``."""
    from simulator.console import print_next_steps, print_summary, progress_display, run_next_steps
    from simulator.experiment.run import resolve, run_scenario
    from simulator.plots import write_all
    from simulator.results.reader import load_run

    scenario = load_scenario(args.scenario, args.overrides)
    scenario = resolve(scenario, whole(args.replicates, "--replicates"), whole(args.seed, "--seed"))
    out = args.out or _stamped(scenario.name)
    with progress_display(args.quiet) as progress:
        run_scenario(
            scenario,
            out,
            scenario_file=str(args.scenario),
            command=args.command_line,
            replace=args.force,
            figures=None if args.no_plots else write_all,
            progress=progress,
            event_log=args.event_log,
        )
    if not args.quiet:
        console = Console(emoji=False)
        print_summary(console, load_run(out))
        plots = "" if args.no_plots else ", plots/"
        events = "" if args.event_log == "none" else ", events.parquet"
        tables = f"manifest.json, runs.parquet, daily.parquet{events}"
        console.print(f"Results: {out}/ ({tables}{plots})")
        print_next_steps(console, run_next_steps(out, args.scenario))
    return 0


def cmd_sweep(args: argparse.Namespace) -> int:
    """``escalation sweep``."""
    from concurrent.futures.process import BrokenProcessPool

    from simulator.console import (
        failure_summary,
        marginal_table,
        print_next_steps,
        print_sweep_report,
        progress_display,
        sweep_next_steps,
    )
    from simulator.experiment.analysis import outcome_marginals
    from simulator.experiment.executors import choose_executor
    from simulator.experiment.sweep import Existing, resume_hint, run_sweep
    from simulator.experiment.sweep_plan import SweepOptions, plan_from_options, plan_of_folder

    err = Console(stderr=True, highlight=False, emoji=False)
    executor = choose_executor(whole(args.workers, "--workers"), args.dask)  # starts nothing yet
    existing: Existing
    if args.resume is not None:
        if args.force:
            raise InputError("--resume continues a sweep and --force replaces it; give one.")
        given = [o for o, v in _sweep_settings(args).items() if v]
        if given:
            err.print(
                f"note: resuming {args.resume} as its manifest says; {', '.join(given)} ignored.",
                soft_wrap=True,
            )
        folder, plan, existing = args.resume, plan_of_folder(args.resume), "resume"
    else:
        if args.file is None:
            raise InputError("give a scenario or sweep file, or --resume DIR.")
        options = SweepOptions(
            file=args.file,
            params=tuple(args.param),
            overrides=tuple(args.overrides),
            design=args.design,
            points=whole(args.points, "--points"),
            replicates=whole(args.replicates, "--replicates"),
            seed=whole(args.seed, "--seed"),
            second_order=args.second_order,
            levels=whole(args.levels, "--levels"),
            block=whole(args.block, "--block"),
        )
        plan = plan_from_options(options, args.command_line)
        folder = args.out or _stamped(f"{plan.manifest['scenario_name']}-sweep")
        existing = "replace" if args.force else "new"
    with progress_display(args.quiet) as progress:
        try:
            report = run_sweep(plan, folder, executor, progress, existing)
        except KeyboardInterrupt:
            err.print(
                f"interrupted: finished units are kept in {folder}/chunks; continue with "
                f"{resume_hint(folder)}.",
                soft_wrap=True,
            )
            return 130
        except BrokenProcessPool:
            err.print(
                f"error: a worker process died (killed, or out of memory). Finished units are "
                f"kept in {folder}/chunks; continue with {resume_hint(folder)}.",
                soft_wrap=True,
            )
            return 1
    if not args.quiet:
        console = Console(emoji=False)
        print_sweep_report(console, report)
        complete = report.points[report.points["complete"]]
        if len(complete):
            classes = report.plan.manifest["outcome_classes"]
            marginals = outcome_marginals(complete, plan.design, classes)
            for path in plan.paths:
                console.print(marginal_table(marginals, path))
        console.print(f"Sweep: {folder}/ (manifest.json, design.parquet, chunks/, points.parquet)")
        print_next_steps(console, sweep_next_steps(folder))
    if not report.complete:
        err.print(
            f"[bold yellow]failed units:[/] {escape(failure_summary(report))}", soft_wrap=True
        )
        return 3
    return 0


def _sweep_settings(args: argparse.Namespace) -> dict[str, object]:
    """The options a resumed sweep ignores (its manifest says what it is), as given."""
    return {
        "FILE": args.file,
        "--param": args.param,
        "--set": args.overrides,
        "--design": args.design,
        "--points": args.points,
        "--replicates": args.replicates,
        "--seed": args.seed,
        "--levels": args.levels,
        "--block": args.block,
        "--second-order": args.second_order,
        "--out": args.out,
    }


def cmd_trace(args: argparse.Namespace) -> int:
    """``escalation trace``."""
    from simulator.console import format_trace
    from simulator.experiment.replay import trace_replicate

    replicate = whole(args.replicate, "--replicate")
    if replicate is None:  # argparse requires it; this says so to the type checker
        raise InputError("--replicate K is required.")
    trace = trace_replicate(args.results, replicate)
    for line in format_trace(trace, quiet_days=args.all_days):
        print(line)
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    """``escalation validate``."""
    console = Console(highlight=False, emoji=False)
    err = Console(stderr=True, highlight=False, emoji=False)
    bad = 0
    for path in args.scenarios:
        try:
            s, _, _ = load_sweep(path, args.overrides)  # a scenario, or a sweep file's scenario
        except ScenarioError as exc:
            bad += 1
            err.print(f"[bold red]invalid:[/] {escape(str(exc))}", soft_wrap=True)
            continue
        console.print(
            f"[green]ok[/]  {escape(str(path))}: {s.name}, {len(s.actors)} actors, "
            f"{s.horizon_days} days from {s.start.isoformat()}, {len(s.events)} events",
            soft_wrap=True,
        )
    return 2 if bad else 0


def cmd_analyze(args: argparse.Namespace) -> int:
    """``escalation analyze``."""
    from simulator.console import print_analysis
    from simulator.experiment.analysis import analyze_sweep

    print_analysis(Console(emoji=False), analyze_sweep(args.results))
    return 0


def cmd_plot(args: argparse.Namespace) -> int:
    """``escalation plot``: a run's or a sweep's figures, from what is stored."""
    from simulator.console import progress_display
    from simulator.results.layout import PLOTS
    from simulator.results.manifest import read_manifest
    from simulator.results.store import locked, replace_subfolder

    folder = args.results
    kind = read_manifest(folder)["kind"]
    write: Callable[[Path, Path, Progress], object]
    with progress_display() as progress, locked(folder):
        if kind == "sweep":
            from simulator.experiment.analysis import analyze_sweep
            from simulator.plots.sweep import write_sweep_plots

            analyze_sweep(folder)  # (re)writes analysis/, which the figures read
            write = write_sweep_plots
        else:
            from simulator.plots import load_run, write_all

            load_run(folder)  # fail with a clear message before touching plots/
            write = write_all
        replace_subfolder(folder, PLOTS, kind, lambda tmp: write(folder, tmp, progress))
    for path in sorted((folder / PLOTS).glob("*.png")):
        print(path)
    return 0


def cmd_summary(args: argparse.Namespace) -> int:
    """``escalation summary``."""
    from simulator.console import print_summary
    from simulator.results.reader import load_run

    print_summary(Console(emoji=False), load_run(args.results))
    return 0
