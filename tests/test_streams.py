"""The counter-based random streams: keyed by purpose, independent of batch, right distributions."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from simulator.model.rng import ReplicateStreams, binomial, normal, poisson, site_key
from simulator.model.sites import DayDraws


def test_a_draw_depends_only_on_seed_replicate_day_and_purpose():
    """Replicate k's uniform for a site is the same in a block of 1 or of 1,000 replicates, and
    starting at any first replicate."""
    big = ReplicateStreams(seed=7, replicates=np.arange(1000))
    for k in (0, 17, 999):
        alone = ReplicateStreams(seed=7, replicates=np.arange(k, k + 1))
        for day in (0, 5, 89):
            key = site_key("choice", 3)
            assert alone.uniform(day, key)[0] == big.uniform(day, key)[k]
            assert alone.uniform(day, key, np.array([0]))[0] == big.uniform(day, key)[k]


def test_adding_a_purpose_renumbers_nothing():
    """Site keys hash the purpose's name and indices: a new kind of draw (here "tomorrow's new
    draw") leaves every existing key — and so every stored number — unchanged, unlike a counter
    numbered day × sites + site."""
    keys = {(p, i): site_key(p, i) for p in ("choice", "obey", "hit", "noise") for i in range(5)}
    assert len(set(keys.values())) == len(keys)  # distinct
    site_key("tomorrow's new draw", 0)
    assert all(site_key(p, i) == key for (p, i), key in keys.items())
    # and pair sites are ordered: (o, a) is not (a, o)
    assert site_key("noise", 1, 2) != site_key("noise", 2, 1)


def test_purposes_and_days_give_independent_uniforms():
    streams = ReplicateStreams(seed=1, replicates=np.arange(20_000))
    draws = DayDraws(streams, day=3)
    a, b = draws.choice(0), draws.obey(0)
    c = DayDraws(streams, day=4).choice(0)
    for u in (a, b, c):
        assert stats.kstest(u, "uniform").pvalue > 0.001
    assert abs(np.corrcoef(a, b)[0, 1]) < 0.03 and abs(np.corrcoef(a, c)[0, 1]) < 0.03


@pytest.mark.parametrize("mean", [0.5, 1.0, 4.0, 29.0])
def test_poisson_by_inversion(mean):
    u = np.random.default_rng(0).uniform(size=100_000)
    k = poisson(u, mean)
    assert k.mean() == pytest.approx(mean, rel=0.02)
    assert k.var() == pytest.approx(mean, rel=0.05)


@pytest.mark.parametrize(
    ("n", "p"), [(1, 0.35), (2, 0.6), (5, 0.35), (30, 0.5), (3, 1.0), (4, 0.0)]
)
def test_binomial_by_inversion(n, p):
    u = np.random.default_rng(1).uniform(size=50_000)
    k = binomial(u, np.full(len(u), n), np.full(len(u), p))
    assert ((0 <= k) & (k <= n)).all()
    freq = np.bincount(k, minlength=n + 1) / len(u)
    assert np.abs(freq - stats.binom.pmf(np.arange(n + 1), n, p)).max() < 0.01


def test_normal_by_inverse_cdf():
    z = normal(np.random.default_rng(2).uniform(size=100_000))
    assert stats.kstest(z, "norm").pvalue > 0.001
    assert np.isfinite(normal(np.array([0.0, 1.0 - 2**-53]))).all()
