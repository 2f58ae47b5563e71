"""Create an API token for an account, by email, and print it (shown this once)."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from api.models import Scope
from api.tokens import api_token_create


class Command(BaseCommand):
    help = "Create an API token for the account with this email; prints it once."

    def add_arguments(self, parser) -> None:
        parser.add_argument("email")
        parser.add_argument("--name", required=True, help="what the token is for")
        parser.add_argument("--scope", choices=Scope.values, default=Scope.READ)
        parser.add_argument(
            "--days", type=int, default=None, help="expire after this many days"
        )

    def handle(self, *args, email: str, name: str, scope: str, days, **options):
        user = get_user_model().objects.filter(email__iexact=email).first()
        if user is None:
            raise CommandError(f"No account with the email {email!r}.")
        if days is not None and days < 1:
            raise CommandError("--days must be 1 or more.")
        now = timezone.now()
        try:
            created = api_token_create(
                owner=user,
                name=name,
                scope=scope,
                now=now,
                expires_at=None if days is None else now + dt.timedelta(days=days),
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(created.key)
