"""Which notification mails a person wants, and the one-click unsubscribe links in them.

Preferences are booleans in the tracker profile (:class:`~tracker_accounts.models.NotificationKind`),
all on by default and for a user without a profile. Jobs read them in their own queries
(:meth:`ProfileQuerySet.muting` and :func:`enabled_q`), never once per recipient.

Every notification mail carries RFC 8058 one-click unsubscribe headers: ``List-Unsubscribe``
names the unsubscribe view of the tracker's API wherever it is mounted, on the site's address
(:func:`~tracker_accounts.links.tracker_link`), with a token that names one user and one
kind, signed with the site's secret under a salt of its own (``django.core.signing``, so
``SECRET_KEY_FALLBACKS`` keep older links working after a key rotation). It does not expire:
a mail read months later still unsubscribes. A POST of the link turns that kind off; a GET
(a person's click, a link scanner's fetch) only shows the page whose button posts it. The user
is named by their key: an integer as a number (as every token before other keys were
supported), any other key (a UUID) as its text.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, TypedDict

from django.core import signing
from django.db import transaction
from django.db.models import Q

from .conf import app_settings
from .errors import NotFound
from .links import tracker_link
from .log import log_event
from .models import NotificationKind, Profile, preference_field
from .profiles import profile_of
from .users import UserKey, user_key, user_model

if TYPE_CHECKING:
    from tracker_accounts.users import User

logger = logging.getLogger("tracker_accounts.notifications")

KINDS: tuple[str, ...] = tuple(NotificationKind.values)
UNSUBSCRIBE_SALT = "tracker_accounts.notifications.unsubscribe"
UNSUBSCRIBE_VIEW = "notifications_unsubscribe"  # the URL name of the one-click POST
MAX_TOKEN_LENGTH = 200
ONE_CLICK_VALUE = "One-Click"
ONE_CLICK = f"List-Unsubscribe={ONE_CLICK_VALUE}"


# --------------------------------------------------------------------------- reading
def preferences_of(user: User) -> dict[str, bool]:
    """``{kind: wanted}`` for every kind (no query when the profile is loaded or known absent)."""
    profile = profile_of(user)
    return {kind: profile is None or bool(getattr(profile, preference_field(kind))) for kind in KINDS}


def wants(user: User, kind: str) -> bool:
    return preferences_of(user)[kind]


def enabled_q(kind: str, *, user: str) -> Q:
    """Rows whose user (the relation path ``user``, e.g. ``"assignee"``) wants ``kind`` mails."""
    profile = f"{user}__tracker_profile"
    return Q(**{f"{profile}__isnull": True}) | Q(**{f"{profile}__{preference_field(kind)}": True})


# --------------------------------------------------------------------------- writing
@transaction.atomic
def preferences_update(*, user: User, changes: dict[str, bool], via: str = "api") -> dict[str, bool]:
    """Turn the kinds in ``changes`` on or off for ``user``; returns every preference.

    Saved through ``save()``, so the user's cached state (:mod:`tracker_accounts.principals`)
    is replaced when this commits."""
    unknown = set(changes) - set(KINDS)
    if unknown:
        raise ValueError(f"unknown notification kinds: {sorted(unknown)}")
    profile, _ = Profile.objects.select_for_update().get_or_create(user=user)
    fields = [
        preference_field(kind)
        for kind, on in changes.items()
        if getattr(profile, preference_field(kind)) != on
    ]
    for kind, on in changes.items():
        setattr(profile, preference_field(kind), bool(on))
    if fields:
        profile.save(update_fields=fields)
        log_event("notifications_updated", user_id=user.pk, fields=sorted(fields), via=via)
    user.tracker_profile = profile
    return preferences_of(user)


# --------------------------------------------------------------------------- unsubscribe links
def _signer() -> signing.Signer:
    return signing.Signer(salt=UNSUBSCRIBE_SALT)


def unsubscribe_token(user_id: UserKey, kind: str) -> str:
    """A token that names this user and this kind; without the site's secret it cannot be made,
    nor changed to name another user or kind."""
    named = user_id if isinstance(user_id, int) else str(user_id)
    return _signer().sign_object([named, NotificationKind(kind).value])


def read_unsubscribe_token(token: str) -> tuple[UserKey, str] | None:
    """(user id, kind) of a token this site signed, else None."""
    if not token or len(token) > MAX_TOKEN_LENGTH or not token.isascii():
        return None
    try:
        value = _signer().unsign_object(token)
    except (signing.BadSignature, ValueError, TypeError, UnicodeError):
        return None
    if not isinstance(value, list) or len(value) != 2:
        return None
    named, kind = value
    if not isinstance(named, int | str) or isinstance(named, bool) or kind not in KINDS:
        return None
    user_id = user_key(named)
    return None if user_id is None else (user_id, kind)


def unsubscribe_url(user_id: UserKey, kind: str) -> str:
    return tracker_link(UNSUBSCRIBE_VIEW, token=unsubscribe_token(user_id, kind))


class NotificationMail(TypedDict):
    """What :func:`notification_mail` adds to a message: headers, and template context."""

    headers: dict[str, str]
    context: dict[str, object]


def notification_mail(user_id: UserKey, kind: str) -> NotificationMail:
    """What every notification mail adds to ``mail_enqueue``'s keywords: the RFC 8058 headers,
    and the same link (and the settings page, where there is one) for the templates."""
    url = unsubscribe_url(user_id, kind)
    return {
        "headers": {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": ONE_CLICK},
        "context": {
            "unsubscribe_url": url,
            "notification_kind": NotificationKind(kind).label,
            "preferences_url": app_settings.PREFERENCES_URL,
        },
    }


def _link_owner(token: str) -> tuple[User, str]:
    """The user and the kind an unsubscribe token names; :class:`NotFound` for an unknown,
    forged or altered token, or one of a user who no longer exists."""
    found = read_unsubscribe_token(token)
    if found is None:
        raise NotFound("This unsubscribe link is not valid.")
    user_id, kind = found
    user = user_model()._default_manager.filter(Q(pk=user_id)).first()  # Q: any key type
    if user is None:
        raise NotFound("This unsubscribe link is not valid.")
    return user, kind


def unsubscribe_link_kind(token: str) -> str:
    """The kind a valid unsubscribe token names, changing nothing (what a GET of the link shows);
    :class:`NotFound` as for :func:`unsubscribe`."""
    _, kind = _link_owner(token)
    return kind


@transaction.atomic
def unsubscribe(*, token: str) -> str:
    """Turn off the kind the token names for the user it names; returns the kind.

    An unknown, forged or altered token, or one of a user who no longer exists, is
    :class:`NotFound`. Using a link twice changes nothing the second time."""
    user, kind = _link_owner(token)
    preferences_update(user=user, changes={kind: False}, via="unsubscribe_link")
    return kind
