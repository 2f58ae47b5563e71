"""Bringing Candor's people in line with a list of them: the one upsert behind the
CSV import (`people_import`), the API's people sync and its Celery task.

A row is a mapping of column to value, as the CSV import names them:

    email          required; the key, matched whatever its case
    name           required
    department     with `team`: created if new
    team           with `department`: created if new
    job_title
    manager_email  the manager of this row's team; must be in the rows or already
                   in Candor, and every row of a team must agree
    roles          employee, leader, hr; several joined with ";" (or a list)
    active         yes/no, true/false, 1/0 (or a boolean); default yes

A column left out of a row is left alone on an existing person.

The rows are read twice, never held: a first pass checks every row and keeps only
an index of addresses (to find duplicates and, for a full sync, who is missing);
the second writes them in batches of BATCH inside one transaction. So a list of
100,000 people costs the index, not 100,000 rows of objects
(`benchmarks/people_sync.py`). One bad row rejects them all; a sync that would
deactivate more than MAX_DEACTIVATED of the active people is refused unless forced,
since a broken export (a truncated file, a shifted column) must not empty the
organisation. The same rows twice change nothing the second time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from org.models import Department, Person, Team, User, normalise_email
from org.roles import Role
from org.services import people as people_services
from org.services.people import NewPerson, person_roles_set

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
BATCH = people_services.BATCH  # rows checked and written at once
MAX_ROWS = 100_000
MAX_DEACTIVATED = 0.4  # of the active people; more needs `force`
MAX_ERRORS = 10_000  # reported; the count says how many more there were
_YES = {"yes", "y", "true", "1"}
_NO = {"no", "n", "false", "0"}
_ROLE_NAMES = {role.value.lower(): role for role in Role}
_MAX = {"name": 200, "department": 120, "team": 120, "job_title": 200, "email": 254}


@dataclass(frozen=True)
class RowError:
    """What is wrong with one row: its line (CSV, the header is line 1) or its
    index (a JSON list, from 0), the column ("" for the whole row) and why."""

    line: int
    field: str
    message: str


@dataclass(frozen=True)
class SourceRow:
    """One row as a reader gives it: its line or index, its values (None when the
    reader could not make values of it) and what the reader found wrong."""

    line: int
    values: Mapping[str, object] | None
    errors: tuple[RowError, ...] = ()


Rows = Callable[[], Iterable[SourceRow]]  # each call reads the rows from the start


class PeopleSyncRejected(Exception):
    """Some rows are wrong; nothing was saved. `row_errors` lists each
    (up to MAX_ERRORS), `error_count` how many there were."""

    def __init__(self, errors: list[RowError], error_count: int | None = None) -> None:
        self.row_errors = sorted(errors, key=lambda e: (e.line, e.message))
        self.error_count = len(errors) if error_count is None else error_count
        super().__init__(
            "\n".join(f"line {e.line}: {e.message}" for e in self.row_errors)
        )

    @property
    def errors(self) -> list[tuple[int, str]]:
        """(line, message) of each error, as the import page lists them."""
        return [(error.line, error.message) for error in self.row_errors]


class TooManyDeactivated(Exception):
    """The rows would deactivate more than MAX_DEACTIVATED of the active people;
    nothing was saved. Pass `force` to mean it."""

    def __init__(self, *, deactivating: int, active: int) -> None:
        self.deactivating, self.active = deactivating, active
        super().__init__(
            f"This would deactivate {deactivating} of the {active} active people "
            f"({deactivating / active:.0%}); more than {MAX_DEACTIVATED:.0%} looks "
            "like a broken export, so nothing was saved. Check the list, or send it "
            "again with force to deactivate them."
        )


@dataclass
class SyncReport:
    created: int = 0
    updated: int = 0  # existing people with anything changed
    unchanged: int = 0
    deactivated: int = 0  # active people made inactive (listed so, or missing)
    welcomed: int = 0  # new active people sent a welcome email
    dry_run: bool = False
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
        verb = "Would import" if self.dry_run else "Imported"
        summary = (
            f"{verb} {self.total} {people}: {self.created} new, {self.updated} updated."
        )
        if self.unchanged:
            summary += f" {self.unchanged} unchanged."
        if self.deactivated:
            summary += f" {self.deactivated} deactivated."
        if self.welcomed:
            emails = "email is" if self.welcomed == 1 else "emails are"
            summary += f" {self.welcomed} welcome {emails} on the way."
        return summary

    def as_dict(self) -> dict[str, int | bool]:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "deactivated": self.deactivated,
            "welcomed": self.welcomed,
            "dry_run": self.dry_run,
        }


def people_sync(
    *,
    rows: Rows,
    welcome: bool = True,
    force: bool = False,
    deactivate_missing: bool = False,
    dry_run: bool = False,
    empty: RowError | None = None,
    progress: Callable[[int], None] | None = None,
) -> SyncReport:
    """Check every row, then create and update people from them in one transaction.

    `rows` is called once per pass and must give the same rows each time. With
    `deactivate_missing`, active people not in the rows are deactivated (a full
    sync from the HR system). With `welcome`, each new active person is sent a
    welcome email, queued once this commits. With `dry_run`, everything is
    checked and counted, then rolled back. `empty` is the error for no rows.

    Raises PeopleSyncRejected (nothing saved) listing every bad row, and
    TooManyDeactivated unless `force`.
    """
    checked = _check(rows, deactivate_missing=deactivate_missing, empty=empty)
    if checked.deactivating > MAX_DEACTIVATED * checked.active and not force:
        raise TooManyDeactivated(
            deactivating=checked.deactivating, active=checked.active
        )
    report = SyncReport(dry_run=dry_run)
    with transaction.atomic():
        _apply(rows, checked, report, progress or (lambda n: None), welcome=welcome)
        if deactivate_missing:
            report.deactivated += _deactivate_missing(checked.seen)
        if dry_run:
            # Counted exactly by doing it; the welcomes queued on commit go too.
            transaction.set_rollback(True)
    return report


# --- checking ------------------------------------------------------------------


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

    @property
    def team_key(self) -> tuple[str, str]:
        return (self.department.lower(), self.team.lower())


@dataclass
class _Checked:
    seen: dict[str, int] = field(default_factory=dict)  # email -> line
    managers: dict[tuple[str, str], tuple[str, int]] = field(default_factory=dict)
    active: int = 0
    deactivating: int = 0


class _Errors:
    def __init__(self) -> None:
        self.kept: list[RowError] = []
        self.count = 0

    def add(self, error: RowError) -> None:
        self.count += 1
        if len(self.kept) < MAX_ERRORS:
            self.kept.append(error)


def _check(rows: Rows, *, deactivate_missing: bool, empty: RowError | None) -> _Checked:
    checked = _Checked()
    errors = _Errors()
    wanted: dict[str, list[int]] = {}  # managers not seen yet -> lines naming them
    chunk: list[ImportRow] = []
    count = 0
    for source in rows():
        for error in source.errors:
            errors.add(error)
        if source.values is None:
            continue
        count += 1
        if count > MAX_ROWS:
            errors.add(RowError(source.line, "", f"more than {MAX_ROWS:,} rows"))
            break
        row, row_errors = row_parse(source.line, source.values)
        for error in row_errors:
            errors.add(error)
        if row is None:
            continue
        _check_across(row, checked, wanted, errors)
        chunk.append(row)
        if len(chunk) == BATCH:
            _check_against_database(chunk, checked, errors)
            chunk = []
    _check_against_database(chunk, checked, errors)
    if count == 0 and errors.count == 0:
        errors.add(empty or RowError(0, "", "there are no people"))
    for email in sorted(_unknown(set(wanted) - set(checked.seen))):
        for line in wanted[email]:
            errors.add(
                RowError(
                    line,
                    "manager_email",
                    f"manager {email} is neither in the file nor in Candor",
                )
            )
    if errors.count:
        raise PeopleSyncRejected(errors.kept, errors.count)
    active = User.objects.filter(is_active=True, person__isnull=False)
    checked.active = active.count()
    if deactivate_missing:
        checked.deactivating += sum(
            1
            for email in active.values_list("email", flat=True).iterator(BATCH)
            if normalise_email(email) not in checked.seen
        )
    return checked


def _unknown(emails: set[str]) -> set[str]:
    """Those of `emails` that are nobody in Candor."""
    ordered = sorted(emails)
    known: set[str] = set()
    for start in range(0, len(ordered), BATCH):
        accounts = User.objects.with_emails(ordered[start : start + BATCH]).filter(
            person__isnull=False
        )
        known.update(map(normalise_email, accounts.values_list("email", flat=True)))
    return emails - known


def _check_across(
    row: ImportRow, checked: _Checked, wanted: dict[str, list[int]], errors: _Errors
) -> None:
    if row.email in checked.seen:
        errors.add(
            RowError(
                row.line,
                "email",
                f"{row.email} is already on line {checked.seen[row.email]}",
            )
        )
    else:
        checked.seen[row.email] = row.line
    if row.manager_email:
        key = row.team_key
        if key in checked.managers and checked.managers[key][0] != row.manager_email:
            other, line = checked.managers[key]
            errors.add(
                RowError(
                    row.line,
                    "manager_email",
                    f"team {row.team} has manager {other} on line {line}, "
                    f"not {row.manager_email}",
                )
            )
        checked.managers.setdefault(key, (row.manager_email, row.line))
        wanted.setdefault(row.manager_email, []).append(row.line)


def _check_against_database(
    chunk: list[ImportRow], checked: _Checked, errors: _Errors
) -> None:
    if not chunk:
        return
    found = User.objects.with_emails(row.email for row in chunk).values_list(
        "email", "is_active", "person"
    )
    accounts = {normalise_email(email): (active, p) for email, active, p in found}
    for row in chunk:
        account = accounts.get(row.email)
        if account is None:
            continue
        is_active, person = account
        if person is None:
            # An account without a person (say from createsuperuser) would break
            # the unique email halfway through saving.
            errors.add(
                RowError(
                    row.line,
                    "email",
                    f"{row.email} is an account without a person; add one in the admin",
                )
            )
        elif is_active and row.active is False:
            checked.deactivating += 1


def row_parse(
    line: int, values: Mapping[str, object]
) -> tuple[ImportRow | None, list[RowError]]:
    """One row's values checked and read: the row, or None and its errors."""
    errors: list[RowError] = []
    unknown = [name for name in values if name not in COLUMNS]
    if unknown:
        errors.append(
            RowError(
                line,
                str(unknown[0]),
                f"unknown column(s) {', '.join(map(repr, unknown))}; "
                f"the columns are {', '.join(COLUMNS)}",
            )
        )
    value: dict[str, str] = {}
    for name in COLUMNS:
        if name in values:
            text = _text(name, values[name])
            if text is None:
                errors.append(RowError(line, name, f"{name} must be text"))
                text = ""
            value[name] = text
    errors.extend(
        RowError(line, name, f"{name} is required")
        for name in REQUIRED
        if name not in values
    )
    errors.extend(
        RowError(line, name, f"{name} is longer than {limit} characters")
        for name, limit in _MAX.items()
        if len(value.get(name, "")) > limit
    )
    # PostgreSQL cannot store a NUL in text.
    errors.extend(
        RowError(line, name, f"{name} contains a null character")
        for name, text in value.items()
        if "\x00" in text
    )
    email = normalise_email(value.get("email"))
    if "email" in values:
        try:
            validate_email(email)
        except ValidationError:
            errors.append(
                RowError(line, "email", f"{value['email']!r} is not an email address")
            )
    if "name" in values and not value["name"]:
        errors.append(RowError(line, "name", "name is empty"))
    if bool(value.get("team")) != bool(value.get("department")):
        field_name = "department" if value.get("team") else "team"
        errors.append(
            RowError(line, field_name, "give both department and team, or neither")
        )
    manager_email = normalise_email(value.get("manager_email"))
    if manager_email and not value.get("team"):
        errors.append(
            RowError(line, "manager_email", "manager_email needs a team to manage")
        )
    roles = _roles(line, value["roles"], errors) if "roles" in value else None
    active = _active(line, value["active"], errors) if "active" in value else None
    if errors:
        return None, errors
    return (
        ImportRow(
            line=line,
            email=email,
            name=value["name"],
            department=value.get("department", ""),
            team=value.get("team", ""),
            job_title=value.get("job_title"),
            manager_email=manager_email,
            roles=roles,
            active=active,
        ),
        [],
    )


