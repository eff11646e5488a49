"""Maintainer sessions: tests on SQLite and on PostgreSQL + Redis, lint, types, build, host install,
the documentation site and the release check.

Sessions that test the workspace reuse its uv environment (``uv run``); ``build`` and
``host_install`` work from fresh virtualenvs so they see exactly what users install.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import time
import zipfile
from pathlib import Path
from urllib.parse import urlparse

import nox

ROOT = Path(__file__).parent
DIST = ROOT / "dist"
PACKAGES = ["django-tracker-accounts", "django-tracker-projects"]
VERSION_FILE = "packages/django-tracker-accounts/src/tracker_accounts/__init__.py"
nox.options.sessions = ["tests", "lint", "types", "build", "host_install"]
nox.options.default_venv_backend = "uv"


def _answers(url: str, default_port: int) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection(
            (parsed.hostname or "127.0.0.1", parsed.port or default_port), timeout=2
        ):
            return True
    except OSError:
        return False


# The (Python, Django) pairs supported, as Django supports them (Django 6 needs Python 3.12).
# .ci/run runs the suite on the first (through the README's command) and on CI_PAIRS; the
# GitHub workflow on all of them.
ALL_PAIRS = [
    ("3.11", "5.2"),
    ("3.12", "5.2"),
    ("3.12", "6.0"),
    ("3.12", "6.1"),
    ("3.13", "5.2"),
    ("3.13", "6.0"),
    ("3.13", "6.1"),
]
CI_PAIRS = [("3.12", "6.0"), ("3.13", "6.1")]


def _interpreter(version: str) -> str:
    """A pyenv interpreter of ``version`` when there is one, else the version for uv to find."""
    found = sorted(Path.home().glob(f".pyenv/versions/{version}.*/bin/python"))
    return str(found[-1]) if found else version


@nox.session(venv_backend="none")
@nox.parametrize(("python_version", "django"), ALL_PAIRS, ids=[f"py{p}-django{d}" for p, d in ALL_PAIRS])
def tests_versions(session: nox.Session, python_version: str, django: str) -> None:
    """The suite (SQLite) on one Python and Django: the locked dependencies but Django, in a
    virtualenv of its own under .nox/."""
    venv = ROOT / ".nox" / f"versions-py{python_version}-django{django}"
    requirements = venv.parent / f"{venv.name}.txt"
    venv.parent.mkdir(exist_ok=True)
    exported = session.run(
        "uv",
        "export",
        "--all-packages",
        "--no-hashes",
        "--no-emit-workspace",
        "--frozen",
        external=True,
        silent=True,
    )
    lines = [line for line in str(exported).splitlines() if not line.lower().startswith("django==")]
    requirements.write_text("\n".join(lines) + "\n")
    session.run("uv", "venv", "-q", "--clear", str(venv), "-p", _interpreter(python_version), external=True)
    python = str(venv / "bin" / "python")
    session.run(
        "uv",
        "pip",
        "install",
        "-q",
        "-p",
        python,
        "-r",
        str(requirements),
        f"Django~={django}.0",
        external=True,
    )
    editable = [arg for package in PACKAGES for arg in ("-e", str(ROOT / "packages" / package))]
    session.run("uv", "pip", "install", "-q", "-p", python, "--no-deps", *editable, external=True)
    session.run(python, "-c", "import django, sys; print('Django', django.get_version(), 'on', sys.version)")
    # static files of its own: another lane's collectstatic may rewrite the example site's meanwhile
    env = {"DATABASE_URL": "", "REDIS_URL": "", "STATIC_ROOT": str(venv / "static")}
    # Django 6.1 deprecates the mail settings and get_connection(); nothing here may use them
    strict = ["-W", "error::django.utils.deprecation.RemovedInDjango2028Warning"] if django == "6.1" else []
    session.run(
        python, "-m", "pytest", "-q", "-p", "no:randomly", *strict, *session.posargs, env=env, external=True
    )


@nox.session(venv_backend="none")
def tests(session: nox.Session) -> None:
    """The suite on SQLite and the local-memory cache (no services needed)."""
    env = {"DATABASE_URL": "", "REDIS_URL": ""}
    session.run("uv", "run", "pytest", *session.posargs, env=env, external=True)


@nox.session(venv_backend="none")
def tests_postgres(session: nox.Session) -> None:
    """The suite on PostgreSQL and Redis: DATABASE_URL and REDIS_URL must answer."""
    db, redis = os.environ.get("DATABASE_URL", ""), os.environ.get("REDIS_URL", "")
    if not db or not redis:
        session.error("tests_postgres needs DATABASE_URL and REDIS_URL set (it never skips).")
    if not db.startswith("postgres"):
        session.error(f"DATABASE_URL must point at PostgreSQL, got {db.split(':', 1)[0]}")
    if not _answers(db, 5432):
        session.error(f"PostgreSQL at {urlparse(db).hostname} does not answer")
    if not _answers(redis, 6379):
        session.error(f"Redis at {urlparse(redis).hostname} does not answer")
    session.run("uv", "run", "pytest", "-p", "no:randomly", *session.posargs, external=True)


@nox.session(venv_backend="none")
def lint(session: nox.Session) -> None:
    session.run("uv", "run", "ruff", "check", ".", external=True)
    session.run("uv", "run", "ruff", "format", "--check", ".", external=True)


@nox.session(venv_backend="none")
def types(session: nox.Session) -> None:
    session.run(
        "uv",
        "run",
        "mypy",
        "packages/django-tracker-accounts/src",
        "packages/django-tracker-projects/src",
        external=True,
    )


def _build_and_check(session: nox.Session, out: Path) -> list[Path]:
    """Build sdist and wheel of each package into ``out``, `twine check --strict` them and look
    inside the wheels; the artifacts. Shared by ``build`` and ``release_check``."""
    shutil.rmtree(out, ignore_errors=True)
    session.install("twine>=5")
    for package in PACKAGES:
        session.run("uv", "build", "--package", package, "--out-dir", str(out), external=True)
    artifacts = sorted(p for p in out.iterdir() if p.name.endswith((".whl", ".tar.gz")))
    session.run("twine", "check", "--strict", *map(str, artifacts))
    for wheel in out.glob("*.whl"):
        names = zipfile.ZipFile(wheel).namelist()
        module = "tracker_accounts" if "accounts" in wheel.name else "tracker_projects"
        for required in (f"{module}/py.typed", f"{module}/migrations/0001_initial.py"):
            if required not in names:
                session.error(f"{wheel.name} lacks {required}")
        if not any(n.startswith(f"{module}/templates/") and n.endswith(".html") for n in names):
            session.error(f"{wheel.name} carries no templates")
        session.log(f"{wheel.name}: {len(names)} files, py.typed, migrations and templates present")
    return artifacts


@nox.session
def build(session: nox.Session) -> None:
    """Build sdist and wheel of each package into dist/, check them, and look inside the wheels."""
    _build_and_check(session, DIST)


@nox.session(venv_backend="none")
def docs(session: nox.Session) -> None:
    """The documentation site (mkdocs.yml, docs/) built with --strict into site/: a broken link
    or anchor, a missing page or include fails it. docs/endpoints.md must be current with the
    OpenAPI snapshot first."""
    session.run("uv", "run", "python", "tools/openapi_markdown.py", "--check", external=True)
    # NO_MKDOCS_2_WARNING: mkdocs-material prints a banner about its successor on every build
    env = {"NO_MKDOCS_2_WARNING": "1"}
    session.run("uv", "run", "mkdocs", "build", "--strict", *session.posargs, env=env, external=True)


@nox.session
def release_check(session: nox.Session) -> None:
    """Everything .github/workflows/release.yml runs short of uploading: the versions of both
    Python packages and the npm client agree (and the tag, given as `-- --tag vX.Y.Z`), each
    changelog has an entry for that version, both packages build and pass `twine check
    --strict`, and the client builds and packs (`npm pack --dry-run`) from a clean copy."""
    import json
    import tempfile

    session.run("python", "tools/release_check.py", *session.posargs)
    version = re.search(r'__version__ = "([^"]+)"', (ROOT / VERSION_FILE).read_text())
    _build_and_check(session, Path(session.create_tmp()) / "dist")
    for tool in ("node", "npm"):
        if shutil.which(tool) is None:
            session.error(f"release_check needs {tool} (Node.js 20+) on PATH")
    with tempfile.TemporaryDirectory(prefix="tracker-release-") as scratch:
        client = Path(scratch) / "typescript"
        shutil.copytree(TS_CLIENT, client, ignore=shutil.ignore_patterns("node_modules", "dist", "*.tgz"))
        with session.chdir(client):
            session.run("npm", "ci", "--no-audit", "--no-fund", external=True)
            packed = session.run("npm", "pack", "--dry-run", "--json", external=True, silent=True)
    text = str(packed)  # the build's own lines (prepack) come before npm's JSON
    start = re.search(r"^\[", text, re.M)
    if start is None:
        session.error(f"npm pack --dry-run --json printed no JSON: {text[-2000:]}")
    manifest = json.loads(text[start.start() :])[0]
    files = {entry["path"] for entry in manifest["files"]}
    if not version or manifest["version"] != version.group(1):
        session.error(
            f"npm would pack {manifest['id']}, the Python packages are {version and version.group(1)}"
        )
    if not {"dist/index.js", "dist/index.d.ts", "README.md", "package.json"} <= files:
        session.error(f"npm would pack no build: {sorted(files)}")
    session.log(f"npm pack: {manifest['id']}, {len(files)} files, {manifest['size']:,} bytes")


HOSTS = ["email_site", "auth_site", "custom_site", "readme_site", "uuid_site"]
# readme_site is made at test time by `django-admin startproject` and the README's blocks
README_SITE = ROOT / "tests" / "hosts" / "readme_site.py"
# what `check` finds in each host once the tracker is added; the others must find nothing
CHECK_FINDINGS = {
    "auth_site": {"tracker_accounts.W002"},  # auth.User does not make emails unique
    "readme_site": {"tracker_accounts.W002"},  # nor in a new project
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for(port: int, server: subprocess.Popen[bytes], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the host's server exited with {server.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"the host's server did not listen on {port} within {seconds} s")


def _host_site(session: nox.Session, host: str) -> Path:
    """A fresh copy of the host site (readme_site: a new project), with tests/hosts/shared/."""
    workdir = (Path(session.create_tmp()) / host).resolve()
    shutil.rmtree(workdir, ignore_errors=True)
    if host == "readme_site":
        session.run("python", str(README_SITE), "new", str(workdir))
    else:
        shutil.copytree(ROOT / "tests" / "hosts" / host, workdir)
    shutil.copytree(ROOT / "tests" / "hosts" / "shared", workdir / "shared")
    return workdir


def _check_findings(session: nox.Session, host: str, env: dict[str, str]) -> None:
    """`check` passes (no error) and finds exactly what the host is known to give."""
    report = session.run("python", "-m", "django", "check", env=env, silent=True) or ""
    session.log(report.strip())
    found = set(re.findall(r"\(([\w.]+\.[A-Z]+\d+)\)", report))
    if found != CHECK_FINDINGS.get(host, set()):
        session.error(
            f"check on {host}: expected {sorted(CHECK_FINDINGS.get(host, ()))}, found {sorted(found)}"
        )


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)  # its own group: the worker's children too
        process.wait(timeout=10)


def _run_flow(session: nox.Session, host: str, workdir: Path, env: dict[str, str]) -> None:
    """Serve the site (readme_site: with `qcluster` beside it, as the README says) and run
    shared/flow.py against it over HTTP."""
    port = _free_port()
    commands = [["runserver", f"127.0.0.1:{port}", "--noreload"]]
    if host == "readme_site":
        commands.append(["qcluster"])
    with (workdir / "server.log").open("wb") as log:
        processes = [
            subprocess.Popen(
                [session.bin + "/python", "-m", "django", *command],
                env={**os.environ, **env, "PATH": session.bin + os.pathsep + os.environ["PATH"]},
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            for command in commands
        ]
        try:
            _wait_for(port, processes[0])
            flags = ["--site-api"] if host == "custom_site" else []
            session.run("python", "shared/flow.py", f"http://127.0.0.1:{port}", "mail", *flags, env=env)
        except Exception:
            session.log((workdir / "server.log").read_text()[-4000:])
            raise
        finally:
            for process in processes:
                _stop(process)


@nox.session
@nox.parametrize("host", HOSTS)
def host_install(session: nox.Session, host: str) -> None:
    """Adopt the two built wheels, alone in a fresh virtualenv, into a site that existed before
    them (migrated, with users), then run the contract's main flow over HTTP (tests/hosts/).
    readme_site is a new `startproject` site that gets the README's blocks as they are."""
    wheels = sorted(str(p) for p in DIST.glob("*.whl")) if DIST.exists() else []
    if len(wheels) != len(PACKAGES):
        session.error("run the build session first (nox -s build host_install)")
    session.install(*wheels)
    workdir = _host_site(session, host)
    base = {
        "PYTHONPATH": str(workdir),
        "DJANGO_SETTINGS_MODULE": "host_site.settings",
        "HOST_WORKDIR": str(workdir),
    }
    before, after = {**base, "TRACKER": "0"}, {**base, "TRACKER": "1"}
    with session.chdir(workdir):
        session.run("python", "-m", "django", "migrate", "--noinput", "-v", "0", env=before)
        session.run("python", "shared/before.py", env=before)
        if host == "readme_site":  # the tracker's lines are the README's, appended now
            session.run("python", str(README_SITE), "adopt", str(workdir))
        _check_findings(session, host, after)
        session.run("python", "-m", "django", "migrate", "--noinput", "-v", "0", env=after)
        _run_flow(session, host, workdir, after)
        session.run("python", "shared/after.py", env=after)


