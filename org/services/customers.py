"""Customers who can be surveyed: added, edited and retired (never deleted: their
answers and concerns stay theirs)."""

from __future__ import annotations

from org.models import Customer


def customer_save(*, customer: Customer) -> Customer:
    """Validate (the address trimmed, lower-cased and unique whatever its case) and
    save a new or edited customer. Raises django's ValidationError."""
    customer.full_clean()
    customer.save()
    return customer


def customer_retire(*, customer: Customer) -> Customer:
    """Stop surveying a customer; again changes nothing."""
    if customer.is_active:
        customer.is_active = False
        customer.save(update_fields=["is_active"])
    return customer
