from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from komar.accounts.access import permission_required
from komar.accounts.models import User
from komar.accounts.permissions import has_perm
from komar.accounts.roles import Perm
from komar.accounts.selectors import memberships_of
from komar.core.access import public
from komar.core.forms import save_with
from komar.core.htmx import partial_or_page
from komar.core.pagination import paginate, querystring_without_page
from komar.statistics import services
from komar.statistics.checks import check
from komar.statistics.forms import (
    CAREGIVER_KEYS,
    SINGLE_KEYS,
    ImportForm,
    PopulationForm,
    ReturnCreateForm,
    ReturnFilterForm,
    ReturnNumbersForm,
    cell_label,
    field_name,
)
from komar.statistics.importer import file_sha256, header_labels, template_csv
from komar.statistics.models import (
    AgeBand,
    ChildPopulation,
    CountReturn,
    ImportJob,
    LegalStatus,
    ReturnStatus,
    Sex,
)
from komar.statistics.picture import national_picture, national_trend, years_with_data
from komar.statistics.selectors import ReturnFilters, count_return_get, count_returns
from komar.statistics.tasks import import_returns


@permission_required(Perm.STATISTICS_VIEW)
def return_list(request: HttpRequest) -> HttpResponse:
    form = ReturnFilterForm(request.GET or None)
    filters = ReturnFilters(**form.cleaned_data) if form.is_valid() else ReturnFilters()
    template = partial_or_page(request, "statistics/return_list.html", "results")
    return render(
        request,
        template,
        {
            "form": form,
            "page": paginate(request, count_returns(filters)),
            "querystring": querystring_without_page(request),
            "can_submit": has_perm(request.user, Perm.STATISTICS_SUBMIT),
            "can_validate": has_perm(request.user, Perm.STATISTICS_VALIDATE),
            "can_publish": has_perm(request.user, Perm.STATISTICS_PUBLISH),
        },
    )


@permission_required(Perm.STATISTICS_SUBMIT)
def return_create(request: HttpRequest) -> HttpResponse:
    form = ReturnCreateForm(request.POST or None)
    if request.method == "POST":
        membership = memberships_of(request.user).first()  # type: ignore[arg-type]
        count_return = save_with(
            form,
            lambda: services.return_create(
                actor=request.user,
                organisation_id=membership.organisation_id if membership else None,
                **form.cleaned_data,
            ),
        )
        if count_return:
            return redirect("return_edit", pk=count_return.pk)
    return render(request, "statistics/return_create.html", {"form": form})


