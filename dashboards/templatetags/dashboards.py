"""`{% table_rows chart.table %}` writes a chart's table rows: the numbers behind
a chart, a cell without a figure as "—" (read out as "no data", never as 0).

Written here rather than as nested template loops: a heatmap's table runs to
thousands of cells, and the template engine spent more on them than the page
spent on its figures. Each cell is what `{{ cell }}` would give: localised,
escaped."""

from __future__ import annotations

from django import template
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from dashboards.figures import Table

register = template.Library()

NO_FIGURE = '—<span class="visually-hidden"> no data</span>'
# The template's own layout between rows, kept so the page reads the same.
ROW_END = "</tr>\n      "


@register.simple_tag
def table_rows(table: Table) -> SafeString:
    # Whether this language writes numbers as Python does (no grouping, a
    # decimal point): then an int or a plain float needs no detour.
    plain = localize(1234567.5) == "1234567.5"
    # Every cell is escaped by _cell (a number, or conditional_escape of its
    # localised text), and the rest is our own markup: nosec B308 B703 below.
    return mark_safe(  # noqa: S308  # nosec B308 B703
        "".join(
            "<tr>"
            + "".join(f"<td>{_cell(value, plain)}</td>" for value in row)
            + ROW_END
            for row in table.rows
        )
    )


def _cell(value: object, plain: bool) -> str:
    if value is None:
        return NO_FIGURE
    kind = type(value)
    if plain and (kind is int or (kind is float and "e" not in repr(value))):
        return repr(value)
    return conditional_escape(localize(value))
