"""Outgoing webhooks reach public addresses only: the URL checks of ``webhook_urls`` and the
sender of ``webhook_http``, against a real HTTP(S) server on 127.0.0.1. No test connects to
any other host: names are resolved by a stand-in for ``webhook_urls.resolve``."""

from __future__ import annotations

import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from tracker_projects import checks, webhook_http, webhook_urls
from tracker_projects.conf import app_settings
from tracker_projects.webhook_http import SendFailed, Sent
from tracker_projects.webhook_urls import UnsafeUrl, check_url

PUBLIC = "93.184.216.34"
PUBLIC_V6 = "2606:2800:220:1:248:1893:25c8:1946"


LOCAL_NAMES = {"localhost", "127.0.0.1", "::1"}


@pytest.fixture(autouse=True)
def _strict(settings, monkeypatch):
    """The production defaults: DEBUG off, no allowed hosts, https only; and no name but the
    local ones is looked up for real."""
    settings.DEBUG = False
    settings.TRACKER_PROJECTS_WEBHOOK_ALLOWED_HOSTS = []
    settings.TRACKER_PROJECTS_WEBHOOK_ALLOW_HTTP = False
    real = socket.getaddrinfo

    def local_only(host, *args, **kwargs):
        assert host in LOCAL_NAMES, f"{host!r} would be looked up for real"
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", local_only)


def resolving(monkeypatch: pytest.MonkeyPatch, answers: dict[str, list[str]]) -> list[str]:
    """``webhook_urls.resolve`` answering from ``answers`` (anything else does not resolve);
    returns the list of names asked for."""
    asked: list[str] = []

    def resolve(host: str, port: int) -> list[str]:
        asked.append(host)
        if host not in answers:
            raise UnsafeUrl("The URL's host does not resolve.")
        return answers[host]

    monkeypatch.setattr(webhook_urls, "resolve", resolve)
    return asked


# --- refused and accepted URLs ------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("http://hooks.example/", "https://"),
        ("ftp://hooks.example/file", "https://"),
        ("hooks.example/path", "https://"),
        ("https://127.0.0.1/", "not public"),
        ("https://localhost/", "not public"),  # resolved for real: loopback
        ("https://[::1]/", "not public"),
        ("https://[::ffff:127.0.0.1]/", "not public"),
        ("https://[::ffff:10.0.0.1]/", "not public"),
        ("https://[2002:7f00:1::]/", "not public"),  # 6to4 of 127.0.0.1
        ("https://[64:ff9b:1::a00:1]/", "not public"),  # local-use NAT64
        ("https://2130706433/", "non-canonical address"),
        ("https://0177.0.0.1/", "non-canonical address"),
        ("https://0x7f.0.0.1/", "non-canonical address"),
        ("https://0x7f.1/", "non-canonical address"),
        ("https://127.1/", "non-canonical address"),
        ("https://127.0.0.1./", "non-canonical address"),
        ("https://10.1.2.3/", "not public"),
        ("https://172.16.0.1/", "not public"),
        ("https://192.168.1.1/", "not public"),
        ("https://169.254.169.254/latest/meta-data/", "not public"),
        ("https://100.64.0.1/", "not public"),
        ("https://224.0.0.1/", "not public"),
        ("https://255.255.255.255/", "not public"),
        ("https://240.0.0.1/", "not public"),
        ("https://0.0.0.0/", "not public"),
        ("https://[::]/", "not public"),
        ("https://[fe80::1]/", "not public"),
        ("https://[fc00::1]/", "not public"),
        ("https://[fd12:3456::1]/", "not public"),
        ("https://[ff02::1]/", "not public"),
        ("https://[fe80::1%25eth0]/", "not a valid host"),
        ("https://user:pw@hooks.example/", "user name or password"),
        ("https://user@hooks.example/", "user name or password"),
        ("https://@hooks.example/", "user name or password"),
        ("https:///path", "no host"),
        ("https://hooks.example:0/", "port"),
        ("https://hooks.example:65536/", "port"),
        ("https://hooks.example:https/", "port"),
        ("https://hooks.example/a b", "spaces or control"),
        ("https://hooks.example/\r\nX-Injected: 1", "spaces or control"),
        ("https://hooks..example/", "not a valid host"),
        ("https://" + "a" * 64 + ".example/", "not a valid host"),
        ("https://ghost.example/", "does not resolve"),
    ],
)
def test_refused(monkeypatch, url, why):
    if "localhost" not in url:  # localhost through the real resolver: loopback
        resolving(monkeypatch, {"hooks.example": [PUBLIC]})
    with pytest.raises(UnsafeUrl, match=why):
        check_url(url)


