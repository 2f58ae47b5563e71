"""Django's SMTP email backend, telling `core.delivery` where a send stands.

Whether an email may be tried again depends on where the SMTP conversation broke.
Before the message body went out the server cannot have it: try again. After the
body, a lost reply (a timeout, a disconnect) leaves its fate unknown: the server
may have stored it, so it must never be sent twice. Django's backend cannot tell
these apart, so our connection runs DATA itself:

- after RCPT, right before DATA, it calls `core.delivery.body_about_to_go()`: the
  send under way records "handed", or learns that its claim was taken over and
  raises ClaimTakenOver (nothing is sent);
- a lost reply to the body raises DeliveryFateUnknown;
- the server's 250 calls `core.delivery.body_accepted()` at once, so an error
  after it (on QUIT) cannot turn a sent email into a retry.

`config/settings.py` uses this backend whenever EMAIL_URL is smtp or smtps. Mail
sent outside `core.delivery.send_once` (a password reset) goes through unchanged,
with a lost reply raised as DeliveryFateUnknown, an SMTPException like the rest.
"""

from __future__ import annotations

import re
import smtplib

from django.core.mail.backends.smtp import EmailBackend as DjangoEmailBackend

from core.delivery import DeliveryFateUnknown, body_about_to_go, body_accepted

CRLF = b"\r\n"


class _HandsOver:
    """DATA, with our callbacks, for smtplib.SMTP and SMTP_SSL alike."""

    def data(self, msg: bytes | str) -> tuple[int, bytes]:
        body_about_to_go()
        self.putcmd("data")
        code, reply = self.getreply()
        if code != 354:
            raise smtplib.SMTPDataError(code, reply)
        if isinstance(msg, str):
            msg = msg.encode("ascii")  # sendmail hands bytes; as smtplib does
        body = re.sub(rb"(?m)^\.", b"..", msg)  # a leading dot is doubled
        if body[-2:] != CRLF:
            body += CRLF
        # A failure while sending leaves the final "." unsent: the server cannot
        # have stored the message, and the send is tried again.
        self.send(body + b"." + CRLF)
        try:
            code, reply = self.getreply()
        except smtplib.SMTPServerDisconnected as exc:
            raise DeliveryFateUnknown(f"no reply to the message: {exc}") from exc
        if code == -1:  # a reply that is not SMTP: nothing says what happened
            raise DeliveryFateUnknown(f"an unreadable reply to the message: {reply}")
        if code == 250:
            body_accepted()
        return code, reply


class HandingOverSMTP(_HandsOver, smtplib.SMTP):
    pass


class HandingOverSMTPSSL(_HandsOver, smtplib.SMTP_SSL):
    pass


class EmailBackend(DjangoEmailBackend):
    """Django's SMTP backend over a connection that reports each stage."""

    @property
    def connection_class(self) -> type[smtplib.SMTP]:
        return HandingOverSMTPSSL if self.use_ssl else HandingOverSMTP
