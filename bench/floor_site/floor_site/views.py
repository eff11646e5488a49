"""The bare floor: a JSON body of the requested size, and nothing else."""

import json

from django.http import HttpRequest, JsonResponse

MAX_SIZE = 1_000_000
FRAME = len(json.dumps({"pad": ""}))  # JsonResponse writes json.dumps's default separators


def floor(request: HttpRequest) -> JsonResponse:
    """``GET /floor/?size=N``: a JSON body of exactly N bytes (16 to 1,000,000)."""
    try:
        size = min(max(int(request.GET.get("size", "1000")), 16), MAX_SIZE)
    except ValueError:
        size = 1000
    return JsonResponse({"pad": "x" * (size - FRAME)})
