"""Every write of the commitments tracker: validated, audited, and written into the item's
history in the same transaction. Refusals are ValidationErrors naming the field."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from komar.accounts.permissions import has_perm
from komar.accounts.roles import Perm
from komar.audit import services as audit
from komar.commitments.models import (
    Action,
    AffectedGroup,
    Assessment,
    AssessmentState,
    Evidence,
    Item,
    ItemActor,
    ItemEvent,
    ItemLink,
    Perspective,
    SdgTarget,
    Source,
    Theme,
    Tier,
)
from komar.commitments.permissions import assessor_org_ids, can_edit_assessment
from komar.places.models import Situation

SOURCE_FIELDS = (
    "code", "type", "title_en", "title_km", "date", "issuing_body_en", "issuing_body_km",
    "symbol", "url", "citation",
)  # fmt: skip
ITEM_FIELDS = (
    "reference", "paragraph", "kind", "text_en", "text_km", "summary_en", "summary_km",
    "state_response", "state_response_on", "due_on", "focal_point",
)  # fmt: skip
CATEGORY_MODELS: dict[str, Any] = {
    "themes": Theme,
    "situations": Situation,
    "affected_groups": AffectedGroup,
    "sdg_targets": SdgTarget,
}
PUBLIC_EVENTS = {
    ItemEvent.Kind.CREATED,
    ItemEvent.Kind.RESPONSE,
    ItemEvent.Kind.PUBLISHED,
    ItemEvent.Kind.ASSESSMENT,
    ItemEvent.Kind.ACTOR,
    ItemEvent.Kind.LINK,
}
# What evidence files may be, recognised by their first bytes (not only their names).
EVIDENCE_TYPES: dict[str, tuple[bytes, ...]] = {
    ".pdf": (b"%PDF-",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".docx": (b"PK\x03\x04",),
    ".xlsx": (b"PK\x03\x04",),
    ".odt": (b"PK\x03\x04",),
    ".ods": (b"PK\x03\x04",),
    ".csv": (),
    ".txt": (),
}


def _event(item: Item, kind: str, actor: Any, **detail: Any) -> ItemEvent:
    return ItemEvent.objects.create(
        item=item,
        at=timezone.now(),
        kind=kind,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        detail=detail,
        public=kind in PUBLIC_EVENTS,
    )


def _require(actor: Any, perm: str) -> None:
    if not has_perm(actor, perm):
        raise PermissionDenied


def _not_archived(item: Item) -> None:
    if item.is_archived:
        raise ValidationError(
            _("This item is archived: restore it before recording anything on it."),
            code="archived",
        )


# Sources -------------------------------------------------------------------------------------


def source_save(*, actor: Any, data: Mapping[str, Any], source: Source | None = None) -> Source:
    _require(actor, Perm.COMMITMENTS_EDIT)
    creating = source is None
    source = source or Source()
    before = audit.snapshot(source, SOURCE_FIELDS) if not creating else {}
    for name in SOURCE_FIELDS:
        if name in data:
            setattr(source, name, data[name])
    clash = Source.objects.filter(code=source.code).exclude(pk=source.pk).exists()
    if clash:
        raise ValidationError({"code": _("Another source already has this short code.")})
    source.full_clean()
    with transaction.atomic():
        source.save()
        audit.record(
            actor=actor,
            action="commitments.source.create" if creating else "commitments.source.update",
            target=source,
            changes=audit.diff(before, audit.snapshot(source, SOURCE_FIELDS)),
        )
    return source


# Items ---------------------------------------------------------------------------------------


def resolve_categories(values: Mapping[str, Iterable[str]]) -> dict[str, list[Any]]:
    """Category codes (or labels, for vocabularies with aliases) to rows. Unknown ones are a
    ValidationError naming the field and each unknown value."""
    found: dict[str, list[Any]] = {}
    errors: dict[str, str] = {}
    for field, wanted in values.items():
        model = CATEGORY_MODELS[field]
        rows = list(model.objects.all())
        by_label: dict[str, Any] = {}
        for row in rows:
            labels = row.labels() if hasattr(row, "labels") else {row.code.casefold()}
            if field == "situations":
                labels = {row.code.casefold(), str(row.number), row.name_en.casefold()}
            for label in labels:
                by_label.setdefault(label, row)
        chosen, unknown = [], []
        for value in wanted:
            key = str(value).strip().casefold()
            if not key:
                continue
            if key in by_label:
                if by_label[key] not in chosen:
                    chosen.append(by_label[key])
            else:
                unknown.append(str(value).strip())
        if unknown:
            errors[field] = _("Unknown %(what)s: %(values)s") % {
                "what": model._meta.verbose_name_plural,
                "values": ", ".join(unknown),
            }
        found[field] = chosen
    if errors:
        raise ValidationError(errors)
    return found


def _check_item(item: Item) -> None:
    if Item.objects.filter(reference=item.reference).exclude(pk=item.pk).exists():
        raise ValidationError({"reference": _("Another item already has this reference.")})
    if item.state_response_on and not item.state_response:
        raise ValidationError(
            {"state_response": _("Choose the state's response for the date you gave.")}
        )
    item.full_clean(exclude=["source"])


def item_create(
    *,
    actor: Any,
    source: Source,
    data: Mapping[str, Any],
    categories: Mapping[str, Iterable[Any]] | None = None,
) -> Item:
    _require(actor, Perm.COMMITMENTS_EDIT)
    item = Item(source=source, **{k: v for k, v in data.items() if k in ITEM_FIELDS})
    _check_item(item)
    with transaction.atomic():
        item.save()
        _set_categories(item, categories or {})
        _event(item, ItemEvent.Kind.CREATED, actor)
        if item.state_response:
            _event(item, ItemEvent.Kind.RESPONSE, actor, response=item.state_response)
        audit.record(actor=actor, action="commitments.item.create", target=item)
    return item


def _set_categories(item: Item, categories: Mapping[str, Iterable[Any]]) -> list[str]:
    changed = []
    given = {field: list(rows) for field, rows in categories.items()}
    # Codes are resolved all at once, so the error names every unknown one in every field.
    by_code = resolve_categories(
        {
            f: [str(r) for r in rows]
            for f, rows in given.items()
            if any(isinstance(r, str) for r in rows)
        }
    )
    for field, rows in given.items():
        rows = by_code.get(field, rows)
        manager = getattr(item, field)
        if {r.pk for r in rows} != set(manager.values_list("pk", flat=True)):
            manager.set(rows)
            changed.append(field)
    return changed


def item_update(
    *,
    actor: Any,
    item: Item,
    data: Mapping[str, Any],
    categories: Mapping[str, Iterable[Any]] | None = None,
) -> Item:
    _require(actor, Perm.COMMITMENTS_EDIT)
    _not_archived(item)
    before = audit.snapshot(item, ITEM_FIELDS)
    for name, value in data.items():
        if name in ITEM_FIELDS:
            setattr(item, name, value)
    _check_item(item)
    with transaction.atomic():
        item.save()
        changes = audit.diff(before, audit.snapshot(item, ITEM_FIELDS))
        changed = [name for name in changes if name not in ("state_response", "state_response_on")]
        changed += _set_categories(item, categories or {})
        if "state_response" in changes or "state_response_on" in changes:
            _event(item, ItemEvent.Kind.RESPONSE, actor, response=item.state_response)
        if changed:
            _event(item, ItemEvent.Kind.UPDATED, actor, fields=sorted(changed))
        audit.record(actor=actor, action="commitments.item.update", target=item, changes=changes)
    return item


def item_archive(*, actor: Any, item: Item, archived: bool) -> Item:
    _require(actor, Perm.COMMITMENTS_EDIT)
    if item.is_archived == archived:
        return item
    with transaction.atomic():
        item.is_archived = archived
        item.save(update_fields=["is_archived", "updated_at"])
        _event(item, ItemEvent.Kind.ARCHIVED if archived else ItemEvent.Kind.RESTORED, actor)
        audit.record(
            actor=actor,
            action="commitments.item.archive" if archived else "commitments.item.restore",
            target=item,
        )
    return item


def item_publish(*, actor: Any, item: Item, published: bool) -> Item:
    """Put an item on the public site (or take it off)."""
    _require(actor, Perm.COMMITMENTS_PUBLISH)
    if published:
        _not_archived(item)
    if item.is_published == published:
        return item
    with transaction.atomic():
        item.is_published = published
        item.save(update_fields=["is_published", "updated_at"])
        _event(item, ItemEvent.Kind.PUBLISHED if published else ItemEvent.Kind.UNPUBLISHED, actor)
        audit.record(
            actor=actor,
            action="commitments.item.publish" if published else "commitments.item.unpublish",
            target=item,
        )
    return item


def actor_set(*, actor: Any, item: Item, organisation: Any, role: str) -> ItemActor:
    """Make an organisation (a ministry, a department) responsible for an item, lead or
    supporting."""
    _require(actor, Perm.COMMITMENTS_EDIT)
    _not_archived(item)
    if role not in ItemActor.Role.values:
        raise ValidationError({"role": _("Choose lead or supporting.")})
    with transaction.atomic():
        link, _created = ItemActor.objects.update_or_create(
            item=item, organisation=organisation, defaults={"role": role}
        )
        _event(item, ItemEvent.Kind.ACTOR, actor, organisation=organisation.pk, role=role)
        audit.record(
            actor=actor,
            action="commitments.item.actor",
            target=item,
            changes={"organisation": organisation.pk, "role": role},
        )
    return link


def actor_remove(*, actor: Any, item_actor: ItemActor) -> None:
    _require(actor, Perm.COMMITMENTS_EDIT)
    item = item_actor.item
    _not_archived(item)
    with transaction.atomic():
        org_id = item_actor.organisation_id
        item_actor.delete()
        _event(item, ItemEvent.Kind.ACTOR, actor, organisation=org_id, role="")
        audit.record(
            actor=actor,
            action="commitments.item.actor_remove",
            target=item,
            changes={"organisation": org_id},
        )


def link_add(*, actor: Any, from_item: Item, to_item: Item, kind: str) -> ItemLink:
    _require(actor, Perm.COMMITMENTS_EDIT)
    _not_archived(from_item)
    if from_item.pk == to_item.pk:
        raise ValidationError({"to_item": _("An item cannot be linked to itself.")})
    if kind not in ItemLink.Kind.values:
        raise ValidationError({"kind": _("Choose how the items are related.")})
    if ItemLink.objects.filter(from_item=from_item, to_item=to_item).exists():
        raise ValidationError({"to_item": _("These items are already linked.")})
    with transaction.atomic():
        link = ItemLink.objects.create(from_item=from_item, to_item=to_item, kind=kind)
        _event(from_item, ItemEvent.Kind.LINK, actor, to=to_item.reference, relation=kind)
        audit.record(
            actor=actor,
            action="commitments.item.link",
            target=from_item,
            changes={"to": to_item.reference, "kind": kind},
        )
    return link


# Actions -------------------------------------------------------------------------------------


def _acting_org(actor: Any, organisation_id: int | None) -> int:
    allowed = assessor_org_ids(actor)
    if not allowed:
        raise PermissionDenied
    if organisation_id is None:
        if len(allowed) > 1:
            raise ValidationError({"organisation": _("Choose the organisation you act for.")})
        return next(iter(allowed))
    if organisation_id not in allowed:
        raise ValidationError(
            {"organisation": _("You cannot record on behalf of this organisation.")}
        )
    return organisation_id


def action_create(
    *,
    actor: Any,
    item: Item,
    description: str,
    status: str,
    organisation_id: int | None = None,
    starts_on: dt.date | None = None,
    due_on: dt.date | None = None,
    responsible: Any = None,
) -> Action:
    """An action by the actor's organisation (a ministry's focal point records the
    government's)."""
    org_id = _acting_org(actor, organisation_id)
    _not_archived(item)
    action = Action(
        item=item,
        organisation_id=org_id,
        description=description.strip(),
        status=status,
        starts_on=starts_on,
        due_on=due_on,
        responsible=responsible,
        created_by=actor,
    )
    if starts_on and due_on and due_on < starts_on:
        raise ValidationError({"due_on": _("The due date is before the start.")})
    action.full_clean(exclude=["created_by", "responsible"])
    with transaction.atomic():
        action.save()
        _event(item, ItemEvent.Kind.ACTION, actor, action=action.pk, status=status)
        audit.record(
            actor=actor, action="commitments.action.create", target=action, organisation_id=org_id
        )
    return action


