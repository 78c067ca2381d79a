"""Every write on joint statements and their endorsements: checked, audited in the same
transaction. Refusals are ValidationErrors naming the field, or PermissionDenied.

Lifecycle: draft → open (the text is locked as a numbered version) → closed → published. A change of
title or text while open or closed makes a new version, reopens sign-on and tells every
organisation with a live endorsement. Publishing needs every endorsement decided."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from komar.accounts.models import Membership
from komar.accounts.roles import ROLE_PERMISSIONS, Perm
from komar.audit import services as audit
from komar.commitments.models import Item
from komar.notifications.services import notify
from komar.organisations.models import Organisation
from komar.statements import permissions as perms
from komar.statements.models import (
    DEFAULT_ROLE_ORDER,
    Endorsement,
    EndorsementRole,
    Statement,
    StatementVersion,
)

STATEMENT_FIELDS = (
    "title_en", "title_km", "text_en", "text_km", "text_km_note", "place_en", "place_km",
    "date", "contact", "links", "role_order",
)  # fmt: skip
LOCKED_FIELDS = ("title_en", "title_km", "text_en", "text_km")  # a change makes a new version
LIVE = (Endorsement.Status.PENDING, Endorsement.Status.APPROVED)
S = Statement.Status
RESERVED_SLUGS = {"new", "endorsements"}  # taken by other pages under /statements/


def _require_drafter(actor: Any, statement: Statement) -> None:
    if not perms.is_drafter(actor, statement):
        raise PermissionDenied


def _not_published(statement: Statement) -> None:
    if statement.status == S.PUBLISHED:
        raise ValidationError(
            _("This statement is published: it can no longer be changed."), code="published"
        )


def _check_role_order(value: Any) -> list[str]:
    if not isinstance(value, list) or sorted(value) != sorted(DEFAULT_ROLE_ORDER):
        raise ValidationError(
            {"role_order": _("List each group of signatories exactly once.")}, code="role_order"
        )
    return list(value)


def _unique_slug(title: str) -> str:
    base = slugify(title)[:80] or "statement"
    slug, n = base, 2
    while slug in RESERVED_SLUGS or Statement.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def _lock_version(actor: Any, statement: Statement) -> StatementVersion:
    statement.version += 1
    return StatementVersion.objects.create(
        statement=statement,
        number=statement.version,
        title_en=statement.title_en,
        title_km=statement.title_km,
        text_en=statement.text_en,
        text_km=statement.text_km,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )


# Statements ----------------------------------------------------------------------------------


def statement_create(
    *, actor: Any, data: Mapping[str, Any], organisation_id: int | None = None
) -> Statement:
    """A draft. The drafter's organisation joins its committee; the secretariat may leave the
    committee empty (a statement of the coalition as a whole)."""
    drafting = perms.drafting_org_ids(actor)
    if not drafting:
        raise PermissionDenied
    if organisation_id is None and not perms.is_secretariat(actor):
        if len(drafting) != 1:
            raise ValidationError(
                {"organisation": _("Choose the organisation drafting this statement.")}
            )
        organisation_id = next(iter(drafting))
    if organisation_id is not None and organisation_id not in drafting:
        raise ValidationError({"organisation": _("You are not authorised for this organisation.")})
    statement = Statement(created_by=actor)
    for name in STATEMENT_FIELDS:
        if name in data:
            setattr(statement, name, data[name])
    statement.role_order = _check_role_order(statement.role_order)
    statement.slug = _unique_slug(str(data.get("slug") or statement.title_en))
    statement.full_clean()
    with transaction.atomic():
        statement.save()
        if organisation_id is not None:
            statement.committee.add(organisation_id)
        audit.record(
            actor=actor,
            action="statements.statement.create",
            target=statement,
            changes=audit.diff({}, audit.snapshot(statement, (*STATEMENT_FIELDS, "committee"))),
        )
    return statement


def statement_update(*, actor: Any, statement: Statement, data: Mapping[str, Any]) -> Statement:
    """Change a statement. While it is open or closed, a change of its title or text makes a new
    version, reopens sign-on and tells the endorsers; a published statement is refused."""
    _require_drafter(actor, statement)
    with transaction.atomic():
        statement = Statement.objects.select_for_update().get(pk=statement.pk)
        _not_published(statement)
        before = audit.snapshot(statement, STATEMENT_FIELDS)
        for name in STATEMENT_FIELDS:
            if name in data:
                setattr(statement, name, data[name])
        statement.role_order = _check_role_order(statement.role_order)
        statement.full_clean()
        changes = audit.diff(before, audit.snapshot(statement, STATEMENT_FIELDS))
        if not changes:
            return statement
        text_changed = any(name in changes for name in LOCKED_FIELDS)
        new_version = None
        if text_changed and statement.status in (S.OPEN, S.CLOSED):
            new_version = _lock_version(actor, statement)
            statement.status = S.OPEN
            statement.closed_at = None
        statement.save()
        if new_version is not None:
            changes["version"] = {"old": new_version.number - 1, "new": new_version.number}
            _tell_endorsers(statement)
        audit.record(
            actor=actor, action="statements.statement.update", target=statement, changes=changes
        )
    return statement


def endorser_recipients(statement: Statement) -> list[Membership]:
    """Members holding STATEMENTS_ENDORSE in an organisation with a live endorsement."""
    roles = [
        r.value for r, granted in ROLE_PERMISSIONS.items() if Perm.STATEMENTS_ENDORSE in granted
    ]
    org_ids = statement.endorsements.filter(status__in=LIVE).values("organisation_id")
    return list(
        Membership.objects.filter(organisation_id__in=org_ids, role__in=roles, user__is_active=True)
        .select_related("user", "organisation")
        .order_by("organisation_id", "user_id")
    )


def _tell_endorsers(statement: Statement) -> None:
    url = reverse("statement_detail", args=[statement.slug])
    number = statement.version
    for membership in endorser_recipients(statement):
        org = membership.organisation

        def render(org: Organisation = org) -> tuple[str, str]:
            subject = _("The text of “%(title)s” has changed") % {"title": statement.title}
            body = _(
                "The joint statement “%(title)s”, which %(organisation)s endorsed, now has a new "
                "text (version %(version)s). Please read it and reconfirm your endorsement, or "
                "withdraw it."
            ) % {"title": statement.title, "organisation": org.name, "version": number}
            return subject, body

        notify(
            user=membership.user,
            key=f"statements.changed.{statement.pk}.v{number}.org{org.pk}",
            render=render,
            url=url,
        )


def committee_add(*, actor: Any, statement: Statement, organisation: Organisation) -> None:
    _require_drafter(actor, statement)
    _not_published(statement)
    if statement.committee.filter(pk=organisation.pk).exists():
        raise ValidationError({"organisation": _("This organisation is already on the committee.")})
    with transaction.atomic():
        statement.committee.add(organisation)
        audit.record(
            actor=actor,
            action="statements.committee.add",
            target=statement,
            changes={"committee": {"added": organisation.pk}},
        )


def committee_remove(*, actor: Any, statement: Statement, organisation: Organisation) -> None:
    _require_drafter(actor, statement)
    _not_published(statement)
    if not statement.committee.filter(pk=organisation.pk).exists():
        raise ValidationError({"organisation": _("This organisation is not on the committee.")})
    with transaction.atomic():
        statement.committee.remove(organisation)
        audit.record(
            actor=actor,
            action="statements.committee.remove",
            target=statement,
            changes={"committee": {"removed": organisation.pk}},
        )


def _move(
    actor: Any, statement: Statement, allowed_from: tuple[str, ...], to: str, **stamp: Any
) -> Statement:
    statement = Statement.objects.select_for_update().get(pk=statement.pk)
    if statement.status not in allowed_from:
        raise ValidationError(
            {
                "status": _("A statement that is “%(status)s” cannot be moved to “%(to)s”.")
                % {"status": statement.get_status_display(), "to": S(to).label}
            },
            code="status",
        )
    statement.status = to
    for name, value in stamp.items():
        setattr(statement, name, value)
    return statement


def statement_open(*, actor: Any, statement: Statement) -> Statement:
    """Draft → open for sign-on: the text is locked as the next version."""
    _require_drafter(actor, statement)
    with transaction.atomic():
        statement = _move(actor, statement, (S.DRAFT,), S.OPEN, opened_at=timezone.now())
        version = _lock_version(actor, statement)
        statement.save()
        audit.record(
            actor=actor,
            action="statements.statement.open",
            target=statement,
            changes={"status": {"old": S.DRAFT, "new": S.OPEN}, "version": version.number},
        )
    return statement


def statement_close(*, actor: Any, statement: Statement) -> Statement:
    _require_drafter(actor, statement)
    with transaction.atomic():
        statement = _move(actor, statement, (S.OPEN,), S.CLOSED, closed_at=timezone.now())
        statement.save()
        audit.record(
            actor=actor,
            action="statements.statement.close",
            target=statement,
            changes={"status": {"old": S.OPEN, "new": S.CLOSED}},
        )
    return statement


def statement_reopen(*, actor: Any, statement: Statement) -> Statement:
    _require_drafter(actor, statement)
    with transaction.atomic():
        statement = _move(actor, statement, (S.CLOSED,), S.OPEN, closed_at=None)
        statement.save()
        audit.record(
            actor=actor,
            action="statements.statement.reopen",
            target=statement,
            changes={"status": {"old": S.CLOSED, "new": S.OPEN}},
        )
    return statement


def statement_publish(*, actor: Any, statement: Statement) -> Statement:
    """Open or closed → published (the secretariat). Every endorsement must be decided first; only
    approved ones appear."""
    if not perms.is_secretariat(actor):
        raise PermissionDenied
    with transaction.atomic():
        old = statement.status
        statement = _move(
            actor, statement, (S.OPEN, S.CLOSED), S.PUBLISHED, published_at=timezone.now()
        )
        pending = list(
            statement.endorsements.filter(status=Endorsement.Status.PENDING)
            .select_related("organisation")
            .order_by("organisation__name_en")
        )
        if pending:
            names = ", ".join(e.organisation.name for e in pending)
            raise ValidationError(
                {
                    "status": _(
                        "Approve or reject every endorsement before publishing. Still awaiting a "
                        "decision: %(names)s."
                    )
                    % {"names": names}
                },
                code="pending",
            )
        if statement.closed_at is None:
            statement.closed_at = statement.published_at
        statement.save()
        audit.record(
            actor=actor,
            action="statements.statement.publish",
            target=statement,
            changes={"status": {"old": old, "new": S.PUBLISHED}},
        )
    return statement


def item_link(*, actor: Any, statement: Statement, item: Item) -> None:
    """Link an item of the commitments tracker (allowed at any stage: it does not change the
    text)."""
    _require_drafter(actor, statement)
    if statement.commitment_items.filter(pk=item.pk).exists():
        raise ValidationError({"item": _("This item is already linked.")})
    with transaction.atomic():
        statement.commitment_items.add(item)
        audit.record(
            actor=actor,
            action="statements.item.link",
            target=statement,
            changes={"commitment_items": {"added": item.pk}},
        )


def item_unlink(*, actor: Any, statement: Statement, item: Item) -> None:
    _require_drafter(actor, statement)
    if not statement.commitment_items.filter(pk=item.pk).exists():
        raise ValidationError({"item": _("This item is not linked.")})
    with transaction.atomic():
        statement.commitment_items.remove(item)
        audit.record(
            actor=actor,
            action="statements.item.unlink",
            target=statement,
            changes={"commitment_items": {"removed": item.pk}},
        )


# Endorsements --------------------------------------------------------------------------------


def endorse(
    *,
    actor: Any,
    statement: Statement,
    organisation_id: int,
    role: str,
    note_en: str = "",
    note_km: str = "",
    anonymous: bool = False,
) -> Endorsement:
    """An organisation endorses the current version, awaiting the secretariat's approval."""
    if not perms.endorsing_org_ids(actor):
        raise PermissionDenied
    errors: dict[str, str] = {}
    if not perms.can_endorse_for(actor, organisation_id):
        errors["organisation"] = _("You are not authorised for this organisation.")
    if role not in EndorsementRole.values:
        errors["role"] = _("Choose one of the roles.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        statement = Statement.objects.select_for_update().get(pk=statement.pk)
        if statement.status != S.OPEN:
            raise ValidationError(
                {"statement": _("This statement is not open for sign-on.")}, code="not_open"
            )
        if statement.endorsements.filter(organisation_id=organisation_id, status__in=LIVE).exists():
            raise ValidationError(
                {"organisation": _("This organisation has already endorsed this statement.")},
                code="already",
            )
        endorsement = Endorsement(
            statement=statement,
            organisation_id=organisation_id,
            role=role,
            note_en=note_en.strip(),
            note_km=note_km.strip(),
            anonymous=anonymous,
            version=statement.version,
            made_by=actor,
        )
        endorsement.full_clean(exclude=["statement", "organisation", "made_by"])
        try:
            with transaction.atomic():
                endorsement.save()
        except IntegrityError:  # a concurrent endorsement for the same organisation
            raise ValidationError(
                {"organisation": _("This organisation has already endorsed this statement.")},
                code="already",
            ) from None
        audit.record(
            actor=actor,
            action="statements.endorsement.create",
            target=endorsement,
            organisation_id=organisation_id,
            changes={
                "statement": statement.pk,
                "role": role,
                "anonymous": anonymous,
                "version": statement.version,
            },
        )
    return endorsement


def _own_live(actor: Any, endorsement: Endorsement) -> Endorsement:
    if not perms.can_endorse_for(actor, endorsement.organisation_id):
        raise PermissionDenied
    endorsement = Endorsement.objects.select_for_update().get(pk=endorsement.pk)
    if endorsement.status not in LIVE:
        raise ValidationError(
            {"status": _("This endorsement has been withdrawn or was not approved.")}
        )
    return endorsement


def endorsement_reconfirm(*, actor: Any, endorsement: Endorsement) -> Endorsement:
    """The organisation endorses the current version (after a change of the text)."""
    with transaction.atomic():
        endorsement = _own_live(actor, endorsement)
        statement = endorsement.statement
        if statement.status != S.OPEN:
            raise ValidationError({"statement": _("This statement is not open for sign-on.")})
        if endorsement.version == statement.version:
            raise ValidationError({"version": _("You already endorse the current version.")})
        old = endorsement.version
        endorsement.version = statement.version
        endorsement.save(update_fields=["version"])
        audit.record(
            actor=actor,
            action="statements.endorsement.reconfirm",
            target=endorsement,
            organisation_id=endorsement.organisation_id,
            changes={"version": {"old": old, "new": endorsement.version}},
        )
    return endorsement


def endorsement_withdraw(*, actor: Any, endorsement: Endorsement) -> Endorsement:
    """The organisation withdraws, until the statement is published."""
    with transaction.atomic():
        endorsement = _own_live(actor, endorsement)
        if endorsement.statement.status == S.PUBLISHED:
            raise ValidationError(
                {
                    "status": _(
                        "The statement is published: an endorsement can no longer be withdrawn."
                    )
                },
                code="published",
            )
        old = endorsement.status
        endorsement.status = Endorsement.Status.WITHDRAWN
        endorsement.withdrawn_at = timezone.now()
        endorsement.save(update_fields=["status", "withdrawn_at"])
        audit.record(
            actor=actor,
            action="statements.endorsement.withdraw",
            target=endorsement,
            organisation_id=endorsement.organisation_id,
            changes={"status": {"old": old, "new": endorsement.status}},
        )
    return endorsement


def endorsement_decide(*, actor: Any, endorsement: Endorsement, approve: bool) -> Endorsement:
    """The secretariat approves or rejects a pending endorsement."""
    if not perms.is_secretariat(actor):
        raise PermissionDenied
    with transaction.atomic():
        endorsement = Endorsement.objects.select_for_update().get(pk=endorsement.pk)
        if endorsement.status != Endorsement.Status.PENDING:
            raise ValidationError(
                {"status": _("Only an endorsement awaiting approval can be decided.")}
            )
        if endorsement.statement.status == S.PUBLISHED:
            raise ValidationError({"status": _("This statement is published.")})
        endorsement.status = Endorsement.Status.APPROVED if approve else Endorsement.Status.REJECTED
        endorsement.decided_by = actor
        endorsement.decided_at = timezone.now()
        endorsement.save(update_fields=["status", "decided_by", "decided_at"])
        audit.record(
            actor=actor,
            action="statements.endorsement.approve" if approve else "statements.endorsement.reject",
            target=endorsement,
            organisation_id=endorsement.organisation_id,
            changes={"status": {"old": Endorsement.Status.PENDING, "new": endorsement.status}},
        )
    return endorsement


def endorsement_reorder(
    *, actor: Any, statement: Statement, role: str, endorsement_ids: list[int]
) -> None:
    """Set the order within one role group (the secretariat): positions 1, 2, … in the order
    given. Every live endorsement of the group must be listed exactly once."""
    if not perms.is_secretariat(actor):
        raise PermissionDenied
    _not_published(statement)
    group = list(
        statement.endorsements.filter(role=role, status__in=LIVE).values_list("pk", flat=True)
    )
    if sorted(group) != sorted(endorsement_ids) or len(set(endorsement_ids)) != len(
        endorsement_ids
    ):
        raise ValidationError({"order": _("List every endorsement of the group exactly once.")})
    with transaction.atomic():
        for position, pk in enumerate(endorsement_ids, start=1):
            Endorsement.objects.filter(pk=pk).update(position=position)
        audit.record(
            actor=actor,
            action="statements.endorsement.reorder",
            target=statement,
            changes={"role": role, "order": endorsement_ids},
        )
