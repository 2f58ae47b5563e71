"""What a browser would send back for a rendered form, without a browser.

Reads the first `<form method="post">` in a page's main part (the navigation bar's
sign-out form comes before it) and returns the values a person who
only filled in `fill` would submit. Like a browser, it drops a value that a date or
time input cannot show (`30/11/2026` in `type="date"` is an empty field on screen).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

# What browsers accept as the value of these input types; anything else shows empty.
SHOWN = {
    "date": re.compile(r"\d{4}-\d{2}-\d{2}"),
    "time": re.compile(r"\d{2}:\d{2}(:\d{2})?"),
    "datetime-local": re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?"),
}


class _FormReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.data: list[tuple[str, str]] = []
        self.in_form = self.done = False
        self.select: str | None = None
        self.options: list[tuple[str, bool]] = []
        self.textarea: str | None = None
        self.text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: value or "" for key, value in attrs}
        if tag == "form" and not self.done and a.get("method", "").lower() == "post":
            self.in_form = True
        if not self.in_form:
            return
        if tag == "input" and "name" in a:
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            if kind in ("submit", "button", "file"):
                return
            value = a.get("value", "on" if kind in ("checkbox", "radio") else "")
            if kind in SHOWN and value and not SHOWN[kind].fullmatch(value):
                value = ""
            self.data.append((a["name"], value))
        elif tag == "select":
            self.select, self.options = a.get("name"), []
        elif tag == "option" and self.select is not None:
            self.options.append((a.get("value", ""), "selected" in a))
        elif tag == "textarea":
            self.textarea, self.text = a.get("name"), ""

    def handle_data(self, data: str) -> None:
        if self.textarea is not None:
            self.text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self.in_form:
            self.in_form, self.done = False, True
        elif tag == "select" and self.select is not None:
            chosen = [value for value, selected in self.options if selected]
            if not chosen and self.options:
                chosen = [self.options[0][0]]  # a browser's default choice
            self.data.extend((self.select, value) for value in chosen)
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            self.data.append((self.textarea, self.text.removeprefix("\n")))
            self.textarea = None


def browser_submission(html: str, **fill: str) -> dict[str, list[str]]:
    """The form's fields as a browser would post them, with `fill` typed in."""
    reader = _FormReader()
    reader.feed(html[html.index("<main") :])
    data: dict[str, list[str]] = {}
    for name, value in reader.data:
        data.setdefault(name, []).append(value)
    data.update({name: [value] for name, value in fill.items()})
    return data


def shown_inputs(html: str, input_type: str) -> list[tuple[str, str]]:
    """(name, value) of every `<input type=input_type>` in the page, as rendered."""
    pattern = re.compile(rf'<input[^>]*type="{re.escape(input_type)}"[^>]*>')
    found = []
    for tag in pattern.findall(html):
        name = re.search(r'name="([^"]*)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        found.append((name.group(1) if name else "", value.group(1) if value else ""))
    return found
