"""Every read of the commitments tracker that depends on who is asking.

Anonymous visitors (and every page of the public site, `public=True`) see published, current
items only, with their published assessments and public evidence and the public lines of their
history. Signed-in members see every item; drafts only where permissions.py says so."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.http import Http404

from komar.accounts.permissions import has_perm
from komar.accounts.roles import Perm
from komar.commitments.models import (
    Action,
    Assessment,
    AssessmentState,
    Evidence,
    Item,
    ItemActor,
    ItemEvent,
    ItemLink,
    Perspective,
    Progress,
    Source,
    Theme,
)
from komar.commitments.permissions import assessor_org_ids, can_see_evidence, signed_in
from komar.organisations.models import Organisation


@dataclass
class ItemFilters:
    q: str = ""
    source: int | None = None
    kind: str = ""
    theme: str = ""  # theme code
    situation: str = ""  # situation code
    actor: int | None = None  # organisation id (lead or supporting)
    status: str = ""  # a Progress value
    perspective: str = ""  # which view `status` is read from; both if empty
    gap: bool = False  # government and coalition views differ
    response: str = ""  # the state's response
    archived: bool = False  # the archive instead of current items
    overdue: bool = False


def is_public(user: Any, public: bool = False) -> bool:
    return public or not signed_in(user)


def items_visible_to(
    *, user: Any, filters: ItemFilters | None = None, public: bool = False
) -> QuerySet[Item]:
    f = filters or ItemFilters()
    qs = Item.objects.all()
    if is_public(user, public):
        qs = qs.filter(is_published=True, is_archived=False)
    elif not has_perm(user, Perm.COMMITMENTS_VIEW):
        return Item.objects.none()
    else:
        qs = qs.filter(is_archived=f.archived)
    if f.q:
        term = f.q.strip()
        qs = qs.filter(
            Q(reference__icontains=term)
            | Q(text_en__icontains=term)
            | Q(text_km__icontains=term)
            | Q(summary_en__icontains=term)
            | Q(summary_km__icontains=term)
        )
    if f.source:
        qs = qs.filter(source_id=f.source)
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.theme:
        qs = qs.filter(themes__code=f.theme)
    if f.situation:
        qs = qs.filter(situations__code=f.situation)
    if f.actor:
        qs = qs.filter(actors__organisation_id=f.actor)
    if f.status:
        if f.perspective == Perspective.GOVERNMENT:
            qs = qs.filter(government_status=f.status)
        elif f.perspective == Perspective.COALITION:
            qs = qs.filter(coalition_status=f.status)
        else:
            qs = qs.filter(Q(government_status=f.status) | Q(coalition_status=f.status))
    if f.gap:
        qs = gap_filter(qs)
    if f.response:
        qs = qs.filter(state_response=f.response)
    if f.overdue:
        from django.utils import timezone

        qs = qs.filter(due_on__lt=timezone.localdate()).exclude(
            coalition_status=Progress.IMPLEMENTED
        )
    return qs.select_related("source").prefetch_related(
        "themes",
        Prefetch("actors", queryset=ItemActor.objects.select_related("organisation")),
    )


def gap_filter(qs: QuerySet[Item]) -> QuerySet[Item]:
    """Items whose government and coalition views are both recorded and differ."""
    return (
        qs.exclude(government_status="")
        .exclude(coalition_status="")
        .exclude(government_status=F("coalition_status"))
    )


def item_get_for(*, user: Any, pk: int, public: bool = False) -> Item:
    """The item, or 404 when it does not exist or the user may not see it."""
    qs = Item.objects.select_related("source", "focal_point").prefetch_related(
        "themes",
        "situations",
        "affected_groups",
        "sdg_targets",
        Prefetch("actors", queryset=ItemActor.objects.select_related("organisation")),
    )
    if is_public(user, public):
        qs = qs.filter(is_published=True, is_archived=False)
    elif not has_perm(user, Perm.COMMITMENTS_VIEW):
        raise Http404
    item = qs.filter(pk=pk).first()
    if item is None:
        raise Http404
    return item


def assessments_visible_to(
    *, user: Any, item: Item | None = None, public: bool = False
) -> QuerySet[Assessment]:
    """Assessments the user may read (of one item, or all), newest first."""
    qs = Assessment.objects.select_related("item", "organisation", "validated_by")
    if item is not None:
        qs = qs.filter(item=item)
    if is_public(user, public):
        return qs.filter(state=AssessmentState.PUBLISHED, item__is_published=True)
    if not has_perm(user, Perm.COMMITMENTS_VIEW):
        return qs.none()
    seen = Q(state__in=[AssessmentState.PUBLISHED, AssessmentState.VALIDATED])
    for perspective in Perspective.values:
        orgs = assessor_org_ids(user, perspective)
        if orgs:
            seen |= Q(perspective=perspective, organisation_id__in=orgs)
    if has_perm(user, Perm.COMMITMENTS_VALIDATE) or has_perm(user, Perm.COMMITMENTS_PUBLISH):
        seen |= Q(state=AssessmentState.SUBMITTED)
    return qs.filter(seen)


def assessment_get_for(*, user: Any, pk: int, public: bool = False) -> Assessment:
    found = assessments_visible_to(user=user, public=public).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def evidence_for(*, user: Any, assessments: list[Assessment]) -> dict[int, list[Evidence]]:
    """The evidence of each assessment that the user may see (one query)."""
    rows = Evidence.objects.filter(assessment__in=assessments).select_related("assessment__item")
    out: dict[int, list[Evidence]] = {a.pk: [] for a in assessments}
    for ev in rows:
        if can_see_evidence(user, ev):
            out[ev.assessment_id].append(ev)
    return out


def evidence_get_for(*, user: Any, pk: int) -> Evidence:
    ev = Evidence.objects.select_related("assessment__item").filter(pk=pk).first()
    if ev is None or not can_see_evidence(user, ev):
        raise Http404
    return ev


def side_by_side(*, user: Any, item: Item, public: bool = False) -> dict[str, list[Assessment]]:
    """The item's assessments the user may read, per perspective, newest first."""
    out: dict[str, list[Assessment]] = {p: [] for p in Perspective.values}
    for a in assessments_visible_to(user=user, item=item, public=public):
        out[a.perspective].append(a)
    return out


