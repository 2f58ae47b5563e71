"""No drop-down on any page offers Django's bare "---------" as its empty choice:
each says what choosing nothing means ("Every team", "No AI tool")."""

from __future__ import annotations

import pytest

from org.roles import Role
from tests.config.test_every_url_is_guarded import ROUTES, _path, world  # noqa: F401
from tests.org.factories import PersonFactory

pytestmark = pytest.mark.django_db

PAGES = [(route, name) for route, name in ROUTES if not name.startswith("api")]


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
def test_no_page_offers_a_bare_dashed_choice(client, world, route, name):  # noqa: F811
    hr = PersonFactory(roles={Role.HR, Role.LEADER})
    hr.user.is_staff = True
    hr.user.save()
    client.force_login(hr.user)

    response = client.get(_path(route, name, world))

    assert response.status_code < 500
    assert "---------" not in response.content.decode(errors="replace"), name
