"""Recompute every number and figure of docs/VALIDATION.md (model v2), with fixed seeds.

Run from anywhere (about three minutes on two cores)::

    python docs/validation/make_figures.py            # two worker processes
    python docs/validation/make_figures.py --jobs 1   # one

It writes, next to this file, the figures of VALIDATION.md (``p1_beliefs.png`` …
``sensitivity.png``) and ``results.json``, which holds every number VALIDATION.md quotes,
including the statistics of the tests in ``tests/test_validation.py`` and
``tests/test_model_properties.py``. It also rewrites the scenario headline table of VALIDATION.md
(between its ``scenario-table`` markers) from whatever ``scenarios/*.yaml`` exist when it runs.

The designs are those of the tests: ``designs.py`` next to this file holds the small worlds, the
statistics and the ``measure_*`` runs that ``tests/test_validation.py`` asserts on (run as a file,
the script's folder is on ``sys.path``). The figures' sweeps are finer grids of the same designs,
with the same seeds and replicate counts, so the tests' points are among the figures' points and
every tested number is recomputed here, not copied. Only the public model API is used: the
model's arrays and ``step``, the ``Recorder``'s tallies, ``event_columns()``, ``outcome_codes()``
and ``pair_codes()``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import re
import subprocess
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import designs as d
import matplotlib.dates as mdates
import mesa
import numpy as np
from matplotlib import colormaps
from scipy import stats

from simulator.model import OUTCOME_LABELS, OUTCOMES, EscalationModel
from simulator.plots.style import captioned_figure, save, severity_colors, style_axes
from simulator.scenario import (
    Scenario,
    ScenarioError,
    load_scenario,
    scenario_data,
    validate_scenario,
)
from simulator.stats import wilson_interval

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
DOC = REPO / "docs" / "VALIDATION.md"
TABLE_START = "<!-- scenario-table:start (written by docs/validation/make_figures.py) -->"
TABLE_END = "<!-- scenario-table:end -->"
COLORS = {
    "blue": "#1f5fa8",
    "red": "#c0392b",
    "orange": "#e67e22",
    "green": "#2e8b57",
    "grey": "#777777",
    "purple": "#7d3c98",
    "band": "#f3e3a0",
    "history": "#111111",
}
#: v1's headline numbers, quoted (not computed) from docs/VALIDATION.md as of commit 3b088b4,
#: so that the comparison in "What changed from v1 and why" can cite results.json.
V1_HEADLINES = {
    "commit": "3b088b4",
    "baseline": {
        "war": 0.025,
        "direct_clash": 0.032,
        "proxy_violence": 0.026,
        "contained": 0.513,
        "de_escalated": 0.402,
        "militia_attacks_per_month": 2.15,
        "share_no_militia_attack": 0.43,
        "p_casualties_given_militia_attack": 0.064,
    },
    "hindcast": {"stopped": 0.851, "war": 0.072},
    "p2_cochran_armitage_z": {"Iran reads the US": 51.7, "every pair": 64.4},
    "p3_spearman_rho": {
        "proxy world": -0.86,
        "baseline front groups": -0.72,
        "baseline both militias": -0.88,
    },
    "p4_dyad_clash_by_day_29": {"none": 0.202, "window": 0.0},
    "p4_dyad_clash_60_days": {"none": 0.506, "window": 0.415},
    "p5_cochran_armitage_z": {"dyad": -18.6, "baseline US resolve": -50.5},
    "sensitivity_memory_p_clash": {"0.84": 0.004, "0.85": 0.049, "0.86": 0.30},
}
#: The order and the Iranian window lapse on 20 Jan 2021 (day 31 of the baseline).
TRANSITION = dt.date(2021, 1, 20)


# -- helpers --------------------------------------------------------------------------------------


class Builder:
    """Builds models for the designs (``build(scenario, **kwargs)``) and releases them after use.

    ``transform`` rewrites each scenario before the model is built (a variant of a design), and
    ``defaults`` are extra keyword arguments for every model (e.g. the event log mode). Used as a
    context manager: on exit every model built is dropped from Mesa's registry.
    """

    def __init__(self, transform: Callable[[Scenario], Scenario] | None = None, **defaults):
        self.models: list[EscalationModel] = []
        self.transform = transform
        self.defaults = defaults

    def __call__(self, scenario: Scenario, **kwargs) -> EscalationModel:
        if self.transform is not None:
            scenario = self.transform(scenario)
        model = EscalationModel(scenario, **{**self.defaults, **kwargs})
        self.models.append(model)
        return model

    def __enter__(self) -> Builder:
        return self

    def __exit__(self, *exc) -> None:
        while self.models:
            mesa.Agent._ids.pop(self.models.pop(), None)


def with_dynamics(**dynamics: float) -> Callable[[Scenario], Scenario]:
    """A scenario transform that overrides ``dynamics`` fields."""

    def transform(scenario: Scenario) -> Scenario:
        data = d.merge(scenario_data(scenario), {"dynamics": dynamics})
        return validate_scenario(data, f"<{scenario.name} with {dynamics}>")

    return transform


def wilson(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """Wilson interval (95 % unless ``z`` says otherwise)."""
    return wilson_interval(int(k), int(n), z=z)


def rnd(x, nd: int = 4):
    """Round numbers (and nested lists / dicts of them) for the JSON file."""
    if isinstance(x, dict):
        return {k: rnd(v, nd) for k, v in x.items()}
    if isinstance(x, list | tuple | np.ndarray):
        return [rnd(v, nd) for v in x]
    if x is None or isinstance(x, str | bool | np.bool_):
        return bool(x) if isinstance(x, np.bool_) else x
    if isinstance(x, np.integer | int):
        return int(x)
    x = float(x)
    if not np.isfinite(x):
        return None
    return float(f"{x:.{nd}g}") if abs(x) < 10 ** (-nd + 2) and x != 0 else round(x, nd)


def sig(p: float) -> float:
    """A p-value to three significant digits (0 where it underflows)."""
    return float(f"{p:.3g}")


def mean_ci(values, z: float = 1.96) -> tuple[float, float, float]:
    """Mean with its normal interval."""
    values = np.asarray(values, dtype=float)
    m = values.mean()
    half = z * values.std(ddof=1) / np.sqrt(len(values))
    return m, m - half, m + half


def band(ax, lo: float, hi: float, label: str | None, axis: str = "y", **kw) -> None:
    """Shade a reference band."""
    span = ax.axhspan if axis == "y" else ax.axvspan
    span(lo, hi, color=kw.pop("color", COLORS["band"]), alpha=0.6, zorder=0, label=label, **kw)


def subset(grid: list[float], values: list, points) -> list:
    """The entries of ``values`` (computed on ``grid``) at ``points``."""
    return [values[grid.index(round(p, 2))] for p in points]


def per_replicate(ev: dict, mask: np.ndarray, model: EscalationModel) -> np.ndarray:
    """Count of the masked events per replicate."""
    reps = ev["replicate"][mask] - model.first_replicate
    return np.bincount(reps, minlength=model.replicates)


def first_day(ev: dict, mask: np.ndarray, model: EscalationModel) -> np.ndarray:
    """Per replicate, the first day of a masked event (-1: none)."""
    out = np.full(model.replicates, np.iinfo(np.int64).max)
    np.minimum.at(out, ev["replicate"][mask] - model.first_replicate, ev["day"][mask])
    return np.where(out == np.iinfo(np.int64).max, -1, out)


def cumulative(first: np.ndarray, days: int) -> np.ndarray:
    """Number of replicates whose ``first`` day is at or before each day."""
    hit = first[first >= 0]
    return np.array([(hit <= t).sum() for t in range(days)])


def share_line(ax, x, k, n, color, label, shade: bool = True, **kw) -> None:
    """A proportion with its 95 % Wilson band."""
    k = np.asarray(k)
    ax.plot(x, k / n, color=color, label=label, **kw)
    if shade:
        ci = np.array([wilson(a, n) for a in k])
        step = "post" if kw.get("drawstyle") == "steps-post" else None
        ax.fill_between(x, ci[:, 0], ci[:, 1], color=color, alpha=0.18, lw=0, step=step)


def by_replicate(ev: dict):
    """(start, end) slices of an event log sorted by replicate."""
    starts = np.flatnonzero(np.r_[True, ev["replicate"][1:] != ev["replicate"][:-1]])
    ends = np.r_[starts[1:], len(ev["replicate"])]
    return zip(starts, ends, strict=True)


# -- P1: no dilemma, no spiral --------------------------------------------------------------------


def p1_no_dilemma() -> dict:
    """Beliefs over time in property 1's world, at every bias of the contrast test."""
    lad_top = None
    out: dict = {"biases": list(d.P1_BIASES), "by_bias": {}}
    curves = {}
    with Builder() as build:
        for bias in d.P1_BIASES:
            model = build(d.no_dilemma_dyad(d.make_dyad, bias))
            daily = []
            while model.running:
                model.step()
                p = np.concatenate([model.beliefs.p[0, 1], model.beliefs.p[1, 0]])
                daily.append([p.mean(), *np.quantile(p, [0.1, 0.5, 0.9])])
            rec = model.recorder
            lad = model.ladder
            lad_top = max(
                i
                for i, c in enumerate(lad.categories)
                if c in ("de-escalation", "status quo", "posturing")
            )
            logodds = model.beliefs.logodds[[0, 1], [1, 0]]
            R = model.replicates
            curves[bias] = np.array(daily)
            peak_day = int(curves[bias][:, 0].argmax())
            fv = rec.first_violence >= 0
            out["by_bias"][str(bias)] = {
                "final_mean_logodds": rnd(logodds.mean(), 3),
                "final_logodds_se": rnd(logodds.std(ddof=1) / np.sqrt(logodds.size), 2),
                "final_mean_p_hostile": rnd(model.beliefs.p[[0, 1], [1, 0]].mean(), 3),
                "share_ending_above_prior": rnd(
                    max((model.beliefs.p[0, 1] > 0.5).mean(), (model.beliefs.p[1, 0] > 0.5).mean())
                ),
                "mean_misread_logodds": rnd(model.beliefs.misread[[0, 1], [1, 0]].mean(), 3),
                "peak_mean_p_hostile": None,  # filled below from the daily curve
                "clash": int((rec.first_clash >= 0).sum()),
                "p_clash": rnd((rec.first_clash >= 0).mean()),
                "war": int((rec.first_war >= 0).sum()),
                "violence": int(fv.sum()),
                "accidental": int(rec.accidental.sum()),
                "above_posturing": int((rec.peak_rung > lad_top).sum()),
                "replicates": R,
            }
            out["by_bias"][str(bias)]["peak_mean_p_hostile"] = rnd(curves[bias][peak_day, 0], 3)
            out["by_bias"][str(bias)]["peak_day"] = peak_day + 1
            if bias == 0.0:
                p = model.beliefs.p
                out["no_dilemma_test"] = {
                    "replicates": R,
                    "days": model.horizon,
                    "share_blue_believes_red_hostile": rnd((p[0, 1] > 0.5).mean()),
                    "share_red_believes_blue_hostile": rnd((p[1, 0] > 0.5).mean()),
                    "mean_p_hostile": rnd([p[0, 1].mean(), p[1, 0].mean()], 3),
                    "replicates_above_posturing": int((rec.peak_rung > lad_top).sum()),
                    "attacks": int(rec.attacks.sum()),
                    "casualties": int(rec.casualties.sum()),
                    "clashes": int((rec.first_clash >= 0).sum()),
                    "wars": int((rec.first_war >= 0).sum()),
                    "final_mean_threat": rnd(model.threat.mean(), 3),
                    "share_de_escalated": rnd(
                        (rec.outcome_codes() == OUTCOMES.index("de_escalated")).mean()
                    ),
                    "build_ups": int(rec.mix[:, :, lad.index("build_up")].sum()),
                    "conciliatory_moves": int(rec.conciliatory.sum()),
                    # days before the mean belief leaves the prior by more than 0.01
                    "days_at_prior": int(np.argmax(np.abs(curves[bias][:, 0] - 0.5) > 0.01)),
                }
    final = [out["by_bias"][str(b)]["final_mean_logodds"] for b in d.P1_BIASES]
    out["contrast_test"] = {
        "final_mean_logodds": final,
        "smallest_step": rnd(min(b - a for a, b in zip(final, final[1:], strict=False)), 3),
        "p_clash": [out["by_bias"][str(b)]["p_clash"] for b in d.P1_BIASES],
    }

    fig = captioned_figure(
        "P1 · No security dilemma: beliefs drift benign. Offense bias: they drift hostile",
        "Two security seekers, no grievance, events or noise, λ = 1.5; 120 days, 2,000 replicates, "
        "seed 2024. Band: 10–90 % of replicates. Tests: test_no_dilemma_no_spiral, "
        "test_any_offense_bias_*",
        figsize=(12, 5.4),
    )
    ax1, ax2 = fig.subplots(1, 2, width_ratios=[1.6, 1])
    cmap = colormaps["plasma"]
    days = np.arange(1, 121)
    for j, bias in enumerate(d.P1_BIASES):
        c = curves[bias]
        color = cmap(0.05 + 0.8 * j / (len(d.P1_BIASES) - 1))
        ax1.plot(days, c[:, 0], color=color, lw=1.8, label=f"offense bias {bias:g}")
        ax1.fill_between(days, c[:, 1], c[:, 3], color=color, alpha=0.12, lw=0)
    ax1.axhline(0.5, color=COLORS["grey"], ls=":", lw=1, label="prior (0.5)")
    ax1.set_xlim(0, 121)
    ax1.set_ylim(0, 1)
    ax1.set_xlabel("Day")
    ax1.set_ylabel("P(the other is a hostile type), mean of both")
    ax1.set_title("Type beliefs over time, by how defensive moves are read", fontsize=10)
    ax1.legend(fontsize=8, frameon=False, loc="lower left")
    x = np.arange(len(d.P1_BIASES))
    R = out["no_dilemma_test"]["replicates"]
    for key, color, off, label in (
        ("clash", COLORS["red"], -0.18, "P(direct clash in 120 days)"),
        ("above_posturing", COLORS["orange"], 0.18, "P(any move above posturing)"),
    ):
        k = np.array([out["by_bias"][str(b)][key] for b in d.P1_BIASES])
        ci = np.array([wilson(a, R) for a in k])
        ax2.bar(x + off, k / R, width=0.34, color=color, alpha=0.85, label=label)
        ax2.errorbar(
            x + off, k / R, yerr=[k / R - ci[:, 0], ci[:, 1] - k / R], fmt="none", ecolor="k"
        )
    for xi, b in zip(x, d.P1_BIASES, strict=True):
        row = out["by_bias"][str(b)]
        ax2.text(
            xi,
            1.02,
            f"log-odds\n{row['final_mean_logodds']:+.2f}",
            ha="center",
            fontsize=7.5,
            color=COLORS["grey"],
        )
    ax2.set_xticks(x, [f"{b:g}" for b in d.P1_BIASES])
    ax2.set_xlabel("Offense bias (every observer)")
    ax2.set_ylabel("Share of replicates")
    ax2.set_ylim(0, 1.12)
    ax2.set_title("Outcomes by bias (top: mean final log-odds of 'hostile')", fontsize=10)
    ax2.legend(fontsize=8, frameon=False, loc="center left")
    for ax in (ax1, ax2):
        style_axes(ax)
    save(fig, HERE / "p1_beliefs.png")
    return out