def action_set_status(*, actor: Any, action: Action, status: str) -> Action:
    if action.organisation_id not in assessor_org_ids(actor) and not has_perm(
        actor, Perm.COMMITMENTS_EDIT
    ):
        raise PermissionDenied
    _not_archived(action.item)
    if status not in Action.Status.values:
        raise ValidationError({"status": _("Choose a status.")})
    if status == action.status:
        return action
    with transaction.atomic():
        before = action.status
        action.status = status
        action.save(update_fields=["status", "updated_at"])
        _event(action.item, ItemEvent.Kind.ACTION_STATUS, actor, action=action.pk, status=status)
        audit.record(
            actor=actor,
            action="commitments.action.status",
            target=action,
            changes={"status": [before, status]},
            organisation_id=action.organisation_id,
        )
    return action


# Assessments ---------------------------------------------------------------------------------


def _check_assessment(a: Assessment) -> None:
    if a.assessed_on and a.assessed_on > timezone.localdate():
        raise ValidationError({"assessed_on": _("An assessment cannot be dated in the future.")})
    a.full_clean(exclude=["item", "organisation", "created_by", "validated_by"])


def assessment_create(
    *,
    actor: Any,
    item: Item,
    perspective: str,
    status: str,
    assessed_on: dt.date,
    summary_en: str = "",
    summary_km: str = "",
    organisation_id: int | None = None,
) -> Assessment:
    """A draft assessment by the actor's organisation. Government reports are recorded by
    government focal points (or the secretariat, transcribing a state report); the coalition's
    view by its members."""
    if perspective not in Perspective.values:
        raise ValidationError({"perspective": _("Choose a perspective.")})
    allowed = assessor_org_ids(actor, perspective)
    if not allowed:
        if assessor_org_ids(actor):
            raise ValidationError(
                {"perspective": _("You cannot record assessments from this perspective.")}
            )
        raise PermissionDenied
    if organisation_id is None:
        organisation_id = min(allowed)
    elif organisation_id not in allowed:
        raise ValidationError(
            {"organisation": _("You cannot record on behalf of this organisation.")}
        )
    _not_archived(item)
    a = Assessment(
        item=item,
        perspective=perspective,
        status=status,
        assessed_on=assessed_on,
        summary_en=summary_en.strip(),
        summary_km=summary_km.strip(),
        organisation_id=organisation_id,
        created_by=actor,
    )
    _check_assessment(a)
    with transaction.atomic():
        a.save()
        audit.record(
            actor=actor,
            action="commitments.assessment.create",
            target=a,
            organisation_id=organisation_id,
        )
    return a


