"""plotly.js under a strict Content-Security-Policy: it cannot inject its own
<style> element, so static/dashboards/charts.css carries the same rules.

When plotly is upgraded and this fails, regenerate the stylesheet with
`.venv/bin/python -m tests.dashboards.test_pages_markup > static/dashboards/charts.css`.
"""

from __future__ import annotations

import re
import sys

from django.contrib.staticfiles import finders

RULES = re.compile(r"\w+=\{(\"X,X div\":.*?)\};for\(\w+ in \w+\)", re.DOTALL)
PAIR = re.compile(
    r"""("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')\s*:\s*("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')"""
)


def _source() -> str:
    with open(finders.find("vendor/plotly/plotly.min.js"), encoding="utf-8") as file:
        return file.read()


def bundle_rules() -> list[tuple[str, str]]:
    """The (selector, declarations) plotly.js would inject, as it expands them."""
    rules = []
    for key, value in PAIR.findall(RULES.search(_source()).group(1)):
        selector = re.sub(r"^,", " ,", key[1:-1])
        selector = selector.replace("X", ".js-plotly-plot .plotly")
        selector = selector.replace("Y", ".plotly-notifier")
        rules.append((selector, value[1:-1].replace("\\'", "'").replace('\\"', '"')))
    return rules


def stylesheet() -> str:
    version = re.search(r"plotly\.js v([\d.]+)", _source()).group(1)
    header = (
        f"/* plotly.js {version}'s own stylesheet, which it injects as a <style> "
        "element at\n   load time: a strict Content-Security-Policy (style-src 'self') "
        "blocks that, so the\n   dashboards serve the same rules from this file. "
        "Generated from the installed\n   plotly.min.js by "
        "tests/dashboards/test_pages_markup.py, which fails when\n   they drift. */\n"
    )
    return header + "".join(f"{s} {{ {d} }}\n" for s, d in bundle_rules())


def test_the_stylesheet_has_every_rule_of_the_installed_plotly_js():
    with open(finders.find("dashboards/charts.css"), encoding="utf-8") as file:
        css = file.read()

    rules = bundle_rules()

    assert len(rules) > 50  # the bundle's layout still parses as expected
    missing = [s for s, d in rules if f"{s} {{ {d} }}" not in css]
    assert missing == []
    assert css == stylesheet()


if __name__ == "__main__":
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.test_settings")
    django.setup()
    sys.stdout.write(stylesheet())
