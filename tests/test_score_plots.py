"""Figures of scores against the record and of a calibration, drawn from synthetic tables.

Every folder here is written with pandas and json into tmp_path (no model is run), in the shape
``escalation score``, ``escalation hindcast`` and ``escalation calibrate`` write, so the module
runs in seconds. Files are checked to exist and hold a non-blank PNG; a few things each figure
must show (the clipped skill's true value, the counts of windows) are checked on the Figure.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import matplotlib.image as mpimg
import numpy as np
import pandas as pd
import pytest
from conftest import RecordingProgress
from matplotlib.figure import Figure

from simulator.plots.calibration import (
    load_calibration,
    plot_posterior_pairs,
    plot_statistics,
    write_calibration_plots,
)
from simulator.plots.scores import (
    load_scored,
    plot_pit,
    plot_reliability,
    plot_skill,
    write_score_plots,
)
from simulator.results.errors import ResultsError
from simulator.results.tables import write_table
from simulator.scoring.score import SKILL_SCORES

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
ACTORS = [
    {"name": "US", "label": "United States", "type": "state"},
    {"name": "Iran", "label": "Iran", "type": "state"},
    {"name": "KH", "label": "Kata'ib Hezbollah", "type": "militia"},
]
LADDER = [{"name": "status_quo", "label": "Status quo", "category": "status quo", "level": 0}]
HISTORY = {
    "history": "synthetic_record",
    "history_file": "history/synthetic.yaml",
    "history_sha256": "0" * 64,
    "history_start": "2020-01-01",
    "history_end": "2020-12-31",
}
HINDCAST_FILES = {
    "reliability.png",
    "skill.png",
    "hindcast_attacks.png",
    "hindcast_probabilities.png",
    "pit.png",
}
RUN_FILES = {"reliability.png", "skill.png", "pit.png"}
CALIBRATION_FILES = {"posterior_marginals.png", "posterior_pairs.png", "statistics.png"}


# -- synthetic folders --------------------------------------------------------------------


def _manifest(folder: Path, kind: str, **fields: Any) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    manifest = {
        "format": "escalation-results/1",
        "kind": kind,
        "scenario_name": "synthetic",
        "scenario_file": "scenarios/synthetic.yaml",
        "seed": 7,
        "replicates": 20,
        "actors": ACTORS,
        "ladder": LADDER,
        "outcome_classes": ["war", "direct_clash", "proxy_violence", "de_escalated"],
        **fields,
    }
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")


def _window_rows(
    origins: list[dt.date], leads: list[int], train_until: dt.date | None, rng: np.random.Generator
) -> pd.DataFrame:
    rows = []
    for origin in origins:
        for lead in leads:
            k = max(1, round(3 * lead / 30))
            end = origin + dt.timedelta(days=lead)
            if train_until is None:
                part = "whole_record"
            else:
                part = "calibration" if end <= train_until + dt.timedelta(days=1) else "held_out"
            attacks = float(rng.integers(0, 3 * k))
            obs = {
                "obs_violence": 2.0,
                "obs_state_violence": float(rng.random() < 0.2),
                "obs_militia_attacks": attacks,
                "obs_militia_attacks_low": max(attacks - 2, 0.0),
                "obs_militia_attacks_high": attacks + 2,
                "obs_deaths": float(rng.random() < 0.3),
            }
            forecasters = ["model", "model_cold", "climatology"]
            if origin != origins[0]:
                forecasters.append("persistence")
            for name in forecasters:
                row: dict[str, Any] = {
                    "origin": origin,
                    "lead": lead,
                    "part": part,
                    "forecaster": name,
                    "replicates": 20 if name.startswith("model") else 0,
                    "k_attacks": k,
                    **obs,
                    "p_state_violence": float(rng.uniform(0, 0.4)),
                    "p_deaths_any": float(rng.uniform(0, 0.6)),
                    "p_attacks_at_least": float(rng.uniform(0, 1)),
                    "mean_attacks": float(rng.uniform(0, 2 * k)),
                    "pit_attacks": float(rng.uniform()),
                    "in50_attacks": float(rng.random() < 0.5),
                    "in90_attacks": float(rng.random() < 0.9),
                }
                for score in SKILL_SCORES:
                    row[score] = float(rng.uniform(0.05, 2.0))
                rows.append(row)
    return pd.DataFrame(rows)


def _skill(windows: pd.DataFrame, extreme: float | None = None) -> pd.DataFrame:
    rows = []
    model = windows[windows["forecaster"] == "model"]
    for (part, lead), group in model.groupby(["part", "lead"]):
        for i, score in enumerate(SKILL_SCORES):
            rows.append(
                {
                    "part": part,
                    "lead": int(lead),
                    "score": score,
                    "windows": len(group),
                    "model": 0.5,
                    "model_cold": 0.6,
                    "climatology": 0.4,
                    "persistence": 0.7,
                    "skill_vs_climatology": extreme if (i == 0 and extreme) else -0.25,
                    "skill_vs_persistence": float("nan") if i == 1 else 0.3,
                    "skill_cold_vs_climatology": -0.5,
                }
            )
    return pd.DataFrame(rows)


def _reliability(windows: pd.DataFrame) -> pd.DataFrame:
    model = windows[windows["forecaster"] == "model"]
    happened = {
        "state_violence": model["obs_state_violence"] > 0,
        "deaths_any": model["obs_deaths"] > 0,
        "attacks_at_least": model["obs_militia_attacks"] >= model["k_attacks"],
    }
    rows = []
    for event, seen in happened.items():
        p = model[f"p_{event}"].to_numpy(float)
        y = seen.to_numpy(float)
        which = np.clip((p * 5).astype(int), 0, 4)
        for b in np.unique(which):
            sel = which == b
            rows.append(
                {
                    "event": event,
                    "bin_low": b / 5,
                    "bin_high": (b + 1) / 5,
                    "windows": int(sel.sum()),
                    "forecast": float(p[sel].mean()),
                    "observed": float(y[sel].mean()),
                }
            )
    return pd.DataFrame(rows)


def _coverage(windows: pd.DataFrame) -> pd.DataFrame:
    keys = ["part", "lead", "forecaster"]
    out = windows.groupby(keys)[["in50_attacks", "in90_attacks"]].mean().reset_index()
    out["windows"] = windows.groupby(keys).size().to_numpy()
    return out


def _scores(folder: Path, windows: pd.DataFrame, extreme: float | None = None) -> None:
    scores = folder / "scores"
    scores.mkdir(parents=True, exist_ok=True)
    write_table(scores / "windows.parquet", windows, {"kind": "scores", **HISTORY})
    _skill(windows, extreme).to_parquet(scores / "skill.parquet", index=False)
    _reliability(windows).to_parquet(scores / "reliability.parquet", index=False)
    _coverage(windows).to_parquet(scores / "coverage.parquet", index=False)


def make_hindcast(folder: Path, scores: bool = True) -> Path:
    """A scored hindcast folder: 6 monthly origins, leads 30 and 60 days, 20 replicates."""
    rng = np.random.default_rng(1)
    origins = [dt.date(2020, m, 1) for m in range(1, 7)]
    leads = [30, 60]
    train_until = dt.date(2020, 3, 31)
    _manifest(
        folder,
        "hindcast",
        start="2020-01-01",
        origins=[o.isoformat() for o in origins],
        leads=leads,
        history=HISTORY,
        train_until=train_until.isoformat(),
    )
    parts = []
    for origin in origins:
        for lead in leads:
            for start in ("spun_up", "cold"):
                n = 20
                parts.append(
                    pd.DataFrame(
                        {
                            "origin": origin,
                            "lead": lead,
                            "start": start,
                            "spin_up_days": 0 if start == "cold" else (origin.month - 1) * 30,
                            "replicate": np.arange(n),
                            "kept": rng.random(n) < (0.8 if start == "spun_up" else 1.0),
                            "violence": rng.integers(0, 4, n).astype(np.int8),
                            "state_violence": rng.random(n) < 0.1,
                            "militia_attacks": rng.poisson(lead / 10, n),
                            "deaths": rng.poisson(0.2, n),
                        }
                    )
                )
    pd.concat(parts, ignore_index=True).to_parquet(folder / "ensembles.parquet", index=False)
    if scores:
        _scores(folder, _window_rows(origins, leads, train_until, rng), extreme=-10_000.0)
    return folder


def make_run(folder: Path, scores: bool = True) -> Path:
    """A scored run folder: one 32-day window over the whole record."""
    rng = np.random.default_rng(2)
    _manifest(folder, "run", start="2020-12-20", horizon_days=90)
    if scores:
        windows = _window_rows([dt.date(2020, 12, 20)], [32], None, rng)
        # a run has no cold start; persistence exists for its only window
        windows = windows[windows["forecaster"] != "model_cold"]
        _scores(folder, windows)
    return folder


def make_calibration(folder: Path, parameters: int = 3, points: int = 120) -> Path:
    """A sweep folder with a synthetic calibration/ (the tables `escalation calibrate` writes)."""
    rng = np.random.default_rng(3)
    names = ["rationality", "dynamics.memory", "perception.default.default.offense_bias"]
    names += [f"actors.KH.parameter_{i}" for i in range(max(0, parameters - len(names)))]
    names = names[:parameters]
    ranges = {name: (0.1 * i, 1.0 + i) for i, name in enumerate(names)}
    _manifest(
        folder,
        "sweep",
        horizon_days=300,
        design={"kind": "lhs", "parameters": [{"path": n} for n in names]},
        points=points,
    )
    table = pd.DataFrame({"point": np.arange(points)})
    for name, (lo, hi) in ranges.items():
        table[name] = rng.uniform(lo, hi, points)
    first = (table[names[0]] - ranges[names[0]][0]) / (ranges[names[0]][1] - ranges[names[0]][0])
    table["attacks_per_month"] = 2 + 20 * first**3 + rng.gamma(1.0, 1.0, points)
    table.loc[table.index[-3:], "attacks_per_month"] = 400.0  # the runaway regime's long tail
    table["attacks_per_month_var"] = 4.0
    table["focus_deaths"] = rng.poisson(3, points).astype(float)
    table["focus_deaths_var"] = 2.0
    table["extra_state_violence"] = rng.uniform(0, 0.5, points)
    table["extra_state_violence_var"] = 0.1
    table["runaway"] = rng.uniform(0, 0.3, points)
    table["replicates"] = 20
    distance = np.abs(table["attacks_per_month"] - 5.0)
    table["implausibility"] = distance / 2
    table["not_ruled_out"] = table["implausibility"] <= 3
    table["accepted"] = distance <= np.quantile(distance, 0.1)
    calibration = folder / "calibration"
    calibration.mkdir(parents=True, exist_ok=True)
    table.to_parquet(calibration / "points.parquet", index=False)
    accepted = table[table["accepted"]]
    posterior = pd.DataFrame(
        {
            "parameter": names,
            "prior_low": [ranges[n][0] for n in names],
            "prior_high": [ranges[n][1] for n in names],
            "q05": [float(accepted[n].quantile(0.05)) for n in names],
            "median": [float(accepted[n].median()) for n in names],
            "q95": [float(accepted[n].quantile(0.95)) for n in names],
        }
    )
    posterior["width_share"] = (posterior["q95"] - posterior["q05"]) / (
        posterior["prior_high"] - posterior["prior_low"]
    )
    # written as `escalation calibrate` does: with the record of what was fitted
    record = {
        "kind": "calibration",
        "history": HISTORY["history"],
        "calibration_first": "2020-01-01",
        "calibration_last": "2020-03-31",
        "accept": 0.1,
    }
    write_table(calibration / "posterior.parquet", posterior, record)
    stats = ["attacks_per_month", "focus_deaths", "extra_state_violence"]
    pd.DataFrame(
        {
            "statistic": stats,
            "observed": [5.0, 2.0, 0.0],
            "scale": [1.5, 1.4, 0.25],
            "posterior_mean": [float(accepted[s].mean()) for s in stats],
            "prior_mean": [float(table[s].mean()) for s in stats],
        }
    ).to_parquet(calibration / "statistics.parquet", index=False)
    pd.DataFrame({"regime": ["quiet", "runaway"], "share": [0.9, 0.1]}).to_parquet(
        calibration / "regimes.parquet", index=False
    )
    return folder


def assert_pngs(paths: list[Path], out: Path, names: set[str]) -> None:
    assert {p.name for p in paths} == names
    assert {p.name for p in out.glob("*.png")} == names
    for path in paths:
        assert path.parent == out
        assert path.read_bytes()[:8] == PNG_MAGIC
        image = mpimg.imread(path)
        assert image.shape[0] > 300 and image.shape[1] > 500
        assert float(np.std(image)) > 0.01  # not blank


def texts(fig: Figure) -> list[str]:
    return [t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text"))]


# -- scores -------------------------------------------------------------------------------


def test_hindcast_figures(tmp_path: Path) -> None:
    folder = make_hindcast(tmp_path / "hc")
    progress = RecordingProgress()
    out = tmp_path / "hc" / "plots"
    paths = write_score_plots(folder, out, progress)
    assert_pngs(paths, out, HINDCAST_FILES)
    assert progress.phases == [("drawing figures", 5, "figures")]
    assert progress.advanced == 5


def test_run_figures(tmp_path: Path) -> None:
    folder = make_run(tmp_path / "run")
    progress = RecordingProgress()
    out = tmp_path / "figures"
    paths = write_score_plots(folder, out, progress)
    assert_pngs(paths, out, RUN_FILES)
    assert progress.phases == [("drawing figures", 3, "figures")]
    assert progress.advanced == 3


@pytest.mark.parametrize("make", [make_run, make_hindcast])
def test_folder_without_scores_is_refused(tmp_path: Path, make: Any) -> None:
    folder = make(tmp_path / "f", scores=False)
    with pytest.raises(ResultsError, match=r"windows\.parquet"):
        write_score_plots(folder, tmp_path / "out", RecordingProgress())
    assert not list((tmp_path).glob("out/*.png"))


def test_missing_table_is_named(tmp_path: Path) -> None:
    folder = make_hindcast(tmp_path / "hc")
    (folder / "scores" / "reliability.parquet").unlink()
    with pytest.raises(ResultsError, match=r"reliability\.parquet"):
        write_score_plots(folder, tmp_path / "out", RecordingProgress())
    other = make_hindcast(tmp_path / "hc2")
    (other / "ensembles.parquet").unlink()
    with pytest.raises(ResultsError, match=r"ensembles\.parquet"):
        write_score_plots(other, tmp_path / "out", RecordingProgress())


def test_sweep_folder_is_refused(tmp_path: Path) -> None:
    folder = make_calibration(tmp_path / "sweep")
    with pytest.raises(ResultsError, match="sweep folder"):
        write_score_plots(folder, tmp_path / "out", RecordingProgress())


def test_empty_scoring_is_drawn_as_such(tmp_path: Path) -> None:
    """No replicate kept anywhere: no model rows, and tables written without columns."""
    folder = make_hindcast(tmp_path / "hc")
    ens = pd.read_parquet(folder / "ensembles.parquet")
    ens["kept"] = ens["start"] == "cold"
    ens.to_parquet(folder / "ensembles.parquet", index=False)
    windows = pd.read_parquet(folder / "scores" / "windows.parquet")
    _scores(folder, windows[windows["forecaster"] != "model"])
    for name in ("skill", "reliability"):
        pd.DataFrame().to_parquet(folder / "scores" / f"{name}.parquet")
    out = tmp_path / "out"
    assert_pngs(write_score_plots(folder, out, RecordingProgress()), out, HINDCAST_FILES)
    assert "no window" in " ".join(texts(plot_skill(load_scored(folder))))


def test_footers_say_what_was_scored(tmp_path: Path) -> None:
    data = load_scored(make_hindcast(tmp_path / "hc"))
    footer = " ".join(texts(plot_pit(data)))
    assert "6 origins 1 Jan 2020 \u2013 1 Jun 2020" in footer
    assert "record \u201csynthetic_record\u201d" in footer
    assert "calibration part to 31 Mar 2020" in footer
    cal = load_calibration(make_calibration(tmp_path / "sweep"))
    assert "1 Jan 2020 \u2013 31 Mar 2020" in cal.caption()
    assert "lhs design, 120 points \u00d7 20 replicates" in cal.caption()


def test_skill_clips_and_writes_the_true_value(tmp_path: Path) -> None:
    data = load_scored(make_hindcast(tmp_path / "hc"))
    fig = plot_skill(data)
    axes = [ax for ax in fig.axes if ax.get_title()]
    assert len(axes) == 4  # calibration and held out, 30 and 60 days
    for ax in axes:
        assert ax.get_xlim()[0] >= -2.1 and ax.get_xlim()[1] <= 1.1
        widths = [p.get_width() for p in ax.patches if hasattr(p, "get_width")]
        assert min(widths) >= -2.0
    shown = texts(fig)
    assert "\u221210,000" in shown  # the clipped value, written where it was clipped
    assert "n/a" in shown  # the undefined skill


def test_reliability_counts_windows(tmp_path: Path) -> None:
    data = load_scored(make_hindcast(tmp_path / "hc"))
    fig = plot_reliability(data)
    shown = texts(fig)
    counts = [t for t in shown if t.startswith("n=")]
    assert len(counts) == len(data.reliability)
    titles = [ax.get_title() for ax in fig.axes]
    assert any("Any US death" in t for t in titles)
    assert any("k = 3 at 30 d, 6 at 60 d" in t for t in titles)
    assert "model, all windows" in fig.get_suptitle()


def test_pit_notes_the_windows(tmp_path: Path) -> None:
    data = load_scored(make_hindcast(tmp_path / "hc"))
    fig = plot_pit(data)
    n = int((data.windows["forecaster"] == "model").sum())
    assert fig.axes[0].get_title().startswith(f"{n} windows")
    few = plot_pit(load_scored(make_run(tmp_path / "run")))
    assert "too few windows" in few.axes[0].get_title()


# -- calibration --------------------------------------------------------------------------


def test_calibration_figures(tmp_path: Path) -> None:
    folder = make_calibration(tmp_path / "sweep")
    progress = RecordingProgress()
    out = folder / "calibration"
    paths = write_calibration_plots(folder, out, progress)
    assert_pngs(paths, out, CALIBRATION_FILES)
    assert progress.phases == [("drawing figures", 3, "figures")]
    assert progress.advanced == 3


def test_calibration_with_one_parameter_has_no_pairs(tmp_path: Path) -> None:
    folder = make_calibration(tmp_path / "sweep", parameters=1)
    paths = write_calibration_plots(folder, tmp_path / "out", RecordingProgress())
    assert {p.name for p in paths} == CALIBRATION_FILES - {"posterior_pairs.png"}


def test_calibration_pairs_and_statistics_content(tmp_path: Path) -> None:
    data = load_calibration(make_calibration(tmp_path / "sweep", parameters=4))
    pairs = plot_posterior_pairs(data)
    drawn = [ax for ax in pairs.axes if ax.axison]
    assert len(drawn) == 6  # the lower triangle of 4 parameters
    for ax in drawn:
        assert len(ax.collections) == 3  # all, not ruled out, accepted
    stats = plot_statistics(data)
    titles = [ax.get_title() for ax in stats.axes if ax.axison]
    assert len(titles) == 3
    assert any(t.startswith("US deaths") for t in titles)
    assert any("beyond" in t for t in texts(stats))  # the long tail of attacks is counted


def test_calibration_without_tables_is_refused(tmp_path: Path) -> None:
    folder = make_calibration(tmp_path / "sweep")
    (folder / "calibration" / "posterior.parquet").unlink()
    with pytest.raises(ResultsError, match=r"posterior\.parquet"):
        write_calibration_plots(folder, tmp_path / "out", RecordingProgress())
    (folder / "calibration" / "points.parquet").unlink()
    with pytest.raises(ResultsError, match=r"posterior\.parquet"):
        write_calibration_plots(folder, tmp_path / "out", RecordingProgress())
