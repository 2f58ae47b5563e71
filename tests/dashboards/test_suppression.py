"""What a figure hidden by the anonymity floor says, when no more precise reason
is known. Which figures are hidden is the privacy engine's (`test_partition`, and
the metric and page tests)."""

from __future__ import annotations

from dashboards.suppression import label


def test_the_label_names_the_floor():
    assert label(5) == "fewer than 5 responses"
