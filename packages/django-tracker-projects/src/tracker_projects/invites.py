"""Invitations: send (and re-send), revoke, look up and accept, exactly once."""

from __future__ import annotations

import logging
import secrets
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from math import ceil
from typing import TYPE_CHECKING, Literal, TypedDict

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from tracker_accounts import error_codes as codes
from tracker_accounts.addresses import normalize_email
from tracker_accounts.crypto import token_hash
from tracker_accounts.errors import ApiError, Conflict, InvalidInput, NotFound, RateLimited
from tracker_accounts.locks import advisory_lock
from tracker_accounts.log import log_event
from tracker_accounts.mail import mail_enqueue
from tracker_accounts.models import Role
from tracker_accounts.profiles import is_self_registered
from tracker_accounts.services import login, user_create
from tracker_accounts.subjects import subject_text
from tracker_accounts.users import (
    EmailAmbiguous,
    display_name,
    email_field_name,
    email_of,
    email_q,
    names_of,
    user_for_email,
    user_model,
    users_with_email,
)

from . import activity, cache, permissions, signals
from .conf import app_settings
from .models import ActivityVerb, Invite, InviteMail, InviteStatus, Membership, Project
from .selectors import ensure_db_id, project_for_update
from .services import membership_add

if TYPE_CHECKING:
    from tracker_accounts.users import User


logger = logging.getLogger("tracker_projects.invites")


class InviteNotFound(NotFound):
    error = codes.INVITE_NOT_FOUND


class InviteGone(ApiError):
    error = codes.GONE


class LoginRequired(ApiError):
    error = codes.LOGIN_REQUIRED


class InviteEmailMismatch(ApiError):
    error = codes.INVITE_EMAIL_MISMATCH


GONE = {
    InviteStatus.ACCEPTED: codes.INVITE_USED,
    InviteStatus.REVOKED: codes.INVITE_REVOKED,
    InviteStatus.EXPIRED: codes.INVITE_EXPIRED,
}


class Invited(TypedDict):
    """An address invited (the contract's InviteBatch ``invited`` item)."""

    email: str
    expires_at: datetime


class Skipped(TypedDict):
    """An address not mailed, and why (the contract's InviteBatch ``skipped`` item)."""

    email: str
    reason: Literal["already_member", "recently_invited"]


@dataclass
class InviteBatch:
    invited: list[Invited]
    skipped: list[Skipped]


def invite_link(token: str) -> str:
    return app_settings.INVITE_URL_TEMPLATE.format(token=token)


def _new_token() -> str:
    return secrets.token_urlsafe(32)  # 256 random bits


def _any_email(addresses: list[str], *, prefix: str = "") -> Q:
    query = Q(pk__in=[])
    for address in addresses:
        query |= email_q(address, prefix=prefix)
    return query


def _refuse_ambiguous(addresses: list[str]) -> None:
    """409 ``email_ambiguous`` when two accounts share one of ``addresses``."""
    found = (
        user_model()._default_manager.filter(_any_email(addresses)).values_list(email_field_name(), flat=True)
    )
    counts = Counter(normalize_email(e) for e in found)
    if any(n > 1 for n in counts.values()):
        raise EmailAmbiguous.for_field("emails")


def mailbox_of(email: str) -> str:
    """The mailbox an address reaches: a ``+tag`` dropped from the local part and the whole
    lower-cased (``Ada+1@X.org`` and ``ada+2@x.org`` are ``ada@x.org``). Used for the cooldown
    only; the invitation keeps the address as typed."""
    local, at, domain = email.rpartition("@")
    if not at:
        return email.lower()
    base = local.split("+", 1)[0] or local
    return f"{base}@{domain}".lower()


def _recently_mailed(project: Project, mailboxes: list[str], now: datetime) -> set[str]:
    """Those of ``mailboxes`` mailed an invitation to ``project`` within the cooldown."""
    since = now - app_settings.INVITE_RECIPIENT_COOLDOWN
    rows = InviteMail.objects.filter(project=project, mailbox__in=mailboxes, sent_at__gt=since)
    return set(rows.values_list("mailbox", flat=True))


