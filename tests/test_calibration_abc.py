"""The likelihood-free calibration core on toy models whose posterior is known.

The toy: θ ~ U(−5, 5); the data are n = 20 draws from N(θ, 1) and the statistic is their mean,
distributed N(θ, 1/20). With observed mean 1.3 the exact posterior is N(1.3, 1/20) truncated to
(−5, 5); the truncation is 28 sd away and negligible. Every random draw uses a fixed seed, so the
tolerances below are checked once; the comments show that they are several Monte Carlo standard
errors wide, i.e. they would hold for almost any seed.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from simulator.calibration import (
    MAX,
    POINT,
    SECOND_MAX,
    Posterior,
    Statistic,
    distances,
    implausibility,
    kernel_covariance,
    not_ruled_out,
    regime_shares,
    rejection,
    smc_proposals,
    smc_step,
    smc_weights,
    weighted_quantile,
)

OBSERVED = 1.3
SAMPLE_VAR = 1 / 20  # variance of the mean of 20 draws from N(θ, 1)
SAMPLE_SD = math.sqrt(SAMPLE_VAR)  # ≈ 0.2236
MEAN_STAT = [Statistic("mean", OBSERVED, SAMPLE_SD)]
DRAWS = 200_000


def normal_toy(seed: int, n: int = DRAWS) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Prior draws of θ and each draw's simulated sample mean."""
    rng = np.random.default_rng(seed)
    theta = rng.uniform(-5, 5, n)
    simulated = theta + rng.normal(0, SAMPLE_SD, n)
    return pd.DataFrame({"theta": theta}), pd.DataFrame({"mean": simulated})


def uniform_posterior(values: dict[str, list[float]]) -> Posterior:
    params = pd.DataFrame(values)
    n = len(params)
    return Posterior(params, np.zeros(n), np.full(n, 1 / n), 1.0, 1.0)


# -- 1. normal mean --------------------------------------------------------------------------


def test_rejection_recovers_the_normal_posterior() -> None:
    params, simulated = normal_toy(seed=1)
    post = rejection(params, simulated, MEAN_STAT, quantile=0.005)
    # 0.5 % of 200,000 = 1000 accepted points
    assert len(post.params) == 1000
    assert post.accepted_fraction == pytest.approx(0.005)
    assert post.params.index.name == POINT
    assert (post.distance <= post.epsilon).all()
    # ABC tolerance: the statistic's prior-predictive density near 1.3 is ≈ 1/10 (θ uniform on a
    # width of 10), so accepting 0.5 % means |s − 1.3| ≤ h with 2h/10 = 0.005, h = 0.025. The ABC
    # posterior is the exact one convolved with U(−h, h): unbiased, variance 1/20 + h²/3 =
    # 0.05 + 0.0002, sd inflated by 0.2 %.
    # Monte Carlo: with 1000 accepted, SE(mean) = 0.2236/√1000 = 0.0071, so ±0.03 is 4.2 SE;
    # SE(sd)/sd ≈ 1/√(2·999) = 2.2 %, so ±15 % is 6.7 SE (plus the 0.2 % bias).
    assert abs(post.mean()["theta"] - OBSERVED) < 0.03
    assert abs(post.sd()["theta"] / SAMPLE_SD - 1) < 0.15
    assert abs(post.epsilon * SAMPLE_SD - 0.025) < 0.005  # h, in the statistic's units
    # the weighted summaries are the plain ones for equal weights
    assert post.mean()["theta"] == pytest.approx(post.params["theta"].mean())
    assert post.sd()["theta"] == pytest.approx(post.params["theta"].std(ddof=0))
    assert post.ess() == pytest.approx(1000)


def test_epsilon_and_quantile_agree() -> None:
    params, simulated = normal_toy(seed=2, n=20_000)
    by_quantile = rejection(params, simulated, MEAN_STAT, quantile=0.05)
    by_epsilon = rejection(params, simulated, MEAN_STAT, epsilon=by_quantile.epsilon)
    assert by_quantile.params.index.equals(by_epsilon.params.index)
    assert len(by_quantile.params) == 1000


