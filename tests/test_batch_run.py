"""The model under Mesa's batch runner: one replicate per run, the same worlds as a vectorised run.

``mesa.batch_run`` builds one model per parameter combination, so a user sweeping with it runs
R = 1 models addressed by ``first_replicate``; property 7 says replicate k is then the same world
as column k of a model advancing many replicates at once. Mesa 3.3's batch_run has no seed argument:
the seed is passed as an ordinary model parameter. The scenario is wrapped in a list because a
pydantic model is iterable (batch_run would iterate over its fields).
"""

from __future__ import annotations

import mesa
import numpy as np
import pytest

from simulator.model import EscalationModel

REPORTERS = ("escalation", "direct_clash", "casualties")


def batch(scenario, period=-1, **parameters):
    return mesa.batch_run(
        EscalationModel,
        parameters={"scenario": [scenario], "replicates": 1, **parameters},
        iterations=1,
        max_steps=scenario.horizon_days,
        number_processes=1,
        data_collection_period=period,
        display_progress=False,
    )


@pytest.fixture
def scenario(make_proxy_scenario):
    return make_proxy_scenario(horizon_days=30, seed=21)


def test_batch_run_returns_one_final_record_per_replicate(scenario):
    results = batch(scenario, first_replicate=range(5))
    assert len(results) == 5
    assert sorted(r["first_replicate"] for r in results) == [0, 1, 2, 3, 4]
    for r in results:
        assert set(REPORTERS) <= set(r)
        assert r["replicates"] == 1
        # data_collection_period=-1: only the last day is reported (Step counts collections,
        # and the model collects once per simulated day).
        assert r["Step"] == scenario.horizon_days - 1
        assert r["direct_clash"] in (0.0, 1.0)  # a share over a single replicate
        assert r["casualties"] >= 0 and float(r["casualties"]).is_integer()


@pytest.mark.parametrize("which", ["proxy", "baseline"])
def test_batch_replicate_k_equals_vectorised_replicate_k(which, scenario, baseline, build_model):
    scenario = scenario if which == "proxy" else baseline
    results = batch(scenario, first_replicate=range(5))
    model = build_model(scenario, replicates=5)
    rec = model.run()
    for r in results:
        k = r["first_replicate"]
        assert r["escalation"] == rec.escalation_now[k]
        assert r["casualties"] == rec.casualties[:, k].sum()
        assert r["direct_clash"] == float(rec.first_clash[k] >= 0)
    # The comparison is not vacuous: the five worlds differ.
    assert len({r["escalation"] for r in results}) == 5


def test_seed_passed_as_a_parameter(scenario, build_model):
    results = batch(scenario, first_replicate=[0, 1], seed=[3, 4])
    assert len(results) == 4
    for seed in (3, 4):
        rec = build_model(scenario, replicates=2, seed=seed).run()
        for r in (r for r in results if r["seed"] == seed):
            assert r["escalation"] == rec.escalation_now[r["first_replicate"]]
    by_seed = {
        seed: [
            r["escalation"]
            for r in sorted(results, key=lambda r: r["first_replicate"])
            if r["seed"] == seed
        ]
        for seed in (3, 4)
    }
    assert by_seed[3] != by_seed[4]


def test_daily_collection_matches_the_recorded_trajectory(scenario, build_model):
    results = batch(scenario, period=1, first_replicate=[2])
    assert [r["Step"] for r in results] == list(range(scenario.horizon_days))
    rec = build_model(scenario, replicates=5).run()
    collected = np.array([r["escalation"] for r in results])
    # The recorder keeps the index as float32; the reporter the float64 it was rounded from.
    np.testing.assert_array_equal(collected.astype(np.float32), rec.escalation[:, 2])
    casualties = np.array([r["casualties"] for r in results])
    assert casualties[-1] == rec.casualties[:, 2].sum()
    assert np.all(np.diff(casualties) >= 0)  # cumulative


def test_mesas_collector_gathers_its_means_for_batch_run_only(scenario, monkeypatch):
    """A model built as ``batch_run`` builds it collects its three means every day; the
    simulator's own runs (``simulate``, a sweep's units) build theirs with ``collect=False``,
    since their tables come from the recorder and the means are sums over every column."""
    from simulator.experiment import simulate as simulate_module
    from simulator.experiment import units as units_module

    model = EscalationModel(scenario, replicates=3)
    model.run()
    days = scenario.horizon_days
    assert {k: len(v) for k, v in model.datacollector.model_vars.items()} == dict.fromkeys(
        REPORTERS, days
    )
    quiet = EscalationModel(scenario, replicates=3, collect=False)
    quiet.run()
    assert quiet.datacollector.model_vars == {}
    built: list[dict] = []

    def spy(*args, **kwargs):
        built.append(kwargs)
        return EscalationModel(*args, **kwargs)

    for module in (simulate_module, units_module):
        monkeypatch.setattr(module, "EscalationModel", spy)
    simulate_module.simulate(scenario, replicates=4)
    assert len(built) == 1
    base = scenario.model_dump(by_alias=True, mode="json")
    unit = units_module.Unit(0, (0, 1), ((20.0,), (40.0,)), 0, 3)
    result = units_module.run_unit(base, ("rationality",), unit)
    assert result.error is None, result.detail
    assert len(built) == 2  # the two points stacked in one model
    assert all(kwargs.get("collect") is False for kwargs in built)
