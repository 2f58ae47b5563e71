"""Logs never carry a link's secret: redaction for Django's logs and gunicorn's.

Some paths are credentials: a survey answer link (`/s/<token>/`), a customer's
board (`/c/<token>/…`), an email's unsubscribe link (`/unsubscribe/<token>/`) and a
password reset (`/accounts/reset/<uidb64>/<token>/`). Whoever reads a log line with
one can answer as that person, read as that customer or set their password.
`redact_secrets` replaces those segments wherever they appear in a line (a request
line, a Referer, "Not Found: /s/…"); `RedactSecrets` applies it to log records, and
`config/gunicorn.py` to gunicorn's access log. `tests/config/test_logs.py` walks
the URL configuration so that a new route with a token cannot be missed here.

`JsonFormatter` writes each record as one JSON line when `LOG_FORMAT=json`, for a
log collector; the request lines (`config.requestlog`) and task lines
(`config.celery`) carry their values as fields.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re

REDACTED = "[redacted]"

# A path starts the text, or follows a space, a quote, "=" or a scheme and host.
_START = r"(?P<start>^|[\s\"'=(]|[a-z]+://[^/\s\"']+)"
_SEGMENT = r"[^/?#\s\"']+"
_SECRET_PATHS = [
    # /s/thanks/ is the page after answering, not a link.
    re.compile(_START + r"(?P<head>/s/)(?!thanks/)(?P<secret>" + _SEGMENT + ")"),
    re.compile(_START + r"(?P<head>/c/)(?P<secret>" + _SEGMENT + ")"),
    re.compile(_START + r"(?P<head>/unsubscribe/)(?P<secret>" + _SEGMENT + ")"),
    # A signed-in person's own answer page names their invitation: with the time
    # of the line, it would say when they answered.
    re.compile(_START + r"(?P<head>/me/surveys/)(?P<secret>" + _SEGMENT + ")"),
    # Both the user's id and the token; Django then moves to .../set-password/.
    re.compile(
        _START
        + r"(?P<head>/accounts/reset/)(?P<secret>"
        + _SEGMENT
        + r"(?:/(?!set-password/)"
        + _SEGMENT
        + r")?)"
    ),
]


def redact_secrets(text: str) -> str:
    """`text` with every secret path segment replaced by [redacted]."""
    for pattern in _SECRET_PATHS:
        text = pattern.sub(_replace, text)
    return text


def _replace(match: re.Match[str]) -> str:
    secret = match["secret"]
    hidden = "/".join(REDACTED for _ in secret.split("/"))
    return match["start"] + match["head"] + hidden


class RedactSecrets(logging.Filter):
    """Rewrites a record's message without secret path segments; drops nothing."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record: logging reports it, not us
            return True
        redacted = redact_secrets(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True


class NoTracebackForRefusals(logging.Filter):
    """A 4xx that Django logs with its exception (a PermissionDenied becomes "403
    Forbidden" with the traceback) keeps its WARNING line but not the traceback: a
    refusal is the site working, and a stack trace in the log would read as a
    fault. 5xx records keep theirs."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", 500) < 500:
            record.exc_info, record.exc_text = None, None
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line (`LOG_FORMAT=json`): time, level, logger, message,
    and a record's `fields` (the request and task lines' named values) as keys of
    their own. The whole line is redacted again: a formatter sees values no filter
    rewrote (an exception's text, a field)."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            **getattr(record, "fields", {}),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return redact_secrets(json.dumps(entry, default=str))
