"""One case: the record, its timeline and casework. Every view finds the case through
`selectors.case_get_for`, so a case the user may not see is a 404, whatever they try."""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from komar.accounts.access import permission_required
from komar.accounts.roles import Perm
from komar.cases import deadlines, selectors, services
from komar.cases.forms import (
    CaseEditForm,
    CloseForm,
    ConsentForm,
    ConsentWithdrawForm,
    EventDeleteForm,
    EventForm,
    IdentityEditForm,
    NoteForm,
    ReferralAnswerForm,
    ReferralForm,
    ReopenForm,
    RevealForm,
    ServiceForm,
)
from komar.cases.models import Case, ChildIdentity, LegalStatus, Referral
from komar.cases.permissions import CaseAccess
from komar.core.forms import add_service_errors
from komar.core.pagination import paginate

VIEW = Perm.CHILD_RECORDS_VIEW


def _case(request: HttpRequest, code: str, *, log: bool = False) -> tuple[Case, CaseAccess]:
    return selectors.case_get_for(user=request.user, code=code, log=log)


def _editable(request: HttpRequest, code: str) -> tuple[Case, CaseAccess]:
    case, access = _case(request, code)
    if not access.can_edit:
        raise PermissionDenied
    return case, access


def _ages(case: Case) -> dict[str, Any]:
    """Age at the offence, and roughly today, without decrypting the identity."""
    if case.age_at_offence is None:
        return {}
    offence = case.offence_date or (case.detained_since or case.opened_on)
    years = deadlines.age_on(offence, timezone.localdate())
    return {"at_offence": case.age_at_offence, "about_now": case.age_at_offence + years}


