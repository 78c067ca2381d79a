"""The legal timeline, evaluated: where a child stands and the next legal deadline.

Pure functions over plain values (no database), so they can be tested exhaustively. `evaluate`
walks a case's events in order, refuses impossible timelines (`TimelineError`), and applies the
jurisdiction's rules (rows of `LegalRule`, passed in as `Rule`).

Conventions, chosen to warn early rather than late:
- an event without a time is taken to happen at 00:00 that day;
- a limit runs from the start of the phase (arrival in custody, the detention order) and the
  deadline is that instant plus the limit (months are calendar months);
- a sentence is counted from the start of continuous detention (time already served counts);
- when the offence class is not yet recorded, the shortest limit that fits the child's age
  applies; among rules that fit, the most specific (age range and offence class) wins.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta
from django.utils.translation import gettext as _

from komar.cases.models import OFFENCE_SEVERITY, LegalRule, LegalStatus, TimelineEvent, TrialStage

K = TimelineEvent.Kind
PHNOM_PENH = ZoneInfo("Asia/Phnom_Penh")

# Same-day, same-time events are taken in the order things happen in a procedure.
_RANK = {
    K.ARREST: 0,
    K.CUSTODY_START: 1,
    K.CHARGE: 2,
    K.EXTENSION: 3,
    K.CUSTODY_END: 4,
    K.PRETRIAL_ORDER: 5,
    K.IMMEDIATE_APPEARANCE: 5,
    K.TRANSFER: 6,
    K.HEARING_SCHEDULED: 7,
    K.HEARING_HELD: 8,
    K.VERDICT: 9,
    K.SENTENCE: 10,
    K.APPEAL: 11,
    K.DIVERSION: 12,
    K.RELEASE: 13,
}
FUTURE_ALLOWED = {K.HEARING_SCHEDULED}
NEEDS_CHARGE = {K.HEARING_HELD, K.VERDICT}
# Events that say where the child is held.
PLACEMENT_KINDS = {
    K.ARREST,
    K.CUSTODY_START,
    K.PRETRIAL_ORDER,
    K.IMMEDIATE_APPEARANCE,
    K.TRANSFER,
    K.SENTENCE,
}


class Band(enum.StrEnum):
    PAST = "past"
    WITHIN_7 = "within_7"
    WITHIN_30 = "within_30"
    LATER = "later"


def band_of(deadline: dt.datetime | None, now: dt.datetime) -> Band | None:
    if deadline is None:
        return None
    if deadline <= now:
        return Band.PAST
    if deadline <= now + dt.timedelta(days=7):
        return Band.WITHIN_7
    if deadline <= now + dt.timedelta(days=30):
        return Band.WITHIN_30
    return Band.LATER


@dataclass(frozen=True)
class Rule:
    code: str
    kind: str
    offence_class: str = ""
    age_from: int | None = None
    age_to: int | None = None
    limit_value: int | None = None
    limit_unit: str = ""
    extension_value: int | None = None
    extension_unit: str = ""
    max_extensions: int = 0
    age_value: int | None = None
    verified: bool = False
    id: int | None = None

    @classmethod
    def of(cls, row: LegalRule) -> Rule:
        return cls(
            code=row.code,
            kind=row.kind,
            offence_class=row.offence_class,
            age_from=row.age_from,
            age_to=row.age_to,
            limit_value=row.limit_value,
            limit_unit=row.limit_unit,
            extension_value=row.extension_value,
            extension_unit=row.extension_unit,
            max_extensions=row.max_extensions,
            age_value=row.age_value,
            verified=row.verified,
            id=row.pk,
        )

    def fits(self, kind: str, age: int | None, offence_class: str) -> bool:
        if self.kind != kind:
            return False
        if self.age_from is not None and (age is None or age < self.age_from):
            return False
        if self.age_to is not None and (age is None or age >= self.age_to):
            return False
        return not (offence_class and self.offence_class and self.offence_class != offence_class)

    @property
    def specificity(self) -> int:
        return (self.age_from is not None or self.age_to is not None) + bool(self.offence_class)


@dataclass(frozen=True)
class Event:
    kind: str
    date: dt.date
    time: dt.time | None = None
    offence_class: str = ""
    extension_of: str = ""
    outcome: str = ""
    sentence_months: int | None = None
    sentence_days: int | None = None
    custodial: bool | None = None
    held_with_adults: bool | None = None
    place_id: int | None = None
    place_text: str = ""
    ref: Any = None  # the caller's handle (e.g. the row's id), returned in errors

    @classmethod
    def of(cls, row: TimelineEvent) -> Event:
        return cls(
            kind=row.kind,
            date=row.date,
            time=row.time,
            offence_class=row.offence_class,
            extension_of=row.extension_of,
            outcome=row.outcome,
            sentence_months=row.sentence_months,
            sentence_days=row.sentence_days,
            custodial=row.custodial,
            held_with_adults=row.held_with_adults,
            place_id=row.place_id,
            place_text=row.place_text,
            ref=row.pk,
        )

    @property
    def at(self) -> dt.datetime:
        return dt.datetime.combine(self.date, self.time or dt.time(0, 0), tzinfo=PHNOM_PENH)


class TimelineError(ValueError):
    """An impossible timeline. `field` names the form field to attach the message to."""

    def __init__(self, message: str, field: str = "date", ref: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.ref = ref


@dataclass
class Period:
    status: str
    start: dt.datetime
    end: dt.datetime | None = None


@dataclass
class Evaluation:
    legal_status: str = LegalStatus.NOT_DETAINED
    trial_stage: str = TrialStage.NONE
    detained: bool = False
    status_since: dt.datetime | None = None
    detained_since: dt.datetime | None = None
    offence_class: str = ""
    place_id: int | None = None
    place_text: str = ""
    held_with_adults: bool = False
    below_min_age: bool = False
    age_rule: Rule | None = None
    deadline_at: dt.datetime | None = None
    deadline_kind: str = ""
    deadline_rule: Rule | None = None
    deadline_note: str = ""
    extensions_used: int = 0
    extensions_beyond: bool = False
    next_hearing_on: dt.date | None = None
    periods: list[Period] = field(default_factory=list)

    @property
    def deadline_unverified(self) -> bool:
        return self.deadline_rule is not None and not self.deadline_rule.verified


def add(start: dt.datetime, value: int, unit: str) -> dt.datetime:
    if unit == LegalRule.Unit.HOURS:
        return start + dt.timedelta(hours=value)
    if unit == LegalRule.Unit.DAYS:
        return start + dt.timedelta(days=value)
    if unit == LegalRule.Unit.MONTHS:
        return start + relativedelta(months=value)
    raise ValueError(f"unknown unit {unit!r}")


def age_on(birth: dt.date, day: dt.date) -> int:
    """Whole years on `day`. A child born on 29 February turns a year older on 1 March in other
    years (not on 28 February): the benefit of the doubt goes to the child being younger."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def approximate_birth(estimated_age: int, estimated_on: dt.date) -> dt.date:
    """The latest birth date consistent with an estimated age: the youngest the child can be
    (benefit of the doubt, as the law on juvenile justice asks)."""
    return estimated_on - relativedelta(years=estimated_age)


