"""Update latency of the live explorer (``escalation explore``) on the baseline, one core.

Measures, at R = 2,000 replicates an update, with the default sliders of scenarios/baseline.yaml:

1. the session's update: from a new setting of the sliders to the result being ready (the
   scenario validated, the replicates simulated, the outcome classes with their Wilson
   intervals, the fan quantiles and P(clash)/P(war) by date), in this process pinned to one CPU;
   then the page's three charts drawn to SVG, which the page shows a moment after the numbers;
2. end to end in a real browser (headless Chromium, tests/browser.py): the Solara server pinned
   to one CPU, the browser on the others; from a key press on a slider's thumb (one step) to
   the outcome table of the new setting on the page, and how much of that the compute was (the
   page's status line). Skipped when Chromium, Selenium, Solara or the page's scripts are
   missing.

Each figure is the median and the maximum of ``--updates`` updates (default 10), every one with
new slider values. It prints the machine facts, one table per figure and one PASS/FAIL line per
target, and exits 0 unless something crashes: it is a measurement, not a test. Timings depend on
the rest of the machine's load; the load average is printed before and after.

    python benchmarks/explore.py [--updates N] [--no-browser] [--json out.json]
"""

from __future__ import annotations

import os

# Before numpy is imported anywhere (here and in the server, which inherits the environment):
# one BLAS/OpenMP thread, so "one core" means one core.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import json  # noqa: E402
import re  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

from throughput import (  # noqa: E402
    machine_facts,
    print_facts,
    print_targets,
    section,
    table,
    write_json,
)

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "scenarios" / "baseline.yaml"
sys.path.insert(0, str(ROOT / "tests"))  # tests/browser.py: the project's headless Chromium

# -- targets ----------------------------------------------------------------------------------
REPLICATES = 2_000
TARGET_UPDATE_S = 1.0  # from the sliders' rest to the numbers being ready / on screen (below)


def settings_sequence(explorer, n: int) -> list[tuple[tuple[str, float], ...]]:
    """``n`` settings, each moving one slider (in turn) to a new point of its range."""
    out = []
    values = dict(explorer.defaults())
    for i in range(n):
        p = explorer.params[i % len(explorer.params)]
        share = ((i * 7) % 11 + 0.5) / 11  # spread over the range, not monotone
        steps = round(share * (p.high - p.low) / p.step)
        values[p.path] = round(p.low + steps * p.step, 10)
        out.append(tuple(values.items()))
    return out


def load_average() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"


def summary(seconds: list[float]) -> tuple[float, float]:
    return statistics.median(seconds), max(seconds)


# -- 1. the session ---------------------------------------------------------------------------
def time_session(explorer, n: int) -> dict:
    from simulator.explore.session import update

    charts = None
    try:
        from simulator.explore.app import draw_charts

        charts = draw_charts
    except ImportError:  # no Solara: the numbers alone
        pass
    from simulator.experiment.simulate import simulate

    view = update(None, explorer, explorer.defaults(), REPLICATES)  # warm up
    if charts is not None and view.result is not None:
        charts(view.result)
    reference = []  # the library alone, at the file's settings: what an update cannot beat
    for _ in range(3):
        t0 = time.perf_counter()
        simulate(explorer.scenario, replicates=REPLICATES, event_log="none")
        reference.append(time.perf_counter() - t0)
    rows = []
    for settings in settings_sequence(explorer, n):
        t0 = time.perf_counter()
        view = update(view, explorer, settings, REPLICATES)
        t1 = time.perf_counter()
        if view.result is None or view.message:
            raise RuntimeError(f"settings {settings} gave no result: {view.message}")
        drawn = None
        if charts is not None:
            charts(view.result)
            drawn = time.perf_counter() - t1
        rows.append(
            {
                "settings": dict(settings),
                "update_s": t1 - t0,
                "simulate_s": view.result.seconds,
                "charts_s": drawn,
            }
        )
    return {"updates": rows, "simulate_alone_s": reference}


# -- 2. the browser ---------------------------------------------------------------------------
READ_SETTINGS = """
const table = document.querySelector("table.explore-outcomes");
return table ? table.dataset.settings : null;
"""


def browser_missing() -> str | None:
    import importlib.util

    from browser import missing

    reason = missing()
    if reason:
        return reason
    for module in ("solara", "altair", "vl_convert"):
        if importlib.util.find_spec(module) is None:
            return f"{module} is not installed"
    from simulator.explore import cli

    cli.prepare_assets(quiet=True)
    cache = cli.assets_cache()
    if cache is None or cli.missing_assets(cache):
        return "Solara's page scripts are not in its cache and npm could not fetch them"
    return None