def _periods(case: Case) -> list[dict[str, Any]]:
    events = [deadlines.Event.of(e) for e in case.events.all()]
    try:
        ev = deadlines.evaluate(
            events,
            rules=services.rules_for(case.ruleset),
            age_at_offence=case.age_at_offence,
            today=timezone.localdate(),
        )
    except deadlines.TimelineError:
        return []
    totals = deadlines.time_in_status(ev.periods, timezone.now())
    return [
        {"status": LegalStatus(status).label, "days": span.days, "hours": span.seconds // 3600}
        for status, span in totals.items()
    ]


def _detail_context(
    request: HttpRequest, case: Case, access: CaseAccess, **forms_: Any
) -> dict[str, Any]:
    now = timezone.now()
    band = deadlines.band_of(case.deadline_at, now)
    left: dict[str, Any] = {}
    if case.deadline_at:
        delta = case.deadline_at - now
        span = abs(delta)
        left = {
            "past": delta.total_seconds() <= 0,
            "hours": int(span.total_seconds() // 3600) if span < dt.timedelta(days=2) else None,
            "days": span.days,
        }
    context: dict[str, Any] = {
        "case": case,
        "access": access,
        "today": timezone.localdate(now),
        "band": band,
        "left": left,
        "ages": _ages(case),
        "periods": _periods(case) if access.sees_timeline else [],
        "events": case.events.select_related("place") if access.sees_timeline else [],
        "consents": case.consents.all() if access.owner else [],
        "services_provided": case.services.select_related("organisation")
        if access.sees_services
        else [],
        "notes": case.notes.select_related("author")[:50] if access.sees_notes else [],
        "referrals": case.referrals.select_related("to_organisation") if access.owner else [],
        "reveal_form": RevealForm(),
    }
    if access.can_edit:
        context.update(
            event_form=forms_.get("event_form")
            or EventForm(initial={"version": case.version, "date": timezone.localdate()}),
            note_form=forms_.get("note_form") or NoteForm(),
            consent_form=forms_.get("consent_form") or ConsentForm(),
            referral_form=forms_.get("referral_form") or ReferralForm(case=case),
            close_form=forms_.get("close_form") or CloseForm(initial={"version": case.version}),
            reopen_form=forms_.get("reopen_form") or ReopenForm(initial={"version": case.version}),
        )
    if access.can_record_service:
        context["service_form"] = forms_.get("service_form") or ServiceForm()
    if access.can_answer_referral:
        context["answer_form"] = forms_.get("answer_form") or ReferralAnswerForm()
    return context


@permission_required(VIEW)
def case_detail(request: HttpRequest, code: str) -> HttpResponse:
    case, access = _case(request, code, log=True)
    return render(request, "cases/detail.html", _detail_context(request, case, access))


def _rerender(
    request: HttpRequest, code: str, form_name: str, form: forms.Form, status: int = 400
) -> HttpResponse:
    case, access = _case(request, code)
    context = _detail_context(request, case, access, **{form_name: form})
    context["failed_form"] = form
    response = render(request, "cases/detail.html", context)
    response.status_code = status
    return response


def _act(
    request: HttpRequest,
    code: str,
    form: forms.Form,
    form_name: str,
    call: Callable[[], Any],
    success: str,
) -> HttpResponse:
    """Validate `form`, run the service; on success back to the case, else the case page with
    the form's errors (400, or 409 when someone else changed the case meanwhile)."""
    if form.is_valid():
        try:
            call()
        except services.ConcurrentEdit as exc:
            add_service_errors(form, exc)
            return _rerender(request, code, form_name, form, status=409)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, success)
            return redirect("case_detail", code=code)
    return _rerender(request, code, form_name, form)


@require_POST
@permission_required(VIEW)
def event_add(request: HttpRequest, code: str) -> HttpResponse:
    case, _access = _editable(request, code)
    form = EventForm(request.POST)
    return _act(
        request,
        code,
        form,
        "event_form",
        lambda: services.event_add(
            actor=request.user,
            case=case,
            expected_version=form.cleaned_data["version"],
            data=form.event_data(),
        ),
        _("Event recorded. The deadline was recomputed."),
    )


@require_POST
@permission_required(VIEW)
def event_delete(request: HttpRequest, code: str, event_id: int) -> HttpResponse:
    case, _access = _editable(request, code)
    form = EventDeleteForm(request.POST)
    return _act(
        request,
        code,
        form,
        "delete_form",
        lambda: services.event_delete(
            actor=request.user,
            case=case,
            event_id=event_id,
            expected_version=form.cleaned_data["version"],
            reason=form.cleaned_data["reason"],
        ),
        _("Event removed."),
    )


@require_POST
@permission_required(VIEW)
def note_add(request: HttpRequest, code: str) -> HttpResponse:
    case, _access = _editable(request, code)
    form = NoteForm(request.POST)
    return _act(
        request,
        code,
        form,
        "note_form",
        lambda: services.note_add(actor=request.user, case=case, text=form.cleaned_data["text"]),
        _("Note saved."),
    )


@require_POST
@permission_required(VIEW)
def consent_add(request: HttpRequest, code: str) -> HttpResponse:
    case, _access = _editable(request, code)
    form = ConsentForm(request.POST)
    return _act(
        request,
        code,
        form,
        "consent_form",
        lambda: services.consent_record(actor=request.user, case=case, data=form.cleaned_data),
        _("Consent recorded."),
    )


@require_POST
@permission_required(VIEW)
def consent_withdraw(request: HttpRequest, code: str, consent_id: int) -> HttpResponse:
    case, _access = _editable(request, code)
    form = ConsentWithdrawForm(request.POST)
    return _act(
        request,
        code,
        form,
        "withdraw_form",
        lambda: services.consent_withdraw(
            actor=request.user,
            case=case,
            consent_id=consent_id,
            withdrawn_on=form.cleaned_data["withdrawn_on"],
            note=form.cleaned_data["note"],
        ),
        _("Withdrawal recorded."),
    )


@require_POST
@permission_required(VIEW)
def service_add(request: HttpRequest, code: str) -> HttpResponse:
    case, access = _case(request, code)
    if not access.can_record_service:
        raise PermissionDenied
    org_id = (
        case.organisation_id if access.owner else access.referral.to_organisation_id  # type: ignore[union-attr]
    )
    form = ServiceForm(request.POST)
    return _act(
        request,
        code,
        form,
        "service_form",
        lambda: services.service_record(
            actor=request.user, case=case, organisation_id=org_id, data=form.cleaned_data
        ),
        _("Service recorded."),
    )


@require_POST
@permission_required(VIEW)
def referral_create(request: HttpRequest, code: str) -> HttpResponse:
    case, _access = _editable(request, code)
    form = ReferralForm(request.POST, case=case)

    def call() -> Referral:
        data = form.cleaned_data
        return services.referral_create(
            actor=request.user,
            case=case,
            to_organisation_id=data["to_organisation"].pk,
            reason=data["reason"],
            consent_id=data["consent"].pk if data["consent"] else None,
            override_reason=data["override_reason"],
            shares={k: data[k] for k in services.SHARES},
        )

    return _act(request, code, form, "referral_form", call, _("Referral sent."))


@require_POST
@permission_required(VIEW)
def referral_answer(request: HttpRequest, code: str) -> HttpResponse:
    access = _case(request, code)[1]
    if not access.can_answer_referral:
        raise PermissionDenied
    form = ReferralAnswerForm(request.POST)
    return _act(
        request,
        code,
        form,
        "answer_form",
        lambda: services.referral_answer(
            actor=request.user,
            referral=access.referral,  # type: ignore[arg-type]
            accept=form.cleaned_data["decision"] == "accept",
            note=form.cleaned_data["answer_note"],
        ),
        _("Answer sent."),
    )


@require_POST
@permission_required(VIEW)
def referral_withdraw(request: HttpRequest, code: str, referral_id: int) -> HttpResponse:
    case, _access = _editable(request, code)
    form = forms.Form(request.POST)
    return _act(
        request,
        code,
        form,
        "withdraw_referral_form",
        lambda: services.referral_withdraw(actor=request.user, case=case, referral_id=referral_id),
        _("Referral withdrawn."),
    )


@require_POST
@permission_required(VIEW)
def case_close(request: HttpRequest, code: str) -> HttpResponse:
    case, _access = _editable(request, code)
    form = CloseForm(request.POST)
    return _act(
        request,
        code,
        form,
        "close_form",
        lambda: services.case_close(
            actor=request.user,
            case=case,
            expected_version=form.cleaned_data["version"],
            reason=form.cleaned_data["reason"],
            note=form.cleaned_data["note"],
            closed_on=form.cleaned_data["closed_on"],
        ),
        _("Case closed."),
    )


@require_POST
@permission_required(VIEW)
def case_reopen(request: HttpRequest, code: str) -> HttpResponse:
    case, _access = _editable(request, code)
    form = ReopenForm(request.POST)
    return _act(
        request,
        code,
        form,
        "reopen_form",
        lambda: services.case_reopen(
            actor=request.user,
            case=case,
            expected_version=form.cleaned_data["version"],
            reason=form.cleaned_data["reason"],
        ),
        _("Case reopened."),
    )


@permission_required(VIEW)
def case_edit(request: HttpRequest, code: str) -> HttpResponse:
    case, _access = _editable(request, code)
    initial = {
        "version": case.version,
        "offence_date": case.offence_date,
        "lawyer": case.lawyer_id,
        "social_worker": case.social_worker_id,
        "primero_case_id": case.primero_case_id,
        "mosvy_number": case.mosvy_number,
        "oscar_global_id": case.oscar_global_id,
    }
    form = CaseEditForm(request.POST or None, initial=initial)
    form.set_staff(case.organisation_id)
    status = 400 if request.method == "POST" else 200
    if request.method == "POST" and form.is_valid():
        try:
            services.case_update(
                actor=request.user,
                case=case,
                expected_version=form.cleaned_data["version"],
                data=form.case_data(),
            )
        except services.ConcurrentEdit as exc:
            add_service_errors(form, exc)
            status = 409
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("case_detail", code=code)
    response = render(request, "cases/edit.html", {"form": form, "case": case})
    response.status_code = status
    return response


@permission_required(VIEW)
def identity_show(request: HttpRequest, code: str) -> HttpResponse:
    """Ask why, then show the decrypted identity (logged with the purpose)."""
    case, access = _case(request, code)
    if not access.sees_identity:
        raise PermissionDenied
    form = RevealForm(request.POST or None)
    identity: ChildIdentity | None = None
    if request.method == "POST" and form.is_valid():
        identity = services.identity_reveal(
            actor=request.user, case=case, purpose=form.cleaned_data["purpose"]
        )
    template = "cases/identity.html"
    if getattr(request, "htmx", False):
        template += "#identity"
    response = render(
        request,
        template,
        {"case": case, "access": access, "form": form, "identity": identity},
    )
    response["Cache-Control"] = "no-store"
    return response


@permission_required(VIEW)
def identity_photo(request: HttpRequest, code: str) -> HttpResponse:
    case, access = _case(request, code)
    if not access.sees_identity:
        raise PermissionDenied
    identity = ChildIdentity.objects.filter(case=case).first()
    if identity is None or not identity.photo:
        raise Http404
    services.identity_reveal(actor=request.user, case=case, purpose="photo")
    response = HttpResponse(base64.b64decode(identity.photo), content_type=identity.photo_type)
    response["Cache-Control"] = "no-store"
    return response


def _sniff(content: bytes) -> str:
    """The image type from the file's first bytes (never trust the browser's claim)."""
    if content.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    return "application/octet-stream"


@permission_required(VIEW)
def identity_edit(request: HttpRequest, code: str) -> HttpResponse:
    case, _access = _editable(request, code)
    status = 200
    if request.method == "POST":
        form = IdentityEditForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                with transaction.atomic():  # identity and photo together, or neither
                    services.identity_update(
                        actor=request.user,
                        case=case,
                        expected_version=form.cleaned_data["version"],
                        identity=form.identity(),
                    )
                    photo = form.cleaned_data.get("photo")
                    if photo:
                        content = photo.read(services.MAX_PHOTO_BYTES + 1)
                        services.photo_set(
                            actor=request.user,
                            case=case,
                            content=content,
                            content_type=_sniff(content),
                        )
            except services.ConcurrentEdit as exc:
                add_service_errors(form, exc)
                status = 409
            except ValidationError as exc:
                add_service_errors(form, exc)
                status = 400
            else:
                messages.success(request, _("Identity saved."))
                return redirect("case_detail", code=code)
        else:
            status = 400
    else:
        identity = services.identity_reveal(actor=request.user, case=case, purpose="edit")
        initial = {f: getattr(identity, f) for f in services.IDENTITY_FIELDS}
        form = IdentityEditForm(initial={**initial, "version": case.version})
    response = render(request, "cases/identity_edit.html", {"form": form, "case": case})
    response.status_code = status
    response["Cache-Control"] = "no-store"
    return response


@permission_required(Perm.CASES_ACCESS_LOG)
def access_log(request: HttpRequest, code: str) -> HttpResponse:
    case, access = _case(request, code)
    if not access.can_read_access_log:
        raise PermissionDenied
    page = paginate(request, selectors.access_log(case))
    return render(request, "cases/access_log.html", {"case": case, "page": page})
