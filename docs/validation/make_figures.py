"""Recompute every number and figure of docs/VALIDATION.md, with fixed seeds.

Run from anywhere (about a minute on two cores)::

    python docs/validation/make_figures.py

It writes, next to this file:

- ``a_spiral.png`` … ``h_sensitivity.png``: the figures of VALIDATION.md;
- ``results.json``: every number VALIDATION.md quotes, including the statistics of the tests in
  ``tests/test_validation.py``.

The designs of the statistical tests are not repeated here: they are imported from
``tests/test_validation.py`` (its ``measure_*`` functions) together with the small worlds of
``tests/conftest.py``, so the figures and the tests see the same simulations. The figures' own
sweeps are finer versions of the same designs. Nothing outside the repository is read.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import time
from pathlib import Path
from types import ModuleType

import matplotlib

matplotlib.use("Agg")

import matplotlib.dates as mdates  # noqa: E402
import numpy as np  # noqa: E402
from scipy import stats  # noqa: E402

from simulator.experiment.simulate import release  # noqa: E402
from simulator.model import OUTCOME_LABELS, OUTCOMES, EscalationModel  # noqa: E402
from simulator.plots.style import (  # noqa: E402
    captioned_figure,
    save,
    severity_colors,
    style_axes,
)
from simulator.scenario import load_scenario, validate_scenario  # noqa: E402
from simulator.stats import wilson_interval  # noqa: E402

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
SCENARIOS = REPO / "scenarios"
COLORS = {
    "blue": "#1f5fa8",
    "red": "#c0392b",
    "orange": "#e67e22",
    "green": "#2e8b57",
    "grey": "#777777",
    "purple": "#7d3c98",
    "band": "#f3e3a0",
}


def _load(name: str, path: Path) -> ModuleType:
    """Import a module from a file (the tests are not a package)."""
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


conftest = _load("validation_conftest", REPO / "tests" / "conftest.py")
tv = _load("validation_tests", REPO / "tests" / "test_validation.py")

_MODELS: list[EscalationModel] = []


def build(scenario, replicates=None, seed=None, **kwargs) -> EscalationModel:
    """Construct a model (released by :func:`flush`)."""
    model = EscalationModel(scenario, replicates=replicates, seed=seed, **kwargs)
    _MODELS.append(model)
    return model


def flush() -> None:
    """Release every model built so far from Mesa's registry."""
    while _MODELS:
        release(_MODELS.pop())


def make_dyad(**overrides):
    """The Blue/Red dyad of tests/conftest.py."""
    return validate_scenario(conftest.dyad_data(**overrides), "<dyad>")


def make_proxy(**overrides):
    """The Patron/Rival/Host/Proxy world of tests/conftest.py."""
    return validate_scenario(conftest.proxy_data(**overrides), "<proxy>")


def wilson(k: int, n: int) -> tuple[float, float]:
    """95 % Wilson interval."""
    return wilson_interval(int(k), int(n))


def rnd(x, nd: int = 4):
    """Round numbers (and lists of them) for the JSON file."""
    if isinstance(x, list | tuple | np.ndarray):
        return [rnd(v, nd) for v in x]
    if isinstance(x, np.integer | int):
        return int(x)
    return round(float(x), nd)


def mean_ci(values: np.ndarray) -> tuple[float, float, float]:
    """Mean with its 95 % normal interval."""
    values = np.asarray(values, dtype=float)
    m = values.mean()
    half = 1.96 * values.std(ddof=1) / np.sqrt(len(values))
    return m, m - half, m + half


def band(ax, lo: float, hi: float, label: str, axis: str = "y") -> None:
    """Shade a reference band."""
    span = ax.axhspan if axis == "y" else ax.axvspan
    span(lo, hi, color=COLORS["band"], alpha=0.6, zorder=0, label=label)


# -- (a) property 2: the spiral ------------------------------------------------------------------


def figure_a_spiral(out: dict) -> None:
    """P(direct clash) and P(war) against offense bias, two sweeps of the baseline."""
    biases = [round(b, 2) for b in np.arange(0.0, 2.001, 0.1)]
    R = 2000
    fig = captioned_figure(
        "P2 · Direct clash becomes likelier as defensive moves are read as offensive",
        f"Baseline scenario, 90 days from 20 Dec 2020; {R} replicates per point, seed 7. "
        "Shaded: 95 % Wilson intervals. Test: tests/test_validation.py::test_p2_*",
        figsize=(11, 5.2),
    )
    axes = fig.subplots(1, 2, sharey=True)
    out["figure"] = {}
    for ax, sweep in zip(axes, tv.BIAS_SWEEPS, strict=True):
        m = tv.measure_p2(build, sweep, biases, R)
        flush()
        for key, color, style, label in (
            ("clash", COLORS["red"], "-", "P(direct clash, war included)"),
            ("war", COLORS["purple"], "--", "P(war)"),
        ):
            p = np.array(m[key]) / R
            ci = np.array([wilson(k, R) for k in m[key]])
            ax.plot(biases, p, style, color=color, marker="o", ms=3, label=label)
            ax.fill_between(biases, ci[:, 0], ci[:, 1], color=color, alpha=0.2, lw=0)
        if sweep == "Iran reads the US":
            ax.axvline(0.8, color=COLORS["grey"], ls=":", lw=1)
            ax.annotate(
                "baseline (0.8)",
                (0.8, 0.9),
                xytext=(4, 0),
                textcoords="offset points",
                fontsize=8,
                color=COLORS["grey"],
            )
            ax.set_xlabel("Iran's offense bias towards US defensive moves (others stay at 0.6)")
            ax.set_title("Iran → US only (the sweep in scenarios/sweeps/)", fontsize=10)
        else:
            ax.axvline(0.6, color=COLORS["grey"], ls=":", lw=1)
            ax.annotate(
                "baseline default (0.6)",
                (0.6, 0.9),
                xytext=(-4, 0),
                textcoords="offset points",
                ha="right",
                fontsize=8,
                color=COLORS["grey"],
            )
            ax.set_xlabel("Offense bias of every observer towards every actor (Iran → US included)")
            ax.set_title("All observer → actor pairs at once", fontsize=10)
        ax.set_ylim(-0.02, 1.02)
        style_axes(ax)
        out["figure"][sweep] = {
            "bias": biases,
            "p_clash": rnd(np.array(m["clash"]) / R),
            "p_war": rnd(np.array(m["war"]) / R),
            "replicates": R,
        }
    axes[0].set_ylabel("Probability over the 90 days")
    axes[0].legend(loc="upper left", fontsize=8, frameon=False)
    save(fig, HERE / "a_spiral.png")

    out["test"] = {}
    for sweep in tv.BIAS_SWEEPS:
        m = tv.measure_p2(build, sweep)
        flush()
        R = m["replicates"]
        out["test"][sweep] = {
            "bias": m["bias"],
            "p_clash": rnd(np.array(m["clash"]) / R),
            "replicates": R,
            "cochran_armitage_z": rnd(tv.cochran_armitage(m["bias"], m["clash"], [R] * 6), 2),
            "largest_reversal_z": rnd(tv.largest_reversal(m["clash"], R, +1), 2),
        }


