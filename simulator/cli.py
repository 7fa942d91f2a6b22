"""The ``escalation`` command: a thin layer over the library (see :data:`EXIT_CODES`).

Each subcommand parses its options, calls one library function (``run_scenario``, ``run_sweep``,
``analyze_sweep``, …) and shows the result through :mod:`simulator.console`. Numbers given as
options are read here as whole numbers and checked by the library against the same bounds as
scenario files, so a bad one gets the same one-line, located message as a bad scenario field.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import gc
import os
import shlex
import shutil
import sys
import textwrap
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from simulator import __version__
from simulator.model.engine import CHOICES, EngineError, resolve_engine
from simulator.model.engine import ENV as ENGINE_ENV
from simulator.model.labels import EVENT_LOGS

# Everything else is imported where it is used, so that `escalation --help` builds its parser
# from the standard library alone and `validate` never loads Mesa, matplotlib or scipy
# (tests/test_lazy_imports.py).
if TYPE_CHECKING:
    from simulator.plots.helper import EarlyHelper
    from simulator.progress import Progress

#: the sweep designs, as :data:`simulator.experiment.designs.DESIGNS` names them (that module
#: loads the scenario schema; tests/test_lazy_imports.py checks that the two agree)
DESIGNS = ("grid", "lhs", "sobol", "morris")

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
  escalation plot results/bias-x-control    # a sweep: outcome_vs_<param>.png, heatmap.png, …
  escalation plot results/hindcasts         # a hindcast: reliability.png, skill.png, …""",
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
    "hindcast": """\
  escalation hindcast scenarios/record_2019_2021.yaml --history history/us_iran_2019_2021.yaml \\
      --origins 2019-10-01:2021-01-01:monthly --lead 30,60 --replicates 2000 \\
      --train-until 2020-09-30 --out results/hindcasts
  escalation hindcast scenarios/baseline.yaml --history history/us_iran_2019_2021.yaml \\
      --origins 2020-12-20,2021-01-01 --lead 14""",
    "calibrate": """\
  escalation calibrate scenarios/sweeps/calibrate_baseline.yaml \\
      --history history/us_iran_2019_2021.yaml --train-until 2020-09-30 --out results/calibration
  escalation calibrate scenarios/sweeps/calibrate_baseline.yaml --points 64 --replicates 100 \\
      --history history/us_iran_2019_2021.yaml --train-until 2020-09-30 --dask local
  escalation calibrate --resume results/calibration --history history/us_iran_2019_2021.yaml""",
    "compare": """\
  escalation compare scenarios/carrier_stays.yaml scenarios/carrier_leaves.yaml \\
      --replicates 5000 --out results/carrier
  escalation compare scenarios/baseline.yaml --set actors.KH.control=0.9 --out results/control-09
  escalation compare scenarios/baseline.yaml --set actors.KH.control=0.9 --list-changed""",
    "robustness": """\
  escalation robustness results/levers-x-uncertainties --lever actors.US.red_lines.0.delay_max
  escalation robustness results/bias-x-control --lever actors.KH.control \\
      --outcome proxy_violence""",
    "discover": """\
  escalation discover results/bias-x-control --outcome war
  escalation discover results/bias-x-control --outcome clash_or_war --threshold 0.05
  escalation discover results/bias-x-control --outcome militia_attacks_per_month --threshold 3""",
    "score": """\
  escalation score results/hindcasts --history history/us_iran_2019_2021.yaml
  escalation score results/demo --history history/us_iran_2019_2021.yaml  # a run's overlap""",
    "report": """\
  escalation report results/demo                 # → results/demo/report.html
  escalation report results/bias-x-control       # sweeps, comparisons and hindcasts too
  escalation report results/demo --out demo.html""",
    "explore": """\
  escalation explore scenarios/baseline.yaml
  escalation explore scenarios/baseline.yaml --param actors.KH.control --replicates 1000""",
}


