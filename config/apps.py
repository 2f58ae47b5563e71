from __future__ import annotations

from django.apps import AppConfig


class ConfigConfig(AppConfig):
    """The project's wiring, installed only for its commands (`scheduler_tick`,
    which runs every app's tick)."""

    name = "config"
    verbose_name = "Candor configuration"