def assessment_update(*, actor: Any, assessment: Assessment, data: Mapping[str, Any]) -> Assessment:
    if not can_edit_assessment(actor, assessment):
        raise PermissionDenied
    _not_archived(assessment.item)
    fields = ("status", "assessed_on", "summary_en", "summary_km")
    before = audit.snapshot(assessment, fields)
    for name in fields:
        if name in data:
            setattr(assessment, name, data[name])
    _check_assessment(assessment)
    with transaction.atomic():
        assessment.save()
        audit.record(
            actor=actor,
            action="commitments.assessment.update",
            target=assessment,
            changes=audit.diff(before, audit.snapshot(assessment, fields)),
            organisation_id=assessment.organisation_id,
        )
    return assessment


def _move(actor: Any, assessment: Assessment, expected: str, to: str, action: str) -> Assessment:
    """One step of draft → submitted → validated → published, under a row lock so two people
    pressing the same button move it once."""
    with transaction.atomic():
        locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
        if locked.state != expected:
            raise ValidationError(
                _("This assessment is %(state)s now; reload the page.")
                % {"state": locked.get_state_display().lower()},
                code="state",
            )
        _not_archived(assessment.item)
        now = timezone.now()
        locked.state = to
        update = ["state"]
        if to == AssessmentState.SUBMITTED:
            locked.submitted_at, update = now, [*update, "submitted_at"]
        elif to == AssessmentState.VALIDATED:
            locked.validated_at, locked.validated_by = now, actor
            update += ["validated_at", "validated_by"]
        elif to == AssessmentState.PUBLISHED:
            locked.published_at, update = now, [*update, "published_at"]
        elif to == AssessmentState.DRAFT:
            locked.submitted_at, update = None, [*update, "submitted_at"]
        locked.save(update_fields=update)
        audit.record(
            actor=actor,
            action=f"commitments.assessment.{action}",
            target=locked,
            organisation_id=locked.organisation_id,
        )
        if to == AssessmentState.PUBLISHED:
            _refresh_status(locked.item, locked.perspective)
            _event(
                locked.item,
                ItemEvent.Kind.ASSESSMENT,
                actor,
                assessment=locked.pk,
                perspective=locked.perspective,
                status=locked.status,
                assessed_on=locked.assessed_on.isoformat(),
            )
    return locked


