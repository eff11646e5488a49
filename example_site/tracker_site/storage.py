"""Static files in production: hashed names, compressed copies, cached for a year.

``collectstatic`` writes each file under a name carrying a hash of its content (``app.3f2a1c.js``)
and a gzip / brotli copy; whitenoise serves names with a hash as immutable with a ten-year
``max-age``, so browsers never ask again and a new release changes the name. A page rendered
before ``collectstatic`` has run (a site started straight from a checkout) gets the plain name
and a warning in the log instead of a 500.
"""

from __future__ import annotations

import logging

from whitenoise.storage import CompressedManifestStaticFilesStorage  # type: ignore[import-untyped]

logger = logging.getLogger("tracker_site.static")


class HashedStaticFiles(CompressedManifestStaticFilesStorage):  # type: ignore[misc]
    def url(self, name: str | None, force: bool = False) -> str:
        try:
            return str(super().url(name, force))
        except ValueError:
            logger.warning("%s is not in the static files manifest: run collectstatic", name)
            return str(self._url(lambda name, *args, **kwargs: name, name, force))
