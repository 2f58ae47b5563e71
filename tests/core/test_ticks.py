"""A tick's report (core/ticks.py): counts in the order the app names them, inline
sends counted by outcome, "nothing due" when nothing happened."""

from __future__ import annotations

import smtplib

import pytest

from core.delivery import Sent, TemporaryDeliveryError
from core.ticks import TickReport


def test_it_prints_the_counts_that_are_not_zero_in_the_apps_order():
    report = TickReport.of("board", "reminded", "sent", "failed")

    report.sent += 2
    report.reminded = 1

    assert str(report) == "board: 1 reminded, 2 sent"


def test_it_says_nothing_due_when_nothing_happened():
    assert str(TickReport.of("surveys", "opened", "sent")) == "surveys: nothing due"


def test_sends_are_counted_by_outcome_under_the_apps_names():
    report = TickReport.of("board", "sent", "failed", "deferred")

    def later() -> Sent:
        raise TemporaryDeliveryError(str(smtplib.SMTPServerDisconnected("gone")))

    report.count_send(lambda: Sent.SENT, what="notice 1")
    report.count_send(
        lambda: Sent.BOUNCED, what="notice 2", names={Sent.BOUNCED: "failed"}
    )
    report.count_send(lambda: Sent.SKIPPED, what="notice 3")
    report.count_send(later, what="notice 4")

    assert (report.sent, report.failed, report.deferred) == (1, 1, 1)
    assert report.notes == ["notice 4: gone"]


def test_a_count_the_app_did_not_name_is_refused():
    report = TickReport.of("surveys", "opened")

    with pytest.raises(AttributeError):
        report.opend = 1
