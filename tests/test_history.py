"""Observed-history files: the shipped record, and located errors for broken ones.

Every message is ``FILE:LINE: dotted.path: message``. The tests pin the parts a user relies on
(file, line, path, the bad value, what is allowed, the did-you-mean), not the whole wording.
Expected line numbers are computed from the text written.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pandas as pd
import pytest
import yaml

from simulator.history import (
    DEFAULT_RUNGS,
    OUTCOMES,
    History,
    HistoryError,
    load_history,
    validate_history,
)
from simulator.scenario.loading import ScenarioError, load_scenario
from simulator.scenario.problems import MAX_PROBLEMS

ROOT = Path(__file__).resolve().parents[1]
RECORD = ROOT / "history" / "us_iran_2019_2021.yaml"
SEEDS = ROOT / "seeds" / "article_2021-01-01_independent.yaml"
RESERVED_FROM = dt.date(2021, 1, 21)  # the first day of the reserved, out-of-sample period

#: A small valid record: three months, a clash between states and a militia attack.
MINI = """\
name: mini
description: A small record.
start: 2020-01-01
end: 2020-03-15
actors:
  US: state
  Iran: state
  KH: militia
events:
  - date: 2020-01-03
    actor: US
    rung: lethal_attack
    target: Iran
    deaths: 1
    label: Strike on a commander
    source: E05
  - date: 2020-02-10
    actor: KH
    rung: harassment
    target: US
    label: Rockets on a base
    source: F01, E20
months:
  - month: 2020-01
    militia_attacks: 0
    range: [0, 1]
    basis: reported
    outcome: direct_clash
    source: E05, E07
  - month: 2020-02
    militia_attacks: 2
    range: [1, 3]
    basis: period_average
    outcome: proxy_violence
    source: F01
  - month: 2020-03
    militia_attacks: 0
    range: [0, 0]
    basis: interpolated
    outcome: contained
    source: F04
