"""Working days in the organisation's time zone: due times skip weekends."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings


def working_days_after(start: dt.datetime, days: int) -> dt.datetime:
    """`days` working days after `start`, at the same local time of day.

    Raised on a Saturday with 3 working days: due on Wednesday. Holidays are not
    known to Candor; a policy can allow a day more where that matters.
    """
    tz = ZoneInfo(settings.TIME_ZONE)
    local = start.astimezone(tz)
    day, left = local.date(), days
    while left > 0:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            left -= 1
    due = dt.datetime.combine(day, local.time().replace(tzinfo=None)).replace(tzinfo=tz)
    return due.astimezone(dt.UTC)
