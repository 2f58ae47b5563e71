"""Building blocks for survey tests: a weekly pulse and its people."""

from __future__ import annotations

import datetime as dt

from surveys.models import Question, Round
from surveys.services.release import sealed_responses_release
from tests.org.factories import PersonFactory, TeamFactory
from tests.surveys.factories import QuestionFactory, SurveyFactory

UTC = dt.UTC
# Monday 2 March 2026, 09:00 UTC: the pulse's first round opens.
MONDAY_9 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def at(day: int, hour: int = 9, minute: int = 0, month: int = 3) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=UTC)


def weekly_pulse(people: int = 6, **fields) -> tuple:
    """A weekly Monday 09:00 survey open 5 days, with `people` in one team."""
    team = TeamFactory()
    staff = [PersonFactory(team=team) for _ in range(people)]
    survey = SurveyFactory(
        cadence="weekly",
        weekday=0,
        start_time=dt.time(9, 0),
        first_date=dt.date(2026, 3, 2),
        open_days=5,
        **fields,
    )
    QuestionFactory(survey=survey, position=1)
    QuestionFactory(
        survey=survey,
        position=2,
        kind=Question.Kind.FREE_TEXT,
        driver="",
        required=False,
        text="Anything else?",
    )
    return survey, staff


def release_sealed() -> int:
    """Write out every sealed anonymous response now, as each round's close does."""
    return sum(
        sealed_responses_release(round_=round_, final=True)
        for round_ in Round.objects.select_related("survey")
    )
