"""A local SMTP sink for benchmarks: accepts every message, keeps none, and
writes one line per message to a log: its recipients, space-separated, then the
token of the answering link in its body (`/s/<token>/`), or `-` when it has none.

    python benchmarks/smtp_sink.py --port 2525 --log /tmp/sink.log

It speaks SMTP through aiosmtpd (EHLO, MAIL, RCPT, DATA, QUIT and the rest), so
Candor's own backend (`core/smtp.py`) talks to it as to a mail server, one
connection per process kept across its emails (`core/mail.py`). Stops on
SIGTERM or SIGINT.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import signal
from functools import partial
from typing import TextIO

from aiosmtpd.smtp import SMTP, Envelope, Session

LINK = re.compile(rb"/s/([A-Za-z0-9_-]{20,})/")


class Sink:
    """aiosmtpd's handler: logs each message, answers 250."""

    def __init__(self, log: TextIO) -> None:
        self.log = log

    async def handle_DATA(
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        content = envelope.original_content or b""
        link = LINK.search(content)
        token = link.group(1).decode() if link else "-"
        self.log.write(f"{' '.join(envelope.rcpt_tos)} {token}\n")
        self.log.flush()
        return "250 OK: kept nowhere"


async def serve(port: int, log: TextIO) -> None:
    loop = asyncio.get_running_loop()
    # A fixed name: aiosmtpd would otherwise ask the resolver for ours.
    factory = partial(SMTP, Sink(log), hostname="sink.localhost")
    server = await loop.create_server(factory, host="127.0.0.1", port=port)
    stop = asyncio.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    async with server:
        await stop.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--log", required=True)
    args = parser.parse_args()
    with open(args.log, "a", encoding="utf-8") as log:
        asyncio.run(serve(args.port, log))


if __name__ == "__main__":
    main()
