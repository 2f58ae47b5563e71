"""gunicorn's settings: `gunicorn config.wsgi -c config/gunicorn.py …` (Procfile).

The access log, off by default (Django logs each request), names every request
when turned on; its lines go through `config.logs`, so a survey link's token, a
customer's link or a password reset never reaches it, neither in the request line
nor in a Referer. Bind address and workers stay on the command
line, where each environment sets them.
"""

from __future__ import annotations

from typing import Any

from gunicorn.glogging import Logger

from config.logs import redact_secrets


class RedactingLogger(Logger):
    """gunicorn's logger, with secret path segments redacted from every access-log
    value (request line, path, query, Referer, any header or environ value)."""

    def atoms(self, resp: Any, req: Any, environ: dict, request_time: Any) -> dict:
        atoms = super().atoms(resp, req, environ, request_time)
        return {
            name: redact_secrets(value) if isinstance(value, str) else value
            for name, value in atoms.items()
        }


logger_class = RedactingLogger
# Off: Django logs one line per request (config/requestlog.py) with the route and a
# request id, in LOG_FORMAT, so a second line per request would only repeat it.
# `--access-logfile -` turns this one back on, still redacted.
accesslog = None
# No client address, user agent or Referer: beside the time of a `POST /board/new/`
# they would tie an anonymous concern (or a survey answer) to a person's machine.
# The time, the request line (redacted), the status, the size and the duration.
access_log_format = '%(t)s "%(r)s" %(s)s %(b)s %(L)ss'
