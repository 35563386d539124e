"""Insights' charts drawn on the server (pygal, SVG) and their numbers as CSV.

The SVG is served from our own URL and shown with ``<img>``: it carries no script
(``js=[]``, and the configuration script pygal still writes is taken out; an
image's scripts would not run anyway) and no XML declaration, so the
page's Content-Security-Policy stays as strict as everywhere else. The page puts the
same numbers in a table under each chart for screen readers."""

import csv
import io
import re

import pygal
from pygal.style import Style

from staff.insights import Chart

# The desk's palette (static/css): ink, accent, and calm colours after them.
_STYLE = Style(
    background="white",
    plot_background="white",
    foreground="#222",
    foreground_strong="#111",
    foreground_subtle="#666",
    colors=("#1a5fb4", "#c64600", "#26a269", "#a51d2d", "#613583", "#986a44", "#5e5c64"),
    font_family="system-ui, sans-serif",
)
# pygal writes its tooltip configuration as a <script> even with js=[]: taken out.
_SCRIPT = re.compile(r"<script\b.*?</script>", re.DOTALL)
_KINDS = {"line": pygal.Line, "bar": pygal.Bar, "stacked": pygal.StackedBar}


def chart_svg(chart: Chart) -> str:
    """The chart as a standalone SVG document."""
    drawing = _KINDS[chart.kind](
        style=_STYLE,
        js=[],
        disable_xml_declaration=True,
        width=800,
        height=320,
        x_label_rotation=30 if len(chart.labels) > 8 else 0,
        show_minor_x_labels=len(chart.labels) <= 16,
        x_labels_major_every=max(len(chart.labels) // 8, 1),
        truncate_label=30,
        no_data_text="—",
        legend_at_bottom=True,
    )
    drawing.title = str(chart.title)
    drawing.x_labels = [str(label) for label in chart.labels]
    for name, values in chart.series.items():
        drawing.add(str(name), list(values))
    return _SCRIPT.sub("", drawing.render(is_unicode=True))


def chart_rows(chart: Chart) -> list[tuple[str, list]]:
    """The table under a chart: ``(label, values)`` per row."""
    names = list(chart.series)
    return [
        (str(label), [chart.series[name][n] for name in names])
        for n, label in enumerate(chart.labels)
    ]


def _cell(value) -> str:
    # A spreadsheet runs a cell that starts like a formula (an article's title could).
    text = "" if value is None else str(value)
    return f"'{text}" if text[:1] in ("=", "+", "-", "@") and not _is_number(text) else text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def chart_csv(chart: Chart) -> str:
    """The chart's numbers, as the table under it: one row per label, one column per
    series."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["", *(str(name) for name in chart.series)])
    for label, values in chart_rows(chart):
        writer.writerow([_cell(label), *(_cell(v) for v in values)])
    return out.getvalue()
