"""`{% table_rows chart.table %}` writes a chart's table rows: the numbers behind
a chart, a cell without a figure as "—" (read out as "no data", never as 0).
`{% comment_items round.comments %}` writes a round's comments as list items.

Written here rather than as nested template loops: a heatmap's table runs to
thousands of cells, a comments page to hundreds of comments, and the template
engine spent more on them than the page spent on its figures. Each value is
what `{{ value }}` would give: localised, escaped."""

from __future__ import annotations

from collections.abc import Iterable

from django import template
from django.template.defaultfilters import floatformat, linebreaksbr
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from dashboards.figures import Table
from dashboards.metrics.comments import Comment, Tone

register = template.Library()

NO_FIGURE = '—<span class="visually-hidden"> no data</span>'
# The template's own layout between rows, kept so the page reads the same.
ROW_END = "</tr>\n      "


@register.simple_tag
def table_rows(table: Table) -> SafeString:
    # Whether this language writes numbers as Python does (no grouping, a
    # decimal point): then an int or a plain float needs no detour.
    plain = localize(1234567.5) == "1234567.5"
    # A table repeats its texts (team names, round labels, why a figure is
    # hidden) row after row: each is escaped once. Plain `str` only, keyed by
    # itself: a safe string, or a number equal to another of another type
    # (1, 1.0, True), is written afresh.
    texts: dict[str, str] = {}

    def cell(value: object) -> str:
        if type(value) is str:
            if (found := texts.get(value)) is None:
                found = texts[value] = _cell(value, plain)
            return found
        return _cell(value, plain)

    # Every cell is escaped by _cell (a number, or conditional_escape of its
    # localised text), and the rest is our own markup: nosec B308 B703 below.
    return mark_safe(  # noqa: S308  # nosec B308 B703
        "".join(
            "<tr>" + "".join(f"<td>{cell(value)}</td>" for value in row) + ROW_END
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


TONE_BADGES = {Tone.POSITIVE: "text-bg-success", Tone.NEGATIVE: "text-bg-danger"}
NOT_SCORED = '<span class="badge text-bg-light">Not scored</span>'


@register.simple_tag
def comment_items(comments: Iterable[Comment]) -> SafeString:
    # Every value is escaped (linebreaksbr and conditional_escape escape, and
    # floatformat gives digits), the rest is our own markup: nosec B308 B703.
    return mark_safe(  # noqa: S308  # nosec B308 B703
        "".join(
            '\n    <li class="list-group-item">\n      <p class="mb-1" '
            f'data-testid="comment-text">{linebreaksbr(c.text, autoescape=True)}</p>'
            f'\n      <div class="small">\n        {_tone(c)}\n        '
            f"{_driver(c.driver)}\n      </div>\n    </li>\n    "
            for c in comments
        )
    )


def _tone(comment: Comment) -> str:
    if not comment.tone:
        return NOT_SCORED
    badge = TONE_BADGES.get(comment.tone, "text-bg-secondary")
    return (
        f'<span class="badge {badge}" data-testid="tone">'
        f"{conditional_escape(comment.tone.label)} "
        '<span class="visually-hidden">sentiment, score </span>'
        f"{floatformat(comment.sentiment, 2)}</span>"
    )


def _driver(driver: str) -> str:
    if not driver:
        return ""
    return (
        '<span class="badge text-bg-light border" data-testid="driver">'
        f"{conditional_escape(driver)}</span>"
    )
