"""PNG figures of a sweep's scenario discovery, from the tables ``escalation discover`` wrote.

Reads the sweep's ``manifest.json`` and ``points.parquet`` and the tables in ``discovery/``
(``trajectory``, ``box``, ``cart``, ``features``, whose record names the outcome column and the
threshold that makes a design point "of interest"); no model is run. Writes:

``peeling_trajectory.png``
    PRIM's peeling trajectory: coverage against density of every box, coloured by how many
    parameters it restricts, with the chosen box marked;
``box_limits.png``
    per swept parameter, its range (normalised to [0, 1]) with the chosen box's limits over it,
    the restricted ones labelled with their limits and quasi-p-values, and CART's densest leaf
    as a thin outline;
``feature_scores.png``
    the extra-trees importance of every swept parameter, sorted.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.ticker import PercentFormatter

from simulator.progress import SILENT, Progress
from simulator.results.errors import ResultsError
from simulator.results.layout import DISCOVERY
from simulator.results.reader import SweepResults, load_sweep
from simulator.results.tables import read_table, table_record

from .style import (
    FIGSIZE,
    bottom_legend,
    captioned_figure,
    draw_figures,
    fitted_caption,
    plain,
    style_axes,
)

__all__ = [
    "DiscoveryFolder",
    "load_discovery",
    "plot_box_limits",
    "plot_feature_scores",
    "plot_trajectory",
    "write_discovery_plots",
]

TRAJECTORY_COLUMNS = ("phase", "coverage", "density", "mass", "n", "res_dim")
BOX_COLUMNS = ("parameter", "low", "high", "restricted", "quasi_p")
CART_COLUMNS = ("density", "coverage", "mass", "n", "res_dim", "restricted")
FEATURE_COLUMNS = ("parameter", "importance")

PATH_COLOR = "#bbbbbb"
CHOSEN_COLOR = "#b2182b"
RANGE_COLOR = "#e6e6e6"
BOX_COLOR = "#2166ac"
LOOSE_COLOR = "#9ecae1"
CART_COLOR = "#e08214"
RUG_COLOR = "#555555"
BAR_COLOR = "#4d7ea8"
#: at most this many step numbers are written on the trajectory
STEP_LABELS = 8


@dataclass(frozen=True)
class DiscoveryFolder:
    """A sweep's stored points and the tables of its scenario discovery."""

    sweep: SweepResults
    trajectory: pd.DataFrame
    box: pd.DataFrame
    cart: pd.DataFrame
    features: pd.DataFrame
    #: the points column of the outcome (``p_war``, ``mean_casualties``) and its threshold
    outcome: str
    threshold: float

    @property
    def parameters(self) -> list[str]:
        """The swept parameters, in design order."""
        return self.sweep.parameters

    def points(self) -> pd.DataFrame:
        """The complete design points (those discovery used)."""
        return self.sweep.complete_points()

    def interest(self) -> np.ndarray:
        """Which complete points are of interest (as ``escalation discover`` decides)."""
        value = self.points()[self.outcome].to_numpy(dtype=float)
        return value >= self.threshold if self.threshold > 0 else value > 0

    def in_box(self) -> np.ndarray:
        """Which complete points lie in the chosen box (its limits are inclusive)."""
        points = self.points()
        inside = np.ones(len(points), dtype=bool)
        for name, row in self.limits().items():
            if row["restricted"]:
                values = points[name].to_numpy(dtype=float)
                inside &= (values >= float(row["low"])) & (values <= float(row["high"]))
        return inside

    def limits(self) -> dict[str, dict[str, Any]]:
        """The chosen box's rows by parameter: ``low``, ``high``, ``restricted``, ``quasi_p``."""
        rows = self.box.to_dict("records")
        return {str(row["parameter"]): {str(k): v for k, v in row.items()} for row in rows}

    def box_stats(self) -> tuple[float, float, int]:
        """The chosen box's coverage, density and number of points."""
        interest, inside = self.interest(), self.in_box()
        hits = int((interest & inside).sum())
        n = int(inside.sum())
        return hits / max(int(interest.sum()), 1), hits / max(n, 1), n

    def prior_range(self, parameter: str) -> tuple[float, float]:
        """The parameter's swept range: its bounds, else its listed values, else the points'."""
        spec = next(
            p for p in self.sweep.manifest["design"]["parameters"] if p["path"] == parameter
        )
        if spec.get("low") is not None and spec.get("high") is not None:
            return float(spec["low"]), float(spec["high"])
        values = spec.get("values") or self.sweep.points[parameter].to_list()
        return float(min(values)), float(max(values))

    def outcome_line(self) -> str:
        """'P(clash or war) ≥ 0.05': what makes a design point of interest."""
        label = self.sweep.output_label(self.outcome)
        return plain(
            f"{label} \u2265 {self.threshold:.3g}" if self.threshold > 0 else f"{label} > 0"
        )

    def caption(self, width_in: float = FIGSIZE[0]) -> str:
        """Footer line: scenario, design, points, seed; details left out until it fits."""
        m = self.sweep.manifest
        source = f" ({m['scenario_file']})" if m.get("scenario_file") else ""

        def parts(keep: int) -> list[str]:  # 0: everything; then no file, no design label
            out = [
                f"Scenario \u201c{m.get('scenario_name', '?')}\u201d" + (source if keep < 1 else "")
            ]
            if keep < 2:
                out.append(self.sweep.design_label())
            out += [
                f"{len(self.points()):,} complete points \u00d7 {self.sweep.replicates:,} "
                "replicates",
                f"seed {m.get('seed', '?')}",
                "escalation discover",
            ]
            return out

        return fitted_caption(parts, 3, width_in)


