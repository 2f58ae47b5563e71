"""The connection each process keeps to the mail server (core/mail.py): emails one
after another share it; one the server closed, one idle too long or used for
enough emails, one left by an error, or one to another server is never used."""

from __future__ import annotations

import threading

import pytest
from celery.signals import worker_process_shutdown
from django.core import mail
from django.core.mail import EmailMessage

from core import mail as kept
from core.delivery import Sent, TemporaryDeliveryError, send_once
from tests.core.smtp_sink import Sink, free_port, running, use_sink, wait_until
from tests.core.test_smtp import Email


@pytest.fixture(autouse=True)
def _no_connection_from_another_test():
    kept.mail_connection_close()
    yield
    kept.mail_connection_close()


@pytest.fixture
def sink(settings):
    port = free_port()
    use_sink(settings, port, timeout=1)
    with running(Sink(), port) as server:
        yield server


def _opened(sink: Sink, before: int) -> int:
    return sink.connections - before


def test_emails_one_after_another_share_one_connection(sink):
    before = sink.connections

    outcomes = [send_once(Email()) for _ in range(3)]

    assert outcomes == [Sent.SENT] * 3
    assert len(sink.messages) == 3
    assert _opened(sink, before) == 1


def test_a_connection_the_server_closed_is_replaced_before_the_next_email(sink):
    before = sink.connections
    assert send_once(Email()) == Sent.SENT

    sink.close_connections()  # as a server does with a connection idle too long
    email = Email()

    assert send_once(email) == Sent.SENT
    assert email.calls == ["claim", "hand", "accept"]  # no retry needed
    assert len(sink.messages) == 2
    assert _opened(sink, before) == 2


def test_after_an_error_the_next_email_opens_a_new_connection(sink):
    async def later(server, session, envelope):
        return "451 Later"

    before = sink.connections
    normal = sink.handle_DATA
    sink.handle_DATA = later
    with pytest.raises(TemporaryDeliveryError):
        send_once(Email())
    sink.handle_DATA = normal

    assert send_once(Email()) == Sent.SENT
    assert _opened(sink, before) == 2


def test_a_connection_is_replaced_after_its_share_of_emails(sink, monkeypatch):
    monkeypatch.setattr(kept, "KEEP_MESSAGES", 2)
    before = sink.connections

    outcomes = [send_once(Email()) for _ in range(5)]

    assert outcomes == [Sent.SENT] * 5
    assert _opened(sink, before) == 3


def test_a_connection_idle_too_long_is_replaced(sink, monkeypatch):
    monkeypatch.setattr(kept, "KEEP_IDLE_SECONDS", 0.0)
    before = sink.connections

    send_once(Email())
    send_once(Email())

    assert _opened(sink, before) == 2


def test_another_mail_server_gets_a_connection_of_its_own(sink, settings):
    assert send_once(Email()) == Sent.SENT
    port = free_port()
    with running(Sink(), port) as other:
        use_sink(settings, port, timeout=1)

        assert send_once(Email()) == Sent.SENT

    assert len(sink.messages) == 1 and len(other.messages) == 1


def test_backends_that_do_not_speak_smtp_are_never_kept(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []

    first, second = kept.mail_connection(), kept.mail_connection()
    first.send_messages([EmailMessage("Hi", "Body", "a@example.org", ["b@ex.org"])])

    assert first is not second
    assert len(mail.outbox) == 1


def test_a_pool_process_ending_closes_its_connection_with_quit(sink):
    assert send_once(Email()) == Sent.SENT

    worker_process_shutdown.send(sender=None, pid=0, exitcode=0)

    assert wait_until(lambda: sink.quits == 1, seconds=5)
    assert kept._kept() is None


def test_each_thread_keeps_a_connection_of_its_own(sink):
    before = sink.connections
    assert send_once(Email()) == Sent.SENT

    other = threading.Thread(target=send_once, args=(Email(),))
    other.start()
    other.join()
    assert send_once(Email()) == Sent.SENT

    assert len(sink.messages) == 3
    assert sink.connections - before == 2
