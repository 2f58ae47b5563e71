"""Import people from a CSV file: all or nothing, re-runnable.

Columns (header row required, order free, names case-insensitive):

    email          required; the key: a re-import updates this person
    name           required
    department     with `team`: created if new
    team           with `department`: created if new
    job_title
    manager_email  the manager of this row's team; must be in the file or already
                   in Candor, and every row of a team must agree
    roles          employee, leader, hr; several joined with ";" (default employee)
    active         yes/no, true/false, 1/0 (default yes)

A column left out of the file is left alone on existing people. Every row is checked
before anything is written; one bad row rejects the whole file, and the report names
each bad line.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from org.models import Department, Person, Team, User, normalise_email
from org.roles import Role
from org.services.import_files import not_utf8_reason
from org.services.people import (
    BATCH,
    NewPerson,
    people_create,
    person_roles_set,
    person_set_active,
)

COLUMNS = (
    "email",
    "name",
    "department",
    "team",
    "job_title",
    "manager_email",
    "roles",
    "active",
)
REQUIRED = ("email", "name")
_YES = {"yes", "y", "true", "1"}
_NO = {"no", "n", "false", "0"}
_ROLE_NAMES = {role.value.lower(): role for role in Role}
_MAX = {"name": 200, "department": 120, "team": 120, "job_title": 200, "email": 254}


class PeopleImportError(Exception):
    """The file was rejected and nothing saved; `errors` lists (line, message)."""

    def __init__(self, errors: list[tuple[int, str]]) -> None:
        self.errors = errors
        super().__init__(
            "\n".join(f"line {line}: {message}" for line, message in errors)
        )


@dataclass
class ImportRow:
    line: int
    email: str
    name: str
    department: str = ""
    team: str = ""
    job_title: str | None = None
    manager_email: str = ""
    roles: set[Role] | None = None
    active: bool | None = None


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    welcomed: int = 0  # new active people sent a welcome email
    columns: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.created + self.updated

    @property
    def summary(self) -> str:
        """One sentence for the page and the command, such as
        "Imported 1 person: 1 new, 0 updated."
        """
        people = "person" if self.total == 1 else "people"
        summary = (
            f"Imported {self.total} {people}: {self.created} new, "
            f"{self.updated} updated."
        )
        if self.welcomed:
            emails = "email is" if self.welcomed == 1 else "emails are"
            summary += f" {self.welcomed} welcome {emails} on the way."
        return summary


def people_import(
    *,
    lines: Iterable[str],
    progress: Callable[[int], None] | None = None,
    welcome: bool = True,
) -> ImportReport:
    """Check every row of `lines` (CSV text), then save them all in one transaction.

    With `welcome`, each new active person is sent a welcome email with a link to
    choose a password, queued once the import commits; without, the import is
    quiet and people use "forgot password"."""
    rows, columns = _parse(lines)
    with transaction.atomic():
        report = _apply(rows, progress or (lambda n: None), welcome=welcome)
    report.columns = columns
    return report


# --- checking ------------------------------------------------------------------


def _parse(lines: Iterable[str]) -> tuple[list[ImportRow], list[str]]:
    reader = csv.DictReader(lines)
    try:
        header = [(name or "").strip().lower() for name in (reader.fieldnames or [])]
    except (csv.Error, UnicodeDecodeError) as exc:
        line = _unreadable_line(exc, reader.line_num)
        what = "the header row" if line == 1 else "this line"
        raise PeopleImportError([(line, f"cannot read {what}: {_why(exc)}")]) from exc
    _check_header(header)
    reader.fieldnames = header
    rows: list[ImportRow] = []
    errors: list[tuple[int, str]] = []
    try:
        for raw in reader:
            line = reader.line_num
            if not any(
                (value or "").strip()
                for value in raw.values()
                if isinstance(value, str)
            ):
                continue  # a blank line is not a person
            row, row_errors = _parse_row(line, raw, header)
            errors.extend((line, message) for message in row_errors)
            if row is not None:
                rows.append(row)
    except (csv.Error, UnicodeDecodeError) as exc:
        errors.append(
            (
                _unreadable_line(exc, reader.line_num),
                f"cannot read this line: {_why(exc)}",
            )
        )
    if not rows and not errors:
        errors.append((2, "the file has a header but no people"))
    errors.extend(_check_across_rows(rows))
    if errors:
        raise PeopleImportError(sorted(errors))
    return rows, header


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


def _parse_row(
    line: int, raw: dict, header: list[str]
) -> tuple[ImportRow | None, list[str]]:
    if raw.get(None):
        return None, [
            f"{len(header) + len(raw[None])} values for {len(header)} columns"
        ]
    value = {name: (raw.get(name) or "").strip() for name in header}
    errors = [
        f"{name} is longer than {limit} characters"
        for name, limit in _MAX.items()
        if len(value.get(name, "")) > limit
    ]
    # The upload's first bytes are checked for NUL (a binary file), not the rest;
    # PostgreSQL cannot store it in text.
    errors.extend(
        f"{name} contains a null character" for name in header if "\x00" in value[name]
    )
    email = normalise_email(value["email"])
    try:
        validate_email(email)
    except ValidationError:
        errors.append(f"{value['email']!r} is not an email address")
    if not value["name"]:
        errors.append("name is empty")
    if bool(value.get("team")) != bool(value.get("department")):
        errors.append("give both department and team, or neither")
    manager_email = normalise_email(value.get("manager_email"))
    if manager_email and not value.get("team"):
        errors.append("manager_email needs a team to manage")
    roles = _roles(value["roles"], errors) if "roles" in header else None
    active = _active(value["active"], errors) if "active" in header else None
    row = ImportRow(
        line=line,
        email=email,
        name=value["name"],
        department=value.get("department", ""),
        team=value.get("team", ""),
        job_title=value["job_title"] if "job_title" in header else None,
        manager_email=manager_email,
        roles=roles,
        active=active,
    )
    return (None if errors else row), errors


def _roles(text: str, errors: list[str]) -> set[Role]:
    names = [
        name.strip().lower()
        for name in text.replace("|", ";").split(";")
        if name.strip()
    ]
    unknown = [name for name in names if name not in _ROLE_NAMES]
    if unknown:
        errors.append(
            f"unknown role(s) {', '.join(unknown)}; use employee, leader or hr"
        )
    return {_ROLE_NAMES[name] for name in names if name in _ROLE_NAMES} or {
        Role.EMPLOYEE
    }


def _active(text: str, errors: list[str]) -> bool:
    if text.lower() in _YES or text == "":
        return True
    if text.lower() in _NO:
        return False
    errors.append(f"active must be yes or no, not {text!r}")
    return True


def _check_across_rows(rows: list[ImportRow]) -> list[tuple[int, str]]:
    errors: list[tuple[int, str]] = []
    first_line: dict[str, int] = {}
    for row in rows:
        if row.email in first_line:
            errors.append(
                (row.line, f"{row.email} is already on line {first_line[row.email]}")
            )
        first_line.setdefault(row.email, row.line)
    managers: dict[tuple[str, str], tuple[str, int]] = {}
    for row in rows:
        if not row.manager_email:
            continue
        key = (row.department.lower(), row.team.lower())
        if key in managers and managers[key][0] != row.manager_email:
            other, line = managers[key]
            errors.append(
                (
                    row.line,
                    f"team {row.team} has manager {other} on line {line}, "
                    f"not {row.manager_email}",
                )
            )
        managers.setdefault(key, (row.manager_email, row.line))
    # An account without a person (say from createsuperuser) would break the unique
    # email halfway through saving.
    accounts = _existing_emails(first_line, with_person=False)
    errors.extend(
        (row.line, f"{row.email} is an account without a person; add one in the admin")
        for row in rows
        if row.email in accounts
    )
    wanted = {row.manager_email for row in rows if row.manager_email} - set(first_line)
    known = _existing_emails(wanted, with_person=True)
    errors.extend(
        (row.line, f"manager {row.manager_email} is neither in the file nor in Candor")
        for row in rows
        if row.manager_email in wanted - known
    )
    return errors


def _existing_emails(emails: Iterable[str], *, with_person: bool) -> set[str]:
    accounts = User.objects.with_emails(emails).filter(person__isnull=not with_person)
    return {
        normalise_email(email) for email in accounts.values_list("email", flat=True)
    }


# --- saving --------------------------------------------------------------------


def _apply(
    rows: list[ImportRow], progress: Callable[[int], None], *, welcome: bool
) -> ImportReport:
    report = ImportReport()
    people = {
        normalise_email(person.user.email): person
        for person in Person.objects.select_related("user").filter(
            user__in=User.objects.with_emails(row.email for row in rows)
        )
    }
    departments = {d.name.lower(): d for d in Department.objects.all()}
    teams = {
        (t.department.name.lower(), t.name.lower()): t
        for t in Team.objects.select_related("department")
    }
    new: list[NewPerson] = []
    for row in rows:
        team = _team(row, departments, teams) if row.team else None
        person = people.get(row.email)
        if person is None:
            new.append(_new_person(row, team))
            if len(new) == BATCH:
                _create(new, people, progress, report, welcome=welcome)
        else:
            _update(person, row, team)
            report.updated += 1
            progress(1)
    _create(new, people, progress, report, welcome=welcome)
    for row in rows:
        if row.manager_email:
            team = teams[(row.department.lower(), row.team.lower())]
            manager = people.get(row.manager_email) or Person.objects.get(
                user__in=User.objects.with_email(row.manager_email)
            )
            if team.manager_id != manager.pk:
                team.manager = manager
                team.save(update_fields=["manager"])
    return report


def _team(row: ImportRow, departments: dict, teams: dict) -> Team:
    department = departments.get(row.department.lower())
    if department is None:
        department = Department.objects.create(name=row.department)
        departments[row.department.lower()] = department
    key = (row.department.lower(), row.team.lower())
    if key not in teams:
        teams[key] = Team.objects.create(name=row.team, department=department)
    return teams[key]


def _new_person(row: ImportRow, team: Team | None) -> NewPerson:
    return NewPerson(
        email=row.email,
        name=row.name,
        team=team,
        job_title=row.job_title or "",
        roles=frozenset(row.roles or {Role.EMPLOYEE}),
        is_active=True if row.active is None else row.active,
    )


def _create(
    new: list[NewPerson],
    people: dict[str, Person],
    progress: Callable[[int], None],
    report: ImportReport,
    *,
    welcome: bool,
) -> None:
    """Save the people waiting in `new` in one go, count them, and empty it."""
    if not new:
        return
    for person in people_create(people=new, welcome=welcome):
        people[normalise_email(person.user.email)] = person
    report.created += len(new)
    if welcome:
        report.welcomed += sum(1 for person in new if person.is_active)
    progress(len(new))
    new.clear()


def _update(person: Person, row: ImportRow, team: Team | None) -> None:
    changed = {"name": row.name}
    if row.team:
        changed["team"] = team
    if row.job_title is not None:
        changed["job_title"] = row.job_title
    if any(getattr(person, key) != value for key, value in changed.items()):
        for key, value in changed.items():
            setattr(person, key, value)
        person.save(update_fields=list(changed))
    if row.active is not None:
        person_set_active(person=person, is_active=row.active)
    if row.roles is not None:
        person_roles_set(person=person, roles=row.roles)
