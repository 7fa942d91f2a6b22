"""PNG figures of a scored folder: forecasts held to the record, from the stored tables alone.

Reads ``manifest.json``, the tables ``escalation score`` (or ``escalation hindcast``) wrote to
``scores/`` (``windows``, ``skill``, ``reliability``, ``coverage``) and, for a hindcast,
``ensembles.parquet``; no model is run. Writes:

``reliability.png``
    forecast probability against observed frequency of each binary event (state-on-state
    violence, any death of the focus actor, at least k militia attacks), per bin, with the
    windows in each bin, 95 % Wilson intervals and the single forecasts as a rug;
``skill.png``
    the model's skill against climatology and persistence for every score, per lead (and per
    part of the record), bars clipped to [−2, 1] with the true value written where clipped;
``hindcast_attacks.png`` (hindcasts)
    per lead, the model's 50 % and 90 % intervals and mean of the militia attacks in the window
    from each origin, the cold start's and climatology's means, and the record with its range;
``hindcast_probabilities.png`` (hindcasts)
    P(state-on-state violence) and P(any death of the focus actor) from each origin, model and
    cold start, against what the record shows;
``pit.png``
    the PIT histogram of the model's militia-attack forecasts, with the band a calibrated
    forecast's histogram stays in.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, cast

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import PercentFormatter
from scipy.stats import binom

from simulator.progress import SILENT, Progress
from simulator.results.errors import ResultsError
from simulator.results.layout import ENSEMBLES, SCORES
from simulator.results.manifest import read_manifest
from simulator.results.tables import read_table, table_record
from simulator.scoring.forecasts import CLIMATOLOGY, COLD_START, MODEL, PERSISTENCE
from simulator.scoring.score import CALIBRATION, HELD_OUT, SKILL_SCORES, WHOLE
from simulator.stats import wilson_interval

from .style import (
    FIGSIZE,
    HANDLER_MAP,
    CalendarFormatter,
    SectionHeader,
    bottom_legend,
    captioned_figure,
    draw_figures,
    fitted_caption,
    fmt_date,
    plain,
    side_legend,
    style_axes,
)

__all__ = [
    "ScoredFolder",
    "focus_actor",
    "load_scored",
    "plot_hindcast_attacks",
    "plot_hindcast_probabilities",
    "plot_pit",
    "plot_reliability",
    "plot_skill",
    "write_score_plots",
]

COLD = COLD_START
MODEL_COLOR = "#2166ac"
MODEL_LIGHT = "#c6dbef"
MODEL_MID = "#6baed6"
COLD_COLOR = "#762a83"
CLIM_COLOR = "#7f7f7f"
PERS_COLOR = "#e08214"
RECORD_COLOR = "#111111"
HAPPENED_COLOR = "#b2182b"
SPLIT_COLOR = "#444444"
#: skill bars are clipped to this range (a skill can be −10 000 when the reference is near perfect)
SKILL_RANGE = (-2.0, 1.0)
PIT_BINS = 10
#: fewer windows than this give no band of a calibrated histogram (it would span everything)
MIN_PIT_BAND = 10
#: where "it did not happen" is marked, just below 0 % so the forecasts near 0 stay visible
NOT_HAPPENED_Y = -0.045
PART_LABELS = {
    CALIBRATION: "Calibration part",
    HELD_OUT: "Held-out part",
    WHOLE: "Whole record",
}
EVENT_TITLES = {
    "state_violence": "State-on-state violence",
    "deaths_any": "Any {focus} death",
    "attacks_at_least": "At least k militia attacks",
}
SCORE_LABELS = {
    "rps": "RPS, violence class",
    "brier_classes": "Brier, violence class",
    "log_classes": "Log, violence class",
    "brier_state_violence": "Brier, state-on-state violence",
    "log_state_violence": "Log, state-on-state violence",
    "brier_deaths_any": "Brier, any {focus} death",
    "log_deaths_any": "Log, any {focus} death",
    "brier_attacks_at_least": "Brier, \u2265 k militia attacks",
    "log_attacks_at_least": "Log, \u2265 k militia attacks",
    "crps_attacks": "CRPS, militia attacks",
    "log_attacks": "Log, militia attacks",
    "crps_deaths": "CRPS, {focus} deaths",
    "log_deaths": "Log, {focus} deaths",
}
WINDOW_COLUMNS = (
    "origin",
    "lead",
    "part",
    "forecaster",
    "k_attacks",
    "obs_state_violence",
    "obs_militia_attacks",
    "obs_deaths",
    "p_state_violence",
    "p_deaths_any",
    "p_attacks_at_least",
    "mean_attacks",
    "pit_attacks",
)
SKILL_COLUMNS = ("part", "lead", "score", "windows", "skill_vs_climatology", "skill_vs_persistence")
RELIABILITY_COLUMNS = ("event", "bin_low", "bin_high", "windows", "forecast", "observed")
ENSEMBLE_COLUMNS = ("origin", "lead", "start", "kept", "militia_attacks")
#: the figures' legend below the panels, drawing section headers with HANDLER_MAP
_legend = partial(bottom_legend, handler_map=HANDLER_MAP)


def focus_actor(manifest: dict[str, Any]) -> str:
    """The actor whose deaths the record counts: the first state the manifest lists."""
    for actor in manifest.get("actors", []):
        if isinstance(actor, dict) and actor.get("type") == "state":
            return str(actor.get("name", "focus actor"))
    return "focus actor"


def _pct(p: float) -> str:
    return f"{100 * p:.0f}%"


@dataclass(frozen=True)
class ScoredFolder:
    """The stored tables of a scored run or hindcast folder."""

    path: Path
    manifest: dict[str, Any]
    windows: pd.DataFrame
    skill: pd.DataFrame
    reliability: pd.DataFrame
    coverage: pd.DataFrame
    ensembles: pd.DataFrame | None
    history: dict[str, Any]

    @property
    def kind(self) -> str:
        """``run`` or ``hindcast``."""
        return str(self.manifest["kind"])

    @property
    def focus(self) -> str:
        """The actor whose deaths are scored."""
        return focus_actor(self.manifest)

    @property
    def train_until(self) -> dt.date | None:
        """The last day of the record's calibration part, when it was split."""
        value = self.manifest.get("train_until")
        return dt.date.fromisoformat(str(value)[:10]) if value else None

    def model_windows(self) -> pd.DataFrame:
        """The model's rows of the windows table, by lead and origin."""
        rows = self.windows[self.windows["forecaster"] == MODEL]
        return rows.sort_values(["lead", "origin"]).reset_index(drop=True)

    def record_windows(self) -> pd.DataFrame:
        """One row per window (lead, origin): its part and what the record shows."""
        rows = self.windows.drop_duplicates(["lead", "origin"])
        return rows.sort_values(["lead", "origin"]).reset_index(drop=True)

    def caption(self, width_in: float = FIGSIZE[0]) -> str:
        """Footer line: scenario, replicates, seed, origins, the record scored against.

        Details are left out, least needed first, until the line fits ``width_in`` inches.
        """
        m = self.manifest
        name = self.history.get("history")
        span = ""
        if name and self.history.get("history_start") and self.history.get("history_end"):
            first = dt.date.fromisoformat(str(self.history["history_start"])[:10])
            last = dt.date.fromisoformat(str(self.history["history_end"])[:10])
            span = f" ({fmt_date(first)} \u2013 {fmt_date(last)})"
        source = f" ({m['scenario_file']})" if m.get("scenario_file") else ""
        origins = sorted(self.windows["origin"].unique()) if self.kind == "hindcast" else []

        def parts(keep: int) -> list[str]:  # 0: everything; then no span, no file, no origins
            out = [
                f"Scenario \u201c{m.get('scenario_name', '?')}\u201d"
                + (source if keep < 2 else ""),
                f"{int(m.get('replicates', 0)):,} replicates",
                f"seed {m.get('seed', '?')}",
            ]
            if origins and keep < 3:
                out.append(
                    f"{len(origins)} origins {fmt_date(origins[0])} \u2013 {fmt_date(origins[-1])}"
                )
            if name:
                out.append(f"record \u201c{name}\u201d" + (span if keep < 1 else ""))
            if self.train_until is not None:
                out.append(f"calibration part to {fmt_date(self.train_until)}")
            return out

        return fitted_caption(parts, 4, width_in)


