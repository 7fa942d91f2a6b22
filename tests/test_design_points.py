"""Design points on the replicate axis: stacked points are the same worlds as points run alone.

A model of P design points × r replicates (issue 12) must give, for replicate k of point p,
exactly the row, the event log and the escalation path that point p's own model gives for
replicate k. The points here differ at random in every number :mod:`simulator.model.points`
lets them differ in (all at once, so that every place a parameter enters the day is
exercised), on every scenario of the library.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml
from identical import vary

from simulator.experiment.simulate import release, replicate_rows
from simulator.experiment.units import Unit, point_data, point_scenario, run_unit
from simulator.model import EscalationModel
from simulator.model.points import stack_groups
from simulator.scenario import scenario_data, validate_scenario

SCENARIOS = sorted((Path(__file__).resolve().parents[1] / "scenarios").glob("*.yaml"))


def _baseline() -> dict[str, Any]:
    return dict(yaml.safe_load(SCENARIOS[0].read_text(encoding="utf-8")))


def _alone(scenario, replicates, first, log):
    model = EscalationModel(scenario, replicates=replicates, first_replicate=first, event_log=log)
    model.run()
    try:
        return replicate_rows(model), model.recorder.event_columns(), model.recorder.escalation
    finally:
        release(model)


def _same_frames(a: pd.DataFrame, b: pd.DataFrame, what: str) -> None:
    pd.testing.assert_frame_equal(
        a.reset_index(drop=True), b.reset_index(drop=True), check_exact=True, obj=what
    )


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_stacked_points_are_the_same_worlds_as_points_alone(path: Path) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    rng = np.random.default_rng(sum(map(ord, path.stem)))
    datas = [vary(data, rng) for _ in range(3)]
    assert stack_groups(datas) == [[0, 1, 2]]
    points = [validate_scenario(d, f"{path.name} point {p}") for p, d in enumerate(datas)]
    r, first = 61, 17
    model = EscalationModel(
        points[0], replicates=r, first_replicate=first, event_log="all", points=points
    )
    model.run()
    rows = replicate_rows(model)
    events = model.recorder.event_columns()
    escalation = model.recorder.escalation
    release(model)
    assert len(rows) == 3 * r
    for p, point in enumerate(points):
        alone_rows, alone_events, alone_escalation = _alone(point, r, first, "all")
        block = slice(p * r, (p + 1) * r)
        _same_frames(rows.iloc[block], alone_rows, f"{path.stem} point {p} rows")
        np.testing.assert_array_equal(escalation[:, block], alone_escalation)
        mine = events["point"] == p
        got_order = np.lexsort(
            (events["actor"][mine], events["day"][mine], events["replicate"][mine])
        )
        want_order = np.lexsort(
            (alone_events["actor"], alone_events["day"], alone_events["replicate"])
        )
        for name, values in alone_events.items():
            np.testing.assert_array_equal(
                events[name][mine][got_order], values[want_order], err_msg=f"{path.stem} {name}"
            )


def test_points_that_differ_in_structure_run_alone_and_still_match() -> None:
    """A unit whose points differ in a ladder number, a red line or an event runs them apart."""
    base = scenario_data(validate_scenario(_baseline(), "baseline"))
    paths = (
        "actors.KH.control",  # stackable
        "ladder.8.lethality",  # a rung's number: not stackable
    )
    values = ((0.3, 0.2), (0.9, 0.2), (0.5, 0.4), (0.7, 0.2))
    datas = [point_data(base, paths, v, f"point {p}") for p, v in enumerate(values)]
    assert stack_groups(datas) == [[0, 1, 3], [2]]
    unit = Unit(0, (5, 6, 7, 8), values, 3, 40)
    result = run_unit(base, paths, unit)
    assert result.error is None, result.detail
    rows = result.rows
    assert rows is not None
    assert list(rows["point"].unique()) == [5, 6, 7, 8]
    for point, data in zip(unit.points, datas, strict=True):
        scenario = validate_scenario(data, f"point {point}")
        alone, _, _ = _alone(scenario, unit.stop - unit.first, unit.first, "none")
        mine = rows[rows["point"] == point].drop(columns="point")
        _same_frames(mine, alone, f"point {point}")


def test_a_points_data_copies_only_the_way_to_its_values() -> None:
    base = scenario_data(validate_scenario(_baseline(), "baseline"))
    before = copy.deepcopy(base)
    paths = (
        "actors.KH.control",
        "ladder.8.lethality",
        "dynamics.memory",
        "perception.Iran.US.offense_bias",
    )
    data = point_data(base, paths, (0.25, 0.5, 0.75, 0.125), "point")
    assert base == before  # the base is untouched
    assert data["actors"]["KH"]["control"] == 0.25
    assert data["ladder"][8]["lethality"] == 0.5
    assert data["dynamics"]["memory"] == 0.75
    assert data["perception"]["Iran"]["US"]["offense_bias"] == 0.125
    expected = copy.deepcopy(base)
    expected["actors"]["KH"]["control"] = 0.25
    expected["ladder"][8]["lethality"] = 0.5
    expected["dynamics"]["memory"] = 0.75
    expected["perception"]["Iran"]["US"]["offense_bias"] = 0.125
    assert data == expected
    assert data["actors"]["US"] is base["actors"]["US"]  # what no value is set in is shared
    assert data["actors"] is not base["actors"] and data["ladder"][7] is base["ladder"][7]


def test_what_cannot_vary_by_column_is_refused_not_mixed() -> None:
    scenario = validate_scenario(_baseline(), "baseline")
    data = scenario_data(scenario)
    data["ladder"][8]["label"] = "Another name"
    other = validate_scenario(data, "other")
    with pytest.raises(ValueError, match="can vary by column"):
        EscalationModel(scenario, replicates=5, points=[scenario, other])
    blamed = _baseline()
    blamed.setdefault("perception", {}).setdefault("US", {})["KH"] = {"attribute_to": "Iraq"}
    with pytest.raises(ValueError, match="can vary by column"):
        EscalationModel(
            scenario, replicates=5, points=[scenario, validate_scenario(blamed, "blamed")]
        )


def test_a_sweep_unit_of_stacked_points_gives_the_rows_of_points_alone() -> None:
    """The sweep's work unit: one model for its points, rows in point order as before."""
    base = scenario_data(validate_scenario(_baseline(), "baseline"))
    paths = ("actors.KH.control", "perception.Iran.US.offense_bias", "dynamics.memory")
    rng = np.random.default_rng(5)
    values = tuple(
        (float(rng.uniform(0.3, 1)), float(rng.uniform(0, 2)), float(rng.uniform(0.6, 0.95)))
        for _ in range(6)
    )
    unit = Unit(0, tuple(range(10, 16)), values, 0, 25)
    result = run_unit(base, paths, unit)
    assert result.error is None, result.detail
    assert result.rows is not None
    expected = []
    for point, v in zip(unit.points, values, strict=True):
        scenario = point_scenario(base, paths, v, f"point {point}")
        rows, _, _ = _alone(scenario, 25, 0, "none")
        rows.insert(0, "point", np.full(len(rows), point, dtype=np.int64))
        expected.append(rows)
    _same_frames(result.rows, pd.concat(expected, ignore_index=True), "unit rows")


def test_a_point_without_offense_bias_reads_defensive_moves_as_a_point_alone_does() -> None:
    """Points with and without bias side by side, on a ladder whose posture carries evidence."""
    base = scenario_data(validate_scenario(_baseline(), "baseline"))
    for rung in base["ladder"]:
        if rung.get("defensive"):
            rung["evidence"] = 0.8  # what an unbiased observer reads from posture
    datas = []
    for bias in (0.0, 1.5, 0.0, 0.4):
        data = copy.deepcopy(base)
        data["perception"] = {"default": {"default": {"offense_bias": bias}}}
        datas.append(data)
    assert stack_groups(datas) == [[0, 1, 2, 3]]
    points = [validate_scenario(d, f"bias point {p}") for p, d in enumerate(datas)]
    model = EscalationModel(points[0], replicates=40, points=points)
    model.run()
    rows = replicate_rows(model)
    release(model)
    for p, point in enumerate(points):
        alone, _, _ = _alone(point, 40, 0, "none")
        _same_frames(rows.iloc[p * 40 : (p + 1) * 40], alone, f"bias point {p}")
