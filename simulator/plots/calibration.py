"""PNG figures of a calibration, from the tables in a sweep folder's ``calibration/`` alone.

Reads ``manifest.json`` (for the footer) and the tables ``escalation calibrate`` writes to
``calibration/`` (``points``, ``posterior``, ``statistics``, ``regimes``); no model is run.
Writes:

``posterior_marginals.png``
    per parameter, the accepted points (the posterior sample) against all design points (the
    prior) over the prior range, with the posterior median and 90 % credible interval;
``posterior_pairs.png`` (two or more parameters)
    every pair of parameters: all design points, those history matching does not rule out,
    and those ABC accepted;
``statistics.png``
    per summary statistic, its distribution over all design points and over the accepted ones,
    with the record's value and its ± scale band.
"""

from __future__ import annotations

import datetime as dt
import math
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from simulator.calibration import DEFAULT_CUTOFF
from simulator.progress import SILENT, Progress
from simulator.results.errors import ResultsError
from simulator.results.layout import CALIBRATION
from simulator.results.manifest import read_manifest
from simulator.results.tables import read_table, table_record

from .scores import focus_actor
from .style import (
    FIGSIZE,
    bottom_legend,
    captioned_figure,
    draw_figures,
    fitted_caption,
    fmt_date,
    plain,
    style_axes,
)

__all__ = [
    "CalibrationTables",
    "load_calibration",
    "plot_posterior_marginals",
    "plot_posterior_pairs",
    "plot_statistics",
    "write_calibration_plots",
]

PRIOR_COLOR = "#bdbdbd"
NROY_COLOR = "#4393c3"
ACCEPTED_COLOR = "#d6604d"
RECORD_COLOR = "#111111"
BAND_COLOR = "#fdeba8"
#: a statistic's panel cuts a tail reaching beyond q90 + this × (q90 − q10) of the design points
TAIL_FENCE = 2.0
POINT_COLUMNS = ("accepted", "not_ruled_out")
POSTERIOR_COLUMNS = ("parameter", "prior_low", "prior_high", "q05", "median", "q95")
STATISTIC_COLUMNS = ("statistic", "observed", "scale")
STATISTIC_LABELS = {
    "attacks_per_month": ("Militia attacks a month", "attacks a month (mean over replicates)"),
    "focus_deaths": (
        "{focus} deaths in the calibration part",
        "deaths (mean over replicates)",
    ),
    "extra_state_violence": (
        "State-on-state violence beyond the record's",
        "share of replicates",
    ),
}


class CalibrationTables:
    """The tables of a sweep folder's ``calibration/``, with what the footer says."""

    def __init__(
        self,
        path: Path,
        manifest: dict[str, Any],
        points: pd.DataFrame,
        posterior: pd.DataFrame,
        statistics: pd.DataFrame,
        regimes: pd.DataFrame | None,
        record: dict[str, Any],
    ) -> None:
        self.path = path
        self.manifest = manifest
        self.points = points
        self.posterior = posterior
        self.statistics = statistics
        self.regimes = regimes
        self.record = record

    @property
    def parameters(self) -> list[str]:
        """The calibrated parameters, in the posterior table's order."""
        return [str(p) for p in self.posterior["parameter"]]

    def posterior_rows(self) -> dict[str, dict[str, float]]:
        """Per parameter: prior_low, prior_high, q05, median, q95 (NaN where absent)."""
        keys = ("prior_low", "prior_high", "q05", "median", "q95")
        return {
            str(r["parameter"]): {k: float(r.get(k, math.nan)) for k in keys}
            for r in self.posterior.to_dict("records")
        }

    def accepted(self) -> pd.DataFrame:
        """The design points ABC accepted (the posterior sample)."""
        return self.points[self.points["accepted"].to_numpy(dtype=bool)]

    def caption(self, width_in: float = FIGSIZE[0]) -> str:
        """Footer line: scenario, design, points × replicates, seed, the record's part fitted."""
        m = self.manifest
        r = self.record
        source = f" ({m['scenario_file']})" if m.get("scenario_file") else ""
        design = m.get("design")
        kind = str(m.get("design_label") or "")
        if not kind and isinstance(design, dict) and design.get("kind"):
            kind = f"{design['kind']} design"
        points = f"{len(self.points):,} points \u00d7 {int(m.get('replicates', 0)):,} replicates"
        fitted = ""
        if r.get("calibration_first") and r.get("calibration_last"):
            first = dt.date.fromisoformat(str(r["calibration_first"])[:10])
            last = dt.date.fromisoformat(str(r["calibration_last"])[:10])
            fitted = f"{fmt_date(first)} \u2013 {fmt_date(last)}"
        history = f"record \u201c{r['history']}\u201d" if r.get("history") else "record"
        accept = f"ABC accepts the nearest {float(r['accept']):.0%}" if r.get("accept") else ""

        def parts(keep: int) -> list[str]:  # 0: everything; then no file, no acceptance share
            out = [
                f"Scenario \u201c{m.get('scenario_name', '?')}\u201d{source if keep < 1 else ''}",
                f"{kind}, {points}" if kind else points,
                f"seed {m.get('seed', '?')}",
                f"fitted to the {history}" + (f", {fitted}" if fitted else ""),
            ]
            return out + [accept] if accept and keep < 2 else out

        return fitted_caption(parts, 3, width_in)