# -- P2: the spiral, and accidental escalation ----------------------------------------------------

P2_GRID = sorted({round(x, 2) for x in np.arange(0.0, 2.001, 0.1)} | {0.55, 0.65, 0.75, 0.85})


def p2_spiral() -> dict:
    """P(direct clash) and P(war) against offense bias; the share of first violence born of bias."""
    R = d.P2_REPLICATES
    out: dict = {"grid": P2_GRID, "replicates": R, "sweeps": {}, "test": {}}
    for sweep in d.BIAS_SWEEPS:
        with Builder() as build:
            m = d.measure_p2(build, sweep, P2_GRID, R)
            recs = [model.recorder for model in build.models]
            violence = [int((r.first_violence >= 0).sum()) for r in recs]
            accidental = [int(r.accidental.sum()) for r in recs]
        out["sweeps"][sweep] = {
            "clash": m["clash"],
            "war": m["war"],
            "p_clash": rnd(np.array(m["clash"]) / R),
            "p_war": rnd(np.array(m["war"]) / R),
            "violence": violence,
            "accidental": accidental,
            "share_accidental": rnd(
                [a / v if v else None for a, v in zip(accidental, violence, strict=True)], 3
            ),
        }
        clash = subset(P2_GRID, m["clash"], d.BIASES)
        out["test"][sweep] = {
            "bias": list(d.BIASES),
            "clash": clash,
            "p_clash": rnd(np.array(clash) / R),
            "cochran_armitage_z": rnd(d.cochran_armitage(d.BIASES, clash, [R] * len(clash)), 3),
            "largest_reversal_z": rnd(d.largest_reversal(clash, R, +1), 3),
        }

    fig = captioned_figure(
        "P2 · Offense bias turns the baseline into a spiral — and makes escalation accidental",
        f"Baseline, 90 days from 20 Dec 2020; {R:,} replicates per point, seed 7. Bands: 95 % "
        "Wilson intervals. Accidental: the replicate's first chosen violence was made on a belief "
        "that rose above its prior mostly through misread defensive moves. Test: test_p2_*",
        figsize=(13.5, 5.0),
    )
    axes = fig.subplots(1, 3)
    titles = {
        "Iran reads the US": "Iran's bias towards US defensive moves\n(others stay at 0.6)",
        "every pair": "Every observer's bias towards every actor\n(Iran → US included)",
    }
    for ax, sweep in zip(axes[:2], d.BIAS_SWEEPS, strict=True):
        s = out["sweeps"][sweep]
        share_line(ax, P2_GRID, s["clash"], R, COLORS["red"], "P(direct clash, war included)")
        share_line(ax, P2_GRID, s["war"], R, COLORS["purple"], "P(war)", ls="--")
        base = 0.8 if sweep == "Iran reads the US" else 0.6
        ax.axvline(base, color=COLORS["grey"], ls=":", lw=1)
        ax.text(base + 0.03, 0.55, f"baseline\n{base:g}", fontsize=8, color=COLORS["grey"])
        ax.set_title(titles[sweep], fontsize=10)
        ax.set_xlabel("Offense bias")
        ax.set_ylim(-0.02, 1.02)
    axes[0].set_ylabel("Probability over the 90 days")
    axes[0].legend(fontsize=8, frameon=False, loc="upper left")
    for sweep, color in zip(d.BIAS_SWEEPS, (COLORS["blue"], COLORS["green"]), strict=True):
        s = out["sweeps"][sweep]
        keep = [i for i, v in enumerate(s["violence"]) if v >= 20]
        x = [P2_GRID[i] for i in keep]
        k = np.array([s["accidental"][i] for i in keep])
        n = np.array([s["violence"][i] for i in keep])
        ci = np.array([wilson(a, b) for a, b in zip(k, n, strict=True)])
        axes[2].plot(x, k / n, marker="o", ms=3, color=color, label=sweep)
        axes[2].fill_between(x, ci[:, 0], ci[:, 1], color=color, alpha=0.18, lw=0)
    axes[2].set_ylim(-0.02, 1.02)
    axes[2].set_xlabel("Offense bias (the sweep of each panel)")
    axes[2].set_ylabel("Share of replicates with violence")
    axes[2].set_title("Accidental escalation: first violence\nborn of misread moves", fontsize=10)
    axes[2].legend(fontsize=8, frameon=False, loc="upper left")
    for ax in axes:
        style_axes(ax)
    save(fig, HERE / "p2_spiral.png")
    return out


# -- P3: control ----------------------------------------------------------------------------------

P3_GRIDS = {
    "proxy world": [round(c, 2) for c in np.arange(0.0, 1.001, 0.05)],
    "baseline front groups": [round(c, 2) for c in np.arange(0.1, 0.801, 0.05)],
    "baseline both militias": [round(c, 2) for c in np.arange(0.2, 0.901, 0.05)],
}


def p3_control() -> dict:
    """Militia attacks and lethal attacks per month against control (three sweeps)."""
    R = d.P3_REPLICATES
    out: dict = {"replicates": R, "sweeps": {}, "test": {}}
    for sweep, grid in P3_GRIDS.items():
        with Builder() as build:
            m = d.measure_p3(build, d.make_proxy, sweep, grid, R)
        months = m["months"]
        row = {"control": grid}
        for key in ("lethal", "attacks"):
            st = np.array([mean_ci(y / months) for y in m[key]])
            row[key + "_per_month"] = rnd(st[:, 0], 3)
            row[key + "_ci95"] = rnd(np.maximum(st[:, 1:], 0.0), 3)  # counts are never negative
        row["share_with_attack"] = rnd([(y > 0).mean() for y in m["attacks"]], 3)
        out["sweeps"][sweep] = row
        controls = d.CONTROL_SWEEPS[sweep][2]
        lethal = subset(grid, m["lethal"], controls)
        x = np.concatenate([np.full(len(y), c) for c, y in zip(controls, lethal, strict=True)])
        rho, p = stats.spearmanr(x, np.concatenate(lethal), alternative="less")
        means = [y.mean() for y in lethal]
        ses = [y.std(ddof=1) / np.sqrt(len(y)) for y in lethal]
        worst = max(
            (means[a + 1] - means[a]) / max(np.hypot(ses[a], ses[a + 1]), 1e-12)
            for a in range(len(means) - 1)
        )
        out["test"][sweep] = {
            "control": list(controls),
            "lethal_per_month": rnd([mu / months for mu in means], 3),
            "spearman_rho": rnd(rho, 3),
            "p_value": sig(p),
            "largest_rise_in_se": rnd(worst, 3),
        }

    fig = captioned_figure(
        "P3 · Militia violence falls as the patron's control rises — steeply near the baseline",
        f"{R:,} replicates per point (proxy world: 30 days, seed 5; baseline: 90 days, seed 7). "
        "Error bars: 95 % intervals of the mean. Lethal: it caused casualties. Test: test_p3_*",
        figsize=(12.5, 5.4),
    )
    axes = fig.subplots(1, 2)
    styles = {
        "proxy world": (axes[0], COLORS["blue"]),
        "baseline front groups": (axes[1], COLORS["red"]),
        "baseline both militias": (axes[1], COLORS["purple"]),
    }
    for sweep, (ax, color) in styles.items():
        row = out["sweeps"][sweep]
        for key, ls, marker, what in (
            ("attacks", "--", "s", "all attacks"),
            ("lethal", "-", "o", "lethal attacks"),
        ):
            y = np.array(row[key + "_per_month"])
            ci = np.array(row[key + "_ci95"])
            label = f"{sweep}: {what}" if ax is axes[1] else what
            ax.errorbar(
                row["control"],
                y,
                yerr=[y - ci[:, 0], ci[:, 1] - y],
                ls=ls,
                marker=marker,
                ms=3,
                color=color,
                capsize=2,
                lw=1.2,
                label=label,
            )
    band(axes[1], 1.0, 2.0, "F04: 1–2 attacks a month (post-truce)")
    axes[1].axvline(0.4, color=COLORS["red"], ls=":", lw=1, label="front groups' control (0.4)")
    axes[1].axvline(0.75, color=COLORS["purple"], ls=":", lw=1, label="KH's control (0.75)")
    axes[0].set_title("Proxy world (designs.proxy_data): one militia, no order", fontsize=10)
    axes[1].set_title("Baseline: Qaani's order in force until 20 Jan 2021", fontsize=10)
    for ax in axes:
        ax.set_yscale("symlog", linthresh=0.01, linscale=0.5)
        ax.set_ylim(0, 200)
        ax.set_xlabel("Militia control (weight of the patron's wish; P(obeying an order))")
        ax.set_ylabel("Per month (mean over replicates)")
        style_axes(ax)
        ax.legend(fontsize=7.5, frameon=True, framealpha=0.9, edgecolor="none", loc="upper right")
    save(fig, HERE / "p3_control.png")
    return out


