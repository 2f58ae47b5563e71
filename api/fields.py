"""Fields stricter than DRF's defaults, so that what the schema says is all that is
accepted."""

from __future__ import annotations

from rest_framework import serializers


class StrictBooleanField(serializers.BooleanField):
    """JSON true or false only: not 1, "yes" or "on", which the schema does not
    promise (DRF's BooleanField takes them all)."""

    def to_internal_value(self, data):
        if isinstance(data, bool):
            return data
        self.fail("invalid", input=data)


class StrictCharField(serializers.CharField):
    """A JSON string only: a number is not quietly turned into text."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictEmailField(serializers.EmailField):
    """A JSON string holding an email address only (the schema's `format: email`)."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictManyRelatedField(serializers.ManyRelatedField):
    """A JSON list of ids only: DRF would take an object as an empty list."""

    def to_internal_value(self, data):
        if not isinstance(data, list):
            self.fail("not_a_list", input_type=type(data).__name__)
        return super().to_internal_value(data)
