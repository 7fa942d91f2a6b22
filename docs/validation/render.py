"""Render VALIDATION.tmpl.md into docs/VALIDATION.md with the numbers of results.json.

Run after make_figures.py and record.py: ``python docs/validation/render.py``. No number in the
document is typed by hand: each ``{{ expr }}`` in the template is a Python expression evaluated
over the results (the short names below: ``r``, ``p1`` … ``p6``, ``b``, ``h``, ``sens``, ``tab``,
``v1``; ``rec`` for record.json) and the formatting helpers of this module. The scenario table
between its markers is the one make_figures.py writes. Exits 1, listing them, if any expression
fails or if a criterion fails while the text says every criterion holds.
"""

from __future__ import annotations

import json
import re
import sys
import textwrap
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
HERE = REPO / "docs" / "validation"
#: one-sided 99 % normal quantile, for intervals quoted in the text
Z = 2.326
_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def pct(x: float | None, nd: int | str = 1) -> str:
    """A share as a percentage: 0.0345 -> '3.5 %' (``nd="auto"``: two decimals below 1 %)."""
    if x is None:
        return "—"
    v = x * 100
    if nd == "auto":
        nd = 2 if abs(v) < 1 and v != 0 else 1
    return f"{v:.{nd}f} %".replace("-", "−")


def f(x: float, nd: int = 2) -> str:
    """A number with thousands separators and a typographic minus."""
    return f"{x:,.{nd}f}".replace("-", "−")


def n(x: float) -> str:
    """A count with thousands separators."""
    return f"{int(x):,}"


def z(x: float, nd: int = 1) -> str:
    """A z statistic with a typographic minus."""
    return f"{x:.{nd}f}".replace("-", "−")


def pv(p: float) -> str:
    """A p-value: three decimals down to 0.001, then a power of ten."""
    if p == 0:
        return "< 10⁻³⁰⁰"
    mantissa, exponent = f"{p:.2e}".split("e")
    if int(exponent) >= -3:
        return f"{p:.3f}"
    return f"{float(mantissa):.1f} × 10{str(int(exponent)).translate(_SUPERSCRIPT)}"


def ok(cond: bool) -> str:
    """A tick, or a cross that says the criterion fails."""
    return "✔" if cond else "✘ (fails)"


def rng(pair: list[float], fmt: Any = pct) -> str:
    """An interval 'lo–hi' in the given format."""
    return f"{fmt(pair[0])}–{fmt(pair[1])}"


def bias_row(sweep: str, key: str = "p_clash") -> list[float]:
    """One row of the P2 offense-bias sweep."""
    return RESULTS["p2_spiral"]["sweeps"][sweep][key]


def at(grid: list[Any], values: list[Any], x: Any) -> Any:
    """The value at grid point ``x``."""
    return values[grid.index(x)]


# -- the record (record.json, written by record.py) -----------------------------------------------
#: the scores of the record tables, with their labels (lower is better for all)
RECORD_SCORES = (
    ("rps", "RPS, outcome class"),
    ("brier_state_violence", "Brier, state-on-state violence"),
    ("brier_deaths_any", "Brier, any US death"),
    ("brier_attacks_at_least", "Brier, ≥ k militia attacks"),
    ("crps_attacks", "CRPS, militia attacks"),
    ("log_attacks", "log score, militia attacks"),
    ("crps_deaths", "CRPS, US deaths"),
)
PARTS = {"calibration": "calibration part", "held_out": "held-out part"}


def skill_row(run: str, part: str, lead: int, score: str) -> dict[str, Any]:
    """One row of a run's skill table in record.json."""
    for row in RECORD[run]["skill"]:
        if row["part"] == part and row["lead"] == lead and row["score"] == score:
            return dict(row)
    raise KeyError(f"{run}: no skill row for {part}, {lead} d, {score}")


def sk(x: float | None) -> str:
    """A skill score: signed, two decimals, '≪ −10' below −10, '—' when undefined."""
    if x is None or x != x:
        return "—"
    if x < -10:
        return "< −10"
    return f"{x:+.2f}".replace("-", "−")


def num(x: float | None, nd: int = 2) -> str:
    """A mean score, or '—'."""
    return "—" if x is None or x != x else f(x, nd)


def score_table(run: str, part: str) -> str:
    """A markdown table of the model's mean scores and skills for one part of the record."""
    lines = [
        "| score | lead | windows | model | climatology | persistence | skill vs climatology "
        "| skill vs persistence |",
        "|---|---|---|---|---|---|---|---|",
    ]
    leads = sorted({r["lead"] for r in RECORD[run]["skill"] if r["part"] == part})
    for score, label in RECORD_SCORES:
        for lead in leads:
            r = skill_row(run, part, lead, score)
            lines.append(
                f"| {label} | {lead} d | {r['windows']} | {num(r['model'])} | "
                f"{num(r['climatology'])} | {num(r['persistence'])} | "
                f"{sk(r['skill_vs_climatology'])} | {sk(r['skill_vs_persistence'])} |"
            )
    return "\n".join(lines)


def coverage(run: str, part: str, lead: int, column: str = "in90_attacks") -> float:
    """The share of a part's windows whose record fell in the model's interval."""
    for row in RECORD[run]["coverage"]:
        if row["part"] == part and row["lead"] == lead and row["forecaster"] == "model":
            return float(row[column])
    raise KeyError(f"{run}: no coverage row for {part}, {lead} d")