# -- P4: windows and orders -----------------------------------------------------------------------

P4_STRENGTHS = (0.1, 0.2, 0.4)


def p4_windows() -> dict:
    """The spiral dyad with a window; each baseline restraint with and without it."""
    out: dict = {}
    with Builder() as build:
        mw = d.measure_p4_window(build, d.make_dyad)
        R, last = mw["replicates"], mw["last_day"]
        first = dict(mw["first_clash"])
        for s in P4_STRENGTHS:
            rec = build(d.spiral_dyad(d.make_dyad, d.window(s)), replicates=R).run()
            first[f"strength {s:g}"] = rec.first_clash.copy()
    before = {k: int(((v >= 0) & (v <= last)).sum()) for k, v in first.items()}
    out["dyad"] = {
        "replicates": R,
        "last_day": last,
        "clash_by_last_day": before,
        "p_clash_by_last_day": rnd({k: v / R for k, v in before.items()}),
        "p_clash_60_days": rnd({k: (v >= 0).mean() for k, v in first.items()}),
        "z": rnd(d.two_proportion_z(before["none"], R, before["window"], R), 3),
        "clash_on_day_after_window": {
            k: int((v == last + 1).sum()) for k, v in first.items() if k != "none"
        },
    }
    dyad_curves = {k: cumulative(v, 60) for k, v in first.items()}

    out["baseline"] = {}
    base_curves = {}
    for which in d.BASELINE_RESTRAINTS:
        _, names, rung, until = d.BASELINE_RESTRAINTS[which]
        with Builder() as build:
            m = d.measure_p4_baseline(build, which)
            curves, extra = {}, {}
            for label, model in zip(("with", "without"), build.models, strict=True):
                rec = model.recorder
                ev = d.events_of(rec)
                who = [model.index_of[n] for n in names]
                hit = (ev["rung"] >= model.ladder.index(rung)) & np.isin(ev["actor"], who)
                hit &= ~ev["forced"]
                curves[label] = cumulative(first_day(ev, hit, model), model.horizon)
                extra[label] = {
                    "p_clash_90_days": rnd((rec.first_clash >= 0).mean()),
                    "p_war_90_days": rnd((rec.first_war >= 0).mean()),
                    "broke_cap_90_days": int(curves[label][-1]),
                }
        Rb, a, b = m["replicates"], m["counts"]["with"], m["counts"]["without"]
        _, p = stats.fisher_exact([[a, Rb - a], [b, Rb - b]], alternative="less")
        out["baseline"][which] = {
            "replicates": Rb,
            "last_day": m["last_day"],
            "actors": names,
            "from_rung": rung,
            "with": a,
            "without": b,
            "fisher_p": sig(p),
            **{f"{k}_restraint": v for k, v in extra.items()},
        }
        base_curves[which] = curves

    fig = captioned_figure(
        "P4 · Restraint windows and orders hold back what they cover, until they lapse",
        f"Dyad: {R:,} replicates, seed 2024. Baseline: seed 7, replicates as in the tests "
        "(3,000 / 4,000 / 20,000). Bands: 95 % Wilson intervals. Tests: test_p4_*",
        figsize=(14, 8.2),
    )
    grid = fig.add_gridspec(2, 3)
    ax0 = fig.add_subplot(grid[0, :2])
    axb = fig.add_subplot(grid[0, 2])
    days = np.arange(60)
    palette = {
        "none": COLORS["red"],
        "strength 0.1": COLORS["orange"],
        "strength 0.2": COLORS["green"],
        "strength 0.4": COLORS["purple"],
        "window": COLORS["blue"],
    }
    for key, color in palette.items():
        label = {"none": "no window", "window": "window, strength 1"}.get(key, f"window, {key}")
        share_line(ax0, days, dyad_curves[key], R, color, label, drawstyle="steps-post")
    ax0.axvspan(-0.5, last + 0.5, color="#dfe9f5", alpha=0.6, zorder=0, label="window (days 0–29)")
    ax0.set_xlim(-0.5, 59.5)
    ax0.set_ylim(-0.02, 1.02)
    ax0.set_xlabel("Day (1 Jan 2024 = day 0)")
    ax0.set_ylabel("P(direct clash so far)")
    after = out["dyad"]["clash_on_day_after_window"]["window"]
    ax0.set_title(
        "Spiral dyad (offense bias 1.2): a full-strength window only delays the clash — "
        f"{after / R:.0%} of replicates clash on day 30, the day it lapses",
        fontsize=10,
    )
    ax0.legend(fontsize=8, frameon=True, framealpha=0.9, edgecolor="none", loc="center right")
    keys = list(palette)
    k = np.array([before[key] for key in keys])
    ci = np.array([wilson(a, R) for a in k])
    axb.bar(range(len(keys)), k / R * 100, color=[palette[key] for key in keys], alpha=0.85)
    axb.errorbar(
        range(len(keys)),
        k / R * 100,
        yerr=[(k / R - ci[:, 0]) * 100, (ci[:, 1] - k / R) * 100],
        fmt="none",
        ecolor="k",
        capsize=3,
    )
    for i, (a, top) in enumerate(zip(k, ci[:, 1], strict=True)):
        axb.text(i, top * 100 + 1.5, f"{a / R:.1%}", ha="center", fontsize=8)
    axb.set_xticks(range(len(keys)), ["none", "0.1", "0.2", "0.4", "1"], fontsize=8)
    axb.set_xlabel("Window strength")
    axb.set_ylabel("P(direct clash by day 29), %")
    axb.set_ylim(0, 112)
    axb.set_title("Dyad: clash before the window ends", fontsize=10)
    titles = {
        "Qaani's order": "Qaani's order: militias above a verbal threat",
        "Iran's window": "Iran's window: Iran above covert action",
        "US window": "US window: US major strikes",
    }
    start = load_scenario(d.BASELINE).start
    for col, which in enumerate(d.BASELINE_RESTRAINTS):
        ax = fig.add_subplot(grid[1, col])
        row, curves = out["baseline"][which], base_curves[which]
        Rb = row["replicates"]
        x = np.arange(len(curves["with"]))
        share_line(
            ax, x, curves["without"], Rb, COLORS["red"], "without it", drawstyle="steps-post"
        )
        share_line(ax, x, curves["with"], Rb, COLORS["blue"], "with it", drawstyle="steps-post")
        ax.axvline(row["last_day"] + 0.5, color=COLORS["grey"], ls=":", lw=1)
        until = start + dt.timedelta(days=row["last_day"])
        ax.text(
            row["last_day"] + 1.5,
            0.9,
            f"lapses after\n{until.day} {until:%b}",
            fontsize=7.5,
            color=COLORS["grey"],
            transform=ax.get_xaxis_transform(),
        )
        ax.set_title(
            f"{titles[which]}\nby its last day: {row['with']:,} with, {row['without']:,} without "
            f"(of {Rb:,})",
            fontsize=9,
        )
        ax.set_xlabel("Day of the baseline (20 Dec 2020 = 0)")
        top = max(curves["without"][-1], curves["with"][-1]) / Rb
        ax.set_ylim(0, top * 1.25)
        if col == 0:
            ax.set_ylabel("Share of replicates that broke the cap so far")
            ax.legend(fontsize=8, frameon=False, loc="upper left")
        style_axes(ax)
    for ax in (ax0, axb):
        style_axes(ax)
    save(fig, HERE / "p4_windows.png")
    return out


# -- P5: deterrence -------------------------------------------------------------------------------

P5_DYAD_GRID = [round(v, 2) for v in np.arange(0.0, 0.601, 0.05)]
P5_BASE_GRID = [round(v, 2) for v in np.arange(0.2, 1.001, 0.05)]


