"""The demo board: some forty concerns raised over the demo weeks, their threads,
supporters, official responses, updates, and two-click ratings of the live tools.
What is said and where each story ends is the script (`demo.board_script`);
this module plays it.

Everything goes through the board's services with explicit past times, so owners,
due times, history and notices are what a real rollout would have left behind.
Deterministic for a given rng and safe to run twice: a concern is found by its
title and an update by its title, and their stories are told only when missing;
a tool that has ratings gets none. The scheduler's follow-ups (reminders,
escalations, nudges) are replayed each working morning of the demo weeks. Notices
written here are history, so they are marked sent (at their own time) rather than
emailed by the next scheduler tick.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import F, Max, Model
from django.utils import timezone

from demo.board_script import (
    GAPS,
    ME_TOO,
    POLICIES,
    RATING_NOTES,
    RATING_SHARE,
    RATINGS,
    SPECS,
    TOOL_DEPARTMENT,
    UPDATES,
    Spec,
)
from demo.org import DemoOrg
from feedback.models import (
    CategoryPolicy,
    Comment,
    Concern,
    Flag,
    Notice,
    OutputRating,
    Status,
    Subscription,
    Update,
    Vote,
)
from feedback.services.concerns import (
    RateLimited,
    concern_merge,
    concern_raise,
    concern_reassign,
    concern_set_status,
)
from feedback.services.followups import followups_run
from feedback.services.moderation import flag, hide
from feedback.services.thread import comment_post, support_set
from feedback.services.updates import update_post
from org.models import Accuracy, AITool, Person


@dataclass(frozen=True)
class DemoFeedback:
    concerns_created: int
    concerns: int  # the demo's concerns, seeded now or before
    overdue: int
    updates_created: int
    updates: int  # the demo's updates, posted now or before
    ratings_created: int
    ratings: int


def seed_feedback(
    *,
    rng: random.Random,
    org: DemoOrg,
    start: dt.datetime,
    now: dt.datetime | None = None,
) -> DemoFeedback:
    now = now or timezone.now()
    cast = _Cast(org)
    with transaction.atomic():
        notices_before = Notice.objects.aggregate(m=Max("pk"))["m"] or 0
        _policies(cast)
        existing = set(
            Concern.objects.filter(title__in=[s.title for s in SPECS]).values_list(
                "title", flat=True
            )
        )
        # One seed per concern, drawn for every spec, so that a concern's story
        # does not depend on which others were already there.
        seeds = [rng.getrandbits(64) for _ in SPECS]
        told: dict[str, tuple[int, dt.datetime]] = {}  # title -> (pk, last event)
        for spec, seed in sorted(zip(SPECS, seeds, strict=True), key=_by_merge):
            if spec.title not in existing:
                # Demo stories, the same for a seed: not cryptography.
                story_rng = random.Random(seed)  # nosec B311
                story = _Story(spec, story_rng, cast, start=start, now=now)
                last = story.tell()
                told[spec.title] = (story.concern.pk, last)
        updates = _updates(cast, told, now)
        if told:
            _followups_replay(start, now)
        ratings = _ratings(rng, org, start, now)
        # History, not news: the next scheduler tick must not email it all.
        Notice.objects.filter(
            pk__gt=notices_before,
            concern__in=[pk for pk, _ in told.values()],
            sent_at=None,
        ).update(sent_at=F("created_at"))
    concerns = Concern.objects.filter(title__in=[s.title for s in SPECS])
    return DemoFeedback(
        concerns_created=len(told),
        concerns=concerns.count(),
        overdue=concerns.filter(
            status__in=[Status.NEW, Status.ACKNOWLEDGED, Status.IN_PROGRESS],
            first_responded_at=None,
            first_response_due_at__lt=now,
        ).count(),
        updates_created=updates,
        updates=Update.objects.filter(title__in=[u[0] for u in UPDATES]).count(),
        ratings_created=ratings,
        ratings=OutputRating.objects.count(),
    )


def _by_merge(item: tuple[Spec, int]) -> bool:
    return item[0].end == "merged"  # a duplicate after the concern it joins


class _Cast:
    """Who plays which part: the demo logins, team leads, raisers and the tools."""

    def __init__(self, org: DemoOrg) -> None:
        self.clock_start = timezone.now()  # rows stamped since are backdated
        self.hr, self.employee = org.hr, org.employee
        self.people = [p for p in org.people if p.pk not in (org.hr.pk, org.leader.pk)]
        self.customers = org.customers
        self.tools = {t.name: t for t in AITool.objects.select_related("owner__user")}
        teams = {
            p.pk: (p.team.name, p.team.department.name) if p.team else ("", "")
            for p in org.people
        }
        self.leads = {
            teams[p.pk][0]: p for p in org.people if p.job_title.endswith(" Lead")
        }
        self.by_department = {
            department: [p for p in self.people if teams[p.pk][1] == department]
            for department in {d for _, d in teams.values()}
        }

    def person(self, key: str) -> Person:
        """A team's lead, or HR when the key is "hr" or the team has none."""
        return self.hr if key == "hr" else self.leads.get(key, self.hr)

    def raiser(self, rng: random.Random, spec: Spec) -> Person:
        if spec.by == "employee":
            return self.employee
        pool = self.by_department.get(TOOL_DEPARTMENT.get(spec.tool, ""), [])
        return rng.choice(pool or self.people)


