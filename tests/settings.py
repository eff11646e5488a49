"""Test settings: the example site's, with tasks run inline and fast password hashing.

``DATABASE_URL`` and ``REDIS_URL`` switch the suite to PostgreSQL and Redis exactly as
they switch the site.
"""

import os

os.environ.setdefault("DEBUG", "true")

from tracker_site.mailers import mail_settings
from tracker_site.settings import *  # noqa: F403
from tracker_site.settings import CACHES, Q_CLUSTER, REDIS_URL

Q_CLUSTER["sync"] = True
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
globals().update(mail_settings("django.core.mail.backends.locmem.EmailBackend"))
if REDIS_URL:
    CACHES["default"]["KEY_PREFIX"] = "tracker-tests"
LOGGING = {"version": 1, "disable_existing_loggers": False}
# The outermost middleware: records each error's code for the schema check at the session's end.
MIDDLEWARE = ["tests.error_codes_seen.RecordErrorCodes", *MIDDLEWARE]  # noqa: F405