def _table(folder: Path, name: str, required: tuple[str, ...]) -> pd.DataFrame:
    return read_table(
        folder / CALIBRATION / f"{name}.parquet",
        required,
        how=(
            f"`escalation calibrate` writes {CALIBRATION}/ into a sweep folder "
            "before its figures can be drawn."
        ),
    )


def load_calibration(folder: Path | str) -> CalibrationTables:
    """Read a sweep folder's calibration tables; ResultsError naming what is missing."""
    path = Path(folder)
    manifest = read_manifest(path, "sweep")
    posterior = _table(path, "posterior", POSTERIOR_COLUMNS)
    params = tuple(str(p) for p in posterior["parameter"])
    points = _table(path, "points", POINT_COLUMNS + params)
    statistics = _table(path, "statistics", STATISTIC_COLUMNS)
    missing = [s for s in statistics["statistic"] if s not in points.columns]
    if missing:
        raise ResultsError(
            f"{path / CALIBRATION / 'points.parquet'}: missing column(s) {', '.join(missing)} "
            "(statistics.parquet names them)."
        )
    regimes_path = path / CALIBRATION / "regimes.parquet"
    regimes = read_table(regimes_path, ("regime", "share")) if regimes_path.is_file() else None
    return CalibrationTables(
        path=path,
        manifest=manifest,
        points=points,
        posterior=posterior,
        statistics=statistics,
        regimes=regimes,
        record=table_record(path / CALIBRATION / "posterior.parquet") or {},
    )


def _wrap_path(name: str, width: int) -> str:
    """A dotted parameter path broken after its dots to fit ``width`` characters a line."""
    if len(name) <= width:
        return name
    pieces = name.replace(".", ".\u200b").split("\u200b")
    lines: list[str] = []
    for piece in pieces:
        if lines and len(lines[-1]) + len(piece) <= width:
            lines[-1] += piece
        else:
            lines.append(piece)
    return "\n".join(textwrap.fill(line, width, break_long_words=False) for line in lines)


def _fmt(value: float) -> str:
    return f"{value:.3g}"


def _grid(n: int, max_cols: int) -> tuple[int, int]:
    cols = min(max_cols, max(n, 1))
    return math.ceil(max(n, 1) / cols), cols