# -- (b) property 3: control ------------------------------------------------------------------


def figure_b_control(out: dict) -> None:
    """Militia attacks and lethal attacks per month against the patron's control."""
    R = 2000
    fig = captioned_figure(
        "P3 · Proxy violence falls as the patron's control rises — with a tipping point",
        f"{R} replicates per point (proxy world: seed 5, 30 days; baseline: seed 7, 90 days). "
        "Error bars: 95 % intervals of the mean. Test: test_p3_*",
        figsize=(11, 5.2),
    )
    axes = fig.subplots(1, 2)
    fine = [round(c, 2) for c in np.arange(0.0, 1.001, 0.05)]
    sweeps = {
        "proxy world": (axes[0], fine),
        "baseline front groups": (axes[1], fine[2:]),
        "baseline both militias": (axes[1], fine[2:]),
    }
    out["figure"] = {}
    styles = {
        "proxy world": COLORS["blue"],
        "baseline front groups": COLORS["red"],
        "baseline both militias": COLORS["purple"],
    }
    for sweep, (ax, controls) in sweeps.items():
        m = tv.measure_p3(build, make_proxy, sweep, controls, R)
        flush()
        rows = {}
        for key, ls, marker in (("attacks", "--", "s"), ("lethal", "-", "o")):
            stats_ = np.array([mean_ci(y / m["months"]) for y in m[key]])
            what = "all attacks" if key == "attacks" else "lethal attacks"
            label = f"{sweep}: {what}" if ax is axes[1] else what
            ax.errorbar(
                controls,
                stats_[:, 0],
                yerr=[stats_[:, 0] - stats_[:, 1], stats_[:, 2] - stats_[:, 0]],
                ls=ls,
                marker=marker,
                ms=3,
                color=styles[sweep],
                capsize=2,
                lw=1.2,
                label=label,
            )
            rows[key] = rnd(stats_[:, 0])
        out["figure"][sweep] = {"control": controls, "per_month": rows, "replicates": R}
    band(axes[1], 1.0, 5.0, "F02–F04: 1–5 attacks a month")
    axes[1].axvline(0.4, color=COLORS["red"], ls=":", lw=1, label="front groups' control (0.4)")
    axes[1].axvline(0.75, color=COLORS["purple"], ls=":", lw=1, label="KH's control (0.75)")
    axes[0].set_title("Proxy world (tests/conftest.py), no order", fontsize=10)
    axes[1].set_title("Baseline, Qaani's order in force until 20 Jan", fontsize=10)
    for ax in axes:
        ax.set_yscale("symlog", linthresh=0.1)
        ax.set_xlabel("Militia control (weight of the patron's wish; P(obeying an order))")
        ax.set_ylabel("Militia attacks per month (mean)")
        ax.set_ylim(0, 400)
        style_axes(ax)
        ax.legend(fontsize=7.5, frameon=True, framealpha=0.9, edgecolor="none", loc="upper right")
    save(fig, HERE / "b_control.png")

    out["test"] = {}
    for sweep in tv.CONTROL_SWEEPS:
        m = tv.measure_p3(build, make_proxy, sweep)
        flush()
        x = np.concatenate(
            [np.full(len(y), c) for c, y in zip(m["control"], m["lethal"], strict=True)]
        )
        rho, p = stats.spearmanr(x, np.concatenate(m["lethal"]), alternative="less")
        out["test"][sweep] = {
            "control": m["control"],
            "lethal_per_month": rnd([y.mean() / m["months"] for y in m["lethal"]], 4),
            "spearman_rho": rnd(rho, 3),
            "p_value": float(f"{p:.3g}"),
        }


# -- (c) property 4: windows and orders ------------------------------------------------------


