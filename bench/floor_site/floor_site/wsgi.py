"""WSGI config for the bare floor project (``gunicorn --chdir bench/floor_site floor_site.wsgi``)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "floor_site.settings")

application = get_wsgi_application()
