"""The broker's marker (core/dispatch.py): planted once, missing again exactly when
the broker lost its state, never taken for a message."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from kombu import Connection

from core.dispatch import BROKER_MARKER_KEY, broker_marker_plant
from tests.brokers import throwaway_redis


def _filesystem(var_dir: Path) -> Connection:
    # The layout config/settings.py gives the filesystem broker: one queue folder.
    queue = var_dir / "broker" / "queue"
    return Connection(
        "filesystem://",
        transport_options={
            "data_folder_in": str(queue),
            "data_folder_out": str(queue),
            "control_folder": str(var_dir / "broker" / "control"),
            "store_processed": False,
        },
    )


def test_the_first_plant_finds_it_missing_and_the_next_ones_find_it(tmp_path):
    with _filesystem(tmp_path) as broker:
        assert [broker_marker_plant(broker) for _ in range(3)] == [True, False, False]


def test_an_emptied_queue_folder_is_a_lost_broker(tmp_path):
    with _filesystem(tmp_path) as broker:
        broker_marker_plant(broker)
        for path in (tmp_path / "broker" / "queue").iterdir():
            path.unlink()

        assert broker_marker_plant(broker) is True
        assert broker_marker_plant(broker) is False


def test_a_removed_broker_folder_is_a_lost_broker_and_comes_back(tmp_path):
    with _filesystem(tmp_path) as broker:
        broker_marker_plant(broker)
        shutil.rmtree(tmp_path / "broker")

        assert broker_marker_plant(broker) is True
        assert (tmp_path / "broker" / "queue").is_dir()


def test_the_marker_is_never_taken_for_a_message(tmp_path):
    with _filesystem(tmp_path) as broker:
        broker_marker_plant(broker)
        queue = broker.SimpleQueue("celery")
        queue.put({"task": "one"})

        assert queue.qsize() == 1
        assert queue.get(timeout=1).payload == {"task": "one"}
        assert queue.qsize() == 0
        queue.clear()
        queue.close()

        assert broker_marker_plant(broker) is False  # neither consumed nor purged


def test_a_transport_without_a_marker_says_so():
    with Connection("memory://") as broker:
        assert broker_marker_plant(broker) is None


@pytest.mark.services
def test_on_redis_flushall_flushdb_and_a_restart_each_lose_the_marker(tmp_path):
    with throwaway_redis(tmp_path) as server:
        losses = []
        for lose in (server.client.flushall, server.client.flushdb, server.restart):
            with Connection(server.url) as broker:
                assert broker_marker_plant(broker) in (True, False)
                assert broker_marker_plant(broker) is False
            lose()
            with Connection(server.url) as broker:
                losses.append(broker_marker_plant(broker))

        assert losses == [True, True, True]
        assert server.client.exists(BROKER_MARKER_KEY) == 1


@pytest.mark.services
def test_on_redis_another_db_emptied_keeps_the_marker(tmp_path):
    with throwaway_redis(tmp_path) as server:
        with Connection(server.url) as broker:
            broker_marker_plant(broker)
        other = type(server.client)(port=server.port, db=1)
        other.set("candor:cache", "x")
        other.flushdb()

        with Connection(server.url) as broker:
            assert broker_marker_plant(broker) is False


@pytest.mark.services
def test_on_redis_a_pass_costs_one_command_on_an_open_connection(tmp_path):
    with throwaway_redis(tmp_path) as server, Connection(server.url) as broker:
        broker_marker_plant(broker)
        server.client.config_resetstat()

        broker_marker_plant(broker)
        broker_marker_plant(broker)

        stats = server.client.info("commandstats")
        assert stats.pop("cmdstat_set")["calls"] == 2
        assert set(stats) == {"cmdstat_config|resetstat"}
