"""python manage.py scheduler_tick [--now ISO-8601]

Runs every periodic job due at that instant, synchronously, emails included:
"what would have happened by Monday 9:00". A time without a zone is read in the
organisation's time zone (TIME_ZONE).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from config.scheduler import tick_all


class Command(BaseCommand):
    help = "Run every periodic job that is due at --now (default: now), inline."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--now",
            help="the instant to act at, ISO 8601 (e.g. 2026-03-02T09:00 or "
            "2026-03-02T09:00+01:00); default: the current time",
        )

    def handle(self, *args: object, now: str | None, **opts: object) -> None:
        instant = parse_instant(now) if now else timezone.now()
        for line in tick_all(now=instant, inline=True):
            self.stdout.write(line)


def parse_instant(text: str) -> dt.datetime:
    try:
        instant = dt.datetime.fromisoformat(text)
    except ValueError:
        raise CommandError(
            f"--now {text!r} is not an ISO 8601 date and time, e.g. 2026-03-02T09:00."
        ) from None
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=ZoneInfo(settings.TIME_ZONE))
    return instant.astimezone(dt.UTC)