def _scores_table(folder: Path, name: str, required: tuple[str, ...]) -> pd.DataFrame:
    path = folder / SCORES / f"{name}.parquet"
    if not path.is_file():
        raise ResultsError(
            f"{path}: missing; run `escalation score {folder} --history FILE` to score the "
            "folder before plotting its scores."
        )
    table = read_table(path)
    if table.empty:  # a scoring with no window to score writes a table without columns
        return table.reindex(columns=list(dict.fromkeys([*table.columns, *required])))
    missing = [c for c in required if c not in table.columns]
    if missing:
        raise ResultsError(f"{path}: missing column(s) {', '.join(missing)}.")
    return table


def _as_dates(values: pd.Series) -> pd.Series:
    """A column of ISO dates or date objects as ``datetime.date``."""
    return pd.Series(
        [dt.date.fromisoformat(str(v)[:10]) for v in values], index=values.index, dtype=object
    )


def load_scored(folder: Path | str) -> ScoredFolder:
    """Read a scored run or hindcast folder's tables; ResultsError naming what is missing."""
    path = Path(folder)
    manifest = read_manifest(path)
    if manifest["kind"] not in ("run", "hindcast"):
        raise ResultsError(
            f"{path}: a {manifest['kind']} folder; score figures are drawn for scored run and "
            "hindcast folders."
        )
    windows = _scores_table(path, "windows", WINDOW_COLUMNS)
    windows["origin"] = _as_dates(windows["origin"])
    history = table_record(path / SCORES / "windows.parquet") or {}
    if not history.get("history") and isinstance(manifest.get("history"), dict):
        history = manifest["history"]
    ensembles = None
    if manifest["kind"] == "hindcast":
        ensembles = read_table(path / ENSEMBLES, required=ENSEMBLE_COLUMNS)
        ensembles["origin"] = _as_dates(ensembles["origin"])
    return ScoredFolder(
        path=path,
        manifest=manifest,
        windows=windows,
        skill=_scores_table(path, "skill", SKILL_COLUMNS),
        reliability=_scores_table(path, "reliability", RELIABILITY_COLUMNS),
        coverage=_scores_table(path, "coverage", ("part", "lead", "forecaster")),
        ensembles=ensembles,
        history=history,
    )


