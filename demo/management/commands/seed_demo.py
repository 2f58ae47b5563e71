"""python manage.py seed_demo [--employees N] [--weeks W] [--seed S]

Builds the demo organisation (`demo.org`), then its history: survey rounds and
answers (`demo.surveys`) and the feedback board (`demo.board`). Each seeder has
its own random stream drawn from --seed, so adding one never changes the others.
"""

from __future__ import annotations

import random

from django.core.management.base import BaseCommand, CommandError, CommandParser

from demo.board import seed_feedback
from demo.org import DEMO_PASSWORD, demo_start, seed_org
from demo.surveys import seed_surveys


class Command(BaseCommand):
    help = (
        "Create (or top up) a deterministic demo organisation with three demo logins."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--employees", type=int, default=120, help="people (default 120)"
        )
        parser.add_argument(
            "--weeks", type=int, default=12, help="weeks of history (default 12)"
        )
        parser.add_argument(
            "--seed", type=int, default=2026, help="random seed (default 2026)"
        )

    def handle(
        self, *args: object, employees: int, weeks: int, seed: int, **opts: object
    ) -> None:
        if employees < 15:
            raise CommandError(
                "--employees must be at least 15 (three logins and 12 teams)."
            )
        if not 1 <= weeks <= 104:
            raise CommandError("--weeks must be between 1 and 104.")
        start = demo_start(weeks)
        # Seeded on purpose (the same demo for a seed), never used for secrets, so
        # `random` is right here: nosec B311 below.
        org_rng = random.Random(seed)  # nosec B311
        org = seed_org(rng=org_rng, employees=employees, start=start)
        # A stream of its own, so the org drawn from `seed` stays as it was.
        surveys_rng = random.Random(seed + 1)  # nosec B311
        surveys = seed_surveys(rng=surveys_rng, org=org, start=start)
        board_rng = random.Random(seed + 2)  # nosec B311
        board = seed_feedback(rng=board_rng, org=org, start=start)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo org ready: {len(org.people)} people, {len(org.tools)} AI tools, "
                f"{len(org.customers)} customers."
            )
        )
        self.stdout.write(
            f"Surveys: {surveys.live} live, {surveys.past_rounds} past rounds, "
            f"{surveys.responses:,} responses."
        )
        self.stdout.write(
            f"Board: {board.concerns} concerns ({board.overdue} overdue), "
            f"{board.updates} updates, {board.ratings} AI output ratings."
        )
        for person in (org.hr, org.leader, org.employee):
            self.stdout.write(f"  sign in as {person.email} / {DEMO_PASSWORD}")
