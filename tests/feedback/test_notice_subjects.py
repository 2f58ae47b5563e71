"""A concern whose title holds line breaks still reaches its owner: the subject is
made one clean line, and the email really goes out."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail

from feedback.models import Category, Notice
from feedback.scheduler import feedback_tick
from feedback.services.concerns import concern_raise

pytestmark = pytest.mark.django_db

NOON = dt.datetime(2026, 3, 10, 12, 0, tzinfo=dt.UTC)


def test_a_title_with_line_breaks_still_emails_its_owner_a_clean_subject(people, tool):
    concern = concern_raise(
        title="Copilot drafts\r\nBcc: everyone@example.com\nsent\tto customers",
        body="It sent a draft without review.",
        category=Category.ACCURACY,
        ai_tool=tool,
        by=people["raiser"],
        now=NOON,
    )

    feedback_tick(now=NOON)

    [message] = mail.outbox
    assert message.to == [people["owner"].email]
    assert message.subject == (
        f"You own concern #{concern.pk}: Copilot drafts Bcc: everyone@example.com "
        "sent to customers"
    )
    assert message.bcc == []
    # As sent: a long subject may be folded (a line break before a space), which a
    # mail reader unfolds; nothing else is added to it.
    assert str(message.message()["Subject"]).replace("\n", "") == message.subject
    notice = Notice.objects.get(concern=concern, kind=Notice.Kind.ASSIGNED)
    assert (notice.sent_at, notice.failed_at) == (NOON, None)
    assert notice.subject == message.subject
    concern.refresh_from_db()
    assert concern.title.startswith("Copilot drafts\r\n")  # the title itself is kept
