"""A survey title with line breaks still gets its invitations out, with a clean
one-line subject."""

from __future__ import annotations

import pytest
from django.core import mail

from surveys.models import Invitation
from surveys.scheduler import survey_tick
from tests.surveys.helpers import MONDAY_9, weekly_pulse

pytestmark = pytest.mark.django_db


def test_a_title_with_line_breaks_still_sends_invitations_with_a_clean_subject(
    settings,
):
    settings.CANDOR_ORG_NAME = "Acme"
    weekly_pulse(people=2, title="AI pulse\r\nBcc: all@example.com\n\x07week 10")

    survey_tick(now=MONDAY_9)

    subjects = {message.subject for message in mail.outbox}
    assert subjects == {"AI pulse Bcc: all@example.com week 10 (Acme)"}
    assert len(mail.outbox) == 2
    assert all(message.bcc == [] for message in mail.outbox)
    assert not Invitation.objects.filter(sent_at=None).exists()
