"""The benchmark's authenticated floor: a view behind the site's middleware and server that
checks the bearer token as a cached read does before its one cache round trip, and returns
a JSON body of a requested size. Mounted only when ``BENCH_FLOOR=true`` (bench/http_bench.py
sets it); never in a normal run."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse

from tracker_accounts.auth import principal_from_access_token
from tracker_accounts.errors import envelope_response

MAX_SIZE = 1_000_000


def floor(request: HttpRequest) -> HttpResponse:
    header = request.headers.get("Authorization", "")
    user = principal_from_access_token(header[7:]) if header.startswith("Bearer ") else None
    if user is None:
        return envelope_response(401)
    try:
        size = min(max(int(request.GET.get("size", "1000")), 16), MAX_SIZE)
    except ValueError:
        size = 1000
    padding = "x" * (size - len('{"user":,"pad":""}') - len(str(user.pk)))
    return JsonResponse({"user": user.pk, "pad": padding})