def test_simulated_is_aligned_to_params_by_label() -> None:
    params, simulated = normal_toy(seed=3, n=5000)
    params.index = pd.Index([f"p{i}" for i in range(5000)])
    simulated.index = params.index
    shuffled = simulated.sample(frac=1.0, random_state=0)
    straight = rejection(params, simulated, MEAN_STAT, quantile=0.02)
    aligned = rejection(params, shuffled, MEAN_STAT, quantile=0.02)
    pd.testing.assert_frame_equal(straight.params, aligned.params)
    np.testing.assert_array_equal(straight.distance, aligned.distance)


def test_ties_at_the_threshold_are_all_accepted() -> None:
    params = pd.DataFrame({"theta": [0.0, 1.0, 2.0, 3.0]})
    simulated = pd.DataFrame({"mean": [0.0, 1.0, 1.0, 5.0]})
    post = rejection(params, simulated, [Statistic("mean", 0.5, 1.0)], quantile=0.25)
    assert post.epsilon == pytest.approx(0.5)
    assert list(post.params.index) == [0, 1, 2]
    assert post.accepted_fraction == pytest.approx(0.75)


def test_distances_are_scaled_euclidean_and_nan_is_infinite() -> None:
    simulated = pd.DataFrame(
        {"a": [1.0, 3.0, np.nan, 1.0], "b": [10.0, 14.0, 10.0, np.inf], "ignored": ["x"] * 4}
    )
    stats = [Statistic("a", 1.0, 2.0), Statistic("b", 10.0, 4.0)]
    np.testing.assert_allclose(distances(simulated, stats), [0.0, math.sqrt(2), np.inf, np.inf])
    params = pd.DataFrame({"theta": [0.0, 1.0, 2.0, 3.0]})
    # an infinite epsilon accepts everything that could be judged, never a failed point
    post = rejection(params, simulated, stats, epsilon=np.inf)
    assert list(post.params.index) == [0, 1]
    assert post.accepted_fraction == pytest.approx(0.5)


# -- 2. an unidentified parameter keeps its prior width ----------------------------------------


def test_unidentified_parameter_stays_uniform() -> None:
    rng = np.random.default_rng(4)
    theta1 = rng.uniform(-5, 5, DRAWS)
    theta2 = rng.uniform(0, 1, DRAWS)
    simulated = pd.DataFrame({"mean": theta1 + rng.normal(0, SAMPLE_SD, DRAWS)})
    params = pd.DataFrame({"theta1": theta1, "theta2": theta2})
    post = rejection(params, simulated, MEAN_STAT, quantile=0.005)
    assert abs(post.mean()["theta1"] - OBSERVED) < 0.03
    assert sps.kstest(post.params["theta2"], "uniform").pvalue > 0.01
    # the width shows: the 90 % interval of θ2 is its prior's, (0.05, 0.95), to ±0.05 (the
    # quantiles of 1000 uniform draws have SE ≈ √(0.05·0.95/1000) ≈ 0.007)
    bands = post.quantiles((0.05, 0.95))["theta2"]
    assert abs(bands[0.05] - 0.05) < 0.05
    assert abs(bands[0.95] - 0.95) < 0.05


# -- 3. a bimodal posterior -------------------------------------------------------------------


def test_bimodal_posterior_shows_both_modes() -> None:
    rng = np.random.default_rng(5)
    theta = rng.uniform(-3, 3, DRAWS)
    simulated = pd.DataFrame({"square": theta**2 + rng.normal(0, 0.2, DRAWS)})
    params = pd.DataFrame({"theta": theta})
    post = rejection(params, simulated, [Statistic("square", 1.0, 0.2)], quantile=0.005)
    shares = regime_shares(post.params, "theta", [0.0], ["negative", "positive"], post.weights)
    # 1000 accepted: SE of a 50 % share is √(0.25/1000) = 1.6 %, so ±5 % is 3.2 SE
    assert abs(shares["negative"] - 0.5) < 0.05
    assert shares["negative"] + shares["positive"] == pytest.approx(1.0)
    # the modes are at ±1 and the posterior mean (≈ 0) has no mass around it
    middle = regime_shares(post.params, "theta", [-0.5, 0.5], ["low", "mid", "high"], post.weights)
    assert middle["mid"] < 0.01
    quartiles = post.quantiles((0.25, 0.75))["theta"]
    assert abs(quartiles[0.25] + 1) < 0.1 and abs(quartiles[0.75] - 1) < 0.1


