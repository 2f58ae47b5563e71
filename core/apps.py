from __future__ import annotations

from django.apps import AppConfig


class CoreConfig(AppConfig):
    """What several apps share (sending an email once, dispatch, rate limits, tick
    reports). It imports no other app of the project."""

    name = "core"
    verbose_name = "Candor core"
