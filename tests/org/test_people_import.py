"""Importing people from CSV: all or nothing, re-runnable, every bad line named."""

from __future__ import annotations

import io

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from org.models import Department, Person, Team, User
from org.roles import Role, roles_of
from org.services import people as people_module
from org.services import people_sync as people_sync_module
from org.services.people import people_create
from org.services.people_import import PeopleImportError, people_import
from tests.org.factories import (
    DepartmentFactory,
    PersonFactory,
    TeamFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

BOM = "\ufeff"


def csv_text(*lines: str) -> str:
    return "".join(f"{line}\n" for line in lines)


def run_import(text: str, *, force: bool = False):
    return people_import(lines=io.StringIO(text, newline=""), force=force)


def run_import_bytes(data: bytes):
    # What the command and the upload view hand the service: a decoding text stream.
    return people_import(
        lines=io.TextIOWrapper(io.BytesIO(data), encoding="utf-8-sig", newline="")
    )


def db_counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (User, Person, Team, Department)
    }


def person(email: str) -> Person:
    return Person.objects.select_related("user", "team__department").get(
        user__email=email
    )


def import_errors(text: str) -> list[tuple[int, str]]:
    with pytest.raises(PeopleImportError) as rejected:
        run_import(text)
    return rejected.value.errors


def write_csv(tmp_path, text: str, name: str = "people.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8", newline="")
    return path


def many_people(count: int) -> str:
    return csv_text(
        "email,name,department,team,roles",
        *(
            f"person{n}@bulk.example,Person {n},Operations,Squad {n % 12},employee"
            for n in range(count)
        ),
    )


# --- good rows -------------------------------------------------------------------


def test_it_creates_people_with_their_department_team_and_job_title():
    text = csv_text(
        "email,name,department,team,job_title",
        "Ana.Silva@Example.org,Ana Silva,Support,Tier 1,Agent",
        "ben@example.org,Ben Okafor,Support,Tier 1,Agent",
        "cleo@example.org,Cleo Park,Sales,EMEA,",
        "dev@example.org,Dev Rao,,,Contractor",
    )

    report = run_import(text)

    assert (report.created, report.updated, report.total) == (4, 0, 4)
    assert report.columns == ["email", "name", "department", "team", "job_title"]
    ana = person("ana.silva@example.org")
    assert ana.name == "Ana Silva"
    assert ana.job_title == "Agent"
    assert (ana.team.department.name, ana.team.name) == ("Support", "Tier 1")
    assert ana.user.is_active
    assert not ana.user.has_usable_password()  # they set one via "forgot password"
    assert roles_of(ana.user) == {Role.EMPLOYEE}
    assert person("ben@example.org").team == ana.team
    assert person("dev@example.org").team is None
    assert sorted(Department.objects.values_list("name", flat=True)) == [
        "Sales",
        "Support",
    ]
    assert sorted(Team.objects.values_list("name", flat=True)) == ["EMEA", "Tier 1"]
    assert db_counts() == {"User": 4, "Person": 4, "Team": 2, "Department": 2}


def test_it_files_people_into_existing_departments_and_teams_whatever_the_case():
    team = TeamFactory(name="Tier 1", department=DepartmentFactory(name="Support"))
    before = db_counts()

    run_import(
        csv_text("email,name,department,team", "ana@example.org,Ana,SUPPORT,tier 1")
    )

    assert person("ana@example.org").team == team
    assert Team.objects.count() == before["Team"]
    assert Department.objects.count() == before["Department"]


@pytest.mark.parametrize(
    ("roles", "expected", "is_staff"),
    [
        ("employee", {Role.EMPLOYEE}, False),
        ("Leader", {Role.LEADER}, False),
        ("hr", {Role.HR}, True),
        ("leader;HR", {Role.LEADER, Role.HR}, True),
        (" employee ; leader ", {Role.EMPLOYEE, Role.LEADER}, False),
        ("", {Role.EMPLOYEE}, False),
    ],
)
def test_it_gives_the_roles_listed_and_hr_may_use_the_admin(roles, expected, is_staff):
    text = csv_text("email,name,roles", f"ana@example.org,Ana,{roles}")

    run_import(text)

    user = person("ana@example.org").user
    assert roles_of(user) == expected
    assert user.is_staff is is_staff


