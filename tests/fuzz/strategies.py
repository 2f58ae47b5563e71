"""Hostile values for forms, JSON bodies and query strings.

Each strategy mixes values a browser would send with what a script or a confused
client sends: control characters and NUL, very long strings, numbers past every
column's range, dates that do not exist, ids of other rows and of no row.
"""

from __future__ import annotations

import datetime as dt

from hypothesis import strategies as st

# Strings that have broken web applications before, one way or another.
NASTY_STRINGS = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\t\r\n",
    "\x1b[31m",
    "\u202eevil",
    "\ufeff",
    "😀" * 3,
    "²",  # a digit to str.isdigit(), not to int()
    "٣",  # an Arabic-Indic three: int() reads it
    "'; DROP TABLE org_person; --",
    "' OR 1=1 --",
    "%",
    "_",
    "\\",
    "<script>alert(1)</script>",
    "{{ 7|add:7 }}",
    "null",
    "None",
    "true",
    "[]",
    "{}",
]
NUMBERS = [
    "0",
    "-1",
    "1",
    "2",
    "3",
    "5",
    "32767",
    "32768",
    "65536",
    "2147483647",
    "2147483648",
    "-2147483649",
    "9223372036854775807",
    "9223372036854775808",
    str(10**30),
    "1e309",
    "-0",
    "1.5",
    "NaN",
    "inf",
    "-inf",
    " 3 ",
    "0x10",
    "1_000",
]
DATES = [
    "0000-00-00",
    "0001-01-01",
    "1900-01-01",
    "2026-02-30",
    "2026-13-01",
    "2026-03-02",
    "2026-03-09",
    "9999-12-31",
    "99999-01-01",
    "-2026-01-01",
    "2026-3-2",
    "today",
]
TIMES = ["00:00", "09:00", "23:59", "24:00", "25:61", "9", "09:00:60", "noon"]

nasty_text = st.one_of(
    st.sampled_from(NASTY_STRINGS),
    st.text(max_size=40),  # any code point but surrogates, control characters too
    st.builds(
        lambda char, times: char * times,
        st.sampled_from(["x", "\x00", "é", "😀", "9"]),
        st.sampled_from([121, 201, 301, 501, 2001, 10_001, 100_001]),
    ),
)
nice_text = st.text(
    alphabet=st.characters(codec="utf-8", categories=["L", "N", "Zs", "P"]),
    min_size=1,
    max_size=60,
)
number = st.one_of(
    st.sampled_from(NUMBERS),
    st.integers(-(2**70), 2**70).map(str),
    st.floats().map(str),
)
date = st.one_of(st.sampled_from(DATES), st.dates().map(str))
time = st.sampled_from(TIMES)
soon = st.dates(dt.date(2026, 1, 1), dt.date(2027, 12, 31)).map(str)


def choice(values) -> st.SearchStrategy[str]:
    return st.sampled_from([str(value) for value in values])


def ids(known: list[int]) -> st.SearchStrategy[str]:
    """The ids of real rows (of any model) and of none."""
    return st.one_of(st.sampled_from([str(pk) for pk in known] or ["1"]), number)


hostile = st.one_of(nasty_text, number, date, time)


def between(low: int, high: int) -> st.SearchStrategy[str]:
    return st.integers(low, high).map(str)


@st.composite
def form_data(draw, fields: dict[str, st.SearchStrategy[str]]) -> dict:
    """A POST body: most fields with a value the form may take, a few mangled
    (left out, hostile, or sent twice), sometimes a field the form does not know."""
    names = list(fields)
    mangled = draw(st.sets(st.sampled_from(names), max_size=3)) if names else set()
    data: dict[str, list[str]] = {}
    for name in names:
        if name not in mangled:
            data[name] = [draw(fields[name])]
            continue
        how = draw(st.sampled_from(["missing", "hostile", "twice", "nul", "long"]))
        if how == "hostile":
            data[name] = [draw(hostile)]
        elif how == "nul":  # PostgreSQL refuses NUL in text: the form must first
            data[name] = [draw(fields[name]) + "\x00"]
        elif how == "long":
            data[name] = [draw(fields[name]) * 3000]
        elif how == "twice":
            data[name] = draw(st.lists(st.one_of(fields[name], hostile), min_size=2))
    extra = draw(
        st.dictionaries(
            st.sampled_from(["id", "pk", "csrfmiddlewaretoken", "x\x00", "owner_id"]),
            st.lists(hostile, min_size=1, max_size=2),
            max_size=1,
        )
    )
    return {**extra, **data}


json_scalar = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    nasty_text,
)
json_value = st.recursive(
    json_scalar,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.text(max_size=10), inner, max_size=3),
    ),
    max_leaves=8,
)


def json_body(fields: dict[str, st.SearchStrategy]) -> st.SearchStrategy[object]:
    """A JSON body: every field with a good value or, now and then, a hostile one;
    some fields left out; or not an object at all."""
    value = {
        name: st.one_of(valid, valid, valid, json_value, st.just("a\x00b"))
        for name, valid in fields.items()
    }
    return st.one_of(
        st.fixed_dictionaries(value),
        st.fixed_dictionaries({}, optional=value),
        json_value,
    )


# Every query parameter a page or endpoint reads (request.GET, the dashboards'
# Filters, the board's filter form, DRF's pagination), and some no page reads.
QUERY_NAMES = [
    "since",
    "until",
    "department",
    "team",
    "survey",
    "tool",
    "csv",
    "page",
    "q",
    "search",
    "status",
    "category",
    "owner",
    "ai_tool",
    "audience",
    "mine",
    "following",
    "sort",
    "driver",
    "tone",
    "key",
    "concern",
    "next",
    "format",
    "page_size",
    "x\x00y",
]
query_value = st.one_of(
    nasty_text,
    st.sampled_from(["\x00", "1\x00", "2026-03-02\x00"]),
    number,
    date,
    st.sampled_from(
        [
            "sentiment",
            "participation",
            "flow",
            "newest",
            "support",
            "overdue",
            "due",
            "unanswered",
            "open",
            "draft",
            "scheduled",
            "paused",
            "archived",
            "employees",
            "customers",
            "trust",
            "negative",
            "on",
            "1",
            "last",
            "json",
            "api",
        ]
    ),
)


def query(known: list[int]) -> st.SearchStrategy[list[tuple[str, str]]]:
    """A query string as pairs, with repeated keys."""
    return st.lists(
        st.tuples(st.sampled_from(QUERY_NAMES), st.one_of(query_value, ids(known))),
        max_size=6,
    )
