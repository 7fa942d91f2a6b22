"""Hold the model to the record: the runs behind "Held to the record" in docs/VALIDATION.md.

Run from the repository root (about ten minutes on two cores)::

    python docs/validation/record.py && python docs/validation/render.py

It runs, through the ``escalation`` commands a user would type:

1. a rolling-origin hindcast of the record scenario with its hand-set parameters;
2. the calibration of the unsourced parameters on the record's calibration part
   (1 Oct 2019 – 30 Sep 2020);
3. the same hindcast with the calibration's posterior (every accepted point runs its share of
   the replicates: the posterior predictive) and with the calibrated scenario (the posterior
   medians alone) — scored on the held-out part (1 Oct 2020 – 20 Jan 2021) that the calibration
   never saw;
4. a score of the baseline run against the days of the record it covers;

and writes every number the document quotes to ``docs/validation/record.json`` and the figures to
``docs/validation/record_*.png``. The result folders go to ``results/validation-record/``
(outside git, like every generated result).
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sys
import time
from pathlib import Path
from typing import Any

import pandas as pd

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
OUT = REPO / "results" / "validation-record"
HISTORY = "history/us_iran_2019_2021.yaml"
TRAIN_UNTIL = "2020-09-30"
ORIGINS = "2019-10-01:2021-01-01:monthly"
REPLICATES = "1000"


def escalation(*args: str | Path) -> float:
    """Run one ``escalation`` command in this process; its wall time. Exit on failure."""
    from simulator.cli import main

    started = time.perf_counter()
    code = main([str(a) for a in args])
    if code != 0:
        sys.exit(f"escalation {' '.join(map(str, args))}: exit status {code}")
    return time.perf_counter() - started


def hindcast(source: tuple[str | Path, ...], out: Path) -> float:
    """A rolling-origin hindcast over the whole record, scored with the calibration split.

    ``source``: a scenario file, or ``("--posterior", DIR)``.
    """
    return escalation(
        "hindcast", *source, "--history", HISTORY, "--origins", ORIGINS, "--lead", "30,60",
        "-n", REPLICATES, "--train-until", TRAIN_UNTIL, "--out", out, "--force", "--quiet",
    )  # fmt: skip


def tables(folder: Path) -> dict[str, Any]:
    """The scores of a scored folder, as plain data."""
    scores = folder / "scores"
    out: dict[str, Any] = {}
    for name in ("skill", "coverage", "transient", "lags"):
        frame = pd.read_parquet(scores / f"{name}.parquet")
        out[name] = json.loads(frame.to_json(orient="records", date_format="iso"))
    windows = pd.read_parquet(scores / "windows.parquet")
    model = windows[windows["forecaster"] == "model"]
    out["windows"] = json.loads(
        model[
            [
                "origin", "lead", "part", "replicates", "obs_militia_attacks", "mean_attacks",
                "pit_attacks", "obs_state_violence", "p_state_violence", "obs_deaths",
                "p_deaths_any", "rps",
            ]
        ].to_json(orient="records", date_format="iso")
    )  # fmt: skip
    return out


VIOLENT = ("harassment", "lethal_attack", "limited_strike", "major_strike")


def coupling(calibration: Path, replicates: int = 500) -> dict[str, Any]:
    """What comes with the record's rate of militia attacks, in the model.

    Takes the design point of the calibration sweep whose attack rate is nearest the record's,
    reruns it with more replicates over the calibration part, and measures from the event log
    what the record also shows: attacks a month, the share killing Americans, US strikes on the
    militias (and how many came within two days of an American death, the US rule of 2019–20,
    F07–F08), and which state first struck the other.
    """
    from simulator.experiment.simulate import simulate
    from simulator.experiment.sweep_plan import plan_of_folder
    from simulator.experiment.units import point_scenario

    plan = plan_of_folder(calibration)
    points = pd.read_parquet(calibration / "calibration" / "points.parquet")
    stats = pd.read_parquet(calibration / "calibration" / "statistics.parquet").set_index(
        "statistic"
    )
    target = float(stats.loc["attacks_per_month", "observed"])
    row = points.iloc[int((points["attacks_per_month"] - target).abs().to_numpy().argmin())]
    values = tuple(float(row[p]) for p in plan.paths)
    scenario = point_scenario(plan.base, plan.paths, values, "nearest point").model_copy(
        update={"replicates": replicates}
    )
    tables = simulate(scenario)
    e, runs = tables.events, tables.runs
    assert e is not None
    months = scenario.horizon_days / 30.44
    free = e[~e["forced"].to_numpy()]
    militias = [n for n, a in scenario.actors.items() if a.type == "militia"]
    states = [n for n, a in scenario.actors.items() if a.type == "state"]
    attacks = free[free["actor"].isin(militias) & free["target"].isin(states)]
    deaths = e[(e["target"] == "US") & (e["deaths"] > 0)]
    died = set(zip(deaths["replicate"], deaths["day"], strict=True))
    strikes = free[
        (free["actor"] == "US") & free["target"].isin(militias) & free["rung"].isin(VIOLENT)
    ]
    after_death = sum(
        any((r, d - k) in died for k in (0, 1, 2))
        for r, d in zip(strikes["replicate"], strikes["day"], strict=True)
    )
    between = free[
        free["actor"].isin(states) & free["target"].isin(states) & free["rung"].isin(VIOLENT)
    ]
    first = between.sort_values("day", kind="stable").groupby("replicate").first()
    return {
        "point": int(row["point"]),
        "values": dict(zip(plan.paths, values, strict=True)),
        "replicates": replicates,
        "months": months,
        "record_attacks_per_month": target,
        "attacks_per_month": len(attacks) / replicates / months,
        "lethal_share": float((attacks["deaths"] > 0).mean()),
        "us_strikes_on_militias_per_month": len(strikes) / replicates / months,
        "us_strikes_after_a_death_share": after_death / max(len(strikes), 1),
        "extra_state_violence": float(runs["outcome_chosen"].isin(["war", "direct_clash"]).mean()),
        "first_state_strike_by_us": float((first["actor"] == "US").mean()) if len(first) else 0.0,
        "war": float((runs["outcome_chosen"] == "war").mean()),
    }


def copy_figures(folder: Path, prefix: str) -> list[str]:
    """Copy a folder's figures next to the document, renamed ``record_<prefix>_<name>.png``."""
    names = []
    for png in sorted(folder.glob("*.png")):
        target = HERE / f"record_{prefix}_{png.name}"
        shutil.copyfile(png, target)
        names.append(target.name)
    return names


