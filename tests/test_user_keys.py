"""A user model's primary key may be any type Django allows (an integer, a UUID, a string).

The API carries it as it is (a UserBrief's ``id``, a Member's, the ``members/<user_id>/``
path), the OpenAPI schema states the site's type, and access tokens, unsubscribe tokens, cache
keys and the jobs' raw SQL columns all come back to the one form ``user.pk`` has. Here the
user model is swapped for models with other keys in an isolated registry; the whole flow on a
UUID user model runs in ``nox -s host_install`` (tests/hosts/uuid_site).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from types import SimpleNamespace

import orjson
import pytest
from django.core import signing
from django.db import models
from django.db.models import Q
from django.test.utils import isolate_apps
from pydantic import TypeAdapter, ValidationError

from tests.conftest import assert_envelope
from tracker_accounts import checks as accounts_checks
from tracker_accounts import users
from tracker_accounts.auth import principal_from_access_token
from tracker_accounts.fields import USER_KEY_EXTENSION, UserId
from tracker_accounts.notifications import UNSUBSCRIBE_SALT, read_unsubscribe_token, unsubscribe_token
from tracker_accounts.principals import Principal, account_version_key
from tracker_accounts.tokens import TrackerAccessToken
from tracker_projects import activity
from tracker_projects.cache import member_version_key
from tracker_projects.jobs import as_id, as_user_key
from tracker_projects.urls import api

KEY = uuid.UUID("0b6f9c7e-3d52-4a8e-9f43-6c1d2e5a7b90")
USER_ID = TypeAdapter(UserId)


@pytest.fixture
def uuid_user_model(monkeypatch: pytest.MonkeyPatch) -> Iterator[type[models.Model]]:
    """The host's user model, for this test: keyed by a UUID, as tests/hosts/uuid_site's."""
    with isolate_apps("tests"):

        class Person(models.Model):
            id = models.UUIDField(primary_key=True, default=uuid.uuid4)
            email = models.EmailField(unique=True)

            class Meta:
                app_label = "tests"

        monkeypatch.setattr(users, "user_model", lambda: Person)
        yield Person


def user_id_schemas() -> dict[str, dict[str, object]]:
    """Where the served OpenAPI schema states a user id's type."""
    schema = api.get_openapi_schema(path_prefix="/api/")
    components = schema["components"]["schemas"]
    operation = schema["paths"]["/api/projects/{slug}/members/{user_id}/"]["delete"]
    [path_param] = [p["schema"] for p in operation["parameters"] if p["name"] == "user_id"]
    return {
        "UserBrief": components["UserBrief"]["properties"]["id"],
        "UserOut": components["UserOut"]["properties"]["id"],
        "MemberOut": components["MemberOut"]["properties"]["id"],
        "path": path_param,
    }


# --------------------------------------------------------------------------- the schema
def test_the_openapi_schema_states_integer_ids_for_an_integer_key():
    found = user_id_schemas()
    assert {name: s["type"] for name, s in found.items()} == dict.fromkeys(found, "integer")
    assert not any("format" in s for s in found.values())
    # marked, for clients made from one site's schema that serve every site (clients/typescript)
    assert all(s[USER_KEY_EXTENSION] is True for s in found.values())


def test_the_openapi_schema_states_uuid_ids_for_a_uuid_key(uuid_user_model):
    found = user_id_schemas()
    assert {name: (s["type"], s.get("format")) for name, s in found.items()} == dict.fromkeys(
        found, ("string", "uuid")
    )


def test_a_text_key_is_a_string_and_an_inherited_key_is_its_parent_s():
    with isolate_apps("tests"):

        class Handle(models.Model):
            handle = models.CharField(primary_key=True, max_length=30)

            class Meta:
                app_label = "tests"

        class Base(models.Model):
            id = models.UUIDField(primary_key=True, default=uuid.uuid4)

            class Meta:
                app_label = "tests"

        class Child(Base):  # multi-table inheritance: the key is a one-to-one to Base
            email = models.EmailField()

            class Meta:
                app_label = "tests"

        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(users, "user_model", lambda: Handle)
            assert users.key_json_schema() == {"type": "string"}
            assert users.user_key(7) == "7"
            patch.setattr(users, "user_model", lambda: Child)
            assert users.key_json_schema() == {"type": "string", "format": "uuid"}
            assert users.user_key(str(KEY)) == KEY


