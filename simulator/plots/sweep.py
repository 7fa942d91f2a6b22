"""PNG figures of a stored parameter sweep, from its files alone (no model is run).

Reads ``manifest.json``, ``points.parquet`` and the tables ``escalation analyze`` wrote to
``analysis/`` (``marginals``, ``sobol``, ``morris``) through :func:`results.reader.load_sweep`,
and writes:

``outcome_vs_<parameter>.png``
    probability of each outcome class (and of a direct clash or war) along each parameter,
    pooled over the others, with 95 % Wilson bands;
``heatmap.png`` (two or more parameters)
    P(direct clash or war) over the first two parameters: annotated cells for grids (and for
    designs whose two parameters take few values, such as Morris), else a scatter of the points;
``sobol.png`` (Sobol designs)
    S1 and ST with 95 % confidence bars for P(clash or war) and P(de-escalated);
``morris.png`` (Morris designs)
    μ* with 95 % confidence bars, and the μ*–σ plane, for P(clash or war).
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.artist import Artist
from matplotlib.collections import Collection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, PercentFormatter

from simulator.progress import SILENT, Progress
from simulator.results.errors import ResultsError
from simulator.results.layout import ANALYSIS, PLOTS
from simulator.results.manifest import CLASH_OR_WAR
from simulator.results.reader import SweepResults, load_sweep

from .style import captioned_figure, plain, save, severity_colors, side_legend, style_axes

__all__ = [
    "plot_heatmap",
    "plot_morris",
    "plot_outcome_vs",
    "plot_filename",
    "plot_sobol",
    "sobol_panels",
    "write_sweep_plots",
]

CLASH_COLOR = "#222222"
HEAT_CMAP = "YlOrRd"
S1_COLOR, ST_COLOR = "#9ecae1", "#2171b5"
#: the Sobol figure's panels: the first output, then the first of the others that varies
SOBOL_PANELS = ("p_clash_or_war", "p_de_escalated", "mean_casualties", "p_war")
MORRIS_OUTPUT = "p_clash_or_war"
WIDE = (11.0, 5.5)


def plot_filename(parameter: str) -> str:
    """``outcome_vs_<parameter>.png`` with the path made safe for any filesystem."""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", parameter).strip("._") or "parameter"
    return f"outcome_vs_{safe}.png"


def _fmt(value: float) -> str:
    return f"{value:.4g}"


def _analysis(data: SweepResults, table: pd.DataFrame | None, name: str) -> pd.DataFrame:
    """``table``, one of the sweep's analysis tables; ResultsError when it was not read."""
    if table is None:
        raise ResultsError(
            f"{data.path / ANALYSIS / f'{name}.parquet'}: missing; run "
            f"`escalation analyze {data.path}` before plotting."
        )
    return table


# -- outcomes along a parameter -----------------------------------------------------------


def plot_outcome_vs(data: SweepResults, parameter: str) -> Figure:
    """Probability of each outcome along ``parameter`` with 95 % Wilson bands."""
    marginals = _analysis(data, data.marginals, "marginals")
    rows = marginals[marginals["parameter"] == parameter]
    if rows.empty:
        raise ResultsError(
            f"{data.path / ANALYSIS / 'marginals.parquet'}: no rows for {parameter}; "
            f"run `escalation analyze {data.path}` again."
        )
    binned = bool((rows["grouping"] == "bin").any())
    fig = captioned_figure(f"How the crisis ends along {parameter}", data.caption())
    ax = fig.add_subplot()
    style_axes(ax)
    colors = severity_colors(data.classes)
    handles: list[Artist] = []
    labels: list[str] = []
    series = [(c, colors[c], "-") for c in data.classes]
    if (rows["outcome"] == CLASH_OR_WAR).any():
        series.append((CLASH_OR_WAR, CLASH_COLOR, "--"))
    # Few replicates give wide, overlapping bands: make them fainter so the lines stay legible.
    alpha = 0.16 if float((rows["high"] - rows["low"]).median()) < 0.12 else 0.08
    for outcome, color, style in series:
        r = rows[rows["outcome"] == outcome].sort_values("value")
        if r.empty:
            continue
        x = r["value"].to_numpy(dtype=float)
        ax.fill_between(x, r["low"], r["high"], color=color, alpha=alpha, linewidth=0, zorder=1.5)
        (line,) = ax.plot(
            x,
            r["p"],
            linestyle=style,
            color=color,
            marker="o",
            markersize=3.5,
            linewidth=2.0 if outcome == CLASH_OR_WAR else 1.6,
            zorder=3 if outcome == CLASH_OR_WAR else 2,
        )
        handles.append(line)
        labels.append(data.outcome_label(outcome))
    handles.append(Patch(facecolor="#888888", alpha=0.3, linewidth=0))
    labels.append("95% Wilson interval")
    if binned:
        spans = rows.drop_duplicates("bin").sort_values("bin")
        for i, (_, b) in enumerate(spans.iterrows()):
            if i % 2:
                ax.axvspan(b["bin_low"], b["bin_high"], color="#f2f2f2", linewidth=0, zorder=0)
        ax.set_xlim(spans["bin_low"].min(), spans["bin_high"].max())
        how = f"{len(spans)} equal-count bins (shaded alternately), markers at the bin means"
    else:
        levels = np.sort(rows["value"].unique())
        if len(levels) <= 12:
            ax.set_xticks(levels, [_fmt(v) for v in levels])
        how = "each marker one value of the parameter"
    others = [p for p in data.parameters if p != parameter]
    if others:
        pooled = "pooled over " + ", ".join(others)
    else:
        sizes = sorted(set(rows["n"].astype(int)))
        each = "bin" if binned else "value"
        pooled = f"{sizes[0]:,} replicates per {each}" if len(sizes) == 1 else "n varies"
    ax.set_xlabel(plain(f"{parameter}\n({how}; {pooled})"), fontsize=9)
    ax.set_ylim(-0.01, 1.01)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_ylabel("Share of replicates ending so (%)")
    side_legend(ax, handles, labels)
    return fig


