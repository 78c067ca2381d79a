"""Reads that cross a permission boundary. Each decides what the user may see and fails closed;
`case_get_for` raises 404 for missing and forbidden alike, and logs the read."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Case as When_
from django.db.models import (
    CharField,
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.http import Http404
from django.utils import timezone

from komar.accounts.roles import Perm
from komar.audit import services as audit
from komar.audit.models import AuditEvent
from komar.cases.models import Case, IdentityIndex, LegalRule, Referral, RuleSet
from komar.cases.permissions import CaseAccess, access_for, org_ids_with

LIVE_REFERRAL = [Referral.Status.PENDING, Referral.Status.ACCEPTED]


@dataclass(frozen=True)
class CaseFilters:
    q: str = ""  # case code or an external ID
    status: str = ""
    legal_status: str = ""
    band: str = ""
    mine: bool = False


def cases_visible_to(
    *, user: Any, filters: CaseFilters | None = None, scope: str = "all"
) -> QuerySet[Case]:
    """Cases the user may see: their organisations' own, and those referred to them.

    `scope` narrows to "own" or "referred". The own cases alone are a plain filter on the owner,
    which the (organisation, -opened_on, -id) index answers in order at any size; the referred
    ones are few, so their ids are fetched first (one small query) instead of a correlated
    subquery on every case."""
    orgs = org_ids_with(user, Perm.CHILD_RECORDS_VIEW)
    if not orgs:
        return Case.objects.none()
    own = Q(organisation_id=next(iter(orgs))) if len(orgs) == 1 else Q(organisation_id__in=orgs)
    referred: list[int] = []
    if scope != "own":
        referred = list(
            Referral.objects.filter(to_organisation_id__in=orgs, status__in=LIVE_REFERRAL)
            .exclude(case__organisation_id__in=orgs)
            .values_list("case_id", flat=True)
        )
    if scope == "own":
        qs = Case.objects.filter(own)
    elif scope == "referred":
        qs = Case.objects.filter(pk__in=referred)
    else:
        qs = Case.objects.filter(own | Q(pk__in=referred) if referred else own)
    f = filters or CaseFilters()
    if f.q:
        term = f.q.strip()
        qs = qs.filter(
            Q(code__iexact=term)
            | Q(primero_case_id=term)
            | Q(mosvy_number=term)
            | Q(oscar_global_id=term)
        )
    if f.status:
        qs = qs.filter(status=f.status)
    if f.legal_status:
        qs = qs.filter(legal_status=f.legal_status)
    if f.mine:
        qs = qs.filter(Q(lawyer=user) | Q(social_worker=user))
    if f.band:  # deadline bands describe open cases only
        qs = with_band(qs).filter(band=f.band, status=Case.Status.OPEN)  # type: ignore[misc]
    return qs.select_related("organisation", "lawyer", "social_worker", "current_place")


def band_expression(now: dt.datetime | None = None) -> When_:
    now = now or timezone.now()
    return When_(
        When(deadline_at__isnull=True, then=Value("")),
        When(deadline_at__lte=now, then=Value("past")),
        When(deadline_at__lte=now + dt.timedelta(days=7), then=Value("within_7")),
        When(deadline_at__lte=now + dt.timedelta(days=30), then=Value("within_30")),
        default=Value("later"),
        output_field=CharField(),
    )


def with_band(qs: QuerySet[Case], now: dt.datetime | None = None) -> QuerySet[Case]:
    return qs.annotate(band=band_expression(now))


def watch_condition(now: dt.datetime, today: dt.date) -> Q:
    """Open cases that need attention: a deadline within 30 days or past, a child detained below
    the minimum age or with adults, a detained child without a lawyer, a hearing without an
    outcome."""
    return Q(status=Case.Status.OPEN) & (
        Q(deadline_at__lte=now + dt.timedelta(days=30))
        | Q(below_min_age=True)
        | Q(detained=True, held_with_adults=True)
        | Q(detained=True, lawyer__isnull=True)
        | Q(next_hearing_on__lt=today)
    )


def watch_list(
    *, user: Any, organisation_id: int | None = None, now: dt.datetime | None = None
) -> QuerySet[Case]:
    """The owning organisations' watch list, most urgent first."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    orgs = org_ids_with(user, Perm.CHILD_RECORDS_VIEW)
    if organisation_id is not None:
        orgs &= {organisation_id}
    return (
        with_band(Case.objects.filter(organisation_id__in=orgs), now)
        .filter(watch_condition(now, today))
        .select_related("organisation", "lawyer", "current_place", "deadline_rule")
        .order_by(F("deadline_at").asc(nulls_last=True), "opened_on", "pk")
    )


WATCH_COUNTS = (
    "past",
    "within_7",
    "within_30",
    "below_min_age",
    "with_adults",
    "no_lawyer",
    "hearing",
)


