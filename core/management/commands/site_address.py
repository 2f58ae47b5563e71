"""`manage.py site_address [HOST[:PORT]]`: set, or show, the address in links.

Every process that shares the database (web, workers, beat, a shell's
`scheduler_tick`) then writes links to that address; CANDOR_BASE_URL, when set,
still wins (core/links.py).
"""

from __future__ import annotations

import re

from django.conf import settings
from django.contrib.sites.models import Site
from django.core.management.base import BaseCommand, CommandError

from core.links import site_root

HOST = re.compile(r"^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?$")


class Command(BaseCommand):
    help = "Set (or, without an argument, show) the site's address used in links."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "address", nargs="?", help="host[:port], e.g. candor.example.com"
        )

    def handle(self, *args, address: str | None = None, **options) -> None:
        if address:
            host = re.sub(r"^https?://", "", address).rstrip("/")
            if not HOST.match(host):
                raise CommandError(
                    f"{address!r} is not a host[:port], e.g. 127.0.0.1:8000 or "
                    "candor.example.com."
                )
            Site.objects.update_or_create(
                pk=settings.SITE_ID, defaults={"domain": host, "name": host}
            )
            Site.objects.clear_cache()
        self.stdout.write(f"Links point at {site_root()}/")
        if settings.CANDOR_BASE_URL and address:
            self.stdout.write("(CANDOR_BASE_URL is set, and wins over the address.)")