# -- P(clash or war) over two parameters --------------------------------------------------


def pooled_cells(points: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """P(clash or war) pooled over the replicates of all points sharing ``keys`` values."""
    reps = points["replicates"].to_numpy(dtype=float)
    frame = points[keys].copy()
    frame["k"] = np.rint(points["p_clash_or_war"].to_numpy(dtype=float) * reps)
    frame["n"] = reps
    out = frame.groupby(keys, sort=True).sum().reset_index()
    out["p"] = out["k"] / out["n"].where(out["n"] > 0)
    return out


def plot_heatmap(data: SweepResults) -> Figure:
    """P(direct clash or war) over the first two parameters (cells or a scatter)."""
    px, py = data.parameters[:2]
    others = data.parameters[2:]
    points = data.complete_points()
    title = "Probability of a direct clash or war"
    fig = captioned_figure(title, data.caption(), figsize=(9.0, 6.5))
    ax = fig.add_subplot()
    # cells where the analysis grouped both parameters by value (grids, few distinct values)
    levels = _analysis(data, data.marginals, "marginals").groupby("parameter")["grouping"].first()
    cells = levels.get(px) == "level" and levels.get(py) == "level"
    pct = FuncFormatter(lambda v, _: f"{100 * v:.0f}%")
    mesh: Collection
    if cells:
        table = pooled_cells(points, [px, py])
        xs = np.sort(table[px].unique())
        ys = np.sort(table[py].unique())
        grid = np.full((len(ys), len(xs)), np.nan)
        for _, r in table.iterrows():
            grid[np.searchsorted(ys, r[py]), np.searchsorted(xs, r[px])] = r["p"]
        mesh = ax.pcolormesh(
            np.arange(len(xs) + 1) - 0.5,
            np.arange(len(ys) + 1) - 0.5,
            np.ma.masked_invalid(grid),
            cmap=HEAT_CMAP,
            vmin=0.0,
            vmax=1.0,
            edgecolors="white",
            linewidth=1.0,
        )
        ax.set_facecolor("#eeeeee")  # cells without a design point
        ax.set_xticks(np.arange(len(xs)), [_fmt(v) for v in xs])
        ax.set_yticks(np.arange(len(ys)), [_fmt(v) for v in ys])
        if grid.size <= 300:
            size = 9 if grid.size <= 60 else 7
            for (i, j), value in np.ndenumerate(grid):
                if math.isfinite(value):
                    ax.text(
                        j,
                        i,
                        f"{100 * value:.0f}%",
                        ha="center",
                        va="center",
                        fontsize=size,
                        color="white" if value > 0.55 else "#222222",
                    )
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        if others:
            note = (
                "each cell pools the replicates of all points at that pair of values, over "
                + ", ".join(others)
            )
        else:
            reps = sorted(set(table["n"].astype(int)))
            count = f"{reps[0]:,}" if len(reps) == 1 else "the"
            note = f"each cell: {count} replicates at that pair of values"
        if np.isnan(grid).any():
            note += "; grey: no design point"
    else:
        style_axes(ax)
        mesh = ax.scatter(
            points[px],
            points[py],
            c=points["p_clash_or_war"],
            cmap=HEAT_CMAP,
            vmin=0.0,
            vmax=1.0,
            s=36 if len(points) <= 200 else 18,
            edgecolors="#555555",
            linewidths=0.4,
            zorder=2,
        )
        verb = "varies" if len(others) == 1 else "vary"
        note = "each marker one design point" + (
            f"; {', '.join(others)} {verb} between points" if others else ""
        )
    ax.set_xlabel(plain(px))
    ax.set_ylabel(plain(py))
    ax.set_title(plain(note), fontsize=9, color="#444444")
    bar = fig.colorbar(mesh, ax=ax, format=pct, shrink=0.9, pad=0.02)
    bar.set_label("P(direct clash or war), % of replicates")
    return fig


# -- Sobol --------------------------------------------------------------------------------


def sobol_panels(sobol: pd.DataFrame) -> list[str]:
    """P(clash or war), then the first of the other panel outputs that varies over the design."""
    present = list(dict.fromkeys(sobol["output"]))
    first = SOBOL_PANELS[0] if SOBOL_PANELS[0] in present else present[0]
    varies = [
        o
        for o in (*SOBOL_PANELS[1:], *present)
        if o in present and o != first and sobol.loc[sobol["output"] == o, "ST"].notna().any()
    ]
    return [first, *varies[:1]]


def plot_sobol(data: SweepResults) -> Figure:
    """Grouped S1/ST bars with 95 % confidence bars, one panel per output."""
    sobol = _analysis(data, data.sobol, "sobol")
    outputs = sobol_panels(sobol)
    fig = captioned_figure(
        "Which parameters drive the outcome? Sobol sensitivity indices", data.caption(), WIDE
    )
    axes = fig.subplots(1, len(outputs), sharey=True, squeeze=False)[0]
    first = sobol[sobol["output"] == outputs[0]]
    order = list(first.sort_values("ST", ascending=True)["parameter"])  # largest ST on top
    y = np.arange(len(order))
    h = 0.38
    vals = sobol[sobol["output"].isin(outputs)]
    finite = np.r_[vals["S1"] - vals["S1_conf"], vals["ST"] + vals["ST_conf"]]
    finite = finite[np.isfinite(finite)]
    left = min(0.0, float(finite.min()) - 0.03) if finite.size else 0.0
    right = max(1.0, float(finite.max()) + 0.03) if finite.size else 1.0
    for ax, output in zip(axes, outputs, strict=True):
        style_axes(ax)
        ax.grid(False, axis="y")
        rows = sobol[sobol["output"] == output].set_index("parameter").reindex(order)
        for offset, key, color in ((h / 2, "S1", S1_COLOR), (-h / 2, "ST", ST_COLOR)):
            ax.barh(y + offset, rows[key].fillna(0.0), height=h, color=color, zorder=2)
            ax.errorbar(
                rows[key],
                y + offset,
                xerr=rows[f"{key}_conf"],
                fmt="none",
                ecolor="#222222",
                elinewidth=1.0,
                capsize=3,
                zorder=3,
            )
        ax.axvline(0, color="#555555", linewidth=0.8, zorder=2.5)
        ax.set_xlim(left, right)
        noise = float(rows["noise_share"].iloc[0]) if "noise_share" in rows else math.nan
        title = data.output_label(output)
        if math.isfinite(noise):
            title += f"\n(Monte Carlo noise ≤ {100 * noise:.1f}% of its variance)"
        elif rows["ST"].isna().all():
            title += "\n(constant over the design: no variance to apportion)"
        ax.set_title(plain(title), fontsize=10)
        ax.set_xlabel("Sobol index (share of the output's variance)")
    axes[0].set_yticks(y, [plain(p) for p in order])
    side_legend(
        axes[-1],
        [Patch(color=S1_COLOR), Patch(color=ST_COLOR), Line2D([], [], color="#222222")],
        [
            "S1: first order\n(the parameter alone)",
            "ST: total\n(with its interactions)",
            "95% bootstrap\ninterval",
        ],
    )
    return fig


# -- Morris -------------------------------------------------------------------------------


def plot_morris(data: SweepResults) -> Figure:
    """μ* bars with confidence, and the μ*–σ plane, for P(clash or war)."""
    morris = _analysis(data, data.morris, "morris")
    output = MORRIS_OUTPUT if (morris["output"] == MORRIS_OUTPUT).any() else morris["output"][0]
    rows = morris[morris["output"] == output].sort_values("mu_star")
    percent = output.startswith("p_")
    scale = 100.0 if percent else 1.0
    unit = "percentage points" if percent else "output units"
    label = data.output_label(output)
    fig = captioned_figure(
        f"Morris screening: effects on {label} over each parameter's range", data.caption(), WIDE
    )
    left, right = fig.subplots(1, 2, width_ratios=[1.15, 1.0])
    style_axes(left)
    left.grid(False, axis="y")
    y = np.arange(len(rows))
    mu_star = rows["mu_star"].to_numpy() * scale
    conf = rows["mu_star_conf"].to_numpy() * scale
    sigma = rows["sigma"].to_numpy() * scale
    signs = np.sign(rows["mu"].to_numpy())
    colors = ["#b2182b" if s > 0 else "#2166ac" if s < 0 else "#888888" for s in signs]
    left.barh(y, mu_star, color=colors, height=0.6, zorder=2)
    left.errorbar(
        mu_star, y, xerr=conf, fmt="none", ecolor="#222222", elinewidth=1, capsize=3, zorder=3
    )
    left.set_yticks(y, [plain(p) for p in rows["parameter"]])
    left.set_xlim(0, max(1e-9, float(np.nanmax(mu_star + conf))) * 1.08)
    left.set_xlabel(f"μ*: mean |effect| over the full range ({unit})")
    left.set_title("Importance: μ* (whiskers: 95% bootstrap interval)", fontsize=10)

    style_axes(right)
    right.scatter(mu_star, sigma, c=colors, s=40, zorder=3, edgecolors="white", linewidths=0.6)
    top = max(1e-9, float(np.nanmax(np.r_[mu_star, sigma]))) * 1.15
    right.plot([0, top], [0, top], color="#999999", linestyle="--", linewidth=0.8, zorder=1)
    for xi, yi, name in zip(mu_star, sigma, rows["parameter"], strict=True):
        flip = xi > 0.55 * top  # label on the left of points near the right edge
        right.annotate(
            plain(name),
            (xi, yi),
            xytext=(-6 if flip else 6, 4),
            textcoords="offset points",
            ha="right" if flip else "left",
            fontsize=8,
        )
    right.set_xlim(0, top)
    right.set_ylim(0, top)
    right.set_xlabel(f"μ* ({unit})")
    right.set_ylabel(f"σ: spread of the effects ({unit})")
    right.set_title("Interactions or non-linearity: σ against μ*", fontsize=10)
    side_legend(
        right,
        [
            Patch(color="#b2182b"),
            Patch(color="#2166ac"),
            Line2D([], [], color="#999999", linestyle="--", linewidth=0.8),
        ],
        [
            f"raises {label}\non average (μ > 0)",
            f"lowers {label}\non average (μ < 0)",
            "σ = μ*: effects vary\nas much as they weigh",
        ],
    )
    return fig


# -- all figures --------------------------------------------------------------------------


def write_sweep_plots(
    folder: Path, out_dir: Path | None = None, progress: Progress = SILENT
) -> list[Path]:
    """Write the sweep's figures to ``out_dir`` (default ``folder/plots``); return the paths.

    Needs the tables ``escalation analyze`` writes (ResultsError saying so otherwise).
    """
    data = load_sweep(folder, analysis=True)
    target = Path(out_dir) if out_dir is not None else data.path / PLOTS
    target.mkdir(parents=True, exist_ok=True)
    figures: list[tuple[str, Callable[[], Figure]]] = []
    names: set[str] = set()
    for parameter in data.parameters:
        name = plot_filename(parameter)
        if name in names:  # two paths that sanitize alike
            name = name.replace(".png", f"-{len(names)}.png")
        names.add(name)
        figures.append((name, functools.partial(plot_outcome_vs, data, parameter)))
    clash = f"p_{CLASH_OR_WAR}"
    if len(data.parameters) >= 2 and clash in data.points.columns and len(data.complete_points()):
        figures.append(("heatmap.png", lambda: plot_heatmap(data)))
    if data.kind == "sobol" and data.sobol is not None and len(data.sobol):
        figures.append(("sobol.png", lambda: plot_sobol(data)))
    if data.kind == "morris" and data.morris is not None and len(data.morris):
        figures.append(("morris.png", lambda: plot_morris(data)))
    progress.phase("drawing figures", len(figures), "figures")
    written = []
    for name, build in figures:
        written.append(save(build(), target / name))
        progress.advance()
    return written
