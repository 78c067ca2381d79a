"""Case list, watch list, referrals received, export, rules."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from komar.accounts.access import permission_required
from komar.accounts.permissions import has_perm
from komar.accounts.roles import Perm
from komar.cases import exports, selectors, services
from komar.cases.forms import CaseFilterForm, CaseOpenForm, ExportForm, RuleForm
from komar.cases.models import LegalRule
from komar.cases.permissions import org_ids_with
from komar.core.forms import save_with
from komar.core.htmx import partial_or_page
from komar.core.pagination import paginate, paginate_keyset, querystring_without_page
from komar.organisations.models import Organisation


@permission_required(Perm.CHILD_RECORDS_VIEW)
def case_list(request: HttpRequest) -> HttpResponse:
    form = CaseFilterForm(request.GET or None)
    filters = (
        selectors.CaseFilters(**form.cleaned_data) if form.is_valid() else selectors.CaseFilters()
    )
    # The organisation's own cases page through the owner index by keyset (every page costs
    # the same at a million cases); cases referred to it are few and shown apart, above them.
    own = selectors.cases_visible_to(user=request.user, filters=filters, scope="own")
    referred = selectors.cases_visible_to(user=request.user, filters=filters, scope="referred")
    context = {
        "form": form,
        "page": paginate_keyset(request, selectors.with_band(own), keys=("-opened_on", "-pk")),
        "referred": list(selectors.with_band(referred).order_by("-opened_on", "-pk")[:50]),
        "querystring": querystring_without_page(request),
        "can_open": bool(org_ids_with(request.user, Perm.CASES_EDIT)),
        "today": timezone.localdate(),
    }
    return render(request, partial_or_page(request, "cases/list.html", "results"), context)


@permission_required(Perm.CASES_EDIT)
def case_create(request: HttpRequest) -> HttpResponse:
    orgs = Organisation.objects.filter(pk__in=org_ids_with(request.user, Perm.CASES_EDIT))
    form = CaseOpenForm(request.POST or None, organisations=orgs)
    duplicates = []
    if request.method == "POST":

        def call() -> object:
            data = form.cleaned_data
            return services.case_open(
                actor=request.user,
                organisation_id=data["organisation"].pk,
                identity=form.identity(),
                confirm_not_duplicate=data["confirm_not_duplicate"],
                **form.case_data(),
            )

        try:
            case = save_with(form, call)
        except services.DuplicateWarning as exc:  # raised only when confirmation is missing
            case, duplicates = None, exc.candidates
        if case is not None:
            messages.success(request, _("Case opened."))
            return redirect("case_detail", code=case.code)  # type: ignore[attr-defined]
        for error in form.non_field_errors().as_data():
            if error.code == "duplicate":
                duplicates = getattr(error, "candidates", [])
    response = render(request, "cases/open.html", {"form": form, "duplicates": duplicates})
    if request.method == "POST":
        response.status_code = 400  # not saved: the form says why
    return response


@permission_required(Perm.CHILD_RECORDS_VIEW)
def watch(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    qs = selectors.watch_list(user=request.user, now=now)
    flag = request.GET.get("show", "")
    filtered = qs
    if flag in ("past", "within_7", "within_30"):
        filtered = qs.filter(band=flag)  # type: ignore[misc]
    elif flag == "below_min_age":
        filtered = qs.filter(below_min_age=True)
    elif flag == "with_adults":
        filtered = qs.filter(detained=True, held_with_adults=True)
    elif flag == "no_lawyer":
        filtered = qs.filter(detained=True, lawyer__isnull=True)
    elif flag == "hearing":
        filtered = qs.filter(next_hearing_on__lt=timezone.localdate(now))
    context = {
        "page": paginate(request, filtered),
        "counts": selectors.watch_counts(qs, now),
        "show": flag,
        "querystring": querystring_without_page(request),
        "today": timezone.localdate(now),
        "can_coalition": has_perm(request.user, Perm.WATCH_COALITION),
    }
    return render(request, partial_or_page(request, "cases/watch.html", "results"), context)


@permission_required(Perm.WATCH_COALITION)
def coalition_watch(request: HttpRequest) -> HttpResponse:
    rows = selectors.coalition_watch()
    totals = {
        key: sum(r[key] for r in rows)
        for key in ("open_cases", "detained_now", *selectors.WATCH_COUNTS)
    }
    return render(request, "cases/coalition_watch.html", {"rows": rows, "totals": totals})


@permission_required(Perm.CHILD_RECORDS_VIEW)
def referrals(request: HttpRequest) -> HttpResponse:
    page = paginate(request, selectors.referrals_received(user=request.user))
    return render(request, "cases/referrals.html", {"page": page})


@permission_required(Perm.CHILD_RECORDS_VIEW)
def export(request: HttpRequest) -> HttpResponse:
    orgs = Organisation.objects.filter(pk__in=org_ids_with(request.user, Perm.CHILD_RECORDS_VIEW))
    form = ExportForm(request.POST or None)
    can_identifiable = bool(org_ids_with(request.user, Perm.CASES_EXPORT_IDENTIFIABLE))
    if not can_identifiable:
        form.fields.pop("identifiable")
    if request.method == "POST" and form.is_valid():
        org = orgs.first()
        if org is None:
            raise PermissionDenied
        identifiable = bool(form.cleaned_data.get("identifiable"))

        def call() -> str:
            return exports.export_cases(
                actor=request.user,
                organisation_id=org.pk,
                purpose=form.cleaned_data["purpose"],
                identifiable=identifiable,
            )

        text = save_with(form, call)
        if text is not None:
            stamp = timezone.localdate().isoformat()
            kind = "identifiable" if identifiable else "deidentified"
            response = HttpResponse(text, content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = (
                f'attachment; filename="komar-cases-{org.slug}-{kind}-{stamp}.csv"'
            )
            response["Cache-Control"] = "no-store"
            return response
    return render(
        request,
        "cases/export.html",
        {"form": form, "organisations": orgs, "can_identifiable": can_identifiable},
    )


@permission_required(Perm.RULES_VIEW)
def rules(request: HttpRequest) -> HttpResponse:
    ruleset = selectors.active_ruleset()
    return render(
        request,
        "cases/rules.html",
        {
            "ruleset": ruleset,
            "rules": selectors.rules_of(ruleset),
            "can_confirm": has_perm(request.user, Perm.REFERENCE_CONFIRM),
        },
    )


@permission_required(Perm.REFERENCE_CONFIRM)
def rule_edit(request: HttpRequest, pk: int) -> HttpResponse:
    rule = get_object_or_404(LegalRule, pk=pk)
    form = RuleForm(request.POST or None, instance=get_object_or_404(LegalRule, pk=pk))
    if request.method == "POST":

        def call() -> LegalRule:
            data = {f: v for f, v in form.cleaned_data.items() if f != "verified"}
            return services.rule_update(
                actor=request.user, rule=rule, data=data, verified=form.cleaned_data["verified"]
            )

        if save_with(form, call) is not None:
            messages.success(
                request, _("Rule saved. The deadlines of open cases are being recomputed.")
            )
            return redirect("case_rules")
    return render(request, "cases/rule_form.html", {"form": form, "rule": rule})
