"""Sending one email at most once (core/delivery.py), with a stand-in email: the
claim decides, a permanent refusal is recorded, a "try later" frees the claim."""

from __future__ import annotations

import smtplib

import pytest
from django.core.mail import BadHeaderError

from core.delivery import Sent, TemporaryDeliveryError, send_once


class Email:
    def __init__(self, *, free: bool = True, error: Exception | None = None):
        self.free, self.error, self.calls = free, error, []

    def __str__(self) -> str:
        return "a test email"

    def claim(self) -> bool:
        self.calls.append("claim")
        return self.free

    def deliver(self) -> None:
        self.calls.append("deliver")
        if self.error:
            raise self.error

    def release(self) -> None:
        self.calls.append("release")

    def refuse(self, exc: Exception) -> None:
        self.calls.append("refuse")


def test_an_email_already_claimed_is_skipped_and_not_delivered():
    email = Email(free=False)

    assert send_once(email) == Sent.SKIPPED
    assert email.calls == ["claim"]


def test_a_claimed_email_is_delivered_once():
    email = Email()

    assert send_once(email) == Sent.SENT
    assert email.calls == ["claim", "deliver"]


def test_a_message_that_fails_on_its_own_content_is_never_marked_sent():
    email = Email(error=BadHeaderError("Header values can't contain newlines"))

    assert send_once(email) == Sent.BOUNCED
    assert email.calls == ["claim", "deliver", "refuse"]


def test_a_permanent_refusal_is_recorded_and_not_retried():
    email = Email(error=smtplib.SMTPRecipientsRefused({"a@x.org": (550, b"No")}))

    assert send_once(email) == Sent.BOUNCED
    assert email.calls == ["claim", "deliver", "refuse"]


@pytest.mark.parametrize(
    "error",
    [
        smtplib.SMTPRecipientsRefused({"a@x.org": (451, b"Later")}),
        smtplib.SMTPServerDisconnected("gone"),
        TimeoutError("timed out"),
    ],
)
def test_a_try_later_frees_the_claim_and_raises_for_the_retry(error):
    email = Email(error=error)

    with pytest.raises(TemporaryDeliveryError):
        send_once(email)
    assert email.calls == ["claim", "deliver", "release"]
