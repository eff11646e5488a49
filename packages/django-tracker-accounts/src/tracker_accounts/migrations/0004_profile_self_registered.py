from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("tracker_accounts", "0003_notification_preferences"),
    ]

    operations = [
        migrations.AddField(
            model_name="profile",
            name="self_registered",
            field=models.BooleanField(
                default=False,
                help_text="The account was made through the public manager sign-up (not by staff or an invitation).",
            ),
        ),
    ]