def test_without_a_roles_column_a_new_person_is_an_employee():
    run_import(csv_text("email,name", "ana@example.org,Ana"))

    user = person("ana@example.org").user
    assert roles_of(user) == {Role.EMPLOYEE}
    assert not user.is_staff


@pytest.mark.parametrize(
    ("active", "expected"),
    [
        ("yes", True),
        ("Y", True),
        ("true", True),
        ("1", True),
        ("", True),
        ("no", False),
        ("N", False),
        ("FALSE", False),
        ("0", False),
    ],
)
def test_the_active_column_accepts_yes_and_no_in_their_usual_spellings(
    active, expected
):
    run_import(csv_text("email,name,active", f"ana@example.org,Ana,{active}"))

    assert person("ana@example.org").user.is_active is expected


def test_manager_email_makes_a_person_in_the_same_file_the_teams_manager():
    text = csv_text(
        "email,name,department,team,manager_email",
        "ana@example.org,Ana,Support,Tier 1,MAYA@example.org",
        "ben@example.org,Ben,Support,Tier 1,maya@example.org",
        "maya@example.org,Maya,Support,Tier 1,",
    )

    run_import(text)

    team = Team.objects.get(name="Tier 1")
    assert team.manager == person("maya@example.org")
    assert person("ana@example.org").manager == person("maya@example.org")


def test_manager_email_may_name_someone_already_in_candor(leader):
    text = csv_text(
        "email,name,department,team,manager_email",
        f"ana@example.org,Ana,Support,Tier 1,{leader.email.upper()}",
    )

    run_import(text)

    assert Team.objects.get(name="Tier 1").manager == leader
    assert person("ana@example.org").manager == leader


def test_header_names_are_case_insensitive_and_in_any_order():
    text = csv_text(
        " Name ,EMAIL,Team,DEPARTMENT,Job_Title,Roles,Active",
        "Ana,ana@example.org,Tier 1,Support,Agent,HR,no",
    )

    report = run_import(text)

    ana = person("ana@example.org")
    assert report.columns[:2] == ["name", "email"]
    assert (ana.name, ana.team.name, ana.job_title) == ("Ana", "Tier 1", "Agent")
    assert roles_of(ana.user) == {Role.HR}
    assert not ana.user.is_active


def test_blank_lines_are_not_people():
    text = csv_text(
        "email,name,department,team",
        "",
        "ana@example.org,Ana,Support,Tier 1",
        ",,,",
        "  ,  , , ",
        "ben@example.org,Ben,Support,Tier 1",
        "",
    )

    report = run_import(text)

    assert report.created == 2
    assert db_counts() == {"User": 2, "Person": 2, "Team": 1, "Department": 1}


def test_a_bom_and_windows_line_endings_as_excel_writes_them_are_accepted():
    data = (
        BOM + "Email,Name\r\nana@example.org,Ana\r\nben@example.org,Ben\r\n"
    ).encode()

    report = run_import_bytes(data)

    assert report.created == 2
    assert report.columns == ["email", "name"]
    assert sorted(Person.objects.values_list("user__email", flat=True)) == [
        "ana@example.org",
        "ben@example.org",
    ]


# --- re-import -------------------------------------------------------------------


def test_importing_the_same_file_twice_creates_no_duplicates_and_changes_nothing():
    text = csv_text(
        "email,name,department,team,job_title,manager_email,roles,active",
        "ana@example.org,Ana,Support,Tier 1,Agent,maya@example.org,employee,yes",
        "maya@example.org,Maya,Support,Tier 1,Lead,,leader;hr,yes",
        "olu@example.org,Olu,Sales,EMEA,Rep,,employee,no",
    )
    run_import(text)
    after_first = db_counts()

    report = run_import(text)

    assert (report.created, report.updated, report.unchanged) == (0, 0, 3)
    assert (
        db_counts()
        == after_first
        == {
            "User": 3,
            "Person": 3,
            "Team": 2,
            "Department": 2,
        }
    )
    assert Team.objects.get(name="Tier 1").manager == person("maya@example.org")
    assert roles_of(person("maya@example.org").user) == {Role.LEADER, Role.HR}


