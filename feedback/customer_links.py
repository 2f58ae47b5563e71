"""The private link that lets a customer read and raise customer-audience concerns.

The token is the customer's id signed with the site's key: it cannot be guessed or
altered, and it names the customer without a lookup table. It does not expire;
deactivating the customer closes it.
"""

from __future__ import annotations

from django.core import signing
from django.urls import reverse

from core.links import site_url
from org.models import Customer

CUSTOMER_SALT = "feedback.customer"


def customer_token(customer: Customer) -> str:
    return signing.dumps(customer.pk, salt=CUSTOMER_SALT)


def customer_board_url(customer: Customer) -> str:
    """The full link to send to a customer (for emails and the admin)."""
    path = reverse("feedback:customer_board", args=[customer_token(customer)])
    return site_url(path)


class CustomerLinkClosed(Exception):
    """A link we did make, for a customer since deactivated: it reads and posts
    nothing, and is no guess to count against whoever holds it."""


def customer_from_token(token: str) -> Customer | None:
    """The active customer a token was made for, or None for a link we never made
    (or whose customer is gone); raises CustomerLinkClosed for a deactivated one."""
    try:
        pk = signing.loads(token, salt=CUSTOMER_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(pk, int):
        return None
    customer = Customer.objects.filter(pk=pk).first()
    if customer is not None and not customer.is_active:
        raise CustomerLinkClosed(token)
    return customer
