"""Import people from a CSV file: all or nothing, re-runnable.

Columns (header row required, order free, names case-insensitive): those of
`org.services.people_sync`, which checks and saves the rows; this module reads the
file, line by line, twice (a check, then the save), so a big file is never held.

A column left out of the file is left alone on existing people. Every row is checked
before anything is written; one bad row rejects the whole file, and the report names
each bad line.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator

from org.services.import_files import not_utf8_reason
from org.services.people_sync import (
    COLUMNS,
    REQUIRED,
    PeopleSyncRejected,
    RowError,
    SourceRow,
    SyncReport,
    people_sync,
)

__all__ = [
    "COLUMNS",
    "ImportReport",
    "PeopleImportError",
    "people_import",
    "people_import_header",
]

ImportReport = SyncReport


class PeopleImportError(PeopleSyncRejected):
    """The file was rejected and nothing saved; `errors` lists (line, message)."""

    def __init__(self, errors: list[tuple[int, str]] | list[RowError]) -> None:
        super().__init__(
            [e if isinstance(e, RowError) else RowError(e[0], "", e[1]) for e in errors]
        )


def people_import(
    *,
    lines: Iterable[str],
    progress: Callable[[int], None] | None = None,
    welcome: bool = True,
    force: bool = False,
    dry_run: bool = False,
    deactivate_missing: bool = False,
) -> ImportReport:
    """Check every row of `lines` (CSV text: a file, which is read twice from its
    start, or a list of lines), then save them all in one transaction.

    With `welcome`, each new active person is sent a welcome email with a link to
    choose a password, queued once the import commits; without, the import is
    quiet and people use "forgot password". Raises PeopleImportError listing each
    bad line, and `people_sync.TooManyDeactivated` for a file that would
    deactivate many people, unless `force`. `dry_run` and `deactivate_missing`
    are `people_sync`'s."""
    if not hasattr(lines, "seek") and iter(lines) is lines:
        lines = list(lines)  # a one-off iterator: kept, to read it twice
    header = _header(_again(lines))

    def rows() -> Iterator[SourceRow]:
        return _rows(_again(lines), header)

    try:
        report = people_sync(
            rows=rows,
            welcome=welcome,
            force=force,
            dry_run=dry_run,
            deactivate_missing=deactivate_missing,
            progress=progress,
            empty=RowError(2, "", "the file has a header but no people"),
        )
    except PeopleSyncRejected as rejected:
        if isinstance(rejected, PeopleImportError):
            raise
        raise PeopleImportError(rejected.row_errors) from rejected
    report.columns = header
    return report


def people_import_header(*, lines: Iterable[str]) -> list[str]:
    """The header row of `lines`, its names lower-cased; raises PeopleImportError
    naming what is wrong with it (unknown, missing or repeated columns)."""
    return _header(lines)


def _again(lines: Iterable[str]) -> Iterable[str]:
    if hasattr(lines, "seek"):
        lines.seek(0)
    return lines


# --- reading -------------------------------------------------------------------


def _header(lines: Iterable[str]) -> list[str]:
    reader = csv.reader(lines)
    try:
        header = [(name or "").strip().lower() for name in next(reader, [])]
    except (csv.Error, UnicodeDecodeError) as exc:
        line = _unreadable_line(exc, reader.line_num)
        what = "the header row" if line == 1 else "this line"
        raise PeopleImportError([(line, f"cannot read {what}: {_why(exc)}")]) from exc
    _check_header(header)
    return header


def _rows(lines: Iterable[str], header: list[str]) -> Iterator[SourceRow]:
    """Each line after the header as a row of values, blank lines skipped."""
    reader = csv.reader(lines)
    try:
        next(reader, None)
        for raw in reader:
            line = reader.line_num
            if not any(value.strip() for value in raw):
                continue  # a blank line is not a person
            if len(raw) > len(header):
                error = RowError(
                    line, "", f"{len(raw)} values for {len(header)} columns"
                )
                yield SourceRow(line, None, (error,))
                continue
            padded = [*raw, *[""] * (len(header) - len(raw))]  # short rows: empty
            yield SourceRow(line, dict(zip(header, padded, strict=True)))
    except (csv.Error, UnicodeDecodeError) as exc:
        line = _unreadable_line(exc, reader.line_num)
        error = RowError(line, "", f"cannot read this line: {_why(exc)}")
        yield SourceRow(line, None, (error,))


def _unreadable_line(exc: Exception, lines_read: int) -> int:
    """The line a read error is on. A text file decodes ahead in chunks of many lines,
    so a bad byte may sit several lines past the last line the reader was given."""
    if isinstance(exc, UnicodeDecodeError):
        return lines_read + 1 + exc.object[: exc.start].count(b"\n")
    return lines_read + 1


def _why(exc: Exception) -> str:
    return not_utf8_reason(exc) if isinstance(exc, UnicodeDecodeError) else str(exc)


def _check_header(header: list[str]) -> None:
    if not header:
        raise PeopleImportError([(1, "the file is empty; it needs a header row")])
    problems = []
    unknown = [name for name in header if name not in COLUMNS]
    if unknown:
        problems.append(
            f"unknown column(s) {', '.join(map(repr, unknown))}; "
            f"the columns are {', '.join(COLUMNS)}"
        )
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        problems.append(f"missing required column(s) {', '.join(missing)}")
    duplicated = sorted({name for name in header if header.count(name) > 1})
    if duplicated:
        problems.append(f"column(s) given twice: {', '.join(duplicated)}")
    if problems:
        raise PeopleImportError([(1, problem) for problem in problems])