def figure_c_windows(out: dict) -> None:
    """Restraint windows and orders: clash before the date, and when clashes come."""
    R_dyad, R_base = 2000, 5000
    fig = captioned_figure(
        "P4 · A restraint window or a patron's order lowers the chance of a clash before its date",
        f"Dyad: {R_dyad} replicates, seed 2024; baseline: {R_base} replicates, seed 7. "
        "Error bars and bands: 95 % Wilson intervals. Test: test_p4_*",
        figsize=(13, 5.0),
    )
    axes = fig.subplots(1, 3, width_ratios=[1.4, 1, 1.2])
    last = (dt.date.fromisoformat(tv.WINDOW_UNTIL) - dt.date(2024, 1, 1)).days
    days = np.arange(60)
    dyad = {}
    for label, w, color in (
        ("no window", None, COLORS["red"]),
        ("window, strength 0.1", tv.window(0.1), COLORS["orange"]),
        ("window, strength 0.2", tv.window(0.2), COLORS["green"]),
        ("window, strength 1", tv.window(1.0), COLORS["blue"]),
    ):
        fc = build(tv.spiral_dyad(make_dyad, w), replicates=R_dyad).run().first_clash
        cum = np.array([((fc >= 0) & (fc <= d)).sum() for d in days])
        ci = np.array([wilson(k, R_dyad) for k in cum])
        axes[0].step(days, cum / R_dyad, where="post", color=color, label=label)
        axes[0].fill_between(days, ci[:, 0], ci[:, 1], step="post", color=color, alpha=0.2, lw=0)
        before = int(((fc >= 0) & (fc <= last)).sum())
        dyad[label] = {
            "before": before,
            "p_before": rnd(before / R_dyad),
            "ci_before": rnd(wilson(before, R_dyad)),
            "p_any": rnd((fc >= 0).mean()),
        }
    flush()
    axes[0].axvspan(0, last + 1, color="#dfe9f5", alpha=0.6, zorder=0, label="window (days 0–29)")
    axes[0].set_xlabel("Day (1 Jan 2024 = day 0)")
    axes[0].set_ylabel("P(direct clash so far)")
    axes[0].set_title("Spiral dyad (offense bias 1.2): cumulative P(clash)", fontsize=10)
    axes[0].legend(fontsize=8, frameon=False, loc="upper left")
    axes[0].set_ylim(-0.02, 1.02)

    names = list(dyad)
    p = np.array([dyad[n]["p_before"] for n in names])
    ci = np.array([dyad[n]["ci_before"] for n in names])
    x = np.arange(len(names))
    colors = [COLORS["red"], COLORS["orange"], COLORS["green"], COLORS["blue"]]
    axes[1].bar(x, p * 100, color=colors, alpha=0.8)
    axes[1].errorbar(
        x,
        p * 100,
        yerr=[(p - ci[:, 0]) * 100, (ci[:, 1] - p) * 100],
        fmt="none",
        ecolor="black",
        capsize=3,
    )
    for xi, pi, top in zip(x, p, ci[:, 1], strict=True):
        axes[1].text(xi, top * 100 + 0.4, f"{pi:.1%}", ha="center", fontsize=8)
    axes[1].set_xticks(x, [n.replace("window, ", "window\n") for n in names], fontsize=8)
    axes[1].set_ylabel("P(direct clash by day 29), %")
    axes[1].set_title("Dyad: clash before the window ends", fontsize=10)

    last_base = tv.baseline_order_last_day()
    variants = {
        "baseline\n(all)": {},
        "no Iran\nwindow": {"iran_window": True},
        "no US\nwindow": {"us_window": True},
        "no\norder": {"order": True},
        "no windows\nno order": {"order": True, "iran_window": True, "us_window": True},
    }
    base = {}
    for label, kw in variants.items():
        scenario = tv.baseline_without(**kw) if kw else load_scenario(tv.BASELINE)
        rec = build(scenario, replicates=R_base, seed=7).run()
        fc, fw = rec.first_clash, rec.first_war
        k = int(((fc >= 0) & (fc <= last_base)).sum())
        base[label.replace("\n", " ")] = {
            "before": k,
            "p_before": rnd(k / R_base),
            "ci_before": rnd(wilson(k, R_base)),
            "war_before": int(((fw >= 0) & (fw <= last_base)).sum()),
            "p_clash_90_days": rnd((fc >= 0).mean()),
        }
    flush()
    labels = list(variants)
    p = np.array([base[n.replace("\n", " ")]["p_before"] for n in labels])
    ci = np.array([base[n.replace("\n", " ")]["ci_before"] for n in labels])
    axes[2].bar(range(len(labels)), p * 100, color=COLORS["grey"], alpha=0.8)
    axes[2].errorbar(
        range(len(labels)),
        p * 100,
        yerr=[(p - ci[:, 0]) * 100, (ci[:, 1] - p) * 100],
        fmt="none",
        ecolor="black",
        capsize=3,
    )
    for xi, (pi, top) in enumerate(zip(p, ci[:, 1], strict=True)):
        axes[2].text(xi, top * 100 + 0.03, f"{pi:.2%}", ha="center", fontsize=8)
    axes[2].set_xticks(range(len(labels)), labels, fontsize=8)
    axes[2].set_ylabel("P(direct clash by 20 Jan 2021), %")
    axes[2].set_title("Baseline: what holds the clash back until 20 Jan", fontsize=10)
    for ax in axes:
        style_axes(ax)
    save(fig, HERE / "c_windows.png")

    mw = tv.measure_p4_window(build, make_dyad)
    mo = tv.measure_p4_order(build)
    flush()
    R, last = mw["replicates"], mw["last_day"]
    before = {k: int(((v >= 0) & (v <= last)).sum()) for k, v in mw["first_clash"].items()}
    R2, a, b = mo["replicates"], mo["before"]["with order"], mo["before"]["without order"]
    _, p_fisher = stats.fisher_exact([[a, R2 - a], [b, R2 - b]], alternative="less")
    out["figure"] = {"dyad": dyad, "baseline": base, "dyad_replicates": R_dyad}
    out["figure"]["baseline_replicates"] = R_base
    out["test"] = {
        "window": {
            "replicates": R,
            "before": before,
            "z": rnd(tv.two_proportion_z(before["none"], R, before["window"], R), 2),
        },
        "order": {"replicates": R2, "before": mo["before"], "fisher_p": float(f"{p_fisher:.3g}")},
    }


# -- (d) property 5: deterrence --------------------------------------------------------------