def test_a_re_import_updates_name_team_title_roles_and_active():
    hr_person = PersonFactory(
        user=UserFactory(email="ana@example.org"),
        name="Ana Silva",
        job_title="HR partner",
        roles={Role.HR},
    )
    old_team = hr_person.team
    text = csv_text(
        "email,name,department,team,job_title,roles,active",
        "ANA@example.org,Ana Silva-Costa,Support,Tier 2,Agent,employee,no",
    )

    # The only active person deactivated: far past the guard, so forced.
    report = run_import(text, force=True)

    assert (report.created, report.updated) == (0, 1)
    ana = person("ana@example.org")
    assert ana.pk == hr_person.pk
    assert ana.name == "Ana Silva-Costa"
    assert ana.job_title == "Agent"
    assert (ana.team.department.name, ana.team.name) == ("Support", "Tier 2")
    assert ana.team != old_team
    assert roles_of(ana.user) == {Role.EMPLOYEE}
    assert not ana.user.is_staff  # no longer HR, so no admin site
    assert not ana.user.is_active
    assert User.objects.filter(email__iexact="ana@example.org").count() == 1


def test_a_re_import_can_reactivate_and_promote_someone():
    former = PersonFactory(user=UserFactory(email="ana@example.org", is_active=False))

    run_import(csv_text("email,name,roles,active", "ana@example.org,Ana,leader;hr,yes"))

    former.user.refresh_from_db()
    assert former.user.is_active
    assert former.user.is_staff
    assert roles_of(former.user) == {Role.LEADER, Role.HR}


def test_columns_left_out_of_the_file_are_left_alone_on_existing_people():
    team = TeamFactory(name="People Ops")
    hr_person = PersonFactory(
        user=UserFactory(email="ana@example.org", is_active=False),
        name="Ana",
        team=team,
        job_title="HR partner",
        roles={Role.HR},
    )

    report = run_import(csv_text("email,name", "ana@example.org,Ana Silva"))

    assert report.updated == 1
    ana = person("ana@example.org")
    assert ana.pk == hr_person.pk
    assert ana.name == "Ana Silva"
    assert ana.team == team
    assert ana.job_title == "HR partner"
    assert roles_of(ana.user) == {Role.HR}
    assert ana.user.is_staff
    assert not ana.user.is_active


def test_a_re_import_keeps_the_team_manager_when_the_file_names_none(leader):
    team = TeamFactory(name="Tier 1", department=DepartmentFactory(name="Support"))
    team.manager = leader
    team.save()

    run_import(
        csv_text("email,name,department,team", "ana@example.org,Ana,Support,Tier 1")
    )

    team.refresh_from_db()
    assert team.manager == leader
    assert person("ana@example.org").team == team


# --- bad rows --------------------------------------------------------------------

GOOD_HEADER = "email,name,department,team,manager_email,roles,active"
GOOD_ROW = "good@example.org,Good Person,Support,Tier 1,,employee,yes"


