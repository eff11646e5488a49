"""The web front as the recipe deploys it: nginx with the shipped site file (TLS, a self-signed
certificate made here) in front of gunicorn with the shipped configuration.

* 100 clients that stop inside their request header or body stall nothing: nginx holds them,
  and the health check still answers at once;
* nginx passes what the site trusts: the scheme (so HSTS and secure cookies), the client's
  address, and plain HTTP is sent to HTTPS;
* nginx closes a stalled client after its header timeout.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.browser.live import free_port
from tests.gunicorn_site import start_gunicorn

pytestmark = pytest.mark.deployed

ROOT = Path(__file__).resolve().parents[2]
NGINX_DIR = ROOT / "example_site" / "deploy" / "nginx"
STALLED = 100


@dataclass
class Front:
    https: str
    http: str
    port: int


def nginx_conf(tmp: Path, *, http: int, https: int, app: int) -> Path:
    """The shipped site file with this machine's ports, certificate and checkout filled in,
    inside a main configuration like Debian's."""
    site = (NGINX_DIR / "tracker.conf").read_text()
    site = site.replace("server 127.0.0.1:8000;", f"server 127.0.0.1:{app};")
    site = re.sub(r"\n\s*listen \[::\]:\d+[^\n]*", "", site)
    site = site.replace("listen 80;", f"listen 127.0.0.1:{http};")
    site = site.replace("listen 443 ssl http2;", f"listen 127.0.0.1:{https} ssl http2;")
    site = re.sub(r"ssl_certificate (\S+);", f"ssl_certificate {tmp / 'cert.pem'};", site)
    site = re.sub(r"ssl_certificate_key (\S+);", f"ssl_certificate_key {tmp / 'key.pem'};", site)
    site = site.replace("/srv/tracker/", f"{ROOT}/")
    (tmp / "site.conf").write_text(site)
    main = tmp / "nginx.conf"
    temp_paths = "".join(
        f"    {name}_temp_path {tmp / name};\n"
        for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    main.write_text(
        f"worker_processes auto;\npid {tmp / 'nginx.pid'};\nerror_log {tmp / 'error.log'} warn;\n"
        "events { worker_connections 768; }\n"
        f"http {{\n    access_log off;\n{temp_paths}    include {tmp / 'site.conf'};\n}}\n"
    )
    return main


def self_signed(tmp: Path) -> None:
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=tracker.example.com",
            "-keyout",
            str(tmp / "key.pem"),
            "-out",
            str(tmp / "cert.pem"),
        ],
        check=True,
        capture_output=True,
    )


def wait_for(url: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            httpx.get(url, verify=False, timeout=5)
            return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise AssertionError(f"{url} does not answer")


@pytest.fixture(scope="module")
def front(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Front]:
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    assert Path(nginx).exists(), "nginx is missing: apt-get install nginx-light"
    tmp = tmp_path_factory.mktemp("front")
    app, http, https = free_port(), free_port(), free_port()
    self_signed(tmp)
    web = start_gunicorn(
        app,
        tmp,
        ALLOWED_HOSTS="tracker.example.com,127.0.0.1",
        BEHIND_TLS_PROXY="true",
        TRUSTED_PROXY_COUNT="1",
    )
    conf = nginx_conf(tmp, http=http, https=https, app=app)
    checked = subprocess.run([nginx, "-t", "-p", str(tmp), "-c", str(conf)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    proxy = subprocess.Popen([nginx, "-p", str(tmp), "-c", str(conf), "-g", "daemon off;"])
    try:
        wait_for(f"https://127.0.0.1:{https}/api/health/")
        yield Front(https=f"https://127.0.0.1:{https}", http=f"http://127.0.0.1:{http}", port=https)
    finally:
        proxy.send_signal(signal.SIGQUIT)
        proxy.wait(timeout=20)
        os.killpg(web.pid, signal.SIGTERM)
        web.wait(timeout=30)


def stalled_client(port: int, partial: bytes) -> ssl.SSLSocket:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    sock = context.wrap_socket(
        socket.create_connection(("127.0.0.1", port), timeout=15), server_hostname="tracker.example.com"
    )
    sock.sendall(partial)
    return sock


PARTIAL_HEADER = b"GET /api/health/ HTTP/1.1\r\nHost: tracker.example.com\r\n"
PARTIAL_BODY = (
    b"POST /api/auth/login/ HTTP/1.1\r\nHost: tracker.example.com\r\nContent-Type: application/json\r\n"
    b"Content-Length: 100\r\n\r\n" + b'{"email":'
)


def test_a_hundred_stalled_clients_stall_nothing(front: Front) -> None:
    stalled = [stalled_client(front.port, PARTIAL_BODY if i % 2 else PARTIAL_HEADER) for i in range(STALLED)]
    try:
        time.sleep(0.5)
        answered = []
        with httpx.Client(base_url=front.https, verify=False, timeout=6) as client:
            for _ in range(10):
                started = time.monotonic()
                status = client.get("/api/health/", headers={"Host": "tracker.example.com"}).status_code
                answered.append((status, time.monotonic() - started))
        print("health while 100 clients stall: " + ", ".join(f"{s:.3f} s" for _, s in answered))
        assert [status for status, _ in answered] == [200] * 10
        assert max(seconds for _, seconds in answered) < 2
    finally:
        for sock in stalled:
            sock.close()


def test_the_site_sees_https_and_plain_http_is_redirected(front: Front) -> None:
    host = {"Host": "tracker.example.com"}
    answer = httpx.get(front.https + "/api/health/", headers=host, verify=False)
    assert answer.status_code == 200
    assert answer.headers["Strict-Transport-Security"].startswith("max-age=")  # Django saw https
    redirect = httpx.get(front.http + "/api/health/?x=1", headers=host)
    assert redirect.status_code == 301
    assert redirect.headers["Location"] == "https://tracker.example.com/api/health/?x=1"


def test_the_site_counts_the_client_address_the_proxy_saw(front: Front) -> None:
    """Metrics are open to 127.0.0.1 only: through the proxy the client (127.0.0.1) gets them,
    and a client claiming to be another address in its own X-Forwarded-For changes nothing."""
    host = {"Host": "tracker.example.com"}
    assert httpx.get(front.https + "/api/metrics/", headers=host, verify=False).status_code == 200
    spoofed = {**host, "X-Forwarded-For": "203.0.113.9"}
    assert httpx.get(front.https + "/api/metrics/", headers=spoofed, verify=False).status_code == 200


def test_a_stalled_client_is_closed_after_the_header_timeout(front: Front) -> None:
    sock = stalled_client(front.port, PARTIAL_HEADER)
    started = time.monotonic()
    try:
        sock.settimeout(20)
        received = sock.recv(4096)  # nginx closes (a 408 it does not send, or nothing)
    except (ssl.SSLError, ConnectionError):
        received = b""
    finally:
        sock.close()
    waited = time.monotonic() - started
    assert not received.startswith(b"HTTP/1.1 200")
    assert 8 <= waited <= 14, waited  # client_header_timeout 10s
