"""The error envelope ``{"code", "detail", "errors"}`` and the handlers that render it.

Domain code raises :class:`ApiError` (or a subclass); :func:`install_error_handlers`
makes a ``NinjaAPI`` render it, ninja's own validation/auth/HTTP errors, ``Http404``
and unhandled exceptions as the envelope.
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping
from typing import ClassVar, NotRequired, TypedDict, TypeVar

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, ValidationError

from . import error_codes as codes
from .error_codes import ErrorCode

logger = logging.getLogger("tracker_accounts.errors")

_E = TypeVar("_E", bound=Exception)


class FieldMessage(TypedDict):
    """One item of the envelope's ``errors`` (the schema's FieldError)."""

    field: str
    message: str


class Envelope(TypedDict):
    """The body of an error answer (the schema's ErrorOut)."""

    code: str
    detail: str
    errors: list[FieldMessage]
    request_id: NotRequired[str]  # on a server error only


def envelope(
    status: int,
    error: ErrorCode | None = None,
    detail: str | None = None,
    errors: Iterable[Mapping[str, str]] = (),
) -> Envelope:
    """The body of an error answer; ``error`` defaults to the catalogue's code for ``status``."""
    error = error or codes.for_status(status)
    return {
        "code": error.code,
        "detail": detail or error.detail,
        "errors": [{"field": str(e["field"]), "message": str(e["message"])} for e in errors],
    }


def envelope_response(
    status: int,
    error: ErrorCode | None = None,
    detail: str | None = None,
    errors: Iterable[Mapping[str, str]] = (),
    headers: Mapping[str, str] | None = None,
    request_id: str | None = None,
) -> JsonResponse:
    body = envelope(status, error, detail, errors)
    if request_id:  # quoted to support staff when reporting a server error
        body["request_id"] = request_id
    response = JsonResponse(body, status=status)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


class ApiError(Exception):
    """A domain error that the API renders as the envelope; its code comes from the catalogue."""

    error: ClassVar[ErrorCode] = codes.BAD_REQUEST

    def __init__(
        self,
        detail: str | None = None,
        *,
        error: ErrorCode | None = None,
        errors: Iterable[Mapping[str, str]] = (),
        headers: Mapping[str, str] | None = None,
    ) -> None:
        chosen = error or self.error
        self.status = chosen.status
        self.code = chosen.code
        self.entry = chosen
        self.detail = detail or chosen.detail
        self.errors = [dict(e) for e in errors]
        self.headers = dict(headers or {})
        super().__init__(self.detail)


class NotFound(ApiError):
    error = codes.NOT_FOUND


class PermissionDenied(ApiError):
    error = codes.PERMISSION_DENIED


class Conflict(ApiError):
    error = codes.CONFLICT


class Gone(ApiError):
    error = codes.GONE


class NotAuthenticated(ApiError):
    error = codes.NOT_AUTHENTICATED


class InvalidInput(ApiError):
    """422 for business rules on input; name the field(s) concerned."""

    error = codes.VALIDATION_ERROR

    @classmethod
    def for_field(cls, field: str, message: str) -> InvalidInput:
        return cls(message, errors=[{"field": field, "message": message}])


class RateLimited(ApiError):
    error = codes.RATE_LIMITED

    def __init__(self, retry_after: int, detail: str | None = None) -> None:
        super().__init__(detail, headers={"Retry-After": str(max(1, int(retry_after)))})
        self.retry_after = max(1, int(retry_after))


class DeferredAuth(ABC):
    """What an authenticator leaves as ``request.auth`` when it checks the caller only on first
    use (a lazily checked token, :class:`~tracker_accounts.principals.Principal`). The handler of
    validation errors completes the check first, so a refused caller hears 401, not 422."""

    @abstractmethod
    def verify(self) -> None:
        """Raise ninja's ``AuthenticationError`` when the caller is refused."""


def _field_of(loc: Iterable[object]) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] == "body":
        parts = parts[2:]  # ("body", <param name>, field, ...)
    elif parts and parts[0] in {"query", "path", "header", "cookie", "form", "file"}:
        parts = parts[1:]
    return ".".join(parts) or "body"