def plot_posterior_marginals(data: CalibrationTables) -> Figure:
    """Per parameter: accepted points against all points over the prior range."""
    params = data.parameters
    nrows, ncols = _grid(len(params), 4)
    figsize = (max(FIGSIZE[0], 3.1 * ncols + 0.6), 2.7 * nrows + 1.9)
    fig = captioned_figure(
        "Posterior of each parameter: the accepted design points against the prior",
        data.caption(figsize[0]),
        figsize,
    )
    axes = fig.subplots(nrows, ncols, squeeze=False)
    accepted = data.accepted()
    n_all = len(data.points)
    bins = _bins(len(accepted))
    post = data.posterior_rows()
    for k, ax in enumerate(axes.flat):
        if k >= len(params):
            ax.axis("off")
            continue
        name = params[k]
        row = post[name]
        low, high = row["prior_low"], row["prior_high"]
        if not high > low:
            high = low + 1.0
        edges = np.linspace(low, high, bins + 1)
        style_axes(ax)
        ax.hist(
            data.points[name].to_numpy(float),
            bins=edges,
            density=True,
            color=PRIOR_COLOR,
            alpha=0.6,
            zorder=1.5,
        )
        values = accepted[name].to_numpy(float)
        if len(values):
            ax.hist(
                values,
                bins=edges,
                density=True,
                color=ACCEPTED_COLOR,
                alpha=0.75,
                edgecolor="white",
                linewidth=0.5,
                zorder=2,
            )
        q05, med, q95 = row["q05"], row["median"], row["q95"]
        ax.axvspan(q05, q95, color=ACCEPTED_COLOR, alpha=0.10, linewidth=0, zorder=1)
        for x, style in ((q05, ":"), (q95, ":"), (med, "-")):
            if math.isfinite(x):
                ax.axvline(x, color="#67001f", linestyle=style, linewidth=1.4, zorder=3)
        ax.set_xlim(low, high)
        share = (q95 - q05) / (high - low) if high > low else math.nan
        sub = f"median {_fmt(med)} \u00b7 90%: {_fmt(q05)}\u2013{_fmt(q95)}"
        if math.isfinite(share):
            sub += f" ({share:.0%} of prior)"
        ax.set_title(plain(f"{_wrap_path(name, 40)}\n{sub}"), fontsize=8.5)
        ax.tick_params(labelsize=7.5)
        ax.set_xlabel("value (axis: the prior range)", fontsize=8)
        if k % ncols == 0:
            ax.set_ylabel("density", fontsize=8)
    bottom_legend(
        fig,
        [
            Patch(color=PRIOR_COLOR, alpha=0.6),
            Patch(color=ACCEPTED_COLOR, alpha=0.75),
            Line2D([], [], color="#67001f", linewidth=1.4),
            Patch(facecolor=ACCEPTED_COLOR, alpha=0.15, edgecolor="#67001f", linestyle=":"),
        ],
        [
            f"prior: all design points (n = {n_all:,})",
            f"posterior: accepted points (n = {len(accepted):,})",
            "posterior median",
            "90% credible interval",
        ],
        ncols=4,
    )
    return fig


# -- pairs --------------------------------------------------------------------------------


