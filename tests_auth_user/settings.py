"""The example site's test settings on django.contrib.auth.User, whose emails are not unique."""

from tests.settings import *  # noqa: F403
from tests.settings import INSTALLED_APPS, VAR_DIR

INSTALLED_APPS = [app for app in INSTALLED_APPS if app != "tracker_accounts.email_user"]
AUTH_USER_MODEL = "auth.User"

# a database of its own, never the main suite's (both may be reused between runs)
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": ":memory:",
        "TEST": {"NAME": str(VAR_DIR / "test_auth_user.sqlite3")},
    }
}
