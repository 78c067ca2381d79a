"""Writes for case records. Each is atomic and writes its audit event in the same transaction.
Identifying values never reach the audit trail: only that an identifying field changed.

Concurrent edits: every write that changes a case takes `expected_version` (the version the
user saw). If someone saved in between, `ConcurrentEdit` says who changed what since then, and
nothing is written.
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from komar.accounts.permissions import has_perm
from komar.accounts.roles import Perm
from komar.audit import services as audit
from komar.cases import deadlines
from komar.cases.crypto import identity_digests
from komar.cases.models import (
    Case,
    CaseNote,
    ChildIdentity,
    Consent,
    IdentityIndex,
    LegalRule,
    Referral,
    RuleSet,
    ServiceProvided,
    TimelineEvent,
)
from komar.cases.permissions import org_ids_with
from komar.cases.selectors import access_log, active_ruleset, possible_duplicates

IDENTITY_FIELDS = (
    "name_km",
    "name_latin",
    "birth_date",
    "estimated_age",
    "estimated_on",
    "sex",
    "guardian_name",
    "guardian_contact",
    "home_village_code",
)
CASE_FIELDS = (
    "lawyer",
    "social_worker",
    "offence_date",
    "primero_case_id",
    "mosvy_number",
    "oscar_global_id",
)
EVENT_FIELDS = (
    "kind",
    "date",
    "time",
    "place",
    "place_text",
    "document",
    "offence",
    "offence_class",
    "extension_of",
    "outcome",
    "sentence_months",
    "sentence_days",
    "custodial",
    "held_with_adults",
    "measure",
    "note",
)
MAX_PHOTO_BYTES = 2 * 1024 * 1024


# Errors -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    who: str
    when: dt.datetime
    action: str
    fields: list[str]


class ConcurrentEdit(ValidationError):
    """Someone else saved this case since the user loaded it."""

    def __init__(self, case: Case, since_version: int, changes: list[Change]) -> None:
        parts = [
            _("%(who)s changed %(fields)s at %(when)s")
            % {
                "who": c.who or _("someone"),
                "fields": ", ".join(c.fields) or c.action,
                "when": timezone.localtime(c.when).strftime("%Y-%m-%d %H:%M"),
            }
            for c in changes
        ]
        message = _(
            "This case was changed by someone else after you opened it (version %(old)s → "
            "%(new)s): %(what)s. Nothing of yours was saved; reload the case, check their "
            "changes and enter yours again."
        ) % {"old": since_version, "new": case.version, "what": "; ".join(parts) or "—"}
        super().__init__(message, code="conflict")
        self.case = case
        self.since_version = since_version
        self.current_version = case.version
        self.changes = changes


class DuplicateWarning(ValidationError):
    """A child with the same normalised name and birth year already has a case the user can see."""

    def __init__(self, candidates: list[Case]) -> None:
        codes = ", ".join(c.code for c in candidates)
        super().__init__(
            _(
                "This child may already have a case: %(codes)s. Open that case instead, or "
                "confirm that this is a different child."
            )
            % {"codes": codes},
            code="duplicate",
        )
        self.candidates = candidates


def changes_since(case: Case, version: int) -> list[Change]:
    events = access_log(case).order_by("-seq")[:50]
    found = []
    for e in events:
        new_version = (e.changes or {}).get("version", {}).get("new")
        if new_version is None:
            continue
        if new_version <= version:
            break
        fields = [f for f in (e.changes or {}) if f not in {"version", "reason"}]
        found.append(Change(e.actor_label, e.occurred_at, e.action, fields))
    return list(reversed(found))


def _lock(case: Case, expected_version: int | None) -> Case:
    """The case, locked for this transaction; refuses if it changed since `expected_version`."""
    locked = Case.objects.select_for_update().get(pk=case.pk)
    if expected_version is not None and locked.version != expected_version:
        raise ConcurrentEdit(locked, expected_version, changes_since(locked, expected_version))
    if locked.anonymised_at is not None:
        raise ValidationError(_("This case was anonymised and can no longer be changed."))
    return locked


def _target(case: Case) -> audit.Target:
    return audit.Target("cases.case", str(case.pk), case.code)


def _bump(case: Case) -> dict[str, Any]:
    old = case.version
    case.version = old + 1
    return {"version": {"old": old, "new": case.version}}


def _record(actor: Any, action: str, case: Case, changes: Mapping[str, Any] | None = None) -> None:
    audit.record(
        actor=actor,
        action=action,
        target=_target(case),
        changes=changes,
        organisation_id=case.organisation_id,
    )


# Identity ---------------------------------------------------------------------------------------


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def birth_for_age(identity: Mapping[str, Any]) -> tuple[dt.date | None, bool]:
    """The birth date used for ages, and whether it is an estimate."""
    if identity.get("birth_date"):
        return identity["birth_date"], False
    age = _int_or_none(identity.get("estimated_age"))
    if age is not None:
        on = identity.get("estimated_on") or timezone.localdate()
        return deadlines.approximate_birth(age, on), True
    return None, False


def _dated_estimate(identity: Mapping[str, Any]) -> dict[str, Any]:
    """An estimated age is an age on a day: without one, it is today's (stored, so that the age at
    the offence does not drift as later events are recorded)."""
    values = dict(identity)
    if values.get("estimated_age") not in (None, "") and not values.get("estimated_on"):
        values["estimated_on"] = timezone.localdate()
    return values


def _validate_identity(identity: Mapping[str, Any], *, ruleset: RuleSet) -> None:
    errors: dict[str, list[str]] = {}
    if not (identity.get("name_km") or identity.get("name_latin")):
        errors["name_km"] = [_("Give the child's name in Khmer or Latin script.")]
    today = timezone.localdate()
    birth = identity.get("birth_date")
    age = identity.get("estimated_age")
    if not birth and age in (None, ""):
        errors["birth_date"] = [_("Give the date of birth, or an estimated age.")]
    if birth and birth > today:
        errors["birth_date"] = [_("The date of birth cannot be in the future.")]
    if age not in (None, ""):
        value = _int_or_none(age)
        if value is None or not 0 <= value < 30:
            errors["estimated_age"] = [_("Give the estimated age in whole years.")]
    if errors:
        raise ValidationError(errors)


def _age_at(identity: Mapping[str, Any], day: dt.date | None) -> tuple[int | None, bool]:
    birth, estimated = birth_for_age(identity)
    if birth is None or day is None:
        return None, estimated
    return deadlines.age_on(birth, day), estimated


def _offence_day(case: Case, events: Iterable[deadlines.Event] | None = None) -> dt.date | None:
    if case.offence_date:
        return case.offence_date
    evs = list(events) if events is not None else [deadlines.Event.of(e) for e in case.events.all()]
    # The offence came no later than the first detention, whichever event records it (a
    # timeline may start with the detention order when the arrest is not known).
    return _first_detention(evs)


def _check_ages(
    identity: Mapping[str, Any],
    *,
    offence_day: dt.date | None,
    first_detention: dt.date | None,
    ruleset: RuleSet,
    field: str = "birth_date",
) -> tuple[int | None, bool]:
    birth, _est = birth_for_age(identity)
    if birth and first_detention and identity.get("birth_date") and birth > first_detention:
        raise ValidationError({field: _("The date of birth is after the arrest.")})
    if birth and offence_day and birth > offence_day:
        raise ValidationError({field: _("The child was not yet born on the date of the offence.")})
    age, estimated = _age_at(identity, offence_day)
    if age is not None and age >= ruleset.majority_age:
        raise ValidationError(
            {
                field: _(
                    "The child would be %(age)s at the offence: a case here is for a minor "
                    "(under %(majority)s at the time of the offence, %(law)s)."
                )
                % {"age": age, "majority": ruleset.majority_age, "law": ruleset.majority_law}
            }
        )
    return age, estimated


def _index(case: Case, identity: Mapping[str, Any]) -> None:
    birth, _est = birth_for_age(identity)
    digests = identity_digests(
        identity.get("name_km") or "",
        identity.get("name_latin") or "",
        birth.year if birth else None,
    )
    IdentityIndex.objects.filter(case=case).delete()
    IdentityIndex.objects.bulk_create([IdentityIndex(case=case, digest=d) for d in sorted(digests)])


def digests_for(identity: Mapping[str, Any]) -> set[str]:
    birth, _est = birth_for_age(identity)
    return identity_digests(
        identity.get("name_km") or "",
        identity.get("name_latin") or "",
        birth.year if birth else None,
    )


def _check_staff(case_org_id: int, **people: Any) -> None:
    errors = {}
    for field, user in people.items():
        if user is None:
            continue
        if case_org_id not in org_ids_with(user, Perm.CHILD_RECORDS_VIEW):
            errors[field] = _("Choose someone of the owning organisation who works on cases.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def case_open(
    *,
    actor: Any,
    organisation_id: int,
    identity: Mapping[str, Any],
    offence_date: dt.date | None = None,
    lawyer: Any = None,
    social_worker: Any = None,
    primero_case_id: str = "",
    mosvy_number: str = "",
    oscar_global_id: str = "",
    confirm_not_duplicate: bool = False,
) -> Case:
    """Open a case for a child. Warns (`DuplicateWarning`) if the user can already see a case of a
    child with the same normalised name and birth year, unless confirmed."""
    if organisation_id not in org_ids_with(actor, Perm.CASES_EDIT):
        raise ValidationError(_("You cannot open cases for this organisation."))
    ruleset = active_ruleset()
    identity = _dated_estimate(identity)
    _validate_identity(identity, ruleset=ruleset)
    if offence_date and offence_date > timezone.localdate():
        raise ValidationError({"offence_date": _("This date is in the future.")})
    age, estimated = _check_ages(
        identity, offence_day=offence_date, first_detention=None, ruleset=ruleset
    )
    _check_staff(organisation_id, lawyer=lawyer, social_worker=social_worker)
    if not confirm_not_duplicate:
        found = list(possible_duplicates(user=actor, digests=digests_for(identity))[:5])
        if found:
            raise DuplicateWarning(found)
    case = Case.objects.create(
        organisation_id=organisation_id,
        ruleset=ruleset,
        offence_date=offence_date,
        lawyer=lawyer,
        social_worker=social_worker,
        primero_case_id=primero_case_id,
        mosvy_number=mosvy_number,
        oscar_global_id=oscar_global_id,
        age_at_offence=age,
        age_estimated=estimated,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    ChildIdentity.objects.create(
        case=case, **{f: identity.get(f) or _blank(f) for f in IDENTITY_FIELDS}
    )
    _index(case, identity)
    case_recompute(case)
    _record(
        actor,
        "cases.case.opened",
        case,
        {
            **{f: {"changed": True} for f in IDENTITY_FIELDS if identity.get(f)},
            "lawyer": {"old": None, "new": getattr(lawyer, "pk", None)},
            "social_worker": {"old": None, "new": getattr(social_worker, "pk", None)},
            "version": {"old": 0, "new": case.version},
            "duplicate_warning_overridden": confirm_not_duplicate,
        },
    )
    return case


def _blank(field: str) -> Any:
    return None if field in ("birth_date", "estimated_on") else ""


def _comparable(identity: Mapping[str, Any]) -> dict[str, Any]:
    """Identity values as stored: an empty value reads back as None, an estimated age as text."""
    return {
        f: _blank(f) if v in (None, "") else (str(v) if f == "estimated_age" else v)
        for f, v in identity.items()
    }


@transaction.atomic
def identity_update(
    *, actor: Any, case: Case, expected_version: int | None, identity: Mapping[str, Any]
) -> Case:
    case = _lock(case, expected_version)
    current = ChildIdentity.objects.get(case=case)
    values = {f: identity.get(f) or _blank(f) for f in IDENTITY_FIELDS}
    values = _dated_estimate(values)
    _validate_identity(values, ruleset=case.ruleset)
    events = [deadlines.Event.of(e) for e in case.events.all()]
    age, estimated = _check_ages(
        values,
        offence_day=_offence_day(case, events),
        first_detention=_first_detention(events),
        ruleset=case.ruleset,
    )
    before = audit.snapshot(current, IDENTITY_FIELDS)
    for f, v in values.items():
        setattr(current, f, v)
    current.save()
    _index(case, values)
    case.age_at_offence, case.age_estimated = age, estimated
    changes = audit.diff(_comparable(before), _comparable(values), sensitive=IDENTITY_FIELDS)
    if not changes:
        return case
    changes.update(_bump(case))
    case.save(update_fields=["age_at_offence", "age_estimated", "version", "updated_at"])
    case_recompute(case)
    _record(actor, "cases.case.identity_changed", case, changes)
    return case


@transaction.atomic
def photo_set(*, actor: Any, case: Case, content: bytes, content_type: str) -> None:
    if content_type not in ("image/jpeg", "image/png"):
        raise ValidationError({"photo": _("Upload a JPEG or PNG image.")})
    if len(content) > MAX_PHOTO_BYTES:
        raise ValidationError({"photo": _("The photo is larger than 2 MB.")})
    case = _lock(case, None)
    ChildIdentity.objects.filter(case=case).update(photo="")
    identity = ChildIdentity.objects.get(case=case)
    identity.photo = base64.b64encode(content).decode()
    identity.photo_type = content_type
    identity.save(update_fields=["photo", "photo_type"])
    changes: dict[str, Any] = {"photo": {"changed": True}, **_bump(case)}
    case.save(update_fields=["version", "updated_at"])
    _record(actor, "cases.case.identity_changed", case, changes)


def identity_reveal(*, actor: Any, case: Case, purpose: str = "") -> ChildIdentity:
    """Decrypt the child's identity for someone allowed to see it, and log that it was read."""
    identity = ChildIdentity.objects.get(case=case)
    _record(
        actor,
        "cases.case.identity_read",
        case,
        {"purpose": purpose[:200]} if purpose else None,
    )
    return identity