def test_a_url_of_2001_characters_is_refused_and_of_2000_taken(monkeypatch):
    resolving(monkeypatch, {"hooks.example": [PUBLIC]})
    base = "https://hooks.example/"
    check_url(base + "a" * (2000 - len(base)))
    with pytest.raises(UnsafeUrl, match="longer than 2000"):
        check_url(base + "a" * (2001 - len(base)))


def test_a_name_with_one_private_address_among_public_ones_is_refused(monkeypatch):
    resolving(monkeypatch, {"hooks.example": [PUBLIC, "10.0.0.7"]})
    with pytest.raises(UnsafeUrl, match="resolves to an address that is not public"):
        check_url("https://hooks.example/hook")


def test_the_message_does_not_tell_the_private_address(monkeypatch):
    resolving(monkeypatch, {"hooks.example": ["10.0.0.7"]})
    with pytest.raises(UnsafeUrl) as refused:
        check_url("https://hooks.example/hook")
    assert "10.0.0.7" not in str(refused.value)


def test_a_public_literal_is_taken_without_resolving(monkeypatch):
    asked = resolving(monkeypatch, {})
    check_url(f"https://{PUBLIC}/hook")
    check_url(f"https://[{PUBLIC_V6}]:8443/hook")
    assert asked == []


def test_a_name_resolving_to_public_addresses_is_taken(monkeypatch):
    resolving(monkeypatch, {"hooks.example": [PUBLIC, PUBLIC_V6]})
    target = webhook_urls.webhook_target("HTTPS://Hooks.Example/hook/ü?x=1#part")
    assert target == webhook_urls.Target(
        scheme="https",
        host="hooks.example",
        port=443,
        path_with_query="/hook/%C3%BC?x=1",
        addresses=(PUBLIC, PUBLIC_V6),
    )
    assert target.host_header == "hooks.example"


def test_unsafeurl_is_a_valueerror_with_a_message():
    with pytest.raises(ValueError, match=r"^The URL must start with https://"):
        check_url("gopher://hooks.example/")


@pytest.mark.parametrize("entry", ["localhost", "LOCALHOST", "127.0.0.1"])
def test_allowed_hosts_let_their_loopback_through(settings, entry):
    settings.TRACKER_PROJECTS_WEBHOOK_ALLOWED_HOSTS = [entry]
    if entry == "127.0.0.1":
        check_url("https://127.0.0.1:8443/hook")
        with pytest.raises(UnsafeUrl):
            check_url("https://localhost/hook")  # the name is not the address listed
    else:
        check_url("https://localhost/hook")
        with pytest.raises(UnsafeUrl):
            check_url("https://127.0.0.1/hook")


def test_allowed_hosts_compare_ipv6_addresses_as_addresses(settings):
    settings.TRACKER_PROJECTS_WEBHOOK_ALLOWED_HOSTS = ["[0:0::1]"]
    check_url("https://[::1]/hook")


def test_allowed_hosts_do_not_take_non_canonical_spellings_or_http(settings):
    settings.TRACKER_PROJECTS_WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1", "127.1"]
    with pytest.raises(UnsafeUrl, match="non-canonical"):
        check_url("https://127.1/")
    with pytest.raises(UnsafeUrl, match="https://"):
        check_url("http://127.0.0.1/")


