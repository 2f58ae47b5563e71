"""The sentiment and AI tools dashboards, as HR, on a phone (390x844) and a desktop
(1280x800): every chart drawn, hovering each logs no error (none refused by the
Content-Security-Policy either), and the page passes the checks a screen-reader or
keyboard user needs: text at WCAG AA contrast, every region that scrolls sideways
reachable and named, nothing clickable inside an element whose children are
presentational.

axe-core is not installed here, so those three rules are checked by a small script
in the page (`CHECKS`), written to axe's definitions of them.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.test import Client

from org.roles import Role
from tests.dashboards.helpers import closed_round
from tests.dashboards.test_pages_overview import WEEK_1, pulse_survey, respond
from tests.dashboards.test_tool_metrics import C, M, X, answer_tool, tool_survey
from tests.org.factories import AIToolFactory, PersonFactory, TeamFactory

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

SIZES = {
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True},
    "desktop": {"viewport": {"width": 1280, "height": 800}},
}

# Run in the page: what a keyboard or screen-reader user would trip over.
CHECKS = """() => {
  const problems = [];
  const rgba = (text) => (text.match(/[\\d.]+/g) || []).map(Number);
  const channel = (v) => { v /= 255; return v <= 0.04045 ? v / 12.92
    : Math.pow((v + 0.055) / 1.055, 2.4); };
  const luminance = ([r, g, b]) =>
    0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  const ratio = (a, b) => {
    const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
    return (hi + 0.05) / (lo + 0.05);
  };
  const over = (top, under) => {  // a translucent colour on an opaque one
    const a = top.length > 3 ? top[3] : 1;
    return [0, 1, 2].map((i) => top[i] * a + under[i] * (1 - a));
  };
  const background = (element) => {
    const layers = [];
    for (let e = element; e; e = e.parentElement) {
      const style = getComputedStyle(e);
      if (style.backgroundImage !== "none") return null;  // cannot tell
      const colour = rgba(style.backgroundColor);
      if (colour.length > 3 && colour[3] === 0) continue;
      layers.push(colour);
      if (colour.length === 3 || colour[3] === 1) break;
    }
    return layers.reverse().reduce((under, top) => over(top, under), [255, 255, 255]);
  };
  const hidden = (e) => {
    const box = e.getBoundingClientRect();
    return box.width <= 1 || box.height <= 1 || !e.checkVisibility({
      opacityProperty: true, visibilityProperty: true });
  };
  const name = (e) => e.getAttribute("aria-label") ||
    (e.getAttribute("aria-labelledby") || "").split(" ")
      .map((id) => (document.getElementById(id) || {}).textContent || "")
      .join(" ").trim();

  // Contrast (axe "color-contrast"): each element's own text, outside the SVG.
  for (const e of document.body.querySelectorAll("*")) {
    if (e.closest("svg") || hidden(e)) continue;
    const own = [...e.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    if (!own) continue;
    const style = getComputedStyle(e);
    const under = background(e);
    if (!under) continue;
    const size = parseFloat(style.fontSize);
    const bold = parseInt(style.fontWeight, 10) >= 700;
    const large = size >= 24 || (bold && size >= 18.66);
    const found = ratio(over(rgba(style.color), under), under);
    if (found < (large ? 3 : 4.5)) {
      const text = e.textContent.trim().slice(0, 40);
      problems.push(`contrast ${found.toFixed(2)}: ${e.tagName} "${text}"`);
    }
  }
  // Scrollable regions (axe "scrollable-region-focusable"), named as regions.
  for (const e of document.body.querySelectorAll("*")) {
    const overflow = getComputedStyle(e).overflowX;
    const scrolls = ["auto", "scroll"].includes(overflow);
    if (!scrolls || e.scrollWidth <= e.clientWidth) continue;
    if (e.tabIndex < 0) problems.push(`scrolls, no tabindex: ${e.className}`);
    if (e.getAttribute("role") !== "region" || !name(e)) {
      problems.push(`scrolls, not a named region: ${e.className}`);
    }
  }
  // Nothing focusable inside an element whose children are presentational
  // (axe "nested-interactive").
  const FOCUSABLE = "a[href], button, input, select, textarea, [tabindex]";
  const OUTER = '[role="img"], [role="button"], button, a[href]';
  for (const e of document.querySelectorAll(OUTER)) {
    if (e.querySelector(FOCUSABLE)) {
      problems.push(`interactive inside ${e.tagName} ${e.getAttribute("role")}`);
    }
  }
  return problems;
}"""


@pytest.fixture
def dashboards_with_data():
    """HR, a pulse survey answered by two teams (one with a long name) over three
    weeks, and a tool that went live in the first, answered about in each."""
    hr = PersonFactory(roles={Role.HR})
    tool = AIToolFactory(name="Support Copilot", live_since=WEEK_1 + dt.timedelta(2))
    survey, questions = pulse_survey(min_group_size=3)
    tool_questions = tool_survey(tool)[1]
    teams = [
        TeamFactory(name="Account Management and Sales Development"),
        TeamFactory(name="Data"),
    ]
    tool_round_survey = tool_questions["hours"].survey
    for week in range(3):
        start = WEEK_1 + dt.timedelta(weeks=week)
        pulse = closed_round(survey, start)
        for index, team in enumerate(teams):
            respond(pulse, team, questions, count=4, trust=3 + index, enps=9 - week)
        answer_tool(
            closed_round(tool_round_survey, start),
            teams[0],
            tool_questions,
            hours=[2, 3, 4, 5],
            verdicts=[C, M, X, C],
        )
    return hr, tool


def _signed_in_page(chromium, live_server, person, size):
    client = Client()
    client.force_login(person.user)
    context = chromium.new_context(**SIZES[size], has_touch=size == "phone")
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    return context, context.new_page()


@pytest.mark.parametrize("size", SIZES)
def test_hr_reads_and_hovers_every_chart_without_an_error(
    live_server, chromium, dashboards_with_data, size
):
    hr, tool = dashboards_with_data
    context, page = _signed_in_page(chromium, live_server, hr, size)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(f"{page.url}: {error}"))
    page.on(
        "console",
        lambda message: (
            errors.append(f"{page.url}: {message.text}")
            if message.type == "error"
            else None
        ),
    )
    problems: dict[str, list[str]] = {}
    hovered: dict[str, int] = {}
    try:
        for path in (
            "/dashboards/",
            "/dashboards/tools/",
            f"/dashboards/tools/{tool.pk}/",
        ):
            page.goto(live_server.url + path)
            charts = page.locator(".dashboard-chart")
            count = charts.count()
            assert count >= 3, path
            page.wait_for_function(
                """n => [...document.querySelectorAll('.dashboard-chart')]
                    .filter(c => c.querySelector('.main-svg g.trace, .main-svg g.hm'))
                    .length >= n""",
                arg=count,
                timeout=15000,
            )
            hovered[path] = 0
            for index in range(count):
                hovered[path] += _hover_over_marks(page, charts.nth(index))
            problems[path] = page.evaluate(CHECKS)
    finally:
        context.close()

    assert errors == []
    assert problems == {path: [] for path in problems}
    # The hovers reached the marks: plotly drew a hover label on some of them.
    assert all(count >= 1 for count in hovered.values()), hovered


def _hover_over_marks(page, chart) -> int:
    """Move the mouse across the middle of a chart's plot area; 1 if plotly showed
    a hover label on the way."""
    chart.scroll_into_view_if_needed()
    area = chart.locator(".nsewdrag").first
    box = area.bounding_box()
    if box is None:
        return 0
    shown = 0
    for step in range(1, 10):
        page.mouse.move(
            box["x"] + box["width"] * step / 10, box["y"] + box["height"] / 2
        )
        shown = shown or chart.locator(".hoverlayer .hovertext").count()
    page.mouse.move(0, 0)
    return 1 if shown else 0


@pytest.mark.parametrize("size", SIZES)
def test_a_wide_heatmap_fits_a_desktop_and_scrolls_on_a_phone(
    live_server, chromium, dashboards_with_data, size
):
    hr, _ = dashboards_with_data
    context, page = _signed_in_page(chromium, live_server, hr, size)
    try:
        page.goto(live_server.url + "/dashboards/")
        region = page.locator('[data-testid="chart-drivers"] .chart-scroll')
        page.wait_for_function(
            "() => document.querySelector('[data-testid=chart-drivers] .main-svg')"
        )
        wide = region.evaluate("e => e.scrollWidth > e.clientWidth")
        chart_width = region.locator(".dashboard-chart").evaluate("e => e.offsetWidth")
        # The keyboard reaches it: Tab stops on it, and it says what it is.
        region.focus()
        focused = page.evaluate("document.activeElement.getAttribute('aria-label')")
    finally:
        context.close()

    assert focused.startswith("Drivers by team")
    assert chart_width >= 200  # never squeezed below its columns' room
    assert wide is (size == "phone")
