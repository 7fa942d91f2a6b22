"""One self-contained HTML page: sections of text, tables and Vega-Lite charts, scripts inlined.

A :class:`Page` is built section by section (each kind of results folder adds its own) and
rendered by :meth:`Page.html` into a single document that needs no network: the Vega, Vega-Lite
and vega-embed scripts come from ``vl-convert``'s bundle (the versions Altair targets) and are
inlined once; each chart's spec, data included, is inlined as JSON. Charts are drawn as SVG so a
reader (or a test) can find their marks; every drawn chart marks its container
``data-rendered="ok"`` (or ``"error"``) and keeps its Vega view in ``window.reportViews``.
Tables may carry a filter box and sortable columns (a few lines of plain JavaScript).
"""

from __future__ import annotations

import functools
import html
import json
import re
from dataclasses import dataclass, field
from typing import Any

import pandas as pd


@dataclass(frozen=True)
class Html:
    """A piece of HTML the section builder made (escape any text you put in it)."""

    markup: str


@dataclass(frozen=True)
class Table:
    """A table; ``filter`` adds a filter box above it, ``sortable`` sortable column headers.

    ``formats`` maps a column to a format string (``"{:.3f}"``) or a callable; other cells are
    printed with :func:`cell`. ``caption`` is plain text.
    """

    frame: pd.DataFrame
    caption: str = ""
    filter: bool = False
    sortable: bool = False
    formats: dict[str, Any] = field(default_factory=dict)
    name: str = ""


@dataclass(frozen=True)
class Chart:
    """A Vega-Lite chart (an Altair chart, or its spec as a dict) with a caption in plain text."""

    spec: dict[str, Any]
    caption: str = ""
    name: str = ""


@dataclass
class Section:
    """A titled part of the page."""

    title: str
    anchor: str
    blocks: list[Html | Table | Chart] = field(default_factory=list)

    def text(self, markup: str) -> None:
        """Add HTML (already escaped where it holds user text)."""
        self.blocks.append(Html(markup))

    def para(self, text: str) -> None:
        """Add a paragraph of plain text."""
        self.blocks.append(Html(f"<p>{html.escape(text)}</p>"))

    def table(self, frame: pd.DataFrame, **kw: Any) -> None:
        """Add a table (see :class:`Table`)."""
        self.blocks.append(Table(frame, **kw))

    def chart(self, chart: Any, caption: str = "", name: str = "") -> None:
        """Add a chart: an Altair chart or a Vega-Lite spec."""
        if isinstance(chart, dict):
            spec = chart
        else:  # a long run's daily mix has more rows than Altair's guard against huge notebooks
            import altair as alt

            with alt.data_transformers.disable_max_rows():
                spec = chart.to_dict()
        self.blocks.append(Chart(spec, caption, name))


@dataclass
class Page:
    """A report page: a title, a subtitle and sections, rendered by :meth:`html`."""

    title: str
    subtitle: str = ""
    sections: list[Section] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def section(self, title: str, anchor: str) -> Section:
        """Append a new section and return it."""
        s = Section(title, anchor)
        self.sections.append(s)
        return s

    def charts(self) -> list[Chart]:
        """Every chart of the page, in order."""
        return [b for s in self.sections for b in s.blocks if isinstance(b, Chart)]

    def html(self) -> str:
        """The whole document, scripts and data inlined."""
        body: list[str] = []
        n_chart = n_table = 0
        for s in self.sections:
            body.append(f'<section id="{html.escape(s.anchor)}"><h2>{html.escape(s.title)}</h2>')
            for block in s.blocks:
                if isinstance(block, Html):
                    body.append(block.markup)
                elif isinstance(block, Table):
                    n_table += 1
                    body.append(_table_html(block, f"table-{n_table}"))
                else:
                    n_chart += 1
                    body.append(_chart_html(block, f"chart-{n_chart}"))
            body.append("</section>")
        toc = "".join(
            f'<a href="#{html.escape(s.anchor)}">{html.escape(s.title)}</a>' for s in self.sections
        )
        notes = "".join(f"<li>{html.escape(n)}</li>" for n in self.notes)
        return _DOCUMENT.format(
            title=html.escape(self.title),
            subtitle=html.escape(self.subtitle),
            css=_CSS,
            bundle=_inline_script(vega_bundle()),
            toc=toc,
            notes=f'<ul class="notes">{notes}</ul>' if notes else "",
            body="\n".join(body),
            script=_SCRIPT,
        )