def main() -> None:
    """Run everything and write record.json."""
    OUT.mkdir(parents=True, exist_ok=True)
    seconds: dict[str, float] = {}
    seconds["hindcast (hand-set)"] = hindcast(("scenarios/record_2019_2021.yaml",), OUT / "hand")
    seconds["calibration"] = escalation(
        "calibrate", "scenarios/sweeps/calibrate_baseline.yaml", "--history", HISTORY,
        "--train-until", TRAIN_UNTIL, "--out", OUT / "calibration", "--force", "--quiet",
    )  # fmt: skip
    calibrated = OUT / "calibration" / "calibration" / "calibrated.yaml"
    seconds["hindcast (posterior)"] = hindcast(
        ("--posterior", OUT / "calibration"), OUT / "posterior"
    )
    seconds["hindcast (medians)"] = hindcast((calibrated,), OUT / "medians")
    seconds["baseline run"] = escalation(
        "run", "scenarios/baseline.yaml", "-n", "2000", "--out", OUT / "baseline", "--force",
        "--quiet", "--no-plots",
    )  # fmt: skip
    seconds["baseline score"] = escalation(
        "score", OUT / "baseline", "--history", HISTORY, "--train-until", TRAIN_UNTIL
    )
    cal = OUT / "calibration" / "calibration"
    record: dict[str, Any] = {
        "made": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "seconds": seconds,
        "train_until": TRAIN_UNTIL,
        "replicates": int(REPLICATES),
        "hand": tables(OUT / "hand"),
        "posterior_hindcast": tables(OUT / "posterior"),
        "medians": tables(OUT / "medians"),
        "baseline": tables(OUT / "baseline"),
        "posterior": json.loads(
            pd.read_parquet(cal / "posterior.parquet").to_json(orient="records")
        ),
        "statistics": json.loads(
            pd.read_parquet(cal / "statistics.parquet").to_json(orient="records")
        ),
        "regimes": json.loads(pd.read_parquet(cal / "regimes.parquet").to_json(orient="records")),
        "calibration_points": json.loads(
            pd.read_parquet(cal / "points.parquet")[["accepted", "not_ruled_out"]].sum().to_json()
        ),
        "calibration_design": json.loads(
            (OUT / "calibration" / "manifest.json").read_text(encoding="utf-8")
        )["design"],
        "figures": {
            "hand": copy_figures(OUT / "hand" / "plots", "hand"),
            "posterior": copy_figures(OUT / "posterior" / "plots", "posterior"),
            "calibration": copy_figures(cal, "calibration"),
        },
        "coupling": coupling(OUT / "calibration"),
        "calibrated_header": [
            line
            for line in calibrated.read_text(encoding="utf-8").splitlines()
            if line.startswith("#")
        ],  # fmt: skip
    }
    (HERE / "record.json").write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {HERE / 'record.json'} in {sum(seconds.values()) / 60:.1f} min")


if __name__ == "__main__":
    main()
