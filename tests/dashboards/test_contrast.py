"""Every text colour we set reads at WCAG AA on the background it sits on: 4.5:1 for
text, 3:1 for large text and for the marks of a chart. The colours are read from
static/candor.css (its custom properties and the button rules) and from the
figures' own constants, so a change to either is checked, not a copy of it."""

from __future__ import annotations

import re

import pytest
from django.contrib.staticfiles import finders

from dashboards import figures, tool_figures

TEXT = 4.5
LARGE = 3.0  # large text, and the non-text marks of a chart (WCAG 1.4.11)

RULE = re.compile(r"([^{}]+)\{([^{}]*)\}")
DECLARATION = re.compile(r"(--[\w-]+|[\w-]+)\s*:\s*([^;]+);")
VAR = re.compile(r"var\((--[\w-]+)\)")


def _stylesheet() -> dict[str, dict[str, str]]:
    """Selector -> {property: value}, comments dropped."""
    with open(finders.find("candor.css"), encoding="utf-8") as file:
        css = re.sub(r"/\*.*?\*/", "", file.read(), flags=re.DOTALL)
    return {
        selector.strip(): dict(DECLARATION.findall(body))
        for selector, body in RULE.findall(css)
    }


CSS = _stylesheet()
ROOT = CSS[":root"]


def resolve(value: str, rule: dict[str, str] | None = None) -> str:
    """A colour with its var() references followed, through the rule then :root."""
    scopes = [rule or {}, ROOT]
    for _ in range(10):
        found = VAR.fullmatch(value.strip())
        if not found:
            return value.strip()
        value = next(scope[found[1]] for scope in scopes if found[1] in scope)
    raise AssertionError(f"{value}: var() references loop")


def rgb(colour: str) -> tuple[int, int, int]:
    colour = colour.strip()
    if colour.startswith("#"):
        digits = colour[1:]
        if len(digits) == 3:
            digits = "".join(d * 2 for d in digits)
        return tuple(int(digits[i : i + 2], 16) for i in (0, 2, 4))
    parts = [int(p) for p in re.findall(r"\d+", colour)]
    assert len(parts) == 3, colour
    return tuple(parts)


def luminance(colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def ratio(one: str, other: str) -> float:
    light, dark = sorted((luminance(one), luminance(other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_the_ratio_is_wcags():
    assert ratio("#000", "#fff") == pytest.approx(21)
    assert ratio("#fff", "#fff") == pytest.approx(1)
    # Bootstrap's own blue on our page: the failure this palette fixes.
    assert ratio("#0d6efd", "#f7f7f9") == pytest.approx(4.21, abs=0.01)


BACKGROUNDS = ("--candor-page", "--candor-surface", "--candor-tint")

# Text that sits on the page, on a card or on a light grey.
ON_LIGHT = (
    "--candor-ink",
    "--candor-muted",
    "--bs-secondary-color",
    "--bs-link-color",
    "--bs-link-hover-color",
    "--bs-primary",
    "--bs-secondary",
    "--bs-danger",
    "--bs-success",
)


@pytest.mark.parametrize("background", BACKGROUNDS)
@pytest.mark.parametrize("text", ON_LIGHT)
def test_text_colours_read_on_every_light_background(text, background):
    assert ratio(resolve(ROOT[text]), resolve(ROOT[background])) >= TEXT


@pytest.mark.parametrize(
    "colour", ["primary", "secondary", "danger", "success", "link-color"]
)
def test_each_rgb_triple_is_its_colour(colour):
    # Bootstrap draws .text-primary, .text-bg-danger and links from the triple.
    assert rgb(resolve(ROOT[f"--bs-{colour}-rgb"])) == rgb(
        resolve(ROOT[f"--bs-{colour}"])
    )


@pytest.mark.parametrize(
    "badge", ["--bs-primary", "--bs-secondary", "--bs-danger", "--bs-success"]
)
def test_white_text_reads_on_each_badge(badge):
    assert ratio("#fff", resolve(ROOT[badge])) >= TEXT


BUTTONS = [s for s in CSS if s.startswith(".btn-")]
STATES = ("", "hover-", "active-", "disabled-")


@pytest.mark.parametrize("button", BUTTONS)
def test_every_button_state_reads(button):
    rule = CSS[button]
    checked = 0
    for state in STATES:
        text = rule.get(f"--bs-btn-{state}color")
        if text is None:
            continue
        # An outline button has no fill until hovered: it sits on a card or the page.
        fill = rule.get(f"--bs-btn-{state}bg")
        on = [resolve(fill, rule)] if fill else [resolve(ROOT[b]) for b in BACKGROUNDS]
        for background in on:
            assert ratio(resolve(text, rule), background) >= TEXT, (state, background)
            checked += 1
    assert checked >= 3


def test_the_navigation_reads_on_the_dark_bar():
    rule = CSS[".navbar-dark"]
    for state in ("", "hover-", "active-"):
        text = resolve(rule[f"--bs-navbar-{state}color"], rule)
        assert ratio(text, resolve(ROOT["--candor-nav"])) >= TEXT


def test_the_charts_text_and_marks_read_on_white():
    # Text drawn in a chart (event labels in the hover, "no data"): 4.5:1.
    for colour in (figures.EVENT_COLOUR, figures.HIDDEN_COLOUR, figures.NO_DATA_TEXT):
        assert ratio(colour, "#fff") >= TEXT
    # Bars and lines: 3:1 on white; stacked segments are parted by a white line,
    # so each stands against white rather than against its neighbour.
    marks = [figures.BAR_COLOUR, *(c for _, _, c in figures.FLOW)]
    marks += [c for _, _, c in tool_figures.VERDICTS]
    for colour in marks:
        assert ratio(colour, "#fff") >= LARGE, colour
