"""The API's front door: `/api/v1/` lists where things are, `/api/docs/` is
Swagger UI served from our own static files (static/vendor/swagger-ui/), started
by static/api/docs.js so that it runs under the site's CSP."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import permissions, serializers
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView


class Index(APIView):
    """Where the API's schema and documentation are, and its collections."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(
        responses=inline_serializer(
            "ApiIndex",
            {
                "schema": serializers.URLField(),
                "docs": serializers.URLField(),
                "endpoints": serializers.DictField(child=serializers.URLField()),
            },
        )
    )
    def get(self, request: Request) -> Response:
        def url(name: str) -> str:
            return request.build_absolute_uri(reverse(name))

        return Response(
            {
                "schema": url("api_schema"),
                "docs": url("api_docs"),
                "endpoints": {
                    name: url(f"api:{name}")
                    for name in ("tools", "concerns", "surveys", "tokens")
                },
            }
        )


class Missing(APIView):
    """Anything else under /api/v1/: a 404 in the API's error shape, not a page."""

    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []
    throttle_classes: list = []
    schema = None  # not an endpoint

    def initial(self, request, *args, **kwargs) -> None:
        raise NotFound("No such endpoint: see /api/v1/ and /api/docs/.")


@require_safe
def docs(request: HttpRequest) -> HttpResponse:
    """Swagger UI over /api/schema/: open to all, like the schema (shapes only)."""
    return render(request, "api/docs.html")
