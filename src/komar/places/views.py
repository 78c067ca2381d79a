from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from komar.accounts.access import permission_required
from komar.accounts.permissions import has_perm
from komar.accounts.roles import Perm
from komar.core.forms import save_with
from komar.core.htmx import partial_or_page
from komar.core.pagination import paginate, querystring_without_page
from komar.core.panels import render_panels
from komar.places import services
from komar.places.forms import PlaceFilterForm, PlaceForm
from komar.places.models import Place
from komar.places.selectors import PlaceFilters, place_get, place_history, places


@permission_required(Perm.PLACES_VIEW)
def place_list(request: HttpRequest) -> HttpResponse:
    form = PlaceFilterForm(request.GET or None)
    filters = PlaceFilters(**form.cleaned_data) if form.is_valid() else PlaceFilters()
    context = {
        "form": form,
        "page": paginate(request, places(filters)),
        "querystring": querystring_without_page(request),
        "can_edit": has_perm(request.user, Perm.PLACES_EDIT),
    }
    template = partial_or_page(request, "places/list.html", "results")
    return render(request, template, context)


@permission_required(Perm.PLACES_VIEW)
def place_detail(request: HttpRequest, code: str) -> HttpResponse:
    place = place_get(code)
    return render(
        request,
        "places/detail.html",
        {
            "place": place,
            "history": place_history(place),
            "can_edit": has_perm(request.user, Perm.PLACES_EDIT),
            "is_open": place.is_open_on(),
            "panels": render_panels("place_profile", request, place),
        },
    )


def _save(request: HttpRequest, form: PlaceForm, place: Place | None) -> HttpResponse | None:
    def call() -> Place:
        data = {name: form.cleaned_data[name] for name in services.EDITABLE_FIELDS}
        if place is None:
            return services.place_create(actor=request.user, data=data)
        return services.place_update(actor=request.user, place=place, data=data)

    saved = save_with(form, call)
    if saved is None:
        return None
    messages.success(request, _("Saved."))
    return redirect("place_detail", code=saved.code)


@permission_required(Perm.PLACES_EDIT)
def place_create(request: HttpRequest) -> HttpResponse:
    form = PlaceForm(request.POST or None)
    if request.method == "POST" and (response := _save(request, form, None)):
        return response
    return render(request, "places/form.html", {"form": form, "place": None})


@permission_required(Perm.PLACES_EDIT)
def place_edit(request: HttpRequest, code: str) -> HttpResponse:
    place = place_get(code)
    # The form validates a copy, so the service still sees the old values to audit the change.
    form = PlaceForm(request.POST or None, instance=place_get(code))
    if request.method == "POST" and (response := _save(request, form, place)):
        return response
    return render(request, "places/form.html", {"form": form, "place": place})