@functools.cache
def vega_bundle() -> str:
    """vega-embed, Vega and Vega-Lite as one script, for the Vega-Lite version Altair writes.

    The script sets ``window.vegaEmbed``, ``window.vega`` and ``window.vegaLite``.
    """
    import vl_convert
    from altair.utils._importers import vl_version_for_vl_convert

    return vl_convert.javascript_bundle(_GLOBALS, vl_version=vl_version_for_vl_convert())


#: the bundle's entry point: put the three libraries where the page's scripts find them
_GLOBALS = "window.vegaEmbed = vegaEmbed; window.vega = vega; window.vegaLite = vegaLite;"


def cell(value: Any) -> str:
    """A table cell as text: floats with 3 significant figures, missing values as an en dash."""
    if value is None or (isinstance(value, float) and value != value) or value is pd.NA:
        return "\u2013"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.3g}" if abs(value) < 1e5 else f"{value:,.0f}"
    return str(value)


def _script_text(text: str) -> str:
    r"""JSON safe inside a <script> element: ``</`` becomes ``<\\/`` (the same JSON string)."""
    return text.replace("</", "<\\/")


def _inline_script(code: str) -> str:
    r"""JavaScript safe inside a <script> element: no ``</script`` (JS reads ``<\\/`` as ``</``).

    Only that sequence is touched: the bundle's regular expressions hold other ``</``.
    """
    return re.sub("</(script)", "<\\\\/\\1", code, flags=re.IGNORECASE)


def _chart_html(chart: Chart, ident: str) -> str:
    spec = _script_text(json.dumps(chart.spec, separators=(",", ":"), allow_nan=False))
    caption = f"<figcaption>{html.escape(chart.caption)}</figcaption>" if chart.caption else ""
    name = f' data-name="{html.escape(chart.name)}"' if chart.name else ""
    return (
        f'<figure class="chart"><div class="vega" id="{ident}" data-chart{name}></div>{caption}'
        f'<script type="application/json" id="{ident}-spec">{spec}</script></figure>'
    )


def _table_html(table: Table, ident: str) -> str:
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in table.frame.columns)
    rows = []
    for values in table.frame.itertuples(index=False, name=None):
        cells = []
        for column, value in zip(table.frame.columns, values, strict=True):
            fmt = table.formats.get(column)
            text = (fmt(value) if callable(fmt) else fmt.format(value)) if fmt else cell(value)
            sort = f' data-sort="{value}"' if isinstance(value, int | float) else ""
            cells.append(f"<td{sort}>{html.escape(text)}</td>")
        rows.append(f"<tr>{''.join(cells)}</tr>")
    classes = " ".join(c for c in ("sortable" if table.sortable else "",) if c)
    name = f' data-name="{html.escape(table.name)}"' if table.name else ""
    box = (
        f'<input type="search" class="filter" data-for="{ident}" '
        f'placeholder="Filter rows: text, or column&gt;value, column&lt;value">'
        if table.filter
        else ""
    )
    caption = f"<caption>{html.escape(table.caption)}</caption>" if table.caption else ""
    return (
        f'<div class="table-wrap">{box}<table id="{ident}" class="{classes}"{name}>{caption}'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
    )


