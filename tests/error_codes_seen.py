"""Every error the suite provokes must carry a code its operation documents.

The outermost middleware of the test settings records, for each answer under the tracker's
API with status 400 or more, the operation (path template and method), the status and the
envelope's code. When the session ends, :func:`undocumented` compares them with the served
OpenAPI schema; ``conftest.pytest_sessionfinish`` fails the run on any mismatch. The schema
is then checked against what the code really does, over every test that ran, not only the
ones written about the schema.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse

SEEN: set[tuple[str, str, int, str]] = set()
_PARAM = re.compile(r"<(?:\w+:)?(\w+)>")


class RecordErrorCodes:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        is_json = response.get("Content-Type") == "application/json"
        if response.status_code >= 400 and match is not None and is_json:
            try:
                code = json.loads(response.content)["code"]
            except (ValueError, KeyError, TypeError):
                code = "<not the envelope>"
            path = "/" + _PARAM.sub(r"{\1}", match.route)
            SEEN.add((path, request.method.lower(), response.status_code, code))
        return response


def undocumented(schema: dict[str, Any]) -> list[str]:
    problems = []
    for path, method, status, code in sorted(SEEN):
        operation = schema["paths"].get(path, {}).get(method)
        if operation is None or status == 405:
            continue  # not one of the API's operations (an unknown path or method)
        response = operation["responses"].get(str(status))
        if response is None:
            problems.append(f"{method.upper()} {path}: status {status} ({code}) is not documented")
            continue
        listed = response["content"]["application/json"]["schema"]["allOf"][1]["properties"]["code"]["enum"]
        if code not in listed:
            problems.append(f"{method.upper()} {path}: {status} `{code}` is not among {listed}")
    return problems
