"""Scoring rules (simulator.scoring.rules): hand-computed values, published values, properties.

Every hand value shows its arithmetic in a comment. Random checks use fixed seeds.
"""

from __future__ import annotations

import math

import numpy as np
import properscoring
import pytest
from scipy import stats

from simulator.scoring import rules

# --------------------------------------------------------------------------------------------
# RPS


def test_rps_wilks_example() -> None:
    # The example the R package `verification` (rps(), Pocernich) attributes to Wilks (2005, ch.
    # 7): three categories, forecast (0.2, 0.5, 0.3), the first category observed (R's obs = 1;
    # index 0 here). Computed by hand, not read from the book:
    #   cumulative forecast F = (0.2, 0.7, 1.0), cumulative observation O = (1, 1, 1)
    #   unnormalised (Wilks's form)  (0.2-1)^2 + (0.7-1)^2 + 0 = 0.64 + 0.09 = 0.73
    #   normalised by K - 1 = 2      0.73 / 2 = 0.365 (verification::rps also divides by K - 1)
    assert rules.rps([0.2, 0.5, 0.3], 0) == pytest.approx(0.365, abs=1e-12)


def test_rps_hand_values_five_classes() -> None:
    # p = (0.1, 0.2, 0.3, 0.3, 0.1), class 2 observed:
    #   F = (0.1, 0.3, 0.6, 0.9), O = (0, 0, 1, 1)
    #   (0.01 + 0.09 + 0.16 + 0.01) / 4 = 0.27 / 4 = 0.0675
    p = [0.1, 0.2, 0.3, 0.3, 0.1]
    assert rules.rps(p, 2) == pytest.approx(0.0675, abs=1e-12)
    # same forecast, class 4 observed: O = (0, 0, 0, 0)
    #   (0.01 + 0.09 + 0.36 + 0.81) / 4 = 1.27 / 4 = 0.3175
    assert rules.rps(p, 4) == pytest.approx(0.3175, abs=1e-12)
    # a sure forecast of class 0 when class 4 happens: F = (1, 1, 1, 1), O = 0 → 4 / 4 = 1
    assert rules.rps([1.0, 0, 0, 0, 0], 4) == pytest.approx(1.0)


def test_rps_is_vectorised() -> None:
    p = np.array([[0.1, 0.2, 0.3, 0.3, 0.1], [0.1, 0.2, 0.3, 0.3, 0.1]])
    out = rules.rps(p, np.array([2, 4]))
    assert isinstance(out, np.ndarray)
    np.testing.assert_allclose(out, [0.0675, 0.3175], atol=1e-12)
    stacked = np.broadcast_to(p[0], (2, 3, 5))
    assert np.asarray(rules.rps(stacked, np.full((2, 3), 2))).shape == (2, 3)
    assert isinstance(rules.rps(p[0], 2), float)


def test_perfect_class_forecasts_score_zero() -> None:
    eye = np.eye(5)
    classes = np.arange(5)
    np.testing.assert_array_equal(rules.rps(eye, classes), 0.0)
    np.testing.assert_array_equal(rules.brier_multiclass(eye, classes), 0.0)
    np.testing.assert_array_equal(rules.log_score_classes(eye, classes, floor=0.0), 0.0)
    assert rules.brier(1.0, True) == 0.0
    assert rules.brier(0.0, False) == 0.0


def test_rps_with_two_classes_is_the_brier_score() -> None:
    rng = np.random.default_rng(20240601)
    p1 = rng.uniform(size=200)
    probs = np.stack([1 - p1, p1], axis=-1)
    observed = rng.integers(0, 2, size=200)
    np.testing.assert_allclose(
        rules.rps(probs, observed), rules.brier(p1, observed == 1), rtol=0, atol=1e-15
    )
    # and Brier's original two-class score is twice the binary one
    np.testing.assert_allclose(
        rules.brier_multiclass(probs, observed), 2 * np.asarray(rules.brier(p1, observed == 1))
    )


