"""Tests for simulator.plots, on a synthetic results folder built per the results contract."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from simulator.plots import PLOTS, ResultsError, load_run, write_all
from simulator.stats import wilson_interval

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"

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


def make_results(
    root: Path,
    *,
    days: int = 30,
    replicates: int = 400,
    seed: int = 7,
    start: dt.date = dt.date(2020, 12, 20),
) -> Path:
    """Fabricate a results folder (manifest.json, runs.parquet, daily.parquet) under ``root``."""
    rng = np.random.default_rng(seed)
    root.mkdir(parents=True, exist_ok=True)
    names = [a["name"] for a in ACTORS]
    events = [
        (dt.date(2021, 1, 3), "Anniversary of the 3 Jan 2020 strike"),
        (dt.date(2021, 1, 4), "Parliament vote on withdrawal of foreign troops from Iraq"),
        (dt.date(2021, 1, 6), "Certification of the US election"),
        (dt.date(2021, 1, 20), "US presidential inauguration"),
    ]
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
        "scenario": {"name": "baseline"},
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
            "escalation_q95": base + 2.5 * spread,
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


def test_write_all_writes_valid_pngs(results_dir: Path) -> None:
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
        assert path.is_file()
        data = path.read_bytes()
        assert data[:8] == PNG_MAGIC, path
        assert len(data) > 20_000, (path, len(data))


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
    root = make_results(tmp_path / "run", days=5, replicates=20)
    manifest = json.loads((root / "manifest.json").read_text())
    manifest["events"] = []
    manifest["actors"] = manifest["actors"][:n_actors]
    (root / "manifest.json").write_text(json.dumps(manifest))
    out = write_all(root, out_dir=tmp_path / "figs")
    assert all(p.read_bytes()[:8] == PNG_MAGIC for p in out)


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