@pytest.mark.parametrize(
    ("lines", "line", "message"),
    [
        pytest.param(
            [GOOD_HEADER, GOOD_ROW, "not-an-email,Ana,,,,,"],
            3,
            "'not-an-email' is not an email address",
            id="bad email",
        ),
        pytest.param(
            [GOOD_HEADER, GOOD_ROW, "ana@example.org,  ,,,,,"],
            3,
            "name is empty",
            id="empty name",
        ),
        pytest.param(
            [GOOD_HEADER, GOOD_ROW, "ana@example.org,Ana,,Tier 1,,,"],
            3,
            "give both department and team, or neither",
            id="team without department",
        ),
        pytest.param(
            [GOOD_HEADER, GOOD_ROW, "ana@example.org,Ana,Support,,,,"],
            3,
            "give both department and team, or neither",
            id="department without team",
        ),
        pytest.param(
            [GOOD_HEADER, GOOD_ROW, "ana@example.org,Ana,,,,leader;boss,"],
            3,
            "unknown role(s) boss; use employee, leader or hr",
            id="unknown role",
        ),
        pytest.param(
            [GOOD_HEADER, GOOD_ROW, "ana@example.org,Ana,,,,,maybe"],
            3,
            "active must be yes or no, not 'maybe'",
            id="bad active value",
        ),
        pytest.param(
            [
                GOOD_HEADER,
                GOOD_ROW,
                "ana@example.org,Ana,,,,,",
                "ANA@example.org,A,,,,,",
            ],
            4,
            "ana@example.org is already on line 3",
            id="duplicate email within the file",
        ),
        pytest.param(
            ["email,name", "good@example.org,Good", "ana@example.org,Silva,Ana"],
            3,
            "3 values for 2 columns",
            id="too many values",
        ),
        pytest.param(
            [
                GOOD_HEADER,
                GOOD_ROW,
                "ana@example.org,Ana,Support,Tier 1,nobody@x.org,,",
            ],
            3,
            "manager nobody@x.org is neither in the file nor in Candor",
            id="manager not found",
        ),
        pytest.param(
            [
                GOOD_HEADER,
                "maya@example.org,Maya,Support,Tier 1,,,",
                "ana@example.org,Ana,Support,Tier 1,maya@example.org,,",
                "ben@example.org,Ben,support,TIER 1,good@example.org,,",
                GOOD_ROW,
            ],
            4,
            "team TIER 1 has manager maya@example.org on line 3, not good@example.org",
            id="two managers for one team",
        ),
        pytest.param(
            [GOOD_HEADER, GOOD_ROW, "ana@example.org,Ana,,,maya@example.org,,"],
            3,
            "manager_email needs a team to manage",
            id="manager without a team",
        ),
        pytest.param(
            [GOOD_HEADER, GOOD_ROW, f"ana@example.org,{'x' * 201},,,,,"],
            3,
            "name is longer than 200 characters",
            id="name too long",
        ),
        pytest.param(
            ["email,name,nickname", "ana@example.org,Ana,Annie"],
            1,
            "unknown column(s) 'nickname'; the columns are email, name, department, "
            "team, job_title, manager_email, roles, active",
            id="unknown column",
        ),
        pytest.param(
            ["email,department,team", "ana@example.org,Support,Tier 1"],
            1,
            "missing required column(s) name",
            id="missing required column",
        ),
        pytest.param(
            ["email,name,Email", "ana@example.org,Ana,ana@example.org"],
            1,
            "column(s) given twice: email",
            id="column given twice",
        ),
        pytest.param(
            [], 1, "the file is empty; it needs a header row", id="empty file"
        ),
        pytest.param(
            ["email,name", "", ",,"],
            2,
            "the file has a header but no people",
            id="header only",
        ),
    ],
)
def test_a_bad_row_is_reported_by_line_and_nothing_is_saved(lines, line, message):
    PersonFactory(user=UserFactory(email="good@example.org"), name="Good Person")
    before = db_counts()

    errors = import_errors(csv_text(*lines))

    assert errors == [(line, message)]
    assert db_counts() == before
    assert person("good@example.org").name == "Good Person"


def test_every_bad_line_is_reported_in_order_not_just_the_first():
    text = csv_text(
        "email,name,department,team,roles",
        "ana@example.org,Ana,Support,Tier 1,employee",
        "",
        "ben@,Ben,Support,Tier 1,employee",
        "cleo@example.org,,Support,,wizard",
        "dev@example.org,Dev,Support,Tier 1,hr",
    )

    errors = import_errors(text)

    assert errors == [
        (4, "'ben@' is not an email address"),
        (5, "give both department and team, or neither"),
        (5, "name is empty"),
        (5, "unknown role(s) wizard; use employee, leader or hr"),
    ]
    assert db_counts() == {"User": 0, "Person": 0, "Team": 0, "Department": 0}


