"""The schema every endpoint gets: drf-standardized-errors' error responses (400,
401, 403, 404, 405, 429...), each with the same body."""

from __future__ import annotations

from drf_standardized_errors.openapi import AutoSchema as ErrorsAutoSchema
from rest_framework.permissions import SAFE_METHODS


class AutoSchema(ErrorsAutoSchema):
    def _should_add_http403_error_response(self) -> bool:
        # A read-only token is refused (403) on any method that changes things,
        # whatever the endpoint's own permissions (api/auth.py).
        return (
            super()._should_add_http403_error_response()
            or self.method not in SAFE_METHODS
        )