def test_regime_shares_by_a_statistic() -> None:
    frame = pd.DataFrame({"attacks": [2.0, 10.0, 10.5, 30.0]})
    weights = np.array([1.0, 1.0, 1.0, 2.0])  # need not be normalised
    shares = regime_shares(frame, "attacks", [10.0], ["quiet", "runaway"], weights)
    # a value equal to the threshold belongs to the lower regime: runaway means > 10
    assert shares == pytest.approx({"quiet": 0.4, "runaway": 0.6})
    three = regime_shares(frame, "attacks", [0.0, 1.0], ["neg", "low", "high"], weights)
    assert three == {"neg": 0.0, "low": 0.0, "high": 1.0}


# -- 4. history matching -----------------------------------------------------------------------


def test_history_matching_recovers_the_plausible_interval() -> None:
    rng = np.random.default_rng(6)
    theta = np.linspace(-5, 5, 2001)
    replicates = 400
    runs = theta[:, None] + rng.normal(0, SAMPLE_SD, (theta.size, replicates))
    run_var = runs.var(axis=1, ddof=1)
    mean = pd.DataFrame({"mean": runs.mean(axis=1)})
    ensemble_var = pd.DataFrame({"mean": run_var / replicates})
    intrinsic = pd.DataFrame({"mean": run_var})
    obs_sd = 0.1
    stats = [Statistic("mean", OBSERVED, obs_sd)]
    impl = implausibility(mean, ensemble_var, stats, intrinsic_var=intrinsic)
    assert list(impl.columns) == ["mean", MAX, SECOND_MAX]
    assert impl[SECOND_MAX].isna().all()
    keep = not_ruled_out(impl, 3.0)
    # the non-implausible set is one interval 1.3 ± 3·√(1/20 + obs var) (+ 1/8000 ensemble var)
    half = 3 * math.sqrt(SAMPLE_VAR + obs_sd**2 + SAMPLE_VAR / replicates)
    inside = np.flatnonzero(keep)
    # endpoint noise: SE of a 400-run mean 0.011, of 3·√var 0.024 — 0.1 is ≥ 3.5 SE. Within that
    # band the set is ragged (points just inside or outside by luck); away from it, exact.
    assert abs(theta[inside[0]] - (OBSERVED - half)) < 0.1
    assert abs(theta[inside[-1]] - (OBSERVED + half)) < 0.1
    offset = np.abs(theta - OBSERVED)
    assert keep[offset < half - 0.1].all()
    assert not keep[offset > half + 0.1].any()
    # without the run-to-run spread of the one observed history, far too much is ruled out
    narrow = not_ruled_out(implausibility(mean, ensemble_var, stats))
    assert narrow.sum() < 0.5 * keep.sum()
    # a model discrepancy of the same size widens the set like the intrinsic variance does
    with_md = implausibility(mean, ensemble_var, stats, model_discrepancy={"mean": SAMPLE_SD})
    assert abs(int(not_ruled_out(with_md).sum()) - int(keep.sum())) < 0.05 * keep.sum()


def test_implausibility_by_hand() -> None:
    mean = pd.DataFrame({"a": [1.0, 4.0, np.nan], "b": [0.0, 0.0, 0.0]}, index=["x", "y", "z"])
    var = pd.DataFrame({"a": [np.nan, 5.0, 0.0], "b": [0.0, 0.0, 0.0]}, index=["z", "y", "x"])
    stats = [Statistic("a", 1.0, 2.0), Statistic("b", 3.0, 1.0)]
    impl = implausibility(mean, var, stats, model_discrepancy={"b": math.sqrt(8.0)})
    assert impl.index.name == POINT
    # a at y: |4 − 1| / √(4 + 5) = 1; b everywhere: 3 / √(1 + 8) = 1; a at z: NaN mean → inf
    np.testing.assert_allclose(impl["a"], [0.0, 1.0, np.inf])
    np.testing.assert_allclose(impl["b"], [1.0, 1.0, 1.0])
    np.testing.assert_allclose(impl[MAX], [1.0, 1.0, np.inf])
    np.testing.assert_allclose(impl[SECOND_MAX], [0.0, 1.0, 1.0])
    np.testing.assert_array_equal(not_ruled_out(impl, 1.0), [True, True, False])
    np.testing.assert_array_equal(not_ruled_out(impl, 0.5), [False, False, False])
    np.testing.assert_array_equal(not_ruled_out(impl, 1.0, which=SECOND_MAX), [True, True, True])


