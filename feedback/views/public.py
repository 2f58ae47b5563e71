"""Pages that work without signing in: a customer's private link, and the
one-click unsubscribe in every follower email."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache

from core.ratelimit import limit_hit, limit_reached
from feedback import selectors
from feedback.customer_links import CustomerLinkClosed, customer_from_token
from feedback.forms import CustomerConcernForm, attach_errors
from feedback.services.concerns import RateLimited, concern_raise
from feedback.services.notify import subscription_from_token
from feedback.services.thread import follow_set
from org.models import Customer

# Bad links per client address per hour before we answer 429 (as for surveys).
GUESS_LIMIT, GUESS_WINDOW = 20, 3600
PAGE_SIZE = 20


def _client(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "unknown")


def _customer_or_refusal(request: HttpRequest, token: str) -> Customer | HttpResponse:
    """The link's customer, or the page that refuses it (404, 410 for a deactivated
    customer's link, or 429 for a guesser)."""
    client = _client(request)
    if limit_reached(
        "customer-link", client, limit=GUESS_LIMIT, window_seconds=GUESS_WINDOW
    ):
        return render(request, "feedback/link_limited.html", status=429)
    try:
        customer = customer_from_token(token)
    except CustomerLinkClosed:
        return render(request, "feedback/customer_link_closed.html", status=410)
    if customer is None:
        limit_hit("customer-link", client, window_seconds=GUESS_WINDOW)
        return render(request, "feedback/customer_link_unknown.html", status=404)
    return customer


@never_cache
def customer_board(request: HttpRequest, token: str) -> HttpResponse:
    customer = _customer_or_refusal(request, token)
    if isinstance(customer, HttpResponse):
        return customer
    data = request.POST if request.method == "POST" else None
    form = CustomerConcernForm(data)
    status = 400 if data is not None else 200
    if form.is_valid():
        try:
            concern = concern_raise(customer=customer, **form.cleaned_data)
        except ValidationError as error:
            attach_errors(form, error)
        except RateLimited as error:
            form.add_error(None, str(error))
            status = 429
        else:
            messages.success(request, f"Thank you. Your concern is #{concern.pk}.")
            return redirect("feedback:customer_board", token=token)
    page = Paginator(selectors.customer_concerns(), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "feedback/customer_board.html",
        {"customer": customer, "token": token, "page": page, "form": form},
        status=status,
    )


@never_cache
def customer_concern(request: HttpRequest, token: str, pk: int) -> HttpResponse:
    customer = _customer_or_refusal(request, token)
    if isinstance(customer, HttpResponse):
        return customer
    concern = get_object_or_404(selectors.customer_concerns(), pk=pk)
    return render(
        request,
        "feedback/customer_concern.html",
        {
            "customer": customer,
            "token": token,
            "concern": concern,
            "responses": selectors.official_responses(concern=concern),
        },
    )


@never_cache
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    subscription = subscription_from_token(token)
    if subscription is None:
        return render(request, "feedback/unsubscribe_unknown.html", status=404)
    done = False
    if request.method == "POST":
        follow_set(
            concern=subscription.concern,
            person=subscription.person,
            following=False,
        )
        done = True
    return render(
        request,
        "feedback/unsubscribe.html",
        {"concern": subscription.concern, "done": done},
    )
