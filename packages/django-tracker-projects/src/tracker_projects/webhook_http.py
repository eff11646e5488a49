"""Sending one webhook request, to a checked address only.

:func:`post` checks the URL again when it sends (a name may resolve to another address than
when the URL was saved: DNS rebinding), resolves its host once, checks every address, and
connects to those addresses itself, never to the name. Over TLS the name is still the one
the server's certificate is verified for and the one sent as SNI, and it is the ``Host``
header. urllib3's connection pools take the address to connect to and the name to verify
(``server_hostname``, ``assert_hostname``) as separate public parameters, which is why they
are used here. Redirects are not followed and nothing is retried: the caller sees the first
answer's status and decides what it means.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass

import urllib3
from urllib3.exceptions import (
    ConnectTimeoutError,
    HTTPError,
    NewConnectionError,
    ProtocolError,
    ReadTimeoutError,
    SSLError,
)

from . import __version__, webhook_urls

USER_AGENT = f"django-tracker-webhooks/{__version__}"
MAX_REASON = 200


@dataclass(frozen=True)
class Sent:
    """The server answered: its status (whatever it is) and the time the request took."""

    status: int
    duration_ms: int


class SendFailed(Exception):
    """No answer: the URL is not allowed (any more), or the connection, TLS or the wait for the
    answer failed. ``duration_ms`` is None when no connection was tried."""

    def __init__(self, reason: str, duration_ms: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.duration_ms = duration_ms


class _NotConnected(Exception):
    """The connection to one address could not be made: the next address may be tried."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _reason(prefix: str, error: BaseException) -> str:
    detail = error.__cause__ or error.__context__ or error
    text = getattr(detail, "strerror", None) or str(detail) or type(detail).__name__
    return f"{prefix}: {text}"[:MAX_REASON]


def _pool(target: webhook_urls.Target, address: str, timeout: float) -> urllib3.HTTPConnectionPool:
    """A pool connecting to ``address``; over TLS it verifies the certificate for the URL's host
    and sends that host as SNI."""
    if target.scheme == "https":
        return urllib3.HTTPSConnectionPool(
            address,
            target.port,
            timeout=urllib3.Timeout(total=timeout),
            retries=False,
            maxsize=1,
            server_hostname=target.host,
            assert_hostname=target.host,
            cert_reqs="CERT_REQUIRED",
        )
    return urllib3.HTTPConnectionPool(
        address, target.port, timeout=urllib3.Timeout(total=timeout), retries=False, maxsize=1
    )


def _status(
    target: webhook_urls.Target, address: str, body: bytes, headers: Mapping[str, str], timeout: float
) -> int:
    """The status of the answer to the request sent to ``address``; the body is not read."""
    with _pool(target, address, timeout) as pool:
        try:
            response = pool.urlopen(
                "POST",
                target.path_with_query,
                body=body,
                headers=dict(headers),
                redirect=False,
                retries=False,
                preload_content=False,
                release_conn=False,
            )
        except NewConnectionError as error:
            raise _NotConnected(_reason("connection failed", error)) from error
        except ConnectTimeoutError as error:
            raise _NotConnected("connection timed out") from error
        except ReadTimeoutError as error:
            raise SendFailed("timed out waiting for the answer") from error
        except SSLError as error:
            raise SendFailed(_reason("TLS failed", error)) from error
        except ProtocolError as error:
            raise SendFailed(_reason("connection broken", error)) from error
        except (HTTPError, OSError, ValueError) as error:
            raise SendFailed(_reason("request failed", error)) from error
        status = response.status
        response.close()  # the body is of no use to the sender: the connection is closed unread
        return status


def post(url: str, body: bytes, headers: Mapping[str, str], *, timeout: float = 10.0) -> Sent:
    """POST ``body`` to ``url`` with ``headers`` and return the answer's status, whatever it is
    (redirects are not followed). ``timeout`` (seconds) bounds making the connection and each
    wait for the answer. Raises :class:`SendFailed` when there is no answer or the URL may not
    be used now."""
    try:
        target = webhook_urls.webhook_target(url)
    except webhook_urls.UnsafeUrl as error:
        raise SendFailed(str(error)) from error
    sent_headers = {name: value for name, value in headers.items() if name.lower() != "host"}
    if not any(name.lower() == "user-agent" for name in sent_headers):
        sent_headers["User-Agent"] = USER_AGENT
    sent_headers["Host"] = target.host_header  # the URL's host, whatever address is connected to
    started = time.monotonic()

    def elapsed_ms() -> int:
        return int((time.monotonic() - started) * 1000)

    failure = "connection timed out"
    for address in target.addresses:
        left = timeout - (time.monotonic() - started)
        if left <= 0:
            break
        try:
            status = _status(target, address, body, sent_headers, left)
        except _NotConnected as error:
            failure = error.reason
            continue
        except SendFailed as error:
            raise SendFailed(error.reason, elapsed_ms()) from error
        return Sent(status=status, duration_ms=elapsed_ms())
    raise SendFailed(failure, elapsed_ms())
