from __future__ import annotations

import pytest

from dashboards.metrics import accuracy


@pytest.fixture
def board_floor(monkeypatch):
    """The board's ratings have a fixed floor of 5; hand counts made for 3, the
    floor of their tests' surveys, set it to 3 (a fixed number either way,
    whatever surveys exist)."""
    monkeypatch.setattr(accuracy, "BOARD_FLOOR", 3)
