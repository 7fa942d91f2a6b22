"""Shared fixtures and helpers: small scenarios as plain data, models that clean up after
themselves, and the helpers the command-line tests share (run ``escalation`` in-process, read what
it wrote, snapshot a folder).

Scenarios are written here as Python dicts (not read from ``scenarios/``) so that each test states
the crisis it relies on; ``validate_scenario`` turns them into the same frozen ``Scenario`` a YAML
file would give. Test modules import the helpers with ``from conftest import …``.
"""

from __future__ import annotations

import contextlib
import fcntl
import importlib.util
import io
import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml

from simulator.cli import main
from simulator.experiment.simulate import release
from simulator.model import EscalationModel
from simulator.results.layout import lock_path
from simulator.scenario import Scenario, load_scenario, validate_scenario

# The suite runs on the numpy engine, the reference, unless the environment names one: `auto`
# would switch a long test process to the compiled kernels midway, past tests that patch the
# reference. tests/test_engines.py runs the compiled engine by name.
os.environ.setdefault("ESCALATION_ENGINE", "numpy")

BASELINE = Path(__file__).resolve().parents[1] / "scenarios" / "baseline.yaml"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _load_designs():
    """docs/validation/designs.py holds the small worlds the tests and the figures share."""
    path = Path(__file__).resolve().parents[1] / "docs" / "validation" / "designs.py"
    spec = importlib.util.spec_from_file_location("validation_designs", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


designs = _load_designs()
merge, dyad_data, proxy_data = designs.merge, designs.dyad_data, designs.proxy_data


@pytest.fixture
def make_scenario() -> Callable[..., Scenario]:
    """Factory: the Blue/Red dyad with keyword overrides merged in, validated."""

    def make(**overrides: Any) -> Scenario:
        return validate_scenario(dyad_data(**overrides), "<dyad>")

    return make


@pytest.fixture
def make_proxy_scenario() -> Callable[..., Scenario]:
    """Factory: the patron / rival / host / proxy scenario with overrides merged in, validated."""

    def make(**overrides: Any) -> Scenario:
        return validate_scenario(proxy_data(**overrides), "<proxy>")

    return make


@pytest.fixture(scope="session")
def baseline() -> Scenario:
    """The repository's baseline scenario: the realistic five-actor case."""
    return load_scenario(BASELINE)


@pytest.fixture(scope="session")
def nine_actors() -> Scenario:
    """The baseline with four more copies of KH (nine actors) and a ladder whose scores are not
    whole numbers: a sum over the actors whose order shows in the last bits of the index."""
    from simulator.scenario.default_ladder import DEFAULT_LADDER

    data = yaml.safe_load(BASELINE.read_text())
    for j in range(2, 6):
        data["actors"][f"KH{j}"] = dict(data["actors"]["KH"])
    data["ladder"] = [
        dict(rung, score=rung["score"] + 0.1 * (i % 7) + 0.01)
        for i, rung in enumerate(DEFAULT_LADDER)
    ]
    return validate_scenario(data, "nine actors")


@pytest.fixture
def build_model() -> Iterator[Callable[..., EscalationModel]]:
    """Factory for EscalationModel instances, released from Mesa's registry after the test."""
    models: list[EscalationModel] = []

    def build(scenario: Scenario, **kwargs: Any) -> EscalationModel:
        model = EscalationModel(scenario, **kwargs)
        models.append(model)
        return model

    yield build
    for model in models:
        release(model)


class RecordingProgress:
    """A Progress that remembers its phases and how much was advanced, and ignores notes."""

    def __init__(self) -> None:
        self.phases: list[tuple[str, float, str]] = []
        self.advanced = 0.0

    def phase(self, name: str, total: float, unit: str) -> None:
        self.phases.append((name, total, unit))

    def advance(self, amount: float = 1.0) -> None:
        self.advanced += amount

    def note(self, message: str) -> None:
        return None


# -- the command line, in-process --------------------------------------------------------------
def call(capsys, *argv: str | os.PathLike) -> tuple[int, str, str]:
    """Run ``escalation ARGV`` in-process; return (exit status, stdout, stderr)."""
    capsys.readouterr()
    try:
        code = main([str(a) for a in argv])
    except SystemExit as exc:  # argparse: --help, usage errors
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def quiet_main(*argv: str | os.PathLike) -> tuple[int, str]:
    """Run ``escalation ARGV`` in-process without capsys (module fixtures); (status, output)."""
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer), contextlib.redirect_stderr(buffer):
        code = main([str(a) for a in argv])
    return code, buffer.getvalue()


def flat(text: str) -> str:
    """Rich wraps long lines at the console width: compare text with whitespace collapsed."""
    return " ".join(text.split())


# -- what a command wrote ------------------------------------------------------------------------
def write_small(folder: Path, horizon: int = 20, **extra: Any) -> Path:
    """The baseline without its dated events and with a short horizon (fast, still realistic)."""
    data = yaml.safe_load(BASELINE.read_text(encoding="utf-8"))
    data.pop("events")
    data["horizon_days"] = horizon
    data.update(extra)
    path = folder / "small.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def manifest_of(folder: Path) -> dict:
    return json.loads((folder / "manifest.json").read_text(encoding="utf-8"))


def entries(folder: Path) -> list[str]:
    """Every name directly in ``folder``, hidden ones included."""
    return sorted(p.name for p in folder.iterdir())


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Bytes and modification time of every file below ``folder``."""
    return {
        str(p.relative_to(folder)): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def chunk_files(folder: Path) -> dict[str, bytes]:
    """Name → bytes of every stored unit of a sweep (what it counts as done)."""
    chunks = folder / "chunks"
    if not chunks.is_dir():
        return {}
    return {p.name: p.read_bytes() for p in sorted(chunks.glob("unit-*.parquet"))}


def chunk_rows(folder: Path) -> pd.DataFrame:
    """All per-replicate rows of a sweep, sorted by (point, replicate)."""
    frames = [pd.read_parquet(p) for p in sorted((folder / "chunks").glob("unit-*.parquet"))]
    rows = pd.concat(frames, ignore_index=True)
    return rows.sort_values(["point", "replicate"], kind="stable").reset_index(drop=True)


def points_of(folder: Path) -> pd.DataFrame:
    return pd.read_parquet(folder / "points.parquet")


@contextlib.contextmanager
def held_lock(folder: Path):
    """Hold the results folder's OS lock as another process would (a separate open file)."""
    fd = os.open(lock_path(folder), os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        yield
    finally:
        os.close(fd)
        lock_path(folder).unlink(missing_ok=True)


@pytest.fixture
def in_tmp_path(tmp_path, monkeypatch) -> Path:
    """Run from ``tmp_path`` (a default ``results/`` lands there), never on an inherited Dask."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DASK_SCHEDULER_ADDRESS", raising=False)
    return tmp_path
