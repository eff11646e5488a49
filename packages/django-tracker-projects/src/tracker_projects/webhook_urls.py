"""Which URLs outgoing webhooks may be sent to.

A webhook URL is chosen by a user of the site, and the site's worker sends requests to it: a
URL naming the site's own machine or its private network would let that user reach services
that are not meant to be reachable from outside (server-side request forgery). So a URL is
taken only when it is ``https`` (``http`` too while ``DEBUG`` is on or with
``TRACKER_PROJECTS_WEBHOOK_ALLOW_HTTP``), holds no user name or password, and every address
its host resolves to is public, unless the host is one of
``TRACKER_PROJECTS_WEBHOOK_ALLOWED_HOSTS``.

Resolving the name again when sending could give another answer (DNS rebinding), so the sender
(:mod:`tracker_projects.webhook_http`) checks the URL again with :func:`webhook_target` and
connects to the addresses it checked, not to the name.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from django.conf import settings

from .conf import app_settings

MAX_URL_LENGTH = 2000
DEFAULT_PORTS = {"https": 443, "http": 80}
# the last label of a host written as an IPv4 address in any of the spellings resolvers accept
# (decimal, octal with a leading 0, hexadecimal with 0x)
NUMERIC_LABEL = re.compile(r"(0x[0-9a-f]*|[0-9]+)")
NAME_LABEL = re.compile(r"[a-z0-9_-]{1,63}")
# what a path and query may hold unencoded; anything else (non-ASCII) is percent-encoded
PATH_SAFE = "/?&=+:;@!$'()*,%-._~[]"
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
SHARED = ipaddress.IPv4Network("100.64.0.0/10")  # carrier-grade NAT (RFC 6598)
NAT64_LOCAL = ipaddress.IPv6Network("64:ff9b:1::/48")  # local-use NAT64 (RFC 8215)


class UnsafeUrl(ValueError):
    """A webhook URL that may not be used; its message says why, for the person who gave it."""


@dataclass(frozen=True)
class Target:
    """A checked webhook URL: where to connect (``addresses``, all checked) and what to ask for."""

    scheme: str
    host: str  # lower case, IDNA-encoded; an IPv6 address without brackets
    port: int
    path_with_query: str
    addresses: tuple[str, ...]

    @property
    def host_header(self) -> str:
        """The ``Host`` header of requests to the target (with the port when not the default)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port == DEFAULT_PORTS[self.scheme] else f"{host}:{self.port}"


def allows_http() -> bool:
    return bool(settings.DEBUG) or app_settings.WEBHOOK_ALLOW_HTTP


def _literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def _allowed_entry(entry: str) -> str | IPAddress:
    entry = entry.strip().lower().removeprefix("[").removesuffix("]").rstrip(".")
    return _literal(entry) or entry


def is_allowed_host(host: str) -> bool:
    """Whether ``host`` (a name or a literal address) is one of ``WEBHOOK_ALLOWED_HOSTS``."""
    wanted = _allowed_entry(host)
    return any(_allowed_entry(entry) == wanted for entry in app_settings.WEBHOOK_ALLOWED_HOSTS)


def is_public(address: IPAddress) -> bool:
    """Whether ``address`` is globally reachable unicast: not loopback, private, link-local,
    multicast, reserved, unspecified or shared, nor an IPv6 address that carries such an IPv4
    address (IPv4-mapped, 6to4, Teredo)."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return is_public(address.ipv4_mapped)
        embedded = [address.sixtofour, *(address.teredo or ())]
        if any(inner is not None and not is_public(inner) for inner in embedded):
            return False
        if address.is_site_local or address in NAT64_LOCAL:
            return False
    elif address in SHARED:
        return False
    return address.is_global and not (
        address.is_multicast
        or address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_reserved
        or address.is_unspecified
    )


def resolve(host: str, port: int) -> list[str]:
    """The IPv4 and IPv6 addresses of ``host``, in the resolver's order, each once."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError) as error:
        raise UnsafeUrl("The URL's host does not resolve.") from error
    addresses: list[str] = []
    for family, _, _, _, sockaddr in found:
        if family in (socket.AF_INET, socket.AF_INET6) and str(sockaddr[0]) not in addresses:
            addresses.append(str(sockaddr[0]))
    if not addresses:
        raise UnsafeUrl("The URL's host does not resolve.")
    return addresses


