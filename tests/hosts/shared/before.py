"""Users the site had before the tracker: run with TRACKER=0, right after the site's migrate."""

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Permission  # noqa: E402
from shared.roster import EXISTING, PASSWORD  # noqa: E402

User = get_user_model()
fields = {User.USERNAME_FIELD: EXISTING["username"]} if User.USERNAME_FIELD != "email" else {}
user = User._default_manager.create_user(
    **fields, email=EXISTING["stored_email"], password=PASSWORD, first_name="Grace", last_name="Hopper"
)
user.is_staff = True
user.save()
user.user_permissions.add(Permission.objects.get(codename="view_group"))
print(f"before the tracker: {User._meta.label} {user.get_username()!r} with a permission")