# The case itself --------------------------------------------------------------------------------


@transaction.atomic
def case_update(
    *, actor: Any, case: Case, expected_version: int | None, data: Mapping[str, Any]
) -> Case:
    case = _lock(case, expected_version)
    _check_staff(
        case.organisation_id, lawyer=data.get("lawyer"), social_worker=data.get("social_worker")
    )
    if data.get("offence_date") and data["offence_date"] > timezone.localdate():
        raise ValidationError({"offence_date": _("This date is in the future.")})
    before = audit.snapshot(case, CASE_FIELDS)
    for f in CASE_FIELDS:
        if f in data:
            setattr(
                case,
                f,
                data[f]
                if data[f] is not None or f in ("lawyer", "social_worker", "offence_date")
                else "",
            )
    if "offence_date" in data and data["offence_date"] != before["offence_date"]:
        identity = ChildIdentity.objects.get(case=case)
        values = {f: getattr(identity, f) for f in IDENTITY_FIELDS}
        events = [deadlines.Event.of(e) for e in case.events.all()]
        case.age_at_offence, case.age_estimated = _check_ages(
            values,
            offence_day=_offence_day(case, events),
            first_detention=_first_detention(events),
            ruleset=case.ruleset,
            field="offence_date",
        )
    changes = audit.diff(before, audit.snapshot(case, CASE_FIELDS))
    if not changes:
        return case
    changes.update(_bump(case))
    case.save()
    case_recompute(case)
    _record(actor, "cases.case.changed", case, changes)
    return case


