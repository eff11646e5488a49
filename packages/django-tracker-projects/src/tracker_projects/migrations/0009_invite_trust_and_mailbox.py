"""Issue 29: invitation mails record the mailbox they reach (the cooldown's key) and whether a new
inviter sent them (the shared ceiling counts only those); accepted invitations are found by
inviter through a partial index.

Rows sent before this migration get an empty mailbox: they only matter for the 10-minute cooldown
and ``purge_expired`` removes them after the budget window."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("tracker_projects", "0008_drop_stored_overdue"),
    ]

    operations = [
        migrations.AddField(
            model_name="invitemail",
            name="mailbox",
            field=models.CharField(default="", max_length=254),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="invitemail",
            name="by_new_inviter",
            field=models.BooleanField(default=False),
        ),
        migrations.RemoveIndex(
            model_name="invitemail",
            name="tracker_invitemail_recipient",
        ),
        migrations.AddIndex(
            model_name="invitemail",
            index=models.Index(fields=["project", "mailbox", "sent_at"], name="tracker_invitemail_mailbox"),
        ),
        migrations.AddIndex(
            model_name="invitemail",
            index=models.Index(
                condition=models.Q(("by_new_inviter", True)),
                fields=["sent_at"],
                name="tracker_invitemail_new_inviter",
            ),
        ),
        migrations.AddIndex(
            model_name="invite",
            index=models.Index(
                condition=models.Q(("status", "accepted")),
                fields=["invited_by"],
                name="tracker_invite_accepted_by",
            ),
        ),
    ]