TS_CLIENT = ROOT / "clients" / "typescript"


@nox.session(venv_backend="none")
def typescript(session: nox.Session) -> None:
    """The TypeScript client (clients/typescript, npm package django-tracker-client): its types
    regenerated from clients/openapi.json and compared with the committed src/schema.d.ts, a
    strict type-check, the build and the tarball; then a scratch project installs that tarball
    (no registry: its dependencies come from the client's own node_modules), type-checks a flow
    that imports only the package name, and the README's example, and runs the flow against a
    live example site (pytest tests/client -m typescript). Only `npm ci` uses the registry."""
    import tempfile

    for tool in ("node", "npm"):
        if shutil.which(tool) is None:
            session.error(f"the typescript session needs {tool} (Node.js 20+) on PATH: install Node.js")
    workdir = Path(tempfile.mkdtemp(prefix="tracker-ts-client-"))
    try:
        with session.chdir(TS_CLIENT):
            session.run("npm", "ci", "--no-audit", "--no-fund", external=True)
            session.run("npm", "run", "check", external=True)
            session.run("npm", "run", "build", external=True)
            session.run("npm", "pack", "--pack-destination", str(workdir), external=True)
        tarball = _checked_tarball(session, workdir)
        consumer = _typescript_consumer(session, tarball, workdir)
        env = {"DATABASE_URL": "", "REDIS_URL": "", "TRACKER_TS_CONSUMER": str(consumer)}
        pytest = ["pytest", "tests/client", "-m", "typescript", *session.posargs]
        session.run("uv", "run", *pytest, env=env, external=True)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _checked_tarball(session: nox.Session, workdir: Path) -> Path:
    """The one tarball `npm pack` wrote, checked to hold the build and nothing of the sources."""
    import json
    import tarfile

    tarballs = sorted(workdir.glob("*.tgz"))
    if len(tarballs) != 1:
        session.error(f"npm pack should write one tarball, found {[t.name for t in tarballs]}")
    with tarfile.open(tarballs[0]) as packed:
        names = set(packed.getnames())
        member = packed.extractfile("package/package.json")
        manifest = json.loads(member.read()) if member is not None else {}
    required = {
        f"package/{name}"
        for name in (
            "package.json",
            "README.md",
            "LICENSE",
            "dist/index.js",
            "dist/index.d.ts",
            "dist/client.js",
            "dist/schema.d.ts",
        )
    }
    if required - names:
        session.error(f"{tarballs[0].name} lacks {sorted(required - names)}")
    stray = sorted(n for n in names if not n.startswith(("package/dist/", "package/README.md")))
    if stray != ["package/LICENSE", "package/package.json"]:
        session.error(f"{tarballs[0].name} carries more than dist/, README, LICENSE: {stray}")
    if manifest.get("private") or not manifest.get("exports", {}).get(".", {}).get("types"):
        session.error("the packed package.json must not be private and must export types")
    session.log(f"{tarballs[0].name}: {len(names)} files, {manifest['name']}@{manifest['version']}")
    return tarballs[0]