def _first_detention(events: Iterable[deadlines.Event]) -> dt.date | None:
    dates = [
        e.date
        for e in events
        if e.kind
        in (
            TimelineEvent.Kind.ARREST,
            TimelineEvent.Kind.CUSTODY_START,
            TimelineEvent.Kind.PRETRIAL_ORDER,
            TimelineEvent.Kind.IMMEDIATE_APPEARANCE,
        )
    ]
    return min(dates) if dates else None


def rules_for(ruleset: RuleSet) -> list[deadlines.Rule]:
    return [deadlines.Rule.of(r) for r in ruleset.rules.all()]


def _evaluate(
    case: Case, events: list[deadlines.Event], rules: list[deadlines.Rule] | None = None
) -> deadlines.Evaluation:
    return deadlines.evaluate(
        events,
        rules=rules if rules is not None else rules_for(case.ruleset),
        age_at_offence=case.age_at_offence,
        today=timezone.localdate(),
    )


DERIVED = (
    "legal_status",
    "trial_stage",
    "detained",
    "status_since",
    "detained_since",
    "offence_class",
    "current_place",
    "current_place_text",
    "province",
    "held_with_adults",
    "below_min_age",
    "deadline_at",
    "deadline_kind",
    "deadline_rule",
    "deadline_unverified",
    "deadline_note",
    "next_hearing_on",
    "computed_at",
)


