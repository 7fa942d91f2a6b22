"""A generated report in a real headless Chromium, JavaScript on and the network off.

Every chart must render (vega-embed resolves, the SVG holds marks), the console must stay free of
errors, the page must load no resource at all, and its controls (the threat matrix's day slider,
a table's filter box) must work. A screenshot is saved. Skips, with the reason, where Debian's
Chromium or its driver is missing; ``.ci/run`` installs both.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from browser import chromium, console_errors, missing
from conftest import BASELINE, PNG_MAGIC, quiet_main

pytestmark = pytest.mark.skipif(missing() is not None, reason=str(missing()))

RENDERED = "return Array.from(document.querySelectorAll('div[data-chart]'))" + (
    ".map(d => [d.id, d.dataset.rendered || null, d.querySelectorAll('.role-mark > *').length])"
)


def wait_for(driver, script: str, timeout: float = 20.0):
    """Poll a script until it returns something truthy (or time runs out); its last value."""
    end = time.monotonic() + timeout
    value = driver.execute_script(script)
    while not value and time.monotonic() < end:
        time.sleep(0.1)
        value = driver.execute_script(script)
    return value


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("browser") / "demo"
    code, out = quiet_main("run", BASELINE, "-n", "400", "--no-plots", "--out", folder)
    assert code == 0, out
    code, out = quiet_main("report", folder)
    assert code == 0, out
    return folder / "report.html"


def test_the_report_renders_every_chart_offline(report, tmp_path):
    with chromium(offline=True) as driver:
        driver.get(report.as_uri())
        done = wait_for(
            driver,
            "var d = document.querySelectorAll('div[data-chart]');"
            "return d.length && Array.from(d).every(e => e.dataset.rendered);",
        )
        assert done, "the charts did not finish rendering"
        charts = driver.execute_script(RENDERED)
        assert len(charts) == 5
        for ident, state, marks in charts:
            assert state == "ok", f"{ident}: {state}"
            assert marks > 0, f"{ident} drew no marks"
        assert console_errors(driver) == []
        assert driver.execute_script("return window.reportErrors") == []
        # nothing was fetched: no script, style sheet, image or data file, from anywhere
        resources = driver.execute_script(
            "return performance.getEntriesByType('resource').map(e => e.name)"
        )
        assert resources == []
        shot = tmp_path / "report.png"
        driver.save_screenshot(str(shot))
        assert shot.read_bytes()[:8] == PNG_MAGIC and shot.stat().st_size > 20_000


def test_the_day_slider_and_the_filter_box_work(report):
    with chromium(offline=True) as driver:
        driver.get(report.as_uri())
        assert wait_for(
            driver,
            "return Array.from(document.querySelectorAll('div[data-chart]'))"
            ".every(e => e.dataset.rendered === 'ok')",
        )
        cells = (
            "var d = Array.from(document.querySelectorAll('div[data-chart]'))"
            ".find(e => e.dataset.name === 'threat matrix');"
            "return Array.from(d.querySelectorAll('g.mark-text.role-mark text'))"
            ".map(t => t.textContent).filter(t => !t.startsWith('Day '));"
        )
        first = driver.execute_script(cells)
        assert first and len(first) == 20  # 5 actors: 20 observer-actor cells
        slider = driver.find_element(
            "css selector", "div[data-name='threat matrix'] input[type=range]"
        )
        driver.execute_script(
            "arguments[0].value = 60; arguments[0].dispatchEvent(new Event('input'));", slider
        )
        later = wait_for(
            driver,
            cells.replace("return ", "var t = ") + "; return t.join() !== "
            f"{','.join(first)!r} ? t : null;",
        )
        assert later and later != first, "moving the slider changed nothing"
        # the day's calendar date is written above the matrix: 20 Dec 2020 + 60 days
        label = driver.execute_script(
            "return Array.from(document.querySelectorAll("
            "\"div[data-name='threat matrix'] g.mark-text.role-mark text\"))"
            ".map(t => t.textContent).filter(t => t.startsWith('Day '));"
        )
        assert label == ["Day 60: 18 Feb 2021"]
        box = driver.find_element("css selector", "input.filter")
        table = box.get_attribute("data-for")
        visible = (
            f"return Array.from(document.getElementById('{table}').tBodies[0].rows)"
            ".filter(r => r.style.display !== 'none').map(r => r.cells[0].textContent);"
        )
        everything = driver.execute_script(visible)
        box.send_keys("actors.KH.")
        kept = driver.execute_script(visible)
        assert 0 < len(kept) < len(everything)
        assert all(path.startswith("actors.KH.") for path in kept)
        assert console_errors(driver) == []