# -- 5. weighted quantiles and ESS ------------------------------------------------------------


def test_weighted_quantiles_match_numpy_for_equal_weights() -> None:
    rng = np.random.default_rng(7)
    values = np.round(rng.normal(size=37), 1)  # with ties
    levels = np.linspace(0, 1, 101)
    np.testing.assert_allclose(
        weighted_quantile(values, np.ones(37), levels), np.quantile(values, levels), atol=1e-12
    )
    post = uniform_posterior({"a": list(values), "b": list(values**2)})
    table = post.quantiles()
    assert list(table.index) == [0.05, 0.5, 0.95]
    expected = post.params.quantile([0.05, 0.5, 0.95])
    np.testing.assert_allclose(table.to_numpy(), expected.to_numpy(), atol=1e-12)
    assert post.ess() == pytest.approx(37)


def test_weighted_quantile_properties() -> None:
    values = np.array([3.0, 1.0, 2.0, 10.0])
    # zero weights drop a value; weights need not be normalised
    np.testing.assert_allclose(
        weighted_quantile(values, [2, 2, 2, 0], [0, 0.5, 1]), np.quantile([1, 2, 3], [0, 0.5, 1])
    )
    # heavier weight pulls the median towards the value
    assert weighted_quantile(values, [1, 1, 10, 1], 0.5)[()] < 2.5
    assert weighted_quantile([4.0], [1.0], [0.1, 0.9]).tolist() == [4.0, 4.0]
    post = Posterior(pd.DataFrame({"a": values}), np.zeros(4), np.array([1, 1, 0, 0]), 1.0, 0.5)
    assert post.ess() == pytest.approx(2.0)
    assert post.weights.sum() == pytest.approx(1.0)


# -- ABC-SMC -------------------------------------------------------------------------------------


def test_smc_weights_are_prior_over_proposal_density() -> None:
    previous = Posterior(
        pd.DataFrame({"theta": [0.0, 1.0, 2.0]}), np.zeros(3), np.array([0.2, 0.3, 0.5]), 1.0, 1.0
    )
    new = pd.DataFrame({"theta": [0.5, 1.5, 6.0]})
    weights = smc_weights(new, previous, {"theta": (-5.0, 5.0)}, cov=0.25)
    density = sum(
        w * sps.norm.pdf(new["theta"][:2], loc, 0.5)
        for w, loc in zip([0.2, 0.3, 0.5], [0, 1, 2], strict=True)
    )
    expected = np.append(1 / density, 0.0)  # the last point is outside the prior
    np.testing.assert_allclose(weights, expected / expected.sum())
    # the default kernel is twice the weighted variance (Beaumont et al. 2009)
    variance = np.cov(previous.params["theta"], aweights=previous.weights, bias=True)
    np.testing.assert_allclose(kernel_covariance(previous), [[2 * variance]])


def test_smc_weights_in_two_dimensions() -> None:
    rng = np.random.default_rng(8)
    old = rng.normal(size=(50, 2))
    previous = Posterior(pd.DataFrame(old, columns=["u", "v"]), np.zeros(50), rng.random(50), 1, 1)
    cov = np.array([[0.5, 0.2], [0.2, 0.3]])
    new = pd.DataFrame(rng.normal(size=(20, 2)), columns=["v", "u"])  # column order is free
    bounds = {"u": (-10.0, 10.0), "v": (-10.0, 10.0)}
    weights = smc_weights(new, previous, bounds, cov=cov)
    points = new[["u", "v"]].to_numpy()
    density = sum(
        w * sps.multivariate_normal.pdf(points, mean=centre, cov=cov)
        for w, centre in zip(previous.weights, old, strict=True)
    )
    np.testing.assert_allclose(weights, (1 / density) / (1 / density).sum(), rtol=1e-9)


