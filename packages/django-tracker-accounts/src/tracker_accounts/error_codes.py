"""Every error code the tracker's API answers with, in one place.

Each entry names its code, the status it goes with and the sentence used when the raiser
gives none. Domain errors (:mod:`tracker_accounts.errors`) take their code from here, and the
OpenAPI schema lists, per operation and status, the codes of this catalogue it can return.
"""

from __future__ import annotations

from typing import NamedTuple


class ErrorCode(NamedTuple):
    code: str
    status: int
    detail: str


# One per status: what any error of that status is called unless it has a code of its own.
BAD_REQUEST = ErrorCode("bad_request", 400, "The request could not be understood.")
NOT_AUTHENTICATED = ErrorCode(
    "not_authenticated", 401, "Authentication credentials were not provided or are not valid."
)
PERMISSION_DENIED = ErrorCode("permission_denied", 403, "You do not have permission to perform this action.")
NOT_FOUND = ErrorCode("not_found", 404, "Not found.")
METHOD_NOT_ALLOWED = ErrorCode("method_not_allowed", 405, "This method is not allowed on this path.")
CONFLICT = ErrorCode("conflict", 409, "The request conflicts with the current state.")
GONE = ErrorCode("gone", 410, "This resource is no longer available.")
PAYLOAD_TOO_LARGE = ErrorCode("payload_too_large", 413, "The request is too large.")
UNSUPPORTED_MEDIA_TYPE = ErrorCode("unsupported_media_type", 415, "The request body must be JSON.")
VALIDATION_ERROR = ErrorCode("validation_error", 422, "The request is not valid.")
RATE_LIMITED = ErrorCode("rate_limited", 429, "Too many requests. Try again later.")
SERVER_ERROR = ErrorCode("server_error", 500, "An unexpected error occurred.")
SERVICE_UNAVAILABLE = ErrorCode("service_unavailable", 503, "The service is unavailable.")

# Accounts.
OTP_INVALID = ErrorCode("otp_invalid", 400, "The code is not valid.")
OTP_EXPIRED = ErrorCode("otp_expired", 400, "The code has expired. Ask for a new one.")
EMAIL_TOKEN_INVALID = ErrorCode("email_token_invalid", 400, "The email token is invalid, expired or used.")
INVALID_CREDENTIALS = ErrorCode("invalid_credentials", 401, "The email or password is not correct.")
TOKEN_INVALID = ErrorCode("token_invalid", 401, "The token is invalid, expired or revoked.")
EMAIL_TAKEN = ErrorCode("email_taken", 409, "An account with this email already exists.")
EMAIL_AMBIGUOUS = ErrorCode(
    "email_ambiguous",
    409,
    "More than one account uses this email address; an administrator must resolve it.",
)
UNHEALTHY = ErrorCode("unhealthy", 503, "A part of the service is failing.")

# Projects, tasks and invitations.
LOGIN_REQUIRED = ErrorCode("login_required", 401, "An account exists for this address: sign in to accept.")
INVITE_EMAIL_MISMATCH = ErrorCode(
    "invite_email_mismatch", 403, "This invitation was sent to another address."
)
INVITE_NOT_FOUND = ErrorCode("invite_not_found", 404, "This invitation does not exist.")
INVITE_NOT_PENDING = ErrorCode("invite_not_pending", 409, "Only a pending invitation can be revoked.")
MANAGER_CANNOT_LEAVE = ErrorCode(
    "manager_cannot_leave", 409, "The project's manager cannot leave the project."
)
NOT_DELETED = ErrorCode("not_deleted", 409, "It is not deleted: there is nothing to restore.")
INVITE_USED = ErrorCode("invite_used", 410, "This invitation has been used already.")
INVITE_REVOKED = ErrorCode("invite_revoked", 410, "This invitation has been revoked.")
INVITE_EXPIRED = ErrorCode("invite_expired", 410, "This invitation has expired.")
LABEL_EXISTS = ErrorCode("label_exists", 409, "The project has a label of this name already.")

CATALOGUE: dict[str, ErrorCode] = {
    entry.code: entry for entry in dict(globals()).values() if isinstance(entry, ErrorCode)
}
# The code of a status that has none of its own.
BY_STATUS: dict[int, ErrorCode] = {
    entry.status: entry
    for entry in (
        BAD_REQUEST,
        NOT_AUTHENTICATED,
        PERMISSION_DENIED,
        NOT_FOUND,
        METHOD_NOT_ALLOWED,
        CONFLICT,
        GONE,
        PAYLOAD_TOO_LARGE,
        UNSUPPORTED_MEDIA_TYPE,
        VALIDATION_ERROR,
        RATE_LIMITED,
        SERVER_ERROR,
        SERVICE_UNAVAILABLE,
    )
}


def for_status(status: int) -> ErrorCode:
    return BY_STATUS.get(status) or ErrorCode("error", status, "Error.")
