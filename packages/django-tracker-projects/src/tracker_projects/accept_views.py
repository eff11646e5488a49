"""The invitation accept page: server-rendered, working without JavaScript.

Mounted by a host with one line (:mod:`tracker_projects.accept_urls`). It calls the services
the API's invitation endpoints call, never the API over HTTP:

- GET shows the project, who invited, the invited address and the expiry, and a form: for a
  new address names and a password twice, for an address with an account its password.
- POST (CSRF protected) accepts: a new account is made (the site's password validators), or
  the existing one signs in through the API's login and its lockout (429 with ``Retry-After``
  after too many failures). Then "You joined <project>", with a link to the project's page
  (``TRACKER_PROJECTS_PROJECT_URL``). Form errors (422) are shown next to their fields.
- An unknown token, or one of a deleted project, is 404; an expired, used or revoked one 410.

Templates (override them in the host's templates): ``tracker_projects/accept/form.html``,
``done.html`` and ``unavailable.html``, all extending ``tracker_projects/accept/base.html``.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods

from tracker_accounts.conf import app_settings as accounts_settings
from tracker_accounts.errors import ApiError, Conflict, InvalidInput, RateLimited
from tracker_accounts.ratelimit import client_ip
from tracker_accounts.services import InvalidCredentials
from tracker_accounts.users import display_name, email_of

from . import invites
from .accept_forms import AcceptForm, ExistingAccountForm, NewAccountForm
from .invites import Acceptance, InviteGone, InviteNotFound, LoginRequired
from .links import project_url
from .models import Invite

TEMPLATES = "tracker_projects/accept/"
UNAVAILABLE = {  # the error's code: the page's heading and what to do
    "invite_not_found": ("This invitation link is not valid.", "Check that the whole link was opened."),
    "invite_expired": ("This invitation has expired.", "Ask the person who invited you for a new one."),
    "invite_used": ("This invitation has been used already.", "Sign in with the account that accepted it."),
    "invite_revoked": (
        "This invitation was withdrawn.",
        "Ask the person who invited you if that is a mistake.",
    ),
}


def _page(request: HttpRequest, template: str, context: dict[str, object], status: int = 200) -> HttpResponse:
    context = {"site_name": accounts_settings.SITE_NAME, **context}
    response = render(request, TEMPLATES + template, context, status=status)
    response["Referrer-Policy"] = "no-referrer"  # the token is in the address
    return response


def _unavailable(request: HttpRequest, error: ApiError) -> HttpResponse:
    heading, advice = UNAVAILABLE.get(error.code, (error.detail, ""))
    context: dict[str, object] = {"code": error.code, "heading": heading, "advice": advice}
    return _page(request, "unavailable.html", context, status=error.status)


def _form_page(
    request: HttpRequest, invite: Invite, form: AcceptForm, status: int = 200, problem: str = ""
) -> HttpResponse:
    form.describe_errors()
    context = {
        "invite": invite,
        "project_name": invite.project.name,
        "inviter": display_name(invite.invited_by),
        "inviter_email": email_of(invite.invited_by),
        "form": form,
        "account_exists": isinstance(form, ExistingAccountForm),
        "problem": problem,
    }
    return _page(request, "form.html", context, status=status)


def _accepted(request: HttpRequest, done: Acceptance, email: str) -> HttpResponse:
    project = done.project
    context = {
        "project_name": project.name,
        "project_link": project_url(project_slug=project.slug),
        "new_account": done.new_user is not None,
        "email": email,
    }
    return _page(request, "done.html", context)


def _accept(request: HttpRequest, token: str, form: AcceptForm) -> Acceptance:
    """Call the service that accepts with the form's valid data."""
    data = form.cleaned_data
    if isinstance(form, ExistingAccountForm):
        ip = client_ip(request.META, accounts_settings.TRUSTED_PROXY_COUNT)
        return invites.invite_accept_signing_in(token=token, password=data["password"], ip=ip)
    return invites.invite_accept(
        token=token,
        caller=None,
        password=data["password"],
        first_name=data["first_name"],
        last_name=data["last_name"],
    )


def _post(request: HttpRequest, token: str, invite: Invite, account_exists: bool) -> HttpResponse:
    form: AcceptForm = ExistingAccountForm(request.POST) if account_exists else NewAccountForm(request.POST)
    if not form.is_valid():
        return _form_page(request, invite, form, status=422)
    try:
        return _accepted(request, _accept(request, token, form), invite.email)
    except (InvalidInput, InvalidCredentials) as error:
        form.add_api_errors(error.errors or [{"field": "password", "message": error.detail}])
        return _form_page(request, invite, form, status=422)
    except RateLimited as error:
        response = _form_page(request, invite, form, status=429, problem=error.detail)
        response["Retry-After"] = str(error.retry_after)
        return response
    except (Conflict, LoginRequired) as error:  # an account for the address was made meanwhile
        invite, account_exists = invites.invite_lookup(token=token)
        fresh = ExistingAccountForm() if account_exists else NewAccountForm()
        return _form_page(request, invite, fresh, status=409, problem=error.detail)


@never_cache
@csrf_protect
@require_http_methods(["GET", "HEAD", "POST"])
def invite_accept_page(request: HttpRequest, token: str) -> HttpResponse:
    """The page an invitation mail links to: look, then accept."""
    try:
        invite, account_exists = invites.invite_lookup(token=token)
        if request.method == "POST":
            return _post(request, token, invite, account_exists)
        return _form_page(request, invite, ExistingAccountForm() if account_exists else NewAccountForm())
    except (InviteNotFound, InviteGone) as error:
        return _unavailable(request, error)
