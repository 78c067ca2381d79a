"""Drafting: a new statement, its edit form, its committee, its linked tracker items, and the
moves of its lifecycle (open, close, reopen, publish)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from komar.accounts.access import permission_required
from komar.accounts.roles import Perm
from komar.commitments.models import Item
from komar.core.forms import add_service_errors, save_with
from komar.organisations.models import Organisation
from komar.statements import permissions as perms
from komar.statements import selectors, services
from komar.statements.forms import CommitteeForm, ItemLinkForm, StatementForm
from komar.statements.models import Statement
from komar.statements.views.pages import statement_context

DRAFT = Perm.STATEMENTS_DRAFT


def _messages_of(exc: ValidationError) -> str:
    return " ".join(str(m) for m in exc.messages)


@permission_required(DRAFT)
def statement_create(request: HttpRequest) -> HttpResponse:
    orgs = Organisation.objects.filter(pk__in=perms.drafting_org_ids(request.user)).order_by(
        "name_en"
    )
    form = StatementForm(request.POST or None, drafting_orgs=orgs)
    if request.method == "POST":

        def call() -> Statement:
            org = form.cleaned_data.get("organisation")
            return services.statement_create(
                actor=request.user,
                data=form.statement_data(),
                organisation_id=org.pk if org else None,
            )

        statement = save_with(form, call)
        if statement is not None:
            messages.success(request, _("Draft saved. Open it for sign-on when the text is ready."))
            return redirect("statement_detail", slug=statement.slug)
    response = render(request, "statements/form.html", {"form": form, "statement": None})
    if request.method == "POST":
        response.status_code = 400
    return response


@permission_required(DRAFT)
def statement_edit(request: HttpRequest, slug: str) -> HttpResponse:
    statement = selectors.statement_get_for(user=request.user, slug=slug)
    if not perms.can_edit(request.user, statement):
        if statement.status == Statement.Status.PUBLISHED and perms.is_drafter(
            request.user, statement
        ):
            refusal = ValidationError(
                _("This statement is published: it can no longer be changed.")
            )
            if request.method == "POST":
                return _refused(request, statement, refusal)
            messages.error(request, _messages_of(refusal))
            return redirect("statement_detail", slug=statement.slug)
        raise Http404
    form = StatementForm(request.POST or None, statement=statement)
    if request.method == "POST":
        version = statement.version

        def call() -> Statement:
            return services.statement_update(
                actor=request.user, statement=statement, data=form.statement_data()
            )

        saved = save_with(form, call)
        if saved is not None:
            if saved.version != version and version:
                messages.success(
                    request,
                    _(
                        "Saved as version %(version)s. Sign-on is open again and the endorsing "
                        "organisations have been told."
                    )
                    % {"version": saved.version},
                )
            else:
                messages.success(request, _("Saved."))
            return redirect("statement_detail", slug=saved.slug)
    response = render(request, "statements/form.html", {"form": form, "statement": statement})
    if request.method == "POST":
        response.status_code = 400
    return response


def _rerender(request: HttpRequest, statement: Statement, name: str, form: object) -> HttpResponse:
    statement = selectors.statement_get_for(user=request.user, slug=statement.slug)
    context = statement_context(request, statement, **{name: form})
    response = render(request, "statements/detail.html", context)
    response.status_code = 400
    return response


def _refused(request: HttpRequest, statement: Statement, exc: ValidationError) -> HttpResponse:
    """The statement page with the refusal (400); nothing was saved."""
    messages.error(request, _messages_of(exc))
    statement = selectors.statement_get_for(user=request.user, slug=statement.slug)
    response = render(request, "statements/detail.html", statement_context(request, statement))
    response.status_code = 400
    return response


@require_POST
@permission_required(DRAFT)
def committee_add(request: HttpRequest, slug: str) -> HttpResponse:
    statement = selectors.statement_get_for(user=request.user, slug=slug)
    form = CommitteeForm(request.POST)

    def call() -> None:
        services.committee_add(
            actor=request.user, statement=statement, organisation=form.cleaned_data["organisation"]
        )

    if form.is_valid():
        try:
            call()
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Added to the organising committee."))
            return redirect("statement_detail", slug=statement.slug)
    return _rerender(request, statement, "committee_form", form)


@require_POST
@permission_required(DRAFT)
def committee_remove(request: HttpRequest, slug: str, org_id: int) -> HttpResponse:
    statement = selectors.statement_get_for(user=request.user, slug=slug)
    organisation = get_object_or_404(Organisation, pk=org_id)
    try:
        services.committee_remove(
            actor=request.user, statement=statement, organisation=organisation
        )
    except ValidationError as exc:
        return _refused(request, statement, exc)
    else:
        messages.success(request, _("Removed from the organising committee."))
    return redirect("statement_detail", slug=statement.slug)


@require_POST
@permission_required(DRAFT)
def item_link(request: HttpRequest, slug: str) -> HttpResponse:
    statement = selectors.statement_get_for(user=request.user, slug=slug)
    form = ItemLinkForm(request.POST)
    if form.is_valid():
        try:
            services.item_link(
                actor=request.user, statement=statement, item=form.cleaned_data["reference"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Tracker item linked."))
            return redirect("statement_detail", slug=statement.slug)
    return _rerender(request, statement, "item_form", form)


@require_POST
@permission_required(DRAFT)
def item_unlink(request: HttpRequest, slug: str, item_id: int) -> HttpResponse:
    statement = selectors.statement_get_for(user=request.user, slug=slug)
    item = get_object_or_404(Item, pk=item_id)
    try:
        services.item_unlink(actor=request.user, statement=statement, item=item)
    except ValidationError as exc:
        return _refused(request, statement, exc)
    else:
        messages.success(request, _("Tracker item unlinked."))
    return redirect("statement_detail", slug=statement.slug)


STEPS = {
    "open": services.statement_open,
    "close": services.statement_close,
    "reopen": services.statement_reopen,
    "publish": services.statement_publish,
}


@require_POST
@permission_required(DRAFT)
def statement_move(request: HttpRequest, slug: str, step: str) -> HttpResponse:
    """Open, close, reopen or publish (the service decides who may)."""
    statement = selectors.statement_get_for(user=request.user, slug=slug)
    service = STEPS.get(step)
    if service is None:
        raise Http404
    try:
        statement = service(actor=request.user, statement=statement)
    except ValidationError as exc:
        return _refused(request, statement, exc)
    messages.success(request, str(statement.get_status_display()))
    return redirect("statement_detail", slug=statement.slug)
