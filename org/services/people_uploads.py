"""A people file uploaded on the People page: up to INLINE_ROWS people synced at
once, as the API's sync does, a larger file stored and run by a worker. Both go
through `people_sync_text`, the worker from the run's stored text.

The file is kept in the run's row (`PeopleSync.body`), not under a media folder:
web and workers already share the database, and no other storage (the Compose
setup runs them in separate containers); the text is written in the same
transaction as its run, so neither exists without the other; and it is emptied
when the run finishes, so nobody's list outlives its import. A 20 MB file is
well within what PostgreSQL keeps in a text column (compressed, out of line).
"""

from __future__ import annotations

import datetime as dt
import re

from django.db import transaction

from org.models import PeopleSync, Person
from org.services.import_files import not_utf8_reason
from org.services.people_import import PeopleImportError, people_import_header
from org.services.people_sync import MAX_ROWS, SyncReport
from org.services.people_sync_bodies import TextLines, people_sync_text, rows_counted
from org.services.people_sync_runs import INLINE_ROWS, people_sync_queue

_LINE_END = re.compile(r"\r\n|\r|\n")


def people_upload(
    *,
    data: bytes,
    file_name: str,
    welcome: bool,
    force: bool,
    by: Person | None,
    now: dt.datetime,
) -> SyncReport | PeopleSync:
    """Import the CSV file `data` (already past `import_file_check`) as the import
    does: a column left out is left alone, only rows marked inactive deactivate.

    A file of up to INLINE_ROWS people is synced now: its report, or
    PeopleImportError (each bad row) or TooManyDeactivated (unless `force`), as
    `people_import` raises them. A larger one is checked for what costs nothing to
    check (its encoding, its header) and queued for a worker: the run, whose page
    shows its progress, then its report or its bad rows. Raises PeopleImportError
    for a line that is not UTF-8 and for a wrong header, whatever the size.
    """
    text = _text(data)
    options = {"welcome": welcome, "force": force, "deactivate_missing": False}
    rows = rows_counted(body=text, format=PeopleSync.Format.CSV, up_to=MAX_ROWS)
    if rows <= INLINE_ROWS:
        return people_sync_text(body=text, format=PeopleSync.Format.CSV, **options)
    people_import_header(lines=TextLines(text))
    with transaction.atomic():
        return people_sync_queue(
            body=text,
            format=PeopleSync.Format.CSV,
            rows=rows,
            by=by,
            file_name=file_name,
            now=now,
            **options,
        )


def _text(data: bytes) -> str:
    """The file as text (Excel's byte-order mark dropped); PeopleImportError
    naming the first line that is not UTF-8."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        # exc.object is the file after its byte-order mark, if any.
        before = exc.object[: exc.start].decode("utf-8")
        line = 1 + len(_LINE_END.findall(before))
        what = "the header row" if line == 1 else "this line"
        raise PeopleImportError(
            [(line, f"cannot read {what}: {not_utf8_reason(exc)}")]
        ) from exc
