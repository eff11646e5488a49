"""gunicorn's access log without tokens: ``logger_class`` in ``gunicorn.conf.py``.

The request line, path, query and referrer of each access line go through the tracker's
redaction (:func:`tracker_accounts.log.redact_target`): an invitation or unsubscribe token in
the path, or a ``token=`` / ``code=`` query field, is written ``<redacted>``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta

from gunicorn.glogging import Logger  # type: ignore[import-untyped]

from tracker_accounts.log import redact_query, redact_target, redact_text

# environ keys that hold the request's target, and how each is redacted
_REDACTIONS = {
    "RAW_URI": redact_target,
    "PATH_INFO": redact_target,
    "QUERY_STRING": redact_query,
    "HTTP_REFERER": redact_text,
}


class RedactingLogger(Logger):  # type: ignore[misc]
    """gunicorn's logger whose access-log atoms (``%(r)s``, ``%(U)s``, ``%(q)s``, ``%(f)s``, the
    ``{referer}i`` header and the ``{...}e`` environ atoms) carry no token."""

    def atoms(
        self, resp: object, req: object, environ: Mapping[str, object], request_time: timedelta
    ) -> dict[str, object]:
        redacted = dict(environ)
        for key, redact in _REDACTIONS.items():
            value = redacted.get(key)
            if isinstance(value, str):
                redacted[key] = redact(value)
        atoms: dict[str, object] = super().atoms(resp, req, redacted, request_time)
        referer = atoms.get("{referer}i")
        if isinstance(referer, str):
            atoms["{referer}i"] = redact_text(referer)
        return atoms
