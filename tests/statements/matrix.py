"""Permission-matrix entries for the statements app; imported by tests/test_permission_matrix.py.

Published statements (page, versions, PDF) are public. Open ones are for every signed-in member;
a draft is for the members of its committee's organisations (organisation A here) and the
secretariat; anyone else gets 404, as for a statement that does not exist. Drafting needs
STATEMENTS_DRAFT (secretariat and organisation admins) and a seat on the committee; endorsing
needs STATEMENTS_ENDORSE in the organisation; managing endorsements is the secretariat's."""

from __future__ import annotations

from typing import Any

from komar.accounts.roles import Role
from komar.statements import services
from komar.statements.models import Endorsement, Statement
from tests.commitments.helpers import make_item
from tests.conftest import World
from tests.matrix import ALL_ROLES, ANON, EVERYONE, OTHER, SEC, Route

ORG_ADMIN = Role.ORG_ADMIN.value
DRAFTERS = {SEC, ORG_ADMIN, OTHER}  # STATEMENTS_DRAFT (and STATEMENTS_ENDORSE)
COMMITTEE = {SEC, ORG_ADMIN}  # drafters of organisation A, the committee, and the secretariat


def _data(title: str) -> dict[str, Any]:
    from tests.statements.helpers import statement_data

    return statement_data(title_en=title)


def _get(w: World, title: str, status: str) -> Statement:
    found = Statement.objects.filter(title_en=title).first()
    if found:
        return found
    from tests.statements.helpers import make_statement

    return make_statement(w, status, title_en=title)


def _draft(w: World) -> Statement:
    return _get(w, "Matrix draft", "draft")


def _open(w: World) -> Statement:
    return _get(w, "Matrix open", "open")


def _published(w: World) -> Statement:
    return _get(w, "Matrix published", "published")


def _endorsement(w: World) -> Endorsement:
    """Organisation B's pending endorsement of the open statement."""
    s = _open(w)
    found = s.endorsements.filter(organisation=w.org_b).first()
    return found or services.endorse(
        actor=w.other_admin, statement=s, organisation_id=w.org_b.pk, role="endorser"
    )


def _outdated(w: World) -> Endorsement:
    """Organisation B's endorsement of version 1 of a statement now at version 2."""
    s = _get(w, "Matrix changed", "open")
    found = s.endorsements.filter(organisation=w.org_b).first()
    if found:
        return found
    e = services.endorse(
        actor=w.other_admin, statement=s, organisation_id=w.org_b.pk, role="endorser"
    )
    services.statement_update(actor=w.user(SEC), statement=s, data={"text_en": "Changed."})
    return e


def _form(w: World, title: str) -> dict[str, Any]:
    data = {k: str(v) for k, v in _data(title).items()}
    data.update(
        order_organising_committee="1", order_speaker="2", order_endorser="3", order_network="4"
    )
    return data


def _item(w: World) -> Any:
    from komar.commitments.models import Item

    return Item.objects.filter(reference="MATRIX/STMT").first() or make_item(
        w, reference="MATRIX/STMT"
    )


def _linked(w: World) -> Statement:
    s = _draft(w)
    if not s.commitment_items.exists():
        services.item_link(actor=w.user(SEC), statement=s, item=_item(w))
    return s