def public_addresses(host: str, port: int) -> list[str]:
    """The addresses to connect to for ``host``: the address itself, or those it resolves to.
    Each must be public, unless the host is one of ``WEBHOOK_ALLOWED_HOSTS``."""
    literal = _literal(host)
    addresses = [str(literal)] if literal is not None else resolve(host, port)
    if is_allowed_host(host):
        return addresses
    for address in addresses:
        parsed = _literal(address.split("%", 1)[0])
        if parsed is None or not is_public(parsed):
            if literal is not None:
                raise UnsafeUrl(
                    "The URL's address is not public (a loopback, private, link-local, multicast "
                    "or reserved address)."
                )
            raise UnsafeUrl(
                "The URL's host resolves to an address that is not public (a loopback, private, "
                "link-local, multicast or reserved address)."
            )
    return addresses


def _host(netloc_host: str | None) -> str:
    """The host of a URL, lower case and IDNA-encoded; refuses what is no host name or
    address, and IPv4 addresses in any spelling but four decimal numbers."""
    if not netloc_host:
        raise UnsafeUrl("The URL has no host.")
    if "%" in netloc_host:
        raise UnsafeUrl("The URL's host is not a valid host name.")
    literal = _literal(netloc_host)
    if literal is not None:
        return str(literal)
    try:
        host = netloc_host.encode("idna").decode("ascii").lower()
    except UnicodeError as error:
        raise UnsafeUrl("The URL's host is not a valid host name.") from error
    labels = host.removesuffix(".").split(".")
    if NUMERIC_LABEL.fullmatch(labels[-1]):
        raise UnsafeUrl(
            "The URL's host is a non-canonical address: write an IPv4 address as four decimal "
            "numbers (such as 192.0.2.10)."
        )
    if len(host) > 253 or not all(NAME_LABEL.fullmatch(label) for label in labels):
        raise UnsafeUrl("The URL's host is not a valid host name.")
    return host


def parse(url: str) -> tuple[str, str, int, str]:
    """The scheme, host, port and path with query of ``url``, checked but not resolved."""
    if len(url) > MAX_URL_LENGTH:
        raise UnsafeUrl(f"The URL is longer than {MAX_URL_LENGTH} characters.")
    if any(char <= " " or char == "\x7f" for char in url):
        raise UnsafeUrl("The URL holds spaces or control characters.")
    try:
        parts = urlsplit(url)
    except ValueError as error:
        raise UnsafeUrl("The URL is not valid.") from error
    scheme = parts.scheme.lower()
    if scheme != "https" and not (scheme == "http" and allows_http()):
        if scheme == "http":
            raise UnsafeUrl("The URL must start with https:// (plain http:// is not allowed).")
        raise UnsafeUrl(
            "The URL must start with https:// or http://."
            if allows_http()
            else "The URL must start with https://."
        )
    if "@" in parts.netloc:
        raise UnsafeUrl("The URL must not hold a user name or password.")
    host = _host(parts.hostname)
    try:
        port = parts.port or DEFAULT_PORTS[scheme]
    except ValueError as error:
        raise UnsafeUrl("The URL's port is not valid.") from error
    if parts.port == 0:
        raise UnsafeUrl("The URL's port is not valid.")
    path = quote(parts.path or "/", safe=PATH_SAFE)
    query = quote(parts.query, safe=PATH_SAFE)
    return scheme, host, port, f"{path}?{query}" if query else path


def webhook_target(url: str) -> Target:
    """``url`` checked, with the addresses of its host (resolved once, each checked)."""
    scheme, host, port, path_with_query = parse(url)
    addresses = public_addresses(host, port)
    return Target(scheme, host, port, path_with_query, tuple(addresses))


def check_url(url: str) -> None:
    """Raise :class:`UnsafeUrl` unless webhooks may be sent to ``url`` now."""
    webhook_target(url)
