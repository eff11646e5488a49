"""The example site's test settings on django.contrib.auth.User, whose emails are not unique."""

import os

from tests.settings import *  # noqa: F403
from tests.settings import INSTALLED_APPS, VAR_DIR

INSTALLED_APPS = [app for app in INSTALLED_APPS if app != "tracker_accounts.email_user"]
AUTH_USER_MODEL = "auth.User"

# a database of its own, never the main suite's, nor another run's (CI runs two suites at once)
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": ":memory:",
        "TEST": {"NAME": str(VAR_DIR / f"test_auth_user_{os.getpid()}.sqlite3")},
    }
}
