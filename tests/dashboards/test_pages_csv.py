"""CSV cells: formulas neutralised, numbers kept as numbers."""

from __future__ import annotations

import csv
import io

from dashboards.csv import csv_response, safe_cell


def test_text_a_spreadsheet_would_run_is_quoted():
    for text in ("=cmd()", "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"):
        assert safe_cell(text) == "'" + text


def test_numbers_and_plain_text_are_left_alone():
    assert safe_cell(-12.5) == -12.5
    assert safe_cell(0) == 0
    assert safe_cell("2026-03-02") == "2026-03-02"
    assert safe_cell("fewer than 5 responses") == "fewer than 5 responses"
    assert safe_cell(None) == ""


def test_the_response_is_a_csv_attachment_of_the_rows():
    response = csv_response(
        "candor-x.csv", ["Team", "Mean"], [["=HYPERLINK(1)", -1.5], ["Ops", None]]
    )

    assert response["Content-Disposition"] == 'attachment; filename="candor-x.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows == [["Team", "Mean"], ["'=HYPERLINK(1)", "-1.5"], ["Ops", ""]]
