"""Welcome emails: each new person is told what Candor is and how to choose a password.

A welcome is written with the person (`people_create`, the admin's "add person"),
in the same transaction, and handed to workers once it commits: one small task per
thousand welcomes, which queues each one's send (`core.dispatch.queue_once`), so an
import of thousands costs the request a handful of broker messages, never an email.
A broker that is down, or lost the queue, delays them: the scheduler's next pass
finds every welcome not sent yet (`org.scheduler`). Each is sent at most once
(`core.delivery`): its claim is a conditional UPDATE of `sent_at`, and a claim a
killed worker left behind is taken over once its lease runs out.

The link in it is Django's password-reset link (`PasswordResetTokenGenerator`),
made when the email is built, so it lasts PASSWORD_RESET_TIMEOUT from then and
stops working once a password is chosen with it.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Hashable, Iterable
from functools import partial

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from core.delivery import RowSend, Sent, send_once, takeable
from core.dispatch import queue_once, unqueued_since
from core.headers import header_text
from core.links import site_url
from core.timewords import span_words
from org.models import Person, User, Welcome

log = logging.getLogger(__name__)

# Welcomes per message to the broker from a request: an import of 5,000 people
# publishes five.
HAND_OVER_CHUNK = 1000

Enqueue = Callable[[list[tuple[int, Hashable]]], None]


class WelcomeRefused(Exception):
    """This person cannot be sent a welcome (they were deactivated)."""


def welcomes_create(
    *, people: Iterable[Person], now: dt.datetime, by: Person | None = None
) -> list[Welcome]:
    """Write a welcome to each active person in `people` (their `user` loaded) and
    hand them to workers once the caller's transaction commits. Nobody inactive is
    written one: whoever is not here yet is not invited in."""
    welcomes = Welcome.objects.bulk_create(
        [
            Welcome(person=person, created_at=now, requested_by=by)
            for person in people
            if person.user.is_active
        ],
        batch_size=HAND_OVER_CHUNK,
    )
    ids = [welcome.pk for welcome in welcomes]
    if ids:
        transaction.on_commit(partial(_hand_to_workers, ids))
    return welcomes


@transaction.atomic
def welcome_resend(*, person: Person, by: Person | None, now: dt.datetime) -> Welcome:
    """A new welcome for `person`, with a new link (the earlier links still work
    until used or expired). One still waiting to go is returned instead: it will
    carry a fresh link anyway, made when it is sent.

    Raises WelcomeRefused for someone deactivated."""
    if not person.user.is_active:
        raise WelcomeRefused(f"{person.name} is inactive: reactivate them first.")
    waiting = welcomes_to_send(now=now).filter(person=person).first()
    if waiting is not None:
        return waiting
    return welcomes_create(people=[person], now=now, by=by)[0]


def _hand_to_workers(ids: list[int]) -> None:
    from org.tasks import queue_welcomes  # the task calls this module

    try:
        for start in range(0, len(ids), HAND_OVER_CHUNK):
            queue_welcomes.delay(ids[start : start + HAND_OVER_CHUNK])
    except Exception:  # the broker is down: the scheduler's next pass sends them
        log.exception("Could not queue %d welcomes; the next pass will", len(ids))


def welcomes_queue(*, ids: list[int], now: dt.datetime, enqueue: Enqueue) -> int:
    """Hand the sends of the welcomes `ids` names that still wait to the broker,
    each once across dispatchers (`core.dispatch.queue_once`); returns how many."""
    due = welcomes_to_send(now=now).filter(pk__in=ids).values_list("pk", flat=True)
    return queue_once(Welcome, dict.fromkeys(due, 0), now=now, enqueue=enqueue)


def welcomes_to_send(
    *, now: dt.datetime | None = None, unqueued_before: dt.datetime | None = None
) -> QuerySet[Welcome]:
    """Welcomes neither sent, failed nor cancelled, to people still active, with
    those whose claim's lease ran out by `now` before they were handed over; with
    `unqueued_before`, only those not handed to the broker since then."""
    welcomes = Welcome.objects.filter(
        takeable(now or timezone.now()),
        failed_at=None,
        cancelled_at=None,
        person__user__is_active=True,
    )
    if unqueued_before is not None:
        welcomes = welcomes.filter(unqueued_since(unqueued_before))
    return welcomes.order_by("pk")


def welcome_send(welcome_id: int, *, now: dt.datetime | None = None) -> Sent:
    """Email one welcome, unless it was sent, failed, cancelled or is claimed.

    Raises TemporaryDeliveryError when the mail server cannot take it now; the
    welcome is then free again and marked queued, so the task's own retry comes
    back for it and a dispatcher only re-queues it once that mark is stale.
    """
    now = now or timezone.now()
    welcome = (
        Welcome.objects.select_related("person__user").filter(pk=welcome_id).first()
    )
    if welcome is None:
        return Sent.SKIPPED
    if not welcome.person.user.is_active:
        Welcome.objects.filter(takeable(now), pk=welcome_id).update(
            cancelled_at=now, queued_at=None, sent_at=None, send_state=""
        )
        return Sent.SKIPPED
    return send_once(_WelcomeEmail(welcome, now=now))


def set_password_url(user: User) -> str:
    """A link to choose a password: Django's reset link, valid for
    PASSWORD_RESET_TIMEOUT and until a password is chosen with it."""
    path = reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    return site_url(path)


def welcome_message(person: Person) -> EmailMessage:
    """The welcome to `person`, with a new link to choose a password."""
    org_name = settings.CANDOR_ORG_NAME
    valid_for = dt.timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT)
    body = render_to_string(
        "org/email/welcome.txt",
        {
            "person": person,
            "org_name": org_name,
            "set_password_url": set_password_url(person.user),
            "valid_for": span_words(valid_for),
            "reset_url": site_url(reverse("password_reset")),
            "signin_url": site_url(reverse("login")),
        },
    )
    return EmailMessage(
        subject=header_text(f"Welcome to Candor at {org_name}"),
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[person.user.email],
    )


class _WelcomeEmail(RowSend):
    """One welcome, as `core.delivery.send_once` sends it."""

    def __str__(self) -> str:
        return str(self.row)

    def message(self) -> EmailMessage:
        return welcome_message(self.row.person)