def p5_deterrence() -> dict:
    """Initiation of violence against perceived resolve and capability."""
    R = d.P5_REPLICATES
    out: dict = {"replicates": R, "dyad": {}, "test": {}}
    for how in d.DETERRENCE_WAYS:
        with Builder() as build:
            m = d.measure_p5_dyad(build, d.make_dyad, how, P5_DYAD_GRID, R)
        started = subset(P5_DYAD_GRID, m["started"], d.DETERRENCE_LEVELS)
        out["dyad"][how] = {"level": P5_DYAD_GRID, "started": m["started"]}
        out["test"][how] = {
            "level": list(d.DETERRENCE_LEVELS),
            "started": started,
            "p_started": rnd(np.array(started) / R),
            "red_first": m["red_first"],
            "cochran_armitage_z": rnd(
                d.cochran_armitage(d.DETERRENCE_LEVELS, started, [R] * len(started)), 3
            ),
            "largest_reversal_z": rnd(d.largest_reversal(started, R, -1), 3),
        }
    with Builder() as build:
        m = d.measure_p5_baseline(build, P5_BASE_GRID, R)
    out["baseline"] = {"level": P5_BASE_GRID, "opened": m["opened"], "clash": m["clash"]}
    opened = subset(P5_BASE_GRID, m["opened"], d.US_RESOLVE_ESTIMATES)
    out["test"]["baseline US resolve"] = {
        "level": list(d.US_RESOLVE_ESTIMATES),
        "opened": opened,
        "p_opened": rnd(np.array(opened) / R),
        "p_clash": rnd(np.array(subset(P5_BASE_GRID, m["clash"], d.US_RESOLVE_ESTIMATES)) / R),
        "cochran_armitage_z": rnd(
            d.cochran_armitage(d.US_RESOLVE_ESTIMATES, opened, [R] * len(opened)), 3
        ),
    }

    fig = captioned_figure(
        "P5 · The stronger the adversary looks, the less often violence is started",
        f"{R:,} replicates per point. Dyad: seed 99, 30 days; baseline: seed 7, 90 days. "
        "Bands: 95 % Wilson intervals. Tests: test_p5_*",
        figsize=(12.5, 5.2),
    )
    ax1, ax2 = fig.subplots(1, 2)
    for how, color, ls in (
        ("resolve_estimate", COLORS["blue"], "-"),
        ("capability_estimate", COLORS["orange"], "--"),
        ("true capability", COLORS["green"], ":"),
    ):
        label = {
            "resolve_estimate": "Blue's estimate of Red's resolve",
            "capability_estimate": "Blue's estimate of Red's capability",
            "true capability": "Red's true capability (no estimate set)",
        }[how]
        share_line(
            ax1,
            P5_DYAD_GRID,
            out["dyad"][how]["started"],
            R,
            color,
            label,
            shade=how == "resolve_estimate",
            ls=ls,
            lw=1.8,
        )
    ax1.set_xlabel("Value swept (the other factor stays at 0.6)")
    ax1.set_ylabel("P(Blue starts violence within 30 days)")
    ax1.set_title(
        "Dyad: aggrieved Blue, calm Red (the curves coincide:\n"
        "expected retaliation is resolve × capability × reach)",
        fontsize=9.5,
    )
    ax1.legend(fontsize=8, frameon=False)
    for key, color, label in (
        ("opened", COLORS["red"], "P(the first violence is Iran's side against the US)"),
        ("clash", COLORS["purple"], "P(direct clash)"),
    ):
        share_line(ax2, P5_BASE_GRID, out["baseline"][key], R, color, label, marker="o", ms=3)
    for x, y, text in ((0.6, 0.8, "true US resolve\nuntil 20 Jan"), (0.45, 0.55, "after 20 Jan")):
        ax2.axvline(x, color=COLORS["grey"], ls=":", lw=1)
        ax2.text(x + 0.01, y, text, fontsize=7.5, color=COLORS["grey"])
    ax2.set_xlabel("Everyone's (fixed) estimate of US resolve")
    ax2.set_ylabel("Probability over the 90 days")
    ax2.set_title("Baseline: Iran's side deterred by perceived US resolve", fontsize=10)
    ax2.legend(fontsize=8, frameon=False, loc="upper right")
    ax2.set_ylim(-0.02, 1.02)
    for ax in (ax1, ax2):
        style_axes(ax)
    save(fig, HERE / "p5_deterrence.png")
    return out


# -- P8 calibration, P9 targeted retaliation, P10 endings -----------------------------------------


def retaliation_rule(model: EscalationModel, ev: dict, window: int = 2) -> dict:
    """F07 / F08 from the event log: does the US make a violent move within ``window`` days.

    ``deadly``: every militia attack on the US that killed an American. ``harmless``: every
    militia attack on the US that killed no one, with no American killed by a militia in the
    three days before (so that an answer cannot be to an earlier death). ``first harmless``: the
    replicate's first militia attack on the US, if it killed no one and the US had used no
    violence before. Attacks within ``window`` days of the horizon are left out. ``lags``: for the
    first deadly attack of each replicate (no US violence before it), the days to the first US
    violent move (0: none within a week).
    """
    us, mil = model.index_of["US"], d.militias(model)
    violent = model.ladder.violent[ev["rung"]]
    counts = {k: [0, 0] for k in ("deadly", "harmless", "first harmless")}
    targets = {"militia": 0, "Iran": 0}
    lags = []
    for a, b in by_replicate(ev):
        actor, target, day = ev["actor"][a:b], ev["target"][a:b], ev["day"][a:b]
        deaths = ev["deaths"][a:b]
        attack = np.isin(actor, mil) & (target == us) & violent[a:b]
        us_days = np.unique(day[(actor == us) & violent[a:b]])
        deadly_days = np.unique(day[attack & (deaths > 0)])
        first_attack = True
        for i in np.flatnonzero(attack):
            t = day[i]
            if t + window >= model.horizon:
                continue
            answered = bool(((us_days > t) & (us_days <= t + window)).any())
            if deaths[i] > 0:
                counts["deadly"][0] += answered
                counts["deadly"][1] += 1
            elif not ((deadly_days >= t - 3) & (deadly_days <= t)).any():
                counts["harmless"][0] += answered
                counts["harmless"][1] += 1
                if first_attack and not (us_days <= t).any():
                    counts["first harmless"][0] += answered
                    counts["first harmless"][1] += 1
            first_attack = False
        if len(deadly_days):
            t0 = deadly_days[0]
            if not (us_days <= t0).any():
                later = us_days[(us_days > t0) & (us_days <= t0 + 7)]
                lags.append(int(later[0] - t0) if len(later) else 0)
                if len(later):
                    hit = target[(actor == us) & violent[a:b] & (day == later[0])]
                    targets["militia" if np.isin(hit, mil).any() else "Iran"] += 1
    return {
        k: {"answered": v[0], "n": v[1], "p": rnd(v[0] / v[1] if v[1] else np.nan)}
        for k, v in counts.items()
    } | {"first_deadly_lag_days": np.bincount(lags, minlength=8).tolist(), "targets": targets}


