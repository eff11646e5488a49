from django.apps import AppConfig


class TrackerProjectsConfig(AppConfig):
    name = "tracker_projects"
    label = "tracker_projects"
    verbose_name = "Tracker projects"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registration)
