"""Endorsing: the endorse form, withdraw and reconfirm, and the secretariat's management page
(approve or reject, order within a group)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from komar.accounts.access import permission_required
from komar.accounts.roles import Perm
from komar.core.forms import save_with
from komar.statements import permissions as perms
from komar.statements import selectors, services
from komar.statements.forms import EndorseForm, OrderForm
from komar.statements.models import Endorsement, Statement
from komar.statements.views.drafting import _refused

ENDORSE = Perm.STATEMENTS_ENDORSE
MANAGE = Perm.STATEMENTS_MANAGE


@permission_required(ENDORSE)
def endorse(request: HttpRequest, slug: str) -> HttpResponse:
    statement = selectors.statement_get_for(user=request.user, slug=slug)
    org_ids = perms.endorsing_org_ids(request.user) - selectors.live_endorsement_org_ids(statement)
    form = EndorseForm(request.POST or None, org_ids=org_ids)
    if request.method == "POST":

        def call() -> Endorsement:
            data = form.cleaned_data
            return services.endorse(
                actor=request.user,
                statement=statement,
                organisation_id=data["organisation"].pk,
                role=data["role"],
                note_en=data["note_en"],
                note_km=data["note_km"],
                anonymous=data["anonymous"],
            )

        endorsement = save_with(form, call)
        if endorsement is not None:
            messages.success(
                request,
                _(
                    "Thank you. The endorsement of %(organisation)s awaits the approval of the "
                    "secretariat."
                )
                % {"organisation": endorsement.organisation.name},
            )
            return redirect("statement_detail", slug=statement.slug)
    context = {
        "statement": statement,
        "form": form,
        "is_open": statement.status == Statement.Status.OPEN,
    }
    response = render(request, "statements/endorse.html", context)
    if request.method == "POST":
        response.status_code = 400
    return response


def _own(request: HttpRequest, pk: int) -> Endorsement:
    return selectors.endorsement_get_for(user=request.user, pk=pk)


@require_POST
@permission_required(ENDORSE)
def endorsement_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    endorsement = _own(request, pk)
    try:
        services.endorsement_withdraw(actor=request.user, endorsement=endorsement)
    except ValidationError as exc:
        return _refused(request, endorsement.statement, exc)
    messages.success(request, _("The endorsement is withdrawn."))
    return redirect("statement_detail", slug=endorsement.statement.slug)


@require_POST
@permission_required(ENDORSE)
def endorsement_reconfirm(request: HttpRequest, pk: int) -> HttpResponse:
    endorsement = _own(request, pk)
    try:
        services.endorsement_reconfirm(actor=request.user, endorsement=endorsement)
    except ValidationError as exc:
        return _refused(request, endorsement.statement, exc)
    messages.success(request, _("The endorsement now stands for the current version."))
    return redirect("statement_detail", slug=endorsement.statement.slug)


@permission_required(MANAGE)
def statement_manage(request: HttpRequest, slug: str) -> HttpResponse:
    statement = selectors.statement_get_for(user=request.user, slug=slug)
    rows = selectors.endorsements_for_management(statement)
    context = {
        "statement": statement,
        "endorsements": rows,
        "pending": sum(1 for e in rows if e.status == Endorsement.Status.PENDING),
        "can_publish": perms.can_publish(request.user, statement),
        "groups": selectors.signatories(statement),
    }
    return render(request, "statements/manage.html", context)


@require_POST
@permission_required(MANAGE)
def endorsement_decide(request: HttpRequest, pk: int) -> HttpResponse:
    endorsement = selectors.endorsement_get_for(user=request.user, pk=pk, manage=True)
    decision = request.POST.get("decision")
    if decision not in ("approve", "reject"):
        raise Http404
    try:
        services.endorsement_decide(
            actor=request.user, endorsement=endorsement, approve=decision == "approve"
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Decision recorded."))
    return redirect("statement_manage", slug=endorsement.statement.slug)


@require_POST
@permission_required(MANAGE)
def endorsement_move(request: HttpRequest, pk: int) -> HttpResponse:
    """Move an endorsement one place up or down within its role group."""
    endorsement = selectors.endorsement_get_for(user=request.user, pk=pk, manage=True)
    form = OrderForm(request.POST)
    statement = endorsement.statement
    if form.is_valid():
        group = [
            e.pk
            for e in selectors.endorsements_for_management(statement)
            if e.role == endorsement.role and e.status in selectors.LIVE
        ]
        if endorsement.pk in group:
            i = group.index(endorsement.pk)
            j = i - 1 if form.cleaned_data["direction"] == "up" else i + 1
            if 0 <= j < len(group):
                group[i], group[j] = group[j], group[i]
            try:
                services.endorsement_reorder(
                    actor=request.user,
                    statement=statement,
                    role=endorsement.role,
                    endorsement_ids=group,
                )
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
    return redirect("statement_manage", slug=statement.slug)