def figure_d_deterrence(out: dict) -> None:
    """Initiation of violence against perceived resolve and capability."""
    R = 2000
    fig = captioned_figure(
        "P5 · The stronger the adversary looks, the less often violence is started",
        f"Dyad: {R} replicates per point, seed 99, 30 days; baseline: 1000 replicates per point, "
        "seed 7, 90 days. Bands: 95 % Wilson intervals. Test: test_p5_*",
        figsize=(11, 5.2),
    )
    axes = fig.subplots(1, 2)
    levels = [round(v, 2) for v in np.arange(0.0, 1.001, 0.05)]
    dyad = {}
    for how, color, marker, ls in (
        ("resolve_estimate", COLORS["blue"], "o", "-"),
        ("capability_estimate", COLORS["orange"], "x", "--"),
        ("true capability", COLORS["green"], "+", ":"),
    ):
        m = tv.measure_p5_dyad(build, make_dyad, how, levels, R)
        flush()
        assert m["red_attacks"] == 0
        p = np.array(m["started"]) / R
        ci = np.array([wilson(k, R) for k in m["started"]])
        label = {
            "resolve_estimate": "Blue's estimate of Red's resolve",
            "capability_estimate": "Blue's estimate of Red's capability",
            "true capability": "Red's true capability (no estimate set)",
        }[how]
        axes[0].plot(levels, p, ls=ls, marker=marker, ms=4, color=color, label=label)
        axes[0].fill_between(levels, ci[:, 0], ci[:, 1], color=color, alpha=0.12, lw=0)
        dyad[how] = rnd(p)
    axes[0].set_xlabel("Value swept (the other factor stays at 0.6)")
    axes[0].set_ylabel("P(Blue starts violence within 30 days)")
    axes[0].set_title(
        "Dyad: aggrieved Blue, passive Red (the three curves coincide: deterrence\n"
        "uses perceived resolve × perceived capability)",
        fontsize=9.5,
    )
    axes[0].legend(fontsize=8, frameon=False)

    base_levels = [round(v, 2) for v in np.arange(0.2, 1.001, 0.05)]
    m = tv.measure_p5_baseline(build, base_levels, 1000)
    flush()
    for key, color, label in (
        ("opened", COLORS["red"], "first violence is by Iran or a militia against the US"),
        ("clash", COLORS["purple"], "a direct US–Iran clash occurs"),
    ):
        p = np.array(m[key]) / 1000
        ci = np.array([wilson(k, 1000) for k in m[key]])
        axes[1].plot(base_levels, p, marker="o", ms=3, color=color, label=f"P({label})")
        axes[1].fill_between(base_levels, ci[:, 0], ci[:, 1], color=color, alpha=0.15, lw=0)
    for x, y, text in ((0.6, 0.75, "true US resolve\nuntil 20 Jan"), (0.45, 0.3, "after 20 Jan")):
        axes[1].axvline(x, color=COLORS["grey"], ls=":", lw=1)
        axes[1].text(x + 0.01, y, text, fontsize=7.5, color=COLORS["grey"])
    axes[1].set_xlabel("Everyone's (fixed) estimate of US resolve")
    axes[1].set_ylabel("Probability over the 90 days")
    axes[1].set_title("Baseline: Iran's side deterred by perceived US resolve", fontsize=10)
    axes[1].legend(fontsize=8, frameon=False, loc="upper right")
    axes[0].set_ylim(-0.004, 0.2)
    axes[1].set_ylim(-0.02, 1.02)
    for ax in axes:
        style_axes(ax)
    save(fig, HERE / "d_deterrence.png")

    out["figure"] = {
        "dyad": {"level": levels, "p_blue_starts": dyad, "replicates": R},
        "baseline": {
            "level": base_levels,
            "p_iran_side_opens": rnd(np.array(m["opened"]) / 1000),
            "p_clash": rnd(np.array(m["clash"]) / 1000),
            "replicates": 1000,
        },
    }
    out["test"] = {}
    for how in tv.DETERRENCE_WAYS:
        m = tv.measure_p5_dyad(build, make_dyad, how)
        flush()
        R = m["replicates"]
        out["test"][how] = {
            "level": m["level"],
            "p_started": rnd(np.array(m["started"]) / R),
            "cochran_armitage_z": rnd(tv.cochran_armitage(m["level"], m["started"], [R] * 6), 2),
        }
    m = tv.measure_p5_baseline(build)
    flush()
    R = m["replicates"]
    out["test"]["baseline US resolve"] = {
        "level": m["level"],
        "p_opened": rnd(np.array(m["opened"]) / R),
        "cochran_armitage_z": rnd(tv.cochran_armitage(m["level"], m["opened"], [R] * 5), 2),
    }


# -- (e) property 8: calibration ----------------------------------------------------------------


