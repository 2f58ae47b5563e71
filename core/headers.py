"""Text bound for an email header (a subject): one line, nothing invisible, short.

People type titles; a header cannot carry a line break (Django refuses the whole
message, BadHeaderError), and control or direction-override characters in one
garble or disguise it. Whatever builds a subject from typed text passes it here.
"""

from __future__ import annotations

import unicodedata

MAX_HEADER_LENGTH = 200  # characters; mail clients show far fewer

# Direction embeddings, overrides and isolates (which can make a subject read
# backwards), and the byte-order mark: invisible "format" characters with no place
# in a one-line header. Others of that class (the emoji joiner) are kept.
_INVISIBLE = {
    *map(chr, range(0x202A, 0x202F)),
    *map(chr, range(0x2066, 0x206A)),
    "\ufeff",
}


def header_text(value: str, *, max_length: int = MAX_HEADER_LENGTH) -> str:
    """`value` fit for an email header: each run of whitespace (line breaks, tabs,
    Unicode line separators) becomes one space, control and invisible characters
    go, and past `max_length` characters it is cut at a word with "…"."""
    kept = "".join(
        char
        for char in value
        if char.isspace()
        or (unicodedata.category(char) not in ("Cc", "Cs") and char not in _INVISIBLE)
    )
    text = " ".join(kept.split())
    if len(text) <= max_length:
        return text
    cut = text[: max_length - 1]
    word_end = cut.rfind(" ")
    if word_end > max_length * 3 // 4:
        cut = cut[:word_end]
    return cut.rstrip(" ,;:-") + "…"