def test_allowed_hosts_are_names_not_suffixes(settings, monkeypatch):
    settings.TRACKER_PROJECTS_WEBHOOK_ALLOWED_HOSTS = ["internal.example"]
    resolving(monkeypatch, {"evil.internal.example": ["10.0.0.7"], "internal.example": ["10.0.0.8"]})
    check_url("https://internal.example/")
    with pytest.raises(UnsafeUrl):
        check_url("https://evil.internal.example/")


@pytest.mark.parametrize("switch", ["DEBUG", "TRACKER_PROJECTS_WEBHOOK_ALLOW_HTTP"])
def test_debug_or_the_setting_take_http(settings, monkeypatch, switch):
    resolving(monkeypatch, {"hooks.example": [PUBLIC]})
    setattr(settings, switch, True)
    check_url("http://hooks.example/hook")
    with pytest.raises(UnsafeUrl, match="https:// or http://"):
        check_url("ftp://hooks.example/hook")
    with pytest.raises(UnsafeUrl, match="not public"):
        check_url("http://10.0.0.1/hook")  # http is no exception to the addresses


def test_resolve_refuses_a_name_that_does_not_resolve(monkeypatch):
    def fail(*args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", fail)
    with pytest.raises(UnsafeUrl, match="does not resolve"):
        webhook_urls.resolve("ghost.example", 443)


def test_resolve_gives_each_address_once():
    addresses = webhook_urls.resolve("localhost", 443)
    assert addresses and set(addresses) <= {"127.0.0.1", "::1"}
    assert len(addresses) == len(set(addresses))


def test_public_addresses_checks_every_address(monkeypatch, settings):
    resolving(monkeypatch, {"hooks.example": [PUBLIC, "::ffff:192.168.0.1"]})
    with pytest.raises(UnsafeUrl):
        webhook_urls.public_addresses("hooks.example", 443)
    settings.TRACKER_PROJECTS_WEBHOOK_ALLOWED_HOSTS = ["Hooks.Example"]
    assert webhook_urls.public_addresses("hooks.example", 443) == [PUBLIC, "::ffff:192.168.0.1"]


# --- settings and the system check ------------------------------------------------------------


def test_the_settings_defaults(settings):
    del settings.TRACKER_PROJECTS_WEBHOOK_ALLOWED_HOSTS
    del settings.TRACKER_PROJECTS_WEBHOOK_ALLOW_HTTP
    assert app_settings.WEBHOOK_ALLOWED_HOSTS == []
    assert app_settings.WEBHOOK_ALLOW_HTTP is False


def test_allow_http_must_be_a_bool(settings):
    settings.TRACKER_PROJECTS_WEBHOOK_ALLOW_HTTP = "false"
    with pytest.raises(ImproperlyConfigured, match="WEBHOOK_ALLOW_HTTP must be True or False"):
        app_settings.WEBHOOK_ALLOW_HTTP  # noqa: B018


@pytest.mark.parametrize(
    ("setting", "value"),
    [
        ("TRACKER_PROJECTS_WEBHOOK_ALLOWED_HOSTS", "hooks.example"),
        ("TRACKER_PROJECTS_WEBHOOK_ALLOWED_HOSTS", ["https://hooks.example"]),
        ("TRACKER_PROJECTS_WEBHOOK_ALLOWED_HOSTS", ["hooks.example:8443"]),
        ("TRACKER_PROJECTS_WEBHOOK_ALLOWED_HOSTS", ["hooks.example/path"]),
        ("TRACKER_PROJECTS_WEBHOOK_ALLOWED_HOSTS", [""]),
        ("TRACKER_PROJECTS_WEBHOOK_ALLOWED_HOSTS", [10]),
        ("TRACKER_PROJECTS_WEBHOOK_ALLOWED_HOSTS", None),
        ("TRACKER_PROJECTS_WEBHOOK_ALLOW_HTTP", "true"),
        ("TRACKER_PROJECTS_WEBHOOK_ALLOW_HTTP", 1),
        ("TRACKER_PROJECTS_WEBHOOK_ALLOW_HTTP", None),
    ],
)
def test_webhook_settings_of_the_wrong_form_are_e008(settings, setting, value):
    setattr(settings, setting, value)
    assert {m.id for m in checks.check_setup()} == {"tracker_projects.E008"}


def test_webhook_settings_of_the_right_form_pass_the_check(settings):
    hosts = ("hooks.internal.example", "10.0.0.5", "::1", "[fd00::5]")
    settings.TRACKER_PROJECTS_WEBHOOK_ALLOWED_HOSTS = hosts
    settings.TRACKER_PROJECTS_WEBHOOK_ALLOW_HTTP = True
    assert "tracker_projects.E008" not in {m.id for m in checks.check_setup()}
    del settings.TRACKER_PROJECTS_WEBHOOK_ALLOWED_HOSTS
    del settings.TRACKER_PROJECTS_WEBHOOK_ALLOW_HTTP
    assert "tracker_projects.E008" not in {m.id for m in checks.check_setup()}


# --- sending ------------------------------------------------------------------------------


@dataclass
class Seen:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """A local HTTP(S) server: its port and the requests it received."""

    port: int
    seen: list[Seen] = field(default_factory=list)
    sni: list[str | None] = field(default_factory=list)


class Handler(BaseHTTPRequestHandler):
    """``/ok`` 200, ``/fail`` 500, ``/moved`` 302 to ``/ok``, ``/slow`` 200 after 2 s."""

    receiver: Receiver

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.receiver.seen.append(Seen(self.path, {k.lower(): v for k, v in self.headers.items()}, body))
        try:
            if self.path == "/slow":
                time.sleep(2)
            status = {"/fail": 500, "/moved": 302}.get(self.path, 200)
            self.send_response(status)
            if status == 302:
                self.send_header("Location", "/ok")
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"{}")
        except OSError:
            pass  # the client gave up

    def log_message(self, format: str, *args: object) -> None:
        pass


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def handle_error(self, request: object, client_address: object) -> None:
        pass


