"""A tool cannot go live without an owner, a purpose and an acceptable-use text."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from org.forms import AIToolForm
from org.models import AITool
from org.services.aitools import aitool_save
from tests.org.factories import AIToolFactory, PersonFactory

pytestmark = pytest.mark.django_db

WHEN = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def set_status(tool: AITool, status: str, at: dt.datetime | None = None) -> AITool:
    """What the tool form and the admin do: change the status, save through the
    service."""
    tool.status = status
    return aitool_save(tool=tool, at=at)


def test_a_governed_tool_goes_live_and_records_when():
    tool = AIToolFactory()

    set_status(tool, AITool.Status.LIVE, at=WHEN)

    tool.refresh_from_db()
    assert tool.status == AITool.Status.LIVE
    assert tool.live_since == WHEN
    assert tool.retired_at is None


def test_retiring_records_when_and_keeps_the_live_date():
    tool = AIToolFactory()
    set_status(tool, AITool.Status.LIVE, at=WHEN)

    set_status(tool, AITool.Status.RETIRED, at=WHEN + dt.timedelta(days=30))

    tool.refresh_from_db()
    assert tool.live_since == WHEN
    assert tool.retired_at == WHEN + dt.timedelta(days=30)


@pytest.mark.parametrize(
    ("missing", "field"),
    [
        ({"owner": None}, "owner"),
        ({"purpose": "   "}, "purpose"),
        ({"acceptable_use": ""}, "acceptable_use"),
    ],
)
def test_the_service_refuses_to_set_live_without_governance(missing, field):
    tool = AIToolFactory(**missing)

    with pytest.raises(ValidationError) as error:
        set_status(tool, AITool.Status.LIVE)

    assert field in error.value.message_dict
    assert AITool.objects.get(pk=tool.pk).status == AITool.Status.PILOT


def test_the_database_refuses_a_live_tool_without_governance_even_from_raw_code():
    tool = AIToolFactory(owner=None)
    tool.status = AITool.Status.LIVE

    with pytest.raises(IntegrityError), transaction.atomic():
        tool.save()

    assert AITool.objects.get(pk=tool.pk).status == AITool.Status.PILOT


def test_the_form_shows_each_missing_piece_as_a_field_error():
    form = AIToolForm(
        data={
            "name": "Summariser",
            "kind": "vendor",
            "status": "live",
            "owner": "",
            "purpose": "",
            "acceptable_use": "",
            "data_sensitivity": "internal",
        }
    )

    assert not form.is_valid()
    assert set(form.errors) >= {"owner", "purpose", "acceptable_use"}
    assert "accountable owner" in form.errors["owner"][0]


def test_tool_names_are_unique_whatever_the_case():
    AIToolFactory(name="Support Copilot")
    form = AIToolForm(
        data={
            "name": "support copilot",
            "kind": "copilot",
            "status": "pilot",
            "data_sensitivity": "internal",
        }
    )

    assert not form.is_valid()
    assert "already exists" in str(form.errors)


def test_the_admin_refuses_to_set_a_tool_live_without_governance(admin_client):
    tool = AIToolFactory(acceptable_use="")

    response = admin_client.post(
        reverse("admin:org_aitool_change", args=[tool.pk]),
        {
            "name": tool.name,
            "kind": tool.kind,
            "status": "live",
            "owner": tool.owner_id,
            "purpose": tool.purpose,
            "acceptable_use": "",
            "data_sensitivity": "internal",
        },
    )

    assert response.status_code == 200  # the form again, with its error
    assert "acceptable-use text" in response.content.decode()
    assert AITool.objects.get(pk=tool.pk).status == AITool.Status.PILOT


def test_the_admin_stamps_the_live_date_like_our_own_pages(admin_client):
    tool = AIToolFactory()

    admin_client.post(
        reverse("admin:org_aitool_change", args=[tool.pk]),
        {
            "name": tool.name,
            "kind": tool.kind,
            "status": "live",
            "owner": tool.owner_id,
            "purpose": tool.purpose,
            "acceptable_use": tool.acceptable_use,
            "data_sensitivity": "internal",
        },
    )

    tool.refresh_from_db()
    assert tool.status == AITool.Status.LIVE
    assert tool.live_since is not None


def test_saving_strips_blank_purpose_so_spaces_do_not_pass_as_governance():
    tool = AIToolFactory.build(owner=PersonFactory(), purpose="  ", status="live")

    with pytest.raises(ValidationError):
        aitool_save(tool=tool)

    assert not AITool.objects.filter(name=tool.name).exists()
