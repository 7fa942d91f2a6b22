"""Shared fixtures and helpers: small scenarios as plain data, models that clean up after
themselves, and the helpers the command-line tests share (run ``escalation`` in-process, read what
it wrote, snapshot a folder).

Scenarios are written here as Python dicts (not read from ``scenarios/``) so that each test states
the crisis it relies on; ``validate_scenario`` turns them into the same frozen ``Scenario`` a YAML
file would give. Test modules import the helpers with ``from conftest import …``.
"""

from __future__ import annotations

import contextlib
import copy
import fcntl
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

BASELINE = Path(__file__).resolve().parents[1] / "scenarios" / "baseline.yaml"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def merge(base: dict, overrides: dict) -> dict:
    """A deep copy of ``base`` with ``overrides`` merged in (mappings merge, the rest replace)."""
    out = copy.deepcopy(base)
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def dyad_data(**overrides: Any) -> dict:
    """Two states, Blue and Red, each the other's only rival; a calm, perfectly perceiving world.

    Perception is set explicitly to the built-in perfect observer (no offense bias, no noise, full
    detection) so that a test changing one of them says so.
    """
    base = {
        "name": "dyad",
        "start": "2024-01-01",
        "horizon_days": 30,
        "replicates": 100,
        "seed": 11,
        "rationality": 1.0,
        "actors": {
            "Blue": {"type": "state", "rivals": ["Red"]},
            "Red": {"type": "state", "rivals": ["Blue"]},
        },
        "perception": {"default": {"default": {"offense_bias": 0.0, "noise": 0.0}}},
    }
    return merge(base, overrides)


def proxy_data(**overrides: Any) -> dict:
    """Patron and Rival (states), a Host government, and the Patron's Proxy militia on its soil.

    Rival keeps forces in Host, so the proxy can hit them there; Rival attributes the proxy's moves
    to the patron half of the time. The proxy is aggrieved and loosely controlled, and defensive
    moves are read with some offense bias: at the defaults most replicates see lethal proxy
    violence and a few a direct clash, so outcomes vary between replicates.
    """
    base = {
        "name": "proxy_war",
        "start": "2024-01-01",
        "horizon_days": 30,
        "replicates": 100,
        "seed": 5,
        "rationality": 1.0,
        "actors": {
            "Patron": {"type": "state", "rivals": ["Rival"], "initial_threat": {"Rival": 0.3}},
            "Rival": {
                "type": "state",
                "rivals": ["Patron"],
                "present_in": ["Host"],
                "initial_threat": {"Patron": 0.3, "Proxy": 0.3},
            },
            "Host": {"type": "host", "security": 0.2, "initial_threat": {"Proxy": 0.2}},
            "Proxy": {
                "type": "militia",
                "patron": "Patron",
                "host": "Host",
                "control": 0.4,
                "resolve": 0.9,
                "risk_tolerance": 0.7,
                "grievance": 0.8,
                "initial_threat": {"Rival": 0.3},
            },
        },
        "perception": {
            "default": {"default": {"offense_bias": 0.5, "noise": 0.1}},
            "Rival": {"Proxy": {"attribution": 0.5}},
        },
    }
    return merge(base, overrides)


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
