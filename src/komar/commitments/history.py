"""An item's history in words: each ItemEvent as a line in the active language."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from komar.commitments.models import (
    Action,
    Item,
    ItemActor,
    ItemEvent,
    ItemLink,
    Perspective,
    Progress,
    StateResponse,
)
from komar.organisations.models import Organisation


def _label(choices: Any, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def _field_name(name: str) -> str:
    try:
        return str(getattr(Item._meta.get_field(name), "verbose_name", name))
    except Exception:  # a field since removed: show its code
        return name


def describe(
    events: Iterable[ItemEvent],
    actions: dict[Any, Action] | None = None,
    *,
    public: bool = False,
) -> list[dict[str, Any]]:
    """Each event as a readable line: its kind, and what its detail says, in the active
    language. Names the details point to (organisations, actions) are read in one query each.
    `public` lines (the public site) never name another item, which may not be published."""
    events = list(events)
    org_ids = {e.detail.get("organisation") for e in events if e.kind == ItemEvent.Kind.ACTOR}
    orgs: dict[Any, str] = {
        o.pk: o.name for o in Organisation.objects.filter(pk__in=org_ids - {None})
    }
    if actions is None:
        action_ids = {
            e.detail.get("action")
            for e in events
            if e.kind in (ItemEvent.Kind.ACTION, ItemEvent.Kind.ACTION_STATUS)
        }
        found = Action.objects.filter(pk__in=action_ids - {None})
        actions = {a.pk: a for a in found}
    lines = []
    for e in events:
        d, detail = e.detail or {}, ""
        if e.kind == ItemEvent.Kind.UPDATED:
            detail = ", ".join(_field_name(f) for f in d.get("fields", []))
        elif e.kind == ItemEvent.Kind.RESPONSE:
            detail = _label(StateResponse, d.get("response", "")) or _("none")
        elif e.kind == ItemEvent.Kind.ACTOR:
            org = orgs.get(d.get("organisation"), _("an organisation"))
            role = d.get("role", "")
            detail = (
                _("%(org)s: %(role)s") % {"org": org, "role": _label(ItemActor.Role, role).lower()}
                if role
                else _("%(org)s removed") % {"org": org}
            )
        elif e.kind == ItemEvent.Kind.LINK:
            detail = _label(ItemLink.Kind, d.get("relation", ""))
            if not public:
                detail = f"{detail} {d.get('to', '')}"
        elif e.kind in (ItemEvent.Kind.ACTION, ItemEvent.Kind.ACTION_STATUS):
            action = actions.get(d.get("action"))
            status = _label(Action.Status, d.get("status", ""))
            detail = f"{action.description[:80]} ({status})" if action else status
        elif e.kind == ItemEvent.Kind.ASSESSMENT:
            detail = _("%(perspective)s: %(status)s, as of %(on)s") % {
                "perspective": _label(Perspective, d.get("perspective", "")),
                "status": _label(Progress, d.get("status", "")),
                "on": d.get("assessed_on", ""),
            }
        lines.append(
            {
                "event": e,
                "day": timezone.localtime(e.at).date(),
                "at": e.at,
                "item": e.item if ItemEvent._meta.get_field("item").is_cached(e) else None,
                "title": e.get_kind_display(),
                "detail": detail,
                "text": f"{e.get_kind_display()} — {detail}" if detail else e.get_kind_display(),
            }
        )
    return lines
