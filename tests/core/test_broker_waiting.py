"""Counting what waits in a broker's queue (core/dispatch.py), so a dispatcher pass
only tops the bulk mail queue up: none for a queue never used or emptied, only
that queue's own messages, none once a worker has taken them."""

from __future__ import annotations

import uuid

import pytest
from kombu import Connection
from kombu.exceptions import OperationalError

from core.dispatch import broker_marker_plant, broker_waiting
from tests.brokers import throwaway_redis
from tests.core.test_broker_marker import _filesystem


def _put(broker: Connection, queue: str, count: int) -> None:
    simple = broker.SimpleQueue(queue)
    for n in range(count):
        simple.put({"task": "send", "n": n})
    simple.close()


def _counts_only_the_queues_own_and_untaken(broker: Connection) -> None:
    # Names of this test's own: kombu keeps the filesystem transport's exchanges
    # per process, whatever folder a test gives it.
    bulk, other = f"bulk-{uuid.uuid4().hex}", f"default-{uuid.uuid4().hex}"
    assert broker_waiting(broker, bulk) == 0  # never used
    _put(broker, bulk, 3)
    _put(broker, other, 2)
    assert broker_waiting(broker, bulk) == 3

    taken = broker.SimpleQueue(bulk)
    taken.get(timeout=1).ack()
    assert broker_waiting(broker, bulk) == 2

    taken.clear()
    taken.close()
    assert broker_waiting(broker, bulk) == 0
    assert broker_waiting(broker, other) == 2


def test_the_filesystem_broker_counts_a_queues_waiting_messages(tmp_path):
    with _filesystem(tmp_path) as broker:
        (tmp_path / "broker" / "queue").mkdir(parents=True)
        broker_marker_plant(broker)  # its file beside the messages is none of them
        _counts_only_the_queues_own_and_untaken(broker)


def test_the_memory_broker_counts_a_queues_waiting_messages():
    with Connection("memory://") as broker:
        _counts_only_the_queues_own_and_untaken(broker)


@pytest.mark.services
def test_redis_counts_a_queues_waiting_messages(tmp_path):
    with throwaway_redis(tmp_path) as server, Connection(server.url) as broker:
        broker_marker_plant(broker)
        _counts_only_the_queues_own_and_untaken(broker)


@pytest.mark.services
def test_a_broker_that_is_down_raises_rather_than_says_none_wait(tmp_path):
    with throwaway_redis(tmp_path) as server:
        url = server.url
    with Connection(url) as broker, pytest.raises(OperationalError):
        broker_waiting(broker, "bulk_mail")
