"""Reading statements: the list, one statement (public once published), its versions with what
changed, and its PDF."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from komar.core.access import public
from komar.core.htmx import partial_or_page
from komar.core.i18n import current_language
from komar.core.pagination import paginate
from komar.statements import pdf, selectors
from komar.statements import permissions as perms
from komar.statements.forms import CommitteeForm, ItemLinkForm
from komar.statements.models import Statement

S = Statement.Status


@public
def statement_list(request: HttpRequest) -> HttpResponse:
    statements = selectors.statements_visible_to(user=request.user)
    context = {
        "page": paginate(request, statements),
        "can_draft": bool(perms.drafting_org_ids(request.user)),
    }
    return render(request, partial_or_page(request, "statements/list.html", "rows"), context)


def other_language(statement: Statement) -> dict[str, str]:
    """The title and text in the language not shown, if they differ from what is shown."""
    km = current_language() == "km"
    return {
        "lang": "en" if km else "km",
        "title": statement.title_en if km else statement.title_km,
        "text": (statement.text_en if km else statement.text_km)
        if (statement.text_en if km else statement.text_km) != statement.text
        else "",
        "note": "" if km else statement.text_km_note,
    }


def statement_context(request: HttpRequest, statement: Statement, **forms_: Any) -> dict[str, Any]:
    user = request.user
    drafter = perms.is_drafter(user, statement)
    editable = perms.can_edit(user, statement)
    endorsing = perms.endorsing_org_ids(user)
    own = selectors.endorsements_of(user=user, statement=statement) if endorsing else []
    live_own = {e.organisation_id for e in own if e.status in selectors.LIVE}
    context: dict[str, Any] = {
        "statement": statement,
        "other": other_language(statement),
        "groups": selectors.signatories(statement),
        "committee": list(statement.committee.all()),
        "items": list(statement.commitment_items.all()),
        "signed_in": perms.signed_in(user),
        "can_edit": editable,
        "is_drafter": drafter and statement.status != S.PUBLISHED,
        "can_publish": perms.can_publish(user, statement),
        "can_manage": perms.is_secretariat(user) and statement.status != S.DRAFT,
        "can_endorse": statement.status == S.OPEN and bool(endorsing - live_own),
        "own_endorsements": own,
        "is_published": statement.status == S.PUBLISHED,
    }
    if editable:
        context["committee_form"] = forms_.get("committee_form") or CommitteeForm()
    if drafter:
        context["item_form"] = forms_.get("item_form") or ItemLinkForm()
    return context


@public
def statement_detail(request: HttpRequest, slug: str) -> HttpResponse:
    statement = selectors.statement_get_for(user=request.user, slug=slug)
    return render(request, "statements/detail.html", statement_context(request, statement))


@public
def statement_versions(request: HttpRequest, slug: str) -> HttpResponse:
    statement = selectors.statement_get_for(user=request.user, slug=slug)
    return render(
        request,
        "statements/versions.html",
        {"statement": statement, "history": selectors.version_history(statement)},
    )


@public
def statement_pdf(request: HttpRequest, slug: str) -> HttpResponse:
    """The statement as a PDF in Khmer (?lang=km) or English (?lang=en; default: the page's
    language)."""
    statement = selectors.statement_get_for(user=request.user, slug=slug)
    lang = request.GET.get("lang") or current_language()
    if lang not in ("km", "en"):
        lang = current_language()
    content = pdf.render_pdf(statement, lang)
    response = HttpResponse(content, content_type="application/pdf")
    name = f"{statement.slug}-{lang}.pdf"
    response["Content-Disposition"] = f'inline; filename="{name}"'
    if statement.status != S.PUBLISHED:
        response["X-Robots-Tag"] = "noindex"
    return response
