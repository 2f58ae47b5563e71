"""Anonymous responses: sealed when given, written out in shuffled batches.

Whoever can read the database sees which invitation a sealed row came with (they
share a transaction, and the row appears the moment the invitation is answered),
so a sealed row holds only its round and ciphertexts (`surveys.sealing`). The
release turns sealed rows into Responses and Answers, in random order, in one
transaction that touches nothing else: a batch's rows share a transaction id, an
id range and a stretch of the table, and nothing in them tells which of the
batch's people gave which.

A batch is only as good as the people it hides among, counted the way a reader
would count them: by group, since team, department and segment are written out
in clear. So a group's sealed responses go out once at least twice the survey's
floor wait, all but a random `floor` of them; at the round's close, the rest. Every
batch of a group then holds at least the floor (when the group gave that many in
the round at all): the last batch is never the one or two who answered late.
"""

from __future__ import annotations

import logging
import random
import uuid
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Count

from org.models import Department, Team
from surveys.models import Answer, Question, Response, Round, SealedResponse
from surveys.sealing import GROUP_SIZE, Unreadable, answers_size, seal, unseal
from surveys.sentiment import comment_sentiment

log = logging.getLogger(__name__)

BATCH = 1000  # sealed responses per transaction: bounded memory and lock time
LOCK_SPACE = 0x5EA1  # the advisory locks of releases: (LOCK_SPACE, round id)
_shuffle = random.SystemRandom().shuffle  # an order nobody can replay

Group = tuple[int | None, int | None, str]  # team, department, segment


def sealed_response_build(
    *,
    round_: Round,
    team_id: int | None,
    department_id: int | None,
    segment: str,
    answers: Iterable[tuple[Question, str]],
    kinds: Iterable[str] | None = None,
) -> SealedResponse:
    """One anonymous response, sealed, to be saved in the transaction that claims
    its invitation (`surveys.services.answering`). `answers` are (question,
    cleaned value as text) pairs; `kinds` those of every question of the survey
    (read here when not given), which fix the sealed size."""
    row = SealedResponse(id=uuid.uuid4(), round=round_)
    group = {"team": team_id, "department": department_id, "segment": segment}
    if kinds is None:
        kinds = (
            Question.objects.filter(survey_id=round_.survey_id)
            .order_by()  # the default order would join the survey, for nothing
            .values_list("kind", flat=True)
        )
    given = [[question.pk, question.kind, value] for question, value in answers]
    row.sealed_group = seal(group, size=GROUP_SIZE, context=_context(row, "group"))
    row.sealed_answers = seal(
        given, size=answers_size(kinds), context=_context(row, "answers")
    )
    return row


def answer_build(response: Response, question: Question, value: str) -> Answer:
    """An Answer from a cleaned value as text; free text gets its sentiment."""
    answer = Answer(response=response, question=question)
    if question.kind == Question.Kind.FREE_TEXT:
        answer.text = value
        answer.sentiment = comment_sentiment(value)
    elif question.kind in (Question.Kind.AI_ACCURACY, Question.Kind.SINGLE_CHOICE):
        answer.choice = value
    else:
        answer.number = Decimal(value)
    return answer


def sealed_responses_release_due() -> int:
    """Release what is due in every round with sealed responses waiting: batches of
    open rounds, everything of closed ones. Returns the responses written."""
    waiting = dict(
        SealedResponse.objects.values_list("round").annotate(n=Count("pk")).order_by()
    )
    released = 0
    for round_ in Round.objects.filter(pk__in=waiting).select_related("survey"):
        final = round_.closed_at is not None
        if final or waiting[round_.pk] >= 2 * round_.survey.min_group_size:
            released += sealed_responses_release(round_=round_, final=final)
    return released


def sealed_responses_release(*, round_: Round, final: bool) -> int:
    """Write out a round's due sealed responses (all of them if `final`), a batch
    per transaction. Safe to run twice and on two workers at once: each claims its
    rows with `select_for_update(skip_locked=True)` and deletes them in the
    transaction that writes them. Returns the responses written."""
    released = 0
    while written := _release_batch(round_, final=final):
        released += written
    return released


class _Taken(Exception):
    """Another release wrote some of these rows first (SQLite has no row locks)."""


def _release_batch(round_: Round, *, final: bool) -> int:
    try:
        with transaction.atomic():
            if not _round_locked(round_):
                return 0  # another release is at work on this round
            groups = _waiting_groups(round_)
            floor = round_.survey.min_group_size
            chosen = _choose(groups, floor=floor, final=final)
            opened = _open(round_, chosen)
            if not opened:
                return 0
            claimed = SealedResponse.objects.filter(pk__in=list(opened)).delete()[0]
            if claimed != len(opened):
                raise _Taken
            coarser = _coarser(groups, floor=floor) if final else {}
            _write(round_, list(opened.values()), coarser=coarser)
    except _Taken:
        return 0
    log.info("Released %d sealed responses of %s", len(opened), round_)
    return len(opened)


def _round_locked(round_: Round) -> bool:
    """One release of a round at a time, so that no group's batch is split between
    two (skip_locked alone would let each take part of it). On PostgreSQL an
    advisory lock held until commit, which writes no row; SQLite has one writer
    at a time anyway, and the delete's count catches a late second one."""
    if connection.vendor != "postgresql":
        return True
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_try_advisory_xact_lock(%s, %s)", [LOCK_SPACE, round_.pk]
        )
        return cursor.fetchone()[0]


