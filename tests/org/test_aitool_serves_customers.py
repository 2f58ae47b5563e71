"""An AI tool says whether customers are served with its help: customer surveys
then ask them about it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from org.models import AITool
from tests.org.factories import AIToolFactory

pytestmark = pytest.mark.django_db


def form_data(tool: AITool, **changes: object) -> dict[str, object]:
    data = {
        "name": tool.name,
        "kind": tool.kind,
        "status": tool.status,
        "owner": tool.owner_id,
        "purpose": tool.purpose,
        "acceptable_use": tool.acceptable_use,
        "data_sensitivity": tool.data_sensitivity,
    }
    return {**data, **changes}


def test_a_new_tool_does_not_serve_customers_until_someone_says_so():
    assert AIToolFactory().serves_customers is False


def test_hr_marks_a_tool_as_serving_customers_and_its_page_says_so(signed_in, hr):
    tool = AIToolFactory(name="Support Copilot")
    client = signed_in(hr)

    response = client.post(
        reverse("org:aitool_edit", args=[tool.pk]),
        form_data(tool, serves_customers="on"),
    )

    assert response.status_code == 302
    tool.refresh_from_db()
    assert tool.serves_customers is True
    page = client.get(reverse("org:aitool_detail", args=[tool.pk]))
    assert "Serves customers" in page.content.decode()
    assert "customer surveys ask about it" in page.content.decode()


def test_leaving_the_box_unticked_clears_it(signed_in, hr):
    tool = AIToolFactory(serves_customers=True)

    signed_in(hr).post(reverse("org:aitool_edit", args=[tool.pk]), form_data(tool))

    tool.refresh_from_db()
    assert tool.serves_customers is False
