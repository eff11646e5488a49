"""The benchmark's floors behind the site's middleware and server, mounted only when
``BENCH_FLOOR=true`` (bench/http_bench.py sets it), never in a normal run:

* the authenticated floor: the bearer check a cached read makes before its one cache round
  trip, and a JSON body of a requested size;
* the cache floor: that, then the one round trip itself, through the same
  :func:`tracker_accounts.versioned.fetch` a cached read makes (the body, the reader's state
  and project access entries, and four counters), answering the stored body. What a cached
  read does on top of it is ninja's parsing of the request and the read's own key: the
  cheapest a never-stale hit can be on these libraries."""

from __future__ import annotations

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse

from tracker_accounts import versioned
from tracker_accounts.auth import principal_from_access_token
from tracker_accounts.errors import envelope_response
from tracker_accounts.users import UserKey

MAX_SIZE = 1_000_000


# as many as a task list's hit reads: the global one, the reader's account and memberships,
# the project's
COUNTERS = ("bench:floor:global", "bench:floor:account", "bench:floor:members", "bench:floor:project")
CACHE_TIMEOUT = 3600


def _size(request: HttpRequest) -> int:
    try:
        return min(max(int(request.GET.get("size", "1000")), 16), MAX_SIZE)
    except ValueError:
        return 1000


def _reader(request: HttpRequest) -> UserKey | None:
    header = request.headers.get("Authorization", "")
    user = principal_from_access_token(header[7:]) if header.startswith("Bearer ") else None
    return None if user is None else user.pk


def _body(reader: UserKey, size: int) -> bytes:
    """A JSON object of ``size`` bytes naming the reader."""
    start = json.dumps({"user": reader}, cls=DjangoJSONEncoder, separators=(",", ":"))[:-1]
    end = '"}'
    pad = "x" * (size - len(start) - len(',"pad":"') - len(end))
    return f'{start},"pad":"{pad}{end}'.encode()


def _json(body: bytes) -> HttpResponse:
    return HttpResponse(body, content_type="application/json")


def floor(request: HttpRequest) -> HttpResponse:
    reader = _reader(request)
    return envelope_response(401) if reader is None else _json(_body(reader, _size(request)))


def cache_floor(request: HttpRequest) -> HttpResponse:
    reader = _reader(request)
    if reader is None:
        return envelope_response(401)
    size = _size(request)
    key = f"bench:floor:body:{reader}:{size}"
    found = versioned.fetch([key, f"bench:floor:state:{reader}", f"bench:floor:access:{reader}"], COUNTERS)
    if found is None:
        return envelope_response(503)
    body = found[0][0]
    if body is None:  # the first request: store it as a miss stores a read
        body = _body(reader, size)
        versioned.keep(key, found[1], COUNTERS, body, CACHE_TIMEOUT)
    return _json(body)