def _figure(data: ScoredFolder, title: str, figsize: tuple[float, float] = FIGSIZE) -> Figure:
    """A captioned figure whose footer fits its width."""
    return captioned_figure(title, data.caption(figsize[0]), figsize)


def _no_windows(fig: Figure, text: str) -> Figure:
    """``fig`` with ``text`` where the panels would be: there is nothing to draw."""
    ax = fig.add_subplot()
    ax.axis("off")
    ax.text(0.5, 0.5, text, ha="center", va="center", fontsize=11, color="#555555")
    return fig


def k_note(model: pd.DataFrame) -> str:
    """'k = 3 at 30 d, 6 at 60 d': the threshold of the attack event per lead."""
    pairs = model.drop_duplicates("lead").sort_values("lead")
    ks = [int(k) for k in pairs["k_attacks"]]
    if len(set(ks)) == 1:
        return f"k = {ks[0]}"
    leads = [int(v) for v in pairs["lead"]]
    return "k = " + ", ".join(f"{k} at {lead} d" for k, lead in zip(ks, leads, strict=True))


# -- reliability --------------------------------------------------------------------------


def plot_reliability(data: ScoredFolder) -> Figure:
    """Forecast probability vs observed frequency per bin, one panel per binary event."""
    rel = data.reliability
    model = data.model_windows()
    fig = _figure(
        data, "Reliability of the forecast probabilities (model, all windows)", (12.0, 5.4)
    )
    axes = fig.subplots(1, 3, sharey=True)
    width = float((rel["bin_high"] - rel["bin_low"]).min()) if len(rel) else 0.2
    edges = np.linspace(0.0, 1.0, max(1, round(1.0 / width)) + 1)
    most = max(int(rel["windows"].max()), 1) if len(rel) else 1
    for i, (ax, event) in enumerate(zip(axes, EVENT_TITLES, strict=True)):
        style_axes(ax)
        rows = rel[rel["event"] == event].sort_values("bin_low")
        for j in range(0, len(edges) - 1, 2):
            ax.axvspan(edges[j], edges[j + 1], color="#f4f4f4", linewidth=0, zorder=0)
        ax.plot([0, 1], [0, 1], color="#999999", linestyle="--", linewidth=1.0, zorder=1)
        # the forecast of every single window, as a rug along the bottom
        rug = model[f"p_{event}"].dropna().to_numpy(dtype=float)
        ax.vlines(
            rug,
            0.0,
            0.035,
            transform=ax.get_xaxis_transform(),
            color=MODEL_COLOR,
            alpha=0.45,
            linewidth=0.9,
            zorder=2,
        )
        if rows.empty:
            ax.text(0.5, 0.5, "no windows", ha="center", va="center", transform=ax.transAxes)
        else:
            n = rows["windows"].to_numpy(dtype=int)
            x = rows["forecast"].to_numpy(dtype=float)
            y = rows["observed"].to_numpy(dtype=float)
            ci = np.array(
                [wilson_interval(round(yi * ni), int(ni)) for yi, ni in zip(y, n, strict=True)]
            )
            ax.errorbar(
                x,
                y,
                yerr=[y - ci[:, 0], ci[:, 1] - y],
                fmt="none",
                ecolor="#555555",
                elinewidth=1.0,
                capsize=3,
                zorder=3,
            )
            ax.scatter(
                x,
                y,
                s=25 + 175 * np.sqrt(n / most),
                color=MODEL_COLOR,
                edgecolors="white",
                linewidths=0.8,
                zorder=4,
            )
            for xi, yi, ni in zip(x, y, n, strict=True):
                right = xi < 0.8
                ax.annotate(
                    f"n={ni}",
                    (xi, yi),
                    xytext=(8 if right else -8, 6 if yi < 0.9 else -10),
                    textcoords="offset points",
                    ha="left" if right else "right",
                    fontsize=8,
                    color="#333333",
                    zorder=5,
                )
        ax.set_xlim(-0.02, 1.02)
        ax.set_ylim(-0.02, 1.04)
        ax.set_aspect("equal", adjustable="box")
        ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        title = EVENT_TITLES[event].format(focus=data.focus)
        count = int(model[f"p_{event}"].notna().sum())
        windows = f"{count:,} window{'s' if count != 1 else ''}"
        if event == "attacks_at_least" and len(model):
            title += f"\n({k_note(model)}; {windows})"
        else:
            title += f"\n({windows})"
        ax.set_title(plain(title), fontsize=10)
        ax.set_xlabel("Forecast probability (%)")
        if i == 0:
            ax.set_ylabel("Observed frequency in the record (%)")
    _legend(
        fig,
        [
            Line2D([], [], color=MODEL_COLOR, marker="o", linestyle="none", markersize=7),
            Line2D([], [], color="#555555", marker="|", linestyle="none", markersize=10),
            Line2D([], [], color=MODEL_COLOR, alpha=0.45, marker="|", linestyle="none"),
            Line2D([], [], color="#999999", linestyle="--"),
            Patch(facecolor="#f4f4f4", edgecolor="#dddddd"),
        ],
        [
            "bin: mean forecast vs observed share\n(size and n: windows in the bin)",
            "95% Wilson interval\nof the observed share",
            "forecast of one window (rug)",
            "perfectly reliable",
            "probability bin",
        ],
        ncols=5,
    )
    return fig