def _typescript_consumer(session: nox.Session, tarball: Path, workdir: Path) -> Path:
    """A scratch project, outside the repository, that installs ``tarball`` as an application
    would and compiles clients/typescript/e2e/flow.ts (which imports only the package name),
    strictly, with NodeNext resolution; the README's example is type-checked too, as a browser
    bundle would see it (DOM, Bundler resolution). Returns the project (flow in dist/flow.js).

    Offline: the tarball's dependencies (openapi-fetch and what it needs) are packed from the
    client's node_modules, at the versions its package-lock.json pins, and handed to npm as
    ``overrides``, so they are installed only because the tarball declares them."""
    import json
    import re

    consumer, deps = workdir / "consumer", workdir / "deps"
    (consumer / "src").mkdir(parents=True)
    (consumer / "readme").mkdir()
    deps.mkdir()
    locked = json.loads((TS_CLIENT / "package-lock.json").read_text())["packages"]
    overrides: dict[str, str] = {}
    pending = list(locked[""].get("dependencies", {}))
    while pending:
        name = pending.pop()
        if name in overrides:
            continue
        entry = locked[f"node_modules/{name}"]
        source = str(TS_CLIENT / "node_modules" / name)
        pack = ["npm", "pack", "--ignore-scripts", "--silent", "--pack-destination", str(deps), source]
        session.run(*pack, external=True, silent=True)
        packed = deps / f"{name.lstrip('@').replace('/', '-')}-{entry['version']}.tgz"
        overrides[name] = f"file:{packed}"
        pending.extend(entry.get("dependencies", {}))
    (consumer / "package.json").write_text(
        json.dumps(
            {"name": "tracker-client-consumer", "private": True, "type": "module", "overrides": overrides},
            indent=2,
        )
    )
    strict = {
        "target": "ES2022",
        "strict": True,
        "noUncheckedIndexedAccess": True,
        "exactOptionalPropertyTypes": True,
        "noImplicitOverride": True,
        "noUnusedLocals": True,
        "verbatimModuleSyntax": True,
        "skipLibCheck": False,
    }
    node_flow = {
        **strict,
        "module": "NodeNext",
        "moduleResolution": "NodeNext",
        "lib": ["ES2022"],
        "types": ["node"],
        "typeRoots": [str(TS_CLIENT / "node_modules" / "@types")],
        "rootDir": "src",
        "outDir": "dist",
    }
    browser = {
        **strict,
        "module": "ESNext",
        "moduleResolution": "Bundler",
        "lib": ["ES2022", "DOM", "DOM.Iterable"],
        "types": [],
        "noEmit": True,
    }
    (consumer / "tsconfig.json").write_text(json.dumps({"compilerOptions": node_flow, "include": ["src"]}))
    (consumer / "tsconfig.readme.json").write_text(
        json.dumps({"compilerOptions": browser, "include": ["readme"]})
    )
    shutil.copy(TS_CLIENT / "e2e" / "flow.ts", consumer / "src" / "flow.ts")
    example = re.search(
        r"<!-- type-checked by nox -s typescript -->\s*```ts\n(.*?)```",
        (TS_CLIENT / "README.md").read_text(),
        re.DOTALL,
    )
    if example is None:
        session.error("clients/typescript/README.md lost its type-checked example")
    (consumer / "readme" / "example.ts").write_text(example.group(1))
    tsc = str(TS_CLIENT / "node_modules" / "typescript" / "bin" / "tsc")
    with session.chdir(consumer):
        session.run("npm", "install", "--offline", "--no-audit", "--no-fund", str(tarball), external=True)
        session.run("npm", "ls", "--all", external=True)
        session.run("node", tsc, "--noEmit", "-p", "tsconfig.json", external=True)
        session.run("node", tsc, "-p", "tsconfig.readme.json", external=True)
        session.run("node", tsc, "-p", "tsconfig.json", external=True)
    return consumer


