"""The API's refusals beyond DRF's own, in the one error body
(drf-standardized-errors), and their shapes for the schema (`api.schema`).

- 409: the request is well formed but what it asks clashes with what is there: a
  name (a title, an email) another row holds (`code` "unique", `attr` the field),
  or a survey whose state does not allow the move (`code` "conflict").
- 413: a body over an endpoint's own limit (the people sync's).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from drf_standardized_errors.openapi_serializers import ClientErrorEnum
from rest_framework import serializers, status
from rest_framework.exceptions import APIException, ErrorDetail
from rest_framework.settings import api_settings

# Django's codes for a value a unique field, a unique_together or a
# UniqueConstraint already holds (and ours: `violation_error_code="unique"`).
UNIQUE_CODES = frozenset({"unique", "unique_together"})


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"
    default_detail = "This clashes with what is already there; nothing changed."


class TooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"
    default_detail = "The body is too large."


def _reasons(error: DjangoValidationError) -> dict[str, list[DjangoValidationError]]:
    if hasattr(error, "error_dict"):
        return error.error_dict
    return {NON_FIELD_ERRORS: error.error_list}


def name_taken(error: DjangoValidationError) -> bool:
    """Whether every reason a service gave is a unique value taken: then the
    request was right but late, a 409; with any other reason it is a 400."""
    return all(
        reason.code in UNIQUE_CODES
        for reasons in _reasons(error).values()
        for reason in reasons
    )


def conflict(error: DjangoValidationError) -> Conflict:
    """A service's refusal as a 409, each reason with its own code if it has one
    ("unique"), else "conflict"; under its field (`attr`) when the service named
    one, else with `attr` null."""

    def details(reasons: list[DjangoValidationError]) -> list[ErrorDetail]:
        return [
            ErrorDetail(message, code=reason.code or Conflict.default_code)
            for reason in reasons
            for message in reason.messages
        ]

    if not hasattr(error, "error_dict"):
        return Conflict(details(error.error_list))
    return Conflict(
        {
            api_settings.NON_FIELD_ERRORS_KEY if name == NON_FIELD_ERRORS else name: (
                details(reasons)
            )
            for name, reasons in error.error_dict.items()
        }
    )


@contextmanager
def refused_as_conflict() -> Iterator[None]:
    """Around a service whose every refusal is about the state of what is there,
    not the request (a survey's moves: it has no body): a 409 saying why."""
    try:
        yield
    except DjangoValidationError as error:
        raise conflict(error) from error


# --- Their shapes, for the schema ------------------------------------------------


class ErrorCode409Enum(models.TextChoices):
    CONFLICT = "conflict"
    UNIQUE = "unique"


class ErrorCode413Enum(models.TextChoices):
    TOO_LARGE = "too_large"


class Error409Serializer(serializers.Serializer):
    code = serializers.ChoiceField(choices=ErrorCode409Enum.choices)
    detail = serializers.CharField()
    attr = serializers.CharField(
        allow_null=True, help_text="the field whose value is taken, or null"
    )


class ErrorResponse409Serializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=ClientErrorEnum.choices)
    errors = Error409Serializer(many=True)


class Error413Serializer(serializers.Serializer):
    code = serializers.ChoiceField(choices=ErrorCode413Enum.choices)
    detail = serializers.CharField()
    attr = serializers.CharField(allow_null=True)


class ErrorResponse413Serializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=ClientErrorEnum.choices)
    errors = Error413Serializer(many=True)
