"""People syncs sent as a body of text (a JSON list or a CSV file), run at once
or, when large, by a worker from a `PeopleSync` row.

A JSON list is read one person at a time from the text (`json_rows`), never parsed
whole, so a body of 100,000 people costs its text and the sync's index of
addresses, not 100,000 dictionaries. Its rows are numbered by their index, from 0;
a CSV file's by their line, the header being line 1.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import re
from collections.abc import Iterator
from dataclasses import asdict
from functools import partial

from django.db import transaction
from django.utils import timezone

from org.models import PeopleSync, Person
from org.services.people_import import people_import
from org.services.people_sync import (
    PeopleSyncRejected,
    RowError,
    Rows,
    SourceRow,
    SyncReport,
    TooManyDeactivated,
    people_sync,
)

log = logging.getLogger(__name__)

INLINE_ROWS = 2_000  # more than this is run by a worker
_WHITESPACE = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()


def json_rows(text: str) -> Rows:
    """The people of a JSON list, each read from `text` when reached; a value that
    is not an object, or text that is not JSON, is a row error."""

    def rows() -> Iterator[SourceRow]:
        index = 0
        try:
            for index, item in enumerate(_json_items(text)):  # noqa: B007
                if isinstance(item, dict):
                    yield SourceRow(index, item)
                else:
                    error = RowError(index, "", "each person must be a JSON object")
                    yield SourceRow(index, None, (error,))
        except ValueError as exc:
            yield SourceRow(index, None, (RowError(index, "", _not_json(exc)),))

    return rows


def _json_items(text: str) -> Iterator[object]:
    """The values of the JSON list `text`, one at a time. Raises ValueError."""
    at = _WHITESPACE.match(text, 0).end()
    if text[at : at + 1] != "[":
        raise ValueError("the body must be a JSON list of people")
    at = _WHITESPACE.match(text, at + 1).end()
    if text[at : at + 1] == "]":
        at += 1
    else:
        while True:
            item, at = _DECODER.raw_decode(text, at)
            yield item
            at = _WHITESPACE.match(text, at).end()
            after = text[at : at + 1]
            at = _WHITESPACE.match(text, at + 1).end()
            if after == "]":
                break
            if after != ",":
                raise ValueError(f"expected , or ] at character {at}")
    if _WHITESPACE.match(text, at).end() != len(text):
        raise ValueError(f"more text after the list, at character {at}")


def _not_json(exc: ValueError) -> str:
    if isinstance(exc, json.JSONDecodeError):
        return f"not JSON: {exc.msg} at character {exc.pos}"
    return str(exc)


def rows_counted(*, body: str, format: str, up_to: int) -> int:
    """How many people `body` holds, counting no further than `up_to`: whether it
    is small enough to run at once. Unreadable text counts as small."""
    count = 0
    if format == PeopleSync.Format.CSV:
        for line in io.StringIO(body):
            count += bool(line.strip())
            if count > up_to:  # the header line is counted: a margin of one
                break
        return max(count - 1, 0)
    try:
        for _ in _json_items(body):
            count += 1
            if count > up_to:
                break
    except ValueError:
        pass
    return count


def people_sync_text(
    *,
    body: str,
    format: str,
    force: bool = False,
    dry_run: bool = False,
    deactivate_missing: bool = True,
    welcome: bool = True,
) -> SyncReport:
    """Sync the people in `body`, a JSON list or CSV text (`format`, "json" or
    "csv"), as `people_sync` does; raises what it raises."""
    options = {
        "force": force,
        "dry_run": dry_run,
        "deactivate_missing": deactivate_missing,
        "welcome": welcome,
    }
    if format == PeopleSync.Format.CSV:
        return people_import(lines=io.StringIO(body, newline=""), **options)
    return people_sync(
        rows=json_rows(body),
        empty=RowError(0, "", "the list has no people"),
        **options,
    )


def row_errors_shown(errors: list[RowError], format: str) -> list[dict]:
    """Row errors as the API reports them: a CSV row by its `line`, a JSON row by
    its `index`."""
    key = "line" if format == PeopleSync.Format.CSV else "index"
    return [
        {key: error.line, "field": error.field, "message": error.message}
        for error in errors
    ]


def people_sync_queue(
    *,
    body: str,
    format: str,
    rows: int,
    by: Person | None,
    force: bool = False,
    dry_run: bool = False,
    deactivate_missing: bool = True,
    welcome: bool = True,
    now: dt.datetime,
) -> PeopleSync:
    """Record a sync for a worker and queue it once this commits; a broker that is
    down leaves it queued (`people_sync_run` may be called for it at any time)."""
    sync = PeopleSync.objects.create(
        format=format,
        body=body,
        rows=rows,
        requested_by=by,
        force=force,
        dry_run=dry_run,
        deactivate_missing=deactivate_missing,
        welcome=welcome,
        created_at=now,
    )
    transaction.on_commit(partial(_hand_to_worker, sync.pk))
    return sync


def _hand_to_worker(sync_id: int) -> None:
    from org.tasks import run_people_sync  # the task calls this module

    try:
        run_people_sync.delay(sync_id)
    except Exception:  # the broker is down: the sync waits, queued
        log.exception("Could not queue people sync %s", sync_id)


def people_sync_run(sync_id: int, *, now: dt.datetime | None = None) -> str:
    """Run a queued sync and record its report, or its refusal; a sync already
    taken (run twice, or by two workers) is left alone. Returns its new state."""
    now = now or timezone.now()
    taken = PeopleSync.objects.filter(pk=sync_id, state=PeopleSync.State.QUEUED).update(
        state=PeopleSync.State.RUNNING, started_at=now
    )
    if not taken:
        return "taken"
    sync = PeopleSync.objects.get(pk=sync_id)
    try:
        report = people_sync_text(
            body=sync.body,
            format=sync.format,
            force=sync.force,
            dry_run=sync.dry_run,
            deactivate_missing=sync.deactivate_missing,
            welcome=sync.welcome,
        )
    except PeopleSyncRejected as rejected:
        sync.state = PeopleSync.State.REJECTED
        sync.errors = row_errors_shown(rejected.row_errors, sync.format)
        sync.error_count = rejected.error_count
        sync.message = f"{rejected.error_count} bad row(s): nothing was saved."
    except TooManyDeactivated as refused:
        sync.state = PeopleSync.State.REJECTED
        sync.deactivated = refused.deactivating
        sync.message = str(refused)
    except Exception:
        log.exception("People sync %s failed", sync_id)
        sync.state = PeopleSync.State.FAILED
        sync.message = "The sync failed on our side; nothing was saved. Send it again."
    else:
        sync.state = PeopleSync.State.DONE
        for name, value in asdict(report).items():
            if name in ("created", "updated", "unchanged", "deactivated", "welcomed"):
                setattr(sync, name, value)
        sync.message = report.summary
    sync.body = ""
    sync.finished_at = timezone.now()
    sync.save()
    return sync.state
