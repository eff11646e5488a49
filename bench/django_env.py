"""Django setup for the benchmark scripts (the example site's settings, from the environment)."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def setup() -> None:
    for path in (str(ROOT / "example_site"), str(ROOT)):
        if path not in sys.path:
            sys.path.insert(0, path)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker_site.settings")
    os.environ.setdefault("DEBUG", "false")
    os.environ.setdefault("SECRET_KEY", "bench-" + "x" * 50)
    os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost")
    import django

    django.setup()


def run_if_inside(args: Any, run: Callable[[Any], None]) -> bool:
    """In the process re-run with ``--inside``: set Django up, ``run(args)``, and say so."""
    if not args.inside:
        return False
    setup()
    run(args)
    return True