_CSS = """
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #222;
  margin: 0; background: #fafafa; }
header { background: #1f3b57; color: white; padding: 18px 28px 12px; }
header h1 { margin: 0 0 4px; font-size: 22px; }
header p { margin: 0; opacity: .85; }
nav { position: sticky; top: 0; background: #fff; border-bottom: 1px solid #ddd; padding: 6px 28px;
  z-index: 5; }
nav a { margin-right: 16px; color: #1f3b57; text-decoration: none; font-size: 14px; }
main { padding: 0 28px 40px; max-width: 1200px; }
section { margin-top: 26px; }
h2 { font-size: 19px; border-bottom: 2px solid #1f3b57; padding-bottom: 3px; }
h3 { font-size: 16px; margin-bottom: 4px; }
figure.chart { margin: 12px 0 22px; background: #fff; padding: 8px; border: 1px solid #e3e3e3; }
figcaption { color: #555; font-size: 13px; margin-top: 4px; }
.table-wrap { overflow-x: auto; margin: 10px 0 20px; }
table { border-collapse: collapse; font-size: 13.5px; background: #fff; }
caption { text-align: left; color: #555; font-size: 13px; padding: 4px 0; caption-side: bottom; }
th, td { border: 1px solid #ddd; padding: 3px 8px; text-align: left; vertical-align: top; }
th { background: #eef2f6; }
table.sortable th { cursor: pointer; }
table.sortable th:after { content: " \\2195"; color: #999; font-size: 11px; }
input.filter { width: 420px; padding: 4px 6px; margin-bottom: 6px; font-size: 13.5px; }
pre.story { background: #fff; border: 1px solid #ddd; padding: 10px; font-size: 12.5px;
  max-height: 420px; overflow: auto; white-space: pre-wrap; }
code { background: #eef2f6; padding: 1px 4px; border-radius: 3px; }
details { margin: 8px 0; }
summary { cursor: pointer; font-weight: 600; }
ul.notes { color: #555; font-size: 13px; }
.muted { color: #666; }
"""

_SCRIPT = r"""
window.reportViews = {};
window.reportErrors = [];
document.querySelectorAll('div[data-chart]').forEach(function (div) {
  var spec = JSON.parse(document.getElementById(div.id + '-spec').textContent);
  vegaEmbed('#' + div.id, spec, {renderer: 'svg', actions: false})
    .then(function (r) { window.reportViews[div.id] = r.view; div.dataset.rendered = 'ok'; })
    .catch(function (e) { div.dataset.rendered = 'error'; window.reportErrors.push(String(e));
                          console.error(e); });
});
function rowMatches(row, headers, query) {
  var parts = query.split(/\s+/).filter(Boolean);
  return parts.every(function (q) {
    var m = q.match(/^([^<>=]+)(<=|>=|<|>|=)(-?[0-9.eE+-]+)$/);
    if (m) {
      var col = headers.indexOf(m[1]);
      if (col >= 0) {
        var cell = row.cells[col];
        var v = parseFloat(cell.dataset.sort !== undefined ? cell.dataset.sort : cell.textContent);
        var x = parseFloat(m[3]);
        if (isNaN(v)) { return false; }
        return {'<': v < x, '>': v > x, '<=': v <= x, '>=': v >= x, '=': v === x}[m[2]];
      }
    }
    return row.textContent.toLowerCase().indexOf(q.toLowerCase()) >= 0;
  });
}
document.querySelectorAll('input.filter').forEach(function (box) {
  var table = document.getElementById(box.dataset.for);
  var headers = Array.from(table.tHead.rows[0].cells).map(function (c) { return c.textContent; });
  box.addEventListener('input', function () {
    Array.from(table.tBodies[0].rows).forEach(function (row) {
      row.style.display = rowMatches(row, headers, box.value) ? '' : 'none';
    });
  });
});
document.querySelectorAll('table.sortable').forEach(function (table) {
  Array.from(table.tHead.rows[0].cells).forEach(function (th, col) {
    th.addEventListener('click', function () {
      var up = th.dataset.dir !== 'up';
      th.dataset.dir = up ? 'up' : 'down';
      var rows = Array.from(table.tBodies[0].rows);
      rows.sort(function (a, b) {
        var x = a.cells[col], y = b.cells[col];
        var u = x.dataset.sort !== undefined ? parseFloat(x.dataset.sort) : x.textContent;
        var v = y.dataset.sort !== undefined ? parseFloat(y.dataset.sort) : y.textContent;
        return (u < v ? -1 : u > v ? 1 : 0) * (up ? 1 : -1);
      });
      rows.forEach(function (r) { table.tBodies[0].appendChild(r); });
    });
  });
});
"""

_DOCUMENT = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>{css}</style>
<script>{bundle}</script>
</head>
<body>
<header><h1>{title}</h1><p>{subtitle}</p></header>
<nav>{toc}</nav>
<main>
{notes}
{body}
</main>
<script>{script}</script>
</body>
</html>
"""
