"""The tracker inside Komar: the filterable list of items, one item with both views of its
progress and its history, the item and source forms, and "what changed since"."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from komar.accounts.access import permission_required
from komar.accounts.permissions import has_perm
from komar.accounts.roles import Perm
from komar.commitments import selectors, services
from komar.commitments.forms import (
    ActionForm,
    ActorForm,
    AssessmentForm,
    ChangesForm,
    ItemFilterForm,
    ItemForm,
    LinkForm,
    SourceForm,
)
from komar.commitments.history import describe
from komar.commitments.models import (
    Action,
    Item,
    ItemActor,
    Perspective,
    Source,
)
from komar.commitments.permissions import assessor_org_ids
from komar.core.forms import add_service_errors, save_with
from komar.core.htmx import partial_or_page
from komar.core.i18n import current_language
from komar.core.pagination import paginate, querystring_without_page

VIEW = Perm.COMMITMENTS_VIEW
EDIT = Perm.COMMITMENTS_EDIT
CHANGES_DEFAULT_DAYS = 30


# The list ------------------------------------------------------------------------------------


@permission_required(VIEW)
def item_list(request: HttpRequest) -> HttpResponse:
    form = ItemFilterForm(request.GET or None)
    items = selectors.items_visible_to(user=request.user, filters=form.filters())
    context = {
        "form": form,
        "page": paginate(request, items),
        "querystring": querystring_without_page(request),
        "can_edit": has_perm(request.user, EDIT),
        "can_review": has_perm(request.user, Perm.COMMITMENTS_VALIDATE)
        or has_perm(request.user, Perm.COMMITMENTS_PUBLISH),
    }
    return render(request, partial_or_page(request, "commitments/list.html", "results"), context)


# One item ------------------------------------------------------------------------------------


def _other_language(item: Item) -> dict[str, str]:
    """The text and summary in the language not shown (if they differ from what is shown)."""
    km = current_language() == "km"
    text = item.text_en if km else item.text_km
    summary = item.summary_en if km else item.summary_km
    return {
        "lang": "en" if km else "km",
        "text": text if text != item.text else "",
        "summary": summary if summary != item.summary else "",
    }


def _item_context(request: HttpRequest, item: Item, **forms_: Any) -> dict[str, Any]:
    user = request.user
    sides = selectors.side_by_side(user=user, item=item)
    assessments = [a for rows in sides.values() for a in rows]
    evidence = selectors.evidence_for(user=user, assessments=assessments)
    for a in assessments:
        a.visible_evidence = evidence[a.pk]  # type: ignore[attr-defined]
    can_edit = has_perm(user, EDIT)
    acting = assessor_org_ids(user)
    actions = list(selectors.actions_of(user=user, item=item))
    for action in actions:
        action.can_change = action.organisation_id in acting or can_edit  # type: ignore[attr-defined]
    actors = list(item.actors.all())
    perspectives = [p for p in Perspective.values if assessor_org_ids(user, p)]
    current = not item.is_archived
    context: dict[str, Any] = {
        "item": item,
        "other": _other_language(item),
        "government": sides[Perspective.GOVERNMENT],
        "coalition": sides[Perspective.COALITION],
        "lead": [a for a in actors if a.role == ItemActor.Role.LEAD],
        "supporting": [a for a in actors if a.role == ItemActor.Role.SUPPORTING],
        "links": selectors.links_of(item),
        "actions": actions,
        "action_statuses": Action.Status.choices,
        "history": describe(
            selectors.history(user=user, item=item), actions={a.pk: a for a in actions}
        ),
        "can_edit": can_edit,
        "can_publish": has_perm(user, Perm.COMMITMENTS_PUBLISH),
        "today": timezone.localdate(),
    }
    if can_edit and current:
        context["actor_form"] = forms_.get("actor_form") or ActorForm()
        context["link_form"] = forms_.get("link_form") or LinkForm()
    if acting and current:
        context["action_form"] = forms_.get("action_form") or ActionForm(org_ids=acting)
    if perspectives and current:
        context["assessment_form"] = forms_.get("assessment_form") or AssessmentForm(
            perspectives=perspectives, org_ids=acting
        )
    return context


@permission_required(VIEW)
def item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.item_get_for(user=request.user, pk=pk)
    return render(request, "commitments/item.html", _item_context(request, item))


def rerender_item(
    request: HttpRequest, item: Item, form_name: str, form: forms.Form
) -> HttpResponse:
    """The item page with a form's errors (nothing was saved)."""
    item = selectors.item_get_for(user=request.user, pk=item.pk)
    context = _item_context(request, item, **{form_name: form})
    context["failed_form"] = form
    response = render(request, "commitments/item.html", context)
    response.status_code = 400
    return response


def act_on_item(
    request: HttpRequest,
    item: Item,
    form: forms.Form,
    form_name: str,
    call: Callable[[], Any],
    success: str,
) -> HttpResponse:
    """Validate `form` and run the service; back to the item, or the item page with the
    form's errors (400)."""
    if form.is_valid():
        try:
            call()
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, success)
            return redirect("commitments_item", pk=item.pk)
    return rerender_item(request, item, form_name, form)


# Item forms ----------------------------------------------------------------------------------


