"""How a figure under the anonymity floor is labelled. The floor itself is kept
by the privacy engine (`dashboards.privacy`), which every figure goes through."""

from __future__ import annotations


def label(floor: int) -> str:
    """What a hidden figure says instead, when no more precise reason is known."""
    return f"fewer than {floor} responses"


# An AI tool's own page shows its accuracy shares only from this many verdicts
# (every verdict counted there is already in a whole cell of the privacy engine;
# below this the shares would say more about a few people than about the tool).
ACCURACY_MIN_SHOWN = 5
