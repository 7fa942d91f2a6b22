"""What the ``escalation`` command shows: progress, tables, reports and hints (with ``rich``).

The library reports progress through :class:`simulator.progress.Progress`; this module shows it
as a bar when standard error is a terminal, and as a line every :data:`LINE_INTERVAL` seconds
when it is a pipe or a log (nothing for work shorter than that). Everything else here formats
what the library returns: run summaries, sweep reports, analysis tables, traces, next steps.
"""

from __future__ import annotations

import contextlib
import math
import shlex
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO, cast

import numpy as np
import pandas as pd
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.progress import Progress as RichProgress
from rich.table import Table

from simulator.progress import SILENT, Progress
from simulator.results.layout import ANALYSIS
from simulator.results.reader import RunResults, SweepResults
from simulator.results.summary import summarize

if TYPE_CHECKING:
    from simulator.experiment.analysis import SweepAnalysis
    from simulator.experiment.calibrate import Calibration
    from simulator.experiment.compare import Comparison
    from simulator.experiment.discover import Discovery
    from simulator.experiment.replay import Trace
    from simulator.experiment.robustness import Robustness
    from simulator.experiment.score import Scores
    from simulator.experiment.sweep import SweepReport

#: seconds between progress lines when standard error is not a terminal
LINE_INTERVAL = 10.0
#: perceived hostility below this is not worth a line in a trace
NOTABLE = 0.05


