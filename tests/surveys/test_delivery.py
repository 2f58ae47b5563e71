"""Sending through a real SMTP server (aiosmtpd): accepted, refused for good (the
address is marked bounced, no retry) or "try later" (the claim is undone and the
task retries). And the Celery side: tasks retry, a dead broker loses nothing."""

from __future__ import annotations

import asyncio
import datetime as dt
import email
import socket

import pytest
from aiosmtpd.controller import Controller

from config.celery import app
from surveys.models import Invitation, Response, SealedResponse
from surveys.scheduler import survey_tick
from surveys.services.answering import response_submit
from surveys.tasks import enqueue_sends, send_invitation
from tests.surveys.helpers import MONDAY_9, release_sealed, weekly_pulse

pytestmark = pytest.mark.django_db


class MailServer:
    """An SMTP server that refuses `bounce@` for good and defers `later@`."""

    def __init__(self):
        self.messages: list[email.message.Message] = []
        self.deferring = True
        self.refusing_sender = False

    async def handle_MAIL(self, server, session, envelope, address, options):
        if self.refusing_sender:
            return "550 5.7.1 Sender address not allowed"
        envelope.mail_from = address
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, options):
        if address.startswith("bounce@"):
            return "550 5.1.1 No such mailbox"
        if address.startswith("later@") and self.deferring:
            return "451 4.3.0 Try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 Message accepted"


@pytest.fixture
def smtp(settings):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    handler = MailServer()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "core.smtp.EmailBackend"  # as EMAIL_URL=smtp:// sets
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield handler
    controller.stop()
    asyncio.set_event_loop(asyncio.new_event_loop())


def _pulse_with(*addresses: str):
    survey, staff = weekly_pulse(people=len(addresses))
    for person, address in zip(staff, addresses, strict=True):
        person.user.email = address
        person.user.save()
    return survey, staff


def test_invitations_go_through_a_real_smtp_server_as_text_and_html(smtp):
    _pulse_with("ana@example.org", "ben@example.org")
    report = survey_tick(now=MONDAY_9)

    assert report.sent == 2
    assert sorted(m["To"] for m in smtp.messages) == [
        "ana@example.org",
        "ben@example.org",
    ]
    kinds = [part.get_content_type() for part in smtp.messages[0].walk()]
    assert "text/plain" in kinds and "text/html" in kinds


def test_a_permanent_refusal_marks_the_address_bounced_and_never_retries(smtp):
    _pulse_with("ana@example.org", "bounce@example.org")
    report = survey_tick(now=MONDAY_9)
    survey_tick(now=MONDAY_9 + dt.timedelta(minutes=1))

    bounced = Invitation.objects.get(person__user__email="bounce@example.org")
    assert report.bounced == 1 and bounced.bounced_at == MONDAY_9
    assert not bounced.tokens.exists()  # no link was delivered
    assert [m["To"] for m in smtp.messages] == ["ana@example.org"]


def test_a_refused_sender_bounces_nobody_and_is_reported_until_fixed(smtp, client):
    _pulse_with("ana@example.org")
    smtp.refusing_sender = True

    report = survey_tick(now=MONDAY_9)

    invitation = Invitation.objects.get()
    assert report.deferred == 1 and report.bounced == 0
    assert invitation.bounced_at is None and invitation.sent_at is None
    assert client.get("/healthz").json()["mail"].startswith("error: the mail server")

    smtp.refusing_sender = False
    report = survey_tick(now=MONDAY_9 + dt.timedelta(minutes=20))

    assert report.sent == 1
    assert [m["To"] for m in smtp.messages] == ["ana@example.org"]
    assert client.get("/healthz").json()["mail"] == "ok"


def test_a_temporary_refusal_is_retried_later_and_sent_once(smtp):
    _pulse_with("later@example.org")
    report = survey_tick(now=MONDAY_9)
    invitation = Invitation.objects.get()
    assert report.deferred == 1 and invitation.sent_at is None
    assert invitation.queued_at == MONDAY_9  # the task's own retry comes back

    smtp.deferring = False
    report = survey_tick(now=MONDAY_9 + dt.timedelta(minutes=5))
    survey_tick(now=MONDAY_9 + dt.timedelta(minutes=6))
    assert report.sent == 1
    assert [m["To"] for m in smtp.messages] == ["later@example.org"]


def test_a_connection_refused_is_temporary(settings):
    _pulse_with("ana@example.org")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    settings.EMAIL_BACKEND = "core.smtp.EmailBackend"  # as EMAIL_URL=smtp:// sets
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", closed_port
    report = survey_tick(now=MONDAY_9)
    assert report.deferred == 1
    assert Invitation.objects.get().sent_at is None


def test_the_send_task_retries_a_temporary_refusal_and_sends_once(smtp, time_machine):
    _pulse_with("later@example.org")
    survey_tick(now=MONDAY_9, enqueue=lambda batch: None)
    time_machine.move_to(MONDAY_9 + dt.timedelta(minutes=1), tick=False)
    invitation = Invitation.objects.get()
    assert send_invitation.retry_backoff and send_invitation.retry_jitter

    attempts = []
    original = MailServer.handle_RCPT

    async def second_time_lucky(self, server, session, envelope, address, options):
        attempts.append(address)
        self.deferring = len(attempts) < 2
        return await original(self, server, session, envelope, address, options)

    MailServer.handle_RCPT = second_time_lucky
    try:
        result = send_invitation.apply(args=[invitation.pk])
    finally:
        MailServer.handle_RCPT = original

    assert result.successful(), result.traceback
    assert len(attempts) == 2 and len(smtp.messages) == 1
    assert Invitation.objects.get().sent_at is not None


def test_with_the_broker_down_answers_are_saved_and_emails_wait_for_the_next_tick(
    django_capture_on_commit_callbacks, mailoutbox, time_machine
):
    """A real Celery publish to a port nobody listens on fails; nothing is lost."""
    survey, staff = weekly_pulse(people=3)
    survey_tick(now=MONDAY_9)  # the first round is out
    time_machine.move_to(MONDAY_9 + dt.timedelta(hours=1), tick=False)

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        dead = f"redis://127.0.0.1:{probe.getsockname()[1]}/0"
    previous = app.conf.broker_url
    app.conf.broker_url = dead
    app.pool.force_close_all()
    app._pool = None
    try:
        # A newcomer joins: their invitation can only go through the dead broker.
        from tests.org.factories import PersonFactory

        newcomer = PersonFactory(team=staff[0].team)
        Invitation.objects.create(round=survey.rounds.get(), person=newcomer)
        with django_capture_on_commit_callbacks(execute=True):
            report = survey_tick(
                now=MONDAY_9 + dt.timedelta(hours=1), enqueue=enqueue_sends
            )
        # Meanwhile answers keep arriving and are saved synchronously.
        likert = survey.questions.get(kind="likert")
        for person in staff:
            invitation = Invitation.objects.get(person=person)
            response_submit(invitation=invitation, answers={likert: 4})
    finally:
        app.conf.broker_url = previous
        app.pool.force_close_all()
        app._pool = None

    assert report.queued == 1
    assert SealedResponse.objects.count() == 3  # saved, sealed for their batch
    assert release_sealed() == Response.objects.count() == 3
    pending = Invitation.objects.get(person=newcomer)
    assert pending.sent_at is None and pending.queued_at is None
    survey_tick(now=MONDAY_9 + dt.timedelta(hours=2))
    assert mailoutbox[-1].to == [newcomer.email]