def _wait_for_budget(sent: QuerySet[InviteMail], limit: int, wanted: int, now: datetime) -> int | None:
    """Seconds until ``wanted`` more mails fit under ``limit`` in the window, or None if they fit now."""
    window = app_settings.INVITE_MAILS_WINDOW
    in_window = sent.filter(sent_at__gt=now - window).order_by("sent_at")
    over = in_window.count() + wanted - limit
    if over <= 0:
        return None
    if wanted > limit:
        return int(window.total_seconds())
    leaving = in_window.values_list("sent_at", flat=True)[over - 1]
    return max(1, ceil((leaving + window - now).total_seconds()))


def is_trusted_inviter(actor: User) -> bool:
    """Not a self-registered account (made by staff, a host or an invitation), or one that
    people have accepted an invitation of: such an inviter gets the full budget and is never
    held to the budget that new inviters share."""
    if not is_self_registered(actor):
        return True
    return Invite.objects.filter(invited_by=actor, status=InviteStatus.ACCEPTED).exists()


def _budgets(actor: User, trusted: bool) -> list[tuple[QuerySet[InviteMail], int, str]]:
    """(mails counted, limit, whose) for each budget that ``actor``'s mails must fit."""
    mine = InviteMail.objects.filter(inviter=actor)
    if trusted:
        return [(mine, app_settings.INVITE_MAILS_PER_INVITER, "your")]
    limit = min(app_settings.INVITE_MAILS_PER_INVITER, app_settings.INVITE_MAILS_PER_NEW_INVITER)
    new_inviters = InviteMail.objects.filter(by_new_inviter=True)
    return [(mine, limit, "your"), (new_inviters, app_settings.INVITE_MAILS_PER_SITE, "the site's")]


def _ensure_budget(actor: User, trusted: bool, wanted: int, now: datetime) -> None:
    """429 unless ``wanted`` more invitation mails fit the inviter's budgets: a trusted inviter's
    own; a new inviter's small one and the ceiling that all new inviters share.

    A site-wide lock makes the count and the sending one step, so concurrent requests cannot
    both squeeze under a limit."""
    advisory_lock("tracker:invite-mails")
    for sent, limit, whose in _budgets(actor, trusted):
        wait = _wait_for_budget(sent, limit, wanted, now)
        if wait is not None:
            raise RateLimited(wait, f"This would exceed {whose} budget of invitation mails. Try again later.")


def _invite_subject(actor: User, project: Project) -> str:
    """User-chosen text only where :func:`subject_text` lets it in."""
    inviter = subject_text(" ".join(names_of(actor)))
    name = subject_text(project.name)
    target = f'"{name}"' if name else "a project"
    return f"{inviter} invited you to {target}" if inviter else f"You are invited to {target}"


def _member_addresses(project: Project, addresses: list[str]) -> set[str]:
    """Those of ``addresses`` (normalized) that belong to members of ``project``."""
    rows = Membership.objects.filter(_any_email(addresses, prefix="user__"), project=project)
    return {normalize_email(e) for e in rows.values_list(f"user__{email_field_name()}", flat=True)}


def _sort_addresses(project: Project, addresses: list[str], now: datetime) -> tuple[list[str], list[Skipped]]:
    """The addresses to mail, and those skipped with the reason: members (``already_member``)
    and addresses whose mailbox was mailed an invitation to ``project`` within the cooldown, or
    earlier in this batch (``recently_invited``)."""
    members = _member_addresses(project, addresses)
    recent = _recently_mailed(project, [mailbox_of(e) for e in addresses], now)
    to_send: list[str] = []
    skipped: list[Skipped] = []
    for email in addresses:
        if email in members:
            skipped.append({"email": email, "reason": "already_member"})
        elif mailbox_of(email) in recent:
            skipped.append({"email": email, "reason": "recently_invited"})
        else:
            to_send.append(email)
            recent.add(mailbox_of(email))
    return to_send, skipped


