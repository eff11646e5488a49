"""factory_boy factories for the tracker models."""

from __future__ import annotations

import secrets
from datetime import timedelta

import factory
from django.utils import timezone

from tracker_accounts.crypto import keyed_hash, token_hash
from tracker_accounts.email_user.models import User
from tracker_accounts.models import EmailOTP, EmailToken
from tracker_accounts.profiles import role_set

PASSWORD = "Corr3ct-Horse-Battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()

    @factory.post_generation
    def role(obj, create, extracted, **kwargs):
        """``role="manager"`` gives the user a tracker profile with that role; without it the
        user has no profile, as an existing user of a host site (a ``member``)."""
        if create and extracted:
            role_set(user=obj, role=extracted)


class _WithRawSecret(factory.django.DjangoModelFactory):
    """Keeps the clear secret (``raw``) on the built object; only its hash is a column."""

    class Meta:
        abstract = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        raw = kwargs.pop("raw")
        obj = super()._create(model_class, *args, **kwargs)
        obj.raw = raw
        return obj

    @classmethod
    def _build(cls, model_class, *args, **kwargs):
        raw = kwargs.pop("raw")
        obj = super()._build(model_class, *args, **kwargs)
        obj.raw = raw
        return obj


class EmailTokenFactory(_WithRawSecret):
    """A verified-address token as verify-otp hands it out; ``obj.raw`` is the token."""

    class Meta:
        model = EmailToken

    email = factory.Sequence(lambda n: f"verified{n}@example.com")
    raw = factory.LazyFunction(lambda: secrets.token_urlsafe(32))
    token_hash = factory.LazyAttribute(lambda o: token_hash(o.raw))
    created_at = factory.LazyFunction(timezone.now)
    expires_at = factory.LazyAttribute(lambda o: o.created_at + timedelta(minutes=30))


class EmailOTPFactory(_WithRawSecret):
    """A one-time code as send-otp stores it; ``obj.raw`` is the code."""

    class Meta:
        model = EmailOTP

    email = factory.Sequence(lambda n: f"otp{n}@example.com")
    raw = factory.Sequence(lambda n: f"{(n * 7919 + 123456) % 1_000_000:06d}")
    code_hash = factory.LazyAttribute(lambda o: keyed_hash("tracker_accounts.otp", f"{o.email}:{o.raw}"))
    created_at = factory.LazyFunction(timezone.now)
    expires_at = factory.LazyAttribute(lambda o: o.created_at + timedelta(minutes=10))


class ProjectFactory(factory.django.DjangoModelFactory):
    """A live project; its manager gets the ``manager`` Membership row, as
    ``services.project_create`` would give them."""

    class Meta:
        model = "tracker_projects.Project"
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Project {n}")
    slug = factory.Sequence(lambda n: f"factory-project-{n}")
    manager = factory.SubFactory(UserFactory, role="manager")

    @factory.post_generation
    def _manager_membership(obj, create, extracted, **kwargs):
        if create:
            from tracker_projects.models import Membership

            Membership.objects.get_or_create(project=obj, user=obj.manager, defaults={"role": "manager"})


class MembershipFactory(factory.django.DjangoModelFactory):
    """A plain member of a project."""

    class Meta:
        model = "tracker_projects.Membership"

    project = factory.SubFactory(ProjectFactory)
    user = factory.SubFactory(UserFactory, role="member")
    role = "member"


class TaskFactory(factory.django.DjangoModelFactory):
    """A live task; ``priority`` is the stored rank (1 low … 4 urgent)."""

    class Meta:
        model = "tracker_projects.Task"

    project = factory.SubFactory(ProjectFactory)
    title = factory.Sequence(lambda n: f"Task {n}")
    slug = factory.Sequence(lambda n: f"factory-task-{n}")
    priority = 2
    status = "todo"
    created_by = factory.LazyAttribute(lambda o: o.project.manager)
    completed_at = factory.LazyAttribute(lambda o: timezone.now() if o.status == "done" else None)


class CommentFactory(factory.django.DjangoModelFactory):
    """A live comment by the task's project's manager; ``mentions=[users]`` sets who it mentions."""

    class Meta:
        model = "tracker_projects.Comment"
        skip_postgeneration_save = True

    task = factory.SubFactory(TaskFactory)
    project = factory.LazyAttribute(lambda o: o.task.project)
    author = factory.LazyAttribute(lambda o: o.task.project.manager)
    body = factory.Sequence(lambda n: f"Comment {n}")
    created_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def mentions(obj, create, extracted, **kwargs):
        if create and extracted:
            for user in extracted:  # one at a time: the order they are listed in
                obj.mentions.add(user)


class InviteFactory(_WithRawSecret):
    """A pending invitation as ``invite_send`` stores it; ``obj.raw`` is the token of the link."""

    class Meta:
        model = "tracker_projects.Invite"

    project = factory.SubFactory(ProjectFactory)
    email = factory.Sequence(lambda n: f"invitee{n}@example.com")
    raw = factory.LazyFunction(lambda: secrets.token_urlsafe(32))
    token_hash = factory.LazyAttribute(lambda o: token_hash(o.raw))
    invited_by = factory.LazyAttribute(lambda o: o.project.manager)
    status = "pending"
    created_at = factory.LazyFunction(timezone.now)
    expires_at = factory.LazyAttribute(lambda o: o.created_at + timedelta(hours=48))


def project_world(**project_fields):
    """The cast of the projects/tasks tests, built through the services:

    - ``manager`` (role manager) manages ``project``;
    - ``member`` and ``assignee`` (role member) are its members; ``task`` is assigned to ``assignee``;
    - ``outsider`` (role manager) manages ``other_project`` (with ``other_task``) and is no member of
      ``project``.
    """
    from types import SimpleNamespace

    from tracker_projects import services
    from tracker_projects.models import Membership

    manager = UserFactory(role="manager", first_name="Mona", last_name="Manager")
    member = UserFactory(role="member", first_name="Mel", last_name="Member")
    assignee = UserFactory(role="member", first_name="Ada", last_name="Assignee")
    outsider = UserFactory(role="manager", first_name="Otto", last_name="Outsider")
    project = services.project_create(
        actor=manager, name=project_fields.pop("name", "Apollo"), **project_fields
    )
    for user in (member, assignee):
        Membership.objects.create(project=project, user=user, role="member")
    task = services.task_create(
        actor=manager, project_slug=project.slug, title="Build the rocket", assignee_email=assignee.email
    )
    other_project = services.project_create(actor=outsider, name="Elsewhere")
    other_task = services.task_create(actor=outsider, project_slug=other_project.slug, title="Other work")
    return SimpleNamespace(
        manager=manager,
        member=member,
        assignee=assignee,
        outsider=outsider,
        project=project,
        task=task,
        other_project=other_project,
        other_task=other_task,
    )