def test_the_message_lists_each_bad_line():
    with pytest.raises(PeopleImportError) as rejected:
        run_import(csv_text("email,name", "ana@example.org,", "nope,Ben"))

    assert str(rejected.value) == (
        "line 2: name is empty\nline 3: 'nope' is not an email address"
    )
    assert db_counts() == {"User": 0, "Person": 0, "Team": 0, "Department": 0}


def test_an_account_without_a_person_is_reported_not_crashed_on():
    # `createsuperuser` makes an account with no person; the import must not trip
    # over the unique email halfway through saving.
    UserFactory(email="admin@example.org", is_staff=True, is_superuser=True)
    before = db_counts()

    errors = import_errors(
        csv_text("email,name", "ana@example.org,Ana", "Admin@example.org,The Admin")
    )

    assert errors == [
        (3, "admin@example.org is an account without a person; add one in the admin")
    ]
    assert db_counts() == before
    assert not Person.objects.filter(user__email="admin@example.org").exists()


def test_bytes_that_are_not_utf8_are_reported_on_their_own_line():
    data = csv_text(
        "email,name",
        "ana@example.org,Ana",
        "jose@example.org,José",
        "ben@example.org,Ben",
    ).encode("latin-1")

    with pytest.raises(PeopleImportError) as rejected:
        run_import_bytes(data)

    [(line, message)] = rejected.value.errors
    assert line == 3
    assert "cannot read this line" in message
    assert db_counts() == {"User": 0, "Person": 0, "Team": 0, "Department": 0}


def test_bytes_that_are_not_utf8_deep_in_a_big_file_are_reported_on_their_own_line():
    # The text stream decodes ahead in chunks of many lines; the line must not be the
    # first line of the chunk.
    good = [f"person{n}@example.org,Person {n}" for n in range(1200)]
    data = csv_text("email,name", *good, "jose@example.org,José").encode("latin-1")

    with pytest.raises(PeopleImportError) as rejected:
        run_import_bytes(data)

    assert [line for line, _ in rejected.value.errors] == [1202]
    assert db_counts() == {"User": 0, "Person": 0, "Team": 0, "Department": 0}


def test_a_header_that_is_not_utf8_is_reported_on_line_1():
    data = "émail,name\nana@example.org,Ana\n".encode("latin-1")

    with pytest.raises(PeopleImportError) as rejected:
        run_import_bytes(data)

    [(line, message)] = rejected.value.errors
    assert line == 1
    assert "cannot read the header row" in message
    assert db_counts() == {"User": 0, "Person": 0, "Team": 0, "Department": 0}


def test_a_failure_while_saving_rolls_back_the_rows_already_saved(monkeypatch):
    saved = []

    def flaky_people_create(*, people, welcome):
        if saved:
            raise RuntimeError("the database went away")
        saved.extend(people_create(people=people, welcome=welcome))
        return saved

    monkeypatch.setattr(people_sync_module, "BATCH", 1)
    monkeypatch.setattr(people_module, "people_create", flaky_people_create)
    text = csv_text(
        "email,name,department,team",
        "ana@example.org,Ana,Support,Tier 1",
        "ben@example.org,Ben,Sales,EMEA",
    )

    with pytest.raises(RuntimeError):
        run_import(text)

    assert [p.user.email for p in saved] == ["ana@example.org"]
    assert db_counts() == {"User": 0, "Person": 0, "Team": 0, "Department": 0}