#: replicates of a posterior hindcast when --replicates is not given (shared by its points)
DEFAULT_POSTERIOR_REPLICATES = 1000


class InputError(Exception):
    """Bad input from the user: reported in one paragraph, exit status 2."""


def command() -> int:
    """The ``escalation`` console script and ``python -m simulator``: :func:`main`, then exit.

    The process ends right after. Python's teardown would otherwise walk every object still
    alive (the modules of pandas, Mesa and matplotlib, their caches) in collection passes:
    0.35-0.4 s after an ``escalation run``. Frozen, they are left to the operating system;
    files are still flushed and closed and ``atexit`` handlers still run.
    """
    code = main()
    gc.freeze()
    return code


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command line (``argv``, default ``sys.argv[1:]``); returns the exit status."""
    parser = build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parser.parse_args(argv)
    args.command_line = shlex.join(["escalation", *argv])
    # imported once the command line is parsed: `escalation --help` needs none of this
    from rich.console import Console
    from rich.markup import escape

    from simulator.experiment.executors import ExecutorError
    from simulator.experiment.limits import LimitError, OptionError
    from simulator.results.errors import ResultsError, ResultsWriteError
    from simulator.scenario import ScenarioError

    err = Console(stderr=True, highlight=False, emoji=False)
    try:
        if getattr(args, "engine", None) is not None:  # for this process and its workers
            os.environ[ENGINE_ENV] = resolve_engine(args.engine)
        handler: Callable[[argparse.Namespace], int] = args.handler  # a cmd_* function below
        return handler(args)
    except (
        EngineError,
        ScenarioError,
        ResultsError,
        InputError,
        LimitError,
        ExecutorError,
        OptionError,
    ) as exc:
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
    _add_engine(run)
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
        "(re)draw the figures of a stored run, sweep, hindcast or comparison",
        "Redraw DIR/plots/ from the stored tables (no model is run). For a run folder: the "
        "escalation fan, action mix, outcomes, clash probability and threat matrix. For a sweep "
        "folder: the analysis is redone first (as `escalation analyze`), then outcomes along "
        "each parameter, a heatmap, and the Sobol or Morris indices. For a scored run or a "
        "hindcast: the score figures too (reliability, skill, PIT; forecasts by origin).",
    )
    plot.add_argument(
        "results", type=Path, metavar="DIR", help="run, sweep, hindcast or comparison folder"
    )
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
    _add_engine(sweep)
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

    hindcast = command(
        "hindcast",
        "forecast from rolling origins in the record and score the forecasts",
        "For each origin: run the scenario from its start with its dated events before the "
        "origin applied and none after (the state at the origin is the model's own, built by "
        "the forced record), keep the replicates whose past agrees with the record, and "
        "forecast each lead; the same from a cold start at the origin shows how much hand-set "
        "initial values weigh. Scores every window against the history (as `escalation "
        "score`) with climatology and persistence as references. Writes DIR/manifest.json, "
        "ensembles.parquet, scores/ and plots/.",
    )
    hindcast.add_argument(
        "scenario", type=Path, nargs="?", metavar="FILE", help="scenario YAML file (or --posterior)"
    )
    _add_history(hindcast)
    hindcast.add_argument(
        "--posterior",
        type=Path,
        metavar="DIR",
        help="forecast with a calibration's posterior instead of FILE: every accepted point of "
        "DIR (written by `escalation calibrate`) runs its share of the replicates, and the "
        "pooled ensemble is the posterior predictive",
    )
    hindcast.add_argument(
        "--origins",
        required=True,
        metavar="SPEC",
        help="START:END:monthly (or weekly, or Nd), or dates separated by commas",
    )
    hindcast.add_argument(
        "--lead", default="30,60", metavar="DAYS", help="leads in days (default 30,60)"
    )
    hindcast.add_argument("--replicates", "-n", metavar="N", help="replicates per origin")
    hindcast.add_argument("--seed", metavar="S", help="random seed (default: the scenario's)")
    hindcast.add_argument(
        "--out", type=Path, metavar="DIR", help="folder (default results/<name>-hindcast-…)"
    )
    hindcast.add_argument("--force", action="store_true", help="replace an existing folder")
    hindcast.add_argument(
        "--workers", metavar="W", help="worker processes (default: all cores; 0: this process)"
    )
    hindcast.add_argument("--dask", metavar="ADDRESS", help="a Dask scheduler, or `local`")
    _add_set(hindcast)
    _add_engine(hindcast)
    hindcast.add_argument("--no-plots", action="store_true", help="skip writing plots/")
    hindcast.add_argument("--quiet", "-q", action="store_true", help="no progress or tables")
    hindcast.set_defaults(handler=cmd_hindcast)

    compare = command(
        "compare",
        "compare two arms of a crisis replicate by replicate (common random numbers)",
        "Run arm A (FILE) and arm B (FILE_B, or FILE with the --set overrides) on the same "
        "replicates and seed, so that replicate k of each faces the same draws wherever their "
        "paths agree, and report per outcome class (overall and per pair of actors) the change "
        "ΔP = P(B) − P(A) with its paired 95 % interval (Newcombe) beside the unpaired one, the "
        "McNemar test, the replicates that changed class, the day-by-day difference in P(clash) "
        "and the differences in attacks, casualties and time to first clash. Writes DIR/ with "
        "each arm as a run folder (DIR/a, DIR/b: `escalation trace DIR/a --replicate K`) and the "
        "comparison's tables.",
    )
    compare.add_argument("scenario", type=Path, metavar="FILE", help="arm A's scenario file")
    compare.add_argument(
        "scenario_b",
        type=Path,
        nargs="?",
        metavar="FILE_B",
        help="arm B's scenario file (default: FILE with the --set overrides)",
    )
    _add_set(compare)
    _add_engine(compare)
    compare.add_argument("--replicates", "-n", metavar="N", help="replicates (default: A's)")
    compare.add_argument("--seed", metavar="S", help="random seed of both arms (default: A's)")
    compare.add_argument(
        "--out", type=Path, metavar="DIR", help="folder (default results/<a>-vs-<b>-…)"
    )
    compare.add_argument("--force", action="store_true", help="replace an existing folder")
    compare.add_argument("--no-plots", action="store_true", help="skip writing plots/")
    compare.add_argument(
        "--list-changed",
        action="store_true",
        help="print every replicate whose class changed, with the command that traces it",
    )
    compare.add_argument("--quiet", "-q", action="store_true", help="no progress or tables")
    compare.set_defaults(handler=cmd_compare)

    robust = command(
        "robustness",
        "which lever setting holds up across the uncertainties of a grid sweep (regret)",
        "Split a finished grid sweep's parameters into levers (--lever, what an actor controls) "
        "and uncertainties (the rest). For each lever setting, across the uncertainty points: "
        "the mean and worst-case probability of --outcome, and the regret against the best "
        "setting at each point (mean, maximum, how often it was the best). Writes "
        "DIR/robustness/ (summary, regret).",
    )
    robust.add_argument("results", type=Path, metavar="DIR", help="grid sweep folder")
    robust.add_argument(
        "--lever",
        action="append",
        default=[],
        metavar="PATH",
        help="a swept lever (repeatable; default: the sweep file's `levers:`)",
    )
    robust.add_argument(
        "--outcome",
        default="clash_or_war",
        help="an outcome column of the sweep's points: clash_or_war (default), war, "
        "direct_clash, proxy_violence, contained, de_escalated (for which more is better)",
    )
    robust.set_defaults(handler=cmd_robustness)

    discover = command(
        "discover",
        "scenario discovery: the parameter boxes where an outcome is likely (PRIM, CART)",
        "Over a finished sweep, mark the design points where the outcome's probability (or a "
        "metric's mean) reaches --threshold (default: the top quarter of the points), then find "
        "the boxes of parameter space that hold them: PRIM's peeling trajectory (coverage vs "
        "density) and its chosen box with each restriction's quasi-p-value, CART's leaves as a "
        "second view, and extra-trees importances of every swept parameter. Writes "
        "DIR/discovery/ (tables and the figures: peeling trajectory, box limits, feature "
        "scores).",
    )
    discover.add_argument("results", type=Path, metavar="DIR", help="sweep folder")
    discover.add_argument(
        "--outcome",
        default="war",
        help="war (default), clash_or_war, direct_clash, proxy_violence, contained, "
        "de_escalated, or a metric of the points table (militia_attacks_per_month, …)",
    )
    discover.add_argument("--threshold", metavar="P", help="a point is of interest at or above P")
    discover.add_argument(
        "--density",
        metavar="D",
        help="choose the PRIM box of highest coverage with at least this density (default: "
        "the knee of the peeling trajectory)",
    )
    discover.set_defaults(handler=cmd_discover)

    score = command(
        "score",
        "score a stored run or hindcast against an observed history",
        "Hold a run or hindcast folder to the record: ranked probability and Brier scores of "
        "the outcome class (overall and per pair of states), CRPS, log score, PIT and 50/90 % "
        "interval coverage of militia attacks and deaths, Brier and log scores of state-on-state "
        "violence, and skill against climatology and persistence. A run is scored on its "
        "overlap with the record (whole and by calendar month). Writes DIR/scores/ and redraws "
        "DIR/plots/ with the score figures (reliability, skill, PIT).",
    )
    calibrate = command(
        "calibrate",
        "fit the unsourced parameters to the record's calibration part (ABC, history matching)",
        "Run a sweep (the prior: the sweep file's ranges) of a scenario cut at --train-until, "
        "on a local pool or Dask, resumable; reduce each design point to the record's summary "
        "statistics (militia attacks a month, deaths of the record's first state, state-on-state "
        "violence beyond the record's) and keep the --accept share nearest the record (ABC "
        "rejection) as the posterior sample; rule out implausible points (history matching); "
        "report the share of the posterior in the quiet and runaway regimes; write a calibrated "
        "scenario with the posterior medians and 90 % intervals in its header. Writes the sweep "
        "folder DIR and DIR/calibration/.",
    )
    calibrate.add_argument(
        "file", type=Path, nargs="?", metavar="FILE", help="sweep file (or scenario with `sweep:`)"
    )
    _add_history(calibrate)
    calibrate.add_argument(
        "--accept",
        metavar="SHARE",
        help="share of the design points accepted into the posterior (default 0.1)",
    )
    calibrate.add_argument("--points", metavar="N", help="design points (the sweep file's)")
    calibrate.add_argument("--replicates", "-n", metavar="N", help="replicates per point")
    calibrate.add_argument("--seed", metavar="S", help="seed of the replicates and the design")
    calibrate.add_argument(
        "--out", type=Path, metavar="DIR", help="folder (default results/<name>-calibration-…)"
    )
    calibrate.add_argument("--force", action="store_true", help="replace an existing folder")
    calibrate.add_argument("--resume", type=Path, metavar="DIR", help="finish an interrupted one")
    calibrate.add_argument("--workers", metavar="W", help="worker processes (default: all cores)")
    calibrate.add_argument("--dask", metavar="ADDRESS", help="a Dask scheduler, or `local`")
    _add_set(calibrate)
    _add_engine(calibrate)
    calibrate.add_argument("--quiet", "-q", action="store_true", help="no progress or tables")
    calibrate.set_defaults(handler=cmd_calibrate)

    score.add_argument("results", type=Path, metavar="DIR", help="run or hindcast folder")
    _add_history(score)
    score.add_argument(
        "--no-plots", action="store_true", help="skip redrawing plots/ with the score figures"
    )
    score.set_defaults(handler=cmd_score)

    report = command(
        "report",
        "write one self-contained HTML report of a results folder",
        "Write DIR/report.html: one file with the folder's tables, interactive charts (Vega-Lite, "
        "scripts inlined), sample stories and provenance, which opens in any browser with no "
        "network. Works on run, sweep, comparison and hindcast folders.",
    )
    report.add_argument("results", type=Path, metavar="DIR", help="results folder of any kind")
    report.add_argument(
        "--out", type=Path, metavar="FILE", help="where to write (default: DIR/report.html)"
    )
    report.set_defaults(handler=cmd_report)

    from simulator.explore import DEFAULT_REPLICATES  # constants only: --help stays fast

    explore = command(
        "explore",
        "explore a scenario live in the browser (sliders, re-run on every change)",
        "Start a local web app (Solara) on a scenario: sliders for its key parameters, and on "
        "every change a re-run of R replicates that redraws the outcome distribution, the "
        "escalation fan and P(clash) by date; trace any replicate; save the settings as a "
        "scenario file and the result as a run folder. Needs the explore extra: "
        'pip install -e ".[explore]".',
    )
    explore.add_argument("scenario", type=Path, metavar="FILE", help="scenario YAML file")
    explore.add_argument(
        "--param",
        dest="params",
        action="append",
        default=[],
        metavar="PATH",
        help="a number of the scenario to put on a slider, e.g. actors.KH.control (repeatable; "
        "default: a handful from the scenario's actors and perception)",
    )
    explore.add_argument(
        "--replicates",
        "-n",
        metavar="R",
        default=str(DEFAULT_REPLICATES),
        help=f"replicates per update ({DEFAULT_REPLICATES:,})",
    )
    explore.add_argument(
        "--port", metavar="PORT", default="0", help="port to serve on (default: a free one)"
    )
    explore.add_argument(
        "--host", metavar="HOST", default="127.0.0.1", help="address to serve on (127.0.0.1)"
    )
    explore.set_defaults(handler=cmd_explore)
    return parser


def _add_history(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--history", type=Path, required=True, metavar="FILE", help="observed-history YAML file"
    )
    parser.add_argument(
        "--train-until",
        metavar="DATE",
        help="last day of the record's calibration part: windows ending later are scored as "
        "held out, and climatology learns its rate only from the part up to DATE",
    )


def _add_engine(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--engine",
        choices=CHOICES,
        default=None,
        help="what steps the model: numpy (the reference), compiled (numba kernels; needs "
        'pip install -e ".[compiled]") or auto: numpy until this process has simulated a '
        "million replicate-days, then compiled if numba is installed. All give the same "
        "results (default: $ESCALATION_ENGINE, else auto)",
    )


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


def iso_date(text: str | None, option: str) -> dt.date | None:
    """An option's value as an ISO date (None if not given); InputError naming the option."""
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InputError(f"{option} {text!r}: expected a date as YYYY-MM-DD.") from None


