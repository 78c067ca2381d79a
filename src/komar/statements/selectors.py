"""Every read of statements that depends on who is asking, and the signatory lists.

Anonymous visitors see published statements only. Signed-in members also see open and closed
ones, and drafts where an organisation of theirs is on the committee (the secretariat sees every
draft). `statement_get_for` answers 404 for missing and forbidden alike."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from komar.accounts.permissions import has_perm
from komar.accounts.roles import Perm
from komar.commitments.models import Item
from komar.organisations.models import Organisation
from komar.statements import permissions as perms
from komar.statements.models import Endorsement, EndorsementRole, Statement, StatementVersion

S = Statement.Status
LIVE = (Endorsement.Status.PENDING, Endorsement.Status.APPROVED)


def statements_visible_to(*, user: Any) -> QuerySet[Statement]:
    qs = Statement.objects.all()
    if not perms.signed_in(user) or not has_perm(user, Perm.STATEMENTS_VIEW):
        qs = qs.filter(status=S.PUBLISHED)
    elif not perms.is_secretariat(user):
        qs = qs.filter(
            Q(status__in=[S.OPEN, S.CLOSED, S.PUBLISHED])
            | Q(committee__in=perms.member_org_ids(user))
        ).distinct()
    return qs.annotate(
        signatory_count=Count(
            "endorsements",
            filter=Q(endorsements__status=Endorsement.Status.APPROVED),
            distinct=True,
        )
    ).order_by("-date", "-id")


def statement_get_for(*, user: Any, slug: str) -> Statement:
    """The statement, or 404 when it does not exist or the user may not see it."""
    statement = (
        Statement.objects.prefetch_related(
            Prefetch("committee", queryset=Organisation.objects.order_by("name_en")),
            Prefetch(
                "commitment_items",
                queryset=Item.objects.select_related("source").order_by("reference"),
            ),
        )
        .filter(slug=slug)
        .first()
    )
    if statement is None or not perms.can_see(user, statement):
        raise Http404
    return statement


@dataclass
class SignatoryGroup:
    role: str
    label: str
    named: list[Endorsement] = field(default_factory=list)
    anonymous: int = 0

    @property
    def total(self) -> int:
        return len(self.named) + self.anonymous


def _order_key(endorsement: Endorsement) -> tuple[int, int, str]:
    """Placed ones first, by their position; the rest by organisation name."""
    unplaced = 1 if endorsement.position == 0 else 0
    return (unplaced, endorsement.position, endorsement.organisation.name.casefold())


def signatories(statement: Statement) -> list[SignatoryGroup]:
    """The approved endorsements, grouped by role in the statement's order of roles; within a
    group named ones ordered by position then organisation name, anonymous ones only counted.
    Groups without any signatory are left out. One query."""
    groups = {
        role: SignatoryGroup(role=role, label=str(EndorsementRole(role).label))
        for role in statement.role_order
        if role in EndorsementRole.values
    }
    approved = statement.endorsements.filter(status=Endorsement.Status.APPROVED).select_related(
        "organisation"
    )
    for endorsement in approved:
        group = groups.get(endorsement.role)
        if group is None:
            continue
        if endorsement.anonymous:
            group.anonymous += 1
        else:
            group.named.append(endorsement)
    for group in groups.values():
        group.named.sort(key=_order_key)
    return [g for g in groups.values() if g.total]


def endorsements_for_management(statement: Statement) -> list[Endorsement]:
    """Every endorsement, grouped by role in the statement's order, then in signatory order."""
    rows = list(
        statement.endorsements.select_related("organisation", "made_by", "decided_by").all()
    )
    order = {role: i for i, role in enumerate(statement.role_order)}
    status_order: dict[str, int] = {"pending": 0, "approved": 0, "rejected": 1, "withdrawn": 2}
    rows.sort(key=lambda e: (status_order[e.status], order.get(e.role, 99), *_order_key(e)))
    return rows


def endorsements_of(*, user: Any, statement: Statement) -> list[Endorsement]:
    """The endorsements of the organisations the user may endorse for (any status, newest
    first), for the user's own view of the statement."""
    org_ids = perms.endorsing_org_ids(user)
    if not org_ids:
        return []
    return list(
        statement.endorsements.filter(organisation_id__in=org_ids)
        .select_related("organisation")
        .order_by("-made_at", "-id")
    )


def endorsement_get_for(*, user: Any, pk: int, manage: bool = False) -> Endorsement:
    """An endorsement of one of the user's organisations (or any, for the secretariat when
    `manage`); 404 otherwise."""
    endorsement = (
        Endorsement.objects.select_related("statement", "organisation").filter(pk=pk).first()
    )
    if endorsement is None:
        raise Http404
    if manage and perms.is_secretariat(user):
        return endorsement
    if not manage and perms.can_endorse_for(user, endorsement.organisation_id):
        return endorsement
    raise Http404


def versions(statement: Statement) -> list[StatementVersion]:
    return list(statement.versions.select_related("created_by").order_by("-number"))


@dataclass
class ParagraphChange:
    kind: str  # "equal" | "insert" | "delete" | "replace"
    old: list[str]
    new: list[str]


def paragraphs(text: str) -> list[str]:
    """Paragraphs: blocks separated by blank lines, each with its lines joined."""
    blocks = [b.strip() for b in text.replace("\r\n", "\n").split("\n\n")]
    return [b for b in blocks if b]


def diff_paragraphs(old: str, new: str) -> list[ParagraphChange]:
    """What changed between two texts, paragraph by paragraph (difflib)."""
    a, b = paragraphs(old), paragraphs(new)
    out = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        out.append(ParagraphChange(kind=tag, old=a[i1:i2], new=b[j1:j2]))
    return out


@dataclass
class VersionDiff:
    version: StatementVersion
    previous: StatementVersion | None
    title_en_changed: bool
    title_km_changed: bool
    text_en: list[ParagraphChange]
    text_km: list[ParagraphChange]


def version_history(statement: Statement) -> list[VersionDiff]:
    """Each version, newest first, with what changed from the one before it."""
    rows = sorted(versions(statement), key=lambda v: v.number)
    history = []
    previous = None
    for version in rows:
        history.append(
            VersionDiff(
                version=version,
                previous=previous,
                title_en_changed=bool(previous and previous.title_en != version.title_en),
                title_km_changed=bool(previous and previous.title_km != version.title_km),
                text_en=diff_paragraphs(previous.text_en if previous else "", version.text_en),
                text_km=diff_paragraphs(previous.text_km if previous else "", version.text_km),
            )
        )
        previous = version
    return list(reversed(history))


def linkable_items() -> QuerySet[Item]:
    return Item.objects.filter(is_archived=False).order_by("reference")


def live_endorsement_org_ids(statement: Statement) -> set[int]:
    return set(
        statement.endorsements.filter(status__in=LIVE).values_list("organisation_id", flat=True)
    )
