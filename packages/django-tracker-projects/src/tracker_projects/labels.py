"""Writes of a project's labels, and of the labels on a task.

A project's label writes lock the project row first (:func:`.selectors.project_for_update`),
so two of them never race on the count or a name. A label being deleted is locked before its
task rows are collected, and a task's labels are locked while they are set: a task's edit and a
label's deletion wait for each other instead of leaving a row that names a deleted label.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction

from tracker_accounts import error_codes as codes
from tracker_accounts.errors import Conflict, InvalidInput

from . import activity, cache
from .models import (
    DEFAULT_LABEL_COLOR,
    MAX_LABELS_PER_PROJECT,
    ActivityVerb,
    Label,
    Task,
    TaskLabel,
)
from .selectors import label_of_project, project_for_manager_update

if TYPE_CHECKING:
    from tracker_accounts.users import User

LABEL_FIELDS = ("name", "color")


def _save_named(label: Label) -> None:
    """Save ``label``; 409 ``label_exists`` when the project has a label of that name (in any case)."""
    try:
        with transaction.atomic():
            label.save()
    except IntegrityError as error:
        raise Conflict(error=codes.LABEL_EXISTS) from error


@transaction.atomic
def label_create(*, actor: User, project_slug: str, name: str, color: str = DEFAULT_LABEL_COLOR) -> Label:
    project = project_for_manager_update(user=actor, slug=project_slug)
    if Label.objects.filter(project=project).count() >= MAX_LABELS_PER_PROJECT:
        raise InvalidInput(f"A project has at most {MAX_LABELS_PER_PROJECT} labels.")
    label = Label(project=project, name=name, color=color)
    _save_named(label)
    activity.record(
        ActivityVerb.LABEL_CREATED, project_id=project.pk, actor=actor, target=activity.label_target(label)
    )
    cache.bump_on_commit(projects=[project.slug])  # its labels and its history
    return label


@transaction.atomic
def label_update(*, actor: User, project_slug: str, label_id: int, changes: Mapping[str, str]) -> Label:
    """Rename or recolour a label; every task showing it shows the change at once (the reads of
    every member are invalidated on commit)."""
    project = project_for_manager_update(user=actor, slug=project_slug)
    label = label_of_project(project=project, label_id=label_id, for_update=True)
    before = {field: getattr(label, field) for field in LABEL_FIELDS}
    for field, value in changes.items():
        if field not in LABEL_FIELDS:
            raise TypeError(f"not a label field: {field}")
        setattr(label, field, value)
    _save_named(label)
    after = {field: getattr(label, field) for field in LABEL_FIELDS}
    activity.record(
        ActivityVerb.LABEL_UPDATED,
        project_id=project.pk,
        actor=actor,
        target=activity.label_target(label),
        changed=activity.changes(before, after),
    )
    cache.bump_project_on_commit(project)
    return label


@transaction.atomic
def label_delete(*, actor: User, project_slug: str, label_id: int) -> None:
    """Delete a label, taking it off every task."""
    project = project_for_manager_update(user=actor, slug=project_slug)
    label = label_of_project(project=project, label_id=label_id, for_update=True)
    activity.record(
        ActivityVerb.LABEL_DELETED, project_id=project.pk, actor=actor, target=activity.label_target(label)
    )
    label.delete()
    cache.bump_project_on_commit(project)


def _names(labels: Sequence[Label]) -> list[str]:
    """Label names as the history lists them: by name, case-insensitively."""
    return sorted((label.name for label in labels), key=lambda name: (name.lower(), name))


def task_labels_set(*, task: Task, names: Sequence[str]) -> activity.Change | None:
    """Make the labels on ``task`` (saved) exactly the project's labels named ``names``
    (case-insensitively; 422 on ``labels`` for a name the project has none of). Call inside the
    task's write; the change, as the history shows it, or None when the set is the same."""
    wanted = {name.lower(): name for name in names}
    found = list(
        Label.objects.filter(project_id=task.project_id).named(wanted).select_for_update().order_by("id")
    )
    unknown = set(wanted) - {label.name.lower() for label in found}
    if unknown:
        listed = ", ".join(sorted(wanted[name] for name in unknown))
        raise InvalidInput.for_field("labels", f"The project has no label named: {listed}.")
    current = list(Label.objects.filter(tasks=task).order_by("id"))
    now, then = {label.pk for label in found}, {label.pk for label in current}
    if now == then:
        return None
    TaskLabel.objects.filter(task=task).exclude(label_id__in=now).delete()
    TaskLabel.objects.bulk_create([TaskLabel(task=task, label_id=pk) for pk in sorted(now - then)])
    return {"from": _names(current), "to": _names(found)}


def task_labels_clear(*, task: Task) -> None:
    """Take every label off ``task`` (moved to another project, whose labels are its own)."""
    TaskLabel.objects.filter(task=task).delete()
