"""PNG figure of a sweep's lever settings across its uncertainties, from ``escalation robustness``.

Reads the sweep's ``manifest.json`` and the tables in ``robustness/`` (``summary`` and ``regret``,
whose record names the outcome and the levers); no model is run. Writes:

``regret.png``
    per lever setting (one per combination when there are several levers), the regret at every
    uncertainty point as a box with the points over it, its mean and maximum marked; below, the
    mean and worst-case probability of the outcome per setting.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import PercentFormatter

from simulator.progress import SILENT, Progress
from simulator.results.errors import ResultsError
from simulator.results.layout import ROBUSTNESS
from simulator.results.manifest import outcome_label, read_manifest
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
    "RobustnessFolder",
    "load_robustness",
    "plot_regret",
    "write_robustness_plots",
]

SUMMARY_COLUMNS = ("mean", "worst", "mean_regret", "max_regret", "best_share")
REGRET_COLUMNS = ("regret",)
#: outcomes a policy wants more of (as ``escalation robustness`` decides)
HIGHER_IS_BETTER = ("de_escalated",)

BOX_COLOR = "#dbe5f0"
POINT_COLOR = "#4d7ea8"
MEAN_COLOR = "#1b7837"
MAX_COLOR = "#b2182b"
BEST_COLOR = "#b2182b"


@dataclass(frozen=True)
class RobustnessFolder:
    """A sweep's manifest and the tables of its robustness analysis."""

    folder: Path
    manifest: dict[str, Any]
    summary: pd.DataFrame
    regret: pd.DataFrame
    #: the outcome's name (``clash_or_war``, ``war``) and the lever columns
    outcome: str
    levers: tuple[str, ...]

    @property
    def column(self) -> str:
        """The regret table's column of the outcome's probability."""
        return f"p_{self.outcome}"

    @property
    def higher_is_better(self) -> bool:
        """Whether a policy wants more of the outcome (worst case is then the lowest)."""
        return self.outcome in HIGHER_IS_BETTER

    def outcome_line(self) -> str:
        """'P(direct clash or war)'."""
        return plain(f"P({outcome_label(self.manifest, self.outcome).lower()})")

    def settings(self) -> list[tuple[object, ...]]:
        """The lever settings in ascending order (of the first lever, then the next)."""
        keys = self.summary[list(self.levers)].drop_duplicates()
        ordered = keys.sort_values(list(self.levers), kind="stable")
        return [tuple(row) for row in ordered.itertuples(index=False)]

    def setting_label(self, setting: tuple[object, ...]) -> str:
        """'0.3' with one lever; one line per lever ('control 0.3', 'delay 5') with several."""
        if len(self.levers) == 1:
            return _value(setting[0])
        return plain(
            "\n".join(
                f"{lever.rsplit('.', 1)[-1]} {_value(v)}"
                for lever, v in zip(self.levers, setting, strict=True)
            )
        )

    def rows(self, table: pd.DataFrame, setting: tuple[object, ...]) -> pd.DataFrame:
        """The rows of ``table`` at one lever setting."""
        mask = np.ones(len(table), dtype=bool)
        for lever, value in zip(self.levers, setting, strict=True):
            mask &= (table[lever] == value).to_numpy()
        return table[mask]

    def uncertainties(self) -> list[str]:
        """The regret table's uncertainty columns."""
        skip = {*self.levers, self.column, "regret"}
        return [str(c) for c in self.regret.columns if c not in skip]

    def caption(self, width_in: float = FIGSIZE[0]) -> str:
        """Footer line: scenario, design, uncertainty points, seed; details left out to fit."""
        m = self.manifest
        source = f" ({m['scenario_file']})" if m.get("scenario_file") else ""
        n = self.regret[self.uncertainties()].drop_duplicates().shape[0]

        def parts(keep: int) -> list[str]:
            out = [
                f"Scenario \u201c{m.get('scenario_name', '?')}\u201d" + (source if keep < 1 else "")
            ]
            if keep < 2:
                out.append(str(m.get("design_label") or "grid design"))
            out += [
                f"{n:,} uncertainty points \u00d7 {int(m.get('replicates', 0)):,} replicates",
                f"seed {m.get('seed', '?')}",
                "escalation robustness",
            ]
            return out

        return fitted_caption(parts, 3, width_in)


