"""``escalation report`` on sweep, comparison and hindcast folders, and a scored run's scores.

Every folder is made for real by the command line, small (a 20-day world for sweeps and the
comparison, three origins for the hindcast), once for the module. Each page is checked for its
sections, for charts whose Vega-Lite specs are valid JSON carrying their own data, and for tables
that say what the stored tables say; a missing or damaged table is an error naming the file,
exit status 2 from the command line and no report written.
"""

from __future__ import annotations

import json
import math
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from conftest import call, quiet_main, write_small

from simulator.report import build_page
from simulator.report import sweep as sweep_report
from simulator.report.hindcast import add_score_sections
from simulator.report.page import Page
from simulator.results.errors import ResultsError

ROOT = Path(__file__).resolve().parents[1]
RECORD = ROOT / "scenarios" / "record_2019_2021.yaml"
HISTORY = ROOT / "history" / "us_iran_2019_2021.yaml"
SPEC = re.compile(r'<script type="application/json" id="(chart-\d+)-spec">(.*?)</script>', re.S)
MINUS = "\u2212"
ORIGINS = ("2019-12-01", "2020-01-01", "2020-02-01")


def run(*argv: Any) -> None:
    code, out = quiet_main(*argv)
    assert code == 0, out


@pytest.fixture(scope="module")
def folders(tmp_path_factory) -> dict[str, Path]:
    """One small finished folder of each kind the pages read."""
    root = tmp_path_factory.mktemp("kinds")
    small = write_small(root)
    quick = ("-n", "6", "--workers", "0", "-q")
    grid, sobol, morris = root / "grid", root / "sobol", root / "morris"
    run("sweep", small, "-p", "perception.Iran.US.offense_bias=0:1:5", "-p",
        "actors.KH.control=0.3:1:5", *quick, "--out", grid)  # fmt: skip
    run("analyze", grid)
    run("robustness", grid, "--lever", "actors.KH.control")
    run("discover", grid, "--outcome", "proxy_violence", "--threshold", "0.7")
    params = ("-p", "actors.Iran.resolve=0.2:0.9", "-p", "actors.KH.control=0.3:1")
    run("sweep", small, "--design", "sobol", "--points", "8", *params, *quick, "--out", sobol)
    run("sweep", small, "--design", "morris", "--points", "4", *params, *quick, "--out", morris)
    for folder in (sobol, morris):
        run("analyze", folder)
    cmp = root / "cmp"
    run("compare", small, "--set", "actors.KH.control=0.2", "-n", "60", "--no-plots", "-q",
        "--out", cmp)  # fmt: skip
    hc = root / "hc"
    run("hindcast", RECORD, "--history", HISTORY, "--origins", ",".join(ORIGINS), "--lead",
        "30", "-n", "20", "--no-plots", "--workers", "0", "-q", "--out", hc)  # fmt: skip
    scored = root / "run"
    run("run", RECORD, "-n", "20", "--no-plots", "-q", "--out", scored)
    run("score", scored, "--history", HISTORY, "--no-plots")
    return {"grid": grid, "sobol": sobol, "morris": morris, "cmp": cmp, "hc": hc, "run": scored}


@pytest.fixture(scope="module")
def pages(folders) -> dict[str, str]:
    """The HTML of each folder's page, built as `escalation report` builds it."""
    return {k: build_page(v).html() for k, v in folders.items() if k != "run"}


