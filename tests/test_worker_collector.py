"""Each gunicorn worker leaves what it loaded at start out of the garbage collector's full
passes (``gunicorn.conf.py``'s ``post_worker_init``, ``tracker_site.collector``).

Runs in a fresh interpreter: the test process has loaded (and would freeze) far more."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

SITE = Path(__file__).resolve().parents[1] / "example_site"

PROBE = """
import gc, json, os, runpy, sys
sys.path.insert(0, {site!r})
os.environ["DJANGO_SETTINGS_MODULE"] = "tracker_site.settings"
import django

django.setup()  # what gunicorn's worker has done when post_worker_init runs
before = len(gc.get_objects())
runpy.run_path({conf!r})["post_worker_init"](None)
gc.collect()
print(json.dumps({{
    "before": before,
    "frozen": gc.get_freeze_count(),
    "walked": len(gc.get_objects()),
    "urlconf": "tracker_projects.api" in sys.modules,
}}))
"""


def test_the_shipped_configuration_freezes_what_a_worker_loaded():
    code = PROBE.format(site=str(SITE), conf=str(SITE / "gunicorn.conf.py"))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found["urlconf"]  # the URLconf and the API were loaded before the freeze
    assert found["frozen"] > found["before"]  # setup's objects, and the URLconf's besides
    # what a full collection still walks afterwards: a small part of what it walked before
    assert found["walked"] < found["frozen"] / 10
