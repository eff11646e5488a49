"""Writes of a project's webhooks, by its manager: register, edit, delete, rotate the secret,
ping, redeliver.

A URL is checked (:func:`.webhook_urls.check_url`: scheme, and that it names and resolves to
public addresses only) once the caller is known to manage the project, and before the
transaction starts: name resolution may take a while and no row is held meanwhile. The
project row is locked for each write, so the count of webhooks holds. Each write bumps, on
commit, the project's subscriptions (what the next change delivers to) and the reads of its
webhooks.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from tracker_accounts.crypto import encrypt
from tracker_accounts.errors import InvalidInput

from . import cache, webhook_outbox
from .models import MAX_WEBHOOKS_PER_PROJECT, PING, Project, Webhook, WebhookDelivery
from .representation import json_datetime, project_ref
from .selectors import (
    delivery_of_webhook,
    project_for_manager,
    project_for_manager_update,
    webhook_of_project,
)
from .webhook_urls import UnsafeUrl, check_url

if TYPE_CHECKING:
    from tracker_accounts.users import User

WEBHOOK_FIELDS = ("url", "events", "active")
SECRET_PREFIX = "whsec_"


def new_secret() -> str:
    """A signing secret: 32 random bytes, URL-safe text."""
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def _checked(url: str) -> str:
    try:
        check_url(url)
    except UnsafeUrl as exc:
        raise InvalidInput.for_field("url", str(exc)) from exc
    return url


def _changed(project: Project) -> None:
    webhook_outbox.bump_on_commit(project.pk)
    cache.bump_webhooks_on_commit(project.slug)


@transaction.atomic
def _create(actor: User, project_slug: str, url: str, events: list[str], active: bool) -> tuple[Webhook, str]:
    project = project_for_manager_update(user=actor, slug=project_slug)
    if Webhook.objects.filter(project=project).count() >= MAX_WEBHOOKS_PER_PROJECT:
        raise InvalidInput(f"A project has at most {MAX_WEBHOOKS_PER_PROJECT} webhooks.")
    secret = new_secret()
    webhook = Webhook.objects.create(
        project=project,
        url=url,
        events=events,
        active=active,
        secret=encrypt(secret.encode()),
        created_by=actor,
    )
    _changed(project)
    return webhook, secret


def _checked_for_manager(actor: User, project_slug: str, url: str) -> str:
    """``url``, checked once the caller is known to manage the project (403 or 404 first: a
    name nobody may register is never looked up)."""
    project_for_manager(user=actor, slug=project_slug)
    return _checked(url)


def webhook_create(
    *, actor: User, project_slug: str, url: str, events: list[str], active: bool = True
) -> tuple[Webhook, str]:
    """Register a webhook; returns it and its secret (shown this once)."""
    return _create(actor, project_slug, _checked_for_manager(actor, project_slug, url), events, active)


def webhook_update(
    *, actor: User, project_slug: str, webhook_id: int, changes: Mapping[str, object]
) -> Webhook:
    """Edit a webhook's URL, events or state. Switching it on clears why it was switched off
    and its failing period: it gets a new 24 hours."""
    if "url" in changes:
        _checked_for_manager(actor, project_slug, str(changes["url"]))
    with transaction.atomic():
        project = project_for_manager_update(user=actor, slug=project_slug)
        webhook = webhook_of_project(project=project, webhook_id=webhook_id, for_update=True)
        for field, value in changes.items():
            if field not in WEBHOOK_FIELDS:
                raise TypeError(f"not a webhook field: {field}")
            setattr(webhook, field, value)
        if changes.get("active") is True:
            webhook.disabled_reason = ""
            webhook.failing_since = None
        webhook.save()
        _changed(project)
    return webhook


@transaction.atomic
def webhook_delete(*, actor: User, project_slug: str, webhook_id: int) -> None:
    """Delete a webhook and its deliveries (those not sent yet are not sent)."""
    project = project_for_manager_update(user=actor, slug=project_slug)
    webhook_of_project(project=project, webhook_id=webhook_id, for_update=True).delete()
    _changed(project)


@transaction.atomic
def webhook_rotate_secret(*, actor: User, project_slug: str, webhook_id: int) -> tuple[Webhook, str]:
    """A new secret for a webhook (shown this once); deliveries are signed with it from now on."""
    project = project_for_manager_update(user=actor, slug=project_slug)
    webhook = webhook_of_project(project=project, webhook_id=webhook_id, for_update=True)
    secret = new_secret()
    webhook.secret = encrypt(secret.encode())
    webhook.save(update_fields=["secret"])
    _changed(project)
    return webhook, secret


def _queue(delivery: WebhookDelivery, project: Project) -> WebhookDelivery:
    delivery.save()
    webhook_outbox.dispatch_on_commit([delivery.pk])
    cache.bump_webhooks_on_commit(project.slug)
    return delivery


@transaction.atomic
def webhook_ping(*, actor: User, project_slug: str, webhook_id: int) -> WebhookDelivery:
    """Queue a ``ping`` delivery (no history entry), sent even while the webhook is off."""
    project = project_for_manager_update(user=actor, slug=project_slug)
    webhook = webhook_of_project(project=project, webhook_id=webhook_id)
    now = timezone.now()
    payload: dict[str, object] = {
        "event": PING,
        "at": json_datetime(now),
        "project": project_ref(project),
        "activity": None,
    }
    delivery = WebhookDelivery(
        webhook=webhook, event=PING, created_at=now, payload=webhook_outbox.encoded(payload)
    )
    return _queue(delivery, project)


@transaction.atomic
def webhook_redeliver(
    *, actor: User, project_slug: str, webhook_id: int, delivery_id: str
) -> WebhookDelivery:
    """Queue a new delivery of what ``delivery_id`` sent (its payload; a new id and period)."""
    project = project_for_manager_update(user=actor, slug=project_slug)
    webhook = webhook_of_project(project=project, webhook_id=webhook_id)
    original = delivery_of_webhook(webhook=webhook, delivery_id=delivery_id)
    delivery = WebhookDelivery(
        webhook=webhook,
        event=original.event,
        activity_id=original.activity_id,
        payload=original.payload,
    )
    return _queue(delivery, project)
