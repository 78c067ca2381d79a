"""Follow-up of an item: actions, assessments on their way from draft to published, their
evidence, and the review queue. Every assessment is found through
`selectors.assessment_get_for`, so one the user may not see is a 404; the services decide who
may change what."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from komar.accounts.access import permission_required
from komar.accounts.permissions import has_perm
from komar.accounts.roles import Perm
from komar.commitments import selectors, services
from komar.commitments.forms import (
    ActionForm,
    ActionStatusForm,
    AssessmentEditForm,
    AssessmentForm,
    EvidenceForm,
    MoveForm,
)
from komar.commitments.models import Action, Assessment, AssessmentState, Perspective
from komar.commitments.permissions import assessor_org_ids, can_edit_assessment
from komar.commitments.views.items import act_on_item
from komar.core.access import ViewFunc, guarded
from komar.core.forms import save_with

VIEW = Perm.COMMITMENTS_VIEW


def _any_of(*perms: str) -> Any:
    def check(user: Any, _permission: str) -> bool:
        return any(has_perm(user, p) for p in perms)

    return check


def assess_required(view: ViewFunc) -> ViewFunc:
    """Holders of either assessing permission; the services decide for which organisation and
    perspective."""
    check = _any_of(Perm.ASSESS_COALITION, Perm.ASSESS_GOVERNMENT)
    return guarded(f"{Perm.ASSESS_COALITION} | {Perm.ASSESS_GOVERNMENT}", check)(view)


def review_required(view: ViewFunc) -> ViewFunc:
    check = _any_of(Perm.COMMITMENTS_VALIDATE, Perm.COMMITMENTS_PUBLISH)
    return guarded(f"{Perm.COMMITMENTS_VALIDATE} | {Perm.COMMITMENTS_PUBLISH}", check)(view)


# Actions -------------------------------------------------------------------------------------


@require_POST
@assess_required
def action_add(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.item_get_for(user=request.user, pk=pk)
    form = ActionForm(request.POST, org_ids=assessor_org_ids(request.user))
    return act_on_item(
        request,
        item,
        form,
        "action_form",
        lambda: services.action_create(
            actor=request.user,
            item=item,
            description=form.cleaned_data["description"],
            status=form.cleaned_data["status"],
            organisation_id=form.organisation_id(),
            starts_on=form.cleaned_data["starts_on"],
            due_on=form.cleaned_data["due_on"],
        ),
        _("Action recorded."),
    )


@require_POST
@assess_required
def action_status(request: HttpRequest, action_id: int) -> HttpResponse:
    action = get_object_or_404(Action.objects.select_related("item"), pk=action_id)
    item = selectors.item_get_for(user=request.user, pk=action.item_id)
    form = ActionStatusForm(request.POST)
    return act_on_item(
        request,
        item,
        form,
        "action_status_form",
        lambda: services.action_set_status(
            actor=request.user, action=action, status=form.cleaned_data["status"]
        ),
        _("Action status changed."),
    )


# Assessments ---------------------------------------------------------------------------------


def _perspectives(user: Any) -> list[str]:
    return [p for p in Perspective.values if assessor_org_ids(user, p)]


@assess_required
def assessment_add(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.item_get_for(user=request.user, pk=pk)
    form = AssessmentForm(
        request.POST or None,
        perspectives=_perspectives(request.user),
        org_ids=assessor_org_ids(request.user),
    )
    if request.method == "POST":

        def call() -> Assessment:
            d = form.cleaned_data
            return services.assessment_create(
                actor=request.user,
                item=item,
                perspective=d["perspective"],
                status=d["status"],
                assessed_on=d["assessed_on"],
                summary_en=d["summary_en"],
                summary_km=d["summary_km"],
                organisation_id=form.organisation_id(),
            )

        assessment = save_with(form, call)
        if assessment is not None:
            messages.success(
                request, _("Draft assessment saved. Add evidence, then submit it for review.")
            )
            return redirect("commitments_assessment", aid=assessment.pk)
    response = render(
        request,
        "commitments/assessment.html",
        {"item": item, "assessment": None, "new_form": form},
    )
    if request.method == "POST":
        response.status_code = 400
    return response


def _may_add_evidence(user: Any, a: Assessment) -> bool:
    """As services.evidence_add decides: the recording organisation, before publication."""
    return can_edit_assessment(user, a) or (
        a.state != AssessmentState.PUBLISHED
        and a.organisation_id in assessor_org_ids(user, a.perspective)
    )


def _moves(user: Any, a: Assessment) -> list[tuple[str, str]]:
    """The steps this user may take the assessment through now."""
    moves = []
    if can_edit_assessment(user, a):
        moves.append(("submit", _("Submit for review")))
    if a.state == AssessmentState.SUBMITTED and has_perm(user, Perm.COMMITMENTS_VALIDATE):
        moves += [("validate", _("Validate")), ("return", _("Return to its authors"))]
    if a.state == AssessmentState.VALIDATED and has_perm(user, Perm.COMMITMENTS_PUBLISH):
        moves.append(("publish", _("Publish")))
    return moves


def _assessment_page(
    request: HttpRequest, a: Assessment, status: int = 200, **forms_: forms.BaseForm
) -> HttpResponse:
    user = request.user
    context: dict[str, Any] = {
        "assessment": a,
        "item": a.item,
        "evidence": selectors.evidence_for(user=user, assessments=[a])[a.pk],
        "moves": _moves(user, a),
    }
    if can_edit_assessment(user, a) and not a.item.is_archived:
        context["edit_form"] = forms_.get("edit_form") or AssessmentEditForm(
            instance=Assessment.objects.get(pk=a.pk)
        )
    if _may_add_evidence(user, a) and not a.item.is_archived:
        context["evidence_form"] = forms_.get("evidence_form") or EvidenceForm()
    if status >= 400:
        context["failed_form"] = next(iter(forms_.values()), None)
    response = render(request, "commitments/assessment.html", context)
    response.status_code = status
    return response


@permission_required(VIEW)
def assessment_detail(request: HttpRequest, aid: int) -> HttpResponse:
    a = selectors.assessment_get_for(user=request.user, pk=aid)
    if request.method != "POST":
        return _assessment_page(request, a)
    # The instance is a copy: the service compares before and after.
    form = AssessmentEditForm(request.POST, instance=Assessment.objects.get(pk=a.pk))

    def call() -> Assessment:
        return services.assessment_update(actor=request.user, assessment=a, data=form.cleaned_data)

    if save_with(form, call) is not None:
        messages.success(request, _("Assessment saved."))
        return redirect("commitments_assessment", aid=a.pk)
    return _assessment_page(request, a, status=400, edit_form=form)


MOVES = {
    "submit": (services.assessment_submit, _("Submitted for review.")),
    "return": (services.assessment_return, _("Returned to its authors as a draft.")),
    "validate": (services.assessment_validate, _("Validated.")),
    "publish": (services.assessment_publish, _("Published.")),
}


def _next_or(request: HttpRequest, fallback: str) -> HttpResponse:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return HttpResponseRedirect(target)
    return HttpResponseRedirect(fallback)


@require_POST
@assess_required
def assessment_move(request: HttpRequest, aid: int) -> HttpResponse:
    a = selectors.assessment_get_for(user=request.user, pk=aid)
    form = MoveForm(request.POST)
    if not form.is_valid():
        return _assessment_page(request, a, status=400, move_form=form)
    step, done = MOVES[form.cleaned_data["to"]]
    try:
        step(actor=request.user, assessment=a)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, str(done))
    return _next_or(request, reverse("commitments_item", args=[a.item_id]))


@require_POST
@assess_required
def evidence_add(request: HttpRequest, aid: int) -> HttpResponse:
    a = selectors.assessment_get_for(user=request.user, pk=aid)
    form = EvidenceForm(request.POST, request.FILES)

    def call() -> Any:
        d = form.cleaned_data
        return services.evidence_add(
            actor=request.user,
            assessment=a,
            title=d["title"],
            tier=d["tier"],
            file=d.get("file"),
            url=d.get("url") or "",
        )

    if save_with(form, call) is not None:
        messages.success(request, _("Evidence added."))
        return redirect("commitments_assessment", aid=a.pk)
    return _assessment_page(request, a, status=400, evidence_form=form)


@permission_required(VIEW)
def evidence_download(request: HttpRequest, eid: int) -> HttpResponse:
    """The evidence file (or its link) for those who may see it; 404 for anyone else. Never
    kept by a shared cache."""
    evidence = selectors.evidence_get_for(user=request.user, pk=eid)
    if not evidence.file:
        response = HttpResponseRedirect(evidence.url)
        response["Cache-Control"] = "private, no-store"
        return response
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    download = FileResponse(handle, as_attachment=True, filename=Path(evidence.file.name).name)
    download["Cache-Control"] = "private, no-store"
    return download  # type: ignore[return-value]


# The review queue ----------------------------------------------------------------------------

REVIEW_LIMIT = 200


@review_required
def review(request: HttpRequest) -> HttpResponse:
    queue = selectors.review_queue(user=request.user)
    context = {
        "to_validate": list(queue["to_validate"][:REVIEW_LIMIT]),
        "to_publish": list(queue["to_publish"][:REVIEW_LIMIT]),
        "can_validate": has_perm(request.user, Perm.COMMITMENTS_VALIDATE),
        "can_publish": has_perm(request.user, Perm.COMMITMENTS_PUBLISH),
        "limit": REVIEW_LIMIT,
    }
    return render(request, "commitments/review.html", context)