def plot_posterior_pairs(data: CalibrationTables) -> Figure:
    """Every pair of parameters: all points, the not-ruled-out ones and the accepted ones."""
    params = data.parameters
    if len(params) < 2:
        raise ResultsError(f"{data.path}: the calibration has one parameter; no pairs to draw.")
    m = len(params) - 1
    side = float(np.clip(10.5 / m, 1.6, 4.0))
    figsize = (max(7.5, side * m + 1.6), side * m + 2.0)
    fig = captioned_figure(
        "Pairs of parameters: where the design points fit the record",
        data.caption(figsize[0]),
        figsize,
    )
    axes = fig.subplots(m, m, squeeze=False)
    pts = data.points
    nroy = pts["not_ruled_out"].to_numpy(dtype=bool)
    acc = pts["accepted"].to_numpy(dtype=bool)
    post = data.posterior_rows()
    small = len(pts) > 400
    width = max(12, int(side * 9))
    for i in range(m):  # row: parameter i + 1 on y
        for j in range(m):  # column: parameter j on x
            ax = axes[i][j]
            if j > i:
                ax.axis("off")
                continue
            px, py = params[j], params[i + 1]
            style_axes(ax)
            x = pts[px].to_numpy(float)
            y = pts[py].to_numpy(float)
            ax.scatter(x, y, s=4 if small else 7, color=PRIOR_COLOR, linewidths=0, zorder=2)
            ax.scatter(x[nroy], y[nroy], s=9, color=NROY_COLOR, linewidths=0, zorder=3)
            ax.scatter(
                x[acc],
                y[acc],
                s=16,
                color=ACCEPTED_COLOR,
                edgecolors="white",
                linewidths=0.4,
                zorder=4,
            )
            ax.set_xlim(post[px]["prior_low"], post[px]["prior_high"])
            ax.set_ylim(post[py]["prior_low"], post[py]["prior_high"])
            ax.tick_params(labelsize=6.5)
            if i == m - 1:
                ax.set_xlabel(plain(_wrap_path(px, width)), fontsize=7.5)
            else:
                ax.tick_params(labelbottom=False)
            if j == 0:
                ax.set_ylabel(plain(_wrap_path(py, width)), fontsize=7.5)
            else:
                ax.tick_params(labelleft=False)
    bottom_legend(
        fig,
        [
            Line2D([], [], marker="o", color=PRIOR_COLOR, linestyle="none"),
            Line2D([], [], marker="o", color=NROY_COLOR, linestyle="none"),
            Line2D([], [], marker="o", color=ACCEPTED_COLOR, linestyle="none"),
        ],
        [
            f"all design points ({len(pts):,})",
            f"not ruled out by history matching: implausibility \u2264 {DEFAULT_CUTOFF:g} "
            f"({int(nroy.sum()):,})",
            f"accepted by ABC rejection: the posterior sample ({int(acc.sum()):,})",
        ],
        ncols=1 if m <= 2 else 3,
        title="Axes span each parameter's prior range",
    )
    return fig


# -- statistics ---------------------------------------------------------------------------


def _statistic_range(
    values: np.ndarray, keep: np.ndarray, obs: float, scale: float
) -> tuple[float, float]:
    """The x range of a statistic's panel.

    It holds the record's band, every accepted point and every other point, unless those have
    a long tail (runaway points far beyond the bulk): the tail is then cut at a fence above the
    bulk and counted in the panel instead.
    """
    finite = values[np.isfinite(values)]
    kept = keep[np.isfinite(keep)]
    lows = [obs - 1.5 * scale]
    highs = [obs + 1.5 * scale]
    if kept.size:
        lows.append(float(kept.min()))
        highs.append(float(kept.max()))
    if finite.size:
        lows.append(float(finite.min()))
        q10, q90 = np.quantile(finite, [0.1, 0.9])
        fence = float(q90 + TAIL_FENCE * (q90 - q10))
        highs.append(min(float(finite.max()), fence) if fence > q90 else float(finite.max()))
    lo, hi = min(lows), max(highs)
    if finite.size and float(finite.min()) >= 0 and lo < 0:
        lo = max(lo, -0.05 * (hi - lo))
    if not hi > lo:
        hi = lo + 1.0
    return lo, hi


def _bins(n_accepted: int) -> int:
    """Bins over a panel: few enough that the accepted points' histogram is not all spikes."""
    return int(np.clip(round(2 * math.sqrt(max(n_accepted, 1))), 6, 20))