def apply_evaluation(
    case: Case, ev: deadlines.Evaluation, *, province_of: Mapping[int, int | None]
) -> None:
    case.legal_status = ev.legal_status
    case.trial_stage = ev.trial_stage
    case.detained = ev.detained
    case.status_since = ev.status_since
    case.detained_since = ev.detained_since.date() if ev.detained_since else None
    case.offence_class = ev.offence_class
    case.current_place_id = ev.place_id
    case.current_place_text = ev.place_text[:255]
    case.province_id = province_of.get(ev.place_id) if ev.place_id else None
    case.held_with_adults = ev.held_with_adults
    case.below_min_age = ev.below_min_age
    case.deadline_at = ev.deadline_at
    case.deadline_kind = ev.deadline_kind
    case.deadline_rule_id = ev.deadline_rule.id if ev.deadline_rule else None
    case.deadline_unverified = ev.deadline_unverified
    case.deadline_note = ev.deadline_note
    case.next_hearing_on = ev.next_hearing_on
    case.computed_at = timezone.now()


def _provinces(place_ids: Iterable[int | None]) -> dict[int, int | None]:
    from komar.places.models import Place

    ids = {p for p in place_ids if p}
    return dict(Place.objects.filter(pk__in=ids).values_list("pk", "province_id")) if ids else {}


def case_recompute(case: Case, rules: list[deadlines.Rule] | None = None) -> deadlines.Evaluation:
    """Bring the case's derived fields (status, place, deadline, flags) in line with its timeline
    and the rules. Derived values only: no audit event of its own."""
    events = [deadlines.Event.of(e) for e in case.events.all()]
    day = _offence_day(case, events)
    if case.age_at_offence is None and day is not None and hasattr(case, "identity"):
        values = {f: getattr(case.identity, f) for f in IDENTITY_FIELDS}
        case.age_at_offence, case.age_estimated = _age_at(values, day)
    ev = _evaluate(case, events, rules)
    apply_evaluation(case, ev, province_of=_provinces([ev.place_id]))
    case.save(update_fields=[*DERIVED, "age_at_offence", "age_estimated"])
    return ev


