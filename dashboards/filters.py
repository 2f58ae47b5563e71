"""The filters every dashboard page takes, read from (and written back to) the URL
so a view can be shared: date range, department, team, survey, AI tool."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, fields
from urllib.parse import urlencode

from django.http import QueryDict

SERVER_SET = ("teams", "published_only")


@dataclass(frozen=True)
class Filters:
    since: dt.date | None = None
    until: dt.date | None = None
    department: int | None = None
    team: int | None = None
    survey: int | None = None
    tool: int | None = None
    # Set by the server, never read from the URL: the teams a leader may see, and
    # whether only rounds with published results count (everyone but HR, leaders).
    teams: tuple[int, ...] | None = None
    published_only: bool = False

    @classmethod
    def from_query(cls, query: QueryDict) -> tuple[Filters, list[str]]:
        """Filters from a query string, and a readable message per bad value
        (a bad value is ignored, never an error page)."""
        values: dict[str, object] = {}
        problems: list[str] = []
        for field in fields(cls):
            if field.name in SERVER_SET:
                continue
            raw = (query.get(field.name) or "").strip()
            if not raw:
                continue
            try:
                if field.name in ("since", "until"):
                    values[field.name] = dt.date.fromisoformat(raw)
                else:
                    values[field.name] = int(raw)
                    if values[field.name] <= 0:
                        raise ValueError
            except ValueError:
                kind = (
                    "a date like 2026-03-02"
                    if field.name in ("since", "until")
                    else "an id"
                )
                problems.append(f"Ignored {field.name}={raw!r}: expected {kind}.")
                values.pop(field.name, None)
        filters = cls(**values)
        if filters.since and filters.until and filters.since > filters.until:
            problems.append("Ignored the dates: 'since' is after 'until'.")
            filters = cls(**{**values, "since": None, "until": None})
        return filters, problems

    def query_string(self) -> str:
        shared = {k: v for k, v in asdict(self).items() if k not in SERVER_SET}
        return urlencode({k: v for k, v in shared.items() if v is not None})
