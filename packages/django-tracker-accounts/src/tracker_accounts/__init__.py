"""django-tracker-accounts."""

__version__ = "0.1.0"
