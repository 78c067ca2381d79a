"""The public progress site (/progress/): published items only, for everyone.

Every read here asks the selectors for the public view (`public=True`), whoever is signed in, so
a member sees exactly what a visitor sees: published, current items, their published
assessments, public evidence and the public lines of their history. Anything else is 404."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, cast

from django import forms
from django.contrib.auth.models import AnonymousUser
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy

from komar.commitments import selectors
from komar.commitments.forms import PublicFilterForm
from komar.commitments.history import describe
from komar.commitments.models import (
    Item,
    Perspective,
)
from komar.commitments.views.dashboard import progress_context
from komar.core.access import public
from komar.core.htmx import partial_or_page
from komar.core.pagination import paginate, querystring_without_page

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
CHANGES_DEFAULT_DAYS = 90
VISITOR = AnonymousUser()  # evidence on the public site is what an anonymous visitor may see


class SinceForm(forms.Form):
    since = forms.DateField(label=gettext_lazy("Changed since"), required=False, widget=DATE)


def _lines(events: Any) -> list[dict[str, Any]]:
    """History lines for the templates, in words fit for the public site."""
    return describe(events, actions={}, public=True)


@public
def progress_home(request: HttpRequest) -> HttpResponse:
    since = timezone.localdate() - dt.timedelta(days=CHANGES_DEFAULT_DAYS)
    recent = selectors.changes_since(user=request.user, since=since, public=True)[:5]
    return render(
        request,
        "commitments/public/home.html",
        {**progress_context(request.user, public=True), "recent": _lines(recent)},
    )


@public
def progress_list(request: HttpRequest) -> HttpResponse:
    form = PublicFilterForm(request.GET or None)
    status = 200
    if form.is_bound and not form.is_valid():
        items = Item.objects.none()
        status = 400
    else:
        filters = form.filters() if form.is_bound else selectors.ItemFilters()
        items = selectors.items_visible_to(user=request.user, filters=filters, public=True)
    template = partial_or_page(request, "commitments/public/list.html", "results")
    return render(
        request,
        template,
        {
            "form": form,
            "page": paginate(request, items),
            "querystring": querystring_without_page(request),
        },
        status=status,
    )


@public
def progress_item(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.item_get_for(user=request.user, pk=pk, public=True)
    views = selectors.side_by_side(user=request.user, item=item, public=True)
    assessments = [a for found in views.values() for a in found]
    evidence = selectors.evidence_for(user=VISITOR, assessments=assessments)
    columns = []
    for perspective in (Perspective.GOVERNMENT, Perspective.COALITION):
        rows = [{"a": a, "evidence": evidence.get(a.pk, [])} for a in views[perspective]]
        columns.append(
            {
                "perspective": perspective.value,
                "label": perspective.label,
                "current": rows[0] if rows else None,
                "earlier": rows[1:],
            }
        )
    actors = list(item.actors.all())
    return render(
        request,
        "commitments/public/item.html",
        {
            "item": item,
            "columns": columns,
            "lead": [a for a in actors if a.role == a.Role.LEAD],
            "supporting": [a for a in actors if a.role != a.Role.LEAD],
            "links": selectors.links_of(item, public=True),
            "history": _lines(selectors.history(user=request.user, item=item, public=True)),
        },
    )


@public
def progress_changes(request: HttpRequest) -> HttpResponse:
    form = SinceForm(request.GET or None)
    default = timezone.localdate() - dt.timedelta(days=CHANGES_DEFAULT_DAYS)
    status = 200
    if form.is_bound and not form.is_valid():
        status = 400
        events = selectors.changes_since(user=request.user, since=default, public=True).none()
        since = default
    else:
        since = (form.cleaned_data.get("since") if form.is_bound else None) or default
        events = selectors.changes_since(user=request.user, since=since, public=True)
    page = paginate(request, events)
    return render(
        request,
        "commitments/public/changes.html",
        {
            "form": form,
            "since": since,
            "page": page,
            "lines": _lines(page.object_list),
            "querystring": querystring_without_page(request),
        },
        status=status,
    )


@public
def progress_evidence(request: HttpRequest, eid: int) -> HttpResponse:
    """A public evidence file (or link) of a published assessment of a published, current item;
    404 for anything else."""
    evidence = selectors.evidence_get_for(user=VISITOR, pk=eid)
    selectors.item_get_for(user=VISITOR, pk=evidence.assessment.item_id, public=True)
    if not evidence.file:
        return HttpResponseRedirect(evidence.url)
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(handle, as_attachment=True, filename=Path(evidence.file.name).name)
    return cast(HttpResponse, response)  # streamed; the access decorators type views loosely
