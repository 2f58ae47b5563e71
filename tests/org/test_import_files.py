"""Which files the people import accepts (a .csv, at most 20 MB, UTF-8 with or
without a BOM), and what it tells HR about the others, saving nothing."""

from __future__ import annotations

import io

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from org.models import Person, User
from org.services.import_files import MAX_IMPORT_BYTES

pytestmark = pytest.mark.django_db

GOOD = "email,name\r\nana@example.org,Ana\r\njose@example.org,José Núñez\r\n"
WINDOWS_1252 = "email,name\r\nana@example.org,Ana\r\njose@example.org,José\r\n".encode(
    "cp1252"
)
XLSX = b"PK\x03\x04\x14\x00\x06\x00" + b"\x00" * 200  # how every .xlsx begins


def upload(client, name: str, data: bytes, content_type: str = "text/csv"):
    return client.post(
        reverse("org:people_import"),
        {"file": SimpleUploadedFile(name, data, content_type=content_type)},
    )


def refusal(response) -> str:
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


def saved_nobody() -> bool:
    return not Person.objects.exclude(user__email__startswith="person").exists()


@pytest.fixture
def hr_client(hr, signed_in):
    return signed_in(hr)


# --- the upload page -------------------------------------------------------------


def test_a_utf8_file_with_excels_bom_and_content_type_is_imported(hr_client):
    data = "\ufeff".encode() + GOOD.encode()

    response = upload(hr_client, "People.CSV", data, "application/vnd.ms-excel")

    assert response.status_code == 302
    assert refusal(response) == "Imported 2 people: 2 new, 0 updated."
    assert Person.objects.get(user__email="ana@example.org").name == "Ana"
    assert Person.objects.get(user__email="jose@example.org").name == "José Núñez"


def test_a_windows_1252_file_is_refused_with_what_to_do_and_its_line(hr_client):
    response = upload(hr_client, "people.csv", WINDOWS_1252)

    assert response.status_code == 400
    page = response.content.decode()
    assert (
        "Line 3: cannot read this line: it is not UTF-8 text (byte 0xE9, "
        "“é” in Windows&#x27; Western encoding). Save it as CSV UTF-8" in page
    )
    assert "“CSV UTF-8 (Comma delimited) (*.csv)”" in page
    assert "codec" not in page
    assert saved_nobody()


def test_a_file_over_20_mb_is_refused(hr_client):
    data = GOOD.encode() + b"x" * (MAX_IMPORT_BYTES + 1 - len(GOOD.encode()))

    response = upload(hr_client, "people.csv", data)

    assert response.status_code == 302
    assert refusal(response) == (
        "people.csv is 20.0 MB; the limit is 20 MB. Split it into smaller files, "
        "each with the header row, and import them one after another."
    )
    assert saved_nobody()


def test_a_file_not_named_csv_is_refused(hr_client):
    response = upload(hr_client, "people.xlsx", XLSX)

    assert "people.xlsx is not a .csv file. Save it as CSV UTF-8" in refusal(response)
    assert saved_nobody()


def test_a_workbook_renamed_to_csv_is_refused(hr_client):
    response = upload(hr_client, "people.csv", XLSX, "application/vnd.ms-excel")

    assert refusal(response).startswith(
        "people.csv is a spreadsheet workbook (.xlsx or .ods) or another zipped "
        "file, not CSV text, though its name ends in .csv."
    )
    assert saved_nobody()


def test_a_file_sent_as_another_type_is_refused(hr_client):
    response = upload(hr_client, "people.csv", GOOD.encode(), "image/png")

    assert refusal(response).startswith(
        "people.csv was sent as image/png, not as CSV text."
    )
    assert saved_nobody()


def test_utf16_text_from_excel_is_refused_by_name(hr_client):
    data = "\ufeff".encode("utf-16-le") + GOOD.encode("utf-16-le")

    response = upload(hr_client, "people.csv", data, "text/plain")

    assert "is UTF-16 text (Excel's “Unicode Text”)" in refusal(response)
    assert saved_nobody()


# --- the command -----------------------------------------------------------------


def run_command(path):
    call_command("import_people", str(path), stdout=io.StringIO())


def test_the_command_imports_a_utf8_file_with_a_bom(tmp_path):
    path = tmp_path / "people.csv"
    path.write_bytes("\ufeff".encode() + GOOD.encode())

    run_command(path)

    assert sorted(User.objects.values_list("email", flat=True)) == [
        "ana@example.org",
        "jose@example.org",
    ]


def test_the_command_refuses_a_windows_1252_file_naming_the_line(tmp_path):
    path = tmp_path / "people.csv"
    path.write_bytes(WINDOWS_1252)

    with pytest.raises(CommandError) as refused:
        run_command(path)

    message = str(refused.value)
    assert "line 3: cannot read this line: it is not UTF-8 text (byte 0xE9" in message
    assert "Save it as CSV UTF-8" in message
    assert User.objects.count() == 0


def test_the_command_refuses_a_file_over_20_mb(tmp_path):
    path = tmp_path / "people.csv"
    with path.open("wb") as file:
        file.write(GOOD.encode())
        file.truncate(MAX_IMPORT_BYTES + 1)  # sparse: no 20 MB written

    with pytest.raises(CommandError, match="the limit is 20 MB. Split it"):
        run_command(path)

    assert User.objects.count() == 0


def test_the_command_refuses_a_file_that_is_not_csv(tmp_path):
    named = tmp_path / "people.xlsx"
    named.write_bytes(XLSX)
    renamed = tmp_path / "people.csv"
    renamed.write_bytes(XLSX)

    with pytest.raises(CommandError, match="people.xlsx is not a .csv file"):
        run_command(named)
    with pytest.raises(CommandError, match="is a spreadsheet workbook"):
        run_command(renamed)

    assert User.objects.count() == 0


def test_one_imported_person_reads_in_the_singular(hr_client):
    data = b"email,name\r\nana@example.org,Ana\r\n"

    response = upload(hr_client, "people.csv", data)

    assert refusal(response) == "Imported 1 person: 1 new, 0 updated."
    assert Person.objects.get(user__email="ana@example.org").name == "Ana"