def figure_e_calibration(out: dict) -> None:
    """The baseline's militia attacks and their lethality against F02-F08."""
    R = 2000
    scenario = load_scenario(tv.BASELINE)
    model, rec, log = tv.run_logged(build, scenario, R, seed=7)
    mil, us = tv.militias(model), model.index_of["US"]
    months = scenario.horizon_days / tv.DAYS_PER_MONTH
    attacks = log["violent"][:, mil]  # (days, militias, R)
    lethal = attacks & (log["caused"][:, mil] > 0)
    per_rep = attacks.sum(axis=(0, 1)) / months
    rate_mean, rate_lo, rate_hi = mean_ci(per_rep)
    se = per_rep.std(ddof=1) / np.sqrt(R)

    fig = captioned_figure(
        "P8 · Calibration of the baseline against the FDD tallies (F02–F08)",
        f"Baseline, {R} replicates, seed 7, 90 days from 20 Dec 2020. Intervals: 95 % "
        "(Wilson for proportions). Tests: test_p8_baseline_*",
        figsize=(12, 8.5),
    )
    (ax1, ax2), (ax3, ax4) = fig.subplots(2, 2)

    edges = [0, 1e-9, 1, 2, 3, 4, 5, 7.5, 10, 20, np.inf]
    labels = ["0", "0–1", "1–2", "2–3", "3–4", "4–5", "5–7.5", "7.5–10", "10–20", "20+"]
    counts = np.histogram(per_rep, bins=edges)[0]
    share = counts / R
    colors = [COLORS["blue"] if 1 <= lo_ < 5 else COLORS["grey"] for lo_ in edges[:-1]]
    ax1.bar(range(len(labels)), share * 100, color=colors, alpha=0.85)
    ax1.set_xticks(range(len(labels)), labels, fontsize=8)
    ax1.set_xlabel("Militia attacks per month in a replicate (90-day average)")
    ax1.set_ylabel("Share of replicates, %")
    ax1.set_title(
        f"Mean {rate_mean:.2f}/month [{rate_lo:.2f}–{rate_hi:.2f}], median "
        f"{np.median(per_rep):.2f}: in the 1–5 band on average, not per replicate",
        fontsize=9,
    )
    for i, text in ((2, "F04\n1–2"), (5, "F02\n4.5"), (7, "F03\n9–10")):
        ax1.annotate(
            text,
            (i, share[i] * 100),
            xytext=(0, 4),
            textcoords="offset points",
            ha="center",
            fontsize=7.5,
            color=COLORS["red"],
        )
    ax1.text(
        0.98,
        0.95,
        f"blue: inside the 1–5 band ({share[2:6].sum():.0%})\n"
        f"no attack at all: {share[0]:.0%}\nabove 5 a month: {(per_rep > 5).mean():.0%}",
        transform=ax1.transAxes,
        ha="right",
        va="top",
        fontsize=8,
    )

    start = scenario.start
    blocks = [(0, 30), (30, 60), (60, 90)]
    block_stats = []
    for a, b in blocks:
        y = attacks[a:b].sum(axis=(0, 1)) * (tv.DAYS_PER_MONTH / (b - a))
        block_stats.append(mean_ci(y))
    block_stats = np.array(block_stats)
    names = [
        f"{(start + dt.timedelta(a)):%d %b} –\n{(start + dt.timedelta(b - 1)):%d %b}"
        for a, b in blocks
    ]
    ax2.errorbar(
        range(3),
        block_stats[:, 0],
        yerr=[block_stats[:, 0] - block_stats[:, 1], block_stats[:, 2] - block_stats[:, 0]],
        fmt="o",
        color=COLORS["blue"],
        capsize=4,
        label="model: mean over replicates",
    )
    band(ax2, 1, 2, "F04: 1–2 a month after the Oct 2020 truce")
    ax2.axhline(
        4.5, color=COLORS["red"], ls="--", lw=1, label="F02: 4.5 a month, May 2019–Oct 2020"
    )
    ax2.axhspan(
        9, 10, color=COLORS["red"], alpha=0.15, label="F03: peak 9–10 a month (Aug–Sep 2020)"
    )
    ax2.axvline(0.5 + (31 - 30) / 30, color=COLORS["grey"], ls=":", lw=1)
    ax2.text(
        0.6,
        6.0,
        "order lapses,\nnew US administration\n(20 Jan)",
        fontsize=7.5,
        color=COLORS["grey"],
    )
    ax2.set_xticks(range(3), names, fontsize=8)
    ax2.set_xlim(-0.5, 2.5)
    ax2.set_ylim(0, 11)
    ax2.set_ylabel("Militia attacks per month")
    ax2.set_title("Attack rate by 30-day block of the horizon", fontsize=9)
    ax2.legend(fontsize=7.5, frameon=False, loc="upper left")

    quiet = per_rep <= 5
    rung_of = log["rungs"][:, mil]
    rows = []

    def add(label, mask):
        k, n = int((lethal & mask).sum()), int((attacks & mask).sum())
        rows.append((label, k, n))

    add("model, all attacks (tested)", np.ones_like(attacks))
    add("model, replicates ≤ 5 attacks/month", np.broadcast_to(quiet, attacks.shape))
    add("model, replicates > 5 attacks/month", np.broadcast_to(~quiet, attacks.shape))
    for name in ("harassment", "lethal_attack"):
        add(f"model, rung {name}", rung_of == model.ladder.index(name))
    rows.append(("F06: attacks killing an American, 2/78", 2, 78))
    for i, (label, k, n) in enumerate(rows):
        lo, hi = wilson(k, n)
        p = k / n if n else np.nan
        color = COLORS["red"] if label.startswith("F06") else COLORS["blue"]
        ax3.errorbar([p], [i], xerr=[[p - lo], [hi - p]], fmt="o", color=color, capsize=3)
        ax3.text(0.32, i, f"{p:.3f}  ({k}/{n})", va="center", fontsize=7.5)
    band(ax3, *tv.CASUALTY_BAND, "tested band 0.01–0.10 (killed or wounded)", axis="x")
    ax3.set_yticks(range(len(rows)), [r[0] for r in rows], fontsize=8)
    ax3.set_ylim(len(rows) - 0.5, -1.0)
    ax3.set_xscale("log")
    ax3.set_xlim(0.002, 1.0)
    ax3.text(
        np.sqrt(tv.CASUALTY_BAND[0] * tv.CASUALTY_BAND[1]),
        -0.6,
        "tested band (killed or wounded)",
        ha="center",
        fontsize=7.5,
        color="#8a6d00",
    )
    ax3.set_xlabel("P(casualties | militia attack) (log scale)")
    ax3.set_title("Lethality of an attack: model (killed or wounded) vs F06 (deaths)", fontsize=9)

    # F07/F08: does the US strike within two days of a militia attack, with or without casualties?
    violent_us = log["violent"][:, us]
    hurt_hits, hurt_n, clean_hits, clean_n = 0, 0, 0, 0
    for t in range(scenario.horizon_days - 2):
        at_us = (log["targets"][t, mil] == us) & attacks[t]
        hurt = (at_us & (log["caused"][t, mil] > 0)).any(axis=0)
        recent = (log["losses"][max(t - 3, 0) : t + 1, us] > 0).any(axis=0)
        clean = at_us.any(axis=0) & ~recent
        answer = violent_us[t + 1 : t + 3].any(axis=0)
        hurt_hits += int((hurt & answer).sum())
        hurt_n += int(hurt.sum())
        clean_hits += int((clean & answer).sum())
        clean_n += int(clean.sum())
    f07 = (hurt_hits, hurt_n)
    f08 = (clean_hits, clean_n)
    ticks = []
    for i, (label, (k, n), hist) in enumerate(
        (
            (
                "attack hurt Americans\n(F07: strikes 1–2 days after\nK-1 and Taji, 2 of 2)",
                f07,
                1.0,
            ),
            (
                "attack hurt no one, no US\nlosses in the 3 days before\n(F08: no strike observed)",
                f08,
                0.0,
            ),
        )
    ):
        lo, hi = wilson(k, n)
        ax4.bar(i, k / n, color=COLORS["blue"], alpha=0.8, label="model" if i == 0 else None)
        ax4.errorbar(i, k / n, yerr=[[k / n - lo], [hi - k / n]], color="black", capsize=4)
        ax4.plot(i, hist, "D", color=COLORS["red"], ms=7, label="history" if i == 0 else None)
        ax4.text(i, k / n + 0.05, f"{k / n:.1%}\n({k}/{n})", ha="center", fontsize=8)
        ticks.append(label)
    ax4.set_xticks([0, 1], ticks, fontsize=7.5)
    ax4.set_xlim(-0.6, 1.6)
    ax4.set_ylim(0, 1.15)
    ax4.set_ylabel("P(US violent move within 2 days)")
    ax4.set_title("Retaliation rule: US strikes after militia attacks (F07, F08)", fontsize=9)
    ax4.legend(fontsize=8, frameon=False, loc="upper right")
    for ax in (ax1, ax2, ax3, ax4):
        style_axes(ax)
    save(fig, HERE / "e_calibration.png")

    k_all, n_all = rows[0][1], rows[0][2]
    out.update(
        {
            "replicates": R,
            "attacks_per_month": {
                "mean": rnd(rate_mean, 3),
                "ci95": rnd([rate_lo, rate_hi], 3),
                "ci99": rnd([rate_mean - tv.Z99 * se, rate_mean + tv.Z99 * se], 3),
                "median": rnd(np.median(per_rep), 3),
                "quantiles_5_25_50_75_95": rnd(
                    np.quantile(per_rep, [0.05, 0.25, 0.5, 0.75, 0.95]), 3
                ),
                "share_zero": rnd(share[0], 4),
                "share_in_1_5": rnd(share[2:6].sum(), 4),
                "share_above_5": rnd((per_rep > 5).mean(), 4),
                "by_30_day_block": {
                    n.replace("\n", " "): rnd(s, 3) for n, s in zip(names, block_stats, strict=True)
                },
            },
            "p_casualties_given_attack": {
                r[0]: {"k": r[1], "n": r[2], "p": rnd(r[1] / r[2]), "ci95": rnd(wilson(r[1], r[2]))}
                for r in rows
            },
            "p_casualties_given_attack_ci99": rnd(wilson_interval(k_all, n_all, z=tv.Z99)),
            "f07_us_answer_within_2_days_after_casualties": {
                "k": f07[0],
                "n": f07[1],
                "p": rnd(f07[0] / f07[1]),
            },
            "f08_us_answer_within_2_days_after_harmless_attack": {
                "k": f08[0],
                "n": f08[1],
                "p": rnd(f08[0] / f08[1]),
            },
            "bands": {"attacks_per_month": tv.ATTACK_RATE_BAND, "p_casualties": tv.CASUALTY_BAND},
        }
    )
    flush()


