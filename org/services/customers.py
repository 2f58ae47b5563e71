"""Customers who can be surveyed: added, edited and retired (never deleted: their
answers and concerns stay theirs)."""

from __future__ import annotations

from core.unique import unique_save
from org.models import Customer


def customer_save(*, customer: Customer) -> Customer:
    """Validate (the address trimmed, lower-cased and unique whatever its case) and
    save a new or edited customer. Raises django's ValidationError; an address
    another customer has is refused with code "unique", also when another request
    took it a moment before."""
    customer.full_clean()
    with unique_save(recheck=customer.full_clean):
        customer.save()
    return customer


def customer_retire(*, customer: Customer) -> Customer:
    """Stop surveying a customer; again changes nothing."""
    if customer.is_active:
        customer.is_active = False
        customer.save(update_fields=["is_active"])
    return customer
