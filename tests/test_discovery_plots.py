"""Figures of a sweep's scenario discovery, drawn from synthetic tables.

The sweep folder is written with pandas and json into tmp_path in the shape ``escalation sweep``
and ``escalation discover`` write (no model is run), so the module runs in seconds.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from simulator.plots.discovery import load_discovery, write_discovery_plots
from simulator.results.errors import ResultsError
from simulator.results.layout import DISCOVERY, POINTS
from simulator.results.manifest import FORMAT, fingerprint
from simulator.results.tables import write_table

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
FILES = ["peeling_trajectory.png", "box_limits.png", "feature_scores.png"]
CLASSES = ["war", "direct_clash", "proxy_violence", "contained"]
PARAMETERS = [
    {"path": "actors.KH.control", "low": 0.3, "high": 1.0, "count": None, "values": None},
    {"path": "perception.Iran.US.offense_bias", "low": 0.0, "high": 1.0, "values": None},
    {"path": "actors.Iran.resolve", "low": None, "high": None, "values": [0.2, 0.5, 0.9]},
]
N_POINTS = 60
RECORD = {"kind": DISCOVERY, "outcome": "p_clash_or_war", "threshold": 0.05}


def _manifest() -> dict[str, object]:
    return {
        "format": FORMAT,
        "kind": "sweep",
        "scenario_name": "baseline",
        "scenario_file": "scenarios/baseline.yaml",
        "seed": 7,
        "replicates": 50,
        "horizon_days": 90,
        "design": {"kind": "lhs", "parameters": PARAMETERS, "points": N_POINTS, "seed": 7},
        "design_label": "Latin hypercube, 60 points",
        "points": N_POINTS,
        "outcome_classes": CLASSES,
        "outcome_labels": {c: c.replace("_", " ").capitalize() for c in CLASSES},
    }


def _points() -> pd.DataFrame:
    rng = np.random.default_rng(1)
    control = rng.uniform(0.3, 1.0, N_POINTS)
    bias = rng.uniform(0.0, 1.0, N_POINTS)
    resolve = rng.choice([0.2, 0.5, 0.9], N_POINTS)
    clash = np.where(control < 0.45, 0.2, 0.0) * bias
    table = pd.DataFrame(
        {
            "point": np.arange(N_POINTS),
            "actors.KH.control": control,
            "perception.Iran.US.offense_bias": bias,
            "actors.Iran.resolve": resolve,
            "replicates": 50,
            "complete": True,
            "p_war": clash / 2,
            "p_direct_clash": clash / 2,
            "p_proxy_violence": 0.5 - clash / 2,
            "p_contained": 0.5 - clash / 2,
            "p_clash_or_war": clash,
        }
    )
    return table


def _tables() -> dict[str, pd.DataFrame]:
    names = [str(p["path"]) for p in PARAMETERS]
    trajectory = pd.DataFrame(
        {
            "phase": ["start", "peel", "peel", "peel", "peel", "paste"],
            "coverage": [1.0, 1.0, 0.95, 0.9, 0.7, 0.8],
            "density": [0.2, 0.3, 0.45, 0.7, 0.9, 0.85],
            "mass": [1.0, 0.7, 0.5, 0.3, 0.15, 0.2],
            "n": [60, 42, 30, 18, 9, 12],
            "res_dim": [0, 1, 1, 2, 2, 2],
        }
    )
    box = pd.DataFrame(
        {
            "parameter": names,
            "low": [0.3, 0.25, 0.2],
            "high": [0.45, 1.0, 0.9],
            "restricted": [True, True, False],
            "quasi_p": [2e-6, 0.03, np.nan],
        }
    )
    cart = pd.DataFrame(
        {
            "density": [0.8, 0.1],
            "coverage": [0.9, 0.1],
            "mass": [0.2, 0.8],
            "n": [12, 48],
            "res_dim": [1, 1],
            "restricted": ["actors.KH.control", "actors.KH.control"],
            "actors.KH.control_low": [0.3, 0.46],
            "actors.KH.control_high": [0.46, 1.0],
            "perception.Iran.US.offense_bias_low": [0.0, 0.0],
            "perception.Iran.US.offense_bias_high": [1.0, 1.0],
            "actors.Iran.resolve_low": [0.2, 0.2],
            "actors.Iran.resolve_high": [0.9, 0.9],
        }
    )
    features = pd.DataFrame({"parameter": names, "importance": [0.6, 0.3, 0.1]})
    return {"trajectory": trajectory, "box": box, "cart": cart, "features": features}


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A synthetic sweep folder with its points and discovery tables."""
    path = tmp_path / "sweep"
    (path / DISCOVERY).mkdir(parents=True)
    manifest = _manifest()
    (path / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    record = {"kind": "points", "sweep": fingerprint(manifest), "chunks": ""}
    write_table(path / POINTS, _points(), record)
    for name, table in _tables().items():
        write_table(path / DISCOVERY / f"{name}.parquet", table, RECORD)
    return path


def test_writes_three_pngs(folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "plots"
    written = write_discovery_plots(folder, out)
    assert [p.name for p in written] == FILES
    for name in FILES:
        data = (out / name).read_bytes()
        assert data.startswith(PNG_MAGIC), name
        assert len(data) > 10_000, name


def test_reads_outcome_and_box(folder: Path) -> None:
    data = load_discovery(folder)
    assert data.outcome == "p_clash_or_war"
    assert data.threshold == pytest.approx(0.05)
    assert data.prior_range("actors.Iran.resolve") == (0.2, 0.9)
    coverage, density, n = data.box_stats()
    interest, inside = data.interest(), data.in_box()
    assert n == int(inside.sum()) > 0
    assert coverage == pytest.approx((interest & inside).sum() / interest.sum())
    assert density == pytest.approx((interest & inside).sum() / n)


@pytest.mark.parametrize("name", ["trajectory", "box", "cart", "features"])
def test_missing_table_is_named(folder: Path, tmp_path: Path, name: str) -> None:
    (folder / DISCOVERY / f"{name}.parquet").unlink()
    with pytest.raises(ResultsError, match=f"{name}.parquet"):
        write_discovery_plots(folder, tmp_path / "plots")
    assert not (tmp_path / "plots").exists()
