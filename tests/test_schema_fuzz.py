"""Schema fuzzing: schemathesis against the site's own OpenAPI schema (``/api/openapi.json``).

Every operation is called through the WSGI application with generated requests, valid and
invalid (schemathesis' examples, coverage and fuzzing phases), twice: anonymously and as the
manager of a project with a member, tasks and invitations (path parameters, filters and
body fields are often the real slugs, ids, tokens and emails, so handlers get past their
404s). Then a fixed sweep puts NUL bytes, lone surrogates, over-long text, huge numbers and
other odd values into every parameter and body field of every operation. Each response must

- never be a 5xx (``not_a_server_error``);
- have a documented status code, content type and body (``status_code_conformance``,
  ``content_type_conformance``, ``response_schema_conformance``);
- be the error envelope ``{"code", "detail", "errors"}`` when it is an error.

The run is bounded and deterministic: derandomized Hypothesis (no example database), a
few examples per operation and generation mode (``TRACKER_FUZZ_EXAMPLES``, default 25).
Each request runs in a savepoint that is rolled back (its on-commit callbacks run first, so
mail and signals are exercised), and the cache is cleared after it, so one request's writes
or rate-limit counts never leak into the next. The rate limits are raised besides.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from django.test import TestCase, override_settings
from django.utils import timezone
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.config import HealthCheck
from schemathesis.errors import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.factories import PASSWORD, EmailOTPFactory, EmailTokenFactory, InviteFactory
from tests.offline_webhooks import PUBLIC, OfflineWebhooks
from tracker_site.wsgi import application

# Per operation and generation mode; raise it for a deeper local run.
MAX_EXAMPLES = int(os.environ.get("TRACKER_FUZZ_EXAMPLES", "25"))

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)
schema.config.generation.update(
    modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
    max_examples=MAX_EXAMPLES,
    deterministic=True,
    database="none",
)
schema.config.update(suppress_health_check=[HealthCheck.all])

# Rate limits that the fuzzer would otherwise trip within a handful of examples.
UNTHROTTLED = {
    "TRACKER_ACCOUNTS_SEND_OTP_EMAIL_COOLDOWN": 0,
    "TRACKER_ACCOUNTS_SEND_OTP_EMAIL_HOURLY": 10**6,
    "TRACKER_ACCOUNTS_SEND_OTP_IP_HOURLY": 10**6,
    "TRACKER_ACCOUNTS_VERIFY_OTP_IP_FAILURES_HOURLY": 10**6,
    "TRACKER_ACCOUNTS_LOGIN_MAX_FAILURES": 10**6,
}


def error_envelope(ctx: Any, response: Any, case: Any) -> bool | None:
    """Every 4xx/5xx answer is the envelope ``{"code", "detail", "errors"}``."""
    if response.status_code < 400:
        return None
    body = response.json()
    assert isinstance(body, dict), f"error body is not an object: {body!r}"
    assert {"code", "detail", "errors"} <= set(body), f"error body is not the envelope: {body!r}"
    assert isinstance(body["code"], str) and body["code"], body
    assert isinstance(body["detail"], str), body
    assert isinstance(body["errors"], list), body
    return True


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    error_envelope,
]


@pytest.fixture
def in_process_db(db: Any) -> Iterator[None]:
    """Calls through the WSGI app share the test's connection and transaction.

    Django's test client does the same: a request must not close the connection (it
    would end the test's transaction)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        with override_settings(**UNTHROTTLED):
            yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


# Pages for people served on an operation's path, outside the schema: a GET of the one-click
# unsubscribe link (tests/test_unsubscribe_page.py) answers its HTML page, not the envelope.
PAGES = {("GET", "/api/notifications/unsubscribe/{token}/")}


def call_isolated(case: Any, headers: dict[str, str] | None = None) -> Any:
    """Call and validate ``case`` in a savepoint that is rolled back afterwards."""
    try:
        with transaction.atomic():
            with TestCase.captureOnCommitCallbacks(execute=True):
                response = case.call(headers=headers)
            transaction.set_rollback(True)
    finally:
        cache.clear()
    if (case.method.upper(), case.operation.path) in PAGES:
        assert response.status_code in (200, 404), response.status_code
        assert response.text.startswith("<!doctype html>"), response.text[:200]
        return response
    case.validate_response(response, checks=CHECKS)
    return response


# --------------------------------------------------------------------------- real values
# Filled by the ``world`` fixture before any example is drawn and read by the hooks below
# while Hypothesis draws: half the time a path parameter, a query filter or a body field
# that names something (a slug, an id, a token, an email) is replaced by a real one (a
# value listed twice is drawn twice as often), so handlers get past their 404s and 401s.
REAL: dict[str, list[Any]] = {}


