"""Hindcasts and scores against the record: windows, spin-up, conditioning, references, skill.

The scoring rules themselves are pinned in test_scoring_rules.py; the command line in
test_record_cli.py. Here: what a window counts in a run's event log and in the record, that a
forecast from an origin starts from the same world as a run stopped there, that it knows nothing
dated after its origin, and that the tables a scoring writes hold what their definitions say.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from simulator.experiment.hindcast import (
    COLD,
    SPUN_UP,
    ensembles,
    known_before,
    origin_scenario,
    parse_leads,
    parse_origins,
    plan_windows,
)
from simulator.experiment.limits import OptionError
from simulator.experiment.run import build_manifest
from simulator.experiment.simulate import simulate
from simulator.history import load_history
from simulator.scenario import load_scenario
from simulator.scenario.schema import Window as Restraint
from simulator.scoring import rules
from simulator.scoring.forecasts import PERSISTENCE_DOUBT, climatology, persistence
from simulator.scoring.score import (
    CALIBRATION,
    HELD_OUT,
    reference_rates,
    reliability,
    score_windows,
    skill_table,
)
from simulator.scoring.windows import (
    CLASH,
    PROXY,
    QUIET,
    WAR,
    Ladder,
    Window,
    chosen_state_violence,
    observed,
    observed_lags,
    simulated,
)

ROOT = Path(__file__).resolve().parents[1]
RECORD = ROOT / "scenarios" / "record_2019_2021.yaml"
HISTORY = ROOT / "history" / "us_iran_2019_2021.yaml"
D = dt.date


@pytest.fixture(scope="module")
def history():
    return load_history(HISTORY)


@pytest.fixture(scope="module")
def record():
    return load_scenario(RECORD).model_copy(update={"replicates": 60})


@pytest.fixture(scope="module")
def ladder(record):
    return Ladder.from_manifest(build_manifest(record, "", ""))


def events_frame(rows):
    """An event log like a run's, from (replicate, day, actor, rung, target, deaths, forced)."""
    cols = ("replicate", "day", "actor", "rung", "target", "deaths", "forced")
    frame = pd.DataFrame(rows, columns=cols)
    frame["casualties"] = frame["deaths"]
    return frame


# -- what a window counts -------------------------------------------------------------------------
def test_a_window_counts_classes_attacks_and_the_focus_actors_deaths(ladder):
    start = D(2020, 1, 1)
    ev = events_frame(
        [
            (0, 3, "KH", "harassment", "US", 0, False),  # militia on a state: an attack
            (0, 4, "KH", "lethal_attack", "US", 2, False),  # another, with US deaths
            (0, 5, "KH", "harassment", "Iraq", 0, False),  # on the host: proxy, not counted
            (1, 6, "US", "limited_strike", "Iran", 1, False),  # clash; Iran's deaths not counted
            (2, 7, "US", "major_strike", "Iran", 0, False),  # war
            (2, 40, "KH", "harassment", "US", 0, False),  # outside the window
            (3, 8, "US", "show_of_force", "Iran", 0, False),  # not violent: nothing
        ]
    )
    got = simulated(ev, np.arange(5), start, Window(start, 30, ""), ladder, "US")
    assert got["violence"].tolist() == [PROXY, CLASH, WAR, QUIET, QUIET]
    assert got["state_violence"].tolist() == [False, True, True, False, False]
    assert got["militia_attacks"].tolist() == [2, 0, 0, 0, 0]
    assert got["deaths"].tolist() == [2, 0, 0, 0, 0]
    assert got["pair.US.Iran"].tolist() == [QUIET, CLASH, WAR, QUIET, QUIET]


def test_only_unforced_state_violence_before_the_origin_unseats_a_replicate(ladder):
    start = D(2020, 1, 1)
    ev = events_frame(
        [
            (0, 2, "US", "lethal_attack", "Iran", 1, True),  # forced: the record's own
            (1, 2, "US", "lethal_attack", "Iran", 1, False),  # the model's own: out
            (2, 9, "Iran", "limited_strike", "US", 0, False),  # after the origin: kept
            (3, 2, "KH", "harassment", "US", 0, False),  # militia violence: kept
        ]
    )
    out = chosen_state_violence(ev, np.arange(4), start, D(2020, 1, 10), ladder)
    assert out.tolist() == [False, True, False, False]


