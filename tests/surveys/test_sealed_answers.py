"""Anonymous answers wait sealed, then go out in shuffled batches (invariant 2).

The claim is immediate (one response per invitation, "already answered" at once,
participation right away); the answers are written as Responses only when the
scheduler releases a batch of their group, or at the round's close. The PostgreSQL
reader's view (xmin, ctid) is in test_sealed_answers_postgres.py.
"""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError

from surveys.models import (
    Answer,
    Invitation,
    Question,
    Response,
    Round,
    SealedResponse,
    Survey,
)
from surveys.scheduler import survey_tick
from surveys.sealing import Unreadable, unseal
from surveys.selectors import participation_for_rounds
from surveys.services import release
from surveys.services.builder import question_delete
from surveys.services.release import sealed_responses_release
from tests.org.factories import PersonFactory, TeamFactory
from tests.surveys.helpers import MONDAY_9, at, weekly_pulse

pytestmark = pytest.mark.django_db

LINK = re.compile(r"http://testserver(/s/[\w-]+/)")
TUESDAY = at(3, 10)
CLOSED = at(7, 9, 1)  # the first round closed at Saturday 09:00


def pulse_for(people, mailoutbox, time_machine, **fields):
    """The first round of a weekly pulse sent to `people`; it is Tuesday. Returns
    the survey and each person's link."""
    survey, _ = weekly_pulse(people=0, **fields)
    survey_tick(now=MONDAY_9)
    time_machine.move_to(TUESDAY, tick=False)
    links = {m.to[0]: LINK.search(m.body).group(1) for m in mailoutbox}
    return survey, [links[person.email] for person in people]


@pytest.fixture
def team(settings):
    settings.CANDOR_BASE_URL = "http://testserver"
    return TeamFactory()


def answer(client, survey: Survey, link: str, text: str = "", likert: int = 4):
    questions = {q.kind: f"q{q.pk}" for q in survey.questions.all()}
    data = {questions["likert"]: str(likert), questions["free_text"]: text}
    page = client.post(link, data)
    assert page.status_code == 302, page.content.decode()


def test_an_answer_waits_sealed_and_its_invitation_says_only_that_it_was_answered(
    client, team, mailoutbox, time_machine
):
    people = [PersonFactory(team=team) for _ in range(6)]
    survey, links = pulse_for(people, mailoutbox, time_machine)

    answer(client, survey, links[0], "The copilot saves me time.")

    assert SealedResponse.objects.count() == 1
    assert not Response.objects.exists() and not Answer.objects.exists()
    mine = Invitation.objects.get(person=people[0])
    assert mine.answered
    again = client.get(links[0])
    assert again.status_code == 410 and "already answered" in again.content.decode()
    [seen] = participation_for_rounds(Round.objects.all())
    assert (seen.sent, seen.answered) == (6, 1)  # right away, before any release


def test_a_sealed_row_holds_its_round_and_fixed_size_ciphertexts_only(
    client, team, mailoutbox, time_machine
):
    people = [PersonFactory(team=team) for _ in range(6)]
    survey, links = pulse_for(people, mailoutbox, time_machine)
    secret = "Nobody reads the refund drafts before they go out."

    answer(client, survey, links[0], secret * 40)
    answer(client, survey, links[1], "")

    fields = {f.name for f in SealedResponse._meta.get_fields()}
    assert fields == {"id", "round", "sealed_group", "sealed_answers"}
    long, short = SealedResponse.objects.all()
    for row in (long, short):
        for clear in (b"Nobody reads", secret.encode(), b"likert"):
            assert clear not in bytes(row.sealed_answers)
    # The length of a comment does not show in the size of its sealed row.
    assert len(long.sealed_answers) == len(short.sealed_answers)
    assert len(long.sealed_group) == len(short.sealed_group)
    context = f"sealed response {long.pk} round {long.round_id} answers".encode()
    assert secret * 40 in str(unseal(long.sealed_answers, context=context))
    elsewhere = f"sealed response {short.pk} round {long.round_id} answers".encode()
    with pytest.raises(Unreadable):
        unseal(long.sealed_answers, context=elsewhere)


