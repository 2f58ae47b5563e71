"""The anonymity floor's arithmetic, including differencing attempts."""

from __future__ import annotations

from dashboards.suppression import apply, cut_hidden, label, suppressed_keys


def test_groups_at_or_above_the_floor_are_all_shown():
    assert suppressed_keys({"a": 5, "b": 9, "c": 12}, floor=5) == set()


def test_a_small_group_is_hidden_with_its_smallest_sibling():
    # Showing b and c beside the total would give a away by subtraction.
    assert suppressed_keys({"a": 2, "b": 9, "c": 12}, floor=5) == {"a", "b"}


def test_hidden_siblings_add_up_to_at_least_the_floor():
    # a (1) + b (3) are both small, but together still below 5: add c too.
    assert suppressed_keys({"a": 1, "b": 3, "c": 6, "d": 20}, floor=5) == {
        "a",
        "b",
        "c",
    }


def test_two_small_groups_reaching_the_floor_together_hide_nothing_else():
    assert suppressed_keys({"a": 2, "b": 3, "c": 40}, floor=5) == {"a", "b"}


def test_empty_groups_are_neither_hidden_nor_counted():
    assert suppressed_keys({"a": 0, "b": 8, "c": 9}, floor=5) == set()
    assert suppressed_keys({"a": 0, "b": 2, "c": 9}, floor=5) == {"b", "c"}


def test_a_lone_small_group_is_hidden():
    assert suppressed_keys({"only": 3}, floor=5) == {"only"}


def test_a_team_of_six_filtered_down_to_four_is_hidden_at_floor_three():
    # The differencing attack: 6 shown, 4 shown, so the 2 removed are exposed.
    assert cut_hidden(4, 6, floor=3) is True
    assert cut_hidden(3, 6, floor=3) is False  # removed 3 is itself a group
    assert cut_hidden(6, 6, floor=3) is False  # the filter removed nobody
    assert cut_hidden(2, 6, floor=3) is True  # the cut itself is small
    assert cut_hidden(0, 6, floor=3) is False  # empty: nothing to show anyway


def test_apply_blanks_the_figures_and_counts_of_hidden_rows():
    rows = [
        {"team": "Support", "n": 2, "mean": 2.0},
        {"team": "Platform", "n": 7, "mean": 4.1},
        {"team": "Growth", "n": 30, "mean": 3.6},
    ]
    shown = apply(rows, key="team", count="n", floor=5, fields=["mean"])
    assert [r["suppressed"] for r in shown] == [True, True, False]
    assert shown[0]["mean"] is None and shown[0]["n"] is None
    assert shown[1]["mean"] is None
    assert shown[2] == {"team": "Growth", "n": 30, "mean": 3.6, "suppressed": False}
    assert rows[0]["mean"] == 2.0  # the input is not changed


def test_the_label_names_the_floor():
    assert label(5) == "fewer than 5 responses"
