"""Who may call what: one Django permission per endpoint, as the page's view checks."""

from __future__ import annotations

from rest_framework import permissions


class HasPerm(permissions.BasePermission):
    """Signed in and holding one Django permission (as the page's view checks)."""

    perm = ""

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.has_perm(self.perm))


class ManagesPeople(HasPerm):
    """HR: people, their accounts and the API tokens that act as them."""

    perm = "org.manage_people"