# --------------------------------------------------------------------------- ids in, ids out
def test_a_user_id_is_read_as_the_model_s_key(uuid_user_model):
    assert USER_ID.validate_python(str(KEY).upper()) == KEY
    assert USER_ID.validate_python(KEY.hex) == KEY
    for junk in ("7", "not-a-uuid", str(KEY) + "\x00"):
        with pytest.raises(ValidationError):
            USER_ID.validate_python(junk)


def test_an_integer_key_still_reads_digits_as_the_integer():
    assert USER_ID.validate_python("7") == 7 and USER_ID.validate_python(7) == 7
    with pytest.raises(ValidationError):
        USER_ID.validate_python(str(KEY))


@pytest.mark.django_db
def test_a_member_path_that_is_no_user_id_is_422(boss_api, project):
    r = boss_api.delete(f"/api/projects/{project.slug}/members/{KEY}/")
    assert_envelope(r, 422, "validation_error")


def test_a_brief_carries_a_uuid_key_as_its_text(uuid_user_model):
    read = users.brief_reader("user__")
    brief = read({"user__id": KEY, "user__email": "ada@example.com"})
    assert brief == {"id": KEY, "email": "ada@example.com", "first_name": "", "last_name": ""}
    assert orjson.loads(orjson.dumps(brief))["id"] == str(KEY)
    assert read({"user__id": None, "user__email": None}) is None


def test_an_assignee_change_names_uuid_assignees_by_their_address(monkeypatch):
    other = uuid.UUID(int=KEY.int + 1)
    asked: list[object] = []

    class People:  # the user model's manager, as far as changes() asks it
        def filter(self, *conditions: object) -> list[SimpleNamespace]:
            asked.extend(conditions)
            return [SimpleNamespace(pk=pk, email=f"{pk}@example.com") for pk in (KEY, other)]

    monkeypatch.setattr(activity, "user_model", lambda: SimpleNamespace(_default_manager=People()))
    found = activity.changes({"assignee": KEY, "title": "a"}, {"assignee": other, "title": "a"})
    assert asked == [Q(pk__in=[KEY, other])]  # both assignees looked up, UUIDs as they are
    assert found == {"assignee": {"from": f"{KEY}@example.com", "to": f"{other}@example.com"}}


# --------------------------------------------------------------------------- tokens and keys
def test_an_access_token_of_a_uuid_user_names_their_key(uuid_user_model):
    person = uuid_user_model(id=KEY, email="ada@example.com")
    token = str(TrackerAccessToken.for_user(person))
    principal = principal_from_access_token(token)
    assert principal is not None and principal.pk == KEY
    # the counter a request reads is the one the user's saves bump (tracker_accounts.principals)
    assert principal.version_key == account_version_key(person.pk) == f"tr:v:account:{KEY}"


def test_cache_keys_have_one_form_whatever_the_key_came_from(uuid_user_model):
    # the ORM gives a UUID; SQLite's raw rows its hex text; a token's claim its hyphenated text
    from_sql, from_claim = as_user_key(KEY.hex), users.user_key(str(KEY).upper())
    assert from_sql == from_claim == KEY
    assert member_version_key(from_sql) == member_version_key(KEY) == f"tp:v:user:{KEY}"
    assert Principal(from_claim).state_key == Principal(KEY).state_key
    with pytest.raises(TypeError):
        as_user_key("not a key")


def test_the_jobs_read_integer_keys_and_ids_as_before():
    assert as_user_key(7) == 7 and as_user_key("7") == 7 and as_id("12") == 12
    with pytest.raises(TypeError):
        as_id(True)


def test_an_unsubscribe_token_names_a_uuid_user(uuid_user_model):
    token = unsubscribe_token(KEY, "task_overdue")
    assert read_unsubscribe_token(token) == (KEY, "task_overdue")
    assert signing.Signer(salt=UNSUBSCRIBE_SALT).unsign_object(token) == [str(KEY), "task_overdue"]


def test_unsubscribe_tokens_of_integer_keys_are_made_and_read_as_before():
    old = signing.Signer(salt=UNSUBSCRIBE_SALT).sign_object([7, "task_assigned"])
    assert unsubscribe_token(7, "task_assigned") == old  # links already mailed stay valid
    assert read_unsubscribe_token(old) == (7, "task_assigned")
    # a UUID's text does not name anyone where keys are integers
    forged_shape = signing.Signer(salt=UNSUBSCRIBE_SALT).sign_object([str(KEY), "task_assigned"])
    assert read_unsubscribe_token(forged_shape) is None


def test_no_check_refuses_a_user_model_with_a_uuid_key(uuid_user_model, monkeypatch):
    monkeypatch.setattr(accounts_checks, "get_user_model", lambda: uuid_user_model)
    assert accounts_checks.check_user_model() == []
