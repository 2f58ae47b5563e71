"""The invitation and reminder emails: HTML and plain text, one fresh link each."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from core.headers import header_text
from core.links import site_url
from surveys.models import Invitation, Survey


def answer_url(token: str) -> str:
    return site_url(reverse("surveys:answer", args=[token]))


def reminder_policy(survey: Survey) -> str:
    """The reminder policy in one line, as the invitation shows it."""
    if survey.reminder_count == 0:
        return "We will not send reminders for this survey."
    times = (
        "once" if survey.reminder_count == 1 else f"up to {survey.reminder_count} times"
    )
    apart = (
        ""
        if survey.reminder_count == 1
        else f", {survey.reminder_interval_days} day"
        f"{'s' if survey.reminder_interval_days != 1 else ''} apart"
    )
    return (
        f"If you have not answered, we will remind you {times}{apart}, never at "
        "weekends, and stop as soon as you answer or the survey closes."
    )


def survey_message(
    invitation: Invitation,
    token: str,
    *,
    reminder_step: int = 0,
    question_count: int | None = None,
) -> EmailMultiAlternatives:
    """The email carrying `token`'s link; `question_count` None counts the
    survey's questions (a sender that loaded them with the invitation passes
    them, saving a query an email)."""
    round_ = invitation.round
    survey = round_.survey
    context = {
        "org_name": settings.CANDOR_ORG_NAME,
        "survey": survey,
        "recipient_name": invitation.recipient.name,
        "closes_at": round_.closes_at.astimezone(ZoneInfo(settings.TIME_ZONE)),
        "time_zone": settings.TIME_ZONE,
        "url": answer_url(token),
        "reminder_step": reminder_step,
        "reminder_policy": reminder_policy(survey),
        "question_count": (
            survey.questions.count() if question_count is None else question_count
        ),
    }
    prefix = "Reminder: " if reminder_step else ""
    message = EmailMultiAlternatives(
        subject=header_text(f"{prefix}{survey.title} ({settings.CANDOR_ORG_NAME})"),
        body=render_to_string("surveys/email/invitation.txt", context),
        to=[invitation.email],
    )
    message.attach_alternative(
        render_to_string("surveys/email/invitation.html", context), "text/html"
    )
    return message
