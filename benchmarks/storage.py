"""Benchmark: bytes on disk per row of the tables that grow with every round.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test \\
        python benchmarks/storage.py [--people 20000]

Builds a throw-away database (created, then dropped), opens one round of the "AI
rollout pulse" template (9 questions, no AI tool) for N people, then writes what a
week of it leaves behind: an invitation and its email's token per person, a sealed
anonymous response per person (as `surveys.sealing` pads it), and a released
response with its answers per person. Prints, per table, the rows and the bytes
per row (table, TOAST and indexes, after VACUUM ANALYZE): the unit figures that
docs/scaling.md multiplies out.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import secrets
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.db import connection
from django.test.utils import setup_databases, teardown_databases
from django.utils import timezone

from benchmarks.fanout import _people, _round
from org.models import Team
from surveys.library import survey_from_template
from surveys.models import (
    Answer,
    Invitation,
    InvitationToken,
    Question,
    Response,
    SealedResponse,
)
from surveys.sealing import answers_size, seal
from surveys.services.rounds import round_fan_out

TABLES = [Invitation, InvitationToken, SealedResponse, Response, Answer]
BATCH = 5000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=20_000)
    args = parser.parse_args()
    old = setup_databases(verbosity=0, interactive=False)
    try:
        run(args.people)
    finally:
        teardown_databases(old, verbosity=0)


def run(people: int) -> None:
    if connection.vendor != "postgresql":
        raise SystemExit("PostgreSQL only: the figures are its on-disk sizes.")
    _people(people)
    now = timezone.now()
    survey = survey_from_template("ai-rollout-pulse", first_date=now.date(), tools=[])
    round_ = _round(survey, now)
    round_fan_out(round_, now=now)
    questions = list(Question.objects.filter(survey=survey))
    team = Team.objects.get()
    invitations = list(Invitation.objects.filter(round=round_).values_list("pk"))
    size = answers_size(q.kind for q in questions)
    for start in range(0, len(invitations), BATCH):
        chunk = [pk for (pk,) in invitations[start : start + BATCH]]
        _write_week(round_, team, questions, chunk, size)
    with connection.cursor() as cursor:
        for model in TABLES:
            cursor.execute(f'VACUUM ANALYZE "{model._meta.db_table}"')
    print(f"database: PostgreSQL; one round of {len(questions)} questions")
    print(f"{'table':<28}{'rows':>10}{'bytes/row':>12}")
    for model in TABLES:
        rows = model.objects.count()
        total = _size(model._meta.db_table)
        print(f"{model._meta.db_table:<28}{rows:>10,}{total / rows:>12.0f}")


def _write_week(round_, team, questions, invitation_ids, size) -> None:
    InvitationToken.objects.bulk_create(
        InvitationToken(
            invitation_id=pk,
            token_hash=hashlib.sha256(secrets.token_bytes(32)).hexdigest(),
        )
        for pk in invitation_ids
    )
    SealedResponse.objects.bulk_create(
        SealedResponse(
            round=round_,
            sealed_group=seal({"team": team.pk}, size=64, context=b"group"),
            sealed_answers=seal(
                {str(q.pk): _value(q) for q in questions}, size=size, context=b"a"
            ),
        )
        for _ in invitation_ids
    )
    responses = Response.objects.bulk_create(
        Response(round=round_, team=team, department_id=team.department_id)
        for _ in invitation_ids
    )
    Answer.objects.bulk_create(
        _answer(response, question) for response in responses for question in questions
    )


def _value(question: Question) -> object:
    return "Mostly clear." if question.kind == Question.Kind.FREE_TEXT else 4


def _answer(response: Response, question: Question) -> Answer:
    if question.kind == Question.Kind.FREE_TEXT:
        return Answer(
            response=response,
            question=question,
            text="The drafts save me time but I check every figure.",
            sentiment=0.4,
        )
    return Answer(response=response, question=question, number=4)


def _size(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_total_relation_size(%s)", [table])
        return cursor.fetchone()[0]


if __name__ == "__main__":
    main()
