"""Analysis of a stored parameter sweep: outcomes along each parameter, Sobol and Morris indices.

Everything is computed from the files ``escalation sweep`` wrote (``manifest.json`` and
``points.parquet``); no model is run. The results go to ``DIR/analysis/``, replaced atomically:

``marginals.parquet`` / ``.csv``
    Probability of each outcome class (and of a direct clash or war) along each parameter. Grid
    parameters, and sampled parameters with few distinct values (Morris levels, integers), are
    grouped by value; other sampled parameters are cut into equal-count bins. The replicates of
    all points in a group are pooled (counts = p × replicates) and given a 95 % Wilson interval.
    Every point uses the same replicate seeds (common random numbers), so pooled replicates are
    not independent draws: the interval is a within-group sampling interval, somewhat optimistic.
``sobol.parquet`` / ``.csv`` (Sobol designs)
    First-order and total Sobol indices with bootstrap 95 % confidence half-widths per output and
    parameter (Saltelli et al. 2010, via SALib), plus ``noise_share``: for probability outputs,
    the share of the output's variance across points that binomial Monte Carlo noise can explain
    (at most); a large share means more replicates are needed before the indices mean much.
``sobol_s2.parquet`` / ``.csv`` (Sobol designs sampled with second order)
    Second-order indices per parameter pair.
``morris.parquet`` / ``.csv`` (Morris designs)
    Elementary-effect statistics μ, μ*, its 95 % confidence half-width and σ (Morris 1991,
    Campolongo et al. 2007). Effects are per full range of the parameter (SALib scales the
    design to the unit cube), in the output's units.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from rich.console import Console
from rich.table import Table

from simulator.experiment.designs import Design, DesignError
from simulator.results.reader import ResultsError
from simulator.results.writer import replace_subfolder
from simulator.stats import wilson_interval

__all__ = [
    "ANALYSIS_DIR",
    "CLASH_OR_WAR",
    "SENSITIVITY_OUTPUTS",
    "SweepAnalysis",
    "analyze_sweep",
    "morris_indices",
    "outcome_marginals",
    "print_analysis",
    "read_points",
    "read_sweep_manifest",
    "sobol_indices",
]

ANALYSIS_DIR = "analysis"
MANIFEST, POINTS = "manifest.json", "points.parquet"
FORMAT_PREFIX = "escalation-sweep/"
#: the pseudo-outcome "direct clash or war" (war + direct_clash), reported with the classes
CLASH_OR_WAR = "clash_or_war"
DEFAULT_CLASSES = ("war", "direct_clash", "proxy_violence", "contained", "de_escalated")
#: points.parquet columns analysed for sensitivity (those present), with their labels
SENSITIVITY_OUTPUTS: dict[str, str] = {
    "p_clash_or_war": "P(clash or war)",
    "p_war": "P(war)",
    "p_direct_clash": "P(direct clash)",
    "p_proxy_violence": "P(lethal proxy violence)",
    "p_contained": "P(contained)",
    "p_de_escalated": "P(de-escalated)",
    "mean_casualties": "Mean casualties",
    "mean_peak_escalation": "Mean peak escalation",
    "mean_militia_attacks_per_month": "Mean militia attacks / month",
}
#: outputs shown by :func:`print_analysis` (all are stored)
PRINTED_OUTPUTS = ("p_clash_or_war", "p_war", "p_proxy_violence", "mean_casualties")
#: a sampled parameter with at most this many distinct values is grouped by value, not binned
MAX_LEVELS = 12
MAX_BINS = 8
CONF_LEVEL = 0.95
#: warn when a Sobol index's 95 % half-width exceeds this
WIDE_CONF = 0.1
RESAMPLES = 100


@dataclass
class SweepAnalysis:
    """The analysis of one sweep folder, as computed and written by :func:`analyze_sweep`."""

    folder: Path
    manifest: dict
    design: Design
    points: pd.DataFrame
    marginals: pd.DataFrame
    sobol: pd.DataFrame | None = None
    sobol_s2: pd.DataFrame | None = None
    morris: pd.DataFrame | None = None
    files: list[Path] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def parameters(self) -> tuple[str, ...]:
        """Swept parameter paths, in design order."""
        return tuple(p.path for p in self.design.parameters)

    @property
    def kind(self) -> str:
        """The design kind: grid, lhs, sobol or morris."""
        return self.design.kind

    @property
    def replicates(self) -> int:
        """Replicates per design point."""
        return int(self.manifest.get("replicates", 0))

    def outcome_label(self, outcome: str) -> str:
        """Readable label of an outcome class or of ``clash_or_war``."""
        return outcome_label(self.manifest, outcome)

    def caption(self) -> str:
        """One-line provenance note (scenario, design, points × replicates, seed)."""
        return sweep_caption(self.manifest)


def outcome_label(manifest: dict, outcome: str) -> str:
    """Readable label of an outcome class, or "Direct clash or war" for ``clash_or_war``."""
    if outcome == CLASH_OR_WAR:
        return "Direct clash or war"
    labels = manifest.get("outcome_labels") or {}
    return str(labels.get(outcome, outcome.replace("_", " ").capitalize()))


def output_label(column: str) -> str:
    """Readable label of a points.parquet output column."""
    return SENSITIVITY_OUTPUTS.get(column, column)


def design_name(kind: str) -> str:
    """Display name of a design kind."""
    return {"grid": "grid", "lhs": "Latin hypercube", "sobol": "Sobol", "morris": "Morris"}.get(
        kind, kind
    )


def points_text(manifest: dict) -> str:
    """Design size for display, e.g. "320 points (N = 64)" or "30 points"."""
    design = manifest.get("design") or {}
    text = f"{int(manifest.get('points', 0)):,} points"
    if design.get("kind") == "sobol" and design.get("points"):
        text += f" (N = {design['points']})"
    elif design.get("kind") == "morris" and design.get("points"):
        text += f" ({design['points']} trajectories, {design.get('levels', 4)} levels)"
    return text


def sweep_caption(manifest: dict) -> str:
    """Footer line: scenario, design kind, points × replicates and seed."""
    design = manifest.get("design") or {}
    scen = f"Scenario \u201c{manifest.get('scenario_name', '?')}\u201d"
    source = manifest.get("scenario_file")
    if source:
        scen += f" ({source})"
    kind = str(design.get("kind", "?"))
    parts = [
        scen,
        f"{design_name(kind)} design",
        f"{points_text(manifest)} \u00d7 {int(manifest.get('replicates', 0)):,} replicates",
        f"seed {manifest.get('seed', '?')}",
    ]
    if manifest.get("horizon_days"):
        parts.append(f"{manifest['horizon_days']} days")
    return " \u00b7 ".join(parts)


# -- reading ------------------------------------------------------------------------------


def read_sweep_manifest(folder: Path) -> dict:
    """A sweep's manifest, or a ResultsError naming the folder (see :func:`sweep.load_manifest`)."""
    from simulator.experiment.sweep import load_manifest

    return load_manifest(folder)