# -- skill --------------------------------------------------------------------------------


def score_order(skill: pd.DataFrame) -> list[str]:
    present = list(dict.fromkeys(str(s) for s in skill["score"]))
    return [s for s in SKILL_SCORES if s in present] + [s for s in present if s not in SKILL_SCORES]


def score_parts(table: pd.DataFrame) -> list[str]:
    present = {str(p) for p in table["part"].unique()}
    order = [p for p in (CALIBRATION, HELD_OUT, WHOLE) if p in present]
    return order + sorted(present - set(order))


def plot_skill(data: ScoredFolder) -> Figure:
    """Skill vs climatology and vs persistence per score; one panel per part and lead."""
    skill = data.skill
    title = "Skill of the model against climatology and persistence"
    if skill.empty:
        return _no_windows(
            _figure(data, title),
            "no window in which the model, climatology and persistence all forecast",
        )
    parts = score_parts(skill)
    leads = sorted(int(v) for v in skill["lead"].unique())
    scores = score_order(skill)
    nrows, ncols = len(parts), len(leads)
    height = max(4.8, 0.26 * len(scores) * nrows + 2.2)
    fig = _figure(data, title, (max(10.0, 4.6 * ncols + 2.4), height))
    axes = fig.subplots(nrows, ncols, sharex=True, sharey=True, squeeze=False)
    y = np.arange(len(scores))
    h = 0.38
    lo, hi = SKILL_RANGE
    for r, part in enumerate(parts):
        for c, lead in enumerate(leads):
            ax = axes[r][c]
            style_axes(ax)
            ax.grid(False, axis="y")
            ax.axvspan(0, hi, color="#eef6ee", linewidth=0, zorder=0)
            rows = skill[(skill["part"] == part) & (skill["lead"] == lead)]
            rows = rows.drop_duplicates("score").set_index("score").reindex(scores)
            for offset, ref, color in (
                (-h / 2, CLIMATOLOGY, CLIM_COLOR),
                (h / 2, PERSISTENCE, PERS_COLOR),
            ):
                values = rows[f"skill_vs_{ref}"].to_numpy(dtype=float)
                shown = np.clip(np.nan_to_num(values, nan=0.0), lo, hi)
                ax.barh(y + offset, shown, height=h, color=color, zorder=2)
                for yi, v in zip(y + offset, values, strict=True):
                    if not math.isfinite(v):
                        ax.text(0.03, yi, "n/a", va="center", fontsize=6.5, color="#777777")
                    elif v < lo or v > hi:
                        text = f"{v:,.0f}" if abs(v) >= 10 else f"{v:.1f}"
                        at_low = v < lo
                        ax.text(
                            lo + 0.04 if at_low else hi - 0.04,
                            yi,
                            text.replace("-", "\u2212"),
                            ha="left" if at_low else "right",
                            va="center",
                            fontsize=6.5,
                            color="white",
                            fontweight="bold",
                            zorder=3,
                        )
            ax.axvline(0, color="#333333", linewidth=0.9, zorder=2.5)
            ax.set_xlim(lo - 0.05, hi + 0.05)
            count = rows["windows"].dropna()
            n = int(count.iloc[0]) if len(count) else 0
            label = PART_LABELS.get(part, part)
            plural = "s" if n != 1 else ""
            ax.set_title(
                plain(f"{label} \u00b7 {lead}-day window{plural} \u00b7 n = {n:,}"),
                fontsize=10,
            )
            ax.tick_params(axis="y", labelsize=8.5)
            if r == nrows - 1:
                ax.set_xlabel("Skill: 1 \u2212 model score / reference score")
    labels = [SCORE_LABELS.get(s, s).format(focus=data.focus) for s in scores]
    axes[0][0].set_yticks(y, [plain(t) for t in labels])
    axes[0][0].invert_yaxis()  # shared: the first score on top in every panel
    _legend(
        fig,
        [Patch(color=CLIM_COLOR), Patch(color=PERS_COLOR), Patch(facecolor="#eef6ee")],
        ["vs climatology", "vs persistence", "model better than the reference"],
        ncols=3,
        title=(
            "Skill > 0: the model scores better than the reference (1: perfect); < 0: worse.\n"
            "Bars clipped to [\u22122, 1], the true value written where clipped; "
            "n/a: no reference forecast, or a reference scoring 0."
        ),
    )
    return fig