def test_a_group_goes_out_once_twice_the_floor_wait_keeping_the_floor_back(
    client, team, mailoutbox, time_machine
):
    people = [PersonFactory(team=team) for _ in range(8)]
    survey, links = pulse_for(people, mailoutbox, time_machine, min_group_size=3)
    for link in links[:5]:
        answer(client, survey, link, "Fine.")

    below = survey_tick(now=TUESDAY)
    answer(client, survey, links[5], "Fine.")
    batch = survey_tick(now=TUESDAY)
    held = SealedResponse.objects.count()
    again = survey_tick(now=TUESDAY)

    assert below.released == 0
    assert batch.released == 3 and "3 released" in str(batch)
    assert held == 3 and again.released == 0
    assert Response.objects.count() == 3
    assert set(Response.objects.values_list("team", flat=True)) == {team.pk}
    assert not Response.objects.exclude(invitation=None).exists()
    # Sentiment is computed at release.
    assert not Answer.objects.filter(question__kind="free_text", sentiment=None)
    closing = survey_tick(now=CLOSED)
    assert closing.closed == 1 and closing.released == 3
    assert Response.objects.count() == 6 and not SealedResponse.objects.exists()


def test_each_group_is_released_on_its_own_and_the_close_releases_the_rest(
    client, settings, mailoutbox, time_machine
):
    settings.CANDOR_BASE_URL = "http://testserver"
    big, small = TeamFactory(), TeamFactory()
    people = [PersonFactory(team=big) for _ in range(6)]
    people += [PersonFactory(team=small) for _ in range(2)]
    survey, links = pulse_for(people, mailoutbox, time_machine, min_group_size=3)
    for link in links:
        answer(client, survey, link)

    open_ = survey_tick(now=TUESDAY)
    teams_out = set(Response.objects.values_list("team", flat=True))
    closing = survey_tick(now=CLOSED)

    # Two of a team beside six of another would be told apart by their team.
    assert open_.released == 3 and teams_out == {big.pk}
    assert closing.released == 5
    # The two of the small team are all of it this round: written with their
    # team, whoever sees which invitations were answered would know whose they
    # are. Their department has no one else, so they go to the pool with no team
    # or department, grown to the floor with the big team's last three.
    counts = {team: Response.objects.filter(team=team).count() for team in (big, small)}
    assert counts == {big: 3, small: 0}
    assert (
        list(Response.objects.filter(team=None).values_list("department", "segment"))
        == [(None, "")] * 5
    )
    assert Answer.objects.count() == 8 and not SealedResponse.objects.exists()


def test_small_teams_keep_their_department_when_together_they_reach_the_floor(
    client, settings, mailoutbox, time_machine
):
    settings.CANDOR_BASE_URL = "http://testserver"
    big, first = TeamFactory(), TeamFactory()
    second = TeamFactory(department=first.department)
    people = [PersonFactory(team=big) for _ in range(3)]
    people += [PersonFactory(team=team) for team in (first, second) for _ in range(2)]
    survey, links = pulse_for(people, mailoutbox, time_machine, min_group_size=3)
    for link in links:
        answer(client, survey, link)

    survey_tick(now=CLOSED)

    written = Response.objects.values_list("team", "department")
    department = first.department_id
    assert sorted(written, key=str) == sorted(
        [(big.pk, big.department_id)] * 3 + [(None, department)] * 4, key=str
    )


def test_a_release_run_twice_writes_each_response_once(
    client, team, mailoutbox, time_machine
):
    people = [PersonFactory(team=team) for _ in range(4)]
    survey, links = pulse_for(people, mailoutbox, time_machine)
    for link in links:
        answer(client, survey, link, "Good.")
    round_ = Round.objects.get()

    first = sealed_responses_release(round_=round_, final=True)
    second = sealed_responses_release(round_=round_, final=True)

    assert (first, second) == (4, 0)
    assert Response.objects.count() == 4 and Answer.objects.count() == 8


def test_a_release_killed_halfway_loses_nothing_and_the_next_one_finishes(
    client, team, mailoutbox, time_machine, monkeypatch
):
    people = [PersonFactory(team=team) for _ in range(4)]
    survey, links = pulse_for(people, mailoutbox, time_machine)
    for link in links:
        answer(client, survey, link, "Good.")
    round_ = Round.objects.get()
    real = Answer.objects.bulk_create

    def crash(*args, **kwargs):
        raise RuntimeError("worker killed")

    monkeypatch.setattr(Answer.objects, "bulk_create", crash)
    with pytest.raises(RuntimeError):
        sealed_responses_release(round_=round_, final=True)
    assert SealedResponse.objects.count() == 4 and not Response.objects.exists()

    monkeypatch.setattr(Answer.objects, "bulk_create", real)
    assert sealed_responses_release(round_=round_, final=True) == 4
    assert Response.objects.count() == 4 and not SealedResponse.objects.exists()