def p8_baseline() -> dict:
    """Calibration of the baseline (F04, F06, F07/F08, F19), P9, and the endings of P10."""
    out: dict = {}
    with Builder(event_log="all") as build:
        m = d.measure_p8_baseline(build)
        model, rec, ev = m["model"], m["rec"], m["events"]
        R, months = model.replicates, m["months"]
        lad, mil = model.ladder, d.militias(model)
        us, iran = model.index_of["US"], model.index_of["Iran"]
        violent = lad.violent[ev["rung"]]
        attack = np.isin(ev["actor"], mil) & violent
        per_rep = m["attacks"]
        rate = per_rep / months
        mean, lo99, hi99 = mean_ci(rate, d.Z99)
        _, lo95, hi95 = mean_ci(rate)
        order_day = (TRANSITION - model.scenario.start).days
        first_attack = first_day(ev, attack, model)
        bins = {
            "0": (0, 0),
            "1–2": (1, 2),
            "3–6 (F04)": (3, 6),
            "7–15": (7, 15),
            "16+": (16, 10**9),
        }
        daily = np.array(
            [len(np.unique(ev["replicate"][attack & (ev["day"] == t)])) for t in range(90)]
        )
        before = attack & (ev["day"] < order_day)
        after = attack & (ev["day"] >= order_day)
        out["attack_rate"] = {
            "replicates": R,
            "mean_per_month": rnd(mean, 3),
            "ci95": rnd([lo95, hi95], 3),
            "ci99": rnd([lo99, hi99], 3),
            "band": list(d.ATTACK_RATE_BAND),
            "median": rnd(np.median(rate), 3),
            "quantiles_50_75_90_95_99": rnd(np.quantile(rate, [0.5, 0.75, 0.9, 0.95, 0.99]), 3),
            "share_no_attack": rnd((per_rep == 0).mean()),
            "attacks_in_90_days": {
                k: rnd(((per_rep >= lo) & (per_rep <= hi)).mean()) for k, (lo, hi) in bins.items()
            },
            "mean_attacks_where_any": rnd(per_rep[per_rep > 0].mean(), 3),
            "share_of_attacks_in_16_plus": rnd(per_rep[per_rep >= 16].sum() / per_rep.sum()),
            "per_month_in_16_plus": rnd(per_rep[per_rep >= 16].mean() / months, 3),
            "share_with_attack_on_day_0": rnd(daily[0] / R),
            "share_first_attack_in_first_week": rnd(
                ((first_attack >= 0) & (first_attack < 7)).sum() / max((first_attack >= 0).sum(), 1)
            ),
            "per_month_before_20_jan": rnd(before.sum() / R / (order_day / d.DAYS_PER_MONTH), 3),
            "per_month_from_20_jan": rnd(
                after.sum() / R / ((model.horizon - order_day) / d.DAYS_PER_MONTH), 3
            ),
            "by_actor": {model.names[a]: int((attack & (ev["actor"] == a)).sum()) for a in mil},
        }
        on_us = attack & (ev["target"] == us)
        quiet_rep = np.isin(ev["replicate"], np.flatnonzero(per_rep <= 6) + model.first_replicate)
        rows = {
            "all attacks on the US (tested)": on_us,
            "replicates with ≤ 6 attacks": on_us & quiet_rep,
            "replicates with > 6 attacks": on_us & ~quiet_rep,
            "harassment": on_us & (ev["rung"] == lad.index("harassment")),
            "lethal attack": on_us & (ev["rung"] == lad.index("lethal_attack")),
        }
        deaths = {}
        for label, mask in rows.items():
            k, n = int((ev["deaths"][mask] > 0).sum()), int(mask.sum())
            deaths[label] = {
                "k": k,
                "n": n,
                "p": rnd(k / n if n else np.nan),
                "ci95": rnd(wilson(k, n)),
            }
        k, n = m["deadly"], m["attacks_on_us"]
        deaths["all attacks on the US (tested)"]["ci99"] = rnd(wilson(k, n, d.Z99))
        out["deaths_per_attack"] = deaths | {"band": rnd(d.DEATH_BAND)}
        out["retaliation"] = retaliation_rule(model, ev)
        out["p9_us_answers"] = d.us_answers(model, m["events"])
        sof, bu = lad.index("show_of_force"), lad.index("build_up")
        us_sof = (ev["actor"] == us) & (ev["rung"] == sof)
        us_bu = (ev["actor"] == us) & (ev["rung"] == bu)
        sof_rep = per_replicate(ev, us_sof, model) / months
        out["posture"] = {
            "us_show_of_force_per_month": rnd(sof_rep.mean(), 3),
            "us_show_of_force_per_month_quantiles_25_50_75": rnd(
                np.quantile(sof_rep, [0.25, 0.5, 0.75]), 3
            ),
            "us_show_of_force_at_iran_per_month": rnd(
                (us_sof & (ev["target"] == iran)).sum() / R / months, 3
            ),
            "us_show_of_force_share_at_militias": rnd(
                (us_sof & np.isin(ev["target"], mil)).sum() / us_sof.sum()
            ),
            "us_show_of_force_per_month_no_militia_attack": rnd(sof_rep[per_rep == 0].mean(), 3),
            "us_build_up_per_month": rnd(us_bu.sum() / R / months, 3),
            "us_build_up_at_iran_per_month": rnd(
                (us_bu & (ev["target"] == iran)).sum() / R / months, 3
            ),
            "f19_per_month": rnd(3 / 45 * d.DAYS_PER_MONTH, 3),
        }
        codes = rec.outcome_codes()
        chosen = rec.outcome_codes(chosen=True)
        states = [us, iran]
        fv = rec.first_violence >= 0
        opener = np.full(R, -1)
        first_v = violent & ~ev["forced"]
        fday = first_day(ev, first_v, model)
        on_first = first_v & (ev["day"] == fday[ev["replicate"] - model.first_replicate])
        opener[ev["replicate"][on_first] - model.first_replicate] = ev["actor"][on_first]
        by_militia = fv & np.isin(opener, mil)
        out["baseline"] = {
            "outcomes": {o: rnd((codes == i).mean()) for i, o in enumerate(OUTCOMES)},
            "outcomes_chosen": {o: rnd((chosen == i).mean()) for i, o in enumerate(OUTCOMES)},
            "conciliatory_per_month": {
                model.names[a]: rnd(rec.conciliatory[a].mean() / months, 3) for a in range(model.n)
            },
            "state_conciliatory_moves": int(rec.conciliatory[states].sum()),
            "violence": int(fv.sum()),
            "accidental": int(rec.accidental.sum()),
            "share_accidental": rnd(rec.accidental.sum() / fv.sum(), 3),
            "first_violence_by_militia": int(by_militia.sum()),
            "share_accidental_where_militia_opened": rnd(
                rec.accidental[by_militia].mean() if by_militia.any() else np.nan, 3
            ),
            "red_lines_tripped": {
                model.names[a]: int(rec.red_lines_tripped[a].sum()) for a in range(model.n)
            },
            "velocity_median": rnd(np.median(rec.velocity()), 3),
        }
        hist_edges = np.arange(0, 91)
        histogram = np.histogram(per_rep, bins=np.r_[hist_edges, 10**6])[0]
        conc = out["baseline"]["conciliatory_per_month"]

    # the wars: a long baseline run, the scenario files' wars come with the table
    with Builder() as build:
        model = build(load_scenario(d.BASELINE), replicates=20000, seed=7, event_log="all")
        rec = model.run()
        ev = d.events_of(rec)
        wars = np.flatnonzero(rec.first_war >= 0)
        # the gestures a ceasefire needs: each state's conciliatory moves once its war has begun
        at_war = np.isin(ev["replicate"], wars + model.first_replicate)
        at_war &= ev["day"] >= rec.first_war[ev["replicate"] - model.first_replicate]
        gestures = at_war & model.ladder.conciliatory[ev["rung"]]
        gestures_by = {
            model.names[a]: {
                model.names[k]: int((gestures & (ev["actor"] == a) & (ev["target"] == k)).sum())
                for k in range(model.n)
                if k != a
            }
            for a in (us, iran)
        }
        direct = model.is_state[ev["actor"]] & model.is_state[ev["target"]]
        direct &= model.ladder.violent[ev["rung"]]
        last = np.full(model.replicates, -1)
        np.maximum.at(last, ev["replicate"][direct], ev["day"][direct])
        war_start, war_last = rec.first_war[wars].copy(), last[wars]
        war_end = rec.first_ceasefire[wars].copy()  # -1: no ceasefire by the horizon
        fighting = war_last - war_start + 1
        quiet_at_end = model.horizon - 1 - last[wars]
        clash = rec.first_clash >= 0
        recovered = clash & (rec.deescalation_day >= 0)
        out["wars"] = {
            "replicates": model.replicates,
            "wars": int(len(wars)),
            "ceasefires": int((rec.first_ceasefire[wars] >= 0).sum()),
            "first_war_day_quantiles_10_50_90": rnd(
                np.quantile(rec.first_war[wars], [0.1, 0.5, 0.9]), 3
            ),
            "days_fighting_median": rnd(np.median(fighting), 3),
            "days_at_war_median": rnd(np.median(rec.war_days[wars]), 3),
            "quiet_days_at_end_median": rnd(np.median(quiet_at_end), 3),
            "share_quiet_last_10_days": rnd((quiet_at_end >= 10).mean(), 3),
            "clashes": int(clash.sum()),
            "share_clash_deescalated": rnd(recovered.sum() / clash.sum(), 3),
            "days_clash_to_deescalation_median": rnd(
                np.median(rec.deescalation_day[recovered] - rec.first_clash[recovered]), 3
            ),
            "conciliatory_moves_after_war_began": gestures_by,
        }
        for key, dyn in (
            ("default", {}),
            ("no weariness", {"war_weariness": 0.0, "weariness_per_casualty": 0.0}),
        ):
            rec = build(d.war_dyad(d.make_dyad, **dyn)).run()
            ended = rec.first_ceasefire >= 0
            out["wars"][f"dyad_{key}"] = {
                "replicates": len(ended),
                "ceasefires": int(ended.sum()),
                "days_to_ceasefire_median": rnd(np.median(rec.first_ceasefire[ended]), 3)
                if ended.any()
                else None,
                "mean_days_at_war": rnd(rec.war_days.mean(), 3),
            }
            if key == "default":
                dyad_days = rec.first_ceasefire[ended]

    # -- figure: calibration ------------------------------------------------------------------
    fig = captioned_figure(
        "P8 · Calibration of the baseline: the averages fit, the typical replicate does not",
        f"Baseline, {R:,} replicates, seed 7, 90 days from 20 Dec 2020 (event log of every move). "
        "Intervals: 95 % (Wilson for proportions). Tests: test_p8_baseline_*, test_p9_*",
        figsize=(14, 8.6),
    )
    axes = fig.subplots(2, 3)
    ax = axes[0, 0]
    cats = list(out["attack_rate"]["attacks_in_90_days"])
    shares = [out["attack_rate"]["attacks_in_90_days"][c] for c in cats]
    colors = [COLORS["blue"] if "F04" in c else COLORS["grey"] for c in cats]
    ax.bar(range(len(cats)), np.array(shares) * 100, color=colors, alpha=0.85)
    for i, s in enumerate(shares):
        ax.text(i, s * 100 + 1, f"{s:.1%}", ha="center", fontsize=8)
    ax.set_xticks(range(len(cats)), cats, fontsize=8)
    ax.set_xlabel("Militia attacks in the replicate's 90 days")
    ax.set_ylabel("Share of replicates, %")
    ax.set_ylim(0, 100)
    ar = out["attack_rate"]
    ax.set_title(
        f"Mean {ar['mean_per_month']:.2f} a month (99 %: {ar['ci99'][0]:.2f}–{ar['ci99'][1]:.2f}),"
        f"\nmedian {ar['median']:.0f}: F04's 1–2 a month (blue) is rare",
        fontsize=9,
    )
    ax = axes[0, 1]
    days = np.arange(90)
    share_line(
        ax, days, daily, R, COLORS["blue"], "model: share of replicates with a militia attack"
    )
    f04 = 1 - np.exp(-1.5 / d.DAYS_PER_MONTH)
    ax.axhline(f04, color=COLORS["history"], ls="--", lw=1, label="F04: 1–2 a month as P(≥1 a day)")
    ax.axvline(order_day - 0.5, color=COLORS["grey"], ls=":", lw=1)
    ax.text(
        order_day + 1,
        1.5e-3,
        "20 Jan: order lapses,\nnew US administration",
        fontsize=7.5,
        color=COLORS["grey"],
    )
    ax.set_yscale("log")
    ax.set_ylim(1e-3, 0.5)
    ax.set_xlabel("Day (20 Dec 2020 = 0)")
    ax.set_ylabel("Share of replicates, per day")
    ax.set_title("When the militias attack: mostly in the first days", fontsize=9)
    ax.legend(fontsize=7.5, frameon=False, loc="upper right")
    ax = axes[0, 2]
    labels = list(rows)
    for i, label in enumerate(labels):
        row = deaths[label]
        if not row["n"]:
            continue
        p, (lo, hi) = row["p"], row["ci95"]
        ax.errorbar([p], [i], xerr=[[p - lo], [hi - p]], fmt="o", color=COLORS["blue"], capsize=3)
        ax.text(0.45, i, f"{p:.3f} ({row['k']}/{row['n']:,})", va="center", fontsize=7.5)
    i = len(labels)
    lo, hi = d.DEATH_BAND
    ax.errorbar([2 / 78], [i], xerr=[[2 / 78 - lo], [hi - 2 / 78]], fmt="D", color="k", capsize=3)
    ax.text(0.45, i, "0.026 (2/78)", va="center", fontsize=7.5)
    band(ax, lo, hi, None, axis="x")
    ax.set_yticks(range(i + 1), [*labels, "F06: attacks that killed an American"], fontsize=7.5)
    ax.set_ylim(i + 0.6, -0.6)
    ax.set_xscale("log")
    ax.set_xlim(0.003, 1.5)
    ax.set_xlabel("P(an American killed | militia attack) (log)")
    ax.set_title("Deaths per attack against F06 (band: its 95 % interval)", fontsize=9)
    ax = axes[1, 0]
    ret = out["retaliation"]
    items = [
        ("deadly", "killed an American\n(F07: 2 of 2)", 1.0),
        ("harmless", "killed no one\n(F08: none)", 0.0),
        ("first harmless", "first attack, killed\nno one, US not yet\nat arms (F08)", 0.0),
    ]
    for i, (key, _, hist) in enumerate(items):
        k, n = ret[key]["answered"], ret[key]["n"]
        lo, hi = wilson(k, n)
        ax.bar(i, k / n, color=COLORS["blue"], alpha=0.8, label="model" if i == 0 else None)
        ax.errorbar(i, k / n, yerr=[[k / n - lo], [hi - k / n]], color="k", capsize=4)
        ax.plot(i, hist, "D", color="k", ms=6, label="history" if i == 0 else None)
        ax.text(i + 0.3, max(k / n, 0.02) + 0.02, f"{k / n:.1%}\n{k:,}/{n:,}", fontsize=7.5)
    ax.set_xticks(range(3), [t for _, t, _ in items], fontsize=7.5)
    ax.set_xlim(-0.6, 2.9)
    ax.set_ylim(0, 1.1)
    ax.set_ylabel("P(US violent move within 2 days)")
    ax.set_title("Retaliation rule after militia attacks on the US (F07, F08)", fontsize=9)
    ax.legend(fontsize=7.5, frameon=False, loc="center right")
    ax = axes[1, 1]
    lags = np.array(ret["first_deadly_lag_days"])
    x = np.arange(8)
    ax.bar(x, lags, color=[COLORS["grey"]] + [COLORS["blue"]] * 7, alpha=0.85)
    ax.set_xticks(x, ["none"] + [str(i) for i in range(1, 8)])
    ax.axvspan(0.5, 2.5, color=COLORS["band"], alpha=0.6, zorder=0, label="F07: 1–2 days")
    ans = out["p9_us_answers"]
    ax.set_title(
        f"P9: first US strike after the first deadly attack\nhits the militia {ans['militia']}×, "
        f"Iran {ans['patron']}×, none within a week {ans['none']}×",
        fontsize=9,
    )
    ax.set_xlabel("Days from the attack to the first US violent move")
    ax.set_ylabel("Replicates")
    ax.legend(fontsize=7.5, frameon=False)
    ax = axes[1, 2]
    post = out["posture"]
    names = [
        "show of force\n(any target)",
        "show of force\nat Iran",
        "build-up\n(any target)",
        "build-up\nat Iran",
    ]
    vals = [
        post["us_show_of_force_per_month"],
        post["us_show_of_force_at_iran_per_month"],
        post["us_build_up_per_month"],
        post["us_build_up_at_iran_per_month"],
    ]
    ax.bar(range(4), vals, color=COLORS["blue"], alpha=0.8)
    for i, v in enumerate(vals):
        ax.text(i, v + 0.05, f"{v:.2f}", ha="center", fontsize=8)
    ax.axhline(
        post["f19_per_month"],
        color="k",
        ls="--",
        lw=1,
        label=f"F19: B-52 missions near Iran, {post['f19_per_month']:.1f} a month",
    )
    ax.set_xticks(range(4), names, fontsize=7.5)
    ax.set_ylabel("US moves per month (mean over replicates)")
    ax.set_title("US posture (F19): frequent, but aimed at the militias", fontsize=9)
    ax.legend(fontsize=7.5, frameon=False, loc="upper right")
    ax.set_ylim(0, max(vals + [post["f19_per_month"]]) * 1.35)
    for ax in axes.flat:
        style_axes(ax)
    save(fig, HERE / "p8_calibration.png")
    out["attack_histogram"] = histogram.tolist()

    # -- figure: endings (P10) ---------------------------------------------------------------------
    w = out["wars"]
    fig = captioned_figure(
        "P10 · How crises end: conciliation by choice, weariness, and ceasefires",
        f"Baseline, seed 7 ({R:,} replicates for the moves, {w['replicates']:,} for the wars); "
        "war dyad (tests/test_mechanisms.py): 300 replicates, seed 21. Test: test_p10_*",
        figsize=(13, 4.8),
    )
    ax1, ax2, ax3 = fig.subplots(1, 3)
    names = list(conc)
    ax1.bar(range(len(names)), [conc[n] for n in names], color=COLORS["green"], alpha=0.85)
    for i, n in enumerate(names):
        ax1.text(i, conc[n] + 0.01, f"{conc[n]:.2f}", ha="center", fontsize=8)
    ax1.set_xticks(range(len(names)), names, fontsize=8)
    ax1.set_ylabel("Conciliatory moves per month (all chosen)")
    ax1.set_title("Baseline: who offers de-escalation", fontsize=10)
    ax2.hist(dyad_days, bins=np.arange(0, 121, 5), color=COLORS["blue"], alpha=0.85)
    dy = w["dyad_default"]
    ax2.set_title(
        f"War dyad: {dy['ceasefires']} of {dy['replicates']} wars end in a ceasefire\n"
        f"(median day {dy['days_to_ceasefire_median']:.0f}); without weariness "
        f"{w['dyad_no weariness']['ceasefires']}",
        fontsize=9.5,
    )
    ax2.set_xlabel("Day of the ceasefire (war from day 0)")
    ax2.set_ylabel("Replicates")
    order = np.argsort(war_start, kind="stable")
    for y, j in enumerate(order):
        ax3.plot([war_start[j], war_last[j] + 1], [y, y], color=COLORS["red"], lw=1.6)
        if war_end[j] >= 0:
            ax3.plot(war_end[j], y, "|", color=COLORS["green"], ms=5, mew=1.6)
        else:
            ax3.plot([war_last[j] + 1, 90], [y, y], color=COLORS["grey"], lw=0.8, ls=":")
    ax3.plot(
        [], [], color=COLORS["red"], lw=1.6, label="first war move to last state-on-state violence"
    )
    ax3.plot([], [], "|", color=COLORS["green"], ms=5, mew=1.6, label="ceasefire")
    ax3.plot(
        [],
        [],
        color=COLORS["grey"],
        lw=0.8,
        ls=":",
        label="no ceasefire by the horizon: still 'at war'",
    )
    ax3.axvline(order_day - 0.5, color=COLORS["grey"], ls=":", lw=1)
    ax3.set_xlim(0, 90)
    ax3.set_ylim(len(order), -1)
    ax3.set_yticks([])
    ax3.set_title(
        f"Baseline: {w['ceasefires']} of {w['wars']} wars end in a ceasefire\n"
        f"(one line per war, {w['replicates']:,} replicates)",
        fontsize=9.5,
    )
    ax3.set_xlabel("Day (20 Dec 2020 = 0; dotted: 20 Jan)")
    ax3.set_ylabel("Replicates at war")
    ax3.legend(fontsize=7.5, frameon=True, framealpha=0.9, edgecolor="none", loc="lower left")
    for ax in (ax1, ax2, ax3):
        style_axes(ax)
    save(fig, HERE / "p10_endings.png")
    return out