def _waiting_groups(round_: Round) -> dict[Group, list[uuid.UUID]]:
    """The round's sealed responses no other release holds, locked, by group."""
    rows = (
        SealedResponse.objects.select_for_update(skip_locked=True)
        .filter(round=round_)
        .values_list("pk", "sealed_group")
    )
    groups: dict[Group, list[uuid.UUID]] = defaultdict(list)
    for pk, sealed in rows:
        try:
            group = unseal(sealed, context=_context_of(pk, round_.pk, "group"))
        except Unreadable:
            log.error("Sealed response %s of %s cannot be opened", pk, round_)
            continue
        groups[(group["team"], group["department"], group["segment"])].append(pk)
    return groups


def _choose(
    groups: dict[Group, list[uuid.UUID]], *, floor: int, final: bool
) -> list[uuid.UUID]:
    """Whole groups' due rows, up to about BATCH; a larger group goes in slices of
    at least the floor, never leaving fewer than the floor behind at the close."""
    chosen: list[uuid.UUID] = []
    for ids in groups.values():
        _shuffle(ids)
        due = ids if final else ids[floor:] if len(ids) >= 2 * floor else []
        room = max(BATCH - len(chosen), floor)
        if len(due) > room and not (final and len(due) - room < floor):
            due = due[:room]
        chosen += due
        if len(chosen) >= BATCH:
            break
    return chosen


def _coarser(groups: dict[Group, list[uuid.UUID]], *, floor: int) -> dict[Group, Group]:
    """At the close, what the groups smaller than the floor are written as.

    Such a group never had a batch of its own (that takes twice the floor), so
    these are all its answers in the round, and the invitations say who in its
    team answered: written with its team, they would be theirs. So the small
    groups of a department are written with the department only when together
    they reach the floor; the rest go to one pool with no team, department or
    segment, grown when it is below the floor with the next smallest groups'
    waiting answers. A reader then finds every small group's answers among at
    least the floor of others (when the round has that many in all)."""
    small = [group for group, ids in groups.items() if len(ids) < floor]
    if not small:
        return {}
    size = {group: len(ids) for group, ids in groups.items()}
    by_department: dict[int | None, list[Group]] = defaultdict(list)
    for group in small:
        by_department[group[1]].append(group)
    coarser: dict[Group, Group] = {}
    pool: list[Group] = []
    for department, members in by_department.items():
        if department is not None and sum(size[g] for g in members) >= floor:
            coarser.update(dict.fromkeys(members, (None, department, "")))
        else:
            pool += members
    if pool:
        # Departments' stripped sets first (smallest first), then whole groups.
        stripped = sorted(
            {g[1] for g in coarser},
            key=lambda d: sum(size[g] for g in by_department[d]),
        )
        others = [
            g for g in sorted(groups, key=lambda g: (size[g], str(g))) if g not in small
        ]
        for extra in [*([by_department[d] for d in stripped]), *[[g] for g in others]]:
            if sum(size[g] for g in pool) >= floor:
                break
            pool += extra
        coarser.update(dict.fromkeys(pool, (None, None, "")))
    return coarser


def _open(round_: Round, chosen: list[uuid.UUID]) -> dict[uuid.UUID, tuple]:
    """(group, answers) of each chosen row that opens; one query."""
    opened = {}
    rows = SealedResponse.objects.filter(pk__in=chosen).values_list(
        "pk", "sealed_group", "sealed_answers"
    )
    for pk, group, answers in rows:
        try:
            opened[pk] = (
                unseal(group, context=_context_of(pk, round_.pk, "group")),
                unseal(answers, context=_context_of(pk, round_.pk, "answers")),
            )
        except Unreadable:
            log.error("Sealed response %s of %s cannot be opened", pk, round_)
    return opened


def _write(
    round_: Round,
    opened: list[tuple[dict, list]],
    *,
    coarser: dict[Group, Group],
) -> None:
    """Responses and answers in a fresh random order, with fresh random ids (never
    the sealed row's: its id was written beside the invitation's claim); a small
    group written as `coarser` says."""
    _shuffle(opened)
    questions = {q.pk: q for q in Question.objects.filter(survey=round_.survey_id)}
    teams = _existing(Team, [group["team"] for group, _ in opened])
    departments = _existing(Department, [group["department"] for group, _ in opened])
    responses, answers, dropped = [], [], 0
    for group, given in opened:
        key = (group["team"], group["department"], group["segment"])
        team, department, segment = coarser.get(key, key)
        response = Response(
            id=uuid.uuid4(),
            round=round_,
            team_id=team if team in teams else None,
            department_id=department if department in departments else None,
            segment=segment,
        )
        responses.append(response)
        for question_id, kind, value in given:
            question = questions.get(question_id)
            if question is None or question.kind != kind:
                dropped += 1  # deleted or changed since; see Question.first_asked_at
                continue
            answers.append(answer_build(response, question, value))
    _shuffle(answers)
    Response.objects.bulk_create(responses)
    Answer.objects.bulk_create(answers, batch_size=BATCH)
    if dropped:
        log.warning("%d released answers of %s had no question left", dropped, round_)


def _existing(model: type[Team] | type[Department], ids: list) -> set[int]:
    wanted = {pk for pk in ids if pk is not None}
    return set(model.objects.filter(pk__in=wanted).values_list("pk", flat=True))


def _context(row: SealedResponse, part: str) -> bytes:
    return _context_of(row.pk, row.round_id, part)


def _context_of(pk: uuid.UUID, round_id: int, part: str) -> bytes:
    # Authenticated with the ciphertext: a sealed part opens only in its own row
    # and round, so rows cannot be swapped or moved between rounds unnoticed.
    return f"sealed response {pk} round {round_id} {part}".encode()
