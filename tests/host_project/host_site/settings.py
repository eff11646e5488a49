"""A minimal host project: what the README tells a host site to add, and nothing more."""

from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
SECRET_KEY = "host-project-test-key-0123456789-abcdefghijklmnopqrstuvwxyz-0123456789"
DEBUG = False
ALLOWED_HOSTS = ["testserver", "localhost"]
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    # --- README: host setup, begin
    "ninja_jwt",
    "ninja_jwt.token_blacklist",
    "django_q",
    "tracker_accounts",
    "tracker_projects",
    # --- README: host setup, end
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "tracker_accounts.middleware.ApiErrorEnvelopeMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]
AUTH_USER_MODEL = "tracker_accounts.User"
TRACKER_ACCOUNTS_API_PREFIX = "/tracker-api/"
Q_CLUSTER = {"name": "host", "orm": "default", "sync": True, "timeout": 60, "retry": 120}
ROOT_URLCONF = "host_site.urls"
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": BASE_DIR / "host.sqlite3"}}
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
