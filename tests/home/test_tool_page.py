"""An AI tool's page, served by the home layer: it links to the tool's dashboard
only for those the dashboard itself lets in, so the link never leads to a 403."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.org.factories import AIToolFactory, TeamFactory

pytestmark = pytest.mark.django_db

LINK = 'data-testid="tool-dashboard-link"'


def test_a_team_leader_is_linked_to_a_tools_dashboard_and_may_open_it(
    signed_in, leader
):
    TeamFactory(manager=leader)
    tool = AIToolFactory()
    client = signed_in(leader)

    page = client.get(reverse("org:aitool_detail", args=[tool.pk])).content.decode()
    dashboard = client.get(reverse("dashboards:tool", args=[tool.pk]))

    assert LINK in page
    assert f'href="{reverse("dashboards:tool", args=[tool.pk])}"' in page
    assert dashboard.status_code == 200


def test_a_leader_without_a_team_is_not_linked_to_a_dashboard_they_cannot_open(
    signed_in, leader
):
    tool = AIToolFactory()
    client = signed_in(leader)

    page = client.get(reverse("org:aitool_detail", args=[tool.pk])).content.decode()
    dashboard = client.get(reverse("dashboards:tool", args=[tool.pk]))

    assert LINK not in page
    assert dashboard.status_code == 403