def actions_of(*, user: Any, item: Item, public: bool = False) -> QuerySet[Action]:
    if is_public(user, public):
        return Action.objects.none()  # actions are shared within the coalition only
    return Action.objects.filter(item=item).select_related("organisation", "responsible")


def action_get_for(*, user: Any, pk: int) -> Action:
    """An action (with its item), or 404 for the public and for those without the tracker."""
    if not signed_in(user) or not has_perm(user, Perm.COMMITMENTS_VIEW):
        raise Http404
    found = Action.objects.select_related("item", "organisation", "responsible").filter(pk=pk)
    action = found.first()
    if action is None:
        raise Http404
    return action


def link_rows(item: Item, public: bool = False) -> list[tuple[str, str, Item]]:
    """(relation code, "out" or "in", other item) for the API; as `links_of`, the public sees
    published items only."""
    out = [
        (link.kind, "out", link.to_item)
        for link in ItemLink.objects.filter(from_item=item).select_related("to_item")
    ]
    out += [
        (link.kind, "in", link.from_item)
        for link in ItemLink.objects.filter(to_item=item).select_related("from_item")
    ]
    if public:
        out = [row for row in out if row[2].is_published and not row[2].is_archived]
    return out


def links_of(item: Item, public: bool = False) -> list[tuple[str, Item]]:
    """(relation, other item) pairs, both directions; the public sees published items only."""
    out = []
    for link in ItemLink.objects.filter(from_item=item).select_related("to_item"):
        out.append((link.get_kind_display(), link.to_item))
    for link in ItemLink.objects.filter(to_item=item).select_related("from_item"):
        out.append((f"← {link.get_kind_display()}", link.from_item))
    if public:
        out = [(r, other) for r, other in out if other.is_published and not other.is_archived]
    return out


def history(*, user: Any, item: Item, public: bool = False) -> QuerySet[ItemEvent]:
    qs = ItemEvent.objects.filter(item=item).select_related("actor")
    if is_public(user, public):
        qs = qs.filter(public=True)
    return qs


def changes_since(*, user: Any, since: dt.date, public: bool = False) -> QuerySet[ItemEvent]:
    """Every line of history since a date, across the items the user may see, newest first."""
    qs = ItemEvent.objects.filter(at__date__gte=since).select_related("item", "actor")
    if is_public(user, public):
        return qs.filter(public=True, item__is_published=True, item__is_archived=False)
    if not has_perm(user, Perm.COMMITMENTS_VIEW):
        return qs.none()
    return qs