def plot_statistics(data: CalibrationTables) -> Figure:
    """Per statistic: its distribution over all and over accepted points, and the record."""
    stats = data.statistics
    focus = focus_actor(data.manifest)
    n = len(stats)
    nrows, ncols = _grid(n, 3)
    figsize = (max(FIGSIZE[0], 3.9 * ncols + 0.6), 3.2 * nrows + 2.0)
    fig = captioned_figure(
        "Summary statistics of the design points against the record",
        data.caption(figsize[0]),
        figsize,
    )
    axes = fig.subplots(nrows, ncols, squeeze=False)
    accepted = data.accepted()
    records = stats.to_dict("records")
    for k, ax in enumerate(axes.flat):
        if k >= n:
            ax.axis("off")
            continue
        row = records[k]
        name = str(row["statistic"])
        obs, scale = float(row["observed"]), float(row["scale"])
        values = data.points[name].to_numpy(float)
        keep = accepted[name].to_numpy(float)
        lo, hi = _statistic_range(values, keep, obs, scale)
        edges = np.linspace(lo, hi, _bins(len(keep)) + 1)
        style_axes(ax)
        ax.axvspan(obs - scale, obs + scale, color=BAND_COLOR, linewidth=0, zorder=0.5)
        inside = values[(values >= lo) & (values <= hi)]
        ax.hist(inside, bins=edges, color=PRIOR_COLOR, alpha=0.7, density=True, zorder=1.5)
        if keep.size:
            ax.hist(
                keep,
                bins=edges,
                color=ACCEPTED_COLOR,
                alpha=0.75,
                density=True,
                edgecolor="white",
                linewidth=0.5,
                zorder=2,
            )
        ax.axvline(obs, color=RECORD_COLOR, linewidth=1.8, zorder=3)
        post_mean = float(row.get("posterior_mean", math.nan))
        if math.isfinite(post_mean):
            ax.axvline(
                post_mean,
                color="#67001f",
                linestyle="--",
                linewidth=1.3,
                zorder=3,
            )
        ax.set_xlim(lo, hi)
        beyond = values[values > hi]
        if beyond.size:
            ax.text(
                0.98,
                0.97,
                f"{beyond.size:,} point{'s' if beyond.size != 1 else ''} beyond \u2192\n"
                f"(up to {_fmt(float(beyond.max()))})",
                transform=ax.transAxes,
                ha="right",
                va="top",
                fontsize=7.5,
                color="#555555",
            )
        title, unit = STATISTIC_LABELS.get(name, (name, name))
        sub = f"record {_fmt(obs)} \u00b1 {_fmt(scale)}"
        ax.set_title(plain(f"{title.format(focus=focus)}\n{sub}"), fontsize=9.5)
        ax.set_xlabel(plain(unit), fontsize=8.5)
        ax.tick_params(labelsize=7.5)
        if k % ncols == 0:
            ax.set_ylabel("density over design points", fontsize=8.5)
    title = ""
    if data.regimes is not None and len(data.regimes):
        shares = ", ".join(
            f"{r['regime']} {float(r['share']):.0%}" for r in data.regimes.to_dict("records")
        )
        title = f"Accepted points' replicates by regime: {shares}"
    bottom_legend(
        fig,
        [
            Patch(color=PRIOR_COLOR, alpha=0.7),
            Patch(color=ACCEPTED_COLOR, alpha=0.75),
            Line2D([], [], color=RECORD_COLOR, linewidth=1.8),
            Patch(color=BAND_COLOR),
            Line2D([], [], color="#67001f", linestyle="--", linewidth=1.3),
        ],
        [
            f"all design points ({len(data.points):,})",
            f"accepted points ({len(accepted):,})",
            "the record",
            "\u00b1 scale: the record's uncertainty",
            "posterior mean",
        ],
        ncols=5,
        title=title,
    )
    return fig


# -- all figures --------------------------------------------------------------------------


def calibration_figures(data: CalibrationTables) -> list[tuple[str, Callable[[], Figure]]]:
    """The figures of a calibration as (file name, builder); pairs need two parameters."""
    figures: list[tuple[str, Callable[[], Figure]]] = [
        ("posterior_marginals.png", lambda: plot_posterior_marginals(data)),
    ]
    if len(data.parameters) >= 2:
        figures.append(("posterior_pairs.png", lambda: plot_posterior_pairs(data)))
    figures.append(("statistics.png", lambda: plot_statistics(data)))
    return figures


def write_calibration_plots(folder: Path, out: Path, progress: Progress = SILENT) -> list[Path]:
    """Draw a calibration's figures into ``out``; return the written paths.

    ``folder`` is the sweep folder whose ``calibration/`` holds the tables. Raises ResultsError
    when a table is missing or lacks a column the figures need.
    """
    data = load_calibration(folder)
    return draw_figures(calibration_figures(data), out, progress)