def manifest_design(manifest: dict, folder: Path) -> Design:
    """The Design recorded in a sweep manifest."""
    try:
        return Design.from_dict(manifest["design"])
    except (TypeError, KeyError, ValueError) as err:
        raise ResultsError(f"{Path(folder) / MANIFEST}: unreadable design ({err}).") from None


def read_points(folder: Path, manifest: dict, design: Design) -> pd.DataFrame:
    """points.parquet sorted by point and checked against the manifest's design."""
    folder = Path(folder)
    path = folder / POINTS
    if not path.exists():
        raise ResultsError(
            f"{path}: missing; the sweep in {folder} has not finished. Run "
            f"`escalation sweep --resume {folder}` to complete it."
        )
    try:
        points = pd.read_parquet(path)
    except Exception as err:  # pyarrow raises several types for damaged files
        raise ResultsError(f"{path}: cannot be read ({err}).") from None
    classes = [str(c) for c in manifest.get("outcome_classes") or DEFAULT_CLASSES]
    needed = ["point", *(p.path for p in design.parameters)]
    needed += [f"p_{c}" for c in classes]
    missing = [c for c in needed if c not in points.columns]
    if missing:
        raise ResultsError(f"{path}: missing columns {', '.join(missing)}.")
    points = points.sort_values("point", kind="stable").reset_index(drop=True)
    expected = manifest.get("points")
    if expected is not None and len(points) != int(expected):
        raise ResultsError(
            f"{path}: {len(points)} rows but the manifest lists {expected} design points."
        )
    if not np.array_equal(points["point"].to_numpy(), np.arange(len(points))):
        raise ResultsError(f"{path}: design points are not numbered 0..{len(points) - 1}.")
    if "replicates" not in points.columns:
        points["replicates"] = int(manifest["replicates"])
    if "complete" not in points.columns:
        points["complete"] = points["replicates"] >= int(manifest["replicates"])
    if "p_clash_or_war" not in points.columns and {"p_war", "p_direct_clash"} <= set(points):
        points["p_clash_or_war"] = points["p_war"] + points["p_direct_clash"]
    return points