def assessment_submit(*, actor: Any, assessment: Assessment) -> Assessment:
    if not can_edit_assessment(actor, assessment):
        raise PermissionDenied
    return _move(actor, assessment, AssessmentState.DRAFT, AssessmentState.SUBMITTED, "submit")


def assessment_return(*, actor: Any, assessment: Assessment) -> Assessment:
    """Send a submitted assessment back to its authors as a draft."""
    _require(actor, Perm.COMMITMENTS_VALIDATE)
    return _move(actor, assessment, AssessmentState.SUBMITTED, AssessmentState.DRAFT, "return")


def assessment_validate(*, actor: Any, assessment: Assessment) -> Assessment:
    _require(actor, Perm.COMMITMENTS_VALIDATE)
    return _move(
        actor, assessment, AssessmentState.SUBMITTED, AssessmentState.VALIDATED, "validate"
    )


def assessment_publish(*, actor: Any, assessment: Assessment) -> Assessment:
    _require(actor, Perm.COMMITMENTS_PUBLISH)
    return _move(actor, assessment, AssessmentState.VALIDATED, AssessmentState.PUBLISHED, "publish")


def _refresh_status(item: Item, perspective: str) -> None:
    """The item's current status from a perspective: its latest published assessment."""
    latest = (
        Assessment.objects.filter(
            item=item, perspective=perspective, state=AssessmentState.PUBLISHED
        )
        .order_by("-assessed_on", "-published_at", "-id")
        .first()
    )
    status = latest.status if latest else ""
    on = latest.assessed_on if latest else None
    if perspective == Perspective.GOVERNMENT:
        Item.objects.filter(pk=item.pk).update(government_status=status, government_status_on=on)
        item.government_status, item.government_status_on = status, on
    else:
        Item.objects.filter(pk=item.pk).update(coalition_status=status, coalition_status_on=on)
        item.coalition_status, item.coalition_status_on = status, on


