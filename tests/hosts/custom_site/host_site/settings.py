"""An existing site with its own user model (people.Person) and its own NinjaAPI at /v1/"""

from shared.base_settings import *  # noqa: F403
from shared.base_settings import AUTHENTICATION_BACKENDS, INSTALLED_APPS, TRACKER

INSTALLED_APPS += ["people"]
AUTH_USER_MODEL = "people.Person"

if TRACKER:
    # --- README: host setup, begin
    INSTALLED_APPS += ["ninja_jwt", "ninja_jwt.token_blacklist", "django_q"]
    INSTALLED_APPS += ["tracker_accounts", "tracker_projects"]
    Q_CLUSTER = {"name": "tracker", "orm": "default", "timeout": 60, "retry": 120}  # retry > timeout
    TRACKER_PROJECTS_INVITE_URL_TEMPLATE = "https://www.example.com/invite_register/{token}/"
    TRACKER_ACCOUNTS_SITE_URL = "https://example.com"  # links in mail to the tracker's own pages
    AUTHENTICATION_BACKENDS = ["tracker_accounts.backends.LoginLockoutBackend", *AUTHENTICATION_BACKENDS]
    # --- README: host setup, end
    Q_CLUSTER["sync"] = True  # this test only: tasks (mail) run inline, no worker process
    TRACKER_ACCOUNTS_ADAPTER = "people.adapter.PeopleAdapter"  # new users get the site's own fields
