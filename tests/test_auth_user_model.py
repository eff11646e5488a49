"""The tracker on django.contrib.auth.User (emails not unique) runs in a process of its own:
AUTH_USER_MODEL cannot change inside one. This runs that suite, tests_auth_user/."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTEST = [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", "-p", "no:cacheprovider"]


def test_the_auth_user_suite_passes():
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(DATABASE_URL="", REDIS_URL="")
    done = subprocess.run(
        [*PYTEST, "tests_auth_user", "--ds", "tests_auth_user.settings", "--create-db"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-3000:]
    assert " passed" in done.stdout and " failed" not in done.stdout, done.stdout[-2000:]