# -- P8: the hindcast -----------------------------------------------------------------------------

HISTORY = (
    # (date, id, short label), from seeds/article_2021-01-01_independent.yaml
    (dt.date(2019, 12, 27), "E02", "K-1 rocketed, 1 American killed"),
    (dt.date(2019, 12, 29), "E03", "US strikes 5 KH sites"),
    (dt.date(2019, 12, 31), "E04", "embassy compound stormed"),
    (dt.date(2020, 1, 3), "E05", "Soleimani & al-Muhandis killed"),
    (dt.date(2020, 1, 8), "E07/E09", "Iran's warned strike; US: sanctions"),
)
VARIANTS = ("calibrated", "removed", "deadly", "no satiation")


def p8_hindcast() -> dict:
    """The hindcast's three variants of Iran's strike (and one without satiation)."""
    out: dict = {"variants": {}}
    curves, esc = {}, {}
    for variant in VARIANTS:
        strike = "calibrated" if variant == "no satiation" else variant
        transform = with_dynamics(satiation=0.0) if variant == "no satiation" else None
        with Builder(transform) as build:
            h = d.measure_hindcast(build, strike)
            model = build.models[-1]
            rec = model.recorder
            ev = d.events_of(rec)
            R, sd = h["replicates"], h["strike_day"]
            direct = model.is_state[ev["actor"]] & model.is_state[ev["target"]]
            direct &= model.ladder.violent[ev["rung"]] & ~ev["forced"] & (ev["day"] > sd)
            curves[variant] = cumulative(first_day(ev, direct, model), model.horizon)
            esc[variant] = np.quantile(rec.escalation, [0.25, 0.5, 0.75], axis=1)
            war = rec.first_war >= 0
            out["variants"][variant] = {
                "stopped": h["stopped"],
                "p_stopped": rnd(h["stopped"] / R),
                "stopped_ci99": rnd(wilson(h["stopped"], R, d.Z99)),
                "war": h["war"],
                "p_war": rnd(h["war"] / R),
                "war_ci99": rnd(wilson(h["war"], R, d.Z99)),
                "ceasefires": int((rec.first_ceasefire[war] >= 0).sum()),
                "median_escalation_strike_day": rnd(h["escalation"][sd], 4),
                "median_escalation_30_days_later": rnd(h["escalation"][sd + 30], 4),
            }
            if variant == "calibrated":
                out["departures"] = hindcast_departures(model, rec, ev, sd)
                start, horizon = model.scenario.start, model.horizon
                lad, mil = model.ladder, d.militias(model)
                attack = np.isin(ev["actor"], mil) & lad.violent[ev["rung"]] & ~ev["forced"]
                daily_attack = np.array(
                    [
                        len(np.unique(ev["replicate"][attack & (ev["day"] == t)]))
                        for t in range(horizon)
                    ]
                )
    cal = out["variants"]["calibrated"]["stopped"]
    for other in ("removed", "deadly", "no satiation"):
        k = out["variants"][other]["stopped"]
        _, p = stats.fisher_exact([[k, R - k], [cal, R - cal]], alternative="less")
        out["variants"][other]["fisher_p_vs_calibrated"] = sig(p)
    out["replicates"] = R

    fig = captioned_figure(
        "P8 · Hindcast 20 Dec 2019 – 3 Mar 2020: after the forced spiral, the model stops — if "
        "Iran's strike is the calibrated one",
        f"scenarios/hindcast_2019_2020.yaml, {R:,} replicates per variant, seed 7. Moves of "
        "27 Dec – 8 Jan are forced (E02–E07); from 9 Jan nothing is. "
        "Bands: 95 % Wilson / interquartile. Test: test_p8_hindcast_*",
        figsize=(14, 8.4),
    )
    grid = fig.add_gridspec(2, 2, width_ratios=[1.25, 1])
    ax1 = fig.add_subplot(grid[0, 0])
    ax2 = fig.add_subplot(grid[1, 0], sharex=ax1)
    ax3 = fig.add_subplot(grid[0, 1])
    ax4 = fig.add_subplot(grid[1, 1])
    noon = dt.datetime.combine(start, dt.time(12))
    dates = np.array([noon + dt.timedelta(days=t) for t in range(horizon)])
    palette = {
        "calibrated": COLORS["blue"],
        "removed": COLORS["orange"],
        "deadly": COLORS["red"],
        "no satiation": COLORS["purple"],
    }
    text = {
        "calibrated": "strike as history (no deaths)",
        "removed": "strike removed",
        "deadly": "strike kills\nten Americans",
        "no satiation": "as history, satiation 0",
    }
    for v, color in palette.items():
        share_line(ax1, dates, curves[v], R, color, text[v], drawstyle="steps-post")
        q = esc[v]
        ax2.plot(dates, q[1], color=color, lw=1.4, label=text[v])
        ax2.fill_between(dates, q[0], q[2], color=color, alpha=0.12, lw=0)
    ax1.set_ylim(-0.02, 1.02)
    ax1.set_ylabel("P(unforced state-on-state\nviolence since 9 Jan)")
    ax1.legend(fontsize=8, frameon=False, loc="upper left")
    ax2.set_yscale("log")
    ax2.set_ylim(1, 2000)
    ax2.set_ylabel("Escalation index (median, IQR)")
    ax2.xaxis.set_major_formatter(mdates.DateFormatter("%d %b\n%Y"))
    ax2.set_xlabel("Date")
    for ax in (ax1, ax2):
        for i, (date, _, _) in enumerate(HISTORY):
            midday = dt.datetime.combine(date, dt.time(12))
            ax.axvline(midday, color="#444444", ls=":", lw=0.9, zorder=0)
            if ax is ax1:
                ax.annotate(
                    f"{i + 1}",
                    (midday, 1.06),
                    xycoords=("data", "axes fraction"),
                    ha="center",
                    fontsize=7.5,
                    bbox={"boxstyle": "circle,pad=0.15", "fc": "white", "ec": "#444444"},
                )
    ax1.tick_params(labelbottom=False)
    names = list(palette)
    x = np.arange(len(names))
    for key, off, color, label in (
        ("stopped", -0.2, COLORS["green"], "round stopped after 8 Jan"),
        ("war", 0.2, COLORS["purple"], "war by 3 Mar"),
    ):
        k = np.array([out["variants"][v][key] for v in names])
        ci = np.array([wilson(a, R) for a in k])
        ax3.bar(x + off, k / R, width=0.38, color=color, alpha=0.85, label=label)
        ax3.errorbar(
            x + off, k / R, yerr=[k / R - ci[:, 0], ci[:, 1] - k / R], fmt="none", ecolor="k"
        )
        for xi, a in zip(x + off, k, strict=True):
            label = f"{a / R:.0%}" if a / R >= 0.1 else f"{a / R:.1%}"
            ax3.text(xi, a / R + 0.03, label, ha="center", fontsize=7.5)
    ax3.set_xticks(
        x, [text[v].replace(", ", ",\n").replace(" (", "\n(") for v in names], fontsize=7.5
    )
    ax3.set_ylim(0, 1.12)
    ax3.set_ylabel("Share of replicates")
    ax3.set_title("What stops the round: the strike settles the score", fontsize=10)
    ax3.legend(fontsize=8, frameon=False, loc="upper right")
    dep = out["departures"]
    share_line(
        ax4, dates, daily_attack, R, COLORS["green"], "model: unforced militia attack that day"
    )
    f05 = 1 - np.exp(-9 / 35)
    f02 = 1 - np.exp(-4.5 / d.DAYS_PER_MONTH)
    k1 = (dt.date(2019, 12, 27) - start).days
    ax4.hlines(f05, dates[0], dates[k1], color="k", ls="--", lw=1, label="F05 / F02 as P(≥1 a day)")
    ax4.hlines(f02, dates[sd + 1], dates[-1], color="k", ls="--", lw=1)
    ax4.set_yscale("log")
    ax4.set_ylim(1e-4, 1.2)
    ax4.xaxis.set_major_formatter(mdates.DateFormatter("%d %b"))
    ax4.set_ylabel("Share of replicates, per day")
    ax4.set_title(
        "Militias: silent before K-1 "
        f"({dep['militia_attacks_before_k1_per_replicate']:.3f} attacks per replicate), quiet\n"
        "after 8 Jan where the round stopped "
        f"({dep['militia_per_month_after_where_stopped']:.2f} a month)",
        fontsize=9,
    )
    ax4.legend(fontsize=7.5, frameon=False, loc="upper right")
    key = "\n".join(
        f"{i + 1}  {date.day} {date:%b} ({eid}): {what}"
        for i, (date, eid, what) in enumerate(HISTORY)
    )
    ax4.text(
        0.3,
        0.4,
        f"Historical events (markers above the left panels)\n{key}",
        transform=ax4.transAxes,
        va="top",
        fontsize=7.5,
        linespacing=1.35,
    )
    for ax in (ax1, ax2, ax3, ax4):
        style_axes(ax)
    save(fig, HERE / "p8_hindcast.png")
    return out


