from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from komar.accounts.access import permission_required
from komar.accounts.roles import Perm
from komar.audit.forms import AuditFilterForm
from komar.audit.selectors import audit_events
from komar.core.htmx import partial_or_page
from komar.core.pagination import paginate, querystring_without_page


@permission_required(Perm.AUDIT_VIEW)
def audit_log(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    page = paginate(request, audit_events(**filters), per_page=50)
    template = partial_or_page(request, "audit/log.html", "results")
    return render(
        request,
        template,
        {"form": form, "page": page, "querystring": querystring_without_page(request)},
    )
