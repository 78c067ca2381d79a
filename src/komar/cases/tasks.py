"""Background work for cases (django-tasks; run by `komar worker`). Tasks take IDs, call one
service, and are idempotent."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django_tasks import task

from komar.accounts.models import Membership
from komar.accounts.roles import Role
from komar.cases import services
from komar.cases.deadlines import band_of
from komar.cases.models import Case, WatchAlert
from komar.cases.selectors import watch_condition
from komar.notifications.services import notify


@task()
def recompute_deadlines(ruleset_id: int) -> int:
    """Recompute every open case's deadline under a rule set (after a rule was changed)."""
    return services.recompute_ruleset(ruleset_id)


@task()
def anonymise_expired_cases() -> int:
    """Anonymise closed cases past the retention period (KOMAR_CASE_RETENTION_DAYS)."""
    return services.anonymise_expired()


def _alerts_of(case: Case, now: dt.datetime) -> list[tuple[str, str]]:
    """(band, key) pairs this case is in now. The key ties a deadline band to the deadline, so a
    new deadline raises a new alert."""
    found = []
    band = band_of(case.deadline_at, now)
    if band is not None and band != "later":
        found.append((str(band), case.deadline_at.isoformat() if case.deadline_at else ""))
    if case.below_min_age:
        found.append(("below_min_age", ""))
    if case.detained and case.held_with_adults:
        found.append(("with_adults", case.current_place_text or str(case.current_place_id or "")))
    if case.detained and case.lawyer_id is None:
        found.append(("no_lawyer", ""))
    if case.next_hearing_on and case.next_hearing_on < timezone.localdate(now):
        found.append(("hearing", case.next_hearing_on.isoformat()))
    return found


def _message(case: Case, band: str) -> tuple[str, str]:
    subjects = {
        "past": _("Case %(code)s: past the legal limit"),
        "within_7": _("Case %(code)s: legal limit within 7 days"),
        "within_30": _("Case %(code)s: legal limit within 30 days"),
        "below_min_age": _("Case %(code)s: a child below the minimum age is detained"),
        "with_adults": _("Case %(code)s: the child is held with adults"),
        "no_lawyer": _("Case %(code)s: a detained child has no lawyer assigned"),
        "hearing": _("Case %(code)s: a hearing has no outcome recorded"),
    }
    subject = subjects[band] % {"code": case.code}
    lines = []
    if case.deadline_at and band in ("past", "within_7", "within_30", "below_min_age"):
        lines.append(
            _("Deadline: %(when)s.")
            % {"when": date_format(timezone.localtime(case.deadline_at), "DATETIME_FORMAT")}
        )
    rule = case.deadline_rule
    if rule is not None and band in ("past", "within_7", "within_30", "below_min_age"):
        lines.append(f"{rule.title} — {rule.citation}")
        if not rule.verified:
            lines.append(
                _(
                    "This limit comes from a rule that is not yet verified: check it against the "
                    "law before acting on it."
                )
            )
    lines.append(_("Open the case in Komar to see the timeline."))
    return subject, "\n".join(lines)


@transaction.atomic
def notify_case(case: Case, now: dt.datetime) -> int:
    """Raise each new alert of one case once, and tell the people responsible. Atomic: an alert is
    recorded only together with its notifications, so a failure part-way is retried next run
    rather than leaving people who were never told."""
    sent = 0
    admins = None
    for band, key in _alerts_of(case, now):
        alert, created = WatchAlert.objects.get_or_create(case=case, band=band, deadline_key=key)
        if not created:
            continue
        if admins is None:
            admins = [
                m.user
                for m in Membership.objects.filter(
                    organisation_id=case.organisation_id, role=Role.ORG_ADMIN
                ).select_related("user")
            ]
        people = {u.pk: u for u in [case.lawyer, case.social_worker, *admins] if u is not None}
        for user in people.values():
            sent += notify(
                user=user,
                key=f"watch:{alert.pk}",
                url=f"/cases/{case.code}/",
                render=lambda band=band: _message(case, band),  # type: ignore[misc]
            )
    return sent


@task()
def notify_watch_bands() -> int:
    """Daily: tell each case's lawyer, social worker and organisation admins (in-app and by
    e-mail, in their language) when the case enters a band. Idempotent per (case, band,
    deadline)."""
    now = timezone.now()
    qs = (
        Case.objects.filter(watch_condition(now, timezone.localdate(now)))
        .select_related("lawyer", "social_worker", "deadline_rule")
        .order_by("pk")
    )
    sent = 0
    for case in qs.iterator(chunk_size=500):
        sent += notify_case(case, now)
    return sent
