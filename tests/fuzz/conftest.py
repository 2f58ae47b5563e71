"""Hypothesis settings shared by the fuzz tests: few examples per endpoint, the same
ones on every run (so CI is repeatable), no deadline (a first request warms caches).
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, Phase, settings

from tests.fuzz.world import build_world

# The world is built once per test and each example runs in a savepoint that is
# rolled back, so the function-scoped fixture is what we want.
# Shrinking a failure to its smallest form can take minutes per test: FUZZ_SHRINK=1
# turns it on when reading a failure, FUZZ_EXAMPLES raises the count for a long run.
PHASES = [Phase.explicit, Phase.reuse, Phase.generate]
if os.environ.get("FUZZ_SHRINK"):
    PHASES.append(Phase.shrink)
fuzz = settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "20")),
    phases=PHASES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
    ],
)


@pytest.fixture
def world(db):
    return build_world()
