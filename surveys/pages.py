"""The answering page's HTML, kept whole for a link opened without a session.

Someone following the emailed link usually has no session on that browser, and
then their page is the same as everyone's with a link to that round and those
questions, but for its CSRF token. So it is rendered once without a token, kept
in this process cut where the token goes, and each request puts in a fresh token
of its own. Never kept: a form with answers (re-shown with its errors, it holds
what one person typed), and a page for a browser with a session or a message
waiting (a signed-in person's navigation bar, a flash message): those are
rendered afresh, as any page. The key holds everything the page shows, so an
edited question, title or close date shows on the next visit.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.cache import patch_vary_headers

from surveys.forms import AnswerForm, Kept
from surveys.models import Round, Survey
from surveys.services.answering import privacy_statement, reminder_policy

TEMPLATE = "surveys/answer.html"
# Pages of distinct rounds and question sets kept per process (some 30 KB each).
PAGES_KEPT = 64
# Where the token goes in a kept page: random per process, so no typed text (a
# title, a question) can hold it and split the page in the wrong place.
_SLOT = secrets.token_hex(16)
_pages = Kept(PAGES_KEPT)


def answer_page(
    request: HttpRequest, *, form: AnswerForm, survey: Survey, round_: Round
) -> HttpResponse:
    """The answering page: 200 with an unanswered form, 400 with a rejected one."""
    context = {
        "form": form,
        "survey": survey,
        "round": round_,
        "privacy": privacy_statement(survey),
        "reminders": reminder_policy(survey),
        # What the progress line says before any script runs (and without one).
        "answered": _answered(form),
        "asked": len(form.questions),
    }
    if form.is_bound or _may_differ(request):
        return render(request, TEMPLATE, context, status=400 if form.is_bound else 200)
    key = (
        survey.pk,
        survey.title,
        survey.intro,
        context["privacy"],
        context["reminders"],
        round_.pk,
        round_.closes_at,
        timezone.get_current_timezone_name(),
        form.markup_key(),
    )
    page = _pages.get(key)
    if page is None:
        # No request: no context processor runs, as for a browser without a
        # session (no navigation bar, no message); the token is a placeholder.
        html = render_to_string(TEMPLATE, {**context, "csrf_token": _SLOT})
        before, slot, after = html.partition(_SLOT)
        if not slot or _SLOT in after:  # never, but then no page is kept wrong
            return render(request, TEMPLATE, context)
        page = before, after
        _pages.put(key, page)
    response = HttpResponse(page[0] + get_token(request) + page[1])
    # As a rendered page would say (it differs for a signed-in browser).
    patch_vary_headers(response, ("Cookie",))
    return response


def _may_differ(request: HttpRequest) -> bool:
    """Whether this browser's page may differ from a stranger's: it has a session
    (perhaps signed in) or a message waiting in its cookie."""
    cookies = request.COOKIES
    return any(
        name in cookies
        for name in (settings.SESSION_COOKIE_NAME, CookieStorage.cookie_name)
    )


def _answered(form: AnswerForm) -> int:
    """How many questions a sent-back form already holds an answer to."""
    if not form.is_bound:
        return 0
    return sum(1 for field in form if field.value() not in (None, ""))
