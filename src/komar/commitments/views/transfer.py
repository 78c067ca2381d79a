"""Import of items from CSV/XLSX (Komar's template or a Universal Human Rights Index export),
the import template, and the export of any filtered list."""

from __future__ import annotations

import csv
import io
from typing import Any, cast

from django import forms
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    StreamingHttpResponse,
)
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from komar.accounts.access import permission_required
from komar.accounts.roles import Perm
from komar.commitments import exports, importer
from komar.commitments.forms import ItemFilterForm, NamedChoiceField
from komar.commitments.models import Source


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File (CSV or XLSX)"),
        help_text=gettext_lazy("One row per item. At most 50 MB."),
    )
    format = forms.ChoiceField(
        label=gettext_lazy("Layout of the file"),
        choices=[
            (importer.AUTO, gettext_lazy("Recognise it from the column names")),
            (importer.KOMAR, gettext_lazy("Komar's template (or a Komar export)")),
            (importer.UHRI, gettext_lazy("Universal Human Rights Index export")),
        ],
        initial=importer.AUTO,
    )
    source = NamedChoiceField(
        label=gettext_lazy("Source (Universal Human Rights Index files)"),
        required=False,
        queryset=Source.objects.all(),
        to_field_name="code",
        help_text=gettext_lazy(
            "Every row goes to this source. Leave empty to find each row's source by its "
            "document symbol."
        ),
    )
    update = forms.BooleanField(
        label=gettext_lazy("Update existing items"),
        required=False,
        help_text=gettext_lazy(
            "Items whose reference already exists are changed to match the file. Without this, "
            "a row that differs from its existing item is an error."
        ),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".csv", ".xlsx")):
            raise forms.ValidationError(_("Choose a .csv or .xlsx file."))
        if upload.size > importer.MAX_FILE_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(mb)s MB. Split it into smaller files.")
                % {"mb": importer.MAX_FILE_BYTES // (1024 * 1024)}
            )
        if upload.size == 0:
            raise forms.ValidationError(_("The file is empty."))
        return upload


@permission_required(Perm.COMMITMENTS_EDIT)
def import_items(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                result = importer.import_upload(
                    data["file"],
                    actor=request.user,
                    format=data["format"],
                    source=data["source"],
                    update=data["update"],
                )
            except importer.ImportFileError as exc:
                form.add_error("file", str(exc))
        if form.errors or (result and result.error_count):
            status = 400
    return render(
        request, "commitments/import.html", {"form": form, "result": result}, status=status
    )


@permission_required(Perm.COMMITMENTS_EDIT)
def import_template(request: HttpRequest, fmt: str) -> HttpResponse:
    header = importer.header_labels()
    if fmt == "csv":
        out = io.StringIO()
        out.write("\ufeff")
        csv.writer(out).writerow(header)
        response = HttpResponse(out.getvalue(), content_type=exports.FORMATS["csv"])
    elif fmt == "xlsx":
        response = HttpResponse(
            exports.xlsx_bytes(iter([header])), content_type=exports.FORMATS[fmt]
        )
    else:
        raise Http404
    response["Content-Disposition"] = f'attachment; filename="komar-commitments-template.{fmt}"'
    return response


@permission_required(Perm.COMMITMENTS_VIEW)
def export_items(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in exports.FORMATS:
        raise Http404
    form = ItemFilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():  # never export more than was asked for
        problems = "; ".join(
            f"{field}: {' '.join(map(str, errs))}" for field, errs in form.errors.items()
        )
        return HttpResponseBadRequest(
            _("The filters are not valid, so nothing was exported. %(problems)s")
            % {"problems": problems},
            content_type="text/plain; charset=utf-8",
        )
    filters = form.filters()
    _count, rows = exports.export_items(actor=request.user, filters=filters, fmt=fmt)
    response: HttpResponse | StreamingHttpResponse
    if fmt == "csv":
        response = StreamingHttpResponse(
            exports.csv_chunks(rows), content_type=exports.FORMATS[fmt]
        )
    else:
        response = HttpResponse(exports.xlsx_bytes(rows), content_type=exports.FORMATS[fmt])
    response["Content-Disposition"] = f'attachment; filename="{exports.file_name(fmt)}"'
    return cast(HttpResponse, response)  # a streamed CSV is a response too