# -- (f) the hindcast ---------------------------------------------------------------------------


HISTORY = (
    # (date, id, short label), from seeds/article_2021-01-01_independent.yaml
    (dt.date(2019, 12, 27), "E02", "K-1 rocketed, 1 American killed"),
    (dt.date(2019, 12, 29), "E03", "US strikes 5 KH sites"),
    (dt.date(2019, 12, 31), "E04", "embassy compound stormed"),
    (dt.date(2020, 1, 3), "E05", "Soleimani & al-Muhandis killed"),
    (dt.date(2020, 1, 5), "E06", "Iraqi parliament vote"),
    (dt.date(2020, 1, 8), "E07/E09", "Iran's warned strike; US: sanctions"),
)


def figure_f_hindcast(out: dict) -> None:
    """The 2019-20 hindcast: daily violence, cumulative clash and war, and the departures."""
    R = 2000
    h = tv.measure_hindcast(build, R)
    scenario, model, rec, log = h["scenario"], h["model"], h["rec"], h["log"]
    strike, D = h["strike"], scenario.horizon_days
    # every day is drawn at its noon, so a day's step and its event line share the same x
    noon = dt.datetime.combine(scenario.start, dt.time(12))
    dates = np.array([noon + dt.timedelta(days=d) for d in range(D)])
    us, iran = model.index_of["US"], model.index_of["Iran"]
    mil = tv.militias(model)
    violent = log["violent"]
    unforced = h["unforced_direct"]

    fig = captioned_figure(
        "Hindcast 27 Dec 2019 – 3 Mar 2020: the forced spiral, then the model on its own",
        f"scenarios/hindcast_2019_2020.yaml, {R} replicates, seed 7. Moves of 27 Dec – 8 Jan are "
        "forced (E02–E07); from 9 Jan nothing is. Test: test_p8_hindcast_*",
        figsize=(13, 8.5),
    )
    grid = fig.add_gridspec(2, 2, width_ratios=[2.3, 1])
    ax1 = fig.add_subplot(grid[0, 0])
    ax2 = fig.add_subplot(grid[1, 0], sharex=ax1)
    ax3 = fig.add_subplot(grid[:, 1])

    series = {
        "US: violent move (any target)": (violent[:, us].mean(axis=1), COLORS["blue"]),
        "Iran: violent move": (violent[:, iran].mean(axis=1), COLORS["red"]),
        "militias: at least one attack": (
            violent[:, mil].any(axis=1).mean(axis=1),
            COLORS["green"],
        ),
        "US or Iran: unforced state-on-state move": (
            unforced.any(axis=1).mean(axis=1),
            COLORS["purple"],
        ),
    }
    floor = 1 / R / 2
    for label, (y, color) in series.items():
        ax1.plot(
            dates, np.maximum(y, floor), color=color, lw=1.3, label=label, drawstyle="steps-mid"
        )
    f05 = 1 - np.exp(-9 / 35)
    f02 = 1 - np.exp(-4.5 / tv.DAYS_PER_MONTH)
    ax1.hlines(f05, dates[0], dates[7], color=COLORS["green"], ls="--", lw=1)
    ax1.text(
        dates[0], f05 * 1.25, "F05: ≈9 attacks in 5 weeks", fontsize=7.5, color=COLORS["green"]
    )
    ax1.hlines(f02, dates[strike + 1], dates[-1], color=COLORS["green"], ls="--", lw=1)
    ax1.text(
        dates[strike + 20], f02 * 1.25, "F02: 4.5 a month", fontsize=7.5, color=COLORS["green"]
    )
    ax1.set_yscale("log")
    ax1.set_ylim(floor * 0.8, 1.6)
    ax1.set_ylabel("Share of replicates, per day")
    ax1.set_title(
        "Who uses violence each day (dashed: historical militia rates as P(≥1 a day)).\n"
        "From mid-January the ≈7 % plateau is the replicates at war, where everyone fights daily",
        fontsize=9,
    )
    ax1.legend(fontsize=7.5, frameon=False, loc="lower right", ncol=2)

    fc, fw = rec.first_clash, rec.first_war
    after = unforced[strike + 1 :].any(axis=1)  # (days after, R)
    first_after = np.where(after.any(axis=0), np.argmax(after, axis=0) + strike + 1, -1)
    cum = {
        "P(direct clash so far)": ((fc[None, :] >= 0) & (fc[None, :] <= np.arange(D)[:, None])),
        "P(war so far)": ((fw[None, :] >= 0) & (fw[None, :] <= np.arange(D)[:, None])),
        "P(unforced state-on-state violence since 9 Jan)": (
            (first_after[None, :] >= 0) & (first_after[None, :] <= np.arange(D)[:, None])
        ),
    }
    for (label, mask), color in zip(
        cum.items(), (COLORS["orange"], COLORS["purple"], COLORS["red"]), strict=True
    ):
        k = mask.sum(axis=1)
        ci = np.array([wilson(x, R) for x in k])
        ax2.plot(dates, k / R, color=color, label=label, drawstyle="steps-post")
        ax2.fill_between(dates, ci[:, 0], ci[:, 1], color=color, alpha=0.2, step="post", lw=0)
    ax2.set_ylim(-0.02, 1.02)
    ax2.set_ylabel("Cumulative probability")
    ax2.legend(fontsize=8, frameon=False, loc="center right")
    ax2.xaxis.set_major_formatter(mdates.DateFormatter("%d %b\n%Y"))
    ax2.set_xlabel("Date")

    for ax in (ax1, ax2):
        for i, (date, _, _) in enumerate(HISTORY):
            midday = dt.datetime.combine(date, dt.time(12))
            ax.axvline(midday, color="#444444", ls=":", lw=0.9, zorder=0)
            if ax is ax1:
                ax.annotate(
                    f"{i + 1}",
                    (midday, 1.25),
                    ha="center",
                    fontsize=7.5,
                    bbox={"boxstyle": "circle,pad=0.15", "fc": "white", "ec": "#444444"},
                )
        style_axes(ax)

    us_loss = log["losses"][:, us]
    k1 = h["day_of"][("KH", "US", "lethal_attack")]
    pre = violent[:k1, mil].sum(axis=(0, 1)).mean()
    post_rep = violent[strike + 1 :, mil].sum(axis=(0, 1)) / ((D - strike - 1) / tv.DAYS_PER_MONTH)
    post = post_rep.mean()
    stopped = ~unforced[strike + 1 :].any(axis=(0, 1))
    post_stopped, post_running = post_rep[stopped].mean(), post_rep[~stopped].mean()
    quiet_share = (post_rep[stopped] == 0).mean()
    # the US's first unforced move against Iran after 8 Jan: preceded by US losses in 3 days?
    us_moves = unforced[strike + 1 :, us]
    us_any = us_moves.any(axis=0)
    us_day = np.argmax(us_moves, axis=0) + strike + 1
    after_loss = np.array(
        [
            (us_loss[max(t - 3, 0) : t, r] > 0).any()
            for r, t in zip(np.flatnonzero(us_any), us_day[us_any], strict=True)
        ]
    )
    early = unforced[: strike + 1].any(axis=(0, 1))
    us_first = unforced[strike + 1 :, us].any(axis=0)
    war_days = fw[fw >= 0] - strike
    first_days = first_after[first_after >= 0] - strike
    numbers = {
        "replicates": R,
        "p_war": rnd((fw >= 0).mean()),
        "p_war_ci95": rnd(wilson((fw >= 0).sum(), R)),
        "p_no_unforced_direct_after_8_jan": rnd(stopped.mean()),
        "p_no_unforced_direct_after_8_jan_ci95": rnd(wilson(stopped.sum(), R)),
        "p_unforced_direct_up_to_8_jan": rnd(early.mean()),
        "p_us_unforced_direct_after": rnd(us_first.mean()),
        "p_iran_unforced_direct_after": rnd(unforced[strike + 1 :, iran].any(axis=0).mean()),
        "days_after_8_jan_to_first_unforced_direct_median": rnd(np.median(first_days), 1),
        "days_after_8_jan_to_war_median": rnd(np.median(war_days), 1),
        "p_k1_hurt_americans": rnd((us_loss[k1] > 0).mean()),
        "p_iran_strike_hurt_americans": rnd((us_loss[strike] > 0).mean()),
        "militia_attacks_before_k1_per_replicate": rnd(pre, 4),
        "militia_attacks_per_month_after_8_jan": rnd(post, 3),
        "militia_attacks_per_month_after_8_jan_median": rnd(np.median(post_rep), 3),
        "militia_attacks_per_month_after_8_jan_where_spiral_stopped": rnd(post_stopped, 3),
        "share_no_militia_attack_after_8_jan_where_spiral_stopped": rnd(quiet_share),
        "militia_attacks_per_month_after_8_jan_where_it_did_not": rnd(post_running, 3),
        "share_us_first_unforced_move_after_us_losses_in_3_days": rnd(after_loss.mean()),
        "median_escalation_8_jan": rnd(np.median(rec.escalation[strike]), 1),
        "median_escalation_8_jan_plus_30": rnd(np.median(rec.escalation[strike + 30]), 1),
    }
    iran_hurt = us_loss[strike] > 0
    numbers["p_us_unforced_after_given_strike_hurt"] = rnd(us_first[iran_hurt].mean())
    numbers["p_us_unforced_after_given_strike_harmless"] = rnd(us_first[~iran_hurt].mean())
    out.update(numbers)

    ax3.axis("off")
    key = "\n".join(f"{i + 1}  {fmt(d)} ({e}): {t}" for i, (d, e, t) in enumerate(HISTORY))
    text = (
        "Historical events (seeds/ digest)\n"
        f"{key}\n\n"
        "Outcome after 8 Jan (model alone)\n"
        f"• no further state-on-state violence: {stopped.mean():.1%}\n"
        f"• war by 3 Mar: {(fw >= 0).mean():.1%} (median {np.median(war_days):.0f} days\n"
        "   after Iran's strike)\n\n"
        "Where the simulation departs from history\n"
        f"• 20–26 Dec: militias almost silent ({pre:.3f} attacks\n"
        "   per replicate) vs ≈9 in 5 weeks before K-1 (F05)\n"
        f"• K-1 hurt Americans in only {(us_loss[k1] > 0).mean():.0%} of replicates\n"
        "   (history: 1 killed, 4 wounded); forced moves fix\n"
        "   who did what, not what it achieved\n"
        f"• 4–8 Jan: an unforced US or Iranian strike before\n"
        f"   Iran's in {early.mean():.1%} (history: Iran waited 5 days, F12)\n"
        f"• after 8 Jan the US strikes Iran again in\n"
        f"   {us_first.mean():.0%} of replicates, median {np.median(first_days):.0f} days later\n"
        "   (history: sanctions only, E09); only\n"
        f"   {after_loss.mean():.0%} of these follow US losses in the 3 days before\n"
        f"• Iran's strike hurt Americans in {(us_loss[strike] > 0).mean():.1%}; history:\n"
        "   none killed but ~110 brain injuries, which the\n"
        "   model would count as casualties (F13)\n"
        f"• militia attacks after 8 Jan: {post:.1f} a month on average,\n"
        f"   but {post_stopped:.2f} where the spiral stopped ({quiet_share:.0%} of those\n"
        f"   see none) and {post_running:.0f} where it did not; history:\n"
        "   the rocket attacks went on (F02: 4.5 a month)"
    )
    ax3.text(
        0.0,
        1.0,
        text,
        va="top",
        ha="left",
        fontsize=8.2,
        family="DejaVu Sans",
        transform=ax3.transAxes,
        linespacing=1.35,
    )
    save(fig, HERE / "f_hindcast.png")
    flush()


