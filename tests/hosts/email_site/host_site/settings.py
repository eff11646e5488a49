"""A brand-new site on the optional email-login user model, migrated with users before the tracker."""

from shared.base_settings import *  # noqa: F403
from shared.base_settings import DATABASES, INSTALLED_APPS, TRACKER

INSTALLED_APPS += ["tracker_accounts.email_user"]
AUTH_USER_MODEL = "tracker_email_user.User"

if TRACKER:
    # --- README: host setup, begin
    INSTALLED_APPS += ["ninja", "ninja_jwt", "ninja_jwt.token_blacklist", "django_q"]
    INSTALLED_APPS += ["tracker_accounts", "tracker_projects"]
    AUTHENTICATION_BACKENDS = [
        "tracker_accounts.backends.LoginLockoutBackend",  # first, then your own backends
        "django.contrib.auth.backends.ModelBackend",
    ]
    Q_CLUSTER = {"name": "tracker", "orm": "default", "timeout": 60, "retry": 120}  # retry > timeout
    if DATABASES["default"]["ENGINE"].endswith("sqlite3"):  # web server and qcluster write one file
        DATABASES["default"].setdefault("OPTIONS", {}).update(timeout=20, transaction_mode="IMMEDIATE")
    TRACKER_PROJECTS_INVITE_URL_TEMPLATE = "https://www.example.com/invite_register/{token}/"
    TRACKER_ACCOUNTS_SITE_URL = "https://example.com"  # links in mail to the tracker's own pages
    # --- README: host setup, end
    Q_CLUSTER["sync"] = True  # this test only: tasks (mail) run inline, no worker process
