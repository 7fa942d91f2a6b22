"""``escalation discover`` over a stored sweep: the boxes, and the bad input it refuses."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import BASELINE, call


@pytest.fixture(autouse=True)
def _in_tmp_path(in_tmp_path):
    """Run every test from its own tmp_path."""


@pytest.fixture(scope="module")
def sweep(tmp_path_factory):
    from simulator.cli import main

    folder = tmp_path_factory.mktemp("discover") / "grid"
    code = main(
        [
            "sweep", str(BASELINE), "--param", "actors.FrontGroups.control=0.1:0.7:7",
            "--param", "perception.Iran.US.offense_bias=0:1:4", "-n", "40", "--seed", "5",
            "--workers", "0", "--out", str(folder), "--quiet",
        ]
    )  # fmt: skip
    assert code == 0
    return folder


def test_discover_finds_the_control_box(capsys, sweep):
    code, out, err = call(
        capsys, "discover", sweep, "--outcome", "clash_or_war", "--threshold", "0.2"
    )
    assert code == 0, err
    assert "PRIM box" in out and "Feature scores" in out
    box = pd.read_parquet(sweep / "discovery" / "box.parquet").set_index("parameter")
    # clashes come where the front groups are out of hand: the box bounds their control above
    assert bool(box.loc["actors.FrontGroups.control", "restricted"])
    assert box.loc["actors.FrontGroups.control", "high"] <= 0.45
    features = pd.read_parquet(sweep / "discovery" / "features.parquet")
    assert features["parameter"].iloc[0] == "actors.FrontGroups.control"
    for name in ("trajectory", "cart"):
        assert not pd.read_parquet(sweep / "discovery" / f"{name}.parquet").empty


def test_discover_refuses_what_it_cannot_use(capsys, sweep, tmp_path):
    run = tmp_path / "run"
    assert call(capsys, "run", BASELINE, "-n", "10", "--out", run, "-q", "--no-plots")[0] == 0
    for args, words in (
        ((run,), "not a single run"),
        ((sweep, "--outcome", "peace"), "no such column"),
        ((sweep, "--outcome", "war", "--threshold", "2"), "no design point reaches it"),
        ((sweep, "--outcome", "clash_or_war", "--density", "1.5"), "at most 1"),
        ((sweep, "--threshold", "abc"), "expected a number"),
    ):
        code, _, err = call(capsys, "discover", *args)
        assert code == 2 and words in err, (args, err)