# -- hindcast: attacks by origin ----------------------------------------------------------


def _dates(values: Sequence[dt.date] | pd.Series) -> np.ndarray:
    return np.array([np.datetime64(v, "D") for v in values])


def _spacing_days(origins: Sequence[dt.date]) -> float:
    """The smallest gap between successive origins, in days (30 when there is one origin)."""
    ordered = sorted(set(origins))
    gaps = [(b - a).days for a, b in zip(ordered, ordered[1:], strict=False)]
    return float(min(gaps)) if gaps else 30.0


def _origin_axis(ax: Axes, origins: Sequence[dt.date], spacing: float) -> None:
    ax.xaxis.set_major_locator(mdates.AutoDateLocator(minticks=4, maxticks=12))
    ax.xaxis.set_major_formatter(CalendarFormatter())
    first, last = min(origins), max(origins)
    pad = dt.timedelta(days=0.6 * spacing)
    # matplotlib's stub wants floats; dates are converted by the axis, as everywhere here
    ax.set_xlim(first - pad, last + pad)  # type: ignore[arg-type]


def _split(
    ax: Axes, model: pd.DataFrame, train_until: dt.date | None, below_pt: float = 3.0
) -> Line2D | None:
    """A vertical line between the last calibration window and the first held-out one.

    A window belongs to the calibration part when it ends by ``train_until``, so on an axis of
    origins the split lies ``lead`` days before ``train_until``, between two origins.
    """
    if train_until is None:
        return None
    cal = model.loc[model["part"] == CALIBRATION, "origin"]
    held = model.loc[model["part"] == HELD_OUT, "origin"]
    if cal.empty or held.empty:
        return None
    last, first = max(cal), min(held)
    at = last + (first - last) / 2 if first > last else first
    when = np.datetime64(at, "D") if isinstance(at, dt.date) else np.datetime64(at)
    # matplotlib's stub wants a float x; a date is converted by the axis
    line = ax.axvline(when, color=SPLIT_COLOR, linestyle=(0, (5, 3)), linewidth=1.1, zorder=1.5)  # type: ignore[arg-type]
    ax.annotate(
        "calibration | held out",
        xy=(float(mdates.date2num(when)), 1.0),
        xycoords=("data", "axes fraction"),
        xytext=(0, -below_pt),
        textcoords="offset points",
        ha="center",
        va="top",
        fontsize=7.5,
        color=SPLIT_COLOR,
        bbox={"boxstyle": "round,pad=0.2", "facecolor": "white", "edgecolor": "none"},
        zorder=6,
    )
    return line


def _split_label(train_until: dt.date | None) -> str:
    return (
        f"split: windows ending after {fmt_date(train_until)} are held out"
        if train_until is not None
        else ""
    )


def _coverage_note(model: pd.DataFrame) -> str:
    """'record in 50% / 90% interval: 8% / 25% of 12 calibration windows; …'."""
    notes = []
    for part in score_parts(model):
        rows = model[model["part"] == part]
        if "in50_attacks" not in rows or "in90_attacks" not in rows or rows.empty:
            continue
        in50 = float(rows["in50_attacks"].mean())
        in90 = float(rows["in90_attacks"].mean())
        name = {CALIBRATION: "calibration", HELD_OUT: "held-out", WHOLE: ""}.get(part, part)
        notes.append(
            f"{_pct(in50)} / {_pct(in90)} of {len(rows)} {name} windows".replace("  ", " ")
        )
    if not notes:
        return ""
    return "record inside the 50% / 90% interval: " + "; ".join(notes)


def ensemble_stats(ens: pd.DataFrame) -> dict[tuple[int, dt.date], tuple[np.ndarray, float, int]]:
    """Per (lead, origin): the 5, 25, 75, 95 % quantiles, mean and count of militia attacks."""
    out: dict[tuple[int, dt.date], tuple[np.ndarray, float, int]] = {}
    for key, group in ens.groupby(["lead", "origin"], sort=True):
        lead, origin = cast(tuple[Any, dt.date], key)
        values = group["militia_attacks"].to_numpy(dtype=float)
        if len(values):
            quantiles = np.quantile(values, [0.05, 0.25, 0.75, 0.95])
            out[(int(lead), origin)] = (quantiles, float(values.mean()), len(values))
    return out