def _discovery_table(folder: Path, name: str, required: tuple[str, ...]) -> pd.DataFrame:
    return read_table(
        folder / DISCOVERY / f"{name}.parquet",
        required,
        how=(
            f"run `escalation discover {folder} --outcome OUTCOME` before plotting the discovery."
        ),
    )


def load_discovery(folder: Path | str) -> DiscoveryFolder:
    """Read a sweep folder's points and discovery tables; ResultsError naming what is missing."""
    path = Path(folder)
    sweep = load_sweep(path)
    tables = {
        name: _discovery_table(path, name, required)
        for name, required in (
            ("trajectory", TRAJECTORY_COLUMNS),
            ("box", BOX_COLUMNS),
            ("cart", CART_COLUMNS),
            ("features", FEATURE_COLUMNS),
        )
    }
    record = table_record(path / DISCOVERY / "trajectory.parquet") or {}
    outcome, threshold = record.get("outcome"), record.get("threshold")
    if not outcome or threshold is None:
        raise ResultsError(
            f"{path / DISCOVERY / 'trajectory.parquet'}: no record of the outcome and threshold; "
            f"run `escalation discover {path}` again."
        )
    if outcome not in sweep.points.columns:
        raise ResultsError(
            f"{path}: the points have no column {outcome!r}, the discovery's outcome."
        )
    unknown = sorted(set(tables["box"]["parameter"].astype(str)) - set(sweep.parameters))
    if unknown:
        raise ResultsError(
            f"{path / DISCOVERY / 'box.parquet'}: parameters not swept: {', '.join(unknown)}."
        )
    return DiscoveryFolder(
        sweep=sweep,
        trajectory=tables["trajectory"].reset_index(drop=True),
        box=tables["box"],
        cart=tables["cart"],
        features=tables["features"],
        outcome=str(outcome),
        threshold=float(threshold),
    )


def _figure(data: DiscoveryFolder, title: str, figsize: tuple[float, float]) -> Figure:
    return captioned_figure(title, data.caption(figsize[0]), figsize)