# Evidence ------------------------------------------------------------------------------------


def check_evidence_file(upload: UploadedFile) -> None:
    """Refuse a file that is too large or not one of the allowed types (by name and content)."""
    limit = settings.KOMAR_EVIDENCE_MAX_BYTES
    if upload.size is not None and upload.size > limit:
        raise ValidationError(
            {
                "file": _("The file is %(size)s MB; the limit is %(limit)s MB.")
                % {"size": f"{upload.size / 1048576:.1f}", "limit": f"{limit / 1048576:.0f}"}
            }
        )
    suffix = Path(upload.name or "").suffix.lower()
    if suffix not in EVIDENCE_TYPES:
        raise ValidationError(
            {
                "file": _("Files of this type are not accepted. Allowed: %(types)s.")
                % {"types": ", ".join(sorted(EVIDENCE_TYPES))}
            }
        )
    upload.seek(0)
    head = upload.read(2048)
    upload.seek(0)
    signatures = EVIDENCE_TYPES[suffix]
    if signatures and not any(head.startswith(sig) for sig in signatures):
        raise ValidationError({"file": _("The file's content does not match its type.")})
    if not signatures:
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as exc:
            if len(head) < 2048:  # a cut in the middle of a character is fine
                raise ValidationError({"file": _("A text file must be UTF-8 text.")}) from exc


def evidence_add(
    *,
    actor: Any,
    assessment: Assessment,
    title: str,
    tier: str,
    file: UploadedFile | None = None,
    url: str = "",
) -> Evidence:
    """Evidence for an assessment, added by its organisation before publication."""
    if not (
        can_edit_assessment(actor, assessment)
        or (
            assessment.state != AssessmentState.PUBLISHED
            and assessment.organisation_id in assessor_org_ids(actor, assessment.perspective)
        )
    ):
        raise PermissionDenied
    _not_archived(assessment.item)
    if bool(file) == bool(url):
        raise ValidationError({"file": _("Give either a file or a link.")})
    if tier not in Tier.values:
        raise ValidationError({"tier": _("Choose who may see it.")})
    if file:
        check_evidence_file(file)
    evidence = Evidence(
        assessment=assessment,
        title=title.strip(),
        url=url,
        tier=tier,
        organisation_id=assessment.organisation_id,
        created_by=actor,
    )
    evidence.full_clean(exclude=["file", "assessment", "organisation", "created_by"])
    with transaction.atomic():
        if file:
            evidence.file.save(Path(file.name or "evidence").name, file, save=False)
        evidence.save()
        audit.record(
            actor=actor,
            action="commitments.evidence.add",
            target=evidence,
            changes={"tier": tier, "kind": "file" if file else "link"},
            organisation_id=assessment.organisation_id,
        )
    return evidence
