"""Scenario discovery: PRIM's box and trajectory, CART's leaves and the feature scores, on data with
a known box."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from simulator.discovery import Box, Trajectory, cart_boxes, feature_scores, prim

N = 2000
NAMES = [f"x{i}" for i in range(5)]


def known_box(seed: int = 0, noise: str = "random") -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """x uniform on [0, 1]^5; the cases of interest are x0 > 0.6 and x2 < 0.3, with 5 % label noise.

    ``noise="random"``: 5 % of the points get a fair coin's label instead of their own (2.5 % end
    up wrong). ``noise="flip"``: each label is flipped with probability 0.05. Flipping caps what
    any box can cover: the true box then holds only about 72 % of the cases of interest (0.67 to
    0.77 over seeds), so an absolute coverage bar of 0.7 would test the seed; the flipped data are
    held to the true box's own coverage instead. Returns x, y and the noise-free labels.
    """
    rng = np.random.default_rng(seed)
    x = pd.DataFrame(rng.uniform(size=(N, 5)), columns=NAMES)
    truth = (x["x0"].to_numpy() > 0.6) & (x["x2"].to_numpy() < 0.3)
    if noise == "flip":
        y = truth ^ (rng.uniform(size=N) < 0.05)
    else:
        relabelled = rng.uniform(size=N) < 0.05
        y = np.where(relabelled, rng.uniform(size=N) < 0.5, truth)
    return x, y, truth


def assert_known_limits(box: Box, tolerance: float = 0.05) -> None:
    assert box.restricted == ["x0", "x2"]
    limits = box.limits
    assert limits.at["x0", "low"] == pytest.approx(0.6, abs=tolerance)
    assert limits.at["x0", "high"] == pytest.approx(1.0, abs=tolerance)
    assert limits.at["x2", "low"] == pytest.approx(0.0, abs=tolerance)
    assert limits.at["x2", "high"] == pytest.approx(0.3, abs=tolerance)


@pytest.fixture(scope="module")
def data() -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    return known_box()


@pytest.fixture(scope="module")
def trajectory(data: tuple[pd.DataFrame, np.ndarray, np.ndarray]) -> Trajectory:
    x, y, _ = data
    return prim(x, y)


# --- PRIM's box ---


def test_prim_finds_the_known_box(trajectory: Trajectory) -> None:
    box = trajectory.choose()
    assert_known_limits(box)
    assert box.density >= 0.8
    assert box.coverage >= 0.7
    assert set(box.quasi_p) == {"x0", "x2"}
    assert box.quasi_p["x0"] < 0.01
    assert box.quasi_p["x2"] < 0.01


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_prim_box_with_flipped_labels_covers_nearly_what_the_true_box_does(seed: int) -> None:
    x, y, truth = known_box(seed, noise="flip")
    box = prim(x, y).choose()
    assert_known_limits(box)
    assert box.density >= 0.8
    best = y[truth].sum() / y.sum()  # the coverage of the true box itself
    assert box.coverage >= 0.95 * best
    assert max(box.quasi_p.values()) < 0.01


def test_box_statistics_match_the_data(
    data: tuple[pd.DataFrame, np.ndarray, np.ndarray], trajectory: Trajectory
) -> None:
    x, y, _ = data
    for box in trajectory.boxes:
        inside = box.contains(x)
        assert box.n == inside.sum()
        assert box.mass == pytest.approx(inside.mean())
        assert box.coverage == pytest.approx(y[inside].sum() / y.sum())
        assert box.density == pytest.approx(y[inside].mean())
        assert list(box.limits.index) == NAMES
        assert list(box.limits.columns) == ["low", "high", "restricted"]
        free = ~box.limits["restricted"].to_numpy()
        np.testing.assert_array_equal(box.limits["low"].to_numpy()[free], x.min().to_numpy()[free])
        np.testing.assert_array_equal(box.limits["high"].to_numpy()[free], x.max().to_numpy()[free])
        assert set(box.quasi_p) == set(box.restricted)
        assert all(0.0 <= p <= 1.0 for p in box.quasi_p.values())


def test_quasi_p_is_the_binomial_tail_with_the_restriction_dropped(
    data: tuple[pd.DataFrame, np.ndarray, np.ndarray], trajectory: Trajectory
) -> None:
    from scipy.stats import binomtest

    x, y, _ = data
    box = trajectory.choose()
    h, n = int(y[box.contains(x)].sum()), box.n
    for name in box.restricted:
        others = box.limits.copy()
        others.loc[name, ["low", "high"]] = [x[name].min(), x[name].max()]
        others.loc[name, "restricted"] = False
        wider = Box(limits=others, coverage=0, density=0, mass=0, n=0, quasi_p={}).contains(x)
        p = y[wider].mean()
        assert box.quasi_p[name] == pytest.approx(binomtest(h, n, p, alternative="greater").pvalue)


def test_irrelevant_restrictions_have_large_quasi_p() -> None:
    x, y, _ = known_box()
    # peeled further, PRIM restricts a parameter y does not depend on (x4, at the last step)
    boxes = prim(x, y, min_mass=0.03).boxes
    spurious = [
        (name, p) for b in boxes for name, p in b.quasi_p.items() if name not in {"x0", "x2"}
    ]
    assert spurious
    assert all(p > 0.01 for _, p in spurious)
    # pure noise: whatever PRIM restricts earns no small quasi-p
    rng = np.random.default_rng(3)
    x_noise = pd.DataFrame(rng.uniform(size=(N, 2)), columns=["a", "b"])
    y_noise = rng.uniform(size=N) < 0.3
    box = prim(x_noise, y_noise).choose()
    assert box.quasi_p
    assert all(p > 0.01 for p in box.quasi_p.values())


# --- the trajectory ---


def test_the_trajectory_peels_monotonically(trajectory: Trajectory) -> None:
    steps = trajectory.steps
    assert list(steps.columns) == ["phase", "coverage", "density", "mass", "n", "res_dim"]
    assert len(steps) == len(trajectory.boxes)
    assert steps["phase"].iloc[0] == "start"
    assert steps.iloc[0][["coverage", "mass"]].tolist() == [1.0, 1.0]
    peels = steps[steps["phase"].isin(["start", "peel"])]
    assert len(peels) > 10
    assert (np.diff(peels["coverage"]) <= 1e-12).all()
    assert (np.diff(peels["density"]) >= -1e-12).all()
    assert (np.diff(peels["mass"]) < 0).all()
    assert steps["mass"].iloc[-1] >= 0.05
    assert steps["res_dim"].tolist() == [len(box.restricted) for box in trajectory.boxes]


def test_min_mass_bounds_every_box() -> None:
    x, y, _ = known_box()
    for min_mass in (0.05, 0.2, 0.5):
        steps = prim(x, y, min_mass=min_mass).steps
        assert steps["mass"].min() >= min_mass


def test_pasting_raises_density_and_mass() -> None:
    pastes = 0
    for seed in range(6):
        rng = np.random.default_rng(seed)
        x = pd.DataFrame(rng.uniform(size=(400, 3)), columns=["a", "b", "c"])
        p = 0.1 + 0.8 * ((x["a"] > 0.5) & (x["b"] > 0.4)).to_numpy()
        y = rng.uniform(size=400) < p
        pasted = prim(x, y, alpha=0.1).steps
        plain = prim(x, y, alpha=0.1, paste=False).steps
        assert (plain["phase"] != "paste").all()
        # pasting only appends to the peeling trajectory
        pd.testing.assert_frame_equal(pasted.iloc[: len(plain)], plain)
        tail = pasted.iloc[len(plain) - 1 :]
        assert (tail["phase"].iloc[1:] == "paste").all()
        assert (np.diff(tail["density"]) > 0).all()
        assert (np.diff(tail["mass"]) > 0).all()
        pastes += len(tail) - 1
    assert pastes > 0  # the seeds include some that paste


def test_choose_rules(trajectory: Trajectory) -> None:
    steps = trajectory.steps
    dense = trajectory.choose(min_density=0.8)
    assert dense.density >= 0.8
    assert dense.coverage == steps.loc[steps["density"] >= 0.8, "coverage"].max()
    assert {"x0", "x2"} <= set(dense.restricted)
    covered = trajectory.choose(min_coverage=0.9)
    assert covered.coverage >= 0.9
    assert covered.density == steps.loc[steps["coverage"] >= 0.9, "density"].max()
    both = trajectory.choose(min_density=0.5, min_coverage=0.7)
    assert both.density >= 0.5 and both.coverage >= 0.7
    # the knee lies between the extremes
    knee = trajectory.choose()
    assert steps["density"].iloc[0] < knee.density <= steps["density"].max()
    assert trajectory.boxes[trajectory.choose_step()] is knee
    with pytest.raises(ValueError, match="no step"):
        trajectory.choose(min_density=0.999)
    with pytest.raises(ValueError, match="min_coverage"):
        trajectory.choose(min_coverage=1.5)


def test_discrete_parameters_are_peeled_a_value_at_a_time() -> None:
    rng = np.random.default_rng(5)
    x = pd.DataFrame(
        {
            "level": rng.integers(0, 5, size=1000),  # 0..4
            "constant": np.full(1000, 2.0),
            "u": rng.uniform(size=1000),
        }
    )
    y = (x["level"] >= 3).to_numpy() & (rng.uniform(size=1000) < 0.9)
    trajectory = prim(x, y)
    for box in trajectory.boxes:
        assert not box.limits.at["constant", "restricted"]
        # limits fall halfway between levels, or at the ends of the range
        level = box.limits.loc["level", ["low", "high"]].to_numpy()
        assert all(v in (0, 4) or v % 1 == 0.5 for v in level)
    assert trajectory.choose().limits.at["level", "low"] == 2.5


def test_all_cases_of_interest_gives_the_whole_space() -> None:
    x, _, _ = known_box()
    trajectory = prim(x, np.ones(N, dtype=bool))
    assert trajectory.steps["phase"].tolist() == ["start"]
    assert trajectory.choose().restricted == []


# --- CART and feature scores ---


def test_cart_finds_a_dense_leaf_on_x0_and_x2(
    data: tuple[pd.DataFrame, np.ndarray, np.ndarray],
) -> None:
    x, y, _ = data
    leaves = cart_boxes(x, y)
    assert leaves.index.name == "leaf"
    assert list(leaves.columns[:6]) == ["density", "coverage", "mass", "n", "res_dim", "restricted"]
    assert list(leaves.columns[6:]) == [f"{n}_{s}" for n in NAMES for s in ("low", "high")]
    assert (np.diff(leaves["density"]) <= 0).all()
    assert leaves["n"].sum() == N
    assert leaves["coverage"].sum() == pytest.approx(1.0)
    assert leaves["mass"].sum() == pytest.approx(1.0)
    assert len(leaves) <= 2**3
    top = leaves.iloc[0]
    assert top["density"] >= 0.8
    assert top["restricted"].split(", ") == ["x0", "x2"]
    assert top["x0_low"] == pytest.approx(0.6, abs=0.05) or top["x0_low"] > 0.6
    assert top["x2_high"] == pytest.approx(0.3, abs=0.05)
    # the dense leaves together are the known box
    dense = leaves[leaves["density"] >= 0.8]
    assert dense["x0_low"].min() == pytest.approx(0.6, abs=0.05)
    assert dense["coverage"].sum() >= 0.7


def test_cart_leaf_statistics_match_their_limits(
    data: tuple[pd.DataFrame, np.ndarray, np.ndarray],
) -> None:
    x, y, _ = data
    for _, leaf in cart_boxes(x, y, max_depth=2, min_samples_leaf=50).iterrows():
        inside = np.ones(N, dtype=bool)
        for name in NAMES:
            low, high = leaf[f"{name}_low"], leaf[f"{name}_high"]
            # split thresholds are exclusive below, the full range's minimum inclusive
            above = x[name] > low if low > x[name].min() else x[name] >= low
            inside &= (above & (x[name] <= high)).to_numpy()
        assert inside.sum() == leaf["n"]
        assert y[inside].mean() == pytest.approx(leaf["density"])


def test_feature_scores_rank_x0_and_x2_first(
    data: tuple[pd.DataFrame, np.ndarray, np.ndarray],
) -> None:
    x, y, _ = data
    scores = feature_scores(x, y)
    assert set(scores.index[:2]) == {"x0", "x2"}
    assert scores.sum() == pytest.approx(1.0)
    assert (np.diff(scores.to_numpy()) <= 0).all()
    assert scores.name == "importance"
    assert scores.index.name == "parameter"
    # a continuous outcome uses the regressor; the same for y derived from it by a threshold
    rng = np.random.default_rng(1)
    v = x["x0"].to_numpy() - x["x2"].to_numpy() + 0.1 * rng.normal(size=N)
    assert set(feature_scores(x, v, n_estimators=50).index[:2]) == {"x0", "x2"}
    assert set(feature_scores(x, v >= 0.5, n_estimators=50).index[:2]) == {"x0", "x2"}
    # seeded
    pd.testing.assert_series_equal(
        feature_scores(x, y, n_estimators=20), feature_scores(x, y, n_estimators=20)
    )


# --- input errors ---


def test_invalid_inputs_raise_value_errors(
    data: tuple[pd.DataFrame, np.ndarray, np.ndarray],
) -> None:
    x, y, _ = data
    with pytest.raises(ValueError, match="boolean"):
        prim(x, y.astype(int))
    with pytest.raises(ValueError, match="boolean"):
        prim(x, y.astype(float))
    with pytest.raises(ValueError, match="1999 values"):
        prim(x, y[:-1])
    with pytest.raises(ValueError, match="one-dimensional"):
        prim(x, y.reshape(-1, 1))
    with_nan = x.copy()
    with_nan.iloc[3, 2] = np.nan
    with pytest.raises(ValueError, match="NaN.*x2"):
        prim(with_nan, y)
    with pytest.raises(ValueError, match="no case of interest"):
        prim(x, np.zeros(N, dtype=bool))
    for alpha in (0.0, 0.5, -0.1, 0.7):
        with pytest.raises(ValueError, match="alpha"):
            prim(x, y, alpha=alpha)
    for min_mass in (0.0, 1.0):
        with pytest.raises(ValueError, match="min_mass"):
            prim(x, y, min_mass=min_mass)
    with pytest.raises(ValueError, match="numeric"):
        prim(x.assign(kind="a"), y)
    with pytest.raises(ValueError, match="DataFrame"):
        prim(x.to_numpy(), y)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="empty"):
        prim(x.iloc[:0], y[:0])
    # the tree functions check the same way
    with pytest.raises(ValueError, match="boolean"):
        cart_boxes(x, y.astype(int))
    with pytest.raises(ValueError, match="no case of interest"):
        cart_boxes(x, np.zeros(N, dtype=bool))
    with pytest.raises(ValueError, match="NaN"):
        cart_boxes(with_nan, y)
    with pytest.raises(ValueError, match="max_depth"):
        cart_boxes(x, y, max_depth=0)
    with pytest.raises(ValueError, match="min_samples_leaf"):
        cart_boxes(x, y, min_samples_leaf=0.9)
    with pytest.raises(ValueError, match="values but x has"):
        feature_scores(x, y[:10])
    with pytest.raises(ValueError, match="NaN"):
        feature_scores(x, np.full(N, np.nan))
    with pytest.raises(ValueError, match="constant"):
        feature_scores(x, np.zeros(N, dtype=bool))
    with pytest.raises(ValueError, match="boolean or numeric"):
        feature_scores(x, np.array(["a"] * N))