def test_the_record_s_windows(history, ladder):
    jan = observed(history, Window(D(2020, 1, 1), 31, ""), ladder, "US")
    assert jan["violence"] == CLASH and jan["state_violence"] == 1.0  # Soleimani, Iran's strike
    assert jan["deaths"] == 0 and jan["militia_attacks"] == pytest.approx(3.5)
    assert jan["pair.US.Iran"] == CLASH
    march = observed(history, Window(D(2020, 3, 1), 31, ""), ladder, "US")
    assert march["deaths"] == 2 and march["violence"] == PROXY  # Taji; KH is not a state
    # pro-rated: half of November 2019 (6.5 attacks in 30 days)
    half = observed(history, Window(D(2019, 11, 1), 15, ""), ladder, "US")
    assert half["militia_attacks"] == pytest.approx(6.5 * 15 / 30)
    # the record's last month covers 1–20 January 2021: its count spreads over 20 days, not 31
    january = observed(history, Window(D(2021, 1, 1), 10, ""), ladder, "US")
    assert january["militia_attacks"] == pytest.approx(1.0 * 10 / 20)


def test_the_record_s_response_lags(history, ladder):
    lags = observed_lags(history, ladder, ["US", "Iran"]).groupby("victim")["lag"].apply(list)
    assert lags["US"] == [2, 1]  # K-1 → strikes on KH two days later; Taji → the next day
    assert lags["Iran"] == [5]  # Soleimani → the missile strike of 8 January


# -- origins, leads and what a forecast may know ---------------------------------------------------
def test_origins_and_leads_parse():
    assert parse_origins("2020-01-01:2020-03-15:monthly") == [
        D(2020, 1, 1),
        D(2020, 2, 1),
        D(2020, 3, 1),
    ]
    assert parse_origins("2020-01-01:2020-01-15:7d") == [
        D(2020, 1, 1),
        D(2020, 1, 8),
        D(2020, 1, 15),
    ]
    assert parse_origins("2020-02-01, 2020-01-01") == [D(2020, 1, 1), D(2020, 2, 1)]
    assert parse_leads("60,30,30") == [30, 60]
    for bad in ("2020-13-01", "2020-02-01:2020-01-01:monthly", ""):
        with pytest.raises(OptionError, match="--origins"):
            parse_origins(bad)
    for bad in ("0", "abc", ""):
        with pytest.raises(OptionError, match="--lead"):
            parse_leads(bad)


def test_windows_past_the_record_are_left_out_with_a_note():
    first, last = D(2019, 10, 1), D(2021, 1, 20)
    plan, notes = plan_windows([D(2020, 12, 1), D(2021, 1, 1)], [14, 60], first, last)
    assert plan == [(D(2020, 12, 1), [14]), (D(2021, 1, 1), [14])]
    assert len(notes) == 2 and "past the record's end" in notes[0]
    with pytest.raises(OptionError, match="no window"):
        plan_windows([D(2021, 1, 1)], [30], first, last)
    with pytest.raises(OptionError, match="outside the record"):
        plan_windows([D(2019, 9, 1)], [30], first, last)


def test_a_forecast_knows_nothing_dated_after_its_origin(record):
    origin = D(2020, 11, 20)
    spun = origin_scenario(record, origin, 30, cold=False)
    assert spun.start == record.start and all(e.date < origin for e in spun.events)
    assert spun.horizon_days == (origin - record.start).days + 30
    # the "talked down" window of 16 November is known; Iran's orders of 10 October too
    cold = origin_scenario(record, origin, 30, cold=True)
    assert cold.start == origin and cold.events == [] and cold.horizon_days == 30
    # a restraint window beginning after the day is not known on it
    us = record.actors["US"]
    window = Restraint.model_validate(
        {"from": D(2020, 12, 1), "until": D(2021, 1, 1), "max_rung": "build_up"}
    )
    later = us.model_copy(update={"restraint": [window]})
    s = record.model_copy(update={"actors": {**record.actors, "US": later}})
    assert known_before(s, D(2020, 11, 30)).actors["US"].restraint == []
    assert len(known_before(s, D(2020, 12, 2)).actors["US"].restraint) == 1


def test_every_origin_starts_from_the_same_world(record):
    """Replicate k's spin-up is the same world whatever the origin (counter-based streams):
    a forecast from a later origin saw exactly the days a run stopped at the earlier one saw."""
    early, late = D(2020, 1, 10), D(2020, 2, 20)
    a = simulate(origin_scenario(record, early, 1, cold=False)).events
    b = simulate(origin_scenario(record, late, 1, cold=False)).events
    cut = (early - record.start).days
    a, b = a[a["day"] < cut].reset_index(drop=True), b[b["day"] < cut].reset_index(drop=True)
    assert len(a) > 0
    pd.testing.assert_frame_equal(a, b)


