"""Every form, posted with hostile values by the person who may use it: never a
server error, and a refusal writes nothing while an acceptance writes everything.

The forms are found from the URL configuration: a new page that takes a POST and
is not listed in `FORMS` (or named as read-only) fails
`test_every_form_in_the_url_configuration_is_fuzzed`.
"""

from __future__ import annotations

import io

import pytest
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
    "api_schema",
    "password_reset_done",
    "password_reset_complete",
    "home",
    "org:aitool_list",
    "org:aitool_detail",
    "org:person_list",
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


CSV_CELL = st.one_of(
    s.nasty_text, s.nice_text, st.sampled_from(["hr", "leader;hr", "yes", "no", ""])
)


@st.composite
def csv_files(draw) -> bytes:
    """A people CSV: a header (some columns, maybe repeated or unknown), rows."""
    header = draw(
        st.lists(st.sampled_from([*COLUMNS, "EMAIL", "nickname", ""]), max_size=9)
    )
    rows = draw(
        st.lists(
            st.lists(CSV_CELL, min_size=len(header), max_size=len(header) + 1),
            max_size=4,
        )
    )
    out = io.StringIO()
    import csv

    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    text = out.getvalue()
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "latin-1", "utf-16"]))
    return text.encode(encoding, errors="replace")


@fuzz
@given(
    content=st.one_of(csv_files(), st.binary(max_size=200)),
    name=st.sampled_from(["people.csv", "people.xlsx", "people", "p\x00.csv", "ü.csv"]),
    content_type=st.sampled_from(["text/csv", "application/octet-stream", ""]),
)
def test_the_people_import_never_fails_and_is_all_or_nothing(
    world, content, name, content_type
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    with example():
        client = client_for(world.hr)
        before = snapshot()
        upload = SimpleUploadedFile(name, content, content_type=content_type)
        response = client.post("/people/import/", {"file": upload})
        assert response.status_code < 500
        if refused(response):
            assert snapshot() == before