def _pct(value: float) -> str:
    return f"{100 * value:.0f}%"


def _limit(value: float) -> str:
    return f"{value:.3g}"


# -- peeling trajectory ---------------------------------------------------------------------


def _res_dim_colors(most: int) -> list[str]:
    """One colour per number of restricted parameters, 0 … ``most``, light to dark."""
    from matplotlib import colormaps
    from matplotlib.colors import to_hex

    cmap = colormaps["viridis_r"]
    return [to_hex(cmap(0.1 + 0.8 * k / max(most, 1))) for k in range(most + 1)]


def _sparse_steps(coverage: np.ndarray, density: np.ndarray) -> list[int]:
    """The steps whose numbers are written: the first, the last and every k-th between.

    Steps too close to one already numbered are left out (both axes run over about [0, 1]).
    """
    count = len(coverage)
    if not count:
        return []
    every = max(1, math.ceil(count / STEP_LABELS))
    kept: list[int] = []
    for i in [0, count - 1, *range(every, count - 1, every)]:
        near = any(
            abs(coverage[i] - coverage[j]) < 0.04 and abs(density[i] - density[j]) < 0.04
            for j in kept
        )
        if i not in kept and not near:
            kept.append(i)
    return sorted(kept)


def plot_trajectory(data: DiscoveryFolder) -> Figure:
    """Coverage against density of every box on PRIM's trajectory, the chosen one marked."""
    steps = data.trajectory
    figsize = (9.0, 6.4)
    fig = _figure(data, "PRIM's peeling trajectory: coverage against density", figsize)
    ax = fig.add_subplot()
    style_axes(ax)
    coverage = steps["coverage"].to_numpy(dtype=float)
    density = steps["density"].to_numpy(dtype=float)
    res_dim = steps["res_dim"].to_numpy(dtype=int)
    paste = (steps["phase"].astype(str) == "paste").to_numpy()
    colors = _res_dim_colors(int(res_dim.max()) if len(res_dim) else 0)
    ax.plot(coverage, density, color=PATH_COLOR, linewidth=1.0, zorder=2)
    for marker, rows in (("o", ~paste), ("s", paste)):
        ax.scatter(
            coverage[rows],
            density[rows],
            c=[colors[k] for k in res_dim[rows]],
            marker=marker,
            s=42,
            edgecolors="white",
            linewidths=0.6,
            zorder=3,
        )
    for i in _sparse_steps(coverage, density):
        ax.annotate(
            str(i),
            xy=(coverage[i], density[i]),
            xytext=(-10, 0),
            textcoords="offset points",
            ha="right",
            va="center",
            fontsize=7.5,
            color="#444444",
        )
    if len(steps):
        base = density[0]
        ax.axhline(base, color="#888888", linestyle=(0, (3, 3)), linewidth=0.9, zorder=1)
        ax.annotate(
            f"all points: {_pct(base)} of interest",
            xy=(0.0, base),
            xycoords=("axes fraction", "data"),
            xytext=(4, -4),
            textcoords="offset points",
            ha="left",
            va="top",
            fontsize=8,
            color="#555555",
        )
    cov, den, n = data.box_stats()
    ax.scatter(
        [cov], [den], s=190, facecolors="none", edgecolors=CHOSEN_COLOR, linewidths=1.8, zorder=4
    )
    ax.annotate(
        f"chosen box\ncoverage {_pct(cov)}, density {_pct(den)}\n{n:,} points",
        xy=(cov, den),
        xytext=(-14 if cov > 0.5 else 14, -10),
        textcoords="offset points",
        ha="right" if cov > 0.5 else "left",
        va="top",
        fontsize=8.5,
        color=CHOSEN_COLOR,
        fontweight="bold",
    )
    ax.set_xlim(-0.02, 1.04)
    ax.set_ylim(-0.02, 1.06)
    for axis in (ax.xaxis, ax.yaxis):
        axis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_xlabel("Coverage: share of the points of interest inside the box")
    ax.set_ylabel("Density: share of the box's points that are of interest")
    ax.set_title(
        f"Points of interest: {data.outcome_line()} ({int(data.interest().sum()):,} of "
        f"{len(data.points()):,}); numbers: peeling steps, 0 = every point",
        loc="left",
        fontsize=9.5,
    )
    handles: list[object] = [
        Line2D([], [], linestyle="none", marker="o", markersize=7, color=c) for c in colors
    ]
    labels = [f"{k} parameter{'s' if k != 1 else ''} restricted" for k in range(len(colors))]
    if paste.any():
        handles.append(Line2D([], [], linestyle="none", marker="s", markersize=7, color="#777777"))
        labels.append("pasting step")
    handles.append(
        Line2D(
            [],
            [],
            linestyle="none",
            marker="o",
            markersize=11,
            markerfacecolor="none",
            markeredgecolor=CHOSEN_COLOR,
            markeredgewidth=1.8,
        )
    )
    labels.append("the chosen box")
    bottom_legend(fig, handles, labels, ncols=min(len(labels), 4))
    return fig


