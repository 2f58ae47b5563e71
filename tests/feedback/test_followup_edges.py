"""Edges of follow-up: a reminder overtaken by an answer is not sent, an escalation
always reaches somebody, and one app's failing tick does not stop the other's."""

from __future__ import annotations

import datetime as dt

import pytest

from config import scheduler
from core.delivery import Sent
from feedback.models import Notice, Status
from feedback.services.followups import escalation_recipients
from feedback.services.outbox import notice_send
from org.roles import Role
from tests.feedback.factories import ConcernFactory, NoticeFactory
from tests.org.factories import PersonFactory, UserFactory

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 10, 9, tzinfo=dt.UTC)


def test_a_reminder_still_waiting_when_the_owner_answers_is_cancelled(mailoutbox):
    concern = ConcernFactory(created_at=NOW - dt.timedelta(days=5))
    reminder = NoticeFactory(
        concern=concern, person=concern.owner, kind=Notice.Kind.REMINDER, created_at=NOW
    )
    concern.first_responded_at = NOW + dt.timedelta(minutes=5)
    concern.save()

    assert notice_send(reminder.pk, now=NOW + dt.timedelta(minutes=10)) == Sent.SKIPPED
    reminder.refresh_from_db()
    assert reminder.cancelled_at is not None and reminder.sent_at is None
    assert mailoutbox == []


def test_a_nudge_is_cancelled_by_new_activity_but_a_follower_notice_is_not(mailoutbox):
    concern = ConcernFactory(status=Status.IN_PROGRESS, created_at=NOW)
    nudge = NoticeFactory(
        concern=concern, person=concern.owner, kind=Notice.Kind.NUDGE, created_at=NOW
    )
    follower = NoticeFactory(concern=concern, created_at=NOW)
    concern.last_activity_at = NOW + dt.timedelta(hours=1)
    concern.save()
    assert notice_send(nudge.pk, now=NOW + dt.timedelta(hours=2)) == Sent.SKIPPED
    assert notice_send(follower.pk, now=NOW + dt.timedelta(hours=2)) == Sent.SENT
    assert [m.to for m in mailoutbox] == [[follower.person.email]]


def test_an_escalation_about_the_only_hr_person_goes_to_the_administrators():
    hr = PersonFactory(roles={Role.HR})
    admin = PersonFactory(user=UserFactory(is_superuser=True, is_staff=True))
    assert escalation_recipients(hr) == [(admin, "administrator")]
    manager = PersonFactory()
    hr.team.manager = manager
    hr.team.save()
    hr.refresh_from_db()
    assert escalation_recipients(hr) == [(manager, "manager")]


def test_one_failing_tick_does_not_stop_the_other(monkeypatch):
    ran = []

    def survey_tick_fails(**kwargs):
        raise RuntimeError("survey tick broke")

    def feedback_tick_runs(**kwargs):
        ran.append("feedback")
        return "feedback: nothing due"

    monkeypatch.setattr("surveys.scheduler.survey_tick", survey_tick_fails)
    monkeypatch.setattr("feedback.scheduler.feedback_tick", feedback_tick_runs)
    with pytest.raises(RuntimeError, match="survey tick broke"):
        scheduler.tick_all(now=NOW, inline=True)
    assert ran == ["feedback"]
