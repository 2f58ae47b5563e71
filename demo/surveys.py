"""The demo organisation's survey history: both library surveys, live, with every
round that has already closed, its invitations and realistic anonymous answers.

Deterministic for a given rng and safe to run twice: surveys are found by title, and
a round that already exists (seeded before, or opened by the real scheduler) is left
as it is. The round that is open now is not created here; the scheduler opens it.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache

from django.db import transaction
from django.utils import timezone

from demo.org import DemoOrg
from org.models import Accuracy, AITool, Customer, Person
from surveys.audiences import tools_asked_now
from surveys.cadence import starts
from surveys.library import AI_ROLLOUT_PULSE, CUSTOMER_TRUST, survey_from_template
from surveys.models import (
    Answer,
    Invitation,
    Question,
    Response,
    Round,
    Survey,
)
from surveys.sentiment import comment_sentiment
from surveys.services.rounds import questions_asked_in, round_window

Kind, Driver = Question.Kind, Question.Driver
BATCH = 1000  # rows per INSERT
WEEK = dt.timedelta(weeks=1).total_seconds()

# Written for the demo: what people say about AI tools at work, in both moods.
EMPLOYEE_PRAISE = (
    "The copilot drafts save me a good hour a day, and I still get to fix the tone.",
    "Last week's training session was really helpful; I finally see what the tool "
    "is good at.",
    "I like that my manager asked what we thought before switching the summariser on.",
    "The code suggestions are great for tests and boilerplate, which frees me up for "
    "the interesting problems.",
    "Knowing exactly who owns each tool makes it easy to raise a problem and get a "
    "helpful answer.",
    "The answers on the feedback board about monitoring were clear and reassuring.",
    "Accuracy has improved a lot since the first weeks; I rarely rewrite a draft now.",
    "Meeting notes are finally consistent and clear, which makes Friday follow-ups "
    "easy.",
    "Leadership promised nobody loses their job over this, and so far they have kept "
    "that promise. Thank you.",
    "Happy with the pace of the rollout: small steps, good support and a real way to "
    "give feedback.",
    "The office hours with the AI team are excellent, please keep them going.",
    "It really helps with customers who write in languages I barely know. Great for "
    "them and me.",
    "I was sceptical at first, but the time saved on routine tickets is real and I "
    "enjoy the harder cases more.",
    "Good to see the acceptable-use rules in plain language. It makes me more "
    "confident using the tools.",
    "Thanks for quickly fixing the refund answers we reported. Great support.",
    "The new prompt library is useful and saves my team time every day.",
    "I appreciate that we can switch the suggestions off when we need to focus.",
    "Clear guidance on what data is allowed in prompts has made me comfortable "
    "using the tools.",
)
EMPLOYEE_WORRIES = (
    "Nobody tells us what happens to our jobs as the copilot takes on more tickets. "
    "The silence is scary.",
    "The drafts are often wrong about our refund policy, and fixing them takes longer "
    "than writing from scratch.",
    "It feels like the tool is there to watch how fast we work, not to help us. I "
    "hate that.",
    "I have had no proper training; a ten-minute video is not enough. I feel lost.",
    "I raised a concern about the summariser recording a private conversation and "
    "never got a reply. Disappointing.",
    "Targets went up the week the tool went live. That is not saving time, that is "
    "more pressure.",
    "I fear the team will be cut once management decides the bot can do our work.",
    "The code assistant keeps suggesting insecure patterns and nobody seems to own "
    "the problem.",
    "Too many tools, too fast, and no time to learn any of them properly. Stressful.",
    "I don't trust the accuracy numbers we are shown; they don't match what I see "
    "every day.",
    "Customers get angry when they can tell a reply was written by a machine, and we "
    "take the blame.",
    "Stop tracking how often we accept AI suggestions. It pushes people to accept bad "
    "drafts.",
    "The summaries miss decisions and invent actions nobody agreed to. Useless for "
    "minutes.",
    "Being told the tool doubles our productivity is insulting when it clearly does "
    "not.",
    "No one asked frontline staff before this was rolled out, and it shows.",
    "I am worried about where our customer data ends up once it is pasted into these "
    "tools.",
    "The AI invented a policy that does not exist and a customer complained. Who is "
    "accountable for that?",
    "Morale in our team is low; people fear for their jobs because of the uncertainty.",
)
CUSTOMER_PRAISE = (
    "Quick, friendly answer and it solved my problem first time.",
    "Your support team was excellent and very patient with our questions.",
    "I appreciate that you told us when a reply was drafted with AI help.",
    "Great service as always, thank you.",
    "The new help articles are clear and saved us a call.",
    "Fast response, and a real person followed up to check it worked. Impressive.",
)
CUSTOMER_COMPLAINTS = (
    "The first reply did not answer my question at all; it felt automated. "
    "Frustrating.",
    "Worried about how you use our data with AI; we need answers before we renew.",
    "It took three emails to get a human to look at the issue. Poor.",
    "The answer was confident but wrong, which is worse than slow.",
    "Please don't replace your support people with a chatbot; we would hate that and "
    "leave.",
    "Disappointed with the delay on our escalation.",
)

# Where each 1-5 driver sits before any tool arrives: job security lowest.
DRIVER_BASE = {
    Driver.TRUST: 3.6,
    Driver.CLARITY: 3.8,
    Driver.JOB_SECURITY: 3.0,
    Driver.SURVEILLANCE: 3.3,
    Driver.WORKLOAD: 3.5,
    Driver.TRAINING: 3.3,
    Driver.ACCOUNTABILITY: 3.4,
}
# How hard each driver dips when a tool goes live, and how far it recovers as
# concerns get answered and training lands.
DRIVER_SHOCK = {
    Driver.TRUST: 0.8,
    Driver.SURVEILLANCE: 0.6,
    Driver.JOB_SECURITY: 0.5,
    Driver.CLARITY: 0.3,
    Driver.WORKLOAD: 0.3,
    Driver.ACCOUNTABILITY: 0.3,
    Driver.TRAINING: 0.2,
}
DRIVER_RECOVERY = {
    Driver.TRUST: 0.5,
    Driver.CLARITY: 0.5,
    Driver.TRAINING: 0.6,
    Driver.ACCOUNTABILITY: 0.7,
    Driver.SURVEILLANCE: 0.3,
    Driver.WORKLOAD: 0.3,
    Driver.JOB_SECURITY: 0.2,
}
# The teams whose work the tools touch most are the most worried.
TEAM_MOOD = {
    "Frontline Support": -0.45,
    "Escalations": -0.25,
    "Support Operations": -0.1,
    "Sales Development": -0.1,
    "Platform": 0.2,
    "Product Engineering": 0.15,
    "Data": 0.25,
    "People and HR": 0.1,
}
TEAM_JOB_WORRY = {"Frontline Support": -0.4, "Escalations": -0.2}
SEGMENT_TRUST = {"Enterprise": 0.1, "Mid-market": 0.2, "Public sector": -0.4}
# Per tool: who uses it (share by department, else `*`) and hours saved when mature.
TOOL_USE = {
    "Support Copilot": {"Customer Support": 0.95, "*": 0.05},
    "Code Assistant": {"Engineering": 0.9, "*": 0.03},
    "Meeting Summariser": {"*": 0.55},
}
TOOL_HOURS = {"Support Copilot": 4.5, "Code Assistant": 4.0, "Meeting Summariser": 1.5}
# Per tool that serves customers: the share of customers it helped (a drafted reply
# reaches most of those who wrote in), and how far its service starts below the
# usual on go-live (replies that feel automated) before the gap closes.
CUSTOMER_TOOL_REACH = {"Support Copilot": 0.9}
CUSTOMER_TOOL_GAP = {"Support Copilot": 0.8}


@dataclass(frozen=True)
class DemoSurveys:
    surveys: list[Survey]
    rounds_created: int
    responses_created: int
    past_rounds: int  # closed rounds of these surveys, seeded here or not
    responses: int

    @property
    def live(self) -> int:
        return sum(survey.status == Survey.Status.SCHEDULED for survey in self.surveys)


@dataclass(frozen=True)
class _Member:
    """One recipient, with the traits that make their answers theirs."""

    person_id: int | None = None
    customer_id: int | None = None
    team_id: int | None = None
    department_id: int | None = None
    group: str = ""  # team name or customer segment
    segment: str = ""
    mood: float = 0.0
    # tool id -> knack for it (employees) or liking for its help (customers)
    tools: dict[int, float] = field(default_factory=dict)
    since: dt.datetime | None = None  # when the first tool they use went live


AnswerMaker = Callable[
    [random.Random, list[Question], _Member, dt.datetime, Response], list[Answer]
]


@dataclass(frozen=True)
class _Audience:
    """A survey's recipients, their groups' usual turnout, and its questions."""

    survey: Survey
    members: list[_Member]
    turnout: dict[str, float]  # group -> usual share who answer a round
    questions: list[Question]
    make_answers: AnswerMaker


def seed_surveys(
    *,
    rng: random.Random,
    org: DemoOrg,
    start: dt.datetime,
    now: dt.datetime | None = None,
) -> DemoSurveys:
    """Both library surveys, live since `start`, with every round closed by `now`."""
    now = now or timezone.now()
    first_date = timezone.localtime(start).date()
    live_tools = [t for t in org.tools if t.status == AITool.Status.LIVE]
    with transaction.atomic():
        pulse = _survey(
            AI_ROLLOUT_PULSE.title,
            AI_ROLLOUT_PULSE.key,
            first_date=first_date,
            created_by=org.hr,
            tools=live_tools,
            cadence="weekly",
            weekday=Survey.Weekday.MONDAY,
            open_days=5,
        )
        trust = _survey(
            CUSTOMER_TRUST.title,
            CUSTOMER_TRUST.key,
            first_date=first_date,
            created_by=org.hr,
            cadence="monthly",
        )
        rounds = responses = 0
        for audience in (
            _audience(rng, pulse, _employees(rng), _employee_answers),
            _audience(rng, trust, _customers(rng), _customer_answers),
        ):
            for starts_at in _closed_starts_missing(audience.survey, now=now):
                responses += _seed_round(rng, audience, starts_at)
                rounds += 1
    surveys = [pulse, trust]
    return DemoSurveys(
        surveys=surveys,
        rounds_created=rounds,
        responses_created=responses,
        past_rounds=Round.objects.filter(survey__in=surveys)
        .exclude(closed_at=None)
        .count(),
        responses=Response.objects.filter(round__survey__in=surveys).count(),
    )


def _survey(title: str, key: str, *, first_date: dt.date, **fields: object) -> Survey:
    existing = Survey.objects.filter(title=title).order_by("pk").first()
    # Seeded scheduled, with a first date weeks back: a demo shows a survey that
    # has been running, which HR's activation (never a past date) cannot make.
    return existing or survey_from_template(
        key,
        first_date=first_date,
        title=title,
        status=Survey.Status.SCHEDULED,
        **fields,
    )


def _audience(
    rng: random.Random, survey: Survey, members: list[_Member], make: AnswerMaker
) -> _Audience:
    groups = sorted({m.group for m in members})
    return _Audience(
        survey=survey,
        members=members,
        turnout={group: rng.uniform(0.62, 0.82) for group in groups},
        questions=list(
            survey.questions.select_related("ai_tool").prefetch_related(
                "ai_tool__teams"
            )
        ),
        make_answers=make,
    )


def _closed_starts_missing(
    survey: Survey, *, now: dt.datetime
) -> Iterator[dt.datetime]:
    """Starts of the rounds that have closed by `now` and do not exist yet."""
    existing = set(survey.rounds.values_list("starts_at", flat=True))
    for starts_at in starts(survey.schedule()):
        if round_window(survey, starts_at) > now:
            return
        if starts_at not in existing:
            yield starts_at


def _employees(rng: random.Random) -> list[_Member]:
    people = (
        Person.objects.filter(user__is_active=True)
        .select_related("team__department")
        .order_by("user__email")
    )
    tools = list(AITool.objects.exclude(live_since=None).order_by("name"))
    first_live = min((t.live_since for t in tools if t.live_since), default=None)
    members = []
    for person in people:
        team = person.team
        department = team.department.name if team else ""
        used = {}
        for tool in tools:
            shares = TOOL_USE.get(tool.name, {"*": 0.4})
            if rng.random() < shares.get(department, shares["*"]):
                used[tool.pk] = rng.uniform(0.6, 1.4)
        since = [t.live_since for t in tools if t.pk in used and t.live_since]
        members.append(
            _Member(
                person_id=person.pk,
                team_id=team.pk if team else None,
                department_id=team.department_id if team else None,
                group=team.name if team else "",
                mood=rng.gauss(0, 0.35),
                tools=used,
                since=min(since, default=first_live),
            )
        )
    return members


def _customers(rng: random.Random) -> list[_Member]:
    first_live = (
        AITool.objects.exclude(live_since=None)
        .order_by("live_since")
        .values_list("live_since", flat=True)
        .first()
    )
    tools = list(
        AITool.objects.filter(serves_customers=True)
        .exclude(live_since=None)
        .order_by("name")
    )
    members = []
    for customer in Customer.objects.filter(is_active=True).order_by("email"):
        mood = rng.gauss(0, 0.3)
        helped = {
            tool.pk: rng.gauss(0, 0.3)
            for tool in tools
            if rng.random() < CUSTOMER_TOOL_REACH.get(tool.name, 0.5)
        }
        members.append(
            _Member(
                customer_id=customer.pk,
                group=customer.segment,
                segment=customer.segment,
                mood=mood,
                tools=helped,
                since=first_live,
            )
        )
    return members


def _seed_round(rng: random.Random, audience: _Audience, starts_at: dt.datetime) -> int:
    """One closed round: its invitations, and the responses of those who answered."""
    survey = audience.survey
    closes_at = round_window(survey, starts_at)
    # HR publishes a pulse round's org-wide results two days after it closes, so
    # employees have something to see; the newest may not be published yet.
    published = closes_at + dt.timedelta(days=2)
    round_ = Round.objects.create(
        survey=survey,
        starts_at=starts_at,
        closes_at=closes_at,
        fanout_done_at=starts_at,
        closed_at=closes_at,
        results_published_at=published
        if survey.audience == Survey.Audience.EMPLOYEES and published < timezone.now()
        else None,
        # As the scheduler opens a round: its floor and threshold, and whom it
        # asks about each AI tool, kept.
        min_group_size=survey.min_group_size,
        comment_threshold=survey.comment_threshold,
        tools_asked=tools_asked_now(survey),
    )
    questions_asked_in(round_)
    turnout = {
        group: _clamp(usual + rng.gauss(0, 0.05), 0.6, 0.85)
        for group, usual in audience.turnout.items()
    }
    invitations, answered = [], []
    for member in audience.members:
        invitation = _invitation(rng, round_, member, turnout[member.group])
        invitations.append(invitation)
        if not invitation.answered:
            continue
        response = Response(
            id=uuid.UUID(int=rng.getrandbits(128), version=4),
            round=round_,
            team_id=member.team_id,
            department_id=member.department_id,
            segment=member.segment,
        )
        answers = audience.make_answers(
            rng, audience.questions, member, starts_at, response
        )
        answered.append((response, answers))
    # Rows go in at random: insertion order must not line responses up with people.
    rng.shuffle(answered)
    Invitation.objects.bulk_create(invitations, batch_size=BATCH)
    Invitation.objects.filter(round=round_).update(created_at=starts_at)
    Response.objects.bulk_create([r for r, _ in answered], batch_size=BATCH)
    Answer.objects.bulk_create(
        [a for _, ans in answered for a in ans], batch_size=BATCH
    )
    return len(answered)


def _invitation(
    rng: random.Random, round_: Round, member: _Member, turnout: float
) -> Invitation:
    """A sent invitation, its reminders, and whether it was answered."""
    survey = round_.survey
    interval = survey.reminder_interval_days
    invitation = Invitation(
        round=round_,
        person_id=member.person_id,
        customer_id=member.customer_id,
        team_id=member.team_id,
        department_id=member.department_id,
        sent_at=round_.starts_at,
    )
    day = survey.open_days - 1  # those who never answer got every reminder
    if rng.random() < turnout:
        # Most answer the day the invitation arrives or the day a reminder does.
        days = range(survey.open_days)
        weights = [4 if d == 0 else 2 if d % interval == 0 else 1 for d in days]
        day = rng.choices(days, weights)[0]
        invitation.answered = True
    invitation.reminders_sent = min(2, survey.reminder_count, day // interval)
    if invitation.reminders_sent:
        invitation.last_reminded_at = round_.starts_at + dt.timedelta(
            days=interval * invitation.reminders_sent
        )
    return invitation


def _weeks(at: dt.datetime, since: dt.datetime | None) -> float | None:
    """Weeks from `since` to `at`; None when it had not happened yet."""
    if since is None or since > at:
        return None
    return (at - since).total_seconds() / WEEK


def _clamp(value: float, low: float, high: float) -> float:
    return min(max(value, low), high)


def _number(value: float) -> Decimal:
    return Decimal(f"{value:.1f}")


def _employee_answers(
    rng: random.Random,
    questions: list[Question],
    member: _Member,
    at: dt.datetime,
    response: Response,
) -> list[Answer]:
    weeks = _weeks(at, member.since)
    scores = {
        q.pk: _likert(rng, q.driver, member, weeks)
        for q in questions
        if q.kind == Kind.LIKERT
    }
    mood = sum(scores.values()) / len(scores) if scores else 3.5
    answers = []
    for q in questions:
        answer = Answer(response=response, question=q)
        if q.kind == Kind.LIKERT:
            answer.number = _number(scores[q.pk])
        elif q.kind == Kind.ENPS:
            # Follows the drivers: a 3 on average gives about 6, a 4 about 8.5.
            answer.number = _number(
                _clamp(round(2.2 * (mood - 1) + 2.0 + rng.gauss(0, 1.3)), 0, 10)
            )
        elif q.kind in (Kind.HOURS_SAVED, Kind.AI_ACCURACY):
            if not _tool_answer(rng, answer, member, at):
                continue
        elif q.kind == Kind.FREE_TEXT:
            if rng.random() >= 0.3:
                continue
            liked = _clamp((mood - 2.2) / 2.2, 0.1, 0.9)
            _comment(rng, answer, EMPLOYEE_PRAISE, EMPLOYEE_WORRIES, liked)
        else:
            continue
        answers.append(answer)
    return answers


def _likert(
    rng: random.Random, driver: str, member: _Member, weeks: float | None
) -> int:
    """A 1-5 answer: the driver's level, the team's and person's mood, and the dip
    after a tool goes live that recovers as concerns get answered."""
    effect = 0.0
    if weeks is not None:
        # Peaks about a week and a half after go-live, gone after ten.
        lag = (weeks + 1) / 2.5
        shock = lag * math.exp(1 - lag)
        recovery = 1 - math.exp(-weeks / 5)
        effect = (
            -DRIVER_SHOCK.get(driver, 0.3) * shock
            + DRIVER_RECOVERY.get(driver, 0.3) * recovery
        )
    team = TEAM_MOOD.get(member.group, 0.0)
    if driver == Driver.JOB_SECURITY:
        team += TEAM_JOB_WORRY.get(member.group, 0.0)
    raw = DRIVER_BASE.get(driver, 3.4) + team + member.mood + effect
    return int(_clamp(round(raw + rng.gauss(0, 0.75)), 1, 5))


def _tool_answer(
    rng: random.Random, answer: Answer, member: _Member, at: dt.datetime
) -> bool:
    """Hours saved or accuracy for a tool the person uses; False to leave it blank."""
    tool = answer.question.ai_tool
    weeks = _weeks(at, tool.live_since) if tool else None
    if tool is None or tool.pk not in member.tools or weeks is None:
        return False
    if not tool.asked_of(member.team_id):  # not rolled out to their team
        return False
    if rng.random() < 0.08:  # optional questions: some skip them
        return False
    if answer.question.kind == Kind.HOURS_SAVED:
        maturity = 0.35 + 0.65 * (1 - math.exp(-weeks / 4))
        hours = TOOL_HOURS.get(tool.name, 2.0) * member.tools[tool.pk] * maturity
        ceiling = min(10, answer.question.max_hours)
        answer.number = _number(_clamp(hours + rng.gauss(0, 0.7), 0, ceiling))
        return True
    # Mostly correct stays the common answer; correct grows as the tool matures.
    correct = 0.22 + 0.16 * (1 - math.exp(-weeks / 5))
    wrong = 0.05 + 0.18 * math.exp(-weeks / 6)
    draw = rng.random()
    answer.choice = (
        Accuracy.CORRECT
        if draw < correct
        else Accuracy.INCORRECT
        if draw < correct + wrong
        else Accuracy.MOSTLY_CORRECT
    )
    return True


def _customer_answers(
    rng: random.Random,
    questions: list[Question],
    member: _Member,
    at: dt.datetime,
    response: Response,
) -> list[Answer]:
    weeks = _weeks(at, member.since)
    trend = 0.0 if weeks is None else 0.3 * (1 - math.exp(-weeks / 8))
    csat = int(_clamp(round(4.3 + member.mood + rng.gauss(0, 0.8)), 1, 5))
    answers = []
    for q in questions:
        answer = Answer(response=response, question=q)
        if q.kind == Kind.CSAT and q.ai_tool_id is not None:
            if (score := _customer_tool_csat(rng, q.ai_tool, member, at, csat)) is None:
                continue
            answer.number = _number(score)
        elif q.kind == Kind.CSAT:
            answer.number = _number(csat)
        elif q.kind == Kind.ENPS:
            answer.number = _number(
                _clamp(round(2.2 * csat - 1.3 + rng.gauss(0, 1.1)), 0, 10)
            )
        elif q.kind == Kind.LIKERT:
            base = 3.4 + SEGMENT_TRUST.get(member.segment, 0.0) + member.mood + trend
            answer.number = _number(_clamp(round(base + rng.gauss(0, 0.8)), 1, 5))
        elif q.kind == Kind.FREE_TEXT and rng.random() < 0.25:
            liked = 0.85 if csat >= 4 else 0.15
            _comment(rng, answer, CUSTOMER_PRAISE, CUSTOMER_COMPLAINTS, liked)
        else:
            continue
        answers.append(answer)
    return answers


def _customer_tool_csat(
    rng: random.Random, tool: AITool, member: _Member, at: dt.datetime, csat: int
) -> int | None:
    """A customer's 1-5 for service given with a tool's help, near their overall
    satisfaction: lower while the tool is new, closer as it matures. None when the
    tool did not help them (or they skip the optional question)."""
    weeks = _weeks(at, tool.live_since)
    if tool.pk not in member.tools or weeks is None or rng.random() < 0.08:
        return None
    gap = CUSTOMER_TOOL_GAP.get(tool.name, 0.5) * math.exp(-weeks / 6)
    raw = csat + member.tools[tool.pk] - gap + rng.gauss(0, 0.6)
    return int(_clamp(round(raw), 1, 5))


def _comment(
    rng: random.Random,
    answer: Answer,
    praise: tuple[str, ...],
    worries: tuple[str, ...],
    liked: float,
) -> None:
    answer.text = rng.choice(praise if rng.random() < liked else worries)
    answer.sentiment = _sentiment(answer.text)


# The demo reuses a few dozen comments: score each once.
_sentiment = cache(comment_sentiment)
