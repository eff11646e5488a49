"""A live example site for the browser tests: its own SQLite file, an SMTP sink, ``runserver``
and a ``qcluster`` worker as subprocesses, all started and stopped by the tests."""

from __future__ import annotations

import email
import email.policy
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import httpx
from aiosmtpd.controller import Controller

ROOT = Path(__file__).resolve().parents[2]
MANAGE = ROOT / "example_site" / "manage.py"
ARTIFACTS = ROOT / "test-artifacts" / "browser"
PASSWORD = "Corr3ct-Horse-Battery"
CODE_RE = re.compile(r"verification code is: (\d{6})")
INVITE_RE = re.compile(r"(https?://\S+/invite_register/[A-Za-z0-9_\-]+/)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def unique_email(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(4)}@example.com"


@dataclass
class Message:
    to: list[str]
    subject: str
    text: str
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Mailbox:
    """An aiosmtpd handler keeping every message it receives."""

    messages: list[Message] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd hook
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        body = parsed.get_body(preferencelist=("plain",))
        text = body.get_content() if body is not None else ""
        with self.lock:
            self.messages.append(
                Message(
                    [r.lower() for r in envelope.rcpt_tos],
                    str(parsed["Subject"] or ""),
                    text,
                    {name: str(value) for name, value in parsed.items()},
                )
            )
        return "250 OK"

    def wait_for(
        self, to: str, match: Callable[[Message], bool] = bool, after: int = 0, timeout: float = 30
    ) -> Message:
        """The newest message to ``to`` (received as number ``after`` or later) that ``match``
        accepts; waits for the worker to send it."""
        to = to.lower()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                found = [m for m in self.messages[after:] if to in m.to and match(m)]
            if found:
                return found[-1]
            time.sleep(0.2)
        with self.lock:
            seen = [(m.to, m.subject) for m in self.messages]
        raise AssertionError(f"no mail to {to} within {timeout}s; received: {seen}")

    def code_for(self, to: str, after: int = 0) -> str:
        """The verification code in the newest code mail to ``to``."""
        message = self.wait_for(to, lambda m: bool(CODE_RE.search(m.text)), after)
        return CODE_RE.findall(message.text)[0]

    def invite_link_for(self, to: str, after: int = 0) -> str:
        """The link in the newest invitation mail to ``to``."""
        message = self.wait_for(to, lambda m: bool(INVITE_RE.search(m.text)), after)
        return INVITE_RE.findall(message.text)[0]

    def count(self) -> int:
        with self.lock:
            return len(self.messages)


class LiveSite:
    """The example site with DEBUG off, served by runserver, mail sent by a qcluster worker."""

    def __init__(
        self, log_dir: Path = ARTIFACTS, *, database_url: str | None = None, redis_url: str | None = None
    ) -> None:
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.mailbox = Mailbox()
        self.smtp_port = free_port()
        self.workdir = Path(tempfile.mkdtemp(prefix="tracker-browser-"))
        self.db_path = self.workdir / "site.sqlite3"
        self.log_dir = log_dir
        self.processes: list[subprocess.Popen[bytes]] = []
        self.logs: list[IO[bytes]] = []
        self.controller: Controller | None = None
        inherited = ("DJANGO_", "REDIS_", "EMAIL_", "SECURE_")  # none of the caller's site settings
        env = {k: v for k, v in os.environ.items() if not k.startswith(inherited)}
        env.update(
            DJANGO_SETTINGS_MODULE="tracker_site.settings",
            # the options the site's embedded SQLite default has (a URL carries none): wait for
            # locks, and take the write lock at BEGIN, so web + worker writes queue, not fail
            DATABASE_URL=f"sqlite:///{self.db_path}?timeout=20&transaction_mode=IMMEDIATE",
            DEBUG="false",
            SECRET_KEY=secrets.token_urlsafe(50),
            ALLOWED_HOSTS="127.0.0.1,localhost",
            BASE_URL=self.base_url,
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=str(self.smtp_port),
            LOG_LEVEL="WARNING",
            REQUEST_LOG_LEVEL="WARNING",
            PYTHONUNBUFFERED="1",
        )
        env.pop("REDIS_URL", None)
        if database_url:  # PostgreSQL (say) instead of the SQLite file
            env["DATABASE_URL"] = database_url
        if redis_url:  # Redis for the cache and django-q2's broker
            env["REDIS_URL"] = redis_url
        self.env = env

    def manage(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [sys.executable, str(MANAGE), *args],
            env=self.env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        return result

    def _spawn(self, name: str, *args: str) -> None:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        log = open(self.log_dir / f"{name}.log", "wb")  # noqa: SIM115 (closed in stop())
        self.logs.append(log)
        self.processes.append(
            subprocess.Popen(
                [sys.executable, str(MANAGE), *args],
                env=self.env,
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        )

    def start(self) -> LiveSite:
        try:
            self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.smtp_port)
            self.controller.start()
            self.manage("migrate", "--noinput", "-v", "0")
            self.manage("collectstatic", "--noinput", "-v", "0")
            self._spawn("runserver", "runserver", "--noreload", f"127.0.0.1:{self.port}")
            self._spawn("qcluster", "qcluster")
            self._wait_until_up()
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_until_up(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while True:
            for proc in self.processes:
                if proc.poll() is not None:
                    raise RuntimeError(f"{proc.args!r} exited with {proc.returncode}; see {self.log_dir}")
            try:
                if httpx.get(self.base_url + "/api/health/", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"the site did not answer on {self.base_url} within {timeout} s")
            time.sleep(0.25)

    def stop(self) -> None:
        for proc in self.processes:
            if proc.poll() is None:
                proc.terminate()
        for proc in self.processes:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)
        self.processes.clear()
        for log in self.logs:
            log.close()
        self.logs.clear()
        if self.controller is not None:
            self.controller.stop()
            self.controller = None
        shutil.rmtree(self.workdir, ignore_errors=True)

    # ------------------------------------------------------------------ API shortcuts for setup
    def api(self, method: str, path: str, token: str | None = None, json: Any = None) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.request(method, self.base_url + path, headers=headers, json=json, timeout=30)

    def create_manager(self, prefix: str = "manager", first_name: str = "Ada") -> tuple[str, str]:
        """A manager signed up through the API (code read from the mail); returns (email, access)."""
        address = unique_email(prefix)
        before = self.mailbox.count()
        assert self.api("POST", "/api/auth/send-otp/", json={"email": address}).status_code == 202
        code = self.mailbox.code_for(address, after=before)
        verified = self.api("POST", "/api/auth/verify-otp/", json={"email": address, "otp": code})
        assert verified.status_code == 200, verified.text
        registered = self.api(
            "POST",
            "/api/auth/register/manager/",
            json={
                "email_token": verified.json()["email_token"],
                "password": PASSWORD,
                "first_name": first_name,
                "last_name": "Manager",
            },
        )
        assert registered.status_code == 201, registered.text
        return address, registered.json()["access"]

    def create_project(self, token: str, name: str, **fields: Any) -> dict[str, Any]:
        response = self.api("POST", "/api/projects/create/", token, json={"name": name, **fields})
        assert response.status_code == 201, response.text
        project: dict[str, Any] = response.json()
        return project

    def invite(self, token: str, slug: str, address: str) -> str:
        """Invite ``address`` and return the link from the mail."""
        before = self.mailbox.count()
        response = self.api("POST", f"/api/projects/{slug}/invite/", token, json={"emails": [address]})
        assert response.status_code == 201, response.text
        return self.mailbox.invite_link_for(address, after=before)

    def join(
        self,
        token: str,
        slug: str,
        first_name: str = "Mel",
        last_name: str = "Member",
        prefix: str = "member",
    ) -> tuple[str, dict[str, Any]]:
        """A new person invited to the project ``slug`` (by the manager whose access is
        ``token``) who accepts with a password; returns (their address, the accept's answer:
        ``access``, ``user``...)."""
        address = unique_email(prefix)
        link = self.invite(token, slug, address)
        accepted = self.api(
            "POST",
            f"/api/invites/accept/{link.rstrip('/').rsplit('/', 1)[-1]}/",
            json={"password": PASSWORD, "first_name": first_name, "last_name": last_name},
        )
        assert accepted.status_code == 201, accepted.text
        answer: dict[str, Any] = accepted.json()
        return address, answer

    def shell(self, code: str) -> str:
        """Run Python in the site's Django (setup the API cannot do, such as expiring an invite)."""
        return self.manage("shell", "-c", code).stdout
