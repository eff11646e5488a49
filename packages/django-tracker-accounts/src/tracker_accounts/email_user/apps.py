from django.apps import AppConfig


class EmailUserConfig(AppConfig):
    name = "tracker_accounts.email_user"
    label = "tracker_email_user"
    verbose_name = "Users (email login)"
    default_auto_field = "django.db.models.BigAutoField"
