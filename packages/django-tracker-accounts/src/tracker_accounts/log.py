"""Request ids for log lines, a filter that keeps tokens out of them, and one helper for the
structured event lines of writes."""

from __future__ import annotations

import hashlib
import logging
import os
import re
from contextvars import ContextVar
from typing import TYPE_CHECKING
from urllib.parse import unquote

from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest
from django.urls import Resolver404, resolve

if TYPE_CHECKING:
    from .users import UserKey

request_id_var: ContextVar[str] = ContextVar("tracker_request_id", default="-")
REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._\-]{1,128}$")
events = logging.getLogger("tracker.events")


def new_request_id(offered: str | None) -> str:
    """The client's ``X-Request-ID`` when it is a sane token, else a fresh one."""
    if offered and REQUEST_ID_RE.fullmatch(offered):
        return offered
    return os.urandom(16).hex()  # as random as uuid4().hex, and a fifth of its cost


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to every record (``-`` outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id_var.get()
        return True


# Path parameters and query fields whose values are secrets (an invitation, an unsubscribe link,
# a one-time code): a log line carries "<redacted>" in their place.
SECRET_PARAMETERS = frozenset({"token", "code", "key", "secret", "signature", "password"})
REDACTED = "<redacted>"
# a path inside a log message: a URL's, or "/..." on its own (not a part of a word or a path)
_PATH_IN_TEXT = re.compile(r"(?:(?P<origin>\bhttps?://[^/\s\"']+)|(?<![\w/]))(?P<target>/[^\s\"']*)")
_QUERY_FIELD = re.compile(r"(?P<name>[^&=;]+)=(?P<value>[^&;]*)")
# what is left when no URL pattern matches: a long run of token characters is taken for a token
_TOKEN_LIKE_SEGMENT = re.compile(r"^[A-Za-z0-9_\-:.=~%]{20,}$")


def _is_secret(name: str) -> bool:
    name = name.lower()
    return name in SECRET_PARAMETERS or name.endswith("_token")


def _route_secrets(path: str) -> tuple[set[str], int]:
    """The values of the secret parameters of the URL pattern ``path`` matches, and how many of
    its segments the pattern spells out (a catch-all pattern spells out fewer than the path has;
    none matching, none). A pattern names its tokens (``<token>``), so this follows the routes."""
    for candidate in (path, path + "/"):  # CommonMiddleware's APPEND_SLASH answers the other
        try:
            match = resolve(candidate)
        except (Resolver404, ImproperlyConfigured):
            continue
        values = {
            value
            for name, value in match.kwargs.items()
            if _is_secret(name) and isinstance(value, str) and value and value != f"<{name}>"
        }
        return values, (match.route or "").strip("^$/").count("/") + 2
    return set(), 0


def _redact_path(path: str) -> str:
    # a route as tracker.requests writes it ("/api/invites/accept/<token>/") holds no token:
    # no URL pattern is looked up for it (one line per request), only long token-like segments
    secrets, covered = _route_secrets(unquote(path)) if "<" not in path else (set(), 0)
    return "/".join(
        REDACTED
        if unquote(part) in secrets or (index >= covered and _TOKEN_LIKE_SEGMENT.fullmatch(part))
        else part
        for index, part in enumerate(path.split("/"))
    )


def redact_query(query: str) -> str:
    """A query string with the values of its secret fields (``token=``, ``code=``) redacted."""

    def field(found: re.Match[str]) -> str:
        name = found.group("name")
        return f"{name}={REDACTED}" if _is_secret(unquote(name)) else found.group(0)

    return _QUERY_FIELD.sub(field, query)


def redact_target(target: str) -> str:
    """A request target (path and query) with every token in it replaced by ``<redacted>``."""
    path, separator, query = target.partition("?")
    return _redact_path(path) + separator + (redact_query(query) if separator else "")


def redact_text(text: str) -> str:
    """``text`` with the tokens of every path in it redacted (:func:`redact_target`)."""
    if "/" not in text:
        return text
    return _PATH_IN_TEXT.sub(lambda found: (found["origin"] or "") + redact_target(found["target"]), text)


class RedactTokensFilter(logging.Filter):
    """Takes invitation, unsubscribe and other tokens out of a record: its message (Django's
    ``Not Found: /api/invites/<token>/`` and the development server's request lines) and the
    request it carries (``django.request``). Install it on the loggers that write paths."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact_text(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        request = getattr(record, "request", None)
        if isinstance(request, HttpRequest):
            # a formatter that writes the extra fields would write the request's full path
            record.request = (
                f"<{type(request).__name__}: {request.method} {redact_target(request.get_full_path())!r}>"
            )
        return True


def email_ref(email: str) -> str:
    """A stable, non-reversible reference to an address for logs (never the address)."""
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()[:12]


def log_event(
    event: str,
    *,
    actor_id: UserKey | None = None,
    outcome: str = "success",
    level: int = logging.INFO,
    **fields: object,
) -> None:
    """One structured line per write: event name, actor, object, outcome (no secrets)."""
    events.log(level, event, extra={"event": event, "actor_id": actor_id, "outcome": outcome, **fields})
