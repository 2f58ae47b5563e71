"""Every form, posted with hostile values by the person who may use it: never a
server error, and a refusal writes nothing while an acceptance writes everything.

The forms are found from the URL configuration: a new page that takes a POST and
is not listed in `FORMS` (or named as read-only) fails
`test_every_form_in_the_url_configuration_is_fuzzed`.
"""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.contrib.messages import get_messages
from hypothesis import event, given
from hypothesis import strategies as st

from org.services.people_import import COLUMNS
from tests.fuzz import strategies as s
from tests.fuzz.conftest import fuzz
from tests.fuzz.forms_spec import FORMS
from tests.fuzz.urls import ROUTES
from tests.fuzz.world import client_for, example, refused, snapshot

# Pages that only show things: no POST handling of their own (a POST is a GET,
# a 405, or the guard's refusal), fuzzed through their query strings instead.
READ_ONLY = {
    "healthz",
    "livez",
    "api_schema",
    "api_index",
    "api_docs",
    "password_reset_done",
    "password_reset_complete",
    "home",
    "org:aitool_list",
    "org:aitool_detail",
    "org:person_list",
    "org:people_sync",  # a run's progress: GET only (require_safe)
    "surveys:answer_thanks",
    "surveys:survey_list",
    "surveys:survey_detail",
    "surveys:survey_preview",
    "feedback:board",
    "feedback:moderation",
    "feedback:concern_detail",
    "feedback:you_said_we_did",
    "feedback:update_list",
    "feedback:customer_concern",
    "dashboards:overview",
    "dashboards:concerns",
    "dashboards:customers",
    "dashboards:comments",
    "dashboards:tools",
    "dashboards:tool",
    "password_change",
    "password_change_done",
}
SEPARATE = {"org:people_import"}  # a file upload: its own test below


def test_every_form_in_the_url_configuration_is_fuzzed():
    names = {name for _, name in ROUTES if not name.startswith("api:")}
    fuzzed = {form.name for form in FORMS} | SEPARATE
    assert names - READ_ONLY - fuzzed == set()
    assert fuzzed - names == set()


def _post(form, world, data):
    client = client_for(world.person(form.role) if form.role else None)
    before = snapshot()
    response = client.post(form.path(world), data)
    event(f"answered {response.status_code}")  # --hypothesis-show-statistics
    assert response.status_code < 500, response.status_code
    worked = form.ok_200 and response.status_code == 200
    if refused(response) and not worked:
        assert snapshot() == before, (response.status_code, data)
    elif form.whole is not None:
        form.whole(world, data, before[0], snapshot()[0])
    return response


@pytest.mark.parametrize(
    "form", FORMS, ids=[f"{form.name}-{n}" for n, form in enumerate(FORMS)]
)
def test_a_form_never_fails_and_never_half_writes(world, form):
    @fuzz
    @given(data=s.form_data(form.fields(world)))
    def run(data):
        with example():
            _post(form, world, data)

    run()


VALID_CELLS = {
    "email": st.integers(0, 9).map(lambda n: f"new{n}@example.org"),
    "name": s.nice_text,
    "department": s.choice(["Support", "Sales"]),
    "team": s.choice(["Tier 1", "Tier 2"]),
    "job_title": s.nice_text,
    "manager_email": s.choice(["", "new1@example.org"]),
    "roles": s.choice(["employee", "leader;hr", ""]),
    "active": s.choice(["yes", "no", ""]),
}


@st.composite
def csv_files(draw) -> bytes:
    """A people CSV: the known columns (sometimes one mangled), rows of good values
    with a few hostile cells, sometimes after enough good rows to pass the 4 KiB
    the upload check reads."""
    header = list(COLUMNS)
    if draw(st.booleans()):
        header[draw(st.integers(0, len(header) - 1))] = draw(
            st.sampled_from(["EMAIL", "nickname", "", "name"])
        )
    padding = draw(st.sampled_from([0, 0, 120]))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for n in range(padding):
        writer.writerow([f"pad{n}@example.org", f"Padding {n}", "", "", "", "", "", ""])
    for _ in range(draw(st.integers(0, 4))):
        row = [draw(VALID_CELLS.get(column, s.nice_text)) for column in header]
        for index in draw(st.sets(st.integers(0, len(header) - 1), max_size=2)):
            row[index] = draw(st.one_of(s.hostile, st.just("a\x00b")))
        writer.writerow(row)
    encoding = draw(
        st.sampled_from(["utf-8", "utf-8", "utf-8-sig", "latin-1", "utf-16"])
    )
    return out.getvalue().encode(encoding, errors="replace")


@fuzz
@given(
    content=st.one_of(csv_files(), st.binary(max_size=200)),
    name=st.sampled_from(["people.csv", "people.xlsx", "people", "p\x00.csv", "ü.csv"]),
    content_type=st.sampled_from(["text/csv", "application/octet-stream", ""]),
    # The box's values, and whether each ticks it (the last one sent counts).
    welcome=st.sampled_from(
        [
            (["on"], True),
            ([""], False),
            ([], False),
            (["", "on"], True),
            (["false"], False),
        ]
    ),
)
def test_the_people_import_never_fails_and_is_all_or_nothing(
    world, content, name, content_type, welcome
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    with example():
        client = client_for(world.hr)
        before = snapshot()
        upload = SimpleUploadedFile(name, content, content_type=content_type)
        response = client.post(
            "/people/import/", {"file": upload, "welcome": welcome[0]}
        )
        assert response.status_code < 500
        if refused(response):
            assert snapshot() == before
        else:  # the report says what was written, all of it
            after = snapshot()[0]
            said = [str(m) for m in get_messages(response.wsgi_request)]
            created = int(re.search(r"(\d+) new", said[0]).group(1))
            welcomed = re.search(r"(\d+) welcome", said[0])
            welcomes = int(welcomed.group(1)) if welcomed else 0
            assert after["org_person"] - before[0]["org_person"] == created, said
            assert after["org_welcome"] - before[0]["org_welcome"] == welcomes, said
            if not welcome[1]:  # unticked: a quiet import
                assert welcomes == 0, (welcome, said)
