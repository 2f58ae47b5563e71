"""What a mail server's refusal means (core/mail.py): a 5xx about the recipient
or the message is final; a refusal of our own sender is never a bounce, and
/healthz reports it until an email goes through again."""

from __future__ import annotations

import smtplib

import pytest

from core.mail import refusal_is_permanent, sender_accepted, sender_refused_last

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("error", "permanent"),
    [
        (smtplib.SMTPRecipientsRefused({"a@x.org": (550, b"No such user")}), True),
        (smtplib.SMTPRecipientsRefused({"a@x.org": (451, b"Later")}), False),
        (smtplib.SMTPDataError(554, b"Rejected as spam"), True),
        (smtplib.SMTPSenderRefused(450, b"Busy", "candor@localhost"), False),
        (smtplib.SMTPSenderRefused(550, b"Not allowed", "candor@localhost"), False),
        (smtplib.SMTPServerDisconnected("gone"), False),
        (ConnectionRefusedError(111, "Connection refused"), False),
    ],
)
def test_only_5xx_answers_about_the_recipient_count_as_permanent(error, permanent):
    assert refusal_is_permanent(error) is permanent


def test_a_refused_sender_shows_on_healthz_until_an_email_goes_through(client):
    assert client.get("/healthz").json()["mail"] == "ok"

    refusal_is_permanent(
        smtplib.SMTPSenderRefused(
            550, b"5.7.1 Sender not allowed", "candor@example.org"
        )
    )

    report = client.get("/healthz").json()
    assert report["mail"].startswith("error: the mail server refused our sender")
    assert "candor@example.org" in report["mail"] and "550 5.7.1" in report["mail"]
    assert sender_refused_last() is not None
    sender_accepted()
    assert client.get("/healthz").json()["mail"] == "ok"