# -- the box's limits -----------------------------------------------------------------------


def _densest_leaf(cart: pd.DataFrame) -> pd.Series | None:
    if cart.empty:
        return None
    ordered = cart.sort_values(["density", "coverage"], ascending=False, kind="stable")
    return ordered.iloc[0]


def plot_box_limits(data: DiscoveryFolder) -> Figure:
    """Per swept parameter, its range with the chosen box's (and CART's densest leaf's) limits."""
    params = data.parameters
    box = data.limits()
    leaf = _densest_leaf(data.cart)
    figsize = (10.0, max(3.8, 2.2 + 0.62 * len(params)))
    fig = _figure(data, "The chosen box: where design points of interest lie", figsize)
    ax = fig.add_subplot()
    style_axes(ax)
    ax.grid(False, axis="y")
    points = data.points()
    ticks = []
    for i, name in enumerate(params):
        y = len(params) - 1 - i  # the first parameter on top
        lo, hi = data.prior_range(name)
        span = hi - lo if hi > lo else 1.0

        def norm(v: float, lo: float = lo, span: float = span) -> float:
            return (v - lo) / span

        ax.barh(y, 1.0, left=0.0, height=0.56, color=RANGE_COLOR, zorder=1)
        values = np.unique(points[name].to_numpy(dtype=float))
        ax.vlines(
            [norm(v) for v in values], y - 0.36, y - 0.28, color=RUG_COLOR, linewidth=0.6, zorder=1
        )
        if name in box:
            row = box[name]
            restricted = bool(row["restricted"])
            low, high = norm(float(row["low"])), norm(float(row["high"]))
            ax.barh(
                y,
                max(high - low, 0.004),
                left=low,
                height=0.36,
                color=BOX_COLOR if restricted else LOOSE_COLOR,
                zorder=2,
            )
            note = "not restricted"
            if restricted:
                p = float(row["quasi_p"])
                note = f"{_limit(float(row['low']))} \u2013 {_limit(float(row['high']))}"
                note += f"  (quasi-p {p:.2g})" if math.isfinite(p) else ""
            ax.annotate(
                note,
                xy=(1.0, y),
                xycoords=("axes fraction", "data"),
                xytext=(8, 0),
                textcoords="offset points",
                va="center",
                fontsize=8.5,
                fontweight="bold" if restricted else "normal",
                color=BOX_COLOR if restricted else "#777777",
                annotation_clip=False,
            )
        if leaf is not None and f"{name}_low" in leaf.index:
            low = norm(float(leaf[f"{name}_low"]))
            high = norm(float(leaf[f"{name}_high"]))
            ax.add_patch(
                Rectangle(
                    (low, y - 0.24),
                    high - low,
                    0.48,
                    fill=False,
                    edgecolor=CART_COLOR,
                    linewidth=1.2,
                    zorder=3,
                )
            )
        ticks.append((y, plain(f"{name}\n{_limit(lo)} \u2013 {_limit(hi)}")))
    ax.set_yticks([t for t, _ in ticks], [label for _, label in ticks], fontsize=8.5)
    ax.set_ylim(-0.6, len(params) - 0.4)
    ax.set_xlim(-0.01, 1.01)
    ax.set_xlabel("Position in the parameter's swept range (0 = its low end, 1 = its high end)")
    cov, den, n = data.box_stats()
    n_restricted = sum(bool(row["restricted"]) for row in box.values())
    ax.set_title(
        f"{data.outcome_line()}: coverage {_pct(cov)}, density {_pct(den)}, {n:,} points; "
        f"{n_restricted} of {len(params)} parameters restricted",
        loc="left",
        fontsize=9.5,
    )
    handles: list[object] = [
        Patch(color=RANGE_COLOR),
        Patch(color=BOX_COLOR),
        Patch(color=LOOSE_COLOR),
        Line2D([], [], color=RUG_COLOR, linewidth=0.8),
    ]
    labels = [
        "swept range",
        "box limits (restricted)",
        "box limits (not restricted)",
        "design values",
    ]
    if leaf is not None:
        handles.append(Patch(fill=False, edgecolor=CART_COLOR, linewidth=1.2))
        labels.append(
            f"CART's densest leaf (density {_pct(float(leaf['density']))}, "
            f"coverage {_pct(float(leaf['coverage']))})"
        )
    bottom_legend(fig, handles, labels, ncols=3)
    return fig


