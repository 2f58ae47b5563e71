"""The cast of the board's page tests. A test module may define its own `people`."""

from __future__ import annotations

import pytest

from org.roles import Role
from tests.org.factories import AIToolFactory, PersonFactory


@pytest.fixture
def people(db):
    return {
        "hr": PersonFactory(roles={Role.HR}, name="Hana HR"),
        "owner": PersonFactory(roles={Role.LEADER}, name="Olga Owner"),
        "raiser": PersonFactory(name="Rita Raiser"),
        "other": PersonFactory(name="Otto Other"),
    }


@pytest.fixture
def tool(people):
    return AIToolFactory(owner=people["owner"], name="Copilot")
