from __future__ import annotations

from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo organisation and its history, built by `seed_demo`. It imports the
    other apps and none of them imports it."""

    name = "demo"
    verbose_name = "Demo data"
