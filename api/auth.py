"""Signing in to the API with a token: `Authorization: Token <key>` or
`Authorization: Bearer <key>`, looked up by its SHA-256 (`api.tokens`).

A revoked or expired token, or one whose account is deactivated, is a 401; a
read-only token asking to change something is a 403, refused here rather than
by each view's permissions so that no endpoint can forget it.
"""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions
from rest_framework.permissions import SAFE_METHODS

from api.models import Scope
from api.tokens import api_token_find, api_token_used

KEYWORDS = ("token", "bearer")
READ_ONLY = "This token is read-only: ask HR for a read-write token to change anything."


class ApiTokenAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        parts = authentication.get_authorization_header(request).split()
        if not parts or parts[0].decode(errors="replace").lower() not in KEYWORDS:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                "Send one token: 'Authorization: Token <key>'."
            )
        try:
            key = parts[1].decode()
        except UnicodeDecodeError as error:
            raise exceptions.AuthenticationFailed("That is not a token.") from error
        token = api_token_find(key=key)
        now = timezone.now()
        if token is None:
            raise exceptions.AuthenticationFailed("No such token.")
        if token.revoked_at is not None:
            raise exceptions.AuthenticationFailed("This token has been revoked.")
        if not token.is_live(now):
            raise exceptions.AuthenticationFailed("This token has expired.")
        if not token.owner.is_active:
            raise exceptions.AuthenticationFailed(
                "This token's account is deactivated."
            )
        if token.scope != Scope.WRITE and request.method not in SAFE_METHODS:
            raise exceptions.PermissionDenied(READ_ONLY)
        api_token_used(token=token, now=now)
        return token.owner, token

    def authenticate_header(self, request) -> str:
        return 'Token realm="api"'


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = ApiTokenAuthentication
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token <key>` or `Bearer <key>`: a token HR created "
            "(People → API tokens, or `manage.py api_token_create`).",
        }