def time_browser(explorer, n: int, cpu: int) -> dict:
    from browser import chromium
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    from simulator.explore import cli

    everyone = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {cpu})  # the server inherits one CPU …
    try:
        server = cli.start_server(BASELINE, [p.path for p in explorer.params], REPLICATES)
    finally:
        os.sched_setaffinity(0, everyone)  # … the browser, started next, gets the others
    rows = []
    try:
        with chromium(height=1400) as driver:
            driver.get(server.url)
            deadline = time.monotonic() + 120
            while not driver.execute_script(READ_SETTINGS) and time.monotonic() < deadline:
                time.sleep(0.02)
            for i in range(n):
                p = explorer.params[i % len(explorer.params)]
                slug = "".join(c if c.isalnum() else "-" for c in p.path)
                thumb = driver.find_element(By.CSS_SELECTOR, f".explore-param-{slug} [role=slider]")
                # one step, up on a slider's odd visits and back down on its even ones: the
                # settings stay by the file's, where the session's figure measures too
                up = (i // len(explorer.params)) % 2 == 0
                key = Keys.ARROW_RIGHT if up else Keys.ARROW_LEFT
                before = driver.execute_script(READ_SETTINGS)
                time.sleep(1.0)  # let the previous update's charts finish: a fresh start
                t0 = time.perf_counter()
                thumb.send_keys(key)
                while time.perf_counter() - t0 < 60:
                    shown = driver.execute_script(READ_SETTINGS)
                    if shown != before:
                        target = float(thumb.get_attribute("aria-valuenow"))
                        if abs(json.loads(shown)[p.path] - target) < p.step / 2:
                            break
                    time.sleep(0.005)
                else:
                    raise RuntimeError(f"moving {p.path}: the page did not update in 60 s")
                seconds = time.perf_counter() - t0
                status = driver.find_element(By.CSS_SELECTOR, ".explore-status").text
                found = re.search(r"in ([\d.]+) s", status)
                simulated = float(found.group(1)) if found else float("nan")
                rows.append(
                    {
                        "slider": p.path,
                        "up": up,
                        "seconds": seconds,
                        "compute_s": simulated,
                        "status": status,
                    }
                )
    finally:
        server.stop()
    return {"updates": rows}


# -- report -----------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--updates", type=int, default=10, help="updates per figure (10)")
    parser.add_argument("--no-browser", action="store_true", help="skip figure 2 (the browser)")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write figures as JSON")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    report: dict = {"replicates": REPLICATES, "load_before": load_average()}

    section("machine")
    print_facts(report, machine_facts())
    print(f"{'load average':>13}: {report['load_before']} (1, 5, 15 min)")

    from simulator.explore.session import Explorer

    explorer = Explorer.open(BASELINE, replicates=REPLICATES)
    print(f"{'sliders':>13}: {', '.join(p.path for p in explorer.params)}")
    cpus = os.sched_getaffinity(0)
    cpu = min(cpus)

    section(f"1. session update, R = {REPLICATES:,}, one core (CPU {cpu})")
    everyone = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {cpu})
    try:
        session = time_session(explorer, args.updates)
    finally:
        os.sched_setaffinity(0, everyone)
    report["session"] = session
    rows = [
        [
            ", ".join(
                f"{k.split('.')[-2]}.{k.split('.')[-1]}={v:g}"
                for k, v in u["settings"].items()
                if v != dict(explorer.defaults())[k]
            )
            or "(the file's)",
            f"{u['update_s']:.3f}",
            f"{u['simulate_s']:.3f}",
            "—" if u["charts_s"] is None else f"{u['charts_s']:.3f}",
        ]
        for u in session["updates"]
    ]
    print(table(rows, ["settings (changed)", "update s", "of which compute s", "charts s"], "lrrr"))
    upd_med, upd_max = summary([u["update_s"] for u in session["updates"]])
    alone = statistics.median(session["simulate_alone_s"])
    print(
        f"\nreference: simulate(baseline, replicates={REPLICATES:,}) alone at the file's "
        f"settings, median of 3: {alone:.3f} s"
    )
    print(f"update: median {upd_med:.3f} s, max {upd_max:.3f} s")
    drawn = [u["update_s"] + u["charts_s"] for u in session["updates"] if u["charts_s"]]
    if drawn:
        print(f"update + charts: median {statistics.median(drawn):.3f} s, max {max(drawn):.3f} s")

    e2e = None
    section(f"2. end to end in Chromium, R = {REPLICATES:,}, server on one core (CPU {cpu})")
    reason = "--no-browser" if args.no_browser else browser_missing()
    if reason:
        print(f"skipped: {reason}")
    else:
        e2e = time_browser(explorer, args.updates, cpu)
        report["browser"] = e2e
        print(
            table(
                [
                    [
                        u["slider"],
                        "one step up" if u["up"] else "one step down",
                        f"{u['seconds']:.3f}",
                        f"{u['compute_s']:.3f}",
                        f"{u['seconds'] - u['compute_s']:.3f}",
                    ]
                    for u in e2e["updates"]
                ],
                [
                    "slider moved",
                    "key",
                    "key → numbers on screen s",
                    "of which compute s",
                    "the rest s",
                ],
                "llrrr",
            )
        )
        e2e_med, e2e_max = summary([u["seconds"] for u in e2e["updates"]])
        rest = statistics.median(u["seconds"] - u["compute_s"] for u in e2e["updates"])
        print(
            f"\nkey press → numbers on screen: median {e2e_med:.3f} s, max {e2e_max:.3f} s "
            "(includes the page's 0.05 s wait for the slider to rest)"
        )
        print(f"beyond the compute (browser, websocket, the wait, rendering): median {rest:.3f} s")

    section("targets")
    targets = [
        (
            f"session update, R = {REPLICATES:,}, median",
            f"{upd_med:.3f} s",
            f"< {TARGET_UPDATE_S:.1f} s",
            upd_med < TARGET_UPDATE_S,
            upd_med / TARGET_UPDATE_S,
            "x of limit",
        ),
        (
            f"session update, R = {REPLICATES:,}, max",
            f"{upd_max:.3f} s",
            f"< {TARGET_UPDATE_S:.1f} s",
            upd_max < TARGET_UPDATE_S,
            upd_max / TARGET_UPDATE_S,
            "x of limit",
        ),
    ]
    if e2e is not None:
        targets.append(
            (
                "key press → numbers on screen, median",
                f"{e2e_med:.3f} s",
                f"< {TARGET_UPDATE_S:.1f} s",
                e2e_med < TARGET_UPDATE_S,
                e2e_med / TARGET_UPDATE_S,
                "x of limit",
            )
        )
    print_targets(report, targets)
    report["load_after"] = load_average()
    elapsed = time.perf_counter() - started
    print(f"\nload average after: {report['load_after']}; benchmark wall time: {elapsed:.1f} s")
    write_json(args.json, report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
