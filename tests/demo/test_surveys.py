"""The demo's survey history: both library surveys, their closed rounds, and
anonymous answers that look like a real rollout. Deterministic and safe to run twice."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models import Avg, Count, Q
from django.utils import timezone

from dashboards.filters import Filters
from dashboards.metrics import customers as customer_metrics
from demo.org import demo_start, seed_org
from demo.surveys import seed_surveys
from org.models import Accuracy, AITool, Customer, Person
from surveys.models import (
    Answer,
    Invitation,
    Question,
    Response,
    Round,
    Survey,
)
from surveys.sentiment import comment_sentiment

pytestmark = pytest.mark.django_db

Kind = Question.Kind
# A Wednesday: four weekly rounds have closed and a fifth is open; the first monthly
# customer round (Wednesday 4 March, ten days) has closed too.
NOW = dt.datetime(2026, 3, 25, 12, 0, tzinfo=dt.UTC)
PULSE, TRUST = "AI rollout pulse", "Customer trust"


def rng(seed):
    return random.Random(seed)  # noqa: S311 (demo data, not cryptography)


@pytest.fixture
def org():
    return seed_org(rng=rng(1), employees=30, start=demo_start(4, NOW))


def seed(org, *, seed=2, weeks=4):
    return seed_surveys(rng=rng(seed), org=org, start=demo_start(weeks, NOW), now=NOW)


def local_dates(survey_title):
    rounds = Round.objects.filter(survey__title=survey_title).order_by("starts_at")
    return [timezone.localtime(r.starts_at).date() for r in rounds]


def snapshot():
    return {
        "surveys": list(
            Survey.objects.order_by("title").values_list(
                "title",
                "audience",
                "cadence",
                "weekday",
                "open_days",
                "first_date",
                "status",
                "created_by__user__email",
            )
        ),
        "questions": list(
            Question.objects.order_by("survey__title", "position").values_list(
                "survey__title", "position", "kind", "driver", "ai_tool__name"
            )
        ),
        "rounds": list(
            Round.objects.order_by("survey__title", "starts_at").values_list(
                "survey__title", "starts_at", "closes_at", "fanout_done_at", "closed_at"
            )
        ),
        "invitations": list(
            Invitation.objects.order_by(
                "round__survey__title",
                "round__starts_at",
                "person__user__email",
                "customer__email",
            ).values_list(
                "round__starts_at",
                "person__user__email",
                "customer__email",
                "created_at",
                "sent_at",
                "reminders_sent",
                "last_reminded_at",
                "answered",
            )
        ),
        "responses": list(
            Response.objects.order_by("id").values_list(
                "id",
                "round__survey__title",
                "round__starts_at",
                "invitation",
                "team__name",
                "department__name",
                "segment",
            )
        ),
        "answers": list(
            Answer.objects.order_by("response_id", "question__position").values_list(
                "response_id",
                "question__position",
                "number",
                "choice",
                "text",
                "sentiment",
            )
        ),
    }


def test_it_creates_both_library_surveys_live(org):
    seed(org)

    pulse, trust = Survey.objects.get(title=PULSE), Survey.objects.get(title=TRUST)
    assert (pulse.cadence, pulse.weekday, pulse.open_days) == ("weekly", 0, 5)
    assert pulse.audience == Survey.Audience.EMPLOYEES
    assert pulse.first_date == dt.date(2026, 2, 23)
    assert pulse.created_by == org.hr
    assert (trust.cadence, trust.audience) == ("monthly", Survey.Audience.CUSTOMERS)
    assert pulse.status == trust.status == Survey.Status.SCHEDULED
    assert not pulse.departments.exists() and not pulse.teams.exists()
    # An hours-saved and an accuracy question for each of the three live tools.
    assert set(
        pulse.questions.exclude(ai_tool=None).values_list("ai_tool__name", flat=True)
    ) == {"Support Copilot", "Code Assistant", "Meeting Summariser"}
    assert pulse.questions.filter(kind=Kind.AI_ACCURACY).count() == 3


def test_it_creates_only_the_rounds_that_have_closed(org):
    result = seed(org)

    assert local_dates(PULSE) == [
        dt.date(2026, 2, 23),
        dt.date(2026, 3, 2),
        dt.date(2026, 3, 9),
        dt.date(2026, 3, 16),
    ]  # the round of 23 March is open now: the scheduler opens it, not the seed
    assert local_dates(TRUST) == [dt.date(2026, 3, 4)]
    assert result.rounds_created == result.past_rounds == 5
    for round_ in Round.objects.select_related("survey"):
        assert round_.closes_at <= NOW
        assert round_.closed_at == round_.closes_at
        assert round_.fanout_done_at == round_.starts_at
        # open_days later at the same wall-clock time, as the scheduler does
        starts, closes = map(timezone.localtime, (round_.starts_at, round_.closes_at))
        assert closes.date() - starts.date() == dt.timedelta(round_.survey.open_days)
        assert closes.time() == starts.time()


def test_every_active_recipient_gets_one_invitation_per_round(org):
    seed(org)

    people, customers = Person.objects.count(), Customer.objects.count()
    per_round = Invitation.objects.values("round__survey__title", "round").annotate(
        people=Count("person"), customers=Count("customer")
    )
    assert {
        (r["people"], r["customers"])
        for r in per_round
        if r["round__survey__title"] == PULSE
    } == {(people, 0)}
    assert {
        (r["people"], r["customers"])
        for r in per_round
        if r["round__survey__title"] == TRUST
    } == {(0, customers)}
    invitations = Invitation.objects.select_related("round")
    assert all(i.sent_at == i.round.starts_at for i in invitations)
    assert {i.reminders_sent for i in invitations} <= {0, 1, 2}


def test_responses_are_anonymous_and_match_the_responded_invitations(org):
    result = seed(org)

    assert not Response.objects.exclude(invitation=None).exists()
    for round_ in Round.objects.all():
        answered = round_.invitations.filter(answered=True).count()
        assert round_.responses.count() == answered
    assert result.responses_created == result.responses == Response.objects.count()
    pulse = Invitation.objects.filter(round__survey__title=PULSE)
    rate = pulse.filter(answered=True).count() / pulse.count()
    assert 0.6 <= rate <= 0.85
    assert not Response.objects.filter(round__survey__title=PULSE, team=None).exists()
    assert set(
        Response.objects.filter(round__survey__title=TRUST).values_list(
            "segment", flat=True
        )
    ) <= set(Customer.objects.values_list("segment", flat=True))


def test_every_answer_is_within_its_question_kinds_range(org):
    seed(org)

    ranges = {Kind.LIKERT: (1, 5), Kind.CSAT: (1, 5), Kind.ENPS: (0, 10)}
    answers = Answer.objects.select_related("question")
    kinds = Counter(a.question.kind for a in answers)
    for answer in answers:
        kind = answer.question.kind
        if kind in ranges:
            low, high = ranges[kind]
            assert low <= answer.number <= high
            assert answer.number == answer.number.to_integral_value()
        elif kind == Kind.HOURS_SAVED:
            assert Decimal(0) <= answer.number <= Decimal(10)
        elif kind == Kind.AI_ACCURACY:
            assert answer.choice in Accuracy.values and answer.number is None
        else:
            assert kind == Kind.FREE_TEXT and answer.text
    assert set(kinds) == {*ranges, Kind.HOURS_SAVED, Kind.AI_ACCURACY, Kind.FREE_TEXT}
    # Every response answers every required question.
    required = Q(answers__question__required=True)
    per_response = Response.objects.annotate(n=Count("answers", filter=required))
    expected = dict(
        Survey.objects.annotate(
            n=Count("questions", filter=Q(questions__required=True))
        ).values_list("pk", "n")
    )
    assert all(
        r.n == expected[r.round.survey_id] for r in per_response.select_related("round")
    )


def test_comments_carry_their_sentiment_in_both_moods(org):
    seed(org)

    comments = Answer.objects.filter(question__kind=Kind.FREE_TEXT)
    pulse = Response.objects.filter(round__survey__title=PULSE).count()
    share = comments.filter(response__round__survey__title=PULSE).count() / pulse
    assert 0.2 <= share <= 0.4
    assert all(c.sentiment == comment_sentiment(c.text) for c in comments)
    assert comments.filter(sentiment__gt=0.05).exists()
    assert comments.filter(sentiment__lt=-0.05).exists()
    assert comments.values("text").distinct().count() >= 10


def test_a_second_run_changes_nothing(org):
    seed(org)
    before = snapshot()

    again = seed(org, seed=99)

    assert (again.rounds_created, again.responses_created) == (0, 0)
    assert again.past_rounds == 5
    assert snapshot() == before


def test_the_same_seed_gives_the_same_rows_and_another_seed_others(org):
    seed(org, seed=5)
    first = snapshot()
    Answer.objects.all().delete()
    Survey.objects.all().delete()

    seed(org, seed=5)
    again = snapshot()
    Answer.objects.all().delete()
    Survey.objects.all().delete()
    seed(org, seed=6)

    assert again == first
    assert snapshot()["answers"] != first["answers"]


def test_the_answers_tell_the_story_of_the_rollout():
    # Twelve weeks of history; the tools went live at its start.
    org = seed_org(rng=rng(1), employees=30, start=demo_start(12, NOW))

    seed(org, weeks=12)

    likert = Answer.objects.filter(
        question__kind=Kind.LIKERT, question__survey__title=PULSE
    )
    trust = [
        float(row["mean"])
        for row in likert.filter(question__driver="trust")
        .values("response__round__starts_at")
        .annotate(mean=Avg("number"))
        .order_by("response__round__starts_at")
    ]
    drivers = dict(likert.values_list("question__driver").annotate(mean=Avg("number")))
    frontline = likert.filter(response__team__name="Frontline Support")
    assert len(trust) == 12
    assert sum(trust[:3]) / 3 < sum(trust[-3:]) / 3 - 0.3  # dipped, then recovered
    assert drivers.pop("job_security") < min(drivers.values())
    assert (
        frontline.aggregate(m=Avg("number"))["m"]
        < likert.aggregate(m=Avg("number"))["m"]
    )
    hours = Answer.objects.filter(question__kind=Kind.HOURS_SAVED)
    early = hours.filter(response__round__starts_at__lt=demo_start(9, NOW))
    late = hours.filter(response__round__starts_at__gte=demo_start(3, NOW))
    assert early.aggregate(m=Avg("number"))["m"] < late.aggregate(m=Avg("number"))["m"]
    accuracy = Counter(
        Answer.objects.filter(question__kind=Kind.AI_ACCURACY).values_list(
            "choice", flat=True
        )
    )
    assert accuracy.most_common(1)[0][0] == Accuracy.MOSTLY_CORRECT
    csat = Answer.objects.filter(question__kind=Kind.CSAT)
    assert csat.filter(number__gte=4).count() / csat.count() >= 0.6


def test_the_demo_customers_rate_the_support_copilot(org):
    seed(org)

    copilot = AITool.objects.get(name="Support Copilot")
    assert list(AITool.objects.filter(serves_customers=True)) == [copilot]
    rated = Answer.objects.filter(question__kind=Kind.CSAT, question__ai_tool=copilot)
    assert set(rated.values_list("question__survey__title", flat=True)) == {
        "Customer trust"
    }
    assert set(rated.values_list("number", flat=True)) <= {1, 2, 3, 4, 5}
    # Most customers who answered were helped by it; a few skipped the question.
    overall = Answer.objects.filter(question__kind=Kind.CSAT, question__ai_tool=None)
    assert 0.6 * overall.count() <= rated.count() < overall.count()
    [week] = customer_metrics.tool_csat(Filters(tool=copilot.pk))
    assert not week["suppressed"] and 0 <= week["csat"] <= 100


def test_seed_demo_seeds_the_surveys_and_is_safe_to_run_twice(capsys):
    call_command("seed_demo", employees=20, weeks=3)
    before = snapshot()

    call_command("seed_demo", employees=20, weeks=3)

    assert snapshot() == before
    assert Round.objects.filter(survey__title=PULSE).count() >= 3
    assert Response.objects.exists()
    out = capsys.readouterr().out
    assert f"Surveys: 2 live, {Round.objects.count()} past rounds, " in out