def test_new_people_are_saved_in_a_few_queries_however_many_there_are(
    django_assert_max_num_queries,
):
    # Row by row it was six queries a person; SQLite splits each INSERT in a few.
    with django_assert_max_num_queries(100):
        report = run_import(many_people(1500))

    assert report.created == 1500
    assert roles_of(person("person1499@bulk.example").user) == {Role.EMPLOYEE}
    assert db_counts() == {"User": 1500, "Person": 1500, "Team": 12, "Department": 1}


# --- the management command ------------------------------------------------------


def test_the_command_imports_a_file_and_says_how_many_are_new_or_updated(tmp_path):
    PersonFactory(user=UserFactory(email="ana@example.org"))
    path = write_csv(
        tmp_path,
        BOM
        + csv_text(
            "email,name,department,team",
            "ana@example.org,Ana,Support,Tier 1",
            "ben@example.org,Ben,Support,Tier 1",
            "cleo@example.org,Cleo,Sales,EMEA",
        ),
    )
    out, err = io.StringIO(), io.StringIO()

    call_command("import_people", str(path), stdout=out, stderr=err)

    assert out.getvalue() == (
        "Imported 3 people: 2 new, 1 updated. 2 welcome emails are on the way.\n"
    )
    assert err.getvalue() == ""  # a small file draws no progress bar
    assert person("ana@example.org").team.name == "Tier 1"
    assert Person.objects.filter(team__name__in=["Tier 1", "EMEA"]).count() == 3


def test_the_command_rejects_a_bad_file_naming_each_bad_line(tmp_path):
    PersonFactory(user=UserFactory(email="ana@example.org"), name="Ana")
    before = db_counts()
    path = write_csv(
        tmp_path,
        csv_text(
            "email,name,roles",
            "ana@example.org,Ana Renamed,hr",
            "ben@example,Ben,employee",
            "cleo@example.org,Cleo,boss",
        ),
    )

    with pytest.raises(CommandError) as rejected:
        call_command("import_people", str(path), stdout=io.StringIO())

    message = str(rejected.value)
    assert "was not imported; nothing was saved" in message
    assert "line 3: 'ben@example' is not an email address" in message
    assert "line 4: unknown role(s) boss" in message
    assert "line 2" not in message
    assert db_counts() == before
    assert person("ana@example.org").name == "Ana"
    assert roles_of(person("ana@example.org").user) == {Role.EMPLOYEE}


def test_the_command_names_the_real_line_of_bytes_that_are_not_utf8(tmp_path):
    path = tmp_path / "people.csv"
    path.write_bytes(
        csv_text("email,name", "ana@example.org,Ana", "jose@example.org,José").encode(
            "cp1252"
        )
    )

    with pytest.raises(CommandError) as rejected:
        call_command("import_people", str(path), stdout=io.StringIO())

    assert "line 3: cannot read this line" in str(rejected.value)
    assert db_counts() == {"User": 0, "Person": 0, "Team": 0, "Department": 0}


def test_the_command_refuses_a_file_that_does_not_exist(tmp_path):
    missing = tmp_path / "nope.csv"

    with pytest.raises(CommandError, match="nope.csv: no such file"):
        call_command("import_people", str(missing))

    assert db_counts() == {"User": 0, "Person": 0, "Team": 0, "Department": 0}


def test_the_command_imports_thousands_of_people_behind_a_progress_bar(tmp_path):
    path = write_csv(tmp_path, many_people(3000))
    out, err = io.StringIO(), io.StringIO()

    call_command("import_people", str(path), stdout=out, stderr=err)

    assert out.getvalue() == (
        "Imported 3000 people: 3000 new, 0 updated. "
        "3000 welcome emails are on the way.\n"
    )
    bar = err.getvalue()
    assert "100%" in bar
    assert "3000/3000" in bar
    assert "people/s" in bar
    # Redrawn in place with carriage returns: one line in a terminal, not hundreds.
    assert bar.count("\r") >= 2
    assert bar.count("\n") == 1
    assert bar.endswith("\n")
    assert db_counts() == {"User": 3000, "Person": 3000, "Team": 12, "Department": 1}