def _policies(cast: _Cast) -> None:
    for category, (owner, days) in POLICIES.items():
        CategoryPolicy.objects.get_or_create(
            category=category,
            defaults={"default_owner": cast.person(owner), "response_days": days},
        )


class _Story:
    """One concern from the day it was raised to where the spec leaves it."""

    def __init__(
        self,
        spec: Spec,
        rng: random.Random,
        cast: _Cast,
        *,
        start: dt.datetime,
        now: dt.datetime,
    ) -> None:
        self.spec, self.rng, self.cast, self.now = spec, rng, cast, now
        self.tool = cast.tools.get(spec.tool) if spec.tool else None
        self.raiser = cast.raiser(rng, spec)
        self.customer = rng.choice(cast.customers) if spec.customer else None
        self.comments = list(spec.comments)
        self.concern: Concern | None = None
        self.created = self._raised_at(start)

    def tell(self) -> dt.datetime:
        steps = self._steps()
        for step, at in zip(steps, self._times(steps), strict=True):
            getattr(self, f"_{step}")(at)
        return at

    def _steps(self) -> list[str]:
        end, spec = self.spec.end, self.spec
        talk = ["comment"] * len(self.comments)
        supports = 1 if end in ("fresh", "merged") else self.rng.randint(2, 3)
        steps = ["raise", *(["support"] * (0 if spec.customer else supports))]
        if end == "merged":
            return [*steps, "merge"]
        if spec.reassign:
            steps.append("reassign")
        if end in ("fresh", "overdue", "declined"):
            steps += talk
            if spec.hidden[0]:
                steps.append("hidden")
            return steps + (["decline"] if end == "declined" else [])
        steps.append("ack")
        if end == "ack_overdue":
            return steps + talk
        steps += ["official", *talk]
        if spec.hidden[0]:
            steps.append("hidden")
        if end in ("progress", "resolved"):
            steps.append("progress")
        return steps + (["resolve"] if end == "resolved" else [])

    def _raised_at(self, start: dt.datetime) -> dt.datetime:
        end, rng, now = self.spec.end, self.rng, self.now
        if end == "fresh":  # not due yet
            at = now - dt.timedelta(hours=rng.uniform(2, 30))
        elif end in ("overdue", "ack_overdue"):  # well past a 3-working-day due time
            at = now - dt.timedelta(days=rng.uniform(7, 13))
        else:
            span = max(now - dt.timedelta(days=3) - start, dt.timedelta(0))
            at = start + span * self.spec.when + dt.timedelta(hours=rng.uniform(0, 8))
        return max(start, _office_hours(_weekday(at), now=now))

    def _times(self, steps: list[str]) -> list[dt.datetime]:
        """The steps' times: gaps drawn per kind of step, squeezed into the time
        left before now when the demo is short."""
        gaps = [0.0] + [self.rng.uniform(*GAPS[s]) for s in steps[1:]]
        total = sum(gaps) or 1.0
        room = (self.now - dt.timedelta(hours=1) - self.created).total_seconds()
        scale = min(1.0, max(room, 0) / (total * 86400))
        times, at = [], self.created
        for gap in gaps:
            at += dt.timedelta(days=gap * scale)
            moved = _office_hours(at, now=self.now)
            # Near `now` some times move and others cannot: never go backwards.
            times.append(max(moved, times[-1]) if times else moved)
        return times

    def _raise(self, at: dt.datetime) -> None:
        spec = self.spec
        self.concern = _posted(
            concern_raise,
            title=spec.title,
            body=spec.body,
            category=spec.category,
            by=None if spec.customer else self.raiser,
            customer=self.customer,
            anonymous=spec.anonymous,
            ai_tool=self.tool,
            now=at,
        )
        _backdate(Subscription, at, self.cast, concern=self.concern)
        if spec.flagged:
            flag(target=self.concern, by=self.cast.employee, reason=spec.flagged)
            _backdate(Flag, at, self.cast, concern=self.concern)

    def _support(self, at: dt.datetime) -> None:
        count = self.rng.randint(1, 5) if self.spec.end != "fresh" else 1
        for person in self.rng.sample(self.cast.people, count):
            if person.pk != self.raiser.pk:
                follow = self.rng.random() < 0.3
                support_set(
                    concern=self.concern, person=person, supported=True, follow=follow
                )
        _backdate(Vote, at, self.cast, concern=self.concern)
        _backdate(Subscription, at, self.cast, concern=self.concern)

    def _comment(self, at: dt.datetime) -> None:
        body = self.comments.pop(0) if self.comments else self.rng.choice(ME_TOO)
        self._say(at, body)

    def _say(self, at: dt.datetime, body: str) -> Comment:
        others = [p for p in self.cast.people if p.pk != self.raiser.pk]
        by = self.rng.choice(others)
        comment = _posted(comment_post, concern=self.concern, by=by, body=body, now=at)
        _backdate(Subscription, at, self.cast, concern=self.concern, person=by)
        return comment

    def _hidden(self, at: dt.datetime) -> None:
        text, reason = self.spec.hidden
        comment = self._say(at, text)
        reporter = self.rng.choice(self.cast.people)
        flag(target=comment, by=reporter, reason="Names a colleague.")
        _backdate(Flag, at, self.cast, comment=comment)
        hide(target=comment, by=self.cast.hr, reason=reason, now=at)

    def _ack(self, at: dt.datetime) -> None:
        self._move(at, Status.ACKNOWLEDGED, "")

    def _official(self, at: dt.datetime) -> None:
        by = self.cast.hr if self.spec.hr_answers else self._owner()
        _posted(
            comment_post,
            concern=self.concern,
            by=by,
            body=self.spec.response,
            official=True,
            now=at,
        )
        _backdate(Subscription, at, self.cast, concern=self.concern, person=by)

    def _progress(self, at: dt.datetime) -> None:
        self._move(at, Status.IN_PROGRESS, self.spec.progress)

    def _resolve(self, at: dt.datetime) -> None:
        self._move(at, Status.RESOLVED, self.spec.outcome)

    def _decline(self, at: dt.datetime) -> None:
        self._move(at, Status.DECLINED, self.spec.outcome)

    def _reassign(self, at: dt.datetime) -> None:
        owner = self.cast.person(self.spec.reassign)
        if owner.pk == self.concern.owner_id:
            owner = self.cast.hr if owner.pk != self.cast.hr.pk else self.raiser
        self.concern = concern_reassign(
            concern=self.concern,
            by=self.cast.hr,
            owner=owner,
            note=f"{owner.name} is closest to this; handing it over.",
            now=at,
        )

    def _merge(self, at: dt.datetime) -> None:
        survivor = Concern.objects.get(title=self.spec.outcome)
        concern_merge(
            duplicate=self.concern, survivor=survivor, by=self.cast.hr, now=at
        )
        _backdate(Vote, at, self.cast, concern=survivor)
        _backdate(Subscription, at, self.cast, concern=survivor)

    def _move(self, at: dt.datetime, status: str, note: str) -> None:
        self.concern = concern_set_status(
            concern=self.concern, by=self._owner(), to_status=status, note=note, now=at
        )

    def _owner(self) -> Person:
        return Person.objects.select_related("user").get(pk=self.concern.owner_id)


