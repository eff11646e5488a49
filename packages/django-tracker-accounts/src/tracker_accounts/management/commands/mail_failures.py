"""``mail_failures``: what failed to send recently, grouped by kind and error."""

from __future__ import annotations

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandParser
from django.db.models import Count, Q
from django.utils import timezone

from tracker_accounts.models import MailStatus, OutboundEmail


class Command(BaseCommand):
    help = "Summarise outgoing mail that failed in the last day (or --hours)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--hours", type=int, default=24)

    def handle(self, *args: object, hours: int, **options: object) -> None:
        since = timezone.now() - timedelta(hours=hours)
        recent = OutboundEmail.objects.filter(created_at__gte=since)
        totals = dict(recent.values_list("status").annotate(n=Count("id")).values_list("status", "n"))
        self.stdout.write(f"Outgoing mail since {since:%Y-%m-%d %H:%M %Z}:")
        for status in MailStatus.values:
            self.stdout.write(f"  {status:<8} {totals.get(status, 0)}")
        failing = (
            recent.filter(Q(status=MailStatus.FAILED) | Q(status=MailStatus.DEAD))
            .values("kind", "status", "last_error")
            .annotate(n=Count("id"))
            .order_by("-n")[:20]
        )
        if not failing:
            self.stdout.write("No failures.")
            return
        self.stdout.write("Failures by kind and error:")
        for row in failing:
            error = (row["last_error"] or "").splitlines()[0][:120] if row["last_error"] else "-"
            self.stdout.write(f"  {row['n']:>5}  {row['kind']:<18} {row['status']:<6} {error}")
