"""Read-only metrics: selectors that aggregate in the database (docs/design.md).

Each returns plain data; pages, charts and exports format it.
"""

from dashboards.metrics.accuracy import ToolAccuracy, ai_accuracy

__all__ = ["ToolAccuracy", "ai_accuracy"]
