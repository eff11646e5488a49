"""Webhooks that never leave the machine, for suites that drive the webhook routes without a
receiver (the authorization matrix, the schema fuzzer).

With the ``offline_webhooks`` fixture a delivery is handed to a stand-in for
``webhook_http.post`` that records its URL and answers 200; a webhook URL's host name resolves
through a stand-in for ``webhook_urls.resolve`` that knows only the names of ``NAMES`` (any
other name does not resolve, so its URL is refused on ``url`` with 422); and a look-up of any
other name than the local ones, by whatever code, fails the test.
"""

from __future__ import annotations

import socket
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pytest

PUBLIC = "93.184.216.34"
PRIVATE = "10.0.0.7"
# what the stand-in resolver answers; any other name does not resolve
NAMES: dict[str, list[str]] = {
    "ci.example.com": [PUBLIC],  # the schema's example URL
    "hooks.example.com": [PUBLIC],
    "inside.example.com": [PRIVATE],
}
LOCAL_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})


@dataclass
class OfflineWebhooks:
    """What the stand-ins were asked: the URLs deliveries were sent to, the names resolved."""

    sent: list[str] = field(default_factory=list)
    resolved: list[str] = field(default_factory=list)


@pytest.fixture
def offline_webhooks(monkeypatch: pytest.MonkeyPatch) -> OfflineWebhooks:
    from tracker_projects import webhook_http, webhook_urls

    seen = OfflineWebhooks()
    real_getaddrinfo = socket.getaddrinfo

    def resolve(host: str, port: int) -> list[str]:
        seen.resolved.append(host)
        if host not in NAMES:
            raise webhook_urls.UnsafeUrl("The URL's host does not resolve.")
        return list(NAMES[host])

    def post(url: str, body: bytes, headers: Mapping[str, str], *, timeout: float = 10.0) -> Any:
        seen.sent.append(url)
        return webhook_http.Sent(status=200, duration_ms=1)

    def local_only(host: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else host
        assert name in LOCAL_NAMES, f"{name!r} would be looked up for real"
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(webhook_urls, "resolve", resolve)
    monkeypatch.setattr(webhook_http, "post", post)
    monkeypatch.setattr(socket, "getaddrinfo", local_only)
    return seen
