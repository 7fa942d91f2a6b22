"""Make the README's screenshots: the HTML report and the live explorer, in headless Chromium.

    python docs/screenshots.py            # → docs/img/report_*.png, docs/img/explore.png

Runs the baseline (2,000 replicates, its own seed) into a temporary folder, writes its report, and
photographs it in Debian's Chromium (the driver the browser tests use, tests/browser.py), with
the network off; then starts ``escalation explore`` on the baseline and photographs it after the
first result is on screen. Nothing here is drawn by hand: rerun it after a change to the pages.
Needs the test extra (selenium) and the explore extra (solara), and chromium + chromium-driver.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "img"
BASELINE = ROOT / "scenarios" / "baseline.yaml"


def _browser_module():
    spec = importlib.util.spec_from_file_location("browser", ROOT / "tests" / "browser.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _wait(driver, script: str, timeout: float = 60.0) -> object:
    end = time.monotonic() + timeout
    value = driver.execute_script(script)
    while not value and time.monotonic() < end:
        time.sleep(0.2)
        value = driver.execute_script(script)
    if not value:
        raise SystemExit(f"timed out waiting for: {script}")
    return value


def report_shots(browser, work: Path) -> list[Path]:
    """The baseline's report: its summary, fan chart and threat matrix."""
    folder = work / "baseline"
    subprocess.run(
        [sys.executable, "-m", "simulator", "run", str(BASELINE), "-n", "2000", "--no-plots",
         "-q", "--out", str(folder)],
        check=True,
    )  # fmt: skip
    subprocess.run([sys.executable, "-m", "simulator", "report", str(folder)], check=True)
    shots = []
    with browser.chromium(width=1280, height=860, offline=True) as driver:
        driver.get((folder / "report.html").as_uri())
        _wait(
            driver,
            "return Array.from(document.querySelectorAll('div[data-chart]'))"
            ".every(e => e.dataset.rendered === 'ok')",
        )
        for name, anchor in (
            ("report_summary", None),
            ("report_fan", "div[data-name='escalation fan']"),
            ("report_threat", "div[data-name='threat matrix']"),
        ):
            if name == "report_threat":  # a day into the crisis, not its first morning
                driver.execute_script(
                    "var s = document.querySelector(arguments[0] + ' input[type=range]');"
                    "s.value = 12; s.dispatchEvent(new Event('input'));",
                    anchor,
                )
            if anchor:
                driver.execute_script(
                    "var e = document.querySelector(arguments[0]).closest('figure');"
                    "window.scrollTo(0, e.getBoundingClientRect().top + window.scrollY - 45);",
                    anchor,
                )
                time.sleep(0.3)
            path = OUT / f"{name}.png"
            driver.save_screenshot(str(path))
            shots.append(path)
    return shots


def explore_shots(browser) -> list[Path]:
    """The explorer on the baseline, once its first result and charts are on screen."""
    from simulator.explore import cli

    cli.prepare_assets()
    path = OUT / "explore.png"
    from simulator.explore.session import default_paths
    from simulator.scenario import load_scenario

    params = default_paths(load_scenario(BASELINE))
    server = cli.start_server(BASELINE.relative_to(ROOT), params, 2000, cwd=ROOT)
    try:
        with browser.chromium(width=1280, height=1100) as driver:
            driver.get(server.url)
            _wait(driver, "return document.querySelector('table.explore-outcomes') !== null")
            _wait(driver, "return document.querySelectorAll('svg').length >= 3")
            time.sleep(1.0)
            driver.save_screenshot(str(path))
    finally:
        server.stop()
    return [path]


def main() -> int:
    """Write every screenshot; print where."""
    browser = _browser_module()
    reason = browser.absent()
    if reason:
        print(f"cannot take screenshots: {reason}", file=sys.stderr)
        return 2
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        shots = report_shots(browser, Path(tmp))
    shots += explore_shots(browser)
    for path in shots:
        print(f"wrote {path.relative_to(ROOT)} ({path.stat().st_size / 1e3:.0f} kB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