def recompute_ruleset(ruleset_id: int, *, batch: int = 2000) -> int:
    """Recompute every open case under a rule set (after a rule changed). Returns the count."""
    ruleset = RuleSet.objects.get(pk=ruleset_id)
    rules = rules_for(ruleset)
    done = 0
    last = 0
    while True:
        with transaction.atomic():
            chunk = list(
                Case.objects.filter(ruleset=ruleset, status=Case.Status.OPEN, pk__gt=last)
                .order_by("pk")
                .prefetch_related("events")[:batch]
            )
            if not chunk:
                return done
            provinces = _provinces(
                e.place_id
                for c in chunk
                for e in c.events.all()  # prefetched
            )
            for case in chunk:
                events = [deadlines.Event.of(e) for e in case.events.all()]
                try:
                    ev = _evaluate(case, events, rules)
                except deadlines.TimelineError:
                    continue  # a timeline that became impossible keeps its last computed state
                apply_evaluation(case, ev, province_of=provinces)
            Case.objects.bulk_update(chunk, DERIVED)
            done += len(chunk)
            last = chunk[-1].pk


# Timeline ---------------------------------------------------------------------------------------


def _check_event(case: Case, candidate: list[deadlines.Event]) -> deadlines.Evaluation:
    identity = ChildIdentity.objects.get(case=case)
    values = {f: getattr(identity, f) for f in IDENTITY_FIELDS}
    day = _offence_day(case, candidate)
    _check_ages(
        values,
        offence_day=day,
        first_detention=_first_detention(candidate),
        ruleset=case.ruleset,
        field="date",
    )
    try:
        return _evaluate(case, candidate)
    except deadlines.TimelineError as exc:
        raise ValidationError({exc.field: exc.message}) from exc


def _validate_event_fields(data: Mapping[str, Any]) -> None:
    kind = data.get("kind")
    errors: dict[str, str] = {}
    K = TimelineEvent.Kind
    if kind == K.CHARGE and not data.get("offence_class"):
        errors["offence_class"] = _("Give the offence class of the charge.")
    if kind == K.EXTENSION and not data.get("extension_of"):
        errors["extension_of"] = _("Say what is extended.")
    if kind == K.VERDICT and not data.get("outcome"):
        errors["outcome"] = _("Give the verdict's outcome.")
    if kind == K.SENTENCE and not (data.get("sentence_months") or data.get("sentence_days")):
        errors["sentence_months"] = _("Give the length of the sentence.")
    if kind == K.TRANSFER and not (data.get("place") or data.get("place_text")):
        errors["place"] = _("Say where the child was transferred to.")
    if data.get("place") and data.get("place_text"):
        errors["place_text"] = _("Choose a place from the registry or type one, not both.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def event_add(
    *, actor: Any, case: Case, expected_version: int | None, data: Mapping[str, Any]
) -> TimelineEvent:
    case = _lock(case, expected_version)
    _validate_event_fields(data)
    values = {f: data.get(f) for f in EVENT_FIELDS if f in data}
    for f in (
        "place_text",
        "document",
        "offence",
        "offence_class",
        "extension_of",
        "outcome",
        "measure",
        "note",
    ):
        values[f] = values.get(f) or ""
    event = TimelineEvent(
        case=case, created_by=actor if getattr(actor, "is_authenticated", False) else None, **values
    )
    existing = [deadlines.Event.of(e) for e in case.events.all()]
    candidate = [*existing, deadlines.Event(**{**_event_kwargs(event), "ref": "new"})]
    _check_event(case, candidate)
    event.save()
    changes: dict[str, Any] = {
        "event": {"old": None, "new": f"{event.kind} {event.date.isoformat()}"},
        **_bump(case),
    }
    case.save(update_fields=["version", "updated_at"])
    case.age_at_offence = None if not case.offence_date else case.age_at_offence
    case_recompute(case)
    _record(actor, "cases.case.event_added", case, changes)
    return event


def _event_kwargs(event: TimelineEvent) -> dict[str, Any]:
    return {
        "kind": event.kind,
        "date": event.date,
        "time": event.time,
        "offence_class": event.offence_class,
        "extension_of": event.extension_of,
        "outcome": event.outcome,
        "sentence_months": event.sentence_months,
        "sentence_days": event.sentence_days,
        "custodial": event.custodial,
        "held_with_adults": event.held_with_adults,
        "place_id": event.place_id,
        "place_text": event.place_text,
    }


