"""The site's own address, for every link that leaves it (emails, the admin).

Web, workers, beat and a `manage.py` run in a shell must all write the same links,
and only the web process has a request to read a host from, so none of them reads
one. The address is, in order:

1. `CANDOR_BASE_URL` when it is set (production: `https://candor.example.com`);
2. else the Sites framework's current site, as `manage.py site_address` (and so
   `make run`) set it in the database that every process shares, with `https`
   when `HTTPS` is on;
3. else, while the site still has Django's placeholder `example.com`, the first
   single host of `ALLOWED_HOSTS`, with runserver's port 8000 for a loopback
   name when `HTTPS` is off.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.sites.models import Site
from django.core.exceptions import ImproperlyConfigured

PLACEHOLDER = "example.com"  # what Django's sites app starts with
LOOPBACK = {"localhost", "127.0.0.1", "[::1]"}


def site_root() -> str:
    """`scheme://host[:port]` without a final slash, e.g. `http://127.0.0.1:8000`.

    Raises ImproperlyConfigured when nothing names a single host (ALLOWED_HOSTS
    of only wildcards and no site address set)."""
    if settings.CANDOR_BASE_URL:
        return settings.CANDOR_BASE_URL
    scheme = "https" if settings.HTTPS else "http"
    domain = Site.objects.get_current().domain
    if domain and domain != PLACEHOLDER:
        return f"{scheme}://{domain}"
    return f"{scheme}://{_host_from_allowed_hosts()}"


def site_url(path: str) -> str:
    """The absolute address of a path from `reverse()`, e.g. `site_url("/s/abc/")`."""
    return site_root() + path


def _host_from_allowed_hosts() -> str:
    for host in settings.ALLOWED_HOSTS:
        if host == "*" or host.startswith("."):
            continue
        if host in LOOPBACK and not settings.HTTPS:
            return f"{host}:8000"
        return host
    raise ImproperlyConfigured(
        "Links in emails need the site's address: set CANDOR_BASE_URL, or run "
        "`manage.py site_address HOST[:PORT]`, or name a host in ALLOWED_HOSTS."
    )
