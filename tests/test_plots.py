"""Tests for simulator.plots, on a synthetic results folder built per the results contract."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import matplotlib.dates as mdates
import matplotlib.image as mpimg
import numpy as np
import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.legend import Legend

from simulator.plots.actions import FORCED_GID, FORCED_LABEL, plot_action_mix
from simulator.plots.escalation import CLIP_NOTE_GID, DEFINITION_GID, plot_escalation_fan
from simulator.plots.outcomes import END_LABEL_GID, plot_clash_probability, plot_outcomes
from simulator.plots.run import PLOTS, write_all
from simulator.plots.style import DPI, EVENT_MARKER_GID, FIGSIZE, ladder_colors
from simulator.plots.threat import plot_threat_matrix
from simulator.results.errors import ResultsError
from simulator.results.reader import Rung, load_run
from simulator.results.summary import summarize
from simulator.stats import wilson_interval

ACTORS = [
    {"name": "US", "label": "United States", "type": "state"},
    {"name": "Iran", "label": "Iran", "type": "state"},
    {"name": "Iraq", "label": "Iraq", "type": "host"},
    {"name": "KH", "label": "Kata'ib Hezbollah", "type": "militia"},
]
LADDER = [
    ("concession", "Concession", "de-escalation", -2, False),
    ("outreach", "Diplomatic outreach", "de-escalation", -1, False),
    ("status_quo", "Status quo", "status quo", 0, False),
    ("rhetoric", "Hostile rhetoric", "posturing", 1, False),
    ("deployment", "Force deployment", "posturing", 2, False),
    ("sanctions", "Sanctions", "non-violent", 3, False),
    ("cyber", "Cyber operation", "non-violent", 4, False),
    ("rocket", "Rocket/drone harassment", "violent", 5, True),
    ("proxy_attack", "Lethal proxy attack", "violent", 6, True),
    ("strike", "Limited strike", "violent", 7, True),
    ("war", "War", "war", 10, True),
]
MENUS = {
    "US": [
        "concession",
        "outreach",
        "status_quo",
        "rhetoric",
        "deployment",
        "sanctions",
        "cyber",
        "strike",
        "war",
    ],
    "Iran": [
        "outreach",
        "status_quo",
        "rhetoric",
        "deployment",
        "cyber",
        "proxy_attack",
        "strike",
        "war",
    ],
    "Iraq": ["outreach", "status_quo", "rhetoric"],
    "KH": ["status_quo", "rhetoric", "rocket", "proxy_attack"],
}
OUTCOMES = ["war", "direct_clash", "proxy_violence", "contained", "de_escalated"]


FORCED = {
    "date": "2021-01-04",
    "label": "Forced deployment",
    "kind": "action",
    "actor": "Iran",
    "rung": "deployment",
    "target": "US",
}
EVENTS = [
    (dt.date(2021, 1, 3), "Anniversary of the 3 Jan 2020 strike"),
    (dt.date(2021, 1, 4), "Parliament vote on withdrawal of foreign troops from Iraq"),
    (dt.date(2021, 1, 6), "Certification of the US election"),
    (dt.date(2021, 1, 20), "US presidential inauguration"),
]


def make_results(
    root: Path,
    *,
    days: int = 30,
    replicates: int = 400,
    seed: int = 7,
    start: dt.date = dt.date(2020, 12, 20),
    events: list[tuple[dt.date, str]] | None = None,
    tail: float = 2.5,
) -> Path:
    """Fabricate a results folder (manifest.json, runs.parquet, daily.parquet) under ``root``.

    ``tail`` scales the 95th percentile of the escalation index above the median: large values
    give the heavy upper tail of real runs.
    """
    rng = np.random.default_rng(seed)
    root.mkdir(parents=True, exist_ok=True)
    names = [a["name"] for a in ACTORS]
    events = EVENTS if events is None else events
    manifest = {
        "format": "escalation-results/1",
        "kind": "run",
        "scenario_name": "baseline",
        "scenario_file": "scenarios/baseline.yaml",
        "seed": seed,
        "replicates": replicates,
        "start": start.isoformat(),
        "horizon_days": days,
        "actors": ACTORS,
        "ladder": [
            {"index": i, "name": n, "label": lab, "category": cat, "score": s, "violent": v}
            for i, (n, lab, cat, s, v) in enumerate(LADDER)
        ],
        "events": [
            {"date": d.isoformat(), "day": (d - start).days, "label": lab} for d, lab in events
        ],
        "outcome_classes": OUTCOMES,
        "outcome_labels": {
            "war": "State-on-state war",
            "direct_clash": "Direct clash short of war",
            "proxy_violence": "Lethal proxy violence",
            "contained": "Contained",
            "de_escalated": "De-escalated",
        },
        "command": "escalation run scenarios/baseline.yaml",
        "versions": {"simulator": "0.0.0"},
        "scenario": {
            "name": "baseline",
            "events": [
                FORCED,
                {"date": "2021-01-03", "kind": "grievance", "actor": "KH", "amount": 0.2},
            ],
        },
    }
    (root / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")

    # runs.parquet: one row per replicate.
    outcome = rng.choice(OUTCOMES, size=replicates, p=[0.03, 0.09, 0.38, 0.4, 0.1])
    peak = rng.integers(0, len(LADDER), size=replicates)
    clash_day = pd.array(
        [int(rng.integers(0, days)) if o in ("war", "direct_clash") else None for o in outcome],
        dtype="Int32",
    )
    runs = pd.DataFrame(
        {
            "replicate": np.arange(replicates, dtype="int64"),
            "outcome": pd.array(outcome, dtype="string"),
            "peak_rung": peak.astype("int64"),
            "peak_rung_name": pd.array([LADDER[i][0] for i in peak], dtype="string"),
            "peak_escalation": rng.gamma(2.0, 6.0, size=replicates),
            "first_direct_clash_day": clash_day,
        }
    )
    for a in names:
        runs[f"casualties.{a}"] = rng.poisson(2, size=replicates).astype("int64")
        runs[f"attacks.{a}"] = rng.poisson(1, size=replicates).astype("int64")
    runs.to_parquet(root / "runs.parquet", index=False)

    # daily.parquet: one row per day, with a bump in escalation around the events.
    day = np.arange(days)
    bump = 8 * np.exp(-0.5 * ((day - 15) / 3.0) ** 2)
    base = 2 + bump + 0.1 * day
    spread = 1.5 + 0.4 * bump
    daily = pd.DataFrame(
        {
            "day": day.astype("int64"),
            "date": [start + dt.timedelta(days=int(i)) for i in day],
            "escalation_q05": base - 2.0 * spread - 1.0,
            "escalation_q25": base - 0.7 * spread,
            "escalation_q50": base,
            "escalation_q75": base + 0.8 * spread,
            "escalation_q95": base + tail * spread,
            "escalation_mean": base + 0.4 * spread,
            "p_direct_clash": np.minimum(1.0, np.cumsum(rng.uniform(0, 0.008, days))),
            "p_war": np.minimum(1.0, np.cumsum(rng.uniform(0, 0.002, days))),
        }
    )
    ladder_names = [r[0] for r in LADDER]
    for a in names:
        menu = MENUS[a]
        # Weight escalatory rungs more heavily on bump days so the mix visibly shifts.
        esc = np.array([ladder_names.index(r) for r in menu], dtype=float)
        logits = -0.35 * esc[None, :] * (1.5 - bump[:, None] / 8) + rng.normal(
            0, 0.2, (days, len(menu))
        )
        logits[:, menu.index("status_quo")] += 2.0
        w = np.exp(logits)
        w /= w.sum(axis=1, keepdims=True)
        for j, r in enumerate(menu):
            daily[f"mix.{a}.{r}"] = w[:, j]
    for obs in names:
        for act in names:
            if obs != act:
                level = rng.uniform(0.2, 4.0)
                daily[f"threat.{obs}.{act}"] = level * (1 + bump / 8) + 0.02 * day
    daily.to_parquet(root / "daily.parquet", index=False)
    return root


@pytest.fixture
def results_dir(tmp_path: Path) -> Path:
    return make_results(tmp_path / "run")


def test_write_all_writes_every_figure_at_its_size(results_dir: Path) -> None:
    paths = write_all(results_dir)
    assert [p.name for p in paths] == [name for name, _ in PLOTS]
    assert {p.name for p in paths} == {
        "escalation_fan.png",
        "action_mix.png",
        "outcomes.png",
        "clash_probability.png",
        "threat_matrix.png",
    }
    for path in paths:
        assert path.parent == results_dir / "plots"
        image = mpimg.imread(path)
        # The house size and resolution (taller figures for more panels), not a blank canvas.
        height, width = image.shape[:2]
        assert width == round(FIGSIZE[0] * DPI) and height >= round(FIGSIZE[1] * DPI), path
        assert image[..., :3].std() > 0.05, path


def test_load_run_helpers(results_dir: Path) -> None:
    res = load_run(results_dir)
    assert [a.name for a in res.actors()] == ["US", "Iran", "Iraq", "KH"]
    assert [r.index for r in res.rungs()] == list(range(len(LADDER)))
    assert [e.day for e in res.event_marks()] == [14, 15, 17, 31]
    assert res.dates()[0] == np.datetime64("2020-12-20")
    mix = res.mix("KH")
    assert list(mix) == MENUS["KH"]
    np.testing.assert_allclose(sum(mix.values()), 1.0)
    mat = res.threat_matrix(-1)
    assert mat.shape == (4, 4)
    assert np.isnan(np.diag(mat)).all()
    assert "baseline" in res.caption() and "400 replicates" in res.caption()
    assert "seed 7" in res.caption()


@pytest.mark.parametrize("n_actors", [1, 3])
def test_odd_actor_count_and_no_events(tmp_path: Path, n_actors: int) -> None:
    # Edge cases: odd panel grids and figures without any events must still render.
    root = make_results(tmp_path / "run", days=5, replicates=20, events=[])
    manifest = json.loads((root / "manifest.json").read_text())
    manifest["actors"] = manifest["actors"][:n_actors]
    (root / "manifest.json").write_text(json.dumps(manifest))
    res = load_run(root)
    fan = plot_escalation_fan(res)
    assert "Scenario events" not in legend_texts(fan.axes[0].get_legend())
    assert not [t for t in fan.axes[0].texts if t.get_gid() == EVENT_MARKER_GID]
    mix = plot_action_mix(res)
    panels = [ax for ax in mix.axes if ax.collections]
    assert len(panels) == n_actors
    # No empty grid cell: any cell without a panel holds the legend.
    for ax in mix.axes:
        assert ax.collections or ax.get_legend() is not None
    out = write_all(root, out_dir=tmp_path / "figs")
    assert [p.name for p in out] == [name for name, _ in PLOTS]


@pytest.mark.parametrize(
    ("k", "n", "expected"),
    [
        (0, 10, (0.0, 0.2775)),
        (5, 10, (0.2366, 0.7634)),
        (10, 10, (0.7225, 1.0)),
    ],
)
def test_wilson_interval_known_values(k: int, n: int, expected: tuple[float, float]) -> None:
    lo, hi = wilson_interval(k, n)
    assert lo == pytest.approx(expected[0], abs=1e-3)
    assert hi == pytest.approx(expected[1], abs=1e-3)


def test_wilson_interval_edges() -> None:
    assert wilson_interval(0, 0) == (0.0, 1.0)
    lo, hi = wilson_interval(3, 100, z=2.576)
    assert 0.0 <= lo < 0.03 < hi <= 1.0
    with pytest.raises(ValueError):
        wilson_interval(11, 10)


def test_missing_daily_raises_results_error(results_dir: Path) -> None:
    (results_dir / "daily.parquet").unlink()
    with pytest.raises(ResultsError) as info:
        write_all(results_dir)
    assert str(results_dir / "daily.parquet") in str(info.value)
    assert isinstance(info.value, ValueError)


def test_missing_manifest_and_bad_columns(results_dir: Path) -> None:
    daily = pd.read_parquet(results_dir / "daily.parquet").drop(columns=["p_war"])
    daily.to_parquet(results_dir / "daily.parquet", index=False)
    with pytest.raises(ResultsError, match="p_war"):
        load_run(results_dir)
    (results_dir / "manifest.json").unlink()
    with pytest.raises(ResultsError, match=r"manifest\.json"):
        load_run(results_dir)
    with pytest.raises(ResultsError, match="does not exist"):
        load_run(results_dir / "nope")


def test_unknown_outcome_is_rejected(results_dir: Path) -> None:
    runs = pd.read_parquet(results_dir / "runs.parquet")
    runs.loc[0, "outcome"] = "nuclear_winter"
    runs.to_parquet(results_dir / "runs.parquet", index=False)
    with pytest.raises(ResultsError, match="nuclear_winter"):
        load_run(results_dir)


def test_figures_do_not_need_pyplot(results_dir: Path) -> None:
    # The plots build Figure objects directly; importing them must not pull in pyplot state.
    from simulator.plots import plot_escalation_fan

    fig = plot_escalation_fan(load_run(results_dir))
    assert fig.get_suptitle()
    assert any("seed 7" in t.get_text() for t in fig.texts)


# -- helpers for inspecting figures ----------------------------------------------------------


def legend_texts(legend: Legend | None) -> list[str]:
    return [t.get_text() for t in legend.get_texts()] if legend is not None else []


def figure_legend(fig: Figure) -> Legend:
    """The one legend of a figure, whether on the figure or on one of its axes."""
    legends = [*fig.legends, *(ax.get_legend() for ax in fig.axes if ax.get_legend())]
    assert len(legends) == 1
    return legends[0]


def by_gid(ax, gid: str) -> list:
    return [a for a in ax.get_children() if a.get_gid() == gid]


def drawn(fig: Figure) -> Figure:
    """Lay the figure out and draw it (no file), so text extents and tick labels are final."""
    FigureCanvasAgg(fig).draw()
    return fig


def lab(color: str) -> np.ndarray:
    """CIE L*a*b* (D65) of an sRGB colour, to measure how different two colours look."""
    rgb = np.array(to_rgb(color))
    linear = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    m = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]])
    xyz = m @ linear / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > 0.008856, np.cbrt(xyz), 7.787 * xyz + 16 / 116)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


# -- action mix ------------------------------------------------------------------------------


def test_action_mix_panels_titles_and_stacks(results_dir: Path) -> None:
    fig = plot_action_mix(load_run(results_dir))
    panels = [ax for ax in fig.axes if ax.collections]
    assert [ax.get_title(loc="left") for ax in panels] == [a["label"] for a in ACTORS]
    # The actor type is a separate, right-hand title, never "Label (core proxy) (militia)".
    assert [ax.get_title(loc="right") for ax in panels] == [a["type"] for a in ACTORS]
    assert not any(") (" in ax.get_title(loc="left") for ax in panels)
    # One stacked area per rung on the actor's menu.
    assert [len(ax.collections) for ax in panels] == [len(MENUS[a["name"]]) for a in ACTORS]
    for ax in panels:
        assert ax.get_ylim() == (0.0, 1.0)


def test_action_mix_legend_has_no_header_repeating_its_only_entry(results_dir: Path) -> None:
    texts = legend_texts(figure_legend(plot_action_mix(load_run(results_dir))))
    assert texts.count("Status quo") == 1
    assert "Posturing" in texts and "Violent" in texts
    rung_labels = {label for _, label, *_ in LADDER}
    assert rung_labels <= {t.replace("\n", " ") for t in texts}


def test_action_mix_marks_forced_moves(results_dir: Path) -> None:
    res = load_run(results_dir)
    fig = plot_action_mix(res)
    panels = {ax.get_title(loc="left"): ax for ax in fig.axes if ax.collections}
    marks = {label: by_gid(ax, FORCED_GID) for label, ax in panels.items()}
    assert {label: len(m) for label, m in marks.items()} == {
        "United States": 0,
        "Iran": 1,
        "Iraq": 0,
        "Kata'ib Hezbollah": 0,
    }
    (mark,) = marks["Iran"]
    # Above the forced day's column, in the colour of the forced rung.
    assert mark.get_xdata()[0] == mdates.date2num(np.datetime64("2021-01-04")) + 0.5
    assert mark.get_color() == ladder_colors(res.rungs())["deployment"]
    texts = [t.replace("\n", " ") for t in legend_texts(figure_legend(fig))]
    assert FORCED_LABEL in texts


def test_action_mix_without_forced_moves_has_no_forced_key(results_dir: Path) -> None:
    manifest = json.loads((results_dir / "manifest.json").read_text())
    del manifest["scenario"]
    (results_dir / "manifest.json").write_text(json.dumps(manifest))
    res = load_run(results_dir)
    assert res.forced_moves() == []
    fig = plot_action_mix(res)
    assert not any(by_gid(ax, FORCED_GID) for ax in fig.axes)
    assert FORCED_LABEL not in [t.replace("\n", " ") for t in legend_texts(figure_legend(fig))]


def test_forced_moves_are_read_from_the_manifest_scenario(results_dir: Path) -> None:
    (move,) = load_run(results_dir).forced_moves()
    assert (move.date, move.day, move.actor, move.rung, move.target) == (
        dt.date(2021, 1, 4),
        15,
        "Iran",
        "deployment",
        "US",
    )


def test_rung_colours_are_distinguishable() -> None:
    # The default ladder's categories: four posturing rungs used to be near-identical blues.
    categories = [
        ("de-escalation", 2),
        ("status quo", 1),
        ("posturing", 4),
        ("non-violent", 2),
        ("violent", 3),
        ("war", 1),
    ]
    rungs = []
    for category, count in categories:
        for _ in range(count):
            i = len(rungs)
            rungs.append(Rung(i, f"r{i}", f"r{i}", category, 0.0, category == "violent"))
    colors = [ladder_colors(rungs)[r.name] for r in rungs]
    distance = [
        float(np.linalg.norm(lab(a) - lab(b)))
        for i, a in enumerate(colors)
        for b in colors[i + 1 :]
    ]
    # CIE76 difference: ~2.3 is just noticeable; 18 is clearly distinct side by side.
    assert min(distance) >= 18, min(distance)


def test_long_actor_labels_wrap_instead_of_colliding(results_dir: Path) -> None:
    manifest = json.loads((results_dir / "manifest.json").read_text())
    manifest["actors"][3]["label"] = "Coastland Coast Guard (polices the reef's waters) and more"
    (results_dir / "manifest.json").write_text(json.dumps(manifest))
    fig = drawn(plot_action_mix(load_run(results_dir)))
    renderer = fig.canvas.get_renderer()
    for ax in fig.axes:
        if not ax.collections:
            continue
        left = ax._left_title.get_window_extent(renderer)
        right = ax._right_title.get_window_extent(renderer)
        assert left.x1 < right.x0, ax.get_title(loc="left")
        assert left.x0 >= ax.get_window_extent(renderer).x0 - 1


# -- escalation fan -------------------------------------------------------------------------


def test_escalation_fan_defines_its_unit(results_dir: Path) -> None:
    fig = plot_escalation_fan(load_run(results_dir))
    ax = fig.axes[0]
    assert "escalation points" in ax.get_ylabel()
    (definition,) = by_gid(ax, DEFINITION_GID)
    text = definition.get_text().replace("\n", " ")
    assert "Escalation points (Rivera et al. 2024)" in text
    # Scores from the manifest's ladder, per category.
    for fragment in ("\u22122 to \u22121 (de-escalation)", "0 (status quo)", "10 (war)"):
        assert fragment in text
    assert len(ax.collections) == 2  # the 5-95 % and 25-75 % bands
    assert legend_texts(ax.get_legend())[:4] == [
        "5\u201395% of replicates",
        "25\u201375%",
        "Median",
        "Mean",
    ]


def test_escalation_fan_clips_a_heavy_tail_and_says_so(tmp_path: Path) -> None:
    res = load_run(make_results(tmp_path / "run", tail=40.0))
    q95 = float(res.daily["escalation_q95"].max())
    core = max(float(res.daily["escalation_q75"].max()), float(res.daily["escalation_mean"].max()))
    ax = plot_escalation_fan(res).axes[0]
    low, top = ax.get_ylim()
    # The median and interquartile band fill the plot instead of its bottom quarter.
    assert core < top < q95
    assert core / (top - low) > 0.5
    (note,) = by_gid(ax, CLIP_NOTE_GID)
    assert f"reaches {q95:,.0f}" in note.get_text()
    # Linear and log axes remain available.
    linear = plot_escalation_fan(res, scale="linear").axes[0]
    assert linear.get_ylim()[1] >= q95 and not by_gid(linear, CLIP_NOTE_GID)
    assert plot_escalation_fan(res, scale="log").axes[0].get_yscale() == "symlog"
    with pytest.raises(ValueError, match="scale"):
        plot_escalation_fan(res, scale="wild")  # type: ignore[arg-type]


def test_escalation_fan_keeps_a_light_tail_linear(results_dir: Path) -> None:
    res = load_run(results_dir)
    ax = plot_escalation_fan(res).axes[0]
    assert ax.get_ylim()[1] >= float(res.daily["escalation_q95"].max())
    assert not by_gid(ax, CLIP_NOTE_GID)


def test_date_ticks_carry_the_year(results_dir: Path) -> None:
    fig = drawn(plot_escalation_fan(load_run(results_dir)))
    labels = [t.get_text() for t in fig.axes[0].get_xticklabels() if t.get_text()]
    # The run spans 20 Dec 2020 - 18 Jan 2021: the first label and the first of 2021 say so.
    assert labels[0].endswith("\n2020")
    assert "Jan\n2021" in labels
    assert [t.split("\n")[1] for t in labels if "\n" in t] == ["2020", "2021"]


def test_event_markers_never_overlap_and_the_legend_fits(tmp_path: Path) -> None:
    # A hindcast-like run: sixteen events in ten days, several on the same date.
    days = [0, 2, 2, 4, 5, 7, 7, 7, 7, 8, 9, 9, 11, 12, 12, 13]
    events = [
        (dt.date(2021, 1, 1) + dt.timedelta(days=d), f"Event {i + 1} with a longish label here")
        for i, d in enumerate(days)
    ]
    res = load_run(make_results(tmp_path / "run", events=events))
    for build in (plot_escalation_fan, plot_clash_probability):
        fig = drawn(build(res))
        ax = fig.axes[0]
        renderer = fig.canvas.get_renderer()
        markers = by_gid(ax, EVENT_MARKER_GID)
        # One marker per date; events of one date share it ("7-10").
        assert sorted(m.get_text() for m in markers) == sorted(
            ["1", "2, 3", "4", "5", "6\u20139", "10", "11, 12", "13", "14, 15", "16"]
        )
        boxes = [m.get_bbox_patch().get_window_extent(renderer) for m in markers]
        for i, a in enumerate(boxes):
            for b in boxes[i + 1 :]:
                assert not a.overlaps(b)
        legend = ax.get_legend().get_window_extent(renderer)
        assert legend.y0 >= 0 and legend.y1 <= fig.bbox.height
        assert len([t for t in legend_texts(ax.get_legend()) if "Event" in t]) == 16


# -- clash probability ---------------------------------------------------------------------


def test_clash_legend_says_the_curve_includes_war(results_dir: Path) -> None:
    ax = plot_clash_probability(load_run(results_dir)).axes[0]
    texts = [t.replace("\n", " ") for t in legend_texts(ax.get_legend())]
    assert "war included" in texts[0] and "clash short of war" in texts[0]
    assert texts[1] == "State-on-state war"


def test_clash_end_labels_sit_at_their_own_lines(results_dir: Path) -> None:
    res = load_run(results_dir)
    ax = plot_clash_probability(res).axes[0]
    labels = by_gid(ax, END_LABEL_GID)
    finals = [float(res.daily[c].iloc[-1]) for c in ("p_direct_clash", "p_war")]
    assert [a.xy[1] for a in labels] == pytest.approx(finals)
    assert [a.get_text() for a in labels] == [f"{100 * p:.1f}%" for p in finals]
    # Right of the plot, level with the line's end (the values here are far apart).
    assert all(a.xy[0] == 1.0 and a.xyann[1] == 0 for a in labels)
    assert [a.get_color() for a in labels] == [line.get_color() for line in ax.lines[:2]]


def test_clash_end_labels_move_apart_when_the_lines_meet(results_dir: Path) -> None:
    daily = pd.read_parquet(results_dir / "daily.parquet")
    daily["p_war"] = daily["p_direct_clash"]  # every clash became a war
    daily.to_parquet(results_dir / "daily.parquet", index=False)
    fig = drawn(plot_clash_probability(load_run(results_dir)))
    ax = fig.axes[0]
    clash, war = by_gid(ax, END_LABEL_GID)
    assert clash.xy[1] == war.xy[1] == float(daily["p_direct_clash"].iloc[-1])
    renderer = fig.canvas.get_renderer()
    assert not clash.get_window_extent(renderer).overlaps(war.get_window_extent(renderer))
    assert clash.xyann[1] > 0 > war.xyann[1]


# -- outcomes and threat -------------------------------------------------------------------


def test_outcomes_one_bar_per_class_most_severe_on_top(results_dir: Path) -> None:
    res = load_run(results_dir)
    ax = plot_outcomes(res).axes[0]
    assert len(ax.patches) == len(OUTCOMES)
    assert [t.get_text() for t in ax.get_yticklabels()] == [res.outcome_label(c) for c in OUTCOMES]
    assert ax.yaxis_inverted()
    counts = res.runs["outcome"].value_counts()
    widths = [p.get_width() for p in ax.patches]
    assert widths == pytest.approx([counts.get(c, 0) / len(res.runs) for c in OUTCOMES])


def test_threat_matrix_names_rows_once(tmp_path: Path) -> None:
    res = load_run(make_results(tmp_path / "run"))
    fig = plot_threat_matrix(res)
    panels = [ax for ax in fig.axes if ax.images]
    assert len(panels) == 2  # peak escalation is mid-run here, so two days are shown
    names = [a["label"] for a in ACTORS]
    assert [t.get_text() for t in panels[0].get_yticklabels()] == names
    assert all(t.get_text() == "" for t in panels[1].get_yticklabels())
    for ax in panels:
        assert [t.get_text() for t in ax.get_xticklabels()] == names


# -- summary wording -----------------------------------------------------------------------


def test_summary_says_when_a_tail_drives_the_mean(results_dir: Path) -> None:
    res = load_run(results_dir)
    runs = res.runs.copy()
    n = len(runs)
    heavy = np.zeros(n, dtype="int64")
    heavy[: n // 50] = 480  # 2 % of replicates suffer heavy casualties, the rest none
    runs["casualties.Iran"] = heavy
    runs["casualties.Iraq"] = 0
    runs["casualties.US"] = np.arange(n) % 3  # 0, 1, 2: no tail
    manifest = dict(res.manifest, actors=ACTORS[:3])
    metrics = dict(summarize(manifest, runs).metrics)
    assert metrics["Casualties suffered: Iran"] == (
        "mean 9.6, driven by the 2 % of replicates above 0; 90 % of replicates 0"
    )
    assert metrics["Casualties suffered: Iraq"] == "0 in every replicate"
    assert metrics["Casualties suffered: United States"] == "mean 1.0; 90 % of replicates 0\u20132"
