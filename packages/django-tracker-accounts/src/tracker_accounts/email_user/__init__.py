"""An optional email-only user model for brand-new sites.

Add ``"tracker_accounts.email_user"`` to ``INSTALLED_APPS`` and set
``AUTH_USER_MODEL = "tracker_email_user.User"`` before the site's first ``migrate``. The
tracker itself works with any user model; installing it alone never creates a user table.
"""
