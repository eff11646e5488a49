"""django-tracker-projects."""

__version__ = "0.1.0"
