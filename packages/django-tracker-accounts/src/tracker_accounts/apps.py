from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate


class TrackerAccountsConfig(AppConfig):
    name = "tracker_accounts"
    label = "tracker_accounts"
    verbose_name = "Tracker accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import checks, principals, receivers  # noqa: F401  (registration)
        from .schedules import install_schedules

        post_migrate.connect(install_schedules, sender=self, dispatch_uid="tracker_accounts.schedules")
        if apps.is_installed("django.contrib.admin"):
            from .admin import attach_profile_inline, use_lockout_login_form

            attach_profile_inline()  # the host's user admin is registered by now
            use_lockout_login_form()
