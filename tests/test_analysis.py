"""Analysis of stored sweeps: pooled marginals, Sobol and Morris indices, errors, the CLI.

Sensitivity estimators are checked on functions with known answers, written into synthetic sweep
folders (manifest + points.parquet) exactly as ``escalation sweep`` lays them out, so these tests
exercise the same reading path as real sweeps without running the model.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import BASELINE
from rich.console import Console
from SALib.test_functions import Ishigami

from simulator.cli import main
from simulator.console import print_analysis
from simulator.experiment.analysis import analyze_sweep
from simulator.experiment.designs import Design, Parameter
from simulator.results.errors import ResultsError
from simulator.results.points import chunks_digest, write_points
from simulator.stats import wilson_interval

CLASSES = ("war", "direct_clash", "proxy_violence", "contained", "de_escalated")
# Ishigami (a=7, b=0.1) on [-pi, pi]^3: analytic first-order and total indices.
ISHIGAMI_S1 = (0.3139, 0.4424, 0.0)
ISHIGAMI_ST = (0.5576, 0.4424, 0.2437)
ISHIGAMI_S13 = 0.2437
TOLERANCE = 0.05


def write_sweep(
    folder: Path,
    design: Design,
    counts: dict[str, np.ndarray] | None = None,
    replicates: int = 20,
    extra: dict[str, np.ndarray] | None = None,
    complete: np.ndarray | None = None,
) -> Path:
    """A synthetic sweep folder: manifest.json and points.parquet as `escalation sweep` writes
    them (a sweep whose chunks/ was emptied: the points table is all there is).

    ``counts`` gives per-point replicate counts per outcome class (missing classes: the rest go
    to "contained"); ``extra`` adds output columns such as ``mean_casualties``.
    """
    matrix = design.matrix()
    n = len(matrix)
    folder.mkdir(parents=True)
    manifest = {
        "format": "escalation-results/1",
        "kind": "sweep",
        "scenario_name": "synthetic",
        "seed": design.seed,
        "replicates": replicates,
        "horizon_days": 30,
        "start": "2024-01-01",
        "design": design.to_dict(),
        "points": n,
        "outcome_classes": list(CLASSES),
        "outcome_labels": {c: c.replace("_", " ") for c in CLASSES},
    }
    (folder / "manifest.json").write_text(json.dumps(manifest))
    table = pd.DataFrame(matrix, columns=[p.path for p in design.parameters])
    table.insert(0, "point", np.arange(n))
    table["replicates"] = replicates
    table["complete"] = np.ones(n, dtype=bool) if complete is None else complete
    counts = dict(counts or {})
    assigned = sum((np.asarray(v) for v in counts.values()), np.zeros(n, dtype=int))
    counts.setdefault("contained", replicates - assigned)
    for c in CLASSES:
        k = np.asarray(counts.get(c, np.zeros(n, dtype=int)))
        table[f"p_{c}"] = k / replicates
        bounds = np.array([wilson_interval(int(a), replicates) for a in k])
        table[f"p_{c}_low"], table[f"p_{c}_high"] = bounds.T
    table["p_clash_or_war"] = table["p_war"] + table["p_direct_clash"]
    for name, values in (extra or {}).items():
        table[name] = values
    write_points(folder, table, manifest, chunks_digest({}))
    return folder


def ishigami_design(second_order: bool = False, n: int = 1024) -> Design:
    params = tuple(Parameter(f"x{i}", -math.pi, math.pi) for i in (1, 2, 3))
    return Design("sobol", params, points=n, seed=7, second_order=second_order)


# -- Sobol ---------------------------------------------------------------------------------------
def test_sobol_indices_of_the_ishigami_function(tmp_path):
    design = ishigami_design()
    y = Ishigami.evaluate(design.matrix())
    folder = write_sweep(tmp_path / "ishigami", design, extra={"mean_casualties": y})
    analysis = analyze_sweep(folder)

    sobol = analysis.results.sobol.set_index(["output", "parameter"])
    got = sobol.loc["mean_casualties"].reindex(["x1", "x2", "x3"])
    assert np.allclose(got["S1"], ISHIGAMI_S1, atol=TOLERANCE), got["S1"]
    assert np.allclose(got["ST"], ISHIGAMI_ST, atol=TOLERANCE), got["ST"]
    assert (got["S1_conf"] > 0).all() and (got["S1_conf"] < 0.15).all()
    # The outcome columns are constant here: no variance to apportion, indices are NaN.
    assert sobol.loc["p_war", "S1"].isna().all()
    assert analysis.results.sobol_s2 is None
    for name in ("marginals", "sobol"):
        assert (folder / "analysis" / f"{name}.parquet").exists()
        assert (folder / "analysis" / f"{name}.csv").exists()
    stored = pd.read_parquet(folder / "analysis" / "sobol.parquet")
    assert {"output", "parameter", "S1", "S1_conf", "ST", "ST_conf"} <= set(stored.columns)


def test_sobol_second_order_of_the_ishigami_function(tmp_path):
    design = ishigami_design(second_order=True)
    y = Ishigami.evaluate(design.matrix())
    folder = write_sweep(tmp_path / "ishigami2", design, extra={"mean_casualties": y})
    analysis = analyze_sweep(folder)

    s2 = analysis.results.sobol_s2
    s2 = s2[s2["output"] == "mean_casualties"].set_index(["parameter_1", "parameter_2"])["S2"]
    assert s2[("x1", "x3")] == pytest.approx(ISHIGAMI_S13, abs=TOLERANCE)
    assert s2[("x1", "x2")] == pytest.approx(0.0, abs=TOLERANCE)
    assert s2[("x2", "x3")] == pytest.approx(0.0, abs=TOLERANCE)
    assert (folder / "analysis" / "sobol_s2.parquet").exists()


def test_sobol_analysis_is_reproducible(tmp_path):
    design = ishigami_design(n=64)
    y = Ishigami.evaluate(design.matrix())
    first = analyze_sweep(write_sweep(tmp_path / "a", design, extra={"mean_casualties": y}))
    second = analyze_sweep(write_sweep(tmp_path / "b", design, extra={"mean_casualties": y}))
    pd.testing.assert_frame_equal(first.results.sobol, second.results.sobol)


# -- Morris --------------------------------------------------------------------------------------
def test_morris_ranks_a_linear_function_by_its_coefficients(tmp_path):
    coefficients = np.array([1.0, 2.0, 4.0, 0.0])
    params = tuple(Parameter(f"x{i}", 0.0, 1.0) for i in range(1, 5))
    design = Design("morris", params, points=12, seed=5, levels=4)
    y = design.matrix() @ coefficients
    folder = write_sweep(tmp_path / "linear", design, extra={"mean_casualties": y})
    morris = analyze_sweep(folder).results.morris
    rows = morris[morris["output"] == "mean_casualties"].set_index("parameter")

    ranking = list(rows.sort_values("mu_star", ascending=False).index)
    assert ranking == ["x3", "x2", "x1", "x4"]
    # A linear function has constant elementary effects: mu* = coefficient x range, sigma = 0.
    assert np.allclose(rows.loc[["x1", "x2", "x3", "x4"], "mu_star"], coefficients, atol=1e-9)
    assert np.allclose(rows["sigma"], 0.0, atol=1e-9)
    assert (folder / "analysis" / "morris.csv").exists()


def test_morris_effects_are_per_full_range_of_the_parameter(tmp_path):
    params = (Parameter("a", 0.0, 10.0), Parameter("b", -1.0, 1.0))
    design = Design("morris", params, points=6, seed=2, levels=4)
    y = design.matrix() @ np.array([0.5, 3.0])  # full-range effects 5 and 6
    folder = write_sweep(tmp_path / "scaled", design, extra={"mean_casualties": y})
    morris = analyze_sweep(folder).results.morris
    rows = morris.set_index(["output", "parameter"]).loc["mean_casualties"]
    assert rows.loc["a", "mu"] == pytest.approx(5.0)
    assert rows.loc["b", "mu"] == pytest.approx(6.0)


# -- marginals -----------------------------------------------------------------------------------
def test_grid_marginals_pool_the_counts_of_each_level(tmp_path):
    design = Design("grid", (Parameter("a", values=(0.0, 1.0)), Parameter("b", values=(0.0, 1.0))))
    # points in grid order: (a, b) = (0, 0), (0, 1), (1, 0), (1, 1); 20 replicates each
    war = np.array([3, 5, 10, 12])
    clash = np.array([1, 0, 2, 4])
    de_escalated = np.array([6, 2, 0, 1])
    folder = write_sweep(
        tmp_path / "grid",
        design,
        {"war": war, "direct_clash": clash, "de_escalated": de_escalated},
    )
    marginals = analyze_sweep(folder).results.marginals
    m = marginals.set_index(["parameter", "value", "outcome"])

    def check(param, value, outcome, k, n=40):
        row = m.loc[(param, value, outcome)]
        assert (row["k"], row["n"]) == (k, n)
        assert row["p"] == pytest.approx(k / n)
        assert (row["low"], row["high"]) == pytest.approx(wilson_interval(k, n))

    check("a", 0.0, "war", 8)
    check("a", 1.0, "war", 22)
    check("b", 0.0, "war", 13)
    check("b", 1.0, "war", 17)
    check("a", 0.0, "clash_or_war", 9)
    check("a", 1.0, "clash_or_war", 28)
    check("b", 1.0, "de_escalated", 3)
    check("a", 0.0, "contained", 40 - 8 - 1 - 8)
    assert set(marginals["grouping"]) == {"level"}
    assert set(marginals["points"]) == {2}
    assert {"bin_low", "bin_high", "centre"} <= set(marginals.columns)
    assert (folder / "analysis" / "marginals.csv").exists()


def test_sampled_designs_are_binned_into_equal_count_bins(tmp_path):
    params = (Parameter("a", 0.0, 1.0), Parameter("b", 0.0, 2.0))
    design = Design("lhs", params, points=64, seed=3)
    a = design.matrix()[:, 0]
    war = np.rint(20 * a).astype(int)  # P(war) rises with a
    folder = write_sweep(tmp_path / "lhs", design, {"war": war})
    marginals = analyze_sweep(folder).results.marginals
    rows = marginals[(marginals["parameter"] == "a") & (marginals["outcome"] == "war")]

    assert set(rows["grouping"]) == {"bin"}
    assert 6 <= len(rows) <= 8
    assert rows["points"].sum() == 64
    assert rows["points"].max() - rows["points"].min() <= 1
    assert rows["bin_low"].iloc[0] == pytest.approx(0.0)
    assert rows["bin_high"].iloc[-1] == pytest.approx(1.0)
    assert np.allclose(rows["bin_high"].to_numpy()[:-1], rows["bin_low"].to_numpy()[1:])
    assert (rows["bin_low"] <= rows["value"]).all() and (rows["value"] <= rows["bin_high"]).all()
    assert rows["p"].is_monotonic_increasing


# -- errors --------------------------------------------------------------------------------------
def test_an_incomplete_sobol_sweep_raises(tmp_path):
    design = ishigami_design(n=8)
    n = len(design.matrix())
    complete = np.ones(n, dtype=bool)
    complete[3] = False
    folder = write_sweep(tmp_path / "partial", design, complete=complete)
    with pytest.raises(ResultsError, match=r"incomplete.*--resume"):
        analyze_sweep(folder)
    assert not (folder / "analysis").exists()


def test_an_incomplete_grid_sweep_leaves_the_points_out_with_a_warning(tmp_path):
    design = Design("grid", (Parameter("a", values=(0.0, 1.0)), Parameter("b", values=(0.0, 1.0))))
    folder = write_sweep(
        tmp_path / "partial-grid",
        design,
        {"war": np.array([3, 5, 10, 12])},
        complete=np.array([True, False, True, True]),
    )
    analysis = analyze_sweep(folder)
    assert len(analysis.warnings) == 1 and "--resume" in analysis.warnings[0]
    marginals = analysis.results.marginals.set_index(["parameter", "value", "outcome"])
    row = marginals.loc[("a", 0.0, "war")]
    assert (row["k"], row["n"]) == (3, 20)


def test_a_sweep_without_points_parquet_raises(tmp_path):
    design = ishigami_design(n=8)
    folder = write_sweep(tmp_path / "unfinished", design)
    (folder / "points.parquet").unlink()
    with pytest.raises(ResultsError, match=r"points\.parquet.*--resume"):
        analyze_sweep(folder)


def test_a_folder_that_is_not_a_sweep_raises(tmp_path):
    with pytest.raises(ResultsError, match="manifest.json"):
        analyze_sweep(tmp_path)
    (tmp_path / "manifest.json").write_text(json.dumps({"format": "escalation-results/1"}))
    with pytest.raises(ResultsError, match="a run folder, not a sweep folder"):
        analyze_sweep(tmp_path)


def test_points_that_do_not_match_the_design_raise(tmp_path):
    design = ishigami_design(n=8)
    folder = write_sweep(tmp_path / "shuffled", design)
    points = pd.read_parquet(folder / "points.parquet")
    points["x1"] = points["x1"].to_numpy()[::-1]
    points.to_parquet(folder / "points.parquet", index=False)
    with pytest.raises(ResultsError, match="without a record of its chunks"):
        analyze_sweep(folder)  # altered by hand: not trusted
    manifest = json.loads((folder / "manifest.json").read_text())
    write_points(folder, points, manifest, chunks_digest({}))
    with pytest.raises(ResultsError, match="differ from the design"):
        analyze_sweep(folder)


# -- printing and the CLI ------------------------------------------------------------------------
def test_print_analysis_shows_the_tables(tmp_path):
    design = ishigami_design(n=64)
    y = Ishigami.evaluate(design.matrix())
    folder = write_sweep(tmp_path / "print", design, extra={"mean_casualties": y})
    console = Console(record=True, width=100)
    print_analysis(console, analyze_sweep(folder))
    text = console.export_text()
    for expected in ("Along x1", "Sobol indices of Mean casualties", "S1", "ST", "analysis"):
        assert expected in text


def test_analyze_cli_on_a_real_sweep(tmp_path, capsys):
    folder = tmp_path / "sweep"
    argv = [
        "sweep",
        str(BASELINE),
        "--param",
        "perception.Iran.US.offense_bias=0:1:2",
        "--param",
        "actors.KH.control=0.3:1:2",
        "--replicates",
        "10",
        "--workers",
        "0",
        "--out",
        str(folder),
        "-q",
    ]
    assert main(argv) == 0
    capsys.readouterr()
    assert main(["analyze", str(folder)]) == 0
    out = capsys.readouterr().out
    assert "Along perception.Iran.US.offense_bias" in out
    assert "Along actors.KH.control" in out
    marginals = pd.read_parquet(folder / "analysis" / "marginals.parquet")
    assert set(marginals["parameter"]) == {"perception.Iran.US.offense_bias", "actors.KH.control"}
    assert set(marginals["n"]) == {20}
    assert (folder / "analysis" / "marginals.csv").exists()


def test_analyze_cli_reports_a_missing_folder(tmp_path, capsys):
    assert main(["analyze", str(tmp_path / "nowhere")]) == 2
    assert "nowhere" in capsys.readouterr().err
