"""The schema every endpoint gets: drf-standardized-errors' error responses (400,
401, 403, 404, 405, 429...), each with the same body; and 409 where a view says
what can clash (`conflicts`)."""

from __future__ import annotations

from drf_spectacular.plumbing import force_instance
from drf_spectacular.utils import OpenApiResponse
from drf_standardized_errors.openapi import AutoSchema as ErrorsAutoSchema
from rest_framework.permissions import SAFE_METHODS
from rest_framework.settings import api_settings

from api.errors import ErrorResponse409Serializer

CONFLICT = "409"


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

    # A view that creates, renames or moves something that can clash with what is
    # there says how in `conflicts`: its writes may answer 409 (api/errors.py).
    def _get_allowed_error_status_codes(self) -> list[str]:
        return [*super()._get_allowed_error_status_codes(), CONFLICT]

    def _should_add_error_response(self, responses: dict, status_code: str) -> bool:
        if status_code == CONFLICT:
            return (
                status_code not in responses
                and self.method not in SAFE_METHODS
                and bool(getattr(self.view, "conflicts", ""))
            )
        return super()._should_add_error_response(responses, status_code)

    def _get_error_response_serializer(self, status_code: str):
        if status_code == CONFLICT:
            return OpenApiResponse(
                ErrorResponse409Serializer, description=self.view.conflicts
            )
        return super()._get_error_response_serializer(status_code)