@transaction.atomic
def event_delete(
    *, actor: Any, case: Case, event_id: int, expected_version: int | None, reason: str
) -> None:
    case = _lock(case, expected_version)
    event = case.events.filter(pk=event_id).first()
    if event is None:
        raise ValidationError(_("This event is not part of the case."))
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the event is removed.")})
    rest = [deadlines.Event.of(e) for e in case.events.exclude(pk=event.pk)]
    _check_event(case, rest)
    label = f"{event.kind} {event.date.isoformat()}"
    event.delete()
    changes: dict[str, Any] = {
        "event": {"old": label, "new": None},
        "reason": reason[:500],
        **_bump(case),
    }
    case.save(update_fields=["version", "updated_at"])
    case.age_at_offence = None if not case.offence_date else case.age_at_offence
    case_recompute(case)
    _record(actor, "cases.case.event_removed", case, changes)


# Casework ---------------------------------------------------------------------------------------


@transaction.atomic
def note_add(*, actor: Any, case: Case, text: str) -> CaseNote:
    if not text.strip():
        raise ValidationError({"text": _("Write the note.")})
    note = CaseNote.objects.create(case=case, text=text, author=actor)
    _record(actor, "cases.case.note_added", case, {"note": {"changed": True}})
    return note


@transaction.atomic
def consent_record(*, actor: Any, case: Case, data: Mapping[str, Any]) -> Consent:
    given_on = data.get("given_on")
    if given_on is None:
        raise ValidationError({"given_on": _("Give the date.")})
    if given_on > timezone.localdate():
        raise ValidationError({"given_on": _("This date is in the future.")})
    if data.get("kind") == Consent.Kind.CONSENT and not data.get("given_by"):
        raise ValidationError({"given_by": _("Say who gave consent.")})
    consent = Consent.objects.create(
        case=case,
        kind=data["kind"],
        purpose=data["purpose"],
        given_by=data.get("given_by") or "",
        relationship=data.get("relationship") or "",
        given_on=given_on,
        recorded_by=actor,
    )
    _record(
        actor,
        "cases.case.consent_recorded",
        case,
        {
            "consent": {"old": None, "new": f"{consent.kind}:{consent.purpose}"},
            "given_by": {"changed": True},
        },
    )
    return consent


@transaction.atomic
def consent_withdraw(
    *, actor: Any, case: Case, consent_id: int, withdrawn_on: dt.date, note: str = ""
) -> Consent:
    consent = case.consents.select_for_update().filter(pk=consent_id).first()
    if consent is None:
        raise ValidationError(_("This consent is not part of the case."))
    if consent.withdrawn_on:
        raise ValidationError(_("This consent was already withdrawn."))
    if withdrawn_on < consent.given_on or withdrawn_on > timezone.localdate():
        raise ValidationError(
            {"withdrawn_on": _("The withdrawal date must be between the consent and today.")}
        )
    consent.withdrawn_on, consent.withdrawal_note = withdrawn_on, note
    consent.save(update_fields=["withdrawn_on", "withdrawal_note"])
    _record(
        actor,
        "cases.case.consent_withdrawn",
        case,
        {"consent": {"old": f"{consent.kind}:{consent.purpose}", "new": "withdrawn"}},
    )
    return consent


@transaction.atomic
def service_record(
    *, actor: Any, case: Case, organisation_id: int, data: Mapping[str, Any]
) -> ServiceProvided:
    provided_on = data["provided_on"]
    if provided_on > timezone.localdate():
        raise ValidationError({"provided_on": _("This date is in the future.")})
    service = ServiceProvided.objects.create(
        case=case,
        service=data["service"],
        provided_on=provided_on,
        organisation_id=organisation_id,
        note=data.get("note") or "",
        recorded_by=actor,
    )
    _record(
        actor,
        "cases.case.service_recorded",
        case,
        {"service": {"old": None, "new": service.service}, "by": organisation_id},
    )
    return service


@transaction.atomic
def case_close(
    *,
    actor: Any,
    case: Case,
    expected_version: int | None,
    reason: str,
    note: str = "",
    closed_on: dt.date | None = None,
) -> Case:
    case = _lock(case, expected_version)
    if not case.is_open:
        raise ValidationError(_("This case is already closed."))
    if reason not in Case.CloseReason.values:
        raise ValidationError({"reason": _("Choose a reason.")})
    closed_on = closed_on or timezone.localdate()
    if closed_on < case.opened_on or closed_on > timezone.localdate():
        raise ValidationError(
            {"closed_on": _("The closing date must be between opening and today.")}
        )
    case.status, case.closed_on, case.close_reason, case.close_note = (
        Case.Status.CLOSED,
        closed_on,
        reason,
        note,
    )
    changes: dict[str, Any] = {
        "status": {"old": "open", "new": "closed"},
        "close_reason": {"old": "", "new": reason},
        **_bump(case),
    }
    case.save()
    _record(actor, "cases.case.closed", case, changes)
    return case