def fmt(date: dt.date) -> str:
    """'27 Dec' style."""
    return f"{date.day} {date:%b}"


# -- (g) every scenario ---------------------------------------------------------------------------


def figure_g_scenarios(out: dict) -> None:
    """Outcome probabilities of every scenario file, R = 2000, seed 7."""
    R = 2000
    paths = sorted(SCENARIOS.glob("*.yaml")) + sorted((SCENARIOS / "examples").glob("*.yaml"))
    table = {}
    for path in paths:
        scenario = load_scenario(path)
        model = build(scenario, replicates=R, seed=7)
        rec = model.run()
        codes = rec.outcome_codes()
        row = {}
        for c, name in enumerate(OUTCOMES):
            k = int((codes == c).sum())
            row[name] = {"k": k, "p": rnd(k / R), "ci95": rnd(wilson(k, R))}
        mil = tv.militias(model)
        if mil:
            att = rec.attacks[mil].sum(axis=0)
            leth = rec.lethal_attacks[mil].sum(axis=0)
            row["militia_attacks_per_month"] = rnd(
                att.mean() / (scenario.horizon_days / tv.DAYS_PER_MONTH), 3
            )
            total = int(att.sum())
            row["p_casualties_given_militia_attack"] = rnd(leth.sum() / total) if total else None
        table[str(path.relative_to(SCENARIOS))] = row
        flush()
    out.update({"replicates": R, "seed": 7, "scenarios": table})

    fig = captioned_figure(
        "Outcome probabilities of every scenario file",
        f"{R} replicates each, seed 7 (as `escalation run FILE --replicates {R} --seed 7`). "
        "Most severe outcome per replicate.",
        figsize=(11, 6.0),
    )
    ax = fig.subplots()
    colors = severity_colors(OUTCOMES)
    names = list(table)
    left = np.zeros(len(names))
    for name in OUTCOMES:
        p = np.array([table[n][name]["p"] for n in names])
        ax.barh(range(len(names)), p, left=left, color=colors[name], label=OUTCOME_LABELS[name])
        for i, (x, w) in enumerate(zip(left, p, strict=True)):
            if w >= 0.06:
                ax.text(
                    x + w / 2,
                    i,
                    f"{w:.0%}",
                    ha="center",
                    va="center",
                    fontsize=7.5,
                    color="white" if name in ("war", "direct_clash") else "black",
                )
        left += p
    ax.set_yticks(range(len(names)), [n.removesuffix(".yaml") for n in names], fontsize=8.5)
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_xlabel("Share of replicates")
    ax.legend(fontsize=8, frameon=False, ncol=5, loc="lower center", bbox_to_anchor=(0.5, 1.0))
    style_axes(ax)
    save(fig, HERE / "g_scenarios.png")


