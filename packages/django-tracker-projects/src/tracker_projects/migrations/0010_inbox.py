"""Issue 30: the in-app inbox, one row per notification per person (``InboxItem``).

No data migration: notifications sent before it are not in anybody's inbox."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('tracker_projects', '0009_invite_trust_and_mailbox'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='InboxItem',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('task_assigned', 'Task assigned to me'), ('task_due_today', 'Task due today'), ('task_overdue', 'Task overdue'), ('project_overdue', 'Project overdue'), ('mentioned', 'Mentioned in a comment'), ('task_commented', 'Comment on my task')], max_length=32)),
                ('comment_id', models.BigIntegerField(blank=True, null=True)),
                ('text', models.CharField(max_length=400)),
                ('read', models.BooleanField(default=False)),
                ('at', models.DateTimeField(default=django.utils.timezone.now)),
                ('actor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('project', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='tracker_projects.project')),
                ('recipient', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('task', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='tracker_projects.task')),
            ],
            options={
                'verbose_name': 'inbox entry',
                'verbose_name_plural': 'inbox entries',
                'indexes': [models.Index(fields=['recipient', '-id'], name='tracker_inbox_recipient'), models.Index(condition=models.Q(('read', False)), fields=['recipient', '-id'], name='tracker_inbox_unread'), models.Index(fields=['task'], name='tracker_inbox_task'), models.Index(fields=['project'], name='tracker_inbox_project')],
                'constraints': [models.CheckConstraint(condition=models.Q(('kind__in', ['task_assigned', 'task_due_today', 'task_overdue', 'project_overdue', 'mentioned', 'task_commented'])), name='tracker_inbox_kind_valid')],
            },
        ),
    ]
