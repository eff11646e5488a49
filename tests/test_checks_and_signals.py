"""System checks with stable ids catch misconfiguration; signals reach host code after commit."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib.auth.models import User as AuthUser
from django.test import TestCase

from tests.conftest import ApiClient, invite_token_from, last_mail_to
from tests.factories import PASSWORD, UserFactory
from tracker_accounts import checks as accounts_checks
from tracker_accounts import signals as accounts_signals
from tracker_projects import checks as projects_checks
from tracker_projects import services
from tracker_projects import signals as projects_signals


def ids(messages):
    return {m.id for m in messages}


def test_a_correct_setup_has_no_findings():
    assert accounts_checks.check_setup() == []
    assert accounts_checks.check_user_model() == []  # tracker_email_user.User: unique emails
    assert projects_checks.check_setup() == []


def test_a_user_model_without_the_named_email_field_is_e001(settings):
    settings.TRACKER_ACCOUNTS_USER_EMAIL_FIELD = "mail"
    [message] = accounts_checks.check_user_model()
    assert message.id == "tracker_accounts.E001" and "'mail'" in message.msg


def test_a_user_model_whose_emails_are_not_unique_is_w002(monkeypatch):
    monkeypatch.setattr(accounts_checks, "get_user_model", lambda: AuthUser)
    assert ids(accounts_checks.check_user_model()) == {"tracker_accounts.W002"}


def test_a_user_model_with_a_text_primary_key_is_accepted(monkeypatch, settings):
    from django_q.models import Task  # any model whose primary key is text, with a text field

    monkeypatch.setattr(accounts_checks, "get_user_model", lambda: Task)
    settings.TRACKER_ACCOUNTS_USER_EMAIL_FIELD = "name"
    # E005 (not an integer key) is gone; only its addresses' uniqueness is left to warn about
    assert ids(accounts_checks.check_user_model()) == {"tracker_accounts.W002"}


def test_an_adapter_that_cannot_be_imported_is_e006(settings):
    settings.TRACKER_ACCOUNTS_ADAPTER = "nowhere.Adapter"
    assert "tracker_accounts.E006" in ids(accounts_checks.check_setup())


@pytest.mark.parametrize(
    ("backend", "debug", "warned"),
    [
        ("django.core.cache.backends.locmem.LocMemCache", False, True),
        ("django.core.cache.backends.dummy.DummyCache", False, True),
        ("django.core.cache.backends.locmem.LocMemCache", True, False),
        ("django_redis.cache.RedisCache", False, False),
    ],
)
def test_a_cache_local_to_one_process_in_production_is_w003(settings, backend, debug, warned):
    settings.CACHES = {"default": {"BACKEND": backend}}
    settings.DEBUG = debug
    assert ("tracker_accounts.W003" in ids(accounts_checks.check_cache_shared())) is warned


def test_a_login_lockout_backend_that_is_not_first_is_w004(settings):
    assert accounts_checks.check_login_lockout() == []
    settings.AUTHENTICATION_BACKENDS = [
        "django.contrib.auth.backends.ModelBackend",
        "tracker_accounts.backends.LoginLockoutBackend",
    ]
    assert ids(accounts_checks.check_login_lockout()) == {"tracker_accounts.W004"}


@pytest.mark.parametrize(
    ("per_ip", "account", "wrong"),
    [(5, 50, False), (5, 5, False), (5, 4, True), (0, 50, True), (5, 0, True)],
)
def test_login_lockout_limits_that_cannot_work_are_e009(settings, per_ip, account, wrong):
    """The account-wide ceiling below the per-IP limit (or a limit under 1) locks owners out."""
    settings.TRACKER_ACCOUNTS_LOGIN_MAX_FAILURES = per_ip
    settings.TRACKER_ACCOUNTS_LOGIN_ACCOUNT_MAX_FAILURES = account
    assert ("tracker_accounts.E009" in ids(accounts_checks.check_login_lockout_limits())) is wrong


@pytest.mark.parametrize(
    "template",
    ["https://t.example.com/invite/", "https://t.example.com/{token}/{project}/", "https://t/{token"],
)
def test_an_invite_url_template_without_exactly_token_is_e003(settings, template):
    settings.TRACKER_PROJECTS_INVITE_URL_TEMPLATE = template
    assert "tracker_projects.E003" in ids(projects_checks.check_setup())


def test_the_development_invite_url_under_check_deploy_is_w001(settings):
    # the link templates set for a real site (their own development defaults are W002 and W003)
    settings.TRACKER_PROJECTS_TASK_URL = "https://tracker.example.com/tasks/?project={project}&task={task}"
    settings.TRACKER_PROJECTS_PROJECT_URL = "https://tracker.example.com/projects/{project}/tasks/"
    del settings.TRACKER_PROJECTS_INVITE_URL_TEMPLATE
    assert ids(projects_checks.check_deploy()) == {"tracker_projects.W001"}
    settings.TRACKER_PROJECTS_INVITE_URL_TEMPLATE = "https://tracker.example.com/invite_register/{token}/"
    assert projects_checks.check_deploy() == []
    assert projects_checks.check_setup() == []


@pytest.mark.parametrize(
    "url",
    [
        "tracker.example.com",
        "/tracker",
        "ftp://tracker.example.com",
        "https://",
        "https://tracker.example.com/api/notifications/unsubscribe/{token}/",
        "https://tracker.example.com/tracker",
        "https://tracker.example.com?x=1",
        "https://user@tracker.example.com",
        "https://tracker.example.com:port",
        "https://tracker.exämple.com",
    ],
)
def test_a_site_url_that_is_not_a_site_s_address_is_e008(settings, url):
    settings.TRACKER_ACCOUNTS_SITE_URL = url
    assert "tracker_accounts.E008" in ids(accounts_checks.check_setup())


@pytest.mark.parametrize(
    "url",
    [
        "https://tracker.example.com",
        "https://tracker.example.com/",
        "http://10.0.0.5:8080",
        "http://[::1]:8000",
    ],
)
def test_a_site_s_address_passes(settings, url):
    settings.TRACKER_ACCOUNTS_SITE_URL = url
    assert accounts_checks.check_setup() == []


def test_the_development_site_url_under_check_deploy_is_w005(settings):
    del settings.TRACKER_ACCOUNTS_SITE_URL
    assert ids(accounts_checks.check_site_url()) == {"tracker_accounts.W005"}
    assert accounts_checks.check_setup() == []  # fine for development
    settings.TRACKER_ACCOUNTS_SITE_URL = "https://tracker.example.com"
    assert accounts_checks.check_site_url() == []
    assert accounts_checks.check_setup() == []


def test_the_removed_url_template_setting_plays_no_part(settings):
    settings.TRACKER_ACCOUNTS_UNSUBSCRIBE_URL_TEMPLATE = "https://t/{token}/{kind}/"
    settings.TRACKER_ACCOUNTS_SITE_URL = "https://tracker.example.com"
    assert accounts_checks.check_setup() == []
    assert accounts_checks.check_site_url() == []


def test_a_time_zone_that_is_not_iana_is_e004(settings):
    settings.TRACKER_PROJECTS_TIME_ZONE = "Mars/Olympus_Mons"
    assert "tracker_projects.E004" in ids(projects_checks.check_setup())


@pytest.mark.parametrize(
    ("app", "check_id", "module"),
    [
        ("ninja_jwt", "tracker_accounts.E002", accounts_checks),
        ("django_q", "tracker_accounts.E003", accounts_checks),
        ("ninja_jwt.token_blacklist", "tracker_accounts.E004", accounts_checks),
        ("django_q", "tracker_projects.E002", projects_checks),
        ("tracker_accounts", "tracker_projects.E001", projects_checks),
    ],
)
def test_a_missing_app_has_its_own_id(monkeypatch, app, check_id, module):
    real = apps.is_installed
    monkeypatch.setattr(module.apps, "is_installed", lambda name: name != app and real(name))
    assert check_id in ids(module.check_setup())


class Recorder:
    def __init__(self, signal):
        self.calls: list[dict] = []
        self.signal = signal
        signal.connect(self, weak=False)

    def __call__(self, sender, **kwargs):
        self.calls.append(kwargs)

    def close(self):
        self.signal.disconnect(self)


@pytest.fixture
def record():
    made: list[Recorder] = []

    def make(signal):
        made.append(Recorder(signal))
        return made[-1]

    yield make
    for recorder in made:
        recorder.close()


@pytest.mark.django_db
def test_project_signals_fire_after_commit(record):
    created, deleted = record(projects_signals.project_created), record(projects_signals.project_deleted)
    assigned = record(projects_signals.task_assigned)
    manager, member = UserFactory(role="manager"), UserFactory()
    with TestCase.captureOnCommitCallbacks(execute=False) as callbacks:
        project = services.project_create(actor=manager, name="Signals")
    assert created.calls == []  # nothing before the commit
    for callback in callbacks:
        callback()
    assert created.calls[0]["project"].pk == project.pk and created.calls[0]["actor"] == manager
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.membership_add(project=project, user=member, via="test")
        services.task_create(actor=manager, project_slug=project.slug, title="T", assignee_email=member.email)
        services.project_delete(actor=manager, slug=project.slug)
    assert assigned.calls[0]["assignee"] == member
    assert deleted.calls[0]["project"].pk == project.pk


@pytest.mark.django_db
def test_a_profile_change_is_signalled_after_commit(record):
    changed = record(accounts_signals.user_profile_changed)
    from tracker_accounts.services import me_update

    ada = UserFactory()
    with TestCase.captureOnCommitCallbacks(execute=False) as callbacks:
        me_update(user=ada, time_zone="Europe/Rome")
        me_update(user=ada, time_zone="Europe/Rome")  # no change: no signal
    assert changed.calls == []
    for callback in callbacks:
        callback()
    assert [call["user"] for call in changed.calls] == [ada]


@pytest.mark.django_db
def test_registration_and_membership_signals(record):
    registered, joined = record(accounts_signals.user_registered), record(projects_signals.member_joined)
    manager = UserFactory(role="manager")
    project = services.project_create(actor=manager, name="Joinable")
    from tests.conftest import auth_client

    auth_client(manager, run_on_commit=True).post(
        f"/api/projects/{project.slug}/invite/", {"emails": ["newbie@example.com"]}
    )
    token = invite_token_from(last_mail_to("newbie@example.com"))
    response = ApiClient(run_on_commit=True).post(
        f"/api/invites/accept/{token}/", {"password": PASSWORD, "first_name": "N", "last_name": "B"}
    )
    assert response.status_code == 201
    assert (
        registered.calls[0]["via"] == "invite" and registered.calls[0]["user"].email == "newbie@example.com"
    )
    assert joined.calls[0]["membership"].project_id == project.pk and joined.calls[0]["via"] == "invite"