class QuietServerV6(QuietServer):
    address_family = socket.AF_INET6


def serve(context: ssl.SSLContext | None = None, host: str = "127.0.0.1") -> Iterator[Receiver]:
    server = (QuietServerV6 if ":" in host else QuietServer)((host, 0), Handler)
    receiver = Receiver(port=server.server_address[1])
    server.RequestHandlerClass = type("Bound", (Handler,), {"receiver": receiver})
    if context is not None:
        context.sni_callback = lambda sock, name, ctx: receiver.sni.append(name)
        server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.fixture
def receiver(settings) -> Iterator[Receiver]:
    settings.TRACKER_PROJECTS_WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
    settings.TRACKER_PROJECTS_WEBHOOK_ALLOW_HTTP = True
    yield from serve()


BODY = b'{"event": "task.created", "n": "\xc3\xbc"}'
HEADERS = {"Content-Type": "application/json", "X-Tracker-Signature": "sha256=abc123"}


def test_a_200_is_sent_with_the_exact_body_and_headers(receiver):
    sent = webhook_http.post(f"http://127.0.0.1:{receiver.port}/ok?x=1", BODY, HEADERS)
    assert isinstance(sent, Sent)
    assert sent.status == 200
    assert 0 <= sent.duration_ms < 5000
    [seen] = receiver.seen
    assert seen.path == "/ok?x=1"
    assert seen.body == BODY
    assert seen.headers["content-type"] == "application/json"
    assert seen.headers["x-tracker-signature"] == "sha256=abc123"
    assert seen.headers["content-length"] == str(len(BODY))
    assert seen.headers["host"] == f"127.0.0.1:{receiver.port}"
    assert seen.headers["user-agent"] == "django-tracker-webhooks/0.1.0"


def test_the_callers_user_agent_wins_but_not_its_host(receiver):
    headers = {"user-agent": "custom/1", "Host": "elsewhere.example"}
    webhook_http.post(f"http://127.0.0.1:{receiver.port}/ok", b"", headers)
    [seen] = receiver.seen
    assert seen.headers["user-agent"] == "custom/1"
    assert seen.headers["host"] == f"127.0.0.1:{receiver.port}"


def test_a_500_is_an_answer(receiver):
    assert webhook_http.post(f"http://127.0.0.1:{receiver.port}/fail", BODY, HEADERS).status == 500


