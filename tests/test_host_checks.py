"""The checks a host's own setup meets: django-q2's ORM broker on SQLite
(tracker_accounts.W006) and a host NinjaAPI at the tracker's URL prefix (tracker_projects.W002)."""

from __future__ import annotations

import pytest
from django.urls import include, path, re_path

import tracker_projects.urls
from tests.host_urls import host_api
from tracker_accounts import checks as accounts_checks
from tracker_projects import checks as projects_checks

SQLITE = "django.db.backends.sqlite3"
ORM = {"name": "tracker", "orm": "default"}


def ids(messages):
    return [m.id for m in messages]


@pytest.mark.parametrize(
    ("options", "warned"),
    [
        (None, True),  # startproject's DATABASES: no OPTIONS
        ({}, True),
        ({"timeout": 20}, True),  # deferred transactions: a write after a read cannot wait
        ({"transaction_mode": "IMMEDIATE"}, True),  # Python's 5 s
        ({"timeout": 5, "transaction_mode": "IMMEDIATE"}, True),
        ({"timeout": True, "transaction_mode": "IMMEDIATE"}, True),
        ({"timeout": "20", "transaction_mode": "IMMEDIATE"}, True),
        ({"timeout": 20, "transaction_mode": "EXCLUSIVE"}, True),
        ({"timeout": 10, "transaction_mode": "IMMEDIATE"}, False),
        ({"timeout": 20.0, "transaction_mode": "immediate"}, False),  # Django upper-cases it
        ({"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA x=1"}, False),
    ],
)
def test_the_orm_broker_on_sqlite_without_waiting_options_is_w006(options, warned):
    database = {"ENGINE": SQLITE, "NAME": "db.sqlite3"} | (
        {"OPTIONS": options} if options is not None else {}
    )
    messages = accounts_checks.broker_lock_warnings(ORM, {"default": database})
    assert ids(messages) == (["tracker_accounts.W006"] if warned else [])
    if warned:
        assert "'default'" in messages[0].msg and "IMMEDIATE" in messages[0].hint


@pytest.mark.parametrize(
    ("cluster", "databases"),
    [
        ({"name": "tracker", "redis": "redis://localhost:6379/0"}, {"default": {"ENGINE": SQLITE}}),
        (None, {"default": {"ENGINE": SQLITE}}),  # no Q_CLUSTER at all
        (ORM, {"default": {"ENGINE": "django.db.backends.postgresql", "NAME": "tracker"}}),
        ({"orm": "queue"}, {"default": {"ENGINE": SQLITE}}),  # an alias django-q2 itself rejects
    ],
)
def test_no_w006_without_the_orm_broker_on_sqlite(cluster, databases):
    assert accounts_checks.broker_lock_warnings(cluster, databases) == []


def test_w006_names_the_broker_database_not_the_default():
    databases = {
        "default": {"ENGINE": "django.db.backends.postgresql", "NAME": "tracker"},
        "queue": {"ENGINE": SQLITE, "NAME": "queue.sqlite3"},
    }
    [message] = accounts_checks.broker_lock_warnings({"orm": "queue"}, databases)
    assert message.id == "tracker_accounts.W006" and "'queue'" in message.msg


def test_the_registered_check_reads_the_settings(settings):
    assert accounts_checks.check_sqlite_broker() == []  # the suite's (the example site's) setup
    settings.Q_CLUSTER = {"name": "tracker", "orm": "missing"}
    assert accounts_checks.check_sqlite_broker() == []


def test_the_check_knows_the_tracker_by_the_namespace_of_its_urls():
    assert tracker_projects.urls.app_name == projects_checks.TRACKER_NAMESPACE


def tracker_at(route):
    return path(route, include("tracker_projects.urls"))


@pytest.mark.parametrize(
    ("patterns", "warned_at"),
    [
        ([tracker_at("api/"), path("api/", host_api.urls)], "/api/"),
        ([path("api/", host_api.urls), tracker_at("api/")], "/api/"),  # the site's first
        ([tracker_at("api/"), path("api/v2/", host_api.urls)], "/api/v2/"),  # under the prefix
        ([tracker_at("api/"), re_path(r"^api/", host_api.urls)], "/api/"),
        ([tracker_at(""), path("v1/", host_api.urls)], "/v1/"),  # the tracker at the root
        ([path("", include([tracker_at("api/")])), path("api/", host_api.urls)], "/api/"),
        ([tracker_at("api/"), path("v1/", host_api.urls)], None),
        ([tracker_at("tracker/"), path("api/", host_api.urls)], None),
        ([tracker_at("api/"), path("", host_api.urls)], None),  # the site's API at the root
        ([path("api/", host_api.urls)], None),  # no tracker mounted
    ],
)
def test_a_host_ninja_api_at_the_trackers_prefix_is_w002(patterns, warned_at):
    messages = projects_checks.mount_warnings(patterns)
    if warned_at is None:
        assert messages == []
    else:
        [message] = messages
        assert message.id == "tracker_projects.W002"
        assert f"'host_api' at {warned_at}" in message.msg


def test_the_registered_check_walks_the_root_urlconf(settings):
    settings.ROOT_URLCONF = "tests.urls_api_same_prefix"  # the site's API at api/, as the tracker
    assert ids(projects_checks.check_mount()) == ["tracker_projects.W002"]
    settings.ROOT_URLCONF = "tests.host_urls"  # the site's API at v1/, the tracker at api/
    assert projects_checks.check_mount() == []
