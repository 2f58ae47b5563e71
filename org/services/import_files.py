"""What a people file must be before its rows are read: a CSV file, at most 20 MB,
in UTF-8 (with or without Excel's byte-order mark).

A file in another encoding is refused, naming the line, rather than guessed at.
Any bytes decode as Latin-1 and nearly any as Windows-1252, so a guess cannot be
checked: a file from a Mac (Mac Roman), an old DOS tool (cp850) or one converted
twice would import without an error and write mangled names over people's correct
ones. Re-saving as "CSV UTF-8" costs HR one step; a silent wrong guess costs names.
"""

from __future__ import annotations

MAX_IMPORT_BYTES = 20 * 1024 * 1024
MAX_IMPORT_SIZE = "20 MB"

SAVE_AS_UTF8 = (
    "Save it as CSV UTF-8 and import it again: in Excel, File > Save As > "
    "“CSV UTF-8 (Comma delimited) (*.csv)”; in Google Sheets, File > Download > "
    "“Comma-separated values (.csv)”."
)

# What browsers send for a .csv: Windows with Excel installed says
# application/vnd.ms-excel, some systems say nothing more than octet-stream.
CSV_CONTENT_TYPES = {
    "text/csv",
    "text/plain",
    "text/x-csv",
    "text/comma-separated-values",
    "application/csv",
    "application/x-csv",
    "application/vnd.ms-excel",
    "application/octet-stream",
    "",
}

# The first bytes of files people mistake for CSV.
_SIGNATURES = (
    (b"PK\x03\x04", "a spreadsheet workbook (.xlsx or .ods) or another zipped file"),
    (b"\xd0\xcf\x11\xe0", "an old Excel workbook (.xls)"),
    (b"%PDF", "a PDF"),
    (b"\xff\xfe", "UTF-16 text (Excel's “Unicode Text”)"),
    (b"\xfe\xff", "UTF-16 text"),
)


class ImportFileRefused(Exception):
    """The file is not one the import can read; nothing was read from it."""


def import_file_check(
    *, name: str, size: int, head: bytes, content_type: str | None = None
) -> None:
    """Refuse a file too big, not named .csv, sent as another type, or whose first
    bytes (`head`, a few KB) show it is not CSV text."""
    if size > MAX_IMPORT_BYTES:
        raise ImportFileRefused(
            f"{name} is {size / 1024 / 1024:.1f} MB; the limit is {MAX_IMPORT_SIZE}. "
            "Split it into smaller files, each with the header row, and import them "
            "one after another."
        )
    if not name.lower().endswith(".csv"):
        raise ImportFileRefused(f"{name} is not a .csv file. {SAVE_AS_UTF8}")
    kind = (content_type or "").split(";")[0].strip().lower()
    if kind not in CSV_CONTENT_TYPES:
        raise ImportFileRefused(
            f"{name} was sent as {kind}, not as CSV text. {SAVE_AS_UTF8}"
        )
    what = next((what for magic, what in _SIGNATURES if head.startswith(magic)), None)
    if what is None and b"\x00" in head:
        what = "not text"
    if what is not None:
        raise ImportFileRefused(
            f"{name} is {what}, not CSV text, though its name ends in .csv. "
            f"{SAVE_AS_UTF8}"
        )


def not_utf8_reason(exc: UnicodeDecodeError) -> str:
    """Why a line cannot be read, and what to do, for people rather than Python."""
    bad = exc.object[exc.start : exc.start + 1]
    guess = bad.decode("cp1252", errors="replace")
    seen = f", “{guess}” in Windows' Western encoding" if guess != "\ufffd" else ""
    return f"it is not UTF-8 text (byte 0x{bad.hex().upper()}{seen}). {SAVE_AS_UTF8}"
