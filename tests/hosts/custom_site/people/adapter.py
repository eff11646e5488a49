from typing import Any

from tracker_accounts.adapter import DefaultAccountAdapter


class PeopleAdapter(DefaultAccountAdapter):
    """People who join through the tracker get a nickname, as the site's own sign-up gives one."""

    def create_user(self, *, email: str, password: str, first_name: str, last_name: str) -> Any:
        user = super().create_user(email=email, password=password, first_name=first_name, last_name=last_name)
        user.nickname = first_name or email.split("@", 1)[0]
        user.save(update_fields=["nickname"])
        return user
