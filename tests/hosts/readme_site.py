"""The README's host site: a project ``django-admin startproject`` makes, then the README's
two host blocks appended to its settings.py and urls.py exactly as the README has them.

    python readme_site.py new WORKDIR     # startproject host_site WORKDIR (no tracker yet)
    python readme_site.py adopt WORKDIR   # append the README's blocks (and the test's mail lines)

``nox -s host_install`` runs both around the site's first users (tests/hosts/README.md);
tests/test_readme.py uses :func:`host_blocks` and :func:`adopt` on a project of its own.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"
BLOCKS = {"settings": "host-settings", "urls": "host-urls"}
# this test's own lines, after the README's: mail goes to files that shared/flow.py reads
TEST_SETTINGS = """
# --- the host test's own lines, not the README's: mail to files for the flow to read
EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = BASE_DIR / "mail"
"""


def host_blocks(readme: str) -> dict[str, str]:
    """The fenced Python block after each ``<!-- host-settings -->`` / ``<!-- host-urls -->``
    marker of the README, as it stands there."""
    blocks = {}
    for name, marker in BLOCKS.items():
        found = re.findall(rf"^<!-- {marker} -->\n```python\n(.*?)^```$", readme, re.M | re.S)
        if len(found) != 1:
            raise ValueError(f"the README should have one block after <!-- {marker} -->, has {len(found)}")
        blocks[name] = found[0]
    return blocks


def new(workdir: Path) -> None:
    """A new project, as ``django-admin startproject host_site WORKDIR`` makes it."""
    workdir.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "django", "startproject", "host_site", str(workdir)]
    subprocess.run(command, check=True)


def adopt(workdir: Path, readme: str, *, test_settings: str = TEST_SETTINGS) -> None:
    """Append the README's blocks to the project's settings.py and urls.py, as they are."""
    blocks = host_blocks(readme)
    for name, block in blocks.items():
        module = workdir / "host_site" / f"{name}.py"
        tail = test_settings if name == "settings" else ""
        module.write_text(module.read_text() + "\n" + block + tail)


if __name__ == "__main__":
    step, where = sys.argv[1], Path(sys.argv[2])
    if step == "new":
        new(where)
    elif step == "adopt":
        adopt(where, README.read_text())
    else:
        raise SystemExit(f"unknown step {step!r}: new or adopt")