def _text(name: str, raw: object) -> str | None:
    """A value as text: a list of roles joined, a boolean as yes or no, nothing as
    empty; None for any other kind (a number, an object)."""
    if raw is None:
        return ""
    if isinstance(raw, bool):
        return ("yes" if raw else "no") if name == "active" else None
    if name == "roles" and isinstance(raw, list):
        if not all(isinstance(item, str) for item in raw):
            return None
        return ";".join(raw)
    return raw.strip() if isinstance(raw, str) else None


def _roles(line: int, text: str, errors: list[RowError]) -> set[Role]:
    names = [
        name.strip().lower()
        for name in text.replace("|", ";").split(";")
        if name.strip()
    ]
    unknown = [name for name in names if name not in _ROLE_NAMES]
    if unknown:
        errors.append(
            RowError(
                line,
                "roles",
                f"unknown role(s) {', '.join(unknown)}; use employee, leader or hr",
            )
        )
    return {_ROLE_NAMES[name] for name in names if name in _ROLE_NAMES} or {
        Role.EMPLOYEE
    }


def _active(line: int, text: str, errors: list[RowError]) -> bool:
    if text.lower() in _YES or text == "":
        return True
    if text.lower() in _NO:
        return False
    errors.append(RowError(line, "active", f"active must be yes or no, not {text!r}"))
    return True


