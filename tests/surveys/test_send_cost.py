"""What one invitation's email costs: four queries on PostgreSQL (the invitation
with its survey's question count; the claim and its link in one statement; handed;
accepted), and no connection of its own to the mail server. The claim stores the
link the email carries, and only a claim taken stores one."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core import mail as kept
from core.delivery import SendState, Sent
from surveys.models import Invitation, InvitationToken
from surveys.scheduler import survey_tick
from surveys.services.delivery import _InvitationEmail, invitation_send
from surveys.tokens import token_hash
from tests.core.smtp_sink import Sink, free_port, running, use_sink
from tests.surveys.helpers import MONDAY_9, weekly_pulse

pytestmark = pytest.mark.django_db

LINK = re.compile(r"/s/([A-Za-z0-9_-]{20,})/")


@pytest.fixture
def sink(settings):
    port = free_port()
    use_sink(settings, port, timeout=1)
    kept.mail_connection_close()
    with running(Sink(), port) as server:
        yield server
    kept.mail_connection_close()


def _fanned_out(people: int) -> list[int]:
    weekly_pulse(people=people)
    survey_tick(now=MONDAY_9, enqueue=lambda batch: None)
    return list(Invitation.objects.order_by("pk").values_list("pk", flat=True))


def _text(message) -> str:
    part = next(p for p in message.walk() if p.get_content_type() == "text/plain")
    return part.get_payload(decode=True).decode()


def test_an_invitation_costs_four_queries_its_claim_storing_its_link(sink):
    warm, invitation_id = _fanned_out(people=2)
    invitation_send(warm, now=MONDAY_9)  # the site's address, read once a process

    with CaptureQueriesContext(connection) as queries:
        assert invitation_send(invitation_id, now=MONDAY_9) == Sent.SENT

    statements = [q["sql"] for q in queries.captured_queries]
    if connection.vendor == "postgresql":
        assert len(statements) == 4
        assert statements[1].startswith('WITH claimed AS (UPDATE "surveys_invitation"')
    else:  # SQLite: the claim and its link, two statements in one transaction
        savepoints = [s for s in statements if s.startswith(("SAVEPOINT", "RELEASE"))]
        assert len(statements) - len(savepoints) == 5
    body = _text(sink.messages[-1])
    assert "2 questions." in body  # the count read with the invitation
    (token,) = LINK.findall(body)
    link = InvitationToken.objects.get(token_hash=token_hash(token))
    assert link.invitation_id == invitation_id
    sent = Invitation.objects.get(pk=invitation_id)
    assert (sent.send_state, len(sink.messages)) == (SendState.ACCEPTED, 2)


def test_a_round_s_emails_share_one_connection_to_the_mail_server(sink):
    _fanned_out(people=3)
    before = sink.connections

    report = survey_tick(now=MONDAY_9)

    assert report.sent == 3 and len(sink.messages) == 3
    assert sink.connections - before == 1
    assert InvitationToken.objects.count() == 3


def test_only_a_claim_taken_stores_a_link(mailoutbox):
    (invitation_id,) = _fanned_out(people=1)
    invitation = Invitation.objects.get()

    first = _InvitationEmail(invitation, now=MONDAY_9)
    second = _InvitationEmail(invitation, now=MONDAY_9)

    assert first.claim() and not second.claim()
    assert first.token and second.token == ""
    (link,) = InvitationToken.objects.all()
    assert link.invitation_id == invitation_id
    assert link.token_hash == token_hash(first.token)
