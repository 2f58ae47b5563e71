"""How a figure under the anonymity floor is labelled. The floor itself is kept
by the privacy engine (`dashboards.privacy`), which every figure goes through."""

from __future__ import annotations


def label(floor: int) -> str:
    """What a hidden figure says instead, when no more precise reason is known."""
    return f"fewer than {floor} responses"