# --- saving --------------------------------------------------------------------


def _parsed(rows: Rows) -> Iterator[ImportRow]:
    for source in rows():
        if source.values is not None:
            row, _ = row_parse(source.line, source.values)
            if row is not None:  # every row passed the check; this is for the type
                yield row


def _apply(
    rows: Rows,
    checked: _Checked,
    report: SyncReport,
    progress: Callable[[int], None],
    *,
    welcome: bool,
) -> None:
    departments = {d.name.lower(): d for d in Department.objects.all()}
    teams = {
        (t.department.name.lower(), t.name.lower()): t
        for t in Team.objects.select_related("department", "manager__user")
    }
    chunk: list[ImportRow] = []
    for row in _parsed(rows):
        chunk.append(row)
        if len(chunk) == BATCH:
            _apply_chunk(chunk, departments, teams, report, welcome=welcome)
            progress(len(chunk))
            chunk = []
    _apply_chunk(chunk, departments, teams, report, welcome=welcome)
    progress(len(chunk))
    managers = {
        key: email
        for key, (email, _) in checked.managers.items()
        if teams[key].manager is None
        or normalise_email(teams[key].manager.user.email) != email
    }
    if managers:
        people = {
            normalise_email(person.user.email): person
            for person in Person.objects.select_related("user").filter(
                user__in=User.objects.with_emails(set(managers.values()))
            )
        }
        for key, email in managers.items():
            teams[key].manager = people[email]
            teams[key].save(update_fields=["manager"])