def plot_hindcast_attacks(data: ScoredFolder) -> Figure:
    """Per lead, by origin: the model's intervals and mean of militia attacks, and the record."""
    if data.ensembles is None:
        raise ResultsError(f"{data.path}: not a hindcast folder (no {ENSEMBLES}).")
    title = "Militia attacks in the window from each origin: the model's forecasts and the record"
    ens = data.ensembles
    model = data.model_windows()
    record = data.record_windows()
    leads = sorted(int(v) for v in record["lead"].unique())
    if not leads:
        return _no_windows(_figure(data, title), "no windows were scored")
    origins = sorted(set(record["origin"]))
    spacing = _spacing_days(origins)
    total = int(data.manifest.get("replicates", 0)) or None
    starts = ens["start"].astype(str).to_numpy()
    spun = ensemble_stats(ens[(starts == "spun_up") & ens["kept"].to_numpy(dtype=bool)])
    cold = ensemble_stats(ens[starts == "cold"])
    clim = data.windows[data.windows["forecaster"] == CLIMATOLOGY]
    clim_mean = {
        (int(lead), origin): float(value)
        for lead, origin, value in zip(
            clim["lead"], clim["origin"], clim["mean_attacks"], strict=True
        )
    }
    fig = _figure(data, title, (11.0, max(5.5, 3.0 * len(leads) + 1.4)))
    axes = fig.subplots(len(leads), 1, sharex=True, squeeze=False)[:, 0]
    width = 0.4 * spacing
    dodge = dt.timedelta(days=0.3 * spacing)
    few = False
    for ax, lead in zip(axes, leads, strict=True):
        style_axes(ax)
        rec = record[record["lead"] == lead].sort_values("origin")
        at = list(rec["origin"])
        mine = [o for o in at if (lead, o) in spun]
        x = _dates(mine)
        qs = np.array([spun[(lead, o)][0] for o in mine]).reshape(-1, 4)
        q05, q25, q75, q95 = qs.T
        mean = np.array([spun[(lead, o)][1] for o in mine])
        ax.bar(
            x,
            q95 - q05,
            bottom=q05,
            width=width,
            color=MODEL_LIGHT,
            edgecolor=MODEL_LIGHT,
            linewidth=1.2,
            zorder=2,
        )
        ax.bar(
            x,
            q75 - q25,
            bottom=q25,
            width=width,
            color=MODEL_MID,
            edgecolor=MODEL_MID,
            linewidth=1.2,
            zorder=2.2,
        )
        ax.plot(
            x,
            mean,
            color=MODEL_COLOR,
            marker="o",
            markersize=4.5,
            markeredgecolor="white",
            linewidth=1.2,
            zorder=3,
        )
        cold_at = [o for o in at if (lead, o) in cold]
        cm = np.array([cold[(lead, o)][1] for o in cold_at])
        ax.plot(_dates(cold_at), cm, color=COLD_COLOR, linestyle="--", linewidth=1.3, zorder=2.8)
        clim_at = [o for o in at if (lead, o) in clim_mean]
        ax.plot(
            _dates(clim_at),
            [clim_mean[(lead, o)] for o in clim_at],
            color=CLIM_COLOR,
            linestyle=":",
            linewidth=1.6,
            zorder=2.6,
        )
        obs = rec["obs_militia_attacks"].to_numpy(float)
        low = (
            rec["obs_militia_attacks_low"].to_numpy(float)
            if "obs_militia_attacks_low" in rec
            else obs
        )
        high = (
            rec["obs_militia_attacks_high"].to_numpy(float)
            if "obs_militia_attacks_high" in rec
            else obs
        )
        ax.errorbar(
            _dates([o + dodge for o in at]),
            obs,
            yerr=[np.maximum(obs - low, 0), np.maximum(high - obs, 0)],
            fmt="D",
            color=RECORD_COLOR,
            markersize=4,
            elinewidth=1.0,
            capsize=2.5,
            zorder=4,
        )
        top = float(np.nanmax(np.r_[q95, high, obs, mean, cm, 1.0]))
        ax.set_ylim(0, top * 1.25 + 0.5)
        # fewer kept replicates than were run: say how many the interval rests on
        for origin in at:
            kept = spun[(lead, origin)][2] if (lead, origin) in spun else 0
            if total is not None and kept < total:
                few = True
                ax.annotate(
                    f"{kept:,}",
                    xy=(float(mdates.date2num(np.datetime64(origin, "D"))), 1.0),
                    xycoords=("data", "axes fraction"),
                    xytext=(0, -2),
                    textcoords="offset points",
                    ha="center",
                    va="top",
                    fontsize=6.5,
                    color="#666666",
                    zorder=6,
                )
        _split(ax, rec, data.train_until, below_pt=14.0 if few else 3.0)
        note = _coverage_note(model[model["lead"] == lead])
        ax.set_title(
            plain(f"{lead}-day windows" + (f" \u00b7 {note}" if note else "")), fontsize=9.5
        )
        ax.set_ylabel("Militia attacks in the window")
    _origin_axis(axes[-1], origins, spacing)
    split = _split_label(data.train_until)
    axes[-1].set_xlabel(
        "Forecast origin (first day of the window; the record is drawn just right of it)"
        + (f"\n{split}" if split else "")
    )
    handles: list[object] = [
        Patch(color=MODEL_LIGHT),
        Patch(color=MODEL_MID),
        Line2D([], [], color=MODEL_COLOR, marker="o", markeredgecolor="white"),
        Line2D([], [], color=COLD_COLOR, linestyle="--"),
        Line2D([], [], color=CLIM_COLOR, linestyle=":", linewidth=1.6),
        Line2D([], [], color=RECORD_COLOR, marker="D", markersize=4),
    ]
    labels = [
        "model (spun up): 90% interval",
        "model (spun up): 50% interval",
        "model (spun up): mean",
        "model from a cold start\nat the origin: mean",
        "climatology: mean",
        "record: best estimate,\nbars: its low\u2013high range",
    ]
    if data.train_until is not None:
        handles.append(Line2D([], [], color=SPLIT_COLOR, linestyle=(0, (5, 3))))
        labels.append("calibration | held out")
    if few:
        handles += [SectionHeader()]
        labels += [
            f"numbers at the top: spun-up\nreplicates kept (of {total:,}),\nthose whose spin-up\n"
            "agrees with the record"
        ]
    side_legend(axes[0], handles, labels)
    return fig