def _real_or(value: Any, key: str) -> st.SearchStrategy[Any]:
    values = REAL.get(key)
    return st.one_of(st.just(value), st.sampled_from(values)) if values else st.just(value)


def _swap(values: Any, keys: dict[str, str]) -> st.SearchStrategy[Any]:
    """``values`` (a dict) with each of ``keys`` that it has drawn from ``REAL[keys[name]]``."""
    if not isinstance(values, dict) or not keys.keys() & values.keys():
        return st.just(values)
    return st.fixed_dictionaries(
        {
            name: _real_or(value, keys[name]) if name in keys else st.just(value)
            for name, value in values.items()
        }
    )


def _token_key(path: str) -> str:
    """Invitation tokens, or the signed tokens of unsubscribe links."""
    return "unsubscribe_token" if path.startswith("/api/notifications/") else "token"


@schema.hook
def flatmap_path_parameters(context: Any, path_parameters: Any) -> st.SearchStrategy[Any]:
    path = context.operation.path
    slugs = _real_key(path, "slug")
    return _swap(
        path_parameters,
        {
            "slug": slugs,
            "invite_id": "invite_id",
            "user_id": "user_id",
            "comment_id": "comment_id",
            "label_id": "label_id",
            "webhook_id": "webhook_id",
            "delivery_id": "delivery_id",
            "token": _token_key(path),
        },
    )


@schema.hook
def flatmap_query(context: Any, query: Any) -> st.SearchStrategy[Any]:
    return _swap(query, {"assignee": "assignee", "q": "search_q", "project": "project_slug"})


@schema.hook
def flatmap_body(context: Any, body: Any) -> st.SearchStrategy[Any]:
    return _swap(body, {name: name for name in BODY_FIELDS})


def _real_key(path: str, name: str) -> str:
    """Which real values a parameter takes: a restore's slug names a deleted project or task."""
    if name == "slug":
        key = "task_slug" if path.startswith("/api/tasks/") else "project_slug"
        return f"deleted_{key}" if path.endswith("/restore/") else key
    if name == "token":
        return _token_key(path)
    return name


BODY_FIELDS = (
    "refresh",
    "email_token",
    "email",
    "otp",
    "password",
    "assignee_email",
    "emails",
    "ids",
    "all",
    "mentions",
    "labels",
    "url",
)