def choose_rule(
    rules: Iterable[Rule], kind: str, age: int | None, offence_class: str
) -> tuple[Rule | None, str]:
    """The rule for this phase, and a note when it was chosen without a recorded offence class."""
    fitting = [r for r in rules if r.fits(kind, age, offence_class)]
    if not fitting:
        return None, "no_rule"
    if not offence_class and len({r.offence_class for r in fitting}) > 1:
        start = dt.datetime(2000, 1, 1, tzinfo=PHNOM_PENH)
        return min(fitting, key=lambda r: limit_end(r, start, 0)), "class_unknown"
    best = max(r.specificity for r in fitting)
    top = [r for r in fitting if r.specificity == best]
    start = dt.datetime(2000, 1, 1, tzinfo=PHNOM_PENH)
    return min(top, key=lambda r: limit_end(r, start, 0)), ""


def limit_end(rule: Rule, start: dt.datetime, extensions: int) -> dt.datetime:
    end = add(start, rule.limit_value or 0, rule.limit_unit or LegalRule.Unit.DAYS)
    for _i in range(min(extensions, rule.max_extensions)):
        if rule.extension_value:
            end = add(end, rule.extension_value, rule.extension_unit or rule.limit_unit)
    return end


def _sort(events: Iterable[Event]) -> list[Event]:
    indexed = list(enumerate(events))
    indexed.sort(key=lambda p: (p[1].at, _RANK.get(K(p[1].kind), 99), p[0]))
    return [e for _i, e in indexed]


def age_rule(rules: Sequence[Rule]) -> Rule | None:
    """The age below which no child may be detained (or, if absent, the minimum age of criminal
    responsibility)."""
    for kind in (LegalRule.Kind.NO_DETENTION_UNDER, LegalRule.Kind.MIN_AGE_RESPONSIBILITY):
        found = [r for r in rules if r.kind == kind and r.age_value is not None]
        if found:
            return max(found, key=lambda r: r.age_value or 0)
    return None


