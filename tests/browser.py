"""A real headless Chromium for the browser tests and the README's screenshots.

Debian's ``chromium`` and ``chromium-driver`` packages (``/usr/bin/chromium``,
``/usr/bin/chromedriver``; ``.ci/run`` installs them with apt-get) driven by Selenium. Nothing is
downloaded: the driver's path is given, so Selenium Manager never runs. :func:`missing` says why a
browser cannot start here, for a test's skip reason; :func:`chromium` starts one.

Chromium is started with the flags that keep it off the network by itself (no background
networking, component updates, sync or QUIC), as root needs ``--no-sandbox``, and with a fresh
profile. ``offline=True`` also cuts the page's own network through the DevTools protocol, so a
report that tried to fetch a script would fail to render.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import shutil
import tempfile
from collections.abc import Iterator
from typing import Any

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")
DRIVER_NAMES = ("chromedriver",)


def _which(names: tuple[str, ...], env: str) -> str | None:
    if os.environ.get(env):
        return os.environ[env]
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    return None


#: set (by .ci/run) where a browser must be present: the browser tests then fail, not skip
REQUIRED = "ESCALATION_REQUIRE_BROWSER"


def missing() -> str | None:
    """Why a browser test cannot run here (None when Chromium, its driver and Selenium are).

    Where :data:`REQUIRED` is set, None always: the test runs, and fails for what is missing.
    """
    return None if os.environ.get(REQUIRED) else absent()


def skip(reason: str) -> None:
    """Skip the test for ``reason``; fail it instead where :data:`REQUIRED` is set (CI)."""
    import pytest

    if os.environ.get(REQUIRED):
        pytest.fail(f"{reason} ({REQUIRED} is set: a browser test may not skip here)")
    pytest.skip(reason)


def absent() -> str | None:
    """What is missing for a browser here (None when Chromium, its driver and Selenium are)."""
    if importlib.util.find_spec("selenium") is None:
        return "selenium is not installed (pip install -e '.[test]')"
    if _which(CHROMIUM_NAMES, "CHROMIUM") is None:
        return "Chromium is not installed (apt-get install -y chromium chromium-driver)"
    if _which(DRIVER_NAMES, "CHROMEDRIVER") is None:
        return "ChromeDriver is not installed (apt-get install -y chromium-driver)"
    return None


@contextlib.contextmanager
def chromium(width: int = 1280, height: int = 900, offline: bool = False) -> Iterator[Any]:
    """A headless Chromium under Selenium, closed on exit; its console log is kept."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    reason = absent()
    if reason:
        raise RuntimeError(reason)
    profile = tempfile.mkdtemp(prefix="chromium-profile-")
    options = webdriver.ChromeOptions()
    options.binary_location = str(_which(CHROMIUM_NAMES, "CHROMIUM"))
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-extensions",
        f"--window-size={width},{height}",
        f"--user-data-dir={profile}",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(
        options=options, service=Service(executable_path=_which(DRIVER_NAMES, "CHROMEDRIVER"))
    )
    try:
        if offline:
            driver.execute_cdp_cmd("Network.enable", {})
            driver.execute_cdp_cmd(
                "Network.emulateNetworkConditions",
                {"offline": True, "latency": 0, "downloadThroughput": 0, "uploadThroughput": 0},
            )
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def console_errors(driver: Any) -> list[str]:
    """The page's console messages at level SEVERE (errors), as text."""
    return [e["message"] for e in driver.get_log("browser") if e.get("level") == "SEVERE"]