@pytest.fixture
def world(in_process_db: None, offline_webhooks: OfflineWebhooks) -> Iterator[SimpleNamespace]:
    """Mona manages Apollo (member Mel, two tasks and a deleted one, comments by both of them,
    invitations in every state, a webhook with a delivery); Otto manages Gemini (a comment on
    its task, a webhook) and invited Mona to it; Mona's Vostok is soft-deleted (with a task).
    Built through the services, the invitations (whose tokens only exist in mail) and the
    unsubscribe links of Mel and Mona with the test factories and signer.

    No webhook leaves the machine (``offline_webhooks``): deliveries, sent when a request's
    on-commit callbacks run, go to a stand-in, and a URL's host name resolves from a fixed
    table (any other name does not resolve: 422)."""
    from tracker_accounts import services as accounts
    from tracker_accounts.notifications import unsubscribe_token
    from tracker_accounts.tokens import issue_pair
    from tracker_projects import inbox, invites, labels, services, webhooks
    from tracker_projects.models import InboxItem

    def user(email: str, role: str, first: str) -> Any:
        with transaction.atomic():
            return accounts.user_create(
                email=email, password=PASSWORD, first_name=first, last_name="Fuzz", role=role, via="test"
            )

    def invite(project: Any, email: str, **fields: Any) -> Any:
        return InviteFactory(project=project, invited_by=project.manager, email=email, **fields)

    manager = user("mona@example.com", "manager", "Mona")
    member = user("mel@example.com", "member", "Mel")
    outsider = user("otto@example.com", "manager", "Otto")
    project = services.project_create(actor=manager, name="Apollo", description="Fly me to the moon")
    with transaction.atomic():
        services.membership_add(project=project, user=member, via="test")
    tasks = [
        services.task_create(
            actor=manager, project_slug=project.slug, title="Fuel it", assignee_email=member.email
        ),
        services.task_create(actor=manager, project_slug=project.slug, title="Build the rocket"),
    ]
    other = services.project_create(actor=outsider, name="Gemini")
    other_task = services.task_create(actor=outsider, project_slug=other.slug, title="Dock")
    deleted = services.project_create(actor=manager, name="Vostok")
    services.task_create(actor=manager, project_slug=deleted.slug, title="Orbit")
    scrapped = services.task_create(actor=manager, project_slug=project.slug, title="Scrapped")
    services.task_delete(actor=manager, slug=scrapped.slug)
    mine = services.comment_create(actor=manager, task_slug=tasks[0].slug, body="Go", mentions=[member.email])
    theirs = services.comment_create(actor=member, task_slug=tasks[0].slug, body="On it")
    elsewhere_comment = services.comment_create(actor=outsider, task_slug=other_task.slug, body="Hi")
    backend = labels.label_create(actor=manager, project_slug=project.slug, name="backend")
    labels.label_create(actor=manager, project_slug=project.slug, name="docs", color="#16a34a")
    ops = labels.label_create(actor=outsider, project_slug=other.slug, name="ops")
    services.task_update(actor=manager, slug=tasks[0].slug, changes={"labels": ["backend"]})
    invites.invite_send(actor=manager, project_slug=project.slug, emails=["grace@example.com"])
    pending = invite(project, "linus@example.com")  # no account: accepting creates one
    to_mona = invite(other, manager.email)  # Mona accepts with her bearer token
    to_mel = invite(project, "mel@example.com", status="accepted")
    revoked = invite(project, "ken@example.com", status="revoked")
    expired = invite(project, "guido@example.com", expires_at=timezone.now() - timedelta(hours=1))
    elsewhere = invite(other, "barbara@example.com")
    in_deleted = invite(deleted, "dennis@example.com")
    services.project_delete(actor=manager, slug=deleted.slug)
    hook, _ = webhooks.webhook_create(
        actor=manager, project_slug=project.slug, url=f"https://{PUBLIC}/hook", events=["task.updated"]
    )
    delivery = webhooks.webhook_ping(actor=manager, project_slug=project.slug, webhook_id=hook.pk)
    other_hook, _ = webhooks.webhook_create(
        actor=outsider, project_slug=other.slug, url=f"https://{PUBLIC}/gemini", events=[]
    )
    other_delivery = webhooks.webhook_ping(actor=outsider, project_slug=other.slug, webhook_id=other_hook.pk)
    inbox.record(  # an entry in Mona's inbox, as the comments will make
        [
            inbox.InboxEntry(
                recipient_id=manager.pk,
                kind="mentioned",
                project_id=project.pk,
                task_id=tasks[1].pk,
                comment_id=1,
                actor_id=member.pk,
                text="Mel Fuzz mentioned you",
            )
        ]
    )
    entry = InboxItem.objects.get(recipient=manager)
    access, refresh = issue_pair(manager)
    REAL.update(
        # the first of each list is the one that works
        project_slug=[project.slug] * 3 + [other.slug, deleted.slug],
        task_slug=[tasks[0].slug] * 2 + [tasks[1].slug] * 2 + [other_task.slug],
        deleted_project_slug=[deleted.slug] * 3 + [project.slug, other.slug],
        deleted_task_slug=[scrapped.slug] * 3 + [tasks[0].slug, other_task.slug],
        invite_id=[pending.pk] * 2 + [revoked.pk] * 2 + [elsewhere.pk],
        user_id=[member.pk] * 2 + [manager.pk] * 2 + [outsider.pk],
        comment_id=[mine.pk] * 3 + [theirs.pk, elsewhere_comment.pk],
        label_id=[backend.pk] * 3 + [ops.pk],
        webhook_id=[hook.pk] * 3 + [other_hook.pk],
        delivery_id=[str(delivery.pk)] * 3 + [str(other_delivery.pk)],
        # public literals, names of the stand-in resolver (public, private), and ones refused
        url=[
            f"https://{PUBLIC}/hook",
            f"https://{PUBLIC}/other?x=1",
            "https://hooks.example.com/tracker",
            "https://inside.example.com/",
            "https://127.0.0.1/",
            "https://nowhere.example/",
            f"ftp://{PUBLIC}/",
        ],
        labels=[["backend"], ["Backend", "docs"], [], ["ops"]],
        token=[pending.raw, to_mona.raw, to_mel.raw, revoked.raw, expired.raw, in_deleted.raw],
        assignee=["me", member.email],
        # words of the world's projects and tasks (some in the deleted project, some elsewhere)
        search_q=["rocket", "fly moon", '"fly me" to', "orbit", "dock"],
        refresh=[refresh],
        email_token=[EmailTokenFactory(email="ada@example.com").raw],
        email=[manager.email, "ada@example.com"],
        otp=[EmailOTPFactory(email=manager.email).raw],
        password=[PASSWORD],
        assignee_email=[member.email, manager.email, outsider.email],
        emails=[["grace@example.com", member.email, "alan@example.com"]],
        # marking read: the ids of Mona's inbox (or anyone's: ignored), or all of it
        ids=[[entry.pk], [entry.pk, entry.pk + 1000]],
        all=[None, True],
        mentions=[[member.email], [member.email, manager.email], [outsider.email]],
        unsubscribe_token=[
            unsubscribe_token(member.pk, "task_due_today"),
            unsubscribe_token(manager.pk, "task_overdue"),
        ],
    )
    try:
        yield SimpleNamespace(manager=manager, access=access)
    finally:
        REAL.clear()