def hindcast_departures(model: EscalationModel, rec, ev: dict, sd: int) -> dict:
    """Where the calibrated hindcast departs from the history of 20 Dec 2019 – 3 Mar 2020."""
    R, lad, mil = model.replicates, model.ladder, d.militias(model)
    us, iran = model.index_of["US"], model.index_of["Iran"]
    start = model.scenario.start
    k1 = (dt.date(2019, 12, 27) - start).days
    embassy = (dt.date(2019, 12, 31) - start).days
    violent = lad.violent[ev["rung"]]
    attack = np.isin(ev["actor"], mil) & violent & ~ev["forced"]
    after = attack & (ev["day"] > sd)
    months = (model.horizon - sd - 1) / d.DAYS_PER_MONTH
    per = per_replicate(ev, after, model) / months
    direct = model.is_state[ev["actor"]] & model.is_state[ev["target"]] & violent & ~ev["forced"]
    going = np.zeros(R, dtype=bool)
    going[np.unique(ev["replicate"][direct & (ev["day"] > sd)]) - model.first_replicate] = True
    early = per_replicate(ev, direct & (ev["day"] <= sd), model) > 0
    us_after = per_replicate(ev, direct & (ev["day"] > sd) & (ev["actor"] == us), model) > 0
    iran_after = per_replicate(ev, direct & (ev["day"] > sd) & (ev["actor"] == iran), model) > 0
    forced_embassy = ev["forced"] & (ev["day"] == embassy) & (ev["actor"] == model.index_of["KH"])
    us_strikes = violent & ~ev["forced"] & (ev["actor"] == us) & (ev["day"] > sd)
    first_after = first_day(ev, direct & (ev["day"] > sd), model)
    return {
        "militia_attacks_before_k1_per_replicate": rnd((attack & (ev["day"] < k1)).sum() / R, 3),
        "f05_attacks_per_week": rnd(9 / 5, 3),
        "militia_attacks_k1_to_strike_per_replicate": rnd(
            (attack & (ev["day"] >= k1) & (ev["day"] <= sd)).sum() / R, 3
        ),
        "militia_per_month_k1_to_strike": rnd(
            (attack & (ev["day"] >= k1) & (ev["day"] <= sd)).sum()
            / R
            / ((sd - k1 + 1) / d.DAYS_PER_MONTH),
            3,
        ),
        "embassy_assault_killed_americans": rnd((ev["deaths"][forced_embassy] > 0).mean(), 3),
        "embassy_assault_hurt_americans": rnd((ev["casualties"][forced_embassy] > 0).mean(), 3),
        "unforced_state_strike_k1_to_8_jan": rnd(early.mean(), 4),
        "us_unforced_state_violence_after": rnd(us_after.mean(), 4),
        "iran_unforced_state_violence_after": rnd(iran_after.mean(), 4),
        "days_to_first_unforced_after_median": rnd(
            np.median(first_after[first_after >= 0] - sd), 3
        ),
        "us_violence_after_targets": {
            model.names[k]: int((us_strikes & (ev["target"] == k)).sum()) for k in range(model.n)
        },
        "militia_per_month_after": rnd(per.mean(), 3),
        "militia_per_month_after_where_stopped": rnd(per[~going].mean(), 3),
        "share_no_militia_attack_after_where_stopped": rnd((per[~going] == 0).mean(), 3),
        "militia_per_month_after_where_not_stopped": rnd(per[going].mean(), 3),
        "us_red_line_trips": int(rec.red_lines_tripped[us].sum()),
        "iran_red_line_trips": int(rec.red_lines_tripped[iran].sum()),
    }


# -- P6 and λ -------------------------------------------------------------------------------------

#: The worlds of tests/test_model_properties.py::LOGIT_CASES: (world, actor, overrides). The menu
#: each choice is checked against is the model's own (the actor's menu, less the rungs that cannot
#: be aimed at its target), so it is not restated here.
LOGIT_CASES = {
    "state-vs-state": ("dyad", "Blue", {"rationality": 0.0}),
    "state-actor-rationality-0": (
        "dyad",
        "Blue",
        {"rationality": 20.0, "actors": {"Blue": {"rationality": 0.0}}},
    ),
    "host-vs-militia": (
        "proxy",
        "Host",
        {"rationality": 0.0, "actors": {"Host": {"initial_threat": {"Proxy": 0.5}}}},
    ),
    "militia-vs-host": (
        "proxy",
        "Proxy",
        {"rationality": 0.0, "actors": {"Proxy": {"targets": ["Host"]}}},
    ),
    "militia-vs-state": (
        "proxy",
        "Proxy",
        {"rationality": 0.0, "actors": {"Proxy": {"initial_threat": {"Rival": 0.5}}}},
    ),
}


def p6_logit() -> dict:
    """λ = 0 gives uniform choice over the allowed menu; λ raises the status-quo share."""
    out: dict = {"logit": {}}
    R = 200_000
    with Builder() as build:
        for case, (world, actor, overrides) in LOGIT_CASES.items():
            make = d.make_dyad if world == "dyad" else d.make_proxy
            model = build(make(horizon_days=1, **overrides), replicates=R, event_log="all")
            rec = model.run()
            i = model.index_of[actor]
            counts = rec.mix[0, i]
            ev = rec.event_columns()
            aims = np.unique(ev["target"][ev["actor"] == i])  # whom its moves were aimed at
            a = model.actors[i]
            allowed = [
                int(r)
                for r in a.menu
                if r == model.ladder.status_quo
                or all(model.ladder.against[r, model.actors[k].type_index] for k in aims)
            ]
            n = int(counts.sum())
            p = 1 / len(allowed)
            z = (counts[allowed] / n - p) / np.sqrt(p * (1 - p) / n)
            out["logit"][case] = {
                "choices": n,
                "targets": [model.names[k] for k in aims],
                "menu": [model.ladder.names[r] for r in allowed],
                "off_menu": int(counts.sum() - counts[allowed].sum()),
                "max_abs_z": rnd(np.abs(z).max(), 3),
                "chi2_p": sig(stats.chisquare(counts[allowed]).pvalue),
            }
        model = build(
            d.make_dyad(horizon_days=1, rationality=20.0, actors={"Blue": {"rationality": 0.0}}),
            replicates=20_000,
        )
        mix = model.run().mix[0]
        sq = model.ladder.status_quo
        out["one_actor"] = {
            "red_status_quo": int(mix[model.index_of["Red"], sq]),
            "blue_status_quo_share": rnd(mix[model.index_of["Blue"], sq] / 20_000),
            "replicates": 20_000,
        }
        shares = []
        for lam in (0.0, 0.5, 2.0):
            model = build(d.make_dyad(rationality=lam, seed=3), replicates=500)
            rec = model.run()
            blue = model.index_of["Blue"]
            shares.append(rec.mix[:, blue, sq].sum() / rec.mix[:, blue].sum())
        out["status_quo_share"] = {"rationality": [0.0, 0.5, 2.0], "share": rnd(shares, 3)}
    return out


# -- sensitivity ----------------------------------------------------------------------------------

#: One at a time around the baseline. Memory is varied through its daily decay 1 − m, the scale
#: on which a 10 % change means something (0.85 → 0.835 / 0.865).
SENSITIVITY = {
    "memory": ("dynamics.memory", 0.85, True),
    "threat_gain": ("dynamics.threat_gain", 0.15, False),
    "rationality": ("rationality", 1.5, False),
    "deterrence": ("dynamics.deterrence", 0.6, False),
    "belief_gain": ("dynamics.belief_gain", 0.2, False),
    "belief_weight": ("dynamics.belief_weight", 0.15, False),
    "commitment_pull": ("dynamics.commitment_pull", 15.0, False),
    "type_change": ("dynamics.type_change", 0.01, False),
}
FACTORS = (0.7, 0.8, 0.9, 0.95, 1.0, 1.05, 1.1, 1.2, 1.3)
SENSITIVITY_REPLICATES = 1000