def test_a_redirect_is_returned_not_followed(receiver):
    assert webhook_http.post(f"http://127.0.0.1:{receiver.port}/moved", BODY, HEADERS).status == 302
    assert [seen.path for seen in receiver.seen] == ["/moved"]


def test_a_server_slower_than_the_timeout_is_a_failure(receiver):
    started = time.monotonic()
    with pytest.raises(SendFailed, match="timed out") as failed:
        webhook_http.post(f"http://127.0.0.1:{receiver.port}/slow", BODY, HEADERS, timeout=0.5)
    assert time.monotonic() - started < 1.5
    assert failed.value.duration_ms is not None and 400 <= failed.value.duration_ms < 1500
    assert len(receiver.seen) == 1  # sent once, not retried


def test_a_refused_connection_is_a_failure(receiver):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(SendFailed, match="connection failed") as failed:
        webhook_http.post(f"http://127.0.0.1:{port}/ok", BODY, HEADERS)
    assert failed.value.reason.startswith("connection failed")
    assert failed.value.duration_ms is not None


def test_an_unsafe_url_is_a_failure_without_a_connection(receiver):
    with pytest.raises(SendFailed, match="https://") as failed:
        webhook_http.post(f"ftp://127.0.0.1:{receiver.port}/ok", BODY, HEADERS)
    assert failed.value.duration_ms is None
    assert receiver.seen == []


def test_a_name_is_connected_to_at_the_address_checked(receiver, settings, monkeypatch):
    settings.TRACKER_PROJECTS_WEBHOOK_ALLOWED_HOSTS = ["hooks.example"]
    asked = resolving(monkeypatch, {"hooks.example": ["127.0.0.1"]})
    assert webhook_http.post(f"http://hooks.example:{receiver.port}/ok", BODY, HEADERS).status == 200
    assert asked == ["hooks.example"]  # resolved once, then the address is connected to
    assert receiver.seen[0].headers["host"] == f"hooks.example:{receiver.port}"


def test_the_next_address_is_tried_when_one_refuses(receiver, settings, monkeypatch):
    settings.TRACKER_PROJECTS_WEBHOOK_ALLOWED_HOSTS = ["hooks.example"]
    resolving(monkeypatch, {"hooks.example": ["::1", "127.0.0.1"]})  # nothing listens on ::1
    assert webhook_http.post(f"http://hooks.example:{receiver.port}/ok", BODY, HEADERS).status == 200
    assert len(receiver.seen) == 1


def test_an_ipv6_address_is_connected_to_with_its_host_header_in_brackets(settings):
    settings.TRACKER_PROJECTS_WEBHOOK_ALLOWED_HOSTS = ["::1"]
    settings.TRACKER_PROJECTS_WEBHOOK_ALLOW_HTTP = True
    try:
        served = serve(host="::1")
        receiver = next(served)
    except OSError:
        pytest.skip("no IPv6 loopback here")
    try:
        assert webhook_http.post(f"http://[::1]:{receiver.port}/ok", BODY, HEADERS).status == 200
        assert receiver.seen[0].headers["host"] == f"[::1]:{receiver.port}"
    finally:
        served.close()


def test_rebinding_to_a_private_address_is_refused_at_send_time(receiver, settings, monkeypatch):
    settings.TRACKER_PROJECTS_WEBHOOK_ALLOWED_HOSTS = []
    answers = iter([[PUBLIC], ["127.0.0.1"]])
    monkeypatch.setattr(webhook_urls, "resolve", lambda host, port: next(answers))
    url = f"http://hooks.example:{receiver.port}/ok"
    check_url(url)  # when saved, the name was public
    with pytest.raises(SendFailed, match="not public") as failed:
        webhook_http.post(url, BODY, HEADERS)
    assert failed.value.duration_ms is None
    assert receiver.seen == []


# --- TLS: the certificate is verified for the URL's host, sent as SNI -----------------------------


