"""ASGI config for the bare floor project (as startproject makes it; the benchmark serves WSGI)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "floor_site.settings")

application = get_asgi_application()
