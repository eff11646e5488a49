"""``manage.py tracker_unlock EMAIL``: clear the login lockout of an address, for every IP."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tracker_accounts import lockout
from tracker_accounts.addresses import normalize_email


class Command(BaseCommand):
    help = "Clear every login-lockout counter of an address (from every IP and account-wide)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email", help="the address to unlock (case-insensitive)")

    def handle(self, *args: object, email: str, **options: object) -> None:
        address = normalize_email(email)
        if not lockout.unlock(address):
            raise CommandError("The cache cannot be reached: nothing was unlocked.")
        self.stdout.write(
            f"{address}: unlocked; every failed-login counter of this address (from every IP and "
            "account-wide) starts again at 0."
        )