def make_certificates(directory: Path, name: str) -> tuple[Path, Path]:
    """A CA (its certificate file, for clients) and a server certificate for ``name`` signed by
    it (certificate and key in one file, for the server)."""
    pytest.importorskip("cryptography")
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = datetime.now(UTC)

    def build(
        subject: str, key: ec.EllipticCurvePrivateKey, issuer: x509.Name, signer: ec.EllipticCurvePrivateKey
    ) -> Callable[[bool], x509.Certificate]:
        def sign(ca: bool) -> x509.Certificate:
            builder = (
                x509.CertificateBuilder()
                .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
                .issuer_name(issuer)
                .public_key(key.public_key())
                .serial_number(x509.random_serial_number())
                .not_valid_before(now - timedelta(minutes=5))
                .not_valid_after(now + timedelta(days=1))
                .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
                .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
                .add_extension(
                    x509.AuthorityKeyIdentifier.from_issuer_public_key(signer.public_key()), critical=False
                )
                .add_extension(
                    x509.KeyUsage(
                        digital_signature=not ca,
                        content_commitment=False,
                        key_encipherment=False,
                        data_encipherment=False,
                        key_agreement=False,
                        key_cert_sign=ca,
                        crl_sign=ca,
                        encipher_only=False,
                        decipher_only=False,
                    ),
                    critical=True,
                )
            )
            if not ca:
                builder = builder.add_extension(
                    x509.SubjectAlternativeName([x509.DNSName(subject)]), critical=False
                ).add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            return builder.sign(signer, hashes.SHA256())

        return sign

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Webhook Test CA")])
    ca = build("Webhook Test CA", ca_key, ca_name, ca_key)(True)
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = build(name, key, ca_name, ca_key)(False)
    ca_file = directory / "ca.pem"
    ca_file.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    server_file = directory / "server.pem"
    server_file.write_bytes(
        leaf.public_bytes(serialization.Encoding.PEM)
        + key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return ca_file, server_file


@pytest.fixture
def tls_receiver(request, tmp_path, settings, monkeypatch) -> Iterator[Receiver]:
    """An HTTPS server on 127.0.0.1 whose certificate is for ``request.param``; clients trust
    its CA (``SSL_CERT_FILE``) and ``hooks.example`` resolves to 127.0.0.1."""
    ca_file, server_file = make_certificates(tmp_path, request.param)
    monkeypatch.setenv("SSL_CERT_FILE", str(ca_file))
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    settings.TRACKER_PROJECTS_WEBHOOK_ALLOWED_HOSTS = ["hooks.example"]
    resolving(monkeypatch, {"hooks.example": ["127.0.0.1"]})
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(server_file)
    yield from serve(context)


@pytest.mark.parametrize("tls_receiver", ["hooks.example"], indirect=True)
def test_https_verifies_the_certificate_for_the_urls_host(tls_receiver):
    sent = webhook_http.post(f"https://hooks.example:{tls_receiver.port}/ok", BODY, HEADERS)
    assert sent.status == 200
    assert tls_receiver.sni == ["hooks.example"]
    [seen] = tls_receiver.seen
    assert seen.headers["host"] == f"hooks.example:{tls_receiver.port}"
    assert seen.body == BODY


@pytest.mark.parametrize("tls_receiver", ["other.example"], indirect=True)
def test_https_refuses_a_certificate_for_another_host(tls_receiver):
    with pytest.raises(SendFailed, match="TLS failed"):
        webhook_http.post(f"https://hooks.example:{tls_receiver.port}/ok", BODY, HEADERS)
    assert tls_receiver.seen == []


@pytest.mark.parametrize("tls_receiver", ["hooks.example"], indirect=True)
def test_https_refuses_an_untrusted_certificate(tls_receiver, monkeypatch, tmp_path):
    empty = tmp_path / "none.pem"
    empty.write_text("")
    monkeypatch.setenv("SSL_CERT_FILE", str(empty))
    monkeypatch.setenv("SSL_CERT_DIR", str(tmp_path))
    with pytest.raises(SendFailed, match="TLS failed"):
        webhook_http.post(f"https://hooks.example:{tls_receiver.port}/ok", BODY, HEADERS)
    assert tls_receiver.seen == []