# -- hindcast: probabilities by origin ----------------------------------------------------


def plot_hindcast_probabilities(data: ScoredFolder) -> Figure:
    """P(state-on-state violence) and P(any death of the focus actor) by origin, per lead."""
    w = data.windows
    record = data.record_windows()
    leads = sorted(int(v) for v in record["lead"].unique())
    title = "Probabilities from each origin, and what the record shows"
    if not leads:
        return _no_windows(_figure(data, title), "no windows were scored")
    origins = sorted(set(record["origin"]))
    spacing = _spacing_days(origins)
    events = [
        ("state_violence", "P(state-on-state violence)", "obs_state_violence"),
        ("deaths_any", f"P(any {data.focus} death)", "obs_deaths"),
    ]
    fig = _figure(data, title, (max(11.0, 4.3 * len(leads) + 2.6), 7.2))
    axes = fig.subplots(len(events), len(leads), sharex=True, sharey=True, squeeze=False)
    for r, (event, name_of_event, obs_col) in enumerate(events):
        for c, lead in enumerate(leads):
            ax = axes[r][c]
            style_axes(ax)
            for name, color, style, width, marker in (
                (CLIMATOLOGY, CLIM_COLOR, ":", 1.6, ""),
                (COLD, COLD_COLOR, "--", 1.3, ""),
                (MODEL, MODEL_COLOR, "-", 1.6, "o"),
            ):
                rows = w[(w["forecaster"] == name) & (w["lead"] == lead)].sort_values("origin")
                if rows.empty:
                    continue
                ax.plot(
                    _dates(list(rows["origin"])),
                    rows[f"p_{event}"].to_numpy(float),
                    color=color,
                    linestyle=style,
                    linewidth=width,
                    marker=marker or None,
                    markersize=4,
                    markeredgecolor="white",
                    zorder=3 if name == MODEL else 2.5,
                )
            rec = record[record["lead"] == lead].sort_values("origin")
            happened = rec[obs_col].to_numpy(float) > 0
            x = _dates(list(rec["origin"]))
            ax.scatter(
                x[happened],
                np.ones(int(happened.sum())),
                marker="s",
                s=34,
                color=HAPPENED_COLOR,
                zorder=4,
                clip_on=False,
            )
            ax.scatter(
                x[~happened],
                np.full(int((~happened).sum()), NOT_HAPPENED_Y),
                marker="s",
                s=30,
                facecolors="white",
                edgecolors=RECORD_COLOR,
                linewidths=0.9,
                zorder=4,
                clip_on=False,
            )
            _split(ax, rec, data.train_until)
            ax.set_ylim(NOT_HAPPENED_Y - 0.045, 1.06)
            ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
            ax.set_title(plain(f"{name_of_event} \u00b7 {lead}-day windows"), fontsize=10)
            if c == 0:
                ax.set_ylabel("Probability in the window (%)")
    _origin_axis(axes[-1][0], origins, spacing)  # all panels share it
    for c in range(len(leads)):
        axes[-1][c].set_xlabel("Forecast origin (first day of the window)")
    handles = [
        Line2D([], [], color=MODEL_COLOR, marker="o", markeredgecolor="white", linewidth=1.6),
        Line2D([], [], color=COLD_COLOR, linestyle="--", linewidth=1.3),
        Line2D([], [], color=CLIM_COLOR, linestyle=":", linewidth=1.6),
        Line2D([], [], color=HAPPENED_COLOR, marker="s", linestyle="none"),
        Line2D(
            [],
            [],
            color=RECORD_COLOR,
            marker="s",
            markerfacecolor="white",
            linestyle="none",
        ),
    ]
    labels = [
        "model (spun up from the record)",
        "model from a cold start at the origin",
        "climatology",
        "record: it happened (at 100%)",
        "record: it did not (just below 0%)",
    ]
    if data.train_until is not None:
        handles.append(Line2D([], [], color=SPLIT_COLOR, linestyle=(0, (5, 3))))
        labels.append(_split_label(data.train_until).replace("split: ", "calibration | held out: "))
    _legend(fig, handles, labels, ncols=3)
    return fig