def evaluate(
    events: Iterable[Event],
    *,
    rules: Sequence[Rule],
    age_at_offence: int | None,
    today: dt.date,
) -> Evaluation:
    ev = Evaluation()
    ordered = _sort(events)
    offence_class = ""
    custody_start = pretrial_start = ia_start = None
    release_due: dt.datetime | None = None
    sentence_end: dt.datetime | None = None
    extensions = {"police_custody": 0, "pretrial_detention": 0}
    charged_on: dt.date | None = None
    convicted = False
    verdicts = 0
    pending: list[dt.date] = []
    last_free_at: dt.datetime | None = None

    def become(status: str, at: dt.datetime) -> None:
        if ev.periods and ev.periods[-1].end is None:
            if ev.periods[-1].status == status:
                return
            ev.periods[-1].end = at
        ev.periods.append(Period(status, at))
        ev.legal_status, ev.status_since = status, at

    def detain(at: dt.datetime) -> None:
        nonlocal last_free_at
        if not ev.detained:
            continuing = last_free_at is not None and last_free_at.date() == at.date()
            if not continuing or ev.detained_since is None:
                ev.detained_since = at
        ev.detained = True

    def free(at: dt.datetime) -> None:
        nonlocal last_free_at, release_due, sentence_end
        ev.detained = False
        ev.held_with_adults = False
        ev.place_id, ev.place_text = None, ""
        last_free_at = at
        release_due = sentence_end = None

    for e in ordered:
        kind, at = K(e.kind), e.at
        if e.date > today and kind not in FUTURE_ALLOWED:
            raise TimelineError(_("This date is in the future."), "date", e.ref)
        if kind in PLACEMENT_KINDS:
            if e.place_id is not None or e.place_text:
                ev.place_id, ev.place_text = e.place_id, e.place_text
            if e.held_with_adults is not None:
                ev.held_with_adults = e.held_with_adults
        if (kind in NEEDS_CHARGE or kind == K.HEARING_SCHEDULED) and (
            charged_on is None or charged_on > e.date
        ):
            raise TimelineError(
                _("A hearing or verdict cannot come before the charge. Record the charge first."),
                "date",
                e.ref,
            )
        if kind in (K.ARREST, K.CUSTODY_START):
            if ev.detained and ev.legal_status != LegalStatus.POLICE_CUSTODY:
                raise TimelineError(
                    _("The child is already detained (%(status)s) on this date.")
                    % {"status": LegalStatus(ev.legal_status).label},
                    "kind",
                    e.ref,
                )
            if kind == K.ARREST or custody_start is None or not ev.detained:
                extensions["police_custody"] = 0
            custody_start = at
            detain(at)
            become(LegalStatus.POLICE_CUSTODY, at)
        elif kind == K.CUSTODY_END:
            if ev.legal_status != LegalStatus.POLICE_CUSTODY:
                raise TimelineError(
                    _("Police custody cannot end here: no custody is recorded before it."),
                    "kind",
                    e.ref,
                )
            free(at)
            become(LegalStatus.AT_LIBERTY, at)
        elif kind == K.CHARGE:
            if e.offence_class and OFFENCE_SEVERITY.get(e.offence_class, 0) > OFFENCE_SEVERITY.get(
                offence_class, 0
            ):
                offence_class = e.offence_class
            charged_on = charged_on or e.date
        elif kind == K.PRETRIAL_ORDER:
            if ev.legal_status != LegalStatus.PRETRIAL or pretrial_start is None:
                pretrial_start = at
                extensions["pretrial_detention"] = 0
            detain(at)
            become(LegalStatus.PRETRIAL, at)
        elif kind == K.EXTENSION:
            scope = e.extension_of
            wanted = {
                "police_custody": LegalStatus.POLICE_CUSTODY,
                "pretrial_detention": LegalStatus.PRETRIAL,
            }.get(scope)
            if wanted is None:
                raise TimelineError(_("Say what is extended."), "extension_of", e.ref)
            if ev.legal_status != wanted:
                raise TimelineError(
                    _("There is no %(what)s to extend on this date.")
                    % {"what": TimelineEvent.ExtensionOf(scope).label.lower()},
                    "extension_of",
                    e.ref,
                )
            extensions[scope] += 1
        elif kind == K.IMMEDIATE_APPEARANCE:
            ia_start = at
            detain(at)
            become(LegalStatus.IMMEDIATE_APPEARANCE, at)
        elif kind == K.HEARING_SCHEDULED:
            pending.append(e.date)
        elif kind == K.HEARING_HELD:
            pending = [d for d in pending if d > e.date]
        elif kind == K.VERDICT:
            if e.outcome not in TimelineEvent.Outcome.values:
                raise TimelineError(_("Give the verdict's outcome."), "outcome", e.ref)
            pending = [d for d in pending if d > e.date]
            verdicts += 1
            convicted = e.outcome == TimelineEvent.Outcome.CONVICTED
            ev.trial_stage = TrialStage.CONVICTED if convicted else TrialStage.NONE
            if convicted:
                release_due = None  # a guilty verdict (on appeal) replaces an acquittal
            if ev.detained:
                if convicted:
                    become(LegalStatus.CONVICTED, at)
                else:
                    release_due = at
                    become(LegalStatus.ACQUITTED, at)
        elif kind == K.APPEAL:
            if verdicts == 0:
                raise TimelineError(_("An appeal needs a verdict before it."), "kind", e.ref)
            if convicted:
                ev.trial_stage = TrialStage.AWAITING_FINAL
            if ev.detained:
                become(LegalStatus.APPEAL, at)
        elif kind == K.SENTENCE:
            if not convicted:
                raise TimelineError(
                    _("A sentence needs a guilty verdict recorded before it."), "kind", e.ref
                )
            length = relativedelta(months=e.sentence_months or 0, days=e.sentence_days or 0)
            custodial = (
                e.custodial
                if e.custodial is not None
                else bool(e.sentence_months or e.sentence_days)
            )
            if ev.detained:
                if custodial:
                    sentence_end = (ev.detained_since or at) + length
                    become(LegalStatus.SENTENCED, at)
                else:
                    release_due = at
        elif kind == K.TRANSFER:
            if not ev.detained:
                raise TimelineError(
                    _("A transfer needs the child to be detained on this date."), "kind", e.ref
                )
        elif kind == K.DIVERSION:
            free(at)
            become(LegalStatus.DIVERSION, at)
        elif kind == K.RELEASE:
            if not ev.detained:
                raise TimelineError(
                    _(
                        "A release needs the child to be detained on this date: record the arrest "
                        "or detention before it."
                    ),
                    "date",
                    e.ref,
                )
            free(at)
            become(LegalStatus.RELEASED, at)

    if ev.trial_stage == TrialStage.NONE and ev.detained and verdicts == 0:
        ev.trial_stage = TrialStage.NOT_TRIED
    ev.offence_class = offence_class
    ev.next_hearing_on = min(pending) if pending else None
    if not ev.detained:
        # A placement recorded while at liberty (e.g. a sentence's prison) is not where the
        # child is.
        ev.held_with_adults, ev.place_id, ev.place_text = False, None, ""
        return ev

    # Deadlines for a detained child.
    ev.age_rule = age_rule(rules)
    if (
        ev.age_rule is not None
        and age_at_offence is not None
        and age_at_offence < (ev.age_rule.age_value or 0)
    ):
        ev.below_min_age = True
        ev.deadline_at, ev.deadline_kind, ev.deadline_rule = (
            ev.detained_since,
            "no_detention",
            ev.age_rule,
        )
        return ev
    status = ev.legal_status
    phase = {
        LegalStatus.POLICE_CUSTODY: (LegalRule.Kind.POLICE_CUSTODY, custody_start),
        LegalStatus.PRETRIAL: (LegalRule.Kind.PRETRIAL, pretrial_start),
        LegalStatus.IMMEDIATE_APPEARANCE: (LegalRule.Kind.IMMEDIATE_APPEARANCE, ia_start),
    }.get(LegalStatus(status))
    if release_due is not None:
        ev.deadline_at, ev.deadline_kind = release_due, "release_due"
    elif status == LegalStatus.SENTENCED and sentence_end is not None:
        ev.deadline_at, ev.deadline_kind = sentence_end, "sentence_end"
    elif phase is not None and phase[1] is not None:
        rule, note = choose_rule(rules, phase[0], age_at_offence, offence_class)
        ev.deadline_note = note
        if rule is not None:
            scope = (
                "police_custody"
                if phase[0] == LegalRule.Kind.POLICE_CUSTODY
                else "pretrial_detention"
            )
            used = (
                extensions.get(scope, 0) if phase[0] != LegalRule.Kind.IMMEDIATE_APPEARANCE else 0
            )
            ev.extensions_used = used
            ev.extensions_beyond = used > rule.max_extensions
            ev.deadline_at = limit_end(rule, phase[1], used)
            ev.deadline_kind, ev.deadline_rule = str(phase[0]), rule
    return ev


def time_in_status(periods: Sequence[Period], now: dt.datetime) -> dict[str, dt.timedelta]:
    """Total time spent in each status (the current one counted up to `now`)."""
    totals: dict[str, dt.timedelta] = {}
    for p in periods:
        end = p.end or now
        totals[p.status] = totals.get(p.status, dt.timedelta()) + max(end - p.start, dt.timedelta())
    return totals