# --------------------------------------------------------------------------------------------
# Brier


def test_brier_hand_values() -> None:
    # (0.7 - 1)^2 = 0.09; (0.7 - 0)^2 = 0.49
    np.testing.assert_allclose(rules.brier([0.7, 0.7], [True, False]), [0.09, 0.49])
    assert rules.brier(0.7, 1) == pytest.approx(0.09)


def test_brier_multiclass_hand_values() -> None:
    # p = (0.2, 0.5, 0.3), class 0: (0.2-1)^2 + 0.5^2 + 0.3^2 = 0.64 + 0.25 + 0.09 = 0.98
    assert rules.brier_multiclass([0.2, 0.5, 0.3], 0) == pytest.approx(0.98)
    # a sure, wrong forecast: 1^2 + 1^2 = 2, the maximum
    assert rules.brier_multiclass([1.0, 0.0, 0.0], 2) == pytest.approx(2.0)


# --------------------------------------------------------------------------------------------
# CRPS


def test_crps_of_a_point_ensemble_is_the_absolute_error() -> None:
    observed = np.array([5.0, 0.0, 2.5, -1.0])
    ensemble = np.repeat(np.array([[3.0], [0.0], [4.0], [2.0]]), 7, axis=1)
    np.testing.assert_allclose(rules.crps_ensemble(observed, ensemble), [2.0, 0.0, 1.5, 3.0])


def test_crps_ensemble_hand_values() -> None:
    # CRPS = E|X - y| - E|X - X'| / 2 over the members
    # members (1, 2, 4), y = 3: E|X - y| = (2 + 1 + 1) / 3 = 4/3;
    #   E|X - X'| = 2 (|1-2| + |1-4| + |2-4|) / 9 = 2 * 6 / 9 = 4/3  →  4/3 - 2/3 = 2/3
    # members (0, 2), y = 1: (1 + 1) / 2 - (2 + 2) / 4 / 2 = 1 - 0.5 = 0.5
    # members (0, 2), y = 2.5 (a pro-rated count): (2.5 + 0.5) / 2 - 0.5 = 1.0
    np.testing.assert_allclose(rules.crps_ensemble(3.0, [1.0, 2.0, 4.0]), 2 / 3)
    np.testing.assert_allclose(
        rules.crps_ensemble([1.0, 2.5], [[0.0, 2.0], [0.0, 2.0]]), [0.5, 1.0], atol=1e-15
    )
    assert isinstance(rules.crps_ensemble(3.0, [1.0, 2.0, 4.0]), float)


def test_crps_ensemble_matches_properscoring_exactly() -> None:
    # the wrapper collapses each ensemble to distinct values with weights: same numbers
    rng = np.random.default_rng(7)
    counts = rng.poisson(rng.uniform(0.2, 6.0, size=(40, 1)), size=(40, 300)).astype(float)
    real = rng.normal(size=(10, 200)).round(1)  # real values with ties
    for ensemble in (counts, real):
        observed = rng.uniform(-1.0, 8.0, size=ensemble.shape[0])
        np.testing.assert_allclose(
            rules.crps_ensemble(observed, ensemble),
            properscoring.crps_ensemble(observed, ensemble),
            rtol=1e-12,
            atol=1e-12,
        )


