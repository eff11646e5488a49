"""Deletion of dead codes, email tokens and expired JWT records (run by a daily job)."""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone
from ninja_jwt.token_blacklist.models import OutstandingToken

from .models import EmailOTP, EmailToken


def accounts_purge_expired() -> dict[str, int]:
    now = timezone.now()
    codes, _ = EmailOTP.objects.filter(
        Q(expires_at__lt=now) | Q(used_at__isnull=False) | Q(superseded=True)
    ).delete()
    tokens, _ = EmailToken.objects.filter(Q(expires_at__lt=now) | Q(used_at__isnull=False)).delete()
    jwt, _ = OutstandingToken.objects.filter(expires_at__lt=now).delete()
    return {"codes_deleted": codes, "email_tokens_deleted": tokens, "jwt_records_deleted": jwt}
