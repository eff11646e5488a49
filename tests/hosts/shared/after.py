"""After the flow: existing users kept what they had; the tracker's data sits beside them; the
scheduled jobs' SQL mails the site's users, whatever their key."""

from datetime import timedelta

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from shared.roster import EXISTING, MANAGER, NEWCOMER  # noqa: E402

from tracker_accounts.profiles import role_of  # noqa: E402
from tracker_accounts.users import user_for_email  # noqa: E402
from tracker_projects import jobs, services  # noqa: E402
from tracker_projects.clock import today  # noqa: E402
from tracker_projects.models import Project  # noqa: E402

User = get_user_model()
grace = user_for_email(EXISTING["login_email"])
assert grace is not None and grace.is_staff and grace.has_perm("auth.view_group"), "lost permissions"
assert grace.get_username().lower() in (EXISTING["username"], EXISTING["login_email"])
assert role_of(grace) == "member"
boss, newcomer = user_for_email(MANAGER), user_for_email(NEWCOMER)
assert role_of(boss) == "manager" and role_of(newcomer) == "member"
if User.USERNAME_FIELD != "email":  # usernames derived from the address by the default adapter
    assert boss.get_username() == MANAGER, boss.get_username()
if hasattr(newcomer, "nickname"):  # the host's own adapter filled its own field
    assert newcomer.nickname == "New", newcomer.nickname

# a task of Grace's, late when written: the overdue job mails her and the manager once
services.task_create(
    actor=boss,
    project_slug=Project.objects.get().slug,
    title="Late already",
    due_date=today() - timedelta(days=2),
    assignee_email=EXISTING["login_email"],
)
report = jobs.check_task_overdue()
assert report["tasks_marked"] == 1 and report["mails_queued"] == 2, report
assert jobs.check_task_overdue()["mails_queued"] == 0

print(f"after the tracker: {User.objects.count()} users of {User._meta.label}, existing ones unchanged")