# -- feature scores -------------------------------------------------------------------------


def plot_feature_scores(data: DiscoveryFolder) -> Figure:
    """The extra-trees importance of every swept parameter, highest on top."""
    scores = data.features.sort_values("importance", ascending=True, kind="stable")
    figsize = (9.0, max(3.4, 1.9 + 0.42 * len(scores)))
    fig = _figure(data, "Which parameters matter? Extra-trees feature scores", figsize)
    ax = fig.add_subplot()
    style_axes(ax)
    ax.grid(False, axis="y")
    values = scores["importance"].to_numpy(dtype=float)
    y = np.arange(len(scores))
    ax.barh(y, values, height=0.6, color=BAR_COLOR, zorder=2)
    for yi, v in zip(y, values, strict=True):
        ax.annotate(
            f"{v:.2f}",
            xy=(v, yi),
            xytext=(4, 0),
            textcoords="offset points",
            va="center",
            fontsize=8.5,
        )
    ax.set_yticks(y, [plain(p) for p in scores["parameter"].astype(str)], fontsize=8.5)
    ax.set_xlim(0, max(float(values.max()) if len(values) else 0.0, 0.05) * 1.12)
    ax.set_xlabel("Importance (mean decrease in impurity; the scores sum to 1)")
    ax.set_title(f"For {data.outcome_line()}", loc="left", fontsize=9.5)
    return fig


# -- all figures ----------------------------------------------------------------------------


def discovery_figures(data: DiscoveryFolder) -> list[tuple[str, Callable[[], Figure]]]:
    """The figures of a discovery, as (file name, builder)."""
    return [
        ("peeling_trajectory.png", lambda: plot_trajectory(data)),
        ("box_limits.png", lambda: plot_box_limits(data)),
        ("feature_scores.png", lambda: plot_feature_scores(data)),
    ]


def write_discovery_plots(folder: Path, out: Path, progress: Progress = SILENT) -> list[Path]:
    """Draw the figures of a sweep's ``discovery/`` into ``out``; return the written paths.

    Raises ResultsError when the folder is not a sweep or a table is missing or lacks what the
    figures need (naming it).
    """
    data = load_discovery(folder)
    return draw_figures(discovery_figures(data), out, progress)
