"""Writing notices (the outbox): an email to one person, saved with its cause.

Sending them is `feedback.services.outbox`; here they are only written, inside the
caller's transaction, so that an event and its emails commit or vanish together.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.core import signing
from django.template.loader import render_to_string
from django.urls import reverse

from core.headers import header_text
from core.links import site_url
from feedback.models import Concern, Notice, Subscription
from org.models import Person

UNSUBSCRIBE_SALT = "feedback.unsubscribe"


def concern_url(concern: Concern) -> str:
    return site_url(reverse("feedback:concern_detail", args=[concern.pk]))


def unsubscribe_url(subscription: Subscription) -> str:
    token = signing.dumps(subscription.pk, salt=UNSUBSCRIBE_SALT)
    return site_url(reverse("feedback:unsubscribe", args=[token]))


def subscription_from_token(token: str) -> Subscription | None:
    try:
        pk = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    return Subscription.objects.filter(pk=pk).select_related("concern").first()


def notice_create(
    *,
    person: Person,
    kind: str,
    subject: str,
    template: str,
    context: dict[str, object],
    concern: Concern | None,
    now: dt.datetime,
) -> Notice | None:
    """Write one notice to `person`, or None if they were deactivated: whoever has
    left is told nothing more, whichever step or event would have told them."""
    if not person.is_active:
        return None
    body = render_to_string(
        template,
        {
            "org_name": settings.CANDOR_ORG_NAME,
            "person": person,
            "concern": concern,
            "concern_url": concern_url(concern) if concern else "",
            **context,
        },
    )
    return Notice.objects.create(
        person=person,
        concern=concern,
        kind=kind,
        # From typed titles: a line break would make the send fail for good.
        subject=header_text(
            subject, max_length=Notice._meta.get_field("subject").max_length
        ),
        body=body,
        created_at=now,
    )


def followers_notify(
    *,
    concern: Concern,
    subject: str,
    message: str,
    now: dt.datetime,
    skip: Iterable[Person | None] = (),
) -> int:
    """A notice to every active follower (each with a one-click unsubscribe link),
    except the people in `skip` (usually whoever caused it)."""
    skipped = {person.pk for person in skip if person is not None}
    subscriptions = (
        Subscription.objects.filter(
            concern=concern, active=True, person__user__is_active=True
        )
        .exclude(person__in=skipped)
        .select_related("person__user")
    )
    count = 0
    for subscription in subscriptions:
        notice_create(
            person=subscription.person,
            kind=Notice.Kind.FOLLOWER,
            subject=subject,
            template="feedback/email/follower.txt",
            context={
                "message": message,
                "unsubscribe_url": unsubscribe_url(subscription),
            },
            concern=concern,
            now=now,
        )
        count += 1
    return count
