"""python manage.py customer_links [--segment S] [--email]

Lists each active customer's private link to the customer feedback board, or with
--email sends it to them (plain text, through Django's mail backend).
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.core.management.base import BaseCommand, CommandParser

from feedback.customer_links import customer_board_url
from org.models import Customer


class Command(BaseCommand):
    help = "Print (or email) every active customer's link to the feedback board."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--segment", help="only customers of this segment")
        parser.add_argument(
            "--email", action="store_true", help="email each customer their link"
        )

    def handle(self, *args: object, segment: str | None, email: bool, **opts) -> None:
        customers = Customer.objects.filter(is_active=True).order_by("email")
        if segment:
            customers = customers.filter(segment=segment)
        for customer in customers:
            url = customer_board_url(customer)
            if email:
                send_mail(
                    subject=f"Tell {settings.CANDOR_ORG_NAME} what you think of our AI",
                    message=(
                        f"Hello {customer.name},\n\nThis private link lets you raise a "
                        "concern about how we use AI in our service, and follow what "
                        f"we do about it:\n{url}\n\nPlease keep it to yourself; it "
                        f"is yours alone.\n\n{settings.CANDOR_ORG_NAME}"
                    ),
                    from_email=None,
                    recipient_list=[customer.email],
                )
            self.stdout.write(f"{customer.email}\t{url}")
        if email:
            self.stdout.write(self.style.SUCCESS(f"Sent {customers.count()} links."))