def test_crps_ensemble_blocks_give_the_same_numbers(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(8)
    ensemble = rng.poisson(rng.uniform(0.1, 20.0, size=(60, 1)), size=(60, 400)).astype(float)
    observed = rng.uniform(0.0, 25.0, size=60)
    whole = np.asarray(rules.crps_ensemble(observed, ensemble))
    monkeypatch.setattr(rules, "_CRPS_BLOCK", 300)  # blocks of a few rows, some of one row
    np.testing.assert_allclose(rules.crps_ensemble(observed, ensemble), whole, rtol=1e-13)
    shaped = rules.crps_ensemble(observed.reshape(3, 20), ensemble.reshape(3, 20, 400))
    np.testing.assert_allclose(shaped, whole.reshape(3, 20), rtol=1e-13)


def test_crps_gaussian_published_value_and_large_ensemble() -> None:
    # Gneiting & Raftery (2007), CRPS of N(mu, sigma^2) at y, z = (y - mu) / sigma:
    #   sigma (z (2 Phi(z) - 1) + 2 phi(z) - 1/sqrt(pi)); at z = 0, sigma = 1:
    #   2 / sqrt(2 pi) - 1 / sqrt(pi) = (sqrt(2) - 1) / sqrt(pi) = 0.414214 / 1.772454 = 0.233695
    assert properscoring.crps_gaussian(0.0, 0.0, 1.0) == pytest.approx(0.2336949772551, rel=1e-12)
    # an ensemble of the normal's quantiles at (i + 1/2)/R converges to it fast (error ~ 1/R)
    r = 2000
    quantiles = stats.norm.ppf((np.arange(r) + 0.5) / r)
    mu = np.array([0.0, 1.0, -2.0])
    sigma = np.array([1.0, 2.0, 0.5])
    y = np.array([0.0, 4.0, -2.3])
    ensemble = mu[:, None] + sigma[:, None] * quantiles
    np.testing.assert_allclose(
        rules.crps_ensemble(y, ensemble), properscoring.crps_gaussian(y, mu, sigma), atol=1e-4
    )


def _crps_poisson_by_sum(y: float, mu: float) -> float:
    """sum over j of the integral of (F(j) - 1{z >= y})^2 over [j, j+1), up to F ≈ 1 - 1e-12."""
    top = max(int(stats.poisson.ppf(1 - 1e-12, mu)), math.ceil(y)) + 1
    total = 0.0
    for j in range(top + 1):
        f = float(stats.poisson.cdf(j, mu))
        if j + 1 <= y:
            total += f**2
        elif j >= y:
            total += (f - 1) ** 2
        else:
            total += (y - j) * f**2 + (j + 1 - y) * (f - 1) ** 2
    return total


def test_crps_poisson_hand_values() -> None:
    # Poisson(1) at y = 0: sum_j (1 - F(j))^2 with 1 - F(j) = 0.632121, 0.264241, 0.080301,
    #   0.018988, 0.003660, 0.000594, ...: 0.399576 + 0.069823 + 0.006448 + 0.000361
    #   + 0.000013 + 0.000000 = 0.476222
    # closed form: mu - mu exp(-2 mu) (I0(2 mu) + I1(2 mu)) = 1 - e^-2 (2.279585 + 1.590637)
    #   = 1 - 0.135335 * 3.870222 = 1 - 0.523778 = 0.476222
    assert rules.crps_poisson(0.0, 1.0) == pytest.approx(0.476222, abs=1e-6)
    # a point mass at 0 (mean 0) scores |y - 0|, also for a pro-rated count
    np.testing.assert_allclose(rules.crps_poisson([0.0, 2.5], 0.0), [0.0, 2.5])


def test_crps_poisson_matches_the_discrete_sum() -> None:
    cases = [(0.0, 0.5), (3.0, 2.0), (2.4, 2.0), (7.7, 1.3), (12.0, 30.0), (0.3, 0.01)]
    y = np.array([c[0] for c in cases])
    mu = np.array([c[1] for c in cases])
    expected = [_crps_poisson_by_sum(a, b) for a, b in cases]
    np.testing.assert_allclose(rules.crps_poisson(y, mu), expected, rtol=1e-10, atol=1e-12)


def test_crps_ensemble_of_a_large_poisson_sample_matches_crps_poisson() -> None:
    rng = np.random.default_rng(12)
    mu = np.array([0.3, 1.0, 4.0, 10.0])
    y = np.array([0.0, 2.0, 3.5, 14.0])
    # sampling error of the ensemble CRPS ~ sd|X - y| / sqrt(R) ≈ 3 / 1000 at mu = 10
    ensemble = rng.poisson(mu[:, None], size=(4, 1_000_000)).astype(float)
    np.testing.assert_allclose(
        rules.crps_ensemble(y, ensemble), rules.crps_poisson(y, mu), rtol=0, atol=1e-2
    )


# --------------------------------------------------------------------------------------------
# log scores


def test_log_score_hand_values() -> None:
    members = [0, 0, 1, 2]  # R = 4, floor 1/(2R) = 1/8
    cases = {
        1.0: math.log(4),  # 1 of 4 members
        0.0: math.log(2),  # 2 of 4
        3.0: math.log(8),  # no member: floor 1/8
        0.6: math.log(4),  # rounds to 1
        2.5: math.log(8),  # halves round up: 3, no member
        1.5: math.log(4),  # rounds to 2: 1 of 4
    }
    for y, expected in cases.items():
        assert rules.log_score(y, members) == pytest.approx(expected), y
    assert rules.log_score(3.0, members, floor=0.01) == pytest.approx(math.log(100))
    assert rules.log_score(3.0, members, floor=0.0) == math.inf
    # every member at the observation: -log 1 = 0
    assert rules.log_score(2.0, [2, 2, 2]) == 0.0
    np.testing.assert_allclose(
        rules.log_score(np.array([1.0, 3.0]), np.array([members, members])),
        [math.log(4), math.log(8)],
    )


def test_log_score_of_a_large_poisson_sample_matches_log_score_poisson() -> None:
    rng = np.random.default_rng(13)
    mu = np.array([0.5, 3.0, 8.0])
    y = np.array([0.0, 4.0, 6.0])
    ensemble = rng.poisson(mu[:, None], size=(3, 200_000)).astype(float)
    np.testing.assert_allclose(
        rules.log_score(y, ensemble), rules.log_score_poisson(y, mu), atol=2e-2
    )


def test_log_score_binary_hand_values() -> None:
    # -log 0.8 = 0.223144; -log 0.2 = 1.609438; p = 1 and it did not happen: -log max(0, 1e-3)
    np.testing.assert_allclose(
        rules.log_score_binary([0.8, 0.8, 1.0], [True, False, False], floor=1e-3),
        [0.2231435513, 1.6094379124, math.log(1000)],
    )


def test_log_score_classes_hand_values() -> None:
    # -log 0.5 = 0.693147; class 2 has probability 0, floored at 0.01: log 100 = 4.605170
    np.testing.assert_allclose(
        rules.log_score_classes([[0.2, 0.5, 0.3], [0.5, 0.5, 0.0]], [1, 2], floor=0.01),
        [math.log(2), math.log(100)],
    )


def test_log_score_poisson_hand_values() -> None:
    # mean 2, y = 3: -log(e^-2 2^3 / 3!) = 2 - 3 log 2 + log 6 = 2 - 2.079442 + 1.791759 = 1.712318
    assert rules.log_score_poisson(3.0, 2.0) == pytest.approx(1.7123179275, abs=1e-9)
    # a pro-rated 2.6 rounds to 3
    assert rules.log_score_poisson(2.6, 2.0) == pytest.approx(1.7123179275, abs=1e-9)
    # mean 0: the point mass at 0
    np.testing.assert_array_equal(rules.log_score_poisson([0.0, 1.0], 0.0), [0.0, math.inf])


# --------------------------------------------------------------------------------------------
# PIT


def test_pit_interval_hand_values() -> None:
    members = np.array([[0.0, 1.0, 1.0, 2.0]] * 4)
    lower, upper = rules.pit_interval(np.array([1.0, 1.5, -1.0, 5.0]), members)
    # y = 1: F(0) = 1/4, F(1) = 3/4; y = 1.5 (between integers): F(1.5) = 3/4 at both ends;
    # below every member: 0; above every member: 1
    np.testing.assert_allclose(lower, [0.25, 0.75, 0.0, 1.0])
    np.testing.assert_allclose(upper, [0.75, 0.75, 0.0, 1.0])


def test_pit_hand_value_and_determinism() -> None:
    members = [0.0, 1.0, 1.0, 2.0]
    v = np.random.default_rng(5).random()
    # U = F(0) + V (F(1) - F(0)) = 0.25 + 0.5 V
    assert rules.pit(1.0, members, np.random.default_rng(5)) == pytest.approx(0.25 + 0.5 * v)
    # no mass at a non-integer observation: U = F(1.5) = 0.75, whatever V
    assert rules.pit(1.5, members, np.random.default_rng(5)) == pytest.approx(0.75)
    ensemble = np.random.default_rng(6).poisson(2.0, size=(50, 30)).astype(float)
    observed = np.arange(50.0) % 5
    a = rules.pit(observed, ensemble, np.random.default_rng(99))
    b = rules.pit(observed, ensemble, np.random.default_rng(99))
    np.testing.assert_array_equal(a, b)
    with pytest.raises(TypeError, match="Generator"):
        rules.pit(1.0, members, 99)  # type: ignore[arg-type]


def test_randomised_pit_of_calibrated_count_forecasts_is_uniform() -> None:
    rng = np.random.default_rng(20240602)
    n, r = 5000, 500
    mu = rng.uniform(0.3, 8.0, size=n)
    ensemble = rng.poisson(mu[:, None], size=(n, r)).astype(float)
    observed = rng.poisson(mu).astype(float)
    u = np.asarray(rules.pit(observed, ensemble, rng))
    assert stats.kstest(u, "uniform").pvalue > 0.01
    # the non-randomised upper end F(y) is far from uniform for small counts
    _, upper = rules.pit_interval(observed, ensemble)
    assert stats.kstest(np.asarray(upper), "uniform").pvalue < 0.01


def test_pit_of_calibrated_continuous_forecasts_is_uniform() -> None:
    rng = np.random.default_rng(20240603)
    n, r = 5000, 400
    mu = rng.normal(size=n)
    ensemble = mu[:, None] + rng.standard_normal((n, r))
    observed = mu + rng.standard_normal(n)
    u = np.asarray(rules.pit(observed, ensemble, rng))
    assert stats.kstest(u, "uniform").pvalue > 0.01


# --------------------------------------------------------------------------------------------
# coverage


def test_coverage_hand_values() -> None:
    members = np.arange(10.0)  # F(x) = (x + 1) / 10
    # level 0.5: smallest members with F >= 0.25 and F >= 0.75: F(2) = 0.3, F(7) = 0.8 → [2, 7]
    observed = np.array([2.0, 7.0, 1.9, 7.5])
    ensemble = np.broadcast_to(members, (4, 10))
    np.testing.assert_array_equal(
        rules.coverage(observed, ensemble, 0.5), [True, True, False, False]
    )
    # level 0.9: F >= 0.05 → 0, F >= 0.95 → 9 (F(8) = 0.9 < 0.95): [0, 9]
    np.testing.assert_array_equal(rules.coverage(observed, ensemble, 0.9), [True] * 4)
    # ties: an all-zero ensemble's interval is [0, 0] and covers 0
    assert rules.coverage(0.0, [0.0] * 20, 0.5) is True
    assert rules.coverage(1.0, [0.0] * 20, 0.9) is False


@pytest.mark.parametrize("level", [0.5, 0.9])
def test_coverage_of_calibrated_forecasts_is_the_level(level: float) -> None:
    rng = np.random.default_rng(20240604)
    n, r = 5000, 1000
    mu = rng.normal(size=n)
    sigma = rng.uniform(0.5, 2.0, size=n)
    ensemble = mu[:, None] + sigma[:, None] * rng.standard_normal((n, r))
    observed = mu + sigma * rng.standard_normal(n)
    assert abs(np.mean(rules.coverage(observed, ensemble, level)) - level) <= 0.03


@pytest.mark.parametrize("level", [0.5, 0.9])
def test_coverage_of_calibrated_counts_is_at_least_the_level(level: float) -> None:
    # inclusive ends over tied integer values: conservative (see the docstring)
    rng = np.random.default_rng(20240605)
    n, r = 5000, 500
    mu = rng.uniform(0.3, 8.0, size=n)
    ensemble = rng.poisson(mu[:, None], size=(n, r)).astype(float)
    observed = rng.poisson(mu).astype(float)
    assert np.mean(rules.coverage(observed, ensemble, level)) >= level - 0.03


# --------------------------------------------------------------------------------------------
# skill


def test_skill_hand_values() -> None:
    # 1 - 0.2/0.4 = 0.5; 1 - 0.6/0.4 = -0.5; 1 - 0/0.4 = 1
    np.testing.assert_allclose(rules.skill([0.2, 0.6, 0.0], 0.4), [0.5, -0.5, 1.0])
    assert rules.skill(0.2, 0.4) == pytest.approx(0.5)
    # a perfect reference leaves no room for skill
    assert math.isnan(rules.skill(0.1, 0.0))
    assert math.isnan(rules.skill(0.0, 0.0))


def test_mean_skill_hand_values() -> None:
    # 1 - mean(0.1, 0.3) / mean(0.2, 0.4) = 1 - 0.2/0.3 = 1/3 (the mean of the per-forecast
    # skills, (0.5 + 0.25) / 2 = 0.375, is a different number)
    assert rules.mean_skill([0.1, 0.3], [0.2, 0.4]) == pytest.approx(1 / 3)
    assert math.isnan(rules.mean_skill([0.1, 0.3], [0.0, 0.0]))


# --------------------------------------------------------------------------------------------
# reference forecasts


def test_poisson_class_probs_hand_values() -> None:
    # rate 0.1 a day over 30 days: P(proxy) = 1 - e^-3 = 0.950213, P(contained) = e^-3 = 0.049787
    p = rules.poisson_class_probs(0.1, 30)
    np.testing.assert_allclose(p, [0.0, 0.0, 1 - math.exp(-3), math.exp(-3), 0.0])
    assert p.shape == (5,)
    # vectorised, four classes (war, clash, proxy, no violence): rate 0 puts all on index 3
    q = rules.poisson_class_probs(np.array([0.0, 0.1, 0.05]), 60, K=4)
    assert q.shape == (3, 4)
    np.testing.assert_allclose(q[0], [0, 0, 0, 1])
    np.testing.assert_allclose(q[:, 2], [0.0, 1 - math.exp(-6), 1 - math.exp(-3)])
    np.testing.assert_allclose(q.sum(axis=-1), 1.0)
    # scores like an ensemble's frequencies: contained observed, RPS over K = 5
    #   F = (0, 0, 0.950213, 1), O = (0, 0, 0, 1): 0.950213^2 / 4 = 0.902905 / 4 = 0.225726
    assert rules.rps(p, 3) == pytest.approx((1 - math.exp(-3)) ** 2 / 4)


# --------------------------------------------------------------------------------------------
# propriety


def test_true_class_probabilities_have_the_lowest_expected_scores() -> None:
    rng = np.random.default_rng(20240606)
    k = 5
    truth = rng.dirichlet(np.ones(k))
    # 300 perturbed forecasts: mixtures of the truth with random distributions
    noise = rng.dirichlet(np.ones(k), size=300)
    weight = rng.uniform(0.05, 1.0, size=(300, 1))
    forecasts = (1 - weight) * truth + weight * noise
    outcomes = np.arange(k)

    def expected(score: str, probs: np.ndarray) -> np.ndarray:
        # E_truth[S(probs, Y)] = sum_y truth_y S(probs, y), exactly
        tiled = np.broadcast_to(probs[:, None, :], (probs.shape[0], k, k))
        ys = np.broadcast_to(outcomes, (probs.shape[0], k))
        if score == "rps":
            s = rules.rps(tiled, ys)
        elif score == "brier":
            s = rules.brier_multiclass(tiled, ys)
        else:
            s = rules.log_score_classes(tiled, ys, floor=0.0)
        return np.asarray(s) @ truth

    for score in ("rps", "brier", "log"):
        best = expected(score, truth[None, :])[0]
        assert np.all(expected(score, forecasts) > best), score


def test_true_poisson_mean_has_the_lowest_mean_scores() -> None:
    rng = np.random.default_rng(20240607)
    y = rng.poisson(4.0, size=20_000).astype(float)
    means = np.array([3.0, 3.5, 4.0, 4.5, 5.0])
    crps = [np.mean(rules.crps_poisson(y, m)) for m in means]
    log = [np.mean(rules.log_score_poisson(y, m)) for m in means]
    assert int(np.argmin(crps)) == 2
    assert int(np.argmin(log)) == 2


# --------------------------------------------------------------------------------------------
# input checks


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: rules.rps([0.2, 0.5, 0.2], 0), "sum to 1"),
        (lambda: rules.rps([0.2, 0.5, 0.3], 3), "out of range"),
        (lambda: rules.rps([0.2, 0.5, 0.3], -1), "out of range"),
        (lambda: rules.rps([0.2, 0.5, 0.3], 1.5), "integers"),
        (lambda: rules.rps([[0.2, 0.5, 0.3]], [0, 1]), "shape"),
        (lambda: rules.rps([1.0], 0), "at least 2"),
        (lambda: rules.rps([1.2, -0.2], 0), r"\[0, 1\]"),
        (lambda: rules.rps([np.nan, 1.0], 0), "finite"),
        (lambda: rules.brier_multiclass([0.5, 0.6], 0), "sum to 1"),
        (lambda: rules.brier(1.2, True), r"\[0, 1\]"),
        (lambda: rules.brier(0.5, 2), "boolean"),
        (lambda: rules.brier([0.5, 0.5], [True]), "shape"),
        (lambda: rules.crps_ensemble([1.0, 2.0], [[1.0, 2.0, 3.0]]), "shape"),
        (lambda: rules.crps_ensemble([1.0], np.zeros((1, 0))), "R = 0"),
        (lambda: rules.crps_ensemble(1.0, 2.0), "shape"),
        (lambda: rules.crps_poisson(1.0, -0.5), "mean"),
        (lambda: rules.crps_poisson([1.0, 2.0], [1.0, 2.0, 3.0]), "broadcast"),
        (lambda: rules.log_score(1.0, [0.5, 1.0]), "integer-valued"),
        (lambda: rules.log_score(1.0, [1.0], floor=1.0), "floor"),
        (lambda: rules.log_score(1.0, np.zeros(0)), "R = 0"),
        (lambda: rules.log_score_binary(0.5, True, floor=-0.1), "floor"),
        (lambda: rules.log_score_classes([0.5, 0.5], 2, floor=0.01), "out of range"),
        (lambda: rules.log_score_poisson(-1.0, 1.0), "observed"),
        (lambda: rules.pit_interval([1.0], [[]]), "R = 0"),
        (lambda: rules.coverage(1.0, [1.0, 2.0], 1.0), "level"),
        (lambda: rules.coverage([1.0], [1.0, 2.0], 0.5), "shape"),
        (lambda: rules.skill([1.0, 2.0], [1.0, 2.0, 3.0]), "broadcast"),
        (lambda: rules.mean_skill([1.0], [1.0, 2.0]), "same shape"),
        (lambda: rules.mean_skill([], []), "no scores"),
        (lambda: rules.poisson_class_probs(-0.1, 30), "rate"),
        (lambda: rules.poisson_class_probs(0.1, 0), "days"),
        (lambda: rules.poisson_class_probs(0.1, 30, K=4, contained_index=4), "contained_index"),
        (lambda: rules.poisson_class_probs(0.1, 30, proxy_index=3), "differ"),
    ],
)
def test_bad_input_raises_value_error(call: object, message: str) -> None:
    assert callable(call)
    with pytest.raises(ValueError, match=message):
        call()
