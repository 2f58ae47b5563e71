"""customer_links: a working private link per active customer, printed or emailed."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command

from tests.org.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def test_links_are_printed_and_emailed_and_each_opens_that_customers_board(
    client, mailoutbox, settings
):
    settings.CANDOR_BASE_URL = "http://testserver"
    first = CustomerFactory(segment="Enterprise")
    CustomerFactory(segment="Public sector")
    CustomerFactory(segment="Enterprise", is_active=False)
    out = io.StringIO()
    call_command("customer_links", "--segment", "Enterprise", "--email", stdout=out)

    assert [m.to for m in mailoutbox] == [[first.email]]
    link = re.search(r"http://testserver(/\S+)", mailoutbox[0].body).group(1)
    assert link in out.getvalue()
    assert client.get(link).status_code == 200