def _check_matrix(points: pd.DataFrame, design: Design, path: Path) -> np.ndarray:
    """The design matrix, after checking that points.parquet holds the same values."""
    try:
        matrix = design.matrix()
    except DesignError as err:
        raise ResultsError(f"{path}: the manifest's design cannot be rebuilt ({err}).") from None
    stored = points[[p.path for p in design.parameters]].to_numpy(dtype=float)
    if stored.shape != matrix.shape or not np.allclose(stored, matrix, rtol=1e-9, atol=1e-12):
        raise ResultsError(
            f"{path}: parameter values differ from the design in manifest.json; the analysis "
            "needs the outputs in design order."
        )
    return matrix


# -- marginals ----------------------------------------------------------------------------


def _groups(values: np.ndarray, by_level: bool, bounds: tuple[float, float], bins: int):
    """Yield (bin index, member indices, low, high, representative value) along a parameter."""
    if by_level:
        for i, level in enumerate(np.unique(values)):
            yield i, np.flatnonzero(values == level), float(level), float(level), float(level)
        return
    order = np.argsort(values, kind="stable")
    parts = [part for part in np.array_split(order, bins) if len(part)]
    # Equal-count bins tiling [low bound, high bound]: inner edges halfway between neighbours.
    edges = [bounds[0]]
    for left, right in zip(parts, parts[1:], strict=False):
        edges.append(0.5 * (values[left].max() + values[right].min()))
    edges.append(bounds[1])
    for i, part in enumerate(parts):
        yield i, part, float(edges[i]), float(edges[i + 1]), float(values[part].mean())


