"""Figures of a comparison folder, drawn from synthetic tables.

Every folder here is written with pandas and json into tmp_path in the shape ``escalation
compare`` writes (no model is run), so the module runs in seconds. Files are checked to exist and
hold a non-blank PNG; a few things each figure must show (McNemar's p, the totals of the
transitions, the pairs without a change left out, the dates from the start) are checked on the
Figure.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import matplotlib.dates as mdates
import matplotlib.image as mpimg
import numpy as np
import pandas as pd
import pytest
from conftest import RecordingProgress
from matplotlib.figure import Figure
from matplotlib.text import Text

from simulator.plots.comparison import (
    load_comparison,
    plot_daily_clash,
    plot_delta_metrics,
    plot_delta_outcomes,
    plot_transitions,
    write_comparison_plots,
)
from simulator.results.errors import ResultsError

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
FILES = ["delta_outcomes.png", "daily_clash.png", "transitions.png", "delta_metrics.png"]
CLASSES = ["war", "direct_clash", "proxy_violence", "contained", "de_escalated"]
ACTORS = [
    {"name": "US", "type": "state"},
    {"name": "Iran", "type": "state"},
    {"name": "KH", "type": "militia"},
]
LABELS = {
    "war": "State-on-state war",
    "direct_clash": "Direct clash short of war",
    "proxy_violence": "Proxy violence",
    "contained": "Contained",
    "de_escalated": "De-escalated",
}
START = dt.date(2020, 12, 20)
HORIZON = 30
N = 400


# -- a synthetic comparison folder --------------------------------------------------------


def _outcome_row(scope: str, outcome: str, only_a: int, only_b: int, both: int) -> dict[str, Any]:
    p_a, p_b = (both + only_a) / N, (both + only_b) / N
    delta = p_b - p_a
    half = 0.01 + 0.5 * (only_a + only_b) / N
    return {
        "scope": scope,
        "outcome": outcome,
        "p_a": p_a,
        "p_b": p_b,
        "delta": delta,
        "low": delta - half,
        "high": delta + half,
        "unpaired_low": delta - 3 * half,
        "unpaired_high": delta + 3 * half,
        "width_ratio": 1 / 3,
        "both": both,
        "only_a": only_a,
        "only_b": only_b,
        "neither": N - both - only_a - only_b,
        "mcnemar_p": 0.0004 if only_b > 3 * max(only_a, 1) else 0.5,
    }


def _outcomes(pairs_change: bool) -> pd.DataFrame:
    overall = {
        "war": (1, 4, 2),
        "direct_clash": (3, 12, 8),
        "proxy_violence": (20, 30, 90),
        "contained": (2, 1, 10),
        "de_escalated": (30, 9, 200),
        "clash_or_war": (2, 14, 12),
    }
    rows = [_outcome_row("overall", o, *v) for o, v in overall.items()]
    for pair in ("US\u2013Iran", "US\u2013KH", "Iran\u2013KH"):
        for outcome in (*CLASSES, "clash_or_war"):
            if pairs_change and pair == "US\u2013Iran" and outcome == "clash_or_war":
                counts = overall["clash_or_war"]
            elif pairs_change and pair == "US\u2013KH" and outcome == "proxy_violence":
                counts = (5, 25, 40)
            else:
                counts = (0, 0, 0)  # Iran–KH never changes (and never happens)
            rows.append(_outcome_row(pair, outcome, *counts))
    return pd.DataFrame(rows)


def _transitions() -> pd.DataFrame:
    counts = np.array(
        [
            [2, 1, 0, 0, 0],
            [2, 8, 1, 0, 1],
            [1, 8, 90, 2, 9],
            [0, 0, 1, 10, 2],
            [0, 2, 30, 1, 229],
        ]
    )
    assert counts.sum() == N
    table = pd.DataFrame(counts, columns=CLASSES)
    table.insert(0, "a", pd.Series(pd.Categorical(CLASSES, categories=CLASSES, ordered=True)))
    return table


def _daily() -> pd.DataFrame:
    days = np.arange(HORIZON)
    p_a = np.minimum(0.002 * days, 1.0)
    p_b = np.minimum(0.003 * days, 1.0)
    delta = p_b - p_a
    return pd.DataFrame(
        {
            "day": days,
            "date": [START + dt.timedelta(days=int(d)) for d in days],
            "p_clash_a": p_a,
            "p_clash_b": p_b,
            "delta": delta,
            "low": delta - 0.01,
            "high": delta + 0.01,
        }
    )


def _metrics() -> pd.DataFrame:
    rows = [
        ("attacks / month", 1.3, 1.4, 0.1, 0.05, 0.15, -0.2, 0.4),
        ("casualties (all)", 1.6, 1.7, 0.1, -0.1, 0.3, -0.6, 0.8),
        ("first clash day", 29.5, 29.1, -0.4, -0.6, -0.2, -1.2, 0.4),
        ("deaths, US", 0.2, 0.25, 0.05, 0.01, 0.09, -0.05, 0.15),
        ("deaths, Iran", 0.1, 0.1, 0.0, -0.02, 0.02, -0.06, 0.06),
        ("deaths, KH", 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0),  # nobody ever dies: no spread
    ]
    columns = ["metric", "mean_a", "mean_b", "delta", "low", "high"]
    return pd.DataFrame(rows, columns=[*columns, "unpaired_low", "unpaired_high"])


def _changed(transitions: pd.DataFrame) -> pd.DataFrame:
    rows = []
    replicate = 0
    for i, a in enumerate(CLASSES):
        for b in CLASSES:
            if a != b:
                for _ in range(int(transitions.iloc[i][b])):
                    rows.append({"replicate": replicate, "outcome_a": a, "outcome_b": b})
                    replicate += 1
    return pd.DataFrame(rows, columns=["replicate", "outcome_a", "outcome_b"])


def make_comparison(
    folder: Path,
    *,
    pairs_change: bool = True,
    arm_labels: bool = True,
    b_label: str = "scenarios/synthetic.yaml with actors.KH.control=0.35",
) -> Path:
    """A comparison folder of N paired replicates, written with pandas and json."""
    folder.mkdir(parents=True, exist_ok=True)
    manifest = {
        "format": "escalation-results/1",
        "kind": "comparison",
        "arms": [
            {
                "arm": "a",
                "label": "scenarios/synthetic.yaml",
                "scenario_name": "synthetic",
                "scenario_file": "scenarios/synthetic.yaml",
            },
            {
                "arm": "b",
                "label": b_label,
                "scenario_name": "synthetic",
                "scenario_file": "scenarios/synthetic.yaml",
            },
        ],
        "seed": 7,
        "replicates": N,
        "start": START.isoformat(),
        "horizon_days": HORIZON,
        "actors": ACTORS,
        "outcome_classes": CLASSES,
    }
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    transitions = _transitions()
    tables = {
        "outcomes": _outcomes(pairs_change),
        "transitions": transitions,
        "daily": _daily(),
        "metrics": _metrics(),
        "changed": _changed(transitions),
    }
    for name, table in tables.items():
        table.to_parquet(folder / f"{name}.parquet", index=False)
    for arm in ("a", "b"):
        (folder / arm).mkdir(exist_ok=True)
        if arm_labels:
            arm_manifest = {"kind": "run", "outcome_labels": LABELS}
            (folder / arm / "manifest.json").write_text(json.dumps(arm_manifest), "utf-8")
    return folder


def _texts(fig: Figure) -> str:
    """Every text the figure draws (titles, labels, annotations, legends), one per line."""
    fig.canvas.draw()
    found = [t.get_text() for t in fig.findobj(Text) if isinstance(t, Text)]
    return "\n".join(found)


def _check_png(path: Path) -> None:
    assert path.is_file(), path
    assert path.read_bytes()[:8] == PNG_MAGIC, path
    image = mpimg.imread(path)
    assert image.shape[0] > 400 and image.shape[1] > 400, path
    # not blank: many pixels differ from the white background, and there is colour
    rgb = image[..., :3]
    assert (rgb < 0.9).any(axis=-1).mean() > 0.01, path
    assert float(rgb.std()) > 0.05, path


# -- the files ----------------------------------------------------------------------------


def test_writes_every_figure_as_a_png(tmp_path: Path) -> None:
    folder = make_comparison(tmp_path / "cmp")
    progress = RecordingProgress()
    written = write_comparison_plots(folder, tmp_path / "plots", progress)
    assert [p.name for p in written] == FILES
    for path in written:
        assert path.parent == tmp_path / "plots"
        _check_png(path)
    assert progress.phases == [("drawing figures", 4, "figures")]
    assert progress.advanced == 4


def test_a_comparison_without_any_change_in_pairs_is_drawn(tmp_path: Path) -> None:
    folder = make_comparison(tmp_path / "cmp", pairs_change=False, arm_labels=False)
    written = write_comparison_plots(folder, tmp_path / "plots")
    for path in written:
        _check_png(path)
    text = _texts(plot_delta_outcomes(load_comparison(folder)))
    assert "no pair of actors changed class in any replicate" in text


# -- refusals -----------------------------------------------------------------------------


@pytest.mark.parametrize("table", ["outcomes", "transitions", "daily", "metrics", "changed"])
def test_a_missing_table_is_named(tmp_path: Path, table: str) -> None:
    folder = make_comparison(tmp_path / "cmp")
    (folder / f"{table}.parquet").unlink()
    with pytest.raises(ResultsError, match=f"{table}.parquet"):
        write_comparison_plots(folder, tmp_path / "plots")
    assert not (tmp_path / "plots").exists() or not any((tmp_path / "plots").iterdir())


def test_a_table_without_a_needed_column_is_named(tmp_path: Path) -> None:
    folder = make_comparison(tmp_path / "cmp")
    table = pd.read_parquet(folder / "outcomes.parquet").drop(columns=["mcnemar_p"])
    table.to_parquet(folder / "outcomes.parquet", index=False)
    with pytest.raises(ResultsError, match=r"outcomes\.parquet.*mcnemar_p"):
        load_comparison(folder)


def test_a_folder_of_another_kind_is_refused(tmp_path: Path) -> None:
    folder = make_comparison(tmp_path / "cmp")
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    manifest.update(
        kind="run",
        scenario_name="synthetic",
        ladder=[],
        outcome_classes=CLASSES,
    )
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(ResultsError, match="a run folder, not a comparison folder"):
        write_comparison_plots(folder, tmp_path / "plots")


def test_a_folder_without_a_manifest_is_refused(tmp_path: Path) -> None:
    folder = make_comparison(tmp_path / "cmp")
    (folder / "manifest.json").unlink()
    with pytest.raises(ResultsError, match="manifest.json"):
        write_comparison_plots(folder, tmp_path / "plots")


# -- what the figures show ----------------------------------------------------------------


def test_delta_outcomes_shows_arms_mcnemar_and_changed_pairs_only(tmp_path: Path) -> None:
    data = load_comparison(make_comparison(tmp_path / "cmp"))
    text = _texts(plot_delta_outcomes(data))
    # the arms, as the user named them
    assert "A: scenarios/synthetic.yaml" in text
    assert "B: scenarios/synthetic.yaml with actors.KH.control=0.35" in text
    # the classes by their labels, the union, McNemar's p and the discordant replicates
    assert "State-on-state war" in text and "Direct clash or war" in text
    assert "p < 0.001" in text and "(2 vs 14)" in text
    # the pairs that changed, not the one that never did
    assert "US\u2013Iran" in text and "US\u2013KH" in text
    assert "Iran\u2013KH" not in text
    assert "1 pair without a change left out" in text


def test_outcome_labels_fall_back_without_the_arms_manifests(tmp_path: Path) -> None:
    data = load_comparison(make_comparison(tmp_path / "cmp", arm_labels=False))
    assert data.label("direct_clash") == "Direct clash"
    assert data.label("clash_or_war") == "Direct clash or war"
    assert data.label("de_escalated") == "De-escalated"
    labelled = load_comparison(make_comparison(tmp_path / "cmp2"))
    assert labelled.label("direct_clash") == "Direct clash short of war"


def test_transitions_show_counts_and_totals(tmp_path: Path) -> None:
    data = load_comparison(make_comparison(tmp_path / "cmp"))
    text = _texts(plot_transitions(data))
    changed = N - int(np.trace(_transitions()[CLASSES].to_numpy()))
    assert f"{changed} of {N} replicates changed class" in text
    assert "229" in text  # the largest cell
    assert "262\n65.5%" in text  # de-escalated under A: its row's total
    assert "241\n60.2%" in text  # de-escalated under B: its column's total
    assert "Total\nunder A" in text and "Total\nunder B" in text
    assert "the changed table lists" not in text  # it agrees with the matrix


def test_daily_clash_puts_dates_from_the_start(tmp_path: Path) -> None:
    data = load_comparison(make_comparison(tmp_path / "cmp"))
    fig = plot_daily_clash(data)
    bottom = fig.axes[1]
    low, high = bottom.get_xlim()
    assert mdates.num2date(low).date() == START
    assert mdates.num2date(high).date() == START + dt.timedelta(days=HORIZON)
    text = _texts(fig)
    assert f"B: {100 * 0.003 * (HORIZON - 1):.1f}%" in text
    assert "at the horizon" in text


def test_delta_metrics_one_axis_per_metric(tmp_path: Path) -> None:
    data = load_comparison(make_comparison(tmp_path / "cmp"))
    fig = plot_delta_metrics(data)
    titles = [ax.get_title(loc="left") for ax in fig.axes]
    assert any(t.startswith("Militia attacks: A 1.30 \u2192 B 1.40") for t in titles)
    assert any(t.startswith("Deaths of KH") for t in titles)
    text = _texts(fig)
    assert "no difference: the same value in every replicate of both arms" in text
    assert "each metric on its own axis, in its own units" in text
    assert "militia attacks per month" in text and "days" in text