def test_the_command_draws_no_bar_when_asked_not_to(tmp_path):
    path = write_csv(tmp_path, many_people(600))
    out, err = io.StringIO(), io.StringIO()

    call_command("import_people", str(path), "--no-progress", stdout=out, stderr=err)

    assert out.getvalue() == (
        "Imported 600 people: 600 new, 0 updated. 600 welcome emails are on the way.\n"
    )
    assert err.getvalue() == ""
    assert Person.objects.filter(user__email__endswith="@bulk.example").count() == 600


# --- the HR upload page ----------------------------------------------------------


def upload(client, data: bytes):
    return client.post(
        reverse("org:people_import"),
        {"file": SimpleUploadedFile("people.csv", data, content_type="text/csv")},
    )


def test_hr_uploads_a_file_and_is_sent_back_to_the_people_list(hr, signed_in):
    client = signed_in(hr)
    data = (
        BOM
        + csv_text(
            "Email,Name,Department,Team,Manager_Email",
            "ana@example.org,Ana,Support,Tier 1,maya@example.org",
            "maya@example.org,Maya,Support,Tier 1,",
        )
    ).encode()

    response = upload(client, data)

    assert response.status_code == 302
    assert response.url == reverse("org:person_list")
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Imported 2 people: 2 new, 0 updated."
    ]
    assert person("ana@example.org").manager == person("maya@example.org")
    assert Person.objects.count() == 3  # hr, Ana and Maya


def test_a_bad_upload_shows_each_bad_line_and_saves_nothing(hr, signed_in):
    client = signed_in(hr)
    before = db_counts()
    data = csv_text(
        "email,name,department,team",
        "ana@example.org,Ana,Support,Tier 1",
        "ben@example.org,,Support,Tier 1",
        "cleo@example.org,Cleo,,Tier 1",
    ).encode()

    response = upload(client, data)

    assert response.status_code == 400
    page = response.content.decode()
    assert "Nothing was saved" in page
    assert "Line 3: name is empty" in page
    assert "Line 4: give both department and team, or neither" in page
    assert "Line 2" not in page
    assert db_counts() == before


def test_an_upload_that_is_not_utf8_names_the_bad_line(hr, signed_in):
    client = signed_in(hr)
    before = db_counts()
    data = csv_text(
        "email,name", "ana@example.org,Ana", "jose@example.org,José"
    ).encode("latin-1")

    response = upload(client, data)

    assert response.status_code == 400
    assert "Line 3: cannot read this line" in response.content.decode()
    assert db_counts() == before


def test_an_upload_without_a_file_goes_back_with_an_error(hr, signed_in):
    client = signed_in(hr)
    before = db_counts()

    response = client.post(reverse("org:people_import"), {})

    assert response.status_code == 302
    assert response.url == reverse("org:person_list")
    assert len(list(get_messages(response.wsgi_request))) == 1
    assert db_counts() == before


def test_an_employee_may_not_import_people(employee, signed_in):
    client = signed_in(employee)
    before = db_counts()

    response = upload(client, csv_text("email,name", "ana@example.org,Ana").encode())

    assert response.status_code == 403
    assert db_counts() == before
    assert not User.objects.filter(email="ana@example.org").exists()


def test_a_signed_out_visitor_is_sent_to_sign_in(client):
    response = upload(client, csv_text("email,name", "ana@example.org,Ana").encode())

    assert response.status_code == 302
    assert reverse("org:people_import") in response.url
    assert db_counts() == {"User": 0, "Person": 0, "Team": 0, "Department": 0}


def test_a_null_character_past_the_checked_head_of_the_file_rejects_its_row():
    # The upload check reads the first 4 KiB for NUL; PostgreSQL refuses it anywhere.
    rows = [f"person{n}@example.org,Person {n}" for n in range(200)]
    text = csv_text("email,name", *rows, "late@example.org,Late\x00comer")
    before = db_counts()

    with pytest.raises(PeopleImportError) as rejected:
        run_import(text)

    assert rejected.value.errors == [(202, "name contains a null character")]
    assert db_counts() == before
