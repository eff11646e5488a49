"""Receivers: django-anymail's tracking events update the delivery log; a superuser made by
the optional email user model is a tracker manager."""

from __future__ import annotations

from typing import TYPE_CHECKING

from anymail.signals import tracking
from django.dispatch import receiver
from django.utils import timezone

from .email_user.signals import superuser_created
from .models import EmailEvent, OutboundEmail, Role
from .profiles import role_set

if TYPE_CHECKING:
    from tracker_accounts.users import User


@receiver(tracking, dispatch_uid="tracker_accounts.tracking")
def record_tracking_event(sender: object, event: object, esp_name: str, **kwargs: object) -> None:
    # event: an anymail AnymailTrackingEvent (anymail has no types), read by getattr
    message_id = getattr(event, "message_id", None)
    if not message_id:
        return
    message = OutboundEmail.objects.filter(provider_message_id=message_id).first()
    if message is None:
        return
    event_type = str(getattr(event, "event_type", "unknown"))[:32]
    EmailEvent.objects.create(
        message=message,
        event_type=event_type,
        occurred_at=getattr(event, "timestamp", None) or timezone.now(),
        description=str(getattr(event, "description", "") or "")[:1000],
    )
    OutboundEmail.objects.filter(pk=message.pk).update(provider_status=event_type)


@receiver(superuser_created, dispatch_uid="tracker_accounts.superuser_manager")
def make_superuser_a_manager(sender: object, user: User, **kwargs: object) -> None:
    role_set(user=user, role=Role.MANAGER)
