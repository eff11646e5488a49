"""Signals sent by the email user model, for the tracker (or a host) to hook into.

- ``superuser_created(sender=User, user)``: ``User.objects.create_superuser`` (so also
  ``manage.py createsuperuser``) made ``user``. Where ``tracker_accounts`` is installed, its
  receiver makes that user a tracker manager.
"""

from django.dispatch import Signal

superuser_created = Signal()