def _grid(values: Mapping[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for sex in Sex:
        for age in AgeBand:
            keys = [("held", sex.value, age.value, status.value) for status in LegalStatus]
            cells = [values.get(field_name(k)) for k in keys]
            rows.append({"sex": sex.label, "age": age.label, "keys": keys, "cells": cells})
    return rows


@permission_required(Perm.STATISTICS_VIEW)
def return_detail(request: HttpRequest, pk: int) -> HttpResponse:
    count_return = count_return_get(pk)
    cells = services.cells_of(count_return)
    values = {field_name(k): v for k, v in cells.items()}
    report = check(services.numbers_of(count_return, cells))
    user = request.user
    status = count_return.status
    actions = {
        "submit": status == ReturnStatus.DRAFT and has_perm(user, Perm.STATISTICS_SUBMIT),
        "send_back": status == ReturnStatus.SUBMITTED and has_perm(user, Perm.STATISTICS_VALIDATE),
        "validate": status == ReturnStatus.SUBMITTED and has_perm(user, Perm.STATISTICS_VALIDATE),
        "publish": status == ReturnStatus.VALIDATED and has_perm(user, Perm.STATISTICS_PUBLISH),
        "revise": status in (ReturnStatus.VALIDATED, ReturnStatus.PUBLISHED)
        and has_perm(user, Perm.STATISTICS_SUBMIT),
    }
    return render(
        request,
        "statistics/return_detail.html",
        {
            "ret": count_return,
            "grid": _grid(values),
            "statuses": LegalStatus,
            "others": [
                (cell_label(k), values.get(field_name(k))) for k in CAREGIVER_KEYS + SINGLE_KEYS
            ],
            "report": report,
            "actions": actions,
            "can_edit": status == ReturnStatus.DRAFT and has_perm(user, Perm.STATISTICS_SUBMIT),
        },
    )


@permission_required(Perm.STATISTICS_SUBMIT)
def return_edit(request: HttpRequest, pk: int) -> HttpResponse:
    count_return = count_return_get(pk)
    if count_return.status != ReturnStatus.DRAFT:
        messages.error(request, _("Only a draft can be edited. Start a revision to correct it."))
        return redirect("return_detail", pk=pk)
    initial: dict[str, Any] = {
        "total_held": count_return.total_held,
        "total_with_caregiver": count_return.total_with_caregiver,
        **{field_name(k): v for k, v in services.cells_of(count_return).items()},
    }
    form = ReturnNumbersForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            report = services.return_set_numbers(
                actor=request.user,
                count_return=count_return,
                total_held=form.cleaned_data["total_held"],
                total_with_caregiver=form.cleaned_data["total_with_caregiver"],
                cells=form.cells(),
            )
        except ValidationError as exc:
            for issue_field, errors in exc.message_dict.items():
                form.add_error(form.field_for_issue(issue_field), errors)
        else:
            for warning in report.warnings:
                messages.warning(request, warning.message)
            messages.success(request, _("Saved."))
            return redirect("return_detail", pk=pk)
    values = {name: form[name].value() for name in form.fields}
    return render(
        request,
        "statistics/return_edit.html",
        {
            "ret": count_return,
            "form": form,
            "grid": [
                {**row, "fields": [form[field_name(k)] for k in row["keys"]]}
                for row in _grid(values)
            ],
            "statuses": LegalStatus,
            "others": [form[field_name(k)] for k in CAREGIVER_KEYS + SINGLE_KEYS],
        },
    )


@permission_required(Perm.STATISTICS_VIEW)
@require_POST
def return_transition(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in services.TRANSITIONS:
        raise PermissionDenied
    count_return: CountReturn = count_return_get(pk)
    try:
        result = services.TRANSITIONS[action](actor=request.user, count_return=count_return)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("return_detail", pk=pk)
    messages.success(request, _("Done."))
    return redirect("return_detail", pk=result.pk)


def _picture_request(request: HttpRequest) -> tuple[bool, int | None]:
    """(public?, year) from the request: partners see their own view unless they ask for the
    public one."""
    public = not has_perm(request.user, Perm.STATISTICS_VIEW) or request.GET.get("view") == "public"
    years = years_with_data(public=public)
    asked = request.GET.get("year", "")
    if asked.isdigit() and int(asked) in years:
        return public, int(asked)
    return public, (years[0] if years else None)


@public
def national_picture_view(request: HttpRequest) -> HttpResponse:
    public_view, year = _picture_request(request)
    picture = national_picture(year=year, public=public_view) if year else None
    bars: list[dict[str, Any]] = []
    trend: list[dict[str, Any]] = []
    table_rows: list[tuple[str, list[int | None]]] = []
    sex_rows: list[tuple[str, int | None]] = []
    if picture:
        published = picture.table.published()
        labels = [p.name for p in picture.provinces] + [_("Cambodia")]
        table_rows = list(zip(labels, published, strict=True))
        points = national_trend(public=public_view, known=picture)
        top_total = max([t for _y, t in points if t] or [1])
        for i, (trend_year, total) in enumerate(points):
            height = round(100 * (total or 0) / top_total)
            trend.append(
                {
                    "year": trend_year,
                    "total": total,
                    "x": 10 + 70 * i,
                    "y": 110 - height,
                    "height": height,
                }
            )
        sex_labels = [*picture.sex_labels[:-1], _("Not broken down by sex"), _("Total")]
        sex_rows = [
            (label, row[0])
            for label, row in zip(sex_labels, picture.sex_table.published(), strict=True)
        ]
        totals = [picture.table.value(r, picture.table.cols) for r in range(picture.table.rows)]
        top = max([t for t in totals if t] or [1])
        bars = [
            {"province": p, "value": t, "width": round(480 * (t or 0) / top), "y": 8 + 26 * i}
            for i, (p, t) in enumerate(zip(picture.provinces, totals, strict=True))
        ]
    return render(
        request,
        "statistics/picture.html",
        {
            "picture": picture,
            "years": years_with_data(public=public_view),
            "bars": bars,
            "trend": trend,
            "trend_width": 20 + 70 * len(trend),
            "table_rows": table_rows,
            "sex_rows": sex_rows,
            "chart_height": 16 + 26 * len(bars),
            "is_partner": has_perm(request.user, Perm.STATISTICS_VIEW),
            "public_view": public_view,
        },
    )


@public
def national_picture_csv(request: HttpRequest) -> HttpResponse:
    """A protected table of the national picture as CSV with HXL hashtags in the second row;
    hidden cells are blank and named in a #meta+suppressed column. `table` chooses the
    province × situation table (default), the table by sex, or the year-by-year trend."""
    public_view, year = _picture_request(request)
    if year is None:
        raise Http404
    kind = request.GET.get("table", "provinces")
    if kind not in {"provinces", "sex", "trend"}:
        raise Http404
    picture = national_picture(year=year, public=public_view)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = f"komar-children-held-{kind}-{year}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    writer = csv.writer(response)
    meta = ["suppressed", "disclosure_threshold"]
    meta_tags = ["#meta+suppressed", "#meta+threshold"]
    if kind == "trend":
        writer.writerow(["year", "children_held", *meta])
        writer.writerow(["#date+year", "#affected+children+total", *meta_tags])
        for trend_year, total in national_trend(public=public_view, known=picture):
            hidden = "total" if total is None else ""
            writer.writerow([trend_year, "" if total is None else total, hidden, picture.threshold])
        return response
    if kind == "sex":
        writer.writerow(["sex", "children_held", *meta, "year"])
        writer.writerow(["#group+sex", "#affected+children", *meta_tags, "#date+year"])
        codes = [*Sex.values, "not_broken_down", "total"]
        for code, row in zip(codes, picture.sex_table.published(), strict=True):
            value = row[0]
            hidden = "children_held" if value is None else ""
            writer.writerow([code, "" if value is None else value, hidden, picture.threshold, year])
        return response
    situations = picture.situations
    writer.writerow(
        ["province_code", "province_en", "province_km"]
        + [s.name_en for s in situations]
        + ["total", *meta, "year"]
    )
    writer.writerow(
        ["#adm1+code", "#adm1+name+i_en", "#adm1+name+i_km"]
        + [f"#affected+children+{s.code}" for s in situations]
        + ["#affected+children+total", *meta_tags, "#date+year"]
    )
    table = picture.table
    rows = [(p.code, p.name_en, p.name_km) for p in picture.provinces]
    rows.append(("KH", "Cambodia", "កម្ពុជា"))
    for r, labels in enumerate(rows):
        values = [table.value(r, c) for c in range(table.cols + 1)]
        hidden_columns = [
            (situations[c].code if c < table.cols else "total")
            for c, v in enumerate(values)
            if v is None
        ]
        cells = ["" if v is None else v for v in values]
        writer.writerow([*labels, *cells, " ".join(hidden_columns), picture.threshold, year])
    return response


@permission_required(Perm.STATISTICS_SUBMIT)
def import_upload(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        folder = Path(settings.DATA_DIR) / "imports"
        folder.mkdir(parents=True, exist_ok=True)
        suffix = ".xlsx" if upload.name.lower().endswith(".xlsx") else ".csv"
        stored = folder / f"{uuid.uuid4().hex}{suffix}"
        with stored.open("wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        membership = memberships_of(request.user).first()  # type: ignore[arg-type]
        with transaction.atomic():
            job = ImportJob.objects.create(
                file_name=Path(upload.name).name[:255],
                stored_path=str(stored),
                sha256=file_sha256(stored),
                language=getattr(request, "LANGUAGE_CODE", "en"),
                created_by=cast(User, request.user),
                organisation_id=membership.organisation_id if membership else None,
            )
            transaction.on_commit(lambda: import_returns.enqueue(job_id=job.pk))
        return redirect("import_job", pk=job.pk)
    jobs = ImportJob.objects.filter(created_by_id=request.user.pk).order_by("-created_at")[:10]
    return render(request, "statistics/import_upload.html", {"form": form, "jobs": jobs})


@permission_required(Perm.STATISTICS_SUBMIT)
def import_job(request: HttpRequest, pk: int) -> HttpResponse:
    job = ImportJob.objects.filter(pk=pk, created_by_id=request.user.pk).first()
    if job is None:
        raise Http404
    template = partial_or_page(request, "statistics/import_job.html", "progress")
    return render(request, template, {"job": job})


@permission_required(Perm.STATISTICS_SUBMIT)
def import_template(request: HttpRequest, kind: str) -> HttpResponse:
    if kind == "csv":
        response = HttpResponse(template_csv(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="komar-count-returns.csv"'
        return response
    if kind != "xlsx":
        raise Http404
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("returns")
    sheet.append(header_labels())
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="komar-count-returns.xlsx"'
    return response


@permission_required(Perm.STATISTICS_VIEW)
def population(request: HttpRequest) -> HttpResponse:
    can_edit = has_perm(request.user, Perm.POPULATION_EDIT)
    form = PopulationForm(request.POST or None) if can_edit else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        saved = save_with(
            form,
            lambda: services.population_save(
                actor=request.user,
                province_id=form.cleaned_data["province"].pk,
                year=form.cleaned_data["year"],
                population=form.cleaned_data["population"],
                source=form.cleaned_data["source"],
            ),
        )
        if saved:
            messages.success(request, _("Saved."))
            return redirect("population")
    figures = ChildPopulation.objects.select_related("province").order_by("-year", "province__code")
    return render(
        request,
        "statistics/population.html",
        {"form": form, "page": paginate(request, figures, per_page=50)},
    )


@permission_required(Perm.STATISTICS_VALIDATE)
@require_POST
def returns_validate_many(request: HttpRequest) -> HttpResponse:
    form = ReturnFilterForm(request.POST)
    filters = ReturnFilters(**form.cleaned_data) if form.is_valid() else ReturnFilters()
    publish = request.POST.get("action") == "publish"
    if publish and not has_perm(request.user, Perm.STATISTICS_PUBLISH):
        raise PermissionDenied
    done, problems = services.returns_validate_many(
        actor=request.user, count_returns=count_returns(filters), publish=publish
    )
    if publish:
        messages.success(request, _("%(n)s returns published.") % {"n": done})
    else:
        messages.success(request, _("%(n)s returns validated.") % {"n": done})
    for problem in problems[:20]:
        messages.warning(request, problem)
    return redirect("return_list")