def _value(value: object) -> str:
    return f"{value:.3g}" if isinstance(value, (float, np.floating)) else str(value)


def _robustness_table(folder: Path, name: str, required: tuple[str, ...]) -> pd.DataFrame:
    return read_table(
        folder / ROBUSTNESS / f"{name}.parquet",
        required,
        how=(f"run `escalation robustness {folder} --lever LEVER` before plotting the robustness."),
    )


def load_robustness(folder: Path | str) -> RobustnessFolder:
    """Read a sweep folder's manifest and robustness tables; ResultsError naming what is missing."""
    path = Path(folder)
    manifest = read_manifest(path, "sweep")
    summary = _robustness_table(path, "summary", SUMMARY_COLUMNS)
    regret = _robustness_table(path, "regret", REGRET_COLUMNS)
    where = path / ROBUSTNESS / "regret.parquet"
    record = table_record(where) or {}
    outcome, levers = record.get("outcome"), record.get("levers")
    if not outcome or not levers or not isinstance(levers, list):
        raise ResultsError(
            f"{where}: no record of the outcome and levers; run `escalation robustness {path}` "
            "again."
        )
    levers = [str(lever) for lever in levers]
    for name, table, needed in (
        ("summary", summary, levers),
        ("regret", regret, [*levers, f"p_{outcome}"]),
    ):
        missing = [c for c in needed if c not in table.columns]
        if missing:
            raise ResultsError(
                f"{path / ROBUSTNESS / f'{name}.parquet'}: missing column(s) {', '.join(missing)}."
            )
    return RobustnessFolder(
        folder=path,
        manifest=manifest,
        summary=summary,
        regret=regret,
        outcome=str(outcome),
        levers=tuple(levers),
    )


