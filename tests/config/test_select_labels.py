"""No drop-down on any page offers Django's bare "---------" as its empty choice:
each says what choosing nothing means ("Every team", "No AI tool")."""

from __future__ import annotations

import pytest

from tests.security.test_permission_matrix import ENTRIES, path_for
from tests.security.world import build_world

pytestmark = pytest.mark.django_db

PAGES = [
    (route, name) for route, name in ENTRIES if not name.startswith(("api", "admin"))
]


@pytest.fixture
def world():
    return build_world()


def test_the_walk_covers_the_forms_with_drop_downs():
    names = {name for _, name in PAGES}

    assert {
        "org:person_list",
        "org:aitool_create",
        "surveys:question_create",
        "feedback:concern_detail",
        "feedback:update_create",
    } <= names


@pytest.mark.parametrize(("route", "name"), PAGES, ids=[name for _, name in PAGES])
def test_no_page_offers_a_bare_dashed_choice(client, world, route, name):
    client.force_login(world.people["hr"].user)

    response = client.get(path_for(route, name, world, "hr"))

    assert response.status_code < 500
    assert "---------" not in response.content.decode(errors="replace"), name
