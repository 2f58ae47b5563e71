"""The answering pages: by private link (no sign-in) or from a signed-in home page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache

from core.ratelimit import limit_hit, limit_reached
from surveys.forms import AnswerForm
from surveys.models import Invitation, Question, Survey
from surveys.pages import answer_page
from surveys.selectors import answer_link, questions_for
from surveys.services.answering import (
    LinkState,
    NotAnswerable,
    invitation_state,
    response_submit,
)

# Unknown links per client address per hour before we answer 429. A person who
# mistypes a link a few times is fine; a guesser gets 20 tries an hour, against
# 2**256 possible links.
GUESS_LIMIT, GUESS_WINDOW = 20, 3600


@never_cache
def answer_by_link(request: HttpRequest, token: str) -> HttpResponse:
    client = request.META.get("REMOTE_ADDR", "unknown")
    if limit_reached(
        "survey-link", client, limit=GUESS_LIMIT, window_seconds=GUESS_WINDOW
    ):
        return render(request, "surveys/link_limited.html", status=429)
    link = answer_link(token=token)
    if link is None:
        limit_hit("survey-link", client, window_seconds=GUESS_WINDOW)
        return render(request, "surveys/link_unknown.html", status=404)
    return _answer(request, link.invitation, link.questions, kinds=link.kinds)


@never_cache
@login_required
def answer_signed_in(request: HttpRequest, pk: int) -> HttpResponse:
    person = getattr(request.user, "person", None)
    invitation = get_object_or_404(
        Invitation.objects.select_related(
            "round__survey", "person__user", "person__team__department"
        ),
        pk=pk,
        person__isnull=False,
    )
    if person is None or invitation.person_id != person.pk:
        raise Http404("No such invitation.")  # never tell whose it is
    return _answer(request, invitation)


def answer_thanks(request: HttpRequest) -> HttpResponse:
    # Only the survey's audience comes along (the same for everyone who answered
    # it): the page says nothing that could tell one answer from another.
    for_customers = request.GET.get("for") == "customers"
    return render(
        request, "surveys/answer_thanks.html", {"for_customers": for_customers}
    )


def _answer(
    request: HttpRequest,
    invitation: Invitation,
    questions: list[Question] | None = None,
    *,
    kinds: list[str] | None = None,
) -> HttpResponse:
    """The page of an invitation; `questions` (and the `kinds` of all the
    survey's) when the caller read them with it, else read here if it is open."""
    state = invitation_state(invitation, now=timezone.now())
    if state != LinkState.OPEN:
        return _gone(request, invitation, state)
    survey = invitation.round.survey
    if questions is None:
        questions = questions_for(invitation=invitation)
    if not questions:
        return _gone(request, invitation, LinkState.EMPTY)
    form = AnswerForm(questions, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            response_submit(
                invitation=invitation,
                answers=form.answers(),
                asked=questions,
                kinds=kinds,
            )
        except NotAnswerable as exc:
            return _gone(request, invitation, exc.state)
        thanks = reverse("surveys:answer_thanks")
        if survey.audience == Survey.Audience.CUSTOMERS:
            thanks += "?for=customers"
        return redirect(thanks)
    return answer_page(request, form=form, survey=survey, round_=invitation.round)


def _gone(
    request: HttpRequest, invitation: Invitation, state: LinkState
) -> HttpResponse:
    if state == LinkState.INACTIVE:
        # Says nothing of the survey or the round: the link may be in anyone's hands.
        return render(request, "surveys/link_inactive.html", status=410)
    return render(
        request,
        "surveys/link_gone.html",
        {"state": state, "survey": invitation.round.survey, "round": invitation.round},
        status=410,
    )
