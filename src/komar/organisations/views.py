from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from komar.accounts.access import permission_required
from komar.accounts.permissions import can_edit_organisation, has_perm
from komar.accounts.roles import Perm
from komar.core.access import public
from komar.core.forms import save_with
from komar.core.htmx import partial_or_page
from komar.core.pagination import paginate, querystring_without_page
from komar.organisations import services
from komar.organisations.forms import DirectoryFilterForm, OrganisationForm
from komar.organisations.models import Organisation
from komar.organisations.selectors import DirectoryFilters, directory, organisation_get


@public
def directory_view(request: HttpRequest) -> HttpResponse:
    form = DirectoryFilterForm(request.GET or None)
    filters = DirectoryFilters()
    if form.is_valid():
        filters = DirectoryFilters(**form.cleaned_data)
    page = paginate(request, directory(filters))
    context = {
        "form": form,
        "page": page,
        "querystring": querystring_without_page(request),
        "can_create": has_perm(request.user, Perm.ORGANISATION_EDIT_ANY),
    }
    template = partial_or_page(request, "organisations/directory.html", "results")
    return render(request, template, context)


@public
def organisation_detail(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = organisation_get(slug)
    return render(
        request,
        "organisations/detail.html",
        {
            "organisation": organisation,
            "can_edit": can_edit_organisation(request.user, organisation.pk),
        },
    )


def _save(
    request: HttpRequest, form: OrganisationForm, organisation: Organisation | None = None
) -> HttpResponse | None:
    def call() -> Organisation:
        related = {
            "thematic_areas": form.cleaned_data["thematic_areas"],
            "provinces": form.cleaned_data["provinces"],
        }
        if organisation is None:
            return services.organisation_create(
                actor=request.user, data=form.service_data(), **related
            )
        return services.organisation_update(
            actor=request.user, organisation=organisation, data=form.service_data(), **related
        )

    saved = save_with(form, call)
    if saved is None:
        return None
    messages.success(request, _("Saved."))
    return redirect("organisation_detail", slug=saved.slug)


@permission_required(Perm.ORGANISATION_EDIT_OWN)
def organisation_edit(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = organisation_get(slug)
    if not can_edit_organisation(request.user, organisation.pk):
        raise PermissionDenied
    can_verify = has_perm(request.user, Perm.REFERENCE_CONFIRM)
    # The form validates a copy: the service must see the record as it was, to audit the change.
    form = OrganisationForm(
        request.POST or None, instance=organisation_get(slug), can_verify=can_verify
    )
    if request.method == "POST" and (response := _save(request, form, organisation)):
        return response
    return render(request, "organisations/form.html", {"form": form, "organisation": organisation})


@permission_required(Perm.ORGANISATION_EDIT_ANY)
def organisation_create(request: HttpRequest) -> HttpResponse:
    form = OrganisationForm(request.POST or None, can_verify=True)
    if request.method == "POST" and (response := _save(request, form)):
        return response
    return render(request, "organisations/form.html", {"form": form, "organisation": None})
