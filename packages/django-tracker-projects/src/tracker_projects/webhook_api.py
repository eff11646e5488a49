"""Routes of a project's webhooks (under ``projects/``), for its manager. Handlers stay thin:
they parse, call :mod:`.webhooks` or :mod:`.reads`, and answer."""

from __future__ import annotations

from functools import partial

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router
from ninja.responses import Status

from tracker_accounts.auth import current_user, lazy_jwt_auth
from tracker_accounts.openapi import BODY_ERRORS, QUERY_ERRORS, answers

from . import reads, webhooks
from .cache import json_response, of_webhooks, serve_in_project
from .models import Webhook, WebhookDelivery
from .schemas import (
    DeliveryOut,
    DeliveryPage,
    PageQuery,
    WebhookIn,
    WebhookList,
    WebhookOut,
    WebhookUpdateIn,
    WebhookWithSecretOut,
)

webhooks_router = Router(tags=["webhooks"], auth=lazy_jwt_auth)

MANAGER = "The project's manager (403 for its members, 404 for everybody else)."
URL_RULES = (
    " `url` must be `https://` (plain `http://` only while `DEBUG` is on or the site allows it) and name "
    "public addresses only: else 422 on `url`."
)


def _webhook_body(webhook: Webhook) -> bytes:
    return reads.webhook_body(webhook_id=webhook.pk)


def _with_secret(made: tuple[Webhook, str]) -> bytes:
    webhook, secret = made
    return reads.webhook_body(webhook_id=webhook.pk, secret=secret)


def _delivery_body(delivery: WebhookDelivery) -> bytes:
    return reads.delivery_body(delivery_id=delivery.pk)


@webhooks_router.get(
    "/{slug}/webhooks/",
    **answers({200: WebhookList}, 401, 403, 404),
    summary="The project's webhooks",
    description=MANAGER,
)
def webhook_list(request: HttpRequest, slug: str) -> HttpResponse:
    return serve_in_project(request, "webhooks", of_webhooks(slug), None, reads.webhook_list)


@webhooks_router.post(
    "/{slug}/webhooks/",
    **answers({201: WebhookWithSecretOut}, *BODY_ERRORS, 401, 403, 404),
    summary="Register a webhook",
    description=MANAGER
    + " Its deliveries are the project's history entries of `events` (empty: all). At most 10 a "
    "project (422). The answer carries the signing `secret`, shown this once." + URL_RULES,
)
def webhook_create(request: HttpRequest, slug: str, payload: WebhookIn) -> HttpResponse:
    write = partial(webhooks.webhook_create, actor=current_user(request), project_slug=slug, **payload.dict())
    return json_response(reads.after_write(write, _with_secret), 201)


@webhooks_router.patch(
    "/{slug}/webhooks/{webhook_id}/",
    **answers({200: WebhookOut}, *BODY_ERRORS, 401, 403, 404),
    summary="Edit a webhook",
    description=MANAGER + ' `"active": true` switches a deactivated webhook back on.' + URL_RULES,
)
def webhook_update(
    request: HttpRequest, slug: str, webhook_id: int, payload: WebhookUpdateIn
) -> HttpResponse:
    write = partial(
        webhooks.webhook_update,
        actor=current_user(request),
        project_slug=slug,
        webhook_id=webhook_id,
        changes=payload.dict(exclude_unset=True),
    )
    return json_response(reads.after_write(write, _webhook_body))


@webhooks_router.delete(
    "/{slug}/webhooks/{webhook_id}/",
    **answers({204: None}, 401, 403, 404, 422),
    summary="Delete a webhook",
    description=MANAGER + " Its deliveries go with it.",
)
def webhook_delete(request: HttpRequest, slug: str, webhook_id: int) -> Status[None]:
    webhooks.webhook_delete(actor=current_user(request), project_slug=slug, webhook_id=webhook_id)
    return Status(204, None)


@webhooks_router.post(
    "/{slug}/webhooks/{webhook_id}/rotate_secret/",
    **answers({200: WebhookWithSecretOut}, 401, 403, 404, 422),
    summary="Rotate a webhook's secret",
    description=MANAGER + " The new secret is shown this once and signs every delivery from now on.",
)
def webhook_rotate_secret(request: HttpRequest, slug: str, webhook_id: int) -> HttpResponse:
    write = partial(
        webhooks.webhook_rotate_secret, actor=current_user(request), project_slug=slug, webhook_id=webhook_id
    )
    return json_response(reads.after_write(write, _with_secret))


@webhooks_router.post(
    "/{slug}/webhooks/{webhook_id}/ping/",
    **answers({202: DeliveryOut}, 401, 403, 404, 422),
    summary="Ping a webhook",
    description=MANAGER + " Queues a `ping` delivery (`activity` null), sent even while it is off.",
)
def webhook_ping(request: HttpRequest, slug: str, webhook_id: int) -> HttpResponse:
    write = partial(
        webhooks.webhook_ping, actor=current_user(request), project_slug=slug, webhook_id=webhook_id
    )
    return json_response(reads.after_write(write, _delivery_body), 202)


@webhooks_router.get(
    "/{slug}/webhooks/{webhook_id}/deliveries/",
    **answers({200: DeliveryPage}, *QUERY_ERRORS, 401, 403, 404),
    summary="A webhook's deliveries",
    description=MANAGER + " Newest first.",
)
def webhook_deliveries(
    request: HttpRequest, slug: str, webhook_id: int, page: Query[PageQuery]
) -> HttpResponse:
    read = partial(reads.delivery_page, webhook_id=webhook_id, pages=page)
    return serve_in_project(request, "deliveries", of_webhooks(slug, webhook_id), page, read)


@webhooks_router.post(
    "/{slug}/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver/",
    **answers({202: DeliveryOut}, 401, 403, 404, 422),
    summary="Send a delivery again",
    description=MANAGER + " Queues a new delivery (a new id) of the same payload.",
)
def webhook_redeliver(request: HttpRequest, slug: str, webhook_id: int, delivery_id: str) -> HttpResponse:
    write = partial(
        webhooks.webhook_redeliver,
        actor=current_user(request),
        project_slug=slug,
        webhook_id=webhook_id,
        delivery_id=delivery_id,
    )
    return json_response(reads.after_write(write, _delivery_body), 202)
