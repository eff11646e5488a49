"""``manage.py tracker_role EMAIL [manager|member]``: show or set a user's tracker role."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tracker_accounts.errors import ApiError
from tracker_accounts.models import Role
from tracker_accounts.profiles import role_of, role_set
from tracker_accounts.users import email_of, user_for_email


class Command(BaseCommand):
    help = "Show a user's tracker role, or make them a manager or a member."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email", help="the user's email address (case-insensitive)")
        parser.add_argument("role", nargs="?", choices=Role.values, help="the role to give; omit to show")

    def handle(self, *args: object, email: str, role: str | None, **options: object) -> None:
        try:
            user = user_for_email(email)
        except ApiError as exc:
            raise CommandError(exc.detail) from exc
        if user is None:
            raise CommandError(f"No user has the address {email}.")
        if role is not None:
            role_set(user=user, role=role)
        self.stdout.write(f"{email_of(user)}: {role_of(user)}")
