"""python manage.py import_people FILE.csv (columns: org/services/people_import.py)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from org.services.import_files import (
    MAX_IMPORT_SIZE,
    ImportFileRefused,
    import_file_check,
)
from org.services.people_import import COLUMNS, PeopleImportError, people_import
from org.services.people_sync import MAX_DEACTIVATED, TooManyDeactivated


class Command(BaseCommand):
    help = (
        "Create or update people from a CSV file; a bad row rejects the whole file. "
        f"Columns: {', '.join(COLUMNS)} (email and name required)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "file",
            type=Path,
            help=f"CSV file, UTF-8, with a header row, at most {MAX_IMPORT_SIZE}",
        )
        parser.add_argument(
            "--no-progress", action="store_true", help="do not draw a progress bar"
        )
        parser.add_argument(
            "--no-welcome",
            action="store_true",
            help="import quietly: send new people no welcome email",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help=f"deactivate more than {MAX_DEACTIVATED:.0%} of the active people "
            "if the file says so (refused otherwise, as a likely broken export)",
        )

    def handle(
        self,
        *args: object,
        file: Path,
        no_progress: bool,
        no_welcome: bool,
        force: bool = False,
        **options: object,
    ) -> None:
        if not file.is_file():
            raise CommandError(f"{file}: no such file")
        with file.open("rb") as raw:
            head = raw.read(4096)
        try:
            import_file_check(name=file.name, size=file.stat().st_size, head=head)
        except ImportFileRefused as refused:
            raise CommandError(f"{refused} Nothing was saved.") from refused
        rows = _count_rows(file)
        with (
            file.open(encoding="utf-8-sig", newline="") as lines,
            tqdm(
                total=rows,
                unit="people",
                disable=no_progress or rows < 500,
                # The raw stream: OutputWrapper ends every write with a newline, so
                # each redraw of the bar would land on a line of its own.
                file=self.stderr._out,
            ) as bar,
        ):
            try:
                report = people_import(
                    lines=lines,
                    progress=bar.update,
                    welcome=not no_welcome,
                    force=force,
                )
            except PeopleImportError as exc:
                raise CommandError(
                    f"{file} was not imported; nothing was saved. "
                    f"Fix these lines:\n{exc}"
                ) from exc
            except TooManyDeactivated as refused:
                raise CommandError(f"{file} was not imported. {refused}") from refused
        self.stdout.write(self.style.SUCCESS(report.summary))


def _count_rows(file: Path) -> int:
    """Lines after the header: the progress bar's length (quoted newlines overcount)."""
    with file.open("rb") as raw:
        return max(sum(1 for _ in raw) - 1, 0)
