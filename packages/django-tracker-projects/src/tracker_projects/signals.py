"""Signals sent by the projects flows, after the transaction commits, for hosts to hook into.

- ``project_created(sender=Project, project, actor)``
- ``project_deleted(sender=Project, project, actor)``
- ``project_restored(sender=Project, project, actor)``: with the tasks its deletion hid
- ``member_joined(sender=Membership, membership, via)``: ``via`` is ``"invite"``
- ``member_removed(sender=Membership, project, user_id, actor)``
- ``task_assigned(sender=Task, task, assignee, actor)``
- ``task_restored(sender=Task, task, actor)``: a task deleted on its own, brought back
- ``invite_sent(sender=Invite, invite, actor)``
"""

from django.dispatch import Signal

project_created = Signal()
project_deleted = Signal()
project_restored = Signal()
member_joined = Signal()
member_removed = Signal()
task_assigned = Signal()
task_restored = Signal()
invite_sent = Signal()