def _stamped(name: str) -> Path:
    return Path("results") / f"{name}-{dt.datetime.now().strftime('%Y%m%d-%H%M%S')}"


# -- commands ---------------------------------------------------------------------------------
def cmd_report(args: argparse.Namespace) -> int:
    """``escalation report``."""
    from rich.console import Console

    from simulator.report import write_report

    path = write_report(args.results, args.out)
    size = path.stat().st_size
    Console(highlight=False).print(f"wrote {path} ({size / 1e6:.1f} MB); open it in a browser.")
    return 0


def cmd_explore(args: argparse.Namespace) -> int:
    """``escalation explore``."""
    from simulator.explore.cli import cmd_explore as explore

    return explore(args)


def cmd_run(args: argparse.Namespace) -> int:
    """``escalation run``.

    With plots, a helper process is forked first (where that is safe): it loads matplotlib
    while this process loads the model and simulates, then draws the figures, itself with a
    helper, while this process waits (it never loads matplotlib).
    """
    from simulator.plots.helper import EarlyHelper, can_fork_helper

    early = not args.no_plots and can_fork_helper()
    # the helper reads the run's tables back (pandas, pyarrow), then draws them
    warm = ["simulator.plots.run", "pandas", "pyarrow.parquet"]
    with EarlyHelper(warm) if early else contextlib.nullcontext() as helper:
        return _run(args, helper)