STATEMENT_ROUTES: list[Route] = [
    Route("statement_list", lambda w: "/statements/", EVERYONE),
    Route("statement_create", lambda w: "/statements/new/", DRAFTERS),
    Route(
        "statement_create",
        lambda w: "/statements/new/",
        DRAFTERS,
        method="post",
        data=lambda w: _form(w, "Matrix new"),
        ok=302,
        unchanged=lambda w: Statement.objects.filter(title_en="Matrix new").count(),
    ),
    Route("statement_detail", lambda w: f"/statements/{_published(w).slug}/", EVERYONE),
    Route(
        "statement_detail",
        lambda w: f"/statements/{_open(w).slug}/",
        {*ALL_ROLES, OTHER},
        status_for={ANON: 404},
    ),
    Route(
        "statement_detail",
        lambda w: f"/statements/{_draft(w).slug}/",
        set(ALL_ROLES),
        status_for={ANON: 404, OTHER: 404},
    ),
    Route("statement_versions", lambda w: f"/statements/{_published(w).slug}/versions/", EVERYONE),
    Route(
        "statement_versions",
        lambda w: f"/statements/{_draft(w).slug}/versions/",
        set(ALL_ROLES),
        status_for={ANON: 404, OTHER: 404},
    ),
    Route("statement_pdf", lambda w: f"/statements/{_published(w).slug}/pdf/?lang=km", EVERYONE),
    Route(
        "statement_pdf",
        lambda w: f"/statements/{_open(w).slug}/pdf/?lang=en",
        {*ALL_ROLES, OTHER},
        status_for={ANON: 404},
    ),
    Route(
        "statement_edit",
        lambda w: f"/statements/{_draft(w).slug}/edit/",
        COMMITTEE,
        not_found_for={OTHER},
    ),
    Route(
        "statement_edit",
        lambda w: f"/statements/{_draft(w).slug}/edit/",
        COMMITTEE,
        method="post",
        data=lambda w: _form(w, "Matrix edited"),
        ok=302,
        not_found_for={OTHER},
        unchanged=lambda w: Statement.objects.get(pk=_draft(w).pk).title_en,
    ),
    Route(
        "statement_committee_add",
        lambda w: f"/statements/{_draft(w).slug}/committee/",
        COMMITTEE,
        method="post",
        data=lambda w: {"organisation": w.org_b.pk},
        ok=302,
        not_found_for={OTHER},
        unchanged=lambda w: _draft(w).committee.count(),
    ),
    Route(
        "statement_committee_remove",
        lambda w: f"/statements/{_draft(w).slug}/committee/{w.org_a.pk}/remove/",
        COMMITTEE,
        method="post",
        ok=302,
        not_found_for={OTHER},
        unchanged=lambda w: _draft(w).committee.count(),
    ),
    Route(
        "statement_item_link",
        lambda w: f"/statements/{_draft(w).slug}/items/",
        COMMITTEE,
        method="post",
        data=lambda w: {"reference": _item(w).reference},
        ok=302,
        not_found_for={OTHER},
        unchanged=lambda w: _draft(w).commitment_items.count(),
    ),
    Route(
        "statement_item_unlink",
        lambda w: f"/statements/{_linked(w).slug}/items/{_item(w).pk}/remove/",
        COMMITTEE,
        method="post",
        ok=302,
        not_found_for={OTHER},
        unchanged=lambda w: _linked(w).commitment_items.count(),
    ),
    Route(
        "statement_move",
        lambda w: f"/statements/{_draft(w).slug}/move/open/",
        COMMITTEE,
        method="post",
        ok=302,
        not_found_for={OTHER},
        unchanged=lambda w: Statement.objects.get(pk=_draft(w).pk).status,
    ),
    Route(
        "statement_move",
        lambda w: f"/statements/{_open(w).slug}/move/publish/",
        {SEC},
        method="post",
        ok=302,
        unchanged=lambda w: Statement.objects.get(pk=_open(w).pk).status,
    ),
    Route("statement_endorse", lambda w: f"/statements/{_open(w).slug}/endorse/", DRAFTERS),
    Route(
        "statement_endorse",
        lambda w: f"/statements/{_open(w).slug}/endorse/",
        COMMITTEE,
        method="post",
        data=lambda w: {"organisation": w.org_a.pk, "role": "speaker"},
        ok=302,
        status_for={OTHER: 400},  # not authorised for organisation A: refused, nothing stored
        unchanged=lambda w: _open(w).endorsements.count(),
    ),
    Route("statement_manage", lambda w: f"/statements/{_open(w).slug}/manage/", {SEC}),
    Route(
        "endorsement_withdraw",
        lambda w: f"/statements/endorsements/{_endorsement(w).pk}/withdraw/",
        {OTHER},
        method="post",
        ok=302,
        not_found_for=COMMITTEE,  # another organisation's endorsement
        unchanged=lambda w: Endorsement.objects.get(pk=_endorsement(w).pk).status,
    ),
    Route(
        "endorsement_reconfirm",
        lambda w: f"/statements/endorsements/{_outdated(w).pk}/reconfirm/",
        {OTHER},
        method="post",
        ok=302,
        not_found_for=COMMITTEE,
        unchanged=lambda w: Endorsement.objects.get(pk=_outdated(w).pk).version,
    ),
    Route(
        "endorsement_decide",
        lambda w: f"/statements/endorsements/{_endorsement(w).pk}/decide/",
        {SEC},
        method="post",
        data=lambda w: {"decision": "approve"},
        ok=302,
        unchanged=lambda w: Endorsement.objects.get(pk=_endorsement(w).pk).status,
    ),
    Route(
        "endorsement_move",
        lambda w: f"/statements/endorsements/{_endorsement(w).pk}/move/",
        {SEC},
        method="post",
        data=lambda w: {"direction": "down"},
        ok=302,
        unchanged=lambda w: Endorsement.objects.get(pk=_endorsement(w).pk).position,
    ),
]


# The API and the signatories export (the statements API owner's entries) ---------------------

API = "/api/v1/statements"
SIGNED_IN = {*ALL_ROLES, OTHER}


def _closed(w: World) -> Statement:
    return _get(w, "Matrix closed", "closed")


