"""Every URL the project serves outside the admin, walked from the resolver."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, get_resolver


def _routes(patterns=None, prefix="", namespace=""):
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            route = prefix + str(entry.pattern)
            if route.startswith("admin/"):
                continue
            yield from _routes(entry.url_patterns, route, entry.namespace or namespace)
        elif isinstance(entry, URLPattern) and entry.name:
            name = f"{namespace}:{entry.name}" if namespace else entry.name
            yield prefix + str(entry.pattern), name


ROUTES: list[tuple[str, str]] = list(_routes())