"""


# -- helpers ----------------------------------------------------------------------------------
def write(tmp_path: Path, text: str, name: str = "history.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def mutate(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, f"expected exactly one {old!r} in the text"
    return text.replace(old, new)


def line_of(text: str, needle: str, nth: int = 0) -> int:
    hits = [i for i, line in enumerate(text.splitlines(), start=1) if needle in line]
    assert len(hits) > nth, f"{needle!r} not found {nth + 1} time(s)"
    return hits[nth]


def error_of(path: Path, **kwargs) -> HistoryError:
    with pytest.raises(HistoryError) as info:
        load_history(path, **kwargs)
    err = info.value
    assert err.problems, "a HistoryError must carry at least one problem"
    assert str(err) == "\n".join(err.problems)
    return err


def problem_at(err: HistoryError, path: Path, line: int, dotted: str) -> str:
    """The one problem located at ``path:line: dotted:``."""
    prefix = f"{path}:{line}: {dotted}: "
    found = [p for p in err.problems if p.startswith(prefix)]
    assert len(found) == 1, f"no single problem starting {prefix!r} in {err.problems}"
    return found[0]


@pytest.fixture(scope="module")
def record() -> History:
    return load_history(RECORD)


@pytest.fixture(scope="module")
def months(record) -> pd.DataFrame:
    frame = record.months_frame()
    return frame.set_index(frame["month"].map(lambda d: f"{d:%Y-%m}"))


def attacks(months: pd.DataFrame, first: str, last: str) -> pd.Series:
    keys = [k for k in months.index if first <= k <= last]
    return months.loc[keys, "militia_attacks"]


# -- the shipped record -----------------------------------------------------------------------
def test_the_record_loads(record):
    assert record.name == "us_iran_2019_2021"
    assert record.path == RECORD
    assert (record.start, record.end) == (dt.date(2019, 10, 1), dt.date(2021, 1, 20))
    assert record.actors == {
        "US": "state",
        "Iran": "state",
        "Iraq": "host",
        "KH": "militia",
        "OtherMilitias": "militia",
    }
    assert len(record.months) == 16  # October 2019 – January 2021
    assert len(record.events) >= 15


def test_the_record_fits_the_hindcast_scenario(record):
    scenario = load_scenario(ROOT / "scenarios" / "hindcast_2019_2020.yaml")
    record.check_actors(list(scenario.actors))


def test_the_record_has_the_key_events(record):
    events = record.events_frame()
    key = {(str(e.date), e.actor, e.rung, e.target) for e in events.itertuples()}
    assert ("2019-12-27", "KH", "lethal_attack", "US") in key  # K-1, E02
    assert ("2019-12-29", "US", "limited_strike", "KH") in key  # E03
    assert ("2019-12-31", "KH", "harassment", "US") in key  # embassy, E04
    assert ("2020-01-03", "US", "lethal_attack", "Iran") in key  # Soleimani, E05
    assert ("2020-01-03", "US", "build_up", "Iran") in key  # E05, F17
    assert ("2020-03-11", "KH", "lethal_attack", "US") in key  # Taji, E10
    assert ("2020-03-12", "US", "limited_strike", "KH") in key  # E11
    assert ("2020-12-31", "Iraq", "tighten_security", "KH") in key  # E24
    by_day = events.set_index(events["date"].map(str))
    assert by_day.loc["2020-01-08", "rung"] == "limited_strike"  # Iran's missiles, E07
    assert by_day.loc["2020-01-08", "deaths"] == 0
    taji = events[(events["date"] == dt.date(2020, 3, 11))]
    assert taji["deaths"].tolist() == [2]  # the UK death is not a US death
    barrage = events[events["date"] == dt.date(2020, 12, 20)].iloc[0]
    assert (barrage["actor"], barrage["target"], barrage["deaths"]) == ("OtherMilitias", "US", 0)
    assert barrage["rung"] in ("harassment", "lethal_attack")
    b52 = events[(events["rung"] == "show_of_force") & (events["actor"] == "US")]
    assert len(b52) == 3  # E19: three missions by 30 December


def test_monthly_counts_are_consistent_with_f01_and_f02(months):
    # F01: at least 78 attacks May 2019 – October 2020 (18 months), F02 about 4.5 a month; the
    # 13 of those months in the file hold at least their even share
    window = attacks(months, "2019-10", "2020-10")
    assert len(window) == 13
    assert window.sum() >= 78 * 13 / 18
    assert 3.5 <= window.mean() <= 5.5


def test_monthly_counts_are_consistent_with_f03_f04_f05(months):
    assert attacks(months, "2019-10", "2019-12").sum() >= 9  # F05: about nine, late 2019
    for month in ("2020-08", "2020-09"):  # F03: peak of 9–10 a month
        assert 9 <= months.loc[month, "militia_attacks"] <= 10
    for month in ("2020-11", "2020-12"):  # F04: 1–2 a month after the truce
        row = months.loc[month]
        assert 1 <= row["low"] <= row["militia_attacks"] <= row["high"] <= 2
    january = months.loc["2021-01"]
    assert january["days"] == 20  # 1–20 January: the rest is reserved
    assert 1 <= january["militia_attacks"] * 31 / january["days"] <= 2  # F04's rate
    # the truce month lies between the peak and the post-truce rate
    assert 1 < months.loc["2020-10", "militia_attacks"] < 9


def test_months_with_dated_militia_attacks_count_them(record, months):
    events = record.events_frame()
    militia = events["actor"].map(record.actors).eq("militia")
    violent = events["rung"].isin(["harassment", "lethal_attack"])
    on_us = events["target"].eq("US")
    for date in events.loc[militia & violent & on_us, "date"]:
        row = months.loc[f"{date:%Y-%m}"]
        assert row["militia_attacks"] >= 1 and row["low"] >= 1, date


def test_outcome_classes(months):
    assert months.loc["2020-01", "outcome"] == "direct_clash"
    assert "war" not in set(months["outcome"])
    others = months.drop(index="2020-01")
    assert set(others["outcome"]) == {"proxy_violence"}


def test_every_entry_has_a_source_that_the_digest_holds(record):
    digest = yaml.safe_load(SEEDS.read_text(encoding="utf-8"))
    ids = {
        entry["id"]
        for section in ("claims", "events", "figures", "quotes")
        for entry in digest[section]
    }
    for entry in [*record.events, *record.months]:
        assert entry.source.strip()
        cited = re.findall(r"\b[AEFQ]\d{1,2}\b", entry.source)
        assert cited, f"{entry}: no seeds id in {entry.source!r}"
        assert set(cited) <= ids, f"{entry.source!r} cites ids the digest lacks"
    assert all(event.label.strip() for event in record.events)


_MONTHS = {
    name: i
    for i, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
_MONTH_WORD = "|".join(sorted(_MONTHS, key=len, reverse=True))


def dates_mentioned(text: str) -> list[tuple[str, dt.date]]:
    """Every date the text speaks of, as the last day it can mean (a month: its last day)."""

    def last_day(year: int, month: int) -> dt.date:
        nxt = dt.date(year + month // 12, month % 12 + 1, 1)
        return nxt - dt.timedelta(days=1)

    found: list[tuple[str, dt.date]] = []
    for m in re.finditer(r"\b(\d{4})-(\d{2})-(\d{2})\b", text):
        found.append((m.group(0), dt.date(*map(int, m.groups()))))
    for m in re.finditer(r"\b(\d{4})-(\d{2})\b(?!-\d)", text):
        found.append((m.group(0), last_day(int(m.group(1)), int(m.group(2)))))
    day_month_year = rf"\b(\d{{1,2}})\s+({_MONTH_WORD})\.?\s+(\d{{4}})\b"
    for m in re.finditer(day_month_year, text, re.IGNORECASE):
        month = _MONTHS[m.group(2).lower()]
        found.append((m.group(0), dt.date(int(m.group(3)), month, int(m.group(1)))))
    for m in re.finditer(rf"\b({_MONTH_WORD})\.?\s+(\d{{4}})\b", text, re.IGNORECASE):
        found.append((m.group(0), last_day(int(m.group(2)), _MONTHS[m.group(1).lower()])))
    for m in re.finditer(r"\b(20\d\d)\b", text):
        found.append((m.group(0), dt.date(int(m.group(1)), 1, 1)))
    return found


def test_dates_mentioned_finds_what_it_should():
    # the scanner itself: late-month and month-level mentions count as the month's last day
    text = "six by late January 2021; 3 Feb 2021; 2021-02; 2021-01-21; in 2022; 20 Jan 2021"
    late = [what for what, day in dates_mentioned(text) if day >= RESERVED_FROM]
    assert "January 2021" in late  # late January reaches past the 20th
    assert {"3 Feb 2021", "2021-02", "2021-01-21", "2022"} <= set(late)
    assert "20 Jan 2021" not in late


def test_nothing_after_the_end_anywhere_in_the_record(record):
    # the reserved period (history/README.md): not in a field, not in a comment
    assert record.end == RESERVED_FROM - dt.timedelta(days=1)
    assert all(e.date < RESERVED_FROM for e in record.events)
    assert all(m.month < RESERVED_FROM for m in record.months)
    text = RECORD.read_text(encoding="utf-8")
    late = [(what, day) for what, day in dates_mentioned(text) if day >= RESERVED_FROM]
    # a month-level mention of January 2021 is allowed only as the month the record ends in,
    # never as "late January"
    allowed = {"January 2021", "Jan 2021", "2021-01"}
    late = [(what, day) for what, day in late if what not in allowed]
    assert late == []
    assert not re.search(r"\b(late|end of)\s+january\s+2021\b", text, re.IGNORECASE)


def test_the_readme_states_the_reserved_period():
    readme = (ROOT / "history" / "README.md").read_text(encoding="utf-8")
    assert "Nothing dated after 2021-01-20" in readme


def test_outcome_classes_are_the_models():
    from simulator.model.outcomes import OUTCOMES as MODEL_OUTCOMES

    assert OUTCOMES == MODEL_OUTCOMES


# -- frames -----------------------------------------------------------------------------------
def test_months_frame_columns_and_dtypes(record):
    frame = record.months_frame()
    assert list(frame.columns) == [
        "month",
        "days",
        "militia_attacks",
        "low",
        "high",
        "basis",
        "outcome",
    ]
    assert len(frame) == 16
    assert all(type(d) is dt.date and d.day == 1 for d in frame["month"])
    assert frame["days"].dtype == "int64"
    assert frame["militia_attacks"].dtype == "float64"
    assert frame["low"].dtype == frame["high"].dtype == "int64"
    assert pd.api.types.is_string_dtype(frame["basis"])
    assert pd.api.types.is_string_dtype(frame["outcome"])
    assert frame["days"].tolist()[:4] == [31, 30, 31, 31]
    assert frame["days"].iloc[-1] == 20
    assert (frame["low"] <= frame["militia_attacks"]).all()
    assert (frame["militia_attacks"] <= frame["high"]).all()


def test_events_frame_columns_and_dtypes(record):
    frame = record.events_frame()
    assert list(frame.columns) == [
        "date",
        "actor",
        "rung",
        "target",
        "deaths",
        "wounded",
        "label",
        "source",
    ]
    assert len(frame) == len(record.events)
    assert all(type(d) is dt.date for d in frame["date"])
    assert frame["deaths"].dtype == "Int64" and frame["wounded"].dtype == "Int64"
    assert frame["deaths"].isna().any()  # not given: NA, not 0
    assert (frame["deaths"].dropna() >= 0).all()
    for column in ("actor", "rung", "target", "label", "source"):
        assert pd.api.types.is_string_dtype(frame[column]), column
    assert frame["date"].is_monotonic_increasing


def test_frames_of_a_record_without_events(tmp_path):
    text = MINI.split("events:")[0] + "months:" + MINI.split("months:")[1]
    text = mutate(text, "outcome: direct_clash", "outcome: contained")  # no events: no clash
    history = load_history(write(tmp_path, text))
    assert load_history(write(tmp_path, "events:\n" + text, "empty.yaml")).events == ()
    frame = history.events_frame()
    assert frame.empty
    assert list(frame.columns)[:4] == ["date", "actor", "rung", "target"]
    assert frame["deaths"].dtype == "Int64"
    assert history.months_frame()["days"].tolist() == [31, 29, 15]


# -- check_actors -----------------------------------------------------------------------------
def test_check_actors_names_the_missing_actors_with_their_lines(tmp_path):
    path = write(tmp_path, MINI)
    history = load_history(path)
    history.check_actors(["US", "Iran", "KH", "Iraq"])  # more actors in the scenario is fine
    with pytest.raises(HistoryError) as info:
        history.check_actors(["US", "Iraq", "FrontGroups"])
    err = info.value
    assert isinstance(err, ScenarioError)
    assert len(err.problems) == 2
    message = problem_at(err, path, line_of(MINI, "  KH: militia"), "actors.KH")
    assert "the scenario has no actor 'KH'" in message
    assert "its actors: US, Iraq, FrontGroups" in message
    problem_at(err, path, line_of(MINI, "  Iran: state"), "actors.Iran")


def test_check_actors_without_a_file(tmp_path):
    history = validate_history(yaml.safe_load(MINI), "mini")
    assert history.path is None
    with pytest.raises(HistoryError, match=r"actors\.KH: the scenario has no actor 'KH'"):
        history.check_actors(["US", "Iran"])


# -- valid variants ---------------------------------------------------------------------------
def test_the_mini_record_is_valid(tmp_path):
    history = load_history(write(tmp_path, MINI))
    assert [m.month for m in history.months] == [
        dt.date(2020, 1, 1),
        dt.date(2020, 2, 1),
        dt.date(2020, 3, 1),
    ]
    assert history.events[0].deaths == 1 and history.events[1].deaths is None
    assert history.months[1].range == (1, 3)
    assert history.model_dump(mode="json")["months"][0]["month"] == "2020-01"
    assert "path" not in history.model_dump()


def test_a_custom_ladder(tmp_path):
    path = write(tmp_path, MINI)
    load_history(path, rungs=[*DEFAULT_RUNGS, "extra"])
    err = error_of(path, rungs=["status_quo", "lethal_attack", "strike"])
    message = problem_at(err, path, line_of(MINI, "rung: harassment"), "events.1.rung")
    assert "unknown rung 'harassment'" in message
    assert "allowed: status_quo, lethal_attack, strike" in message


# -- files that cannot be read ----------------------------------------------------------------
def test_missing_file(tmp_path):
    err = error_of(tmp_path / "nope.yaml")
    assert err.problems == [f"{tmp_path / 'nope.yaml'}: no such history file."]
    assert isinstance(err, ScenarioError)


def test_a_folder_is_not_a_history_file(tmp_path):
    err = error_of(tmp_path)
    assert err.problems[0].startswith(f"{tmp_path}: cannot be read: it is a folder")


@pytest.mark.parametrize(
    ("old", "new", "plain"),
    [
        pytest.param("  KH: militia", "\tKH: militia", "a tab character", id="tab"),
        pytest.param("range: [1, 3]", "range: [1, 3", "not closed with ']'", id="open-bracket"),
        pytest.param(
            "label: Rockets on a base", "label: 'Rockets' on a base", "quoted", id="quote"
        ),
    ],
)
def test_malformed_yaml_is_located(tmp_path, old, new, plain):
    # the scenario reader's one-paragraph message: located, in plain words, the parser's below
    text = mutate(MINI, old, new)
    path = write(tmp_path, text)
    err = error_of(path)
    assert len(err.problems) == 1
    first = err.problems[0].splitlines()[0]
    match = re.match(rf"{re.escape(str(path))}:(\d+): invalid YAML: ", first)
    assert match, first
    assert plain in first
    assert abs(int(match.group(1)) - line_of(text, new.splitlines()[0])) <= 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("", ":1: the file is empty", id="empty"),
        pytest.param("- a\n- b\n", ":1: a history file must be a mapping of fields", id="list"),
        pytest.param("!!python/object:os.system {}\n", ":1: invalid YAML", id="python-tag"),
    ],
)
def test_not_a_history_file(tmp_path, text, expected):
    path = write(tmp_path, text)
    err = error_of(path)
    assert err.problems[0].startswith(f"{path}{expected}")


# -- validation rules: one broken file each ---------------------------------------------------
@pytest.mark.parametrize(
    ("old", "new", "needle", "dotted", "fragments"),
    [
        pytest.param(
            "description:",
            "descripton:",
            "descripton:",
            "descripton",
            ["unknown field 'descripton'", "did you mean 'description'?"],
            id="unknown-top-key",
        ),
        pytest.param(
            "    deaths: 1",
            "    death: 1",
            "death: 1",
            "events.0.death",
            ["unknown field 'death'", "did you mean 'deaths'?"],
            id="unknown-event-key",
        ),
        pytest.param(
            "    basis: period_average",
            "    basys: period_average",
            "basys:",
            "months.1.basys",
            ["unknown field 'basys'", "did you mean 'basis'?"],
            id="unknown-month-key",
        ),
        pytest.param(
            "end: 2020-03-15",
            "end: 2020-03-15\npath: elsewhere.yaml",
            "path:",
            "path",
            ["unknown field 'path'"],
            id="path-is-not-a-field",
        ),
        pytest.param(
            "  - date: 2020-02-10",
            "  - date: 2020-04-10",
            "date: 2020-04-10",
            "events.1.date",
            ["2020-04-10 is after the record's end (2020-03-15)", "nothing after the end"],
            id="event-after-end",
        ),
        pytest.param(
            "  - date: 2020-01-03",
            "  - date: 2019-12-03",
            "date: 2019-12-03",
            "events.0.date",
            ["2019-12-03 is before the record's start (2020-01-01)"],
            id="event-before-start",
        ),
        pytest.param(
            "end: 2020-03-15",
            "end: 2019-03-15",
            "end:",
            "end",
            ["2019-03-15 is before start (2020-01-01)"],
            id="end-before-start",
        ),
        pytest.param(
            "  - month: 2020-03",
            "  - month: 2020-04",
            "month: 2020-04",
            "months.2.month",
            ["2020-04 is after the record's end (2020-03-15)"],
            id="month-after-end",
        ),
        pytest.param(
            "  - month: 2020-01",
            "  - month: 2019-12",
            "month: 2019-12",
            "months.0.month",
            ["2019-12 is before the record's start (2020-01-01)"],
            id="month-before-start",
        ),
        pytest.param(
            "  - month: 2020-02",
            "  - month: 2020-01",
            ("month: 2020-01", 1),
            "months.1.month",
            ["2020-01 is given twice (first as months.0)"],
            id="month-duplicated",
        ),
        pytest.param(
            "  - month: 2020-03",
            "  - month: 2020-13",
            "month: 2020-13",
            "months.2.month",
            ["expected a month written YYYY-MM", "'2020-13'"],
            id="month-not-a-month",
        ),
        pytest.param(
            "    actor: KH",
            "    actor: Hezbollah",
            "actor: Hezbollah",
            "events.1.actor",
            ["'Hezbollah' is not one of the actors", "allowed: US, Iran, KH"],
            id="actor-not-declared",
        ),
        pytest.param(
            "    target: Iran",
            "    target: Irann",
            "target: Irann",
            "events.0.target",
            ["'Irann' is not one of the actors", "did you mean 'Iran'?"],
            id="target-not-declared",
        ),
        pytest.param(
            "    target: Iran",
            "    target: US",
            "target: US",
            "events.0.target",
            ["an actor cannot be its own target (both are 'US')"],
            id="actor-is-target",
        ),
        pytest.param(
            "rung: harassment",
            "rung: harrasment",
            "rung: harrasment",
            "events.1.rung",
            ["unknown rung 'harrasment'", "did you mean 'harassment'?"],
            id="rung-not-in-ladder",
        ),
        pytest.param(
            "deaths: 1",
            "deaths: -1",
            "deaths: -1",
            "events.0.deaths",
            ["greater than or equal to 0", "-1"],
            id="negative-deaths",
        ),
        pytest.param(
            "    label: Rockets on a base",
            "    label: Rockets on a base\n    wounded: -3",
            "wounded: -3",
            "events.1.wounded",
            ["greater than or equal to 0", "-3"],
            id="negative-wounded",
        ),
        pytest.param(
            "militia_attacks: 2",
            "militia_attacks: -2",
            "militia_attacks: -2",
            "months.1.militia_attacks",
            ["greater than or equal to 0", "-2"],
            id="negative-count",
        ),
        pytest.param(
            "range: [1, 3]",
            "range: [-1, 3]",
            "range: [-1, 3]",
            "months.1.range.0",
            ["greater than or equal to 0", "-1"],
            id="negative-range",
        ),
        pytest.param(
            "range: [1, 3]",
            "range: [3, 5]",
            "range: [3, 5]",
            "months.1.range",
            ["[3, 5] does not bracket militia_attacks (2)"],
            id="range-does-not-bracket",
        ),
        pytest.param(
            "range: [1, 3]",
            "range: [3, 1]",
            "range: [3, 1]",
            "months.1.range",
            ["low 3 is above high 1"],
            id="range-inverted",
        ),
        pytest.param(
            "range: [1, 3]",
            "range: [1, 2, 3]",
            "range: [1, 2, 3]",
            "months.1.range",
            ["expected [low, high]"],
            id="range-of-three",
        ),
        pytest.param(
            "outcome: contained",
            "outcome: calm",
            "outcome: calm",
            "months.2.outcome",
            ["'calm'", "'war'", "'de_escalated'"],
            id="outcome-not-a-class",
        ),
        pytest.param(
            "outcome: direct_clash",
            "outcome: proxy_violence",
            "outcome: proxy_violence",
            "months.0.outcome",
            ["at least 'direct_clash'", "events.0", "US lethal_attack on Iran"],
            id="outcome-milder-than-a-clash",
        ),
        pytest.param(
            "outcome: proxy_violence",
            "outcome: contained",
            "outcome: contained",
            "months.1.outcome",
            ["'contained' is less severe", "at least 'proxy_violence'"],
            id="outcome-milder-than-militia-violence",
        ),
        pytest.param(
            "    basis: interpolated",
            "    basis: guessed",
            "basis: guessed",
            "months.2.basis",
            ["'reported', 'period_average' or 'interpolated'"],
            id="basis-unknown",
        ),
        pytest.param(
            "    source: F04",
            "    source: ''",
            "source: ''",
            "months.2.source",
            ["is empty", "seeds ids"],
            id="empty-month-source",
        ),
        pytest.param(
            "    source: E05\n",
            "    source: '  '\n",
            "source: '  '",
            "events.0.source",
            ["is empty"],
            id="empty-event-source",
        ),
        pytest.param(
            "    label: Strike on a commander",
            "    label: ''",
            "label: ''",
            "events.0.label",
            ["is empty"],
            id="empty-label",
        ),
        pytest.param(
            "  KH: militia",
            "  KH: proxy",
            "KH: proxy",
            "actors.KH",
            ["'state', 'host' or 'militia'", "'proxy'"],
            id="actor-type-unknown",
        ),
    ],
)
def test_each_rule_is_located(tmp_path, old, new, needle, dotted, fragments):
    text = mutate(MINI, old, new)
    path = write(tmp_path, text)
    err = error_of(path)
    line = line_of(text, *needle) if isinstance(needle, tuple) else line_of(text, needle)
    prefix = f"{path}:{line}: {dotted}: "
    located = [p for p in err.problems if p.startswith(prefix)]
    assert located, f"no problem starting {prefix!r} in {err.problems}"
    assert any(all(f in p for f in fragments) for p in located), (fragments, located)


def test_month_missing_is_located_before_the_next_month(tmp_path):
    text = mutate(MINI, "  - month: 2020-02", "  - month: 2020-03")  # February gone, March twice
    path = write(tmp_path, text)
    err = error_of(path)
    problem_at(err, path, line_of(MINI, "month: 2020-03"), "months.2.month")  # given twice
    message = problem_at(err, path, line_of(MINI, "month: 2020-02"), "months.1.month")
    assert "2020-02 is missing before 2020-03" in message
    assert "one entry per calendar month from 2020-01 to 2020-03" in message


def test_months_missing_at_the_end_are_located_at_months(tmp_path):
    text = MINI.split("  - month: 2020-02")[0]
    path = write(tmp_path, text)
    err = error_of(path)
    message = problem_at(err, path, line_of(text, "months:"), "months")
    assert "2020-02 to 2020-03 are missing" in message


def test_months_out_of_order(tmp_path):
    text = MINI.replace("month: 2020-02", "month: TWO").replace("month: 2020-03", "month: 2020-02")
    text = text.replace("month: TWO", "month: 2020-03")
    path = write(tmp_path, text)
    err = error_of(path)
    message = problem_at(err, path, line_of(text, "month: 2020-02"), "months.2.month")
    assert "2020-02 comes after 2020-03; months must be in calendar order" in message


def test_required_fields(tmp_path):
    text = mutate(MINI, "    source: E05\n", "")
    text = mutate(text, "start: 2020-01-01\n", "")
    path = write(tmp_path, text)
    err = error_of(path)
    problem_at(err, path, line_of(text, "- date: 2020-01-03"), "events.0.source")
    assert any(p.endswith("start: required field is missing.") for p in err.problems)


def test_actors_as_a_list_asks_for_the_mapping(tmp_path):
    text = mutate(MINI, "  US: state\n  Iran: state\n  KH: militia\n", "  [US, Iran, KH]\n")
    path = write(tmp_path, text)
    err = error_of(path)
    message = problem_at(err, path, line_of(text, "actors:"), "actors")
    assert "mapping of actor id → type" in message
    assert not any("not one of the actors" in p for p in err.problems)


def test_every_problem_in_one_pass(tmp_path):
    text = MINI
    for old, new in (
        ("description:", "descripton:"),
        ("rung: harassment", "rung: harrasment"),
        ("    actor: KH", "    actor: Hezbollah"),
        ("militia_attacks: 2", "militia_attacks: -2"),  # this month is set aside...
        ("outcome: direct_clash", "outcome: contained"),  # ...the others still checked
        ("range: [0, 0]", "range: [1, 0]"),
    ):
        text = mutate(text, old, new)
    path = write(tmp_path, text)
    err = error_of(path)
    paths = [re.match(r".+?:\d+: (\S+):", p).group(1) for p in err.problems]
    assert paths == [
        "description",  # required: missing (located at the top of the file)
        "descripton",
        "events.1.actor",
        "events.1.rung",
        "months.0.outcome",
        "months.1.militia_attacks",
        "months.2.range",
    ]


def test_problems_are_capped(tmp_path):
    bad = "".join(
        f"  - date: 2020-01-{day:02d}\n    actor: US\n    rung: nuke\n    target: Iran\n"
        f"    label: x\n    source: E05\n"
        for day in range(1, 26)
    )
    text = mutate(MINI, "events:\n", "events:\n" + bad)
    path = write(tmp_path, text)
    err = error_of(path)
    assert len(err.problems) == MAX_PROBLEMS + 1
    assert re.fullmatch(r"… and \d+ more problems \(the first 20 are shown\)\.", err.problems[-1])


def test_history_error_is_a_scenario_error():
    assert issubclass(HistoryError, ScenarioError)


def test_the_loader_neither_uses_yaml_load_nor_asserts():
    for source in (ROOT / "simulator" / "history").glob("*.py"):
        code = source.read_text(encoding="utf-8")
        assert "yaml.load(" not in code, source
        assert not re.search(r"^\s*assert\b", code, re.MULTILINE), source