def _api_new(w: World) -> dict[str, Any]:
    data: dict[str, Any] = {k: str(v) for k, v in _data("Matrix API new").items()}
    data["links"] = [data["links"]]
    return data


STATEMENT_ROUTES += [
    Route(
        "statement_signatories_csv",
        lambda w: f"/statements/{_published(w).slug}/signatories.csv",
        EVERYONE,
    ),
    # Not published: no list of signatories yet, for anyone.
    Route(
        "statement_signatories_csv",
        lambda w: f"/statements/{_open(w).slug}/signatories.csv",
        EVERYONE,
        ok=404,
    ),
    Route("api:list_statements", lambda w: API, SIGNED_IN, api=True),
    Route("api:get_statement", lambda w: f"{API}/{_published(w).slug}", SIGNED_IN, api=True),
    Route(
        "api:get_statement",
        lambda w: f"{API}/{_draft(w).slug}",
        set(ALL_ROLES),
        api=True,
        not_found_for={OTHER},
    ),
    Route(
        "api:list_statement_versions",
        lambda w: f"{API}/{_published(w).slug}/versions",
        SIGNED_IN,
        api=True,
    ),
    Route(
        "api:list_statement_endorsements",
        lambda w: f"{API}/{_open(w).slug}/endorsements",
        SIGNED_IN,
        api=True,
    ),
    Route(
        "api:create_statement",
        lambda w: API,
        DRAFTERS,
        method="post_json",
        data=_api_new,
        ok=201,
        api=True,
        unchanged=lambda w: Statement.objects.filter(title_en="Matrix API new").count(),
    ),
    Route(
        "api:patch_statement",
        lambda w: f"{API}/{_draft(w).slug}",
        COMMITTEE,
        method="patch",
        data=lambda w: {"contact": "hijacked@example.invalid"},
        api=True,
        not_found_for={OTHER},
        unchanged=lambda w: Statement.objects.get(pk=_draft(w).pk).contact,
    ),
    Route(
        "api:open_statement",
        lambda w: f"{API}/{_draft(w).slug}/open",
        COMMITTEE,
        method="post_json",
        api=True,
        not_found_for={OTHER},
        unchanged=lambda w: Statement.objects.get(pk=_draft(w).pk).status,
    ),
    Route(
        "api:close_statement",
        lambda w: f"{API}/{_open(w).slug}/close",
        COMMITTEE,
        method="post_json",
        api=True,
        unchanged=lambda w: Statement.objects.get(pk=_open(w).pk).status,
    ),
    Route(
        "api:reopen_statement",
        lambda w: f"{API}/{_closed(w).slug}/reopen",
        COMMITTEE,
        method="post_json",
        api=True,
        unchanged=lambda w: Statement.objects.get(pk=_closed(w).pk).status,
    ),
    Route(
        "api:publish_statement",
        lambda w: f"{API}/{_open(w).slug}/publish",
        {SEC},
        method="post_json",
        api=True,
        unchanged=lambda w: Statement.objects.get(pk=_open(w).pk).status,
    ),
    Route(
        "api:endorse_statement",
        lambda w: f"{API}/{_open(w).slug}/endorsements",
        COMMITTEE,
        method="post_json",
        data=lambda w: {"organisation": w.org_a.slug, "role": "speaker"},
        ok=201,
        api=True,
        status_for={OTHER: 422},  # not authorised for organisation A: refused, nothing stored
        unchanged=lambda w: _open(w).endorsements.count(),
    ),
    Route(
        "api:withdraw_endorsement",
        lambda w: f"{API}/endorsements/{_endorsement(w).pk}/withdraw",
        {OTHER},
        method="post_json",
        api=True,
        not_found_for=COMMITTEE,  # another organisation's endorsement
        unchanged=lambda w: Endorsement.objects.get(pk=_endorsement(w).pk).status,
    ),
    Route(
        "api:reconfirm_endorsement",
        lambda w: f"{API}/endorsements/{_outdated(w).pk}/reconfirm",
        {OTHER},
        method="post_json",
        api=True,
        not_found_for=COMMITTEE,
        unchanged=lambda w: Endorsement.objects.get(pk=_outdated(w).pk).version,
    ),
    Route(
        "api:approve_endorsement",
        lambda w: f"{API}/endorsements/{_endorsement(w).pk}/approve",
        {SEC},
        method="post_json",
        api=True,
        unchanged=lambda w: Endorsement.objects.get(pk=_endorsement(w).pk).status,
    ),
    Route(
        "api:reject_endorsement",
        lambda w: f"{API}/endorsements/{_endorsement(w).pk}/reject",
        {SEC},
        method="post_json",
        api=True,
        unchanged=lambda w: Endorsement.objects.get(pk=_endorsement(w).pk).status,
    ),
]