# --------------------------------------------------------------------------- the two passes
@schema.parametrize()
def test_fuzz_anonymous(case: Any, world: SimpleNamespace) -> None:
    call_isolated(case)


@schema.parametrize()
def test_fuzz_as_manager(case: Any, world: SimpleNamespace) -> None:
    call_isolated(case, headers={"Authorization": f"Bearer {world.access}"})


# --------------------------------------------------------------------------- hostile values
# Random generation seldom produces these: each one goes, alone, into every body field,
# query parameter and path parameter of every operation (the rest of the request valid and
# naming real things), as the manager. Text that cannot be stored must be refused (4xx).
# The request without a hostile value (the baseline) must succeed: every operation's
# success answer is checked against its schema at least once.
UNSTORABLE = ["\x00", "a\x00b", "\ud800", "x\udfffy", "x" * 100_000]
ODD_VALUES = [10**30, -(10**30), 1.5e308, None, True, [], {}, "", " ", "\u202e", "💥"]
ODD_PARAMS = ["\x00", "a\x00b", "9" * 40, "-" + "9" * 40, "0", "-1", "1e3", "x" * 4000, "\u202e", "%", " "]

RAW = schema.raw_schema
OPERATIONS = [(method.upper(), path) for path, item in RAW["paths"].items() for method in item]


def _resolve(node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = RAW["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    return node


def _valid(path: str, name: str, node: dict[str, Any]) -> Any:
    """A value for ``name`` that passes validation (and names a real thing where it can)."""
    if REAL.get(_real_key(path, name)):
        return REAL[_real_key(path, name)][0]
    node = _resolve(node)
    if "examples" in node:
        return node["examples"][0]
    if "anyOf" in node:
        return _valid(path, name, next(n for n in node["anyOf"] if n.get("type") != "null"))
    if "enum" in node:
        return node["enum"][0]
    formats = {"date": "2030-01-01", "email": "fuzz@example.com"}
    if node.get("format") in formats:
        return formats[node["format"]]
    return {"string": "Fuzz", "integer": 1, "boolean": False, "array": [], "object": {}}.get(node.get("type"))


def _variants(method: str, path: str) -> Iterator[tuple[str, dict[str, Any], bool]]:
    """(label, Case keyword arguments, must be refused) for each hostile value in each place."""
    operation = RAW["paths"][path][method.lower()]
    params = operation.get("parameters", [])
    base_path = {p["name"]: _valid(path, p["name"], p["schema"]) for p in params if p["in"] == "path"}
    body_schema = (
        operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
    )
    properties = _resolve(body_schema).get("properties", {}) if body_schema is not None else {}
    base_body = {name: _valid(path, name, node) for name, node in properties.items()}
    base_query = {
        p["name"]: _valid(path, p["name"], p["schema"])
        for p in params
        if p["in"] == "query" and p.get("required")
    }

    def case(label: str, must_refuse: bool, *, path_: Any = None, query: Any = None, **body: Any) -> Any:
        kwargs: dict[str, Any] = {
            "path_parameters": {**base_path, **(path_ or {})},
            "query": {**base_query, **(query or {})},
        }
        if body_schema is not None:
            kwargs.update(body={**base_body, **body}, media_type="application/json")
        return label, kwargs, must_refuse

    yield case("baseline", False)
    for param in params:
        where, name = param["in"], param["name"]
        for value in ODD_PARAMS:
            label, refuse = f"{where} {name}={value[:12]!r}", "\x00" in value
            yield (
                case(label, refuse, path_={name: value})
                if where == "path"
                else case(label, refuse, query={name: value})
            )
    for name, node in properties.items():
        for value in [*UNSTORABLE, *ODD_VALUES]:
            yield case(f"body {name}={str(value)[:12]!r}", value in UNSTORABLE, **{name: value})
        if _resolve(node).get("type") == "array":  # a list of strings (invite emails)
            for value in UNSTORABLE:
                yield case(f"body {name}=[{value[:12]!r}]", True, **{name: [value]})


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_hostile_values(method: str, path: str, world: SimpleNamespace) -> None:
    operation = schema[path][method]
    failures = []
    for label, case_kwargs, must_refuse in _variants(method, path):
        try:
            response = call_isolated(
                operation.Case(**case_kwargs), headers={"Authorization": f"Bearer {world.access}"}
            )
        except (AssertionError, FailureGroup) as exc:  # what the checks raise
            failures.append(f"{label}: {str(exc)[:500]}")
            continue
        if must_refuse and not 400 <= response.status_code < 500:
            failures.append(f"{label}: accepted with {response.status_code}")
        if label == "baseline" and response.status_code >= 400:
            failures.append(f"{label}: refused with {response.status_code}: {response.text[:300]}")
    assert not failures, "\n".join(failures)
