"""Factories for the board: concerns, comments, followers and notices.

A concern's times default to "raised just now", with its first response due three
working days later (the default policy); pass `created_at` to move them together.
"""

from __future__ import annotations

import factory
from django.utils import timezone

from feedback.models import Category, Comment, Concern, Notice, Subscription
from feedback.services.worktime import working_days_after
from tests.org.factories import PersonFactory


class ConcernFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Concern

    title = factory.Sequence(lambda n: f"Concern {n} about the new copilot")
    body = "People are unsure what the copilot means for their work."
    category = Category.OTHER
    owner = factory.SubFactory(PersonFactory)
    created_at = factory.LazyFunction(timezone.now)
    last_activity_at = factory.SelfAttribute("created_at")
    first_response_due_at = factory.LazyAttribute(
        lambda concern: working_days_after(concern.created_at, 3)
    )


class CommentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Comment

    concern = factory.SubFactory(ConcernFactory)
    author = factory.SubFactory(PersonFactory)
    body = "Same here: our team has the same question."
    created_at = factory.LazyFunction(timezone.now)


class SubscriptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Subscription

    concern = factory.SubFactory(ConcernFactory)
    person = factory.SubFactory(PersonFactory)


class NoticeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Notice

    person = factory.SubFactory(PersonFactory)
    concern = factory.SubFactory(ConcernFactory)
    kind = Notice.Kind.FOLLOWER
    subject = factory.Sequence(lambda n: f"Update {n} on a concern you follow")
    body = "Hello,\n\nThere is news on a concern you follow.\n"
    created_at = factory.LazyFunction(timezone.now)