def _draw_run_figures(helper: EarlyHelper, folder: Path, out: Path, progress: Progress) -> None:
    helper.draw(("simulator.plots.run", "run_jobs", (folder, out)), progress)


def _run(args: argparse.Namespace, helper: EarlyHelper | None) -> int:
    from rich.console import Console

    from simulator.console import (
        print_next_steps,
        print_summary,
        print_written,
        progress_display,
        run_next_steps,
    )
    from simulator.experiment.run import Figures, resolve, run_scenario
    from simulator.results.reader import load_run
    from simulator.scenario import load_scenario

    figures: Figures | None = None
    if helper is not None:
        figures = partial(_draw_run_figures, helper)
    elif not args.no_plots:  # matplotlib is loaded only to draw
        from simulator.plots import write_all

        figures = write_all

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
            figures=figures,
            progress=progress,
            event_log=args.event_log,
        )
    if not args.quiet:
        console = Console(emoji=False)
        print_summary(console, load_run(out))
        plots = "" if args.no_plots else ", plots/"
        events = "" if args.event_log == "none" else ", events.parquet"
        tables = f"manifest.json, runs.parquet, daily.parquet{events}"
        print_written(console, "Results", out, f"{tables}{plots}")
        print_next_steps(console, run_next_steps(out, args.scenario))
    return 0