# -- (h) sensitivity to the unsourceable parameters ---------------------------------------------


SENSITIVITY = {
    "rationality (λ)": ("rationality={}", (0.5, 1.0, 1.25, 1.5, 1.75, 2.0, 3.0, 5.0), 1.5),
    "dynamics.memory (m)": (
        "dynamics.memory={}",
        (0.7, 0.8, 0.82, 0.84, 0.85, 0.86, 0.87, 0.88, 0.9, 0.95),
        0.85,
    ),
    "dynamics.threat_gain (g)": (
        "dynamics.threat_gain={}",
        (0.05, 0.1, 0.13, 0.14, 0.15, 0.16, 0.17, 0.18, 0.2, 0.25),
        0.15,
    ),
    "dynamics.deterrence (d)": (
        "dynamics.deterrence={}",
        (0.4, 0.5, 0.55, 0.6, 0.65, 0.7, 0.8, 1.0),
        0.6,
    ),
}


def figure_h_sensitivity(out: dict) -> None:
    """The baseline's clash probability and attack rate across unsourceable parameters (F24)."""
    R = 1000
    fig = captioned_figure(
        "Sensitivity of the baseline to parameters that cannot be sourced (F24)",
        f"Baseline, {R} replicates per point, seed 7; one parameter changed at a time, dotted line "
        "= baseline value. Bands: 95 % intervals.",
        figsize=(13, 6.5),
    )
    axes = fig.subplots(2, len(SENSITIVITY), sharey="row")
    for col, (label, (template, values, base)) in enumerate(SENSITIVITY.items()):
        clash, war, rate = [], [], []
        for v in values:
            scenario = load_scenario(tv.BASELINE, [template.format(v)])
            model = build(scenario, replicates=R, seed=7)
            rec = model.run()
            clash.append(int((rec.first_clash >= 0).sum()))
            war.append(int((rec.first_war >= 0).sum()))
            rate.append(
                mean_ci(rec.attacks[tv.militias(model)].sum(axis=0) / (90 / tv.DAYS_PER_MONTH))
            )
            flush()
        top, bottom = axes[0, col], axes[1, col]
        for k, color, name in (
            (clash, COLORS["red"], "P(direct clash)"),
            (war, COLORS["purple"], "P(war)"),
        ):
            ci = np.array([wilson(x, R) for x in k])
            top.plot(values, np.array(k) / R, marker="o", ms=3, color=color, label=name)
            top.fill_between(values, ci[:, 0], ci[:, 1], color=color, alpha=0.2, lw=0)
        rate = np.array(rate)
        bottom.plot(values, rate[:, 0], marker="o", ms=3, color=COLORS["blue"], label="model")
        bottom.fill_between(values, rate[:, 1], rate[:, 2], color=COLORS["blue"], alpha=0.2, lw=0)
        band(bottom, 1, 5, "F02–F04 band")
        for ax in (top, bottom):
            ax.axvline(base, color=COLORS["grey"], ls=":", lw=1)
            style_axes(ax)
        bottom.set_xlabel(label)
        bottom.set_yscale("symlog", linthresh=1)
        out[label] = {
            "values": list(values),
            "p_clash": rnd(np.array(clash) / R),
            "p_war": rnd(np.array(war) / R),
            "attacks_per_month": rnd(rate[:, 0], 3),
        }
    axes[0, 0].set_ylabel("Probability over 90 days")
    axes[1, 0].set_ylabel("Militia attacks per month")
    axes[0, 0].legend(fontsize=8, frameon=False)
    axes[1, 0].legend(fontsize=8, frameon=False, loc="upper left")
    axes[0, 0].set_ylim(-0.02, 1.02)
    save(fig, HERE / "h_sensitivity.png")


def main() -> None:
    """Compute everything, write the figures and results.json."""
    t0 = time.time()
    results: dict = {"generated_by": "docs/validation/make_figures.py"}
    for key, func in (
        ("p2_spiral", figure_a_spiral),
        ("p3_control", figure_b_control),
        ("p4_windows", figure_c_windows),
        ("p5_deterrence", figure_d_deterrence),
        ("p8_calibration", figure_e_calibration),
        ("p8_hindcast", figure_f_hindcast),
        ("scenario_table", figure_g_scenarios),
        ("sensitivity", figure_h_sensitivity),
    ):
        t = time.time()
        results[key] = {}
        func(results[key])
        print(f"{key}: {time.time() - t:.1f} s")
    path = HERE / "results.json"
    path.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {path} and the figures in {time.time() - t0:.0f} s")


if __name__ == "__main__":
    main()