def test_smc_generation_corrects_a_biased_proposal() -> None:
    rng = np.random.default_rng(9)
    # a previous population deliberately off-centre: N(0.9, 0.3²), equal weights
    previous = uniform_posterior({"theta": list(rng.normal(0.9, 0.3, 4000))})
    bounds = {"theta": (-5.0, 5.0)}
    proposals = smc_proposals(previous, 40_000, bounds, rng)
    assert len(proposals) == 40_000 and proposals.index.name == POINT
    assert proposals["theta"].between(-5, 5).all()
    simulated = pd.DataFrame({"mean": proposals["theta"] + rng.normal(0, SAMPLE_SD, 40_000)})
    post = smc_step(proposals, simulated, MEAN_STAT, previous, bounds, quantile=0.025)
    assert len(post.params) == 1000
    # proposal N(0.9, 0.09 + 2·0.09): unweighted, the accepted points have mean
    # (1.3/0.05 + 0.9/0.27) / (1/0.05 + 1/0.27) ≈ 1.24; the weights remove the bias.
    # Tolerances as for rejection, with the SEs inflated by √(1000/ESS) (ESS ≈ 900 here).
    assert post.ess() > 500
    assert abs(post.mean()["theta"] - OBSERVED) < 0.03
    assert abs(post.sd()["theta"] / SAMPLE_SD - 1) < 0.15
    assert post.params["theta"].mean() < OBSERVED - 0.03


def test_smc_proposals_give_up_on_a_box_the_kernel_misses() -> None:
    previous = uniform_posterior({"theta": [0.0, 0.1, 0.2]})
    with pytest.raises(ValueError, match="too wide"):
        smc_proposals(previous, 10, {"theta": (50.0, 51.0)}, np.random.default_rng(0))


# -- 6. ValueErrors ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "observed", "scale", "match"),
    [
        ("a", 1.0, 0.0, "scale"),
        ("a", 1.0, -1.0, "scale"),
        ("a", 1.0, math.nan, "scale"),
        ("a", math.nan, 1.0, "observed"),
        ("", 1.0, 1.0, "name"),
        ("a", "1", 1.0, "number"),
    ],
)
def test_bad_statistic(name: str, observed: float, scale: float, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        Statistic(name, observed, scale)


def test_bad_rejection_inputs() -> None:
    params = pd.DataFrame({"theta": [0.0, 1.0, 2.0]})
    simulated = pd.DataFrame({"mean": [0.0, 1.0, np.nan]})
    stat = Statistic("mean", 0.0, 1.0)
    cases = [
        ({"quantile": 0.5, "epsilon": 1.0}, "exactly one"),
        ({}, "exactly one"),
        ({"quantile": 0.0}, "quantile"),
        ({"quantile": 1.5}, "quantile"),
        ({"epsilon": -1.0}, "epsilon"),
        ({"quantile": 1.0}, "finite distance"),  # reaches the NaN point
    ]
    for kwargs, match in cases:
        with pytest.raises(ValueError, match=match):
            rejection(params, simulated, [stat], **kwargs)
    with pytest.raises(ValueError, match="no point accepted"):
        rejection(params, simulated + 10, [stat], epsilon=1.0)
    with pytest.raises(ValueError, match="same point labels"):
        rejection(params, simulated.set_axis([0, 1, 5]), [stat], quantile=0.5)
    with pytest.raises(ValueError, match="same point labels"):
        rejection(params, simulated.iloc[:2], [stat], quantile=0.5)
    with pytest.raises(ValueError, match="unique"):
        rejection(params.set_axis([0, 0, 1]), simulated, [stat], quantile=0.5)
    with pytest.raises(ValueError, match="empty"):
        rejection(params.iloc[:0], simulated.iloc[:0], [stat], quantile=0.5)
    with pytest.raises(ValueError, match="finite"):
        rejection(params.replace(2.0, np.nan), simulated, [stat], quantile=0.5)
    with pytest.raises(ValueError, match="not numeric"):
        rejection(params.assign(label="x"), simulated, [stat], quantile=0.5)
    with pytest.raises(ValueError, match="no column"):
        rejection(params, simulated, [Statistic("other", 0.0, 1.0)], quantile=0.5)
    with pytest.raises(ValueError, match="distinct"):
        rejection(params, simulated, [stat, stat], quantile=0.5)
    with pytest.raises(ValueError, match="at least one"):
        distances(simulated, [])
    with pytest.raises(ValueError, match="sequence"):
        distances(simulated, stat)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="empty"):
        distances(simulated.iloc[:0], [stat])


