"""The figure of a sweep's robustness analysis, drawn from synthetic tables.

The sweep folder is written with pandas and json into tmp_path in the shape ``escalation sweep``
and ``escalation robustness`` write (no model is run), so the module runs in seconds.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from simulator.experiment.robustness import regret_tables
from simulator.plots.robustness import load_robustness, write_robustness_plots
from simulator.results.errors import ResultsError
from simulator.results.layout import ROBUSTNESS
from simulator.results.manifest import FORMAT
from simulator.results.tables import write_table

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
CLASSES = ["war", "direct_clash", "proxy_violence", "contained"]
LEVERS = ["actors.KH.control", "actors.US.restraint"]
UNCERTAINTY = "perception.Iran.US.offense_bias"
PARAMETERS: list[dict[str, Any]] = [
    {"path": UNCERTAINTY, "low": 0.0, "high": 1.0, "count": 5, "values": None},
    {"path": LEVERS[0], "low": 0.3, "high": 1.0, "count": 3, "values": None},
    {"path": LEVERS[1], "low": None, "high": None, "count": None, "values": [0.0, 1.0]},
]


def _manifest() -> dict[str, object]:
    return {
        "format": FORMAT,
        "kind": "sweep",
        "scenario_name": "baseline",
        "scenario_file": "scenarios/baseline.yaml",
        "seed": 7,
        "replicates": 50,
        "horizon_days": 90,
        "design": {"kind": "grid", "parameters": PARAMETERS, "points": None, "seed": 7},
        "design_label": "Grid, 30 points",
        "points": 30,
        "outcome_classes": CLASSES,
        "outcome_labels": {c: c.replace("_", " ").capitalize() for c in CLASSES},
    }


def _sweep(folder: Path, levers: list[str]) -> Path:
    """A sweep folder with ``robustness/`` for ``levers`` (the other parameters uncertain)."""
    folder.mkdir()
    (folder / "manifest.json").write_text(json.dumps(_manifest()), encoding="utf-8")
    rows = [
        {
            UNCERTAINTY: bias,
            LEVERS[0]: control,
            LEVERS[1]: restraint,
            "p_war": max(0.0, 0.5 - control) * bias * (1.0 - 0.5 * restraint),
        }
        for bias in (0.0, 0.25, 0.5, 0.75, 1.0)
        for control in (0.3, 0.65, 1.0)
        for restraint in (0.0, 1.0)
    ]
    points = pd.DataFrame(rows)
    uncertain = [str(p["path"]) for p in PARAMETERS if p["path"] not in levers]
    summary, regret = regret_tables(points, levers, uncertain, "p_war", higher=False)
    record = {"kind": ROBUSTNESS, "outcome": "war", "levers": levers}
    (folder / ROBUSTNESS).mkdir()
    write_table(folder / ROBUSTNESS / "summary.parquet", summary, record)
    write_table(folder / ROBUSTNESS / "regret.parquet", regret, record)
    return folder


@pytest.mark.parametrize("levers", [LEVERS, LEVERS[:1]])
def test_regret_png_written(tmp_path: Path, levers: list[str]) -> None:
    folder = _sweep(tmp_path / "sweep", levers)
    data = load_robustness(folder)
    assert data.levers == tuple(levers)
    assert len(data.settings()) == (6 if len(levers) == 2 else 3)
    written = write_robustness_plots(folder, tmp_path / "plots")
    assert written == [tmp_path / "plots" / "regret.png"]
    assert written[0].read_bytes()[:8] == PNG_MAGIC


@pytest.mark.parametrize("name", ["summary", "regret"])
def test_missing_table_is_named(tmp_path: Path, name: str) -> None:
    folder = _sweep(tmp_path / "sweep", LEVERS)
    (folder / ROBUSTNESS / f"{name}.parquet").unlink()
    with pytest.raises(ResultsError, match=rf"{name}\.parquet: missing; run `escalation robust"):
        write_robustness_plots(folder, tmp_path / "plots")


def test_table_without_record_is_refused(tmp_path: Path) -> None:
    folder = _sweep(tmp_path / "sweep", LEVERS)
    path = folder / ROBUSTNESS / "regret.parquet"
    pd.read_parquet(path).to_parquet(path)
    with pytest.raises(ResultsError, match="no record of the outcome and levers"):
        load_robustness(folder)