def watch_counts(qs: QuerySet[Case], now: dt.datetime | None = None) -> dict[str, int]:
    """How many cases of `qs` are in each band and flag — one query."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    open_ = Q(status=Case.Status.OPEN)
    return qs.order_by().aggregate(
        past=Count("pk", filter=open_ & Q(deadline_at__lte=now)),
        within_7=Count(
            "pk",
            filter=open_ & Q(deadline_at__gt=now, deadline_at__lte=now + dt.timedelta(days=7)),
        ),
        within_30=Count(
            "pk",
            filter=open_
            & Q(
                deadline_at__gt=now + dt.timedelta(days=7),
                deadline_at__lte=now + dt.timedelta(days=30),
            ),
        ),
        below_min_age=Count("pk", filter=open_ & Q(below_min_age=True)),
        with_adults=Count("pk", filter=open_ & Q(detained=True, held_with_adults=True)),
        no_lawyer=Count("pk", filter=open_ & Q(detained=True, lawyer__isnull=True)),
        hearing=Count("pk", filter=open_ & Q(next_hearing_on__lt=today)),
    )


def coalition_watch(now: dt.datetime | None = None) -> list[dict[str, Any]]:
    """The coalition-wide watch in aggregate: counts per organisation, no child named. One
    query."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    open_ = Q(status=Case.Status.OPEN)
    rows = (
        Case.objects.filter(open_)
        .values("organisation__slug", "organisation__name_en", "organisation__name_km")
        .annotate(
            open_cases=Count("pk"),
            detained_now=Count("pk", filter=Q(detained=True)),
            past=Count("pk", filter=Q(deadline_at__lte=now)),
            within_7=Count(
                "pk", filter=Q(deadline_at__gt=now, deadline_at__lte=now + dt.timedelta(days=7))
            ),
            within_30=Count(
                "pk",
                filter=Q(
                    deadline_at__gt=now + dt.timedelta(days=7),
                    deadline_at__lte=now + dt.timedelta(days=30),
                ),
            ),
            below_min_age=Count("pk", filter=Q(below_min_age=True)),
            with_adults=Count("pk", filter=Q(detained=True, held_with_adults=True)),
            no_lawyer=Count("pk", filter=Q(detained=True, lawyer__isnull=True)),
            hearing=Count("pk", filter=Q(next_hearing_on__lt=today)),
        )
        .order_by("-past", "-within_7", "organisation__name_en")
    )
    return list(rows)


def case_get_for(
    *, user: Any, code: str, log: bool = True, reason: str = ""
) -> tuple[Case, CaseAccess]:
    """The case with this code if the user may see it, else 404 (missing and forbidden look the
    same). Each successful read is written to the access log."""
    case = (
        Case.objects.select_related(
            "organisation", "ruleset", "lawyer", "social_worker", "current_place", "deadline_rule"
        )
        .filter(code=code)
        .first()
    )
    if case is None:
        raise Http404
    referral = None
    access = access_for(user, case)
    if access is None:
        orgs = org_ids_with(user, Perm.CHILD_RECORDS_VIEW)
        referral = (
            case.referrals.filter(to_organisation_id__in=orgs, status__in=LIVE_REFERRAL)
            .order_by("-created_at")
            .first()
        )
        access = access_for(user, case, referral)
    if access is None:
        raise Http404
    if log:
        audit.record(
            actor=user,
            action="cases.case.read",
            target=audit.Target("cases.case", str(case.pk), case.code),
            changes={"reason": reason} if reason else None,
            organisation_id=case.organisation_id,
        )
    return case, access


def access_log(case: Case) -> QuerySet[AuditEvent]:
    """Every event about this case: reads, decryptions, exports and changes."""
    return AuditEvent.objects.filter(
        target_type="cases.case", target_id=str(case.pk)
    ).select_related("actor")


def possible_duplicates(*, user: Any, digests: set[str]) -> QuerySet[Case]:
    """Cases the user can see whose child has the same blind index (same normalised name and
    birth year). Cases of other organisations are never revealed."""
    if not digests:
        return Case.objects.none()
    matches = IdentityIndex.objects.filter(case=OuterRef("pk"), digest__in=digests)
    return cases_visible_to(user=user).filter(Exists(matches))


def referrals_received(*, user: Any) -> QuerySet[Referral]:
    orgs = org_ids_with(user, Perm.CHILD_RECORDS_VIEW)
    return (
        Referral.objects.filter(to_organisation_id__in=orgs)
        .select_related("case", "case__organisation", "to_organisation")
        .order_by("status", "-created_at")
    )


def active_ruleset() -> RuleSet:
    ruleset = RuleSet.objects.filter(code=settings.KOMAR_RULESET).first()
    if ruleset is None:
        raise LookupError("No rule set loaded: run `komar loadreference`.")
    return ruleset


def rules_of(ruleset: RuleSet) -> QuerySet[LegalRule]:
    return ruleset.rules.select_related("verified_by")