@transaction.atomic
def case_reopen(*, actor: Any, case: Case, expected_version: int | None, reason: str) -> Case:
    case = _lock(case, expected_version)
    if case.is_open:
        raise ValidationError(_("This case is already open."))
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the case is reopened.")})
    case.status, case.closed_on, case.close_reason = Case.Status.OPEN, None, ""
    changes: dict[str, Any] = {
        "status": {"old": "closed", "new": "open"},
        "reason": reason[:500],
        **_bump(case),
    }
    case.save()
    case_recompute(case)
    _record(actor, "cases.case.reopened", case, changes)
    return case


# Referrals --------------------------------------------------------------------------------------

SHARES = ("share_identity", "share_timeline", "share_notes", "share_services")


@transaction.atomic
def referral_create(
    *,
    actor: Any,
    case: Case,
    to_organisation_id: int,
    reason: str,
    consent_id: int | None = None,
    override_reason: str = "",
    shares: Mapping[str, bool] | None = None,
) -> Referral:
    """Refer a case to another organisation. Needs an active consent (or assent) to referral —
    or, for holders of the override permission, a reason, which is audited. The sender keeps
    ownership; the receiver sees only what is shared."""
    case = _lock(case, None)
    if not case.is_open:
        raise ValidationError(_("Reopen the case before referring it."))
    if to_organisation_id == case.organisation_id:
        raise ValidationError({"to_organisation": _("Choose another organisation.")})
    if not reason.strip():
        raise ValidationError({"reason": _("Say what the child needs from them.")})
    consent = None
    if consent_id:
        consent = case.consents.filter(
            pk=consent_id, purpose=Consent.Purpose.REFERRAL, withdrawn_on__isnull=True
        ).first()
        if consent is None:
            raise ValidationError({"consent": _("Choose a consent to referral that is in force.")})
    elif override_reason.strip():
        if not has_perm(actor, Perm.CASES_REFER_WITHOUT_CONSENT, case.organisation_id):
            raise ValidationError(
                {"consent": _("Only an organisation admin may refer without recorded consent.")}
            )
    else:
        raise ValidationError(
            {
                "consent": _(
                    "Record consent to referral first, or give the reason for referring without it."
                )
            }
        )
    if Referral.objects.filter(
        case=case, to_organisation_id=to_organisation_id, status__in=["pending", "accepted"]
    ).exists():
        raise ValidationError({"to_organisation": _("This case is already referred to them.")})
    # Without a choice, share what a receiver usually needs: the timeline and services.
    chosen = shares if shares is not None else {"share_timeline": True, "share_services": True}
    flags = {k: bool(chosen.get(k, False)) for k in SHARES}
    referral = Referral.objects.create(
        case=case,
        to_organisation_id=to_organisation_id,
        reason=reason,
        consent=consent,
        override_reason="" if consent else override_reason,
        created_by=actor,
        **flags,
    )
    changes: dict[str, Any] = {
        "referral": {"old": None, "new": to_organisation_id},
        "shared": sorted(k for k, v in flags.items() if v),
        "consent": consent.pk if consent else None,
    }
    if consent is None:
        changes["without_consent_reason"] = override_reason[:500]
    _record(
        actor,
        "cases.case.referred_without_consent" if consent is None else "cases.case.referred",
        case,
        changes,
    )
    _notify_referral(referral)
    return referral


def _notify_referral(referral: Referral) -> None:
    from komar.accounts.models import Membership
    from komar.accounts.roles import Role
    from komar.notifications.services import notify

    code = referral.case.code
    for m in Membership.objects.filter(
        organisation_id=referral.to_organisation_id, role__in=[Role.ORG_ADMIN, Role.CASEWORKER]
    ).select_related("user"):
        notify(
            user=m.user,
            key=f"referral:{referral.pk}",
            url=f"/cases/{code}/",
            render=lambda: (
                _("A case was referred to your organisation: %(code)s") % {"code": code},
                _("Open the case to accept or decline the referral."),
            ),
        )


@transaction.atomic
def referral_answer(*, actor: Any, referral: Referral, accept: bool, note: str = "") -> Referral:
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    if referral.to_organisation_id not in org_ids_with(actor, Perm.CASES_EDIT):
        raise ValidationError(_("Only the receiving organisation can answer this referral."))
    if referral.status != Referral.Status.PENDING:
        raise ValidationError(_("This referral was already answered."))
    if not accept and not note.strip():
        raise ValidationError(
            {"answer_note": _("Say why you decline, so they can find help elsewhere.")}
        )
    referral.status = Referral.Status.ACCEPTED if accept else Referral.Status.DECLINED
    referral.answer_note, referral.answered_by, referral.answered_at = note, actor, timezone.now()
    referral.save()
    _record(
        actor,
        "cases.case.referral_answered",
        referral.case,
        {"referral": {"old": "pending", "new": referral.status}, "by": referral.to_organisation_id},
    )
    return referral


