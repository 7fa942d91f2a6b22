"""Robustness of lever settings across uncertainties: regret by hand, and the command."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import BASELINE, call

from simulator.experiment.limits import OptionError
from simulator.experiment.robustness import regret_tables


@pytest.fixture(autouse=True)
def _in_tmp_path(in_tmp_path):
    """Run every test from its own tmp_path."""


def test_regret_on_a_hand_made_table():
    # lever L in {1, 2}, uncertainty U in {a, b, c}; P(bad outcome):
    #          U=a   U=b   U=c
    #   L=1    0.10  0.40  0.20
    #   L=2    0.20  0.10  0.30
    # best per U: 0.10, 0.10, 0.20 → regret L=1: 0, .3, 0; L=2: .1, 0, .1
    points = pd.DataFrame(
        {
            "L": [1, 1, 1, 2, 2, 2],
            "U": ["a", "b", "c", "a", "b", "c"],
            "p": [0.10, 0.40, 0.20, 0.20, 0.10, 0.30],
        }
    )
    summary, long = regret_tables(points, ["L"], ["U"], "p", higher=False)
    by = summary.set_index("L")
    assert by.loc[1, "mean"] == pytest.approx(0.7 / 3) and by.loc[1, "worst"] == 0.40
    assert by.loc[1, "max_regret"] == pytest.approx(0.3) and by.loc[
        2, "max_regret"
    ] == pytest.approx(0.1)
    assert by.loc[1, "mean_regret"] == pytest.approx(0.1) and by.loc[
        2, "mean_regret"
    ] == pytest.approx(0.2 / 3)
    assert by.loc[1, "best_share"] == pytest.approx(2 / 3) and by.loc[
        2, "best_share"
    ] == pytest.approx(1 / 3)
    assert summary["L"].tolist() == [2, 1]  # ranked by the worst regret: L=2 is the robust one
    assert len(long) == 6 and long["regret"].max() == pytest.approx(0.3)
    # an outcome one wants more of: the best is the highest
    summary, _ = regret_tables(points, ["L"], ["U"], "p", higher=True)
    assert summary.set_index("L").loc[2, "max_regret"] == pytest.approx(0.3)
    with pytest.raises(OptionError, match="miss"):
        regret_tables(points.iloc[:5], ["L"], ["U"], "p", higher=False)


def test_robustness_from_the_command_line(capsys, tmp_path):
    sweep = tmp_path / "grid"
    code, _, err = call(
        capsys, "sweep", BASELINE, "--param", "actors.FrontGroups.control=0.3:0.6:3",
        "--param", "perception.Iran.US.offense_bias=0:1:2", "-n", "30", "--workers", "0",
        "--out", sweep, "--quiet",
    )  # fmt: skip
    assert code == 0, err
    code, out, err = call(capsys, "robustness", sweep, "--lever", "actors.FrontGroups.control")
    assert code == 0, err
    assert "by lever setting" in out and "max regret" in out
    summary = pd.read_parquet(sweep / "robustness" / "summary.parquet")
    assert len(summary) == 3 and (summary["uncertainty_points"] == 2).all()
    # bad input: a lever that is not swept, no uncertainty left, an unknown outcome
    for args, words in (
        (("--lever", "actors.KH.control"), "must be one of the sweep's parameters"),
        (
            ("--lever", "actors.FrontGroups.control", "--lever", "perception.Iran.US.offense_bias"),
            "no uncertainty",
        ),
        (("--lever", "actors.FrontGroups.control", "--outcome", "peace"), "not an outcome"),
    ):
        code, _, err = call(capsys, "robustness", sweep, *args)
        assert code == 2 and words in err, err


def test_a_sweep_file_tags_its_levers(capsys, tmp_path):
    sweep_file = tmp_path / "levers.yaml"
    sweep_file.write_text(
        f"scenario: {BASELINE}\n"
        "design: grid\nreplicates: 20\n"
        "params:\n"
        '  actors.FrontGroups.control: "0.3:0.6:2"\n'
        '  perception.Iran.US.offense_bias: "0:1:2"\n'
        "levers: [actors.FrontGroups.control]\n",
        encoding="utf-8",
    )
    out = tmp_path / "tagged"
    code, _, err = call(capsys, "sweep", sweep_file, "--workers", "0", "--out", out, "--quiet")
    assert code == 0, err
    code, stdout, err = call(capsys, "robustness", out)  # no --lever: the file's tag
    assert code == 0, err
    assert "Levers: actors.FrontGroups.control" in " ".join(stdout.split())
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        sweep_file.read_text(encoding="utf-8").replace(
            "levers: [actors.FrontGroups.control]", "levers: [actors.KH.control]"
        ),
        encoding="utf-8",
    )
    code, _, err = call(capsys, "validate", bad)
    assert code == 2 and "bad.yaml:7: levers.0" in err and "not one of the swept params" in err