def plot_regret(data: RobustnessFolder) -> Figure:
    """Per lever setting: the regret across the uncertainty points; and the outcome's mean/worst."""
    settings = data.settings()
    labels = [data.setting_label(s) for s in settings]
    width = min(16.0, max(FIGSIZE[0], 3.0 + 0.75 * len(settings)))
    figsize = (width, 7.6 if len(data.levers) > 1 else 7.2)
    outcome = data.outcome_line()
    fig = captioned_figure(
        f"Which lever setting holds up? Regret in {outcome} (lower is better)",
        data.caption(width),
        figsize,
    )
    top, bottom = fig.subplots(2, 1, sharex=True, height_ratios=(3, 2))
    for ax in (top, bottom):
        style_axes(ax)
        ax.grid(False, axis="x")
    x = np.arange(len(settings), dtype=float)
    rng = np.random.default_rng(0)  # a fixed jitter: the same folder draws the same figure
    regrets = [data.rows(data.regret, s)["regret"].to_numpy(dtype=float) for s in settings]
    top.boxplot(
        regrets,
        positions=x,
        widths=0.55,
        patch_artist=True,
        showfliers=False,
        boxprops={"facecolor": BOX_COLOR, "edgecolor": "#8aa1b8", "linewidth": 0.9},
        medianprops={"color": "#5b6f85", "linewidth": 1.0},
        whiskerprops={"color": "#8aa1b8", "linewidth": 0.9},
        capprops={"color": "#8aa1b8", "linewidth": 0.9},
        zorder=2,
    )
    for xi, values in zip(x, regrets, strict=True):
        jitter = rng.uniform(-0.17, 0.17, len(values))
        top.scatter(
            xi + jitter, values, s=14, color=POINT_COLOR, alpha=0.65, linewidths=0, zorder=3
        )
    means = [float(v.mean()) if len(v) else np.nan for v in regrets]
    maxes = [float(v.max()) if len(v) else np.nan for v in regrets]
    top.scatter(x, maxes, marker="_", s=260, linewidths=2.2, color=MAX_COLOR, zorder=4)
    top.scatter(x, means, marker="D", s=40, color=MEAN_COLOR, edgecolors="white", zorder=5)
    finite_max = np.array([m if np.isfinite(m) else np.inf for m in maxes])
    lowest: np.ndarray = (
        np.flatnonzero(np.isclose(finite_max, finite_max.min()))
        if len(maxes)
        else np.array([], dtype=int)
    )
    if len(lowest) == 1:
        best = int(lowest[0])
        top.annotate(
            "most robust\n(lowest max regret)",
            xy=(x[best], maxes[best]),
            xytext=(0, 10),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontsize=8,
            color=BEST_COLOR,
            fontweight="bold",
        )
    top_max = max([m for m in maxes if np.isfinite(m)], default=0.0)
    top.set_ylim(-0.02 * max(top_max, 0.05), max(top_max, 0.05) * 1.3)
    top.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    top.set_ylabel(plain(f"Regret in {outcome}\n(percentage points)"))
    n_unc = len(regrets[0]) if regrets else 0
    unc = ", ".join(data.uncertainties()) or "?"
    more = "lower" if data.higher_is_better else "higher"
    tied = f"; {len(lowest)} settings tie for the lowest max regret" if len(lowest) > 1 else ""
    top.set_title(
        plain(
            f"Regret: how much {more} the probability is than with the best setting at the same "
            f"uncertainty point\none dot per uncertainty point ({n_unc:,}: {unc}){tied}"
        ),
        loc="left",
        fontsize=9,
    )

    rows = [data.rows(data.summary, s) for s in settings]
    mean_p = [float(r["mean"].iloc[0]) if len(r) else np.nan for r in rows]
    worst_p = [float(r["worst"].iloc[0]) if len(r) else np.nan for r in rows]
    bottom.vlines(x, mean_p, worst_p, color="#999999", linewidth=1.2, zorder=2)
    bottom.scatter(x, worst_p, marker="_", s=260, linewidths=2.2, color=MAX_COLOR, zorder=3)
    bottom.scatter(x, mean_p, marker="o", s=40, color=POINT_COLOR, edgecolors="white", zorder=4)
    finite = [v for v in (*mean_p, *worst_p) if np.isfinite(v)]
    hi = max(finite, default=0.0)
    bottom.set_ylim(-0.03 * max(hi, 0.05), max(hi, 0.05) * 1.18)
    bottom.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    bottom.set_ylabel(plain(outcome))
    worst_word = "lowest" if data.higher_is_better else "highest"
    bottom.set_title(
        plain(
            f"{outcome} per setting: mean over the uncertainty points and worst case ({worst_word})"
        ),
        loc="left",
        fontsize=9,
    )
    bottom.set_xticks(x, labels, fontsize=8.5)
    bottom.set_xlim(-0.6, len(settings) - 0.4)
    bottom.set_xlabel(
        plain(
            f"Lever setting: {data.levers[0]}"
            if len(data.levers) == 1
            else "Lever setting: " + " \u00d7 ".join(data.levers)
        )
    )
    handles: list[object] = [
        Patch(facecolor=BOX_COLOR, edgecolor="#8aa1b8"),
        Line2D([], [], linestyle="none", marker="o", markersize=5, color=POINT_COLOR, alpha=0.65),
        Line2D([], [], linestyle="none", marker="D", markersize=7, color=MEAN_COLOR),
        Line2D([], [], linestyle="none", marker="_", markersize=14, mew=2.2, color=MAX_COLOR),
        Line2D([], [], linestyle="none", marker="o", markersize=7, color=POINT_COLOR),
    ]
    legend = [
        "regret: quartiles and range",
        "regret at one uncertainty point",
        "mean regret",
        "max regret (top) / worst-case probability (bottom)",
        "mean probability (bottom)",
    ]
    bottom_legend(fig, handles, legend, ncols=3)
    return fig


def robustness_figures(data: RobustnessFolder) -> list[tuple[str, Callable[[], Figure]]]:
    """The figures of a robustness analysis, as (file name, builder)."""
    return [("regret.png", lambda: plot_regret(data))]


def write_robustness_plots(folder: Path, out: Path, progress: Progress = SILENT) -> list[Path]:
    """Draw the figures of a sweep's ``robustness/`` into ``out``; return the written paths.

    Raises ResultsError when the folder is not a sweep or a table is missing or lacks what the
    figures need (naming it).
    """
    data = load_robustness(folder)
    return draw_figures(robustness_figures(data), out, progress)
