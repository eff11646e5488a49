"""Whether the repository is ready to release one version of all three packages.

    python tools/release_check.py               # versions agree; each changelog has an entry
    python tools/release_check.py --tag v0.2.0  # and the tag is that version, entries dated

The two Python packages (``__version__`` in each ``__init__.py``, which hatchling reads) and the
npm client (``package.json`` and its ``package-lock.json``) carry one version, and
django-tracker-projects' requirement on django-tracker-accounts admits it. Each changelog has a
``## <version>`` entry; for a tag (a release) the entry is no longer marked ``(unreleased)``.
``nox -s release_check`` and .github/workflows/release.yml run it; only the standard library.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VERSION_FILES = {
    "django-tracker-accounts": "packages/django-tracker-accounts/src/tracker_accounts/__init__.py",
    "django-tracker-projects": "packages/django-tracker-projects/src/tracker_projects/__init__.py",
}
CLIENT = "clients/typescript"
CHANGELOGS = {
    "django-tracker-accounts": "packages/django-tracker-accounts/CHANGELOG.md",
    "django-tracker-projects": "packages/django-tracker-projects/CHANGELOG.md",
    "django-tracker-client": f"{CLIENT}/CHANGELOG.md",
}
PROJECTS_PYPROJECT = "packages/django-tracker-projects/pyproject.toml"
VERSION = re.compile(r"^\d+\.\d+\.\d+(?:(?:a|b|rc)\d+)?$")


def _python_version(text: str) -> str | None:
    found = re.search(r'^__version__ = "([^"]+)"$', text, re.M)
    return found.group(1) if found else None


def versions(root: Path = ROOT) -> dict[str, str | None]:
    """The version each package declares (None where it declares none)."""
    found: dict[str, str | None] = {
        name: _python_version((root / path).read_text()) for name, path in VERSION_FILES.items()
    }
    manifest = json.loads((root / CLIENT / "package.json").read_text())
    found[f"{manifest.get('name', 'client')} (package.json)"] = manifest.get("version")
    lock = root / CLIENT / "package-lock.json"
    if lock.exists():
        locked = json.loads(lock.read_text())
        found["django-tracker-client (package-lock.json)"] = (
            locked.get("packages", {}).get("", {}).get("version", locked.get("version"))
        )
    return found


def changelog_entry(text: str, version: str) -> str | None:
    """The heading of ``version``'s entry in a changelog (``## 0.1.0 (2025-01-31)``), or None."""
    found = re.search(rf"^## \[?{re.escape(version)}\]?(?=\s|$).*$", text, re.M)
    return found.group(0) if found else None


def _key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", version)[:3])


def accounts_requirement_problem(pyproject: str, version: str) -> str | None:
    """Whether django-tracker-projects' requirement on django-tracker-accounts admits ``version``
    (both are released together, so the one must install with the other)."""
    found = re.search(r'"django-tracker-accounts>=([\d.]+),\s*<([\d.]+)"', pyproject)
    if found is None:
        return "django-tracker-projects does not require django-tracker-accounts as >=X,<Y"
    low, high = found.groups()
    if not _key(low) <= _key(version) < _key(high):
        return (
            f"django-tracker-projects requires django-tracker-accounts>={low},<{high}, "
            f"which excludes {version}"
        )
    return None


def problems(root: Path = ROOT, tag: str | None = None) -> list[str]:
    """Everything that stops a release of the tree at ``root`` (under ``tag``, if given)."""
    found = versions(root)
    missing = [name for name, version in found.items() if not version]
    if missing:
        return [f"no version found for {', '.join(missing)}"]
    distinct = set(found.values())
    if len(distinct) > 1:
        listed = ", ".join(f"{name} {version}" for name, version in found.items())
        return [f"the packages carry different versions: {listed}"]
    version = str(distinct.pop())
    errors: list[str] = []
    if not VERSION.match(version):
        errors.append(f"{version!r} is not a release version (X.Y.Z, or X.Y.ZaN / bN / rcN)")
    if tag is not None and tag.removeprefix("v") != version:
        errors.append(f"the tag {tag} is not the packages' version {version} (expected v{version})")
    for path in CHANGELOGS.values():
        changelog = root / path
        if not changelog.exists():
            errors.append(f"{path} is missing")
            continue
        heading = changelog_entry(changelog.read_text(), version)
        if heading is None:
            errors.append(f"{path} has no entry for {version} (a '## {version}' heading)")
        elif tag is not None and "unreleased" in heading.lower():
            errors.append(f"{path}: '{heading}' is still marked unreleased; date it before tagging")
    requirement = accounts_requirement_problem((root / PROJECTS_PYPROJECT).read_text(), version)
    if requirement:
        errors.append(requirement)
    return errors


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Check that the packages are ready to release.")
    parser.add_argument("--tag", help="the release tag, vX.Y.Z (as GITHUB_REF_NAME has it)")
    args = parser.parse_args(argv)
    for name, version in versions().items():
        print(f"{name}: {version}")
    errors = problems(tag=args.tag)
    for error in errors:
        print(f"error: {error}", file=sys.stderr)
    if not errors:
        print("release check passed" + (f" for {args.tag}" if args.tag else ""))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
