"""The README's host-mounting snippets stay true: the host sites under tests/hosts/ add exactly
its lines, and its two host blocks run as pasted into a new ``startproject`` site. The rest of
the mounting guide (custom user models, the adapter, the operations endpoints) is
docs/adopting.md, whose snippets are held to the host sites too."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tests.hosts.readme_site import adopt, host_blocks, new

ROOT = Path(__file__).resolve().parent.parent
HOSTS = ROOT / "tests" / "hosts"


def _snippets() -> list[str]:
    """The Python snippets of the mounting guide (the host blocks it includes from the README
    are not among them: the tests below hold those)."""
    guide = (ROOT / "docs" / "adopting.md").read_text()
    return re.findall(r"```python\n(.*?)```", guide, re.S)


def _code_lines(block: str) -> list[str]:
    return [line.strip() for line in block.splitlines() if line.strip() and not line.startswith("#")]


def _block(path: Path, name: str) -> list[str]:
    text = path.read_text()
    block = text.split(f"# --- README: {name}, begin", 1)[1].split(f"# --- README: {name}, end", 1)[0]
    return [line.strip() for line in block.strip().splitlines() if line.strip()]


@pytest.mark.parametrize("host", ["email_site", "auth_site", "custom_site", "uuid_site"])
def test_each_host_adds_exactly_the_readme_lines(host):
    blocks = host_blocks((ROOT / "README.md").read_text())
    assert _block(HOSTS / host / "host_site/settings.py", "host setup") == _code_lines(blocks["settings"])
    assert _block(HOSTS / host / "host_site/urls.py", "host urls") == _code_lines(blocks["urls"])


def test_the_projects_readme_installs_with_the_same_blocks():
    """The package's own README shows the main README's host blocks, not a shorter copy."""
    main = host_blocks((ROOT / "README.md").read_text())
    assert host_blocks((ROOT / "packages/django-tracker-projects/README.md").read_text()) == main


def _python(site: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``python ARGS`` in the generated site, on its own settings (not the suite's)."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "host_site.settings"}
    return subprocess.run(
        [sys.executable, *args], cwd=site, env=env, capture_output=True, text=True, timeout=120
    )


def _findings(report: str) -> set[str]:
    return set(re.findall(r"\(([\w.]+\.[A-Z]+\d+)\)", report))


DOCS_PAGE = """
import json

import django

django.setup()
from django.test import Client
from django.test.utils import setup_test_environment
from django.urls import reverse

setup_test_environment()
url = reverse("tracker_api:openapi-view")
page = Client().get(url)
print(json.dumps({"url": url, "status": page.status_code, "html": page.content.decode()}))
"""


def test_the_readme_blocks_run_as_pasted_into_a_new_startproject_site(tmp_path):
    """The two blocks, taken from the README by their markers and appended to what
    ``django-admin startproject`` writes, make a site that passes ``check`` (but the W002 of
    auth.User's emails) and serves the tracker's docs page from its static files."""
    site = tmp_path / "site"
    new(site)
    adopt(site, (ROOT / "README.md").read_text(), test_settings="")
    checked = _python(site, "manage.py", "check")
    assert checked.returncode == 0, checked.stderr
    assert _findings(checked.stdout + checked.stderr) == {"tracker_accounts.W002"}, checked.stderr
    shown = _python(site, "-c", DOCS_PAGE)
    assert shown.returncode == 0, shown.stderr
    docs = json.loads(shown.stdout.strip().splitlines()[-1])
    assert docs["url"] == "/api/docs" and docs["status"] == 200
    assert "/static/ninja/swagger-ui-bundle" in docs["html"] and "cdn.jsdelivr.net" not in docs["html"]


def test_without_the_readmes_sqlite_options_check_warns_w006(tmp_path):
    """The snippet's two OPTIONS lines are what keeps a new SQLite site from W006."""
    readme = (ROOT / "README.md").read_text()
    settings = host_blocks(readme)["settings"]
    sqlite_lines = [line for line in settings.splitlines() if "DATABASES" in line]
    assert len(sqlite_lines) == 2, sqlite_lines
    for line in sqlite_lines:
        readme = readme.replace(line + "\n", "")
    site = tmp_path / "site"
    new(site)
    adopt(site, readme, test_settings="")
    checked = _python(site, "manage.py", "check")
    assert _findings(checked.stdout + checked.stderr) == {"tracker_accounts.W002", "tracker_accounts.W006"}


def test_the_new_site_lines_are_the_email_site_lines():
    new_site = next(block for block in _snippets() if "tracker_email_user.User" in block)
    settings = (HOSTS / "email_site/host_site/settings.py").read_text()
    for line in new_site.strip().splitlines():
        assert line.strip() in settings


def test_the_adapter_example_is_the_custom_site_adapter():
    example = next(block for block in _snippets() if "class PeopleAdapter" in block)
    adapter = (HOSTS / "custom_site/people/adapter.py").read_text()
    for line in example.strip().splitlines()[2:]:
        assert line.strip().split("(")[0] in adapter, line
    settings = (HOSTS / "custom_site/host_site/settings.py").read_text()
    assert 'TRACKER_ACCOUNTS_ADAPTER = "people.adapter.PeopleAdapter"' in settings


def test_the_opt_in_operations_paths_are_the_example_sites():
    urls = (ROOT / "example_site/tracker_site/urls.py").read_text()
    example = next(block for block in _snippets() if "tracker_accounts.views.health" in block)
    for view in ("tracker_accounts.views.health", "tracker_accounts.views.metrics"):
        assert view in example and view in urls


def test_the_run_command_installs_no_development_tool():
    """The README's command that runs the site syncs without the ``dev`` group."""
    readme = (ROOT / "README.md").read_text()
    run = re.search(r"^uv run (.*) example_site/manage.py devserver", readme, re.M)
    assert run and "--no-dev" in run.group(1).split()
    uv = shutil.which("uv")
    assert uv, "uv is the README's prerequisite"
    exported = subprocess.run(
        [uv, "export", "--no-dev", "--frozen", "--no-hashes", "--all-packages", "--no-emit-workspace"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    installed = {line.split("==")[0] for line in exported.splitlines() if re.match(r"^[a-z0-9]", line)}
    dev = tomllib.loads((ROOT / "pyproject.toml").read_text())["dependency-groups"]["dev"]
    dev_names = {re.split(r"[<>=\[ ]", spec)[0].lower() for spec in dev}
    assert installed and not installed & dev_names, installed & dev_names
    assert {"django", "gunicorn", "django-q2"} <= installed