def test_after_a_secret_key_rotation_the_old_key_as_fallback_still_opens_them(
    client, team, mailoutbox, time_machine, settings
):
    people = [PersonFactory(team=team) for _ in range(3)]
    survey, links = pulse_for(people, mailoutbox, time_machine)
    for link in links:
        answer(client, survey, link, "Sealed under the old key.")
    old = settings.SECRET_KEY
    round_ = Round.objects.get()

    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = "a-new-key", []
    lost_key = sealed_responses_release(round_=round_, final=True)
    kept = SealedResponse.objects.count()
    settings.SECRET_KEY_FALLBACKS = [old]
    rotated = sealed_responses_release(round_=round_, final=True)

    assert (lost_key, kept) == (0, 3)  # unreadable rows are kept, never dropped
    assert rotated == 3
    assert Answer.objects.filter(text="Sealed under the old key.").count() == 3


def test_a_batch_is_written_in_an_order_unrelated_to_the_answering_order(
    client, team, mailoutbox, time_machine
):
    """12 people answer in a known order. The release shuffles with the system's
    random source; the chance that the 12 come out in answering order, or its
    reverse, is 2 / 12! (5 in 10**9), so this does not flake."""
    people = [PersonFactory(team=team) for _ in range(12)]
    survey, links = pulse_for(people, mailoutbox, time_machine)
    order = [f"Comment {n:02d}" for n in range(12)]
    for link, text in zip(links, order, strict=True):
        answer(client, survey, link, text)

    survey_tick(now=CLOSED)

    comments = Answer.objects.filter(question__kind="free_text")
    by_id = list(comments.order_by("pk").values_list("text", flat=True))
    assert sorted(by_id) == order
    assert by_id not in (order, order[::-1])


def test_a_question_cannot_be_deleted_or_change_kind_while_answers_are_sealed(
    client, team, mailoutbox, time_machine
):
    people = [PersonFactory(team=team) for _ in range(2)]
    survey, links = pulse_for(people, mailoutbox, time_machine)
    answer(client, survey, links[0], "Still sealed.")
    likert = survey.questions.get(kind=Question.Kind.LIKERT)

    with pytest.raises(ValidationError, match="has been asked in a round"):
        question_delete(question=likert)
    likert.kind = Question.Kind.HOURS_SAVED
    with pytest.raises(ValidationError, match="has been asked in a round"):
        likert.full_clean()


def test_an_answer_to_a_question_deleted_meanwhile_is_left_out_not_the_response(
    client, team, mailoutbox, time_machine
):
    people = [PersonFactory(team=team) for _ in range(2)]
    survey, links = pulse_for(people, mailoutbox, time_machine)
    answer(client, survey, links[0], "About a question HR removed.")
    survey.questions.filter(kind=Question.Kind.FREE_TEXT).delete()  # e.g. the admin

    assert sealed_responses_release(round_=Round.objects.get(), final=True) == 1
    assert list(Answer.objects.values_list("question__kind", flat=True)) == ["likert"]


def test_confidential_and_named_answers_are_written_at_once_with_their_invitation(
    client, team, mailoutbox, time_machine
):
    people = [PersonFactory(team=team) for _ in range(2)]
    survey, links = pulse_for(
        people, mailoutbox, time_machine, privacy=Survey.Privacy.CONFIDENTIAL
    )

    answer(client, survey, links[0], "Keep it between us.")

    assert not SealedResponse.objects.exists()
    response = Response.objects.get()
    assert response.invitation == Invitation.objects.get(person=people[0])
    assert response.answers.get(question__kind="free_text").sentiment is not None


def test_a_big_group_goes_out_in_bounded_batches_of_at_least_the_floor(
    client, team, mailoutbox, time_machine, monkeypatch
):
    monkeypatch.setattr(release, "BATCH", 4)
    people = [PersonFactory(team=team) for _ in range(10)]
    survey, links = pulse_for(people, mailoutbox, time_machine, min_group_size=3)
    for link in links:
        answer(client, survey, link)
    round_ = Round.objects.get()
    sizes = []
    real = release._write

    def spy(round_, opened, **kwargs):
        sizes.append(len(opened))
        real(round_, opened, **kwargs)

    monkeypatch.setattr(release, "_write", spy)

    assert sealed_responses_release(round_=round_, final=True) == 10
    # 4, then 6: a slice of 4 more would have left 2, fewer than the floor.
    assert sizes == [4, 6]