def _posted(service, **kwargs):
    """Call a posting service; the post rate limit counts real minutes, and the
    seeder writes weeks of history in one, so a tripped limit is reset."""
    try:
        return service(**kwargs)
    except RateLimited:
        cache.clear()
        return service(**kwargs)


def _backdate(model: type[Model], at: dt.datetime, cast: _Cast, **match) -> None:
    """Date rows that the services stamp with the clock (auto_now_add) at the
    event that made them; a row dated before is left as it was."""
    model.objects.filter(**match, created_at__gte=cast.clock_start).update(
        created_at=at
    )


def _updates(cast: _Cast, told: dict[str, dt.datetime], now: dt.datetime) -> int:
    created = 0
    for title, tool_name, body, answers in UPDATES:
        if Update.objects.filter(title=title).exists():
            continue
        concerns = list(Concern.objects.filter(title__in=answers).order_by("pk"))
        last = max(
            (told[c.title][1] for c in concerns if c.title in told), default=None
        )
        if last is None:
            continue  # its concerns were seeded before: so was the update
        tool = cast.tools.get(tool_name)
        author = tool.owner if tool and tool.owner else cast.hr
        at = min(last + dt.timedelta(hours=3), now - dt.timedelta(minutes=30))
        update_post(
            by=author, title=title, body=body, ai_tool=tool, concerns=concerns, now=at
        )
        created += 1
    return created