# -- PIT ----------------------------------------------------------------------------------


def plot_pit(data: ScoredFolder) -> Figure:
    """Histogram of the model's PIT values of militia attacks, with the uniform line."""
    model = data.model_windows()
    model = model[np.isfinite(model["pit_attacks"].to_numpy(float))]
    n = len(model)
    fig = _figure(data, "Calibration of the militia-attack forecasts: PIT histogram (model)")
    ax = fig.add_subplot()
    style_axes(ax)
    edges = np.linspace(0.0, 1.0, PIT_BINS + 1)
    handles: list[object] = []
    labels: list[str] = []
    if n:
        scale = n / PIT_BINS
        parts = score_parts(model)
        colors = {CALIBRATION: MODEL_COLOR, HELD_OUT: PERS_COLOR, WHOLE: MODEL_COLOR}
        values = [model.loc[model["part"] == p, "pit_attacks"].to_numpy(float) for p in parts]
        weights = [np.full(len(v), PIT_BINS / n) for v in values]  # density of the whole
        ax.hist(
            values,
            bins=edges.tolist(),
            weights=weights,
            stacked=True,
            color=[colors.get(p, MODEL_COLOR) for p in parts],
            edgecolor="white",
            linewidth=0.8,
            zorder=2,
        )
        for p in parts:
            count = int((model["part"] == p).sum())
            handles.append(Patch(color=colors.get(p, MODEL_COLOR)))
            label = "windows" if len(parts) == 1 else f"{PART_LABELS.get(p, p).lower()} windows"
            labels.append(f"{label} (n = {count:,})")
        if n >= MIN_PIT_BAND:
            # 90 % of a calibrated forecast's bins hold between these counts (Binomial(n, 1/bins))
            low, high = binom.ppf([0.05, 0.95], n, 1.0 / PIT_BINS)
            band = ax.axhspan(low / scale, high / scale, color="#e4e4e4", linewidth=0, zorder=0)
            handles.append(band)
            labels.append(
                f"90% range of a bin's height\nif the forecasts were\ncalibrated (n = {n:,})"
            )
    else:
        ax.text(0.5, 0.5, "no windows with a PIT value", ha="center", transform=ax.transAxes)
    ax.axhline(1.0, color="#222222", linestyle="--", linewidth=1.2, zorder=3)
    handles.append(Line2D([], [], color="#222222", linestyle="--"))
    labels.append("uniform: calibrated")
    handles += [SectionHeader()] * 4
    labels += [
        "Reading it",
        "flat: calibrated",
        "piled at 1: the record above\nnearly every replicate\n(forecasts too low)",
        "piled at both ends:\nintervals too narrow;\nhump: too wide",
    ]
    leads = sorted(int(v) for v in model["lead"].unique()) if n else []
    ax.set_xlim(0, 1)
    ax.set_ylim(0, None)
    ax.set_xticks(edges)
    ax.set_xlabel(
        "PIT: where the record's militia attacks fall in the model's forecast (randomised for "
        "counts)\n0 = below every replicate, 1 = above every replicate"
    )
    ax.set_ylabel("Density (1 = uniform)")
    windows = ", ".join(f"{lead}-day" for lead in leads)
    title = f"{n:,} window{'s' if n != 1 else ''}" + (f" ({windows})" if windows else "")
    title += f", {PIT_BINS} bins"
    if n < MIN_PIT_BAND:
        title += " \u2014 too few windows to judge calibration"
    ax.set_title(plain(title), fontsize=10)
    leg = side_legend(ax, handles, labels)
    leg.get_texts()[len(labels) - 4].set_fontweight("bold")
    return fig


# -- all figures --------------------------------------------------------------------------


def score_figures(data: ScoredFolder) -> list[tuple[str, Callable[[], Figure]]]:
    """The figures of a scored folder, as (file name, builder): hindcasts get two more."""
    figures: list[tuple[str, Callable[[], Figure]]] = [
        ("reliability.png", lambda: plot_reliability(data)),
        ("skill.png", lambda: plot_skill(data)),
    ]
    if data.kind == "hindcast" and data.ensembles is not None:
        figures += [
            ("hindcast_attacks.png", lambda: plot_hindcast_attacks(data)),
            ("hindcast_probabilities.png", lambda: plot_hindcast_probabilities(data)),
        ]
    figures.append(("pit.png", lambda: plot_pit(data)))
    return figures


def write_score_plots(folder: Path, out: Path, progress: Progress = SILENT) -> list[Path]:
    """Draw the figures of a scored folder into ``out``; return the written paths.

    Raises ResultsError when the folder has no scores (``escalation score`` writes them) or a
    table lacks what the figures need.
    """
    data = load_scored(folder)
    return draw_figures(score_figures(data), out, progress)
