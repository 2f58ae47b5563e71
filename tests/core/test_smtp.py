"""Our SMTP backend (core/smtp.py) against a real SMTP server: where the
conversation broke decides between a retry and a fate unknown, and only the
current claim may hand the body over."""

from __future__ import annotations

import smtplib

import pytest
from django.core.mail import EmailMessage, send_mail

from core.delivery import DeliveryFateUnknown, Sent, TemporaryDeliveryError, send_once
from tests.core.smtp_sink import Sink, free_port, running, use_sink


class Email:
    """A stand-in send whose message goes through the configured backend."""

    def __init__(self, *, ours: bool = True):
        self.ours, self.calls = ours, []

    def __str__(self) -> str:
        return "a test email"

    def claim(self) -> bool:
        self.calls.append("claim")
        return True

    def hand(self) -> bool:
        self.calls.append("hand")
        return self.ours

    def deliver(self, connection) -> None:
        sender, to = "candor@example.org", ["ana@example.org"]
        connection.send_messages([EmailMessage("Hello", "Body", sender, to)])

    def accept(self) -> None:
        self.calls.append("accept")

    def release(self) -> None:
        self.calls.append("release")

    def refuse(self, exc: Exception) -> None:
        self.calls.append("refuse")

    def fate_unknown(self, exc: Exception) -> None:
        self.calls.append("fate_unknown")


@pytest.fixture
def sink(settings):
    port = free_port()
    use_sink(settings, port, timeout=1)
    with running(Sink(), port) as server:
        yield server


def test_an_accepted_message_is_handed_over_then_accepted(sink):
    email = Email()

    assert send_once(email) == Sent.SENT
    assert email.calls == ["claim", "hand", "accept"]
    assert sink.to() == ["ana@example.org"]


@pytest.mark.parametrize("after_body", ["drop", "stall"])
def test_a_reply_lost_after_the_body_is_a_fate_unknown(sink, after_body):
    sink.after_body, sink.stall_seconds = after_body, 3  # past EMAIL_TIMEOUT=1
    email = Email()

    assert send_once(email) == Sent.FATE_UNKNOWN
    assert email.calls == ["claim", "hand", "fate_unknown"]
    assert sink.to() == ["ana@example.org"]  # the server has it


def test_a_drop_at_rcpt_is_retried_and_nothing_was_handed_over(sink):
    sink.drop_at_rcpt = 1
    email = Email()

    with pytest.raises(TemporaryDeliveryError):
        send_once(email)
    assert email.calls == ["claim", "release"]
    assert sink.messages == []


def test_a_drop_at_the_data_command_is_retried_though_handed_over(sink):
    sink.drop_at_data = 1
    email = Email()

    with pytest.raises(TemporaryDeliveryError):
        send_once(email)
    assert email.calls == ["claim", "hand", "release"]
    assert sink.messages == []


def test_a_claim_taken_over_sends_no_body(sink):
    email = Email(ours=False)

    assert send_once(email) == Sent.SKIPPED
    assert email.calls == ["claim", "hand"]
    assert sink.messages == [] and sink.rcpts == ["ana@example.org"]


@pytest.mark.parametrize(
    ("reply", "outcome"), [("554 5.6.0 Rejected", "refuse"), ("451 Later", "release")]
)
def test_an_explicit_reply_to_the_body_is_an_answer(sink, reply, outcome):
    async def answers(server, session, envelope):
        return reply

    sink.handle_DATA = answers
    email = Email()

    if outcome == "release":
        with pytest.raises(TemporaryDeliveryError):
            send_once(email)
    else:
        assert send_once(email) == Sent.BOUNCED
    assert email.calls == ["claim", "hand", outcome]


def test_mail_sent_outside_a_send_goes_through_and_a_lost_reply_is_an_smtp_error(
    sink,
):
    assert send_mail("Reset", "Body", "candor@example.org", ["ben@example.org"]) == 1

    sink.after_body = "drop"
    with pytest.raises(DeliveryFateUnknown) as raised:
        send_mail("Reset", "Body", "candor@example.org", ["ben@example.org"])

    assert isinstance(raised.value, smtplib.SMTPException)
    assert sink.to() == ["ben@example.org", "ben@example.org"]


@pytest.mark.parametrize(
    ("url", "backend"),
    [
        ("smtp://mail.example.org:25", "core.smtp.EmailBackend"),
        ("smtps://u:p@mail.example.org:465", "core.smtp.EmailBackend"),
        ("smtp+tls://u:p@mail.example.org:587", "core.smtp.EmailBackend"),
        ("consolemail://", "django.core.mail.backends.console.EmailBackend"),
    ],
)
def test_smtp_email_urls_use_our_backend(tmp_path, url, backend):
    from tests.config.test_env import _settings_in_a_fresh_process

    result = _settings_in_a_fresh_process(CANDOR_VAR_DIR=str(tmp_path), EMAIL_URL=url)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[1] == backend