def sensitivity() -> dict:
    """P(direct clash), P(war) and the attack rate, one parameter at a time (×0.7 … ×1.3)."""
    R = SENSITIVITY_REPLICATES
    out: dict = {"factors": list(FACTORS), "replicates": R, "parameters": {}}
    cache: dict = {}
    for name, (path, base, as_decay) in SENSITIVITY.items():
        rows = {"value": [], "clash": [], "war": [], "attacks_per_month": [], "share_attacked": []}
        for f in FACTORS:
            value = round(1 - (1 - base) * f, 6) if as_decay else round(base * f, 6)
            key = "baseline" if f == 1.0 else (path, value)
            if key not in cache:
                with Builder() as build:
                    scenario = d.baseline_overrides(*([] if f == 1.0 else [f"{path}={value}"]))
                    model = build(scenario, replicates=R, seed=7)
                    rec = model.run()
                    att = rec.attacks[d.militias(model)].sum(axis=0)
                    cache[key] = (
                        int((rec.first_clash >= 0).sum()),
                        int((rec.first_war >= 0).sum()),
                        att.mean() / (scenario.horizon_days / d.DAYS_PER_MONTH),
                        (att > 0).mean(),
                    )
            clash, war, rate, attacked = cache[key]
            rows["value"].append(value)
            rows["clash"].append(clash)
            rows["war"].append(war)
            rows["attacks_per_month"].append(rnd(rate, 3))
            rows["share_attacked"].append(rnd(attacked, 3))
        i9, i11 = FACTORS.index(0.9), FACTORS.index(1.1)
        rows["clash_ratio_10pct"] = rnd(
            max(rows["clash"][i9], rows["clash"][i11])
            / max(min(rows["clash"][i9], rows["clash"][i11]), 1),
            3,
        )
        rates = rows["attacks_per_month"]
        rows["attack_ratio_10pct"] = rnd(max(rates[i9], rates[i11]) / min(rates[i9], rates[i11]), 3)
        out["parameters"][name] = rows

    fig = captioned_figure(
        "Sensitivity of the baseline, one parameter at a time: a 10 % change moves P(direct clash) "
        f"up to {max(r['clash_ratio_10pct'] for r in out['parameters'].values()):.0f}-fold",
        f"Baseline, {R:,} replicates per point, seed 7; one parameter scaled at a time (memory: "
        "its daily decay 1 − m). Bands: 95 % intervals. Shaded: ±10 %.",
        figsize=(14, 5.6),
    )
    ax1, ax2, key = fig.subplots(1, 3, width_ratios=[1, 1, 0.3])
    cmap = colormaps["tab10"]
    for j, (name, rows) in enumerate(out["parameters"].items()):
        color = cmap(j)
        label = "memory (its decay 1 − m)" if name == "memory" else name
        x = list(FACTORS)
        k = np.array(rows["clash"])
        floor = 0.5 / R
        ci = np.array([wilson(a, R) for a in k])
        ax1.plot(x, np.maximum(k / R, floor), marker="o", ms=3, color=color, label=label)
        ax1.fill_between(x, np.maximum(ci[:, 0], floor), ci[:, 1], color=color, alpha=0.1, lw=0)
        ax2.plot(
            x,
            np.maximum(rows["attacks_per_month"], 0.01),
            marker="o",
            ms=3,
            color=color,
            label=label,
        )
    ax1.set_yscale("log")
    ax1.set_ylim(0.5 / R * 0.8, 1.2)
    ax1.set_ylabel("P(direct clash) over 90 days (log)")
    ax2.set_yscale("log")
    band(ax2, 1, 2, None)
    ax2.set_ylabel("Militia attacks per month (log)")
    for ax in (ax1, ax2):
        ax.axvspan(0.9, 1.1, color="#dfe9f5", alpha=0.6, zorder=0)
        ax.axvline(1.0, color=COLORS["grey"], ls=":", lw=1)
        ax.set_xlabel("Parameter ÷ its baseline value")
        style_axes(ax)
    handles, labels = ax1.get_legend_handles_labels()
    key.axis("off")
    key.legend(handles, labels, fontsize=8.5, frameon=False, loc="center left", title="parameter")
    ax2.text(1.28, 1.45, "F04", fontsize=8, color="#8a6d00", va="center")
    ax1.text(0.71, 0.5 / R, "0 drawn here", fontsize=7.5, color=COLORS["grey"], va="bottom")
    save(fig, HERE / "sensitivity.png")
    return out


# -- the scenario headline table ------------------------------------------------------------------

TABLE_REPLICATES = 2000


def scenario_table() -> dict:
    """Every scenario file present now, 2,000 replicates, seed 7: outcomes and militia numbers."""
    R = TABLE_REPLICATES
    scenarios = REPO / "scenarios"
    paths = sorted(scenarios.glob("*.yaml")) + sorted(scenarios.glob("examples/*.yaml"))
    table: dict = {}
    for path in paths:
        name = str(path.relative_to(scenarios)).removesuffix(".yaml")
        digest = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
        try:
            scenario = load_scenario(path)
        except (ScenarioError, OSError, ValueError) as exc:  # a file mid-edit: say why, go on
            table[name] = {"error": str(exc).splitlines()[0][:300], "sha256": digest}
            continue
        with Builder() as build:
            model = build(scenario, replicates=R, seed=7)
            rec = model.run()
            codes = rec.outcome_codes()
            row: dict = {"sha256": digest}
            for c, o in enumerate(OUTCOMES):
                k = int((codes == c).sum())
                row[o] = {"k": k, "p": rnd(k / R), "ci95": rnd(wilson(k, R))}
            mil = d.militias(model)
            months = scenario.horizon_days / d.DAYS_PER_MONTH
            row["militia_attacks_per_month"] = (
                rnd(rec.attacks[mil].sum(axis=0).mean() / months, 3) if mil else None
            )
            row["p_us_death_given_militia_attack"] = None
            if mil and "US" in model.index_of:
                ev = d.events_of(rec)
                on_us = np.isin(ev["actor"], mil) & (ev["target"] == model.index_of["US"])
                on_us &= model.ladder.violent[ev["rung"]]
                n = int(on_us.sum())
                k = int((ev["deaths"][on_us] > 0).sum())
                row["p_us_death_given_militia_attack"] = rnd(k / n, 3) if n else None
                row["militia_attacks_on_us"] = n
                row["militia_attacks_on_us_killing_an_american"] = k
            war = rec.first_war >= 0
            row["wars"] = int(war.sum())
            row["wars_ending_in_ceasefire"] = int((rec.first_ceasefire[war] >= 0).sum())
            table[name] = row
    out = {"replicates": R, "seed": 7, "scenarios": table}

    ok = [n for n, r in table.items() if "error" not in r]
    fig = captioned_figure(
        "Outcome probabilities of every scenario file",
        f"{R:,} replicates each, seed 7 (as `escalation run FILE --replicates {R} --seed 7`). "
        "Most severe outcome per replicate; files as they were when make_figures.py ran.",
        figsize=(11, 1.6 + 0.42 * max(len(ok), 1)),
    )
    ax = fig.subplots()
    colors = severity_colors(OUTCOMES)
    left = np.zeros(len(ok))
    for o in OUTCOMES:
        p = np.array([table[n][o]["p"] for n in ok])
        ax.barh(range(len(ok)), p, left=left, color=colors[o], label=OUTCOME_LABELS[o])
        for i, (x, w) in enumerate(zip(left, p, strict=True)):
            if w >= 0.06:
                ax.text(
                    x + w / 2,
                    i,
                    f"{w:.0%}",
                    ha="center",
                    va="center",
                    fontsize=7.5,
                    color="white" if o in ("war", "direct_clash") else "black",
                )
        left += p
    ax.set_yticks(range(len(ok)), ok, fontsize=8.5)
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_xlabel("Share of replicates")
    ax.legend(fontsize=8, frameon=False, ncol=5, loc="lower center", bbox_to_anchor=(0.5, 1.0))
    style_axes(ax)
    save(fig, HERE / "scenarios.png")
    return out


def table_markdown(table: dict) -> str:
    """The scenario headline table as Markdown."""

    def pct(cell: dict) -> str:
        lo, hi = cell["ci95"]
        nd = 2 if 0 < cell["p"] < 0.01 else 1  # 0.45 %, not "0.4"
        return f"{cell['p'] * 100:.{nd}f} [{lo * 100:.1f}–{hi * 100:.1f}]"

    def death(row: dict) -> str:
        if row["p_us_death_given_militia_attack"] is None:
            return "—"
        k = row["militia_attacks_on_us_killing_an_american"]
        if row["militia_attacks_on_us"] < 100:  # too few attacks for a rate
            return f"{k} of {row['militia_attacks_on_us']}"
        return f"{row['p_us_death_given_militia_attack']:.3f}"

    lines = [
        "| scenario | war | clash | proxy | contained | de-escalated | attacks/mo "
        "| P(US death \\| militia attack) | wars (ceasefires) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, row in table["scenarios"].items():
        if "error" in row:
            lines.append(f"| {name} | could not be loaded: {row['error']} |||||||| ")
            continue
        att = row["militia_attacks_per_month"]
        cells = [pct(row[o]) for o in OUTCOMES]
        lines.append(
            f"| {name} | "
            + " | ".join(cells)
            + f" | {'—' if att is None else f'{att:.2f}'}"
            + f" | {death(row)}"
            + f" | {row['wars']} ({row['wars_ending_in_ceasefire']}) |"
        )
    return "\n".join(lines)


def write_table(table: dict) -> None:
    """Replace the scenario table of VALIDATION.md between its markers (if they are there)."""
    if not DOC.exists():
        return
    text = DOC.read_text(encoding="utf-8")
    pattern = re.compile(re.escape(TABLE_START) + r".*?" + re.escape(TABLE_END), re.S)
    if not pattern.search(text):
        print(f"{DOC}: no scenario-table markers; table not written")
        return
    block = f"{TABLE_START}\n{table_markdown(table)}\n{TABLE_END}"
    DOC.write_text(pattern.sub(lambda _: block, text), encoding="utf-8")


# -- main -----------------------------------------------------------------------------------------

SECTIONS: dict[str, Callable[[], dict]] = {
    # longest first, so that two workers finish together
    "sensitivity": sensitivity,
    "p2_spiral": p2_spiral,
    "p4_windows": p4_windows,
    "p3_control": p3_control,
    "p8_baseline": p8_baseline,
    "p8_hindcast": p8_hindcast,
    "scenario_table": scenario_table,
    "p5_deterrence": p5_deterrence,
    "p1_no_dilemma": p1_no_dilemma,
    "p6_logit": p6_logit,
}


def provenance() -> dict:
    """The commit the figures were made from, and the model or scenario files changed since."""
    git = ["git", "--no-optional-locks", "-C", str(REPO)]  # read-only: no index refresh
    try:
        head = subprocess.run([*git, "rev-parse", "HEAD"], capture_output=True, text=True)
        diff = subprocess.run(
            [*git, "diff", "--name-only", "HEAD", "--", "simulator", "scenarios"],
            capture_output=True,
            text=True,
        )
    except OSError:  # no git: nothing to say
        return {}
    if head.returncode or diff.returncode:
        return {}
    return {"commit": head.stdout.strip(), "uncommitted_changes": diff.stdout.split()}


def run_section(key: str) -> tuple[str, dict, float]:
    """Run one section; return its key, its numbers and its run time."""
    t = time.perf_counter()
    result = SECTIONS[key]()
    return key, result, time.perf_counter() - t


def main() -> None:
    """Compute everything, write the figures, results.json and the scenario table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2, help="worker processes (default 2)")
    parser.add_argument("--only", nargs="*", choices=list(SECTIONS), help="run only these")
    args = parser.parse_args()
    keys = args.only or list(SECTIONS)
    t0 = time.perf_counter()
    source = provenance()  # the code as it is when the run starts
    path = HERE / "results.json"
    results: dict = {}
    if args.only and path.exists():  # a partial run updates its sections only
        results = json.loads(path.read_text(encoding="utf-8"))
    if args.jobs > 1:
        with ProcessPoolExecutor(max_workers=args.jobs) as pool:
            done = list(pool.map(run_section, keys))
    else:
        done = [run_section(k) for k in keys]
    timings = results.get("seconds", {})
    for key, result, seconds in done:
        results[key] = result
        timings[key] = round(seconds, 1)
        print(f"{key}: {seconds:.1f} s")
    if not args.only:  # the whole run's time, as VALIDATION.md quotes it
        timings["total (wall)"] = round(time.perf_counter() - t0, 1)
    results["seconds"] = timings
    results["generated_by"] = "docs/validation/make_figures.py"
    results["source"] = source
    results["v1_headlines"] = V1_HEADLINES
    keep = ["generated_by", "source", *SECTIONS, "v1_headlines", "seconds"]
    results = {k: results[k] for k in keep if k in results}
    path.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    if "scenario_table" in keys:
        write_table(results["scenario_table"])
    print(f"wrote {path} and the figures in {time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    main()
