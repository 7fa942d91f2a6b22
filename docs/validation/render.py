"""Render docs/validation/VALIDATION.tmpl.md into docs/VALIDATION.md with the numbers of results.json.

Run after make_figures.py: ``python docs/validation/render.py``. No number in the document is typed
by hand.

Each {{ expr }} is a Python expression over the results (aliases below) and formatting helpers.
Writes docs/VALIDATION.md, keeping the scenario-table block that make_figures.py wrote.
"""

import json
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
RES = json.loads((REPO / "docs/validation/results.json").read_text())
r = RES
p1 = r["p1_no_dilemma"]
p2 = r["p2_spiral"]
p3 = r["p3_control"]
p4 = r["p4_windows"]
p5 = r["p5_deterrence"]
p6 = r["p6_logit"]
b = r["p8_baseline"]
h = r["p8_hindcast"]
sens = r["sensitivity"]
tab = r["scenario_table"]
v1 = r["v1_headlines"]
Z = 2.326


def pct(x, nd=1):
    """0.0345 -> '3.5 %'."""
    if x is None:
        return "—"
    v = x * 100
    if nd == "auto":
        nd = 2 if abs(v) < 1 and v != 0 else 1
    return f"{v:.{nd}f} %".replace("-", "−")


def f(x, nd=2):
    s = f"{x:,.{nd}f}"
    return s.replace("-", "−")


def n(x):
    return f"{int(x):,}"


def z(x, nd=1):
    return f"{x:.{nd}f}".replace("-", "−")


def pv(p):
    if p == 0:
        return "< 10⁻³⁰⁰"
    m, e = f"{p:.2e}".split("e")
    e = int(e)
    if e >= -3:
        return f"{p:.3f}"
    sup = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")
    return f"{float(m):.1f} × 10{str(e).translate(sup)}"


def ok(cond):
    return "✔" if cond else "✘ (fails)"


def rng(pair, fmt=pct):
    return f"{fmt(pair[0])}–{fmt(pair[1])}"


def bias_row(sweep, key="p_clash"):
    s = p2["sweeps"][sweep]
    return s[key]


def at(grid, values, x):
    return values[grid.index(x)]


ns = {k: v for k, v in globals().items() if not k.startswith("__")}

tmpl = (REPO / "docs/validation/VALIDATION.tmpl.md").read_text()
errors = []


def sub(m):
    expr = m.group(1).strip()
    try:
        return str(eval(expr, ns))
    except Exception as exc:  # noqa: BLE001
        errors.append(f"{expr}: {exc!r}")
        return f"<<{expr}>>"


text = re.sub(r"\{\{(.*?)\}\}", sub, tmpl, flags=re.S)


def reflow(text: str, width: int = 100) -> str:
    """Re-wrap paragraphs and list items (not tables, headings, images, code or comments)."""
    import textwrap

    out, block, fence = [], [], False
    item = re.compile(r"^()(- |\d+\. )")  # top-level list items only

    def flush():
        if not block:
            return
        m = item.match(block[0])
        if m:
            lead = m.group(1) + m.group(2)
            body = " ".join([block[0][len(lead):].strip()] + [x.strip() for x in block[1:]])
            out.extend(
                textwrap.wrap(body, width, initial_indent=lead, subsequent_indent=" " * len(lead),
                              break_long_words=False, break_on_hyphens=False)
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
            fence
            or not line.strip()
            or line.lstrip().startswith(("|", "#", "![", "<!--", "---"))
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


# keep a number and its unit together when wrapping
text = re.sub(r"(\d) (%|×)", "\\1\u00a0\\2", text)
text = reflow(text).replace("\u00a0", " ")
if "✘" in text and "Every criterion holds" in text:
    errors.append("a criterion fails but the text says every criterion holds")
if errors:
    print("\n".join(errors))
    sys.exit(1)
doc = REPO / "docs/VALIDATION.md"
sys.path.insert(0, str(REPO / "docs/validation"))
import make_figures  # noqa: E402  (the script's own table writer)

doc.write_text(text)
make_figures.write_table(RES["scenario_table"])
print("wrote", doc, len(text), "chars")
