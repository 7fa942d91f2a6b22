"""The explorer in a real browser: a slider moved with the keyboard updates the numbers on the page.

A Solara server (``solara run simulator.explore.app``, started as ``escalation explore`` starts
it) serves a small scenario (the baseline without its events, 20 days) at 200 replicates an
update; headless Chromium (tests/browser.py) loads the page, moves a slider with its keyboard
keys, and the outcome table must come to show exactly what the library computes for the new
setting. Then a replicate is traced, the result saved as a run folder through the page, and a
setting that makes the scenario invalid shows the validation message over the last result.

Skipped without Chromium, its driver, Selenium or Solara, and when Solara's page scripts are
neither in its cache nor to be had from npm (the page would stay blank offline).
"""

from __future__ import annotations

import importlib.util
import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from browser import chromium, console_errors, missing, skip
from conftest import write_small

from simulator.explore.session import Explorer, Result, trace_lines, update
from simulator.results.reader import load_run

R = 200
PARAMS = ["actors.KH.control", "dynamics.deterrence", "horizon_days"]
#: one dated event, so that a short enough horizon makes the scenario invalid
WARNING = {"date": "2020-12-30", "kind": "threat", "observer": "US", "actor": "Iran"}
WARNING |= {"amount": 0.1, "label": "a warning"}
WAIT_S = 90.0  # generous: a busy machine slows the server, and no test fails for that

#: the outcome table as the page shows it, with the settings it is of, read in one go
READ_TABLE = """
const table = document.querySelector("table.explore-outcomes");
if (!table) { return null; }
return {
  settings: table.dataset.settings,
  replicates: table.dataset.replicates,
  rows: [...table.querySelectorAll("tbody tr")].map(tr => [
    tr.dataset.outcome,
    tr.querySelector(".count").textContent,
    tr.querySelector(".probability").textContent,
    tr.querySelector(".interval").textContent,
  ]),
};
"""


def _skip_reason() -> str | None:
    reason = missing()
    if reason:
        return reason
    for module in ("solara", "altair", "vl_convert"):
        if importlib.util.find_spec(module) is None:
            return f"{module} is not installed (pip install -e '.[explore]')"
    return None


@pytest.fixture(scope="module")
def served(tmp_path_factory) -> Iterator[tuple[Any, Path, Path]]:
    """A running explorer on the small scenario: (server, scenario file, its working folder)."""
    reason = _skip_reason()
    if reason:
        skip(reason)
    from simulator.explore import cli

    cli.prepare_assets(quiet=True)
    cache = cli.assets_cache()
    if cache is None or cli.missing_assets(cache):
        skip("Solara's page scripts are not in its cache, and npm could not fetch them")
    folder = tmp_path_factory.mktemp("explore")
    path = write_small(folder, events=[WARNING])
    server = cli.start_server(path, PARAMS, R, cwd=folder)
    try:
        yield server, path, folder
    finally:
        server.stop()
    assert server.process.poll() is not None


def wait_for(what: str, probe: Callable[[], Any]) -> Any:
    """``probe()`` once it is truthy, polling; fails the test after :data:`WAIT_S`."""
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        value = probe()
        if value:
            return value
        time.sleep(0.05)
    pytest.fail(f"timed out after {WAIT_S:.0f} s waiting for {what}")


def text_of(driver: Any, selector: str) -> str:
    """The text of the first element ``selector`` finds ("" if none), read in the page."""
    return str(
        driver.execute_script(
            "const e = document.querySelector(arguments[0]); return e ? e.textContent : '';",
            selector,
        )
    )


def click(driver: Any, element: Any) -> None:
    """Click ``element`` once scrolled to the middle of the window (clear of Solara's footer)."""
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", element)
    element.click()


def expected_rows(result: Result) -> list[list[str]]:
    """The table rows the page must show for ``result`` (as the app formats them)."""
    return [
        [o.name, f"{o.count:,}", f"{o.probability:.1%}", f"{o.low:.1%} – {o.high:.1%}"]
        for o in result.outcomes
    ]


def test_slider_moved_in_the_browser_updates_the_numbers(served):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    server, path, folder = served
    explorer = Explorer.open(path, PARAMS, R)
    with chromium(height=1600) as driver:
        driver.get(server.url)
        first = wait_for("the first result", lambda: driver.execute_script(READ_TABLE))
        assert json.loads(first["settings"]) == dict(explorer.defaults())
        assert first["replicates"] == str(R)
        before = update(None, explorer, explorer.defaults(), R).result
        assert before is not None
        assert first["rows"] == expected_rows(before)

        # the keyboard moves the slider's thumb as a user's would: Home sends it to 0
        thumb = driver.find_element(
            By.CSS_SELECTOR, ".explore-param-actors-KH-control [role=slider]"
        )
        thumb.send_keys(Keys.HOME)
        wait_for("the slider to move", lambda: thumb.get_attribute("aria-valuenow") == "0")
        thumb.send_keys(Keys.ARROW_RIGHT, Keys.ARROW_RIGHT)  # and two steps of 0.01 up
        wait_for("the slider to step", lambda: thumb.get_attribute("aria-valuenow") == "0.02")

        def moved() -> dict[str, Any] | None:
            shown = driver.execute_script(READ_TABLE)
            if shown and json.loads(shown["settings"])["actors.KH.control"] == 0.02:
                return shown
            return None

        after = wait_for("the numbers of the new setting", moved)
        settings = tuple(json.loads(after["settings"]).items())
        assert dict(settings) == {**dict(explorer.defaults()), "actors.KH.control": 0.02}
        result = update(None, explorer, settings, R).result
        assert result is not None
        assert after["rows"] == expected_rows(result)
        assert after["rows"] != first["rows"]  # a loose militia: the outcomes changed
        assert "control = 0.02" in text_of(driver, ".explore-param-actors-KH-control")

        # trace replicate 0 of the result on screen
        click(driver, driver.find_element(By.XPATH, "//button[contains(., 'Trace')]"))
        trace = wait_for("the trace", lambda: text_of(driver, "pre.explore-trace"))
        assert trace.splitlines() == "\n".join(trace_lines(result, 0)).splitlines()

        # save the result as a run folder, named in the page's text field
        field = driver.find_element(
            By.XPATH, "//label[contains(., 'Results folder')]/following::input[1]"
        )
        field.send_keys(Keys.CONTROL, "a")
        field.send_keys("saved-run", Keys.ENTER)
        click(driver, driver.find_element(By.XPATH, "//button[contains(., 'results folder')]"))
        wait_for("the save", lambda: (folder / "saved-run" / "manifest.json").exists())
        saved = load_run(folder / "saved-run")
        assert [o for o in saved.runs["outcome"]] == list(result.tables.runs["outcome"])
        wait_for("the saved message", lambda: "Saved saved-run/" in driver.page_source)

        # a horizon that leaves the event outside: the message, and the last result kept
        days = driver.find_element(By.CSS_SELECTOR, ".explore-param-horizon-days [role=slider]")
        days.send_keys(Keys.HOME)

        message = wait_for(
            "the validation message",
            lambda: (
                "events.0.date" in text_of(driver, ".explore-invalid")
                and text_of(driver, ".explore-invalid")
            ),
        )
        assert f"{path}:" in message and "events.0.date: 2020-12-30 is outside" in message
        assert "The result below is of the last valid settings." in message
        assert driver.execute_script(READ_TABLE) == after

        assert console_errors(driver) == []