# -- progress ---------------------------------------------------------------------------------
class BarProgress:
    """Progress as a ``rich`` bar on a terminal, one bar per phase; notes printed above it."""

    def __init__(self, console: Console):
        self._bar = RichProgress(
            TextColumn("[progress.description]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=console,
            transient=True,
        )
        self._task: TaskID | None = None

    def __enter__(self) -> BarProgress:
        self._bar.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._bar.stop()

    def phase(self, name: str, total: float, unit: str) -> None:
        if self._task is not None:
            self._bar.remove_task(self._task)
        self._task = self._bar.add_task(f"{name} ({unit})", total=total)

    def advance(self, amount: float = 1.0) -> None:
        if self._task is not None:
            self._bar.advance(self._task, amount)

    def note(self, message: str) -> None:
        self._bar.console.print(f"[yellow]note:[/] {escape(message)}", highlight=False)


class LineProgress:
    """Progress as a line every ``interval`` seconds (for logs and pipes); notes at once.

    Nothing is printed for work that ends within ``interval``; once a job has run that long,
    each new phase is announced too (so a long run says when it starts drawing figures).
    """

    def __init__(
        self,
        stream: TextIO | None = None,
        interval: float = LINE_INTERVAL,
        clock: Callable[[], float] = time.monotonic,
    ):
        self._stream = stream
        self._interval = interval
        self._clock = clock
        self._started = self._last = clock()
        self._phase, self._total, self._unit, self._done = "", 0.0, "", 0.0
        self._phase_started = self._started

    def phase(self, name: str, total: float, unit: str) -> None:
        self._phase, self._total, self._unit, self._done = name, float(total), unit, 0.0
        now = self._clock()
        self._phase_started = now
        if now - self._started >= self._interval:
            self._line(now)

    def advance(self, amount: float = 1.0) -> None:
        self._done += amount
        now = self._clock()
        if now - self._last >= self._interval:
            self._line(now)

    def note(self, message: str) -> None:
        print(f"note: {message}", file=self._stream or sys.stderr, flush=True)

    def _line(self, now: float) -> None:
        self._last = now
        share = self._done / self._total if self._total else 0.0
        text = (
            f"{self._phase}: {share:.0%} ({self._done:,.0f} of {self._total:,.0f} {self._unit}), "
            f"{_duration(now - self._started)} elapsed"
        )
        spent = now - self._phase_started
        if 0 < share < 1 and spent > 0:
            text += f", about {_duration(spent * (1 - share) / share)} left in this phase"
        print(text, file=self._stream or sys.stderr, flush=True)


@contextlib.contextmanager
def progress_display(quiet: bool = False) -> Iterator[Progress]:
    """The progress display for this process: a bar on a terminal, else lines; none if quiet."""
    if quiet:
        yield SILENT
        return
    err = Console(stderr=True, emoji=False)
    if err.is_terminal:
        with BarProgress(err) as bar:
            yield bar
    else:
        yield LineProgress()


def _duration(seconds: float) -> str:
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {seconds:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


# -- runs -------------------------------------------------------------------------------------
def print_summary(console: Console, results: RunResults) -> None:
    """The summary table of a stored run: outcome probabilities, then a few key figures."""
    summary = summarize(results.manifest, results.runs)
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


def print_written(console: Console, label: str, folder: Path | str, contents: str) -> None:
    """Where a command wrote, as one line: ``label: folder/ (contents)``.

    The line is never folded at the console's width, so the folder stays one path a user can
    copy from a log; and it is printed as text, so brackets in a folder's name are no markup.
    """
    console.print(f"{label}: {escape(str(folder))}/ ({escape(contents)})", soft_wrap=True)


def print_next_steps(console: Console, commands: list[str]) -> None:
    """A short "next:" block of commands to try, with real paths filled in."""
    console.print("next:", style="bold", highlight=False)
    for command in commands:
        console.print(f"  {command}", highlight=False, soft_wrap=True)


def run_next_steps(folder: Path, scenario_file: Path) -> list[str]:
    """What to do after a run: read it, replay a replicate, redraw it, report it, sweep it."""
    q, s = shlex.quote(str(folder)), shlex.quote(str(scenario_file))
    return [
        f"escalation summary {q}",
        f"escalation trace {q} --replicate 0",
        f"escalation plot {q}",
        f"escalation report {q}",
        f"escalation sweep {s} --param PATH=lo:hi:n --out {shlex.quote(str(folder) + '-sweep')}",
    ]


def sweep_next_steps(folder: Path) -> list[str]:
    """What to do after a sweep: analyze it, draw it, report it."""
    q = shlex.quote(str(folder))
    return [f"escalation analyze {q}", f"escalation plot {q}", f"escalation report {q}"]


# -- sweeps -----------------------------------------------------------------------------------
def print_sweep_report(console: Console, report: SweepReport) -> None:
    """One line on what ran where, then what was re-run because its stored chunk was bad."""
    plan = report.plan
    console.print(
        f"{len(plan.matrix):,} design points × {plan.replicates:,} replicates on "
        f"{report.executor}: {report.ran} units run now, {report.stored} already done, "
        f"{len(report.failures)} failed.",
        highlight=False,
    )
    if report.rerun:
        console.print(
            f"{len(report.rerun)} stored units failed verification and were run again "
            f"(first: unit {report.rerun[0].unit}, {report.rerun[0].reason}).",
            highlight=False,
        )


def failure_summary(report: SweepReport) -> str:
    """A paragraph on the units that failed: how many, which points, the errors, what to do."""
    by_error: dict[str, list[dict[str, Any]]] = {}
    for record in report.failures:
        by_error.setdefault(str(record.get("error")), []).append(record)
    points = sorted({p for r in report.failures for p in r.get("points", [])})
    shown = ", ".join(str(p) for p in points[:10]) + (" …" if len(points) > 10 else "")
    errors = "; ".join(
        f"{error} ({len(records)} unit{'s' if len(records) > 1 else ''})"
        for error, records in sorted(by_error.items(), key=lambda kv: -len(kv[1]))[:3]
    )
    folder = report.folder
    return (
        f"{len(report.failures)} of {report.plan.unit_count} units failed (design points "
        f"{shown}): {errors}. The records, with tracebacks, are in {folder / 'failures'}/; the "
        f"points table leaves those points incomplete. Retry them with `escalation sweep "
        f"--resume {folder}`."
    )


# -- sweep analysis ---------------------------------------------------------------------------
#: outputs shown first when printing sensitivity indices (all are stored)
PRINTED_OUTPUTS = ("p_clash_or_war", "p_war", "p_proxy_violence", "mean_casualties")
SOBOL_NOTE = (
    "S1: share of an output's variance due to the parameter alone; ST: including its "
    "interactions (± 95% bootstrap half-width). Monte Carlo noise from the finite replicates per "
    "point inflates ST and widens the intervals; when it is a large share, add replicates."
)
MORRIS_NOTE = (
    "Elementary effects per full parameter range. μ*: mean absolute effect (importance); μ: mean "
    "signed effect; σ: spread of the effects (interactions or non-linearity)."
)


def _pct(p: float) -> str:
    if not math.isfinite(p):
        return "–"
    return f"{100 * p:.2f}%" if 0 < p < 0.001 else f"{100 * p:.1f}%"


def _num(x: float) -> str:
    """Three significant digits without switching to exponent notation."""
    if not math.isfinite(x):
        return "–"
    if abs(x) >= 100:
        return f"{x:,.0f}"
    return f"{x:.1f}" if abs(x) >= 10 else f"{x:.2f}"


def _index(x: float, conf: float) -> str:
    if not math.isfinite(x):
        return "–"
    return f"{x:+.2f}" + (f" ± {conf:.2f}" if math.isfinite(conf) else "")


MARGINAL_COLUMNS = (
    ("clash_or_war", "clash/war"),
    ("war", "war"),
    ("proxy_violence", "lethal proxy"),
    ("de_escalated", "de-escalated"),
)


def marginal_table(marginals: pd.DataFrame, param: str) -> Table:
    """One parameter's pooled outcome shares (from :func:`outcome_marginals`) as a table."""
    rows = marginals[marginals["parameter"] == param]
    binned = (rows["grouping"] == "bin").any()
    table = _titled(f"Along {param}" + (" (equal-count bins)" if binned else ""))
    table.add_column("range" if binned else "value", justify="right", no_wrap=True)
    shown = [(o, label) for o, label in MARGINAL_COLUMNS if (rows["outcome"] == o).any()]
    for _, label in shown:
        table.add_column(label, justify="right", no_wrap=True)
    table.add_column("n", justify="right", style="dim", no_wrap=True)
    for _, group in rows.groupby("bin", sort=True):
        first = group.iloc[0]
        if binned:
            key = f"{first['bin_low']:.3g}–{first['bin_high']:.3g}"
        else:
            key = f"{first['value']:.4g}"
        cells = []
        for outcome, _ in shown:
            r = group[group["outcome"] == outcome].iloc[0]
            cells.append(f"{_pct(r['p'])}\n[dim]{100 * r['low']:.1f}–{100 * r['high']:.1f}[/]")
        table.add_row(key, *cells, f"{int(first['n']):,}")
    return table


def _printed_outputs(indices: pd.DataFrame) -> list[str]:
    """The outputs of a table of indices to print: the preferred ones, else all of them."""
    shown = [o for o in PRINTED_OUTPUTS if (indices["output"] == o).any()]
    return shown or list(dict.fromkeys(indices["output"]))


def _titled(title: str, caption: str | None = None) -> Table:
    return Table(
        title=title,
        title_justify="left",
        title_style="bold",
        caption=caption,
        caption_justify="left",
    )


def _sobol_tables(sobol: pd.DataFrame, results: SweepResults) -> list[Table]:
    tables = []
    for output in _printed_outputs(sobol):
        rows = sobol[sobol["output"] == output].sort_values("ST", ascending=False)
        noise = float(rows["noise_share"].iloc[0])
        caption = None
        if rows["ST"].isna().all():
            caption = "constant over the design: no variance to apportion"
        elif math.isfinite(noise):
            caption = f"Monte Carlo noise: ≤ {_pct(noise)} of the variance"
        table = _titled(f"Sobol indices of {results.output_label(output)}", caption)
        table.add_column("parameter", no_wrap=True)
        table.add_column("S1 ± 95%", justify="right", no_wrap=True)
        table.add_column("ST ± 95%", justify="right", no_wrap=True)
        for _, r in rows.iterrows():
            table.add_row(
                r["parameter"], _index(r["S1"], r["S1_conf"]), _index(r["ST"], r["ST_conf"])
            )
        tables.append(table)
    return tables


def _s2_tables(s2: pd.DataFrame, results: SweepResults) -> list[Table]:
    table = _titled("Second-order Sobol indices S2")
    table.add_column("output")
    table.add_column("parameters")
    table.add_column("S2", justify="right")
    for output in _printed_outputs(s2):
        rows = s2[s2["output"] == output]
        for i, (_, r) in enumerate(rows.iterrows()):
            table.add_row(
                results.output_label(output) if i == 0 else "",
                f"{r['parameter_1']} × {r['parameter_2']}",
                _index(r["S2"], r["S2_conf"]),
            )
        table.add_section()
    return [table]


def _morris_tables(morris: pd.DataFrame, results: SweepResults) -> list[Table]:
    tables = []
    for output in _printed_outputs(morris):
        percent = output.startswith("p_")
        scale = 100.0 if percent else 1.0
        rows = morris[morris["output"] == output].sort_values("mu_star", ascending=False)
        unit = " (points of %)" if percent else ""
        table = _titled(f"Morris effects on {results.output_label(output)}{unit}")
        table.add_column("parameter", no_wrap=True)
        table.add_column("μ*", justify="right", no_wrap=True)
        table.add_column("± 95%", justify="right", style="dim", no_wrap=True)
        table.add_column("μ", justify="right", no_wrap=True)
        table.add_column("σ", justify="right", no_wrap=True)
        for _, r in rows.iterrows():
            table.add_row(
                r["parameter"],
                _num(scale * r["mu_star"]),
                _num(scale * r["mu_star_conf"]),
                _num(scale * r["mu"]),
                _num(scale * r["sigma"]),
            )
        tables.append(table)
    return tables


def print_analysis(console: Console, analysis: SweepAnalysis) -> None:
    """Print the analysis as rich tables, then where its files were written."""
    results = analysis.results
    m = results.manifest
    console.print(
        f"[bold]Sweep {escape(str(results.path))}[/]: scenario “{escape(m['scenario_name'])}”, "
        f"{results.design_label()} over {len(results.parameters)} parameter(s), "
        f"{int(m['points']):,} points × {results.replicates:,} replicates, seed {m['seed']}.",
        highlight=False,
    )
    for note in analysis.warnings:
        console.print(f"[yellow]warning:[/] {escape(note)}", highlight=False)
    console.print(
        "Outcome shares (% of replicates) along each parameter, pooled over the other "
        "parameters, with the 95% Wilson interval under each share (n: replicates pooled). "
        "[dim]Every point reuses the "
        "same replicate seeds, so pooled replicates are not independent: read the intervals as "
        "indicative.[/]",
        highlight=False,
    )
    marginals = results.marginals
    if marginals is not None:
        for param in results.parameters:
            console.print(marginal_table(marginals, param))
    sections = (  # (stored indices, their tables, what they mean)
        (results.sobol, _sobol_tables, SOBOL_NOTE),
        (results.sobol_s2, _s2_tables, ""),
        (results.morris, _morris_tables, MORRIS_NOTE),
    )
    for indices, tables, note in sections:
        if indices is None or not len(indices):
            continue
        for table in tables(indices, results):
            console.print(table)
        if note:
            console.print(f"[dim]{escape(note)}[/]")
    names = sorted({p.stem for p in analysis.files})
    console.print(
        f"Analysis: {results.path / ANALYSIS}/ ({', '.join(f'{n}.parquet/.csv' for n in names)})",
        highlight=False,
    )


# -- traces ---------------------------------------------------------------------------------
def format_trace(trace: Trace, quiet_days: bool = False) -> list[str]:
    """Human-readable lines of a replayed replicate, one block per day.

    Each block has the moves with the desire and belief behind each, the readings, losses, red
    lines, promises kept or lapsed and wars.
    """
    lines = [
        f"Scenario {trace.scenario_name}, replicate {trace.replicate}",
        "Each move shows the mover's desired level x* (the ladder's scale: 0 status quo, 0.25 a "
        "show of force, 0.6 harassment, 1 major strikes) and its belief P(target hostile).",
    ]
    for day in trace.days:
        active = [m for m in day["moves"] if m["rung"] != "status_quo"]
        notable = [p for p in day["perceptions"] if abs(p["hostility"]) >= NOTABLE]
        kept, lapsed = day.get("promises_kept", []), day.get("promises_lapsed", [])
        changed = day["events"] or day["losses"] or day["red_lines"] or kept or lapsed
        if not (active or changed or quiet_days):
            continue
        lines.append(
            f"\n{day['date']} (day {day['day']}) · escalation index {day['escalation']:.1f}"
        )
        lines += [f"  event: {label}" for label in day["events"]]
        for m in active:
            hit = ""
            if m["casualties_caused"]:
                hit = f" — {m['casualties_caused']} casualties, {m.get('deaths_caused', 0)} killed"
            forced = " [forced]" if m.get("forced") else ""
            why = ""
            if "desire" in m and "p_hostile" in m:
                why = f"  (x* {m['desire']:+.2f}, P(hostile) {m['p_hostile']:.2f})"
            lines.append(f"  {m['actor']}: {m['label']} → {m['target']}{forced}{hit}{why}")
        quiet = [m["actor"] for m in day["moves"] if m["rung"] == "status_quo"]
        if quiet:
            lines.append(f"  status quo: {', '.join(quiet)}")
        for p in notable:
            blame = f", blamed on {p['blamed']}" if p["blamed"] != p["actor"] else ""
            lines.append(
                f"  {p['observer']} reads {p['actor']}'s move as hostility {p['hostility']:+.2f}"
                f"{blame}"
            )
        for actor, lost in day["losses"].items():
            if isinstance(lost, dict):
                lines.append(f"  losses: {actor} {lost['casualties']} ({lost['deaths']} killed)")
            else:
                lines.append(f"  losses: {actor} {lost}")
        for red in day["red_lines"]:
            lines.append(
                f"  RED LINE: {red['actor']} committed to {red['response']} "
                f"against {red['against']}"
            )
        lines += [f"  promise kept: {name}" for name in kept]
        lines += [f"  promise lapsed: {name} (credibility lost)" for name in lapsed]
        if day.get("at_war"):
            lines.append(f"  at war: {', '.join(day['at_war'])}")
    lines.append(f"\nOutcome: {trace.outcome_labels.get(trace.outcome, trace.outcome)}")
    if trace.outcome != trace.stored_outcome:
        lines.append(
            f"WARNING: the stored run recorded '{trace.stored_outcome}' for this replicate; the "
            "results folder was made by a different version of the model."
        )
    return lines


# -- scores against the record ---------------------------------------------------------------
#: the scores printed, with short labels (all: lower is better)
PRINTED_SCORES = (
    ("rps", "RPS, class"),
    ("brier_state_violence", "Brier, state violence"),
    ("brier_deaths_any", "Brier, US death"),
    ("brier_attacks_at_least", "Brier, ≥ k attacks"),
    ("crps_attacks", "CRPS, attacks"),
    ("log_attacks", "log, attacks"),
)
_PART_LABELS = {
    "calibration": "calibration part",
    "held_out": "held-out part",
    "whole_record": "whole record",
}


def _skill_cell(x: float) -> str:
    if not math.isfinite(x):
        return "–"
    colour = "green" if x > 0 else "red" if x < 0 else "default"
    return f"[{colour}]{'< −10' if x < -10 else f'{x:+.2f}'}[/]"


def _days(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"


def print_scores(console: Console, scores: Scores) -> None:
    """The skill of the model against the references, per part of the record and lead."""
    for note in scores.notes:
        console.print(f"[dim]note: {escape(note)}[/]", soft_wrap=True)
    t = scores.transient
    if len(t):
        kept = t.iloc[int(np.argmin(t["kept"].to_numpy()))]
        console.print(
            "Replicates whose spin-up agrees with the record (no state-on-state violence of "
            f"their own before the origin): {_pct(float(t['kept'].min()))} to "
            f"{_pct(float(t['kept'].max()))} (fewest at {kept['origin']})",
            soft_wrap=True,
        )
    if len(t):
        worst = t.iloc[int(np.argmax(t["attacks_difference"].abs().to_numpy()))]
        console.print(
            "Start-up transient (a cold start at each origin vs the spun-up world): mean "
            f"|Δ attacks| {t['attacks_difference'].abs().mean():.2f}, largest "
            f"{worst['attacks_difference']:+.2f} at {worst['origin']} ({int(worst['lead'])} d); "
            f"largest |Δ P(state violence)| "
            f"{t['p_state_violence_difference'].abs().max():.1%}.",
            soft_wrap=True,
        )
    for part, group in scores.skill.groupby("part", sort=True):
        counts = group.drop_duplicates("lead")
        windows = ", ".join(
            f"{w} at {lead} d" for lead, w in zip(counts["lead"], counts["windows"], strict=True)
        )
        table = _titled(
            f"Scores, {_PART_LABELS.get(str(part), str(part))} ({windows} windows)",
            "Mean score of the model (lower is better); skill = 1 − model / reference, > 0 "
            "when the model beats the reference. Cold: skill of the model started cold at "
            "each origin, vs climatology.",
        )
        table.add_column("score", no_wrap=True)
        for name in ("lead", "model", "vs clim.", "vs pers.", "cold"):
            table.add_column(name, justify="right", no_wrap=True)
        for metric, label in PRINTED_SCORES:
            for _, r in group[group["score"] == metric].sort_values("lead").iterrows():
                table.add_row(
                    label,
                    f"{int(r['lead'])} d",
                    _num(float(r["model"])),
                    _skill_cell(float(r["skill_vs_climatology"])),
                    _skill_cell(float(r["skill_vs_persistence"])),
                    _skill_cell(float(r["skill_cold_vs_climatology"])),
                )
        console.print(table)
    for lag in scores.lags.to_dict("records"):
        attacks, mean = int(lag["model_attacks"]), float(lag["mean_lag"])
        model = (
            f"the model answered {_pct(float(lag['answered']))} of its {attacks} such attacks"
            if attacks
            else "the model had no such attack"
        )
        if attacks and math.isfinite(mean):
            model += (
                f", after {_num(mean)} days on average (CRPS {_num(float(lag['crps']))}, "
                f"PIT {_num(float(lag['pit']))})"
            )
        console.print(
            f"Response lag: {lag['victim']} answered the lethal attack of {lag['date']} after "
            f"{_days(int(lag['observed_lag']))}; {model}.",
            soft_wrap=True,
        )
    cov = scores.coverage[scores.coverage["forecaster"] == "model"]
    for _, r in cov.iterrows():
        console.print(
            f"Militia attacks inside the model's 50 % / 90 % intervals, {int(r['lead'])}-day "
            f"windows, {_PART_LABELS.get(str(r['part']), '')}: {_pct(float(r['in50_attacks']))}"
            f" / {_pct(float(r['in90_attacks']))} of {int(r['windows'])} windows",
            soft_wrap=True,
        )


def print_calibration(console: Console, found: Calibration) -> None:
    """The posterior of a calibration: per parameter, per statistic, regimes, the new file."""
    table = _titled(
        "Posterior (ABC rejection)",
        "Median and 90 % credible interval of the accepted points; width: the interval's share "
        "of the prior range (near 100 %: the record does not constrain the parameter).",
    )
    for name in ("parameter", "prior", "median", "90 % interval", "width"):
        table.add_column(
            name, justify="left" if name == "parameter" else "right", no_wrap=name != "parameter"
        )
    for r in found.summary.itertuples():
        table.add_row(
            str(r.parameter),
            f"{r.prior_low:.3g} – {r.prior_high:.3g}",
            f"{r.median:.3g}",
            f"{r.q05:.3g} – {r.q95:.3g}",
            _pct(float(cast(float, r.width_share))),
        )
    console.print(table)
    stats = _titled("Summary statistics: the record and the model")
    for name in ("statistic", "record", "± scale", "prior mean", "posterior mean"):
        stats.add_column(name, justify="left" if name == "statistic" else "right", no_wrap=True)
    accepted = found.points[found.points["accepted"]]
    prior = found.points
    for s in found.statistics:
        stats.add_row(
            s.name,
            _num(s.observed),
            _num(s.scale),
            _num(float(prior[s.name].mean())),
            _num(float(accepted[s.name].mean())),
        )
    console.print(stats)
    console.print(
        f"Accepted {len(accepted)} of {len(prior)} design points "
        f"(ε = {found.posterior.epsilon:.3g}); not ruled out by history matching "
        f"(implausibility ≤ 3): {_pct(found.not_ruled_out)}.",
        soft_wrap=True,
    )
    console.print(
        "Replicates of the posterior in each regime: "
        + ", ".join(f"{k} {_pct(v)}" for k, v in found.regimes.items()),
        soft_wrap=True,
    )
    console.print(f"Calibrated scenario: {found.calibrated_file}", soft_wrap=True)


def _pp(x: float) -> str:
    """A difference of probabilities in percentage points, signed."""
    return f"{100 * x:+.2f}".replace("-", "−")


def _g(x: float) -> str:
    return f"{x:+.2g}".replace("-", "−")


#: outcome classes (and their union) in the comparison's narrow columns
SHORT_CLASS = {
    "war": "war",
    "direct_clash": "clash",
    "proxy_violence": "proxy",
    "contained": "contained",
    "de_escalated": "de-esc.",
    "clash_or_war": "clash|war",
}


def print_comparison(console: Console, done: Comparison, list_changed: bool = False) -> None:
    """The paired differences of a comparison: outcomes, transitions, metrics, changed ones."""
    arms = done.manifest["arms"]
    console.print(f"A: {escape(arms[0]['label'])}\nB: {escape(arms[1]['label'])}", soft_wrap=True)
    out = done.tables["outcomes"]
    table = _titled(
        f"Change from A to B, {done.manifest['replicates']:,} paired replicates",
        "ΔP = P(B) − P(A) in percentage points, with 95 % intervals: paired (Newcombe 1998, "
        "common random numbers) and, for the same work without pairing, unpaired; ratio: the "
        "paired width over the unpaired; p: McNemar's exact two-sided test.",
    )
    for name in ("outcome", "A → B, %", "ΔP", "paired", "unpaired", "ratio", "p"):
        table.add_column(name, justify="left" if name == "outcome" else "right", no_wrap=True)
    for r in out[out["scope"] == "overall"].to_dict("records"):
        ratio = float(r["width_ratio"])
        table.add_row(
            SHORT_CLASS.get(str(r["outcome"]), str(r["outcome"])),
            f"{100 * float(r['p_a']):.1f} → {100 * float(r['p_b']):.1f}",
            _pp(float(r["delta"])),
            f"{_pp(float(r['low']))}…{_pp(float(r['high']))}",
            f"{_pp(float(r['unpaired_low']))}…{_pp(float(r['unpaired_high']))}",
            f"{ratio:.2f}" if math.isfinite(ratio) else "–",
            f"{float(r['mcnemar_p']):.2g}",
        )
    console.print(table)
    tr = done.tables["transitions"].set_index("a")
    moves = _titled("Replicates by class under A (rows) and under B (columns)")
    moves.add_column("A \\ B", no_wrap=True)
    for c in tr.columns:
        moves.add_column(SHORT_CLASS.get(str(c), str(c)), justify="right", no_wrap=True)
    for label, row in zip(tr.index, tr.to_numpy(), strict=True):
        moves.add_row(SHORT_CLASS.get(str(label), str(label)), *(f"{int(v):,}" for v in row))
    console.print(moves)
    metrics = _titled(
        "Mean differences B − A: paired 95 % interval, and unpaired for the same work"
    )
    for name in ("metric", "A → B", "Δ", "paired", "unpaired"):
        metrics.add_column(name, justify="left" if name == "metric" else "right", no_wrap=True)
    for r in done.tables["metrics"].to_dict("records"):
        metrics.add_row(
            str(r["metric"]),
            f"{_num(float(r['mean_a']))} → {_num(float(r['mean_b']))}",
            _g(float(r["delta"])),
            f"{_g(float(r['low']))}…{_g(float(r['high']))}",
            f"{_g(float(r['unpaired_low']))}…{_g(float(r['unpaired_high']))}",
        )
    console.print(metrics)
    changed = done.tables["changed"]
    folder = done.folder
    console.print(
        f"{len(changed):,} replicates changed class; replay one in each arm with "
        f"`escalation trace {folder}/a --replicate K` and `… {folder}/b --replicate K`"
        + ("." if list_changed or not len(changed) else " (--list-changed lists them)."),
        soft_wrap=True,
    )
    if list_changed:
        for r in changed.to_dict("records"):
            console.print(
                f"  {int(r['replicate'])}: {r['outcome_a']} → {r['outcome_b']}   "
                f"escalation trace {folder}/b --replicate {int(r['replicate'])}",
                soft_wrap=True,
            )
    print_written(
        console, "Comparison", folder, "a/, b/, outcomes, transitions, daily, metrics, changed"
    )


def print_robustness(console: Console, found: Robustness) -> None:
    """Lever settings ranked by their worst regret across the uncertainties."""
    better = "higher" if found.higher_is_better else "lower"
    table = _titled(
        f"P({found.outcome.replace('_', ' ')}) by lever setting, across "
        f"{int(found.summary['uncertainty_points'].iloc[0])} uncertainty points ({better} is "
        "better)",
        "Regret: how much worse than the best setting at the same uncertainty point; ranked by "
        f"the worst regret. Levers: {', '.join(found.levers)}. Uncertainties: "
        f"{', '.join(found.uncertainties)}.",
    )
    for lever in found.levers:
        table.add_column(
            lever.rsplit(".", 2)[-2] + "." + lever.rsplit(".", 1)[-1]
            if lever.count(".") > 1
            else lever,
            justify="right",
            no_wrap=True,
        )
    for name in ("mean", "worst", "mean regret", "max regret", "best at"):
        table.add_column(name, justify="right", no_wrap=True)
    for r in found.summary.to_dict("records"):
        table.add_row(
            *(f"{float(r[lever]):.4g}" for lever in found.levers),
            _pct(float(r["mean"])),
            _pct(float(r["worst"])),
            _pct(float(r["mean_regret"])),
            _pct(float(r["max_regret"])),
            _pct(float(r["best_share"])),
        )
    console.print(table)
    print_written(
        console, "Tables and figure", f"{found.folder}/robustness", "summary, regret, regret.png"
    )


def print_discovery(console: Console, found: Discovery) -> None:
    """The chosen PRIM box, the peeling trajectory in brief, CART's best leaf, feature scores."""
    console.print(
        f"Points of interest: {found.interesting} of {found.points} design points have "
        f"{found.column} ≥ {found.threshold:.4g}.",
        soft_wrap=True,
    )
    box = found.box
    table = _titled(
        f"PRIM box: coverage {_pct(box.coverage)}, density {_pct(box.density)}, mass "
        f"{_pct(box.mass)} ({box.n} points)",
        "Coverage: share of the points of interest inside the box; density: share of the box's "
        "points that are of interest. quasi-p: how likely the restriction's gain in density is "
        "by chance (small: the restriction matters).",
    )
    for name in ("parameter", "low", "high", "quasi-p"):
        table.add_column(name, justify="left" if name == "parameter" else "right", no_wrap=True)
    limits = box.limits
    for parameter in limits.index:
        if not bool(limits.loc[parameter, "restricted"]):
            continue
        p = box.quasi_p.get(str(parameter), math.nan)
        table.add_row(
            str(parameter),
            f"{float(limits.loc[parameter, 'low']):.4g}",
            f"{float(limits.loc[parameter, 'high']):.4g}",
            f"{p:.2g}" if math.isfinite(p) else "–",
        )
    console.print(table)
    steps = found.trajectory.steps
    cover, dense = steps["coverage"].to_numpy(float), steps["density"].to_numpy(float)
    console.print(
        f"Peeling trajectory: {len(steps)} steps, from coverage {_pct(cover[0])} / density "
        f"{_pct(dense[0])} to {_pct(cover[-1])} / {_pct(dense[-1])}.",
        soft_wrap=True,
    )
    if len(found.cart):
        leaf = found.cart.iloc[0]
        console.print(
            f"CART's densest leaf: density {_pct(float(leaf['density']))}, coverage "
            f"{_pct(float(leaf['coverage']))} ({int(leaf['n'])} points).",
            soft_wrap=True,
        )
    scores = ", ".join(f"{k} {v:.2f}" for k, v in found.features.items())
    console.print(f"Feature scores (extra trees): {scores}", soft_wrap=True)
    console.print(
        f"Tables and figures: {found.folder}/discovery/ (trajectory, box, cart, features; "
        "peeling_trajectory.png, box_limits.png, feature_scores.png)",
        soft_wrap=True,
    )
