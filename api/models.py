"""API tokens: who may call the API without a browser, for what, until when.

Only a token's SHA-256 is kept (`key_hash`); the token itself is shown once, at
creation, and its first characters (`prefix`) let a person recognise it in a list.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Scope(models.TextChoices):
    READ = "read", "Read only"
    WRITE = "write", "Read and write"


class ApiToken(models.Model):
    name = models.CharField(max_length=100, help_text="What the token is for.")
    # An account rather than a person: an administrator made by createsuperuser has
    # no person record and still calls the API.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    scope = models.CharField(max_length=5, choices=Scope.choices, default=Scope.READ)
    prefix = models.CharField(max_length=8)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # The day only (its midnight UTC), written once it is over: see api.tokens.
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def is_live(self, now) -> bool:
        """Neither revoked nor past its expiry at `now`."""
        return self.revoked_at is None and (
            self.expires_at is None or self.expires_at > now
        )
