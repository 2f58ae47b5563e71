"""End to end: a real worker process (production settings, the filesystem broker,
our SMTP backend) is SIGKILLed while it holds claims, stuck at RCPT before handing
anything over. Once the lease has run out, a dispatcher pass queues those
invitations again and a fresh worker sends every invitation exactly once, counted
at the SMTP server."""

from __future__ import annotations

import datetime as dt
import os
import signal
import uuid
from collections import Counter

import pytest
from django.conf import settings
from django.db import connection
from django.db.models import F
from django.utils import timezone

from config.celery import app
from core.delivery import CLAIM_LEASE, SendState
from surveys.models import Invitation
from surveys.scheduler import survey_tick
from surveys.tasks import send_invitation
from tests.config.test_worker import _filesystem_options
from tests.core.smtp_sink import Sink, free_port, running, wait_until
from tests.org.factories import PersonFactory, TeamFactory
from tests.surveys.factories import QuestionFactory, SurveyFactory
from tests.surveys.test_worker_delivery import _database_url
from tests.workers import worker_start

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def _worker(tmp_path, queue: str, smtp_port: int, *, concurrency: int):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "CANDOR_VAR_DIR": str(tmp_path),
        "CELERY_BROKER_URL": "filesystem://",
        "DATABASE_URL": _database_url(),
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
        # Longer than the test holds RCPT: the worker must be stuck, not failing.
        "EMAIL_TIMEOUT": "60",
        "SECRET_KEY": "worker-test",
        "TIME_ZONE": settings.TIME_ZONE,
    }
    return worker_start(
        queue,
        env,
        concurrency=concurrency,
        start_new_session=True,  # its own process group: the pool dies with it
    )


def _stop(worker, sig=signal.SIGTERM) -> str:
    if worker.poll() is None:
        os.killpg(worker.pid, sig)
    output, _ = worker.communicate(timeout=60)
    return output


def test_a_worker_killed_holding_claims_loses_no_email_and_doubles_none(tmp_path):
    if connection.vendor == "sqlite" and ":memory:" in connection.settings_dict["NAME"]:
        pytest.skip("the worker needs a database file it can open")
    options = _filesystem_options(tmp_path)
    queue = f"test-{uuid.uuid4().hex}"
    now = timezone.now()
    team = TeamFactory()
    people = [PersonFactory(team=team) for _ in range(4)]
    survey = SurveyFactory(
        cadence="once", first_date=now.date(), start_time=dt.time(0, 0), open_days=3
    )
    QuestionFactory(survey=survey)
    port = free_port()

    def dispatch() -> int:
        with app.connection_for_write(
            "filesystem://", transport_options=options
        ) as conn:

            def enqueue(batch):
                for pk, _ in batch:
                    send_invitation.apply_async([pk], queue=queue, connection=conn)

            return survey_tick(now=timezone.now(), enqueue=enqueue).queued

    with running(Sink(), port) as sink:
        sink.hold_rcpt = True
        first_worker = _worker(tmp_path, queue, port, concurrency=2)
        try:
            assert dispatch() == 4
            stuck = wait_until(lambda: len(sink.rcpts) == 2, seconds=90)
        finally:
            output = _stop(first_worker, signal.SIGKILL)
        assert stuck, f"the worker never reached RCPT; its log:\n{output}"
        sink.hold_rcpt = False
        claimed = Invitation.objects.filter(send_state=SendState.CLAIMED)
        assert claimed.count() == 2 and sink.messages == []

        # The lease runs out (moved back rather than waited for).
        claimed.update(
            claimed_at=F("claimed_at") - CLAIM_LEASE, sent_at=F("sent_at") - CLAIM_LEASE
        )
        requeued = dispatch()
        second_worker = _worker(tmp_path, queue, port, concurrency=1)
        try:
            accepted = Invitation.objects.filter(send_state=SendState.ACCEPTED)
            done = wait_until(lambda: accepted.count() == 4, seconds=90)
            again = dispatch()
        finally:
            output = _stop(second_worker)

    assert done, f"the fresh worker did not send every invitation; its log:\n{output}"
    assert (requeued, again) == (2, 0)
    assert Counter(sink.to()) == Counter({person.email: 1 for person in people})
    assert not Invitation.objects.exclude(queued_at=None).exists()