def test_ensembles_hold_both_starts_for_every_origin_and_lead(record, ladder):
    plan = [(D(2019, 10, 1), [15]), (D(2020, 1, 2), [15, 30])]
    ens = ensembles([record], plan, ladder, "US")
    sizes = ens.groupby(["origin", "lead", "start"], observed=True).size()
    assert len(sizes) == 6 and (sizes == record.replicates).all()
    # the first origin is the scenario's start: spun up and cold are the same run
    first = ens[ens["origin"] == D(2019, 10, 1)]
    spun, cold = first[first["start"] == SPUN_UP], first[first["start"] == COLD]
    assert spun["spin_up_days"].eq(0).all()
    np.testing.assert_array_equal(spun["militia_attacks"], cold["militia_attacks"])
    # after the January chain the spun-up world is not the cold one
    later = ens[(ens["origin"] == D(2020, 1, 2)) & (ens["lead"] == 30)]
    assert later[later["start"] == SPUN_UP]["spin_up_days"].eq(93).all()
    assert later[later["start"] == COLD]["kept"].all()


# -- reference forecasts and scores ---------------------------------------------------------------
def test_climatology_learns_only_from_the_calibration_part(history):
    rate_all, per_attack_all = reference_rates(history, None)
    rate_cal, per_attack_cal = reference_rates(history, D(2020, 9, 30))
    months = history.months_frame()
    assert rate_all == pytest.approx(months["militia_attacks"].sum() / months["days"].sum())
    cal = months[months["month"] <= D(2020, 9, 1)]
    assert rate_cal == pytest.approx(cal["militia_attacks"].sum() / cal["days"].sum())
    assert per_attack_cal == pytest.approx(3 / cal["militia_attacks"].sum())  # K-1 + Taji


def test_reference_forecasts():
    clim = climatology(rate=0.1, deaths_per_attack=0.05, days=30, k=3)
    assert clim.classes[WAR] == clim.classes[CLASH] == 0.0 == clim.events["state_violence"]
    assert clim.classes[PROXY] == pytest.approx(1 - np.exp(-3.0))
    assert clim.events["deaths_any"] == pytest.approx(1 - np.exp(-0.15))
    assert clim.attacks.mean() == pytest.approx(3.0, rel=0.03)
    prev = {"violence": float(CLASH), "state_violence": 1.0, "militia_attacks": 4.0, "deaths": 0.0}
    pers = persistence(prev, k=3)
    assert pers.classes[CLASH] == pytest.approx(1 - PERSISTENCE_DOUBT)
    assert pers.events["state_violence"] == pytest.approx(1 - PERSISTENCE_DOUBT)
    assert pers.events["deaths_any"] == pytest.approx(PERSISTENCE_DOUBT)
    assert pers.attacks.mean() == pytest.approx(4.0, rel=0.03)


def _synthetic_ensembles(origins, leads, violence, attacks):
    rows = []
    for o in origins:
        for lead in leads:
            for r, (v, a) in enumerate(zip(violence, attacks, strict=True)):
                for start in (SPUN_UP, COLD):
                    rows.append(
                        {
                            "origin": o,
                            "lead": lead,
                            "start": start,
                            "spin_up_days": 0,
                            "replicate": r,
                            "kept": True,
                            "violence": v,
                            "state_violence": v <= CLASH,
                            "militia_attacks": a,
                            "deaths": 0,
                            "pair.US.Iran": v if v <= CLASH else QUIET,
                        }
                    )
    ens = pd.DataFrame(rows)
    ens["start"] = pd.Categorical(ens["start"], categories=[SPUN_UP, COLD])
    return ens


def test_scores_of_a_hand_made_forecast(history, ladder):
    # four replicates: one clash, three proxy violence; attacks 0, 2, 4, 6 in every window
    ens = _synthetic_ensembles(
        [D(2019, 11, 1), D(2020, 1, 1)], [30], [CLASH, PROXY, PROXY, PROXY], [0, 2, 4, 6]
    )
    scores = score_windows(ens, history, ladder, train_until=D(2019, 12, 31))
    model = scores[scores["forecaster"] == "model"].set_index("origin")
    probs = np.array([0.0, 0.25, 0.75, 0.0])
    nov = model.loc[D(2019, 11, 1)]  # the record: proxy violence, no state violence
    # RPS by hand: cumulative forecast (0, .25, 1, 1) vs observed (0, 0, 1, 1): .25² / 3
    assert nov["rps"] == pytest.approx(0.0625 / 3)
    assert nov["rps"] == pytest.approx(rules.rps(probs, PROXY))
    assert nov["brier_state_violence"] == pytest.approx(0.25**2)
    jan = model.loc[D(2020, 1, 1)]  # the record: a direct clash
    assert jan["rps"] == pytest.approx(rules.rps(probs, CLASH))
    assert jan["brier_state_violence"] == pytest.approx(0.75**2)
    assert jan["rps_pair.US.Iran"] == pytest.approx(rules.rps(np.array([0, 0.25, 0, 0.75]), CLASH))
    assert nov["part"] == CALIBRATION and jan["part"] == HELD_OUT
    assert nov["mean_attacks"] == 3.0
    assert nov["crps_attacks"] == pytest.approx(rules.crps_ensemble(6.5, np.array([0, 2, 4, 6.0])))
    # persistence exists only where the previous window lies in the record
    pers = scores[scores["forecaster"] == "persistence"]["origin"].tolist()
    assert pers == [D(2019, 11, 1), D(2020, 1, 1)]
    skill = skill_table(scores)
    row = skill[(skill["score"] == "rps") & (skill["part"] == CALIBRATION)].iloc[0]
    assert row["skill_vs_climatology"] == pytest.approx(1 - row["model"] / row["climatology"])
    rel = reliability(scores)
    assert rel["windows"].sum() == 3 * 2  # three events, two windows each