def test_bad_history_matching_inputs() -> None:
    mean = pd.DataFrame({"a": [1.0, 2.0]})
    var = pd.DataFrame({"a": [0.0, 0.1]})
    stats = [Statistic("a", 1.0, 1.0)]
    with pytest.raises(ValueError, match="finite and >= 0"):
        implausibility(mean, var - 1, stats)
    with pytest.raises(ValueError, match="pass 0"):
        implausibility(mean, var.replace(0.1, np.nan), stats)
    with pytest.raises(ValueError, match="intrinsic_var"):
        implausibility(mean, var, stats, intrinsic_var=var - 1)
    with pytest.raises(ValueError, match="same point labels"):
        implausibility(mean, var.set_axis([1, 2]), stats)
    with pytest.raises(ValueError, match="unknown statistics"):
        implausibility(mean, var, stats, model_discrepancy={"b": 1.0})
    with pytest.raises(ValueError, match="sd >= 0"):
        implausibility(mean, var, stats, model_discrepancy={"a": -1.0})
    with pytest.raises(ValueError, match="clash"):
        implausibility(mean.rename(columns={"a": MAX}), var, [Statistic(MAX, 1.0, 1.0)])
    with pytest.raises(ValueError, match="no column"):
        implausibility(mean, var.rename(columns={"a": "b"}), stats)
    impl = implausibility(mean, var, stats)
    with pytest.raises(ValueError, match="cutoff"):
        not_ruled_out(impl, 0.0)
    with pytest.raises(ValueError, match="two statistics"):
        not_ruled_out(impl, which=SECOND_MAX)
    with pytest.raises(ValueError, match="column"):
        not_ruled_out(impl.drop(columns=MAX))


def test_bad_regime_and_posterior_inputs() -> None:
    frame = pd.DataFrame({"x": [1.0, 2.0, 3.0]})
    weights = np.ones(3)
    with pytest.raises(ValueError, match="labels"):
        regime_shares(frame, "x", [1.5], ["only"], weights)
    with pytest.raises(ValueError, match="increasing"):
        regime_shares(frame, "x", [2.0, 1.0], ["a", "b", "c"], weights)
    with pytest.raises(ValueError, match="length 3"):
        regime_shares(frame, "x", [1.5], ["a", "b"], np.ones(2))
    with pytest.raises(ValueError, match="non-negative"):
        regime_shares(frame, "x", [1.5], ["a", "b"], [1.0, -1.0, 1.0])
    with pytest.raises(ValueError, match="no column"):
        regime_shares(frame, "y", [1.5], ["a", "b"], weights)
    with pytest.raises(ValueError, match="NaN"):
        regime_shares(frame.replace(2.0, np.nan), "x", [1.5], ["a", "b"], weights)
    with pytest.raises(ValueError, match="sum to zero"):
        Posterior(frame, np.zeros(3), np.zeros(3), 1.0, 1.0)
    with pytest.raises(ValueError, match="length 3"):
        Posterior(frame, np.zeros(2), weights, 1.0, 1.0)
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        weighted_quantile([1.0, 2.0], [1.0, 1.0], 1.5)
    previous = uniform_posterior({"theta": [0.0, 1.0, 2.0]})
    new = pd.DataFrame({"theta": [0.5]})
    with pytest.raises(ValueError, match="exactly the parameters"):
        smc_weights(new, previous, {"other": (0.0, 1.0)})
    with pytest.raises(ValueError, match="low < high"):
        smc_weights(new, previous, {"theta": (1.0, 0.0)})
    with pytest.raises(ValueError, match="positive definite"):
        smc_weights(new, uniform_posterior({"theta": [1.0, 1.0]}), {"theta": (0.0, 2.0)})
    with pytest.raises(ValueError, match="outside"):
        smc_weights(pd.DataFrame({"theta": [9.0]}), previous, {"theta": (-5.0, 5.0)})
    with pytest.raises(ValueError, match="lacks"):
        smc_weights(new.assign(extra=1.0), previous, {"theta": (-5.0, 5.0)})
