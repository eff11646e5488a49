"""Text that users choose (names, project names, task titles) in mail subjects.

A subject is what a phishing mail needs most: it arrives from the site's own sender. So user
text reaches a subject only when it holds nothing that looks like a link (a scheme, ``www.``
or a host name) and only its first 80 characters; the body shows it in full, as quoted text.
"""

from __future__ import annotations

import re

SUBJECT_TEXT_LIMIT = 80
LINK_LIKE = re.compile(
    r"[a-z][a-z0-9+.-]*:/"  # a scheme: https://, http:/, ftp://
    r"|www\."
    r"|[a-z0-9-]\.[a-z]{2,63}(?:[/:?#]|\b)"  # a host name: evil.example.net, evil.co/x
    r"|@",
    re.IGNORECASE,
)


def subject_text(text: str) -> str | None:
    """``text`` as it may appear in a subject, or None where it must stay out."""
    text = " ".join(text.split())
    if not text or LINK_LIKE.search(text):
        return None
    if len(text) > SUBJECT_TEXT_LIMIT:
        text = text[: SUBJECT_TEXT_LIMIT - 1].rstrip() + "…"
    return text