def test_a_replicate_never_simulated_costs_a_stated_log_score(history, ladder):
    # nothing but quiet replicates, and the record shows proxy violence: the floor 1/(2R) applies
    ens = _synthetic_ensembles([D(2019, 11, 1)], [30], [QUIET] * 5, [0] * 5)
    scores = score_windows(ens, history, ladder)
    model = scores[scores["forecaster"] == "model"].iloc[0]
    assert model["log_classes"] == pytest.approx(-np.log(1 / 10))


def test_a_posterior_point_runs_its_own_replicates(record):
    """Points of a posterior run consecutive replicate numbers: replicate k is one world."""
    s = origin_scenario(record, D(2020, 1, 20), 10, cold=False)
    whole = simulate(s.model_copy(update={"replicates": 12})).runs
    tail = simulate(s.model_copy(update={"replicates": 4}), first_replicate=8).runs
    pd.testing.assert_frame_equal(whole.iloc[8:].reset_index(drop=True), tail)


def test_persistence_forecasts_the_previous_window(history, ladder):
    ens = _synthetic_ensembles([D(2020, 1, 1)], [31], [PROXY] * 4, [1, 2, 3, 4])
    scores = score_windows(ens, history, ladder)
    pers = scores[scores["forecaster"] == "persistence"].iloc[0]
    # December 2019 was proxy violence with no state-on-state violence: January is forecast so
    probs = np.full(4, PERSISTENCE_DOUBT / 3)
    probs[PROXY] = 1 - PERSISTENCE_DOUBT
    assert pers["rps"] == pytest.approx(rules.rps(probs, CLASH))
    assert pers["p_state_violence"] == pytest.approx(PERSISTENCE_DOUBT)
    assert pers["mean_attacks"] == pytest.approx(5.5, rel=0.05)  # December's count as the mean


def test_the_days_from_a_lethal_attack_to_the_victim_s_answer(ladder):
    start = D(2020, 1, 1)
    ev = events_frame(
        [
            (0, 2, "KH", "lethal_attack", "US", 1, False),  # answered on day 4: lag 2
            (0, 4, "US", "limited_strike", "KH", 0, False),
            (0, 6, "KH", "lethal_attack", "US", 1, False),  # a second one: not the first
            (1, 3, "KH", "lethal_attack", "US", 2, False),  # answered only by a forced move
            (1, 5, "US", "limited_strike", "KH", 0, True),
            (2, 3, "KH", "harassment", "US", 0, False),  # nobody killed: no lag
            (3, 1, "US", "lethal_attack", "Iran", 1, False),  # Iran's lag: 5 days
            (3, 6, "Iran", "limited_strike", "US", 0, False),
        ]
    )
    got = simulated(ev, np.arange(4), start, Window(start, 30, ""), ladder, "US")
    np.testing.assert_array_equal(got["lag.US"], [2.0, -1.0, np.nan, np.nan])
    np.testing.assert_array_equal(got["lag.Iran"], [np.nan, np.nan, np.nan, 5.0])


def test_the_record_s_lags_are_scored_against_the_model_s(history, ladder):
    ens = _synthetic_ensembles([D(2019, 11, 1)], [30], [PROXY] * 4, [0] * 4)
    ens = ens.sort_values(["start", "replicate"]).reset_index(drop=True)  # spun up, then cold
    ens["lag.US"] = [1.0, 2.0, 3.0, -1.0] * 2
    ens["lag.Iran"] = np.nan
    from simulator.scoring.score import lag_scores

    lags = lag_scores(ens, history, ladder).set_index(["victim", "observed_lag"])
    k1 = lags.loc[("US", 2.0)]  # K-1, answered in two days
    assert k1["model_attacks"] == 4 and k1["answered"] == 0.75 and k1["mean_lag"] == 2.0
    assert k1["crps"] == pytest.approx(rules.crps_ensemble(2.0, np.array([1.0, 2.0, 3.0])))
    assert np.isnan(lags.loc[("Iran", 5.0)]["crps"])  # the model never killed an Iranian
