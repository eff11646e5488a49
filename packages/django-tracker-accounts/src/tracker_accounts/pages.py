"""The pages of the one-click unsubscribe link, for the people who click it in a mail.

A GET of the link (a person's click, or a link scanner's fetch) changes nothing: it shows what
the link would turn off and one button that posts RFC 8058's form to the same address. The
post of a browser, which prefers ``text/html``, is answered with a page saying it is done;
mail providers and API clients get JSON. Each page is a template a host may override:
``tracker_accounts/unsubscribe.html``, ``tracker_accounts/unsubscribed.html`` and
``tracker_accounts/unsubscribe_not_found.html`` (all extend ``tracker_accounts/page.html``).
"""

from __future__ import annotations

from collections.abc import Mapping

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

from .conf import app_settings
from .errors import NotFound
from .models import NotificationKind
from .notifications import ONE_CLICK, unsubscribe, unsubscribe_link_kind

FORM_TEMPLATE = "tracker_accounts/unsubscribe.html"
DONE_TEMPLATE = "tracker_accounts/unsubscribed.html"
NOT_FOUND_TEMPLATE = "tracker_accounts/unsubscribe_not_found.html"
ANSWERS = ["application/json", "text/html"]  # JSON first: what */* or no Accept header gets
FIELD, VALUE = ONE_CLICK.split("=")
PAGE_POLICY = "; ".join(
    [
        "default-src 'none'",
        "style-src 'unsafe-inline'",
        "form-action 'self'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ]
)


class Page(HttpResponse):
    """An HTML page a view answers on purpose, whatever its status: the API's error envelope
    (:func:`tracker_accounts.mounting.as_envelope`) leaves it as it is."""


def prefers_html(request: HttpRequest) -> bool:
    """Whether the request's Accept header puts ``text/html`` before JSON (a browser's does)."""
    return request.get_preferred_type(ANSWERS) == "text/html"


def render_page(template: str, context: Mapping[str, object], *, status: int = 200) -> Page:
    page = Page(
        render_to_string(template, {"site_name": app_settings.SITE_NAME, **context}),
        status=status,
        content_type="text/html; charset=utf-8",
    )
    # the address holds the link's token: no other site may see it, no cache keep the page;
    # no script runs, the form posts only to this site, and no other site may frame the button
    page["Content-Security-Policy"] = PAGE_POLICY
    page["Referrer-Policy"] = "no-referrer"
    page["Cache-Control"] = "no-store"
    page["X-Robots-Tag"] = "noindex"
    return page


def _kind_context(kind: str) -> dict[str, object]:
    return {
        "kind": kind,
        "notification_kind": NotificationKind(kind).label,
        "preferences_url": app_settings.PREFERENCES_URL,
    }


def not_found_page() -> Page:
    return render_page(NOT_FOUND_TEMPLATE, {"preferences_url": app_settings.PREFERENCES_URL}, status=404)


def unsubscribe_form(token: str) -> Page:
    """The page of a GET of the link: what it turns off, and the button that does it."""
    try:
        kind = unsubscribe_link_kind(token)
    except NotFound:
        return not_found_page()
    return render_page(FORM_TEMPLATE, {**_kind_context(kind), "field": FIELD, "value": VALUE})


def unsubscribe_done(token: str) -> Page:
    """Turn off what the link names (:func:`~tracker_accounts.notifications.unsubscribe`) and
    say so, with the way to the settings page."""
    try:
        kind = unsubscribe(token=token)
    except NotFound:
        return not_found_page()
    return render_page(DONE_TEMPLATE, _kind_context(kind))
