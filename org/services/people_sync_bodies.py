"""Reading a people sync's body of text, a JSON list or a CSV file, and syncing
it (`people_sync_text`): the one path of the API's sync, the People page's upload
and a worker's run.

A JSON list is read one person at a time from the text (`json_rows`), never parsed
whole, and a CSV text one line at a time (`TextLines`), so a body of 100,000 people
costs its text and the sync's index of addresses, not 100,000 dictionaries. Its
rows are numbered by their index, from 0; a CSV file's by their line, the header
being line 1.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator

from org.models import PeopleSync
from org.services.people_import import people_import
from org.services.people_sync import (
    RowError,
    Rows,
    SourceRow,
    SyncReport,
    people_sync,
)

_WHITESPACE = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()
# A line and its ending, ended as a file opened with newline="" ends them.
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")


class TextLines:
    """The lines of `text`, endings kept (what csv.reader wants), each sliced from
    it when reached; every iteration starts again from the first. io.StringIO
    would first copy the text at 4 bytes a character: 80 MB for a 20 MB file."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __iter__(self) -> Iterator[str]:
        return (match.group() for match in _LINE.finditer(self.text))


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
        for line in TextLines(body):
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
    progress: Callable[[int], None] | None = None,
) -> SyncReport:
    """Sync the people in `body`, a JSON list or CSV text (`format`, "json" or
    "csv"), as `people_sync` does (`progress` is told each batch of rows saved);
    raises what it raises."""
    options = {
        "force": force,
        "dry_run": dry_run,
        "deactivate_missing": deactivate_missing,
        "welcome": welcome,
        "progress": progress,
    }
    if format == PeopleSync.Format.CSV:
        return people_import(lines=TextLines(body), **options)
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