def _apply_chunk(
    chunk: list[ImportRow],
    departments: dict[str, Department],
    teams: dict[tuple[str, str], Team],
    report: SyncReport,
    *,
    welcome: bool,
) -> None:
    if not chunk:
        return
    existing = {
        normalise_email(person.user.email): person
        for person in Person.objects.select_related("user").filter(
            user__in=User.objects.with_emails(row.email for row in chunk)
        )
    }
    held = _roles_held(person.user_id for person in existing.values())
    new: list[NewPerson] = []
    people_changed: list[Person] = []
    users_changed: list[User] = []
    for row in chunk:
        team = _team(row, departments, teams) if row.team else None
        person = existing.get(row.email)
        if person is None:
            new.append(_new_person(row, team))
            continue
        changed = False
        # Compared by the team's id: reading `person.team` would load each
        # person's team, a query a person on a sync that changes nothing.
        wanted: dict[str, object] = {"name": row.name}
        if team is not None:
            wanted["team_id"] = team.pk
        if row.job_title is not None:
            wanted["job_title"] = row.job_title
        if any(getattr(person, key) != value for key, value in wanted.items()):
            for key, value in wanted.items():
                setattr(person, key, value)
            people_changed.append(person)
            changed = True
        if row.active is not None and person.user.is_active != row.active:
            if person.user.is_active:
                report.deactivated += 1
            person.user.is_active = row.active
            users_changed.append(person.user)
            changed = True
        if row.roles is not None:
            if held.get(person.user_id, set()) != {role.value for role in row.roles}:
                person_roles_set(person=person, roles=row.roles)
                changed = True
        if changed:
            report.updated += 1
        else:
            report.unchanged += 1
    Person.objects.bulk_update(people_changed, ["name", "team", "job_title"])
    User.objects.bulk_update(users_changed, ["is_active"])
    if new:
        people_services.people_create(people=new, welcome=welcome)
        report.created += len(new)
        if welcome:
            report.welcomed += sum(1 for person in new if person.is_active)


_ROLE_VALUES = [role.value for role in Role]


def _roles_held(user_ids: Iterable[int]) -> dict[int, set[str]]:
    """The role groups each account holds, by account id, in one query: a
    prefetch of everyone's groups would build a queryset per person."""
    held: dict[int, set[str]] = {}
    memberships = User.groups.through.objects.filter(
        user_id__in=list(user_ids), group__name__in=_ROLE_VALUES
    ).values_list("user_id", "group__name")
    for user_id, name in memberships:
        held.setdefault(user_id, set()).add(name)
    return held


def _team(row: ImportRow, departments: dict, teams: dict) -> Team:
    department = departments.get(row.department.lower())
    if department is None:
        department = Department.objects.create(name=row.department)
        departments[row.department.lower()] = department
    key = row.team_key
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


def _deactivate_missing(seen: dict[str, int]) -> int:
    """Deactivate every active person whose address is not in `seen`; how many."""
    active = User.objects.filter(is_active=True, person__isnull=False)
    missing = [
        pk
        for pk, email in active.values_list("pk", "email").iterator(BATCH)
        if normalise_email(email) not in seen
    ]
    for start in range(0, len(missing), BATCH):
        User.objects.filter(pk__in=missing[start : start + BATCH]).update(
            is_active=False
        )
    return len(missing)
