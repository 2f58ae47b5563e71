"""A length of time in words, for pages and emails: "2 days", "3 hours".

Rounded down to its largest whole unit, so a promise ("due in 3 hours", "works for
3 days") never says more time is left than there is.
"""

from __future__ import annotations

import datetime as dt

_UNITS = (
    (dt.timedelta(days=7), "week"),
    (dt.timedelta(days=1), "day"),
    (dt.timedelta(hours=1), "hour"),
    (dt.timedelta(minutes=1), "minute"),
)


def span_words(span: dt.timedelta) -> str:
    """`span` (its absolute value) as "1 week", "2 days", "3 hours", "5 minutes"
    or "less than a minute"; whole weeks only when it is a whole number of them,
    so 10 days stay "10 days"."""
    span = abs(span)
    for unit, name in _UNITS:
        count = span // unit
        if count < 1 or (name == "week" and span % unit):
            continue
        return f"{count} {name}{'' if count == 1 else 's'}"
    return "less than a minute"
