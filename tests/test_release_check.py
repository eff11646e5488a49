"""tools/release_check.py, which ``nox -s release_check`` and the release workflow run: it passes
the repository as it is, and refuses a tree whose versions differ, whose tag is another, whose
changelogs lack or leave undated the version's entry, or whose projects package would not
install with its accounts package."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from tools import release_check

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A copy of what tools/release_check.py reads, to break on purpose."""
    paths = [
        *release_check.VERSION_FILES.values(),
        *release_check.CHANGELOGS.values(),
        f"{release_check.CLIENT}/package.json",
        f"{release_check.CLIENT}/package-lock.json",
        release_check.PROJECTS_PYPROJECT,
    ]
    for path in paths:
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / path, tmp_path / path)
    return tmp_path


def _version(root: Path) -> str:
    return str(release_check.versions(root)["django-tracker-accounts"])


def test_the_repository_passes_the_release_check_without_a_tag():
    assert release_check.problems(ROOT) == []


def test_the_release_check_passes_a_copy_and_its_own_tag_once_dated(tree):
    version = _version(tree)
    assert release_check.problems(tree) == []
    for path in release_check.CHANGELOGS.values():
        changelog = tree / path
        changelog.write_text(
            re.sub(
                rf"^## {re.escape(version)}.*$",
                f"## {version} (2030-01-31)",
                changelog.read_text(),
                count=1,
                flags=re.M,
            )
        )
    assert release_check.problems(tree, tag=f"v{version}") == []


def test_the_release_check_refuses_versions_that_differ(tree):
    init = tree / release_check.VERSION_FILES["django-tracker-projects"]
    init.write_text(re.sub(r'__version__ = "[^"]+"', '__version__ = "9.9.9"', init.read_text()))
    found = release_check.problems(tree)
    assert len(found) == 1 and "different versions" in found[0] and "9.9.9" in found[0]


def test_the_release_check_refuses_an_npm_version_that_differs(tree):
    manifest_path = tree / release_check.CLIENT / "package.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["version"] = "9.9.9"
    manifest_path.write_text(json.dumps(manifest))
    assert any("package.json) 9.9.9" in problem for problem in release_check.problems(tree))


def test_the_release_check_refuses_a_changelog_without_an_entry(tree):
    version = _version(tree)
    changelog = tree / release_check.CHANGELOGS["django-tracker-client"]
    changelog.write_text(changelog.read_text().replace(f"## {version}", "## 0.0.1"))
    found = release_check.problems(tree)
    assert found == [
        f"{release_check.CHANGELOGS['django-tracker-client']} has no entry for {version} "
        f"(a '## {version}' heading)"
    ]


def test_the_release_check_refuses_another_tag_and_an_undated_entry(tree):
    version = _version(tree)
    found = release_check.problems(tree, tag="v99.0.0")
    assert any("the tag v99.0.0 is not the packages' version" in problem for problem in found)
    undated = release_check.problems(tree, tag=f"v{version}")
    assert undated and all("unreleased" in problem for problem in undated)


def test_the_release_check_refuses_a_requirement_that_excludes_the_version(tree):
    version = _version(tree)
    major, minor, _ = (int(part) for part in version.split("."))
    pyproject = tree / release_check.PROJECTS_PYPROJECT
    pyproject.write_text(
        re.sub(
            r'"django-tracker-accounts>=[^"]+"',
            f'"django-tracker-accounts>={major}.{minor + 1}.0,<{major}.{minor + 2}"',
            pyproject.read_text(),
        )
    )
    assert any("excludes" in problem for problem in release_check.problems(tree))