def bin_count(n_points: int) -> int:
    """Equal-count bins for a sampled parameter: 6–8 for usual sweeps, fewer for tiny ones."""
    return int(min(MAX_BINS, max(1, n_points // 8)))


def outcome_marginals(
    points: pd.DataFrame,
    design: Design,
    classes: list[str] | tuple[str, ...] = DEFAULT_CLASSES,
    bins: int | None = None,
) -> pd.DataFrame:
    """Pooled outcome probabilities along each parameter, with 95 % Wilson intervals.

    For each parameter, the points are grouped (by value for grids and parameters with at most
    :data:`MAX_LEVELS` distinct values, else into ``bins`` equal-count bins) and the outcome
    counts ``round(p × replicates)`` of the points in a group are summed. Columns: parameter,
    grouping ("level" or "bin"), bin, value (the level, or the mean over the bin's points),
    bin_low, bin_high, centre, points, outcome, k, n, p, low, high.
    """
    n_rep = points["replicates"].to_numpy(dtype=np.int64)
    outcomes = list(classes) + ([CLASH_OR_WAR] if "p_clash_or_war" in points.columns else [])
    counts = {
        o: np.rint(points[f"p_{o}"].fillna(0.0).to_numpy(dtype=float) * n_rep).astype(np.int64)
        for o in outcomes
    }
    bins = bins or bin_count(len(points))
    rows = []
    for param in design.parameters:
        values = points[param.path].to_numpy(dtype=float)
        by_level = design.kind == "grid" or len(np.unique(values)) <= MAX_LEVELS
        bounds = (float(values.min()), float(values.max()))
        if param.low is not None and param.high is not None:
            bounds = (min(bounds[0], param.low), max(bounds[1], param.high))
        for index, members, low, high, value in _groups(values, by_level, bounds, bins):
            n = int(n_rep[members].sum())
            for o in outcomes:
                k = int(counts[o][members].sum())
                lo, hi = wilson_interval(k, n)
                rows.append(
                    {
                        "parameter": param.path,
                        "grouping": "level" if by_level else "bin",
                        "bin": index,
                        "value": value,
                        "bin_low": low,
                        "bin_high": high,
                        "centre": 0.5 * (low + high),
                        "points": len(members),
                        "outcome": o,
                        "k": k,
                        "n": n,
                        "p": k / n if n else math.nan,
                        "low": lo,
                        "high": hi,
                    }
                )
    return pd.DataFrame(rows)


# -- sensitivity indices ------------------------------------------------------------------


def _outputs(points: pd.DataFrame, outputs: tuple[str, ...] | None) -> list[str]:
    wanted = outputs if outputs is not None else tuple(SENSITIVITY_OUTPUTS)
    return [c for c in wanted if c in points.columns]


def _output_values(points: pd.DataFrame, column: str, path: Path) -> np.ndarray:
    y = points[column].to_numpy(dtype=float)
    if not np.all(np.isfinite(y)):
        raise ResultsError(f"{path}: column {column} has missing values at some design points.")
    return y


def _noise_share(points: pd.DataFrame, column: str, y: np.ndarray) -> float:
    """Upper bound on the share of var(y) across points due to binomial sampling noise."""
    if not column.startswith("p_"):
        return math.nan
    var = float(np.var(y))
    if var <= 0:
        return math.nan
    n = points["replicates"].to_numpy(dtype=float)
    noise = float(np.mean(y * (1 - y) / np.maximum(n, 1)))
    return min(1.0, noise / var)


def sobol_indices(
    points: pd.DataFrame,
    design: Design,
    outputs: tuple[str, ...] | None = None,
    path: Path = Path(POINTS),
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """Sobol S1/ST (and S2 when sampled) per output column and parameter.

    ``points`` must be in design order. An output that is constant over the design has no
    variance to apportion: its indices are NaN.
    """
    from SALib.analyze import sobol

    problem = design.problem()
    names = problem["names"]
    first, second = [], []
    for column in _outputs(points, outputs):
        y = _output_values(points, column, path)
        noise = _noise_share(points, column, y)
        if np.ptp(y) == 0:
            res = {key: np.full(len(names), np.nan) for key in ("S1", "S1_conf", "ST", "ST_conf")}
            res["S2"] = res["S2_conf"] = np.full((len(names), len(names)), np.nan)
        else:
            try:
                with warnings.catch_warnings(), np.errstate(all="ignore"):
                    warnings.simplefilter("ignore")
                    res = sobol.analyze(
                        problem,
                        y,
                        calc_second_order=design.second_order,
                        num_resamples=RESAMPLES,
                        conf_level=CONF_LEVEL,
                        # a Generator, because SALib ignores an int seed of 0 (`if seed:`)
                        seed=np.random.default_rng(design.seed),
                    )
            except RuntimeError as err:  # wrong sample size for the design
                raise ResultsError(f"{path}: Sobol analysis of {column} failed: {err}") from None
        for j, name in enumerate(names):
            first.append(
                {
                    "output": column,
                    "parameter": name,
                    "S1": float(res["S1"][j]),
                    "S1_conf": float(res["S1_conf"][j]),
                    "ST": float(res["ST"][j]),
                    "ST_conf": float(res["ST_conf"][j]),
                    "noise_share": noise,
                }
            )
        if design.second_order:
            for j in range(len(names)):
                for k in range(j + 1, len(names)):
                    second.append(
                        {
                            "output": column,
                            "parameter_1": names[j],
                            "parameter_2": names[k],
                            "S2": float(res["S2"][j][k]),
                            "S2_conf": float(res["S2_conf"][j][k]),
                        }
                    )
    s2 = pd.DataFrame(second) if design.second_order else None
    return pd.DataFrame(first), s2


def morris_indices(
    points: pd.DataFrame,
    design: Design,
    matrix: np.ndarray,
    outputs: tuple[str, ...] | None = None,
    path: Path = Path(POINTS),
) -> pd.DataFrame:
    """Morris μ, μ*, μ* 95 % confidence half-width and σ per output column and parameter."""
    from SALib.analyze import morris

    problem = design.problem()
    rows = []
    for column in _outputs(points, outputs):
        y = _output_values(points, column, path)
        try:
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore")
                res = morris.analyze(
                    problem,
                    np.asarray(matrix, dtype=float),
                    y,
                    num_resamples=RESAMPLES,
                    conf_level=CONF_LEVEL,
                    num_levels=design.levels,
                    seed=np.random.default_rng(design.seed),
                )
        except (RuntimeError, ValueError) as err:
            raise ResultsError(f"{path}: Morris analysis of {column} failed: {err}") from None
        for j, name in enumerate(problem["names"]):
            rows.append(
                {
                    "output": column,
                    "parameter": name,
                    "mu": float(res["mu"][j]),
                    "mu_star": float(res["mu_star"][j]),
                    "mu_star_conf": float(res["mu_star_conf"][j]),
                    "sigma": float(res["sigma"][j]),
                }
            )
    return pd.DataFrame(rows)


# -- the whole analysis -------------------------------------------------------------------


def analyze_sweep(folder: Path) -> SweepAnalysis:
    """Analyse a finished sweep folder and (re)write ``folder/analysis/`` atomically.

    Raises ResultsError for a folder that is not a sweep, a missing or damaged points.parquet,
    and for incomplete design points in Sobol and Morris designs (whose estimators need every
    point). Grid and Latin-hypercube marginals leave incomplete points out, with a warning.
    """
    folder = Path(folder)
    manifest = read_sweep_manifest(folder)
    design = manifest_design(manifest, folder)
    points = read_points(folder, manifest, design)
    path = folder / POINTS
    notes: list[str] = []
    complete = points["complete"].to_numpy(dtype=bool)
    if not complete.all():
        missing = int((~complete).sum())
        resume = f"`escalation sweep --resume {folder}`"
        if design.kind in ("sobol", "morris") or missing == len(points):
            raise ResultsError(
                f"{path}: the sweep is incomplete ({missing} of {len(points)} design points lack "
                f"replicates, see {folder / 'failures'}); run {resume} to finish it"
                + (
                    f" — the {design_name(design.kind)} analysis needs every point."
                    if design.kind in ("sobol", "morris")
                    else "."
                )
            )
        notes.append(
            f"{missing} of {len(points)} design points are incomplete and were left out; "
            f"run {resume} to finish them."
        )
    used = points[complete].reset_index(drop=True)
    classes = [str(c) for c in manifest.get("outcome_classes") or DEFAULT_CLASSES]
    analysis = SweepAnalysis(
        folder=folder,
        manifest=manifest,
        design=design,
        points=used,
        marginals=outcome_marginals(used, design, classes),
        warnings=notes,
    )
    if design.kind == "sobol":
        _check_matrix(points, design, path)
        analysis.sobol, analysis.sobol_s2 = sobol_indices(points, design, path=path)
        conf = analysis.sobol[["S1_conf", "ST_conf"]].to_numpy(dtype=float)
        widest = float(np.nanmax(conf)) if np.isfinite(conf).any() else 0.0
        if widest > WIDE_CONF:
            notes.append(
                f"Sobol confidence half-widths reach {widest:.2f} with N = {design.points} base "
                "samples; a larger --points narrows them (the error shrinks as 1/sqrt(N))."
            )
    elif design.kind == "morris":
        matrix = _check_matrix(points, design, path)
        analysis.morris = morris_indices(points, design, matrix, path=path)
    tables = {
        "marginals": analysis.marginals,
        "sobol": analysis.sobol,
        "sobol_s2": analysis.sobol_s2,
        "morris": analysis.morris,
    }
    tables = {name: t for name, t in tables.items() if t is not None}

    def fill(tmp: Path) -> None:
        for name, table in tables.items():
            table.to_parquet(tmp / f"{name}.parquet", index=False)
            table.to_csv(tmp / f"{name}.csv", index=False)

    replace_subfolder(folder, ANALYSIS_DIR, fill)
    out = folder / ANALYSIS_DIR
    analysis.files = [out / f"{name}.{ext}" for name in tables for ext in ("parquet", "csv")]
    return analysis


# -- printing -----------------------------------------------------------------------------


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
    table = Table(
        title=f"Along {param}" + (" (equal-count bins)" if binned else ""),
        title_justify="left",
        title_style="bold",
    )
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


def _sobol_tables(analysis: SweepAnalysis) -> list[Table]:
    sobol = analysis.sobol
    shown = [o for o in PRINTED_OUTPUTS if (sobol["output"] == o).any()]
    tables = []
    for output in shown or list(dict.fromkeys(sobol["output"])):
        rows = sobol[sobol["output"] == output].sort_values("ST", ascending=False)
        noise = float(rows["noise_share"].iloc[0])
        caption = None
        if rows["ST"].isna().all():
            caption = "constant over the design: no variance to apportion"
        elif math.isfinite(noise):
            caption = f"Monte Carlo noise: ≤ {_pct(noise)} of the variance"
        table = Table(
            title=f"Sobol indices of {output_label(output)}",
            title_justify="left",
            title_style="bold",
            caption=caption,
            caption_justify="left",
        )
        table.add_column("parameter", no_wrap=True)
        table.add_column("S1 ± 95%", justify="right", no_wrap=True)
        table.add_column("ST ± 95%", justify="right", no_wrap=True)
        for _, r in rows.iterrows():
            table.add_row(
                r["parameter"], _index(r["S1"], r["S1_conf"]), _index(r["ST"], r["ST_conf"])
            )
        tables.append(table)
    return tables


def _s2_table(analysis: SweepAnalysis) -> Table:
    table = Table(title="Second-order Sobol indices S2", title_justify="left", title_style="bold")
    table.add_column("output")
    table.add_column("parameters")
    table.add_column("S2", justify="right")
    s2 = analysis.sobol_s2
    for output in [o for o in PRINTED_OUTPUTS if (s2["output"] == o).any()]:
        rows = s2[s2["output"] == output]
        for i, (_, r) in enumerate(rows.iterrows()):
            table.add_row(
                output_label(output) if i == 0 else "",
                f"{r['parameter_1']} × {r['parameter_2']}",
                _index(r["S2"], r["S2_conf"]),
            )
        table.add_section()
    return table


def _morris_tables(analysis: SweepAnalysis) -> list[Table]:
    morris = analysis.morris
    shown = [o for o in PRINTED_OUTPUTS if (morris["output"] == o).any()]
    tables = []
    for output in shown or list(dict.fromkeys(morris["output"])):
        percent = output.startswith("p_")
        scale = 100.0 if percent else 1.0
        rows = morris[morris["output"] == output].sort_values("mu_star", ascending=False)
        unit = " (points of %)" if percent else ""
        table = Table(
            title=f"Morris effects on {output_label(output)}{unit}",
            title_justify="left",
            title_style="bold",
        )
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
    m = analysis.manifest
    console.print(
        f"[bold]Sweep {analysis.folder}[/]: scenario “{m.get('scenario_name', '?')}”, "
        f"{design_name(analysis.kind)} design over {len(analysis.parameters)} parameter(s), "
        f"{points_text(m)} × {analysis.replicates:,} replicates, seed {m.get('seed', '?')}.",
        highlight=False,
    )
    for note in analysis.warnings:
        console.print(f"[yellow]warning:[/] {note}", highlight=False)
    console.print(
        "Outcome shares (% of replicates) along each parameter, pooled over the other "
        "parameters, with the 95% Wilson interval under each share (n: replicates pooled). "
        "[dim]Every point reuses the "
        "same replicate seeds, so pooled replicates are not independent: read the intervals as "
        "indicative.[/]",
        highlight=False,
    )
    for param in analysis.parameters:
        console.print(marginal_table(analysis.marginals, param))
    if analysis.sobol is not None and len(analysis.sobol):
        for table in _sobol_tables(analysis):
            console.print(table)
        console.print(
            "[dim]S1: share of an output's variance due to the parameter alone; ST: including "
            "its interactions (± 95% bootstrap half-width). Monte Carlo noise from the finite "
            "replicates per point inflates ST and widens the intervals; when it is a large "
            "share, add replicates.[/]"
        )
    if analysis.sobol_s2 is not None and len(analysis.sobol_s2):
        console.print(_s2_table(analysis))
    if analysis.morris is not None and len(analysis.morris):
        for table in _morris_tables(analysis):
            console.print(table)
        console.print(
            "[dim]Elementary effects per full parameter range. μ*: mean absolute effect "
            "(importance); μ: mean signed effect; σ: spread of the effects (interactions or "
            "non-linearity).[/]"
        )
    names = sorted({p.stem for p in analysis.files})
    console.print(
        f"Analysis: {analysis.folder / ANALYSIS_DIR}/ "
        f"({', '.join(f'{n}.parquet/.csv' for n in names)})",
        highlight=False,
    )