# -- reading a page back ----------------------------------------------------------------------
class Tables(HTMLParser):
    """The page's tables by name: headers, and per cell its text and data-sort value."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.tables: dict[str, dict[str, Any]] = {}
        self.filters: set[str] = set()
        self._table: dict[str, Any] | None = None
        self._cell: list[str] | None = None
        self._sort: str | None = None
        self._in_head = False
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "input" and "filter" in (a.get("class") or ""):
            self.filters.add(str(a.get("data-for")))
        elif tag == "table":
            self._table = {"id": a.get("id"), "headers": [], "rows": []}
            self.tables[str(a.get("data-name") or a.get("id"))] = self._table
        elif tag == "thead":
            self._in_head = True
        elif tag == "tr" and self._table is not None and not self._in_head:
            self._table["rows"].append([])
        elif tag in ("th", "td") and self._table is not None:
            self._cell, self._sort = [], a.get("data-sort")

    def handle_endtag(self, tag: str) -> None:
        if tag == "thead":
            self._in_head = False
        elif tag in ("th", "td") and self._table is not None and self._cell is not None:
            text = "".join(self._cell)
            if tag == "th":
                self._table["headers"].append(text)
            else:
                self._table["rows"][-1].append((text, self._sort))
            self._cell = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def table(text: str, name: str) -> pd.DataFrame:
    """A named table of the page as text cells."""
    t = Tables(text).tables[name]
    return pd.DataFrame([[c for c, _ in row] for row in t["rows"]], columns=t["headers"])


def sort_values(text: str, name: str, column: str) -> list[float]:
    """The raw numbers a table keeps for sorting and filtering, in one column."""
    t = Tables(text).tables[name]
    j = t["headers"].index(column)
    return [float(row[j][1]) for row in t["rows"]]


def titles(text: str) -> list[str]:
    return re.findall(r"<section id=\"[^\"]*\"><h2>(.*?)</h2>", text)


def specs(text: str) -> list[dict[str, Any]]:
    return [json.loads(body) for _, body in SPEC.findall(text)]


def walk(node: Any) -> list[tuple[str, Any]]:
    """Every (key, value) of a nested spec."""
    if isinstance(node, dict):
        return [*node.items(), *(kv for v in node.values() for kv in walk(v))]
    if isinstance(node, list):
        return [kv for v in node for kv in walk(v)]
    return []


def check_charts(text: str, count: int) -> None:
    """``count`` charts, each a spec whose data are all inline and non-empty."""
    found = specs(text)
    assert len(found) == count
    for spec in found:
        datasets = spec["datasets"]
        named = {v["name"] for k, v in walk(spec) if k == "data" and isinstance(v, dict)}
        assert named and named <= set(datasets)
        assert all(len(datasets[n]) for n in named)
        assert not any(k == "url" for k, _ in walk(spec))


def pp(value: float) -> str:
    text = f"{100 * value:+.2f}"
    return text.lstrip("+") if float(text) == 0 else text.replace("-", MINUS)


def damaged(src: Path, dst: Path, relative: str, how: str) -> Path:
    """A copy of ``src`` with one file removed or overwritten with garbage."""
    shutil.copytree(src, dst)
    target = dst / relative
    if how == "missing":
        target.unlink()
    else:
        target.write_bytes(b"not parquet at all")
    return target


# -- sweeps -----------------------------------------------------------------------------------
def test_a_grid_sweep_page_has_every_section_and_its_charts(pages):
    text = pages["grid"]
    assert titles(text) == [
        "Summary",
        "Outcome along each parameter",
        "Heat maps",
        "Robustness of the levers",
        "Scenario discovery",
        "Design points",
        "Manifest",
    ]
    check_charts(text, 2)  # small multiples along the parameters, one heat map of the pair


def test_the_marginals_table_holds_the_stored_shares_and_intervals(pages, folders):
    marginals = pd.read_parquet(folders["grid"] / "analysis" / "marginals.parquet")
    shown = table(pages["grid"], "marginals")
    for r in marginals[marginals["outcome"] == "clash_or_war"].to_dict("records"):
        row = shown[
            (shown["parameter"] == r["parameter"]) & (shown["value"] == f"{r['value']:.4g}")
        ]
        expected = (
            f"{r['p']:.1%}\u00a0({100 * r['low']:.1f}\u2060\u2013\u2060{100 * r['high']:.1f})"
        )
        assert list(row["Direct clash or war"]) == [expected]
        assert list(row["n"]) == [f"{r['n']:,}"]


def test_the_heat_map_pools_the_points_of_each_pair(pages, folders):
    points = pd.read_parquet(folders["grid"] / "points.parquet")
    cells = [
        r for s in specs(pages["grid"]) for d in s["datasets"].values() for r in d if "xs" in r
    ]
    assert len(cells) == 25  # a 5 × 5 grid: one cell per pair of values
    k = (points["p_clash_or_war"] * points["replicates"]).round().sum()
    assert sum(c["k"] for c in cells) == k and sum(c["n"] for c in cells) == 25 * 6


def test_the_points_table_has_a_filter_and_the_stored_numbers(pages, folders):
    text = pages["grid"]
    parsed = Tables(text)
    assert parsed.tables["points"]["id"] in parsed.filters
    points = pd.read_parquet(folders["grid"] / "points.parquet").sort_values("point")
    assert sort_values(text, "points", "p_clash_or_war") == pytest.approx(
        list(points["p_clash_or_war"])
    )
    assert sort_values(text, "points", "actors.KH.control") == pytest.approx(
        list(points["actors.KH.control"])
    )


def test_a_long_points_table_is_sampled_and_says_so(folders, monkeypatch):
    monkeypatch.setattr(sweep_report, "MAX_POINT_ROWS", 5)
    text = build_page(folders["grid"]).html()
    shown = [int(v) for v in table(text, "points")["point"]]
    assert shown == [0, 6, 12, 18, 24]
    assert "5 of 25 design points shown" in text


def test_the_stored_analyses_are_shown_as_tables(pages, folders):
    text = pages["grid"]
    summary = pd.read_parquet(folders["grid"] / "robustness" / "summary.parquet")
    assert sorted(sort_values(text, "robustness", "max_regret")) == pytest.approx(
        sorted(summary["max_regret"])
    )
    features = pd.read_parquet(folders["grid"] / "discovery" / "features.parquet")
    assert sorted(sort_values(text, "features", "importance")) == pytest.approx(
        sorted(features["importance"])
    )


def test_sobol_and_morris_pages_show_the_stored_indices(pages, folders):
    sobol = pd.read_parquet(folders["sobol"] / "analysis" / "sobol.parquet")
    text = pages["sobol"]
    assert "Sobol indices" in titles(text) and "Morris screening" not in titles(text)
    check_charts(text, 3)  # along the parameters, one heat map, the indices
    shown = sort_values(text, "sobol", "ST")
    assert [x for x in shown if math.isfinite(x)] == pytest.approx(
        [x for x in sobol["ST"] if math.isfinite(x)]
    )
    morris = pd.read_parquet(folders["morris"] / "analysis" / "morris.parquet")
    text = pages["morris"]
    assert "Morris screening" in titles(text) and "Sobol indices" not in titles(text)
    check_charts(text, 3)
    scale = [100.0 if o.startswith("p_") else 1.0 for o in morris["output"]]
    assert sort_values(text, "morris", "\u03bc*") == pytest.approx(list(morris["mu_star"] * scale))


def test_a_sweep_not_analysed_gets_its_points_and_a_note(folders, tmp_path):
    folder = tmp_path / "grid"
    shutil.copytree(folders["grid"], folder)
    shutil.rmtree(folder / "analysis")
    page = build_page(folder)
    assert any(f"escalation analyze {folder}" in n for n in page.notes)
    assert [s.title for s in page.sections][:2] == ["Summary", "Heat maps"]


# -- comparisons ------------------------------------------------------------------------------
def test_a_comparison_page_has_every_section_and_its_charts(pages):
    text = pages["cmp"]
    assert titles(text) == [
        "Arms",
        "Change in outcomes",
        "Transitions",
        "Day by day",
        "Metrics",
        "Changed replicates",
        "Each arm",
        "Manifest",
    ]
    check_charts(text, 5)  # ΔP, daily clash, the arms' outcome bars, each arm's fan
    assert "actors.KH.control" in table(text, "differences")["parameter"].to_list()


def test_the_comparison_tables_say_what_the_stored_tables_say(pages, folders):
    text = pages["cmp"]
    outcomes = pd.read_parquet(folders["cmp"] / "outcomes.parquet")
    overall = outcomes[outcomes["scope"] == "overall"]
    shown = table(text, "outcomes")
    assert len(shown) == len(overall)
    assert sorted(shown["\u0394P (pp)"]) == sorted(pp(d) for d in overall["delta"])
    paired = {
        f"{pp(lo)} \u2026 {pp(hi)}" for lo, hi in zip(overall["low"], overall["high"], strict=True)
    }
    assert set(shown["paired 95 %"]) == paired
    moves = pd.read_parquet(folders["cmp"] / "transitions.parquet").set_index("a")
    transitions = table(text, "transitions")
    assert transitions.iloc[-1, -1] == f"{int(moves.to_numpy().sum()):,}"
    changed = pd.read_parquet(folders["cmp"] / "changed.parquet")
    assert sorted(int(k) for k in table(text, "changed")["replicate"]) == sorted(
        changed["replicate"]
    )


# -- hindcasts and scores ---------------------------------------------------------------------
def test_a_hindcast_page_shows_the_forecasts_and_their_scores(pages, folders):
    text = pages["hc"]
    assert titles(text) == [
        "What was forecast",
        "Forecasts and the record",
        "Held to the record",
        "Manifest",
    ]
    check_charts(text, 5)  # attacks, probabilities, skill, reliability, PIT
    origins = table(text, "origins")
    assert list(origins["origin"]) == list(ORIGINS)
    ens = pd.read_parquet(folders["hc"] / "ensembles.parquet")
    kept = ens[ens["start"].astype(str) == "spun_up"].groupby("origin")["kept"].sum()
    assert list(origins["replicates kept"]) == [f"{int(k)} of 20" for k in kept]
    skill = pd.read_parquet(folders["hc"] / "scores" / "skill.parquet")
    assert sorted(sort_values(text, "skill", "model")) == pytest.approx(sorted(skill["model"]))


def test_the_forecast_chart_holds_the_record_and_the_ensemble_quantiles(pages, folders):
    (spec,) = [s for s in specs(pages["hc"]) if "Militia attacks" in json.dumps(s.get("title"))]
    (rows,) = spec["datasets"].values()
    windows = pd.read_parquet(folders["hc"] / "scores" / "windows.parquet")
    record = {
        (str(r["origin"])[:10], int(r["lead"])): float(r["obs_militia_attacks"])
        for r in windows.drop_duplicates(["origin", "lead"]).to_dict("records")
    }
    ens = pd.read_parquet(folders["hc"] / "ensembles.parquet")
    spun = ens[(ens["start"].astype(str) == "spun_up") & ens["kept"]]
    for row in rows:
        if row["series"] == "record (bars: its range)":
            assert row["y"] == pytest.approx(record[(row["origin"][:10], row["days"])])
        if row["series"] == "model: 90 % interval":
            values = spun[
                (spun["origin"].astype(str) == row["origin"][:10]) & (spun["lead"] == row["days"])
            ]["militia_attacks"]
            assert row["lo"] == pytest.approx(values.quantile(0.05))
            assert row["hi"] == pytest.approx(values.quantile(0.95))


def test_a_hindcast_not_scored_says_what_would_score_it(folders, tmp_path):
    folder = tmp_path / "hc"
    shutil.copytree(folders["hc"], folder)
    shutil.rmtree(folder / "scores")
    page = build_page(folder)
    assert [s.title for s in page.sections] == [
        "What was forecast",
        "Forecasts and the record",
        "Manifest",
    ]
    assert any("escalation score" in n for n in page.notes)
    check_charts(page.html(), 1)


def test_a_scored_run_gets_held_to_the_record_and_an_unscored_one_nothing(folders):
    page = Page("run")
    add_score_sections(page, folders["run"])
    assert [s.title for s in page.sections] == ["Held to the record"]
    text = page.html()
    check_charts(text, 3)  # skill, reliability, PIT
    windows = pd.read_parquet(folders["run"] / "scores" / "windows.parquet")
    model = windows[windows["forecaster"] == "model"]
    assert sorted(sort_values(text, "windows", "model mean")) == pytest.approx(
        sorted(model["mean_attacks"])
    )
    nothing = Page("arm")
    add_score_sections(nothing, folders["cmp"] / "a")
    assert nothing.sections == []


# -- what goes wrong --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("kind", "relative", "how"),
    [
        ("grid", "points.parquet", "missing"),
        ("grid", "analysis/marginals.parquet", "corrupt"),
        ("grid", "robustness/summary.parquet", "missing"),
        ("sobol", "analysis/sobol.parquet", "corrupt"),
        ("cmp", "outcomes.parquet", "missing"),
        ("cmp", "b/runs.parquet", "corrupt"),
        ("hc", "ensembles.parquet", "corrupt"),
        ("hc", "scores/skill.parquet", "missing"),
    ],
)
def test_a_missing_or_damaged_table_is_named_and_no_report_is_written(
    kind, relative, how, folders, tmp_path, capsys
):
    folder = tmp_path / kind
    target = damaged(folders[kind], folder, relative, how)
    with pytest.raises(ResultsError, match=re.escape(target.name)):
        build_page(folder)
    code, _, err = call(capsys, "report", folder)
    assert code == 2 and target.name in err
    assert not (folder / "report.html").exists()


@pytest.mark.parametrize("kind", ["grid", "cmp", "hc"])
def test_the_command_line_writes_each_kind_s_report(kind, folders, tmp_path, capsys):
    out = tmp_path / f"{kind}.html"
    code, _, _ = call(capsys, "report", folders[kind], "--out", out)
    assert code == 0
    assert 0 < out.stat().st_size < 3_000_000
