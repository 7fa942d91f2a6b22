"""Paired comparisons of two arms (common random numbers): statistics, ``escalation compare``."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import BASELINE, call, snapshot

from simulator.experiment.compare import check_comparable, compare
from simulator.experiment.limits import OptionError
from simulator.results.manifest import read_manifest
from simulator.scenario import load_scenario
from simulator.stats import (
    mcnemar_exact,
    newcombe_paired,
    newcombe_unpaired,
    paired_mean_difference,
    wilson_interval,
)


@pytest.fixture(autouse=True)
def _in_tmp_path(in_tmp_path):
    """Run every test from its own tmp_path."""


# -- the statistics -------------------------------------------------------------------------------
def test_the_unpaired_interval_is_newcombe_s_published_example():
    # Newcombe (1998a), the hybrid score interval of 56/70 − 48/80: 0.0524 to 0.3339
    delta, low, high = newcombe_unpaired(48, 56, 80, 70)
    assert delta == pytest.approx(0.2)
    assert (round(low, 4), round(high, 4)) == (0.0524, 0.3339)


def test_the_paired_interval_by_hand():
    # both 12, only A 9, only B 2, neither 21 (n = 44): P(A) = 21/44, P(B) = 14/44, ΔP = −7/44
    delta, low, high = newcombe_paired(12, 9, 2, 21)
    assert delta == pytest.approx(-7 / 44)
    la, ua = wilson_interval(21, 44)
    lb, ub = wilson_interval(14, 44)
    # φ = (12·21 − 9·2 − 44/2) / √(21·23·14·30), continuity-corrected as Newcombe does
    phi = (12 * 21 - 9 * 2 - 22) / math.sqrt(21 * 23 * 14 * 30)
    pa, pb = 21 / 44, 14 / 44
    want_low = delta - math.sqrt((pb - lb) ** 2 - 2 * phi * (pb - lb) * (ua - pa) + (ua - pa) ** 2)
    want_high = delta + math.sqrt((ub - pb) ** 2 - 2 * phi * (ub - pb) * (pa - la) + (pa - la) ** 2)
    assert (low, high) == pytest.approx((want_low, want_high))
    assert (round(low, 4), round(high, 4)) == (-0.2954, -0.0112)
    # pairing narrows the interval: the same margins as independent samples are wider
    _, u_low, u_high = newcombe_unpaired(21, 14, 44)
    assert high - low < u_high - u_low


def test_identical_arms_have_a_zero_width_change_interval_around_nothing():
    delta, low, high = newcombe_paired(30, 0, 0, 70)
    assert delta == 0 and low <= 0 <= high and high - low < 0.08


def test_mcnemar_exact_by_hand():
    # 9 and 2 discordant pairs: 2 · P(X ≤ 2 | 11, ½) = 2 · (1 + 11 + 55) / 2048
    assert mcnemar_exact(9, 2) == pytest.approx(134 / 2048)
    assert mcnemar_exact(0, 0) == 1.0


def test_paired_mean_difference_by_hand():
    a = np.array([1.0, 2.0, 3.0, 4.0])
    b = a + np.array([1.0, 1.0, 2.0, 0.0])  # differences 1, 1, 2, 0: mean 1, sd √(2/3)
    delta, low, high, unpaired = paired_mean_difference(a, b)
    half = 1.96 * math.sqrt(2 / 3) / 2
    assert (delta, low, high) == pytest.approx((1.0, 1 - half, 1 + half))
    assert unpaired == pytest.approx(1.96 * math.sqrt((a.var(ddof=1) + b.var(ddof=1)) / 4))


# -- two arms of the model ---------------------------------------------------------------------
@pytest.fixture(scope="module")
def baseline():
    return load_scenario(BASELINE).model_copy(update={"replicates": 400, "seed": 11})


def test_an_arm_compared_with_itself_changes_nothing(baseline, tmp_path):
    done = compare(baseline, baseline, tmp_path / "same")
    out = done.tables["outcomes"]
    assert (out["delta"] == 0).all() and (out["only_a"] == 0).all() and (out["only_b"] == 0).all()
    assert done.tables["changed"].empty
    moves = done.tables["transitions"].set_index("a").to_numpy()
    assert moves.sum() == 400 and np.count_nonzero(moves - np.diag(np.diag(moves))) == 0


def test_common_random_numbers_tighten_a_known_effect(baseline, tmp_path):
    """Looser front groups mean more violence; pairing measures it with less noise.

    A small change (control 0.4 → 0.35) keeps most replicates' paths together, which is where
    common random numbers pay: with seed 11 and 400 pairs the paired intervals are 0.59–0.88
    of the unpaired widths (a large change, control 0.1, diverges every path and pairs nothing).
    """
    looser = load_scenario(BASELINE, ["actors.FrontGroups.control=0.35"]).model_copy(
        update={"replicates": 400, "seed": 11}
    )
    done = compare(baseline, looser, tmp_path / "looser")
    out = done.tables["outcomes"].set_index(["scope", "outcome"])
    proxy = out.loc[("overall", "proxy_violence")]
    assert proxy["delta"] > 0 and proxy["low"] > 0  # the effect, and the paired test sees it
    assert out.loc[("overall", "clash_or_war"), "low"] > 0
    calm = out.loc[("overall", "de_escalated")]
    assert calm["delta"] < 0 and calm["mcnemar_p"] < 0.01
    assert calm["width_ratio"] < 0.7  # the paired interval is much narrower for the same work
    assert (out.loc["overall", "width_ratio"] < 1).all()
    # the transitions say where the changed replicates went, and changed lists each of them
    moves = done.tables["transitions"].set_index("a").to_numpy()
    changed = done.tables["changed"]
    assert len(changed) == moves.sum() - np.trace(moves) > 0
    assert (changed["outcome_a"] != changed["outcome_b"]).all()
    # each arm is a run folder: trace and summary read it
    assert read_manifest(tmp_path / "looser" / "a", "run")["scenario_name"] == "baseline"
    daily = done.tables["daily"]
    assert len(daily) == baseline.horizon_days and (daily["low"] <= daily["delta"]).all()


def test_arms_of_different_crises_are_refused(baseline):
    shorter = baseline.model_copy(update={"horizon_days": 30})
    with pytest.raises(OptionError, match="horizon_days"):
        check_comparable(baseline, shorter, ("A", "B"))


# -- the command --------------------------------------------------------------------------------
def test_compare_from_the_command_line(capsys, tmp_path):
    out = tmp_path / "control"
    code, stdout, err = call(
        capsys, "compare", BASELINE, "--set", "actors.KH.control=0.3", "-n", "200", "--seed",
        "3", "--out", out, "--list-changed",
    )  # fmt: skip
    assert code == 0, err
    assert "paired replicates" in stdout and "replicates changed class" in stdout
    manifest = read_manifest(out, "comparison")
    assert [a["arm"] for a in manifest["arms"]] == ["a", "b"]
    for name in ("outcomes", "transitions", "daily", "metrics", "changed"):
        assert not pd.read_parquet(out / f"{name}.parquet").empty or name == "changed"
    k = int(pd.read_parquet(out / "changed.parquet")["replicate"].iloc[0])
    code, stdout, _ = call(capsys, "trace", out / "b", "--replicate", str(k))
    assert code == 0 and f"replicate {k}" in stdout


def test_bad_comparisons_are_refused_and_write_nothing(capsys, tmp_path):
    short = tmp_path / "short.yaml"
    short.write_text(
        BASELINE.read_text(encoding="utf-8").replace("horizon_days: 90", "horizon_days: 60"),
        encoding="utf-8",
    )
    out = tmp_path / "nothing"
    code, _, err = call(capsys, "compare", BASELINE, short, "--out", out)
    assert code == 2 and "horizon_days (90 vs 60)" in err and not out.exists()
    code, _, err = call(capsys, "compare", BASELINE, "--out", out)
    assert code == 2 and "--set" in err and not out.exists()
    existing = tmp_path / "kept"
    existing.mkdir()
    (existing / "notes.txt").write_text("mine\n", encoding="utf-8")
    before = snapshot(existing)
    code, _, err = call(
        capsys, "compare", BASELINE, "--set", "rationality=2", "--out", existing, "--force"
    )
    assert code == 2 and snapshot(existing) == before


def test_a_comparison_folder_is_its_own_kind(tmp_path, baseline):
    compare(baseline.model_copy(update={"replicates": 20}), baseline, tmp_path / "c")
    assert read_manifest(tmp_path / "c")["kind"] == "comparison"
    assert Path(tmp_path / "c" / "b" / "runs.parquet").is_file()
