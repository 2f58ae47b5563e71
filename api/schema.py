"""The schema every endpoint gets: drf-standardized-errors' error responses (400,
401, 403, 404, 405, 429...), each with the same body."""

from __future__ import annotations

from drf_spectacular.plumbing import force_instance
from drf_standardized_errors.openapi import AutoSchema as ErrorsAutoSchema
from rest_framework.permissions import SAFE_METHODS
from rest_framework.settings import api_settings


class AutoSchema(ErrorsAutoSchema):
    def _get_extra_validation_errors(self) -> dict[str, set[str]]:
        # A paginated list refuses a bad `page` with a 400 (api/pagination.py).
        errors = super()._get_extra_validation_errors()
        if self.method == "GET" and self._is_list_view() and self._get_paginator():
            errors.setdefault("page", set()).add("invalid")
        # A write checked by its service (`full_clean` behind `service_errors`)
        # is refused field by field, and for the whole row, with code "invalid".
        if getattr(self.view, "service_checked", False) and self.method in (
            "POST",
            "PUT",
            "PATCH",
        ):
            serializer = force_instance(self.get_request_serializer())
            names = list(getattr(serializer, "fields", {}))
            for name in [*names, api_settings.NON_FIELD_ERRORS_KEY]:
                errors.setdefault(name, set()).add("invalid")
        return errors

    def _should_add_http403_error_response(self) -> bool:
        # A read-only token is refused (403) on any method that changes things,
        # whatever the endpoint's own permissions (api/auth.py).
        return (
            super()._should_add_http403_error_response()
            or self.method not in SAFE_METHODS
        )