def review_queue(*, user: Any) -> dict[str, QuerySet[Assessment]]:
    """Assessments waiting for this user: submitted ones to validate, validated ones to
    publish."""
    base = Assessment.objects.select_related("item", "organisation").order_by("submitted_at", "id")
    none = base.none()
    return {
        "to_validate": base.filter(state=AssessmentState.SUBMITTED)
        if has_perm(user, Perm.COMMITMENTS_VALIDATE)
        else none,
        "to_publish": base.filter(state=AssessmentState.VALIDATED)
        if has_perm(user, Perm.COMMITMENTS_PUBLISH)
        else none,
    }


def sources_visible_to(*, user: Any, public: bool = False) -> QuerySet[Source]:
    """Sources with their count of items the user may see."""
    if is_public(user, public):
        counted = Q(items__is_published=True, items__is_archived=False)
        return Source.objects.annotate(n_items=Count("items", filter=counted)).filter(n_items__gt=0)
    if not has_perm(user, Perm.COMMITMENTS_VIEW):
        return Source.objects.none()
    return Source.objects.annotate(n_items=Count("items", filter=Q(items__is_archived=False)))


# Dashboard -----------------------------------------------------------------------------------


def _tally(grouped: Any, key: str | None = None) -> dict[Any, dict[str, Any]]:
    """Fold rows of (key, government_status, coalition_status, n) — one GROUP BY, a few dozen
    rows whatever the number of items — into per-key counts from both perspectives."""
    rows: dict[Any, dict[str, Any]] = {}
    for g in grouped:
        gov, coal, n = g["government_status"], g["coalition_status"], g["n"]
        row = rows.setdefault(
            g[key] if key else None,
            {"key": g[key] if key else None, "total": 0, "gap": 0, "government": {},
             "coalition": {}},
        )  # fmt: skip
        row["government"][gov] = row["government"].get(gov, 0) + n
        row["coalition"][coal] = row["coalition"].get(coal, 0) + n
        row["total"] += n
        if gov and coal and gov != coal:
            row["gap"] += n
    return rows


def progress_by(*, user: Any, dimension: str, public: bool = False) -> list[dict[str, Any]]:
    """Items per status for each theme (`dimension="theme"`) or lead actor (`"actor"`), from
    both perspectives, counted in the database in one GROUP BY. Rows: {"key", "label_en",
    "label_km", "total", "government": {status: n, "": n}, "coalition": {...}, "gap": n}."""
    items = items_visible_to(user=user, public=public).order_by()
    if dimension == "theme":
        key = "themes__id"
        items = items.filter(themes__isnull=False)
    else:
        key = "actors__organisation_id"
        items = items.filter(actors__role=ItemActor.Role.LEAD)
    grouped = (
        items.values(key, "government_status", "coalition_status")
        .annotate(n=Count("id"))  # (item, theme) and (item, actor) pairs are unique
        .order_by()
    )
    rows = _tally(grouped, key)
    names: Any = (
        Theme.objects.filter(pk__in=rows).values_list("pk", "name_en", "name_km", "sort_order")
        if dimension == "theme"
        else Organisation.objects.filter(pk__in=rows).values_list("pk", "name_en", "name_km", "pk")
    )
    order = {}
    for pk, name_en, name_km, sort in names:
        rows[pk].update(label_en=name_en, label_km=name_km)
        order[pk] = sort if dimension == "theme" else 0
    return sorted(rows.values(), key=lambda r: (order.get(r["key"], 0), r.get("label_en") or ""))


def progress_totals(*, user: Any, public: bool = False) -> dict[str, Any]:
    """Counts over all visible items, in one GROUP BY: per status from each perspective, the
    total and the gap."""
    items = items_visible_to(user=user, public=public).order_by()
    grouped = (
        items.values("government_status", "coalition_status").annotate(n=Count("id")).order_by()
    )
    tally = _tally(grouped).get(None) or {"total": 0, "gap": 0, "government": {}, "coalition": {}}
    return {
        "total": tally["total"],
        "gap": tally["gap"],
        Perspective.GOVERNMENT: tally["government"],
        Perspective.COALITION: tally["coalition"],
    }