@permission_required(EDIT)
def item_create(request: HttpRequest) -> HttpResponse:
    initial = {"source": request.GET.get("source")} if request.GET.get("source") else None
    form = ItemForm(request.POST or None, instance=Item(), initial=initial)
    if request.method == "POST":

        def call() -> Item:
            return services.item_create(
                actor=request.user,
                source=form.cleaned_data["source"],
                data=form.item_data(),
                categories=form.categories(),
            )

        item = save_with(form, call)
        if item is not None:
            messages.success(request, _("Item added."))
            return redirect("commitments_item", pk=item.pk)
    response = render(request, "commitments/item_form.html", {"form": form, "item": None})
    if request.method == "POST":
        response.status_code = 400
    return response


@permission_required(EDIT)
def item_edit(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.item_get_for(user=request.user, pk=pk)
    copy = selectors.item_get_for(user=request.user, pk=pk)  # the form writes into its instance
    form = ItemForm(request.POST or None, instance=copy, editing=True)
    if request.method == "POST":

        def call() -> Item:
            return services.item_update(
                actor=request.user,
                item=item,
                data=form.item_data(),
                categories=form.categories(),
            )

        if save_with(form, call) is not None:
            messages.success(request, _("Item saved."))
            return redirect("commitments_item", pk=item.pk)
    response = render(request, "commitments/item_form.html", {"form": form, "item": item})
    if request.method == "POST":
        response.status_code = 400
    return response


def _flag(request: HttpRequest, name: str) -> bool:
    return request.POST.get(name, "1") not in ("0", "false", "")


def _refused(request: HttpRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


@require_POST
@permission_required(EDIT)
def item_archive(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.item_get_for(user=request.user, pk=pk)
    archived = _flag(request, "archived")
    services.item_archive(actor=request.user, item=item, archived=archived)
    messages.success(request, _("Item archived.") if archived else _("Item restored."))
    return redirect("commitments_item", pk=item.pk)


@require_POST
@permission_required(Perm.COMMITMENTS_PUBLISH)
def item_publish(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.item_get_for(user=request.user, pk=pk)
    published = _flag(request, "published")
    try:
        services.item_publish(actor=request.user, item=item, published=published)
    except ValidationError as exc:
        _refused(request, exc)
    else:
        messages.success(
            request,
            _("The item is on the public site.")
            if published
            else _("The item was taken off the public site."),
        )
    return redirect("commitments_item", pk=item.pk)


@require_POST
@permission_required(EDIT)
def actor_add(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.item_get_for(user=request.user, pk=pk)
    form = ActorForm(request.POST)
    return act_on_item(
        request,
        item,
        form,
        "actor_form",
        lambda: services.actor_set(
            actor=request.user,
            item=item,
            organisation=form.cleaned_data["organisation"],
            role=form.cleaned_data["role"],
        ),
        _("Responsible organisation saved."),
    )


@require_POST
@permission_required(EDIT)
def actor_remove(request: HttpRequest, pk: int, actor_id: int) -> HttpResponse:
    item = selectors.item_get_for(user=request.user, pk=pk)
    item_actor = get_object_or_404(ItemActor.objects.select_related("item"), pk=actor_id, item=item)
    try:
        services.actor_remove(actor=request.user, item_actor=item_actor)
    except ValidationError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("Responsible organisation removed."))
    return redirect("commitments_item", pk=item.pk)


@require_POST
@permission_required(EDIT)
def link_add(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.item_get_for(user=request.user, pk=pk)
    form = LinkForm(request.POST)
    return act_on_item(
        request,
        item,
        form,
        "link_form",
        lambda: services.link_add(
            actor=request.user,
            from_item=item,
            to_item=form.cleaned_data["to_item"],
            kind=form.cleaned_data["kind"],
        ),
        _("Items linked."),
    )


# What changed since --------------------------------------------------------------------------


@permission_required(VIEW)
def changes(request: HttpRequest) -> HttpResponse:
    form = ChangesForm(request.GET or None)
    since = timezone.localdate() - dt.timedelta(days=CHANGES_DEFAULT_DAYS)
    if form.is_valid() and form.cleaned_data["since"]:
        since = form.cleaned_data["since"]
    page = paginate(request, selectors.changes_since(user=request.user, since=since))
    context = {
        "form": form,
        "since": since,
        "page": page,
        "lines": describe(page.object_list),
        "querystring": querystring_without_page(request),
    }
    return render(request, "commitments/changes.html", context)


# Sources -------------------------------------------------------------------------------------


@permission_required(VIEW)
def source_list(request: HttpRequest) -> HttpResponse:
    sources = selectors.sources_visible_to(user=request.user).order_by("-date", "code")
    return render(
        request,
        "commitments/source_list.html",
        {"page": paginate(request, sources), "can_edit": has_perm(request.user, EDIT)},
    )


def _source_form(request: HttpRequest, source: Source | None) -> HttpResponse:
    copy = Source.objects.get(pk=source.pk) if source else Source()
    form = SourceForm(request.POST or None, instance=copy)
    if request.method == "POST":

        def call() -> Source:
            return services.source_save(actor=request.user, data=form.cleaned_data, source=source)

        if save_with(form, call) is not None:
            messages.success(request, _("Source saved."))
            return redirect("commitments_sources")
    response = render(request, "commitments/source_form.html", {"form": form, "source": source})
    if request.method == "POST":
        response.status_code = 400
    return response


@permission_required(EDIT)
def source_create(request: HttpRequest) -> HttpResponse:
    return _source_form(request, None)


@permission_required(EDIT)
def source_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _source_form(request, get_object_or_404(Source, pk=pk))
