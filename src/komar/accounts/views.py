from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from komar.accounts import selectors, services
from komar.accounts.access import permission_required
from komar.accounts.forms import MemberInviteForm, MemberRoleForm, TokenCreateForm
from komar.accounts.permissions import can_manage_members, perms_of
from komar.accounts.roles import Perm
from komar.core.access import public
from komar.core.forms import save_with
from komar.core.panels import render_panels
from komar.organisations.models import Organisation
from komar.organisations.selectors import organisation_get


@public
@require_POST
def set_language_view(request: HttpRequest) -> HttpResponse:
    """Django's language switch, plus remembering the choice on the signed-in user."""
    response = set_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated and response.cookies.get("komar_language"):
        services.user_set_language(user=request.user, language=language)
    return response


@permission_required(Perm.DASHBOARD_VIEW)
def dashboard(request: HttpRequest) -> HttpResponse:
    memberships = list(selectors.memberships_of(request.user))  # type: ignore[arg-type]
    perms = perms_of(request.user)
    return render(
        request,
        "accounts/dashboard.html",
        {
            "memberships": memberships,
            "perms": perms,
            "Perm": Perm,
            "panels": render_panels("dashboard", request, None),
        },
    )


def _organisation_for_members(request: HttpRequest, slug: str) -> Organisation:
    organisation = organisation_get(slug)
    if not can_manage_members(request.user, organisation.pk):
        raise PermissionDenied
    return organisation


@permission_required(Perm.MEMBERS_MANAGE_OWN)
def members(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = _organisation_for_members(request, slug)
    form = MemberInviteForm(request.POST or None)
    if request.method == "POST":
        invited = save_with(
            form,
            lambda: services.member_invite(
                actor=request.user, organisation=organisation, **form.cleaned_data
            ),
        )
        if invited:
            messages.success(request, _("Invitation sent to %(email)s.") % form.cleaned_data)
            return redirect("members", slug=slug)
    return render(
        request,
        "accounts/members.html",
        {
            "organisation": organisation,
            "members": selectors.members_of(organisation),
            "form": form,
            "role_form": MemberRoleForm(),
        },
    )


@permission_required(Perm.MEMBERS_MANAGE_OWN)
@require_POST
def member_update(request: HttpRequest, slug: str, membership_id: int) -> HttpResponse:
    organisation = _organisation_for_members(request, slug)
    membership = selectors.membership_get(organisation, membership_id)
    try:
        if request.POST.get("action") == "remove":
            services.membership_remove(actor=request.user, membership=membership)
            messages.success(request, _("Member removed."))
        else:
            form = MemberRoleForm(request.POST)
            if not form.is_valid():
                raise ValidationError(list(form.errors["role"]))
            services.membership_change_role(
                actor=request.user, membership=membership, role=form.cleaned_data["role"]
            )
            messages.success(request, _("Role changed."))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    return redirect("members", slug=slug)


@permission_required(Perm.API_TOKENS_MANAGE)
def tokens(request: HttpRequest) -> HttpResponse:
    form = TokenCreateForm(request.POST or None)
    new_secret = None
    if request.method == "POST" and form.is_valid():
        _token, new_secret = services.token_create(
            user=request.user,  # type: ignore[arg-type]
            name=form.cleaned_data["name"],
            expires_in_days=form.cleaned_data["expires_in_days"],
        )
        form = TokenCreateForm()
    return render(
        request,
        "accounts/tokens.html",
        {
            "form": form,
            "tokens": selectors.tokens_of(request.user),  # type: ignore[arg-type]
            "new_secret": new_secret,
        },
    )


@permission_required(Perm.API_TOKENS_MANAGE)
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponseRedirect:
    token = selectors.token_get_for(request.user, token_id)  # type: ignore[arg-type]
    services.token_revoke(actor=request.user, token=token)  # type: ignore[arg-type]
    messages.success(request, _("Token revoked."))
    return redirect("tokens")
