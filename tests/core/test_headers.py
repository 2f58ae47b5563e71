"""Typed text made fit for an email header: one line, nothing invisible, short."""

from __future__ import annotations

import pytest

from core.headers import header_text


@pytest.mark.parametrize(
    ("typed", "header"),
    [
        ("Copilot\r\nBcc: all@example.com", "Copilot Bcc: all@example.com"),
        ("  two\n\nlines \r ", "two lines"),
        ("tab\tand\x0bvertical\x0cfeed", "tab and vertical feed"),
        ("line\u2028and\u2029paragraph\x85next", "line and paragraph next"),
        ("nul\x00 bell\x07 escape\x1b[31m del\x7f", "nul bell escape[31m del"),
        ("\u202egnp.exe\u202c and \u2066isolate\u2069", "gnp.exe and isolate"),
        ("\ufeffBOM first", "BOM first"),
        ("Déjà vu — 👩‍💻 naïve", "Déjà vu — 👩‍💻 naïve"),  # the emoji joiner stays
        ("", ""),
    ],
)
def test_it_keeps_one_line_of_visible_text(typed, header):
    assert header_text(typed) == header


def test_a_long_text_is_cut_at_a_word_with_an_ellipsis():
    text = "word " * 60

    header = header_text(text, max_length=50)

    assert len(header) <= 50
    assert header.endswith("word…")
    assert "  " not in header


def test_a_long_word_is_cut_where_it_must_be():
    header = header_text("x" * 300)

    assert header == "x" * 199 + "…"


def test_text_at_the_limit_is_left_whole():
    assert header_text("y" * 200) == "y" * 200
