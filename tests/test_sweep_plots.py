"""`escalation plot` on sweep folders: the expected figures, drawn from the stored files only.

Each sweep is tiny (a few points, a few replicates, in this process) so the module runs in
seconds; the figures' content is checked by eye during development, here only that they exist,
are PNGs and are not blank.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import BASELINE, PNG_MAGIC

from simulator.cli import main
from simulator.plots.sweep import plot_filename, write_sweep_plots
from simulator.results.errors import ResultsError

MIN_BYTES = 20_000  # a titled, labelled 1500-px-wide figure is well above this

SWEEPS = {
    "grid": (
        "--param",
        "perception.Iran.US.offense_bias=0:1:3",
        "--param",
        "actors.KH.control=0.3:1:2",
    ),
    "sobol": (
        "--design",
        "sobol",
        "--points",
        "8",
        "--param",
        "actors.Iran.resolve=0.2:0.9",
        "--param",
        "actors.KH.control=0.3:1",
    ),
    "morris": (
        "--design",
        "morris",
        "--points",
        "4",
        "--param",
        "actors.Iran.resolve=0.2:0.9",
        "--param",
        "actors.KH.control=0.3:1",
    ),
}
PARAMS = {
    "grid": ("perception.Iran.US.offense_bias", "actors.KH.control"),
    "sobol": ("actors.Iran.resolve", "actors.KH.control"),
    "morris": ("actors.Iran.resolve", "actors.KH.control"),
}
EXTRA = {"grid": (), "sobol": ("sobol.png",), "morris": ("morris.png",)}


@pytest.fixture(scope="module")
def sweeps(tmp_path_factory) -> dict[str, Path]:
    """One small finished sweep folder per design kind."""
    root = tmp_path_factory.mktemp("sweeps")
    out = {}
    for kind, args in SWEEPS.items():
        folder = root / kind
        argv = ["sweep", str(BASELINE), *args, "-n", "4", "--workers", "0", "-q"]
        assert main([*argv, "--out", str(folder)]) == 0
        out[kind] = folder
    return out


def expected_pngs(kind: str) -> set[str]:
    return {plot_filename(p) for p in PARAMS[kind]} | {"heatmap.png", *EXTRA[kind]}


@pytest.mark.parametrize("kind", sorted(SWEEPS))
def test_plot_writes_the_sweep_figures(kind, sweeps, capsys):
    folder = sweeps[kind]
    assert main(["plot", str(folder)]) == 0
    printed = capsys.readouterr().out.split()
    pngs = {p.name for p in (folder / "plots").glob("*.png")}
    assert pngs == expected_pngs(kind)
    assert sorted(printed) == sorted(str(folder / "plots" / name) for name in pngs)
    for name in pngs:
        data = (folder / "plots" / name).read_bytes()
        assert data.startswith(PNG_MAGIC), name
        assert len(data) > MIN_BYTES, name
    assert (folder / "analysis" / "marginals.parquet").exists()
    assert (folder / "analysis" / f"{kind}.parquet").exists() or kind == "grid"


def test_plot_replaces_old_figures(sweeps, capsys):
    folder = sweeps["grid"]
    assert main(["plot", str(folder)]) == 0
    (folder / "plots" / "stale.png").write_bytes(b"old")
    assert main(["plot", str(folder)]) == 0
    assert not (folder / "plots" / "stale.png").exists()


def test_write_sweep_plots_returns_the_written_paths(sweeps, tmp_path, capsys):
    folder = sweeps["sobol"]
    assert main(["analyze", str(folder)]) == 0
    written = write_sweep_plots(folder, tmp_path / "figs")
    assert {p.name for p in written} == expected_pngs("sobol")
    assert all(p.parent == tmp_path / "figs" and p.exists() for p in written)


def test_plots_need_the_analysis_files(sweeps, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(sweeps["morris"], copy)
    shutil.rmtree(copy / "analysis", ignore_errors=True)
    with pytest.raises(ResultsError, match="escalation analyze"):
        write_sweep_plots(copy, tmp_path / "figs")


def test_plot_of_an_unfinished_sweep_exits_2(sweeps, tmp_path, capsys):
    copy = tmp_path / "unfinished"
    shutil.copytree(sweeps["grid"], copy)
    (copy / "points.parquet").unlink()
    assert main(["plot", str(copy)]) == 2
    err = capsys.readouterr().err
    assert "points.parquet" in err and "--resume" in err


def test_plot_filenames_are_safe():
    assert plot_filename("actors.KH.control") == "outcome_vs_actors.KH.control.png"
    assert plot_filename("a/b c") == "outcome_vs_a_b_c.png"