def cmd_sweep(args: argparse.Namespace) -> int:
    """``escalation sweep``."""
    from concurrent.futures.process import BrokenProcessPool

    from rich.console import Console
    from rich.markup import escape

    from simulator.console import (
        failure_summary,
        marginal_table,
        print_next_steps,
        print_sweep_report,
        print_written,
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
        print_written(
            console, "Sweep", folder, "manifest.json, design.parquet, chunks/, points.parquet"
        )
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
    from rich.console import Console
    from rich.markup import escape

    from simulator.scenario import ScenarioError
    from simulator.scenario.loading import load_sweep

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
    from rich.console import Console

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
        elif kind == "comparison":
            from simulator.plots.comparison import write_comparison_plots

            write = write_comparison_plots
        else:
            from simulator.plots import load_run, write_folder_plots

            if kind == "run":
                load_run(folder)  # fail with a clear message before touching plots/
            write = write_folder_plots
        replace_subfolder(folder, PLOTS, kind, lambda tmp: write(folder, tmp, progress))
    for path in sorted((folder / PLOTS).glob("*.png")):
        print(path)
    return 0


def cmd_summary(args: argparse.Namespace) -> int:
    """``escalation summary``."""
    from rich.console import Console

    from simulator.console import print_summary
    from simulator.results.reader import load_run

    print_summary(Console(emoji=False), load_run(args.results))
    return 0


def cmd_hindcast(args: argparse.Namespace) -> int:
    """``escalation hindcast``."""
    from rich.console import Console

    from simulator.console import print_scores, print_written, progress_display
    from simulator.experiment.executors import choose_executor
    from simulator.experiment.hindcast import parse_leads, parse_origins, run_hindcast
    from simulator.experiment.run import resolve
    from simulator.history import load_history
    from simulator.plots.scores import write_score_plots
    from simulator.scenario import load_scenario

    replicates, seed = whole(args.replicates, "--replicates"), whole(args.seed, "--seed")
    posterior = None
    if (args.scenario is None) == (args.posterior is None):
        raise InputError("give a scenario FILE or --posterior DIR (one of the two).")
    if args.posterior is not None:
        if args.overrides:
            raise InputError("--set changes a scenario FILE; a posterior's points are as fitted.")
        from simulator.experiment.calibrate import posterior_scenarios

        total = replicates if replicates is not None else DEFAULT_POSTERIOR_REPLICATES
        scenarios, posterior = posterior_scenarios(args.posterior, total)
        scenarios = [resolve(s, None, seed) for s in scenarios]
        source = str(args.posterior)
    else:
        one = load_scenario(args.scenario, args.overrides)
        scenarios, source = [resolve(one, replicates, seed)], str(args.scenario)
    scenario = scenarios[0]
    history = load_history(args.history, [r.name for r in scenario.ladder])
    origins, leads = parse_origins(args.origins), parse_leads(args.lead)
    train_until = iso_date(args.train_until, "--train-until")
    out = args.out or _stamped(f"{scenario.name}-hindcast")
    with progress_display(args.quiet) as progress:
        done = run_hindcast(
            scenarios,
            history,
            out,
            origins,
            leads,
            train_until=train_until,
            scenario_file=source,
            posterior=posterior,
            executor=choose_executor(whole(args.workers, "--workers"), args.dask),
            command=args.command_line,
            replace=args.force,
            figures=None if args.no_plots else write_score_plots,
            progress=progress,
        )
    if not args.quiet:
        console = Console(emoji=False)
        print_scores(console, done.scores)
        print_written(console, "Hindcast", out, "manifest.json, ensembles.parquet, scores/, plots/")
    return 0


def cmd_score(args: argparse.Namespace) -> int:
    """``escalation score``."""
    from rich.console import Console

    from simulator.console import print_scores, print_written
    from simulator.experiment.score import score_folder
    from simulator.history import load_history

    history = load_history(args.history)
    scores = score_folder(args.results, history, iso_date(args.train_until, "--train-until"))
    folder = args.results
    if not args.no_plots:
        from simulator.console import progress_display
        from simulator.plots import write_folder_plots
        from simulator.results.layout import PLOTS
        from simulator.results.store import locked, replace_subfolder

        kind = scores.kind
        with progress_display() as progress, locked(folder):
            replace_subfolder(
                folder, PLOTS, kind, lambda tmp: write_folder_plots(folder, tmp, progress)
            )
    console = Console(emoji=False)
    print_scores(console, scores)
    contents = "windows, skill, coverage, reliability, transient, lags"
    print_written(console, "Scores", f"{folder}/scores", contents)
    if not args.no_plots:
        print_written(console, "Plots", f"{folder}/plots", "the scores' figures")
    return 0


def cmd_calibrate(args: argparse.Namespace) -> int:
    """``escalation calibrate``."""
    from rich.console import Console

    from simulator.console import print_calibration, progress_display
    from simulator.experiment.calibrate import (
        DEFAULT_ACCEPT,
        calibrate_sweep,
        calibration_plan,
    )
    from simulator.experiment.executors import choose_executor
    from simulator.experiment.sweep import Existing, resume_hint, run_sweep
    from simulator.experiment.sweep_plan import SweepOptions, plan_of_folder
    from simulator.history import load_history
    from simulator.plots.calibration import write_calibration_plots

    history = load_history(args.history)
    accept = DEFAULT_ACCEPT if args.accept is None else _share(args.accept, "--accept")
    train_until = iso_date(args.train_until, "--train-until")
    executor = choose_executor(whole(args.workers, "--workers"), args.dask)
    existing: Existing
    if args.resume is not None:
        if args.force or args.file is not None:
            raise InputError("--resume continues a calibration; give no FILE or --force with it.")
        folder, plan, existing = args.resume, plan_of_folder(args.resume), "resume"
    else:
        if args.file is None:
            raise InputError("give a sweep file, or --resume DIR.")
        if train_until is None:
            raise InputError(
                "--train-until DATE is required: the last day of the record's calibration part "
                "(the later part is held out for scoring)."
            )
        options = SweepOptions(
            file=args.file,
            overrides=tuple(args.overrides),
            points=whole(args.points, "--points"),
            replicates=whole(args.replicates, "--replicates"),
            seed=whole(args.seed, "--seed"),
        )
        plan = calibration_plan(options, history, train_until, args.command_line)
        folder = args.out or _stamped(f"{plan.manifest['scenario_name']}-calibration")
        existing = "replace" if args.force else "new"
    with progress_display(args.quiet) as progress:
        try:
            report = run_sweep(plan, folder, executor, progress, existing)
        except KeyboardInterrupt:
            Console(stderr=True).print(
                f"interrupted: finished units are kept in {folder}/chunks; continue with "
                f"`escalation calibrate --resume {folder} --history {args.history}`.",
                soft_wrap=True,
            )
            return 130
        if not report.complete:
            Console(stderr=True).print(
                f"some units failed; the posterior needs them all: {resume_hint(folder)}",
                soft_wrap=True,
            )
            return 3
        found = calibrate_sweep(folder, plan, history, accept)
        write_calibration_plots(folder, folder / "calibration", progress)
    if not args.quiet:
        print_calibration(Console(emoji=False), found)
    return 0


def _share(text: str, option: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise InputError(f"{option} {text!r}: expected a share between 0 and 1.") from None
    if not 0 < value <= 1:
        raise InputError(f"{option} {text!r}: expected a share above 0 and at most 1.")
    return value


def cmd_compare(args: argparse.Namespace) -> int:
    """``escalation compare``."""
    from rich.console import Console

    from simulator.console import print_comparison, progress_display
    from simulator.experiment.compare import compare
    from simulator.experiment.run import resolve
    from simulator.plots.comparison import write_comparison_plots
    from simulator.scenario import load_scenario

    replicates, seed = whole(args.replicates, "--replicates"), whole(args.seed, "--seed")
    a = resolve(load_scenario(args.scenario), replicates, seed)
    if args.scenario_b is None:
        if not args.overrides:
            raise InputError(
                "give a second scenario FILE_B, or --set PATH=VALUE overrides that make arm B."
            )
        b = load_scenario(args.scenario, args.overrides)
        label_b = f"{args.scenario} with " + ", ".join(args.overrides)
    else:
        b = load_scenario(args.scenario_b, args.overrides)
        label_b = str(args.scenario_b) + (
            f" with {', '.join(args.overrides)}" if args.overrides else ""
        )
    b = resolve(b, replicates, seed)
    out = args.out or _stamped(f"{a.name}-vs-{b.name}")
    with progress_display(args.quiet) as progress:
        done = compare(
            a,
            b,
            out,
            labels=(str(args.scenario), label_b),
            sources=(str(args.scenario), str(args.scenario_b or args.scenario)),
            command=args.command_line,
            replace=args.force,
            figures=None if args.no_plots else write_comparison_plots,
            progress=progress,
        )
    if not args.quiet:
        print_comparison(Console(emoji=False), done, list_changed=args.list_changed)
    return 0


def cmd_robustness(args: argparse.Namespace) -> int:
    """``escalation robustness``."""
    from rich.console import Console

    from simulator.console import print_robustness
    from simulator.experiment.robustness import robustness
    from simulator.plots.robustness import write_robustness_plots
    from simulator.results.layout import ROBUSTNESS
    from simulator.results.store import locked

    found = robustness(args.results, args.lever, args.outcome)
    with locked(args.results):
        write_robustness_plots(args.results, args.results / ROBUSTNESS)
    print_robustness(Console(emoji=False), found)
    return 0


def cmd_discover(args: argparse.Namespace) -> int:
    """``escalation discover``."""
    from rich.console import Console

    from simulator.console import print_discovery
    from simulator.experiment.discover import discover
    from simulator.plots.discovery import write_discovery_plots
    from simulator.results.layout import DISCOVERY
    from simulator.results.store import locked

    threshold = None if args.threshold is None else _number(args.threshold, "--threshold")
    density = None if args.density is None else _share(args.density, "--density")
    found = discover(args.results, args.outcome, threshold, density)
    with locked(args.results):
        write_discovery_plots(args.results, args.results / DISCOVERY)
    print_discovery(Console(emoji=False), found)
    return 0


def _number(text: str, option: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise InputError(f"{option} {text!r}: expected a number.") from None
