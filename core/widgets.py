"""Form widgets that browsers fill in themselves: a date or time picker.

A browser's `<input type="date">` accepts only `yyyy-mm-dd` (and `type="time"` only
`HH:MM`) whatever the page's language; any other value shows an empty field, so a
required date that was filled in by the server would look blank. These widgets
always render that format, while the fields still accept the site's own formats.
"""

from __future__ import annotations

from django import forms


class DatePicker(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, str] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class TimePicker(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs: dict[str, str] | None = None) -> None:
        super().__init__(attrs, format="%H:%M")