@nox.session(venv_backend="none")
def deployed(session: nox.Session) -> None:
    """The production web front as deployed: nginx with example_site/deploy/nginx/ in front of
    gunicorn with example_site/gunicorn.conf.py (stalled clients, TLS, proxy headers). Needs
    nginx and openssl (apt-get install -y nginx-light openssl)."""
    for tool in ("nginx", "openssl"):
        if not shutil.which(tool, path=os.environ.get("PATH", "") + os.pathsep + "/usr/sbin"):
            session.error(f"{tool} is missing: apt-get install -y nginx-light openssl")
    env = {"DATABASE_URL": "", "REDIS_URL": ""}
    session.run(
        "uv", "run", "pytest", "tests/deployed", "-m", "deployed", *session.posargs, env=env, external=True
    )


@nox.session(venv_backend="none")
def browser(session: nox.Session) -> None:
    """Browser tests: Playwright drives Debian's Chromium against a live example site (its own
    SQLite file, runserver + qcluster, an SMTP sink). Needs /usr/bin/chromium (or CHROMIUM_PATH)."""
    chromium = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
    if not Path(chromium).is_file() or not os.access(chromium, os.X_OK):
        session.error(
            f"{chromium} is missing: install Debian's Chromium (apt-get install -y chromium); "
            "`playwright install` is not used"
        )
    env = {"DATABASE_URL": "", "REDIS_URL": ""}
    session.run(
        "uv", "run", "pytest", "tests/browser", "-m", "browser", *session.posargs, env=env, external=True
    )