def _pending_by_email(project: Project, emails: list[str]) -> dict[str, Invite]:
    """The row stored as pending, lapsed or not, for each of ``emails``, locked: there is one
    per (project, address), so a re-send re-uses it."""
    rows = Invite.objects.select_for_update().filter(
        project=project, email__in=emails, status=InviteStatus.PENDING
    )
    return {invite.email: invite for invite in rows}


def _issue(invite: Invite, actor: User, now: datetime, expires: datetime) -> str:
    """Give ``invite`` a fresh token (only its hash is stored), ``actor`` as its inviter and a
    new lifetime from ``now``; save it and return the token for the link."""
    token = _new_token()
    invite.token_hash = token_hash(token)
    invite.invited_by = actor
    invite.created_at = now
    invite.expires_at = expires
    invite.save()
    return token


def _mail_invitation(
    *, actor: User, project: Project, email: str, subject: str, link: str, expires: datetime
) -> None:
    """Queue the invitation mail to ``email`` (sent once the transaction commits)."""
    mail_enqueue(
        kind="project_invite",
        to=email,
        subject=subject,
        template="tracker_projects/email/invite",
        context={
            "project": project.name,
            "inviter": display_name(actor),
            "inviter_email": email_of(actor),
            "link": link,
            "expires_at": expires,
        },
    )


def _announce_on_commit(invite: Invite, actor: User) -> None:
    """Hosts hear ``invite_sent`` for ``invite`` once the transaction commits."""
    transaction.on_commit(lambda: signals.invite_sent.send(sender=Invite, invite=invite, actor=actor))


def _send_invitations(actor: User, project: Project, emails: list[str], now: datetime) -> list[Invited]:
    """Store (or re-issue) an invite for each of ``emails``, queue its mail and announce it on
    commit; returns the batch's ``invited`` items."""
    pending = _pending_by_email(project, emails)
    expires = now + app_settings.INVITE_TTL
    subject = _invite_subject(actor, project)
    invited: list[Invited] = []
    for email in emails:
        invite = pending.get(email) or Invite(project=project, email=email)
        token = _issue(invite, actor, now, expires)
        link = invite_link(token)
        _mail_invitation(
            actor=actor, project=project, email=email, subject=subject, link=link, expires=expires
        )
        invited.append({"email": email, "expires_at": expires})
        _announce_on_commit(invite, actor)
    return invited


def _record_sent(actor: User, project: Project, emails: list[str], now: datetime, *, trusted: bool) -> None:
    """The mails sent count against the budgets and the cooldown (``InviteMail``); the
    project's history gets an ``invite.sent`` entry for each address."""
    InviteMail.objects.bulk_create(
        InviteMail(
            inviter=actor,
            project=project,
            email=email,
            mailbox=mailbox_of(email),
            by_new_inviter=not trusted,
            sent_at=now,
        )
        for email in emails
    )
    activity.record_many(
        ActivityVerb.INVITE_SENT,
        project_id=project.pk,
        actor=actor,
        targets=[activity.invite_target(email) for email in emails],
    )


@transaction.atomic
def invite_send(*, actor: User, project_slug: str, emails: list[str]) -> InviteBatch:
    """Invite each address (all recorded or none). A pending invite gets a fresh token.

    Skipped: members (``already_member``) and addresses mailed an invitation to this project
    within the cooldown (``recently_invited``, token unchanged). The mails to send must fit the
    inviter's budgets (:func:`_ensure_budget`), or the whole request is 429 and nothing is stored."""
    project = project_for_update(user=actor, slug=project_slug)
    permissions.ensure_project_manager(project, actor)
    addresses = list(dict.fromkeys(normalize_email(e) for e in emails))
    _refuse_ambiguous(addresses)
    now = timezone.now()
    to_send, skipped = _sort_addresses(project, addresses, now)
    trusted = is_trusted_inviter(actor)
    if to_send:
        _ensure_budget(actor, trusted, len(to_send), now)
    batch = InviteBatch(invited=_send_invitations(actor, project, to_send, now), skipped=skipped)
    _record_sent(actor, project, to_send, now, trusted=trusted)
    if to_send:
        cache.bump_on_commit(projects=[project.slug])  # its invitations and its history
    log_event(
        "invite_sent",
        actor_id=actor.pk,
        project=project.slug,
        invited=len(batch.invited),
        skipped=len(batch.skipped),
    )
    return batch


