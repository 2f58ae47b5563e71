"""Comment sentiment: VADER's compound score, -1 (negative) to 1 (positive)."""

from __future__ import annotations

from functools import cache

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer


@cache
def _analyzer() -> SentimentIntensityAnalyzer:
    # Loading the lexicon takes ~50 ms: once per process.
    return SentimentIntensityAnalyzer()


def comment_sentiment(text: str) -> float | None:
    """The compound score of a comment, or None when there is nothing to score."""
    if not text or not text.strip():
        return None
    return round(_analyzer().polarity_scores(text)["compound"], 4)
