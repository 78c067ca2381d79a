"""Safeguarding referrals: readable only by the focal point and SAFEGUARDING holders (404 for
everyone else, so their existence is not revealed)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from komar.accounts.access import permission_required
from komar.accounts.roles import Perm
from komar.core.access import signed_in
from komar.core.forms import save_with
from komar.core.pagination import paginate
from komar.participation import selectors, services
from komar.participation.forms import FocalPointForm, ReferralEntryForm
from komar.participation.models import SafeguardingReferral


@signed_in
def referral_list(request: HttpRequest) -> HttpResponse:
    referrals = selectors.referrals_visible_to(user=request.user)
    context = {
        "page": paginate(request, referrals),
        "settings_row": selectors.safeguarding_settings(),
    }
    return render(request, "participation/referral_list.html", context)


@signed_in
def referral_detail(request: HttpRequest, pk: int) -> HttpResponse:
    referral = selectors.referral_get_for(user=request.user, pk=pk)
    form = ReferralEntryForm(
        request.POST or None,
        initial={"acted_on": timezone.localdate(), "status": referral.status},
    )
    if request.method == "POST":
        saved = save_with(
            form,
            lambda: services.referral_add_entry(
                actor=request.user,
                referral=referral,
                acted_on=form.cleaned_data["acted_on"],
                action=form.cleaned_data["action"],
                status=form.cleaned_data["status"],
                closing_note=form.cleaned_data["closing_note"],
            ),
        )
        if saved is not None:
            messages.success(request, _("Follow-up recorded."))
            return redirect("participation_referral", pk=pk)
    context = {
        "referral": referral,
        "form": form if referral.status != SafeguardingReferral.Status.CLOSED else None,
        "settings_row": selectors.safeguarding_settings(),
    }
    return render(
        request, "participation/referral_detail.html", context, status=400 if form.errors else 200
    )


@permission_required(Perm.SAFEGUARDING)
def focal_point_settings(request: HttpRequest) -> HttpResponse:
    row = selectors.safeguarding_settings()
    form = FocalPointForm(request.POST or None, initial={"focal_point": row.focal_point_id})
    if request.method == "POST":
        saved = save_with(
            form,
            lambda: services.focal_point_set(
                actor=request.user, user=form.cleaned_data["focal_point"]
            ),
        )
        if saved is not None:
            messages.success(request, _("Saved."))
            return redirect("participation_referrals")
    context = {"form": form, "settings_row": row}
    return render(
        request, "participation/focal_point.html", context, status=400 if form.errors else 200
    )