@transaction.atomic
def invite_revoke(*, actor: User, project_slug: str, invite_id: int) -> None:
    project = project_for_update(user=actor, slug=project_slug)
    permissions.ensure_project_manager(project, actor)
    ensure_db_id(invite_id, "Invitation")
    invite = Invite.objects.select_for_update().filter(project=project, pk=invite_id).first()
    if invite is None:
        raise NotFound("Invitation not found.")
    if invite.status_at(timezone.now()) != InviteStatus.PENDING:
        raise Conflict(error=codes.INVITE_NOT_PENDING)
    invite.status = InviteStatus.REVOKED
    invite.save(update_fields=["status"])
    activity.record(
        ActivityVerb.INVITE_REVOKED,
        project_id=project.pk,
        actor=actor,
        target=activity.invite_target(invite.email),
    )
    cache.bump_on_commit(projects=[project.slug])
    log_event("invite_revoked", actor_id=actor.pk, project=project.slug, invite_id=invite.pk)


def _usable(raw_token: str, *, lock: bool) -> Invite:
    qs = Invite.objects.filter(token_hash=token_hash(raw_token)).select_related("project", "invited_by")
    if lock:
        qs = qs.select_for_update(of=("self",))
    invite = qs.first()
    if invite is None or invite.project.deleted_at is not None:
        raise InviteNotFound()
    status = invite.status_at(timezone.now())
    if status in GONE:
        raise InviteGone(error=GONE[InviteStatus(status)])
    return invite


def invite_lookup(*, token: str) -> tuple[Invite, bool]:
    invite = _usable(token, lock=False)
    return invite, users_with_email(invite.email).exists()


@dataclass
class Acceptance:
    project: Project
    new_user: User | None


@transaction.atomic
def invite_accept(
    *, token: str, caller: User | None, password: str | None, first_name: str, last_name: str
) -> Acceptance:
    """Accept once: the invite row is locked, so a concurrent second accept sees it used.

    Locks are taken in the order of every other invite writer (send, revoke): the project
    row, then the invite row. Locking the invite first deadlocked against them, as adding
    the membership needs a key-share lock on the project row they hold.
    """
    found = _usable(token, lock=False)
    Project.all_objects.select_for_update().filter(pk=found.project_id).values_list("pk", flat=True).first()
    invite = _usable(token, lock=True)  # re-read under the lock: it may have changed meanwhile
    existing = user_for_email(invite.email)
    new_user = None
    if existing is not None:
        if caller is None:
            raise LoginRequired()
        if caller.pk != existing.pk:
            raise InviteEmailMismatch()
        user = existing
    else:
        if not password:
            raise InvalidInput.for_field("password", "A password is required to create the account.")
        user = user_create(
            email=invite.email,
            password=password,
            first_name=first_name,
            last_name=last_name,
            role=Role.MEMBER,
            via="invite",
        )
        new_user = user
    membership_add(project=invite.project, user=user, via="invite")
    invite.status = InviteStatus.ACCEPTED
    invite.accepted_at = timezone.now()
    invite.accepted_by = user
    invite.save(update_fields=["status", "accepted_at", "accepted_by"])
    log_event(
        "invite_accepted",
        actor_id=user.pk,
        project=invite.project.slug,
        invite_id=invite.pk,
        new_account=new_user is not None,
    )
    return Acceptance(project=invite.project, new_user=new_user)


def invite_accept_signing_in(*, token: str, password: str, ip: str) -> Acceptance:
    """Accept as the account of the invited address, signed in with its password: for a page
    with no bearer token at hand. The password is checked by the API's login, under its
    lockout (:class:`~tracker_accounts.errors.RateLimited` after too many failures,
    ``InvalidCredentials`` for a wrong one); an unusable invite fails before any check."""
    invite = _usable(token, lock=False)
    user = login(email=invite.email, password=password, ip=ip)
    return invite_accept(token=token, caller=user, password=None, first_name="", last_name="")
