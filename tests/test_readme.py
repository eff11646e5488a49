"""The README's host-mounting snippets stay true: the host sites under tests/hosts/ do what they say."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HOSTS = ROOT / "tests" / "hosts"


def _section() -> str:
    readme = (ROOT / "README.md").read_text()
    return readme.split("## Mounting the apps in a host site", 1)[1].split("\n## ", 1)[0]


def _snippets() -> list[str]:
    return re.findall(r"```python\n(.*?)```", _section(), re.S)


def _block(path: Path, name: str) -> list[str]:
    text = path.read_text()
    block = text.split(f"# --- README: {name}, begin", 1)[1].split(f"# --- README: {name}, end", 1)[0]
    return [line.strip() for line in block.strip().splitlines()]


@pytest.mark.parametrize("host", ["email_site", "auth_site", "custom_site", "uuid_site"])
def test_each_host_adds_exactly_the_readme_lines(host):
    settings_lines, urls_lines = _snippets()[0].split("# urls.py")
    readme_settings = [ln.strip() for ln in settings_lines.splitlines() if ln.strip() and ln[0] != "#"]
    readme_urls = [ln.strip() for ln in urls_lines.splitlines() if ln.strip()]
    assert _block(HOSTS / host / "host_site/settings.py", "host setup") == readme_settings
    assert _block(HOSTS / host / "host_site/urls.py", "host urls") == readme_urls


def test_the_new_site_lines_are_the_email_site_lines():
    new_site = _snippets()[-1]
    settings = (HOSTS / "email_site/host_site/settings.py").read_text()
    for line in new_site.strip().splitlines():
        assert line.strip() in settings


def test_the_adapter_example_is_the_custom_site_adapter():
    example = _snippets()[2]
    adapter = (HOSTS / "custom_site/people/adapter.py").read_text()
    for line in example.strip().splitlines()[2:]:
        assert line.strip().split("(")[0] in adapter, line
    settings = (HOSTS / "custom_site/host_site/settings.py").read_text()
    assert 'TRACKER_ACCOUNTS_ADAPTER = "people.adapter.PeopleAdapter"' in settings


def test_the_opt_in_operations_paths_are_the_example_sites():
    urls = (ROOT / "example_site/tracker_site/urls.py").read_text()
    for view in ("tracker_accounts.views.health", "tracker_accounts.views.metrics"):
        assert view in _snippets()[1] and view in urls


def test_the_run_command_installs_no_development_tool():
    """The README's command that runs the site syncs without the ``dev`` group."""
    import shutil
    import subprocess
    import tomllib

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