@transaction.atomic
def referral_withdraw(*, actor: Any, case: Case, referral_id: int) -> Referral:
    referral = case.referrals.select_for_update().filter(pk=referral_id).first()
    if referral is None or referral.status not in (
        Referral.Status.PENDING,
        Referral.Status.ACCEPTED,
    ):
        raise ValidationError(_("This referral cannot be withdrawn."))
    old = referral.status
    referral.status = Referral.Status.WITHDRAWN
    referral.save(update_fields=["status"])
    _record(
        actor, "cases.case.referral_withdrawn", case, {"referral": {"old": old, "new": "withdrawn"}}
    )
    return referral


# Rules ------------------------------------------------------------------------------------------

RULE_EDITABLE = (
    "limit_value",
    "limit_unit",
    "extension_value",
    "extension_unit",
    "max_extensions",
    "age_value",
    "citation_en",
    "citation_km",
    "source_url",
    "note_en",
    "note_km",
)


@transaction.atomic
def rule_update(
    *, actor: Any, rule: LegalRule, data: Mapping[str, Any], verified: bool
) -> LegalRule:
    """Confirm or correct a rule (audited). Every open case under the rule set is recomputed in the
    background."""
    if not has_perm(actor, Perm.REFERENCE_CONFIRM):
        raise ValidationError(_("Only the secretariat can confirm or correct legal rules."))
    rule = LegalRule.objects.select_for_update().get(pk=rule.pk)
    before = {**audit.snapshot(rule, RULE_EDITABLE), "verified": rule.verified}
    for f in RULE_EDITABLE:
        if f in data:
            value = data[f]
            if value is None and not f.endswith("_value"):
                value = 0 if f == "max_extensions" else ""
            setattr(rule, f, value)
    if rule.kind in (
        LegalRule.Kind.POLICE_CUSTODY,
        LegalRule.Kind.PRETRIAL,
        LegalRule.Kind.IMMEDIATE_APPEARANCE,
    ):
        if rule.limit_value is None or not rule.limit_unit:
            raise ValidationError({"limit_value": _("Give the limit and its unit.")})
        if rule.max_extensions and not (rule.extension_value and rule.extension_unit):
            raise ValidationError({"extension_value": _("Give the length of each extension.")})
    elif rule.age_value is None:
        raise ValidationError({"age_value": _("Give the age.")})
    if not rule.citation_en.strip():
        raise ValidationError({"citation_en": _("Every rule needs its citation.")})
    rule.verified = verified
    if verified and not before["verified"]:
        rule.verified_by, rule.verified_at = actor, timezone.now()
    if not verified:
        rule.verified_by, rule.verified_at = None, None
    rule.save()
    changes = audit.diff(before, {**audit.snapshot(rule, RULE_EDITABLE), "verified": rule.verified})
    if changes:
        audit.record(actor=actor, action="cases.rule.changed", target=rule, changes=changes)
        from komar.cases.tasks import recompute_deadlines

        ruleset_id = rule.ruleset_id
        transaction.on_commit(lambda: recompute_deadlines.enqueue(ruleset_id))
    return rule


# Retention --------------------------------------------------------------------------------------


@transaction.atomic
def case_anonymise(*, case: Case, actor: Any = None) -> None:
    """Erase everything that identifies the child; keep what statistics need (ages, dates,
    statuses, services). Irreversible."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.anonymised_at:
        return
    ChildIdentity.objects.filter(case=case).update(
        name_km="",
        name_latin="",
        birth_date=None,
        estimated_age="",
        estimated_on=None,
        sex="",
        guardian_name="",
        guardian_contact="",
        home_village_code="",
        photo="",
        photo_type="",
    )
    IdentityIndex.objects.filter(case=case).delete()
    CaseNote.objects.filter(case=case).delete()
    Consent.objects.filter(case=case).update(given_by="", withdrawal_note="")
    # Free text written about the child elsewhere (what it says may identify them).
    ServiceProvided.objects.filter(case=case).update(note="")
    Referral.objects.filter(case=case).update(reason="", answer_note="", override_reason="")
    TimelineEvent.objects.filter(case=case).update(note="", document="")
    case.primero_case_id = case.mosvy_number = case.oscar_global_id = ""
    case.close_note = ""
    case.anonymised_at = timezone.now()
    case.save()
    _record(actor, "cases.case.anonymised", case, {"identity": {"changed": True}})


def anonymise_expired(*, today: dt.date | None = None) -> int:
    today = today or timezone.localdate()
    cutoff = today - dt.timedelta(days=settings.KOMAR_CASE_RETENTION_DAYS)
    ids = list(
        Case.objects.filter(
            status=Case.Status.CLOSED, closed_on__lt=cutoff, anonymised_at__isnull=True
        ).values_list("pk", flat=True)
    )
    for pk in ids:
        case_anonymise(case=Case(pk=pk))
    return len(ids)