def posterior_table() -> str:
    """The calibration's posterior, per parameter, as a markdown table."""
    lines = [
        "| parameter | prior | median | 90 % credible interval | share of the prior range |",
        "|---|---|---|---|---|",
    ]
    for r in RECORD["posterior"]:
        lines.append(
            f"| `{r['parameter']}` | {r['prior_low']:.3g} – {r['prior_high']:.3g} | "
            f"{r['median']:.3g} | {r['q05']:.3g} – {r['q95']:.3g} | {pct(r['width_share'], 0)} |"
        )
    return "\n".join(lines)


def statistic(name: str) -> dict[str, Any]:
    """One summary statistic of the calibration (observed, scale, prior and posterior means)."""
    return next(dict(r) for r in RECORD["statistics"] if r["statistic"] == name)


def regime(name: str) -> float:
    """The posterior's share of replicates in a regime (quiet, runaway)."""
    return float(next(r["share"] for r in RECORD["regimes"] if r["regime"] == name))


def transient(run: str, lead: int, key: str) -> list[float]:
    """A column of a run's start-up transient table, for one lead, in origin order."""
    return [float(r[key]) for r in RECORD[run]["transient"] if r["lead"] == lead]


def transient_peak(run: str, lead: int) -> dict[str, Any]:
    """The origin where a run's spun-up and cold forecasts of attacks differ most."""
    rows = [r for r in RECORD[run]["transient"] if r["lead"] == lead]
    top = max(rows, key=lambda r: abs(r["attacks_difference"]))
    return {**top, "date": top["origin"][:10]}


def window(run: str, origin: str, lead: int) -> dict[str, Any]:
    """The model's row of one window (origin given as YYYY-MM-DD) of a run in record.json."""
    return next(
        dict(w)
        for w in RECORD[run]["windows"]
        if w["origin"].startswith(origin) and w["lead"] == lead
    )


def lag_row(run: str, victim: str, date: str) -> dict[str, Any]:
    """A run's score of one response lag of the record (the attack's date as YYYY-MM-DD)."""
    return next(
        dict(r)
        for r in RECORD[run]["lags"]
        if r["victim"] == victim and str(r["date"]).startswith(date)
    )


def reflow(text: str, width: int = 100) -> str:
    """Re-wrap paragraphs and list items (not tables, headings, images, code or comments)."""
    out: list[str] = []
    block: list[str] = []
    fence = False
    item = re.compile(r"^()(- |\d+\. )")  # top-level list items only

    def flush() -> None:
        if not block:
            return
        m = item.match(block[0])
        if m:
            lead = m.group(1) + m.group(2)
            body = " ".join([block[0][len(lead) :].strip()] + [x.strip() for x in block[1:]])
            out.extend(
                textwrap.wrap(
                    body,
                    width,
                    initial_indent=lead,
                    subsequent_indent=" " * len(lead),
                    break_long_words=False,
                    break_on_hyphens=False,
                )
            )
        else:
            body = " ".join(x.strip() for x in block)
            out.extend(textwrap.wrap(body, width, break_long_words=False, break_on_hyphens=False))
        block.clear()

    for line in text.split("\n"):
        if line.startswith("```"):
            flush()
            fence = not fence
            out.append(line)
            continue
        special = (
            fence or not line.strip() or line.lstrip().startswith(("|", "#", "![", "<!--", "---"))
        )
        if special:
            flush()
            out.append(line)
        elif item.match(line):
            flush()
            block.append(line)
        else:
            block.append(line)
    flush()
    return "\n".join(out)


def render(template: str, results: dict[str, Any]) -> tuple[str, list[str]]:
    """The template with every ``{{ expr }}`` evaluated and re-wrapped; the failed expressions."""
    names: dict[str, Any] = {k: v for k, v in globals().items() if not k.startswith("__")}
    names.update(
        r=results,
        p1=results["p1_no_dilemma"],
        p2=results["p2_spiral"],
        p3=results["p3_control"],
        p4=results["p4_windows"],
        p5=results["p5_deterrence"],
        p6=results["p6_logit"],
        b=results["p8_baseline"],
        h=results["p8_hindcast"],
        sens=results["sensitivity"],
        tab=results["scenario_table"],
        v1=results["v1_headlines"],
        rec=RECORD,
    )
    errors: list[str] = []

    def evaluate(m: re.Match[str]) -> str:
        expr = m.group(1).strip()
        try:
            return str(eval(expr, names))  # noqa: S307  (our own template, our own numbers)
        except Exception as exc:  # noqa: BLE001  (every failure is reported, none is fatal here)
            errors.append(f"{expr}: {exc!r}")
            return f"<<{expr}>>"

    text = re.sub(r"\{\{(.*?)\}\}", evaluate, template, flags=re.S)
    text = re.sub(r"(\d) (%|×)", "\\1\u00a0\\2", text)  # keep a number and its unit together
    text = reflow(text).replace("\u00a0", " ")
    if "✘" in text and "Every criterion holds" in text:
        errors.append("a criterion fails but the text says every criterion holds")
    return text, errors


RESULTS: dict[str, Any] = {}
RECORD: dict[str, Any] = {}


def main() -> int:
    """Render the document; 1 if any expression failed (nothing is written then)."""
    RESULTS.update(json.loads((HERE / "results.json").read_text(encoding="utf-8")))
    RECORD.update(json.loads((HERE / "record.json").read_text(encoding="utf-8")))
    text, errors = render((HERE / "VALIDATION.tmpl.md").read_text(encoding="utf-8"), RESULTS)
    if errors:
        print("\n".join(errors))
        return 1
    doc = REPO / "docs" / "VALIDATION.md"
    doc.write_text(text, encoding="utf-8")
    sys.path.insert(0, str(HERE))
    import make_figures  # the script's own table writer

    make_figures.write_table(RESULTS["scenario_table"])
    print("wrote", doc, len(text), "chars")
    return 0


if __name__ == "__main__":
    sys.exit(main())
