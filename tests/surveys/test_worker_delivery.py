"""End to end: the dispatcher queues invitations on a real broker and a real worker
process (production settings) sends them through Django's file mail backend."""

from __future__ import annotations

import datetime as dt
import os
import uuid

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from config.celery import app
from surveys.models import Invitation
from surveys.scheduler import survey_tick
from surveys.tasks import send_invitation, send_reminder
from tests.config.test_worker import _filesystem_options, _redis_url, _wait_for
from tests.org.factories import PersonFactory, TeamFactory
from tests.surveys.factories import QuestionFactory, SurveyFactory
from tests.workers import worker_start

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def _database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    user, host = db["USER"] or "postgres", db["HOST"] or "127.0.0.1"
    return f"postgres://{user}@{host}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.mark.parametrize("broker", ["filesystem", "redis"])
def test_the_dispatcher_and_a_real_worker_send_every_invitation_once(broker, tmp_path):
    if connection.vendor == "sqlite" and ":memory:" in connection.settings_dict["NAME"]:
        pytest.skip("the worker needs a database file it can open")
    url = "filesystem://" if broker == "filesystem" else _redis_url()
    options = _filesystem_options(tmp_path) if broker == "filesystem" else {}
    queue = f"test-{uuid.uuid4().hex}"
    now = timezone.now()
    team = TeamFactory()
    people = [PersonFactory(team=team) for _ in range(4)]
    survey = SurveyFactory(
        cadence="once", first_date=now.date(), start_time=dt.time(0, 0), open_days=3
    )
    QuestionFactory(survey=survey)
    mail_dir = tmp_path / "mail"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "CANDOR_VAR_DIR": str(tmp_path),
        "CELERY_BROKER_URL": url,
        "DATABASE_URL": _database_url(),
        "EMAIL_URL": f"filemail://{mail_dir}",
        "SECRET_KEY": "worker-test",
        "TIME_ZONE": settings.TIME_ZONE,
    }
    worker = worker_start(queue, env)
    try:
        with app.connection_for_write(url, transport_options=options) as conn:

            def enqueue(batch):
                for pk, step in batch:
                    task, args = (
                        (send_invitation, [pk])
                        if step == 0
                        else (send_reminder, [pk, step])
                    )
                    task.apply_async(args, queue=queue, connection=conn)

            # Two dispatcher passes: the second must not queue anything again.
            first = survey_tick(now=now, enqueue=enqueue)
            second = survey_tick(now=now, enqueue=enqueue)

        def all_sent():
            done = Invitation.objects.filter(sent_at__isnull=False).count()
            return True if done == len(people) else None

        finished = _wait_for(all_sent, seconds=60)
    finally:
        worker.terminate()
        output, _ = worker.communicate(timeout=30)

    assert (first.queued, second.queued) == (4, 0)
    assert finished, f"the worker did not send every invitation; its log:\n{output}"
    mails = "".join(path.read_text() for path in mail_dir.glob("*.log"))
    for person in people:
        assert mails.count(f"To: {person.email}") == 1
    assert not Invitation.objects.exclude(queued_at=None).exists()
