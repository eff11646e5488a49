"""The README's host-mounting snippet stays true: the host project under tests/ does what it says."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _snippet() -> str:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Mounting the apps in a host site", 1)[1]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


def test_readme_installed_apps_match_the_host_project():
    snippet = _snippet()
    apps = re.search(r"INSTALLED_APPS \+= \[(.*?)\]", snippet, re.S).group(1)
    readme_apps = re.findall(r'"([\w.]+)"', apps)
    host = (ROOT / "tests/host_project/host_site/settings.py").read_text()
    block = host.split("# --- README: host setup, begin", 1)[1].split("# --- README: host setup, end", 1)[0]
    assert readme_apps == re.findall(r'"([\w.]+)"', block)


def test_readme_calls_are_the_host_project_calls():
    snippet = _snippet()
    urls = (ROOT / "tests/host_project/host_site/urls.py").read_text()
    for line in (
        "tracker_accounts.api.install(api)",
        "tracker_projects.api.install(api)",
        'AUTH_USER_MODEL = "tracker_accounts.User"',
        "tracker_accounts.middleware.ApiErrorEnvelopeMiddleware",
        '"timeout": 60, "retry": 120',  # django-q2 warns unless retry > timeout
    ):
        assert line in snippet
        assert line in urls or line in (ROOT / "tests/host_project/host_site/settings.py").read_text()
