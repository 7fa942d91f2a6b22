"""`escalation plot` on sweep folders: the expected figures, drawn from the stored files only.

Each sweep is tiny (a few points, a few replicates, in this process) so the module runs in
seconds. The files are checked to exist and hold a non-blank image; what each figure shows (titles,
axis labels, one series per outcome, one cell per grid point, one bar per parameter) is checked
on the Figure objects the plot functions return.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import matplotlib.image as mpimg
import pytest
from conftest import BASELINE

from simulator.cli import main
from simulator.experiment.analysis import analyze_sweep
from simulator.plots.sweep import (
    plot_filename,
    plot_heatmap,
    plot_morris,
    plot_outcome_vs,
    plot_sobol,
    sobol_panels,
    write_sweep_plots,
)
from simulator.results.errors import ResultsError
from simulator.results.reader import SweepResults, load_sweep

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
        image = mpimg.imread(folder / "plots" / name)
        assert image.shape[1] >= 1000 and image[..., :3].std() > 0.05, name
    assert (folder / "analysis" / "marginals.parquet").exists()
    assert (folder / "analysis" / f"{kind}.parquet").exists() or kind == "grid"


@pytest.fixture(scope="module")
def analysed(sweeps) -> dict[str, SweepResults]:
    """The figures' input for each sweep, after `escalation analyze` (as `escalation plot` does)."""
    for folder in sweeps.values():
        analyze_sweep(folder)
    return {kind: load_sweep(folder, analysis=True) for kind, folder in sweeps.items()}


def legend_texts(ax) -> list[str]:
    return [t.get_text() for t in ax.get_legend().get_texts()]


@pytest.mark.parametrize("kind", sorted(SWEEPS))
def test_outcome_vs_parameter_figures_show_each_outcome(kind, analysed):
    data = analysed[kind]
    for parameter in PARAMS[kind]:
        fig = plot_outcome_vs(data, parameter)
        ax = fig.axes[0]
        assert fig.get_suptitle() == f"How the crisis ends along {parameter}"
        assert ax.get_xlabel().startswith(parameter)
        assert ax.get_ylabel() == "Share of replicates ending so (%)"
        assert ax.get_ylim() == (-0.01, 1.01)
        # One line per outcome class, plus the dashed "direct clash or war" line.
        labels = [data.manifest["outcome_labels"][c] for c in data.classes]
        assert legend_texts(ax) == [*labels, "Direct clash or war", "95% Wilson interval"]
        assert len(ax.lines) == len(labels) + 1


def test_grid_heatmap_has_one_cell_per_pair(analysed):
    data = analysed["grid"]
    fig = plot_heatmap(data)
    ax, bar = fig.axes
    assert fig.get_suptitle() == "Probability of a direct clash or war"
    assert (ax.get_xlabel(), ax.get_ylabel()) == PARAMS["grid"]
    assert bar.get_ylabel() == "P(direct clash or war), % of replicates"
    (mesh,) = ax.collections
    assert mesh.get_array().size == 3 * 2  # offense bias 0, 0.5, 1 x KH control 0.3, 1
    assert [t.get_text() for t in ax.get_xticklabels()] == ["0", "0.5", "1"]
    assert all(t.get_text().endswith("%") for t in ax.texts)
    assert len(ax.texts) == 6


def test_sobol_figure_has_s1_and_st_bars_per_parameter(analysed):
    data = analysed["sobol"]
    fig = plot_sobol(data)
    panels = [ax for ax in fig.axes if ax.patches]
    assert len(panels) == len(sobol_panels(data.sobol))
    for ax in panels:
        assert len(ax.patches) == 2 * len(PARAMS["sobol"])  # S1 and ST for each parameter
        assert ax.get_xlabel() == "Sobol index (share of the output's variance)"
    assert {t.get_text() for t in panels[0].get_yticklabels()} == set(PARAMS["sobol"])
    assert legend_texts(panels[-1])[0].startswith("S1: first order")


def test_morris_figure_ranks_and_places_each_parameter(analysed):
    data = analysed["morris"]
    left, right = plot_morris(data).axes
    assert len(left.patches) == len(PARAMS["morris"])
    assert {t.get_text() for t in left.get_yticklabels()} == set(PARAMS["morris"])
    assert left.get_xlabel().startswith("μ*")
    assert right.get_ylabel().startswith("σ")
    (points,) = right.collections
    assert len(points.get_offsets()) == len(PARAMS["morris"])
    assert {t.get_text() for t in right.texts} == set(PARAMS["morris"])


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
