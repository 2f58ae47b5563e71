"""What the journeys share: a signed-in browser, an accessibility audit of each page
visited, and the links found in the emails the site sent."""

from __future__ import annotations

import re

from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.test import Client

PHONE = {
    "viewport": {"width": 390, "height": 844},
    "is_mobile": True,
    "has_touch": True,
}
DESKTOP = {"viewport": {"width": 1280, "height": 800}}
PASSWORD = "a long enough passphrase"
# axe-core's impacts that fail a journey; "minor" and "moderate" are reported by
# axe but left to judgement.
BLOCKING = ("serious", "critical")

_axe = Axe()


def audit(page) -> list[str]:
    """The serious or critical axe-core violations on `page` as it stands now, one
    line each: "<url> <rule>: <selector>, ...". An empty list when it passes."""
    results = _axe.run(page).response
    return [
        f"{page.url} {violation['id']} ({violation['impact']}): "
        + ", ".join(str(node["target"]) for node in violation["nodes"][:3])
        for violation in results["violations"]
        if violation["impact"] in BLOCKING
    ]


class Journey:
    """One person's browser: `visit` opens a page and audits it; `problems` collects
    what the audits found, for one assertion at the journey's end."""

    def __init__(self, chromium, live_server, *, viewport=DESKTOP, person=None):
        self.base = live_server.url
        self.context = chromium.new_context(**viewport)
        if person is not None:
            self.context.add_cookies([session_cookie(person, self.base)])
        self.page = self.context.new_page()
        self.page.set_default_timeout(10_000)
        self.problems: list[str] = []

    def visit(self, url: str):
        response = self.page.goto(url if url.startswith("http") else self.base + url)
        self.check()
        return response

    def check(self) -> None:
        """Audit the page as it is now (after a form posted, a redirect followed)."""
        self.page.wait_for_load_state("load")
        self.problems += audit(self.page)

    def sign_in(self, person) -> None:
        """Through the sign-in form, as a person would."""
        person.user.set_password(PASSWORD)
        person.user.save()
        self.visit("/accounts/login/")
        self.page.fill("input[name=username]", person.user.email)
        self.page.fill("input[name=password]", PASSWORD)
        self.page.locator("main form button[type=submit]").click()
        self.page.wait_for_url(re.compile(r".*/$"))
        self.check()

    def close(self) -> None:
        self.context.close()


def session_cookie(person, base: str) -> dict:
    client = Client()
    client.force_login(person.user)
    return {
        "name": settings.SESSION_COOKIE_NAME,
        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
        "url": base,
    }


def link_in(message, pattern: str) -> str:
    """The first http(s) link in an email's text whose path matches `pattern`."""
    found = re.search(rf"https?://\S+{pattern}", message.body)
    assert found, f"no link like {pattern} in:\n{message.body}"
    return found.group(0)
