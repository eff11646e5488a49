"""The site's Content-Security-Policy, one list of directives for its pages and for the other
HTML it serves (the admin, the API's docs page)."""

from __future__ import annotations


def policy(*, style_hashes: tuple[str, ...] = ()) -> str:
    """Scripts, styles and everything else only from the site itself: no inline script, no
    inline style but those ``style_hashes`` name, no other origin, no framing, no plugin."""
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            " ".join(["style-src 'self'", *style_hashes]),
            "img-src 'self' data:",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )
