"""A real SMTP server (aiosmtpd) that fails where a test says: it drops the
connection at RCPT or at the DATA command (before the body), stores the message
and then drops or stalls instead of replying (after the body), or holds RCPT until
released (a worker killed mid-send)."""

from __future__ import annotations

import asyncio
import email
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP


class Sink:
    def __init__(self) -> None:
        self.messages: list[email.message.Message] = []
        self.rcpts: list[str] = []
        self.drop_at_rcpt = 0  # drop the next N connections at RCPT
        self.drop_at_data = 0  # ... at the DATA command: no 354, no body
        self.after_body = "reply"  # "drop" or "stall": store it, say nothing
        self.stall_seconds = 0.0
        self.hold_rcpt = False  # RCPT waits until this is False again
        self.sessions: list[SMTP] = []  # every connection made, open or not
        self.loop: asyncio.AbstractEventLoop | None = None  # the server's
        self.quits = 0  # connections a client closed with QUIT

    @property
    def connections(self) -> int:
        return len(self.sessions)

    def close_connections(self) -> None:
        """Close every open connection from the server's side, as a server does
        with connections idle too long."""
        for session in self.sessions:
            if session.transport is not None:
                self.loop.call_soon_threadsafe(session.transport.close)
        time.sleep(0.2)  # the server's loop closes them

    def to(self) -> list[str]:
        return [message["To"] for message in self.messages]

    async def handle_RCPT(self, server, session, envelope, address, options):
        self.rcpts.append(address)
        if self.drop_at_rcpt:
            self.drop_at_rcpt -= 1
            server.transport.abort()
            return "250 never heard"
        while self.hold_rcpt:
            await asyncio.sleep(0.05)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_QUIT(self, server, session, envelope):
        self.quits += 1
        return "221 Bye"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content))
        if self.after_body == "drop":
            server.transport.abort()
            return "250 never heard"
        if self.after_body == "stall":
            await asyncio.sleep(self.stall_seconds)
        return "250 Message accepted"


class _DropsAtData(SMTP):
    async def smtp_DATA(self, arg: str) -> None:
        self.transport.abort()


class _Controller(Controller):
    def factory(self):
        if self.handler.drop_at_data:
            self.handler.drop_at_data -= 1
            session = _DropsAtData(self.handler, **self.SMTP_kwargs)
        else:
            session = super().factory()
        self.handler.sessions.append(session)
        self.handler.loop = self.loop
        return session


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def running(sink: Sink, port: int) -> Iterator[Sink]:
    controller = _Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield sink
    finally:
        sink.hold_rcpt = False
        controller.stop()
        asyncio.set_event_loop(asyncio.new_event_loop())


def use_sink(settings, port: int, *, timeout: int = 10) -> None:
    """Send through our SMTP backend (as EMAIL_URL=smtp:// does) to `port`."""
    settings.EMAIL_BACKEND = "core.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = timeout


def wait_until(probe, *, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if probe():
            return True
        time.sleep(0.05)
    return False
