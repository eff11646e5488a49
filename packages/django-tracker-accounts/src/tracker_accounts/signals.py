"""Signals sent outward by the accounts flows, for hosts (and tracker_projects) to hook into.

- ``user_registered(sender=User, user, via)``: a user was created through a flow;
  ``via`` is ``"manager_signup"`` or another flow's name.
- ``user_profile_changed(sender=User, user)``: a user's name or time zone changed (after commit).
- ``login_failed(sender=User, email)``: a login attempt failed.
- ``login_locked(sender=User, email)``: a login was refused by the failure limit.
"""

from django.dispatch import Signal

user_registered = Signal()
login_failed = Signal()
login_locked = Signal()
user_profile_changed = Signal()