def validation_errors(exc: ValidationError) -> list[dict[str, str]]:
    out = []
    for err in exc.errors:
        message = str(err.get("msg", "Invalid value."))
        message = message.removeprefix("Value error, ")
        out.append({"field": _field_of(err.get("loc", ())), "message": message})
    return out


# ninja types a handler's ``exc`` as the exception or its class (``ninja.main.Exc``), so the
# handlers take ``object``; ninja passes them the exception raised, which :func:`_raised` checks.
def _raised(exc: object, kind: type[_E]) -> _E:
    """``exc``, the ``kind`` of exception a handler was registered for."""
    if not isinstance(exc, kind):
        raise TypeError(f"a handler of {kind.__name__} was given {exc!r}")
    return exc


def _api_error(request: HttpRequest, exc: object) -> HttpResponse:
    error = _raised(exc, ApiError)
    return envelope_response(error.status, error.entry, error.detail, error.errors, error.headers)


def _validation_error(request: HttpRequest, exc: object) -> HttpResponse:
    invalid = _raised(exc, ValidationError)
    auth = getattr(request, "auth", None)
    if isinstance(auth, DeferredAuth):  # a lazily checked token: refused users hear 401 first
        try:
            auth.verify()
        except AuthenticationError:
            return _authentication_error(request, exc)
    body_expected = any(str(next(iter(e.get("loc", ())), "")) == "body" for e in invalid.errors)
    if body_expected and request.method in ("POST", "PUT", "PATCH", "DELETE") and not request.body:
        return envelope_response(400, detail="The request body is empty: send a JSON object.")
    return envelope_response(422, errors=validation_errors(invalid))


def _authentication_error(request: HttpRequest, exc: object) -> HttpResponse:
    return envelope_response(401, headers={"WWW-Authenticate": 'Bearer realm="api"'})


def _authorization_error(request: HttpRequest, exc: object) -> HttpResponse:
    return envelope_response(403)


def _http_error(request: HttpRequest, exc: object) -> HttpResponse:
    error = _raised(exc, HttpError)
    status = error.status_code
    headers: dict[str, str] = {}
    wait = getattr(error, "wait", None)
    if status == 429 and wait:
        headers["Retry-After"] = str(int(wait))
    detail = str(error) if status != 400 else "The request body is not valid JSON."
    return envelope_response(status, detail=detail, headers=headers)


def _not_found(request: HttpRequest, exc: object) -> HttpResponse:
    return envelope_response(404)


def _suspicious(request: HttpRequest, exc: object) -> HttpResponse:
    # Raised while reading the request (say, a body over DATA_UPLOAD_MAX_MEMORY_SIZE): a client error.
    return envelope_response(413 if isinstance(exc, RequestDataTooBig) else 400)


def _unreadable_body(request: HttpRequest, exc: object) -> HttpResponse:
    # A form body that cannot be parsed (a broken multipart body) or read to its end.
    return envelope_response(400, detail="The request body could not be read.")


def _server_error(request: HttpRequest, exc: object) -> HttpResponse:
    request_id = getattr(request, "request_id", None)
    logger.error(
        "Unhandled error on %s %s",
        request.method,
        request.path,
        exc_info=_raised(exc, Exception),
        extra={"event": "server_error", "request_id": request_id or "-"},
    )
    return envelope_response(500, request_id=request_id)


def install_error_handlers(api: NinjaAPI) -> None:
    """Make every error of ``api`` answer with the envelope."""
    api.add_exception_handler(ApiError, _api_error)
    api.add_exception_handler(ValidationError, _validation_error)
    api.add_exception_handler(AuthenticationError, _authentication_error)
    api.add_exception_handler(AuthorizationError, _authorization_error)
    api.add_exception_handler(HttpError, _http_error)
    api.add_exception_handler(Http404, _not_found)
    api.add_exception_handler(SuspiciousOperation, _suspicious)
    api.add_exception_handler(MultiPartParserError, _unreadable_body)
    api.add_exception_handler(UnreadablePostError, _unreadable_body)
    api.add_exception_handler(Exception, _server_error)
