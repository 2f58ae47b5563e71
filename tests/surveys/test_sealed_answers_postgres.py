"""A reader of every PostgreSQL table, system columns included, tries to tie
anonymous answers to the people who gave them (docs/design.md, invariant 2).

Runs when DATABASE_URL is PostgreSQL; with CI=true it must (it fails instead of
skipping). Each answer is its own committed transaction, as in production, so
xmin means what it means there.
"""

from __future__ import annotations

import json
import re

import pytest
from django.db import connection

from surveys.models import Round, SealedResponse
from surveys.scheduler import survey_tick
from surveys.services.release import sealed_responses_release
from tests.conftest import at_once, service_missing
from tests.org.factories import PersonFactory, TeamFactory
from tests.surveys.helpers import MONDAY_9, at, weekly_pulse

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

LINK = re.compile(r"http://testserver(/s/[\w-]+/)")
PEOPLE = 12
FLOOR = 5


@pytest.fixture(autouse=True)
def _postgresql():
    if connection.vendor != "postgresql":
        service_missing("PostgreSQL through DATABASE_URL")


@pytest.fixture
def answered(client, settings, mailoutbox, time_machine):
    """12 people of one team answer a pulse (floor 5) through their links, one
    after another; comment n is the n-th answer. Returns the texts in answering
    order and, for each answer, the invitation's xmin right after it."""
    settings.CANDOR_BASE_URL = "http://testserver"
    team = TeamFactory()
    people = [PersonFactory(team=team) for _ in range(PEOPLE)]
    survey, _ = weekly_pulse(people=0, min_group_size=FLOOR)
    survey_tick(now=MONDAY_9)
    time_machine.move_to(at(3, 10), tick=False)
    links = {m.to[0]: LINK.search(m.body).group(1) for m in mailoutbox}
    fields = {q.kind: f"q{q.pk}" for q in survey.questions.all()}
    texts = [f"Comment {n:02d}: the copilot helps." for n in range(PEOPLE)]
    for person, text in zip(people, texts, strict=True):
        page = client.post(
            links[person.email], {fields["likert"]: "4", fields["free_text"]: text}
        )
        assert page.status_code == 302
    return texts


def rows(sql: str, params: list | None = None) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
        return cursor.fetchall()


def xmins(table: str) -> set[str]:
    return {x for (x,) in rows(f"SELECT xmin::text FROM {table}")}  # noqa: S608


def test_while_answers_wait_the_reader_sees_whose_sealed_row_is_whose_and_no_more(
    answered,
):
    sealed = rows(
        "SELECT xmin::text, octet_length(sealed_group), octet_length(sealed_answers),"
        " sealed_answers FROM surveys_sealedresponse"
    )
    claimed = xmins("surveys_invitation WHERE answered")

    # This is what the buffer is for: a sealed row shares its claim's transaction.
    assert {x for x, *_ in sealed} == claimed and len(claimed) == PEOPLE
    # ... so it tells nothing else: one size for all, and no text in clear.
    assert len({(group, size) for _, group, size, _ in sealed}) == 1
    assert not any(b"Comment" in bytes(blob) for *_, blob in sealed)
    assert rows("SELECT count(*) FROM surveys_response") == [(0,)]


def test_after_release_no_transaction_id_order_or_time_ties_an_answer_to_a_person(
    answered,
):
    invitations = xmins("surveys_invitation")
    survey_tick(now=at(3, 10))  # 12 waiting, floor 5: 7 go out, 5 stay sealed
    first = xmins("surveys_response")
    survey_tick(now=at(7, 9, 1))  # the close: the last 5
    responses, answers = xmins("surveys_response"), xmins("surveys_answer")

    # No shared transaction: each batch is one transaction that wrote only
    # responses and answers, never an invitation.
    assert not responses & invitations and not answers & invitations
    assert not responses & xmins("surveys_invitation")
    assert len(first) == 1 and len(responses) == 2 and answers == responses
    per_batch = rows(
        "SELECT count(*) FROM surveys_response GROUP BY xmin::text ORDER BY 1"
    )
    assert per_batch == [(FLOOR,), (PEOPLE - FLOOR,)]
    assert rows("SELECT count(*) FROM surveys_sealedresponse") == [(0,)]

    # No order: neither the physical order nor the ids follow the answering order
    # (chance 2 / 12! for each, as the release shuffles with the system's random
    # source: not a flaky test).
    comments = (
        "SELECT a.text FROM surveys_answer a"
        " JOIN surveys_response r ON r.id = a.response_id WHERE a.text <> ''"
    )
    for order_by in ("a.id", "a.ctid", "r.ctid"):
        seen = [text for (text,) in rows(f"{comments} ORDER BY {order_by}")]
        assert sorted(seen) == answered
        assert seen not in (answered, answered[::-1]), order_by

    # No time: no date or time column on a response, an answer or a sealed row.
    timed = rows(
        "SELECT table_name, column_name FROM information_schema.columns"
        " WHERE table_name IN"
        " ('surveys_response', 'surveys_answer', 'surveys_sealedresponse')"
        " AND (data_type LIKE 'date%%' OR data_type LIKE 'time%%')"
    )
    assert timed == []


def test_answering_changes_nothing_on_the_invitation_but_that_it_was_answered(
    client, settings, mailoutbox, time_machine
):
    settings.CANDOR_BASE_URL = "http://testserver"
    PersonFactory(team=TeamFactory())
    survey, _ = weekly_pulse(people=0)
    survey_tick(now=MONDAY_9)
    time_machine.move_to(at(3, 10), tick=False)
    link = LINK.search(mailoutbox[0].body).group(1)
    query = "SELECT to_jsonb(i)::text FROM surveys_invitation i"
    before = json.loads(rows(query)[0][0])

    likert = survey.questions.get(kind="likert")
    assert client.post(link, {f"q{likert.pk}": "3"}).status_code == 302

    after = json.loads(rows(query)[0][0])
    changed = {key for key in before if before[key] != after[key]}
    assert changed == {"answered"} and after["answered"] is True


def test_two_releases_at_once_write_each_response_once(answered):
    round_ = Round.objects.select_related("survey").get()

    results = at_once(lambda: sealed_responses_release(round_=round_, final=True))

    assert sorted(results) == [0, PEOPLE]
    assert rows("SELECT count(*) FROM surveys_response") == [(PEOPLE,)]
    assert rows("SELECT count(*) FROM surveys_answer") == [(2 * PEOPLE,)]
    assert not SealedResponse.objects.exists()
