"""Keep the garbage collector's full passes off what a gunicorn worker loads at start.

Once Django, the apps, the URLconf and the cache's client are loaded, a worker holds about
120,000 objects that live as long as it does (modules, classes, functions, URL patterns,
ninja's schemas). CPython's collector still walks every one of them on each collection of its
oldest generation, which the requests' own allocations set off every few hundred requests: a
pause of 30 to 100 ms inside whichever request set it off. ``gc.freeze()`` moves every object
tracked at that moment into a generation no collection walks; what the requests create is
collected as before.

Called from ``gunicorn.conf.py``'s ``post_worker_init``, in each worker once it has loaded the
application.
"""

from __future__ import annotations

import contextlib
import gc

from django.core.cache import caches
from django.urls import Resolver404, resolve


def freeze_loaded_objects() -> int:
    """Load what the first request would (the URLconf with its views and the API's schemas,
    the default cache's backend and client), collect what loading left behind, then freeze
    what remains. The number of objects frozen."""
    with contextlib.suppress(Resolver404):  # nothing at "/": the URLconf is loaded all the same
        resolve("/")
    caches["default"]  # creating the backend imports its client; nothing connects
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()
