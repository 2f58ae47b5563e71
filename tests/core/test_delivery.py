"""Sending one email at most once (core/delivery.py), with a stand-in email: the
claim decides, a permanent refusal is recorded, a "try later" frees the claim, and
where an SMTP backend says it stands decides between a retry and a fate unknown."""

from __future__ import annotations

import smtplib

import pytest
from django.core.mail import BadHeaderError

from core.delivery import (
    DeliveryFateUnknown,
    Sent,
    TemporaryDeliveryError,
    body_about_to_go,
    body_accepted,
    send_once,
)


class Email:
    def __init__(
        self,
        *,
        free: bool = True,
        error: Exception | None = None,
        ours: bool = True,
        conversation=None,
    ):
        self.free, self.error, self.calls = free, error, []
        self.ours = ours  # still the current claim when it hands over
        self.conversation = conversation  # what an SMTP backend would call back

    def __str__(self) -> str:
        return "a test email"

    def claim(self) -> bool:
        self.calls.append("claim")
        return self.free

    def hand(self) -> bool:
        self.calls.append("hand")
        return self.ours

    def deliver(self, connection) -> None:
        self.calls.append("deliver")
        if self.conversation:
            self.conversation()
        if self.error:
            raise self.error

    def accept(self) -> None:
        self.calls.append("accept")

    def release(self) -> None:
        self.calls.append("release")

    def refuse(self, exc: Exception) -> None:
        self.calls.append("refuse")

    def fate_unknown(self, exc: Exception) -> None:
        self.calls.append("fate_unknown")


def test_an_email_already_claimed_is_skipped_and_not_delivered():
    email = Email(free=False)

    assert send_once(email) == Sent.SKIPPED
    assert email.calls == ["claim"]


def test_a_claimed_email_is_delivered_once():
    email = Email()

    assert send_once(email) == Sent.SENT
    assert email.calls == ["claim", "deliver", "accept"]


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


def _smtp_until_body(*, reply_lost: bool = False, accepted: bool = False):
    """What core.smtp does: hand over before DATA, then maybe hear a 250."""

    def conversation():
        body_about_to_go()
        if accepted:
            body_accepted()
        if reply_lost:
            raise DeliveryFateUnknown("no reply to the message")

    return conversation


def test_a_send_handed_over_then_accepted_is_sent_and_accepted_once():
    email = Email(conversation=_smtp_until_body(accepted=True))

    assert send_once(email) == Sent.SENT
    assert email.calls == ["claim", "deliver", "hand", "accept"]


def test_a_lost_reply_after_the_body_is_a_fate_unknown_never_released():
    email = Email(conversation=_smtp_until_body(reply_lost=True))

    assert send_once(email) == Sent.FATE_UNKNOWN
    assert email.calls == ["claim", "deliver", "hand", "fate_unknown"]


def test_a_claim_taken_over_hands_nothing_over_and_is_skipped():
    email = Email(ours=False, conversation=_smtp_until_body(accepted=True))

    assert send_once(email) == Sent.SKIPPED
    assert email.calls == ["claim", "deliver", "hand"]  # no accept, no release


def test_an_error_after_the_servers_250_still_counts_as_sent():
    email = Email(
        conversation=_smtp_until_body(accepted=True),
        error=smtplib.SMTPServerDisconnected("gone on QUIT"),
    )

    assert send_once(email) == Sent.SENT
    assert email.calls == ["claim", "deliver", "hand", "accept"]


def test_a_drop_after_handing_over_but_before_the_body_is_retried():
    email = Email(
        conversation=_smtp_until_body(),
        error=smtplib.SMTPServerDisconnected("gone before DATA"),
    )

    with pytest.raises(TemporaryDeliveryError):
        send_once(email)
    assert email.calls == ["claim", "deliver", "hand", "release"]
