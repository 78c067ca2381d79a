"""Consultations and events: the public list and page, and the forms of their organisers."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from komar.accounts.access import permission_required
from komar.accounts.permissions import has_perm
from komar.accounts.roles import Perm
from komar.core.access import public
from komar.core.forms import save_with
from komar.core.htmx import partial_or_page
from komar.core.pagination import paginate
from komar.participation import selectors, services
from komar.participation.forms import EventForm, ParticipantsForm, RequestForm

EDIT = Perm.EVENTS_EDIT


@public
def event_list(request: HttpRequest) -> HttpResponse:
    context = {
        "page": paginate(request, selectors.events_visible_to(user=request.user)),
        "can_edit": has_perm(request.user, EDIT),
        "can_moderate": has_perm(request.user, Perm.FEEDBACK_MODERATE),
    }
    return render(
        request, partial_or_page(request, "participation/event_list.html", "rows"), context
    )


@public
def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    event = selectors.event_get_for(user=request.user, pk=pk)
    return render(request, "participation/event_detail.html", {"event": event})


@permission_required(EDIT)
def event_create(request: HttpRequest) -> HttpResponse:
    form = EventForm(request.POST or None)
    if request.method == "POST":
        event = save_with(
            form,
            lambda: services.event_save(
                actor=request.user,
                data=form.cleaned_data,
                organisers=form.cleaned_data["organisers"],
            ),
        )
        if event is not None:
            messages.success(request, _("Event saved."))
            return redirect("participation_event", pk=event.pk)
    return render(
        request, "participation/event_form.html", {"form": form}, status=400 if form.errors else 200
    )


@permission_required(EDIT)
def event_edit(request: HttpRequest, pk: int) -> HttpResponse:
    event = selectors.event_get_editable(user=request.user, pk=pk)
    form = EventForm(request.POST or None, instance=event)
    if request.method == "POST":
        saved = save_with(
            form,
            lambda: services.event_save(
                actor=request.user,
                event=selectors.event_get_editable(user=request.user, pk=pk),
                data=form.cleaned_data,
                organisers=form.cleaned_data["organisers"],
            ),
        )
        if saved is not None:
            messages.success(request, _("Event saved."))
            return redirect("participation_event", pk=pk)
    context = {"form": form, "event": event}
    return render(
        request, "participation/event_form.html", context, status=400 if form.errors else 200
    )


@permission_required(EDIT)
def participants_edit(request: HttpRequest, pk: int) -> HttpResponse:
    event = selectors.event_get_editable(user=request.user, pk=pk)
    rows = {p.group: p.count for p in event.participant_rows}  # type: ignore[attr-defined]
    form = ParticipantsForm(request.POST or None, rows=rows)
    if request.method == "POST":
        saved = save_with(
            form,
            lambda: services.participants_set(
                actor=request.user, event=event, groups=form.groups()
            ),
        )
        if saved is not None:
            messages.success(request, _("Participant counts saved."))
            return redirect("participation_event", pk=pk)
    context = {"form": form, "event": event}
    return render(
        request, "participation/participants_form.html", context, status=400 if form.errors else 200
    )


@permission_required(EDIT)
def request_create(request: HttpRequest, pk: int) -> HttpResponse:
    return _request_form(request, pk, None)


@permission_required(EDIT)
def request_edit(request: HttpRequest, pk: int, rid: int) -> HttpResponse:
    return _request_form(request, pk, rid)


def _request_form(request: HttpRequest, pk: int, rid: int | None) -> HttpResponse:
    event = selectors.event_get_editable(user=request.user, pk=pk)
    instance = selectors.request_get(event=event, pk=rid) if rid is not None else None
    initial = {}
    if instance is None:
        initial["number"] = max((r.number for r in event.requests.all()), default=0) + 1
    form = RequestForm(
        request.POST or None,
        instance=instance,
        initial=initial,
        items=selectors.linkable_items(user=request.user),
    )
    if request.method == "POST":
        saved = save_with(
            form,
            lambda: services.request_save(
                actor=request.user,
                event=event,
                request=instance,
                data=form.cleaned_data,
                items=form.cleaned_data["items"],
            ),
        )
        if saved is not None:
            messages.success(request, _("Saved."))
            return redirect("participation_event", pk=pk)
    context = {"form": form, "event": event, "child_request": instance}
    return render(
        request, "participation/request_form.html", context, status=400 if form.errors else 200
    )