def _followups_replay(start: dt.datetime, now: dt.datetime) -> None:
    """The reminders, escalations and nudges the scheduler would have sent over
    the demo weeks, as if it ran each working morning (dated then, sent then)."""
    tz = ZoneInfo(settings.TIME_ZONE)
    day = timezone.localdate(start, tz)
    while (at := dt.datetime.combine(day, dt.time(9), tzinfo=tz)) <= now:
        if day.weekday() < 5:
            followups_run(now=at)
        day += dt.timedelta(days=1)


def _ratings(
    rng: random.Random, org: DemoOrg, start: dt.datetime, now: dt.datetime
) -> int:
    """Two-click ratings for each live tool that has none, on working days from its
    go-live to yesterday; correct grows and incorrect shrinks as it matures."""
    tz = ZoneInfo(settings.TIME_ZONE)
    rated = set(OutputRating.objects.values_list("ai_tool_id", flat=True).distinct())
    last = timezone.localdate(now, tz) - dt.timedelta(days=1)
    rows = []
    for tool in org.tools:
        if tool.status != AITool.Status.LIVE or tool.pk in rated:
            continue
        first = timezone.localdate(max(start, tool.live_since or start), tz)
        days = [
            first + dt.timedelta(days=n)
            for n in range((last - first).days + 1)
            if (first + dt.timedelta(days=n)).weekday() < 5
        ]
        if not days:
            continue
        count = round(RATINGS * RATING_SHARE.get(tool.name, 0.2))
        for day in sorted(rng.choice(days) for _ in range(count)):
            rows.append(_rating(rng, tool, day, (day - first).days / 7))
    OutputRating.objects.bulk_create(rows)
    return len(rows)


def _rating(
    rng: random.Random, tool: AITool, day: dt.date, weeks: float
) -> OutputRating:
    correct = 0.3 + 0.3 * (1 - math.exp(-weeks / 5))
    wrong = 0.08 + 0.25 * math.exp(-weeks / 4)
    draw = rng.random()
    value = (
        Accuracy.CORRECT
        if draw < correct
        else Accuracy.INCORRECT
        if draw < correct + wrong
        else Accuracy.MOSTLY_CORRECT
    )
    note = rng.choice(RATING_NOTES[value]) if rng.random() < 0.15 else ""
    return OutputRating(ai_tool=tool, rating=value, note=note, rated_on=day)


def _weekday(at: dt.datetime) -> dt.datetime:
    """The same time on the Friday before when `at` falls on a weekend."""
    local = timezone.localtime(at, ZoneInfo(settings.TIME_ZONE))
    while local.weekday() >= 5:
        local -= dt.timedelta(days=1)
    return local


def _office_hours(at: dt.datetime, *, now: dt.datetime) -> dt.datetime:
    """The day squeezed into 08:00-18:00 local, order kept: people post at work,
    not at 02:00. A time that would move past `now` stays as it was."""
    local = timezone.localtime(at, ZoneInfo(settings.TIME_ZONE))
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    into_day = (local - midnight) / dt.timedelta(days=1)
    moved = midnight + dt.timedelta(hours=8 + 10 * into_day)
    return moved if moved < now - dt.timedelta(hours=1) else local
