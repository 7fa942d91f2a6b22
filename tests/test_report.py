"""``escalation report`` on a run folder: one self-contained HTML file, true to the stored tables.

The sweep, comparison and hindcast pages are tested in test_report_kinds.py; a real Chromium
opens the pages in test_browser_report.py.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
from conftest import BASELINE, call, quiet_main, snapshot

from simulator.report import build_page, write_report
from simulator.report.run import STORIES_PER_CLASS, parameter_frame, sample_replicates
from simulator.results.errors import ResultsError
from simulator.stats import wilson_interval

SPEC = re.compile(r'<script type="application/json" id="(chart-\d+)-spec">(.*?)</script>', re.S)


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory) -> Path:
    """A small run of the baseline cut to 45 days (its comments kept), one value set by --set."""
    root = tmp_path_factory.mktemp("report")
    text = BASELINE.read_text(encoding="utf-8")
    assert "horizon_days: 90 " in text
    small = root / "small.yaml"
    small.write_text(text.replace("horizon_days: 90 ", "horizon_days: 45 "), encoding="utf-8")
    folder = root / "demo"
    code, out = quiet_main(
        "run", small, "-n", "300", "--seed", "3", "--no-plots", "--out", folder,
        "--set", "actors.KH.control=0.55",
    )  # fmt: skip
    assert code == 0, out
    return folder


@pytest.fixture(scope="module")
def report(run_dir) -> str:
    code, out = quiet_main("report", run_dir)
    assert code == 0, out
    return (run_dir / "report.html").read_text(encoding="utf-8")


def specs(text: str) -> dict[str, dict]:
    return {ident: json.loads(body.replace("<\\/", "</")) for ident, body in SPEC.findall(text)}


def test_the_report_is_one_file_that_fetches_nothing(report):
    # no external script, style sheet, image or frame: everything the page needs is inline (the
    # scripts' own text is left out: vega-embed's bundle holds HTML templates of its own)
    markup = re.sub(r"(<script[^>]*>).*?</script>", r"\1</script>", report, flags=re.S)
    assert not re.search(r"<(script|img|iframe)[^>]*\ssrc=", markup)
    assert "<link" not in markup and "@import" not in markup
    assert "vegaEmbed" in report  # the bundle of vega-embed, Vega and Vega-Lite is inlined
    for ident, spec in specs(report).items():
        text = json.dumps(spec)
        assert '"url"' not in text, f"{ident} loads its data from a URL"


def test_every_chart_carries_its_data(report, run_dir):
    charts = specs(report)
    assert len(charts) == 5
    for ident, spec in charts.items():
        datasets = spec.get("datasets", {})
        assert datasets and all(len(rows) > 0 for rows in datasets.values()), ident
        assert spec["$schema"].startswith("https://vega.github.io/schema/vega-lite/")
    # the fan chart holds the stored daily quantiles, date by date
    daily = pd.read_parquet(run_dir / "daily.parquet")
    fan = next(s for s in charts.values() if "Escalation index" in json.dumps(s.get("title")))
    rows = next(r for r in fan["datasets"].values() if r and "q95" in r[0])
    assert [r["median"] for r in rows] == pytest.approx(daily["escalation_q50"].tolist())
    assert [r["q95"] for r in rows] == pytest.approx(daily["escalation_q95"].tolist())


def test_the_outcome_table_and_bars_hold_the_stored_probabilities(report, run_dir):
    runs = pd.read_parquet(run_dir / "runs.parquet")
    n = len(runs)
    bars = next(
        s for s in specs(report).values() if json.dumps(s.get("title")) == '"Outcome of the crisis"'
    )
    rows = next(iter(bars["datasets"].values()))
    for row in rows:
        k = int((runs["outcome"] == row["class"]).sum())
        assert row["count"] == k
        assert row["p"] == pytest.approx(k / n)
        assert (row["low"], row["high"]) == pytest.approx(wilson_interval(k, n))
        assert re.search(rf"<td[^>]*>{k / n:.1%}</td>", report)


def test_the_cumulative_chart_has_wilson_bands(report, run_dir):
    daily = pd.read_parquet(run_dir / "daily.parquet")
    chart = next(s for s in specs(report).values() if "Cumulative" in json.dumps(s.get("title")))
    rows = [r for r in next(iter(chart["datasets"].values())) if r["event"] == "war"]
    assert [r["p"] for r in rows] == pytest.approx(daily["p_war"].tolist())
    last = rows[-1]
    k = round(last["p"] * 300)
    assert (last["low"], last["high"]) == pytest.approx(wilson_interval(k, 300))


def test_the_threat_matrix_has_a_day_slider(report):
    chart = next(s for s in specs(report).values() if "threat matrix" in json.dumps(s.get("title")))
    params = chart.get("params", [])
    assert any(p.get("bind", {}).get("input") == "range" for p in params)


def test_stories_sample_each_outcome_class_and_say_how_to_reproduce_them(report, run_dir, capsys):
    runs = pd.read_parquet(run_dir / "runs.parquet")
    chosen = sample_replicates(runs, list(runs["outcome"].unique()), STORIES_PER_CLASS)
    assert len(chosen) == sum(min(STORIES_PER_CLASS, c) for c in runs["outcome"].value_counts())
    for k in chosen:
        assert f"escalation trace {run_dir} --replicate {k}</code>" in report
    # the story is the command's output: the same outcome line, the same days
    k = chosen[0]
    code, out, _ = call(capsys, "trace", run_dir, "--replicate", str(k))
    assert code == 0
    story = re.search(rf"Replicate {k}:.*?<pre class=\"story\">(.*?)</pre>", report, re.S).group(1)
    outcome_line = [ln for ln in out.splitlines() if ln.startswith("Outcome:")][0]
    assert outcome_line in story
    assert story.count("(day ") == out.count("(day ")


def test_parameters_show_their_sources_except_what_the_command_line_set(run_dir, report):
    frame = parameter_frame(json.loads((run_dir / "manifest.json").read_text()))
    by_path = frame.set_index("parameter")
    source = "source (the scenario file's note)"
    assert "A3, Q02" in by_path.loc["actors.US.audience_cost", source]
    assert by_path.loc["actors.KH.control", "value"] == 0.55
    assert by_path.loc["actors.KH.control", source] == ""  # set by --set: the note spoke of 0.x
    # a value with no note of its own takes its block's, marked as such
    assert by_path.loc["dynamics.threat_gain", source].startswith("block: all sweep")
    assert "A3, Q02" in report


def test_the_manifest_section_says_how_the_run_was_made(report, run_dir):
    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert f">{manifest['versions']['numpy']}</td>" in report
    assert "--set actors.KH.control=0.55" in report
    assert re.search(r"<td>seed</td><td[^>]*>3</td>", report)


def test_the_report_is_reproducible_byte_for_byte(run_dir, report, tmp_path):
    again = write_report(run_dir, tmp_path / "again.html")
    assert again.read_text(encoding="utf-8") == report


def test_a_10000_replicate_run_reports_in_under_5_mb(tmp_path):
    folder = tmp_path / "big"
    code, out = quiet_main(
        "run", BASELINE, "-n", "10000", "--no-plots", "--event-log", "none", "--out", folder
    )
    assert code == 0, out
    path = write_report(folder)
    size = path.stat().st_size
    assert size < 5_000_000, f"{size:,} bytes"
    assert "lowest-numbered replicates of each outcome class" in path.read_text(encoding="utf-8")


# -- bad input ----------------------------------------------------------------------------------
def test_a_folder_that_is_not_a_results_folder_is_refused(tmp_path, capsys):
    code, _, err = call(capsys, "report", tmp_path)
    assert code == 2
    assert f"{tmp_path}: no manifest.json here" in " ".join(err.split())
    assert not (tmp_path / "report.html").exists()
    code, _, err = call(capsys, "report", tmp_path / "missing")
    assert code == 2 and "does not exist" in err


@pytest.mark.parametrize("damage", ["missing", "corrupt"])
def test_a_missing_or_corrupt_table_is_named_and_nothing_is_written(
    run_dir, tmp_path, capsys, damage
):
    folder = tmp_path / "copy"
    folder.mkdir()
    for p in run_dir.iterdir():
        if p.is_file() and p.name != "report.html":
            (folder / p.name).write_bytes(p.read_bytes())
    (folder / "report.html").write_text("the previous report", encoding="utf-8")
    before = snapshot(folder)
    runs = folder / "runs.parquet"
    if damage == "missing":
        runs.unlink()
    else:
        runs.write_bytes(runs.read_bytes()[:200])
    before.pop("runs.parquet")
    code, _, err = call(capsys, "report", folder)
    assert code == 2
    assert "runs.parquet" in err
    # the previous report and every other file are as they were; no temporary is left
    after = snapshot(folder)
    after.pop("runs.parquet", None)
    assert after == before
    assert sorted(p.name for p in folder.iterdir() if p.name.startswith(".")) == []


def test_build_page_raises_results_error_for_a_folder_of_unknown_kind(tmp_path):
    (tmp_path / "manifest.json").write_text('{"format": "escalation-results/1", "kind": "x"}')
    with pytest.raises(ResultsError, match="unknown kind"):
        build_page(tmp_path)
