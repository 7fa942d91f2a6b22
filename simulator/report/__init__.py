"""``escalation report``: one self-contained HTML file per results folder.

:func:`build_page` reads a results folder of any kind and builds its :class:`~.page.Page`, one
builder per kind (each kind adds its sections); :func:`write_report` renders it and writes
``DIR/report.html`` atomically, under the folder's lock, so a failed or killed report leaves the
folder as it was. Every table is read (and checked) before anything is written.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from simulator.report.page import Page
from simulator.results.layout import REPORT
from simulator.results.manifest import read_manifest
from simulator.results.store import locked, write_atomic


def _builders() -> dict[str, Callable[[Path], Page]]:
    from simulator.report.comparison import comparison_page
    from simulator.report.hindcast import hindcast_page
    from simulator.report.run import run_page
    from simulator.report.sweep import sweep_page

    return {
        "run": run_page,
        "sweep": sweep_page,
        "comparison": comparison_page,
        "hindcast": hindcast_page,
    }


def build_page(folder: Path | str) -> Page:
    """The report page of a results folder, of whichever kind it is."""
    folder = Path(folder)
    kind = read_manifest(folder)["kind"]
    return _builders()[kind](folder)


def write_report(folder: Path | str, out: Path | str | None = None) -> Path:
    """Write the report of ``folder`` (to ``out``, default ``folder/report.html``); its path.

    The page is built in full before the file is touched; the file appears whole or not at all.
    """
    folder = Path(folder)
    target = Path(out) if out is not None else folder / REPORT
    with locked(folder):
        text = build_page(folder).html()
        write_atomic(target, lambda tmp: tmp.write_text(text, encoding="utf-8"), folder=False)
    return target
